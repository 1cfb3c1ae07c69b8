"""Score exported answers with the exercise's otter tests, in a scoring process of its own.

The tests read the exercise's data by relative path (``pd.read_csv("data/…")``), as they do
under ``otter run``. Rather than change the grader's working directory (process-wide, and so
wrong for a multi-threaded grader), each :class:`Scorer` starts a long-lived worker
(``python -m crmc.exercises.scoring``) *in* the exercise folder. The worker never runs student
code: it rebuilds the answers from the sandbox's plain JSON (:func:`from_jsonable`) and calls
the test functions on them. A hostile answer that crashes or hangs the worker costs that one
submission its score (``ScoringFailed``); the next request gets a fresh worker.

Standalone on purpose (the standard library, pandas, numpy and otter's test-file parser): the
autograder zip carries this file to grade on Gradescope (:mod:`crmc.exercises.gradescope`).

Protocol (JSON lines on stdin/stdout): first ``{"tests": {question: source}}``, then per
submission ``{"answers": {question: {variable: value}}}`` → ``{"outcomes": [...]}``.
"""

from __future__ import annotations

import contextlib
import json
import os
import selectors
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

MAX_REPLY_BYTES = 10_000_000
MAX_DEPTH = 64


class ScoringFailed(RuntimeError):
    """This submission's answers could not be scored (the message says why)."""


# ------------------------------------------------------------------ values back from JSON
class Unsupported:
    """Stands for an answer of a type the grader does not take (tests fail on it)."""

    def __init__(self, type_name: str) -> None:
        self.type_name = type_name

    def __repr__(self) -> str:
        return f"<unsupported answer of type {self.type_name}>"


def from_jsonable(value: Any, depth: int = 0) -> Any:
    """Rebuild an answer exported by the sandbox (see ``runner.to_jsonable``).

    Anything malformed (wrong shapes, unhashable keys, ragged arrays, too deep) becomes an
    :class:`Unsupported` value, on which the tests simply fail.
    """
    if depth > MAX_DEPTH:
        return Unsupported("nested too deeply")
    try:
        return _rebuild(value, depth)
    except (TypeError, ValueError, KeyError, IndexError, OverflowError, RecursionError) as exc:
        return Unsupported(f"malformed answer ({type(exc).__name__})")


def _rebuild(value: Any, depth: int) -> Any:
    import numpy as np
    import pandas as pd

    d = depth + 1
    if isinstance(value, list):
        return [from_jsonable(v, d) for v in value]
    if not isinstance(value, dict):
        return value
    if len(value) != 1:
        return Unsupported("object")
    ((tag, inner),) = value.items()
    if tag == "__float__":
        return float(inner)
    if tag == "__ellipsis__":
        return ...
    if tag == "__tuple__":
        return tuple(from_jsonable(v, d) for v in inner)
    if tag == "__set__":
        return {_hashable(from_jsonable(v, d)) for v in inner}
    if tag == "__dict__":
        return {_hashable(from_jsonable(k, d)): from_jsonable(v, d) for k, v in inner}
    if tag == "__ndarray__":
        items = from_jsonable(inner, d)
        try:
            return np.array(items)
        except ValueError:  # ragged: numpy refuses; keep the values as an object array
            arr = np.empty(len(items), dtype=object)
            arr[:] = list(items)
            return arr
    if tag == "__index__":
        return pd.Index(from_jsonable(inner, d))
    if tag == "__timestamp__":
        return pd.Timestamp(inner)
    if tag == "__series__":
        return pd.Series(
            from_jsonable(inner["values"], d),
            index=from_jsonable(inner["index"], d),
            name=from_jsonable(inner["name"], d),
        )
    if tag == "__dataframe__":
        return pd.DataFrame(
            from_jsonable(inner["rows"], d),
            columns=from_jsonable(inner["columns"], d),
            index=from_jsonable(inner["index"], d),
        )
    return Unsupported(str(inner)[:100] if tag == "__unsupported__" else str(tag)[:100])


