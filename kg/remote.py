"""A SPARQL 1.1 endpoint used in place of the embedded store.

:class:`Endpoint` says where a server is; :class:`EndpointStore` speaks the SPARQL 1.1 Protocol
to it and offers the part of :class:`pyoxigraph.Store` that :class:`~kg.store.KnowledgeGraph`
uses (``query``, ``update``, ``quads_for_pattern``, ``extend``, ...), with results parsed into
pyoxigraph terms. Everything built on a knowledge graph (questions, silos, validation, pictures,
the API) therefore runs unchanged against a server: open one with
``KnowledgeGraph(endpoint=Endpoint("http://host/query", update="http://host/update"))``.

The model lives in named graphs, one per file, and the library's queries read the union of
them through the default graph. The server must therefore treat its default graph as the
union of all its graphs: ``oxigraph serve --union-default-graph``, Fuseki with
``tdb2:unionDefaultGraph true``; GraphDB and Virtuoso do so out of the box. A server that does
not is refused with a :class:`~kg.errors.StoreError` saying so, rather than left to answer
every question with nothing.

Writes (loading files, entity writes, SPARQL updates) need the update URL; without it the
store is read-only and a write raises :class:`~kg.errors.StoreError`.

A first load of a large model goes faster by the server's bulk path, the SPARQL 1.1 Graph Store
Protocol (``Endpoint.graph_store``): N-Triples files going into graphs that are not there yet
are checked here (parsed, so a malformed file is refused with its line before anything is sent)
and sent as they are, one ``POST`` per file; other writes of many quads are sent one ``POST``
per graph. What is atomic is then the server's business, one request at a time: a load that
fails part-way drops the graphs it made, but readers may see the files arrive one by one (see
:meth:`EndpointStore.post_graph`). Without ``graph_store``, writes are ``INSERT DATA``
requests.

A server may keep graphs of its own beside the model's (Virtuoso: its schema, the Linked Data
Platform vocabulary and its service description, :data:`SERVER_GRAPHS`). They are not the
model's: the store leaves them out of its graphs, its count, its quads and its dump, and
:meth:`EndpointStore.clear` leaves them in place.
"""

from __future__ import annotations

import os
from collections.abc import Generator, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx
import pyoxigraph as ox

from kg.errors import StoreError
from kg.sparqltext import bind_values, declare_prefixes, prepare_query, quad_data, sparql_term

__all__ = ["SERVER_GRAPHS", "Endpoint", "EndpointStore", "Login", "endpoint_from_env"]

# Graphs a server makes for itself, which its default graph's union holds (Virtuoso 7's, present
# in a new database and not all of them droppable).
SERVER_GRAPHS = frozenset(
    {
        "http://www.openlinksw.com/schemas/virtrdf#",
        "http://www.w3.org/ns/ldp#",
        "http://localuriqaserver/sparql",
    }
)
_SERVERS = ", ".join(f"<{g}>" for g in sorted(SERVER_GRAPHS))
_NOT_SERVERS = f"FILTER (?g NOT IN ({_SERVERS}))"

Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple

_RESULTS_ACCEPT = (
    "application/sparql-results+json, application/sparql-results+xml;q=0.9, "
    "application/n-triples;q=0.8, text/turtle;q=0.7"
)
_RESULT_FORMATS = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}
_GRAPH_FORMATS = {
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "text/plain": ox.RdfFormat.N_TRIPLES,
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/n-quads": ox.RdfFormat.N_QUADS,
    "application/trig": ox.RdfFormat.TRIG,
}
# INSERT DATA requests are cut into pieces of this many quads when nothing needs them to be one
# transaction, which keeps each request body a few megabytes at most. A server whose parser
# refuses a piece that large (Virtuoso 7: "SP030 ... memory exhausted" from about 5,000 quads)
# gets pieces a quarter the size, down to _SMALLEST, from then on.
_BATCH = 50_000
_SMALLEST = 500


