"""Named versions of a model, kept in its own store: ``as-is``, ``to-be``, ``2026-09-30``.

Saving a version copies each of the model's graphs ``G`` (graphs of repeats and the ontology
included) into the hidden graph ``urn:bmkg:version:<name>:<G>`` (the default graph into
``urn:bmkg:version:<name>:``), and notes the version in the hidden graph ``urn:bmkg:versions``:
its name, when it was saved, an optional note and its number of statements. Hidden graphs
(:data:`kg.store.HIDDEN`) are no part of the model: queries, questions, validation, ``len`` and
exports see the model alone, and writes to the model leave the versions as they were saved.

Examples
--------
>>> from kg.model import open_model
>>> from kg.questions import ask_all
>>> model = open_model()
>>> saved = save_version(model, "as-is", note="before the merger")
>>> [(v.name, v.note) for v in versions(model)]
[('as-is', 'before the merger')]
>>> open_version(model, "as-is").graphs() == model.graphs()
True
>>> drop_version(model, "as-is")
>>> versions(model)
[]
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pyoxigraph as ox

from kg.errors import KGError, NotFoundError, StoreError
from kg.sandbox import mutating
from kg.store import HIDDEN, KnowledgeGraph

__all__ = [
    "VERSIONS_GRAPH",
    "Version",
    "VersionError",
    "VersionNotFoundError",
    "drop_version",
    "open_version",
    "restore_version",
    "save_version",
    "version_graph",
    "versions",
]

VERSIONS_GRAPH = HIDDEN + "s"
"""The hidden graph that lists the saved versions."""

_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")

# The list's terms: Dublin Core for the name, date and note, VoID for the size.
_DCT = "http://purl.org/dc/terms/"
_IDENTIFIER = ox.NamedNode(_DCT + "identifier")
_CREATED = ox.NamedNode(_DCT + "created")
_DESCRIPTION = ox.NamedNode(_DCT + "description")
_TRIPLES = ox.NamedNode("http://rdfs.org/ns/void#triples")
_PREFIX = ox.NamedNode(VERSIONS_GRAPH + "#prefix")
_DATETIME = ox.NamedNode("http://www.w3.org/2001/XMLSchema#dateTime")
_INTEGER = ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")


class VersionError(KGError, ValueError):
    """A version name is not allowed, or a version of that name is already saved."""


class VersionNotFoundError(NotFoundError):
    """No version of that name is saved in the store.

    Attributes
    ----------
    name : str
        The name asked for.
    versions : tuple of str
        The names of the versions there are.
    """

    def __init__(self, name: str, versions: tuple[str, ...]) -> None:
        super().__init__(name, what="version")
        self.name: str = name
        self.versions: tuple[str, ...] = versions
        there = ", ".join(versions) if versions else "none is saved"
        self.args = (f"no version {name!r} in the store; the versions: {there}",)

    def __str__(self) -> str:
        return str(self.args[0])


@dataclass(frozen=True, slots=True)
class Version:
    """A named version saved in a model's store.

    Attributes
    ----------
    name : str
    saved : datetime
        When it was saved (UTC).
    note : str or None
    statements : int
        How many statements the model made when it was saved (ontology included).
    """

    name: str
    saved: datetime
    note: str | None
    statements: int

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe form.

        >>> Version("as-is", datetime(2026, 9, 30, tzinfo=UTC), None, 12).to_dict()
        {'name': 'as-is', 'saved': '2026-09-30T00:00:00+00:00', 'note': None, 'statements': 12}
        """
        return {
            "name": self.name,
            "saved": self.saved.isoformat(),
            "note": self.note,
            "statements": self.statements,
        }


def check_name(name: str) -> str:
    """Return ``name`` if it may name a version, else raise :class:`VersionError`.

    >>> check_name("2026-09-30")
    '2026-09-30'
    >>> check_name("to be")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    kg.versions.VersionError: the version name 'to be' is not allowed: use 1 to 64 letters, ...
    """
    if not isinstance(name, str) or _NAME.fullmatch(name) is None:
        raise VersionError(
            f"the version name {name!r} is not allowed: use 1 to 64 letters, digits, "
            "'.', '_' or '-', starting with a letter or digit"
        )
    return name


def version_graph(name: str, graph: str | None) -> str:
    """The hidden graph that holds version ``name``'s copy of ``graph`` (``None``: the default).

    >>> version_graph("as-is", "file:///models/offer.ttl")
    'urn:bmkg:version:as-is:file:///models/offer.ttl'
    """
    return f"{_node(check_name(name)).value}:{graph or ''}"


