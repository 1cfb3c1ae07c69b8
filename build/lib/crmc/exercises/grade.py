"""Grade a folder of submissions for one exercise: gradebook, feedback, written answers.

``grade_class`` is what ``crmc-exercises grade EXERCISE SUBMISSIONS_DIR`` runs. For each file:

1. **validate** it (a notebook? of this exercise?) and report the verdict when it is not;
2. **execute** it in the sandbox (:mod:`crmc.exercises.sandbox`): a private directory with the
   notebook and the data only, a timeout, memory and file limits, no network, the repository and
   the autograder hidden; the answer variables come back as plain JSON data;
3. **score** those values with the exercise's otter tests (public and hidden), here in the
   grader's own process, which never runs student code: values are rebuilt from JSON
   (:func:`from_jsonable`), so nothing the student code patched can reach the tests.

Submissions are graded in parallel (one sandbox per core). The original files are only read.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import json
import math
import os
import re
import shutil
import tempfile
import threading
import zipfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import repo_root
from .build import MANIFEST_IN_ZIP, PLACEHOLDER_ANSWER, load_test_file
from .sandbox import Limits, RunResult, hidden_roots, isolation_summary, run_submission

MAX_SUBMISSION_BYTES = 50 * 1024 * 1024
ANSWER_CHARS = 20_000

STATUS_GRADED = "graded"
STATUS_INVALID = "invalid"
STATUS_WRONG_EXERCISE = "wrong-exercise"
STATUS_TIMEOUT = "timeout"
STATUS_CRASHED = "crashed"
STATUS_SUPERSEDED = "superseded"


class GradingError(RuntimeError):
    """The class could not be graded at all (bad exercise, missing folder, no submissions)."""


# ------------------------------------------------------------------ the exercise under grading
@dataclass
class Exercise:
    """An exercise as the grader needs it, read from its autograder zip."""

    name: str
    manifest: dict[str, Any]
    tests: dict[str, str]  # question name -> otter test file source
    files_dir: Path  # the zip's files/ (data) extracted here; tests read data/ relative to it

    @property
    def auto_questions(self) -> list[dict[str, Any]]:
        return [q for q in self.manifest["questions"] if q["kind"] == "auto"]

    @property
    def manual_questions(self) -> list[dict[str, Any]]:
        return [q for q in self.manifest["questions"] if q["kind"] == "manual"]

    @property
    def variables(self) -> list[str]:
        return [v for q in self.auto_questions for v in q["variables"]]

    @property
    def possible(self) -> float:
        return float(sum(q["points"] for q in self.auto_questions))


def load_exercise(zip_path: Path, work: Path) -> Exercise:
    """Read an autograder zip built by :mod:`crmc.exercises.build`."""
    try:
        zf = zipfile.ZipFile(zip_path)
    except (OSError, zipfile.BadZipFile) as exc:
        raise GradingError(f"cannot read the autograder {zip_path}: {exc}") from exc
    with zf:
        names = zf.namelist()
        if MANIFEST_IN_ZIP not in names:
            raise GradingError(f"{zip_path} was not built by crmc-exercises (no {MANIFEST_IN_ZIP})")
        manifest = json.loads(zf.read(MANIFEST_IN_ZIP).decode("utf-8"))
        tests = {
            Path(n).stem: zf.read(n).decode("utf-8")
            for n in names
            if n.startswith("tests/") and n.endswith(".py")
        }
        files_dir = work / "files"
        files_dir.mkdir(parents=True)
        for n in names:
            if n.startswith("files/") and not n.endswith("/"):
                target = files_dir / n[len("files/") :]
                if not target.resolve().is_relative_to(files_dir.resolve()):
                    raise GradingError(f"unsafe path in the autograder zip: {n}")
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(zf.read(n))
    return Exercise(str(manifest["exercise"]), manifest, tests, files_dir)


# ------------------------------------------------------------------ values back from JSON
def from_jsonable(value: Any) -> Any:
    """Rebuild an answer exported by the sandbox (see ``runner.to_jsonable``)."""
    import numpy as np
    import pandas as pd

    if isinstance(value, list):
        return [from_jsonable(v) for v in value]
    if not isinstance(value, dict):
        return value
    if len(value) != 1:
        return _Unsupported("object")
    ((tag, inner),) = value.items()
    if tag == "__float__":
        return float(inner)
    if tag == "__ellipsis__":
        return ...
    if tag == "__tuple__":
        return tuple(from_jsonable(v) for v in inner)
    if tag == "__set__":
        return {_hashable(from_jsonable(v)) for v in inner}
    if tag == "__dict__":
        return {_hashable(from_jsonable(k)): from_jsonable(v) for k, v in inner}
    if tag == "__ndarray__":
        return np.array(from_jsonable(inner), dtype=object if _ragged(inner) else None)
    if tag == "__index__":
        return pd.Index(from_jsonable(inner))
    if tag == "__timestamp__":
        return pd.Timestamp(inner)
    if tag == "__series__":
        return pd.Series(
            from_jsonable(inner["values"]),
            index=from_jsonable(inner["index"]),
            name=from_jsonable(inner["name"]),
        )
    if tag == "__dataframe__":
        return pd.DataFrame(
            from_jsonable(inner["rows"]),
            columns=from_jsonable(inner["columns"]),
            index=from_jsonable(inner["index"]),
        )
    return _Unsupported(str(inner) if tag == "__unsupported__" else tag)


def _ragged(inner: Any) -> bool:
    if not isinstance(inner, list):
        return False
    return len({len(v) if isinstance(v, list) else -1 for v in inner}) > 1


def _hashable(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


class _Unsupported:
    """Stands for an answer of a type the grader does not take (tests fail on it)."""

    def __init__(self, type_name: str) -> None:
        self.type_name = type_name

    def __repr__(self) -> str:
        return f"<unsupported answer of type {self.type_name}>"


# ------------------------------------------------------------------ scoring
_score_lock = threading.Lock()


@dataclass
class TestOutcome:
    question: str
    test: str
    hidden: bool
    points: float
    passed: bool
    message: str


def score(exercise: Exercise, answers: dict[str, Any]) -> list[TestOutcome]:
    """Run every test (public and hidden) of every auto-graded question on ``answers``."""
    env = {k: from_jsonable(v) for k, v in answers.items()}
    outcomes: list[TestOutcome] = []
    with _score_lock, contextlib.chdir(exercise.files_dir):
        for q in exercise.auto_questions:
            source = exercise.tests.get(q["name"])
            if source is None:
                continue
            tf = load_test_file(source, path=f"{q['name']}.py")
            for tc in tf.test_cases:
                func = tc.body.test_func
                try:
                    tc.body.call_func(env)
                except Exception as exc:  # noqa: BLE001 - a failing test may raise anything
                    missing = [a for a in tc.body._get_func_params() if a not in env]
                    if missing:
                        msg = f"`{'`, `'.join(missing)}` is not defined (cell deleted or not run?)"
                    else:
                        msg = f"{type(exc).__name__}: {exc}".strip().rstrip(":")
                    outcomes.append(
                        TestOutcome(q["name"], func.__name__, tc.hidden, float(tc.points or 0),
                                    False, msg)
                    )
                else:
                    outcomes.append(
                        TestOutcome(q["name"], func.__name__, tc.hidden, float(tc.points or 0),
                                    True, "")
                    )
    return outcomes


# ------------------------------------------------------------------ validation
def checksum(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def validate(
    path: Path, exercise: str, known: tuple[str, ...]
) -> tuple[str, str, dict[str, Any] | None]:
    """Return (status, message, notebook) — status is "" when the file can be graded."""
    suffix = path.suffix.lower()
    if suffix != ".ipynb":
        kind = f"a {suffix[1:].upper()} file" if suffix else "a file without extension"
        return STATUS_INVALID, f"not a notebook ({kind}): submit the .ipynb file", None
    size = path.stat().st_size
    if size > MAX_SUBMISSION_BYTES:
        return STATUS_INVALID, f"file too large ({size // 2**20} MB): clear the outputs", None
    try:
        nb = json.loads(path.read_bytes().decode("utf-8"))
    except UnicodeDecodeError:
        return STATUS_INVALID, "not a readable notebook: the file is not UTF-8 text", None
    except ValueError as exc:
        return STATUS_INVALID, f"not a readable notebook (truncated or not JSON: {exc})", None
    except RecursionError:
        return STATUS_INVALID, "not a readable notebook (nested too deeply)", None
    cells = nb.get("cells") if isinstance(nb, dict) else None
    if (
        not isinstance(nb, dict)
        or nb.get("nbformat") != 4
        or not isinstance(cells, list)
        or not all(isinstance(c, dict) and c.get("cell_type") in ("code", "markdown", "raw")
                   for c in cells)
    ):
        return STATUS_INVALID, "JSON but not a Jupyter notebook (version 4)", None
    meta = nb.get("metadata")
    otter_meta = meta.get("otter") if isinstance(meta, dict) else None
    name = otter_meta.get("assignment_name") if isinstance(otter_meta, dict) else None
    if name is None:
        sources = " ".join(_text(c) for c in cells if c.get("cell_type") == "code")
        named = re.findall(r"otter\.Notebook\(\s*[\"']([\w.-]+?)(?:\.ipynb)?[\"']", sources)
        name = named[0] if named else None
    if name is not None and name != exercise:
        other = f"exercise {name!r}" if name in known else f"another assignment ({name!r})"
        return STATUS_WRONG_EXERCISE, f"this is a notebook of {other}, not {exercise!r}", None
    return "", "" if name else "could not confirm the exercise (no otter metadata)", nb


def _text(cell: dict[str, Any]) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else str(src)


# ------------------------------------------------------------------ written answers
def written_answers(nb: dict[str, Any], exercise: Exercise) -> dict[str, str]:
    """The text of each manual question's answer cells (empty when unanswered)."""
    wanted = {q["name"] for q in exercise.manual_questions}
    found: dict[str, str] = {}
    cells = nb.get("cells", [])
    i = 0
    while i < len(cells):
        text = _text(cells[i])
        match = re.search(r"<!-- BEGIN QUESTION -->\s*\*\*Question (\d+)", text)
        if match and f"q{match.group(1)}" in wanted:
            parts = []
            i += 1
            while i < len(cells) and "<!-- END QUESTION -->" not in _text(cells[i]):
                parts.append(_text(cells[i]).strip())
                i += 1
            answer = "\n\n".join(p for p in parts if p and p != PLACEHOLDER_ANSWER)
            found[f"q{match.group(1)}"] = answer[:ANSWER_CHARS]
        i += 1
    return found


