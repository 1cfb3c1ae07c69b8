"""Printing a page: every chart whole on the paper, descriptions open, answers closed.

A reader at a desktop screen prints a page: each page that holds a chart, an answer dropdown
or an explorer is opened at 1280 px, then switched to print media at the width a printed A4
page leaves between its margins (``beforeprint`` fires, as when printing). Then:

- every chart is drawn (lazy charts too) and no chart is wider than the printable width;
- every axis label the screen version shows is printed, inside the page (the Part 1
  timeline keeps all its year labels, the Part 4 matrix all its columns);
- chart text descriptions and other plain disclosures are open; answer and hint dropdowns
  stay closed, with their title printed;
- explorers print no form controls, only their one-line note.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser

from tests.browser.sitecheck import guard_context, open_page
from tests.conftest import toc_pages

# A4 (210 mm) less the stylesheet's 14 mm margins each side, in CSS px (96 per inch).
PRINTABLE_WIDTH_PX = round((210 - 2 * 14) / 25.4 * 96)

_AXIS_LABELS_JS = """() => Object.fromEntries(Array.from(document.querySelectorAll('figure.crmc-vega'))
  .map(f => [f.id, Array.from(f.querySelectorAll('svg g.role-axis-label text'))
    .filter(t => t.textContent.trim() && t.getAttribute('opacity') !== '0'
                 && t.getBoundingClientRect().width > 0)
    .map(t => t.textContent)]))"""

_PRINT_LAYOUT_JS = """() => {
  const width = window.innerWidth;
  const shown = e => e.checkVisibility({contentVisibilityAuto: true, opacityProperty: true, visibilityProperty: true})
                     && e.getBoundingClientRect().height > 0;
  const out = {charts: {}, wide: [], descriptionsClosed: [], answersOpen: [], answerTitlesHidden: [],
               controls: [], notes: [], explorers: 0, undrawn: []};
  document.querySelectorAll('figure.crmc-vega').forEach(f => {
    if (f.dataset.rendered !== 'true') out.undrawn.push(f.id);
    const svg = f.querySelector('.crmc-vega-view svg');
    if (!svg) return;
    const s = svg.getBoundingClientRect();
    if (s.left < -1 || s.right > width + 1) out.wide.push(`${f.id}: ${Math.round(s.left)}..${Math.round(s.right)} on a ${width}px page`);
    out.charts[f.id] = Array.from(svg.querySelectorAll('g.role-axis-label text'))
      .filter(t => {
        const r = t.getBoundingClientRect();
        return t.getAttribute('opacity') !== '0' && r.width > 0 && r.left >= -1 && r.right <= width + 1
               && r.left >= s.left - 1 && r.right <= s.right + 1;
      }).map(t => t.textContent);
  });
  document.querySelectorAll('.bd-article details').forEach(d => {
    const body = d.querySelector(':scope > :not(summary)');
    if (!body) return;
    const summary = d.querySelector(':scope > summary');
    const label = (summary ? summary.textContent : '').trim().slice(0, 50);
    if (d.matches('.sd-dropdown')) {
      if (shown(body)) out.answersOpen.push(label);
      if (!summary || !shown(summary)) out.answerTitlesHidden.push(label);
    } else if (!shown(body)) {
      out.descriptionsClosed.push(label);
    }
  });
  document.querySelectorAll('.crmc-static-explorer').forEach(e => {
    out.explorers += 1;
    e.querySelectorAll('select, input, button, textarea').forEach(c => { if (shown(c)) out.controls.push(c.outerHTML.slice(0, 80)); });
    const note = e.querySelector('.crmc-print-note');
    if (note && shown(note)) out.notes.push(note.textContent);
  });
  return out;
}"""


def _print_pages() -> list[str]:
    """Pages with something print must handle: charts, answer dropdowns or explorers."""
    from tests.conftest import SITE

    markers = ("crmc-vega", "sd-dropdown", "jupyter-widget-view", "crmc-static-explorer")
    pages = []
    for page in toc_pages():
        html = SITE / f"{page}.html"
        if not html.is_file() or any(marker in html.read_text() for marker in markers):
            pages.append(page)
    return pages


@pytest.mark.browser
@pytest.mark.parametrize("page_path", _print_pages())
def test_printed_page_is_whole(
    browser: Browser, base_url: str, site_dir: Path, page_path: str
) -> None:
    assert (site_dir / f"{page_path}.html").is_file(), f"{page_path} was not built"
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    guard_context(context, {})
    page = context.new_page()
    try:
        report = open_page(page, base_url + f"{page_path}.html")
        assert report.problems() == [], f"{page_path}:\n  " + "\n  ".join(report.problems())
        screen_labels = page.evaluate(_AXIS_LABELS_JS)
        page.emulate_media(media="print")
        page.set_viewport_size({"width": PRINTABLE_WIDTH_PX, "height": 1100})
        page.evaluate("() => window.dispatchEvent(new Event('beforeprint'))")
        page.evaluate("() => window.crmcCharts ? window.crmcCharts.drawAll() : null")
        page.wait_for_timeout(300)  # let a resize-driven redraw settle
        layout = page.evaluate(_PRINT_LAYOUT_JS)
    finally:
        context.close()
    problems = [f"not drawn for print: {c}" for c in layout["undrawn"]]
    problems += [f"chart wider than the printable width: {w}" for w in layout["wide"]]
    for chart, labels in screen_labels.items():
        missing = [label for label in labels if label not in layout["charts"].get(chart, [])]
        if missing:
            problems.append(f"{chart}: axis labels of the screen version not printed: {missing}")
    problems += [f"disclosure prints closed: {d!r}" for d in layout["descriptionsClosed"]]
    problems += [f"answer prints open: {d!r}" for d in layout["answersOpen"]]
    problems += [
        f"answer dropdown prints without its title: {d!r}" for d in layout["answerTitlesHidden"]
    ]
    problems += [f"form control printed: {c}" for c in layout["controls"]]
    if len(layout["notes"]) != layout["explorers"]:
        problems.append(f"{len(layout['notes'])} of {layout['explorers']} explorers print a note")
    assert problems == [], f"{page_path} printed:\n  " + "\n  ".join(problems)
