"""Find solution and hidden-test lines of the exercise masters in a tree students receive.

The secrets come from the masters themselves (otter-grader's assign format), not from what
``otter assign`` wrote, so a bug in the build that lets a solution through is still caught:

- in a solution block (``# BEGIN SOLUTION`` … ``# END SOLUTION`` raw cells): every code line
  marked ``# SOLUTION``, every line between ``# BEGIN SOLUTION``/``# END SOLUTION`` comments
  inside a code cell, and every line of a markdown cell (a written question's model answer);
- in a tests block: every line of a test whose config says ``hidden: true``.

A line that also appears in the master's public material (prompts, starter code, public tests)
is not a secret, and very short lines (``)``, ``else:``) are ignored. The scan reads every file of
a tree, every member of every zip (recursively), and the cell sources and outputs of every
notebook as parsed JSON, since JSON escapes the quotes a line of Python holds.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

MIN_SECRET_CHARS = 12
"""Secret lines shorter than this (after normalising) are too generic to search for."""

FORBIDDEN_NAMES = (
    re.compile(r"(^|/)solution(s)?(/|$)"),
    re.compile(r"autograder[^/]*\.zip$"),
)
"""Paths that must never be in a student tree, whatever they hold."""


@dataclass(frozen=True)
class Secret:
    exercise: str
    kind: str  # "solution" | "hidden test"
    line: str


@dataclass(frozen=True)
class Leak:
    path: str
    secret: Secret | None
    reason: str

    def __str__(self) -> str:
        if self.secret is None:
            return f"{self.path}: {self.reason}"
        secret = self.secret
        return f"{self.path}: {secret.kind} line of {secret.exercise}: {secret.line!r}"


def normalise(line: str) -> str:
    return " ".join(line.split())


def _source(cell: Any) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else str(src)


def master_secrets(master: Path) -> list[Secret]:
    """The solution and hidden-test lines of one master (``exercises/<name>.md``)."""
    import jupytext

    nb = jupytext.read(master)
    name = master.stem
    secret_lines: list[tuple[str, str]] = []
    public: set[str] = set()
    in_solution = in_tests = False
    for cell in nb.cells:
        text = _source(cell)
        head = text.strip().splitlines()[0].strip() if text.strip() else ""
        if cell.cell_type == "raw":
            if head == "# BEGIN SOLUTION":
                in_solution = True
            elif head == "# END SOLUTION":
                in_solution = False
            elif head == "# BEGIN TESTS":
                in_tests = True
            elif head == "# END TESTS":
                in_tests = False
            continue
        if in_tests:
            hidden = re.search(r"^\s*hidden:\s*true\s*$", text, flags=re.M | re.I) is not None
            body = re.sub(r'""" # BEGIN TEST CONFIG.*?""" # END TEST CONFIG', "", text, flags=re.S)
            for line in body.splitlines():
                if hidden:
                    secret_lines.append(("hidden test", line))
                else:
                    public.add(normalise(line))
            continue
        if in_solution and cell.cell_type == "markdown":
            secret_lines.extend(("solution", line) for line in text.splitlines())
            continue
        inside = False
        for line in text.splitlines():
            marker = line.strip()
            if marker.startswith("# BEGIN SOLUTION"):
                inside = True
            elif marker.startswith("# END SOLUTION"):
                inside = False
            elif inside or re.search(r"#\s*SOLUTION\b", line):
                secret_lines.append(("solution", re.sub(r"#\s*SOLUTION\b.*$", "", line)))
            else:
                public.add(normalise(line))
    secrets: list[Secret] = []
    seen: set[str] = set()
    for kind, line in secret_lines:
        norm = normalise(line)
        if len(norm) < MIN_SECRET_CHARS or norm in public or norm in seen:
            continue
        seen.add(norm)
        secrets.append(Secret(name, kind, norm))
    return secrets


def all_secrets(masters_dir: Path) -> list[Secret]:
    masters = sorted(masters_dir.glob("*.md"))
    secrets = [s for m in masters for s in master_secrets(m)]
    if not secrets:
        raise ValueError(f"no solution or hidden-test lines found in the masters in {masters_dir}")
    return secrets


def _texts(name: str, data: bytes) -> Iterator[tuple[str, str]]:
    """(path, text) for a file: itself, each zip member, each notebook's strings."""
    if name.endswith(".zip") or data[:4] == b"PK\x03\x04":
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                for member in zf.infolist():
                    if not member.is_dir():
                        yield from _texts(f"{name}!{member.filename}", zf.read(member))
            return
        except zipfile.BadZipFile:
            pass
    text = data.decode("utf-8", errors="replace")
    yield name, text
    if name.endswith(".ipynb") or text.lstrip().startswith("{"):
        try:
            parsed = json.loads(text)
        except ValueError:
            return
        yield f"{name} (JSON strings)", "\n".join(_strings(parsed))


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        # A notebook stores a cell's source as a list of lines: join them back.
        if value and all(isinstance(v, str) for v in value):
            yield "".join(value)
        else:
            for v in value:
                yield from _strings(v)
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)


def scan_files(files: Iterable[tuple[str, bytes]], secrets: list[Secret]) -> list[Leak]:
    leaks: list[Leak] = []
    for name, data in files:
        for pattern in FORBIDDEN_NAMES:
            if pattern.search(name):
                leaks.append(Leak(name, None, "a solution or autograder file by its name"))
        for path, text in _texts(name, data):
            for pattern in FORBIDDEN_NAMES:
                if "!" in path and pattern.search(path.split("!", 1)[1]):
                    leaks.append(Leak(path, None, "a solution or autograder file by its name"))
            haystack = "\n".join(normalise(line) for line in text.splitlines())
            leaks.extend(Leak(path, s, "") for s in secrets if s.line in haystack)
    return leaks


def scan_tree(root: Path, secrets: list[Secret]) -> list[Leak]:
    """Every leak in the files under ``root`` (paths relative to it)."""
    files = (
        (p.relative_to(root).as_posix(), p.read_bytes())
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".git" not in p.relative_to(root).parts
    )
    return scan_files(files, secrets)
