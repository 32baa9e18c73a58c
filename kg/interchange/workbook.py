"""A business model as a spreadsheet workbook (``.xlsx``) or a folder of CSV files, both ways.

The workbook is generated from the ontology, never from a hand-kept list, so that a new class or
property of the ontology appears in the next template by itself:

- ``read-me`` first: what each sheet is, how to fill it in, how references work, the version of
  the ontology and the **namespace** short identifiers stand for;
- one sheet per ``bm:`` class (the classes of the controlled vocabularies excepted), named after
  its label, in the ontology's order;
- ``statements``: everything no column holds (see below);
- ``lists`` (hidden): the concepts of each SKOS vocabulary, which the drop-down lists read.

**Columns.** Row 1 holds the headers a person reads, row 2 the compact IRIs the import reads
(rows 1 and 2 are the header; data starts in row 3). A header typed in row 1 alone is read too.

- Column A, *Identifier*: the node's short identifier (the IRI is the namespace followed by it),
  a compact IRI (``bmv:Live``) or a full IRI (``https://...``). Its row-2 cell names the sheet's
  class (``bm:CustomerSegment``). Left empty, the identifier is made from the label.
- ``rdfs:label@en``, ``dcterms:description@en``: the label and description in English; add a
  column ``rdfs:label@de`` (or a header ``Label@de``) for German, and so on. One value per cell.
- One column per property whose ``rdfs:domain`` or ``schema:domainIncludes`` is the class or one
  of its superclasses (or that has no domain), typed by its range: whole numbers, decimal numbers
  (an amount sits beside its ``currency``, a code such as ``CHF``, as the ontology models money),
  dates, true/false, text, a **drop-down** of a vocabulary's concepts, or references to other
  rows.
- Other columns, named by compact IRI in row 2: ``p`` for a property of the ontology (typed as
  there) or references to other nodes (``skos:broader``), ``p@de`` for text in a language,
  ``p^^xsd:date`` for values of a datatype (``p^^xsd:string``: text without a language).

**Several values** in one cell go one per line (:data:`SEPARATOR`, Alt+Enter in Excel), except
in label and description columns, where the cell is one text.

**References** name another row by its identifier or by its label (in any language of the label
columns, case ignored); a label that several rows carry is narrowed to the rows of the
property's range, and is an error if still ambiguous. Nodes outside the workbook are named by
compact or full IRI.

**Statements** (subject, predicate, object, object type) hold what no column can: a property on a
node outside its domain with values a column cannot type, a second English label, a node of no
sheet's class, a literal with a line break in a multi-valued column. Object type is
``reference``, ``text``, ``@de`` (a language) or a datatype (``xsd:date``). The export reads
every cell back as the import will (as the workbook's value and as the CSV file's text) and
puts a value that would not come back as it was in the statements instead; numbers with more
digits than Excel keeps and dates before 1900 are written as text. So an export is lossless:
reading it back gives the same graph, apart from the provenance every import adds (each row's
node ``prov:wasDerivedFrom`` the file, with its identifier as ``dcterms:identifier``).

Excel checks what is typed where it can (data validation): a drop-down for a vocabulary, whole
numbers, numbers, dates, TRUE/FALSE; a column that takes several values only warns.

Reading refuses, with a :class:`WorkbookError` that names the file, sheet, row and column, and
having made nothing: an unknown column header (with the closest known one), a formula (its
cached value is whatever the program that saved it computed, not necessarily what the cell
shows), a value outside a drop-down's vocabulary, text in a number, date or true/false column, a
reference to an unknown or ambiguous label, an identifier used twice, a file that is not an
``.xlsx`` workbook, one larger than the limits (checked before it is unpacked; the cells are
then read in openpyxl's read-only mode), an empty one. The mistakes of all cells are listed
at once.

**The CSV folder** is the workbook as one UTF-8 file per sheet with rows (``Customer
segment.csv``, the same two header rows and columns), ``statements.csv`` and ``README.txt``
(the read-me; its ``Namespace:`` line is read back).

>>> import tempfile
>>> from kg.interchange.importer import without_provenance
>>> families = URIRef("https://example.org/shop/seg-families")
>>> graph = rdflib.Graph()
>>> graph += [
...     (families, RDF.type, BM.CustomerSegment),
...     (families, RDFS.label, RDFLiteral("Young families", lang="en")),
...     (families, BM.segmentSize, RDFLiteral(1200)),
... ]
>>> with tempfile.TemporaryDirectory() as folder:
...     write_csv_folder(graph, Path(folder) / "shop")
...     back = read_csv_folder(Path(folder) / "shop")
>>> back.iris
{'seg-families': rdflib.term.URIRef('https://example.org/shop/seg-families')}
>>> set(without_provenance(back.graph)) == set(graph)
True
"""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import io
import os
import re
import tempfile
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from typing import Any, Literal
from urllib.parse import quote

import rdflib
from rdflib.namespace import (
    DCTERMS,
    ORG,
    OWL,
    PROV,
    RDF,
    RDFS,
    SH,
    SKOS,
    XSD,
    DefinedNamespaceMeta,
)
from rdflib.term import Literal as RDFLiteral
from rdflib.term import Node, URIRef

from kg.errors import KGError
from kg.interchange.importer import ImportResult, Origin
from kg.ontology import ONTOLOGY_IRI, ontology_graph, ontology_path, shapes_graph
from kg.vocab import BM, STANDARD_PREFIXES

__all__ = [
    "LANGUAGE",
    "MAX_CELLS",
    "MAX_FILE_BYTES",
    "MAX_PROBLEMS",
    "MAX_UNPACKED_BYTES",
    "SEPARATOR",
    "WorkbookError",
    "read_csv_folder",
    "read_workbook",
    "write_csv_folder",
    "write_template",
]

SEPARATOR = "\n"
"""Between the values of a multi-valued cell: one value per line."""
LANGUAGE = "en"
"""The language of the label and description columns a template starts with."""
MAX_FILE_BYTES = 50_000_000
"""The largest workbook or CSV file read, in bytes."""
MAX_UNPACKED_BYTES = 250_000_000
"""The most a workbook may unpack to (an ``.xlsx`` is a zip archive), in bytes."""
MAX_CELLS = 5_000_000
"""The most cells read from one file."""
MAX_PROBLEMS = 50
"""The most mistakes one :class:`WorkbookError` lists; reading stops there."""

README = "read-me"
STATEMENTS = "statements"
LISTS = "lists"
_SCHEMA = rdflib.Namespace("https://schema.org/")
_WHOLE = frozenset({RDFS.label, DCTERMS.description})
_STATEMENT_KEYS = ("subject", "predicate", "object", "object type")
_DATE_FORMAT = "yyyy-mm-dd"
_CELL_LIMIT = 32_767  # characters in one cell, Excel's limit
_SCHEME = re.compile(r"^(?:[A-Za-z][A-Za-z0-9+.-]*://|urn:)")
_CHECKED: dict[str, DefinedNamespaceMeta] = {
    str(ns._NS): ns for ns in (DCTERMS, ORG, OWL, PROV, RDF, RDFS, SH, SKOS, XSD)
}

_Kind = Literal["text", "integer", "decimal", "boolean", "date", "typed", "reference", "concept"]


class WorkbookError(KGError):
    """A workbook or CSV folder that cannot be read (or written) as a business model.

    ``str()`` names the file, then the sheet, row and column when they are known. The cells of
    a workbook are all read before it is refused: ``more`` holds the mistakes after the first
    (up to :data:`MAX_PROBLEMS` in all), and ``str()`` lists them one a line.
    """

    def __init__(
        self,
        message: str,
        *,
        path: str | os.PathLike[str],
        sheet: str | None = None,
        row: int | None = None,
        column: str | None = None,
        more: tuple[WorkbookError, ...] = (),
    ) -> None:
        self.path = Path(path)
        self.message = message
        self.sheet = sheet
        self.row = row
        self.column = column
        self.more = more
        super().__init__(str(self))

    def __str__(self) -> str:
        where = [str(self.path)]
        if self.sheet is not None:
            where.append(f"sheet {self.sheet!r}")
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column {self.column}")
        text = f"{', '.join(where)}: {self.message}"
        if self.more:
            stopped = len(self.more) + 1 >= MAX_PROBLEMS
            text += f"\nand {len(self.more)} more{' (reading stopped there)' if stopped else ''}:"
            text += "".join(f"\n{problem}" for problem in self.more)
        return text


