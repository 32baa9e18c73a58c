"""Real exchange files no one on the project wrote (tests/fixtures/interchange/SOURCES.md): each
imports with nothing lost, and the two generations of ArchiSurance import alike."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
import rdflib
from rdflib.namespace import DCTERMS, RDF

from kg.interchange.archimate import ExchangeError, read_exchange
from kg.interchange.importer import BMX, import_exchange

FIXTURES = Path(__file__).parent / "fixtures" / "interchange"
GOOD = sorted(
    p
    for p in FIXTURES.glob("archimate-*/**/*.xml")
    if p.name != "aoeff_3_1.xml"  # points at property definitions by name: not schema-valid
)


def test_the_real_files_are_there() -> None:
    assert len(GOOD) >= 9


@pytest.mark.parametrize("path", GOOD, ids=[p.relative_to(FIXTURES).as_posix() for p in GOOD])
def test_every_element_and_relationship_comes_through(path: Path) -> None:
    model = read_exchange(path)
    result = import_exchange(model)
    by_type = Counter(e.type for e in model.elements)
    imported = Counter(
        str(t).rsplit("/", 1)[-1] for t in result.kept.objects(None, BMX.archimateType)
    )
    assert imported == by_type
    identifiers = {
        str(o)
        for graph in (result.graph, result.kept)
        for o in graph.objects(None, DCTERMS.identifier)
    }
    assert identifiers >= {c.identifier for c in (*model.elements, *model.relationships)}
    relationship_nodes = {
        s for s in result.kept.subjects(BMX.source, None) if (s, RDF.type, None) in result.kept
    }
    assert len(relationship_nodes) == len(model.relationships)


def test_a_file_that_breaks_the_schema_is_refused_with_its_line() -> None:
    with pytest.raises(ExchangeError, match=r"aoeff_3_1\.xml:\d+: .* has a property of the "):
        read_exchange(FIXTURES / "archimate-3.x" / "arktect-model-importer" / "aoeff_3_1.xml")


def test_archisurance_in_21_and_3x_imports_alike() -> None:
    def links(version: str) -> tuple[Counter[str], set[tuple[str, str, str]]]:
        path = FIXTURES / f"archimate-{version}" / "opengroup-xmlexchange" / "archisurance.xml"
        result = import_exchange(read_exchange(path), namespace="urn:x:")
        classes = Counter(str(o) for o in result.graph.objects(None, RDF.type))
        triples = {
            (str(s), str(p), str(o))
            for s, p, o in result.graph
            if isinstance(o, rdflib.URIRef) and p != RDF.type and str(o).startswith("urn:x:")
        }
        return classes, triples

    assert links("2.1") == links("3.x")


def test_an_imported_model_without_segments_says_its_answers_judge_nothing(
    tmp_path: Path,
) -> None:
    """ArchiSurance has no customer segments, costs or partners in the ontology's sense: the
    questions that judge them must not pass for a clean bill."""
    from kg.model import open_model
    from kg.questions import ask_all

    path = FIXTURES / "archimate-3.x" / "opengroup-xmlexchange" / "archisurance.xml"
    result = import_exchange(read_exchange(path))
    result.graph.serialize(tmp_path / "archisurance.ttl", format="turtle")
    answers = {a.number: a for a in ask_all(open_model(tmp_path / "archisurance.ttl"))}
    assert any(
        c.startswith("The model has no customer segment and no goal, which Q1 ")
        for c in answers[1].caveats
    ), answers[1].caveats
    assert any(
        c.startswith("The model has no key partner, which Q10 (Partner Profiles)")
        for c in answers[10].caveats
    )
    # it has a value proposition (ArchiMate's Value): Q1 does not say it lacks one
    assert not any("value proposition" in c for c in answers[1].caveats)
    # no finding with nothing to judge is not a yes
    from kg.answers import Verdict

    assert answers[10].verdict is Verdict.UNKNOWN and answers[1].verdict is Verdict.UNKNOWN
