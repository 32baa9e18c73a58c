"""What if the model changed? Apply a change set to a copy and see how the answers move.

:func:`what_if` copies the model into a new in-memory store (``Store.extend`` of every quad:
about 3.4 s for a million triples, faster than a dump and bulk load), applies the changes to the
copy only, validates and analyses the copy, and compares the answers with those of the model
(:mod:`kg.delta`), which come from an :class:`~kg.analysis.AnalysisCache`: the model's own
answers are worked out once, not for every what-if. The model itself is never written.

A change set is a JSON file (``.json``) or a SPARQL update (``.ru``, ``.rq``, ``.sparql``).

The JSON form::

    {"title": "Drop the kiosk channel",
     "changes": [
       {"remove": "tel:ch-kiosk"},
       {"retire": "tel:prod-tv-basic"},
       {"set": {"element": "tel:seg-students", "property": "bm:segmentSize", "value": 90000}},
       {"add": {"from": "tel:ptn-x", "property": "bm:alternativePartner", "to": "tel:ptn-y"}},
       {"unlink": {"from": "tel:ptn-x", "property": "bm:alternativePartner", "to": "tel:ptn-y"}},
       {"swap": {"partner": "tel:ptn-kiosk-suisse", "for": "tel:ptn-elektromarkt"}}
     ]}

Elements are named by IRI (``<...>`` or bare), by CURIE with the model's prefixes, or by label
where exactly one thing has it. Properties are named by IRI or CURIE and must be properties of
the ontology or used in the model.

``remove``
    Every statement about the element or pointing at it.
``retire``
    ``bm:lifecycleStatus`` becomes ``bmv:Retired`` (offerings and value propositions only).
``set``
    The property's values on the element are replaced by ``value`` (one value or a list): an
    element or concept for an object property, otherwise a literal of the property's range
    (a label keeps the language of the values it replaces).
``add`` / ``unlink``
    Add, or take out, the statement ``from property to`` (``to`` as ``value`` of ``set``);
    ``unlink`` without ``to`` takes out every value of the property.
``swap``
    ``for`` takes over the partner's links, in both directions: every statement pointing at the
    partner points at ``for`` instead, and the partner's links to other elements (not its own
    name, description, literals or vocabulary concepts such as its criticality) become
    ``for``'s; then the partner is removed. ``for`` defaults to the partner's
    ``bm:alternativePartner`` when it has exactly one.

A SPARQL update runs on the copy, where an operation without ``GRAPH`` sees the model as one
graph (the union of its files, as queries do); ``LOAD`` and ``SERVICE`` are refused.

Limits: at most :data:`MAX_OPERATIONS` operations and :data:`MAX_BYTES` bytes per change set.

>>> import kg
>>> model = kg.open_model(kg.example_path("telco"))
>>> changes = ChangeSet.from_json({"changes": [{"retire": "tel:vp-tv-sport"}]})
>>> result = what_if(model, changes, cache=AnalysisCache())
>>> result.applied[0].removed, result.applied[0].added
(1, 1)
"""

from __future__ import annotations

import difflib
import json
import os
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Final

import pyoxigraph as ox

from kg import portfolio
from kg.analysis import Analysis, AnalysisCache, analyse, default_cache
from kg.delta import Difference, compare
from kg.errors import KGError, QueryError
from kg.ontology import ONTOLOGY_IRI
from kg.questions import DEFAULT_PARAMETERS, Parameters
from kg.sparqlguard import check
from kg.store import KnowledgeGraph
from kg.validation import Severity, ValidationResult
from kg.vocab import STANDARD_PREFIXES

__all__ = [
    "CHANGE_SET_SCHEMA",
    "MAX_BYTES",
    "MAX_OPERATIONS",
    "Applied",
    "ChangeSet",
    "ChangeSetError",
    "Operation",
    "WhatIf",
    "load_changes",
    "what_if",
]

MAX_OPERATIONS: Final = 10_000
"""Operations a JSON change set may hold."""

MAX_BYTES: Final = 5 * 1024 * 1024
"""Bytes a change set (file or request body) may hold."""

WHAT_IF_GRAPH: Final = "urn:bmkg:what-if"
"""The graph of the copy that holds the statements a JSON change set adds."""

