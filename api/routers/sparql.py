"""The SPARQL 1.1 Protocol endpoint at ``/sparql``: queries, updates and a service description.

- ``GET /sparql?query=...`` and ``POST /sparql`` (form-encoded ``query=`` or ``update=``, or a
  body of type ``application/sparql-query`` or ``application/sparql-update``), with the protocol's
  ``default-graph-uri`` and ``named-graph-uri``.
- Results by content negotiation on ``Accept`` (q-values honoured): SPARQL JSON (default), XML,
  CSV or TSV for ``SELECT`` and ``ASK``; Turtle (default), N-Triples, JSON-LD or RDF/XML for
  ``CONSTRUCT`` and ``DESCRIBE``; 406 when nothing offered is acceptable.
- ``GET /sparql`` without a query returns the SPARQL 1.1 Service Description.
- Updates only when the server allows them (``KG_ALLOW_UPDATES``) and with the bearer token;
  each is validated against the shapes before it is applied (see :func:`kg.sparql.apply_update`).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from typing import Annotated, Any
from urllib.parse import parse_qs

from fastapi import APIRouter, Depends, Header, Query, Request
from fastapi.responses import JSONResponse, Response
from fastapi.security import HTTPAuthorizationCredentials
from starlette.concurrency import run_in_threadpool

from api.deps import AppState, State, bearer, check_token
from api.errors import ApiError
from api.openapi import problems
from kg.sparql import (
    GRAPH_FORMATS,
    RESULTS_FORMATS,
    SERVICE_PREFIXES,
    apply_update,
    serialize_triples,
    service_description,
    write_query,
)

__all__ = ["negotiate", "router"]

router = APIRouter(tags=["SPARQL"])

_FORM = "application/x-www-form-urlencoded"
_SPARQL_QUERY = "application/sparql-query"
_SPARQL_UPDATE = "application/sparql-update"

# Other names clients use for the formats offered (SPARQLWrapper asks for some of them).
_ALIASES: Mapping[str, tuple[str, ...]] = {
    "application/sparql-results+json": ("application/json",),
    "application/sparql-results+xml": ("application/xml", "text/xml"),
    "text/turtle": ("application/x-turtle", "application/turtle"),
    "application/n-triples": ("text/plain",),
    "application/ld+json": ("application/x-json+ld",),
    "application/rdf+xml": ("application/xml", "text/xml"),
}

_DEFAULT_GRAPH_DOC = "IRI of a graph to use as the query's default graph (repeatable)"
_NAMED_GRAPH_DOC = "IRI of a graph the query may name with GRAPH (repeatable)"


_SPARQL_JSON_SCHEMA = {
    "type": "object",
    "description": "SPARQL 1.1 Query Results JSON",
    "required": ["head"],
    "properties": {
        "head": {"type": "object"},
        "results": {
            "type": "object",
            "properties": {"bindings": {"type": "array", "items": {"type": "object"}}},
        },
        "boolean": {"type": "boolean"},
    },
}
_RESULT_CONTENT: dict[str, Any] = {
    media: {"schema": {"type": "string"}} for media in [*RESULTS_FORMATS, *GRAPH_FORMATS]
}
_RESULT_CONTENT["application/sparql-results+json"] = {"schema": _SPARQL_JSON_SCHEMA}
_RESULT_CONTENT["application/ld+json"] = {"schema": {"type": ["array", "object"]}}
_QUERY_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The query's results (SELECT, ASK) or graph (CONSTRUCT, DESCRIBE), or the "
        "service description when there is no query",
        "content": _RESULT_CONTENT,
    },
    **problems(
        400,
        406,
        413,
        500,
        503,
        s400="Missing, malformed or refused query: with line and column for a syntax error; "
        "SERVICE and deep nesting are refused",
        s413="The result is larger than the server's cap (KG_MAX_RESULTS)",
        s503="The query ran past the server's time or memory limit (KG_QUERY_TIMEOUT, "
        "KG_QUERY_MEMORY), or every evaluator stayed busy",
    ),
}
_POST_RESPONSES: dict[int | str, dict[str, Any]] = {
    **_QUERY_RESPONSES,
    200: {
        **_QUERY_RESPONSES[200],
        "content": {
            **_RESULT_CONTENT,
            "application/json": {
                "schema": {
                    "type": "object",
                    "required": ["added", "removed"],
                    "properties": {
                        "added": {"type": "integer", "minimum": 0},
                        "removed": {"type": "integer", "minimum": 0},
                    },
                }
            },
        },
        "description": "Query results, or for an update the quads added and removed",
    },
    **problems(
        401,
        403,
        413,
        415,
        422,
        s401="An update without a bearer token",
        s403="Updates are disabled, or the token is wrong",
        s413="The body, the result or the update's change is larger than the server's limit",
        s415="The body is not form-encoded, a query or an update",
        s422="The update would violate the shapes; the store is unchanged",
    ),
}
_EXAMPLE_QUERY = "SELECT ?label WHERE { ?s a bm:Channel ; rdfs:label ?label } LIMIT 3"
_EXAMPLE_UPDATE = (
    'INSERT DATA { GRAPH <urn:example:notes> { <urn:example:note> rdfs:label "A note" } }'
)
_POST_BODY = {
    "required": True,
    "content": {
        _FORM: {
            "schema": {
                "type": "object",
                "properties": {
                    "query": {"type": "string", "description": "a SPARQL 1.1 query"},
                    "update": {"type": "string", "description": "a SPARQL 1.1 update"},
                    "default-graph-uri": {"type": "array", "items": {"type": "string"}},
                    "named-graph-uri": {"type": "array", "items": {"type": "string"}},
                },
                # One of the two, not both.
                "oneOf": [
                    {"required": ["query"], "not": {"required": ["update"]}},
                    {"required": ["update"], "not": {"required": ["query"]}},
                ],
            },
            "examples": {
                "query": {"value": {"query": _EXAMPLE_QUERY}},
                "update": {"value": {"update": _EXAMPLE_UPDATE}},
            },
        },
        _SPARQL_QUERY: {"schema": {"type": "string"}, "example": _EXAMPLE_QUERY},
        _SPARQL_UPDATE: {"schema": {"type": "string"}, "example": _EXAMPLE_UPDATE},
    },
}

DefaultGraphs = Annotated[
    list[str], Query(alias="default-graph-uri", description=_DEFAULT_GRAPH_DOC)
]
NamedGraphs = Annotated[list[str], Query(alias="named-graph-uri", description=_NAMED_GRAPH_DOC)]
Accept = Annotated[str | None, Header(description="the result formats wanted, with q-values")]


@router.get(
    "/sparql",
    summary="SPARQL query (or the service description)",
    responses=_QUERY_RESPONSES,
    response_class=Response,
)
async def sparql_get(
    request: Request,
    state: State,
    default_graphs: DefaultGraphs = [],  # noqa: B006 (FastAPI copies defaults)
    named_graphs: NamedGraphs = [],  # noqa: B006
    accept: Accept = None,
    query: Annotated[
        str | None,
        Query(
            description="a SPARQL 1.1 query; without one, the service description is returned",
            examples=[_EXAMPLE_QUERY],
        ),
    ] = None,
) -> Response:
    """Run a query given in the URL, or describe the endpoint when there is none."""
    if query is None:
        return _service_description(request, state, accept)
    return await _query(state, query, accept, default_graphs, named_graphs)


@router.post(
    "/sparql",
    summary="SPARQL query or update",
    responses=_POST_RESPONSES,
    response_class=Response,
    # A query needs no token, an update does.
    openapi_extra={"requestBody": _POST_BODY, "security": [{}, {"bearerAuth": []}]},
)
async def sparql_post(
    request: Request,
    state: State,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)] = None,
    default_graphs: DefaultGraphs = [],  # noqa: B006 (FastAPI copies defaults)
    named_graphs: NamedGraphs = [],  # noqa: B006
    accept: Accept = None,
) -> Response:
    """Run a query or an update sent in the body (form-encoded, or as the request's body)."""
    content_type = request.headers.get("content-type", "")
    media = content_type.partition(";")[0].strip().lower()
    try:
        body = (await request.body()).decode("utf-8")
    except UnicodeDecodeError as error:
        raise ApiError(
            400, "bad-request", "Bad request", f"the body is not UTF-8: {error}"
        ) from None
    query: str | None = None
    update: str | None = None
    if media == _FORM:
        form = parse_qs(body, keep_blank_values=True)
        query = _single(form, "query")
        update = _single(form, "update")
        default_graphs = [*default_graphs, *form.get("default-graph-uri", [])]
        named_graphs = [*named_graphs, *form.get("named-graph-uri", [])]
        if query is not None and update is not None:
            raise ApiError(
                400, "bad-request", "Bad request", "send either 'query' or 'update', not both"
            )
    elif media == _SPARQL_QUERY:
        query = body
    elif media == _SPARQL_UPDATE:
        update = body
    else:
        raise ApiError(
            415,
            "unsupported-media-type",
            "Unsupported media type",
            f"POST a body of type {_FORM}, {_SPARQL_QUERY} or {_SPARQL_UPDATE}, "
            f"not {media or '(none)'!r}",
        )
    if update is not None:
        return await _update(
            state, update, None if credentials is None else credentials.credentials
        )
    if query is None or not query.strip():
        raise _missing("query")
    return await _query(state, query, accept, default_graphs, named_graphs)


def negotiate(accept: str | None, offered: Sequence[str]) -> str | None:
    """Pick the offered media type the ``Accept`` header prefers; ``None`` if none is acceptable.

    Each offered type takes the q-value of the most specific range that matches it (so
    ``*/*, text/csv;q=0`` refuses CSV). The highest q-value wins; between equals, the type whose
    range the client listed first, then the order of ``offered``. A missing or empty header
    accepts the first offered.

    >>> negotiate("text/csv;q=0.5, application/sparql-results+xml", ["text/csv",
    ...           "application/sparql-results+xml"])
    'application/sparql-results+xml'
    """
    if accept is None or not accept.strip():
        return offered[0]
    ranges = _ranges(accept)
    best: tuple[float, int, int] | None = None
    chosen = None
    for position, media in enumerate(offered):
        aliases = _ALIASES.get(media, ())
        matching = [
            (_specificity(pattern), -order, quality)
            for order, (pattern, quality) in enumerate(ranges)
            if _matches(pattern, media) or pattern in aliases
        ]
        if not matching:
            continue
        _, order, quality = max(matching)
        score = (quality, order, -position)
        if quality > 0 and (best is None or score > best):
            best, chosen = score, media
    return chosen


def _ranges(accept: str) -> list[tuple[str, float]]:
    ranges: list[tuple[str, float]] = []
    for part in accept.split(","):
        media, *params = (p.strip() for p in part.split(";"))
        media = media.lower()
        if "/" not in media:
            continue
        quality = 1.0
        for param in params:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    quality = min(max(float(value), 0.0), 1.0)
                except ValueError:
                    quality = 0.0
        ranges.append((media, quality))
    return ranges


def _specificity(pattern: str) -> int:
    if pattern == "*/*":
        return 0
    return 1 if pattern.endswith("/*") else 2


def _matches(pattern: str, media: str) -> bool:
    if pattern in ("*/*", media):
        return True
    kind, _, sub = pattern.partition("/")
    return sub == "*" and media.partition("/")[0] == kind


def _choose(accept: str | None, offered: Sequence[str]) -> str:
    media = negotiate(accept, offered)
    if media is None:
        raise ApiError(
            406,
            "not-acceptable",
            "Not acceptable",
            f"no acceptable format for this result; available: {', '.join(offered)}",
            available=list(offered),
        )
    return media


async def _query(
    state: AppState,
    query: str,
    accept: str | None,
    default_graphs: Sequence[str],
    named_graphs: Sequence[str],
) -> Response:
    settings = state.settings
    media, body = await run_in_threadpool(
        write_query,
        state.model,
        query,
        pick=functools.partial(negotiate, accept),
        timeout=settings.query_timeout,
        max_results=settings.max_results,
        default_graphs=default_graphs,
        named_graphs=named_graphs,
        sandbox=state.sandbox,
    )
    return Response(body, media_type=media, headers={"Vary": "Accept"})


async def _update(state: AppState, update: str, token: str | None) -> Response:
    if not state.settings.allow_updates:
        raise ApiError(
            403,
            "updates-disabled",
            "Updates are disabled",
            "this server does not accept SPARQL updates (set KG_ALLOW_UPDATES=true to allow them)",
        )
    check_token(state, token)
    if not update.strip():
        raise _missing("update")

    settings = state.settings

    def write() -> dict[str, int]:
        with state.write_lock:
            summary = apply_update(
                state.model,
                update,
                sandbox=state.sandbox,
                timeout=settings.query_timeout,
                max_changes=settings.max_update_quads,
            )
        return summary.to_dict()

    return JSONResponse(await run_in_threadpool(write))


def _service_description(request: Request, state: AppState, accept: str | None) -> Response:
    media = _choose(accept, tuple(GRAPH_FORMATS))
    endpoint = str(request.url.replace(query=""))
    triples = service_description(endpoint, model=state.model, updates=state.settings.allow_updates)
    body = serialize_triples(triples, GRAPH_FORMATS[media], prefixes=SERVICE_PREFIXES)
    return Response(body, media_type=media, headers={"Vary": "Accept"})


def _single(form: Mapping[str, list[str]], name: str) -> str | None:
    values = form.get(name)
    if not values:
        return None
    if len(values) > 1:
        raise ApiError(
            400, "bad-request", "Bad request", f"give '{name}' once, not {len(values)} times"
        )
    return values[0]


def _missing(what: str) -> ApiError:
    return ApiError(
        400,
        f"missing-{what}",
        f"Missing {what}",
        f"the request has no SPARQL {what}; send it as '{what}=' or as the body",
    )
