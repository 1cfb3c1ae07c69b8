"""One call that prepares a page or exercise notebook (the hidden first cell)."""

from __future__ import annotations

from crmc.charts.render import enable_renderer
from crmc.charts.theme import enable_theme


def setup_notebook() -> None:
    """Enable the module's Altair theme and its offline-friendly chart renderer."""
    enable_theme()
    enable_renderer()
