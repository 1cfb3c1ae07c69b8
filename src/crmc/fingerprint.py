"""Word-run fingerprints of the interview, for the content rules (the tests and their generator).

Two fingerprints of the interview are kept, neither of them the text:

- ``fingerprint.txt``: hashes of every run of ``RUN_WORDS`` words (loose tokens, see
  :func:`words`), for the copying check;
- ``phrases.txt``: hashes of every run of 1 to ``RUN_WORDS - 1`` exact tokens (see
  :func:`quote_tokens`), so that a quotation can be checked word for word.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable

RUN_WORDS = 8
"""A copied run this long fails, in prose or in quotation marks; quoted phrases are shorter."""

_TOKEN = re.compile(r"[a-z0-9]+(?:['-][a-z0-9]+)*")


def words(text: str) -> list[str]:
    """Lower-case words, punctuation and markup dropped, curly quotes and dashes folded."""
    return re.findall(r"[a-z0-9]+", text.lower().replace("’", "'").replace("'", ""))


def quote_tokens(text: str) -> list[str]:
    """Exact tokens of a quotation: case and punctuation dropped, but a hyphenated compound
    ("two-way") or a possessive ("Russia's") stays one token, so "equipment for cash" does not
    match "defense-equipment-for-cash" and "rose" does not match "the rise of"."""
    return _TOKEN.findall(text.lower().replace("’", "'").replace("‘", "'"))


def _digest(run: str) -> str:
    return hashlib.sha256(run.encode()).hexdigest()[:16]


def shingle_hashes(text: str, n: int = RUN_WORDS) -> set[str]:
    """Short hashes of every run of ``n`` consecutive words."""
    w = words(text)
    return {_digest(" ".join(w[i : i + n])) for i in range(len(w) - n + 1)}


def phrase_hash(tokens: Iterable[str]) -> str:
    """The hash a run of exact tokens has in ``phrases.txt``."""
    return _digest("\x1f".join(tokens))


def phrase_hashes(text: str, longest: int = RUN_WORDS - 1) -> set[str]:
    """Hashes of every run of 1 to ``longest`` exact tokens of ``text``."""
    t = quote_tokens(text)
    return {phrase_hash(t[i : i + n]) for n in range(1, longest + 1) for i in range(len(t) - n + 1)}
