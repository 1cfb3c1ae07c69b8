"""Explorer for part 1: events and Russian deliveries over chosen years, and two periods compared.

The logic (:func:`summarise_period`, :func:`compare_periods`, :func:`phase_table`) is plain
and tested without a browser; :class:`TimelineExplorer` is the thin widget over it. Every TIV
figure is the module's own calculation from SIPRI data (:func:`crmc.derived.period_sums`).
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import ipywidgets as widgets
import pandas as pd
from pandera.typing import DataFrame

from crmc import derived
from crmc.data.schemas import TIMELINE_CATEGORIES, RussiaChinaYearlySchema, TimelineSchema
from crmc.explorers.base import alert_html, html_table, year_menu
from crmc.tables import as_int, event_date_label
from crmc.tables_schemas import PhasesTable

__all__ = [
    "PeriodComparison",
    "PeriodSummary",
    "TimelineEvent",
    "TimelineExplorer",
    "compare_periods",
    "format_comparison",
    "format_summary",
    "phase_table",
    "summarise_period",
]


@dataclass(frozen=True)
class TimelineEvent:
    """One event as the explorer lists it."""

    id: str
    when: str
    """A reader's date, e.g. ``"26 April 1996"``."""
    year: int
    category: str
    title: str
    source: str


@dataclass(frozen=True)
class PeriodSummary:
    """Events and Russian deliveries to China in one range of years (both ends included)."""

    start: int
    end: int
    categories: tuple[str, ...]
    events: tuple[TimelineEvent, ...]
    counts: dict[str, int] = field(hash=False)
    """Events per chosen category (zero included), in the order of ``categories``."""
    russia_to_china_tiv: float
    """Russia → China TIV delivered in the range (module's calculation)."""
    china_imports_tiv: float
    """China's imports from all suppliers in the range (sum of SIPRI's yearly figures)."""
    russia_share: float | None
    """Ratio of the two sums (module's calculation); ``None`` when China imported nothing."""

    @property
    def years(self) -> int:
        """Number of years in the range."""
        return self.end - self.start + 1

    @property
    def tiv_per_year(self) -> float:
        """Mean Russia → China TIV per year of the range."""
        return self.russia_to_china_tiv / self.years

    @property
    def label(self) -> str:
        """The range as text, e.g. ``"1992–2013"``."""
        return f"{self.start}–{self.end}"


@dataclass(frozen=True)
class PeriodComparison:
    """Two ranges side by side."""

    first: PeriodSummary
    second: PeriodSummary

    @property
    def tiv_per_year_ratio(self) -> float | None:
        """Second range's mean yearly Russia → China TIV over the first's (None if 0)."""
        if self.first.tiv_per_year == 0:
            return None
        return self.second.tiv_per_year / self.first.tiv_per_year


def _check_categories(categories: Iterable[str] | None, present: Sequence[str]) -> tuple[str, ...]:
    if categories is None:
        return tuple(present)
    chosen = tuple(categories)
    if not chosen:
        raise ValueError("choose at least one category")
    unknown = [c for c in chosen if c not in TIMELINE_CATEGORIES]
    if unknown:
        raise ValueError(f"unknown categories {unknown}; known: {list(TIMELINE_CATEGORIES)}")
    return tuple(c for c in TIMELINE_CATEGORIES if c in chosen)


def summarise_period(
    timeline: DataFrame[TimelineSchema],
    yearly: DataFrame[RussiaChinaYearlySchema],
    start: int,
    end: int,
    categories: Iterable[str] | None = None,
) -> PeriodSummary:
    """Events of the chosen categories from ``start`` to ``end`` and Russian deliveries then.

    ``timeline`` is :func:`crmc.data.load_timeline`'s frame, ``yearly`` is
    :func:`crmc.derived.russia_china_yearly`'s. ``categories=None`` means every category in
    the timeline. Raises ``ValueError`` for a reversed range, a range reaching beyond the
    SIPRI years in ``yearly``, or an empty or unknown set of categories.
    """
    if start > end:
        raise ValueError(f"start year {start} is after end year {end}")
    first, last = int(yearly["year"].min()), int(yearly["year"].max())
    if start < first or end > last:
        raise ValueError(
            f"years {start}–{end} reach beyond the SIPRI data, which cover {first}–{last}"
        )
    present = [c for c in TIMELINE_CATEGORIES if c in set(timeline["category"])]
    chosen = _check_categories(categories, present)
    window = timeline[
        (timeline["year"] >= start) & (timeline["year"] <= end) & timeline["category"].isin(chosen)
    ].sort_values(["start", "id"])
    events = tuple(
        TimelineEvent(
            id=str(row.id),
            when=event_date_label(str(row.date), str(row.date_precision)),
            year=as_int(row.year),
            category=str(row.category),
            title=str(row.title),
            source=str(row.source),
        )
        for row in window.itertuples()
    )
    counts = {c: sum(e.category == c for e in events) for c in chosen}
    sums = derived.period_sums(yearly, start, end).iloc[0]
    share = sums["russia_share"]
    return PeriodSummary(
        start=start,
        end=end,
        categories=chosen,
        events=events,
        counts=counts,
        russia_to_china_tiv=float(sums["russia_to_china_tiv"]),
        china_imports_tiv=float(sums["china_imports_tiv"]),
        russia_share=None if pd.isna(share) else float(share),
    )


