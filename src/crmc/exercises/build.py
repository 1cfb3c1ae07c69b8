"""Build every exercise from its master: student notebook, autograder zip, solution notebook.

For each ``exercises/<name>.md`` (MyST Markdown in otter-grader's assign format):

1. jupytext converts the master to ``.ipynb`` (otter 7 reads notebooks only) in a scratch folder
   holding the exercise's data files (:mod:`crmc.exercises.datasets`) and a requirements file
   pinning the pandas the exercises were tested with;
2. ``otter assign`` strips the solutions, splits public from hidden tests, runs every test
   against the solutions (so a broken exercise cannot ship) and writes otter's
   Gradescope-compatible autograder zip, which carries the data files;
3. the products are collected into ``<out>/<name>/``::

       student/<name>.ipynb, student/data/, student/tests/   (public tests only)
       <name>-student.zip                                      (the student folder, to hand out)
       autograder/<name>-autograder.zip                        (upload to Gradescope; also read
                                                                by ``crmc-exercises grade``;
                                                                its run_autograder grades with
                                                                the module's engine, see
                                                                :mod:`crmc.exercises.gradescope`)
       solution/<name>.ipynb, solution/data/                   (for instructors)
       manifest.json                                           (questions, points, objectives)

``manifest.json`` is also stored inside the autograder zip (``crmc/manifest.json``), so the local
grader needs nothing but the zip.
"""

from __future__ import annotations

import ast
import importlib.metadata
import json
import re
import shutil
import subprocess
import sys
import tempfile
import warnings
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jupytext
import nbformat
import yaml

from . import DATASETS, EXERCISES, exercises_dir
from . import datasets as ds
from .gradescope import embed_engine

MANIFEST_IN_ZIP = "crmc/manifest.json"
PLACEHOLDER_ANSWER = "_Type your answer here, replacing this text._"


class BuildError(RuntimeError):
    """An exercise could not be built (message says which and why)."""


OTTER_INIT = 'otter.Notebook("{filename}")'
UNPINNED_INIT = "otter.Notebook()  # finds this notebook itself, whatever you rename it to"


def unpin_notebook_name(notebook: Path, filename: str) -> None:
    """Let ``grader.check`` work after a student renames the notebook.

    ``otter assign`` writes ``otter.Notebook("<name>.ipynb")``, and otter then reads that
    file when the cell runs: a renamed copy fails. With no argument otter looks for the one
    notebook in the folder, and the public checks need no notebook at all.
    """
    nb = json.loads(notebook.read_text(encoding="utf-8"))
    pinned = OTTER_INIT.format(filename=filename)
    found = False
    for cell in nb["cells"]:
        source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        if cell["cell_type"] == "code" and pinned in source:
            cell["source"] = source.replace(pinned, UNPINNED_INIT)
            found = True
    if not found:
        raise BuildError(f"{notebook.name}: no otter init cell {pinned!r} to unpin")
    notebook.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


BEFORE_YOU_SUBMIT = """## Before you submit

1. **Run everything from a clean start:** *Kernel → Restart Kernel and Run All Cells…*. Every cell
   should run without an error; fix any that stops.
2. **Run the public checks** in the cell below. They check the *form* of your answers only;
   hidden tests decide the points when your instructor grades the notebook.
3. **Save** (*File → Save Notebook*), then **download** the notebook: right-click it in the file
   browser and choose *Download* (or *File → Download*). Hand in that `.ipynb` file the way your
   instructor asks (for example, upload it to the course's learning platform). Keep the file name
   and do not delete cells: the grader finds your answers by their variable names."""

CHECK_ALL = "grader.check_all()"


def add_before_you_submit(notebook: Path) -> None:
    """Append the "Before you submit" section (markdown and a ``grader.check_all()`` cell)."""
    nb = nbformat.read(notebook, as_version=4)  # type: ignore[no-untyped-call]
    if any(c.cell_type == "markdown" and c.source.startswith("## Before you submit")
           for c in nb.cells):
        return
    nb.cells.append(nbformat.v4.new_markdown_cell(BEFORE_YOU_SUBMIT))  # type: ignore[no-untyped-call]
    nb.cells.append(nbformat.v4.new_code_cell(CHECK_ALL))  # type: ignore[no-untyped-call]
    nbformat.write(nb, notebook)  # type: ignore[no-untyped-call]


@dataclass(frozen=True)
class Products:
    """Paths of one built exercise."""

    name: str
    root: Path

    @property
    def student_notebook(self) -> Path:
        return self.root / "student" / f"{self.name}.ipynb"

    @property
    def student_zip(self) -> Path:
        return self.root / f"{self.name}-student.zip"

    @property
    def autograder_zip(self) -> Path:
        return self.root / "autograder" / f"{self.name}-autograder.zip"

    @property
    def solution_notebook(self) -> Path:
        return self.root / "solution" / f"{self.name}.ipynb"

    @property
    def manifest(self) -> Path:
        return self.root / "manifest.json"


def _source(cell: Any) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else str(src)


