"""The instructor's grading loop, through the ``crmc-exercises`` command line, on real folders.

One build of exercise 1 (module-scoped); each test grades small class folders made from its
student notebook (blank: 0 automatic points) and solution notebook (9 of 9), with written answers
set per file. Checks: the store and regrading, written-score import, totals, deadlines and
policies, LMS names and roster, Canvas / Moodle / plain exports, feedback and CSV safety.
"""

from __future__ import annotations

import csv
import hashlib
import importlib.util
import json
import re
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from crmc.exercises.build import Products, build_exercise
from crmc.exercises.cli import main as cli

FIXTURES = Path(__file__).parent / "fixtures"
EXERCISE = "part1-history"
pytestmark = pytest.mark.slow


def _data_dir() -> Path | None:
    spec = importlib.util.spec_from_file_location(
        "crmc_gradebook_recipes", FIXTURES / "submissions" / "recipes.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    result: Path | None = module.load().data_dir()
    return result


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Products:
    return build_exercise(EXERCISE, tmp_path_factory.mktemp("build"), data_dir=_data_dir(),
                          run_tests=False)


def notebook(products: Products, *, solved: bool, written: str | None = None) -> bytes:
    """The student (blank) or solution notebook, with the written answer set to ``written``."""
    path = products.solution_notebook if solved else products.student_notebook
    nb: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    if written is not None:
        cells = nb["cells"]
        end = next(i for i, c in enumerate(cells) if "<!-- END QUESTION -->" in "".join(
            c["source"]) and any("Question 7" in "".join(d["source"]) for d in cells[:i]))
        cells[end - 1]["source"] = written
    return json.dumps(nb).encode("utf-8")


def grade(products: Products, subs: Path, out: Path, *extra: str) -> int:
    return cli(["grade", EXERCISE, str(subs), "--autograder", str(products.autograder_zip),
                "--out", str(out), "--timeout", "30", *extra])


def table(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def by_student(out: Path) -> dict[str, dict[str, str]]:
    return {r["student"]: r for r in table(out / "gradebook.csv")}


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def write_marks(out: Path, marks: dict[str, tuple[str, str]], dest: Path) -> Path:
    rows = table(out / "written-answers.csv")
    for row in rows:
        if row["student"] in marks:
            row["score"], row["comment"] = marks[row["student"]]
    with open(dest, "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return dest


# ------------------------------------------------------------------ store and regrading
def test_regrade_one_student_keeps_the_others_and_the_written_marks(
        built: Products, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    subs, out = tmp_path / "subs", tmp_path / "out"
    subs.mkdir()
    (subs / "alice.ipynb").write_bytes(notebook(built, solved=True, written="Alice's essay."))
    (subs / "bob.ipynb").write_bytes(notebook(built, solved=False, written="Bob's essay."))
    (subs / "carol.ipynb").write_bytes(notebook(built, solved=True, written="Carol's essay."))
    assert grade(built, subs, out) == 0
    first = by_student(out)
    assert {k: first[k]["auto_points"] for k in first} == {"alice": "9", "bob": "0", "carol": "9"}
    # written not marked yet: total out of all points, no percent, and the reason
    assert first["alice"]["total"] == "9" and first["alice"]["possible"] == "13"
    assert first["alice"]["complete"] == "no" and first["alice"]["percent"] == ""
    assert "q7 not marked" in first["alice"]["incomplete"]

    marks = write_marks(out, {"alice": ("4", "Clear."), "bob": ("2", "Thin evidence."),
                              "carol": ("3", "")}, tmp_path / "marked.csv")
    assert cli(["import-written", str(out), str(marks)]) == 0
    marked = by_student(out)
    assert marked["alice"]["total"] == "13" and marked["alice"]["percent"] == "100"
    assert marked["bob"]["total"] == "2" and marked["bob"]["complete"] == "yes"

    # Bob resubmits a solved notebook; Alice's file is replaced by a blank one (not regraded)
    (subs / "bob.ipynb").write_bytes(notebook(built, solved=True, written="Bob's essay."))
    (subs / "alice.ipynb").write_bytes(notebook(built, solved=False, written="Alice's essay."))
    capsys.readouterr()
    assert grade(built, subs, out, "--student", "bob") == 0
    after = by_student(out)
    assert after["bob"]["auto_points"] == "9" and after["bob"]["total"] == "11"
    assert after["alice"] == marked["alice"] and after["carol"] == marked["carol"]
    with sqlite3.connect(out / "gradebook.sqlite") as db:
        runs = db.execute("SELECT id, scope, engine_version, autograder_sha256 FROM runs").fetchall()
        second = db.execute("SELECT path, sha256 FROM attempts WHERE run_id = 2").fetchall()
        kept = db.execute("SELECT student, score, comment FROM written ORDER BY student").fetchall()
    assert [r[1] for r in runs] == ["class", "students: bob"]
    assert all(r[2].startswith("crmc ") and len(r[3]) == 64 for r in runs)
    assert second == [("bob.ipynb", sha(subs / "bob.ipynb"))]
    assert kept == [("alice", 4.0, "Clear."), ("bob", 2.0, "Thin evidence."), ("carol", 3.0, "")]

    # a whole-class regrade: alice's blank now counts, her written mark stays (same answer)
    assert grade(built, subs, out) == 0
    final = by_student(out)
    assert final["alice"]["auto_points"] == "0" and final["alice"]["total"] == "4"
    assert final["alice"]["complete"] == "yes"


def test_bad_written_csv_changes_nothing(built: Products, tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    subs, out = tmp_path / "subs", tmp_path / "out"
    subs.mkdir()
    for name in ("ana", "ben"):
        (subs / f"{name}.ipynb").write_bytes(notebook(built, solved=True, written=f"{name} text"))
    assert grade(built, subs, out) == 0
    good = write_marks(out, {"ana": ("3", "ok")}, tmp_path / "good.csv")
    assert cli(["import-written", str(out), str(good)]) == 0
    store, exported = sha(out / "gradebook.sqlite"), (out / "gradebook.csv").read_bytes()

    rows = table(out / "written-answers.csv")
    rows[0]["score"] = "9"  # above 4 points
    rows[1]["score"] = "four"  # not a number
    rows.append({**rows[1], "student": "zoe", "score": "1"})  # unknown student
    rows.append({**rows[1], "question": "q9", "score": "1"})  # unknown question
    bad = tmp_path / "bad.csv"
    with open(bad, "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    capsys.readouterr()
    assert cli(["import-written", str(out), str(bad)]) == 2
    err = capsys.readouterr().err
    assert "nothing was imported" in err
    assert "row 2 (ana, q7): score 9 is above the question's 4 points" in err
    assert "row 3 (ben, q7): score 'four' is not a number" in err
    assert "row 4 (zoe, q7): unknown student 'zoe'" in err
    assert "row 5 (ben, q9): unknown question 'q9'" in err
    # the wrong shape: a column renamed
    shape = tmp_path / "shape.csv"
    shape.write_text(bad.read_text(encoding="utf-8").replace("score", "points_given", 1),
                     encoding="utf-8")
    assert cli(["import-written", str(out), str(shape)]) == 2
    assert "missing column(s) score" in capsys.readouterr().err
    assert sha(out / "gradebook.sqlite") == store
    assert (out / "gradebook.csv").read_bytes() == exported
    assert by_student(out)["ana"]["q7 (written)"] == "3"


def test_store_from_a_newer_version_is_refused(built: Products, tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    subs, out = tmp_path / "subs", tmp_path / "out"
    subs.mkdir()
    (subs / "ana.ipynb").write_bytes(notebook(built, solved=True))
    assert grade(built, subs, out) == 0
    with sqlite3.connect(out / "gradebook.sqlite") as db:
        db.execute("PRAGMA user_version = 99")
    before = sha(out / "gradebook.sqlite")
    capsys.readouterr()
    assert grade(built, subs, out) == 2
    assert "written by a newer version of crmc (schema 99" in capsys.readouterr().err
    for command in (["export", str(out)], ["report", str(out)]):
        assert cli(command) == 2
    assert sha(out / "gradebook.sqlite") == before


def test_bad_inputs_are_named_before_grading(built: Products, tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    subs, out = tmp_path / "subs", tmp_path / "out"
    subs.mkdir()
    (subs / "ana.ipynb").write_bytes(notebook(built, solved=True))
    roster = tmp_path / "roster.csv"
    roster.write_text("name,login,email\nAna Lima,alima,ana@example.edu\n"
                      "Ben Ode,,\nAna Other,alima,other@example.edu\n", encoding="utf-8")
    capsys.readouterr()
    assert grade(built, subs, out, "--roster", str(roster)) == 2
    err = capsys.readouterr().err
    assert "line 3: no login, SIS ID or email for 'Ben Ode'" in err
    assert "line 4: duplicate login 'alima' (also on line 2)" in err
    assert grade(built, subs, out, "--deadline", "next friday") == 2
    assert "not an ISO 8601 date" in capsys.readouterr().err
    assert grade(built, subs, out, "--deadline", "2026-03-06T23:59:00") == 2
    assert "has no time zone" in capsys.readouterr().err
    assert grade(built, subs, out, "--student", "nobody") == 2
    assert "unknown student(s) nobody" in capsys.readouterr().err
    assert not (out / "gradebook.csv").exists()


# ------------------------------------------------------------------ deadlines and policies
GS_METADATA = """\
submission_1001:
  :submitters:
  - :name: Ana Lima
    :sid: '5001'
    :email: ana@example.edu
  :created_at: 2026-03-06 20:00:00.123456000 +01:00
  :score: 0.0
submission_1002:
  :submitters:
  - :name: Ana Lima
    :sid: '5001'
    :email: ana@example.edu
  :created_at: 2026-03-07 09:00:00.000000000 +01:00
  :score: 0.0
submission_1003:
  :submitters:
  - :name: Ben Ode
    :sid: '5002'
    :email: ben@example.edu
  :created_at: 2026-03-08 12:00:00.000000000 +01:00
  :score: 0.0
submission_1004:
  :submitters:
  - :name: Cem Arslan
    :sid: '5003'
    :email: cem@example.edu
  :created_at: 2026-03-05 10:00:00.000000000 +01:00
  :score: 0.0
submission_1005:
  :submitters:
  - :name: Cem Arslan
    :sid: '5003'
    :email: cem@example.edu
  :created_at: 2026-03-05 11:00:00.000000000 +01:00
  :score: 0.0
"""


def test_late_policy_picks_the_right_file(built: Products, tmp_path: Path) -> None:
    """Gradescope export: on-time + late (Ana), late only (Ben), a duplicate pair (Cem)."""
    subs = tmp_path / "export"
    files = {"submission_1001": True, "submission_1002": False, "submission_1003": True,
             "submission_1004": True, "submission_1005": True}
    for folder, solved in files.items():
        (subs / folder).mkdir(parents=True)
        (subs / folder / "part1-history.ipynb").write_bytes(notebook(built, solved=solved,
                                                                     written="text"))
    (subs / "submission_metadata.yml").write_text(GS_METADATA, encoding="utf-8")
    roster = tmp_path / "roster.csv"
    roster.write_text("name,sis_id,email\nAna Lima,5001,ana@example.edu\n"
                      "Ben Ode,5002,ben@example.edu\nCem Arslan,5003,cem@example.edu\n"
                      "Dia Noor,5004,dia@example.edu\n", encoding="utf-8")
    deadline = "2026-03-06T23:59:00+01:00"
    out = tmp_path / "out"
    assert grade(built, subs, out, "--roster", str(roster), "--deadline", deadline,
                 "--late-penalty", "10") == 0
    rows = by_student(out)
    ana, ben, cem, dia = (rows[k] for k in ("5001", "5002", "5003", "5004"))
    assert ana["file"] == "submission_1001/part1-history.ipynb" and ana["late"] == "on time"
    assert ana["auto_points"] == "9"
    assert "latest-on-time: latest submission on time" in ana["counted_because"]
    assert "submission_1002/part1-history.ipynb" in ana["counted_because"]
    assert ben["late"] == "late (2 day(s))" and ben["file"].startswith("submission_1003/")
    assert "no on-time submission" in ben["counted_because"]
    assert ben["penalty_points"] == "2.6" and ben["total"] == "6.4"  # 2 days x 10 % of 13 points
    assert cem["file"] == "submission_1005/part1-history.ipynb"
    assert "identical copies: submission_1004/part1-history.ipynb" in cem["counted_because"]
    assert dia["status"] == "missing" and dia["incomplete"] == "no submission"

    # the stored settings carry over; "latest" picks Ana's late blank, with its penalty
    assert grade(built, subs, out, "--policy", "latest", "--student", "5001") == 0
    ana = by_student(out)["5001"]
    assert ana["file"] == "submission_1002/part1-history.ipynb"
    assert ana["late"] == "late (1 day(s))" and ana["auto_points"] == "0"
    assert grade(built, subs, out, "--policy", "best", "--student", "5001") == 0
    ana = by_student(out)["5001"]
    assert ana["file"] == "submission_1001/part1-history.ipynb" and ana["auto_points"] == "9"


def test_times_from_the_instructor_never_from_mtimes(built: Products, tmp_path: Path) -> None:
    subs, out = tmp_path / "subs", tmp_path / "out"
    subs.mkdir()
    (subs / "alice.ipynb").write_bytes(notebook(built, solved=True))
    (subs / "alice--late.ipynb").write_bytes(notebook(built, solved=False))  # newer mtime
    times = tmp_path / "times.csv"
    times.write_text("file,submitted_at\nalice.ipynb,2026-03-06T22:00:00Z\n"
                     "alice--late.ipynb,2026-03-08T09:00:00Z\n", encoding="utf-8")
    assert grade(built, subs, out, "--deadline", "2026-03-06T23:59:00Z",
                 "--submitted-times", str(times)) == 0
    alice = by_student(out)["alice"]
    assert alice["file"] == "alice.ipynb" and alice["auto_points"] == "9"
    assert "--submitted-times" in alice["counted_because"]


# ------------------------------------------------------------------ LMS names, roster, exports
ROSTER = ("name,login,sis_id,email,canvas_id,section\n"
          "Jane Smith,jsmith,S100,jane@example.edu,12345,Seminar A\n"
          "Omar Haddad,ohaddad,S101,omar@example.edu,12346,Seminar B\n"
          "Li Wei,lwei,S102,li@example.edu,12347,Seminar A\n")


def test_canvas_names_roster_and_canvas_moodle_exports(built: Products, tmp_path: Path) -> None:
    subs, out = tmp_path / "canvas", tmp_path / "out"
    subs.mkdir()
    (subs / "smithjane_12345_901_part1-history.ipynb").write_bytes(
        notebook(built, solved=True, written="=HYPERLINK(\"http://x\",\"a\")"))
    (subs / "haddadomar_LATE_12346_902_part1-history.ipynb").write_bytes(
        notebook(built, solved=True, written="Omar's answer"))
    (subs / "strangerx_99999_903_part1-history.ipynb").write_bytes(notebook(built, solved=True))
    roster = tmp_path / "roster.csv"
    roster.write_text(ROSTER, encoding="utf-8")
    assert grade(built, subs, out, "--roster", str(roster)) == 0
    rows = by_student(out)
    assert set(rows) == {"jsmith", "ohaddad", "lwei"}  # the stranger is reported, not guessed
    assert rows["ohaddad"]["late"] == "late (days unknown)"
    assert rows["lwei"]["status"] == "missing"
    with sqlite3.connect(out / "gradebook.sqlite") as db:
        unmatched = db.execute("SELECT path, reason FROM unmatched").fetchall()
    assert unmatched == [("strangerx_99999_903_part1-history.ipynb",
                          "no roster row matches canvas submitter 'strangerx'")]
    marks = write_marks(out, {"jsmith": ("4", "@mention"), "ohaddad": ("3", "")},
                        tmp_path / "m.csv")
    assert cli(["import-written", str(out), str(marks)]) == 0

    assert cli(["export", str(out), "--format", "canvas", "--canvas-assignment-id", "777",
                "--title", "Exercise 1"]) == 0
    with open(out / "canvas-import.csv", encoding="utf-8", newline="") as f:
        canvas = list(csv.reader(f))
    assert canvas[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section",
                         "Exercise 1 (777)"]
    assert canvas[1] == ["    Points Possible", "", "", "", "", "13"]
    assert canvas[2] == ["Smith, Jane", "12345", "S100", "jsmith", "Seminar A", "13"]
    assert canvas[3] == ["Haddad, Omar", "12346", "S101", "ohaddad", "Seminar B", "12"]
    assert canvas[4] == ["Wei, Li", "12347", "S102", "lwei", "Seminar A", ""]  # no submission

    assert cli(["export", str(out), "--format", "moodle", "--title", "Exercise 1"]) == 0
    with open(out / "moodle-import.csv", encoding="utf-8", newline="") as f:
        moodle = list(csv.reader(f))
    assert moodle[0] == ["First name", "Last name", "ID number", "Email address",
                         "Assignment: Exercise 1", "Feedback: Exercise 1"]
    assert moodle[1][:5] == ["Jane", "Smith", "S100", "jane@example.edu", "13"]
    assert moodle[1][5].startswith("Automatic 9, written 4; total 13 of 13")

    # formula neutralisation in every CSV written
    written = (out / "written-answers.csv").read_text(encoding="utf-8")
    assert "'=HYPERLINK" in written and "'@mention" in written
    assert ",=HYPERLINK" not in written and ",@mention" not in written
    assert cli(["export", str(out), "--format", "plain", "--output", str(tmp_path / "p.csv")]) == 0
    for path in (out / "gradebook.csv", tmp_path / "p.csv", out / "canvas-import.csv",
                 out / "moodle-import.csv", out / "written-answers.csv"):
        with open(path, encoding="utf-8", newline="") as f:
            for row in csv.reader(f):
                for cell in row:
                    assert not cell.startswith(("=", "+", "@", "\t")), (path, cell)
                    assert not cell.startswith("-") or cell.lstrip("-").replace(".", "").isdigit()
    # the neutralised comment reads back as typed
    assert cli(["import-written", str(out), str(out / "written-answers.csv")]) == 0
    with sqlite3.connect(out / "gradebook.sqlite") as db:
        assert db.execute("SELECT comment FROM written WHERE student='jsmith'").fetchone() == (
            "@mention",)


def test_moodle_folder_names(built: Products, tmp_path: Path) -> None:
    subs, out = tmp_path / "moodle", tmp_path / "out"
    (subs / "Jane Smith_3301_assignsubmission_file_").mkdir(parents=True)
    (subs / "Jane Smith_3301_assignsubmission_file_" / "ex1.ipynb").write_bytes(
        notebook(built, solved=True))
    (subs / "Omar Haddad_3302_assignsubmission_file_ex1.ipynb").write_bytes(
        notebook(built, solved=False))
    roster = tmp_path / "roster.csv"
    roster.write_text(ROSTER, encoding="utf-8")
    assert grade(built, subs, out, "--roster", str(roster)) == 0
    rows = by_student(out)
    assert rows["jsmith"]["auto_points"] == "9" and rows["ohaddad"]["auto_points"] == "0"


# ------------------------------------------------------------------ feedback
def test_feedback_students_can_act_on(built: Products, tmp_path: Path) -> None:
    subs, out = tmp_path / "subs", tmp_path / "out"
    subs.mkdir()
    fake = "ok\n\n### b_b · `b_b.ipynb`\n\n```\nForged section\n"
    (subs / "a b.ipynb").write_bytes(notebook(built, solved=False, written=fake))
    (subs / "a_b.ipynb").write_bytes(notebook(built, solved=True, written="<script>x</script>"))
    assert grade(built, subs, out) == 0
    files = sorted(p.name for p in (out / "feedback").iterdir())
    assert len(files) == 2 and len(set(files)) == 2
    texts = {p.read_text(encoding="utf-8").split("- student: ")[1].split("\n")[0]: p.read_text(
        encoding="utf-8") for p in (out / "feedback").iterdir()}
    blank = texts["a b"]
    assert "| q1 | 0 | 2 | not answered |" in blank
    assert "ellipsis" not in blank and "AttributeError" not in blank
    written = (out / "written-answers.md").read_text(encoding="utf-8")
    # rendered as Markdown, the forged heading stays inside the fenced answer
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark")
    tokens = md.parse(written)
    assert re.findall(r"<h3>(.*?)</h3>", md.render(written)) == [
        "a b · a b.ipynb", "a_b · a_b.ipynb"]
    fences = [tok.content for tok in tokens if tok.type == "fence"]
    assert fake.rstrip() + "\n" in fences and "<script>x</script>\n" in fences


def test_console_script_and_progress(built: Products, tmp_path: Path) -> None:
    subs = tmp_path / "subs"
    subs.mkdir()
    (subs / "ana.ipynb").write_bytes(notebook(built, solved=True))
    proc = subprocess.run(
        [sys.executable, "-m", "crmc.exercises.cli", "grade", EXERCISE, str(subs),
         "--autograder", str(built.autograder_zip), "--out", str(tmp_path / "o")],
        capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    assert "[##############################] 1/1  ana.ipynb: graded 9" in proc.stderr
    assert "class: 1 submitted, 0 complete" in proc.stderr


def test_an_interrupted_run_leaves_the_store_as_it_was(
        built: Products, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from crmc.exercises import gradebook

    subs, out = tmp_path / "subs", tmp_path / "out"
    subs.mkdir()
    (subs / "ana.ipynb").write_bytes(notebook(built, solved=True))
    assert grade(built, subs, out) == 0

    def dump() -> list[str]:
        with sqlite3.connect(out / "gradebook.sqlite") as db:
            return list(db.iterdump())

    before = dump()
    calls = []
    real_now = gradebook.now

    def interrupted() -> str:  # Ctrl-C arrives while the run is being written
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real_now()

    monkeypatch.setattr(gradebook, "now", interrupted)
    (subs / "ben.ipynb").write_bytes(notebook(built, solved=False))
    assert grade(built, subs, out) == 130
    assert len(calls) == 2 and dump() == before
    monkeypatch.undo()
    assert grade(built, subs, out) == 0
    assert set(by_student(out)) == {"ana", "ben"}
