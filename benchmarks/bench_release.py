"""How long ``crmc release`` takes, and how many files and bytes the release holds.

    python benchmarks/bench_release.py [--runs 3] [--run-tests]

Each run writes a fresh release into a temporary folder through the console script and times
it; the median is printed with the file count and size of the last release.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--run-tests", action="store_true",
                        help="also run the exercise tests on the solutions (as publishing does)")
    args = parser.parse_args()
    crmc = Path(sys.executable).parent / "crmc"
    seconds: list[float] = []
    files = size = 0
    for _ in range(args.runs):
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "release"
            cmd = [str(crmc), "release", str(out)] + ([] if args.run_tests else ["--no-run-tests"])
            start = time.perf_counter()
            subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True)
            seconds.append(time.perf_counter() - start)
            paths = [p for p in out.rglob("*") if p.is_file()]
            files, size = len(paths), sum(p.stat().st_size for p in paths)
    print(f"crmc release: median {statistics.median(seconds):.1f} s over {args.runs} run(s) "
          f"({', '.join(f'{s:.1f}' for s in seconds)}); {files} files, {size / 1e6:.2f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
