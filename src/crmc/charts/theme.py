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
BLUE, ORANGE, GREEN, VERMILLION, PURPLE, SKY_BLUE, BLACK, YELLOW = OKABE_ITO

# Greys, named by use (chart functions take these, never a literal colour).
INK = "#222222"
"""Text and axis labels; markers drawn on top of data."""
MUTED = "#444444"
"""Subtitles and reference rules (zero lines, phase means, the interview date)."""
GUIDE = "#888888"
"""Dashed guides inside a plot (the thirds of Part 2's scale)."""
ABSENT = "#999999"
"""Outlines of open ("no") squares in the matrices."""
EMPTY = "#eeeeee"
"""Cells that hold nothing (no sourced statement)."""
GRID = "#dddddd"
SHADE = "#000000"
"""Background bands, drawn at a low opacity."""
PAPER = "white"
"""Borders between cells, and text on dark cells."""

FONT = "Helvetica Neue, Helvetica, Arial, DejaVu Sans, sans-serif"
TITLE_SIZE = 16
VIEW_TITLE_SIZE = 13
"""Titles of the views inside a concatenated chart, and axis and legend titles."""
TEXT_SIZE = 12
"""Axis labels, legends, subtitles and text marks."""
SMALL_TEXT_SIZE = 11
"""Text inside matrix cells and crowded axis labels."""
LARGE_LABEL_SIZE = 14
"""Row labels that name the matrix's actors; scenario labels take :data:`VIEW_TITLE_SIZE`."""
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
                "fontSize": TITLE_SIZE,
                "anchor": "start",
                "subtitleFontSize": TEXT_SIZE,
                "subtitleColor": MUTED,
                "offset": 8,
            },
            "axis": {
                "labelFontSize": TEXT_SIZE,
                "titleFontSize": VIEW_TITLE_SIZE,
                "gridColor": GRID,
                "labelColor": INK,
                "titleColor": INK,
            },
            "legend": {
                "labelFontSize": TEXT_SIZE,
                "titleFontSize": VIEW_TITLE_SIZE,
                "orient": "bottom",
                "direction": "horizontal",
                "columns": 3,
                "labelLimit": 220,
            },
            "header": {"labelFontSize": TEXT_SIZE, "titleFontSize": VIEW_TITLE_SIZE},
            "text": {"fontSize": TEXT_SIZE, "color": INK},
        }
    )


def enable_theme() -> None:
    """Make the module's theme the active one."""
    alt.theme.enable(THEME_NAME)
