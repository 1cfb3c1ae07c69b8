"""Open a page of the built site in headless Chromium and report what a reader would meet.

Used by the browser tests; kept apart from them so the failure detection itself can be
tested on a deliberately broken page (see ``test_broken_chart_is_caught``).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

from playwright.sync_api import BrowserContext, Page, Route
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from crmc.sphinxext.serve import serve_gzipped

LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "[::1]", "::1"}


@contextmanager
def serve(directory: Path) -> Iterator[str]:
    """Serve ``directory`` on 127.0.0.1 (a free port), not gzipped, and yield its base URL:
    the package's own loopback server, as the benchmark and the PDF build use it."""
    with serve_gzipped(directory, gzip_enabled=False) as url:
        yield url


@dataclass
class PageReport:
    """What happened while a page loaded and drew its charts and widgets."""

    url: str
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    outside_requests: list[str] = field(default_factory=list)
    charts: int = 0
    charts_drawn: int = 0
    chart_errors: list[str] = field(default_factory=list)
    widget_views: int = 0
    widgets_rendered: int = 0

    def problems(self) -> list[str]:
        """Everything that should fail a test, as readable lines."""
        lines = [f"console error: {m}" for m in self.console_errors]
        lines += [f"page error: {m}" for m in self.page_errors]
        lines += [f"failed request: {m}" for m in self.failed_requests]
        lines += [f"request outside loopback (aborted): {m}" for m in self.outside_requests]
        lines += [f"chart not drawn: {m}" for m in self.chart_errors]
        if self.charts_drawn != self.charts:
            lines.append(f"{self.charts_drawn} of {self.charts} charts drawn")
        if self.widgets_rendered != self.widget_views:
            lines.append(f"{self.widgets_rendered} of {self.widget_views} widget views rendered")
        return lines


def guard_context(context: BrowserContext, report_for: dict[str, PageReport]) -> None:
    """Abort and record every request to a host other than loopback."""

    def route(route: Route) -> None:
        host = urlparse(route.request.url).hostname or ""
        if route.request.url.startswith(("data:", "blob:")) or host in LOOPBACK_HOSTS:
            route.continue_()
            return
        for report in report_for.values():
            report.outside_requests.append(route.request.url)
        route.abort("blockedbyclient")

    context.route("**/*", route)


DRAW_TIMEOUT_MS = 15_000

_CHART_STATE_JS = """() => Array.from(document.querySelectorAll('figure.crmc-vega')).map(f => ({
  id: f.id,
  state: f.dataset.rendered || 'pending',
  marks: f.querySelectorAll('.crmc-vega-view svg .mark-rect path, .crmc-vega-view svg [class^="mark-"] *, .crmc-vega-view canvas').length,
  error: (f.querySelector('.crmc-chart-error') || {}).textContent || ''
}))"""

_WIDGET_STATE_JS = """() => ({
  // Explorers are written as static HTML at build time (crmc.sphinxext.widgets_static); a
  // widget-view script left in the page is a view nothing will ever draw.
  views: document.querySelectorAll('.crmc-static-explorer, script[type="application/vnd.jupyter.widget-view+json"]').length,
  rendered: Array.from(document.querySelectorAll('.crmc-static-explorer'))
    .filter(e => e.firstElementChild && e.firstElementChild.matches('.crmc-explorer-banner')
                 && e.querySelector('.crmc-widget')).length
})"""

# Charts below the fold draw when the reader scrolls near them: scroll to each in turn, once
# crmc-charts.js has started watching (it starts after the page's first paint).
_SCROLL_THROUGH_CHARTS_JS = """async () => {
  const figures = document.querySelectorAll('figure.crmc-vega');
  for (let i = 0; figures.length && i < 100 && !performance.getEntriesByName('crmc-charts-start').length; i++) {
    await new Promise(r => setTimeout(r, 50));
  }
  for (const f of figures) {
    f.scrollIntoView();
    await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
  }
  window.scrollTo(0, 0);
}"""


def open_page(page: Page, url: str) -> PageReport:
    """Load ``url`` and wait until every chart and widget has had its chance to draw."""
    report = PageReport(url=url)
    page.on(
        "console", lambda m: report.console_errors.append(m.text) if m.type == "error" else None
    )
    page.on("pageerror", lambda e: report.page_errors.append(str(e)))
    page.on(
        "requestfailed",
        lambda r: (
            report.failed_requests.append(f"{r.url} ({r.failure})")
            if (urlparse(r.url).hostname or "") in LOOPBACK_HOSTS
            else None
        ),
    )
    page.on(
        "response",
        lambda r: (
            report.failed_requests.append(f"{r.url} (HTTP {r.status})") if r.status >= 400 else None
        ),
    )
    page.goto(url, wait_until="load")
    page.evaluate(_SCROLL_THROUGH_CHARTS_JS)
    # A chart that never settles is reported below, not raised here.
    with contextlib.suppress(PlaywrightTimeoutError):
        page.wait_for_function(
            "() => Array.from(document.querySelectorAll('figure.crmc-vega'))"
            ".every(f => f.dataset.rendered === 'true' || f.dataset.rendered === 'error')",
            timeout=DRAW_TIMEOUT_MS,
        )
    widgets = page.evaluate(_WIDGET_STATE_JS)
    report.widget_views, report.widgets_rendered = widgets["views"], widgets["rendered"]
    for chart in page.evaluate(_CHART_STATE_JS):
        report.charts += 1
        if chart["state"] == "true" and chart["marks"] > 0:
            report.charts_drawn += 1
        else:
            report.chart_errors.append(f"{chart['id']}: {chart['state']} {chart['error']}".strip())
    return report
