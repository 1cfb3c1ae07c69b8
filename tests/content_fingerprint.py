"""Word-run fingerprints for the copying check (shared by the test and its generator)."""

from __future__ import annotations

import hashlib
import re

RUN_WORDS = 9
"""A copied run this long fails; the content rules allow quoted phrases of six words or so."""


def words(text: str) -> list[str]:
    """Lower-case words, punctuation and markup dropped, curly quotes and dashes folded."""
    return re.findall(r"[a-z0-9]+", text.lower().replace("’", "'").replace("'", ""))


def shingle_hashes(text: str, n: int = RUN_WORDS) -> set[str]:
    """Short hashes of every run of ``n`` consecutive words."""
    w = words(text)
    return {
        hashlib.sha256(" ".join(w[i : i + n]).encode()).hexdigest()[:16]
        for i in range(len(w) - n + 1)
    }
