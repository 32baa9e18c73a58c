"""The SPARQL engine (kg.shacl) against pySHACL, the reference: the same report, result for result.

Every broken fixture of ``tests/test_shapes.py``, the example enterprises and the minimal model are
validated by both engines on the same knowledge graph; the results (every field) and the report
graphs (up to blank-node renaming) must be equal. Tricky values (ill-typed literals, literals where
a class is expected, language-tagged strings...) are checked the same way with small shapes of
their own, compared with pySHACL on the fly.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
import rdflib
from rdflib.compare import isomorphic
from rdflib.namespace import SH
from test_shapes import CASES, MINIMAL, Case, broken_graph

from kg.errors import UnsupportedShapesError
from kg.model import open_model
from kg.ontology import shapes_graph
from kg.shacl import compile_shapes
from kg.store import KnowledgeGraph
from kg.validation import ValidationReport, validate

DATA = Path(__file__).parent.parent / "data"
EX = "https://example.org/mini/"

PREFIXES = """\
@prefix ex:   <https://example.org/t/> .
@prefix rdf:  <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix sh:   <http://www.w3.org/ns/shacl#> .
@prefix xsd:  <http://www.w3.org/2001/XMLSchema#> .
"""


def same_reports(model: KnowledgeGraph | rdflib.Graph, **options: object) -> ValidationReport:
    """Validate with both engines, check they agree on everything, return the SPARQL report."""
    reference = validate(model, engine="pyshacl", **options)  # type: ignore[arg-type]
    compiled = validate(model, engine="sparql", **options)  # type: ignore[arg-type]
    assert Counter(compiled.results) == Counter(reference.results)
    assert compiled.triples == reference.triples
    assert compiled.conforms == reference.conforms
    assert set(compiled.graph.objects(None, SH.conforms)) == set(
        reference.graph.objects(None, SH.conforms)
    )
    assert isomorphic(compiled.graph, reference.graph)
    return compiled


def model_of(graph: rdflib.Graph, folder: Path) -> KnowledgeGraph:
    path = folder / "model.ttl"
    graph.serialize(path, format="turtle")
    return open_model(path)


# --------------------------------------------------------------------------------------------------
# The project's shapes on the project's models
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("case", [pytest.param(c, id=c.id) for c in CASES])
def test_broken_fixture_gives_the_same_report_with_both_engines(case: Case, tmp_path: Path) -> None:
    with model_of(broken_graph(case.remove, case.add), tmp_path) as model:
        report = same_reports(model)
    assert len(report.results) == len(case.expected)


@pytest.mark.parametrize("folder", ["telco", "bank"])
def test_example_enterprise_gives_the_same_report_with_both_engines(folder: str) -> None:
    with open_model(DATA / folder) as model:
        same_reports(model)


def test_minimal_model_gives_the_same_report_with_both_engines() -> None:
    with open_model(MINIMAL) as model:
        assert same_reports(model).results == ()


def test_all_broken_cases_at_once_give_the_same_report(tmp_path: Path) -> None:
    graph = rdflib.Graph().parse(MINIMAL, format="turtle")
    # Cases that add or remove the same triple cannot be combined; the rest break one model.
    for case in CASES:
        broken = broken_graph(case.remove, case.add)
        removed = rdflib.Graph().parse(MINIMAL, format="turtle") - broken
        if all(t in graph for t in removed):
            for triple in removed:
                graph.remove(triple)
            for triple in broken - rdflib.Graph().parse(MINIMAL, format="turtle"):
                graph.add(triple)
    with model_of(graph, tmp_path) as model:
        assert len(same_reports(model).results) > 20


@pytest.mark.parametrize(
    "case",
    [pytest.param(c, id=c.id) for c in CASES if c.id.startswith(("or-", "sparql-", "maxCount"))],
)
def test_focus_nodes_give_the_same_report_with_both_engines(case: Case) -> None:
    graph = broken_graph(case.remove, case.add)
    focus = {rdflib.URIRef(EX + e.focus.removeprefix("ex:")) for e in case.expected}
    focus.add(rdflib.URIRef(EX + "seg-families"))
    report = same_reports(graph, focus_nodes=sorted(focus))
    assert {r.focus_node for r in report.results} <= {f"ex:{n[len(EX) :]}" for n in focus}


def test_a_link_to_the_wrong_kind_is_caught_with_the_linking_node_alone_in_focus() -> None:
    # SHACL engines check an sh:or member against a value only when the value is a focus node
    # itself; the shapes that allow one of several classes are SPARQL constraints, so that a
    # write, validated on the nodes it touches, is held to them all the same.
    case = next(c for c in CASES if c.id == "or-property-cost-incurred-by-segment")
    graph = broken_graph(case.remove, case.add)
    cost, segment = rdflib.URIRef(EX + "cost-network"), rdflib.URIRef(EX + "seg-families")
    assert len(same_reports(graph, focus_nodes=[cost]).results) == 1
    assert len(same_reports(graph, focus_nodes=[cost, segment]).results) == 1


# --------------------------------------------------------------------------------------------------
# Choosing the engine
# --------------------------------------------------------------------------------------------------

CLOSED = (
    PREFIXES
    + """
