"""China–Russia Military Cooperation: the teaching module's package.

Layers, data flowing one way: sourced data files and schemas (:mod:`crmc.data`) →
derived series (:mod:`crmc.derived`), chart functions (:mod:`crmc.charts`) and explorers
(:mod:`crmc.explorers`) → book pages and exercises, which import from here and hold no
logic of their own. :mod:`crmc.sphinxext` is the site extension that draws charts offline.
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__", "setup_notebook"]


def setup_notebook() -> None:
    """Enable the module's Altair theme and chart renderer (see :mod:`crmc.notebook`)."""
    from crmc.notebook import setup_notebook as _setup

    _setup()
