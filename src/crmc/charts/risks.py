"""Part 4 (risks, rationale, implications) charts.

:func:`sanctions_timeline_chart` shows sanctions and escalation events with those after the
interview marked as later; :func:`whatif_chart` runs the teaching model of
:mod:`crmc.whatif` in the browser (its Vega expressions are generated from the same formula
as the Python function); :func:`implications_matrix_chart` lays the sourced statements of
``implications.csv`` on an actor × scenario grid and shows empty cells as empty.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from typing import Final, cast

import altair as alt
import pandas as pd

from crmc import whatif
from crmc.charts.common import event_tooltips, titled
from crmc.charts.theme import OKABE_ITO
from crmc.data.schemas import (
    IMPLICATION_ACTORS,
    IMPLICATION_SCENARIOS,
    INTERVIEW_MONTH,
    TIMELINE_CATEGORIES,
)
from crmc.tables import (
    AFTER_INTERVIEW,
    BEFORE_INTERVIEW,
    INTERVIEW_EVENT,
    NO_STATEMENT,
    event_date_label,
    implications_table,
    sanctions_events,
)

__all__ = ["implications_matrix_chart", "sanctions_timeline_chart", "whatif_chart"]








def _interview_marker(timeline: pd.DataFrame) -> pd.DataFrame:
    rows = timeline.loc[timeline["id"] == INTERVIEW_EVENT]
    if rows.empty:  # fall back on the schema's constant, which the data tests tie to the row
        start, label = pd.Timestamp(INTERVIEW_MONTH), f"{INTERVIEW_MONTH:%B %Y}"
    else:
        row = rows.iloc[0]
        start = pd.Timestamp(row["start"])
        label = event_date_label(str(row["date"]), str(row["date_precision"]))
    return pd.DataFrame({"start": [start], "label": [f"Interview, {label}"]})


def sanctions_timeline_chart(timeline: pd.DataFrame, since: int = 2014) -> alt.LayerChart:
    """Sanctions and escalation events since ``since``, one row per category.

    Filled points: events up to the interview; hollow points with "after the interview" in
    the tooltip: later events; a dashed rule marks the interview. Client-side controls (work
    on the static site): a menu (param ``category``) filters the categories and a checkbox
    (param ``show_later``) hides the later events, to see what the interviewee could know.
    """
    rows = sanctions_events(timeline, since)
    categories = [c for c in TIMELINE_CATEGORIES if c in set(rows["category"])]
    category = alt.param(
        name="category",
        value="All",
        bind=alt.binding_select(options=["All", *categories], name="Category "),
    )
    show_later = alt.param(
        name="show_later",
        value=True,
        bind=alt.binding_checkbox(name="Show events after the interview "),
    )
    chosen = (category == "All") | (alt.datum.category == category)
    visible = show_later | (alt.datum.timing == BEFORE_INTERVIEW)
    marker = _interview_marker(timeline)
    later = rows[rows["timing"] == AFTER_INTERVIEW]
    counts = rows["category"].value_counts()
    first, last = int(rows["year"].min()), int(rows["year"].max())
    description = (
        f"Timeline of {len(rows)} sanctions, geopolitical and exercise events, {first}–{last}, "
        f"one row per category ({', '.join(f'{c}: {int(counts[c])}' for c in categories)}). "
        f"A dashed line marks the interview ({marker['label'].iloc[0].split(', ', 1)[1]}); the "
        f"{len(later)} events after it are drawn as hollow points"
        + (f", from {later['when'].iloc[0]} to {later['when'].iloc[-1]}." if len(later) else ".")
    )
    points = (
        alt.Chart(rows)
        .mark_point(size=120, strokeWidth=2)
        .encode(
            alt.X("start:T").title("Date").axis(format="%Y").scale(padding=14),
            alt.Y("category:N").title(None).sort(categories),
            alt.YOffset("lane:O").scale(paddingOuter=0.6),
            alt.Color("category:N").scale(domain=categories).legend(None),
            alt.Fill("category:N").scale(domain=categories).legend(None),
            alt.FillOpacity("timing:N")
            .scale(domain=[BEFORE_INTERVIEW, AFTER_INTERVIEW], range=[0.85, 0.0])
            .title("Timing"),
            alt.Shape("timing:N")
            .scale(domain=[BEFORE_INTERVIEW, AFTER_INTERVIEW], range=["circle", "diamond"])
            .title("Timing"),
            tooltip=event_tooltips(),
        )
        .transform_filter(chosen & visible)
    )
    rule = alt.Chart(marker).encode(alt.X("start:T"))
    interview = alt.layer(
        rule.mark_rule(strokeDash=[4, 3], color="#444444", strokeWidth=1.5),
        rule.mark_text(align="right", dx=-4, baseline="top", y=0, color="#222222").encode(
            text="label:N"
        ),
    )
    chart = (
        alt.layer(points, interview)
        .add_params(category, show_later)
        .properties(
            width="container",
            height=300,
            description=description,
            title=titled(
                f"Sanctions and escalation, {first}–{last}",
                "Hollow points: after the interview (later context,",
                "not known to the interviewee). Hover for sources.",
                "Filter with the menu and the checkbox below.",
            ),
        )
    )
    return cast(alt.LayerChart, chart)


# ---------------------------------------------------------------- the what-if model
_MEASURE_COLOURS: Final = {
    whatif.OUTPUT_LABELS["expected_benefit"]: OKABE_ITO[2],  # bluish green
    whatif.OUTPUT_LABELS["expected_cost"]: OKABE_ITO[3],  # vermillion
    whatif.OUTPUT_LABELS["net_balance"]: OKABE_ITO[0],  # blue
}
_MEASURE_DASHES: Final = [[1, 0], [6, 3], [1, 0]]


def _net_bounds() -> tuple[float, float]:
    """Lowest and highest net balance over the inputs' ranges (linear, so at the corners)."""
    worst: dict[str, float] = {i.name: (i.low if i.raises_net else i.high) for i in whatif.INPUTS}
    best: dict[str, float] = {i.name: (i.high if i.raises_net else i.low) for i in whatif.INPUTS}
    return (whatif.assess(worst).net_balance, whatif.assess(best).net_balance)


