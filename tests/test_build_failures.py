"""Bad input fails the build loudly, naming what went wrong.

Each test builds a one-page book with the project's own ``_config.yml`` and the same
flags as ``scripts/build-site.sh``.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
HEADER = """---
jupytext:
  text_representation: {extension: .md, format_name: myst}
kernelspec: {display_name: Python 3, language: python, name: python3}
---
# A test page

"""


def _build(tmp_path: Path, body: str) -> subprocess.CompletedProcess[str]:
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    # A one-page book has no bibliography; drop the bibtex settings with it.
    config.pop("bibtex_bibfiles", None)
    config["sphinx"]["config"].pop("bibtex_reference_style", None)
    (tmp_path / "_config.yml").write_text(yaml.safe_dump(config))
    (tmp_path / "_toc.yml").write_text("format: jb-book\nroot: book/page\n")
    (tmp_path / "book").mkdir()
    (tmp_path / "book" / "page.md").write_text(HEADER + body)
    jupyter_book = Path(sys.executable).with_name("jupyter-book")
    return subprocess.run(
        [str(jupyter_book), "build", str(tmp_path), "-W", "-n", "--keep-going"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.mark.slow
def test_a_cell_that_raises_fails_the_build_naming_page_and_cell(tmp_path: Path) -> None:
    result = _build(
        tmp_path,
        "```{code-cell} ipython3\nx = 1\n```\n\n```{code-cell} ipython3\nraise RuntimeError('deliberate failure')\n```\n",
    )
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "book/page" in output
    assert "deliberate failure" in output or "RuntimeError" in output
    assert "cell" in output.lower()


@pytest.mark.slow
def test_a_missing_data_file_fails_the_build_naming_the_file(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-data-dir"
    result = _build(
        tmp_path,
        f"```{{code-cell}} ipython3\nfrom crmc import data\ndata.load('timeline', data_dir={str(missing)!r})\n```\n",
    )
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "timeline.csv" in output and "no-such-data-dir" in output


@pytest.mark.slow
def test_a_clean_page_builds_without_warnings(tmp_path: Path) -> None:
    result = _build(tmp_path, "Some prose.\n\n```{code-cell} ipython3\n1 + 1\n```\n")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    shutil.rmtree(tmp_path / "_build")
