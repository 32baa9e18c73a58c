"""The report (:mod:`kg.report`) over HTTP, as ``kg report`` writes it into a folder.

- ``GET /report/report.html``: the report: what to do first, the ten answers, the views, the
  findings, validation (the graph pictures are left out: ``/pictures`` draws them).
- ``GET /report/report.json``: everything, as JSON.
- ``GET /report/findings.csv``: every finding, ranked, with its action, owners and stake.
- ``GET /report/report.md``: the same as the HTML, as Markdown.
- ``GET /report/views/{kind}.html``: a view the report links rather than carries (on a large
  model).

The page links the other files by relative URL, as in its folder. A report is made once and
kept until the next write (making one takes seconds). ``enterprise`` names the enterprise in a
model of several.
"""

from __future__ import annotations

import threading
from typing import Literal

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response

from api.deps import AppState, State
from api.openapi import problems
from api.routers.resources import EnterpriseName
from kg.report import Report, build_report, view_page
from kg.sandbox import writes

__all__ = ["router"]

router = APIRouter(prefix="/report", tags=["report"])

_MEDIA = {
    "report.html": "text/html; charset=utf-8",
    "report.json": "application/json",
    "findings.csv": "text/csv; charset=utf-8",
    "report.md": "text/markdown; charset=utf-8",
}
_made: dict[tuple[int, int, str | None], Report] = {}
_making = threading.Lock()


@router.get(
    "/{name}",
    summary="The report: report.html, report.json, findings.csv or report.md",
    name="report",
    responses={
        200: {"content": {media.split(";")[0]: {} for media in _MEDIA.values()}},
        **problems(400, 404),
    },
)
def report(
    state: State,
    name: Literal["report.html", "report.json", "findings.csv", "report.md"],
    enterprise: EnterpriseName = None,
) -> Response:
    made = _report(state, enterprise)
    if name == "report.html":
        body = made.to_html()
    elif name == "report.json":
        body = made.to_json()
    elif name == "findings.csv":
        body = made.findings_csv()
    else:
        body = made.to_markdown()
    return Response(body, media_type=_MEDIA[name])


@router.get(
    "/views/{name}",
    response_class=HTMLResponse,
    summary="A view of the report, on its own page",
    name="report_view",
    responses=problems(400, 404),
)
def report_view(
    state: State,
    name: Literal[
        "canvas.html",
        "value-proposition-canvas.html",
        "journey-map.html",
        "heatmap.html",
        "silo-matrix.html",
    ],
    enterprise: EnterpriseName = None,
) -> HTMLResponse:
    kind = name.removesuffix(".html")
    [view] = [v for v in _report(state, enterprise).views if v.kind == kind]
    return HTMLResponse(view_page(view))


def _report(state: AppState, enterprise: str | None) -> Report:
    """The report on the enterprise, made once between writes."""
    scope = state.view(enterprise)
    key = (id(state), writes(), enterprise)
    with _making:
        made = _made.get(key)
        if made is None:
            # without the graph pictures, which /pictures serves one by one: the report is
            # made in a few seconds and stays small
            made = build_report(state.model, enterprise=scope, pictures=False)
            _made.clear()  # one report kept: the newest asked for
            _made[key] = made
    return made
