"""The model's resources: the ten questions, silos, validation, entities and export.

- ``GET /questions`` (all ten answers) and ``GET /questions/{n}``, with the thresholds of
  :class:`kg.questions.Parameters` as query parameters.
- ``GET /silos`` and ``GET /validation``: the silo analysis and the validation report.
- ``GET /entities?type=CustomerSegment&label=&limit=&offset=`` (other query parameters filter
  by property value, e.g. ``&lifecycleStatus=Live``), ``GET/PUT/DELETE /entities/{iri}`` (the
  IRI URL-encoded) and ``POST /entities``. Entities are JSON by default and JSON-LD (with their
  ``@context``) when ``Accept`` asks for ``application/ld+json``. Writes need the bearer token;
  a write that would violate the shapes is refused with 422 and nothing changes
  (see :mod:`kg.entities`).
- ``GET /export?format=turtle&graph=IRI``: the whole model or one named graph.
"""

from __future__ import annotations

import json
import math
import re
from datetime import date
from typing import Annotated, Any, Literal
from urllib.parse import quote

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BeforeValidator
from starlette.concurrency import run_in_threadpool

from api.deps import AppState, QuestionNumber, State, WriteAccess
from api.errors import ApiError
from api.openapi import ENTITY_LINKS, entity_body, problems
from kg import entities, portfolio
from kg.questions import Parameters, ask, ask_all
from kg.silos import find_silos
from kg.validation import validate

__all__ = ["router"]

router = APIRouter()

JSON_LD = "application/ld+json"

_EXPORTS: dict[str, tuple[str, str]] = {
    "turtle": ("turtle", "text/turtle"),
    "ntriples": ("ntriples", "application/n-triples"),
    "nquads": ("nquads", "application/n-quads"),
    "trig": ("trig", "application/trig"),
    "jsonld": ("json-ld", JSON_LD),
    "rdfxml": ("xml", "application/rdf+xml"),
}
_LIST_PARAMETERS = {"type", "limit", "offset", "label"}
_ENTITY_CONTENT: dict[str, Any] = {
    "description": "The entity (or page of entities), as JSON or, by Accept, JSON-LD",
    "content": {
        "application/json": {"schema": {"type": "object"}},
        JSON_LD: {"schema": {"type": "object"}},
    },
}
_EXPORT_CONTENT: dict[str, Any] = {
    "description": "The model, or one named graph, in the format asked for",
    "content": {
        media: {"schema": {"type": ["array", "object"]} if media == JSON_LD else {"type": "string"}}
        for _, media in _EXPORTS.values()
    },
}
_LOCATION = {"Location": {"description": "Where the new entity is", "schema": {"type": "string"}}}
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _bad_request(error: ValueError) -> ApiError:
    return ApiError(400, "bad-request", "Bad request", str(error))


def _iso_date(value: Any) -> Any:
    # Pydantic would also read a number of seconds since 1970 as a date ("0" is 1970-01-01).
    if isinstance(value, str) and not _ISO_DATE.fullmatch(value):
        raise ValueError("a date must be written YYYY-MM-DD")
    return value


IsoDate = Annotated[date, BeforeValidator(_iso_date)]


def question_parameters(
    growth_target: Annotated[
        float | None,
        Query(ge=-1, le=100, description="Annual growth segments should carry, 0.04 is 4% (Q1)"),
    ] = None,
    min_attractive_size: Annotated[
        int | None, Query(ge=0, le=10**15, description="Smallest attractive segment size (Q1)")
    ] = None,
    max_evidence_age_months: Annotated[
        int | None, Query(ge=0, le=1200, description="Oldest acceptable evidence, in months (Q2)")
    ] = None,
    as_of: Annotated[IsoDate | None, Query(description="Day of the analysis, YYYY-MM-DD")] = None,
    min_fit: Annotated[
        float | None, Query(ge=0, le=1, description="Smallest acceptable fit, 0-1 (Q3)")
    ] = None,
    min_gap: Annotated[
        int | None,
        Query(ge=1, le=1000, description="Maturity gap that counts (Q7); maturities run 1-5"),
    ] = None,
    max_partner_cost_share: Annotated[
        float | None,
        Query(ge=0, le=1, description="Largest share of partner costs for one partner (Q10)"),
    ] = None,
) -> Parameters:
    """The thresholds of :class:`kg.questions.Parameters`; unset ones keep their defaults."""
    given: dict[str, Any] = {
        "growth_target": growth_target,
        "min_attractive_size": min_attractive_size,
        "max_evidence_age_months": max_evidence_age_months,
        "as_of": as_of,
        "min_fit": min_fit,
        "min_gap": min_gap,
        "max_partner_cost_share": max_partner_cost_share,
    }
    for name, value in given.items():
        if isinstance(value, float) and not math.isfinite(value):
            raise ApiError(400, "bad-request", "Bad request", f"{name} must be a finite number")
    try:
        return Parameters(**{k: v for k, v in given.items() if v is not None})
    except ValueError as error:
        raise _bad_request(error) from None


