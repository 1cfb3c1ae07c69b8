"""Facts of the epilogue: the events after the interview and what each bears on."""

from __future__ import annotations

from crmc import data
from crmc.data import DataDir
from crmc.html import later_events_html
from crmc.pages.base import Fact, Page, event_dates
from crmc.tables import INTERVIEW_EVENT, later_events_table

__all__ = ["build"]


def build(data_dir: DataDir = None) -> Page:
    timeline = data.load_timeline(data_dir)
    later = later_events_table(timeline)
    facts: dict[str, Fact] = event_dates(
        timeline, {"interview": INTERVIEW_EVENT, "april_drills": "2022-04-15-taiwan-drills"}
    )
    facts |= {
        "n_later": len(later),
        "first_later": str(later["when"].iloc[0]),
        "last_later": str(later["when"].iloc[-1]),
    }
    facts |= {f"when_{i}": str(w) for i, w in zip(later["id"], later["when"], strict=True)}
    return Page("epilogue", facts, tables={"later_events": later_events_html(later)})