_BM = "https://w3id.org/bmkg/ontology#"
_BMV = "https://w3id.org/bmkg/vocab#"
_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_RDFS = "http://www.w3.org/2000/01/rdf-schema#"
_OWL = "http://www.w3.org/2002/07/owl#"
_SKOS = "http://www.w3.org/2004/02/skos/core#"
_XSD = "http://www.w3.org/2001/XMLSchema#"
_TYPE = ox.NamedNode(_RDF + "type")
_LABEL = ox.NamedNode(_RDFS + "label")
_STATUS = ox.NamedNode(_BM + "lifecycleStatus")
_RETIRED = ox.NamedNode(_BMV + "Retired")
_ALTERNATIVE = ox.NamedNode(_BM + "alternativePartner")
_IN_SCHEME = ox.NamedNode(_SKOS + "inScheme")
_PARTNER = ox.NamedNode(_BM + "KeyPartner")
_OPERATIONS: Final = ("remove", "retire", "set", "add", "unlink", "swap")
_FIELDS: Final = {
    "remove": None,
    "retire": None,
    "set": ({"element", "property", "value"}, set()),
    "add": ({"from", "property", "to"}, set()),
    "unlink": ({"from", "property"}, {"to"}),
    "swap": ({"partner"}, {"for"}),
}
_SPARQL_SUFFIXES: Final = (".ru", ".rq", ".sparql")

CHANGE_SET_SCHEMA: Final[Mapping[str, Any]] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "What-if change set",
    "type": "object",
    "required": ["changes"],
    "additionalProperties": False,
    "properties": {
        "title": {"type": "string"},
        "changes": {
            "type": "array",
            "maxItems": MAX_OPERATIONS,
            "items": {
                "type": "object",
                "minProperties": 1,
                "maxProperties": 1,
                "properties": {
                    "remove": {"type": "string"},
                    "retire": {"type": "string"},
                    "set": {
                        "type": "object",
                        "required": ["element", "property", "value"],
                        "additionalProperties": False,
                        "properties": {
                            "element": {"type": "string"},
                            "property": {"type": "string"},
                            "value": {},
                        },
                    },
                    "add": {
                        "type": "object",
                        "required": ["from", "property", "to"],
                        "additionalProperties": False,
                        "properties": {
                            "from": {"type": "string"},
                            "property": {"type": "string"},
                            "to": {},
                        },
                    },
                    "unlink": {
                        "type": "object",
                        "required": ["from", "property"],
                        "additionalProperties": False,
                        "properties": {
                            "from": {"type": "string"},
                            "property": {"type": "string"},
                            "to": {},
                        },
                    },
                    "swap": {
                        "type": "object",
                        "required": ["partner"],
                        "additionalProperties": False,
                        "properties": {"partner": {"type": "string"}, "for": {"type": "string"}},
                    },
                },
                "additionalProperties": False,
            },
        },
    },
}
"""The JSON form of a change set as a JSON Schema, for documentation and API clients;
:meth:`ChangeSet.from_json` checks the same rules by hand, with messages naming the operation."""


class ChangeSetError(KGError):
    """A change set cannot be read or applied: what is wrong, and where.

    Attributes
    ----------
    source : str
        The file (or ``"change set"`` for one given as data).
    index : int or None
        The 1-based number of the operation at fault.
    line, column : int or None
        Where in the file, for a syntax error.
    detail : str
        What is wrong.

    Examples
    --------
    >>> str(ChangeSetError("no element tel:nope", source="c.json", index=2, operation="remove"))
    'c.json: change 2 (remove): no element tel:nope'
    """

    def __init__(
        self,
        detail: str,
        *,
        source: str = "change set",
        index: int | None = None,
        operation: str | None = None,
        line: int | None = None,
        column: int | None = None,
    ) -> None:
        self.detail = detail
        self.source = source
        self.index = index
        self.operation = operation
        self.line = line
        self.column = column
        super().__init__(str(self))

    def __str__(self) -> str:
        where = self.source
        if self.line is not None:
            where += f":{self.line}" + (f":{self.column}" if self.column is not None else "")
        if self.index is not None:
            where += f": change {self.index}" + (f" ({self.operation})" if self.operation else "")
        return f"{where}: {self.detail}"


