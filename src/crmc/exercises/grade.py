"""Grade a folder of submissions for one exercise: gradebook, feedback, written answers.

``grade_class`` is what ``crmc-exercises grade EXERCISE SUBMISSIONS_DIR`` runs:

0. **check the sandbox** (:func:`crmc.exercises.sandbox.check_sandbox`): when it cannot be
   made, grading refuses to start (:class:`GradingError` saying what to fix), unless the caller
   asked for ``unsafe=True``;
1. **find** the files once (paths resolved once, symlinks never followed), and for each file
   **read** it safely: only regular files, opened with ``O_NOFOLLOW | O_NONBLOCK`` (a FIFO or a
   device never blocks or streams), size-capped;
2. **validate** it (a notebook? of this exercise?) and report the verdict when it is not;
3. **execute** it in the sandbox; the answers come back as plain JSON data, one snapshot per
   question taken when its ``grader.check`` cell ran (otter's scoring moment);
4. **score** the snapshots with the exercise's tests in a scoring process outside the sandbox
   (:mod:`crmc.exercises.scoring`).

Whatever one file does, it gets its own verdict and the others are graded. Submissions are
graded in parallel (one sandbox per core). The original files are only read. The grader's
temporary folder is removed at the end, on Ctrl-C or SIGTERM, and — by a small watcher process
that outlives it — when the grader is killed.
"""

from __future__ import annotations

import json
import os
import queue
import re
import shutil
import stat
import subprocess
import sys
import tempfile
import threading
import zipfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .build import MANIFEST_IN_ZIP, PLACEHOLDER_ANSWER
from .feedback import write_gradebook, write_outputs
from .results import (
    STATUS_CRASHED,
    STATUS_GRADED,
    STATUS_INVALID,
    STATUS_SUPERSEDED,
    STATUS_TIMEOUT,
    STATUS_WRONG_EXERCISE,
    ClassResult,
    Row,
    TestOutcome,
    percent,
)
from .sandbox import (
    ISOLATION_BWRAP,
    CgroupChoice,
    Limits,
    RunResult,
    SandboxConfig,
    SandboxUnavailable,
    cgroup_prefix,
    check_sandbox,
    detect_cgroup,
    isolation_summary,
    run_submission,
)
from .scoring import Scorer, ScoringFailed, from_jsonable

__all__ = [
    "GradingError", "Exercise", "load_exercise", "validate", "grade_class", "student_of",
    "from_jsonable", "write_gradebook", "percent", "Row", "TestOutcome", "ClassResult",
    "STATUS_GRADED", "STATUS_INVALID", "STATUS_WRONG_EXERCISE", "STATUS_TIMEOUT",
    "STATUS_CRASHED", "STATUS_SUPERSEDED",
]

MAX_SUBMISSION_BYTES = 50 * 1024 * 1024
ANSWER_CHARS = 20_000


class GradingError(RuntimeError):
    """The class could not be graded at all (bad exercise, missing folder, no sandbox)."""


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
    def question_variables(self) -> dict[str, list[str]]:
        return {q["name"]: list(q["variables"]) for q in self.auto_questions}

    @property
    def possible(self) -> float:
        return float(sum(q["points"] for q in self.auto_questions))

    @property
    def data_dir(self) -> Path | None:
        path = self.files_dir / "data"
        return path if path.is_dir() else None


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
        files_dir.mkdir(parents=True, mode=0o755)
        for n in names:
            if n.startswith("files/") and not n.endswith("/"):
                target = files_dir / n[len("files/") :]
                if not target.resolve().is_relative_to(files_dir.resolve()):
                    raise GradingError(f"unsafe path in the autograder zip: {n}")
                target.parent.mkdir(parents=True, exist_ok=True, mode=0o755)
                target.write_bytes(zf.read(n))
                target.chmod(0o644)
    auto = {q["name"] for q in manifest["questions"] if q["kind"] == "auto"}
    return Exercise(str(manifest["exercise"]), manifest,
                    {k: v for k, v in tests.items() if k in auto}, files_dir)


