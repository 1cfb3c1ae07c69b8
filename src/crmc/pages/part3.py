"""Facts of Part 3 (interdependence): dates, flows in both directions, engines and the
capability matrix."""

from __future__ import annotations

from typing import Final

import pandas as pd

from crmc import data
from crmc.data import DataDir
from crmc.html import definition_list
from crmc.pages.base import Fact, Page, claims_html, deal_facts, deals_between, event_dates
from crmc.tables import CHINA_TO_RUSSIA, RUSSIA_TO_CHINA, as_int, flow_table, period_counts

__all__ = ["FLOW_YEARS", "KEY_EVENTS", "KEY_TERMS", "build"]

KEY_EVENTS: Final = {
    "interview": "2022-05-korolev-interview",
    "crimea": "2014-03-18-crimea-annexation",
    "casic": "2014-08-06-casic-electronics-report",
    "rd93_upgrade": "2014-11-rd93-upgrade-agreement",
    "swap": "2016-04-19-electronics-for-rocket-engines-report",
    "mts": "2019-06-huawei-mts-5g",
    "earlywarning": "2019-10-03-early-warning-announcement",
}
"""Dates quoted in the prose (glued as ``when_<key>``), each read from its timeline row."""

FLOW_YEARS: Final = {
    "patrol": "chinese-diesels-patrol-ships",
    "rd93": "rd93-jf17-supply",
    "rd180": "rd180-technology",
    "huawei": "huawei-data-centres-claimed",
    "su35": "su35-2015",
    "s400": "s400-2015",
}
"""Years quoted in the prose (glued as ``year_<key>``), each read from its flows row."""

KEY_TERMS: Final = (
    "Interdependence",
    "Licensed production",
    "Dual-use goods",
    "Turbofan",
    "JF-17 Thunder / FC-1 Xiaolong",
    "Buyan-M (Project 21631)",
)
"""Glossary terms the page defines in its key-terms box."""


def build(data_dir: DataDir = None) -> Page:
    timeline = data.load_timeline(data_dir)
    flows = data.load_flows(data_dir)
    capabilities = data.load_capabilities(data_dir)
    register = data.load_sipri_register(data_dir)
    glossary = data.load_glossary(data_dir).set_index("term")
    table = flow_table(flows).set_index("id")
    facts: dict[str, Fact] = event_dates(timeline, KEY_EVENTS)
    facts |= {f"year_{k}": as_int(table.at[flow, "year_start"]) for k, flow in FLOW_YEARS.items()}
    r2c = table[table["direction"] == RUSSIA_TO_CHINA]
    c2r = table[table["direction"] == CHINA_TO_RUSSIA]
    facts |= {
        "n_flows": len(table),
        "n_r2c": len(r2c),
        "n_r2c_sales": int((r2c["form"] == "sale").sum()),
        "n_r2c_other": int((r2c["form"] != "sale").sum()),
        "n_c2r": len(c2r),
        "first_c2r_year": int(c2r["year_start"].min()),
        "first_flow_year": int(table["year_start"].min()),
        "n_joint_production": int((table["programme"] == "Joint production in China").sum()),
    }
    counts = period_counts(flows)
    last = counts[counts["period_start"] == counts["period_start"].max()]
    facts |= {
        "last_period": str(last["period"].iloc[0]),
        "last_r2c": int(last.loc[last["direction"] == RUSSIA_TO_CHINA, "flows"].sum()),
        "last_c2r": int(last.loc[last["direction"] == CHINA_TO_RUSSIA, "flows"].sum()),
    }
    facts |= deals_between(register)
    china = register[register["supplier"] == "China"]
    facts |= deal_facts(china[china["weapon_category"] == "engines"].iloc[0], "henan")
    russia = register[register["supplier"] == "Russia"]
    engines = russia[russia["weapon_category"] == "engines"]
    edge = capabilities["edge"].value_counts()
    facts |= {
        "engine_deals": len(engines),
        "engine_units": f"{int(engines['number_ordered'].sum()):,}",
        "engine_years": f"{engines['order_year'].min()}–{engines['order_year'].max()}",
        "last_order_year": int(register["order_year"].max()),
        "engine_last_delivery": max(max(years) for years in engines["delivery_years"]),
        "n_caps": len(capabilities),
        "n_china_edge": int(edge.get("China", 0)),
        "n_russia_edge": int(edge.get("Russia", 0)),
    }
    blocks = {
        "key_terms": definition_list((t, str(glossary.loc[t, "definition"])) for t in KEY_TERMS),
        "claims_table": claims_html(
            data.load_claims(data_dir),
            [3, 4],
            ["Question", "Claim in the interview", "Verdict", "What the evidence says"],
            "The interview's claims on questions 3 and 4 (module's claims data)",
            columns=("question", "claim", "verdict", "evidence"),
        ),
    }
    frames: dict[str, pd.DataFrame] = {"flows": flows, "capabilities": capabilities}
    return Page("part3", facts, blocks, {}, frames)