@dataclass(frozen=True)
class Operation:
    """One operation of a JSON change set: its 1-based place, its name and its arguments."""

    index: int
    name: str
    arguments: Mapping[str, Any]

    def to_dict(self) -> dict[str, Any]:
        value = self.arguments.get("element") if self.name in ("remove", "retire") else None
        return {self.name: value if value is not None else dict(self.arguments)}


@dataclass(frozen=True)
class ChangeSet:
    """A change set: JSON operations, or a SPARQL update (``update``)."""

    title: str | None = None
    operations: tuple[Operation, ...] = ()
    update: str | None = None
    source: str = "change set"

    @classmethod
    def from_json(cls, data: Any, *, source: str = "change set") -> ChangeSet:
        """A change set from parsed JSON, checked by the rules of :data:`CHANGE_SET_SCHEMA`.

        Raises
        ------
        ChangeSetError
            The data is not a change set (naming the operation at fault).
        """
        if not isinstance(data, dict):
            raise ChangeSetError("a change set is an object with a list of changes", source=source)
        unknown = set(data) - {"title", "changes"}
        if unknown:
            raise ChangeSetError(
                f"unknown key {', '.join(sorted(map(str, unknown)))}; a change set has a title "
                "and changes",
                source=source,
            )
        title = data.get("title")
        if title is not None and not isinstance(title, str):
            raise ChangeSetError("the title must be text", source=source)
        changes = data.get("changes")
        if not isinstance(changes, list):
            raise ChangeSetError("'changes' must be a list of operations", source=source)
        if len(changes) > MAX_OPERATIONS:
            raise ChangeSetError(
                f"{len(changes)} operations; a change set may hold at most {MAX_OPERATIONS}",
                source=source,
            )
        operations = tuple(
            _operation(change, index, source) for index, change in enumerate(changes, start=1)
        )
        return cls(title=title, operations=operations, source=source)

    @classmethod
    def from_text(cls, text: str, *, sparql: bool, source: str = "change set") -> ChangeSet:
        """A change set from the text of a JSON file, or of a SPARQL update.

        Raises
        ------
        ChangeSetError
            Too large, or malformed JSON (with line and column).
        QueryError
            A SPARQL update that does not parse (with line and column), or that would reach
            another server (``LOAD``, ``SERVICE``).
        """
        if len(text.encode("utf-8")) > MAX_BYTES:
            raise ChangeSetError(
                f"the change set is larger than {MAX_BYTES // (1024 * 1024)} MiB", source=source
            )
        if sparql:
            unreadable = check(text, update=True)
            if unreadable is not None:
                raise unreadable
            return cls(update=text, source=source)
        try:
            data = json.loads(text)
        except json.JSONDecodeError as error:
            raise ChangeSetError(
                f"malformed JSON: {error.msg}", source=source, line=error.lineno, column=error.colno
            ) from None
        return cls.from_json(data, source=source)

    def to_dict(self) -> dict[str, Any]:
        if self.update is not None:
            return {"title": self.title, "update": self.update}
        return {"title": self.title, "changes": [o.to_dict() for o in self.operations]}


def load_changes(path: str | os.PathLike[str]) -> ChangeSet:
    """Read a change set file: JSON (``.json``) or a SPARQL update (``.ru``, ``.rq``, ``.sparql``).

    Raises
    ------
    ChangeSetError
        The file cannot be read, is too large, has another extension, or is not a change set.
    QueryError
        A SPARQL update that does not parse or reaches another server.
    """
    where = Path(path)
    suffix = where.suffix.lower()
    if suffix not in (".json", *_SPARQL_SUFFIXES):
        raise ChangeSetError(
            "a change set is a .json file or a SPARQL update (.ru, .rq, .sparql)", source=str(path)
        )
    try:
        size = where.stat().st_size
        if size > MAX_BYTES:
            raise ChangeSetError(
                f"the file holds {size:,} bytes; a change set may hold at most {MAX_BYTES:,}",
                source=str(path),
            )
        text = where.read_text(encoding="utf-8")
    except OSError as error:
        raise ChangeSetError(f"cannot read: {error.strerror}", source=str(path)) from error
    except UnicodeDecodeError as error:
        raise ChangeSetError(f"not UTF-8 text: {error.reason}", source=str(path)) from error
    return ChangeSet.from_text(text, sparql=suffix in _SPARQL_SUFFIXES, source=str(path))


