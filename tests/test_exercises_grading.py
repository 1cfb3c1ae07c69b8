"""Build every exercise and grade the bad-input fixtures: each gets its stated verdict.

One module-scoped build of the four exercises and one grading batch per exercise (slow: about a
minute on two cores). The fixtures and their verdicts: tests/fixtures/submissions/recipes.py.
"""

from __future__ import annotations

import csv
import hashlib
import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from crmc.exercises import EXERCISES
from crmc.exercises.build import Products, build_all
from crmc.exercises.cli import main as cli_main
from crmc.exercises.grade import grade_class
from crmc.exercises.sandbox import Limits, detect_cgroup

FIXTURES = Path(__file__).parent / "fixtures"
pytestmark = pytest.mark.slow


def _recipes() -> Any:
    spec = importlib.util.spec_from_file_location(
        "crmc_test_recipes_loader", FIXTURES / "submissions" / "recipes.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.load()


def data_dir() -> Path | None:
    result: Path | None = _recipes().data_dir()
    return result


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Products]:
    out = tmp_path_factory.mktemp("build")
    return {p.name: p for p in build_all(None, out, data_dir=data_dir())}


def _snapshot(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _sleepers(marker: str) -> list[str]:
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmd = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            except OSError:
                continue
            if marker in cmd and "sleep" in cmd:
                out.append(cmd)
    return out


@pytest.fixture(scope="module", params=EXERCISES)
def graded(request: pytest.FixtureRequest, built: dict[str, Products],
           tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    name = request.param
    products = built[name]
    other = built[EXERCISES[(EXERCISES.index(name) + 1) % len(EXERCISES)]]
    subs = tmp_path_factory.mktemp(f"subs-{name}")
    manifest = json.loads(products.manifest.read_text(encoding="utf-8"))
    recipes = _recipes()
    expected = recipes.materialise(subs, products.student_notebook, products.solution_notebook,
                                   other.student_notebook, manifest)
    before = _snapshot(subs)
    mtimes = {p: os.stat(subs / p).st_mtime for p in before}
    marker = Path("/tmp/crmc-tamper-marker")
    marker_before = marker.stat().st_mtime if marker.exists() else None
    out = tmp_path_factory.mktemp(f"grades-{name}")
    result = grade_class(products.autograder_zip, subs, out, limits=Limits(timeout_s=8),
                         known=EXERCISES)
    return {
        "name": name, "expected": expected, "result": result, "subs": subs, "out": out,
        "before": before, "after": _snapshot(subs), "mtimes": mtimes,
        "mtimes_after": {p: os.stat(subs / p).st_mtime for p in before},
        "work_left": result.work_dir.exists(),
        "marker_same": (marker.stat().st_mtime if marker.exists() else None) == marker_before,
        "sleepers": _sleepers(recipes.SLEEP_MARKER), "manifest": manifest,
    }


def test_every_fixture_gets_its_verdict(graded: dict[str, Any]) -> None:
    rows = {row.file: row for row in graded["result"].rows}
    assert set(rows) == set(graded["expected"])
    for file, (status, score, message) in graded["expected"].items():
        row = rows[file]
        assert row.status == status, f"{file}: {row.status} ({row.message})"
        if score is not None:
            assert row.total == pytest.approx(score), f"{file}: {row.total} ({row.message})"
        assert message in row.message, f"{file}: {row.message!r} lacks {message!r}"


def test_solution_full_marks_and_untouched_zero(graded: dict[str, Any]) -> None:
    rows = {row.file: row for row in graded["result"].rows}
    possible = graded["result"].exercise.possible
    assert rows["solution.ipynb"].total == pytest.approx(possible) and possible > 0
    assert rows["untouched.ipynb"].total == 0


def test_tampering_gains_nothing(graded: dict[str, Any]) -> None:
    auto = [q for q in graded["manifest"]["questions"] if q["kind"] == "auto"]
    row = next(r for r in graded["result"].rows if r.file == "tamper.ipynb")
    assert row.total <= auto[0]["points"]
    assert graded["marker_same"], "the tampering notebook wrote outside its folder"
    # the sandbox, and which limits held memory and processes on this machine
    assert row.isolation == f"bubblewrap+{detect_cgroup().kind}" and "UNSAFE" not in row.message


def test_submissions_never_modified(graded: dict[str, Any]) -> None:
    assert graded["before"] == graded["after"]
    assert graded["mtimes"] == graded["mtimes_after"]


def test_no_process_or_temp_file_left(graded: dict[str, Any]) -> None:
    assert graded["sleepers"] == []
    assert not graded["work_left"], "the grader's temporary folder was not removed"


def test_outputs_written(graded: dict[str, Any]) -> None:
    out: Path = graded["out"]
    with open(out / "gradebook.csv", encoding="utf-8") as f:
        table = list(csv.DictReader(f))
    assert {"student", "file", "total", "percent", "status", "message"} <= set(table[0])
    assert len(table) == len(graded["expected"])
    feedback = (out / "feedback" / "exception.ipynb.md").read_text(encoding="utf-8")
    assert "First error in your notebook" in feedback and "RuntimeError" in feedback
    manual = [q["name"] for q in graded["manifest"]["questions"] if q["kind"] == "manual"]
    written = (out / "written-answers.md").read_text(encoding="utf-8")
    assert manual and all(f"## {q}" in written for q in manual)
    assert "Model answer" in written  # the solution's written answer is collected


def test_cli_empty_folder_and_missing_folder(built: dict[str, Products], tmp_path: Path) -> None:
    zip_path = str(built["part1-history"].autograder_zip)
    empty = tmp_path / "empty"
    empty.mkdir()
    out = tmp_path / "out"
    assert cli_main(["grade", "part1-history", str(empty), "--autograder", zip_path,
                     "--out", str(out)]) == 1
    assert (out / "gradebook.csv").read_text(encoding="utf-8").startswith("student,file,")
    assert cli_main(["grade", "part1-history", str(tmp_path / "nowhere"), "--autograder",
                     zip_path, "--out", str(out)]) == 2


def test_cli_grades_with_console_script(built: dict[str, Products], tmp_path: Path) -> None:
    subs = tmp_path / "subs"
    subs.mkdir()
    (subs / "ana.ipynb").write_bytes(built["part1-history"].solution_notebook.read_bytes())
    proc = subprocess.run(
        [sys.executable, "-m", "crmc.exercises.cli", "grade", "part1-history", str(subs),
         "--autograder", str(built["part1-history"].autograder_zip), "--out", str(tmp_path / "o")],
        capture_output=True, text=True, check=False,
    )
    assert proc.returncode == 0, proc.stderr
    with open(tmp_path / "o" / "gradebook.csv", encoding="utf-8") as f:
        (row,) = list(csv.DictReader(f))
    auto = sum(q["points"] for q in json.loads(built["part1-history"].manifest.read_text(
        encoding="utf-8"))["questions"] if q["kind"] == "auto")
    assert row["status"] == "graded" and float(row["auto_points"]) == auto


def test_autograder_zip_is_self_contained(built: dict[str, Products]) -> None:
    import zipfile

    from crmc.exercises import DATASETS

    for name, products in built.items():
        names = zipfile.ZipFile(products.autograder_zip).namelist()
        for dataset in DATASETS[name]:
            assert f"files/data/{dataset}.csv" in names
        assert "run_autograder" in names and "environment.yml" in names
        env = zipfile.ZipFile(products.autograder_zip).read("environment.yml").decode()
        assert "pandas==" in env
