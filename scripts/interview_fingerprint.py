"""Write the interview's fingerprint: hashes of every run of N words, not the text.

The interview is copyrighted and stays out of the repository; its fingerprint lets
``tests/test_content_rules.py`` check, on any machine, that no page, data file or exercise
copies a run of N words from it (short attributed quotations are shorter than N).

    python scripts/interview_fingerprint.py ../shared/source/interview.txt
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.content_fingerprint import RUN_WORDS, shingle_hashes  # noqa: E402

OUT = ROOT / "tests" / "fixtures" / "interview" / "fingerprint.txt"


def main() -> None:
    lines = Path(sys.argv[1]).read_text(encoding="utf-8").splitlines()
    # Line 1 is The Diplomat's introduction (names, affiliations, book title): the module
    # repeats those in its attribution, which is what attribution is for.
    text = "\n".join(lines[1:])
    hashes = sorted(shingle_hashes(text))
    OUT.write_text(
        f"# {RUN_WORDS}-word shingle hashes of the interview's questions and answers "
        "(scripts/interview_fingerprint.py)\n"
        + "\n".join(hashes)
        + "\n"
    )
    print(f"{len(hashes)} hashes -> {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
