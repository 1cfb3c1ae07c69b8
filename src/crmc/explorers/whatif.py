"""Explorer: set the inputs of the what-if TEACHING MODEL and read its outputs.

The logic is :func:`crmc.whatif.assess`, :func:`crmc.whatif.break_even` and
:func:`crmc.whatif.sweep`; this module formats their results as HTML and wires the controls
(number boxes, not sliders: ipywidgets' slider handles have no accessible name).
"""

from __future__ import annotations

import html

import ipywidgets as widgets

from crmc.explorers.base import html_table
from crmc.whatif import (
    DEFAULT_INPUTS,
    INPUT_INFO,
    INPUT_NAMES,
    INPUTS,
    OUTPUT_LABELS,
    OUTPUT_NAMES,
    TEACHING_MODEL_NOTE,
    InputName,
    WhatIfInputs,
    WhatIfResult,
    assess,
    break_even,
    formula_lines,
    sweep,
)

__all__ = ["WhatIfExplorer", "format_whatif"]


def format_whatif(result: WhatIfResult, sweep_input: InputName = "detection") -> str:
    """HTML report of one run: the inputs, the formula, the outputs, the break-even value of
    ``sweep_input`` and a short table of the outputs across its range."""
    inputs = result.inputs
    formula = "<br>".join(html.escape(line) for line in formula_lines())
    rows = [
        (i.label, f"{getattr(inputs, i.name):g}",
         "illustrative default" if getattr(inputs, i.name) == i.default else "changed by you",
         i.meaning)
        for i in INPUTS
    ]
    info = INPUT_INFO[sweep_input]
    be = break_even(sweep_input, inputs)
    crossing = (
        f"The net balance crosses zero when {info.label.lower()} is {be:.2f}."
        if be is not None
        else f"The net balance does not cross zero anywhere between {info.low:g} and "
        f"{info.high:g} for {info.label.lower()}."
    )
    table = sweep(sweep_input, inputs, steps=5)
    sweep_rows = [
        (f"{row[sweep_input]:.2f}", *(f"{row[o]:.2f}" for o in OUTPUT_NAMES))
        for _, row in table.iterrows()
    ]
    return "".join([
        f"<p><strong>Teaching model</strong> ({html.escape(TEACHING_MODEL_NOTE)})</p>",
        f"<p><strong>Net balance: {result.net_balance:+.2f} points</strong> "
        f"(expected benefit {result.expected_benefit:.2f}, expected cost "
        f"{result.expected_cost:.2f}): {html.escape(result.verdict)}.</p>",
        f'<p>Formula:<br><code class="crmc-formula">{formula}</code></p>',
        html_table(["Input", "Value", "Status", "What it stands for"], rows,
                   caption="The inputs (assumptions, not data)"),
        f"<p>{html.escape(crossing)}</p>",
        html_table([info.label, *(OUTPUT_LABELS[o] for o in OUTPUT_NAMES)], sweep_rows,
                   caption=f"Outputs as {info.label.lower()} varies, other inputs as set"),
    ])


class WhatIfExplorer(widgets.VBox):
    """Six number boxes (one per input) and the model's report, re-rendered on every change.

    ``inputs`` sets the starting values (default: the illustrative defaults);
    ``sweep_input`` is the input whose range the report tabulates.
    """

    def __init__(
        self, inputs: WhatIfInputs | None = None, sweep_input: InputName = "detection"
    ) -> None:
        start = inputs or DEFAULT_INPUTS
        self.sweep_input: InputName = sweep_input
        self.controls: dict[InputName, widgets.BoundedFloatText] = {
            i.name: widgets.BoundedFloatText(
                value=getattr(start, i.name),
                min=i.low,
                max=i.high,
                step=i.step,
                description=i.label,
                description_allow_html=False,
                style={"description_width": "18em"},
                layout=widgets.Layout(width="28em"),
            )
            for i in INPUTS
        }
        self.sweep_menu = widgets.Dropdown(
            options=[(INPUT_INFO[n].label, n) for n in INPUT_NAMES],
            value=sweep_input,
            description="Tabulate across",
            style={"description_width": "18em"},
            layout=widgets.Layout(width="38em"),
        )
        self.output = widgets.HTML()
        for control in self.controls.values():
            control.observe(self._update, names="value")
        self.sweep_menu.observe(self._update, names="value")
        super().__init__([*self.controls.values(), self.sweep_menu, self.output])
        self._update()

    def inputs(self) -> WhatIfInputs:
        """The inputs currently set in the boxes."""
        return WhatIfInputs.from_mapping({n: float(c.value) for n, c in self.controls.items()})

    def _update(self, _change: object = None) -> None:
        self.sweep_input = self.sweep_menu.value
        self.output.value = format_whatif(assess(self.inputs()), self.sweep_input)
