"""Which question assesses which page objective: the map in the exercises index, generated.

Each part page (``book/part<N>-*.md``) lists its learning objectives under "Learning
objectives", each item starting with its id in bold (``- **P1.2** **describe** …``). Each
question of an exercise master names the objectives it assesses in its heading
(``**Question 3 (data, 2 points; objective P1.3).**`` or ``objectives P1.4 and P3.1``). This
module reads both and

- :func:`check` lists every problem: an objective no question assesses, a question naming an
  objective no page states, a question naming none, an id stated twice;
- :func:`markdown` renders the exercises summary and the objectives map as MyST Markdown, which
  ``crmc-exercises build --book-dir`` writes to :data:`MAP_FILE` beside the exercise pages and
  the index page includes.

Nothing here imports pandas or runs a notebook: it reads text only, so it is fast enough to run
on every build.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import jupytext

from . import EXERCISES, find_project
from .build import parse_master

__all__ = [
    "MAP_FILE",
    "Assessment",
    "Objective",
    "ObjectivesError",
    "assessments",
    "check",
    "markdown",
    "objective_rows",
    "page_objectives",
    "write_map",
]

MAP_FILE = "objectives-map.txt"
"""The generated fragment (not a page of its own: Sphinx reads ``.md`` files as pages)."""

OBJECTIVE_ID = r"P\d+\.\d+"
_ITEM = re.compile(rf"^- \*\*({OBJECTIVE_ID})\*\* (.+)$")
_HEADING = re.compile(r"^## Learning objectives\s*$")
_PART = re.compile(r"^part(\d+)-")


class ObjectivesError(ValueError):
    """The objectives map is incomplete or names objectives that do not exist."""


@dataclass(frozen=True)
class Objective:
    """One learning objective of a part page."""

    id: str
    page: str
    """The page's stem, e.g. ``part1-history``."""
    text: str
    """The objective as the page states it (MyST Markdown, continuation lines joined)."""


@dataclass(frozen=True)
class Assessment:
    """One question of one exercise and the objectives it names."""

    exercise: str
    exercise_number: int
    question: str
    type: str
    points: float
    objectives: tuple[str, ...]


def page_objectives(book_dir: Path | None = None) -> dict[str, Objective]:
    """Every objective of every part page, by id, in page order.

    Raises :class:`ObjectivesError` if an id appears twice or a page's objectives list holds
    an item without an id.
    """
    book = book_dir or find_project() / "book"
    found: dict[str, Objective] = {}
    problems: list[str] = []
    for path in sorted(book.glob("part*-*.md"), key=lambda p: _part_number(p.stem)):
        items: list[list[str]] = []
        in_list = False
        for line in path.read_text(encoding="utf-8").splitlines():
            if _HEADING.match(line):
                in_list = True
                continue
            if not in_list:
                continue
            if line.startswith("## "):
                break
            if line.startswith("- "):
                items.append([line])
            elif line.startswith("  ") and items:
                items[-1].append(line.strip())
        for item in items:
            text = " ".join(item)
            match = _ITEM.match(text)
            if not match:
                problems.append(f"{path.name}: objective without an id: {text[:60]!r}")
                continue
            oid, label = match.groups()
            if oid in found:
                problems.append(f"{path.name}: objective {oid} stated twice")
            found[oid] = Objective(oid, path.stem, label.strip().rstrip(";."))
    if problems:
        raise ObjectivesError("; ".join(problems))
    return found


def _part_number(stem: str) -> int:
    match = _PART.match(stem)
    return int(match.group(1)) if match else 0


def _question_points(cells: list[object]) -> dict[str, float]:
    """Points per question from the master: manual points, or the sum of its tests' points."""
    points: dict[str, float] = {}
    current: str | None = None
    for cell in cells:
        text = str(getattr(cell, "source", ""))
        kind = getattr(cell, "cell_type", "")
        if kind == "raw" and text.lstrip().startswith("# BEGIN QUESTION"):
            name = re.search(r"^name: *(\S+)", text, flags=re.M)
            manual = re.search(r"^points: *([\d.]+)", text, flags=re.M)
            current = name.group(1) if name else None
            if current is not None:
                points[current] = float(manual.group(1)) if manual else 0.0
        elif kind == "code" and current is not None and "BEGIN TEST CONFIG" in text:
            test_points = re.search(r"^points: *([\d.]+)", text, flags=re.M)
            if test_points:
                points[current] += float(test_points.group(1))
    return points


