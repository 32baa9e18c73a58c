"""The model's entities as resources: list, describe, and safe writes, in a JSON-LD form.

An entity is a node of the model named by an IRI. Its JSON form is a JSON-LD node object whose
properties are named by their ``bm:`` local name (other vocabularies by CURIE or full IRI)::

    {"@id": "https://example.org/alpina/seg-families",
     "@type": "CustomerSegment",
     "label": {"@value": "Families", "@language": "en"},
     "segmentSize": 180000,
     "locatedIn": {"@id": "https://example.org/alpina/geo-switzerland", "label": "Switzerland"},
     "@reverse": {"representsSegment": [{"@id": "...", "label": "..."}]}}

With :func:`context` as its ``@context`` the document is real JSON-LD: decimals and dates are
written as strings that the context types (``xsd:decimal``, ``xsd:date``), integers and booleans
as JSON numbers and booleans, links as ``{"@id": ...}`` (with the target's label), and incoming
links under ``@reverse``.

Writes are safe:

* **Only what a write touches is validated.** The focus nodes are the nodes the changed triples
  name, every node linked to or from them (before or after the write), and the journeys of
  touched stages (the journey shapes look two links away). They are validated on a small graph:
  their neighbourhood (see :func:`neighbourhood`) plus the ontology, which holds everything the
  project's shapes read for those nodes, so the results equal a full validation's for them.
* **A write that adds a violation is refused** with :class:`~kg.errors.WriteRejectedError`
  carrying the new violations; violations the model already had do not block a write.
* **An accepted write is one transaction** (one SPARQL update request of ``DELETE DATA`` and
  ``INSERT DATA``), so readers see the model before or after it, never half of it; an on-disk
  store is flushed before the write returns. Callers that write from several threads must
  serialise :func:`create_entity`, :func:`update_entity` and :func:`delete_entity` (the API
  holds a lock), so that no write slips in between a check and its apply.

An update replaces the entity's own triples (those with it as subject) in the named graph it
lives in; a new entity goes into the graph :data:`API_GRAPH`. A delete removes the entity's own
triples and is refused while other entities still link to it: the refusal is a
:class:`~kg.errors.WriteRejectedError` whose results name each incoming link (shape
``bmapi:DeleteRestrictShape``), so the caller removes or redirects those links first.

>>> import kg
>>> from kg.entities import get_entity, list_entities
>>> model = kg.open_model(kg.example_path("telco"))
>>> page = list_entities(model, "Geography", label="zur")
>>> [item["label"] for item in page.items]
['Canton of Zurich']
>>> get_entity(model, page.items[0]["@id"])["schema:containedInPlace"]["label"]
'German-speaking Switzerland'
"""

from __future__ import annotations

import re
import threading
import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Any

import pyoxigraph as ox
import rdflib
from rdflib.namespace import OWL, RDF, RDFS, SH, XSD

from kg import money, portfolio
from kg.answers import preferred_label
from kg.errors import NotFoundError, WriteRejectedError
from kg.ontology import ONTOLOGY_IRI, ontology_graph, ontology_path, shapes_graph
from kg.sandbox import mutating
from kg.sparqltext import BOOLEANS, decimal_text, integer_text
from kg.store import REPEATS, KnowledgeGraph, StoreBackend, rdflib_term, visible
from kg.validation import Engine, Severity, ValidationReport, ValidationResult, validate
from kg.vocab import BM, BMV, STANDARD_PREFIXES

__all__ = [
    "API_GRAPH",
    "EntityPage",
    "apply_write",
    "check_write",
    "class_names",
    "context",
    "create_entity",
    "delete_entity",
    "entity_exists",
    "entity_quads",
    "from_json",
    "get_entity",
    "json_schema",
    "list_entities",
    "neighbourhood",
    "update_entity",
    "validate_nodes",
    "write_focus",
]

API_GRAPH = "urn:bmkg:api"
"""The named graph that receives entities created through :func:`create_entity`."""

_BM = str(BM._NS)
_BMV = str(BMV._NS)
_RDF_TYPE = ox.NamedNode(str(RDF.type))
_RDFS_LABEL = ox.NamedNode(str(RDFS.label))
_XSD_STRING = str(XSD.string)
_ONTOLOGY = ox.NamedNode(str(ONTOLOGY_IRI))
_IN_STAGE = ox.NamedNode(str(BM.inStage))
_HAS_STAGE = ox.NamedNode(str(BM.hasStage))
# Shapes that follow these predicates transitively (containment and capability-map cycles).
_TRANSITIVE = (
    ox.NamedNode("https://schema.org/containedInPlace"),
    ox.NamedNode("http://www.w3.org/2004/02/skos/core#broader"),
)
_BMAPI = rdflib.Namespace("urn:bmkg:api#")
_NATIVE = {str(XSD.integer): int, str(XSD.boolean): bool}
_RESERVED = {"@id", "@type", "@context", "@reverse"}

Node = ox.NamedNode | ox.BlankNode
"""A node that can be a subject."""


# --------------------------------------------------------------------------------------------
# The vocabulary, read from the ontology


@dataclass(frozen=True)
class _Vocabulary:
    classes: frozenset[str]
    object_properties: frozenset[str]
    ranges: Mapping[str, str]  # datatype property IRI -> its xsd range


