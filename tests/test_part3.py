"""Part 3: interdependence charts and the dependency explorer."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest
from pandera.errors import SchemaError

from crmc import data, tables
from crmc.charts.common import SIPRI_CREDIT
from crmc.charts.interdependence import (
    capabilities_matrix_chart,
    supply_flows_chart,
    two_way_street_chart,
)
from crmc.explorers.dependency import (
    DependencyExplorer,
    dependency,
    domains,
    format_dependency,
    programmes,
)
from crmc.tables import ALL, DIRECTIONS, NOT_CHECKED, flow_table, period_counts
from tests.chart_checks import round_trip, walk


@pytest.fixture(scope="module")
def flows() -> pd.DataFrame:
    return data.load_flows()


@pytest.fixture(scope="module")
def capabilities() -> pd.DataFrame:
    return data.load_capabilities()


def _rows(spec: dict[str, Any], key: str) -> list[dict[str, Any]]:
    return [r for ds in spec["datasets"].values() for r in ds if key in r]


def _encodings(spec: dict[str, Any]) -> list[dict[str, Any]]:
    return [p["encoding"] for p in walk(spec) if "encoding" in p]


# ------------------------------------------------------------------ shared table
def test_flow_table_adds_direction_verdict_and_years(flows: pd.DataFrame) -> None:
    table = flow_table(flows).set_index("id")
    assert set(table["direction"]) == set(DIRECTIONS)
    assert table.loc["henan-diesel-buyan-m", "direction"] == "China → Russia"
    assert table.loc["henan-diesel-buyan-m", "years"] == "2015–2022"
    assert table.loc["rd93-joint-upgrade", "years"] == "from 2014"
    assert table.loc["tiger-apv-2022", "verdict_label"] == NOT_CHECKED
    assert (table["side"] == table["direction"].map({DIRECTIONS[0]: -1, DIRECTIONS[1]: 1})).all()


def test_flow_table_names_missing_columns(flows: pd.DataFrame) -> None:
    with pytest.raises(SchemaError, match="column 'form' not in dataframe"):
        flow_table(flows.drop(columns=["form"]))


def test_period_counts_cover_every_flow_and_period(flows: pd.DataFrame) -> None:
    counts = period_counts(flows)
    assert int(counts["flows"].sum()) == len(flows)
    assert counts["period_start"].min() == 1989 + (flows["year_start"].min() - 1989) // 5 * 5
    assert ((counts["period_start"] - tables.PERIOD_ORIGIN) % 5 == 0).all()
    assert set(counts["period"]) >= {"1989–1993", "2014–2018", "2019–2023"}
    henan = counts[(counts["period"] == "2014–2018") & (counts["direction"] == "China → Russia")]
    assert int(henan["flows"].sum()) >= 1
    with pytest.raises(ValueError, match="at least 1 year"):
        period_counts(flows, 0)


# ------------------------------------------------------------------ charts
def test_supply_flows_chart_spec(flows: pd.DataFrame) -> None:
    spec = round_trip(supply_flows_chart(flows))
    assert spec["title"]["text"] == "Who supplies what: flows in both directions"
    assert SIPRI_CREDIT in spec["title"]["subtitle"]
    assert spec["width"] == "container"
    n_c2r = int((flows["supplier"] == "China").sum())
    assert f"{len(flows)} flows" in spec["description"]
    assert f"{n_c2r} run from China to Russia" in spec["description"]
    params = {p["name"]: p for p in spec["params"]}
    assert {"flow_direction", "flow_form", "flow_status", "flow_verdict", "flow_rows"} <= set(params)
    for name in ("flow_direction", "flow_form", "flow_status", "flow_verdict"):
        assert params[name]["bind"]["input"] == "select"
        assert params[name]["bind"]["name"].strip()
        assert params[name]["value"] == ALL
    assert params["flow_direction"]["bind"]["options"] == [ALL, *DIRECTIONS]
    assert {"sale", "licence", "joint R&D", "subcontracting"} <= set(params["flow_form"]["bind"]["options"])
    filters = [p["filter"] for p in walk(spec) if "filter" in p]
    assert any("flow_direction" in f and "flow_verdict" in f for f in filters)
    bar = next(e for e in _encodings(spec) if e.get("y", {}).get("field") == "row")
    assert bar["x"]["field"] == "side" and bar["x"]["title"].startswith("Flows: ← Russia to China")
    assert bar["color"]["field"] == "form"
    assert {t["field"] for t in bar["tooltip"]} >= {"item", "status", "verdict_label", "source"}
    rows = _rows(spec, "side")
    assert len(rows) == len(flows)
    assert {r["side"] for r in rows} == {-1, 1}
    domain = bar["x"]["scale"]["domain"]
    per_side = flow_table(flows).groupby(["domain", "direction"]).size().max()
    assert domain[0] == -domain[1] and domain[1] > per_side


def test_two_way_street_chart_spec(flows: pd.DataFrame) -> None:
    spec = round_trip(two_way_street_chart(flows))
    assert spec["title"]["text"].startswith("A two-way street?")
    assert SIPRI_CREDIT in spec["title"]["subtitle"]
    first_c2r = tables.period_start(int(flows.loc[flows["supplier"] == "China", "year_start"].min()))
    assert f"first appear in {first_c2r}–{first_c2r + 4}" in spec["description"]
    assert "1989–1993" in spec["description"]
    legend = [p for p in walk(spec) if p.get("bind") == "legend"]
    assert legend and legend[0]["name"] == "flow_form_pick"
    assert legend[0]["select"]["fields"] == ["form"]
    bar = next(e for e in _encodings(spec) if e.get("x", {}).get("field") == "period")
    assert bar["y"]["field"] == "up" and bar["x"]["title"].startswith("Period")
    assert bar["color"]["field"] == "form" and bar["tooltip"]
    rows = _rows(spec, "up")
    assert len(rows) == len(flows)
    reach = bar["y"]["scale"]["domain"][1]
    totals = pd.DataFrame(rows).groupby(["period", "up"]).size()
    assert totals.max() < reach


def test_capabilities_matrix_chart_spec(capabilities: pd.DataFrame) -> None:
    spec = round_trip(capabilities_matrix_chart(capabilities))
    assert spec["title"]["text"] == "Where each side has the edge"
    assert SIPRI_CREDIT in spec["title"]["subtitle"]
    n_china = int((capabilities["edge"] == "China").sum())
    assert f"China has the edge in {n_china}" in spec["description"]
    assert "Military drones" in spec["description"]
    encodings = _encodings(spec)
    assert all(e["x"]["field"] == "column" and e["y"]["field"] == "capability" for e in encodings)
    assert any(e.get("color", {}).get("field") == "basis_label" for e in encodings)
    assert all({"statement", "source"} <= {t["field"] for t in e["tooltip"]} for e in encodings)
    filled = [r for r in _rows(spec, "present") if r["present"]]
    assert len(filled) == len(capabilities)
    assert all(r["column"].endswith(r["edge"]) for r in filled)


def test_capabilities_matrix_rejects_unknown_edge(capabilities: pd.DataFrame) -> None:
    bad = capabilities.copy()
    bad.loc[bad.index[0], "edge"] = "USA"
    with pytest.raises(ValueError, match="unknown edge values: USA"):
        capabilities_matrix_chart(bad)


# ------------------------------------------------------------------ explorer logic
def test_programmes_and_domains_list_the_data(flows: pd.DataFrame) -> None:
    names = programmes(flows)
    assert {"JF-17 engine", "Buyan-M corvette", "Missile early-warning system",
            "Space electronics"} <= set(names)
    assert names == sorted(names)
    assert set(domains(flows)) == set(flows["domain"])


def test_jf17_engine_is_russian_since_2005(flows: pd.DataFrame) -> None:
    # The first RD-93 supply contract dates from 2005 (re-export allowed from 2007).
    dep = dependency(flows, "JF-17 engine")
    assert dep.since == 2005
    assert dep.suppliers == {"Russia": 2, "China": 0}
    assert not dep.two_way
    assert [c.component for c in dep.components] == ["RD-93 turbofan", "RD-93 turbofan (upgrade)"]
    upgrade = dep.components[1]
    assert (upgrade.form, upgrade.status, upgrade.verdict) == ("joint R&D", "reported", "partly")


def test_space_electronics_runs_both_ways(flows: pd.DataFrame) -> None:
    dep = dependency(flows, "Space electronics")
    assert dep.two_way
    assert {c.direction for c in dep.components} == set(DIRECTIONS)
    assert dep.since == 2014


def test_buyan_m_is_chinese_and_in_sipri(flows: pd.DataFrame) -> None:
    (engine,) = dependency(flows, "Buyan-M corvette").components
    assert engine.supplier == "China" and engine.in_sipri and engine.status == "delivered"
    assert engine.years == "2015–2022" and "SIPRI" in engine.source


def test_domain_view_collects_every_flow_of_the_domain(flows: pd.DataFrame) -> None:
    dep = dependency(flows, "naval", kind="domain")
    assert len(dep.components) == int((flows["domain"] == "naval").sum())
    assert dep.two_way
    assert [c.year_start for c in dep.components] == sorted(c.year_start for c in dep.components)


@pytest.mark.parametrize(
    ("name", "kind", "message"),
    [
        ("Death Star", "programme", "unknown programme 'Death Star'; known programmes: .*JF-17"),
        ("underwater", "domain", "unknown domain 'underwater'; known domains: air"),
        ("JF-17 engine", "platform", "unknown kind 'platform'"),
    ],
)
def test_unknown_names_raise_a_clear_value_error(
    flows: pd.DataFrame, name: str, kind: Any, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        dependency(flows, name, kind=kind)


def test_format_lists_components_and_sources(flows: pd.DataFrame) -> None:
    text = format_dependency(dependency(flows, "Missile early-warning system"))
    assert "<table" in text and "<caption>" in text
    assert "since 2019" in text and "one-way, Russia → China" in text
    assert "themoscowtimes.com" in text
    assert "<script" not in format_dependency(dependency(flows, "Space electronics"))


# ------------------------------------------------------------------ widget
def test_widget_output_follows_the_controls(flows: pd.DataFrame) -> None:
    explorer = DependencyExplorer(flows)
    assert explorer.choice.value == "JF-17 engine"
    assert "<strong>JF-17 engine</strong>" in explorer.output.value
    explorer.choice.value = "Buyan-M corvette"
    assert "<strong>Buyan-M corvette</strong>" in explorer.output.value
    assert "CHD622V20" in explorer.output.value
    explorer.kind.value = "domain"
    assert explorer.choice.value in domains(flows)
    explorer.choice.value = "cyber"
    assert "<strong>cyber</strong> (domain)" in explorer.output.value
    assert "one-way, China → Russia" in explorer.output.value


def test_widget_uses_no_sliders(flows: pd.DataFrame) -> None:
    import ipywidgets as widgets

    explorer = DependencyExplorer(flows, start="Space electronics")
    assert "two-way exchange" in explorer.output.value

    def children(w: Any) -> list[Any]:
        kids = list(getattr(w, "children", ()))
        return kids + [g for k in kids for g in children(k)]

    everything = children(explorer)
    assert not any("Slider" in type(w).__name__ for w in everything)
    assert all(w.description for w in everything if isinstance(w, widgets.Dropdown))
