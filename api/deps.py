"""Dependencies shared by the routers, as named ``Annotated`` aliases."""

from __future__ import annotations

import secrets
import threading
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import Depends, Header, Request

from api.config import Settings
from api.errors import ApiError
from kg.questions import QUESTIONS
from kg.store import KnowledgeGraph

__all__ = [
    "AppState",
    "QuestionNumber",
    "State",
    "WriteAccess",
    "get_state",
    "question_number",
    "require_token",
]


@dataclass
class AppState:
    """What the app holds while it runs: its settings, the model and the write lock.

    Oxigraph runs each query on a snapshot and each write as one transaction, so readers see the
    model before or after a write, never half of it. Writes take ``write_lock`` so that checking a
    write against the shapes and applying it happen with no other write in between.
    """

    settings: Settings
    model: KnowledgeGraph
    write_lock: threading.Lock = field(default_factory=threading.Lock)


def get_state(request: Request) -> AppState:
    state: AppState = request.app.state.kg
    return state


State = Annotated[AppState, Depends(get_state)]


def require_token(state: State, authorization: Annotated[str | None, Header()] = None) -> None:
    """Let a write through only with ``Authorization: Bearer <KG_TOKEN>``.

    401 without credentials (or when the server has no token, writes are closed), 403 with wrong
    ones.
    """
    expected = state.settings.token
    if expected is None:
        raise ApiError(
            403,
            "writes-disabled",
            "Writes are disabled",
            "this server has no KG_TOKEN set, so it accepts no writes",
        )
    if not authorization:
        raise ApiError(
            401,
            "unauthorized",
            "Authentication required",
            "writes need an 'Authorization: Bearer <token>' header",
        )
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not secrets.compare_digest(token.strip(), expected):
        raise ApiError(403, "forbidden", "Wrong token", "the bearer token is not the server's")


WriteAccess = Annotated[None, Depends(require_token)]


def question_number(number: str) -> int:
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
