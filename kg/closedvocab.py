"""The ontology's namespaces are closed: a term it does not define is a mistake, not a new term.

SHACL checks what a model says with the terms it knows; a misspelt one (``bm:CustomerSegmnt``,
``bm:reachesSegmnt``) falls outside every shape and the model "conforms", while the analysis
silently loses the misspelt segment or gains findings made only by the typo. :func:`unknown_terms`
finds every IRI in the ``bm:`` and ``bmsh:`` namespaces that a model uses and the ontology (or the
shapes) does not define, with each place it is used and the closest real term, and
:mod:`kg.validation` reports each use as a Violation of ``bmsh:ClosedVocabulary``.

>>> import rdflib
>>> from kg.vocab import BM
>>> data = rdflib.Graph()
>>> _ = data.add((rdflib.URIRef("urn:x:seg"), rdflib.RDF.type, BM._NS["CustomerSegmnt"]))
>>> [(u.term, u.suggestion) for u in unknown_terms(data)]
[('https://w3id.org/bmkg/ontology#CustomerSegmnt', 'https://w3id.org/bmkg/ontology#CustomerSegment')]
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from typing import Literal

import pyoxigraph as ox
import rdflib
from rdflib.namespace import OWL, RDF, RDFS, SKOS
from rdflib.term import Node, URIRef

from kg.ontology import ONTOLOGY_IRI, ontology_graph, renamed_terms, shapes_graph
from kg.store import KnowledgeGraph
from kg.vocab import BM, BMSH, BMV

__all__ = ["CLOSED", "Use", "UnknownTerm", "unknown_terms"]

CLOSED: tuple[str, ...] = (str(BM._NS), str(BMV._NS), str(BMSH))
"""The namespaces whose every term is defined by the ontology or the shapes."""

Position = Literal["class", "property", "value", "subject"]


@dataclass(frozen=True)
class Use:
    """One place a model uses an unknown term: the statement's subject and predicate."""

    subject: Node
    predicate: Node | None


@dataclass(frozen=True)
class UnknownTerm:
    """A term of a closed namespace that nothing defines, with where it is used.

    Attributes
    ----------
    term : str
        The IRI.
    position : str
        How it is used: as a ``class`` (the object of ``rdf:type``), a ``property``, a
        ``value`` (another object) or a ``subject``.
    suggestion : str or None
        The defined term of the same kind whose name is closest, if one is close; for a term the
        ontology renamed, its new name.
    uses : tuple of Use
        The statements that use it.
    """

    term: str
    position: Position
    suggestion: str | None
    uses: tuple[Use, ...]
    renamed: bool = False

    def message(self, names: rdflib.namespace.NamespaceManager) -> str:
        """What is wrong, in the architect's terms, with the term as a CURIE."""
        shown = URIRef(self.term).n3(names)
        if self.renamed and self.suggestion is not None:
            return (
                f"{shown} was renamed {URIRef(self.suggestion).n3(names)} in version 0.2.0 of the "
                "ontology; `kg migrate` rewrites a model's files to the new names"
            )
        kind = {
            "class": "a class",
            "property": "a property",
            "value": "a term",
            "subject": "a term",
        }[self.position]
        text = f"{shown} is not {kind} of the ontology"
        if self.suggestion is not None:
            text += f"; did you mean {URIRef(self.suggestion).n3(names)}?"
        elif self.position == "subject":
            text += "; name your own things in a namespace of your own"
        return text


@dataclass(frozen=True)
class _Defined:
    classes: frozenset[str]
    properties: frozenset[str]
    all: frozenset[str]
    renamed: dict[str, str]


@cache
def _defined() -> _Defined:
    graph = ontology_graph()
    classes = {str(s) for s in graph.subjects(RDF.type, OWL.Class)}
    classes |= {str(s) for s in graph.subjects(RDF.type, RDFS.Class)}
    properties: set[str] = set()
    for kind in (OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty, RDF.Property):
        properties |= {str(s) for s in graph.subjects(RDF.type, kind)}
    terms = {str(s) for s in graph.subjects() if isinstance(s, URIRef)}
    terms |= {str(s) for s in shapes_graph().subjects() if isinstance(s, URIRef)}
    terms |= {str(s) for s in graph.subjects(RDF.type, SKOS.Concept)}
    terms |= set(CLOSED) | {str(ONTOLOGY_IRI)}
    # Deprecated terms are kept in the ontology only to say what replaced them.
    renamed = dict(renamed_terms())
    return _Defined(
        frozenset(classes - renamed.keys()),
        frozenset(properties - renamed.keys()),
        frozenset(terms - renamed.keys()),
        renamed,
    )


def _closed(term: object) -> bool:
    return isinstance(term, URIRef | str) and str(term).startswith(CLOSED)


