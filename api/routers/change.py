"""Questions of change: impact, what-if, the difference between versions, and the versions.

- ``GET /impact?element=IRI&element=...&depth=``: what depends on the elements, with the path
  to each and the money at stake (:func:`kg.impact.impact`); ``GET /impact/picture`` draws it.
- ``POST /whatif``: a change set (JSON, or a SPARQL update as ``application/sparql-update``)
  applied to a copy of the model; the answer is the difference in answers
  (:func:`kg.whatif.what_if`). It writes nothing, so it needs no token. It runs in a sandboxed
  child process (:mod:`kg.sandbox`), under its time and memory limits and without network.
- ``GET /versions``, ``POST /versions`` (save, token), ``DELETE /versions/{name}`` (token),
  ``POST /versions/{name}/restore`` (token): named versions kept in the store
  (:mod:`kg.versions`). The read routes take ``?version=NAME``.
- ``GET /diff?from=NAME&to=NAME``: two versions (``current`` is the model as it is) compared,
  element by element and answer by answer (:func:`kg.diff.compare_models`).
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request, Response
from fastapi.responses import HTMLResponse, JSONResponse
from starlette.concurrency import run_in_threadpool

from api.deps import AppState, State, WriteAccess
from api.errors import ApiError
from api.openapi import problems
from api.routers.resources import EnterpriseName, QuestionParameters, VersionName, json_object
from kg.analysis import AnalysisCache
from kg.diff import compare_models
from kg.impact import impact
from kg.impactpicture import impact_picture
from kg.questions import Parameters
from kg.store import KnowledgeGraph
from kg.versions import drop_version, restore_version, save_version, versions
from kg.whatif import CHANGE_SET_SCHEMA, MAX_BYTES, ChangeSet, what_if

__all__ = ["router"]

router = APIRouter()

CURRENT = "current"
_NOTE = 2000
"""Characters a version's note may have."""
_NAME = "^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"
_SPARQL_UPDATE = "application/sparql-update"
_WHATIF_BODY: dict[str, Any] = {
    "required": True,
    "description": "A change set: a JSON object with a title and a list of changes (remove, "
    "retire, set, add, unlink, swap; see kg/whatif.py), or a SPARQL update",
    "content": {
        "application/json": {
            "schema": {k: v for k, v in CHANGE_SET_SCHEMA.items() if k != "$schema"},
            "example": {
                "title": "Retire the legacy billing application",
                "changes": [{"remove": "https://example.org/alpina/app-billing"}],
            },
        },
        _SPARQL_UPDATE: {"schema": {"type": "string"}},
    },
}

VersionPath = Annotated[str, Path(description="The version's name", pattern=_NAME)]
Elements = Annotated[
    list[str],
    Query(
        min_length=1,
        max_length=100,
        description="An element to start from: IRI, CURIE or label (repeat for several)",
    ),
]
Depth = Annotated[
    int | None, Query(ge=1, le=100, description="Links to follow at most; 1 is 'where used'")
]


@router.get(
    "/impact",
    tags=["change"],
    summary="What depends on elements, and what is at stake if they go",
    responses=problems(400, 404),
)
def impact_of(
    state: State,
    element: Elements,
    depth: Depth = None,
    enterprise: EnterpriseName = None,
    version: VersionName = None,
) -> dict[str, Any]:
    graph = state.dependence_graph(version, enterprise)
    found = impact(
        state.model_of(version), element, enterprise=enterprise, depth=depth, graph=graph
    )
    return found.to_dict()


@router.get(
    "/impact/picture",
    tags=["change"],
    summary="The impact drawn: the elements, what depends on them and the paths",
    response_class=HTMLResponse,
    responses=problems(400, 404),
)
def impact_picture_of(
    state: State,
    element: Elements,
    depth: Depth = None,
    enterprise: EnterpriseName = None,
    version: VersionName = None,
) -> HTMLResponse:
    model = state.model_of(version)
    graph = state.dependence_graph(version, enterprise)
    found = impact(model, element, enterprise=enterprise, depth=depth, graph=graph)
    return HTMLResponse(impact_picture(model, found).to_html())


