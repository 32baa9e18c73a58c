"""Archi's CSV format: three files read into the neutral model, and any model written as them.

Archi (https://www.archimatetool.com) keeps a model's concepts in three CSV files,
``<prefix>elements.csv``, ``<prefix>relations.csv`` and ``<prefix>properties.csv``. This
module reads and writes them as Archi does (the rules, with references into Archi's source, are
in ``tests/fixtures/interchange/ARCHI-CSV-RULES.md``):

- reading gives the same :class:`~kg.interchange.archimate.ExchangeModel` the exchange-format
  reader gives, so :func:`kg.interchange.importer.import_exchange` imports it: element types as
  the exchange format names them (a ``Junction`` becomes ``AndJunction`` or ``OrJunction`` by its
  ``Junction_Type``), relationship types without Archi's ``Relationship`` suffix, the special
  property keys as the relationship's access type, influence strength and direction, and a
  concept's specialization as a property named ``Specialization``. CSV has no folders, views or
  languages: those are empty, and every text has no language;
- writing takes any such model (one read from an exchange file too) and writes the three files
  as Archi's exporter does: every field quoted, CR LF between records and none after the last,
  elements by Archi's folder (Strategy, Business, Application, Technology, Motivation,
  Implementation & Migration, Other) and then by type and name, UTF-8 unless told otherwise.

Where Archi would go on silently, the reader stops with an :class:`ArchiCSVError` that names the
file, line, row and column: bytes that are not UTF-8 (Archi turns them into U+FFFD) and an
``Access_Type`` Archi does not know (Archi stores -1, and its exporter then fails). An element
row without an ID gets Archi's kind of identifier, ``id-`` and 32 hex digits, but the same one
each time the file is read (a UUID made from the file's name and the row's line), so that
importing a file again names the same nodes. A second row with an element's ID and type
updates it (its name and documentation; a new specialization is added), as in Archi; the same ID
with another type, or a relation declared twice, is refused. Archi also checks every
relationship against the ArchiMate relationship table; this reader does not.

>>> import tempfile
>>> folder = Path(tempfile.mkdtemp())
>>> _ = (folder / "shop-elements.csv").write_text(
...     '"ID","Type","Name","Documentation","Specialization"\\r\\n'
...     '"a","BusinessActor","Customer","",""\\r\\n'
...     '"s","BusinessService","Sales","","Core"', encoding="utf-8")
>>> _ = (folder / "shop-relations.csv").write_text(
...     '"ID","Type","Name","Documentation","Source","Target","Specialization"\\r\\n'
...     '"r","ServingRelationship","","","s","a",""', encoding="utf-8")
>>> model = read_archi_csv(folder / "shop-elements.csv")
>>> [(e.identifier, e.type, e.name) for e in model.elements]
[('a', 'BusinessActor', 'Customer'), ('s', 'BusinessService', 'Sales')]
>>> [(r.type, r.source, r.target) for r in model.relationships]
[('Serving', 's', 'a')]
>>> [p.name for p in model.property_definitions]
['Specialization']
>>> [path.name for path in write_archi_csv(model, folder / "out", "copy-")]
['copy-elements.csv', 'copy-relations.csv', 'copy-properties.csv']
"""

from __future__ import annotations

import bisect
import codecs
import os
import re
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from kg.errors import KGError
from kg.interchange import safexml
from kg.interchange.archimate import (
    Concept,
    ExchangeModel,
    Property,
    PropertyDefinition,
    Relationship,
    Text,
)

__all__ = [
    "ARCHI_CSV",
    "DELIMITERS",
    "ArchiCSVError",
    "archi_csv_files",
    "read_archi_csv",
    "write_archi_csv",
]

ARCHI_CSV = "Archi CSV"
"""The :attr:`~kg.interchange.archimate.ExchangeModel.format` of a model read by this module."""

DELIMITERS = (",", ";", "\t")
"""The delimiters Archi writes, and tries in this order when it reads."""

_ELEMENTS, _RELATIONS, _PROPERTIES = "elements", "relations", "properties"
_HEADERS = {
    _ELEMENTS: ("ID", "Type", "Name", "Documentation", "Specialization"),
    _RELATIONS: ("ID", "Type", "Name", "Documentation", "Source", "Target", "Specialization"),
    _PROPERTIES: ("ID", "Key", "Value"),
}
_MODEL_TYPE = "ArchimateModel"
_ID = re.compile(r"[a-zA-Z0-9._-]+")
_CRLF = "\r\n"

