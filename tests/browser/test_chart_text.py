"""Text drawn inside charts does not collide, at phone and tablet widths.

Part 1's phase labels ("Soviet sales", "Peak", ...) once ran into each other on phones. For
every chart page at 320, 390 and 768 px: no two text marks of one chart (labels drawn in the
plot, not axis labels or titles, which ``test_fit`` checks) overlap.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser

from tests.browser.sitecheck import guard_context, open_page

WIDTHS = (320, 390, 768)
CHART_PAGES = (
    "book/part1-history",
    "book/part2-normal-vs-wartime",
    "book/part3-interdependence",
    "book/part4-risks",
)

_TEXT_OVERLAPS_JS = """() => {
  const found = [], counted = {};
  document.querySelectorAll('figure.crmc-vega').forEach(fig => {
    const texts = Array.from(fig.querySelectorAll('svg g.role-mark text'))
      .filter(t => t.textContent.trim() && t.getAttribute('opacity') !== '0')
      .map(t => ({text: t.textContent, r: t.getBoundingClientRect()}))
      .filter(t => t.r.width > 0);
    counted[fig.id] = texts.length;
    for (let i = 0; i < texts.length; i++) for (let j = i + 1; j < texts.length; j++) {
      const a = texts[i].r, b = texts[j].r;
      const w = Math.min(a.right, b.right) - Math.max(a.left, b.left);
      const h = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
      if (w > 1 && h > 1) found.push(`${fig.id}: "${texts[i].text}" overlaps "${texts[j].text}"`);
    }
  });
  return {found, counted};
}"""


@pytest.mark.browser
@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("page_path", CHART_PAGES)
def test_text_inside_charts_does_not_collide(
    browser: Browser, base_url: str, page_path: str, width: int
) -> None:
    context = browser.new_context(viewport={"width": width, "height": 800})
    guard_context(context, {})
    page = context.new_page()
    try:
        report = open_page(page, base_url + f"{page_path}.html")
        assert report.problems() == []
        result = page.evaluate(_TEXT_OVERLAPS_JS)
    finally:
        context.close()
    assert result["counted"], f"{page_path}: no chart drawn"
    assert result["found"] == [], f"{page_path} @ {width}px:\n  " + "\n  ".join(result["found"])


@pytest.mark.browser
@pytest.mark.parametrize("width", WIDTHS)
def test_every_phase_label_is_drawn(browser: Browser, base_url: str, width: int) -> None:
    """The control for the test above: the phase labels are there to collide (five phases,
    a name and a share each), so a chart that dropped them would not pass unnoticed."""
    context = browser.new_context(viewport={"width": width, "height": 800})
    guard_context(context, {})
    page = context.new_page()
    try:
        open_page(page, base_url + "book/part1-history.html")
        texts = page.evaluate(
            """() => Array.from(document.querySelectorAll(
                 'figure.crmc-vega svg g.role-mark text')).map(t => t.textContent)"""
        )
    finally:
        context.close()
    for label in ("Soviet sales", "First purchases", "Peak", "Decline", "Two-way street"):
        assert label in texts
    assert sum(t.endswith("% of imports") for t in texts) == 5
