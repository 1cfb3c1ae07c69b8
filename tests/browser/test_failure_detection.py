"""The browser checks fail when they should: a broken chart and an outside request."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from crmc.sphinxext import CHART_SCRIPT, bundle_urls
from crmc.sphinxext.vegalite import chart_html
from tests.browser.sitecheck import PageReport, guard_context, open_page, serve


def _page(site_dir: Path, tmp_path: Path, body: str) -> Path:
    # The page borrows the built site's _static folder, so it loads the real bundles.
    os.symlink(site_dir / "_static", tmp_path / "_static")
    # As on the site: one deferred script, which fetches the Vega bundles it lists.
    scripts = f'<script defer src="_static/{CHART_SCRIPT}" data-bundles="{bundle_urls()}"></script>'
    (tmp_path / "page.html").write_text(
        f"<!doctype html><html><head>{scripts}</head><body>{body}</body></html>"
    )
    return tmp_path


@pytest.mark.browser
def test_a_chart_vega_cannot_draw_shows_an_error_and_fails(
    browser: Browser, site_dir: Path, tmp_path: Path
) -> None:
    broken = {
        "$schema": "https://vega.github.io/schema/vega-lite/v6.json",
        "mark": "no-such-mark",
        "data": {"values": [{"a": 1}]},
        "description": "broken on purpose",
    }
    root = _page(site_dir, tmp_path, chart_html(broken, "broken-chart"))
    with serve(root) as url:
        context = browser.new_context()
        page = context.new_page()
        report = open_page(page, url + "page.html")
        visible_error = page.locator(".crmc-chart-error").inner_text()
        context.close()
    assert "could not be drawn" in visible_error
    assert report.chart_errors and report.problems(), "the broken chart must fail the check"


@pytest.mark.browser
def test_an_outside_request_is_aborted_and_reported(
    browser: Browser, site_dir: Path, tmp_path: Path
) -> None:
    root = _page(site_dir, tmp_path, '<img src="https://example.org/pixel.png" alt="">')
    with serve(root) as url:
        context = browser.new_context()
        reports = {"page": PageReport(url=url)}
        guard_context(context, reports)
        page = context.new_page()
        open_page(page, url + "page.html")
        context.close()
    assert reports["page"].outside_requests == ["https://example.org/pixel.png"]
