"""The PDF edition, built once from a copy of the built site through its command line.

Checks what a reader of the PDF meets: a sane page count; a bookmark for every page of
``_toc.yml`` that opens on that page; every axis label of every chart (as the screen version
draws it at desktop width: the Part 1 timeline's years, the Part 4 matrix's columns) in the
PDF text of its page; no page holding only headings; no link left pointing at the loopback
server that printed it; and the site's "PDF" button linking to a file that is served.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin

import pytest
from playwright.sync_api import Browser
from pypdf import PdfReader
from pypdf.generic import ArrayObject

from crmc.sphinxext.pdf import PDF_NAME, book_title, link_from_pages, page_title
from tests.browser.sitecheck import guard_context, open_page, serve
from tests.conftest import ROOT, toc_pages

_AXIS_LABELS_JS = """() => Array.from(document.querySelectorAll('figure.crmc-vega svg g.role-axis-label text'))
  .filter(t => t.textContent.trim() && t.getAttribute('opacity') !== '0' && t.getBoundingClientRect().width > 0)
  .map(t => t.textContent.trim())"""


@dataclass
class Edition:
    site: Path
    pdf: PdfReader
    seconds: float
    stdout: str


@pytest.fixture(scope="session")
def edition(site_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Edition:
    site = tmp_path_factory.mktemp("pdf-edition") / "html"
    shutil.copytree(site_dir, site, ignore=shutil.ignore_patterns(PDF_NAME))
    start = time.perf_counter()
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "crmc.sphinxext.pdf",
            "--site",
            str(site),
            "--toc",
            str(ROOT / "_toc.yml"),
        ],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
        timeout=600,
    )
    seconds = time.perf_counter() - start
    assert result.returncode == 0, result.stdout + result.stderr
    return Edition(site, PdfReader(site / PDF_NAME), seconds, result.stdout)


def _page_texts(edition: Edition) -> list[str]:
    return [page.extract_text() or "" for page in edition.pdf.pages]


def _outline(edition: Edition) -> dict[str, int]:
    found: dict[str, int] = {}

    def walk(items: list[object]) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item)
            else:
                found[item.title] = edition.pdf.get_destination_page_number(item)  # type: ignore[attr-defined]

    walk(edition.pdf.outline)
    return found


def _ranges(edition: Edition) -> dict[str, range]:
    """Each toc page's PDF pages, from the bookmarks (each page runs to the next one's start)."""
    outline = _outline(edition)
    paths = toc_pages()
    title = book_title(edition.site, paths[0])
    starts = []
    for path in paths:
        entry_title = page_title((edition.site / f"{path}.html").read_text(), title)
        assert entry_title in outline, f"no bookmark for {path} ({entry_title!r})"
        starts.append((path, outline[entry_title]))
    ends = [s for _, s in starts[1:]] + [len(edition.pdf.pages)]
    return {path: range(start, end) for (path, start), end in zip(starts, ends, strict=True)}


def _headings(html: str) -> set[str]:
    """Heading and box-title texts of a page (as they print, without the permalink sign)."""
    found = re.findall(r"<h[1-6][^>]*>(.*?)</h[1-6]>", html, re.S)
    found += re.findall(r'<p class="admonition-title">(.*?)</p>', html, re.S)
    return {re.sub(r"\s+", " ", re.sub(r"<[^>]+>|#", "", h)).strip() for h in found}


@pytest.mark.browser
@pytest.mark.slow
def test_pdf_edition_is_a_whole_book(edition: Edition) -> None:
    pages = len(edition.pdf.pages)
    print(f"PDF edition: {pages} pages, built in {edition.seconds:.1f} s")
    assert 30 <= pages <= 200, f"{pages} pages"
    outline = _outline(edition)
    texts = _page_texts(edition)
    assert "Contents" in outline and "Contents" in texts[outline["Contents"]]
    ranges = _ranges(edition)
    assert set(ranges) == set(toc_pages())
    book = book_title(edition.site, toc_pages()[0])
    for path, span in ranges.items():
        assert len(span) >= 1, f"{path} has no page in the PDF"
        # The running header names the page: the bookmark opens on it.
        title = page_title((edition.site / f"{path}.html").read_text(), book)
        assert title[:25] in texts[span.start], f"bookmark of {path} opens on another page"
    # Continuous page numbers at the foot of every page but the title page.
    for index in (1, pages // 2, pages - 1):
        assert re.search(rf"(^|\n){index + 1}\s*$", texts[index].strip()), texts[index][-200:]


@pytest.mark.browser
@pytest.mark.slow
def test_pdf_has_every_chart_label_of_the_screen_version(
    edition: Edition, browser: Browser, base_url: str
) -> None:
    ranges = _ranges(edition)
    texts = _page_texts(edition)
    chart_pages = [
        p for p in toc_pages() if "crmc-vega" in (edition.site / f"{p}.html").read_text()
    ]
    assert "book/part1-history" in chart_pages and "book/part4-risks" in chart_pages
    problems = []
    for path in chart_pages:
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        guard_context(context, {})
        page = context.new_page()
        try:
            report = open_page(page, base_url + f"{path}.html")
            assert report.problems() == [], report.problems()
            labels = page.evaluate(_AXIS_LABELS_JS)
        finally:
            context.close()
        assert labels, f"{path}: no axis labels on screen"
        # Multi-line labels are several <tspan>s: compare without white space.
        printed = re.sub(r"\s+", "", "".join(texts[i] for i in ranges[path]))
        missing = sorted({label for label in labels if re.sub(r"\s+", "", label) not in printed})
        if missing:
            problems.append(f"{path}: {missing}")
    assert problems == [], "axis labels missing from the PDF:\n  " + "\n  ".join(problems)


@pytest.mark.browser
@pytest.mark.slow
def test_pdf_pages_and_links(edition: Edition) -> None:
    texts = _page_texts(edition)
    ranges = _ranges(edition)
    headings: dict[int, set[str]] = {}
    for path, span in ranges.items():
        names = _headings((edition.site / f"{path}.html").read_text())
        for index in span:
            headings[index] = names
    orphans = []
    for index, text in enumerate(texts):
        # Drop the running header and the page number; what is left must not be headings only.
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        body = [ln for ln in lines if "\u00b7" not in ln and not ln.isdigit()]
        if (
            index > 1
            and body
            and all(ln.rstrip("\uf05a\uf071 ") in headings.get(index, set()) for ln in body)
        ):
            orphans.append(f"page {index + 1}: {body}")
    assert orphans == [], "pages holding only headings:\n  " + "\n  ".join(orphans)
    inside = outside_loopback = 0
    for index, page in enumerate(edition.pdf.pages):
        for ref in page.get("/Annots") or []:
            annot = ref.get_object()
            action = annot.get("/A")
            uri = str(action.get_object().get("/URI", "")) if action is not None else ""
            assert not re.match(r"https?://(127\.0\.0\.1|localhost)", uri), (
                f"page {index + 1}: {uri}"
            )
            dest = annot.get("/Dest")
            if (
                action is not None
                and action.get_object().get("/S") == "/GoTo"
                or isinstance(dest, ArrayObject)
            ):
                inside += 1
            elif uri.startswith("https://"):
                outside_loopback += 1
            assert dest is None or isinstance(dest, ArrayObject), (
                f"page {index + 1}: named link {dest}"
            )
    assert inside > 10 and outside_loopback > 10, (inside, outside_loopback)


@pytest.mark.browser
@pytest.mark.slow
def test_site_links_to_the_pdf_only_when_it_exists(edition: Edition, site_dir: Path) -> None:
    pages = [edition.site / f"{p}.html" for p in toc_pages()]
    with serve(edition.site) as base:
        for page in pages:
            hrefs = re.findall(r'<a href="([^"]*' + re.escape(PDF_NAME) + r')"', page.read_text())
            assert len(hrefs) == 1, f"{page.name}: {hrefs}"
            assert "window.print()" not in page.read_text()
            target = (page.parent / hrefs[0]).resolve()
            assert target == (edition.site / PDF_NAME).resolve()
            url = urljoin(base + page.relative_to(edition.site).as_posix(), hrefs[0])
            with urllib.request.urlopen(url) as response:  # loopback only
                assert response.status == 200 and response.read().startswith(b"%PDF-")
    # A site without the PDF keeps the theme's print button: no link to a missing file.
    bare = edition.site.parent / "bare"
    shutil.copytree(site_dir, bare, ignore=shutil.ignore_patterns(PDF_NAME))
    assert link_from_pages(bare) == 0
    assert all(PDF_NAME not in (bare / f"{p}.html").read_text() for p in toc_pages())