def _operation(change: Any, index: int, source: str) -> Operation:
    if not isinstance(change, dict) or len(change) != 1:
        raise ChangeSetError(
            "an operation is an object with one key: " + ", ".join(_OPERATIONS),
            source=source,
            index=index,
        )
    ((name, value),) = change.items()
    if name not in _OPERATIONS:
        close = difflib.get_close_matches(str(name), _OPERATIONS, n=1)
        hint = f" (did you mean {close[0]}?)" if close else ""
        raise ChangeSetError(
            f"unknown operation {name!r}{hint}; the operations are {', '.join(_OPERATIONS)}",
            source=source,
            index=index,
        )
    shape = _FIELDS[name]
    if shape is None:
        if not isinstance(value, str) or not value.strip():
            raise ChangeSetError(
                "give the element to change", source=source, index=index, operation=name
            )
        return Operation(index, name, {"element": value.strip()})
    required, optional = shape
    if isinstance(value, str) and name == "swap":
        value = {"partner": value}
    if not isinstance(value, dict):
        raise ChangeSetError(
            f"give an object with {', '.join(sorted(required | optional))}",
            source=source,
            index=index,
            operation=name,
        )
    missing, unknown = required - set(value), set(value) - required - optional
    if missing or unknown:
        parts = [f"missing {', '.join(sorted(missing))}"] if missing else []
        parts += [f"unknown {', '.join(sorted(map(str, unknown)))}"] if unknown else []
        raise ChangeSetError(
            "; ".join(parts) + f" (the fields are {', '.join(sorted(required | optional))})",
            source=source,
            index=index,
            operation=name,
        )
    for key in ("element", "property", "from", "partner", "for"):
        if key in value and not (isinstance(value[key], str) and value[key].strip()):
            raise ChangeSetError(
                f"{key} must be a name or an IRI", source=source, index=index, operation=name
            )
    return Operation(index, name, dict(value))


# --------------------------------------------------------------------------------------------
# The result


@dataclass(frozen=True)
class Applied:
    """What one operation did to the copy: the statements it took out and put in."""

    index: int
    operation: str
    description: str
    removed: int
    added: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "operation": self.operation,
            "description": self.description,
            "removed": self.removed,
            "added": self.added,
        }


@dataclass(frozen=True)
class WhatIf:
    """The outcome of :func:`what_if`: what was applied, what it broke and how answers moved."""

    changes: ChangeSet
    applied: tuple[Applied, ...]
    violations: tuple[ValidationResult, ...]
    """Violations of the shapes the changed model has and the model has not."""
    before: Analysis
    after: Analysis
    difference: Difference = field(repr=False)

    @property
    def breaks_shapes(self) -> bool:
        return bool(self.violations)

    def to_dict(self) -> dict[str, Any]:
        return {
            "title": self.changes.title,
            "source": self.changes.source,
            "applied": [a.to_dict() for a in self.applied],
            "breaks_shapes": self.breaks_shapes,
            "violations": [
                {
                    "focus_node": v.focus_node,
                    "focus_label": v.focus_label,
                    "path": v.path,
                    "value": v.value,
                    "message": v.message,
                    "shape": v.shape,
                }
                for v in self.violations
            ],
            "difference": self.difference.to_dict(),
        }

    def to_json(self, *, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)

    def to_text(self) -> str:
        """For a terminal: the change set, what each operation did, broken shapes, difference."""
        lines = [f"What if: {self.changes.title or self.changes.source}"]
        for a in self.applied:
            lines.append(
                f"  {a.index}. {a.description}: {a.removed} statement(s) out, {a.added} in"
            )
        if self.violations:
            n = len(self.violations)
            lines += [
                "",
                f"CAUTION: the changed model breaks its shapes ({n} new violation"
                f"{'' if n == 1 else 's'}); the answers below may be wrong.",
            ]
            for v in self.violations[:20]:
                name = f'"{v.focus_label}" {v.focus_node}' if v.focus_label else v.focus_node
                lines.append(f"  - {name}: {v.message}")
            if n > 20:
                lines.append(f"  ... and {n - 20} more")
        lines += ["", self.difference.to_text().rstrip("\n")]
        return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------------------------
