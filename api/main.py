"""The FastAPI app: wiring only. Each router translates HTTP to calls on :mod:`kg` and back.

Run it with ``kg serve`` or ``uvicorn api.main:app``; configure it with environment variables
(:mod:`api.config`). A landing page at ``/`` links what it serves; the OpenAPI documentation
is served at ``/docs`` (Swagger UI) and ``/redoc``, with their scripts shipped in the package.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.staticfiles import StaticFiles
from starlette.routing import Mount, Route

from api import errors, openapi
from api.config import Settings
from api.deps import AppState
from api.middleware import BodyLimit
from api.routers import (
    change,
    docs,
    index,
    interchange,
    pictures,
    report,
    resources,
    sparql,
    views,
)
from kg._version import __version__
from kg.model import open_model
from kg.ontology import ONTOLOGY_IRI
from kg.store import KnowledgeGraph

__all__ = ["create_app"]


def create_app(settings: Settings | None = None, *, model: KnowledgeGraph | None = None) -> FastAPI:
    """Build the app. The model is opened when the app starts and closed when it stops.

    With an on-disk store that already holds a model, the store is served as it is (the files
    in ``KG_DATA`` are not loaded again, so writes made through the API are kept); a new or
    in-memory store is filled from ``KG_DATA``. A SPARQL server (``KG_ENDPOINT``) is treated
    like an on-disk store; a read-only one is served as it is.

    ``model`` serves a knowledge graph the caller has opened already (e.g. in a notebook, or
    on another backend); it is then the caller's to close, and ``KG_DATA``, ``KG_STORE`` and
    ``KG_ENDPOINT`` are not used.
    """
    chosen = settings if settings is not None else Settings.from_env()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if model is not None:
            app.state.kg = AppState.serving(chosen, model)
            yield
            return
        opened = open_model(path=chosen.store, endpoint=chosen.endpoint)
        writable = chosen.endpoint is None or chosen.endpoint.update is not None
        try:
            if writable and set(opened.graphs()) <= {str(ONTOLOGY_IRI)} and chosen.data:
                opened.load(*chosen.data)
            app.state.kg = AppState.serving(chosen, opened)
            yield
        finally:
            opened.close()

    app = FastAPI(
        title="Business Model Knowledge Graph",
        version=__version__,
        description=(
            "The ten strategic questions, silos, validation and the model's entities over HTTP, "
            "and a standard SPARQL 1.1 endpoint at /sparql."
        ),
        lifespan=lifespan,
        # Operations are named after their route functions (get_entity, ...).
        generate_unique_id_function=lambda route: route.name,
        # FastAPI's own pages load their scripts from CDNs: api.routers.docs serves offline ones.
        docs_url=None,
        redoc_url=None,
        swagger_ui_oauth2_redirect_url=None,
    )
    errors.install(app)
    openapi.install(app)
    # Starlette runs the middleware added last first: CORS answers preflights before anything,
    # and the body limit stands before every route.
    app.add_middleware(BodyLimit, max_bytes=chosen.max_body)
    if chosen.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(chosen.cors_origins),
            allow_methods=["GET", "POST", "PUT", "DELETE"],
            allow_headers=["Authorization", "Content-Type", "Accept"],
            expose_headers=["Location", "Retry-After"],
            max_age=600,
        )
    routers = (
        index.router,
        docs.router,
        sparql.router,
        resources.router,
        pictures.router,
        views.router,
        report.router,
        interchange.router,
        change.router,
    )
    for router in routers:
        app.include_router(router)
    app.mount(docs.STATIC, StaticFiles(directory=docs.ASSETS), name="static")
    # What a 405 answer names in its Allow header (see api.errors).
    app.state.methods_by_path = [
        (route.path_regex, frozenset(route.methods))
        for route in (*app.router.routes, *(r for router in routers for r in router.routes))
        if isinstance(route, Route) and route.methods
    ] + [
        (route.path_regex, frozenset({"GET", "HEAD"}))
        for route in app.router.routes
        if isinstance(route, Mount)
    ]
    return app


def __getattr__(name: str) -> FastAPI:
    # ``uvicorn api.main:app`` reads the environment when the app is first asked for, not when
    # this module is imported (tests build their own apps with create_app).
    if name == "app":
        return create_app()
    raise AttributeError(name)
