"""Part 2 charts: cases on the teaching model's scale, and what SIPRI can see.

:func:`cases_chart` draws the output of :func:`crmc.classify.classify_cases`; its criteria
checkboxes recompute the positions in the browser with the same rules as
:func:`crmc.classify.classify` (full weight toward assistance, half weight if unknown), so
readers of the static site can change the rules without a kernel.
"""

from __future__ import annotations

import operator
from functools import reduce
from typing import Any, cast

import altair as alt
import pandas as pd
from pandera.typing import DataFrame

from crmc.charts.common import (
    SIPRI_CREDIT,
    highlight,
    menu,
    menu_filter,
    presence_squares,
    titled,
    tooltips,
)
from crmc.charts.theme import (
    BLUE,
    GUIDE,
    INK,
    PAPER,
    SMALL_TEXT_SIZE,
    VERMILLION,
    VIEW_TITLE_SIZE,
    YELLOW,
)
from crmc.classify import (
    CRITERIA,
    CRITERION_INFO,
    DEFAULT_WEIGHTS,
    MODEL,
    TEACHING_MODEL_NOTE,
    Criterion,
    points_toward_assistance,
    toward_input,
    unknown_input,
    validate_code,
    weight_input,
)
from crmc.data.schemas import FlowsSchema, SipriRegisterSchema
from crmc.tables import row_of_max, row_of_min, visibility_table

__all__ = [
    "ALL_CASES",
    "DIRECTION_COLOURS",
    "cases_chart",
    "short_case_name",
    "visibility_gap_chart",
]

ALL_CASES = "All cases"
"""The highlight menu's "no highlight" option."""

DIRECTION_COLOURS: dict[str, str] = {
    "counts toward assistance": VERMILLION,
    "counts toward normal cooperation": BLUE,
    "unknown (half weight)": YELLOW,
}
"""Matrix cell colours, from the theme's Okabe-Ito palette (colour-blind-safe)."""

_PLOT_WIDTH = 350
_MIN_CODE_CELL = 56
"""Narrowest matrix cell (px) that holds the word "unknown" with a margin."""
"""Concatenated views cannot use ``width="container"``; this plus the labels fits the column."""


def short_case_name(case: str) -> str:
    """A case name without its trailing parenthesis: "S-400 ... (Russia to China)" → "S-400 ..."."""
    head = case.split(" (", 1)[0].strip()
    return head or case


def _direction(criterion: Criterion, code: str) -> str:
    toward = points_toward_assistance(criterion, validate_code(criterion, code))
    if toward is None:
        return "unknown (half weight)"
    return "counts toward assistance" if toward else "counts toward normal cooperation"


def _param_name(criterion: str) -> str:
    return f"use_{criterion}"


def _live_position_expressions() -> dict[str, str]:
    """Vega expressions for position and range under the ticked criteria.

    Generated from the model's own parsed formulas (:data:`crmc.classify.MODEL`): a ticked
    criterion keeps its stated weight, an unticked one weighs 0, and each row's 0/1 flags are
    read from its ``as_``/``unk_`` columns. With every criterion unticked nothing is measured,
    so the chart shows the middle of the scale and the widest range.
    """
    names: dict[str, str] = {}
    for c in CRITERIA:
        names[weight_input(c)] = f"({_param_name(c)} ? {DEFAULT_WEIGHTS[c]!r} : 0)"
        names[toward_input(c)] = f"datum.as_{c}"
        names[unknown_input(c)] = f"datum.unk_{c}"
    total = MODEL.vega("total_weight", names)
    fallback = {"live_low": "0", "live_high": "1", "live_position": "0.5"}
    return {
        key: f"{total} > 0 ? {MODEL.vega(output, names)} : {fallback[key]}"
        for output in ("low", "high", "position")
        for key in [f"live_{output}"]
    }


