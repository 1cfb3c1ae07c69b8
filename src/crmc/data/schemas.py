"""One pandera schema per dataset: the single place where the data's rules are declared.

Each class describes the frame a loader returns (``strict``: no other columns; ``coerce``: the
CSV's text is converted to the declared types, and a value that cannot be converted is an
error, not a silent ``NaN``). Parsers declared here turn the CSV's text conventions into
Python values before the checks run (``"true"``/``"false"`` → booleans, ``"2006;2007"`` →
``[2006, 2007]``), and add the columns a loader derives (``timeline.year``, ``timeline.start``).

Referential integrity between files (``flows.event_id`` → ``timeline.id``, ``cases.flow_id``
→ ``flows.id``) needs two files, so it is checked by the loader (:mod:`crmc.data._load`),
which raises the same :class:`~crmc.data.DataValidationError`.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, Final

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

__all__ = [
    "CASE_CODES",
    "CAPABILITY_BASES",
    "CAPABILITY_EDGES",
    "CLAIM_VERDICTS",
    "COUNTRIES",
    "DATE_PRECISIONS",
    "DATE_TEXT",
    "DERIVED_COLUMNS",
    "FIRST_YEAR",
    "FLOW_DOMAINS",
    "FLOW_FORMS",
    "FLOW_STATUSES",
    "FLOW_VERDICTS",
    "IMPLICATION_ACTORS",
    "IMPLICATION_SCENARIOS",
    "INTERVIEW_MONTH",
    "LAST_TIMELINE_YEAR",
    "LAST_YEAR",
    "NOT_BLANK",
    "SIPRI_STATUSES",
    "SIPRI_SUPPLIERS",
    "SLUG",
    "TIMELINE_CATEGORIES",
    "WEAPON_CATEGORIES",
    "CapabilitiesSchema",
    "CasesSchema",
    "ClaimsSchema",
    "FlowsSchema",
    "GlossarySchema",
    "ImplicationsSchema",
    "RussiaChinaYearlySchema",
    "SipriImportsSchema",
    "SipriRegisterSchema",
    "TimelineSchema",
]

# ---------------------------------------------------------------- allowed values
FIRST_YEAR: Final = 1949
"""Earliest year any dataset may refer to (PRC founded; first Soviet deals)."""
LAST_YEAR: Final = 2024
"""Latest year any dataset may refer to (SIPRI data generated Oct 2024), except the timeline."""
LAST_TIMELINE_YEAR: Final = 2025
"""Latest year of a timeline event: the epilogue follows events into 2025, past the SIPRI data."""
INTERVIEW_MONTH: Final = dt.date(2022, 5, 1)
"""The interview was published in May 2022: ``after_interview`` means after this month."""

SLUG: Final = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
"""Pattern of every ``id``: lower-case letters and digits joined by single hyphens."""
DATE_TEXT: Final = r"^\d{4}(?:-\d{2}(?:-\d{2})?)?$"
"""Pattern of ``timeline.date``: ISO text at year, month or day precision."""
NOT_BLANK: Final = r"\S"
"""Pattern a required text must contain (something other than spaces)."""

DATE_PRECISIONS: Final = ("day", "month", "year")
TIMELINE_CATEGORIES: Final = (
    "confidence-building",
    "border",
    "treaty",
    "arms-transfer",
    "joint-development",
    "exercise",
    "sanctions",
    "geopolitics",
)
COUNTRIES: Final = ("Russia", "China")
FLOW_DOMAINS: Final = ("air", "air defence", "naval", "space", "cyber", "land", "electronics")
FLOW_FORMS: Final = ("sale", "licence", "joint R&D", "subcontracting", "exercise", "political")
FLOW_STATUSES: Final = ("delivered", "agreed", "reported", "claimed")
FLOW_VERDICTS: Final = ("supported", "partly", "not found")
CLAIM_VERDICTS: Final = ("supported", "partly", "not found", "contradicted", "not testable")
"""``not testable``: the module's data and sources cannot settle the claim either way."""
CASE_CODES: Final = ("yes", "no", "unknown")
CAPABILITY_EDGES: Final = ("China", "Russia", "contested")
CAPABILITY_BASES: Final = ("interview", "source", "both")
IMPLICATION_ACTORS: Final = ("US", "EU", "NATO")
IMPLICATION_SCENARIOS: Final = ("status quo", "limited assistance", "tight alignment")
SIPRI_SUPPLIERS: Final = ("Russia", "Soviet Union", "China")
SIPRI_STATUSES: Final = ("New", "Second hand", "Second hand but modernized")
WEAPON_CATEGORIES: Final = (
    "aircraft",
    "air defence",
    "missiles",
    "engines",
    "ships",
    "sensors",
    "armoured vehicles",
    "artillery",
    "other",
)
"""The module's own weapon categories (SIPRI-style; see ``crmc.data.sipri.WEAPON_CATEGORY``)."""

