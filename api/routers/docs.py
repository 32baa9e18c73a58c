"""The API's documentation pages, Swagger UI at ``/docs`` and ReDoc at ``/redoc``, offline.

FastAPI's own pages load Swagger UI, ReDoc and their fonts from CDNs, so they stay blank on a
machine without internet access. These pages are FastAPI's (``get_swagger_ui_html``,
``get_redoc_html``) pointed at copies shipped in the package under :data:`ASSETS` and served
at ``/static`` (see ``api/static/README.md`` for what is there, its versions and licences).
ReDoc keeps the system fonts instead of Google's.

Every URL a page names starts with the ASGI ``root_path``, so the pages work behind a proxy
that serves the API under a prefix (``uvicorn --root-path /kg``).
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.openapi.docs import (
    get_redoc_html,
    get_swagger_ui_html,
    get_swagger_ui_oauth2_redirect_html,
)
from fastapi.responses import HTMLResponse

__all__ = ["ASSETS", "STATIC", "router", "static_url"]

ASSETS = Path(__file__).resolve().parent.parent / "static"
"""The folder of the shipped assets."""

STATIC = "/static"
"""Where the app serves :data:`ASSETS`."""

_OAUTH2_REDIRECT = "/docs/oauth2-redirect"

router = APIRouter(include_in_schema=False)


def static_url(request: Request, name: str) -> str:
    """The URL path of a shipped asset, under the app's ``root_path``.

    >>> from starlette.requests import Request
    >>> static_url(Request({"type": "http", "root_path": "/kg/"}), "redoc/redoc.standalone.js")
    '/kg/static/redoc/redoc.standalone.js'
    """
    return f"{_root(request)}{STATIC}/{name}"


def _root(request: Request) -> str:
    return str(request.scope.get("root_path", "")).rstrip("/")


@router.get("/docs", name="swagger_ui")
def swagger_ui(request: Request) -> HTMLResponse:
    return get_swagger_ui_html(
        openapi_url=_root(request) + request.app.openapi_url,
        title=f"{request.app.title} - Swagger UI",
        swagger_js_url=static_url(request, "swagger-ui/swagger-ui-bundle.js"),
        swagger_css_url=static_url(request, "swagger-ui/swagger-ui.css"),
        swagger_favicon_url=static_url(request, "swagger-ui/favicon-32x32.png"),
        oauth2_redirect_url=_root(request) + _OAUTH2_REDIRECT,
        # No badge from the online validator: it would send the document to swagger.io.
        swagger_ui_parameters={"validatorUrl": None},
    )


@router.get(_OAUTH2_REDIRECT, name="swagger_ui_redirect")
def swagger_ui_redirect() -> HTMLResponse:
    return get_swagger_ui_oauth2_redirect_html()


@router.get("/redoc", name="redoc")
def redoc(request: Request) -> HTMLResponse:
    return get_redoc_html(
        openapi_url=_root(request) + request.app.openapi_url,
        title=f"{request.app.title} - ReDoc",
        redoc_js_url=static_url(request, "redoc/redoc.standalone.js"),
        redoc_favicon_url=static_url(request, "swagger-ui/favicon-32x32.png"),
        with_google_fonts=False,
    )
