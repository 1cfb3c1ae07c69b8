"""The tables layer: every tidy-frame transform that charts, explorers and pages share.

Data flows one way: loaders (:mod:`crmc.data`) and derived series (:mod:`crmc.derived`) →
these transforms → chart functions (:mod:`crmc.charts`), explorers (:mod:`crmc.explorers`)
and page facts (:mod:`crmc.pages`). Nothing here draws or imports a chart or a widget, so
charts and explorers import tables, never each other.

Each transform is annotated with pandera types (:mod:`crmc.tables_schemas`): inputs with the
schema of the loader that makes them, outputs with a model of their own. A transform decorated
with ``@pa.check_types`` checks its ``Checked[...]`` frames on every call (columns and dtypes,
no value rules), so a frame without a column raises :class:`pandera.errors.SchemaError`
naming it. ``Typed[...]`` outputs and the undecorated transforms are annotated only, each
saying why (``benchmarks/bench_tables.py`` measures every check).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final

import numpy as np
import pandas as pd
import pandera.pandas as pa
from pandera.typing import DataFrame

from crmc import data, derived
from crmc.data import SIPRI_CREDIT, DataDir
from crmc.data.schemas import (
    FLOW_FORMS,
    IMPLICATION_ACTORS,
    IMPLICATION_SCENARIOS,
    INTERVIEW_MONTH,
    FlowsSchema,
    ImplicationsSchema,
    PhasesSchema,
    RussiaChinaYearlySchema,
    SipriRegisterSchema,
    TimelineSchema,
)
from crmc.tables_schemas import (
    Checked,
    DirectionTotals,
    FlowTable,
    ImplicationsTable,
    InterviewMarker,
    KeySystemsTable,
    LaterEventsTable,
    PeriodCounts,
    PhaseBands,
    PhasesTable,
    PhaseSums,
    PurchasesByPeriod,
    TimelineRows,
    Typed,
    VisibilityTable,
    typed,
)


# ---------------------------------------------------------------- cells and rows
def as_int(value: object) -> int:
    """A cell as a Python ``int``; a clear error for anything that is not a whole number.

    pandas types a cell as "any scalar", so arithmetic on it needs this one checked step.
    """
    if isinstance(value, bool) or not isinstance(value, int | float | str | np.number):
        raise TypeError(f"expected a whole number, got {value!r}")
    number = float(value)
    if not number.is_integer():
        raise ValueError(f"expected a whole number, got {value!r}")
    return int(number)


def as_float(value: object) -> float:
    """A cell as a Python ``float``; a clear error for anything that is not a number."""
    if isinstance(value, bool) or not isinstance(value, int | float | str | np.number):
        raise TypeError(f"expected a number, got {value!r}")
    return float(value)


def row_of_max(frame: pd.DataFrame, column: str) -> pd.Series:
    """The first row with the largest value in ``column``, missing values skipped (as
    ``frame.loc[frame[column].idxmax()]``, whatever the index)."""
    return frame.iloc[int(np.nanargmax(frame[column].to_numpy(dtype=float)))]


def row_of_min(frame: pd.DataFrame, column: str) -> pd.Series:
    """The first row with the smallest value in ``column``, missing values skipped."""
    return frame.iloc[int(np.nanargmin(frame[column].to_numpy(dtype=float)))]

# ---------------------------------------------------------------- from common.py
BEFORE_INTERVIEW = "Before the interview"


AFTER_INTERVIEW = "After the interview"


def event_date_label(date: str, precision: str) -> str:
    """A reader's date from an ISO date text: ``"26 April 1996"``, ``"April 2015"``, ``"1991"``."""
    stamp = pd.Timestamp(date if precision != "year" else f"{date}-01-01")
    if precision == "day":
        return f"{stamp.day} {stamp:%B %Y}"
    if precision == "month":
        return f"{stamp:%B %Y}"
    return f"{stamp.year}"


@pa.check_types
def timeline_rows(timeline: Checked[TimelineSchema]) -> Checked[TimelineRows]:
    """Chart-ready timeline events: plain dtypes, a reader's date (``when``), ``timing``
    (:data:`BEFORE_INTERVIEW` / :data:`AFTER_INTERVIEW`) and a ``lane`` (0–2) that keeps
    nearby points of one category apart. Filter ``timeline`` first: lanes count what is shown.
    """
    return typed(_timeline_rows(timeline), TimelineRows)