# --------------------------------------------------------------------------------------------
# The plan: sheets and columns, from the ontology
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Column:
    """One column of a sheet: what its row-2 key means and how its cells are read."""

    key: str
    header: str
    predicate: URIRef
    kind: _Kind
    datatype: URIRef | None = None
    language: str | None = None
    range: frozenset[URIRef] = frozenset()
    single: bool = False
    required: bool = False
    note: str = ""

    @property
    def whole(self) -> bool:
        """Whether a cell is one value (labels and descriptions), not one per line."""
        return self.predicate in _WHOLE and self.kind == "text"


@dataclass(frozen=True)
class _Sheet:
    """A sheet for the members of one class."""

    title: str
    cls: URIRef
    columns: tuple[_Column, ...]
    note: str = ""

    def column(self, key: str) -> _Column | None:
        for column in self.columns:
            if column.key == key:
                return column
        return None


def _compact(iri: URIRef | str) -> str:
    text = str(iri)
    best = ""
    for prefix, namespace in STANDARD_PREFIXES.items():
        if text.startswith(namespace) and len(namespace) > len(STANDARD_PREFIXES.get(best, "")):
            rest = text[len(namespace) :]
            if rest and re.fullmatch(r"[A-Za-z_][\w.-]*", rest):
                best = prefix
    return f"{best}:{text[len(STANDARD_PREFIXES[best]) :]}" if best else f"<{text}>"


def _expand(text: str) -> URIRef | None:
    """A compact IRI (known prefix) or ``<iri>`` as an IRI, else ``None``."""
    if text.startswith("<") and text.endswith(">") and len(text) > 2:
        return URIRef(text[1:-1])
    prefix, colon, rest = text.partition(":")
    if colon and prefix in STANDARD_PREFIXES and rest and " " not in rest:
        return URIRef(STANDARD_PREFIXES[prefix] + rest)
    return None


def _label(graph: rdflib.Graph, node: Node) -> str:
    labels = [
        *graph.objects(node, SKOS.prefLabel),
        *graph.objects(node, RDFS.label),
    ]
    for label in labels:
        if isinstance(label, RDFLiteral) and label.language == LANGUAGE:
            return str(label)
    return str(labels[0]) if labels else _compact(URIRef(str(node)))


def _definition(graph: rdflib.Graph, node: Node) -> str:
    for text in graph.objects(node, SKOS.definition):
        return str(text)
    return ""


@dataclass(frozen=True)
class _Ontology:
    sheets: tuple[_Sheet, ...]
    concepts: dict[frozenset[URIRef], tuple[tuple[URIRef, str], ...]]
    properties: dict[URIRef, _Column]
    superclasses: dict[URIRef, frozenset[URIRef]]
    version: str

    def sheet_for(self, cls: URIRef) -> _Sheet | None:
        for sheet in self.sheets:
            if sheet.cls == cls:
                return sheet
        return None


def _sheet_title(label: str, taken: set[str]) -> str:
    title = re.sub(r"[\[\]:*?/\\]", "-", label).strip("' ")[:31] or "Sheet"
    base, n = title, 2
    while title.casefold() in taken:
        suffix = f" {n}"
        title = base[: 31 - len(suffix)] + suffix
        n += 1
    taken.add(title.casefold())
    return title


@cache
def _ontology() -> _Ontology:
    graph = ontology_graph()
    concept_classes = {
        c
        for c in graph.subjects(RDF.type, OWL.Class)
        if isinstance(c, URIRef)
        and (c, RDFS.subClassOf, SKOS.Concept) in graph
        and str(c).startswith(STANDARD_PREFIXES["bmv"])
    }
    classes = [
        c
        for c in graph.subjects(RDF.type, OWL.Class)
        if isinstance(c, URIRef) and str(c).startswith(str(BM._NS))
    ]
    superclasses = {
        c: frozenset(
            {c, *(s for s in graph.transitive_objects(c, RDFS.subClassOf) if isinstance(s, URIRef))}
        )
        for c in {*classes, *concept_classes}
    }
    # The ontology's own order (its sections: customers, offer, reach ...), as the file has it.
    text = ontology_path().read_text(encoding="utf-8")
    order = {
        str(BM._NS) + m.group(1): m.start()
        for m in re.finditer(r"^bm:(\w+)\s+a\s+owl:Class", text, re.MULTILINE)
    }
    classes.sort(key=lambda c: (order.get(str(c), len(text)), str(c)))

    concepts: dict[frozenset[URIRef], tuple[tuple[URIRef, str], ...]] = {}

    def concept_list(ranges: frozenset[URIRef]) -> None:
        if ranges not in concepts:
            members = {
                m for r in ranges for m in graph.subjects(RDF.type, r) if isinstance(m, URIRef)
            }
            concepts[ranges] = tuple(
                sorted(((m, _label(graph, m)) for m in members), key=lambda m: str(m[0]))
            )

    single, required = _cardinalities(superclasses)
    properties: dict[URIRef, _Column] = {}
    domains: dict[URIRef, frozenset[URIRef]] = {}
    for kind in (OWL.DatatypeProperty, OWL.ObjectProperty):
        for prop in graph.subjects(RDF.type, kind):
            if not isinstance(prop, URIRef) or not str(prop).startswith(str(BM._NS)):
                continue
            domains[prop] = frozenset(
                d
                for p in (RDFS.domain, _SCHEMA.domainIncludes)
                for d in graph.objects(prop, p)
                if isinstance(d, URIRef)
            )
            ranges = frozenset(
                r
                for p in (RDFS.range, _SCHEMA.rangeIncludes)
                for r in graph.objects(prop, p)
                if isinstance(r, URIRef)
            )
            column = _ontology_column(prop, kind, ranges, concept_classes, graph)
            if column.kind == "concept":
                concept_list(column.range)
            properties[prop] = column

    sheets = []
    taken = {README, STATEMENTS, LISTS}
    for cls in classes:
        if cls in concept_classes:
            continue
        supers = superclasses[cls]
        columns = [
            _Column("", "Identifier", RDF.type, "reference"),
            _Column(f"rdfs:label@{LANGUAGE}", "Label", RDFS.label, "text", language=LANGUAGE),
            _Column(
                f"dcterms:description@{LANGUAGE}",
                "Description",
                DCTERMS.description,
                "text",
                language=LANGUAGE,
            ),
        ]
        own = sorted(
            (p for p, d in domains.items() if not d or d & supers),
            key=lambda p: (properties[p].kind in ("reference", "concept"), properties[p].header),
        )
        for prop in own:
            column = properties[prop]
            columns.append(
                _Column(
                    column.key,
                    column.header,
                    prop,
                    column.kind,
                    column.datatype,
                    None,
                    column.range,
                    single=any((s, prop) in single for s in supers),
                    required=any((s, prop) in required for s in supers),
                    note=column.note,
                )
            )
        columns[0] = _Column(_compact(cls), "Identifier", RDF.type, "reference")
        sheets.append(
            _Sheet(
                _sheet_title(_label(graph, cls), taken),
                cls,
                tuple(columns),
                _definition(graph, cls),
            )
        )
    version = next((str(v) for v in graph.objects(ONTOLOGY_IRI, OWL.versionInfo)), "")
    return _Ontology(tuple(sheets), concepts, properties, superclasses, version)


def _ontology_column(
    prop: URIRef,
    kind: URIRef,
    ranges: frozenset[URIRef],
    concept_classes: set[URIRef],
    graph: rdflib.Graph,
) -> _Column:
    label = _label(graph, prop)
    key, header, note = _compact(prop), label[:1].upper() + label[1:], _definition(graph, prop)
    if kind == OWL.ObjectProperty:
        if ranges and ranges <= concept_classes:
            return _Column(key, header, prop, "concept", range=ranges, note=note)
        return _Column(key, header, prop, "reference", range=ranges, note=note)
    datatype = next(iter(sorted(ranges)), XSD.string)
    return _Column(key, header, prop, *_literal_kind(datatype), note=note)


