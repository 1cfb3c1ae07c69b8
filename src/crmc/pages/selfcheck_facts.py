"""Facts only the self-check questions quote (``crmc/data/selfchecks/<page>.yml``), kept apart
from the pages' own facts so each page module stays what its prose quotes."""

from __future__ import annotations

from crmc.data import DataDir, load_timeline
from crmc.pages.base import Fact, event_dates

SELFCHECK_EVENTS: dict[str, dict[str, str]] = {
    "part4": {"eu15th": "2024-12-16-eu-15th-package"},
}
"""Page → {key: timeline event id}, glued for the questions as ``when_<key>``."""


def selfcheck_facts(page: str, data_dir: DataDir = None) -> dict[str, Fact]:
    """The extra dates page ``page``'s self-check quotes (none for most pages)."""
    events = SELFCHECK_EVENTS.get(page)
    if not events:
        return {}
    return event_dates(load_timeline(data_dir), events)
