"""Execute one submitted notebook inside the grading sandbox and export its answers.

This file runs as a script (``python -I runner.py SPEC``) in a fresh process that the grader
started in its own process group (and, where the OS allows, in new mount, network and PID
namespaces). It is deliberately self-contained: the standard library only, no import of
``crmc`` (the repository is hidden from the sandbox) and no test file anywhere in reach.

Order of work, and why:

1. hide what student code must not see (the repository, the autograder, the other
   submissions, the grader's temporary files, the home directory): read-only remount of every
   file system, then empty ``tmpfs`` over the hidden paths, then a nested user namespace that
   *locks* those mounts so the student code cannot unmount them;
2. set resource limits (address space, file size, no core dumps);
3. run every code cell of the notebook in one namespace, recording the first error;
4. export the answer variables the tests ask for as plain JSON data (``to_jsonable``): the
   tests later run in the grader's own process against values rebuilt from that JSON, never
   against objects the student code could have patched.
"""

from __future__ import annotations

import ctypes
import io
import json
import math
import os
import resource
import signal
import sys
import traceback
import types
from typing import Any

MAX_ITEMS = 200_000
CELL_OUTPUT_KEEP = 2_000

# Linux mount flags and namespace flags (linux/fs.h, linux/sched.h)
MS_RDONLY = 1
MS_NOSUID = 2
MS_NODEV = 4
MS_NOEXEC = 8
MS_REMOUNT = 32
MS_BIND = 4096
MS_REC = 16384
MS_PRIVATE = 1 << 18
CLONE_NEWNS = 0x00020000
CLONE_NEWUSER = 0x10000000


# ---------------------------------------------------------------- answers as plain data
def to_jsonable(value: Any, budget: list[int] | None = None) -> Any:
    """Convert an answer to JSON data with a type tag where JSON has no type of its own.

    Supports None, bool, int, float, str, list/tuple/set, dict, numpy scalars and arrays,
    pandas Series, DataFrame and Index. Anything else becomes ``{"__unsupported__": type}``.
    """
    if budget is None:
        budget = [MAX_ITEMS]
    budget[0] -= 1
    if budget[0] < 0:
        raise ValueError("answer too large")
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        return value if abs(value) < 2**63 else {"__float__": str(value)}
    if isinstance(value, float):
        return value if math.isfinite(value) else {"__float__": repr(value)}
    module = type(value).__module__.split(".")[0]
    if module == "numpy":
        if hasattr(value, "tolist") and getattr(value, "ndim", 0) == 0:
            return to_jsonable(value.item(), budget)
        if hasattr(value, "tolist"):
            return {"__ndarray__": to_jsonable(value.tolist(), budget)}
    if module == "pandas":
        kind = type(value).__name__
        if kind == "Series":
            return {
                "__series__": {
                    "index": to_jsonable(list(value.index), budget),
                    "values": to_jsonable(list(value.tolist()), budget),
                    "name": to_jsonable(value.name, budget),
                }
            }
        if kind == "DataFrame":
            return {
                "__dataframe__": {
                    "columns": to_jsonable([str(c) for c in value.columns], budget),
                    "index": to_jsonable(list(value.index), budget),
                    "rows": to_jsonable(value.values.tolist(), budget),
                }
            }
        if kind.endswith("Index"):
            return {"__index__": to_jsonable(list(value), budget)}
        if kind == "Timestamp":
            return {"__timestamp__": value.isoformat()}
        if kind in ("NAType", "NaTType"):
            return None
    if isinstance(value, (list, tuple)):
        items = [to_jsonable(v, budget) for v in value]
        return items if isinstance(value, list) else {"__tuple__": items}
    if isinstance(value, (set, frozenset)):
        return {"__set__": [to_jsonable(v, budget) for v in value]}
    if isinstance(value, dict):
        pairs = [[to_jsonable(k, budget), to_jsonable(v, budget)] for k, v in value.items()]
        return {"__dict__": pairs}
    if value is Ellipsis:
        return {"__ellipsis__": True}
    return {"__unsupported__": type(value).__name__}


