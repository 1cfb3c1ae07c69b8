"""One call that prepares a page or exercise notebook (the hidden first cell).

In a live notebook (JupyterLab, Binder, a hub) each chart's ``text/html`` output draws the spec
with the module's own vendored Vega bundles, fetched from the notebook's server
(:mod:`crmc.jupyter_server`, at ``{base_url}crmc/static/``), never from a CDN: a hub without
outside network shows every chart. The site ignores this HTML and draws the spec itself.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from crmc.charts.render import RENDERER_NAME, chart_bundle
from crmc.charts.theme import enable_theme

VENDOR_SCRIPTS = (
    "vendor/vega/vega.min.js",
    "vendor/vega-lite/vega-lite.min.js",
    "vendor/vega-embed/vega-embed.min.js",
)
"""Paths below ``crmc/static/`` (:data:`crmc.jupyter_server.STATIC_ROUTE`), loaded in order."""

LIVE_TEMPLATE = """<div id="{id}" class="crmc-live-chart" role="figure" aria-label="{label}"></div>
<script>
(function () {{
  const el = document.getElementById("{id}");
  const spec = {spec};
  const config = document.getElementById("jupyter-config-data");
  const base = config ? JSON.parse(config.textContent).baseUrl || "/" : "/";
  const root = base.replace(/\\/?$/, "/") + "crmc/static/";
  const scripts = {scripts};
  function load(src) {{
    window.__crmcVega = window.__crmcVega || {{}};
    if (!window.__crmcVega[src]) {{
      window.__crmcVega[src] = new Promise(function (resolve, reject) {{
        const s = document.createElement("script");
        s.src = root + src;
        s.onload = resolve;
        s.onerror = function () {{ reject(new Error("cannot load " + root + src)); }};
        document.head.appendChild(s);
      }});
    }}
    return window.__crmcVega[src];
  }}
  scripts.reduce(function (p, src) {{ return p.then(function () {{ return load(src); }}); }},
                 Promise.resolve())
    .then(function () {{ return window.vegaEmbed(el, spec, {{actions: false}}); }})
    .then(function () {{ el.dataset.crmcDrawn = "true"; }})
    .catch(function (err) {{
      el.dataset.crmcDrawn = "error";
      el.textContent = "This chart could not be drawn: " + err.message;
      el.setAttribute("role", "alert");
      console.error(err);
    }});
}})();
</script>"""


def live_html(spec: dict[str, Any]) -> str:
    """HTML that draws ``spec`` with the vendored Vega served by the notebook's own server."""
    title = spec.get("title")
    if isinstance(title, dict):
        title = title.get("text")
    label = str(title or spec.get("description") or "Chart").replace('"', "&quot;")
    return LIVE_TEMPLATE.format(
        id=f"crmc-chart-{uuid.uuid4().hex}",
        label=label,
        spec=json.dumps(spec).replace("</", "<\\/"),
        scripts=json.dumps(list(VENDOR_SCRIPTS)),
    )


def live_bundle(spec: dict[str, Any], **metadata: Any) -> dict[str, Any]:
    """The chart bundle with the CDN-free live HTML in place of Altair's."""
    bundle = chart_bundle(spec, **metadata)
    bundle["text/html"] = live_html(spec)
    return bundle


def enable_live_renderer() -> None:
    """Register (or re-register) the ``crmc`` renderer with the live HTML, and enable it."""
    import altair as alt

    alt.renderers.register(RENDERER_NAME, live_bundle)
    alt.renderers.enable(RENDERER_NAME)


def setup_notebook() -> None:
    """Enable the module's Altair theme and its offline chart renderer."""
    enable_theme()
    enable_live_renderer()
