"""Part 1 (History) charts: the timeline, Russian deliveries by phase, purchases by category.

Data flows in as the loaders and :mod:`crmc.derived` return it; every number in a title or
description is computed here from that data. :data:`PHASES` is the module's own
periodisation of Russian deliveries to China, each phase anchored to timeline events.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import cast

import altair as alt
import pandas as pd

from crmc import derived
from crmc.charts.common import (
    AFTER_INTERVIEW,
    BEFORE_INTERVIEW,
    OWN_CALCULATION,
    SIPRI_CREDIT,
    event_date_label,
    event_tooltips,
    timeline_rows,
    titled,
)
from crmc.data.schemas import INTERVIEW_MONTH, TIMELINE_CATEGORIES, WEAPON_CATEGORIES

__all__ = [
    "KEY_SYSTEMS",
    "PHASES",
    "Phase",
    "deliveries_chart",
    "direction_totals",
    "event_date_label",
    "event_when",
    "key_systems_table",
    "phase_sums",
    "phases_frame",
    "purchases_by_category_chart",
    "timeline_chart",
]


@dataclass(frozen=True)
class Phase:
    """One phase of Russian arms deliveries to China (the module's own periodisation).

    ``anchors`` are ids of events in ``timeline.csv`` that fall in the phase and mark it;
    the tests check that they exist and that their years lie between ``start`` and ``end``.
    """

    key: str
    label: str
    """Short label drawn on the chart."""
    start: int
    end: int
    summary: str
    """One line for tooltips and captions, in the module's own words."""
    anchors: tuple[str, ...]


PHASES: tuple[Phase, ...] = (
    Phase(
        "soviet-sales",
        "Soviet sales",
        1989,
        1991,
        "Relations normalised; the Soviet Union agrees the first Su-27 sale.",
        ("1989-05-16-sino-soviet-summit", "1991-su27-order"),
    ),
    Phase(
        "first-purchases",
        "First purchases",
        1992,
        1998,
        "First post-Soviet purchases (Su-27s, S-300s, Kilo submarines) and border "
        "confidence-building agreements.",
        (
            "1992-s300pmu1-order",
            "1993-kilo-submarine-order",
            "1996-04-26-shanghai-cbm-agreement",
            "1997-04-24-moscow-force-reduction-agreement",
        ),
    ),
    Phase(
        "peak",
        "Peak",
        1999,
        2006,
        "Peak deliveries: Su-30MKK fighters, destroyers and submarines; the 2001 treaty "
        "and the first joint exercise.",
        (
            "1999-su30mkk-order",
            "2001-07-16-friendship-treaty",
            "2002-kilo-636-order",
            "2005-08-18-peace-mission-2005",
        ),
    ),
    Phase(
        "decline",
        "Decline",
        2007,
        2014,
        "Deliveries fall; engines, helicopters and missiles make up most of them. The "
        "border settlement is completed.",
        ("2008-07-21-border-protocol", "2012-04-22-joint-sea-2012", "2014-03-18-crimea-annexation"),
    ),
    Phase(
        "two-way-street",
        "Two-way street",
        2015,
        2023,
        "S-400 and Su-35 sales; Russia starts buying Chinese components; the early-warning "
        "announcement.",
        (
            "2015-04-s400-first-buyer",
            "2015-11-19-su35-contract",
            "2015-henan-diesel-order",
            "2019-10-03-early-warning-announcement",
        ),
    ),
)
"""The module's phases of Russian deliveries to China, 1989–2023 (contiguous, in order)."""


def phases_frame(phases: Sequence[Phase] = PHASES) -> pd.DataFrame:
    """The phases as a tidy table: ``key``, ``label``, ``start``, ``end``, ``years``
    (e.g. ``"1999–2006"``), ``summary``, ``anchors`` (ids joined by ``" ; "``), ``order``."""
    return pd.DataFrame(
        [
            {
                "key": p.key,
                "label": p.label,
                "start": p.start,
                "end": p.end,
                "years": f"{p.start}–{p.end}",
                "summary": p.summary,
                "anchors": " ; ".join(p.anchors),
                "order": i,
            }
            for i, p in enumerate(phases)
        ]
    )


def phase_sums(yearly: pd.DataFrame, phases: pd.DataFrame) -> pd.DataFrame:
    """Russia→China TIV, China's total and Russia's share per phase (module's calculation).

    ``yearly`` is :func:`crmc.derived.russia_china_yearly`'s frame, ``phases`` is
    :func:`phases_frame`'s. Sums come from :func:`crmc.derived.period_sums`; adds
    ``per_year_tiv`` (the phase's Russia→China mean per year) and the phase columns.
    """
    rows = [derived.period_sums(yearly, int(p.start), int(p.end)) for p in phases.itertuples()]
    sums = pd.concat(rows, ignore_index=True)
    sums["per_year_tiv"] = sums["russia_to_china_tiv"] / (sums["end"] - sums["start"] + 1)
    return sums.merge(phases, on=["start", "end"], how="left")


def event_when(timeline: pd.DataFrame, event_id: str) -> str:
    """The reader's date of one timeline event (see :func:`event_date_label`).

    Raises ``KeyError`` naming the id when the timeline has no such event.
    """
    rows = timeline.loc[timeline["id"] == event_id]
    if rows.empty:
        raise KeyError(f"no event {event_id!r} in the timeline")
    row = rows.iloc[0]
    return event_date_label(str(row["date"]), str(row["date_precision"]))


KEY_SYSTEMS: Mapping[str, tuple[str, ...]] = {
    "Su-27 fighters (incl. kits for the J-11)": ("Su-27S",),
    "Su-30MKK/MK2 fighters": ("Su-30MK",),
    "Su-35 fighters": ("Su-35S",),
    "S-300 air-defence systems": ("S-300PMU1", "S-300PMU2 Favorit"),
    "S-400 air-defence systems": ("S-400 Triumf",),
    "Mi-17 transport helicopters": ("Mi-17",),
    "Ka-27PL and Ka-31 naval helicopters": ("Ka-27PL", "Ka-31"),
    "AL-31 fighter engines": ("AL-31",),
    "D-30 aircraft engines": ("D-30",),
}
"""Systems named in part 1 → their SIPRI register designations (the module's grouping)."""


def key_systems_table(
    register: pd.DataFrame, systems: Mapping[str, Sequence[str]] = KEY_SYSTEMS
) -> pd.DataFrame:
    """What the SIPRI register records for each system group sold by Russia to China.

    Columns: ``system``, ``deals``, ``delivered`` (units, SIPRI's numbers summed),
    ``first_order``, ``first_delivery``, ``last_delivery``, ``tiv_delivered`` (million TIV,
    module's sum). Raises ``ValueError`` when a group matches no deal.
    """
    deals = register[
        (register["recipient"] == "China") & register["supplier"].isin(derived.SUPPLIERS)
    ]
    rows = []
    for system, designations in systems.items():
        chosen = deals[deals["designation"].isin(designations)]
        if chosen.empty:
            raise ValueError(f"no Russian deal with China for {system!r} ({list(designations)})")
        years = [y for ys in chosen["delivery_years"] for y in ys]
        rows.append(
            {
                "system": system,
                "deals": len(chosen),
                "delivered": int(chosen["number_delivered"].sum()),
                "first_order": int(chosen["order_year"].min()),
                "first_delivery": min(years),
                "last_delivery": max(years),
                "tiv_delivered": float(chosen["tiv_delivered"].sum()),
            }
        )
    return pd.DataFrame(rows)


def direction_totals(register: pd.DataFrame, first_order: int = 1992) -> pd.DataFrame:
    """Deals and delivered TIV in each direction between Russia and China since ``first_order``.

    Counts register deals ordered in or after ``first_order`` (1992: Russia as supplier, not
    the Soviet Union). Columns: ``supplier``, ``recipient``, ``deals``, ``tiv_delivered``
    (million TIV, module's sum); one row per direction, Russia → China first.
    """
    recent = register[register["order_year"] >= first_order]
    rows = []
    for supplier, recipient in (("Russia", "China"), ("China", "Russia")):
        deals = recent[(recent["supplier"] == supplier) & (recent["recipient"] == recipient)]
        rows.append(
            {
                "supplier": supplier,
                "recipient": recipient,
                "deals": len(deals),
                "tiv_delivered": float(deals["tiv_delivered"].sum()),
            }
        )
    return pd.DataFrame(rows)


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
    peak = window.loc[window["russia_to_china_tiv"].idxmax()]
    top = sums.loc[sums["per_year_tiv"].idxmax()]
    low = sums.loc[sums["russia_share"].idxmin()]
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
    register: pd.DataFrame, start: int = 1989, end: int = 2023, width: int = 5
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
    pieces["first"] = start + (pieces["year"] - start) // width * width
    pieces["period"] = [f"{y}–{y + width - 1}" for y in pieces["first"]]
    table = pieces.groupby(["first", "period", "weapon_category"], as_index=False)["tiv"].sum()
    categories = [c for c in WEAPON_CATEGORIES if c in set(table["weapon_category"])]
    periods = [f"{y}–{y + width - 1}" for y in range(start, end + 1, width)]
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
