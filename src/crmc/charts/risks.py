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
from typing import Any, Final, cast

import altair as alt
import pandas as pd
from pandera.typing import DataFrame

from crmc import whatif
from crmc.charts.common import (
    checkbox,
    event_points,
    highlight,
    interview_rule,
    menu,
    menu_filter,
    slider,
    titled,
    tooltips,
    zero_rule,
)
from crmc.charts.theme import (
    BLUE,
    EMPTY,
    GREEN,
    INK,
    LARGE_LABEL_SIZE,
    PAPER,
    SKY_BLUE,
    SMALL_TEXT_SIZE,
    VERMILLION,
    VIEW_TITLE_SIZE,
)
from crmc.data.schemas import (
    IMPLICATION_ACTORS,
    IMPLICATION_SCENARIOS,
    TIMELINE_CATEGORIES,
    ImplicationsSchema,
    TimelineSchema,
)
from crmc.tables import (
    AFTER_INTERVIEW,
    BEFORE_INTERVIEW,
    NO_STATEMENT,
    implications_table,
    interview_marker,
    sanctions_events,
)

__all__ = ["implications_matrix_chart", "sanctions_timeline_chart", "whatif_chart"]


def _sanctions_description(rows: pd.DataFrame, categories: list[str], when: str) -> str:
    later = rows[rows["timing"] == AFTER_INTERVIEW]
    counts = rows["category"].value_counts()
    return (
        f"Timeline of {len(rows)} sanctions, geopolitical and exercise events, "
        f"{rows['year'].min()}–{rows['year'].max()}, one row per category "
        f"({', '.join(f'{c}: {int(counts[c])}' for c in categories)}). A dashed line marks the "
        f"interview ({when}); the {len(later)} events after it are drawn as hollow points"
        + (f", from {later['when'].iloc[0]} to {later['when'].iloc[-1]}." if len(later) else ".")
    )


