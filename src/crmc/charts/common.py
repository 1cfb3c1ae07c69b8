"""Pieces shared by the chart functions: titles, tooltips, menus and the layers several
charts draw (event points, the interview-date rule, zero lines, matrix squares).

Colours and font sizes come from :mod:`crmc.charts.theme`; expressions are built with
``alt.datum``/``alt.when``/``alt.expr``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

import altair as alt
import pandas as pd

from crmc.charts.theme import ABSENT, MUTED
from crmc.data import SIPRI_CREDIT
from crmc.tables import AFTER_INTERVIEW, ALL, BEFORE_INTERVIEW

__all__ = [
    "OWN_CALCULATION",
    "SIPRI_CREDIT",
    "checkbox",
    "event_points",
    "event_tooltips",
    "highlight",
    "interview_rule",
    "menu",
    "menu_filter",
    "presence_squares",
    "slider",
    "tooltips",
    "titled",
    "uses_sipri",
    "zero_rule",
]

OWN_CALCULATION = "The module's own calculation from SIPRI data, not a SIPRI figure."


def titled(text: str, *subtitle: str) -> alt.TitleParams:
    """A chart title with optional subtitle lines (sources, caveats)."""
    return alt.TitleParams(text=text, subtitle=list(subtitle) if subtitle else alt.Undefined)


def tooltips(*fields: tuple[str, str] | tuple[str, str, str]) -> list[alt.Tooltip]:
    """Tooltips from ``(field:type, title[, format])`` triples, in order."""
    return [alt.Tooltip(f[0], title=f[1], format=f[2] if len(f) > 2 else alt.Undefined)
            for f in fields]


def event_tooltips() -> list[alt.Tooltip]:
    """Tooltips for a timeline event (fields of the timeline data plus ``when`` and ``timing``)."""
    return tooltips(
        ("title:N", "Event"),
        ("when:N", "Date"),
        ("timing:N", "Timing"),
        ("category:N", "Category"),
        ("description:N", "What happened"),
        ("source:N", "Source"),
    )


def uses_sipri(sources: pd.Series) -> bool:
    """Whether any row's source is SIPRI (the chart then carries SIPRI's credit line)."""
    return bool(sources.astype(str).str.contains("SIPRI").any())


def menu(name: str, label: str, options: Sequence[str], *, first: str = ALL) -> alt.Parameter:
    """A drop-down menu param whose first option (``first``, default "All") shows everything."""
    return alt.param(
        name=name,
        value=first,
        bind=alt.binding_select(options=[first, *options], name=label),
    )


def menu_filter(param: alt.Parameter, field: str, *, first: str = ALL) -> Any:
    """True for rows the menu ``param`` keeps: all rows on ``first``, else the chosen ``field``."""
    return (param == first) | (alt.datum[field] == param)


def slider(name: str, label: str, value: float, low: float, high: float,
           step: float = 1) -> alt.Parameter:
    """A range-slider param (client-side: works on the static site)."""
    return alt.param(
        name=name, value=value, bind=alt.binding_range(min=low, max=high, step=step, name=label)
    )


def checkbox(name: str, label: str, value: bool = True) -> alt.Parameter:
    """A check-box param (client-side)."""
    return alt.param(name=name, value=value, bind=alt.binding_checkbox(name=label))


def highlight(selection: Any, on: float = 1.0, off: float = 0.2) -> Any:
    """Opacity: ``on`` where ``selection`` (a selection or a predicate) holds, else ``off``."""
    return alt.when(selection).then(alt.value(on)).otherwise(alt.value(off))


def event_points(
    rows: pd.DataFrame,
    categories: list[str],
    *,
    size: int,
    padding: int,
    filled: float,
    timing_title: str,
    diamonds: bool = False,
) -> alt.Chart:
    """Timeline events, one row per category: filled before the interview, hollow after (and,
    with ``diamonds``, circles before and diamonds after)."""
    timings = [BEFORE_INTERVIEW, AFTER_INTERVIEW]
    shape = alt.Shape("timing:N").scale(domain=timings, range=["circle", "diamond"])
    points = (
        alt.Chart(rows)
        .mark_point(size=size, strokeWidth=2)
        .encode(
            alt.X("start:T").title("Date").axis(format="%Y").scale(padding=padding),
            alt.Y("category:N").title(None).sort(categories),
            alt.YOffset("lane:O").scale(paddingOuter=0.6),
            alt.Color("category:N").scale(domain=categories).legend(None),
            alt.Fill("category:N").scale(domain=categories).legend(None),
            alt.FillOpacity("timing:N")
            .scale(domain=timings, range=[filled, 0.0])
            .title(timing_title),
            shape=shape.title(timing_title) if diamonds else alt.Undefined,
            tooltip=event_tooltips(),
        )
    )
    return cast(alt.Chart, points)


def interview_rule(marker: pd.DataFrame, *, stroke_width: float | None = None) -> alt.LayerChart:
    """The interview's date: a dashed rule at ``marker.start`` labelled with ``marker.label``."""
    rule = alt.Chart(marker).encode(alt.X("start:T"))
    line = rule.mark_rule(strokeDash=[4, 3], color=MUTED,
                          strokeWidth=alt.Undefined if stroke_width is None else stroke_width)
    label = rule.mark_text(align="right", dx=-4, baseline="top", y=0)
    return cast(alt.LayerChart, alt.layer(line, label.encode(alt.Text("label:N"))))


def zero_rule(channel: str, scale: alt.Scale) -> alt.Chart:
    """The zero line of a two-sided chart, across ``channel`` ("x" or "y") on ``scale``."""
    encoding = alt.X("at:Q") if channel == "x" else alt.Y("at:Q")
    rule = alt.Chart(pd.DataFrame({"at": [0]})).mark_rule(color=MUTED)
    return cast(alt.Chart, rule.encode(encoding.scale(scale)))


def presence_squares(
    long: pd.DataFrame,
    x: alt.X,
    y: alt.Y,
    colour: alt.Color,
    *,
    pick: alt.Parameter,
    size: int,
    tooltip: list[alt.Tooltip],
) -> tuple[alt.Chart, alt.Chart]:
    """A yes/no matrix: filled squares where ``long.present`` (coloured, highlighted by
    ``pick``), open grey squares where not."""
    present = (
        alt.Chart(long[long["present"]])
        .mark_square(size=size)
        .encode(x, y, colour, opacity=highlight(pick), tooltip=tooltip)
        .add_params(pick)
    )
    absent = (
        alt.Chart(long[~long["present"]])
        .mark_square(size=size, filled=False, color=ABSENT)
        .encode(x, y, tooltip=tooltip)
    )
    return present, absent
