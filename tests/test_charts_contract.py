"""Every chart function in ``crmc.charts.__all__``, called on real data as its page calls it.

The contract Altair's own gallery tests keep, for each chart: the spec validates against the
Vega-Lite schema (``to_dict`` validates), survives a JSON round trip and ``from_dict``, and has
a title and a text alternative (``description``). A chart added to ``__all__`` without a case
here fails :func:`test_every_chart_function_has_a_case`.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from functools import cache

import altair as alt
import pytest

from crmc import charts
from crmc.pages import Page, build
from crmc.sphinxext.vegalite import TABLE_ROWS, chart_html, data_table
from tests.chart_checks import round_trip


@cache
def _page(name: str) -> Page:
    return build(name)  # type: ignore[arg-type]


# chart function name -> how its page calls it (the same call as in book/*.md)
CASES: dict[str, Callable[[], alt.TopLevelMixin]] = {
    "china_imports_chart": lambda: charts.china_imports_chart(_page("intro").imports),
    "timeline_chart": lambda: charts.timeline_chart(_page("part1").timeline),
    "deliveries_chart": lambda: charts.deliveries_chart(_page("part1").yearly,
                                                        _page("part1").phases),
    "purchases_by_category_chart": lambda: charts.purchases_by_category_chart(
        _page("part1").register),
    "cases_chart": lambda: charts.cases_chart(_page("part2").scored),
    "visibility_gap_chart": lambda: charts.visibility_gap_chart(_page("part2").register,
                                                                _page("part2").flows),
    "supply_flows_chart": lambda: charts.supply_flows_chart(_page("part3").flows),
    "two_way_street_chart": lambda: charts.two_way_street_chart(_page("part3").flows),
    "capabilities_matrix_chart": lambda: charts.capabilities_matrix_chart(
        _page("part3").capabilities),
    "sanctions_timeline_chart": lambda: charts.sanctions_timeline_chart(
        _page("part4").timeline),
    "implications_matrix_chart": lambda: charts.implications_matrix_chart(
        _page("part4").implications),
    "whatif_chart": lambda: charts.whatif_chart(),
}


def test_every_chart_function_has_a_case() -> None:
    assert set(CASES) == set(charts.__all__)


@pytest.mark.parametrize("name", sorted(CASES))
def test_chart_keeps_the_contract(name: str) -> None:
    spec = round_trip(CASES[name]())
    title = spec.get("title", {})
    text = title.get("text") if isinstance(title, dict) else title
    assert text, f"{name}: no title"
    assert spec.get("description", "").strip(), f"{name}: no text alternative (description)"


# Charts whose tooltips show only values computed in the browser: their disclosure keeps the
# description, as there is no data table to give.
NO_TABLE = {"whatif_chart"}


@pytest.mark.parametrize("name", sorted(CASES))
def test_text_description_holds_the_tooltip_data_not_the_label_again(name: str) -> None:
    spec = CASES[name]().to_dict()
    page = re.sub(r'<script type="application/json".*?</script>', "",
                  chart_html(spec, "c1", data_page="data-sources.html"))
    details = page[page.index('<details class="crmc-chart-description">'):]
    description = html.escape(spec["description"])
    assert page.count(description) == (2 if name in NO_TABLE else 1)  # aria-label (+ details)
    if name in NO_TABLE:
        assert data_table(spec) is None and "<table" not in details
        return
    headers, rows, total = data_table(spec)  # type: ignore[misc]
    assert len(headers) >= 2 and 1 <= len(rows) <= TABLE_ROWS
    assert details.count("<tr>") == len(rows) + 1
    caption = re.search(r"<caption>(.*?)</caption>", details)
    assert caption is not None
    if total > TABLE_ROWS:
        assert f"the first {TABLE_ROWS} of {total} rows" in caption.group(1)
    else:
        assert f"all {total} rows" in caption.group(1)
    # Keyboard users reach a wide table: its scrolling region takes focus.
    assert 'role="region" tabindex="0"' in details
    assert 'href="data-sources.html#download-the-data"' in details


def test_data_table_formats_values_as_the_tooltips_do() -> None:
    spec = CASES["deliveries_chart"]().to_dict()
    headers, rows, _ = data_table(spec)  # type: ignore[misc]
    share = rows[0][headers.index("Russia's share of China's imports")]
    assert re.fullmatch(r"\d{1,3}%", share)
