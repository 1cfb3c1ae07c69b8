"""The module's one Altair theme, registered once.

Chart functions never call ``configure_*``: sizes, fonts and the palette live here.
"""

from __future__ import annotations

import altair as alt

THEME_NAME = "crmc"

OKABE_ITO = [
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#D55E00",  # vermillion
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#000000",  # black
    "#F0E442",  # yellow: last, it is faint on white
]
"""Okabe & Ito's colour-blind-safe categorical palette (Okabe and Ito, 2008)."""

FONT = "Helvetica Neue, Helvetica, Arial, DejaVu Sans, sans-serif"
CHART_HEIGHT = 300
"""Default height; widths follow the page column (``width="container"`` in chart functions)."""


@alt.theme.register(THEME_NAME, enable=False)
def crmc_theme() -> alt.theme.ThemeConfig:
    """Readable type, the Okabe-Ito palette and a height that fits the book's column."""
    return alt.theme.ThemeConfig(
        config={
            "font": FONT,
            "view": {"continuousHeight": CHART_HEIGHT, "continuousWidth": 600, "stroke": None},
            "range": {"category": OKABE_ITO},
            # Single-series marks take the palette's first colour, not Vega's default blue.
            "mark": {"color": OKABE_ITO[0]},
            "title": {
                "fontSize": 16,
                "anchor": "start",
                "subtitleFontSize": 12,
                "subtitleColor": "#444444",
                "offset": 8,
            },
            "axis": {
                "labelFontSize": 12,
                "titleFontSize": 13,
                "gridColor": "#dddddd",
                "labelColor": "#222222",
                "titleColor": "#222222",
            },
            "legend": {
                "labelFontSize": 12,
                "titleFontSize": 13,
                "orient": "bottom",
                "direction": "horizontal",
                "columns": 3,
                "labelLimit": 220,
            },
            "header": {"labelFontSize": 12, "titleFontSize": 13},
            "text": {"fontSize": 12, "color": "#222222"},
        }
    )


def enable_theme() -> None:
    """Make the module's theme the active one."""
    alt.theme.enable(THEME_NAME)
