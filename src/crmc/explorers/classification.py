"""Explorer: code a transfer on six criteria and see where the TEACHING MODEL places it.

The logic is :func:`crmc.classify.classify` and :func:`crmc.classify.nearest_cases`; this
module only formats their results as HTML and wires the controls.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

import ipywidgets as widgets
import pandas as pd

from crmc.classify import (
    CODES,
    CRITERIA,
    CRITERION_INFO,
    TEACHING_MODEL_NOTE,
    CaseAttributes,
    Classification,
    Neighbour,
    classify,
    classify_cases,
    nearest_cases,
)
from crmc.explorers.base import html_table

__all__ = ["ClassificationExplorer", "format_classification"]

_BLANK = "(start from scratch: all unknown)"


def format_classification(result: Classification, neighbours: Sequence[Neighbour] = ()) -> str:
    """HTML report of one classification: position, range, reasons and the nearest real cases."""
    reasons = "".join(f"<li>{html.escape(r.text)}</li>" for r in result.reasons)
    unknowns = len(result.unknowns)
    band = (
        "no unknowns, so no range"
        if unknowns == 0
        else f"range {result.low:.2f}–{result.high:.2f} because {unknowns} "
        f"{'criterion is' if unknowns == 1 else 'criteria are'} unknown"
    )
    parts = [
        f"<p><strong>Teaching model</strong> ({html.escape(TEACHING_MODEL_NOTE)})</p>",
        f"<p><strong>Position: {result.position:.2f}</strong> on a scale from 0 (normal "
        f"cooperation) to 1 (military assistance): {html.escape(result.zone)}; "
        f"{html.escape(band)}.</p>",
        f"<p>Reasons:</p><ul class=\"crmc-reasons\">{reasons}</ul>",
    ]
    if neighbours:
        rows = [
            (
                n.case,
                f"{n.position:.2f}",
                "none" if not n.differing
                else ", ".join(CRITERION_INFO[c].label for c in n.differing),
            )
            for n in neighbours
        ]
        parts.append(
            html_table(
                ["Real case", "Its position", "Criteria coded differently"],
                rows,
                caption="The real cases coded most like yours",
            )
        )
    return "".join(parts)


class ClassificationExplorer(widgets.VBox):
    """Six yes/no/unknown toggles, a menu to start from a real case, and the model's verdict.

    ``cases`` is ``data.load_cases()`` (or :func:`crmc.classify.classify_cases` output).
    """

    def __init__(self, cases: pd.DataFrame, start: str | None = None, n_nearest: int = 3) -> None:
        self.scored = cases if "position" in cases.columns else classify_cases(cases)
        self.n_nearest = n_nearest
        names = dict(zip(self.scored["case"], self.scored["id"], strict=True))
        self.preset = widgets.Dropdown(
            options=[(_BLANK, ""), *names.items()],
            value="",
            description="Start from",
            layout=widgets.Layout(width="100%"),
            style={"description_width": "initial"},
        )
        self.toggles = {
            c: widgets.ToggleButtons(
                options=list(CODES),
                value="unknown",
                tooltips=[CRITERION_INFO[c].question] * len(CODES),
                style={"button_width": "6.5em"},
            )
            for c in CRITERIA
        }
        rows = [
            widgets.HBox([
                widgets.HTML(
                    f'<span title="{html.escape(CRITERION_INFO[c].question)}">'
                    f"{html.escape(CRITERION_INFO[c].label)}</span>",
                    layout=widgets.Layout(width="12em"),
                ),
                toggle,
            ])
            for c, toggle in self.toggles.items()
        ]
        self.output = widgets.HTML()
        self.preset.observe(self._load_preset, names="value")
        for toggle in self.toggles.values():
            toggle.observe(self._update, names="value")
        super().__init__([self.preset, *rows, self.output])
        if start:
            self.preset.value = start
        self._update()

    def attributes(self) -> CaseAttributes:
        """The coding currently set in the toggles."""
        return CaseAttributes.from_mapping({c: t.value for c, t in self.toggles.items()})

    def _load_preset(self, _change: object = None) -> None:
        if not self.preset.value:
            return
        row = self.scored.loc[self.scored["id"] == self.preset.value].iloc[0]
        for c, toggle in self.toggles.items():
            toggle.value = str(row[c])

    def _update(self, _change: object = None) -> None:
        attrs = self.attributes()
        self.output.value = format_classification(
            classify(attrs), nearest_cases(attrs, self.scored, self.n_nearest)
        )
