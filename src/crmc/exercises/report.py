"""The class report: one self-contained HTML file, charts drawn as inline SVG.

``crmc-exercises report GRADES_DIR`` writes ``report.html``: the overall score distribution,
one distribution per question, the share of the class failing each hidden test, and who is
still missing (roster rows with no submission, files matched to no student, files that could
not be run). Nothing is loaded from anywhere: no script, font, stylesheet or image outside the
file, so it opens offline and can be mailed. Every chart has a title, a text description and
its numbers in a table beside it; colours are Okabe–Ito (colour-blind safe). Every string that
comes from a student (names, file names, messages) is HTML-escaped.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from html import escape
from pathlib import Path

from .exports import write_text
from .gradebook import RUN_STATUSES, Gradebook
from .totals import Total, compute

BLUE, ORANGE, GREY = "#0072B2", "#E69F00", "#6b6b6b"


def _svg_bars(chart_id: str, title: str, desc: str, labels: Sequence[str],
              values: Sequence[float], *, x_title: str, y_title: str, horizontal: bool = False,
              percent: bool = False) -> str:
    """A bar chart as SVG (vertical bars, or horizontal for long labels)."""
    n = max(1, len(labels))
    top = max([*values, 1e-9])
    if percent:
        top = 100.0
    if horizontal:
        bar_h, left, width = 22, 260, 640
        height = 40 + n * bar_h + 40
        plot_w = width - left - 30
        parts = []
        for i, (label, value) in enumerate(zip(labels, values, strict=True)):
            y = 30 + i * bar_h
            w = max(1.0, plot_w * value / top) if value else 0.0
            text = f"{value:.0f} %" if percent else f"{value:g}"
            parts.append(
                f'<text x="{left - 6}" y="{y + 15}" text-anchor="end" class="lab">'
                f"{escape(label[:40])}</text>"
                f'<rect class="bar" x="{left}" y="{y + 3}" width="{w:.1f}" height="{bar_h - 6}"'
                f' fill="{ORANGE}"><title>{escape(label)}: {text}</title></rect>'
                f'<text x="{left + w + 4:.1f}" y="{y + 15}" class="val">{text}</text>')
        axis = (f'<line x1="{left}" y1="{30 + n * bar_h}" x2="{left + plot_w}" '
                f'y2="{30 + n * bar_h}" stroke="{GREY}"/>'
                f'<text x="{left + plot_w / 2}" y="{height - 8}" text-anchor="middle" '
                f'class="axis">{escape(x_title)}</text>')
    else:
        width, height, left, bottom = 640, 300, 50, 50
        plot_w, plot_h = width - left - 20, height - bottom - 30
        slot = plot_w / n
        parts = []
        for i, (label, value) in enumerate(zip(labels, values, strict=True)):
            h = plot_h * value / top if value else 0.0
            x = left + i * slot + slot * 0.1
            parts.append(
                f'<rect class="bar" x="{x:.1f}" y="{30 + plot_h - h:.1f}" width="{slot * 0.8:.1f}"'
                f' height="{h:.1f}" fill="{BLUE}"><title>{escape(label)}: {value:g}</title></rect>'
                f'<text x="{x + slot * 0.4:.1f}" y="{30 + plot_h + 16}" text-anchor="middle" '
                f'class="lab">{escape(label)}</text>')
            if value:
                parts.append(f'<text x="{x + slot * 0.4:.1f}" y="{30 + plot_h - h - 4:.1f}" '
                             f'text-anchor="middle" class="val">{value:g}</text>')
        axis = (f'<line x1="{left}" y1="{30 + plot_h}" x2="{left + plot_w}" y2="{30 + plot_h}" '
                f'stroke="{GREY}"/><line x1="{left}" y1="30" x2="{left}" y2="{30 + plot_h}" '
                f'stroke="{GREY}"/>'
                f'<text x="{left + plot_w / 2}" y="{height - 10}" text-anchor="middle" '
                f'class="axis">{escape(x_title)}</text>'
                f'<text x="14" y="{30 + plot_h / 2}" text-anchor="middle" class="axis" '
                f'transform="rotate(-90 14 {30 + plot_h / 2})">{escape(y_title)}</text>')
    rows = "".join(f"<tr><td>{escape(lab)}</td><td>{v:g}</td></tr>"
                   for lab, v in zip(labels, values, strict=True))
    return (
        f'<figure class="chart" id="{chart_id}">'
        f'<svg role="img" aria-labelledby="{chart_id}-t {chart_id}-d" viewBox="0 0 {width} '
        f'{height}" width="{width}" height="{height}" xmlns="http://www.w3.org/2000/svg">'
        f'<title id="{chart_id}-t">{escape(title)}</title><desc id="{chart_id}-d">'
        f"{escape(desc)}</desc>{axis}{''.join(parts)}</svg>"
        f"<figcaption><strong>{escape(title)}.</strong> {escape(desc)}</figcaption>"
        f"<details><summary>The numbers</summary><table><thead><tr><th>{escape(x_title if not horizontal else 'test')}</th>"  # noqa: E501
        f"<th>{escape(y_title if not horizontal else x_title)}</th></tr></thead><tbody>{rows}"
        f"</tbody></table></details></figure>")


def _histogram(values: Sequence[float], possible: float) -> tuple[list[str], list[float]]:
    """Counts per whole point from 0 to ``possible`` (scores rounded down)."""
    top = int(possible)
    counts = Counter(min(top, int(v)) for v in values)
    return [str(i) for i in range(top + 1)], [float(counts.get(i, 0)) for i in range(top + 1)]


def hidden_test_failures(totals: Sequence[Total]) -> list[tuple[str, float, int]]:
    """(question · test, share of students failing it in %, students) over run submissions."""
    ran = [t for t in totals if t.status in RUN_STATUSES]
    failed: Counter[str] = Counter()
    seen: Counter[str] = Counter()
    for t in ran:
        for o in t.outcomes:
            if not o.get("hidden"):
                continue
            key = f"{o.get('question')} · {o.get('test')}"
            seen[key] += 1
            failed[key] += 0 if o.get("passed") else 1
    out = [(k, 100.0 * failed[k] / seen[k], seen[k]) for k in seen]
    return sorted(out, key=lambda x: (-x[1], x[0]))


def render(book: Gradebook) -> str:
    totals = compute(book)
    title = book.meta("title") or book.exercise
    questions = book.questions()
    submitted = [t for t in totals if t.file]
    possible = sum(q.points for q in questions)
    charts: list[str] = []
    labels, counts = _histogram([t.total for t in submitted], possible)
    incomplete = sum(not t.complete for t in submitted)
    charts.append(_svg_bars(
        "overall", "Total points, whole class",
        f"Number of students by total points out of {possible:g}, for the {len(submitted)} "
        f"students who submitted; {incomplete} of them are not complete yet (written marks "
        "missing or a late penalty undetermined), so their totals can still rise.",
        labels, counts, x_title="total points", y_title="students"))
    for q in questions:
        if q.kind == "auto":
            values = [t.auto.get(q.name, 0.0) for t in submitted]
        else:
            values = [v for t in submitted if (v := t.written.get(q.name)) is not None]
        labels, counts = _histogram(values, q.points)
        kind = "automatic" if q.kind == "auto" else "written, marked by the instructor"
        charts.append(_svg_bars(
            f"question-{q.name}", f"{q.name}: points ({kind})",
            f"Number of students by points on {q.name} (out of {q.points:g}); "
            f"{len(values)} student(s) counted.", labels, counts, x_title="points",
            y_title="students"))
    fails = hidden_test_failures(totals)
    if fails:
        charts.append(_svg_bars(
            "hidden-tests", "Share of the class failing each hidden test",
            "For each hidden test, the percentage of students whose counted notebook ran and "
            "failed it; the most-failed first.", [f[0] for f in fails], [f[1] for f in fails],
            x_title="students failing (%)", y_title="", horizontal=True, percent=True))
    missing = [t for t in totals if t.status == "missing"]
    broken = [t for t in submitted if t.status not in RUN_STATUSES]
    rows = "".join(f"<tr><td>{escape(t.student)}</td><td>{escape(t.name)}</td>"
                   f"<td>no submission</td></tr>" for t in missing)
    rows += "".join(f"<tr><td>{escape(t.student)}</td><td>{escape(t.name)}</td>"
                    f"<td>{escape(t.status)}: {escape(t.message[:200])}</td></tr>"
                    for t in broken)
    rows += "".join(f"<tr><td>–</td><td>{escape(path)}</td><td>unmatched file: "
                    f"{escape(reason)}</td></tr>" for path, reason in book.unmatched())
    missing_html = (f"<table><thead><tr><th>student</th><th>name or file</th><th>why</th></tr>"
                    f"</thead><tbody>{rows}</tbody></table>" if rows else
                    "<p>Nobody is missing: every roster student has a gradable submission.</p>")
    student_rows = "".join(
        f"<tr><td>{escape(t.student)}</td><td>{escape(t.name)}</td><td>{escape(t.file)}</td>"
        f"<td>{t.auto_points:g}</td><td>{t.written_points:g}</td><td>{t.total:g}</td>"
        f"<td>{'complete' if t.complete else escape(t.incomplete)}</td></tr>"
        for t in submitted)
    students_html = (
        "<table><thead><tr><th>student</th><th>name</th><th>file that counts</th>"
        "<th>automatic</th><th>written</th><th>total</th><th>complete?</th></tr></thead>"
        f"<tbody>{student_rows}</tbody></table>")
    complete = [t for t in submitted if t.complete]
    mean = sum(t.total for t in complete) / len(complete) if complete else 0.0
    runs = book.runs()
    last = runs[-1] if runs else {}
    stats = (f"<ul><li>{len(totals)} students ({len(missing)} with no submission), "
             f"{len(submitted)} submitted, {len(complete)} complete</li>"
             f"<li>mean total of complete students: {mean:.2f} of {possible:g}</li>"
             f"<li>{len(runs)} grading run(s); last: {escape(str(last.get('finished_at', '')))}"
             f", {escape(str(last.get('engine_version', '')))}</li>"
             f"<li>deadline: {escape(book.meta('deadline') or 'none')}; policy: "
             f"{escape(book.meta('policy') or 'latest-on-time')}; late penalty: "
             f"{escape(book.meta('late_penalty') or '0')} % per day</li></ul>")
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>Class report · {escape(title)}</title>
<style>
body {{ font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto;
       padding: 0 1rem; color: #1a1a1a; }}
figure.chart {{ margin: 2rem 0; }} svg {{ max-width: 100%; height: auto; }}
.lab, .val {{ font-size: 12px; fill: #1a1a1a; }} .axis {{ font-size: 13px; fill: #333; }}
table {{ border-collapse: collapse; }} td, th {{ border: 1px solid #ccc; padding: .2rem .5rem;
text-align: left; }}
</style></head>
<body><main>
<h1>Class report · {escape(title)}</h1>
{stats}
<h2>Scores</h2>
{''.join(charts)}
<h2>Still missing</h2>
{missing_html}
<h2>Every submission</h2>
{students_html}
</main></body></html>
"""


def write_report(book: Gradebook, path: Path) -> None:
    write_text(path, render(book))
