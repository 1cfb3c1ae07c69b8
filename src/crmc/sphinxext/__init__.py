"""Sphinx extension: draws the module's Altair charts offline.

Charts leave the notebooks as a Vega-Lite spec under :data:`crmc.mime.CHART_MIME_TYPE`
(see :mod:`crmc.charts.render`). :mod:`crmc.sphinxext.vegalite` turns that output into a
container holding the spec; this extension serves pinned Vega, Vega-Lite and vega-embed
from its own static folder and loads them only on pages that contain a chart, so the
built site asks no host but its own for anything.

Enable it in ``_config.yml``::

    sphinx:
      extra_extensions: [crmc.sphinxext]
"""

from __future__ import annotations

from typing import Any

from crmc import __version__

CHART_CLASS = "crmc-vega"
"""CSS class of every chart container; the page-level script looks for it."""

CHART_SCRIPTS = (
    "crmc/vendor/vega/vega.min.js",
    "crmc/vendor/vega-lite/vega-lite.min.js",
    "crmc/vendor/vega-embed/vega-embed.min.js",
    "crmc/crmc-charts.js",
)
"""Loaded in this order (vega-embed's UMD bundle needs the ``vega`` and ``vegaLite`` globals)."""

WIDGETS_SCRIPT = "crmc/vendor/html-manager/embed.js"
"""Standalone ipywidgets html-manager; point ``nb_ipywidgets_js`` at it (no require.js)."""


def _add_static_path(app: Any) -> None:
    from pathlib import Path

    static = str(Path(__file__).with_name("static"))
    if static not in app.config.html_static_path:
        app.config.html_static_path.append(static)


def _drop_duplicate_scripts(
    app: Any, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    # Jupyter Book 1.0.4 registers sphinx-thebe's inline config script twice; the second
    # copy redeclares a `const` and throws on every page. Keep the first of identical scripts.
    scripts = context.get("script_files")
    if not scripts:
        return
    seen: set[tuple[str, str]] = set()
    unique = []
    for script in scripts:
        attributes = getattr(script, "attributes", {})
        # An inline script is registered once with filename None and once with "".
        key = (str(getattr(script, "filename", None) or ""), repr(sorted(attributes.items())))
        if key in seen:
            continue
        seen.add(key)
        unique.append(script)
    scripts[:] = unique  # in place: later handlers add to this same list


def _add_chart_scripts(
    app: Any, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    # Only pages that hold a chart pay for the ~830 KB of Vega bundles.
    if CHART_CLASS not in context.get("body", ""):
        return
    # Priority 400+: before the widgets bundle (myst-nb adds it at the default 500). All are
    # deferred and run in order, and crmc-charts.js draws as soon as it runs, so charts are
    # drawn before the 1.9 MB html-manager is even parsed.
    for priority, script in enumerate(CHART_SCRIPTS, start=400):
        app.add_js_file(script, priority=priority, defer="defer")
    app.add_css_file("crmc/crmc-charts.css")


def setup(app: Any) -> dict[str, Any]:
    """Register the static folder and the per-page chart scripts."""
    # builder-inited: the static path must be known before Sphinx copies static files.
    app.connect("builder-inited", _add_static_path)
    # html-page-context: add the chart scripts to this page only, after its body is known.
    app.connect("html-page-context", _add_chart_scripts)
    # html-page-context, early (priority 100): Sphinx emits this event with emit_firstresult, and
    # a theme handler that returns a value stops later handlers; the duplicates exist already.
    app.connect("html-page-context", _drop_duplicate_scripts, priority=100)
    return {"version": __version__, "parallel_read_safe": True, "parallel_write_safe": True}
