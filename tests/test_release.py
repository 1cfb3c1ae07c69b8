"""The student release (``crmc release OUT_DIR``): what it holds, what it must never hold, and
how it fails on bad input. The release itself is written once per session (``release`` fixture,
through the console script)."""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest

from crmc.exercises import EXERCISES
from crmc.release import leaks, released_pages
from crmc.release.myst import Citations, ConversionError, Converter, GlueStore, Links
from crmc.sphinxext.launch import binder_url, jupyterhub_url, release_path

from .conftest import ROOT, ReleaseRun

pytestmark = pytest.mark.slow

CRMC = Path(sys.executable).parent / "crmc"
RAW_MYST = ("{glue", "{cite", ":::{", "```{", "{doc}", "{ref}", "{bibliography}")


def _markdown(nb_path: Path) -> str:
    nb = json.loads(nb_path.read_text(encoding="utf-8"))
    return "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")


def test_release_holds_pages_exercises_environment_and_package(release: ReleaseRun) -> None:
    root = release.root
    pages = released_pages(ROOT)
    assert {"book/part1-history", "book/part4-risks", "book/intro"} <= set(pages)
    assert "book/instructor-guide" not in pages
    for docname in pages:
        assert (root / f"{docname}.ipynb").is_file(), docname
    for name in EXERCISES:
        folder = root / "exercises" / name
        assert (folder / f"{name}.ipynb").is_file()
        assert any((folder / "data").glob("*.csv")) and any((folder / "tests").glob("q*.py"))
    assert (root / "binder" / "runtime.txt").read_text().strip() == "python-3.11"
    requirements = (root / "binder" / "requirements.txt").read_text().splitlines()
    for pin in ("jupyterlab==", "jupytext==", "pandas==", "altair==", "nbgitpuller=="):
        assert any(line.startswith(pin) for line in requirements), pin
    assert requirements[-1] == ".", "the package must be installed from the tree itself"
    assert (root / "pyproject.toml").is_file() and (root / "src" / "crmc" / "__init__.py").is_file()
    assert not (root / "exercises" / "part1-history.md").exists(), "a master in the release"
    assert "pages" in release.stdout and "files" in release.stdout


def test_force_replaces_only_what_is_inside_out_dir(release: ReleaseRun) -> None:
    root = release.root
    assert not (root / "stale.txt").exists() and not (root / "link-outside").exists()
    assert release.outside.read_text() == "outside OUT_DIR", "followed a symlink out of OUT_DIR"
    assert (root / ".git" / "HEAD").is_file(), "a checkout's .git folder must be kept"


@pytest.mark.parametrize("docname", released_pages(ROOT))
def test_page_notebook_reads_like_the_book(release: ReleaseRun, docname: str) -> None:
    nb_path = release.root / f"{docname}.ipynb"
    nb = json.loads(nb_path.read_text(encoding="utf-8"))
    markdown = _markdown(nb_path)
    for raw in RAW_MYST:
        assert raw not in markdown, f"raw MyST {raw!r} in {docname}"
    assert not re.search(r"^\([\w.:-]+\)=\s*$", markdown, flags=re.M), "a label target shows"
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert all(not c["outputs"] for c in code), "outputs must be cleared"
    # The first code cell is the folded setup cell, right after the title.
    first_code = next(i for i, c in enumerate(nb["cells"]) if c["cell_type"] == "code")
    assert first_code <= 1
    assert nb["cells"][first_code]["metadata"]["jupyter"]["source_hidden"] is True
    if "## Self-check" in markdown:
        # The questions come from one call (commit-first forms), no answer is in the Markdown.
        after = markdown.split("## Self-check", 1)[1].split("\n## ", 1)[0]
        assert "**Right**" not in after and "Wrong" not in after
        assert any("".join(c["source"]).strip() == "page.self_check()" for c in code)