# Applying a change set


def what_if(
    model: KnowledgeGraph,
    changes: ChangeSet,
    *,
    params: Parameters = DEFAULT_PARAMETERS,
    enterprise: portfolio.Choice = None,
    cache: AnalysisCache | None = None,
) -> WhatIf:
    """Apply ``changes`` to a copy of ``model`` and compare the copy's answers with the model's.

    Parameters
    ----------
    model
        The knowledge graph; it is read, never written.
    changes
        The change set (:func:`load_changes`, :meth:`ChangeSet.from_json`).
    params
        The thresholds of the questions, for both analyses.
    enterprise
        The enterprise to answer for, in a model of several.
    cache
        Where the model's own analysis is kept (:func:`kg.analysis.default_cache` by default).

    Raises
    ------
    ChangeSetError
        An operation names something the model does not hold (with close matches), an
        unknown property, or a swap with no alternative; the operation's number is given.
    QueryError
        The SPARQL update cannot run.
    EnterpriseError
        ``enterprise`` is not one of the model's.
    """
    cache = cache if cache is not None else default_cache()
    before = cache.get(model, params=params, enterprise=enterprise)
    copy = _copy(model)
    applied: tuple[Applied, ...]
    if changes.update is not None:
        applied = (_run_update(copy, changes),)
    else:
        names = _Names(copy, changes.source)  # later operations see earlier ones
        applied = tuple(_apply(copy, names, operation) for operation in changes.operations)
    after = analyse(copy, params=params, enterprise=_same_enterprise(before, enterprise))
    return WhatIf(
        changes=changes,
        applied=applied,
        violations=_new_violations(before, after),
        before=before,
        after=after,
        difference=compare(before, after),
    )


def _same_enterprise(before: Analysis, enterprise: portfolio.Choice) -> portfolio.Choice:
    # The copy's enterprise is the same IRI, unless the change set removed it (then the copy
    # has none to name, and the choice stands as given).
    return before.enterprise.iri if before.enterprise is not None else enterprise


def _copy(model: KnowledgeGraph) -> KnowledgeGraph:
    copy = KnowledgeGraph()
    for prefix, namespace in model.prefixes.items():
        copy.bind(prefix, namespace)
    copy.store.extend(model.quads())
    return copy


def _new_violations(before: Analysis, after: Analysis) -> tuple[ValidationResult, ...]:
    def key(r: ValidationResult) -> tuple[Any, ...]:
        return (r.focus_node, r.path, r.value, r.shape, r.component, r.message)

    if after.validation is None:
        return ()
    known = {key(r) for r in before.validation.results} if before.validation else set()
    return tuple(
        r
        for r in after.validation.results
        if r.severity is Severity.VIOLATION and key(r) not in known
    )


def _run_update(copy: KnowledgeGraph, changes: ChangeSet) -> Applied:
    """Run a SPARQL update on the copy, its default graph holding the union of the model."""
    assert changes.update is not None
    store = copy.store
    assert isinstance(store, ox.Store)
    union = set(copy.triples())
    store.extend(ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in union)
    try:
        store.update(changes.update, prefixes={**copy.prefixes, **STANDARD_PREFIXES})
    except SyntaxError as error:
        raise QueryError(str(error.msg), source=f"{changes.source}: SPARQL update") from None
    except (RuntimeError, OSError, ValueError) as error:
        raise QueryError(str(error), source=f"{changes.source}: SPARQL update") from None
    kept = {q.triple for q in store.quads_for_pattern(None, None, None, ox.DefaultGraph())}
    for triple in union - kept:
        for quad in list(store.quads_for_pattern(triple.subject, triple.predicate, triple.object)):
            store.remove(quad)
    for triple in kept:
        named = any(
            not isinstance(q.graph_name, ox.DefaultGraph)
            for q in store.quads_for_pattern(triple.subject, triple.predicate, triple.object)
        )
        if named:
            store.remove(ox.Quad(triple.subject, triple.predicate, triple.object))
    after = set(copy.triples())
    return Applied(
        index=1,
        operation="update",
        description="SPARQL update",
        removed=len(union - after),
        added=len(after - union),
    )