def _timeline_rows(timeline: pd.DataFrame) -> pd.DataFrame:
    rows = timeline.sort_values("start").copy()
    rows["when"] = [
        event_date_label(str(d), str(p))
        for d, p in zip(rows["date"], rows["date_precision"], strict=True)
    ]
    rows["timing"] = [
        AFTER_INTERVIEW if bool(after) else BEFORE_INTERVIEW for after in rows["after_interview"]
    ]
    rows["lane"] = rows.groupby("category").cumcount() % 3
    rows["year"] = rows["year"].astype(int)
    cols = ["id", "start", "year", "when", "title", "description", "category", "source"]
    return rows[[*cols, "timing", "lane"]].reset_index(drop=True)


# ---------------------------------------------------------------- from history.py


@pa.check_types
def phases_frame(
    phases: Checked[PhasesSchema] | None = None, data_dir: DataDir = None
) -> Checked[PhasesTable]:
    """The module's phases (``phases.csv``, or ``phases`` as :func:`crmc.data.load_phases`
    returns it) as a tidy table: ``key``, ``label``, ``start``, ``end``, ``years`` (e.g.
    ``"1999–2006"``), ``summary``, ``anchors`` (ids joined by ``" ; "``), ``order``."""
    rows = data.load_phases(data_dir) if phases is None else phases
    table = pd.DataFrame(
        {
            "key": rows["key"].astype(object),
            "label": rows["label"].astype(object),
            "start": rows["start"].astype(int),
            "end": rows["end"].astype(int),
            "years": [f"{a}–{b}" for a, b in zip(rows["start"], rows["end"], strict=True)],
            "summary": rows["summary"].astype(object),
            "anchors": rows["anchors"].astype(object),
            "order": range(len(rows)),
        }
    ).reset_index(drop=True)
    return typed(table, PhasesTable)


@pa.check_types
def phase_anchors(phases: Checked[PhasesTable]) -> dict[str, list[str]]:
    """Phase key → the ids of the timeline events that mark it."""
    return {
        str(key): [a.strip() for a in str(anchors).split(";") if a.strip()]
        for key, anchors in zip(phases["key"], phases["anchors"], strict=True)
    }


@pa.check_types
def phase_sums(
    yearly: Checked[RussiaChinaYearlySchema], phases: Checked[PhasesTable]
) -> Checked[PhaseSums]:
    """Russia→China TIV, China's total and Russia's share per phase (module's calculation).

    ``yearly`` is :func:`crmc.derived.russia_china_yearly`'s frame, ``phases`` is
    :func:`phases_frame`'s. Sums come from :func:`crmc.derived.period_sums`; adds
    ``per_year_tiv`` (the phase's Russia→China mean per year) and the phase columns.
    """
    return typed(_phase_sums(yearly, phases), PhaseSums)


def _phase_sums(yearly: pd.DataFrame, phases: pd.DataFrame) -> pd.DataFrame:
    rows = [
        derived.period_sums(yearly, as_int(p.start), as_int(p.end)) for p in phases.itertuples()
    ]
    sums = pd.concat(rows, ignore_index=True)
    sums["per_year_tiv"] = sums["russia_to_china_tiv"] / (sums["end"] - sums["start"] + 1)
    return sums.merge(phases, on=["start", "end"], how="left")


def event_when(timeline: DataFrame[TimelineSchema], event_id: str) -> str:
    """The reader's date of one timeline event (see :func:`event_date_label`).

    Raises ``KeyError`` naming the id when the timeline has no such event.
    """
    # Annotated only: a page reads up to 20 dates in a row from one timeline, and checking
    # it on each call would cost more than the look-ups (benchmarks/bench_tables.py).
    rows = timeline.loc[timeline["id"] == event_id]
    if rows.empty:
        raise KeyError(f"no event {event_id!r} in the timeline")
    row = rows.iloc[0]
    return event_date_label(str(row["date"]), str(row["date_precision"]))


def key_systems(data_dir: DataDir = None) -> dict[str, tuple[str, ...]]:
    """Systems named in Part 1 → their SIPRI register designations (``key_systems.csv``)."""
    rows = data.load_key_systems(data_dir)
    return {
        str(system): tuple(d.strip() for d in str(designations).split(";") if d.strip())
        for system, designations in zip(rows["system"], rows["designations"], strict=True)
    }