def test_page_numbers_are_the_glued_values(release: ReleaseRun) -> None:
    """Part 1 quotes the number of timeline events: the release shows the data's count."""
    from crmc import data

    markdown = _markdown(release.root / "book" / "part1-history.ipynb")
    assert f"timeline of {len(data.load_timeline())} events" in " ".join(markdown.split())
    assert "(Kuo 2022)" in markdown, "the {cite:p} of the interview becomes author–year"


@pytest.mark.parametrize("name", EXERCISES)
def test_exercise_notebook_ends_with_before_you_submit(release: ReleaseRun, name: str) -> None:
    nb = json.loads((release.root / "exercises" / name / f"{name}.ipynb").read_text())
    tail = ["".join(c["source"]) for c in nb["cells"][-2:]]
    assert tail[0].startswith("## Before you submit") and "Download" in tail[0]
    assert tail[1] == "grader.check_all()"


# -- the leak scan -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def secrets() -> list[leaks.Secret]:
    found = leaks.all_secrets(ROOT / "exercises")
    for name in EXERCISES:
        kinds = {s.kind for s in found if s.exercise == name}
        assert kinds == {"solution", "hidden test"}, (name, kinds)
    return found


def test_release_tree_leaks_no_solution_or_hidden_test(release: ReleaseRun,
                                                       secrets: list[leaks.Secret]) -> None:
    found = leaks.scan_tree(release.root, secrets)
    assert not found, "\n".join(map(str, found[:20]))


def test_site_leaks_no_solution_or_hidden_test(site_dir: Path,
                                               secrets: list[leaks.Secret]) -> None:
    found = leaks.scan_tree(site_dir, secrets)
    assert not found, "\n".join(map(str, found[:20]))


def test_leak_scan_positive_control(release: ReleaseRun, secrets: list[leaks.Secret],
                                    tmp_path: Path) -> None:
    """Plant each kind of leak in a copy of the release: the scan must find every one."""
    copy = tmp_path / "release"
    shutil.copytree(release.root, copy, ignore=shutil.ignore_patterns(".git", "src"))
    solution = next(s for s in secrets if s.kind == "solution")
    hidden = next(s for s in secrets if s.kind == "hidden test")
    # 1. a solution line inside a notebook cell (JSON escapes its quotes)
    nb_path = copy / "exercises" / "part2-normal-vs-wartime" / "part2-normal-vs-wartime.ipynb"
    nb = json.loads(nb_path.read_text())
    nb["cells"].append({"cell_type": "code", "metadata": {}, "outputs": [],
                        "execution_count": None, "source": [solution.line + "\n"]})
    nb_path.write_text(json.dumps(nb))
    # 2. a hidden test inside a zip inside a zip
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as zf:
        zf.writestr("tests/q9.py", "def test():\n    " + hidden.line + "\n")
    with zipfile.ZipFile(copy / "handout.zip", "w") as zf:
        zf.writestr("nested.zip", inner.getvalue())
    # 3. a file that must not ship whatever it holds
    (copy / "exercises" / "solution").mkdir()
    (copy / "exercises" / "solution" / "notes.txt").write_text("x")
    found = leaks.scan_tree(copy, secrets)
    assert any(f.secret == solution and f.path.endswith(".ipynb (JSON strings)") for f in found)
    assert any(f.secret == hidden and f.path == "handout.zip!nested.zip!tests/q9.py"
               for f in found)
    assert any(f.secret is None and "solution/notes.txt" in f.path for f in found)


# -- launch URLs -------------------------------------------------------------------------------


def _launch_links(site_dir: Path) -> dict[str, list[str]]:
    links: dict[str, list[str]] = {}
    for page in site_dir.rglob("*.html"):
        text = page.read_text(encoding="utf-8", errors="replace")
        found = re.findall(r'href="(https://mybinder\.org/v2/gh/[^"]+|[^"]*/hub/user-redirect/'
                           r'git-pull\?[^"]+)"', text)
        if found:
            links[page.relative_to(site_dir).as_posix()] = [u.replace("&amp;", "&") for u in found]
    return links


