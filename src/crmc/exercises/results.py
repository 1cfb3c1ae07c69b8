"""The result rows of grading: what :func:`crmc.exercises.grade.grade_class` returns.

``ClassResult.rows`` holds one :class:`Row` per file found in the class folder (sorted by file).
The row interface, stable for code built on top of it (gradebook store, exports, reports):

- ``student`` (str): the student the file belongs to (``alice (1).ipynb`` → ``alice``);
- ``file`` (str): the file's path relative to the class folder, exactly as named; bytes that are
  not UTF-8 appear as ``\\xNN`` escapes;
- ``status`` (str): ``graded``, ``invalid``, ``wrong-exercise``, ``timeout``, ``crashed`` or
  ``superseded`` (another file of the same student counts);
- ``message`` (str): what a student can act on (empty when there is nothing to say);
- ``scores`` (dict question → points): auto-graded questions (empty for invalid files);
  ``total`` (property) is their sum;
- ``outcomes`` (list of :class:`TestOutcome`): every public and hidden test and its result;
- ``scored_at`` (dict question → cell number, or None when scored at the end);
- ``written`` (dict question → text) of the manual questions; ``first_error`` (dict or None);
- ``seconds`` (wall) and ``cpu_seconds`` of the sandboxed run; ``notes`` (list of str);
- ``isolation`` (str): ``bubblewrap+cgroup`` (memory and processes capped per sandbox by a
  cgroup v2), ``bubblewrap+rlimit`` (capped per process), or ``UNSAFE-none`` when graded
  without a sandbox;
- ``mtime`` (float): the file's modification time when it was found.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

STATUS_GRADED = "graded"
STATUS_INVALID = "invalid"
STATUS_WRONG_EXERCISE = "wrong-exercise"
STATUS_TIMEOUT = "timeout"
STATUS_CRASHED = "crashed"
STATUS_SUPERSEDED = "superseded"
COUNTED = (STATUS_GRADED, STATUS_TIMEOUT, STATUS_CRASHED)
"""Statuses whose total counts in the gradebook (a timeout or a crash scores 0)."""


@dataclass
class TestOutcome:
    question: str
    test: str
    hidden: bool
    points: float
    passed: bool
    message: str


@dataclass
class Row:
    student: str
    file: str
    status: str
    message: str = ""
    scores: dict[str, float] = field(default_factory=dict)
    outcomes: list[TestOutcome] = field(default_factory=list)
    written: dict[str, str] = field(default_factory=dict)
    first_error: dict[str, Any] | None = None
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)
    scored_at: dict[str, int | None] = field(default_factory=dict)
    cpu_seconds: float = 0.0
    isolation: str = "bubblewrap"
    mtime: float = 0.0

    @property
    def total(self) -> float:
        return float(sum(self.scores.values()))


@dataclass
class ClassResult:
    rows: list[Row]
    out_dir: Path
    exercise: Any  # crmc.exercises.grade.Exercise
    isolation: str
    work_dir: Path  # the grader's private temporary folder (removed when grading ends)


def percent(total: float, possible: float) -> float:
    return round(100.0 * total / possible, 1) if possible and not math.isnan(possible) else 0.0
