"""Regenerate the tidy SIPRI tables from SIPRI's raw exports.

Usage (from the repository root, in the project's environment)::

    python -m crmc.data.build            # rewrite src/crmc/data/sipri/*.csv
    python -m crmc.data.build --check    # exit 1 if the committed files are out of date

Run it after replacing a file in ``src/crmc/data/sipri/raw/`` with a fresh SIPRI export
(then update ``RAW_SHA256`` and ``SIPRI_DATA_GENERATED`` in :mod:`crmc.data.sipri`). The
script is deterministic: same raw files, same bytes out. A test runs :func:`render` and
compares it with the committed files.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from . import sipri

__all__ = ["DATA_DIR", "main", "render"]

DATA_DIR = Path(__file__).resolve().parent
"""The package's data directory in the source tree (where the tidy files are written)."""


def render(data_dir: Path = DATA_DIR) -> dict[str, str]:
    """The tidy files' text, keyed by path relative to ``data_dir``, made from its raw files."""
    texts = {
        key: (data_dir / rel).read_text(encoding="utf-8") for key, rel in sipri.RAW_FILES.items()
    }
    register = sipri.tidy_register(sipri.parse_raw(texts["register"], sipri.RAW_FILES["register"]))
    imports = sipri.tidy_imports(sipri.parse_raw(texts["imports"], sipri.RAW_FILES["imports"]))
    return {
        sipri.TIDY_FILES["sipri_register"]: sipri.to_csv_text(register),
        sipri.TIDY_FILES["sipri_imports"]: sipri.to_csv_text(imports),
    }


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point; returns the exit status."""
    parser = argparse.ArgumentParser(prog="python -m crmc.data.build", description=__doc__)
    parser.add_argument("--data-dir", type=Path, default=DATA_DIR, help="data directory")
    parser.add_argument("--check", action="store_true", help="only check, write nothing")
    args = parser.parse_args(argv)
    stale = []
    for rel, text in render(args.data_dir).items():
        path = args.data_dir / rel
        current = path.read_text(encoding="utf-8") if path.is_file() else None
        if current == text:
            print(f"up to date: {path}")
            continue
        stale.append(path)
        if not args.check:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8", newline="")
            print(f"wrote: {path}")
        else:
            print(f"out of date: {path}", file=sys.stderr)
    return 1 if (args.check and stale) else 0


if __name__ == "__main__":
    raise SystemExit(main())
