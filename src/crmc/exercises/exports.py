"""Exports of the gradebook store: plain, Canvas and Moodle CSVs, written answers, feedback.

Every CSV cell of text that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return
is written with a leading apostrophe (:func:`neutralise`), so a spreadsheet shows it as text
instead of running it as a formula (OWASP's advice on CSV injection); numbers are written as
numbers. Files are written to a temporary name and renamed, so a reader never sees half a file.

LMS formats, as documented by each LMS (checked in ``tests/test_gradebook_cli.py``):

- **Canvas** gradebook import: the columns Canvas's own gradebook export writes
  (``Course#gradebook_to_csv`` in instructure/canvas-lms): ``Student`` ("Last, First"),
  ``ID`` (Canvas user id), ``SIS User ID``, ``SIS Login ID``, ``Section``, then one column per
  assignment named ``<title> (<assignment id>)``, with a second row ``    Points Possible``.
  Canvas's import guide requires the student name or ID or SIS User ID, the SIS Login ID, the
  Section and the assignment column; a column without an assignment id creates a new assignment.
- **Moodle** "Import grades from CSV" (docs.moodle.org, *Grade import*): the columns of
  Moodle's grade export (``First name``, ``Last name``, ``ID number``, ``Email address``), a
  grade column named ``Assignment: <item>`` and its ``Feedback: <item>`` column (the layout of
  Moodle's own test fixture ``grade/import/csv/tests/load_data_test.php``). On import, map
  *Email address* to ``useremail`` (or *ID number* to ``useridnumber``). Moodle's guide warns
  that importing feedback without the grade loses the grade, so both are always written.

An incomplete row (see :mod:`crmc.exercises.totals`) exports an empty grade, never a partial
total that would read as the final mark; the export lists those students on the terminal.
"""

from __future__ import annotations

import csv
import hashlib
import io
import math
import os
import re
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from .gradebook import Gradebook
from .lms import InputError
from .totals import Total, compute

DANGEROUS_START = ("=", "+", "-", "@", "\t", "\r")
FORMATS = ("plain", "canvas", "moodle")


# ------------------------------------------------------------------ safe writing
def neutralise(value: Any) -> Any:
    """A text cell that a spreadsheet would read as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(DANGEROUS_START):
        return "'" + value
    return value


def unneutralise(value: str) -> str:
    """Undo :func:`neutralise` on a cell read back from one of our own CSVs."""
    if value.startswith("'") and value[1:].startswith(DANGEROUS_START):
        return value[1:]
    return value


def _number(x: float | None) -> str:
    if x is None:
        return ""
    return f"{x:g}"


def write_csv(path: Path, rows: Iterable[Sequence[Any]]) -> None:
    """Write rows (every text cell neutralised) atomically."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    for row in rows:
        writer.writerow([neutralise(c) for c in row])
    write_text(path, buf.getvalue())


