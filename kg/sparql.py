"""SPARQL over a knowledge graph with limits, result serialisation and validated updates.

This is the library side of the SPARQL 1.1 Protocol endpoint; it knows nothing of HTTP.

- :func:`run_query` runs a query with a time limit and a result-size cap and returns a
  :class:`QueryResult` (raising :class:`~kg.errors.QueryTimeoutError` or
  :class:`~kg.errors.ResultLimitError` when a limit is hit).
- :meth:`QueryResult.serialize` writes it as SPARQL JSON, XML, CSV or TSV (``SELECT``, ``ASK``)
  or as Turtle, N-Triples, JSON-LD or RDF/XML (``CONSTRUCT``, ``DESCRIBE``).
- :func:`apply_update` runs a SPARQL update only if the model still conforms to its shapes
  where the update touched it; otherwise it raises :class:`~kg.errors.WriteRejectedError` and
  leaves the store as it was.
- :func:`service_description` describes an endpoint with the SPARQL 1.1 Service Description
  vocabulary.

Queries and updates that would make the store reach other servers (``SERVICE``, ``LOAD``) are
refused with :class:`~kg.errors.RemoteAccessError`, decided on the parsed query
(:mod:`kg.sparqlguard`). With a :class:`~kg.sandbox.Sandbox`, queries and updates are evaluated
in a forked child process that is killed at its time limit, held to a memory limit and unable
to open network sockets.

>>> from kg.model import open_model
>>> from kg.sparql import run_query
>>> result = run_query(open_model(), "ASK { ?c a owl:Class }", timeout=5, max_results=10)
>>> result.boolean, result.serialize("application/sparql-results+json")
(True, b'{"head":{},"boolean":true}')
"""

from __future__ import annotations

import functools
import json
import re
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from types import MappingProxyType
from typing import Any, TypeAlias, TypeVar

import pyoxigraph as ox
import rdflib

from kg.entities import check_write
from kg.errors import (
    ChangeLimitError,
    NotAcceptableError,
    QueryError,
    QueryTimeoutError,
    ResultLimitError,
    StoreError,
    WriteRejectedError,
)
from kg.remote import EndpointStore
from kg.sandbox import Sandbox, mutating
from kg.sparqlguard import check
from kg.sparqltext import STRINGS_IRIS_COMMENTS, quad_data
from kg.store import KnowledgeGraph, QueryResults, StoreBackend, hidden, visible
from kg.validation import ValidationReport
from kg.vocab import STANDARD_PREFIXES

__all__ = [
    "GRAPH_FORMATS",
    "RESULTS_FORMATS",
    "SERVICE_PREFIXES",
    "QueryKind",
    "QueryResult",
    "UpdateSummary",
    "apply_update",
    "run_query",
    "serialize_triples",
    "service_description",
    "write_query",
]

T = TypeVar("T")
Term: TypeAlias = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple

RESULTS_FORMATS: Mapping[str, ox.QueryResultsFormat] = MappingProxyType(
    {
        "application/sparql-results+json": ox.QueryResultsFormat.JSON,
        "application/sparql-results+xml": ox.QueryResultsFormat.XML,
        "text/csv": ox.QueryResultsFormat.CSV,
        "text/tab-separated-values": ox.QueryResultsFormat.TSV,
    }
)
"""Media types of ``SELECT`` and ``ASK`` results, the default first."""

GRAPH_FORMATS: Mapping[str, ox.RdfFormat] = MappingProxyType(
    {
        "text/turtle": ox.RdfFormat.TURTLE,
        "application/n-triples": ox.RdfFormat.N_TRIPLES,
        "application/ld+json": ox.RdfFormat.JSON_LD,
        "application/rdf+xml": ox.RdfFormat.RDF_XML,
    }
)
"""Media types of ``CONSTRUCT`` and ``DESCRIBE`` results (and graphs), the default first."""

_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
_INTEGER = ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")
_RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
_SD = "http://www.w3.org/ns/sparql-service-description#"
_FORMATS = "http://www.w3.org/ns/formats/"
_VOID = "http://rdfs.org/ns/void#"
_POSITION = re.compile(r"^error at (\d+):(\d+): (.*)$", re.DOTALL)


