"""Every notebook of the student release, opened in JupyterLab by the path its launch URL names,
then Run All: no error, Markdown that reads like the book, answers folded until clicked, every
chart drawn from the server's own Vega, every explorer answering its controls, and in the
exercises the public checks printing their result.

Run All is driven the way a student's click is (the ``notebook:run-all-cells`` command) and
awaited on its own promise, once the notebook's kernel is connected and idle: JupyterLab reports
"idle" before a kernel exists, and a Run All sent then runs nothing.
"""

from __future__ import annotations

import importlib.metadata
import json
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Request, Route, expect

from crmc.exercises import EXERCISES
from crmc.release import released_pages
from crmc.sphinxext.launch import release_path
from tests.conftest import ROOT, ReleaseRun
from tests.selfcheck_ui import check_commit_first

from .conftest import Lab

pytestmark = [pytest.mark.slow, pytest.mark.browser]

RAW_MYST = ("{glue", "{cite", ":::{", "```{")
LOOPBACK = {"127.0.0.1", "localhost"}
KERNEL_TIMEOUT_S = 120
RUN_ALL_TIMEOUT_MS = 240_000

PAGES = [path for d in released_pages(ROOT) if (path := release_path(d, is_notebook=True))]
EXERCISE_NOTEBOOKS = [f"exercises/{name}/{name}.ipynb" for name in EXERCISES]
NOTEBOOKS = PAGES + EXERCISE_NOTEBOOKS
SELF_CHECK_PAGES = [path for path in PAGES
                    if "\n## Self-check\n" in (ROOT / path).with_suffix(".md").read_text("utf-8")]


class Traffic:
    """Every request the lab's pages make; those leaving the machine are aborted."""

    def __init__(self) -> None:
        self.outside: list[str] = []
        self.requests: list[str] = []

    def guard(self, route: Route) -> None:
        host = urlparse(route.request.url).hostname or ""
        if route.request.url.startswith(("data:", "blob:")) or host in LOOPBACK:
            route.continue_()
        else:
            self.outside.append(route.request.url)
            route.abort()

    def record(self, request: Request) -> None:
        self.requests.append(request.url)


@pytest.fixture(scope="module")
def lab_context(lab_browser: Browser) -> Iterator[tuple[BrowserContext, Traffic]]:
    traffic = Traffic()
    context = lab_browser.new_context(viewport={"width": 1280, "height": 900})
    context.route("**/*", traffic.guard)
    context.on("request", traffic.record)
    yield context, traffic
    context.close()


@pytest.fixture
def lab_page(lab_context: tuple[BrowserContext, Traffic]) -> Iterator[tuple[Page, Traffic]]:
    context, traffic = lab_context
    traffic.outside.clear()
    traffic.requests.clear()
    page = context.new_page()
    yield page, traffic
    # Free the kernel before the next notebook: one at a time on a 2-core machine.
    page.evaluate("() => window.jupyterapp.shell.currentWidget?.sessionContext?.shutdown()")
    page.close()


def test_the_launch_buttons_name_every_released_notebook(site_dir: Path,
                                                         release: ReleaseRun) -> None:
    """The notebooks below are exactly the ones the site's launch buttons open."""
    named = set()
    for html in site_dir.rglob("*.html"):
        for url in _binder_links(html.read_text(encoding="utf-8")):
            named.add(parse_qs(urlparse(url).query)["urlpath"][0].removeprefix("lab/tree/"))
    assert named == set(NOTEBOOKS)
    released = json.loads((release.root / "release.json").read_text())
    assert set(released["pages"] + released["exercises"]) == set(NOTEBOOKS)


def _binder_links(html: str) -> list[str]:
    import re

    return [u.replace("&amp;", "&") for u in re.findall(r'href="([^"]*/v2/gh/[^"]*)"', html)]


def test_the_lab_is_the_release_pinned_one() -> None:
    pins = (ROOT / "binder" / "student-requirements.txt").read_text().splitlines()
    pinned = next(line.split("==")[1] for line in pins if line.startswith("jupyterlab=="))
    assert importlib.metadata.version("jupyterlab") == pinned


