"""Write the data files an exercise ships with (``data/<name>.csv``).

The exercise folders must work without this repository (in Binder, on Gradescope), so they
carry plain CSV copies of the module's datasets, trimmed to the columns the questions use. The
values come from the package's loaders (:mod:`crmc.data`, :mod:`crmc.derived`), or from a folder
of CSVs with the same columns (``--data-dir``; the tests use small fixtures).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pandas as pd

COLUMNS: dict[str, list[str]] = {
    "timeline": ["id", "date", "title", "category", "part", "after_interview"],
    "flows": [
        "id", "item", "supplier", "recipient", "domain", "form", "programme", "component",
        "year_start", "year_end", "status", "in_interview", "in_sipri",
    ],
    "cases": [
        "id", "case", "contract_before_invasion", "lethal", "platform", "dual_use",
        "sanctioned", "battlefield_use",
    ],
    "claims": ["id", "question", "part", "claim", "verdict"],
    "implications": ["id", "actor", "scenario", "statement"],
    "sipri_register": [
        "recipient", "supplier", "order_year", "designation", "description",
        "number_delivered", "delivery_years", "tiv_delivered",
    ],
    "russia_china_yearly": ["year", "russia_to_china_tiv", "china_imports_tiv", "russia_share"],
}


class DataUnavailableError(RuntimeError):
    """The module's datasets cannot be loaded (and no ``--data-dir`` was given)."""


def _from_package(name: str) -> pd.DataFrame:
    try:
        if name == "russia_china_yearly":
            from crmc import derived

            frame: Any = derived.russia_china_yearly()
        else:
            from crmc import data

            frame = data.load(name)  # type: ignore[arg-type]
    except Exception as exc:  # noqa: BLE001 - any failure means "not available yet"
        raise DataUnavailableError(
            f"cannot load dataset {name!r} from crmc.data ({type(exc).__name__}: {exc}); "
            "pass --data-dir with CSV copies"
        ) from exc
    return pd.DataFrame(frame)


def load_frame(name: str, data_dir: Path | None) -> pd.DataFrame:
    """The dataset ``name`` trimmed to the exercise columns."""
    frame = pd.read_csv(data_dir / f"{name}.csv") if data_dir else _from_package(name)
    if "delivery_years" in frame.columns:
        frame["delivery_years"] = frame["delivery_years"].map(
            lambda v: "; ".join(str(x) for x in v) if isinstance(v, (list, tuple)) else v
        )
    missing = [c for c in COLUMNS[name] if c not in frame.columns]
    if missing:
        raise DataUnavailableError(f"dataset {name!r} lacks columns {missing}")
    return frame[COLUMNS[name]]


def export(names: Iterable[str], dest: Path, data_dir: Path | None = None) -> list[Path]:
    """Write ``dest/<name>.csv`` for each dataset; returns the files written."""
    dest.mkdir(parents=True, exist_ok=True)
    written = []
    for name in names:
        path = dest / f"{name}.csv"
        load_frame(name, data_dir).to_csv(path, index=False)
        written.append(path)
    return written
