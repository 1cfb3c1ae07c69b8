"""The student release: what Binder, a JupyterHub (nbgitpuller) or a download gives students.

``crmc release OUT_DIR`` (:mod:`crmc.release.cli`) writes, from an instructors' checkout::

    README.md                          what this tree is and how to open it
    book/<page>.ipynb                  each page as a readable notebook (glue values, citations and
                                       callouts rendered, answers folded, outputs cleared)
    exercises/<name>/<name>.ipynb      each exercise's student notebook, ending with
    exercises/<name>/data/, tests/     "Before you submit"; its data and *public* tests only
    binder/runtime.txt                 Python 3.11 for repo2docker
    binder/requirements.txt            the build's pins, JupyterLab, jupytext, nbgitpuller, and
                                       the module's package from this tree (".")
    pyproject.toml, src/crmc/          the module's package

and nothing else: no master, solution, hidden test or autograder zip. The release checks
itself with :mod:`crmc.release.leaks` before it finishes. The source checkout is passed in
(``source``); nothing here derives a path from where the package is installed.
"""

from __future__ import annotations

import json
import re
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from crmc import toc
from crmc.sphinxext.launch import release_path

from . import leaks
from .myst import Citations, ConversionError, Converter, GlueStore, Links, page_labels

__all__ = ["ReleaseError", "Release", "write_release", "STUDENT_REQUIREMENTS"]

STUDENT_REQUIREMENTS = "binder/student-requirements.txt"
"""In the source tree: what a student's server needs on top of the build's pins."""

PACKAGE_FILES = ("pyproject.toml",)
SETUP_COMMENT = "# Setup: loads the module's data, charts and explorers (Run All runs it first)."


class ReleaseError(RuntimeError):
    """The release could not be written (message names the file and why)."""


@dataclass
class Release:
    """What :func:`write_release` wrote."""

    root: Path
    pages: list[Path] = field(default_factory=list)
    exercises: list[Path] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def files(self) -> list[Path]:
        return sorted(p for p in self.root.rglob("*") if p.is_file())

    @property
    def size_bytes(self) -> int:
        return sum(p.stat().st_size for p in self.files)


def _front_matter(md: Path) -> dict[str, Any]:
    text = md.read_text(encoding="utf-8")
    match = re.match(r"^---\n(.*?)\n---\n", text, flags=re.S)
    return (yaml.safe_load(match[1]) or {}) if match else {}


def toc_docnames(source: Path) -> list[str]:
    """Every page of the checkout's ``_toc.yml`` in order (Sphinx docnames, without suffix);
    a malformed table of contents is a :class:`ReleaseError` naming what is wrong."""
    try:
        return toc.docnames(source / "_toc.yml")
    except toc.TocError as err:
        raise ReleaseError(str(err)) from err


def released_pages(source: Path) -> list[str]:
    """The notebook pages of the book that the release converts (the site's launchable pages)."""
    pages = []
    for docname in toc_docnames(source):
        md = source / f"{docname}.md"
        if not md.is_file():
            continue
        is_notebook = "kernelspec" in _front_matter(md)
        path = release_path(docname, is_notebook=is_notebook)
        if path and not path.startswith("exercises/"):
            pages.append(docname)
    return pages


def _check_out(out: Path, force: bool) -> None:
    if out.exists() and not out.is_dir():
        raise ReleaseError(f"{out} exists and is not a directory")
    if out.is_dir() and any(out.iterdir()) and not force:
        raise ReleaseError(
            f"{out} is not empty; pass --force to replace its contents "
            "(only files inside it are removed)"
        )


def _prepare_out(out: Path, force: bool) -> None:
    _check_out(out, force)
    if out.is_dir() and any(out.iterdir()):
        for child in out.iterdir():
            if child.name == ".git":  # a checkout of the release branch: keep its history
                continue
            if child.is_symlink() or child.is_file():
                child.unlink()  # a symlink is removed, never followed
            else:
                shutil.rmtree(child)
    out.mkdir(parents=True, exist_ok=True)


def execute_page(md: Path, timeout: int = 120) -> Any:
    """Execute a page as Jupyter Book does (working directory: the page's folder)."""
    import jupytext
    from nbclient import NotebookClient

    nb = jupytext.read(md, fmt="md:myst")
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3",
                            resources={"metadata": {"path": str(md.parent)}})
    client.execute()
    return nb


