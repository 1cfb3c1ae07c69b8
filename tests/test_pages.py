"""Book pages hold prose: one hidden setup cell, one-line visible cells, every quoted fact
computed in :mod:`crmc.pages` and checked here against the data, the page source linted."""

from __future__ import annotations

import ast
import re
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

import jupytext
import pytest

from crmc import data, derived, pages, tables
from crmc.pages.base import Page

ROOT = Path(__file__).resolve().parents[1]

PAGE_FILES: dict[pages.PageName, str] = {
    "intro": "book/intro.md",
    "part1": "book/part1-history.md",
    "part2": "book/part2-normal-vs-wartime.md",
    "part3": "book/part3-interdependence.md",
    "part4": "book/part4-risks.md",
    "epilogue": "book/epilogue.md",
    "data_sources": "book/data-sources.md",
}
BOOK_PAGES = sorted(
    str(p.relative_to(ROOT))
    for p in (ROOT / "book").glob("*.md")
    if p.read_text(encoding="utf-8").startswith("---\njupytext:")  # executed MyST notebooks
)


def code_cells(path: str) -> list[tuple[bool, str]]:
    """(hidden, source) of every code cell of a page, as jupytext reads it."""
    notebook = jupytext.read(ROOT / path)
    cells = []
    for cell in notebook.cells:
        if cell.cell_type == "code":
            tags = cell.metadata.get("tags", [])
            cells.append(("remove-cell" in tags, str(cell.source)))
    return cells


@pytest.fixture(scope="module")
def built() -> dict[str, Page]:
    return {name: pages.build(name) for name in pages.PAGES}


def test_every_page_with_code_has_a_facts_module() -> None:
    with_code = {p for p in BOOK_PAGES if code_cells(p)}
    assert with_code == set(PAGE_FILES.values())
    assert set(PAGE_FILES) == set(pages.PAGES)


@pytest.mark.parametrize("path", BOOK_PAGES)
def test_page_has_at_most_one_hidden_cell(path: str) -> None:
    hidden = [source for is_hidden, source in code_cells(path) if is_hidden]
    assert len(hidden) <= 1, f"{path} has {len(hidden)} hidden cells"


@pytest.mark.parametrize(("name", "path"), PAGE_FILES.items())
def test_the_hidden_cell_is_the_one_setup_call(name: str, path: str) -> None:
    cells = code_cells(path)
    hidden = [source for is_hidden, source in cells if is_hidden]
    assert cells[0][0], f"{path}: the setup cell comes first"
    assert hidden[0].strip().endswith(f'page = crmc.page("{name}")')
    assert len(hidden[0].strip().splitlines()) <= 4


@pytest.mark.parametrize("path", BOOK_PAGES)
def test_page_cells_hold_no_logic(path: str) -> None:
    """No loop, function, class, comprehension, pandas selection or HTML in a page cell."""
    for _, source in code_cells(path):
        tree = ast.parse(source)
        for node in ast.walk(tree):
            assert not isinstance(
                node,
                ast.For | ast.While | ast.FunctionDef | ast.Lambda | ast.ClassDef
                | ast.ListComp | ast.DictComp | ast.SetComp | ast.GeneratorExp,
            ), f"{path}: {ast.unparse(node)[:60]!r}"
            assert not isinstance(node, ast.Subscript), f"{path}: selection {ast.unparse(node)!r}"
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                assert "<" not in node.value, f"{path}: HTML in a cell: {node.value[:40]!r}"


def test_visible_cells_are_short() -> None:
    lengths = [
        len([line for line in source.splitlines() if line.strip()])
        for path in BOOK_PAGES
        for hidden, source in code_cells(path)
        if not hidden
    ]
    assert lengths, "no visible code cells found"
    assert statistics.median(lengths) <= 3
    assert max(lengths) <= 12


def test_pages_pass_the_linter(tmp_path: Path) -> None:
    """Each page's code, converted by jupytext to a notebook, passes ruff (which reads
    notebooks natively) with the project's rules."""
    for path in BOOK_PAGES:
        notebook = tmp_path / (Path(path).stem.replace("-", "_") + ".ipynb")
        jupytext.write(jupytext.read(ROOT / path), notebook)
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--no-cache", "--config",
         str(ROOT / "pyproject.toml"), str(tmp_path)],
        capture_output=True, text=True, check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_linter_catches_a_bad_page(tmp_path: Path) -> None:
    """The lint step can fail: an unused import in a page is reported."""
    bad = tmp_path / "bad.md"
    bad.write_text(
        "---\njupytext:\n  text_representation: {extension: .md, format_name: myst}\n"
        "kernelspec: {display_name: Python 3, language: python, name: python3}\n---\n\n"
        "```{code-cell} ipython3\nimport os\n1 + 1\n```\n",
        encoding="utf-8",
    )
    script = tmp_path / "bad.ipynb"
    jupytext.write(jupytext.read(bad), script)
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--no-cache", str(script)],
        capture_output=True, text=True, check=False,
    )
    assert result.returncode != 0 and "F401" in result.stdout


