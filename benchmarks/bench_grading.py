"""Benchmark local grading against a bare ``otter run`` (a benchmark, not a timed test).

Reports medians of several runs:

1. one submission: ``otter run -a AUTOGRADER SOLUTION`` (no sandbox, no timeout) versus
   ``grade_class`` of the same single notebook (sandbox check, sandbox, scoring, reports), each
   run with a cold sandbox probe as a fresh ``crmc-exercises grade`` has; the target is a ratio
   of at most 0.5;
2. a class of 100 submissions graded with 1 and with 2 workers;
3. the sandbox's start-up cost per submission: a one-cell notebook (``x = 1``) run in the
   bubblewrap sandbox versus the same runner without it (``--unsafe-no-sandbox`` path).

    python benchmarks/bench_grading.py [--exercise part1-history] [--runs 5] [--batch 100]
                                      [--batch-runs 3] [--data-dir tests/fixtures/data]

The machine's load average before and after is reported with the figures. Results are printed
and written to benchmarks/results/bench_grading.json (ignored by git).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from crmc.exercises import default_build_dir
from crmc.exercises.build import Products, build_exercise
from crmc.exercises.grade import grade_class
from crmc.exercises.sandbox import (
    Limits,
    SandboxConfig,
    detect_cgroup,
    forget_probes,
    isolation_summary,
    run_submission,
)


def timed(fn: object, runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()  # type: ignore[operator]
        times.append(time.perf_counter() - start)
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--exercise", default="part1-history")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--batch-runs", type=int, default=3)
    parser.add_argument("--data-dir", type=Path)
    args = parser.parse_args()

    products = Products(args.exercise, default_build_dir() / args.exercise)
    if not products.autograder_zip.is_file():
        build_exercise(args.exercise, default_build_dir(), data_dir=args.data_dir)
    load_before = list(os.getloadavg())
    work = Path(tempfile.mkdtemp(prefix="crmc-bench-"))
    try:
        one = work / "one"
        one.mkdir()
        shutil.copy(products.solution_notebook, one / "student.ipynb")
        otter = Path(sys.executable).parent / "otter"

        def bare_otter() -> None:
            out = work / "otter-out"
            out.mkdir(exist_ok=True)
            subprocess.run([str(otter), "run", "-a", str(products.autograder_zip), "-o",
                            str(out), str(one / "student.ipynb")], check=True,
                           capture_output=True)

        def ours() -> None:
            forget_probes()  # each run pays for the sandbox probe, as one CLI call does
            grade_class(products.autograder_zip, one, work / "ours-out", jobs=1,
                        limits=Limits())

        otter_times = timed(bare_otter, args.runs)
        our_times = timed(ours, args.runs)

        tiny = json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [
            {"cell_type": "code", "metadata": {}, "source": "x = 1", "outputs": [],
             "execution_count": None}]}).encode()

        def start(config: SandboxConfig) -> None:
            result = run_submission(tiny, None, {"q": ["x"]}, Limits(), config)
            assert result.status == "ok", result.message

        sandboxed = timed(lambda: start(SandboxConfig()), args.runs * 2)
        unsandboxed = timed(lambda: start(SandboxConfig(unsafe=True)), args.runs * 2)

        batch = work / "batch"
        batch.mkdir()
        for i in range(args.batch):
            shutil.copy(products.solution_notebook, batch / f"student{i:03d}.ipynb")
        cores = os.cpu_count() or 1
        serial = timed(lambda: grade_class(products.autograder_zip, batch, work / "b1", jobs=1),
                       args.batch_runs)
        parallel = timed(lambda: grade_class(products.autograder_zip, batch, work / "b2",
                                             jobs=2), args.batch_runs)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    med = statistics.median
    report = {
        "exercise": args.exercise,
        "isolation": isolation_summary(SandboxConfig(), detect_cgroup()),
        "load_average_before": load_before,
        "load_average_after": list(os.getloadavg()),
        "cores": cores,
        "runs": args.runs,
        "otter_run_median_s": round(med(otter_times), 3),
        "crmc_grade_one_median_s": round(med(our_times), 3),
        "ratio_crmc_over_otter": round(med(our_times) / med(otter_times), 3),
        "sandbox_startup_median_s": round(med(sandboxed), 3),
        "no_sandbox_startup_median_s": round(med(unsandboxed), 3),
        "sandbox_overhead_per_submission_s": round(med(sandboxed) - med(unsandboxed), 3),
        "class_size": args.batch,
        "class_1_worker_median_s": round(med(serial), 3),
        "class_2_workers_median_s": round(med(parallel), 3),
        "speed_up": round(med(serial) / med(parallel), 2),
    }
    print(json.dumps(report, indent=2))
    results = Path(__file__).parent / "results"
    results.mkdir(exist_ok=True)
    (results / "bench_grading.json").write_text(json.dumps(report, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