# Archi's element classes by the folder its exporter writes them from, in that order.
_FOLDERS: tuple[tuple[str, ...], ...] = (
    ("Resource", "Capability", "ValueStream", "CourseOfAction"),
    (
        "BusinessActor",
        "BusinessRole",
        "BusinessCollaboration",
        "BusinessInterface",
        "BusinessProcess",
        "BusinessFunction",
        "BusinessInteraction",
        "BusinessEvent",
        "BusinessService",
        "BusinessObject",
        "Contract",
        "Representation",
        "Product",
    ),
    (
        "ApplicationComponent",
        "ApplicationCollaboration",
        "ApplicationInterface",
        "ApplicationFunction",
        "ApplicationInteraction",
        "ApplicationProcess",
        "ApplicationEvent",
        "ApplicationService",
        "DataObject",
    ),
    (
        "Node",
        "Device",
        "SystemSoftware",
        "TechnologyCollaboration",
        "TechnologyInterface",
        "Path",
        "CommunicationNetwork",
        "TechnologyFunction",
        "TechnologyProcess",
        "TechnologyInteraction",
        "TechnologyEvent",
        "TechnologyService",
        "Artifact",
        "Equipment",
        "Facility",
        "DistributionNetwork",
        "Material",
    ),
    (
        "Stakeholder",
        "Driver",
        "Assessment",
        "Goal",
        "Outcome",
        "Principle",
        "Requirement",
        "Constraint",
        "Meaning",
        "Value",
    ),
    ("WorkPackage", "Deliverable", "ImplementationEvent", "Plateau", "Gap"),
    ("Location", "Grouping", "Junction"),
)
_FOLDER_OF = {name: index for index, names in enumerate(_FOLDERS) for name in names}
_RELATIONSHIP_TYPES = frozenset(
    {
        "Access",
        "Aggregation",
        "Assignment",
        "Association",
        "Composition",
        "Flow",
        "Influence",
        "Realization",
        "Serving",
        "Specialization",
        "Triggering",
    }
)

# The property keys that set a concept's attribute instead of making a property.
_INFLUENCE_STRENGTH = "Influence_Strength"
_ACCESS_TYPE = "Access_Type"
_ACCESS_TYPES = ("Write", "Read", "Access", "ReadWrite")  # Archi's 0 (its default) to 3
_DIRECTED = "Directed"
_JUNCTION_TYPE = "Junction_Type"
_SPECIALIZATION = "Specialization"
_JAVA_TRIM = "".join(map(chr, range(33)))  # what Java's String.trim() removes
_UUID_NAMESPACE = uuid.UUID("6f1d0b0e-58f5-4d59-9e43-7c6a6b2f1a01")


class ArchiCSVError(KGError):
    """Archi CSV files that cannot be read, or a model that cannot be written as them.

    ``str()`` gives ``path:line: row R, column C (Name): message``, or ``path:line:column:
    message`` for a fault in the text itself (an unclosed quote, a byte that is not UTF-8),
    leaving out what is not known.

    Attributes
    ----------
    path : Path or None
        The file concerned.
    line : int or None
        The line (1-based) where the record or fault starts.
    row : int or None
        The record's number in the file (the header is row 1; comment lines are not rows).
    column : int or None
        The field (1-based), or for a fault in the text the character on the line.
    field : str or None
        The column's name in the header.
    message : str
        What is wrong.
    """

    def __init__(
        self,
        message: str,
        *,
        path: str | os.PathLike[str] | None = None,
        line: int | None = None,
        row: int | None = None,
        column: int | None = None,
        field: str | None = None,
    ) -> None:
        self.message = message
        self.path = None if path is None else Path(path)
        self.line = line
        self.row = row
        self.column = column
        self.field = field
        super().__init__(str(self))

    def __str__(self) -> str:
        where = "" if self.path is None else str(self.path)
        if self.line is not None:
            where += f":{self.line}"
            if self.row is None and self.column is not None:
                where += f":{self.column}"
        parts = []
        if self.row is not None:
            parts.append(f"row {self.row}")
            if self.column is not None:
                named = f" ({self.field})" if self.field else ""
                parts.append(f"column {self.column}{named}")
        located = ", ".join(parts)
        prefix = ": ".join(p for p in (where, located) if p)
        return f"{prefix}: {self.message}" if prefix else self.message


# ----------------------------------------------------------------------------- files


def archi_csv_files(
    source: str | os.PathLike[str], prefix: str | None = None
) -> tuple[Path, Path, Path]:
    """The elements, relations and properties files that ``source`` names (they may not exist).

    ``source`` is one of the three files (its name without the extension must end with
    ``elements``, ``relations`` or ``properties``; the others are found by putting the other
    words in its place, as Archi does), or a folder: then ``prefix`` picks ``<prefix>elements.csv``
    and its siblings; without a prefix the folder must hold exactly one ``*elements.csv``.

    >>> [p.name for p in archi_csv_files("models/test1-relations.csv")]
    ['test1-elements.csv', 'test1-relations.csv', 'test1-properties.csv']
    """
    path = Path(source)
    if path.is_dir():
        if prefix is None:
            found = sorted(p for p in path.glob("*.csv") if p.stem.endswith(_ELEMENTS))
            if len(found) != 1:
                shown = ", ".join(repr(p.name[: -len("elements.csv")]) for p in found)
                raise ArchiCSVError(
                    "no *elements.csv in the folder"
                    if not found
                    else f"several elements files in the folder: give the prefix of one ({shown})",
                    path=path,
                )
            path = found[0]
        else:
            path = path / f"{prefix}{_ELEMENTS}.csv"
    elif prefix is not None:
        raise ArchiCSVError("a prefix picks files in a folder, and this is a file", path=path)
    stem = path.name.rsplit(".", 1)[0] if "." in path.name else path.name
    word = next((w for w in (_ELEMENTS, _RELATIONS, _PROPERTIES) if stem.endswith(w)), None)
    if word is None:
        raise ArchiCSVError(
            "not an Archi CSV file: its name (without the extension) must end with "
            "'elements', 'relations' or 'properties'",
            path=path,
        )
    text = str(path)
    index = text.rindex(word)

    def sibling(other: str) -> Path:
        return Path(text[:index] + other + text[index + len(word) :])

    return sibling(_ELEMENTS), sibling(_RELATIONS), sibling(_PROPERTIES)


