"""The site's search page finds weapon and programme names as students type them."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote_plus

import pytest
from playwright.sync_api import Browser

from tests.browser.sitecheck import guard_context

# query → a page that discusses it (each checked against the built pages' text below).
QUERIES = {
    "J-11B": "part1-history",
    "S-400": "part1-history",
    "S400": "part1-history",
    "S-300": "part1-history",
    "Su-27": "part1-history",
    "RD-93": "part3-interdependence",
    "Buyan-M": "part3-interdependence",
    "Peace Mission": "part1-history",
}


@pytest.mark.browser
@pytest.mark.parametrize(("query", "expected_page"), QUERIES.items())
def test_search_finds_names_as_typed(
    browser: Browser, base_url: str, site_dir: Path, query: str, expected_page: str
) -> None:
    # The page really discusses it (so the expectation is not made up).
    text = (site_dir / "book" / f"{expected_page}.html").read_text()
    assert query.replace("S400", "S-400") in text, f"{expected_page} does not mention {query}"
    context = browser.new_context()
    guard_context(context, {})
    page = context.new_page()
    try:
        page.goto(base_url + f"search.html?q={quote_plus(query)}")
        page.wait_for_function(
            "() => document.querySelector('#search-results .search-summary, "
            "#search-results p') !== null",
            timeout=15_000,
        )
        page.wait_for_timeout(200)
        results = page.eval_on_selector_all(
            "#search-results ul.search li a", "as => as.map(a => a.getAttribute('href'))"
        )
    finally:
        context.close()
    assert any(expected_page in href for href in results), f"{query!r} → {results}"


def _snippets(
    browser: Browser, url: str, ready_js: str, selector: str, settle_ms: int = 0
) -> list[str]:
    """The result snippets of a search page, once ``ready_js`` holds (no outside request)."""
    context = browser.new_context()
    guard_context(context, {})
    page = context.new_page()
    try:
        page.goto(url)
        page.wait_for_function(ready_js, timeout=15_000)
        if settle_ms:
            page.wait_for_timeout(settle_ms)
        snippets: list[str] = page.eval_on_selector_all(
            selector, "ps => ps.map(p => p.textContent.trim())"
        )
    finally:
        context.close()
    return snippets


@pytest.mark.browser
@pytest.mark.parametrize("query", ["objectives", "S-400"])
def test_snippets_show_page_text_not_its_contents_list(
    browser: Browser, base_url: str, query: str
) -> None:
    # Each page's "Contents" list and header buttons sit inside its main region, where
    # Sphinx takes snippets from; crmc-search.js strips them. Without it, "objectives" gave
    # "Contents Learning objectives What the interview says ..." and "S-400" gave "...Binder".
    snippets = _snippets(
        browser,
        base_url + "search.html?q=" + quote_plus(query),
        "() => document.querySelectorAll('#search-results p.context').length > 3",
        "#search-results p.context",
        settle_ms=500,
    )
    for snippet in snippets:
        text = snippet.lstrip(". …")
        assert not text.startswith(("Contents", "Binder")), snippet[:120]
        assert "What the interview says" not in text[:80], snippet[:120]


@pytest.mark.browser
@pytest.mark.parametrize(("query", "typed"), [("S-400", "S-400"), ("s400", "S-400"),
                                              ("Buyan-M", "Buyan-M")])
def test_snippet_of_a_glued_name_centres_on_the_name(
    browser: Browser, base_url: str, query: str, typed: str
) -> None:
    # "S-400" is looked up as "s400", which no page's text holds; crmc-search.js finds the
    # name as the text writes it, so the snippet shows it instead of the page's first lines.
    # Sphinx lists the results, then fetches each page and adds its snippet.
    snippets = _snippets(
        browser,
        base_url + "search.html?q=" + quote_plus(query),
        "() => { const lis = [...document.querySelectorAll('#search-results ul.search li')];"
        " return lis.length > 0 && lis.every(li => li.querySelector('p.context')); }",
        "#search-results ul.search li p.context",
    )
    assert typed in snippets[0], snippets[0][:300]
    # Every result page holds the name somewhere: each snippet shows it.
    assert all(typed.lower() in s.lower() for s in snippets), [s[:160] for s in snippets]
