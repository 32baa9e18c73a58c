"""Several enterprises in one model: where each element belongs, and each enterprise's own view.

A consultancy or a group keeps several enterprises (or business units, each modelled as a
``bm:Enterprise``) in one graph. Every question and silo rule is answered **per enterprise**: its
goals, as-of date, sums, shares and evidence never meet another's. :func:`placement` decides which
enterprise each element belongs to:

- An element that says ``bm:belongsTo`` an enterprise belongs to it; one that names several
  enterprises is **shared** on purpose (a channel two business units both use).
- Otherwise an element belongs to the enterprise its links lead to: the links between elements
  are followed from each enterprise and from each element placed by ``bm:belongsTo`` (in either
  direction, nearest enterprise first), never through a shared element or another enterprise.
  ``bm:belongsTo`` a unit is such a link too.
- Members of classes marked ``bm:sharedAcrossEnterprises`` (geographies, locales, the concepts of
  the controlled vocabularies) are reference data any enterprise may link to: a geography two
  enterprises serve is part of both. They, and other nodes that are not elements (a document an
  element cites), go with the elements that link to them, directly or through one another; they
  place no element.

With one enterprise there is nothing to decide: every element is its own. With several, an
element nothing leads to is **unplaced**, and a link between elements of different enterprises is
a **crossing**; :mod:`kg.validation` reports both as Violations of ``bmsh:EnterprisePlacement``,
naming the element or the link and what to write, because either would mix two enterprises.

:func:`scoped` gives the model as one enterprise sees it: a copy holding the ontology, the
enterprise and its elements, its shared elements (with only the links to its own elements) and the
reference data. The analysis of the enterprise in a model of several is then exactly the analysis
of a model holding that enterprise alone.

>>> import kg
>>> model = kg.open_model(kg.example_path("telco"), kg.example_path("bank"))
>>> [e.label for e in enterprises(model)]
['Alpina Telecom AG', 'Maple Harbour Bank']
>>> placed = placement(model)
>>> placed.unplaced, placed.crossings
((), ())
>>> alpina = scoped(model, "Alpina Telecom AG")
>>> [e.label for e in enterprises(alpina)]
['Alpina Telecom AG']
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from typing import TypeAlias

import pyoxigraph as ox
import rdflib
from rdflib.namespace import RDF, RDFS
from rdflib.term import BNode, Literal, Node, URIRef

from kg import money
from kg.answers import Enterprise, preferred_label
from kg.errors import EnterpriseError
from kg.ontology import ONTOLOGY_IRI, ontology_graph
from kg.store import REPEATS, KnowledgeGraph
from kg.vocab import BM, BMSH, STANDARD_PREFIXES

__all__ = [
    "Choice",
    "Crossing",
    "Enterprise",
    "EvidenceAfterAsOf",
    "Placement",
    "enterprise_of",
    "enterprises",
    "evidence_after_as_of",
    "placement",
    "resolve",
    "View",
    "scoped",
    "slug",
    "view",
]

_BM = str(BM._NS)
_ENTERPRISE = _BM + "Enterprise"
_BELONGS_TO = _BM + "belongsTo"
_TYPE = str(RDF.type)
_CLOSED = (_BM, str(BMSH))
_LABELS = (str(RDFS.label), "http://www.w3.org/2004/02/skos/core#prefLabel")


@dataclass(frozen=True)
class Crossing:
    """A link from an element of one enterprise to an element of another.

    ``subject_enterprises`` and ``object_enterprises`` are the IRIs of the enterprises each end
    belongs to (one for an element placed by its links, several for a shared one).
    """

    subject: str
    predicate: str
    object: str
    subject_enterprises: tuple[str, ...]
    object_enterprises: tuple[str, ...]


@dataclass(frozen=True)
class Placement:
    """Which enterprises each node of a model belongs to.

    Attributes
    ----------
    enterprises : tuple of str
        The IRIs of the model's enterprises, sorted.
    of : mapping
        Each node of the data (by IRI, or ``_:`` and the blank node's id) with the IRIs of the
        enterprises it belongs to: none for an element nothing places, or for another node no
        element reaches (which belongs to every enterprise). Terms of the ontology are not in
        it: they belong to every enterprise. With one enterprise (or none) it is empty, because
        there is nothing to decide.
    shared : frozenset of str
        The elements placed in several enterprises on purpose, with ``bm:belongsTo``.
    unplaced : tuple of str
        The elements (members of a ``bm:`` class) nothing places, when there are several
        enterprises; sorted.
    crossings : tuple of Crossing
        The links between elements of different enterprises.
    """

    enterprises: tuple[str, ...]
    of: Mapping[str, frozenset[str]]
    shared: frozenset[str] = frozenset()
    unplaced: tuple[str, ...] = ()
    crossings: tuple[Crossing, ...] = ()
    elements: frozenset[str] = frozenset()

    @property
    def several(self) -> bool:
        """Whether the model holds more than one enterprise."""
        return len(self.enterprises) > 1

    def allows(self, node: str, enterprise: str) -> bool:
        """Whether ``node`` is part of ``enterprise``'s view of the model."""
        owners = self.of.get(node)
        if owners is None:
            return True  # terms of the ontology, and IRIs the data only cites
        if not owners:
            # A node nothing places: an element goes to no enterprise; any other node to all.
            return node not in self.elements
        return enterprise in owners


# --------------------------------------------------------------------------------------------
# The enterprises of a model


_ENTERPRISES = """
SELECT ?enterprise ?label WHERE {
  ?enterprise a bm:Enterprise .
  OPTIONAL { ?enterprise rdfs:label|skos:prefLabel ?label }
}
"""


def enterprises(model: KnowledgeGraph | rdflib.Graph) -> tuple[Enterprise, ...]:
    """The model's ``bm:Enterprise`` nodes, sorted by IRI, each with its preferred label."""
    labels: dict[str, list[tuple[str, str]]] = defaultdict(list)
    if isinstance(model, rdflib.Graph):
        for node in model.subjects(RDF.type, BM.Enterprise):
            found = labels[_key(node)]
            for predicate in _LABELS:
                for label in model.objects(node, URIRef(predicate)):
                    if isinstance(label, Literal):
                        found.append((str(label), label.language or ""))
    else:
        answer = model.query(_ENTERPRISES)
        assert isinstance(answer, ox.QuerySolutions)
        for row in answer:
            found = labels[_key(row["enterprise"])]
            label = row["label"]
            if isinstance(label, ox.Literal):
                found.append((label.value, label.language or ""))
    return tuple(Enterprise(iri, preferred_label(found)) for iri, found in sorted(labels.items()))


def resolve(model: KnowledgeGraph, enterprise: Choice) -> Enterprise | None:
    """The model's enterprise named by ``enterprise``: an IRI, a CURIE or its label.

    ``None`` picks the model's only enterprise (``None`` for a model without one); a
    :class:`View` is the enterprise it was made for.

    Raises
    ------
    EnterpriseError
        No enterprise of the model has that name; or ``None`` was given and the model holds
        several, which the caller must choose from.
    """
    if isinstance(enterprise, View):
        return enterprise.enterprise
    found = enterprises(model)
    if enterprise is None:
        if len(found) > 1:
            raise EnterpriseError(
                f"the model holds {len(found)} enterprises, and every answer is for one of "
                f"them: choose {_choices(found)}",
                enterprises=[e.iri for e in found],
            )
        return found[0] if found else None
    wanted = enterprise.iri if isinstance(enterprise, Enterprise) else str(enterprise).strip()
    expanded = _expand(model, wanted)
    for candidate in found:
        if candidate.iri in (wanted, expanded):
            return candidate
    by_label = [e for e in found if e.label is not None and e.label.casefold() == wanted.casefold()]
    if len(by_label) == 1:
        return by_label[0]
    if not found:
        raise EnterpriseError(
            f"the model holds no enterprise (bm:Enterprise), so there is no {wanted!r} to choose",
            enterprises=[],
            name=wanted,
        )
    raise EnterpriseError(
        f"the model holds no enterprise {wanted!r}: choose {_choices(found)}",
        enterprises=[e.iri for e in found],
        name=wanted,
    )


def _choices(found: Iterable[Enterprise]) -> str:
    names = [f"<{e.iri}>" + (f" ({e.label})" if e.label else "") for e in found]
    return ", ".join(names[:-1]) + " or " + names[-1] if len(names) > 1 else "".join(names)


def _expand(model: KnowledgeGraph, text: str) -> str:
    prefix, colon, local = text.partition(":")
    if not colon or local.startswith("//"):
        return text
    namespace = {**STANDARD_PREFIXES, **model.prefixes}.get(prefix)
    return namespace + local if namespace is not None else text


# --------------------------------------------------------------------------------------------
# Placement


@cache
def _shared_classes() -> frozenset[str]:
    """The classes of reference data: marked bm:sharedAcrossEnterprises, and their subclasses."""
    graph = ontology_graph()
    marked = {str(c) for c in graph.subjects(BM._NS["sharedAcrossEnterprises"], Literal(True))}
    found = set(marked)
    changed = True
    while changed:
        changed = False
        for sub, sup in graph.subject_objects(RDFS.subClassOf):
            if str(sup) in found and str(sub) not in found:
                found.add(str(sub))
                changed = True
    return frozenset(found)


class _Facts:
    """The typed nodes and the links between nodes of a model's data."""

    def __init__(self) -> None:
        self.types: dict[str, set[str]] = defaultdict(set)
        self.links: set[tuple[str, str, str]] = set()
        self.subjects: set[str] = set()

    def add(self, subject: str, predicate: str, obj: str | None) -> None:
        if subject.startswith(_CLOSED) or subject == str(ONTOLOGY_IRI):
            return  # a term of the ontology or the shapes, not of the enterprise
        self.subjects.add(subject)
        if obj is None:
            return
        if predicate == _TYPE:
            self.types[subject].add(obj)
        elif not obj.startswith(_CLOSED):
            self.links.add((subject, predicate, obj))

    def discard(self, subject: str, predicate: str, obj: str | None) -> None:
        if obj is None:
            return
        if predicate == _TYPE:
            self.types.get(subject, set()).discard(obj)
        else:
            self.links.discard((subject, predicate, obj))


# The statements between nodes (a node with only literals has a type, or is no element).
_DATA = """
SELECT ?s ?p ?o WHERE {
  ?s ?p ?o .
  FILTER (!isLITERAL(?o) && (isBLANK(?s) || !STRSTARTS(STR(?s), "https://w3id.org/bmkg/")))
}
"""

Statement = ox.Quad | ox.Triple


def _facts(
    model: KnowledgeGraph | rdflib.Graph, add: Iterable[Statement], remove: Iterable[Statement]
) -> _Facts:
    facts = _Facts()
    if isinstance(model, rdflib.Graph):
        for s, p, o in model:
            if not isinstance(o, Literal):
                facts.add(_key(s), str(p), _key(o))
    else:
        answer = model.query(_DATA)
        assert isinstance(answer, ox.QuerySolutions)
        for row in answer:
            facts.add(_key(row["s"]), row["p"].value, _key(row["o"]))
    for statement in remove:
        if not isinstance(statement.object, ox.Literal):
            facts.discard(
                _key(statement.subject), statement.predicate.value, _key(statement.object)
            )
    for statement in add:
        if not isinstance(statement.object, ox.Literal):
            facts.add(_key(statement.subject), statement.predicate.value, _key(statement.object))
    return facts


def placement(
    model: KnowledgeGraph | rdflib.Graph,
    *,
    add: Iterable[Statement] = (),
    remove: Iterable[Statement] = (),
) -> Placement:
    """Which enterprise each element of ``model`` belongs to (see the module's rules).

    ``add`` and ``remove`` are the statements of a write not made yet: the placement is then
    that of the model as it would be after it.
    """
    add, remove = list(add), list(remove)
    found = tuple(e.iri for e in enterprises(model))
    typed = [
        s
        for s in add
        if s.predicate.value == _TYPE
        and isinstance(s.object, ox.NamedNode)
        and s.object.value == _ENTERPRISE
    ]
    if len(found) + len(typed) < 2:
        return Placement(found, {})  # one enterprise at most, before the write and after it
    facts = _facts(model, add, remove)
    found = tuple(sorted(n for n, types in facts.types.items() if _ENTERPRISE in types))
    if len(found) < 2:
        return Placement(found, {})
    shared_classes = _shared_classes()
    companies = set(found)
    reference = {
        n for n, types in facts.types.items() if types & shared_classes and n not in companies
    }
    elements = {
        n
        for n, types in facts.types.items()
        if n not in companies and n not in reference and any(t.startswith(_BM) for t in types)
    }

    # bm:belongsTo an enterprise places an element; several such make it shared.
    stated: dict[str, set[str]] = defaultdict(set)
    for s, p, o in facts.links:
        if p == _BELONGS_TO and o in companies and s in elements:
            stated[s].add(o)

    # The links that carry placement: between elements, and between an element and an
    # enterprise (bm:belongsTo an enterprise excepted: it is a statement, not a path).
    neighbours: dict[str, set[str]] = defaultdict(set)
    for s, p, o in facts.links:
        if p == _BELONGS_TO and o in companies:
            continue
        if (s in elements or s in companies) and (o in elements or o in companies):
            if s in companies and o in companies:
                continue  # an enterprise part of a group is no path between their elements
            neighbours[s].add(o)
            neighbours[o].add(s)

    owner: dict[str, str] = {}
    frontier = [(e, e) for e in found] + sorted(
        (n, next(iter(owners))) for n, owners in stated.items() if len(owners) == 1
    )
    while frontier:
        # Each node first reached at this distance goes to the enterprise most of its links at
        # the previous distance lead from (ties: the first by IRI), so that one stray link does
        # not carry an element away from the enterprise the rest of its links lead to.
        votes: dict[str, Counter[str]] = defaultdict(Counter)
        for node, company in frontier:
            for other in neighbours.get(node, ()):
                if other in companies or other in stated or other in owner:
                    continue
                votes[other][company] += 1
        frontier = []
        for other in sorted(votes):
            company = min(votes[other], key=lambda c: (-votes[other][c], c))
            owner[other] = company
            frontier.append((other, company))

    of: dict[str, frozenset[str]] = {e: frozenset({e}) for e in found}
    for node in elements:
        if node in stated:
            of[node] = frozenset(stated[node])
        elif node in owner:
            of[node] = frozenset({owner[node]})
        else:
            of[node] = frozenset()

    # Every other node of the data (reference data, a document an element cites) goes with the
    # elements linked to it, or to one linked to it through other such nodes; placement does not
    # flow back from them to elements. Nodes no element reaches belong to every enterprise.
    others = facts.subjects - set(of)
    parent = {n: n for n in others}

    def root(n: str) -> str:
        while parent[n] != n:
            parent[n] = parent[parent[n]]
            n = parent[n]
        return n

    for s, _, o in facts.links:
        if s in others and o in others:
            parent[root(s)] = root(o)
    reach: dict[str, set[str]] = defaultdict(set)
    for s, _, o in facts.links:
        for node, other in ((s, o), (o, s)):
            if node in others and other in of:
                reach[root(node)] |= of[other]
    for n in others:
        of[n] = frozenset(reach.get(root(n), ()))

    crossings = []
    for s, p, o in facts.links:
        if p == _BELONGS_TO and o in companies:
            continue
        if s in companies and o in companies:
            continue
        if not ((s in elements or s in companies) and (o in elements or o in companies)):
            continue
        mine, theirs = of[s], of[o]
        if mine and theirs and not mine & theirs:
            crossings.append(Crossing(s, p, o, tuple(sorted(mine)), tuple(sorted(theirs))))
    return Placement(
        enterprises=found,
        of=of,
        shared=frozenset(n for n, owners in stated.items() if len(owners) > 1),
        unplaced=tuple(sorted(n for n in elements if not of[n])),
        crossings=tuple(sorted(crossings, key=lambda c: (c.subject, c.predicate, c.object))),
        elements=frozenset(elements),
    )


# --------------------------------------------------------------------------------------------
# Evidence against its own enterprise's as-of date


@dataclass(frozen=True)
class EvidenceAfterAsOf:
    """Evidence dated after the as-of date of the enterprise it belongs to."""

    evidence: str
    date: str
    as_of: str
    enterprise: str


_EVIDENCE_DATES = """
SELECT ?this ?date ?asOf ?enterprise WHERE {
  ?this a/rdfs:subClassOf* bm:Evidence ; dcterms:date ?date .
  ?enterprise a bm:Enterprise ; bm:asOfDate ?asOf .
  FILTER (?date > ?asOf)
}
"""


def evidence_after_as_of(
    model: KnowledgeGraph | rdflib.Graph, placed: Placement | None = None
) -> list[EvidenceAfterAsOf]:
    """In a model of several enterprises, the evidence dated after its enterprise's as-of date.

    With one enterprise the shapes check this themselves (``bmsh:EvidenceWarningShape``);
    with several they cannot tell which as-of date applies, so :mod:`kg.validation` reports
    these against that shape instead.
    """
    placed = placed if placed is not None else placement(model)
    if not placed.several:
        return []
    found = []
    if isinstance(model, rdflib.Graph):
        rows: Iterator[tuple[Node, Node, Node, Node]] = (
            (r[0], r[1], r[2], r[3])  # type: ignore[index, misc]
            for r in model.query(_EVIDENCE_DATES, initNs=_NAMESPACES)
        )
        for subject, day, as_of, owner in rows:
            if _key(owner) in placed.of.get(_key(subject), ()):
                found.append(EvidenceAfterAsOf(_key(subject), str(day), str(as_of), _key(owner)))
        return found
    answer = model.query(_EVIDENCE_DATES)
    assert isinstance(answer, ox.QuerySolutions)
    for row in answer:
        this, company = _key(row["this"]), _key(row["enterprise"])
        if company in placed.of.get(this, ()):
            found.append(EvidenceAfterAsOf(this, row["date"].value, row["asOf"].value, company))
    return found


_NAMESPACES = {
    "bm": rdflib.Namespace(_BM),
    "rdfs": RDFS,
    "dcterms": rdflib.Namespace("http://purl.org/dc/terms/"),
}


# --------------------------------------------------------------------------------------------
# One enterprise's view


def slug(name: str) -> str:
    """A file or folder name for an enterprise: ``Alpina Telecom AG`` gives
    ``alpina-telecom-ag`` (an IRI gives its last segment)."""
    text = re.sub(r"[^a-z0-9]+", "-", name.casefold().rsplit("/", 1)[-1].rsplit("#", 1)[-1])
    return text.strip("-") or "enterprise"


def enterprise_of(model: KnowledgeGraph, iri: str) -> Enterprise | None:
    """The enterprise ``iri`` belongs to: the model's only one, or in a model of several the
    first (by IRI) its placement names; ``None`` when it is in none."""
    found = enterprises(model)
    if len(found) < 2:
        return found[0] if found else None
    owners = placement(model).of.get(iri, frozenset())
    return next((e for e in found if e.iri in owners), None)


@dataclass(frozen=True)
class View:
    """What one enterprise's answers read: its view of the model with its amounts in one
    currency (:func:`kg.money.converted`), the enterprise (``None`` for a model without one),
    and what the answers must say about the money."""

    model: KnowledgeGraph
    enterprise: Enterprise | None
    notes: tuple[str, ...] = ()


Choice: TypeAlias = "str | Enterprise | View | None"
"""How a caller names the enterprise to answer for: its IRI, CURIE or label, the
:class:`Enterprise`, a :class:`View` made for it, or ``None`` for the model's only one."""


def view(model: KnowledgeGraph, enterprise: Choice = None) -> View:
    """:func:`scoped`, with its amounts in the enterprise's reporting currency.

    A :class:`View` already made of ``model`` is returned as it is: a caller that answers
    several requests for one enterprise (the API, between writes) makes the view once.

    Raises
    ------
    EnterpriseError
        ``enterprise`` is not one of the model's, or is ``None`` in a model of several.
    """
    if isinstance(enterprise, View):
        return enterprise
    chosen = resolve(model, enterprise)
    conversion = money.converted(scoped(model, chosen))
    return View(conversion.model, chosen, conversion.notes)


def scoped(
    model: KnowledgeGraph,
    enterprise: Choice = None,
    *,
    placed: Placement | None = None,
) -> KnowledgeGraph:
    """The model as ``enterprise`` sees it (see the module's docstring).

    For a :class:`View` that is the view's model (with its amounts converted).

    A model of one enterprise (or none) is its own view: it is returned as it is. In a model
    of several, the view is an in-memory copy; writes to it do not reach the model. Pass
    ``placed`` to reuse a :func:`placement` when making the views of several enterprises.

    Raises
    ------
    EnterpriseError
        ``enterprise`` is not one of the model's, or is ``None`` in a model of several.
    """
    if isinstance(enterprise, View):
        return enterprise.model
    chosen = resolve(model, enterprise)
    placed = placed if placed is not None else placement(model)
    if chosen is None or not placed.several:
        return model
    view = KnowledgeGraph()
    for prefix, namespace in model.prefixes.items():
        view.bind(prefix, namespace)
    view.store.extend(_view_quads(model, placed, chosen.iri))
    return view


def _view_quads(model: KnowledgeGraph, placed: Placement, enterprise: str) -> Iterator[ox.Quad]:
    ontology = str(ONTOLOGY_IRI)
    for quad in model.quads():
        graph = quad.graph_name
        if isinstance(graph, ox.NamedNode):
            if graph.value.startswith(REPEATS):
                continue
            if graph.value == ontology:
                yield quad
                continue
        if not placed.allows(_key(quad.subject), enterprise):
            continue
        if not isinstance(quad.object, ox.Literal) and not placed.allows(
            _key(quad.object), enterprise
        ):
            continue
        yield quad


# --------------------------------------------------------------------------------------------


def _key(term: object) -> str:
    """One spelling for a node of either library: the IRI, or ``_:`` and the blank node's id."""
    if isinstance(term, ox.NamedNode | URIRef):
        return str(term.value if isinstance(term, ox.NamedNode) else term)
    if isinstance(term, ox.BlankNode):
        return "_:" + term.value
    if isinstance(term, BNode):
        return "_:" + str(term)
    if isinstance(term, ox.Literal | Literal):
        return ""
    raise TypeError(f"unexpected term {term!r}")


def node(key: str) -> Node:
    """The rdflib term a :func:`placement` key stands for."""
    return BNode(key[2:]) if key.startswith("_:") else URIRef(key)