def _literal_kind(datatype: URIRef) -> tuple[_Kind, URIRef | None]:
    if datatype in (XSD.string, RDF.PlainLiteral):
        return "text", None
    found: dict[URIRef, _Kind] = {
        XSD.integer: "integer",
        XSD.decimal: "decimal",
        XSD.boolean: "boolean",
        XSD.date: "date",
    }
    return found.get(datatype, "typed"), datatype


def _cardinalities(
    superclasses: dict[URIRef, frozenset[URIRef]],
) -> tuple[set[tuple[URIRef, URIRef]], set[tuple[URIRef, URIRef]]]:
    """The (class, property) pairs the shapes allow one value of, and those they require."""
    shapes = shapes_graph()
    single: set[tuple[URIRef, URIRef]] = set()
    required: set[tuple[URIRef, URIRef]] = set()
    for shape, cls in shapes.subject_objects(SH.targetClass):
        if not isinstance(cls, URIRef):
            continue
        for prop_shape in shapes.objects(shape, SH.property):
            path = shapes.value(prop_shape, SH.path)
            if not isinstance(path, URIRef):
                continue
            if any(str(v) == "1" for v in shapes.objects(prop_shape, SH.maxCount)):
                single.add((cls, path))
            if any(str(v) not in ("", "0") for v in shapes.objects(prop_shape, SH.minCount)):
                required.add((cls, path))
    return single, required


def _extra_column(key: str, sheet: _Sheet | None) -> _Column | None:
    """The column a row-2 key outside the sheet's own columns names, or ``None``."""
    base, at, language = key.partition("@")
    if not at:
        base, hats, datatype_text = key.partition("^^")
    else:
        hats, datatype_text = "", ""
    predicate = _expand(base.strip())
    if predicate is None or not _known_term(predicate):
        return None
    header = {RDFS.label: "Label", DCTERMS.description: "Description"}.get(predicate) or (
        _label(ontology_graph(), predicate)
        if (predicate, None, None) in ontology_graph()
        else base.strip()
    )
    if at:
        if not re.fullmatch(r"[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*", language):
            return None
        return _Column(key, f"{header}@{language}", predicate, "text", language=language)
    if hats:
        datatype = _expand(datatype_text.strip())
        if datatype is None:
            return None
        return _Column(key, f"{header} ({datatype_text})", predicate, *_literal_kind(datatype))
    known = _ontology().properties.get(predicate)
    if known is not None:
        return _Column(key, known.header, predicate, known.kind, known.datatype, None, known.range)
    return _Column(key, header, predicate, "reference")


def _known_term(iri: URIRef) -> bool:
    text = str(iri)
    if text.startswith(str(BM._NS)) or text.startswith(STANDARD_PREFIXES["bmv"]):
        return (iri, None, None) in ontology_graph()
    for namespace, defined in _CHECKED.items():
        if text.startswith(namespace):
            return iri in defined
    return True


# --------------------------------------------------------------------------------------------
# Cells
# --------------------------------------------------------------------------------------------


@dataclass
class _Where:
    path: Path
    sheet: str
    row: int | None = None
    column: str | None = None

    def error(self, message: str) -> WorkbookError:
        return WorkbookError(
            message, path=self.path, sheet=self.sheet, row=self.row, column=self.column
        )


@dataclass
class _Index:
    """Who the rows are: identifiers and labels, for references."""

    namespace: str
    ids: dict[str, URIRef] = field(default_factory=dict)
    labels: dict[str, set[URIRef]] = field(default_factory=dict)
    classes: dict[URIRef, URIRef] = field(default_factory=dict)
    names: dict[URIRef, str] = field(default_factory=dict)
    labels_of: dict[URIRef, list[str]] = field(default_factory=dict)

    def add_label(self, node: URIRef, label: str) -> None:
        """Let references name ``node`` by ``label``: a label a reference cell can hold
        as it is (neither blank, nor padded, nor of several lines)."""
        if label and label == label.strip() and SEPARATOR not in label:
            self.labels.setdefault(label.casefold(), set()).add(node)
            self.labels_of.setdefault(node, []).append(label)

    def node(self, identifier: str) -> URIRef:
        """The IRI an identifier cell stands for."""
        if _SCHEME.match(identifier):
            return URIRef(identifier)
        expanded = _expand(identifier)
        if expanded is not None:
            return expanded
        return URIRef(self.namespace + quote(identifier, safe="-._~"))

    def short(self, node: URIRef) -> str:
        """The identifier to write for a node: short when the namespace allows."""
        text = str(node)
        if text.startswith(self.namespace):
            rest = text[len(self.namespace) :]
            if rest and quote(rest, safe="-._~") == rest and _expand(rest) is None:
                return rest
        compact = _compact(node)
        return compact if not compact.startswith("<") else text

    def resolve(self, text: str, ranges: frozenset[URIRef], where: _Where) -> URIRef:
        if text in self.ids:
            return self.ids[text]
        if _SCHEME.match(text):
            return URIRef(text)
        expanded = _expand(text)
        if expanded is not None:
            return expanded
        found = self.labels.get(text.casefold(), set())
        if ranges and len(found) > 1:
            fitting = {
                n
                for n in found
                if _ontology().superclasses.get(self.classes[n], frozenset()) & ranges
            }
            found = fitting or found
        if len(found) == 1:
            return next(iter(found))
        if found:
            names = ", ".join(sorted(self.names[n] for n in found))
            raise where.error(
                f"the label {text!r} is ambiguous: rows {names} carry it; "
                "write the identifier instead"
            )
        known = [*self.ids, *(label for labels in self.labels_of.values() for label in labels)]
        close = difflib.get_close_matches(text, known, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise where.error(f"no row has the identifier or label {text!r}{hint}")


def _decimals(number_format: str | None) -> int:
    match = re.search(r"\.(0+)", number_format or "")
    return len(match.group(1)) if match else 0


def _parts(value: object, column: _Column) -> list[object]:
    if value is None:
        return []
    if isinstance(value, str):
        if column.whole:
            return [value] if value.strip() else []
        return [p.strip() for p in value.split(SEPARATOR) if p.strip()]
    return [value]


def _parse(
    value: object,
    number_format: str | None,
    column: _Column,
    index: _Index,
    where: _Where,
) -> list[Node]:
    """The RDF terms a cell holds."""
    found: list[Node] = []
    for part in _parts(value, column):
        found.append(_term(part, number_format, column, index, where))
    return found


def _term(
    part: object, number_format: str | None, column: _Column, index: _Index, where: _Where
) -> Node:
    kind = column.kind
    if kind == "reference":
        return index.resolve(_text(part), column.range, where)
    if kind == "concept":
        return _concept(_text(part), column, where)
    if kind == "integer":
        return RDFLiteral(_integer(part, where), datatype=XSD.integer)
    if kind == "decimal":
        return RDFLiteral(_decimal(part, number_format, where), datatype=XSD.decimal)
    if kind == "boolean":
        if isinstance(part, bool):
            return RDFLiteral("true" if part else "false", datatype=XSD.boolean)
        if isinstance(part, str) and part.strip().casefold() in ("true", "false"):
            return RDFLiteral(part.strip().casefold(), datatype=XSD.boolean)
        raise where.error(f"{part!r} is not true or false")
    if kind == "date":
        return RDFLiteral(_date(part, where), datatype=XSD.date)
    text = _text(part)
    if kind == "typed":
        return RDFLiteral(text, datatype=column.datatype)
    return RDFLiteral(text, lang=column.language) if column.language else RDFLiteral(text)


def _text(part: object) -> str:
    if isinstance(part, str):
        return part
    if isinstance(part, bool):
        return "true" if part else "false"
    if isinstance(part, dt.datetime):
        return part.date().isoformat() if part.time() == dt.time() else part.isoformat()
    if isinstance(part, dt.date):
        return part.isoformat()
    if isinstance(part, float):
        return repr(part)
    return str(part)


def _integer(part: object, where: _Where) -> str:
    if isinstance(part, int) and not isinstance(part, bool):
        return str(part)
    if isinstance(part, float) and part.is_integer():
        return str(int(part))
    if isinstance(part, str) and re.fullmatch(r"[+-]?\d+", part.strip()):
        return part.strip()
    raise where.error(f"{_text(part)!r} is not a whole number")


def _decimal(part: object, number_format: str | None, where: _Where) -> str:
    if isinstance(part, bool) or not isinstance(part, (int, float, str)):
        raise where.error(f"{_text(part)!r} is not a number")
    if isinstance(part, str):
        text = part.strip()
        if not re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)", text):
            raise where.error(f"{part!r} is not a number (write digits, a point for decimals)")
        return text
    try:
        number = Decimal(repr(part)) if isinstance(part, float) else Decimal(part)
    except InvalidOperation as exc:  # pragma: no cover - repr of a float is always a decimal
        raise where.error(f"{part!r} is not a number") from exc
    if not number.is_finite():
        raise where.error(f"{part!r} is not a number")
    exponent = number.as_tuple().exponent
    places = max(-exponent if isinstance(exponent, int) else 0, _decimals(number_format))
    return f"{number:.{places}f}"


