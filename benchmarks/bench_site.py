"""Benchmark the site build and page load; report medians of several runs.

    python benchmarks/bench_site.py [--runs 3]

Measures (each the median of --runs runs):
  clean build       rm -rf _build, then jupyter-book build (executes every notebook)
  unchanged rebuild build again with nothing changed (notebooks executed: should be 0)
  prose-only edit   append a sentence to a page's Markdown, rebuild, then restore it
  page weight       bytes of HTML, JS and CSS each page loads (vendored JS only where needed)
  charts drawn      ms from navigation start until every chart on the first screens is
                    drawn (mark crmc-charts-drawn; charts further down draw on scroll), in
                    headless Chromium, a fresh browser context each run
  transferred       bytes over the wire on a first load (cold cache), the site served
                    gzipped on loopback as GitHub Pages serves it; budget: prose page
                    <= 0.35 MB, chart page <= 0.8 MB
Writes benchmarks/results/site.json and prints a table.
    python benchmarks/bench_site.py --pages-only   only page weight and charts drawn
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SITE = ROOT / "_build" / "html"
JB = [
    str(Path(sys.executable).with_name("jupyter-book")),
    "build",
    str(ROOT),
    "-W",
    "-n",
    "--keep-going",
]


def build() -> tuple[float, int]:
    """Run one build; return seconds and how many notebooks it executed."""
    start = time.perf_counter()
    result = subprocess.run(JB, capture_output=True, text=True, check=False, cwd=ROOT)
    if result.returncode != 0:
        raise SystemExit(f"build failed:\n{result.stdout[-4000:]}\n{result.stderr[-2000:]}")
    seconds = time.perf_counter() - start
    # myst-nb logs one "Executing notebook using ..." line per notebook it runs.
    executed = len(re.findall(r"Executing notebook", result.stdout + result.stderr))
    return seconds, executed


def page_weights(site: Path = SITE) -> dict[str, dict[str, int]]:
    """Bytes of HTML, and of the local JS/CSS each page references."""
    weights: dict[str, dict[str, int]] = {}
    for html in sorted(site.rglob("*.html")):
        if "_static" in html.parts or "_sources" in html.parts:
            continue
        text = html.read_text()
        sizes = {"html": len(text.encode()), "js": 0, "css": 0}
        for kind, pattern in (
            ("js", r'<script[^>]+src="([^"?]+)'),
            ("css", r'<link[^>]+href="([^"?]+\.css)'),
        ):
            for ref in re.findall(pattern, text):
                path = (html.parent / ref).resolve()
                if path.is_file():
                    sizes[kind] += path.stat().st_size
        weights[str(html.relative_to(site))] = sizes
    return weights


def chart_draw_times(runs: int) -> dict[str, float]:
    """Median ms from navigation start until every chart on the page is drawn."""
    from playwright.sync_api import sync_playwright

    from crmc.sphinxext.serve import CHROMIUM_ARGS, chromium_path, serve_gzipped

    pages = [p for p in page_weights() if "crmc-vega" in (SITE / p).read_text()]
    times: dict[str, float] = {}
    with serve_gzipped(SITE) as base, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        for page_path in pages:
            samples = []
            for _ in range(runs):
                context = browser.new_context()
                page = context.new_page()
                page.goto(base + page_path)
                # crmc-charts.js marks the moment its last chart is drawn.
                page.wait_for_function(
                    "() => performance.getEntriesByName('crmc-charts-drawn').length > 0",
                    timeout=30_000,
                )
                samples.append(
                    page.evaluate(
                        "() => performance.getEntriesByName('crmc-charts-drawn')[0].startTime"
                    )
                )
                context.close()
            times[page_path] = statistics.median(samples)
        browser.close()
    return times


CHART_PAGE_BUDGET = 800_000
PROSE_PAGE_BUDGET = 350_000


def transferred_bytes(runs: int, site: Path = SITE) -> dict[str, dict[str, float]]:
    """Median bytes over the wire (headers + gzipped bodies) of each page's first load."""
    from playwright.sync_api import Request, sync_playwright

    from crmc.sphinxext.serve import CHROMIUM_ARGS, chromium_path, serve_gzipped

    results: dict[str, dict[str, float]] = {}
    pages = [p for p in page_weights(site)]
    with serve_gzipped(site) as base, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        for page_path in pages:
            samples, counts = [], []
            for _ in range(runs):
                context = browser.new_context(viewport={"width": 412, "height": 823})
                page = context.new_page()
                finished: list[Request] = []

                def record(request: Request, into: list[Request] = finished) -> None:
                    into.append(request)

                page.on("requestfinished", record)
                page.goto(base + page_path, wait_until="load")
                page.wait_for_load_state("networkidle")
                total = 0
                for request in finished:
                    sizes = request.sizes()
                    total += sizes["responseBodySize"] + sizes["responseHeadersSize"]
                samples.append(total)
                counts.append(len(finished))
                context.close()
            charts = "crmc-vega" in (site / page_path).read_text()
            results[page_path] = {
                "bytes": statistics.median(samples),
                "requests": statistics.median(counts),
                "budget": CHART_PAGE_BUDGET if charts else PROSE_PAGE_BUDGET,
            }
        browser.close()
    return results


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--pages-only", action="store_true")
    args = parser.parse_args()
    if args.pages_only:
        results: dict[str, object] = {
            "runs": args.runs,
            "transferred": transferred_bytes(args.runs),
            "charts_drawn_ms": chart_draw_times(args.runs),
        }
        _report(results, "site-pages.json")
        return
    clean, unchanged, prose = [], [], []
    for _ in range(args.runs):
        shutil.rmtree(ROOT / "_build", ignore_errors=True)
        clean.append(build())
        unchanged.append(build())
        page = ROOT / "book" / "intro.md"
        original = page.read_text()
        try:
            page.write_text(original + "\nA sentence added by the benchmark.\n")
            prose.append(build())
        finally:
            page.write_text(original)
    build()  # leave the site as the sources say
    results = {
        "runs": args.runs,
        "clean_build_s": statistics.median(s for s, _ in clean),
        "clean_build_notebooks_executed": statistics.median(n for _, n in clean),
        "unchanged_rebuild_s": statistics.median(s for s, _ in unchanged),
        "unchanged_rebuild_notebooks_executed": max(n for _, n in unchanged),
        "prose_edit_rebuild_s": statistics.median(s for s, _ in prose),
        "prose_edit_notebooks_executed": statistics.median(n for _, n in prose),
        "page_bytes": page_weights(),
        "charts_drawn_ms": chart_draw_times(args.runs),
        "transferred": transferred_bytes(args.runs),
    }
    _report(results, "site.json")


def _report(results: dict[str, object], name: str) -> None:
    out = ROOT / "benchmarks" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / name).write_text(json.dumps(results, indent=2))
    for key, value in results.items():
        if key == "page_bytes":
            for page_path, sizes in value.items():
                print(
                    f"  {page_path:45} html {sizes['html']:>8,}  "
                    f"js {sizes['js']:>9,}  css {sizes['css']:>8,}"
                )
        elif key == "charts_drawn_ms" and isinstance(value, dict):
            for page_path, ms in value.items():
                print(f"  charts drawn {page_path:38} {ms:8.0f} ms")
        elif key == "transferred" and isinstance(value, dict):
            for page_path, row in value.items():
                verdict = "ok" if row["bytes"] <= row["budget"] else "OVER BUDGET"
                print(
                    f"  transferred {page_path:39} {row['bytes'] / 1e6:6.3f} MB "
                    f"({row['requests']:.0f} requests; budget {row['budget'] / 1e6:.2f} MB) "
                    f"{verdict}"
                )
        else:
            print(f"{key:40} {value}")


if __name__ == "__main__":
    main()