class QueryKind(StrEnum):
    """What a query returns."""

    SOLUTIONS = "solutions"  # SELECT
    BOOLEAN = "boolean"  # ASK
    GRAPH = "graph"  # CONSTRUCT, DESCRIBE


@dataclass(frozen=True)
class QueryResult:
    """The materialised result of a query, within the cap it was run with.

    Attributes
    ----------
    kind : QueryKind
    variables : tuple of str
        The projected variables of a ``SELECT`` (without ``?``), in order.
    rows : tuple of dict
        One mapping from variable name to term per solution (unbound variables left out).
    boolean : bool or None
        The answer of an ``ASK``.
    triples : tuple of pyoxigraph.Triple
        The triples of a ``CONSTRUCT`` or ``DESCRIBE``, each once.
    prefixes : dict
        Prefixes used to abbreviate IRIs in Turtle and RDF/XML output.
    """

    kind: QueryKind
    variables: tuple[str, ...] = ()
    rows: tuple[dict[str, Term], ...] = ()
    boolean: bool | None = None
    triples: tuple[ox.Triple, ...] = ()
    prefixes: dict[str, str] = field(default_factory=dict, repr=False)

    @property
    def media_types(self) -> tuple[str, ...]:
        """The media types this result can be written in, the default first."""
        return tuple(GRAPH_FORMATS if self.kind is QueryKind.GRAPH else RESULTS_FORMATS)

    def to_json(self) -> dict[str, Any]:
        """The result as a SPARQL 1.1 Query Results JSON document (``SELECT``, ``ASK``)."""
        if self.kind is QueryKind.BOOLEAN:
            return {"head": {}, "boolean": bool(self.boolean)}
        if self.kind is QueryKind.GRAPH:
            raise ValueError("a graph result has no SPARQL results JSON form")
        return {
            "head": {"vars": list(self.variables)},
            "results": {
                "bindings": [
                    {name: _json_term(term) for name, term in row.items()} for row in self.rows
                ]
            },
        }

    def serialize(self, media_type: str) -> bytes:
        """Write the result in the format of a media type from :attr:`media_types`.

        Raises
        ------
        ValueError
            The media type does not fit this kind of result, or its format cannot represent
            the result (RDF 1.2 triple terms in JSON-LD).
        """
        if self.kind is QueryKind.GRAPH:
            rdf_format = GRAPH_FORMATS.get(media_type)
            if rdf_format is None:
                raise ValueError(f"a graph cannot be written as {media_type!r}")
            return serialize_triples(self.triples, rdf_format, prefixes=self.prefixes)
        results_format = RESULTS_FORMATS.get(media_type)
        if results_format is None:
            raise ValueError(f"query results cannot be written as {media_type!r}")
        document = json.dumps(self.to_json(), ensure_ascii=False, separators=(",", ":"))
        if results_format == ox.QueryResultsFormat.JSON:
            return document.encode()
        # pyoxigraph writes XML, CSV and TSV by the specs; it needs its own results object,
        # which only its parser makes from terms already in hand.
        parsed = ox.parse_query_results(document.encode(), format=ox.QueryResultsFormat.JSON)
        try:
            data = parsed.serialize(format=results_format)
        except (OSError, ValueError) as error:
            raise ValueError(
                f"the results cannot be written as {results_format.name}: {error}"
            ) from None
        assert data is not None  # no output target given, so pyoxigraph returns bytes
        return data


def serialize_triples(
    triples: Iterable[ox.Triple], rdf_format: ox.RdfFormat, *, prefixes: Mapping[str, str]
) -> bytes:
    """Write triples in an RDF format, abbreviating IRIs with ``prefixes`` where it can."""
    abbreviates = rdf_format in (ox.RdfFormat.TURTLE, ox.RdfFormat.RDF_XML)
    try:
        data = ox.serialize(
            list(triples), format=rdf_format, prefixes=dict(prefixes) if abbreviates else None
        )
    except (OSError, ValueError) as error:  # e.g. RDF 1.2 triple terms in JSON-LD
        raise ValueError(f"the graph cannot be written as {rdf_format.name}: {error}") from None
    assert data is not None
    return data


