"""Part 3 charts: who supplies what, the "two-way street" over time, and who has the edge.

All three read the module's curated data (``flows.csv``, ``capabilities.csv``). Counts are
numbers of rows in those files (the module's own count), not volumes: one flow may be one
engine order or a whole family of orders. Where a row's source is the SIPRI register the
chart carries SIPRI's credit line.
"""

from __future__ import annotations

import operator
from functools import reduce
from typing import Any, cast

import altair as alt
import pandas as pd
import pandera.pandas as pa
from pandera.typing import DataFrame

from crmc.charts.common import (
    SIPRI_CREDIT,
    highlight,
    menu,
    menu_filter,
    presence_squares,
    titled,
    tooltips,
    uses_sipri,
    zero_rule,
)
from crmc.charts.theme import PAPER
from crmc.data.schemas import (
    CAPABILITY_BASES,
    CAPABILITY_EDGES,
    FLOW_FORMS,
    FLOW_STATUSES,
    FLOW_VERDICTS,
    CapabilitiesSchema,
    FlowsSchema,
)
from crmc.tables import (
    CHINA_TO_RUSSIA,
    DIRECTIONS,
    NOT_CHECKED,
    PERIOD_WIDTH,
    RUSSIA_TO_CHINA,
    as_int,
    flow_table,
    period_counts,
    period_label,
    period_start,
    present_in_order,
)
from crmc.tables_schemas import Checked

__all__ = ["capabilities_matrix_chart", "supply_flows_chart", "two_way_street_chart"]

VERDICT_LABELS = (*FLOW_VERDICTS, NOT_CHECKED)
COUNT_NOTE = (
    "Counts: the module's own count of rows in its flows data (a row is a deal, programme",
    "or reported project), not a volume and not a SIPRI figure.",
)
FLOWS_CREDIT = (
    "Flow details: the module's flows data, partly from SIPRI's register.",
    SIPRI_CREDIT,
)


FLOW_TOOLTIP = tooltips(
    ("item:N", "Flow"),
    ("direction:N", "Direction"),
    ("programme:N", "Programme"),
    ("component:N", "Component"),
    ("domain:N", "Domain"),
    ("form:N", "Form"),
    ("years:N", "Years"),
    ("status:N", "Evidence status"),
    ("verdict_label:N", "Fact-check verdict"),
    ("named:N", "Named in the interview"),
    ("source:N", "Sources"),
)
FLOW_COLUMNS = ["id", "item", "direction", "programme", "component", "domain", "form", "years",
                "year_start", "status", "verdict_label", "named", "source"]


def _flow_subtitle(table: pd.DataFrame, *lines: str) -> list[str]:
    """``lines``, the count note and (when a row's source is SIPRI) the flows' credit."""
    return [*lines, *COUNT_NOTE, *(FLOWS_CREDIT if uses_sipri(table["source"]) else ())]


def _flow_layers(bars: alt.Chart, zero: alt.Chart, table: pd.DataFrame, description: str,
                 height: Any, title: str, *subtitle: str) -> alt.LayerChart:
    """Both flow charts end alike: flow segments over a zero line, full column width."""
    chart = alt.layer(
        bars,
        zero,
        description=description,
        width="container",
        height=height,
        title=titled(title, *_flow_subtitle(table, *subtitle)),
    )
    return cast(alt.LayerChart, chart)


def _count_axis(title: str, reach: int, channel: type[alt.X] | type[alt.Y]) -> Any:
    """A two-sided count axis: −reach … reach, labelled without the minus sign."""
    return (
        channel("side:Q" if channel is alt.X else "up:Q")
        .stack("zero")
        .scale(domain=[-reach, reach])
        .axis(labelExpr="abs(datum.value)", tickMinStep=1, format="d")
        .title(title)
    )


def _supply_description(table: pd.DataFrame) -> str:
    r2c = table[table["direction"] == RUSSIA_TO_CHINA]
    c2r = table[table["direction"] == CHINA_TO_RUSSIA]
    return (
        f"Two-sided bar chart of the {len(table)} flows in the module's data, one bar segment "
        f"per flow, one row per domain. {len(r2c)} run from Russia to China (left), "
        f"{int((r2c['form'] == 'sale').sum())} of them sales; {len(c2r)} run from China to "
        f"Russia (right), in the {', '.join(sorted(set(c2r['domain'])))} domains. Colour shows "
        "the form of each flow."
    )


