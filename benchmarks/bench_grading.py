"""Benchmark local grading against a bare ``otter run`` (a benchmark, not a timed test).

Reports medians of several runs:

1. per-submission cost: ``otter run -a AUTOGRADER SOLUTION`` (no sandbox, no timeout) versus
   ``crmc-exercises grade`` of the same single notebook (the sandbox, the scoring, the reports);
   the target is a ratio of at most 1.2;
2. a batch of 30 submissions graded with one worker and with one worker per core (speed-up).

    python benchmarks/bench_grading.py [--exercise part1-history] [--runs 5] [--batch 30]
                                      [--data-dir tests/fixtures/data]

Results are printed and written to benchmarks/results/bench_grading.json (ignored by git).
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
from crmc.exercises.sandbox import Limits, isolation_summary


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
    parser.add_argument("--batch", type=int, default=30)
    parser.add_argument("--data-dir", type=Path)
    args = parser.parse_args()

    products = Products(args.exercise, default_build_dir() / args.exercise)
    if not products.autograder_zip.is_file():
        build_exercise(args.exercise, default_build_dir(), data_dir=args.data_dir)
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
            grade_class(products.autograder_zip, one, work / "ours-out", jobs=1,
                        limits=Limits())

        otter_times = timed(bare_otter, args.runs)
        our_times = timed(ours, args.runs)

        batch = work / "batch"
        batch.mkdir()
        for i in range(args.batch):
            shutil.copy(products.solution_notebook, batch / f"student{i:02d}.ipynb")
        cores = os.cpu_count() or 1
        serial = timed(lambda: grade_class(products.autograder_zip, batch, work / "b1", jobs=1),
                       max(1, args.runs // 2))
        parallel = timed(lambda: grade_class(products.autograder_zip, batch, work / "bn",
                                             jobs=cores), max(1, args.runs // 2))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    med = statistics.median
    report = {
        "exercise": args.exercise,
        "isolation": isolation_summary(),
        "cores": cores,
        "runs": args.runs,
        "otter_run_median_s": round(med(otter_times), 3),
        "crmc_grade_one_median_s": round(med(our_times), 3),
        "ratio_crmc_over_otter": round(med(our_times) / med(otter_times), 3),
        "batch_size": args.batch,
        "batch_1_worker_median_s": round(med(serial), 3),
        f"batch_{cores}_workers_median_s": round(med(parallel), 3),
        "speed_up": round(med(serial) / med(parallel), 2),
    }
    print(json.dumps(report, indent=2))
    results = Path(__file__).parent / "results"
    results.mkdir(exist_ok=True)
    (results / "bench_grading.json").write_text(json.dumps(report, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
