"""The knowledge graph store, backed by an embedded Oxigraph database.

A :class:`KnowledgeGraph` holds RDF as a dataset of named graphs: every file
loaded goes into its own named graph (named by the file's ``file://`` URI), so
a file can be reloaded or inspected on its own, while queries see the union of
all graphs.

Examples
--------
>>> from kg.store import KnowledgeGraph
>>> from kg.ontology import ontology_path
>>> with KnowledgeGraph() as kg:
...     summary = kg.load(ontology_path())
...     answer = kg.query("ASK { ?class a <http://www.w3.org/2002/07/owl#Class> }")
>>> summary.files[0].name, bool(answer)
('bmkg.ttl', True)
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import os
import re
import xml.parsers.expat
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType, TracebackType
from typing import Any, NoReturn, Self, TypeAlias

import pyoxigraph as ox
import rdflib

from kg.errors import (
    QueryError,
    RDFSyntaxError,
    SourceError,
    SourceNotFoundError,
    StoreError,
    UnsupportedFormatError,
)
from kg.rdflibstore import RdflibStore, rdflib_term
from kg.remote import Endpoint, EndpointStore
from kg.sandbox import mutating
from kg.sparqltext import quad_data
from kg.vocab import STANDARD_PREFIXES


class _IllTypedLiterals(logging.Filter):
    """Drop rdflib's traceback for a literal whose lexical form does not fit its datatype.

    rdflib logs one, with a traceback, for every such literal it makes (``"2026-13-45"^^xsd:date``)
    and prints it unasked; validation reports the literal as a violation in the architect's
    terms, which is what a user needs to see.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith("Failed to convert Literal lexical form")


logging.getLogger("rdflib.term").addFilter(_IllTypedLiterals())

__all__ = [
    "HIDDEN",
    "KnowledgeGraph",
    "LoadSummary",
    "QueryResults",
    "RDF_FORMATS",
    "StoreBackend",
    "hidden",
    "parse_file",
    "rdf_files",
    "rdflib_term",
    "visible",
]

Term: TypeAlias = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple
"""An RDF term as pyoxigraph represents it."""

StoreBackend: TypeAlias = ox.Store | EndpointStore | RdflibStore
"""What holds the quads: embedded Oxigraph (the default), a SPARQL endpoint, or rdflib's
pure-Python memory store (the speed baseline). All three speak pyoxigraph's ``Store`` API."""

QueryResults: TypeAlias = (
    ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples | Iterator[ox.Triple]
)
"""What a query gives: solutions, a boolean, or triples (``CONSTRUCT``, ``DESCRIBE``)."""

RDF_FORMATS: Mapping[str, ox.RdfFormat] = MappingProxyType(
    {
        ".jsonld": ox.RdfFormat.JSON_LD,
        ".json-ld": ox.RdfFormat.JSON_LD,
        ".n3": ox.RdfFormat.N3,
        ".nq": ox.RdfFormat.N_QUADS,
        ".nt": ox.RdfFormat.N_TRIPLES,
        ".ntriples": ox.RdfFormat.N_TRIPLES,
        ".owl": ox.RdfFormat.RDF_XML,
        ".rdf": ox.RdfFormat.RDF_XML,
        ".trig": ox.RdfFormat.TRIG,
        ".ttl": ox.RdfFormat.TURTLE,
        ".turtle": ox.RdfFormat.TURTLE,
        ".xml": ox.RdfFormat.RDF_XML,
    }
)
"""File extension (lower case, with the dot) -> the RDF format it is parsed as."""

# Names accepted by ``KnowledgeGraph.serialize``: rdflib's names as well as
# extensions, since callers of this project know both.
_FORMAT_NAMES: Mapping[str, ox.RdfFormat] = MappingProxyType(
    {
        "json-ld": ox.RdfFormat.JSON_LD,
        "jsonld": ox.RdfFormat.JSON_LD,
        "n-quads": ox.RdfFormat.N_QUADS,
        "n-triples": ox.RdfFormat.N_TRIPLES,
        "n3": ox.RdfFormat.N3,
        "nquads": ox.RdfFormat.N_QUADS,
        "ntriples": ox.RdfFormat.N_TRIPLES,
        "pretty-xml": ox.RdfFormat.RDF_XML,
        "rdf/xml": ox.RdfFormat.RDF_XML,
        "rdfxml": ox.RdfFormat.RDF_XML,
        "trig": ox.RdfFormat.TRIG,
        "turtle": ox.RdfFormat.TURTLE,
        "xml": ox.RdfFormat.RDF_XML,
    }
)

_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"

# pyoxigraph puts the position both in SyntaxError's location fields and in
# the message; the message copy is dropped so str(RDFSyntaxError) shows it once.
_SPARQL_POSITION = re.compile(r"^error at (\d+):(\d+): (.*)$", re.DOTALL)

REPEATS = "urn:bmkg:repeats:"
"""Prefix of the graphs of repeats: ``urn:bmkg:repeats:`` + the graph of a file holds that file's
statements that another graph already made when it was written (see :meth:`KnowledgeGraph.dataset`).
"""


def repeats_of(graph: str) -> str:
    """The graph that holds the repeats of a graph.

    >>> repeats_of("file:///models/offer.ttl")
    'urn:bmkg:repeats:file:///models/offer.ttl'
    """
    return REPEATS + graph


HIDDEN = "urn:bmkg:version"
"""Prefix of the hidden graphs: the named versions of the model kept in its store
(:mod:`kg.versions`) and their list. They are no part of the model: :meth:`KnowledgeGraph.graphs`,
:meth:`~KnowledgeGraph.dataset` (so every query), :meth:`~KnowledgeGraph.triples`,
:meth:`~KnowledgeGraph.quads`, ``len`` and :meth:`~KnowledgeGraph.serialize` leave them out, and
writes placed by :meth:`~KnowledgeGraph.place` never touch them."""