def run_query(
    model: KnowledgeGraph,
    sparql: str,
    *,
    timeout: float | None,
    max_results: int | None,
    default_graphs: Sequence[str] = (),
    named_graphs: Sequence[str] = (),
    sandbox: Sandbox | None = None,
) -> QueryResult:
    """Run a SPARQL query on a knowledge graph within a time limit and a result-size cap.

    The query is first checked by :func:`kg.sparqlguard.check`: one nested too deeply, or one
    that would reach another server (``SERVICE``), is refused before the store sees it.

    Parameters
    ----------
    model
        The knowledge graph. Without ``default_graphs`` the query's default graph is the union
        of all graphs, as in :meth:`~kg.store.KnowledgeGraph.query`.
    sparql
        The query; the prefixes of :meth:`~kg.store.KnowledgeGraph.query` are predeclared.
    timeout
        Seconds the query (with the reading of its results) may take; ``None`` for no limit.
    max_results
        Rows (``SELECT``) or triples (``CONSTRUCT``, ``DESCRIBE``) the result may have; ``None``
        for no cap.
    default_graphs, named_graphs
        The RDF dataset of the SPARQL protocol (``default-graph-uri``, ``named-graph-uri``).
    sandbox
        Evaluate the query in a forked child process (:class:`kg.sandbox.Sandbox`): it is
        killed at the time limit, held to the sandbox's memory limit and, on a local store,
        cannot open a network socket. Without one the query runs on a thread of this process,
        which stops waiting at the time limit but cannot stop Oxigraph: use a sandbox for the
        queries of anyone you do not trust.

    Raises
    ------
    QueryError
        The query is malformed (with line and column) or cannot run.
    RemoteAccessError, NestingError
        The query would reach another server, or is nested too deeply.
    QueryTimeoutError
        The time limit was reached. Without a sandbox, the evaluation in progress inside
        Oxigraph cannot be interrupted: it finishes on its own in the background.
    MemoryLimitError, BusyError, EvaluationCrashedError
        With a sandbox: the memory limit was reached, no worker was free in time, or the
        child died (this process is unaffected).
    ResultLimitError
        The result is larger than ``max_results``.
    """
    return _run(
        model,
        sparql,
        _same,
        timeout=timeout,
        max_results=max_results,
        default_graphs=default_graphs,
        named_graphs=named_graphs,
        sandbox=sandbox,
    )


def write_query(
    model: KnowledgeGraph,
    sparql: str,
    *,
    pick: Callable[[Sequence[str]], str | None],
    timeout: float | None,
    max_results: int | None,
    default_graphs: Sequence[str] = (),
    named_graphs: Sequence[str] = (),
    sandbox: Sandbox | None = None,
) -> tuple[str, bytes]:
    """Run a query as :func:`run_query` does and write its result; the media type and bytes.

    ``pick`` chooses among the media types the result can be written in (:attr:`QueryResult.
    media_types`, the default first), or returns ``None`` when it takes none of them. The result
    is written where it was computed, in the sandbox's worker when there is one: only the bytes
    come back, not a term at a time.

    Raises
    ------
    NotAcceptableError
        ``pick`` took no media type, or the one it took cannot hold the result (RDF 1.2 triple
        terms in JSON-LD).

    And the errors of :func:`run_query`.
    """
    return _run(
        model,
        sparql,
        functools.partial(_written, pick=pick),
        timeout=timeout,
        max_results=max_results,
        default_graphs=default_graphs,
        named_graphs=named_graphs,
        sandbox=sandbox,
    )


