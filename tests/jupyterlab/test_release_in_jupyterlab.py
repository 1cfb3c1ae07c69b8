"""Every notebook of the student release, opened in JupyterLab by the path its launch URL names,
then Run All: no error, Markdown that reads like the book, answers folded until clicked, every
chart drawn from the server's own Vega, every explorer answering its controls, and in the
exercises the public checks printing their result."""

from __future__ import annotations

import contextlib
import importlib.metadata
import json
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import pytest
from playwright.sync_api import Browser, Page, Route, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from tests.conftest import ROOT, ReleaseRun

from .conftest import Lab

pytestmark = [pytest.mark.slow, pytest.mark.browser]

RAW_MYST = ("{glue", "{cite", ":::{", "```{")
LOOPBACK = {"127.0.0.1", "localhost"}
RUN_ALL_TIMEOUT_MS = 240_000


# One page with charts and a dropdown explorer, one with number-input explorers, and an exercise:
# each Run All takes a minute or more on a shared 2-core machine, so not every notebook is run.
NOTEBOOKS = ("book/part1-history.ipynb", "book/part4-risks.ipynb",
             "exercises/part1-history/part1-history.ipynb")


def test_the_lab_runs_notebooks_the_launch_buttons_name(release: ReleaseRun) -> None:
    released = json.loads((release.root / "release.json").read_text())
    for path in NOTEBOOKS:
        assert path in released["pages"] + released["exercises"]
        assert (release.root / path).is_file()


@pytest.fixture
def lab_page(lab_browser: Browser) -> Iterator[tuple[Page, list[str]]]:
    outside: list[str] = []
    context = lab_browser.new_context(viewport={"width": 1280, "height": 900})

    def guard(route: Route) -> None:
        host = urlparse(route.request.url).hostname or ""
        if route.request.url.startswith(("data:", "blob:")) or host in LOOPBACK:
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    context.route("**/*", guard)
    page = context.new_page()
    yield page, outside
    context.close()


def test_the_lab_is_the_release_pinned_one() -> None:
    pins = (ROOT / "binder" / "student-requirements.txt").read_text().splitlines()
    pinned = next(line.split("==")[1] for line in pins if line.startswith("jupyterlab=="))
    assert importlib.metadata.version("jupyterlab") == pinned


def _open_and_run_all(page: Page, lab: Lab, path: str) -> None:
    page.goto(f"{lab.url}/lab/tree/{path}?token={lab.token}&reset")
    page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=60_000)
    # On a slow start JupyterLab may ask which kernel to use; a student clicks "Select".
    accept = page.locator(".jp-Dialog .jp-mod-accept")
    with contextlib.suppress(PlaywrightTimeoutError):
        accept.click(timeout=10_000)
    page.wait_for_function(
        "() => { const s = document.querySelector('.jp-Notebook-ExecutionIndicator');"
        " return s && s.getAttribute('data-status') === 'idle'; }", timeout=120_000)
    # Not awaited: the command's promise resolves only when every cell has run.
    page.evaluate("() => { window.jupyterapp.commands.execute('notebook:run-all-cells'); "
                  "return true; }")
    page.wait_for_function(
        """() => {
          const cells = [...document.querySelectorAll('.jp-Notebook .jp-CodeCell')];
          return cells.length > 0 && cells.every(c => {
            const p = c.querySelector('.jp-InputPrompt');
            return p && /\\[\\d+\\]/.test(p.textContent);
          });
        }""", timeout=RUN_ALL_TIMEOUT_MS)


def _change_first_control(page: Page, output: object) -> None:
    out = page.locator(".jp-OutputArea-output").nth(output)  # type: ignore[arg-type]
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


@pytest.mark.parametrize("path", NOTEBOOKS)
def test_notebook_runs_all_and_reads_like_the_book(
    lab: Lab, lab_page: tuple[Page, list[str]], lab_artifacts: Path, path: str,
) -> None:
    page, outside = lab_page
    _open_and_run_all(page, lab, path)

    errors = page.locator('[data-mime-type="application/vnd.jupyter.stderr"]')
    assert errors.count() == 0, errors.all_inner_texts()[:3]

    markdown = page.locator(".jp-MarkdownCell .jp-RenderedMarkdown")
    assert markdown.count() > 0
    text = "\n".join(markdown.all_inner_texts())
    for raw in RAW_MYST:
        assert raw not in text, f"raw MyST {raw!r} rendered in {path}"

    # Self-check answers: folded until the student opens them.
    details = page.locator(".jp-RenderedMarkdown details")
    for i in range(details.count()):
        answer = details.nth(i).locator(":scope > :not(summary)").first
        expect(answer).to_be_hidden()
    if details.count():
        details.first.locator("summary").click()
        expect(details.first.locator(":scope > :not(summary)").first).to_be_visible()

    charts = page.locator(".crmc-live-chart")
    if path.startswith("book/part"):
        assert charts.count() >= 1, "a part page with no chart output"
    for i in range(charts.count()):
        chart = charts.nth(i)
        expect(chart).to_have_attribute("data-crmc-drawn", "true", timeout=30_000)
        assert chart.locator("svg, canvas").count() >= 1

    # Explorers: each widget output answers its first control.
    outputs = page.locator(".jp-OutputArea-output")
    widget_outputs = [i for i in range(outputs.count())
                      if outputs.nth(i).locator(".widget-dropdown select, "
                                                ".widget-text input[type=number]").count()]
    for i in widget_outputs:
        _change_first_control(page, i)

    if path.startswith("exercises/"):
        checks = page.locator(".jp-CodeCell", has_text='grader.check("q1")')
        expect(checks.first.locator(".jp-OutputArea")).to_contain_text("q1", timeout=30_000)

    if path == "book/part1-history.ipynb":
        charts.first.scroll_into_view_if_needed()
        page.screenshot(path=str(lab_artifacts / "part1-history-after-run-all.png"))
    assert not outside, f"requests left the machine: {outside[:5]}"


def test_an_answer_and_its_public_check(lab: Lab, lab_page: tuple[Page, list[str]]) -> None:
    """The student types an answer, runs it and grader.check("q1"): the check passes."""
    page, outside = lab_page
    path = "exercises/part1-history/part1-history.ipynb"
    _open_and_run_all(page, lab, path)
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
    assert not outside, f"requests left the machine: {outside[:5]}"
