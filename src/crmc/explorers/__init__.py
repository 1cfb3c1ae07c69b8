"""Explorer widgets (ipywidgets 8): plain, tested logic with a thin widget view each."""

from crmc.explorers.classification import ClassificationExplorer, format_classification
from crmc.explorers.imports import ImportsExplorer, ImportsSummary, summarise_imports

__all__ = [
    "ClassificationExplorer",
    "ImportsExplorer",
    "ImportsSummary",
    "format_classification",
    "summarise_imports",
]
