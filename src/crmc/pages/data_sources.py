"""Facts of the data-sources page: dataset sizes, SIPRI's extract date, the glossary."""

from __future__ import annotations

from crmc import data
from crmc.data import DataDir
from crmc.html import html_table
from crmc.pages.base import Fact, Page, event_dates
from crmc.tables import INTERVIEW_EVENT

__all__ = ["COUNTED", "build"]

COUNTED: tuple[data.DatasetName, ...] = ("timeline", "flows", "claims", "cases", "glossary")
"""Curated datasets whose row counts the page quotes (glued as ``n_<name>``)."""


def build(data_dir: DataDir = None) -> Page:
    facts: dict[str, Fact] = {f"n_{name}": len(data.load(name, data_dir)) for name in COUNTED}
    timeline = data.load_timeline(data_dir)
    facts |= {
        "timeline_first": int(timeline["year"].min()),
        "timeline_last": int(timeline["year"].max()),
        **event_dates(timeline, {"interview": INTERVIEW_EVENT}),
    }
    register = data.load_sipri_register(data_dir)
    facts |= {
        "n_register": len(register),
        "n_china_to_russia": int((register["supplier"] == "China").sum()),
        "sipri_generated": data.SIPRI_DATA_GENERATED.strftime("%d %B %Y"),
    }
    glossary = data.load_glossary(data_dir).sort_values("term")
    table = html_table(
        ["Term", "Definition"],
        glossary[["term", "definition"]].itertuples(index=False),
        caption="Terms used in the module (sources in glossary.csv)",
    )
    return Page("data_sources", facts, tables={"glossary": table})