@dataclass(frozen=True, slots=True)
class Endpoint:
    """Where a SPARQL 1.1 server answers.

    Attributes
    ----------
    query : str
        URL of the query service (Oxigraph ``/query``, Fuseki ``/DATASET/query``, GraphDB
        ``/repositories/REPO``, Virtuoso ``/sparql``).
    update : str or None
        URL of the update service (Oxigraph ``/update``, Fuseki ``/DATASET/update``, GraphDB
        ``/repositories/REPO/statements``, Virtuoso ``/sparql-auth``); ``None`` for read-only.
    timeout : float
        Seconds to wait for any one request.
    headers : dict
        Extra HTTP headers sent with every request (e.g. ``Authorization``).
    graph_store : str or None
        URL of the server's SPARQL 1.1 Graph Store Protocol service, for loading in bulk
        (Oxigraph ``/store``, Fuseki ``/DATASET/data``, GraphDB
        ``/repositories/REPO/rdf-graphs/service``, Virtuoso ``/sparql-graph-crud``, or
        ``/sparql-graph-crud-auth`` with a password); ``None`` to write by ``INSERT DATA``.
    login : (str, str) or None
        A user name and password, given when the server asks for them (HTTP 401), by the
        scheme it names: Digest (Virtuoso's ``/sparql-auth``) or Basic (Fuseki, GraphDB).
        Left out of the endpoint's ``repr``.
    """

    query: str
    update: str | None = None
    timeout: float = 300.0
    headers: Mapping[str, str] = field(default_factory=dict)
    graph_store: str | None = None
    login: tuple[str, str] | None = field(default=None, repr=False)

    def __str__(self) -> str:
        return self.query if self.update is None else f"{self.query} (updates: {self.update})"


def endpoint_from_env(environ: Mapping[str, str] | None = None) -> Endpoint | None:
    """The endpoint named by ``KG_ENDPOINT`` (and ``KG_UPDATE_ENDPOINT``), if any.

    ``KG_ENDPOINT_TOKEN``, when set, is sent as a bearer token; ``KG_ENDPOINT_USER`` and
    ``KG_ENDPOINT_PASSWORD`` are the login a server asking for one gets (Digest or Basic);
    ``KG_GRAPH_STORE`` names the Graph Store Protocol service for loading in bulk.

    Examples
    --------
    >>> endpoint_from_env({"KG_ENDPOINT": "http://127.0.0.1:7878/query"})
    Endpoint(query='http://127.0.0.1:7878/query', update=None, timeout=300.0, headers={}, \
graph_store=None)
    >>> endpoint_from_env({}) is None
    True
    """
    env = os.environ if environ is None else environ
    query = env.get("KG_ENDPOINT", "").strip()
    if not query:
        return None
    update = env.get("KG_UPDATE_ENDPOINT", "").strip() or None
    token = env.get("KG_ENDPOINT_TOKEN", "").strip()
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    graph_store = env.get("KG_GRAPH_STORE", "").strip() or None
    user = env.get("KG_ENDPOINT_USER", "").strip()
    login = (user, env.get("KG_ENDPOINT_PASSWORD", "")) if user else None
    return Endpoint(query, update=update, headers=headers, graph_store=graph_store, login=login)


