"""The knowledge graph as a neutral exchange model, for the ArchiMate and Archi CSV writers.

:func:`to_exchange` turns a graph (a model, with or without what an earlier import kept) into
an :class:`~kg.interchange.archimate.ExchangeModel`:

- **elements**: every node that is the subject of a statement, except relationships, views,
  folders and property holders an import kept, and the files imports came from. An element's
  ArchiMate type is the one it was imported with (``bmx:archimateType``), else the ArchiMate
  type the alignment matches to its ``bm:`` class (exact, then close, then any other match,
  then its superclasses'), else ``BusinessObject``. Its identifier is the one it was imported
  with (``dcterms:identifier``, when it is a valid XML identifier and no other element has it),
  else ``id-`` and 32 hexadecimal digits derived from its IRI, so that exporting again gives
  the same identifiers. Names are its ``rdfs:label`` (one per language), documentation its
  ``dcterms:description``;
- **relationships**: the relationships an import kept, as they were (type, ends, access type,
  influence strength, direction, names, properties); and one ``Association`` for each other
  statement between two elements, named after its property, with the property under the key
  ``@predicate`` (see :mod:`kg.interchange.keys`);
- **properties**: the properties an import kept, under their names; every other statement about
  an element under the keys of :mod:`kg.interchange.keys` (``@id``, ``rdf:type``,
  ``bm:segmentSize``, ``bm:lifecycleStatus`` = ``bmv:Live``); ``@id`` and ``rdf:type`` only
  where an import would not give the same IRI and class by itself;
- **organizations** and **views**: the folders and the views an import kept (what each view
  shows; the writer lays it out afresh).

Reading the result back with :func:`kg.interchange.importer.import_exchange` gives the same
model graph, apart from provenance (:func:`~kg.interchange.importer.without_provenance`).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from functools import cache
from typing import Any
from urllib.parse import quote

import rdflib
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, SKOS
from rdflib.term import BNode, Literal, URIRef

from kg.interchange import keys
from kg.interchange.archimate import (
    Concept,
    ExchangeModel,
    Folder,
    Property,
    PropertyDefinition,
    Relationship,
    Text,
    View,
)
from kg.interchange.importer import BMX, PROVENANCE
from kg.interchange.keys import (
    ID,
    PREDICATE,
    TYPE,
    compact,
    encode_value,
    literal_key,
)
from kg.interchange.mapping import ARCHIMATE, TypeMapping
from kg.ontology import alignment_graph, ontology_graph
from kg.vocab import BM

__all__ = ["element_identifier", "to_exchange"]

_NCNAME = re.compile(r"[A-Za-z_][\w.-]*")
_OWN = {RDF.type, RDFS.label, DCTERMS.description, *PROVENANCE}
_RELATIONSHIP_TERMS = {
    BMX.source,
    BMX.target,
    BMX.accessType,
    BMX.modifier,
    BMX.isDirected,
    BMX.carriedBy,
}


def element_identifier(iri: str) -> str:
    """The identifier an element with this IRI gets when it has none of its own.

    >>> element_identifier("https://example.org/shop#Retail")
    'id-7ed13d64de97d170fa7b6cf7618b7857'
    """
    return "id-" + hashlib.sha256(iri.encode("utf-8")).hexdigest()[:32]


def to_exchange(
    graph: rdflib.Graph,
    *,
    name: str | None = None,
    lang_in_keys: bool = False,
    path: str = "<graph>",
) -> ExchangeModel:
    """The graph as an exchange model (see the module's description).

    Parameters
    ----------
    graph
        The model, with what imports kept if it has any (a store's union of graphs).
    name
        The model's name; by default the title of the file it was imported from, or the
        label of its one enterprise, or "Business model".
    lang_in_keys
        Carry a literal's language in its key (``rdfs:label@de``): for formats whose values
        have no language, such as Archi's CSV.
    """
    return _Export(graph, lang_in_keys).run(name, path)


class _Export:
    def __init__(self, graph: rdflib.Graph, lang_in_keys: bool) -> None:
        self.graph = graph
        self.lang_in_keys = lang_in_keys
        self.definitions: dict[str, str] = {}
        self.mapping = TypeMapping.from_alignment()

    def run(self, name: str | None, path: str) -> ExchangeModel:
        graph = self.graph
        relationships = {s for s in graph.subjects(BMX.source, None) if isinstance(s, URIRef)}
        views = {s for s in graph.subjects(BMX.shows, None) if isinstance(s, URIRef)}
        views |= {
            s
            for s in graph.subjects(RDF.type, None)
            if isinstance(s, URIRef) and _is_view_type(graph, s)
        }
        folders = set(graph.subjects(RDF.type, BMX.Folder))
        holders = set(graph.objects(None, BMX.property))
        sources = set(graph.subjects(RDF.type, PROV.Entity))
        skip = relationships | views | folders | holders | sources
        nodes = sorted(
            {s for s in graph.subjects() if isinstance(s, URIRef) and s not in skip}, key=str
        )
        self.ids = self.identifiers(nodes, relationships | views)
        self.elements = set(nodes)
        source = self.source(sources)
        namespace = self.namespace(source)
        elements = [self.element(node, namespace) for node in nodes]
        kept = [self.kept_relationship(r) for r in sorted(relationships, key=str)]
        carried = {
            triple
            for r in relationships
            for p in graph.objects(r, BMX.carriedBy)
            for s, o in [(graph.value(r, BMX.source), graph.value(r, BMX.target))]
            for triple in ((s, p, o), (o, p, s))  # a link may run against the relationship
        }
        carried |= _joined(graph, relationships)
        made = [
            rel
            for node in nodes
            for rel in self.statement_relationships(node, carried)
            if rel is not None
        ]
        model_names = self.model_names(name, source)
        shown = tuple(self.view(v) for v in sorted(views, key=str))
        model_properties = tuple(self.kept_properties(source)) if source else ()
        return ExchangeModel(
            path=path,
            version="3.x",
            identifier=self.model_identifier(source, model_names),
            names=model_names,
            documentation=tuple(self.texts(source, DCTERMS.description)) if source else (),
            properties=model_properties,
            property_definitions=tuple(
                PropertyDefinition(identifier, (Text(key),), "string")
                for key, identifier in self.definitions.items()
            ),
            elements=tuple(elements),
            relationships=tuple(r for r in kept if r is not None) + tuple(made),
            organizations=self.folders(folders),
            views=shown,
        )

    # identity ----------------------------------------------------------------------------

    def identifiers(self, nodes: Iterable[URIRef], others: Iterable[URIRef]) -> dict[URIRef, str]:
        ids: dict[URIRef, str] = {}
        taken: set[str] = set()
        for node in [*nodes, *sorted(others, key=str)]:
            own = self.graph.value(node, DCTERMS.identifier)
            if own is not None and _NCNAME.fullmatch(str(own)) and str(own) not in taken:
                ids[node] = str(own)
            else:
                ids[node] = element_identifier(str(node))
            taken.add(ids[node])
        return ids

    def source(self, sources: set[rdflib.term.Node]) -> URIRef | None:
        exchange = [
            s
            for s in sources
            if isinstance(s, URIRef)
            and str(self.graph.value(s, DCTERMS.format) or "").startswith("ArchiMate")
        ]
        return exchange[0] if len(exchange) == 1 else None

    def namespace(self, source: URIRef | None) -> str | None:
        if source is None:
            return None
        identifier = self.graph.value(source, DCTERMS.identifier)
        return f"urn:bmkg:archimate:{quote(str(identifier))}:" if identifier else None

    def model_identifier(self, source: URIRef | None, names: tuple[Text, ...]) -> str:
        own = self.graph.value(source, DCTERMS.identifier) if source else None
        if own is not None and _NCNAME.fullmatch(str(own)):
            return str(own)
        return element_identifier("model:" + (names[0].value if names else ""))

    def model_names(self, name: str | None, source: URIRef | None) -> tuple[Text, ...]:
        if name:
            return (Text(name),)
        if source is not None:
            return tuple(self.texts(source, DCTERMS.title))  # none, as the file had
        enterprises = sorted(self.graph.subjects(RDF.type, BM.Enterprise), key=str)
        if len(enterprises) == 1:
            labels = tuple(self.texts(enterprises[0], RDFS.label))
            if labels:
                return labels[:1]
        return (Text("Business model"),)

    # elements ----------------------------------------------------------------------------

    def texts(self, node: rdflib.term.Node, predicate: URIRef) -> Iterable[Text]:
        for value in sorted(self.graph.objects(node, predicate), key=_order):
            if isinstance(value, Literal):
                yield Text(str(value), value.language)

    def element(self, node: URIRef, namespace: str | None) -> Concept:
        graph = self.graph
        classes = sorted(
            (c for c in graph.objects(node, RDF.type) if isinstance(c, URIRef)), key=str
        )
        kept_type = graph.value(node, BMX.archimateType)
        if kept_type is not None:
            archimate_type = str(kept_type)[len(ARCHIMATE) :]
        else:
            archimate_type = next(
                (str(c)[len(ARCHIMATE) :] for c in classes if str(c).startswith(ARCHIMATE)),
                None,
            ) or _archimate_type(tuple(classes))
        identifier = self.ids[node]
        properties: list[Property] = []
        names = self.names(node, RDFS.label, properties)
        documentation = self.names(node, DCTERMS.description, properties)
        if namespace is None or URIRef(namespace + quote(identifier, safe="-._~")) != node:
            properties.append(self.property(ID, (Text(str(node)),)))
        own = [c for c in classes if not str(c).startswith(ARCHIMATE)]
        specialization = self.kept_value(node, "specialization")
        default = self.mapping.decide(
            archimate_type, identifier=identifier, specialization=specialization
        ).cls
        if [str(c) for c in own] != ([default] if default else []):
            for cls in own:
                properties.append(self.property(TYPE, (Text(compact(str(cls))),)))
        properties.extend(self.kept_properties(node))
        for predicate, value in sorted(
            (
                (p, o)
                for p, o in graph.predicate_objects(node)
                if isinstance(p, URIRef) and self.carried_here(p, o)
            ),
            key=lambda po: (str(po[0]), _order(po[1])),
        ):
            if isinstance(value, Literal):
                key = literal_key(predicate, value, lang_in_key=self.lang_in_keys)
                lang = None if self.lang_in_keys else value.language
                properties.append(self.property(key, (Text(str(value), lang),)))
            else:
                properties.append(
                    self.property(compact(str(predicate)), (Text(encode_value(value)),))
                )
        return Concept(
            identifier,
            archimate_type,
            names,
            documentation,
            tuple(properties),
            0,
        )

    def names(
        self, node: URIRef, predicate: URIRef, properties: list[Property]
    ) -> tuple[Text, ...]:
        """The node's names (or documentation): all of them, or, in a format with one name and
        no languages, the English one (else the first), its language under ``@name-lang``
        (``@documentation-lang``), the others as properties (``rdfs:label@de``)."""
        texts = tuple(self.texts(node, predicate))
        if not self.lang_in_keys or not texts:
            return texts
        first = next((t for t in texts if t.lang == "en"), texts[0])
        if first.lang:
            which = keys.NAME_LANG if predicate == RDFS.label else keys.DOCUMENTATION_LANG
            properties.append(self.property(which, (Text(first.lang),)))
        for text in texts:
            if text is not first:
                key = compact(str(predicate)) + (f"@{text.lang}" if text.lang else "")
                properties.append(self.property(key, (Text(text.value),)))
        return (Text(first.value),)

    def carried_here(self, predicate: URIRef, value: rdflib.term.Node) -> bool:
        """Whether a statement travels as a property of its subject (not as a relationship,
        a name, documentation, provenance or a kept term)."""
        if predicate in _OWN or str(predicate).startswith(str(BMX)):
            return False
        if predicate == DCTERMS.identifier:
            return False
        if isinstance(value, BNode):
            return False
        return not self.is_element(value)

    def is_element(self, node: rdflib.term.Node) -> bool:
        return node in self.elements

    def property(self, key: str, values: tuple[Text, ...]) -> Property:
        identifier = self.definitions.setdefault(key, f"propid-{len(self.definitions) + 1}")
        return Property(identifier, values)

    def kept_value(self, node: URIRef, name: str) -> str | None:
        for holder in self.graph.objects(node, BMX.property):
            label = self.graph.value(holder, RDFS.label)
            if label is not None and str(label).lower() == name:
                value = self.graph.value(holder, RDF.value)
                return None if value is None else str(value)
        return None

    def kept_properties(self, node: rdflib.term.Node) -> list[Property]:
        found = []
        for holder in sorted(self.graph.objects(node, BMX.property), key=str):
            label = self.graph.value(holder, RDFS.label)
            value = self.graph.value(holder, RDF.value)
            if label is None or not isinstance(value, Literal):
                continue
            found.append(self.property(str(label), (Text(str(value), value.language),)))
        return found

    # relationships -----------------------------------------------------------------------

    def kept_relationship(self, node: URIRef) -> Relationship | None:
        graph = self.graph
        source, target = graph.value(node, BMX.source), graph.value(node, BMX.target)
        if source not in self.ids or target not in self.ids:
            return None  # an end is no longer in the model: the relationship went with it
        kinds = [c for c in graph.objects(node, RDF.type) if str(c).startswith(ARCHIMATE)]
        directed = graph.value(node, BMX.isDirected)
        access, modifier = graph.value(node, BMX.accessType), graph.value(node, BMX.modifier)
        return Relationship(
            self.ids[node],
            str(kinds[0])[len(ARCHIMATE) :] if kinds else "Association",
            tuple(self.texts(node, RDFS.label)),
            tuple(self.texts(node, DCTERMS.description)),
            tuple(self.kept_properties(node)),
            0,
            source=self.ids[URIRef(str(source))],
            target=self.ids[URIRef(str(target))],
            access_type=None if access is None else str(access),
            modifier=None if modifier is None else str(modifier),
            is_directed=None if not isinstance(directed, Literal) else bool(directed.toPython()),
        )

    def statement_relationships(
        self,
        node: URIRef,
        carried: set[tuple[rdflib.term.Node | None, rdflib.term.Node, rdflib.term.Node | None]],
    ) -> Iterable[Relationship | None]:
        graph = self.graph
        for predicate, value in sorted(graph.predicate_objects(node), key=lambda po: str(po)):
            if not isinstance(predicate, URIRef) or not isinstance(value, URIRef):
                continue
            if predicate in _OWN or str(predicate).startswith(str(BMX)):
                continue
            if not self.is_element(value):
                continue
            if (node, predicate, value) in carried:
                continue
            identifier = element_identifier(f"{node} {predicate} {value}")
            properties = (self.property(PREDICATE, (Text(compact(str(predicate))),)),)
            yield Relationship(
                identifier,
                "Association",
                (Text(_label(predicate)),),
                (),
                properties,
                0,
                source=self.ids[node],
                target=self.ids[value],
                is_directed=True,
            )

    # folders and views -------------------------------------------------------------------

    def folders(self, folders: set[rdflib.term.Node]) -> tuple[Folder, ...]:
        members = {m for f in folders for m in self.graph.objects(f, BMX.member)}
        return tuple(self.folder(f) for f in sorted(folders - members, key=self.folder_order))

    def folder_order(self, folder: rdflib.term.Node) -> tuple[str, str]:
        return (str(self.graph.value(folder, RDFS.label) or ""), str(folder))

    def folder(self, folder: rdflib.term.Node) -> Folder:
        graph = self.graph
        inner = sorted(
            (m for m in graph.objects(folder, BMX.member) if (m, RDF.type, BMX.Folder) in graph),
            key=self.folder_order,
        )
        refs = sorted(
            self.ids[m]
            for m in graph.objects(folder, BMX.member)
            if isinstance(m, URIRef) and m in self.ids
        )
        return Folder(
            tuple(self.texts(folder, RDFS.label)),
            tuple(refs),
            tuple(self.folder(f) for f in inner),
            tuple(self.texts(folder, DCTERMS.description)),
        )

    def view(self, node: URIRef) -> View:
        graph = self.graph
        shown = [m for m in graph.objects(node, BMX.shows) if isinstance(m, URIRef)]
        kinds = [c for c in graph.objects(node, RDF.type) if str(c).startswith(ARCHIMATE)]
        return View(
            self.ids[node],
            str(kinds[0])[len(ARCHIMATE) :] if kinds else "Diagram",
            tuple(self.texts(node, RDFS.label)),
            tuple(self.texts(node, DCTERMS.description)),
            tuple(self.kept_properties(node)),
            tuple(sorted(self.ids[m] for m in shown if m in self.ids and self.is_element(m))),
            tuple(
                sorted(
                    self.ids[m]
                    for m in shown
                    if m in self.ids and graph.value(m, BMX.source) is not None
                )
            ),
            0,
        )


def _joined(graph: rdflib.Graph, relationships: set[URIRef]) -> set[tuple[Any, ...]]:
    """The links an import joined through junctions: from each end that reaches a junction
    to each end it reaches, by relationships carrying one property (either direction)."""
    junctions = {
        s for s, t in graph.subject_objects(BMX.archimateType) if str(t).endswith("Junction")
    }
    if not junctions:
        return set()
    from kg.interchange.importer import junction_groups

    ends = {
        rel: (graph.value(rel, BMX.source), graph.value(rel, BMX.target), link)
        for rel in relationships
        for link in graph.objects(rel, BMX.carriedBy)
    }
    joined: set[tuple[Any, ...]] = set()
    every = [(graph.value(r, BMX.source), graph.value(r, BMX.target)) for r in relationships]
    for group in junction_groups(junctions, every):
        sources = {(s, link) for s, t, link in ends.values() if t in group and s not in junctions}
        targets = {(t, link) for s, t, link in ends.values() if s in group and t not in junctions}
        for source, link in sources:
            for target, other in targets:
                if link == other:
                    joined |= {(source, link, target), (target, link, source)}
    return joined


def _is_view_type(graph: rdflib.Graph, node: URIRef) -> bool:
    return any(str(c) == ARCHIMATE + "Diagram" for c in graph.objects(node, RDF.type))


def _order(value: rdflib.term.Node) -> tuple[str, str]:
    if isinstance(value, Literal):
        return (value.language or "", str(value))
    return ("", str(value))


def _label(predicate: URIRef) -> str:
    label = ontology_graph().value(predicate, RDFS.label)
    if label is not None:
        return str(label)
    return compact(str(predicate)).split(":", 1)[-1].strip("<>")


@cache
def _archimate_type(classes: tuple[URIRef, ...]) -> str:
    """The ArchiMate element type the alignment matches to the first of these classes that it
    matches (exact, close, then any other match), looking at superclasses too."""
    graph = alignment_graph("archimate")
    ontology = ontology_graph()
    for cls in classes:
        line = [cls, *(c for c in ontology.transitive_objects(cls, RDFS.subClassOf) if c != cls)]
        for candidate in line:
            for match in (
                SKOS.exactMatch,
                SKOS.closeMatch,
                SKOS.narrowMatch,
                SKOS.broadMatch,
                SKOS.relatedMatch,
            ):
                found = sorted(
                    str(s)[len(ARCHIMATE) :]
                    for s in graph.subjects(match, candidate)
                    if str(s).startswith(ARCHIMATE) and not _is_relationship(graph, s)
                )
                if found:
                    return found[0]
    return "BusinessObject"


def _is_relationship(graph: rdflib.Graph, node: rdflib.term.Node) -> bool:
    from rdflib.namespace import OWL

    return (node, RDF.type, OWL.ObjectProperty) in graph
