"""The local grader agrees with ``otter run`` (and so with Gradescope) on honest notebooks.

For every exercise, a corpus of honest variants of the solution — rich display, magics and
shell lines, a continuation line starting with ``!=``, an answer given after its check, an
answer changed after its check, a question whose check cell was deleted, a renamed copy, the
whole notebook formatted by Black — is graded by ``crmc-exercises grade`` and by
``otter run -a <exercise>-autograder.zip``; the scores must be equal question by question.
"""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import black
import pytest

from crmc.exercises import EXERCISES, default_build_dir
from crmc.exercises.build import Products
from crmc.exercises.grade import grade_class

pytestmark = pytest.mark.slow


def _code(source: str) -> dict[str, Any]:
    return {"cell_type": "code", "metadata": {}, "source": source, "outputs": [],
            "execution_count": None}


def _src(cell: dict[str, Any]) -> str:
    src = cell["source"]
    return "".join(src) if isinstance(src, list) else str(src)


def _answer_cells(nb: dict[str, Any]) -> list[int]:
    tags = {"otter_answer_cell", "otter_assign_solution_cell"}
    return [i for i, c in enumerate(nb["cells"])
            if c["cell_type"] == "code" and tags & set(c["metadata"].get("tags", []))]


def _check_cell(nb: dict[str, Any], question: str) -> int:
    return next(i for i, c in enumerate(nb["cells"])
                if c["cell_type"] == "code" and f'grader.check("{question}")' in _src(c))


