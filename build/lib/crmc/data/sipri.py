"""SIPRI Arms Transfers Database extracts: raw export → tidy tables.

The raw files in ``sipri/raw/`` are SIPRI's own CSV exports, kept byte for byte. This module
turns them into the tidy tables the loaders read (``sipri/trade-register.csv``,
``sipri/import-values.csv``); :mod:`crmc.data.build` writes them. Nothing here runs at import
time and nothing downloads.

SIPRI's terms: credit every use with :data:`SIPRI_CREDIT`; any calculation made from the data
(a sum per year, a share) is the module's own and must not be attributed to SIPRI. The
``weapon_category`` column is such an addition: the module's coding, see :data:`WEAPON_CATEGORY`.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

import numpy as np
import pandas as pd

from .schemas import WEAPON_CATEGORIES

__all__ = [
    "IMPORTS_COLUMNS",
    "RAW_FILES",
    "RAW_SHA256",
    "REGISTER_COLUMNS",
    "SIPRI_CREDIT",
    "SIPRI_DATA_GENERATED",
    "SIPRI_SOURCE_LINE",
    "TIDY_FILES",
    "WEAPON_CATEGORY",
    "RawSipriFile",
    "import_totals",
    "SipriFormatError",
    "parse_raw",
    "tidy_imports",
    "tidy_register",
    "to_csv_text",
    "weapon_category",
]

SIPRI_CREDIT: Final = "Source: SIPRI Arms Transfers Database"
"""The credit line SIPRI's terms require under every table or chart that uses the data."""
SIPRI_SOURCE_LINE: Final = "Source: SIPRI Arms Transfers Database (c) SIPRI."
"""The source line as it stands in SIPRI's export (a test checks it against the raw files)."""
SIPRI_DATA_GENERATED: Final = dt.date(2024, 10, 13)
"""'Data generated' date of both raw exports (13 Oct 2024; checked against the raw files)."""

RAW_FILES: Final[Mapping[str, str]] = {
    "register": "sipri/raw/trade-register-china-russia.csv",
    "imports": "sipri/raw/import-values-china-russia.csv",
}
"""SIPRI's exports, relative to the data directory, kept byte for byte."""
RAW_SHA256: Final[Mapping[str, str]] = {
    "register": "ad9549e84039f55088e787664b337de28c280bc1448a548ff2bb560fb62355a4",
    "imports": "1eda48dc2bb9cc4e38d5d17727d912ad3b7d3e040a0d40bab801af7d754f79e6",
}
"""SHA-256 of the raw files as received (a test fails if a raw file is edited)."""
TIDY_FILES: Final[Mapping[str, str]] = {
    "sipri_register": "sipri/trade-register.csv",
    "sipri_imports": "sipri/import-values.csv",
}

REGISTER_COLUMNS: Final = (
    "recipient",
    "supplier",
    "order_year",
    "order_year_uncertain",
    "number_ordered",
    "number_ordered_uncertain",
    "designation",
    "description",
    "number_delivered",
    "number_delivered_uncertain",
    "delivery_years",
    "status",
    "comments",
    "tiv_per_unit",
    "tiv_order",
    "tiv_delivered",
    "weapon_category",
)
IMPORTS_COLUMNS: Final = ("recipient", "year", "tiv")

# SIPRI header text (case-insensitive, stripped) → tidy column. A blank header cell right after
# one of _FLAGGED holds that column's "?" (uncertain) flag.
_REGISTER_HEADER: Final = {
    "recipient": "recipient",
    "supplier": "supplier",
    "year of order": "order_year",
    "number ordered": "number_ordered",
    "weapon designation": "designation",
    "weapon description": "description",
    "number delivered": "number_delivered",
    "year(s) of delivery": "delivery_years",
    "status": "status",
    "comments": "comments",
    "sipri tiv per unit": "tiv_per_unit",
    "sipri tiv for total order": "tiv_order",
    "sipri tiv of delivered weapons": "tiv_delivered",
}
_FLAGGED: Final = ("order_year", "number_ordered", "number_delivered")

