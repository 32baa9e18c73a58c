"""The Open Group's ArchiMate Model Exchange File Format: read a file into a neutral model.

Both generations are read: 2.1 (namespace ``http://www.opengroup.org/xsd/archimate``, names in
``label``, ``propertydefs``, ``identifierref``, types such as ``UsedByRelationship``, given
their 3.x names: ``Serving``) and 3.x (namespace
``http://www.opengroup.org/xsd/archimate/3.0/``, which 3.0, 3.1 and 3.2 files all use: names in
``name``, ``propertyDefinitions``, ``identifierRef``). What is read: the model's names,
documentation and properties; elements (junctions included) and relationships, each with its
multilingual names, documentation and properties; relationships to relationships; access types,
influence strengths and directed associations; property definitions; organizations (folders);
and which elements and relationships each view shows (not the geometry).

The result, :class:`ExchangeModel`, says nothing of the ontology yet: the mapping to ``bm:``
terms is a separate step. Every element and relationship keeps the line it starts on, so later
steps can say where a problem is.

>>> from pathlib import Path
>>> text = '''<model xmlns="http://www.opengroup.org/xsd/archimate/3.0/"
...   xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" identifier="m">
...   <name xml:lang="en">Shop</name>
...   <elements>
...     <element identifier="a" xsi:type="BusinessActor"><name>Customer</name></element>
...     <element identifier="s" xsi:type="BusinessService"><name>Sales</name></element>
...   </elements>
...   <relationships>
...     <relationship identifier="r" xsi:type="Serving" source="s" target="a"/>
...   </relationships>
... </model>'''
>>> model = read_exchange_text(text)
>>> model.version, [(e.identifier, e.type, e.name) for e in model.elements]
('3.x', [('a', 'BusinessActor', 'Customer'), ('s', 'BusinessService', 'Sales')])
>>> [(r.type, r.source, r.target) for r in model.relationships]
[('Serving', 's', 'a')]
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from kg.interchange.safexml import Node, XMLInputError, read_text, read_xml

__all__ = [
    "NS_21",
    "NS_3",
    "Concept",
    "ExchangeError",
    "ExchangeModel",
    "Folder",
    "Property",
    "PropertyDefinition",
    "Relationship",
    "Text",
    "View",
    "exchange_xml",
    "read_exchange",
    "read_exchange_text",
    "schema_errors",
    "write_exchange",
]

NS_21 = "http://www.opengroup.org/xsd/archimate"
NS_3 = "http://www.opengroup.org/xsd/archimate/3.0/"
_NAMESPACES = {NS_21: "2.1", NS_21 + "/": "2.1", NS_3: "3.x"}
_TYPES_21 = {
    # 2.1 names that 3.x renamed; the reader gives every type its 3.x name
    "UsedBy": "Serving",
    "Realisation": "Realization",
    "Specialisation": "Specialization",
    "InfrastructureService": "TechnologyService",
    "InfrastructureInterface": "TechnologyInterface",
    "InfrastructureFunction": "TechnologyFunction",
    "Network": "CommunicationNetwork",
}


class ExchangeError(XMLInputError):
    """A file is XML but not an ArchiMate exchange model this reader can take."""


@dataclass(frozen=True)
class Text:
    """A text in one language (``lang`` ``None`` when the file gives none)."""

    value: str
    lang: str | None = None


@dataclass(frozen=True)
class PropertyDefinition:
    identifier: str
    names: tuple[Text, ...]
    type: str | None

    @property
    def name(self) -> str:
        return _preferred(self.names) or self.identifier


@dataclass(frozen=True)
class Property:
    """A property of a model, element, relationship or view: its definition and values."""

    definition: str
    values: tuple[Text, ...]


@dataclass(frozen=True)
class Concept:
    """An element (or a relationship: see :class:`Relationship`) as the file gives it."""

    identifier: str
    type: str
    names: tuple[Text, ...]
    documentation: tuple[Text, ...]
    properties: tuple[Property, ...]
    line: int

    @property
    def name(self) -> str | None:
        """The English name, else the one with no language, else the first."""
        return _preferred(self.names)


@dataclass(frozen=True)
class Relationship(Concept):
    """A relationship: its ends (elements or relationships) and the attributes of its type."""

    source: str = ""
    target: str = ""
    access_type: str | None = None
    modifier: str | None = None
    is_directed: bool | None = None


@dataclass(frozen=True)
class Folder:
    """An organization item: a labelled folder of references and sub-folders."""

    labels: tuple[Text, ...]
    refs: tuple[str, ...]
    folders: tuple[Folder, ...]
    documentation: tuple[Text, ...] = ()


@dataclass(frozen=True)
class View:
    """A view: its names and what it shows (the elements and relationships its nodes and
    connections refer to, in the file's order), not where."""

    identifier: str
    type: str | None
    names: tuple[Text, ...]
    documentation: tuple[Text, ...]
    properties: tuple[Property, ...]
    elements: tuple[str, ...]
    relationships: tuple[str, ...]
    line: int


@dataclass(frozen=True)
class ExchangeModel:
    """An exchange file, read.

    ``format`` names the format the model was read from (``"ArchiMate exchange"``, or
    ``"Archi CSV"`` for :mod:`kg.interchange.archicsv`); ``version`` is that format's version
    (``"2.1"``, ``"3.x"``), empty when the format has none.
    """

    path: str
    version: str
    identifier: str | None
    names: tuple[Text, ...]
    documentation: tuple[Text, ...]
    properties: tuple[Property, ...]
    property_definitions: tuple[PropertyDefinition, ...]
    elements: tuple[Concept, ...]
    relationships: tuple[Relationship, ...]
    organizations: tuple[Folder, ...]
    views: tuple[View, ...]
    format: str = "ArchiMate exchange"

    def concept(self, identifier: str) -> Concept | None:
        """The element or relationship with this identifier."""
        for found in (*self.elements, *self.relationships):
            if found.identifier == identifier:
                return found
        return None


def read_exchange(path: str | os.PathLike[str]) -> ExchangeModel:
    """Read an exchange file (2.1 or 3.x).

    Raises
    ------
    XMLInputError
        The file cannot be read safely as XML (see :func:`kg.interchange.safexml.read_xml`).
    ExchangeError
        It is not an exchange model: another root element, a missing identifier, a duplicate
        identifier, a relationship whose end is nothing in the file. The message gives the file
        and line.
    """
    return _Reader(str(path), read_xml(path)).read()


def read_exchange_text(text: str, name: str = "<text>") -> ExchangeModel:
    """:func:`read_exchange` of XML held in a string."""
    return _Reader(name, read_text(text, name)).read()


def _preferred(texts: Iterable[Text]) -> str | None:
    texts = list(texts)
    for wanted in ("en", None):
        for text in texts:
            if (text.lang or "").split("-")[0].lower() == (wanted or "") and text.value:
                return text.value
    return texts[0].value if texts else None


class _Reader:
    def __init__(self, path: str, root: Node) -> None:
        self.path = path
        self.root = root
        self.version = _NAMESPACES.get(root.namespace)
        if root.local != "model" or self.version is None:
            raise ExchangeError(
                f"{path}:{root.line}: not an ArchiMate exchange model: the document element is "
                f"{root.tag!r}, not <model> in {NS_3!r} (3.x) or {NS_21!r} (2.1)"
            )
        self.legacy = self.version == "2.1"

    def where(self, node: Node) -> str:
        return f"{self.path}:{node.line}:{node.column}"

    # 2.1 and 3.x spell the same things differently.
    @property
    def name_tag(self) -> str:
        return "label" if self.legacy else "name"

    def texts(self, node: Node, local: str) -> tuple[Text, ...]:
        found = (Text(c.text, c.lang) for c in node.all(local))
        if local == "value":
            return tuple(found)
        return tuple(t for t in found if t.value)  # an empty name is none

    def identifier(self, node: Node, what: str) -> str:
        value = node.get("identifier")
        if not value:
            raise ExchangeError(f"{self.where(node)}: {what} without an identifier")
        return value

    def properties(self, node: Node) -> tuple[Property, ...]:
        holder = node.first("properties")
        if holder is None:
            return ()
        found = []
        for prop in holder.all("property"):
            ref = prop.get("identifierref" if self.legacy else "propertyDefinitionRef")
            if ref is None and self.legacy:
                ref = prop.get("identifierRef")
            if not ref:
                raise ExchangeError(f"{self.where(prop)}: a property that names no definition")
            found.append(Property(ref, self.texts(prop, "value")))
        return tuple(found)

    def read(self) -> ExchangeModel:
        root = self.root
        definitions = self.definitions()
        elements = tuple(self.element(n) for n in self.section("elements", "element"))
        relationships = tuple(
            self.relationship(n) for n in self.section("relationships", "relationship")
        )
        seen: dict[str, int] = {}
        for concept in (*elements, *relationships):
            if concept.identifier in seen:
                raise ExchangeError(
                    f"{self.path}:{concept.line}: the identifier {concept.identifier!r} is used "
                    f"again (first on line {seen[concept.identifier]})"
                )
            seen[concept.identifier] = concept.line
        known = {d.identifier for d in definitions}
        for concept in (*elements, *relationships):
            for prop in concept.properties:
                if prop.definition not in known:
                    raise ExchangeError(
                        f"{self.path}:{concept.line}: {concept.identifier!r} has a property of "
                        f"the definition {prop.definition!r}, which the file does not define"
                    )
        for relationship in relationships:
            for end, ref in (("source", relationship.source), ("target", relationship.target)):
                if ref not in seen:
                    raise ExchangeError(
                        f"{self.path}:{relationship.line}: the relationship "
                        f"{relationship.identifier!r} has as its {end} {ref!r}, which is no "
                        "element or relationship of the file"
                    )
        model = ExchangeModel(
            path=self.path,
            version=self.version or "",
            identifier=root.get("identifier"),
            names=self.texts(root, self.name_tag) or self.texts(root, "name"),
            documentation=self.texts(root, "documentation"),
            properties=self.properties(root),
            property_definitions=definitions,
            elements=elements,
            relationships=relationships,
            organizations=self.organizations(),
            views=self.views(),
        )
        for view in model.views:
            for ref in (*view.elements, *view.relationships):
                if ref not in seen:
                    raise ExchangeError(
                        f"{self.path}:{view.line}: the view {view.identifier!r} shows {ref!r}, "
                        "which is no element or relationship of the file"
                    )
        return model

    def section(self, holder: str, item: str) -> list[Node]:
        found = self.root.first(holder)
        return found.all(item) if found is not None else []

    def definitions(self) -> tuple[PropertyDefinition, ...]:
        if self.legacy:
            nodes = self.section("propertydefs", "propertydef")
            return tuple(
                PropertyDefinition(
                    self.identifier(n, "a property definition"),
                    (Text(n.get("name") or "", None),) if n.get("name") else (),
                    n.get("type"),
                )
                for n in nodes
            )
        nodes = self.section("propertyDefinitions", "propertyDefinition")
        return tuple(
            PropertyDefinition(
                self.identifier(n, "a property definition"), self.texts(n, "name"), n.get("type")
            )
            for n in nodes
        )

    def element(self, node: Node) -> Concept:
        kind = node.xsi_type
        if not kind:
            raise ExchangeError(f"{self.where(node)}: an element without xsi:type")
        return Concept(
            identifier=self.identifier(node, "an element"),
            type=_TYPES_21.get(kind, kind) if self.legacy else kind,
            names=self.texts(node, self.name_tag),
            documentation=self.texts(node, "documentation"),
            properties=self.properties(node),
            line=node.line,
        )

    def relationship(self, node: Node) -> Relationship:
        kind = node.xsi_type
        if not kind:
            raise ExchangeError(f"{self.where(node)}: a relationship without xsi:type")
        source, target = node.get("source"), node.get("target")
        if not source or not target:
            raise ExchangeError(f"{self.where(node)}: a relationship without source or target")
        directed = node.get("isDirected")
        # 3.x names an influence's strength "modifier"; 2.1 files in the wild write "influence"
        modifier = node.get("modifier") or node.get("influence")
        return Relationship(
            identifier=self.identifier(node, "a relationship"),
            type=self.relationship_type(kind),
            names=self.texts(node, self.name_tag),
            documentation=self.texts(node, "documentation"),
            properties=self.properties(node),
            line=node.line,
            source=source,
            target=target,
            access_type=node.get("accessType"),
            modifier=modifier,
            is_directed=None if directed is None else directed.strip().lower() == "true",
        )

    def relationship_type(self, kind: str) -> str:
        if not self.legacy:
            return kind
        kind = kind.removesuffix("Relationship")
        return _TYPES_21.get(kind, kind)

    def organizations(self) -> tuple[Folder, ...]:
        holder = self.root.first("organizations" if not self.legacy else "organization")
        if holder is None:
            return ()
        return tuple(self.folder(item) for item in holder.all("item"))

    def folder(self, node: Node) -> Folder:
        refs, folders = [], []
        for item in node.all("item"):
            ref = item.get("identifierRef") or item.get("identifierref")
            if ref:
                refs.append(ref)
            else:
                folders.append(self.folder(item))
        return Folder(
            self.texts(node, "label"),
            tuple(refs),
            tuple(folders),
            self.texts(node, "documentation"),
        )

    def views(self) -> tuple[View, ...]:
        holder = self.root.first("views")
        if holder is None:
            return ()
        diagrams = holder.first("diagrams")
        nodes = (diagrams if diagrams is not None else holder).all("view")
        return tuple(self.view(n) for n in nodes)

    def view(self, node: Node) -> View:
        elements: list[str] = []
        relationships: list[str] = []

        def walk(parent: Node) -> None:
            for child in parent.children:
                if child.local in ("node", "child"):
                    ref = child.get("elementRef") or child.get("elementref")
                    if ref and ref not in elements:
                        elements.append(ref)
                    walk(child)
                elif child.local in ("connection", "sourceconnection"):
                    ref = child.get("relationshipRef") or child.get("relationshipref")
                    if ref and ref not in relationships:
                        relationships.append(ref)

        walk(node)
        return View(
            identifier=self.identifier(node, "a view"),
            type=node.xsi_type,
            names=self.texts(node, self.name_tag),
            documentation=self.texts(node, "documentation"),
            properties=self.properties(node),
            elements=tuple(elements),
            relationships=tuple(relationships),
            line=node.line,
        )


def exchange_files(paths: Iterable[str | os.PathLike[str]]) -> list[Path]:
    """The ``.xml`` files among files and folders (folders searched recursively, sorted)."""
    found: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir():
            found += sorted(p for p in path.rglob("*.xml") if not p.name.startswith("."))
        else:
            found.append(path)
    return found


# --------------------------------------------------------------------------------------------
# Writing

_XSI = "http://www.w3.org/2001/XMLSchema-instance"
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_SCHEMA_LOCATION = f"{NS_3} http://www.opengroup.org/xsd/archimate/3.1/archimate3_Diagram.xsd"
_XSD = Path(__file__).parent / "xsd" / "3.1" / "archimate3_Diagram.xsd"
_NODE = (120, 55, 20)  # width, height and gap of a view's boxes, laid out in rows of six


def exchange_xml(model: ExchangeModel) -> bytes:
    """The model as an ArchiMate 3.1 exchange file (UTF-8), valid against the Open Group's XSD.

    Views show the same elements and relationships, laid out afresh in rows (the geometry of a
    file read earlier is not kept). An element with no name gets an empty one (the XSD requires
    a name; reading it back gives none).

    >>> model = read_exchange_text(exchange_xml(read_exchange_text(
    ...     '<model xmlns="http://www.opengroup.org/xsd/archimate/3.0/" '
    ...     'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" identifier="m">'
    ...     '<name>Shop</name><elements><element identifier="a" xsi:type="BusinessActor">'
    ...     '<name>Customer</name></element></elements></model>')).decode())
    >>> [(e.identifier, e.type, e.name) for e in model.elements]
    [('a', 'BusinessActor', 'Customer')]
    """
    import xml.etree.ElementTree as ET

    def q(local: str) -> str:
        return f"{{{NS_3}}}{local}"

    def texts(
        parent: ET.Element, tag: str, values: Iterable[Text], *, required: bool = False
    ) -> None:
        written = False
        for text in values:
            node = ET.SubElement(parent, q(tag))
            node.text = text.value
            if text.lang:
                node.set(_XML_LANG, text.lang)
            written = True
        if required and not written:
            ET.SubElement(parent, q(tag)).text = ""

    def properties(parent: ET.Element, props: Iterable[Property]) -> None:
        props = list(props)
        if not props:
            return
        holder = ET.SubElement(parent, q("properties"))
        for prop in props:
            node = ET.SubElement(holder, q("property"), {"propertyDefinitionRef": prop.definition})
            texts(node, "value", prop.values, required=True)

    root = ET.Element(
        q("model"),
        {"identifier": model.identifier or "model", f"{{{_XSI}}}schemaLocation": _SCHEMA_LOCATION},
    )
    texts(root, "name", model.names, required=True)
    texts(root, "documentation", model.documentation)
    properties(root, model.properties)
    if model.elements:
        holder = ET.SubElement(root, q("elements"))
        for element in model.elements:
            node = ET.SubElement(
                holder,
                q("element"),
                {"identifier": element.identifier, f"{{{_XSI}}}type": element.type},
            )
            texts(node, "name", element.names, required=True)
            texts(node, "documentation", element.documentation)
            properties(node, element.properties)
    if model.relationships:
        holder = ET.SubElement(root, q("relationships"))
        for rel in model.relationships:
            attributes = {
                "identifier": rel.identifier,
                "source": rel.source,
                "target": rel.target,
                f"{{{_XSI}}}type": rel.type,
            }
            if rel.access_type is not None:
                attributes["accessType"] = rel.access_type
            if rel.modifier is not None:
                attributes["modifier"] = rel.modifier
            if rel.is_directed is not None:
                attributes["isDirected"] = "true" if rel.is_directed else "false"
            node = ET.SubElement(holder, q("relationship"), attributes)
            texts(node, "name", rel.names)
            texts(node, "documentation", rel.documentation)
            properties(node, rel.properties)

    def folder(parent: ET.Element, item: Folder) -> None:
        node = ET.SubElement(parent, q("item"))
        texts(node, "label", item.labels)
        texts(node, "documentation", item.documentation)
        for inner in item.folders:
            folder(node, inner)
        for ref in item.refs:
            ET.SubElement(node, q("item"), {"identifierRef": ref})

    if model.organizations:
        holder = ET.SubElement(root, q("organizations"))
        for item in model.organizations:
            folder(holder, item)
    if model.property_definitions:
        holder = ET.SubElement(root, q("propertyDefinitions"))
        for definition in model.property_definitions:
            node = ET.SubElement(
                holder,
                q("propertyDefinition"),
                {"identifier": definition.identifier, "type": definition.type or "string"},
            )
            texts(node, "name", definition.names, required=True)
    if model.views:
        diagrams = ET.SubElement(ET.SubElement(root, q("views")), q("diagrams"))
        ends = {r.identifier: (r.source, r.target) for r in model.relationships}
        for view in model.views:
            node = ET.SubElement(
                diagrams,
                q("view"),
                {"identifier": view.identifier, f"{{{_XSI}}}type": view.type or "Diagram"},
            )
            texts(node, "name", view.names, required=True)
            texts(node, "documentation", view.documentation)
            properties(node, view.properties)
            boxes: dict[str, str] = {}
            width, height, gap = _NODE
            for n, ref in enumerate(view.elements):
                boxes[ref] = f"{view.identifier}-n{n + 1}"
                ET.SubElement(
                    node,
                    q("node"),
                    {
                        "identifier": boxes[ref],
                        "elementRef": ref,
                        f"{{{_XSI}}}type": "Element",
                        "x": str(gap + (n % 6) * (width + gap)),
                        "y": str(gap + (n // 6) * (height + gap * 2)),
                        "w": str(width),
                        "h": str(height),
                    },
                )
            lines = {ref: f"{view.identifier}-c{n + 1}" for n, ref in enumerate(view.relationships)}
            drawn: set[str] = set()
            pending = list(view.relationships)
            while pending:  # a connection to a connection comes after the one it ends on
                waiting = []
                for ref in pending:
                    source, target = ends.get(ref, ("", ""))
                    ends_at = [
                        boxes.get(e) or (lines[e] if e in drawn else None) for e in (source, target)
                    ]
                    if None in ends_at:
                        waiting.append(ref)
                        continue
                    ET.SubElement(
                        node,
                        q("connection"),
                        {
                            "identifier": lines[ref],
                            "relationshipRef": ref,
                            f"{{{_XSI}}}type": "Relationship",
                            "source": str(ends_at[0]),
                            "target": str(ends_at[1]),
                        },
                    )
                    drawn.add(ref)
                if len(waiting) == len(pending):
                    break  # an end the view does not show: the relationship cannot be drawn
                pending = waiting
    ET.register_namespace("", NS_3)
    ET.register_namespace("xsi", _XSI)
    ET.indent(root, space="  ")
    data: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return data + b"\n"


def write_exchange(model: ExchangeModel, path: str | os.PathLike[str]) -> Path:
    """Write :func:`exchange_xml` of the model to ``path`` (replacing it whole)."""
    target = Path(path)
    data = exchange_xml(model)
    partial = target.with_name(target.name + ".partial")
    partial.write_bytes(data)
    partial.replace(target)
    return target


@cache
def _schema() -> object:
    from lxml import etree

    class Local(etree.Resolver):  # type: ignore[misc]
        """Reads the schema's parts from the package, never from the network."""

        def resolve(self, url, pubid, context):  # type: ignore[no-untyped-def]
            if url and url.startswith("http://www.w3.org/2001/xml.xsd"):
                return self.resolve_filename(str(_XSD.parent.parent / "xml.xsd"), context)
            return None

    parser = etree.XMLParser(no_network=True, resolve_entities=False)
    parser.resolvers.add(Local())
    return etree.XMLSchema(etree.parse(str(_XSD), parser))


def schema_errors(data: bytes, *, limit: int = 20) -> list[str]:
    """What makes an exchange file invalid against the Open Group's 3.1 XSD (shipped with the
    package and read without the network, with lxml); an empty list when it is valid.

    >>> errors = schema_errors(b'<model xmlns="http://www.opengroup.org/xsd/archimate/3.0/"/>')
    >>> errors[0].endswith("The attribute 'identifier' is required but missing.")
    True
    """
    from lxml import etree

    schema = _schema()
    try:
        document = etree.fromstring(
            data, etree.XMLParser(no_network=True, resolve_entities=False, huge_tree=False)
        )
    except etree.XMLSyntaxError as exc:
        return [f"not well-formed XML: {exc}"]
    if schema.validate(document):  # type: ignore[attr-defined]
        return []
    return [
        f"line {e.line}: {e.message}"
        for e in list(schema.error_log)[:limit]  # type: ignore[attr-defined]
    ]
