"""Explorer: SIPRI's yearly import volume over a chosen range of years."""

from __future__ import annotations

import html
from dataclasses import dataclass

import ipywidgets as widgets
from pandera.typing import DataFrame

from crmc.data.schemas import SipriImportsSchema
from crmc.explorers.base import year_menu
from crmc.tables import as_float, as_int, row_of_max


@dataclass(frozen=True)
class ImportsSummary:
    """What the imports explorer reports for one recipient and year range."""

    recipient: str
    start: int
    end: int
    total_tiv: float
    mean_tiv: float
    peak_year: int
    peak_tiv: float
    years_with_deliveries: int


def summarise_imports(
    imports: DataFrame[SipriImportsSchema], recipient: str, start: int, end: int
) -> ImportsSummary:
    """Total, mean and peak of ``recipient``'s yearly imports between ``start`` and ``end``.

    Years with no recorded deliveries count as zero in the mean (SIPRI leaves them empty).
    Raises ``ValueError`` for an empty or reversed range, or a recipient not in the data.
    """
    if start > end:
        raise ValueError(f"start year {start} is after end year {end}")
    rows = imports[imports["recipient"] == recipient]
    if rows.empty:
        raise ValueError(f"no import data for recipient {recipient!r}")
    window = rows[(rows["year"] >= start) & (rows["year"] <= end)]
    if window.empty:
        raise ValueError(f"no years between {start} and {end} for {recipient}")
    tiv = window["tiv"].fillna(0.0)
    peak = row_of_max(window.assign(tiv=tiv), "tiv")
    return ImportsSummary(
        recipient=recipient,
        start=start,
        end=end,
        total_tiv=float(tiv.sum()),
        mean_tiv=float(tiv.sum()) / (end - start + 1),
        peak_year=as_int(peak["year"]),
        peak_tiv=as_float(peak["tiv"]),
        years_with_deliveries=int(window["tiv"].notna().sum()),
    )


def format_summary(summary: ImportsSummary) -> str:
    """HTML sentence for a summary."""
    return (
        f"<p><strong>{html.escape(summary.recipient)}, {summary.start}–{summary.end}:</strong> "
        f"{summary.total_tiv:,.0f} million TIV in all, {summary.mean_tiv:,.0f} a year on average; "
        f"the peak year was {summary.peak_year} ({summary.peak_tiv:,.0f} million TIV). "
        f"Deliveries were recorded in {summary.years_with_deliveries} of "
        f"{summary.end - summary.start + 1} years.</p>"
    )


class ImportsExplorer(widgets.VBox):
    """Start and end years over SIPRI's yearly imports, with a one-line summary."""

    def __init__(self, imports: DataFrame[SipriImportsSchema], recipient: str = "China") -> None:
        self.imports = imports
        self.recipient = recipient
        years = sorted(int(y) for y in imports.loc[imports["recipient"] == recipient, "year"])
        self.start = year_menu(years, 1990, "From")
        self.end = year_menu(years, years[-1], "To")
        self.output = widgets.HTML()
        for control in (self.start, self.end):
            control.observe(self._update, names="value")
        super().__init__([widgets.HBox([self.start, self.end]), self.output])
        self._update()

    def _update(self, _change: object = None) -> None:
        start, end = self.start.value, self.end.value
        if start > end:
            self.output.value = "<p>Choose a start year before the end year.</p>"
            return
        self.output.value = format_summary(
            summarise_imports(self.imports, self.recipient, start, end)
        )
