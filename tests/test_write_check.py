"""Writes are checked as strictly as full validation, on every entity type.

A write is checked on the neighbourhood of what it touches (:func:`kg.entities.check_write`).
For each single-entity write below (a statement added, removed or replaced), the violations that
a full validation of the written model has and the model had not must be exactly the ones the
write check reports. The model is ``tests/fixtures/minimal.ttl``, which holds one entity of
every type; the writes are a sweep over every entity and every property its shapes constrain,
each given values of the wrong kind, and Hypothesis's random writes besides.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
import rdflib
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib.namespace import OWL, RDF, RDFS, SH, SKOS

from kg.entities import check_write
from kg.model import open_model
from kg.ontology import ONTOLOGY_IRI, ontology_graph, shapes_graph
from kg.store import KnowledgeGraph
from kg.validation import Severity, ValidationReport, validate

MINIMAL = Path(__file__).resolve().parent / "fixtures" / "minimal.ttl"
BM = "https://w3id.org/bmkg/ontology#"
BMV = "https://w3id.org/bmkg/vocab#"
RDF_TYPE = ox.NamedNode(str(RDF.type))
RDFS_LABEL = ox.NamedNode(str(RDFS.label))
XSD = "http://www.w3.org/2001/XMLSchema#"
ONTOLOGY = ox.NamedNode(str(ONTOLOGY_IRI))

LITERALS = (
    ox.Literal("A new name"),
    ox.Literal("Ein neuer Name", language="de"),
    ox.Literal("3", datatype=ox.NamedNode(XSD + "integer")),
    ox.Literal("-1", datatype=ox.NamedNode(XSD + "integer")),
    ox.Literal("0.5", datatype=ox.NamedNode(XSD + "decimal")),
    ox.Literal("-1200000.00", datatype=ox.NamedNode(XSD + "decimal")),
    ox.Literal("2026-01-31", datatype=ox.NamedNode(XSD + "date")),
    ox.Literal("true", datatype=ox.NamedNode(XSD + "boolean")),
    ox.Literal("eur"),
)


@cache
def minimal() -> KnowledgeGraph:
    return open_model(MINIMAL)


@cache
def quads() -> frozenset[ox.Quad]:
    return frozenset(minimal().store.quads_for_pattern(None, None, None, None))


@cache
def entities() -> tuple[tuple[ox.NamedNode, ox.NamedNode, str], ...]:
    """(entity, its graph, its class) for every typed entity of the model, sorted."""
    found = {
        (q.subject, q.graph_name, q.object.value)
        for q in quads()
        if q.predicate == RDF_TYPE
        and isinstance(q.subject, ox.NamedNode)
        and q.graph_name != ONTOLOGY
        and q.object.value.startswith(BM)
    }
    return tuple(sorted(found, key=str))  # type: ignore[arg-type]


@cache
def constrained() -> dict[str, tuple[ox.NamedNode, ...]]:
    """The properties the shapes constrain, by the class whose shapes constrain them."""
    shapes, ontology = shapes_graph(), ontology_graph()
    by_class: dict[str, set[str]] = {}
    for shape, target in shapes.subject_objects(SH.targetClass):
        paths = by_class.setdefault(str(target), set())
        for prop in shapes.objects(shape, SH.property):
            path = shapes.value(prop, SH.path)
            if isinstance(path, rdflib.URIRef):
                paths.add(str(path))
        for constraint in shapes.objects(shape, SH.sparql):
            text = str(shapes.value(constraint, SH.select))
            for name in re.findall(r"\$this\s+(bm:\w+|<[^>]+>)", text):
                paths.add(BM + name[3:] if name.startswith("bm:") else name.strip("<>"))
    # A class is constrained by the shapes of its superclasses too.
    result = {}
    for cls in {c for _, _, c in entities()}:
        supers = {str(s) for s in ontology.transitive_objects(rdflib.URIRef(cls), RDFS.subClassOf)}
        names = set().union(*(by_class.get(s, set()) for s in supers))
        result[cls] = tuple(ox.NamedNode(n) for n in sorted(names))
    return result


@cache
def wrong_values(cls: str) -> tuple[ox.NamedNode | ox.Literal, ...]:
    """A node of another class, a concept, a misspelt term and a literal."""
    other = next(e for e, _, c in entities() if c != cls)
    return (other, ox.NamedNode(BMV + "Live"), ox.NamedNode(BM + "Lve"), LITERALS[3])


@cache
def terms() -> tuple[ox.NamedNode, ...]:
    graph = ontology_graph()
    names = {str(s) for s in graph.subjects(RDF.type, OWL.Class)}
    names |= {str(s) for s in graph.subjects(RDF.type, SKOS.Concept)}
    return tuple(ox.NamedNode(n) for n in sorted(names) if n.startswith(BM))


def violations(report: ValidationReport) -> set[tuple[Any, ...]]:
    return {
        (r.focus_node, r.path, r.value, r.shape, r.component, r.message)
        for r in report.results
        if r.severity is Severity.VIOLATION
    }


@cache
def before() -> frozenset[tuple[Any, ...]]:
    return frozenset(violations(validate(minimal())))


def written(removed: list[ox.Quad], added: list[ox.Quad]) -> KnowledgeGraph:
    store = ox.Store()
    store.extend(q for q in quads() if q not in removed)
    store.extend(added)
    model = KnowledgeGraph(backend=store)
    for prefix, namespace in minimal().prefixes.items():
        model.bind(prefix, namespace)
    return model


def same_judgement(removed: list[ox.Quad], added: list[ox.Quad]) -> None:
    new = violations(validate(written(removed, added))) - before()
    checked = check_write(minimal(), remove=removed, add=added)
    assert violations(checked) == new, (removed, added)
    assert checked.conforms == (not new)


def sweep() -> list[Any]:
    cases = []
    for entity, graph, cls in entities():
        for predicate in constrained()[cls]:
            for value in wrong_values(cls):
                cases.append(
                    pytest.param(
                        [ox.Quad(entity, predicate, value, graph)],
                        id=f"{entity.value.rsplit('/', 1)[-1]}-{predicate.value.rsplit('#', 1)[-1]}"
                        f"-{getattr(value, 'value', value)}".replace(" ", "_")[:90],
                    )
                )
    return cases


def test_the_sweep_covers_every_entity_type() -> None:
    assert {c for _, _, c in entities()} == set(constrained())
    assert len(sweep()) > 250


@pytest.mark.parametrize("added", sweep())
def test_a_wrong_value_is_judged_by_the_write_check_as_by_full_validation(
    added: list[ox.Quad],
) -> None:
    if added[0] in quads():
        return
    same_judgement([], added)


@st.composite
def writes(draw: Any) -> tuple[list[ox.Quad], list[ox.Quad]]:
    """A random single-entity write: (removed, added) quads."""
    entity, graph, cls = draw(st.sampled_from(entities()))
    own = sorted((q for q in quads() if q.subject == entity and q.graph_name == graph), key=str)
    kind = draw(st.sampled_from(["add", "remove", "replace"]))
    removed = [draw(st.sampled_from(own))] if kind != "add" and own else []
    if kind == "remove":
        return removed, []
    predicate = (
        removed[0].predicate
        if removed
        else draw(st.sampled_from([*constrained()[cls], RDFS_LABEL, RDF_TYPE]))
    )
    value = draw(
        st.one_of(
            st.sampled_from([e for e, _, _ in entities()]),
            st.sampled_from(terms()),
            st.sampled_from(LITERALS),
        )
    )
    added = ox.Quad(entity, predicate, value, graph)
    return removed, [] if added in quads() else [added]


@settings(
    max_examples=100,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(write=writes())
def test_random_writes_are_judged_as_full_validation_judges_them(
    write: tuple[list[ox.Quad], list[ox.Quad]],
) -> None:
    same_judgement(*write)


def test_the_examples_in_the_issue_are_refused() -> None:
    goal, graph, _ = next(e for e in entities() if e[2] == BM + "Goal")
    for value in (ox.NamedNode(BMV + "Live"), ox.NamedNode(BM + "CustomerSegmnt")):
        quad = ox.Quad(goal, ox.NamedNode(BM + "goalFor"), value, graph)
        assert not check_write(minimal(), add=[quad]).conforms, value


def test_a_second_type_of_another_kind_is_refused() -> None:
    """The disjointness shape has classes as its focus: a write that types an element as a
    second kind of thing is checked against them too, as full validation checks it."""
    product = ox.NamedNode("https://example.org/mini/prd-bundle")
    graph = next(g for e, g, _ in entities() if e == product)
    quad = ox.Quad(product, RDF_TYPE, ox.NamedNode(BM + "Service"), graph)
    checked = check_write(minimal(), add=[quad])
    assert not checked.conforms
    assert any("different kinds of thing" in r.message for r in checked.results)
    same_judgement([], [quad])