def _case_rows(cases_scored: pd.DataFrame) -> pd.DataFrame:
    """One row per case: short ``label`` and, per criterion, 0/1 flags ``as_<c>`` (counts
    toward assistance) and ``unk_<c>`` (unknown), which the live expressions read."""
    required = {"id", "case", "position", "low", "high", "coding_note", "source", *CRITERIA}
    missing = required - set(cases_scored.columns)
    if missing:
        raise ValueError(f"cases_scored lacks columns: {', '.join(sorted(missing))}")
    wide = cases_scored.assign(label=cases_scored["case"].map(short_case_name))
    for c in CRITERIA:
        codes = [validate_code(c, v) for v in wide[c]]
        wide[f"as_{c}"] = [1 if points_toward_assistance(c, v) else 0 for v in codes]
        wide[f"unk_{c}"] = [1 if v == "unknown" else 0 for v in codes]
    flags = [f"{k}_{c}" for k in ("as", "unk") for c in CRITERIA]
    return wide[["id", "label", "case", "position", "low", "high", "zone", "coding_note",
                 "source", *CRITERIA, *flags]]


def _codings(wide: pd.DataFrame) -> pd.DataFrame:
    """One row per case × criterion: the code, its question, weight and direction."""
    long = wide.melt(
        id_vars=["id", "label", "coding_note"], value_vars=list(CRITERIA),
        var_name="criterion", value_name="code",
    )
    info = long["criterion"].map(CRITERION_INFO)
    return long.assign(
        criterion_label=[i.label for i in info],
        question=[i.question for i in info],
        direction=[_direction(c, v) for c, v in zip(long["criterion"], long["code"],
                                                     strict=True)],
        weight=long["criterion"].map(DEFAULT_WEIGHTS),
    )


CASE_TOOLTIP = [
    *tooltips(
        ("case:N", "Case"),
        ("live_position:Q", "Position (ticked criteria)", ".2f"),
        ("live_low:Q", "Range from", ".2f"),
        ("live_high:Q", "Range to", ".2f"),
        ("position:Q", "Position (all six criteria)", ".2f"),
    ),
    *[alt.Tooltip(f"{c}:N", title=CRITERION_INFO[c].label) for c in CRITERIA],
    *tooltips(("coding_note:N", "Why coded so"), ("source:N", "Sources")),
]
CODING_TOOLTIP = tooltips(
    ("label:N", "Case"),
    ("question:N", "Criterion"),
    ("code:N", "Coded"),
    ("direction:N", "Effect"),
    ("weight:Q", "Weight"),
    ("coding_note:N", "Why coded so"),
)


def _view_title(text: str) -> alt.TitleParams:
    return alt.TitleParams(text, fontSize=VIEW_TITLE_SIZE)


def _scale_view(wide: pd.DataFrame, y: alt.Y, highlighted: Any) -> alt.LayerChart:
    """Top view: each case's live position (diamond) and range (line), thirds dashed."""
    x_scale = alt.Scale(domain=[0, 1])
    base = alt.Chart(wide).transform_calculate(**_live_position_expressions())
    band = base.mark_rule(strokeWidth=3).encode(
        alt.X("live_low:Q").scale(x_scale)
        .title("Position: 0 = normal cooperation … 1 = military assistance"),
        alt.X2("live_high:Q"),
        y,
        opacity=highlight(highlighted, on=0.45, off=0.1),
        tooltip=CASE_TOOLTIP,
    )
    points = base.mark_point(filled=True, size=140, shape="diamond").encode(
        alt.X("live_position:Q").scale(x_scale),
        y,
        opacity=highlight(highlighted),
        tooltip=CASE_TOOLTIP,
    )
    thirds = alt.Chart(pd.DataFrame({"x": [1 / 3, 2 / 3]})).mark_rule(
        strokeDash=[4, 4], color=GUIDE
    ).encode(alt.X("x:Q").scale(x_scale))
    view = alt.layer(thirds, band, points).properties(
        width=_PLOT_WIDTH, height=34 * len(wide), title=_view_title("Position and range"),
    )
    return cast(alt.LayerChart, view)


