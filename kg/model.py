"""Open a model: a knowledge graph holding the ontology and an enterprise's files.

>>> from kg.model import open_model
>>> model = open_model()
>>> model.graphs()
['https://w3id.org/bmkg/ontology']
"""

from __future__ import annotations

import os

import pyoxigraph as ox

from kg.errors import StoreError
from kg.ontology import ONTOLOGY_IRI, ontology_path
from kg.remote import Endpoint
from kg.store import KnowledgeGraph

__all__ = ["open_model"]


def open_model(
    *paths: str | os.PathLike[str],
    path: str | os.PathLike[str] | None = None,
    endpoint: Endpoint | None = None,
) -> KnowledgeGraph:
    """Open a knowledge graph with the ontology loaded, then load ``paths`` into it.

    Parameters
    ----------
    *paths
        Files and folders of RDF to load, in one atomic load.
    path
        Where to keep the store on disk; in memory when omitted. An existing store is reopened
        and the ontology in it refreshed from the project's copy.
    endpoint
        A SPARQL 1.1 server to use instead of an embedded store (see :mod:`kg.remote`). With an
        update URL, the ontology and ``paths`` are loaded into it (each replacing its own graph);
        a read-only endpoint must hold the ontology already, and cannot take ``paths``.

    The ontology sits in its own named graph (``ONTOLOGY_IRI``), so that queries and shapes see
    the class hierarchy, and so that exports of the enterprise's own graphs can leave it out.
    """
    model = KnowledgeGraph(path=path, endpoint=endpoint)
    try:
        if endpoint is not None and endpoint.update is None:
            _check_read_only(model, endpoint, paths)
        else:
            model.load(ontology_path(), graph=str(ONTOLOGY_IRI))
        if paths:
            model.load(*paths)
    except BaseException:
        model.close()
        raise
    return model


def _check_read_only(
    model: KnowledgeGraph, endpoint: Endpoint, paths: tuple[str | os.PathLike[str], ...]
) -> None:
    if paths:
        raise StoreError(
            f"cannot load files into the read-only SPARQL endpoint {endpoint.query}; "
            "give its update URL too"
        )
    if not model.store.contains_named_graph(ox.NamedNode(str(ONTOLOGY_IRI))):
        raise StoreError(
            f"the SPARQL endpoint {endpoint.query} does not hold the ontology in the graph "
            f"<{ONTOLOGY_IRI}>; load ontology/bmkg.ttl into that graph, or give an update URL "
            "so that it is loaded for you"
        )
