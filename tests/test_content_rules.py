"""The interview is paraphrased, never copied.

No run of ``RUN_WORDS`` words of the interview may appear in a page, an exercise master or
a data file, outside a quotation; a quotation itself must be shorter than that. The check
uses a fingerprint of the interview (hashes of its word runs,
``tests/fixtures/interview/fingerprint.txt``), so it runs on any machine without the
copyrighted text.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.content_fingerprint import RUN_WORDS, shingle_hashes, words

ROOT = Path(__file__).resolve().parents[1]
FINGERPRINT = ROOT / "tests" / "fixtures" / "interview" / "fingerprint.txt"
CHECKED = sorted(
    [*ROOT.glob("book/**/*.md"), *ROOT.glob("exercises/*.md"), *ROOT.glob("src/crmc/data/*.csv")]
)


QUOTED = re.compile(r'"[^"\n]{1,300}"|“[^”]{1,300}”')

FACTUAL_RUNS = {
    # A list of five city names is a fact the claim is about, not the interview's expression.
    "in moscow st petersburg kazan novosibirsk and nizhny novgorod",
}


def interview_runs() -> set[str]:
    lines = FINGERPRINT.read_text().splitlines()
    return {line for line in lines if line and not line.startswith("#")}


def test_fingerprint_is_present_and_full() -> None:
    assert len(interview_runs()) > 1000


def copied_runs(text: str, runs: set[str]) -> list[str]:
    """Runs of the interview in ``text``: in prose outside quotations, or quotations that long."""
    pieces = [*QUOTED.findall(text), *QUOTED.split(text)]
    hits: list[str] = []
    for piece in pieces:
        w = words(piece)
        for i in range(len(w) - RUN_WORDS + 1):
            run = " ".join(w[i : i + RUN_WORDS])
            if run not in FACTUAL_RUNS and shingle_hashes(run) & runs:
                hits.append(run)
    return hits


def test_the_check_catches_copying_and_allows_short_quotes() -> None:
    runs = shingle_hashes("alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu")
    assert copied_runs("We saw alpha beta gamma delta epsilon zeta eta theta iota here.", runs)
    assert copied_runs('He said "alpha beta gamma delta epsilon zeta eta theta iota".', runs)
    assert not copied_runs('He said "alpha beta gamma delta" epsilon zeta eta theta iota.', runs)
    assert not copied_runs("iota theta eta zeta epsilon delta gamma beta alpha", runs)


@pytest.mark.parametrize("path", CHECKED, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_run_of_the_interview_is_copied(path: Path) -> None:
    hits = copied_runs(path.read_text(encoding="utf-8"), interview_runs())
    assert hits == [], f"{path.name} copies {len(hits)} run(s) of the interview: {hits[:3]}"
