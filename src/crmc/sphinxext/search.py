"""Search that finds weapon and programme names as students type them.

Sphinx's English splitter cuts words at every non-word character, so "S-400" is indexed as
"S" and "400", and its search page drops "400" (a number) and "s" finds nothing useful. This
language keeps those words and adds each hyphenated compound glued together ("S-400" →
"s400", "Buyan-M" → "buyanm", "J-11B" → "j11b"); its JavaScript splitter glues a typed query
the same way, so "S-400", "S400" and "s-400" all look up "s400".
"""

from __future__ import annotations

import re

from sphinx.search.en import SearchEnglish

# A word, then one or more hyphen-joined words (ASCII hyphen, Unicode hyphen and non-breaking
# hyphen). En dashes are left alone: "1992–2013" is a range, not a name.
_COMPOUND = re.compile(r"\w+(?:[-\u2010\u2011]\w+)+")
_HYPHENS = re.compile(r"[-\u2010\u2011]")


def glued_compounds(text: str) -> list[str]:
    """Every hyphenated compound in ``text`` with its hyphens removed, in order."""
    return [_HYPHENS.sub("", match) for match in _COMPOUND.findall(text)]


JS_SPLITTER = r"""
/* crmc: glue hyphenated compounds (S-400 -> S400), then split as Sphinx does. */
var splitQuery = (query) => query
    .replace(/[\p{Letter}\p{Number}_]+(?:[-\u2010\u2011][\p{Letter}\p{Number}_]+)+/gu,
             (compound) => compound.replace(/[-\u2010\u2011]/g, ""))
    .split(/[^\p{Letter}\p{Number}_\p{Emoji_Presentation}]+/gu)
    .filter(term => term);
"""


class CompoundAwareEnglish(SearchEnglish):
    """Sphinx's English search, plus glued hyphenated compounds in index and query."""

    js_splitter_code = JS_SPLITTER

    def split(self, input: str) -> list[str]:  # noqa: A002 - Sphinx's signature
        """Sphinx's words, then each hyphenated compound without its hyphens."""
        return [*super().split(input), *glued_compounds(input)]