def test_every_site_launch_url_opens_a_file_of_the_release(site_dir: Path,
                                                           release: ReleaseRun) -> None:
    links = _launch_links(site_dir)
    assert "book/part1-history.html" in links and "book/exercises/part1-history.html" in links
    for page, urls in links.items():
        for url in urls:
            parsed = urlparse(url)
            assert parsed.path.endswith("/student-release"), (page, url)
            urlpath = parse_qs(parsed.query)["urlpath"][0]
            assert urlpath.startswith("lab/tree/"), url
            assert (release.root / urlpath.removeprefix("lab/tree/")).is_file(), (page, url)


def test_jupyterhub_links_go_through_nbgitpuller() -> None:
    path = release_path("book/exercises/part3-interdependence", is_notebook=True)
    assert path == "exercises/part3-interdependence/part3-interdependence.ipynb"
    url = jupyterhub_url("https://hub.example.edu/", "https://github.com/o/course", "rel", path)
    assert url is not None
    parsed = urlparse(url)
    assert parsed.path == "/hub/user-redirect/git-pull"
    query = parse_qs(parsed.query)
    assert query == {"repo": ["https://github.com/o/course"], "branch": ["rel"],
                     "urlpath": [f"lab/tree/course/{path}"]}
    assert binder_url("https://mybinder.org", "https://gitlab.com/o/r", "rel", path) is None
    assert release_path("book/instructor-guide", is_notebook=False) is None