# ------------------------------------------------------------------ reading files safely
class Unreadable(ValueError):
    """A file the grader will not read (the message is the verdict)."""


def read_submission(path: Path, limit: int = MAX_SUBMISSION_BYTES) -> bytes:
    """The bytes of a regular file, never following a symlink, never blocking, capped."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as exc:
        if os.path.islink(path):
            raise Unreadable("a symbolic link, not a file: submit the notebook itself") from exc
        raise Unreadable(f"the file could not be opened ({exc.strerror})") from exc
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise Unreadable(_kind_message(info.st_mode))
        if info.st_size > limit:
            raise Unreadable(f"file too large ({info.st_size // 2**20} MB): clear the outputs")
        chunks = []
        size = 0
        while size <= limit:
            chunk = os.read(fd, min(1 << 20, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > limit:
            raise Unreadable(f"file too large (over {limit // 2**20} MB): clear the outputs")
        return b"".join(chunks)
    finally:
        os.close(fd)


def _kind_message(mode: int) -> str:
    kind = ("a named pipe (FIFO)" if stat.S_ISFIFO(mode) else "a socket" if stat.S_ISSOCK(mode)
            else "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else "not a regular file")
    return f"{kind}, not a notebook file: submit the .ipynb file itself"


def validate(
    path: Path, exercise: str, known: tuple[str, ...], data: bytes | None = None
) -> tuple[str, str, dict[str, Any] | None]:
    """Return (status, message, notebook) — status is "" when the file can be graded."""
    suffix = path.suffix.lower()
    if suffix != ".ipynb":
        kind = f"a {suffix[1:].upper()} file" if suffix else "a file without extension"
        return STATUS_INVALID, f"not a notebook ({kind}): submit the .ipynb file", None
    try:
        raw = data if data is not None else read_submission(path)
    except Unreadable as exc:
        return STATUS_INVALID, str(exc), None
    try:
        nb = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        return STATUS_INVALID, "not a readable notebook: the file is not UTF-8 text", None
    except RecursionError:
        return STATUS_INVALID, "not a readable notebook (nested too deeply)", None
    except ValueError as exc:
        return STATUS_INVALID, f"not a readable notebook (truncated or not JSON: {exc})", None
    cells = nb.get("cells") if isinstance(nb, dict) else None
    if (
        not isinstance(nb, dict)
        or nb.get("nbformat") != 4
        or not isinstance(cells, list)
        or not all(isinstance(c, dict) and c.get("cell_type") in ("code", "markdown", "raw")
                   for c in cells)
    ):
        return STATUS_INVALID, "JSON but not a Jupyter notebook (version 4)", None
    bad = [i for i, c in enumerate(cells, start=1) if not _valid_source(c.get("source", ""))]
    if bad:
        return (STATUS_INVALID, f"cell {bad[0]} is damaged (its source is not text): open "
                "the notebook in Jupyter, save it again and resubmit", None)
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


def _valid_source(src: Any) -> bool:
    return isinstance(src, str) or (isinstance(src, list) and all(isinstance(s, str) for s in src))


def _text(cell: dict[str, Any]) -> str:
    src = cell.get("source", "")
    if isinstance(src, list):
        return "".join(s for s in src if isinstance(s, str))
    return src if isinstance(src, str) else ""


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


# ------------------------------------------------------------------ one submission
STUDENT_RE = re.compile(r"^(?P<student>.+?)(?:\s*\(\d+\)|--.*)?$")


def student_of(path: Path, root: Path) -> str:
    """``alice.ipynb``, ``alice (1).ipynb``, ``alice--v2.ipynb`` and ``alice/x.ipynb`` → alice."""
    rel = path.relative_to(root)
    if len(rel.parts) > 1:
        return rel.parts[0]
    match = STUDENT_RE.match(path.stem)
    return match.group("student").strip() if match else path.stem


@dataclass
class _Context:
    root: Path
    exercise: Exercise
    limits: Limits
    config: SandboxConfig
    known: tuple[str, ...]
    slots: queue.Queue[int]
    scorers: queue.Queue[Scorer]
    cancel: threading.Event
    cgroup: CgroupChoice

    @property
    def isolation(self) -> str:
        """The gradebook's ``isolation`` value: the sandbox and which limits held memory and
        processes (``bubblewrap+cgroup`` per sandbox, ``bubblewrap+rlimit`` per process)."""
        if self.config.unsafe:
            return self.config.isolation
        return f"{ISOLATION_BWRAP}+{self.cgroup.kind}"


def _check_snapshots(payload: dict[str, Any], questions: list[str]) -> dict[str, dict[str, Any]]:
    """The runner's snapshots, checked for shape (the runner's output is untrusted)."""
    raw = payload.get("snapshots")
    if not isinstance(raw, dict):
        raise ValueError("no answer snapshots")
    checked: dict[str, dict[str, Any]] = {}
    for q in questions:
        snap = raw.get(q)
        if not isinstance(snap, dict) or not isinstance(snap.get("answers"), dict):
            raise ValueError(f"no snapshot for {q}")
        cell = snap.get("cell")
        checked[q] = {"answers": snap["answers"],
                      "missing": [str(m) for m in snap.get("missing", [])
                                  if isinstance(m, str)][:50],
                      "cell": cell if isinstance(cell, int) and not isinstance(cell, bool)
                      else None}
    return checked


def grade_one(path: Path, ctx: _Context) -> Row:
    """Grade one file; every failure becomes this row's verdict, never an exception."""
    rel = str(path.relative_to(ctx.root))
    row = Row(student_of(path, ctx.root), rel, STATUS_GRADED, isolation=ctx.isolation)
    try:
        row.mtime = os.lstat(path).st_mtime
        if ctx.cancel.is_set():
            raise KeyboardInterrupt("grading was interrupted")
        _grade_into(row, path, ctx)
    except KeyboardInterrupt:
        raise
    except Exception as exc:  # noqa: BLE001 - containment: one file never stops the class
        row.status = STATUS_CRASHED
        row.scores = {q["name"]: 0.0 for q in ctx.exercise.auto_questions}
        row.message = (f"the grader could not process this file ({type(exc).__name__}: "
                       f"{str(exc)[:200]}); check that it opens in Jupyter and resubmit")
    if ctx.config.unsafe:
        row.message = "; ".join(
            [m for m in (row.message,) if m] + ["UNSAFE: graded without a sandbox"])
    return row