# ---------------------------------------------------------------- isolation (Linux only)
def _libc() -> Any:
    return ctypes.CDLL(None, use_errno=True)


def _mount(
    libc: Any, src: str, target: str, fstype: str | None, flags: int, data: str | None
) -> bool:
    rc = libc.mount(
        src.encode(),
        target.encode(),
        fstype.encode() if fstype else None,
        ctypes.c_ulong(flags),
        data.encode() if data else None,
    )
    return bool(rc == 0)


def _mount_points() -> list[tuple[str, int]]:
    points = []
    with open("/proc/self/mountinfo") as f:
        for line in f:
            fields = line.split()
            target = fields[4].encode().decode("unicode_escape")
            opts = fields[5].split(",")
            flags = 0
            flags |= MS_NOSUID if "nosuid" in opts else 0
            flags |= MS_NODEV if "nodev" in opts else 0
            flags |= MS_NOEXEC if "noexec" in opts else 0
            points.append((target, flags))
    return points


def _inside(path: str, parent: str) -> bool:
    return path == parent or path.startswith(parent.rstrip("/") + "/")


def isolate_filesystem(hide: list[str], keep: list[str]) -> list[str]:
    """Make the file system read-only and cover ``hide`` (except ``keep``) with empty tmpfs.

    Must run in a fresh mount namespace (``unshare --mount``) with the private working
    directory as cwd. Returns notes on anything that could not be done.
    """
    notes: list[str] = []
    libc = _libc()
    here = os.getcwd()
    _mount(libc, "none", "/", None, MS_REC | MS_PRIVATE, None)
    if not _mount(libc, here, here, None, MS_BIND, None):
        return ["could not bind the working directory: file system not isolated"]
    os.chdir(here)  # now on the new (writable) bind mount
    failed = 0
    for target, flags in _mount_points():
        if target == here or any(_inside(target, p) for p in ("/proc", "/sys", "/dev")):
            continue
        if not _mount(libc, "none", target, None, MS_BIND | MS_REMOUNT | MS_RDONLY | flags, None):
            failed += 1
    if failed:
        notes.append(f"{failed} mount(s) could not be made read-only")

    def cover(path: str) -> None:
        if not os.path.isdir(path) or os.path.islink(path):
            return
        if any(_inside(path, k) for k in keep):
            return
        if any(_inside(k, path) for k in keep):
            for child in sorted(os.listdir(path)):
                full = os.path.join(path, child)
                if os.path.isdir(full) and not os.path.islink(full):
                    cover(full)
                elif os.path.isfile(full) and not any(_inside(k, full) for k in keep):
                    _mount(libc, "/dev/null", full, None, MS_BIND, None)
            return
        if not _mount(libc, "tmpfs", path, "tmpfs", MS_NOSUID | MS_NODEV, "size=16m,mode=1777"):
            notes.append(f"could not hide {path}")

    for path in hide:
        cover(os.path.realpath(path))
    # A nested user namespace locks the mounts above: its "root" cannot undo them.
    if libc.unshare(CLONE_NEWUSER | CLONE_NEWNS) != 0:
        notes.append("could not lock the mounts (no nested user namespace)")
    return notes


# ---------------------------------------------------------------- running cells
class BoundedWriter(io.TextIOBase):
    """A text stream that keeps the first ``keep`` characters and counts the rest."""

    def __init__(self, keep: int) -> None:
        self.keep = keep
        self.parts: list[str] = []
        self.kept = 0
        self.dropped = 0

    def write(self, s: str) -> int:
        s = str(s)
        room = self.keep - self.kept
        if room > 0:
            self.parts.append(s[:room])
            self.kept += min(room, len(s))
        self.dropped += max(0, len(s) - max(room, 0))
        return len(s)

    def text(self) -> str:
        return "".join(self.parts)