def _node(name: str) -> ox.NamedNode:
    return ox.NamedNode(f"{HIDDEN}:{name}")


def versions(model: KnowledgeGraph) -> list[Version]:
    """The versions saved in the model's store, oldest first (then by name)."""
    found: dict[str, dict[ox.NamedNode, ox.Literal]] = {}
    for quad in model.store.quads_for_pattern(None, None, None, ox.NamedNode(VERSIONS_GRAPH)):
        if isinstance(quad.subject, ox.NamedNode) and isinstance(quad.object, ox.Literal):
            found.setdefault(quad.subject.value, {})[quad.predicate] = quad.object
    listed = []
    for facts in found.values():
        name, saved = facts.get(_IDENTIFIER), facts.get(_CREATED)
        if name is None or saved is None:
            continue
        note, size = facts.get(_DESCRIPTION), facts.get(_TRIPLES)
        listed.append(
            Version(
                name=name.value,
                saved=datetime.fromisoformat(saved.value),
                note=None if note is None else note.value,
                statements=0 if size is None else int(size.value),
            )
        )
    return sorted(listed, key=lambda v: (v.saved, v.name))


def _find(model: KnowledgeGraph, name: str) -> Version:
    check_name(name)
    listed = versions(model)
    for version in listed:
        if version.name == name:
            return version
    raise VersionNotFoundError(name, tuple(v.name for v in listed))


def _copies(model: KnowledgeGraph, name: str) -> list[tuple[ox.NamedNode, str]]:
    """The hidden graphs of a version, each with the name of the graph it copies ('' default)."""
    start = _node(name).value + ":"
    return sorted(
        (g, g.value.removeprefix(start))
        for g in model.store.named_graphs()
        if isinstance(g, ox.NamedNode) and g.value.startswith(start)
    )


def _copy(source: str, target: str) -> str:
    """A SPARQL update operation copying one graph into another (IRIs in angle brackets)."""
    if source == "DEFAULT":
        return f"INSERT {{ GRAPH {target} {{ ?s ?p ?o }} }} WHERE {{ ?s ?p ?o }}"
    into = "?s ?p ?o" if target == "DEFAULT" else f"GRAPH {target} {{ ?s ?p ?o }}"
    return f"INSERT {{ {into} }} WHERE {{ GRAPH {source} {{ ?s ?p ?o }} }}"


def _write(model: KnowledgeGraph, operations: list[str]) -> None:
    try:
        with mutating():
            # One request is one transaction: readers see the version whole or not at all.
            model.store.update(" ;\n".join(operations))
    except OSError as exc:
        raise StoreError(f"cannot write to store: {exc}", path=model.path) from exc
    model.flush()


def _forget(model: KnowledgeGraph, name: str) -> list[str]:
    """The operations removing a version's graphs and its entry in the list."""
    operations = [f"DROP SILENT GRAPH {g}" for g, _ in _copies(model, name)]
    operations.append(f"DELETE WHERE {{ GRAPH <{VERSIONS_GRAPH}> {{ {_node(name)} ?p ?o }} }}")
    return operations


def save_version(
    model: KnowledgeGraph, name: str, *, note: str | None = None, replace: bool = False
) -> Version:
    """Save the model as it is now under ``name``, in one transaction.

    Parameters
    ----------
    model
        The model; the version goes into its own store (on disk, it stays there).
    name
        1 to 64 letters, digits, ``.``, ``_`` or ``-``, starting with a letter or digit.
    note
        Says what the version is.
    replace
        Overwrite a version of that name; otherwise that is an error.

    Raises
    ------
    VersionError
        The name is not allowed, or a version of that name exists and ``replace`` is false.
    StoreError
        The store could not be written.
    """
    check_name(name)
    listed = {v.name for v in versions(model)}
    if name in listed and not replace:
        raise VersionError(
            f"a version {name!r} is already saved; drop it first or save with replace"
        )
    statements = _statements(model)
    saved = datetime.now(UTC).replace(microsecond=0)
    operations = _forget(model, name) if name in listed else []
    store = model.store
    operations += [_copy(str(g), f"<{version_graph(name, g.value)}>") for g in _model_graphs(model)]
    operations += [
        f"CREATE SILENT GRAPH <{version_graph(name, g.value)}>" for g in _model_graphs(model)
    ]
    if any(True for _ in store.quads_for_pattern(None, None, None, ox.DefaultGraph())):
        operations.append(_copy("DEFAULT", f"<{version_graph(name, None)}>"))
    node = _node(name)
    facts = [
        ox.Triple(node, _IDENTIFIER, ox.Literal(name)),
        ox.Triple(node, _CREATED, ox.Literal(saved.isoformat(), datatype=_DATETIME)),
        ox.Triple(node, _TRIPLES, ox.Literal(str(statements), datatype=_INTEGER)),
    ]
    if note is not None:
        facts.append(ox.Triple(node, _DESCRIPTION, ox.Literal(note)))
    facts += [
        ox.Triple(node, _PREFIX, ox.Literal(f"{prefix} {namespace}"))
        for prefix, namespace in sorted(model.prefixes.items())
    ]
    triples = "\n".join(f"{q.subject} {q.predicate} {q.object} ." for q in facts)
    operations.append(f"INSERT DATA {{ GRAPH <{VERSIONS_GRAPH}> {{\n{triples}\n}} }}")
    _write(model, operations)
    return Version(name=name, saved=saved, note=note, statements=statements)


