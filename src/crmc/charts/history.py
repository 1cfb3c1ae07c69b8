"""Part 1 (History) charts: the timeline, Russian deliveries by phase, purchases by category.

Data flows in as the loaders and :mod:`crmc.derived` return it; every number in a title or
description is computed here from that data; the phases and the transforms come from
:mod:`crmc.tables`.
"""

from __future__ import annotations

from typing import cast

import altair as alt
import pandas as pd

from crmc import derived
from crmc.charts.common import OWN_CALCULATION, SIPRI_CREDIT, event_tooltips, titled
from crmc.data.schemas import INTERVIEW_MONTH, TIMELINE_CATEGORIES, WEAPON_CATEGORIES
from crmc.tables import (
    AFTER_INTERVIEW,
    BEFORE_INTERVIEW,
    PERIOD_ORIGIN,
    PERIOD_WIDTH,
    as_int,
    period_label,
    period_start,
    phase_sums,
    phases_frame,
    row_of_max,
    row_of_min,
    timeline_rows,
)

__all__ = ["deliveries_chart", "purchases_by_category_chart", "timeline_chart"]


















def timeline_chart(timeline: pd.DataFrame) -> alt.LayerChart:
    """Interactive timeline of the module's events, one row per category.

    ``timeline`` is :func:`crmc.data.load_timeline`'s frame. Readers filter by category with
    a drop-down and narrow the years with two sliders (client-side Vega-Lite params, so they
    work on the static site); the x axis zooms to the chosen years. Hollow points mark events
    after the interview; a rule marks the interview's month.
    """
    rows = timeline_rows(timeline)
    categories = [c for c in TIMELINE_CATEGORIES if c in set(rows["category"])]
    first, last = int(rows["year"].min()), int(rows["year"].max())
    category = alt.param(
        name="category",
        value="All",
        bind=alt.binding_select(options=["All", *categories], name="Category "),
    )
    from_year = alt.param(
        name="from_year",
        value=first,
        bind=alt.binding_range(min=first, max=last, step=1, name="From year "),
    )
    to_year = alt.param(
        name="to_year",
        value=last,
        bind=alt.binding_range(min=first, max=last, step=1, name="To year "),
    )
    in_years = (alt.datum.year >= from_year) & (alt.datum.year <= to_year)
    chosen = (category == "All") | (alt.datum.category == category)

    counts = rows["category"].value_counts()
    busiest = str(counts.idxmax())
    description = (
        f"Timeline of {len(rows)} events in China–Russia military relations, {first}–{last}, "
        f"one row per category. The most frequent category is {busiest} "
        f"({int(counts.max())} events); {int((rows['timing'] == AFTER_INTERVIEW).sum())} "
        f"events fall after the interview of {INTERVIEW_MONTH:%B %Y}."
    )
    points = (
        alt.Chart(rows)
        .mark_point(size=110, strokeWidth=2)
        .encode(
            alt.X("start:T").title("Date").axis(format="%Y").scale(padding=12),
            alt.Y("category:N").title(None).sort(categories),
            alt.YOffset("lane:O").scale(paddingOuter=0.6),
            alt.Color("category:N").scale(domain=categories).legend(None),
            alt.Fill("category:N").scale(domain=categories).legend(None),
            alt.FillOpacity("timing:N")
            .scale(domain=[BEFORE_INTERVIEW, AFTER_INTERVIEW], range=[0.8, 0.0])
            .title("Filled: before the interview; hollow: after"),
            tooltip=event_tooltips(),
        )
        .transform_filter(in_years & chosen)
    )
    marker = pd.DataFrame(
        {
            "start": [pd.Timestamp(INTERVIEW_MONTH)],
            "year": [INTERVIEW_MONTH.year],
            "label": [f"Interview, {INTERVIEW_MONTH:%B %Y}"],
        }
    )
    rule = alt.Chart(marker).encode(alt.X("start:T"))
    interview = alt.layer(
        rule.mark_rule(strokeDash=[4, 3], color="#444444"),
        rule.mark_text(align="right", dx=-4, baseline="top", y=0).encode(text="label:N"),
    ).transform_filter(in_years)
    chart = (
        alt.layer(points, interview)
        .add_params(category, from_year, to_year)
        .properties(
            width="container",
            height=360,
            description=description,
            title=titled(
                f"China–Russia military relations: {len(rows)} events, {first}–{last}",
                "Hover over a point for the event, its date and its source. "
                "Use the menu and sliders below to filter.",
            ),
        )
    )
    return cast(alt.LayerChart, chart)