def _date(part: object, where: _Where) -> str:
    if isinstance(part, dt.datetime):
        if part.time() != dt.time():
            raise where.error(f"{part.isoformat()} has a time of day; give a date only")
        return part.date().isoformat()
    if isinstance(part, dt.date):
        return part.isoformat()
    if isinstance(part, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", part.strip()):
        try:
            return dt.date.fromisoformat(part.strip()).isoformat()
        except ValueError:
            pass
    raise where.error(f"{_text(part)!r} is not a date (write it as a date, or as YYYY-MM-DD)")


def _concept(text: str, column: _Column, where: _Where) -> URIRef:
    choices = _ontology().concepts[column.range]
    for iri, label in choices:
        if text.casefold() == label.casefold() or text in (str(iri), _compact(iri)):
            return iri
    labels = [label for _, label in choices]
    close = difflib.get_close_matches(text, labels, n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    raise where.error(
        f"{text!r} is not in the list of {column.header}{hint}; choose one of: {', '.join(labels)}"
    )


# --------------------------------------------------------------------------------------------
# Export: a graph as tables
# --------------------------------------------------------------------------------------------


@dataclass
class _Cell:
    text: str
    value: object
    number_format: str | None = None


@dataclass
class _Table:
    sheet: _Sheet
    columns: list[_Column]
    rows: list[dict[str, _Cell]] = field(default_factory=list)


def _namespace_of(graph: rdflib.Graph) -> str:
    counts: dict[str, int] = {}
    for subject in graph.subjects(RDF.type, None):
        if isinstance(subject, URIRef):
            match = re.match(r"^(.*[/#:])[^/#:]*$", str(subject))
            if match:
                counts[match.group(1)] = counts.get(match.group(1), 0) + 1
    return max(sorted(counts), key=lambda ns: counts[ns]) if counts else "urn:bmkg:workbook:"


def _as_read(value: object) -> object:
    """A cell value as openpyxl gives it back after a save."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return dt.datetime(value.year, value.month, value.day)
    return value


def _render(terms: list[Node], column: _Column, index: _Index) -> _Cell:
    texts: list[str] = []
    for term in terms:
        if isinstance(term, URIRef) and column.kind == "concept":
            texts.append(_concept_label(term, column))
        elif isinstance(term, URIRef):
            texts.append(_reference_text(term, column.range, index))
        else:
            texts.append(str(term))
    text = SEPARATOR.join(texts)
    if len(terms) != 1 or not isinstance(terms[0], RDFLiteral):
        return _Cell(text, text)
    lexical = texts[0]
    digits = len(re.sub(r"\D", "", lexical.lstrip("-0.")))
    if column.kind == "integer" and re.fullmatch(r"-?\d+", lexical) and digits <= 15:
        return _Cell(text, int(lexical))
    if column.kind == "decimal" and re.fullmatch(r"-?\d+(\.\d+)?", lexical) and digits <= 15:
        places = len(lexical.partition(".")[2])
        return _Cell(text, float(lexical), "0." + "0" * places if places else "0")
    if column.kind == "boolean" and lexical in ("true", "false"):
        return _Cell(text, lexical == "true")
    if column.kind == "date" and re.fullmatch(r"(19|[2-9]\d)\d{2}-\d{2}-\d{2}", lexical):
        try:
            return _Cell(text, dt.date.fromisoformat(lexical), _DATE_FORMAT)
        except ValueError:
            return _Cell(text, text)
    return _Cell(text, text)


def _concept_label(term: URIRef, column: _Column) -> str:
    for iri, label in _ontology().concepts.get(column.range, ()):
        if iri == term:
            return label
    return _compact(term)


def _reference_text(node: URIRef, ranges: frozenset[URIRef], index: _Index) -> str:
    where = _Where(Path("."), "")
    if node not in index.names:
        compact = _compact(node)
        return compact if not compact.startswith("<") else str(node)
    for label in index.labels_of.get(node, [])[:1]:
        try:
            if index.resolve(label, ranges, where) == node:
                return label
        except WorkbookError:
            pass
    return index.short(node)


def _round_trips(cell: _Cell, terms: list[Node], column: _Column, index: _Index) -> bool:
    where = _Where(Path("."), "")
    try:
        as_xlsx = _parse(_as_read(cell.value), cell.number_format, column, index, where)
        as_csv = _parse(cell.text, None, column, index, where)
    except WorkbookError:
        return False
    expected = set(terms)
    return all(len(found) == len(terms) and set(found) == expected for found in (as_xlsx, as_csv))


def _tables(
    graph: rdflib.Graph, namespace: str | None
) -> tuple[list[_Table], list[tuple[str, str, str, str]], str]:
    """The graph as one table per sheet, and the statements no column holds."""
    ontology = _ontology()
    namespace = namespace or _namespace_of(graph)
    index = _Index(namespace)
    sheet_of: dict[URIRef, _Sheet] = {}
    for sheet in ontology.sheets:
        for node in _ordered(graph.subjects(RDF.type, sheet.cls)):
            if isinstance(node, URIRef) and node not in sheet_of:
                sheet_of[node] = sheet
    # Who is who, as the import will see it: identifiers, then labels of the label columns.
    for node, sheet in sheet_of.items():
        identifier = index.short(node)
        index.ids[identifier] = node
        index.classes[node] = sheet.cls
        index.names[node] = identifier
        by_language: dict[str | None, list[str]] = {}
        for label in graph.objects(node, RDFS.label):
            if isinstance(label, RDFLiteral) and label.datatype is None:
                by_language.setdefault(label.language, []).append(str(label))
        ordered = sorted(by_language.items(), key=lambda i: (i[0] != LANGUAGE, i[0] or ""))
        for _, texts in ordered:
            if len(texts) == 1:  # one label of a language: it has a column
                index.add_label(node, texts[0])

    tables = {sheet.cls: _Table(sheet, list(sheet.columns)) for sheet in ontology.sheets}
    statements: list[tuple[str, str, str, str]] = []

    def keep(subject: URIRef | Node, predicate: URIRef, obj: Node) -> None:
        subject_text = (
            _reference_text(subject, frozenset(), index)
            if isinstance(subject, URIRef)
            else str(subject)
        )
        if isinstance(obj, URIRef):
            statements.append(
                (
                    subject_text,
                    _compact(predicate),
                    _reference_text(obj, frozenset(), index),
                    "reference",
                )
            )
        elif isinstance(obj, RDFLiteral):
            kind = (
                f"@{obj.language}"
                if obj.language
                else (_compact(obj.datatype) if obj.datatype else "text")
            )
            statements.append((subject_text, _compact(predicate), str(obj), kind))

    for subject in _ordered(set(graph.subjects())):
        found = sheet_of.get(subject) if isinstance(subject, URIRef) else None
        if found is None or not isinstance(subject, URIRef):
            pairs = graph.predicate_objects(subject)
            for predicate, obj in sorted(pairs, key=lambda po: (str(po[0]), _key(po[1]))):
                keep(subject, URIRef(str(predicate)), obj)
            continue
        sheet = found
        table = tables[sheet.cls]
        row: dict[str, _Cell] = {
            sheet.columns[0].key: _Cell(index.names[subject], index.names[subject])
        }
        grouped: dict[URIRef, list[Node]] = {}
        for predicate, obj in graph.predicate_objects(subject):
            grouped.setdefault(URIRef(str(predicate)), []).append(obj)
        for predicate, objects in sorted(grouped.items()):
            if predicate == RDF.type:
                objects = [o for o in objects if o != sheet.cls]
                for obj in _ordered(objects):
                    keep(subject, predicate, obj)
                continue
            for column, terms in _assign(predicate, objects, sheet, table):
                if column is None:
                    for obj in _ordered(terms):
                        keep(subject, predicate, obj)
                    continue
                cell = _render(_ordered(terms), column, index)
                if column.key in row or not _round_trips(cell, terms, column, index):
                    for obj in _ordered(terms):
                        keep(subject, predicate, obj)
                    continue
                if column not in table.columns:
                    table.columns.append(column)
                row[column.key] = cell
        table.rows.append(row)
    for table in tables.values():
        fixed = list(table.sheet.columns)
        extra = [c for c in table.columns if c not in fixed]
        labels = sorted(
            (c for c in extra if c.predicate in _WHOLE and c.language),
            key=lambda c: (c.predicate != RDFS.label, c.key),
        )
        others = sorted((c for c in extra if c not in labels), key=lambda c: c.key)
        table.columns = [*fixed[:3], *labels, *fixed[3:], *others]
    return [tables[s.cls] for s in ontology.sheets], statements, namespace


def _ordered(terms: Iterable[Node]) -> list[Node]:
    """Terms in a stable order (statements sheet rows come out alike each time)."""
    return sorted(terms, key=_key)


def _key(term: Node) -> tuple[str, str, str]:
    return type(term).__name__, str(term), repr(term)


def _assign(
    predicate: URIRef, objects: list[Node], sheet: _Sheet, table: _Table
) -> Iterator[tuple[_Column | None, list[Node]]]:
    """Which column each group of a node's values for one predicate goes to."""
    own = next((c for c in sheet.columns if c.predicate == predicate and c.key), None)
    if own is None or own.predicate in _WHOLE:
        own = None
    if own is None and predicate not in _WHOLE:
        bare = (
            _extra_column(_compact(predicate), sheet)
            if not _compact(predicate).startswith("<")
            else None
        )
        if bare is not None and bare.kind in ("reference", "concept"):
            refs: list[Node] = [o for o in objects if isinstance(o, URIRef)]
            rest = [o for o in objects if not isinstance(o, URIRef)]
            if refs:
                yield bare, refs
            objects = rest
            own = None
        elif bare is not None:
            own = bare
    if own is not None:
        fits = [o for o in objects if _fits(o, own)]
        if fits:
            yield own, fits
        objects = [o for o in objects if not _fits(o, own)]
    groups: dict[str, list[Node]] = {}
    for obj in objects:
        if not isinstance(obj, RDFLiteral) or _compact(predicate).startswith("<"):
            yield None, [obj]
            continue
        if obj.language:
            key = f"{_compact(predicate)}@{obj.language}"
        else:
            datatype = obj.datatype or XSD.string
            key = f"{_compact(predicate)}^^{_compact(datatype)}"
        groups.setdefault(key, []).append(obj)
    for key, terms in groups.items():
        column = sheet.column(key) or next((c for c in table.columns if c.key == key), None)
        column = column or _extra_column(key, sheet)
        if column is None or (column.predicate in _WHOLE and len(terms) > 1):
            yield None, terms
        else:
            yield column, terms


def _fits(obj: Node, column: _Column) -> bool:
    if column.kind in ("reference", "concept"):
        return isinstance(obj, URIRef)
    if not isinstance(obj, RDFLiteral):
        return False
    if column.kind == "text":
        return obj.datatype is None and obj.language == column.language
    expected = column.datatype or {
        "integer": XSD.integer,
        "decimal": XSD.decimal,
        "boolean": XSD.boolean,
        "date": XSD.date,
    }.get(column.kind)
    return obj.datatype == expected and obj.language is None


def _readme(
    tables: Sequence[_Table], namespace: str, has_statements: bool
) -> list[tuple[str, str]]:
    ontology = _ontology()
    rows = [
        (
            "Business model workbook",
            "A business model, one sheet per kind of thing, for the "
            "Business Model Knowledge Graph (bmkg).",
        ),
        ("Ontology", f"bmkg ontology {ontology.version} ({ONTOLOGY_IRI})"),
        ("Namespace", namespace),
        (
            "How to fill in",
            "One row per thing, from row 3. Row 1 holds the headers, row 2 the "
            "names the import reads: leave rows 1 and 2 as they are. Column A is the identifier "
            "(a short name such as seg-young-families, unique in the workbook; the thing's IRI is "
            "the namespace above followed by it). Numbers as numbers, dates as dates, true/false "
            "as TRUE/FALSE. No formulas: the import reads values, and refuses a formula.",
        ),
        (
            "Several values",
            "Put several values in one cell one per line (Alt+Enter in Excel, "
            "Ctrl+Option+Enter on a Mac). Label and description cells hold one text each.",
        ),
        (
            "Languages",
            "The Label and Description columns are in English. For another "
            "language add a column with the header Label@de (row 2: rdfs:label@de), and so on.",
        ),
        (
            "References",
            "A column that refers to other things takes their identifier or their "
            "label. A label several rows carry is an error: use the identifier. Things outside the "
            "workbook are named by their full IRI (https://...) or a compact one (bmv:Live).",
        ),
        (
            "Drop-down lists",
            "Columns whose values come from a controlled vocabulary offer its "
            "concepts in a drop-down list (from the hidden sheet 'lists').",
        ),
        (
            "Money",
            "An amount is a number; its currency is the code in the Currency column "
            "beside it (CHF, EUR, CAD ...).",
        ),
        (
            "Other columns",
            "Any property can be added as a column named in row 2 by its compact "
            "IRI: p for references or a property of the ontology, p@de for text in a language, "
            "p^^xsd:date for values of a datatype (p^^xsd:string for plain text).",
        ),
        (
            "statements",
            "Statements no column holds: subject, predicate, object and object "
            "type (reference, text, @de for a language, or a datatype such as xsd:date)"
            + ("." if has_statements else "; this workbook has none."),
        ),
    ]
    for table in tables:
        rows.append(
            (f"Sheet {table.sheet.title}", f"{_compact(table.sheet.cls)}: {table.sheet.note}")
        )
    return rows


def _column_note(column: _Column) -> str:
    parts = [column.note] if column.note else []
    if column.kind == "concept":
        parts.append("Choose from the list.")
    elif column.kind == "reference" and column.range:
        names = ", ".join(sorted(_label(ontology_graph(), r) for r in column.range))
        parts.append(f"Identifier or label of a {names}.")
    elif column.kind in ("integer", "decimal"):
        parts.append("A number.")
    elif column.kind == "date":
        parts.append("A date.")
    elif column.kind == "boolean":
        parts.append("TRUE or FALSE.")
    if column.required:
        parts.append("Required.")
    if not column.whole:
        parts.append("One value." if column.single else "Several values: one per line.")
    return " ".join(parts)


def _workbook(
    tables: Sequence[_Table],
    statements: Sequence[tuple[str, str, str, str]],
    namespace: str,
    *,
    every_sheet: bool,
    path: Path,
) -> Any:
    import openpyxl
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.utils.exceptions import IllegalCharacterError

    book = openpyxl.Workbook()
    readme = book.active
    readme.title = README
    for topic, text in _readme(tables, namespace, bool(statements)):
        readme.append([topic, text])
    readme.column_dimensions["A"].width = 28
    readme.column_dimensions["B"].width = 120
    for cell in readme["A"]:
        cell.font = Font(bold=True)
    for cell in readme["B"]:
        cell.alignment = Alignment(wrap_text=True, vertical="top")

    bold, grey = Font(bold=True), Font(italic=True, color="808080")
    fill = PatternFill("solid", fgColor="DDEBF7")
    lists = book.create_sheet(LISTS)
    lists.sheet_state = "hidden"
    list_ranges: dict[frozenset[URIRef], str] = {}
    for n, (ranges, concepts) in enumerate(
        sorted(_ontology().concepts.items(), key=lambda i: sorted(i[0])), 1
    ):
        letter = get_column_letter(n)
        lists.cell(1, n, ", ".join(sorted(_label(ontology_graph(), r) for r in ranges)))
        lists.cell(2, n, " ".join(sorted(_compact(r) for r in ranges)))
        for row, (_, label) in enumerate(concepts, 3):
            lists.cell(row, n, label)
        list_ranges[ranges] = f"{LISTS}!${letter}$3:${letter}${len(concepts) + 2}"

    def put(
        sheet: Any, row: int, col: int, value: object, number_format: str | None = None
    ) -> None:
        where = _Where(path, sheet.title, row, get_column_letter(col))
        if isinstance(value, str) and len(value) > _CELL_LIMIT:
            raise where.error(
                f"a text of {len(value):,} characters; a workbook cell holds {_CELL_LIMIT:,}"
            )
        try:
            cell = sheet.cell(row, col, value)
        except IllegalCharacterError as exc:
            raise where.error(
                f"{value!r} holds a control character, which a workbook cannot store"
            ) from exc
        if isinstance(value, str) and value.startswith("="):
            cell.data_type = "s"  # text, not a formula
        if number_format:
            cell.number_format = number_format
        if isinstance(value, str) and SEPARATOR in value:
            cell.alignment = Alignment(wrap_text=True, vertical="top")

    position = 1
    for table in tables:
        if not table.rows and not every_sheet:
            continue
        sheet = book.create_sheet(table.sheet.title, position)
        position += 1
        for n, column in enumerate(table.columns, 1):
            header = sheet.cell(1, n, column.header)
            header.font, header.fill = bold, fill
            note = table.sheet.note if n == 1 else _column_note(column)
            if note:
                header.comment = Comment(note, "bmkg", width=300, height=120)
            put(sheet, 2, n, column.key)
            sheet.cell(2, n).font = grey
            sheet.column_dimensions[get_column_letter(n)].width = (
                14 if column.kind in ("integer", "decimal", "boolean", "date") else 28
            )
            validation = _validation(column, list_ranges.get(column.range))
            if validation is not None:
                letter = get_column_letter(n)
                validation.add(f"{letter}3:{letter}1048576")
                sheet.add_data_validation(validation)
        for r, cells in enumerate(table.rows, 3):
            for n, column in enumerate(table.columns, 1):
                cell = cells.get(column.key)
                if cell is not None:
                    put(sheet, r, n, cell.value, cell.number_format)
        sheet.freeze_panes = "B3"
    if statements or every_sheet:
        sheet = book.create_sheet(STATEMENTS, position)
        for n, key in enumerate(_STATEMENT_KEYS, 1):
            sheet.cell(1, n, key.capitalize()).font = bold
            sheet.cell(2, n, key).font = grey
            sheet.column_dimensions[get_column_letter(n)].width = 40
        for r, statement in enumerate(statements, 3):
            for n, text in enumerate(statement, 1):
                put(sheet, r, n, text)
        sheet.freeze_panes = "A3"
    return book


_CHECKS: dict[str, tuple[str, str | None, str | None, str]] = {
    # kind: Excel's validation type, its bounds, and what to tell a person who types otherwise
    "integer": ("whole", "-999999999999999", "999999999999999", "a whole number"),
    "decimal": ("decimal", "-1E+300", "1E+300", "a number"),
    "date": ("date", "1", "2958465", "a date"),  # 1900-01-01 to 9999-12-31 as Excel counts
    "boolean": ("list", '"TRUE,FALSE"', None, "TRUE or FALSE"),
}


def _validation(column: _Column, source: str | None) -> Any:
    """Excel's own check of a column, so that a mistyped value is caught as it is typed.

    A column that takes several values warns instead of refusing: several values go in one
    cell, one per line, which Excel's check cannot read.
    """
    from openpyxl.worksheet.datavalidation import DataValidation

    style = "stop" if column.single else "warning"
    several = "" if column.single else " (several: one per line)"
    if column.kind == "concept" and source is not None:
        return DataValidation(
            type="list",
            formula1=source,
            allow_blank=True,
            showErrorMessage=True,
            errorStyle="stop" if column.single else "information",
            errorTitle=column.header,
            error=f"Choose a value from the list{several}.",
        )
    if column.kind in _CHECKS:
        kind, low, high, what = _CHECKS[column.kind]
        return DataValidation(
            type=kind,
            operator="between" if high is not None else None,
            formula1=low,
            formula2=high,
            allow_blank=True,
            showErrorMessage=True,
            errorStyle=style,
            errorTitle=column.header,
            error=f"Give {what}{several}.",
        )
    return None


def write_template(
    path: str | os.PathLike[str],
    *,
    example: rdflib.Graph | None = None,
    namespace: str | None = None,
) -> None:
    """Write a workbook: empty (a template to fill in) or holding a model (an export).

    Parameters
    ----------
    path
        The ``.xlsx`` file to write; written whole or not at all.
    example
        The model to export; every statement of it comes back on reading (see the module).
    namespace
        What short identifiers stand for; by default the namespace most of the model's nodes
        share (an empty template leaves it for the user to fill in).

    Raises
    ------
    WorkbookError
        The model has blank nodes, or a text no workbook cell can hold (a control character,
        more than 32,767 characters); nothing is written.
    """
    target = Path(path)
    graph = example if example is not None else rdflib.Graph()
    _check_no_blank_nodes(graph, target)
    tables, statements, found = _tables(graph, namespace)
    book = _workbook(
        tables,
        statements,
        namespace or (found if example is not None else ""),
        every_sheet=True,
        path=target,
    )
    handle, temporary = tempfile.mkstemp(dir=target.parent or Path("."), suffix=".xlsx")
    os.close(handle)
    try:
        book.save(temporary)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _check_no_blank_nodes(graph: rdflib.Graph, path: Path) -> None:
    for triple in graph:
        if isinstance(triple[0], rdflib.BNode) or isinstance(triple[2], rdflib.BNode):
            raise WorkbookError(
                "the model has blank nodes, which no row can name; give them IRIs first "
                "(rdflib: graph.skolemize())",
                path=path,
            )


def write_csv_folder(
    graph: rdflib.Graph, folder: str | os.PathLike[str], *, namespace: str | None = None
) -> None:
    """Write a model as a folder of CSV files: one per sheet with rows, the same columns.

    The folder must be absent or empty. Files are UTF-8 (with a byte-order mark, for Excel),
    comma-separated (reading also takes the semicolons or tabs some spreadsheets save with);
    ``README.txt`` is the read-me sheet, ``statements.csv`` the statements.

    Raises
    ------
    WorkbookError
        The folder is not empty, or the model has blank nodes; nothing is written.
    """
    target = Path(folder)
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise WorkbookError("the folder to write must be absent or empty", path=target)
    _check_no_blank_nodes(graph, target)
    tables, statements, found = _tables(graph, namespace)
    namespace = namespace or found
    files: dict[str, list[list[str]]] = {}
    for table in tables:
        if table.rows:
            rows = [[c.header for c in table.columns], [c.key for c in table.columns]]
            for row in table.rows:
                rows.append([row[c.key].text if c.key in row else "" for c in table.columns])
            files[f"{table.sheet.title}.csv"] = rows
    if statements:
        files[f"{STATEMENTS}.csv"] = [
            [k.capitalize() for k in _STATEMENT_KEYS],
            list(_STATEMENT_KEYS),
            *map(list, statements),
        ]
    readme = "\n\n".join(
        f"{topic}: {text}" for topic, text in _readme(tables, namespace, bool(statements))
    )
    staging = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}-"))
    try:
        for name, rows in files.items():
            with open(staging / name, "w", encoding="utf-8-sig", newline="") as handle:
                csv.writer(handle).writerows(rows)
        (staging / "README.txt").write_text(readme + "\n", encoding="utf-8")
        if target.exists():
            target.rmdir()
        staging.rename(target)
    except BaseException:
        for child in staging.iterdir():
            child.unlink()
        staging.rmdir()
        raise


# --------------------------------------------------------------------------------------------
# Import
# --------------------------------------------------------------------------------------------


@dataclass
class _Raw:
    """A sheet as read: its title and its non-empty rows (number, cells as value and format)."""

    title: str
    rows: list[tuple[int, list[tuple[object, str | None]]]]


def read_workbook(path: str | os.PathLike[str], *, namespace: str | None = None) -> ImportResult:
    """Read a workbook written by :func:`write_template` (filled in or exported).

    Parameters
    ----------
    path
        The ``.xlsx`` file.
    namespace
        What short identifiers stand for; by default the read-me's *Namespace*, else
        ``urn:bmkg:workbook:`` + the file's name + ``:``.

    Raises
    ------
    WorkbookError
        The file is not a workbook, too large, empty, or a cell or header is wrong (see the
        module); the error names the sheet, row and column.
    """
    source = Path(path)
    sheets, found = _read_xlsx(source)
    return _import(source, sheets, namespace or found, "Workbook")


def read_csv_folder(
    folder: str | os.PathLike[str], *, namespace: str | None = None
) -> ImportResult:
    """Read a folder written by :func:`write_csv_folder` (or filled in alike)."""
    source = Path(folder)
    sheets, found = _read_csv(source)
    return _import(source, sheets, namespace or found, "Workbook (CSV folder)")


def _read_xlsx(path: Path) -> tuple[list[_Raw], str | None]:
    import openpyxl
    from openpyxl.utils import get_column_letter
    from openpyxl.utils.exceptions import InvalidFileException

    if not path.is_file():
        raise WorkbookError("no such file", path=path)
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise WorkbookError(
            f"the file is {size:,} bytes, more than the {MAX_FILE_BYTES:,} read", path=path
        )
    if not zipfile.is_zipfile(path):
        raise WorkbookError(
            "this is not an .xlsx workbook (an .xlsx file is a zip archive; "
            "a CSV file goes in a CSV folder, read with read_csv_folder)",
            path=path,
        )
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
            unpacked = sum(m.file_size for m in members)
            names = {m.filename for m in members}
    except (zipfile.BadZipFile, OSError) as exc:
        raise WorkbookError(f"this is not an .xlsx workbook: {exc}", path=path) from exc
    if unpacked > MAX_UNPACKED_BYTES or len(members) > 10_000:
        raise WorkbookError(
            f"the workbook unpacks to {unpacked:,} bytes in {len(members)} "
            f"parts, more than the {MAX_UNPACKED_BYTES:,} bytes read",
            path=path,
        )
    if "xl/workbook.xml" not in names:
        raise WorkbookError(
            "this zip archive is not an .xlsx workbook (no xl/workbook.xml)", path=path
        )
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=False)
    except (InvalidFileException, KeyError, ValueError, zipfile.BadZipFile, OSError) as exc:
        raise WorkbookError(f"this is not a readable .xlsx workbook: {exc}", path=path) from exc
    sheets: list[_Raw] = []
    namespace: str | None = None
    cells = 0
    try:
        for sheet in book.worksheets:
            raw = _Raw(sheet.title, [])
            keep_blank = sheet.title.casefold() == STATEMENTS
            # The size a file declares may be wrong (some programs write "A1"): read every cell.
            sheet.reset_dimensions()
            for number, row in enumerate(sheet.iter_rows(), 1):
                values: list[tuple[object, str | None]] = []
                for n, cell in enumerate(row, 1):
                    cells += 1
                    if cells > MAX_CELLS:
                        raise WorkbookError(
                            f"more than {MAX_CELLS:,} cells",
                            path=path,
                            sheet=sheet.title,
                            row=number,
                        )
                    if getattr(cell, "data_type", None) == "f" and sheet.title != LISTS:
                        raise WorkbookError(
                            f"a formula ({cell.value}): the import reads values, and the value "
                            "a program saved with a formula is not to be trusted (it is whatever "
                            "was last computed, or nothing); replace it by its value "
                            "(copy, then paste values)",
                            path=path,
                            sheet=sheet.title,
                            row=number,
                            column=get_column_letter(n),
                        )
                    value = cell.value
                    if value == "" or (
                        isinstance(value, str) and not value.strip() and not keep_blank
                    ):
                        value = None
                    values.append((value, getattr(cell, "number_format", None)))
                while values and values[-1][0] is None:
                    values.pop()
                if values:
                    raw.rows.append((number, values))
            if sheet.title == README:
                for _, values in raw.rows:
                    if values and values[0][0] == "Namespace" and len(values) > 1:
                        namespace = _text(values[1][0]) if values[1][0] is not None else None
            sheets.append(raw)
    finally:
        book.close()
    return sheets, namespace


