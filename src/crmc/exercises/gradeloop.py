"""The instructor's grading loop: grade (or regrade) into the store, then refresh the exports.

``crmc-exercises grade`` runs :func:`grade_into_store`. It checks every input first (roster,
deadline, submitted times, students asked for, the store's schema), then hands the chosen files
to the grading engine (:func:`crmc.exercises.grade.grade_class`, through its ``select`` and
``write`` hooks), picks the file that counts for each student graded (:func:`lms.choose`) and
records the run in one transaction. Only the students graded in this run change; the
instructor's written marks live in their own table and are never touched by grading.
"""

from __future__ import annotations

import hashlib
import os
import stat
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO

from .exports import write_all
from .grade import ClassResult, Row, find_submissions, grade_class
from .gradebook import RUN_STATUSES, Attempt, Counted, Question, now, open_store
from .lms import (
    GRADESCOPE_METADATA,
    POLICIES,
    Candidate,
    FileInfo,
    InputError,
    choose,
    describe_files,
    match_roster,
    parse_time,
    read_roster,
    read_submitted_times,
)
from .sandbox import Limits
from .totals import Total


@dataclass
class GradeOptions:
    roster: Path | None = None
    deadline: str | None = None
    policy: str | None = None
    late_penalty: float | None = None
    submitted_times: Path | None = None
    students: list[str] = field(default_factory=list)
    lms: str = "auto"


@dataclass
class RunSummary:
    run_id: int
    files: int
    graded_students: list[str]
    unmatched: list[tuple[str, str]]
    totals: list[Total]
    statuses: dict[str, int]
    isolation: str


def file_sha256(path: Path) -> str:
    """SHA-256 of a regular file, opened without following links or blocking on a FIFO."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return ""
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return ""
        digest = hashlib.sha256()
        while chunk := os.read(fd, 1 << 20):
            digest.update(chunk)
        return digest.hexdigest()
    finally:
        os.close(fd)


class ProgressBar:
    """One line per graded file, and a bar that redraws in place on a terminal."""

    def __init__(self, total: int, stream: TextIO | None = None) -> None:
        self.total, self.done, self.stream = total, 0, stream or sys.stderr
        self.tty = self.stream.isatty()

    def __call__(self, row: Row) -> None:
        self.done += 1
        width = 30
        filled = width * self.done // max(1, self.total)
        bar = "#" * filled + "." * (width - filled)
        line = (f"[{bar}] {self.done}/{self.total}  {row.file[:40]}: {row.status} "
                f"{row.total:g}")
        if self.tty:
            end = "\n" if self.done == self.total else ""
            self.stream.write(f"\r\x1b[2K{line}{end}")
        else:
            self.stream.write(line + "\n")
        self.stream.flush()


def _settings(book_meta: Callable[[str, str], str], opts: GradeOptions) -> dict[str, Any]:
    deadline_text = opts.deadline if opts.deadline is not None else book_meta("deadline", "")
    deadline = parse_time(deadline_text, "--deadline").isoformat() if deadline_text else ""
    policy = opts.policy or book_meta("policy", "") or "latest-on-time"
    if policy not in POLICIES:
        raise InputError(f"--policy must be one of {', '.join(POLICIES)}, not {policy!r}")
    penalty_text = (str(opts.late_penalty) if opts.late_penalty is not None
                    else book_meta("late_penalty", "") or "0")
    penalty = float(penalty_text)
    if not 0 <= penalty <= 100:
        raise InputError(f"--late-penalty is a percentage per day (0–100), not {penalty:g}")
    return {"deadline": deadline, "policy": policy, "late_penalty": penalty, "lms": opts.lms}


def grade_into_store(
    exercise: str, zip_path: Path, submissions: Path, out_dir: Path, opts: GradeOptions, *,
    limits: Limits, jobs: int | None, known: tuple[str, ...], unsafe: bool = False,
    stream: TextIO | None = None,
) -> RunSummary:
    """Grade ``submissions`` (or the chosen students) into ``out_dir``'s store."""
    started = now()
    if not submissions.is_dir():
        raise InputError(f"no submissions folder at {submissions}")
    root = Path(os.path.abspath(submissions))  # the engine resolves it the same way
    roster = read_roster(opts.roster) if opts.roster else None
    times = read_submitted_times(opts.submitted_times) if opts.submitted_times else None
    if opts.deadline:
        parse_time(opts.deadline, "--deadline")
    book = open_store(out_dir, exercise, create=True)
    try:
        settings = _settings(book.meta, opts)
        if roster is None:
            roster = book.roster() or None
        inputs = {p.resolve() for p in (opts.roster, opts.submitted_times) if p}
        files = [p for p in find_submissions(root)
                 if p.name != GRADESCOPE_METADATA and p.resolve() not in inputs]
        infos = describe_files(root, files, opts.lms, times)
        match_roster(infos, roster)
        known_students = ({s.key for s in roster} if roster else set()) | {
            i.student for i in infos if i.student} | set(book.students())
        wanted = {s.strip() for item in opts.students for s in item.split(",") if s.strip()}
        unknown = sorted(wanted - known_students)
        if unknown:
            raise InputError(f"--student: unknown student(s) {', '.join(unknown)} (not on the "
                             "roster, in the folder or in the gradebook)")
        chosen = [i for i in infos if i.student and (not wanted or i.student in wanted)]
        unmatched = [(i.path, i.unmatched) for i in infos if not i.student]
        by_path: dict[str, FileInfo] = {i.path: i for i in chosen}
        # rows name files by str(path relative to the folder); map those keys to our infos
        rel = {str(p.relative_to(root)): p for p in files}
        info_of = {str(p.relative_to(root)): i for p, i in zip(files, infos, strict=True)
                   if i.path in by_path}
        captured: list[ClassResult] = []
        bar = ProgressBar(len(info_of), stream)
        grade_class(zip_path, root, out_dir, limits=limits, jobs=jobs, known=known,
                    progress=bar, select=lambda p: str(p.relative_to(root)) in info_of,
                    write=captured.append, unsafe=unsafe)
        result = captured[0]
        manifest = result.exercise.manifest
        settings["title"] = str(manifest.get("title") or exercise)
        questions = [Question(str(q["name"]), str(q["kind"]), float(q["points"] or 0),
                              [str(v) for v in q.get("variables", [])])
                     for q in manifest["questions"]]
        attempts = [_attempt(r, info_of[r.file], rel[r.file]) for r in result.rows]
        counted = _count(attempts, by_path, settings)
        scope = "class" if not wanted else "students: " + ", ".join(sorted(wanted))
        run_id = book.record_run(
            started_at=started, autograder_sha256=file_sha256(zip_path),
            isolation=result.isolation, scope=scope, settings=settings, questions=questions,
            roster=roster if opts.roster else None, attempts=attempts, counted=counted,
            unmatched=unmatched, whole_class=not wanted)
        totals = write_all(book, out_dir)
    finally:
        book.close()
    statuses: dict[str, int] = {}
    for a in attempts:
        statuses[a.status] = statuses.get(a.status, 0) + 1
    return RunSummary(run_id, len(attempts), sorted({c.student for c in counted}), unmatched,
                      totals, statuses, result.isolation)


