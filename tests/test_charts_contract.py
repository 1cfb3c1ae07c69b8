"""Every chart function in ``crmc.charts.__all__``, called on real data as its page calls it.

The contract Altair's own gallery tests keep, for each chart: the spec validates against the
Vega-Lite schema (``to_dict`` validates), survives a JSON round trip and ``from_dict``, and has
a title and a text alternative (``description``). A chart added to ``__all__`` without a case
here fails :func:`test_every_chart_function_has_a_case`.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

import altair as alt
import pytest

from crmc import charts
from crmc.pages import Page, build
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
