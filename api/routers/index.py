"""The landing page at ``/``: what the server serves, and links to all of it.

A browser gets an HTML page (``api/templates/index.html``); a client that prefers
``application/json`` gets the same links as data (any other ``Accept`` gets the page)::

    {"title": "...", "version": "...",
     "model": {"enterprises": [{"iri": "...", "label": "..."}], "triples": 4711, "as_of": "..."},
     "links": [{"section": "Documentation", "title": "Swagger UI", "href": "/docs",
                "type": "text/html"}, ...]}

In a model of several enterprises, the answers and views are linked once per enterprise (a
route answering for one needs to be told which). Links start with the ASGI ``root_path``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Annotated, Any
from urllib.parse import quote

import jinja2
from fastapi import APIRouter, Header, Request
from fastapi.responses import JSONResponse, Response
from fastapi.templating import Jinja2Templates

from api.deps import AppState, State
from api.routers.sparql import negotiate
from kg.answers import Enterprise
from kg.portfolio import enterprises
from kg.questions import QUESTIONS
from kg.report import describe_model
from kg.sandbox import writes

__all__ = ["Link", "ModelSummary", "router", "summary", "view_links"]

_HTML = "text/html"
_JSON = "application/json"
_OFFERED = (_HTML, _JSON)

_templates = Jinja2Templates(
    env=jinja2.Environment(
        loader=jinja2.PackageLoader("api", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
)


@dataclass(frozen=True)
class Link:
    """A link of the landing page: where it goes, what it is called, what it answers with."""

    section: str
    title: str
    href: str
    type: str = _HTML


@dataclass(frozen=True)
class ModelSummary:
    """The model the server serves: its enterprises, distinct triples and as-of date."""

    enterprises: tuple[Enterprise, ...]
    triples: int
    as_of: str | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "enterprises": [e.to_dict() for e in self.enterprises],
            "triples": self.triples,
            "as_of": self.as_of,
        }


_INDEX_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["title", "version", "model", "links"],
    "properties": {
        "title": {"type": "string"},
        "version": {"type": "string"},
        "model": {
            "type": "object",
            "required": ["enterprises", "triples", "as_of"],
            "properties": {
                "enterprises": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["iri", "label"],
                        "properties": {
                            "iri": {"type": "string"},
                            "label": {"type": ["string", "null"]},
                        },
                    },
                },
                "triples": {"type": "integer", "minimum": 0},
                "as_of": {"type": ["string", "null"], "format": "date"},
            },
        },
        "links": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["section", "title", "href", "type"],
                "properties": {
                    "section": {"type": "string"},
                    "title": {"type": "string"},
                    "href": {"type": "string"},
                    "type": {"type": "string", "description": "The media type the link answers"},
                },
            },
        },
    },
}

router = APIRouter(tags=["index"])


@router.get(
    "/",
    summary="What this server serves, with links to it",
    response_class=Response,
    responses={
        200: {
            "description": "The landing page (HTML), or its links as JSON",
            "content": {_HTML: {"schema": {"type": "string"}}, _JSON: {"schema": _INDEX_SCHEMA}},
        },
    },
)
def index(
    request: Request,
    state: State,
    accept: Annotated[
        str | None, Header(description="text/html (the default) or application/json")
    ] = None,
) -> Response:
    """The model served (its enterprises, triples and date) and links to the documentation,
    the SPARQL endpoint, the answers and the views: a page, or the same as JSON."""
    # A landing page is for anyone who arrives: an Accept header that names neither type gets
    # the page, not a 406 (RFC 9110 lets a server disregard it).
    chosen = negotiate(accept, _OFFERED) or _HTML
    model = summary(request, state)
    root = str(request.scope.get("root_path", "")).rstrip("/")
    links = [*_links(model.enterprises), *view_links(model.enterprises)]
    links = [Link(k.section, k.title, root + k.href, k.type) for k in links]
    headers = {"Vary": "Accept"}
    if chosen == _JSON:
        body = {
            "title": request.app.title,
            "version": request.app.version,
            "model": model.to_dict(),
            "links": [asdict(link) for link in links],
        }
        return JSONResponse(body, headers=headers)
    sections: dict[str, list[Link]] = {}
    for link in links:
        sections.setdefault(link.section, []).append(link)
    # The views have a block of their own in the template, for pages that extend it.
    views = sections.pop(_VIEWS, [])
    return _templates.TemplateResponse(
        request,
        "index.html",
        {
            "title": request.app.title,
            "version": request.app.version,
            "model": model,
            "sections": sections,
            "views": views,
        },
        headers=headers,
    )


def summary(request: Request, state: AppState) -> ModelSummary:
    """The model's :class:`ModelSummary`, worked out again only after a write."""
    kept: tuple[int, ModelSummary] | None = getattr(request.app.state, "index_summary", None)
    count = writes()
    if kept is None or kept[0] != count:
        described = describe_model(state.model)
        made = ModelSummary(
            enterprises=enterprises(state.model),
            triples=described.triples,
            as_of=described.as_of.isoformat() if described.as_of else None,
        )
        kept = (count, made)
        request.app.state.index_summary = kept
    return kept[1]


_VIEWS = "Views"


def view_links(found: Sequence[Enterprise]) -> list[Link]:
    """The links of the page's "Views" block: the pictures, once per enterprise of several.

    The template draws them in ``{% block views %}`` from its ``views`` context.
    """
    links = []
    for suffix, name in _scopes(found):
        links.append(Link(_VIEWS, "The report" + name, "/report/report.html" + suffix))
        links.extend(
            Link(_VIEWS, title + name, f"/views/{kind}" + suffix)
            for kind, title in (
                ("canvas", "Business Model Canvas"),
                ("value-proposition-canvas", "Value Proposition Canvas"),
                ("journey-map", "Customer journey map"),
                ("heatmap", "Capability heat map"),
                ("silo-matrix", "Silo matrix"),
            )
        )
        links.append(Link(_VIEWS, "Capability map" + name, "/pictures/capabilities" + suffix))
        links.append(Link(_VIEWS, "Picture of the model" + name, "/pictures/model" + suffix))
        links.extend(
            Link(_VIEWS, f"Findings of question {n}{name}", f"/pictures/questions/{n}{suffix}")
            for n in QUESTIONS
        )
    return links


def _links(found: Sequence[Enterprise]) -> list[Link]:
    docs = "Documentation"
    links = [
        Link(docs, "Swagger UI: try the API", "/docs"),
        Link(docs, "ReDoc: read the API reference", "/redoc"),
        Link(docs, "OpenAPI document", "/openapi.json", _JSON),
        Link("SPARQL", "SPARQL 1.1 endpoint (its service description)", "/sparql", "text/turtle"),
    ]
    answers = "Answers"
    for suffix, name in _scopes(found):
        links.append(
            Link(answers, "The ten strategic questions" + name, "/questions" + suffix, _JSON)
        )
        links.append(Link(answers, "Silos" + name, "/silos" + suffix, _JSON))
    links += [
        Link(answers, "Enterprises", "/enterprises", _JSON),
        Link(answers, "Validation against the shapes", "/validation", _JSON),
        Link(answers, "Customer segments", "/entities?type=CustomerSegment", _JSON),
        Link(answers, "The model as Turtle", "/export", "text/turtle"),
    ]
    return links


def _scopes(found: Sequence[Enterprise]) -> list[tuple[str, str]]:
    """The query string and title suffix of each enterprise to link, or one empty pair."""
    if len(found) < 2:
        return [("", "")]
    return [(f"?enterprise={quote(e.iri, safe='')}", f" ({e.name})") for e in found]