DERIVED_COLUMNS: Final[dict[str, dict[str, str]]] = {
    "TimelineSchema": {"year": "date", "start": "date"},
}
"""Per schema, the columns its parser derives → the CSV column they come from (for messages)."""

_TRUE_FALSE: Final = {"true": True, "false": False}


# ---------------------------------------------------------------- helpers for parsers
def _to_bool(value: Any) -> Any:
    """``"true"``/``"false"`` (any case, spaces ignored) → bool; anything else unchanged.

    An unknown word is left as text so that coercion to ``boolean`` fails and is reported
    (a plain ``astype(bool)`` would turn ``"no"`` into ``True``).
    """
    if isinstance(value, str):
        return _TRUE_FALSE.get(value.strip().lower(), value)
    return value


def _parse_bools(series: pd.Series) -> pd.Series:
    return series.astype(object).map(_to_bool)


def _has(df: pd.DataFrame, *columns: str) -> bool:
    """Whether a dataframe-wide check can run (a missing column is reported on its own)."""
    return all(c in df.columns for c in columns)


def _all_true(df: pd.DataFrame) -> pd.Series:
    return pd.Series(True, index=df.index)


def _is_date_text(text: Any) -> bool:
    return isinstance(text, str) and re.match(DATE_TEXT, text) is not None


def _period_start(text: Any) -> dt.date | None:
    """First day of the period an ISO date text names (``1996`` → 1996-01-01), else None."""
    if not _is_date_text(text):
        return None
    parts = [int(p) for p in text.split("-")] + [1, 1]
    try:
        return dt.date(parts[0], parts[1], parts[2])
    except ValueError:
        return None


def _years_list(value: Any) -> Any:
    """``"2006;2007"`` (SIPRI writes ``"2006; 2007"``) → ``[2006, 2007]``; empty → ``[]``.

    Text that is not a ``;``-separated list of years is left unchanged, so coercion to
    ``list[int]`` fails and is reported.
    """
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NA:
        return []
    if isinstance(value, str):
        items = [v.strip() for v in value.split(";")]
        if value.strip() == "":
            return []
        if all(re.fullmatch(r"\d{4}", v) for v in items):
            return [int(v) for v in items]
    return value


def _text(**kw: Any) -> Any:
    """A required free-text column: present and not blank."""
    return pa.Field(str_contains=NOT_BLANK, **kw)


def _optional_text(**kw: Any) -> Any:
    return pa.Field(nullable=True, **kw)


def _source() -> Any:
    """Every curated row cites its source: URLs and/or references separated by ``" ; "``."""
    return pa.Field(str_contains=NOT_BLANK)


def _year(**kw: Any) -> Any:
    return pa.Field(ge=FIRST_YEAR, le=LAST_YEAR, **kw)


class _Base(pa.DataFrameModel):
    class Config:
        strict = True
        coerce = True


