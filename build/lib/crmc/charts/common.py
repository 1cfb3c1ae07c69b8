"""Small pieces shared by the chart functions."""

from __future__ import annotations

import altair as alt
import pandas as pd

SIPRI_CREDIT = "Source: SIPRI Arms Transfers Database"
OWN_CALCULATION = "The module's own calculation from SIPRI data, not a SIPRI figure."


def titled(text: str, *subtitle: str) -> alt.TitleParams:
    """A chart title with optional subtitle lines (sources, caveats)."""
    return alt.TitleParams(text=text, subtitle=list(subtitle) if subtitle else alt.Undefined)


def event_tooltips() -> list[alt.Tooltip]:
    """Tooltips for a timeline event (fields of the timeline data plus ``when`` and ``timing``)."""
    return [
        alt.Tooltip("title:N", title="Event"),
        alt.Tooltip("when:N", title="Date"),
        alt.Tooltip("timing:N", title="Timing"),
        alt.Tooltip("category:N", title="Category"),
        alt.Tooltip("description:N", title="What happened"),
        alt.Tooltip("source:N", title="Source"),
    ]


BEFORE_INTERVIEW = "Before the interview"
AFTER_INTERVIEW = "After the interview"


def event_date_label(date: str, precision: str) -> str:
    """A reader's date from an ISO date text: ``"26 April 1996"``, ``"April 2015"``, ``"1991"``."""
    stamp = pd.Timestamp(date if precision != "year" else f"{date}-01-01")
    if precision == "day":
        return f"{stamp.day} {stamp:%B %Y}"
    if precision == "month":
        return f"{stamp:%B %Y}"
    return f"{stamp.year}"


def timeline_rows(timeline: pd.DataFrame) -> pd.DataFrame:
    """Chart-ready timeline events: plain dtypes, a reader's date (``when``), ``timing``
    (:data:`BEFORE_INTERVIEW` / :data:`AFTER_INTERVIEW`) and a ``lane`` (0–2) that keeps
    nearby points of one category apart. Filter ``timeline`` first: lanes count what is shown.
    """
    rows = timeline.sort_values("start").copy()
    rows["when"] = [
        event_date_label(str(d), str(p))
        for d, p in zip(rows["date"], rows["date_precision"], strict=True)
    ]
    rows["timing"] = [
        AFTER_INTERVIEW if bool(after) else BEFORE_INTERVIEW for after in rows["after_interview"]
    ]
    rows["lane"] = rows.groupby("category").cumcount() % 3
    rows["year"] = rows["year"].astype(int)
    cols = ["id", "start", "year", "when", "title", "description", "category", "source"]
    return rows[[*cols, "timing", "lane"]].reset_index(drop=True)
