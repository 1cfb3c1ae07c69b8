"""Graded exercises of the module: build them from their masters and grade a class.

One master per exercise (``exercises/<name>.md``, MyST Markdown in otter-grader's assign
format) gives three products (:mod:`crmc.exercises.build`): the student notebook, otter's
Gradescope-compatible autograder zip and the solution notebook. :mod:`crmc.exercises.grade`
grades a folder of submissions locally in a sandbox (:mod:`crmc.exercises.sandbox`). The command
line is ``crmc-exercises`` (:mod:`crmc.exercises.cli`).
"""

from __future__ import annotations

from pathlib import Path

__all__ = [
    "EXERCISES",
    "DATASETS",
    "ProjectNotFoundError",
    "find_project",
    "exercises_dir",
    "default_build_dir",
]

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


class ProjectNotFoundError(Exception):
    """No module checkout (``_config.yml`` beside ``exercises/``) at or above a folder."""


def find_project(start: Path | None = None) -> Path:
    """The module checkout holding ``start`` (default: the current directory).

    The checkout is configuration: found from where the command runs (this folder or a parent
    holding ``_config.yml`` and ``exercises/``), never from where this package is installed, since
    an installed copy has no repository around it.
    """
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "_config.yml").is_file() and (folder / "exercises").is_dir():
            return folder
    raise ProjectNotFoundError(
        f"no module checkout at or above {here} (looked for _config.yml beside exercises/): "
        "run the command inside the checkout or pass --repo DIR"
    )


def exercises_dir(root: Path | None = None) -> Path:
    """Where the masters live in the checkout ``root`` (default: :func:`find_project`)."""
    return (root or find_project()) / "exercises"


def default_build_dir(root: Path | None = None) -> Path:
    """The ignored build folder the products go to, in the checkout ``root``."""
    return exercises_dir(root) / "_build"