def whatif_chart(
    x: whatif.InputName = "detection",
    inputs: whatif.WhatIfInputs | None = None,
    steps: int = 51,
) -> alt.LayerChart:
    """The what-if TEACHING MODEL across one input, recomputed in the browser.

    Lines: expected benefit, expected cost and net balance as input ``x`` runs over its range
    (``steps`` points), the other inputs held at slider values (params named after the inputs,
    starting at ``inputs``, default :data:`crmc.whatif.DEFAULT_INPUTS`: illustrative, not
    data). The slider for ``x`` itself moves a marker; a text line reports the outputs there
    and the break-even value of ``x``. Every value is computed by ``calculate`` transforms
    whose expressions :func:`crmc.whatif.vega_expression` generates from
    :data:`crmc.whatif.FORMULAS`, so the page needs no kernel.
    """
    base = inputs or whatif.DEFAULT_INPUTS
    info = whatif.INPUT_INFO[x]
    if steps < 2:
        raise ValueError(f"steps must be at least 2, got {steps}")
    grid = pd.DataFrame(
        {x: [info.low + (info.high - info.low) * i / (steps - 1) for i in range(steps)]}
    )
    params = [
        alt.param(
            name=i.name,
            value=getattr(base, i.name),
            bind=alt.binding_range(min=i.low, max=i.high, step=i.step, name=f"{i.label} "),
        )
        for i in whatif.INPUTS
    ]
    labels = whatif.OUTPUT_LABELS
    low, high = _net_bounds()
    y_scale = alt.Scale(domain=[low, high * 1.3], nice=False)
    x_scale = alt.Scale(domain=[info.low, info.high], nice=False)
    x_title = f"{info.label} ({'probability' if info.kind == 'probability' else 'points'})"
    lines = (
        alt.Chart(grid)
        .transform_calculate(
            **{o: whatif.vega_expression(o, swept=x) for o in whatif.OUTPUT_NAMES}
        )
        .transform_fold(list(whatif.OUTPUT_NAMES), as_=["output", "value"])
        .transform_calculate(
            measure=" : ".join(f"datum.output == '{o}' ? '{labels[o]}'"
                               for o in whatif.OUTPUT_NAMES[:-1])
            + f" : '{labels[whatif.OUTPUT_NAMES[-1]]}'"
        )
        .mark_line(strokeWidth=3)
        .encode(
            alt.X(f"{x}:Q").scale(x_scale).title(x_title),
            alt.Y("value:Q").scale(y_scale).title("Points (illustrative scale)"),
            alt.Color("measure:N")
            .scale(domain=list(_MEASURE_COLOURS), range=list(_MEASURE_COLOURS.values()))
            .title(None),
            alt.StrokeDash("measure:N")
            .scale(domain=list(_MEASURE_COLOURS), range=_MEASURE_DASHES)
            .title(None),
            tooltip=[
                alt.Tooltip(f"{x}:Q", title=info.label, format=".2f"),
                alt.Tooltip("measure:N", title="Output"),
                alt.Tooltip("value:Q", title="Points", format=".2f"),
            ],
        )
    )
    zero = alt.Chart(pd.DataFrame({"y": [0.0]})).mark_rule(color="#444444").encode(
        alt.Y("y:Q").scale(y_scale)
    )
    breakeven = whatif.vega_break_even(x)
    short = x.replace("_", " ")
    here = (
        alt.Chart(pd.DataFrame({"row": [0]}))
        .transform_calculate(at=x)
        .transform_calculate(**{o: whatif.vega_expression(o) for o in whatif.OUTPUT_NAMES})
        .transform_calculate(**breakeven)
        .transform_calculate(
            readout=(
                f"'{short.capitalize()} ' + format(datum.at, '.2f') + "
                "': benefit ' + format(datum.expected_benefit, '.1f') + "
                "', cost ' + format(datum.expected_cost, '.1f') + "
                "', net ' + format(datum.net_balance, '+.1f')"
            ),
            readout2=(
                "datum.break_even === null ? 'Net balance does not cross zero on this range' "
                f": 'Net balance crosses zero at {short} ' + "
                "format(datum.break_even, '.2f')"
            ),
        )
    )
    marker = here.mark_rule(color="#222222", strokeDash=[2, 2]).encode(
        alt.X("at:Q").scale(x_scale),
        tooltip=[
            alt.Tooltip("at:Q", title=info.label, format=".2f"),
            alt.Tooltip("expected_benefit:Q", title=labels["expected_benefit"], format=".2f"),
            alt.Tooltip("expected_cost:Q", title=labels["expected_cost"], format=".2f"),
            alt.Tooltip("net_balance:Q", title=labels["net_balance"], format=".2f"),
            alt.Tooltip("break_even:Q", title="Break-even value", format=".2f"),
        ],
    )
    readouts = [
        here.mark_text(align="left", baseline="top", x=6, y=y, fontSize=12, color="#222222",
                       fontWeight="bold" if field == "readout" else "normal")
        .encode(text=f"{field}:N")
        for field, y in (("readout", 6), ("readout2", 22))
    ]
    curve = whatif.sweep(x, base, steps)
    be = whatif.break_even(x, base)
    shown = "; ".join(
        f"{i.label}: {getattr(base, i.name):g}" for i in whatif.INPUTS if i.name != x
    )
    crossing = (
        f"the net balance crosses zero at {be:.2f}"
        if be is not None else "the net balance does not cross zero"
    )
    description = (
        f"Line chart of a teaching model (illustrative values, not data): expected benefit, "
        f"expected cost and net balance of Chinese assistance to Russia as the input "
        f"'{info.label}' runs from {info.low:g} to {info.high:g}, other inputs held at "
        f"({shown}). At these starting values "
        f"the net balance runs from {curve['net_balance'].iloc[0]:.1f} to "
        f"{curve['net_balance'].iloc[-1]:.1f} points and {crossing}. Sliders change the inputs."
    )
    chart = (
        alt.layer(zero, lines, marker, *readouts)
        .add_params(*params)
        .properties(
            width="container",
            height=320,
            description=description,
            title=titled(
                "What if China assisted Russia?",
                "Teaching model, not a forecast: every input is an",
                "assumption; starting values are illustrative, not data.",
                "net = alignment + battlefield value − detection ×",
                "(P(sanctions) × sanctions cost + reputational cost)",
                "Move the sliders below; hover over the dotted line.",
            ),
        )
    )
    return cast(alt.LayerChart, chart)