def _matrix_view(long: pd.DataFrame, y: alt.Y, shown: Any) -> alt.LayerChart:
    """Bottom view: the case × criterion matrix, coloured by the direction of each code."""
    cells = alt.Chart(long).encode(
        alt.X("criterion_label:N").sort([CRITERION_INFO[c].label for c in CRITERIA])
        .title("Criterion (weight in tooltip)")
        .axis(labelAngle=0, orient="bottom", labelExpr="split(datum.label, ' ')",
              labelLimit=70, labelFontSize=SMALL_TEXT_SIZE),
        y,
        tooltip=CODING_TOOLTIP,
    )
    rects = cells.mark_rect(stroke=PAPER, strokeWidth=2).encode(
        alt.Color("direction:N")
        .scale(domain=list(DIRECTION_COLOURS), range=list(DIRECTION_COLOURS.values()))
        .legend(title="Effect of the code", orient="bottom", columns=1),
        opacity=highlight(shown),
    )
    on_yellow = alt.datum.direction == "unknown (half weight)"
    # On a phone a cell is narrower than "unknown": the yellow cell then says "?".
    # The view's width signal has no alt.datum form, so this predicate is written out.
    narrow = f"width < {len(CRITERIA) * _MIN_CODE_CELL} && datum.code === 'unknown'"
    labels = cells.mark_text().encode(
        text=alt.when(narrow).then(alt.value("?")).otherwise(alt.Text("code:N")),
        color=alt.when(on_yellow).then(alt.value(INK)).otherwise(alt.value(PAPER)),
    )
    view = alt.layer(rects, labels).properties(
        width=_PLOT_WIDTH, height=34 * len(long["id"].unique()),
        title=_view_title("How each case is coded"),
    )
    return cast(alt.LayerChart, view)


def _cases_description(wide: pd.DataFrame) -> str:
    top = row_of_max(wide, "position")
    bottom = row_of_min(wide, "position")
    widest = row_of_max(wide.assign(width=wide["high"] - wide["low"]), "width")
    return (
        f"Two linked views of {len(wide)} cases coded on six criteria in a teaching model. "
        f"Top: each case's position between normal cooperation (0) and military assistance (1) "
        f"with its uncertainty range; with all criteria on, {top['label']} is highest "
        f"({top['position']:.2f}) and {bottom['label']} lowest ({bottom['position']:.2f}), and "
        f"{widest['label']} has the widest range ({widest['low']:.2f}–{widest['high']:.2f}). "
        "Bottom: a matrix of each case's yes, no or unknown codes, coloured by whether the code "
        "counts toward assistance, toward normal cooperation, or is unknown."
    )


def cases_chart(cases_scored: pd.DataFrame) -> alt.VConcatChart:
    """The real cases on the teaching model's scale (top) and their codings (bottom).

    ``cases_scored`` is :func:`crmc.classify.classify_cases` output (``cases.csv`` plus
    ``position``, ``low``, ``high``). Top: each case's position (point) and uncertainty range
    (from "every unknown points to normal" to "every unknown points to assistance"). Bottom:
    the case × criterion matrix. Client-side controls: a checkbox per criterion switches it
    on or off (positions and ranges are recomputed in the browser with the model's rules) and
    a menu highlights one case in both views.
    """
    wide = _case_rows(cases_scored)
    order = wide.sort_values(["position", "id"], ascending=[False, True])["label"].tolist()
    checks = {
        c: alt.param(name=_param_name(c), value=True, bind=alt.binding_checkbox(
            name=f"{CRITERION_INFO[c].label} (weight {DEFAULT_WEIGHTS[c]:g}) "))
        for c in CRITERIA
    }
    focus = menu("case_focus", "Highlight a case ", order, first=ALL_CASES)
    highlighted = menu_filter(focus, "label", first=ALL_CASES)
    switched_on = reduce(operator.or_, ((alt.datum.criterion == c) & p for c, p in checks.items()))
    y = alt.Y("label:N").sort(order).title(None).axis(labelLimit=290)
    subtitle = [TEACHING_MODEL_NOTE, "Untick a criterion below to drop it; pick a case to "
                "highlight it. Hover for the coding notes and sources."]
    if wide["source"].str.contains("SIPRI").any():
        subtitle.append(f"Codings: the module's cases data; order years from SIPRI. {SIPRI_CREDIT}")
    chart: alt.VConcatChart = alt.vconcat(
        _scale_view(wide, y, highlighted),
        _matrix_view(_codings(wide), y, switched_on & highlighted),
        spacing=24,
        description=_cases_description(wide),
        title=titled("Normal cooperation or military assistance?", *subtitle),
    ).add_params(*checks.values(), focus)
    return chart


