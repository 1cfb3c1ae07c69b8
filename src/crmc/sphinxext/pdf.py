"""The PDF edition: every page of the built site printed by Chromium, merged into one book.

    python -m crmc.sphinxext.pdf [--site _build/html] [--toc _toc.yml]

Each page in ``_toc.yml`` order is opened in Debian's Chromium (driven by Playwright) from a
loopback server, all its charts are drawn (``crmcCharts.drawAll()``) and it is printed with the
site's print stylesheet (``page.pdf``). pypdf merges the pages behind a title page and a
contents list, adds an outline (a bookmark per part and page), stamps continuous page numbers,
and turns links between pages of the book into links inside the PDF (links to site files that
are not in the book, such as the CSV downloads, are removed: on paper they would point at the
loopback server that printed them).

Nothing leaves loopback: a request to another host aborts the build, as does a page error or a
chart that cannot be drawn. The PDF is written next to a temporary name and renamed, so an
interrupted build leaves the previous edition in place. When it exists, the theme's "PDF" button
on every page links to it (:func:`link_from_pages`); a site built without it keeps the button's
print-this-page action, so no page links to a missing file.
"""

from __future__ import annotations

import argparse
import html
import io
import os
import re
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin, urlparse

from crmc.toc import TocEntry, TocError, read_toc

if TYPE_CHECKING:
    from playwright.sync_api import PdfMargins

PDF_NAME = "crmc-module.pdf"
"""File name of the PDF edition, at the top of the built site."""

PAPER = "A4"
PAGE_WIDTH_MM, PAGE_HEIGHT_MM = 210, 297
MARGIN: PdfMargins = {"top": "18mm", "bottom": "18mm", "left": "14mm", "right": "14mm"}
PRINTABLE_WIDTH_PX = round((PAGE_WIDTH_MM - 2 * 14) / 25.4 * 96)
"""The page's width between its margins in CSS px: the width charts are drawn for."""

DRAW_TIMEOUT_MS = 60_000

_LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}


class PdfBuildError(RuntimeError):
    """The PDF edition could not be built honestly (a page error, an outside request...)."""


@dataclass
class BookPage:
    """One page of the book as the PDF prints it: its table-of-contents entry, its title and
    where it lands in the merged PDF."""

    entry: TocEntry
    title: str = ""
    first_page: int = 0  # 0-based index in the merged PDF
    pages: int = 0

    @property
    def path(self) -> str:
        """The page's docname ("book/part1-history"): its HTML file without suffix."""
        return self.entry.docname

    @property
    def part(self) -> str | None:
        """The ``_toc.yml`` part caption it sits under."""
        return self.entry.part

    @property
    def level(self) -> int:
        """0: a chapter (or the root page); 1: a section under the chapter before it."""
        return self.entry.level


@dataclass
class PdfSummary:
    """What was built: the file, its page count, how long it took, and where each page starts."""

    path: Path
    pages: int
    seconds: float
    entries: list[BookPage] = field(default_factory=list)


def page_title(html_text: str, book_title: str) -> str:
    """The page's own title (the ``<title>`` before the book's name); the root page is the
    introduction."""
    match = re.search(r"<title>(.*?)</title>", html_text, re.S)
    title = html.unescape(match.group(1)).strip() if match else ""
    suffix = f" \u2014 {book_title}"
    if title.endswith(suffix):
        title = title[: -len(suffix)]
    return "Introduction" if not title or title == book_title else title


def book_title(site: Path, root: str) -> str:
    """The book's title, as the root page's ``<title>`` ends with it."""
    text = (site / f"{root}.html").read_text()
    match = re.search(r"<title>.*?\u2014(.*?)</title>", html.unescape(text), re.S)
    return match.group(1).strip() if match else "Course"


def _header_template(title: str) -> str:
    return (
        '<div style="font-size:7.5pt;color:#555;width:100%;padding:0 14mm;'
        'display:flex;justify-content:space-between;font-family:sans-serif">'
        f"<span>{html.escape(title)}</span></div>"
    )


_EMPTY_FOOTER = "<div></div>"  # page numbers are stamped after the merge, continuous


