"""Part 1 (History): chart specs, the phases table, the timeline explorer's logic and widget."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from crmc import data, derived, tables
from crmc.charts import history
from crmc.charts.common import OWN_CALCULATION, SIPRI_CREDIT
from crmc.data.schemas import TIMELINE_CATEGORIES
from crmc.explorers.timeline import (
    TimelineExplorer,
    compare_periods,
    format_summary,
    phase_table,
    summarise_period,
)

FIXTURES = Path(__file__).parent / "fixtures" / "data"


# ---------------------------------------------------------------- fixtures
@pytest.fixture(scope="module")
def timeline() -> pd.DataFrame:
    return data.load_timeline()


@pytest.fixture(scope="module")
def register() -> pd.DataFrame:
    return data.load_sipri_register()


@pytest.fixture(scope="module")
def yearly() -> pd.DataFrame:
    return derived.russia_china_yearly()


def _event(event_id: str, date: str, precision: str, category: str) -> dict[str, object]:
    start = pd.Timestamp(date if precision != "year" else f"{date}-01-01")
    return {
        "id": event_id,
        "date": date,
        "date_precision": precision,
        "title": f"Title of {event_id}",
        "category": category,
        "source": "https://example.org",
        "year": start.year,
        "start": start,
    }


SMALL_TIMELINE = pd.DataFrame(
    [
        _event("a", "2000-05-01", "day", "exercise"),
        _event("b", "2001", "year", "arms-transfer"),
        _event("c", "2001-03", "month", "exercise"),
        _event("d", "2003-07-09", "day", "border"),
    ]
)
SMALL_YEARLY = pd.DataFrame(
    {
        "year": [2000, 2001, 2002, 2003],
        "russia_to_china_tiv": [10.0, 20.0, 0.0, 30.0],
        "china_imports_tiv": [20.0, 40.0, 0.0, 40.0],
        "russia_share": [0.5, 0.5, float("nan"), 0.75],
    }
)


def _spec(chart: Any) -> dict[str, Any]:
    """The chart's spec, after checking it survives a JSON round trip."""
    spec: dict[str, Any] = chart.to_dict()
    assert json.loads(json.dumps(spec)) == spec
    return spec


def _values(spec: dict[str, Any]) -> list[dict[str, Any]]:
    """Every data row inlined in a spec (Altair stores them under ``datasets``)."""
    return [row for rows in spec.get("datasets", {}).values() for row in rows]


def _subtitle(spec: dict[str, Any]) -> list[str]:
    subtitle = spec["title"]["subtitle"]
    return [subtitle] if isinstance(subtitle, str) else list(subtitle)


def _params(spec: dict[str, Any]) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for param in node.get("params", []):
                found[param["name"]] = param
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(spec)
    return found


# ---------------------------------------------------------------- phases and helpers
PHASES = tables.phases_frame()


def test_phases_are_contiguous_and_cover_the_timeline(timeline: pd.DataFrame) -> None:
    starts, ends = PHASES["start"].tolist(), PHASES["end"].tolist()
    assert all(end + 1 == start for end, start in zip(ends, starts[1:], strict=False))
    assert starts[0] == int(timeline["year"].min())
    # The phases periodise SIPRI's deliveries, which end with the extract; the timeline runs
    # on into the epilogue, and every event past the last phase postdates the interview.
    assert ends[-1] == int(derived.russia_china_yearly()["year"].max())
    beyond = timeline[timeline["year"] > ends[-1]]
    assert not beyond.empty and beyond["after_interview"].all()
    assert PHASES["years"].tolist()[2] == "1999–2006"


@pytest.mark.parametrize("key", PHASES["key"].tolist())
def test_phase_anchors_are_timeline_events_inside_the_phase(
    key: str, timeline: pd.DataFrame
) -> None:
    years = timeline.set_index("id")["year"]
    phase = PHASES.set_index("key").loc[key]
    anchors = tables.phase_anchors(PHASES)[key]
    assert anchors, f"{key} has no anchor events"
    for anchor in anchors:
        assert anchor in years.index, f"{key}: anchor {anchor!r} not in timeline.csv"
        assert phase["start"] <= years[anchor] <= phase["end"], f"{anchor} outside {key}"