def _hashable(value: Any) -> Any:
    if isinstance(value, list):
        return tuple(_hashable(v) for v in value)
    if isinstance(value, set):
        return frozenset(value)
    if isinstance(value, dict):
        return Unsupported("dict used as a key")
    hash(value)
    return value


# ------------------------------------------------------------------ the worker side
def exception_test_file() -> Any:
    """otter's own ``ExceptionTestFile`` class, loaded without the rest of otter.

    ``import otter`` loads otter's whole API (nbconvert, the notebook exporters, …): seconds
    for each scoring worker, most of the time it takes to grade one notebook. The test-file
    classes need only the standard library, so a worker loads otter's own
    ``test_files/exception_test.py`` and ``abstract_test.py`` from the installed package under
    their usual names, without running the package's ``__init__``; the tests'
    ``from otter.test_files import test_case`` gets otter's own decorator. Where otter is
    already imported (or laid out differently), the normal import is used.
    """
    import importlib
    import importlib.util
    import types
    import warnings

    loaded = sys.modules.get("otter.test_files")
    if loaded is not None and hasattr(loaded, "ExceptionTestFile"):
        return loaded.ExceptionTestFile
    spec = importlib.util.find_spec("otter") if "otter" not in sys.modules else None
    folder = (Path(next(iter(spec.submodule_search_locations))) / "test_files"
              if spec is not None and spec.submodule_search_locations else None)
    if folder is not None and (folder / "exception_test.py").is_file():
        package = types.ModuleType("otter")
        package.__path__ = [str(folder.parent)]
        test_files = types.ModuleType("otter.test_files")
        test_files.__path__ = [str(folder)]
        sys.modules["otter"], sys.modules["otter.test_files"] = package, test_files
        module = importlib.import_module("otter.test_files.exception_test")
        test_files.test_case = module.test_case  # type: ignore[attr-defined]
        test_files.ExceptionTestFile = module.ExceptionTestFile  # type: ignore[attr-defined]
        package.test_files = test_files  # type: ignore[attr-defined]
        return module.ExceptionTestFile
    with warnings.catch_warnings():  # otter's import warns about traitlets (third party)
        warnings.filterwarnings("ignore", category=DeprecationWarning)
        from otter.test_files import ExceptionTestFile
    return ExceptionTestFile


_PARSED: dict[tuple[str, str], Any] = {}


def score_answers(tests: dict[str, str], snapshots: dict[str, dict[str, Any]]) -> list[
        dict[str, Any]]:
    """Run every test of every question in ``tests`` on that question's answers."""
    test_file_class = exception_test_file()
    outcomes: list[dict[str, Any]] = []
    for question, source in tests.items():
        raw = snapshots.get(question)
        env = {str(k): from_jsonable(v) for k, v in raw.items()} if isinstance(raw, dict) else {}
        tf = _PARSED.get((question, source))
        if tf is None:  # parsed once per worker: the test functions keep no state
            tf = _PARSED[(question, source)] = test_file_class.from_string(
                source, path=f"{question}.py")
        for tc in tf.test_cases:
            func = tc.body.test_func
            row = {"question": question, "test": func.__name__, "hidden": bool(tc.hidden),
                   "points": float(tc.points or 0), "passed": True, "message": ""}
            try:
                tc.body.call_func(env)
            except Exception as exc:  # noqa: BLE001 - a failing test may raise anything
                params = tc.body._get_func_params()
                missing = [a for a in params if a not in env]
                if any(env.get(a) is Ellipsis for a in params):
                    msg = "not answered"  # the answer cell still holds its placeholder
                elif missing:
                    msg = f"`{'`, `'.join(missing)}` is not defined (cell deleted or not run?)"
                else:
                    try:
                        text = f"{type(exc).__name__}: {exc}"
                    except Exception:  # noqa: BLE001 - str() of a hostile value
                        text = type(exc).__name__
                    msg = text.strip().rstrip(":")[:500]
                row.update(passed=False, message=msg)
            outcomes.append(row)
    return outcomes