# The dataset of a query on a server while the model has no graph: a name no graph has.
_NO_GRAPH = "urn:bmkg:no-graph"


def hidden(graph: object) -> bool:
    """Whether a graph (a name, or a pyoxigraph graph name) is hidden: no part of the model.

    Code that reads the store's quads across graphs (``quads_for_pattern(..., None)``) leaves the
    quads of these graphs out, as :func:`visible` does.

    >>> hidden("urn:bmkg:version:as-is:file:///models/offer.ttl"), hidden("urn:bmkg:versions")
    (True, True)
    >>> hidden(ox.NamedNode("file:///models/offer.ttl")), hidden(ox.DefaultGraph())
    (False, False)
    """
    if isinstance(graph, ox.NamedNode):
        graph = graph.value
    return isinstance(graph, str) and graph.startswith(HIDDEN)


def visible(quads: Iterable[ox.Quad]) -> Iterator[ox.Quad]:
    """The quads that are part of the model: those of hidden graphs (:func:`hidden`) left out.

    >>> g = ox.NamedNode("urn:bmkg:version:as-is:urn:x:g")
    >>> a = ox.NamedNode("urn:x:a")
    >>> [q.graph_name.value for q in visible([ox.Quad(a, a, a, g), ox.Quad(a, a, a, a)])]
    ['urn:x:a']
    """
    for quad in quads:
        graph = quad.graph_name
        if not (isinstance(graph, ox.NamedNode) and graph.value.startswith(HIDDEN)):
            yield quad


def _primary(graph: object) -> bool:
    """Whether a graph name is not a graph of repeats (the default graph is not one)."""
    return not (isinstance(graph, ox.NamedNode) and graph.value.startswith(REPEATS))


# A statement of <graph> that <other> also makes moves to the graph's repeats. The two graphs
# are joined smaller first: Oxigraph evaluates the patterns in the order written.
_DEDUPE = """
DELETE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }} INSERT {{ GRAPH <{repeats}> {{ ?s ?p ?o }} }}
WHERE {{ {first} {second} }}"""
# A statement that only graphs of repeats still make comes back to the graph of the first of them.
_PROMOTE = """
DELETE {{ GRAPH ?from {{ ?s ?p ?o }} }} INSERT {{ GRAPH ?home {{ ?s ?p ?o }} }}
WHERE {{
  {{
    SELECT ?s ?p ?o (MIN(STR(?side)) AS ?first) WHERE {{
      VALUES ?side {{ {sides} }}
      GRAPH ?side {{ ?s ?p ?o }}
      FILTER NOT EXISTS {{
        GRAPH ?g {{ ?s ?p ?o }}
        FILTER (!STRSTARTS(STR(?g), "{prefix}") && !STRSTARTS(STR(?g), "{hidden}"))
      }}
    }}
    GROUP BY ?s ?p ?o
  }}
  BIND (IRI(?first) AS ?from)
  BIND (IRI(STRAFTER(?first, "{prefix}")) AS ?home)
}}"""


_POSITION_PREFIX = re.compile(r"^Parser error (?:at|between) [^:]*: ")


@dataclass(frozen=True, slots=True)
class LoadSummary:
    """What one :meth:`KnowledgeGraph.load` call inserted.

    Attributes
    ----------
    files : tuple of Path
        The files read, in load order.
    triples : int
        Number of distinct quads inserted.
    graphs : tuple of str
        IRIs of the named graphs written (each one replaced by this load).
    """

    files: tuple[Path, ...]
    triples: int
    graphs: tuple[str, ...]


def rdf_files(paths: Iterable[str | os.PathLike[str]]) -> list[Path]:
    """Expand files and folders into the list of RDF files to load.

    Folders are searched recursively; only files with an extension of
    :data:`RDF_FORMATS` are kept, hidden files and folders (name starting with
    ``.``) are skipped, and each folder's files come sorted. A file named
    explicitly is kept even if hidden. A file reached twice is listed once.

    Parameters
    ----------
    paths
        Files and folders. A single path is accepted too.

    Returns
    -------
    list of Path
        The RDF files, as named (not resolved).

    Raises
    ------
    SourceNotFoundError
        A path does not exist, or a folder holds no RDF file.
    UnsupportedFormatError
        A file named explicitly has an extension that is not an RDF format.
    SourceError
        A folder could not be listed.

    Examples
    --------
    >>> from kg.ontology import ontology_dir, ontology_path, shapes_path
    >>> {ontology_path(), shapes_path()} <= set(rdf_files([ontology_dir()]))
    True
    """
    if isinstance(paths, str | os.PathLike):
        paths = [paths]
    found: dict[Path, Path] = {}
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            files = _folder_rdf_files(path)
            if not files:
                known = ", ".join(RDF_FORMATS)
                raise SourceNotFoundError(f"folder holds no RDF file ({known})", path=path)
        elif path.exists():
            if path.suffix.lower() not in RDF_FORMATS:
                raise UnsupportedFormatError(
                    f"unsupported extension {path.suffix or '(none)'!r}; "
                    f"known RDF extensions: {', '.join(RDF_FORMATS)}",
                    path=path,
                )
            files = [path]
        else:
            raise SourceNotFoundError("no such file or folder", path=path)
        for file in files:
            found.setdefault(file.resolve(), file)
    return list(found.values())


def _folder_rdf_files(folder: Path) -> list[Path]:
    def fail(error: OSError) -> NoReturn:
        # os.walk skips unreadable folders by default, which would silently
        # leave part of the model out of the graph.
        raise SourceError(
            f"cannot list folder: {error.strerror or error}", path=error.filename or folder
        )

    files: list[Path] = []
    for root, dirs, names in os.walk(folder, onerror=fail):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        files.extend(
            Path(root, name)
            for name in names
            if not name.startswith(".") and Path(name).suffix.lower() in RDF_FORMATS
        )
    return sorted(files)


