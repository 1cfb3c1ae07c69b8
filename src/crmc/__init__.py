"""China–Russia Military Cooperation: the teaching module's package.

Layers, data flowing one way: sourced data files and schemas (:mod:`crmc.data`) →
derived series (:mod:`crmc.derived`), chart functions (:mod:`crmc.charts`) and explorers
(:mod:`crmc.explorers`), the transforms they share (:mod:`crmc.tables`) and the facts each
page quotes (:mod:`crmc.pages`) → book pages and exercises, which import from here and hold
no logic of their own: a page's one setup cell is ``page = crmc.page("part1")``.
:mod:`crmc.sphinxext` is the site extension that draws charts offline.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

# Altair imports jsonschema, which imports ``rfc3987_syntax`` when it is installed (JupyterLab's
# jupyter_events brings it) and that compiles about forty Lark grammars at import: half of a
# page's setup time. It only adds jsonschema's "iri" format checks, which no Vega-Lite schema
# uses, so a process that has not loaded it yet skips it.
if "jsonschema" not in sys.modules:
    sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]

if TYPE_CHECKING:
    from crmc.data import DataDir
    from crmc.pages import Page, PageName

__version__ = "0.1.0"

__all__ = ["__version__", "page", "setup_notebook"]


def page(name: PageName, data_dir: DataDir = None) -> Page:
    """A book page's one setup call: theme, renderer, every quoted fact glued (see
    :func:`crmc.pages.page`). Imported lazily, so ``import crmc`` stays cheap."""
    from crmc.pages import page as _page

    return _page(name, data_dir)


def setup_notebook() -> None:
    """Enable the module's Altair theme and chart renderer (see :mod:`crmc.notebook`)."""
    from crmc.notebook import setup_notebook as _setup

    _setup()