def _attempt(row: Row, info: FileInfo, path: Path) -> Attempt:
    return Attempt(
        path=info.path, sha256=file_sha256(path), student=info.student, lms=info.lms,
        submitted_at=info.submitted_at.isoformat() if info.submitted_at else None,
        time_source=info.time_source, late_marker=info.late_marker, status=row.status,
        message=row.message, auto_points=float(row.total),
        scores={k: float(v) for k, v in row.scores.items()},
        outcomes=[{"question": o.question, "test": o.test, "hidden": o.hidden,
                   "points": o.points, "passed": o.passed, "message": o.message}
                  for o in row.outcomes],
        first_error=row.first_error, written=dict(row.written), seconds=float(row.seconds),
        isolation=str(getattr(row, "isolation", "")))


def _count(attempts: Sequence[Attempt], infos: dict[str, FileInfo],
           settings: dict[str, Any]) -> list[Counted]:
    deadline = (datetime.fromisoformat(settings["deadline"]) if settings["deadline"] else None)
    per_student: dict[str, list[Candidate]] = {}
    for a in attempts:
        per_student.setdefault(a.student, []).append(Candidate(
            infos[a.path], a.sha256, a.status, a.auto_points, a.status in RUN_STATUSES))
    counted = []
    for student, candidates in sorted(per_student.items()):
        choice = choose(candidates, settings["policy"], deadline, settings["late_penalty"])
        counted.append(Counted(student, choice.counted.info.path, choice.reason, choice.late,
                               choice.late_days))
    return counted


def summary_lines(s: RunSummary) -> list[str]:
    """The terminal summary after a run."""
    done = [t for t in s.totals if t.complete]
    missing = [t.student for t in s.totals if t.status == "missing"]
    lines = [f"run {s.run_id}: {s.files} file(s) graded for {len(s.graded_students)} "
             f"student(s): " + ", ".join(f"{n} {k}" for k, n in sorted(s.statuses.items()))]
    submitted = [t for t in s.totals if t.file]
    if submitted:
        mean = sum(t.auto_points for t in submitted) / len(submitted)
        lines.append(f"class: {len(submitted)} submitted, {len(done)} complete, mean automatic "
                     f"points {mean:.2f}")
    pending = [t for t in s.totals if t.file and not t.complete]
    if pending:
        lines.append(f"not complete ({len(pending)}): " + "; ".join(
            f"{t.student}: {t.incomplete}" for t in pending[:5])
            + (" …" if len(pending) > 5 else ""))
    if missing:
        lines.append(f"no submission ({len(missing)}): " + ", ".join(missing[:20])
                     + (" …" if len(missing) > 20 else ""))
    for path, reason in s.unmatched:
        lines.append(f"unmatched file (not graded): {path}: {reason}")
    return lines