QuestionParameters = Annotated[Parameters, Depends(question_parameters)]
VersionName = Annotated[
    str | None,
    Query(
        pattern="^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$",
        description="A version saved in the store (see /versions) to answer for instead of "
        "the model as it is",
    ),
]
EnterpriseName = Annotated[
    str | None,
    Query(
        max_length=2000,
        description="In a model of several enterprises, the one to answer for: its IRI, CURIE "
        "or label (see /enterprises). Needed when the model holds several.",
    ),
]


def _wants_json_ld(request: Request) -> bool:
    for part in request.headers.get("accept", "").split(","):
        media, *options = (p.strip() for p in part.split(";"))
        if media.lower() == JSON_LD:
            return not any(
                o.replace(" ", "") in ("q=0", "q=0.0", "q=0.00", "q=0.000") for o in options
            )
    return False


def _entity_response(
    request: Request, body: dict[str, Any], status: int = 200, headers: dict[str, str] | None = None
) -> JSONResponse:
    if _wants_json_ld(request):
        return JSONResponse(
            {"@context": entities.context(), **body},
            status_code=status,
            media_type=JSON_LD,
            headers=headers,
        )
    return JSONResponse(body, status_code=status, headers=headers)


def _location(iri: str) -> str:
    return "/entities/" + quote(iri, safe="")


@router.get(
    "/questions",
    tags=["questions"],
    summary="Answer the ten strategic questions",
    response_model=list[dict[str, Any]],
    responses=problems(400, 404),
)
def all_questions(
    state: State,
    params: QuestionParameters,
    enterprise: EnterpriseName = None,
    version: VersionName = None,
) -> Response:
    if state.settings.caching or version is not None:
        found = state.analysis(params=params, enterprise=enterprise, version=version)
        body = state.rendered(found, "questions", lambda: [a.to_dict() for a in found.answers])
        return Response(body, media_type="application/json")
    caveats = state.caveats()
    answers = ask_all(state.model, params=params, enterprise=state.view(enterprise))
    return JSONResponse([a.with_caveats(caveats).to_dict() for a in answers])


@router.get(
    "/questions/{number}",
    tags=["questions"],
    summary="Answer one strategic question",
    response_model=dict[str, Any],
    responses=problems(400, 404),
)
def one_question(
    state: State,
    number: QuestionNumber,
    params: QuestionParameters,
    enterprise: EnterpriseName = None,
    version: VersionName = None,
) -> Response:
    if state.settings.caching or version is not None:
        found = state.analysis(params=params, enterprise=enterprise, version=version)
        body = state.rendered(found, f"question {number}", found.answer(number).to_dict)
        return Response(body, media_type="application/json")
    answer = ask(state.model, number, params=params, enterprise=state.view(enterprise))
    return JSONResponse(answer.with_caveats(state.caveats()).to_dict())


@router.get(
    "/silos",
    tags=["analysis"],
    summary="Find the silos of the business model",
    response_model=dict[str, Any],
    responses=problems(400, 404),
)
def silos(state: State, enterprise: EnterpriseName = None, version: VersionName = None) -> Response:
    if state.settings.caching or version is not None:
        found = state.analysis(enterprise=enterprise, version=version)
        body = state.rendered(found, "silos", found.silos.to_dict)
        return Response(body, media_type="application/json")
    analysis = find_silos(state.model, enterprise=state.view(enterprise))
    return JSONResponse(analysis.with_caveats(state.caveats()).to_dict())


@router.get(
    "/enterprises",
    tags=["analysis"],
    summary="The enterprises of the model, each answered on its own",
)
def list_enterprises(state: State) -> list[dict[str, Any]]:
    placed = portfolio.placement(state.model)
    counts: dict[str, int] = {e: 0 for e in placed.enterprises}
    for element in placed.elements:
        for owner in placed.of.get(element, ()):
            counts[owner] = counts.get(owner, 0) + 1
    return [
        {
            **e.to_dict(),
            "elements": counts.get(e.iri) if placed.several else None,
            "questions": "/questions?enterprise=" + quote(e.iri, safe=""),
            "silos": "/silos?enterprise=" + quote(e.iri, safe=""),
        }
        for e in portfolio.enterprises(state.model)
    ]


@router.get("/validation", tags=["analysis"], summary="Validate the model against its shapes")
def validation(state: State) -> dict[str, Any]:
    return validate(state.model).to_dict()


