"""The contracts of the tables layer: what each transform in :mod:`crmc.tables` takes and returns.

Inputs are the loaders' own schemas (:mod:`crmc.data.schemas`); each output has a
:class:`pandera.DataFrameModel` below (its columns and dtypes). A transform is decorated
with :func:`pandera.check_types` and each frame it takes or returns is annotated
``Checked[Model]`` or ``Typed[Model]``:

- the type checker reads both as ``pandera.typing.DataFrame[Model]``, so a loaded frame
  (``DataFrame[TimelineSchema]``) passes as it is, and a transform's output passes to the next;
- at run time ``@pa.check_types`` validates a ``Checked`` frame against
  :func:`columns_and_dtypes` of ``Model``: every column present, numeric, boolean and date
  columns of the declared dtype; no value checks, parsers or coercion; extra columns allowed.
  The full check (ranges, patterns, uniqueness) already ran when the loader read the file and
  costs 5–45 ms a frame; the light one 2–5 ms a call, inputs and output together, about half
  of it pandera's own cost per call (``benchmarks/bench_tables.py``).
  A ``Typed`` frame is not checked at run time (annotated only).

A transform that is not decorated is annotated with ``pandera.typing.DataFrame[Model]``
(never checked at run time); in a decorated one that annotation would run the full model.

The outputs' full contracts (every column's dtype, text included, and no other column) are
checked by the tests: ``FlowTable.validate(flow_table(flows))``.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any, TypeVar, cast

import pandas as pd
import pandera.pandas as pa
from pandera.typing import DataFrame, Series

__all__ = [
    "Checked",
    "DirectionTotals",
    "FlowTable",
    "ImplicationsTable",
    "InterviewMarker",
    "KeySystemsTable",
    "LaterEventsTable",
    "PeriodCounts",
    "PhaseBands",
    "PhaseSums",
    "PhasesTable",
    "PurchasesByPeriod",
    "TimelineRows",
    "Typed",
    "VisibilityTable",
    "columns_and_dtypes",
    "light_schema",
    "typed",
]

M = TypeVar("M", bound=pa.DataFrameModel)


# ---------------------------------------------------------------- the light run-time check
def _cheap_dtype(dtype: Any) -> bool:
    """Whether pandera checks ``dtype`` by comparing the column's dtype (numbers, booleans,
    dates). Text and list columns are checked element by element (about 0.7 ms a column
    even on a valid frame), so the light check asks only that they are present."""
    kind = getattr(dtype, "type", None)
    if kind is None:
        return False
    try:
        return bool(
            pd.api.types.is_numeric_dtype(kind) or pd.api.types.is_datetime64_any_dtype(kind)
        )
    except TypeError:
        return False


def light_schema(full: pa.DataFrameSchema) -> pa.DataFrameSchema:
    """``full``'s columns, with the dtypes pandera checks cheaply; nothing else."""
    columns = {
        name: pa.Column(column.dtype if _cheap_dtype(column.dtype) else None,
                        nullable=True, name=name)
        for name, column in full.columns.items()
    }
    return pa.DataFrameSchema(columns, name=full.name, strict=False, coerce=False)


class _ColumnsAndDtypes(pa.DataFrameModel):
    """Mixin: the model's schema reduced to :func:`light_schema`."""

    @classmethod
    def build_schema_(cls, **kwargs: Any) -> pa.DataFrameSchema:
        full: pa.DataFrameSchema = super().build_schema_(**kwargs)
        return light_schema(full)


@functools.cache
def columns_and_dtypes(model: type[pa.DataFrameModel]) -> type[pa.DataFrameModel]:
    """The light model derived from ``model``: its columns and cheap dtypes, no value checks.

    ``columns_and_dtypes(TimelineSchema).validate(frame)`` raises
    :class:`pandera.errors.SchemaError` naming a missing column or a column of the wrong dtype.
    """
    name = f"{model.__name__}Columns"
    doc = f"Columns and dtypes of :class:`{model.__name__}` (no value checks)."
    return type(name, (_ColumnsAndDtypes, model), {"__doc__": doc})


if TYPE_CHECKING:
    Checked = DataFrame
    Typed = DataFrame
else:

    class Checked:
        """``Checked[Model]``: ``DataFrame[Model]`` for the type checker; at run time
        ``DataFrame[columns_and_dtypes(Model)]``, which ``@pa.check_types`` validates."""

        def __class_getitem__(cls, model: type[pa.DataFrameModel]) -> Any:
            return DataFrame[columns_and_dtypes(model)]

    class Typed:
        """``Typed[Model]``: ``DataFrame[Model]`` for the type checker, not checked at run time
        (``@pa.check_types`` sees a plain ``pd.DataFrame``): for frames whose check would cost
        more than it is worth on every call; the tests check them against ``Model``."""

        def __class_getitem__(cls, model: type[pa.DataFrameModel]) -> Any:
            return pd.DataFrame


