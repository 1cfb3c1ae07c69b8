"""How the module's charts leave a notebook.

Altair's own renderers either load Vega from a CDN (``html``) or name their output
``application/vnd.vegalite.v6.json``, which nbformat rejects. The ``crmc`` renderer
emits the spec under :data:`CHART_MIME_TYPE`, which the site's mime renderer
(:mod:`crmc.sphinxext.vegalite`) draws offline, plus Altair's ``text/html`` output for a
live JupyterLab session (Binder), which has a network.
"""

from __future__ import annotations

from typing import Any

import altair as alt

from crmc.mime import CHART_MIME_TYPE

__all__ = ["CHART_MIME_TYPE", "RENDERER_NAME", "chart_bundle", "enable_renderer"]

RENDERER_NAME = "crmc"


def chart_bundle(spec: dict[str, Any], **metadata: Any) -> dict[str, Any]:
    """Mime bundle of one chart: the spec for the site, HTML for JupyterLab, text for logs."""
    from altair.vegalite.v6.display import html_renderer

    rendered = html_renderer(spec, **metadata)
    html: dict[str, Any] = rendered[0] if isinstance(rendered, tuple) else rendered
    title = spec.get("title")
    if isinstance(title, dict):
        title = title.get("text")
    return {
        CHART_MIME_TYPE: spec,
        "text/html": html.get("text/html", ""),
        "text/plain": f"Chart: {title or 'untitled'}. {spec.get('description', '')}".strip(),
    }


def enable_renderer() -> None:
    """Register and enable the ``crmc`` renderer (idempotent)."""
    if RENDERER_NAME not in alt.renderers.names():
        alt.renderers.register(RENDERER_NAME, chart_bundle)
    alt.renderers.enable(RENDERER_NAME)