class _Names:
    """How a change set's names resolve to the model's IRIs, with close matches for typos."""

    def __init__(self, model: KnowledgeGraph, source: str) -> None:
        self.model = model
        self.source = source
        self.prefixes = {**STANDARD_PREFIXES, **model.prefixes}
        self._labels: dict[str, list[str]] | None = None
        self._properties: dict[str, dict[str, Any]] | None = None

    def fail(self, operation: Operation, detail: str) -> ChangeSetError:
        return ChangeSetError(
            detail, source=self.source, index=operation.index, operation=operation.name
        )

    def iri(self, text: str) -> str | None:
        """The IRI a name spells (not checked), or ``None`` for a name that is no IRI."""
        text = text.strip()
        if text.startswith("<") and text.endswith(">"):
            return text[1:-1]
        prefix, colon, local = text.partition(":")
        if colon and not local.startswith("//") and prefix in self.prefixes:
            return self.prefixes[prefix] + local
        if colon and (local.startswith("//") or prefix in ("urn", "mailto", "tag")):
            return text
        return None

    def element(self, operation: Operation, text: str) -> ox.NamedNode:
        """The element a name names: it must be the subject of some statement."""
        iri = self.iri(text)
        if iri is not None and self._exists(iri):
            return ox.NamedNode(iri)
        if iri is None:
            found = self.labels().get(text.casefold(), [])
            if len(found) == 1:
                return ox.NamedNode(found[0])
            if len(found) > 1:
                raise self.fail(
                    operation,
                    f"{len(found)} things are labelled {text!r}: "
                    + ", ".join(self.curie(i) for i in sorted(found))
                    + "; name one by its IRI",
                )
        raise self.fail(operation, f"the model holds no element {text!r}{self._close(text)}")

    def value(self, operation: Operation, prop: ox.NamedNode, value: Any) -> list[Any]:
        """The terms a JSON value stands for, as values of ``prop``."""
        values = value if isinstance(value, list) else [value]
        info = self.properties().get(prop.value, {})
        terms: list[Any] = []
        for item in values:
            if isinstance(item, bool):
                terms.append(ox.Literal(str(item).lower(), datatype=ox.NamedNode(_XSD + "boolean")))
            elif isinstance(item, int):
                terms.append(
                    ox.Literal(
                        str(item), datatype=ox.NamedNode(info.get("range") or _XSD + "integer")
                    )
                )
            elif isinstance(item, float):
                terms.append(
                    ox.Literal(
                        str(Decimal(str(item))),
                        datatype=ox.NamedNode(info.get("range") or _XSD + "decimal"),
                    )
                )
            elif isinstance(item, str) and info.get("object"):
                terms.append(self.element(operation, item))
            elif isinstance(item, str):
                rng = info.get("range")
                if rng and rng != _XSD + "string" and rng.startswith(_XSD):
                    terms.append(ox.Literal(item, datatype=ox.NamedNode(rng)))
                else:
                    terms.append(ox.Literal(item))
            else:
                raise self.fail(
                    operation,
                    f"a value must be text, a number or true/false, not {json.dumps(item)}",
                )
        return terms

    def property(self, operation: Operation, text: str) -> ox.NamedNode:
        iri = self.iri(text)
        known = self.properties()
        if iri is not None and iri in known:
            return ox.NamedNode(iri)
        curies = {self.curie(p): p for p in known}
        close = difflib.get_close_matches(text, list(curies), n=3, cutoff=0.7)
        hint = f" (did you mean {', '.join(close)}?)" if close else ""
        raise self.fail(operation, f"unknown property {text!r}{hint}")

    def properties(self) -> dict[str, dict[str, Any]]:
        """The ontology's properties (with whether they link to things, and their range) and the
        predicates the model uses."""
        if self._properties is None:
            found: dict[str, dict[str, Any]] = {}
            for row in _select(
                self.model,
                "SELECT ?p ?kind ?range WHERE { VALUES ?kind { owl:ObjectProperty "
                "owl:DatatypeProperty rdf:Property owl:AnnotationProperty } ?p a ?kind "
                "OPTIONAL { ?p rdfs:range ?range } }",
            ):
                entry = found.setdefault(row["p"].value, {})
                entry["object"] = (
                    entry.get("object") or row["kind"].value == _OWL + "ObjectProperty"
                )
                if row["range"] is not None and row["kind"].value != _OWL + "ObjectProperty":
                    entry["range"] = row["range"].value
            for row in _select(self.model, "SELECT DISTINCT ?p WHERE { ?s ?p ?o }"):
                found.setdefault(row["p"].value, {})
            found.setdefault(_TYPE.value, {})["object"] = True
            self._properties = found
        return self._properties

    def labels(self) -> dict[str, list[str]]:
        if self._labels is None:
            found: dict[str, list[str]] = {}
            ontology = ox.NamedNode(str(ONTOLOGY_IRI))
            for quad in self.model.quads(None, _LABEL):
                if quad.graph_name == ontology or not isinstance(quad.subject, ox.NamedNode):
                    continue
                if not isinstance(quad.object, ox.Literal):
                    continue
                names = found.setdefault(quad.object.value.casefold(), [])
                if quad.subject.value not in names:
                    names.append(quad.subject.value)
            self._labels = found
        return self._labels

    def curie(self, iri: str) -> str:
        for prefix, namespace in sorted(self.prefixes.items(), key=lambda p: -len(p[1])):
            if iri.startswith(namespace) and prefix:
                return f"{prefix}:{iri[len(namespace) :]}"
        return f"<{iri}>"

    def _exists(self, iri: str) -> bool:
        node = ox.NamedNode(iri)
        return next(self.model.quads(node), None) is not None

    def _close(self, text: str) -> str:
        candidates: dict[str, str] = {}
        for label, iris in self.labels().items():
            for iri in iris:
                candidates[self.curie(iri)] = iri
                candidates[label] = iri
        close = difflib.get_close_matches(
            text.casefold() if self.iri(text) is None else text, list(candidates), n=3, cutoff=0.6
        )
        shown = list(dict.fromkeys(self.curie(candidates[c]) for c in close))
        return f" (did you mean {', '.join(shown)}?)" if shown else ""