class EndpointStore:
    """The subset of :class:`pyoxigraph.Store` the knowledge graph uses, over SPARQL 1.1.

    Parameters
    ----------
    endpoint
        The server to talk to.

    Raises
    ------
    StoreError
        The server cannot be reached, or its default graph is not the union of its graphs.
    """

    def __init__(self, endpoint: Endpoint) -> None:
        self.endpoint = endpoint
        self._batch = _BATCH
        self.reconnect()
        self.check_union_default_graph()
        found = self.query(
            f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER (?g IN ({_SERVERS})) }}"
        )
        assert isinstance(found, ox.QuerySolutions)
        self.server_graphs: frozenset[str] = frozenset(row["g"].value for row in found)
        """The server's own graphs that it holds (:data:`SERVER_GRAPHS`): while there are some,
        queries name the model's graphs as their dataset instead of reading the union."""

    def __repr__(self) -> str:
        return f"<EndpointStore {self.endpoint}>"

    def close(self) -> None:
        """Close the HTTP connections."""
        self._client.close()

    def reconnect(self) -> None:
        """Make new HTTP connections from here on.

        For a forked child (:mod:`kg.sandbox`): the connections it inherited are its parent's
        and must not be used, nor closed, from the child.
        """
        self._client = httpx.Client(
            timeout=self.endpoint.timeout,
            headers=dict(self.endpoint.headers),
            follow_redirects=True,
            auth=Login(*self.endpoint.login) if self.endpoint.login else None,
        )

    # -- reading --------------------------------------------------------------------------------

    def query(
        self,
        query: str,
        *,
        prefixes: Mapping[str, str] | None = None,
        use_default_graph_as_union: bool = False,
        default_graph: Sequence[ox.NamedNode] | None = None,
        named_graphs: Sequence[ox.NamedNode] | None = None,
        substitutions: Mapping[ox.Variable, Term] | None = None,
    ) -> ox.QuerySolutions | ox.QueryBoolean | Iterator[ox.Triple]:
        """Run a query on the server; arguments as :meth:`pyoxigraph.Store.query`.

        ``use_default_graph_as_union`` is what the server does anyway (checked on opening).
        Substitutions become a ``VALUES`` block (:func:`kg.sparqltext.bind_values`).

        Raises
        ------
        SyntaxError
            The server rejected the query (HTTP 400), with its message.
        OSError
            The server could not be reached or failed.
        """
        text = prepare_query(query, prefixes=prefixes, substitutions=substitutions)
        params: dict[str, str | list[str]] = {"query": text}
        if default_graph:
            params["default-graph-uri"] = [g.value for g in default_graph]
        if named_graphs:
            params["named-graph-uri"] = [g.value for g in named_graphs]
        response = self._post(
            self.endpoint.query, data=params, headers={"Accept": _RESULTS_ACCEPT}, what="query"
        )
        media = _media_type(response)
        cut = response.headers.get("x-sparql-maxrows")
        if cut is not None:
            # Virtuoso's sign that it stopped at its ResultSetMaxRows: the rest of the answer
            # is missing, and an answer read without it would be a wrong one.
            raise OSError(
                f"the SPARQL endpoint {self.endpoint.query} cut its answer at {cut} rows (its "
                "result limit, Virtuoso's ResultSetMaxRows in the [SPARQL] section of "
                "virtuoso.ini): raise the limit; a cut answer would be a wrong one"
            )
        if media in _RESULT_FORMATS:
            results = ox.parse_query_results(response.content, format=_RESULT_FORMATS[media])
            return _ask_answer(results)
        if media in _GRAPH_FORMATS:
            quads = ox.parse(response.content, format=_GRAPH_FORMATS[media])
            return (q.triple for q in quads)
        raise OSError(f"{self.endpoint.query} answered a query with unexpected type {media!r}")

    def quads_for_pattern(
        self,
        subject: ox.NamedNode | ox.BlankNode | None,
        predicate: ox.NamedNode | None,
        object: Term | None,
        graph_name: ox.NamedNode | ox.BlankNode | ox.DefaultGraph | None = None,
    ) -> Iterator[ox.Quad]:
        """The quads of the named graphs matching a pattern (``None`` matches anything).

        Blank nodes cannot be sent back to a server (each request has its own), so a pattern
        naming one matches nothing.
        """
        fixed = {"s": subject, "p": predicate, "o": object, "g": graph_name}
        if any(isinstance(t, ox.BlankNode | ox.DefaultGraph | ox.Triple) for t in fixed.values()):
            return iter(())
        values = {k: v for k, v in fixed.items() if isinstance(v, ox.NamedNode | ox.Literal)}
        sparql = f"SELECT ?s ?p ?o ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }} {_NOT_SERVERS} }}"
        if values:
            sparql = bind_values(sparql, values)
        result = self.query(sparql)
        assert isinstance(result, ox.QuerySolutions)
        return (ox.Quad(row["s"], row["p"], row["o"], row["g"]) for row in result)

    def named_graphs(self) -> Iterator[ox.NamedNode]:
        """The graph names in the dataset."""
        result = self.query(
            f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }} {_NOT_SERVERS} }}"
        )
        assert isinstance(result, ox.QuerySolutions)
        return (row["g"] for row in result if isinstance(row["g"], ox.NamedNode))

    def contains_named_graph(self, graph_name: ox.NamedNode) -> bool:
        """Whether a graph of that name holds any triple."""
        result = self.query(f"ASK {{ GRAPH {sparql_term(graph_name)} {{ ?s ?p ?o }} }}")
        return bool(result)

    def __len__(self) -> int:
        result = self.query(
            f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p ?o }} {_NOT_SERVERS} }}"
        )
        assert isinstance(result, ox.QuerySolutions)
        for row in result:
            count = row["n"]
            assert isinstance(count, ox.Literal)
            return int(count.value)
        return 0

    def dump(
        self, output: Any = None, format: ox.RdfFormat | None = None, **_: Any
    ) -> bytes | None:
        """Serialize every named graph's quads, as :meth:`pyoxigraph.Store.dump` does."""
        data = ox.serialize(self.quads_for_pattern(None, None, None, None), output, format)
        return data

    def check_union_default_graph(self) -> None:
        """Make sure the server's default graph is the union of its named graphs.

        One quad of a named graph is looked up in the default graph; an empty server passes.

        Raises
        ------
        StoreError
            The default graph does not hold the named graphs' triples.
        """
        result = self.query(
            f"SELECT ?s ?p ?o WHERE {{ GRAPH ?g {{ ?s ?p ?o }} {_NOT_SERVERS} }} LIMIT 1"
        )
        assert isinstance(result, ox.QuerySolutions)
        for row in result:
            if any(isinstance(row[v], ox.BlankNode) for v in ("s", "o")):
                return
            s, p, o = (sparql_term(row[v]) for v in ("s", "p", "o"))
            probe = f"ASK {{ {s} {p} {o} }}"
            if not bool(self.query(probe)):
                raise StoreError(
                    f"the SPARQL endpoint {self.endpoint.query} does not query the union of its "
                    "graphs by default; the model lives in named graphs, so the server must "
                    "(oxigraph serve --union-default-graph; Fuseki: tdb2:unionDefaultGraph true)"
                )

    # -- writing --------------------------------------------------------------------------------

    def update(self, update: str, *, prefixes: Mapping[str, str] | None = None) -> None:
        """Run a SPARQL update on the server, as one request.

        Raises
        ------
        SyntaxError
            The server rejected the update (HTTP 400).
        OSError
            The store is read-only, or the server could not be reached or failed.
        """
        if self.endpoint.update is None:
            raise OSError(
                f"the SPARQL endpoint {self.endpoint.query} was opened read-only "
                "(no update URL given)"
            )
        text = declare_prefixes(update, prefixes) if prefixes else update
        self._post(
            self.endpoint.update,
            content=text.encode(),
            headers={"Content-Type": "application/sparql-update"},
            what="update",
        )

    def add(self, quad: ox.Quad) -> None:
        """Insert one quad."""
        self.extend([quad])

    def remove(self, quad: ox.Quad) -> None:
        """Delete one quad."""
        self.update(f"DELETE DATA {{ {quad_data([quad])} }}")

    def extend(self, quads: Iterable[ox.Quad]) -> None:
        """Insert quads, in requests of at most 50,000 quads unless blank nodes are among them
        (fewer on a server that refuses that many in one request: see ``_SMALLEST``).

        Each request makes its own blank nodes from the labels it is sent, so quads holding
        blank nodes all go in one request: split, a node would become two. With a Graph Store
        Protocol service (``Endpoint.graph_store``), more than 50,000 quads go one ``POST`` of
        N-Triples per graph instead, unless a blank node sits in two graphs.
        """
        quads = list(quads)
        if self.endpoint.graph_store and len(quads) > _BATCH and not _shared_blanks(quads):
            by_graph: dict[ox.NamedNode, list[ox.Triple]] = {}
            for quad in quads:
                if not isinstance(quad.graph_name, ox.NamedNode):
                    break
                by_graph.setdefault(quad.graph_name, []).append(quad.triple)
            else:
                for graph, triples in by_graph.items():
                    body = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
                    self.post_graph(graph, body)
                return
        if any(isinstance(t, ox.BlankNode) for q in quads for t in (q.subject, q.object)):
            self.update(f"INSERT DATA {{ {quad_data(quads)} }}")
            return
        start = 0
        while start < len(quads):
            piece = quads[start : start + self._batch]
            try:
                self.update(f"INSERT DATA {{ {quad_data(piece)} }}")
            except SyntaxError:
                if len(piece) <= _SMALLEST:
                    raise
                self._batch = max(_SMALLEST, len(piece) // 4)
                continue
            start += len(piece)

    def post_graph(self, graph: ox.NamedNode, body: bytes | Iterable[bytes] | Any) -> None:
        """Add N-Triples to one graph by the Graph Store Protocol (``POST ?graph=``).

        ``body`` is the document: bytes, or an open binary file, which is streamed. The server
        makes its own blank nodes for the document's labels. Whether a failing request leaves
        part of the document behind is the server's matter: Oxigraph runs each request as one
        transaction; Virtuoso's loader is not transactional, and it takes as a relative IRI
        what N-Triples refuses, which is why :meth:`kg.store.KnowledgeGraph.load` parses a
        file before sending it.

        Raises
        ------
        SyntaxError
            The server refused the document (HTTP 400).
        OSError
            No Graph Store Protocol service was given, or the server could not be reached or
            failed.
        """
        if self.endpoint.graph_store is None:
            raise OSError(
                f"the SPARQL endpoint {self.endpoint.query} was opened without a Graph Store "
                "Protocol URL (graph_store)"
            )
        self._post(
            self.endpoint.graph_store,
            params={"graph": graph.value},
            content=body,
            headers={"Content-Type": "application/n-triples"},
            what="graph store request",
        )

    def clear(self) -> None:
        """Remove every graph and triple (the server's own graphs stay).

        Virtuoso 7 answers ``CLEAR ALL`` without clearing anything, so each graph left after it
        is dropped by name.

        Raises
        ------
        OSError
            A graph could not be removed.
        """
        self.update("CLEAR ALL")
        left = list(self.named_graphs())
        if left:
            self.update(" ;\n".join(f"DROP SILENT GRAPH {sparql_term(g)}" for g in left))
            still = [g.value for g in self.named_graphs()]
            if still:
                raise OSError(
                    f"the SPARQL endpoint {self.endpoint.update} kept graphs it was asked to "
                    f"drop: {', '.join(still[:5])}"
                )

    def flush(self) -> None:
        """Nothing to do: the server makes each update durable itself."""

    # -- HTTP -----------------------------------------------------------------------------------

    def _post(self, url: str, *, what: str, **request: Any) -> httpx.Response:
        try:
            response = self._client.post(url, **request)
        except httpx.HTTPError as error:
            raise OSError(f"cannot reach the SPARQL endpoint {url}: {error}") from error
        if response.status_code == 400:
            raise SyntaxError(_server_message(response) or f"the server refused the {what}")
        if response.status_code >= 400:
            raise OSError(
                f"the SPARQL endpoint {url} answered {response.status_code} to a {what}: "
                f"{_server_message(response)}"
            )
        return response


class Login(httpx.Auth):
    """A user name and password, given by the scheme a server's challenge names.

    A request first goes without them; a ``401`` whose ``WWW-Authenticate`` offers Digest
    (Virtuoso's ``/sparql-auth``) or Basic is answered in that scheme, which later requests
    then use from the start.

    >>> def server(request: httpx.Request) -> httpx.Response:
    ...     if request.headers.get("Authorization") == "Basic dTpw":
    ...         return httpx.Response(200)
    ...     return httpx.Response(401, headers={"WWW-Authenticate": 'Basic realm="x"'})
    >>> client = httpx.Client(transport=httpx.MockTransport(server), auth=Login("u", "p"))
    >>> client.get("http://server/sparql").status_code
    200
    """

    requires_request_body = True

    def __init__(self, user: str, password: str) -> None:
        self._schemes: dict[str, httpx.Auth] = {
            "digest": httpx.DigestAuth(user, password),
            "basic": httpx.BasicAuth(user, password),
        }
        self._chosen: httpx.Auth | None = None

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        if self._chosen is not None:
            yield from self._chosen.auth_flow(request)
            return
        response = yield request
        if response.status_code != 401:
            return
        offered = [
            h.split(" ", 1)[0].lower() for h in response.headers.get_list("www-authenticate")
        ]
        scheme = next((s for s in ("digest", "basic") if s in offered), None)
        if scheme is None:
            return
        self._chosen = self._schemes[scheme]
        flow = self._chosen.auth_flow(request)
        pending = next(flow)
        if scheme == "digest":  # answer the challenge already in hand
            try:
                pending = flow.send(response)
            except StopIteration:
                return
        yield pending


def _ask_answer(
    results: ox.QuerySolutions | ox.QueryBoolean,
) -> ox.QuerySolutions | ox.QueryBoolean:
    """A boolean for an ASK that a server answered as a table.

    Virtuoso 7 answers ``ASK`` with solutions of one variable, ``__ASK_RETVAL``: one row
    (``1``) for true, none for false. Read as solutions, every ASK would be true.
    """
    if not isinstance(results, ox.QuerySolutions):
        return results
    names = [v.value.upper() for v in results.variables]
    if names != ["__ASK_RETVAL"]:
        return results
    truth = any(row[0] is not None and row[0].value not in ("0", "false") for row in results)
    document = b'{"head": {}, "boolean": true}' if truth else b'{"head": {}, "boolean": false}'
    return ox.parse_query_results(document, format=ox.QueryResultsFormat.JSON)


def _shared_blanks(quads: Iterable[ox.Quad]) -> bool:
    """Whether a blank node appears in more than one graph (one POST per graph would split it)."""
    seen: dict[ox.BlankNode, Any] = {}
    for quad in quads:
        for term in (quad.subject, quad.object):
            if isinstance(term, ox.BlankNode) and seen.setdefault(term, quad.graph_name) != (
                quad.graph_name
            ):
                return True
    return False


def _media_type(response: httpx.Response) -> str:
    media: str = response.headers.get("content-type", "")
    return media.split(";")[0].strip().lower()


def _server_message(response: httpx.Response) -> str:
    text: str = response.text
    return text.strip()[:2000]
