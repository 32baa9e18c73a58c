"""Schemathesis hooks of the contract test: how to send a SPARQL query or update as a body."""

from __future__ import annotations

from typing import Any

import schemathesis


@schemathesis.serializer("application/sparql-query", "application/sparql-update")
def sparql_text(ctx: Any, value: Any) -> bytes:
    """A query or update body is the text itself, in UTF-8."""
    text = value if isinstance(value, str) else str(value)
    return text.encode("utf-8", "surrogatepass")
