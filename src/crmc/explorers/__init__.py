"""Explorer widgets (ipywidgets 8): plain, tested logic with a thin widget view each."""

from crmc.explorers.classification import ClassificationExplorer, format_classification
from crmc.explorers.imports import ImportsExplorer, ImportsSummary, summarise_imports
from crmc.explorers.timeline import (
    PeriodComparison,
    PeriodSummary,
    TimelineExplorer,
    compare_periods,
    summarise_period,
)

__all__ = [
    "ClassificationExplorer",
    "ImportsExplorer",
    "ImportsSummary",
    "PeriodComparison",
    "PeriodSummary",
    "TimelineExplorer",
    "compare_periods",
    "summarise_period",
    "format_classification",
    "summarise_imports",
]
