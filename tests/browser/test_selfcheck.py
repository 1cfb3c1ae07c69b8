"""Self-checks on the static site, no kernel: the student commits to an option before any
feedback shows, by mouse and by keyboard; the questions pass axe and load nothing."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser

from tests.browser.sitecheck import PageReport, guard_context, open_page
from tests.selfcheck_ui import check_commit_first

pytestmark = pytest.mark.browser

PAGES = ("book/part1-history", "book/part2-normal-vs-wartime", "book/part3-interdependence",
         "book/part4-risks")


@pytest.mark.parametrize("page_path", PAGES)
def test_self_check_feedback_only_after_a_pick(browser: Browser, base_url: str,
                                               page_path: str) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    reports: dict[str, PageReport] = {}
    guard_context(context, reports)
    page = context.new_page()
    try:
        report = open_page(page, base_url + f"{page_path}.html")
        reports["page"] = report
        article = page.locator("#main-content .bd-article")
        # Keyboard on one page, mouse on the others.
        check_commit_first(page, article, keyboard=page_path == "book/part1-history")
        assert report.problems() == [], report.problems()
        # The questions themselves have no serious accessibility violation. (Checked last:
        # axe's stylesheet pass requests a mis-resolved basic.css, which is not the page's.)
        results = Axe().run(page, context={"include": [[".crmc-selfcheck"]]})
        serious = [f"{v['id']}: {v['help']}" for v in results.response["violations"]
                   if v["impact"] in ("serious", "critical")]
        assert serious == []
    finally:
        context.close()