ex:ThingShape a sh:NodeShape ; sh:targetClass ex:Thing ; sh:closed true ;
    sh:property [ sh:path rdfs:label ] .
"""
)


def test_shapes_the_engine_cannot_compile_fall_back_to_pyshacl() -> None:
    shapes = rdflib.Graph().parse(data=CLOSED, format="turtle")
    data = rdflib.Graph().parse(
        data=PREFIXES + 'ex:a a ex:Thing ; rdfs:label "A" ; ex:other 1 .', format="turtle"
    )
    with pytest.raises(UnsupportedShapesError, match="sh:closed"):
        compile_shapes(shapes)
    with pytest.raises(UnsupportedShapesError, match="sh:closed"):
        validate(data, shapes=shapes, engine="sparql")
    auto = validate(data, shapes=shapes)
    assert auto.results == validate(data, shapes=shapes, engine="pyshacl").results
    assert [(r.component, r.path) for r in auto.results] == [
        ("ClosedConstraintComponent", "rdf:type"),
        ("ClosedConstraintComponent", "ex:other"),
    ] or [(r.component, r.path) for r in auto.results] == [
        ("ClosedConstraintComponent", "ex:other"),
        ("ClosedConstraintComponent", "rdf:type"),
    ]


@pytest.mark.parametrize(
    "feature",
    [
        "sh:qualifiedValueShape [ sh:class ex:Thing ] ; sh:qualifiedMinCount 1",
        "sh:node ex:Other",
        "sh:minLength 3",
    ],
)
def test_unsupported_features_are_named(feature: str) -> None:
    shapes = rdflib.Graph().parse(
        data=PREFIXES
        + f"ex:S sh:targetClass ex:Thing ; sh:property [ sh:path ex:p ; {feature} ] .",
        format="turtle",
    )
    with pytest.raises(UnsupportedShapesError, match=feature.split()[0][:12]):
        compile_shapes(shapes)


def test_an_unknown_engine_is_refused() -> None:
    with pytest.raises(ValueError, match="engine"):
        validate(rdflib.Graph(), engine="fast")  # type: ignore[arg-type]


def test_the_project_shapes_compile() -> None:
    assert len(compile_shapes(shapes_graph())) == len(
        {s for p in (SH.targetClass, SH.targetSubjectsOf) for s in shapes_graph().subjects(p, None)}
    )


# --------------------------------------------------------------------------------------------------
# Tricky values, each compared with pySHACL (shapes without messages: pySHACL's own wording)
# --------------------------------------------------------------------------------------------------

TRICKY_SHAPES = (
    PREFIXES
    + """
