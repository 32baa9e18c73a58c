"""The picture routes: offline HTML pages with the drawn marker, and problem+json on bad input."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from fastapi.testclient import TestClient
from test_api_resources import assert_problem

from api.config import Settings
from api.main import create_app
from api.routers import pictures

ROOT = Path(__file__).resolve().parent.parent
TELCO = ROOT / "data" / "telco"
TEL = "https://example.org/alpina/"
MARKER = 'document.body.dataset.visDrawn = "true"'


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    app = create_app(Settings(data=(TELCO,)))
    if not any(getattr(r, "path", "").startswith("/pictures") for r in app.routes):
        app.include_router(pictures.router)
    with TestClient(app) as client:
        yield client


def assert_page(response: httpx.Response, title: str) -> str:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    page = response.text
    assert page.startswith("<!DOCTYPE html>")
    assert f"<title>{title}</title>" in page
    assert MARKER in page and "document.body.dataset.visNodes" in page
    assert "afterDrawing" in page and page.count("new vis.Network(") == 1
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", page, re.IGNORECASE)
    return page


def nodes_of(page: str) -> int:
    """How many nodes the page's DataSet holds (top-level objects of its JSON array)."""
    match = re.search(r"var nodes = new vis\.DataSet\((\[.*?\])\);\n", page)
    assert match
    return match.group(1).count('"id": ')


def test_model_picture(client: TestClient) -> None:
    # past 150 things the model opens as one node per class; max_nodes draws them one by one
    page = assert_page(client.get("/pictures/model"), "The model")
    assert "one node per class" in page
    every = assert_page(client.get("/pictures/model?max_nodes=5000"), "The model")
    assert "one node per class" not in every
    small = assert_page(client.get("/pictures/model?max_nodes=5"), "The model")
    assert "one node per class" in small


def test_model_picture_of_some_types(client: TestClient) -> None:
    title = "The model: channel, customer segment"
    joined = assert_page(client.get("/pictures/model?types=CustomerSegment,Channel"), title)
    repeated = assert_page(
        client.get("/pictures/model", params=[("types", "Channel"), ("types", "CustomerSegment")]),
        title,
    )
    assert nodes_of(joined) == nodes_of(repeated) > 0
    assert f'"id": "{TEL}seg-connected-families"' in joined


@pytest.mark.parametrize(
    "query",
    ["types=", "types=Customer%20Segment", "types=%3Cx%3E", "max_nodes=0", "max_nodes=abc"],
)
def test_model_picture_bad_parameters(client: TestClient, query: str) -> None:
    assert_problem(client.get(f"/pictures/model?{query}"), 400, "bad-request")


def test_neighbourhood_picture(client: TestClient) -> None:
    iri = TEL + "seg-connected-families"
    page = assert_page(
        client.get("/pictures/neighbourhood", params={"iri": iri, "hops": 1}),
        "Within 1 link of Connected families",
    )
    assert f'"id": "{iri}"' in page


@pytest.mark.parametrize(
    ("params", "status", "kind"),
    [
        ({"iri": TEL + "no-such-thing"}, 404, "not-found"),
        ({}, 400, "bad-request"),
        # Text that is not an IRI names nothing in the model.
        ({"iri": "not an iri"}, 404, "not-found"),
        ({"iri": TEL + "seg-connected-families", "hops": -1}, 400, "bad-request"),
        ({"iri": TEL + "seg-connected-families", "hops": "x"}, 400, "bad-request"),
    ],
)
def test_neighbourhood_bad_input(
    client: TestClient, params: dict[str, Any], status: int, kind: str
) -> None:
    body = assert_problem(client.get("/pictures/neighbourhood", params=params), status, kind)
    if status == 404:
        assert body["iri"] == params["iri"]


def test_journey_picture(client: TestClient) -> None:
    iri = TEL + "jrn-family-fibre"
    response = client.get("/pictures/journey", params={"iri": iri})
    title = response.text.split("<title>")[1].split("</title>")[0]
    assert title.startswith("Journey: ")
    page = assert_page(response, title)
    assert f'"id": "{iri}"' in page and f'"id": "{TEL}tp-family-fibre-confirm-call"' in page


def test_journey_of_a_thing_that_is_no_journey_is_404(client: TestClient) -> None:
    body = assert_problem(
        client.get("/pictures/journey", params={"iri": TEL + "seg-connected-families"}),
        404,
        "not-found",
    )
    assert "customer journey" in body["detail"]


@pytest.mark.parametrize(
    ("segment", "label"),
    [("seg-connected-families", "Connected families"), ("seg-small-business", "Small businesses")],
)
def test_silo_picture(client: TestClient, segment: str, label: str) -> None:
    page = assert_page(
        client.get("/pictures/silos", params={"segment": TEL + segment}), f"Silos: {label}"
    )
    assert "Silo index" in page


def test_silo_picture_bad_input(client: TestClient) -> None:
    assert_problem(
        client.get("/pictures/silos", params={"segment": TEL + "nobody"}), 404, "not-found"
    )
    assert_problem(client.get("/pictures/silos"), 400, "bad-request")


def test_capability_map(client: TestClient) -> None:
    page = assert_page(client.get("/pictures/capabilities"), "Capability map: maturity gaps")
    assert nodes_of(page) > 0


@pytest.mark.parametrize("number", range(1, 11))
def test_question_pictures(client: TestClient, number: int) -> None:
    answer = client.get(f"/questions/{number}").json()
    page = assert_page(
        client.get(f"/pictures/questions/{number}"),
        re.sub("'", "&#x27;", f"Q{number}. {answer['title']}"),
    )
    assert nodes_of(page) >= len(answer["findings"])


def test_question_picture_takes_the_question_parameters(client: TestClient) -> None:
    strict = client.get("/pictures/questions/7", params={"min_gap": 1})
    lax = client.get("/pictures/questions/7", params={"min_gap": 5})
    assert nodes_of(assert_page(strict, strict.text.split("<title>")[1].split("</title>")[0]))
    assert_page(lax, lax.text.split("<title>")[1].split("</title>")[0])
    assert nodes_of(strict.text) >= nodes_of(lax.text)


@pytest.mark.parametrize(
    ("path", "status", "kind"),
    [
        ("/pictures/questions/0", 404, "not-found"),
        ("/pictures/questions/11", 404, "not-found"),
        ("/pictures/questions/x", 404, "not-found"),
        ("/pictures/questions/1?growth_target=abc", 400, "bad-request"),
        ("/pictures/questions/1?min_fit=nan", 400, "bad-request"),
    ],
)
def test_question_picture_bad_input(client: TestClient, path: str, status: int, kind: str) -> None:
    assert_problem(client.get(path), status, kind)


def test_unknown_iri_is_url_encoded_safely(client: TestClient) -> None:
    iri = TEL + "<script>"
    response = client.get("/pictures/neighbourhood?iri=" + quote(iri, safe=""))
    body = assert_problem(response, 404, "not-found")
    assert body["iri"] == iri
    assert "<script>" not in response.headers["content-type"]