def _flow_menus(table: pd.DataFrame, forms: list[str]) -> dict[str, alt.Parameter]:
    """The supply chart's filter menus, by the field each filters."""
    return {
        "direction": menu("flow_direction", "Direction ", DIRECTIONS),
        "form": menu("flow_form", "Form ", forms),
        "status": menu("flow_status", "Evidence status ",
                       present_in_order(table["status"], FLOW_STATUSES)),
        "verdict_label": menu("flow_verdict", "Fact-check verdict ",
                              present_in_order(table["verdict_label"], VERDICT_LABELS)),
    }


def supply_flows_chart(flows: DataFrame[FlowsSchema]) -> alt.LayerChart:
    """Who supplies what: a two-sided bar chart, Russia → China to the left of zero and
    China → Russia to the right, one row per domain (or per programme).

    Each bar segment is one flow, coloured by its form; hover for its details and sources.
    Client-side menus filter by direction (``flow_direction``), form (``flow_form``), evidence
    status (``flow_status``) and fact-check verdict (``flow_verdict``), and switch the rows
    between domains and programmes (``flow_rows``).
    """
    table = flow_table(flows)
    forms = present_in_order(table["form"], FLOW_FORMS)
    reach = int(table.groupby(["domain", "direction"]).size().max()) + 1
    menus = _flow_menus(table, forms)
    rows = menu("flow_rows", "Rows ", ["programme"], first="domain")
    kept = reduce(operator.and_, (menu_filter(m, f) for f, m in menus.items()))
    bars = (
        alt.Chart(table[[*FLOW_COLUMNS, "side"]])
        .transform_filter(kept)
        .transform_calculate(row=alt.expr.if_(rows == "programme", alt.datum.programme,
                                              alt.datum.domain))
        .mark_bar(stroke=PAPER, strokeWidth=1)
        .encode(
            _count_axis("Flows: ← Russia to China | China to Russia →", reach, alt.X),
            alt.Y("row:N").sort("ascending").title(None).axis(labelLimit=220),
            alt.Color("form:N").scale(domain=forms).title("Form"),
            alt.Order("year_start:Q"),
            alt.Detail("id:N"),
            tooltip=FLOW_TOOLTIP,
        )
    )
    n_r2c = int((table["direction"] == RUSSIA_TO_CHINA).sum())
    return _flow_layers(
        bars, zero_rule("x", alt.Scale(domain=[-reach, reach])), table,
        _supply_description(table), alt.Step(24), "Who supplies what: flows in both directions",
        f"{n_r2c} flows from Russia to China, {len(table) - n_r2c} from China to Russia; each "
        "segment is one", "flow. Filter with the menus below; hover for details and sources.",
    ).add_params(*menus.values(), rows)


def _two_way_description(table: pd.DataFrame, totals: pd.DataFrame, periods: list[str],
                         width: int) -> str:
    c2r = totals.get(CHINA_TO_RUSSIA, pd.Series(0, index=totals.index))
    first_c2r = next((p for p in periods if int(c2r.get(p, 0)) > 0), None)
    return (
        f"Bar chart of the {len(table)} flows in the module's data by the {width}-year period in "
        f"which each began, from {periods[0]} to {periods[-1]}: Russia to China above the zero "
        f"line, China to Russia below, coloured by form. "
        + (f"Flows from China to Russia first appear in {first_c2r}. " if first_c2r else "")
        + f"The busiest period is {totals.sum(axis=1).idxmax()}; "
        f"{int((table['form'] != 'sale').sum())} flows are something other than "
        "a sale (licences, joint R&D, subcontracting, exercises)."
    )


def two_way_street_chart(flows: DataFrame[FlowsSchema],
                         width: int = PERIOD_WIDTH) -> alt.LayerChart:
    """The "two-way street": flows per ``width``-year period (by the year each began),
    Russia → China above the zero line and China → Russia below, stacked by form.

    Each segment is one flow (hover for details). Clicking a form in the legend highlights
    it (a client-side selection bound to the legend).
    """
    table = flow_table(flows)
    counts = period_counts(flows, width)
    table["period"] = [period_label(period_start(as_int(y), width), width)
                       for y in table["year_start"]]
    table["up"] = -table["side"]
    periods = list(dict.fromkeys(counts.sort_values("period_start")["period"]))
    forms = present_in_order(table["form"], FLOW_FORMS)
    totals = counts.groupby(["period", "direction"])["flows"].sum().unstack(fill_value=0)
    reach = int(totals.to_numpy().max()) + 1
    pick = alt.selection_point(fields=["form"], bind="legend", name="flow_form_pick")
    bars = (
        alt.Chart(table[[*FLOW_COLUMNS, "period", "up"]])
        .mark_bar(stroke=PAPER, strokeWidth=1)
        .encode(
            alt.X("period:O").sort(periods).scale(domain=periods)
            .title(f"Period in which the flow began ({width}-year periods)").axis(labelAngle=0),
            _count_axis("Flows: Russia → China above 0, China → Russia below", reach, alt.Y),
            alt.Color("form:N").scale(domain=forms).title("Form (click to highlight)"),
            alt.Order("year_start:Q"),
            alt.Detail("id:N"),
            opacity=highlight(pick),
            tooltip=[alt.Tooltip("period:N", title="Period"), *FLOW_TOOLTIP],
        )
        .add_params(pick)
    )
    return _flow_layers(
        bars, zero_rule("y", alt.Scale(domain=[-reach, reach])), table,
        _two_way_description(table, totals, periods, width), 320,
        "A two-way street? Flows by period, direction and form",
        "Each segment is one flow, placed in the period its deal or project began.",
        "Click a form in the legend to highlight it; hover for details and sources.",
    )


