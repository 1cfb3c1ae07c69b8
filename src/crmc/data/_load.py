"""Read, validate and cache the module's datasets.

A CSV is read as text (so that no value is silently converted), handed to its pandera schema
with ``lazy=True`` (so every problem is collected), and any failure is translated into a
:class:`~crmc.data.DataValidationError` naming the file, the CSV line, the column and the rule.
Cross-file references are checked here. Results are cached per (dataset, directory); callers
get copies, so nothing they do can change what the next caller sees.
"""

from __future__ import annotations

import csv
import functools
import io
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any, Final, Literal, cast, get_args

import pandas as pd
import pandera.pandas as pa
from pandera.errors import SchemaErrors

from . import schemas as s
from .errors import DataFileNotFoundError, DataValidationError, Problem

__all__ = [
    "DATASETS",
    "Dataset",
    "DatasetName",
    "clear_cache",
    "dataset_path",
    "load",
    "read_csv_text",
    "validate_frame",
]

DatasetName = Literal[
    "timeline",
    "flows",
    "claims",
    "glossary",
    "cases",
    "capabilities",
    "implications",
    "phases",
    "key_systems",
    "later_event_links",
    "sipri_register",
    "sipri_imports",
]
"""Every dataset :func:`load` knows. Tests parametrize over ``typing.get_args(DatasetName)``."""

DataDir = Path | str | None
"""Where to read from: ``None`` for the package's own files, else a directory with the same
layout (``timeline.csv``, ``sipri/trade-register.csv``, ...), e.g. the autograder's copy."""


@dataclass(frozen=True)
class Dataset:
    """What the loader needs to know about one dataset."""

    name: DatasetName
    path: str
    """Path relative to the data directory, with ``/`` separators."""
    schema: type[pa.DataFrameModel]
    description: str
    references: Mapping[str, tuple[DatasetName, str]] = field(default_factory=dict)
    """Column → (dataset, column) it must refer to (empty values are allowed)."""


DATASETS: Final[Mapping[DatasetName, Dataset]] = {
    "timeline": Dataset(
        "timeline", "timeline.csv", s.TimelineSchema, "Dated events, one row per event."
    ),
    "flows": Dataset(
        "flows",
        "flows.csv",
        s.FlowsSchema,
        "Who supplies what to whom, one row per flow.",
        {"event_id": ("timeline", "id")},
    ),
    "claims": Dataset(
        "claims", "claims.csv", s.ClaimsSchema, "The interview's claims and their verdicts."
    ),
    "glossary": Dataset("glossary", "glossary.csv", s.GlossarySchema, "Terms and definitions."),
    "cases": Dataset(
        "cases",
        "cases.csv",
        s.CasesSchema,
        "Transfers coded between cooperation and military assistance.",
        {"flow_id": ("flows", "id")},
    ),
    "capabilities": Dataset(
        "capabilities", "capabilities.csv", s.CapabilitiesSchema, "Who has the edge, by capability."
    ),
    "implications": Dataset(
        "implications", "implications.csv", s.ImplicationsSchema, "Implications by actor/scenario."
    ),
    "phases": Dataset(
        "phases", "phases.csv", s.PhasesSchema, "The module's phases of Russian deliveries."
    ),
    "key_systems": Dataset(
        "key_systems", "key_systems.csv", s.KeySystemsSchema, "Part 1 systems → SIPRI designations"
    ),
    "later_event_links": Dataset(
        "later_event_links",
        "later_event_links.csv",
        s.LaterEventLinksSchema,
        "What each event after the interview bears on (module's reading).",
        {"event_id": ("timeline", "id")},
    ),
    "sipri_register": Dataset(
        "sipri_register",
        "sipri/trade-register.csv",
        s.SipriRegisterSchema,
        "SIPRI trade register, China–Russia, one row per deal (tidy).",
    ),
    "sipri_imports": Dataset(
        "sipri_imports",
        "sipri/import-values.csv",
        s.SipriImportsSchema,
        "SIPRI yearly arms imports of China and Russia, all suppliers (tidy, long).",
    ),
}