# ----------------------------------------------------------------------------- parsing


@dataclass(frozen=True)
class _Record:
    fields: tuple[str, ...]
    row: int
    line: int


class _Unparsable(Exception):
    """A fault in the CSV text: where it is, and whether another delimiter might cure it."""

    def __init__(self, message: str, offset: int, row: int, column: int, retry: bool) -> None:
        super().__init__(message)
        self.message = message
        self.offset = offset
        self.row = row
        self.column = column
        self.retry = retry


def _java_whitespace(char: str) -> bool:
    # Java's Character.isWhitespace, which Commons CSV uses after a closing quote
    return char.isspace() and char not in "\xa0\u2007\u202f\x85"


def _parse(text: str, delimiter: str) -> list[tuple[tuple[str, ...], int, int]]:
    """Records as Apache Commons CSV reads them with Archi's settings: quote ``"``, comment
    lines starting with ``#``, empty lines skipped, whitespace after a closing quote dropped.
    Each record with the offsets where it starts."""
    records: list[tuple[tuple[str, ...], int, int]] = []
    n = len(text)
    pos = 0

    def end_of_line(at: int) -> int:
        """The offset after the line end at ``at``, or ``at`` when there is none."""
        if at < n and text[at] == "\r":
            return at + 2 if at + 1 < n and text[at + 1] == "\n" else at + 1
        if at < n and text[at] == "\n":
            return at + 1
        return at

    while True:
        while pos < n and text[pos] in "\r\n":
            pos = end_of_line(pos)
        if pos >= n:
            return records
        if text[pos] == "#":
            while pos < n and text[pos] not in "\r\n":
                pos += 1
            pos = end_of_line(pos)
            continue
        start = pos
        fields: list[str] = []
        while True:
            field_start = pos
            if pos < n and text[pos] == '"':
                parts: list[str] = []
                pos += 1
                while True:
                    if pos >= n:
                        raise _Unparsable(
                            "a quoted field is not closed before the end of the file",
                            field_start,
                            len(records) + 1,
                            len(fields) + 1,
                            retry=False,
                        )
                    quote = text.find('"', pos)
                    if quote < 0:
                        pos = n
                        continue
                    parts.append(text[pos:quote])
                    if quote + 1 < n and text[quote + 1] == '"':
                        parts.append('"')
                        pos = quote + 2
                        continue
                    pos = quote + 1
                    break
                while pos < n and text[pos] not in "\r\n" and text[pos] != delimiter:
                    if not _java_whitespace(text[pos]):
                        raise _Unparsable(
                            f"the character {text[pos]!r} follows a closing quote, where the "
                            "field should end",
                            pos,
                            len(records) + 1,
                            len(fields) + 1,
                            retry=True,
                        )
                    pos += 1
                value = "".join(parts)
            else:
                while pos < n and text[pos] not in "\r\n" and text[pos] != delimiter:
                    pos += 1
                value = text[field_start:pos]
            fields.append(value)
            if pos < n and text[pos] == delimiter:
                pos += 1
                continue
            pos = end_of_line(pos)
            break
        records.append((tuple(fields), start, len(records) + 1))


