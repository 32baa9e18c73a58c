"""HermiT, the OWL 2 DL reasoner owlready2 bundles, run on the ontology and what is loaded beside
it, for the tests that need a reasoner (``test_reasoner``, ``test_alignments``).

owlready2 is imported when a reasoner runs, so that a test module can skip itself first
(``pytest.importorskip``) where owlready2 or Java is missing.
"""

from __future__ import annotations

from pathlib import Path

import rdflib

from kg.ontology import ontology_graph


class Inconsistent(Exception):
    """The reasoner found the ontology (and data) inconsistent."""


def reason(
    graph: rdflib.Graph, tmp: Path, *, ignore_unsupported_datatypes: bool = False
) -> list[str]:
    """Run HermiT on ``graph``; the unsatisfiable classes, or :class:`Inconsistent`."""
    import owlready2

    source = tmp / "input.nt"
    graph.serialize(source, format="nt", encoding="utf-8")
    world = owlready2.World()
    ontology = world.get_ontology(source.as_uri()).load()
    try:
        with ontology:
            owlready2.sync_reasoner_hermit(
                world,
                infer_property_values=False,
                debug=0,
                ignore_unsupported_datatypes=ignore_unsupported_datatypes,
            )
        return sorted(
            str(c.iri) for c in world.inconsistent_classes() if c is not owlready2.Nothing
        )
    except owlready2.OwlReadyInconsistentOntologyError as error:
        raise Inconsistent(str(error)) from error
    finally:
        world.close()


def with_ontology(*extra: rdflib.Graph) -> rdflib.Graph:
    """The ontology and ``extra`` in one new graph."""
    graph = rdflib.Graph()
    for source in (ontology_graph(), *extra):
        for triple in source:
            graph.add(triple)
    return graph
