"""The impact of an element bounds what its removal changes.

Removing an element from a model can only change the findings (of the ten questions and the
silo analysis) that name an element of its impact, the element itself included, or that count
over a class of the element (the ``aggregates`` of ``kg/dependence.yaml``). Checked for every
element of both examples: a failure names the element and the findings its impact misses.
"""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox
import pytest

import kg
from kg.answers import Answer
from kg.impact import DependenceGraph, aggregates
from kg.questions import ask_all
from kg.silos import find_silos
from kg.store import KnowledgeGraph

Identity = tuple[str, frozenset[str], str]


def _findings(model: KnowledgeGraph) -> set[Identity]:
    answers: Iterable[Answer] = [*ask_all(model), find_silos(model).as_answer()]
    return {
        (f.kind, frozenset(s.iri for s in f.subjects), f.message)
        for answer in answers
        for f in answer.findings
    }


@pytest.mark.parametrize("example", ["telco", "bank"])
def test_removing_an_element_changes_only_findings_in_its_impact(example: str) -> None:
    model = kg.open_model(kg.example_path(example))
    graph = DependenceGraph(model)
    counted = aggregates()
    copy = KnowledgeGraph()
    for prefix, namespace in model.prefixes.items():
        copy.bind(prefix, namespace)
    copy.store.extend(model.store.quads_for_pattern(None, None, None, None))
    before = _findings(copy)
    missed = []
    for iri, element in sorted(graph.elements.items()):
        node = ox.NamedNode(iri)
        gone = [
            *copy.store.quads_for_pattern(node, None, None, None),
            *copy.store.quads_for_pattern(None, node, None, None),
            *copy.store.quads_for_pattern(None, None, node, None),
        ]
        for quad in gone:
            copy.store.remove(quad)
        try:
            after = _findings(copy)
        finally:
            copy.store.extend(gone)
        reach = set(graph.paths([iri])) | {iri}
        for kind, subjects, message in sorted(before ^ after, key=str):
            if subjects & reach or element.type in counted.get(kind, ()):
                continue
            missed.append(f"{element.type} <{iri}>: {kind}: {message}")
    assert copy.store.__len__() == model.store.__len__()
    assert not missed, f"{len(missed)} changes outside the impact:\n" + "\n".join(missed[:20])
