"""Write what grading produced: gradebook, per-student feedback, written answers to mark.

Output folder layout::

    gradebook.csv            one row per submitted file (see :func:`write_gradebook`)
    feedback/<file>.md       per submission: score per question, failed tests and why,
                             when each question was scored, the first error and its cell
    written-answers.md       per manual question: the prompt, then every student's answer
    written-answers.csv      the same, one row per student and question, with a blank score

File names from the class folder are untrusted: feedback files get a name made of safe
characters only (with a short hash when that changed the name), and one row that cannot be
written never stops the others.
"""

from __future__ import annotations

import csv
import hashlib
import re
from pathlib import Path

from .results import (
    COUNTED,
    STATUS_GRADED,
    STATUS_INVALID,
    STATUS_SUPERSEDED,
    STATUS_WRONG_EXERCISE,
    ClassResult,
    Row,
    percent,
)


def safe_name(name: str) -> str:
    """A file name of ``[A-Za-z0-9._-]`` that cannot start with ``-`` or ``.``; distinct
    originals give distinct results (a hash is added whenever characters were replaced)."""
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("_")[:120]
    if cleaned != name or not cleaned or cleaned[0] in "-.":
        digest = hashlib.sha256(name.encode("utf-8", "surrogateescape")).hexdigest()[:8]
        cleaned = f"f_{cleaned}_{digest}" if cleaned else f"f_{digest}"
    return cleaned


def text(value: str) -> str:
    """A string that can be written as UTF-8 (undecodable bytes become ``\\xNN``)."""
    return value.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def feedback_text(row: Row, result: ClassResult) -> str:
    ex = result.exercise
    lines = [f"# Feedback · {ex.manifest.get('title', ex.name)}", "",
             f"- student: {row.student}", f"- file: `{row.file}`", f"- status: **{row.status}**"]
    if row.message:
        lines.append(f"- note: {row.message}")
    if row.scores:
        lines.append(f"- automatic score: {row.total:g} / {ex.possible:g} "
                     f"({percent(row.total, ex.possible)} %)")
    lines.append("")
    if row.status not in (STATUS_GRADED, STATUS_SUPERSEDED) and not row.scores:
        lines += ["This file could not be graded: see the note above and submit again.", ""]
        return "\n".join(lines)
    lines += ["## Questions graded automatically", "", "| question | points | of | scored |",
              "| --- | --- | --- | --- |"]
    for q in ex.auto_questions:
        name = q["name"]
        if name not in row.scored_at:
            when = ""
        elif row.scored_at[name] is None:
            when = "at the end (no `grader.check` cell ran)"
        else:
            when = f"at its check (cell {row.scored_at[name]})"
        lines.append(f"| {name} | {row.scores.get(name, 0):g} | {q['points']:g} | {when} |")
    lines.append("")
    failed = [o for o in row.outcomes if not o.passed]
    if failed:
        lines += ["## Tests that failed", ""]
        for o in failed:
            kind = "hidden test" if o.hidden else "public test"
            lines.append(f"- **{o.question}** ({kind}, {o.points:g} pt): {o.message}")
        lines.append("")
    if row.first_error:
        err = row.first_error
        lines += ["## First error in your notebook", "",
                  f"Cell {err.get('cell')} (code cell {err.get('code_cell')}) raised "
                  f"`{err.get('error')}`:", "", "```python", str(err.get("source", "")).rstrip(),
                  "```", ""]
    if ex.manual_questions:
        lines += ["## Written questions", "",
                  "Graded by your instructor: "
                  + ", ".join(f"{q['name']} ({q['points']:g} pt)" for q in ex.manual_questions)
                  + ".", ""]
    return "\n".join(lines)


def write_gradebook(result: ClassResult, path: Path) -> None:
    """``gradebook.csv``: student, file, points per auto question, a blank column per manual
    question, total, percent, status, message, isolation."""
    ex = result.exercise
    auto = [q["name"] for q in ex.auto_questions]
    manual = [q["name"] for q in ex.manual_questions]
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["student", "file", *auto, *[f"{m} (manual)" for m in manual],
                         "total", "percent", "status", "message", "isolation"])
        for row in sorted(result.rows, key=lambda r: (r.student, r.file)):
            counted = row.status in COUNTED
            scores = [row.scores.get(q, 0.0) if row.scores else "" for q in auto]
            total = row.total if counted else ""
            pct = percent(row.total, ex.possible) if counted else ""
            writer.writerow([text(row.student), text(row.file), *scores, *["" for _ in manual],
                             total, pct, row.status, text(row.message), row.isolation])


def write_outputs(result: ClassResult) -> None:
    out = result.out_dir
    (out / "feedback").mkdir(parents=True, exist_ok=True)
    write_gradebook(result, out / "gradebook.csv")
    for row in result.rows:
        path = out / "feedback" / f"{safe_name(row.file)}.md"
        try:
            path.write_text(text(feedback_text(row, result)), encoding="utf-8")
        except (OSError, ValueError, KeyError, TypeError) as exc:
            path.write_text(f"# Feedback\n\nThe feedback could not be written: {exc}\n",
                            encoding="utf-8")
    ex = result.exercise
    md = [f"# Written answers · {ex.manifest.get('title', ex.name)}", ""]
    skipped = (STATUS_SUPERSEDED, STATUS_INVALID, STATUS_WRONG_EXERCISE)
    graded = sorted((r for r in result.rows if r.status not in skipped),
                    key=lambda r: (r.student, r.file))
    with open(out / "written-answers.csv", "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["question", "student", "file", "answer", "score", "comment"])
        for q in ex.manual_questions:
            md += [f"## {q['name']} ({q['points']:g} points)", "", q.get("prompt", ""), ""]
            for row in graded:
                answer = text(row.written.get(q["name"], ""))
                writer.writerow([q["name"], text(row.student), text(row.file), answer, "", ""])
                md += [f"### {text(row.student)} · `{text(row.file)}`", "",
                       answer if answer else "*(no answer)*", ""]
    (out / "written-answers.md").write_text("\n".join(md), encoding="utf-8")
