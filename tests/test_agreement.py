"""The shapes accept what the ontology declares: a value typed with a property's own range.

For every datatype property of the ontology, a value of its declared range (``rdfs:range``) is
put in place of a node's value in the minimal model, and the shapes must have nothing to say
about it that they did not say before. Where the range allows a language tag (prose, which
people write in their own language), a tagged value must pass too.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest
import rdflib
from rdflib.namespace import OWL, RDF, RDFS, XSD
from rdflib.term import Literal, URIRef

from kg.ontology import ontology_graph
from kg.validation import validate
from kg.vocab import BM, BMV

MINIMAL = Path(__file__).resolve().parent / "fixtures" / "minimal.ttl"
SCHEMA = URIRef("https://schema.org/rangeIncludes")

# What the minimal model lacks: an exchange rate, a reporting currency and a dated contract.
EXTRA = """
@prefix ex: <https://example.org/mini/> .
@prefix bm: <https://w3id.org/bmkg/ontology#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
ex:rate-eur a bm:ExchangeRate ; rdfs:label "EUR to CHF" ; bm:fromCurrency "EUR" ;
    bm:toCurrency "CHF" ; bm:rate 0.94 ; bm:rateDate "2026-06-30"^^xsd:date ;
    dcterms:source "Central bank" .
ex:ctr-cable a bm:Contract ; rdfs:label "Cable network contract" ; bm:contractWith ex:ptn-cable ;
    bm:validFrom "2026-01-01"^^xsd:date ; bm:validUntil "2028-12-31"^^xsd:date .
"""


@cache
def model() -> rdflib.Graph:
    graph = rdflib.Graph().parse(MINIMAL, format="turtle")
    graph.parse(data=EXTRA, format="turtle")
    enterprise = next(graph.subjects(RDF.type, BM.Enterprise))
    graph.add((enterprise, BM.reportingCurrency, Literal("CHF")))
    return graph


def datatype_properties() -> list[tuple[URIRef, URIRef]]:
    onto = ontology_graph()
    found = []
    for prop in sorted(onto.subjects(RDF.type, OWL.DatatypeProperty)):
        # A date's range is named with schema:rangeIncludes: xsd:date is outside the OWL 2
        # datatype map, which a DL reasoner holds an rdfs:range to.
        ranges = list(onto.objects(prop, RDFS.range)) or list(onto.objects(prop, SCHEMA))
        assert len(ranges) == 1, f"{prop} has {len(ranges)} ranges"
        assert isinstance(prop, URIRef) and isinstance(ranges[0], URIRef)
        found.append((prop, ranges[0]))
    return found


def values_of_range(range_: URIRef, example: Literal) -> list[Literal]:
    """Values typed with ``range_``, written as the example value is."""
    text = str(example)
    if range_ == RDF.PlainLiteral:
        return [Literal(text), Literal(text, lang="de")]
    if range_ == XSD.string:
        return [Literal(text)]
    if range_ in {
        *(XSD.integer, XSD.nonNegativeInteger, XSD.positiveInteger, XSD.decimal),
        *(XSD.date, XSD.boolean, XSD.language),
    }:
        return [Literal(text, datatype=range_)]
    raise AssertionError(f"no value is derived for the range {range_}: add one to this test")


def results(graph: rdflib.Graph, engine: str) -> set[tuple[str, str | None, str]]:
    report = validate(graph, engine=engine)  # type: ignore[arg-type]
    return {(r.focus_node, r.path, r.component) for r in report.results}


@pytest.mark.parametrize("engine", ["sparql", "pyshacl"])
def test_the_base_model_is_clean(engine: str) -> None:
    assert results(model(), engine) == set()


@pytest.mark.parametrize(
    ("prop", "range_"), datatype_properties(), ids=lambda v: str(v).split("#")[-1]
)
def test_a_value_of_the_declared_range_is_accepted(prop: URIRef, range_: URIRef) -> None:
    base = model()
    stated = sorted(base.subject_objects(prop))
    assert stated, f"the test model states no {prop}: add it to the test model"
    node, example = stated[0]
    assert isinstance(example, Literal)
    for value in values_of_range(range_, example):
        graph = rdflib.Graph()
        for triple in base:
            graph.add(triple)
        graph.remove((node, prop, None))
        graph.add((node, prop, value))
        for engine in ("sparql", "pyshacl"):
            said = results(graph, engine)
            assert said == set(), f"{value.n3()} for {prop} ({engine}): {said}"


def test_prose_may_carry_a_language_tag() -> None:
    ranges = dict(datatype_properties())
    for prop in (BM.personaGoal, BM.petPeeve, BM.customerAction):
        assert ranges[prop] == RDF.PlainLiteral  # text, with or without a language tag


def test_plain_pyshacl_with_the_ontology_as_ont_graph_finds_telco_clean() -> None:
    """No shape needs the vocabulary in the data graph: pySHACL's ``ont_graph`` copies only the
    class and property axioms into it, not the concepts' ``skos:broader`` links."""
    import pyshacl

    from kg.ontology import shapes_graph

    data = rdflib.Graph()
    for file in sorted((Path(__file__).resolve().parent.parent / "data" / "telco").glob("*.ttl")):
        data.parse(file, format="turtle")
    conforms, report, text = pyshacl.validate(
        data,
        shacl_graph=shapes_graph(),
        ont_graph=ontology_graph(),
        inference="none",
        allow_warnings=True,
    )
    assert conforms, text


def test_each_metric_category_is_accepted_under_its_perspective_only() -> None:
    """The shape's pairs are the vocabulary's: a category passes under the perspective it is
    narrower than (``skos:broadMatch``, across the two schemes) and fails under every other."""
    from rdflib.namespace import SKOS

    onto = ontology_graph()
    perspectives = sorted(onto.subjects(RDF.type, BMV.MetricPerspective))
    categories = sorted(onto.subjects(RDF.type, BMV.MetricCategory))
    assert len(perspectives) == 2 and len(categories) == 6
    metric = next(model().subjects(RDF.type, BM.Metric))
    for category in categories:
        for perspective in perspectives:
            graph = rdflib.Graph()
            for triple in model():
                graph.add(triple)
            graph.set((metric, BM.metricCategory, category))
            graph.set((metric, BM.perspective, perspective))
            said = {component for _, _, component in results(graph, "sparql")}
            allowed = (category, SKOS.broadMatch, perspective) in onto
            expected = set() if allowed else {"SPARQLConstraintComponent"}
            assert said == expected, (category, perspective)