class _Source:
    """One file's decoded text, with offsets turned into lines and columns."""

    def __init__(self, path: Path, data: bytes, encoding: str) -> None:
        self.path = path
        if codecs.lookup(encoding).name == "utf-8" and data.startswith(codecs.BOM_UTF8):
            data = data[len(codecs.BOM_UTF8) :]
        try:
            self.text = data.decode(encoding)
        except UnicodeDecodeError as error:
            before = data[: error.start]
            line = before.count(b"\n") + before.count(b"\r") - before.count(b"\r\n") + 1
            line_start = max(before.rfind(b"\n"), before.rfind(b"\r")) + 1
            column = len(before[line_start:].decode(encoding, "replace")) + 1
            raise ArchiCSVError(
                f"the byte 0x{data[error.start]:02X} is not {encoding} text; Archi reads its "
                "CSV files as UTF-8: save the file as UTF-8 (or name its encoding)",
                path=path,
                line=line,
                column=column,
            ) from None
        self.line_starts = [0] + [m.end() for m in re.finditer(r"\r\n|\r|\n", self.text)]

    def position(self, offset: int) -> tuple[int, int]:
        index = bisect.bisect_right(self.line_starts, offset) - 1
        return index + 1, offset - self.line_starts[index] + 1

    def records(self) -> tuple[list[_Record], str]:
        """The records, and the delimiter that read them (Archi's: ``,`` else ``;`` else TAB)."""
        first: _Unparsable | None = None
        for delimiter in DELIMITERS:
            try:
                parsed = _parse(self.text, delimiter)
            except _Unparsable as fault:
                if not fault.retry:
                    raise self.error(fault) from None
                first = first or fault
                continue
            return [_Record(f, row, self.position(start)[0]) for f, start, row in parsed], delimiter
        assert first is not None
        raise self.error(first, " (and it is no ';'- or TAB-separated file either)")

    def error(self, fault: _Unparsable, more: str = "") -> ArchiCSVError:
        line, column = self.position(fault.offset)
        return ArchiCSVError(
            f"row {fault.row}, column {fault.column}: {fault.message}{more}",
            path=self.path,
            line=line,
            column=column,
        )


# ----------------------------------------------------------------------------- reading


@dataclass
class _Concept:
    identifier: str
    archi_type: str
    name: str
    documentation: str
    line: int
    path: Path
    specializations: list[str] = field(default_factory=list)
    properties: list[tuple[str, str]] = field(default_factory=list)
    source: str = ""
    target: str = ""
    access_type: str | None = None
    modifier: str | None = None
    is_directed: bool | None = None
    junction: str = "And"


def read_archi_csv(
    source: str | os.PathLike[str], prefix: str | None = None, *, encoding: str = "utf-8"
) -> ExchangeModel:
    """Read Archi's CSV files into the neutral model the exchange-format reader gives.

    Parameters
    ----------
    source
        A folder, or any one of the three files (see :func:`archi_csv_files`). The elements
        file must exist; a missing relations or properties file is read as empty, as Archi does.
    prefix
        For a folder: the files' common prefix (``"test1-"`` for ``test1-elements.csv``).
    encoding
        Archi reads UTF-8 only (a leading byte-order mark is dropped); another encoding can be
        named for files saved by other tools.

    Returns
    -------
    ExchangeModel
        ``format`` ``"Archi CSV"``, ``version`` empty, ``path`` the elements file; the model row
        (type ``ArchimateModel``) gives the identifier, name and documentation (purpose); each
        element's and relationship's ``line`` is where its row starts in its file.

    Raises
    ------
    ArchiCSVError
        A file that Archi would refuse (a wrong header, a row with more or fewer fields than the
        header, an unknown type, an invalid or reused identifier, a relationship end or property
        owner that is not in the files, an unclosed quote, a byte that is not UTF-8).
    """
    elements_path, relations_path, properties_path = archi_csv_files(source, prefix)
    if not elements_path.is_file():
        raise ArchiCSVError("the elements file is missing", path=elements_path)
    reader = _Reader(encoding)
    reader.elements(elements_path)
    if relations_path.is_file():
        reader.relations(relations_path)
    if properties_path.is_file():
        reader.properties(properties_path)
    return reader.model(elements_path)


