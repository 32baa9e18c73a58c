"""The answers depend on the statements a model makes, not on how many files make them."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg.entities import apply_write, check_write
from kg.model import open_model
from kg.ontology import ontology_path
from kg.questions import ask_all
from kg.silos import find_silos
from kg.sparql import apply_update, run_query
from kg.store import REPEATS, KnowledgeGraph, repeats_of
from kg.validation import validate

DATA = Path(__file__).resolve().parent.parent / "data"
TELCO = DATA / "telco"
OFFER = (TELCO / "offer.ttl").resolve().as_uri()


def answers(model: KnowledgeGraph) -> str:
    """Every answer, as one comparable text: questions, silos and structure, validation."""
    return json.dumps(
        [
            [a.to_dict() for a in ask_all(model)],
            find_silos(model).to_dict(),
            validate(model).to_dict(),
        ],
        sort_keys=True,
        default=str,
    )


@cache
def telco_answers() -> str:
    return answers(open_model(TELCO))


@cache
def telco_statements() -> tuple[ox.Triple, ...]:
    model = open_model(TELCO)
    quads = model.store.quads_for_pattern(None, None, None, None)
    return tuple(
        sorted(
            {
                q.triple
                for q in quads
                if q.graph_name.value.startswith("file:")  # type: ignore[union-attr]
                and not isinstance(q.subject, ox.BlankNode)
                and not isinstance(q.object, ox.BlankNode)
            },
            key=str,
        )
    )


def write_nt(path: Path, triples: list[ox.Triple]) -> Path:
    path.write_bytes(ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b"")
    return path


@settings(
    max_examples=4,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_repeating_any_statements_in_another_file_changes_no_answer(
    data: st.DataObject, tmp_path: Path
) -> None:
    statements = telco_statements()
    share = data.draw(st.sampled_from([0.02, 0.2, 0.6, 1.0]))
    chosen = data.draw(
        st.lists(
            st.sampled_from(statements),
            min_size=1,
            max_size=max(1, int(len(statements) * share)),
            unique=True,
        )
    )
    extra = write_nt(tmp_path / f"repeats-{len(chosen)}.nt", chosen)
    assert answers(open_model(TELCO, extra)) == telco_answers()


@pytest.mark.parametrize(
    "extra",
    [
        "offer-copy",  # a copy of a whole file beside the original
        "types",  # a file that only declares the types of the segments again
        "ontology",  # the ontology loaded again, as data
    ],
)
def test_the_cases_of_the_issue_change_no_answer(extra: str, tmp_path: Path) -> None:
    if extra == "offer-copy":
        path = tmp_path / "offer-copy.ttl"
        path.write_bytes((TELCO / "offer.ttl").read_bytes())
    elif extra == "types":
        model = open_model(TELCO)
        segments = model.query(
            "CONSTRUCT { ?s a bm:CustomerSegment } WHERE { ?s a bm:CustomerSegment }"
        )
        path = write_nt(tmp_path / "types.nt", list(segments))  # type: ignore[arg-type]
    else:
        path = ontology_path()
    assert answers(open_model(TELCO, path)) == telco_answers()


def test_a_repeated_statement_is_kept_once_and_the_file_still_has_it(tmp_path: Path) -> None:
    path = tmp_path / "offer-copy.ttl"
    path.write_bytes((TELCO / "offer.ttl").read_bytes())
    model = open_model(TELCO, path)
    copy = path.resolve().as_uri()
    # The union holds each statement once; each file's graph, as loaded, is whole.
    assert len(list(model.triples(OFFER))) == len(list(model.triples(copy)))
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    alone = open_model(TELCO)
    assert int(next(iter(model.query(count)))["n"].value) == int(
        next(iter(alone.query(count)))["n"].value
    )
    assert repeats_of(OFFER) not in model.graphs()
    assert not any(g.startswith(REPEATS) for g in model.graphs())


def test_reloading_a_file_without_a_shared_statement_keeps_it_for_the_other(
    tmp_path: Path,
) -> None:
    statement = '<urn:x:a> <http://www.w3.org/2000/01/rdf-schema#label> "A" .\n'
    first, second = tmp_path / "first.nt", tmp_path / "second.nt"
    first.write_text(statement)
    second.write_text(statement)
    model = KnowledgeGraph()
    model.load(first, second)
    ask = 'ASK { <urn:x:a> rdfs:label "A" }'
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    assert int(next(iter(model.query(count)))["n"].value) == 1
    first.write_text("")
    model.load(first)
    assert bool(model.query(ask))
    second.write_text("")
    model.load(second)
    assert not bool(model.query(ask))


def test_a_write_of_a_statement_another_graph_makes_changes_no_answer() -> None:
    model = open_model(TELCO)
    before = telco_answers()
    quads = [
        ox.Quad(q.subject, q.predicate, q.object, ox.NamedNode("urn:bmkg:api"))
        for q in model.store.quads_for_pattern(None, None, None, ox.NamedNode(OFFER))
        if not isinstance(q.subject, ox.BlankNode) and not isinstance(q.object, ox.BlankNode)
    ][:200]
    assert check_write(model, add=quads).conforms
    apply_write(model, add=quads)
    assert answers(model) == before
    # Removing them again from the graph they were written to changes nothing either.
    apply_write(model, remove=quads)
    assert answers(model) == before


def test_removing_the_primary_copy_brings_back_the_repeat() -> None:
    model = open_model(TELCO)
    segment = ox.NamedNode("https://example.org/alpina/seg-connected-families")
    label = next(
        q
        for q in model.store.quads_for_pattern(segment, None, None, None)
        if q.predicate.value.endswith("#label")
    )
    copy = ox.Quad(label.subject, label.predicate, label.object, ox.NamedNode("urn:x:copy"))
    apply_write(model, add=[copy])
    apply_write(model, remove=[label])
    assert any(
        q.graph_name == ox.NamedNode("urn:x:copy")
        for q in model.store.quads_for_pattern(label.subject, label.predicate, label.object, None)
    )
    assert answers(model) == telco_answers()


def test_a_sparql_update_repeating_statements_changes_no_answer() -> None:
    model = open_model(TELCO)
    update = (
        "INSERT { GRAPH <urn:x:again> { ?s a bm:CustomerSegment } } "
        "WHERE { GRAPH ?g { ?s a bm:CustomerSegment } }"
    )
    summary = apply_update(model, update)
    assert summary.added > 20
    assert answers(model) == telco_answers()
    count = "SELECT (COUNT(?s) AS ?n) WHERE { ?s a bm:CustomerSegment }"
    result = run_query(model, count, timeout=30, max_results=10)
    assert result.rows[0]["n"].value == "21"
