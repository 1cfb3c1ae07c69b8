"""The grading sandbox as a hostile notebook meets it: what it can open, its limits, clean-up.

Probes run real notebook cells in the real sandbox (bubblewrap), as the grader runs them, and
check what the sandboxed process could *do* — open, create, connect — not which uid it reports.
Run as root (the grader drops to an unprivileged uid first) and as an ordinary user.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from crmc.exercises import default_build_dir, exercises_dir
from crmc.exercises.build import Products
from crmc.exercises.grade import GradingError, grade_class
from crmc.exercises.sandbox import Limits, SandboxConfig, run_submission

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parents[1]
MARK = f"crmc{os.getpid()}x{int.from_bytes(os.urandom(3), 'big')}"


def _notebook(*sources: str) -> bytes:
    cells = [{"cell_type": "code", "metadata": {}, "source": s, "outputs": [],
              "execution_count": None} for s in sources]
    return json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {},
                       "cells": cells}).encode()


def _run(code: str, limits: Limits | None = None, slot: int = 0) -> dict[str, Any]:
    """Run ``code`` in a sandbox; it must set ``findings`` (a dict) — returned as data."""
    result = run_submission(_notebook("import json, os\n" + code,
                                      "findings = json.dumps(findings)"),
                            None, {"probe": ["findings"]}, limits or Limits(timeout_s=30),
                            SandboxConfig(), slot)
    assert result.status == "ok", (result.status, result.message)
    found = result.payload["snapshots"]["probe"]["answers"].get("findings")
    assert isinstance(found, str), result.payload
    value: dict[str, Any] = json.loads(found)
    return value


PROBE = r'''
import socket, subprocess
findings = {}
def attempt(key, fn):
    try:
        fn()
        findings[key] = "ok"
    except BaseException as exc:
        findings[key] = type(exc).__name__
for path in ["/proc/sys/kernel/core_pattern", "/sys/power/state", "/proc/sysrq-trigger",
             "/proc/sys/vm/drop_caches"]:
    attempt("write " + path, lambda p=path: open(p, "w").close())
for path in ["/etc/shadow", "/etc/passwd", "/etc/hostname", REPO + "/README.md",
             "/dev/shm/" + MARK + "-host"]:
    attempt("read " + path, lambda p=path: open(p, "rb").close())
for path in ["/dev/kvm", "/dev/console", "/dev/tty", "/dev/tty0", "/dev/mem", "/dev/sda"]:
    attempt("open " + path, lambda p=path: os.close(os.open(p, os.O_RDWR)))
for path in ["/dev/" + MARK, "/sys/fs/cgroup/" + MARK, "/" + MARK, "/usr/" + MARK]:
    attempt("create " + path, lambda p=path: open(p, "w").close())
attempt("create /dev/shm", lambda: open("/dev/shm/" + MARK, "w").close())
attempt("create /tmp", lambda: open("/tmp/" + MARK, "w").close())
attempt("list /run", lambda: os.listdir("/run"))
for path in SOCKETS:
    def connect(p=path):
        s = socket.socket(socket.AF_UNIX)
        s.settimeout(2)
        try:
            s.connect(p)
        finally:
            s.close()
    attempt("unix " + path, connect)
attempt("tcp host", lambda: socket.create_connection(("127.0.0.1", PORT), timeout=2).close())
attempt("dns", lambda: socket.getaddrinfo("pypi.org", 443))
attempt("nested userns", lambda: subprocess.run(["unshare", "-U", "true"], check=True,
                                                 capture_output=True))
findings["sysvipc"] = open("/proc/sysvipc/shm").read()
findings["hostname"] = socket.gethostname()
findings["pids"] = sorted(int(p) for p in os.listdir("/proc") if p.isdigit())
findings["isatty"] = [os.isatty(fd) for fd in (0, 1, 2)]
'''


def _host_sockets() -> list[str]:
    found = []
    for dirpath, _dirs, files in os.walk("/run"):
        for name in files:
            path = os.path.join(dirpath, name)
            try:
                if stat.S_ISSOCK(os.lstat(path).st_mode):
                    found.append(path)
            except OSError:
                continue
    return found[:20]


def test_sandboxed_code_cannot_reach_the_host(tmp_path: Path) -> None:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    host_shm = Path("/dev/shm") / f"{MARK}-host"
    host_shm.write_text("the host's shared memory")
    ipc = subprocess.run(["ipcmk", "-M", "4096"], capture_output=True, text=True)
    shm_id = ipc.stdout.strip().split()[-1] if ipc.returncode == 0 else None
    try:
        code = (f"REPO = {str(REPO)!r}\nMARK = {MARK!r}\nPORT = {listener.getsockname()[1]}\n"
                f"SOCKETS = {_host_sockets()!r}\n" + PROBE)
        found = _run(code)
    finally:
        listener.close()
        host_shm.unlink()
        if shm_id:
            subprocess.run(["ipcrm", "-m", shm_id], capture_output=True)
    opened = {k: v for k, v in found.items() if isinstance(v, str) and v == "ok"}
    # what the sandbox may do: its own /dev/shm and /tmp, both private and size-limited
    assert set(opened) == {"create /dev/shm", "create /tmp"}, opened
    assert found["read /etc/shadow"] == "FileNotFoundError"  # no /etc at all
    assert found["list /run"] == "FileNotFoundError"
    assert found["dns"] != "ok" and found["tcp host"] != "ok"
    if shm_id:
        assert shm_id not in found["sysvipc"], "host System V shared memory is visible"
    assert found["hostname"] == "sandbox"
    assert max(found["pids"]) < 10, "the sandbox sees host processes"
    assert found["isatty"] == [False, False, False]
    for path in (Path("/dev") / MARK, Path("/dev/shm") / MARK, Path("/tmp") / MARK,
                 Path("/sys/fs/cgroup") / MARK):
        assert not path.exists(), f"{path} appeared on the host"


def test_no_shared_memory_between_two_submissions() -> None:
    writer = ("import time\nopen('/dev/shm/answers-' + MARK, 'w').write('42')\n"
              "findings = {'wrote': True}\ntime.sleep(6)\n")
    reader = ("import time\nfindings = {'seen': None}\nfor _ in range(20):\n"
              "    try:\n        findings['seen'] = open('/dev/shm/answers-' + MARK).read()\n"
              "        break\n    except OSError:\n        time.sleep(0.25)\n")
    results: dict[str, dict[str, Any]] = {}

    def go(name: str, code: str, slot: int) -> None:
        results[name] = _run(f"MARK = {MARK!r}\n" + code, slot=slot)

    a = threading.Thread(target=go, args=("writer", writer, 0))
    a.start()
    time.sleep(1.5)
    go("reader", reader, 1)
    a.join()
    assert results["writer"] == {"wrote": True}
    assert results["reader"] == {"seen": None}
    assert not (Path("/dev/shm") / f"answers-{MARK}").exists()


LIMITS = r'''
findings = {}
try:
    block = bytearray(1500 * 1024 * 1024)
    findings["memory"] = "allocated"
except MemoryError:
    findings["memory"] = "MemoryError"
children = []
try:
    for _ in range(200):
        pid = os.fork()
        if pid == 0:
            import time
            time.sleep(30)
            os._exit(0)
        children.append(pid)
    findings["forked"] = len(children)
except OSError as exc:
    findings["forked"] = len(children)
for pid in children:
    os.kill(pid, 9)
    os.waitpid(pid, 0)
handles = []
try:
    for _ in range(1000):
        handles.append(open("/dev/null"))
except OSError:
    pass
findings["opened"] = len(handles)
for handle in handles:
    handle.close()
for folder in ("/home/student", "/tmp", "/dev/shm"):
    written = 0
    try:
        with open(folder + "/fill", "wb") as f:
            for _ in range(400):
                f.write(b"x" * (1 << 20))
                f.flush()
                written += 1
    except OSError as exc:
        findings[folder + " error"] = exc.errno
    findings[folder] = written
    os.unlink(folder + "/fill")
'''


def test_memory_process_and_disk_limits_hold() -> None:
    found = _run(LIMITS, Limits(timeout_s=30, memory_mb=512, max_procs=24, disk_mb=16,
                                max_open_files=64))
    assert found["memory"] == "MemoryError"
    assert found["forked"] < 24
    assert 0 < found["opened"] < 64
    assert found["/home/student"] <= 16 and "/home/student error" in found
    assert found["/tmp"] <= 16 and "/tmp error" in found
    assert found["/dev/shm"] <= 4 and "/dev/shm error" in found


FILES = r'''
import time
for folder in ("/tmp", "/home/student", "/dev/shm"):
    for i in range(PER_FOLDER):
        open(f"{folder}/f{i}", "w").close()
time.sleep(1)  # files held while the notebook runs
findings = {"created": 3 * PER_FOLDER}
'''


def test_file_count_cap_counts_every_writable_folder() -> None:
    limits = Limits(timeout_s=30, max_files=300)
    under = _run("PER_FOLDER = 90\n" + FILES, limits)
    assert under == {"created": 270}
    over = run_submission(_notebook("PER_FOLDER = 120\n" + FILES, "findings = 1"), None,
                          {"probe": ["findings"]}, limits, SandboxConfig())
    assert over.status == "crashed", (over.status, over.payload)
    assert "more than 300 files" in over.message


def test_cpu_time_is_the_timeout_and_wall_clock_a_backstop() -> None:
    # a generous wall clock: on a loaded machine the loop gets its 2 s of CPU late, and it is
    # the CPU limit, not the backstop, that must stop it
    busy = run_submission(_notebook("while True:\n    pass"), None, {},
                          Limits(timeout_s=2, wall_s=300), SandboxConfig())
    assert busy.status == "timeout" and "CPU time" in busy.message
    sleepy = run_submission(_notebook("import time\ntime.sleep(600)"), None, {},
                            Limits(timeout_s=2, wall_s=4), SandboxConfig())
    assert sleepy.status == "timeout" and "wall-clock" in sleepy.message
    assert sleepy.seconds < 15


def _built() -> Products:
    products = Products("part1-history", default_build_dir() / "part1-history")
    if not products.autograder_zip.is_file():
        pytest.fail("exercises are not built: run `bash scripts/build-site.sh` first")
    return products


def test_grading_refuses_to_start_without_a_sandbox(tmp_path: Path) -> None:
    products = _built()
    subs = tmp_path / "subs"
    subs.mkdir()
    (subs / "ana.ipynb").write_bytes(products.solution_notebook.read_bytes())
    with pytest.raises(GradingError, match=r"apt-get install bubblewrap"):
        grade_class(products.autograder_zip, subs, tmp_path / "o1",
                    sandbox=SandboxConfig(bwrap=str(tmp_path / "no-bwrap")))
    # a bwrap that fails the way a kernel without unprivileged user namespaces makes it fail
    # (in a folder the sandbox's unprivileged uid can read)
    folder = Path(tempfile.mkdtemp(prefix="crmc-fake-bwrap-"))
    try:
        folder.chmod(0o755)
        fake = folder / "bwrap"
        fake.write_text("#!/bin/sh\necho 'bwrap: No permissions to create new namespace' >&2\n"
                        "exit 1\n")
        fake.chmod(0o755)
        with pytest.raises(GradingError, match=r"kernel\.unprivileged_userns_clone"):
            grade_class(products.autograder_zip, subs, tmp_path / "o2",
                        sandbox=SandboxConfig(bwrap=str(fake)))
    finally:
        shutil.rmtree(folder)
    assert not (tmp_path / "o1").exists() and not (tmp_path / "o2").exists()


def test_unsafe_flag_marks_every_row(tmp_path: Path) -> None:
    products = _built()
    subs = tmp_path / "subs"
    subs.mkdir()
    (subs / "ana.ipynb").write_bytes(products.solution_notebook.read_bytes())
    (subs / "bob.txt").write_text("not a notebook")
    cli = Path(sys.executable).parent / "crmc-exercises"
    proc = subprocess.run([str(cli), "grade", "part1-history", str(subs), "--out",
                           str(tmp_path / "o"), "--unsafe-no-sandbox"],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert "UNSAFE" in proc.stderr
    with open(tmp_path / "o" / "gradebook.csv", encoding="utf-8", newline="") as f:
        book = list(csv.DictReader(f))  # one row per student (the grading loop's export)
    assert len(book) == 2 and all(row["isolation"] == "UNSAFE-none" and "UNSAFE: graded "
                                  "without" in row["message"] for row in book)
    assert book[0]["status"] == "graded" and book[0]["auto_points"] == "9"


def _leftovers(folder: Path, marker: str) -> list[str]:
    """Processes whose command line names ``marker`` or ``folder``, or whose cwd is in it."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            cmd = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        try:
            cwd = os.readlink(entry / "cwd")
        except OSError:
            cwd = ""
        if marker in cmd or str(folder) in cmd or cwd.startswith(str(folder)):
            found.append(f"{entry.name}: {cmd[:120]}")
    return found


