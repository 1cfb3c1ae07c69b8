"""Small accessible HTML pieces that pages and explorers show: tables and source lists.

Every cell is escaped here, so no page or explorer builds HTML by hand.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence

import pandas as pd

__all__ = ["definition_list", "html_table", "later_events_html", "source_links_html"]


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


_URL = re.compile(r"https?://[^\s;]+")


def source_links_html(source: str) -> str:
    """A ``source`` cell as HTML: each URL a link labelled with its site, other text escaped.

    ``"https://bis.gov/node/7120 ; Lukin 2021"`` → ``<a href="https://bis.gov/node/7120">bis.gov</a>;
    Lukin 2021``. Long URLs would not wrap in a narrow column; site names do.
    """
    parts = []
    for part in (p.strip() for p in source.split(" ; ") if p.strip()):
        match = _URL.search(part)
        if match is None:
            parts.append(html.escape(part))
            continue
        url = match.group(0)
        site = re.sub(r"^www\.", "", url.split("/")[2])
        rest = (part[: match.start()] + part[match.end():]).strip()
        link = f'<a href="{html.escape(url)}">{html.escape(site)}</a>'
        parts.append(f"{link} {html.escape(rest)}".strip())
    return "; ".join(parts)


def later_events_html(table: pd.DataFrame) -> str:
    """:func:`later_events_table` as an HTML list: date and title, what happened, the
    interview point it bears on (module's reading) and linked sources."""
    items = "".join(
        f"<li><p><strong>{html.escape(str(r.when))}: {html.escape(str(r.title))}.</strong> "
        f"{html.escape(str(r.description))}</p>"
        f"<p><em>Bears on (module's reading):</em> {html.escape(str(r.bears_on))}. "
        f"<em>Sources:</em> {source_links_html(str(r.source))}</p></li>"
        for r in table.itertuples()
    )
    return f'<ul class="crmc-later-events">{items}</ul>'


def definition_list(items: Iterable[tuple[str, str]]) -> str:
    """Terms and their definitions as an HTML ``<dl>``, escaped."""
    body = "".join(f"<dt>{html.escape(t)}</dt><dd>{html.escape(d)}</dd>" for t, d in items)
    return f"<dl>{body}</dl>"