assert set(DATASETS) == set(get_args(DatasetName)), "DATASETS and DatasetName disagree"


# ---------------------------------------------------------------- paths and reading
def dataset_path(name: DatasetName, data_dir: DataDir = None) -> Traversable:
    """Where dataset ``name`` is read from (package data unless ``data_dir`` is given)."""
    rel = _dataset(name).path
    if data_dir is None:
        base: Traversable = resources.files("crmc.data")
    else:
        base = Path(data_dir)
    return base.joinpath(*rel.split("/"))


def _dataset(name: str) -> Dataset:
    try:
        return DATASETS[name]  # type: ignore[index]
    except KeyError:
        known = ", ".join(DATASETS)
        raise KeyError(f"unknown dataset {name!r}; known datasets: {known}") from None


def read_csv_text(text: str, file: str) -> tuple[pd.DataFrame, list[int]]:
    """Parse CSV ``text`` into an all-text frame and the 1-based line number of each row.

    Empty cells become ``None``; blank lines are skipped (their lines still count). Quoted
    cells spanning several lines are handled: a row's number is the line it starts on.
    Raises :class:`DataValidationError` if the file is empty or a row has the wrong number
    of fields.
    """
    reader = csv.reader(io.StringIO(text, newline=""))
    header: list[str] | None = None
    records: list[list[str | None]] = []
    lines: list[int] = []
    problems: list[Problem] = []
    previous_end = 0
    for row in reader:
        start, previous_end = previous_end + 1, reader.line_num
        if not row or (header is not None and all(cell.strip() == "" for cell in row)):
            continue
        if header is None:
            header = row
            dupes = sorted({c for c in row if row.count(c) > 1})
            problems += [Problem(start, c, "column name appears more than once") for c in dupes]
            continue
        if len(row) != len(header):
            rule = f"row has {len(row)} fields, the header has {len(header)}"
            problems.append(Problem(start, None, rule))
            continue
        records.append([cell if cell.strip() != "" else None for cell in row])
        lines.append(start)
    if header is None:
        raise DataValidationError(file, [Problem(None, None, "file is empty (no header row)")])
    if problems:
        raise DataValidationError(file, problems)
    frame = pd.DataFrame(records, columns=header, dtype=object)
    return frame, lines


def _read(path: Traversable) -> str:
    if not path.is_file():
        raise DataFileNotFoundError(str(path))
    return path.read_bytes().decode("utf-8-sig")


# ---------------------------------------------------------------- pandera → Problems
_DTYPE_RULES: Final = {
    "int64": "must be a whole number",
    "Int64": "must be a whole number (or empty)",
    "float64": "must be a number",
    "boolean": "must be true or false",
    "str": "must be text",
    "datetime64[ns]": "must be a date",
}
_PATTERN_RULES: Final = {
    s.SLUG: "must be an id: lower-case letters and digits joined by single hyphens",
    s.DATE_TEXT: "must be written YYYY, YYYY-MM or YYYY-MM-DD",
}


def _dtype_rule(check: str) -> str:
    """Rule for a failed type conversion, from pandera's ``coerce_dtype('int64')`` text."""
    dtype = check[check.find("(") + 1 : check.rfind(")")].strip("'\"")
    if "list[int]" in dtype.lower():
        return "must be a list of years separated by ';' (e.g. 2006;2007)"
    return _DTYPE_RULES.get(dtype, f"must have type {dtype}")


