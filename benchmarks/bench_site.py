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
  lighthouse        Lighthouse 12.2.3 (installed by this script with npm into
                    ~/.cache/crmc-bench, run with CHROME_PATH=/usr/bin/chromium), mobile
                    preset, the site served gzipped on loopback: performance, accessibility,
                    best-practices scores, CLS and TBT per page, and the same figures for
                    Jupyter Book's template book (`jupyter-book create`, built by this
                    environment, served the same way)
  pdf edition       seconds to build the PDF edition from the built site, and its pages
Writes benchmarks/results/site.json and prints a table.
    python benchmarks/bench_site.py --pages-only   only page weight and charts drawn
    python benchmarks/bench_site.py --lighthouse   only Lighthouse (this site and the template)
        [--page book/part1-history.html ...] [--no-template]   a subset, for a quick look
    python benchmarks/bench_site.py --pdf          only the PDF edition's build
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
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
    """Median ms from navigation start until every chart on the first screens is drawn, the
    page opened at its first chart (``page.html#<chart id>``): charts draw only near the
    screen, and on some pages the first one is further down than a screen and a half."""
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
                first = re.search(
                    r'<figure[^>]*class="[^"]*crmc-vega[^"]*"[^>]*id="([^"]+)"|'
                    r'<figure[^>]*id="([^"]+)"[^>]*class="[^"]*crmc-vega',
                    (SITE / page_path).read_text(),
                )
                anchor = f"#{first.group(1) or first.group(2)}" if first else ""
                page.goto(base + page_path + anchor)
                # crmc-charts.js marks the moment its first-screen charts are drawn.
                page.wait_for_function(
                    "() => performance.getEntriesByName('crmc-charts-drawn').length > 0",
                    timeout=30_000,
                )
                drawn = page.evaluate(
                    "() => document.querySelectorAll('figure.crmc-vega[data-rendered=true]').length"
                )
                if not drawn:
                    raise SystemExit(f"{page_path}{anchor}: the mark came with no chart drawn")
                samples.append(
                    page.evaluate(
                        "() => performance.getEntriesByName('crmc-charts-drawn')[0].startTime"
                    )
                )
                context.close()
            times[page_path] = statistics.median(samples)
        browser.close()
    return times


def is_chart_page(page_path: str, site: Path = SITE) -> bool:
    """A page with a chart, or a redirect (index.html) to one."""
    text = (site / page_path).read_text()
    if "crmc-vega" in text:
        return True
    redirect = re.search(r'http-equiv="refresh"[^>]*url=([^"\s>]+)', text, re.I)
    if redirect:
        target = (site / page_path).parent / redirect.group(1).split("#")[0]
        return target.is_file() and "crmc-vega" in target.read_text()
    return False


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
            charts = is_chart_page(page_path, site)
            results[page_path] = {
                "bytes": statistics.median(samples),
                "requests": statistics.median(counts),
                "budget": CHART_PAGE_BUDGET if charts else PROSE_PAGE_BUDGET,
            }
        browser.close()
    return results


LIGHTHOUSE_VERSION = "12.2.3"
LIGHTHOUSE_DIR = (
    Path(os.environ.get("CRMC_BENCH_CACHE", Path.home() / ".cache" / "crmc-bench"))
    / f"lighthouse-{LIGHTHOUSE_VERSION}"
)
LIGHTHOUSE_CATEGORIES = ("performance", "accessibility", "best-practices")
# Headless Chromium here holds a page's first frame until a whole second boundary (observed
# first paint 2.2 s on pages that Playwright sees paint at 0.3 s; the same bimodal delay as
# https://github.com/GoogleChrome/lighthouse/issues/17148). Lantern then counts every request
# made before that paint into FCP and LCP, so scores drop 10-20 points at random. With paint
# holding off the observed first paint matches Playwright's. Applied to this site and to the
# template book alike.
LIGHTHOUSE_CHROMIUM_ARGS = ("--disable-features=PaintHolding",)


def lighthouse_cli() -> Path:
    """Lighthouse, pinned, installed with npm into the benchmark's own cache folder."""
    cli = LIGHTHOUSE_DIR / "node_modules" / ".bin" / "lighthouse"
    if not cli.exists():
        LIGHTHOUSE_DIR.mkdir(parents=True, exist_ok=True)
        (LIGHTHOUSE_DIR / "package.json").write_text('{"private": true}\n')
        subprocess.run(
            ["npm", "i", "-E", f"lighthouse@{LIGHTHOUSE_VERSION}", "--no-audit", "--no-fund"],
            cwd=LIGHTHOUSE_DIR,
            check=True,
        )
    return cli


