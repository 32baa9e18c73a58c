"""An ArchiMate exchange model into the knowledge graph: what maps, what is kept, what is missing.

:func:`import_exchange` turns an :class:`~kg.interchange.archimate.ExchangeModel` into two
graphs and a list of questions for a person:

- the **model graph**: each element whose type maps to a ``bm:`` class (see
  :mod:`kg.interchange.mapping`) as a member of that class, with its names (``rdfs:label``, one
  per language), documentation (``dcterms:description``), the properties whose name is a
  ``bm:`` datatype property of that class (``segmentSize`` or "segment size", typed as the
  ontology says), and each relationship that one ``bm:`` property carries between the classes
  of its ends (in its direction or the other way round, read from the alignment and the
  properties' domains and ranges); every imported node says where it came from with PROV-O
  (``prov:wasDerivedFrom`` the file, ``dcterms:identifier`` its identifier in the file);
- the **kept graph**: everything else, so that nothing of the file is lost: each element's
  ArchiMate type, the elements that map to nothing (typed with their ArchiMate type), every
  relationship as a node (type, ends, access type, influence strength, direction, names), the
  properties no ``bm:`` property takes, organizations and what each view shows. Its terms are
  the ArchiMate types (``http://www.opengroup.org/xsd/archimate/3.0/``) and ``bmx:`` (see
  :data:`BMX`);
- **needs input**: the elements whose type the alignment does not decide (with the candidates),
  the relationships no ``bm:`` property carries, and property values that cannot be read as
  the ontology's type. Nothing is invented: a value the questions need and the file lacks is
  reported by validating the result (:func:`missing_values`).

IRIs are the namespace (by default ``urn:bmkg:archimate:`` + the model's identifier + ``:``)
followed by the identifier, so that importing the same file again names the same nodes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Any, Literal
from urllib.parse import quote

import rdflib
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SKOS, XSD
from rdflib.term import Literal as RDFLiteral
from rdflib.term import URIRef

from kg.interchange import keys
from kg.interchange.archimate import (
    Concept,
    ExchangeModel,
    Folder,
    Property,
    Relationship,
    Text,
)
from kg.interchange.keys import decode_value, parse_key
from kg.interchange.mapping import ARCHIMATE, Decision, TypeMapping
from kg.ontology import alignment_graph, ontology_graph
from kg.vocab import BM

__all__ = [
    "BMX",
    "PROVENANCE",
    "Origin",
    "without_provenance",
    "ImportResult",
    "MissingGroup",
    "NeedsInput",
    "NeedsInputReport",
    "import_exchange",
    "junction_groups",
    "needs_input_report",
    "new_graph",
]

BMX = rdflib.Namespace("https://w3id.org/bmkg/alignments#")
"""The terms of the kept graph: ``archimateType``, ``source``, ``target``, ``accessType``,
``modifier``, ``isDirected``, ``carriedBy`` (the ``bm:`` property a relationship became),
``property`` (a name and ``rdf:value``), ``Folder`` and ``member``, ``shows``."""
ARCHIMATE_NS = rdflib.Namespace(ARCHIMATE)
_SCHEMA = rdflib.Namespace("https://schema.org/")

Kind = Literal["element-type", "relationship", "property-value"]


@dataclass(frozen=True)
class NeedsInput:
    """Something the import could not decide, for a person to settle.

    Attributes
    ----------
    kind : str
        ``element-type``, ``relationship`` or ``property-value``.
    identifier : str
        The element's or relationship's identifier in the file.
    line : int
        Where it starts in the file.
    message : str
        What is undecided, in the architect's terms.
    candidates : tuple of str
        The ``bm:`` terms that could be meant, when the alignment names some.
    topic : str
        What items alike share, to group them: the ArchiMate type, or a relationship's type
        and the types of its ends.
    name : str
        The element's or relationship's name (its identifier when it has none).
    why : str
        Why it is undecided, the same for every item of a topic.
    """

    kind: Kind
    identifier: str
    line: int
    message: str
    candidates: tuple[str, ...] = ()
    topic: str = ""
    name: str = ""
    why: str = ""


@dataclass
class ImportResult:
    """The graphs an import made, and what it could not decide."""

    source: str
    graph: rdflib.Graph
    kept: rdflib.Graph
    needs_input: list[NeedsInput] = field(default_factory=list)
    iris: dict[str, URIRef] = field(default_factory=dict)
    classes: dict[str, str | None] = field(default_factory=dict)

    def counts(self) -> dict[str, int]:
        """How many nodes of each ``bm:`` class the model graph has."""
        found: dict[str, int] = {}
        for cls in self.graph.objects(None, RDF.type):
            if str(cls).startswith(str(BM._NS)):
                local = str(cls)[len(str(BM._NS)) :]
                found[local] = found.get(local, 0) + 1
        return dict(sorted(found.items()))


def import_exchange(
    model: ExchangeModel,
    *,
    mapping: TypeMapping | None = None,
    namespace: str | None = None,
) -> ImportResult:
    """Import an exchange model (see the module's description)."""
    mapping = mapping or TypeMapping.from_alignment()
    namespace = (
        namespace or f"urn:bmkg:archimate:{quote(model.identifier or Path(model.path).stem)}:"
    )
    return _Import(model, mapping, namespace).run()


PROVENANCE = (PROV.wasDerivedFrom, DCTERMS.identifier)
"""The two statements every imported node carries: the file it came from and its identifier
there. :func:`without_provenance` leaves them out, to compare a round trip with its start."""


class Origin:
    """Where imported nodes come from: one file, in one format (a ``prov:Entity``).

    Every importer records provenance through this class, so that all formats say it alike:
    the file is ``urn:bmkg:source:`` + its name, with ``dcterms:format`` and ``rdfs:label``,
    and each node it gave has ``prov:wasDerivedFrom`` the file and ``dcterms:identifier`` its
    identifier in the file.

    >>> graph = rdflib.Graph()
    >>> origin = Origin("models/shop.xml", "ArchiMate exchange 3.x")
    >>> origin.describe(graph)
    >>> origin.mark(graph, URIRef("urn:x:a"), "id-1")
    >>> sorted(str(o) for o in graph.objects(URIRef("urn:x:a"), None))
    ['id-1', 'urn:bmkg:source:shop.xml']
    """

    def __init__(self, path: str | Path, format: str) -> None:
        self.path = str(path)
        self.format = format
        self.node = URIRef(f"urn:bmkg:source:{quote(Path(self.path).name)}")

    def describe(self, graph: rdflib.Graph) -> None:
        """State the file itself: a ``prov:Entity`` with its format and name."""
        graph.add((self.node, RDF.type, PROV.Entity))
        graph.add((self.node, DCTERMS.format, RDFLiteral(self.format)))
        graph.add((self.node, RDFS.label, RDFLiteral(Path(self.path).name)))

    def mark(self, graph: rdflib.Graph, node: URIRef, identifier: str) -> None:
        """Say that ``node`` came from this file, where it was ``identifier``."""
        graph.add((node, DCTERMS.identifier, RDFLiteral(identifier)))
        graph.add((node, PROV.wasDerivedFrom, self.node))


def without_provenance(graph: rdflib.Graph) -> rdflib.Graph:
    """A copy of ``graph`` without the statements :class:`Origin` adds to nodes."""
    copy = rdflib.Graph()
    for triple in graph:
        if triple[1] not in PROVENANCE:
            copy.add(triple)
    return copy


class _Import:
    def __init__(self, model: ExchangeModel, mapping: TypeMapping, namespace: str) -> None:
        self.model = model
        self.mapping = mapping
        self.namespace = namespace
        self.definitions = {d.identifier: d.name for d in model.property_definitions}
        self.origin = Origin(model.path, f"{model.format} {model.version}".rstrip())
        self.source = self.origin.node
        self.result = ImportResult(model.path, new_graph(), new_graph())
        self.kept_prefix = f"urn:bmkg:kept:{quote(Path(model.path).name, safe='-._~')}:"
        self.held: dict[URIRef, int] = {}
        self.langs: dict[str, str] = {}

    def iri(self, identifier: str) -> URIRef:
        return URIRef(self.namespace + quote(identifier, safe="-._~"))

    def run(self) -> ImportResult:
        result = self.result
        kept = result.kept
        self.origin.describe(kept)
        if self.model.identifier:
            kept.add((self.source, DCTERMS.identifier, RDFLiteral(self.model.identifier)))
        for text in self.model.documentation:
            kept.add((self.source, DCTERMS.description, _text(text)))
        for prop in self.model.properties:
            self.keep_property(self.source, prop.definition, prop.values)
        for text in self.model.names:
            kept.add((self.source, DCTERMS.title, _text(text)))
        for element in self.model.elements:
            self.element(element)
        for relationship in self.model.relationships:
            self.relationship(relationship)
        self.junctions()
        self.folders(self.model.organizations, None)
        for view in self.model.views:
            node = self.iri(view.identifier)
            kept.add((node, RDF.type, ARCHIMATE_NS[view.type or "Diagram"]))
            self.common(kept, node, view.identifier, view.names, view.documentation)
            for prop in view.properties:
                self.keep_property(node, prop.definition, prop.values)
            for ref in (*view.elements, *view.relationships):
                kept.add((node, BMX.shows, self.end(ref)))
        return result

    def common(
        self,
        graph: rdflib.Graph,
        node: URIRef,
        identifier: str,
        names: Iterable[Text],
        documentation: Iterable[Text],
    ) -> None:
        self.origin.mark(graph, node, identifier)
        for text in names:
            graph.add((node, RDFS.label, _text(text)))
        for text in documentation:
            graph.add((node, DCTERMS.description, _text(text)))

    def end(self, identifier: str) -> URIRef:
        """The node an element or relationship of the file became."""
        return self.result.iris.get(identifier) or self.iri(identifier)

    def decode(
        self, properties: Iterable[Property]
    ) -> tuple[URIRef | None, list[URIRef], list[tuple[URIRef, rdflib.term.Node]], list[Property]]:
        """Split properties into what the key scheme says (:mod:`kg.interchange.keys`): the
        node's IRI, its classes and its statements; and the ordinary properties left."""
        iri: URIRef | None = None
        classes: list[URIRef] = []
        statements: list[tuple[URIRef, rdflib.term.Node]] = []
        rest: list[Property] = []
        for prop in properties:
            name = self.definitions.get(prop.definition, prop.definition).strip()
            key = parse_key(name)
            if name == keys.ID and prop.values:
                iri = URIRef(prop.values[0].value.strip())
            elif name in (keys.NAME_LANG, keys.DOCUMENTATION_LANG) and prop.values:
                self.langs[name] = prop.values[0].value.strip()
            elif key is not None and key.predicate == RDF.type:
                classes.extend(c for v in prop.values if (c := keys.expand(v.value)) is not None)
            elif key is not None:
                statements.extend(
                    (key.predicate, decode_value(key, v.value, v.lang)) for v in prop.values
                )
            else:
                rest.append(prop)
        return iri, classes, statements, rest

    def element(self, element: Concept) -> None:
        result = self.result
        self.langs = {}
        iri, classes, statements, properties = self.decode(element.properties)
        if self.langs:
            element = replace(
                element,
                names=_in_language(element.names, self.langs.get(keys.NAME_LANG)),
                documentation=_in_language(
                    element.documentation, self.langs.get(keys.DOCUMENTATION_LANG)
                ),
            )
        node = iri or self.iri(element.identifier)
        result.iris[element.identifier] = node
        specialization = next(
            (
                v.value
                for p in element.properties
                if self.definitions.get(p.definition, "").lower() == "specialization"
                for v in p.values
            ),
            None,
        )
        decision = self.mapping.decide(
            element.type, identifier=element.identifier, specialization=specialization
        )
        if classes:
            decision = Decision(str(classes[0]), "element")
        result.classes[element.identifier] = decision.cls
        result.kept.add((node, BMX.archimateType, ARCHIMATE_NS[element.type]))
        home = result.kept if decision.cls is None else result.graph
        for predicate, obj in statements:
            home.add((node, predicate, obj))
        for cls in classes[1:]:
            result.graph.add((node, RDF.type, cls))
        if decision.cls is None:
            result.kept.add((node, RDF.type, ARCHIMATE_NS[element.type]))
            self.common(result.kept, node, element.identifier, element.names, element.documentation)
            for prop in properties:
                self.keep_property(node, prop.definition, prop.values)
            if decision.needs_input and not element.type.endswith("Junction"):
                # a junction is structure: the relationships through it are joined (junctions)
                shown = element.name or element.identifier
                if decision.reason == "no counterpart":
                    why = "the ontology has no counterpart of its type"
                else:
                    why = "the alignment does not decide its type"
                result.needs_input.append(
                    NeedsInput(
                        "element-type",
                        element.identifier,
                        element.line,
                        f"{element.type} {shown!r}: {why}; it is kept as it is. Map it (by "
                        "element, type or specialization) to import it as one of the "
                        "ontology's classes.",
                        decision.candidates,
                        topic=element.type,
                        name=shown,
                        why=why,
                    )
                )
            return
        cls = URIRef(decision.cls)
        result.graph.add((node, RDF.type, cls))
        self.common(result.graph, node, element.identifier, element.names, element.documentation)
        if cls == BM.Offering and decision.reason == "alignment":
            # the ontology's offerings are products or services, which ArchiMate does not say
            why = "an offering is a product or a service, and the file does not say which"
            result.needs_input.append(
                NeedsInput(
                    "element-type",
                    element.identifier,
                    element.line,
                    f"{element.type} {element.name or element.identifier!r}: {why}; it is "
                    "imported as an offering. Map it (by element, type or specialization) to "
                    "bm:Product or bm:Service.",
                    (str(BM.Product), str(BM.Service)),
                    topic=f"{element.type} (product or service?)",
                    name=element.name or element.identifier,
                    why=why,
                )
            )
        for prop in properties:
            name = self.definitions.get(prop.definition, prop.definition)
            target = _datatype_property(cls, name)
            if target is None:
                self.keep_property(node, prop.definition, prop.values)
                continue
            prop_iri, datatype = target
            for value in prop.values:
                literal = _typed(value, datatype)
                if literal is None:
                    self.keep_property(node, prop.definition, (value,))
                    result.needs_input.append(
                        NeedsInput(
                            "property-value",
                            element.identifier,
                            element.line,
                            f"{element.name or element.identifier!r}: {name} "
                            f"{value.value!r} cannot be read as "
                            f"xsd:{datatype.rsplit('#', 1)[-1]}; it is kept as text.",
                            topic=f"{name} (xsd:{datatype.rsplit('#', 1)[-1]})",
                            name=f"{element.name or element.identifier}: {value.value!r}",
                            why="the value cannot be read as the ontology's type; kept as text",
                        )
                    )
                else:
                    result.graph.add((node, prop_iri, literal))

    def keep_property(self, node: URIRef, definition: str, values: Iterable[Text]) -> None:
        kept = self.result.kept
        for value in values:
            count = self.held[node] = self.held.get(node, 0) + 1
            holder = URIRef(f"{self.kept_prefix}{_digest(str(node))}:property-{count}")
            kept.add((node, BMX.property, holder))
            kept.add((holder, RDFS.label, RDFLiteral(self.definitions.get(definition, definition))))
            kept.add((holder, RDF.value, _text(value)))

    def relationship(self, relationship: Relationship) -> None:
        result = self.result
        node = self.iri(relationship.identifier)
        kept = result.kept
        kept.add((node, RDF.type, ARCHIMATE_NS[relationship.type]))
        self.common(
            kept, node, relationship.identifier, relationship.names, relationship.documentation
        )
        kept.add((node, BMX.source, self.end(relationship.source)))
        kept.add((node, BMX.target, self.end(relationship.target)))
        if relationship.access_type:
            kept.add((node, BMX.accessType, RDFLiteral(relationship.access_type)))
        if relationship.modifier:
            kept.add((node, BMX.modifier, RDFLiteral(relationship.modifier)))
        if relationship.is_directed is not None:
            kept.add((node, BMX.isDirected, RDFLiteral(relationship.is_directed)))
        predicate, inverse, rest = self.carried(relationship.properties)
        for kept_prop in rest:
            self.keep_property(node, kept_prop.definition, kept_prop.values)
        if predicate is not None:
            subject, obj = self.end(relationship.source), self.end(relationship.target)
            result.graph.add((obj, predicate, subject) if inverse else (subject, predicate, obj))
            kept.add((node, BMX.carriedBy, predicate))
            return
        source_cls = result.classes.get(relationship.source)
        target_cls = result.classes.get(relationship.target)
        if source_cls is None or target_cls is None:
            return  # an end that is kept (or a relationship): the relationship stays with it
        found = _links(relationship.type, URIRef(source_cls), URIRef(target_cls))
        if len(found) == 1:
            link, reverse = found[0]
            subject, obj = self.end(relationship.source), self.end(relationship.target)
            result.graph.add((obj, link, subject) if reverse else (subject, link, obj))
            kept.add((node, BMX.carriedBy, link))
            return
        source, target = (self.model.concept(r) for r in (relationship.source, relationship.target))
        names = [f"{c.type} {c.name or c.identifier!r}" for c in (source, target) if c is not None]
        if found:
            why = "several properties of the ontology could carry it"
        else:
            why = "no property of the ontology carries it between these classes"
        result.needs_input.append(
            NeedsInput(
                "relationship",
                relationship.identifier,
                relationship.line,
                f"{relationship.type} from {names[0]} to {names[1]}: {why}; it is kept as it is.",
                tuple(str(p) for p, _ in found),
                topic=f"{relationship.type} from {source.type if source else '?'} to "
                f"{target.type if target else '?'}",
                name=" to ".join(
                    repr(c.name or c.identifier) for c in (source, target) if c is not None
                ),
                why=why,
            )
        )

    def junctions(self) -> None:
        """Join the relationships through each junction into links between their ends.

        ArchiMate's junctions (And, Or) connect relationships of one type: every element that
        reaches a junction is related to every element the junction reaches (through chains of
        junctions too). Each such pair becomes a link when one ``bm:`` property carries the
        relationship's type between their classes, as for a relationship without a junction;
        the relationships keep the property they were joined into (``bmx:carriedBy``).
        """
        junctions = {e.identifier for e in self.model.elements if e.type.endswith("Junction")}
        if not junctions:
            return
        result = self.result
        for group in junction_groups(
            junctions,
            [(r.source, r.target) for r in self.model.relationships],
        ):
            sources = {
                (r.source, r)
                for r in self.model.relationships
                if r.target in group and r.source not in junctions
            }
            targets = {
                (r.target, r)
                for r in self.model.relationships
                if r.source in group and r.target not in junctions
            }
            for source, first in sorted(sources, key=lambda p: (p[0], p[1].identifier)):
                for target, last in sorted(targets, key=lambda p: (p[0], p[1].identifier)):
                    source_cls = result.classes.get(source)
                    target_cls = result.classes.get(target)
                    if source_cls is None or target_cls is None:
                        continue  # an end that is kept: the relationships stay with it
                    found = _links(first.type, URIRef(source_cls), URIRef(target_cls))
                    if len(found) == 1:
                        link, reverse = found[0]
                        subject, obj = self.end(source), self.end(target)
                        result.graph.add((obj, link, subject) if reverse else (subject, link, obj))
                        for rel in (first, last):
                            result.kept.add((self.iri(rel.identifier), BMX.carriedBy, link))
                        continue
                    names = [
                        repr(c.name or c.identifier)
                        for c in (self.model.concept(source), self.model.concept(target))
                        if c is not None
                    ]
                    why = (
                        "several properties of the ontology could carry it"
                        if found
                        else "no property of the ontology carries it between these classes"
                    )
                    result.needs_input.append(
                        NeedsInput(
                            "relationship",
                            first.identifier,
                            first.line,
                            f"{first.type} through a junction from {names[0]} to {names[1]}: "
                            f"{why}; it is kept as it is.",
                            tuple(str(p) for p, _ in found),
                            topic=f"{first.type} through a junction",
                            name=" to ".join(names),
                            why=why,
                        )
                    )

    def carried(self, properties: Iterable[Property]) -> tuple[URIRef | None, bool, list[Property]]:
        """The statement a relationship carries by the key scheme (``@predicate``, ``@inverse``),
        and its other properties."""
        predicate: URIRef | None = None
        inverse = False
        rest = []
        for prop in properties:
            name = self.definitions.get(prop.definition, prop.definition).strip()
            if name == keys.PREDICATE and prop.values:
                predicate = keys.expand(prop.values[0].value)
            elif name == keys.INVERSE and prop.values:
                inverse = prop.values[0].value.strip().lower() == "true"
            else:
                rest.append(prop)
        return predicate, inverse, rest

    def folders(
        self, folders: Iterable[Folder], parent: URIRef | None, path: str = "folder"
    ) -> None:
        kept = self.result.kept
        for n, folder in enumerate(folders, 1):
            node = URIRef(f"{self.kept_prefix}{path}-{n}")
            kept.add((node, RDF.type, BMX.Folder))
            if parent is not None:
                kept.add((parent, BMX.member, node))
            for label in folder.labels:
                kept.add((node, RDFS.label, _text(label)))
            for text in folder.documentation:
                kept.add((node, DCTERMS.description, _text(text)))
            for ref in folder.refs:
                kept.add((node, BMX.member, self.end(ref)))
            self.folders(folder.folders, node, f"{path}-{n}")


def junction_groups(junctions: set[Any], links: Iterable[tuple[Any, Any]]) -> list[set[Any]]:
    """The junctions in groups that relationships between junctions connect (chains)."""
    import networkx as nx

    graph: nx.Graph = nx.Graph()
    graph.add_nodes_from(junctions)
    graph.add_edges_from((a, b) for a, b in links if a in junctions and b in junctions)
    return sorted((set(c) for c in nx.connected_components(graph)), key=lambda c: min(map(str, c)))


def _in_language(texts: tuple[Text, ...], lang: str | None) -> tuple[Text, ...]:
    """Texts with no language given one (a format whose names have none said it apart)."""
    if not lang:
        return texts
    return tuple(t if t.lang else Text(t.value, lang) for t in texts)


def _digest(text: str) -> str:
    import hashlib

    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def new_graph() -> rdflib.Graph:
    """An empty graph for an import to fill, with the prefixes its Turtle is written with."""
    graph = rdflib.Graph()
    graph.bind("bm", BM._NS)
    graph.bind("archimate", ARCHIMATE_NS)
    graph.bind("bmx", BMX)
    graph.bind("prov", PROV)
    graph.bind("dcterms", DCTERMS)
    return graph


def _text(text: Text) -> RDFLiteral:
    return RDFLiteral(text.value, lang=text.lang) if text.lang else RDFLiteral(text.value)


def _typed(text: Text, datatype: str) -> RDFLiteral | None:
    """The value as the ontology's datatype, or ``None`` when it cannot be read as one."""
    value = text.value.strip()
    if datatype == str(XSD.integer):
        return RDFLiteral(value, datatype=XSD.integer) if value.lstrip("-").isdigit() else None
    if datatype == str(XSD.decimal):
        try:
            from decimal import Decimal, InvalidOperation

            number = Decimal(value)
        except InvalidOperation:
            return None
        return RDFLiteral(format(number, "f"), datatype=XSD.decimal) if number.is_finite() else None
    if datatype == str(XSD.boolean):
        lowered = value.lower()
        return (
            RDFLiteral(lowered == "true", datatype=XSD.boolean)
            if lowered in ("true", "false")
            else None
        )
    if datatype == str(XSD.date):
        import re

        return (
            RDFLiteral(value, datatype=XSD.date)
            if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value)
            else None
        )
    if text.lang:
        return RDFLiteral(text.value, lang=text.lang)
    return RDFLiteral(text.value)


