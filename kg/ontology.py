"""Where the ontology and the shapes live, and their parsed graphs.

The Turtle sources sit in the repository's ``ontology/`` folder, beside the ``kg`` package. Set
``BMKG_ONTOLOGY_DIR`` to use another copy (an installed package, a fork of the shapes).

>>> from kg.ontology import ONTOLOGY_IRI, ontology_graph
>>> (ONTOLOGY_IRI, None, None) in ontology_graph()
True
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

import rdflib
from rdflib.term import URIRef

__all__ = [
    "ONTOLOGY_IRI",
    "ontology_dir",
    "ontology_graph",
    "ontology_path",
    "shapes_graph",
    "shapes_path",
]

ONTOLOGY_IRI = URIRef("https://w3id.org/bmkg/ontology")
"""The ontology's IRI; also the named graph the ontology is loaded into."""


def ontology_dir() -> Path:
    """Return the folder holding ``bmkg.ttl`` and ``shapes.ttl``."""
    override = os.environ.get("BMKG_ONTOLOGY_DIR")
    if override:
        return Path(override)
    return Path(__file__).resolve().parent.parent / "ontology"


def ontology_path() -> Path:
    """Return the path of the OWL ontology (Turtle)."""
    return ontology_dir() / "bmkg.ttl"


def shapes_path() -> Path:
    """Return the path of the SHACL shapes (Turtle)."""
    return ontology_dir() / "shapes.ttl"


@cache
def _parse(path: Path) -> rdflib.Graph:
    return rdflib.Graph().parse(path, format="turtle")


def ontology_graph() -> rdflib.Graph:
    """Return the parsed ontology. Cached: treat it as read-only."""
    return _parse(ontology_path())


def shapes_graph() -> rdflib.Graph:
    """Return the parsed SHACL shapes. Cached: treat it as read-only."""
    return _parse(shapes_path())
