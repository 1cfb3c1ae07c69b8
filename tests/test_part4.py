"""Part 4: the what-if teaching model, its chart (Python ≡ browser), the other charts, the widget."""

from __future__ import annotations

import ast
import itertools
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from pandera.errors import SchemaError

from crmc import data, html, tables, whatif
from crmc.charts import risks
from crmc.data.schemas import IMPLICATION_ACTORS, IMPLICATION_SCENARIOS
from crmc.explorers.whatif import WhatIfExplorer, format_whatif
from crmc.formula import parse as parse_formula
from crmc.whatif import (
    DEFAULT_INPUTS,
    FORMULAS,
    INPUT_INFO,
    INPUT_NAMES,
    INPUTS,
    OUTPUT_NAMES,
    InputName,
    WhatIfInputs,
    assess,
    break_even,
    sweep,
)
from tests.chart_checks import round_trip, walk
from tests.vega_node import rows_with, run_in_vega

ROOT = Path(__file__).resolve().parents[1]
VENDOR = ROOT / "src" / "crmc" / "sphinxext" / "static" / "crmc" / "vendor"


@pytest.fixture(scope="module")
def timeline() -> pd.DataFrame:
    return data.load_timeline()


@pytest.fixture(scope="module")
def implications() -> pd.DataFrame:
    return data.load_implications()


def _grid(points: int = 3) -> list[WhatIfInputs]:
    """Every combination of ``points`` evenly spaced values of each input (3**6 = 729)."""
    axes = [
        [i.low + (i.high - i.low) * k / (points - 1) for k in range(points)] for i in INPUTS
    ]
    return [WhatIfInputs(**dict(zip(INPUT_NAMES, combo, strict=True)))
            for combo in itertools.product(*axes)]


# ------------------------------------------------------------------ the model
def test_defaults_are_the_documented_illustrative_values() -> None:
    assert DEFAULT_INPUTS.as_dict() == {i.name: i.default for i in INPUTS}
    result = assess()
    assert result.expected_benefit == pytest.approx(3 + 2)
    assert result.expected_cost == pytest.approx(0.6 * (0.7 * 8 + 4))
    assert result.net_balance == pytest.approx(5 - 5.76)
    assert "expected cost" in result.verdict


def test_formulas_hold_no_hidden_constants() -> None:
    for formula in FORMULAS.values():
        tree = ast.parse(formula, mode="eval")
        assert not [n for n in ast.walk(tree) if isinstance(n, ast.Constant)], formula


@pytest.mark.parametrize("name", INPUT_NAMES)
def test_net_balance_moves_in_the_documented_direction(name: InputName) -> None:
    info = INPUT_INFO[name]
    for base in _grid():
        curve = sweep(name, base, steps=6)["net_balance"].to_list()
        steps = [b - a for a, b in itertools.pairwise(curve)]
        if info.raises_net:
            assert all(s >= -1e-12 for s in steps), (name, base)
        else:
            assert all(s <= 1e-12 for s in steps), (name, base)
    # strictly, when nothing it multiplies is zero
    strict = sweep(name, DEFAULT_INPUTS, steps=3)["net_balance"]
    assert strict.is_monotonic_increasing if info.raises_net else strict.is_monotonic_decreasing
    assert strict.iloc[0] != strict.iloc[-1]


@pytest.mark.parametrize("name", ["detection", "sanction_probability", "sanctions_cost",
                                  "reputational_cost"])
def test_expected_cost_rises_with_each_cost_input(name: InputName) -> None:
    curve = sweep(name, DEFAULT_INPUTS, steps=5)["expected_cost"]
    assert curve.is_monotonic_increasing and curve.iloc[-1] > curve.iloc[0]


def test_outputs_stay_within_their_documented_bounds() -> None:
    for inputs in _grid():
        r = assess(inputs)
        assert 0 <= r.expected_cost <= inputs.sanctions_cost + inputs.reputational_cost + 1e-12
        assert 0 <= r.expected_benefit <= 20
        assert -20 <= r.net_balance <= 20
    assert assess(detection=0).expected_cost == 0
    worst = {i.name: (i.low if i.raises_net else i.high) for i in INPUTS}
    best = {i.name: (i.high if i.raises_net else i.low) for i in INPUTS}
    assert assess(worst).net_balance == -20 and assess(best).net_balance == 20


