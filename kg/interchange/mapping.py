"""Which ``bm:`` class a foreign element becomes: data, from the ArchiMate alignment, overridable.

The default for an ArchiMate element type is read from ``ontology/alignments/archimate.ttl``:
its one ``skos:exactMatch`` in ``bm:``, else its one ``skos:closeMatch``. A type with several
candidates, or only broader, narrower or related ones, or none, has no default: its decision
has no class, says why, and names the candidates the alignment gives, so that a person can
decide (:attr:`Decision.needs_input`).

A user decides with a mapping file (JSON), by type, by Archi specialization, or per element,
the most specific winning::

    {"types": {"BusinessRole": "bm:Persona"},
     "specializations": {"Customer segment": "bm:CustomerSegment"},
     "elements": {"id-42": "bm:CustomerSegment", "id-43": null}}

``null`` keeps an element (or every element of a type) as it is, without asking.

>>> mapping = TypeMapping.from_alignment()
>>> mapping.decide("BusinessActor").cls
'https://w3id.org/bmkg/ontology#BusinessActor'
>>> decision = mapping.decide("BusinessEvent")
>>> decision.cls is None, decision.reason
(True, 'no counterpart')
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Literal

import rdflib
from rdflib.namespace import OWL, RDF, SKOS

from kg.errors import KGError
from kg.ontology import alignment_graph, ontology_graph
from kg.vocab import BM, STANDARD_PREFIXES

__all__ = ["ARCHIMATE", "Decision", "MappingError", "TypeMapping"]

ARCHIMATE = "http://www.opengroup.org/xsd/archimate/3.0/"
_BMX = rdflib.Namespace("https://w3id.org/bmkg/alignments#")

Reason = Literal["alignment", "type", "specialization", "element", "no counterpart", "undecided"]


class MappingError(KGError):
    """A mapping file that cannot be used: not JSON, an unknown key, or a class the ontology
    does not define."""


@dataclass(frozen=True)
class Decision:
    """What an element becomes.

    Attributes
    ----------
    cls : str or None
        The ``bm:`` class IRI, or ``None``: kept as it is.
    reason : str
        Why: ``alignment`` (the default), ``type``, ``specialization`` or ``element`` (a user's
        mapping), ``no counterpart`` or ``ambiguous`` (nothing decided it).
    candidates : tuple of str
        For an undecided element, the ``bm:`` classes the alignment relates its type to.
    """

    cls: str | None
    reason: Reason
    candidates: tuple[str, ...] = ()

    @property
    def needs_input(self) -> bool:
        """Whether a person should decide (kept elements a user chose to keep do not)."""
        return self.cls is None and self.reason in ("no counterpart", "undecided")


@dataclass(frozen=True)
class TypeMapping:
    """The decisions for ArchiMate types, with a user's overrides."""

    defaults: Mapping[str, Decision]
    types: Mapping[str, str | None] = field(default_factory=dict)
    specializations: Mapping[str, str | None] = field(default_factory=dict)
    elements: Mapping[str, str | None] = field(default_factory=dict)

    @classmethod
    def from_alignment(cls) -> TypeMapping:
        return cls(_defaults())

    def with_file(self, path: str | os.PathLike[str]) -> TypeMapping:
        """This mapping with a user's mapping file applied (see the module's description)."""
        path = Path(path)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except OSError as error:
            raise MappingError(f"{path}: cannot be read: {error.strerror or error}") from error
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            raise MappingError(f"{path}: not JSON: {error}") from error
        if not isinstance(data, dict):
            raise MappingError(f"{path}: a mapping file is a JSON object")
        unknown = set(data) - {"types", "specializations", "elements"}
        if unknown:
            raise MappingError(
                f"{path}: unknown key {sorted(unknown)[0]!r}; a mapping file has "
                "'types', 'specializations' and 'elements'"
            )
        parts = {}
        for key in ("types", "specializations", "elements"):
            section = data.get(key, {})
            if not isinstance(section, dict):
                raise MappingError(f"{path}: {key!r} must map names to a class or null")
            parts[key] = {
                str(name): _class(value, f"{path}: {key}[{name!r}]")
                for name, value in section.items()
            }
        return replace(
            self,
            types={**self.types, **parts["types"]},
            specializations={**self.specializations, **parts["specializations"]},
            elements={**self.elements, **parts["elements"]},
        )

    def decide(
        self,
        archimate_type: str,
        *,
        identifier: str | None = None,
        specialization: str | None = None,
    ) -> Decision:
        """What an element of this type (with this identifier and specialization) becomes."""
        if identifier is not None and identifier in self.elements:
            return Decision(self.elements[identifier], "element")
        if specialization is not None and specialization in self.specializations:
            return Decision(self.specializations[specialization], "specialization")
        if archimate_type in self.types:
            return Decision(self.types[archimate_type], "type")
        return self.defaults.get(archimate_type, Decision(None, "no counterpart"))


def _class(value: object, where: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise MappingError(f"{where}: a class is a string such as 'bm:CustomerSegment', or null")
    prefix, _, local = value.partition(":")
    iri = STANDARD_PREFIXES[prefix] + local if prefix in STANDARD_PREFIXES else value
    if not iri.startswith(str(BM._NS)) or (rdflib.URIRef(iri), None, None) not in ontology_graph():
        raise MappingError(f"{where}: {value!r} is not a class of the ontology")
    return iri


@cache
def _defaults() -> dict[str, Decision]:
    graph = alignment_graph("archimate")
    bm = str(BM._NS)
    decisions: dict[str, Decision] = {}
    for archimate_type in set(graph.subjects()):
        name = str(archimate_type)
        if not name.startswith(ARCHIMATE) or (archimate_type, RDF.type, OWL.Class) not in graph:
            continue  # relationship types are object properties
        local = name[len(ARCHIMATE) :]

        def matches(prop: rdflib.URIRef, subject: rdflib.term.Node = archimate_type) -> list[str]:
            return sorted(str(o) for o in graph.objects(subject, prop) if str(o).startswith(bm))

        exact, close = matches(SKOS.exactMatch), matches(SKOS.closeMatch)
        others = matches(SKOS.narrowMatch) + matches(SKOS.broadMatch) + matches(SKOS.relatedMatch)
        if len(exact) == 1:
            decisions[local] = Decision(exact[0], "alignment")
        elif not exact and len(close) == 1:
            decisions[local] = Decision(close[0], "alignment")
        elif (archimate_type, _BMX.noCounterpart, None) in graph and not exact and not close:
            decisions[local] = Decision(None, "no counterpart", tuple(others))
        else:
            decisions[local] = Decision(None, "undecided", tuple(exact + close + others))
    return decisions
