"""Facts of Part 2 (normal cooperation or wartime assistance?): dates, deals, the teaching
model's positions and what SIPRI can see."""

from __future__ import annotations

from typing import Final

from crmc import data
from crmc.classify import CRITERIA, CRITERION_INFO, DEFAULT_WEIGHTS, classify_cases
from crmc.data import DataDir
from crmc.html import html_table
from crmc.pages.base import (
    Fact,
    Page,
    claims_html,
    deal_facts,
    deals_between,
    event_dates,
    event_year,
)
from crmc.tables import visibility_table

__all__ = ["KEY_EVENTS", "build"]

KEY_EVENTS: Final = {
    "embargo": "2014-07-31-eu-arms-embargo",
    "crimea": "2014-03-18-crimea-annexation",
    "invasion": "2022-02-24-russian-invasion-of-ukraine",
    "thales_accusation": "2022-04-22-thales-bmd4-accusation",
    "interview": "2022-05-korolev-interview",
}
"""Dates quoted in the prose (glued as ``<key>_date``; the interview as ``interview_month``)."""


def build(data_dir: DataDir = None) -> Page:
    timeline = data.load_timeline(data_dir)
    cases = data.load_cases(data_dir)
    flows = data.load_flows(data_dir)
    register = data.load_sipri_register(data_dir)
    scored = classify_cases(cases)
    dates = event_dates(timeline, KEY_EVENTS, prefix="")
    facts: dict[str, Fact] = {f"{key}_date": dates[key] for key in KEY_EVENTS if key != "interview"}
    facts["interview_month"] = dates["interview"]
    facts["embargo_year"] = event_year(timeline, KEY_EVENTS["embargo"])
    facts |= deals_between(register)
    china = register[register["supplier"] == "China"]
    henan = china[china["weapon_category"] == "engines"].iloc[0]
    facts |= deal_facts(henan, "henan")
    tiger = china[china["designation"] == "Tiger"].iloc[0]
    facts |= {
        "tiger_number": int(tiger["number_delivered"]),
        "tiger_order_year": int(tiger["order_year"]),
        "tiger_delivery_year": int(tiger["delivery_years"][0]),
    }
    russia = register[register["supplier"] == "Russia"]
    s400 = russia[russia["designation"].str.contains("S-400")].iloc[0]
    s400_facts = deal_facts(s400, "s400")
    facts |= {k: s400_facts[k] for k in ("s400_order_year", "s400_deliveries")}
    # The teaching model's positions for every case, and with battlefield use switched off.
    facts["n_cases"] = len(scored)
    for row in scored.itertuples():
        key = str(row.id).split("-")[0]
        facts[f"pos_{key}"] = f"{row.position:.2f}"
        facts[f"range_{key}"] = f"{row.low:.2f}–{row.high:.2f}"
    gap = visibility_table(register, flows)
    facts |= {
        "gap_flows": len(gap),
        "gap_named": int(gap["in_interview"].sum()),
        "gap_in_sipri": int(gap["in_sipri"].sum()),
        "gap_invisible": int((~gap["in_sipri"]).sum()),
        "weight_total": f"{sum(DEFAULT_WEIGHTS.values()):g}",
        "pos_min": f"{scored['position'].min():.2f}",
        "pos_max": f"{scored['position'].max():.2f}",
    }
    no_war = classify_cases(cases, {"battlefield_use": 0}).set_index("id")["position"]
    facts["nowar_bmd4"] = f"{no_war['bmd4-thales-imagers']:.2f}"
    facts["nowar_s400"] = f"{no_war['s400-to-china']:.2f}"
    facts["gap_domains"] = ", ".join(sorted(set(gap.loc[~gap["in_sipri"], "domain"])))
    blocks = {
        "claims_table": claims_html(
            data.load_claims(data_dir),
            [2],
            ["Claim in the interview", "Verdict", "What the evidence says"],
            "The interview's claims on question 2 (module's claims data)",
        ),
    }
    tables = {
        "criteria": html_table(
            ["Criterion", "Question", "Counts toward assistance if", "Weight"],
            [(CRITERION_INFO[c].label, CRITERION_INFO[c].question,
              CRITERION_INFO[c].toward_assistance, f"{DEFAULT_WEIGHTS[c]:g}") for c in CRITERIA],
            caption="The teaching model's six criteria and weights (crmc.classify)",
        ),
    }
    # id first, as the chart and the explorer have always received it
    frames = {"scored": scored.set_index("id").reset_index(), "register": register, "flows": flows}
    return Page("part2", facts, blocks, tables, frames)