def compare_periods(
    timeline: DataFrame[TimelineSchema],
    yearly: DataFrame[RussiaChinaYearlySchema],
    first: tuple[int, int],
    second: tuple[int, int],
    categories: Iterable[str] | None = None,
) -> PeriodComparison:
    """:func:`summarise_period` for two ranges with the same categories."""
    chosen = None if categories is None else tuple(categories)
    return PeriodComparison(
        first=summarise_period(timeline, yearly, *first, categories=chosen),
        second=summarise_period(timeline, yearly, *second, categories=chosen),
    )


DEFAULT_FIRST: tuple[int, int] = (1992, 2013)
"""Period A the explorer starts with: Russia (not the Soviet Union) as supplier, to Crimea."""
DEFAULT_SECOND: tuple[int, int] = (2014, 2023)
"""Period B the explorer starts with: after Crimea."""


def year_range(
    timeline: DataFrame[TimelineSchema], yearly: DataFrame[RussiaChinaYearlySchema]
) -> tuple[int, int]:
    """The years both the timeline and the yearly series cover: the explorer's choices."""
    low = max(int(timeline["year"].min()), int(yearly["year"].min()))
    high = min(int(timeline["year"].max()), int(yearly["year"].max()))
    return low, high


def default_comparison(
    timeline: DataFrame[TimelineSchema], yearly: DataFrame[RussiaChinaYearlySchema]
) -> PeriodComparison:
    """The comparison the explorer shows before anyone touches it (the static page's view)."""
    low, high = year_range(timeline, yearly)

    def clamp(period: tuple[int, int]) -> tuple[int, int]:
        return min(max(period[0], low), high), min(max(period[1], low), high)

    return compare_periods(timeline, yearly, clamp(DEFAULT_FIRST), clamp(DEFAULT_SECOND))


def phase_table(
    timeline: DataFrame[TimelineSchema],
    yearly: DataFrame[RussiaChinaYearlySchema],
    phases: DataFrame[PhasesTable],
) -> pd.DataFrame:
    """Per phase: events by category in the timeline beside Russian deliveries (SIPRI).

    ``phases`` is :func:`crmc.tables.phases_frame`'s frame. Columns: ``phase``,
    ``years``, one column per timeline category (event counts), ``events``,
    ``tiv_per_year`` and ``russia_share`` (module's calculations).
    """
    rows = []
    for phase in phases.itertuples():
        s = summarise_period(timeline, yearly, as_int(phase.start), as_int(phase.end))
        rows.append(
            {
                "phase": str(phase.label),
                "years": s.label,
                **s.counts,
                "events": len(s.events),
                "tiv_per_year": s.tiv_per_year,
                "russia_share": s.russia_share,
            }
        )
    return pd.DataFrame(rows).fillna({c: 0 for c in TIMELINE_CATEGORIES})


def _share_text(share: float | None) -> str:
    return "–" if share is None else f"{share:.0%}"


def format_summary(summary: PeriodSummary) -> str:
    """HTML: one sentence, the counts by category and the list of events."""
    head = (
        f"<p><strong>{summary.label}:</strong> {len(summary.events)} events in the chosen "
        f"categories. Russia delivered {summary.russia_to_china_tiv:,.0f} million TIV of major "
        f"arms to China ({summary.tiv_per_year:,.0f} a year), "
        f"{_share_text(summary.russia_share)} of China's imports "
        "(module's calculation from SIPRI data).</p>"
    )
    counts = html_table(
        ["Category", "Events"],
        summary.counts.items(),
        caption=f"Events by category, {summary.label}",
    )
    return head + counts + _events_table(summary.events, summary.label)