class KnowledgeGraph:
    """An RDF dataset in an embedded Oxigraph store, one named graph per file.

    Parameters
    ----------
    path
        Folder of an on-disk store (created if missing). ``None`` (the
        default) keeps the store in memory. Only one store object, in one
        process, may have a given folder open at a time.
    endpoint
        A SPARQL 1.1 server to use instead of the embedded store (see
        :mod:`kg.remote`); the knowledge graph then reads and writes there.
    backend
        A store object made by the caller (an :class:`~kg.remote.EndpointStore`, a
        :class:`~kg.rdflibstore.RdflibStore` or a :class:`pyoxigraph.Store`).

    At most one of ``path``, ``endpoint`` and ``backend`` may be given.

    Raises
    ------
    StoreError
        The store could not be opened (e.g. already open, or not a store).

    Examples
    --------
    >>> kg = KnowledgeGraph()
    >>> len(kg)
    0
    >>> import tempfile
    >>> from kg.ontology import ontology_path
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     with KnowledgeGraph(path=folder + "/store") as kg:
    ...         triples = kg.load(ontology_path()).triples
    ...     with KnowledgeGraph(path=folder + "/store") as reopened:
    ...         len(reopened) == triples
    True
    """

    def __init__(
        self,
        *,
        path: str | os.PathLike[str] | None = None,
        endpoint: Endpoint | None = None,
        backend: StoreBackend | None = None,
    ) -> None:
        if sum(option is not None for option in (path, endpoint, backend)) > 1:
            raise ValueError("give at most one of path, endpoint and backend")
        self._path: Path | None = None if path is None else Path(path)
        self._prefixes: dict[str, str] = {}
        self._store: StoreBackend | None
        self._endpoint = endpoint
        try:
            if backend is not None:
                self._store = backend
            elif endpoint is not None:
                self._store = EndpointStore(endpoint)
            elif self._path is None:
                self._store = ox.Store()
            else:
                # Oxigraph creates the store folder but not its parents.
                self._path.parent.mkdir(parents=True, exist_ok=True)
                self._store = ox.Store(self._path)
        except OSError as exc:
            message = f"cannot open store: {exc}"
            if "lock" in str(exc).lower():
                message = (
                    "cannot open store: it is already open, in this process or another "
                    f"(only one may open it at a time): {exc}"
                )
            raise StoreError(message, path=self._path) from exc

    @property
    def prefixes(self) -> dict[str, str]:
        """Prefixes declared in the files loaded by this object (first declaration wins).

        Kept in memory only: a reopened on-disk store starts with none.
        """
        return dict(self._prefixes)

    def bind(self, prefix: str, namespace: str) -> None:
        """Declare a prefix for queries and serialisations, unless the prefix is taken.

        Examples
        --------
        >>> kg = KnowledgeGraph()
        >>> kg.bind("ex", "https://example.org/")
        >>> kg.prefixes
        {'ex': 'https://example.org/'}
        """
        self._prefixes.setdefault(prefix, namespace)

    def __repr__(self) -> str:
        where = "in memory" if self._path is None else str(self._path)
        if self._store is not None and not isinstance(self._store, ox.Store):
            where = repr(self._store)
        state = ", closed" if self._store is None else ""
        return f"<KnowledgeGraph {where}{state}>"

    @property
    def path(self) -> Path | None:
        """Folder of the on-disk store, or ``None`` for an in-memory store."""
        return self._path

    @property
    def store(self) -> StoreBackend:
        """The underlying store: a :class:`pyoxigraph.Store` unless another backend was given.

        Raises
        ------
        StoreError
            The knowledge graph has been closed.
        """
        if self._store is None:
            raise StoreError("the knowledge graph is closed", path=self._path)
        return self._store

    def __len__(self) -> int:
        """Number of quads, counted across the model's graphs (repeats included, hidden not)."""
        store = self.store
        total = len(store)
        for name in self._hidden_graphs():
            total -= _size(store, name.value)
        return total

    def _hidden_graphs(self) -> list[ox.NamedNode]:
        return [
            g
            for g in self.store.named_graphs()
            if isinstance(g, ox.NamedNode) and g.value.startswith(HIDDEN)
        ]

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def load(self, *paths: str | os.PathLike[str], graph: str | None = None) -> LoadSummary:
        """Load RDF files and folders, all or nothing.

        Each file goes into the named graph ``file:///absolute/path`` (or all
        into ``graph`` when given). Default-graph triples of quad formats
        (TriG, N-Quads) go there too; their named graphs keep their names.
        Every graph written is *replaced*: reloading a file swaps its old
        content for the new one (so files sharing one ``graph`` must be
        loaded in one call). Blank nodes are renamed on load, so two files
        (or two loads of one file) never share one by accident. A statement
        that another graph already makes is kept in the file's graph of
        repeats (:meth:`settle`), so that the model reads as a set of
        statements however many files make each one.

        Every file is parsed before anything is written, and the write is a
        single transaction, so on any error the store is left exactly as it
        was. N-Triples files going into graphs that do not exist yet (a first
        load of a large model) are streamed into the store instead, one
        transaction per file; on an error the graphs this call created are
        removed again, so the store is still left as it was.

        Parameters
        ----------
        *paths
            Files and folders, expanded with :func:`rdf_files`.
        graph
            IRI of one named graph to receive every file's triples.

        Returns
        -------
        LoadSummary

        Raises
        ------
        SourceNotFoundError, UnsupportedFormatError
            See :func:`rdf_files`.
        RDFSyntaxError
            A file is malformed; the error names file, line and column.
        SourceError
            A file could not be read, or uses a blank node as a graph name.
        StoreError
            The store could not be written.
        ValueError
            ``graph`` is not a valid IRI.

        Examples
        --------
        >>> kg = KnowledgeGraph()
        >>> from kg.ontology import ontology_path
        >>> summary = kg.load(ontology_path())
        >>> summary.graphs == (ontology_path().resolve().as_uri(),)
        True
        """
        store = self.store
        files = rdf_files(paths)
        if graph is None and isinstance(store, ox.Store) and _streamable(store, files):
            summary = self._load_streaming(store, files)
            self.settle(summary.graphs)
            return summary
        if (
            graph is None
            and isinstance(store, EndpointStore)
            and store.endpoint.graph_store
            and _streamable(store, files)
        ):
            summary = self._post_files(store, files)
            self.settle(summary.graphs)
            return summary
        target = None if graph is None else ox.NamedNode(graph)
        targets: dict[str, None] = {}
        quads: dict[ox.Quad, None] = {}
        prefixes: dict[str, str] = {}
        for file in files:
            file_graph = target if target is not None else ox.NamedNode(file.resolve().as_uri())
            targets[file_graph.value] = None
            parsed, file_prefixes = parse_file(file)
            prefixes.update(file_prefixes)
            for quad in parsed:
                name = quad.graph_name
                if isinstance(name, ox.DefaultGraph):
                    quad = ox.Quad(quad.subject, quad.predicate, quad.object, file_graph)
                elif isinstance(name, ox.BlankNode):
                    # SPARQL's INSERT DATA, which the atomic replace relies on,
                    # cannot name a graph by a blank node.
                    raise SourceError(
                        "graphs named by blank nodes (N3 formulas, TriG `_:g { }`) "
                        "are not supported; name the graph with an IRI",
                        path=file,
                    )
                else:
                    targets[name.value] = None
                quads[quad] = None
        self._replace(store, list(targets), list(quads))
        if not isinstance(store, RdflibStore):  # the speed baseline stays as rdflib reads it
            self.settle(list(targets))
        for prefix, namespace in prefixes.items():
            self._prefixes.setdefault(prefix, namespace)
        return LoadSummary(files=tuple(files), triples=len(quads), graphs=tuple(targets))

    def _load_streaming(self, store: ox.Store, files: list[Path]) -> LoadSummary:
        """Load N-Triples files into graphs that do not exist yet, straight into the store.

        Oxigraph parses and inserts each file in one transaction, without the file's quads
        passing through Python: several times faster than parsing first, which is what a
        model of millions of triples needs. A file that fails to load leaves nothing behind,
        and the graphs of the files loaded before it in this call are removed again (they did
        not exist before), so the load stays all or nothing; readers may see the files
        arrive one by one.
        """
        loaded: list[ox.NamedNode] = []
        before = len(store)
        try:
            for file in files:
                name = ox.NamedNode(file.resolve().as_uri())
                try:
                    with mutating():
                        store.load(
                            path=file,
                            format=ox.RdfFormat.N_TRIPLES,
                            base_iri=file.resolve().as_uri(),
                            to_graph=name,
                        )
                except SyntaxError as exc:
                    raise _syntax_error(exc, file, ox.RdfFormat.N_TRIPLES) from exc
                except FileNotFoundError as exc:
                    raise SourceNotFoundError("no such file", path=file) from exc
                except OSError as exc:
                    raise SourceError(
                        f"cannot read file: {exc.strerror or exc}", path=file
                    ) from exc
                loaded.append(name)
        except BaseException:
            with mutating():
                for name in loaded:
                    store.remove_graph(name)
            raise
        return LoadSummary(
            files=tuple(files),
            triples=len(store) - before,
            graphs=tuple(name.value for name in loaded),
        )

    def _post_files(self, store: EndpointStore, files: list[Path]) -> LoadSummary:
        """Load N-Triples files into graphs a server does not hold yet, by its bulk path.

        Each file is parsed here first (a malformed file is refused with its line, before
        anything is sent: a server's loader may take what N-Triples refuses), then sent as it
        is, one Graph Store Protocol ``POST`` per file (:meth:`EndpointStore.post_graph`), or
        per 100,000 lines of a larger file without blank nodes (Virtuoso 7 holds its locks
        and never answers a ``POST`` of a million triples; blank nodes keep a file whole, as
        a label names one node only within one request). A file that fails leaves the graphs
        this call made dropped again; readers may see the files arrive piece by piece.
        """
        whole: dict[Path, bool] = {}
        for file in files:
            lines, blank = 0, False
            try:
                for quad in ox.parse(path=file, format=ox.RdfFormat.N_TRIPLES):
                    lines += 1
                    blank = blank or isinstance(quad.subject, ox.BlankNode)
                    blank = blank or isinstance(quad.object, ox.BlankNode)
            except SyntaxError as exc:
                raise _syntax_error(exc, file, ox.RdfFormat.N_TRIPLES) from exc
            except FileNotFoundError as exc:
                raise SourceNotFoundError("no such file", path=file) from exc
            except OSError as exc:
                raise SourceError(f"cannot read file: {exc.strerror or exc}", path=file) from exc
            whole[file] = blank or lines <= _POST_LINES
        loaded: list[ox.NamedNode] = []
        try:
            before = len(store)
            for file in files:
                name = ox.NamedNode(file.resolve().as_uri())
                loaded.append(name)
                try:
                    with file.open("rb") as body:
                        if whole[file]:
                            store.post_graph(name, body)
                        else:
                            while piece := b"".join(itertools.islice(body, _POST_LINES)):
                                store.post_graph(name, piece)
                except OSError as exc:
                    raise StoreError(f"cannot write to store: {exc}", path=file) from exc
                except SyntaxError as exc:
                    raise SourceError(f"the server refused the file: {exc}", path=file) from exc
            count = len(store) - before
        except BaseException:
            with contextlib.suppress(OSError):
                store.update(" ;\n".join(f"DROP SILENT GRAPH <{g.value}>" for g in loaded))
            raise
        return LoadSummary(
            files=tuple(files),
            triples=count,
            graphs=tuple(name.value for name in loaded),
        )

    def _replace(self, store: StoreBackend, graphs: list[str], quads: list[ox.Quad]) -> None:
        names = [ox.NamedNode(g) for g in graphs]
        filled = {quad.graph_name for quad in quads}
        try:
            with mutating():
                if all(n in filled and not store.contains_named_graph(n) for n in names):
                    # Nothing to remove: Store.extend is one transaction and much
                    # faster than going through SPARQL. A server takes the quads in
                    # several requests: if one fails, the graphs made are dropped again.
                    try:
                        store.extend(quads)
                    except BaseException:
                        if isinstance(store, EndpointStore):
                            with contextlib.suppress(OSError, SyntaxError):
                                store.update(
                                    " ;\n".join(f"DROP SILENT GRAPH <{g}>" for g in graphs)
                                )
                        raise
                else:
                    # pyoxigraph exposes no transaction object, so remove-then-insert
                    # as two calls could leave a graph emptied (or half-replaced) if the
                    # second failed, and readers could see the gap. Store.update runs
                    # the whole request, all its operations, as one transaction
                    # (a failing last operation rolls back an earlier DROP; see
                    # test_pyoxigraph_update_request_is_one_transaction).
                    store.update(_replace_request(names, quads))
        except OSError as exc:
            raise StoreError(f"cannot write to store: {exc}", path=self._path) from exc
        except SyntaxError as exc:  # a server refused a request the store wrote
            raise StoreError(
                f"the server refused the write: {exc.msg or exc}", path=self._path
            ) from exc

    def graphs(self) -> list[str]:
        """IRIs of the named graphs, one per file (the graphs of repeats left out), sorted.

        Examples
        --------
        >>> KnowledgeGraph().graphs()
        []
        """
        return sorted(
            g.value
            for g in self.store.named_graphs()
            if isinstance(g, ox.NamedNode) and not g.value.startswith((REPEATS, HIDDEN))
        )

    def _all(self) -> list[str]:
        """The model's named graphs, graphs of repeats included (hidden graphs left out)."""
        return sorted(
            g.value
            for g in self.store.named_graphs()
            if isinstance(g, ox.NamedNode) and not g.value.startswith(HIDDEN)
        )

    def settle(self, graphs: Iterable[str] | None = None) -> None:
        """Store each statement of the model in one graph, the others' copies as repeats.

        ``graphs`` are the graphs just written (all by default): each statement of theirs that
        another graph makes moves to their graph of repeats, and a statement only repeats still
        make comes back to the graph of the first of them. Loading calls this; so does opening
        a store written before repeats were kept apart. The cost is in proportion to the
        smaller graph of each pair compared.

        Raises
        ------
        StoreError
            The store could not be written.
        """
        store = self.store
        primaries = self.graphs()
        names = primaries if graphs is None else [g for g in graphs if g in primaries]
        operations = []
        for name in names:
            size = _size(store, name)
            for other in primaries:
                if other == name:
                    continue
                mine = f"GRAPH <{name}> {{ ?s ?p ?o }}"
                theirs = f"GRAPH <{other}> {{ ?s ?p ?o }}"
                smaller = _size(store, other, cap=size + 1) <= size
                first, second = (theirs, mine) if smaller else (mine, theirs)
                operations.append(
                    _DEDUPE.format(graph=name, repeats=repeats_of(name), first=first, second=second)
                )
        sides = {repeats_of(n) for n in names} | {
            g.value
            for g in store.named_graphs()
            if isinstance(g, ox.NamedNode) and g.value.startswith(REPEATS)
        }
        if sides:
            listed = " ".join(f"<{g}>" for g in sorted(sides))
            operations.append(_PROMOTE.format(sides=listed, prefix=REPEATS, hidden=HIDDEN))
        if not operations:
            return
        try:
            with mutating():
                store.update(" ;\n".join(operations))
        except OSError as exc:
            raise StoreError(f"cannot write to store: {exc}", path=self._path) from exc

    def place(
        self, *, add: Iterable[ox.Quad] = (), remove: Iterable[ox.Quad] = ()
    ) -> tuple[list[ox.Quad], list[ox.Quad]]:
        """The quads to add and remove so that a write keeps each statement in one graph.

        A statement written to a graph where another graph already makes it goes to the
        graph's repeats instead; a statement removed from a graph is removed from its repeats
        too; and one no graph makes any more after the write comes back from the first graph
        of repeats that still holds it. Statements with blank nodes are placed as written
        (blank nodes are never shared between files).

        Examples
        --------
        >>> kg = KnowledgeGraph()
        >>> a, p, o = ox.NamedNode("urn:x:a"), ox.NamedNode("urn:x:p"), ox.NamedNode("urn:x:o")
        >>> kg.store.add(ox.Quad(a, p, o, ox.NamedNode("urn:x:g1")))
        >>> added, removed = kg.place(add=[ox.Quad(a, p, o, ox.NamedNode("urn:x:g2"))])
        >>> [q.graph_name.value for q in added], removed
        (['urn:bmkg:repeats:urn:x:g2'], [])
        """
        store = self.store
        # The hidden graphs (saved versions) are written by kg.versions alone: a write to the
        # model leaves them as they are.
        add, remove = list(dict.fromkeys(visible(add))), list(dict.fromkeys(visible(remove)))
        removed: dict[ox.Quad, None] = dict.fromkeys(remove)
        for quad in remove:
            if isinstance(quad.graph_name, ox.NamedNode) and _primary(quad.graph_name):
                side = ox.Quad(
                    quad.subject,
                    quad.predicate,
                    quad.object,
                    ox.NamedNode(repeats_of(quad.graph_name.value)),
                )
                if _present(store, side):
                    removed[side] = None
        added: dict[ox.Quad, None] = {}
        touched: dict[ox.Triple, None] = {}
        for quad in [*add, *remove]:
            if any(isinstance(t, ox.BlankNode) for t in (quad.subject, quad.object)):
                if quad in add:
                    added[quad] = None
                continue
            touched[quad.triple] = None
        for triple in touched:
            before = _everywhere(store, triple)
            after = (before - set(removed)) | {q for q in add if q.triple == triple}
            primaries = sorted(
                (q for q in after if _primary(q.graph_name)),
                key=lambda q: (q not in before, str(q.graph_name)),
            )
            keep = primaries[:1]
            for quad in primaries[1:]:
                if not isinstance(quad.graph_name, ox.NamedNode):
                    continue  # the default graph and blank-node graphs keep their copies
                side = ox.Quad(
                    triple.subject,
                    triple.predicate,
                    triple.object,
                    ox.NamedNode(repeats_of(quad.graph_name.value)),
                )
                after = (after - {quad}) | {side}
                if quad in before:
                    removed[quad] = None
            if not keep:
                sides = sorted(
                    (q for q in after if not _primary(q.graph_name)),
                    key=lambda q: str(q.graph_name),
                )
                if sides and isinstance(sides[0].graph_name, ox.NamedNode):
                    home = ox.NamedNode(sides[0].graph_name.value.removeprefix(REPEATS))
                    after = (after - {sides[0]}) | {
                        ox.Quad(triple.subject, triple.predicate, triple.object, home)
                    }
            for quad in after - before:
                added[quad] = None
            for quad in before - after:
                removed[quad] = None
        return list(added), [q for q in removed if q not in added]

    def dataset(self) -> dict[str, Any]:
        """The query options that read the model as a set of statements.

        Each statement is stored in one graph only; a file's statements that another graph
        already makes are kept in that file's graph of repeats (:data:`REPEATS`), which the
        default graph leaves out, as it leaves out the hidden graphs (:data:`HIDDEN`), which
        ``GRAPH`` clauses do not see either. Without repeats or hidden graphs this is Oxigraph's
        union default graph; with them, the list of the other graphs (a little slower). So it is
        on a server that keeps graphs of its own in its union (Virtuoso's,
        :data:`kg.remote.SERVER_GRAPHS`).
        """
        names = [g for g in self.store.named_graphs() if isinstance(g, ox.NamedNode)]
        theirs = getattr(self.store, "server_graphs", ())  # a server's own graphs, in its union
        if not theirs and not any(g.value.startswith((REPEATS, HIDDEN)) for g in names):
            return {"use_default_graph_as_union": True}
        kept = [g for g in names if not g.value.startswith((REPEATS, HIDDEN))]
        if isinstance(self.store, ox.Store):
            # The store's own default graph is part of Oxigraph's union too.
            return {"default_graph": [ox.DefaultGraph(), *kept], "named_graphs": kept}
        # A server given no graph reads its whole union: name one that holds nothing instead.
        kept = kept or [ox.NamedNode(_NO_GRAPH)]
        return {"default_graph": kept, "named_graphs": kept}

    def triples(self, graph: str | None = None) -> Iterator[ox.Triple]:
        """Iterate over the triples of one named graph, or of the union of all graphs.

        Parameters
        ----------
        graph
            IRI of a named graph (with its repeats, as the file made them);
            ``None`` for the union of the model's graphs (default graph included, hidden
            graphs left out), where a triple found in several graphs is yielded once.

        Examples
        --------
        >>> list(KnowledgeGraph().triples())
        []
        """
        if graph is not None:
            return (q.triple for q in self._graph_quads(graph))
        return _distinct(q.triple for q in self.quads())

    def quads(
        self,
        subject: ox.NamedNode | ox.BlankNode | None = None,
        predicate: ox.NamedNode | None = None,
        object: Term | None = None,
        graph: ox.NamedNode | ox.DefaultGraph | None = None,
    ) -> Iterator[ox.Quad]:
        """The model's quads that match a pattern (``None`` matches anything).

        ``store.quads_for_pattern`` with the hidden graphs (:data:`HIDDEN`) left out: read the
        model's quads across graphs with this, not with the store's own method.

        Examples
        --------
        >>> kg = KnowledgeGraph()
        >>> a = ox.NamedNode("urn:x:a")
        >>> kg.store.add(ox.Quad(a, a, a, ox.NamedNode("urn:x:g")))
        >>> kg.store.add(ox.Quad(a, a, a, ox.NamedNode("urn:bmkg:version:v1:urn:x:g")))
        >>> [q.graph_name.value for q in kg.quads(a)]
        ['urn:x:g']
        """
        store = self.store
        if graph is not None:
            if hidden(graph):
                return iter(())
            return iter(store.quads_for_pattern(subject, predicate, object, graph))
        if subject is None and predicate is None and object is None:
            names = self._hidden_graphs()
            if names:
                # Read graph by graph, so a saved version's quads are not even walked over.
                shown = [
                    g
                    for g in store.named_graphs()
                    if not (isinstance(g, ox.NamedNode) and g.value.startswith(HIDDEN))
                ]
                return itertools.chain(
                    store.quads_for_pattern(None, None, None, ox.DefaultGraph()),
                    *(store.quads_for_pattern(None, None, None, g) for g in shown),
                )
        return visible(store.quads_for_pattern(subject, predicate, object, None))

    def _graph_quads(self, graph: str) -> Iterator[ox.Quad]:
        """A file's graph as loaded: its quads, and its repeats put back in it."""
        name = ox.NamedNode(graph)
        yield from self.store.quads_for_pattern(None, None, None, name)
        for quad in self.store.quads_for_pattern(None, None, None, ox.NamedNode(repeats_of(graph))):
            yield ox.Quad(quad.subject, quad.predicate, quad.object, name)

    def query(self, sparql: str, *, bindings: Mapping[str, Term] | None = None) -> QueryResults:
        """Run a SPARQL query over the union of all graphs, as a set (see :meth:`dataset`).

        ``GRAPH`` clauses still see each named graph separately.

        Parameters
        ----------
        sparql
            A SPARQL 1.1 query (``SELECT``, ``ASK``, ``CONSTRUCT``, ``DESCRIBE``).
        bindings
            Values for variables, by name with or without the ``?``. Oxigraph
            substitutes them as in SPARQL SEP-0007: in a ``SELECT`` a bound
            variable must be in the projection (``SELECT *`` is fine), or
            Oxigraph raises ``RuntimeError``.

        Returns
        -------
        pyoxigraph.QuerySolutions, pyoxigraph.QueryBoolean or an iterator of pyoxigraph.Triple
            Solutions for ``SELECT``, a boolean for ``ASK``, triples otherwise.
            A result keeps the store open until it is garbage collected.

        The usual prefixes (``bm:``, ``rdf:``, ``rdfs:``, ``owl:``, ``xsd:``, ``skos:``,
        ``dcterms:``, ``org:``, ``prov:``, ``schema:``, ``sh:``) and those declared in the loaded
        files are predeclared; the query's own ``PREFIX`` lines take precedence.

        Raises
        ------
        QueryError
            The query is not valid SPARQL (with line and column), or cannot run (a bound
            variable missing from the projection).

        Examples
        --------
        >>> import pyoxigraph as ox
        >>> kg = KnowledgeGraph()
        >>> kg.store.add(ox.Quad(ox.NamedNode("http://ex/a"), ox.NamedNode("http://ex/p"),
        ...                      ox.Literal("1"), ox.NamedNode("http://ex/g")))
        >>> [row["o"].value for row in kg.query(
        ...     "SELECT ?s ?o WHERE { ?s ?p ?o }", bindings={"s": ox.NamedNode("http://ex/a")})]
        ['1']
        """
        substitutions = (
            {ox.Variable(name.lstrip("?$")): value for name, value in bindings.items()}
            if bindings
            else None
        )
        prefixes = {**self._prefixes, **STANDARD_PREFIXES}
        try:
            return self.store.query(
                sparql,
                prefixes=prefixes,
                substitutions=substitutions,
                **self.dataset(),
            )
        except SyntaxError as exc:
            position = _SPARQL_POSITION.match(str(exc.msg))
            if position is None:
                raise QueryError(str(exc.msg)) from exc
            line, column, detail = position.groups()
            raise QueryError(detail, line=int(line), column=int(column)) from exc
        except RuntimeError as exc:
            raise QueryError(str(exc)) from exc
        except OSError as exc:
            raise StoreError(f"cannot query the store: {exc}", path=self._path) from exc

    def to_rdflib(self) -> rdflib.Graph:
        """Copy the union of all graphs into an in-memory :class:`rdflib.Graph`.

        Blank nodes keep their identity (one store blank node is one
        ``BNode``); ``xsd:string`` literals become plain literals, as rdflib's
        own parsers make them.

        Raises
        ------
        ValueError
            The data holds RDF 1.2 terms rdflib cannot represent (triple terms,
            directional language strings).

        Examples
        --------
        >>> len(KnowledgeGraph().to_rdflib())
        0
        """
        result = rdflib.Graph()
        for triple in self.triples():
            result.add(
                (
                    rdflib_term(triple.subject),
                    rdflib_term(triple.predicate),
                    rdflib_term(triple.object),
                )
            )
        for prefix, namespace in self._prefixes.items():
            result.bind(prefix, namespace, override=False)
        return result

    def serialize(self, *, format: str = "turtle", graph: str | None = None) -> bytes:
        """Serialize the graph.

        Parameters
        ----------
        format
            ``turtle``, ``ntriples``, ``nquads``, ``trig``, ``json-ld``,
            ``xml`` (RDF/XML), ``n3``, a file extension or a media type.
        graph
            IRI of one named graph; ``None`` for everything. Triple formats
            then get the union of all graphs; formats that carry graphs
            (TriG, N-Quads, JSON-LD) get the whole dataset, graph names kept.

        Raises
        ------
        ValueError
            Unknown format.

        Examples
        --------
        >>> KnowledgeGraph().serialize(format="nt")
        b''
        """
        rdf_format = _rdf_format(format)
        store = self.store
        data: bytes | None
        if not rdf_format.supports_datasets:
            data = ox.serialize(self.triples(graph), format=rdf_format)
        elif graph is None and not self._hidden_graphs():
            data = store.dump(format=rdf_format)
        elif graph is None:
            data = ox.serialize(self.quads(), format=rdf_format)
        else:
            data = ox.serialize(self._graph_quads(graph), format=rdf_format)
        assert data is not None  # no output target given, so pyoxigraph returns bytes
        return data

    def clear(self) -> None:
        """Remove every graph and triple of the model (the hidden graphs, :data:`HIDDEN`, stay).

        Raises
        ------
        StoreError
            The store could not be written.
        """
        try:
            with mutating():
                if not self._hidden_graphs():
                    self.store.clear()
                    return
                drops = ["DROP SILENT DEFAULT"] + [f"DROP SILENT GRAPH <{g}>" for g in self._all()]
                self.store.update(" ;\n".join(drops))
        except OSError as exc:
            raise StoreError(f"cannot clear store: {exc}", path=self._path) from exc

    def flush(self) -> None:
        """Make sure every write has reached the disk (a no-op in memory).

        Raises
        ------
        StoreError
            The flush failed.
        """
        try:
            with mutating():
                self.store.flush()
        except OSError as exc:
            raise StoreError(f"cannot flush store: {exc}", path=self._path) from exc

    def close(self) -> None:
        """Flush and release the store; closing twice is harmless.

        pyoxigraph has no ``close``: the database (and its lock on the folder)
        is released when the last reference to the ``pyoxigraph.Store`` goes,
        and query results returned by :meth:`query` hold one until they are
        garbage collected.

        Raises
        ------
        StoreError
            The final flush failed.
        """
        store, self._store = self._store, None
        if isinstance(store, EndpointStore | RdflibStore):
            store.close()
        if store is not None and self._path is not None:
            try:
                store.flush()
            except OSError as exc:
                raise StoreError(f"cannot flush store: {exc}", path=self._path) from exc


