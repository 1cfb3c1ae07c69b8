"""The content review's fixes, held in the data: new rows dated and sourced, fixed verdicts.

Each test names the finding it guards, so a later edit that reintroduces the error fails here
with the reason.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from crmc import data
from crmc.data.schemas import CLAIM_VERDICTS, TIMELINE_CATEGORIES
from crmc.pages.base import event_year, series_years, year_list

ROOT = Path(__file__).resolve().parents[1]
URL = re.compile(r"https?://\S+")

EPILOGUE_ROWS = {
    # interview question → rows added for the epilogue (after May 2022)
    1: ["2025-03-10-sipri-trends-2024", "2025-06-fsb-document-on-china"],
    2: [
        "2022-09-13-iranian-drones-in-ukraine",
        "2023-02-24-china-position-paper",
        "2024-10-north-korean-troops",
    ],
    3: [
        "2024-04-12-us-dual-use-assessment",
        "2024-09-01-china-drone-export-controls",
    ],
    4: [
        "2023-06-23-eu-11th-package",
        "2023-12-22-executive-order-14114",
        "2024-05-23-joint-sword-2024a",
        "2024-07-10-nato-decisive-enabler",
        "2024-07-24-joint-bomber-patrol-alaska",
        "2024-07-29-commission-nds-report",
        "2024-10-14-joint-sword-2024b",
        "2024-10-17-us-sanctions-garpiya",
        "2024-12-16-eu-15th-package",
        # added with the exercise series, the 2023 Taiwan drills and the banks' response
        "2022-12-21-joint-sea-2022",
        "2023-04-08-joint-sword-2023",
        "2023-07-20-north-interaction-2023",
        "2024-02-07-chouzhou-bank-halts-russia-settlements",
        "2024-07-14-joint-sea-2024",
    ],
}
HISTORY_ROWS = [
    "1990-04-24-sino-soviet-guiding-principles",
    "2007-08-09-peace-mission-2007",
    "2009-07-22-peace-mission-2009",
    "2013-07-05-joint-sea-2013",
    "2013-07-27-peace-mission-2013",
    "2019-12-14-rostec-copying-complaint",
    "2020-06-15-mitko-treason-charge",
    # the two named exercise series completed, and Russia's strategic exercises with the PLA
    "2010-09-09-peace-mission-2010",
    "2012-06-09-peace-mission-2012",
    "2014-05-20-joint-sea-2014",
    "2014-08-24-peace-mission-2014",
    "2015-05-11-joint-sea-2015-i",
    "2015-08-20-joint-sea-2015-ii",
    "2016-09-12-joint-sea-2016",
    "2016-09-15-peace-mission-2016",
    "2017-07-21-joint-sea-2017",
    "2018-08-24-peace-mission-2018",
    "2019-04-29-joint-sea-2019",
    "2019-09-16-tsentr-2019",
    "2020-09-21-kavkaz-2020",
    "2021-09-11-peace-mission-2021",
    "2021-10-14-joint-sea-2021",
]
# Years of each named series as its sources describe it (Joint Sea was not held in 2020).
SERIES_YEARS = {
    "Peace Mission": {2005, 2007, 2009, 2010, 2012, 2013, 2014, 2016, 2018, 2021},
    "Joint Sea": {2012, 2013, 2014, 2015, 2016, 2017, 2019, 2021, 2022, 2024},
}
NEW_ROWS = HISTORY_ROWS + [row for rows in EPILOGUE_ROWS.values() for row in rows]


@pytest.fixture(scope="module")
def timeline() -> pd.DataFrame:
    return data.load_timeline().set_index("id")


@pytest.fixture(scope="module")
def claims() -> pd.DataFrame:
    return data.load_claims().set_index("id")


@pytest.mark.parametrize("event_id", NEW_ROWS)
def test_new_rows_are_dated_sourced_and_categorised(timeline: pd.DataFrame, event_id: str) -> None:
    row = timeline.loc[event_id]
    assert event_id.startswith(str(row["date"])[:7]), "the id starts with the row's date"
    assert row["category"] in TIMELINE_CATEGORIES
    assert URL.search(str(row["source"])), "every new row cites at least one address"
    later = pd.Timestamp(row["start"]) >= pd.Timestamp("2022-06-01")
    assert bool(row["after_interview"]) == later


def test_reposts_are_labelled_as_such(timeline: pd.DataFrame) -> None:
    """Where only a mirror or repost was found, the source column says so."""
    for event_id in NEW_ROWS:
        source = str(timeline.loc[event_id, "source"])
        for host in ("daily8.com", "exbulletin.com", "fold6.site", "worldnewsintel.com"):
            if host in source:
                part = source[source.index(host) :].split(" ; ")[0]
                assert re.search(r"\((repost|mirror)", part), f"{event_id}: {host} unlabelled"


def test_epilogue_rows_cover_every_interview_question(timeline: pd.DataFrame) -> None:
    for question, rows in EPILOGUE_ROWS.items():
        assert all(bool(timeline.loc[r, "after_interview"]) for r in rows), question
    later = timeline[timeline["after_interview"]]
    by_year = later.groupby("year").size().to_dict()
    assert set(by_year) == {2022, 2023, 2024, 2025}
    assert len(later) == 6 + sum(len(r) for r in EPILOGUE_ROWS.values())


def test_epilogue_prose_glues_only_later_rows(timeline: pd.DataFrame) -> None:
    """Every ``when_<id>`` the epilogue quotes is glued by its setup cell from a later row."""
    text = (ROOT / "book" / "epilogue.md").read_text(encoding="utf-8")
    used = set(re.findall(r"\{glue:text\}`when_([0-9][0-9a-z-]+)`", text))
    later = set(timeline.index[timeline["after_interview"]])
    assert used and used <= later, sorted(used - later)


# ---------------------------------------------------------------- errors the review found
def test_the_1990_agreement_opens_confidence_building(timeline: pd.DataFrame) -> None:
    cbm = timeline[timeline["category"] == "confidence-building"].sort_values("start")
    assert cbm.index[0] == "1990-04-24-sino-soviet-guiding-principles"


def test_peace_mission_2005_is_not_called_the_first_bilateral_exercise(
    timeline: pd.DataFrame,
) -> None:
    row = timeline.loc["2005-08-18-peace-mission-2005"]
    assert "first bilateral" not in row["title"]
    assert "1999" in row["description"] and "ground, sea and air" in row["description"]


def test_the_exercise_series_is_not_a_single_point(timeline: pd.DataFrame) -> None:
    exercises = timeline[
        (timeline["category"] == "exercise") & timeline["year"].between(2007, 2014)
    ]
    assert len(exercises) >= 5


def series_gaps(timeline: pd.DataFrame, series: str, years: set[int]) -> set[int]:
    """Years of a named exercise series with no exercise row titled after it."""
    rows = timeline[(timeline["category"] == "exercise") & timeline["title"].str.startswith(series)]
    return years - {int(y) for y in rows["year"]}


@pytest.mark.parametrize("series", sorted(SERIES_YEARS))
def test_each_named_exercise_series_is_complete(timeline: pd.DataFrame, series: str) -> None:
    """The phase table counts exercises, so the series it counts must not be curated."""
    assert series_gaps(timeline, series, SERIES_YEARS[series]) == set()


def test_series_check_sees_a_missing_year(timeline: pd.DataFrame) -> None:
    without_2016 = timeline.drop(index="2016-09-15-peace-mission-2016")
    assert series_gaps(without_2016, "Peace Mission", SERIES_YEARS["Peace Mission"]) == {2016}


def pla_drills_counted_as_joint(timeline: pd.DataFrame) -> list[str]:
    """Exercise rows about Taiwan: PLA drills, which are not China–Russia exercises."""
    text = timeline["title"] + " " + timeline["description"]
    mask = (timeline["category"] == "exercise") & text.str.contains("Taiwan")
    return list(timeline.index[mask])


def test_taiwan_drills_are_not_counted_as_joint_exercises(timeline: pd.DataFrame) -> None:
    assert pla_drills_counted_as_joint(timeline) == []
    taiwan = [i for i in timeline.index if "taiwan" in i or "joint-sword" in i]
    assert len(taiwan) >= 5
    assert set(timeline.loc[taiwan, "category"]) == {"geopolitics"}
    relabelled = timeline.copy()
    relabelled.loc["2023-04-08-joint-sword-2023", "category"] = "exercise"
    assert pla_drills_counted_as_joint(relabelled) == ["2023-04-08-joint-sword-2023"]


def test_joint_sea_2012_is_not_called_the_first_naval_exercise(timeline: pd.DataFrame) -> None:
    row = timeline.loc["2012-04-22-joint-sea-2012"]
    assert "first bilateral naval" not in row["title"].lower()
    assert "Peace Mission 2005" in row["description"]


def test_rd93_supply_dates_from_2005() -> None:
    flows = data.load_flows().set_index("id")
    assert flows.loc["rd93-jf17-supply", "year_start"] == 2005
    assert "2005" in flows.loc["rd93-jf17-supply", "source"]


def test_claim_verdicts_the_review_corrected(claims: pd.DataFrame) -> None:
    assert "not testable" in CLAIM_VERDICTS
    two_way = claims.loc["q1-two-way-street-after-2014"]
    assert two_way["verdict"] == "partly"
    assert "do not bear" in two_way["evidence"]
    assert claims.loc["q1-arms-volume-quality", "verdict"] == "contradicted"
    assert "volume" in claims.loc["q1-arms-volume-quality", "claim"]
    assert claims.loc["q5-taiwan-visits-exercises", "verdict"] == "partly"
    assert "stated rationale" in claims.loc["q5-taiwan-visits-exercises", "evidence"]
    assert claims.loc["q5-taiwan-rethink-russia", "verdict"] == "not testable"
    # SIPRI cannot see the components the claim is about, so the data cannot settle it.
    net = claims.loc["q3-net-provider-role"]
    assert net["verdict"] == "not testable" and net["evidence"].startswith("Not testable")
    assert "April 2023" in claims.loc["q5-taiwan-visits-exercises", "evidence"]
    sanctions = claims.loc["q5-sanctions-risk", "evidence"]
    assert "11th package (23 June 2023)" in sanctions and "December 2024" in sanctions
    assert "Executive Order 14114" in sanctions and "banks" in sanctions


def test_glossary_caatsa_requires_and_sanctions_are_defined_by_reason() -> None:
    glossary = data.load_glossary().set_index("term")["definition"]
    assert "requires" in glossary["CAATSA"] and "allows" not in glossary["CAATSA"]
    assert "own conduct" in glossary["Direct sanctions"]
    assert "by reason" in glossary["Direct sanctions"]
    assert "for dealing with" in glossary["Secondary sanctions"]
    part4 = (ROOT / "book" / "part4-risks.md").read_text(encoding="utf-8")
    assert '"shall impose"' in part4 and "*reason*" in part4


# ---------------------------------------------------------------- the pages' date helpers
def test_year_list_reads_as_prose() -> None:
    assert year_list([2013]) == "2013"
    assert year_list([2007, 2009]) == "2007 and 2009"
    assert year_list([2007, 2009, 2013]) == "2007, 2009 and 2013"
    with pytest.raises(ValueError, match="no years"):
        year_list([])


def test_series_years_and_event_year_read_the_timeline() -> None:
    frame = data.load_timeline()
    assert series_years(frame, "Peace Mission")[:3] == [2005, 2007, 2009]
    assert series_years(frame, "Joint Sea")[0] == 2012
    assert event_year(frame, "2014-03-18-crimea-annexation") == 2014
    with pytest.raises(KeyError, match="no exercise titled"):
        series_years(frame, "Zapad-1981")
    with pytest.raises(KeyError, match="no event 'nope'"):
        event_year(frame, "nope")