class _Reader:
    def __init__(self, encoding: str) -> None:
        self.encoding = encoding
        self.concepts: dict[str, _Concept] = {}
        self.model_ids: dict[str, int] = {}
        self.model_id: str | None = None
        self.model_name = ""
        self.model_purpose = ""
        self.model_properties: list[tuple[str, str]] = []

    def load(self, path: Path, kind: str) -> tuple[list[_Record], tuple[str, ...]]:
        try:
            size = path.stat().st_size
            if size > safexml.MAX_BYTES:
                raise ArchiCSVError(
                    f"{size:,} bytes, more than the {safexml.MAX_BYTES:,} an import reads "
                    "(KG_IMPORT_MAX_BYTES)",
                    path=path,
                )
            data = path.read_bytes()
        except OSError as error:
            raise ArchiCSVError(f"cannot be read: {error.strerror or error}", path=path) from error
        records, _ = _Source(path, data, self.encoding).records()
        self.path = path
        self.header = _HEADERS[kind]
        return records, self.header

    def fail(
        self, record: _Record | None, message: str, column: int | None = None
    ) -> ArchiCSVError:
        named = (
            self.header[column - 1] if column is not None and column <= len(self.header) else None
        )
        return ArchiCSVError(
            message,
            path=self.path,
            line=record.line if record else None,
            row=record.row if record else None,
            column=column,
            field=named,
        )

    def check_header(self, records: list[_Record], kind: str, optional: int) -> int:
        expected = _HEADERS[kind]
        shown = ", ".join(f'"{name}"' for name in expected)
        if not records:
            raise self.fail(None, f"empty: the {kind} file starts with the header {shown}")
        header = records[0]
        for index, value in enumerate(header.fields):
            if index >= len(expected):
                raise self.fail(
                    header,
                    f"the header has {value!r} after its last column; Archi's {kind} header "
                    f"is {shown}",
                    index + 1,
                )
            if value.lower() != expected[index].lower():
                hint = ""
                if len(header.fields) == 1 and (";" in value or "\t" in value):
                    hint = (
                        " (Archi finds a ';' or TAB delimiter only in a file whose fields are "
                        "quoted)"
                    )
                raise self.fail(
                    header,
                    f"the header has {value!r} where Archi's {kind} header has "
                    f"{expected[index]!r}{hint}; it is {shown}",
                    index + 1,
                )
        if len(header.fields) < len(expected) - optional:
            missing = expected[len(header.fields)]
            raise self.fail(
                header,
                f"the header lacks the column {missing!r}; Archi's {kind} header is {shown}",
                len(header.fields) + 1,
            )
        return len(header.fields)

    def check_size(self, record: _Record, size: int) -> None:
        if len(record.fields) != size:
            raise self.fail(
                record,
                f"the row has {len(record.fields)} fields and the header {size}",
                min(len(record.fields), size) + 1,
            )

    def identifier(self, record: _Record, kind: str) -> str:
        value = record.fields[0]
        if not value:
            seed = f"{self.path.name}\n{record.line}\n{kind}"
            return "id-" + uuid.uuid5(_UUID_NAMESPACE, seed).hex
        if not _ID.fullmatch(value):
            raise self.fail(
                record,
                f"the ID {value!r} has a character Archi does not take in an ID (it takes "
                "letters a-z and A-Z, digits, '.', '_' and '-')",
                1,
            )
        return value

    def elements(self, path: Path) -> None:
        records, _ = self.load(path, _ELEMENTS)
        size = self.check_header(records, _ELEMENTS, optional=1)
        for record in records[1:]:
            self.check_size(record, size)
            fields = record.fields
            if fields[1] == _MODEL_TYPE:
                if fields[0]:
                    self.model_id = fields[0]
                    self.model_ids[fields[0]] = record.line
                self.model_name, self.model_purpose = fields[2], fields[3]
                continue
            identifier = self.identifier(record, _ELEMENTS)
            archi_type = fields[1]
            if archi_type not in _FOLDER_OF:
                raise self.fail(
                    record, f"{archi_type!r} is not an ArchiMate element type Archi knows", 2
                )
            concept = self.concepts.get(identifier)
            if concept is None:
                self.clash(record, identifier)
                concept = _Concept(identifier, archi_type, "", "", record.line, path)
                self.concepts[identifier] = concept
            elif concept.archi_type != archi_type:
                raise self.fail(
                    record,
                    f"the ID {identifier!r} is a {concept.archi_type} on line {concept.line}, "
                    f"not a {archi_type}",
                    1,
                )
            # a second row for the same element updates it, as in Archi
            concept.name = _normalise(fields[2])
            concept.documentation = fields[3]
            specialization = fields[4] if size > 4 else ""
            if specialization and specialization not in concept.specializations:
                concept.specializations.append(specialization)

    def clash(self, record: _Record, identifier: str) -> None:
        if identifier in self.model_ids:
            raise self.fail(
                record,
                f"the ID {identifier!r} is the model's (line {self.model_ids[identifier]})",
                1,
            )

    def relations(self, path: Path) -> None:
        records, _ = self.load(path, _RELATIONS)
        size = self.check_header(records, _RELATIONS, optional=1)
        declared: list[tuple[_Concept, _Record]] = []
        for record in records[1:]:
            self.check_size(record, size)
            fields = record.fields
            identifier = self.identifier(record, _RELATIONS)
            archi_type = fields[1]
            if archi_type.removesuffix("Relationship") not in _RELATIONSHIP_TYPES or (
                not archi_type.endswith("Relationship")
            ):
                raise self.fail(
                    record, f"{archi_type!r} is not an ArchiMate relationship type Archi knows", 2
                )
            existing = self.concepts.get(identifier)
            if existing is not None:
                if existing.path == path:
                    raise self.fail(
                        record,
                        f"the relation {identifier!r} is declared again (first on line "
                        f"{existing.line})",
                        1,
                    )
                raise self.fail(
                    record,
                    f"the ID {identifier!r} is a {existing.archi_type} in {existing.path.name} "
                    f"line {existing.line}, not a {archi_type}",
                    1,
                )
            self.clash(record, identifier)
            concept = _Concept(
                identifier,
                archi_type,
                _normalise(fields[2]),
                fields[3],
                record.line,
                path,
                source=fields[4],
                target=fields[5],
            )
            if size > 6 and fields[6]:
                concept.specializations.append(fields[6])
            if archi_type == "AccessRelationship":
                concept.access_type = _ACCESS_TYPES[0]
            elif archi_type == "AssociationRelationship":
                concept.is_directed = False
            self.concepts[identifier] = concept
            declared.append((concept, record))
        # the ends are resolved once every relation is known: one may point at a later one
        for concept, record in declared:
            for column, end in ((5, concept.source), (6, concept.target)):
                if end in self.model_ids:
                    raise self.fail(
                        record, f"{end!r} is the model, not an element or relationship", column
                    )
                if end not in self.concepts:
                    raise self.fail(
                        record,
                        f"{end!r} is no element or relationship of the files"
                        if end
                        else "the relationship has no " + ("source" if column == 5 else "target"),
                        column,
                    )

    def properties(self, path: Path) -> None:
        records, _ = self.load(path, _PROPERTIES)
        for record in records:
            self.check_size(record, 3)
            fields = record.fields
            if record.row == 1 and all(
                a.lower() == b.lower() for a, b in zip(fields, _HEADERS[_PROPERTIES], strict=True)
            ):
                continue
            if not fields[0]:
                raise self.fail(record, "a property row without the ID of what it belongs to", 1)
            identifier = self.identifier(record, _PROPERTIES)
            key, value = _normalise(fields[1]), _normalise(fields[2])
            if identifier in self.concepts:
                concept = self.concepts[identifier]
                if not self.special(concept, key, value, record):
                    concept.properties.append((key, value))
            elif identifier in self.model_ids:
                self.model_properties.append((key, value))
            else:
                raise self.fail(
                    record,
                    f"the ID {identifier!r} is no element, relationship or model row of the files",
                    1,
                )

    def special(self, concept: _Concept, key: str, value: str, record: _Record) -> bool:
        """Whether the row sets one of the concept's attributes (Archi's special keys)."""
        kind = concept.archi_type
        if key == _INFLUENCE_STRENGTH and kind == "InfluenceRelationship":
            concept.modifier = value or None
        elif key == _ACCESS_TYPE and kind == "AccessRelationship":
            if value not in _ACCESS_TYPES:
                raise self.fail(
                    record,
                    f"the Access_Type {value!r} is none of Archi's: " + ", ".join(_ACCESS_TYPES),
                    3,
                )
            concept.access_type = value
        # Archi tests "Directed".endsWith(key): any ending of the word (even "") counts
        elif _DIRECTED.endswith(key) and kind == "AssociationRelationship":
            concept.is_directed = value.lower() == "true"
        elif key == _JUNCTION_TYPE and kind == "Junction":
            concept.junction = "And" if value == "And" else "Or"
        else:
            return False
        return True

    def model(self, path: Path) -> ExchangeModel:
        definitions: dict[str, PropertyDefinition] = {}

        def prop(key: str, value: str) -> Property:
            if key not in definitions:
                identifier = f"propid-{len(definitions) + 1}"
                definitions[key] = PropertyDefinition(identifier, (Text(key),), "string")
            return Property(definitions[key].identifier, (Text(value),))

        elements: list[Concept] = []
        relationships: list[Relationship] = []
        # definitions are numbered as first used: specializations, the model's, the concepts'
        specials = {
            c.identifier: tuple(prop(_SPECIALIZATION, s) for s in c.specializations)
            for c in self.concepts.values()
        }
        model_properties = tuple(prop(k, v) for k, v in self.model_properties)
        for concept in self.concepts.values():
            names, documentation = _texts(concept.name), _texts(concept.documentation)
            properties = specials[concept.identifier] + tuple(
                prop(k, v) for k, v in concept.properties
            )
            if concept.archi_type in _FOLDER_OF:
                kind = concept.archi_type
                if kind == "Junction":
                    kind = f"{concept.junction}Junction"
                elements.append(
                    Concept(
                        concept.identifier, kind, names, documentation, properties, concept.line
                    )
                )
            else:
                relationships.append(
                    Relationship(
                        concept.identifier,
                        concept.archi_type.removesuffix("Relationship"),
                        names,
                        documentation,
                        properties,
                        concept.line,
                        source=concept.source,
                        target=concept.target,
                        access_type=concept.access_type,
                        modifier=concept.modifier,
                        is_directed=concept.is_directed,
                    )
                )
        return ExchangeModel(
            path=str(path),
            version="",
            identifier=self.model_id,
            names=_texts(self.model_name),
            documentation=_texts(self.model_purpose),
            properties=model_properties,
            property_definitions=tuple(definitions.values()),
            elements=tuple(elements),
            relationships=tuple(relationships),
            organizations=(),
            views=(),
            format=ARCHI_CSV,
        )


