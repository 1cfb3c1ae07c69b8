"""repo2docker's own reading of the release tree: the Dockerfile it would build is the contract.

``repo2docker --no-build --debug`` prints the generated Dockerfile without building an image
(no Docker daemon needed). Binder and a hub image built from the release must get Python 3.11+
and install the release's requirements, including the module's package from the tree.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import ROOT, ReleaseRun

pytestmark = pytest.mark.slow

REPO2DOCKER = Path(sys.executable).parent / "repo2docker"


def _dockerfile(tree: Path) -> str:
    proc = subprocess.run([str(REPO2DOCKER), "--no-build", "--debug", str(tree)],
                          capture_output=True, text=True, check=False, timeout=300)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return proc.stdout + proc.stderr


def _python_version(log: str) -> tuple[int, int]:
    match = re.search(r"Building conda environment for python=(\d+)\.(\d+)", log)
    assert match, log[:2000]
    return int(match[1]), int(match[2])


def test_repo2docker_builds_the_release_with_python_311(release: ReleaseRun) -> None:
    log = _dockerfile(release.root)
    assert _python_version(log) >= (3, 11)
    assert "Python version unspecified" not in log
    # The requirements are installed after the tree is copied (they install the package ".").
    copy_at = log.index("COPY --chown=0:0 src/ ${REPO_DIR}/")
    install_at = log.index('pip install --no-cache-dir -r "binder/requirements.txt"')
    assert copy_at < install_at
    requirements = (release.root / "binder" / "requirements.txt").read_text()
    build_pins = [line for line in (ROOT / "requirements.txt").read_text().splitlines()
                  if "==" in line and not line.startswith("#")]
    assert all(pin in requirements.splitlines() for pin in build_pins), "pins differ from the build"


def test_repo2docker_reads_python_311_in_the_source_repository_too() -> None:
    """The instructors' own tree (binder/ holds runtime.txt): no more "unspecified, using 3.10"."""
    assert _python_version(_dockerfile(ROOT)) >= (3, 11)