def sanctions_timeline_chart(timeline: DataFrame[TimelineSchema],
                             since: int = 2014) -> alt.LayerChart:
    """Sanctions and escalation events since ``since``, one row per category.

    Filled points: events up to the interview; hollow diamonds: later events; a dashed rule
    marks the interview. Client-side controls (work on the static site): a menu (param
    ``category``) filters the categories and a checkbox (param ``show_later``) hides the later
    events, to see what the interviewee could know.
    """
    rows = sanctions_events(timeline, since)
    categories = [c for c in TIMELINE_CATEGORIES if c in set(rows["category"])]
    category = menu("category", "Category ", categories)
    show_later = checkbox("show_later", "Show events after the interview ")
    visible = show_later | (alt.datum.timing == BEFORE_INTERVIEW)
    marker = interview_marker(timeline)
    points = event_points(rows, categories, size=120, padding=14, filled=0.85,
                          timing_title="Timing", diamonds=True)
    first, last = int(rows["year"].min()), int(rows["year"].max())
    when = str(marker["label"].iloc[0]).split(", ", 1)[1]
    chart = (
        alt.layer(
            points.transform_filter(menu_filter(category, "category") & visible),
            interview_rule(marker, stroke_width=1.5),
        )
        .add_params(category, show_later)
        .properties(
            width="container",
            height=300,
            description=_sanctions_description(rows, categories, when),
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
    whatif.OUTPUT_LABELS["expected_benefit"]: GREEN,
    whatif.OUTPUT_LABELS["expected_cost"]: VERMILLION,
    whatif.OUTPUT_LABELS["net_balance"]: BLUE,
}
_MEASURE_DASHES: Final = [[1, 0], [6, 3], [1, 0]]
_LABELS: Final = whatif.OUTPUT_LABELS


def _net_bounds() -> tuple[float, float]:
    """Lowest and highest net balance over the inputs' ranges (linear, so at the corners)."""
    worst: dict[str, float] = {i.name: (i.low if i.raises_net else i.high) for i in whatif.INPUTS}
    best: dict[str, float] = {i.name: (i.high if i.raises_net else i.low) for i in whatif.INPUTS}
    return (whatif.assess(worst).net_balance, whatif.assess(best).net_balance)


def _measure_label() -> Any:
    """The legend label of each folded output (``datum.output`` is its name)."""
    *names, last = whatif.OUTPUT_NAMES
    label: Any = _LABELS[last]
    for name in reversed(names):
        label = alt.expr.if_(alt.datum.output == name, _LABELS[name], label)
    return label


def _readouts(x: whatif.InputName) -> dict[str, Any]:
    """The two text lines under the title: the outputs at the marker, and the break-even."""
    short = x.replace("_", " ")
    at = alt.datum
    return {
        "readout": f"{short.capitalize()} " + alt.expr.format(at["at"], ".2f")
        + ": benefit " + alt.expr.format(at.expected_benefit, ".1f")
        + ", cost " + alt.expr.format(at.expected_cost, ".1f")
        + ", net " + alt.expr.format(at.net_balance, "+.1f"),
        "readout2": alt.expr.if_(
            at.break_even == None,  # noqa: E711 (a Vega expression: `=== null`)
            "Net balance does not cross zero on this range",
            f"Net balance crosses zero at {short} " + alt.expr.format(at.break_even, ".2f"),
        ),
    }


def _whatif_description(x: whatif.InputName, base: whatif.WhatIfInputs, steps: int) -> str:
    info = whatif.INPUT_INFO[x]
    curve = whatif.sweep(x, base, steps)
    be = whatif.break_even(x, base)
    shown = "; ".join(
        f"{i.label}: {getattr(base, i.name):g}" for i in whatif.INPUTS if i.name != x
    )
    crossing = (
        f"the net balance crosses zero at {be:.2f}"
        if be is not None else "the net balance does not cross zero"
    )
    return (
        f"Line chart of a teaching model (illustrative values, not data): expected benefit, "
        f"expected cost and net balance of Chinese assistance to Russia as the input "
        f"'{info.label}' runs from {info.low:g} to {info.high:g}, other inputs held at "
        f"({shown}). At these starting values "
        f"the net balance runs from {curve['net_balance'].iloc[0]:.1f} to "
        f"{curve['net_balance'].iloc[-1]:.1f} points and {crossing}. Sliders change the inputs."
    )


def _whatif_marker(x: whatif.InputName, x_scale: alt.Scale) -> list[alt.Chart]:
    """The dotted rule at the slider value of ``x`` and the two readout lines."""
    here = (
        alt.Chart(pd.DataFrame({"row": [0]}))
        .transform_calculate(at=x)
        .transform_calculate(**{o: whatif.vega_expression(o) for o in whatif.OUTPUT_NAMES})
        .transform_calculate(**whatif.vega_break_even(x))
        .transform_calculate(**_readouts(x))
    )
    marker = here.mark_rule(color=INK, strokeDash=[2, 2]).encode(
        alt.X("at:Q").scale(x_scale),
        tooltip=tooltips(
            ("at:Q", whatif.INPUT_INFO[x].label, ".2f"),
            *[(f"{o}:Q", _LABELS[o], ".2f") for o in whatif.OUTPUT_NAMES],
            ("break_even:Q", "Break-even value", ".2f"),
        ),
    )
    readouts = [
        here.mark_text(align="left", baseline="top", x=6, y=y,
                       fontWeight="bold" if field == "readout" else "normal")
        .encode(alt.Text(f"{field}:N"))
        for field, y in (("readout", 6), ("readout2", 22))
    ]
    return [marker, *readouts]


WHATIF_TITLE = titled(
    "What if China assisted Russia?",
    "Teaching model, not a forecast: every input is an",
    "assumption; starting values are illustrative, not data.",
    "net = alignment + battlefield value − detection ×",
    "(P(sanctions) × sanctions cost + reputational cost)",
    "Move the sliders below; hover over the dotted line.",
)


def whatif_chart(
    x: whatif.InputName = "detection",
    inputs: whatif.WhatIfInputs | None = None,
    steps: int = 51,
) -> alt.LayerChart:
    """The what-if TEACHING MODEL across one input, recomputed in the browser.

    Lines: expected benefit, expected cost and net balance as input ``x`` runs over its range
    (``steps`` points), the other inputs held at slider values (params named after the inputs,
    starting at ``inputs``, default :data:`crmc.whatif.DEFAULT_INPUTS`: illustrative, not
    data). The slider for ``x`` moves a marker; text lines report the outputs there and the
    break-even value of ``x``. Every value comes from expressions that
    :func:`crmc.whatif.vega_expression` generates from :data:`crmc.whatif.FORMULAS`.
    """
    base = inputs or whatif.DEFAULT_INPUTS
    info = whatif.INPUT_INFO[x]
    if steps < 2:
        raise ValueError(f"steps must be at least 2, got {steps}")
    sweep = [info.low + (info.high - info.low) * i / (steps - 1) for i in range(steps)]
    params = [slider(i.name, f"{i.label} ", getattr(base, i.name), i.low, i.high, i.step)
              for i in whatif.INPUTS]
    low, high = _net_bounds()
    y_scale = alt.Scale(domain=[low, high * 1.3], nice=False)
    x_scale = alt.Scale(domain=[info.low, info.high], nice=False)
    kind = "probability" if info.kind == "probability" else "points"
    measures = alt.Scale(domain=list(_MEASURE_COLOURS), range=list(_MEASURE_COLOURS.values()))

    lines = (
        alt.Chart(pd.DataFrame({x: sweep}))
        .transform_calculate(**{o: whatif.vega_expression(o, swept=x) for o in _LABELS})
        .transform_fold(list(whatif.OUTPUT_NAMES), as_=["output", "value"])
        .transform_calculate(measure=_measure_label())
        .mark_line(strokeWidth=3)
        .encode(
            alt.X(f"{x}:Q").scale(x_scale).title(f"{info.label} ({kind})"),
            alt.Y("value:Q").scale(y_scale).title("Points (illustrative scale)"),
            alt.Color("measure:N").scale(measures).title(None),
            alt.StrokeDash("measure:N")
            .scale(domain=list(_MEASURE_COLOURS), range=_MEASURE_DASHES)
            .title(None),
            tooltip=tooltips((f"{x}:Q", info.label, ".2f"), ("measure:N", "Output"),
                             ("value:Q", "Points", ".2f")),
        )
    )
    chart = (
        alt.layer(zero_rule("y", y_scale), lines, *_whatif_marker(x, x_scale))
        .add_params(*params)
        .properties(
            width="container",
            height=320,
            description=_whatif_description(x, base, steps),
            title=WHATIF_TITLE,
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


def _implications_description(table: pd.DataFrame, statements: int) -> str:
    empty = table[table["n_statements"] == 0]
    cells = "; ".join(f"{a}, {s}" for a, s in zip(empty["actor"], empty["scenario"], strict=True))
    return (
        f"Matrix of {len(IMPLICATION_ACTORS)} actors ({', '.join(IMPLICATION_ACTORS)}) by "
        f"{len(IMPLICATION_SCENARIOS)} scenarios ({', '.join(IMPLICATION_SCENARIOS)}). "
        f"{len(table) - len(empty)} of {len(table)} cells hold {statements} sourced statements; "
        + (f"{len(empty)} cells have no sourced statement: {cells}." if len(empty)
           else "every cell has at least one.")
    )


IMPLICATIONS_TITLE = titled(
    "Closer alignment: what sources say",
    "The US, the EU and NATO under three scenarios.",
    "Each cell: the start of a sourced statement; hover",
    "for the full text and source. Grey: no sourced statement.",
    "Module's implications data; several postdate the interview.",
)


def implications_matrix_chart(implications: DataFrame[ImplicationsSchema]) -> alt.LayerChart:
    """The US, EU and NATO × three scenarios, each cell the start of its sourced statement(s).

    ``implications`` is :func:`crmc.data.load_implications`'s frame. Cell colour says how many
    sourced statements the cell has; a cell with none is grey and says :data:`NO_STATEMENT`
    (nothing is invented to fill it). Tooltips give the full statements and their sources.
    Clicking a legend entry highlights those cells (client-side).
    """
    table = implications_table(implications)
    table["cell_text"] = [
        _cell_text(list(implications.loc[
            (implications["actor"] == a) & (implications["scenario"] == s), "statement"]))
        for a, s in zip(table["actor"], table["scenario"], strict=True)
    ]
    table["evidence_lines"] = table["evidence"].str.replace(" sourced ", "\nsourced\n", n=1)
    levels = [NO_STATEMENT, *sorted({e for e in table["evidence"] if e != NO_STATEMENT})]
    pick = alt.selection_point(fields=["evidence"], bind="legend")
    x = (alt.X("scenario:N").sort(list(IMPLICATION_SCENARIOS)).title("Scenario")
         .axis(orient="bottom", labelAngle=0, labelFontSize=VIEW_TITLE_SIZE,
               labelExpr=_WORDS_ON_LINES))
    base = alt.Chart(table).encode(
        x,
        alt.Y("actor:N").sort(list(IMPLICATION_ACTORS)).title(None)
        .axis(labelFontSize=LARGE_LABEL_SIZE, labelFontWeight="bold"),
        tooltip=tooltips(("actor:N", "Actor"), ("scenario:N", "Scenario"),
                         ("statement:N", "Sourced statement"), ("source:N", "Source")),
    )
    cells = base.mark_rect(stroke=PAPER, strokeWidth=3).encode(
        alt.Color("evidence:N").scale(domain=levels, range=[EMPTY, SKY_BLUE, BLUE][: len(levels)])
        .legend(title="Cell", direction="vertical", columns=1),
        opacity=highlight(pick, on=0.45, off=0.12),
    ).add_params(pick)
    # Wide views show the start of each statement; narrow ones (phones) only the evidence.
    # Empty text, not transparent text: hidden marks would still count in the view's bounds.
    wide = f"width >= {_MATRIX_MIN_TEXT_WIDTH}"  # the view's width signal: no alt.datum form
    text = base.mark_text(align="left", dx=6, baseline="middle", fontSize=SMALL_TEXT_SIZE,
                          lineBreak="\n").encode(
        x.bandPosition(0),
        text=alt.when(wide).then(alt.Text("cell_text:N")).otherwise(alt.value("")),
    )
    short = base.mark_text(baseline="middle", fontSize=SMALL_TEXT_SIZE, lineBreak="\n").encode(
        text=alt.when(wide).then(alt.value("")).otherwise(alt.Text("evidence_lines:N")),
    )
    chart = alt.layer(cells, text, short).properties(
        width="container",
        height=110 * len(IMPLICATION_ACTORS),
        description=_implications_description(table, len(implications)),
        title=IMPLICATIONS_TITLE,
    )
    return cast(alt.LayerChart, chart)