# ------------------------------------------------------------------ one row of the gradebook
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

    @property
    def total(self) -> float:
        return float(sum(self.scores.values()))


STUDENT_RE = re.compile(r"^(?P<student>.+?)(?:\s*\(\d+\)|--.*)?$")


def student_of(path: Path, root: Path) -> str:
    """``alice.ipynb``, ``alice (1).ipynb``, ``alice--v2.ipynb`` and ``alice/x.ipynb`` → alice."""
    rel = path.relative_to(root)
    if len(rel.parts) > 1:
        return rel.parts[0]
    match = STUDENT_RE.match(path.stem)
    return match.group("student").strip() if match else path.stem


def grade_one(
    path: Path, root: Path, exercise: Exercise, limits: Limits, scratch: Path, hide: list[Path],
    known: tuple[str, ...],
) -> Row:
    row = Row(student_of(path, root), str(path.relative_to(root)), STATUS_GRADED)
    status, message, nb = validate(path, exercise.name, known)
    if nb is None:
        row.status, row.message = status, message
        return row
    if message:
        row.notes.append(message)
    row.written = written_answers(nb, exercise)
    result: RunResult = run_submission(
        path, exercise.files_dir / "data", exercise.variables, limits, scratch, hide
    )
    row.seconds = result.seconds
    row.notes += result.notes
    if result.status != "ok":
        row.status = STATUS_TIMEOUT if result.status == "timeout" else STATUS_CRASHED
        cell = result.running_cell or {}
        head = " ".join(cell.get("head") or [])[:80]
        where = f" (running cell {cell.get('cell')}: {head})" if cell else ""
        row.message = result.message + where
        row.scores = {q["name"]: 0.0 for q in exercise.auto_questions}
        return row
    payload = result.payload
    answers = payload.get("answers") if isinstance(payload.get("answers"), dict) else {}
    row.outcomes = score(exercise, answers or {})
    for q in exercise.auto_questions:
        got = sum(o.points for o in row.outcomes if o.question == q["name"] and o.passed)
        row.scores[q["name"]] = round(got, 4)
    first = payload.get("first_error")
    row.first_error = first if isinstance(first, dict) else None
    msgs = []
    missing = [str(m) for m in payload.get("missing", [])]
    if missing:
        msgs.append(f"not defined: {', '.join(missing)}")
    if row.first_error:
        msgs.append(f"first error in cell {row.first_error.get('cell')}: "
                    f"{str(row.first_error.get('error'))[:120]}")
    dropped = payload.get("output_dropped")
    if isinstance(dropped, int) and dropped > 0:
        msgs.append(f"output truncated ({dropped} characters not kept)")
    row.message = "; ".join(msgs + row.notes)
    return row


