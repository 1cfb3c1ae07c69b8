"""MyST-NB mime renderer for the module's Vega-Lite chart outputs.

Registered under the ``myst_nb.mime_renderers`` entry point (see ``pyproject.toml``).
It writes the spec into the page as inert JSON inside a ``div.crmc-vega`` container;
``static/crmc/crmc-charts.js`` draws it with the locally served vega-embed, and
:mod:`crmc.sphinxext` loads those scripts only where such a container exists. From the
package it imports only the leaf :mod:`crmc.mime`, so Sphinx never loads a chart module.
"""

from __future__ import annotations

import html
import json
from collections.abc import Sequence
from typing import Any, ClassVar

from docutils import nodes

from crmc.mime import CHART_MIME_TYPE
from crmc.sphinxext import CHART_CLASS

DEFAULT_VIEW_HEIGHT = 300
"""Vega-Lite's default height of a continuous view (px)."""


def _lines(text: object) -> int:
    return len(text) if isinstance(text, list) else (1 if text else 0)


def _title_height(title: object) -> int:
    if isinstance(title, dict):
        return 22 * _lines(title.get("text")) + 16 * _lines(title.get("subtitle")) + 12
    return 22 * _lines(title) + 12 if title else 0


def _distinct(spec: dict[str, Any], datasets: dict[str, Any], field: str) -> int:
    data = spec.get("data") or {}
    rows = data.get("values") or datasets.get(str(data.get("name", "")), [])
    return len({str(row.get(field)) for row in rows if isinstance(row, dict)}) or 10


def _view_height(spec: dict[str, Any], datasets: dict[str, Any], inherited: Any = None) -> int:
    height = spec.get("height", inherited)
    if "vconcat" in spec:
        return sum(
            _view_height(c, datasets) + _title_height(c.get("title")) for c in spec["vconcat"]
        ) + 20 * (len(spec["vconcat"]) - 1)
    if "hconcat" in spec or "concat" in spec:
        children = spec.get("hconcat") or spec.get("concat") or []
        return max(
            (_view_height(c, datasets) + _title_height(c.get("title")) for c in children), default=0
        )
    if isinstance(height, (int, float)):
        return int(height) + 45  # plus the x axis and its title
    if isinstance(height, dict) and "step" in height:
        layers = [spec, *spec.get("layer", [])]
        y: dict[str, Any] = next(
            (s["encoding"]["y"] for s in layers if "y" in s.get("encoding", {})), {}
        )
        return int(height["step"]) * _distinct(spec, datasets, str(y.get("field", ""))) + 45
    return DEFAULT_VIEW_HEIGHT + 45


def reserved_height(spec: dict[str, Any]) -> int:
    """An estimate (px) of the drawn chart's height, reserved before it draws (no layout jump)."""
    datasets = spec.get("datasets") or {}
    bindings = sum(1 for p in spec.get("params", []) if isinstance(p, dict) and p.get("bind"))
    height = _title_height(spec.get("title")) + _view_height(spec, datasets) + 34 * bindings
    return max(120, min(height, 1600))


TABLE_ROWS = 10
"""Rows a chart's data table shows; the rest are counted and left to the CSV downloads."""
TABLE_COLUMNS = 6
CELL_CHARS = 90
DATA_PAGE = "book/data-sources"
"""The page with the CSV downloads (its "Download the data" section)."""


def _views(spec: dict[str, Any], data: Any = None) -> list[tuple[Any, dict[str, Any]]]:
    """Every view of ``spec`` (layers and concatenations) with the data it draws."""
    data = spec.get("data", data)
    found = [(data, spec)] if "encoding" in spec else []
    for key in ("layer", "vconcat", "hconcat", "concat"):
        for child in spec.get(key, []):
            found += _views(child, data)
    return found


def _cell(value: Any, fmt: str | None) -> str:
    if value is None or value != value:  # None or NaN
        return ""
    if fmt and isinstance(value, (int, float)) and not isinstance(value, bool):
        try:
            return format(value, fmt)
        except ValueError:
            pass
    text = str(value)
    return text if len(text) <= CELL_CHARS else text[: CELL_CHARS - 1].rstrip() + "…"


