"""The gradebook of one exercise: a durable SQLite store in the output folder.

``<out>/gradebook.sqlite`` is the record of truth; every CSV the module writes is an export of
it (:mod:`crmc.exercises.exports`). It holds

- ``runs``: every grading run (when, engine version, autograder hash, isolation, which students);
- ``attempts``: every file graded in a run (path, SHA-256, LMS, submission time, verdict, scores);
- ``students``: the current row per student (the file that counts and why, scores, lateness);
- ``written``: the instructor's scores and comments for written questions, which only
  ``import-written`` changes: no grading run writes to this table;
- ``roster``, ``unmatched``, ``questions`` and ``meta`` (exercise, deadline, policy, penalty).

Each command changes the store in one transaction (``BEGIN IMMEDIATE`` … ``COMMIT``), so a
failed or interrupted command leaves it as it was. ``PRAGMA user_version`` holds the schema
version; a store written by a newer version of the module is refused, not half-read.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .lms import Student

SCHEMA_VERSION = 1
STORE_NAME = "gradebook.sqlite"
RUN_STATUSES = ("graded", "timeout", "crashed")  # the notebook ran: its automatic score stands

SCHEMA = """
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE questions(name TEXT PRIMARY KEY, kind TEXT NOT NULL, points REAL NOT NULL,
                       position INTEGER NOT NULL, variables TEXT NOT NULL DEFAULT '[]');
CREATE TABLE roster(student TEXT PRIMARY KEY, name TEXT NOT NULL, login TEXT NOT NULL,
                    sis_id TEXT NOT NULL, email TEXT NOT NULL, canvas_id TEXT NOT NULL,
                    section TEXT NOT NULL, position INTEGER NOT NULL);
CREATE TABLE runs(id INTEGER PRIMARY KEY, started_at TEXT NOT NULL, finished_at TEXT NOT NULL,
                  engine_version TEXT NOT NULL, autograder_sha256 TEXT NOT NULL,
                  isolation TEXT NOT NULL, scope TEXT NOT NULL, settings TEXT NOT NULL,
                  files INTEGER NOT NULL);
CREATE TABLE attempts(run_id INTEGER NOT NULL REFERENCES runs(id), path TEXT NOT NULL,
                      sha256 TEXT NOT NULL, student TEXT NOT NULL, lms TEXT NOT NULL,
                      submitted_at TEXT, time_source TEXT NOT NULL, late_marker INTEGER NOT NULL,
                      status TEXT NOT NULL, message TEXT NOT NULL, auto_points REAL NOT NULL,
                      scores TEXT NOT NULL, outcomes TEXT NOT NULL, first_error TEXT,
                      written TEXT NOT NULL, seconds REAL NOT NULL, isolation TEXT NOT NULL,
                      PRIMARY KEY(run_id, path));
CREATE TABLE students(student TEXT PRIMARY KEY, run_id INTEGER NOT NULL REFERENCES runs(id),
                      path TEXT NOT NULL, sha256 TEXT NOT NULL, status TEXT NOT NULL,
                      message TEXT NOT NULL, reason TEXT NOT NULL, late TEXT NOT NULL,
                      late_days INTEGER, auto_points REAL NOT NULL, scores TEXT NOT NULL,
                      outcomes TEXT NOT NULL, first_error TEXT, written TEXT NOT NULL,
                      updated_at TEXT NOT NULL, isolation TEXT NOT NULL);
CREATE TABLE written(student TEXT NOT NULL, question TEXT NOT NULL, score REAL,
                     comment TEXT NOT NULL, answer_sha256 TEXT NOT NULL, entered_at TEXT NOT NULL,
                     PRIMARY KEY(student, question));
CREATE TABLE unmatched(path TEXT PRIMARY KEY, reason TEXT NOT NULL, run_id INTEGER NOT NULL);
"""


class GradebookError(RuntimeError):
    """The store cannot be used as asked (newer schema, other exercise, not a store)."""


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def text_sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def engine_version() -> str:
    """The package version and a hash of the grading engine's source files."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        pkg = version("crmc")
    except PackageNotFoundError:
        pkg = "unknown"
    here = Path(__file__).parent
    digest = hashlib.sha256()
    for name in ("grade.py", "runner.py", "sandbox.py"):
        path = here / name
        if path.is_file():
            digest.update(path.read_bytes())
    return f"crmc {pkg}, engine {digest.hexdigest()[:12]}"


@dataclass
class Question:
    name: str
    kind: str  # "auto" | "manual"
    points: float
    variables: list[str] = field(default_factory=list)


