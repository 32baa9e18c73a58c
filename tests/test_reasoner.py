"""The ontology is OWL 2 DL: a strict DL reasoner (HermiT, bundled with owlready2) loads it
without ignoring any datatype, finds it consistent with no unsatisfiable class, and finds each
example enterprise consistent with it.

HermiT runs on Java: these tests are skipped on a machine without it, except in CI, where
``.ci/run`` installs it.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
import rdflib
from rdflib.namespace import OWL, RDF, RDFS, XSD
from reasoning import Inconsistent, reason, with_ontology

from kg.ontology import ontology_graph

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = {
    "telco": ROOT / "data" / "telco",
    "bank": ROOT / "data" / "bank",
    "fjord": ROOT / "tests" / "fixtures" / "fjord",
}

owlready2 = pytest.importorskip("owlready2")
if shutil.which("java") is None and os.environ.get("CI") != "true":
    pytest.skip("HermiT needs Java (apt-get install default-jre-headless)", allow_module_level=True)


def test_the_ontology_alone_is_consistent_with_no_unsatisfiable_class(tmp_path: Path) -> None:
    # No datatype is ignored: every range is in the OWL 2 datatype map.
    assert reason(with_ontology(), tmp_path) == []


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_each_example_is_consistent_with_the_ontology(name: str, tmp_path: Path) -> None:
    data = rdflib.Graph()
    for file in sorted(EXAMPLES[name].glob("*.ttl")):
        data.parse(file, format="turtle")
    # The examples' dates are xsd:date, outside the OWL 2 datatype map (the ontology names it
    # with schema:rangeIncludes only): HermiT is told to leave those values aside.
    assert reason(with_ontology(data), tmp_path, ignore_unsupported_datatypes=True) == []


def test_the_reasoner_is_not_vacuous(tmp_path: Path) -> None:
    planted = rdflib.Graph().parse(
        data="""
        @prefix owl: <http://www.w3.org/2002/07/owl#> .
        @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
        <urn:test:Empty> a owl:Class ; rdfs:subClassOf owl:Nothing .
        """,
        format="turtle",
    )
    assert reason(with_ontology(planted), tmp_path) == ["urn:test:Empty"]
    impossible = rdflib.Graph().parse(
        data="<urn:test:thing> a <http://www.w3.org/2002/07/owl#Nothing> .", format="turtle"
    )
    with pytest.raises(Inconsistent):
        reason(with_ontology(impossible), tmp_path)


PREFIXES = """
@prefix ex: <https://example.org/mini/> .
@prefix bm: <https://w3id.org/bmkg/ontology#> .
@prefix bmv: <https://w3id.org/bmkg/vocab#> .
"""
MISTYPED = {
    "product-and-service": "ex:x a bm:Product , bm:Service .",
    "job-and-pain": "ex:x a bm:Job , bm:Pain .",
    "pain-and-gain": "ex:x a bm:Pain , bm:Gain .",
    "segment-and-channel": "ex:x a bm:CustomerSegment , bm:Channel .",
    "partner-and-unit": "ex:x a bm:KeyPartner , bm:OrganisationalUnit .",
    "a-status-as-a-criticality": "ex:x a bm:KeyPartner ; bm:criticality bmv:Live .",
}


@pytest.mark.parametrize("turtle", MISTYPED.values(), ids=list(MISTYPED))
def test_a_planted_mistyping_makes_the_model_inconsistent(turtle: str, tmp_path: Path) -> None:
    planted = rdflib.Graph().parse(data=PREFIXES + turtle, format="turtle")
    with pytest.raises(Inconsistent):
        reason(with_ontology(planted), tmp_path)


BUILT_IN = (str(RDF), str(RDFS), str(OWL), str(XSD))


def test_every_term_the_ontology_uses_is_declared() -> None:
    """OWL 2 DL needs a declaration of every class and property used: those reused from ORG,
    SKOS, DCTERMS, PROV-O, VANN and schema.org too."""
    graph = ontology_graph()
    kinds = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)
    declared = {s for kind in kinds for s in graph.subjects(RDF.type, kind)}
    declared |= set(graph.subjects(RDF.type, OWL.Ontology))
    undeclared = set()
    for _, p, o in graph:
        if not str(p).startswith(BUILT_IN) and p not in declared:
            undeclared.add(f"{p} (as a property)")
        as_class = p == RDF.type or p in (RDFS.subClassOf, RDFS.domain, OWL.equivalentClass)
        reused = isinstance(o, rdflib.URIRef) and not str(o).startswith(BUILT_IN)
        if as_class and reused and o not in declared:
            undeclared.add(f"{o} (as a class)")
    assert sorted(undeclared) == []