def corpus(solution: dict[str, Any], manifest: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Honest variants of the solution notebook, by file name."""
    auto = [q for q in manifest["questions"] if q["kind"] == "auto"]
    first_q, last_q = auto[0]["name"], auto[-1]["name"]
    var = auto[0]["variables"][0]
    out: dict[str, dict[str, Any]] = {}

    nb = copy.deepcopy(solution)
    for i in reversed(_answer_cells(nb)):
        nb["cells"].insert(i + 1, _code(
            "from IPython.display import Markdown, display\n"
            f"display({var})\ndisplay(Markdown('**checked**'))"))
    out["display.ipynb"] = nb

    nb = copy.deepcopy(solution)
    first = _answer_cells(nb)[0]
    nb["cells"][first]["source"] = "%%time\n" + _src(nb["cells"][first])
    nb["cells"].insert(first, _code("%time _warm = sum(range(1000))\n!echo grading\n%who_ls"))
    out["magics.ipynb"] = nb

    nb = copy.deepcopy(solution)
    nb["cells"].insert(2, _code("differs = (1\n!= 2)\nassert differs"))
    out["continuation.ipynb"] = nb

    nb = copy.deepcopy(solution)  # the answer is given only after its check ran
    first = _answer_cells(nb)[0]
    answer = nb["cells"].pop(first)
    nb["cells"].insert(_check_cell(nb, first_q) + 1, answer)
    out["late-answer.ipynb"] = nb

    nb = copy.deepcopy(solution)  # a right answer, checked, then overwritten
    nb["cells"].insert(_check_cell(nb, first_q) + 1, _code(f"{var} = None"))
    out["changed-after-check.ipynb"] = nb

    nb = copy.deepcopy(solution)  # no check cell for the last question: scored at the end
    del nb["cells"][_check_cell(nb, last_q)]
    out["no-check-cell.ipynb"] = nb

    out["renamed copy (final).ipynb"] = copy.deepcopy(solution)
    out["black.ipynb"] = black_formatted(solution)
    return out


def black_formatted(solution: dict[str, Any]) -> dict[str, Any]:
    """The solution with every code cell formatted by Black (its default style), as a student
    who runs Black on their work hands it in: calls split over lines, blank lines added."""
    nb = copy.deepcopy(solution)
    changed = 0
    for cell in nb["cells"]:
        if cell["cell_type"] != "code":
            continue
        formatted = black.format_str(_src(cell), mode=black.Mode())
        changed += formatted.rstrip("\n") != _src(cell).rstrip("\n")
        cell["source"] = formatted
    assert changed, "Black changed nothing: the variant would not test anything"
    return nb


def _otter_scores(zip_path: Path, notebook: Path, out: Path) -> dict[str, float]:
    out.mkdir()
    otter = Path(sys.executable).parent / "otter"
    proc = subprocess.run([str(otter), "run", "-a", str(zip_path), "-o", str(out),
                           str(notebook)], capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    results = json.loads((out / "results.json").read_text(encoding="utf-8"))
    return {t["name"]: float(t["score"]) for t in results["tests"]
            if t.get("score") is not None}


@pytest.mark.parametrize("exercise", EXERCISES)
def test_same_scores_as_otter_run(exercise: str, tmp_path: Path) -> None:
    products = Products(exercise, default_build_dir() / exercise)
    if not products.autograder_zip.is_file():
        pytest.fail("exercises are not built: run `bash scripts/build-site.sh` first")
    manifest = json.loads(products.manifest.read_text(encoding="utf-8"))
    solution = json.loads(products.solution_notebook.read_text(encoding="utf-8"))
    subs = tmp_path / "class"
    subs.mkdir()
    variants = corpus(solution, manifest)
    for name, nb in variants.items():
        (subs / name).write_text(json.dumps(nb), encoding="utf-8")
    # exit() at the end: otter's own run is not deterministic there (the kernel it shuts down
    # sometimes dies before otter's last cell, and `otter run` then fails with "Kernel died"),
    # so it is graded locally only: every check ran before it, so it keeps full marks.
    with_exit = copy.deepcopy(solution)
    with_exit["cells"].append(_code("exit()\nprint('never printed')"))
    (subs / "exit-at-end.ipynb").write_text(json.dumps(with_exit), encoding="utf-8")
    # otter's runs start first and overlap the local grading: each run spends seconds
    # starting a kernel, time in which the other graders can use the cores
    with ThreadPoolExecutor(max_workers=2) as pool:
        runs = [pool.submit(_otter_scores, products.autograder_zip, subs / name,
                            tmp_path / f"otter-{name}") for name in variants]
        ours = {row.file: row for row in grade_class(products.autograder_zip, subs,
                                                     tmp_path / "grades").rows}
        theirs = {name: run.result() for name, run in zip(variants, runs, strict=True)}
    auto = [q["name"] for q in manifest["questions"] if q["kind"] == "auto"]
    for name in variants:
        row = ours[name]
        assert row.status == "graded", (name, row.message)
        local = {q: row.scores[q] for q in auto}
        otter = {q: theirs[name].get(q, 0.0) for q in auto}
        assert local == otter, f"{name}: local {local} vs otter {otter} ({row.message})"
    # the corpus does exercise the scoring moment: late answers lose, changed ones keep
    first = auto[0]
    assert ours["late-answer.ipynb"].scores[first] == 0
    assert ours["changed-after-check.ipynb"].scores[first] > 0
    assert ours["no-check-cell.ipynb"].scored_at[auto[-1]] is None
    assert "scored at the end" in ours["no-check-cell.ipynb"].message
    exited = ours["exit-at-end.ipynb"]
    assert exited.status == "graded" and exited.total == ours["display.ipynb"].total
    assert "exit()" in exited.message


def test_scoring_uses_otters_own_test_classes_without_loading_all_of_otter() -> None:
    """The scoring worker's shortcut: otter's ``ExceptionTestFile`` from the installed package,
    without otter's API (nbconvert…) — the scores above are what it gives."""
    probe = ("import sys\n"
             "from crmc.exercises.scoring import exception_test_file\n"
             "cls = exception_test_file()\n"
             "print(cls.__module__, sys.modules[cls.__module__].__file__, 'nbconvert' in sys.modules)")
    proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          check=True)
    module, path, heavy = proc.stdout.split()
    assert module == "otter.test_files.exception_test"
    assert Path(path).parent.parent.name == "otter" and Path(path).name == "exception_test.py"
    assert heavy == "False"
