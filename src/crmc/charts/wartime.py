"""Part 2 charts: cases on the teaching model's scale, and what SIPRI can see.

:func:`cases_chart` draws the output of :func:`crmc.classify.classify_cases`; its criteria
checkboxes recompute the positions in the browser with the same rules as
:func:`crmc.classify.classify` (full weight toward assistance, half weight if unknown), so
readers of the static site can change the rules without a kernel.
"""

from __future__ import annotations

from typing import cast

import altair as alt
import pandas as pd

from crmc.charts.common import SIPRI_CREDIT, titled
from crmc.charts.theme import OKABE_ITO
from crmc.classify import (
    CRITERIA,
    CRITERION_INFO,
    DEFAULT_WEIGHTS,
    TEACHING_MODEL_NOTE,
    Criterion,
    points_toward_assistance,
    validate_code,
)
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
    "counts toward assistance": OKABE_ITO[3],  # vermillion
    "counts toward normal cooperation": OKABE_ITO[0],  # blue
    "unknown (half weight)": OKABE_ITO[7],  # yellow
}
"""Matrix cell colours, from the theme's Okabe-Ito palette (colour-blind-safe)."""

_PLOT_WIDTH = 350
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
    """Vega expressions for the position and band under the checked criteria."""
    weight = {c: f"({_param_name(c)} ? {DEFAULT_WEIGHTS[c]:g} : 0)" for c in CRITERIA}
    den = " + ".join(weight.values())
    toward = " + ".join(f"{weight[c]} * datum.as_{c}" for c in CRITERIA)
    unknown = " + ".join(f"{weight[c]} * datum.unk_{c}" for c in CRITERIA)
    return {
        "den": den,
        "live_low": f"({den}) > 0 ? ({toward}) / ({den}) : 0",
        "live_high": f"({den}) > 0 ? ({toward} + {unknown}) / ({den}) : 1",
        "live_position": f"({den}) > 0 ? ({toward} + 0.5 * ({unknown})) / ({den}) : 0.5",
    }


