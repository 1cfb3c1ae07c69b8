"""``crmc-exercises``: build the exercises and grade a class.

    crmc-exercises build [EXERCISE ...] [--repo DIR] [--out DIR] [--data-dir DIR]
                         [--no-run-tests] [--book-dir DIR [--instructor]]
    crmc-exercises grade EXERCISE SUBMISSIONS_DIR [--out DIR] [--autograder ZIP] [--repo DIR]
                         [--timeout S] [--memory-mb MB] [--disk-mb MB] [--jobs N]
                         [--data-dir DIR] [--unsafe-no-sandbox]

    crmc-exercises grade EXERCISE SUBMISSIONS_DIR [...] [--roster CSV] [--deadline ISO8601]
                         [--policy latest-on-time|latest|best] [--late-penalty PCT]
                         [--submitted-times CSV] [--student KEY ...] [--lms NAME]
    crmc-exercises import-written GRADES_DIR EDITED_CSV
    crmc-exercises export GRADES_DIR --format plain|canvas|moodle [--output FILE]
                          [--canvas-assignment-id ID] [--title NAME]
    crmc-exercises report GRADES_DIR [--output FILE]

Exit status of ``grade``: 0 when the class was graded (whatever the scores and verdicts);
1 when the folder holds no submission; 2 when grading could not start (unknown exercise,
no autograder, missing folder, no working sandbox: the message says how to fix it;
a bad roster, deadline or store). ``import-written``, ``export`` and ``report`` exit 2 on bad
input and change nothing then. Ctrl-C or SIGTERM stop grading at once and leave no process
or temporary folder behind, and the store as it was.
"""

from __future__ import annotations

import argparse
import contextlib
import signal
import sys
from pathlib import Path
from types import FrameType

from . import (
    EXERCISES,
    ProjectNotFoundError,
    default_build_dir,
    exercises_dir,
    find_project,
)
from .build import BuildError, Products, build_all, build_exercise, write_book_pages
from .exports import FORMATS, export, parse_written, write_all
from .grade import GradingError
from .gradebook import GradebookError, open_store
from .gradeloop import GradeOptions, grade_into_store, summary_lines
from .lms import LMS_NAMES, POLICIES, InputError
from .objectives import ObjectivesError, write_map
from .sandbox import Limits


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="crmc-exercises", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="build student notebook, autograder zip and solution")
    b.add_argument("exercises", nargs="*", choices=[[], *EXERCISES], metavar="EXERCISE",
                   help=f"default: all of {', '.join(EXERCISES)}")
    b.add_argument("--repo", type=Path, default=None,
                   help="the module's source checkout: masters in exercises/, _config.yml "
                   "(default: the checkout holding the current directory)")
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
                   help="autograder zip (default: REPO/exercises/_build's; built when missing)")
    g.add_argument("--repo", type=Path, default=None,
                   help="the module's source checkout, for the default autograder "
                   "(default: the checkout holding the current directory)")
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
    _grading_loop_options(g)
    i = sub.add_parser("import-written", help="import the marked written-answers CSV")
    i.add_argument("grades", type=Path, metavar="GRADES_DIR", help="the --out folder of grade")
    i.add_argument("csv", type=Path, metavar="EDITED_CSV")
    e = sub.add_parser("export", help="export the gradebook for an LMS or as plain CSV")
    e.add_argument("grades", type=Path, metavar="GRADES_DIR")
    e.add_argument("--format", choices=FORMATS, default="plain")
    e.add_argument("--output", type=Path, help="default: GRADES_DIR/<format>-import.csv")
    e.add_argument("--canvas-assignment-id", default="",
                   help="Canvas assignment id (the number in the assignment's URL)")
    e.add_argument("--title", default="", help="assignment or grade item name in the LMS")
    r = sub.add_parser("report", help="write the class report (one self-contained HTML file)")
    r.add_argument("grades", type=Path, metavar="GRADES_DIR")
    r.add_argument("--output", type=Path, help="default: GRADES_DIR/report.html")
    return parser


