"""Self-check questions that make the student commit first, on the site and in JupyterLab.

A page's questions are data (``crmc/data/selfchecks/<page>.yml``): a prompt and options, each
option with its feedback, and exactly one right option. ``{name}`` in any text is filled with
the page's fact of that name (:mod:`crmc.pages`), so the numbers are the ones the prose quotes.

:func:`selfcheck_html` renders one small form per question: radio buttons (keyboard-operable
as native controls) and a "Check" button. The feedback for each option is inside a
``<template>``, which the browser neither shows nor reads out; only after the student picks an
option and presses "Check" does the script copy *that option's* feedback into the live region.
The same HTML works on the static site (saved as the cell's output, no kernel) and in a live
notebook; it loads nothing.

JupyterQuiz was considered first: its multiple-choice buttons are clickable labels with no
keyboard access, and it loads MathJax from a CDN when MathJax 3 is half-present, so the module
renders its own.
"""

from __future__ import annotations

import html
import string
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any

__all__ = ["Option", "Question", "SelfCheckError", "load", "questions", "selfcheck_html"]


class SelfCheckError(ValueError):
    """A self-check data file in the wrong shape, or naming a fact the page does not have."""


@dataclass(frozen=True)
class Option:
    text: str
    feedback: str
    correct: bool = False


@dataclass(frozen=True)
class Question:
    prompt: str
    options: tuple[Option, ...]


def _data_file(page: str) -> Any:
    return resources.files("crmc.data").joinpath("selfchecks", f"{page}.yml")


def load(page: str) -> list[dict[str, Any]]:
    """The raw questions of ``page`` from its data file, checked for shape."""
    import yaml

    source = _data_file(page)
    if not source.is_file():
        raise SelfCheckError(f"no self-check data for page {page!r} (selfchecks/{page}.yml)")
    raw = yaml.safe_load(source.read_text(encoding="utf-8"))
    where = f"selfchecks/{page}.yml"
    if not isinstance(raw, dict) or set(raw) != {"questions"} or not raw["questions"]:
        raise SelfCheckError(f"{where}: expected one key 'questions' holding a list")
    questions = raw["questions"]
    if not isinstance(questions, list):
        raise SelfCheckError(f"{where}: 'questions' must be a list")
    for n, q in enumerate(questions, 1):
        if not isinstance(q, dict) or set(q) != {"prompt", "options"}:
            raise SelfCheckError(f"{where}: question {n} needs exactly 'prompt' and 'options'")
        if not isinstance(q["prompt"], str) or not q["prompt"].strip():
            raise SelfCheckError(f"{where}: question {n} has no prompt")
        options = q["options"]
        if not isinstance(options, list) or len(options) < 2:
            raise SelfCheckError(f"{where}: question {n} needs at least two options")
        for m, o in enumerate(options, 1):
            if (not isinstance(o, dict) or not {"text", "feedback"} <= set(o)
                    or not set(o) <= {"text", "feedback", "correct"}
                    or not all(isinstance(o[k], str) and o[k].strip()
                               for k in ("text", "feedback"))
                    or not isinstance(o.get("correct", False), bool)):
                raise SelfCheckError(f"{where}: question {n}, option {m} needs a 'text' and a "
                                     "'feedback' (strings) and at most 'correct: true'")
        right = sum(1 for o in options if o.get("correct", False))
        if right != 1:
            raise SelfCheckError(f"{where}: question {n} has {right} right options, not one")
    return questions


def _fill(text: str, facts: Mapping[str, Any], where: str) -> str:
    names = [name for _, name, _, _ in string.Formatter().parse(text) if name is not None]
    missing = [name for name in names if name not in facts]
    if missing:
        raise SelfCheckError(f"{where}: no page fact named {', '.join(missing)}")
    return text.format_map(dict(facts))


def questions(page: str, facts: Mapping[str, Any]) -> list[Question]:
    """The questions of ``page`` with every ``{fact}`` filled from ``facts``."""
    out = []
    for n, q in enumerate(load(page), 1):
        where = f"selfchecks/{page}.yml, question {n}"
        out.append(Question(
            prompt=_fill(q["prompt"], facts, where),
            options=tuple(Option(text=_fill(o["text"], facts, where),
                                 feedback=_fill(o["feedback"], facts, where),
                                 correct=bool(o.get("correct", False)))
                          for o in q["options"]),
        ))
    return out