@cache
def _vocabulary() -> _Vocabulary:
    graph = ontology_graph()

    def bm_subjects(kind: rdflib.URIRef) -> frozenset[str]:
        return frozenset(str(s) for s in graph.subjects(RDF.type, kind) if str(s).startswith(_BM))

    # A datatype property's JSON type is the one its shapes demand, else its range.
    ranges: dict[str, str] = {}
    shapes = shapes_graph()
    for shape, path in shapes.subject_objects(SH.path):
        required = shapes.value(shape, SH.datatype)
        if isinstance(path, rdflib.URIRef) and required is not None:
            ranges.setdefault(str(path), str(required))
    for prop in bm_subjects(OWL.DatatypeProperty):
        target = graph.value(rdflib.URIRef(prop), RDFS.range)
        if target == RDF.PlainLiteral:  # text, with or without a language tag
            ranges.setdefault(prop, _XSD_STRING)
        elif target is not None and str(target).startswith(str(XSD)):
            ranges.setdefault(prop, str(target))
    datatype_properties = bm_subjects(OWL.DatatypeProperty)
    ranges = {p: d for p, d in ranges.items() if p in datatype_properties}
    return _Vocabulary(
        classes=bm_subjects(OWL.Class),
        object_properties=bm_subjects(OWL.ObjectProperty),
        ranges=ranges,
    )


def context() -> dict[str, Any]:
    """The JSON-LD ``@context`` of the entities' JSON form.

    ``@vocab`` is the ``bm:`` namespace, so types and properties are named by local name;
    datatype properties carry their range as ``@type``; ``label`` is ``rdfs:label``; the
    project's usual prefixes are declared for other vocabularies.

    >>> context()["segmentSize"]
    {'@id': 'bm:segmentSize', '@type': 'xsd:integer'}
    """
    terms: dict[str, Any] = {"@vocab": _BM, **STANDARD_PREFIXES, "label": "rdfs:label"}
    vocabulary = _vocabulary()
    for prop in sorted(vocabulary.object_properties):
        terms[prop[len(_BM) :]] = {"@id": "bm:" + prop[len(_BM) :]}
    for prop, datatype in sorted(vocabulary.ranges.items()):
        term: dict[str, str] = {"@id": "bm:" + prop[len(_BM) :]}
        if datatype != _XSD_STRING:
            term["@type"] = "xsd:" + datatype[len(str(XSD)) :]
        terms[prop[len(_BM) :]] = term
    return terms


_IRI_TEXT = r"^[a-z][a-z0-9+.-]*:[A-Za-z0-9._~/-]+(#[A-Za-z0-9._~/-]*)?$"
_LANGUAGE_TAG = r"^[a-z]{2,3}(-[A-Z]{2})?$"
_JSON_TYPES = {
    str(XSD.integer): {"type": "integer"},
    str(XSD.decimal): {"type": "number"},
    str(XSD.boolean): {"type": "boolean"},
    str(XSD.date): {"type": "string", "format": "date"},
}


def json_schema(*, with_id: bool = True) -> dict[str, Any]:
    """The JSON Schema of an entity's JSON form, as writes accept it.

    Types and ``bm:`` properties are named by local name (enumerated from the ontology), links
    are ``{"@id": IRI}``, literals are JSON values of the property's type or ``@value``
    objects; other vocabularies' properties go by CURIE or IRI. IRIs are limited to the
    characters an IRI never needs to escape. Whether a write is accepted also depends on the
    shapes, which a JSON Schema cannot say: a body this schema accepts may still be refused
    with the violations it would cause. ``with_id=False`` leaves ``@id`` out, for a body
    addressed by its IRI elsewhere (a replacement may still carry its own ``@id``).

    >>> schema = json_schema()
    >>> schema["required"], "CustomerSegment" in schema["properties"]["@type"]["anyOf"][0]["enum"]
    (['@type'], True)
    """
    vocabulary = _vocabulary()
    iri = {"type": "string", "pattern": _IRI_TEXT}
    link = {
        "type": "object",
        "required": ["@id"],
        "properties": {"@id": iri, "label": {"type": "string"}},
        "additionalProperties": False,
    }
    value_object = {
        "type": "object",
        "required": ["@value"],
        "properties": {
            "@value": {"type": ["string", "number", "boolean"]},
            "@language": {"type": "string", "pattern": _LANGUAGE_TAG},
            "@type": iri,
        },
        "not": {"required": ["@language", "@type"]},
        "additionalProperties": False,
    }
    # The numbers Oxigraph computes with (see kg.sparqltext.decimal_text and integer_text).
    decimal = {"type": "number", "exclusiveMinimum": -1e20, "exclusiveMaximum": 1e20}
    integer = {"type": "integer", "minimum": -(2**63), "maximum": 2**63 - 1}

    def many(schema: dict[str, Any], least: int = 0) -> dict[str, Any]:
        return {"anyOf": [schema, {"type": "array", "items": schema, "minItems": least}]}

    classes = class_names()
    properties: dict[str, Any] = {
        "@id": iri,
        "@type": many({"type": "string", "enum": classes}, least=1),
        "@context": {"description": "Ignored on writes"},
        "@reverse": {"description": "Incoming links, as reads show them; ignored on writes"},
        "label": many({"anyOf": [{"type": "string"}, value_object]}),
    }
    # Properties of one kind share a pattern: one schema per kind keeps the document (and the
    # cases a contract tester derives from it) small.
    kinds: dict[str, list[str]] = {}
    for prop in vocabulary.object_properties:
        kinds.setdefault("link", []).append(prop[len(_BM) :])
    for prop, datatype in vocabulary.ranges.items():
        kinds.setdefault(datatype, []).append(prop[len(_BM) :])
    patterns: dict[str, Any] = {}
    for kind, names in sorted(kinds.items()):
        if kind == "link":
            values = many(link)
        else:
            plain = {
                str(XSD.decimal): {
                    "anyOf": [decimal, {"type": "string", "pattern": _DECIMAL_TEXT}]
                },
                str(XSD.integer): integer,
            }.get(kind)
            plain = plain or _JSON_TYPES.get(kind, {"type": "string"})
            values = many({"anyOf": [plain, value_object]})
        patterns["^(" + "|".join(sorted(names)) + ")$"] = values
    patterns[_IRI_TEXT] = many(
        {
            "anyOf": [
                link,
                value_object,
                {"type": ["string", "boolean"]},
                integer,
                decimal,
            ]
        }
    )
    if not with_id:
        del properties["@id"]
    return {
        "title": "Entity",
        "type": "object",
        "required": ["@type"],
        "properties": properties,
        "patternProperties": patterns,
        "additionalProperties": False,
    }


