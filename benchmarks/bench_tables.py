"""Benchmark the run-time checks of the tables layer; report medians of several runs.

    python benchmarks/bench_tables.py [--runs 30]

Measures (each the median of --runs calls, after one warm-up call):
  per transform   ms per call with ``@pa.check_types`` on (the light check of
                  :mod:`crmc.tables_schemas`: columns and cheap dtypes) and off (every
                  check_types function swapped for the one it wraps; the loaders' and
                  crmc.derived's own validation still runs), and, for comparison, ms to check the
                  transform's inputs against the loaders' full schemas (``Schema.validate``:
                  strict, coerce, ranges, patterns)
  event_when      the look-up left unchecked (a page calls it up to 20 times), per call:
                  unchecked, with the light check, with the loader's full schema
  per page        ms to build each page's facts (:func:`crmc.pages.build`) with checks on
                  and off, and the checks' share (target: under 10 %); and the same for the
                  facts plus every chart the page draws (``to_dict``, as the notebook does)
On and off calls alternate, so that the machine's load drifts the same way for both.
Writes benchmarks/results/tables.json and prints a table.
"""

from __future__ import annotations

import argparse
import functools
import importlib
import json
import os
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pandera.pandas as pa

from crmc import charts, data, derived, pages, tables
from crmc.data.schemas import (
    FlowsSchema,
    ImplicationsSchema,
    PhasesSchema,
    RussiaChinaYearlySchema,
    SipriRegisterSchema,
    TimelineSchema,
)
from crmc.tables_schemas import Checked

RESULTS = Path(__file__).parent / "results" / "tables.json"


def median_ms(fn: Callable[[], Any], runs: int) -> float:
    fn()  # warm-up: schemas are built and data loaded once
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return round(statistics.median(times) * 1000, 3)


def paired_ms(on: Callable[[], Any], off: Callable[[], Any], runs: int) -> tuple[float, float]:
    """Medians of ``on`` and ``off``, called in turn ``runs`` times each."""
    on(), off()
    times: dict[bool, list[float]] = {True: [], False: []}
    for _ in range(runs):
        for checked, fn in ((True, on), (False, off)):
            start = time.perf_counter()
            fn()
            times[checked].append(time.perf_counter() - start)
    return (round(statistics.median(times[True]) * 1000, 3),
            round(statistics.median(times[False]) * 1000, 3))


def _is_check_types_wrapper(value: Any) -> bool:
    code = getattr(value, "__code__", None)
    return (getattr(value, "__wrapped__", None) is not None and code is not None
            and Path(code.co_filename).match("pandera/decorators.py"))


@functools.cache
def _wrappers() -> tuple[tuple[Any, str, Any], ...]:
    """(module, name, check_types wrapper) for every module of the package holding one."""
    return tuple(
        (module, attr, value)
        for name, module in list(sys.modules.items())
        if name == "crmc" or name.startswith("crmc.")
        for attr, value in list(vars(module).items())
        if _is_check_types_wrapper(value)
    )


@contextmanager
def checks_removed() -> Iterator[None]:
    """Every ``@pa.check_types`` function of the package replaced by the function it wraps
    (in every module that holds it), so that only the tables layer's checks are switched off:
    the loaders' and :mod:`crmc.derived`'s own validation still runs."""
    for module, attr, value in _wrappers():
        setattr(module, attr, value.__wrapped__)
    try:
        yield
    finally:
        for module, attr, value in _wrappers():
            setattr(module, attr, value)


def unchecked(fn: Callable[[], Any]) -> Callable[[], Any]:
    def call() -> Any:
        with checks_removed():
            return fn()

    return call


def transform_cases() -> dict[str, tuple[Callable[[], Any], list[tuple[Any, Any]]]]:
    """Transform → (the call as its page or chart makes it, [(full schema, input frame)])."""
    timeline, flows = data.load_timeline(), data.load_flows()
    register, implications = data.load_sipri_register(), data.load_implications()
    yearly, phases = derived.russia_china_yearly(), tables.phases_frame()
    loaded_phases = data.load_phases()
    t, f, r = (TimelineSchema, timeline), (FlowsSchema, flows), (SipriRegisterSchema, register)
    y = (RussiaChinaYearlySchema, yearly)
    return {
        "timeline_rows": (lambda: tables.timeline_rows(timeline), [t]),
        "phases_frame": (lambda: tables.phases_frame(loaded_phases),
                         [(PhasesSchema, loaded_phases)]),
        "phase_anchors": (lambda: tables.phase_anchors(phases), []),
        "phase_sums": (lambda: tables.phase_sums(yearly, phases), [y]),
        "phase_bands": (lambda: tables.phase_bands(yearly, phases), [y]),
        "key_systems_table": (lambda: tables.key_systems_table(register), [r]),
        "direction_totals": (lambda: tables.direction_totals(register), [r]),
        "flow_table": (lambda: tables.flow_table(flows), [f]),
        "period_counts": (lambda: tables.period_counts(flows), [f]),
        "purchases_by_period": (lambda: tables.purchases_by_period(register), [r]),
        "sanctions_events": (lambda: tables.sanctions_events(timeline), [t]),
        "interview_marker": (lambda: tables.interview_marker(timeline), [t]),
        "implications_table": (lambda: tables.implications_table(implications),
                               [(ImplicationsSchema, implications)]),
        "later_events_table": (lambda: tables.later_events_table(timeline), [t]),
        "visibility_table": (lambda: tables.visibility_table(register, flows), [r, f]),
    }