class _Edit:
    """Statements taken out of and put into the copy by one operation, counted once each."""

    def __init__(self, copy: KnowledgeGraph) -> None:
        self.store = copy.store
        self.removed: set[ox.Triple] = set()
        self.added: set[ox.Triple] = set()

    def remove(self, s: Any, p: Any, o: Any) -> None:
        for quad in list(self.store.quads_for_pattern(s, p, o, None)):
            self.store.remove(quad)
            triple = quad.triple
            if triple in self.added:
                self.added.discard(triple)
            else:
                self.removed.add(triple)

    def add(self, s: Any, p: Any, o: Any) -> None:
        if next(iter(self.store.quads_for_pattern(s, p, o, None)), None) is not None:
            return
        self.store.add(ox.Quad(s, p, o, ox.NamedNode(WHAT_IF_GRAPH)))
        triple = ox.Triple(s, p, o)
        if triple in self.removed:
            self.removed.discard(triple)
        else:
            self.added.add(triple)

    def values(self, s: Any, p: Any) -> list[Any]:
        return list(dict.fromkeys(q.object for q in self.store.quads_for_pattern(s, p, None, None)))


def _apply(copy: KnowledgeGraph, names: _Names, operation: Operation) -> Applied:
    edit = _Edit(copy)
    args = operation.arguments
    name = operation.name
    if name == "remove":
        element = names.element(operation, args["element"])
        edit.remove(element, None, None)
        edit.remove(None, None, element)
        description = f"remove {names.curie(element.value)}"
    elif name == "retire":
        element = names.element(operation, args["element"])
        if not edit.values(element, _STATUS):
            raise names.fail(
                operation,
                f"{names.curie(element.value)} has no lifecycle status to retire (only offerings "
                "and value propositions have one)",
            )
        edit.remove(element, _STATUS, None)
        edit.add(element, _STATUS, _RETIRED)
        description = f"retire {names.curie(element.value)}"
    elif name == "set":
        element = names.element(operation, args["element"])
        prop = names.property(operation, args["property"])
        terms = names.value(operation, prop, args["value"])
        terms = [_same_language(t, edit.values(element, prop)) for t in terms]
        edit.remove(element, prop, None)
        for term in terms:
            edit.add(element, prop, term)
        description = f"set {names.curie(prop.value)} of {names.curie(element.value)}"
    elif name in ("add", "unlink"):
        element = names.element(operation, args["from"])
        prop = names.property(operation, args["property"])
        if name == "add":
            for term in names.value(operation, prop, args["to"]):
                edit.add(element, prop, term)
        else:
            targets = names.value(operation, prop, args["to"]) if "to" in args else [None]
            for target in targets:
                present = next(iter(copy.store.quads_for_pattern(element, prop, target)), None)
                if present is None:
                    what = "" if target is None else f" {_shown(names, target)}"
                    raise names.fail(
                        operation,
                        f"{names.curie(element.value)} has no {names.curie(prop.value)}{what} "
                        "to unlink",
                    )
                edit.remove(element, prop, target)
        description = f"{name} {names.curie(element.value)} {names.curie(prop.value)}"
    else:
        partner, replacement = _swap(copy, names, operation, edit)
        description = f"swap {names.curie(partner.value)} for {names.curie(replacement.value)}"
    return Applied(operation.index, name, description, len(edit.removed), len(edit.added))


