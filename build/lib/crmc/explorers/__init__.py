"""Explorer widgets (ipywidgets 8): plain, tested logic with a thin widget view each."""

from crmc.explorers.classification import ClassificationExplorer, format_classification
from crmc.explorers.dependency import DependencyExplorer, dependency, format_dependency
from crmc.explorers.imports import ImportsExplorer, ImportsSummary, summarise_imports
from crmc.explorers.timeline import (
    PeriodComparison,
    PeriodSummary,
    TimelineExplorer,
    compare_periods,
    summarise_period,
)
from crmc.explorers.whatif import WhatIfExplorer, format_whatif

__all__ = [
    "ClassificationExplorer",
    "DependencyExplorer",
    "ImportsExplorer",
    "ImportsSummary",
    "PeriodComparison",
    "PeriodSummary",
    "TimelineExplorer",
    "WhatIfExplorer",
    "compare_periods",
    "dependency",
    "format_dependency",
    "format_whatif",
    "summarise_period",
    "format_classification",
    "summarise_imports",
]