def page_with_charts(name: pages.PageName) -> Callable[[], Any]:
    """The page's facts and every chart it draws, as its notebook calls them."""
    draws: dict[str, Callable[[pages.Page], list[Any]]] = {
        "intro": lambda p: [charts.china_imports_chart(p.imports)],
        "part1": lambda p: [charts.timeline_chart(p.timeline),
                            charts.deliveries_chart(p.yearly, p.phases),
                            charts.purchases_by_category_chart(p.register)],
        "part2": lambda p: [charts.cases_chart(p.scored),
                            charts.visibility_gap_chart(p.register, p.flows)],
        "part3": lambda p: [charts.supply_flows_chart(p.flows),
                            charts.two_way_street_chart(p.flows),
                            charts.capabilities_matrix_chart(p.capabilities)],
        "part4": lambda p: [charts.sanctions_timeline_chart(p.timeline),
                            charts.implications_matrix_chart(p.implications)],
    }

    def build() -> None:
        page = pages.build(name)
        for chart in draws.get(name, lambda p: [])(page):
            chart.to_dict()

    return build


@pa.check_types
def _light_when(timeline: Checked[TimelineSchema], event_id: str) -> str:
    """:func:`crmc.tables.event_when` as it would be with the light check."""
    return tables.event_when(timeline, event_id)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    runs = args.runs
    for page in pages.PAGES:  # import every page module before the wrappers are collected
        importlib.import_module(f"crmc.pages.{page}")
    print(f"{len(_wrappers())} check_types functions in the package's modules")
    load_before = os.getloadavg()[0]

    per_transform: dict[str, dict[str, float]] = {}
    for name, (call, inputs) in transform_cases().items():
        on, off = paired_ms(call, unchecked(call), runs)
        full = sum(median_ms(lambda s=s, x=x: s.validate(x), runs) for s, x in inputs)
        per_transform[name] = {"checks_on_ms": on, "checks_off_ms": off,
                               "check_ms": round(on - off, 3), "full_schema_inputs_ms": full}

    timeline = data.load_timeline()
    event = "2015-11-19-su35-contract"
    light, plain = paired_ms(lambda: _light_when(timeline, event),
                             lambda: tables.event_when(timeline, event), runs)
    full = median_ms(lambda: pa.check_types(tables.event_when)(timeline, event), runs)
    event_when = {"unchecked_ms": plain, "light_check_ms": light, "full_schema_check_ms": full}

    per_page: dict[str, dict[str, float]] = {}
    for page in pages.PAGES:
        facts: Callable[[], Any] = lambda page=page: pages.build(page)  # noqa: E731
        on, off = paired_ms(facts, unchecked(facts), runs)
        drawn = page_with_charts(page)
        on_c, off_c = paired_ms(drawn, unchecked(drawn), max(5, runs // 3))
        per_page[page] = {"checks_on_ms": on, "checks_off_ms": off,
                          "checks_share": round((on - off) / off, 3) if off else 0.0,
                          "with_charts_on_ms": on_c, "with_charts_off_ms": off_c,
                          "with_charts_share": round((on_c - off_c) / off_c, 3)}

    result = {
        "runs": runs,
        "cores": os.cpu_count(),
        "load_average": [round(load_before, 2), round(os.getloadavg()[0], 2)],
        "per_transform": per_transform,
        "event_when": event_when,
        "per_page": per_page,
    }
    print(f"{'transform':22} {'on ms':>8} {'off ms':>8} {'check':>7} {'full-schema inputs':>19}")
    for name, row in per_transform.items():
        print(f"{name:22} {row['checks_on_ms']:8.2f} {row['checks_off_ms']:8.2f} "
              f"{row['check_ms']:7.2f} {row['full_schema_inputs_ms']:19.2f}")
    print(f"\nevent_when, per call: {event_when['unchecked_ms']:.3f} ms unchecked, "
          f"{event_when['light_check_ms']:.3f} ms with the light check, "
          f"{event_when['full_schema_check_ms']:.3f} ms with the full schema")
    print(f"\n{'page':14} {'facts on':>9} {'off':>7} {'share':>7}   "
          f"{'+charts on':>10} {'off':>7} {'share':>7}")
    for name, row in per_page.items():
        print(f"{name:14} {row['checks_on_ms']:9.1f} {row['checks_off_ms']:7.1f} "
              f"{row['checks_share']:7.1%}   {row['with_charts_on_ms']:10.1f} "
              f"{row['with_charts_off_ms']:7.1f} {row['with_charts_share']:7.1%}")
    print(f"\nload average {result['load_average'][0]} → {result['load_average'][1]}")
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