def class_names() -> list[str]:
    """The local names of the ontology's classes, as ``@type`` takes them, sorted.

    >>> "CustomerSegment" in class_names()
    True
    """
    return sorted(c[len(_BM) :] for c in _vocabulary().classes)


def _class(name: str) -> ox.NamedNode:
    iri = name if ":" in name and not name.startswith("bm:") else _BM + name.removeprefix("bm:")
    if iri not in _vocabulary().classes:
        raise ValueError(f"unknown type {name!r}: not a class of the bm: ontology")
    return ox.NamedNode(iri)


def _property(key: str) -> ox.NamedNode:
    if key == "label":
        return _RDFS_LABEL
    prefix, colon, rest = key.partition(":")
    if not colon:
        iri = _BM + key
        vocabulary = _vocabulary()
        if iri not in vocabulary.object_properties and iri not in vocabulary.ranges:
            raise ValueError(f"unknown property {key!r}: not a property of the bm: ontology")
    elif prefix in STANDARD_PREFIXES and not rest.startswith("//") and "#" not in rest:
        iri = STANDARD_PREFIXES[prefix] + rest  # a CURIE; anything else is an IRI itself
    else:
        iri = key
    try:
        return ox.NamedNode(iri)
    except ValueError as error:
        raise ValueError(f"property {key!r} is not an IRI: {error}") from None


def _key(predicate: str) -> str:
    if predicate == str(RDFS.label):
        return "label"
    if predicate.startswith(_BM):
        return predicate[len(_BM) :]
    for prefix, namespace in STANDARD_PREFIXES.items():
        if predicate.startswith(namespace) and predicate != namespace:
            return f"{prefix}:{predicate[len(namespace) :]}"
    return predicate


def _type_name(iri: str) -> str:
    return iri[len(_BM) :] if iri.startswith(_BM) else _key(iri)


# --------------------------------------------------------------------------------------------
# JSON <-> RDF


def from_json(data: Mapping[str, Any], *, iri: str | None = None) -> tuple[str, list[ox.Triple]]:
    """Turn an entity's JSON form into its IRI and triples (the entity as subject).

    ``@id`` is taken from ``iri`` when given (and must then match the body's, if any), else from
    the body, else a new ``urn:uuid:`` IRI is minted. ``@reverse`` and ``@context`` are ignored;
    the nested labels of links are ignored too.

    Raises
    ------
    ValueError
        The body is not a valid entity: unknown type or property, a value of the wrong kind,
        an invalid IRI, no ``@type``.

    Examples
    --------
    >>> subject, triples = from_json({"@id": "https://ex.org/s", "@type": "CustomerSegment",
    ...                               "label": "S", "growthRate": 0.05})
    >>> sorted(str(t.object) for t in triples)
    ['"0.05"^^<http://www.w3.org/2001/XMLSchema#decimal>', '"S"', '<https://w3id.org/bmkg/ontology#CustomerSegment>']
    """
    if not isinstance(data, Mapping):
        raise ValueError("an entity must be a JSON object")
    given = data.get("@id")
    if "@id" in data and not isinstance(given, str):
        raise ValueError("@id must be a string (an IRI)")
    if iri is not None and given is not None and given != iri:
        raise ValueError(f"the body's @id {given!r} is not the entity addressed ({iri!r})")
    chosen = iri or (given if given is not None else f"urn:uuid:{uuid.uuid4()}")
    subject = _iri(chosen, "@id")
    types = data.get("@type")
    if types is None or types == []:
        raise ValueError("an entity needs an @type (a bm: class such as 'CustomerSegment')")
    triples = [
        ox.Triple(subject, _RDF_TYPE, _class(_text(name, "@type")))
        for name in (types if isinstance(types, list) else [types])
    ]
    for key, value in data.items():
        if not isinstance(key, str) or key in _RESERVED:
            continue
        predicate = _property(key)
        for item in value if isinstance(value, list) else [value]:
            triples.append(ox.Triple(subject, predicate, _object(predicate, item, key)))
    return subject.value, list(dict.fromkeys(triples))


def _text(value: Any, where: str) -> str:
    if not isinstance(value, str):
        raise ValueError(f"{where} must be a string, not {type(value).__name__}")
    return value


def _iri(value: str, where: str) -> ox.NamedNode:
    if ":" not in value:
        raise ValueError(f"{where} {value!r} is not an absolute IRI")
    try:
        return ox.NamedNode(value)
    except ValueError as error:
        raise ValueError(f"{where} {value!r} is not a valid IRI: {error}") from None