def _grading_loop_options(g: argparse.ArgumentParser) -> None:
    g.add_argument("--roster", type=Path,
                   help="CSV with name and login, sis_id or email (optional canvas_id, section)")
    g.add_argument("--deadline", help="ISO 8601 with time zone, e.g. 2026-03-06T23:59:00+01:00")
    g.add_argument("--policy", choices=POLICIES,
                   help="which submission counts (default latest-on-time; kept in the store)")
    g.add_argument("--late-penalty", type=float, metavar="PCT",
                   help="per cent of all points taken per day late (default 0)")
    g.add_argument("--submitted-times", type=Path, metavar="CSV",
                   help="file,submitted_at rows: submission times the LMS download lacks")
    g.add_argument("--student", action="append", default=[], metavar="KEY",
                   help="regrade only these students (repeat, or comma-separated)")
    g.add_argument("--lms", choices=LMS_NAMES, default="auto",
                   help="how to read the file names (default: recognise them)")


def _other_command(args: argparse.Namespace) -> int:
    try:
        if args.command == "report":
            from .report import write_report

            out = args.output or args.grades / "report.html"
            with contextlib.closing(open_store(args.grades)) as book:
                write_report(book, out)
            print(f"report: {out}")
            return 0
        if args.command == "import-written":
            with contextlib.closing(open_store(args.grades)) as book:
                entries = parse_written(book, args.csv)
                n = book.set_written(entries)
                totals = write_all(book, args.grades)
            complete = sum(t.complete for t in totals)
            print(f"imported {n} written mark(s); {complete} of {len(totals)} student(s) "
                  "complete")
            return 0
        out = args.output or args.grades / f"{args.format}-import.csv"
        with contextlib.closing(open_store(args.grades)) as book:
            totals = export(book, args.format, out, assignment_id=args.canvas_assignment_id,
                            title=args.title)
        blank = [t.student for t in totals if not t.complete]
        print(f"exported {len(totals)} student(s) to {out}")
        if blank and args.format != "plain":
            print(f"left blank (not complete, see gradebook.csv): {', '.join(blank)}",
                  file=sys.stderr)
        return 0
    except (InputError, GradebookError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command in ("import-written", "export", "report"):
        return _other_command(args)
    # The checkout is passed in (or found from the working directory), never from where this
    # package is installed: an installed copy has no repository around it.
    if args.command == "build":
        try:
            repo = args.repo or find_project()
            products = build_all(list(args.exercises), args.out or default_build_dir(repo),
                                 data_dir=args.data_dir, source_dir=repo / "exercises",
                                 run_tests=not args.no_run_tests)
            for p in products:
                print(f"built {p.name}: {p.root}")
            if args.book_dir:
                for page in write_book_pages(products, args.book_dir, instructor=args.instructor,
                                             config_file=repo / "_config.yml"):
                    print(f"book page: {page}")
                print(f"objectives map: {write_map(args.book_dir, repo)}")
        except (BuildError, ObjectivesError, ProjectNotFoundError) as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        return 0
    zip_path = args.autograder
    try:
        if zip_path is None:
            repo = args.repo or find_project()
            build_dir = default_build_dir(repo)
            zip_path = Products(args.exercise, build_dir / args.exercise).autograder_zip
            if not zip_path.is_file():
                print(f"building {args.exercise} first …", file=sys.stderr)
                build_exercise(args.exercise, build_dir, data_dir=args.data_dir,
                               source_dir=exercises_dir(repo))
        out = args.out or Path(f"{args.exercise}-grades")
        options = GradeOptions(roster=args.roster, deadline=args.deadline, policy=args.policy,
                               late_penalty=args.late_penalty,
                               submitted_times=args.submitted_times, students=args.student,
                               lms=args.lms)
        previous = signal.getsignal(signal.SIGTERM)
        signal.signal(signal.SIGTERM, _interrupt)
        try:
            summary = grade_into_store(
                args.exercise, zip_path, args.submissions, out, options,
                limits=Limits(timeout_s=args.timeout, memory_mb=args.memory_mb,
                              disk_mb=args.disk_mb),
                jobs=args.jobs, known=EXERCISES, unsafe=args.unsafe_no_sandbox,
            )
        finally:
            signal.signal(signal.SIGTERM, previous)
    except (BuildError, GradingError, InputError, GradebookError, ProjectNotFoundError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted: the gradebook is as it was before this run", file=sys.stderr)
        return 130
    print(f"isolation: {summary.isolation}", file=sys.stderr)
    for line in summary_lines(summary):
        print(line, file=sys.stderr)
    if not summary.files and not summary.unmatched:
        print(f"no submissions in {args.submissions}; wrote an empty gradebook", file=sys.stderr)
        return 1
    print(f"graded {summary.files} file(s); gradebook: {out / 'gradebook.csv'} "
          f"(store: {out / 'gradebook.sqlite'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
