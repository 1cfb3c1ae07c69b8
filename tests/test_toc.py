"""The one reader of ``_toc.yml`` (:mod:`crmc.toc`): pages in reading order with their part
caption and level; a malformed table of contents fails with a message naming what is wrong."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from crmc.release import ReleaseError, toc_docnames
from crmc.toc import TocEntry, TocError, docnames, read_toc
from tests.conftest import ROOT

GOOD = """\
format: jb-book
root: book/intro
parts:
  - caption: The module
    chapters:
      - file: book/one.md
      - file: book/two
        sections:
          - file: book/two-a.ipynb
          - url: https://example.org/not-a-page
            title: A link
  - chapters:
      - file: book/uncaptioned
  - caption: Reference
    chapters:
      - file: book/sources
"""


def _toc(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "_toc.yml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_good_file_gives_every_page_in_order_with_part_and_level(tmp_path: Path) -> None:
    assert read_toc(_toc(tmp_path, GOOD)) == [
        TocEntry("book/intro", None, 0),
        TocEntry("book/one", "The module", 0),
        TocEntry("book/two", "The module", 0),
        TocEntry("book/two-a", "The module", 1),
        TocEntry("book/uncaptioned", None, 0),
        TocEntry("book/sources", "Reference", 0),
    ]


def test_entries_are_frozen(tmp_path: Path) -> None:
    entry = read_toc(_toc(tmp_path, GOOD))[0]
    with pytest.raises(AttributeError):
        entry.docname = "elsewhere"  # type: ignore[misc]


def test_a_book_without_parts_reads_its_chapters(tmp_path: Path) -> None:
    toc = _toc(tmp_path, "format: jb-book\nroot: intro\nchapters:\n  - file: a\n  - file: b\n")
    assert docnames(toc) == ["intro", "a", "b"]
    assert {e.part for e in read_toc(toc)} == {None}


def test_this_books_toc_matches_its_pages_on_disk() -> None:
    entries = read_toc(ROOT / "_toc.yml")
    assert entries[0] == TocEntry("book/intro", None, 0)
    assert {e.part for e in entries[1:]} == {"The module", "Exercises", "Reference"}
    assert TocEntry("book/exercises/part1-history", "Exercises", 1) in entries
    # Exercise pages are generated notebooks; every other page is a MyST file of the checkout.
    for entry in entries:
        if entry.part != "Exercises" or entry.level == 0:
            assert (ROOT / f"{entry.docname}.md").is_file(), entry
    # The release reads the same list.
    assert toc_docnames(ROOT) == [e.docname for e in entries]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("format: jb-book\nroot: [unclosed\n", "not valid YAML"),
        ("- just\n- a list\n", "not a mapping"),
        ("format: jb-article\nroot: intro\n", "format 'jb-article' is not supported"),
        ("format: jb-book\nparts: []\n", "'root' must be a non-empty path, not None"),
        ("format: jb-book\nroot: intro\nparts:\n  caption: Not a list\n",
         "top level: 'parts' must be a list, not dict"),
        ("format: jb-book\nroot: intro\nparts:\n  - caption: Empty\n",
         "parts[0]: a part must be a mapping with 'chapters'"),
        ("format: jb-book\nroot: intro\nparts:\n  - chapters:\n      - book/bare-string\n",
         "parts[0].chapters[0]: an entry must be a mapping with 'file'"),
        ("format: jb-book\nroot: intro\nchapters:\n  - file: a\n    sections:\n      - title: x\n",
         "chapters[0].sections[0]: an entry needs 'file' (or 'url'), it has ['title']"),
        ("format: jb-book\nroot: intro\nchapters:\n  - file: ''\n",
         "chapters[0]: 'file' must be a non-empty path, not ''"),
        ("format: jb-book\nroot: intro\nchapters:\n  - glob: book/*\n",
         "'glob' entries are not supported"),
        ("format: jb-book\nroot: intro\nchapters:\n  - file: a\n  - file: a.md\n",
         "'a' is listed twice"),
        ("format: jb-book\nroot: intro\nparts:\n  - caption: [x]\n    chapters: []\n",
         "parts[0]: 'caption' must be text"),
    ],
)
def test_a_malformed_file_fails_naming_the_file_and_the_fault(
    tmp_path: Path, text: str, message: str
) -> None:
    toc = _toc(tmp_path, text)
    with pytest.raises(TocError) as caught:
        read_toc(toc)
    assert str(caught.value).startswith(f"{toc}: ")
    assert message in str(caught.value)


def test_a_missing_file_is_a_toc_error(tmp_path: Path) -> None:
    with pytest.raises(TocError, match="cannot read it"):
        read_toc(tmp_path / "_toc.yml")


def test_the_release_reports_a_malformed_toc_as_a_release_error(tmp_path: Path) -> None:
    _toc(tmp_path, "format: jb-book\nroot: intro\nparts: {}\n")
    with pytest.raises(ReleaseError, match="'parts' must be a list"):
        toc_docnames(tmp_path)


_PROBE = (
    "import sys, importlib; importlib.import_module(sys.argv[1]); "
    "heavy = ('pandas', 'pandera', 'altair', 'crmc.charts', 'crmc.data'); "
    "print(sorted(m for m in sys.modules if m.split('.')[0] in heavy or m.startswith(heavy)))"
)


def _heavy_imports(module: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, module], capture_output=True, text=True, timeout=120,
        check=True,
    )
    return done.stdout.strip()


def test_the_reader_and_the_pdf_edition_load_no_data_or_chart_layer() -> None:
    assert _heavy_imports("crmc.toc") == "[]"
    assert _heavy_imports("crmc.sphinxext.pdf") == "[]"
    # Positive control: the probe sees the layers a module that needs them loads.
    assert "'pandera'" in _heavy_imports("crmc.data")