def parse_file(path: Path) -> tuple[list[ox.Quad], dict[str, str]]:
    """Every statement of an RDF file as written (blank nodes renamed), and its prefixes.

    Raises the errors :meth:`KnowledgeGraph.load` names for a file that cannot be read.
    """
    rdf_format = RDF_FORMATS[path.suffix.lower()]
    try:
        if rdf_format == ox.RdfFormat.RDF_XML:
            _check_xml(path)
        # The whole file is read here, before the store is touched: that is
        # what lets a load be all-or-nothing. Renaming blank nodes keeps
        # ``_:b1`` in two files from becoming one node in the store.
        parser = ox.parse(
            path=path,
            format=rdf_format,
            base_iri=path.resolve().as_uri(),
            rename_blank_nodes=True,
        )
        quads = list(parser)
        return quads, dict(parser.prefixes or {})
    except SyntaxError as exc:
        raise _syntax_error(exc, path, rdf_format) from exc
    except FileNotFoundError as exc:
        raise SourceNotFoundError("no such file", path=path) from exc
    except OSError as exc:
        raise SourceError(f"cannot read file: {exc.strerror or exc}", path=path) from exc
    except ValueError as exc:
        raise SourceError(f"cannot parse as {rdf_format.name}: {exc}", path=path) from exc