GLUE_REFERENCE = re.compile(r"\{glue:text\}`([^`]+)`|```\{glue:\}\s+(\S+)")


@pytest.mark.parametrize(("name", "path"), PAGE_FILES.items())
def test_every_glue_reference_has_a_fact(name: str, path: str, built: dict[str, Page]) -> None:
    text = (ROOT / path).read_text(encoding="utf-8")
    referenced = {a or b for a, b in GLUE_REFERENCE.findall(text)}
    page = built[name]
    provided = set(page.facts) | set(page.blocks)
    assert referenced - provided == set(), f"{path} quotes facts its page module lacks"
    assert set(page.blocks) <= referenced, "a block is built but never placed"


def test_page_names_are_checked() -> None:
    with pytest.raises(KeyError, match="unknown page 'part9'"):
        pages.build("part9")  # type: ignore[arg-type]


def test_show_names_a_missing_table(built: dict[str, Page]) -> None:
    with pytest.raises(KeyError, match="no table 'nope'"):
        built["part1"].show("nope")
    with pytest.raises(AttributeError, match="no frame 'nope'"):
        _ = built["part1"].nope
    assert "<table" in built["part1"].show("key_systems").data


# ---------------------------------------------------------------- facts against the data
def test_part1_facts(built: dict[str, Page]) -> None:
    facts = built["part1"].facts
    timeline = data.load_timeline()
    yearly = derived.russia_china_yearly()
    assert facts["n_events"] == len(timeline)
    assert facts["when_treaty"] == "16 July 2001"
    assert facts["peak_years"] == "1999–2006"
    assert facts["n_phases"] == len(tables.phases_frame())
    in_window = yearly[yearly["year"].between(1989, 2023)]
    peak = in_window.sort_values("russia_to_china_tiv", ascending=False).iloc[0]
    assert facts["peak_year"] == int(peak["year"])
    register = data.load_sipri_register()
    su27 = register[(register["designation"] == "Su-27S") & (register["recipient"] == "China")]
    assert facts["su27_delivered"] == int(su27["number_delivered"].sum())
    since = register[register["order_year"] >= 1992]
    russian = since[(since["supplier"] == "Russia") & (since["recipient"] == "China")]
    assert facts["deals_russia"] == len(russian)
    assert facts["cmp_first"].startswith("1992")  # type: ignore[union-attr]


def test_part2_facts(built: dict[str, Page]) -> None:
    facts = built["part2"].facts
    register = data.load_sipri_register()
    from_china = register[register["supplier"] == "China"]
    assert facts["deals_to_russia"] == len(from_china)
    assert facts["embargo_date"] == "31 July 2014"
    assert facts["n_cases"] == len(data.load_cases())
    assert float(str(facts["pos_min"])) <= float(str(facts["pos_max"]))


def test_part3_facts(built: dict[str, Page]) -> None:
    facts = built["part3"].facts
    flows = data.load_flows()
    assert facts["n_flows"] == len(flows)
    assert facts["n_c2r"] == int((flows["supplier"] == "China").sum())
    assert facts["n_r2c"] + facts["n_c2r"] == facts["n_flows"]  # type: ignore[operator]
    assert facts["n_caps"] == len(data.load_capabilities())
    assert "<dt>Turbofan</dt>" in built["part3"].blocks["key_terms"]


def test_part4_facts(built: dict[str, Page]) -> None:
    facts = built["part4"].facts
    assert facts["n_cells"] == 9
    assert facts["n_statements"] == len(data.load_implications())
    assert facts["when_invasion"] == "24 February 2022"
    assert float(str(facts["nds_age"])) == pytest.approx(3.5, abs=0.1)


def test_epilogue_and_data_sources_facts(built: dict[str, Page]) -> None:
    timeline = data.load_timeline()
    later = timeline[timeline["after_interview"].astype(bool)]
    assert built["epilogue"].facts["n_later"] == len(later)
    assert built["data_sources"].facts["n_glossary"] == len(data.load_glossary())
    imports = data.load_sipri_imports()
    china = imports[(imports["recipient"] == "China") & imports["year"].between(1990, 2024)]
    peak = china.sort_values("tiv", ascending=False).iloc[0]
    assert built["intro"].facts["peak_year"] == int(peak["year"])


def test_facts_read_another_data_directory(tmp_path: Path) -> None:
    """A page built from a copy of the data with one date changed quotes the new date."""
    source = Path(str(data.dataset_path("timeline"))).parent
    shutil.copytree(source, tmp_path / "data", ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    timeline = tmp_path / "data" / "timeline.csv"
    text = timeline.read_text(encoding="utf-8")
    assert "2001-07-16-friendship-treaty,2001-07-16," in text
    edited = text.replace("2001-07-16-friendship-treaty,2001-07-16,",
                          "2001-07-16-friendship-treaty,2001-07-17,", 1)
    timeline.write_text(edited, encoding="utf-8")
    assert pages.facts("part1", tmp_path / "data")["when_treaty"] == "17 July 2001"
    assert pages.facts("part1")["when_treaty"] == "16 July 2001"