@cache
def _superclasses(cls: URIRef) -> frozenset[URIRef]:
    graph = ontology_graph()
    return frozenset(
        {cls, *(c for c in graph.transitive_objects(cls, RDFS.subClassOf) if isinstance(c, URIRef))}
    )


@cache
def _datatype_properties() -> dict[str, list[tuple[URIRef, frozenset[URIRef], str]]]:
    """Each datatype property by lower-cased local name and label: its domains and range."""
    graph = ontology_graph()
    found: dict[str, list[tuple[URIRef, frozenset[URIRef], str]]] = {}
    for prop in graph.subjects(RDF.type, OWL.DatatypeProperty):
        if not isinstance(prop, URIRef) or not str(prop).startswith(str(BM._NS)):
            continue
        domains = frozenset(
            d
            for p in (RDFS.domain, _SCHEMA.domainIncludes)
            for d in graph.objects(prop, p)
            if isinstance(d, URIRef)
        )
        ranges = [*graph.objects(prop, RDFS.range), *graph.objects(prop, _SCHEMA.rangeIncludes)]
        entry = (prop, domains, str(ranges[0]) if ranges else str(XSD.string))
        keys = {str(prop)[len(str(BM._NS)) :].lower()}
        keys |= {str(label).lower() for label in graph.objects(prop, RDFS.label)}
        for key in keys:
            found.setdefault(key, []).append(entry)
    return found


