"""Charts of SIPRI's yearly import volumes."""

from __future__ import annotations

import altair as alt
import pandas as pd
from pandera.typing import DataFrame

from crmc.charts.common import SIPRI_CREDIT, highlight, slider, titled, tooltips
from crmc.data.schemas import SipriImportsSchema
from crmc.tables import row_of_max


def _imports_description(china: pd.DataFrame) -> str:
    first, last = int(china["year"].min()), int(china["year"].max())
    peak = row_of_max(china, "tiv")
    return (
        f"Bar chart of China's yearly imports of major arms from all suppliers, {first}–{last}, "
        "in millions of SIPRI trend-indicator values (TIV). Imports are high in the 1950s "
        "(Soviet supplies), near zero from the late 1960s to the late 1980s, rise again from "
        f"1990 and peak at {peak['tiv']:,.0f} million TIV in {int(peak['year'])}, then fall "
        f"to {china.loc[china['year'] == last, 'tiv'].iloc[0]:,.0f} million in {last}."
    )


def china_imports_chart(imports: DataFrame[SipriImportsSchema]) -> alt.Chart:
    """SIPRI's yearly volume of China's major-arms imports, with a "from year" slider.

    ``imports`` is the tidy SIPRI import table (``recipient``, ``year``, ``tiv``). The slider
    is client-side, so readers of the static site can narrow the period without a kernel; bars
    before the chosen year fade rather than vanish, so the long view stays in sight.
    """
    china = imports.loc[imports["recipient"] == "China", ["year", "tiv"]].dropna()
    first, last = int(china["year"].min()), int(china["year"].max())
    start = slider("from_year", "Highlight from year ", first, first, last)
    chart: alt.Chart = (
        alt.Chart(china, description=_imports_description(china))
        .mark_bar()
        .encode(
            alt.X("year:O").title("Year").axis(values=list(range(1950, last + 1, 10))),
            alt.Y("tiv:Q").title("Imports (million TIV)"),
            opacity=highlight(alt.datum.year >= start, off=0.25),
            tooltip=tooltips(("year:O", "Year"), ("tiv:Q", "Million TIV", ",.0f")),
        )
        .add_params(start)
        .properties(
            width="container",
            title=titled(
                f"China's imports of major arms, {first}–{last}",
                "All suppliers; volumes in SIPRI trend-indicator values (TIV), not money.",
                SIPRI_CREDIT,
            ),
        )
    )
    return chart
