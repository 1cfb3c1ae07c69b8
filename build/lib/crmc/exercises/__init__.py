"""Graded exercises of the module: build them from their masters and grade a class.

One master per exercise (``exercises/<name>.md``, MyST Markdown in otter-grader's assign
format) gives three products (:mod:`crmc.exercises.build`): the student notebook, otter's
Gradescope-compatible autograder zip and the solution notebook. :mod:`crmc.exercises.grade`
grades a folder of submissions locally in a sandbox (:mod:`crmc.exercises.sandbox`). The command
line is ``crmc-exercises`` (:mod:`crmc.exercises.cli`).
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["EXERCISES", "DATASETS", "repo_root", "exercises_dir", "default_build_dir"]

EXERCISES: tuple[str, ...] = (
    "part1-history",
    "part2-normal-vs-wartime",
    "part3-interdependence",
    "part4-risks",
)
"""The exercise names, one per part of the module; each is the stem of its master file."""

DATASETS: dict[str, tuple[str, ...]] = {
    "part1-history": ("russia_china_yearly", "timeline"),
    "part2-normal-vs-wartime": ("cases", "flows"),
    "part3-interdependence": ("flows", "sipri_register"),
    "part4-risks": ("timeline", "claims", "implications"),
}
"""The data files (``data/<name>.csv``) each exercise ships with its notebook and autograder."""


def repo_root() -> Path:
    """The repository holding this package (``src/crmc/exercises`` → three levels up)."""
    return Path(__file__).resolve().parents[3]


def exercises_dir() -> Path:
    """Where the masters live."""
    return repo_root() / "exercises"


def default_build_dir() -> Path:
    """The ignored build folder the products go to."""
    return exercises_dir() / "_build"