def _print_pages(
    site: Path, entries: list[BookPage], out_dir: Path, title: str
) -> tuple[list[Path], str]:
    """Print every page to its own PDF in ``out_dir``; return the files in order and the
    loopback address they were printed from (their links to each other start with it)."""
    from playwright.sync_api import Route, sync_playwright

    from crmc.sphinxext.serve import CHROMIUM_ARGS, chromium_path, serve_gzipped

    outside: list[str] = []
    errors: list[str] = []

    def guard(route: Route) -> None:
        url = route.request.url
        if url.startswith(("data:", "blob:")) or (urlparse(url).hostname or "") in _LOOPBACK:
            route.continue_()
        else:
            outside.append(url)
            route.abort("blockedbyclient")

    files: list[Path] = []
    with serve_gzipped(site) as base, sync_playwright() as pw:
        printed_from = base
        browser = pw.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": PRINTABLE_WIDTH_PX, "height": 1100})
            context.route("**/*", guard)
            page = context.new_page()
            page.on("pageerror", lambda e: errors.append(str(e)))
            for number, entry in enumerate(entries):
                page.goto(urljoin(base, f"{entry.path}.html"), wait_until="load")
                page.emulate_media(media="print")
                page.evaluate("() => window.dispatchEvent(new Event('beforeprint'))")
                failed = page.evaluate(
                    """async () => {
                      if (window.crmcCharts) await window.crmcCharts.drawAll();
                      return Array.from(document.querySelectorAll('figure.crmc-vega'))
                        .filter(f => f.dataset.rendered !== 'true').map(f => f.id);
                    }""",
                )
                if failed:
                    errors.append(f"{entry.path}: charts not drawn: {failed}")
                target = out_dir / f"{number:03d}.pdf"
                page.pdf(
                    path=str(target),
                    format=PAPER,
                    margin=MARGIN,
                    print_background=True,
                    display_header_footer=True,
                    header_template=_header_template(f"{title} \u00b7 {entry.title}"),
                    footer_template=_EMPTY_FOOTER,
                )
                files.append(target)
                page.emulate_media(media="screen")
                if errors or outside:
                    break
        finally:
            browser.close()
    if outside:
        raise PdfBuildError(f"a page asked for a host other than loopback: {outside[:5]}")
    if errors:
        raise PdfBuildError("printing failed: " + "; ".join(errors[:5]))
    return files, printed_from


_FRONT_CSS = """
@page { size: A4; margin: 25mm 22mm; }
body { font-family: sans-serif; color: #222; font-size: 11pt; }
.title { page-break-after: always; padding-top: 60mm; }
.title h1 { font-size: 26pt; margin: 0 0 8mm; }
.title p { font-size: 11pt; color: #444; max-width: 140mm; }
h2 { font-size: 16pt; margin: 0 0 6mm; }
h3 { font-size: 11pt; margin: 5mm 0 2mm; color: #444; text-transform: uppercase; }
ol { list-style: none; padding: 0; margin: 0; }
li { display: flex; gap: 2mm; margin: 1.2mm 0; }
li.section { padding-left: 7mm; }
li .name { flex: 0 1 auto; }
li .dots { flex: 1 1 auto; border-bottom: 1px dotted #999; margin-bottom: 1.2mm; }
li .num { flex: 0 0 auto; }
"""


def _front_matter_html(title: str, entries: list[BookPage], offset: int) -> str:
    rows: list[str] = []
    part: str | None = None
    for entry in entries:
        if entry.part != part and entry.part:
            rows.append(f"</ol><h3>{html.escape(entry.part)}</h3><ol>")
        part = entry.part
        cls = "section" if entry.level else "chapter"
        number = entry.first_page + offset + 1
        rows.append(
            f'<li class="{cls}"><span class="name">{html.escape(entry.title)}</span>'
            f'<span class="dots"></span><span class="num">{number}</span></li>'
        )
    return (
        f"<!doctype html><html lang='en'><head><meta charset='utf-8'><style>{_FRONT_CSS}</style>"
        f"</head><body><section class='title'><h1>{html.escape(title)}</h1>"
        "<p>The course module as a printed edition, made from the course website. The charts "
        "are printed as drawn on the site, each with its text description; the interactive "
        "explorers are printed in their starting state, and answers to the self-check "
        "questions are left out (they are on the website).</p>"
        f"<p>Printed on {date.today().isoformat()}.</p></section>"
        f"<section><h2>Contents</h2><ol>{''.join(rows)}</ol></section></body></html>"
    )


def _numbers_html(count: int, skip: int) -> str:
    """One A4 page per book page, each with its number at the foot (none on the first ``skip``)."""
    pages = "".join(
        f'<div class="p"><span>{n + 1 if n >= skip else ""}</span></div>' for n in range(count)
    )
    return (
        "<!doctype html><html><head><meta charset='utf-8'><style>"
        "@page { size: A4; margin: 0; } body { margin: 0; }"
        f".p {{ position: relative; height: {PAGE_HEIGHT_MM}mm; width: {PAGE_WIDTH_MM}mm; "
        "page-break-after: always; overflow: hidden; }"
        ".p span { position: absolute; bottom: 8mm; left: 0; right: 0; text-align: center; "
        "font: 8.5pt sans-serif; color: #444; }"
        f"</style></head><body>{pages}</body></html>"
    )


