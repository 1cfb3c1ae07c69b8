"""Spec helpers shared by the chart tests (the contract Altair's own gallery tests keep)."""

from __future__ import annotations

import json
from typing import Any

import altair as alt


def walk(spec: Any) -> list[dict[str, Any]]:
    """Every dict inside a Vega-Lite spec, depth first."""
    found: list[dict[str, Any]] = []
    if isinstance(spec, dict):
        found.append(spec)
        for value in spec.values():
            found.extend(walk(value))
    elif isinstance(spec, list):
        for value in spec:
            found.extend(walk(value))
    return found


def round_trip(chart: alt.TopLevelMixin) -> dict[str, Any]:
    """The chart's spec, after checking it survives ``from_dict`` and a JSON round trip."""
    spec = chart.to_dict()
    again = alt.Chart.from_dict(spec) if "mark" in spec else type(chart).from_dict(spec)
    assert again.to_dict() == spec
    assert json.loads(chart.to_json()) == spec
    return spec