def test_a_gap_between_phases_is_a_data_error(tmp_path: Path) -> None:
    """Phases live in data: an edited file with a gap is reported with its line."""
    shutil.copytree(FIXTURES, tmp_path / "data")
    path = tmp_path / "data" / "phases.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("late,Late,2006", "late,Late,2007"),
                    encoding="utf-8")
    with pytest.raises(data.DataValidationError, match="phases must run in order"):
        data.load_phases(tmp_path / "data")


def test_phase_sums_agree_with_the_yearly_series(yearly: pd.DataFrame) -> None:
    sums = tables.phase_sums(yearly, tables.phases_frame()).set_index("key")
    peak = yearly[yearly["year"].between(1999, 2006)]
    assert sums.loc["peak", "russia_to_china_tiv"] == pytest.approx(
        peak["russia_to_china_tiv"].sum()
    )
    assert sums.loc["peak", "per_year_tiv"] == pytest.approx(peak["russia_to_china_tiv"].mean())
    assert sums.loc["peak", "russia_share"] == pytest.approx(
        peak["russia_to_china_tiv"].sum() / peak["china_imports_tiv"].sum()
    )


@pytest.mark.parametrize(
    ("date", "precision", "expected"),
    [
        ("1996-04-26", "day", "26 April 1996"),
        ("2015-04", "month", "April 2015"),
        ("1991", "year", "1991"),
        ("2005-08-08", "day", "8 August 2005"),
    ],
)
def test_event_date_label(date: str, precision: str, expected: str) -> None:
    assert tables.event_date_label(date, precision) == expected


def test_event_when_reads_the_row_and_names_a_missing_id(timeline: pd.DataFrame) -> None:
    row = timeline.iloc[0]
    assert tables.event_when(timeline, row["id"]) == tables.event_date_label(
        row["date"], row["date_precision"]
    )
    with pytest.raises(KeyError, match="no event 'no-such-event'"):
        tables.event_when(timeline, "no-such-event")


def test_key_systems_table_counts_register_rows(register: pd.DataFrame) -> None:
    table = tables.key_systems_table(register).set_index("system")
    su35 = register[(register["recipient"] == "China") & (register["designation"] == "Su-35S")]
    row = table.loc["Su-35 fighters"]
    assert row["deals"] == len(su35)
    assert row["delivered"] == int(su35["number_delivered"].sum())
    assert row["tiv_delivered"] == pytest.approx(su35["tiv_delivered"].sum())
    assert (table["first_delivery"] <= table["last_delivery"]).all()
    with pytest.raises(ValueError, match="no Russian deal with China for 'Nothing'"):
        tables.key_systems_table(register, {"Nothing": ("No-such-designation",)})


def test_direction_totals_match_the_register(register: pd.DataFrame) -> None:
    totals = tables.direction_totals(register, first_order=1992).set_index("supplier")
    recent = register[register["order_year"] >= 1992]
    from_china = recent[(recent["supplier"] == "China") & (recent["recipient"] == "Russia")]
    assert totals.loc["China", "deals"] == len(from_china)
    assert totals.loc["Russia", "deals"] > 10 * totals.loc["China", "deals"]


# ---------------------------------------------------------------- charts
def test_timeline_chart_spec(timeline: pd.DataFrame) -> None:
    spec = _spec(history.timeline_chart(timeline))
    assert spec["title"]["text"].startswith("China–Russia military relations")
    assert f"{len(timeline)} events" in spec["description"]
    params = _params(spec)
    assert {"category", "from_year", "to_year"} <= set(params)
    assert params["category"]["bind"]["input"] == "select"
    categories = set(timeline["category"])
    assert set(params["category"]["bind"]["options"]) == categories | {"All"}
    assert params["from_year"]["bind"]["input"] == "range"
    points = spec["layer"][0]
    enc = points["encoding"]
    assert (enc["x"]["field"], enc["x"]["type"]) == ("start", "temporal")
    assert enc["y"]["field"] == enc["color"]["field"] == "category"
    assert enc["x"]["title"] == "Date"
    assert {"title", "when", "description", "source"} <= {t["field"] for t in enc["tooltip"]}
    assert "from_year" in json.dumps(points["transform"])
    years = [row["year"] for row in _values(spec)]
    assert years and all(1989 <= y <= int(timeline["year"].max()) for y in years)


