"""The tables layer's types: every transform's output keeps its model's full contract, and the
run-time check (``@pa.check_types`` on ``Checked[...]`` frames: columns and cheap dtypes) names
a missing column or a column of the wrong dtype."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import pandas as pd
import pandera.pandas as pa
import pytest
from pandera.errors import SchemaError, SchemaErrors

from crmc import data, derived, tables
from crmc import tables_schemas as ts
from crmc.charts.interdependence import capabilities_matrix_chart
from crmc.data.schemas import FlowsSchema, TimelineSchema


@cache
def _frames() -> dict[str, Any]:
    return {
        "timeline": data.load_timeline(),
        "flows": data.load_flows(),
        "register": data.load_sipri_register(),
        "implications": data.load_implications(),
        "capabilities": data.load_capabilities(),
        "loaded_phases": data.load_phases(),
        "yearly": derived.russia_china_yearly(),
        "phases": tables.phases_frame(),
    }


def _f(name: str) -> Any:
    return _frames()[name].copy()


# transform -> (its call on the module's data, the model of its output)
OUTPUTS: dict[str, tuple[Callable[[], pd.DataFrame], type[pa.DataFrameModel]]] = {
    "timeline_rows": (lambda: tables.timeline_rows(_f("timeline")), ts.TimelineRows),
    "sanctions_events": (lambda: tables.sanctions_events(_f("timeline")), ts.TimelineRows),
    "phases_frame": (lambda: tables.phases_frame(_f("loaded_phases")), ts.PhasesTable),
    "phase_sums": (lambda: tables.phase_sums(_f("yearly"), _f("phases")), ts.PhaseSums),
    "phase_bands": (lambda: tables.phase_bands(_f("yearly"), _f("phases")), ts.PhaseBands),
    "key_systems_table": (lambda: tables.key_systems_table(_f("register")), ts.KeySystemsTable),
    "direction_totals": (lambda: tables.direction_totals(_f("register")), ts.DirectionTotals),
    "flow_table": (lambda: tables.flow_table(_f("flows")), ts.FlowTable),
    "period_counts": (lambda: tables.period_counts(_f("flows")), ts.PeriodCounts),
    "period_counts_3": (lambda: tables.period_counts(_f("flows"), 3), ts.PeriodCounts),
    "purchases_by_period": (lambda: tables.purchases_by_period(_f("register")),
                            ts.PurchasesByPeriod),
    "interview_marker": (lambda: tables.interview_marker(_f("timeline")), ts.InterviewMarker),
    "implications_table": (lambda: tables.implications_table(_f("implications")),
                           ts.ImplicationsTable),
    "later_events_table": (lambda: tables.later_events_table(_f("timeline")),
                           ts.LaterEventsTable),
    "visibility_table": (lambda: tables.visibility_table(_f("register"), _f("flows")),
                         ts.VisibilityTable),
}


@pytest.mark.parametrize("name", sorted(OUTPUTS))
def test_output_keeps_its_full_contract(name: str) -> None:
    make, model = OUTPUTS[name]
    out = make()
    assert len(out) > 0
    model.validate(out, lazy=True)  # every column, its dtype (text included), no other column


def test_the_full_contract_rejects_a_dropped_an_extra_and_a_mistyped_column() -> None:
    rows = tables.timeline_rows(_f("timeline"))
    with pytest.raises(SchemaErrors, match="column 'lane' not in dataframe"):
        ts.TimelineRows.validate(rows.drop(columns="lane"), lazy=True)
    with pytest.raises(SchemaErrors, match="column 'extra' not in DataFrameSchema"):
        ts.TimelineRows.validate(rows.assign(extra=1), lazy=True)
    with pytest.raises(SchemaErrors, match="'when' to have type"):
        ts.TimelineRows.validate(rows.assign(when=1), lazy=True)


# transform called on a frame without one column -> that column
MISSING: dict[str, tuple[Callable[[], Any], str]] = {
    "timeline_rows": (lambda: tables.timeline_rows(_f("timeline").drop(columns="start")),
                      "start"),
    "sanctions_events": (lambda: tables.sanctions_events(
        _f("timeline").drop(columns="after_interview")), "after_interview"),
    "interview_marker": (lambda: tables.interview_marker(
        _f("timeline").drop(columns="date_precision")), "date_precision"),
    "later_events_table": (lambda: tables.later_events_table(
        _f("timeline").drop(columns="date")), "date"),
    "flow_table": (lambda: tables.flow_table(_f("flows").drop(columns="form")), "form"),
    "period_counts": (lambda: tables.period_counts(_f("flows").drop(columns="year_start")),
                      "year_start"),
    "implications_table": (lambda: tables.implications_table(
        _f("implications").drop(columns="scenario")), "scenario"),
    "phases_frame": (lambda: tables.phases_frame(_f("loaded_phases").drop(columns="anchors")),
                     "anchors"),
    "phase_anchors": (lambda: tables.phase_anchors(_f("phases").drop(columns="anchors")),
                      "anchors"),
    "phase_sums": (lambda: tables.phase_sums(
        _f("yearly").drop(columns="china_imports_tiv"), _f("phases")), "china_imports_tiv"),
    "phase_bands": (lambda: tables.phase_bands(_f("yearly"), _f("phases").drop(columns="order")),
                    "order"),
    "purchases_by_period": (lambda: tables.purchases_by_period(
        _f("register").drop(columns="delivery_years")), "delivery_years"),
    "capabilities_matrix_chart": (lambda: capabilities_matrix_chart(
        _f("capabilities").drop(columns="edge")), "edge"),
}


@pytest.mark.parametrize("name", sorted(MISSING))
def test_a_missing_column_is_named(name: str) -> None:
    call, column = MISSING[name]
    with pytest.raises(SchemaError, match=f"column '{column}' not in dataframe"):
        call()


@pytest.mark.parametrize(
    ("call", "column", "dtype"),
    [
        (lambda: tables.flow_table(_f("flows").astype({"year_start": str})), "year_start",
         "int64"),
        (lambda: tables.sanctions_events(_f("timeline").astype({"after_interview": str})),
         "after_interview", "boolean"),
        (lambda: tables.phase_sums(_f("yearly").astype({"russia_to_china_tiv": str}),
                                   _f("phases")), "russia_to_china_tiv", "float64"),
    ],
    ids=["flow_table", "sanctions_events", "phase_sums"],
)
def test_a_wrong_dtype_is_named(call: Callable[[], Any], column: str, dtype: str) -> None:
    with pytest.raises(SchemaError, match=f"expected series '{column}' to have type {dtype}"):
        call()


def test_a_good_frame_passes_with_extra_columns() -> None:
    table = tables.flow_table(_f("flows").assign(note="a column the model does not list"))
    assert "note" in table.columns and len(table) == len(_f("flows"))
    rows = tables.sanctions_events(_f("timeline"))
    assert set(rows["category"]) <= set(tables.SANCTIONS_CATEGORIES)


def test_the_light_check_skips_value_rules_the_loader_already_applied() -> None:
    bad = _f("flows").assign(supplier="France")  # a value FlowsSchema forbids
    ts.columns_and_dtypes(FlowsSchema).validate(bad)
    with pytest.raises(SchemaErrors, match="isin"):
        FlowsSchema.validate(bad, lazy=True)
    light = ts.columns_and_dtypes(TimelineSchema).to_schema()
    assert set(light.columns) == set(TimelineSchema.to_schema().columns)
    assert not light.strict and not light.coerce and not light.checks
    assert str(light.columns["year"].dtype) == "int64"
    assert light.columns["title"].dtype is None  # text: present, not checked element-wise


@pa.check_types
def _checked_output(flows: ts.Checked[FlowsSchema]) -> ts.Checked[ts.PeriodCounts]:
    return ts.typed(pd.DataFrame({"period": ["1989–1993"]}), ts.PeriodCounts)


@pa.check_types
def _typed_output(flows: ts.Checked[FlowsSchema]) -> ts.Typed[ts.PeriodCounts]:
    return ts.typed(pd.DataFrame({"period": ["1989–1993"]}), ts.PeriodCounts)


def test_checked_outputs_are_checked_and_typed_outputs_are_not() -> None:
    with pytest.raises(SchemaError, match="column 'period_start' not in dataframe"):
        _checked_output(_f("flows"))
    assert list(_typed_output(_f("flows")).columns) == ["period"]


def _is_check_types_wrapper(value: Any) -> bool:
    code = getattr(value, "__code__", None)
    return (getattr(value, "__wrapped__", None) is not None and code is not None
            and Path(code.co_filename).match("pandera/decorators.py"))


# The transforms checked at run time; the others are annotated only, each saying why
# (benchmarks/bench_tables.py measured the cost).
RUNTIME_CHECKED = {
    "flow_table", "implications_table", "interview_marker", "later_events_table",
    "period_counts", "phase_anchors", "phase_bands", "phase_sums", "phases_frame",
    "purchases_by_period", "sanctions_events", "timeline_rows",
}


def test_which_transforms_are_checked_at_run_time() -> None:
    checked = {name for name, value in vars(tables).items() if _is_check_types_wrapper(value)}
    assert checked == RUNTIME_CHECKED
    assert not _is_check_types_wrapper(tables.event_when)
    assert _is_check_types_wrapper(capabilities_matrix_chart)