def _object(predicate: ox.NamedNode, value: Any, key: str) -> ox.NamedNode | ox.Literal:
    vocabulary = _vocabulary()
    if isinstance(value, Mapping):
        if "@id" in value:
            _only(value, _LINK_KEYS, key)
            if "label" in value:
                _text(value["label"], f"{key}.label")  # shown in reads, ignored in writes
            return _iri(_text(value["@id"], f"{key}.@id"), f"{key}.@id")
        if "@value" not in value:
            raise ValueError(f"{key}: an object value needs '@id' (a link) or '@value'")
        _only(value, _VALUE_KEYS, key)
        lexical = value["@value"]
        if isinstance(lexical, bool):
            lexical = "true" if lexical else "false"
        elif isinstance(lexical, int | float):
            lexical = str(lexical)
        lexical = _text(lexical, f"{key}.@value")
        if "@language" in value and "@type" in value:
            raise ValueError(f"{key}: a value has either '@language' or '@type', not both")
        if "@language" in value:
            try:
                return ox.Literal(lexical, language=_text(value["@language"], f"{key}.@language"))
            except ValueError as error:
                raise ValueError(f"{key}: bad language tag: {error}") from None
        if "@type" in value:
            named = _text(value["@type"], f"{key}.@type")
            prefix, _, rest = named.partition(":")
            if prefix in STANDARD_PREFIXES:
                named = STANDARD_PREFIXES[prefix] + rest
            return ox.Literal(lexical, datatype=_iri(named, f"{key}.@type"))
        return ox.Literal(lexical)
    if predicate.value in vocabulary.object_properties:
        raise ValueError(f"{key} links to other entities: write its values as {{'@id': IRI}}")
    datatype: str | None = vocabulary.ranges.get(predicate.value)
    if predicate == _RDFS_LABEL:
        datatype = _XSD_STRING
    if datatype == str(XSD.integer) and isinstance(value, float) and value.is_integer():
        value = int(value)  # 3.0 is a whole number in JSON
    expected = _JSON_VALUES.get(datatype or "")
    if expected is not None:
        types, wanted = expected
        # bool is an int to Python, not to JSON.
        fits = (bool in types) if isinstance(value, bool) else isinstance(value, types)
        if not fits:
            raise ValueError(f"{key}: expects {wanted}, not {value!r}")
    if isinstance(value, bool):
        return ox.Literal("true" if value else "false", datatype=ox.NamedNode(str(XSD.boolean)))
    if isinstance(value, int | float):
        plain_decimal = isinstance(value, float) or not -(2**63) <= value < 2**63
        if datatype == str(XSD.decimal) or (datatype is None and plain_decimal):
            try:
                lexical = decimal_text(value)
            except ValueError as error:
                raise ValueError(f"{key}: {error}") from None
            return ox.Literal(lexical, datatype=ox.NamedNode(str(XSD.decimal)))
        if isinstance(value, int):
            try:
                lexical = integer_text(value)
            except ValueError as error:
                raise ValueError(f"{key}: {error}") from None
        else:
            lexical = str(value)
        return ox.Literal(lexical, datatype=ox.NamedNode(datatype or str(XSD.integer)))
    if isinstance(value, str):
        if datatype == str(XSD.decimal):
            if not re.fullmatch(_DECIMAL_TEXT, value):
                raise ValueError(f"{key}: {value!r} is not a decimal number such as 0.05")
            try:
                value = decimal_text(value)
            except ValueError as error:
                raise ValueError(f"{key}: {error}") from None
        elif datatype == str(XSD.date) and not _is_date(value):
            raise ValueError(f"{key}: {value!r} is not a date written YYYY-MM-DD")
        return ox.Literal(value, datatype=ox.NamedNode(datatype or _XSD_STRING))
    raise ValueError(f"{key}: a value must be a string, number, boolean or object, not {value!r}")


# The JSON values a property of each range takes (other values go in an @value object).
_JSON_VALUES: dict[str, tuple[tuple[type, ...], str]] = {
    str(XSD.string): ((str,), "text"),
    str(XSD.language): ((str,), "a language tag"),
    str(XSD.date): ((str,), "a date, YYYY-MM-DD"),
    str(XSD.boolean): ((bool,), "true or false"),
    str(XSD.integer): ((int,), "a whole number"),
    str(XSD.decimal): ((int, float, str), "a number (or a decimal written as a string)"),
}
_DECIMAL_TEXT = r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)$"
_DATE_TEXT = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
_LINK_KEYS = frozenset({"@id", "label"})


def _is_date(text: str) -> bool:
    if not re.fullmatch(_DATE_TEXT, text):
        return False
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


_VALUE_KEYS = frozenset({"@value", "@language", "@type"})


def _only(value: Mapping[str, Any], keys: frozenset[str], key: str) -> None:
    unknown = sorted(str(k) for k in value if k not in keys)
    if unknown:
        allowed = ", ".join(sorted(keys))
        raise ValueError(f"{key}: unexpected {', '.join(map(repr, unknown))} (allowed: {allowed})")


def _literal_json(predicate: str, literal: ox.Literal) -> Any:
    if literal.language is not None:
        return {"@value": literal.value, "@language": literal.language}
    datatype = literal.datatype.value
    if datatype == _XSD_STRING:
        return literal.value
    if datatype in _NATIVE and _vocabulary().ranges.get(predicate, datatype) == datatype:
        if datatype == str(XSD.boolean):
            if literal.value in BOOLEANS:
                return BOOLEANS[literal.value]
        else:
            try:
                return int(literal.value)
            except ValueError:
                pass  # ill-typed: keep the lexical form, typed explicitly below
    elif _vocabulary().ranges.get(predicate) == datatype:
        return literal.value
    return {"@value": literal.value, "@type": _key(datatype)}


# --------------------------------------------------------------------------------------------
# Reading


@dataclass(frozen=True)
class EntityPage:
    """One page of a listing: the entities (``@id``, ``@type``, ``label``) and the total."""

    items: list[dict[str, Any]]
    total: int
    limit: int
    offset: int

    def to_dict(self) -> dict[str, Any]:
        """Plain data, as the API returns it."""
        return {
            "items": self.items,
            "total": self.total,
            "limit": self.limit,
            "offset": self.offset,
        }


_LIST_QUERY = """
SELECT * WHERE {
    ?entity a ?type .
    ?type rdfs:subClassOf* ?class .
}"""