def parse_master(nb: Any) -> dict[str, Any]:
    """Questions (name, kind, type, points, objectives, prompt) and objectives of a master."""
    objectives: dict[str, str] = {}
    questions: list[dict[str, Any]] = []
    title = ""
    current: dict[str, Any] | None = None
    for cell in nb.cells:
        text = _source(cell)
        if cell.cell_type == "raw" and text.lstrip().startswith("# BEGIN QUESTION"):
            config = yaml.safe_load(text.split("\n", 1)[1]) or {}
            current = {
                "name": str(config["name"]),
                "kind": "manual" if config.get("manual") else "auto",
                "points": config.get("points"),
                "prompt": "",
            }
            questions.append(current)
        elif cell.cell_type == "markdown":
            if not title and text.lstrip().startswith("# "):
                title = text.lstrip()[2:].splitlines()[0].strip()
            for code, label in re.findall(r"^- \*\*([A-Z]\d+)\*\* (.+)$", text, flags=re.M):
                objectives[code] = label.strip().rstrip(";.")
            if current is not None and not current["prompt"]:
                current["prompt"] = text.strip()
                kind = re.search(r"\((data|concept|written)", text)
                current["type"] = kind.group(1) if kind else current["kind"]
                oid = r"[A-Z]\d+(?:\.\d+)?"  # H1 (old style) or P1.2 (a part page's objective)
                objs = re.search(rf"objectives? ({oid}(?:(?:, | and ){oid})*)\)", text)
                current["objectives"] = re.findall(oid, objs.group(1)) if objs else []
    return {"title": title, "objectives": objectives, "questions": questions}


def answer_variables(test_source: str) -> list[str]:
    """The answer variables a test file reads: its test functions' parameter names."""
    names: list[str] = []
    for node in ast.walk(ast.parse(test_source)):
        if isinstance(node, ast.FunctionDef):
            for arg in node.args.args:
                if arg.arg != "env" and arg.arg not in names:
                    names.append(arg.arg)
    return names


def load_test_file(test_source: str, path: str = "<test>") -> Any:
    """Parse an otter exception-based test file (importing otter quietly).

    Importing ``otter`` pulls in ``ipylab``, which passes trait types to ``traitlets`` and so
    raises a third-party DeprecationWarning at import time; it is silenced here, by category
    and origin only.
    """
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=DeprecationWarning, module="traitlets")
        warnings.filterwarnings("ignore", message="Traits should be given as instances")
        from otter.test_files import ExceptionTestFile

    return ExceptionTestFile.from_string(test_source, path=path)


def _test_points(test_source: str) -> float:
    tf = load_test_file(test_source)
    return float(sum(tc.points or 0 for tc in tf.test_cases))


def build_exercise(
    name: str,
    out_dir: Path,
    *,
    data_dir: Path | None = None,
    source_dir: Path | None = None,
    run_tests: bool = True,
) -> Products:
    """Build one exercise into ``out_dir/name``; raises :class:`BuildError` on failure."""
    master = (source_dir or exercises_dir()) / f"{name}.md"
    if not master.is_file():
        raise BuildError(f"no master for exercise {name!r} at {master}")
    products = Products(name, out_dir / name)
    with tempfile.TemporaryDirectory(prefix=f"crmc-build-{name}-") as tmp:
        work = Path(tmp)
        nb = jupytext.read(master)
        nbformat.write(nb, work / f"{name}.ipynb")  # type: ignore[no-untyped-call]
        try:
            ds.export(DATASETS[name], work / "data", data_dir)
        except ds.DataUnavailableError as exc:
            raise BuildError(f"{name}: {exc}") from exc
        pandas_version = importlib.metadata.version("pandas")
        (work / "requirements.txt").write_text(f"pandas=={pandas_version}\n")
        cmd = [sys.executable, "-m", "otter", "assign", f"{name}.ipynb", "dist"]
        if not run_tests:
            cmd.append("--no-run-tests")
        proc = subprocess.run(cmd, cwd=work, capture_output=True, text=True)
        if proc.returncode != 0:
            raise BuildError(
                f"otter assign failed for {name}:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
            )
        dist = work / "dist"
        manifest = parse_master(nb)
        manifest.update({"exercise": name, "pandas": pandas_version})
        for q in manifest["questions"]:
            test_file = dist / "autograder" / "tests" / f"{q['name']}.py"
            if q["kind"] == "auto":
                src = test_file.read_text(encoding="utf-8")
                q["variables"] = answer_variables(src)
                q["points"] = _test_points(src)
            else:
                q["variables"] = []
                q["points"] = float(q["points"] or 0)
        if products.root.exists():
            shutil.rmtree(products.root)
        (products.root / "autograder").mkdir(parents=True)
        shutil.copytree(dist / "student", products.root / "student")
        solution = products.root / "solution"
        solution.mkdir()
        shutil.copy2(dist / "autograder" / f"{name}.ipynb", products.solution_notebook)
        for notebook in (products.student_notebook, products.solution_notebook):
            unpin_notebook_name(notebook, f"{name}.ipynb")
        shutil.copytree(dist / "autograder" / "data", solution / "data")
        (zip_src,) = (dist / "autograder").glob(f"{name}-autograder_*.zip")
        shutil.copy2(zip_src, products.autograder_zip)
        text = json.dumps(manifest, indent=2, ensure_ascii=False)
        products.manifest.write_text(text + "\n", encoding="utf-8")
        with zipfile.ZipFile(products.autograder_zip, "a") as zf:
            zf.writestr(MANIFEST_IN_ZIP, text)
        embed_engine(products.autograder_zip)  # Gradescope grades with the module's engine
        # The download holds the release's notebook ("Before you submit" added); the student
        # folder keeps the build's own, which the grading fixtures are made from.
        release_copy = Path(tmp) / f"{name}-release.ipynb"
        shutil.copy2(products.student_notebook, release_copy)
        add_before_you_submit(release_copy)
        with zipfile.ZipFile(products.student_zip, "w", zipfile.ZIP_DEFLATED) as zf:
            for path in sorted((products.root / "student").rglob("*")):
                if path.is_file():
                    zf.write(release_copy if path == products.student_notebook else path,
                             Path(name) / path.relative_to(products.root / "student"))
    return products