def cases_chart(cases_scored: pd.DataFrame) -> alt.VConcatChart:
    """The real cases on the teaching model's scale (top) and their codings (bottom).

    ``cases_scored`` is :func:`crmc.classify.classify_cases` output (``cases.csv`` plus
    ``position``, ``low``, ``high``). Top: each case's position (point) and uncertainty range
    (line from "every unknown points to normal" to "every unknown points to assistance").
    Bottom: the case × criterion matrix, coloured by the direction in which each code counts.
    Client-side controls: a checkbox per criterion switches it on or off (positions and
    ranges are recomputed in the browser with the model's rules) and a menu highlights one
    case in both views.
    """
    required = {"id", "case", "position", "low", "high", "coding_note", "source", *CRITERIA}
    missing = required - set(cases_scored.columns)
    if missing:
        raise ValueError(f"cases_scored lacks columns: {', '.join(sorted(missing))}")
    wide = cases_scored.copy()
    wide["label"] = wide["case"].map(short_case_name)
    for c in CRITERIA:
        wide[f"as_{c}"] = [
            1 if points_toward_assistance(c, validate_code(c, v)) else 0 for v in wide[c]
        ]
        wide[f"unk_{c}"] = [1 if validate_code(c, v) == "unknown" else 0 for v in wide[c]]
    order = wide.sort_values(["position", "id"], ascending=[False, True])["label"].tolist()
    long = wide.melt(
        id_vars=["id", "label", "coding_note"], value_vars=list(CRITERIA),
        var_name="criterion", value_name="code",
    )
    long["criterion_label"] = long["criterion"].map(lambda c: CRITERION_INFO[c].label)
    long["question"] = long["criterion"].map(lambda c: CRITERION_INFO[c].question)
    long["direction"] = [_direction(c, v) for c, v in zip(long["criterion"], long["code"],
                                                          strict=True)]
    long["weight"] = long["criterion"].map(lambda c: DEFAULT_WEIGHTS[c])

    checks = [
        alt.param(
            name=_param_name(c),
            value=True,
            bind=alt.binding_checkbox(
                name=f"{CRITERION_INFO[c].label} (weight {DEFAULT_WEIGHTS[c]:g}) "
            ),
        )
        for c in CRITERIA
    ]
    focus = alt.param(
        name="case_focus",
        value=ALL_CASES,
        bind=alt.binding_select(options=[ALL_CASES, *order], name="Highlight a case "),
    )
    highlighted = f"case_focus == '{ALL_CASES}' || datum.label == case_focus"
    switched_on = " || ".join(
        f"(datum.criterion == '{c}' && {_param_name(c)})" for c in CRITERIA
    )
    y = alt.Y("label:N").sort(order).title(None).axis(labelLimit=290)

    exprs = _live_position_expressions()
    base = alt.Chart(
        wide[["id", "label", "case", "position", "low", "high", "zone", "coding_note", "source",
              *CRITERIA, *[f"as_{c}" for c in CRITERIA], *[f"unk_{c}" for c in CRITERIA]]]
    ).transform_calculate(
        live_low=exprs["live_low"], live_high=exprs["live_high"],
        live_position=exprs["live_position"],
    )
    tooltip = [
        alt.Tooltip("case:N", title="Case"),
        alt.Tooltip("live_position:Q", title="Position (ticked criteria)", format=".2f"),
        alt.Tooltip("live_low:Q", title="Range from", format=".2f"),
        alt.Tooltip("live_high:Q", title="Range to", format=".2f"),
        alt.Tooltip("position:Q", title="Position (all six criteria)", format=".2f"),
        *[alt.Tooltip(f"{c}:N", title=CRITERION_INFO[c].label) for c in CRITERIA],
        alt.Tooltip("coding_note:N", title="Why coded so"),
        alt.Tooltip("source:N", title="Sources"),
    ]
    x_scale = alt.Scale(domain=[0, 1])
    band = base.mark_rule(strokeWidth=3).encode(
        alt.X("live_low:Q").scale(x_scale).title(
            "Position: 0 = normal cooperation … 1 = military assistance"
        ),
        alt.X2("live_high:Q"),
        y,
        opacity=alt.condition(highlighted, alt.value(0.45), alt.value(0.1)),
        tooltip=tooltip,
    )
    points = base.mark_point(filled=True, size=140, shape="diamond").encode(
        alt.X("live_position:Q").scale(x_scale),
        y,
        opacity=alt.condition(highlighted, alt.value(1.0), alt.value(0.2)),
        tooltip=tooltip,
    )
    thirds = alt.Chart(pd.DataFrame({"x": [1 / 3, 2 / 3]})).mark_rule(
        strokeDash=[4, 4], color="#888888"
    ).encode(alt.X("x:Q").scale(x_scale))
    scale_view = alt.layer(thirds, band, points).properties(
        width=_PLOT_WIDTH, height=34 * len(wide),
        title=alt.TitleParams("Position and range", fontSize=13),
    )

    cells = alt.Chart(long).encode(
        alt.X("criterion_label:N").sort([CRITERION_INFO[c].label for c in CRITERIA]).title(
            "Criterion (weight in tooltip)").axis(
            labelAngle=0, orient="bottom", labelExpr="split(datum.label, ' ')", labelLimit=70,
            labelFontSize=11,
        ),
        y,
        tooltip=[
            alt.Tooltip("label:N", title="Case"),
            alt.Tooltip("question:N", title="Criterion"),
            alt.Tooltip("code:N", title="Coded"),
            alt.Tooltip("direction:N", title="Effect"),
            alt.Tooltip("weight:Q", title="Weight"),
            alt.Tooltip("coding_note:N", title="Why coded so"),
        ],
    )
    rects = cells.mark_rect(stroke="white", strokeWidth=2).encode(
        alt.Color("direction:N")
        .scale(domain=list(DIRECTION_COLOURS), range=list(DIRECTION_COLOURS.values()))
        .legend(title="Effect of the code", orient="bottom", columns=1),
        opacity=alt.condition(f"({switched_on}) && ({highlighted})", alt.value(1.0),
                              alt.value(0.2)),
    )
    labels = cells.mark_text(fontSize=12).encode(
        alt.Text("code:N"),
        color=alt.condition(
            "datum.direction == 'unknown (half weight)'", alt.value("#222222"), alt.value("white")
        ),
    )
    matrix_view = alt.layer(rects, labels).properties(
        width=_PLOT_WIDTH, height=34 * len(wide),
        title=alt.TitleParams("How each case is coded", fontSize=13),
    )

    top = row_of_max(wide, "position")
    bottom = row_of_min(wide, "position")
    widest = row_of_max(wide.assign(width=wide["high"] - wide["low"]), "width")
    description = (
        f"Two linked views of {len(wide)} cases coded on six criteria in a teaching model. "
        f"Top: each case's position between normal cooperation (0) and military assistance (1) "
        f"with its uncertainty range; with all criteria on, {top['label']} is highest "
        f"({top['position']:.2f}) and {bottom['label']} lowest ({bottom['position']:.2f}), and "
        f"{widest['label']} has the widest range ({widest['low']:.2f}–{widest['high']:.2f}). "
        "Bottom: a matrix of each case's yes, no or unknown codes, coloured by whether the code "
        "counts toward assistance, toward normal cooperation, or is unknown."
    )
    subtitle = [TEACHING_MODEL_NOTE, "Untick a criterion below to drop it; pick a case to "
                "highlight it. Hover for the coding notes and sources."]
    if wide["source"].str.contains("SIPRI").any():
        subtitle.append(f"Codings: the module's cases data; order years from SIPRI. {SIPRI_CREDIT}")
    chart: alt.VConcatChart = alt.vconcat(
        scale_view,
        matrix_view,
        spacing=24,
        description=description,
        title=titled("Normal cooperation or military assistance? A teaching model", *subtitle),
    ).add_params(*checks, focus)
    return chart






