"""Export to the ArchiMate exchange format: valid against the Open Group's XSD, and lossless.

Two round trips: a model of the knowledge graph (telco, bank) out to an exchange file and back
gives the same statements, hence the same answers; a real exchange file in and out again gives
the same elements, relationships, properties, folders and views (not the geometry).
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import pytest
import rdflib
from rdflib.namespace import RDF, RDFS, XSD

from kg.interchange.archimate import (
    ExchangeModel,
    Text,
    exchange_xml,
    read_exchange,
    read_exchange_text,
    schema_errors,
)
from kg.interchange.exporter import to_exchange
from kg.interchange.importer import import_exchange, without_provenance
from kg.interchange.keys import parse_key
from kg.vocab import BM, BMV

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "interchange"
REAL = sorted(
    p
    for p in [*FIXTURES.glob("archimate-3.x/*/*.xml"), *FIXTURES.glob("archimate-2.1/*/*.xml")]
    if p.name != "aoeff_3_1.xml"  # invalid on purpose (properties refer to undefined names)
)


@cache
def example(name: str) -> rdflib.Graph:
    graph = rdflib.Graph()
    for path in sorted((ROOT / "data" / name).glob("*.ttl")):
        graph.parse(path)
    return graph


def through_exchange(graph: rdflib.Graph) -> tuple[bytes, rdflib.Graph]:
    data = exchange_xml(to_exchange(graph))
    result = import_exchange(read_exchange_text(data.decode("utf-8"), "model.xml"))
    return data, result.graph


def shape(model: ExchangeModel) -> dict[str, object]:
    """What an exchange file says, independent of order and of property definition ids."""
    names = {d.identifier: d.name for d in model.property_definitions}

    def texts(values: tuple[Text, ...]) -> list[tuple[str, str]]:
        return sorted((t.value, t.lang or "") for t in values)

    def props(values: tuple) -> list[object]:  # type: ignore[type-arg]
        return sorted((names.get(p.definition, p.definition), texts(p.values)) for p in values)

    def folder(item) -> tuple:  # type: ignore[no-untyped-def, type-arg]
        return (
            texts(item.labels),
            texts(item.documentation),
            sorted(item.refs),
            sorted(folder(f) for f in item.folders),
        )

    return {
        "model": (model.identifier, texts(model.names), texts(model.documentation)),
        "properties": props(model.properties),
        "elements": {
            e.identifier: (e.type, texts(e.names), texts(e.documentation), props(e.properties))
            for e in model.elements
        },
        "relationships": {
            r.identifier: (
                r.type,
                r.source,
                r.target,
                r.access_type,
                r.modifier,
                r.is_directed,
                texts(r.names),
                texts(r.documentation),
                props(r.properties),
            )
            for r in model.relationships
        },
        "organizations": sorted(folder(f) for f in model.organizations),
        "views": {
            v.identifier: (
                v.type or "Diagram",
                texts(v.names),
                props(v.properties),
                sorted(v.elements),
                sorted(v.relationships),
            )
            for v in model.views
        },
    }


@pytest.mark.parametrize("name", ["telco", "bank"])
def test_an_example_goes_out_valid_and_comes_back_statement_for_statement(name: str) -> None:
    graph = example(name)
    data, back = through_exchange(graph)
    assert schema_errors(data) == []
    assert set(without_provenance(back)) == set(graph)


@pytest.mark.parametrize("name", ["telco", "bank"])
def test_an_example_comes_back_from_archi_csv_statement_for_statement(
    name: str, tmp_path: Path
) -> None:
    from kg.interchange.archicsv import read_archi_csv, write_archi_csv

    graph = example(name)
    write_archi_csv(to_exchange(graph, lang_in_keys=True), tmp_path)
    back = import_exchange(read_archi_csv(tmp_path)).graph
    assert set(without_provenance(back)) == set(graph)


def test_the_telco_example_answers_alike_after_the_trip(tmp_path: Path) -> None:
    from kg.model import open_model
    from kg.questions import ask_all
    from kg.silos import find_silos

    _, back = through_exchange(example("telco"))
    (tmp_path / "back").mkdir()
    back.serialize(tmp_path / "back" / "model.ttl", format="turtle")

    def answers(path: Path) -> str:
        model = open_model(path)
        return json.dumps(
            [[a.to_dict() for a in ask_all(model)], find_silos(model).to_dict()],
            sort_keys=True,
            default=str,
        )

    assert answers(tmp_path / "back") == answers(ROOT / "data" / "telco")


@pytest.mark.parametrize("path", REAL, ids=lambda p: p.name)
def test_a_real_exchange_file_goes_out_again_with_nothing_lost(path: Path) -> None:
    model = read_exchange(path)
    result = import_exchange(model)
    data = exchange_xml(to_exchange(result.graph + result.kept))
    assert schema_errors(data) == []
    again = read_exchange_text(data.decode("utf-8"))
    assert shape(again) == shape(model)


def test_a_second_export_of_the_same_model_is_the_same_file() -> None:
    graph = example("telco")
    assert exchange_xml(to_exchange(graph)) == exchange_xml(to_exchange(graph))


def test_what_the_format_cannot_say_travels_under_keys_a_person_can_read() -> None:
    node = rdflib.URIRef("https://example.org/shop#Students")
    graph = rdflib.Graph()
    graph.add((node, RDF.type, BM.CustomerSegment))
    graph.add((node, RDFS.label, rdflib.Literal("Students", lang="en")))
    graph.add((node, RDFS.label, rdflib.Literal("Studierende", lang="de")))
    graph.add((node, BM.segmentSize, rdflib.Literal(1200, datatype=XSD.integer)))
    graph.add((node, BM.lifecycleStatus, BMV.Live))
    graph.add((node, rdflib.URIRef("https://example.org/terms#note"), rdflib.Literal("x")))
    graph.add((node, RDFS.comment, rdflib.Literal("1.5", datatype=XSD.decimal)))
    model = to_exchange(graph)
    names = {d.identifier: d.name for d in model.property_definitions}
    (element,) = model.elements
    said = {names[p.definition]: [v.value for v in p.values] for p in element.properties}
    assert said == {
        "@id": [str(node)],
        "rdf:type": ["bm:CustomerSegment"],
        "bm:lifecycleStatus": ["bmv:Live"],
        "bm:segmentSize": ["1200"],
        "<https://example.org/terms#note>": ["x"],
        "rdfs:comment^^xsd:decimal": ["1.5"],
    }
    assert sorted((t.value, t.lang) for t in element.names) == [
        ("Students", "en"),
        ("Studierende", "de"),
    ]
    _, back = through_exchange(graph)
    assert set(without_provenance(back)) == set(graph)
    # in a format whose values have no language, the language goes into the key
    flat = to_exchange(graph, lang_in_keys=True)
    keys = {d.name for d in flat.property_definitions}
    assert "rdfs:label@de" in keys
    assert parse_key("rdfs:label@de") is not None


def test_a_property_a_person_adds_in_a_tool_under_a_key_becomes_a_statement() -> None:
    text = """<model xmlns="http://www.opengroup.org/xsd/archimate/3.0/"
      xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" identifier="m">
      <name>Shop</name>
      <elements>
        <element identifier="a" xsi:type="BusinessActor"><name>Students</name>
          <properties>
            <property propertyDefinitionRef="p1"><value>bm:CustomerSegment</value></property>
            <property propertyDefinitionRef="p2"><value>4000</value></property>
            <property propertyDefinitionRef="p3"><value>Ann</value></property>
          </properties>
        </element>
      </elements>
      <propertyDefinitions>
        <propertyDefinition identifier="p1"><name>rdf:type</name></propertyDefinition>
        <propertyDefinition identifier="p2"><name>bm:segmentSize</name></propertyDefinition>
        <propertyDefinition identifier="p3"><name>Owner</name></propertyDefinition>
      </propertyDefinitions>
    </model>"""
    result = import_exchange(read_exchange_text(text), namespace="urn:x:")
    node = rdflib.URIRef("urn:x:a")
    assert (node, RDF.type, BM.CustomerSegment) in result.graph
    assert (node, BM.segmentSize, rdflib.Literal("4000", datatype=XSD.integer)) in result.graph
    assert not list(result.graph.triples((node, None, rdflib.Literal("Ann"))))  # kept, not bm:
