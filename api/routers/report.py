"""The report (:mod:`kg.report`) over HTTP, as ``kg report`` writes it into a folder.

- ``GET /report/report.html``: the report: what to do first, the ten answers, the views, the
  findings, validation; the pictures drawn when their section is opened.
- ``GET /report/report.json``: everything, as JSON.
- ``GET /report/findings.csv``: every finding, ranked, with its action, owners and stake.
- ``GET /report/report.md``: the same as the HTML, as Markdown.

The page links the other files by relative URL, as in its folder. A report is made once and
kept until the next write (making one takes seconds). ``enterprise`` names the enterprise in a
model of several.
"""

from __future__ import annotations

import threading
from typing import Literal

from fastapi import APIRouter
from fastapi.responses import Response

from api.deps import State
from api.openapi import problems
from api.routers.resources import EnterpriseName
from kg.report import Report, build_report
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
    scope = state.view(enterprise)
    key = (id(state), writes(), enterprise)
    with _making:
        made = _made.get(key)
        if made is None:
            made = build_report(state.model, enterprise=scope)
            _made.clear()  # one report kept: the newest asked for
            _made[key] = made
    if name == "report.html":
        body = made.to_html()
    elif name == "report.json":
        body = made.to_json()
    elif name == "findings.csv":
        body = made.findings_csv()
    else:
        body = made.to_markdown()
    return Response(body, media_type=_MEDIA[name])