_SIDE_ORDER = ("China", "contested", "Russia")
_SIDE_LABELS = {"China": "Edge: China", "contested": "Contested", "Russia": "Edge: Russia"}
_BASIS_LABELS = {
    "interview": "interview only",
    "source": "other sources only",
    "both": "interview and other sources",
}
CAPABILITY_TOOLTIP = tooltips(
    ("capability:N", "Capability"),
    ("edge:N", "Edge"),
    ("basis_label:N", "Coded from"),
    ("statement:N", "What the sources say"),
    ("source:N", "Sources"),
)


def _capabilities_description(caps: pd.DataFrame, sides: list[str]) -> str:
    counts = caps["edge"].value_counts()
    by_side = ". ".join(
        ("contested" if s == "contested" else f"{s} has the edge")
        + f" in {int(counts.get(s, 0))} ("
        + "; ".join(caps.loc[caps["edge"] == s, "capability"].sort_values())
        + ")"
        for s in sides if counts.get(s, 0)
    )
    basis = caps["basis"].value_counts()
    return (
        f"Matrix of {len(caps)} military capabilities against the side coded as having the "
        f"edge in the module's data. {by_side}. {int(basis.get('both', 0))} codings rest on "
        f"both the interview and other sources, {int(basis.get('interview', 0))} on the "
        f"interview alone and {int(basis.get('source', 0))} on other sources alone."
    )


@pa.check_types
def capabilities_matrix_chart(capabilities: Checked[CapabilitiesSchema]) -> alt.LayerChart:
    """Capability × side matrix: which side has the edge in each capability, as coded in the
    module's capabilities data (no scores: a filled square marks the coded side).

    Squares are coloured by what the coding rests on (the interview, other sources, or both);
    hover for the statement and its sources. Clicking a basis in the legend highlights it.
    """
    unknown = set(capabilities["edge"]) - set(CAPABILITY_EDGES)
    if unknown:
        raise ValueError(f"unknown edge values: {', '.join(sorted(unknown))}")
    sides = [s for s in _SIDE_ORDER if s != "contested" or (capabilities["edge"] == s).any()]
    caps = capabilities.assign(
        basis_label=capabilities["basis"].map(_BASIS_LABELS),
        side_rank=capabilities["edge"].map({s: i for i, s in enumerate(_SIDE_ORDER)}),
    )
    order = caps.sort_values(["side_rank", "capability"])["capability"].tolist()
    long = pd.concat([caps.assign(column=_SIDE_LABELS[s], present=caps["edge"] == s)
                      for s in sides])
    present, absent = presence_squares(
        long,
        alt.X("column:N").scale(domain=[_SIDE_LABELS[s] for s in sides]).title(None)
        .axis(orient="top", labelAngle=0),
        alt.Y("capability:N").sort(order).title(None).axis(labelLimit=300),
        alt.Color("basis_label:N").scale(domain=[_BASIS_LABELS[b] for b in CAPABILITY_BASES])
        .title("Coded from"),
        pick=alt.selection_point(fields=["basis_label"], bind="legend", name="basis_pick"),
        size=320,
        tooltip=CAPABILITY_TOOLTIP,
    )
    credit = ("Codings: the module's capabilities data, partly from SIPRI's register.",
              SIPRI_CREDIT)
    chart = alt.layer(
        absent,
        present,
        description=_capabilities_description(caps, sides),
        width="container",
        height=alt.Step(30),
        title=titled(
            "Where each side has the edge",
            f"{len(caps)} capabilities; filled = the side coded with the edge, open = not. "
            "No scores:",
            "hover for each coding's statement and sources; click a basis in the legend to "
            "highlight.",
            *(credit if uses_sipri(caps["source"]) else ()),
        ),
    )
    return cast(alt.LayerChart, chart)