def unknown_terms(
    model: KnowledgeGraph | rdflib.Graph, *, focus_nodes: Iterable[Node] | None = None
) -> list[UnknownTerm]:
    """Every term of a closed namespace the model uses and nothing defines, sorted.

    Parameters
    ----------
    model
        A knowledge graph (its graphs but the ontology's are read) or an rdflib graph.
    focus_nodes
        Only the statements about these subjects, as for a write.
    """
    defined = _defined()
    found: dict[tuple[str, Position], list[Use]] = {}
    for subject, predicate, obj in _suspects(model, focus_nodes, defined):
        if _closed(subject) and str(subject) not in defined.all:
            found.setdefault((str(subject), "subject"), []).append(Use(subject, None))
        if _closed(predicate) and str(predicate) not in defined.all:
            found.setdefault((str(predicate), "property"), []).append(Use(subject, predicate))
        if _closed(obj) and str(obj) not in defined.all:
            position: Position = "class" if predicate == RDF.type else "value"
            found.setdefault((str(obj), position), []).append(Use(subject, predicate))
    unknown = []
    for (term, position), uses in sorted(found.items()):
        candidates = {
            "class": defined.classes,
            "property": defined.properties,
        }.get(position, defined.all)
        uses_once = tuple(dict.fromkeys(uses))
        if term in defined.renamed:
            unknown.append(UnknownTerm(term, position, defined.renamed[term], uses_once, True))
        else:
            unknown.append(UnknownTerm(term, position, _closest(term, candidates), uses_once))
    return unknown


def _closest(term: str, candidates: Iterable[str]) -> str | None:
    by_name = {_local(c): c for c in candidates if c.startswith(CLOSED) and _local(c)}
    matches = difflib.get_close_matches(_local(term), list(by_name), n=1, cutoff=0.75)
    if not matches:
        lowered = {name.lower(): name for name in by_name}
        matches = [lowered[_local(term).lower()]] if _local(term).lower() in lowered else []
    return by_name[matches[0]] if matches else None


def _local(iri: str) -> str:
    for namespace in CLOSED:
        if iri.startswith(namespace):
            return iri[len(namespace) :]
    return iri


# One pass over the model: its predicates, and the closed-namespace terms it has as subjects and
# objects, each combination once (a few hundred rows however large the model). The ontology's
# IRI and the namespaces are constants of this module, written into the text once.
_NOT_ONTOLOGY = f"FILTER (?g != <{ONTOLOGY_IRI}>)"
_IN_CLOSED = " || ".join(f'STRSTARTS(STR(?{{0}}), "{namespace}")' for namespace in CLOSED)
_TERMS = f"""
SELECT DISTINCT ?p ?subject ?object WHERE {{
  GRAPH ?g {{ ?s ?p ?o }}
  {_NOT_ONTOLOGY}
  BIND (IF(isIRI(?s) && ({_IN_CLOSED.format("s")}), ?s, ?none) AS ?subject)
  BIND (IF(isIRI(?o) && ({_IN_CLOSED.format("o")}), ?o, ?none) AS ?object)
}}
"""
_USES = f"""
SELECT DISTINCT ?s ?p ?o ?term WHERE {{
  {{ GRAPH ?g {{ ?term ?p ?o }} BIND (?term AS ?s) }}
  UNION {{ GRAPH ?g {{ ?s ?term ?o }} BIND (?term AS ?p) }}
  UNION {{ GRAPH ?g {{ ?s ?p ?term }} BIND (?term AS ?o) }}
  {_NOT_ONTOLOGY}
}}
"""
_ABOUT = f"""
SELECT DISTINCT ?s ?p ?o WHERE {{ GRAPH ?g {{ ?s ?p ?o }} {_NOT_ONTOLOGY} }}
"""


def _suspects(
    model: KnowledgeGraph | rdflib.Graph,
    focus_nodes: Iterable[Node] | None,
    defined: _Defined,
) -> Iterator[tuple[Node, Node, Node]]:
    """The statements that use a closed-namespace term (about the focus nodes, when given)."""
    if isinstance(model, rdflib.Graph):
        subjects: Iterable[Node | None] = [None] if focus_nodes is None else focus_nodes
        ontology = ontology_graph()  # the data graph pySHACL is given may hold it too
        for subject in subjects:
            for triple in model.triples((subject, None, None)):
                if triple not in ontology and any(
                    _closed(t) and str(t) not in defined.all for t in triple
                ):
                    yield triple
        return
    if focus_nodes is not None:
        for node in focus_nodes:
            if not isinstance(node, URIRef):
                continue
            named = ox.NamedNode(str(node))
            for row in _rows(model.query(_ABOUT, bindings={"s": named})):
                statement = (node, _rdflib(row["p"]), _rdflib(row["o"]))
                if any(_closed(t) and str(t) not in defined.all for t in statement):
                    yield statement
        return
    unknown: set[str] = set()
    for row in _rows(model.query(_TERMS)):
        for name in ("p", "subject", "object"):
            term = row[name]
            if (
                isinstance(term, ox.NamedNode)
                and _closed(term.value)
                and term.value not in defined.all
            ):
                unknown.add(term.value)
    for term in sorted(unknown):
        uses = model.query(_USES, bindings={"term": ox.NamedNode(term)})
        for row in _rows(uses):
            yield _rdflib(row["s"]), _rdflib(row["p"]), _rdflib(row["o"])


def _rows(answer: object) -> ox.QuerySolutions:
    assert isinstance(answer, ox.QuerySolutions)  # a SELECT
    return answer


def _rdflib(term: object) -> Node:
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return rdflib.BNode(term.value)
    if isinstance(term, ox.Literal):
        return rdflib.Literal(term.value)  # only its being no IRI matters here
    raise TypeError(f"unexpected term {term!r}")
