"""Explorer for part 3: pick a programme or a domain and see who supplies each component.

The logic (:func:`programmes`, :func:`domains`, :func:`dependency`) is plain and tested without
a browser; :func:`format_dependency` renders its result as HTML; :class:`DependencyExplorer`
is the thin widget over both (drop-downs only, HTML output only).
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Literal

import ipywidgets as widgets
from pandera.typing import DataFrame

from crmc.data.schemas import FLOW_DOMAINS, FlowsSchema
from crmc.explorers.base import alert_html, html_table
from crmc.html import source_links_html
from crmc.tables import DIRECTIONS, as_int, flow_table

__all__ = [
    "Component",
    "Dependency",
    "DependencyExplorer",
    "Kind",
    "dependency",
    "domains",
    "format_dependency",
    "programmes",
]

Kind = Literal["programme", "domain"]
KINDS: tuple[Kind, ...] = ("programme", "domain")


@dataclass(frozen=True)
class Component:
    """One flow of a programme or domain, as the explorer lists it."""

    id: str
    programme: str
    component: str
    item: str
    supplier: str
    recipient: str
    form: str
    year_start: int
    years: str
    """e.g. ``"2015–2022"`` or ``"from 2014"`` (still running or no end date known)."""
    status: str
    verdict: str
    """The fact-check verdict, or ``"not checked"``."""
    in_interview: bool
    in_sipri: bool
    source: str

    @property
    def direction(self) -> str:
        """``"Russia → China"`` or ``"China → Russia"``."""
        return f"{self.supplier} → {self.recipient}"


@dataclass(frozen=True)
class Dependency:
    """The flows of one programme or domain, oldest first."""

    kind: Kind
    name: str
    components: tuple[Component, ...]

    @property
    def suppliers(self) -> dict[str, int]:
        """Flows per supplier (both countries listed, zero included)."""
        return {c: sum(x.supplier == c for x in self.components) for c in ("Russia", "China")}

    @property
    def two_way(self) -> bool:
        """True when each country supplies at least one flow."""
        return all(n > 0 for n in self.suppliers.values())

    @property
    def since(self) -> int:
        """The earliest ``year_start``."""
        return min(c.year_start for c in self.components)

    @property
    def statuses(self) -> dict[str, int]:
        """Flows per evidence status, in order of first appearance."""
        out: dict[str, int] = {}
        for c in self.components:
            out[c.status] = out.get(c.status, 0) + 1
        return out


def programmes(flows: DataFrame[FlowsSchema]) -> list[str]:
    """The programmes in ``flows``, alphabetically."""
    return sorted(set(flows["programme"]))


def domains(flows: DataFrame[FlowsSchema]) -> list[str]:
    """The domains in ``flows``, in the schema's order."""
    present = set(flows["domain"])
    return [d for d in FLOW_DOMAINS if d in present]


def dependency(flows: DataFrame[FlowsSchema], name: str, kind: Kind = "programme") -> Dependency:
    """The components of programme (or domain) ``name``: who supplies each, since when,
    with what evidence. ``flows`` is :func:`crmc.data.load_flows`'s frame.

    Raises ``ValueError`` for an unknown kind, or for a name that is not a programme (domain)
    in ``flows``, listing the known ones.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}; choose 'programme' or 'domain'")
    known = programmes(flows) if kind == "programme" else domains(flows)
    if name not in known:
        raise ValueError(f"unknown {kind} {name!r}; known {kind}s: {', '.join(known)}")
    table = flow_table(flows)
    rows = table[table[kind] == name].sort_values(["year_start", "id"])
    components = tuple(
        Component(
            id=str(r.id),
            programme=str(r.programme),
            component=str(r.component) or str(r.item),
            item=str(r.item),
            supplier=str(r.supplier),
            recipient=str(r.recipient),
            form=str(r.form),
            year_start=as_int(r.year_start),
            years=str(r.years),
            status=str(r.status),
            verdict=str(r.verdict_label),
            in_interview=bool(r.in_interview),
            in_sipri=bool(r.in_sipri),
            source=str(r.source),
        )
        for r in rows.itertuples()
    )
    return Dependency(kind=kind, name=name, components=components)


def _yes(value: bool) -> str:
    return "yes" if value else "no"


def format_dependency(dep: Dependency) -> str:
    """HTML: one summary sentence and a table of the components with their sources."""
    n = len(dep.components)
    russia, china = dep.suppliers["Russia"], dep.suppliers["China"]
    shape = (
        "a two-way exchange" if dep.two_way
        else f"one-way, {DIRECTIONS[0] if russia else DIRECTIONS[1]}"
    )
    statuses = ", ".join(f"{k} {v}" for k, v in dep.statuses.items())
    head = (
        f"<p><strong>{html.escape(dep.name)}</strong> ({html.escape(dep.kind)}): {n} "
        f"{'flow' if n == 1 else 'flows'} since {dep.since}, {html.escape(shape)}. Russia "
        f"supplies {russia}, China {china}. Evidence status: {html.escape(statuses)}.</p>"
    )
    rows = [
        (
            i,
            c.component if dep.kind == "programme" else f"{c.programme}: {c.component}",
            c.direction,
            c.form,
            c.years,
            c.status,
            c.verdict,
            _yes(c.in_interview),
            _yes(c.in_sipri),
        )
        for i, c in enumerate(dep.components, start=1)
    ]
    table = html_table(
        ["#", "Component", "Supplier → recipient", "Form", "Years", "Status", "Verdict",
         "Named in the interview", "In SIPRI's register"],
        rows,
        caption=f"Components of {dep.name} (module's flows data)",
    )
    sources = "".join(
        f"<li>{html.escape(c.component)}: {source_links_html(c.source)}</li>"
        for c in dep.components
    )
    table += f'<p>Sources, by row:</p><ol class="crmc-sources">{sources}</ol>'  # links wrap
    return head + table


class DependencyExplorer(widgets.VBox):  # type: ignore[misc,unused-ignore]  # ipywidgets: Any
    """Choose "programme" or "domain", then one of them; the table shows its components."""

    def __init__(self, flows: DataFrame[FlowsSchema], start: str = "JF-17 engine",
                 kind: Kind = "programme") -> None:
        self.flows = flows
        self.kind = widgets.Dropdown(
            options=[("Programme", "programme"), ("Domain", "domain")],
            value=kind,
            description="Look at",
        )
        self.choice = widgets.Dropdown(
            options=self._options(kind),
            description="Which",
            layout=widgets.Layout(width="min(100%, 32em)"),
        )
        if start in self.choice.options:
            self.choice.value = start
        self.output = widgets.HTML()
        self.kind.observe(self._switch, names="value")
        self.choice.observe(self._update, names="value")
        super().__init__([widgets.HBox([self.kind, self.choice]), self.output])
        self._update()

    def _options(self, kind: Kind) -> list[str]:
        return programmes(self.flows) if kind == "programme" else domains(self.flows)

    def _switch(self, _change: object = None) -> None:
        self.choice.options = self._options(self.kind.value)
        self._update()

    def _update(self, _change: object = None) -> None:
        if self.choice.value is None:
            return
        try:
            self.output.value = format_dependency(
                dependency(self.flows, str(self.choice.value), self.kind.value)
            )
        except ValueError as error:
            self.output.value = alert_html(error)