def _datatype_property(cls: URIRef, name: str) -> tuple[URIRef, str] | None:
    """The ``bm:`` datatype property a property of this name sets on a member of ``cls``."""
    key = name.strip().lower()
    key = key.removeprefix("bm:")
    for prop, domains, datatype in _datatype_properties().get(key, []):
        if not domains or domains & _superclasses(cls):
            return prop, datatype
    return None


@cache
def _relationship_candidates(archimate_type: str) -> tuple[tuple[URIRef, bool | None], ...]:
    """The bm: properties the alignment relates to a relationship type: each with True when it
    is declared a sub-property (the same direction), else None (either direction)."""
    graph = alignment_graph("archimate")
    rel = ARCHIMATE_NS[archimate_type]
    found: dict[URIRef, bool | None] = {}
    for match in (SKOS.exactMatch, SKOS.closeMatch, SKOS.narrowMatch, SKOS.relatedMatch):
        for prop in graph.objects(rel, match):
            if isinstance(prop, URIRef) and str(prop).startswith(str(BM._NS)):
                found.setdefault(prop, None)
    for prop in graph.subjects(RDFS.subPropertyOf, rel):
        if isinstance(prop, URIRef):
            found[prop] = True
    return tuple(sorted(found.items(), key=lambda item: str(item[0])))