def _grade_into(row: Row, path: Path, ctx: _Context) -> None:
    exercise = ctx.exercise
    try:
        data = b"" if path.suffix.lower() != ".ipynb" else read_submission(path)
    except Unreadable as exc:
        row.status, row.message = STATUS_INVALID, str(exc)
        return
    status, message, nb = validate(path, exercise.name, ctx.known, data=data)
    if nb is None:
        row.status, row.message = status, message
        return
    if message:
        row.notes.append(message)
    row.written = written_answers(nb, exercise)
    questions = exercise.question_variables
    slot = ctx.slots.get()
    try:
        result: RunResult = run_submission(data, exercise.data_dir, questions, ctx.limits,
                                           ctx.config, slot, ctx.cancel, ctx.cgroup.parent)
    finally:
        ctx.slots.put(slot)
    row.seconds = result.seconds
    row.cpu_seconds = result.cpu_seconds
    row.notes += result.notes
    row.scores = {q["name"]: 0.0 for q in exercise.auto_questions}
    if result.status != "ok":
        row.status = STATUS_TIMEOUT if result.status == "timeout" else STATUS_CRASHED
        cell = result.running_cell or {}
        head = " ".join(str(h) for h in (cell.get("head") or []))[:80]
        where = f" (running cell {cell.get('cell')}: {head})" if cell else ""
        row.message = result.message + where
        return
    payload = result.payload
    try:
        snapshots = _check_snapshots(payload, list(questions))
    except ValueError as exc:
        row.status = STATUS_CRASHED
        row.message = ("the grader could not read this notebook's answers "
                       f"({exc}); was the grading channel tampered with?")
        return
    scorer = ctx.scorers.get()
    try:
        outcomes = scorer.score({q: s["answers"] for q, s in snapshots.items()})
    except ScoringFailed as exc:
        row.status = STATUS_CRASHED
        row.message = (f"{exc}: an answer has a shape the tests cannot handle (e.g. nested "
                       "very deeply); store plain numbers, strings, lists or pandas objects")
        return
    finally:
        ctx.scorers.put(scorer)
    row.outcomes = [TestOutcome(str(o["question"]), str(o["test"]), bool(o["hidden"]),
                                float(o["points"]), bool(o["passed"]), str(o["message"]))
                    for o in outcomes]
    for q in exercise.auto_questions:
        got = sum(o.points for o in row.outcomes if o.question == q["name"] and o.passed)
        row.scores[q["name"]] = round(got, 4)
        row.scored_at[q["name"]] = snapshots[q["name"]]["cell"]
    first = payload.get("first_error")
    row.first_error = first if isinstance(first, dict) else None
    msgs = []
    missing = sorted({m for s in snapshots.values() for m in s["missing"]})
    if missing:
        msgs.append(f"not defined: {', '.join(missing)}")
    unchecked = [q for q in questions if snapshots[q]["cell"] is None]
    if unchecked:
        msgs.append(f"scored at the end (no grader.check cell ran): {', '.join(unchecked)}")
    if row.first_error:
        msgs.append(f"first error in cell {row.first_error.get('cell')}: "
                    f"{str(row.first_error.get('error'))[:120]}")
    dropped = payload.get("output_dropped")
    if isinstance(dropped, int) and dropped > 0:
        msgs.append(f"output truncated ({dropped} characters not kept)")
    row.message = "; ".join(msgs + row.notes)


