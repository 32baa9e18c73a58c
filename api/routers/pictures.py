"""Pictures of the model as offline HTML pages (:mod:`kg.pictures`), one picture a page.

- ``GET /pictures/model?types=CustomerSegment,Channel&max_nodes=150``: the model, or the
  things of some classes (``types`` comma-separated or repeated).
- ``GET /pictures/neighbourhood?iri=...&hops=1&max_nodes=500``: one thing and what lies near it.
- ``GET /pictures/journey?iri=...``: a customer journey, left to right.
- ``GET /pictures/silos?segment=...``: what a segment's customers meet, its silos highlighted.
- ``GET /pictures/capabilities``: the capability map, coloured by maturity gap.
- ``GET /pictures/questions/{n}``: the findings of question n, with the thresholds of
  ``/questions`` as query parameters.

Each returns one ``text/html`` page with vis-network inlined (no external URL). An IRI the
model does not hold is 404 problem+json (:class:`kg.errors.NotFoundError`); a bad parameter is
400 problem+json.
"""

from __future__ import annotations

from typing import Annotated

import pyoxigraph as ox
from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse

from api.deps import AppState, QuestionNumber, State
from api.errors import ApiError
from api.openapi import problems
from api.routers.resources import EnterpriseName, QuestionParameters
from kg.errors import NotFoundError
from kg.pictures import (
    Picture,
    answer_picture,
    capability_map_picture,
    journey_picture,
    model_picture,
    neighbourhood_picture,
    silo_picture,
)
from kg.portfolio import View
from kg.questions import ask

__all__ = ["router"]

router = APIRouter(prefix="/pictures", tags=["pictures"])


_MAX_NODES = 20_000


def _page(picture: Picture) -> HTMLResponse:
    return HTMLResponse(picture.to_html())


def _iri(value: str, what: str) -> str:
    # Text that is not an absolute IRI names nothing in the model.
    text = value.strip()
    try:
        valid = ":" in text and ox.NamedNode(text).value == text
    except ValueError:
        valid = False
    if not valid:
        raise NotFoundError(value, what=what)
    return text


@router.get(
    "/model",
    response_class=HTMLResponse,
    summary="A picture of the model",
    name="model_picture",
    responses=problems(400, 404),
)
def model(
    state: State,
    types: Annotated[
        list[str] | None,
        Query(description="Class local names, comma-separated or repeated; all when omitted"),
    ] = None,
    max_nodes: Annotated[
        int, Query(ge=1, le=_MAX_NODES, description="Above this, one node per class")
    ] = 150,
    enterprise: EnterpriseName = None,
) -> HTMLResponse:
    chosen = None
    if types:
        chosen = {t.strip() for given in types for t in given.split(",")}
    scope = _scope(state, enterprise)
    try:
        picture = model_picture(state.model, types=chosen, max_nodes=max_nodes, enterprise=scope)
    except ValueError as error:
        raise ApiError(400, "bad-request", "Bad request", str(error)) from None
    return _page(picture)


@router.get(
    "/neighbourhood",
    response_class=HTMLResponse,
    summary="One thing and what lies near it",
    name="neighbourhood_picture",
    responses=problems(400, 404),
)
def neighbourhood(
    state: State,
    iri: Annotated[str, Query(description="The thing at the centre")],
    hops: Annotated[int, Query(ge=0, le=6, description="Links out from the centre")] = 1,
    max_nodes: Annotated[int, Query(ge=1, le=_MAX_NODES)] = 500,
) -> HTMLResponse:
    picture = neighbourhood_picture(state.model, _iri(iri, "thing"), hops=hops, max_nodes=max_nodes)
    return _page(picture)


@router.get(
    "/journey",
    response_class=HTMLResponse,
    summary="A customer journey",
    name="journey_picture",
    responses=problems(400, 404),
)
def journey(
    state: State, iri: Annotated[str, Query(description="The customer journey")]
) -> HTMLResponse:
    return _page(journey_picture(state.model, _iri(iri, "thing")))


@router.get(
    "/silos",
    response_class=HTMLResponse,
    summary="A segment's silos",
    name="silo_picture",
    responses=problems(400, 404),
)
def silos(
    state: State, segment: Annotated[str, Query(description="The customer segment")]
) -> HTMLResponse:
    return _page(silo_picture(state.model, _iri(segment, "segment")))


@router.get(
    "/capabilities",
    response_class=HTMLResponse,
    summary="The capability map",
    name="capability_map_picture",
    responses=problems(400, 404),
)
def capabilities(state: State, enterprise: EnterpriseName = None) -> HTMLResponse:
    return _page(capability_map_picture(state.model, enterprise=_scope(state, enterprise)))


def _scope(state: AppState, enterprise: str | None) -> View | None:
    """The view of the enterprise asked for; none (the whole model is drawn) when none is."""
    return None if enterprise is None else state.view(enterprise)


@router.get(
    "/questions/{number}",
    response_class=HTMLResponse,
    summary="The findings of one question",
    name="answer_picture",
    responses=problems(400, 404),
)
def question(
    state: State,
    number: QuestionNumber,
    params: QuestionParameters,
    enterprise: EnterpriseName = None,
    hops: Annotated[
        int, Query(ge=0, le=6, description="Links out from the things the findings name")
    ] = 1,
) -> HTMLResponse:
    scope = state.view(enterprise)
    answer = ask(state.model, number, params=params, enterprise=scope)
    return _page(answer_picture(scope.model, answer, hops=hops))
