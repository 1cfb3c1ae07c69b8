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


def chart_html(spec: dict[str, Any], chart_id: str) -> str:
    """HTML for one chart: the container, its spec, and its text alternative."""
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
    if description:
        parts.append(
            '<details class="crmc-chart-description"><summary>Text description of the chart'
            f"</summary><p>{html.escape(description)}</p></details>"
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
        return [nodes.raw("", chart_html(spec, chart_id), format="html")]
