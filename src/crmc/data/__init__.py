"""The module's datasets: curated CSVs and SIPRI extracts, validated on load.

    >>> from crmc import data
    >>> timeline = data.load("timeline")          # or data.load_timeline()
    >>> register = data.load_sipri_register(data_dir=some_copy)   # another directory

Every loader validates the file with its pandera schema (:mod:`crmc.data.schemas`) and raises
:class:`DataValidationError` naming the file, CSV line, column and rule on any problem. Results
are cached; each call returns a copy. Provenance and terms: ``src/crmc/data/README.md``.
Anything shown from the SIPRI files carries :data:`SIPRI_CREDIT`.
"""

from __future__ import annotations

from typing import cast

from pandera.typing import DataFrame

from ._load import DATASETS, DataDir, Dataset, DatasetName, clear_cache, dataset_path, load
from .errors import DataFileNotFoundError, DataValidationError, Problem
from .schemas import (
    CapabilitiesSchema,
    CasesSchema,
    ClaimsSchema,
    FlowsSchema,
    GlossarySchema,
    ImplicationsSchema,
    KeySystemsSchema,
    LaterEventLinksSchema,
    PhasesSchema,
    SipriImportsSchema,
    SipriRegisterSchema,
    TimelineSchema,
)
from .sipri import SIPRI_CREDIT, SIPRI_DATA_GENERATED, WEAPON_CATEGORY

__all__ = [
    "DATASETS",
    "SIPRI_CREDIT",
    "SIPRI_DATA_GENERATED",
    "WEAPON_CATEGORY",
    "DataDir",
    "DataFileNotFoundError",
    "DataValidationError",
    "Dataset",
    "DatasetName",
    "Problem",
    "clear_cache",
    "dataset_path",
    "load",
    "load_capabilities",
    "load_cases",
    "load_claims",
    "load_flows",
    "load_glossary",
    "load_implications",
    "load_key_systems",
    "load_later_event_links",
    "load_phases",
    "load_sipri_imports",
    "load_sipri_register",
    "load_timeline",
]


def load_timeline(data_dir: DataDir = None) -> DataFrame[TimelineSchema]:
    """Dated events (``timeline.csv``) plus ``year`` and ``start`` (first day of the period)."""
    return cast(DataFrame[TimelineSchema], load("timeline", data_dir))


def load_flows(data_dir: DataDir = None) -> DataFrame[FlowsSchema]:
    """Who supplies what to whom (``flows.csv``); ``event_id`` checked against the timeline."""
    return cast(DataFrame[FlowsSchema], load("flows", data_dir))


def load_claims(data_dir: DataDir = None) -> DataFrame[ClaimsSchema]:
    """The interview's concrete claims with the fact-check's verdicts (``claims.csv``)."""
    return cast(DataFrame[ClaimsSchema], load("claims", data_dir))


def load_glossary(data_dir: DataDir = None) -> DataFrame[GlossarySchema]:
    """Glossary terms and definitions (``glossary.csv``)."""
    return cast(DataFrame[GlossarySchema], load("glossary", data_dir))


def load_cases(data_dir: DataDir = None) -> DataFrame[CasesSchema]:
    """Coded transfer cases for part 2 (``cases.csv``); ``flow_id`` checked against flows."""
    return cast(DataFrame[CasesSchema], load("cases", data_dir))


def load_capabilities(data_dir: DataDir = None) -> DataFrame[CapabilitiesSchema]:
    """Part 3's capability matrix (``capabilities.csv``)."""
    return cast(DataFrame[CapabilitiesSchema], load("capabilities", data_dir))


def load_implications(data_dir: DataDir = None) -> DataFrame[ImplicationsSchema]:
    """Part 4's implications matrix (``implications.csv``)."""
    return cast(DataFrame[ImplicationsSchema], load("implications", data_dir))


def load_phases(data_dir: DataDir = None) -> DataFrame[PhasesSchema]:
    """The module's phases of Russian deliveries to China (``phases.csv``), in order."""
    return cast(DataFrame[PhasesSchema], load("phases", data_dir))


def load_key_systems(data_dir: DataDir = None) -> DataFrame[KeySystemsSchema]:
    """Part 1's key systems and their SIPRI designations (``key_systems.csv``)."""
    return cast(DataFrame[KeySystemsSchema], load("key_systems", data_dir))


def load_later_event_links(data_dir: DataDir = None) -> DataFrame[LaterEventLinksSchema]:
    """What each later event bears on (``later_event_links.csv``); ids checked against the
    timeline."""
    return cast(DataFrame[LaterEventLinksSchema], load("later_event_links", data_dir))


def load_sipri_register(data_dir: DataDir = None) -> DataFrame[SipriRegisterSchema]:
    """SIPRI trade register, China–Russia, one row per deal (tidy). Credit: :data:`SIPRI_CREDIT`."""
    return cast(DataFrame[SipriRegisterSchema], load("sipri_register", data_dir))


def load_sipri_imports(data_dir: DataDir = None) -> DataFrame[SipriImportsSchema]:
    """SIPRI's yearly arms imports of China and Russia, long form. Credit: :data:`SIPRI_CREDIT`."""
    return cast(DataFrame[SipriImportsSchema], load("sipri_imports", data_dir))