def _run(
    model: KnowledgeGraph,
    sparql: str,
    finish: Callable[[QueryResult], T],
    *,
    timeout: float | None,
    max_results: int | None,
    default_graphs: Sequence[str],
    named_graphs: Sequence[str],
    sandbox: Sandbox | None,
) -> T:
    prefixes = {**model.prefixes, **STANDARD_PREFIXES}
    options: dict[str, Any] = {"prefixes": prefixes}
    # The model as a set of statements (its graphs of repeats left out), unless the client
    # names its own dataset.
    options.update(model.dataset())
    if default_graphs:
        options.pop("use_default_graph_as_union", None)
        options["default_graph"] = [ox.NamedNode(_iri(g)) for g in default_graphs]
    if named_graphs:
        options["named_graphs"] = [ox.NamedNode(_iri(g)) for g in named_graphs]
    if sandbox is None:
        _refuse_unchecked(sparql, update=False, contained=False)
        result = _in_thread(model.store, sparql, options, max_results, timeout)
        return finish(_with_prefixes(result, prefixes))
    remote = isinstance(model.store, EndpointStore)
    written: T = sandbox.run(
        _evaluate,
        model.store,
        sparql,
        options,
        max_results,
        not remote and sandbox.network_guard,
        finish,
        timeout=timeout,
        network=remote,
        what="the query",
    )
    return written


def _same(result: QueryResult) -> QueryResult:
    return result


def _with_prefixes(result: QueryResult, prefixes: dict[str, str]) -> QueryResult:
    return replace(result, prefixes=prefixes) if result.kind is QueryKind.GRAPH else result


def _written(
    result: QueryResult, *, pick: Callable[[Sequence[str]], str | None]
) -> tuple[str, bytes]:
    offered = result.media_types
    media = pick(offered)
    if media is None:
        raise NotAcceptableError(
            f"no acceptable format for this result; available: {', '.join(offered)}",
            available=offered,
        )
    try:
        return media, result.serialize(media)
    except ValueError as error:
        raise NotAcceptableError(
            f"{error}; ask for another format",
            available=tuple(m for m in offered if m != media),
        ) from None


def _refuse_unchecked(text: str, *, update: bool, contained: bool) -> bool:
    """Apply :func:`kg.sparqlguard.check`; whether rdflib's grammar read the text.

    Text the grammar cannot read is refused unless ``contained``: evaluated where no network
    socket can be opened, so that the engine's own parser may decide on it.
    """
    unreadable = check(text, update=update)
    if unreadable is not None and not contained:
        raise unreadable
    return unreadable is None


def _evaluate(
    store: StoreBackend,
    sparql: str,
    options: dict[str, Any],
    cap: int | None,
    contained: bool,
    finish: Callable[[QueryResult], T],
) -> T:
    """The query, checked, evaluated and finished, in a sandbox's child process."""
    _refuse_unchecked(sparql, update=False, contained=contained)
    if isinstance(store, EndpointStore):
        store.reconnect()
    try:
        result = _materialise(store.query(sparql, **options), cap, None)
    except SyntaxError as error:
        raise _query_error(error) from None
    except (RuntimeError, OSError, ValueError) as error:
        raise QueryError(str(error)) from None
    return finish(_with_prefixes(result, options["prefixes"]))


def _in_thread(
    store: StoreBackend,
    sparql: str,
    options: dict[str, Any],
    cap: int | None,
    timeout: float | None,
) -> QueryResult:
    cancelled = threading.Event()
    outcome: list[QueryResult | QueryError] = []

    def work() -> None:
        # pyoxigraph's results may only be dropped on the thread that made them, so nothing
        # that refers to them (a traceback's frames) may leave this thread: errors are handed
        # over as new exceptions, without traceback.
        try:
            outcome.append(_materialise(store.query(sparql, **options), cap, cancelled))
        except SyntaxError as error:
            outcome.append(_query_error(error))
        except (RuntimeError, OSError, ValueError) as error:
            outcome.append(QueryError(str(error)))
        except ResultLimitError as error:
            outcome.append(ResultLimitError(error.detail))
        except _Cancelled:
            pass
        except Exception as error:
            outcome.append(QueryError(f"the query failed: {type(error).__name__}: {error}"))

    # Oxigraph releases the GIL while it evaluates, so the waiting thread can give up on time.
    worker = threading.Thread(target=work, name="kg-sparql-query", daemon=True)
    worker.start()
    worker.join(timeout)
    if not outcome:
        cancelled.set()
        raise QueryTimeoutError(
            f"the query ran longer than its time limit of {timeout:g} s and was stopped"
        )
    result = outcome[0]
    if isinstance(result, QueryError):
        raise result
    return result


