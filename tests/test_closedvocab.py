"""kg.closedvocab: a misspelt term of the ontology fails validation and names the real one."""

from __future__ import annotations

from pathlib import Path

import pytest
import rdflib

from kg.closedvocab import unknown_terms
from kg.entities import check_write
from kg.errors import WriteRejectedError
from kg.model import open_model
from kg.sparql import apply_update
from kg.store import KnowledgeGraph
from kg.validation import validate

DATA = Path(__file__).resolve().parent.parent / "data"
MINIMAL = Path(__file__).resolve().parent / "fixtures" / "minimal.ttl"
BM = "https://w3id.org/bmkg/ontology#"
PREFIXES = (
    "PREFIX bm: <https://w3id.org/bmkg/ontology#>\nPREFIX bmv: <https://w3id.org/bmkg/vocab#>\n"
    "PREFIX ex: <https://example.org/x/>\n"
)


def model_with(turtle: str, base: Path = DATA / "telco") -> KnowledgeGraph:
    model = open_model(base)
    model.store.update(
        PREFIXES
        + "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
        + f"INSERT DATA {{ GRAPH <urn:x:extra> {{ {turtle} }} }}"
    )
    return model


@pytest.mark.parametrize(
    ("turtle", "message"),
    [
        (
            'ex:seg a bm:CustomerSegmnt ; rdfs:label "Students" .',
            "bm:CustomerSegmnt is not a class of the ontology; did you mean bm:CustomerSegment?",
        ),
        (
            "<https://example.org/alpina/ch-shops> bm:reachesSegmnt ex:seg .",
            "bm:reachesSegmnt is not a property of the ontology; did you mean bm:reachesSegment?",
        ),
        (
            "<https://example.org/alpina/ch-shops> bm:lifecycleStatus bm:Lve .",
            "bm:Lve is not a term of the ontology; did you mean bmv:Live?",
        ),
        (
            "<https://example.org/alpina/ch-shops> bm:lifecycleStatus bm:Live .",
            "bm:Live was renamed bmv:Live in version 0.2.0 of the ontology; `kg migrate` rewrites "
            "a model's files to the new names",
        ),
        (
            'ex:seg a bm:customersegment ; rdfs:label "Students" .',
            "bm:customersegment is not a class of the ontology; did you mean bm:CustomerSegment?",
        ),
        (
            'bm:MyOwnThing a bm:CustomerSegment ; rdfs:label "Mine" .',
            "bm:MyOwnThing is not a term of the ontology; name your own things in a namespace "
            "of your own",
        ),
    ],
    ids=["class", "property", "concept", "renamed", "case", "minted"],
)
@pytest.mark.parametrize("engine", ["sparql", "pyshacl"])
def test_an_unknown_term_is_a_violation_that_suggests_the_real_one(
    turtle: str, message: str, engine: str
) -> None:
    # pySHACL on the minimal model: the check is the same on any model, and telco takes it
    # seconds a case (that the examples use only the ontology's terms is checked below).
    base = DATA / "telco" if engine == "sparql" else MINIMAL
    report = validate(model_with(turtle, base), engine=engine)  # type: ignore[arg-type]
    assert not report.conforms
    closed = [r for r in report.results if r.shape == "bmsh:ClosedVocabulary"]
    assert {r.message for r in closed} == {message}
    assert {r.severity.value for r in closed} == {"Violation"}
    assert {r.component for r in closed} == {"ClosedVocabularyConstraintComponent"}


def test_each_use_is_a_result_with_its_place() -> None:
    model = model_with(
        "<https://example.org/alpina/ch-shops> bm:reachesSegmnt ex:a . "
        "<https://example.org/alpina/ch-online> bm:reachesSegmnt ex:b ."
    )
    (term,) = unknown_terms(model)
    assert (term.term, term.position, term.suggestion) == (
        BM + "reachesSegmnt",
        "property",
        BM + "reachesSegment",
    )
    assert {str(u.subject) for u in term.uses} == {
        "https://example.org/alpina/ch-shops",
        "https://example.org/alpina/ch-online",
    }
    closed = [r for r in validate(model).results if r.shape == "bmsh:ClosedVocabulary"]
    assert sorted((r.focus_node, r.path) for r in closed) == [
        ("tel:ch-online", "bm:reachesSegmnt"),
        ("tel:ch-shops", "bm:reachesSegmnt"),
    ]


@pytest.mark.parametrize("example", ["telco", "bank"])
def test_the_examples_use_only_terms_of_the_ontology(example: str) -> None:
    assert unknown_terms(open_model(DATA / example)) == []


def test_the_ontology_itself_uses_only_its_terms() -> None:
    from kg.ontology import ontology_graph

    assert unknown_terms(ontology_graph()) == []


def test_an_rdflib_graph_is_checked_too() -> None:
    graph = rdflib.Graph()
    graph.add((rdflib.URIRef("urn:x:a"), rdflib.RDF.type, rdflib.URIRef(BM + "ValuePropositon")))
    (term,) = unknown_terms(graph)
    assert term.suggestion == BM + "ValueProposition"
    assert not validate(graph).conforms


def test_focus_nodes_limit_the_check_to_their_statements() -> None:
    model = model_with("ex:a bm:reachesSegmnt ex:b . ex:c a bm:Segmnt .")
    only_a = unknown_terms(model, focus_nodes=[rdflib.URIRef("https://example.org/x/a")])
    assert [t.term for t in only_a] == [BM + "reachesSegmnt"]


def test_a_write_with_an_unknown_term_is_refused() -> None:
    model = open_model(DATA / "telco")
    update = (
        "INSERT DATA { GRAPH <urn:x:g> { <https://example.org/alpina/ch-shops> "
        "bm:reachesSegmnt <https://example.org/alpina/seg-seniors> } }"
    )
    with pytest.raises(WriteRejectedError) as refused:
        apply_update(model, update)
    assert [r.message for r in refused.value.report.results] == [
        "bm:reachesSegmnt is not a property of the ontology; did you mean bm:reachesSegment?"
    ]
    assert model.query("ASK { ?s bm:reachesSegmnt ?o }").__bool__() is False


def test_a_write_keeps_working_beside_an_old_unknown_term() -> None:
    # Violations the model already had do not block a write; the typo does not grow.
    model = model_with("ex:a bm:reachesSegmnt ex:b .")
    import pyoxigraph as ox

    label = ox.Quad(
        ox.NamedNode("https://example.org/x/a"),
        ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label"),
        ox.Literal("A"),
        ox.NamedNode("urn:x:extra"),
    )
    assert check_write(model, add=[label]).conforms