# ------------------------------------------------------------------ weapon categories
_CODING: Final[Mapping[str, tuple[str, ...]]] = {
    "aircraft": (
        "FGA aircraft",
        "fighter aircraft",
        "bomber aircraft",
        "ground attack aircraft",
        "trainer aircraft",
        "transport aircraft",
        "heavy transport aircraft",
        "light transport aircraft",
        "light aircraft",
        "maritime patrol aircraft",
        "AEW&C aircraft",
        "tanker/transport aircraft",
        "helicopter",
        "light helicopter",
        "transport helicopter",
        "combat helicopter",
        "ASW helicopter",
        "AEW helicopter",
    ),
    # SIPRI: "air defence systems" are the systems (launchers, their radars) and AA guns;
    # the missiles they fire are "missiles" (below). So "SAM system" ≠ "SAM".
    "air defence": (
        "SAM system",
        "mobile SAM system",
        "naval SAM system",
        "AA gun",
        "self-propelled AA gun",
    ),
    # Guided missiles, guided torpedoes and guided shells, as in SIPRI's "missiles".
    "missiles": (
        "SAM",
        "ASM",
        "BVRAAM",
        "SRAAM",
        "anti-ship missile",
        "anti-ship/anti-radar missile",
        "anti-ship/land-attack missile",
        "anti-radar missile",
        "anti-tank missile",
        "ASW torpedo",
        "anti-ship torpedo",
        "anti-ship/ASW torpedo",
        "naval mine/torpedo",
        "guided shell",
    ),
    "engines": (
        "turbofan",
        "turbojet",
        "turboshaft",
        "aircraft engine",
        "diesel engine",
        "ship engine",
        "gas turbine",
    ),
    "ships": (
        "destroyer",
        "frigate",
        "corvette",
        "submarine",
        "SSB",
        "FAC",
        "patrol craft",
        "minesweeper",
    ),
    "sensors": (
        "radar",
        "air search radar",
        "sea search radar",
        "fire control radar",
        "combat aircraft radar",
        "ASW sonar",
    ),
    "armoured vehicles": ("tank", "light tank", "tank destroyer", "APC", "APV", "IFV"),
    "artillery": ("towed gun", "self-propelled gun", "self-propelled MRL", "naval gun", "mortar"),
    # A launcher-and-radar complex for anti-ship missiles: none of the eight fits.
    "other": ("coastal defence system",),
}

WEAPON_CATEGORY: Final[Mapping[str, str]] = {
    description: category for category, items in _CODING.items() for description in items
}
"""The module's own coding of SIPRI's "Weapon description" into SIPRI-style categories.

Exact descriptions only (no guessing from words): a description that is not listed stops the
build, so every new description gets a deliberate decision.
"""

assert set(_CODING) == set(WEAPON_CATEGORIES)
assert len(WEAPON_CATEGORY) == sum(len(v) for v in _CODING.values()), "duplicate description"


class SipriFormatError(ValueError):
    """A raw SIPRI file does not look like SIPRI's export (header or a cell unreadable)."""


def weapon_category(description: str) -> str:
    """The module's category for a SIPRI weapon description (see :data:`WEAPON_CATEGORY`).

    Raises :class:`SipriFormatError` for a description the coding does not cover.
    """
    try:
        return WEAPON_CATEGORY[description.strip()]
    except KeyError:
        raise SipriFormatError(
            f"weapon description {description!r} has no category: add it to "
            "crmc.data.sipri._CODING (and document it in src/crmc/data/README.md)"
        ) from None


# ------------------------------------------------------------------ raw files
@dataclass(frozen=True)
class RawSipriFile:
    """A SIPRI export split into its preamble and its table."""

    name: str
    preamble: tuple[str, ...]
    """SIPRI's header lines before the table, unchanged (blank lines dropped)."""
    header: tuple[str, ...]
    header_line: int
    """1-based line of the table's header row."""
    rows: tuple[tuple[str, ...], ...]
    lines: tuple[int, ...]
    """1-based line of each row."""

    @property
    def source_line(self) -> str:
        """SIPRI's "Source: ..." line."""
        return self._find(r"^Source:", "source line")

    @property
    def generated(self) -> dt.datetime:
        """SIPRI's "Data generated: ..." timestamp."""
        text = self._find(r"^Data generated:", "'Data generated' line")
        stamp = text.split(":", 1)[1].strip()
        try:
            return dt.datetime.strptime(stamp, "%d %b %Y %I:%M:%S %p")
        except ValueError:
            raise SipriFormatError(f"{self.name}: unreadable date in {text!r}") from None

    def _find(self, pattern: str, what: str) -> str:
        for line in self.preamble:
            if re.match(pattern, line.strip()):
                return line.strip()
        raise SipriFormatError(f"{self.name}: no {what} in SIPRI's header")


