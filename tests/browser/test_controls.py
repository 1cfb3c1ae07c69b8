"""No dead controls: on every page each enabled control works, each dead one says why.

Explorers need a Python kernel, so on the static site their controls are disabled, and the
first thing in each explorer is the reason and the link that opens the page live. Every
control that is enabled (the charts' client-side selects, sliders, checkboxes) is changed
in turn, and something visible on the page must change.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser

from tests.browser.sitecheck import guard_context, open_page
from tests.conftest import toc_pages

# Form controls in the page's content (the theme's own search box and menus are not ours).
_CONTROLS = "#main-content .bd-article :is(select, input, button, textarea)"

_LIST_JS = f"""() => Array.from(document.querySelectorAll('{_CONTROLS}'))
  .filter(c => !c.closest('.copybtn, .headerlink, .toggle-button, .dropdown, summary'))
  .filter(c => c.getClientRects().length > 0 || c.closest('.crmc-static-explorer'))
  .map((c, i) => ({{ index: i, tag: c.tagName, type: c.type || '', disabled: c.disabled,
                    options: c.options ? c.options.length : 0,
                    name: c.name || c.id || c.textContent.trim().slice(0, 30) }}))"""

_CHANGE_JS = f"""(i) => {{
  const c = Array.from(document.querySelectorAll('{_CONTROLS}'))
    .filter(c => !c.closest('.copybtn, .headerlink, .toggle-button, .dropdown, summary'))
    .filter(c => c.getClientRects().length > 0 || c.closest('.crmc-static-explorer'))[i];
  c.scrollIntoView();
  if (!('crmcOriginal' in c.dataset)) {{
    c.dataset.crmcOriginal = c.tagName === 'SELECT' ? c.selectedIndex : (c.type === 'checkbox' ? c.checked : c.value);
  }}
  if (c.tagName === 'SELECT') {{ c.selectedIndex = (c.selectedIndex + 1) % c.options.length; }}
  else if (c.type === 'checkbox' || c.type === 'radio') {{ c.checked = !c.checked; }}
  else if (c.type === 'range' || c.type === 'number') {{
    c.value = (String(c.value) === String(c.max)) ? c.min : c.max; }}
  else if (c.tagName === 'BUTTON') {{ c.click(); return; }}
  c.dispatchEvent(new Event('input', {{bubbles: true}}));
  c.dispatchEvent(new Event('change', {{bubbles: true}}));
}}"""

# Put a control back as it was, so the next control starts from the page's first state.
_RESTORE_JS = f"""(i) => {{
  const c = Array.from(document.querySelectorAll('{_CONTROLS}'))
    .filter(c => !c.closest('.copybtn, .headerlink, .toggle-button, .dropdown, summary'))
    .filter(c => c.getClientRects().length > 0 || c.closest('.crmc-static-explorer'))[i];
  if (!('crmcOriginal' in c.dataset)) return;
  const v = c.dataset.crmcOriginal;
  if (c.tagName === 'SELECT') c.selectedIndex = Number(v);
  else if (c.type === 'checkbox') c.checked = v === 'true';
  else c.value = v;
  c.dispatchEvent(new Event('input', {{bubbles: true}}));
  c.dispatchEvent(new Event('change', {{bubbles: true}}));
}}"""

# What a reader sees: every chart's drawing and the text of the article.
_VISIBLE_JS = """() => Array.from(document.querySelectorAll('figure.crmc-vega svg'))
  .map(s => s.innerHTML).join('|') + document.querySelector('#main-content .bd-article').innerText"""


@pytest.mark.browser
@pytest.mark.parametrize("page_path", toc_pages())
def test_every_control_works_or_says_why_not(
    browser: Browser, base_url: str, page_path: str
) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    guard_context(context, {})
    page = context.new_page()
    try:
        report = open_page(page, base_url + f"{page_path}.html")
        assert report.problems() == [], "\n".join(report.problems())
        # Every explorer: its first element is the banner with the reason and a launch link,
        # and all its controls are disabled.
        explorers = page.evaluate(
            """() => Array.from(document.querySelectorAll('.crmc-static-explorer')).map(e => ({
                 bannerFirst: !!e.firstElementChild && e.firstElementChild.matches('.crmc-explorer-banner'),
                 reason: (e.querySelector('.crmc-explorer-banner') || {}).textContent || '',
                 launch: (e.querySelector('.crmc-explorer-banner a.crmc-launch-link') || {}).href || '',
                 enabled: Array.from(e.querySelectorAll('select, input, button, textarea')).filter(c => !c.disabled).length,
                 controls: e.querySelectorAll('select, input, button, textarea').length }))"""
        )
        for explorer in explorers:
            assert explorer["bannerFirst"], f"{page_path}: explorer does not open with its banner"
            assert "Not interactive on this page" in explorer["reason"]
            assert explorer["launch"].startswith("https://"), f"{page_path}: no launch link"
            assert explorer["controls"] > 0 and explorer["enabled"] == 0, explorer
        dead = []
        for control in page.evaluate(_LIST_JS):
            if control["disabled"]:
                continue
            # A menu may have an option that happens to show the same view: try each in turn
            # (a slider: both ends) until one changes what the reader sees.
            attempts = max(1, control["options"] - 1) if control["tag"] == "SELECT" else 2
            for _ in range(attempts):
                before = page.evaluate(_VISIBLE_JS)
                page.evaluate(_CHANGE_JS, control["index"])
                try:
                    page.wait_for_function(
                        f"before => ({_VISIBLE_JS})() !== before", arg=before, timeout=3_000
                    )
                    break
                except Exception:  # noqa: BLE001 - the next option, or reported below
                    continue
            else:
                dead.append(f"{control['tag'].lower()} {control['type']} {control['name']!r}")
            page.evaluate(_RESTORE_JS, control["index"])
            page.wait_for_timeout(300)
    finally:
        context.close()
    assert dead == [], f"{page_path}: enabled controls that change nothing visible: {dead}"