# ------------------------------------------------------------------ the class
def find_submissions(root: Path) -> list[Path]:
    """Every entry under ``root`` (not hidden), symlinks and special files included — each
    gets a verdict; symlinked folders are not followed."""
    found: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        here = Path(dirpath)
        for d in list(dirnames):
            if os.path.islink(here / d):  # a link to a folder: a verdict, not a walk
                dirnames.remove(d)
                found.append(here / d)
        found += [here / f for f in filenames if not f.startswith(".")]
    return sorted(found)


_REAPER = (
    "import os, shutil, signal, sys, time\n"
    "signal.signal(signal.SIGINT, signal.SIG_IGN)\n"
    "signal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
    "sys.stdin.buffer.read()\n"
    "shutil.rmtree(sys.argv[1], ignore_errors=True)\n"
    "for parent in sys.argv[3:]:\n"  # cgroups left by a killed grader: kill, then remove
    "    try:\n"
    "        names = [n for n in os.listdir(parent) if n.startswith(sys.argv[2])]\n"
    "    except OSError:\n"
    "        continue\n"
    "    for name in names:\n"
    "        try:\n"
    "            with open(os.path.join(parent, name, 'cgroup.kill'), 'w') as f:\n"
    "                f.write('1')\n"
    "        except OSError:\n"
    "            pass\n"
    "        for _ in range(50):\n"
    "            try:\n"
    "                os.rmdir(os.path.join(parent, name))\n"
    "                break\n"
    "            except OSError:\n"
    "                time.sleep(0.02)\n"
)