def data_table(spec: dict[str, Any]) -> tuple[list[str], list[list[str]], int] | None:
    """What the tooltips give, as a table: (headers, rows, total rows), from the view whose
    tooltip fields are most present in its data; ``None`` when no view has two such fields
    (a chart whose tooltips show only computed values, such as the what-if model)."""
    datasets = spec.get("datasets") or {}
    best: tuple[list[str], list[list[str]], int] | None = None
    for data, view in _views(spec):
        tips = view["encoding"].get("tooltip")
        if not isinstance(tips, list) or not isinstance(data, dict):
            continue
        rows = data.get("values") or datasets.get(str(data.get("name", "")), [])
        present = [t for t in tips if isinstance(t, dict) and any(t.get("field") in r
                                                                 for r in rows)]
        present = present[:TABLE_COLUMNS]
        if len(present) < 2 or (best and len(present) <= len(best[0])):
            continue
        body = list(dict.fromkeys(
            tuple(_cell(r.get(t["field"]), t.get("format")) for t in present) for r in rows
        ))
        headers = [str(t.get("title") or t["field"]) for t in present]
        best = (headers, [list(r) for r in body[:TABLE_ROWS]], len(body))
    return best


def _table_html(table: tuple[list[str], list[list[str]], int], data_page: str) -> str:
    headers, rows, total = table
    shown = f"all {total} rows" if total <= len(rows) else f"the first {len(rows)} of {total} rows"
    head = "".join(f'<th scope="col">{html.escape(h)}</th>' for h in headers)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>" for row in rows
    )
    # A scrolling region is focusable, so a keyboard reaches every column of a wide table.
    return (
        '<div class="crmc-chart-data" role="region" tabindex="0" '
        'aria-label="Data shown in the chart" style="overflow-x:auto">'
        f"<table><caption>Data shown in the chart ({shown})</caption>"
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>"
        f'<p>Every row, as CSV: <a href="{html.escape(data_page)}#download-the-data">'
        "Data and sources, Download the data</a>.</p>"
    )


def chart_html(spec: dict[str, Any], chart_id: str, data_page: str = "data-sources.html") -> str:
    """HTML for one chart: the container, its spec, and its text alternative (the
    description in ``aria-label``; the disclosure under the chart holds the chart's data as a
    short table, or the description when the chart has no such table)."""
    description = str(spec.get("description") or "")
    # "</" could close the script element early; JSON allows escaping the slash.
    payload = json.dumps(spec, separators=(",", ":")).replace("</", "<\\/")
    parts = [
        f'<figure class="{CHART_CLASS}" id="{html.escape(chart_id)}">',
        # The view reserves the chart's estimated height and says it is loading until it draws.
        f'<div class="crmc-vega-view" role="img" aria-label="{html.escape(description)}" '
        f'style="min-height:{reserved_height(spec)}px">'
        '<p class="crmc-chart-loading" aria-hidden="true">Loading chart…</p></div>',
        f'<script type="application/json" class="crmc-vega-spec">{payload}</script>',
    ]
    table = data_table(spec)
    if description or table:
        inside = _table_html(table, data_page) if table else f"<p>{html.escape(description)}</p>"
        parts.append(
            '<details class="crmc-chart-description"><summary>Text description of the chart'
            f"</summary>{inside}</details>"
        )
    parts.append("</figure>")
    return "".join(parts)


class VegaLiteMimeRenderer:
    """Render :data:`CHART_MIME_TYPE` outputs on HTML builders."""

    # Prefer the spec over the text/html fallback (which loads Vega from a CDN).
    mime_priority_overrides: ClassVar[Sequence[tuple[str, str, int | None]]] = [
        ("html", CHART_MIME_TYPE, 1),
        ("dirhtml", CHART_MIME_TYPE, 1),
        ("singlehtml", CHART_MIME_TYPE, 1),
    ]

    @staticmethod
    def handle_mime(renderer: Any, data: Any, inline: bool) -> list[nodes.Element] | None:
        """Return a raw HTML node for a chart output, or ``None`` for any other mime type."""
        if inline or data.mime_type != CHART_MIME_TYPE:
            return None
        spec = data.content if isinstance(data.content, dict) else json.loads(data.content)
        chart_id = f"crmc-chart-{data.cell_index}-{data.output_index}"
        return [nodes.raw("", chart_html(spec, chart_id, _data_page(renderer)), format="html")]


def _data_page(renderer: Any) -> str:
    """The data page's URL relative to the page being written (Sphinx's html builder)."""
    env = getattr(getattr(renderer, "renderer", None), "sphinx_env", None)
    docname = str(getattr(env, "docname", "book/intro"))
    up = "../" * docname.count("/")
    return f"{up}{DATA_PAGE}.html"
