"""An import into a store, merged by identity: one atomic, validated write.

:func:`merge_import` writes what an import made (:class:`~kg.interchange.importer.ImportResult`)
into a store, in two named graphs of its own: ``urn:bmkg:import:`` + the source's name for the
model graph, ``urn:bmkg:kept:`` + the same for what the import kept. Importing the same source
again (same name) compares the new import with what the last one wrote there:

- statements that are new are added, statements that are gone are removed: nothing is
  duplicated, since nodes are named by their identifiers in the file;
- nodes (anything the file gave an identifier) are reported as **added**, **updated** (some
  statement about them changed), **unchanged** or **disappeared** (the file no longer has
  them; their statements from this source are removed, what other sources and writes say
  about them stays).

The write is checked like any other write (:func:`kg.entities.check_write`): when it would add
violations of the shapes it is refused and nothing changes, unless ``allow_violations`` is
given (an import that lacks values the shapes require, for a person to fill in later; the
violations are still reported). A statement another graph of the store already makes is kept
once (see :meth:`kg.store.KnowledgeGraph.place`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import pyoxigraph as ox
import rdflib
from rdflib.namespace import DCTERMS, RDF, RDFS

from kg.entities import apply_write, check_write
from kg.errors import WriteRejectedError
from kg.interchange.importer import ImportResult
from kg.rdflibstore import ox_term
from kg.store import KnowledgeGraph, repeats_of
from kg.validation import ValidationReport
from kg.vocab import BM

__all__ = ["IMPORT_GRAPH", "KEPT_GRAPH", "MergeReport", "import_graphs", "merge_import"]

IMPORT_GRAPH = "urn:bmkg:import:"
KEPT_GRAPH = "urn:bmkg:kept:"


@dataclass
class MergeReport:
    """What a merge changed: nodes by fate, statements added and removed, and the violations
    it was allowed to add (with ``allow_violations``)."""

    source: str
    graphs: tuple[str, str]
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: int = 0
    disappeared: list[str] = field(default_factory=list)
    statements_added: int = 0
    statements_removed: int = 0
    violations: ValidationReport | None = None
    cautions: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """One line: ``12 added, 3 updated, 40 unchanged, 1 disappeared (+25 -4 statements)``."""
        return (
            f"{len(self.added)} added, {len(self.updated)} updated, {self.unchanged} unchanged, "
            f"{len(self.disappeared)} disappeared "
            f"(+{self.statements_added} -{self.statements_removed} statements)"
        )

    def to_dict(self) -> dict[str, object]:
        return {
            "source": self.source,
            "graphs": list(self.graphs),
            "added": self.added,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "disappeared": self.disappeared,
            "statements_added": self.statements_added,
            "statements_removed": self.statements_removed,
            "violations": [] if self.violations is None else self.violations.to_dict()["results"],
            "cautions": self.cautions,
        }


def import_graphs(name: str) -> tuple[str, str]:
    """The two graphs an import of the source called ``name`` writes into.

    >>> import_graphs("ArchiSurance.xml")
    ('urn:bmkg:import:ArchiSurance.xml', 'urn:bmkg:kept:ArchiSurance.xml')
    """
    key = quote(name, safe="-._~")
    return IMPORT_GRAPH + key, KEPT_GRAPH + key


def merge_import(
    model: KnowledgeGraph,
    result: ImportResult,
    *,
    name: str | None = None,
    allow_violations: bool = False,
) -> MergeReport:
    """Write an import into the store, merged with what the same source wrote before.

    Parameters
    ----------
    model
        The store to write into.
    result
        What the import made.
    name
        The source's name, which decides the graphs (by default the file's name): import a
        renamed file under its old name to update what it wrote.
    allow_violations
        Write even when the import adds violations of the shapes (they are reported).

    Raises
    ------
    WriteRejectedError
        The write would add violations (and ``allow_violations`` is not given): nothing was
        written.
    """
    graphs = import_graphs(name or Path(result.source).name)
    before: dict[str, set[ox.Triple]] = {g: _triples(model, g) for g in graphs}
    after = {graphs[0]: _ox(result.graph), graphs[1]: _ox(result.kept)}
    remove = [
        ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(g))
        for g in graphs
        for t in sorted(before[g] - after[g], key=str)
    ]
    add = [
        ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(g))
        for g in graphs
        for t in sorted(after[g] - before[g], key=str)
    ]
    report = MergeReport(result.source, graphs)
    report.statements_added, report.statements_removed = len(add), len(remove)
    _fates(report, before, after)
    if not add and not remove:
        return report
    report.cautions.extend(_enterprise_cautions(model, result))
    check = check_write(model, remove=remove, add=add)
    if not check.conforms:
        if not allow_violations:
            raise WriteRejectedError(check)
        report.violations = check
    apply_write(model, remove=remove, add=add)
    return report


def _triples(model: KnowledgeGraph, graph: str) -> set[ox.Triple]:
    """What a graph holds, with the statements moved to its repeats (other graphs made them)."""
    found = set()
    for name in (graph, repeats_of(graph)):
        for quad in model.store.quads_for_pattern(None, None, None, ox.NamedNode(name)):
            found.add(quad.triple)
    return found


def _ox(graph: rdflib.Graph) -> set[ox.Triple]:
    return {ox.Triple(ox_term(s), ox_term(p), ox_term(o)) for s, p, o in graph}  # type: ignore[arg-type]


def _fates(
    report: MergeReport, before: dict[str, set[ox.Triple]], after: dict[str, set[ox.Triple]]
) -> None:
    identifier = ox.NamedNode(str(DCTERMS.identifier))
    label = ox.NamedNode(str(RDFS.label))

    def nodes(triples: set[ox.Triple]) -> dict[ox.NamedNode, set[ox.Triple]]:
        named = {
            t.subject
            for t in triples
            if t.predicate == identifier and not str(t.subject).startswith("<urn:bmkg:source:")
        }
        found: dict[ox.NamedNode, set[ox.Triple]] = {n: set() for n in named}  # type: ignore[misc]
        for triple in triples:
            if triple.subject in found:
                found[triple.subject].add(triple)  # type: ignore[index]
        return found

    old = nodes(set().union(*before.values()))
    new = nodes(set().union(*after.values()))

    def shown(node: ox.NamedNode, triples: set[ox.Triple]) -> str:
        labels = sorted(str(t.object.value) for t in triples if t.predicate == label)  # type: ignore[union-attr]
        return f"{labels[0]} <{node.value}>" if labels else f"<{node.value}>"

    for node in sorted(new, key=str):
        if node not in old:
            report.added.append(shown(node, new[node]))
        elif old[node] != new[node]:
            report.updated.append(shown(node, new[node]))
        else:
            report.unchanged += 1
    report.disappeared = [shown(n, old[n]) for n in sorted(old, key=str) if n not in new]


def _enterprise_cautions(model: KnowledgeGraph, result: ImportResult) -> list[str]:
    """What to say when an import that names no enterprise goes into a store that holds some:
    its elements would count as the one enterprise's, or be unplaced among several."""
    if (None, RDF.type, BM.Enterprise) in result.graph or not len(result.graph):
        return []
    found = model.query(
        f"SELECT DISTINCT ?e ?label WHERE {{ ?e a <{BM.Enterprise}> "
        f"OPTIONAL {{ ?e <{RDFS.label}> ?label }} }}"
    )
    names = sorted({str(row["label"].value if row["label"] else row["e"].value) for row in found})  # type: ignore[union-attr]
    if not names:
        return []
    if len(names) == 1:
        return [
            f"The store holds one enterprise, {names[0]}, and this import names none: its "
            f"elements now count in {names[0]}'s answers. If they are another enterprise's, "
            "import them into a store of their own, or add that enterprise and link them to it "
            "(bm:belongsTo)."
        ]
    return [
        f"The store holds several enterprises ({', '.join(names)}) and this import names none: "
        "its elements belong to none of them until they are linked (bm:belongsTo), and "
        "validation reports them unplaced."
    ]
