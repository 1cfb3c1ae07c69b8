"""``crmc-exercises``: build the exercises and grade a class.

    crmc-exercises build [EXERCISE ...] [--out DIR] [--data-dir DIR] [--no-run-tests]
                         [--book-dir DIR [--instructor]]
    crmc-exercises grade EXERCISE SUBMISSIONS_DIR [--out DIR] [--autograder ZIP]
                         [--timeout S] [--memory-mb MB] [--disk-mb MB] [--jobs N]
                         [--data-dir DIR] [--unsafe-no-sandbox]

Exit status of ``grade``: 0 when the class was graded (whatever the scores and verdicts);
1 when the folder holds no submission; 2 when grading could not start (unknown exercise,
no autograder, missing folder, no working sandbox: the message says how to fix it).
Ctrl-C or SIGTERM stop grading at once and leave no process or temporary folder behind.
"""

from __future__ import annotations

import argparse
import signal
import sys
from pathlib import Path
from types import FrameType

from . import EXERCISES, default_build_dir, repo_root
from .build import BuildError, Products, binder_base, build_all, build_exercise, write_book_pages
from .grade import GradingError, Row, grade_class
from .sandbox import Limits


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="crmc-exercises", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="build student notebook, autograder zip and solution")
    b.add_argument("exercises", nargs="*", choices=[[], *EXERCISES], metavar="EXERCISE",
                   help=f"default: all of {', '.join(EXERCISES)}")
    b.add_argument("--out", type=Path, default=default_build_dir(),
                   help="default: exercises/_build")
    b.add_argument("--data-dir", type=Path, help="CSV copies of the datasets (default: crmc.data)")
    b.add_argument("--no-run-tests", action="store_true",
                   help="skip running the tests on the solutions (faster; not for CI)")
    b.add_argument("--book-dir", type=Path,
                   help="also write one book page per exercise here (e.g. book/exercises)")
    b.add_argument("--instructor", action="store_true",
                   help="book pages show the solutions (instructor build)")
    g = sub.add_parser("grade", help="grade a folder of submissions")
    g.add_argument("exercise", choices=EXERCISES, metavar="EXERCISE")
    g.add_argument("submissions", type=Path, metavar="SUBMISSIONS_DIR")
    g.add_argument("--out", type=Path, help="default: ./<EXERCISE>-grades")
    g.add_argument("--autograder", type=Path,
                   help="autograder zip (default: the build folder's; built when missing)")
    g.add_argument("--timeout", type=float, default=60.0,
                   help="CPU seconds per submission (60); wall-clock limit 3×+10 s")
    g.add_argument("--memory-mb", type=int, default=2048,
                   help="address-space limit per process (2048)")
    g.add_argument("--disk-mb", type=int, default=64,
                   help="size of each sandbox's writable folders (64)")
    g.add_argument("--unsafe-no-sandbox", action="store_true",
                   help="grade WITHOUT isolation when the sandbox cannot be made: student code "
                        "can read and write what you can; every gradebook row says so")
    g.add_argument("--jobs", type=int, default=None, help="parallel submissions (all cores)")
    g.add_argument("--data-dir", type=Path, help="passed to build when it must build first")
    return parser


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "build":
        try:
            products = build_all(list(args.exercises), args.out, data_dir=args.data_dir,
                                 run_tests=not args.no_run_tests)
        except BuildError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        for p in products:
            print(f"built {p.name}: {p.root}")
        if args.book_dir:
            binder = binder_base(repo_root() / "book" / "_config.yml")
            for page in write_book_pages(products, args.book_dir, instructor=args.instructor,
                                         binder=binder):
                print(f"book page: {page}")
        return 0
    zip_path = args.autograder
    try:
        if zip_path is None:
            zip_path = Products(args.exercise, default_build_dir() / args.exercise).autograder_zip
            if not zip_path.is_file():
                print(f"building {args.exercise} first …", file=sys.stderr)
                build_exercise(args.exercise, default_build_dir(), data_dir=args.data_dir)
        out = args.out or Path(f"{args.exercise}-grades")

        def show(row: Row) -> None:
            print(f"  {row.file}: {row.status} {row.total:g} {row.message[:100]}", file=sys.stderr)

        previous = signal.getsignal(signal.SIGTERM)
        signal.signal(signal.SIGTERM, _interrupt)
        try:
            result = grade_class(
                zip_path, args.submissions, out,
                limits=Limits(timeout_s=args.timeout, memory_mb=args.memory_mb,
                              disk_mb=args.disk_mb),
                jobs=args.jobs, known=EXERCISES, progress=show, unsafe=args.unsafe_no_sandbox,
            )
        finally:
            signal.signal(signal.SIGTERM, previous)
    except (BuildError, GradingError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted: no gradebook written", file=sys.stderr)
        return 130
    print(f"isolation: {result.isolation}", file=sys.stderr)
    if not result.rows:
        print(f"no submissions in {args.submissions}; wrote an empty gradebook", file=sys.stderr)
        return 1
    print(f"graded {len(result.rows)} file(s); gradebook: {out / 'gradebook.csv'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