def parse_raw(text: str, name: str, first_header_cell: str = "Recipient") -> RawSipriFile:
    """Split a SIPRI export into preamble and table.

    The table's header is the first row whose first cell is ``first_header_cell`` and which
    has at least three cells (SIPRI's preamble lines are one cell each); the line it is on is
    found, not assumed. Blank rows in the table are skipped.
    """
    reader = csv.reader(io.StringIO(text, newline=""))
    preamble: list[str] = []
    header: tuple[str, ...] | None = None
    header_line = 0
    rows: list[tuple[str, ...]] = []
    lines: list[int] = []
    previous_end = 0
    for row in reader:
        start, previous_end = previous_end + 1, reader.line_num
        if header is None:
            if row and row[0].strip() == first_header_cell and len(row) >= 3:
                header, header_line = tuple(row), start
            elif row and any(c.strip() for c in row):
                preamble.append(",".join(row).strip())
            continue
        if not row or all(c.strip() == "" for c in row):
            continue
        if len(row) != len(header):
            raise SipriFormatError(
                f"{name}, line {start}: {len(row)} fields, the header has {len(header)}"
            )
        rows.append(tuple(row))
        lines.append(start)
    if header is None:
        raise SipriFormatError(f"{name}: no table header starting with {first_header_cell!r}")
    return RawSipriFile(name, tuple(preamble), header, header_line, tuple(rows), tuple(lines))


def _number(text: str, where: str) -> float | None:
    text = text.strip()
    if text == "":
        return None
    try:
        value = float(text)
    except ValueError:
        raise SipriFormatError(f"{where}: {text!r} is not a number") from None
    if not math.isfinite(value):
        raise SipriFormatError(f"{where}: {text!r} is not a finite number")
    return value


def _flag(text: str, where: str) -> bool:
    text = text.strip()
    if text not in ("", "?"):
        raise SipriFormatError(f"{where}: uncertainty flag {text!r} is neither '?' nor empty")
    return text == "?"


def _years(text: str, where: str) -> list[int]:
    items = [t.strip() for t in text.split(";") if t.strip()]
    if not all(re.fullmatch(r"\d{4}", t) for t in items):
        raise SipriFormatError(f"{where}: {text!r} is not a ';'-separated list of years")
    return [int(t) for t in items]


def _register_columns(raw: RawSipriFile) -> dict[str, int]:
    """Tidy column (and ``<column>_uncertain``) → index in SIPRI's header."""
    index: dict[str, int] = {}
    previous: str | None = None
    for i, cell in enumerate(raw.header):
        key = cell.strip().lower()
        if key == "" and previous in _FLAGGED:
            index[f"{previous}_uncertain"] = i
        elif key in _REGISTER_HEADER:
            index[_REGISTER_HEADER[key]] = i
        previous = _REGISTER_HEADER.get(key)
    wanted = [*_REGISTER_HEADER.values(), *(f"{c}_uncertain" for c in _FLAGGED)]
    missing = [c for c in wanted if c not in index]
    if missing:
        raise SipriFormatError(
            f"{raw.name}, line {raw.header_line}: header lacks {missing}; got {raw.header}"
        )
    return index


