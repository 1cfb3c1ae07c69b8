"""The site extension's static-site pieces: icon subset, static explorers, search splitter."""

from __future__ import annotations

import html
import json
import re
import subprocess
from pathlib import Path

import pytest

from crmc.sphinxext import widgets_static
from crmc.sphinxext.icons import (
    ICONS,
    SUBSET_DIR,
    extract_icons,
    icon_names_in,
    subset_css,
    theme_fontawesome_js,
)
from crmc.sphinxext.search import JS_SPLITTER, CompoundAwareEnglish, glued_compounds
from crmc.sphinxext.vegalite import chart_html, reserved_height

NAMES = "The S-400 and S-300, Su-27 kits, the RD-93 engine, the J-11B and Buyan-M corvettes"


def test_hyphenated_names_are_indexed_glued_and_as_words() -> None:
    words = CompoundAwareEnglish({}).split(NAMES)
    for glued in ("S400", "S300", "Su27", "RD93", "J11B", "BuyanM"):
        assert glued in words
    assert "Buyan" in words and "corvettes" in words
    assert glued_compounds("1992–2013 and 2014-2018") == ["20142018"]  # en dash: a range


def test_the_search_page_splits_a_query_as_the_index_does() -> None:
    script = JS_SPLITTER + "\nconsole.log(JSON.stringify(splitQuery(process.argv[1])));"
    result = subprocess.run(
        ["node", "-e", script, "S-400 s400 J-11B Buyan-M Peace Mission"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(result.stdout) == ["S400", "s400", "J11B", "BuyanM", "Peace", "Mission"]


def test_the_icon_subset_is_current_with_the_theme(tmp_path: Path) -> None:
    found = extract_icons(theme_fontawesome_js().read_text(), ICONS)
    assert (SUBSET_DIR / "icons.css").read_text() == subset_css(found)
    assert "CC BY 4.0" in (SUBSET_DIR / "LICENSE.txt").read_text()


def test_every_icon_a_page_uses_is_in_the_subset(site_dir: Path) -> None:
    subset = {name for names in ICONS.values() for name in names}
    used: set[str] = set()
    for page in site_dir.rglob("*.html"):
        if "_static" in page.parts:  # the theme's template sources, copied as static files
            continue
        text = page.read_text()
        assert "fontawesome.js" not in text, f"{page.name} still loads the all-icons script"
        used |= {n for n in icon_names_in(" ".join(re.findall(r'class="([^"]*)"', text)))}
    for script in (site_dir / "_static" / "scripts").glob("*theme.js"):
        used |= icon_names_in(" ".join(re.findall(r'"(fa-[a-z0-9-]+)"', script.read_text())))
    assert used - subset == set()


def test_no_page_loads_the_widgets_bundle_and_explorers_are_static(site_dir: Path) -> None:
    for page in site_dir.rglob("*.html"):
        if "_static" in page.parts:
            continue
        text = page.read_text()
        assert "html-manager/embed.js" not in text and widgets_static.VIEW_MIME not in text


STATE = {
    "state": {
        "box": {
            "model_name": "VBoxModel",
            "state": {"children": ["IPY_MODEL_menu", "IPY_MODEL_out", "IPY_MODEL_t"]},
        },
        "menu": {
            "model_name": "DropdownModel",
            "state": {"description": "Period", "_options_labels": ["1990s", "2000s"], "index": 1},
        },
        "t": {
            "model_name": "ToggleButtonsModel",
            "state": {"description": "Transfer", "_options_labels": ["yes", "no"], "index": 0},
        },
        "out": {"model_name": "HTMLModel", "state": {"value": "<p>Summary</p>"}},
        "odd": {"model_name": "ColorPickerModel", "state": {}},
    }
}


def _view(model: str) -> str:
    return f'<script type="{widgets_static.VIEW_MIME}">{{"model_id": "{model}"}}</script>'


def test_a_saved_explorer_becomes_disabled_html_with_the_reason_on_top() -> None:
    page = widgets_static.render_views(
        _view("box"), json.dumps(STATE), "https://binder.example/x", "p"
    )
    assert page.startswith('<div class="crmc-static-explorer"')
    assert page.index("crmc-explorer-banner") < page.index("<select")
    assert (
        'href="https://binder.example/x"' in page
        and html.escape(widgets_static.BANNER_REASON) in page
    )
    assert "<option selected>2000s</option>" in page and "<p>Summary</p>" in page
    # The menu and both toggle buttons, each disabled.
    assert len(re.findall(r"<(?:select|button|input)[^>]* disabled", page)) == 3
    assert 'aria-pressed="true" class="crmc-widget-selected">yes' in page


def test_an_unknown_widget_fails_the_build_instead_of_vanishing() -> None:
    with pytest.raises(widgets_static.UnsupportedWidgetError, match="ColorPickerModel"):
        widgets_static.render_views(_view("odd"), json.dumps(STATE), None, "p")


def test_a_chart_reserves_its_height_and_says_it_is_loading() -> None:
    spec = {"title": {"text": "T", "subtitle": ["a", "b"]}, "height": 300, "mark": "bar"}
    page = chart_html(spec, "c1")
    assert f"min-height:{reserved_height(spec)}px" in page and "Loading chart…" in page
    assert reserved_height(spec) > 300
    stacked = {"vconcat": [{"height": 200}, {"height": 200}]}
    assert reserved_height(stacked) > 400