class _Cancelled(Exception):
    pass


def _materialise(
    answer: QueryResults,
    cap: int | None,
    cancelled: threading.Event | None,
) -> QueryResult:
    if isinstance(answer, ox.QueryBoolean):
        return QueryResult(QueryKind.BOOLEAN, boolean=bool(answer))
    if isinstance(answer, ox.QuerySolutions):
        names = tuple(v.value for v in answer.variables)
        rows: list[dict[str, Term]] = []
        for solution in answer:
            if cancelled is not None and cancelled.is_set():
                raise _Cancelled
            if cap is not None and len(rows) >= cap:
                raise ResultLimitError(_too_many(cap, "rows"))
            rows.append({n: solution[n] for n in names if solution[n] is not None})
        return QueryResult(QueryKind.SOLUTIONS, variables=names, rows=tuple(rows))
    triples: dict[ox.Triple, None] = {}
    for triple in answer:
        if cancelled is not None and cancelled.is_set():
            raise _Cancelled
        triples[triple] = None
        if cap is not None and len(triples) > cap:
            raise ResultLimitError(_too_many(cap, "triples"))
    return QueryResult(QueryKind.GRAPH, triples=tuple(triples))


def _too_many(cap: int, what: str) -> str:
    return (
        f"the result has more than {cap} {what}, the cap of this endpoint; "
        "narrow the query or page through it with LIMIT and OFFSET"
    )


def _query_error(error: SyntaxError, source: str = "SPARQL query") -> QueryError:
    position = _POSITION.match(str(error.msg))
    if position is None:
        return QueryError(str(error.msg), source=source)
    line, column, detail = position.groups()
    return QueryError(detail, line=int(line), column=int(column), source=source)


def _iri(text: str) -> str:
    try:
        return ox.NamedNode(text).value
    except ValueError as error:
        raise QueryError(f"not an absolute IRI: {text!r}") from error


def _json_term(term: Term) -> dict[str, Any]:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        encoded: dict[str, Any] = {"type": "literal", "value": term.value}
        if term.language is not None:
            encoded["xml:lang"] = term.language
        elif term.datatype.value not in (_XSD_STRING, _RDF_LANG_STRING):
            encoded["datatype"] = term.datatype.value
        return encoded
    return {
        "type": "triple",
        "value": {
            "subject": _json_term(term.subject),
            "predicate": _json_term(term.predicate),
            "object": _json_term(term.object),
        },
    }


# --------------------------------------------------------------------------------------------
# Updates


@dataclass(frozen=True)
class UpdateSummary:
    """What an accepted update changed: the quads it added and removed."""

    added: int
    removed: int

    def to_dict(self) -> dict[str, int]:
        """Plain data."""
        return {"added": self.added, "removed": self.removed}


