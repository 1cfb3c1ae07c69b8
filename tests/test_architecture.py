"""Arrows and configuration: the package finds the checkout from where it runs, never from where
it is installed; tools import the package, never the tests."""

from __future__ import annotations

import ast
import importlib.util
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from crmc.exercises import ProjectNotFoundError, default_build_dir, find_project

ROOT = Path(__file__).resolve().parents[1]
CLI = [sys.executable, "-m", "crmc.exercises.cli"]


def _project(tmp_path: Path) -> Path:
    """A checkout-shaped folder: _config.yml beside exercises/, with a (broken) autograder."""
    proj = tmp_path / "proj"
    zip_path = proj / "exercises" / "_build" / "part1-history" / "autograder"
    zip_path.mkdir(parents=True)
    (zip_path / "part1-history-autograder.zip").write_bytes(b"not a zip")
    (proj / "_config.yml").write_text("title: test\n")
    (proj / "book").mkdir()
    return proj


def _run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, *args], cwd=cwd, capture_output=True, text=True, timeout=120)


def test_find_project_walks_up_from_a_subfolder(tmp_path: Path) -> None:
    proj = _project(tmp_path)
    assert find_project(proj / "book") == proj.resolve()
    assert default_build_dir(proj) == proj / "exercises" / "_build"
    with pytest.raises(ProjectNotFoundError, match="--repo"):
        find_project(tmp_path)


def test_this_checkout_is_found_from_its_own_folders() -> None:
    assert find_project(ROOT / "book" / "exercises") == ROOT


def test_grade_outside_a_checkout_fails_clearly(tmp_path: Path) -> None:
    (tmp_path / "subs").mkdir()
    done = _run(["grade", "part1-history", "subs", "--out", "out"], cwd=tmp_path)
    assert done.returncode == 2
    assert "no module checkout at or above" in done.stderr
    assert "--repo DIR" in done.stderr
    assert not (tmp_path / "out").exists()


def test_grade_takes_the_autograder_of_the_checkout_it_runs_in(tmp_path: Path) -> None:
    proj = _project(tmp_path)
    (tmp_path / "subs").mkdir()
    done = _run(["grade", "part1-history", "../../subs", "--out", "../../out"], cwd=proj / "book")
    # The broken zip proves which one was opened: the checkout's, not the installed package's.
    expected = proj.resolve() / "exercises" / "_build" / "part1-history" / "autograder"
    assert done.returncode == 2, done.stderr
    assert f"cannot read the autograder {expected}" in done.stderr


def test_grade_and_build_take_repo_from_another_folder(tmp_path: Path) -> None:
    proj = _project(tmp_path)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (tmp_path / "subs").mkdir()
    graded = _run(["grade", "part1-history", "../subs", "--repo", str(proj)], cwd=elsewhere)
    assert graded.returncode == 2
    assert f"cannot read the autograder {proj / 'exercises' / '_build'}" in graded.stderr
    built = _run(["build", "part1-history", "--repo", str(proj), "--no-run-tests"], cwd=elsewhere)
    assert built.returncode == 2
    assert f"no master for exercise 'part1-history' at {proj / 'exercises'}" in built.stderr


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


@pytest.mark.parametrize(
    "path",
    sorted([*ROOT.glob("src/crmc/**/*.py"), *ROOT.glob("scripts/*.py"),
            *ROOT.glob("benchmarks/*.py")]),
    ids=lambda p: str(p.relative_to(ROOT)),
)
def test_package_tools_and_benchmarks_never_import_the_tests(path: Path) -> None:
    assert not {n for n in _imports(path) if n == "tests" or n.startswith("tests.")}


def test_the_package_never_derives_paths_from_its_own_location() -> None:
    found = []
    for path in sorted((ROOT / "src" / "crmc").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Subscript) and isinstance(node.value, ast.Attribute)
                    and node.value.attr == "parents"):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not found


def _report_module() -> Any:
    spec = importlib.util.spec_from_file_location(
        "architecture_report", ROOT / "scripts" / "architecture_report.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_no_colour_or_font_size_literal_outside_the_theme() -> None:
    assert _report_module().style_literals(ROOT / "src") == []


def test_the_literal_scan_finds_a_planted_colour_and_font_size(tmp_path: Path) -> None:
    charts = tmp_path / "crmc" / "charts"
    charts.mkdir(parents=True)
    (charts / "theme.py").write_text('INK = "#222222"\n')
    (charts / "bad.py").write_text(
        'import altair as alt\n'
        'mark = alt.Chart().mark_text(color="#12ab34", fontSize=9)\n'
        'axis = {"labelFontSize": 14}\n'
    )
    assert sorted(_report_module().style_literals(tmp_path)) == [
        "crmc/charts/bad.py:2: #12ab34",
        "crmc/charts/bad.py:2: fontSize=9",
        "crmc/charts/bad.py:3: labelFontSize=14",
    ]


def test_chart_functions_are_gallery_sized() -> None:
    lengths = _report_module().chart_function_lengths(ROOT / "src")
    assert len(lengths) == 12
    assert statistics.median(lengths) <= 40
    assert max(lengths) <= 80


def test_the_package_import_graph_has_no_cycle_and_no_wrong_way_arrow() -> None:
    # Function-level imports count: a cycle hidden inside a method is still a cycle.
    report = _report_module()
    arrows = report.package_edges(report.graph(ROOT / "src"))
    modules = {a for a, _ in arrows} | {b for _, b in arrows}
    assert report.cycles({m: {b for a, b in arrows if a == m} for m in modules}) == []
    wrong = [
        (a, b)
        for a, b in arrows
        if (a.startswith("crmc.explorers") and b.startswith("crmc.charts"))
        or (a.startswith("crmc.sphinxext") and b.startswith(("crmc.charts", "crmc.data")))
    ]
    assert wrong == []


def test_the_cycle_scan_finds_a_cycle_through_a_function_level_import(tmp_path: Path) -> None:
    pages = tmp_path / "crmc" / "pages"
    pages.mkdir(parents=True)
    (tmp_path / "crmc" / "__init__.py").write_text("")
    (pages / "__init__.py").write_text("")
    (pages / "base.py").write_text("def check():\n    from crmc.pages.extra import more\n")
    (pages / "extra.py").write_text("from crmc.pages.base import check\n")
    report = _report_module()
    arrows = report.package_edges(report.graph(tmp_path))
    modules = {a for a, _ in arrows} | {b for _, b in arrows}
    found = report.cycles({m: {b for a, b in arrows if a == m} for m in modules})
    assert found == [["crmc.pages.base", "crmc.pages.extra"]]