def _ends(prop: URIRef) -> tuple[frozenset[URIRef], frozenset[URIRef]]:
    graph = ontology_graph()

    def of(*predicates: URIRef) -> frozenset[URIRef]:
        return frozenset(
            o for p in predicates for o in graph.objects(prop, p) if isinstance(o, URIRef)
        )

    return of(RDFS.domain, _SCHEMA.domainIncludes), of(RDFS.range, _SCHEMA.rangeIncludes)


def _links(archimate_type: str, source: URIRef, target: URIRef) -> list[tuple[URIRef, bool]]:
    """The (property, reversed) pairs that can carry a relationship between these classes."""
    found = []
    for prop, same_direction in _relationship_candidates(archimate_type):
        domains, ranges = _ends(prop)
        if domains & _superclasses(source) and ranges & _superclasses(target):
            found.append((prop, False))
        elif (
            not same_direction
            and domains & _superclasses(target)
            and ranges & _superclasses(source)
        ):
            found.append((prop, True))
    return found


@dataclass(frozen=True)
class MissingGroup:
    """The imported nodes one validation rule finds fault with."""

    message: str
    severity: str
    nodes: tuple[str, ...]


@dataclass(frozen=True)
class QuestionNeed:
    """Values strategic questions read that imported nodes lack: "Q8 (Cost and Revenue Models)
    reads amount (`bm:amount`), which 12 cost items lack"."""

    questions: tuple[tuple[int, str], ...]
    property: str
    property_label: str
    class_label: str
    nodes: tuple[str, ...]

    def sentence(self) -> str:
        """``Q8 (Cost and Revenue Models) reads amount (`bm:amount`), which 12 cost items lack``."""
        if len(self.questions) == 1:
            number, name = self.questions[0]
            who = f"Q{number} ({name}) reads"
        else:
            who = ", ".join(f"Q{n}" for n, _ in self.questions) + " read"
        lack = "lacks" if len(self.nodes) == 1 else "lack"
        return (
            f"{who} {self.property_label} (`{self.property}`), which {len(self.nodes)} "
            f"{self.class_label} {lack}"
        )


