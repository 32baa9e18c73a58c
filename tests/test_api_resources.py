"""The resource routes (questions, silos, validation, entities, export) and safe writes."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pyoxigraph as ox
import pytest
import rdflib
from fastapi.testclient import TestClient

from api.config import Settings
from api.main import create_app
from kg import entities
from kg.model import open_model
from kg.ontology import shapes_graph
from kg.questions import ask, ask_all
from kg.silos import find_silos
from kg.store import KnowledgeGraph
from kg.validation import _namespaces, _term, validate

ROOT = Path(__file__).resolve().parent.parent
TELCO = ROOT / "data" / "telco"
TEL = "https://example.org/alpina/"
BM = "https://w3id.org/bmkg/ontology#"
TOKEN = "s3cret"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
PROBLEM_KEYS = {"type", "title", "status", "detail"}


def path(iri: str) -> str:
    return "/entities/" + quote(iri, safe="")


def assert_problem(response: httpx.Response, status: int, kind: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert set(body) >= PROBLEM_KEYS
    assert body["type"] == f"https://w3id.org/bmkg/problems/{kind}"
    assert body["status"] == status
    return body


def dump(model: KnowledgeGraph) -> list[str]:
    return sorted(model.serialize(format="nquads").decode().splitlines())


@pytest.fixture(scope="module")
def reader() -> Iterator[TestClient]:
    with TestClient(create_app(Settings(data=(TELCO,), token=TOKEN))) as client:
        yield client


@pytest.fixture
def writer() -> Iterator[TestClient]:
    with TestClient(create_app(Settings(data=(TELCO,), token=TOKEN))) as client:
        yield client


@pytest.fixture(scope="module")
def model() -> KnowledgeGraph:
    return open_model(TELCO)


# --------------------------------------------------------------------------------------------
# Questions, silos, validation


def test_all_ten_questions_over_http_equal_the_library_answers(
    reader: TestClient, model: KnowledgeGraph
) -> None:
    response = reader.get("/questions")
    assert response.status_code == 200
    expected = [answer.to_dict() for answer in ask_all(model)]
    assert response.json() == json.loads(json.dumps(expected))


def test_question_parameters_are_passed_on(reader: TestClient, model: KnowledgeGraph) -> None:
    from kg.questions import Parameters

    response = reader.get("/questions/3", params={"min_fit": "0.2"})
    assert response.status_code == 200
    expected = ask(model, 3, params=Parameters(min_fit=0.2)).to_dict()
    assert response.json() == json.loads(json.dumps(expected))
    assert response.json() != reader.get("/questions/3").json()


@pytest.mark.parametrize("number", ["0", "11", "x", "-1", "3.0"])
def test_unknown_question_is_404(reader: TestClient, number: str) -> None:
    body = assert_problem(reader.get(f"/questions/{number}"), 404, "not-found")
    assert body["detail"] == f"there is no question {number!r}; the questions are 1 to 10"


@pytest.mark.parametrize(
    ("query", "detail"),
    [
        ("min_fit=2", "min_fit: Input should be less than or equal to 1"),
        ("min_gap=0", "min_gap: Input should be greater than or equal to 1"),
        (
            "max_partner_cost_share=inf",
            "max_partner_cost_share: Input should be less than or equal to 1",
        ),
        ("growth_target=nan", "growth_target: Input should be less than or equal to 100"),
        ("as_of=0", "as_of: Value error, a date must be written YYYY-MM-DD"),
    ],
)
def test_bad_question_parameter_is_400(reader: TestClient, query: str, detail: str) -> None:
    body = assert_problem(reader.get(f"/questions?{query}"), 400, "bad-request")
    assert body["detail"] == detail


def test_malformed_question_parameter_is_400(reader: TestClient) -> None:
    body = assert_problem(reader.get("/questions/1?as_of=yesterday"), 400, "bad-request")
    assert body["errors"][0]["loc"] == ["query", "as_of"]


def test_silos_and_validation(reader: TestClient, model: KnowledgeGraph) -> None:
    silos = reader.get("/silos")
    assert silos.status_code == 200
    assert silos.json() == json.loads(json.dumps(find_silos(model).to_dict()))
    report = reader.get("/validation")
    assert report.status_code == 200
    assert report.json() == json.loads(json.dumps(validate(model).to_dict()))


# --------------------------------------------------------------------------------------------
# Reading entities


def test_list_entities_pages_and_filters(reader: TestClient) -> None:
    response = reader.get("/entities", params={"type": "Geography", "limit": 2, "offset": 1})
    assert response.status_code == 200
    body = response.json()
    assert body["limit"] == 2 and body["offset"] == 1
    everything = reader.get("/entities", params={"type": "Geography", "limit": 1000}).json()
    assert body["total"] == everything["total"] == len(everything["items"])
    assert body["items"] == everything["items"][1:3]
    zurich = reader.get("/entities", params={"type": "Geography", "label": "ZURICH"}).json()
    assert zurich == {
        "items": [{"@id": TEL + "geo-zurich", "@type": "Geography", "label": "Canton of Zurich"}],
        "total": 1,
        "limit": 50,
        "offset": 0,
    }
    inside = reader.get(
        "/entities", params={"type": "Geography", "schema:containedInPlace": "tel:geo-x"}
    )
    assert inside.json()["total"] == 0
    nested = reader.get(
        "/entities",
        params={"type": "Geography", "schema:containedInPlace": TEL + "geo-deutschschweiz"},
    ).json()
    assert TEL + "geo-zurich" in [item["@id"] for item in nested["items"]]


def test_list_includes_subclasses(reader: TestClient) -> None:
    offerings = reader.get("/entities", params={"type": "Offering", "limit": 1000}).json()
    types = {item["@type"] for item in offerings["items"]}
    assert types <= {"Product", "Service", "Offering"} and len(types) >= 2


@pytest.mark.parametrize(
    ("query", "detail"),
    [
        ("type=Nope", "unknown type 'Nope': not a class of the bm: ontology"),
        ("type=Geography&nope=1", "unknown property 'nope': not a property of the bm: ontology"),
    ],
)
def test_list_bad_type_or_filter_is_400(reader: TestClient, query: str, detail: str) -> None:
    assert assert_problem(reader.get(f"/entities?{query}"), 400, "bad-request")["detail"] == detail


def test_list_needs_a_type(reader: TestClient) -> None:
    body = assert_problem(reader.get("/entities"), 400, "bad-request")
    assert body["errors"] == [{"loc": ["query", "type"], "msg": "Field required"}]


def test_get_entity_with_links_both_ways(reader: TestClient) -> None:
    response = reader.get(path(TEL + "geo-zurich"))
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert body["@id"] == TEL + "geo-zurich"
    assert body["@type"] == "Geography"
    assert body["schema:containedInPlace"] == {
        "@id": TEL + "geo-deutschschweiz",
        "label": "German-speaking Switzerland",
    }
    assert {"@value": "Canton of Zurich", "@language": "en"} in body["label"]
    assert all("@id" in link for links in body["@reverse"].values() for link in links)


def test_unknown_entity_is_404(reader: TestClient) -> None:
    body = assert_problem(reader.get(path("urn:x:nothing")), 404, "not-found")
    assert body == {
        "type": "https://w3id.org/bmkg/problems/not-found",
        "title": "Not found",
        "status": 404,
        "detail": "no entity <urn:x:nothing> in the model",
        "iri": "urn:x:nothing",
    }


def test_json_ld_is_real_json_ld(reader: TestClient, model: KnowledgeGraph) -> None:
    iri = TEL + "seg-connected-families"
    response = reader.get(path(iri), headers={"Accept": "application/ld+json"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/ld+json"
    parsed = rdflib.Graph().parse(data=response.text, format="json-ld")
    subject = rdflib.URIRef(iri)
    own = {(p, o) for p, o in parsed.predicate_objects(subject)}
    expected = rdflib.Graph().parse(
        data=ox.serialize(
            [q.triple for q in model.store.quads_for_pattern(ox.NamedNode(iri), None, None)],
            format=ox.RdfFormat.N_TRIPLES,
        ),
        format="nt",
    )
    assert own == set(expected.predicate_objects(subject))
    # Incoming links come back as triples too, through @reverse.
    persona = next(model.store.quads_for_pattern(None, None, ox.NamedNode(iri), None))
    assert isinstance(persona.subject, ox.NamedNode)
    linker, link = rdflib.URIRef(persona.subject.value), rdflib.URIRef(persona.predicate.value)
    assert (linker, link, subject) in parsed


# --------------------------------------------------------------------------------------------
# Writing entities


def new_geography(iri: str = TEL + "geo-bern-city") -> dict[str, Any]:
    return {
        "@id": iri,
        "@type": "Geography",
        "label": "Bern city",
        "schema:containedInPlace": {"@id": TEL + "geo-bern"},
    }


def test_create_then_read(writer: TestClient) -> None:
    response = writer.post("/entities", json=new_geography(), headers=AUTH)
    assert response.status_code == 201
    assert response.headers["location"] == path(TEL + "geo-bern-city")
    expected = {
        "@id": TEL + "geo-bern-city",
        "@type": "Geography",
        "label": "Bern city",
        "schema:containedInPlace": {"@id": TEL + "geo-bern", "label": "Canton of Bern"},
    }
    assert response.json() == expected
    assert writer.get(response.headers["location"]).json() == expected
    model = writer.app.state.kg.model  # type: ignore[attr-defined]
    graphs = {str(q.graph_name) for q in entities.entity_quads(model, TEL + "geo-bern-city")}
    assert graphs == {"<urn:bmkg:api>"}


def test_create_mints_an_iri(writer: TestClient) -> None:
    response = writer.post(
        "/entities", json={"@type": "Geography", "label": "Anywhere"}, headers=AUTH
    )
    assert response.status_code == 201
    assert response.json()["@id"].startswith("urn:uuid:")


def test_create_existing_is_409(writer: TestClient) -> None:
    body = new_geography(TEL + "geo-zurich")
    assert_problem(writer.post("/entities", json=body, headers=AUTH), 409, "conflict")


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        ({"label": "x"}, "an entity needs an @type (a bm: class such as 'CustomerSegment')"),
        ({"@type": "Nope"}, "unknown type 'Nope': not a class of the bm: ontology"),
        ({"@type": "Geography", "@id": "no iri"}, "@id 'no iri' is not an absolute IRI"),
        (
            {"@type": "Persona", "representsSegment": "x"},
            "representsSegment links to other entities: write its values as {'@id': IRI}",
        ),
    ],
)
def test_bad_entity_body_is_400(writer: TestClient, body: dict[str, Any], detail: str) -> None:
    response = writer.post("/entities", json=body, headers=AUTH)
    assert assert_problem(response, 400, "bad-request")["detail"] == detail


def test_writes_need_the_token(writer: TestClient) -> None:
    assert_problem(writer.post("/entities", json=new_geography()), 401, "unauthorized")
    wrong = {"Authorization": "Bearer nope"}
    assert_problem(writer.post("/entities", json=new_geography(), headers=wrong), 403, "forbidden")
    assert_problem(writer.delete(path(TEL + "geo-zurich")), 401, "unauthorized")


def test_update_replaces_the_entitys_own_triples(writer: TestClient) -> None:
    iri = TEL + "seg-connected-families"
    before = writer.get(path(iri)).json()
    changed = {**before, "customerCount": 300000}
    del changed["@reverse"]
    response = writer.put(path(iri), json=changed, headers=AUTH)
    assert response.status_code == 200
    assert response.json() == {**before, "customerCount": 300000}
    model = writer.app.state.kg.model  # type: ignore[attr-defined]
    graphs = {q.graph_name.value for q in entities.entity_quads(model, iri)}  # type: ignore[union-attr]
    assert graphs == {(TELCO / "customers.ttl").resolve().as_uri()}


def test_rejected_write_leaves_the_store_byte_for_byte_unchanged(writer: TestClient) -> None:
    model = writer.app.state.kg.model  # type: ignore[attr-defined]
    iri = TEL + "seg-connected-families"
    before = dump(model)
    body = {k: v for k, v in writer.get(path(iri)).json().items() if k != "@reverse"}
    response = writer.put(path(iri), json={**body, "customerCount": 10**9}, headers=AUTH)
    problem = assert_problem(response, 422, "shape-violation")
    assert problem["results"] == [
        {
            "severity": "Violation",
            "focus_node": "tel:seg-connected-families",
            "focus_label": "Connected families",
            "path": "bm:customerCount",
            "value": '"1000000000"^^xsd:integer',
            "value_label": None,
            "message": "The segment has more customers than its market size.",
            "shape": "bmsh:CustomerSegmentShape",
            "component": "LessThanOrEqualsConstraintComponent",
        }
    ]
    assert dump(model) == before


def test_delete_refused_while_linked_then_allowed(writer: TestClient) -> None:
    model = writer.app.state.kg.model  # type: ignore[attr-defined]
    before = dump(model)
    problem = assert_problem(
        writer.delete(path(TEL + "geo-zurich"), headers=AUTH), 422, "shape-violation"
    )
    assert {r["shape"] for r in problem["results"]} == {"bmapi:DeleteRestrictShape"}
    linkers = {
        "tel:" + str(q.subject).strip("<>").removeprefix(TEL)
        for q in model.store.quads_for_pattern(None, None, ox.NamedNode(TEL + "geo-zurich"), None)
    }
    assert {r["value"] for r in problem["results"]} == linkers and linkers
    assert dump(model) == before
    assert writer.post("/entities", json=new_geography(), headers=AUTH).status_code == 201
    response = writer.delete(path(TEL + "geo-bern-city"), headers=AUTH)
    assert response.status_code == 204 and response.content == b""
    assert_problem(writer.get(path(TEL + "geo-bern-city")), 404, "not-found")
    assert dump(model) == before
    assert_problem(writer.delete(path(TEL + "geo-bern-city"), headers=AUTH), 404, "not-found")


def test_write_that_breaks_a_neighbour_is_rejected(writer: TestClient) -> None:
    # Retyping a segment breaks the sh:class check of the personas that represent it.
    iri = TEL + "seg-connected-families"
    body = {k: v for k, v in writer.get(path(iri)).json().items() if k != "@reverse"}
    response = writer.put(path(iri), json={**body, "@type": "Geography"}, headers=AUTH)
    problem = assert_problem(response, 422, "shape-violation")
    assert "A persona can only represent a customer segment." in {
        r["message"] for r in problem["results"]
    }


# --------------------------------------------------------------------------------------------
# Validating only what a write touches equals a full validation for those nodes


def _writes(model: KnowledgeGraph) -> list[tuple[str, list[ox.Quad], list[ox.Quad]]]:
    def quads(iri: str) -> list[ox.Quad]:
        return entities.entity_quads(model, iri)

    def first(sparql: str) -> str:
        row = next(iter(model.query(sparql)))  # type: ignore[arg-type]
        return str(row[0].value)

    segment = TEL + "seg-connected-families"
    seg_graph = quads(segment)[0].graph_name
    touchpoint = first("SELECT ?t WHERE { ?t a bm:Touchpoint ; bm:sequence ?n } ORDER BY ?t")
    tp_graph = quads(touchpoint)[0].graph_name
    need = first("SELECT ?n WHERE { ?s bm:hasNeed ?n } ORDER BY ?n")
    rdf_type = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    contained = ox.NamedNode("https://schema.org/containedInPlace")
    return [
        (
            "count above size",
            [q for q in quads(segment) if q.predicate.value == BM + "customerCount"],
            [
                ox.Quad(
                    ox.NamedNode(segment),
                    ox.NamedNode(BM + "customerCount"),
                    ox.Literal("999999999", datatype=ox.NamedNode(str(rdflib.XSD.integer))),
                    seg_graph,
                )
            ],
        ),
        ("segment untyped", [q for q in quads(segment) if q.predicate == rdf_type], []),
        ("segment deleted", quads(segment), []),
        (
            "touchpoint renumbered",
            [q for q in quads(touchpoint) if q.predicate.value == BM + "sequence"],
            [
                ox.Quad(
                    ox.NamedNode(touchpoint),
                    ox.NamedNode(BM + "sequence"),
                    ox.Literal("99", datatype=ox.NamedNode(str(rdflib.XSD.integer))),
                    tp_graph,
                )
            ],
        ),
        (
            "geography cycle",
            [],
            [
                ox.Quad(
                    ox.NamedNode(TEL + "geo-switzerland"),
                    contained,
                    ox.NamedNode(TEL + "geo-zurich"),
                    seg_graph,
                )
            ],
        ),
        ("need untyped", [q for q in quads(need) if q.predicate == rdf_type], []),
    ]


@pytest.mark.parametrize("case", range(6))
def test_focus_validation_equals_full_validation(case: int) -> None:
    model = open_model(TELCO)
    name, remove, add = _writes(model)[case]
    focus = entities.write_focus(model, remove=remove, add=add)
    partial = entities.validate_nodes(model, focus, remove=remove, add=add)
    for quad in remove:
        model.store.remove(quad)
    model.store.extend(add)
    full = validate(model)
    data = model.to_rdflib()
    names = _namespaces(data, shapes_graph())
    wanted = {_term(rdflib.URIRef(n.value), names) for n in focus}
    expected = sorted((r for r in full.results if r.focus_node in wanted), key=repr)
    assert sorted(partial.results, key=repr) == expected, name
    if name != "need untyped":
        assert any(r.severity.value == "Violation" for r in expected), name


def test_check_write_ignores_violations_the_model_already_had() -> None:
    model = open_model(TELCO)
    _, remove, add = _writes(model)[0]
    model.store.extend(add)  # the violation is already there (besides the old count)
    for quad in remove:
        model.store.remove(quad)
    label = ox.Quad(
        ox.NamedNode(TEL + "seg-connected-families"),
        ox.NamedNode(str(rdflib.RDFS.comment)),
        ox.Literal("a harmless comment"),
        add[0].graph_name,
    )
    assert not validate(model).conforms
    assert entities.check_write(model, add=[label]).conforms
    growth = ox.Quad(
        label.subject,
        ox.NamedNode(BM + "growthRate"),
        ox.Literal("99", datatype=ox.NamedNode(str(rdflib.XSD.decimal))),
        label.graph_name,
    )
    added = entities.check_write(model, add=[growth])
    assert [(r.path, r.component) for r in added.results] == [
        ("bm:growthRate", "MaxCountConstraintComponent"),
        ("bm:growthRate", "MaxInclusiveConstraintComponent"),
    ]


# --------------------------------------------------------------------------------------------
# Export


@pytest.mark.parametrize(
    ("fmt", "media_type", "parse_as"),
    [
        ("turtle", "text/turtle", "turtle"),
        ("ntriples", "application/n-triples", "nt"),
        ("nquads", "application/n-quads", "nquads"),
        ("trig", "application/trig", "trig"),
        ("jsonld", "application/ld+json", "json-ld"),
        ("rdfxml", "application/rdf+xml", "xml"),
    ],
)
def test_export_formats(
    reader: TestClient, model: KnowledgeGraph, fmt: str, media_type: str, parse_as: str
) -> None:
    graph = (TELCO / "customers.ttl").resolve().as_uri()
    response = reader.get("/export", params={"format": fmt, "graph": graph})
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == media_type
    parsed = rdflib.Dataset()
    parsed.parse(data=response.content, format=parse_as)
    triples = {(s, p, o) for s, p, o, _ in parsed.quads()}
    expected = rdflib.Graph().parse(data=model.serialize(format="nt", graph=graph), format="nt")
    assert triples == set(expected)


def test_export_whole_model_and_unknown_graph(reader: TestClient, model: KnowledgeGraph) -> None:
    response = reader.get("/export", params={"format": "nquads"})
    assert sorted(response.text.splitlines()) == dump(model)
    body = assert_problem(reader.get("/export", params={"graph": "urn:nope"}), 404, "not-found")
    assert body["detail"] == "no graph <urn:nope> in the model"
    assert_problem(reader.get("/export", params={"format": "csv"}), 400, "bad-request")


# --------------------------------------------------------------------------------------------
# Durability: an acknowledged write survives a killed server


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _serve(store: Path, port: int) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "KG_STORE": str(store),
        "KG_TOKEN": TOKEN,
        "KG_DATA": str(TELCO),
    }
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "api.main:app",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _wait(base: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        assert process.poll() is None, "the server exited"
        try:
            if httpx.get(base + "/entities?type=Geography&limit=0", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise AssertionError("the server did not start")


def test_acknowledged_writes_survive_sigkill(tmp_path: Path) -> None:
    """Create, update and delete, each acknowledged, then kill -9: all three are on disk."""
    store = tmp_path / "store"
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    renamed = {**new_geography(), "label": "Bern, the city"}
    server = _serve(store, port)
    try:
        _wait(base, server)
        created = httpx.post(base + "/entities", json=new_geography(), headers=AUTH, timeout=30)
        assert created.status_code == 201
        scratch = new_geography(TEL + "geo-scratch")
        assert (
            httpx.post(base + "/entities", json=scratch, headers=AUTH, timeout=30).status_code
            == 201
        )
        updated = httpx.put(
            base + path(TEL + "geo-bern-city"), json=renamed, headers=AUTH, timeout=30
        )
        assert updated.status_code == 200
        deleted = httpx.delete(base + path(TEL + "geo-scratch"), headers=AUTH, timeout=30)
        assert deleted.status_code == 204
    finally:
        server.send_signal(signal.SIGKILL)
        server.wait(timeout=30)
    server = _serve(store, port)
    try:
        _wait(base, server)
        again = httpx.get(base + path(TEL + "geo-bern-city"), timeout=30)
        assert again.status_code == 200
        assert again.json()["label"] == "Bern, the city"
        assert httpx.get(base + path(TEL + "geo-scratch"), timeout=30).status_code == 404
    finally:
        server.send_signal(signal.SIGKILL)
        server.wait(timeout=30)