@dataclass
class Attempt:
    """One file graded in a run, ready to be stored."""

    path: str
    sha256: str
    student: str
    lms: str
    submitted_at: str | None
    time_source: str
    late_marker: bool
    status: str
    message: str
    auto_points: float
    scores: dict[str, float]
    outcomes: list[dict[str, Any]]
    first_error: dict[str, Any] | None
    written: dict[str, str]
    seconds: float
    isolation: str = "bubblewrap"


@dataclass
class Counted:
    """The file that counts for one student, and why."""

    student: str
    path: str
    reason: str
    late: str
    late_days: int | None


class Gradebook:
    """An open store. Use :func:`open_store`; read with the ``rows``/``written`` helpers."""

    def __init__(self, conn: sqlite3.Connection, path: Path) -> None:
        self.conn = conn
        self.path = path

    # -------------------------------------------------------------- transactions
    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.conn
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        else:
            self.conn.execute("COMMIT")

    def close(self) -> None:
        self.conn.close()

    # -------------------------------------------------------------- meta
    def meta(self, key: str, default: str = "") -> str:
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return str(row[0]) if row else default

    @property
    def exercise(self) -> str:
        return self.meta("exercise")

    def questions(self) -> list[Question]:
        return [Question(r[0], r[1], float(r[2]), json.loads(r[3])) for r in self.conn.execute(
            "SELECT name, kind, points, variables FROM questions ORDER BY position")]

    def roster(self) -> list[Student]:
        return [Student(key=r[0], name=r[1], login=r[2], sis_id=r[3], email=r[4], canvas_id=r[5],
                        section=r[6]) for r in self.conn.execute(
            "SELECT student, name, login, sis_id, email, canvas_id, section FROM roster "
            "ORDER BY position")]

    def students(self) -> dict[str, dict[str, Any]]:
        cur = self.conn.execute("SELECT * FROM students ORDER BY student")
        names = [d[0] for d in cur.description]
        out = {}
        for raw in cur:
            row = dict(zip(names, raw, strict=True))
            for key in ("scores", "outcomes", "written"):
                row[key] = json.loads(row[key])
            row["first_error"] = json.loads(row["first_error"]) if row["first_error"] else None
            out[row["student"]] = row
        return out

    def written(self) -> dict[tuple[str, str], dict[str, Any]]:
        return {(r[0], r[1]): {"score": r[2], "comment": r[3], "answer_sha256": r[4],
                               "entered_at": r[5]}
                for r in self.conn.execute(
                    "SELECT student, question, score, comment, answer_sha256, entered_at "
                    "FROM written")}

    def unmatched(self) -> list[tuple[str, str]]:
        return [(r[0], r[1]) for r in self.conn.execute(
            "SELECT path, reason FROM unmatched ORDER BY path")]

    def runs(self) -> list[dict[str, Any]]:
        cur = self.conn.execute("SELECT * FROM runs ORDER BY id")
        names = [d[0] for d in cur.description]
        return [dict(zip(names, r, strict=True)) for r in cur]

    def attempts(self, run_id: int | None = None) -> list[dict[str, Any]]:
        sql = "SELECT run_id, path, sha256, student, status, auto_points FROM attempts"
        args: tuple[Any, ...] = ()
        if run_id is not None:
            sql += " WHERE run_id = ?"
            args = (run_id,)
        cur = self.conn.execute(sql + " ORDER BY run_id, path", args)
        names = [d[0] for d in cur.description]
        return [dict(zip(names, r, strict=True)) for r in cur]

    # -------------------------------------------------------------- writing a run
    def record_run(
        self, *, started_at: str, autograder_sha256: str, isolation: str, scope: str,
        settings: dict[str, Any], questions: Sequence[Question], roster: Sequence[Student] | None,
        attempts: Sequence[Attempt], counted: Sequence[Counted],
        unmatched: Sequence[tuple[str, str]], whole_class: bool,
    ) -> int:
        """Store one grading run in one transaction; only the students in ``counted`` change."""
        by_path = {a.path: a for a in attempts}
        with self.transaction() as db:
            self._set_questions(db, questions)
            for key in ("deadline", "policy", "late_penalty", "lms", "title"):
                db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)",
                           (key, str(settings.get(key, ""))))
            if roster is not None:
                db.execute("DELETE FROM roster")
                db.executemany(
                    "INSERT INTO roster VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    [(s.key, s.name, s.login, s.sis_id, s.email, s.canvas_id, s.section, i)
                     for i, s in enumerate(roster)])
            cur = db.execute(
                "INSERT INTO runs(started_at, finished_at, engine_version, autograder_sha256, "
                "isolation, scope, settings, files) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (started_at, now(), engine_version(), autograder_sha256, isolation, scope,
                 json.dumps(settings, sort_keys=True), len(attempts)))
            run_id = int(cur.lastrowid or 0)
            db.executemany(
                "INSERT INTO attempts VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [(run_id, a.path, a.sha256, a.student, a.lms, a.submitted_at, a.time_source,
                  int(a.late_marker), a.status, a.message, a.auto_points, json.dumps(a.scores),
                  json.dumps(a.outcomes), json.dumps(a.first_error) if a.first_error else None,
                  json.dumps(a.written), a.seconds, a.isolation) for a in attempts])
            stamp = now()
            for c in counted:
                a = by_path[c.path]
                db.execute(
                    "INSERT OR REPLACE INTO students VALUES "
                    "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (c.student, run_id, a.path, a.sha256, a.status, a.message, c.reason, c.late,
                     c.late_days, a.auto_points, json.dumps(a.scores), json.dumps(a.outcomes),
                     json.dumps(a.first_error) if a.first_error else None,
                     json.dumps(a.written), stamp, a.isolation))
            if whole_class:
                db.execute("DELETE FROM unmatched")
            db.executemany("INSERT OR REPLACE INTO unmatched VALUES (?, ?, ?)",
                           [(p, r, run_id) for p, r in unmatched])
        return run_id

    def _set_questions(self, db: sqlite3.Connection, questions: Sequence[Question]) -> None:
        old = self.questions()
        new = list(questions)
        if old and [(q.name, q.kind, q.points) for q in old] != [
                (q.name, q.kind, q.points) for q in new]:
            raise GradebookError(
                f"the exercise's questions changed since this gradebook was started "
                f"({', '.join(q.name for q in old)} → {', '.join(q.name for q in new)}): "
                "grade into a new --out folder")
        db.execute("DELETE FROM questions")
        db.executemany("INSERT INTO questions VALUES (?, ?, ?, ?, ?)",
                       [(q.name, q.kind, q.points, i, json.dumps(q.variables))
                        for i, q in enumerate(new)])

    def set_written(self, entries: Sequence[tuple[str, str, float | None, str]]) -> int:
        """Store instructor entries (student, question, score or None, comment); one transaction.

        Each entry records the SHA-256 of the answer it marks, so a later regrade that changes
        the counted answer shows the mark as out of date instead of silently keeping it.
        """
        current = self.students()
        stamp = now()
        with self.transaction() as db:
            for student, question, score, comment in entries:
                answer = str(current.get(student, {}).get("written", {}).get(question, ""))
                db.execute("INSERT OR REPLACE INTO written VALUES (?, ?, ?, ?, ?, ?)",
                           (student, question, score, comment, text_sha(answer), stamp))
        return len(entries)


