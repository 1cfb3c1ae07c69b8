"""The book's table of contents: the one reader of ``_toc.yml`` (Jupyter Book's ``jb-book`` format).

:func:`read_toc` gives every page in reading order as a :class:`TocEntry` (its Sphinx docname
and the caption of the part it sits under); the PDF edition, the student release and the tests
all read the table of contents through it. A file that is not a ``jb-book`` table of contents
raises :class:`TocError` naming the file and what is wrong, instead of a ``KeyError`` or a
silently shorter book.

This module imports only the standard library and PyYAML, so the Sphinx extension can use it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

import yaml

__all__ = ["TocEntry", "TocError", "read_toc", "docnames"]

_SUFFIXES = (".md", ".ipynb", ".rst")


class TocError(ValueError):
    """``_toc.yml`` is not a readable ``jb-book`` table of contents (message names the file)."""


@dataclass(frozen=True)
class TocEntry:
    """One page of the book, in reading order."""

    docname: str
    """The Sphinx docname: the ``file`` entry without suffix (``book/part1-history``)."""
    part: str | None
    """The caption of the ``_toc.yml`` part it sits under (``None``: the root page, a part
    without caption, or a book without parts)."""
    level: int = 0
    """0: a chapter (or the root page); 1: a section of the chapter before it; 2: ..."""


def _docname(value: object, where: str, fail: Callable[[str], NoReturn]) -> str:
    if not isinstance(value, str) or not value.strip():
        fail(f"{where} must be a non-empty path, not {value!r}")
    name = str(value).strip()
    for suffix in _SUFFIXES:
        name = name.removesuffix(suffix)
    return name


def read_toc(toc_file: Path) -> list[TocEntry]:
    """Every page of ``toc_file`` in reading order: the root, then each part's chapters with
    their sections (or the top-level ``chapters`` of a book without parts). ``url`` entries are
    links, not pages, and are skipped."""

    def fail(message: str) -> NoReturn:
        raise TocError(f"{toc_file}: {message}")

    try:
        toc = yaml.safe_load(toc_file.read_text(encoding="utf-8"))
    except OSError as exc:
        raise TocError(f"{toc_file}: cannot read it ({exc.strerror or exc})") from exc
    except yaml.YAMLError as exc:
        raise TocError(f"{toc_file}: not valid YAML ({exc})") from exc
    if not isinstance(toc, dict):
        fail("not a mapping with 'format: jb-book' and 'root'")
    if toc.get("format", "jb-book") != "jb-book":
        fail(f"format {toc.get('format')!r} is not supported (only 'jb-book')")
    if "parts" in toc and "chapters" in toc:
        fail("has both 'parts' and 'chapters' at the top; jb-book takes one of them")
    entries = [TocEntry(_docname(toc.get("root"), "'root'", fail), part=None, level=0)]

    def items(node: dict[str, Any], key: str, where: str) -> list[Any]:
        value = node.get(key, [])
        if not isinstance(value, list):
            fail(f"{where}: '{key}' must be a list, not {type(value).__name__}")
        return list(value)

    def walk(nodes: list[Any], part: str | None, level: int, where: str) -> None:
        for index, item in enumerate(nodes):
            here = f"{where}[{index}]"
            if not isinstance(item, dict):
                fail(f"{here}: an entry must be a mapping with 'file', not {item!r}")
            if "file" in item:
                docname = _docname(item["file"], f"{here}: 'file'", fail)
                entries.append(TocEntry(docname, part, level))
            elif "glob" in item:
                fail(f"{here}: 'glob' entries are not supported; list the files")
            elif "url" not in item:
                fail(f"{here}: an entry needs 'file' (or 'url'), it has {sorted(item)}")
            walk(items(item, "sections", here), part, level + 1, f"{here}.sections")

    for index, part in enumerate(items(toc, "parts", "top level")):
        here = f"parts[{index}]"
        if not isinstance(part, dict) or "chapters" not in part:
            fail(f"{here}: a part must be a mapping with 'chapters', not {part!r}")
        caption = part.get("caption")
        if caption is not None and not isinstance(caption, str):
            fail(f"{here}: 'caption' must be text, not {caption!r}")
        walk(items(part, "chapters", here), caption or None, 0, f"{here}.chapters")
    walk(items(toc, "chapters", "top level"), None, 0, "chapters")
    seen: set[str] = set()
    for entry in entries:
        if entry.docname in seen:
            fail(f"{entry.docname!r} is listed twice")
        seen.add(entry.docname)
    return entries


def docnames(toc_file: Path) -> list[str]:
    """The docnames of :func:`read_toc`, in reading order."""
    return [entry.docname for entry in read_toc(toc_file)]
