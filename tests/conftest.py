"""Shared fixtures: where the repository and the built site are."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from crmc.toc import docnames

ROOT = Path(__file__).resolve().parents[1]
SITE = ROOT / "_build" / "html"


def toc_pages() -> list[str]:
    """Every page in ``_toc.yml``, as its path without suffix (``book/intro``)."""
    return docnames(ROOT / "_toc.yml")


@pytest.fixture(scope="session")
def site_dir() -> Path:
    """The built site; its absence fails the test (the test command builds it first)."""
    if not (SITE / "index.html").is_file():
        pytest.fail(f"No built site at {SITE}: run `bash scripts/build-site.sh` first.")
    return SITE


@pytest.fixture(scope="session")
def playwright_instance() -> Iterator[Any]:
    """One Playwright per session: the site and the JupyterLab tests share it (the sync API
    cannot run two at once)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        yield p


class ReleaseRun:
    """One run of ``crmc release OUT_DIR --force`` into a folder that already held files."""

    def __init__(self, root: Path, outside: Path, stdout: str) -> None:
        self.root = root
        self.outside = outside
        self.stdout = stdout


@pytest.fixture(scope="session")
def release(tmp_path_factory: pytest.TempPathFactory) -> ReleaseRun:
    """The student release, written once per test session through the console script.

    OUT_DIR already holds a stale file, a ``.git`` folder and a symlink to a file outside it,
    so the same run shows what ``--force`` removes and what it must leave alone.
    """
    import subprocess
    import sys

    out = tmp_path_factory.mktemp("release") / "student-release"
    outside = tmp_path_factory.mktemp("outside") / "keep.txt"
    outside.write_text("outside OUT_DIR", encoding="utf-8")
    out.mkdir()
    (out / "stale.txt").write_text("from an older release", encoding="utf-8")
    (out / "link-outside").symlink_to(outside)
    (out / ".git").mkdir()
    (out / ".git" / "HEAD").write_text("ref: refs/heads/student-release\n", encoding="utf-8")
    crmc = Path(sys.executable).parent / "crmc"
    proc = subprocess.run([str(crmc), "release", str(out), "--force", "--no-run-tests"],
                          cwd=ROOT, capture_output=True, text=True, timeout=1200, check=False)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-5000:]
    return ReleaseRun(out, outside, proc.stdout)
