"""Self-check questions: the data files' shape, the facts they quote, and HTML that shows no
feedback before the student commits to an option."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from crmc import pages, selfcheck
from crmc.pages.selfcheck_facts import selfcheck_facts
from tests.conftest import ROOT

DATA = ROOT / "src" / "crmc" / "data" / "selfchecks"
PAGE_FILES = {"part1": "part1-history", "part2": "part2-normal-vs-wartime",
              "part3": "part3-interdependence", "part4": "part4-risks"}
RAW_MYST = ("{glue", "{cite", ":::", "```", "{doc}", "{ref}")


def _facts(name: str) -> dict[str, object]:
    return {**pages.facts(name), **selfcheck_facts(name)}  # type: ignore[arg-type]


def test_every_page_with_a_self_check_has_its_data_and_nothing_else() -> None:
    with_section = {p.stem for p in (ROOT / "book").glob("*.md")
                    if "\n## Self-check\n" in p.read_text(encoding="utf-8")}
    assert with_section == set(PAGE_FILES.values())
    assert {p.stem for p in DATA.glob("*.yml")} == set(PAGE_FILES)
    for name, stem in PAGE_FILES.items():
        text = (ROOT / "book" / f"{stem}.md").read_text(encoding="utf-8")
        section = text.split("\n## Self-check\n", 1)[1].split("\n## ", 1)[0]
        # Prose and one call: the questions live in the data, not in the page.
        assert "page.self_check()" in section
        assert "**Right**" not in section and "dropdown" not in section
        assert len(selfcheck.load(name)) >= 4, name


@pytest.mark.parametrize("name", PAGE_FILES)
def test_questions_fill_every_fact_and_have_one_right_option(name: str) -> None:
    items = selfcheck.questions(name, _facts(name))
    for q in items:
        assert sum(o.correct for o in q.options) == 1
        for text in (q.prompt, *(o.text for o in q.options), *(o.feedback for o in q.options)):
            assert "{" not in text and "}" not in text, text
            assert not any(raw in text for raw in RAW_MYST), text
        for o in q.options:  # the verdict word is the renderer's, not the data's
            assert not re.match(r"(\*\*)?(Right|Wrong)\b", o.feedback), o.feedback


def test_the_glued_numbers_are_the_page_facts() -> None:
    part1 = pages.facts("part1")
    q1, q2 = selfcheck.questions("part1", _facts("part1"))[:2]
    assert str(part1["when_shanghai"]) in q1.prompt
    right = next(o for o in q2.options if o.correct)
    assert right.text == part1["peak_years"] and str(part1["peak_per_year"]) in right.feedback
    assert "24 April 1990" in q1.options[3].feedback  # the bilateral agreement, from the timeline
    q5 = selfcheck.questions("part4", _facts("part4"))[4]
    assert "16 December 2024" in q5.prompt


def test_the_content_reviews_distractors_are_in() -> None:
    def options(name: str, n: int) -> list[str]:
        return [o.text for o in selfcheck.questions(name, _facts(name))[n - 1].options]

    assert "bilateral Sino-Soviet agreement on force reductions" in options("part1", 1)[3]
    assert "China overtook India as Russia's main arms customer" in options("part1", 3)[3]
    assert "constant US dollars" in options("part1", 4)[3]
    assert "only contracts signed before a war" in options("part2", 1)[2]
    assert "weapons but not components" in options("part2", 2)[3]
    assert "dual-use goods to Russia before 2022" in options("part4", 1)[2]
    q5 = selfcheck.questions("part4", _facts("part4"))[4]
    assert "15th package" in q5.prompt
    assert next(o for o in q5.options if o.correct).text.startswith("Secondary sanctions")


class _Visible(HTMLParser):
    """Text outside <template>, <script> and <style>: what a reader can see or hear."""

    def __init__(self) -> None:
        super().__init__()
        self.hidden = 0
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"template", "script", "style"}:
            self.hidden += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in {"template", "script", "style"}:
            self.hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.text.append(data)


def test_no_feedback_is_visible_before_a_check() -> None:
    items = selfcheck.questions("part1", _facts("part1"))
    html = selfcheck.selfcheck_html(items, uid="t")
    parser = _Visible()
    parser.feed(html)
    visible = " ".join(" ".join(parser.text).split())
    for q in items:
        for o in q.options:
            assert " ".join(o.text.split()) in visible
            assert o.feedback.split(";")[0][:40] not in visible
    assert "Right" not in visible and "Wrong" not in visible
    # One form per question, one radio group each, a label for every radio.
    assert html.count("<form") == len(items)
    radios = re.findall(r'<input type="radio" name="([^"]+)" id="([^"]+)"', html)
    assert len(radios) == sum(len(q.options) for q in items)
    assert all(f'<label for="{rid}">' in html for _, rid in radios)
    # The feedback texts are in the page as data (<template>), not in the script.
    script = html.split("<script>", 1)[1]
    assert not any(o.feedback[:30] in script for q in items for o in q.options)


def _write(tmp_path: Path, text: str) -> Path:
    folder = tmp_path / "selfchecks"
    folder.mkdir()
    (folder / "part1.yml").write_text(text, encoding="utf-8")
    return folder


@pytest.mark.parametrize(("text", "message"), [
    ("questions: []\n", "one key 'questions'"),
    ("questions:\n  - prompt: Q?\n    options:\n      - {text: a, feedback: f}\n"
     "      - {text: b, feedback: g}\n", "0 right options"),
    ("questions:\n  - prompt: Q?\n    options:\n      - {text: a, feedback: f, correct: true}\n"
     "      - {text: b}\n", "option 2 needs"),
    ("questions:\n  - prompt: Q?\n    answer: b\n    options: []\n", "exactly 'prompt'"),
])
def test_a_data_file_in_the_wrong_shape_is_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str, message: str,
) -> None:
    folder = _write(tmp_path, text)
    monkeypatch.setattr(selfcheck, "_data_file", lambda page: folder / f"{page}.yml")
    with pytest.raises(selfcheck.SelfCheckError, match=re.escape(message)) as err:
        selfcheck.load("part1")
    assert "selfchecks/part1.yml" in str(err.value)


def test_a_missing_fact_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = _write(tmp_path, "questions:\n  - prompt: In {when_nothing}?\n    options:\n"
                              "      - {text: a, feedback: f, correct: true}\n"
                              "      - {text: b, feedback: g}\n")
    monkeypatch.setattr(selfcheck, "_data_file", lambda page: folder / f"{page}.yml")
    with pytest.raises(selfcheck.SelfCheckError, match="no page fact named when_nothing"):
        selfcheck.questions("part1", {})
    with pytest.raises(selfcheck.SelfCheckError, match="no self-check data for page 'nope'"):
        selfcheck.load("nope")
