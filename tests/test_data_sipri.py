"""SIPRI extracts: raw files kept as received, parsed robustly, tidy files up to date."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
from importlib import resources
from pathlib import Path

import pytest

from crmc import data
from crmc.data import build, sipri
from crmc.data.schemas import WEAPON_CATEGORIES

PACKAGE_DATA = resources.files("crmc.data")


def raw_text(key: str) -> str:
    return PACKAGE_DATA.joinpath(*sipri.RAW_FILES[key].split("/")).read_text(encoding="utf-8")


def raw_rows(key: str) -> list[list[str]]:
    """The raw table's rows (after SIPRI's header row), read independently of crmc."""
    rows = list(csv.reader(io.StringIO(raw_text(key))))
    start = next(i for i, r in enumerate(rows) if r[:1] == ["Recipient"] and len(r) > 2)
    return [r for r in rows[start + 1 :] if r]


@pytest.fixture(scope="module")
def register() -> sipri.RawSipriFile:
    return sipri.parse_raw(raw_text("register"), "register")


@pytest.fixture(scope="module")
def imports() -> sipri.RawSipriFile:
    return sipri.parse_raw(raw_text("imports"), "imports")


@pytest.mark.parametrize("key", sorted(sipri.RAW_FILES))
def test_raw_files_are_byte_for_byte_as_received(key: str) -> None:
    content = PACKAGE_DATA.joinpath(*sipri.RAW_FILES[key].split("/")).read_bytes()
    assert hashlib.sha256(content).hexdigest() == sipri.RAW_SHA256[key]


@pytest.mark.parametrize("key", sorted(sipri.RAW_FILES))
def test_constants_match_the_raw_headers(key: str) -> None:
    raw = sipri.parse_raw(raw_text(key), key)
    assert raw.source_line == sipri.SIPRI_SOURCE_LINE
    assert raw.source_line.startswith(data.SIPRI_CREDIT)
    assert raw.generated.date() == data.SIPRI_DATA_GENERATED == dt.date(2024, 10, 13)


def test_credit_line_is_sipris_required_wording() -> None:
    assert data.SIPRI_CREDIT == "Source: SIPRI Arms Transfers Database"


def test_header_row_is_found_not_assumed(register: sipri.RawSipriFile) -> None:
    """Extra or missing preamble lines must not change the parsed table."""
    text = raw_text("register")
    shifted = "An extra note line\n\nAnother one\n" + text
    trimmed = "\n".join(line for line in text.splitlines() if not line.startswith("A '"))
    for variant in (shifted, trimmed):
        parsed = sipri.parse_raw(variant, "variant")
        assert parsed.rows == register.rows
        assert sipri.tidy_register(parsed).equals(sipri.tidy_register(register))
    assert register.header_line == 12
    assert sipri.parse_raw(shifted, "shifted").header_line == 15


def test_unreadable_raw_file_fails_clearly() -> None:
    with pytest.raises(sipri.SipriFormatError, match="no table header"):
        sipri.parse_raw("Volume of transfers\nno table here\n", "broken.csv")
    text = raw_text("register").replace("Year of order", "Order year")
    with pytest.raises(sipri.SipriFormatError, match="header lacks"):
        sipri.tidy_register(sipri.parse_raw(text, "renamed.csv"))
    text = raw_text("register").replace(",2015,?,250,", ",2015,x,250,", 1)
    with pytest.raises(sipri.SipriFormatError, match=r"line 13: uncertainty flag 'x'"):
        sipri.tidy_register(sipri.parse_raw(text, "flag.csv"))


def test_tidy_files_are_up_to_date() -> None:
    """`python -m crmc.data.build` has been run after the last change to raw files or code."""
    for rel, text in build.render().items():
        committed = PACKAGE_DATA.joinpath(*rel.split("/")).read_text(encoding="utf-8")
        assert committed == text, f"{rel} is stale: run `python -m crmc.data.build`"
    assert build.main(["--check"]) == 0


def test_build_writes_an_identical_copy(tmp_path: Path) -> None:
    for rel in sipri.RAW_FILES.values():
        target = tmp_path / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(PACKAGE_DATA.joinpath(*rel.split("/")).read_bytes())
    assert build.main(["--data-dir", str(tmp_path), "--check"]) == 1
    assert build.main(["--data-dir", str(tmp_path)]) == 0
    for rel in sipri.TIDY_FILES.values():
        expected = PACKAGE_DATA.joinpath(*rel.split("/")).read_bytes()
        assert (tmp_path / rel).read_bytes() == expected


def test_register_rows_flags_and_lists(register: sipri.RawSipriFile) -> None:
    tidy = data.load_sipri_register()
    rows = raw_rows("register")
    assert len(tidy) == len(rows) == 183
    pairs = tidy.groupby(["recipient", "supplier"]).size().to_dict()
    assert pairs == {("China", "Russia"): 97, ("China", "Soviet Union"): 84, ("Russia", "China"): 2}
    # SIPRI's "?" columns sit right after the column they qualify
    for flag, raw_column in [
        ("order_year_uncertain", 3),
        ("number_ordered_uncertain", 5),
        ("number_delivered_uncertain", 9),
    ]:
        assert tidy[flag].tolist() == [r[raw_column] == "?" for r in rows]
    assert tidy["delivery_years"].tolist() == [
        [int(y) for y in r[10].split("; ")] if r[10] else [] for r in rows
    ]
    assert all(isinstance(y, int) for ys in tidy["delivery_years"] for y in ys)
    assert tidy["tiv_delivered"].sum() == pytest.approx(sum(float(r[15] or 0) for r in rows))
    s400 = tidy[tidy["designation"] == "S-400 Triumf"].iloc[0]
    assert s400["delivery_years"] == [2018, 2019] and s400["tiv_delivered"] == 520.0


def test_imports_match_sipri_totals(imports: sipri.RawSipriFile) -> None:
    """SIPRI's yearly figures sum to its own 1950–2024 total within rounding.

    Measured: China 82,868 (sum of years) vs 82,865 (SIPRI's total), Russia 1,356 vs 1,355:
    gaps of 3 and 1, well inside ±0.5 per rounded yearly figure.
    """
    tidy = data.load_sipri_imports()
    totals = sipri.import_totals(imports)
    for recipient, total in totals.items():
        yearly = tidy[tidy["recipient"] == recipient]["tiv"]
        assert abs(yearly.sum() - total) <= 0.5 * yearly.notna().sum()
    china = tidy[tidy["recipient"] == "China"].set_index("year")["tiv"]
    assert china.loc[1950] == 2570 and china.loc[2023] == 471 and china.isna().loc[2024]
    assert set(tidy["year"]) == set(range(1950, 2025))


def test_every_weapon_description_in_the_register_is_coded() -> None:
    descriptions = {r[7] for r in raw_rows("register")}
    uncoded = sorted(d for d in descriptions if d not in sipri.WEAPON_CATEGORY)
    assert not uncoded, f"add these to crmc.data.sipri._CODING: {uncoded}"
    assert set(sipri.WEAPON_CATEGORY.values()) <= set(WEAPON_CATEGORIES)


@pytest.mark.parametrize(
    ("description", "category"),
    [
        ("SAM", "missiles"),  # the missile (48N6, 9M96) ...
        ("SAM system", "air defence"),  # ... is not the system that fires it (S-400)
        ("mobile SAM system", "air defence"),
        ("naval SAM system", "air defence"),
        ("AA gun", "air defence"),
        ("FGA aircraft", "aircraft"),
        ("transport helicopter", "aircraft"),
        ("turbofan", "engines"),
        ("ship engine", "engines"),
        ("destroyer", "ships"),
        ("submarine", "ships"),
        ("air search radar", "sensors"),
        ("BVRAAM", "missiles"),
        ("anti-ship missile", "missiles"),
        ("tank", "armoured vehicles"),
        ("towed gun", "artillery"),
    ],
)
def test_weapon_category_coding(description: str, category: str) -> None:
    assert sipri.weapon_category(description) == category


def test_unknown_description_stops_the_build() -> None:
    with pytest.raises(sipri.SipriFormatError, match="'laser weapon' has no category"):
        sipri.weapon_category("laser weapon")
