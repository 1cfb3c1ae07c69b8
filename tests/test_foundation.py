"""The site foundation: vendored bundles, the chart renderer, the theme, the environment."""

from __future__ import annotations

import json
import re
from pathlib import Path
from types import SimpleNamespace

import altair as alt
import pandas as pd
import pytest

import crmc
from crmc.charts.render import CHART_MIME_TYPE, chart_bundle
from crmc.charts.theme import OKABE_ITO, THEME_NAME
from crmc.sphinxext import CHART_SCRIPTS, WIDGETS_SCRIPT
from crmc.sphinxext.vegalite import VegaLiteMimeRenderer, chart_html
from crmc.sphinxext.vendor import (
    STATIC_DIR,
    VENDOR_DIR,
    pin_mismatches,
    pinned_versions,
    vendor_subdir,
)

ROOT = Path(__file__).resolve().parents[1]


def test_vendored_pins_match_altair() -> None:
    assert pin_mismatches() == []


@pytest.mark.parametrize("package", sorted(pinned_versions()))
def test_each_vendored_package_has_its_files_version_and_licence(package: str) -> None:
    folder = VENDOR_DIR / vendor_subdir(package)
    assert (folder / "LICENSE").stat().st_size > 0
    recorded = (folder / "VERSION").read_text().splitlines()[0]
    assert recorded == f"{package}@{pinned_versions()[package]}"


@pytest.mark.parametrize("script", [*CHART_SCRIPTS, WIDGETS_SCRIPT])
def test_every_script_the_site_loads_is_shipped(script: str) -> None:
    assert (STATIC_DIR / script).is_file()


def test_vendored_bundles_name_no_cdn_they_would_load_from() -> None:
    # vega-embed's "open in editor" link is disabled (actions: false); the chart bundles
    # must not pull further scripts from a CDN on their own.
    for script in CHART_SCRIPTS:
        text = (STATIC_DIR / script).read_text(errors="replace")
        assert "cdn.jsdelivr.net/npm/vega@" not in text


def test_binder_uses_exactly_the_build_pins() -> None:
    text = (ROOT / "binder" / "requirements.txt").read_text().splitlines()
    lines = [line.strip() for line in text if line.strip() and not line.startswith("#")]
    # Binder reads only binder/ when it exists: it must include the build's file and nothing else.
    assert lines == ["-r ../requirements.txt"]
    overrides = json.loads((ROOT / "binder" / "overrides.json").read_text())
    viewers = overrides["@jupyterlab/docmanager-extension:plugin"]["defaultViewers"]
    assert viewers["markdown"] == "Jupytext Notebook"


def test_requirements_pin_every_package() -> None:
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        line = line.strip()
        if line and not line.startswith(("#", "-e")):
            assert re.fullmatch(r"[A-Za-z0-9_.\-\[\]]+==[0-9][^\s]*", line), line
    assert "jupyter-book==1." in (ROOT / "requirements.txt").read_text()


def _chart() -> alt.Chart:
    data = pd.DataFrame({"x": [1, 2], "y": [3, 4]})
    return (
        alt.Chart(data, description="Two points.")
        .mark_point()
        .encode(x="x", y="y")
        .properties(title="Test chart")
    )


def test_renderer_emits_spec_html_and_text() -> None:
    crmc.setup_notebook()
    bundle = _chart()._repr_mimebundle_()
    bundle = bundle[0] if isinstance(bundle, tuple) else bundle
    assert bundle[CHART_MIME_TYPE]["description"] == "Two points."
    assert "vegaEmbed" in bundle["text/html"]
    assert bundle["text/plain"].startswith("Chart: Test chart.")


def test_chart_bundle_is_valid_nbformat_output() -> None:
    import nbformat

    output = nbformat.v4.new_output("display_data", data=chart_bundle(_chart().to_dict()))
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x", outputs=[output])])
    nbformat.validate(nb)


def test_theme_is_colour_blind_safe_and_registered() -> None:
    crmc.setup_notebook()
    assert alt.theme.active == THEME_NAME
    config = _chart().to_dict()["config"]
    assert config["range"]["category"] == OKABE_ITO
    assert config["mark"]["color"] == OKABE_ITO[0]


def test_chart_html_escapes_the_spec_and_carries_the_text_alternative() -> None:
    spec = {"description": 'A "quoted" <b>description</b>', "title": "</script><script>alert(1)"}
    page = chart_html(spec, "c1")
    assert "</script><script>alert" not in page
    assert (
        json.loads(
            re.search(r'crmc-vega-spec">(.*?)</script>', page).group(1).replace("<\\/", "</")
        )
        == spec
    )
    assert 'aria-label="A &quot;quoted&quot; &lt;b&gt;description&lt;/b&gt;"' in page
    assert "Text description of the chart" in page


def test_mime_plugin_renders_only_its_own_type() -> None:
    spec = _chart().to_dict()
    mine = SimpleNamespace(mime_type=CHART_MIME_TYPE, content=spec, cell_index=3, output_index=0)
    other = SimpleNamespace(mime_type="text/html", content="<p>", cell_index=3, output_index=1)
    nodes = VegaLiteMimeRenderer.handle_mime(None, mine, inline=False)
    assert nodes is not None and 'id="crmc-chart-3-0"' in nodes[0].astext()
    assert VegaLiteMimeRenderer.handle_mime(None, other, inline=False) is None
    assert VegaLiteMimeRenderer.handle_mime(None, mine, inline=True) is None