@router.get(
    "/entities",
    tags=["entities"],
    summary="List the entities of a type",
    responses={200: _ENTITY_CONTENT, **problems(400)},
)
def list_entities(
    request: Request,
    state: State,
    type: Annotated[str, Query(description="A bm: class by local name, e.g. CustomerSegment")],
    limit: Annotated[int, Query(ge=0, le=1000)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
    label: Annotated[str | None, Query(description="Text one of the labels contains")] = None,
) -> JSONResponse:
    where = {k: v for k, v in request.query_params.items() if k not in _LIST_PARAMETERS}
    try:
        page = entities.list_entities(
            state.model, type, limit=limit, offset=offset, label=label, where=where
        )
    except ValueError as error:
        raise _bad_request(error) from None
    if _wants_json_ld(request):
        body = {"@context": entities.context(), "@graph": page.items}
        return JSONResponse(body, media_type=JSON_LD)
    return JSONResponse(page.to_dict())


@router.get(
    "/entities/{iri:path}",
    tags=["entities"],
    summary="Describe one entity",
    responses={200: _ENTITY_CONTENT, **problems(404)},
)
def get_entity(request: Request, state: State, iri: str) -> JSONResponse:
    try:
        body = entities.get_entity(state.model, iri)
    except ValueError as error:
        raise _bad_request(error) from None
    return _entity_response(request, body)


@router.post(
    "/entities",
    tags=["entities"],
    status_code=201,
    summary="Create an entity",
    openapi_extra={"requestBody": entity_body()},
    responses={
        201: {**_ENTITY_CONTENT, "headers": _LOCATION, "links": ENTITY_LINKS},
        **problems(400, 401, 403, 409, 413, 415, 422),
    },
)
async def create_entity(request: Request, state: State, _: WriteAccess) -> JSONResponse:
    # The body is read only once the token has been checked (WriteAccess).
    body = await json_object(request)
    return await run_in_threadpool(_create_entity, request, state, body)


def _create_entity(request: Request, state: AppState, body: dict[str, Any]) -> JSONResponse:
    with state.write_lock:
        try:
            iri, _triples = entities.from_json(body)
            if "@id" in body and entities.entity_exists(state.model, iri):
                raise ApiError(
                    409,
                    "conflict",
                    "Already exists",
                    f"the entity <{iri}> already exists; update it with PUT",
                )
            iri = entities.create_entity(state.model, {**body, "@id": iri})
        except ValueError as error:
            raise _bad_request(error) from None
        created = entities.get_entity(state.model, iri)
    return _entity_response(request, created, 201, {"Location": _location(iri)})


@router.put(
    "/entities/{iri:path}",
    tags=["entities"],
    summary="Replace an entity's triples",
    openapi_extra={"requestBody": entity_body(replacement=True)},
    responses={200: _ENTITY_CONTENT, **problems(400, 401, 403, 404, 413, 415, 422)},
)
async def update_entity(request: Request, state: State, _: WriteAccess, iri: str) -> JSONResponse:
    body = await json_object(request)
    return await run_in_threadpool(_update_entity, request, state, iri, body)


def _update_entity(
    request: Request, state: AppState, iri: str, body: dict[str, Any]
) -> JSONResponse:
    with state.write_lock:
        try:
            entities.update_entity(state.model, iri, body)
        except ValueError as error:
            raise _bad_request(error) from None
        updated = entities.get_entity(state.model, iri)
    return _entity_response(request, updated)


async def json_object(
    request: Request,
    what: str = "the entity",
    media: tuple[str, ...] = ("application/json", JSON_LD),
) -> dict[str, Any]:
    """The request's body as a JSON object; 415 or 400 problem+json otherwise."""
    given = request.headers.get("content-type", "").partition(";")[0].strip().lower()
    if given not in media:
        raise ApiError(
            415,
            "unsupported-media-type",
            "Unsupported media type",
            f"send {what} as {' or '.join(media)}, not {given or '(none)'!r}",
        )
    raw = await request.body()
    try:
        body = json.loads(raw)
    except (UnicodeDecodeError, ValueError) as error:
        raise ApiError(
            400, "bad-request", "Bad request", f"the body is not JSON: {error}"
        ) from None
    if not isinstance(body, dict):
        raise ApiError(400, "bad-request", "Bad request", "the body must be a JSON object")
    return body


@router.delete(
    "/entities/{iri:path}",
    tags=["entities"],
    status_code=204,
    summary="Delete an entity",
    responses=problems(401, 403, 404, 422),
)
def delete_entity(state: State, _: WriteAccess, iri: str) -> Response:
    with state.write_lock:
        try:
            entities.delete_entity(state.model, iri)
        except ValueError as error:
            raise _bad_request(error) from None
    return Response(status_code=204)


@router.get(
    "/export",
    tags=["export"],
    summary="Export the model or one named graph",
    response_class=Response,
    responses={200: _EXPORT_CONTENT, **problems(400, 404)},
)
def export(
    state: State,
    format: Literal["turtle", "ntriples", "nquads", "trig", "jsonld", "rdfxml"] = "turtle",
    graph: Annotated[str | None, Query(description="IRI of one named graph")] = None,
    version: VersionName = None,
) -> Response:
    model = state.model_of(version)
    if graph is not None and graph not in model.graphs():
        raise ApiError(404, "not-found", "Not found", f"no graph <{graph}> in the model", iri=graph)
    name, media_type = _EXPORTS[format]
    return Response(model.serialize(format=name, graph=graph), media_type=media_type)