def test_page_setup_skips_the_iri_grammars() -> None:
    """``import crmc`` keeps jsonschema from compiling rfc3987_syntax's Lark grammars (half of a
    page's setup time); Altair's chart validation still runs."""
    code = ("import sys, crmc\nfrom crmc import charts\nimport altair as alt, jsonschema\n"
            "assert sys.modules['rfc3987_syntax'] is None\n"
            "alt.Chart(alt.Data(values=[{'a': 1}])).mark_point(size='big').to_dict()\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=False, timeout=120)
    # The bad mark size fails schema validation: validation is still on.
    assert proc.returncode != 0 and "SchemaValidationError" in proc.stderr, proc.stderr[-2000:]


def _open_and_run_all(page: Page, lab: Lab, path: str) -> None:
    page.goto(f"{lab.url}/lab/tree/{path}?token={lab.token}&reset")
    page.wait_for_function(
        "() => window.jupyterapp?.shell.currentWidget?.sessionContext !== undefined",
        polling=250, timeout=60_000)
    accept = page.locator(".jp-Dialog .jp-mod-accept")
    deadline = time.monotonic() + KERNEL_TIMEOUT_S
    while not page.evaluate(
        "() => { const k = window.jupyterapp.shell.currentWidget.sessionContext.session?.kernel;"
        " return !!k && k.connectionStatus === 'connected' && k.status === 'idle'; }"):
        # On a slow start JupyterLab may ask which kernel to use; a student clicks "Select".
        if accept.count() and accept.first.is_visible():
            accept.first.click()
        assert time.monotonic() < deadline, f"no idle kernel for {path}"
        page.wait_for_timeout(250)
    page.evaluate(
        """() => { window.__crmcRunAll = {done: false, ok: null};
          window.jupyterapp.commands.execute('notebook:run-all-cells').then(
            ok => { window.__crmcRunAll = {done: true, ok: ok}; },
            err => { window.__crmcRunAll = {done: true, ok: String(err)}; });
        }""")
    page.wait_for_function("() => window.__crmcRunAll.done", polling=500,
                           timeout=RUN_ALL_TIMEOUT_MS)
    assert page.evaluate("() => window.__crmcRunAll.ok") is True, f"Run All failed in {path}"
    counts = page.evaluate(
        "() => window.jupyterapp.shell.currentWidget.content.widgets"
        ".filter(c => c.model.type === 'code').map(c => c.model.executionCount)")
    assert counts and all(isinstance(n, int) for n in counts), counts


def _change_first_control(page: Page, index: int) -> None:
    out = page.locator(".jp-OutputArea-output").nth(index)
    before = out.inner_text()
    select = out.locator("select")
    if select.count():
        values = select.first.locator("option").evaluate_all("os => os.map(o => o.value)")
        current = select.first.input_value()
        select.first.select_option(next(v for v in values if v != current))
    else:
        number = out.locator("input[type=number]").first
        number.fill(str(float(number.input_value() or 0) * 0.5 + 0.1))
        number.press("Enter")
    expect(out).not_to_have_text(before, timeout=15_000)


def _check_charts(page: Page, lab: Lab, traffic: Traffic, path: str) -> None:
    charts = page.locator(".crmc-live-chart")
    if path.startswith("book/part"):
        assert charts.count() >= 1, "a part page with no chart output"
    for i in range(charts.count()):
        chart = charts.nth(i)
        expect(chart).to_have_attribute("data-crmc-drawn", "true", timeout=30_000)
        marks = chart.locator("svg g.role-mark > *").count()
        canvas = chart.locator("canvas").evaluate_all(
            "cs => cs.filter(c => c.width > 0 && c.height > 0).length")
        assert marks or canvas, f"chart {i} of {path} has no marks"
    if charts.count():
        vega = [u for u in traffic.requests if "vega" in urlparse(u).path]
        assert vega, "the charts were drawn without loading Vega from the server"
        assert all(u.startswith(f"{lab.url}/crmc/static/vendor/") for u in vega), vega


def _answer_and_check_q1(page: Page, lab: Lab, path: str) -> None:
    """The student types an answer, runs it and grader.check("q1"): the check passes."""
    answer = page.locator(".jp-CodeCell", has_text="peak_year = ...").first
    answer.locator(".cm-content").click()
    page.keyboard.press("Control+A")
    page.keyboard.type("peak_year = 2000")
    page.keyboard.press("Shift+Enter")
    check = page.locator(".jp-CodeCell", has_text='grader.check("q1")').first
    check.locator(".cm-content").click()
    page.keyboard.press("Shift+Enter")
    expect(check.locator(".jp-OutputArea")).to_contain_text("q1 passed", timeout=60_000)
    nb = json.loads((lab.root / path).read_text())  # the file on disk is untouched until saved
    assert any("peak_year = ..." in "".join(c["source"]) for c in nb["cells"])


@pytest.mark.parametrize("path", NOTEBOOKS)
def test_notebook_runs_all_and_reads_like_the_book(
    lab: Lab, lab_page: tuple[Page, Traffic], lab_artifacts: Path, path: str,
) -> None:
    page, traffic = lab_page
    _open_and_run_all(page, lab, path)

    errors = page.locator('[data-mime-type="application/vnd.jupyter.stderr"]')
    assert errors.count() == 0, errors.all_inner_texts()[:3]

    markdown = page.locator(".jp-MarkdownCell .jp-RenderedMarkdown")
    assert markdown.count() > 0
    text = "\n".join(markdown.all_inner_texts())
    for raw in RAW_MYST:
        assert raw not in text, f"raw MyST {raw!r} rendered in {path}"

    # Folded blocks stay folded until opened.
    details = page.locator(".jp-RenderedMarkdown details")
    for i in range(details.count()):
        expect(details.nth(i).locator(":scope > :not(summary)").first).to_be_hidden()
    # Self-checks: no feedback before the student picks an option and presses Check.
    if path in SELF_CHECK_PAGES:
        check_commit_first(page, page.locator(".jp-Notebook"))

    _check_charts(page, lab, traffic, path)

    # Explorers: each widget output answers its first control.
    outputs = page.locator(".jp-OutputArea-output")
    for i in range(outputs.count()):
        if outputs.nth(i).locator(".widget-dropdown select, "
                                  ".widget-text input[type=number]").count():
            _change_first_control(page, i)

    if path.startswith("exercises/"):
        checks = page.locator(".jp-CodeCell", has_text='grader.check("q1")')
        expect(checks.first.locator(".jp-OutputArea")).to_contain_text("q1", timeout=30_000)
    if path == "exercises/part1-history/part1-history.ipynb":
        _answer_and_check_q1(page, lab, path)
    if path == "book/part1-history.ipynb":
        page.locator(".crmc-live-chart").first.scroll_into_view_if_needed()
        page.screenshot(path=str(lab_artifacts / "jupyterlab-part1-history-after-run-all.png"))
    assert not traffic.outside, f"requests left the machine: {traffic.outside[:5]}"