_STATUS_ORDER = ["delivered", "agreed", "reported", "claimed"]


VISIBILITY_TOOLTIP = tooltips(
    ("item:N", "Flow"),
    ("domain:N", "Domain"),
    ("status:N", "Evidence status"),
    ("verdict:N", "Fact-check verdict"),
    ("sipri_deal:N", "SIPRI deal"),
    ("sipri_tiv_delivered:Q", "TIV delivered (million)", ",.1f"),
    ("source:N", "Sources"),
)


def _visibility_description(table: pd.DataFrame, deals: int) -> str:
    recorded = int(table["in_sipri"].sum())
    both = int((table["in_interview"] & table["in_sipri"]).sum())
    unseen = ", ".join(sorted(set(table.loc[~table["in_sipri"], "domain"])))
    return (
        f"Grid of {len(table)} China-to-Russia flows in the module's data. The interview names "
        f"{int(table['in_interview'].sum())} of them; SIPRI's register records {deals} "
        f"China-to-Russia deals, which match {recorded} rows; {both} "
        f"{'flow is' if both == 1 else 'flows are'} both named in the interview and recorded "
        f"by SIPRI. The other {len(table) - recorded} rows ({unseen}) do not appear in "
        "SIPRI's data, which covers major conventional arms only."
    )


def _visibility_title(table: pd.DataFrame, deals: int) -> alt.TitleParams:
    return titled(
        "What SIPRI sees of China's supplies to Russia",
        f"SIPRI records {deals} China-to-Russia deals; the module's data lists "
        f"{len(table)} flows. Filled = yes, open = no. Click a status in the legend.",
        "Flows and evidence status: the module's flows data. " + SIPRI_CREDIT,
    )


def visibility_gap_chart(register: DataFrame[SipriRegisterSchema],
                         flows: DataFrame[FlowsSchema]) -> alt.LayerChart:
    """The "visibility gap": China→Russia flows named in the interview or the module's data,
    against the deals SIPRI's register records.

    One row per flow (see :func:`visibility_table`), three columns: its domain, whether the
    interview names it, whether SIPRI records it. Filled squares mean yes, coloured by the
    flow's evidence status; open grey squares mean no. Clicking a status in the legend
    highlights its flows.
    """
    table = visibility_table(register, flows)
    columns = ["Domain", "Named in the interview", "Recorded by SIPRI"]
    long = pd.concat([
        table.assign(column=columns[1], present=table["in_interview"]),
        table.assign(column=columns[2], present=table["in_sipri"]),
    ])
    x = alt.X("column:N").scale(domain=columns).title(None).axis(orient="top", labelAngle=0)
    y = alt.Y("label:N").sort(table["label"].tolist()).title(None).axis(labelLimit=360)
    present, absent = presence_squares(
        long.assign(mark=long["present"].map({True: "yes", False: "no"})),
        x, y,
        alt.Color("status:N").scale(domain=_STATUS_ORDER).title("Evidence status"),
        pick=alt.selection_point(fields=["status"], bind="legend"),
        size=260,
        tooltip=VISIBILITY_TOOLTIP,
    )
    domains = alt.Chart(table.assign(column="Domain")).mark_text(align="center").encode(
        x, y, alt.Text("domain:N"), tooltip=VISIBILITY_TOOLTIP,
    )
    deals = int(((register["supplier"] == "China") & (register["recipient"] == "Russia")).sum())
    chart = alt.layer(
        domains,
        absent,
        present,
        description=_visibility_description(table, deals),
        width="container",
        height=32 * len(table),
        title=_visibility_title(table, deals),
    )
    return cast(alt.LayerChart, chart)
