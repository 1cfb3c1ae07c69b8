"""Part 2: the classification teaching model, its charts and its explorer."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest

from crmc import data
from crmc.charts.common import SIPRI_CREDIT
from crmc.charts.wartime import cases_chart, visibility_gap_chart
from crmc.classify import (
    CODES,
    CRITERIA,
    CRITERION_INFO,
    DEFAULT_WEIGHTS,
    CaseAttributes,
    Code,
    Criterion,
    classify,
    classify_cases,
    nearest_cases,
)
from crmc.explorers.classification import ClassificationExplorer, format_classification
from crmc.tables import visibility_table
from tests.chart_checks import round_trip, walk


def coded(**codes: Code) -> CaseAttributes:
    """Every criterion coded toward normal cooperation, except the ones given."""
    values: dict[str, Code] = {
        c: ("no" if CRITERION_INFO[c].toward_assistance == "yes" else "yes") for c in CRITERIA
    }
    values.update(codes)
    return CaseAttributes.from_mapping(values)


@pytest.fixture(scope="module")
def cases() -> pd.DataFrame:
    return data.load_cases()


@pytest.fixture(scope="module")
def scored(cases: pd.DataFrame) -> pd.DataFrame:
    return classify_cases(cases)


# ------------------------------------------------------------------ the model
@pytest.mark.parametrize("criterion", CRITERIA)
def test_each_criterion_moves_the_score_in_its_stated_direction(criterion: Criterion) -> None:
    info = CRITERION_INFO[criterion]
    other: Code = "no" if info.toward_assistance == "yes" else "yes"
    toward = classify(coded(**{criterion: info.toward_assistance}))
    away = classify(coded(**{criterion: other}))
    unknown = classify(coded(**{criterion: "unknown"}))
    assert away.position < unknown.position < toward.position
    weight_share = DEFAULT_WEIGHTS[criterion] / sum(DEFAULT_WEIGHTS.values())
    assert toward.position - away.position == pytest.approx(weight_share)


def test_all_unknown_gives_the_widest_band() -> None:
    result = classify(CaseAttributes())
    assert (result.low, result.position, result.high) == (0.0, 0.5, 1.0)
    assert set(result.unknowns) == set(CRITERIA)
    narrower = classify(CaseAttributes(lethal="yes"))
    assert narrower.band < result.band


def test_fully_coded_case_has_no_band() -> None:
    result = classify(coded(lethal="yes"))
    assert result.low == result.position == result.high
    assert result.band == 0


@pytest.mark.parametrize("codes", CODES)
def test_bounds_are_zero_to_one(codes: Code) -> None:
    result = classify(CaseAttributes(**{c: codes for c in CRITERIA}))
    assert 0.0 <= result.low <= result.position <= result.high <= 1.0


def test_extremes() -> None:
    most = {c: CRITERION_INFO[c].toward_assistance for c in CRITERIA}
    least = {c: ("no" if v == "yes" else "yes") for c, v in most.items()}
    assert classify(most).position == 1.0
    assert classify(least).position == 0.0


def test_reasons_name_each_criterion_that_counted() -> None:
    result = classify(coded(lethal="yes", battlefield_use="yes", dual_use="unknown"))
    toward = result.reasons_toward_assistance()
    assert any(text.startswith("Lethal = yes: counts toward assistance because") for text in toward)
    assert any(text.startswith("Used in the war = yes") for text in toward)
    assert not any("Dual-use" in text for text in toward)
    assert [r.criterion for r in result.reasons] == list(CRITERIA)
    assert any("Dual-use: unknown" in r.text for r in result.reasons)


def test_weights_can_switch_a_criterion_off() -> None:
    attrs = coded(lethal="yes")
    assert classify(attrs, {"lethal": 0}).position == 0.0
    assert "switched off" in classify(attrs, {"lethal": 0}).reasons[1].text


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: CaseAttributes(lethal="maybe"), "invalid value 'maybe' for criterion 'lethal'"),
        (lambda: classify({"lethal": "yes"}), "missing criteria: contract_before_invasion"),
        (lambda: classify(CaseAttributes(), {"colour": 1.0}), "unknown criterion in weights"),
        (lambda: classify(CaseAttributes(), {"lethal": -1}), "must be zero or positive"),
        (lambda: classify(CaseAttributes(), {c: 0 for c in CRITERIA}), "positive weight"),
    ],
)
def test_invalid_input_raises_a_clear_value_error(build: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        build()


def test_codes_tolerate_case_and_spaces() -> None:
    assert CaseAttributes(lethal=" Yes").lethal == "yes"  # type: ignore[arg-type]


def test_every_real_case_scores(cases: pd.DataFrame, scored: pd.DataFrame) -> None:
    assert len(scored) == len(cases) > 0
    assert scored["position"].between(0, 1).all()
    assert (scored["low"] <= scored["position"]).all()
    assert (scored["position"] <= scored["high"]).all()
    assert scored["position"].is_monotonic_decreasing


def test_a_bad_case_row_names_its_id(cases: pd.DataFrame) -> None:
    broken = cases.copy()
    broken.loc[broken.index[0], "lethal"] = "perhaps"
    with pytest.raises(ValueError, match=f"case '{broken.iloc[0]['id']}'"):
        classify_cases(broken)


def test_nearest_cases_finds_an_identical_coding(scored: pd.DataFrame) -> None:
    row = scored.iloc[-1]
    attrs = CaseAttributes.from_mapping({c: row[c] for c in CRITERIA})
    nearest = nearest_cases(attrs, scored, 2)
    assert nearest[0].id == row["id"] and nearest[0].differences == 0
    assert len(nearest) == 2


# ------------------------------------------------------------------ charts




def test_cases_chart_spec(scored: pd.DataFrame) -> None:
    spec = round_trip(cases_chart(scored))
    assert len(spec["vconcat"]) == 2
    assert spec["title"]["text"].startswith("Normal cooperation or military assistance")
    assert any("Teaching model" in line for line in spec["title"]["subtitle"])
    assert SIPRI_CREDIT in " ".join(spec["title"]["subtitle"])
    assert str(len(scored)) in spec["description"]
    names = {p["name"]: p for p in spec["params"]}
    assert {f"use_{c}" for c in CRITERIA} | {"case_focus"} <= set(names)
    assert all(names[f"use_{c}"]["bind"]["input"] == "checkbox" for c in CRITERIA)
    assert names["case_focus"]["bind"]["input"] == "select"
    parts = walk(spec)
    calcs = [p["calculate"] for p in parts if "calculate" in p]
    assert any("use_lethal" in expr for expr in calcs)
    encodings = [p["encoding"] for p in parts if "encoding" in p]
    assert any(e.get("x", {}).get("field") == "live_position" for e in encodings)
    assert any(e.get("x2", {}).get("field") == "live_high" for e in encodings)
    assert any(e.get("color", {}).get("field") == "direction" for e in encodings)
    assert all("tooltip" in e for e in encodings if "y" in e)
    assert any(e["x"].get("scale", {}).get("domain") == [0, 1] for e in encodings if "x" in e)


def test_cases_chart_data_stays_in_bounds(scored: pd.DataFrame) -> None:
    spec = cases_chart(scored).to_dict()
    rows = [r for ds in spec["datasets"].values() for r in ds if "position" in r]
    assert len(rows) == len(scored)
    assert all(0 <= r["low"] <= r["position"] <= r["high"] <= 1 for r in rows)


def test_cases_chart_rejects_unscored_input(cases: pd.DataFrame) -> None:
    with pytest.raises(ValueError, match="lacks columns: high, low, position"):
        cases_chart(cases)


def test_visibility_table_matches_sipri_deals() -> None:
    register, flows = data.load_sipri_register(), data.load_flows()
    table = visibility_table(register, flows)
    deals = register[(register["supplier"] == "China") & (register["recipient"] == "Russia")]
    china = flows[(flows["supplier"] == "China") & (flows["recipient"] == "Russia")]
    assert len(deals) == 2
    assert int(table["in_sipri"].sum()) == len(deals)
    assert len(table) == len(china)
    assert (table["in_sipri"] == table["sipri_deal"].ne("")).all()


def test_visibility_gap_chart_spec() -> None:
    chart = visibility_gap_chart(data.load_sipri_register(), data.load_flows())
    spec = round_trip(chart)
    assert spec["title"]["text"] == "What SIPRI sees of China's supplies to Russia"
    assert any(SIPRI_CREDIT in line for line in spec["title"]["subtitle"])
    assert "2 China-to-Russia deals" in spec["description"]
    assert spec["width"] == "container"
    params = [p for p in walk(spec) if p.get("bind") == "legend"]
    assert params and params[0]["select"]["fields"] == ["status"]
    encodings = [p["encoding"] for p in walk(spec) if "encoding" in p]
    assert all(e["x"]["field"] == "column" and e["y"]["field"] == "label" for e in encodings)
    assert any(e.get("color", {}).get("field") == "status" for e in encodings)


# ------------------------------------------------------------------ explorer
def test_format_shows_position_band_and_reasons() -> None:
    text = format_classification(classify(CaseAttributes()))
    assert "Position: 0.50" in text and "range 0.00–1.00" in text and "Teaching model" in text


def test_widget_output_follows_the_controls(scored: pd.DataFrame) -> None:
    explorer = ClassificationExplorer(scored)
    assert "Position: 0.50" in explorer.output.value
    assert "range 0.00–1.00 because 6 criteria are unknown" in explorer.output.value
    for criterion, toggle in explorer.toggles.items():
        toggle.value = CRITERION_INFO[criterion].toward_assistance
    assert "Position: 1.00" in explorer.output.value
    assert "no unknowns, so no range" in explorer.output.value
    assert "counts toward assistance because the item is itself lethal" in explorer.output.value
    explorer.toggles["lethal"].value = "no"
    expected = 1 - DEFAULT_WEIGHTS["lethal"] / sum(DEFAULT_WEIGHTS.values())
    assert f"Position: {expected:.2f}" in explorer.output.value


def test_widget_preset_loads_a_real_case(scored: pd.DataFrame) -> None:
    row = scored.iloc[0]
    explorer = ClassificationExplorer(scored, start=str(row["id"]))
    assert all(explorer.toggles[c].value == row[c] for c in CRITERIA)
    assert f"Position: {row['position']:.2f}" in explorer.output.value
    assert "<table" in explorer.output.value and str(row["case"]) in explorer.output.value