def _events_table(events: Sequence[TimelineEvent], label: str) -> str:
    """The events of one range as a table, folded into a ``<details>`` element."""
    summary = f"<summary>Events, {html.escape(label)} ({len(events)})</summary>"
    if not events:
        empty = "<p><em>No events in the chosen categories.</em></p>"
        return f"<details open>{summary}{empty}</details>"
    table = html_table(
        ["Date", "Category", "Event"],
        [[e.when, e.category, e.title] for e in events],
        caption=f"Events, {label}",
    )
    return f"<details>{summary}{table}</details>"


def format_comparison(comparison: PeriodComparison) -> str:
    """HTML: a sentence, a side-by-side table and the events of both periods."""
    a, b = comparison.first, comparison.second
    ratio = comparison.tiv_per_year_ratio
    head = (
        f"<p><strong>{a.label} compared with {b.label}:</strong> {len(a.events)} and "
        f"{len(b.events)} events in the chosen categories; Russia delivered "
        f"{a.tiv_per_year:,.0f} and {b.tiv_per_year:,.0f} million TIV a year"
        + ("" if ratio is None else f" (the second is {ratio:.0%} of the first)")
        + ". TIV figures are the module's calculation from SIPRI data.</p>"
    )
    rows: list[list[object]] = [[f"Events: {c}", a.counts[c], b.counts[c]] for c in a.categories]
    rows += [
        ["Events, all chosen categories", len(a.events), len(b.events)],
        [
            "Russia → China, million TIV",
            f"{a.russia_to_china_tiv:,.0f}",
            f"{b.russia_to_china_tiv:,.0f}",
        ],
        ["Russia → China, million TIV a year", f"{a.tiv_per_year:,.0f}", f"{b.tiv_per_year:,.0f}"],
        [
            "Russia's share of China's imports",
            _share_text(a.russia_share),
            _share_text(b.russia_share),
        ],
    ]
    table = html_table(["Measure", a.label, b.label], rows, caption="Two periods compared")
    return head + table + _events_table(a.events, a.label) + _events_table(b.events, b.label)


class TimelineExplorer(widgets.VBox):  # type: ignore[misc,unused-ignore]  # ipywidgets: Any
    """Pick a period and categories, optionally a second period to compare with.

    Years are chosen with drop-downs rather than range sliders: ipywidgets' slider handles
    carry no accessible name.
    """

    def __init__(
        self,
        timeline: DataFrame[TimelineSchema],
        yearly: DataFrame[RussiaChinaYearlySchema],
        first: tuple[int, int] = DEFAULT_FIRST,
        second: tuple[int, int] = DEFAULT_SECOND,
    ) -> None:
        self.timeline = timeline
        self.yearly = yearly
        low, high = year_range(timeline, yearly)
        years = list(range(low, high + 1))
        present = [c for c in TIMELINE_CATEGORIES if c in set(timeline["category"])]
        self.first_start = year_menu(years, first[0], "A from")
        self.first_end = year_menu(years, first[1], "A to")
        self.second_start = year_menu(years, second[0], "B from")
        self.second_end = year_menu(years, second[1], "B to")
        self.compare = widgets.Checkbox(value=True, description="Compare period A with period B")
        self.categories = widgets.SelectMultiple(
            options=present, value=tuple(present), rows=len(present), description="Categories"
        )
        self.output = widgets.HTML()
        controls = (
            self.first_start,
            self.first_end,
            self.second_start,
            self.second_end,
            self.compare,
            self.categories,
        )
        for control in controls:
            control.observe(self._update, names="value")
        super().__init__(
            [
                widgets.HBox([self.first_start, self.first_end]),
                self.compare,
                widgets.HBox([self.second_start, self.second_end]),
                self.categories,
                self.output,
            ]
        )
        self._update()

    @property
    def first(self) -> tuple[int, int]:
        """Period A as (start, end)."""
        return int(self.first_start.value), int(self.first_end.value)

    @property
    def second(self) -> tuple[int, int]:
        """Period B as (start, end)."""
        return int(self.second_start.value), int(self.second_end.value)

    def _update(self, _change: object = None) -> None:
        self.second_start.disabled = self.second_end.disabled = not self.compare.value
        categories = tuple(self.categories.value)
        try:
            if self.compare.value:
                comparison = compare_periods(
                    self.timeline, self.yearly, self.first, self.second, categories
                )
                self.output.value = format_comparison(comparison)
            else:
                summary = summarise_period(self.timeline, self.yearly, *self.first, categories)
                self.output.value = format_summary(summary)
        except ValueError as error:
            self.output.value = alert_html(error)
