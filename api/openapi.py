"""The OpenAPI document, made to say what the routes really answer.

FastAPI writes most of the document from the routes. This module adds what it cannot know:

- every error a route can answer, each an RFC 9457 problem (:data:`PROBLEM_SCHEMA`) as
  ``application/problem+json``, in place of FastAPI's default ``422`` (the app answers bad
  parameters with ``400``, see :mod:`api.errors`);
- the request body of entity writes (:func:`entity_body`, from :func:`kg.entities.json_schema`);
- links from a created entity to the routes that read, replace and delete it, so that a
  contract tester can follow them.

:func:`install` puts it in place of the app's ``openapi()``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from kg import entities

__all__ = ["ENTITY_LINKS", "PROBLEM_SCHEMA", "entity_body", "install", "problems"]

PROBLEM_JSON = "application/problem+json"
_PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}

PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "description": "An RFC 9457 problem: what went wrong, in the same shape for every error.",
    "type": "object",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string", "format": "uri", "description": "The kind of problem"},
        "title": {"type": "string"},
        "status": {"type": "integer", "minimum": 400, "maximum": 599},
        "detail": {"type": "string"},
        "line": {"type": ["integer", "null"], "description": "Line of a syntax error"},
        "column": {"type": ["integer", "null"], "description": "Column of a syntax error"},
        "results": {
            "type": "array",
            "items": {"type": "object"},
            "description": "The validation results that refused a write",
        },
        "errors": {
            "type": "array",
            "items": {"type": "object"},
            "description": "What is wrong with each bad parameter",
        },
        "available": {
            "type": "array",
            "items": {"type": "string"},
            "description": "The media types that could be served instead",
        },
        "iri": {"type": "string", "description": "What was not found"},
    },
    "additionalProperties": True,
}

_MEANINGS = {
    400: "The request is malformed: a bad parameter, or malformed SPARQL or RDF",
    401: "The write needs a bearer token (Authorization: Bearer <token>)",
    403: "The token is wrong, or the server accepts no writes of this kind",
    404: "Nothing of that name in the model",
    405: "The route does not take this method (see the Allow header)",
    406: "None of the formats the client accepts can hold the result",
    409: "An entity of that IRI already exists",
    413: "The request body, the result or the update is larger than the server's limit",
    415: "The body is not of a media type this route reads",
    422: "The write would violate the model's shapes; nothing was changed",
    500: "The evaluation failed; the server itself is unaffected",
    503: "A time or memory limit was reached, or every evaluator was busy",
}


ENTITY_LINKS: dict[str, Any] = {
    name: {
        "operationId": operation,
        "parameters": {"iri": "$response.body#/@id"},
        "description": description,
    }
    for name, operation, description in (
        ("GetEntity", "get_entity", "The entity just created"),
        ("ReplaceEntity", "update_entity", "Replace the entity just created"),
        ("DeleteEntity", "delete_entity", "Delete the entity just created"),
    )
}
"""Links from a created entity to the routes that read, replace and delete it."""


def problems(*statuses: int, **meanings: str) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` entries for error statuses, each a problem+json body.

    ``meanings`` overrides the description of a status, keyed ``s400`` and so on.
    """
    return {
        status: {
            "description": meanings.get(f"s{status}", _MEANINGS[status]),
            "content": {PROBLEM_JSON: {"schema": _PROBLEM_REF}},
        }
        for status in statuses
    }


def entity_body(*, replacement: bool = False) -> dict[str, Any]:
    """The ``requestBody`` of an entity write (JSON or JSON-LD)."""
    name = "EntityReplacement" if replacement else "Entity"
    schema = {"$ref": f"#/components/schemas/{name}"}
    return {
        "required": True,
        "description": "The entity in its JSON form (see GET /entities/{iri})",
        "content": {
            "application/json": {"schema": schema},
            "application/ld+json": {"schema": schema},
        },
    }


def install(app: FastAPI) -> None:
    """Make the app's ``/openapi.json`` the document this module describes."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = get_openapi(
                title=app.title,
                version=app.version,
                description=app.description,
                routes=app.routes,
            )
            app.openapi_schema = _amend(document)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def _amend(document: dict[str, Any]) -> dict[str, Any]:
    components = document.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    schemas["Problem"] = PROBLEM_SCHEMA
    schemas["Entity"] = entities.json_schema()
    schemas["EntityReplacement"] = {
        **entities.json_schema(with_id=False),
        "title": "EntityReplacement",
        "description": "An entity's new JSON form; an @id, if given, must be the IRI addressed",
    }
    for operation in _operations(document):
        responses = operation.setdefault("responses", {})
        default = responses.get("422", {})
        if default.get("description") == "Validation Error":
            del responses["422"]
            responses.setdefault("400", problems(400)[400])
    for name in ("HTTPValidationError", "ValidationError"):
        schemas.pop(name, None)
    # The class names, read from the ontology when the document is first asked for (not when
    # the app is imported).
    classes = entities.class_names()
    names = "(" + "|".join(classes) + ")"
    for path, parameter, schema in (
        ("/entities", "type", {"type": "string", "enum": classes}),
        (
            "/pictures/model",
            "types",
            {
                "anyOf": [
                    {
                        "type": "array",
                        "items": {
                            "type": "string",
                            "pattern": rf"^\s*{names}(\s*,\s*{names})*\s*$",
                        },
                    },
                    {"type": "null"},
                ]
            },
        ),
    ):
        for declared in document["paths"][path]["get"]["parameters"]:
            if declared["name"] == parameter:
                declared["schema"] = {**declared["schema"], **schema}
    return document


def _operations(document: dict[str, Any]) -> Iterable[dict[str, Any]]:
    for item in document.get("paths", {}).values():
        for method, operation in item.items():
            if method in {"get", "put", "post", "delete", "patch", "head", "options"}:
                yield operation