def _read_csv(folder: Path) -> tuple[list[_Raw], str | None]:
    if not folder.is_dir():
        raise WorkbookError("no such folder", path=folder)
    namespace = None
    readme = folder / "README.txt"
    if readme.is_file() and readme.stat().st_size <= MAX_FILE_BYTES:
        for line in readme.read_text(encoding="utf-8", errors="replace").splitlines():
            if line.startswith("Namespace:"):
                namespace = line.partition(":")[2].strip() or None
    sheets = []
    cells = 0
    for path in sorted(folder.glob("*.csv")):
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise WorkbookError(
                f"the file is {size:,} bytes, more than the {MAX_FILE_BYTES:,} read", path=path
            )
        try:
            text = path.read_bytes().decode("utf-8-sig")  # as written: no newline translation
        except UnicodeDecodeError as exc:
            raise WorkbookError(
                f"not UTF-8 text: {exc.reason} at byte {exc.start}", path=path
            ) from exc
        raw = _Raw(path.stem, [])
        try:
            # Line breaks inside quoted cells are the cells' own: let the reader see them.
            header = text.partition("\n")[0]
            reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(header))
            for number, row in enumerate(reader, 1):
                cells += len(row)
                if cells > MAX_CELLS:
                    raise WorkbookError(f"more than {MAX_CELLS:,} cells", path=path, row=number)
                keep_blank = path.stem.casefold() == STATEMENTS
                values: list[tuple[object, str | None]] = [
                    (v if v and (keep_blank or v.strip()) else None, None) for v in row
                ]
                while values and values[-1][0] is None:
                    values.pop()
                if values:
                    raw.rows.append((number, values))
        except csv.Error as exc:
            raise WorkbookError(f"not a CSV file: {exc}", path=path) from exc
        sheets.append(raw)
    return sheets, namespace