_STATUS_ORDER = ["delivered", "agreed", "reported", "claimed"]


def visibility_gap_chart(register: pd.DataFrame, flows: pd.DataFrame) -> alt.LayerChart:
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
        table.assign(column="Named in the interview", present=table["in_interview"]),
        table.assign(column="Recorded by SIPRI", present=table["in_sipri"]),
    ])
    long["mark"] = long["present"].map({True: "yes", False: "no"})
    order = table["label"].tolist()
    status = alt.selection_point(fields=["status"], bind="legend")
    y = alt.Y("label:N").sort(order).title(None).axis(labelLimit=360)
    x = alt.X("column:N").scale(domain=columns).title(None).axis(orient="top", labelAngle=0)
    tooltip = [
        alt.Tooltip("item:N", title="Flow"),
        alt.Tooltip("domain:N", title="Domain"),
        alt.Tooltip("status:N", title="Evidence status"),
        alt.Tooltip("verdict:N", title="Fact-check verdict"),
        alt.Tooltip("sipri_deal:N", title="SIPRI deal"),
        alt.Tooltip("sipri_tiv_delivered:Q", title="TIV delivered (million)", format=",.1f"),
        alt.Tooltip("source:N", title="Sources"),
    ]
    highlight = alt.condition(status, alt.value(1.0), alt.value(0.2))
    present = alt.Chart(long[long["present"]]).mark_square(size=260).encode(
        x, y,
        alt.Color("status:N").scale(domain=_STATUS_ORDER).title("Evidence status"),
        opacity=highlight, tooltip=tooltip,
    ).add_params(status)
    absent = alt.Chart(long[~long["present"]]).mark_square(
        size=260, filled=False, color="#999999"
    ).encode(x, y, tooltip=tooltip)
    domains = alt.Chart(table.assign(column="Domain")).mark_text(align="center").encode(
        x, y, alt.Text("domain:N"), tooltip=tooltip,
    )
    deals = register[(register["supplier"] == "China") & (register["recipient"] == "Russia")]
    named = int(table["in_interview"].sum())
    recorded = int(table["in_sipri"].sum())
    both = int((table["in_interview"] & table["in_sipri"]).sum())
    description = (
        f"Grid of {len(table)} China-to-Russia flows in the module's data. The interview names "
        f"{named} of them; SIPRI's register records {len(deals)} China-to-Russia deals, which "
        f"match {recorded} rows; {both} {'flow is' if both == 1 else 'flows are'} both named in "
        f"the interview and recorded by SIPRI. The other {len(table) - recorded} rows "
        f"({', '.join(sorted(set(table.loc[~table['in_sipri'], 'domain'])))}) do not appear in "
        "SIPRI's data, which covers major conventional arms only."
    )
    chart = alt.layer(
        domains,
        absent,
        present,
        description=description,
        width="container",
        height=32 * len(table),
        title=titled(
            "What SIPRI sees of China's supplies to Russia",
            f"SIPRI records {len(deals)} China-to-Russia deals; the module's data lists "
            f"{len(table)} flows. Filled = yes, open = no. Click a status in the legend.",
            "Flows and evidence status: the module's flows data. " + SIPRI_CREDIT,
        ),
    )
    return cast(alt.LayerChart, chart)
