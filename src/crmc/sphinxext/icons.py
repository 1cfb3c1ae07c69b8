"""The site's Font Awesome subset: the dozen icons the theme shows, as CSS masks.

pydata-sphinx-theme loads Font Awesome's all-icons ``fontawesome.js`` on every page (about
1.5 MB; it replaces each ``<i class="fa-…">`` by an SVG once it has run). The extension serves
``static/crmc/vendor/fontawesome-subset/icons.css`` instead: one rule per icon used, its SVG
path as a mask over ``currentColor``, so icons need no script and no font and take their size
before the first paint. ``scripts/subset_icons.py`` regenerates the file from the installed
theme's bundle (Font Awesome Free: icons CC BY 4.0, code MIT; licence file beside the CSS).
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import quote

SUBSET_DIR = Path(__file__).with_name("static") / "crmc" / "vendor" / "fontawesome-subset"
CSS_FILE = "crmc/vendor/fontawesome-subset/icons.css"
"""Path of the subset stylesheet below ``_static``."""

ICONS: dict[str, tuple[str, ...]] = {
    # style → icon names; the theme's templates and scripts use these (a test checks).
    "solid": (
        "angle-left",
        "angle-right",
        "arrow-up",
        "bars",
        "chevron-down",
        "chevron-right",
        "circle-half-stroke",
        "code",
        "download",
        "expand",
        "file",
        "file-pdf",
        "list",
        "magnifying-glass",
        "moon",
        "outdent",
        "play",
        "rocket",
        "sun",
        "xmark",
        # Drawn by the theme's CSS as font glyphs (see PSEUDO_ICONS):
        "angle-down",
        "arrow-up-right-from-square",
        "bell",
        "circle-exclamation",
        "circle-info",
        "lightbulb",
        "triangle-exclamation",
    ),
    "brands": ("github",),
}

PSEUDO_ICONS: dict[str, tuple[str, ...]] = {
    # icon → the theme's pseudo-elements that draw it as a Font Awesome *font* glyph
    # (pydata-sphinx-theme.css, sphinx-book-theme.css). Drawn as the same masks instead, so no
    # page downloads the 150 KB icon font for an admonition or a download link.
    "bell": (".admonition>.admonition-title::after", "div.admonition>.admonition-title::after"),
    "circle-info": (".admonition.note>.admonition-title::after",),
    "lightbulb": (
        ".admonition.tip>.admonition-title::after",
        ".admonition.hint>.admonition-title::after",
    ),
    "circle-exclamation": (
        ".admonition.important>.admonition-title::after",
        ".admonition.attention>.admonition-title::after",
    ),
    "triangle-exclamation": (
        ".admonition.caution>.admonition-title::after",
        ".admonition.warning>.admonition-title::after",
        ".admonition.danger>.admonition-title::after",
    ),
    "download": ("a.reference.download::before",),
    "arrow-up-right-from-square": (
        ".nav-link.nav-external::after",
        "nav.bd-links li>a.reference.external::after",
    ),
    "angle-right": ("ul.bd-breadcrumbs li.breadcrumb-item:not(.breadcrumb-home)::before",),
    "angle-down": (".bd-sidebar-secondary.hide:not(:hover) .onthispage::after",),
}

ICON_STYLE_CLASSES = ("fa", "fas", "far", "fab", "fa-solid", "fa-regular", "fa-brands")
"""Classes that mark an element as an icon (not an icon name)."""

MODIFIER_CLASSES = frozenset(
    {"fa-lg", "fa-sm", "fa-xs", "fa-fw", "fa-2x", "fa-spin", "fa-pulse", "fa-xl", "fa-2xs"}
)

# fontawesome.js defines each style as an object literal handed to d("fab"…), d("far"…) and
# d("fas"…) in that order; an icon entry is name:[width,height,[aliases],"unicode","path"].
_PACK_END = {"brands": 'd("fab",', "regular": 'd("far",', "solid": 'd("fas",'}
_ENTRY = r'[{{,]"?{name}"?:\[(\d+),(\d+),\[[^\]]*\],"[0-9a-f]+","([^"]+)"\]'


def theme_fontawesome_js() -> Path:
    """The all-icons bundle shipped by the installed pydata-sphinx-theme."""
    import pydata_sphinx_theme

    path = (
        Path(pydata_sphinx_theme.__file__).parent
        / "theme"
        / "pydata_sphinx_theme"
        / "static"
        / "scripts"
        / "fontawesome.js"
    )
    if not path.is_file():
        raise FileNotFoundError(f"pydata-sphinx-theme's fontawesome.js not found at {path}")
    return path


def extract_icons(
    bundle: str, icons: dict[str, tuple[str, ...]]
) -> dict[str, tuple[int, int, str]]:
    """``{name: (width, height, svg path)}`` for each wanted icon, read from the bundle text."""
    ends = {style: bundle.find(marker) for style, marker in _PACK_END.items()}
    order = sorted(ends, key=ends.__getitem__)
    found: dict[str, tuple[int, int, str]] = {}
    for style, names in icons.items():
        end = ends[style]
        if end < 0:
            raise ValueError(f"no {style} icons in the Font Awesome bundle")
        previous = [ends[s] for s in order if ends[s] < end]
        start = max(previous) if previous else 0
        section = bundle[start:end]
        for name in names:
            matches = list(re.finditer(_ENTRY.format(name=re.escape(name)), section))
            if not matches:
                raise ValueError(f"icon {style}/{name} is not in the Font Awesome bundle")
            width, height, path = matches[-1].groups()
            found[name] = (int(width), int(height), path)
    return found


def subset_css(found: dict[str, tuple[int, int, str]]) -> str:
    """The stylesheet: a base rule for every icon element, then one mask per icon."""
    selectors = ",".join(f".{c}" for c in ICON_STYLE_CLASSES)
    before = ",".join(f".{c}::before" for c in ICON_STYLE_CLASSES)
    lines = [
        "/* Font Awesome Free 6.5.2 subset (icons CC BY 4.0; see LICENSE.txt). Generated by",
        "   scripts/subset_icons.py from the theme's fontawesome.js: do not edit by hand. */",
        f"{selectors}{{display:inline-block;width:1em;height:1em;vertical-align:-0.125em;"
        "background-color:currentColor;-webkit-mask:var(--crmc-icon) center/contain no-repeat;"
        "mask:var(--crmc-icon) center/contain no-repeat}",
        f"{before}{{content:none!important}}",
    ]
    urls = {}
    for name, (width, height, path) in sorted(found.items()):
        svg = (
            f"<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 {width} {height}'>"
            f"<path d='{path}'/></svg>"
        )
        urls[name] = f'url("data:image/svg+xml,{quote(svg, safe=" =:/,.-")}")'
        lines.append(f".fa-{name}{{--crmc-icon:{urls[name]};width:{width / height:.4g}em}}")
    pseudo = [s for targets in PSEUDO_ICONS.values() for s in targets]
    lines.append(
        f"{','.join(pseudo)}{{content:''!important;font:inherit!important;display:inline-block;"
        "width:1em;height:1em;vertical-align:-0.125em;background-color:currentColor;"
        "-webkit-mask:var(--crmc-icon) center/contain no-repeat;"
        "mask:var(--crmc-icon) center/contain no-repeat}"
    )
    for name, targets in PSEUDO_ICONS.items():
        lines.append(f"{','.join(targets)}{{--crmc-icon:{urls[name]}}}")
    return "\n".join(lines) + "\n"


LICENSE_TEXT = """Font Awesome Free 6.5.2 by @fontawesome - https://fontawesome.com
License - https://fontawesome.com/license/free
(Icons: CC BY 4.0, Fonts: SIL OFL 1.1, Code: MIT License)
Copyright 2024 Fonticons, Inc.

icons.css holds the SVG paths of a subset of Font Awesome Free's icons, taken unchanged from
the fontawesome.js that pydata-sphinx-theme ships. The icons are licensed under CC BY 4.0
(https://creativecommons.org/licenses/by/4.0/); attribution: Font Awesome by Fonticons, Inc.
"""


def write_subset(directory: Path = SUBSET_DIR) -> list[str]:
    """Regenerate ``icons.css`` and ``LICENSE.txt``; return the icon names written."""
    found = extract_icons(theme_fontawesome_js().read_text(), ICONS)
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "icons.css").write_text(subset_css(found))
    (directory / "LICENSE.txt").write_text(LICENSE_TEXT)
    return sorted(found)


def icon_names_in(text: str) -> set[str]:
    """Icon names (``fa-NAME`` classes that are not style or size modifiers) in HTML or JS."""
    names = set()
    for match in re.finditer(r"\bfa-([a-z0-9]+(?:-[a-z0-9]+)*)", text):
        cls = f"fa-{match.group(1)}"
        if cls in ICON_STYLE_CLASSES or cls in MODIFIER_CLASSES:
            continue
        names.add(match.group(1))
    return names
