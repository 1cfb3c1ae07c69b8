"""Part 3 charts: who supplies what, the "two-way street" over time, and who has the edge.

All three read the module's curated data (``flows.csv``, ``capabilities.csv``). Counts are
numbers of rows in those files (the module's own count), not volumes: one flow may be one
engine order or a whole family of orders. Where a row's source is the SIPRI register the
chart carries SIPRI's credit line.
"""

from __future__ import annotations

from typing import cast

import altair as alt
import pandas as pd

from crmc.charts.common import SIPRI_CREDIT, titled
from crmc.data.schemas import (
    CAPABILITY_BASES,
    CAPABILITY_EDGES,
    FLOW_FORMS,
    FLOW_STATUSES,
    FLOW_VERDICTS,
)
from crmc.tables import (
    ALL,
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









def _uses_sipri(sources: pd.Series) -> bool:
    return bool(sources.astype(str).str.contains("SIPRI").any())




def _menu(name: str, label: str, options: list[str]) -> alt.Parameter:
    return alt.param(
        name=name, value=ALL, bind=alt.binding_select(options=[ALL, *options], name=label)
    )


def _filter(param: str, field: str) -> str:
    return f"{param} == '{ALL}' || datum.{field} == {param}"


def _flow_tooltip() -> list[alt.Tooltip]:
    return [
        alt.Tooltip("item:N", title="Flow"),
        alt.Tooltip("direction:N", title="Direction"),
        alt.Tooltip("programme:N", title="Programme"),
        alt.Tooltip("component:N", title="Component"),
        alt.Tooltip("domain:N", title="Domain"),
        alt.Tooltip("form:N", title="Form"),
        alt.Tooltip("years:N", title="Years"),
        alt.Tooltip("status:N", title="Evidence status"),
        alt.Tooltip("verdict_label:N", title="Fact-check verdict"),
        alt.Tooltip("named:N", title="Named in the interview"),
        alt.Tooltip("source:N", title="Sources"),
    ]


def supply_flows_chart(flows: pd.DataFrame) -> alt.LayerChart:
    """Who supplies what: a two-sided bar chart, Russia → China to the left of zero and
    China → Russia to the right, one row per domain (or per programme).

    Each bar segment is one flow, coloured by its form; hover for its details and sources.
    Client-side menus (Vega-Lite bound parameters) filter by direction (``flow_direction``),
    form (``flow_form``), evidence status (``flow_status``) and fact-check verdict
    (``flow_verdict``), and switch the rows between domains and programmes (``flow_rows``).
    """
    table = flow_table(flows)
    forms = present_in_order(table["form"], FLOW_FORMS)
    per_side = table.groupby(["domain", "direction"]).size()
    reach = int(per_side.max()) + 1
    params = [
        _menu("flow_direction", "Direction ", list(DIRECTIONS)),
        _menu("flow_form", "Form ", forms),
        _menu("flow_status", "Evidence status ", present_in_order(table["status"], FLOW_STATUSES)),
        _menu("flow_verdict", "Fact-check verdict ",
              present_in_order(table["verdict_label"], VERDICT_LABELS)),
        alt.param(
            name="flow_rows",
            value="domain",
            bind=alt.binding_select(options=["domain", "programme"], name="Rows "),
        ),
    ]
    filters = " && ".join(
        f"({_filter(p, f)})"
        for p, f in [("flow_direction", "direction"), ("flow_form", "form"),
                     ("flow_status", "status"), ("flow_verdict", "verdict_label")]
    )
    columns = ["id", "item", "direction", "programme", "component", "domain", "form", "years",
               "year_start", "status", "verdict_label", "named", "source", "side"]
    bars = (
        alt.Chart(table[columns])
        .transform_filter(filters)
        .transform_calculate(row="flow_rows == 'programme' ? datum.programme : datum.domain")
        .mark_bar(stroke="white", strokeWidth=1)
        .encode(
            alt.X("side:Q")
            .stack("zero")
            .scale(domain=[-reach, reach])
            .axis(labelExpr="abs(datum.value)", tickMinStep=1, format="d")
            .title("Flows: ← Russia to China | China to Russia →"),
            alt.Y("row:N").sort("ascending").title(None).axis(labelLimit=220),
            alt.Color("form:N").scale(domain=forms).title("Form"),
            alt.Order("year_start:Q"),
            alt.Detail("id:N"),
            tooltip=_flow_tooltip(),
        )
    )
    zero = alt.Chart(pd.DataFrame({"x": [0]})).mark_rule(color="#444444").encode(
        alt.X("x:Q").scale(domain=[-reach, reach])
    )
    n_r2c = int((table["direction"] == RUSSIA_TO_CHINA).sum())
    n_c2r = int((table["direction"] == CHINA_TO_RUSSIA).sum())
    r2c_forms = table.loc[table["direction"] == RUSSIA_TO_CHINA, "form"].value_counts()
    c2r_domains = sorted(set(table.loc[table["direction"] == CHINA_TO_RUSSIA, "domain"]))
    description = (
        f"Two-sided bar chart of the {len(table)} flows in the module's data, one bar segment "
        f"per flow, one row per domain. {n_r2c} run from Russia to China (left), "
        f"{int(r2c_forms.get('sale', 0))} of them sales; {n_c2r} run from China to Russia "
        f"(right), in the {', '.join(c2r_domains)} domains. Colour shows the form of each flow."
    )
    subtitle = [
        f"{n_r2c} flows from Russia to China, {n_c2r} from China to Russia; each segment is one",
        "flow. Filter with the menus below; hover for details and sources.",
        *COUNT_NOTE,
    ]
    if _uses_sipri(table["source"]):
        subtitle.extend(FLOWS_CREDIT)
    chart = alt.layer(
        bars,
        zero,
        description=description,
        width="container",
        height=alt.Step(24),
        title=titled("Who supplies what: flows in both directions", *subtitle),
    ).add_params(*params)
    return cast(alt.LayerChart, chart)






def two_way_street_chart(flows: pd.DataFrame, width: int = PERIOD_WIDTH) -> alt.LayerChart:
    """The "two-way street": flows per ``width``-year period (by the year each began),
    Russia → China above the zero line and China → Russia below, stacked by form.

    Each segment is one flow (hover for details). Clicking a form in the legend highlights
    it (a client-side selection bound to the legend).
    """
    table = flow_table(flows)
    counts = period_counts(flows, width)
    table["period_start"] = [period_start(as_int(y), width) for y in table["year_start"]]
    table["period"] = [period_label(int(s), width) for s in table["period_start"]]
    table["up"] = -table["side"]
    periods = list(dict.fromkeys(counts.sort_values("period_start")["period"]))
    forms = present_in_order(table["form"], FLOW_FORMS)
    totals = counts.groupby(["period", "direction"])["flows"].sum().unstack(fill_value=0)
    reach = int(totals.to_numpy().max()) + 1
    pick = alt.selection_point(fields=["form"], bind="legend", name="flow_form_pick")
    columns = ["id", "item", "direction", "programme", "component", "domain", "form", "years",
               "year_start", "status", "verdict_label", "named", "source", "period", "up"]
    bars = (
        alt.Chart(table[columns])
        .mark_bar(stroke="white", strokeWidth=1)
        .encode(
            alt.X("period:O").sort(periods).scale(domain=periods)
            .title(f"Period in which the flow began ({width}-year periods)").axis(labelAngle=0),
            alt.Y("up:Q")
            .stack("zero")
            .scale(domain=[-reach, reach])
            .axis(labelExpr="abs(datum.value)", tickMinStep=1, format="d")
            .title("Flows: Russia → China above 0, China → Russia below"),
            alt.Color("form:N").scale(domain=forms).title("Form (click to highlight)"),
            alt.Order("year_start:Q"),
            alt.Detail("id:N"),
            opacity=alt.condition(pick, alt.value(1.0), alt.value(0.2)),
            tooltip=[alt.Tooltip("period:N", title="Period"), *_flow_tooltip()],
        )
        .add_params(pick)
    )
    zero = alt.Chart(pd.DataFrame({"y": [0]})).mark_rule(color="#444444").encode(
        alt.Y("y:Q").scale(domain=[-reach, reach])
    )
    c2r = totals.get(CHINA_TO_RUSSIA, pd.Series(0, index=totals.index))
    first_c2r = next((p for p in periods if int(c2r.get(p, 0)) > 0), None)
    busiest = str(totals.sum(axis=1).idxmax())
    non_sale = table[table["form"] != "sale"]
    description = (
        f"Bar chart of the {len(table)} flows in the module's data by the {width}-year period in "
        f"which each began, from {periods[0]} to {periods[-1]}: Russia to China above the zero "
        f"line, China to Russia below, coloured by form. "
        + (f"Flows from China to Russia first appear in {first_c2r}. " if first_c2r else "")
        + f"The busiest period is {busiest}; {len(non_sale)} flows are something other than "
        "a sale (licences, joint R&D, subcontracting, exercises)."
    )
    subtitle = [
        "Each segment is one flow, placed in the period its deal or project began.",
        "Click a form in the legend to highlight it; hover for details and sources.",
        *COUNT_NOTE,
    ]
    if _uses_sipri(table["source"]):
        subtitle.extend(FLOWS_CREDIT)
    chart = alt.layer(
        bars,
        zero,
        description=description,
        width="container",
        height=320,
        title=titled("A two-way street? Flows by period, direction and form", *subtitle),
    )
    return cast(alt.LayerChart, chart)


_SIDE_ORDER = ("China", "contested", "Russia")
_SIDE_LABELS = {"China": "Edge: China", "contested": "Contested", "Russia": "Edge: Russia"}
_BASIS_LABELS = {
    "interview": "interview only",
    "source": "other sources only",
    "both": "interview and other sources",
}


def capabilities_matrix_chart(capabilities: pd.DataFrame) -> alt.LayerChart:
    """Capability × side matrix: which side has the edge in each capability, as coded in the
    module's capabilities data (no scores: a filled square marks the coded side).

    Squares are coloured by what the coding rests on (the interview, other sources, or both);
    hover for the statement and its sources. Clicking a basis in the legend highlights it.
    """
    missing = {"id", "capability", "edge", "basis", "statement", "source"} - set(
        capabilities.columns
    )
    if missing:
        raise ValueError(f"capabilities lacks columns: {', '.join(sorted(missing))}")
    unknown = set(capabilities["edge"]) - set(CAPABILITY_EDGES)
    if unknown:
        raise ValueError(f"unknown edge values: {', '.join(sorted(unknown))}")
    sides = [s for s in _SIDE_ORDER if s != "contested" or (capabilities["edge"] == s).any()]
    columns = [_SIDE_LABELS[s] for s in sides]
    caps = capabilities.copy()
    caps["basis_label"] = caps["basis"].map(_BASIS_LABELS)
    caps["side_rank"] = caps["edge"].map({s: i for i, s in enumerate(_SIDE_ORDER)})
    order = caps.sort_values(["side_rank", "capability"])["capability"].tolist()
    long = pd.concat([caps.assign(column=_SIDE_LABELS[s], present=caps["edge"] == s)
                      for s in sides])
    x = alt.X("column:N").scale(domain=columns).title(None).axis(orient="top", labelAngle=0)
    y = alt.Y("capability:N").sort(order).title(None).axis(labelLimit=300)
    tooltip = [
        alt.Tooltip("capability:N", title="Capability"),
        alt.Tooltip("edge:N", title="Edge"),
        alt.Tooltip("basis_label:N", title="Coded from"),
        alt.Tooltip("statement:N", title="What the sources say"),
        alt.Tooltip("source:N", title="Sources"),
    ]
    basis = alt.selection_point(fields=["basis_label"], bind="legend", name="basis_pick")
    labels = [_BASIS_LABELS[b] for b in CAPABILITY_BASES]
    present = (
        alt.Chart(long[long["present"]])
        .mark_square(size=320)
        .encode(
            x, y,
            alt.Color("basis_label:N").scale(domain=labels)
            .title("Coded from"),
            opacity=alt.condition(basis, alt.value(1.0), alt.value(0.2)),
            tooltip=tooltip,
        )
        .add_params(basis)
    )
    absent = alt.Chart(long[~long["present"]]).mark_square(
        size=320, filled=False, color="#999999"
    ).encode(x, y, tooltip=tooltip)
    counts = caps["edge"].value_counts()
    by_side = ". ".join(
        ("contested" if s == "contested" else f"{s} has the edge")
        + f" in {int(counts.get(s, 0))} ("
        + "; ".join(caps.loc[caps["edge"] == s, "capability"].sort_values())
        + ")"
        for s in sides if counts.get(s, 0)
    )
    both = int((caps["basis"] == "both").sum())
    description = (
        f"Matrix of {len(caps)} military capabilities against the side coded as having the "
        f"edge in the module's data. {by_side}. {both} codings rest on both the interview "
        f"and other sources, {int((caps['basis'] == 'interview').sum())} on the interview "
        f"alone and {int((caps['basis'] == 'source').sum())} on other sources alone."
    )
    subtitle = [
        f"{len(caps)} capabilities; filled = the side coded with the edge, open = not. No scores:",
        "hover for each coding's statement and sources; click a basis in the legend to highlight.",
    ]
    if _uses_sipri(caps["source"]):
        subtitle.append("Codings: the module's capabilities data, partly from SIPRI's register.")
        subtitle.append(SIPRI_CREDIT)
    chart = alt.layer(
        absent,
        present,
        description=description,
        width="container",
        height=alt.Step(30),
        title=titled("Where each side has the edge", *subtitle),
    )
    return cast(alt.LayerChart, chart)
