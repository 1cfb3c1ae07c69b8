"""Small pieces shared by the chart functions."""

from __future__ import annotations

import altair as alt

from crmc.data import SIPRI_CREDIT

__all__ = ["OWN_CALCULATION", "SIPRI_CREDIT", "event_tooltips", "titled"]

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
