"""The objectives map (page objectives ↔ questions) and the facts the new questions rest on.

Which data each hidden test relies on:

- Exercise 1 q1–q3: ``russia_china_yearly`` (the module's even-spread series from the SIPRI
  register and SIPRI's yearly import totals; both fixed SIPRI extracts).
- Exercise 2 q1: the codes the question's stated sources settle; q2: the student's own codes and
  the teaching model's weights (checked here against :mod:`crmc.classify`).
- Exercise 3 q1–q2: the SIPRI register extract; q3: ``flows`` (in_sipri).
- Exercise 4 q1: the codes of the five measures the question states; q2: the inputs it states
  (checked here against :mod:`crmc.whatif`); q3: ``implications``.

None reads ``timeline.csv`` or ``claims.csv``, whose rows the content work keeps extending.
"""

from __future__ import annotations

import html
import itertools
import json
import re
import shutil
from pathlib import Path
from typing import Any

import jupytext
import pytest

from crmc import classify, derived, whatif
from crmc.exercises import EXERCISES, exercises_dir
from crmc.exercises import objectives as om
from tests.conftest import ROOT


@pytest.fixture(scope="module")
def real() -> tuple[dict[str, om.Objective], list[om.Assessment]]:
    return om.page_objectives(), om.assessments()


def test_every_page_objective_is_assessed(real: tuple[dict, list]) -> None:
    objectives, questions = real
    assert len(objectives) == 16 and {o.page for o in objectives.values()} == {
        "part1-history", "part2-normal-vs-wartime", "part3-interdependence", "part4-risks"}
    assessed = {oid for q in questions for oid in q.objectives}
    assert set(objectives) <= assessed
    assert om.check(objectives, questions) == []


def test_every_question_names_a_real_objective(real: tuple[dict, list]) -> None:
    objectives, questions = real
    assert len(questions) == 28
    for q in questions:
        assert q.objectives, (q.exercise, q.question)
        assert set(q.objectives) <= set(objectives), (q.exercise, q.question, q.objectives)


def _copy_repo(tmp_path: Path) -> Path:
    (tmp_path / "book").mkdir()
    for page in (ROOT / "book").glob("part*-*.md"):
        shutil.copy2(page, tmp_path / "book" / page.name)
    shutil.copytree(exercises_dir(ROOT), tmp_path / "exercises",
                    ignore=shutil.ignore_patterns("_build"))
    return tmp_path


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_an_objective_without_a_question_fails(tmp_path: Path) -> None:
    """Positive control: a new page objective that no question names breaks the map."""
    root = _copy_repo(tmp_path)
    _edit(root / "book" / "part3-interdependence.md", "- **P3.4** ",
          "- **P3.5** **name** a new objective;\n- **P3.4** ")
    problems = om.check(om.page_objectives(root / "book"), om.assessments(root / "exercises"))
    assert problems == ["objective P3.5 (part3-interdependence) is assessed by no question"]
    with pytest.raises(om.ObjectivesError, match="P3.5"):
        om.write_map(tmp_path / "out", root)
    assert not (tmp_path / "out" / om.MAP_FILE).exists()


def test_a_question_naming_no_real_objective_fails(tmp_path: Path) -> None:
    root = _copy_repo(tmp_path)
    _edit(root / "exercises" / "part4-risks.md", "objective P4.3)", "objective P4.9)")
    _edit(root / "exercises" / "part1-history.md", "(concept, 1 point; objective P1.2)",
          "(concept, 1 point)")
    problems = om.check(om.page_objectives(root / "book"), om.assessments(root / "exercises"))
    assert "exercise 4 q2 names objective P4.9, which no part page states" in problems
    assert "objective P4.3 (part4-risks) is assessed by no question" in problems
    assert "exercise 1 q4 names no objective" in problems


def test_a_page_objective_without_an_id_fails(tmp_path: Path) -> None:
    root = _copy_repo(tmp_path)
    _edit(root / "book" / "part2-normal-vs-wartime.md", "- **P2.2** ", "- ")
    with pytest.raises(om.ObjectivesError, match="objective without an id"):
        om.page_objectives(root / "book")