def _swap(
    copy: KnowledgeGraph, names: _Names, operation: Operation, edit: _Edit
) -> tuple[ox.NamedNode, ox.NamedNode]:
    args = operation.arguments
    partner = names.element(operation, args["partner"])
    if "for" in args:
        replacement = names.element(operation, args["for"])
    else:
        alternatives = [
            v for v in edit.values(partner, _ALTERNATIVE) if isinstance(v, ox.NamedNode)
        ]
        if len(alternatives) != 1:
            found = (
                "has no alternative partner (bm:alternativePartner)"
                if not alternatives
                else f"has {len(alternatives)} alternative partners ("
                + ", ".join(sorted(names.curie(a.value) for a in alternatives))
                + ")"
            )
            raise names.fail(
                operation, f'{names.curie(partner.value)} {found}; say which with "for"'
            )
        replacement = alternatives[0]
    if replacement == partner:
        raise names.fail(operation, "a partner cannot be swapped for itself")
    concepts = {q.subject for q in copy.store.quads_for_pattern(None, _IN_SCHEME, None, None)}
    outgoing = [
        q.triple
        for q in copy.store.quads_for_pattern(partner, None, None, None)
        if q.predicate != _TYPE
        and isinstance(q.object, ox.NamedNode)
        and q.object not in concepts
        and q.object != replacement
    ]
    incoming = [
        q.triple
        for q in copy.store.quads_for_pattern(None, None, partner, None)
        if q.subject != replacement
    ]
    edit.remove(partner, None, None)
    edit.remove(None, None, partner)
    for triple in outgoing:
        edit.add(replacement, triple.predicate, triple.object)
    for triple in incoming:
        edit.add(triple.subject, triple.predicate, replacement)
    return partner, replacement


def _select(model: KnowledgeGraph, sparql: str) -> Iterator[ox.QuerySolution]:
    results = model.query(sparql)
    assert isinstance(results, ox.QuerySolutions)
    return iter(results)


def _same_language(term: Any, existing: Sequence[Any]) -> Any:
    """A plain string takes the language of the values it replaces (labels are ``@en``)."""
    if not isinstance(term, ox.Literal) or term.datatype.value != _XSD + "string":
        return term
    languages = {v.language for v in existing if isinstance(v, ox.Literal) and v.language}
    return ox.Literal(term.value, language=languages.pop()) if len(languages) == 1 else term


def _shown(names: _Names, term: Any) -> str:
    return names.curie(term.value) if isinstance(term, ox.NamedNode) else json.dumps(term.value)