def key_systems_table(
    register: DataFrame[SipriRegisterSchema], systems: Mapping[str, Sequence[str]] | None = None
) -> DataFrame[KeySystemsTable]:
    """What the SIPRI register records for each system group sold by Russia to China.

    Columns: ``system``, ``deals``, ``delivered`` (units, SIPRI's numbers summed),
    ``first_order``, ``first_delivery``, ``last_delivery``, ``tiv_delivered`` (million TIV,
    module's sum). Raises ``ValueError`` when a group matches no deal.
    """
    # Annotated only: Part 1's facts call this with the loaded register, and a check (17
    # columns in, 7 out) would cost about as much as the table (bench_tables.py).
    systems = key_systems() if systems is None else systems
    deals = register[
        (register["recipient"] == "China") & register["supplier"].isin(derived.SUPPLIERS)
    ]
    rows = []
    for system, designations in systems.items():
        chosen = deals[deals["designation"].isin(designations)]
        if chosen.empty:
            raise ValueError(f"no Russian deal with China for {system!r} ({list(designations)})")
        years = [y for ys in chosen["delivery_years"] for y in ys]
        rows.append(
            {
                "system": system,
                "deals": len(chosen),
                "delivered": int(chosen["number_delivered"].sum()),
                "first_order": int(chosen["order_year"].min()),
                "first_delivery": min(years),
                "last_delivery": max(years),
                "tiv_delivered": float(chosen["tiv_delivered"].sum()),
            }
        )
    return typed(pd.DataFrame(rows), KeySystemsTable)


def direction_totals(
    register: DataFrame[SipriRegisterSchema], first_order: int = 1992
) -> DataFrame[DirectionTotals]:
    """Deals and delivered TIV in each direction between Russia and China since ``first_order``.

    Counts register deals ordered in or after ``first_order`` (1992: Russia as supplier, not
    the Soviet Union). Columns: ``supplier``, ``recipient``, ``deals``, ``tiv_delivered``
    (million TIV, module's sum); one row per direction, Russia → China first.
    """
    # Annotated only: a check would cost more than the two sums (bench_tables.py).
    recent = register[register["order_year"] >= first_order]
    rows = []
    for supplier, recipient in (("Russia", "China"), ("China", "Russia")):
        deals = recent[(recent["supplier"] == supplier) & (recent["recipient"] == recipient)]
        rows.append(
            {
                "supplier": supplier,
                "recipient": recipient,
                "deals": len(deals),
                "tiv_delivered": float(deals["tiv_delivered"].sum()),
            }
        )
    return typed(pd.DataFrame(rows), DirectionTotals)


# ---------------------------------------------------------------- from interdependence.py
ALL = "All"
"""The menu value that switches a filter off."""


RUSSIA_TO_CHINA = "Russia → China"


CHINA_TO_RUSSIA = "China → Russia"


DIRECTIONS = (RUSSIA_TO_CHINA, CHINA_TO_RUSSIA)


NOT_CHECKED = "not checked"
"""Verdict label for a flow the fact-check did not cover (empty ``verdict``)."""


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _years(start: Any, end: Any) -> str:
    if pd.isna(end):
        return f"from {int(start)}"
    return str(int(start)) if int(end) == int(start) else f"{int(start)}–{int(end)}"


@pa.check_types
def flow_table(flows: Checked[FlowsSchema]) -> Typed[FlowTable]:
    """``flows`` with the columns the charts and the explorer share.

    Adds ``direction`` ("Russia → China" or "China → Russia"), ``verdict_label`` (the
    verdict, or "not checked" when empty), ``years`` (e.g. "2015–2022" or "from 2014"),
    ``side`` (-1 for Russia → China, +1 for China → Russia) and ``named`` ("yes"/"no":
    named in the interview).
    """
    # Output annotated only: its check would add over 10 % to the page's facts
    # (benchmarks/bench_tables.py); the tests check it against the model.
    return typed(_flow_table(flows), FlowTable)


def _flow_table(flows: pd.DataFrame) -> pd.DataFrame:
    table = flows.copy()
    table["direction"] = table["supplier"] + " → " + table["recipient"]
    table["verdict_label"] = [_text(v) or NOT_CHECKED for v in table["verdict"]]
    table["component"] = [_text(v) for v in table["component"]]
    table["years"] = [_years(s, e) for s, e in zip(table["year_start"], table["year_end"],
                                                     strict=True)]
    table["side"] = [-1 if d == RUSSIA_TO_CHINA else 1 for d in table["direction"]]
    table["named"] = ["yes" if bool(v) else "no" for v in table["in_interview"]]
    return table


def present_in_order(values: pd.Series, order: tuple[str, ...]) -> list[str]:
    seen = set(values)
    return [v for v in order if v in seen]


