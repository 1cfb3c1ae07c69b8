"""LMS file names, roster matching, deadlines and the choice of the counted file (no grading)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from crmc.exercises.exports import feedback_name, md_block, neutralise, unneutralise
from crmc.exercises.lms import (
    Candidate,
    FileInfo,
    InputError,
    Student,
    choose,
    days_late,
    describe_files,
    match_roster,
    parse_time,
)


def _infos(tmp_path: Path, names: list[str], metadata: str = "") -> list[FileInfo]:
    for name in names:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("{}")
    if metadata:
        (tmp_path / "submission_metadata.yml").write_text(metadata)
    return describe_files(tmp_path, [tmp_path / n for n in names])


def test_canvas_moodle_gradescope_and_plain_names(tmp_path: Path) -> None:
    infos = _infos(tmp_path, [
        "smithjane_LATE_12345_67890_part1-history.ipynb",
        "o_brienpat_222_333_part1-history-1.ipynb",
        "LATE_anon_Xy12z_444_part1-history.ipynb",
        "Jane Smith_3301_assignsubmission_file_/ex1.ipynb",
        "Li Wei_3302_assignsubmission_file_ex1.ipynb",
        "submission_777/notebook.ipynb",
        "alice (2).ipynb", "bob--late.ipynb", "carol/anything.ipynb",
    ], "submission_777:\n  :submitters:\n  - :name: Ana Lima\n    :sid: '5001'\n"
       "    :email: ana@example.edu\n  :created_at: 2026-03-06 20:00:00.000000000 -08:00\n")
    got = {(i.lms, i.name, i.late_marker, i.order, tuple(sorted(i.ids.items()))) for i in infos}
    assert got == {
        ("canvas", "smithjane", True, 67890, (("canvas_id", "12345"),)),
        ("canvas", "o_brienpat", False, 333, (("canvas_id", "222"),)),
        ("canvas", "anon_Xy12z", True, 444, (("canvas_anon", "Xy12z"),)),
        ("moodle", "Jane Smith", False, 0, (("moodle_participant", "3301"),)),
        ("moodle", "Li Wei", False, 0, (("moodle_participant", "3302"),)),
        ("gradescope", "Ana Lima", False, 777, (("email", "ana@example.edu"), ("sid", "5001"))),
        ("plain", "alice", False, 2, ()), ("plain", "bob", False, 0, ()),
        ("plain", "carol", False, 0, ()),
    }
    gs = next(i for i in infos if i.lms == "gradescope")
    assert gs.submitted_at == datetime.fromisoformat("2026-03-06T20:00:00-08:00")


def test_roster_matching_never_guesses(tmp_path: Path) -> None:
    roster = [Student("jsmith", "Jane Smith", login="jsmith", canvas_id=""),
              Student("jsmith2", "Smith, Jane", login="jsmith2"),
              Student("lwei", "Li Wei", email="li@example.edu")]
    infos = _infos(tmp_path, ["smithjane_1_2_x.ipynb", "Li Wei_9_assignsubmission_file_x.ipynb",
                              "nobody.ipynb"])
    match_roster(infos, roster)
    by = {i.path: (i.student, i.unmatched) for i in infos}
    assert by["smithjane_1_2_x.ipynb"][0] == ""
    assert "matches several roster rows (jsmith, jsmith2)" in by["smithjane_1_2_x.ipynb"][1]
    assert by["Li Wei_9_assignsubmission_file_x.ipynb"] == ("lwei", "")
    assert by["nobody.ipynb"] == ("", "no roster row matches plain submitter 'nobody'")


def test_deadlines_need_a_time_zone() -> None:
    assert parse_time("2026-03-06T23:59:00Z", "d").utcoffset() is not None
    with pytest.raises(InputError, match="has no time zone"):
        parse_time("2026-03-06T23:59", "--deadline")
    deadline = parse_time("2026-03-06T23:59:00+01:00", "d")
    assert days_late(parse_time("2026-03-06T23:59:00+01:00", "d"), deadline) == 0
    assert days_late(parse_time("2026-03-07T00:00:01+01:00", "d"), deadline) == 1
    assert days_late(parse_time("2026-03-08T23:59:01+01:00", "d"), deadline) == 3


def _cand(path: str, at: str | None, points: float, sha: str = "") -> Candidate:
    info = FileInfo(path, "plain", "a")
    if at:
        info.submitted_at, info.time_source = parse_time(at, "t"), "test"
    return Candidate(info, sha or path, "graded", points, True)


def test_policies() -> None:
    deadline = parse_time("2026-03-06T23:59:00Z", "d")
    on, late = _cand("on", "2026-03-06T10:00:00Z", 9), _cand("late", "2026-03-07T10:00:00Z", 5)
    assert choose([on, late], "latest-on-time", deadline, 0).counted is on
    pick = choose([on, late], "latest", deadline, 10)
    assert pick.counted is late and pick.late == "late (1 day(s))" and pick.late_days == 1
    best = _cand("late2", "2026-03-09T10:00:00Z", 9.5)  # 9.5 less 30 % < 9
    assert choose([on, best], "best", deadline, 10).counted is on
    assert choose([on, best], "best", deadline, 0).counted is best
    with pytest.raises(InputError):
        choose([on], "first", deadline, 0)


def test_csv_cells_and_feedback_names() -> None:
    for cell in ("=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"):
        assert neutralise(cell) == "'" + cell and unneutralise(neutralise(cell)) == cell
    assert neutralise(-1.5) == -1.5 and neutralise("plain") == "plain"
    assert feedback_name("a b") != feedback_name("a_b")
    assert md_block("x\n````\n") == "`````\nx\n````\n`````"