def test_written_map_is_the_generated_one(tmp_path: Path, real: tuple[dict, list]) -> None:
    path = om.write_map(tmp_path, ROOT)
    text = path.read_text(encoding="utf-8")
    assert text == om.markdown()
    rows = [line for line in text.splitlines() if line.startswith("| **P")]
    assert [re.match(r"\| \*\*(P\d\.\d)\*\*", r).group(1) for r in rows] == list(real[0])  # type: ignore[union-attr]
    assert "| [Exercise 2 · Normal cooperation or wartime assistance?](part2-normal-vs-wartime) " \
           "| 2 | 6 | 8 | 4 |" in text


def _plain(markdown: str) -> str:
    text = re.sub(r"\{doc\}`([^<`]+?) <[^>]+>`", r"\1", markdown)
    text = text.replace("**", "")
    return " ".join(text.split())


def _cells(row_html: str) -> list[str]:
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row_html, flags=re.S)
    return [" ".join(html.unescape(re.sub(r"<[^>]+>", "", c)).split()) for c in cells]


def test_rendered_table_equals_the_generated_one(site_dir: Path,
                                                 real: tuple[dict, list]) -> None:
    page = (site_dir / "book" / "exercises" / "index.html").read_text(encoding="utf-8")
    rows = [_cells(r) for r in re.findall(r"<tr[^>]*>(.*?)</tr>", page, flags=re.S)]
    rendered = [r for r in rows if r and re.match(r"P\d\.\d ", r[0])]
    expected = [[_plain(f"**{oid}** {text}"), _plain(f"part {oid[1]}"), assessed]
                for oid, text, assessed in om.objective_rows(*real)]
    normalise = str.maketrans({"“": '"', "”": '"', "’": "'"})
    assert [[c.translate(normalise) for c in r] for r in rendered] == expected


# ------------------------------------------------------------------ what the questions rest on
def _master(name: str) -> str:
    return (exercises_dir(ROOT) / f"{name}.md").read_text(encoding="utf-8")


def _hidden_test(name: str, function: str) -> Any:
    """The hidden test function ``function`` of master ``name``, compiled."""
    nb = jupytext.read(exercises_dir(ROOT) / f"{name}.md")
    (source,) = [c.source for c in nb.cells if f"def {function}(" in c.source]
    namespace: dict[str, Any] = {}
    exec(compile(source, f"{name}:{function}", "exec"), namespace)  # noqa: S102 - our own master
    return namespace[function]


def test_exercise2_model_constants_are_the_package_model() -> None:
    text = _master("part2-normal-vs-wartime")
    weights = json.dumps(dict(classify.DEFAULT_WEIGHTS))
    toward = json.dumps({c: classify.CRITERION_INFO[c].toward_assistance for c in classify.CRITERIA})
    assert text.count(f"WEIGHTS = {weights}") == 1 and text.count(f"weights = {weights}") == 1
    assert text.count(f"TOWARD_ASSISTANCE = {toward}") == 1
    assert text.count(f"toward_assistance = {toward}") == 1


