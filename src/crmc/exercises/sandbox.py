"""Run one submission in a bubblewrap sandbox, with limits that hold, and clean up after it.

The parent side of :mod:`crmc.exercises.runner`. Every submission runs as

    [setpriv --reuid U --regid U --clear-groups]   (only when the grader runs as root)
    bwrap --unshare-all --unshare-user --disable-userns --die-with-parent --new-session …
          python -I runner.py SPEC

- **Never host root.** Started as root, the grader first drops to an unprivileged host uid
  (``SANDBOX_UID_BASE + slot``, one per parallel sandbox, so process counts are per sandbox)
  and only then creates the namespaces: a user namespace made by root maps to host root, one
  made by an ordinary uid does not. Started by an ordinary user, the sandbox runs as that user.
- **Minimal root.** The sandbox's ``/`` is an empty tmpfs holding, read-only, ``/usr`` (and the
  ``/bin``, ``/lib``… links or folders), the interpreter and the virtual environment, the runner
  and the exercise's data; a fresh ``/proc`` (new PID namespace) and ``/dev`` (``null``,
  ``zero``, ``random``… and a private ``/dev/shm``); size-limited private ``/tmp`` and home. No
  ``/etc``, ``/run``, ``/sys``, host ``/tmp``, home folders or repository. New user, PID, IPC,
  network, UTS, cgroup and mount namespaces; nested user namespaces are disabled; no terminal
  (new session, all three standard streams are pipes).
- **Limits** (set by the runner before any student code, hard = soft, inherited by every child):
  ``RLIMIT_CPU`` (the timeout counts CPU time, so a classmate's busy loop cannot push an honest
  notebook past it), ``RLIMIT_AS`` (memory of each process), ``RLIMIT_NPROC``, ``RLIMIT_FSIZE``
  and ``RLIMIT_NOFILE``; the writable folders are tmpfs mounts of a fixed size, and the grader
  counts their files from outside (:class:`FileCounter`) and stops a sandbox over
  ``Limits.max_files``. A wall-clock backstop (a multiple of the CPU limit) stops notebooks
  that only wait. Where the grader may make cgroups with the memory and pids controllers
  (:func:`detect_cgroup`), each sandbox also runs in a cgroup of its own with ``memory.max``
  and ``pids.max``, so memory and processes are capped for the whole sandbox, not per process.
- **Nothing left behind.** The notebook goes in on stdin and the answers come back on stdout, so
  no submission touches the host's disk. ``--die-with-parent`` and the PID namespace kill every
  process of a sandbox when its run ends or the grader dies, even by SIGKILL.

If the sandbox cannot be made as configured, :func:`check_sandbox` raises
:class:`SandboxUnavailable` with what is missing and how to fix it; grading does not start.
Running without a sandbox needs ``unsafe=True`` (``--unsafe-no-sandbox``), and every gradebook
row then says so.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import selectors
import shutil
import signal
import stat
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

RUNNER = Path(__file__).with_name("runner.py")
SANDBOX_UID_BASE = 1_500_000_000
"""Host uids used for sandboxes when the grader runs as root (no account needed)."""
MAX_RESULT_BYTES = 24_000_000
MAX_LOG_BYTES = 64_000
HOME = "/home/student"
INSIDE_RUNNER = "/opt/crmc/runner.py"
ISOLATION_BWRAP = "bubblewrap"
ISOLATION_UNSAFE = "UNSAFE-none"


class SandboxUnavailable(RuntimeError):
    """The sandbox cannot be set up as configured (the message says how to fix it)."""


@dataclass(frozen=True)
class Limits:
    """Resource limits for one submission.

    ``timeout_s`` is CPU time (user + system, every process of the sandbox); ``wall_s`` is the
    wall-clock backstop (default ``3 × timeout_s + 10``) for notebooks that sleep or wait.
    ``max_files`` caps the files, folders and links in the sandbox's writable folders together
    (each costs kernel memory that the tmpfs size does not count).
    """

    timeout_s: float = 60.0
    memory_mb: int = 2048
    disk_mb: int = 64
    max_procs: int = 64
    max_open_files: int = 256
    max_files: int = 10_000
    wall_s: float | None = None

    @property
    def wall_limit(self) -> float:
        return self.wall_s if self.wall_s is not None else 3 * self.timeout_s + 10

    @property
    def file_mb(self) -> int:  # the name the CLI and older callers use
        return self.disk_mb


@dataclass(frozen=True)
class SandboxConfig:
    """How sandboxes are made: the tools, and whether to run without one (unsafe)."""

    bwrap: str | None = None  # default: ``bwrap`` on PATH
    setpriv: str | None = None  # default: ``setpriv`` on PATH (used only as root)
    unsafe: bool = False
    uid_base: int = SANDBOX_UID_BASE

    @property
    def isolation(self) -> str:
        return ISOLATION_UNSAFE if self.unsafe else ISOLATION_BWRAP


@dataclass
class RunResult:
    """What came out of one sandboxed run."""

    status: str  # "ok" | "timeout" | "crashed"
    seconds: float
    payload: dict[str, Any] = field(default_factory=dict)
    message: str = ""
    running_cell: dict[str, Any] | None = None
    notes: list[str] = field(default_factory=list)
    cpu_seconds: float = 0.0


# ------------------------------------------------------------------ the command line
def _tool(name: str, configured: str | None) -> str:
    path = configured or shutil.which(name) or ""
    if not path or not os.access(path, os.X_OK):
        packages = {"bwrap": "bubblewrap", "setpriv": "util-linux"}
        raise SandboxUnavailable(
            f"`{name}` was not found{f' at {configured}' if configured else ''}: install "
            f"Debian's `{packages[name]}` package (`sudo apt-get install {packages[name]}`). "
            "Grading without a sandbox is possible only with --unsafe-no-sandbox, which lets "
            "student code read and write anything the grading user can."
        )
    return path


def python_paths() -> list[str]:
    """Folders the sandboxed interpreter needs (read-only): the venv and the base install."""
    paths = {os.path.realpath(p) for p in (sys.prefix, sys.base_prefix, sys.exec_prefix)}
    paths.add(os.path.dirname(os.path.realpath(sys.executable)))
    kept: list[str] = []
    for p in sorted(paths):
        if p.startswith("/usr/") or p == "/usr":
            continue
        if not any(p.startswith(k.rstrip("/") + "/") for k in kept):
            kept.append(p)
    return kept


def _unreachable_by_others(path: str) -> str | None:
    """The first folder on ``path`` an unrelated uid cannot traverse (None: all can)."""
    current = Path("/")
    for part in Path(path).parts[1:]:
        try:
            mode = current.stat().st_mode
        except OSError:
            return str(current)
        if not mode & stat.S_IXOTH:
            return str(current)
        current = current / part
    return None


def _root_entries() -> list[str]:
    """bwrap arguments for ``/usr`` and the top-level ``/bin``, ``/lib``… links or folders."""
    args = ["--ro-bind", "/usr", "/usr"]
    for name in ("bin", "sbin", "lib", "lib32", "lib64", "libx32"):
        host = Path("/") / name
        if host.is_symlink():
            args += ["--symlink", os.readlink(host), f"/{name}"]
        elif host.is_dir():
            args += ["--ro-bind", str(host), f"/{name}"]
    return args


def sandbox_command(
    config: SandboxConfig, limits: Limits, slot: int, data_dir: Path | None, spec: dict[str, Any]
) -> list[str]:
    """The full command that runs the runner with ``spec`` for one sandbox slot."""
    runner_spec = json.dumps(spec)
    python = os.path.join(sys.prefix, "bin", "python")
    if not os.path.exists(python):
        python = sys.executable
    env = {
        "PATH": f"{os.path.join(sys.prefix, 'bin')}:/usr/local/bin:/usr/bin:/bin",
        "HOME": HOME,
        "TMPDIR": "/tmp",
        "LANG": "C.UTF-8",
        "MPLBACKEND": "Agg",
        "MPLCONFIGDIR": "/tmp/matplotlib",
        "IPYTHONDIR": f"{HOME}/.ipython",
        "OPENBLAS_NUM_THREADS": "1",
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONHASHSEED": "0",
    }
    prefix: list[str] = []
    if os.geteuid() == 0:  # never host root, even without a sandbox
        uid = str(config.uid_base + slot)
        prefix = [_tool("setpriv", config.setpriv), "--reuid", uid, "--regid", uid,
                  "--clear-groups", "--inh-caps=-all", "--"]
    if config.unsafe:
        return [*prefix, python, "-I", str(RUNNER), runner_spec]
    disk = str(limits.disk_mb * 1024 * 1024)
    cmd = [
        *prefix, _tool("bwrap", config.bwrap),
        "--unshare-all", "--unshare-user", "--disable-userns",
        "--die-with-parent", "--new-session", "--hostname", "sandbox",
        *_root_entries(),
    ]
    cmd += [
        "--proc", "/proc",
        "--dev", "/dev",
        "--size", str(4 * 1024 * 1024), "--tmpfs", "/dev/shm",
        "--size", disk, "--tmpfs", "/tmp",
        "--size", disk, "--tmpfs", HOME,
    ]
    # After the private /tmp: a checkout or virtual environment under the host's /tmp is
    # bound on top of it, not hidden by it.
    for path in python_paths():
        cmd += ["--ro-bind", path, path]
    cmd += ["--ro-bind", str(RUNNER), INSIDE_RUNNER]
    if data_dir is not None:
        cmd += ["--ro-bind", str(data_dir), f"{HOME}/data"]
    # the root and /dev (bwrap makes them tmpfs without a size) are read-only: the only
    # writable places are the three size-limited tmpfs mounts above
    cmd += ["--remount-ro", "/dev", "--remount-ro", "/", "--chdir", HOME, "--clearenv"]
    for key, value in env.items():
        cmd += ["--setenv", key, value]
    return [*cmd, "--", python, "-I", INSIDE_RUNNER, runner_spec]


def _limits_spec(limits: Limits) -> dict[str, Any]:
    return {
        "cpu_seconds": max(1, int(limits.timeout_s + 0.999)),
        "memory_bytes": limits.memory_mb * 1024 * 1024,
        "file_bytes": limits.disk_mb * 1024 * 1024,
        "max_procs": limits.max_procs,
        "max_open_files": limits.max_open_files,
    }


USERNS_HELP = (
    "the kernel refused to create an unprivileged user namespace. Enable them: "
    "`sudo sysctl -w kernel.unprivileged_userns_clone=1` (Debian) and make sure "
    "`user.max_user_namespaces` is above 0; on Ubuntu 24.04 also "
    "`sudo sysctl -w kernel.apparmor_restrict_unprivileged_userns=0`. In a container, run it "
    "with user namespaces allowed (e.g. Docker's --security-opt seccomp=unconfined)."
)


def check_sandbox(config: SandboxConfig, limits: Limits, data_dir: Path | None = None) -> str:
    """Make one sandbox exactly as grading will and run a probe in it; explain any failure.

    Returns a one-line summary of the isolation. Raises :class:`SandboxUnavailable`.
    """
    if config.unsafe:
        return isolation_summary(config)
    if not sys.platform.startswith("linux"):
        raise SandboxUnavailable("the grading sandbox needs Linux (bubblewrap)")
    if os.geteuid() == 0:
        for path in [*python_paths(), str(RUNNER), *([str(data_dir)] if data_dir else [])]:
            blocked = _unreachable_by_others(path)
            if blocked is not None:
                raise SandboxUnavailable(
                    f"{path} is not reachable by the unprivileged sandbox user: {blocked} is "
                    f"not searchable by others (mode {stat.S_IMODE(os.stat(blocked).st_mode):o}). "
                    f"Allow traversal (`chmod o+x {blocked}`) or install the grader's Python and "
                    "virtual environment under a folder every user can read."
                )
    key = (config, limits, os.geteuid(), data_dir is None)
    if key in _PROBED:
        return isolation_summary(config)
    cmd = sandbox_command(config, limits, 0, data_dir, {"probe": True, "limits":
                                                        _limits_spec(limits)})
    try:
        proc = subprocess.run(cmd, capture_output=True, timeout=60, stdin=subprocess.DEVNULL)
    except (OSError, subprocess.SubprocessError) as exc:
        raise SandboxUnavailable(f"could not start the sandbox: {exc}") from exc
    err = proc.stderr.decode("utf-8", "replace").strip()
    if proc.returncode != 0 or b'"probe": "ok"' not in proc.stdout:
        low = err.lower()
        if "namespace" in low or "uid map" in low or "operation not permitted" in low:
            hint = USERNS_HELP
        else:
            hint = "see the error above"
        raise SandboxUnavailable(f"the grading sandbox could not be set up ({err[-400:]}): {hint}")
    _PROBED.add(key)
    return isolation_summary(config)


_PROBED: set[tuple[SandboxConfig, Limits, int, bool]] = set()
"""Configurations whose probe passed in this process: a second grading run (a regrade, the
grading loop, a test session) does not pay for the probe again. Only successes are kept; the
cheap reachability checks above run every time."""


def forget_probes() -> None:
    """Make the next :func:`check_sandbox` probe again (benchmarks measure a cold start)."""
    _PROBED.clear()


def isolation_summary(config: SandboxConfig | None = None,
                      cgroup: CgroupChoice | None = None) -> str:
    """One line for reports: what isolation the sandbox gives, and how memory and processes
    are limited (per sandbox with a cgroup, else per process)."""
    if config is not None and config.unsafe:
        return ("UNSAFE: no sandbox (--unsafe-no-sandbox); student code ran with the grading "
                "user's rights, file system and network")
    who = "an unprivileged uid (dropped from root first)" if os.geteuid() == 0 else (
        "the grading user (not root)")
    if cgroup is not None and cgroup.parent is not None:
        how = f"memory and processes capped per sandbox by cgroup v2 ({cgroup.reason})"
    else:
        why = f": no cgroup v2 path ({cgroup.reason})" if cgroup is not None else ""
        how = f"memory and processes capped per process (RLIMIT_AS, RLIMIT_NPROC){why}"
    return (f"bubblewrap: new user/PID/IPC/network/UTS/mount namespaces, minimal read-only root, "
            f"no network, runs as {who}; CPU, memory, process, disk and file-count limits; "
            f"{how}")


# ------------------------------------------------------------------ cgroup v2 limits
LIMITS_CGROUP = "cgroup"
LIMITS_RLIMIT = "rlimit"
CGROUP_CONTROLLERS = ("memory", "pids")


@dataclass(frozen=True)
class CgroupChoice:
    """Where per-sandbox cgroups are made (``parent``), or why there are none (``reason``).

    With a parent, every sandbox gets its own child cgroup with ``memory.max`` and
    ``pids.max``: the memory and the processes of *all* its processes together are capped.
    Without one, only the per-process limits apply (``RLIMIT_AS``, ``RLIMIT_NPROC`` per uid),
    which the runner sets in both cases.
    """

    parent: Path | None
    reason: str

    @property
    def kind(self) -> str:
        return LIMITS_CGROUP if self.parent is not None else LIMITS_RLIMIT


def _unescape_mount(field: str) -> str:
    """mountinfo writes space, tab, newline and backslash in paths as octal escapes."""
    for code, char in (("\\040", " "), ("\\011", "\t"), ("\\012", "\n"), ("\\134", "\\")):
        field = field.replace(code, char)
    return field


def find_cgroup(
    mountinfo: str,
    self_cgroup: str,
    writable: Callable[[Path], bool] = lambda p: os.access(p, os.W_OK),
) -> CgroupChoice:
    """Decide whether this process may make per-sandbox cgroups with memory and pids limits.

    ``mountinfo`` and ``self_cgroup`` are the texts of ``/proc/self/mountinfo`` and
    ``/proc/self/cgroup`` (passed in, so a fake cgroupfs tree can be tested). The cgroup may be
    our own (only possible for a root cgroup: cgroup v2 puts no processes where controllers
    are enabled for children) or its parent, which must enable ``memory`` and ``pids`` for its
    children (``cgroup.subtree_control``) and let us create folders and move processes
    (``cgroup.procs``, needed on the common ancestor): what a delegated subtree gives.
    """
    mount = mount_root = None
    for line in mountinfo.splitlines():
        head, sep, tail = line.partition(" - ")
        fields = head.split()
        if sep and tail.split()[:1] == ["cgroup2"] and len(fields) >= 5:
            mount, mount_root = Path(_unescape_mount(fields[4])), _unescape_mount(fields[3])
            break
    if mount is None or mount_root is None:
        return CgroupChoice(None, "no cgroup v2 hierarchy is mounted")
    own = next((line[3:] for line in self_cgroup.splitlines() if line.startswith("0::")), None)
    if own is None:
        return CgroupChoice(None, "this process is in no cgroup v2 group")
    rel = os.path.relpath(own, mount_root)
    if rel.startswith(".."):
        return CgroupChoice(None, f"this process's cgroup {own} is outside the mounted "
                            f"hierarchy at {mount}")
    here = mount if rel == "." else mount / rel
    candidates = [here] + ([here.parent] if here != mount else [])
    why = []
    for folder in candidates:
        try:
            enabled = set((folder / "cgroup.subtree_control").read_text().split())
        except OSError as exc:
            why.append(f"{folder}: {exc.strerror or exc}")
            continue
        missing = [c for c in CGROUP_CONTROLLERS if c not in enabled]
        if missing:
            shown = " ".join(sorted(enabled)) or "none"
            why.append(f"{folder} enables {shown} for its children, not {' and '.join(missing)}")
        elif not (writable(folder) and writable(folder / "cgroup.procs")):
            why.append(f"{folder} is not writable by this user (not delegated)")
        else:
            return CgroupChoice(folder, f"per-sandbox cgroups under {folder}")
    return CgroupChoice(None, "; ".join(why))


def detect_cgroup() -> CgroupChoice:
    """:func:`find_cgroup` for this process, then a trial child cgroup made and removed."""
    try:
        mountinfo = Path("/proc/self/mountinfo").read_text()
        self_cgroup = Path("/proc/self/cgroup").read_text()
    except OSError as exc:
        return CgroupChoice(None, f"cannot read this process's cgroups ({exc})")
    choice = find_cgroup(mountinfo, self_cgroup)
    if choice.parent is None:
        return choice
    try:
        trial = SandboxCgroup(choice.parent, f"crmc-{os.getpid()}-trial", Limits())
    except OSError as exc:
        return CgroupChoice(None, f"a cgroup could not be made under {choice.parent} ({exc})")
    trial.close()
    return choice


class SandboxCgroup:
    """One sandbox's cgroup: made with its limits before the sandbox starts, killed and
    removed after it ends."""

    def __init__(self, parent: Path, name: str, limits: Limits) -> None:
        self.path = parent / name
        self.path.mkdir(mode=0o755)
        try:
            (self.path / "memory.max").write_text(str(limits.memory_mb * 1024 * 1024))
            if (self.path / "memory.swap.max").exists():
                (self.path / "memory.swap.max").write_text("0")
            (self.path / "pids.max").write_text(str(limits.max_procs))
        except OSError:
            self.close()
            raise

    def wrap(self, cmd: list[str]) -> list[str]:
        """``cmd`` started inside this cgroup: the shell moves itself in, then execs ``cmd``
        (so no process of the sandbox ever runs outside it)."""
        return ["/bin/sh", "-c", 'echo $$ > "$1" && shift && exec "$@"', "crmc-cgroup",
                str(self.path / "cgroup.procs"), *cmd]

    def out_of_memory(self) -> bool:
        with contextlib.suppress(OSError, ValueError):
            for line in (self.path / "memory.events").read_text().splitlines():
                key, _, value = line.partition(" ")
                if key == "oom_kill" and int(value) > 0:
                    return True
        return False

    def close(self) -> None:
        kill = self.path / "cgroup.kill"
        if kill.exists():
            with contextlib.suppress(OSError):
                kill.write_text("1")
        for _ in range(50):  # the last processes may take a moment to be reaped
            try:
                self.path.rmdir()
                return
            except FileNotFoundError:
                return
            except OSError:
                time.sleep(0.02)


# ------------------------------------------------------------------ the file-count cap
WRITABLE = ("/tmp", HOME, "/dev/shm")
"""The sandbox's only writable folders (each a private tmpfs)."""
WATCH_INTERVAL_S = 0.05


