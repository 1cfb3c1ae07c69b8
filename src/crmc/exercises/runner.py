"""Execute one submitted notebook inside the grading sandbox and export its answers.

Runs as ``python -I runner.py SPEC`` inside the bubblewrap sandbox that
:mod:`crmc.exercises.sandbox` makes (it sees only the interpreter, the venv, this file and the
exercise's data). Self-contained on purpose: the standard library and IPython, no ``crmc``.

Order of work, and why:

1. set the resource limits (CPU time, address space, processes, file size, open files; hard =
   soft, so no child can raise them) before reading anything the student wrote;
2. read the notebook from stdin, then point fd 0 at ``/dev/null`` and fd 1 at the log (stderr):
   programs the notebook starts cannot write on the answer channel by accident;
3. run the code cells one by one through IPython's ``InteractiveShell`` — the semantics a
   Jupyter kernel (and so ``otter run``) gives: ``display``, magics, ``!`` shell lines,
   continuation lines, the value of a cell's last expression;
4. score at otter's moment: ``grader.check("q1")`` snapshots q1's answer variables *when the
   cell runs* (a later check of the same question replaces it, as in otter's results); a question
   that was never checked is snapshotted at the end, as otter checks it at the end;
5. write the snapshots as plain, type-tagged JSON data (:func:`to_jsonable`) on the answer
   channel. The tests run later in a scoring process outside the sandbox against values rebuilt
   from that JSON, never against objects the student code could have patched.
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import os
import resource
import sys
import traceback
import types
from typing import Any

MAX_ITEMS = 200_000
MAX_DEPTH = 60
CELL_OUTPUT_KEEP = 2_000


# ---------------------------------------------------------------- answers as plain data
class _TooDeep(ValueError):
    pass


def to_jsonable(value: Any, budget: list[int] | None = None, depth: int = 0) -> Any:
    """Convert an answer to JSON data with a type tag where JSON has no type of its own.

    Supports None, bool, int, float, str, list/tuple/set, dict, numpy scalars and arrays,
    pandas Series, DataFrame and Index. Anything else becomes ``{"__unsupported__": type}``.
    At most ``MAX_ITEMS`` values and ``MAX_DEPTH`` levels of nesting.
    """
    if budget is None:
        budget = [MAX_ITEMS]
    budget[0] -= 1
    if budget[0] < 0:
        raise ValueError("answer too large")
    if depth > MAX_DEPTH:
        raise _TooDeep(f"answer nested more than {MAX_DEPTH} levels deep")
    d = depth + 1
    if value is None or isinstance(value, (bool, str)):
        return str(value) if isinstance(value, str) and type(value) is not str else value
    if isinstance(value, int):
        value = int(value)
        return value if abs(value) < 2**63 else {"__float__": str(value)}
    if isinstance(value, float):
        value = float(value)
        return value if math.isfinite(value) else {"__float__": repr(value)}
    module = type(value).__module__.split(".")[0]
    if module == "numpy":
        if hasattr(value, "tolist") and getattr(value, "ndim", 0) == 0:
            return to_jsonable(value.item(), budget, d)
        if hasattr(value, "tolist"):
            return {"__ndarray__": to_jsonable(value.tolist(), budget, d)}
    if module == "pandas":
        kind = type(value).__name__
        if kind == "Series":
            return {
                "__series__": {
                    "index": to_jsonable(list(value.index), budget, d),
                    "values": to_jsonable(list(value.tolist()), budget, d),
                    "name": to_jsonable(value.name, budget, d),
                }
            }
        if kind == "DataFrame":
            return {
                "__dataframe__": {
                    "columns": to_jsonable([str(c) for c in value.columns], budget, d),
                    "index": to_jsonable(list(value.index), budget, d),
                    "rows": to_jsonable(value.values.tolist(), budget, d),
                }
            }
        if kind.endswith("Index"):
            return {"__index__": to_jsonable(list(value), budget, d)}
        if kind == "Timestamp":
            return {"__timestamp__": value.isoformat()}
        if kind in ("NAType", "NaTType"):
            return None
    if isinstance(value, (list, tuple)):
        items = [to_jsonable(v, budget, d) for v in list(value)]
        return items if isinstance(value, list) else {"__tuple__": items}
    if isinstance(value, (set, frozenset)):
        return {"__set__": [to_jsonable(v, budget, d) for v in list(value)]}
    if isinstance(value, dict):
        pairs = [[to_jsonable(k, budget, d), to_jsonable(v, budget, d)]
                 for k, v in list(dict.items(value))]
        return {"__dict__": pairs}
    if value is Ellipsis:
        return {"__ellipsis__": True}
    return {"__unsupported__": type(value).__name__}


def export(value: Any) -> Any:
    """``to_jsonable`` that never raises: a failure becomes an unsupported-answer tag."""
    try:
        return to_jsonable(value)
    except Exception as exc:  # noqa: BLE001 - student objects may raise anything
        return {"__unsupported__": f"{type(exc).__name__}: {exc}"[:200]}


# ---------------------------------------------------------------- the otter stand-in
class Snapshots:
    """Answer snapshots per question, taken when otter would score the question."""

    def __init__(self, questions: dict[str, list[str]], namespace: dict[str, Any]) -> None:
        self.questions = questions
        self.ns = namespace
        self.taken: dict[str, dict[str, Any]] = {}
        self.cell = 0

    def take(self, question: str, at_end: bool = False) -> None:
        names = self.questions.get(question)
        if names is None:
            return
        answers: dict[str, Any] = {}
        missing: list[str] = []
        for name in names:
            if name in self.ns:
                answers[name] = export(self.ns[name])
            else:
                missing.append(name)
        self.taken[question] = {"answers": answers, "missing": missing,
                                "cell": None if at_end else self.cell, "at_end": at_end}


def _otter_stub(snapshots: Snapshots) -> types.ModuleType:
    class Notebook:
        """Stands in for ``otter.Notebook``: a check records the answers at that moment."""

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            pass

        def check(self, question: Any = None, *args: Any, **kwargs: Any) -> None:
            snapshots.take(str(question))

        def check_all(self, *args: Any, **kwargs: Any) -> None:
            for q in snapshots.questions:
                snapshots.take(q)

        def __getattr__(self, name: str) -> Any:
            return lambda *a, **k: None  # export, to_pdf, … do nothing while grading

    stub = types.ModuleType("otter")
    stub.Notebook = Notebook  # type: ignore[attr-defined]
    return stub


# ---------------------------------------------------------------- running cells
class BoundedWriter(io.TextIOBase):
    """A text stream that keeps the first ``keep`` characters and counts the rest."""

    def __init__(self, keep: int) -> None:
        self.keep = keep
        self.parts: list[str] = []
        self.kept = 0
        self.dropped = 0

    def writable(self) -> bool:
        return True

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


def cell_source(cell: Any) -> str:
    src = cell.get("source", "") if isinstance(cell, dict) else ""
    if isinstance(src, list):
        return "".join(s for s in src if isinstance(s, str))
    return src if isinstance(src, str) else ""


def _ignored(cell: dict[str, Any]) -> bool:
    meta = cell.get("metadata")
    if not isinstance(meta, dict):
        return False
    tags = meta.get("tags")
    otter_meta = meta.get("otter")
    return (isinstance(tags, list) and "otter_ignore" in tags) or (
        isinstance(otter_meta, dict) and bool(otter_meta.get("ignore")))


def _make_shell() -> Any:
    from IPython.core.interactiveshell import InteractiveShell
    from traitlets.config import Config

    config = Config()
    config.HistoryManager.enabled = False
    config.InteractiveShell.colors = "nocolor"
    config.InteractiveShell.autocall = 0
    shell: Any = InteractiveShell.instance(config=config)
    # IPython 9 copies every write to stdout into its output history (memory and time that
    # grow with the output); the runner keeps its own bounded copy instead.
    setattr(shell, "_tee", lambda channel: contextlib.nullcontext())  # noqa: B010
    # ``exit()`` asks the shell to stop (a kernel shuts down): later cells do not run
    setattr(shell, "ask_exit", lambda: setattr(shell, "exit_now", True))  # noqa: B010
    return shell


def run_notebook(nb: dict[str, Any], questions: dict[str, list[str]], emit: Any) -> dict[str, Any]:
    import builtins

    shell = _make_shell()
    saved_builtins = dict(builtins.__dict__)
    snapshots = Snapshots(questions, shell.user_ns)
    sys.modules["otter"] = _otter_stub(snapshots)
    first_error: dict[str, Any] | None = None
    errors = dropped = code_index = 0
    real_out, real_err = sys.stdout, sys.stderr
    home = os.open(".", os.O_RDONLY)  # student code may chdir; relative data paths stay right
    cells = nb.get("cells", [])
    stopped = ""
    for index, cell in enumerate(cells if isinstance(cells, list) else [], start=1):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code" or _ignored(cell):
            continue
        code_index += 1
        source = cell_source(cell)
        snapshots.cell = index
        os.fchdir(home)
        emit({"progress": {"cell": index, "head": source.strip().splitlines()[:1]}})
        out = BoundedWriter(CELL_OUTPUT_KEEP)
        sys.stdout = sys.stderr = out
        try:
            result = shell.run_cell(source, store_history=False)
        except BaseException as exc:  # noqa: BLE001 - SystemExit and friends from a cell
            result = None
            error: BaseException | None = exc
        else:
            error = result.error_before_exec or result.error_in_exec
        finally:
            sys.stdout, sys.stderr = real_out, real_err
            # built-ins patched by the notebook (``builtins.isinstance = ...``) last one cell
            if builtins.__dict__ != saved_builtins:
                builtins.__dict__.clear()
                builtins.__dict__.update(saved_builtins)
        dropped += out.dropped
        if error is not None and not isinstance(error, KeyboardInterrupt):
            errors += 1
            if first_error is None:
                tb = traceback.format_exception(type(error), error, error.__traceback__)
                first_error = {
                    "cell": index,
                    "code_cell": code_index,
                    "source": source[:600],
                    "error": f"{type(error).__name__}: {error}"[:600],
                    "traceback": "".join(t for t in tb if "runner.py" not in t
                                         and "IPython" not in t)[-2000:],
                }
        if getattr(shell, "exit_now", False):
            stopped = f"the notebook called exit() in cell {index}; later cells did not run"
            break
    os.fchdir(home)
    checked = set(snapshots.taken)
    for q in questions:
        if q not in checked:
            snapshots.take(q, at_end=True)
    return {
        "snapshots": snapshots.taken,
        "first_error": first_error,
        "errors": errors,
        "code_cells": code_index,
        "output_dropped": dropped,
        "notes": [stopped] if stopped else [],
    }


# ---------------------------------------------------------------- limits and main
def set_limits(spec: dict[str, Any]) -> None:
    cpu = int(spec["cpu_seconds"])
    for which, value in (
        (resource.RLIMIT_CPU, (cpu, cpu + 2)),
        (resource.RLIMIT_AS, int(spec["memory_bytes"])),
        (resource.RLIMIT_FSIZE, int(spec["file_bytes"])),
        (resource.RLIMIT_NPROC, int(spec["max_procs"])),
        (resource.RLIMIT_NOFILE, int(spec["max_open_files"])),
        (resource.RLIMIT_CORE, 0),
    ):
        soft, hard = value if isinstance(value, tuple) else (value, value)
        resource.setrlimit(which, (soft, hard))


def main(argv: list[str]) -> int:
    spec = json.loads(argv[1])
    set_limits(spec["limits"])
    channel = os.fdopen(os.dup(1), "w", encoding="utf-8")  # non-inheritable copy of stdout

    def emit(item: dict[str, Any]) -> None:
        channel.write(json.dumps(item) + "\n")
        channel.flush()

    if spec.get("probe"):
        emit({"probe": "ok"})
        return 0
    raw = sys.stdin.buffer.read()
    null = os.open("/dev/null", os.O_RDWR)
    os.dup2(null, 0)
    os.dup2(2, 1)  # what started programs print goes to the (capped) log, not the channel
    nb = json.loads(raw.decode("utf-8"))
    del raw
    result = run_notebook(nb, {str(k): [str(v) for v in vs]
                               for k, vs in spec["questions"].items()}, emit)
    used = [resource.getrusage(w) for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)]
    result["cpu_seconds"] = sum(u.ru_utime + u.ru_stime for u in used)
    emit({"result": result})
    return 0


if __name__ == "__main__":
    sys.stdout.flush()
    os._exit(main(sys.argv))
