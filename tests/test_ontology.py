"""The ontology parses, every term is labelled and defined, and the names in code agree with it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import rdflib
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS, VANN

from kg.ontology import ONTOLOGY_IRI, ontology_graph, shapes_graph
from kg.vocab import BM, BMV

ROOT = Path(__file__).resolve().parent.parent
NS = str(BM._NS)
VOCAB = str(BMV._NS)


def _terms(graph: rdflib.Graph) -> set[rdflib.URIRef]:
    """The terms of ``bm:`` and ``bmv:``, without the deprecated ones (old names)."""
    deprecated = set(graph.subjects(OWL.deprecated, rdflib.Literal(True)))
    return {
        s
        for s in graph.subjects()
        if isinstance(s, rdflib.URIRef) and str(s).startswith((NS, VOCAB)) and s not in deprecated
    }


def test_every_deprecated_term_names_its_replacement() -> None:
    g = ontology_graph()
    deprecated = set(g.subjects(OWL.deprecated, rdflib.Literal(True)))
    assert len(deprecated) == 113  # 0.2.0 moved the controlled vocabularies to bmv:
    for old in deprecated:
        new = g.value(old, DCTERMS.isReplacedBy)
        assert new in _terms(g), old
        assert (old, RDF.type, None) not in g, f"{old} is deprecated but still declared"


def _used(graph: rdflib.Graph) -> set[rdflib.URIRef]:
    return {
        term
        for triple in graph
        for term in triple
        if isinstance(term, rdflib.URIRef) and str(term).startswith(NS)
    }


def test_ontology_has_metadata_for_documentation_tools() -> None:
    g = ontology_graph()
    assert (ONTOLOGY_IRI, RDF.type, OWL.Ontology) in g
    for predicate in (
        DCTERMS.title,
        DCTERMS.description,
        OWL.versionIRI,
        OWL.versionInfo,
        DCTERMS.license,
        DCTERMS.created,
        DCTERMS.issued,
        DCTERMS.modified,
        DCTERMS.creator,
        DCTERMS.publisher,
        VANN.preferredNamespacePrefix,
        VANN.preferredNamespaceUri,
    ):
        assert g.value(ONTOLOGY_IRI, predicate) is not None, predicate
    for agent in (DCTERMS.creator, DCTERMS.publisher):  # an agent, not a name
        who = g.value(ONTOLOGY_IRI, agent)
        assert isinstance(who, rdflib.URIRef) and (who, RDF.type, DCTERMS.Agent) in g
        assert g.value(who, RDFS.label) is not None


def test_every_term_says_where_it_is_defined() -> None:
    g = ontology_graph()
    missing = sorted(str(t) for t in _terms(g) if g.value(t, RDFS.isDefinedBy) != ONTOLOGY_IRI)
    assert missing == []
    assert str(g.value(ONTOLOGY_IRI, VANN.preferredNamespacePrefix)) == "bm"
    assert str(g.value(ONTOLOGY_IRI, VANN.preferredNamespaceUri)) == NS


@pytest.mark.parametrize("kind", [OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty])
def test_every_class_and_property_is_labelled_and_defined(kind: rdflib.URIRef) -> None:
    g = ontology_graph()
    terms = [t for t in g.subjects(RDF.type, kind) if str(t).startswith(NS)]
    assert terms
    missing = [
        str(t)
        for t in terms
        if not any(lbl.language == "en" for lbl in g.objects(t, RDFS.label))
        or not any(d.language == "en" for d in g.objects(t, SKOS.definition))
    ]
    assert missing == []


def test_every_term_in_the_namespace_is_labelled_and_defined() -> None:
    g = ontology_graph()
    undocumented = sorted(
        str(t)
        for t in _terms(g)
        if g.value(t, RDFS.label) is None or g.value(t, SKOS.definition) is None
    )
    assert undocumented == []


def test_concepts_belong_to_a_scheme_of_their_class() -> None:
    g = ontology_graph()
    for concept_class in g.subjects(RDFS.subClassOf, SKOS.Concept):
        if concept_class == BM.Capability:
            continue  # capabilities are the model's own, not a controlled vocabulary
        members = list(g.subjects(RDF.type, concept_class))
        assert members, f"{concept_class} has no concepts"
        for member in members:
            assert g.value(member, SKOS.inScheme) is not None, member


def test_every_domain_and_range_is_a_declared_class_or_datatype() -> None:
    g = ontology_graph()
    classes = set(g.subjects(RDF.type, OWL.Class))
    schema = rdflib.Namespace("https://schema.org/")
    for predicate in (RDFS.domain, RDFS.range, schema.domainIncludes, schema.rangeIncludes):
        for prop, target in g.subject_objects(predicate):
            if str(target).startswith(NS):
                assert target in classes, f"{prop} {predicate} {target}"


def test_vocabulary_module_matches_the_ontology() -> None:
    in_code = {BM[name] for name in BM.__annotations__}
    in_code |= {BMV[name] for name in BMV.__annotations__}
    assert in_code == _terms(ontology_graph())


def test_misspelt_term_fails_where_it_is_used() -> None:
    with pytest.raises(AttributeError, match="CustomerSegmnt"):
        BM.CustomerSegmnt  # noqa: B018


def test_shapes_use_only_terms_the_ontology_defines() -> None:
    assert _used(shapes_graph()) - _terms(ontology_graph()) == set()


def test_every_class_has_a_shape() -> None:
    g = ontology_graph()
    sh = rdflib.Namespace("http://www.w3.org/ns/shacl#")
    targeted = set(shapes_graph().objects(None, sh.targetClass))
    vocabulary_classes = set(g.subjects(RDFS.subClassOf, SKOS.Concept)) - {BM.Capability}
    model_classes = {
        c for c in g.subjects(RDF.type, OWL.Class) if str(c).startswith(NS)
    } - vocabulary_classes
    unshaped = [
        str(c)
        for c in model_classes
        # a subclass is covered by its superclass's shape (bm:Job by bm:CustomerNeed's)
        if not ({c} | set(g.transitive_objects(c, RDFS.subClassOf))) & targeted
    ]
    assert unshaped == []


def test_terms_named_by_the_finding_rules_exist() -> None:
    """The ten questions and the silo rules walk these links: each must be in the ontology."""
    rules = (ROOT / "data" / "README.md").read_text(encoding="utf-8")
    named = {BM._NS[name] for name in re.findall(r"`?bm:(\w+)", rules)}
    assert named
    assert named - _terms(ontology_graph()) == set()
