"""The API's questions of change: impact, what-if, versions and the difference between them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.config import Settings
from api.main import create_app

TELCO = Path(__file__).resolve().parent.parent / "data" / "telco"
TEL = "https://example.org/alpina/"
AUTH = {"Authorization": "Bearer secret"}
RETIRE_BILLING_COST = {
    "title": "Stop the billing application's cost",
    "changes": [{"remove": "tel:cost-app-billing"}],
}


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    store = tmp_path_factory.mktemp("store") / "kg"
    settings = Settings(data=(TELCO,), store=store, token="secret")
    with TestClient(create_app(settings)) as client:
        yield client


def _dump(client: TestClient) -> str:
    return "\n".join(sorted(client.get("/export", params={"format": "nquads"}).text.splitlines()))


def test_impact_of_an_application(client: TestClient) -> None:
    found = client.get("/impact", params={"element": TEL + "app-mobile-crm"})
    assert found.status_code == 200, found.text
    body = found.json()
    assert body["reached"], "the CRM application supports touchpoints"
    kinds = {r["type"] for r in body["reached"]}
    assert "Touchpoint" in kinds and "CustomerSegment" in kinds
    where_used = client.get(
        "/impact", params={"element": TEL + "app-mobile-crm", "depth": 1}
    ).json()
    assert 0 < len(where_used["reached"]) < len(body["reached"])
    picture = client.get("/impact/picture", params={"element": TEL + "app-mobile-crm"})
    assert picture.status_code == 200 and "vis-network" in picture.text.lower()


def test_impact_of_an_unknown_element_is_a_clear_error(client: TestClient) -> None:
    found = client.get("/impact", params={"element": TEL + "app-mobile-crmm"})
    assert found.status_code in (400, 404), found.text
    assert "app-mobile-crmm" in found.json()["detail"]
    assert client.get("/impact").status_code == 400


def test_whatif_answers_and_writes_nothing(client: TestClient) -> None:
    before = _dump(client)
    found = client.post("/whatif", json=RETIRE_BILLING_COST)
    assert found.status_code == 200, found.text
    body = found.json()
    assert body["applied"][0]["removed"] > 0
    assert body["difference"]["totals"]["before"] != body["difference"]["totals"]["after"]
    assert _dump(client) == before
    # The same change as a SPARQL update gives the same difference.
    update = f"DELETE WHERE {{ <{TEL}cost-app-billing> ?p ?o }}"
    sparql = client.post(
        "/whatif", content=update, headers={"Content-Type": "application/sparql-update"}
    )
    assert sparql.status_code == 200, sparql.text
    assert sparql.json()["difference"] == body["difference"]
    assert _dump(client) == before


@pytest.mark.parametrize(
    ("body", "headers", "status", "kind"),
    [
        ({"changes": [{"remove": "tel:no-such-thing"}]}, None, 400, "bad-change-set"),
        ({"changes": [{"explode": "tel:app-crm"}]}, None, 400, "bad-change-set"),
        ("{not json", {"Content-Type": "application/json"}, 400, "bad-change-set"),
        ("DELETE WHERE { ?s ?p }", {"Content-Type": "application/sparql-update"}, 400, None),
        (
            "LOAD <http://example.org/x>",
            {"Content-Type": "application/sparql-update"},
            400,
            "remote-access-refused",
        ),
        ("hello", {"Content-Type": "text/plain"}, 415, "unsupported-media-type"),
    ],
)
def test_whatif_refuses_bad_change_sets(
    client: TestClient, body: Any, headers: dict[str, str] | None, status: int, kind: str | None
) -> None:
    if isinstance(body, dict):
        found = client.post("/whatif", json=body)
    else:
        found = client.post("/whatif", content=body, headers=headers)
    assert found.status_code == status, found.text
    if kind is not None:
        assert found.json()["type"].endswith(kind)


def test_versions_save_serve_compare_restore_and_drop(client: TestClient) -> None:
    assert client.get("/versions").json() == []
    assert client.post("/versions", json={"name": "as-is"}).status_code == 401
    saved = client.post("/versions", json={"name": "as-is", "note": "before"}, headers=AUTH)
    assert saved.status_code == 201, saved.text
    assert saved.json()["name"] == "as-is" and saved.json()["note"] == "before"
    again = client.post("/versions", json={"name": "as-is"}, headers=AUTH)
    assert again.status_code == 409
    assert client.post("/versions", json={"name": "bad name"}, headers=AUTH).status_code == 400
    original = client.get("/questions").json()
    # A write to the model: the version keeps the model as it was.
    assert client.delete(
        "/entities/" + (TEL + "cost-app-billing").replace(":", "%3A").replace("/", "%2F"),
        headers=AUTH,
    ).is_success
    assert client.get("/questions", params={"version": "as-is"}).json() == original
    assert client.get("/questions").json() != original
    diff = client.get("/diff", params={"from": "as-is"}).json()
    assert [e["iri"] for e in diff["model"]["removed"]] == [TEL + "cost-app-billing"]
    assert not diff["answers"]["empty"]
    back = client.get("/diff", params={"from": "current", "to": "as-is"}).json()
    assert [e["iri"] for e in back["model"]["added"]] == [TEL + "cost-app-billing"]
    unknown = client.get("/questions", params={"version": "to-be"})
    assert unknown.status_code == 404 and unknown.json()["versions"] == ["as-is"]
    restored = client.post("/versions/as-is/restore", headers=AUTH)
    assert restored.status_code == 200, restored.text
    assert client.get("/questions").json() == original
    assert client.get("/diff", params={"from": "as-is"}).json()["model"]["removed"] == []
    assert client.delete("/versions/as-is", headers=AUTH).status_code == 204
    assert client.get("/versions").json() == []
    assert client.delete("/versions/as-is", headers=AUTH).status_code == 404


def test_the_canvas_and_the_journey_map_mark_what_an_impact_reaches(client: TestClient) -> None:
    plain = client.get("/views/canvas")
    marked = client.get("/views/canvas", params={"impact": "tel:app-fixed-order-mgmt"})
    assert plain.status_code == marked.status_code == 200, marked.text
    assert 'kgv-reached-mark"' not in plain.text and 'kgv-reached-mark"' in marked.text
    assert "depends on <strong>Fixed-line order management (legacy)</strong>" in marked.text
    journey = client.get(
        "/views/journey-map",
        params={"journey": TEL + "jrn-family-fibre", "impact": "tel:app-fixed-order-mgmt"},
    )
    assert journey.status_code == 200 and 'kgv-reached-mark"' in journey.text
    refused = client.get("/views/heatmap", params={"impact": "tel:app-fixed-order-mgmt"})
    assert refused.status_code == 400 and "canvas" in refused.json()["detail"]
    unknown = client.get("/views/canvas", params={"impact": "tel:no-such-app"})
    assert unknown.status_code == 404


def test_the_dependence_links_are_read_once_between_writes(monkeypatch: pytest.MonkeyPatch) -> None:
    from api import deps

    made: list[object] = []
    real = deps.DependenceGraph

    def counted(model: Any, **options: Any) -> Any:
        made.append(model)
        return real(model, **options)

    monkeypatch.setattr(deps, "DependenceGraph", counted)
    with TestClient(create_app(Settings(data=(TELCO,), token="secret"))) as client:
        first = client.get("/impact", params={"element": "tel:app-billing"}).json()
        second = client.get("/impact", params={"element": "tel:app-pos"}).json()
        again = client.get("/impact", params={"element": "tel:app-billing"}).json()
        assert len(made) == 1 and first == again and first != second
        assert client.delete(
            "/entities/" + (TEL + "cost-app-billing").replace(":", "%3A").replace("/", "%2F"),
            headers=AUTH,
        ).is_success
        after = client.get("/impact", params={"element": "tel:app-billing"}).json()
        assert len(made) == 2
        costs = {r["iri"] for r in after["reached"] if r["type"] == "CostItem"}
        assert TEL + "cost-app-billing" not in costs
