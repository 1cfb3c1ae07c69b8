"""Totals that mean what they say, computed from the store for every student.

For each student (every roster row, and everyone who submitted):

- ``auto_points``: the automatic points of the file that counts (0 when it is invalid; a
  notebook that timed out or crashed keeps what its tests gave);
- ``written_points``: the instructor's scores for the written questions entered so far; a
  written question left unanswered scores 0 without waiting for the instructor;
- ``penalty_points``: the late penalty (``late_penalty`` per cent of all points per day late);
- ``total`` out of ``possible`` (all points, automatic and written);
- ``complete``: every part graded, the penalty known and every written mark about the answer
  that counts now; ``percent`` only then, otherwise empty and ``incomplete`` says why.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .gradebook import RUN_STATUSES, Gradebook, Question, text_sha
from .lms import Student


@dataclass
class Total:
    student: str
    name: str
    roster: Student | None
    status: str  # a verdict, or "missing" (on the roster, nothing submitted)
    file: str
    reason: str
    late: str
    message: str
    auto: dict[str, float]
    written: dict[str, float | None]
    comments: dict[str, str]
    answers: dict[str, str]
    auto_points: float
    written_points: float
    penalty_points: float
    total: float
    possible: float
    complete: bool
    percent: float | None
    incomplete: str
    outcomes: list[dict[str, Any]] = field(default_factory=list)
    first_error: dict[str, Any] | None = None
    isolation: str = ""


def _round(x: float) -> float:
    return round(x + 0.0, 4)


def compute(book: Gradebook) -> list[Total]:
    """One :class:`Total` per student: roster order first, then others by key."""
    questions = book.questions()
    auto_q = [q for q in questions if q.kind == "auto"]
    manual_q = [q for q in questions if q.kind == "manual"]
    possible = float(sum(q.points for q in questions))
    penalty_per_day = float(book.meta("late_penalty") or 0)
    roster = book.roster()
    rows = book.students()
    marks = book.written()
    keys = [s.key for s in roster] + sorted(k for k in rows if k not in {s.key for s in roster})
    by_key = {s.key: s for s in roster}
    out = []
    for key in keys:
        student = by_key.get(key)
        row = rows.get(key)
        if row is None:
            out.append(Total(
                key, student.name if student else key, student, "missing", "",
                "no submission", "", "", {}, {}, {}, {}, 0.0, 0.0, 0.0, 0.0, possible, False,
                None, "no submission"))
            continue
        out.append(_total(key, student, row, marks, auto_q, manual_q, possible, penalty_per_day))
    return out


def _total(key: str, student: Student | None, row: dict[str, Any],
           marks: dict[tuple[str, str], dict[str, Any]], auto_q: list[Question],
           manual_q: list[Question], possible: float, penalty_per_day: float) -> Total:
    why: list[str] = []
    ran = row["status"] in RUN_STATUSES
    auto = {q.name: float(row["scores"].get(q.name, 0.0)) if ran else 0.0 for q in auto_q}
    # an invalid file has no answers at all: every part of it scores 0
    answers: dict[str, str] = {q.name: str(row["written"].get(q.name, "")) for q in manual_q}
    written: dict[str, float | None] = {}
    comments: dict[str, str] = {}
    pending = []
    for q in manual_q:
        mark = marks.get((key, q.name))
        comments[q.name] = str(mark["comment"]) if mark else ""
        if mark and mark["score"] is not None:
            written[q.name] = float(mark["score"])
            if mark["answer_sha256"] != text_sha(answers[q.name]):
                why.append(f"{q.name}: the answer changed since it was marked (regrade); "
                           "check the mark")
        elif not answers[q.name].strip():
            written[q.name] = 0.0  # nothing to mark
        else:
            written[q.name] = None
            pending.append(q.name)
    if pending:
        why.insert(0, f"written question(s) {', '.join(pending)} not marked yet")
    auto_points = _round(sum(auto.values()))
    written_points = _round(sum(v for v in written.values() if v is not None))
    earned = auto_points + written_points
    days = row["late_days"]
    penalty = 0.0
    if days is None:
        if penalty_per_day > 0:
            why.append("late, but by how many days is unknown: supply --submitted-times "
                       "to apply the late penalty")
    elif days > 0 and penalty_per_day > 0:
        penalty = min(earned, possible * min(100.0, penalty_per_day * days) / 100.0)
    total = _round(max(0.0, earned - penalty))
    complete = not why
    return Total(
        key, student.name if student else key, student, row["status"], row["path"],
        row["reason"], row["late"], row["message"], auto, written, comments, answers,
        auto_points, written_points, _round(penalty), total, possible, complete,
        round(100.0 * total / possible, 1) if complete and possible else None,
        "; ".join(why), row["outcomes"], row["first_error"], row["isolation"])
