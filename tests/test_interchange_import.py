"""kg.interchange.importer and ``kg import``: an exchange file becomes a model graph, a kept graph
(nothing lost) and a report of what needs a person's input; nothing is invented."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import rdflib
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS
from test_interchange_archimate import FULL, LEGACY

from kg.cli import main
from kg.interchange.archimate import read_exchange_text
from kg.interchange.importer import (
    ARCHIMATE_NS,
    BMX,
    import_exchange,
    needs_input_report,
)
from kg.interchange.mapping import TypeMapping
from kg.vocab import BM

NS = "urn:bmkg:archimate:id-model:"


def iri(identifier: str) -> rdflib.URIRef:
    return rdflib.URIRef(NS + identifier)


@pytest.fixture(scope="module")
def imported():  # type: ignore[no-untyped-def]
    return import_exchange(read_exchange_text(FULL, "alpina.xml"))


def test_mapped_elements_become_members_of_their_class_with_provenance(imported) -> None:  # type: ignore[no-untyped-def]
    graph = imported.graph
    assert imported.counts() == {
        "Application": 1,
        "BusinessActor": 1,
        "BusinessService": 1,
        "Driver": 1,
        "Goal": 1,
    }
    actor = iri("e-actor")
    assert set(graph.objects(actor, RDFS.label)) == {
        rdflib.Literal("Families", lang="en"),
        rdflib.Literal("Familles", lang="fr"),
    }
    assert graph.value(actor, DCTERMS.identifier) == rdflib.Literal("e-actor")
    assert graph.value(actor, PROV.wasDerivedFrom) == rdflib.URIRef("urn:bmkg:source:alpina.xml")
    assert graph.value(actor, DCTERMS.description) == rdflib.Literal(
        "Households with children.", lang="en"
    )


def test_a_relationship_one_property_carries_becomes_a_link(imported) -> None:  # type: ignore[no-untyped-def]
    assert (iri("e-driver"), BM.motivatesGoal, iri("e-goal")) in imported.graph
    assert imported.kept.value(iri("r-influence"), BMX.carriedBy) == BM.motivatesGoal


def test_nothing_of_the_file_is_lost(imported) -> None:  # type: ignore[no-untyped-def]
    kept = imported.kept
    # every element's ArchiMate type, mapped or not
    assert kept.value(iri("e-service"), BMX.archimateType) == ARCHIMATE_NS.BusinessService
    # an element of no bm: class, typed with its ArchiMate type, with its names
    assert (iri("e-data"), RDF.type, ARCHIMATE_NS.DataObject) in kept
    assert kept.value(iri("e-data"), RDFS.label) == rdflib.Literal("Customer record")
    # every relationship with its attributes
    access = iri("r-access")
    assert (access, RDF.type, ARCHIMATE_NS.Access) in kept
    assert kept.value(access, BMX.accessType) == rdflib.Literal("ReadWrite")
    assert kept.value(iri("r-influence"), BMX.modifier) == rdflib.Literal("++")
    assert kept.value(iri("r-assoc"), BMX.target) == iri("r-serve")
    assert kept.value(iri("r-assoc"), BMX.isDirected) == rdflib.Literal(True)
    # the properties no bm: property takes, by name
    owner = {
        (str(kept.value(p, RDFS.label)), str(kept.value(p, RDF.value)))
        for p in kept.objects(iri("e-actor"), BMX.property)
    }
    assert owner == {("Size", "900000")}
    # folders and views
    assert {str(kept.value(f, RDFS.label)) for f in kept.subjects(RDF.type, BMX.Folder)} == {
        "Business",
        "Services",
    }
    assert set(kept.objects(iri("v-1"), BMX.shows)) == {
        iri("e-service"),
        iri("e-actor"),
        iri("r-serve"),
    }


def test_what_is_undecided_is_reported_with_its_line_and_candidates(imported) -> None:  # type: ignore[no-untyped-def]
    items = {(n.kind, n.identifier, n.line): n for n in imported.needs_input}
    assert set(items) == {
        ("element-type", "e-data", 20),
        ("relationship", "r-serve", 26),
        ("relationship", "r-j1", 33),  # joined through the junction, and carried by nothing
    }
    assert items["element-type", "e-data", 20].candidates == (str(BM.DataStore),)
    assert "Serving from BusinessService 'Number porting' to BusinessActor 'Families'" in (
        items["relationship", "r-serve", 26].message
    )
    assert "Serving through a junction from 'CRM' to 'Number porting'" in (
        items["relationship", "r-j1", 33].message
    )


def test_the_report_names_missing_values_and_invents_none(imported) -> None:  # type: ignore[no-untyped-def]
    report = needs_input_report(imported)
    messages = {(g.message, g.severity, g.nodes) for g in report.missing}
    assert (
        "A goal must say what it is set for: the enterprise, a customer segment or a value "
        "proposition.",
        "Violation",
        ("Grow 4%",),
    ) in messages
    assert not list(imported.graph.objects(None, BM.goalFor))
    text = report.markdown()
    assert "- Customer record (`e-data`, line 20)" in text and "bm:DataStore" in text


def test_a_mapping_decides_and_a_property_becomes_a_typed_value() -> None:
    text = FULL.replace(
        '<name xml:lang="en">Size</name>', '<name xml:lang="en">segment size</name>'
    )
    model = read_exchange_text(text, "alpina.xml")
    mapping = TypeMapping(
        TypeMapping.from_alignment().defaults, elements={"e-actor": str(BM.CustomerSegment)}
    )
    result = import_exchange(model, mapping=mapping, namespace="https://example.org/a/")
    segment = rdflib.URIRef("https://example.org/a/e-actor")
    assert (segment, RDF.type, BM.CustomerSegment) in result.graph
    assert result.graph.value(segment, BM.segmentSize) == rdflib.Literal(
        "900000", datatype=rdflib.XSD.integer
    )
    wrong = import_exchange(
        read_exchange_text(text.replace("<value>900000</value>", "<value>lots</value>"), "a.xml"),
        mapping=mapping,
    )
    [bad] = [n for n in wrong.needs_input if n.kind == "property-value"]
    assert (
        bad.message
        == "'Families': segment size 'lots' cannot be read as xsd:integer; it is kept as text."
    )


def test_the_same_file_twice_names_the_same_nodes() -> None:
    first = import_exchange(read_exchange_text(FULL, "alpina.xml"))
    second = import_exchange(read_exchange_text(FULL, "alpina.xml"))
    assert set(first.graph) == set(second.graph)


def test_a_21_file_imports(tmp_path: Path) -> None:
    result = import_exchange(read_exchange_text(LEGACY, "old.xml"))
    assert result.counts() == {"BusinessActor": 1, "BusinessRole": 1}
    assert (
        rdflib.URIRef("urn:bmkg:archimate:m21:a"),
        BM.playsRole,
        rdflib.URIRef("urn:bmkg:archimate:m21:b"),
    ) in result.graph


def test_kg_import_writes_the_graphs_and_the_report(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "alpina.xml"
    source.write_text(FULL, encoding="utf-8")
    out = tmp_path / "out"
    assert main(["import", str(source), "--out", str(out)]) == 0
    assert sorted(p.name for p in out.iterdir()) == [
        "alpina.kept.ttl",
        "alpina.needs-input.json",
        "alpina.needs-input.md",
        "alpina.ttl",
    ]
    assert "3 not decided" in capsys.readouterr().out
    report = json.loads((out / "alpina.needs-input.json").read_text(encoding="utf-8"))
    assert report["counts"]["BusinessActor"] == 1 and len(report["undecided"]) == 3
    assert main(["validate", str(out)]) == 1  # the goal says what it is set for: not in the file


def test_kg_import_writes_nothing_when_a_file_is_bad(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good, bad = tmp_path / "good.xml", tmp_path / "bad.xml"
    good.write_text(FULL, encoding="utf-8")
    bad.write_text(FULL.replace("</elements>", ""), encoding="utf-8")
    out = tmp_path / "out"
    assert main(["import", str(good), str(bad), "--out", str(out)]) == 2
    assert "bad.xml:" in capsys.readouterr().err
    assert not out.exists()


def test_the_needs_input_report_says_per_question_which_values_are_missing() -> None:
    from kg.interchange.importer import question_needs
    from kg.vocab import BM

    graph = rdflib.Graph()
    for path in sorted((Path(__file__).parent.parent / "data" / "telco").glob("*.ttl")):
        graph.parse(path)
    assert not [n for n in question_needs(graph) if n.property == "bm:amount"]
    costs = set(graph.subjects(rdflib.RDF.type, BM.CostItem))
    for cost in list(costs)[:12]:
        graph.remove((cost, BM.amount, None))
    (need,) = [
        n for n in question_needs(graph) if n.property == "bm:amount" and "cost" in n.class_label
    ]
    assert len(need.nodes) == 12
    assert 8 in [number for number, _ in need.questions]
    assert need.sentence().endswith("which 12 cost items lack")


JUNCTION = """<model xmlns="http://www.opengroup.org/xsd/archimate/3.0/"
  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" identifier="j"><name>J</name>
  <elements>
    <element identifier="d1" xsi:type="Driver"><name>Churn</name></element>
    <element identifier="d2" xsi:type="Driver"><name>Regulation</name></element>
    <element identifier="and" xsi:type="AndJunction"/>
    <element identifier="or" xsi:type="OrJunction"/>
    <element identifier="g1" xsi:type="Goal"><name>Retain families</name></element>
    <element identifier="g2" xsi:type="Goal"><name>Comply</name></element>
  </elements>
  <relationships>
    <relationship identifier="r1" xsi:type="Influence" source="d1" target="and"/>
    <relationship identifier="r2" xsi:type="Influence" source="d2" target="and"/>
    <relationship identifier="r3" xsi:type="Influence" source="and" target="or"/>
    <relationship identifier="r4" xsi:type="Influence" source="or" target="g1"/>
    <relationship identifier="r5" xsi:type="Influence" source="or" target="g2"/>
  </relationships>
</model>"""


def test_relationships_through_junctions_are_joined_into_links() -> None:
    from kg.interchange.archimate import exchange_xml
    from kg.interchange.exporter import to_exchange

    ns = "urn:x:"
    result = import_exchange(read_exchange_text(JUNCTION, "j.xml"), namespace=ns)
    links = {
        (str(s)[len(ns) :], str(o)[len(ns) :])
        for s, o in result.graph.subject_objects(BM.motivatesGoal)
    }
    # every driver reaching the chain of junctions motivates every goal it reaches
    assert links == {("d1", "g1"), ("d1", "g2"), ("d2", "g1"), ("d2", "g2")}
    assert not result.needs_input  # a junction is structure, not a question for a person
    # and the export gives the junctions back, not four extra associations
    again = read_exchange_text(exchange_xml(to_exchange(result.graph + result.kept)).decode())
    assert sorted(r.identifier for r in again.relationships) == ["r1", "r2", "r3", "r4", "r5"]
    assert {e.type for e in again.elements} >= {"AndJunction", "OrJunction"}
