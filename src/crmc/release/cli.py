"""``crmc``: the module's command line for instructors.

    crmc release OUT_DIR [--source DIR] [--force] [--no-run-tests]

``release`` writes the student release (:mod:`crmc.release`) of the source checkout ``--source``
(default: the current directory) into ``OUT_DIR``. It refuses a non-empty ``OUT_DIR`` unless
``--force``, and then removes only what is inside ``OUT_DIR`` (a ``.git`` folder there is kept, so
a checkout of the release branch can be refreshed in place). Exit status: 0 when written, 2 when
the release could not be written (the message names the file).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import ReleaseError, write_release


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="crmc", description="The module's instructor commands.")
    sub = parser.add_subparsers(dest="command", required=True)
    r = sub.add_parser("release", help="write the student release (no solutions) into OUT_DIR")
    r.add_argument("out", type=Path, metavar="OUT_DIR")
    r.add_argument("--source", type=Path, default=None,
                   help="the module's source checkout (default: the current directory)")
    r.add_argument("--force", action="store_true",
                   help="replace the contents of a non-empty OUT_DIR")
    r.add_argument("--no-run-tests", action="store_true",
                   help="do not run the exercise tests on the solutions while building")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    source = args.source or Path.cwd()
    try:
        release = write_release(
            source, args.out, force=args.force, run_tests=not args.no_run_tests,
            progress=lambda message: print(f"  {message}", file=sys.stderr),
        )
    except ReleaseError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    files = release.files
    print(f"release written to {release.root}: {len(release.pages)} pages, "
          f"{len(release.exercises)} exercises, {len(files)} files, "
          f"{release.size_bytes / 1e6:.1f} MB, {release.seconds:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