@dataclass(frozen=True)
class NeedsInputReport:
    """What an import needs from a person: its undecided items and the values still missing,
    by validation rule and by strategic question."""

    source: str
    counts: dict[str, int]
    undecided: tuple[NeedsInput, ...]
    missing: tuple[MissingGroup, ...]
    by_question: tuple[QuestionNeed, ...] = ()

    def counts_line(self) -> str:
        shown = ", ".join(f"{n} {name}" for name, n in self.counts.items())
        return f"Imported: {shown}" if shown else "Imported: nothing the ontology has a place for"

    def to_dict(self) -> dict[str, object]:
        return {
            "source": self.source,
            "counts": self.counts,
            "undecided": [
                {
                    "kind": item.kind,
                    "identifier": item.identifier,
                    "line": item.line,
                    "message": item.message,
                    "candidates": list(item.candidates),
                }
                for item in self.undecided
            ],
            "missing": [
                {"message": g.message, "severity": g.severity, "nodes": list(g.nodes)}
                for g in self.missing
            ],
            "by_question": [
                {
                    "questions": [number for number, _ in n.questions],
                    "property": n.property,
                    "class": n.class_label,
                    "count": len(n.nodes),
                    "nodes": list(n.nodes),
                    "message": n.sentence(),
                }
                for n in self.by_question
            ],
        }

    def groups(self) -> list[dict[str, object]]:
        """The undecided items grouped by kind and topic, largest group first."""
        grouped: dict[tuple[str, str], list[NeedsInput]] = {}
        for item in self.undecided:
            grouped.setdefault((item.kind, item.topic), []).append(item)
        return [
            {
                "kind": kind,
                "topic": topic,
                "why": items[0].why,
                "candidates": items[0].candidates,
                "items": items,
            }
            for (kind, topic), items in sorted(
                grouped.items(), key=lambda g: (-len(g[1]), g[0][0], g[0][1])
            )
        ]

    def markdown(self) -> str:
        import jinja2

        environment = jinja2.Environment(
            loader=jinja2.PackageLoader("kg", "templates"),
            autoescape=False,
            undefined=jinja2.StrictUndefined,
            keep_trailing_newline=True,
        )
        return environment.get_template("needs-input.md").render(
            source=Path(self.source).name,
            counts_line=self.counts_line(),
            undecided=self.undecided,
            groups=self.groups(),
            missing=self.missing,
            by_question=self.by_question,
        )


