"""Write the Font Awesome subset the site serves instead of the theme's all-icons script.

    python scripts/subset_icons.py

pydata-sphinx-theme loads ``fontawesome.js`` (Font Awesome Free, every icon: about 1.5 MB,
0.5 MB gzipped) on every page to draw a dozen icons. This script reads that bundle from the
installed theme, keeps only the icons in ``crmc.sphinxext.icons.ICONS`` and writes them as a
CSS file of SVG masks (no JavaScript, no font, drawn from the first paint) with the licence
next to it. A test fails when a page uses an icon that is not in the subset.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from crmc.sphinxext.icons import SUBSET_DIR, write_subset  # noqa: E402

if __name__ == "__main__":
    written = write_subset()
    print(f"wrote {len(written)} icons to {SUBSET_DIR.relative_to(ROOT)}: {', '.join(written)}")