# ------------------------------------------------------------------ the class
@dataclass
class ClassResult:
    rows: list[Row]
    out_dir: Path
    exercise: Exercise
    isolation: str
    work_dir: Path  # the grader's private temporary folder (removed when grading ends)


def find_submissions(root: Path) -> list[Path]:
    files = [
        p for p in sorted(root.rglob("*"))
        if p.is_file() and not any(part.startswith(".") for part in p.relative_to(root).parts)
    ]
    return files


def grade_class(
    autograder_zip: Path,
    submissions: Path,
    out_dir: Path,
    *,
    limits: Limits | None = None,
    jobs: int | None = None,
    known: tuple[str, ...] = (),
    hide: list[Path] | None = None,
    progress: Callable[[Row], None] | None = None,
) -> ClassResult:
    """Grade every file under ``submissions``; write gradebook, feedback and written answers."""
    from .feedback import write_outputs

    limits = limits or Limits()
    if not submissions.is_dir():
        raise GradingError(f"no submissions folder at {submissions}")
    files = find_submissions(submissions)
    work = Path(tempfile.mkdtemp(prefix="crmc-grade-"))
    try:
        os.chmod(work, 0o700)
        exercise = load_exercise(autograder_zip, work / "exercise")
        scratch = work / "sandboxes"
        scratch.mkdir()
        hidden = [Path(tempfile.gettempdir()), Path.home(), autograder_zip.parent, submissions,
                  out_dir, work, repo_root(), *hidden_roots(), *(hide or [])]
        hidden_paths = sorted({p.resolve() for p in hidden})
        workers = max(1, jobs or os.cpu_count() or 1)
        with ThreadPoolExecutor(max_workers=workers) as pool:
            futures = [
                pool.submit(grade_one, f, submissions, exercise, limits, scratch, hidden_paths,
                            known)
                for f in files
            ]
            rows = []
            for fut in futures:
                row = fut.result()
                rows.append(row)
                if progress:
                    progress(row)
        _mark_duplicates(rows, submissions)
        result = ClassResult(rows, out_dir, exercise, isolation_summary(), work)
        write_outputs(result)
        return result
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _mark_duplicates(rows: list[Row], root: Path) -> None:
    """Several files from one student: the most recent counts, the others are superseded."""
    by_student: dict[str, list[Row]] = {}
    for row in rows:
        by_student.setdefault(row.student, []).append(row)
    for student_rows in by_student.values():
        if len(student_rows) < 2:
            continue
        latest = max(student_rows, key=lambda r: ((root / r.file).stat().st_mtime, r.file))
        for row in student_rows:
            if row is not latest:
                row.message = (
                    f"another submission from {row.student} counts ({latest.file}, the most "
                    f"recent); this one scored {row.total:g} [{row.status}]"
                )
                row.status = STATUS_SUPERSEDED


def percent(total: float, possible: float) -> float:
    return round(100.0 * total / possible, 1) if possible and not math.isnan(possible) else 0.0


def write_gradebook(result: ClassResult, path: Path) -> None:
    ex = result.exercise
    auto = [q["name"] for q in ex.auto_questions]
    manual = [q["name"] for q in ex.manual_questions]
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["student", "file", *auto, *[f"{m} (manual)" for m in manual],
                         "total", "percent", "status", "message"])
        for row in sorted(result.rows, key=lambda r: (r.student, r.file)):
            counted = row.status in (STATUS_GRADED, STATUS_TIMEOUT, STATUS_CRASHED)
            scores = [row.scores.get(q, 0.0) if row.scores else "" for q in auto]
            total = row.total if counted else ""
            pct = percent(row.total, ex.possible) if counted else ""
            writer.writerow([row.student, row.file, *scores, *["" for _ in manual], total, pct,
                             row.status, row.message])
