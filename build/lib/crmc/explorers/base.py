"""The pattern every explorer follows: plain logic, thin widget view.

An explorer's logic is a pure function (tested without a browser). Its widget holds the
controls and one ``HTML`` output that it re-renders from that function whenever a control
changes. On the static site the widget shows its initial state; the note says how to make
it live.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence

import ipywidgets as widgets

STATIC_NOTE = (
    "Interactive in a live notebook: launch this page in Binder or JupyterHub "
    "(rocket button at the top). On the static page it shows its initial state."
)


def note_widget() -> widgets.HTML:
    """The one-line note on how to make an explorer live."""
    return widgets.HTML(
        f'<p class="crmc-explorer-note"><small>{html.escape(STATIC_NOTE)}</small></p>'
    )


def html_table(header: Sequence[str], rows: Iterable[Sequence[object]], caption: str = "") -> str:
    """A small accessible HTML table (escaped cells, a caption, header cells with scope)."""
    head = "".join(f'<th scope="col">{html.escape(str(h))}</th>' for h in header)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(str(cell))}</td>" for cell in row) + "</tr>"
        for row in rows
    )
    cap = f"<caption>{html.escape(caption)}</caption>" if caption else ""
    return (
        f'<table class="crmc-explorer-table">{cap}'
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    )
