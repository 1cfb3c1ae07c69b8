"""Write what grading produced: gradebook, per-student feedback, written answers to mark.

Output folder layout::

    gradebook.csv            one row per submitted file (see ``grade.write_gradebook``)
    feedback/<file>.md       per submission: score per question, failed tests and why,
                             the first error in the notebook with the cell it came from
    written-answers.md       per manual question: the prompt, then every student's answer
    written-answers.csv      the same, one row per student and question, with a blank score
"""

from __future__ import annotations

import csv
import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .grade import ClassResult, Row


def _safe(name: str) -> str:
    return re.sub(r"[^\w.-]+", "_", name).strip("_") or "submission"


def feedback_text(row: Row, result: ClassResult) -> str:
    from .grade import STATUS_GRADED, percent

    ex = result.exercise
    lines = [f"# Feedback · {ex.manifest.get('title', ex.name)}", "",
             f"- student: {row.student}", f"- file: `{row.file}`", f"- status: **{row.status}**"]
    if row.message:
        lines.append(f"- note: {row.message}")
    if row.scores:
        lines.append(f"- automatic score: {row.total:g} / {ex.possible:g} "
                     f"({percent(row.total, ex.possible)} %)")
    lines.append("")
    if row.status not in (STATUS_GRADED, "superseded") and not row.scores:
        lines += ["This file could not be graded: see the note above and submit again.", ""]
        return "\n".join(lines)
    lines += ["## Questions graded automatically", "", "| question | points | of |",
              "| --- | --- | --- |"]
    for q in ex.auto_questions:
        lines.append(f"| {q['name']} | {row.scores.get(q['name'], 0):g} | {q['points']:g} |")
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


def write_outputs(result: ClassResult) -> None:
    from .grade import write_gradebook

    out = result.out_dir
    (out / "feedback").mkdir(parents=True, exist_ok=True)
    write_gradebook(result, out / "gradebook.csv")
    for row in result.rows:
        path = out / "feedback" / f"{_safe(row.file)}.md"
        path.write_text(feedback_text(row, result), encoding="utf-8")
    ex = result.exercise
    md = [f"# Written answers · {ex.manifest.get('title', ex.name)}", ""]
    graded = sorted((r for r in result.rows if r.status != "superseded" and r.status != "invalid"
                     and r.status != "wrong-exercise"), key=lambda r: (r.student, r.file))
    with open(out / "written-answers.csv", "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["question", "student", "file", "answer", "score", "comment"])
        for q in ex.manual_questions:
            md += [f"## {q['name']} ({q['points']:g} points)", "", q.get("prompt", ""), ""]
            for row in graded:
                answer = row.written.get(q["name"], "")
                writer.writerow([q["name"], row.student, row.file, answer, "", ""])
                md += [f"### {row.student} · `{row.file}`", "",
                       answer if answer else "*(no answer)*", ""]
    (out / "written-answers.md").write_text("\n".join(md), encoding="utf-8")
