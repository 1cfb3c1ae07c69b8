"""Explorer widgets (ipywidgets 8): plain, tested logic with a thin widget view each."""

from crmc.explorers.imports import ImportsExplorer, ImportsSummary, summarise_imports

__all__ = ["ImportsExplorer", "ImportsSummary", "summarise_imports"]