def _model_graphs(model: KnowledgeGraph) -> list[ox.NamedNode]:
    """The model's named graphs, graphs of repeats included, hidden graphs left out."""
    return [
        g
        for g in model.store.named_graphs()
        if isinstance(g, ox.NamedNode) and not g.value.startswith(HIDDEN)
    ]


def _statements(model: KnowledgeGraph) -> int:
    answer = model.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    assert isinstance(answer, ox.QuerySolutions)
    count = next(iter(answer))["n"]
    return int(count.value) if count is not None else 0


def _prefixes(model: KnowledgeGraph, name: str) -> dict[str, str]:
    found = {}
    for quad in model.store.quads_for_pattern(
        _node(name), _PREFIX, None, ox.NamedNode(VERSIONS_GRAPH)
    ):
        if isinstance(quad.object, ox.Literal):
            prefix, _, namespace = quad.object.value.partition(" ")
            found[prefix] = namespace
    return found


def open_version(model: KnowledgeGraph, name: str) -> KnowledgeGraph:
    """A new in-memory knowledge graph holding the version's graphs under their own names.

    Queries, questions and validation on it answer as the model did when the version was
    saved. The prefixes are those saved with the version, then the model's.

    Raises
    ------
    VersionError
        The name is not allowed.
    VersionNotFoundError
        No version of that name is saved (the error lists those there are).
    """
    _find(model, name)
    opened = KnowledgeGraph()
    target = opened.store
    assert isinstance(target, ox.Store)
    for copy, graph in _copies(model, name):
        home: ox.NamedNode | ox.DefaultGraph = ox.NamedNode(graph) if graph else ox.DefaultGraph()
        if isinstance(home, ox.NamedNode):
            target.add_graph(home)
        target.extend(
            ox.Quad(q.subject, q.predicate, q.object, home)
            for q in model.store.quads_for_pattern(None, None, None, copy)
        )
    for prefix, namespace in {**model.prefixes, **_prefixes(model, name)}.items():
        opened.bind(prefix, namespace)
    return opened


def drop_version(model: KnowledgeGraph, name: str) -> None:
    """Remove a saved version from the store, in one transaction.

    Raises
    ------
    VersionError, VersionNotFoundError
        As :func:`open_version`.
    StoreError
        The store could not be written.
    """
    _find(model, name)
    _write(model, _forget(model, name))


def restore_version(model: KnowledgeGraph, name: str) -> Version:
    """Make the model the version again: its graphs replaced by the version's, atomically.

    Every graph of the model (the ontology's included) is replaced by the version's copy; graphs
    made since are removed. The version itself, and the others, stay saved.

    Raises
    ------
    VersionError, VersionNotFoundError
        As :func:`open_version`.
    StoreError
        The store could not be written.
    """
    version = _find(model, name)
    operations = ["DROP SILENT DEFAULT"]
    operations += [f"DROP SILENT GRAPH {g}" for g in _model_graphs(model)]
    for copy, graph in _copies(model, name):
        operations.append(_copy(str(copy), f"<{graph}>" if graph else "DEFAULT"))
        if graph:
            operations.append(f"CREATE SILENT GRAPH <{graph}>")
    _write(model, operations)
    for prefix, namespace in _prefixes(model, name).items():
        model.bind(prefix, namespace)
    return version