def _delimiter(header: str) -> str:
    """The header's delimiter: a comma, or the semicolon or tab some spreadsheets save with."""
    counts = {d: header.count(d) for d in (",", ";", "\t")}
    return max(counts, key=lambda d: (counts[d], d == ","))


def _slug(label: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", label.casefold()).strip("-")


def _letter(n: int) -> str:
    from openpyxl.utils import get_column_letter

    return str(get_column_letter(n))


def _header_columns(
    path: Path, raw: _Raw, sheet: _Sheet | None, keys: Sequence[str]
) -> list[_Column | None]:
    """The column each position of a sheet is, from its two header rows."""
    rows = dict(raw.rows)
    first = rows.get(1, [])
    second = rows.get(2, [])
    width = max((len(v) for _, v in raw.rows), default=0)
    columns: list[_Column | None] = []
    seen: dict[str, str] = {}
    for n in range(width):
        key = _text(second[n][0]).strip() if n < len(second) and second[n][0] is not None else ""
        header = _text(first[n][0]).strip() if n < len(first) and first[n][0] is not None else ""
        where = _Where(path, raw.title, 2 if key else 1, _letter(n + 1))
        if n == 0 and sheet is not None:
            columns.append(sheet.columns[0])
            continue
        if not key and not header:
            if any(n < len(v) and v[n][0] is not None for number, v in raw.rows if number > 2):
                raise where.error("this column has values but no header")
            columns.append(None)
            continue
        column = _column_named(key, header, sheet)
        if column is None:
            name = key or header
            known = (
                list(keys)
                if sheet is None
                else [*(c.key for c in sheet.columns[1:]), *(c.header for c in sheet.columns[1:])]
            )
            close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise where.error(f"unknown column {name!r}{hint}")
        if column.key in seen:
            raise where.error(
                f"the column {column.key!r} is there twice (also column {seen[column.key]})"
            )
        seen[column.key] = _letter(n + 1)
        columns.append(column)
    return columns


def _column_named(key: str, header: str, sheet: _Sheet | None) -> _Column | None:
    if sheet is None:
        name = (key or header).casefold()
        for k in _STATEMENT_KEYS:
            if name == k:
                return _Column(k, k.capitalize(), RDF.value, "text")
        return None
    if key:
        return sheet.column(key) or _extra_column(key, sheet)
    for column in sheet.columns[1:]:
        if header.casefold() == column.header.casefold():
            return column
    match = re.fullmatch(r"(label|description)@([A-Za-z0-9-]+)", header, re.IGNORECASE)
    if match:
        prefix = "rdfs:label" if match.group(1).lower() == "label" else "dcterms:description"
        return _extra_column(f"{prefix}@{match.group(2)}", sheet)
    return _extra_column(header, sheet) if ":" in header else None


def _import(path: Path, raws: list[_Raw], namespace: str | None, format: str) -> ImportResult:
    ontology = _ontology()
    namespace = (namespace or "").strip() or f"urn:bmkg:workbook:{quote(path.stem)}:"
    if not re.fullmatch(r"[A-Za-z][A-Za-z0-9+.-]*:\S+", namespace):
        raise WorkbookError(
            f"the namespace {namespace!r} is not an IRI (write one such as "
            "https://example.org/my-company/)",
            path=path,
            sheet=README,
            row=next(
                (
                    n
                    for raw in raws
                    if raw.title == README
                    for n, v in raw.rows
                    if v and v[0][0] == "Namespace"
                ),
                None,
            ),
            column="B",
        )
    index = _Index(namespace)
    by_title = {s.title.casefold(): s for s in ontology.sheets}
    planned: list[tuple[_Raw, _Sheet, list[_Column | None]]] = []
    statements: tuple[_Raw, list[_Column | None]] | None = None
    for raw in raws:
        if raw.title in (README, LISTS) or not raw.rows:
            continue
        if raw.title.casefold() == STATEMENTS:
            statements = (raw, _header_columns(path, raw, None, _STATEMENT_KEYS))
            continue
        rows = dict(raw.rows)
        corner = rows.get(2, [(None, None)])[0][0]
        expanded = _expand(_text(corner).strip()) if corner is not None else None
        sheet = ontology.sheet_for(expanded) if expanded is not None else None
        sheet = sheet or by_title.get(raw.title.casefold())
        if sheet is None:
            close = difflib.get_close_matches(raw.title, [s.title for s in ontology.sheets], n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise _Where(path, raw.title, 2, "A").error(
                f"this sheet is for no class of the ontology (cell A2 names the class, such as "
                f"bm:CustomerSegment){hint}"
            )
        planned.append((raw, sheet, _header_columns(path, raw, sheet, ())))

    # First pass: who the rows are.
    result = ImportResult(str(path), _graph(), _graph())
    rows_of: list[
        tuple[URIRef, _Sheet, str, int, list[tuple[object, str | None]], list[_Column | None], str]
    ] = []
    where_of: dict[URIRef, str] = {}
    problems = _Problems()
    for raw, sheet, columns in planned:
        for number, values in raw.rows:
            if number <= 2:
                continue
            where = _Where(path, raw.title, number, "A")
            identifier = _text(values[0][0]).strip() if values[0][0] is not None else ""
            labels = [
                (column, _text(values[n][0]))
                for n, column in enumerate(columns)
                if column is not None
                and column.predicate == RDFS.label
                and n < len(values)
                and values[n][0] is not None
            ]
            if not identifier:
                if not labels:
                    problems.add(where.error("a row with neither identifier nor label"))
                    continue
                identifier = _slug(labels[0][1])
                if not identifier:
                    problems.add(where.error("a row with neither identifier nor label"))
                    continue
            node = index.node(identifier)
            if node in where_of:
                problems.add(
                    where.error(
                        f"the identifier {identifier!r} is used twice (also {where_of[node]})"
                    )
                )
                continue
            where_of[node] = f"sheet {raw.title!r} row {number}"
            index.ids[identifier] = node
            index.classes[node] = sheet.cls
            index.names[node] = identifier
            for _, label in labels:
                index.add_label(node, label)
            rows_of.append((node, sheet, raw.title, number, values, columns, identifier))
            result.iris[identifier] = node
            result.classes[identifier] = str(sheet.cls)

    # Second pass: the values.
    graph = result.graph
    origin = Origin(path, format)
    origin.describe(result.kept)
    for node, sheet, title, number, values, columns, identifier in rows_of:
        graph.add((node, RDF.type, sheet.cls))
        origin.mark(graph, node, identifier)
        for n, column in enumerate(columns):
            if n == 0 or column is None or n >= len(values):
                continue
            value, number_format = values[n]
            where = _Where(path, title, number, f"{_letter(n + 1)} ({column.key})")
            with problems.collect():
                for term in _parse(value, number_format, column, index, where):
                    graph.add((node, column.predicate, term))
    count = len(rows_of)
    if statements is not None:
        raw, columns = statements
        for number, values in raw.rows:
            if number <= 2:
                continue
            count += 1
            with problems.collect():
                graph.add(_statement(path, raw.title, number, values, columns, index))
    problems.raise_any()
    if not count:
        raise WorkbookError(
            "the workbook holds no rows to import (data starts in row 3)", path=path
        )
    return result


class _Problems:
    """The mistakes of a workbook's cells, so that a person can mend them all at once."""

    def __init__(self) -> None:
        self.found: list[WorkbookError] = []

    def add(self, error: WorkbookError) -> None:
        self.found.append(error)
        if len(self.found) >= MAX_PROBLEMS:
            self.raise_any()

    @contextmanager
    def collect(self) -> Iterator[None]:
        try:
            yield
        except WorkbookError as error:
            self.add(error)

    def raise_any(self) -> None:
        if self.found:
            first, *more = self.found
            raise WorkbookError(
                first.message,
                path=first.path,
                sheet=first.sheet,
                row=first.row,
                column=first.column,
                more=tuple(more),
            )


def _statement(
    path: Path,
    title: str,
    number: int,
    values: list[tuple[object, str | None]],
    columns: list[_Column | None],
    index: _Index,
) -> tuple[Node, Node, Node]:
    cells: dict[str, tuple[str, str]] = {}
    for n, column in enumerate(columns):
        if column is not None:
            value = values[n][0] if n < len(values) else None
            cells[column.key] = (_text(value) if value is not None else "", _letter(n + 1))
    kind = cells.get("object type", ("", ""))[0].strip() or "reference"
    needed = ("subject", "predicate", "object") if kind == "reference" else ("subject", "predicate")
    for key in needed:
        if not cells.get(key, ("", ""))[0].strip():
            raise _Where(path, title, number, cells.get(key, ("", key))[1]).error(
                f"a statement without its {key}"
            )
    subject_text, subject_at = cells["subject"]
    predicate_text, predicate_at = cells["predicate"]
    object_text, object_at = cells.get("object", ("", "C"))
    kind_at = cells.get("object type", ("", "D"))[1]
    subject = index.resolve(
        subject_text.strip(), frozenset(), _Where(path, title, number, subject_at)
    )
    predicate = _expand(predicate_text.strip()) or (
        URIRef(predicate_text.strip()) if _SCHEME.match(predicate_text.strip()) else None
    )
    if predicate is None or not _known_term(predicate):
        raise _Where(path, title, number, predicate_at).error(
            f"{predicate_text!r} is not a known property (write a compact IRI such as "
            "skos:broader, or a full IRI)"
        )
    obj: Node
    if kind == "reference":
        obj = index.resolve(
            object_text.strip(), frozenset(), _Where(path, title, number, object_at)
        )
    elif kind == "text":
        obj = RDFLiteral(object_text)
    elif kind.startswith("@") and len(kind) > 1:
        obj = RDFLiteral(object_text, lang=kind[1:])
    else:
        datatype = _expand(kind) or (URIRef(kind) if _SCHEME.match(kind) else None)
        if datatype is None:
            raise _Where(path, title, number, kind_at).error(
                f"object type {kind!r} is none of reference, text, @language or a datatype"
            )
        obj = RDFLiteral(object_text, datatype=datatype)
    return subject, predicate, obj


def _graph() -> rdflib.Graph:
    graph = rdflib.Graph()
    for prefix, namespace in STANDARD_PREFIXES.items():
        graph.bind(prefix, namespace, override=True)
    return graph