def test_deliveries_chart_spec(yearly: pd.DataFrame) -> None:
    spec = _spec(history.deliveries_chart(yearly))
    assert spec["title"]["text"] == "Russian arms deliveries to China, 1989–2023"
    assert SIPRI_CREDIT in _subtitle(spec) and OWN_CALCULATION in _subtitle(spec)
    assert spec["width"] == "container"
    bars = spec["layer"][1]["encoding"]
    assert bars["y"]["field"] == "russia_to_china_tiv" and bars["y"]["title"]
    assert {t["field"] for t in bars["tooltip"]} >= {"year", "russia_to_china_tiv"}
    texts = {layer["encoding"]["text"]["field"] for layer in spec["layer"][3:]}
    assert texts == {"label", "share_text"}
    years = [row["year"] for row in _values(spec) if "year" in row]
    assert years and min(years) == 1989 and max(years) == 2023
    window = yearly[yearly["year"].between(1989, 2023)]
    peak = window.loc[window["russia_to_china_tiv"].idxmax()]
    assert f"in {int(peak['year'])}" in spec["description"]
    shares = [row["russia_share"] for row in _values(spec) if "share_text" in row]
    assert len(shares) == len(PHASES) and all(0 <= s <= 1 for s in shares)


def test_purchases_by_category_chart_spec(register: pd.DataFrame) -> None:
    spec = _spec(history.purchases_by_category_chart(register))
    assert SIPRI_CREDIT in _subtitle(spec) and OWN_CALCULATION in _subtitle(spec)
    assert spec["description"] and spec["width"] == "container"
    enc = spec["encoding"]
    assert enc["color"]["field"] == "weapon_category"
    assert enc["x"]["scale"]["domain"][0] == "1989–1993" and len(enc["x"]["scale"]["domain"]) == 7
    assert enc["x"]["title"] and enc["y"]["title"]
    pick = [p for p in spec["params"] if p.get("bind") == "legend"]
    assert len(pick) == 1
    rows = _values(spec)
    pieces = derived.spread_deliveries(register)
    expected = pieces.loc[pieces["year"].between(1989, 2023), "tiv"].sum()
    assert sum(r["tiv"] for r in rows) == pytest.approx(expected)
    assert all(1989 <= r["first"] <= 2023 for r in rows)


def test_purchases_chart_rejects_ragged_periods(register: pd.DataFrame) -> None:
    with pytest.raises(ValueError, match="cannot be cut into 5-year periods"):
        history.purchases_by_category_chart(register, 1989, 2022)


# ---------------------------------------------------------------- explorer logic
def test_summary_of_a_small_timeline() -> None:
    summary = summarise_period(SMALL_TIMELINE, SMALL_YEARLY, 2000, 2001)
    assert [e.id for e in summary.events] == ["a", "b", "c"]
    assert summary.counts == {"border": 0, "arms-transfer": 1, "exercise": 2}
    assert summary.russia_to_china_tiv == 30.0 and summary.china_imports_tiv == 60.0
    assert summary.russia_share == 0.5 and summary.tiv_per_year == 15.0
    assert summary.events[0].when == "1 May 2000" and summary.events[2].when == "March 2001"


def test_categories_filter_and_a_year_without_imports() -> None:
    summary = summarise_period(SMALL_TIMELINE, SMALL_YEARLY, 2002, 2002, ["exercise"])
    assert summary.events == () and summary.counts == {"exercise": 0}
    assert summary.russia_share is None
    assert "No events in the chosen categories" in format_summary(summary)