ex:ThingShape a sh:NodeShape ; sh:targetClass ex:Thing ;
    sh:property [ sh:path ex:count ; sh:datatype xsd:integer ] ;
    sh:property [ sh:path ex:when ; sh:datatype xsd:date ] ;
    sh:property [ sh:path ex:flag ; sh:datatype xsd:boolean ] ;
    sh:property [ sh:path ex:name ; sh:datatype xsd:string ] ;
    sh:property [ sh:path ex:text ; sh:datatype rdf:langString ] ;
    sh:property [ sh:path ex:anything ; sh:datatype rdfs:Literal ] ;
    sh:property [ sh:path ex:link ; sh:class ex:Thing ] ;
    sh:property [ sh:path ex:link ; sh:nodeKind sh:IRI ] ;
    sh:property [ sh:path ex:count ; sh:minInclusive 0 ; sh:maxInclusive 10 ] ;
    sh:property [ sh:path ex:when ; sh:minInclusive "2020-01-01"^^xsd:date ] ;
    sh:property [ sh:path ex:code ; sh:pattern "^[A-Z]{3}$" ] ;
    sh:property [ sh:path ex:link ; sh:pattern "^https://example.org/t/[a-z]$" ] ;
    sh:property [ sh:path ex:low ; sh:lessThanOrEquals ex:high ] ;
    sh:property [ sh:path ex:count ; sh:minCount 1 ; sh:maxCount 1 ] ;
    sh:property [ sh:path [ sh:inversePath ex:link ] ; sh:maxCount 2 ] ;
    sh:property [ sh:path ex:link ; sh:or ( [ sh:class ex:Thing ] [ sh:class ex:Other ] ) ] ;
    sh:property [ sh:path ex:colour ; sh:in ( "red" ex:blue 3 ) ; sh:message "colour"@en ] ;
    sh:property [ sh:path ex:colour ; sh:in ( "red" ex:blue ) ; sh:message "no number"@en ] ;
    sh:property [ sh:path ex:code ; sh:in ( "CHF" ex:CHF "EUR" ) ; sh:message "code"@en ] ;
    sh:sparql [ sh:select "SELECT * WHERE { $this ex:link ?other . ?other ex:link $this }" ;
                sh:message "{$this} and {?other} link each other"@en ] ;
    sh:sparql [ sh:select "SELECT ?value { $this ex:count ?value FILTER sameTerm(?value, 7) }" ;
                sh:message "{$this} counts {?value}" ] .
"""
)

TRICKY_DATA = (
    PREFIXES
    + """
ex:Sub rdfs:subClassOf ex:Thing .
ex:a a ex:Thing ; rdfs:label "A" ;
    ex:count "abc"^^xsd:integer , 12 ; ex:when "2026-02-30"^^xsd:date , "2019-05-01"^^xsd:date ;
    ex:flag "yes"^^xsd:boolean ; ex:name "plain" , "tagged"@en , 5 ; ex:text "x"@de , "y" ;
    ex:anything ex:b ; ex:link ex:b , "not a node" , ex:c , _:blank ;
    ex:code "CHF" , "chf" , "CHF\\n" , ex:CHF ; ex:low 5 , "a" ; ex:high 4 , "b" ;
    ex:colour "red" , "red"@en , ex:blue , 3 , 3.0 .
