"""The tests' SPARQL parse cache (``tests/conftest.py``) changes no report, only the time.

pySHACL is run on the minimal model broken by every SPARQL-constraint case at once (its SPARQL
constraints are the queries the cache serves, with prefixes and bindings), with the cache and
with rdflib's own query method: the reports must be equal, and the cache must have been used.
"""

from __future__ import annotations

import pytest
import rdflib
from conftest import _query, _translated
from rdflib.plugins.sparql import processor
from test_shapes import CASES, MINIMAL, broken_graph

from kg.validation import ValidationReport, validate


def every_sparql_case_at_once() -> rdflib.Graph:
    graph = rdflib.Graph().parse(MINIMAL, format="turtle")
    sound = rdflib.Graph().parse(MINIMAL, format="turtle")
    for case in CASES:
        if not case.id.startswith("sparql-"):
            continue
        broken = broken_graph(case.remove, case.add)
        removed = sound - broken
        if all(t in graph for t in removed):
            for triple in removed:
                graph.remove(triple)
            for triple in broken - sound:
                graph.add(triple)
    return graph


def results(report: ValidationReport) -> list[object]:
    return sorted(report.to_dict()["results"], key=repr)


def test_a_report_is_the_same_with_each_query_text_parsed_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    graph = every_sparql_case_at_once()
    _translated.cache_clear()
    first = validate(graph, engine="pyshacl")  # the cache filled
    again = validate(graph, engine="pyshacl")  # the cache read
    assert _translated.cache_info().hits > _translated.cache_info().misses > 0
    with monkeypatch.context() as patched:
        patched.setattr(processor.SPARQLProcessor, "query", _query)
        reference = validate(graph, engine="pyshacl")
    assert len(reference.results) > 15
    assert results(first) == results(reference)
    assert results(again) == results(reference)