def _children(pid: int) -> list[int]:
    """Direct children of ``pid`` (from each process's ``stat``: no /proc option needed)."""
    found = []
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as f:
                fields = f.read().rsplit(b")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if len(fields) > 1 and int(fields[1]) == pid:
            found.append(int(entry.name))
    return found


class FileCounter:
    """Counts the inodes in use on a running sandbox's writable tmpfs mounts.

    bubblewrap cannot give its tmpfs mounts an inode limit (``nr_inodes``), and
    ``RLIMIT_FSIZE`` and the mounts' sizes do not count empty files: a notebook creating a
    million of them would spend the host's kernel memory unchecked. The grader therefore looks,
    from outside, at the mounts through ``/proc/PID/root`` of a process of the sandbox and reads
    their inode counts with ``statvfs`` (one system call per mount, not a walk), every
    :data:`WATCH_INTERVAL_S` seconds; :func:`run_submission` stops a sandbox over the cap.
    """

    def __init__(self, top: int) -> None:
        self.top = top
        self.inside: int | None = None
        self.base: int | None = None

    def _find(self) -> int | None:
        """A process that already sees the sandbox's root (its runner file exists there)."""
        queue = [self.top]
        while queue:
            pid = queue.pop(0)
            if os.path.exists(f"/proc/{pid}/root{INSIDE_RUNNER}"):
                return pid
            queue += _children(pid)
        return None

    def used(self) -> int | None:
        """Inodes in use on the writable mounts, beyond the ones bwrap made (None: not yet
        visible, or the sandbox has ended)."""
        if self.inside is None:
            self.inside = self._find()
            if self.inside is None:
                return None
        total = 0
        try:
            for folder in WRITABLE:
                info = os.statvfs(f"/proc/{self.inside}/root{folder}")
                total += info.f_files - info.f_ffree
        except OSError:
            self.inside = None  # that process ended; look again next time
            return None
        if self.base is None:
            self.base = total
        return total - self.base


# ------------------------------------------------------------------ one run
def _pump(
    proc: subprocess.Popen[bytes], stdin_data: bytes, deadline: float,
    cancel: threading.Event | None = None, over_limit: Callable[[], bool] | None = None,
) -> tuple[bytes, bytes, bool, bool]:
    """Feed stdin, read stdout/stderr with caps; returns (out, err, out_overflow, stopped).

    ``stopped`` is true at the deadline, on ``cancel``, or when ``over_limit()`` says so."""
    assert proc.stdin and proc.stdout and proc.stderr
    sel = selectors.DefaultSelector()
    out = bytearray()
    err = bytearray()
    overflow = False
    view = memoryview(stdin_data)
    for stream in (proc.stdin, proc.stdout, proc.stderr):
        os.set_blocking(stream.fileno(), False)
    if view:
        sel.register(proc.stdin, selectors.EVENT_WRITE)
    else:
        proc.stdin.close()
    sel.register(proc.stdout, selectors.EVENT_READ)
    sel.register(proc.stderr, selectors.EVENT_READ)
    open_reads = 2
    tick = WATCH_INTERVAL_S if over_limit is not None else 1.0
    try:
        while open_reads:
            left = deadline - time.monotonic()
            if left <= 0 or (cancel is not None and cancel.is_set()) or (
                    over_limit is not None and over_limit()):
                return bytes(out), bytes(err), overflow, True
            for key, _ in sel.select(timeout=min(left, tick)):
                f = key.fileobj
                if f is proc.stdin:
                    try:
                        n = os.write(proc.stdin.fileno(), view[:65536])
                    except (BrokenPipeError, BlockingIOError) as exc:
                        n = 0 if isinstance(exc, BlockingIOError) else len(view)
                    view = view[n:]
                    if not view:
                        sel.unregister(proc.stdin)
                        proc.stdin.close()
                    continue
                try:
                    chunk = os.read(f.fileno(), 65536)  # type: ignore[union-attr]
                except BlockingIOError:
                    continue
                if not chunk:
                    sel.unregister(f)
                    open_reads -= 1
                    continue
                buf, cap = (out, MAX_RESULT_BYTES) if f is proc.stdout else (err, MAX_LOG_BYTES)
                room = cap - len(buf)
                if room > 0:
                    buf += chunk[:room]
                if len(chunk) > room and f is proc.stdout:
                    overflow = True
        return bytes(out), bytes(err), overflow, False
    finally:
        sel.close()


def _reap(proc: subprocess.Popen[bytes], kill: bool) -> tuple[int, float]:
    """Kill (optionally) and wait for the sandbox; return (status, CPU seconds of all its
    processes that were waited for)."""
    if kill:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    for stream in (proc.stdin, proc.stdout, proc.stderr):
        if stream is not None:
            with contextlib.suppress(OSError):
                stream.close()
    return proc.returncode, usage.ru_utime + usage.ru_stime


def parse_channel(data: bytes) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """(result, last progress) from the runner's stdout: one JSON object per line."""
    result = progress = None
    for line in data.split(b"\n"):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except (ValueError, RecursionError):
            continue
        if not isinstance(item, dict):
            continue
        if isinstance(item.get("progress"), dict):
            progress = item["progress"]
        if isinstance(item.get("result"), dict):
            result = item["result"]
    return result, progress


def run_submission(
    notebook: bytes,
    data_dir: Path | None,
    questions: dict[str, list[str]],
    limits: Limits,
    config: SandboxConfig,
    slot: int = 0,
    cancel: threading.Event | None = None,
    cgroup: Path | None = None,
) -> RunResult:
    """Execute ``notebook`` (its bytes, already read) in a fresh sandbox.

    ``cgroup`` is a parent folder from :func:`detect_cgroup`: the sandbox then runs in its own
    child cgroup there, with the memory and process limits applying to all its processes."""
    spec = {"questions": questions, "limits": _limits_spec(limits),
            "data": "data" if data_dir is not None else None}
    cmd = sandbox_command(config, limits, slot, data_dir, spec)
    group = None
    if cgroup is not None:
        group = SandboxCgroup(cgroup, f"{cgroup_prefix()}{slot}-{next(_SERIAL)}", limits)
        cmd = group.wrap(cmd)
    try:
        return _run(cmd, notebook, data_dir, limits, config, slot, cancel, group)
    finally:
        if group is not None:
            group.close()


_SERIAL = itertools.count()


def cgroup_prefix(pid: int | None = None) -> str:
    """Names of the cgroups one grader process makes (its clean-up finds them by it)."""
    return f"crmc-{os.getpid() if pid is None else pid}-"


def _run(cmd: list[str], notebook: bytes, data_dir: Path | None, limits: Limits,
         config: SandboxConfig, slot: int, cancel: threading.Event | None,
         group: SandboxCgroup | None) -> RunResult:
    started = time.monotonic()
    cwd = None
    if config.unsafe:  # no mount namespace: the runner's files live in a private folder
        import tempfile

        cwd = tempfile.mkdtemp(prefix="crmc-unsafe-")
        if data_dir is not None:
            os.symlink(data_dir, os.path.join(cwd, "data"))
        if os.geteuid() == 0:
            os.chown(cwd, config.uid_base + slot, config.uid_base + slot)
    try:
        proc = subprocess.Popen(
            cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            start_new_session=True, cwd=cwd,
        )
        counter = None if config.unsafe else FileCounter(proc.pid)
        too_many: list[int] = []

        def over_limit() -> bool:
            used = counter.used() if counter is not None else None
            if used is not None and used > limits.max_files:
                too_many.append(used)
            return bool(too_many)

        try:
            deadline = started + limits.wall_limit
            out, err, overflow, timed_out = _pump(proc, notebook, deadline, cancel,
                                                  over_limit if counter is not None else None)
        finally:
            code, cpu = _reap(proc, kill=True)
    finally:
        if cwd is not None:
            shutil.rmtree(cwd, ignore_errors=True)
    seconds = time.monotonic() - started
    if cancel is not None and cancel.is_set():
        raise KeyboardInterrupt("grading was interrupted")
    result, progress = parse_channel(out)
    log = err.decode("utf-8", "replace")
    if too_many:
        return RunResult("crashed", seconds, cpu_seconds=cpu, running_cell=progress,
                         message=f"created more than {limits.max_files} files and folders "
                         "(the limit for one notebook) and was stopped: write fewer, larger "
                         "files")
    if timed_out:
        return RunResult("timeout", seconds, cpu_seconds=cpu, running_cell=progress,
                         message=f"still running after {limits.wall_limit:g} s of wall-clock "
                         "time (waiting or sleeping?) and was stopped")
    cpu_signals = (-signal.SIGXCPU, 128 + signal.SIGXCPU)
    hard_killed = code in (-signal.SIGKILL, 128 + signal.SIGKILL) and seconds >= limits.timeout_s
    if result is None and (cpu >= 0.95 * limits.timeout_s or code in cpu_signals
                           or hard_killed):
        return RunResult("timeout", seconds, cpu_seconds=cpu, running_cell=progress,
                         message=f"used more than {limits.timeout_s:g} s of CPU time and was "
                         "stopped (an endless loop?)")
    if result is None or overflow:
        if overflow:
            why = "the notebook's answers are too large to grade (over 24 MB)"
        elif group is not None and group.out_of_memory():
            why = (f"the notebook ran out of memory (limit {limits.memory_mb} MB for all its "
                   "processes together)")
        elif "MemoryError" in log or "Cannot allocate memory" in log:
            why = f"the notebook ran out of memory (limit {limits.memory_mb} MB)"
        else:
            why = f"the notebook stopped the grading process (exit code {code})"
        return RunResult("crashed", seconds, cpu_seconds=cpu, running_cell=progress, message=why)
    notes = result.get("notes")
    reported = result.get("cpu_seconds")
    if isinstance(reported, (int, float)) and not isinstance(reported, bool):
        cpu = max(cpu, float(reported))
    return RunResult("ok", seconds, payload=result, cpu_seconds=cpu,
                     notes=[str(n)[:300] for n in notes][:10] if isinstance(notes, list) else [])
