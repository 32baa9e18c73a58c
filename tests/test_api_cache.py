"""The API answers from a cache kept until a write, and recomputes when told to."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.config import Settings
from api.deps import AppState
from api.main import create_app
from kg.remote import Endpoint

TELCO = Path(__file__).resolve().parent.parent / "data" / "telco"
TEL = "https://example.org/alpina/"
AUTH = {"Authorization": "Bearer secret"}


def _state(client: TestClient) -> AppState:
    state: AppState = client.app.state.kg  # type: ignore[attr-defined]
    return state


def test_the_answers_are_computed_once_between_writes() -> None:
    with TestClient(create_app(Settings(data=(TELCO,), token="secret"))) as client:
        cache = _state(client).analyses
        first = client.get("/questions").json()
        assert client.get("/questions").json() == first
        assert client.get("/questions/3").json() == first[2]
        assert client.get("/silos").status_code == 200
        client.get("/views/canvas")
        assert cache.computations == 1
        # Other thresholds are another analysis, kept beside the first.
        strict = client.get("/questions", params={"min_fit": 0.95}).json()
        assert cache.computations == 2 and len(strict[2]["findings"]) >= len(first[2]["findings"])
        # A write: the next answer is computed again, and sees it.
        segment = TEL + "seg-students"
        body = {"@id": segment + "-new", "@type": "CustomerSegment", "label": "Night owls"}
        assert client.post("/entities", json=body, headers=AUTH).status_code == 201
        after = client.get("/questions").json()
        assert cache.computations == 3
        named = {s["iri"] for a in after for f in a["findings"] for s in f["subjects"]}
        assert segment + "-new" in named  # a segment with no value proposition is a finding
        assert after != first


def test_without_the_cache_every_request_computes() -> None:
    settings = Settings(data=(TELCO,), answer_cache=False)
    with TestClient(create_app(settings)) as client:
        cached = TestClient(create_app(Settings(data=(TELCO,))))
        with cached:
            assert client.get("/questions").json() == cached.get("/questions").json()
            assert client.get("/questions/8").json() == cached.get("/questions/8").json()
            assert client.get("/silos").json() == cached.get("/silos").json()
        client.get("/questions")
        assert _state(client).analyses.computations == 0


def test_the_cache_setting() -> None:
    assert Settings(data=()).caching
    assert not Settings(data=(), answer_cache=False).caching
    remote = Endpoint("http://127.0.0.1:1/sparql")
    assert not Settings(data=(), endpoint=remote).caching  # others may write there
    assert Settings(data=(), endpoint=remote, answer_cache=True).caching
    assert Settings.from_env({"KG_ANSWER_CACHE": "false"}).answer_cache is False
    assert Settings.from_env({"KG_ANSWER_CACHE": "yes"}).answer_cache is True
    assert Settings.from_env({}).answer_cache is None
    with pytest.raises(ValueError, match="KG_ANSWER_CACHE: 'maybe' is not true or false"):
        Settings.from_env({"KG_ANSWER_CACHE": "maybe"})