def test_comparison_of_two_periods() -> None:
    comparison = compare_periods(SMALL_TIMELINE, SMALL_YEARLY, (2000, 2001), (2002, 2003))
    assert comparison.first.tiv_per_year == 15.0 and comparison.second.tiv_per_year == 15.0
    assert comparison.tiv_per_year_ratio == 1.0
    assert comparison.second.counts["border"] == 1


@pytest.mark.parametrize(
    ("start", "end", "categories", "message"),
    [
        (2003, 2000, None, "start year 2003 is after end year 2000"),
        (1990, 1995, None, "reach beyond the SIPRI data, which cover 2000–2003"),
        (2002, 2005, None, "reach beyond the SIPRI data"),
        (2000, 2003, [], "choose at least one category"),
        (2000, 2003, ["parades"], "unknown categories"),
    ],
)
def test_bad_input_gets_a_clear_error(
    start: int, end: int, categories: list[str] | None, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        summarise_period(SMALL_TIMELINE, SMALL_YEARLY, start, end, categories)


def test_real_data_summary_matches_independent_sums(
    timeline: pd.DataFrame, yearly: pd.DataFrame
) -> None:
    summary = summarise_period(timeline, yearly, 1999, 2006, ["exercise", "treaty"])
    window = yearly[yearly["year"].between(1999, 2006)]
    assert summary.russia_to_china_tiv == pytest.approx(window["russia_to_china_tiv"].sum())
    events = timeline[timeline["year"].between(1999, 2006)]
    assert summary.counts["exercise"] == int((events["category"] == "exercise").sum())
    assert summary.counts["treaty"] == int((events["category"] == "treaty").sum())
    assert len(summary.events) == sum(summary.counts.values())


def test_phase_table_counts_every_event_once(timeline: pd.DataFrame, yearly: pd.DataFrame) -> None:
    table = phase_table(timeline, yearly, tables.phases_frame())
    assert list(table["phase"]) == PHASES["label"].tolist()
    last = int(PHASES["end"].max())
    assert table["events"].sum() == int((timeline["year"] <= last).sum())
    present = [c for c in TIMELINE_CATEGORIES if c in set(timeline["category"])]
    assert (table[present].sum(axis=1) == table["events"]).all()


# ---------------------------------------------------------------- widget
def test_widget_starts_with_a_comparison(timeline: pd.DataFrame, yearly: pd.DataFrame) -> None:
    explorer = TimelineExplorer(timeline, yearly)
    assert explorer.compare.value and "1992–2013 compared with 2014–2023" in explorer.output.value
    assert "Two periods compared" in explorer.output.value


def test_widget_follows_its_controls(timeline: pd.DataFrame, yearly: pd.DataFrame) -> None:
    explorer = TimelineExplorer(timeline, yearly)
    explorer.compare.value = False
    assert explorer.second_start.disabled and explorer.second_end.disabled
    explorer.first_start.value = 2005
    explorer.first_end.value = 2005
    html = explorer.output.value
    assert "<strong>2005–2005:</strong>" in html and "Events by category, 2005–2005" in html
    peace_mission = timeline.loc[timeline["id"] == "2005-08-18-peace-mission-2005", "title"]
    assert peace_mission.iloc[0] in html
    explorer.categories.value = ("border",)
    assert peace_mission.iloc[0] not in explorer.output.value
    explorer.categories.value = ()
    assert 'role="alert"' in explorer.output.value
    assert "choose at least one category" in explorer.output.value
    explorer.categories.value = ("exercise",)
    explorer.first_start.value = 2010
    explorer.first_end.value = 2000
    assert "start year 2010 is after end year 2000" in explorer.output.value


def test_widget_compares_the_chosen_periods(timeline: pd.DataFrame, yearly: pd.DataFrame) -> None:
    explorer = TimelineExplorer(timeline, yearly)
    explorer.second_start.value = 2019
    explorer.second_end.value = 2019
    assert "compared with 2019–2019" in explorer.output.value
    expected = yearly.loc[yearly["year"] == 2019, "russia_to_china_tiv"].iloc[0]
    assert f"{expected:,.0f}" in explorer.output.value
