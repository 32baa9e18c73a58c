"""The silo matrix: customer segments against the units, applications and data stores they meet.

Each row is a customer segment; the columns are the organisational units, the applications and the
data stores of the enterprise, in three groups. A cell is marked where the segment's customers
meet that unit, application or data store, as the structural view of :mod:`kg.structure` follows
it: from the channels, journey touchpoints, serving processes and the customer data of the live
offerings serving the segment, inward to the units that own or take part in them, the applications
the processes use and the data stores those processes and applications use. A data store that holds
the segment's customer record is marked apart from one that is only used, and so is an application
that uses such a store.

The row says where the customer's record is split: how many data stores hold it, how many separate
records they make (stores synchronised with each other, directly or through a master record, count
as one) and how many applications use them; more than one separate record is flagged. The silo
findings of the segment (passed in ``findings``) show as badges on its name.

>>> from kg.model import open_model
>>> view = silo_matrix(open_model())
>>> view.kind
'silo-matrix'
>>> for note in view.notes:
...     print(note)
The model holds no customer segment: there is no row to draw.
The model holds no organisational unit, application or data store: there is no column to draw.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import networkx as nx

from kg import portfolio
from kg.answers import Finding, Subject
from kg.store import KnowledgeGraph
from kg.structure import SegmentSiloMeasure, analyse_structure, structure_graph
from kg.views.base import Href, View, badges, item_context, render

__all__ = ["silo_matrix"]

_GROUPS = (
    ("OrganisationalUnit", "Organisational units", "units"),
    ("Application", "Applications", "applications"),
    ("DataStore", "Data stores", "data stores"),
)

# What a marked cell says, by mark: the text is always there (colour never carries it alone).
_MARKS = {
    "meets": ("●", "meets the segment's customers"),
    "record": ("◆", "holds or uses the segment's customer record"),
}


@dataclass(frozen=True)
class _Column:
    iri: str
    label: str
    used: bool


@dataclass(frozen=True)
class _Row:
    segment: Subject
    cells: tuple[tuple[str | None, ...], ...]
    stores: int
    records: int
    applications: int
    silo_index: float

    @property
    def meets_nothing(self) -> bool:
        return not any(mark for group in self.cells for mark in group)

    @property
    def split(self) -> bool:
        return self.records > 1

    @property
    def summary(self) -> str:
        """Where the record is kept, in short (the legend says it in full)."""
        if not self.stores:
            return "no store holds the record"
        return (
            f"{_count(self.records, 'record')} · {_count(self.stores, 'store')} · "
            f"{_count(self.applications, 'app')}"
        )


def silo_matrix(
    model: KnowledgeGraph,
    *,
    enterprise: portfolio.Choice = None,
    findings: Iterable[Finding] = (),
    href: Href | None = None,
    max_rows: int = 60,
) -> View:
    """Customer segments against the units, applications and data stores their customers meet.

    Parameters
    ----------
    model
        The knowledge graph of an enterprise, or of several.
    enterprise
        The enterprise to draw (IRI, CURIE or label); needed in a model of several.
    findings
        Findings to mark, such as those of :func:`kg.silos.find_silos`: each segment, unit,
        application or data store they name gets a badge.
    href
        Where a thing's name links to, given its IRI.
    max_rows
        The most segments drawn: past it, the most siloed ones, against only the columns they
        meet (a note says how many were left out).

    Returns
    -------
    View
        Of kind ``"silo-matrix"``; its notes say what the model lacks (no segment, no unit,
        application or data store).

    Raises
    ------
    EnterpriseError
        ``enterprise`` is not one of the model's, or is missing in a model of several.
    """
    scope = portfolio.view(model, enterprise)
    graph = structure_graph(scope.model)
    structure = analyse_structure(scope.model, graph=graph)
    measures = sorted(
        structure.measures, key=lambda m: (-m.silo_index, (m.segment.label or "").casefold())
    )
    notes = []
    if not measures:
        notes.append("The model holds no customer segment: there is no row to draw.")
    cut = len(measures) > max_rows
    if cut:
        notes.append(
            f"The {max_rows} most siloed of {len(measures)} segments are drawn, against the units, "
            f"applications and data stores they meet; {len(measures) - max_rows} less siloed "
            "segments are left out."
        )
        measures = measures[:max_rows]
    columns: list[list[_Column]] = []
    met_by_kind = [
        {s.iri for m in measures for s in m.units},
        {s.iri for m in measures for s in m.applications},
        {s.iri for m in measures for s in m.data_stores},
    ]
    for (kind, _, _), met in zip(_GROUPS, met_by_kind, strict=True):
        nodes = [
            (n, d.get("label") or n)
            for n, d in graph.nodes(data=True)
            if d["type"] == kind and (not cut or n in met)
        ]
        nodes.sort(key=lambda node: (node[1].casefold(), node[0]))
        columns.append([_Column(n, label, n in met) for n, label in nodes])
    if not any(columns):
        notes.append(
            "The model holds no organisational unit, application or data store: there is no "
            "column to draw."
        )
    elif measures and not any(met_by_kind):
        notes.append(
            "No segment's customers meet a unit, application or data store: no channel, journey, "
            "process or offering links the segments to them."
        )
    rows = [_row(graph, m, columns) for m in measures]
    title = "Silo matrix"
    if scope.enterprise is not None:
        title += f": {scope.enterprise.name}"
    body = render(
        "silomatrix.html",
        title=title,
        rows=rows,
        groups=[(name, cols) for (_, name, _), cols in zip(_GROUPS, columns, strict=True)],
        marks=_MARKS,
        split=sum(1 for r in rows if r.split),
        has_columns=any(columns),
        zip=zip,
        notes=notes,
        **item_context(href, badges(findings)),
    )
    return View("silo-matrix", title, body, tuple(notes))


def _row(graph: nx.Graph, measure: SegmentSiloMeasure, columns: list[list[_Column]]) -> _Row:
    """One segment's row: its mark in each column, and where its customer record is kept."""
    record_stores = {s.iri for record in measure.customer_records for s in record}
    applications = {s.iri for s in measure.applications}
    record_apps = {
        a
        for a in applications
        if any(
            graph.has_edge(a, s) and "bm:usesDataStore" in graph.edges[a, s]["link"].split("|")
            for s in record_stores
        )
    }
    met = [{s.iri for s in measure.units}, applications, {s.iri for s in measure.data_stores}]
    holding: list[set[str]] = [set(), record_apps, record_stores]
    cells = tuple(
        tuple(("record" if c.iri in held else "meets") if c.iri in reached else None for c in group)
        for group, reached, held in zip(columns, met, holding, strict=True)
    )
    return _Row(
        segment=measure.segment,
        cells=cells,
        stores=len(record_stores),
        records=measure.records,
        applications=len(record_apps),
        silo_index=measure.silo_index,
    )


def _count(count: int, noun: str) -> str:
    return f"{count} {noun if count == 1 else noun + 's'}"