def list_entities(
    model: KnowledgeGraph,
    type_name: str,
    *,
    limit: int = 50,
    offset: int = 0,
    label: str | None = None,
    where: Mapping[str, str] | None = None,
) -> EntityPage:
    """List the entities of a ``bm:`` class (subclasses included), sorted by IRI.

    Parameters
    ----------
    type_name
        The class by local name (``CustomerSegment``).
    limit, offset
        The page: at most ``limit`` entities (0 to 1000) after skipping ``offset``.
    label
        Keep entities one of whose labels contains this text (case-insensitive).
    where
        Keep entities with these values, by property key (``lifecycleStatus``); a value matches
        an IRI given in full, as a CURIE or as a ``bm:`` local name, or a literal's text.

    Raises
    ------
    ValueError
        Unknown type or property, or a page out of range.
    """
    if not 0 <= limit <= 1000:
        raise ValueError(f"limit must be between 0 and 1000, not {limit}")
    if offset < 0:
        raise ValueError(f"offset must be 0 or more, not {offset}")
    target = _class(type_name)
    filters = [(_property(key), value) for key, value in (where or {}).items()]
    store = model.store
    found: dict[str, list[str]] = {}
    for row in model.query(_LIST_QUERY, bindings={"class": target}):  # type: ignore[union-attr]
        entity, kind = row["entity"], row["type"]
        if isinstance(entity, ox.NamedNode) and isinstance(kind, ox.NamedNode):
            found.setdefault(entity.value, []).append(kind.value)
    items = []
    for iri in sorted(found):
        subject = ox.NamedNode(iri)
        labels = _labels(store, subject)
        if label is not None and not any(label.lower() in text.lower() for text, _ in labels):
            continue
        if not all(_matches(store, subject, p, value) for p, value in filters):
            continue
        types = sorted({_type_name(t) for t in found[iri]})
        items.append(
            {"@id": iri, "@type": types[0] if len(types) == 1 else types, "label": _best(labels)}
        )
    return EntityPage(items[offset : offset + limit], len(items), limit, offset)


def _matches(
    store: StoreBackend, subject: ox.NamedNode, predicate: ox.NamedNode, value: str
) -> bool:
    candidates = {value}
    prefix, colon, rest = value.partition(":")
    if not colon:
        candidates.add(_BM + value)
    elif prefix in STANDARD_PREFIXES:
        candidates.add(STANDARD_PREFIXES[prefix] + rest)
    return any(
        q.object.value in candidates
        for q in visible(store.quads_for_pattern(subject, predicate, None, None))
        if isinstance(q.object, ox.NamedNode | ox.Literal)
    )


def _labels(store: StoreBackend, node: ox.NamedNode | ox.BlankNode) -> list[tuple[str, str]]:
    return sorted(
        {
            (q.object.value, q.object.language or "")
            for q in visible(store.quads_for_pattern(node, _RDFS_LABEL, None, None))
            if isinstance(q.object, ox.Literal)
        }
    )


def _best(labels: list[tuple[str, str]]) -> str | None:
    return preferred_label(labels)


def entity_exists(model: KnowledgeGraph, iri: str) -> bool:
    """Whether the model has triples with ``iri`` as subject (text that is no IRI names none)."""
    subject = _named(iri)
    if subject is None:
        return False
    return next(model.quads(subject), None) is not None


def entity_quads(model: KnowledgeGraph, iri: str) -> list[ox.Quad]:
    """The entity's own quads (it as subject, in every named graph), sorted."""
    subject = _named(iri)
    if subject is None:
        return []
    return sorted(model.quads(subject), key=str)


def _named(iri: str) -> ox.NamedNode | None:
    try:
        return _iri(iri, "the entity")
    except ValueError:
        return None


def get_entity(model: KnowledgeGraph, iri: str) -> dict[str, Any]:
    """Describe one entity: its JSON form with labelled links out, and links in (``@reverse``).

    Raises
    ------
    NotFoundError
        The model has no triple with ``iri`` as subject (text that is not an absolute IRI
        names no entity).
    """
    if not entity_exists(model, iri):
        raise NotFoundError(iri)
    store = model.store
    subject = ox.NamedNode(iri)
    body: dict[str, Any] = {"@id": iri}
    values: dict[str, list[Any]] = {}
    types: list[str] = []
    for triple in sorted({q.triple for q in model.quads(subject)}, key=str):
        predicate, value = triple.predicate.value, triple.object
        if triple.predicate == _RDF_TYPE and isinstance(value, ox.NamedNode):
            types.append(_type_name(value.value))
        elif isinstance(value, ox.Literal):
            values.setdefault(_key(predicate), []).append(_literal_json(predicate, value))
        elif isinstance(value, ox.NamedNode | ox.BlankNode):
            values.setdefault(_key(predicate), []).append(_link(store, value))
    body["@type"] = types[0] if len(types) == 1 else types
    for key, items in values.items():
        body[key] = items[0] if len(items) == 1 else items
    incoming: dict[str, list[Any]] = {}
    for triple in sorted({q.triple for q in model.quads(None, None, subject)}, key=str):
        if isinstance(triple.subject, ox.NamedNode):
            incoming.setdefault(_key(triple.predicate.value), []).append(
                _link(store, triple.subject)
            )
    if incoming:
        body["@reverse"] = incoming
    return body


def _link(store: StoreBackend, node: ox.NamedNode | ox.BlankNode) -> dict[str, Any]:
    link: dict[str, Any] = {"@id": node.value if isinstance(node, ox.NamedNode) else str(node)}
    label = _best(_labels(store, node))
    if label is not None:
        link["label"] = label
    return link


# --------------------------------------------------------------------------------------------
# Validating only what a write touches


