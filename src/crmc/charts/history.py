"""Part 1 (History) charts: the timeline, Russian deliveries by phase, purchases by category.

Data flows in as the loaders and :mod:`crmc.derived` return it; the phases and the transforms
come from :mod:`crmc.tables`; every number in a title or description is computed from that data.
"""

from __future__ import annotations

from typing import Any, cast

import altair as alt
import pandas as pd
from pandera.typing import DataFrame

from crmc.charts.common import (
    OWN_CALCULATION,
    SIPRI_CREDIT,
    event_points,
    highlight,
    interview_rule,
    menu,
    menu_filter,
    slider,
    titled,
    tooltips,
)
from crmc.charts.theme import MUTED, SHADE
from crmc.data.schemas import (
    INTERVIEW_MONTH,
    TIMELINE_CATEGORIES,
    WEAPON_CATEGORIES,
    RussiaChinaYearlySchema,
    SipriRegisterSchema,
    TimelineSchema,
)
from crmc.tables import (
    AFTER_INTERVIEW,
    PERIOD_ORIGIN,
    PERIOD_WIDTH,
    PHASE_LABEL_ROWS,
    interview_marker,
    period_label,
    phase_bands,
    phases_frame,
    purchases_by_period,
    row_of_max,
    row_of_min,
    timeline_rows,
)
from crmc.tables_schemas import PhasesTable

__all__ = ["deliveries_chart", "purchases_by_category_chart", "timeline_chart"]


def _timeline_description(rows: pd.DataFrame) -> str:
    counts = rows["category"].value_counts()
    return (
        f"Timeline of {len(rows)} events in China–Russia military relations, "
        f"{rows['year'].min()}–{rows['year'].max()}, one row per category. The most frequent "
        f"category is {counts.idxmax()} ({int(counts.max())} events); "
        f"{int((rows['timing'] == AFTER_INTERVIEW).sum())} events fall after the interview "
        f"of {INTERVIEW_MONTH:%B %Y}."
    )


def timeline_chart(timeline: DataFrame[TimelineSchema]) -> alt.LayerChart:
    """Interactive timeline of the module's events, one row per category.

    ``timeline`` is :func:`crmc.data.load_timeline`'s frame. Readers filter by category with
    a drop-down and narrow the years with two sliders (client-side Vega-Lite params, so they
    work on the static site); the x axis zooms to the chosen years. Hollow points mark events
    after the interview; a rule marks the interview's month.
    """
    rows = timeline_rows(timeline)
    categories = [c for c in TIMELINE_CATEGORIES if c in set(rows["category"])]
    first, last = int(rows["year"].min()), int(rows["year"].max())
    category = menu("category", "Category ", categories)
    from_year = slider("from_year", "From year ", first, first, last)
    to_year = slider("to_year", "To year ", last, first, last)
    in_years = (alt.datum.year >= from_year) & (alt.datum.year <= to_year)

    points = event_points(rows, categories, size=110, padding=12, filled=0.8,
                          timing_title="Filled: before the interview; hollow: after")
    interview = interview_rule(interview_marker(timeline))
    chart = (
        alt.layer(
            points.transform_filter(in_years & menu_filter(category, "category")),
            interview.transform_filter(in_years),
        )
        .add_params(category, from_year, to_year)
        .properties(
            width="container",
            height=360,
            description=_timeline_description(rows),
            title=titled(
                f"China–Russia military relations, {first}–{last}",
                f"{len(rows)} events. Hover over a point for the event, its date and its "
                "source. Use the menu and sliders below to filter.",
            ),
        )
    )
    return cast(alt.LayerChart, chart)


