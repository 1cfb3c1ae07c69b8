"""Chart functions: one per chart, tidy data in, an Altair chart out.

Each returns a chart with a title, axis titles, tooltips, a ``description`` (the text
alternative) and, where SIPRI data is used, SIPRI's credit line. Styling comes from the
one theme in :mod:`crmc.charts.theme`; no function calls ``configure_*``.
"""

from crmc.charts.history import deliveries_chart, purchases_by_category_chart, timeline_chart
from crmc.charts.interdependence import (
    capabilities_matrix_chart,
    supply_flows_chart,
    two_way_street_chart,
)
from crmc.charts.risks import (
    implications_matrix_chart,
    sanctions_timeline_chart,
    whatif_chart,
)
from crmc.charts.sipri import china_imports_chart
from crmc.charts.wartime import cases_chart, visibility_gap_chart

__all__ = [
    "capabilities_matrix_chart",
    "cases_chart",
    "china_imports_chart",
    "deliveries_chart",
    "implications_matrix_chart",
    "purchases_by_category_chart",
    "sanctions_timeline_chart",
    "supply_flows_chart",
    "timeline_chart",
    "two_way_street_chart",
    "visibility_gap_chart",
    "whatif_chart",
]