def store_path(out_dir: Path) -> Path:
    return out_dir / STORE_NAME


def open_store(out_dir: Path, exercise: str | None = None, *, create: bool = False) -> Gradebook:
    """Open (or, with ``create``, start) the store in ``out_dir`` and check its schema."""
    path = store_path(out_dir)
    if not path.exists() and not create:
        raise GradebookError(f"no gradebook in {out_dir} (expected {path}): run "
                             "'crmc-exercises grade' with --out pointing there first")
    if path.exists() and not path.is_file():
        raise GradebookError(f"{path} is not a file")
    if create:
        out_dir.mkdir(parents=True, exist_ok=True)
    try:
        conn = sqlite3.connect(path, isolation_level=None, timeout=30)
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    except sqlite3.DatabaseError as exc:
        raise GradebookError(f"{path} is not a gradebook store ({exc})") from None
    if version > SCHEMA_VERSION:
        conn.close()
        raise GradebookError(
            f"{path} was written by a newer version of crmc (schema {version}; this version "
            f"reads up to {SCHEMA_VERSION}): upgrade the module, or grade into another folder")
    book = Gradebook(conn, path)
    if version == 0:
        if tables:
            conn.close()
            raise GradebookError(f"{path} is an SQLite file but not a gradebook store")
        if exercise is None:
            conn.close()
            raise GradebookError(f"{path} is empty: grade the class first")
        with book.transaction() as db:
            for statement in SCHEMA.split(";"):
                if statement.strip():
                    db.execute(statement)
            db.execute("INSERT INTO meta VALUES ('exercise', ?)", (exercise,))
            db.execute("INSERT INTO meta VALUES ('created_at', ?)", (now(),))
            db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
    if exercise is not None and book.exercise != exercise:
        other = book.exercise
        conn.close()
        raise GradebookError(f"{out_dir} holds the gradebook of {other!r}, not {exercise!r}: "
                             "use another --out folder")
    return book