class _View:
    """The union of the store's graphs as it would be after removing and adding some quads."""

    def __init__(self, store: StoreBackend, remove: Iterable[ox.Quad], add: Iterable[ox.Quad]):
        self.store = store
        self.remove = set(remove)
        self.add = set(add) - self.remove
        # A neighbourhood walk asks for the same node's triples many times.
        self._out: dict[tuple[Node, ox.NamedNode | None], set[ox.Triple]] = {}
        self._into: dict[tuple[Node, ox.NamedNode | None], set[ox.Triple]] = {}

    def _quads(self, s: Node | None, p: ox.NamedNode | None, o: Any) -> Iterator[ox.Quad]:
        for quad in visible(self.store.quads_for_pattern(s, p, o, None)):
            if quad not in self.remove:
                yield quad
        for quad in self.add:
            if (
                (s is None or quad.subject == s)
                and (p is None or quad.predicate == p)
                and (o is None or quad.object == o)
            ):
                yield quad

    def out(self, node: Node, predicate: ox.NamedNode | None = None) -> set[ox.Triple]:
        key = (node, predicate)
        if key not in self._out:
            self._out[key] = {q.triple for q in self._quads(node, predicate, None)}
        return self._out[key]

    def into(self, node: Node, predicate: ox.NamedNode | None = None) -> set[ox.Triple]:
        key = (node, predicate)
        if key not in self._into:
            self._into[key] = {q.triple for q in self._quads(None, predicate, node)}
        return self._into[key]


def _nodes(triples: Iterable[ox.Triple]) -> set[Node]:
    found: set[Node] = set()
    for triple in triples:
        for term in (triple.subject, triple.object):
            if isinstance(term, ox.NamedNode | ox.BlankNode):
                found.add(term)
    return found


def _vocabulary_node(store: StoreBackend, node: Node) -> bool:
    # Classes, properties and concepts of the ontology: no shape targets them, and they are
    # hubs (every live offering links to bmv:Live), so they are never focus nodes.
    return next(
        iter(store.quads_for_pattern(node, None, None, _ONTOLOGY)), None
    ) is not None or node.value.startswith((_BM, _BMV))


def write_focus(
    model: KnowledgeGraph, *, remove: Iterable[ox.Quad] = (), add: Iterable[ox.Quad] = ()
) -> set[Node]:
    """The nodes whose shape results a write can change.

    The nodes the changed quads name, the nodes linked to or from those (before or after the
    write), and the journeys of the stages among them; vocabulary nodes (the ontology's
    classes and concepts) are left out.
    """
    remove, add = list(remove), list(add)
    store = model.store
    touched = _nodes(q.triple for q in [*remove, *add])
    focus = set(touched)
    for view in (_View(store, (), ()), _View(store, remove, add)):
        for node in touched:
            focus |= _nodes(view.out(node) | view.into(node))
        for node in list(focus):
            focus |= {t.subject for t in view.into(node, _HAS_STAGE)}  # type: ignore[misc]
    return {node for node in focus if not _vocabulary_node(store, node)}


def neighbourhood(
    model: KnowledgeGraph,
    nodes: Iterable[Node],
    *,
    remove: Iterable[ox.Quad] = (),
    add: Iterable[ox.Quad] = (),
) -> rdflib.Graph:
    """Everything the project's shapes read to validate ``nodes``, after a write.

    The nodes' triples both ways; the triples of their neighbours (types, labels, sequences);
    the touchpoints of neighbouring stages; chains of ``schema:containedInPlace`` and
    ``skos:broader`` (the cycle checks); and the enterprises (the evidence date check).
    """
    graph = rdflib.Graph()
    for prefix, namespace in model.prefixes.items():
        graph.bind(prefix, namespace, override=False)
    for triple in _neighbourhood(model, set(nodes), remove, add):
        graph.add(
            (rdflib_term(triple.subject), rdflib_term(triple.predicate), rdflib_term(triple.object))
        )
    return graph


def _neighbourhood(
    model: KnowledgeGraph, focus: set[Node], remove: Iterable[ox.Quad], add: Iterable[ox.Quad]
) -> set[ox.Triple]:
    view = _View(model.store, remove, add)
    triples: set[ox.Triple] = set()
    for node in focus:
        triples |= view.out(node) | view.into(node)
    neighbours = _nodes(triples) - focus
    for node in neighbours:
        triples |= view.out(node)
        if _vocabulary_node(model.store, node):
            # Oxigraph answers "what is in stage bmv:Live" by scanning everything linked to
            # bmv:Live, which grows with the model; no stage is a class or a concept anyway.
            continue
        for step in view.into(node, _IN_STAGE):
            triples.add(step)
            triples |= view.out(step.subject)  # type: ignore[arg-type]
    frontier = focus | neighbours
    seen: set[Node] = set()
    while frontier:
        node = frontier.pop()
        seen.add(node)
        for predicate in _TRANSITIVE:
            for triple in view.out(node, predicate):
                triples |= view.out(node)
                if isinstance(triple.object, ox.NamedNode | ox.BlankNode):
                    triples |= view.out(triple.object)
                    if triple.object not in seen:
                        frontier.add(triple.object)
    for triple in view.into(ox.NamedNode(str(BM.Enterprise)), _RDF_TYPE):
        triples |= view.out(triple.subject)  # type: ignore[arg-type]
    return triples


@cache
def _ontology_quads() -> tuple[ox.Quad, ...]:
    graph = ox.NamedNode(str(ONTOLOGY_IRI))
    return tuple(
        ox.Quad(q.subject, q.predicate, q.object, graph)
        for q in ox.parse(path=ontology_path(), format=ox.RdfFormat.TURTLE)
    )