def _rule(check: str, obj: pa.Check | None) -> str:
    """Translate a failed pandera check into a rule a data editor can act on.

    ``obj`` is the schema's own :class:`pandera.Check` when known: its name and statistics
    (allowed values, pattern, bounds) say the rule exactly; custom checks carry their rule
    as ``error`` text. The check's name is appended in brackets for reference.
    """
    if check.startswith(("coerce_dtype(", "dtype(")):
        return _dtype_rule(check)
    if check == "not_nullable":
        return "must not be empty [not_nullable]"
    if check == "field_uniqueness":
        return "must be unique [field_uniqueness]"
    if obj is None:
        return check
    stats: dict[str, Any] = dict(obj.statistics or {})
    name = str(obj.name)
    if name == "isin":
        allowed = ", ".join(str(v) for v in stats["allowed_values"])
        text = f"must be one of: {allowed}"
    elif name == "str_matches":
        pattern = stats["pattern"]
        text = _PATTERN_RULES.get(pattern, f"must match the pattern {pattern}")
    elif name == "str_contains" and stats.get("pattern") == s.NOT_BLANK:
        text = "must not be blank"
    elif name == "str_length" and stats.get("min_value") is None:
        text = f"must be at most {stats['max_value']} characters"
    elif name == "greater_than_or_equal_to":
        text = f"must be >= {stats['min_value']}"
    elif name == "less_than_or_equal_to":
        text = f"must be <= {stats['max_value']}"
    elif obj.error:
        return str(obj.error)
    else:
        text = check
    return f"{text} [{name}]"


def _check_object(schema: pa.DataFrameSchema, column: Any, number: Any) -> pa.Check | None:
    if column not in schema.columns or not _is_index(number):
        return None
    checks = schema.columns[column].checks
    i = int(number)
    return checks[i] if 0 <= i < len(checks) else None


def _text_value(raw: pd.DataFrame, index: Any, column: str | None) -> str | None:
    if column is None or column not in raw.columns or index not in raw.index:
        return None
    value = raw.at[index, column]
    return None if value is None else str(value)


def _is_index(value: Any) -> bool:
    return value is not None and not (isinstance(value, float) and pd.isna(value))


def _problems(
    error: SchemaErrors, raw: pd.DataFrame, lines: list[int], schema: pa.DataFrameSchema
) -> list[Problem]:
    """Translate pandera's ``failure_cases`` into one :class:`Problem` per broken rule."""
    cases = error.failure_cases
    records = cases.to_dict("records")
    coerce_failed = {
        str(r["column"]) for r in records if str(r["check"]).startswith("coerce_dtype")
    }
    derived = s.DERIVED_COLUMNS.get(str(schema.name), {})
    found: dict[tuple[int | None, str | None, str], Problem] = {}
    deferred: list[dict[str, Any]] = []
    crashed: list[Problem] = []

    def add(p: Problem) -> None:
        found.setdefault((p.line, p.column, p.rule), p)

    def line_of(index: Any) -> int:
        return lines[int(index)]

    for r in records:
        check, column, index = str(r["check"]), r["column"], r["index"]
        if check == "column_in_schema":
            add(Problem(1, str(r["failure_case"]), "unexpected column (not in the schema)"))
            continue
        if check == "column_in_dataframe":
            missing = str(r["failure_case"])
            if missing in derived:
                continue  # derived from a column that is itself missing (reported)
            add(Problem(1, missing, "required column is missing"))
            continue
        if not _is_index(index):
            # A check that crashed (e.g. on a column whose type could not be converted).
            crashed.append(Problem(None, str(column), f"{check}: {r['failure_case']}"))
            continue
        if column in derived:
            deferred.append(r)
            continue
        if check.startswith("dtype(") or (
            column in coerce_failed and not check.startswith("coerce_dtype")
        ):
            continue  # reported once, as the coercion failure
        if r["schema_context"] == "DataFrameSchema":
            if check.startswith("multiple_fields_uniqueness"):
                cols = list(schema.unique or [])
                if not all(c in raw.columns for c in cols):
                    continue  # a missing column is reported on its own
                key = tuple(raw.loc[index, cols])
                # raw has a RangeIndex: a row's label is its position in ``lines``
                same = [lines[cast(int, i)] for i, row in raw[cols].iterrows() if tuple(row) == key]
                others = ", ".join(str(n) for n in same if n != line_of(index))
                rule = f"({', '.join(cols)}) must be unique together: same as line {others}"
                add(Problem(line_of(index), None, rule, ", ".join(str(v) for v in key)))
                continue
            # dataframe-wide check: its error text starts with the column it is about
            col, _, rule = check.partition(": ")
            if not rule:
                col, rule = "", check
            col_or_none = col if col in raw.columns else None
            add(Problem(line_of(index), col_or_none, rule, _text_value(raw, index, col)))
            continue
        rule = _rule(check, _check_object(schema, column, r["check_number"]))
        if check == "field_uniqueness":
            same = raw.index[raw[column] == raw.at[index, column]]
            dup_lines = ", ".join(str(lines[i]) for i in same if i != index)
            rule = f"must be unique: the same value is on line {dup_lines}"
        add(Problem(line_of(index), str(column), rule, _text_value(raw, index, column)))

    for r in deferred:
        column, index = str(r["column"]), r["index"]
        source = derived[column]
        line = line_of(index)
        if source not in raw.columns or any(
            p.line == line and p.column in (source, None) for p in found.values()
        ):
            continue  # the source cell already has a problem; this one follows from it
        obj = _check_object(schema, column, r["check_number"])
        rule = f"{column} derived from it {_rule(str(r['check']), obj)}"
        add(Problem(line, source, rule, _text_value(raw, index, source)))

    if not found:
        found = {(p.line, p.column, p.rule): p for p in crashed}
    if not found:  # pragma: no cover - pandera failed without failure cases
        found = {(None, None, str(error)): Problem(None, None, str(error))}
    return sorted(found.values(), key=lambda p: (p.line or 0, p.column or "", p.rule))