PERIOD_ORIGIN: Final = 1989
"""The module's one period convention: periods of :data:`PERIOD_WIDTH` years counted from
1989, the first year of the timeline and of the phases (1989–1993, 1994–1998, ...)."""
PERIOD_WIDTH: Final = 5


def period_start(year: int, width: int = PERIOD_WIDTH, origin: int = PERIOD_ORIGIN) -> int:
    """First year of the period that holds ``year`` (``period_start(1995) == 1994``)."""
    return origin + (year - origin) // width * width


def period_label(start: int, width: int = PERIOD_WIDTH) -> str:
    """``"1994–1998"`` for the period of ``width`` years from ``start``."""
    return f"{start}–{start + width - 1}"


@pa.check_types
def period_counts(flows: Checked[FlowsSchema], width: int = PERIOD_WIDTH) -> Typed[PeriodCounts]:
    """Flows per period of ``width`` years (by ``year_start``), direction and form.

    Periods follow the module's convention (:func:`period_start`: 1989–1993, 1994–1998, ...)
    and run from the first to the last ``year_start``; every period × direction × form
    present in the data appears, with 0 where there is none. Columns: ``period_start``,
    ``period``, ``direction``, ``form``, ``flows``. Raises ``ValueError`` for a width below 1.
    """
    # Output annotated only: its check would add over 10 % to the page's facts
    # (benchmarks/bench_tables.py); the tests check it against the model.
    if width < 1:
        raise ValueError(f"period width must be at least 1 year, not {width}")
    table = _flow_table(flows)  # ``flows`` is checked once, on the way in
    table["period_start"] = [period_start(as_int(y), width) for y in table["year_start"]]
    starts = range(int(table["period_start"].min()), int(table["period_start"].max()) + 1, width)
    forms = present_in_order(table["form"], FLOW_FORMS)
    grid = pd.MultiIndex.from_product(
        [list(starts), list(DIRECTIONS), forms], names=["period_start", "direction", "form"]
    )
    counts = (
        table.groupby(["period_start", "direction", "form"]).size().reindex(grid, fill_value=0)
    )
    out = counts.rename("flows").reset_index()
    out["period"] = [period_label(int(s), width) for s in out["period_start"]]
    return typed(out[["period_start", "period", "direction", "form", "flows"]], PeriodCounts)


@pa.check_types
def purchases_by_period(
    register: Checked[SipriRegisterSchema],
    start: int = PERIOD_ORIGIN,
    end: int = 2023,
    width: int = PERIOD_WIDTH,
) -> Checked[PurchasesByPeriod]:
    """Russia→China delivered TIV by ``width``-year period (``start``–``end``) and weapon
    category: each deal spread evenly over its delivery years
    (:func:`crmc.derived.spread_deliveries`). Columns: ``first``, ``period``,
    ``weapon_category``, ``tiv``. Raises ``ValueError`` if the span does not cut evenly."""
    if width <= 0 or (end - start + 1) % width:
        raise ValueError(f"{start}–{end} cannot be cut into {width}-year periods")
    pieces = derived.spread_deliveries(register)
    pieces = pieces[(pieces["year"] >= start) & (pieces["year"] <= end)].copy()
    pieces["first"] = [period_start(as_int(y), width, origin=start) for y in pieces["year"]]
    pieces["period"] = [period_label(y, width) for y in pieces["first"]]
    sums = pieces.groupby(["first", "period", "weapon_category"], as_index=False).agg(
        tiv=("tiv", "sum")
    )
    return typed(sums, PurchasesByPeriod)


PHASE_LABEL_ROWS: Final = 3
"""Rows of phase labels above the deliveries: three, so a label meets the same row again only
three phases on (about 15 years; a bold phase name is about 9 years wide on a phone)."""


@pa.check_types
def phase_bands(
    yearly: Checked[RussiaChinaYearlySchema], phases: Checked[PhasesTable]
) -> Checked[PhaseBands]:
    """:func:`phase_sums` of ``yearly`` laid out for a band chart: ``x0``/``x1`` (the phase's
    years ±0.5), ``shade`` (0/1, alternating), ``label_row`` (0–:data:`PHASE_LABEL_ROWS` − 1,
    cycling, so that a short phase's label never meets its neighbours') and ``share_text``
    ("62% of imports")."""
    sums = _phase_sums(yearly, phases)
    bands = sums.assign(
        x0=sums["start"] - 0.5,
        x1=sums["end"] + 0.5,
        shade=sums["order"] % 2,
        label_row=sums["order"] % PHASE_LABEL_ROWS,
        share_text=[f"{v:.0%} of imports" for v in sums["russia_share"]],
    )
    return typed(bands, PhaseBands)


