"""Series the module derives from the SIPRI extracts (the module's own calculations).

SIPRI's terms: a calculation made from SIPRI data is presented as the module's own, never as
a SIPRI figure; SIPRI's own figures keep the credit line :data:`crmc.data.SIPRI_CREDIT`.
:data:`RUSSIA_CHINA_METADATA` says which column is which; charts should take their labels,
notes and credit from it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final

import pandas as pd
from pandera.typing import DataFrame

from crmc import data
from crmc.data.schemas import RussiaChinaYearlySchema

__all__ = [
    "METHOD",
    "RUSSIA_CHINA_METADATA",
    "SERIES_LABEL",
    "SUPPLIERS",
    "SeriesMetadata",
    "period_sums",
    "russia_china_yearly",
    "spread_deliveries",
]

SERIES_LABEL: Final = "Russia/Soviet Union → China"
SUPPLIERS: Final = ("Russia", "Soviet Union")
"""Suppliers counted as "Russia": the Soviet Union until 1991, Russia after."""

METHOD: Final = (
    "Module's own calculation from the SIPRI Arms Transfers Database (not a SIPRI figure). "
    "For every trade-register deal with China as recipient and Russia or the Soviet Union as "
    "supplier, SIPRI's 'TIV of delivered weapons' is spread evenly over the deal's listed "
    "delivery years (a deal delivered in 2006 and 2007 adds half to each year), and the "
    "pieces are summed by year; a year without deliveries counts 0. China's imports are "
    "SIPRI's own yearly figure for all suppliers. The Russian share is the module's ratio of "
    "the two. The even spread is an assumption (the register gives no yearly breakdown), so "
    "a single year can be off, even above 100%; compare sums over five-year periods."
)
"""How :func:`russia_china_yearly` is made, in one paragraph (for captions and the README)."""


@dataclass(frozen=True)
class SeriesMetadata:
    """Labels, units, method and credit of a derived series, for charts and captions."""

    label: str
    unit: str
    method: str
    credit: str
    columns: Mapping[str, str] = field(default_factory=dict)
    """Column → what it holds, saying whose figure it is (SIPRI's or the module's)."""


RUSSIA_CHINA_METADATA: Final = SeriesMetadata(
    label=SERIES_LABEL,
    unit="millions of SIPRI trend-indicator values (TIV)",
    method=METHOD,
    credit=data.SIPRI_CREDIT,
    columns={
        "year": "calendar year of delivery",
        "russia_to_china_tiv": f"{SERIES_LABEL}, TIV delivered (module's calculation)",
        "china_imports_tiv": "China's arms imports from all suppliers, TIV (SIPRI's figure)",
        "russia_share": f"share of {SERIES_LABEL} in China's imports (module's calculation)",
    },
)


def spread_deliveries(
    register: pd.DataFrame,
    recipient: str = "China",
    suppliers: tuple[str, ...] = SUPPLIERS,
) -> pd.DataFrame:
    """Each deal's delivered TIV spread evenly over its delivery years: one row per deal-year.

    ``register`` is :func:`crmc.data.load_sipri_register`'s frame. Returns columns
    ``deal`` (the register's row index), ``supplier``, ``designation``, ``weapon_category``,
    ``year`` and ``tiv`` (module's calculation). Deals without delivered TIV are left out;
    the ``tiv`` column sums to the deals' total delivered TIV.
    """
    deals = register[(register["recipient"] == recipient) & register["supplier"].isin(suppliers)]
    deals = deals[deals["tiv_delivered"].notna() & (deals["delivery_years"].map(len) > 0)]
    pieces = deals.assign(
        year=deals["delivery_years"],
        tiv=deals["tiv_delivered"] / deals["delivery_years"].map(len),
    ).explode("year")
    out = pieces.reset_index(names="deal")[
        ["deal", "supplier", "designation", "weapon_category", "year", "tiv"]
    ]
    return out.astype({"year": "int64", "tiv": "float64"}).reset_index(drop=True)


def russia_china_yearly(data_dir: data.DataDir = None) -> DataFrame[RussiaChinaYearlySchema]:
    """Russia/Soviet Union → China TIV delivered per year, with China's total and the share.

    Columns: ``year``; ``russia_to_china_tiv`` (module's calculation: each deal's delivered
    TIV spread evenly over its delivery years, see :data:`METHOD`); ``china_imports_tiv``
    (SIPRI's figure, all suppliers); ``russia_share`` = ``russia_to_china_tiv /
    china_imports_tiv`` (module's calculation; NA where China's total is 0; a single year
    can exceed 1 because of the even spread).

    One row per year for which SIPRI gives China's total (1950–2023 in the Oct 2024 data;
    2024 is not yet covered). ``data_dir`` reads another copy of the data (see
    :func:`crmc.data.load`). Labels and credit: :data:`RUSSIA_CHINA_METADATA`.
    """
    pieces = spread_deliveries(data.load_sipri_register(data_dir))
    russia = pieces.groupby("year")["tiv"].sum()
    imports = data.load_sipri_imports(data_dir)
    china = imports[imports["recipient"] == "China"].set_index("year")["tiv"].dropna()
    lost = russia[~russia.index.isin(china.index)]
    if (lost > 0).any():
        raise ValueError(
            f"deliveries in years without SIPRI's China total: {sorted(lost.index)}; "
            "refresh sipri/import-values.csv"
        )
    frame = pd.DataFrame({"year": china.index.astype("int64"), "china_imports_tiv": china.values})
    frame["russia_to_china_tiv"] = frame["year"].map(russia).fillna(0.0).astype(float)
    frame["russia_share"] = _share(frame["russia_to_china_tiv"], frame["china_imports_tiv"])
    frame = frame[["year", "russia_to_china_tiv", "china_imports_tiv", "russia_share"]]
    return RussiaChinaYearlySchema.validate(frame.sort_values("year").reset_index(drop=True))


def _share(part: pd.Series, whole: pd.Series) -> pd.Series:
    return (part / whole.where(whole > 0)).astype(float)


def period_sums(
    df: pd.DataFrame, start: int, end: int, width: int | None = None
) -> pd.DataFrame:
    """Sum a yearly TIV frame over a period, or over consecutive periods of ``width`` years.

    ``df`` has a ``year`` column and TIV columns ending in ``_tiv`` (as
    :func:`russia_china_yearly` returns). With ``width=None`` the result has one row for
    ``start``–``end`` (both included); with ``width=5`` one row per five-year period from
    ``start`` (``end - start + 1`` must be a multiple of ``width``). Columns: ``start``,
    ``end``, ``period`` (e.g. ``"2014–2018"``), each ``*_tiv`` sum, and ``russia_share``
    recomputed as the ratio of the sums when both TIV columns are there (module's
    calculation). Raises ``ValueError`` if a year of the range is missing from ``df``.
    """
    if end < start:
        raise ValueError(f"end ({end}) is before start ({start})")
    span = end - start + 1
    width = span if width is None else width
    if width <= 0 or span % width:
        raise ValueError(f"{start}–{end} ({span} years) is not made of {width}-year periods")
    years = set(df["year"].astype(int))
    missing = [y for y in range(start, end + 1) if y not in years]
    if missing:
        raise ValueError(f"years missing from the frame: {missing}")
    tiv_columns = [c for c in df.columns if str(c).endswith("_tiv")]
    rows = []
    for first in range(start, end + 1, width):
        last = first + width - 1
        window = df[(df["year"] >= first) & (df["year"] <= last)]
        row: dict[str, object] = {"start": first, "end": last, "period": f"{first}–{last}"}
        row.update({c: float(window[c].sum()) for c in tiv_columns})
        rows.append(row)
    out = pd.DataFrame(rows, columns=["start", "end", "period", *tiv_columns])
    if {"russia_to_china_tiv", "china_imports_tiv"} <= set(tiv_columns):
        out["russia_share"] = _share(out["russia_to_china_tiv"], out["china_imports_tiv"])
    return out

