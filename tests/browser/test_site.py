"""Every page of the built site, opened in headless Chromium as a reader would.

For each page in ``_toc.yml``: every chart is drawn, every widget view rendered, no
console or page error, no failed request, and no request leaves loopback (such requests
are aborted and fail the test). axe-core runs on every page; serious or critical
violations fail unless ``axe-known-issues.json`` attributes them to the theme, and an entry
of that file that no page's violation matches any more fails too (it would hide a new one).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page

from tests.browser.sitecheck import PageReport, guard_context, open_page
from tests.conftest import toc_pages

KNOWN_AXE = json.loads((Path(__file__).with_name("axe-known-issues.json")).read_text())["known"]
AXE_PAGES_CHECKED: set[str] = set()
AXE_KNOWN_SEEN: set[int] = set()  # indexes into KNOWN_AXE that matched a violation
VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


def _open(browser: Browser, url: str, viewport: dict[str, int]) -> tuple[Page, PageReport]:
    context = browser.new_context(viewport=viewport)  # type: ignore[arg-type]
    reports: dict[str, PageReport] = {}
    guard_context(context, reports)
    page = context.new_page()
    # Route before navigation, so the report collects outside requests from the first byte.
    reports["page"] = PageReport(url=url)
    report = open_page(page, url)
    report.outside_requests.extend(reports["page"].outside_requests)
    return page, report


def _known_theme_issue(page: Page, rule: str, target: str) -> int | None:
    """The index of the ``axe-known-issues.json`` entry that explains this violation, if any."""
    for index, known in enumerate(KNOWN_AXE):
        if known["rule"] != rule:
            continue
        if "selector" in known and known["selector"] in target:
            return index
        if "within" in known and page.evaluate(
            "([target, within]) => !!document.querySelector(target)?.closest(within)",
            [target, known["within"]],
        ):
            return index
    return None


@pytest.mark.browser
@pytest.mark.parametrize("page_path", toc_pages())
def test_page_draws_everything_offline(
    browser: Browser, base_url: str, site_dir: Path, artifacts: Path, page_path: str
) -> None:
    html_file = site_dir / f"{page_path}.html"
    assert html_file.is_file(), f"{page_path} is in _toc.yml but was not built"
    page, report = _open(browser, base_url + f"{page_path}.html", VIEWPORTS["desktop"])
    try:
        assert report.problems() == [], f"{page_path}:\n  " + "\n  ".join(report.problems())
        # The static HTML and the drawn page agree on how many charts there are.
        assert report.charts == html_file.read_text().count('<figure class="crmc-vega"')
        if report.charts or report.widget_views:
            page.screenshot(
                path=str(artifacts / f"{page_path.replace('/', '_')}.png"), full_page=True
            )
    finally:
        page.context.close()


@pytest.mark.browser
@pytest.mark.parametrize("page_path", toc_pages())
def test_page_has_no_serious_accessibility_violation(
    browser: Browser, base_url: str, page_path: str
) -> None:
    page, _ = _open(browser, base_url + f"{page_path}.html", VIEWPORTS["desktop"])
    try:
        results = Axe().run(page)
        serious = []
        for violation in results.response["violations"]:
            if violation["impact"] not in ("serious", "critical"):
                continue
            for node in violation["nodes"]:
                target = ", ".join(map(str, node["target"]))
                known = _known_theme_issue(page, violation["id"], target)
                if known is None:
                    serious.append(
                        f"{violation['id']} ({violation['impact']}): {target} — {violation['help']}"
                    )
                else:
                    AXE_KNOWN_SEEN.add(known)
    finally:
        page.context.close()
    AXE_PAGES_CHECKED.add(page_path)
    assert serious == [], f"{page_path}:\n  " + "\n  ".join(serious)


@pytest.mark.browser
def test_every_known_axe_issue_still_occurs() -> None:
    """Runs after the axe test of every page (pytest keeps the file's order): each entry of
    ``axe-known-issues.json`` must have excused a violation on some page, or it is stale."""
    unchecked = sorted(set(toc_pages()) - AXE_PAGES_CHECKED)
    if unchecked:
        pytest.skip(f"needs the axe test of every page in this session; not run: {unchecked}")
    stale = [known for index, known in enumerate(KNOWN_AXE) if index not in AXE_KNOWN_SEEN]
    assert stale == [], f"axe-known-issues.json entries no page needs any more: {stale}"


@pytest.mark.browser
def test_charts_fit_a_phone_screen(browser: Browser, base_url: str) -> None:
    """No chart is wider than a 390-px phone viewport's content column."""
    page, report = _open(browser, base_url + "book/intro.html", VIEWPORTS["phone"])
    try:
        assert report.problems() == []
        overflow = page.evaluate(
            """() => Array.from(document.querySelectorAll('figure.crmc-vega svg'))
                 .map(svg => svg.getBoundingClientRect().right)
                 .filter(right => right > window.innerWidth + 1)"""
        )
        assert overflow == [], f"charts overflow the phone viewport: {overflow}"
    finally:
        page.context.close()


@pytest.mark.browser
def test_intro_has_a_chart_and_a_widget(browser: Browser, base_url: str) -> None:
    page, report = _open(browser, base_url + "book/intro.html", VIEWPORTS["desktop"])
    page.context.close()
    assert report.charts >= 1 and report.charts_drawn == report.charts
    assert report.widget_views >= 1 and report.widgets_rendered == report.widget_views


@pytest.mark.browser
def test_client_side_slider_redraws_the_chart(browser: Browser, base_url: str) -> None:
    """Moving the intro chart's bound slider (a Vega-Lite param) changes the drawn SVG."""
    page, report = _open(browser, base_url + "book/intro.html", VIEWPORTS["desktop"])
    try:
        assert report.problems() == []
        svg = page.locator("figure.crmc-vega svg").first
        before = svg.inner_html()
        slider = page.locator('figure.crmc-vega input[type="range"][name="from_year"]').first
        slider.evaluate(
            "el => { el.value = 2000; el.dispatchEvent(new Event('input', {bubbles: true})); }"
        )
        page.wait_for_function(
            "before => document.querySelector('figure.crmc-vega svg').innerHTML !== before",
            arg=before,
            timeout=5_000,
        )
        faded = page.locator(
            "figure.crmc-vega svg .mark-rect path[opacity='0.25'], "
            "figure.crmc-vega svg .mark-rect path[fill-opacity='0.25']"
        ).count()
        assert faded > 0, "bars before the chosen year should fade"
    finally:
        page.context.close()


def _redraws(page: Page, figure_index: int, action: str) -> bool:
    """Run ``action`` (JS on the page) and report whether that figure's SVG changed."""
    figure = page.locator("figure.crmc-vega").nth(figure_index)
    before = figure.locator("svg").first.inner_html()
    page.evaluate(action)
    try:
        page.wait_for_function(
            "([i, before]) => document.querySelectorAll('figure.crmc-vega')[i]"
            ".querySelector('svg').innerHTML !== before",
            arg=[figure_index, before],
            timeout=5_000,
        )
    except Exception:  # noqa: BLE001 - the assertion below reports it
        return False
    return True


@pytest.mark.browser
@pytest.mark.parametrize(
    ("page_path", "control"),
    [
        ("book/part1-history", 'select[name="category"]'),
        ("book/part2-normal-vs-wartime", 'select[name="case_focus"]'),
        ("book/part3-interdependence", 'select[name="flow_direction"]'),
        ("book/part4-risks", 'select[name="category"]'),
        ("book/part4-risks", 'input[name="detection"]'),
    ],
)
def test_each_part_has_a_client_side_control_that_redraws_its_chart(
    browser: Browser, base_url: str, page_path: str, control: str
) -> None:
    page, report = _open(browser, base_url + f"{page_path}.html", VIEWPORTS["desktop"])
    try:
        assert report.problems() == []
        index = page.evaluate(
            "sel => Array.from(document.querySelectorAll('figure.crmc-vega'))"
            ".findIndex(f => f.querySelector(sel))",
            control,
        )
        assert index >= 0, f"no chart on {page_path} has the control {control}"
        # Move the control to a state different from its initial one: the last option of a
        # menu, the far end of a slider, the other state of a checkbox.
        action = (
            f"() => {{ const c = document.querySelectorAll('figure.crmc-vega')[{index}]"
            f".querySelector('{control}');"
            " if (c.tagName === 'SELECT') { c.selectedIndex = c.options.length - 1; }"
            " else if (c.type === 'checkbox') { c.checked = !c.checked; }"
            " else { c.value = (String(c.value) === String(c.max)) ? c.min : c.max; }"
            " c.dispatchEvent(new Event(c.tagName === 'SELECT' || c.type === 'checkbox'"
            " ? 'change' : 'input', {bubbles: true})); }"
        )
        assert _redraws(page, index, action), f"{control} did not redraw the chart on {page_path}"
    finally:
        page.context.close()