def test_exercise2_rule_agrees_with_crmc_classify_on_every_coding(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The hidden test accepts exactly what crmc.classify computes, for all 3**6 codings."""
    import pandas as pd

    codings = [dict(zip(classify.CRITERIA, codes, strict=True))
               for codes in itertools.product(classify.CODES, repeat=len(classify.CRITERIA))]
    cases = pd.DataFrame([{"id": f"case-{i}", **c} for i, c in enumerate(codings)])
    (tmp_path / "data").mkdir()
    cases.to_csv(tmp_path / "data" / "cases.csv", index=False)
    monkeypatch.chdir(tmp_path)  # the hidden test reads data/cases.csv, as in the exercise folder
    check = _hidden_test("part2-normal-vs-wartime", "test_q2_positions_follow_the_rule")
    positions = pd.Series([classify.classify(c).position for c in codings], index=cases["id"])
    check(positions)
    for i in (0, 200, 728):  # one wrong position fails
        wrong = positions.copy()
        wrong.iloc[i] = (wrong.iloc[i] + 0.1) % 1
        with pytest.raises(AssertionError):
            check(wrong)


def test_exercise2_model_answer_matches_the_model_and_the_data() -> None:
    solution = {"contract_before_invasion": "unknown", "lethal": "yes", "platform": "unknown",
                "dual_use": "no", "sanctioned": "yes", "battlefield_use": "yes"}
    text = _master("part2-normal-vs-wartime")
    assert f"garpiya_codes = {json.dumps(solution)}  # SOLUTION" in text
    result = classify.classify(solution)
    answer = " ".join(text[text.index("**Model answer.**"):].split())
    assert f"position of {result.position:g} and a range of {result.low:g} to {result.high:.1f}" \
        in answer
    assert result.zone == "closer to military assistance" and "closer to military assistance" in answer
    from crmc import data

    claimed = data.load("cases").set_index("id").loc["chinese-drones-claimed"]
    assert [c for c in classify.CRITERIA if claimed[c] != "unknown"] == ["platform"]
    claimed_result = classify.classify(claimed.to_dict())
    assert claimed_result.zone == "grey zone"
    assert f"unknown on every criterion but platform (position {claimed_result.position:g}, in " \
        "the grey zone)" in answer


def test_exercise1_model_answer_matches_the_window_shares() -> None:
    yearly = derived.russia_china_yearly()
    shares = {}
    for start in range(1994, 2020, 5):
        window = yearly[yearly["year"].between(start, start + 4)]
        shares[start] = window["russia_to_china_tiv"].sum() / window["china_imports_tiv"].sum()
    assert shares[1999] == max(shares.values()) and shares[2009] == min(shares.values())
    answer = " ".join(_master("part1-history").split())
    assert "share of China's imports falls from the 1999–2003 window to 2009–2013" in answer
    # q4: the published SIPRI shares differ from the derived ones "by a few points"
    assert abs(shares[2014] - 0.70) < 0.03 and abs(shares[2019] - 0.77) < 0.05


def test_exercise3_role_reversal_figures(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from crmc.exercises import datasets

    datasets.export(["sipri_register"], tmp_path / "data")
    monkeypatch.chdir(tmp_path)  # the hidden test reads data/ as in the exercise folder
    register = datasets.load_frame("sipri_register", None)
    c2r = register[(register["supplier"] == "China") & (register["recipient"] == "Russia")]
    assert len(c2r) == 2 and (c2r["order_year"] >= 2015).all()  # the question says so
    ratio_test = _hidden_test("part3-interdependence", "test_q2_value")
    recent = register[(register["supplier"] == "Russia") & (register["recipient"] == "China")
                      & (register["order_year"] >= 2014)]
    ratio = float(recent["tiv_delivered"].sum() / c2r["tiv_delivered"].sum())
    assert ratio > 100  # "a tiny fraction" in the model answer
    ratio_test(ratio)
    with pytest.raises(AssertionError):
        ratio_test(ratio * 1.05)


def test_exercise4_inputs_are_the_package_defaults() -> None:
    text = _master("part4-risks")
    inputs = json.dumps(whatif.DEFAULT_INPUTS.as_dict())
    assert text.count(f"INPUTS = {inputs}") == 1 and text.count(f"inputs = {inputs}") == 1
    for line in whatif.formula_lines():
        name, formula = (part.strip() for part in line.split("="))
        assert re.search(rf"{name} += {re.escape(formula)}\n", text), line
    check = _hidden_test("part4-risks", "test_q2_value")
    value = whatif.break_even("detection")
    assert value is not None and 0 < value < whatif.DEFAULT_INPUTS.detection
    check(value)
    with pytest.raises(AssertionError):
        check(whatif.DEFAULT_INPUTS.detection)


@pytest.mark.parametrize("name", EXERCISES)
def test_points_stay_close_to_the_old_exercises(name: str) -> None:
    """Automatic points per exercise before this rewrite: 9, 8, 11, 9 (each written question 4)."""
    before = {"part1-history": 9, "part2-normal-vs-wartime": 8, "part3-interdependence": 11,
              "part4-risks": 9}
    own = [q for q in om.assessments() if q.exercise == name]
    auto = sum(q.points for q in own if q.type != "written")
    assert abs(auto - before[name]) <= 1
    assert [q.points for q in own if q.type == "written"] == [4.0]