def assessments(exercises_dir: Path | None = None) -> list[Assessment]:
    """Every question of every master, in exercise and question order."""
    folder = exercises_dir or find_project() / "exercises"
    found: list[Assessment] = []
    for number, name in enumerate(EXERCISES, start=1):
        nb = jupytext.read(folder / f"{name}.md")
        parsed = parse_master(nb)
        points = _question_points(list(nb.cells))
        for q in parsed["questions"]:
            found.append(Assessment(name, number, q["name"], q["type"],
                                    points.get(q["name"], 0.0), tuple(q["objectives"])))
    return found


def _titles(exercises_dir: Path | None = None) -> dict[str, str]:
    """Each master's title without its "(part N)" tail."""
    folder = exercises_dir or find_project() / "exercises"
    titles = {}
    for name in EXERCISES:
        title = parse_master(jupytext.read(folder / f"{name}.md"))["title"]
        titles[name] = re.sub(r"\s*\(part \d+\)$", "", title)
    return titles


def check(objectives: dict[str, Objective], questions: list[Assessment]) -> list[str]:
    """Every problem of the map, as sentences; empty when every objective is assessed."""
    problems = []
    for q in questions:
        where = f"exercise {q.exercise_number} {q.question}"
        if not q.objectives:
            problems.append(f"{where} names no objective")
        for oid in q.objectives:
            if oid not in objectives:
                problems.append(f"{where} names objective {oid}, which no part page states")
    assessed = {oid for q in questions for oid in q.objectives}
    for oid, objective in objectives.items():
        if oid not in assessed:
            problems.append(f"objective {oid} ({objective.page}) is assessed by no question")
    return problems


def _points(value: float) -> str:
    return f"{value:g} pt"


def objective_rows(
    objectives: dict[str, Objective], questions: list[Assessment]
) -> list[tuple[str, str, str]]:
    """The map's rows: (objective id, objective text, the questions that assess it)."""
    rows = []
    for oid, objective in objectives.items():
        assessed_by = [
            f"Ex {q.exercise_number} {q.question} ({q.type}, {_points(q.points)})"
            for q in questions if oid in q.objectives
        ]
        rows.append((oid, objective.text, "; ".join(assessed_by)))
    return rows


def markdown(book_dir: Path | None = None, exercises_dir: Path | None = None) -> str:
    """The summary table and the objectives map, as MyST Markdown.

    Raises :class:`ObjectivesError` listing every problem of :func:`check`, so an objective
    without a question fails the build.
    """
    objectives = page_objectives(book_dir)
    questions = assessments(exercises_dir)
    problems = check(objectives, questions)
    if problems:
        raise ObjectivesError("the objectives map is incomplete:\n  " + "\n  ".join(problems))
    lines = [
        "| exercise | part | questions | automatic points | written points |",
        "| --- | --- | --- | --- | --- |",
    ]
    for number, name in enumerate(EXERCISES, start=1):
        own = [q for q in questions if q.exercise == name]
        auto = sum(q.points for q in own if q.type != "written")
        written = sum(q.points for q in own if q.type == "written")
        title = _titles(exercises_dir).get(name, f"Exercise {number}")
        lines.append(f"| [{title}]({name}) | {number} | {len(own)} | {auto:g} | {written:g} |")
    lines += [
        "",
        "| objective | stated on | assessed by |",
        "| --- | --- | --- |",
    ]
    for oid, text, assessed_by in objective_rows(objectives, questions):
        page = objectives[oid].page
        part = _part_number(page)
        lines.append(f"| **{oid}** {text} | {{doc}}`part {part} <../{page}>` | {assessed_by} |")
    return "\n".join(lines) + "\n"


def write_map(book_exercises_dir: Path, repo: Path | None = None) -> Path:
    """Write :data:`MAP_FILE` into ``book_exercises_dir`` from the pages and masters of ``repo``."""
    root = repo or find_project()
    text = markdown(root / "book", root / "exercises")
    book_exercises_dir.mkdir(parents=True, exist_ok=True)
    path = book_exercises_dir / MAP_FILE
    path.write_text(text, encoding="utf-8")
    return path
