"""Configuration of the API, from environment variables.

| variable | meaning | default |
| --- | --- | --- |
| ``KG_DATA`` | files or folders to load at start-up, ``:``-separated | the telco example |
| ``KG_STORE`` | folder of an on-disk store (kept across restarts) | in memory |
| ``KG_TOKEN`` | bearer token that writes must present; writes are refused without one | none |
| ``KG_ALLOW_UPDATES`` | ``true`` to accept SPARQL updates (with the token) | ``false`` |
| ``KG_QUERY_TIMEOUT`` | seconds a SPARQL query or update may run | ``10`` |
| ``KG_WHATIF_TIMEOUT`` | seconds a what-if (``POST /whatif``) may run | ``120`` |
| ``KG_QUERY_MEMORY`` | memory each SPARQL evaluation may take, beyond the server's own | ``1G`` |
| ``KG_QUERY_WORKERS`` | SPARQL evaluations that may run at once | ``4`` |
| ``KG_MAX_RESULTS`` | rows (or triples) a SPARQL result may have | ``10000`` |
| ``KG_MAX_UPDATE_QUADS`` | quads one SPARQL update may add and remove together | ``100000`` |
| ``KG_MAX_BODY`` | bytes a request body may have | ``10M`` |
| ``KG_CORS_ORIGINS`` | origins (``,``-separated) browsers may call the API from | none |
| ``KG_ANSWER_CACHE`` | ``false``: recompute answers per request (see below) | ``true`` |
| ``KG_ENDPOINT`` | query URL of a SPARQL 1.1 server to use instead of the embedded store | none |
| ``KG_UPDATE_ENDPOINT`` | its update URL (without it the server is used read-only) | none |
| ``KG_ENDPOINT_TOKEN`` | bearer token sent to that server | none |

With ``KG_ENDPOINT`` the model lives on that server (see :mod:`kg.remote`): ``KG_STORE`` must
not be set, and ``KG_DATA`` is loaded only into a writable server that holds no model yet.

The answers to the questions and the silos are computed once and served until a write through
this server changes the model (:class:`kg.analysis.AnalysisCache`). A server does not see the
writes other programs make to a SPARQL server it shares, so with ``KG_ENDPOINT`` the answers are
recomputed for every request unless ``KG_ANSWER_CACHE=true`` says no one else writes there.

Sizes are bytes, or a number with ``K``, ``M`` or ``G`` (powers of 1024): ``512M``. The server's
memory stays below its own size plus ``KG_QUERY_WORKERS`` times ``KG_QUERY_MEMORY``, whatever
clients send (see :mod:`kg.sandbox`).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from kg.ontology import example_path
from kg.remote import Endpoint, endpoint_from_env
from kg.sandbox import DEFAULT_MEMORY, DEFAULT_WORKERS

__all__ = ["Settings", "parse_size"]

_UNITS = {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30}

_TELCO = example_path("telco")


@dataclass(frozen=True, kw_only=True)
class Settings:
    """What the API serves and how; see the module docstring for the environment variables."""

    data: tuple[Path, ...] = field(default=(_TELCO,))
    store: Path | None = None
    token: str | None = None
    allow_updates: bool = False
    query_timeout: float = 10.0
    query_memory: int = DEFAULT_MEMORY
    query_workers: int = DEFAULT_WORKERS
    max_results: int = 10_000
    max_update_quads: int = 100_000
    max_body: int = 10 << 20
    cors_origins: tuple[str, ...] = ()
    endpoint: Endpoint | None = None
    whatif_timeout: float = 120.0
    answer_cache: bool | None = None
    """Serve the answers from a cache kept until a write; ``None``: yes, unless ``endpoint``."""

    @property
    def caching(self) -> bool:
        """Whether answers are served from the cache (see ``answer_cache``)."""
        return self.endpoint is None if self.answer_cache is None else self.answer_cache

    def __post_init__(self) -> None:
        if self.endpoint is not None and self.store is not None:
            raise ValueError("KG_STORE and KG_ENDPOINT cannot both be set: choose one store")
        if self.whatif_timeout <= 0:
            raise ValueError("KG_WHATIF_TIMEOUT must be a positive number of seconds")
        if self.query_timeout <= 0:
            raise ValueError("KG_QUERY_TIMEOUT must be a positive number of seconds")
        if self.max_results < 1:
            raise ValueError("KG_MAX_RESULTS must be at least 1")
        if self.query_memory < 1 << 20:
            raise ValueError("KG_QUERY_MEMORY must be at least 1M")
        if self.query_workers < 1:
            raise ValueError("KG_QUERY_WORKERS must be at least 1")
        if self.max_update_quads < 1:
            raise ValueError("KG_MAX_UPDATE_QUADS must be at least 1")
        if self.max_body < 1024:
            raise ValueError("KG_MAX_BODY must be at least 1K")
        for origin in self.cors_origins:
            if origin != "*" and not origin.startswith(("http://", "https://")):
                raise ValueError(
                    f"KG_CORS_ORIGINS: {origin!r} is not an origin (scheme://host[:port]) or *"
                )

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Read the settings from environment variables (``os.environ`` by default)."""
        env = os.environ if environ is None else environ
        data = env.get("KG_DATA")
        try:
            return cls(
                data=tuple(Path(p) for p in data.split(":") if p)
                if data is not None
                else (_TELCO,),
                store=Path(env["KG_STORE"]) if env.get("KG_STORE") else None,
                token=env.get("KG_TOKEN") or None,
                allow_updates=env.get("KG_ALLOW_UPDATES", "false").lower() in ("1", "true", "yes"),
                query_timeout=float(env.get("KG_QUERY_TIMEOUT", "10")),
                whatif_timeout=float(env.get("KG_WHATIF_TIMEOUT", "120")),
                query_memory=parse_size(env.get("KG_QUERY_MEMORY", "1G"), "KG_QUERY_MEMORY"),
                query_workers=int(env.get("KG_QUERY_WORKERS", str(DEFAULT_WORKERS))),
                max_results=int(env.get("KG_MAX_RESULTS", "10000")),
                max_update_quads=int(env.get("KG_MAX_UPDATE_QUADS", "100000")),
                max_body=parse_size(env.get("KG_MAX_BODY", "10M"), "KG_MAX_BODY"),
                cors_origins=tuple(
                    o.strip().rstrip("/")
                    for o in env.get("KG_CORS_ORIGINS", "").split(",")
                    if o.strip()
                ),
                endpoint=endpoint_from_env(env),
                answer_cache=_flag(env.get("KG_ANSWER_CACHE"), "KG_ANSWER_CACHE"),
            )
        except ValueError as error:
            raise ValueError(f"bad API configuration: {error}") from error


def _flag(text: str | None, name: str) -> bool | None:
    if text is None or not text.strip():
        return None
    value = text.strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise ValueError(f"{name}: {text!r} is not true or false")


def parse_size(text: str, name: str) -> int:
    """A size in bytes from ``123``, ``512K``, ``10M`` or ``1G`` (powers of 1024).

    >>> parse_size("10M", "KG_MAX_BODY")
    10485760
    """
    value = text.strip().upper().removesuffix("B").removesuffix("I")
    unit = value[-1:] if value[-1:] in _UNITS else ""
    number = value[: len(value) - len(unit)].strip()
    try:
        size = float(number) * _UNITS[unit]
    except ValueError:
        raise ValueError(
            f"{name}: {text!r} is not a size such as 1048576, 512K, 10M or 1G"
        ) from None
    if size != size or size < 0 or size > 1 << 50:
        raise ValueError(f"{name}: {text!r} is out of range")
    return int(size)
