"""Refresh the vendored front-end bundles from the npm registry.

The site must work offline, so Vega, Vega-Lite, vega-embed and the ipywidgets
html-manager are served from the package's own static folder rather than a CDN.
This script is the only way those files change: it reads the pins in
``src/crmc/sphinxext/vendor.json``, fetches each package with ``npm pack`` (so the
registry and any proxy are npm's own configuration), and copies the listed files plus
the package's licence into ``src/crmc/sphinxext/static/crmc/vendor/<package>/``.

Usage::

    python scripts/refresh_vendor_js.py            # fetch the pinned versions
    python scripts/refresh_vendor_js.py --check    # only compare pins with Altair's

Needs Node's ``npm`` on PATH. Building the site does not: the fetched files are committed.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from crmc.sphinxext.vendor import (  # noqa: E402
    MANIFEST_PATH,
    VENDOR_DIR,
    pin_mismatches,
    vendor_subdir,
)


def fetch(package: str, version: str, workdir: Path) -> Path:
    """Download ``package@version`` with ``npm pack`` and return its extracted root."""
    result = subprocess.run(
        ["npm", "pack", "--silent", f"{package}@{version}"],
        cwd=workdir,
        check=True,
        capture_output=True,
        text=True,
    )
    tarball = workdir / result.stdout.strip().splitlines()[-1]
    target = workdir / tarball.stem
    with tarfile.open(tarball) as archive:
        archive.extractall(target, filter="data")
    return target / "package"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only compare pins with Altair")
    args = parser.parse_args()

    problems = pin_mismatches()
    if problems:
        print("Pins disagree with Altair:\n  " + "\n  ".join(problems))
        print(f"Edit {MANIFEST_PATH.relative_to(ROOT)} first.")
        return 1
    if args.check:
        print("Pins agree with Altair.")
        return 0

    manifest = json.loads(MANIFEST_PATH.read_text())
    with tempfile.TemporaryDirectory() as tmp:
        for package, pin in manifest["packages"].items():
            root = fetch(package, pin["version"], Path(tmp))
            dest = VENDOR_DIR / vendor_subdir(package)
            if dest.exists():
                shutil.rmtree(dest)
            dest.mkdir(parents=True)
            for pattern in pin["files"]:
                matches = sorted(root.glob(pattern))
                if not matches:
                    raise SystemExit(f"{package}@{pin['version']}: no file matches {pattern}")
                for path in matches:
                    shutil.copy2(path, dest / path.name)
            package_json = json.loads((root / "package.json").read_text())
            licence = pin.get("license")
            if licence:
                shutil.copy2(root / licence, dest / "LICENSE")
            else:
                # The html-manager tarball ships no LICENSE file, only its SPDX id and the
                # bundled third-party notices (embed.js.LICENSE.txt, copied above).
                (dest / "LICENSE").write_text(
                    f"SPDX-License-Identifier: {package_json.get('license')}\n"
                    f"Package: {package}@{package_json['version']}\n"
                    "Bundled third-party notices: embed.js.LICENSE.txt\n"
                )
            (dest / "VERSION").write_text(
                f"{package}@{package_json['version']}\nlicense: {package_json.get('license')}\n"
            )
            print(f"{package}@{package_json['version']} -> {dest.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