def _start_reaper(work: Path, cgroup: Path | None = None) -> subprocess.Popen[bytes]:
    """A watcher that removes ``work`` (and this grader's cgroups under ``cgroup``) once the
    grader is gone, however it ended."""
    return subprocess.Popen([sys.executable, "-I", "-c", _REAPER, str(work), cgroup_prefix(),
                             *([str(cgroup)] if cgroup is not None else [])],
                            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)


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
    unsafe: bool = False,
    sandbox: SandboxConfig | None = None,
    select: Callable[[Path], bool] | None = None,
    write: Callable[[ClassResult], None] | None = None,
) -> ClassResult:
    """Grade every file under ``submissions``; write gradebook, feedback and written answers.

    The instructor's grading loop (:mod:`crmc.exercises.gradeloop`) passes ``select`` (grade
    only the files it returns true for) and ``write`` (it stores the rows itself, choosing
    which file counts; the built-in duplicate marking and CSV writing are then skipped).

    Returns a :class:`ClassResult`; its rows are described in :mod:`crmc.exercises.results`.
    ``hide`` is accepted for compatibility: the sandbox's root is minimal, so nothing needs
    hiding. Raises :class:`GradingError` when grading cannot start (no sandbox included).
    """
    del hide
    limits = limits or Limits()
    config = sandbox or SandboxConfig(unsafe=unsafe)
    root = Path(os.path.abspath(submissions))
    out = Path(os.path.abspath(out_dir))
    if not root.is_dir():
        raise GradingError(f"no submissions folder at {submissions}")
    files = [f for f in find_submissions(root) if select is None or select(f)]
    work = Path(tempfile.mkdtemp(prefix="crmc-grade-"))
    cgroup = CgroupChoice(None, "graded without a sandbox") if config.unsafe else detect_cgroup()
    reaper = _start_reaper(work, cgroup.parent)
    scorers: list[Scorer] = []
    try:
        os.chmod(work, 0o711)  # sandbox uids may traverse to the data; nobody may list
        exercise = load_exercise(autograder_zip, work / "exercise")
        workers = max(1, min(jobs or os.cpu_count() or 1, max(1, len(files))))
        slots: queue.Queue[int] = queue.Queue()
        pool_of_scorers: queue.Queue[Scorer] = queue.Queue()
        for i in range(workers):
            slots.put(i)
            scorer = Scorer(exercise.files_dir, exercise.tests, timeout_s=limits.timeout_s + 60)
            scorers.append(scorer)
            pool_of_scorers.put(scorer)
        if files and any(f.suffix.lower() == ".ipynb" for f in files):
            # the worker imports pandas and otter (about a second) while the probe runs;
            # if the probe fails, the finally below stops it
            scorers[0].start()
        try:
            isolation = check_sandbox(config, limits, exercise.data_dir)
        except SandboxUnavailable as exc:
            raise GradingError(f"grading did not start: {exc}") from exc
        if not config.unsafe:
            isolation = isolation_summary(config, cgroup)
        ctx = _Context(root, exercise, limits, config, known, slots, pool_of_scorers,
                       threading.Event(), cgroup)
        rows: list[Row] = []
        with ThreadPoolExecutor(max_workers=workers) as pool:
            futures = [pool.submit(grade_one, f, ctx) for f in files]
            try:
                for fut in futures:
                    row = fut.result()
                    rows.append(row)
                    if progress:
                        progress(row)
            except BaseException:
                ctx.cancel.set()  # running sandboxes are stopped within a second
                for fut in futures:
                    fut.cancel()
                raise
        if write is None:
            _mark_duplicates(rows)
        result = ClassResult(rows, out, exercise, isolation, work)
        (write or write_outputs)(result)
        return result
    finally:
        for scorer in scorers:
            scorer.close()
        shutil.rmtree(work, ignore_errors=True)
        if reaper.stdin is not None:
            reaper.stdin.close()
        reaper.wait()


def _mark_duplicates(rows: list[Row]) -> None:
    """Several files from one student: the most recent counts, the others are superseded."""
    by_student: dict[str, list[Row]] = {}
    for row in rows:
        by_student.setdefault(row.student, []).append(row)
    for student_rows in by_student.values():
        if len(student_rows) < 2:
            continue
        latest = max(student_rows, key=lambda r: (r.mtime, r.file))
        for row in student_rows:
            if row is not latest:
                row.message = (
                    f"another submission from {row.student} counts ({latest.file}, the most "
                    f"recent); this one scored {row.total:g} [{row.status}]"
                )
                row.status = STATUS_SUPERSEDED