def convert_page(docname: str, md: Path, executed: Any, converter: Converter) -> Any:
    """The student notebook of one page: readable Markdown, one folded setup cell, no outputs."""
    import jupytext
    import nbformat

    nb = jupytext.read(md, fmt="md:myst")
    cells: list[Any] = []
    setup_sources: list[str] = []
    narrative_started = False
    for cell in nb.cells:
        tags = set(cell.metadata.get("tags", []))
        if cell.cell_type == "markdown":
            try:
                text = converter.cell(cell.source)
            except ConversionError as exc:
                raise ReleaseError(f"{md}: {exc}") from exc
            if text.strip():
                cells.append(nbformat.v4.new_markdown_cell(text))  # type: ignore[no-untyped-call]
                # A title alone does not start the narrative: the setup cell goes after it.
                narrative_started = narrative_started or any(
                    line.strip() and not line.startswith("#") for line in text.splitlines())
            continue
        if cell.cell_type != "code":
            continue
        if "remove-cell" in tags and not narrative_started:
            setup_sources.append(cell.source.strip())
            continue
        code = nbformat.v4.new_code_cell(cell.source)  # type: ignore[no-untyped-call]
        if tags & {"remove-cell", "hide-input", "hide-cell"}:
            # Glue and table preparation the site hides: folded, still run by Run All.
            code.metadata["jupyter"] = {"source_hidden": True}
        cells.append(code)
    if setup_sources:
        setup = nbformat.v4.new_code_cell(  # type: ignore[no-untyped-call]
            SETUP_COMMENT + "\n" + "\n\n".join(setup_sources)
        )
        setup.metadata["jupyter"] = {"source_hidden": True}
        setup.metadata["tags"] = ["crmc-setup"]
        first_code = next((i for i, c in enumerate(cells) if c.cell_type == "code"), len(cells))
        # After the title, before the narrative: a student sees the heading, then one folded cell.
        position = 1 if cells and cells[0].cell_type == "markdown" else 0
        cells.insert(min(position, first_code), setup)
    out = nbformat.v4.new_notebook()  # type: ignore[no-untyped-call]
    out.cells = cells
    out.metadata["kernelspec"] = dict(nb.metadata.get("kernelspec") or {
        "display_name": "Python 3", "language": "python", "name": "python3"})
    out.metadata["language_info"] = {"name": "python"}
    return out


def requirements_text(source: Path) -> str:
    """The release's Binder requirements: the build's pins, the student extras, the package."""
    pins = []
    for line in (source / "requirements.txt").read_text(encoding="utf-8").splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if stripped in ("-e .", "."):
            continue
        pins.append(stripped)
    extras_file = source / STUDENT_REQUIREMENTS
    if not extras_file.is_file():
        raise ReleaseError(f"missing {extras_file} (the student server's pins)")
    extras = [ln.strip() for ln in extras_file.read_text(encoding="utf-8").splitlines()
              if ln.strip() and not ln.strip().startswith("#")]
    return (
        "# The student environment: the same pins as the course build, a JupyterLab server,\n"
        "# and the module's package from this tree (repo2docker installs from the tree's root).\n"
        + "\n".join(pins + extras) + "\n.\n"
    )


STUDENT_README = """# {title}: student notebooks

This is the **student release** of the module: the pages of the book as notebooks and the
graded exercises with their data and public tests. It holds no solutions.

- `book/`: one notebook per part of the book. Run all cells (*Run → Run All Cells*) to bring
  the charts and explorers to life.
- `exercises/<exercise>/`: the exercise notebook, its `data/` and its public `tests/`. Each
  notebook ends with *Before you submit*.

Open it in Binder or your institution's JupyterHub from the launch buttons of the course site,
or locally with Python 3.11:

```bash
python -m pip install -r binder/requirements.txt
jupyter lab
```

SIPRI data: Source: SIPRI Arms Transfers Database. The interview is © The Diplomat,
paraphrased with short attributed quotations.
"""