class _GraderStub:
    """Stands in for ``otter.Notebook`` while grading: checks are done elsewhere."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        pass

    def check(self, *args: Any, **kwargs: Any) -> None:
        return None

    def check_all(self, *args: Any, **kwargs: Any) -> None:
        return None

    def export(self, *args: Any, **kwargs: Any) -> None:
        return None


def _cell_source(cell: dict[str, Any]) -> str:
    src = cell.get("source", "")
    text = "".join(src) if isinstance(src, list) else str(src)
    # IPython magics and shell escapes do not run at grading time
    return "\n".join(
        ("pass  # " + line) if line.lstrip().startswith(("%", "!")) else line
        for line in text.splitlines()
    )


def _restore(target: dict[str, Any], saved: dict[str, Any]) -> None:
    if target != saved:
        target.clear()
        target.update(saved)


def run_notebook(nb: dict[str, Any], names: list[str]) -> dict[str, Any]:
    import builtins

    saved_builtins = dict(builtins.__dict__)
    stub = types.ModuleType("otter")
    stub.Notebook = _GraderStub  # type: ignore[attr-defined]
    sys.modules["otter"] = stub
    env: dict[str, Any] = {"__name__": "__main__", "grader": _GraderStub()}
    first_error: dict[str, Any] | None = None
    errors = 0
    dropped = 0
    code_index = 0
    real_out, real_err = sys.stdout, sys.stderr
    home = os.open(".", os.O_RDONLY)  # student code may chdir; the runner's files stay here
    for index, cell in enumerate(nb.get("cells", []), start=1):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        code_index += 1
        source = _cell_source(cell)
        os.fchdir(home)
        with open("progress", "w") as f:
            f.write(json.dumps({"cell": index, "head": source.strip().splitlines()[:1]}))
        out = BoundedWriter(CELL_OUTPUT_KEEP)
        sys.stdout = sys.stderr = out
        try:
            exec(compile(source, f"<cell {index}>", "exec"), env)
        except BaseException as exc:  # noqa: BLE001 - a student cell may raise anything
            _restore(builtins.__dict__, saved_builtins)
            sys.stdout, sys.stderr = real_out, real_err
            errors += 1
            if first_error is None:
                tb = traceback.format_exception(type(exc), exc, exc.__traceback__)
                first_error = {
                    "cell": index,
                    "code_cell": code_index,
                    "source": source[:600],
                    "error": f"{type(exc).__name__}: {exc}"[:600],
                    "traceback": "".join(t for t in tb if "runner.py" not in t)[-2000:],
                }
        finally:
            # built-ins patched by the notebook (``builtins.isinstance = ...``) last one cell
            _restore(builtins.__dict__, saved_builtins)
            sys.stdout, sys.stderr = real_out, real_err
        dropped += out.dropped
    os.fchdir(home)
    answers: dict[str, Any] = {}
    missing: list[str] = []
    for name in names:
        if name not in env:
            missing.append(name)
            continue
        try:
            answers[name] = to_jsonable(env[name])
        except Exception as exc:  # noqa: BLE001
            answers[name] = {"__unsupported__": f"{type(exc).__name__}: {exc}"[:200]}
    return {
        "answers": answers,
        "missing": missing,
        "first_error": first_error,
        "errors": errors,
        "code_cells": code_index,
        "output_dropped": dropped,
    }


def main(argv: list[str]) -> int:
    spec = json.loads(argv[1])
    notes: list[str] = []
    if spec.get("isolate_fs"):
        notes += isolate_filesystem(spec["hide"], spec["keep"])
    else:
        notes.append("file system not isolated on this system")
    limit = int(spec["memory_bytes"])
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    fsize = int(spec["file_bytes"])
    resource.setrlimit(resource.RLIMIT_FSIZE, (fsize, fsize))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    with open(spec["notebook"], encoding="utf-8") as f:
        nb = json.load(f)
    os.unlink(spec["notebook"])
    result = run_notebook(nb, list(spec["names"]))
    result["notes"] = notes
    data = json.dumps(result)
    with open(spec["answers"] + ".part", "w", encoding="utf-8") as f:
        f.write(data)
    os.replace(spec["answers"] + ".part", spec["answers"])
    return 0


if __name__ == "__main__":
    sys.stdout.flush()
    os._exit(main(sys.argv))