def _deliveries_description(window: pd.DataFrame, sums: pd.DataFrame) -> str:
    peak = row_of_max(window, "russia_to_china_tiv")
    top = row_of_max(sums, "per_year_tiv")
    low = row_of_min(sums, "russia_share")
    return (
        f"Bar chart of Russian (Soviet until 1991) arms deliveries to China per year, "
        f"{window['year'].min()}–{window['year'].max()}, in million TIV, with {len(sums)} "
        f"phases shaded. Deliveries peak at {peak['russia_to_china_tiv']:,.0f} million TIV in "
        f"{int(peak['year'])}; the {top['label']} phase ({top['years']}) has the highest mean, "
        f"{top['per_year_tiv']:,.0f} a year. Russia's share of China's imports by phase "
        f"ranges from {low['russia_share']:.0%} ({low['years']}) to "
        f"{sums['russia_share'].max():.0%}."
    )


_HEIGHT = 320
_LABEL_ROW_PX = 32
"""A phase label's two lines (name, share) and the gap below them."""

PHASE_TOOLTIP = tooltips(
    ("label:N", "Phase"),
    ("years:N", "Years"),
    ("summary:N", "What marks it"),
    ("per_year_tiv:Q", "Mean per year (million TIV)", ",.0f"),
    ("russia_share:Q", "Russia's share of China's imports", ".0%"),
)


def _phase_labels(base: alt.Chart) -> list[alt.Chart]:
    """Each phase's name (bold) and share, in its label row; left-aligned at the phase's
    start, so no label spills over the y axis."""
    return [
        base.mark_text(align="left", baseline="top", dx=3, y=4 + row * _LABEL_ROW_PX + dy,
                       fontWeight="bold" if dy == 0 else "normal")
        .encode(alt.Text(f"{field}:N"))
        .transform_filter(alt.datum.label_row == row)
        for row in range(PHASE_LABEL_ROWS)
        for field, dy in (("label", 0), ("share_text", 15))
    ]


def _delivery_bars(window: pd.DataFrame, x_scale: alt.Scale, y_scale: alt.Scale) -> alt.Chart:
    """One bar per year, 0.9 years wide, on the phases' continuous year scale."""
    deliveries = alt.Chart(window.assign(x0=window["year"] - 0.45, x1=window["year"] + 0.45))
    bars = deliveries.mark_rect().encode(
        alt.X("x0:Q").scale(x_scale),
        alt.X2("x1:Q"),
        alt.Y("russia_to_china_tiv:Q").scale(y_scale).title("Delivered (million TIV)"),
        alt.Y2(datum=0),
        tooltip=tooltips(
            ("year:O", "Year"),
            ("russia_to_china_tiv:Q", "From Russia (million TIV)", ",.0f"),
            ("china_imports_tiv:Q", "China's imports, all suppliers", ",.0f"),
        ),
    )
    return cast(alt.Chart, bars)


DELIVERIES_SUBTITLE = (
    "Million SIPRI trend-indicator values (TIV) per year; dashed: phase mean per year.",
    "Shaded: the module's phases, each with Russia's share of China's arms imports.",
    OWN_CALCULATION,
    SIPRI_CREDIT,
)


def deliveries_chart(
    yearly: DataFrame[RussiaChinaYearlySchema], phases: DataFrame[PhasesTable] | None = None
) -> alt.LayerChart:
    """Russian deliveries to China per year, with the module's phases shaded and annotated.

    ``yearly`` is :func:`crmc.derived.russia_china_yearly`'s frame; ``phases`` is
    :func:`phases_frame`'s (default: ``phases.csv``). Only the phases' years are shown. The
    phases' names and Russia's share of China's arms imports in each (a ratio of sums, which
    avoids the over-100% years that the even spread of deliveries can produce) sit in a band
    above the bars, alternating between two rows so that short phases do not collide; the
    dashed line is the phase's mean per year. All values are the module's own calculation
    from SIPRI data. One view with ``width="container"``, so it fits a phone.
    """
    phases = phases_frame() if phases is None else phases
    first, last = int(phases["start"].min()), int(phases["end"].max())
    window = yearly[yearly["year"].between(first, last)].reset_index(drop=True)
    bands = phase_bands(yearly, phases)  # the sums read only the phases' years
    x_scale = alt.Scale(domain=[first - 0.5, last + 0.5], nice=False)
    # The phase labels sit in a band above the bars (rows ``_LABEL_ROW_PX`` apart), so the
    # y scale runs on past the tallest bar by that band's share of the plot's height.
    band_px = PHASE_LABEL_ROWS * _LABEL_ROW_PX + 8
    top = float(window["russia_to_china_tiv"].max()) * _HEIGHT / (_HEIGHT - band_px)
    y_scale = alt.Scale(domain=[0, top], nice=False)

    base = alt.Chart(bands).encode(
        alt.X("x0:Q").scale(x_scale).title("Year of delivery").axis(format="d"),
        tooltip=PHASE_TOOLTIP,
    )
    background = base.mark_rect(color=SHADE).encode(
        alt.X2("x1:Q"),
        alt.Opacity("shade:N").scale(range=[0.04, 0.11]).legend(None),
    )
    means = base.mark_rule(strokeDash=[5, 3], strokeWidth=2, color=MUTED).encode(
        alt.X2("x1:Q"),
        alt.Y("per_year_tiv:Q").scale(y_scale),
    )
    chart = alt.layer(
        background, _delivery_bars(window, x_scale, y_scale), means, *_phase_labels(base)
    ).properties(
        width="container",
        height=_HEIGHT,
        description=_deliveries_description(window, bands),
        title=titled(f"Russian arms deliveries to China, {first}–{last}", *DELIVERIES_SUBTITLE),
    )
    return cast(alt.LayerChart, chart)


