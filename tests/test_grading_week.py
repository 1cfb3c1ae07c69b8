"""The instructor guide's "A grading week", run command by command as written in the guide.

The commands are read from the guide's code blocks (so the page and the software cannot drift
apart) and run through the CLI in a temporary folder holding a Canvas-style download and a
roster; between them the test does what the instructor does (marks the CSV, adds a resubmission).
"""

from __future__ import annotations

import csv
import importlib.util
import re
import shlex
from pathlib import Path
from typing import Any

import pytest

from crmc.exercises.build import build_exercise
from crmc.exercises.cli import main as cli

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.slow


def guide_commands() -> list[list[str]]:
    text = (ROOT / "book" / "instructor-guide.md").read_text(encoding="utf-8")
    week = text.split("## A grading week", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```bash\n(.*?)```", week, flags=re.S)
    commands = []
    for block in blocks:
        for line in block.replace("\\\n", " ").splitlines():
            if line.strip():
                commands.append(shlex.split(line))
    return commands


def rows_of(path: Path) -> list[list[str]]:
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.reader(f))


def dicts_of(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _data_dir() -> Path | None:
    spec = importlib.util.spec_from_file_location(
        "crmc_week_recipes", ROOT / "tests" / "fixtures" / "submissions" / "recipes.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    result: Path | None = module.load().data_dir()
    return result


def test_a_grading_week_as_the_guide_says(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    commands = guide_commands()
    assert [c[:2] for c in commands] == [
        ["crmc-exercises", "grade"], ["crmc-exercises", "import-written"],
        ["crmc-exercises", "grade"], ["crmc-exercises", "report"],
        ["crmc-exercises", "export"], ["crmc-exercises", "export"]]
    products = build_exercise("part1-history", tmp_path / "build", data_dir=_data_dir(),
                              run_tests=False)
    monkeypatch.chdir(tmp_path)
    solved = products.solution_notebook.read_bytes()
    blank = products.student_notebook.read_bytes()
    week = tmp_path / "week1"
    week.mkdir()
    (week / "smithjane_12345_901_part1-history.ipynb").write_bytes(blank)
    (week / "haddadomar_LATE_12346_902_part1-history.ipynb").write_bytes(solved)
    (tmp_path / "roster.csv").write_text(
        "name,login,sis_id,email,canvas_id,section\n"
        "Jane Smith,jsmith,S100,jane@example.edu,12345,Seminar A\n"
        "Omar Haddad,ohaddad,S101,omar@example.edu,12346,Seminar B\n"
        "Li Wei,lwei,S102,li@example.edu,12347,Seminar A\n", encoding="utf-8")
    grades = tmp_path / "grades-part1"

    def run(command: list[str]) -> str:
        args = command[1:]
        if args[0] == "grade":
            args += ["--autograder", str(products.autograder_zip)]
        assert cli(args) == 0, capsys.readouterr().err
        captured = capsys.readouterr()
        return captured.out + captured.err

    summary = run(commands[0])  # Monday
    assert "no submission (1): lwei" in summary and "1/2" in summary
    rows = {r["student"]: r for r in dicts_of(grades / "gradebook.csv")}
    assert rows["ohaddad"]["late"] == "late (days unknown)"

    marked: list[dict[str, Any]] = list(dicts_of(grades / "written-answers.csv"))
    for row in marked:  # Tuesday: the instructor marks in a spreadsheet
        row["score"], row["comment"] = ("3", "Good use of the SIPRI series.")
    with open(grades / "written-answers.csv", "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(marked[0]))
        writer.writeheader()
        writer.writerows(marked)
    assert "imported 2 written mark(s)" in run(commands[1])

    (week / "smithjane_12345_903_part1-history.ipynb").write_bytes(solved)  # Wednesday
    run(commands[2])
    rows = {r["student"]: r for r in dicts_of(grades / "gradebook.csv")}
    assert rows["jsmith"]["file"] == "smithjane_12345_903_part1-history.ipynb"
    assert rows["jsmith"]["auto_points"] == "9"
    # the resubmission's written answer differs from the one marked on Tuesday: flagged
    assert "answer changed since it was marked" in rows["jsmith"]["incomplete"]
    assert rows["ohaddad"]["total"] == "12" and rows["ohaddad"]["complete"] == "yes"

    run(commands[3])  # Thursday
    html = (grades / "report.html").read_text(encoding="utf-8")
    assert "Share of the class failing each hidden test" in html and "Li Wei" in html
    assert len(list((grades / "feedback").iterdir())) == 3

    run(commands[4])  # Friday
    run(commands[5])
    canvas = rows_of(grades / "canvas-import.csv")
    assert canvas[0][-1] == "Exercise 1 (777)"
    assert canvas[3] == ["Haddad, Omar", "12346", "S101", "ohaddad", "Seminar B", "12"]
    moodle = rows_of(grades / "moodle-import.csv")
    assert moodle[0][4:] == ["Assignment: Exercise 1", "Feedback: Exercise 1"]
    assert moodle[2][:5] == ["Omar", "Haddad", "S101", "omar@example.edu", "12"]
