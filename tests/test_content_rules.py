"""The interview is paraphrased, never copied, and quoted only exactly.

Two rules, checked in every page, exercise master and data file:

1. No run of ``RUN_WORDS`` words of the interview appears, in prose or inside quotation
   marks (so a quotation is always shorter than that).
2. Every phrase in double quotation marks occurs in the interview word for word (hyphenated
   compounds and possessives count as one word; an ellipsis may join two exact pieces), unless
   it is one of the module's own labels or a quotation of another source listed, with that
   source, in :data:`OTHER_QUOTATIONS`.

Both checks use fingerprints of the interview (hashes of its word runs, in
``tests/fixtures/interview/``, written by ``scripts/interview_fingerprint.py``), so they run on
any machine without the copyrighted text.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest

from crmc.data import schemas
from crmc.fingerprint import (
    RUN_WORDS,
    phrase_hash,
    phrase_hashes,
    quote_tokens,
    shingle_hashes,
    words,
)

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "interview"
CHECKED = sorted(
    [*ROOT.glob("book/**/*.md"), *ROOT.glob("exercises/*.md"), *ROOT.glob("src/crmc/data/*.csv"),
     *ROOT.glob("src/crmc/data/selfchecks/*.yml")]
)

# A quotation may wrap onto the next line, but never runs across a blank line.
QUOTED = re.compile(r'"(?:[^"\n]|\n(?![ \t]*\n)){1,300}"|“(?:[^”\n]|\n(?![ \t]*\n)){1,300}”')
# Code, raw cells, glue and bibliography blocks; a fenced directive holding prose is still read.
FENCED = re.compile(
    r"^(`{3,}|~{3,})(?!\{(?:admonition|note|tip|important|warning|dropdown|exercise|solution))"
    r".*?^\1\s*$",
    re.S | re.M,
)
INLINE_CODE = re.compile(r"`[^`\n]*`")
ELLIPSIS = re.compile(r"…|\.\.\.|\[\.\.\.\]")

FACTUAL_RUNS = {
    # A list of five city names is a fact the claim is about, not the interview's expression.
    "in moscow st petersburg kazan novosibirsk and nizhny",
    "moscow st petersburg kazan novosibirsk and nizhny novgorod",
}

OTHER_QUOTATIONS: dict[str, str] = {
    # Titles of works the module cites.
    "How China Supplies Russia's Military: Insights from Alexander Korolev": "the interview's title",
    "Military Cooperation: Approaching Alliance": "chapter of Korolev 2022 (references.bib)",
    # Other sources' words, each cited where it is used.
    "no limits": "Russia–China joint statement, 4 February 2022 (kremlin2022jointstatement)",
    "no forbidden areas": "Russia–China joint statement, 4 February 2022 (its text puts "
    "'forbidden' in inner quotation marks)",
    "axis of convenience": "Lo 2008 (lo2008axis)",
    "entente": "Lukin 2021 (lukin2021entente)",
    "axis of upheaval": "Kendall-Taylor and Fontaine 2024 (kendalltaylor2024upheaval)",
    "decisive enabler": "NATO Washington Summit Declaration, 10 July 2024 (nato2024washington)",
    "not aimed against third countries": "2001 treaty, clause on military cooperation, in "
    "Frontline's English excerpts (frontline2001treaty)",
    "deems that peace is being threatened and undermined": "2001 treaty, Article 9, as quoted "
    "by Wikipedia (wikipedia2001treaty)",
    "confronted with the threat of aggression": "2001 treaty, Article 9 (wikipedia2001treaty)",
    "non-allied": "China.org.cn on the 2001 treaty (chinaorg2001treaty)",
    "alliance or antagonism": "Jiang Zemin on the 2001 treaty, China.org.cn (chinaorg2001treaty)",
    "more beneficial to China than for Russia": "Gabuev to The Atlantic (gabuev2023asymmetry)",
    "reverse-engineered headache": "Roblin 2016 on the J-11 (roblin2016j11)",
    "no-alliance, no-confrontation and not targeting any third party": "Xi Jinping's written "
    "statement in Moscow, Xinhua, 20 March 2023 (timeline row 2023-03-20-xi-moscow-visit)",
    "grandfather clause": "term of art for Decision 2014/512/CFSP's exemption",
    # The module's own interface texts, quoted where a page shows what a student will see.
    "not answered": "the grader's feedback for a question left unanswered (crmc.exercises)",
    "for a new era": "Xi Jinping's written statement in Moscow, Xinhua, 20 March 2023 "
    "(timeline row 2023-03-20-xi-moscow-visit)",
    "the enemy": "the FSB document as reported by The New York Times (nyt2025fsb)",
    "A two-way street?": "title of Exercise 3",
    "shall impose": "CAATSA section 231(a) (caatsa2017)",
    # The module's own labels: chart controls, model endpoints, section names.
    "Show events after the interview": "label of a chart control",
    "Who supplies what": "title of a chart",
    "visibility gap": "the module's name for what SIPRI cannot see",
    "normal cooperation": "endpoint of the module's teaching model",
    "military assistance": "endpoint of the module's teaching model",
    "every unknown points to normal cooperation": "end of the teaching model's range",
    "every unknown points to assistance": "end of the teaching model's range",
    "all unknowns point to normal": "end of the teaching model's range",
    "all unknowns point to assistance": "end of the teaching model's range",
    "Used in the war": "a criterion's label in the chart",
    "no sourced statement": "what an empty implications cell says",
    "pays": "the teaching model's outcome, in scare quotes",
    "right": "a grading outcome",
    "well-formed": "a grading outcome",
}

MODULE_LABELS = {
    label.lower()
    for labels in (
        schemas.TIMELINE_CATEGORIES,
        schemas.CLAIM_VERDICTS,
        schemas.CASE_CODES,
        schemas.FLOW_FORMS,
        schemas.FLOW_STATUSES,
    )
    for label in labels
}


def _fingerprint(name: str) -> set[str]:
    lines = (FIXTURES / name).read_text().splitlines()
    return {line for line in lines if line and not line.startswith("#")}


def interview_runs() -> set[str]:
    return _fingerprint("fingerprint.txt")


def interview_phrases() -> set[str]:
    return _fingerprint("phrases.txt")


def checked_text(path: Path) -> str:
    """What a reader meets as text: CSV cells one per line, pages without code."""
    raw = path.read_text(encoding="utf-8")
    if path.suffix == ".csv":
        return "\n".join(cell for row in csv.reader(io.StringIO(raw)) for cell in row)
    if path.suffix == ".yml":  # self-check questions: every prompt, option and feedback
        import yaml

        return "\n".join(t for q in yaml.safe_load(raw)["questions"]
                         for t in (q["prompt"], *(v for o in q["options"]
                                                  for k, v in o.items() if k != "correct")))
    return INLINE_CODE.sub(" ", FENCED.sub("\n", raw))


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


def is_exact_quotation(phrase: str, phrases: set[str]) -> bool:
    """True if every piece of ``phrase`` (split at ellipses) is a run of the interview."""
    pieces = [quote_tokens(p) for p in ELLIPSIS.split(phrase)]
    pieces = [p for p in pieces if p]
    return bool(pieces) and all(len(p) < RUN_WORDS and phrase_hash(p) in phrases for p in pieces)


def inexact_quotations(text: str, phrases: set[str]) -> list[str]:
    """Quoted phrases in ``text`` that are neither in the interview nor accounted for."""
    allowed = {quote_tokens(q).__repr__() for q in OTHER_QUOTATIONS}
    bad = []
    for quoted in QUOTED.findall(text):
        phrase = quoted[1:-1].strip()
        tokens = quote_tokens(phrase)
        if not tokens or repr(tokens) in allowed or phrase.lower() in MODULE_LABELS:
            continue
        if not is_exact_quotation(phrase, phrases):
            bad.append(phrase)
    return bad


# ---------------------------------------------------------------- the fingerprints
def test_fingerprints_are_present_and_full() -> None:
    assert len(interview_runs()) > 1000
    assert len(interview_phrases()) > 5000


def test_fingerprints_hold_known_phrases_of_the_interview() -> None:
    """Positive controls against the real fingerprints: phrases the module quotes are found,
    words the interview does not use are not."""
    phrases = interview_phrases()
    for phrase in (
        "privileged partner",
        "two-way street",
        "apotheosis",
        "role reversal",
        "defense-equipment-for-cash",
        "more of a political question",
    ):
        assert is_exact_quotation(phrase, phrases), phrase
    for phrase in (
        "rose",
        "equipment for cash",
        "diminish",
        "defence-equipment-for-cash",
        "equipment-for-cash model",
    ):
        assert not is_exact_quotation(phrase, phrases), phrase
    assert is_exact_quotation("diminishes … creates", phrases)
    assert not is_exact_quotation("diminish … create", phrases)
    # An eight-word run of the interview (a factual list) is in the copying fingerprint.
    run = "in moscow st petersburg kazan novosibirsk and nizhny"
    assert shingle_hashes(run) & interview_runs()


# ---------------------------------------------------------------- the checks themselves
def test_the_copy_check_catches_eight_words_and_allows_seven() -> None:
    runs = shingle_hashes("alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu")
    assert RUN_WORDS == 8
    assert copied_runs("We saw alpha beta gamma delta epsilon zeta eta theta here.", runs)
    assert copied_runs('He said "alpha beta gamma delta epsilon zeta eta theta".', runs)
    assert not copied_runs("We saw alpha beta gamma delta epsilon zeta eta here.", runs)
    assert not copied_runs('He said "alpha beta gamma delta" epsilon zeta eta theta.', runs)
    assert not copied_runs("theta eta zeta epsilon delta gamma beta alpha", runs)


def test_the_quotation_check_catches_inexact_quotes() -> None:
    phrases = phrase_hashes(
        "The rise of the bilateral defense-equipment-for-cash model diminishes it"
    )
    assert inexact_quotations('It "rose" fast.', phrases) == ["rose"]
    assert inexact_quotations('A "defense-equipment-for-cash" model.', phrases) == []
    assert inexact_quotations('An "equipment for cash" model.', phrases) == ["equipment for cash"]
    assert inexact_quotations('“The rise of” it, and "model diminishes it".', phrases) == []
    assert inexact_quotations('"rise … diminish"', phrases) == ["rise … diminish"]
    assert inexact_quotations('"rise … diminishes"', phrases) == []
    # Labels of the module's own data and listed quotations of other sources pass.
    assert inexact_quotations('coded "unknown", the "no limits" statement', phrases) == []


def test_code_is_not_read_as_prose(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text('Prose "rose".\n\n```python\nx = "not prose"\n```\nUse `"b"` here.\n')
    assert QUOTED.findall(checked_text(page)) == ['"rose"']
    table = tmp_path / "t.csv"
    table.write_text('id,claim\na,"He said ""rose"" here"\n')
    assert QUOTED.findall(checked_text(table)) == ['"rose"']
    wrapped = 'He said "more of a\npolitical question".\n\nA "b" and "c".'
    assert QUOTED.findall(wrapped) == ['"more of a\npolitical question"', '"b"', '"c"']


def test_every_listed_quotation_is_used() -> None:
    """A listed quotation that no file uses any more is dead weight; remove it."""
    texts = "\n".join(checked_text(p) for p in CHECKED)
    used = {repr(quote_tokens(q[1:-1])) for q in QUOTED.findall(texts)}
    unused = [q for q in OTHER_QUOTATIONS if repr(quote_tokens(q)) not in used]
    assert unused == []


# ---------------------------------------------------------------- every file
@pytest.mark.parametrize("path", CHECKED, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_run_of_the_interview_is_copied(path: Path) -> None:
    hits = copied_runs(checked_text(path), interview_runs())
    assert hits == [], f"{path.name} copies {len(hits)} run(s) of the interview: {hits[:3]}"


@pytest.mark.parametrize("path", CHECKED, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_quotation_is_exact(path: Path) -> None:
    bad = inexact_quotations(checked_text(path), interview_phrases())
    assert bad == [], (
        f"{path.name} quotes {len(bad)} phrase(s) that are not in the interview word for word "
        f"(quote exactly, or list another source in OTHER_QUOTATIONS): {bad[:5]}"
    )
