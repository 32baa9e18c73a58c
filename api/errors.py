"""The one place where errors become HTTP responses: RFC 9457 problem details (problem+json).

Every error response has the same body shape::

    {"type": "https://w3id.org/bmkg/problems/<kind>", "title": "...", "status": 400,
     "detail": "...", ...extra members (line, column, results)}

The library's typed errors (:mod:`kg.errors`) map to statuses here and nowhere else.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from kg.errors import (
    BusyError,
    ChangeLimitError,
    EnterpriseError,
    EvaluationCrashedError,
    KGError,
    MemoryLimitError,
    NestingError,
    NotAcceptableError,
    NotFoundError,
    QueryError,
    QueryTimeoutError,
    RDFSyntaxError,
    RemoteAccessError,
    ResultLimitError,
    ShapesError,
    SourceError,
    StoreError,
    WriteRejectedError,
)
from kg.impact import UnknownElementError
from kg.versions import VersionError, VersionNotFoundError
from kg.whatif import ChangeSetError

__all__ = ["PROBLEM_JSON", "ApiError", "install", "problem"]

_log = logging.getLogger("kg.api")

PROBLEM_JSON = "application/problem+json"
_BASE = "https://w3id.org/bmkg/problems/"


class ApiError(Exception):
    """An error of the HTTP layer itself (authentication, content negotiation, bad request)."""

    def __init__(self, status: int, kind: str, title: str, detail: str, **extra: Any) -> None:
        self.status, self.kind, self.title, self.detail, self.extra = (
            status,
            kind,
            title,
            detail,
            extra,
        )
        super().__init__(detail)


def problem(
    status: int,
    kind: str,
    title: str,
    detail: str,
    *,
    headers: Mapping[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    """A problem+json response."""
    body = {"type": _BASE + kind, "title": title, "status": status, "detail": detail, **extra}
    sent = dict(headers or {})
    if status == 401:
        sent["WWW-Authenticate"] = "Bearer"
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=sent or None)


def _from_library(error: KGError) -> JSONResponse:
    if isinstance(error, RDFSyntaxError):
        return problem(
            400, "malformed-rdf", "Malformed RDF", str(error), line=error.line, column=error.column
        )
    if isinstance(error, QueryTimeoutError):
        return problem(503, "query-timeout", "Query time limit reached", str(error))
    if isinstance(error, MemoryLimitError):
        return problem(503, "query-memory-limit", "Query memory limit reached", str(error))
    if isinstance(error, BusyError):
        return problem(
            503, "busy", "Every evaluator is busy", str(error), headers={"Retry-After": "1"}
        )
    if isinstance(error, ResultLimitError):
        return problem(413, "result-too-large", "Result larger than the cap", str(error))
    if isinstance(error, ChangeLimitError):
        return problem(413, "update-too-large", "Update larger than the cap", str(error))
    if isinstance(error, RemoteAccessError):
        return problem(400, "remote-access-refused", "Other servers are not reached", str(error))
    if isinstance(error, NestingError):
        return problem(400, "too-deeply-nested", "Nested too deeply", str(error))
    if isinstance(error, EvaluationCrashedError):
        return problem(500, "evaluation-crashed", "The evaluation failed", str(error))
    if isinstance(error, QueryError):
        return problem(
            400,
            "malformed-query",
            "Malformed SPARQL",
            error.detail,
            line=error.line,
            column=error.column,
        )
    if isinstance(error, NotAcceptableError):
        return problem(
            406, "not-acceptable", "Not acceptable", error.detail, available=list(error.available)
        )
    if isinstance(error, EnterpriseError) and error.name is not None:
        return problem(
            404,
            "unknown-enterprise",
            "No such enterprise",
            error.detail,
            enterprises=list(error.enterprises),
        )
    if isinstance(error, EnterpriseError):
        return problem(
            400,
            "enterprise-required",
            "Choose one of the model's enterprises",
            error.detail,
            enterprises=list(error.enterprises),
        )
    if isinstance(error, VersionNotFoundError):
        return problem(
            404, "unknown-version", "No such version", str(error), versions=list(error.versions)
        )
    if isinstance(error, NotFoundError):
        return problem(404, "not-found", "Not found", str(error), iri=error.iri)
    if isinstance(error, ChangeSetError):
        return problem(
            400,
            "bad-change-set",
            "The change set cannot be read or applied",
            str(error),
            change=error.index,
            line=error.line,
            column=error.column,
        )
    if isinstance(error, UnknownElementError):
        return problem(
            404,
            "unknown-element",
            "No such element",
            str(error),
            element=error.element,
            matches=list(error.matches),
        )
    if isinstance(error, VersionError):
        return problem(400, "bad-version", "Bad version", str(error))
    if isinstance(error, WriteRejectedError):
        return problem(
            422,
            "shape-violation",
            "The write would violate the shapes",
            str(error),
            # Which of the server's files states a value is not the client's business.
            results=[
                {k: v for k, v in result.items() if k not in {"written", "source"}}
                for result in error.report.to_dict()["results"]
            ],
        )
    if isinstance(error, SourceError):
        return problem(400, "bad-source", "Unreadable RDF", str(error))
    if isinstance(error, StoreError | ShapesError):
        return problem(500, "server-error", "The store or the shapes failed", str(error))
    return problem(500, "server-error", "Internal error", str(error))


def install(app: FastAPI) -> None:
    """Register the handlers that turn every error into problem+json."""

    @app.exception_handler(KGError)
    async def library_error(request: Request, error: KGError) -> JSONResponse:
        return _from_library(error)

    @app.exception_handler(ApiError)
    async def api_error(request: Request, error: ApiError) -> JSONResponse:
        return problem(error.status, error.kind, error.title, error.detail, **error.extra)

    @app.exception_handler(RequestValidationError)
    async def request_error(request: Request, error: RequestValidationError) -> JSONResponse:
        errors = [
            {"loc": [str(part) for part in e.get("loc", ())], "msg": str(e.get("msg", ""))}
            for e in error.errors()
        ]
        detail = "; ".join(f"{'.'.join(e['loc'][1:]) or 'body'}: {e['msg']}" for e in errors)
        return problem(400, "bad-request", "Bad request", detail or "bad request", errors=errors)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> JSONResponse:
        kind = {
            404: "not-found",
            405: "method-not-allowed",
            406: "not-acceptable",
        }.get(error.status_code, "http-error")
        detail = str(error.detail)
        headers = dict(error.headers or {})
        if error.status_code == 405:
            # Starlette names the methods of the first route on the path only.
            headers["Allow"] = ", ".join(_allowed_methods(request))
        return problem(error.status_code, kind, str(error.detail), detail, headers=headers)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, error: Exception) -> JSONResponse:
        # The client learns that it failed, not how: the details go to the server's log.
        _log.error("%s %s failed", request.method, request.url.path, exc_info=error)
        return problem(500, "server-error", "Internal error", "the server failed; its log says why")


def _allowed_methods(request: Request) -> list[str]:
    """Every method some route of the app takes on the request's path."""
    path = request.url.path
    methods: set[str] = set()
    for pattern, taken in getattr(request.app.state, "methods_by_path", ()):
        if pattern.match(path):
            methods |= taken
    return sorted(methods)