def tidy_register(raw: RawSipriFile) -> pd.DataFrame:
    """SIPRI's trade register as a tidy frame: one row per deal, in SIPRI's order.

    ``?`` flags become booleans (``*_uncertain``), numbers floats (empty → NA),
    ``"2006; 2007"`` a list of ints, and ``weapon_category`` is added (module's coding).
    """
    col = _register_columns(raw)
    records: list[dict[str, Any]] = []
    for row, line in zip(raw.rows, raw.lines, strict=True):
        where = f"{raw.name}, line {line}"

        def cell(name: str, row: Sequence[str] = row) -> str:
            return row[col[name]].strip()

        order_year = _number(cell("order_year"), where)
        if order_year is None or not order_year.is_integer():
            raise SipriFormatError(f"{where}: year of order {cell('order_year')!r}")
        records.append(
            {
                "recipient": cell("recipient"),
                "supplier": cell("supplier"),
                "order_year": int(order_year),
                "order_year_uncertain": _flag(cell("order_year_uncertain"), where),
                "number_ordered": _number(cell("number_ordered"), where),
                "number_ordered_uncertain": _flag(cell("number_ordered_uncertain"), where),
                "designation": cell("designation"),
                "description": cell("description"),
                "number_delivered": _number(cell("number_delivered"), where),
                "number_delivered_uncertain": _flag(cell("number_delivered_uncertain"), where),
                "delivery_years": _years(cell("delivery_years"), where),
                "status": cell("status"),
                "comments": cell("comments") or None,
                "tiv_per_unit": _number(cell("tiv_per_unit"), where),
                "tiv_order": _number(cell("tiv_order"), where),
                "tiv_delivered": _number(cell("tiv_delivered"), where),
                "weapon_category": weapon_category(cell("description")),
            }
        )
    frame = pd.DataFrame.from_records(records, columns=list(REGISTER_COLUMNS))
    for name in ("number_ordered", "number_delivered", "tiv_per_unit", "tiv_order"):
        frame[name] = frame[name].astype(float)
    frame["tiv_delivered"] = frame["tiv_delivered"].astype(float)
    return frame


def tidy_imports(raw: RawSipriFile) -> pd.DataFrame:
    """SIPRI's yearly import volumes in long form: one row per recipient and year.

    Year columns are the header cells that are four-digit years; SIPRI's totals and
    percentage columns are dropped. An empty cell (no deliveries identified, or a year not
    yet covered) becomes NA; ``"0"`` (between 0 and 0.5 million TIV) stays 0.
    """
    years = [(i, int(h)) for i, h in enumerate(raw.header) if re.fullmatch(r"\d{4}", h.strip())]
    if not years:
        raise SipriFormatError(f"{raw.name}, line {raw.header_line}: no year columns")
    records: list[dict[str, Any]] = []
    for row, line in zip(raw.rows, raw.lines, strict=True):
        recipient = row[0].strip()
        for i, year in years:
            tiv = _number(row[i], f"{raw.name}, line {line}, year {year}")
            records.append({"recipient": recipient, "year": year, "tiv": tiv})
    frame = pd.DataFrame.from_records(records, columns=list(IMPORTS_COLUMNS))
    frame["tiv"] = frame["tiv"].astype(float)
    return frame


def import_totals(raw: RawSipriFile) -> dict[str, float]:
    """SIPRI's own whole-period total per recipient (the ``YYYY-YYYY`` column), for checks."""
    spans = [i for i, h in enumerate(raw.header) if re.fullmatch(r"\d{4}-\d{4}", h.strip())]
    if len(spans) != 1:
        raise SipriFormatError(f"{raw.name}: expected one total column, found {len(spans)}")
    out: dict[str, float] = {}
    for row in raw.rows:
        value = _number(row[spans[0]], raw.name)
        out[row[0].strip()] = math.nan if value is None else value
    return out


# ------------------------------------------------------------------ tidy CSV text
def _cell(value: Any) -> str:
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ";".join(str(v) for v in value)
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


def to_csv_text(frame: pd.DataFrame) -> str:
    """Deterministic CSV text of a tidy frame (``\\n`` line ends, minimal quoting).

    Booleans are written ``true``/``false``, lists ``2006;2007``, NA as an empty cell, and
    floats without a trailing ``.0``, so the files diff cleanly when SIPRI's data change.
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(frame.columns)
    rows: Iterable[tuple[Any, ...]] = frame.itertuples(index=False, name=None)
    for row in rows:
        writer.writerow([_cell(v) for v in row])
    return out.getvalue()