def _render_html(documents: list[str]) -> list[bytes]:
    """Render HTML documents (no network: set as content) to PDF bytes."""
    from playwright.sync_api import sync_playwright

    from crmc.sphinxext.serve import CHROMIUM_ARGS, chromium_path

    out: list[bytes] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.route("**/*", lambda route: route.abort("blockedbyclient"))
            for document in documents:
                page.set_content(document, wait_until="load")
                out.append(page.pdf(format=PAPER, print_background=True, prefer_css_page_size=True))
        finally:
            browser.close()
    return out


def _resolve_named_links(writer: Any, reader: Any, offset: int) -> None:
    """In-page links (Chromium writes them as named destinations, the same names in every
    page's PDF) become explicit destinations in the merged file, so they cannot collide."""
    from pypdf.generic import ArrayObject, FloatObject, NameObject, NullObject

    named = reader.named_destinations
    for index in range(offset, offset + len(reader.pages)):
        page = writer.pages[index]
        kept = ArrayObject()
        for ref in page.get("/Annots") or []:
            annot = ref.get_object()
            name = annot.get("/Dest")
            if name is None or isinstance(name, ArrayObject):
                kept.append(ref)
                continue
            dest = named.get(str(name))
            if dest is None:
                continue  # an anchor the printed page does not hold: the link would go nowhere
            kept.append(ref)
            target = writer.pages[offset + reader.get_destination_page_number(dest)]
            top = dest.top if dest.top is not None else NullObject()
            annot[NameObject("/Dest")] = ArrayObject(
                [
                    target.indirect_reference,
                    NameObject("/XYZ"),
                    NullObject(),
                    FloatObject(top) if not isinstance(top, NullObject) else top,
                    NullObject(),
                ]
            )
        if "/Annots" in page:
            page[NameObject("/Annots")] = kept


def _relink(writer: Any, base: str, starts: dict[str, int]) -> None:
    """Links to pages of the book go to their first PDF page; other links into the printed
    site (its loopback address) are dropped. Links to the web stay."""
    from pypdf.generic import ArrayObject, DictionaryObject, NameObject

    for page in writer.pages:
        annots = page.get("/Annots")
        if not annots:
            continue
        kept = ArrayObject()
        for ref in annots:
            annot = ref.get_object()
            action = annot.get("/A")
            uri = str(action.get_object().get("/URI", "")) if action is not None else ""
            if not uri.startswith(base):
                kept.append(ref)
                continue
            target = urlparse(uri).path.lstrip("/")
            target = re.sub(r"\.html$", "", target) or "index"
            if target in starts:
                annot[NameObject("/A")] = DictionaryObject(
                    {
                        NameObject("/S"): NameObject("/GoTo"),
                        NameObject("/D"): ArrayObject(
                            [writer.pages[starts[target]].indirect_reference, NameObject("/Fit")]
                        ),
                    }
                )
                kept.append(ref)
        page[NameObject("/Annots")] = kept