def validate_nodes(
    model: KnowledgeGraph,
    nodes: Iterable[Node],
    *,
    remove: Iterable[ox.Quad] = (),
    add: Iterable[ox.Quad] = (),
    engine: Engine = "sparql",
    money_of: Iterable[ox.Quad] | None = None,
    kinds: Iterable[rdflib.URIRef] = (),
) -> ValidationReport:
    """Validate ``nodes`` as they would be after a write, on their neighbourhood only.

    The results are those a full :func:`~kg.validation.validate` of the written model gives
    for these nodes (results for other nodes are left out). The neighbourhood and the ontology
    go into a small in-memory store, where the shapes compiled to SPARQL check only the shapes
    that target these nodes: a few milliseconds, whatever the size of the model. With
    ``engine="pyshacl"`` the reference engine validates an rdflib graph of them instead.

    In a model of several enterprises, where each element belongs is worked out on the whole
    model as it would be after the write (:func:`kg.portfolio.placement`), which reads all of
    its links; its unplaced elements and crossings are reported whatever ``nodes`` are. So is
    how each enterprise's amounts come to one currency (:func:`kg.money.plans`), when the write
    touches money, exchange rates, goals or, in a model of several, any link: its amounts that
    cannot be converted are reported whatever ``nodes`` are. ``money_of`` are the statements
    that decide whether money is checked (the write's by default): :func:`check_write` passes
    the write's when it validates the nodes as they are, to compare like with like.

    ``kinds`` are classes to validate as well, on the same neighbourhood: the disjointness shape
    has each class said to be disjoint with another as its focus, and names the elements typed
    with both (:func:`check_write` passes them when a write changes a type).
    """
    nodes = set(nodes)
    focus = [rdflib.URIRef(node.value) for node in nodes if isinstance(node, ox.NamedNode)]
    focus += [kind for kind in kinds if kind not in focus]
    remove, add = list(remove), list(add)
    # Where elements belong, and the currencies of their enterprises, need the whole model,
    # which the neighbourhood is not.
    placed = portfolio.placement(model, add=add, remove=remove)
    plans: list[money.Plan] = []
    deciding = (*add, *remove) if money_of is None else tuple(money_of)
    if placed.several or any(_touches_money(q) for q in deciding):
        plans = money.plans(model, placed.of if placed.several else None, add=add, remove=remove)
    if engine != "sparql":
        data = neighbourhood(model, nodes, remove=remove, add=add)
        for triple in ontology_graph():
            data.add(triple)
        return validate(data, focus_nodes=focus, engine=engine, placed=placed, plans=plans)
    triples = _neighbourhood(model, nodes, remove, add)
    store = _scratch_store()
    scratch = KnowledgeGraph(backend=store)
    for prefix, namespace in model.prefixes.items():
        scratch.bind(prefix, namespace)
    store.extend(ox.Quad(t.subject, t.predicate, t.object, _NEIGHBOURHOOD) for t in triples)
    try:
        # Only the touched nodes are validated; the rest of the neighbourhood is context.
        return validate(scratch, focus_nodes=focus, engine="sparql", placed=placed, plans=plans)
    finally:
        store.remove_graph(_NEIGHBOURHOOD)


_MONEY_TERMS = frozenset(
    str(BM[name])
    for name in (
        *("currency", "amount", "targetRevenue", "plannedValue", "actualValue"),
        *("reportingCurrency", "fromCurrency", "toCurrency", "rate", "rateDate", "goalFor"),
        *("ExchangeRate", "Enterprise"),
    )
)


def _touches_money(quad: ox.Quad) -> bool:
    """Whether a statement can change a plan of :func:`kg.money.plans`."""
    return quad.predicate.value in _MONEY_TERMS or (
        isinstance(quad.object, ox.NamedNode) and quad.object.value in _MONEY_TERMS
    )


_NEIGHBOURHOOD = ox.NamedNode("urn:bmkg:neighbourhood")
_scratch_stores = threading.local()


def _scratch_store() -> ox.Store:
    """This thread's scratch store: the ontology, ready for one neighbourhood at a time."""
    store: ox.Store | None = getattr(_scratch_stores, "store", None)
    if store is None:
        store = ox.Store()
        store.extend(_ontology_quads())
        _scratch_stores.store = store
    return store


def _identity(result: ValidationResult) -> tuple[Any, ...]:
    return (
        result.focus_node,
        result.path,
        result.value,
        result.shape,
        result.component,
        result.message,
    )


@cache
def _disjoint_kinds() -> tuple[rdflib.URIRef, ...]:
    """The classes the ontology says are disjoint with another (the subjects of the pairs)."""
    graph = ontology_graph()
    return tuple(
        sorted(
            s for s in set(graph.subjects(OWL.disjointWith, None)) if isinstance(s, rdflib.URIRef)
        )
    )


def check_write(
    model: KnowledgeGraph,
    *,
    remove: Iterable[ox.Quad] = (),
    add: Iterable[ox.Quad] = (),
    engine: Engine = "sparql",
) -> ValidationReport:
    """The violations a write would add, found by validating only the nodes it touches.

    Returns an empty, conforming report when the write adds none. Violations the touched nodes
    already had are not counted against the write. ``engine`` as in :func:`validate_nodes`.
    """
    remove, add = list(remove), list(add)
    focus = write_focus(model, remove=remove, add=add)
    kinds = _disjoint_kinds() if any(q.predicate == _RDF_TYPE for q in (*remove, *add)) else ()
    after = validate_nodes(model, focus, remove=remove, add=add, engine=engine, kinds=kinds)
    if after.conforms:
        return ValidationReport(results=(), graph=after.graph, triples=after.triples)
    as_is = validate_nodes(model, focus, engine=engine, money_of=(*add, *remove), kinds=kinds)
    before = {_identity(r) for r in as_is.results}
    added = tuple(
        r for r in after.results if r.severity is Severity.VIOLATION and _identity(r) not in before
    )
    return ValidationReport(results=added, graph=after.graph, triples=after.triples)


def apply_write(
    model: KnowledgeGraph, *, remove: Sequence[ox.Quad] = (), add: Sequence[ox.Quad] = ()
) -> None:
    """Apply a write as one transaction, then flush an on-disk store.

    Raises
    ------
    ValueError
        A quad holds a blank node (SPARQL's ``DELETE DATA`` cannot name one) or sits in the
        default graph.
    StoreError
        The store could not be written.
    """
    add, remove = model.place(add=add, remove=remove)
    operations = []
    for keyword, quads in (("DELETE DATA", remove), ("INSERT DATA", add)):
        if quads:
            operations.append(f"{keyword} {{\n{_data(quads)}\n}}")
    if not operations:
        return
    with mutating():
        model.store.update(" ;\n".join(operations))
        model.flush()