def build_all(
    names: list[str] | None,
    out_dir: Path,
    *,
    data_dir: Path | None = None,
    source_dir: Path | None = None,
    run_tests: bool = True,
) -> list[Products]:
    """Build the named exercises (all when ``names`` is empty or None)."""
    unknown = sorted(set(names or []) - set(EXERCISES))
    if unknown:
        raise BuildError(f"unknown exercise(s) {unknown}; known: {list(EXERCISES)}")
    return [
        build_exercise(n, out_dir, data_dir=data_dir, source_dir=source_dir, run_tests=run_tests)
        for n in (names or EXERCISES)
    ]


def launch_settings(config_file: Path) -> dict[str, str]:
    """Repository, release branch and hubs from the book's ``_config.yml`` (at the repository root).

    Students launch the release branch (``sphinx.config.crmc_release_branch``), falling back to
    ``repository.branch``. A missing file is an error, not a page without links.
    """
    if not config_file.is_file():
        raise BuildError(f"no book configuration at {config_file}")
    config = yaml.safe_load(config_file.read_text(encoding="utf-8")) or {}
    repository = config.get("repository") or {}
    launch = config.get("launch_buttons") or {}
    sphinx_config = (config.get("sphinx") or {}).get("config") or {}
    return {
        "repository": str(repository.get("url") or ""),
        "branch": str(sphinx_config.get("crmc_release_branch") or repository.get("branch")
                      or "main"),
        "binderhub": str(launch.get("binderhub_url") or ""),
        "jupyterhub": str(launch.get("jupyterhub_url") or ""),
    }


def launch_links(config_file: Path, name: str) -> list[tuple[str, str]]:
    """(label, URL) of each way to open exercise ``name``'s release notebook."""
    from crmc.sphinxext.launch import binder_url, jupyterhub_url, release_path

    s = launch_settings(config_file)
    path = release_path(f"book/exercises/{name}", is_notebook=True)
    assert path is not None
    links = [("Launch this exercise in Binder",
              binder_url(s["binderhub"], s["repository"], s["branch"], path)),
             ("Open this exercise on your JupyterHub",
              jupyterhub_url(s["jupyterhub"], s["repository"], s["branch"], path))]
    return [(label, url) for label, url in links if url]


def write_book_pages(
    products: list[Products], book_dir: Path, *, instructor: bool = False,
    config_file: Path | None = None,
) -> list[Path]:
    """Write one page per exercise into ``book_dir`` (student version unless ``instructor``).

    Each page gets a first cell with the launch links (Binder, and JupyterHub where
    ``jupyterhub_url`` is set) to the exercise's notebook in the student release, read from
    ``config_file`` (the root ``_config.yml``), and a download link to the student folder
    (notebook, data and public tests).
    """
    book_dir.mkdir(parents=True, exist_ok=True)
    pages = []
    for p in products:
        source = p.solution_notebook if instructor else p.student_notebook
        nb = nbformat.read(source, as_version=4)  # type: ignore[no-untyped-call]
        shutil.copy2(p.student_zip, book_dir / p.student_zip.name)
        lines = []
        if instructor:
            lines.append("**Instructor version: solutions shown.**\n")
        if config_file is not None:
            lines.extend(f"[{label}]({url})" for label, url in launch_links(config_file, p.name))
        lines.append(
            "{download}`Download the exercise (notebook, data, public tests) "
            f"<{p.student_zip.name}>`"
        )
        intro = nbformat.v4.new_markdown_cell("\n\n".join(lines))  # type: ignore[no-untyped-call]
        intro.metadata["tags"] = ["crmc-exercise-links"]
        nb.cells.insert(0, intro)
        for cell in nb.cells:  # the book shows the exercise; it does not run it
            if cell.cell_type == "code":
                cell.outputs = []
                cell.execution_count = None
        nb.metadata.setdefault("mystnb", {})["execution_mode"] = "off"
        page = book_dir / f"{p.name}.ipynb"
        nbformat.write(nb, page)  # type: ignore[no-untyped-call]
        pages.append(page)
    return pages