def build_pdf(site: Path, toc_file: Path, out: Path | None = None) -> PdfSummary:
    """Print the built site at ``site`` into one PDF (default ``site/crmc-module.pdf``)."""
    from pypdf import PdfReader, PdfWriter

    start = time.perf_counter()
    out = out or site / PDF_NAME
    entries = [BookPage(entry) for entry in read_toc(toc_file)]
    missing = [e.path for e in entries if not (site / f"{e.path}.html").is_file()]
    if missing:
        raise PdfBuildError(f"pages in {toc_file.name} not built in {site}: {missing}")
    title = book_title(site, entries[0].path)
    for entry in entries:
        entry.title = page_title((site / f"{entry.path}.html").read_text(), title)

    with tempfile.TemporaryDirectory(prefix="crmc-pdf-") as tmp:
        files, base = _print_pages(site, entries, Path(tmp), title)
        readers = [PdfReader(f) for f in files]
        body_start = 0
        for entry, reader in zip(entries, readers, strict=True):
            entry.first_page, entry.pages = body_start, len(reader.pages)
            body_start += entry.pages
        # The front matter's length shifts every number in its own contents: settle it.
        front_pages = 2
        for _ in range(3):
            (front_bytes,) = _render_html([_front_matter_html(title, entries, front_pages)])
            front = PdfReader(io.BytesIO(front_bytes))
            if len(front.pages) == front_pages:
                break
            front_pages = len(front.pages)
        total = front_pages + body_start
        (numbers_bytes,) = _render_html([_numbers_html(total, skip=1)])
        numbers = PdfReader(io.BytesIO(numbers_bytes))

        writer = PdfWriter()
        writer.append(front, import_outline=False)
        for reader in readers:
            writer.append(reader, import_outline=False)
        for entry in entries:
            entry.first_page += front_pages
        starts = {e.path: e.first_page for e in entries}
        starts.setdefault("index", entries[0].first_page)
        for entry, reader in zip(entries, readers, strict=True):
            _resolve_named_links(writer, reader, entry.first_page)
        _relink(writer, base, starts)
        for index, page in enumerate(writer.pages):
            if index < len(numbers.pages):
                page.merge_page(numbers.pages[index])

        writer.add_outline_item(title="Contents", page_number=1 if front_pages > 1 else 0)
        parents: dict[str, Any] = {}
        chapter: Any = None
        for entry in entries:
            parent = None
            if entry.part:
                if entry.part not in parents:
                    parents[entry.part] = writer.add_outline_item(
                        title=entry.part, page_number=entry.first_page
                    )
                parent = parents[entry.part]
            if entry.level and chapter is not None:
                parent = chapter
            item = writer.add_outline_item(
                title=entry.title, page_number=entry.first_page, parent=parent
            )
            if not entry.level:
                chapter = item
        writer.add_metadata({"/Title": title, "/Creator": "crmc.sphinxext.pdf (Chromium, pypdf)"})
        writer.page_mode = "/UseOutlines"

        out.parent.mkdir(parents=True, exist_ok=True)
        partial = out.with_name(out.name + ".partial")
        with partial.open("wb") as handle:
            writer.write(handle)
        os.replace(partial, out)
    return PdfSummary(path=out, pages=total, seconds=time.perf_counter() - start, entries=entries)


_PRINT_BUTTON = re.compile(
    r'<button onclick="window\.print\(\)"(\s+class="[^"]*btn-download-pdf-button[^"]*")'
    r'\s+title="[^"]*"(.*?)</button>',
    re.S,
)
_PDF_LINK = re.compile(
    r'<a href="[^"]*' + re.escape(PDF_NAME) + r'"(\s+class="[^"]*btn-download-pdf-button[^"]*")'
    r'\s+title="The whole module as a PDF" download(.*?)</a>',
    re.S,
)


def link_from_pages(site: Path, pdf: Path | None = None) -> int:
    """Point the theme's "PDF" download button of every page at the PDF edition, if it exists.

    Without the PDF the button is (or goes back to) the theme's print-this-page button, so no
    page links to a missing file. Returns how many pages link to the PDF.
    """
    pdf = pdf or site / PDF_NAME
    exists = pdf.is_file()
    linked = 0
    for page in site.rglob("*.html"):
        if "_static" in page.parts or "_sources" in page.parts:
            continue
        text = page.read_text()
        if exists:
            href = os.path.relpath(pdf, page.parent).replace(os.sep, "/")
            new = _PDF_LINK.sub(
                r'<button onclick="window.print()"\1 title="Print to PDF"\2</button>', text
            )
            new = _PRINT_BUTTON.sub(
                rf'<a href="{href}"\1' + '\n  title="The whole module as a PDF" download\\2</a>',
                new,
            )
            linked += len(_PDF_LINK.findall(new))
        else:
            new = _PDF_LINK.sub(
                r'<button onclick="window.print()"\1' + '\n  title="Print to PDF"\\2</button>', text
            )
        if new != text:
            page.write_text(new)
    return linked


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build the PDF edition from the built site.")
    parser.add_argument("--site", type=Path, default=Path("_build/html"))
    parser.add_argument("--toc", type=Path, default=Path("_toc.yml"))
    parser.add_argument("--out", type=Path, default=None, help=f"default: SITE/{PDF_NAME}")
    parser.add_argument(
        "--link-only",
        action="store_true",
        help="build nothing: link the pages to the PDF if it exists, else restore print buttons",
    )
    args = parser.parse_args(argv)
    if args.link_only:
        linked = link_from_pages(args.site, args.out)
        print(f"PDF edition: linked from {linked} pages" if linked else "PDF edition: none")
        return 0
    try:
        summary = build_pdf(args.site, args.toc, args.out)
    except (PdfBuildError, TocError) as err:
        print(f"PDF edition not built: {err}", file=sys.stderr)
        return 1
    linked = link_from_pages(args.site, summary.path)
    print(
        f"PDF edition: {summary.path} ({summary.pages} pages, {summary.seconds:.1f} s); "
        f"linked from {linked} pages"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
