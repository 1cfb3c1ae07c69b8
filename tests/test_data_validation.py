"""A broken file raises DataValidationError naming the file, CSV line, column and rule.

Each test copies the valid fixtures (tests/fixtures/data), breaks one or two cells, and checks
the error. Lines count from 1 with the header as line 1.
"""

from __future__ import annotations

import csv
import shutil
from pathlib import Path
from typing import get_args

import pytest

from crmc import data

FIXTURES = Path(__file__).parent / "fixtures" / "data"


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(FIXTURES, target)
    return target


def set_cell(directory: Path, file: str, record: int, column: str, value: str) -> None:
    """Set ``column`` of data record ``record`` (0 = first row after the header)."""
    path = directory / file
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    rows[record + 1][rows[0].index(column)] = value
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows(rows)


def failure(name: data.DatasetName, directory: Path) -> data.DataValidationError:
    with pytest.raises(data.DataValidationError) as info:
        data.load(name, data_dir=directory)
    return info.value


def assert_problem(
    error: data.DataValidationError, file: str, line: int, column: str | None, rule: str
) -> None:
    """The message names file, line, column and rule; so do the structured problems."""
    message = str(error)
    assert file in error.file and file in message
    matches = [
        p
        for p in error.problems
        if p.line == line and p.column == column and rule.lower() in p.rule.lower()
    ]
    assert matches, f"no problem at line {line}, column {column!r} with {rule!r}:\n{message}"
    assert any(
        f"line {line}" in row
        and (column is None or f"column {column!r}" in row)
        and rule.lower() in row.lower()
        for row in message.splitlines()
    )


def test_valid_fixtures_load(copy: Path) -> None:
    assert len(data.load("timeline", copy)) == 4


@pytest.mark.parametrize(
    ("value", "rule"),
    [
        ("1996-13-26", "real calendar date"),
        ("1996-02-30", "real calendar date"),
        ("26/04/1996", "YYYY, YYYY-MM or YYYY-MM-DD"),
        ("1900-04-26", "year derived from it must be >= 1949"),
        ("2031-04-26", "year derived from it must be <= 2025"),
    ],
)
def test_bad_date(copy: Path, value: str, rule: str) -> None:
    set_cell(copy, "timeline.csv", 0, "date", value)
    assert_problem(failure("timeline", copy), "timeline.csv", 2, "date", rule)


def test_unknown_category(copy: Path) -> None:
    set_cell(copy, "timeline.csv", 1, "category", "trade")
    error = failure("timeline", copy)
    assert_problem(error, "timeline.csv", 3, "category", "must be one of: confidence-building")
    assert "'trade'" in str(error)


def test_unknown_category_in_other_files(copy: Path) -> None:
    set_cell(copy, "flows.csv", 0, "domain", "sea")
    assert_problem(failure("flows", copy), "flows.csv", 2, "domain", "must be one of")
    set_cell(copy, "cases.csv", 1, "lethal", "maybe")
    assert_problem(failure("cases", copy), "cases.csv", 3, "lethal", "yes, no, unknown")


@pytest.mark.parametrize("value", ["", "   "])
def test_missing_source(copy: Path, value: str) -> None:
    """A cell of spaces counts as empty."""
    set_cell(copy, "flows.csv", 1, "source", value)
    assert_problem(failure("flows", copy), "flows.csv", 3, "source", "must not be empty")


def test_duplicate_id(copy: Path) -> None:
    set_cell(copy, "claims.csv", 1, "id", "border-demilitarised")
    error = failure("claims", copy)
    assert_problem(error, "claims.csv", 3, "id", "must be unique: the same value is on line 2")
    assert_problem(error, "claims.csv", 2, "id", "must be unique: the same value is on line 3")


def test_duplicate_glossary_term(copy: Path) -> None:
    set_cell(copy, "glossary.csv", 1, "term", "TIV")
    assert_problem(failure("glossary", copy), "glossary.csv", 3, "term", "must be unique")


def test_dangling_event_id(copy: Path) -> None:
    set_cell(copy, "flows.csv", 1, "event_id", "no-such-event")
    error = failure("flows", copy)
    rule = "must be empty or an existing id in timeline.csv"
    assert_problem(error, "flows.csv", 3, "event_id", rule)
    assert "'no-such-event'" in str(error)


def test_dangling_flow_id(copy: Path) -> None:
    set_cell(copy, "cases.csv", 1, "flow_id", "no-such-flow")
    assert_problem(failure("cases", copy), "cases.csv", 3, "flow_id", "id in flows.csv")


def test_broken_referenced_file_is_reported(copy: Path) -> None:
    set_cell(copy, "timeline.csv", 0, "category", "trade")
    assert_problem(failure("flows", copy), "timeline.csv", 2, "category", "must be one of")


