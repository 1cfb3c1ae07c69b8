"""A real JupyterLab from the release's environment, on 127.0.0.1, over a copy of the release.

The server is the JupyterLab the release pins (``binder/student-requirements.txt`` is part of the
test requirements, and a test checks the versions agree). The module's server extension is
enabled by the same config file the package installs (``jupyter_server_config.d/crmc.json``).
Chromium is Debian's, driven by Playwright; every non-loopback request is aborted and recorded.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Playwright

from crmc.sphinxext.serve import CHROMIUM_ARGS, chromium_path
from tests.conftest import ROOT, ReleaseRun

ARTIFACTS = ROOT / "test-artifacts" / "screenshots"


@dataclass
class Lab:
    url: str
    token: str
    root: Path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def lab(release: ReleaseRun, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    base = tmp_path_factory.mktemp("jupyterlab")
    tree = base / "release"
    shutil.copytree(release.root, tree, ignore=shutil.ignore_patterns(".git"))
    config = base / "config"
    (config / "jupyter_server_config.d").mkdir(parents=True)
    import crmc.jupyter_server

    package_config = Path(crmc.jupyter_server.__file__).with_name("jupyter_config") / "crmc.json"
    shutil.copy(package_config, config / "jupyter_server_config.d" / "crmc.json")
    settings = base / "settings" / "@jupyterlab" / "notebook-extension"
    settings.mkdir(parents=True)
    # Render every cell (no windowing), so the test sees the whole notebook.
    (settings / "tracker.jupyterlab-settings").write_text(json.dumps({"windowingMode": "none"}))
    # No "get notified about Jupyter news?" toast over the notebook (and no news fetch).
    notification = base / "settings" / "@jupyterlab" / "apputils-extension"
    notification.mkdir(parents=True)
    (notification / "notification.jupyterlab-settings").write_text(
        json.dumps({"fetchNews": "false"}))
    token = secrets.token_hex(16)
    port = _free_port()
    env = {**os.environ, "HOME": str(base / "home"), "JUPYTER_CONFIG_DIR": str(config),
           "JUPYTERLAB_SETTINGS_DIR": str(base / "settings"),
           "JUPYTERLAB_WORKSPACES_DIR": str(base / "workspaces"),
           "JUPYTER_RUNTIME_DIR": str(base / "runtime")}
    log = (base / "server.log").open("w")
    proc = subprocess.Popen(
        [str(Path(sys.executable).parent / "jupyter-lab"), "--no-browser", "--ip=127.0.0.1",
         f"--port={port}", "--ServerApp.port_retries=0", f"--ServerApp.root_dir={tree}",
         f"--IdentityProvider.token={token}", "--LabApp.expose_app_in_browser=True",
         "--LabApp.news_url=", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
         *(["--allow-root"] if os.geteuid() == 0 else [])],  # CI runs as root
        env=env, stdout=log, stderr=subprocess.STDOUT, cwd=tree,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=5):
                    break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("JupyterLab did not start:\n"
                                       + (base / "server.log").read_text()[-3000:]) from None
                time.sleep(0.5)
        yield Lab(url, token, tree)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@pytest.fixture(scope="session")
def lab_browser(playwright_instance: Playwright) -> Iterator[Browser]:
    browser = playwright_instance.chromium.launch(executable_path=chromium_path(),
                                                  args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture(scope="session")
def lab_artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS
