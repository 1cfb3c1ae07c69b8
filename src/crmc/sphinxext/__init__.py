"""Sphinx extension: draws the module's Altair charts offline.

Charts leave the notebooks as a Vega-Lite spec under :data:`crmc.mime.CHART_MIME_TYPE`
(see :mod:`crmc.charts.render`). :mod:`crmc.sphinxext.vegalite` turns that output into a
container holding the spec; this extension serves pinned Vega, Vega-Lite and vega-embed
from its own static folder and loads them only on pages that contain a chart, so the
built site asks no host but its own for anything.

It also makes the static site light and honest for every reader:

* the theme's all-icons ``fontawesome.js`` is replaced by a CSS subset of the icons used
  (:mod:`crmc.sphinxext.icons`);
* explorers (ipywidgets) are written as static HTML with disabled controls and a launch link
  at their top, so no page loads the widgets bundle (:mod:`crmc.sphinxext.widgets_static`);
* search indexes hyphenated names glued ("S-400" → "s400") (:mod:`crmc.sphinxext.search`).

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
"""Standalone ipywidgets html-manager (kept for pages that need a client-side widget one day;
no page loads it now: explorers are rendered statically by :mod:`crmc.sphinxext.widgets_static`)."""

SITE_CSS = "crmc/crmc-site.css"
"""Site-wide styles: tables, static explorers, dark mode, phone widths and print."""




def _add_static_path(app: Any) -> None:
    from pathlib import Path

    static = str(Path(__file__).with_name("static"))
    if static not in app.config.html_static_path:
        app.config.html_static_path.append(static)


def _use_logo_and_favicon(app: Any, config: Any) -> None:
    # The module's logo and favicon ship with the extension (a page without a favicon logs a
    # 404 on every visit); a book that sets its own keeps it.
    from pathlib import Path

    static = Path(__file__).with_name("static") / "crmc"
    if not config.html_logo:
        config.html_logo = str(static / "logo.svg")
    if not config.html_favicon:
        config.html_favicon = str(static / "favicon.svg")


def _use_icon_subset(app: Any, config: Any) -> None:
    # The theme writes its fontawesome.js <script> from the macro file static/webpack-macros.html
    # (imported by layout.html). A copy of that file without the script, generated from the
    # installed theme so its asset digests stay right, goes first on the template path.
    import re
    from pathlib import Path

    import pydata_sphinx_theme

    theme_macros = (
        Path(pydata_sphinx_theme.__file__).parent
        / "theme"
        / "pydata_sphinx_theme"
        / "static"
        / "webpack-macros.html"
    )
    text = theme_macros.read_text()
    without, count = re.subn(r"[ \t]*<script[^>]*fontawesome\.js[^>]*></script>\n?", "", text)
    if count != 1:
        raise RuntimeError(f"expected one fontawesome.js script in {theme_macros}, found {count}")
    templates = Path(app.doctreedir).parent / "crmc-templates"
    (templates / "static").mkdir(parents=True, exist_ok=True)
    target = templates / "static" / "webpack-macros.html"
    if not target.is_file() or target.read_text() != without:
        target.write_text(without)
    if str(templates) not in config.templates_path:
        config.templates_path.insert(0, str(templates))


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


def _launch_url(context: dict[str, Any]) -> str | None:
    """The first launch button's address (Binder, JupyterHub…) the theme made for this page."""
    for group in context.get("header_buttons", []) or []:
        if group.get("label") == "launch-buttons":
            for button in group.get("buttons", []):
                if button.get("url"):
                    return str(button["url"])
    return None


def _static_site_page(
    app: Any, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    # After the theme's header buttons (priority 501) and myst-nb's per-page scripts (500).
    from crmc.sphinxext import widgets_static

    scripts = context.get("script_files")
    if scripts is None:
        return
    states = [
        s for s in scripts if getattr(s, "attributes", {}).get("type") == widgets_static.STATE_MIME
    ]
    body = context.get("body", "")
    if states and widgets_static.has_views(body):
        context["body"] = widgets_static.render_views(
            body, str(states[0].attributes.get("body", "{}")), _launch_url(context), pagename
        )
    # The state was only for the html-manager, which no page loads.
    scripts[:] = [s for s in scripts if s not in states]


def setup(app: Any) -> dict[str, Any]:
    """Register the static folder, the per-page scripts and the static-site rewrites."""
    from crmc.sphinxext.icons import CSS_FILE
    from crmc.sphinxext.search import CompoundAwareEnglish

    # builder-inited: the static path must be known before Sphinx copies static files.
    app.connect("builder-inited", _add_static_path)
    # html-page-context: add the chart scripts to this page only, after its body is known.
    app.connect("html-page-context", _add_chart_scripts)
    # html-page-context, early (priority 100): Sphinx emits this event with emit_firstresult, and
    # a theme handler that returns a value stops later handlers; the duplicates exist already.
    app.connect("html-page-context", _drop_duplicate_scripts, priority=100)
    # The launch buttons open the student release (a branch of its own), see launch.py.
    from .launch import rewrite_launch_buttons

    app.add_config_value("crmc_release_branch", "", "html", types=[str])
    # html-page-context at 502: after sphinx-book-theme built the buttons (priority 501).
    app.connect("html-page-context", rewrite_launch_buttons, priority=502)
    # config-inited: the template path is read when the builder is created, before builder-inited.
    app.connect("config-inited", _use_icon_subset)
    app.connect("config-inited", _use_logo_and_favicon)
    # html-page-context after the theme's buttons (501): explorers as static HTML.
    app.connect("html-page-context", _static_site_page, priority=600)
    # Every page: the icon subset and the site's own styles (after the theme's CSS).
    app.add_css_file(CSS_FILE)
    app.add_css_file(SITE_CSS)
    # Replaces Sphinx's English search language: glued compounds in index and query.
    app.add_search_language(CompoundAwareEnglish)
    return {"version": __version__, "parallel_read_safe": True, "parallel_write_safe": True}
