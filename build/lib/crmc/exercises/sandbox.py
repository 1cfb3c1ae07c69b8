"""Run one submission in the sandbox: process group, limits, namespaces, timeout, clean-up.

The parent side of :mod:`crmc.exercises.runner`. Each submission gets

- a private temporary directory holding only a copy of the notebook and the data files;
- its own session and process group, and where ``unshare`` works, new mount, network and PID
  namespaces (no network; when the run ends or is killed every process in it dies with it);
- a wall-clock timeout after which the whole group is killed with SIGKILL;
- an address-space limit, a file-size limit and a read-only view of the file system in which the
  repository, the autograder, the other submissions, the grader's own temporary files and the home
  directory are covered by empty ``tmpfs`` mounts.

Whatever happens, the private directory is removed and no process is left behind.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

RUNNER = Path(__file__).with_name("runner.py")
MAX_ANSWERS_BYTES = 20_000_000
TOKEN_VAR = "CRMC_SANDBOX_TOKEN"


@dataclass(frozen=True)
class Limits:
    """Resource limits for one submission."""

    timeout_s: float = 60.0
    memory_mb: int = 2048
    file_mb: int = 64


@dataclass
class RunResult:
    """What came out of one sandboxed run."""

    status: str  # "ok" | "timeout" | "crashed"
    seconds: float
    payload: dict[str, Any] = field(default_factory=dict)
    message: str = ""
    running_cell: dict[str, Any] | None = None
    notes: list[str] = field(default_factory=list)


@lru_cache(maxsize=1)
def unshare_prefix() -> tuple[str, ...]:
    """The ``unshare`` command prefix that works here, or ``()`` when none does."""
    exe = shutil.which("unshare")
    if exe is None or not sys.platform.startswith("linux"):
        return ()
    base = [exe, "--mount", "--net", "--pid", "--fork", "--kill-child", "--mount-proc"]
    candidates = [base] if os.geteuid() == 0 else []
    candidates.append([exe, "--map-root-user", *base[1:]])
    for cmd in candidates:
        try:
            ok = subprocess.run([*cmd, "true"], capture_output=True, timeout=10).returncode == 0
        except (OSError, subprocess.SubprocessError):
            ok = False
        if ok:
            return tuple(cmd)
    return ()


def isolation_summary() -> str:
    """One line for reports: what isolation this machine gives the sandbox."""
    if unshare_prefix():
        return "namespaces: mount (read-only, hidden paths), network (none), PID"
    return (
        "no namespaces available: process group, timeout and limits only; the network and "
        "the file system are NOT isolated"
    )


SYSTEM_ROOTS = frozenset(
    {"bin", "boot", "dev", "etc", "lib", "lib32", "lib64", "libx32"}
    | {"proc", "run", "sbin", "sys", "usr"}
)
"""Top-level folders the sandboxed Python may see (read-only): the operating system itself."""


def hidden_roots(root: Path = Path("/")) -> list[Path]:
    """Every other top-level folder: covered in the sandbox unless it holds a kept path.

    An allow-list, not a deny-list: exercise masters, answer keys or other classes'
    submissions may sit anywhere on an instructor's disk (``/work``, ``/srv``, ``/opt``…), so
    student code sees only the operating system and the Python it runs on (``keep_paths``).
    """
    return sorted(
        entry
        for entry in root.iterdir()
        if entry.is_dir() and not entry.is_symlink() and entry.name not in SYSTEM_ROOTS
    )


def keep_paths() -> list[str]:
    """Paths the sandboxed Python needs and that therefore stay visible (read-only)."""
    paths = {sys.prefix, sys.base_prefix, sys.exec_prefix, os.path.dirname(sys.executable)}
    paths.add(os.path.dirname(os.path.realpath(sys.executable)))
    return sorted(os.path.realpath(p) for p in paths)


def _kill_group(proc: subprocess.Popen[bytes], token: str) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=10)
    _kill_by_token(token)


def _kill_by_token(token: str) -> None:
    """Kill any process that carries our token (escaped the group, e.g. with ``setsid``)."""
    needle = f"{TOKEN_VAR}={token}".encode()
    for entry in Path("/proc").iterdir() if Path("/proc").is_dir() else []:
        if not entry.name.isdigit():
            continue
        try:
            environ = (entry / "environ").read_bytes()
        except OSError:
            continue
        if needle in environ.split(b"\0"):
            with contextlib.suppress(OSError):
                os.kill(int(entry.name), signal.SIGKILL)


def run_submission(
    notebook: Path,
    data_dir: Path | None,
    names: list[str],
    limits: Limits,
    scratch_root: Path,
    hide: list[Path],
) -> RunResult:
    """Execute ``notebook`` (never modified: it is read once and copied) in the sandbox."""
    private = Path(tempfile.mkdtemp(prefix="sub-", dir=scratch_root))
    token = os.urandom(8).hex()
    started = time.monotonic()
    try:
        (private / "submission.ipynb").write_bytes(notebook.read_bytes())
        if data_dir is not None and data_dir.is_dir():
            shutil.copytree(data_dir, private / "data")
        prefix = unshare_prefix()
        spec = {
            "notebook": "submission.ipynb",
            "answers": "answers.json",
            "names": names,
            "isolate_fs": bool(prefix),
            "hide": [str(p) for p in hide],
            "keep": keep_paths(),
            "memory_bytes": limits.memory_mb * 1024 * 1024,
            "file_bytes": limits.file_mb * 1024 * 1024,
        }
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(scratch_root),
            "TMPDIR": str(scratch_root),
            "LANG": "C.UTF-8",
            "MPLBACKEND": "Agg",
            "OPENBLAS_NUM_THREADS": "1",
            "OMP_NUM_THREADS": "1",
            "MKL_NUM_THREADS": "1",
            "PYTHONDONTWRITEBYTECODE": "1",
            TOKEN_VAR: token,
        }
        cmd = [*prefix, sys.executable, "-I", str(RUNNER), json.dumps(spec)]
        with open(private / "log", "wb") as log:
            proc = subprocess.Popen(
                cmd,
                cwd=private,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
            try:
                proc.wait(timeout=limits.timeout_s)
            except subprocess.TimeoutExpired:
                _kill_group(proc, token)
                return RunResult(
                    status="timeout",
                    seconds=time.monotonic() - started,
                    message=f"did not finish within {limits.timeout_s:g} s and was stopped",
                    running_cell=_read_json(private / "progress", 10_000),
                )
            _kill_group(proc, token)  # anything the notebook left running in the background
        answers = private / "answers.json"
        payload = _read_json(answers, MAX_ANSWERS_BYTES) if proc.returncode == 0 else None
        if payload is None:
            tail = (private / "log").read_bytes()[-1500:].decode("utf-8", "replace")
            oom = "MemoryError" in tail
            return RunResult(
                status="crashed",
                seconds=time.monotonic() - started,
                message=(
                    f"the notebook ran out of memory (limit {limits.memory_mb} MB)"
                    if oom
                    else f"the notebook stopped the grading process (exit code {proc.returncode})"
                ),
                running_cell=_read_json(private / "progress", 10_000),
            )
        return RunResult(
            status="ok",
            seconds=time.monotonic() - started,
            payload=payload,
            notes=[str(n) for n in payload.get("notes", [])],
        )
    finally:
        shutil.rmtree(private, ignore_errors=True)


def _read_json(path: Path, max_bytes: int) -> dict[str, Any] | None:
    try:
        if path.stat().st_size > max_bytes:
            return None
        value = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):
        return None
    return value if isinstance(value, dict) else None
