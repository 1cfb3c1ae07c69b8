"""Grade on Gradescope with the module's own engine: the autograder zip's ``run_otter.py``.

Otter's own ``run_autograder`` executes the tests *inside* the student's kernel, so a notebook
can patch otter (full marks) or leave a crafted results pickle that the grading process loads.
:func:`embed_engine` (called by ``crmc-exercises build``) rewrites the zip so that Gradescope's
``run_autograder`` → ``run_otter.py`` runs :func:`main` instead:

1. the one ``.ipynb`` in ``/autograder/submission`` is read safely (regular file, no symlink,
   size-capped) and goes to :mod:`runner` on stdin, in a private folder with a copy of the data;
2. as root (Gradescope), the runner runs as ``nobody`` (uid 65534) after ``/autograder/source``
   and ``/autograder/results`` are made root-only: the notebook cannot read the tests or write
   the results; its process group and every process of that uid are killed afterwards;
3. the runner's limits (CPU time, memory, processes, file size) and a wall-clock timeout hold;
4. the answers come back as plain JSON snapshots taken at each ``grader.check`` (otter's scoring
   moment); the tests run in a separate scoring process (:mod:`scoring`), never in the
   student's process, and no pickle is read;
5. ``/autograder/results/results.json`` is written in otter's Gradescope format (one test entry
   per question, a "Public Tests" summary, ``stdout_visibility``).

What Gradescope's container does not give, this does not either: no network or mount
isolation (no bubblewrap there). This file is standalone: stdlib plus its sibling modules.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import threading
import zipfile
from pathlib import Path
from typing import Any

ENGINE_DIR = "crmc_grader"
NOBODY = int(os.environ.get("CRMC_SANDBOX_UID", "65534"))
"""The uid student code runs as when the driver is root (``nobody`` unless configured)."""
MAX_NOTEBOOK_BYTES = 50 * 1024 * 1024
MAX_CHANNEL_BYTES = 24_000_000

RUN_OTTER = '''"""Gradescope entry point: the crmc engine (tests outside the student's process)."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "crmc_grader"))
from gradescope import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "/autograder"))
'''


def embed_engine(zip_path: Path) -> None:
    """Rewrite an otter autograder zip so that it grades with this engine."""
    here = Path(__file__).parent
    with zipfile.ZipFile(zip_path) as zf:
        items = [(info, zf.read(info)) for info in zf.infolist()
                 if info.filename != "run_otter.py" and not info.filename.startswith(ENGINE_DIR)]
    tmp = zip_path.with_suffix(".tmp")
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zf:
        for info, data in items:
            zf.writestr(info, data)
        zf.writestr("run_otter.py", RUN_OTTER)
        for name in ("gradescope.py", "runner.py", "scoring.py"):
            zf.writestr(f"{ENGINE_DIR}/{name}", (here / name).read_text(encoding="utf-8"))
    os.replace(tmp, zip_path)


# ------------------------------------------------------------------ on Gradescope
def _read_notebook(folder: str) -> tuple[bytes | None, str]:
    names = sorted(n for n in os.listdir(folder) if n.lower().endswith(".ipynb"))
    if len(names) != 1:
        return None, f"submit exactly one notebook (.ipynb); found {len(names)}"
    path = os.path.join(folder, names[0])
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return None, f"{names[0]} could not be opened (a symbolic link?): submit the file itself"
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_NOTEBOOK_BYTES:
            return None, f"{names[0]} is not a notebook file under 50 MB"
        with os.fdopen(os.dup(fd), "rb") as f:
            return f.read(MAX_NOTEBOOK_BYTES + 1), ""
    finally:
        os.close(fd)


def _reachable(path: str) -> None:
    """Give others search permission on the folders above ``path`` (a throwaway container)."""
    current = "/"
    for part in Path(path).parts[1:]:
        current = os.path.join(current, part)
        mode = os.stat(current).st_mode
        if stat.S_ISDIR(mode) and not mode & stat.S_IXOTH:
            os.chmod(current, stat.S_IMODE(mode) | stat.S_IXOTH)


def _run_student(notebook: bytes, work: str, questions: dict[str, list[str]],
                 timeout_s: float) -> tuple[dict[str, Any] | None, str]:
    import runner  # the sibling module

    spec = {"questions": questions, "data": "data", "limits": {
        "cpu_seconds": int(timeout_s), "memory_bytes": 2048 * 1024 * 1024,
        "file_bytes": 64 * 1024 * 1024, "max_procs": 64, "max_open_files": 256}}
    prefix: list[str] = []
    setpriv = shutil.which("setpriv")
    script = os.path.join(work, ".runner.py")  # source/ is locked: the runner goes along
    shutil.copyfile(runner.__file__, script)
    if os.geteuid() == 0 and setpriv:
        _reachable(sys.executable)
        _reachable(os.path.realpath(sys.executable))
        _reachable(sys.prefix)
        for dirpath, _dirs, files in os.walk(work):
            os.chown(dirpath, NOBODY, NOBODY)
            for f in files:
                os.chown(os.path.join(dirpath, f), NOBODY, NOBODY)
        _reachable(work)
        prefix = [setpriv, "--reuid", str(NOBODY), "--regid", str(NOBODY), "--clear-groups",
                  "--inh-caps=-all", "--"]
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": work, "TMPDIR": work,
           "LANG": "C.UTF-8", "MPLBACKEND": "Agg", "IPYTHONDIR": os.path.join(work, ".ipython"),
           "OPENBLAS_NUM_THREADS": "1", "PYTHONDONTWRITEBYTECODE": "1"}
    with open(os.path.join(work, ".log"), "wb") as log:
        proc = subprocess.Popen([*prefix, sys.executable, "-I", script, json.dumps(spec)],
                                cwd=work, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=log, start_new_session=True)
        out = bytearray()

        def read() -> None:
            assert proc.stdout is not None
            while chunk := proc.stdout.read(65536):
                if len(out) < MAX_CHANNEL_BYTES:
                    out.extend(chunk[: MAX_CHANNEL_BYTES - len(out)])

        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        timed_out = False
        try:
            assert proc.stdin is not None
            proc.stdin.write(notebook)
            proc.stdin.close()
        except BrokenPipeError:
            pass
        try:
            proc.wait(timeout=3 * timeout_s + 10)
        except subprocess.TimeoutExpired:
            timed_out = True
        finally:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(proc.pid, signal.SIGKILL)
            if prefix:  # everything the notebook left behind, whatever its process group
                subprocess.run([*prefix[:-1], "kill", "-9", "-1"], capture_output=True)
            proc.wait()
            reader.join(timeout=10)
    if timed_out or proc.returncode in (-signal.SIGXCPU, -signal.SIGKILL):
        return None, f"the notebook did not finish within its time limit ({timeout_s:g} s CPU)"
    result = None
    for line in bytes(out).split(b"\n"):
        try:
            item = json.loads(line)
        except (ValueError, RecursionError):
            continue
        if isinstance(item, dict) and isinstance(item.get("result"), dict):
            result = item["result"]
    if result is None:
        return None, f"the notebook stopped the grading process (exit code {proc.returncode})"
    return result, ""


def _answers(result: dict[str, Any], questions: dict[str, list[str]]) -> dict[str, Any]:
    snaps = result.get("snapshots")
    if not isinstance(snaps, dict):
        raise ValueError("no answer snapshots")
    answers = {}
    for q in questions:
        snap = snaps.get(q)
        if not isinstance(snap, dict) or not isinstance(snap.get("answers"), dict):
            raise ValueError(f"no snapshot for {q}")
        answers[q] = snap["answers"]
    return answers


def grade(root: str, timeout_s: float = 60.0) -> dict[str, Any]:
    """Grade ``root``/submission with ``root``/source; return otter's Gradescope results."""
    from scoring import Scorer, ScoringFailed

    source = os.path.join(root, "source")
    with open(os.path.join(source, "crmc", "manifest.json"), encoding="utf-8") as f:
        manifest = json.load(f)
    with open(os.path.join(source, "otter_config.json"), encoding="utf-8") as f:
        config = json.load(f)
    auto = [q for q in manifest["questions"] if q["kind"] == "auto"]
    questions = {q["name"]: list(q["variables"]) for q in auto}
    tests = {q: Path(source, "tests", f"{q}.py").read_text(encoding="utf-8") for q in questions}
    notebook, problem = _read_notebook(os.path.join(root, "submission"))
    outcomes: list[dict[str, Any]] = []
    if notebook is not None:
        work = tempfile.mkdtemp(prefix="crmc-gradescope-")
        shutil.copytree(os.path.join(source, "files", "data"), os.path.join(work, "data"))
        locked = []
        if os.geteuid() == 0:  # the student's uid may read neither the tests nor the results
            for folder in (source, os.path.join(root, "results")):
                locked.append((folder, stat.S_IMODE(os.stat(folder).st_mode)))
                os.chmod(folder, 0o700)
        try:
            result, problem = _run_student(notebook, work, questions, timeout_s)
        finally:
            for folder, mode in locked:
                os.chmod(folder, mode)
            shutil.rmtree(work, ignore_errors=True)
        if result is not None:
            scorer = Scorer(Path(source, "files"), tests, timeout_s=timeout_s + 60,
                            command=[sys.executable, "-I",
                                     os.path.join(os.path.dirname(__file__), "scoring.py")])
            try:
                outcomes = scorer.score(_answers(result, questions))
            except (ValueError, ScoringFailed) as exc:
                problem = f"the answers could not be scored ({exc})"
            finally:
                scorer.close()
    hidden_visibility = ("hidden", "after_published")[bool(config.get("show_hidden"))]
    public = [o for o in outcomes if not o["hidden"]]
    summary = "\n".join(f"{o['question']} {o['test']}: {'passed' if o['passed'] else 'failed'}"
                        + ("" if o["passed"] else f" — {o['message']}") for o in public)
    tests_out: list[dict[str, Any]] = [{
        "name": "Public Tests", "visibility": "visible",
        "output": problem or summary or "no public tests",
        "status": "passed" if not problem and all(o["passed"] for o in public) else "failed"}]
    for q in auto:
        mine = [o for o in outcomes if o["question"] == q["name"]]
        score = sum(o["points"] for o in mine if o["passed"])
        shown = [o for o in mine if not o["passed"] and (config.get("show_hidden")
                                                         or not o["hidden"])]
        tests_out.append({
            "name": q["name"], "score": round(score, 5), "max_score": round(q["points"], 5),
            "visibility": hidden_visibility,
            "output": problem or "\n".join(f"{o['test']}: {o['message']}" for o in shown)
            or f"{q['name']} results: All test cases passed!"})
    results: dict[str, Any] = {"tests": tests_out}
    if config.get("show_stdout"):
        results["stdout_visibility"] = "after_published"
    return results


def main(root: str = "/autograder") -> int:
    timeout = float(os.environ.get("CRMC_GRADING_TIMEOUT", "60"))
    results = grade(root, timeout)
    path = os.path.join(root, "results", "results.json")
    with open(path, "w", encoding="utf-8") as f:
        json.dump(results, f, indent=1)
    total = sum(t.get("score", 0) for t in results["tests"])
    print(f"graded with the crmc engine: {total:g} points")
    return 0
