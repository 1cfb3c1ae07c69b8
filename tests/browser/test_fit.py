"""Every page at phone and tablet widths: nothing wider than the screen, charts whole.

At 320, 390 and 768 px, for every page in ``_toc.yml``: the page does not scroll sideways;
every chart's drawn SVG is within its container; no chart text runs past its SVG's edge;
no two labels of one axis overlap.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser

from tests.browser.sitecheck import guard_context, open_page
from tests.conftest import toc_pages

WIDTHS = (320, 390, 768)

_LAYOUT_JS = """() => {
  const px = r => `${Math.round(r.left)}..${Math.round(r.right)}`;
  const out = {pageOverflow: null, chartOverflow: [], textOverflow: [], axisOverlap: []};
  const doc = document.documentElement;
  if (doc.scrollWidth > window.innerWidth + 1) {
    // Name the widest elements, so a failure says what to fix.
    const wide = Array.from(document.querySelectorAll('body *'))
      .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
      .slice(-3).map(e => e.tagName.toLowerCase() + '.' + String(e.className).split(' ')[0]);
    out.pageOverflow = `page is ${doc.scrollWidth}px wide at ${window.innerWidth}px: ${wide.join(', ')}`;
  }
  document.querySelectorAll('figure.crmc-vega').forEach(fig => {
    const svg = fig.querySelector('.crmc-vega-view svg');
    if (!svg) return;
    const box = fig.getBoundingClientRect(), s = svg.getBoundingClientRect();
    if (s.width > box.width + 1 || s.left < box.left - 1 || s.right > box.right + 1)
      out.chartOverflow.push(`${fig.id}: svg ${px(s)} in container ${px(box)}`);
    svg.querySelectorAll('text').forEach(t => {
      const r = t.getBoundingClientRect();
      if (!t.textContent.trim() || r.width === 0) return;
      if (r.left < s.left - 1 || r.right > s.right + 1)
        out.textOverflow.push(`${fig.id}: "${t.textContent.slice(0, 40)}" ${px(r)} past svg ${px(s)}`);
    });
    svg.querySelectorAll('g.role-axis').forEach(axis => {
      const labels = Array.from(axis.querySelectorAll('g.role-axis-label text'))
        .filter(t => t.textContent.trim() && getComputedStyle(t).opacity !== '0' && t.getAttribute('opacity') !== '0')
        .map(t => ({text: t.textContent, r: t.getBoundingClientRect()}));
      for (let i = 0; i < labels.length; i++) for (let j = i + 1; j < labels.length; j++) {
        const a = labels[i].r, b = labels[j].r;
        const w = Math.min(a.right, b.right) - Math.max(a.left, b.left);
        const h = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
        if (w > 1 && h > 1) out.axisOverlap.push(`${fig.id}: "${labels[i].text}" overlaps "${labels[j].text}"`);
      }
    });
  });
  return out;
}"""


@pytest.mark.browser
@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("page_path", toc_pages())
def test_page_fits_the_screen(browser: Browser, base_url: str, page_path: str, width: int) -> None:
    context = browser.new_context(viewport={"width": width, "height": 800})
    guard_context(context, {})
    page = context.new_page()
    try:
        report = open_page(page, base_url + f"{page_path}.html")
        assert report.problems() == [], f"{page_path} @ {width}px:\n  " + "\n  ".join(
            report.problems()
        )
        layout = page.evaluate(_LAYOUT_JS)
    finally:
        context.close()
    problems = ([layout["pageOverflow"]] if layout["pageOverflow"] else []) + layout[
        "chartOverflow"
    ]
    problems += layout["textOverflow"] + layout["axisOverlap"]
    assert problems == [], f"{page_path} @ {width}px:\n  " + "\n  ".join(problems)
