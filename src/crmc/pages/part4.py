"""Facts of Part 4 (risks, rationale, implications): dates, sanctions events, the what-if
model's defaults and break-even points, and the implications matrix."""

from __future__ import annotations

from typing import Final

import pandas as pd

from crmc import data, whatif
from crmc.data import DataDir
from crmc.html import html_table
from crmc.pages.base import Fact, Page, claims_html, event_dates, event_year
from crmc.tables import AFTER_INTERVIEW, implications_table, sanctions_events

__all__ = ["KEY_EVENTS", "build"]

KEY_EVENTS: Final = {
    "crimea": "2014-03-18-crimea-annexation",
    "caatsa": "2018-09-20-caatsa-sanctions-edd",
    "nds": "2018-11-14-nds-commission-report",
    "aukus": "2021-09-15-aukus",
    "statement": "2022-02-04-joint-statement",
    "invasion": "2022-02-24-russian-invasion-of-ukraine",
    "drills": "2022-04-15-taiwan-drills",
    "interview": "2022-05-korolev-interview",
    "entity": "2022-06-28-us-entity-list-additions",
    "nato": "2022-06-29-nato-strategic-concept",
    "pelosi": "2022-08-04-taiwan-exercises",
    "position": "2023-02-24-china-position-paper",
    "xi_visit": "2023-03-20-xi-moscow-visit",
    "jointsword2023": "2023-04-08-joint-sword-2023",
    "eu11": "2023-06-23-eu-11th-package",
    "eo14114": "2023-12-22-executive-order-14114",
    "chouzhou": "2024-02-07-chouzhou-bank-halts-russia-settlements",
    "jointsword2024a": "2024-05-23-joint-sword-2024a",
    "alaska": "2024-07-24-joint-bomber-patrol-alaska",
    "drone_controls": "2024-09-01-china-drone-export-controls",
    "jointsword2024b": "2024-10-14-joint-sword-2024b",
    "nk_troops": "2024-10-north-korean-troops",
    "garpiya": "2024-10-17-us-sanctions-garpiya",
    "eu15": "2024-12-16-eu-15th-package",
}
"""Dates quoted in the prose (glued as ``when_<key>``), each read from its timeline row."""


def _whatif_facts() -> dict[str, Fact]:
    result = whatif.assess()  # the illustrative defaults
    facts: dict[str, Fact] = {f"default_{i.name}": f"{i.default:g}" for i in whatif.INPUTS}
    high = whatif.INPUT_INFO["sanctions_cost"].high
    high_cost = whatif.assess(sanctions_cost=high)
    facts |= {
        "default_benefit": f"{result.expected_benefit:.1f}",
        "default_cost": f"{result.expected_cost:.2f}",
        "default_net": f"{result.net_balance:+.2f}",
        "breakeven_detection": f"{whatif.break_even('detection'):.2f}",
        "max_sanctions_cost": f"{high:g}",
        "breakeven_high_cost": f"{whatif.break_even('detection', high_cost.inputs):.2f}",
        "no_detection_net": f"{whatif.assess(detection=0).net_balance:+.1f}",
    }
    return facts


def build(data_dir: DataDir = None) -> Page:
    timeline = data.load_timeline(data_dir)
    implications = data.load_implications(data_dir)
    facts: dict[str, Fact] = event_dates(timeline, KEY_EVENTS)
    starts = timeline.set_index("id")["start"]
    gap = starts[KEY_EVENTS["interview"]] - starts[KEY_EVENTS["nds"]]
    facts["nds_age"] = f"{gap.days / 365.25:.1f}"
    facts["nds_year"] = event_year(timeline, KEY_EVENTS["nds"])
    events = sanctions_events(timeline)
    cells = implications_table(implications)
    empty = cells[cells["n_statements"] == 0]
    facts |= {
        "n_events": len(events),
        "n_later": int((events["timing"] == AFTER_INTERVIEW).sum()),
        "first_year": int(events["year"].min()),
        "n_statements": len(implications),
        "n_cells": len(cells),
        "n_empty": len(empty),
        "empty_cells": "; ".join(f"{a}, {s}" for a, s in zip(empty["actor"], empty["scenario"],
                                                                 strict=True)),
    }
    facts |= _whatif_facts()
    blocks = {
        "implications_table": html_table(
            ["Actor", "Scenario", "What the source says", "Source"],
            cells[["actor", "scenario", "statement", "source"]].itertuples(index=False),
            caption="Sourced statements by actor and scenario (module's implications data)",
        ),
        "claims_table": claims_html(
            data.load_claims(data_dir),
            [5],
            ["Claim in the interview", "Verdict", "What the evidence says"],
            "The interview's claims on question 5 (module's claims data)",
        ),
    }
    tables = {
        "inputs": html_table(
            ["Input", "What it stands for", "Range", "Illustrative default"],
            [(i.label, i.meaning, f"{i.low:g}–{i.high:g}", f"{i.default:g}")
             for i in whatif.INPUTS],
            caption="The teaching model's inputs (crmc.whatif.INPUTS): assumptions, not data",
        ),
    }
    frames: dict[str, pd.DataFrame] = {"timeline": timeline, "implications": implications}
    return Page("part4", facts, blocks, tables, frames)