@pytest.mark.parametrize("how", ["SIGKILL", "SIGTERM", "SIGINT"])
def test_killing_the_grader_leaves_nothing_behind(tmp_path: Path, how: str) -> None:
    products = _built()
    marker = f"4343.{os.getpid()}{int.from_bytes(os.urandom(3), 'big')}"
    subs = tmp_path / "subs"
    subs.mkdir()
    nb = json.loads(products.solution_notebook.read_text(encoding="utf-8"))
    nb["cells"].insert(2, {"cell_type": "code", "metadata": {}, "outputs": [],
                           "execution_count": None, "source":
                           "import subprocess, time\n"
                           f"subprocess.Popen(['sleep', '{marker}'], start_new_session=True)\n"
                           "while True:\n    pass\n"})
    for i in range(2):
        (subs / f"loop{i}.ipynb").write_text(json.dumps(nb), encoding="utf-8")
    # the grader's own temporary folder goes here (searchable, as the sandbox uid needs)
    private_tmp = Path(tempfile.mkdtemp(prefix="crmc-kill-test-", dir="/tmp"))
    private_tmp.chmod(0o755)
    env = {**os.environ, "TMPDIR": str(private_tmp)}
    cli = Path(sys.executable).parent / "crmc-exercises"
    grader = subprocess.Popen([str(cli), "grade", "part1-history", str(subs), "--out",
                               str(tmp_path / "o"), "--timeout", "120"], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                              start_new_session=True)
    try:
        deadline = time.monotonic() + 90
        while not any("sleep" in p for p in _leftovers(private_tmp, marker)):
            assert time.monotonic() < deadline, "the sandboxes never started"
            assert grader.poll() is None, grader.stderr.read() if grader.stderr else ""
            time.sleep(0.3)
        signum = getattr(signal, how)
        if how == "SIGINT":  # Ctrl-C: the terminal signals the whole foreground group
            os.killpg(grader.pid, signum)
        else:
            os.kill(grader.pid, signum)
        grader.wait(timeout=30)
        deadline = time.monotonic() + 15
        while (_leftovers(private_tmp, marker) or list(private_tmp.iterdir())) and (
                time.monotonic() < deadline):
            time.sleep(0.3)
        assert _leftovers(private_tmp, marker) == []
        assert list(private_tmp.iterdir()) == []
        assert not (tmp_path / "o" / "gradebook.csv").exists()
    finally:
        if grader.poll() is None:
            grader.kill()
            grader.wait()
        if grader.stderr:
            grader.stderr.close()
        shutil.rmtree(private_tmp, ignore_errors=True)


