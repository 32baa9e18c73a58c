"""Dependencies shared by the routers, as named ``Annotated`` aliases."""

from __future__ import annotations

import json
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Annotated, Any

from fastapi import Depends, Path, Request
from fastapi.encoders import jsonable_encoder
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from api.config import Settings
from api.errors import ApiError
from kg.analysis import Analysis, AnalysisCache, analyse
from kg.caveats import caveats
from kg.impact import DependenceGraph
from kg.portfolio import View, resolve, scoped, view
from kg.questions import DEFAULT_PARAMETERS, QUESTIONS, Parameters
from kg.sandbox import Sandbox, supported, writes
from kg.silos import SiloParameters
from kg.store import KnowledgeGraph
from kg.versions import open_version

__all__ = [
    "AppState",
    "QuestionNumber",
    "State",
    "WriteAccess",
    "bearer",
    "check_token",
    "get_state",
    "question_number",
    "require_token",
]


_VIEWS_KEPT = 8
"""Enterprise views kept between writes (each a copy of its enterprise's part of the model)."""


@dataclass
class AppState:
    """What the app holds while it runs: its settings, the model, the write lock, the sandbox.

    Oxigraph runs each query on a snapshot and each write as one transaction, so readers see the
    model before or after a write, never half of it. Writes take ``write_lock`` so that checking a
    write against the shapes and applying it happen with no other write in between.

    Clients' SPARQL queries and updates are evaluated in ``sandbox`` (:mod:`kg.sandbox`), whose
    children are stopped at the time limit and held to the memory limit; ``None`` where the
    platform cannot fork (then queries run on threads, with the time limit only).

    The answers to the questions and the silos come from ``analyses`` (:mod:`kg.analysis`):
    computed once per version of the model, parameters and enterprise, and served until a write
    (unless the settings turn the cache off, see :attr:`api.config.Settings.caching`).
    """

    settings: Settings
    model: KnowledgeGraph
    write_lock: threading.Lock = field(default_factory=threading.Lock)
    sandbox: Sandbox | None = None
    _checked: tuple[int, tuple[str, ...]] | None = field(default=None, repr=False)
    _checking: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _views: dict[tuple[int, str | None], View] = field(default_factory=dict, repr=False)
    _viewing: threading.Lock = field(default_factory=threading.Lock, repr=False)
    analyses: AnalysisCache = field(default_factory=AnalysisCache, repr=False)
    _rendered: dict[tuple[int, str], tuple[Analysis, bytes]] = field(
        default_factory=dict, repr=False
    )
    _rendering: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def rendered(self, analysis: Analysis, name: str, make: Callable[[], Any]) -> bytes:
        """The JSON of ``make()`` (a part of ``analysis``), encoded once per analysis.

        Encoding the ten answers for FastAPI takes longer than serving them from the cache; the
        bytes are kept beside the analysis, for the last few analyses.
        """
        key = (id(analysis), name)
        with self._rendering:
            kept = self._rendered.get(key)
            if kept is not None and kept[0] is analysis:
                return kept[1]
        body = json.dumps(
            jsonable_encoder(make()), ensure_ascii=False, allow_nan=False, separators=(",", ":")
        ).encode("utf-8")
        with self._rendering:
            self._rendered[key] = (analysis, body)
            while len(self._rendered) > 4 * _VIEWS_KEPT:
                self._rendered.pop(next(iter(self._rendered)))
        return body

    _versions: dict[tuple[int, str], KnowledgeGraph] = field(default_factory=dict, repr=False)
    _versioning: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def model_of(self, version: str | None) -> KnowledgeGraph:
        """The model, or a version of it saved in its store (:mod:`kg.versions`).

        A version is copied out of the store once and kept until the next write.

        Raises
        ------
        VersionNotFoundError
            No version of that name is saved (the error lists those there are).
        """
        if version is None:
            return self.model
        with self._versioning:
            key = (writes(), version)
            made = self._versions.get(key)
            if made is None:
                made = open_version(self.model, version)
                self._versions = {k: v for k, v in self._versions.items() if k[0] == key[0]}
                if len(self._versions) >= _VIEWS_KEPT:
                    self._versions.pop(next(iter(self._versions)))
                self._versions[key] = made
            return made

    _graphs: dict[tuple[int, str | None, str | None], DependenceGraph] = field(
        default_factory=dict, repr=False
    )
    _graphing: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def dependence_graph(self, version: str | None, enterprise: str | None) -> DependenceGraph:
        """The dependence links of the model (or a saved version, or an enterprise's view of
        it) that impact analysis walks (:class:`kg.impact.DependenceGraph`), read once between
        writes.

        Raises
        ------
        VersionNotFoundError, EnterpriseError
            No such version, or no such enterprise.
        """
        model = self.model_of(version)
        with self._graphing:
            key = (writes(), version, enterprise)
            made = self._graphs.get(key)
            if made is None:
                walked = model
                if enterprise is not None:
                    walked = scoped(model, resolve(model, enterprise))
                made = DependenceGraph(walked)
                self._graphs = {k: v for k, v in self._graphs.items() if k[0] == key[0]}
                if len(self._graphs) >= _VIEWS_KEPT:
                    self._graphs.pop(next(iter(self._graphs)))
                self._graphs[key] = made
            return made

    def analysis(
        self,
        *,
        params: Parameters = DEFAULT_PARAMETERS,
        silo_params: SiloParameters | None = None,
        enterprise: str | None = None,
        version: str | None = None,
    ) -> Analysis:
        """The ten answers, the silos and the priorities of the model, caveats on them.

        From :attr:`analyses` while the settings cache answers; else computed for this call
        (the validation behind the caveats is still done once between writes). ``version``
        answers for a version saved in the store instead of the model.

        Raises
        ------
        EnterpriseError
            No enterprise of the model has that name, or none was given in a model of several.
        """
        if version is not None or self.settings.caching:
            # A saved version changes only as a whole: its answers are always kept.
            return self.analyses.get(
                self.model_of(version),
                params=params,
                silo_params=silo_params,
                enterprise=enterprise,
            )
        found = analyse(
            self.model,
            params=params,
            silo_params=silo_params,
            enterprise=self.view(enterprise),
            validate=False,
        )
        said = self.caveats()
        return replace(
            found,
            answers=tuple(a.with_caveats(said) for a in found.answers),
            silos=found.silos.with_caveats(said),
        )

    def caveats(self) -> tuple[str, ...]:
        """What answers drawn from the model must say up front (:func:`kg.caveats.caveats`).

        The model is validated once, and again only after a write.
        """
        with self._checking:
            count = writes()
            if self._checked is None or self._checked[0] != count:
                self._checked = (count, caveats(self.model))
            return self._checked[1]

    def view(self, enterprise: str | None) -> View:
        """The enterprise's view of the model (:func:`kg.portfolio.view`), as answers read it.

        A view is made once and kept until the next write, so that requests for one enterprise
        of a large portfolio do not each copy its part of the model again.

        Raises
        ------
        EnterpriseError
            No enterprise of the model has that name, or none was given in a model of several.
        """
        with self._viewing:
            key = (writes(), enterprise)
            made = self._views.get(key)
            if made is None:
                made = view(self.model, enterprise)
                self._views = {k: v for k, v in self._views.items() if k[0] == key[0]}
                if len(self._views) >= _VIEWS_KEPT:
                    self._views.pop(next(iter(self._views)))
                self._views[key] = made
            return made

    @classmethod
    def serving(cls, settings: Settings, model: KnowledgeGraph) -> AppState:
        """The state of an app serving ``model`` with ``settings``, its sandbox made."""
        sandbox = (
            Sandbox(workers=settings.query_workers, memory=settings.query_memory)
            if supported()
            else None
        )
        return cls(settings=settings, model=model, sandbox=sandbox)