@router.post(
    "/whatif",
    tags=["change"],
    summary="How the answers would move if the model changed (nothing is written)",
    openapi_extra={"requestBody": _WHATIF_BODY},
    responses=problems(400, 404, 413, 415, 503),
)
async def whatif(
    request: Request,
    state: State,
    params: QuestionParameters,
    enterprise: EnterpriseName = None,
) -> JSONResponse:
    media = request.headers.get("content-type", "").partition(";")[0].strip().lower()
    if media not in ("application/json", _SPARQL_UPDATE):
        raise ApiError(
            415,
            "unsupported-media-type",
            "Unsupported media type",
            f"send the change set as application/json or {_SPARQL_UPDATE}, not "
            f"{media or '(none)'!r}",
        )
    raw = await request.body()
    if len(raw) > MAX_BYTES:
        raise ApiError(
            413,
            "change-set-too-large",
            "Change set too large",
            f"a change set may have at most {MAX_BYTES:,} bytes, this one has {len(raw):,}",
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ApiError(
            400, "bad-request", "Bad request", f"the body is not UTF-8: {error}"
        ) from None
    if media == _SPARQL_UPDATE:
        changes = ChangeSet.from_text(text, sparql=True, source="request body")
    else:
        changes = ChangeSet.from_text(text, sparql=False, source="request body")
    result = await run_in_threadpool(_what_if, state, changes, params, enterprise)
    return JSONResponse(result)


def _what_if(
    state: AppState, changes: ChangeSet, params: Parameters, enterprise: str | None
) -> dict[str, Any]:
    # The model's own answers first, in this process, so that the child finds them cached.
    state.analyses.get(state.model, params=params, enterprise=enterprise)
    if state.sandbox is None:
        return _what_if_data(state.model, changes, params, enterprise, state.analyses)
    result: dict[str, Any] = state.sandbox.run(
        _what_if_data,
        state.model,
        changes,
        params,
        enterprise,
        state.analyses,
        timeout=state.settings.whatif_timeout,
        network=state.settings.endpoint is not None,
        what="the what-if",
        source="what-if",
    )
    return result


def _what_if_data(
    model: KnowledgeGraph,
    changes: ChangeSet,
    params: Parameters,
    enterprise: str | None,
    cache: AnalysisCache,
) -> dict[str, Any]:
    return what_if(model, changes, params=params, enterprise=enterprise, cache=cache).to_dict()


@router.get(
    "/diff",
    tags=["change"],
    summary="What changed between two versions, element by element and answer by answer",
    responses=problems(400, 404),
)
def diff(
    state: State,
    params: QuestionParameters,
    old: Annotated[
        str,
        Query(
            alias="from",
            pattern=_NAME,
            description=f"A saved version, or {CURRENT!r} for the model as it is",
        ),
    ],
    new: Annotated[
        str,
        Query(
            alias="to",
            pattern=_NAME,
            description=f"A saved version, or {CURRENT!r} (the default)",
        ),
    ] = CURRENT,
    enterprise: EnterpriseName = None,
) -> Response:
    before = state.model_of(None if old == CURRENT else old)
    after = state.model_of(None if new == CURRENT else new)
    found = compare_models(
        before, after, params=params, enterprise=enterprise, cache=state.analyses
    )
    body = json.dumps(found.to_dict(), ensure_ascii=False, allow_nan=False)
    return Response(body, media_type="application/json")


@router.get("/versions", tags=["versions"], summary="The versions saved in the store")
def list_versions(state: State) -> list[dict[str, Any]]:
    return [v.to_dict() for v in versions(state.model)]


@router.post(
    "/versions",
    tags=["versions"],
    status_code=201,
    summary="Save the model as a named version",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {
                        "type": "object",
                        "required": ["name"],
                        "properties": {
                            "name": {
                                "type": "string",
                                "pattern": "^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$",
                            },
                            "note": {"type": "string", "maxLength": _NOTE},
                            "replace": {"type": "boolean"},
                        },
                        "additionalProperties": False,
                    }
                }
            },
        }
    },
    responses=problems(400, 401, 403, 409, 415),
)
async def save(request: Request, state: State, _: WriteAccess) -> JSONResponse:
    body = await _version_body(request)
    saved = await run_in_threadpool(_save, state, body)
    return JSONResponse(saved, status_code=201)


def _save(state: AppState, body: dict[str, Any]) -> dict[str, Any]:
    name, note, replace = body["name"], body.get("note"), bool(body.get("replace", False))
    with state.write_lock:
        if not replace and name in {v.name for v in versions(state.model)}:
            raise ApiError(
                409,
                "conflict",
                "Already exists",
                f'a version {name!r} is already saved; send "replace": true to replace it',
            )
        return save_version(state.model, name, note=note, replace=replace).to_dict()


async def _version_body(request: Request) -> dict[str, Any]:
    body = await json_object(request, "the version", ("application/json",))
    unknown = sorted(set(body) - {"name", "note", "replace"})
    if unknown:
        raise ApiError(
            400, "bad-request", "Bad request", f"unknown fields {unknown}: name, note, replace"
        )
    if not isinstance(body.get("name"), str):
        raise ApiError(400, "bad-request", "Bad request", "name must be given, as a string")
    note = body.get("note")
    if note is not None and (not isinstance(note, str) or len(note) > _NOTE):
        raise ApiError(
            400,
            "bad-request",
            "Bad request",
            f"note must be a string of at most {_NOTE} characters",
        )
    if "replace" in body and not isinstance(body["replace"], bool):
        raise ApiError(400, "bad-request", "Bad request", "replace must be true or false")
    return body


@router.delete(
    "/versions/{name}",
    tags=["versions"],
    status_code=204,
    summary="Drop a saved version",
    responses=problems(401, 403, 404),
)
def drop(state: State, _: WriteAccess, name: VersionPath) -> Response:
    with state.write_lock:
        drop_version(state.model, name)
    return Response(status_code=204)


@router.post(
    "/versions/{name}/restore",
    tags=["versions"],
    summary="Make the model a saved version again (the version is kept)",
    responses=problems(401, 403, 404),
)
def restore(state: State, _: WriteAccess, name: VersionPath) -> dict[str, Any]:
    with state.write_lock:
        return restore_version(state.model, name).to_dict()