# ---------------------------------------------------------------- curated datasets
class TimelineSchema(_Base):
    """``timeline.csv``: dated events 1989–2025, one row per event.

    ``year`` and ``start`` are not in the CSV: a parser derives them from ``date``
    (``start`` = first day of the period the date names).
    """

    id: Series[str] = pa.Field(unique=True, str_matches=SLUG)
    date: Series[str] = pa.Field(str_matches=DATE_TEXT)
    date_precision: Series[str] = pa.Field(isin=DATE_PRECISIONS)
    title: Series[str] = _text(str_length={"max_value": 90})
    description: Series[str] = _text()
    category: Series[str] = pa.Field(isin=TIMELINE_CATEGORIES)
    part: Series[int] = pa.Field(isin=[1, 2, 3, 4])
    source: Series[str] = _source()
    after_interview: Series[pd.BooleanDtype] = pa.Field()
    note: Series[str] = _optional_text()
    year: Series[int] = pa.Field(ge=FIRST_YEAR, le=LAST_TIMELINE_YEAR)
    start: Series[pd.Timestamp] = pa.Field()

    @pa.dataframe_parser()
    def _derive_year_and_start(cls, df: pd.DataFrame) -> pd.DataFrame:
        """Add ``year`` and ``start`` from ``date`` (NA where the date is unreadable)."""
        if "date" not in df.columns:
            return df  # reported as a missing column
        df = df.copy()
        starts = df["date"].map(_period_start)
        df["year"] = pd.array([None if d is None else d.year for d in starts], dtype="Int64")
        df["start"] = pd.to_datetime(starts.map(lambda d: pd.NaT if d is None else d))
        return df

    @pa.parser("after_interview")
    def _after_interview_bool(cls, s: pd.Series) -> pd.Series:
        return _parse_bools(s)

    @pa.check("date", name="real_date", error="must be a real calendar date")
    def _real_date(cls, s: Series[str]) -> pd.Series:
        # only where the text has the right form; the pattern check reports the rest
        return s.map(lambda t: _period_start(t) is not None or not _is_date_text(t)).astype(bool)

    @pa.dataframe_check(
        name="precision_matches_date",
        error="date_precision: must match the date's form (year: YYYY, month: YYYY-MM, "
        "day: YYYY-MM-DD)",
    )
    def _precision_matches(cls, df: pd.DataFrame) -> pd.Series:
        if not _has(df, "date", "date_precision"):
            return _all_true(df)
        n_parts = df["date"].astype(str).str.count("-") + 1
        expected = df["date_precision"].map({"year": 1, "month": 2, "day": 3})
        unknown = expected.isna() | ~df["date"].map(_is_date_text).astype(bool)
        return pd.Series((n_parts == expected) | unknown, index=df.index).astype(bool)

    @pa.dataframe_check(
        name="after_interview_matches_date",
        error="after_interview: must be true exactly when the event is after May 2022 "
        "(a year-only date of 2022 may be either)",
    )
    def _after_interview_matches(cls, df: pd.DataFrame) -> pd.Series:
        if not _has(df, "start", "date_precision", "year", "after_interview"):
            return _all_true(df)
        start = pd.to_datetime(df["start"])
        after = start >= pd.Timestamp(INTERVIEW_MONTH) + pd.offsets.MonthBegin(1)
        ambiguous = (df["date_precision"] == "year") & (df["year"] == INTERVIEW_MONTH.year)
        try:
            flag = df["after_interview"].astype("boolean")
        except (TypeError, ValueError):
            return _all_true(df)  # not true/false: reported by the type check
        ok = ambiguous | (flag == after) | start.isna() | flag.isna()
        return pd.Series(ok, index=df.index).fillna(True).astype(bool)


class FlowsSchema(_Base):
    """``flows.csv``: who supplies what to whom, one row per flow."""

    id: Series[str] = pa.Field(unique=True, str_matches=SLUG)
    item: Series[str] = _text()
    supplier: Series[str] = pa.Field(isin=COUNTRIES)
    recipient: Series[str] = pa.Field(isin=COUNTRIES)
    domain: Series[str] = pa.Field(isin=FLOW_DOMAINS)
    form: Series[str] = pa.Field(isin=FLOW_FORMS)
    programme: Series[str] = _text()
    component: Series[str] = _optional_text()
    year_start: Series[int] = _year()
    year_end: Series[pd.Int64Dtype] = _year(nullable=True)
    status: Series[str] = pa.Field(isin=FLOW_STATUSES)
    verdict: Series[str] = pa.Field(isin=FLOW_VERDICTS, nullable=True)
    in_interview: Series[pd.BooleanDtype] = pa.Field()
    in_sipri: Series[pd.BooleanDtype] = pa.Field()
    event_id: Series[str] = pa.Field(str_matches=SLUG, nullable=True)
    source: Series[str] = _source()

    @pa.parser("in_interview", "in_sipri")
    def _bools(cls, s: pd.Series) -> pd.Series:
        return _parse_bools(s)

    @pa.dataframe_check(name="recipient_differs", error="recipient: must differ from supplier")
    def _recipient_differs(cls, df: pd.DataFrame) -> pd.Series:
        if not _has(df, "recipient", "supplier"):
            return _all_true(df)
        return pd.Series(df["recipient"] != df["supplier"], index=df.index).astype(bool)

    @pa.dataframe_check(name="end_after_start", error="year_end: must not be before year_start")
    def _end_after_start(cls, df: pd.DataFrame) -> pd.Series:
        if not _has(df, "year_start", "year_end"):
            return _all_true(df)
        end = pd.to_numeric(df["year_end"], errors="coerce")
        start = pd.to_numeric(df["year_start"], errors="coerce")
        return pd.Series((end >= start) | end.isna() | start.isna(), index=df.index).astype(bool)