def _normalise(value: str) -> str:
    """Archi's normalisation of names, keys and values on import: line ends and TABs become
    one space each."""
    return re.sub(r"\r\n|\r|\n|\t", " ", value)


def _texts(value: str) -> tuple[Text, ...]:
    return (Text(value),) if value else ()


# ----------------------------------------------------------------------------- writing


def write_archi_csv(
    model: ExchangeModel,
    folder: str | os.PathLike[str],
    prefix: str = "",
    *,
    delimiter: str = ",",
    encoding: str = "UTF-8",
    excel_compatible: bool = False,
    strip_newlines: bool = False,
) -> list[Path]:
    """Write a model as Archi's three CSV files, the way Archi's exporter writes them.

    Parameters
    ----------
    model
        Any neutral model: read from Archi CSV or from an exchange file. Folders and views are
        not part of the format; of several names, documentations or property values in
        different languages, the English one (else the one without a language, else the first)
        is written. A property named ``Specialization`` (any case) fills the Specialization
        column (further ones are written as properties).
    folder
        Where to write (made when missing); existing files of the same names are replaced.
    prefix
        Put before ``elements.csv``, ``relations.csv`` and ``properties.csv``.
    delimiter
        ``,`` (Archi's default), ``;`` or TAB.
    encoding
        ``UTF-8`` (Archi's default), ``UTF-8 BOM`` (a byte-order mark starts each file), or a
        codec name such as ``windows-1252`` (Archi itself reads only UTF-8 back).
    excel_compatible
        Archi's "Excel compatible" option: a value starting with a space or ``0`` is written
        as the formula ``="value"``, and one starting with ``=``, ``+``, ``-`` or ``@`` gets a
        space in front, so that a spreadsheet shows text and runs no formula.
    strip_newlines
        Archi's "strip newlines" option: line ends in values become spaces.

    Returns
    -------
    list of Path
        The elements, relations and properties files, always all three.

    Raises
    ------
    ArchiCSVError
        The model holds something Archi's format cannot: a type Archi does not know, an
        identifier with a character Archi's importer refuses, an access type that is none of
        Archi's, a text the encoding cannot hold. Nothing is written then.
    """
    if delimiter not in DELIMITERS:
        raise ArchiCSVError(f"the delimiter {delimiter!r} is none of Archi's: ',', ';', TAB")
    bom = re.sub(r"[-_ ]", "", encoding.upper()) == "UTF8BOM"
    codec = "utf-8" if bom else encoding
    try:
        codecs.lookup(codec)
    except LookupError:
        raise ArchiCSVError(f"unknown encoding {encoding!r}") from None
    writer = _Writer(model, delimiter, excel_compatible, strip_newlines)
    texts = {
        _ELEMENTS: writer.elements(),
        _RELATIONS: writer.relations(),
        _PROPERTIES: writer.properties(),
    }
    target = Path(folder)
    out: list[tuple[Path, bytes]] = []
    for kind, text in texts.items():
        path = target / f"{prefix}{kind}.csv"
        try:
            data = text.encode(codec)
        except UnicodeEncodeError as error:
            shown = text[error.start : error.end]
            line = text.count(_CRLF, 0, error.start) + 1
            raise ArchiCSVError(
                f"{shown!r} cannot be written in {encoding}; write UTF-8, which Archi reads",
                path=path,
                line=line,
            ) from None
        out.append((path, (codecs.BOM_UTF8 if bom else b"") + data))
    target.mkdir(parents=True, exist_ok=True)
    for path, data in out:
        path.write_bytes(data)
    return [path for path, _ in out]