def _data(quads: Sequence[ox.Quad]) -> str:
    by_graph: dict[str, list[str]] = {}
    for quad in quads:
        terms = (quad.subject, quad.predicate, quad.object, quad.graph_name)
        if any(isinstance(t, ox.BlankNode | ox.Triple) for t in terms):
            raise ValueError("writes through the entity API cannot hold blank nodes")
        if not isinstance(quad.graph_name, ox.NamedNode):
            raise ValueError("writes through the entity API go into named graphs")
        by_graph.setdefault(str(quad.graph_name), []).append(
            f"{quad.subject} {quad.predicate} {quad.object} ."
        )
    return "\n".join(f"GRAPH {g} {{\n" + "\n".join(t) + "\n}" for g, t in by_graph.items())


def _write(model: KnowledgeGraph, remove: list[ox.Quad], add: list[ox.Quad]) -> None:
    report = check_write(model, remove=remove, add=add)
    if not report.conforms:
        raise WriteRejectedError(report)
    apply_write(model, remove=remove, add=add)


# --------------------------------------------------------------------------------------------
# Writing


def create_entity(model: KnowledgeGraph, data: Mapping[str, Any]) -> str:
    """Create an entity from its JSON form in the graph :data:`API_GRAPH`; return its IRI.

    Raises
    ------
    ValueError
        The body is not a valid entity, or the entity already exists.
    WriteRejectedError
        The entity would violate the shapes; nothing was changed.
    """
    iri, triples = from_json(data)
    if entity_exists(model, iri):
        raise ValueError(f"the entity <{iri}> already exists; update it with PUT")
    graph = ox.NamedNode(API_GRAPH)
    _write(model, [], [ox.Quad(t.subject, t.predicate, t.object, graph) for t in triples])
    return iri


def update_entity(model: KnowledgeGraph, iri: str, data: Mapping[str, Any]) -> None:
    """Replace the entity's own triples by those of its JSON form.

    The new triples go into the named graph that holds the entity's ``rdf:type`` (or, failing
    that, its first triple); its old triples are removed from every graph.

    Raises
    ------
    NotFoundError
        The entity does not exist.
    ValueError
        The body is not a valid entity.
    WriteRejectedError
        The new version would violate the shapes; nothing was changed.
    """
    if not entity_exists(model, iri):
        raise NotFoundError(iri)
    _, triples = from_json(data, iri=iri)
    old = entity_quads(model, iri)
    own = [q for q in old if not str(q.graph_name).startswith(f"<{REPEATS}")] or old
    typed = [q for q in own if q.predicate == _RDF_TYPE] or own
    graph = typed[0].graph_name
    if isinstance(graph, ox.NamedNode) and graph.value.startswith(REPEATS):
        graph = ox.NamedNode(graph.value.removeprefix(REPEATS))
    if not isinstance(graph, ox.NamedNode):
        graph = ox.NamedNode(API_GRAPH)
    new = [ox.Quad(t.subject, t.predicate, t.object, graph) for t in triples]
    keep = set(old) & set(new)
    _write(model, [q for q in old if q not in keep], [q for q in new if q not in keep])


def delete_entity(model: KnowledgeGraph, iri: str) -> None:
    """Delete the entity's own triples, unless other entities still link to it.

    Raises
    ------
    NotFoundError
        The entity does not exist.
    WriteRejectedError
        Other entities link to it (one result per link, shape ``bmapi:DeleteRestrictShape``),
        or removing it would violate the shapes; nothing was changed.
    """
    if not entity_exists(model, iri):
        raise NotFoundError(iri)
    subject = ox.NamedNode(iri)
    incoming = {q.triple for q in model.quads(None, None, subject)}
    incoming = {t for t in incoming if t.subject != subject}
    if incoming:
        raise WriteRejectedError(_still_linked(model, subject, incoming))
    _write(model, entity_quads(model, iri), [])


def _still_linked(
    model: KnowledgeGraph, subject: ox.NamedNode, incoming: set[ox.Triple]
) -> ValidationReport:
    # The refusal is itself a SHACL result, so the caller gets it in the usual report shape.
    data = rdflib.Graph()
    for prefix, namespace in model.prefixes.items():
        data.bind(prefix, namespace, override=False)
    for triple in incoming | {q.triple for q in model.quads(subject, _RDFS_LABEL)}:
        data.add(
            (rdflib_term(triple.subject), rdflib_term(triple.predicate), rdflib_term(triple.object))
        )
    for node in _nodes(incoming):
        for label in _labels(model.store, node):
            data.add(
                (rdflib_term(node), RDFS.label, rdflib.Literal(label[0], lang=label[1] or None))
            )
    shapes = rdflib.Graph()
    shape, constraint = _BMAPI.DeleteRestrictShape, rdflib.BNode()
    shapes.bind("bmapi", _BMAPI)
    shapes.add((shape, RDF.type, SH.NodeShape))
    shapes.add((shape, SH.targetNode, rdflib_term(subject)))
    shapes.add((shape, SH.sparql, constraint))
    shapes.add(
        (
            constraint,
            SH.message,
            rdflib.Literal(
                "{?value} still links to this entity through {?path}: remove or change that link "
                "before deleting the entity.",
                lang="en",
            ),
        )
    )
    shapes.add(
        (
            constraint,
            SH.select,
            rdflib.Literal(
                "SELECT $this ?path ?value WHERE { ?value ?path $this . FILTER (?value != $this) }"
            ),
        )
    )
    return validate(data, shapes=shapes)