ex:b a ex:Sub ; ex:count 7 ; ex:link ex:a .
ex:c a ex:Other ; ex:link ex:a .
ex:d a ex:Thing ; ex:count 1 ; ex:link ex:a .
ex:e a ex:Thing ; ex:count "1"^^xsd:decimal ; ex:when "2020-01-01"^^xsd:date .
_:blank ex:note "anonymous" .
ex:f a ex:Sub .
"""
)


def test_tricky_values_are_judged_as_pyshacl_judges_them(tmp_path: Path) -> None:
    shapes = rdflib.Graph().parse(data=TRICKY_SHAPES, format="turtle")
    compile_shapes(shapes)  # everything here compiles
    path = tmp_path / "tricky.ttl"
    path.write_text(TRICKY_DATA)
    with open_model(path) as model:
        report = same_reports(model, shapes=shapes)
    components = Counter(r.component for r in report.results)
    assert set(components) >= {
        "DatatypeConstraintComponent",
        "ClassConstraintComponent",
        "NodeKindConstraintComponent",
        "MinInclusiveConstraintComponent",
        "MaxInclusiveConstraintComponent",
        "PatternConstraintComponent",
        "LessThanOrEqualsConstraintComponent",
        "MaxCountConstraintComponent",
        "MinCountConstraintComponent",
        "OrConstraintComponent",
        "InConstraintComponent",
        "SPARQLConstraintComponent",
    }


@pytest.mark.parametrize(
    ("value", "rule"),
    [
        ('"abc"^^xsd:integer', "xsd:integer"),
        ('"1.5"^^xsd:integer', "xsd:integer"),
        ('"2026-13-01"^^xsd:date', "xsd:date"),
        ('"tagged"@en', "xsd:string"),
        ('"plain"', "rdf:langString"),
        ("ex:iri", "rdfs:Literal"),
        ('"3000000000"^^xsd:int', "xsd:int"),
        ('"x"^^ex:custom', "ex:custom"),
        ('"de-CH"^^xsd:language', "xsd:language"),
    ],
)
def test_each_datatype_edge_case_matches_pyshacl(value: str, rule: str, tmp_path: Path) -> None:
    shapes = rdflib.Graph().parse(
        data=PREFIXES
        + f"ex:S sh:targetClass ex:Thing ; sh:property [ sh:path ex:p ; sh:datatype {rule} ] .",
        format="turtle",
    )
    path = tmp_path / "value.ttl"
    path.write_text(PREFIXES + f"ex:a a ex:Thing ; ex:p {value} .")
    with open_model(path) as model:
        same_reports(model, shapes=shapes)


def test_a_model_without_the_ontology_is_validated_with_it() -> None:
    graph = broken_graph("ex:vp-family bm:targetsSegment ex:seg-families .", "")
    model = KnowledgeGraph()
    with_ontology = model_of_store(graph, model)
    assert with_ontology.graphs() == ["urn:test"]
    report = same_reports(with_ontology)
    assert [r.focus_node for r in report.results] == [f"<{EX}vp-family>"]


def model_of_store(graph: rdflib.Graph, model: KnowledgeGraph) -> KnowledgeGraph:
    import pyoxigraph as ox

    from kg.rdflibstore import ox_term

    name = ox.NamedNode("urn:test")
    model.store.extend(
        ox.Quad(ox_term(s), ox_term(p), ox_term(o), name)  # type: ignore[arg-type]
        for s, p, o in graph
    )
    return model


def test_kg_validate_gives_the_same_report_with_either_engine(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from kg.cli import main

    broken = tmp_path / "broken.ttl"
    broken.write_text(
        "@prefix bm: <https://w3id.org/bmkg/ontology#> .\n"
        "<https://example.org/t/seg-x> a bm:CustomerSegment ; bm:customerCount -1 .\n",
        encoding="utf-8",
    )
    reports = []
    for engine in ("sparql", "pyshacl"):
        assert main(["validate", str(MINIMAL), str(broken), "-f", "json", "--engine", engine]) == 1
        reports.append(json.loads(capsys.readouterr().out))
    assert reports[0] == reports[1]
    assert reports[0]["counts"]["Violation"] > 0


@pytest.mark.parametrize("count", ["300000", "1000000000"])
def test_a_write_is_judged_alike_by_both_engines(count: str) -> None:
    import pyoxigraph as ox

    from kg.entities import check_write, entity_quads

    model = open_model(DATA / "telco")
    segment = "https://example.org/alpina/seg-connected-families"
    old = [q for q in entity_quads(model, segment) if q.predicate.value.endswith("#customerCount")]
    new = [
        ox.Quad(q.subject, q.predicate, ox.Literal(count, datatype=q.object.datatype), q.graph_name)  # type: ignore[union-attr]
        for q in old
    ]
    reports = [check_write(model, remove=old, add=new, engine=e) for e in ("sparql", "pyshacl")]
    assert reports[0].results == reports[1].results
    assert reports[0].conforms is (count == "300000")