@pytest.mark.parametrize(
    ("file", "name", "column", "value", "rule"),
    [
        ("flows.csv", "flows", "year_start", "20x5", "must be a whole number"),
        ("flows.csv", "flows", "year_end", "2019.5", "whole number (or empty)"),
        ("claims.csv", "claims", "question", "two", "must be a whole number"),
        ("sipri/trade-register.csv", "sipri_register", "tiv_delivered", "12,5", "be a number"),
        ("sipri/trade-register.csv", "sipri_register", "delivery_years", "2018 2019", "years"),
        ("sipri/import-values.csv", "sipri_imports", "tiv", "n/a", "must be a number"),
    ],
)
def test_unparsable_number(
    copy: Path, file: str, name: data.DatasetName, column: str, value: str, rule: str
) -> None:
    set_cell(copy, file, 0, column, value)
    error = failure(name, copy)
    assert_problem(error, file, 2, column, rule)
    assert len(error.problems) == 1, "one bad cell, one problem (no follow-on noise)"


def test_bad_boolean_is_not_silently_true(copy: Path) -> None:
    set_cell(copy, "flows.csv", 0, "in_interview", "yes")
    assert_problem(failure("flows", copy), "flows.csv", 2, "in_interview", "true or false")


def test_flows_rules_across_columns(copy: Path) -> None:
    set_cell(copy, "flows.csv", 0, "recipient", "Russia")
    set_cell(copy, "flows.csv", 1, "year_end", "2010")
    error = failure("flows", copy)
    assert_problem(error, "flows.csv", 2, "recipient", "must differ from supplier")
    assert_problem(error, "flows.csv", 3, "year_end", "must not be before year_start")


def test_timeline_rules_across_columns(copy: Path) -> None:
    set_cell(copy, "timeline.csv", 1, "after_interview", "true")  # 2015-11: before May 2022
    set_cell(copy, "timeline.csv", 0, "date_precision", "month")  # but 1996-04-26 is a day
    error = failure("timeline", copy)
    assert_problem(error, "timeline.csv", 3, "after_interview", "after May 2022")
    assert_problem(error, "timeline.csv", 2, "date_precision", "must match the date's form")


def test_line_numbers_count_multiline_cells(copy: Path) -> None:
    """Record 3's description spans lines 4–5, so record 4 starts on line 6."""
    set_cell(copy, "timeline.csv", 3, "part", "7")
    assert_problem(failure("timeline", copy), "timeline.csv", 6, "part", "must be one of")


def test_all_problems_are_collected(copy: Path) -> None:
    set_cell(copy, "timeline.csv", 0, "date", "1996-13-26")
    set_cell(copy, "timeline.csv", 1, "category", "trade")
    set_cell(copy, "timeline.csv", 3, "source", "")
    set_cell(copy, "timeline.csv", 1, "title", "x" * 91)
    error = failure("timeline", copy)
    assert [(p.line, p.column) for p in error.problems] == [
        (2, "date"),
        (3, "category"),
        (3, "title"),
        (6, "source"),
    ]
    assert str(error).startswith(f"{copy / 'timeline.csv'}: 4 problems")


def test_wrong_number_of_fields(copy: Path) -> None:
    with (copy / "glossary.csv").open("a", encoding="utf-8") as f:
        f.write("PLA,a definition, with a comma,https://example.org\n")
    error = failure("glossary", copy)
    assert_problem(error, "glossary.csv", 4, None, "row has 4 fields, the header has 3")


def test_unexpected_and_missing_columns(copy: Path) -> None:
    path = copy / "implications.csv"
    path.write_text(
        path.read_text(encoding="utf-8").replace("statement,source", "statment,source"),
        encoding="utf-8",
    )
    error = failure("implications", copy)
    assert_problem(error, "implications.csv", 1, "statment", "unexpected column")
    assert_problem(error, "implications.csv", 1, "statement", "required column is missing")
    assert "line 1 (header)" in str(error)


def test_bad_id_slug(copy: Path) -> None:
    set_cell(copy, "capabilities.csv", 0, "id", "Aero Engines")
    assert_problem(failure("capabilities", copy), "capabilities.csv", 2, "id", "lower-case")


def test_bad_delivery_years_order(copy: Path) -> None:
    set_cell(copy, "sipri/trade-register.csv", 0, "delivery_years", "2019;2018")
    assert_problem(
        failure("sipri_register", copy), "trade-register.csv", 2, "delivery_years", "increasing"
    )


def test_empty_file(copy: Path) -> None:
    (copy / "claims.csv").write_text("", encoding="utf-8")
    assert "file is empty" in str(failure("claims", copy))


def test_duplicate_recipient_year(copy: Path) -> None:
    with (copy / "sipri/import-values.csv").open("a", encoding="utf-8") as f:
        f.write("China,2023,5\n")
    error = failure("sipri_imports", copy)
    assert_problem(error, "import-values.csv", 28, None, "(recipient, year) must be unique")
    assert "same as line 22" in str(error)


@pytest.mark.parametrize("name", get_args(data.DatasetName))
def test_each_missing_column_is_named(tmp_path: Path, name: data.DatasetName) -> None:
    """Drop each column of each dataset in turn: the error names exactly that column."""
    rel = data.DATASETS[name].path
    with (FIXTURES / rel).open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    for i, column in enumerate(rows[0]):
        directory = tmp_path / column
        shutil.copytree(FIXTURES, directory)
        with (directory / rel).open("w", encoding="utf-8", newline="") as f:
            csv.writer(f, lineterminator="\n").writerows(r[:i] + r[i + 1 :] for r in rows)
        error = failure(name, directory)
        assert [(p.line, p.column, p.rule) for p in error.problems] == [
            (1, column, "required column is missing")
        ], str(error)
