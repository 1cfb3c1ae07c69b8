"""Shared fixtures: where the repository and the built site are."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
SITE = ROOT / "_build" / "html"


def toc_pages() -> list[str]:
    """Every page in ``_toc.yml``, as its path without suffix (``book/intro``)."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    pages = [toc["root"]]

    def walk(entries: list[dict[str, object]]) -> None:
        for entry in entries:
            if "file" in entry:
                pages.append(str(entry["file"]))
            for key in ("chapters", "sections", "parts"):
                if key in entry:
                    walk(entry[key])  # type: ignore[arg-type]

    walk(toc.get("parts", []) + toc.get("chapters", []))
    return pages


@pytest.fixture(scope="session")
def site_dir() -> Path:
    """The built site; its absence fails the test (the test command builds it first)."""
    if not (SITE / "index.html").is_file():
        pytest.fail(f"No built site at {SITE}: run `bash scripts/build-site.sh` first.")
    return SITE