def typed(frame: pd.DataFrame, model: type[M]) -> DataFrame[M]:
    """``frame`` as the type checker's ``DataFrame[model]``; nothing is done at run time.

    The one place the tables layer tells the type checker what a pandas result is: the
    transform's ``@pa.check_types`` validates the returned frame against ``model``.
    """
    return cast(DataFrame[M], frame)


# ---------------------------------------------------------------- output contracts
class _Output(pa.DataFrameModel):
    class Config:
        strict = True
        coerce = False


class TimelineRows(_Output):
    """:func:`crmc.tables.timeline_rows` and :func:`crmc.tables.sanctions_events`."""

    id: Series[str]
    start: Series[pd.Timestamp]
    year: Series[int]
    when: Series[str]
    title: Series[str]
    description: Series[str]
    category: Series[str]
    source: Series[str]
    timing: Series[str]
    lane: Series[int] = pa.Field(isin=[0, 1, 2])


class PhasesTable(_Output):
    """:func:`crmc.tables.phases_frame` (text columns kept as Python objects)."""

    key: Series[object]
    label: Series[object]
    start: Series[int]
    end: Series[int]
    years: Series[str]
    summary: Series[object]
    anchors: Series[object]
    order: Series[int]


class PhaseSums(PhasesTable):
    """:func:`crmc.tables.phase_sums`: the phase columns and the phase's TIV sums."""

    period: Series[str]
    russia_to_china_tiv: Series[float]
    china_imports_tiv: Series[float]
    russia_share: Series[float] = pa.Field(nullable=True)
    per_year_tiv: Series[float]


class PhaseBands(PhaseSums):
    """:func:`crmc.tables.phase_bands`: :class:`PhaseSums` laid out for the band chart."""

    x0: Series[float]
    x1: Series[float]
    shade: Series[int] = pa.Field(isin=[0, 1])
    label_row: Series[int]
    share_text: Series[str]


class KeySystemsTable(_Output):
    """:func:`crmc.tables.key_systems_table`."""

    system: Series[str]
    deals: Series[int]
    delivered: Series[int]
    first_order: Series[int]
    first_delivery: Series[int]
    last_delivery: Series[int]
    tiv_delivered: Series[float]


class DirectionTotals(_Output):
    """:func:`crmc.tables.direction_totals`."""

    supplier: Series[str]
    recipient: Series[str]
    deals: Series[int]
    tiv_delivered: Series[float]


class FlowTable(_Output):
    """:func:`crmc.tables.flow_table`: the flows (:class:`~crmc.data.schemas.FlowsSchema`'s
    columns) and the columns charts and explorer share."""

    id: Series[str]
    item: Series[str]
    supplier: Series[str]
    recipient: Series[str]
    domain: Series[str]
    form: Series[str]
    programme: Series[str]
    component: Series[str]
    year_start: Series[int]
    year_end: Series[pd.Int64Dtype] = pa.Field(nullable=True)
    status: Series[str]
    verdict: Series[str] = pa.Field(nullable=True)
    in_interview: Series[pd.BooleanDtype]
    in_sipri: Series[pd.BooleanDtype]
    event_id: Series[str] = pa.Field(nullable=True)
    source: Series[str]
    direction: Series[str]
    verdict_label: Series[str]
    years: Series[str]
    side: Series[int] = pa.Field(isin=[-1, 1])
    named: Series[str] = pa.Field(isin=["yes", "no"])


class PeriodCounts(_Output):
    """:func:`crmc.tables.period_counts`."""

    period_start: Series[int]
    period: Series[str]
    direction: Series[str]
    form: Series[str]
    flows: Series[int] = pa.Field(ge=0)


class PurchasesByPeriod(_Output):
    """:func:`crmc.tables.purchases_by_period`."""

    first: Series[int]
    period: Series[str]
    weapon_category: Series[str]
    tiv: Series[float]


class InterviewMarker(_Output):
    """:func:`crmc.tables.interview_marker`: one row."""

    start: Series[pd.Timestamp]
    year: Series[int]
    label: Series[str]


class ImplicationsTable(_Output):
    """:func:`crmc.tables.implications_table`: one row per actor × scenario cell."""

    actor: Series[str]
    scenario: Series[str]
    n_statements: Series[int] = pa.Field(ge=0)
    statement: Series[str]
    source: Series[str]
    ids: Series[str]
    evidence: Series[str]


class LaterEventsTable(_Output):
    """:func:`crmc.tables.later_events_table`."""

    id: Series[str]
    when: Series[str]
    title: Series[str]
    description: Series[str]
    category: Series[str]
    bears_on: Series[str]
    source: Series[str]


class VisibilityTable(_Output):
    """:func:`crmc.tables.visibility_table`."""

    label: Series[str]
    item: Series[str] = pa.Field(nullable=True)
    domain: Series[str]
    status: Series[str]
    verdict: Series[str]
    in_interview: Series[bool]
    in_sipri: Series[bool]
    sipri_deal: Series[str]
    sipri_tiv_delivered: Series[float] = pa.Field(nullable=True)
    year_start: Series[int]
    source: Series[str]
