"""Which limits hold memory and processes: per sandbox (cgroup v2) or per process (rlimits).

The detection is tested on fake cgroupfs trees (every way a host can fall short of a delegated
cgroup); the per-sandbox cgroup's mechanics on a fake tree too, through a real sandbox run; and
whichever path *this* machine has is checked for real: the choice matches what the kernel
offers here, and the limit it promises holds.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from crmc.exercises.sandbox import (
    LIMITS_CGROUP,
    LIMITS_RLIMIT,
    Limits,
    SandboxCgroup,
    SandboxConfig,
    detect_cgroup,
    find_cgroup,
    run_submission,
)


def _tree(root: Path, own: str, enabled: dict[str, str]) -> tuple[str, str]:
    """A fake cgroup2 mount at ``root``; ``enabled`` maps folders to their subtree_control."""
    (root / own.lstrip("/")).mkdir(parents=True, exist_ok=True)
    for folder, controllers in enabled.items():
        path = root / folder.lstrip("/")
        path.mkdir(parents=True, exist_ok=True)
        (path / "cgroup.subtree_control").write_text(controllers + "\n")
        (path / "cgroup.procs").write_text("")
    escaped = str(root).replace(" ", "\\040")
    mountinfo = (f"22 1 0:21 / /proc rw - proc proc rw\n"
                 f"41 31 0:38 / {escaped} rw,relatime - cgroup2 cgroup2 rw\n")
    return mountinfo, f"4:memory:/elsewhere\n0::{own}\n"


def _all_writable(_: Path) -> bool:
    return True


def test_a_delegated_parent_with_memory_and_pids_is_chosen(tmp_path: Path) -> None:
    root = tmp_path / "cg with space"
    mountinfo, own = _tree(root, "/user.slice/app/grader.scope", {
        "/user.slice/app": "cpu memory pids"})
    choice = find_cgroup(mountinfo, own, _all_writable)
    assert choice.parent == root / "user.slice" / "app"
    assert choice.kind == LIMITS_CGROUP


def test_a_root_cgroup_may_hold_the_sandboxes_itself(tmp_path: Path) -> None:
    mountinfo, own = _tree(tmp_path, "/", {"/": "memory pids"})
    assert find_cgroup(mountinfo, own, _all_writable).parent == tmp_path


@pytest.mark.parametrize("controllers, missing", [
    ("hugetlb", "memory and pids"), ("memory", "pids"), ("", "memory and pids")])
def test_controllers_not_delegated_mean_rlimits(tmp_path: Path, controllers: str,
                                                missing: str) -> None:
    mountinfo, own = _tree(tmp_path, "/a/b", {"/a": controllers, "/a/b": controllers})
    choice = find_cgroup(mountinfo, own, _all_writable)
    assert choice.parent is None and choice.kind == LIMITS_RLIMIT
    assert f"not {missing}" in choice.reason


def test_a_cgroup_this_user_cannot_write_means_rlimits(tmp_path: Path) -> None:
    mountinfo, own = _tree(tmp_path, "/system.slice/x.service", {
        "/system.slice": "memory pids"})
    choice = find_cgroup(mountinfo, own, lambda p: "cgroup.procs" not in p.name)
    assert choice.parent is None and "not writable" in choice.reason


def test_no_cgroup2_mount_or_no_v2_group_means_rlimits(tmp_path: Path) -> None:
    assert "no cgroup v2 hierarchy" in find_cgroup(
        "22 1 0:21 / /proc rw - proc proc rw\n", "0::/\n", _all_writable).reason
    mountinfo, _ = _tree(tmp_path, "/", {"/": "memory pids"})
    assert "no cgroup v2 group" in find_cgroup(mountinfo, "4:memory:/x\n", _all_writable).reason
    # a cgroup namespace whose root is below the process's group (a container's mount)
    nested = mountinfo.replace(" / " + str(tmp_path), " /container " + str(tmp_path))
    assert "outside" in find_cgroup(nested, "0::/other\n", _all_writable).reason


def _notebook(source: str) -> bytes:
    return json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [
        {"cell_type": "code", "metadata": {}, "source": source, "outputs": [],
         "execution_count": None}]}).encode()


def test_a_sandbox_runs_inside_its_cgroup_with_its_limits(tmp_path: Path) -> None:
    """On a fake tree (plain files): the limits are written before the sandbox starts, the
    sandbox's first process moves itself in, the run is unchanged, and clean-up kills the
    group. (The kernel's enforcement is what the next test checks, where it exists.)"""
    parent = tmp_path / "delegated"
    parent.mkdir()
    parent.chmod(0o755)
    tmp_path.chmod(0o755)
    limits = Limits(timeout_s=30, memory_mb=700, max_procs=33)
    group = SandboxCgroup(parent, "crmc-test-0", limits)
    assert (group.path / "memory.max").read_text() == str(700 * 1024 * 1024)
    assert (group.path / "pids.max").read_text() == "33"
    (group.path / "cgroup.procs").write_text("")
    (group.path / "cgroup.procs").chmod(0o666)
    (group.path / "memory.events").write_text("low 0\nhigh 0\nmax 3\noom 1\noom_kill 0\n")
    assert not group.out_of_memory()
    (group.path / "memory.events").write_text("low 0\nhigh 0\nmax 3\noom 1\noom_kill 1\n")
    assert group.out_of_memory()
    (group.path / "cgroup.kill").write_text("")
    proc = subprocess.run(group.wrap(["sh", "-c", "echo $$"]), capture_output=True, text=True)
    assert proc.stdout.strip() == (group.path / "cgroup.procs").read_text().strip()
    group.close()
    assert (group.path / "cgroup.kill").read_text() == "1"
    # a whole sandboxed run through run_submission, in a cgroup under the fake parent
    result = run_submission(_notebook("x = 6 * 7"), None, {"q": ["x"]}, limits,
                            SandboxConfig(), 0, None, parent)
    assert result.status == "ok", result.message
    assert result.payload["snapshots"]["q"]["answers"] == {"x": 42}
    made = [p for p in parent.iterdir() if p.name != "crmc-test-0"]
    assert len(made) == 1 and (made[0] / "memory.max").read_text() == str(700 * 1024 * 1024)
    assert (made[0] / "cgroup.procs").read_text().strip().isdigit()


TWO_PROCESSES = r'''
import os, time
findings = {}
pids = []
for _ in range(2):
    pid = os.fork()
    if pid == 0:
        try:
            block = bytearray(300 * 1024 * 1024)
            for i in range(0, len(block), 4096):
                block[i] = 1
            time.sleep(3)
            os._exit(0)
        except MemoryError:
            os._exit(3)
    pids.append(pid)
codes = [os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) for pid in pids]
findings["children"] = codes
try:
    bytearray(600 * 1024 * 1024)
    findings["one process 600 MB"] = "allocated"
except MemoryError:
    findings["one process 600 MB"] = "MemoryError"
'''


def _delegation_here() -> bool:
    """Whether this machine gives this process a writable cgroup v2 with memory and pids
    enabled for children (its own group or the parent), read directly from the kernel."""
    mounts = [line.split(" - ")[0].split()[4]
              for line in Path("/proc/self/mountinfo").read_text().splitlines()
              if " - cgroup2 " in line]
    own = [line[3:] for line in Path("/proc/self/cgroup").read_text().splitlines()
           if line.startswith("0::")]
    if not mounts or not own:
        return False
    here = Path(mounts[0]) / own[0].lstrip("/")
    for folder in (here, here.parent):
        try:
            enabled = set((folder / "cgroup.subtree_control").read_text().split())
        except OSError:
            continue
        if {"memory", "pids"} <= enabled and os.access(folder / "cgroup.procs", os.W_OK):
            return True
    return False


def test_the_limits_this_machine_has_hold() -> None:
    """The real choice for this machine, and its promise, for real. With a cgroup, two
    processes of 300 MB each under a 512 MB limit cannot both live (the sandbox's total is
    capped). Without, each process is capped at 512 MB and the two fit: the per-process limit
    that the gradebook's ``bubblewrap+rlimit`` records."""
    choice = detect_cgroup()
    assert (choice.parent is not None) == _delegation_here(), choice.reason
    code = "import json, os\n" + TWO_PROCESSES + "findings = json.dumps(findings)"
    result = run_submission(_notebook(code), None, {"q": ["findings"]},
                            Limits(timeout_s=60, memory_mb=512), SandboxConfig(), 0, None,
                            choice.parent)
    if choice.parent is not None:
        if result.status == "ok":  # the kernel killed one child, the notebook went on
            found = json.loads(result.payload["snapshots"]["q"]["answers"]["findings"])
            assert found["children"] != [0, 0], "both lived under a 512 MB sandbox limit"
        else:
            assert result.status == "crashed" and "out of memory" in result.message
    else:
        assert result.status == "ok", result.message
        found = json.loads(result.payload["snapshots"]["q"]["answers"]["findings"])
        assert found == {"children": [0, 0], "one process 600 MB": "MemoryError"}
