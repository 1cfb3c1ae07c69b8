"""The exercise masters: structure, question mix, objectives, and the book's objectives table."""

from __future__ import annotations

import json
from pathlib import Path

import jupytext
import pytest

from crmc.exercises import DATASETS, EXERCISES, exercises_dir
from crmc.exercises.build import answer_variables, parse_master
from crmc.exercises.grade import STATUS_INVALID, from_jsonable, student_of, validate
from crmc.exercises.runner import to_jsonable

FIXTURES = Path(__file__).parent / "fixtures" / "submissions"


@pytest.fixture(scope="module", params=EXERCISES)
def master(request: pytest.FixtureRequest) -> tuple[str, dict[str, object], str]:
    path = exercises_dir() / f"{request.param}.md"
    nb = jupytext.read(path)
    return request.param, parse_master(nb), path.read_text(encoding="utf-8")


def test_question_count_and_mix(master: tuple[str, dict, str]) -> None:
    name, parsed, _ = master
    questions = parsed["questions"]
    assert 5 <= len(questions) <= 8, name
    assert {q["type"] for q in questions} == {"data", "concept", "written"}
    assert [q["name"] for q in questions] == [f"q{i}" for i in range(1, len(questions) + 1)]
    assert all(q["kind"] == "manual" for q in questions if q["type"] == "written")


def test_every_question_names_an_objective(master: tuple[str, dict, str]) -> None:
    """The objectives themselves are stated on the part pages (tests/test_exercises_objectives.py)."""
    _, parsed, _ = master
    assert all(q["objectives"] for q in parsed["questions"]), "every question names its objective"
    assert all(o.startswith("P") for q in parsed["questions"] for o in q["objectives"])


def test_master_ships_its_data_and_hides_tests(master: tuple[str, dict, str]) -> None:
    name, _, text = master
    for dataset in DATASETS[name]:
        assert f"data/{dataset}.csv" in text
    assert "ok_format: false" in text and "files: true" in text
    # every auto-graded question has a public and a hidden test
    blocks = text.split("# BEGIN QUESTION")[1:]
    for block in blocks:
        if "manual: true" in block:
            continue
        assert block.count("hidden: true") == 1 and block.count("BEGIN TEST CONFIG") == 2


def test_test_variables_are_parameters() -> None:
    src = "def test_a(x, env):\n    pass\n\ndef test_b(y, x):\n    pass\n"
    assert answer_variables(src) == ["x", "y"]


@pytest.mark.parametrize(
    "value",
    [1, 2.5, "b", None, True, [1, "a"], (1, 2), {"a": 1}, {1, 2}, float("nan"), ...],
)
def test_answers_round_trip(value: object) -> None:
    back = from_jsonable(json.loads(json.dumps(to_jsonable(value))))
    if isinstance(value, float) and value != value:
        assert back != back
    else:
        assert back == value and type(back) is type(value)


def test_pandas_and_numpy_round_trip() -> None:
    import numpy as np
    import pandas as pd

    series = pd.Series([3, 1], index=["exercise", "treaty"], name="count")
    frame = pd.DataFrame({"a": [1, 2], "b": ["x", "y"]})
    back = from_jsonable(json.loads(json.dumps(to_jsonable(series))))
    pd.testing.assert_series_equal(back, series)
    back_frame = from_jsonable(json.loads(json.dumps(to_jsonable(frame))))
    pd.testing.assert_frame_equal(back_frame, frame)
    assert from_jsonable(to_jsonable(np.int64(2004))) == 2004
    assert list(from_jsonable(to_jsonable(np.array([1, 2])))) == [1, 2]


def test_objects_that_lie_do_not_survive_export() -> None:
    class AlwaysEqual:
        def __eq__(self, other: object) -> bool:
            return True

    back = from_jsonable(to_jsonable(AlwaysEqual()))
    assert back != "b" and back != 2004


@pytest.mark.parametrize(
    ("file", "message"),
    [
        ("truncated.ipynb", "not a readable notebook"),
        ("not-a-notebook.ipynb", "not a Jupyter notebook"),
        ("essay.pdf", "not a notebook (a PDF file)"),
        ("answers.py", "not a notebook (a PY file)"),
    ],
)
def test_static_bad_inputs_are_invalid(file: str, message: str) -> None:
    status, msg, nb = validate(FIXTURES / file, "part1-history", EXERCISES)
    assert (status, nb) == (STATUS_INVALID, None) and message in msg


def test_student_names(tmp_path: Path) -> None:
    for name in ("alice.ipynb", "alice (1).ipynb", "alice--resubmitted.ipynb"):
        assert student_of(tmp_path / name, tmp_path) == "alice"
    assert student_of(tmp_path / "bob" / "part1.ipynb", tmp_path) == "bob"
