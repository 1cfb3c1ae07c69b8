"""Facts of Part 1 (History): dates, phase figures, key systems, trade in both directions."""

from __future__ import annotations

from typing import Final

import pandas as pd

from crmc import data, derived
from crmc.data import DataDir
from crmc.explorers.timeline import default_comparison, phase_table
from crmc.html import html_table
from crmc.pages.base import (
    Fact,
    Page,
    claims_html,
    event_dates,
    event_year,
    series_years,
    year_list,
)
from crmc.tables import (
    as_float,
    as_int,
    direction_totals,
    key_systems_table,
    phase_sums,
    phases_frame,
    row_of_max,
)

__all__ = ["EXERCISE_SERIES", "KEY_EVENTS", "QUOTED_SYSTEMS", "build"]

KEY_EVENTS: Final = {
    "summit": "1989-05-16-sino-soviet-summit",
    "shanghai": "1996-04-26-shanghai-cbm-agreement",
    "moscow": "1997-04-24-moscow-force-reduction-agreement",
    "treaty": "2001-07-16-friendship-treaty",
    "border2004": "2004-10-14-eastern-border-supplementary-agreement",
    "border2008": "2008-07-21-border-protocol",
    "peacemission": "2005-08-18-peace-mission-2005",
    "vostok2018": "2018-09-11-vostok-2018",
    "crimea": "2014-03-18-crimea-annexation",
    "embargo": "2014-07-31-eu-arms-embargo",
    "s400": "2015-04-s400-first-buyer",
    "su35": "2015-11-19-su35-contract",
    "henan": "2015-henan-diesel-order",
    "earlywarning": "2019-10-03-early-warning-announcement",
    "cbm1990": "1990-04-24-sino-soviet-guiding-principles",
    "statement": "2022-02-04-joint-statement",
    "rostec": "2019-12-14-rostec-copying-complaint",
    "mitko": "2020-06-15-mitko-treason-charge",
    "fsb": "2025-06-fsb-document-on-china",
    "sipri2025": "2025-03-10-sipri-trends-2024",
}
"""Dates quoted in the prose (glued as ``when_<key>``), each read from its timeline row."""

EXERCISE_SERIES: Final = {"peacemission": "Peace Mission", "jointsea": "Joint Sea"}
"""Named exercise series the prose lists (glued as ``<key>_first`` and ``<key>_later``)."""

QUOTED_SYSTEMS: Final = {
    "su27": "Su-27 fighters (incl. kits for the J-11)",
    "su35": "Su-35 fighters",
    "s400": "S-400 air-defence systems",
    "mi17": "Mi-17 transport helicopters",
    "al31": "AL-31 fighter engines",
}
"""Key systems the prose quotes (glued as ``<key>_delivered`` and ``<key>_first``)."""


def build(data_dir: DataDir = None) -> Page:
    timeline = data.load_timeline(data_dir)
    register = data.load_sipri_register(data_dir)
    yearly = derived.russia_china_yearly(data_dir)
    phases = phases_frame()
    facts: dict[str, Fact] = event_dates(timeline, KEY_EVENTS)
    facts |= {
        "n_events": len(timeline),
        "crimea_year": event_year(timeline, KEY_EVENTS["crimea"]),
        "first_year": int(timeline["year"].min()),
        "last_year": int(timeline["year"].max()),
    }
    # Phase figures (module's calculation from SIPRI data).
    for row in phase_sums(yearly, phases).itertuples():
        name = str(row.key).replace("-", "_")
        facts[f"{name}_years"] = str(row.years)
        facts[f"{name}_per_year"] = f"{row.per_year_tiv:,.0f}"
        facts[f"{name}_share"] = f"{row.russia_share:.0%}"
    window = yearly[yearly["year"].between(phases["start"].min(), phases["end"].max())]
    peak = row_of_max(window, "russia_to_china_tiv")
    facts |= {
        "n_phases": len(phases),
        "peak_year": int(peak["year"]),
        "peak_tiv": f"{peak['russia_to_china_tiv']:,.0f}",
    }
    # Systems named in the text, and the two directions of trade (SIPRI register).
    systems = key_systems_table(register)
    by_system = systems.set_index("system")
    for key, system in QUOTED_SYSTEMS.items():
        facts[f"{key}_delivered"] = as_int(by_system.loc[system, "delivered"])
        facts[f"{key}_first"] = as_int(by_system.loc[system, "first_order"])
    # Count deals from the first post-Soviet phase on (Russia, not the Soviet Union, as supplier).
    since = int(phases.loc[phases["key"] == "first-purchases", "start"].iloc[0])
    directions = direction_totals(register, first_order=since).set_index("supplier")
    facts["since_year"] = since
    for supplier in ("Russia", "China"):
        tiv = as_float(directions.at[supplier, "tiv_delivered"])
        facts[f"deals_{supplier.lower()}"] = as_int(directions.at[supplier, "deals"])
        facts[f"tiv_{supplier.lower()}"] = f"{tiv:,.0f}"
    # The two named exercise series, each complete in the timeline (tests/test_content_data.py).
    for key, title in EXERCISE_SERIES.items():
        years = series_years(timeline, title)
        facts[f"{key}_first"] = years[0]
        facts[f"{key}_later"] = year_list(years[1:])
    # Two kinds of evidence by phase.
    by_phase = phase_table(timeline, yearly, phases)
    # The explorer's default comparison, as the static page shows it.
    comparison = default_comparison(timeline, yearly)
    facts |= {
        "cmp_first": comparison.first.label,
        "cmp_second": comparison.second.label,
        "cmp_ratio": f"{comparison.tiv_per_year_ratio:.0%}",
        "cmp_events_first": len(comparison.first.events),
        "cmp_events_second": len(comparison.second.events),
    }
    blocks = {
        "claims_table": claims_html(
            data.load_claims(data_dir),
            [1],
            ["Claim in the interview (paraphrased)", "Verdict", "Evidence"],
            "The interview's claims on question 1, with the module's fact-check.",
        ),
        "phase_table": html_table(
            ["Phase", "Years", "Exercises", "Joint development", "All events",
             "Russia → China, million TIV a year", "Russia's share of China's imports"],
            [[r["phase"], r["years"], r["exercise"], r["joint-development"], r["events"],
              f"{r['tiv_per_year']:,.0f}", f"{r['russia_share']:.0%}"]
             for r in by_phase.to_dict("records")],
            caption="Two kinds of evidence by phase: events in the module's timeline and SIPRI "
            "deliveries (module's calculation).",
        ),
    }
    tables = {
        "key_systems": html_table(
            ["System", "Deals", "Units delivered", "First order", "Deliveries", "Million TIV"],
            [[s.system, s.deals, s.delivered, s.first_order,
              f"{s.first_delivery}–{s.last_delivery}", f"{s.tiv_delivered:,.0f}"]
             for s in systems.itertuples()],
            caption="Selected Russian systems delivered to China. Source: SIPRI Arms Transfers "
            "Database; sums are the module's own calculation.",
        ),
    }
    frames: dict[str, pd.DataFrame] = {
        "timeline": timeline, "register": register, "yearly": yearly, "phases": phases,
    }
    return Page("part1", facts, blocks, tables, frames)
