"""Business Model Canvas and Value Proposition Canvas documents in BMML, in and out.

BMML (Business Model Markup Language, version 2.0, MIT-licensed, <https://github.com/hiasinho/bmml>)
is YAML: the nine blocks of the canvas, customer profiles (jobs, pains, gains) inside segments,
value maps (products and services, pain relievers, gain creators) inside value propositions,
and fits between them. A copy of its JSON Schema ships in ``kg/interchange/schemas/``.

Import
------
:func:`read_bmml` reads a document safely (size limit ``KG_IMPORT_MAX_BYTES``, strict UTF-8,
no YAML aliases, no repeated keys), validates it against the schema and checks what the schema
cannot (unique identifiers, references that resolve, fits that map a pain reliever to a pain and
a gain creator to a gain of their own proposition and segment). Any fault is a
:class:`BMMLError` naming the file, the line and the field. The model graph then holds:

========================================  ==================================================
BMML                                      model graph
========================================  ==================================================
``meta`` (``name``, ``tagline``)          a ``bm:Enterprise`` (``rdfs:label``,
                                          ``dcterms:description``)
customer segment                          ``bm:CustomerSegment`` (label, description)
job / pain / gain (``description``)       ``bm:Job`` / ``bm:Pain`` / ``bm:Gain`` with the
                                          description as ``rdfs:label``; the segment
                                          ``bm:hasNeed`` it
value proposition                         ``bm:ValueProposition`` (label, description)
product or service                        ``bm:Offering`` that ``bm:deliversValueProposition``
                                          its proposition (product or service: needs input)
pain reliever / gain creator              ``bm:PainReliever`` / ``bm:GainCreator``,
                                          ``bm:partOfValueProposition`` its proposition
fit ``for``                               each proposition ``bm:targetsSegment`` each segment
fit mapping ``[pr-…, pain-…]``            ``bm:relievesPain``, and the reliever's proposition
                                          ``bm:addressesNeed`` the pain (gains alike, with
                                          ``bm:createsGain``)
channel ``for.customer_segments``         ``bm:Channel`` ``bm:reachesSegment``
customer relationship                     ``bm:CustomerRelationship`` ``bm:withSegment``
revenue stream ``from`` / ``for``         ``bm:RevenueStream`` ``bm:fromSegment`` /
                                          ``bm:forValueProposition`` (no amount: BMML has none)
key resource / key activity               ``bm:KeyResource`` / ``bm:KeyActivity``
key partnership ``for``                   ``bm:KeyPartner`` ``bm:suppliesResource`` /
                                          ``bm:performsActivity``
cost ``for``                              ``bm:CostItem`` ``bm:incurredBy`` (no amount)
========================================  ==================================================

Every node is ``namespace`` + its BMML id (the enterprise: ``namespace`` + ``enterprise``), with
``dcterms:identifier`` the id and ``prov:wasDerivedFrom`` the file (:class:`Origin`), so that
importing the file again names the same nodes. What has no home in ``bm:`` goes to the **kept
graph**, in ``bmx:`` terms (``https://w3id.org/bmkg/alignments#``):

- ``bmx:portfolio``, ``bmx:stage``, ``bmx:derivedFrom`` and ``dcterms:created`` /
  ``dcterms:modified`` on the enterprise (``meta``);
- each fit as a ``bmx:Fit`` with ``bmx:valueProposition`` and ``bmx:customerSegment``;
- ``bmx:deliversValueProposition`` from a channel to a value proposition it is ``for``, and
  ``bmx:neededFor`` from a key resource or activity to one: the ontology links these through a
  product or service (``bm:distributes``, ``bm:requiresResource``, ``bm:requiresActivity``),
  which the canvas does not name, so each is also an item of ``needs_input``.

Export and the companion file
-----------------------------
:func:`write_bmml` writes one enterprise's canvas as ``NAME.bmml`` and, beside it, the
**companion** ``NAME.bmml.ttl``: the Turtle statements of the enterprise that the canvas does
not carry (capabilities, journeys, personas, amounts, kinds, languages of labels ...), so that
``read_bmml`` on the pair gives back the graph the export started from (without provenance).
The companion's key scheme:

- ``<node> bmx:bmmlId "cs-…"`` names the node the BMML id stands for (``"meta"`` for the
  enterprise). Ids are written as the node's local name, prefixed as BMML requires. Keys go
  to the kept graph; every other ``bmx:`` statement of the companion goes there too, and all
  the rest to the model graph.
- The canvas's type, name and description of a node (``rdf:type``, ``rdfs:label``,
  ``dcterms:description``) give way to the companion when it states that property for the node
  (a ``bm:Product`` rather than a ``bm:Offering``, labels in several languages), or says
  ``<node> bmx:unstated <property>`` (the canvas needed a name the graph does not have).

A BMML document alone (no companion) imports as the canvas part of the graph.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import quote

import jsonschema
import rdflib
import yaml
from rdflib.namespace import DCTERMS, RDF, RDFS
from rdflib.term import Literal, Node, URIRef

from kg.answers import preferred_label
from kg.errors import KGError
from kg.interchange import safexml
from kg.interchange.importer import (
    BMX,
    PROVENANCE,
    ImportResult,
    NeedsInput,
    Origin,
    new_graph,
)
from kg.vocab import BM

__all__ = [
    "COMPANION_SUFFIX",
    "FORMAT",
    "MAX_BYTES",
    "BMMLError",
    "companion_path",
    "read_bmml",
    "schema",
    "write_bmml",
]

FORMAT = "BMML 2.0"
COMPANION_SUFFIX = ".ttl"
"""The companion of ``NAME.bmml`` is ``NAME.bmml.ttl``."""
MAX_BYTES = safexml.MAX_BYTES
"""The largest file an import reads (``KG_IMPORT_MAX_BYTES``, default 64 MiB)."""

_OVERRIDABLE = (RDF.type, RDFS.label, DCTERMS.description)
_META = "meta"

Path_ = tuple[str | int, ...]


class BMMLError(KGError):
    """A BMML document (or its companion) cannot be read or written.

    >>> str(BMMLError("refers to 'cs-x', which the document does not define",
    ...               path="shop.bmml", line=12, field="channels[0]"))
    "shop.bmml:12: channels[0]: refers to 'cs-x', which the document does not define"
    """

    def __init__(
        self,
        message: str,
        *,
        path: str | os.PathLike[str],
        line: int | None = None,
        field: str | None = None,
    ) -> None:
        self.path = Path(path)
        self.line = line
        self.field = field
        self.message = message
        super().__init__(str(self))

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else str(self.path)
        return (
            f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"
        )


def companion_path(path: str | os.PathLike[str]) -> Path:
    """Where the companion of a BMML file is: ``NAME.bmml`` -> ``NAME.bmml.ttl``."""
    return Path(str(path) + COMPANION_SUFFIX)


@cache
def schema() -> dict[str, Any]:
    """BMML's JSON Schema (version 2.0), as shipped with the package."""
    text = resources.files("kg.interchange").joinpath("schemas/bmml-v2.schema.json")
    loaded: dict[str, Any] = json.loads(text.read_text("utf-8"))
    return loaded


