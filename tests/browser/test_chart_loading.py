"""How a chart page gets its Vega bundles: after the first paint, never from the page head.

A chart page's head names one deferred chart script, which lists the bundles on its tag and
fetches them once the page has painted, so the text is on screen while ~280 KB of Vega arrive.
Pages without a chart fetch no Vega at all, and a bundle that fails to load leaves a visible
error in every chart instead of a forever-"Loading chart…" box.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Route

from crmc.sphinxext import CHART_BUNDLES, CHART_SCRIPT
from tests.browser.sitecheck import open_page
from tests.conftest import toc_pages

_HEAD_JS = """() => Array.from(document.querySelectorAll('script[src]')).map(s => ({
  src: s.getAttribute('src'), bundles: s.dataset.bundles || null }))"""

# Start times (ms after navigation) of the first paint and of each Vega bundle's request.
_TIMING_JS = """() => ({
  paint: (performance.getEntriesByType('paint')[0] || {}).startTime ?? null,
  bundles: performance.getEntriesByType('resource')
    .filter(r => /\\/vendor\\/vega[^/]*\\//.test(r.name))
    .map(r => ({ name: r.name, start: r.startTime }))
})"""


def _chart_pages(site_dir: Path) -> list[str]:
    return [p for p in toc_pages() if "crmc-vega" in (site_dir / f"{p}.html").read_text()]


@pytest.mark.browser
def test_chart_pages_name_no_vega_bundle_in_their_head_only_the_chart_script(
    site_dir: Path,
) -> None:
    pages = _chart_pages(site_dir)
    assert len(pages) >= 5, pages  # intro and the four parts draw charts
    for page_path in pages:
        html = (site_dir / f"{page_path}.html").read_text()
        sources = re.findall(r'<script[^>]*\bsrc="([^"]+)"', html)
        assert not [s for s in sources if "/vendor/vega" in s], page_path
        tags = re.findall(r"<script[^>]*crmc-charts\.js[^>]*>", html)
        assert len(tags) == 1 and "defer" in tags[0], (page_path, tags)
        listed = re.search(r'data-bundles="([^"]+)"', tags[0])
        assert listed, tags[0]
        names = [u.split("?")[0] for u in listed.group(1).split()]
        # In run order, each a file the site ships, each with a content digest.
        assert names == [b.removeprefix("crmc/") for b in CHART_BUNDLES]
        for url in listed.group(1).split():
            path, digest = url.split("?v=")
            assert (site_dir / "_static" / "crmc" / path).is_file(), url
            assert re.fullmatch(r"[0-9a-f]{8}", digest), url
    assert CHART_SCRIPT == "crmc/crmc-charts.js"


@pytest.mark.browser
@pytest.mark.parametrize("page_path", ["book/part1-history", "book/part4-risks"])
def test_vega_bundles_are_requested_only_after_the_first_paint(
    browser: Browser, base_url: str, page_path: str
) -> None:
    context = browser.new_context(viewport={"width": 412, "height": 823})
    page = context.new_page()
    report = open_page(page, base_url + f"{page_path}.html")
    timing = page.evaluate(_TIMING_JS)
    context.close()
    assert report.charts and report.charts_drawn == report.charts, report.chart_errors
    assert timing["paint"] is not None
    assert len(timing["bundles"]) == len(CHART_BUNDLES), timing
    for bundle in timing["bundles"]:
        assert bundle["start"] >= timing["paint"], (bundle, timing["paint"])


@pytest.mark.browser
def test_pages_without_a_chart_fetch_no_vega(
    browser: Browser, base_url: str, site_dir: Path
) -> None:
    prose = [p for p in toc_pages() if p not in _chart_pages(site_dir)]
    assert prose, "the site has pages without charts (the data page, the exercises…)"
    context = browser.new_context()
    page = context.new_page()
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url))
    for page_path in prose[:4]:
        page.goto(base_url + f"{page_path}.html", wait_until="load")
        page.wait_for_timeout(300)  # past the first paint, when a chart page would fetch
    context.close()
    assert requested, "the pages were loaded"
    assert not [u for u in requested if "/vendor/vega" in u], requested


@pytest.mark.browser
def test_a_bundle_that_fails_to_load_shows_an_error_in_every_chart(
    browser: Browser, base_url: str
) -> None:
    context = browser.new_context()

    def refuse(route: Route) -> None:
        route.fulfill(status=404, body="gone")

    context.route(re.compile(r".*/vendor/vega-lite/.*"), refuse)
    page = context.new_page()
    report = open_page(page, base_url + "book/part1-history.html")
    errors = page.locator(".crmc-chart-error").all_text_contents()
    context.close()
    assert report.charts > 0 and report.charts_drawn == 0
    assert len(errors) == report.charts
    assert all("could not load" in e and "vega-lite" in e for e in errors), errors