def worker_main() -> int:
    """The scoring worker: read the tests, then answer scoring requests until stdin closes."""
    import resource

    limit = 4 * 1024**3
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    sys.setrecursionlimit(3000)
    # loaded now, while the grader's first sandbox runs, not at the first request
    import numpy  # noqa: F401
    import pandas  # noqa: F401

    exception_test_file()
    stdin, stdout = sys.stdin.buffer, sys.stdout
    first = stdin.readline()
    if not first:
        return 0
    tests = {str(k): str(v) for k, v in json.loads(first)["tests"].items()}
    for line in stdin:
        try:
            request = json.loads(line)
            reply: dict[str, Any] = {"outcomes": score_answers(tests, request["answers"])}
        except Exception as exc:  # noqa: BLE001 - reported to the grader for this submission
            reply = {"error": f"{type(exc).__name__}: {exc}"[:500]}
        stdout.write(json.dumps(reply) + "\n")
        stdout.flush()
    return 0


# ------------------------------------------------------------------ the grader side
class Scorer:
    """One scoring worker (started in ``files_dir``), used by one grading thread at a time."""

    def __init__(self, files_dir: Path, tests: dict[str, str], timeout_s: float = 120.0,
                 command: list[str] | None = None) -> None:
        self.command = command or [sys.executable, "-m", "crmc.exercises.scoring"]
        self.files_dir = files_dir
        self.tests = tests
        self.timeout_s = timeout_s
        self.proc: subprocess.Popen[bytes] | None = None
        self.lock = threading.Lock()

    def _start(self) -> subprocess.Popen[bytes]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
        env["OPENBLAS_NUM_THREADS"] = "1"
        proc = subprocess.Popen(
            self.command, cwd=self.files_dir, env=env,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        assert proc.stdin is not None
        proc.stdin.write((json.dumps({"tests": self.tests}) + "\n").encode())
        proc.stdin.flush()
        return proc

    def start(self) -> None:
        """Start the worker now (it imports pandas and otter while the first sandbox runs)."""
        with self.lock:
            if self.proc is None:
                self.proc = self._start()

    def score(self, snapshots: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
        with self.lock:
            if self.proc is None or self.proc.poll() is not None:
                self.close_locked()
                self.proc = self._start()
            proc = self.proc
            assert proc.stdin is not None and proc.stdout is not None
            try:
                proc.stdin.write((json.dumps({"answers": snapshots}) + "\n").encode())
                proc.stdin.flush()
                line = self._readline(proc)
            except (OSError, ScoringFailed) as exc:
                self.close_locked()
                raise ScoringFailed(f"the answers could not be scored ({exc})") from exc
        try:
            reply = json.loads(line)
        except ValueError as exc:
            raise ScoringFailed("the scoring process gave no readable reply") from exc
        if "error" in reply:
            raise ScoringFailed(f"the answers could not be scored ({reply['error']})")
        outcomes: list[dict[str, Any]] = reply["outcomes"]
        return outcomes

    def _readline(self, proc: subprocess.Popen[bytes]) -> bytes:
        assert proc.stdout is not None
        fd = proc.stdout.fileno()
        buf = bytearray()
        deadline = time.monotonic() + self.timeout_s
        with selectors.DefaultSelector() as sel:
            sel.register(fd, selectors.EVENT_READ)
            while not buf.endswith(b"\n"):
                left = deadline - time.monotonic()
                if left <= 0:
                    raise ScoringFailed(f"scoring took longer than {self.timeout_s:g} s")
                if not sel.select(timeout=left):
                    continue
                chunk = os.read(fd, 65536)
                if not chunk:
                    raise ScoringFailed("the scoring process stopped")
                buf += chunk
                if len(buf) > MAX_REPLY_BYTES:
                    raise ScoringFailed("the scoring reply was too large")
        return bytes(buf)

    def close_locked(self) -> None:
        proc, self.proc = self.proc, None
        if proc is None:
            return
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, 9)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=10)
        for stream in (proc.stdin, proc.stdout):
            if stream is not None:
                with contextlib.suppress(OSError):
                    stream.close()

    def close(self) -> None:
        with self.lock:
            self.close_locked()


if __name__ == "__main__":
    sys.exit(worker_main())
