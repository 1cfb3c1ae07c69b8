"""Explorers on the static site: their saved state as plain HTML, controls visibly disabled.

An explorer is an ipywidgets view whose every change runs Python, so on the static site no
control can work. Loading the ipywidgets html-manager (1.9 MB, about 0.45 MB gzipped) only
to draw controls that look live and are dead would cost every reader and mislead them. The
extension therefore writes each widget view from the notebook's saved widget state as plain
HTML at build time: outputs (tables, summaries) as they were saved, every control disabled,
and at the top of the explorer the reason and the link that opens the page live.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Mapping
from typing import Any

VIEW_MIME = "application/vnd.jupyter.widget-view+json"
STATE_MIME = "application/vnd.jupyter.widget-state+json"
EXPLORER_CLASS = "crmc-static-explorer"

_VIEW_SCRIPT = re.compile(
    r'<script type="application/vnd\.jupyter\.widget-view\+json">(?P<json>.*?)</script>', re.S
)

BANNER_REASON = (
    "Not interactive on this page: this explorer runs Python, which the static site does not "
    "have. Its controls are disabled and show the explorer's starting state."
)


class UnsupportedWidgetError(ValueError):
    """A saved widget of a kind this renderer does not know (it must not be shown silently)."""


def _ref(value: object) -> str | None:
    if isinstance(value, str) and value.startswith("IPY_MODEL_"):
        return value[len("IPY_MODEL_") :]
    return None


def _label(state: Mapping[str, Any], control_id: str) -> str:
    text = str(state.get("description") or "")
    if not text:
        return ""
    return f'<label class="crmc-widget-label" for="{control_id}">{html.escape(text)}</label>'


class _Renderer:
    def __init__(self, models: Mapping[str, Any], page_key: str) -> None:
        self.models = models
        self.page_key = page_key
        self.counter = 0

    def control_id(self) -> str:
        self.counter += 1
        return f"crmc-w-{self.page_key}-{self.counter}"

    def render(self, model_id: str) -> str:
        model = self.models.get(model_id)
        if model is None:
            raise UnsupportedWidgetError(f"widget model {model_id} is missing from the saved state")
        name = str(model.get("model_name", ""))
        state: Mapping[str, Any] = model.get("state", {})
        method = getattr(self, "_" + name, None)
        if method is None:
            raise UnsupportedWidgetError(f"no static rendering for widget {name}")
        result: str = method(state)
        return result

    def _children(self, state: Mapping[str, Any]) -> str:
        return "".join(
            self.render(ref) for ref in (_ref(c) for c in state.get("children", [])) if ref
        )

    def _VBoxModel(self, state: Mapping[str, Any]) -> str:  # noqa: N802 - ipywidgets' names
        return f'<div class="crmc-widget crmc-widget-vbox">{self._children(state)}</div>'

    def _HBoxModel(self, state: Mapping[str, Any]) -> str:  # noqa: N802
        return f'<div class="crmc-widget crmc-widget-hbox">{self._children(state)}</div>'

    def _BoxModel(self, state: Mapping[str, Any]) -> str:  # noqa: N802
        return self._VBoxModel(state)

    def _HTMLModel(self, state: Mapping[str, Any]) -> str:  # noqa: N802
        # The value is HTML written by the module's own explorers (escaped cells), kept as is.
        # tabindex: a wide table scrolls inside this box, which keyboard users must reach.
        return (
            f'<div class="crmc-widget crmc-widget-html" tabindex="0">{state.get("value", "")}</div>'
        )

    def _LabelModel(self, state: Mapping[str, Any]) -> str:  # noqa: N802
        text = html.escape(str(state.get("value", "")))
        return f'<p class="crmc-widget crmc-widget-label">{text}</p>'

    def _options(self, state: Mapping[str, Any]) -> tuple[list[str], int | None]:
        labels = [str(o) for o in state.get("_options_labels", [])]
        index = state.get("index")
        return labels, index if isinstance(index, int) else None

    def _DropdownModel(self, state: Mapping[str, Any]) -> str:  # noqa: N802
        cid = self.control_id()
        labels, index = self._options(state)
        options = "".join(
            f"<option{' selected' if i == index else ''}>{html.escape(label)}</option>"
            for i, label in enumerate(labels)
        )
        return (
            f'<div class="crmc-widget crmc-widget-control">{_label(state, cid)}'
            f'<select id="{cid}" disabled>{options}</select></div>'
        )

    _SelectModel = _DropdownModel

    def _SelectMultipleModel(self, state: Mapping[str, Any]) -> str:  # noqa: N802
        cid = self.control_id()
        labels = [str(o) for o in state.get("_options_labels", [])]
        chosen = set(state.get("index") or [])
        options = "".join(
            f"<option{' selected' if i in chosen else ''}>{html.escape(label)}</option>"
            for i, label in enumerate(labels)
        )
        rows = int(state.get("rows") or min(len(labels), 6))
        return (
            f'<div class="crmc-widget crmc-widget-control">{_label(state, cid)}'
            f'<select id="{cid}" multiple size="{rows}" disabled>{options}</select></div>'
        )

    def _ToggleButtonsModel(self, state: Mapping[str, Any]) -> str:  # noqa: N802
        labels, index = self._options(state)
        description = str(state.get("description") or "")
        pressed = {
            True: ' aria-pressed="true" class="crmc-widget-selected"',
            False: ' aria-pressed="false"',
        }
        buttons = "".join(
            f'<button type="button" disabled{pressed[i == index]}>{html.escape(label)}</button>'
            for i, label in enumerate(labels)
        )
        name = f' aria-label="{html.escape(description)}"' if description else ""
        legend = (
            f'<span class="crmc-widget-label">{html.escape(description)}</span>'
            if description
            else ""
        )
        return (
            f'<div class="crmc-widget crmc-widget-control crmc-widget-toggles" role="group"{name}>'
            f"{legend}{buttons}</div>"
        )

    _RadioButtonsModel = _ToggleButtonsModel

    def _number(self, state: Mapping[str, Any], kind: str) -> str:
        cid = self.control_id()
        attributes = [f'type="{kind}"', f'id="{cid}"', "disabled"]
        for key in ("value", "min", "max", "step"):
            if state.get(key) is not None:
                attributes.append(f'{key}="{html.escape(str(state[key]))}"')
        return (
            f'<div class="crmc-widget crmc-widget-control">{_label(state, cid)}'
            f"<input {' '.join(attributes)}></div>"
        )

    def _BoundedFloatTextModel(self, state: Mapping[str, Any]) -> str:  # noqa: N802
        return self._number(state, "number")

    _BoundedIntTextModel = _BoundedFloatTextModel
    _FloatTextModel = _BoundedFloatTextModel
    _IntTextModel = _BoundedFloatTextModel

    def _FloatSliderModel(self, state: Mapping[str, Any]) -> str:  # noqa: N802
        return self._number(state, "range")

    _IntSliderModel = _FloatSliderModel

    def _CheckboxModel(self, state: Mapping[str, Any]) -> str:  # noqa: N802
        cid = self.control_id()
        checked = " checked" if state.get("value") else ""
        return (
            f'<div class="crmc-widget crmc-widget-control"><input type="checkbox" id="{cid}" '
            f"disabled{checked}>{_label(state, cid)}</div>"
        )

    def _TextModel(self, state: Mapping[str, Any]) -> str:  # noqa: N802
        cid = self.control_id()
        value = html.escape(str(state.get("value", "")))
        return (
            f'<div class="crmc-widget crmc-widget-control">{_label(state, cid)}'
            f'<input type="text" id="{cid}" disabled value="{value}"></div>'
        )

    def _ButtonModel(self, state: Mapping[str, Any]) -> str:  # noqa: N802
        text = html.escape(str(state.get("description") or "Run"))
        return f'<div class="crmc-widget"><button type="button" disabled>{text}</button></div>'


def banner(launch_url: str | None) -> str:
    """The note at the top of every static explorer: why it is disabled, and the way out."""
    if launch_url:
        link = (
            f' <a class="crmc-launch-link" href="{html.escape(launch_url)}">Open this page live '
            "in Binder</a> to use it (or the rocket button at the top of the page)."
        )
        where = f"live at {html.escape(launch_url)}"
    else:
        link = " Run this page's notebook in Jupyter to use it."
        where = "by running this page's notebook in Jupyter"
    # Paper has no controls: print shows only this line (crmc-site.css hides the rest).
    print_note = (
        f'<span class="crmc-print-note">Interactive explorer, printed in its starting state; '
        f"use it {where}.</span>"
    )
    return (
        f'<p class="crmc-explorer-banner" role="note"><strong>{html.escape(BANNER_REASON)}</strong>'
        f"{link}{print_note}</p>"
    )


def render_views(body: str, state_json: str, launch_url: str | None, page_key: str) -> str:
    """Replace each widget-view script in ``body`` by its static HTML."""
    models: Mapping[str, Any] = json.loads(state_json).get("state", {})
    renderer = _Renderer(models, re.sub(r"[^A-Za-z0-9]+", "-", page_key))

    def replace(match: re.Match[str]) -> str:
        view = json.loads(match.group("json"))
        inner = renderer.render(str(view["model_id"]))
        return (
            f'<div class="{EXPLORER_CLASS}" role="group" aria-label="Explorer (static copy)">'
            f"{banner(launch_url)}{inner}</div>"
        )

    return _VIEW_SCRIPT.sub(replace, body)


def has_views(body: str) -> bool:
    """Whether the page body holds at least one widget view."""
    return _VIEW_SCRIPT.search(body) is not None