def deliveries_chart(yearly: pd.DataFrame, phases: pd.DataFrame | None = None) -> alt.LayerChart:
    """Russian deliveries to China per year, with the module's phases shaded and annotated.

    ``yearly`` is :func:`crmc.derived.russia_china_yearly`'s frame; ``phases`` is
    :func:`phases_frame`'s (default :data:`PHASES`). Only the phases' years are shown. Each
    phase is labelled with its name and Russia's share of China's arms imports in it (a
    ratio of sums, which avoids the over-100% years that the even spread of deliveries can
    produce); the dashed line is the phase's mean per year. All values are the module's own
    calculation from SIPRI data. One view with ``width="container"``, so it fits a phone.
    """
    phases = phases_frame() if phases is None else phases
    first, last = int(phases["start"].min()), int(phases["end"].max())
    window = yearly[(yearly["year"] >= first) & (yearly["year"] <= last)].reset_index(drop=True)
    sums = phase_sums(window, phases)
    peak = row_of_max(window, "russia_to_china_tiv")
    top = row_of_max(sums, "per_year_tiv")
    low = row_of_min(sums, "russia_share")
    description = (
        f"Bar chart of Russian (Soviet until 1991) arms deliveries to China per year, "
        f"{first}–{last}, in million TIV, with {len(sums)} phases shaded. Deliveries peak at "
        f"{peak['russia_to_china_tiv']:,.0f} million TIV in {int(peak['year'])}; the "
        f"{top['label']} phase ({top['years']}) has the highest mean, "
        f"{top['per_year_tiv']:,.0f} a year. Russia's share of China's imports by phase "
        f"ranges from {low['russia_share']:.0%} ({low['years']}) to "
        f"{sums['russia_share'].max():.0%}."
    )
    bars = window.assign(x0=window["year"] - 0.45, x1=window["year"] + 0.45)
    shades = sums.assign(
        x0=sums["start"] - 0.5,
        x1=sums["end"] + 0.5,
        shade=sums["order"] % 2,
        share_text=[f"{v:.0%} of imports" for v in sums["russia_share"]],
    )
    x_scale = alt.Scale(domain=[first - 0.5, last + 0.5], nice=False)
    # Head room above the tallest bar for the two-line phase labels.
    y_scale = alt.Scale(domain=[0, float(window["russia_to_china_tiv"].max()) * 1.35])
    phase_tooltip = [
        alt.Tooltip("label:N", title="Phase"),
        alt.Tooltip("years:N", title="Years"),
        alt.Tooltip("summary:N", title="What marks it"),
        alt.Tooltip("per_year_tiv:Q", title="Mean per year (million TIV)", format=",.0f"),
        alt.Tooltip("russia_share:Q", title="Russia's share of China's imports", format=".0%"),
    ]
    band = alt.Chart(shades).encode(
        alt.X("x0:Q").scale(x_scale).title("Year of delivery").axis(format="d"),
        alt.X2("x1:Q"),
        tooltip=phase_tooltip,
    )
    background = band.mark_rect(color="#000000").encode(
        opacity=alt.Opacity("shade:N").scale(range=[0.04, 0.11]).legend(None)
    )
    means = band.mark_rule(strokeDash=[5, 3], strokeWidth=2, color="#444444").encode(
        alt.Y("per_year_tiv:Q").scale(y_scale)
    )
    # Labels of neighbouring phases sit at two heights so that short phases do not collide.
    # Left-aligned at the phase's start, so no label spills over the y axis.
    label = alt.Chart(shades).encode(alt.X("x0:Q").scale(x_scale), tooltip=phase_tooltip)
    labels = [
        label.mark_text(
            align="left",
            baseline="top",
            dx=3,
            y=y + dy,
            fontWeight="bold" if dy == 0 else "normal",
        )
        .encode(text=f"{field}:N")
        .transform_filter(alt.datum.shade == shade)
        for shade, y in ((0, 4), (1, 36))
        for field, dy in (("label", 0), ("share_text", 15))
    ]
    deliveries = (
        alt.Chart(bars)
        .mark_rect()
        .encode(
            alt.X("x0:Q").scale(x_scale),
            alt.X2("x1:Q"),
            alt.Y("russia_to_china_tiv:Q").scale(y_scale).title("Delivered (million TIV)"),
            alt.Y2(datum=0),
            tooltip=[
                alt.Tooltip("year:O", title="Year"),
                alt.Tooltip(
                    "russia_to_china_tiv:Q", title="From Russia (million TIV)", format=",.0f"
                ),
                alt.Tooltip(
                    "china_imports_tiv:Q", title="China's imports, all suppliers", format=",.0f"
                ),
            ],
        )
    )
    chart = alt.layer(background, deliveries, means, *labels).properties(
        width="container",
        height=320,
        description=description,
        title=titled(
            f"Russian arms deliveries to China, {first}–{last}",
            "Million SIPRI trend-indicator values (TIV) per year; dashed: phase mean per year.",
            "Shaded: the module's phases, each with Russia's share of China's arms imports.",
            OWN_CALCULATION,
            SIPRI_CREDIT,
        ),
    )
    return cast(alt.LayerChart, chart)