def apply_update(
    model: KnowledgeGraph,
    update: str,
    *,
    sandbox: Sandbox | None = None,
    timeout: float | None = None,
    max_changes: int | None = None,
) -> UpdateSummary:
    """Run a SPARQL 1.1 update if it adds no violation of the shapes; otherwise change nothing.

    The update is first checked as queries are (:func:`kg.sparqlguard.check`: no ``LOAD``, no
    ``SERVICE``, no deep nesting). Its change is then worked out without touching the store:
    an update made only of ``INSERT DATA`` and ``DELETE DATA`` names its quads, which are
    compared with the store one by one; any other (``DELETE``/``INSERT ... WHERE``, ``CLEAR``
    ...) runs on an in-memory copy of the store, which gives the quads it adds and removes at a
    cost in time and memory in proportion to the store's size. The change is checked as every
    other write is (:func:`kg.entities.check_write`: only the nodes it touches are validated,
    on their neighbourhood) and, if it adds no violation, applied to the store as one
    transaction and flushed. The caller serialises writes (the API holds its write lock while
    this runs).

    Parameters
    ----------
    model
        The knowledge graph.
    update
        The SPARQL update; the usual prefixes are predeclared. Operations without ``GRAPH`` (or
        ``WITH``) act on the store's default graph, as SPARQL says, not on the union.
    sandbox
        Work the change out and validate it in a forked child (:class:`kg.sandbox.Sandbox`),
        under ``timeout`` and the sandbox's memory limit: an update that runs out of either is
        stopped with nothing written. Only the final transaction runs in this process.
    timeout
        Seconds the update may take (with a sandbox); ``None`` for no limit.
    max_changes
        Quads the update may add and remove together; ``None`` for no cap.

    Returns
    -------
    UpdateSummary

    Raises
    ------
    QueryError
        The update is malformed (with line and column) or cannot run.
    RemoteAccessError, NestingError
        The update would reach another server (``LOAD``, ``SERVICE``), or is nested too deeply.
    QueryTimeoutError, MemoryLimitError, BusyError, EvaluationCrashedError
        With a sandbox: a limit was reached, or the child died. The store is unchanged.
    ChangeLimitError
        The update would add and remove more than ``max_changes`` quads. The store is
        unchanged.
    WriteRejectedError
        The update would add violations of the shapes; its report holds only those. The store
        is unchanged.
    StoreError
        The store could not be written.

    Examples
    --------
    >>> from kg.model import open_model
    >>> model = open_model()
    >>> apply_update(model, 'INSERT DATA { GRAPH <urn:x:g> { <urn:x:a> <urn:x:p> "1" } }')
    UpdateSummary(added=1, removed=0)
    """
    prefixes = {**model.prefixes, **STANDARD_PREFIXES}
    if sandbox is None:
        plan = _plan_update(model, update, prefixes, False, max_changes, False)
    else:
        remote = isinstance(model.store, EndpointStore)
        plan = sandbox.run(
            _plan_update,
            model,
            update,
            prefixes,
            not remote and sandbox.network_guard,
            max_changes,
            True,
            timeout=timeout,
            network=remote,
            what="the update",
            source="SPARQL update",
        )
    if plan.rejected is not None:
        raise WriteRejectedError(plan.rejected)
    if not plan.added and not plan.removed:
        return UpdateSummary(added=0, removed=0)
    added, removed = model.place(add=plan.added, remove=plan.removed)
    rerun = any(_has_blank_node(q) for q in plan.added | plan.removed)
    if rerun:
        # DELETE DATA cannot name blank nodes, so the update itself runs again; it sees the
        # store the plan was made on (the caller holds its write lock), so it makes the same
        # change up to new blank node names. Text only the engine's parser could read is not
        # run outside the sandbox.
        if not plan.checked:
            raise QueryError(
                "an update that changes blank nodes must be SPARQL 1.1 as this endpoint reads "
                "it; write it without the constructs only Oxigraph reads"
            )
        request, request_prefixes = update, prefixes
    else:
        request, request_prefixes = _data_update(removed, added), None
    with mutating():
        try:
            model.store.update(request, prefixes=request_prefixes)
        except OSError as error:
            raise StoreError(f"cannot write to store: {error}", path=model.path) from error
        if rerun:
            # The update ran as written: put what it wrote where each statement belongs.
            model.settle(
                {q.graph_name.value for q in plan.added if isinstance(q.graph_name, ox.NamedNode)}
            )
        model.flush()
    return UpdateSummary(added=len(plan.added), removed=len(plan.removed))


@dataclass(frozen=True)
class _UpdatePlan:
    """The change an update would make, and the violations it would add (``None``: none)."""

    added: frozenset[ox.Quad]
    removed: frozenset[ox.Quad]
    rejected: ValidationReport | None
    checked: bool