class ClaimsSchema(_Base):
    """``claims.csv``: each concrete claim of the interview and the fact-check's verdict."""

    id: Series[str] = pa.Field(unique=True, str_matches=SLUG)
    question: Series[int] = pa.Field(isin=[1, 2, 3, 4, 5])
    part: Series[int] = pa.Field(isin=[1, 2, 3, 4])
    claim: Series[str] = _text()
    verdict: Series[str] = pa.Field(isin=CLAIM_VERDICTS)
    evidence: Series[str] = _text()
    source: Series[str] = _source()


class GlossarySchema(_Base):
    """``glossary.csv``: terms the module uses, defined in the module's own words."""

    term: Series[str] = _text(unique=True)
    definition: Series[str] = _text()
    source: Series[str] = _source()


class CasesSchema(_Base):
    """``cases.csv``: transfers coded between "normal cooperation" and "military assistance"."""

    id: Series[str] = pa.Field(unique=True, str_matches=SLUG)
    case: Series[str] = _text()
    flow_id: Series[str] = pa.Field(str_matches=SLUG, nullable=True)
    contract_before_invasion: Series[str] = pa.Field(isin=CASE_CODES)
    lethal: Series[str] = pa.Field(isin=CASE_CODES)
    platform: Series[str] = pa.Field(isin=CASE_CODES)
    dual_use: Series[str] = pa.Field(isin=CASE_CODES)
    sanctioned: Series[str] = pa.Field(isin=CASE_CODES)
    battlefield_use: Series[str] = pa.Field(isin=CASE_CODES)
    coding_note: Series[str] = _text()
    source: Series[str] = _source()


class CapabilitiesSchema(_Base):
    """``capabilities.csv``: part 3's matrix of who has the edge in which capability."""

    id: Series[str] = pa.Field(unique=True, str_matches=SLUG)
    capability: Series[str] = _text()
    edge: Series[str] = pa.Field(isin=CAPABILITY_EDGES)
    basis: Series[str] = pa.Field(isin=CAPABILITY_BASES)
    statement: Series[str] = _text()
    source: Series[str] = _source()


class ImplicationsSchema(_Base):
    """``implications.csv``: part 4's matrix of actors × scenarios."""

    id: Series[str] = pa.Field(unique=True, str_matches=SLUG)
    actor: Series[str] = pa.Field(isin=IMPLICATION_ACTORS)
    scenario: Series[str] = pa.Field(isin=IMPLICATION_SCENARIOS)
    statement: Series[str] = _text()
    source: Series[str] = _source()


class PhasesSchema(_Base):
    """``phases.csv``: the module's periods of Russian deliveries to China, in order.

    A teaching device, not a SIPRI category: each phase is anchored to timeline events
    (``anchors``: ids separated by ``" ; "``) and the phases are contiguous.
    """

    key: Series[str] = pa.Field(unique=True, str_matches=SLUG)
    label: Series[str] = _text(unique=True, str_length={"max_value": 30})
    start: Series[int] = _year()
    end: Series[int] = _year()
    summary: Series[str] = _text()
    anchors: Series[str] = _text()
    source: Series[str] = _source()

    @pa.dataframe_check(name="contiguous", error="phases must run in order, each starting the "
                        "year after the previous one ends, with start <= end")
    def _contiguous(cls, df: pd.DataFrame) -> pd.Series:
        if not _has(df, "start", "end"):
            return _all_true(df)
        start, end = pd.to_numeric(df["start"]), pd.to_numeric(df["end"])
        follows = (start == end.shift(1) + 1) | (start.index == start.index[0])
        return pd.Series(follows & (start <= end), index=df.index)


class KeySystemsSchema(_Base):
    """``key_systems.csv``: systems Part 1 names → their SIPRI register designations
    (``designations``: separated by ``" ; "``). The grouping is the module's own."""

    system: Series[str] = _text(unique=True)
    designations: Series[str] = _text()
    source: Series[str] = _source()


