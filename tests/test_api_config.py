"""The API's settings, its limits in the app, and CORS."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.config import Settings, parse_size
from api.main import create_app

TELCO = Path(__file__).resolve().parent.parent / "data" / "telco"
PROBLEMS = "https://w3id.org/bmkg/problems/"


def test_settings_read_the_limits_from_the_environment() -> None:
    settings = Settings.from_env(
        {
            "KG_QUERY_TIMEOUT": "2.5",
            "KG_QUERY_MEMORY": "512M",
            "KG_QUERY_WORKERS": "3",
            "KG_MAX_UPDATE_QUADS": "50",
            "KG_MAX_BODY": "64K",
            "KG_CORS_ORIGINS": "https://yasgui.example.org, http://localhost:8080/",
        }
    )
    assert (settings.query_timeout, settings.query_memory, settings.query_workers) == (
        2.5,
        512 << 20,
        3,
    )
    assert (settings.max_update_quads, settings.max_body) == (50, 64 << 10)
    assert settings.cors_origins == ("https://yasgui.example.org", "http://localhost:8080")


def test_the_defaults_bound_the_server() -> None:
    settings = Settings.from_env({})
    assert (settings.query_memory, settings.query_workers, settings.max_body) == (
        1 << 30,
        4,
        10 << 20,
    )
    assert settings.cors_origins == ()


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("KG_QUERY_MEMORY", "lots", "KG_QUERY_MEMORY: 'lots' is not a size"),
        ("KG_QUERY_MEMORY", "100K", "KG_QUERY_MEMORY must be at least 1M"),
        ("KG_QUERY_WORKERS", "0", "KG_QUERY_WORKERS must be at least 1"),
        ("KG_MAX_BODY", "-5", "KG_MAX_BODY: '-5' is out of range"),
        ("KG_MAX_UPDATE_QUADS", "0", "KG_MAX_UPDATE_QUADS must be at least 1"),
        ("KG_CORS_ORIGINS", "yasgui.org", "KG_CORS_ORIGINS: 'yasgui.org' is not an origin"),
    ],
)
def test_bad_limits_are_refused_with_the_variable_named(
    variable: str, value: str, message: str
) -> None:
    with pytest.raises(ValueError, match=f"bad API configuration: {message}"):
        Settings.from_env({variable: value})


@pytest.mark.parametrize(
    ("text", "size"),
    [("1048576", 1 << 20), ("512k", 512 << 10), ("1.5G", 3 << 29), ("2MiB", 2 << 20)],
)
def test_sizes(text: str, size: int) -> None:
    assert parse_size(text, "X") == size


@pytest.fixture
def cors() -> Iterator[TestClient]:
    app = create_app(Settings(data=(TELCO,), cors_origins=("https://yasgui.example.org",)))
    with TestClient(app) as client:
        yield client


def test_cors_is_off_by_default() -> None:
    with TestClient(create_app(Settings(data=(TELCO,)))) as client:
        response = client.get(
            "/sparql",
            params={"query": "ASK {}"},
            headers={"Origin": "https://yasgui.example.org"},
        )
        assert response.status_code == 200
        assert "access-control-allow-origin" not in response.headers
        preflight = client.options(
            "/sparql",
            headers={
                "Origin": "https://yasgui.example.org",
                "Access-Control-Request-Method": "POST",
            },
        )
        assert "access-control-allow-origin" not in preflight.headers


def test_an_allowed_origin_may_query_from_a_browser(cors: TestClient) -> None:
    origin = {"Origin": "https://yasgui.example.org"}
    preflight = cors.options(
        "/sparql",
        headers={
            **origin,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type, authorization",
        },
    )
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == "https://yasgui.example.org"
    assert "POST" in preflight.headers["access-control-allow-methods"]
    response = cors.post(
        "/sparql",
        content="ASK { ?s ?p ?o }",
        headers={**origin, "Content-Type": "application/sparql-query"},
    )
    assert response.json() == {"head": {}, "boolean": True}
    assert response.headers["access-control-allow-origin"] == "https://yasgui.example.org"


def test_another_origin_is_not_allowed(cors: TestClient) -> None:
    preflight = cors.options(
        "/sparql",
        headers={"Origin": "https://evil.example.com", "Access-Control-Request-Method": "POST"},
    )
    assert preflight.status_code == 400
    assert "access-control-allow-origin" not in preflight.headers
    response = cors.get(
        "/sparql", params={"query": "ASK {}"}, headers={"Origin": "https://evil.example.com"}
    )
    assert "access-control-allow-origin" not in response.headers


def test_405_names_every_method_of_the_path() -> None:
    with TestClient(create_app(Settings(data=(TELCO,)))) as client:
        response = client.request("PATCH", "/sparql")
        assert response.status_code == 405
        assert response.headers["allow"] == "GET, POST"
        assert response.json()["type"] == PROBLEMS + "method-not-allowed"
        assert client.request("PATCH", "/entities/urn:x:a").headers["allow"] == ("DELETE, GET, PUT")


def test_a_body_over_the_limit_is_413_problem_json() -> None:
    app = create_app(Settings(data=(TELCO,), token="t", max_body=4096))
    with TestClient(app) as client:
        body = "ASK { " + "?s ?p ?o . " * 1000 + "}"
        for headers in ({}, {"Authorization": "Bearer t"}):
            response = client.post(
                "/sparql",
                content=body,
                headers={**headers, "Content-Type": "application/sparql-query"},
            )
            assert response.status_code == 413
            assert response.json() == {
                "type": PROBLEMS + "request-too-large",
                "title": "Request body too large",
                "status": 413,
                "detail": "the request body is larger than the 4096 bytes this server accepts "
                "(KG_MAX_BODY)",
            }
        small = client.post(
            "/sparql", content="ASK {}", headers={"Content-Type": "application/sparql-query"}
        )
        assert small.status_code == 200


@pytest.mark.parametrize(
    "authorization",
    [b"Bearer \xc3\xa9t\xc3\xa9", b"Bearer \xff", "Bearer ω".encode(), b"Bearer t\x00"],
)
def test_a_token_outside_ascii_is_403(authorization: bytes) -> None:
    with TestClient(create_app(Settings(data=(TELCO,), token="t"))) as client:
        response = client.post(
            "/entities",
            json={"@type": "Geography", "label": "x"},
            headers={"Authorization": authorization},  # type: ignore[dict-item]
        )
        assert response.status_code == 403
        assert response.json()["type"] == PROBLEMS + "forbidden"
