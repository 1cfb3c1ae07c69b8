"""``crmc-exercises``: build the exercises and grade a class.

    crmc-exercises build [EXERCISE ...] [--repo DIR] [--out DIR] [--data-dir DIR]
                         [--no-run-tests] [--book-dir DIR [--instructor]]
    crmc-exercises grade EXERCISE SUBMISSIONS_DIR [--out DIR] [--autograder ZIP]
                         [--timeout S] [--memory-mb MB] [--jobs N] [--data-dir DIR]

Exit status of ``grade``: 0 when the class was graded (whatever the scores and verdicts);
1 when the folder holds no submission; 2 when grading could not start (unknown exercise,
no autograder, missing folder).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import EXERCISES, default_build_dir
from .build import BuildError, Products, build_all, build_exercise, write_book_pages
from .grade import GradingError, Row, grade_class
from .sandbox import Limits, isolation_summary


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="crmc-exercises", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="build student notebook, autograder zip and solution")
    b.add_argument("exercises", nargs="*", choices=[[], *EXERCISES], metavar="EXERCISE",
                   help=f"default: all of {', '.join(EXERCISES)}")
    b.add_argument("--repo", type=Path, default=None,
                   help="the module's source checkout: masters in exercises/, _config.yml "
                   "(default: the current directory)")
    b.add_argument("--out", type=Path, default=None, help="default: REPO/exercises/_build")
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
    g.add_argument("--timeout", type=float, default=60.0, help="seconds per submission (60)")
    g.add_argument("--memory-mb", type=int, default=2048, help="address-space limit (2048)")
    g.add_argument("--jobs", type=int, default=None, help="parallel submissions (all cores)")
    g.add_argument("--data-dir", type=Path, help="passed to build when it must build first")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "build":
        # The checkout is passed in (or is the working directory), never found from where
        # this package is installed: an installed copy has no repository around it.
        repo = args.repo or Path.cwd()
        try:
            products = build_all(list(args.exercises), args.out or repo / "exercises" / "_build",
                                 data_dir=args.data_dir, source_dir=repo / "exercises",
                                 run_tests=not args.no_run_tests)
            for p in products:
                print(f"built {p.name}: {p.root}")
            if args.book_dir:
                for page in write_book_pages(products, args.book_dir, instructor=args.instructor,
                                             config_file=repo / "_config.yml"):
                    print(f"book page: {page}")
        except BuildError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        return 0
    zip_path = args.autograder
    try:
        if zip_path is None:
            zip_path = Products(args.exercise, default_build_dir() / args.exercise).autograder_zip
            if not zip_path.is_file():
                print(f"building {args.exercise} first …", file=sys.stderr)
                build_exercise(args.exercise, default_build_dir(), data_dir=args.data_dir)
        out = args.out or Path(f"{args.exercise}-grades")
        print(f"isolation: {isolation_summary()}", file=sys.stderr)

        def show(row: Row) -> None:
            print(f"  {row.file}: {row.status} {row.total:g} {row.message[:100]}", file=sys.stderr)

        result = grade_class(
            zip_path, args.submissions, out,
            limits=Limits(timeout_s=args.timeout, memory_mb=args.memory_mb),
            jobs=args.jobs, known=EXERCISES, progress=show,
        )
    except (BuildError, GradingError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if not result.rows:
        print(f"no submissions in {args.submissions}; wrote an empty gradebook", file=sys.stderr)
        return 1
    print(f"graded {len(result.rows)} file(s); gradebook: {out / 'gradebook.csv'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