_MATRIX_MIN_TEXT_WIDTH: Final = 600
"""Below this view width (px) the matrix shows the evidence count instead of the text
(the wrapped statements need cells of about 190 px)."""

_WORDS_ON_LINES: Final = (
    f"width < {_MATRIX_MIN_TEXT_WIDTH} ? split(datum.label, ' ') : datum.label"
)
"""Axis labels with one word per line on narrow views, so three scenario names fit a phone."""


def _cell_text(statements: Sequence[str], width: int = 32, max_lines: int = 4) -> str:
    """The start of a cell's statements, wrapped, as lines joined by newlines."""
    if not statements:
        return NO_STATEMENT
    lines: list[str] = []
    per = max(1, max_lines // len(statements))
    for k, statement in enumerate(statements, start=1):
        prefix = f"({k}) " if len(statements) > 1 else ""
        wrapped = textwrap.wrap(prefix + statement, width)
        if len(wrapped) > per:
            wrapped = [*wrapped[: per - 1], textwrap.shorten(wrapped[per - 1], width - 1) + "…"]
        lines.extend(wrapped)
    return "\n".join(lines)


def implications_matrix_chart(implications: pd.DataFrame) -> alt.LayerChart:
    """The US, EU and NATO × three scenarios, each cell the start of its sourced statement(s).

    ``implications`` is :func:`crmc.data.load_implications`'s frame. Cell colour says how
    many sourced statements the cell has; a cell with none is grey and says
    :data:`NO_STATEMENT` (nothing is invented to fill it). Tooltips give the full statements
    and their sources. Clicking a legend entry highlights those cells (client-side).
    """
    table = implications_table(implications)
    table["cell_text"] = [
        _cell_text(list(implications.loc[
            (implications["actor"] == a) & (implications["scenario"] == s), "statement"]))
        for a, s in zip(table["actor"], table["scenario"], strict=True)
    ]
    table["evidence_lines"] = [e.replace(" sourced ", "\nsourced\n", 1)
                               for e in table["evidence"]]
    levels = [NO_STATEMENT, *sorted({e for e in table["evidence"] if e != NO_STATEMENT})]
    colours = ["#eeeeee", OKABE_ITO[5], OKABE_ITO[0]][: len(levels)]
    pick = alt.selection_point(fields=["evidence"], bind="legend")
    x = (alt.X("scenario:N").sort(list(IMPLICATION_SCENARIOS)).title("Scenario")
         .axis(orient="bottom", labelAngle=0, labelFontSize=13, labelExpr=_WORDS_ON_LINES))
    base = alt.Chart(table).encode(
        x,
        alt.Y("actor:N").sort(list(IMPLICATION_ACTORS)).title(None)
        .axis(labelFontSize=14, labelFontWeight="bold"),
        tooltip=[
            alt.Tooltip("actor:N", title="Actor"),
            alt.Tooltip("scenario:N", title="Scenario"),
            alt.Tooltip("statement:N", title="Sourced statement"),
            alt.Tooltip("source:N", title="Source"),
        ],
    )
    cells = base.mark_rect(stroke="white", strokeWidth=3).encode(
        alt.Color("evidence:N").scale(domain=levels, range=colours)
        .legend(title="Cell", direction="vertical", columns=1),
        opacity=alt.when(pick).then(alt.value(0.45)).otherwise(alt.value(0.12)),
    ).add_params(pick)
    # Wide views show the start of each statement; narrow ones (phones) only the evidence.
    # Empty text, not transparent text: hidden marks would still count in the view's bounds.
    wide = f"width >= {_MATRIX_MIN_TEXT_WIDTH}"
    text = base.mark_text(align="left", baseline="middle", dx=6, fontSize=11,
                          lineBreak="\n", color="#222222").encode(
        x.bandPosition(0),
        text=alt.condition(wide, alt.Text("cell_text:N"), alt.value("")),
    )
    short = base.mark_text(baseline="middle", fontSize=11, lineBreak="\n",
                           color="#222222").encode(
        text=alt.condition(wide, alt.value(""), alt.Text("evidence_lines:N")),
    )
    empty = table[table["n_statements"] == 0]
    filled = len(table) - len(empty)
    description = (
        f"Matrix of {len(IMPLICATION_ACTORS)} actors ({', '.join(IMPLICATION_ACTORS)}) by "
        f"{len(IMPLICATION_SCENARIOS)} scenarios ({', '.join(IMPLICATION_SCENARIOS)}). "
        f"{filled} of {len(table)} cells hold {len(implications)} sourced statements; "
        + (
            f"{len(empty)} cells have no sourced statement: "
            + "; ".join(f"{a}, {s}" for a, s in zip(empty["actor"], empty["scenario"],
                                                     strict=True))
            + "."
            if len(empty) else "every cell has at least one."
        )
    )
    chart = alt.layer(cells, text, short).properties(
        width="container",
        height=110 * len(IMPLICATION_ACTORS),
        description=description,
        title=titled(
            "Closer alignment: what sources say",
            "The US, the EU and NATO under three scenarios.",
            "Each cell: the start of a sourced statement; hover",
            "for the full text and source. Grey: no sourced statement.",
            "Module's implications data; several postdate the interview.",
        ),
    )
    return cast(alt.LayerChart, chart)