def test_readme_command_with_a_relative_path_on_a_class_of_30(tmp_path: Path) -> None:
    products = _built()
    subs = tmp_path / "submissions"
    subs.mkdir()
    for i in range(30):
        (subs / f"s{i:02d}.ipynb").write_bytes(products.solution_notebook.read_bytes())
    cli = Path(sys.executable).parent / "crmc-exercises"
    # Outside a checkout the command says how to point it at one, and grades nothing.
    proc = subprocess.run([str(cli), "grade", "part1-history", "submissions/"],
                          cwd=tmp_path, capture_output=True, text=True)
    assert proc.returncode == 2 and "--repo" in proc.stderr, proc.stderr[-2000:]
    assert not (tmp_path / "part1-history-grades").exists()
    # The README runs it inside the checkout: tmp_path stands in for one (its exercises/ is
    # the real one, with the built products), so the relative path is resolved from there.
    (tmp_path / "_config.yml").write_text("title: stand-in checkout\n", encoding="utf-8")
    (tmp_path / "exercises").symlink_to(exercises_dir().resolve(), target_is_directory=True)
    for _ in range(2):
        proc = subprocess.run([str(cli), "grade", "part1-history", "submissions/"],
                              cwd=tmp_path, capture_output=True, text=True)
        assert proc.returncode == 0, proc.stderr[-2000:]
        assert "memory and processes capped per" in proc.stderr  # which limits applied
        with open(tmp_path / "part1-history-grades" / "gradebook.csv", encoding="utf-8",
                  newline="") as f:
            rows = list(csv.DictReader(f))
        assert len(rows) == 30
        assert all(r["status"] == "graded" and r["auto_points"] == "9" for r in rows), rows


def test_grader_never_changes_directory() -> None:
    package = REPO / "src" / "crmc" / "exercises"
    for name in ("grade.py", "sandbox.py", "scoring.py", "feedback.py", "cli.py", "results.py"):
        text = (package / name).read_text(encoding="utf-8")
        assert "chdir(" not in text, f"{name} changes the process's directory"