def _syntax_error(exc: SyntaxError, path: Path, rdf_format: ox.RdfFormat) -> RDFSyntaxError:
    return RDFSyntaxError(
        _POSITION_PREFIX.sub("", str(exc.msg), count=1),
        path=path,
        format_name=rdf_format.name,
        line=exc.lineno,
        column=exc.offset,
        end_line=exc.end_lineno,
        end_column=exc.end_offset,
    )


# Lines of N-Triples a Graph Store Protocol request carries at most (see _post_files).
_POST_LINES = 100_000


def _streamable(store: StoreBackend, files: list[Path]) -> bool:
    """Whether every file is N-Triples (no prefixes to keep) going to a graph not yet there."""
    names = [file.resolve().as_uri() for file in files]
    return (
        bool(files)
        and len(set(names)) == len(names)
        and all(RDF_FORMATS[file.suffix.lower()] == ox.RdfFormat.N_TRIPLES for file in files)
        and not any(store.contains_named_graph(ox.NamedNode(name)) for name in names)
    )


def _check_xml(path: Path) -> None:
    # pyoxigraph 0.5.13 reports RDF/XML errors without a position, and accepts
    # a truncated document (unclosed elements) silently (fixed upstream by
    # oxigraph PR #1940). expat finds both, with line and column.
    parser = xml.parsers.expat.ParserCreate(namespace_separator=" ")
    try:
        with path.open("rb") as stream:
            parser.ParseFile(stream)
    except xml.parsers.expat.ExpatError as exc:
        raise RDFSyntaxError(
            xml.parsers.expat.errors.messages[exc.code],
            path=path,
            format_name=ox.RdfFormat.RDF_XML.name,
            line=exc.lineno,
            column=exc.offset + 1,  # expat counts columns from 0
        ) from exc


