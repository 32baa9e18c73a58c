"""Fuzzing the resource routes: bad input never makes a server error; errors are problem+json."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api.config import Settings
from api.main import create_app

TELCO = Path(__file__).resolve().parent.parent / "data" / "telco"
AUTH = {"Authorization": "Bearer fuzz"}
JSON_HEADERS = {**AUTH, "Content-Type": "application/json"}
PROBLEM_KEYS = {"type", "title", "status", "detail"}
FUZZ = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Every error response the run sees, checked for the one problem+json shape at the end.
ERRORS: list[httpx.Response] = []


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    def record(response: httpx.Response) -> None:
        if response.status_code >= 400:
            response.read()
            ERRORS.append(response)

    app = create_app(Settings(data=(TELCO,), token="fuzz"))
    with TestClient(app, raise_server_exceptions=False) as test_client:
        test_client.event_hooks["response"].append(record)
        yield test_client


def as_json(body: Any) -> bytes:
    # Python's encoder writes NaN and Infinity, which the server's decoder also reads: fuzz them.
    return json.dumps(body).encode()


def check(response: httpx.Response) -> None:
    assert response.status_code < 500, response.text
    if response.status_code >= 400:
        assert response.headers["content-type"] == "application/problem+json"
        body = response.json()
        assert set(body) >= PROBLEM_KEYS
        assert body["status"] == response.status_code


text = st.text(max_size=30)
scalar = st.one_of(text, st.integers(), st.floats(allow_nan=True), st.booleans(), st.none())
json_value = st.recursive(
    scalar,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(st.sampled_from(["@id", "@value"]) | text, inner, max_size=3),
    ),
    max_leaves=8,
)
keys = (
    st.sampled_from(
        [
            "@id",
            "@type",
            "label",
            "segmentSize",
            "growthRate",
            "locatedIn",
            "hasNeed",
            "skos:broader",
            "representsSegment",
            "asOfDate",
            "@context",
            "@reverse",
        ]
    )
    | text
)
entity_body = st.dictionaries(keys, json_value, max_size=5)
query_value = st.one_of(text, st.integers().map(str), st.floats().map(str))


@FUZZ
@given(
    number=text,
    name=st.sampled_from(
        [
            "growth_target",
            "min_attractive_size",
            "max_evidence_age_months",
            "as_of",
            "min_fit",
            "min_gap",
            "max_partner_cost_share",
        ]
    ),
    value=query_value,
)
def test_questions_fuzz(client: TestClient, number: str, name: str, value: str) -> None:
    check(client.get("/questions/" + quote(number, safe=""), params={name: value}))


@FUZZ
@given(
    type_=text | st.sampled_from(["CustomerSegment", "Geography", "Offering"]),
    limit=query_value,
    offset=query_value,
    label=text,
    prop=keys,
    value=text,
)
def test_entity_list_fuzz(
    client: TestClient, type_: str, limit: str, offset: str, label: str, prop: str, value: str
) -> None:
    params = {"type": type_, "limit": limit, "offset": offset, "label": label, prop: value}
    check(client.get("/entities", params=params))


@FUZZ
@given(iri=text | st.sampled_from(["https://example.org/alpina/geo-zurich", "urn:x", "a b"]))
def test_entity_get_and_delete_fuzz(client: TestClient, iri: str) -> None:
    check(client.get("/entities/" + quote(iri, safe="")))
    check(client.delete("/entities/" + quote(iri, safe=""), headers=AUTH))


@FUZZ
@given(body=entity_body | json_value)
def test_entity_create_fuzz(client: TestClient, body: Any) -> None:
    check(client.post("/entities", content=as_json(body), headers=JSON_HEADERS))


@FUZZ
@given(
    body=entity_body,
    iri=st.sampled_from(
        [
            "https://example.org/alpina/geo-zurich",
            "https://example.org/alpina/seg-connected-families",
            "urn:x:none",
        ]
    ),
)
def test_entity_update_fuzz(client: TestClient, body: dict[str, Any], iri: str) -> None:
    check(
        client.put("/entities/" + quote(iri, safe=""), content=as_json(body), headers=JSON_HEADERS)
    )


@FUZZ
@given(fmt=text | st.sampled_from(["turtle", "trig"]), graph=text)
def test_export_fuzz(client: TestClient, fmt: str, graph: str) -> None:
    check(client.get("/export", params={"format": fmt, "graph": graph}))


def test_raw_bodies(client: TestClient) -> None:
    for content in (b"{", b"[]", b"\xff\xfe", b"null", b'"text"'):
        check(
            client.post(
                "/entities",
                content=content,
                headers={**AUTH, "Content-Type": "application/json"},
            )
        )


def test_every_error_of_the_run_has_the_problem_shape() -> None:
    assert ERRORS, "the fuzz run saw no error at all"
    for response in ERRORS:
        assert response.headers["content-type"] == "application/problem+json"
        body = response.json()
        assert set(body) >= PROBLEM_KEYS, body
        assert body["type"].startswith("https://w3id.org/bmkg/problems/")
        assert isinstance(body["title"], str) and isinstance(body["detail"], str)
        assert body["status"] == response.status_code