def lighthouse_once(url: str) -> dict[str, float]:
    """One Lighthouse run (mobile preset, its default) of ``url``: scores 0-100, CLS, TBT ms."""
    from crmc.sphinxext.serve import CHROMIUM_ARGS, chromium_path

    with tempfile.TemporaryDirectory(prefix="crmc-lh-") as tmp:
        report = Path(tmp) / "report.json"
        flags = " ".join(["--headless=new", *CHROMIUM_ARGS, *LIGHTHOUSE_CHROMIUM_ARGS])
        result = subprocess.run(
            [
                str(lighthouse_cli()),
                url,
                "--quiet",
                "--output=json",
                f"--output-path={report}",
                f"--only-categories={','.join(LIGHTHOUSE_CATEGORIES)}",
                f"--chrome-flags={flags}",
            ],
            env={**os.environ, "CHROME_PATH": chromium_path()},
            capture_output=True,
            text=True,
            check=False,
            timeout=300,
        )
        if result.returncode != 0 or not report.is_file():
            raise SystemExit(f"lighthouse failed on {url}:\n{result.stderr[-2000:]}")
        data = json.loads(report.read_text())
    audits = data["audits"]
    scores = {c: round(100 * (data["categories"][c]["score"] or 0)) for c in LIGHTHOUSE_CATEGORIES}
    return {
        **scores,
        "cls": float(audits["cumulative-layout-shift"]["numericValue"]),
        "tbt_ms": float(audits["total-blocking-time"]["numericValue"]),
        "fcp_ms": float(audits["first-contentful-paint"]["numericValue"]),
        "lcp_ms": float(audits["largest-contentful-paint"]["numericValue"]),
    }


def lighthouse_medians(site: Path, pages: list[str], runs: int) -> dict[str, dict[str, float]]:
    """Median of ``runs`` Lighthouse runs per page, the site served gzipped on loopback."""
    from crmc.sphinxext.serve import serve_gzipped

    results: dict[str, dict[str, float]] = {}
    with serve_gzipped(site) as base:
        for page_path in pages:
            samples = [lighthouse_once(base + page_path) for _ in range(runs)]
            results[page_path] = {
                key: statistics.median(s[key] for s in samples) for key in samples[0]
            }
            print(f"  lighthouse {page_path:40} {results[page_path]}", flush=True)
    return results


def template_book(workdir: Path) -> Path:
    """Jupyter Book's own template book, created and built by this environment."""
    jb = str(Path(sys.executable).with_name("jupyter-book"))
    book = workdir / "template"
    subprocess.run([jb, "create", str(book)], check=True, capture_output=True)
    subprocess.run([jb, "build", str(book)], check=True, capture_output=True)
    return book / "_build" / "html"


def lighthouse(
    runs: int, only: list[str] | None = None, template: bool = True
) -> dict[str, object]:
    """Lighthouse medians for every page of this site (or those in ``only``) and of the
    template book (unless ``template`` is false)."""
    ours = [p for p in page_weights() if p != "index.html"]  # index.html only redirects
    if only:
        missing = sorted(set(only) - set(ours))
        if missing:
            raise SystemExit(f"no such page in the built site: {', '.join(missing)}")
        ours = [p for p in ours if p in only]
    template_results: dict[str, dict[str, float]] = {}
    if template:
        with tempfile.TemporaryDirectory(prefix="crmc-template-book-") as tmp:
            template_site = template_book(Path(tmp))
            theirs = [p for p in page_weights(template_site) if p not in ("index.html",)]
            template_results = lighthouse_medians(template_site, theirs, runs)
    return {
        "version": LIGHTHOUSE_VERSION,
        "preset": "mobile (Lighthouse default), simulated throttling",
        "chromium_args": list(LIGHTHOUSE_CHROMIUM_ARGS),
        "site": lighthouse_medians(SITE, ours, runs),
        "template_book": template_results,
    }


def pdf_edition(runs: int) -> dict[str, float]:
    """Median seconds to build the PDF edition from the built site (into a temporary file)."""
    from pypdf import PdfReader

    from crmc.sphinxext.pdf import build_pdf

    seconds, pages = [], []
    with tempfile.TemporaryDirectory(prefix="crmc-pdf-bench-") as tmp:
        for _ in range(runs):
            summary = build_pdf(SITE, ROOT / "_toc.yml", Path(tmp) / "edition.pdf")
            seconds.append(summary.seconds)
            pages.append(len(PdfReader(summary.path).pages))
        size = (Path(tmp) / "edition.pdf").stat().st_size
    return {"build_s": statistics.median(seconds), "pages": statistics.median(pages), "bytes": size}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--pages-only", action="store_true")
    parser.add_argument("--lighthouse", action="store_true")
    parser.add_argument("--pdf", action="store_true")
    parser.add_argument(
        "--page",
        action="append",
        help="with --lighthouse: only this page (repeatable), e.g. book/intro.html",
    )
    parser.add_argument(
        "--no-template", action="store_true", help="with --lighthouse: skip the template book"
    )
    args = parser.parse_args()
    if args.lighthouse:
        figures = lighthouse(args.runs, args.page, template=not args.no_template)
        _report({"runs": args.runs, "lighthouse": figures}, "site-lighthouse.json")
        return
    if args.pdf:
        _report({"runs": args.runs, "pdf_edition": pdf_edition(args.runs)}, "site-pdf.json")
        return
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
        "pdf_edition": pdf_edition(args.runs),
        "lighthouse": lighthouse(args.runs),
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