def _copy_package(source: Path, out: Path) -> None:
    for name in PACKAGE_FILES:
        shutil.copy2(source / name, out / name)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info")
    shutil.copytree(source / "src" / "crmc", out / "src" / "crmc", ignore=ignore)


def write_release(
    source: Path,
    out: Path,
    *,
    force: bool = False,
    run_tests: bool = True,
    progress: Callable[[str], None] | None = None,
) -> Release:
    """Write the student release of the checkout ``source`` into ``out``."""
    started = time.perf_counter()
    say = progress or (lambda message: None)
    source = source.resolve()
    for needed in ("_config.yml", "_toc.yml", "requirements.txt", "pyproject.toml", "exercises"):
        if not (source / needed).exists():
            raise ReleaseError(f"{source} is not the module's source checkout: no {needed}")
    out = out.resolve()
    if out == source or source.is_relative_to(out):
        raise ReleaseError(f"{out} holds the source checkout; choose another directory")
    _check_out(out, force)
    config = yaml.safe_load((source / "_config.yml").read_text(encoding="utf-8")) or {}
    bib_files = config.get("bibtex_bibfiles") or []
    secrets = leaks.all_secrets(source / "exercises")

    from crmc.exercises import EXERCISES
    from crmc.exercises.build import BuildError, add_before_you_submit, build_all

    pages = released_pages(source)
    labels: dict[str, tuple[str, str]] = {}
    for docname in toc_docnames(source):
        md = source / f"{docname}.md"
        if md.is_file():
            labels.update(page_labels(docname, md.read_text(encoding="utf-8")))

    def where(docname: str) -> str | None:
        return release_path(docname, is_notebook=docname in pages)

    with tempfile.TemporaryDirectory(prefix="crmc-release-") as tmp:
        staging = Path(tmp) / "release"
        staging.mkdir()
        release = Release(staging)
        for docname in pages:
            md = source / f"{docname}.md"
            say(f"page {docname}")
            try:
                executed = execute_page(md)
            except Exception as exc:  # noqa: BLE001 - any failure names the page
                raise ReleaseError(f"{md}: executing the page failed: {exc}") from exc
            citations = Citations(source / bib_files[0]) if bib_files else Citations(Path("-"))
            converter = Converter(GlueStore.from_notebook(executed), citations,
                                  Links(docname, where, labels))
            nb = convert_page(docname, md, executed, converter)
            target = staging / f"{docname}.ipynb"
            target.parent.mkdir(parents=True, exist_ok=True)
            import nbformat

            nbformat.write(nb, target)  # type: ignore[no-untyped-call]
            release.pages.append(target)
        say("exercises")
        try:
            products = build_all(list(EXERCISES), Path(tmp) / "exercises", run_tests=run_tests,
                                 source_dir=source / "exercises")
        except BuildError as exc:
            raise ReleaseError(f"exercise build failed: {exc}") from exc
        for p in products:
            dest = staging / "exercises" / p.name
            shutil.copytree(p.root / "student", dest)
            add_before_you_submit(dest / f"{p.name}.ipynb")
            release.exercises.append(dest / f"{p.name}.ipynb")
        binder = staging / "binder"
        binder.mkdir()
        (binder / "runtime.txt").write_text("python-3.11\n")
        (binder / "requirements.txt").write_text(requirements_text(source))
        _copy_package(source, staging)
        title = str(config.get("title") or "The module")
        (staging / "README.md").write_text(STUDENT_README.format(title=title), encoding="utf-8")
        found = leaks.scan_tree(staging, secrets)
        if found:
            listed = "\n".join(f"  {leak}" for leak in found[:20])
            raise ReleaseError(f"the release would leak {len(found)} secret(s):\n{listed}")
        _prepare_out(out, force)
        for child in staging.iterdir():
            shutil.move(str(child), out / child.name)
    release.root = out
    release.pages = [out / p.relative_to(staging) for p in release.pages]
    release.exercises = [out / p.relative_to(staging) for p in release.exercises]
    release.seconds = time.perf_counter() - started
    manifest = {
        "pages": [p.relative_to(out).as_posix() for p in release.pages],
        "exercises": [p.relative_to(out).as_posix() for p in release.exercises],
    }
    (out / "release.json").write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
    return release
