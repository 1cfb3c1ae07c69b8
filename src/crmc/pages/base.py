"""The :class:`Page` a page module builds, and the helpers several pages share."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from pandera.typing import DataFrame

from crmc.data.schemas import ClaimsSchema, SipriRegisterSchema, TimelineSchema
from crmc.html import html_table
from crmc.tables import event_when

__all__ = [
    "Fact",
    "Page",
    "claims_html",
    "deal_facts",
    "deals_between",
    "event_dates",
    "event_year",
    "one_deal",
    "series_years",
    "year_list",
]

Fact = str | int | float
"""A value quoted in prose: glued as text (``{glue:text}``)."""


@dataclass(frozen=True)
class Page:
    """What one book page quotes and shows; built by ``crmc.pages.<name>.build()``."""

    name: str
    facts: Mapping[str, Fact]
    """Glue name → value, for ``{glue:text}`name``` in the prose."""
    blocks: Mapping[str, str] = field(default_factory=dict)
    """Glue name → HTML, for a ``{glue:} name`` directive (tables inside admonitions)."""
    tables: Mapping[str, str] = field(default_factory=dict)
    """Name → HTML shown by a visible cell: ``page.show("name")``."""
    frames: Mapping[str, pd.DataFrame] = field(default_factory=dict)
    """Name → data frame the page's chart and explorer calls take: ``page.<name>``."""
    selfcheck_facts: Mapping[str, Fact] = field(default_factory=dict)
    """Facts only the page's self-check quotes (set by :func:`crmc.pages.build`)."""

    def __getattr__(self, name: str) -> pd.DataFrame:
        # Only reached for names that are not fields: the page's frames.
        frames: Mapping[str, pd.DataFrame] = self.__dict__.get("frames", {})
        if name in frames:
            return frames[name]
        raise AttributeError(f"page {self.__dict__.get('name')!r} has no frame {name!r}")

    def show(self, name: str) -> Any:
        """One of the page's tables as displayable HTML."""
        from IPython.display import HTML

        if name not in self.tables:
            known = ", ".join(sorted(self.tables)) or "none"
            raise KeyError(f"page {self.name!r} has no table {name!r} (tables: {known})")
        return HTML(self.tables[name])  # type: ignore[no-untyped-call]  # IPython: untyped

    def self_check(self) -> Any:
        """The page's self-check questions (:mod:`crmc.selfcheck`), commit-first."""
        from crmc.selfcheck import SelfCheck

        return SelfCheck(self.name, {**self.facts, **self.selfcheck_facts})

    def glue(self) -> None:
        """Glue every fact and block into the notebook, without displaying them."""
        from IPython.display import HTML
        from myst_nb import glue

        for name, value in self.facts.items():
            glue(name, value, display=False)
        for name, block in self.blocks.items():
            glue(name, HTML(block), display=False)  # type: ignore[no-untyped-call]


def event_dates(
    timeline: DataFrame[TimelineSchema], events: Mapping[str, str], prefix: str = "when_"
) -> dict[str, Fact]:
    """Reader's dates of timeline events: ``{prefix + key: "26 April 1996", ...}``."""
    return {f"{prefix}{key}": event_when(timeline, event_id) for key, event_id in events.items()}


def event_year(timeline: DataFrame[TimelineSchema], event_id: str) -> int:
    """The year of one timeline event; ``KeyError`` naming the id when there is none."""
    rows = timeline.loc[timeline["id"] == event_id, "year"]
    if rows.empty:
        raise KeyError(f"no event {event_id!r} in the timeline")
    return int(rows.iloc[0])


def series_years(timeline: DataFrame[TimelineSchema], title_prefix: str) -> list[int]:
    """Years of the timeline's exercises whose title starts with ``title_prefix`` (a named
    series such as "Peace Mission"), each year once, in order."""
    chosen = timeline[
        (timeline["category"] == "exercise") & timeline["title"].str.startswith(title_prefix)
    ]
    if chosen.empty:
        raise KeyError(f"no exercise titled {title_prefix!r}… in the timeline")
    return sorted({int(y) for y in chosen["year"]})


def year_list(years: Sequence[int]) -> str:
    """Years as prose: ``[2007, 2009, 2013]`` → ``"2007, 2009 and 2013"``."""
    text = [str(y) for y in years]
    if not text:
        raise ValueError("no years to list")
    return text[0] if len(text) == 1 else f"{', '.join(text[:-1])} and {text[-1]}"


def deals_between(register: DataFrame[SipriRegisterSchema]) -> dict[str, int]:
    """Register deals each way: ``deals_to_china`` (Russia or the Soviet Union as supplier)
    and ``deals_to_russia`` (China as supplier)."""
    pairs = register.groupby(["supplier", "recipient"]).size()
    to_china = pairs.get(("Russia", "China"), 0) + pairs.get(("Soviet Union", "China"), 0)
    return {
        "deals_to_china": int(to_china),
        "deals_to_russia": int(pairs.get(("China", "Russia"), 0)),
    }


def _span(years: Sequence[int]) -> str:
    return f"{min(years)}–{max(years)}"


def deal_facts(deal: pd.Series, prefix: str) -> dict[str, Fact]:
    """One register deal's order year, numbers and delivery span, each named ``prefix_*``."""
    return {
        f"{prefix}_order_year": int(deal["order_year"]),
        f"{prefix}_ordered": int(deal["number_ordered"]),
        f"{prefix}_delivered": int(deal["number_delivered"]),
        f"{prefix}_deliveries": _span(list(deal["delivery_years"])),
    }


def one_deal(register: DataFrame[SipriRegisterSchema], supplier: str, **match: str) -> pd.Series:
    """The first register deal from ``supplier`` whose columns equal ``match``; a clear error
    when there is none."""
    rows = register[register["supplier"] == supplier]
    for column, value in match.items():
        rows = rows[rows[column] == value]
    if rows.empty:
        raise KeyError(f"no register deal from {supplier} with {match}")
    return rows.iloc[0]


def claims_html(
    claims: DataFrame[ClaimsSchema], questions: Iterable[int], header: Sequence[str], caption: str,
    columns: Sequence[str] = ("claim", "verdict", "evidence"),
) -> str:
    """The fact-check table of the interview's claims on ``questions``."""
    chosen = claims[claims["question"].isin(list(questions))]
    return html_table(header, chosen[list(columns)].itertuples(index=False), caption=caption)
