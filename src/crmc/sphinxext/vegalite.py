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


def chart_html(spec: dict[str, Any], chart_id: str) -> str:
    """HTML for one chart: the container, its spec, and its text alternative."""
    description = str(spec.get("description") or "")
    # "</" could close the script element early; JSON allows escaping the slash.
    payload = json.dumps(spec, separators=(",", ":")).replace("</", "<\\/")
    parts = [
        f'<figure class="{CHART_CLASS}" id="{html.escape(chart_id)}">',
        f'<div class="crmc-vega-view" role="img" aria-label="{html.escape(description)}"></div>',
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