@pytest.mark.parametrize("name", INPUT_NAMES)
def test_net_balance_is_linear_in_each_input(name: InputName) -> None:
    curve = sweep(name, DEFAULT_INPUTS, steps=11)["net_balance"]
    diffs = curve.diff().dropna()
    assert diffs.max() - diffs.min() == pytest.approx(0, abs=1e-9)


def test_break_even_is_where_the_net_balance_is_zero() -> None:
    for inputs in _grid():
        for name in INPUT_NAMES:
            value = break_even(name, inputs)
            if value is None:
                low = assess(inputs, **{name: INPUT_INFO[name].low}).net_balance
                high = assess(inputs, **{name: INPUT_INFO[name].high}).net_balance
                assert low == high or low * high > 0
            else:
                assert INPUT_INFO[name].low <= value <= INPUT_INFO[name].high
                net = assess(inputs, **{name: value}).net_balance
                assert net == pytest.approx(0, abs=1e-9)
    assert break_even("detection") == pytest.approx(5 / 9.6)


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: assess(detection=1.5), r"detection must be a probability between 0 and 1, got 1\.5"),
        (lambda: assess(sanction_probability=-0.1), "sanction_probability must be a probability"),
        (lambda: WhatIfInputs(sanctions_cost=11), "sanctions_cost must be a number of points between 0 and 10"),
        (lambda: WhatIfInputs(alignment_value=-1), "alignment_value must be a number of points"),
        (lambda: assess(detection=float("nan")), "detection must be a probability"),
        (lambda: assess(detection="high"), "got 'high'"),  # type: ignore[arg-type]
        (lambda: assess(detection=True), "got True"),
        (lambda: assess(colour=1.0), "unknown input.*colour"),
        (lambda: assess({"nope": 1}), "unknown input.*nope"),
        (lambda: sweep("detection", steps=1), "steps must be at least 2"),
        (lambda: whatif.vega_expression("profit"), "unknown output 'profit'"),  # type: ignore[arg-type]
    ],
)
def test_invalid_input_raises_a_clear_value_error(build: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        build()


def test_formula_parser_rejects_anything_but_arithmetic() -> None:
    for bad in ("__import__('os')", "detection ** 2", "detection if 1 else 0", "x + 1"):
        with pytest.raises(ValueError):
            parse_formula(bad, list(INPUT_NAMES))


# ------------------------------------------------------------------ Vega ≡ Python
def _eval_vega(expr: str, env: dict[str, float]) -> float:
    """Evaluate a generated Vega expression: it uses only names, numbers, + - * / and
    brackets, which mean the same in Python; ``datum.x`` becomes ``x``."""
    tree = ast.parse(expr.replace("datum.", ""), mode="eval")
    allowed = (ast.Expression, ast.BinOp, ast.UnaryOp, ast.Name, ast.Constant, ast.Load,
               ast.Add, ast.Sub, ast.Mult, ast.Div, ast.USub)
    assert all(isinstance(n, allowed) for n in ast.walk(tree)), expr
    return float(eval(compile(tree, "<vega>", "eval"), {"__builtins__": {}}, dict(env)))


@pytest.mark.parametrize("swept", [None, *INPUT_NAMES])
def test_vega_expressions_equal_the_python_model_on_a_grid(swept: str | None) -> None:
    exprs = {o: whatif.vega_expression(o, swept=swept) for o in OUTPUT_NAMES}
    if swept:
        assert all("datum." + swept in e for o, e in exprs.items() if swept in FORMULAS[o]
                   or o == "net_balance")
    for inputs in _grid():
        result = assess(inputs)
        for output, expr in exprs.items():
            assert _eval_vega(expr, inputs.as_dict()) == pytest.approx(getattr(result, output))


@pytest.mark.parametrize("x", ["detection", "sanctions_cost"])
def test_chart_computes_the_python_model_in_vega(x: InputName, tmp_path: Path) -> None:
    chart = risks.whatif_chart(x=x, steps=11)
    cases = [DEFAULT_INPUTS, WhatIfInputs(0.3, 0.9, 10, 1, 6, 4), WhatIfInputs(1, 0, 0, 0, 0, 0)]
    states = run_in_vega(chart.to_dict(), [i.as_dict() for i in cases], tmp_path)
    for inputs, state in zip(cases, states, strict=True):
        lines = rows_with(state, x, "output", "value")
        assert len(lines) == 11 * len(OUTPUT_NAMES)
        for row in lines:
            expected = assess(inputs, **{x: row[x]})
            assert row["value"] == pytest.approx(getattr(expected, row["output"]))
        readouts = rows_with(state, "readout", "break_even")  # one copy per layer that uses it
        assert readouts
        be = break_even(x, inputs)
        for readout in readouts:
            assert readout["net_balance"] == pytest.approx(assess(inputs).net_balance)
            assert (readout["break_even"] is None) == (be is None)
            if be is not None:
                assert readout["break_even"] == pytest.approx(be)


# ------------------------------------------------------------------ charts


def _params(spec: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {p["name"]: p for p in walk(spec) if "name" in p and ("bind" in p or "select" in p)}


def test_sanctions_timeline_chart(timeline: pd.DataFrame) -> None:
    spec = round_trip(risks.sanctions_timeline_chart(timeline))
    events = tables.sanctions_events(timeline)
    assert spec["title"]["text"].startswith("Sanctions and escalation")
    assert any("after the interview" in line for line in spec["title"]["subtitle"])
    assert all(len(line) <= 60 for line in spec["title"]["subtitle"])  # fits a phone
    assert spec["width"] == "container"
    assert f"{len(events)} sanctions" in spec["description"]
    later = int((events["timing"] == tables.AFTER_INTERVIEW).sum())
    assert f"the {later} events after it" in spec["description"]
    params = _params(spec)
    assert params["category"]["bind"]["input"] == "select"
    assert params["category"]["bind"]["options"][0] == "All"
    assert params["show_later"]["bind"]["input"] == "checkbox"
    rows = [r for ds in spec["datasets"].values() for r in ds if "timing" in r]
    assert len(rows) == len(events)
    assert {r["category"] for r in rows} <= set(tables.SANCTIONS_CATEGORIES)
    assert all(r["year"] >= 2014 for r in rows)
    assert tables.INTERVIEW_EVENT not in {r["id"] for r in rows}
    flagged = dict(zip(timeline["id"], timeline["after_interview"], strict=True))
    assert all((r["timing"] == tables.AFTER_INTERVIEW) == bool(flagged[r["id"]]) for r in rows)
    assert "2022-06-28-us-entity-list-additions" in {r["id"] for r in rows
                                                      if r["timing"] == tables.AFTER_INTERVIEW}
    encodings = [p["encoding"] for p in walk(spec) if "encoding" in p]
    hollow = [e["fillOpacity"] for e in encodings if "fillOpacity" in e]
    assert hollow and hollow[0]["scale"]["range"][1] == 0.0
    assert any(t.get("field") == "timing" for e in encodings for t in e.get("tooltip", []))
    marker = [r for ds in spec["datasets"].values() for r in ds if "label" in r]
    assert marker[0]["label"] == "Interview, May 2022"


def test_whatif_chart_spec() -> None:
    spec = round_trip(risks.whatif_chart())
    assert spec["title"]["text"] == "What if China assisted Russia?"
    assert any(line.startswith("Teaching model, not a forecast") for line in spec["title"]["subtitle"])
    assert any("illustrative" in line for line in spec["title"]["subtitle"])
    assert "teaching model" in spec["description"]
    assert f"{break_even('detection'):.2f}" in spec["description"]
    params = _params(spec)
    assert set(params) == set(INPUT_NAMES)
    for i in INPUTS:
        bind = params[i.name]["bind"]
        assert bind["input"] == "range" and (bind["min"], bind["max"]) == (i.low, i.high)
        assert params[i.name]["value"] == i.default
    calcs = {k: v for p in walk(spec) if "calculate" in p for k, v in [(p["as"], p["calculate"])]}
    assert calcs["net_balance"] in {whatif.vega_expression("net_balance", swept="detection"),
                                    whatif.vega_expression("net_balance")}
    grid = [r for ds in spec["datasets"].values() for r in ds if "detection" in r]
    assert len(grid) == 51 and all(0 <= r["detection"] <= 1 for r in grid)
    assert spec["width"] == "container"


def test_whatif_chart_rejects_bad_arguments() -> None:
    with pytest.raises(ValueError, match="steps must be at least 2"):
        risks.whatif_chart(steps=1)


def test_implications_table_has_every_cell(implications: pd.DataFrame) -> None:
    table = tables.implications_table(implications)
    assert len(table) == len(IMPLICATION_ACTORS) * len(IMPLICATION_SCENARIOS)
    assert table["n_statements"].sum() == len(implications)
    empty = table[table["n_statements"] == 0]
    assert (empty["statement"] == tables.NO_STATEMENT).all() and (empty["source"] == "").all()
    full = table[table["n_statements"] > 0]
    assert full["source"].str.len().gt(0).all()
    for row in implications.itertuples():
        cell = table[(table["actor"] == row.actor) & (table["scenario"] == row.scenario)].iloc[0]
        assert row.statement in cell["statement"] and row.source in cell["source"]


def test_implications_matrix_chart(implications: pd.DataFrame) -> None:
    spec = round_trip(risks.implications_matrix_chart(implications))
    assert spec["title"]["text"] == "Closer alignment: what sources say"
    assert any("no sourced statement" in line for line in spec["title"]["subtitle"])
    table = tables.implications_table(implications)
    n_empty = int((table["n_statements"] == 0).sum())
    assert f"{n_empty} cells have no sourced statement" in spec["description"]
    rows = [r for ds in spec["datasets"].values() for r in ds if "cell_text" in r]
    assert len(rows) == len(table)
    assert [r["cell_text"] for r in rows if r["n_statements"] == 0] == [tables.NO_STATEMENT] * n_empty
    tooltips = [t["field"] for p in walk(spec) if "encoding" in p
                for t in p["encoding"].get("tooltip", [])]
    assert {"statement", "source"} <= set(tooltips)
    assert any(p.get("bind") == "legend" for p in walk(spec))
    assert spec["width"] == "container"


def test_later_events_table(timeline: pd.DataFrame) -> None:
    table = tables.later_events_table(timeline)
    later = timeline[timeline["after_interview"]]
    assert len(table) == len(later) > 0
    assert set(table["id"]) == set(later["id"])
    assert set(tables.later_event_links()) <= set(later["id"])
    assert (table["bears_on"] != "(not linked)").all()
    assert table["source"].str.len().gt(0).all()
    assert table.loc[table["id"] == "2022-06-28-us-entity-list-additions", "when"].item() == "28 June 2022"


def test_charts_reject_frames_without_their_columns(timeline: pd.DataFrame) -> None:
    with pytest.raises(SchemaError, match="column 'after_interview' not in dataframe"):
        risks.sanctions_timeline_chart(timeline.drop(columns="after_interview"))
    with pytest.raises(SchemaError, match="column 'source' not in dataframe"):
        risks.implications_matrix_chart(data.load_implications().drop(columns="source"))


# ------------------------------------------------------------------ explorer
def test_format_shows_the_outputs_formula_and_teaching_note() -> None:
    text = format_whatif(assess())
    assert "Teaching model" in text and "illustrative default" in text
    assert "Net balance: -0.76 points" in text
    assert "detection * (sanction_probability * sanctions_cost + reputational_cost)" in text
    assert f"crosses zero when chance assistance is detected is {break_even('detection'):.2f}" in text


def test_widget_output_follows_the_controls() -> None:
    explorer = WhatIfExplorer()
    assert "Net balance: -0.76 points" in explorer.output.value
    assert not any(type(c).__name__.endswith("Slider") for c in explorer.children)
    assert all(c.description for c in explorer.controls.values())
    explorer.controls["detection"].value = 0.0
    assert "Net balance: +5.00 points" in explorer.output.value
    assert "changed by you" in explorer.output.value
    explorer.controls["alignment_value"].value = 10.0
    assert "Net balance: +12.00 points" in explorer.output.value
    explorer.sweep_menu.value = "sanctions_cost"
    assert "Outputs as cost of sanctions varies" in explorer.output.value
    explorer.controls["detection"].value = 5.0  # BoundedFloatText clamps to its max
    assert explorer.inputs().detection == 1.0


def test_later_events_html_links_every_source(timeline: pd.DataFrame) -> None:
    table = tables.later_events_table(timeline)
    text = html.later_events_html(table)
    assert text.count("<li>") == len(table)
    assert '<a href="https://bis.gov/node/7120">bis.gov</a>' in text
    assert "(Reuters repost)" in text
    assert html.source_links_html("Plain ref ; https://www.x.org/a (mirror)") == (
        'Plain ref; <a href="https://www.x.org/a">x.org</a> (mirror)'
    )