def get_state(request: Request) -> AppState:
    state: AppState = request.app.state.kg
    return state


State = Annotated[AppState, Depends(get_state)]


bearer = HTTPBearer(
    auto_error=False,
    scheme_name="bearerAuth",
    description="The server's token (KG_TOKEN), needed by every write",
)


def require_token(
    state: State,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)] = None,
) -> None:
    """Let a write through only with ``Authorization: Bearer <KG_TOKEN>``.

    401 without credentials (or when the server has no token, writes are closed), 403 with wrong
    ones.
    """
    check_token(state, None if credentials is None else credentials.credentials)


def check_token(state: AppState, token: str | None) -> None:
    """The token rule of :func:`require_token`, for a token already taken from its header."""
    expected = state.settings.token
    if expected is None:
        raise ApiError(
            403,
            "writes-disabled",
            "Writes are disabled",
            "this server has no KG_TOKEN set, so it accepts no writes",
        )
    if not token:
        raise ApiError(
            401,
            "unauthorized",
            "Authentication required",
            "writes need an 'Authorization: Bearer <token>' header",
        )
    # Compared as bytes: compare_digest refuses str with characters outside ASCII, and a header
    # may hold any byte (Starlette decodes headers as Latin-1).
    given = token.strip().encode("utf-8", "surrogateescape")
    if not secrets.compare_digest(given, expected.encode("utf-8")):
        raise ApiError(403, "forbidden", "Wrong token", "the bearer token is not the server's")


WriteAccess = Annotated[None, Depends(require_token)]


def question_number(
    number: Annotated[
        str,
        Path(description="The question, 1 to 10", json_schema_extra={"pattern": "^(10|[1-9])$"}),
    ],
) -> int:
    """The ``{number}`` of a question route, 1 to 10; anything else is a 404."""
    if not (number.isascii() and number.isdigit() and int(number) in QUESTIONS):
        raise ApiError(
            404,
            "not-found",
            "Not found",
            f"there is no question {number!r}; the questions are {min(QUESTIONS)} to "
            f"{max(QUESTIONS)}",
        )
    return int(number)


QuestionNumber = Annotated[int, Depends(question_number)]