def needs_input_report(result: ImportResult) -> NeedsInputReport:
    """The undecided items of an import, and what validating its model graph finds missing."""
    import pyoxigraph as ox

    from kg.model import open_model
    from kg.rdflibstore import ox_term
    from kg.validation import validate

    # Validated in a store with the ontology, by the SPARQL engine: pySHACL over an rdflib
    # graph takes seconds per thousand statements.
    with open_model() as model:
        graph = ox.NamedNode("urn:bmkg:import:" + quote(Path(result.source).name, safe="-._~"))
        model.store.extend(
            ox.Quad(ox_term(s), ox_term(p), ox_term(o), graph)  # type: ignore[arg-type]
            for s, p, o in result.graph
        )
        report = validate(model)
    groups: dict[tuple[str, str], list[str]] = {}
    for item in report.results:
        name = item.focus_label or item.focus_node
        groups.setdefault((item.message, item.severity.value), []).append(name)
    missing = tuple(
        MissingGroup(message, severity, tuple(sorted(set(nodes))))
        for (message, severity), nodes in sorted(groups.items(), key=lambda g: (g[0][1], g[0][0]))
    )
    return NeedsInputReport(
        result.source,
        result.counts(),
        tuple(result.needs_input),
        missing,
        question_needs(result.graph),
    )