class LaterEventLinksSchema(_Base):
    """``later_event_links.csv``: which point of the interview each event after it bears on
    (the module's reading, for the epilogue); ``event_id`` checked against the timeline."""

    event_id: Series[str] = pa.Field(unique=True, str_matches=SLUG)
    bears_on: Series[str] = _text()
    source: Series[str] = _source()


# ---------------------------------------------------------------- SIPRI (tidy)
class SipriRegisterSchema(_Base):
    """``sipri/trade-register.csv``: SIPRI trade register, one row per deal (tidy).

    ``*_uncertain`` are SIPRI's ``?`` flags; ``delivery_years`` is a list of years;
    ``weapon_category`` is the module's own coding of SIPRI's weapon description.
    """

    recipient: Series[str] = pa.Field(isin=COUNTRIES)
    supplier: Series[str] = pa.Field(isin=SIPRI_SUPPLIERS)
    order_year: Series[int] = _year()
    order_year_uncertain: Series[pd.BooleanDtype] = pa.Field()
    number_ordered: Series[float] = pa.Field(ge=0, nullable=True)
    number_ordered_uncertain: Series[pd.BooleanDtype] = pa.Field()
    designation: Series[str] = _text()
    description: Series[str] = _text()
    number_delivered: Series[float] = pa.Field(ge=0, nullable=True)
    number_delivered_uncertain: Series[pd.BooleanDtype] = pa.Field()
    delivery_years: Series[list[int]] = pa.Field()
    status: Series[str] = pa.Field(isin=SIPRI_STATUSES)
    comments: Series[str] = _optional_text()
    tiv_per_unit: Series[float] = pa.Field(ge=0, nullable=True)
    tiv_order: Series[float] = pa.Field(ge=0, nullable=True)
    tiv_delivered: Series[float] = pa.Field(ge=0, nullable=True)
    weapon_category: Series[str] = pa.Field(isin=WEAPON_CATEGORIES)

    @pa.parser("order_year_uncertain", "number_ordered_uncertain", "number_delivered_uncertain")
    def _bools(cls, s: pd.Series) -> pd.Series:
        return _parse_bools(s)

    @pa.parser("delivery_years")
    def _years(cls, s: pd.Series) -> pd.Series:
        return s.astype(object).map(_years_list)

    @pa.check(
        "delivery_years",
        name="delivery_years_in_range",
        error=f"every delivery year must be between {FIRST_YEAR} and {LAST_YEAR}, "
        "in increasing order",
    )
    def _delivery_years_ok(cls, s: pd.Series) -> pd.Series:
        def ok(v: Any) -> bool:
            if not isinstance(v, list):
                return True  # the type check reports it
            return all(FIRST_YEAR <= y <= LAST_YEAR for y in v) and v == sorted(set(v))

        return s.map(ok).astype(bool)

    @pa.dataframe_check(
        name="delivered_has_years",
        error="delivery_years: must list at least one year when weapons were delivered",
    )
    def _delivered_has_years(cls, df: pd.DataFrame) -> pd.Series:
        if not _has(df, "tiv_delivered", "delivery_years"):
            return _all_true(df)
        tiv = pd.to_numeric(df["tiv_delivered"], errors="coerce")
        has_years = df["delivery_years"].map(lambda v: not isinstance(v, list) or len(v) > 0)
        return pd.Series(tiv.isna() | has_years.astype(bool), index=df.index).astype(bool)


class SipriImportsSchema(_Base):
    """``sipri/import-values.csv``: SIPRI's yearly arms imports per recipient (long form).

    ``tiv`` is SIPRI's figure in millions of TIV (all suppliers); NA where SIPRI leaves the
    cell empty (no deliveries identified, or a year not yet covered).
    """

    recipient: Series[str] = pa.Field(isin=COUNTRIES)
    year: Series[int] = _year()
    tiv: Series[float] = pa.Field(ge=0, nullable=True)

    class Config:
        unique = ["recipient", "year"]


# ---------------------------------------------------------------- derived
class RussiaChinaYearlySchema(_Base):
    """:func:`crmc.derived.russia_china_yearly`: one row per year, module's own calculation."""

    year: Series[int] = pa.Field(unique=True, ge=1950, le=LAST_YEAR)
    russia_to_china_tiv: Series[float] = pa.Field(ge=0)
    china_imports_tiv: Series[float] = pa.Field(ge=0)
    russia_share: Series[float] = pa.Field(ge=0, nullable=True)
