"""kg.validation beyond the project's shapes: custom shapes, message wording, unusable shapes."""

from __future__ import annotations

from pathlib import Path

import pytest
import rdflib

from kg.errors import ShapesError
from kg.validation import Severity, validate

DATA = """
@prefix ex: <https://example.org/v/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
ex:a a ex:Thing ; rdfs:label "Alpha" ; ex:next ex:b .
ex:b a ex:Thing ; rdfs:label "Beta" .
"""

SHAPES = """
@prefix ex: <https://example.org/v/> .
@prefix sh: <http://www.w3.org/ns/shacl#> .
ex:ThingShape a sh:NodeShape ;
    sh:targetClass ex:Thing ;
    sh:severity sh:Info ;
    sh:sparql [
        sh:message "{?next}: comes after {$this}."@en ;
        sh:select "SELECT $this ?next WHERE { $this <https://example.org/v/next> ?next }" ] .
"""


def test_iris_in_sparql_messages_become_labels_even_before_punctuation(tmp_path: Path) -> None:
    shapes = tmp_path / "shapes.ttl"
    shapes.write_text(SHAPES)
    report = validate(rdflib.Graph().parse(data=DATA, format="turtle"), shapes=shapes)
    [result] = report.results
    assert result.message == '"Beta": comes after "Alpha".'
    assert result.severity is Severity.INFO
    assert report.conforms is True
    assert report.counts() == {"Violation": 0, "Warning": 0, "Info": 1}


def test_custom_shapes_graph_is_used_as_given() -> None:
    shapes = rdflib.Graph().parse(data=SHAPES, format="turtle")
    report = validate(rdflib.Graph().parse(data=DATA, format="turtle"), shapes=shapes)
    assert [r.focus_node for r in report.results] == ["ex:a"]


def test_missing_shapes_file_is_a_shapes_error(tmp_path: Path) -> None:
    with pytest.raises(ShapesError, match="not found"):
        validate(rdflib.Graph(), shapes=tmp_path / "none.ttl")


def test_focus_nodes_limit_validation_to_those_nodes() -> None:
    minimal = (Path(__file__).parent / "fixtures" / "minimal.ttl").read_text(encoding="utf-8")
    broken = minimal.replace("bm:targetsSegment ex:seg-families ; ", "").replace(
        "bm:currentMaturity 3 ; bm:targetMaturity 4 ;",
        "bm:currentMaturity 9 ; bm:targetMaturity 4 ;",
    )
    graph = rdflib.Graph().parse(data=broken, format="turtle")
    full = validate(graph)
    assert sorted(r.focus_node for r in full.results) == ["ex:cap-billing", "ex:vp-family"]
    focused = validate(graph, focus_nodes=[rdflib.URIRef("https://example.org/mini/vp-family")])
    assert [(r.focus_node, r.path) for r in focused.results] == [
        ("ex:vp-family", "bm:targetsSegment")
    ]


# --------------------------------------------------------------------------------------------
# What a reader of the text report sees


MINIMAL = Path(__file__).resolve().parent / "fixtures" / "minimal.ttl"


def _minimal_with(remove: str, add: str) -> rdflib.Graph:
    graph = rdflib.Graph().parse(MINIMAL, format="turtle")
    prefixes = (
        "@prefix ex: <https://example.org/mini/> .\n"
        "@prefix bm: <https://w3id.org/bmkg/ontology#> .\n"
    )
    for triple in rdflib.Graph().parse(data=prefixes + remove, format="turtle"):
        graph.remove(triple)
    graph.parse(data=prefixes + add, format="turtle")
    return graph


def test_a_negative_amount_says_so_and_not_how_to_write_decimals() -> None:
    graph = _minimal_with(
        "ex:cost-network bm:amount 1200000.00 .", "ex:cost-network bm:amount -1200000.00 ."
    )
    text = validate(graph).to_text()
    assert "An amount cannot be negative" in text
    assert "[bmsh:AmountIsNotNegative, path bm:amount, sh:minInclusive; 1 node]" in text
    assert "value -1200000" in text
    assert "write 1200000.00" not in text


def test_each_broken_constraint_is_its_own_line_naming_it() -> None:
    # An amount written as an integer breaks the datatype only; a second amount the count.
    graph = _minimal_with(
        "ex:cost-network bm:amount 1200000.00 .",
        "ex:cost-network bm:amount 1200000 , 5.00 .",
    )
    text = validate(graph).to_text()
    assert "[bmsh:AmountIsDecimal, path bm:amount, sh:datatype; 1 node]" in text
    assert "[bmsh:AmountIsMoney, path bm:amount, sh:maxCount; 1 node]" in text
    assert text.count('"Network lease" (ex:cost-network)') == 2


def test_a_malformed_date_is_a_violation_without_a_traceback(tmp_path: Path) -> None:
    import subprocess
    import sys

    bad = tmp_path / "bad.ttl"
    bad.write_text(
        "@prefix ex: <https://example.org/mini/> .\n"
        "@prefix bm: <https://w3id.org/bmkg/ontology#> .\n"
        "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
        'ex:goal-growth bm:targetDate "2026-13-45"^^xsd:date .\n'
    )
    done = subprocess.run(
        [sys.executable, "-m", "kg.cli", "validate", str(MINIMAL), str(bad)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1
    assert "A goal's target date must be one date" in done.stdout
    assert "value 2026-13-45" in done.stdout
    assert done.stderr == ""


@pytest.mark.parametrize("engine", ["sparql", "pyshacl"])
def test_a_value_is_shown_as_its_file_writes_it_and_where(tmp_path: Path, engine: str) -> None:
    from kg.model import open_model

    text = MINIMAL.read_text(encoding="utf-8")
    assert "bm:amount 1200000.00" in text
    (tmp_path / "model.ttl").write_text(text.replace("1200000.00", "-1200000.00"))
    # The same statement again in a second file, written as N-Triples write it.
    (tmp_path / "again.nt").write_text(
        "<https://example.org/mini/cost-network> <https://w3id.org/bmkg/ontology#amount> "
        '"-1200000.0"^^<http://www.w3.org/2001/XMLSchema#decimal> .\n'
    )
    report = validate(open_model(tmp_path), engine=engine)  # type: ignore[arg-type]
    [result] = [r for r in report.results if r.shape == "bmsh:AmountIsNotNegative"]
    # The store keeps -1200000; the reader sees what the file that states it first wrote (the
    # other file's copy is a repeat), and which file that is.
    written = {
        str(tmp_path / "model.ttl"): '"-1200000.00"^^xsd:decimal',
        str(tmp_path / "again.nt"): '"-1200000.0"^^xsd:decimal',
    }
    assert result.source in written
    assert result.written == written[result.source]
    assert result.value == '"-1200000"^^xsd:decimal'  # as the store keeps it
    assert report.to_dict()["results"][0]["source"] == result.source
    shown = written[result.source].split('"')[1]
    assert f"value {shown} in {result.source}" in report.to_text()
