"""Where the ontology, the shapes and the example enterprises live, and their parsed graphs.

They ship with the package: the repository's ``ontology/`` folder as the package
``bmkg_ontology``, its ``data/`` folder as ``bmkg_examples`` (see ``pyproject.toml``), found
through :mod:`importlib.resources` wherever the package is installed (an editable install reads
the repository's folders themselves). Set ``BMKG_ONTOLOGY_DIR`` to use another copy of the
ontology and shapes (a fork of the shapes, say).

>>> from kg.ontology import ONTOLOGY_IRI, ontology_graph
>>> (ONTOLOGY_IRI, None, None) in ontology_graph()
True
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from functools import cache
from importlib.resources import files
from pathlib import Path
from types import MappingProxyType

import rdflib
from rdflib.namespace import DCTERMS, OWL
from rdflib.term import URIRef

__all__ = [
    "ALIGNMENTS",
    "EXAMPLES",
    "ONTOLOGY_IRI",
    "alignment_graph",
    "alignment_path",
    "example_path",
    "examples_dir",
    "ontology_dir",
    "ontology_graph",
    "ontology_path",
    "renamed_terms",
    "shapes_graph",
    "shapes_path",
]

ONTOLOGY_IRI = URIRef("https://w3id.org/bmkg/ontology")
"""The ontology's IRI; also the named graph the ontology is loaded into."""


EXAMPLES = ("telco", "bank")
"""The example enterprises that ship with the package."""


def ontology_dir() -> Path:
    """Return the folder holding ``bmkg.ttl``, ``shapes.ttl`` and ``alignments/``."""
    override = os.environ.get("BMKG_ONTOLOGY_DIR")
    if override:
        return Path(override)
    return _package_dir("bmkg_ontology")


def examples_dir() -> Path:
    """Return the folder holding the example enterprises, one folder each.

    >>> sorted(p.name for p in examples_dir().iterdir() if p.is_dir() and p.name in EXAMPLES)
    ['bank', 'telco']
    """
    return _package_dir("bmkg_examples")


def example_path(name: str = "telco") -> Path:
    """Return the folder of one example enterprise (``telco`` or ``bank``).

    Raises
    ------
    ValueError
        ``name`` is not one of :data:`EXAMPLES`.
    """
    if name not in EXAMPLES:
        raise ValueError(f"there is no example {name!r}; the examples are {', '.join(EXAMPLES)}")
    return examples_dir() / name


ALIGNMENTS = ("archimate",)
"""The alignments with other vocabularies that ship beside the ontology, in ``alignments/``."""


def alignment_path(name: str = "archimate") -> Path:
    """Return the path of an alignment of the ontology with another vocabulary (Turtle).

    An alignment maps the ontology's terms to another vocabulary's types; load it beside the
    ontology (it does not import it).

    Raises
    ------
    ValueError
        ``name`` is not one of :data:`ALIGNMENTS`.

    Examples
    --------
    >>> import rdflib
    >>> alignment = rdflib.Graph().parse(alignment_path("archimate"))
    >>> actor = rdflib.URIRef("http://www.opengroup.org/xsd/archimate/3.0/BusinessActor")
    >>> (actor, rdflib.RDF.type, rdflib.OWL.Class) in alignment
    True
    """
    if name not in ALIGNMENTS:
        known = ", ".join(ALIGNMENTS)
        raise ValueError(f"there is no alignment {name!r}; the alignments are {known}")
    return ontology_dir() / "alignments" / f"{name}.ttl"


def _package_dir(package: str) -> Path:
    """The folder of a package of data files (installed as files, not in a zip)."""
    found = files(package)
    if not isinstance(found, Path):
        raise RuntimeError(
            f"the package {package} is not installed as a folder of files ({found!r}); "
            "reinstall bmkg from its wheel or source tree"
        )
    return found


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


def alignment_graph(name: str = "archimate") -> rdflib.Graph:
    """Return a parsed alignment (see :func:`alignment_path`). Cached: treat it as read-only."""
    return _parse(alignment_path(name))


@cache
def renamed_terms() -> Mapping[str, str]:
    """Every term the ontology keeps only as deprecated (``owl:deprecated true``), with the term
    that replaced it (``dcterms:isReplacedBy``): the names an older version used.

    >>> renamed_terms()["https://w3id.org/bmkg/ontology#Live"]
    'https://w3id.org/bmkg/vocab#Live'
    """
    graph = ontology_graph()
    return MappingProxyType(
        {
            str(old): str(new)
            for old, new in graph.subject_objects(DCTERMS.isReplacedBy)
            if (old, OWL.deprecated, rdflib.Literal(True)) in graph
        }
    )
