"""The intro page's imports explorer: plain logic, then the widget view."""

from __future__ import annotations

import pandas as pd
import pytest

from crmc.explorers.imports import ImportsExplorer, summarise_imports

IMPORTS = pd.DataFrame(
    {
        "recipient": ["China"] * 5 + ["Russia"] * 2,
        "year": [1990, 1991, 1992, 1993, 1994, 1990, 1991],
        "tiv": [10.0, None, 30.0, 25.0, 5.0, 1.0, 2.0],
    }
)


def test_summary_counts_missing_years_as_zero_in_the_mean() -> None:
    summary = summarise_imports(IMPORTS, "China", 1990, 1993)
    assert summary.total_tiv == 65.0
    assert summary.mean_tiv == 65.0 / 4
    assert (summary.peak_year, summary.peak_tiv) == (1992, 30.0)
    assert summary.years_with_deliveries == 3


@pytest.mark.parametrize(
    ("recipient", "start", "end", "message"),
    [
        ("China", 1994, 1990, "after end year"),
        ("Atlantis", 1990, 1994, "no import data for recipient 'Atlantis'"),
        ("China", 2050, 2060, "no years between 2050 and 2060"),
    ],
)
def test_bad_ranges_get_clear_errors(recipient: str, start: int, end: int, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        summarise_imports(IMPORTS, recipient, start, end)


def test_widget_updates_its_summary_when_the_years_change() -> None:
    explorer = ImportsExplorer(IMPORTS)
    assert (explorer.start.value, explorer.end.value) == (1990, 1994)
    assert "1990–1994" in explorer.output.value
    explorer.start.value = 1992
    explorer.end.value = 1992
    assert "1992–1992" in explorer.output.value and "30 million TIV in all" in explorer.output.value
    explorer.start.value = 1994
    explorer.end.value = 1990
    assert "start year before the end year" in explorer.output.value
