"""Keep the notebook execution cache honest about what the pages depend on.

MyST-NB's cache (jupyter-cache) keys each page on its code cells only. The pages here are one
setup cell, ``page = crmc.page("part1")``, so an edited CSV or chart module leaves every key
unchanged and a rebuild would publish the old outputs. The build command therefore records a
digest of everything the pages import or read (the package, its data and the pins) beside
the cache, and clears the cache when that digest changes. Sphinx's doctrees are cleared with it:
Sphinx also treats a page whose source is unchanged as up to date and would keep its old output.

    python -m crmc.buildcache ROOT CACHE_DIR [CACHE_DIR ...]
"""

from __future__ import annotations

import hashlib
import shutil
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path

STAMP_NAME = ".crmc-inputs"
"""File inside each cache folder that holds the digest its outputs were computed from (inside,
so a cache restored by CI carries the stamp it was made with)."""

INPUTS = ("src/crmc", "requirements.txt")
"""What the executed pages depend on besides their own code, relative to the project root."""

_IGNORED_PARTS = {"__pycache__", ".mypy_cache", ".ruff_cache"}


def _input_files(root: Path) -> Iterable[Path]:
    for name in INPUTS:
        path = root / name
        if path.is_file():
            yield path
        elif path.is_dir():
            for file in sorted(path.rglob("*")):
                relative_parts = file.relative_to(root).parts
                if (
                    file.is_file()
                    and not _IGNORED_PARTS.intersection(relative_parts)
                    and file.suffix not in {".pyc", ".pyo"}
                ):
                    yield file


def inputs_digest(root: Path) -> str:
    """SHA-256 over the relative path and bytes of every input file, in a stable order."""
    digest = hashlib.sha256()
    for file in _input_files(root):
        digest.update(file.relative_to(root).as_posix().encode())
        digest.update(b"\0")
        digest.update(hashlib.sha256(file.read_bytes()).digest())
    return digest.hexdigest()


def clear_if_stale(root: Path, cache_dir: Path) -> bool:
    """Remove ``cache_dir`` when its stamp is missing or differs; write the current stamp.

    Returns True when the cache was cleared (or there was none to keep)."""
    current = inputs_digest(root)
    stamp = cache_dir / STAMP_NAME
    recorded = stamp.read_text(encoding="utf-8").strip() if stamp.is_file() else None
    stale = recorded != current
    if stale and cache_dir.exists():
        shutil.rmtree(cache_dir)
    cache_dir.mkdir(parents=True, exist_ok=True)
    stamp.write_text(current + "\n", encoding="utf-8")
    return stale


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) < 2:
        print("usage: python -m crmc.buildcache ROOT CACHE_DIR [CACHE_DIR ...]", file=sys.stderr)
        return 2
    root = Path(args[0]).resolve()
    for name in args[1:]:
        cache_dir = root / name
        if clear_if_stale(root, cache_dir):
            print(f"{name}: the package, its data or the pins changed; cleared, pages rebuild.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
