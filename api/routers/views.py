"""The views architects know, as offline HTML pages (:mod:`kg.views`), one view a page.

- ``GET /views/canvas``: the Business Model Canvas.
- ``GET /views/value-proposition-canvas?segment=...``: the Value Proposition Canvas of each
  segment and value proposition (of one segment with ``segment``).
- ``GET /views/journey-map?journey=...``: the customer journey map (every journey without
  ``journey``).
- ``GET /views/heatmap``: the capability heat map.
- ``GET /views/silo-matrix``: segments against units, applications and data stores.

Each is one ``text/html`` page of HTML and CSS (no script, no external URL), with a badge on
each thing the findings of the ten questions and the silo analysis name. An IRI the model does
not hold is 404 problem+json; a model of several enterprises needs ``enterprise`` (400).
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse

from api.deps import State
from api.errors import ApiError
from api.openapi import problems
from api.routers.pictures import _iri
from api.routers.resources import EnterpriseName
from kg.impact import impact as impact_of
from kg.views import MARKS_REACHED, draw

__all__ = ["router"]

router = APIRouter(prefix="/views", tags=["views"])

ViewKind = Literal["canvas", "value-proposition-canvas", "journey-map", "heatmap", "silo-matrix"]


@router.get(
    "/{kind}",
    response_class=HTMLResponse,
    summary="One view of the model: canvas, value proposition canvas, journey map, heat map, "
    "silo matrix",
    name="view",
    responses=problems(400, 404),
)
def view(
    state: State,
    kind: ViewKind,
    enterprise: EnterpriseName = None,
    segment: Annotated[
        str | None, Query(description="The segment (value-proposition-canvas only)")
    ] = None,
    journey: Annotated[str | None, Query(description="The journey (journey-map only)")] = None,
    impact: Annotated[
        list[str] | None,
        Query(
            max_length=100,
            description="Mark what depends on these elements, as GET /impact walks it (IRI, "
            "CURIE or label; canvas and journey-map only)",
        ),
    ] = None,
) -> HTMLResponse:
    iri = None
    if kind == "value-proposition-canvas" and segment is not None:
        iri = _iri(segment, "segment")
    elif kind == "journey-map" and journey is not None:
        iri = _iri(journey, "journey")
    scope = state.view(enterprise)
    # The findings that mark the view (as kg.views.model_findings orders them), served from the
    # cache between writes.
    found = state.analysis(enterprise=enterprise)
    findings = (*(f for a in found.answers for f in a.findings), *found.silos.findings)
    reached: frozenset[str] = frozenset()
    reached_from: tuple[str, ...] = ()
    if impact:
        if kind not in MARKS_REACHED:
            raise ApiError(
                400,
                "bad-request",
                "Bad request",
                f"only the {' and the '.join(MARKS_REACHED)} mark what an impact reaches",
            )
        graph = state.dependence_graph(None, enterprise)
        impacted = impact_of(state.model, impact, enterprise=enterprise, graph=graph)
        reached, reached_from = impacted.iris, tuple(s.label for s in impacted.start)
    drawn = draw(
        kind,
        state.model,
        enterprise=scope,
        findings=findings,
        iri=iri,
        reached=reached,
        reached_from=reached_from,
    )
    return HTMLResponse(drawn.page())