def test_exercise_page_links_are_written_by_the_cli(tmp_path: Path, release: ReleaseRun) -> None:
    """`crmc-exercises build --book-dir` from the repository root reads the root _config.yml
    and links each exercise page to the notebook in the release branch."""
    book = tmp_path / "book"
    proc = subprocess.run(
        [str(CRMC.with_name("crmc-exercises")), "build", "part1-history", "--no-run-tests",
         "--out", str(tmp_path / "build"), "--book-dir", str(book)],
        cwd=ROOT, capture_output=True, text=True, check=False, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    first = json.loads((book / "part1-history.ipynb").read_text())["cells"][0]
    match = re.search(r"\[Launch this exercise in Binder\]\((?P<url>[^)]+)\)",
                      "".join(first["source"]))
    assert match, first["source"]
    url = urlparse(match["url"])
    assert url.path == "/v2/gh/crmc-course/china-russia-military-cooperation/student-release"
    assert (release.root / parse_qs(url.query)["urlpath"][0].removeprefix("lab/tree/")).is_file()


# -- bad input ---------------------------------------------------------------------------------


def test_refuses_a_non_empty_out_dir_without_force(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "work.txt").write_text("a student's work")
    proc = subprocess.run([str(CRMC), "release", str(out)], cwd=ROOT, capture_output=True,
                          text=True, check=False)
    assert proc.returncode == 2 and "not empty" in proc.stderr and "--force" in proc.stderr
    assert (out / "work.txt").read_text() == "a student's work"
    assert [p.name for p in out.iterdir()] == ["work.txt"]


def test_refuses_an_out_dir_that_holds_the_source(tmp_path: Path) -> None:
    proc = subprocess.run([str(CRMC), "release", str(ROOT.parent), "--force"], cwd=ROOT,
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 2 and "holds the source checkout" in proc.stderr
    assert (ROOT / "_config.yml").is_file()


def test_a_page_that_fails_to_convert_fails_the_release_naming_it(tmp_path: Path) -> None:
    source = tmp_path / "source"
    (source / "book").mkdir(parents=True)
    for name in ("_config.yml", "requirements.txt", "pyproject.toml"):
        shutil.copy(ROOT / name, source / name)
    shutil.copytree(ROOT / "exercises", source / "exercises",
                    ignore=shutil.ignore_patterns("_build"))
    (source / "_toc.yml").write_text("format: jb-book\nroot: book/broken\n")
    (source / "book" / "broken.md").write_text(
        "---\nkernelspec: {name: python3, display_name: Python 3, language: python}\n---\n\n"
        "# Broken\n\n:::{mystery-directive}\nbody\n:::\n")
    out = tmp_path / "out"
    proc = subprocess.run([str(CRMC), "release", str(out), "--source", str(source)],
                          capture_output=True, text=True, check=False, timeout=300)
    assert proc.returncode == 2
    assert "broken.md" in proc.stderr and "mystery-directive" in proc.stderr
    assert not out.exists() or not any(out.iterdir()), "a failed release must write nothing"


def test_not_a_source_checkout_is_refused(tmp_path: Path) -> None:
    proc = subprocess.run([str(CRMC), "release", str(tmp_path / "out"), "--source",
                           str(tmp_path)], capture_output=True, text=True, check=False)
    assert proc.returncode == 2 and "not the module's source checkout" in proc.stderr


# -- the converter on its own ------------------------------------------------------------------


def _converter(glued: dict[str, str]) -> Converter:
    store = GlueStore({k: {"text/plain": v} for k, v in glued.items()})
    return Converter(store, Citations(ROOT / "book" / "references.bib"),
                     Links("book/part1-history", lambda d: f"{d}.ipynb",
                           {"part4": ("book/part4-risks", "Part 4 — Risks")}))


def test_converter_renders_roles_and_directives() -> None:
    conv = _converter({"n": "49", "share": "0.715", "when": "'16 May 1989'"})
    out = conv.cell(
        "(label)=\n# Title\n\n{glue:text}`n` events on {glue:text}`when`, "
        "{glue:text}`share:.0%` {cite:p}`kuo2022korolev`; see {ref}`part4`.\n\n"
        "::::{admonition} Box\n:class: note\n\nInside {glue:text}`n`.\n\n"
        ":::{dropdown} Answer\n- (a) **Right**\n:::\n::::\n")
    assert "(label)=" not in out
    assert "49 events on 16 May 1989, 72% (Kuo 2022); see [Part 4 — Risks](part4-risks.ipynb)." \
        in out
    assert "> **Box**" in out and "> Inside 49." in out
    assert "> <details>" in out and "> <summary>Answer</summary>" in out


def test_converter_refuses_what_it_cannot_render() -> None:
    conv = _converter({})
    with pytest.raises(ConversionError, match="glue key 'missing'"):
        conv.cell("{glue:text}`missing`")
    with pytest.raises(ConversionError, match=r"role \{unknown\}"):
        conv.cell("{unknown}`x`")
    with pytest.raises(ConversionError, match="unclosed fence"):
        conv.cell(":::{note}\nno end\n")


@pytest.mark.parametrize("name", EXERCISES)
def test_site_download_zip_holds_the_release_notebook(site_dir: Path, release: ReleaseRun,
                                                     name: str) -> None:
    """The exercise page's download is what the release gives: the same notebook, ending with
    "Before you submit", beside its data and public tests."""
    (served,) = site_dir.rglob(f"{name}-student.zip")
    with zipfile.ZipFile(served) as zf:
        members = set(zf.namelist())
        downloaded = json.loads(zf.read(f"{name}/{name}.ipynb"))
    released = json.loads((release.root / "exercises" / name / f"{name}.ipynb").read_text())

    def sources(nb: dict[str, Any]) -> list[tuple[str, str]]:
        return [(c["cell_type"], "".join(c["source"])) for c in nb["cells"]]

    assert sources(downloaded) == sources(released)
    assert sources(downloaded)[-2][1].startswith("## Before you submit")
    assert any(m.startswith(f"{name}/data/") for m in members)
    assert any(m.startswith(f"{name}/tests/") for m in members)
