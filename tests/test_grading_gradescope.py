"""The autograder zip graded the way Gradescope runs it, with the module's own engine.

Each exercise's zip is unpacked into an ``/autograder``-shaped temporary root (``source/``,
``submission/``, ``results/``) and its entry point (``run_autograder`` runs
``python /autograder/source/run_otter.py``) grades one notebook at a time. Honest notebooks get
the local grader's score; a notebook that patches otter, forges the results (JSON and pickle)
and reads the tests gains nothing; a forged answer channel scores 0 without stopping.
"""

from __future__ import annotations

import copy
import importlib.util
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest

from crmc.exercises import EXERCISES, default_build_dir
from crmc.exercises.build import Products
from crmc.exercises.grade import grade_class

pytestmark = pytest.mark.slow
FIXTURES = Path(__file__).parent / "fixtures" / "submissions"

OTTER_PATCH = r'''
import glob, json, os, pickle
try:
    import otter
    from otter.test_files import abstract_test
    abstract_test.TestFile.score = property(lambda self: self.possible)
    otter.Notebook.check = lambda self, *a, **k: None
except Exception:
    pass
for path in ["/autograder/results/results.json", "../results/results.json"]:
    try:
        with open(path, "w") as f:
            json.dump({"score": 100, "tests": [{"name": "q1", "score": 100, "max_score": 1}]}, f)
    except OSError:
        pass
class Evil:
    def __reduce__(self):
        return (os.system, ("touch /tmp/crmc-gradescope-pwned",))
for path in ["/autograder/results/results.pkl", "results.pkl"]:
    try:
        with open(path, "wb") as f:
            pickle.dump(Evil(), f)
    except OSError:
        pass
leaked = [p for p in glob.glob("/autograder/source/tests/*.py")]
'''


def _recipes() -> Any:
    spec = importlib.util.spec_from_file_location("crmc_gs_recipes", FIXTURES / "recipes.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _gradescope(zip_path: Path, notebook: Path, root: Path) -> dict[str, Any]:
    for sub in ("source", "submission", "results"):
        (root / sub).mkdir(parents=True)
    with zipfile.ZipFile(zip_path) as zf:
        zf.extractall(root / "source")
    (root / "submission" / notebook.name).write_bytes(notebook.read_bytes())
    env = {**os.environ, "CRMC_GRADING_TIMEOUT": "20",
           "CRMC_SANDBOX_UID": str(1_600_000_000 + os.getpid() % 100_000)}
    run = (root / "source" / "run_autograder").read_text()
    assert "python /autograder/source/run_otter.py" in run  # what Gradescope starts
    proc = subprocess.run([sys.executable, str(root / "source" / "run_otter.py"), str(root)],
                          capture_output=True, text=True, env=env, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    results: dict[str, Any] = json.loads((root / "results" / "results.json").read_text())
    return results


@pytest.mark.parametrize("exercise", EXERCISES)
def test_autograder_zip_grades_with_the_module_engine(exercise: str, tmp_path: Path) -> None:
    products = Products(exercise, default_build_dir() / exercise)
    names = zipfile.ZipFile(products.autograder_zip).namelist()
    assert "crmc_grader/gradescope.py" in names, "rebuild: crmc-exercises build"
    manifest = json.loads(products.manifest.read_text(encoding="utf-8"))
    other = Products(EXERCISES[(EXERCISES.index(exercise) + 1) % 4],
                     default_build_dir() / EXERCISES[(EXERCISES.index(exercise) + 1) % 4])
    everything = tmp_path / "all"
    everything.mkdir()
    expected = _recipes().materialise(everything, products.student_notebook,
                                      products.solution_notebook, other.student_notebook,
                                      manifest)
    subs = tmp_path / "class"
    subs.mkdir()
    # every hostile case on the first exercise; the honest ends and the otter patch on all
    names = (("solution.ipynb", "untouched.ipynb", "tamper.ipynb", "forged-channel.ipynb",
              "exception.ipynb") if exercise == EXERCISES[0] else ("solution.ipynb",))
    for name in names:
        (subs / name).write_bytes((everything / name).read_bytes())
    patched = copy.deepcopy(json.loads(products.student_notebook.read_text(encoding="utf-8")))
    patched["cells"].append({"cell_type": "code", "metadata": {}, "outputs": [],
                             "execution_count": None, "source": OTTER_PATCH})
    (subs / "otter-patch.ipynb").write_text(json.dumps(patched), encoding="utf-8")
    local = {r.file: r for r in grade_class(products.autograder_zip, subs, tmp_path / "g").rows}
    auto = [q["name"] for q in manifest["questions"] if q["kind"] == "auto"]
    marker = Path("/tmp/crmc-gradescope-pwned")
    for i, name in enumerate(sorted(p.name for p in subs.iterdir())):
        results = _gradescope(products.autograder_zip, subs / name, tmp_path / f"ag{i}")
        scores = {t["name"]: t["score"] for t in results["tests"] if "score" in t}
        assert set(scores) == set(auto), results
        assert "Public Tests" in [t["name"] for t in results["tests"]]
        assert sum(scores.values()) == pytest.approx(local[name].total), (name, results)
        assert not marker.exists(), f"{name}: a results pickle ran code in the grader"
    possible = sum(q["points"] for q in manifest["questions"] if q["kind"] == "auto")
    assert local["solution.ipynb"].total == pytest.approx(possible) and possible > 0
    assert local["otter-patch.ipynb"].total == 0
    if exercise == EXERCISES[0]:
        assert local["tamper.ipynb"].total == pytest.approx(expected["tamper.ipynb"][1])
        assert local["forged-channel.ipynb"].total == 0