def question_needs(graph: rdflib.Graph) -> tuple[QuestionNeed, ...]:
    """Per strategic question, the values its queries read that nodes of the graph lack.

    A question "reads" a property when one of its queries (``kg/queries/qNN/*.rq``) names it;
    the values are the ontology's datatype properties and the properties whose values are
    vocabulary concepts (a lifecycle status, a criticality). A node lacks one when it is a
    member of the property's domain (or of a subclass) with no value for it.
    """
    from kg.questions import QUESTIONS

    ontology = ontology_graph()
    readers: dict[URIRef, list[tuple[int, str]]] = {}
    for number, spec in sorted(QUESTIONS.items()):
        for prop in _read_by_question(number):
            readers.setdefault(prop, []).append((number, spec.short_name))
    found = []
    for prop, questions in readers.items():
        domains = {
            d
            for p in (RDFS.domain, _SCHEMA.domainIncludes)
            for d in ontology.objects(prop, p)
            if isinstance(d, URIRef)
        }
        for domain in sorted(domains, key=str):
            members = {
                node
                for cls in _subclasses(domain)
                for node in graph.subjects(RDF.type, cls)
                if isinstance(node, URIRef)
            }
            lacking = sorted(
                str(graph.value(n, RDFS.label) or n)
                for n in members
                if graph.value(n, prop) is None
            )
            if lacking:
                found.append(
                    QuestionNeed(
                        tuple(questions),
                        "bm:" + str(prop)[len(str(BM._NS)) :],
                        _label_of(prop),
                        _plural(_label_of(domain), len(lacking)),
                        tuple(lacking),
                    )
                )
    return tuple(sorted(found, key=lambda n: (n.questions[0][0], -len(n.nodes), n.property)))


