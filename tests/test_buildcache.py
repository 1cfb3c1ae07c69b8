"""The execution cache is cleared when the package or its data change, and kept otherwise."""

from __future__ import annotations

from pathlib import Path

import pytest

from crmc import buildcache


def _project(tmp_path: Path) -> Path:
    (tmp_path / "src/crmc/data").mkdir(parents=True)
    (tmp_path / "src/crmc/__init__.py").write_text("x = 1\n")
    (tmp_path / "src/crmc/data/timeline.csv").write_text("year\n2001\n")
    (tmp_path / "requirements.txt").write_text("altair==6.3.0\n")
    cache = tmp_path / "_build/.jupyter_cache"
    cache.mkdir(parents=True)
    (cache / "global.db").write_text("cached outputs")
    return tmp_path


def test_first_run_clears_an_unstamped_cache(tmp_path: Path) -> None:
    root = _project(tmp_path)
    cache = root / "_build/.jupyter_cache"
    assert buildcache.clear_if_stale(root, cache) is True
    assert not (cache / "global.db").exists()
    assert (cache / buildcache.STAMP_NAME).read_text().strip() == buildcache.inputs_digest(root)


def test_unchanged_inputs_keep_the_cache(tmp_path: Path) -> None:
    root = _project(tmp_path)
    cache = root / "_build/.jupyter_cache"
    buildcache.clear_if_stale(root, cache)
    (cache / "global.db").write_text("cached outputs")
    (root / "src/crmc/__pycache__").mkdir()
    (root / "src/crmc/__pycache__/x.cpython-311.pyc").write_bytes(b"\0")
    assert buildcache.clear_if_stale(root, cache) is False
    assert (cache / "global.db").read_text() == "cached outputs"


def test_an_edited_csv_clears_the_cache(tmp_path: Path) -> None:
    root = _project(tmp_path)
    cache = root / "_build/.jupyter_cache"
    buildcache.clear_if_stale(root, cache)
    (cache / "global.db").write_text("cached outputs")
    (root / "src/crmc/data/timeline.csv").write_text("year\n2002\n")
    assert buildcache.clear_if_stale(root, cache) is True
    assert not (cache / "global.db").exists()


def test_a_renamed_module_changes_the_digest(tmp_path: Path) -> None:
    root = _project(tmp_path)
    before = buildcache.inputs_digest(root)
    (root / "src/crmc/__init__.py").rename(root / "src/crmc/other.py")
    assert buildcache.inputs_digest(root) != before


def test_the_real_package_digest_is_stable() -> None:
    root = Path(__file__).resolve().parents[1]
    assert buildcache.inputs_digest(root) == buildcache.inputs_digest(root)
    assert len(buildcache.inputs_digest(root)) == 64


def test_cli_clears_a_stale_cache_and_says_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = _project(tmp_path)
    assert buildcache.main([str(root), "_build/.jupyter_cache"]) == 0
    assert "cleared, pages rebuild" in capsys.readouterr().out
    assert buildcache.main([str(root), "_build/.jupyter_cache"]) == 0
    assert capsys.readouterr().out == ""
    assert buildcache.main([]) == 2