# ---------------------------------------------------------------- from risks.py
SANCTIONS_CATEGORIES: Final = ("sanctions", "geopolitics", "exercise")
"""Timeline categories the sanctions-and-escalation chart shows."""


INTERVIEW_EVENT: Final = "2022-05-korolev-interview"
"""The timeline row of the interview itself: drawn as the rule, not as a point."""


NO_STATEMENT: Final = "no sourced statement"
"""What an actor × scenario cell without a row in ``implications.csv`` says."""


def later_event_links(data_dir: DataDir = None) -> dict[str, str]:
    """Which point of the interview each later event bears on (``later_event_links.csv``):
    the module's reading, for the epilogue. A later event missing there is listed with
    "(not linked)"; the loader checks that every id is a timeline event."""
    rows = data.load_later_event_links(data_dir)
    return {str(e): str(b) for e, b in zip(rows["event_id"], rows["bears_on"], strict=True)}


@pa.check_types
def sanctions_events(timeline: Checked[TimelineSchema], since: int = 2014) -> Typed[TimelineRows]:
    """Sanctions, geopolitical and exercise events from ``since`` on, ready to chart.

    ``timeline`` is :func:`crmc.data.load_timeline`'s frame. The interview's own row is left
    out (the chart draws it as a rule). Adds ``when`` (a reader's date), ``timing``
    (:data:`BEFORE` / :data:`AFTER`, from ``after_interview``) and ``lane`` (0–2, to keep
    nearby points of one category apart).
    """
    # Output annotated only: its check would add over 10 % to the page's facts
    # (benchmarks/bench_tables.py); the tests check it against the model.
    keep = (
        timeline["category"].isin(SANCTIONS_CATEGORIES)
        & (timeline["year"] >= since)
        & (timeline["id"] != INTERVIEW_EVENT)
    )
    return typed(_timeline_rows(timeline[keep]), TimelineRows)


@pa.check_types
def interview_marker(timeline: Checked[TimelineSchema]) -> Checked[InterviewMarker]:
    """One row for the interview-date rule: ``start``, ``year`` and ``label``
    ("Interview, May 2022"), from the interview's timeline row (or, without it, the schema's
    :data:`crmc.data.schemas.INTERVIEW_MONTH`, which the data tests tie to that row)."""
    rows = timeline.loc[timeline["id"] == INTERVIEW_EVENT]
    if rows.empty:
        start, when = pd.Timestamp(INTERVIEW_MONTH), f"{INTERVIEW_MONTH:%B %Y}"
    else:
        row = rows.iloc[0]
        start = pd.Timestamp(row["start"])
        when = event_date_label(str(row["date"]), str(row["date_precision"]))
    marker = pd.DataFrame({"start": [start], "year": [start.year], "label": [f"Interview, {when}"]})
    return typed(marker, InterviewMarker)


# ---------------------------------------------------------------- implications
@pa.check_types
def implications_table(implications: Checked[ImplicationsSchema]) -> Typed[ImplicationsTable]:
    """One row per actor × scenario cell (all nine), statements of a cell joined.

    Columns: ``actor``, ``scenario``, ``n_statements``, ``statement`` (the statements, or
    :data:`NO_STATEMENT`), ``source`` (their sources, or empty), ``ids``, ``evidence``
    (``"1 sourced statement"``, ``"2 sourced statements"`` or :data:`NO_STATEMENT`).
    """
    # Output annotated only: its check would add over 10 % to the page's facts
    # (benchmarks/bench_tables.py); the tests check it against the model.
    rows = []
    for actor in IMPLICATION_ACTORS:
        for scenario in IMPLICATION_SCENARIOS:
            cell = implications[
                (implications["actor"] == actor) & (implications["scenario"] == scenario)
            ]
            n = len(cell)
            numbered = n > 1
            rows.append({
                "actor": actor,
                "scenario": scenario,
                "n_statements": n,
                "statement": " ".join(
                    f"({k}) {s}" if numbered else str(s)
                    for k, s in enumerate(cell["statement"], start=1)
                ) or NO_STATEMENT,
                "source": " | ".join(
                    f"({k}) {s}" if numbered else str(s)
                    for k, s in enumerate(cell["source"], start=1)
                ),
                "ids": " ; ".join(cell["id"]),
                "evidence": (NO_STATEMENT if n == 0
                             else f"{n} sourced statement{'s' if n > 1 else ''}"),
            })
    return typed(pd.DataFrame(rows), ImplicationsTable)