def _plan_update(
    model: KnowledgeGraph,
    update: str,
    prefixes: dict[str, str],
    contained: bool,
    max_changes: int | None,
    forked: bool,
) -> _UpdatePlan:
    """What an update would change, worked out and validated without writing the store."""
    checked = _refuse_unchecked(update, update=True, contained=contained)
    store: StoreBackend = model.store
    if forked and isinstance(store, EndpointStore):
        store.reconnect()
    named = _data_change(store, update, prefixes)
    if named is not None:
        added, removed = named
    else:
        before = set(visible(store.quads_for_pattern(None, None, None, None)))
        trial = ox.Store()
        trial.extend(before)
        try:
            trial.update(update, prefixes=prefixes)
        except SyntaxError as error:
            raise _query_error(error, "SPARQL update") from None
        except (RuntimeError, OSError, ValueError) as error:
            raise QueryError(str(error), source="SPARQL update") from None
        after = set(trial.quads_for_pattern(None, None, None, None))
        added, removed = after - before, before - after
    versions = sorted({str(q.graph_name) for q in (*added, *removed) if hidden(q.graph_name)})
    if versions:
        raise QueryError(
            f"the update would write {versions[0]}, a graph of the saved versions; versions "
            "change only as a whole (kg version, or the /versions routes of the API)",
            source="SPARQL update",
        )
    if max_changes is not None and len(added) + len(removed) > max_changes:
        raise ChangeLimitError(
            f"the update would add {len(added)} and remove {len(removed)} quads, more than the "
            f"{max_changes} this endpoint accepts in one update; split it"
        )
    rejected = None
    if added or removed:
        report = check_write(model, remove=removed, add=added)
        if not report.conforms:
            rejected = replace(report, graph=rdflib.Graph())
    return _UpdatePlan(frozenset(added), frozenset(removed), rejected, checked)


_DECLARATION = re.compile(r"\s*(?:PREFIX\s+(?:[A-Za-z][\w.-]*)?:|BASE)", re.IGNORECASE)
_IRIREF = re.compile(r"\s*<[^<>\"{}|^`\\\s]*>")
_DATA_OPERATION = re.compile(r"\s*(INSERT|DELETE)\s+DATA\s*\{", re.IGNORECASE)
_SEPARATOR = re.compile(r"\s*;")


def _data_change(
    store: StoreBackend, update: str, prefixes: Mapping[str, str]
) -> tuple[set[ox.Quad], set[ox.Quad]] | None:
    """The quads an update of ``INSERT DATA``/``DELETE DATA`` only adds and removes.

    ``None`` when the update holds any other operation, inserts blank nodes (each run makes new
    ones), or its data cannot be read here: the caller then runs it on a copy of the store,
    which also reports any syntax error with its position.
    """
    # IRIs, strings and comments blanked out (same length), so that braces, semicolons and
    # keywords inside them are not taken for syntax.
    blank = STRINGS_IRIS_COMMENTS.sub(lambda m: " " * len(m.group(0)), update)
    declarations: list[str] = []
    operations: list[tuple[str, str]] = []
    position = 0
    while True:
        declared = _DECLARATION.match(blank, position)
        if declared is not None:
            iri = _IRIREF.match(update, declared.end())
            if iri is None:
                return None
            declarations.append(update[declared.start() : iri.end()])
            position = iri.end()
            continue
        operation = _DATA_OPERATION.match(blank, position)
        if operation is None:
            break
        depth, end = 1, operation.end()
        while depth and end < len(blank):
            depth += {"{": 1, "}": -1}.get(blank[end], 0)
            end += 1
        if depth:
            return None
        operations.append((operation.group(1).upper(), update[operation.end() : end - 1]))
        position = end
        separator = _SEPARATOR.match(blank, position)
        if separator is not None:
            position = separator.end()
    if not operations or blank[position:].strip():
        return None
    prologue = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in prefixes.items())
    prologue += "\n".join(declarations) + "\n"
    added: dict[ox.Quad, None] = {}
    removed: dict[ox.Quad, None] = {}
    for kind, body in operations:
        quads = _data_quads(prologue, body)
        if quads is None or (kind == "INSERT" and any(_has_blank_node(q) for q in quads)):
            return None
        for quad in quads:
            if kind == "DELETE":
                if quad in added:
                    del added[quad]
                elif quad not in removed and _present(store, quad):
                    removed[quad] = None
            elif quad in removed:
                del removed[quad]
            elif quad not in added and not _present(store, quad):
                added[quad] = None
    return set(added), set(removed)