def purchases_by_category_chart(
    register: pd.DataFrame,
    start: int = PERIOD_ORIGIN,
    end: int = 2023,
    width: int = PERIOD_WIDTH,
) -> alt.Chart:
    """What China received from Russia, by weapon category and period of delivery.

    ``register`` is :func:`crmc.data.load_sipri_register`'s frame. Each deal's delivered TIV
    is spread evenly over its delivery years (:func:`crmc.derived.spread_deliveries`), then
    summed by the module's weapon category and ``width``-year period from ``start`` to
    ``end``. Clicking a legend entry highlights one category (client-side).
    """
    if width <= 0 or (end - start + 1) % width:
        raise ValueError(f"{start}–{end} cannot be cut into {width}-year periods")
    pieces = derived.spread_deliveries(register)
    pieces = pieces[(pieces["year"] >= start) & (pieces["year"] <= end)].copy()
    pieces["first"] = [period_start(as_int(y), width, origin=start) for y in pieces["year"]]
    pieces["period"] = [period_label(y, width) for y in pieces["first"]]
    table = pieces.groupby(["first", "period", "weapon_category"], as_index=False)["tiv"].sum()
    categories = [c for c in WEAPON_CATEGORIES if c in set(table["weapon_category"])]
    periods = [period_label(y, width) for y in range(start, end + 1, width)]
    totals = table.groupby("weapon_category")["tiv"].sum()
    per_period = table.groupby("period")["tiv"].sum()
    description = (
        f"Stacked bar chart of weapons delivered by Russia to China in {width}-year periods, "
        f"{start}–{end}, by weapon category, in million TIV. Over the whole span "
        f"{totals.idxmax()} make up the largest part ({totals.max() / totals.sum():.0%}); "
        f"the largest period is {per_period.idxmax()} ({per_period.max():,.0f} million TIV) "
        f"and the smallest {per_period.idxmin()} ({per_period.min():,.0f})."
    )
    pick = alt.selection_point(fields=["weapon_category"], bind="legend")
    chart = (
        alt.Chart(table)
        .mark_bar()
        .encode(
            alt.X("period:O")
            .sort(periods)
            .scale(domain=periods)
            .title("Period of delivery")
            .axis(labelAngle=0),
            alt.Y("sum(tiv):Q").title("Delivered (million TIV)"),
            alt.Color("weapon_category:N")
            .scale(domain=categories)
            .sort(categories)
            .title("Category (click one)"),
            alt.Order("category_rank:Q"),
            opacity=alt.when(pick).then(alt.value(1.0)).otherwise(alt.value(0.2)),
            tooltip=[
                alt.Tooltip("period:N", title="Period"),
                alt.Tooltip("weapon_category:N", title="Category"),
                alt.Tooltip("sum(tiv):Q", title="Million TIV", format=",.0f"),
            ],
        )
        .transform_calculate(category_rank=f"indexof({categories!r}, datum.weapon_category)")
        .add_params(pick)
        .properties(
            width="container",
            description=description,
            title=titled(
                f"What China received from Russia, {start}–{end}, by weapon category",
                f"Million TIV delivered per {width}-year period; each deal spread evenly over "
                "its delivery years.",
                OWN_CALCULATION,
                SIPRI_CREDIT,
            ),
        )
    )
    return cast(alt.Chart, chart)