def _one(texts: Sequence[Text]) -> str:
    """The text of one language: English, else none given, else the first."""
    for wanted in ("en", ""):
        for text in texts:
            if (text.lang or "").split("-")[0].lower() == wanted:
                return text.value
    return texts[0].value if texts else ""


def _utf16(value: str) -> bytes:
    # Java compares strings by UTF-16 code units; big-endian bytes sort the same way
    return value.encode("utf-16-be", "surrogatepass")


class _Writer:
    def __init__(
        self, model: ExchangeModel, delimiter: str, excel_compatible: bool, strip_newlines: bool
    ) -> None:
        self.model = model
        self.delimiter = delimiter
        self.excel = excel_compatible
        self.strip = strip_newlines
        self.names = {d.identifier: d.name for d in model.property_definitions}
        self.identifiers = {c.identifier for c in (*model.elements, *model.relationships)}
        for concept in (*model.elements, *model.relationships):
            self.check_id(concept.identifier, concept)

    def fail(self, concept: Concept | None, message: str) -> ArchiCSVError:
        where = "" if concept is None else f"{concept.type} {concept.identifier!r} (line "
        where += "" if concept is None else f"{concept.line}): "
        return ArchiCSVError(where + message, path=self.model.path)

    def check_id(self, identifier: str, concept: Concept | None) -> None:
        if not _ID.fullmatch(identifier):
            raise self.fail(
                concept,
                f"the identifier {identifier!r} has a character Archi's importer refuses "
                "(it takes letters a-z and A-Z, digits, '.', '_' and '-')",
            )

    def normalise(self, value: str) -> str:
        if self.strip:
            value = re.sub(r"\r\n|\r|\n", " ", value)
        return value.replace("\t", " ").replace('"', '""')

    def quoted(self, value: str) -> str:
        """Archi's surroundWithQuotes: the value is already normalised."""
        if self.excel and value.startswith((" ", "0")):
            return f'"=""{value}"""'
        if self.excel and value.startswith(("=", "+", "-", "@")):
            value = " " + value
        return f'"{value}"'

    def row(self, values: Iterable[str]) -> str:
        return self.delimiter.join(self.quoted(self.normalise(v)) for v in values)

    @staticmethod
    def header(names: Iterable[str], delimiter: str) -> str:
        return delimiter.join(f'"{name}"' for name in names)

    def split(self, concept: Concept) -> tuple[str, list[tuple[str, str]]]:
        """The concept's specialization and its other properties, as (key, value) pairs."""
        specialization = ""
        rest: list[tuple[str, str]] = []
        for prop in concept.properties:
            key = self.names.get(prop.definition, prop.definition)
            value = _one(prop.values)
            if not specialization and key.lower() == "specialization" and value:
                specialization = value
            else:
                rest.append((key, value))
        return specialization, rest

    def archi_type(self, concept: Concept) -> str:
        if isinstance(concept, Relationship):
            if concept.type not in _RELATIONSHIP_TYPES:
                raise self.fail(concept, "not an ArchiMate relationship type Archi knows")
            return concept.type + "Relationship"
        if concept.type in ("AndJunction", "OrJunction"):
            return "Junction"
        if concept.type not in _FOLDER_OF or concept.type == "Junction":
            raise self.fail(concept, "not an ArchiMate element type Archi knows")
        return concept.type

    def ordered(self, concepts: Iterable[Concept], by_folder: bool) -> list[Concept]:
        def key(concept: Concept) -> tuple[int, bytes, bytes]:
            archi_type = self.archi_type(concept)
            folder = _FOLDER_OF.get(archi_type, len(_FOLDERS)) if by_folder else 0
            name = _one(concept.names).lower().strip(_JAVA_TRIM)
            return folder, _utf16(archi_type.lower()), _utf16(name)

        return sorted(concepts, key=key)

    def elements(self) -> str:
        model = self.model
        lines = [
            self.header(_HEADERS[_ELEMENTS], self.delimiter),
            self.delimiter.join(
                [
                    self.quoted(self.normalise(model.identifier or "")),
                    self.quoted(_MODEL_TYPE),
                    self.quoted(self.normalise(_one(model.names))),
                    self.quoted(self.normalise(_one(model.documentation))),
                    '""',
                ]
            ),
        ]
        for concept in self.ordered(model.elements, by_folder=True):
            specialization, _ = self.split(concept)
            lines.append(
                self.row(
                    (
                        concept.identifier,
                        self.archi_type(concept),
                        _one(concept.names),
                        _one(concept.documentation),
                        specialization,
                    )
                )
            )
        return _CRLF.join(lines)

    def relations(self) -> str:
        lines = [self.header(_HEADERS[_RELATIONS], self.delimiter)]
        for concept in self.ordered(self.model.relationships, by_folder=False):
            assert isinstance(concept, Relationship)
            for end in (concept.source, concept.target):
                if end not in self.identifiers:
                    raise self.fail(concept, f"its end {end!r} is not in the model")
            specialization, _ = self.split(concept)
            lines.append(
                self.row(
                    (
                        concept.identifier,
                        self.archi_type(concept),
                        _one(concept.names),
                        _one(concept.documentation),
                        concept.source,
                        concept.target,
                        specialization,
                    )
                )
            )
        return _CRLF.join(lines)

    def properties(self) -> str:
        model = self.model
        lines = [self.header(_HEADERS[_PROPERTIES], self.delimiter)]
        if model.properties:
            if not model.identifier:
                raise self.fail(None, "the model has properties but no identifier to give them")
            self.check_id(model.identifier, None)
        for prop in model.properties:
            key = self.names.get(prop.definition, prop.definition)
            lines.append(self.row((model.identifier or "", key, _one(prop.values))))
        # Archi writes them in the order of its model: element folders, then relations
        elements = sorted(
            model.elements, key=lambda c: _FOLDER_OF.get(self.archi_type(c), len(_FOLDERS))
        )
        for concept in (*elements, *model.relationships):
            _, rest = self.split(concept)
            for key, value in (*rest, *self.special(concept)):
                lines.append(self.row((concept.identifier, key, value)))
        return _CRLF.join(lines)

    def special(self, concept: Concept) -> list[tuple[str, str]]:
        if concept.type in ("AndJunction", "OrJunction"):
            return [(_JUNCTION_TYPE, concept.type.removesuffix("Junction"))]
        if not isinstance(concept, Relationship):
            return []
        if concept.type == "Influence":
            return [(_INFLUENCE_STRENGTH, concept.modifier)] if concept.modifier else []
        if concept.type == "Access":
            # the exchange format's default; Archi's own is Write, which it always writes
            access = concept.access_type or "Access"
            if access not in _ACCESS_TYPES:
                raise self.fail(
                    concept, f"the access type {access!r} is none of " + ", ".join(_ACCESS_TYPES)
                )
            return [(_ACCESS_TYPE, access)]
        if concept.type == "Association":
            return [(_DIRECTED, "true" if concept.is_directed else "false")]
        return []