def _inline(text: str) -> str:
    """Inline Markdown (emphasis, code) to HTML; raw HTML in the data is escaped."""
    from markdown_it import MarkdownIt

    return str(MarkdownIt("commonmark", {"html": False}).renderInline(text))


STYLE = """<style>
.crmc-selfcheck form { margin: 0 0 1.25em; }
.crmc-selfcheck fieldset { border: 1px solid #767676; border-radius: 4px; padding: .5em 1em; }
.crmc-selfcheck legend { padding: 0 .25em; }
.crmc-selfcheck .crmc-sc-option { margin: .3em 0; }
.crmc-selfcheck button { margin-top: .5em; padding: .2em .8em; }
.crmc-selfcheck .crmc-sc-feedback:not(:empty) { margin-top: .5em; padding: .4em .8em;
  border-left: 4px solid #0072b2; }
.crmc-selfcheck .crmc-sc-feedback[data-verdict="right"] { border-left-color: #009e73; }
.crmc-selfcheck .crmc-sc-feedback[data-verdict="wrong"] { border-left-color: #d55e00; }
</style>"""

SCRIPT = """<script>
(function () {
  const root = document.getElementById("%s");
  if (!root || root.dataset.crmcReady) { return; }
  root.dataset.crmcReady = "true";
  root.querySelectorAll("form").forEach(function (form) {
    const out = form.querySelector(".crmc-sc-feedback");
    form.addEventListener("change", function (event) {
      // A new pick clears the last feedback: feedback always belongs to the checked option.
      out.dataset.verdict = "none";
      out.textContent = "You picked (" + event.target.value + "): press Check to see the feedback.";
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      const picked = form.querySelector("input[type=radio]:checked");
      if (!picked) {
        out.dataset.verdict = "none";
        out.textContent = "Pick an option first.";
        return;
      }
      const fb = form.querySelector('template[data-option="' + picked.value + '"]');
      out.dataset.verdict = fb.dataset.verdict;
      out.replaceChildren(fb.content.cloneNode(true));
    });
  });
})();
</script>"""


def selfcheck_html(items: list[Question], *, uid: str | None = None) -> str:
    """The forms of ``items``: nothing of the feedback is shown before a "Check"."""
    uid = uid or f"crmc-sc-{uuid.uuid4().hex[:12]}"
    parts = [STYLE, f'<div class="crmc-selfcheck" id="{uid}">']
    for n, q in enumerate(items, 1):
        qid = f"{uid}-q{n}"
        parts.append(f'<form id="{qid}" class="crmc-sc-question" novalidate>'
                     f"<fieldset><legend><strong>{n}.</strong> {_inline(q.prompt)}</legend>")
        for m, o in enumerate(q.options):
            letter = string.ascii_lowercase[m]
            oid = f"{qid}-{letter}"
            parts.append(f'<div class="crmc-sc-option"><input type="radio" name="{qid}" '
                         f'id="{oid}" value="{letter}"> <label for="{oid}">({letter}) '
                         f"{_inline(o.text)}</label></div>")
        parts.append("</fieldset>"
                     f'<button type="submit">Check answer {n}</button>'
                     '<div class="crmc-sc-feedback" role="status" aria-live="polite"></div>')
        for m, o in enumerate(q.options):
            letter = string.ascii_lowercase[m]
            verdict, word = ("right", "Right") if o.correct else ("wrong", "Wrong")
            parts.append(f'<template data-option="{letter}" data-verdict="{verdict}">'
                         f"<p><strong>({letter}) {word}:</strong> {_inline(o.feedback)}</p>"
                         "</template>")
        parts.append("</form>")
    parts.append("</div>")
    parts.append(SCRIPT % html.escape(uid))
    return "\n".join(parts)


class SelfCheck:
    """Displayable in a notebook: the page's questions as HTML (see :func:`selfcheck_html`)."""

    def __init__(self, page: str, facts: Mapping[str, Any]) -> None:
        self.page = page
        self.items = questions(page, facts)

    def _repr_html_(self) -> str:
        return selfcheck_html(self.items)
