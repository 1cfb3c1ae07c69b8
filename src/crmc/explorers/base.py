"""The pattern every explorer follows: plain logic, thin widget view.

An explorer's logic is a pure function (tested without a browser). Its widget holds the
controls and one ``HTML`` output that it re-renders from that function whenever a control
changes. On the static site the widget shows its initial state; the note says how to make
it live.
"""

from __future__ import annotations

import html

import ipywidgets as widgets

from crmc.html import html_table

__all__ = ["STATIC_NOTE", "alert_html", "html_table", "note_widget", "year_menu"]

STATIC_NOTE = (
    "Interactive in a live notebook: launch this page in Binder or JupyterHub "
    "(rocket button at the top). On the static page it shows its initial state."
)


def note_widget() -> widgets.HTML:
    """The one-line note on how to make an explorer live."""
    return widgets.HTML(
        f'<p class="crmc-explorer-note"><small>{html.escape(STATIC_NOTE)}</small></p>'
    )


def year_menu(years: list[int], value: int, name: str) -> widgets.Dropdown:
    """A year drop-down starting at ``value`` (clamped into ``years``). Drop-downs, not range
    sliders: ipywidgets' slider handles carry no accessible name."""
    return widgets.Dropdown(
        options=years, value=min(max(value, years[0]), years[-1]), description=name
    )


def alert_html(error: Exception) -> str:
    """What an explorer shows instead of its result when the choice is invalid."""
    return f'<p role="alert"><em>{html.escape(str(error))}.</em></p>'