def _purchases_description(table: pd.DataFrame, start: int, end: int, width: int) -> str:
    totals = table.groupby("weapon_category")["tiv"].sum()
    per_period = table.groupby("period")["tiv"].sum()
    return (
        f"Stacked bar chart of weapons delivered by Russia to China in {width}-year periods, "
        f"{start}–{end}, by weapon category, in million TIV. Over the whole span "
        f"{totals.idxmax()} make up the largest part ({totals.max() / totals.sum():.0%}); "
        f"the largest period is {per_period.idxmax()} ({per_period.max():,.0f} million TIV) "
        f"and the smallest {per_period.idxmin()} ({per_period.min():,.0f})."
    )


def purchases_by_category_chart(
    register: DataFrame[SipriRegisterSchema],
    start: int = PERIOD_ORIGIN,
    end: int = 2023,
    width: int = PERIOD_WIDTH,
) -> alt.Chart:
    """What China received from Russia, by weapon category and period of delivery.

    ``register`` is :func:`crmc.data.load_sipri_register`'s frame; the sums are
    :func:`crmc.tables.purchases_by_period`'s. Clicking a legend entry highlights one
    category (client-side).
    """
    table = purchases_by_period(register, start, end, width)
    categories = [c for c in WEAPON_CATEGORIES if c in set(table["weapon_category"])]
    periods = [period_label(y, width) for y in range(start, end + 1, width)]
    pick = alt.selection_point(fields=["weapon_category"], bind="legend")
    chart = (
        alt.Chart(table)
        .mark_bar()
        .encode(
            alt.X("period:O").sort(periods).scale(domain=periods)
            .title("Period of delivery").axis(labelAngle=0),
            alt.Y("sum(tiv):Q").title("Delivered (million TIV)"),
            alt.Color("weapon_category:N").scale(domain=categories).sort(categories)
            .title("Category (click one)"),
            alt.Order("category_rank:Q"),
            opacity=highlight(pick),
            tooltip=tooltips(
                ("period:N", "Period"),
                ("weapon_category:N", "Category"),
                ("sum(tiv):Q", "Million TIV", ",.0f"),
            ),
        )
        # Vega's indexof takes an array; Altair's annotation names only scalars.
        .transform_calculate(
            category_rank=alt.expr.indexof(cast(Any, categories), alt.datum.weapon_category)
        )
        .add_params(pick)
        .properties(
            width="container",
            description=_purchases_description(table, start, end, width),
            title=titled(
                f"What China received from Russia, {start}–{end}",
                f"By weapon category; million TIV delivered per {width}-year period, each "
                "deal spread evenly over its delivery years.",
                OWN_CALCULATION,
                SIPRI_CREDIT,
            ),
        )
    )
    return cast(alt.Chart, chart)
