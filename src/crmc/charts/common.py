"""Small pieces shared by the chart functions."""

from __future__ import annotations

import altair as alt

SIPRI_CREDIT = "Source: SIPRI Arms Transfers Database"
OWN_CALCULATION = "The module's own calculation from SIPRI data, not a SIPRI figure."


def titled(text: str, *subtitle: str) -> alt.TitleParams:
    """A chart title with optional subtitle lines (sources, caveats)."""
    return alt.TitleParams(text=text, subtitle=list(subtitle) if subtitle else alt.Undefined)