def write_text(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


# ------------------------------------------------------------------ names
def split_name(name: str) -> tuple[str, str]:
    """(first, last) from "Jane Smith" or "Smith, Jane"."""
    if "," in name:
        last, _, first = name.partition(",")
        return first.strip(), last.strip()
    words = name.split()
    if len(words) < 2:
        return name.strip(), ""
    return " ".join(words[:-1]), words[-1]


def last_first(name: str) -> str:
    first, last = split_name(name)
    return f"{last}, {first}" if last else first


# ------------------------------------------------------------------ gradebook exports
def plain_rows(book: Gradebook, totals: Sequence[Total]) -> list[list[Any]]:
    questions = book.questions()
    auto = [q.name for q in questions if q.kind == "auto"]
    manual = [q.name for q in questions if q.kind == "manual"]
    header = ["student", "file", "name", "email", "status", *auto, "auto_points",
              *[f"{m} (written)" for m in manual], "written_points", "late", "penalty_points",
              "total", "possible", "complete", "percent", "incomplete", "counted_because",
              "message", "isolation"]
    rows: list[list[Any]] = [header]
    for t in totals:
        email = t.roster.email if t.roster else ""
        rows.append([
            t.student, t.file, t.name, email, t.status,
            *[_number(t.auto.get(q)) if t.file else "" for q in auto],
            _number(t.auto_points) if t.file else "",
            *[_number(t.written.get(q)) for q in manual],
            _number(t.written_points) if t.file else "", t.late, _number(t.penalty_points),
            _number(t.total) if t.file else "", _number(t.possible),
            "yes" if t.complete else "no", _number(t.percent), t.incomplete, t.reason,
            t.message, t.isolation,
        ])
    return rows


def canvas_rows(book: Gradebook, totals: Sequence[Total], assignment_id: str = "",
                title: str = "") -> list[list[Any]]:
    name = title or book.meta("title") or book.exercise
    column = f"{name} ({assignment_id})" if assignment_id else name
    possible = totals[0].possible if totals else sum(q.points for q in book.questions())
    rows: list[list[Any]] = [["Student", "ID", "SIS User ID", "SIS Login ID", "Section", column],
                             ["    Points Possible", "", "", "", "", _number(possible)]]
    for t in totals:
        r = t.roster
        rows.append([last_first(t.name), r.canvas_id if r else "", r.sis_id if r else "",
                     r.login if r else "", r.section if r else "",
                     _number(t.total) if t.complete else ""])
    return rows


def moodle_rows(book: Gradebook, totals: Sequence[Total], title: str = "") -> list[list[Any]]:
    item = title or book.meta("title") or book.exercise
    rows: list[list[Any]] = [["First name", "Last name", "ID number", "Email address",
                              f"Assignment: {item}", f"Feedback: {item}"]]
    for t in totals:
        first, last = split_name(t.name)
        r = t.roster
        feedback = _short_feedback(t)
        rows.append([first, last, r.sis_id if r else "", r.email if r else "",
                     _number(t.total) if t.complete else "", feedback])
    return rows


def _short_feedback(t: Total) -> str:
    if not t.file:
        return "No submission."
    parts = [f"Automatic {t.auto_points:g}", f"written {t.written_points:g}"]
    if t.penalty_points:
        parts.append(f"late penalty -{t.penalty_points:g}")
    text = ", ".join(parts) + f"; total {t.total:g} of {t.possible:g}."
    return text if t.complete else f"{text} Not complete: {t.incomplete}."


def export(book: Gradebook, fmt: str, path: Path, *, assignment_id: str = "",
           title: str = "") -> list[Total]:
    """Write one export; returns the totals (callers report incomplete rows)."""
    totals = compute(book)
    if fmt == "plain":
        rows = plain_rows(book, totals)
    elif fmt == "canvas":
        rows = canvas_rows(book, totals, assignment_id, title)
    elif fmt == "moodle":
        rows = moodle_rows(book, totals, title)
    else:
        raise InputError(f"--format must be one of {', '.join(FORMATS)}")
    write_csv(path, rows)
    return totals


# ------------------------------------------------------------------ written answers
WRITTEN_HEADER = ["student", "name", "question", "points", "file", "answer", "score", "comment"]
WRITTEN_REQUIRED = {"student", "question", "score", "comment"}


def written_rows(book: Gradebook, totals: Sequence[Total]) -> list[list[Any]]:
    rows: list[list[Any]] = [WRITTEN_HEADER]
    for q in (q for q in book.questions() if q.kind == "manual"):
        for t in totals:
            if not t.file:
                continue
            rows.append([t.student, t.name, q.name, _number(q.points), t.file,
                         t.answers.get(q.name, ""), _number(t.written.get(q.name)),
                         t.comments.get(q.name, "")])
    return rows


def parse_written(book: Gradebook, path: Path) -> list[tuple[str, str, float | None, str]]:
    """Read an edited written-answers CSV and check every cell; raise with every problem."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read it ({exc})") from None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise InputError(f"{path}: the file is empty") from None
    except csv.Error as exc:
        raise InputError(f"{path}: not a CSV file ({exc})") from None
    names = [h.strip() for h in header]
    missing = WRITTEN_REQUIRED - set(names)
    unknown = [h for h in names if h not in WRITTEN_HEADER]
    if missing or unknown or len(set(names)) != len(names):
        bits = []
        if missing:
            bits.append(f"missing column(s) {', '.join(sorted(missing))}")
        if unknown:
            bits.append(f"unknown column(s) {', '.join(map(repr, unknown))}")
        if len(set(names)) != len(names):
            bits.append("a column appears twice")
        raise InputError(f"{path}: not a written-answers CSV ({'; '.join(bits)}); expected "
                         f"the columns {', '.join(WRITTEN_HEADER)}")
    col = {n: i for i, n in enumerate(names)}
    points = {q.name: q.points for q in book.questions() if q.kind == "manual"}
    students = book.students()
    entries: list[tuple[str, str, float | None, str]] = []
    problems: list[str] = []
    seen: dict[tuple[str, str], int] = {}
    try:
        lines = list(reader)
    except csv.Error as exc:
        raise InputError(f"{path}: not a CSV file ({exc})") from None
    for n, raw in enumerate(lines, start=2):
        if not any(c.strip() for c in raw):
            continue
        if len(raw) != len(names):
            problems.append(f"row {n}: {len(raw)} cells, the header has {len(names)}")
            continue
        student = unneutralise(raw[col["student"]].strip())
        question = raw[col["question"]].strip()
        cell = raw[col["score"]].strip()
        comment = unneutralise(raw[col["comment"]])
        where = f"row {n} ({student or '?'}, {question or '?'})"
        ok = True
        if student not in students:
            problems.append(f"{where}: unknown student {student!r} (not in this gradebook)")
            ok = False
        if question not in points:
            known = ", ".join(points) or "none"
            problems.append(f"{where}: unknown question {question!r} (written questions: "
                            f"{known})")
            ok = False
        if (student, question) in seen:
            problems.append(f"{where}: listed twice (also row {seen[(student, question)]})")
            ok = False
        seen[(student, question)] = n
        score: float | None = None
        if cell:
            try:
                score = float(cell.replace(",", ".") if cell.count(",") == 1 and "." not in cell
                              else cell)
            except ValueError:
                problems.append(f"{where}: score {cell!r} is not a number")
                ok = False
            else:
                if not math.isfinite(score):
                    problems.append(f"{where}: score {cell!r} is not a finite number")
                    ok = False
                elif score < 0:
                    problems.append(f"{where}: score {score:g} is negative")
                    ok = False
                elif question in points and score > points[question]:
                    problems.append(f"{where}: score {score:g} is above the question's "
                                    f"{points[question]:g} points")
                    ok = False
        if ok:
            entries.append((student, question, score, comment))
    if problems:
        raise InputError(f"{path}: {len(problems)} problem(s); nothing was imported:\n  "
                         + "\n  ".join(problems))
    return entries


# ------------------------------------------------------------------ Markdown, escaped
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>#!|~&$])")


def md_text(text: str) -> str:
    """Student text as inline Markdown: every markup character escaped, lines joined."""
    return _MD_SPECIAL.sub(r"\\\1", " ".join(str(text).split()))


def md_block(text: str, lang: str = "") -> str:
    """Student text as a fenced block whose fence no line of it can close."""
    longest = max((len(m) for m in re.findall(r"`+|~+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{lang}\n{text.rstrip()}\n{fence}"


def feedback_name(student: str) -> str:
    """A file name per student that two different keys can never share."""
    slug = re.sub(r"[^\w.-]+", "_", student, flags=re.ASCII).strip("._") or "student"
    digest = hashlib.sha256(student.encode("utf-8", "surrogateescape")).hexdigest()[:8]
    return f"{slug[:60]}-{digest}.md"


def feedback_markdown(book: Gradebook, t: Total) -> str:
    title = book.meta("title") or book.exercise
    questions = book.questions()
    lines = [f"# Feedback · {md_text(title)}", "", f"- student: {md_text(t.name)}",
             f"- file that counts: {md_text(t.file)}" if t.file else "- no submission",
             f"- status: **{md_text(t.status)}**"]
    if t.late:
        lines.append(f"- submitted: {md_text(t.late)}")
    if t.message:
        lines.append(f"- note: {md_text(t.message)}")
    total = f"{t.total:g} / {t.possible:g}"
    lines.append(f"- total: {total}" + (f" ({t.percent:g} %)" if t.percent is not None else
                                         f" so far ({md_text(t.incomplete)})"))
    if t.penalty_points:
        lines.append(f"- late penalty: −{t.penalty_points:g} points")
    lines.append("")
    if not t.file:
        lines += ["Nothing was submitted for this exercise.", ""]
        return "\n".join(lines)
    failed = [o for o in t.outcomes if not o.get("passed")]
    lines += ["## Questions", "", "| question | points | of | |", "| --- | --- | --- | --- |"]
    for q in questions:
        if q.kind == "auto":
            q_failed = [o for o in failed if o.get("question") == q.name]
            unanswered = q_failed and all(o.get("message") == "not answered" for o in q_failed
                                          ) and len(q_failed) == len(
                [o for o in t.outcomes if o.get("question") == q.name])
            note = "not answered" if unanswered else (
                f"{len(q_failed)} test(s) failed" if q_failed else "")
            lines.append(f"| {q.name} | {t.auto.get(q.name, 0):g} | {q.points:g} | {note} |")
        else:
            score = t.written.get(q.name)
            answered = bool(t.answers.get(q.name, "").strip())
            note = ("not answered" if not answered else
                    "written, marked by your instructor" if score is not None else
                    "written, not marked yet")
            shown = "–" if score is None else f"{score:g}"
            lines.append(f"| {q.name} | {shown} | {q.points:g} | {note} |")
    lines.append("")
    real = [o for o in failed if o.get("message") != "not answered"]
    if real:
        lines += ["## Tests that failed", ""]
        for o in real:
            kind = "hidden test" if o.get("hidden") else "public test"
            lines.append(f"- **{md_text(str(o.get('question')))}** ({kind}, "
                         f"{float(o.get('points') or 0):g} pt): {md_text(str(o.get('message')))}")
        lines.append("")
    err = t.first_error
    if err:
        lines += ["## First error in your notebook", "",
                  f"Cell {md_text(str(err.get('cell')))} (code cell "
                  f"{md_text(str(err.get('code_cell')))}) raised:", "",
                  md_block(str(err.get("error", ""))), "", "in this code:", "",
                  md_block(str(err.get("source", "")), "python"), ""]
    comments = [(q, t.comments.get(q.name, "")) for q in questions if q.kind == "manual"]
    if any(c for _, c in comments):
        lines += ["## Your instructor's comments", ""]
        for q, c in comments:
            if c:
                lines += [f"**{q.name}**", "", md_block(c), ""]
    return "\n".join(lines)


def written_markdown(book: Gradebook, totals: Sequence[Total]) -> str:
    title = book.meta("title") or book.exercise
    md = [f"# Written answers · {md_text(title)}", "",
          "Each answer is shown exactly as written, inside a fenced block.", ""]
    for q in (q for q in book.questions() if q.kind == "manual"):
        md += [f"## {q.name} ({q.points:g} points)", ""]
        for t in totals:
            if not t.file:
                continue
            answer = t.answers.get(q.name, "")
            md += [f"### {md_text(t.name)} · {md_text(t.file)}", "",
                   md_block(answer) if answer.strip() else "*(no answer)*", ""]
    return "\n".join(md)


def write_all(book: Gradebook, out_dir: Path) -> list[Total]:
    """Refresh every derived file in ``out_dir`` from the store."""
    totals = compute(book)
    write_csv(out_dir / "gradebook.csv", plain_rows(book, totals))
    write_csv(out_dir / "written-answers.csv", written_rows(book, totals))
    write_text(out_dir / "written-answers.md", written_markdown(book, totals))
    fb = out_dir / "feedback"
    fb.mkdir(parents=True, exist_ok=True)
    for t in totals:
        write_text(fb / feedback_name(t.student), feedback_markdown(book, t))
    return totals
