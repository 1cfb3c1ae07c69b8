"""The pattern every explorer follows: plain logic, thin widget view.

An explorer's logic is a pure function (tested without a browser). Its widget holds the
controls and one ``HTML`` output that it re-renders from that function whenever a control
changes. On the static site the widget is written as static HTML with its controls disabled,
under a banner that says why and links to the live page (``crmc.sphinxext.widgets_static``), so
the explorer itself carries no "launch this page" note: in a live notebook that note is wrong.
"""

from __future__ import annotations

import html

import ipywidgets as widgets

from crmc.html import html_table

__all__ = ["alert_html", "html_table", "year_menu"]


def year_menu(years: list[int], value: int, name: str) -> widgets.Dropdown:
    """A year drop-down starting at ``value`` (clamped into ``years``). Drop-downs, not range
    sliders: ipywidgets' slider handles carry no accessible name."""
    return widgets.Dropdown(
        options=years, value=min(max(value, years[0]), years[-1]), description=name
    )


def alert_html(error: Exception) -> str:
    """What an explorer shows instead of its result when the choice is invalid."""
    return f'<p role="alert"><em>{html.escape(str(error))}.</em></p>'
