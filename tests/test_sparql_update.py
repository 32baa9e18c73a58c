"""Updates of quad data only: their change is read from the data, without copying the store.

Each update's added and removed quads must be exactly those that running it on a copy of the
store gives (the path every other update takes).
"""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from kg.sparql import _data_change, apply_update
from kg.store import KnowledgeGraph
from kg.vocab import STANDARD_PREFIXES

SEED = """
INSERT DATA {
  GRAPH <urn:x:g> { <urn:x:a> <urn:x:p> "1", 49.90 ; <urn:x:q> <urn:x:b> . }
  <urn:x:a> <urn:x:p> "in the default graph" .
}
"""

UPDATES = [
    'INSERT DATA { GRAPH <urn:x:g> { <urn:x:a> <urn:x:p> "2" } }',
    'DELETE DATA { GRAPH <urn:x:g> { <urn:x:a> <urn:x:p> "1" } }',
    # Already there, and absent: no change.
    'INSERT DATA { GRAPH <urn:x:g> { <urn:x:a> <urn:x:p> "1" } }',
    'DELETE DATA { GRAPH <urn:x:g> { <urn:x:a> <urn:x:p> "absent" } }',
    # The same value in another lexical form.
    "DELETE DATA { GRAPH <urn:x:g> { <urn:x:a> <urn:x:p> 49.9 } }",
    # Several operations, in order, with the update's own prefixes and the predeclared ones.
    """PREFIX ex: <urn:x:>
    DELETE DATA { GRAPH ex:g { ex:a ex:q ex:b } } ;
    INSERT DATA { GRAPH ex:g { ex:a ex:q ex:c ; rdfs:label "a ; { } #" } } ;
    DELETE DATA { GRAPH ex:g { ex:a ex:q ex:c } }""",
    # Default-graph triples without a final dot.
    "INSERT DATA { <urn:x:a> <urn:x:p> <urn:x:z> }",
    'DELETE DATA { <urn:x:a> <urn:x:p> "in the default graph" }',
]


def _model() -> KnowledgeGraph:
    model = KnowledgeGraph()
    model.store.update(SEED)
    return model


def _by_copy(model: KnowledgeGraph, update: str) -> tuple[set[ox.Quad], set[ox.Quad]]:
    before = set(model.store.quads_for_pattern(None, None, None, None))
    trial = ox.Store()
    trial.extend(before)
    trial.update(update, prefixes=dict(STANDARD_PREFIXES))
    after = set(trial.quads_for_pattern(None, None, None, None))
    return after - before, before - after


@pytest.mark.parametrize("update", UPDATES)
def test_data_updates_change_what_running_them_changes(update: str) -> None:
    model = _model()
    found = _data_change(model.store, update, dict(STANDARD_PREFIXES))
    assert found is not None
    assert found == _by_copy(model, update)


@pytest.mark.parametrize(
    "update",
    [
        "DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
        "CLEAR ALL",
        "INSERT DATA { GRAPH <urn:x:g> { _:b <urn:x:p> 1 } }",
        'INSERT DATA { GRAPH <urn:x:g> { <urn:x:a> <urn:x:p> "1" } } ; CLEAR GRAPH <urn:x:g>',
    ],
)
def test_other_updates_are_left_to_the_copy(update: str) -> None:
    assert _data_change(_model().store, update, dict(STANDARD_PREFIXES)) is None


def test_a_data_update_is_applied_with_its_counts() -> None:
    model = _model()
    summary = apply_update(model, UPDATES[5])
    assert summary.to_dict() == {"added": 1, "removed": 1}
    labels = model.query('ASK { GRAPH <urn:x:g> { <urn:x:a> rdfs:label "a ; { } #" } }')
    assert bool(labels)
