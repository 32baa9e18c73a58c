"""Configuration of the API, from environment variables.

| variable | meaning | default |
| --- | --- | --- |
| ``KG_DATA`` | files or folders to load at start-up, ``:``-separated | the telco example |
| ``KG_STORE`` | folder of an on-disk store (kept across restarts) | in memory |
| ``KG_TOKEN`` | bearer token that writes must present; writes are refused without one | none |
| ``KG_ALLOW_UPDATES`` | ``true`` to accept SPARQL updates (with the token) | ``false`` |
| ``KG_QUERY_TIMEOUT`` | seconds a SPARQL query may run | ``10`` |
| ``KG_MAX_RESULTS`` | rows (or triples) a SPARQL result may have | ``10000`` |
| ``KG_ENDPOINT`` | query URL of a SPARQL 1.1 server to use instead of the embedded store | none |
| ``KG_UPDATE_ENDPOINT`` | its update URL (without it the server is used read-only) | none |
| ``KG_ENDPOINT_TOKEN`` | bearer token sent to that server | none |

With ``KG_ENDPOINT`` the model lives on that server (see :mod:`kg.remote`): ``KG_STORE`` must
not be set, and ``KG_DATA`` is loaded only into a writable server that holds no model yet.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from kg.remote import Endpoint, endpoint_from_env

__all__ = ["Settings"]

_TELCO = Path(__file__).resolve().parent.parent / "data" / "telco"


@dataclass(frozen=True, kw_only=True)
class Settings:
    """What the API serves and how; see the module docstring for the environment variables."""

    data: tuple[Path, ...] = field(default=(_TELCO,))
    store: Path | None = None
    token: str | None = None
    allow_updates: bool = False
    query_timeout: float = 10.0
    max_results: int = 10_000
    endpoint: Endpoint | None = None

    def __post_init__(self) -> None:
        if self.endpoint is not None and self.store is not None:
            raise ValueError("KG_STORE and KG_ENDPOINT cannot both be set: choose one store")
        if self.query_timeout <= 0:
            raise ValueError("KG_QUERY_TIMEOUT must be a positive number of seconds")
        if self.max_results < 1:
            raise ValueError("KG_MAX_RESULTS must be at least 1")

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
                max_results=int(env.get("KG_MAX_RESULTS", "10000")),
                endpoint=endpoint_from_env(env),
            )
        except ValueError as error:
            raise ValueError(f"bad API configuration: {error}") from error
