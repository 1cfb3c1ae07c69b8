"""Pins of the vendored front-end bundles and their agreement with Altair."""

from __future__ import annotations

import json
from pathlib import Path

import altair as alt

MANIFEST_PATH = Path(__file__).with_name("vendor.json")
STATIC_DIR = Path(__file__).with_name("static")
VENDOR_DIR = STATIC_DIR / "crmc" / "vendor"


def vendor_subdir(package: str) -> str:
    """Folder name of a vendored npm package (``@scope/name`` → ``name``)."""
    return package.rsplit("/", 1)[-1]


def pinned_versions() -> dict[str, str]:
    """The npm package versions pinned in ``vendor.json``."""
    manifest = json.loads(MANIFEST_PATH.read_text())
    return {name: pin["version"] for name, pin in manifest["packages"].items()}


def pin_mismatches() -> list[str]:
    """Human-readable disagreements between the pins and the installed Altair.

    Vega-Lite must match Altair's schema version exactly (a spec is only valid for the
    compiler it was written for); Vega and vega-embed must match Altair's major versions.
    """
    pins = pinned_versions()
    problems: list[str] = []
    expected_vl = alt.SCHEMA_VERSION.lstrip("v")
    if pins.get("vega-lite") != expected_vl:
        problems.append(f"vega-lite pinned {pins.get('vega-lite')}, Altair needs {expected_vl}")
    for package, major in (("vega", alt.VEGA_VERSION), ("vega-embed", alt.VEGAEMBED_VERSION)):
        pinned = pins.get(package, "")
        if pinned.split(".")[0] != str(major).split(".")[0]:
            problems.append(f"{package} pinned {pinned}, Altair needs major {major}")
    return problems
