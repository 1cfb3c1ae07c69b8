"""Write the interview's fingerprints: hashes of its word runs, not the text.

The interview is copyrighted and stays out of the repository; its fingerprints let
``tests/test_content_rules.py`` check, on any machine, that no page, data file or exercise
copies a run of N words from it, and that every quotation in them occurs in it word for word
(short attributed quotations are shorter than N).

    python scripts/interview_fingerprint.py ../shared/source/interview.txt
"""

from __future__ import annotations

import sys
from pathlib import Path

from crmc.fingerprint import RUN_WORDS, phrase_hashes, shingle_hashes

ROOT = Path(__file__).resolve().parents[1]

FIXTURES = ROOT / "tests" / "fixtures" / "interview"


def write(name: str, header: str, hashes: set[str]) -> None:
    path = FIXTURES / name
    path.write_text(
        f"# {header} (scripts/interview_fingerprint.py)\n" + "\n".join(sorted(hashes)) + "\n"
    )
    print(f"{len(hashes)} hashes -> {path.relative_to(ROOT)}")


def main() -> None:
    lines = Path(sys.argv[1]).read_text(encoding="utf-8").splitlines()
    # Line 1 is The Diplomat's introduction (names, affiliations, book title): the module
    # repeats those in its attribution, which is what attribution is for, so the copying
    # check leaves it out; a quotation of it is still a quotation of the page.
    write(
        "fingerprint.txt",
        f"{RUN_WORDS}-word shingle hashes of the interview's questions and answers",
        shingle_hashes("\n".join(lines[1:])),
    )
    write(
        "phrases.txt",
        f"hashes of every run of 1 to {RUN_WORDS - 1} exact tokens of the interview",
        phrase_hashes("\n".join(lines)),
    )


if __name__ == "__main__":
    main()