def validate_frame(
    raw: pd.DataFrame, lines: list[int], schema: type[pa.DataFrameModel], file: str
) -> pd.DataFrame:
    """Validate an all-text frame read from ``file``; raise :class:`DataValidationError`.

    ``lines`` gives each row's CSV line number (see :func:`read_csv_text`). Returns the
    validated frame with the schema's column order, whatever the file's order.
    """
    try:
        frame = schema.validate(raw, lazy=True)
    except SchemaErrors as error:
        raise DataValidationError(file, _problems(error, raw, lines, schema.to_schema())) from None
    return frame[list(schema.to_schema().columns)]  # the schema's column order


# ---------------------------------------------------------------- loading and caching
def _cache_key(data_dir: DataDir) -> str | None:
    return None if data_dir is None else str(Path(data_dir).resolve())


@functools.lru_cache(maxsize=64)
def _load_cached(name: DatasetName, data_dir: str | None) -> pd.DataFrame:
    dataset = _dataset(name)
    path = dataset_path(name, data_dir)
    file = str(path)
    raw, lines = read_csv_text(_read(path), file)
    frame = validate_frame(raw, lines, dataset.schema, file)
    problems: list[Problem] = []
    for column, (target, target_column) in dict(dataset.references).items():
        known = set(_load_cached(target, data_dir)[target_column])
        target_file = dataset_path(target, data_dir).name
        for i, value in frame[column].items():
            if not pd.isna(value) and value not in known:
                rule = f"must be empty or an existing {target_column} in {target_file}"
                problems.append(Problem(lines[cast(int, i)], column, rule, str(value)))
    if problems:
        raise DataValidationError(file, problems)
    return frame


def _copy(frame: pd.DataFrame) -> pd.DataFrame:
    """A deep copy, including the lists inside object columns (pandas copies only pointers)."""
    out = frame.copy(deep=True)
    for column in out.columns:
        if out[column].dtype == object:
            out[column] = out[column].map(lambda v: list(v) if isinstance(v, list) else v)
    return out


def load(name: DatasetName, data_dir: DataDir = None) -> pd.DataFrame:
    """Load dataset ``name``, validated with its schema (see :data:`DATASETS`).

    ``data_dir`` reads from another directory with the package's layout (the exercise
    autograder ships its own copy). Results are cached; each call returns a fresh copy.

    Raises :class:`DataValidationError` if the file breaks its schema or a reference to
    another dataset, :class:`DataFileNotFoundError` (also a ``FileNotFoundError``) if the
    file is missing, and ``KeyError`` for an unknown name.
    """
    return _copy(_load_cached(name, _cache_key(data_dir)))


def clear_cache() -> None:
    """Forget every loaded dataset (after editing a CSV in a running session)."""
    _load_cached.cache_clear()
