"""Loaders: every dataset (parametrized over DatasetName), real files and fixtures, caching."""

from __future__ import annotations

import inspect
import shutil
from importlib import resources
from pathlib import Path
from typing import get_args

import pandas as pd
import pytest

from crmc import data

FIXTURES = Path(__file__).parent / "fixtures" / "data"
NAMES: tuple[data.DatasetName, ...] = get_args(data.DatasetName)
SIPRI_DATASETS = {"sipri_register", "sipri_imports"}
"""Datasets whose rows are all SIPRI's: sourced by the credit line, not a source column."""


def test_registry_covers_every_name() -> None:
    assert set(data.DATASETS) == set(NAMES)
    assert len(NAMES) == 12


@pytest.mark.parametrize("name", NAMES)
def test_real_dataset_loads_and_validates(name: data.DatasetName) -> None:
    frame = data.load(name)
    assert len(frame) > 0
    schema = data.DATASETS[name].schema
    assert list(frame.columns) == list(schema.to_schema().columns)
    schema.validate(frame)  # what the loader returns satisfies its schema as-is


@pytest.mark.parametrize("name", NAMES)
def test_every_row_of_real_data_has_a_source(name: data.DatasetName) -> None:
    frame = data.load(name)
    if name in SIPRI_DATASETS:
        assert "source" not in frame.columns  # every row is SIPRI's: data.SIPRI_CREDIT
        return
    assert "source" in frame.columns, f"{name} has no source column"
    blank = frame["source"].isna() | (frame["source"].astype(str).str.strip() == "")
    assert not blank.any(), f"{name}: rows without a source: {frame.index[blank].tolist()}"


@pytest.mark.parametrize("name", NAMES)
def test_fixture_dataset_loads_from_another_directory(name: data.DatasetName) -> None:
    """Tests and the exercise autograder read their own copy via ``data_dir``."""
    frame = data.load(name, data_dir=FIXTURES)
    assert 0 < len(frame) < 50
    assert str(FIXTURES) in str(data.dataset_path(name, FIXTURES))
    assert data.load(name, data_dir=str(FIXTURES)).equals(frame)


@pytest.mark.parametrize("name", NAMES)
def test_typed_loader_exists_and_matches_load(name: data.DatasetName) -> None:
    loader = getattr(data, f"load_{name}")
    assert inspect.getdoc(loader)
    assert loader(FIXTURES).equals(data.load(name, FIXTURES))


@pytest.mark.parametrize("name", NAMES)
def test_package_data_is_read_with_importlib_resources(name: data.DatasetName) -> None:
    path = data.dataset_path(name)
    assert str(path).startswith(str(resources.files("crmc.data")))


def test_timeline_adds_year_and_start() -> None:
    timeline = data.load_timeline(FIXTURES)
    row = timeline.set_index("id").loc["2015-su-35-contract"]
    assert row["year"] == 2015
    assert row["start"] == pd.Timestamp("2015-11-01")
    assert timeline["start"].dtype.kind == "M"
    assert timeline["after_interview"].tolist() == [False, False, True, True]


def test_cache_returns_copies_that_callers_cannot_corrupt() -> None:
    first = data.load_sipri_register(FIXTURES)
    first.loc[0, "designation"] = "changed"
    first.loc[0, "delivery_years"].append(1999)  # a list inside an object column
    first["extra"] = 1
    second = data.load_sipri_register(FIXTURES)
    assert second is not first
    assert second.loc[0, "designation"] == "9M96"
    assert second.loc[0, "delivery_years"] == [2018, 2019]
    assert "extra" not in second.columns


def test_cache_is_per_directory_and_can_be_cleared(tmp_path: Path) -> None:
    copy = tmp_path / "data"
    shutil.copytree(FIXTURES, copy)
    assert len(data.load_glossary(copy)) == 2
    with (copy / "glossary.csv").open("a", encoding="utf-8") as f:
        f.write("PLA,Fixture definition.,https://example.org/pla\n")
    assert len(data.load_glossary(copy)) == 2  # cached
    data.clear_cache()
    assert len(data.load_glossary(copy)) == 3


def test_unknown_dataset_name() -> None:
    with pytest.raises(KeyError, match="unknown dataset 'nope'"):
        data.load("nope")  # type: ignore[arg-type]


def test_missing_file_names_the_path(tmp_path: Path) -> None:
    with pytest.raises(data.DataFileNotFoundError) as info:
        data.load("claims", data_dir=tmp_path)
    expected = str(tmp_path / "claims.csv")
    assert expected in str(info.value)
    assert isinstance(info.value, FileNotFoundError)
    assert isinstance(info.value, data.DataValidationError)
