"""The tables layer: every tidy-frame transform that charts, explorers and pages share.

Data flows one way: loaders (:mod:`crmc.data`) and derived series (:mod:`crmc.derived`) →
these transforms → chart functions (:mod:`crmc.charts`), explorers (:mod:`crmc.explorers`)
and page facts (:mod:`crmc.pages`). Nothing here draws or imports a chart or a widget, so
charts and explorers import tables, never each other. Inputs are annotated with the
pandera schema of the loader that makes them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

import numpy as np
import pandas as pd

from crmc import derived
from crmc.data import SIPRI_CREDIT
from crmc.data.schemas import FLOW_FORMS, IMPLICATION_ACTORS, IMPLICATION_SCENARIOS


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


def timeline_rows(timeline: pd.DataFrame) -> pd.DataFrame:
    """Chart-ready timeline events: plain dtypes, a reader's date (``when``), ``timing``
    (:data:`BEFORE_INTERVIEW` / :data:`AFTER_INTERVIEW`) and a ``lane`` (0–2) that keeps
    nearby points of one category apart. Filter ``timeline`` first: lanes count what is shown.
    """
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
@dataclass(frozen=True)
class Phase:
    """One phase of Russian arms deliveries to China (the module's own periodisation).

    ``anchors`` are ids of events in ``timeline.csv`` that fall in the phase and mark it;
    the tests check that they exist and that their years lie between ``start`` and ``end``.
    """

    key: str
    label: str
    """Short label drawn on the chart."""
    start: int
    end: int
    summary: str
    """One line for tooltips and captions, in the module's own words."""
    anchors: tuple[str, ...]


PHASES: tuple[Phase, ...] = (
    Phase(
        "soviet-sales",
        "Soviet sales",
        1989,
        1991,
        "Relations normalised; the Soviet Union agrees the first Su-27 sale.",
        ("1989-05-16-sino-soviet-summit", "1991-su27-order"),
    ),
    Phase(
        "first-purchases",
        "First purchases",
        1992,
        1998,
        "First post-Soviet purchases (Su-27s, S-300s, Kilo submarines) and border "
        "confidence-building agreements.",
        (
            "1992-s300pmu1-order",
            "1993-kilo-submarine-order",
            "1996-04-26-shanghai-cbm-agreement",
            "1997-04-24-moscow-force-reduction-agreement",
        ),
    ),
    Phase(
        "peak",
        "Peak",
        1999,
        2006,
        "Peak deliveries: Su-30MKK fighters, destroyers and submarines; the 2001 treaty "
        "and the first joint exercise.",
        (
            "1999-su30mkk-order",
            "2001-07-16-friendship-treaty",
            "2002-kilo-636-order",
            "2005-08-18-peace-mission-2005",
        ),
    ),
    Phase(
        "decline",
        "Decline",
        2007,
        2014,
        "Deliveries fall; engines, helicopters and missiles make up most of them. The "
        "border settlement is completed.",
        ("2008-07-21-border-protocol", "2012-04-22-joint-sea-2012", "2014-03-18-crimea-annexation"),
    ),
    Phase(
        "two-way-street",
        "Two-way street",
        2015,
        2023,
        "S-400 and Su-35 sales; Russia starts buying Chinese components; the early-warning "
        "announcement.",
        (
            "2015-04-s400-first-buyer",
            "2015-11-19-su35-contract",
            "2015-henan-diesel-order",
            "2019-10-03-early-warning-announcement",
        ),
    ),
)
"""The module's phases of Russian deliveries to China, 1989–2023 (contiguous, in order)."""


def phases_frame(phases: Sequence[Phase] = PHASES) -> pd.DataFrame:
    """The phases as a tidy table: ``key``, ``label``, ``start``, ``end``, ``years``
    (e.g. ``"1999–2006"``), ``summary``, ``anchors`` (ids joined by ``" ; "``), ``order``."""
    return pd.DataFrame(
        [
            {
                "key": p.key,
                "label": p.label,
                "start": p.start,
                "end": p.end,
                "years": f"{p.start}–{p.end}",
                "summary": p.summary,
                "anchors": " ; ".join(p.anchors),
                "order": i,
            }
            for i, p in enumerate(phases)
        ]
    )


def phase_sums(yearly: pd.DataFrame, phases: pd.DataFrame) -> pd.DataFrame:
    """Russia→China TIV, China's total and Russia's share per phase (module's calculation).

    ``yearly`` is :func:`crmc.derived.russia_china_yearly`'s frame, ``phases`` is
    :func:`phases_frame`'s. Sums come from :func:`crmc.derived.period_sums`; adds
    ``per_year_tiv`` (the phase's Russia→China mean per year) and the phase columns.
    """
    rows = [
        derived.period_sums(yearly, as_int(p.start), as_int(p.end)) for p in phases.itertuples()
    ]
    sums = pd.concat(rows, ignore_index=True)
    sums["per_year_tiv"] = sums["russia_to_china_tiv"] / (sums["end"] - sums["start"] + 1)
    return sums.merge(phases, on=["start", "end"], how="left")


def event_when(timeline: pd.DataFrame, event_id: str) -> str:
    """The reader's date of one timeline event (see :func:`event_date_label`).

    Raises ``KeyError`` naming the id when the timeline has no such event.
    """
    rows = timeline.loc[timeline["id"] == event_id]
    if rows.empty:
        raise KeyError(f"no event {event_id!r} in the timeline")
    row = rows.iloc[0]
    return event_date_label(str(row["date"]), str(row["date_precision"]))


KEY_SYSTEMS: Mapping[str, tuple[str, ...]] = {
    "Su-27 fighters (incl. kits for the J-11)": ("Su-27S",),
    "Su-30MKK/MK2 fighters": ("Su-30MK",),
    "Su-35 fighters": ("Su-35S",),
    "S-300 air-defence systems": ("S-300PMU1", "S-300PMU2 Favorit"),
    "S-400 air-defence systems": ("S-400 Triumf",),
    "Mi-17 transport helicopters": ("Mi-17",),
    "Ka-27PL and Ka-31 naval helicopters": ("Ka-27PL", "Ka-31"),
    "AL-31 fighter engines": ("AL-31",),
    "D-30 aircraft engines": ("D-30",),
}
"""Systems named in part 1 → their SIPRI register designations (the module's grouping)."""


def key_systems_table(
    register: pd.DataFrame, systems: Mapping[str, Sequence[str]] = KEY_SYSTEMS
) -> pd.DataFrame:
    """What the SIPRI register records for each system group sold by Russia to China.

    Columns: ``system``, ``deals``, ``delivered`` (units, SIPRI's numbers summed),
    ``first_order``, ``first_delivery``, ``last_delivery``, ``tiv_delivered`` (million TIV,
    module's sum). Raises ``ValueError`` when a group matches no deal.
    """
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
    return pd.DataFrame(rows)


def direction_totals(register: pd.DataFrame, first_order: int = 1992) -> pd.DataFrame:
    """Deals and delivered TIV in each direction between Russia and China since ``first_order``.

    Counts register deals ordered in or after ``first_order`` (1992: Russia as supplier, not
    the Soviet Union). Columns: ``supplier``, ``recipient``, ``deals``, ``tiv_delivered``
    (million TIV, module's sum); one row per direction, Russia → China first.
    """
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
    return pd.DataFrame(rows)



# ---------------------------------------------------------------- from interdependence.py
ALL = "All"
"""The menu value that switches a filter off."""


RUSSIA_TO_CHINA = "Russia → China"


CHINA_TO_RUSSIA = "China → Russia"


DIRECTIONS = (RUSSIA_TO_CHINA, CHINA_TO_RUSSIA)


NOT_CHECKED = "not checked"
"""Verdict label for a flow the fact-check did not cover (empty ``verdict``)."""


_FLOW_COLUMNS = {
    "id", "item", "supplier", "recipient", "domain", "form", "programme", "component",
    "year_start", "year_end", "status", "verdict", "in_interview", "in_sipri", "source",
}


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _years(start: Any, end: Any) -> str:
    if pd.isna(end):
        return f"from {int(start)}"
    return str(int(start)) if int(end) == int(start) else f"{int(start)}–{int(end)}"


def flow_table(flows: pd.DataFrame) -> pd.DataFrame:
    """``flows`` with the columns the charts and the explorer share.

    Adds ``direction`` ("Russia → China" or "China → Russia"), ``verdict_label`` (the
    verdict, or "not checked" when empty), ``years`` (e.g. "2015–2022" or "from 2014"),
    ``side`` (-1 for Russia → China, +1 for China → Russia) and ``named`` ("yes"/"no":
    named in the interview). Raises ``ValueError`` naming missing columns.
    """
    missing = _FLOW_COLUMNS - set(flows.columns)
    if missing:
        raise ValueError(f"flows lacks columns: {', '.join(sorted(missing))}")
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


def period_label(start: int, width: int) -> str:
    return f"{start}–{start + width - 1}"


def period_counts(flows: pd.DataFrame, width: int = 5) -> pd.DataFrame:
    """Flows per period of ``width`` years (by ``year_start``), direction and form.

    Periods start at multiples of ``width`` (1990–1994, 1995–1999, ...) and run from the first
    to the last ``year_start``; every period × direction × form present in the data appears,
    with 0 where there is none. Columns: ``period_start``, ``period``, ``direction``,
    ``form``, ``flows``. Raises ``ValueError`` for a width below 1.
    """
    if width < 1:
        raise ValueError(f"period width must be at least 1 year, not {width}")
    table = flow_table(flows)
    table["period_start"] = table["year_start"] // width * width
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
    return out[["period_start", "period", "direction", "form", "flows"]]



# ---------------------------------------------------------------- from risks.py
SANCTIONS_CATEGORIES: Final = ("sanctions", "geopolitics", "exercise")
"""Timeline categories the sanctions-and-escalation chart shows."""


INTERVIEW_EVENT: Final = "2022-05-korolev-interview"
"""The timeline row of the interview itself: drawn as the rule, not as a point."""


NO_STATEMENT: Final = "no sourced statement"
"""What an actor × scenario cell without a row in ``implications.csv`` says."""


LATER_EVENT_LINKS: Final[Mapping[str, str]] = {
    "2022-06-28-us-entity-list-additions": "Sanctions risk: the US has begun sanctioning China",
    "2022-06-29-nato-strategic-concept": "Implications for NATO",
    "2022-08-04-taiwan-exercises": "US visits to Taiwan provoke PLA exercises",
    "2022-09-01-vostok-2022": "Tighter China–Russia military alignment",
    "2023-tiger-apv-delivery": "What Chinese assistance to Russia would involve",
    "2023-03-20-xi-moscow-visit": "Tighter China–Russia alignment",
}
"""Which point of the interview each later event bears on: the module's reading, for the
epilogue. A later event missing here is listed with "(not linked)"; a test checks the ids."""


def _check_columns(frame: pd.DataFrame, required: set[str], what: str) -> None:
    missing = required - set(frame.columns)
    if missing:
        raise ValueError(f"{what} lacks columns: {', '.join(sorted(missing))}")


def sanctions_events(timeline: pd.DataFrame, since: int = 2014) -> pd.DataFrame:
    """Sanctions, geopolitical and exercise events from ``since`` on, ready to chart.

    ``timeline`` is :func:`crmc.data.load_timeline`'s frame. The interview's own row is left
    out (the chart draws it as a rule). Adds ``when`` (a reader's date), ``timing``
    (:data:`BEFORE` / :data:`AFTER`, from ``after_interview``) and ``lane`` (0–2, to keep
    nearby points of one category apart).
    """
    _check_columns(timeline, {"id", "date", "date_precision", "start", "year", "title",
                              "description", "category", "source", "after_interview"},
                   "timeline")
    keep = (
        timeline["category"].isin(SANCTIONS_CATEGORIES)
        & (timeline["year"] >= since)
        & (timeline["id"] != INTERVIEW_EVENT)
    )
    return timeline_rows(timeline[keep])


# ---------------------------------------------------------------- implications
def implications_table(implications: pd.DataFrame) -> pd.DataFrame:
    """One row per actor × scenario cell (all nine), statements of a cell joined.

    Columns: ``actor``, ``scenario``, ``n_statements``, ``statement`` (the statements, or
    :data:`NO_STATEMENT`), ``source`` (their sources, or empty), ``ids``, ``evidence``
    (``"1 sourced statement"``, ``"2 sourced statements"`` or :data:`NO_STATEMENT`).
    """
    _check_columns(implications, {"id", "actor", "scenario", "statement", "source"},
                   "implications")
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
    return pd.DataFrame(rows)


def later_events_table(
    timeline: pd.DataFrame, links: Mapping[str, str] = LATER_EVENT_LINKS
) -> pd.DataFrame:
    """The timeline's events after the interview, oldest first, for the epilogue.

    Columns: ``id``, ``when`` (reader's date), ``title``, ``description``, ``category``,
    ``bears_on`` (the interview point it bears on, from ``links``: the module's reading),
    ``source``.
    """
    _check_columns(timeline, {"id", "date", "date_precision", "start", "title", "description",
                              "category", "source", "after_interview"}, "timeline")
    later = timeline[timeline["after_interview"].astype(bool)].sort_values(["start", "id"])
    return pd.DataFrame({
        "id": later["id"].to_list(),
        "when": [event_date_label(str(d), str(p))
                 for d, p in zip(later["date"], later["date_precision"], strict=True)],
        "title": later["title"].to_list(),
        "description": later["description"].to_list(),
        "category": later["category"].to_list(),
        "bears_on": [links.get(str(i), "(not linked)") for i in later["id"]],
        "source": later["source"].to_list(),
    })



# ---------------------------------------------------------------- from wartime.py
def _deal_name(deal: pd.Series) -> str:
    name = str(deal["designation"])
    if str(deal["description"]) != name:
        name += f" ({deal['description']})"
    return f"{name}, ordered {int(deal['order_year'])}"


def visibility_table(register: pd.DataFrame, flows: pd.DataFrame) -> pd.DataFrame:
    """China→Russia flows in the module's data beside SIPRI's China→Russia deals.

    A flow with ``in_sipri`` true is matched to the register deal with the same supplier,
    recipient and order year (``year_start`` = ``order_year``); a register deal that matches
    no flow gets a row of its own. Columns: ``label``, ``item``, ``domain``, ``status``,
    ``verdict``, ``in_interview``, ``in_sipri``, ``sipri_deal`` (designation and order year,
    or empty), ``sipri_tiv_delivered``, ``year_start``, ``source``.
    """
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
    return table.sort_values(["domain", "year_start", "label"]).reset_index(drop=True)


