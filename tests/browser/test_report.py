"""The class report (``crmc-exercises report``) opened in headless Chromium, as an instructor would.

A class of four is graded through the CLI (one student on the roster submitted nothing, one
roster name carries HTML), written marks are imported, the report is written and served on
loopback. Every request outside loopback is aborted and fails the test; every chart must be
drawn (an SVG with visible bars), and student text must arrive as text, not markup.
"""

from __future__ import annotations

import csv
import importlib.util
import json
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser

from crmc.exercises.build import Products, build_exercise
from crmc.exercises.cli import main as cli
from tests.browser.sitecheck import PageReport, guard_context, serve

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
pytestmark = [pytest.mark.browser, pytest.mark.slow]

HOSTILE = 'Eve <img src="http://198.51.100.7/x.png" onerror="document.title=1">'


def _data_dir() -> Path | None:
    spec = importlib.util.spec_from_file_location(
        "crmc_report_recipes", FIXTURES / "submissions" / "recipes.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    result: Path | None = module.load().data_dir()
    return result


@pytest.fixture(scope="module")
def report_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    products: Products = build_exercise("part1-history", tmp_path_factory.mktemp("build"),
                                        data_dir=_data_dir(), run_tests=False)
    subs = tmp_path_factory.mktemp("subs")
    out = tmp_path_factory.mktemp("grades")
    solved = products.solution_notebook.read_bytes()
    blank = products.student_notebook.read_bytes()
    nb: dict[str, Any] = json.loads(solved)
    (subs / "ana.ipynb").write_bytes(solved)
    (subs / "ben.ipynb").write_bytes(blank)
    (subs / "eve.ipynb").write_bytes(json.dumps(nb).encode())
    roster = subs.parent / "roster.csv"
    roster.write_text(f"name,login,email\nAna Lima,ana,ana@example.edu\nBen Ode,ben,b@example.edu\n"
                      f"\"{HOSTILE.replace(chr(34), chr(34) * 2)}\",eve,e@example.edu\n"
                      "Dia Noor,dia,d@example.edu\n", encoding="utf-8")
    assert cli(["grade", "part1-history", str(subs), "--autograder",
                str(products.autograder_zip), "--out", str(out), "--roster", str(roster)]) == 0
    with open(out / "written-answers.csv", encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    for row in rows:
        row["score"] = "3"
    marked = out.parent / "marked.csv"
    with open(marked, "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    assert cli(["import-written", str(out), str(marked)]) == 0
    assert cli(["report", str(out)]) == 0
    return out


def test_report_opens_offline_with_every_chart_drawn(browser: Browser, report_dir: Path) -> None:
    context = browser.new_context()
    report = PageReport(url="report.html")
    guard_context(context, {"report": report})
    page = context.new_page()
    page.on("console", lambda m: report.console_errors.append(m.text) if m.type == "error"
            else None)
    page.on("pageerror", lambda e: report.page_errors.append(str(e)))
    try:
        with serve(report_dir) as base:
            page.goto(base + "report.html", wait_until="load")
            charts = page.evaluate("""() => Array.from(document.querySelectorAll('figure.chart'))
              .map(f => {
                const svg = f.querySelector('svg'); const box = svg.getBoundingClientRect();
                const bars = Array.from(svg.querySelectorAll('rect.bar')).filter(r => {
                  const b = r.getBoundingClientRect(); return b.width > 0 && b.height > 0; });
                return {id: f.id, w: box.width, h: box.height, bars: bars.length,
                        label: svg.getAttribute('aria-labelledby'),
                        title: svg.querySelector('title').textContent};
              })""")
            images = page.evaluate("() => document.querySelectorAll('img').length")
            text = page.inner_text("main")
            title = page.title()
    finally:
        context.close()
    assert report.outside_requests == [] and report.console_errors == [] and not report.page_errors
    ids = [c["id"] for c in charts]
    assert ids == ["overall", *[f"question-q{i}" for i in range(1, 8)], "hidden-tests"]
    for chart in charts:
        assert chart["w"] > 100 and chart["h"] > 100, chart
        assert chart["bars"] >= 1, f"chart not drawn: {chart}"
        assert chart["title"] and chart["label"]
    assert images == 0 and title.startswith("Class report")  # the hostile name stayed text
    assert HOSTILE in text
    assert "Dia Noor" in text and "no submission" in text
