"""The view routes: each view as one offline page of HTML and CSS, badges from the model's
findings, and problem+json on bad input."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from test_api_resources import assert_problem

from api.config import Settings
from api.main import create_app
from kg.model import open_model
from kg.views import VIEWS, draw, model_findings

ROOT = Path(__file__).resolve().parent.parent
TELCO = ROOT / "data" / "telco"
TEL = "https://example.org/alpina/"


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with TestClient(create_app(Settings(data=(TELCO,)))) as client:
        yield client


@pytest.mark.parametrize("kind", list(VIEWS))
def test_each_view_is_one_offline_page_with_badges(client: TestClient, kind: str) -> None:
    response = client.get(f"/views/{kind}")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    page = response.text
    assert page.startswith("<!DOCTYPE html>")
    assert f'class="kgv kgv-{kind}' in page or f"kgv-{kind.split('-')[0]}" in page
    assert "<script" not in page
    assert not re.search(r"""(?:src|href)=["']https?://""", page)
    # the findings of the questions and silos mark what they name (every view names some)
    assert "kgv-badge" in page


def test_the_canvas_over_http_is_the_library_s_canvas(client: TestClient) -> None:
    model = open_model(TELCO)
    expected = draw("canvas", model, findings=model_findings(model)).page()
    assert client.get("/views/canvas").text == expected


def test_one_journey_and_one_segment(client: TestClient) -> None:
    journey = client.get(f"/views/journey-map?journey={quote(TEL + 'jrn-family-fibre')}")
    assert journey.status_code == 200, journey.text
    assert journey.text.count('class="kgv-journey-grid') == 1
    every = client.get("/views/journey-map").text
    assert every.count('class="kgv-journey-grid') > 1
    segment = client.get(
        f"/views/value-proposition-canvas?segment={quote(TEL + 'seg-connected-families')}"
    )
    assert segment.status_code == 200, segment.text


def test_bad_requests_are_problems(client: TestClient) -> None:
    assert_problem(client.get("/views/nothing"), 400, "bad-request")
    missing = client.get(f"/views/journey-map?journey={quote(TEL + 'no-such-journey')}")
    assert_problem(missing, 404, "not-found")
    assert_problem(client.get("/views/canvas?enterprise=Nobody"), 404, "unknown-enterprise")


def test_the_report_and_its_files(client: TestClient) -> None:
    page = client.get("/report/report.html")
    assert page.status_code == 200, page.text
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    assert "What to do first" in page.text and 'href="findings.csv"' in page.text
    rows = client.get("/report/findings.csv").text.splitlines()
    data = client.get("/report/report.json").json()
    findings = sum(len(a["findings"]) for a in data["answers"]) + len(data["silos"]["findings"])
    assert rows[0].startswith("rank,question,kind,severity,message,action")
    assert len(rows) == 1 + findings == 1 + len(data["priorities"])
    assert client.get("/report/report.md").text.startswith("# ")
    assert_problem(client.get("/report/other.txt"), 400, "bad-request")
