"""Benchmark the instructor's grading loop on a class of N (a benchmark, not a timed test).

A Canvas-style class folder of N notebooks (half solved, half blank, every fifth student with a
late second file) and its roster are generated; each of ``--runs`` runs then times, through the
``crmc-exercises`` command line in a fresh output folder:

1. ``grade`` of the whole class into a new store (sandboxed grading of every file included);
2. ``import-written`` of a fully marked written-answers CSV;
3. ``report`` (the HTML class report) and ``export --format canvas``;
4. ``grade --student`` of one student (a regrade).

Medians are printed with the store's size and written to
benchmarks/results/bench_gradebook.json (ignored by git).

    python benchmarks/bench_gradebook.py [--students 100] [--runs 3] [--jobs N]
"""

from __future__ import annotations

import argparse
import csv
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

EXERCISE = "part1-history"


def run(args: list[str]) -> float:
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "crmc.exercises.cli", *args],
                          capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(args[:2])} failed:\n{proc.stderr[-3000:]}")
    return elapsed


def make_class(products: Products, folder: Path, n: int) -> Path:
    solved = products.solution_notebook.read_bytes()
    blank = products.student_notebook.read_bytes()
    folder.mkdir(parents=True)
    roster = folder.parent / "roster.csv"
    with open(roster, "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["name", "login", "email", "canvas_id", "section"])
        for i in range(n):
            uid = 10000 + i
            writer.writerow([f"Student{i:03d} Test", f"s{i:03d}", f"s{i:03d}@example.edu", uid,
                             f"Seminar {'AB'[i % 2]}"])
            name = f"teststudent{i:03d}"  # Canvas: sortable name, lower case
            (folder / f"{name}_{uid}_{2 * i + 1}_part1-history.ipynb").write_bytes(
                solved if i % 2 == 0 else blank)
            if i % 5 == 0:
                (folder / f"{name}_LATE_{uid}_{2 * i + 2}_part1-history.ipynb").write_bytes(blank)
    return roster


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--students", type=int, default=100)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=None)
    args = parser.parse_args()
    products = Products(EXERCISE, default_build_dir() / EXERCISE)
    if not products.autograder_zip.is_file():
        build_exercise(EXERCISE, default_build_dir())
    work = Path(tempfile.mkdtemp(prefix="crmc-bench-gradebook-"))
    timings: dict[str, list[float]] = {k: [] for k in
                                       ("grade", "import_written", "report", "export", "regrade")}
    sizes = []
    try:
        subs = work / "class"
        roster = make_class(products, subs, args.students)
        files = len(list(subs.iterdir()))
        jobs = ["--jobs", str(args.jobs)] if args.jobs else []
        for r in range(args.runs):
            out = work / f"out{r}"
            common = ["--autograder", str(products.autograder_zip), "--out", str(out), *jobs]
            timings["grade"].append(run(["grade", EXERCISE, str(subs), "--roster", str(roster),
                                         "--deadline", "2026-03-06T23:59:00+01:00", *common]))
            with open(out / "written-answers.csv", encoding="utf-8", newline="") as f:
                rows = list(csv.DictReader(f))
            for row in rows:
                row["score"] = "2"
            marked = work / f"marked{r}.csv"
            with open(marked, "w", encoding="utf-8", newline="") as f:
                writer = csv.DictWriter(f, fieldnames=list(rows[0]))
                writer.writeheader()
                writer.writerows(rows)
            timings["import_written"].append(run(["import-written", str(out), str(marked)]))
            timings["report"].append(run(["report", str(out)]))
            timings["export"].append(run(["export", str(out), "--format", "canvas"]))
            timings["regrade"].append(run(["grade", EXERCISE, str(subs), "--student", "s007",
                                           *common]))
            sizes.append((out / "gradebook.sqlite").stat().st_size)
            report_size = (out / "report.html").stat().st_size
    finally:
        shutil.rmtree(work, ignore_errors=True)
    med = {k: round(statistics.median(v), 2) for k, v in timings.items()}
    result = {
        "exercise": EXERCISE, "students": args.students, "files": files, "runs": args.runs,
        "cores": os.cpu_count(), "jobs": args.jobs or os.cpu_count(),
        "median_s": med,
        "grade_and_report_median_s": round(statistics.median(
            g + i + r for g, i, r in zip(timings["grade"], timings["import_written"],
                                         timings["report"], strict=True)), 2),
        "store_bytes_after_two_runs": statistics.median(sizes),
        "report_html_bytes": report_size,
        "all_s": {k: [round(x, 2) for x in v] for k, v in timings.items()},
    }
    print(json.dumps(result, indent=2))
    results = Path(__file__).parent / "results"
    results.mkdir(exist_ok=True)
    (results / "bench_gradebook.json").write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
