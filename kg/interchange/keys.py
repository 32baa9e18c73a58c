"""The key scheme: statements a foreign format has no place for, carried as named properties.

ArchiMate exchange files and Archi's CSV give every element and relationship a list of
properties, each a key and a value. A model exported from the knowledge graph uses them for
whatever the format cannot say itself, under keys that a later import reads back exactly, so
that a round trip through Archi (or any tool that keeps properties) loses nothing:

==================  =========================================================================
key                 meaning
==================  =========================================================================
``@id``             the node's IRI (left out when it is the import's default for the element)
``@name-lang``      the language of the element's name, in formats whose names have none
``@documentation-lang``  the same for its documentation
``rdf:type``        a class of the node, one property per class, as a compact IRI
``@predicate``      on a relationship: the property it carries, as a compact IRI
``@inverse``        on a relationship: ``true`` when the statement runs from target to source
``P``               a statement with property ``P`` (a compact IRI: ``bm:segmentSize``,
                    ``dcterms:source``): the value is the literal's text, read as the
                    ontology's range of ``P``; or, for a property whose values are nodes
                    (an object property, or a value written ``<...>``), the node, as a compact
                    IRI (``bmv:Live``) or a full IRI in angle brackets
``<IRI>``           the same with a property of no standard prefix, in angle brackets
``P^^D``            a literal whose datatype ``D`` is not the one ``P``'s range gives
``P@L``             a literal in language ``L``, in formats whose values have no language
                    (Archi's CSV); in exchange files the value's ``xml:lang`` says it
==================  =========================================================================

Only keys whose prefix is one of :data:`kg.vocab.STANDARD_PREFIXES` (``bm``, ``bmv``,
``dcterms``, ``rdfs``, ``skos``, ``schema``, ``org``, ...) or that start with ``@`` are read
this way; any other key (``Owner``, ``Cost centre``) is an ordinary property.

>>> key = literal_key(BM.segmentSize, rdflib.Literal(1200, datatype=XSD.integer))
>>> key
'bm:segmentSize'
>>> parse_key(key).predicate == BM.segmentSize
True
>>> decode_value(parse_key(key), "1200")
rdflib.term.Literal('1200', datatype=rdflib.term.URIRef('http://www.w3.org/2001/XMLSchema#integer'))
>>> decode_value(parse_key("bm:lifecycleStatus"), "bmv:Live")
rdflib.term.URIRef('https://w3id.org/bmkg/vocab#Live')
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

import rdflib
from rdflib.namespace import OWL, RDF, RDFS, XSD
from rdflib.term import Literal, URIRef

from kg.ontology import ontology_graph
from kg.vocab import BM, STANDARD_PREFIXES

__all__ = [
    "DOCUMENTATION_LANG",
    "ID",
    "NAME_LANG",
    "INVERSE",
    "PREDICATE",
    "TYPE",
    "Key",
    "compact",
    "decode_value",
    "encode_value",
    "expected_datatype",
    "expand",
    "literal_key",
    "parse_key",
]

ID = "@id"
NAME_LANG = "@name-lang"
DOCUMENTATION_LANG = "@documentation-lang"
TYPE = "rdf:type"
PREDICATE = "@predicate"
INVERSE = "@inverse"

_SCHEMA = rdflib.Namespace("https://schema.org/")
_KEY = re.compile(
    r"(?:(?P<prefix>[A-Za-z][\w.-]*):(?P<local>[^\s@^<>]+)|<(?P<iri>[^\s<>]+:[^\s<>]*)>)"
    r"(?:\^\^(?P<dt>\S+)|@(?P<lang>[A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*))?"
)


@dataclass(frozen=True)
class Key:
    """A property key read as a statement: its predicate and, if the key says, the literal's
    datatype or language."""

    predicate: URIRef
    datatype: URIRef | None = None
    lang: str | None = None


def compact(iri: str) -> str:
    """``bm:segmentSize`` for a term of a standard prefix, else ``<iri>``."""
    for prefix, namespace in STANDARD_PREFIXES.items():
        if iri.startswith(namespace) and re.fullmatch(r"[\w.-]+", iri[len(namespace) :]):
            return prefix + ":" + iri[len(namespace) :]
    return f"<{iri}>"


def expand(value: str) -> URIRef | None:
    """The IRI a compact IRI of a standard prefix, or ``<iri>``, stands for; else ``None``."""
    value = value.strip()
    if value.startswith("<") and value.endswith(">") and len(value) > 2:
        return URIRef(value[1:-1])
    prefix, colon, local = value.partition(":")
    if colon and prefix in STANDARD_PREFIXES and re.fullmatch(r"[\w.-]+", local):
        return URIRef(STANDARD_PREFIXES[prefix] + local)
    return None


def parse_key(key: str) -> Key | None:
    """The statement a property key stands for, or ``None`` for an ordinary property."""
    match = _KEY.fullmatch(key.strip())
    if match is None:
        return None
    if match["prefix"]:
        if match["prefix"] not in STANDARD_PREFIXES:
            return None
        predicate = URIRef(STANDARD_PREFIXES[match["prefix"]] + match["local"])
    else:
        predicate = URIRef(match["iri"])
    datatype = expand(match["dt"]) if match["dt"] else None
    if match["dt"] and datatype is None:
        return None
    return Key(predicate, datatype, match["lang"])


@cache
def expected_datatype(predicate: URIRef) -> URIRef | None:
    """The datatype a value of ``predicate`` is read as: its range, for a datatype property of
    the ontology whose range is an XSD type; ``None`` (plain text) otherwise."""
    graph = ontology_graph()
    if (predicate, RDF.type, OWL.DatatypeProperty) not in graph:
        return None
    for prop in (RDFS.range, _SCHEMA.rangeIncludes):
        for found in graph.objects(predicate, prop):
            if isinstance(found, URIRef) and str(found).startswith(str(XSD)):
                return None if found == XSD.string else found
    return None


@cache
def _takes_nodes(predicate: URIRef) -> bool:
    graph = ontology_graph()
    return (predicate, RDF.type, OWL.ObjectProperty) in graph or predicate in (
        RDF.type,
        RDFS.subClassOf,
        RDFS.seeAlso,
    )


def literal_key(predicate: URIRef, value: Literal, *, lang_in_key: bool = False) -> str:
    """The key under which ``value`` of ``predicate`` travels (see the module's table)."""
    key = compact(str(predicate))
    if value.language:
        return f"{key}@{value.language}" if lang_in_key else key
    datatype = value.datatype
    if datatype == XSD.string:
        datatype = None
    if datatype != expected_datatype(predicate):
        return f"{key}^^{compact(str(datatype or XSD.string))}"
    return key


def encode_value(value: rdflib.term.Node) -> str:
    """The text of a value: a literal's lexical form, a node's compact IRI."""
    if isinstance(value, Literal):
        return str(value)
    return compact(str(value))


def decode_value(key: Key, text: str, lang: str | None = None) -> rdflib.term.Node:
    """The value a property under ``key`` holds: a node or a literal (see the module's table).

    A value whose text is a compact or bracketed IRI is a node when the key's property takes
    nodes (an object property of the ontology, ``rdf:type``); otherwise only ``<...>`` is a
    node, so that text that looks like ``a:b`` stays text.
    """
    if key.datatype is None and key.lang is None and lang is None:
        node = expand(text)
        if node is not None and (_takes_nodes(key.predicate) or text.strip().startswith("<")):
            return node
    if key.lang or lang:
        return Literal(text, lang=key.lang or lang)
    datatype = key.datatype or expected_datatype(key.predicate)
    if datatype is None or datatype == XSD.string:
        return Literal(text)  # plain text and xsd:string are one type (RDF 1.1)
    return Literal(text, datatype=datatype)


_ = BM  # the doctest's namespace