@pa.check_types
def later_events_table(
    timeline: Checked[TimelineSchema], links: Mapping[str, str] | None = None
) -> Typed[LaterEventsTable]:
    """The timeline's events after the interview, oldest first, for the epilogue.

    Columns: ``id``, ``when`` (reader's date), ``title``, ``description``, ``category``,
    ``bears_on`` (the interview point it bears on, from ``links``: the module's reading),
    ``source``.
    """
    # Output annotated only: its check would add over 10 % to the page's facts
    # (benchmarks/bench_tables.py); the tests check it against the model.
    links = later_event_links() if links is None else links
    later = timeline[timeline["after_interview"].astype(bool)].sort_values(["start", "id"])
    table = pd.DataFrame({
        "id": later["id"].to_list(),
        "when": [event_date_label(str(d), str(p))
                 for d, p in zip(later["date"], later["date_precision"], strict=True)],
        "title": later["title"].to_list(),
        "description": later["description"].to_list(),
        "category": later["category"].to_list(),
        "bears_on": [links.get(str(i), "(not linked)") for i in later["id"]],
        "source": later["source"].to_list(),
    })
    return typed(table, LaterEventsTable)


# ---------------------------------------------------------------- from wartime.py
def _deal_name(deal: pd.Series) -> str:
    name = str(deal["designation"])
    if str(deal["description"]) != name:
        name += f" ({deal['description']})"
    return f"{name}, ordered {int(deal['order_year'])}"


def visibility_table(
    register: DataFrame[SipriRegisterSchema], flows: DataFrame[FlowsSchema]
) -> DataFrame[VisibilityTable]:
    """China→Russia flows in the module's data beside SIPRI's China→Russia deals.

    A flow with ``in_sipri`` true is matched to the register deal with the same supplier,
    recipient and order year (``year_start`` = ``order_year``); a register deal that matches
    no flow gets a row of its own. Columns: ``label``, ``item``, ``domain``, ``status``,
    ``verdict``, ``in_interview``, ``in_sipri``, ``sipri_deal`` (designation and order year,
    or empty), ``sipri_tiv_delivered``, ``year_start``, ``source``.
    """
    # Annotated only: Part 2's facts and its chart each build this table, and checking it
    # (33 columns in, 11 out) would add about a quarter to Part 2's facts (bench_tables.py).
    deals = register[(register["supplier"] == "China") & (register["recipient"] == "Russia")]
    china = flows[(flows["supplier"] == "China") & (flows["recipient"] == "Russia")]
    rows: list[dict[str, Any]] = []
    used: set[Any] = set()
    for flow in china.to_dict(orient="records"):
        match = pd.DataFrame()
        if bool(flow["in_sipri"]):
            match = deals[deals["order_year"] == flow["year_start"]]
            match = match[~match.index.isin(used)]
        deal = match.iloc[0] if len(match) == 1 else None
        if deal is not None:
            used.add(match.index[0])
        component = flow["component"] if isinstance(flow["component"], str) else ""
        rows.append({
            "label": f"{flow['programme']}: {component}" if component else str(flow["programme"]),
            "item": flow["item"],
            "domain": flow["domain"],
            "status": flow["status"],
            "verdict": flow["verdict"] if isinstance(flow["verdict"], str) else "not checked",
            "in_interview": bool(flow["in_interview"]),
            "in_sipri": deal is not None,
            "sipri_deal": _deal_name(deal) if deal is not None else "",
            "sipri_tiv_delivered": (float(deal["tiv_delivered"]) if deal is not None
                                    and pd.notna(deal["tiv_delivered"]) else None),
            "year_start": int(flow["year_start"]),
            "source": flow["source"],
        })
    for index, deal in deals.iterrows():
        if index in used:
            continue
        rows.append({
            "label": f"{deal['designation']} (SIPRI only)", "item": deal["comments"],
            "domain": str(deal["weapon_category"]), "status": "delivered",
            "verdict": "not checked", "in_interview": False, "in_sipri": True,
            "sipri_deal": _deal_name(deal),
            "sipri_tiv_delivered": (float(deal["tiv_delivered"])
                                    if pd.notna(deal["tiv_delivered"]) else None),
            "year_start": int(deal["order_year"]), "source": SIPRI_CREDIT,
        })
    table = pd.DataFrame(rows)
    return typed(table.sort_values(["domain", "year_start", "label"]).reset_index(drop=True),
                 VisibilityTable)


