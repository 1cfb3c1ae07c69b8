"""Facts of the introduction: the peak of China's arms imports since the Cold War."""

from __future__ import annotations

from crmc import data
from crmc.data import DataDir
from crmc.explorers.imports import summarise_imports
from crmc.pages.base import Fact, Page

__all__ = ["build"]


def build(data_dir: DataDir = None) -> Page:
    imports = data.load_sipri_imports(data_dir)
    post_cold_war = summarise_imports(imports, "China", 1990, 2024)
    facts: dict[str, Fact] = {
        "peak_year": post_cold_war.peak_year,
        "peak_tiv": f"{post_cold_war.peak_tiv:,.0f}",
    }
    return Page("intro", facts, frames={"imports": imports})
