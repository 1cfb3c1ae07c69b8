"""Errors raised by the data loaders.

A :class:`DataValidationError` lists every problem found in one file, each with the file,
the CSV line (1-based, the header is line 1), the column and the rule broken, so whoever edits
the CSV can go straight to the cell.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["DataFileNotFoundError", "DataValidationError", "Problem"]


@dataclass(frozen=True)
class Problem:
    """One broken rule in one cell (or row, or header) of a data file.

    ``line`` is the 1-based line number in the CSV file (the header is line 1); ``None``
    when the problem concerns the whole file. ``column`` is ``None`` for whole-row problems.
    """

    line: int | None
    column: str | None
    rule: str
    value: str | None = None

    def describe(self) -> str:
        """One human-readable line: where, which column, what value, which rule."""
        where = "whole file" if self.line is None else f"line {self.line}"
        if self.line == 1:
            where = "line 1 (header)"
        parts = [where]
        if self.column is not None:
            parts.append(f"column {self.column!r}")
        if self.value is not None:
            parts.append(f"value {self.value!r}")
        return f"{', '.join(parts)}: {self.rule}"


class DataValidationError(ValueError):
    """A data file breaks its schema (or a reference to another file).

    The message names the file, then one problem per line: the CSV line, the column, the
    offending value and the rule broken. The same information is available as
    :attr:`file` and :attr:`problems` for programs (tests, the exercise autograder).
    """

    def __init__(self, file: str, problems: Sequence[Problem]) -> None:
        self.file = file
        self.problems: tuple[Problem, ...] = tuple(problems)
        n = len(self.problems)
        head = f"{file}: {n} problem{'s' if n != 1 else ''}"
        body = "".join(f"\n  {file}, {p.describe()}" for p in self.problems)
        self.message = head + body
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.message


class DataFileNotFoundError(DataValidationError, FileNotFoundError):
    """A data file is missing. Catchable as :class:`FileNotFoundError` too."""

    def __init__(self, path: str) -> None:
        super().__init__(path, [Problem(None, None, "file not found")])
        self.message = f"data file not found: {path}"
        self.args = (self.message,)
        self.filename = path