def _replace_request(graphs: list[ox.NamedNode], quads: list[ox.Quad]) -> str:
    operations = [f"DROP SILENT GRAPH {g}" for g in graphs]
    # A graph's repeats go with it; settling afterwards finds them again.
    operations += [f"DROP SILENT GRAPH <{repeats_of(g.value)}>" for g in graphs]
    if quads:
        operations.append(f"INSERT DATA {{\n{quad_data(quads)}\n}}")
    # An empty file still gets its (empty) graph, as it does on a first load.
    operations.extend(f"CREATE SILENT GRAPH {g}" for g in graphs)
    return " ;\n".join(operations)


def _size(store: StoreBackend, graph: str, *, cap: int | None = None) -> int:
    """How many quads a graph holds (at most ``cap``, counting no further)."""
    inner = f"GRAPH <{graph}> {{ ?s ?p ?o }}"
    if cap is not None:
        inner = f"{{ SELECT * WHERE {{ {inner} }} LIMIT {int(cap)} }}"
    answer = store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ {inner} }}")
    assert isinstance(answer, ox.QuerySolutions)
    count = next(iter(answer))["n"]
    return int(count.value) if count is not None else 0


def _everywhere(store: StoreBackend, triple: ox.Triple) -> set[ox.Quad]:
    """The quads of a statement, in every graph of the model (hidden graphs left out)."""
    if isinstance(triple.subject, ox.Triple):
        return set()  # RDF 1.2 triple terms never reach this store as subjects
    return set(
        visible(store.quads_for_pattern(triple.subject, triple.predicate, triple.object, None))
    )


def _present(store: StoreBackend, quad: ox.Quad) -> bool:
    if isinstance(quad.subject, ox.Triple):
        return False
    found = store.quads_for_pattern(quad.subject, quad.predicate, quad.object, quad.graph_name)
    return next(iter(found), None) is not None


def _distinct(triples: Iterable[ox.Triple]) -> Iterator[ox.Triple]:
    seen: set[ox.Triple] = set()
    for triple in triples:
        if triple not in seen:
            seen.add(triple)
            yield triple


def _rdf_format(name: str) -> ox.RdfFormat:
    key = name.strip().lower()
    rdf_format = (
        _FORMAT_NAMES.get(key)
        or RDF_FORMATS.get(key if key.startswith(".") else f".{key}")
        or ox.RdfFormat.from_media_type(key)
    )
    if rdf_format is None:
        known = ", ".join(sorted(_FORMAT_NAMES))
        raise ValueError(f"unknown RDF format {name!r}; use one of: {known}")
    return rdf_format
