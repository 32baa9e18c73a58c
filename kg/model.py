"""Open a model: a knowledge graph holding the ontology and an enterprise's files.

>>> from kg.model import open_model
>>> model = open_model()
>>> model.graphs()
['https://w3id.org/bmkg/ontology']
"""

from __future__ import annotations

import os

from kg.ontology import ONTOLOGY_IRI, ontology_path
from kg.store import KnowledgeGraph

__all__ = ["open_model"]


def open_model(
    *paths: str | os.PathLike[str], path: str | os.PathLike[str] | None = None
) -> KnowledgeGraph:
    """Open a knowledge graph with the ontology loaded, then load ``paths`` into it.

    Parameters
    ----------
    *paths
        Files and folders of RDF to load, in one atomic load.
    path
        Where to keep the store on disk; in memory when omitted. An existing store is reopened
        and the ontology in it refreshed from the project's copy.

    The ontology sits in its own named graph (``ONTOLOGY_IRI``), so that queries and shapes see
    the class hierarchy, and so that exports of the enterprise's own graphs can leave it out.
    """
    model = KnowledgeGraph(path=path)
    try:
        model.load(ontology_path(), graph=str(ONTOLOGY_IRI))
        if paths:
            model.load(*paths)
    except BaseException:
        model.close()
        raise
    return model