@cache
def _read_by_question(number: int) -> tuple[URIRef, ...]:
    """The value properties the queries of question ``number`` name."""
    import re
    from importlib.resources import files

    ontology = ontology_graph()
    folder = files("kg.queries").joinpath(f"q{number:02d}")
    named: set[URIRef] = set()
    for entry in folder.iterdir():
        if entry.name.endswith(".rq"):
            for local in re.findall(r"\bbm:([a-z]\w*)", entry.read_text("utf-8")):
                named.add(BM._NS[local])
    values = []
    for prop in sorted(named, key=str):
        concept_valued = (prop, RDF.type, OWL.ObjectProperty) in ontology and any(
            str(r).startswith("https://w3id.org/bmkg/vocab#")
            for r in ontology.objects(prop, RDFS.range)
        )
        if concept_valued or (prop, RDF.type, OWL.DatatypeProperty) in ontology:
            values.append(prop)
    return tuple(values)


@cache
def _subclasses(cls: URIRef) -> frozenset[URIRef]:
    graph = ontology_graph()
    return frozenset(
        {
            cls,
            *(c for c in graph.transitive_subjects(RDFS.subClassOf, cls) if isinstance(c, URIRef)),
        }
    )


def _label_of(term: URIRef) -> str:
    label = ontology_graph().value(term, RDFS.label)
    return str(label) if label is not None else str(term).rsplit("#", 1)[-1]


def _plural(label: str, count: int) -> str:
    label = label[0].lower() + label[1:] if label[:2] != label[:2].upper() else label
    if count == 1:
        return label
    if label.endswith("y") and not label.endswith(("ay", "ey", "oy")):
        return label[:-1] + "ies"
    return label + ("es" if label.endswith(("s", "sh", "ch")) else "s")
