"""Dates read well on the built pages: a preposition chosen by the date's precision.

Glued dates come from timeline rows at day, month or year precision, so the prose around them
must say "on 6 August 2014" but "in August 2014" or "in 2014". The check reads the rendered
text of every page, which covers every glued date as readers meet it.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

from tests.conftest import toc_pages

MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
IN_A_DAY = re.compile(rf"\b[Ii]n (\d{{1,2}} (?:{MONTHS}) \d{{4}})\b")
ON_A_MONTH_OR_YEAR = re.compile(rf"\b[Oo]n ((?:{MONTHS}) \d{{4}}|\d{{4}})\b(?![–-]\d)")
REPEATED_YEAR = re.compile(r"\b(\d{4}) and \1\b")


def rendered_text(page: Path) -> str:
    text = page.read_text(encoding="utf-8")
    text = re.sub(r"<(script|style)\b.*?</\1>", " ", text, flags=re.S)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", text)))


def misdated(text: str) -> list[str]:
    """Date phrases whose preposition does not fit the precision, and doubled years."""
    found = [f"in {m.group(1)}" for m in IN_A_DAY.finditer(text)]
    found += [f"on {m.group(1)}" for m in ON_A_MONTH_OR_YEAR.finditer(text)]
    found += [m.group(0) for m in REPEATED_YEAR.finditer(text)]
    return found


def test_the_check_catches_each_kind_of_slip() -> None:
    assert misdated("In 6 August 2014 a report") == ["in 6 August 2014"]
    assert misdated("sanctions in 20 September 2018 punish") == ["in 20 September 2018"]
    assert misdated("on August 2014 and on 2015") == ["on August 2014", "on 2015"]
    assert misdated("contracts date from 2015 and 2015") == ["2015 and 2015"]
    assert misdated("On 6 August 2014, in August 2014, in 2014, on 2015–2016 pages") == []


@pytest.mark.parametrize("page", toc_pages())
def test_glued_dates_take_the_right_preposition(site_dir: Path, page: str) -> None:
    built = site_dir / f"{page}.html"
    assert built.is_file(), f"{page} was not built"
    assert misdated(rendered_text(built)) == []


# ---------------------------------------------------------------- dates are glued, not typed
GLUED_PAGES = [
    "part1-history.md",
    "part2-normal-vs-wartime.md",
    "part3-interdependence.md",
    "part4-risks.md",
    "epilogue.md",
    "data-sources.md",
]
TYPED_DATE = re.compile(rf"\b(?:\d{{1,2}}(?:–\d{{1,2}})? )?(?:{MONTHS}) (?:19|20)\d{{2}}\b")


def typed_dates(source: str) -> list[str]:
    """Day or month dates written into a page's source instead of glued from a timeline row."""
    return [m.group(0) for m in TYPED_DATE.finditer(source)]


def test_typed_date_check_sees_days_months_and_ranges() -> None:
    assert typed_dates("signed on 23 June 2023, in May 2024 and 20–22 March 2023") == [
        "23 June 2023",
        "May 2024",
        "20–22 March 2023",
    ]
    assert typed_dates("on {glue:text}`when_eu11`, in 2023, Joint Sea 2024") == []


@pytest.mark.parametrize("name", GLUED_PAGES)
def test_pages_glue_their_dates(name: str) -> None:
    """Parts 1–4, the epilogue and the data page take every day or month date from data."""
    root = Path(__file__).resolve().parents[1]
    assert typed_dates((root / "book" / name).read_text(encoding="utf-8")) == []
