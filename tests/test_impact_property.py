"""The impact of an element bounds what its removal changes.

Removing an element from a model can only change the findings (of the ten questions and the
silo analysis) that name an element of its impact, the element itself included, or that count
over a class of the element (the ``aggregates`` of ``kg/dependence.yaml``). Checked for every
element of both examples: a failure names the element and the findings its impact misses.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor

import pyoxigraph as ox
import pytest

import kg
from kg import silos
from kg.answers import Answer
from kg.impact import DependenceGraph, aggregates
from kg.questions import ask_all
from kg.sandbox import Sandbox, supported
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


def _missed(
    copy: KnowledgeGraph,
    graph: DependenceGraph,
    counted: Mapping[str, frozenset[str]],
    before: set[Identity],
    iris: list[str],
) -> list[str]:
    """The changes outside the impact when each of ``iris`` is removed from ``copy`` in turn
    (and put back)."""
    missed = []
    for iri in iris:
        element = graph.elements[iri]
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
    return missed


@pytest.mark.parametrize("example", ["telco", "bank"])
def test_removing_an_element_changes_only_findings_in_its_impact(
    example: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    model = kg.open_model(kg.example_path(example))
    graph = DependenceGraph(model)
    counted = aggregates()
    copy = KnowledgeGraph()
    for prefix, namespace in model.prefixes.items():
        copy.bind(prefix, namespace)
    copy.store.extend(model.store.quads_for_pattern(None, None, None, None))
    before = _findings(copy)
    # The findings do not read the structure measures (communities, centrality), which cost a
    # fifth of each analysis: the model's own stand in for them while elements come and go.
    structure = find_silos(copy).structure
    monkeypatch.setattr(silos, "analyse_structure", lambda *args, **kwargs: structure)
    iris = sorted(graph.elements)
    if supported():
        # Two halves at once, each in a child process with its own copy of the store.
        sandbox = Sandbox(workers=2, memory=2 << 30)
        with ThreadPoolExecutor(2) as pool:
            halves = pool.map(
                lambda half: sandbox.run(
                    _missed, copy, graph, counted, before, half, timeout=600, what="the check"
                ),
                [iris[0::2], iris[1::2]],
            )
            missed = [line for half in halves for line in half]
    else:
        missed = _missed(copy, graph, counted, before, iris)
    assert len(copy.store) == len(model.store)
    assert before == _findings(copy)
    assert not missed, f"{len(missed)} changes outside the impact:\n" + "\n".join(missed[:20])
