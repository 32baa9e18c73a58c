"""ASGI middleware of the app: the request-body limit.

:class:`BodyLimit` reads a request's body before the app does, up to ``max_bytes``: a request
that declares a larger ``Content-Length`` is answered 413 before a byte of its body is read,
and one that sends more (chunked, or lying about its length) is answered 413 as soon as it
passes the limit. Nothing behind it (authentication, parsing, the store) ever sees such a
request; the body it read is handed on to the app unchanged.

Starlette's own limit (FastAPI's ``max_body_size``) is not used: it answers in plain text, and
replaces whatever the app answers (a 401 included) with that text, where every error of this
API is a problem+json body.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import problem

__all__ = ["BodyLimit"]


class BodyLimit:
    """Refuse request bodies larger than ``max_bytes`` with 413 problem+json."""

    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared == -1:
            await problem(
                400, "bad-request", "Bad request", "the Content-Length header is not a number"
            )(scope, receive, send)
            return
        if declared is not None and declared > self.max_bytes:
            await self._too_large(scope, receive, send)
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body: bytes = message.get("body", b"")
            size += len(body)
            if size > self.max_bytes:
                await self._too_large(scope, receive, send)
                return
            chunks.append(body)
            if not message.get("more_body", False):
                break
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return {"type": "http.request", "body": b"".join(chunks), "more_body": False}

        await self.app(scope, replay, send)

    async def _too_large(self, scope: Scope, receive: Receive, send: Send) -> None:
        await problem(
            413,
            "request-too-large",
            "Request body too large",
            f"the request body is larger than the {self.max_bytes} bytes this server accepts "
            "(KG_MAX_BODY)",
            headers={"Connection": "close"},
        )(scope, receive, send)


def _content_length(scope: Scope) -> int | None:
    """The declared body length; ``None`` when absent, ``-1`` when not a number."""
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            text = value.strip()
            return int(text) if text.isdigit() and len(text) < 20 else -1
    return None