def _data_quads(prologue: str, body: str) -> list[ox.Quad] | None:
    # Quad data is TriG, except that triples of the default graph may omit their final dot;
    # wrapping them in braces makes them TriG too.
    for text in (body, "{" + body + "}"):
        try:
            return list(ox.parse(prologue + text, format=ox.RdfFormat.TRIG))
        except (SyntaxError, ValueError):
            continue
    return None


def _present(store: StoreBackend, quad: ox.Quad) -> bool:
    if isinstance(quad.subject, ox.Triple):
        return False  # RDF 1.2 triple terms never reach this store as subjects
    found = store.quads_for_pattern(quad.subject, quad.predicate, quad.object, quad.graph_name)
    return next(iter(found), None) is not None


def _has_blank_node(quad: ox.Quad) -> bool:
    return any(isinstance(t, ox.BlankNode) for t in (quad.subject, quad.object, quad.graph_name))


def _data_update(removed: Iterable[ox.Quad], added: Iterable[ox.Quad]) -> str:
    operations = []
    if removed:
        operations.append(f"DELETE DATA {{\n{quad_data(removed)}\n}}")
    if added:
        operations.append(f"INSERT DATA {{\n{quad_data(added)}\n}}")
    return " ;\n".join(operations)


# --------------------------------------------------------------------------------------------
# Service description


def service_description(endpoint: str, *, model: Any, updates: bool) -> tuple[ox.Triple, ...]:
    """Describe a SPARQL endpoint with the SPARQL 1.1 Service Description vocabulary.

    Parameters
    ----------
    endpoint
        The endpoint's absolute URL.
    model
        The knowledge graph it serves: its named graphs and size make the default dataset.
    updates
        Whether the endpoint accepts SPARQL updates.

    Examples
    --------
    >>> from kg.store import KnowledgeGraph
    >>> triples = service_description("http://localhost/sparql", model=KnowledgeGraph(),
    ...                               updates=False)
    >>> endpoint = ox.NamedNode("http://localhost/sparql")
    >>> service = ox.NamedNode("http://localhost/sparql#service")
    >>> ox.Triple(service, ox.NamedNode(_SD + "endpoint"), endpoint) in triples
    True
    """

    def sd(name: str) -> ox.NamedNode:
        return ox.NamedNode(_SD + name)

    service = ox.NamedNode(endpoint + "#service")
    dataset = ox.NamedNode(endpoint + "#dataset")
    default = ox.NamedNode(endpoint + "#default-graph")
    triples = [
        ox.Triple(service, _RDF_TYPE, sd("Service")),
        ox.Triple(service, sd("endpoint"), ox.NamedNode(endpoint)),
        ox.Triple(service, sd("supportedLanguage"), sd("SPARQL11Query")),
        ox.Triple(service, sd("feature"), sd("UnionDefaultGraph")),
        ox.Triple(service, sd("defaultDataset"), dataset),
        ox.Triple(dataset, _RDF_TYPE, sd("Dataset")),
        ox.Triple(dataset, sd("defaultGraph"), default),
        ox.Triple(default, _RDF_TYPE, sd("Graph")),
        ox.Triple(
            default, ox.NamedNode(_VOID + "triples"), ox.Literal(str(len(model)), datatype=_INTEGER)
        ),
    ]
    if updates:
        triples.append(ox.Triple(service, sd("supportedLanguage"), sd("SPARQL11Update")))
    for results_format in RESULTS_FORMATS.values():
        triples.append(ox.Triple(service, sd("resultFormat"), ox.NamedNode(results_format.iri)))
    for rdf_format in GRAPH_FORMATS.values():
        triples.append(ox.Triple(service, sd("resultFormat"), ox.NamedNode(rdf_format.iri)))
    for name in model.graphs():
        named = ox.BlankNode()
        triples += [
            ox.Triple(dataset, sd("namedGraph"), named),
            ox.Triple(named, _RDF_TYPE, sd("NamedGraph")),
            ox.Triple(named, sd("name"), ox.NamedNode(name)),
        ]
    return tuple(triples)


SERVICE_PREFIXES: Mapping[str, str] = MappingProxyType(
    {"sd": _SD, "formats": _FORMATS, "void": _VOID}
)
"""Prefixes to write a service description with."""
