"""In a live notebook an explorer works, so it must not tell the student to go and launch one.

The static site says so in the banner it writes above each (disabled) explorer; the widgets
themselves carry no such note, because the release's notebooks show them live."""

from __future__ import annotations

import ipywidgets as widgets
import pytest

import crmc
from crmc import explorers


def _texts(widget: widgets.Widget) -> list[str]:
    found = [str(getattr(widget, "value", ""))] if isinstance(widget, widgets.HTML) else []
    for child in getattr(widget, "children", ()):
        found += _texts(child)
    return found


def _explorers() -> dict[str, widgets.Widget]:
    return {
        "imports": explorers.ImportsExplorer(crmc.page("intro").imports),
        "timeline": explorers.TimelineExplorer(crmc.page("part1").timeline, crmc.page("part1").yearly),
        "classification": explorers.ClassificationExplorer(
            crmc.page("part2").scored, start="bmd4-thales-imagers"
        ),
        "dependency": explorers.DependencyExplorer(crmc.page("part3").flows, start="JF-17 engine"),
        "whatif": explorers.WhatIfExplorer(),
    }


@pytest.mark.parametrize("name", ["imports", "timeline", "classification", "dependency", "whatif"])
def test_live_explorer_never_says_launch_elsewhere(name: str) -> None:
    texts = _texts(_explorers()[name])
    assert texts, "the explorer renders its result as HTML"
    joined = " ".join(texts).lower()
    for phrase in ("launch this page", "binder", "jupyterhub", "static page"):
        assert phrase not in joined, f"{name} explorer tells a live student: {phrase!r}"


def test_the_check_finds_a_launch_note() -> None:
    planted = widgets.VBox([widgets.HTML("<p>Launch this page in Binder</p>")])
    assert "launch this page" in " ".join(_texts(planted)).lower()


def test_dependency_sources_are_links() -> None:
    flows = crmc.page("part3").flows
    html_out = explorers.DependencyExplorer(flows, start="JF-17 engine").output.value
    sources = html_out.split('<ol class="crmc-sources">', 1)[1]
    assert sources.count('<a href="http') >= 2  # the JF-17 rows cite several web sources
    assert "http" not in sources.replace('href="http', ""), "a source URL is printed as text"