@cache
def _validator() -> jsonschema.Draft7Validator:
    return jsonschema.Draft7Validator(
        schema(), format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER
    )


# --------------------------------------------------------------------------------------------
# Reading YAML safely, with lines
# --------------------------------------------------------------------------------------------


class _Alias(Exception):
    def __init__(self, name: str, line: int) -> None:
        super().__init__(name)
        self.name = name
        self.line = line


class _Loader(yaml.SafeLoader):  # type: ignore[misc]
    """The safe loader, refusing aliases before they can be expanded."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise _Alias(str(event.anchor), event.start_mark.line + 1)
        return super().compose_node(parent, index)


def _field(path: Iterable[str | int]) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _line(lines: dict[Path_, int], path: Sequence[str | int]) -> int | None:
    for end in range(len(path), -1, -1):
        found = lines.get(tuple(path[:end]))
        if found is not None:
            return found
    return None


def _positions(node: Any, at: Path_, lines: dict[Path_, int], file: Path) -> None:
    lines[at] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        seen: dict[object, int] = {}
        for key, value in node.value:
            name = key.value if isinstance(key, yaml.ScalarNode) else repr(key.value)
            line = key.start_mark.line + 1
            if name in seen:
                raise BMMLError(
                    f"the key {name!r} appears twice in one mapping (first on line {seen[name]})",
                    path=file,
                    line=line,
                    field=_field((*at, name)) or None,
                )
            seen[name] = line
            _positions(value, (*at, name), lines, file)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _positions(item, (*at, index), lines, file)


def _read_bytes(path: Path) -> bytes:
    try:
        size = path.stat().st_size
    except OSError as error:
        raise BMMLError(f"cannot be read: {error.strerror or error}", path=path) from error
    if size > MAX_BYTES:
        raise BMMLError(
            f"{size:,} bytes, more than the {MAX_BYTES:,} an import reads (KG_IMPORT_MAX_BYTES)",
            path=path,
        )
    return path.read_bytes()


def _decode(data: bytes, path: Path) -> str:
    try:
        return data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise BMMLError(
            f"not UTF-8: byte 0x{data[error.start]:02x} cannot be decoded", path=path, line=line
        ) from error


def _load(path: Path) -> tuple[Any, dict[Path_, int]]:
    """The document as Python data, and the line each field starts on."""
    text = _decode(_read_bytes(path), path)
    try:
        loader = _Loader(text)  # checks the text's characters already
    except yaml.reader.ReaderError as error:
        raise BMMLError(
            f"not YAML: character U+{error.character:04X} is not allowed in a YAML file",
            path=path,
            line=text.count("\n", 0, error.position) + 1,
        ) from error
    lines: dict[Path_, int] = {}
    try:
        node = loader.get_single_node()
        if node is None:
            raise BMMLError("empty document: BMML needs at least version and meta", path=path)
        _positions(node, (), lines, path)
        value = loader.construct_document(node)
    except _Alias as alias:
        raise BMMLError(
            f"refused: a YAML alias (*{alias.name}); aliases can make a small file expand into "
            "a huge one, and BMML needs none",
            path=path,
            line=alias.line,
        ) from None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        context = error.context if error.problem and error.context else None
        at = f" ({context}, line {error.context_mark.line + 1})" if context else ""
        raise BMMLError(
            f"malformed YAML: {error.problem or error.context}{at}",
            path=path,
            line=mark.line + 1 if mark is not None else None,
        ) from error
    except yaml.YAMLError as error:
        raise BMMLError(f"malformed YAML: {error}", path=path) from error
    except RecursionError:
        raise BMMLError("nested too deeply to read", path=path) from None
    finally:
        loader.dispose()
    return value, lines


def _check_schema(value: Any, lines: dict[Path_, int], path: Path) -> None:
    errors = sorted(
        _validator().iter_errors(value),
        key=lambda e: (_line(lines, list(e.absolute_path)) or 0, _field(e.absolute_path)),
    )
    if not errors:
        return
    first = errors[0]
    more = ""
    if len(errors) > 1:
        shown = "; ".join(
            f"line {_line(lines, list(e.absolute_path))} {_field(e.absolute_path) or '(document)'}"
            f": {e.message}"
            for e in errors[1:4]
        )
        more = f" (and {len(errors) - 1} more: {shown}{' ...' if len(errors) > 4 else ''})"
    raise BMMLError(
        f"does not follow the BMML 2.0 schema: {first.message}{more}",
        path=path,
        line=_line(lines, list(first.absolute_path)),
        field=_field(first.absolute_path) or "(document)",
    )


# --------------------------------------------------------------------------------------------
# What the document says, checked
# --------------------------------------------------------------------------------------------

_NEEDS = {"jobs": BM.Job, "pains": BM.Pain, "gains": BM.Gain}
_MAP = {"products_services": BM.Offering, "pain_relievers": BM.PainReliever}
_MAP["gain_creators"] = BM.GainCreator
_BLOCKS = {
    "channels": BM.Channel,
    "customer_relationships": BM.CustomerRelationship,
    "revenue_streams": BM.RevenueStream,
    "key_resources": BM.KeyResource,
    "key_activities": BM.KeyActivity,
    "key_partnerships": BM.KeyPartner,
    "costs": BM.CostItem,
}
# (block, "for" or "from", sub-key) -> the bm: property, or a kept bmx: term
_LINKS: dict[tuple[str, str, str], URIRef] = {
    ("channels", "for", "customer_segments"): BM.reachesSegment,
    ("channels", "for", "value_propositions"): BMX.deliversValueProposition,
    ("customer_relationships", "for", "customer_segments"): BM.withSegment,
    ("revenue_streams", "from", "customer_segments"): BM.fromSegment,
    ("revenue_streams", "for", "value_propositions"): BM.forValueProposition,
    ("key_resources", "for", "value_propositions"): BMX.neededFor,
    ("key_activities", "for", "value_propositions"): BMX.neededFor,
    ("key_partnerships", "for", "key_resources"): BM.suppliesResource,
    ("key_partnerships", "for", "key_activities"): BM.performsActivity,
    ("costs", "for", "key_resources"): BM.incurredBy,
    ("costs", "for", "key_activities"): BM.incurredBy,
}
_THROUGH = {
    BMX.deliversValueProposition: (
        "a channel reaches value propositions through the products and services it "
        "distributes (bm:distributes), which the canvas does not name",
        (str(BM.distributes),),
    ),
    BMX.neededFor: (
        "key resources and activities serve value propositions through the products and "
        "services that need them (bm:requiresResource, bm:requiresActivity), which the canvas "
        "does not name",
        (str(BM.requiresResource), str(BM.requiresActivity)),
    ),
}


class _Document:
    """The checked content of a document: every id, where it sits and what it belongs to."""

    def __init__(self, value: dict[str, Any], lines: dict[Path_, int], path: Path) -> None:
        self.value = value
        self.lines = lines
        self.path = path
        self.where: dict[str, Path_] = {}
        self.owner: dict[str, str] = {}  # need -> segment, value map item -> proposition
        self.section: dict[str, str] = {}
        for index, segment in enumerate(value.get("customer_segments", [])):
            self.define(segment["id"], ("customer_segments", index), "customer_segments")
            for key in _NEEDS:
                for n, need in enumerate(segment.get(key, [])):
                    self.define(need["id"], ("customer_segments", index, key, n), key)
                    self.owner[need["id"]] = segment["id"]
        for index, proposition in enumerate(value.get("value_propositions", [])):
            self.define(proposition["id"], ("value_propositions", index), "value_propositions")
            for key in _MAP:
                for n, item in enumerate(proposition.get(key, [])):
                    self.define(item["id"], ("value_propositions", index, key, n), key)
                    self.owner[item["id"]] = proposition["id"]
        for block in _BLOCKS:
            for index, item in enumerate(value.get(block, [])):
                self.define(item["id"], (block, index), block)
        for index, fit in enumerate(value.get("fits", [])):
            self.define(fit["id"], ("fits", index), "fits")
        for block in _BLOCKS:
            for index, item in enumerate(value.get(block, [])):
                for (name, direction, key), _ in _LINKS.items():
                    if name == block:
                        for n, ref in enumerate(item.get(direction, {}).get(key, [])):
                            self.refer(ref, key, (block, index, direction, key, n))
        for index, fit in enumerate(value.get("fits", [])):
            self.check_fit(index, fit)

    def fail(self, message: str, at: Path_) -> BMMLError:
        return BMMLError(message, path=self.path, line=_line(self.lines, at), field=_field(at))

    def line(self, at: Path_) -> int:
        return _line(self.lines, at) or 0

    def define(self, identifier: str, at: Path_, section: str) -> None:
        if identifier in self.where:
            first = self.line(self.where[identifier])
            raise self.fail(
                f"the id {identifier!r} is used twice (first on line {first})", (*at, "id")
            )
        self.where[identifier] = at
        self.section[identifier] = section

    def refer(self, identifier: str, section: str, at: Path_) -> None:
        if self.section.get(identifier) != section:
            raise self.fail(
                f"refers to {identifier!r}, which the document does not define in {section}", at
            )

    def check_fit(self, index: int, fit: dict[str, Any]) -> None:
        at: Path_ = ("fits", index)
        propositions = fit["for"]["value_propositions"]
        segments = fit["for"]["customer_segments"]
        for key, refs in (("value_propositions", propositions), ("customer_segments", segments)):
            for n, ref in enumerate(refs):
                self.refer(ref, key, (*at, "for", key, n))
        for n, (source, target) in enumerate(fit.get("mappings", [])):
            where: Path_ = (*at, "mappings", n)
            kind = self.section.get(source)
            wanted = {"pain_relievers": "pains", "gain_creators": "gains"}.get(kind or "")
            if wanted is None:
                raise self.fail(
                    f"maps {source!r}, which is no pain reliever or gain creator of the document",
                    (*where, 0),
                )
            if self.section.get(target) not in ("pains", "gains"):
                raise self.fail(
                    f"maps to {target!r}, which is no pain or gain of the document", (*where, 1)
                )
            if self.section[target] != wanted:
                what = "pain reliever" if kind == "pain_relievers" else "gain creator"
                raise self.fail(
                    f"maps the {what} {source!r} to {target!r}, a "
                    f"{self.section[target][:-1]}: a {what} maps to a {wanted[:-1]}",
                    where,
                )
            if self.owner[source] not in propositions:
                raise self.fail(
                    f"{source!r} belongs to {self.owner[source]!r}, not to the fit's value "
                    f"propositions ({', '.join(propositions)})",
                    (*where, 0),
                )
            if self.owner[target] not in segments:
                raise self.fail(
                    f"{target!r} belongs to {self.owner[target]!r}, not to the fit's customer "
                    f"segments ({', '.join(segments)})",
                    (*where, 1),
                )


# --------------------------------------------------------------------------------------------
# Document -> graphs
# --------------------------------------------------------------------------------------------


class _Build:
    def __init__(
        self, doc: _Document, namespace: str, keys: dict[str, URIRef], origin: Origin | None
    ) -> None:
        self.doc = doc
        self.namespace = namespace
        self.keys = keys
        self.origin = origin
        self.result = ImportResult(str(doc.path), new_graph(), new_graph())

    def iri(self, identifier: str) -> URIRef:
        found = self.keys.get(identifier)
        if found is not None:
            return found
        local = "enterprise" if identifier == _META else quote(identifier, safe="-._~")
        return URIRef(self.namespace + local)

    def node(self, identifier: str, cls: URIRef, graph: rdflib.Graph | None = None) -> URIRef:
        graph = self.result.graph if graph is None else graph
        node = self.iri(identifier)
        graph.add((node, RDF.type, cls))
        if self.origin is not None:
            self.origin.mark(graph, node, identifier)
        if graph is self.result.graph:
            self.result.iris[identifier] = node
            self.result.classes[identifier] = str(cls)
        return node

    def text(self, node: URIRef, prop: URIRef, value: str | None) -> None:
        if value is not None:
            self.result.graph.add((node, prop, Literal(value)))

    def run(self) -> ImportResult:
        value = self.doc.value
        graph, kept = self.result.graph, self.result.kept
        meta = value["meta"]
        enterprise = self.node(_META, BM.Enterprise)
        self.text(enterprise, RDFS.label, meta["name"])
        self.text(enterprise, DCTERMS.description, meta.get("tagline"))
        for key, prop in (
            ("portfolio", BMX.portfolio),
            ("stage", BMX.stage),
            ("created", DCTERMS.created),
            ("updated", DCTERMS.modified),
            ("derived_from", BMX.derivedFrom),
        ):
            if key in meta:
                kept.add((enterprise, prop, Literal(meta[key])))
        for segment in value.get("customer_segments", []):
            node = self.node(segment["id"], BM.CustomerSegment)
            self.text(node, RDFS.label, segment["name"])
            self.text(node, DCTERMS.description, segment.get("description"))
            for key, cls in _NEEDS.items():
                for need in segment.get(key, []):
                    target = self.node(need["id"], cls)
                    self.text(target, RDFS.label, need["description"])
                    graph.add((node, BM.hasNeed, target))
        for proposition in value.get("value_propositions", []):
            node = self.node(proposition["id"], BM.ValueProposition)
            self.text(node, RDFS.label, proposition["name"])
            self.text(node, DCTERMS.description, proposition.get("description"))
            for item in proposition.get("products_services", []):
                offering = self.node(item["id"], BM.Offering)
                self.text(offering, RDFS.label, item["name"])
                graph.add((offering, BM.deliversValueProposition, node))
                self.ask_kind(item)
            for key in ("pain_relievers", "gain_creators"):
                for item in proposition.get(key, []):
                    part = self.node(item["id"], _MAP[key])
                    self.text(part, RDFS.label, item["name"])
                    graph.add((part, BM.partOfValueProposition, node))
        for fit in value.get("fits", []):
            self.fit(fit)
        for block, cls in _BLOCKS.items():
            for item in value.get(block, []):
                node = self.node(item["id"], cls)
                self.text(node, RDFS.label, item["name"])
                for (name, direction, key), prop in _LINKS.items():
                    if name != block:
                        continue
                    for ref in item.get(direction, {}).get(key, []):
                        target = self.iri(ref)
                        if prop in _THROUGH:
                            kept.add((node, prop, target))
                            self.ask_link(block, item, prop, ref)
                        else:
                            graph.add((node, prop, target))
        return self.result

    def fit(self, fit: dict[str, Any]) -> None:
        graph, kept = self.result.graph, self.result.kept
        node = self.node(fit["id"], BMX.Fit, kept)
        for proposition in fit["for"]["value_propositions"]:
            kept.add((node, BMX.valueProposition, self.iri(proposition)))
            for segment in fit["for"]["customer_segments"]:
                graph.add((self.iri(proposition), BM.targetsSegment, self.iri(segment)))
        for segment in fit["for"]["customer_segments"]:
            kept.add((node, BMX.customerSegment, self.iri(segment)))
        for source, target in fit.get("mappings", []):
            prop = BM.relievesPain if self.doc.section[source] == "pain_relievers" else None
            graph.add((self.iri(source), prop or BM.createsGain, self.iri(target)))
            owner = self.iri(self.doc.owner[source])
            graph.add((owner, BM.addressesNeed, self.iri(target)))

    def ask_kind(self, item: dict[str, Any]) -> None:
        identifier = item["id"]
        why = "BMML does not say whether it is a product or a service"
        self.result.needs_input.append(
            NeedsInput(
                "element-type",
                identifier,
                self.doc.line(self.doc.where[identifier]),
                f"Product or service {item['name']!r}: {why}; it is imported as a bm:Offering.",
                (str(BM.Product), str(BM.Service)),
                topic="products_services",
                name=item["name"],
                why=why,
            )
        )

    def ask_link(self, block: str, item: dict[str, Any], prop: URIRef, ref: str) -> None:
        why, candidates = _THROUGH[prop]
        self.result.needs_input.append(
            NeedsInput(
                "relationship",
                item["id"],
                self.doc.line(self.doc.where[item["id"]]),
                f"{block[:-1].replace('_', ' ')} {item['name']!r} is for {ref!r}: {why}; "
                "the link is kept as it is.",
                candidates,
                topic=f"{block} for value_propositions",
                name=f"{item['name']} for {ref}",
                why=why,
            )
        )


def _companion(path: Path) -> rdflib.Graph | None:
    companion = companion_path(path)
    if not companion.exists():
        return None
    text = _decode(_read_bytes(companion), companion)
    graph = rdflib.Graph()
    try:
        graph.parse(data=text, format="turtle", publicID=companion.resolve().as_uri())
    except Exception as error:  # rdflib raises several unrelated types for bad Turtle
        line = getattr(error, "lines", None)
        raise BMMLError(
            f"malformed Turtle: {getattr(error, 'why', None) or error}",
            path=companion,
            line=line + 1 if isinstance(line, int) else None,
        ) from error
    return graph


def _keys(companion: rdflib.Graph, path: Path) -> dict[str, URIRef]:
    keys: dict[str, URIRef] = {}
    for node, identifier in companion.subject_objects(BMX.bmmlId):
        if not isinstance(node, URIRef) or str(identifier) in keys:
            raise BMMLError(
                f"the key {str(identifier)!r} must name one IRI (bmx:bmmlId)",
                path=companion_path(path),
            )
        keys[str(identifier)] = node
    return keys


def _apply(result: ImportResult, companion: rdflib.Graph, doc: _Document) -> None:
    graph, kept = result.graph, result.kept
    replaced = {(s, p) for s, p, _ in companion if p in _OVERRIDABLE}
    replaced |= {(s, p) for s, p in companion.subject_objects(BMX.unstated)}
    for subject, prop in replaced:
        if (subject, prop, None) in graph:
            graph.remove((subject, prop, None))
            if prop == RDF.type:
                ident = next((i for i, n in result.iris.items() if n == subject), None)
                result.needs_input[:] = [
                    item
                    for item in result.needs_input
                    if not (item.kind == "element-type" and item.identifier == ident)
                ]
    for triple in companion:
        prop = triple[1]
        if prop == BMX.unstated:
            continue
        (kept if str(prop).startswith(str(BMX)) else graph).add(triple)
    for identifier, node in _keys(companion, doc.path).items():
        if identifier not in doc.where and identifier != _META:
            result.needs_input.append(
                NeedsInput(
                    "element-type",
                    identifier,
                    0,
                    f"The companion file keys {identifier!r} ({node}), which the document "
                    "does not hold; its statements are imported as they are.",
                    topic="companion key without canvas item",
                    name=identifier,
                    why="the canvas no longer holds it",
                )
            )


def read_bmml(path: str | os.PathLike[str], *, namespace: str | None = None) -> ImportResult:
    """Import a BMML document, with its companion ``NAME.bmml.ttl`` when there is one.

    Parameters
    ----------
    path
        The ``.bmml`` file.
    namespace
        What node IRIs start with; by default ``urn:bmkg:bmml:`` + the file's stem + ``:``.
        Nodes the companion keys (``bmx:bmmlId``) keep the companion's IRIs.

    Returns
    -------
    ImportResult
        The model graph, the kept graph and what needs input (see the module's description).

    Raises
    ------
    BMMLError
        The file (or its companion) is too large, not UTF-8, not YAML (or Turtle), uses YAML
        aliases or repeated keys, does not follow the schema, or repeats an id, refers to an id
        it does not define, or maps a fit across types or propositions; with file, line, field.

    Examples
    --------
    >>> from pathlib import Path
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / "shop.bmml").write_text('''
    ... version: "2.0"
    ... meta: {name: Shop, portfolio: explore, stage: ideation}
    ... customer_segments: [{id: cs-cyclists, name: Cyclists}]
    ... channels: [{id: ch-web, name: Web shop, for: {customer_segments: [cs-cyclists]}}]
    ... ''')
    >>> result = read_bmml(folder / "shop.bmml")
    >>> result.counts()
    {'Channel': 1, 'CustomerSegment': 1, 'Enterprise': 1}
    >>> str(result.iris["ch-web"])
    'urn:bmkg:bmml:shop:ch-web'
    """
    path = Path(path)
    value, lines = _load(path)
    _check_schema(value, lines, path)
    doc = _Document(value, lines, path)
    companion = _companion(path)
    keys = _keys(companion, path) if companion is not None else {}
    namespace = namespace or f"urn:bmkg:bmml:{quote(path.stem)}:"
    origin = Origin(path, FORMAT)
    build = _Build(doc, namespace, keys, origin)
    origin.describe(build.result.kept)
    result = build.run()
    if companion is not None:
        _apply(result, companion, doc)
        _settled(result)
    return result


def _settled(result: ImportResult) -> None:
    """Drop the questions about "for" links the model now implies: a channel for a value
    proposition that distributes an offering delivering it, a resource or activity that an
    offering delivering it requires (what the companion stated, and the export derived)."""
    graph, kept = result.graph, result.kept

    def implied(node: Node, prop: Node, target: Node) -> bool:
        if prop == BMX.deliversValueProposition:
            offerings = set(graph.objects(node, BM.distributes))
        else:
            offerings = {
                o
                for via in (BM.requiresResource, BM.requiresActivity)
                for o in graph.subjects(via, node)
            }
        return any((o, BM.deliversValueProposition, target) in graph for o in offerings)

    settled = {
        (
            str(graph.value(node, DCTERMS.identifier) or ""),
            str(
                kept.value(target, DCTERMS.identifier)
                or graph.value(target, DCTERMS.identifier)
                or ""
            ),
        )
        for prop in _THROUGH
        for node, target in kept.subject_objects(prop)
        if implied(node, prop, target)
    }
    result.needs_input[:] = [
        item
        for item in result.needs_input
        if not (
            item.kind == "relationship"
            and item.topic.endswith("for value_propositions")
            and any(item.identifier == a and item.name.endswith(f" for {b}") for a, b in settled)
        )
    ]


# --------------------------------------------------------------------------------------------
# Graph -> document
# --------------------------------------------------------------------------------------------


class _Export:
    def __init__(self, graph: rdflib.Graph, enterprise: URIRef) -> None:
        self.graph = graph
        self.enterprise = enterprise
        self.ids: dict[Node, str] = {enterprise: _META}
        self.used: set[str] = {_META}
        self.placed: set[Node] = set()
        self.owner: dict[Node, Node] = {}  # need -> segment, value map item -> proposition

    def ident(self, node: Node, prefix: str) -> str:
        if node in self.ids:
            return self.ids[node]
        local = re.split(r"[#/:]", str(node).rstrip("#/:"))[-1]
        slug = re.sub(r"[^a-z0-9]+", "-", local.lower()).strip("-") or "item"
        if not slug.startswith(prefix + "-") or slug == prefix + "-":
            slug = f"{prefix}-{slug}"
        candidate, n = slug, 2
        while candidate in self.used:
            candidate, n = f"{slug}-{n}", n + 1
        self.used.add(candidate)
        self.ids[node] = candidate
        return candidate

    def members(self, *classes: URIRef) -> list[URIRef]:
        found = {
            s
            for cls in classes
            for s in self.graph.subjects(RDF.type, cls)
            if isinstance(s, URIRef)
        }
        return sorted(found - self.placed, key=str)

    def objects(self, node: Node, prop: URIRef, inverse: bool = False) -> list[Node]:
        found = self.graph.subjects(prop, node) if inverse else self.graph.objects(node, prop)
        return sorted(set(found), key=str)

    def label(self, node: Node, prop: URIRef = RDFS.label) -> str | None:
        return preferred_label(
            (str(o), o.language or "")
            for o in self.graph.objects(node, prop)
            if isinstance(o, Literal)
        )

    def name(self, node: Node) -> str:
        return self.label(node) or re.split(r"[#/:]", str(node).rstrip("#/:"))[-1]

    def item(self, node: URIRef, prefix: str, *, described: bool = False) -> dict[str, Any]:
        self.placed.add(node)
        found: dict[str, Any] = {"id": self.ident(node, prefix), "name": self.name(node)}
        description = self.label(node, DCTERMS.description) if described else None
        if description is not None:
            found["description"] = description
        return found

    def refs(self, nodes: Iterable[Node], prefix: str) -> list[str]:
        return sorted(
            {self.ids[n] for n in nodes if n in self.ids and self.ids[n].startswith(prefix + "-")}
        )

    def document(self, portfolio: str, stage: str) -> dict[str, Any]:
        graph, enterprise = self.graph, self.enterprise
        meta: dict[str, Any] = {"name": self.name(enterprise)}
        tagline = self.label(enterprise, DCTERMS.description)
        if tagline is not None:
            meta["tagline"] = tagline
        for key, prop in (("created", DCTERMS.created), ("updated", DCTERMS.modified)):
            for value in self.objects(enterprise, prop)[:1]:
                meta[key] = str(value)
        meta["portfolio"] = portfolio
        meta["stage"] = stage
        for value in self.objects(enterprise, BMX.derivedFrom)[:1]:
            meta["derived_from"] = str(value)
        doc: dict[str, Any] = {"version": "2.0", "meta": meta}

        segments = []
        for segment in self.members(BM.CustomerSegment):
            entry = self.item(segment, "cs", described=True)
            for key, cls in _NEEDS.items():
                needs = []
                for need in self.objects(segment, BM.hasNeed):
                    if (
                        not isinstance(need, URIRef)
                        or need in self.placed
                        or (need, RDF.type, cls) not in graph
                    ):
                        continue
                    self.placed.add(need)
                    self.owner[need] = segment
                    needs.append({"id": self.ident(need, key[:-1]), "description": self.name(need)})
                if needs:
                    entry[key] = needs
            segments.append(entry)
        propositions = []
        offerings = {BM.Offering, BM.Product, BM.Service}
        for proposition in self.members(BM.ValueProposition):
            entry = self.item(proposition, "vp", described=True)
            parts: dict[str, tuple[URIRef, set[URIRef], str]] = {
                "products_services": (BM.deliversValueProposition, offerings, "ps"),
                "pain_relievers": (BM.partOfValueProposition, {BM.PainReliever}, "pr"),
                "gain_creators": (BM.partOfValueProposition, {BM.GainCreator}, "gc"),
            }
            for key, (prop, classes, prefix) in parts.items():
                items = []
                for part in sorted(set(graph.subjects(prop, proposition)), key=str):
                    if (
                        isinstance(part, URIRef)
                        and part not in self.placed
                        and any((part, RDF.type, c) in graph for c in classes)
                    ):
                        items.append(self.item(part, prefix))
                        self.owner[part] = proposition
                if items:
                    entry[key] = items
            propositions.append(entry)
        fits = []
        for offered in self.members_of("vp"):
            vp = self.ids[offered]
            for served in self.objects(offered, BM.targetsSegment):
                cs = self.ids.get(served)
                if cs is None or not cs.startswith("cs-"):
                    continue
                mappings = []
                for source, prop in (("pr", BM.relievesPain), ("gc", BM.createsGain)):
                    for part in self.objects(offered, BM.partOfValueProposition, True):
                        if self.owner.get(part) != offered:
                            continue
                        if not self.ids[part].startswith(source + "-"):
                            continue
                        for need in self.objects(part, prop):
                            if (
                                self.owner.get(need) == served
                                and self.ids[need].split("-")[0] in ("pain", "gain")
                                and (offered, BM.addressesNeed, need) in graph
                            ):
                                mappings.append([self.ids[part], self.ids[need]])
                fit: dict[str, Any] = {
                    "id": self.fit_id(vp, cs),
                    "for": {"value_propositions": [vp], "customer_segments": [cs]},
                }
                if mappings:
                    fit["mappings"] = sorted(mappings)
                fits.append(fit)

        blocks: dict[str, list[dict[str, Any]]] = {}
        for block, cls, prefix in (
            ("channels", BM.Channel, "ch"),
            ("customer_relationships", BM.CustomerRelationship, "cr"),
            ("revenue_streams", BM.RevenueStream, "rs"),
            ("key_resources", BM.KeyResource, "kr"),
            ("key_activities", BM.KeyActivity, "ka"),
            ("key_partnerships", BM.KeyPartner, "kp"),
            ("costs", BM.CostItem, "cost"),
        ):
            blocks[block] = [self.item(node, prefix) for node in self.members(cls)]
        for block, items in blocks.items():
            for entry in items:
                node = next(n for n, i in self.ids.items() if i == entry["id"])
                for (name, direction, key), prop in _LINKS.items():
                    if name != block:
                        continue
                    refs = self.refs(self.linked(node, prop, block), _PREFIX[key])
                    if refs:
                        entry.setdefault(direction, {})[key] = refs
        for key, items in (
            ("customer_segments", segments),
            ("value_propositions", propositions),
            ("fits", fits),
        ):
            if items:
                doc[key] = items
        for block, items in blocks.items():
            if items:
                doc[block] = items
        return doc

    def members_of(self, prefix: str) -> list[Node]:
        return sorted(
            (n for n, i in self.ids.items() if i.startswith(prefix + "-")),
            key=lambda n: self.ids[n],
        )

    def fit_id(self, vp: str, cs: str) -> str:
        slug = f"fit-{vp[3:]}-{cs[3:]}"
        candidate, n = slug, 2
        while candidate in self.used:
            candidate, n = f"{slug}-{n}", n + 1
        self.used.add(candidate)
        return candidate

    def linked(self, node: Node, prop: URIRef, block: str) -> Iterator[Node]:
        graph = self.graph
        yield from graph.objects(node, prop)
        if prop == BMX.deliversValueProposition:
            for offering in graph.objects(node, BM.distributes):
                yield from graph.objects(offering, BM.deliversValueProposition)
        elif prop == BMX.neededFor:
            via = BM.requiresResource if block == "key_resources" else BM.requiresActivity
            for offering in graph.subjects(via, node):
                yield from graph.objects(offering, BM.deliversValueProposition)


_PREFIX = {
    "customer_segments": "cs",
    "value_propositions": "vp",
    "key_resources": "kr",
    "key_activities": "ka",
}


def _enterprise(
    graph: rdflib.Graph, enterprise: str | None, path: Path
) -> tuple[rdflib.Graph, URIRef]:
    found = sorted({e for e in graph.subjects(RDF.type, BM.Enterprise) if isinstance(e, URIRef)})
    if not found:
        raise BMMLError(
            "the graph holds no enterprise (bm:Enterprise), and a BMML document describes one",
            path=path,
        )
    if enterprise is None:
        if len(found) > 1:
            raise BMMLError(
                f"the graph holds {len(found)} enterprises and a BMML document describes one: "
                f"choose one with enterprise= ({', '.join(str(e) for e in found)})",
                path=path,
            )
        return graph, found[0]
    if len(found) == 1:
        only = found[0]
        labels = {str(label).casefold() for label in graph.objects(only, RDFS.label)}
        if enterprise not in (str(only),) and enterprise.casefold() not in labels:
            raise BMMLError(f"the graph holds no enterprise {enterprise!r}, only {only}", path=path)
        return graph, only
    return _scoped(graph, enterprise)


def _scoped(graph: rdflib.Graph, enterprise: str) -> tuple[rdflib.Graph, URIRef]:
    """The statements of one enterprise of several (:func:`kg.portfolio.scoped`)."""
    from kg.model import open_model
    from kg.ontology import ONTOLOGY_IRI
    from kg.portfolio import resolve, scoped
    from kg.rdflibstore import rdflib_term

    with tempfile.TemporaryDirectory() as folder:
        data = Path(folder) / "model.nt"
        graph.serialize(data, format="nt", encoding="utf-8")
        model = open_model(data)
        try:
            chosen = resolve(model, enterprise)
            assert chosen is not None
            view = scoped(model, chosen)
            kept: dict[tuple[Node, Node], list[Node]] = {}
            for quad in view.store.quads_for_pattern(None, None, None, None):
                if getattr(quad.graph_name, "value", None) != str(ONTOLOGY_IRI):
                    key = (rdflib_term(quad.subject), rdflib_term(quad.predicate))
                    kept.setdefault(key, []).append(rdflib_term(quad.object))
        finally:
            model.close()
    # the original statements, not the store's (which writes literals in canonical form)
    result = rdflib.Graph()
    for subject, prop, obj in graph:
        if any(
            obj == other or (isinstance(obj, Literal) and obj.eq(other))
            for other in kept.get((subject, prop), ())
        ):
            result.add((subject, prop, obj))
    for prefix, namespace in graph.namespaces():
        result.bind(prefix, namespace, override=False)
    return result, URIRef(chosen.iri)


def write_bmml(
    graph: rdflib.Graph,
    path: str | os.PathLike[str],
    *,
    enterprise: str | None = None,
    portfolio: str | None = None,
    stage: str | None = None,
) -> list[Path]:
    """Write one enterprise of ``graph`` as a BMML document and its companion.

    Parameters
    ----------
    graph
        A model graph (the enterprise's statements, without the ontology).
    path
        The ``.bmml`` file to write; the companion goes to ``path`` + ``.ttl``.
    enterprise
        The enterprise to write (its IRI or label): needed when ``graph`` holds several, whose
        statements are then told apart as :func:`kg.portfolio.scoped` does.
    portfolio, stage
        BMML's ``meta.portfolio`` (``explore`` or ``exploit``) and ``meta.stage``, which the
        schema requires and the ontology does not hold: taken from the graph's
        ``bmx:portfolio`` and ``bmx:stage`` of the enterprise (an imported BMML document's kept
        graph) unless given here.

    Returns
    -------
    list of Path
        The BMML file and its companion.

    Raises
    ------
    BMMLError
        No enterprise, several and none chosen, no portfolio or stage, or values the schema
        refuses (a stage that is not one of the portfolio's). Nothing is written then.
    """
    path = Path(path)
    scope, node = _enterprise(graph, enterprise, path)
    export = _Export(scope, node)
    portfolio = portfolio or next((str(o) for o in scope.objects(node, BMX.portfolio)), None)
    stage = stage or next((str(o) for o in scope.objects(node, BMX.stage)), None)
    if portfolio is None or stage is None:
        missing = " and ".join(
            name for name, v in (("portfolio", portfolio), ("stage", stage)) if v is None
        )
        raise BMMLError(
            f"BMML requires the {missing} of the business model, which the graph does not hold "
            "(bmx:portfolio, bmx:stage): pass portfolio= (explore or exploit) and stage=",
            path=path,
            field="meta",
        )
    value = export.document(portfolio, stage)
    _check_schema(value, {}, path)
    doc = _Document(value, {}, path)
    keys = {ident: n for n, ident in export.ids.items() if isinstance(n, URIRef)}
    canvas = _Build(doc, "", keys, None).run()
    companion = rdflib.Graph()
    for prefix, namespace in scope.namespaces():
        companion.bind(prefix, namespace)
    companion.bind("bmx", BMX)
    for ident, n in sorted(keys.items()):
        companion.add((n, BMX.bmmlId, Literal(ident)))
    for triple in scope:
        if triple[1] in PROVENANCE or triple in canvas.graph or triple in canvas.kept:
            continue
        companion.add(triple)
    pairs = {(s, p) for s, p, _ in canvas.graph if p in _OVERRIDABLE}
    for subject, prop in pairs:
        ours = set(scope.objects(subject, prop))
        if ours == set(canvas.graph.objects(subject, prop)):
            continue
        for obj in ours:
            companion.add((subject, prop, obj))
        if not ours:
            companion.add((subject, BMX.unstated, prop))
    text = yaml.safe_dump(value, sort_keys=False, allow_unicode=True, width=100)
    turtle = companion.serialize(format="turtle")
    written = [path, companion_path(path)]
    _write_all(zip(written, (text, turtle), strict=True))
    return written


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _write_all(files: Iterable[tuple[Path, str]]) -> None:
    """Write every file or none: each to a temporary file first, then all renamed."""
    staged: list[tuple[str, Path]] = []
    try:
        for target, text in files:
            target.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
            with os.fdopen(handle, "w", encoding="utf-8") as stream:
                stream.write(text)
            os.chmod(temporary, 0o666 & ~_umask())  # as a file made with open() would be
            staged.append((temporary, target))
        for temporary, target in staged:
            os.replace(temporary, target)
    finally:
        for temporary, _ in staged:
            if os.path.exists(temporary):
                os.unlink(temporary)
