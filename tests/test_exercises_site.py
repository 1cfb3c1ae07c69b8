"""No solution and no hidden test reaches the student notebooks or the published site."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import jupytext
import pytest

from crmc.exercises import EXERCISES, exercises_dir, find_project
from crmc.exercises.build import Products, build_all, write_book_pages
from crmc.exercises.objectives import write_map

pytestmark = pytest.mark.slow
FIXTURE_DATA = Path(__file__).parent / "fixtures" / "data"


def secrets(name: str) -> list[str]:
    """Strings only the solution or the hidden tests contain (taken from the master)."""
    nb = jupytext.read(exercises_dir() / f"{name}.md")
    found: list[str] = []
    in_solution = False
    for cell in nb.cells:
        text = cell.source
        if cell.cell_type == "raw":
            in_solution = text.strip().startswith("# BEGIN SOLUTION") or (
                in_solution and not text.strip().startswith("# END SOLUTION")
            )
            continue
        if "hidden: true" in text:
            found += re.findall(r"def (test_\w+)", text)
            found += [ln.strip() for ln in text.splitlines() if "assert" in ln and len(ln) > 30]
        elif in_solution and cell.cell_type == "code":
            found += [ln.split("# SOLUTION")[0].strip() for ln in text.splitlines()
                      if "# SOLUTION" in ln and "= ..." not in ln]
        elif in_solution and cell.cell_type == "markdown":
            found += [ln.strip() for ln in text.splitlines() if len(ln.strip()) > 40]
    return [s for s in found if s]


GENERIC = ["# BEGIN SOLUTION", "# SOLUTION", "hidden=True", "BEGIN TEST CONFIG", "Model answer"]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> list[Products]:
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "crmc_test_recipes_loader", Path(__file__).parent / "fixtures" / "submissions" / "recipes.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return build_all(None, tmp_path_factory.mktemp("build"), data_dir=module.load().data_dir())


def _leaks(text: str, name: str) -> list[str]:
    return [s for s in GENERIC + secrets(name) if s in text]


def test_secrets_are_found_in_the_solution(built: list[Products]) -> None:
    for p in built:
        solution = p.solution_notebook.read_text(encoding="utf-8")
        assert secrets(p.name), p.name
        assert any(s in solution for s in secrets(p.name))


def test_student_products_hold_no_solution_or_hidden_test(built: list[Products]) -> None:
    for p in built:
        for path in (p.root / "student").rglob("*"):
            if path.is_file() and path.suffix in (".ipynb", ".py"):
                assert not _leaks(path.read_text(encoding="utf-8"), p.name), path
        with zipfile.ZipFile(p.student_zip) as zf:
            for member in zf.namelist():
                if member.endswith((".ipynb", ".py")):
                    assert not _leaks(zf.read(member).decode("utf-8"), p.name), member


def test_built_site_holds_no_solution_or_hidden_test(
    built: list[Products], tmp_path: Path
) -> None:
    """Build a small Jupyter Book with the exercise pages (student version) and scan its HTML."""
    if shutil.which("jupyter-book", path=str(Path(sys.executable).parent)) is None:
        pytest.fail("jupyter-book is not installed in this environment")
    book = tmp_path / "book"
    (book / "exercises").mkdir(parents=True)
    shutil.copy(find_project() / "book" / "exercises" / "index.md", book / "exercises" / "index.md")
    (book / "instructor-guide.md").write_text("# Instructor guide\n", encoding="utf-8")
    config = tmp_path / "_config.yml"  # a root configuration, as the repository has
    config.write_text("repository: {url: 'https://github.com/o/r'}\n"
                      "launch_buttons: {binderhub_url: 'https://mybinder.org'}\n", encoding="utf-8")
    write_book_pages(built, book / "exercises", config_file=config)
    write_map(book / "exercises", find_project())  # the index includes the generated objectives map
    (book / "_config.yml").write_text(
        "title: test\nexecute:\n  execute_notebooks: 'off'\n", encoding="utf-8")
    (book / "_toc.yml").write_text(
        "format: jb-book\nroot: exercises/index\nchapters:\n"
        + "".join(f"- file: exercises/{n}\n" for n in EXERCISES)
        + "- file: instructor-guide\n", encoding="utf-8")
    jb = Path(sys.executable).parent / "jupyter-book"
    proc = subprocess.run([str(jb), "build", str(book)], capture_output=True, text=True,
                          check=False)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    html_dir = book / "_build" / "html"
    pages = list(html_dir.rglob("*.html"))
    assert any(p.name == "part1-history.html" for p in pages)
    for name in EXERCISES:
        page = (html_dir / "exercises" / f"{name}.html").read_text(encoding="utf-8")
        assert "mybinder.org" in page and f"{name}-student.zip" in page
    for page in pages:
        text = page.read_text(encoding="utf-8")
        for name in EXERCISES:
            assert not _leaks(text, name), (page, _leaks(text, name))
    for dl in html_dir.rglob("*.ipynb"):
        for name in EXERCISES:
            assert not _leaks(dl.read_text(encoding="utf-8"), name), dl


def test_published_site_leaks_nothing(site_dir: Path) -> None:
    """The module's built site (the test command builds it first): pages, notebook downloads and
    student zips carry no solution and no hidden test. A missing site fails (site_dir fixture)."""
    exercise_pages = [site_dir / "book" / "exercises" / f"{name}.html" for name in EXERCISES]
    assert all(page.is_file() for page in exercise_pages), "exercise pages missing from the site"
    texts: list[tuple[Path, str]] = [
        (p, p.read_text(encoding="utf-8", errors="replace"))
        for pattern in ("*.html", "*.ipynb", "*.md", "*.txt", "*.py")
        for p in site_dir.rglob(pattern)
        if "_static" not in p.parts
    ]
    for archive in site_dir.rglob("*.zip"):
        with zipfile.ZipFile(archive) as zipped:
            texts += [
                (archive / member, zipped.read(member).decode("utf-8", errors="replace"))
                for member in zipped.namelist()
                if member.endswith((".ipynb", ".py", ".md", ".txt"))
            ]
    assert len(texts) > len(exercise_pages)
    for path, text in texts:
        for name in EXERCISES:
            assert not _leaks(text, name), (path, _leaks(text, name))


def test_public_checks_run_in_a_renamed_student_notebook(
    built: list[Products], tmp_path: Path
) -> None:
    """What a student meets in Binder: the notebook renamed, an answer given, grader.check run.

    The solution's cells run in the student's folder (public tests only) under a new name; the
    first check passes, and the notebook says hidden tests run at grading time.
    """
    import nbclient
    import nbformat

    products = built[0]
    folder = tmp_path / "student"
    shutil.copytree(products.student_notebook.parent, folder)
    renamed = folder / "my copy (1).ipynb"
    (folder / products.student_notebook.name).unlink()
    solution = nbformat.read(products.solution_notebook, as_version=4)
    first_check = next(
        i for i, c in enumerate(solution.cells) if c.cell_type == "code" and "grader.check(" in c.source
    )
    solution.cells = solution.cells[: first_check + 1]
    nbformat.write(solution, renamed)
    student_text = products.student_notebook.read_text(encoding="utf-8")
    assert "Hidden tests run at grading time" in student_text

    client = nbclient.NotebookClient(solution, timeout=120, resources={"metadata": {"path": str(folder)}})
    client.execute()
    output = "".join(
        str(o.get("data", {}).get("text/plain", "")) + str(o.get("data", {}).get("text/html", ""))
        + str(o.get("text", ""))
        for o in solution.cells[first_check].get("outputs", [])
    )
    assert "passed" in output.lower(), output[:2000]


def test_student_cells_are_valid_python(built: list[Products]) -> None:
    """Every code cell a student receives parses: a stripped solution leaves runnable `...`."""
    import ast

    import nbformat

    for p in built:
        nb = nbformat.read(p.student_notebook, as_version=4)
        for i, cell in enumerate(nb.cells):
            if cell.cell_type == "code":
                try:
                    ast.parse(cell.source)
                except SyntaxError as exc:  # pragma: no cover - the failure message
                    pytest.fail(f"{p.name}, cell {i}: {exc}\n{cell.source[:200]}")
