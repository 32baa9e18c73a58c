"""The SPARQL 1.1 Protocol endpoint (/sparql), checked case by case against the library."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
import rdflib
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib.compare import isomorphic

from api.config import Settings
from api.main import create_app
from api.routers.sparql import negotiate
from kg.model import open_model
from kg.store import KnowledgeGraph

TELCO = Path(__file__).resolve().parent.parent / "data" / "telco"
ALPINA = "https://example.org/alpina/"
PROBLEMS = "https://w3id.org/bmkg/problems/"
TOKEN = "s3cret-token"
SPARQL_JSON = "application/sparql-results+json"
SPARQL_XML = "application/sparql-results+xml"
SD = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
FORMATS = rdflib.Namespace("http://www.w3.org/ns/formats/")

SEGMENTS = """
SELECT ?segment ?label ?size WHERE {
  ?segment a bm:CustomerSegment ; rdfs:label ?label .
  OPTIONAL { ?segment bm:segmentSize ?size FILTER(?size > 100000) }
  FILTER(lang(?label) = "en")
} ORDER BY ?segment
"""
CONSTRUCT_SEGMENTS = """
CONSTRUCT { ?segment a bm:CustomerSegment ; rdfs:label ?label }
WHERE { ?segment a bm:CustomerSegment ; rdfs:label ?label }
"""


@pytest.fixture(scope="module")
def library() -> Iterator[KnowledgeGraph]:
    """The same model the app serves, opened by the library itself."""
    with open_model(TELCO) as model:
        yield model


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with TestClient(create_app(Settings(data=(TELCO,), token=TOKEN))) as test_client:
        yield test_client


def _client(**settings: Any) -> TestClient:
    return TestClient(create_app(Settings(data=(TELCO,), **settings)))


def _rows(model: KnowledgeGraph, query: str) -> list[dict[str, ox.NamedNode | ox.Literal]]:
    solutions = model.query(query)
    assert isinstance(solutions, ox.QuerySolutions)
    names = [v.value for v in solutions.variables]
    return [{n: s[n] for n in names if s[n] is not None} for s in solutions]


def _parsed_rows(body: bytes, results_format: ox.QueryResultsFormat) -> list[dict[str, Any]]:
    solutions = ox.parse_query_results(body, format=results_format)
    assert isinstance(solutions, ox.QuerySolutions)
    names = [v.value for v in solutions.variables]
    return [{n: s[n] for n in names if s[n] is not None} for s in solutions]


def _graph(model: KnowledgeGraph, query: str) -> rdflib.Graph:
    data = ox.serialize(model.query(query), format=ox.RdfFormat.N_TRIPLES)
    return rdflib.Graph().parse(data=data, format="nt")


def _problem(response: Any, status: int, kind: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert body["type"] == PROBLEMS + kind
    assert body["status"] == status
    return body


def _nquads(app_client: TestClient) -> list[str]:
    model: KnowledgeGraph = app_client.app.state.kg.model  # type: ignore[attr-defined]
    return sorted(model.serialize(format="nquads").decode().splitlines())


# --------------------------------------------------------------------------------------------
# SELECT and ASK


@pytest.mark.parametrize(
    ("accept", "media_type", "results_format"),
    [
        (None, SPARQL_JSON, ox.QueryResultsFormat.JSON),
        (SPARQL_JSON, SPARQL_JSON, ox.QueryResultsFormat.JSON),
        ("application/json", SPARQL_JSON, ox.QueryResultsFormat.JSON),
        (SPARQL_XML, SPARQL_XML, ox.QueryResultsFormat.XML),
        ("text/tab-separated-values", "text/tab-separated-values; charset=utf-8", None),
    ],
)
def test_select_by_get_in_each_format_matches_the_library(
    client: TestClient,
    library: KnowledgeGraph,
    accept: str | None,
    media_type: str,
    results_format: ox.QueryResultsFormat | None,
) -> None:
    headers = {"Accept": accept} if accept else {}
    response = client.get("/sparql", params={"query": SEGMENTS}, headers=headers)
    assert response.status_code == 200
    assert response.headers["content-type"] == media_type
    assert response.headers["vary"] == "Accept"
    expected = _rows(library, SEGMENTS)
    assert len(expected) == 21
    assert 0 < sum("size" in row for row in expected) < 21  # some cells are unbound
    parsed = _parsed_rows(response.content, results_format or ox.QueryResultsFormat.TSV)
    assert parsed == expected


def test_select_json_body_is_the_standard_document(
    client: TestClient, library: KnowledgeGraph
) -> None:
    query = "SELECT ?s ?label WHERE { ?s rdfs:label ?label } ORDER BY ?s ?label LIMIT 2"
    response = client.get("/sparql", params={"query": query})
    rows = _rows(library, query)
    assert response.json() == {
        "head": {"vars": ["s", "label"]},
        "results": {
            "bindings": [
                {
                    "s": {"type": "uri", "value": row["s"].value},
                    "label": {
                        "type": "literal",
                        "value": row["label"].value,
                        "xml:lang": row["label"].language,  # type: ignore[union-attr]
                    },
                }
                for row in rows
            ]
        },
    }


def test_select_csv_has_plain_values_and_empty_unbound_cells(
    client: TestClient, library: KnowledgeGraph
) -> None:
    response = client.get("/sparql", params={"query": SEGMENTS}, headers={"Accept": "text/csv"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    table = list(csv.reader(io.StringIO(response.text)))
    assert table[0] == ["segment", "label", "size"]
    expected = [
        [r["segment"].value, r["label"].value, r["size"].value if "size" in r else ""]
        for r in _rows(library, SEGMENTS)
    ]
    assert table[1:] == expected


@pytest.mark.parametrize(
    ("accept", "media_type", "body"),
    [
        (None, SPARQL_JSON, b'{"head":{},"boolean":true}'),
        (
            SPARQL_XML,
            SPARQL_XML,
            b'<?xml version="1.0"?><sparql xmlns="http://www.w3.org/2005/sparql-results#">'
            b"<head></head><boolean>true</boolean></sparql>",
        ),
        ("text/csv", "text/csv; charset=utf-8", b"true"),
        ("text/tab-separated-values", "text/tab-separated-values; charset=utf-8", b"true"),
    ],
)
def test_ask(client: TestClient, accept: str | None, media_type: str, body: bytes) -> None:
    headers = {"Accept": accept} if accept else {}
    query = f"ASK {{ <{ALPINA}seg-iot> a bm:CustomerSegment }}"
    response = client.get("/sparql", params={"query": query}, headers=headers)
    assert (response.status_code, response.headers["content-type"]) == (200, media_type)
    assert response.content == body


def test_ask_false(client: TestClient) -> None:
    query = f"ASK {{ <{ALPINA}no-such-thing> ?p ?o }}"
    response = client.get("/sparql", params={"query": query})
    assert response.json() == {"head": {}, "boolean": False}


# --------------------------------------------------------------------------------------------
# CONSTRUCT and DESCRIBE


@pytest.mark.parametrize(
    ("accept", "media_type", "rdflib_format"),
    [
        (None, "text/turtle; charset=utf-8", "turtle"),
        ("text/turtle", "text/turtle; charset=utf-8", "turtle"),
        ("application/n-triples", "application/n-triples", "nt"),
        ("application/ld+json", "application/ld+json", "json-ld"),
        ("application/rdf+xml", "application/rdf+xml", "xml"),
    ],
)
def test_construct_in_each_format_matches_the_library(
    client: TestClient,
    library: KnowledgeGraph,
    accept: str | None,
    media_type: str,
    rdflib_format: str,
) -> None:
    headers = {"Accept": accept} if accept else {}
    response = client.get("/sparql", params={"query": CONSTRUCT_SEGMENTS}, headers=headers)
    assert (response.status_code, response.headers["content-type"]) == (200, media_type)
    served = rdflib.Graph().parse(data=response.content, format=rdflib_format)
    expected = _graph(library, CONSTRUCT_SEGMENTS)
    assert len(expected) > 40
    assert isomorphic(served, expected)


def test_describe_returns_the_entity(client: TestClient, library: KnowledgeGraph) -> None:
    query = f"DESCRIBE <{ALPINA}seg-iot>"
    response = client.get("/sparql", params={"query": query})
    assert response.status_code == 200
    served = rdflib.Graph().parse(data=response.content, format="turtle")
    assert isomorphic(served, _graph(library, query))
    assert (rdflib.URIRef(ALPINA + "seg-iot"), rdflib.RDFS.label, None) in served


# --------------------------------------------------------------------------------------------
# POST


def test_post_form_encoded_query(client: TestClient, library: KnowledgeGraph) -> None:
    response = client.post("/sparql", data={"query": SEGMENTS})
    assert (response.status_code, response.headers["content-type"]) == (200, SPARQL_JSON)
    assert _parsed_rows(response.content, ox.QueryResultsFormat.JSON) == _rows(library, SEGMENTS)


def test_post_sparql_query_body(client: TestClient, library: KnowledgeGraph) -> None:
    response = client.post(
        "/sparql",
        content=SEGMENTS.encode(),
        headers={"Content-Type": "application/sparql-query; charset=utf-8", "Accept": SPARQL_XML},
    )
    assert (response.status_code, response.headers["content-type"]) == (200, SPARQL_XML)
    assert _parsed_rows(response.content, ox.QueryResultsFormat.XML) == _rows(library, SEGMENTS)


COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


def _count(response: Any) -> int:
    assert response.status_code == 200, response.text
    return int(response.json()["results"]["bindings"][0]["n"]["value"])


def test_default_graph_uri_restricts_the_dataset(
    client: TestClient, library: KnowledgeGraph
) -> None:
    graph = (TELCO / "offer.ttl").resolve().as_uri()
    in_graph = sum(1 for _ in library.triples(graph))
    by_get = client.get("/sparql", params={"query": COUNT, "default-graph-uri": graph})
    by_form = client.post("/sparql", data={"query": COUNT, "default-graph-uri": graph})
    by_body = client.post(
        "/sparql",
        params={"default-graph-uri": graph},
        content=COUNT,
        headers={"Content-Type": "application/sparql-query"},
    )
    assert _count(by_get) == _count(by_form) == _count(by_body) == in_graph
    assert _count(client.get("/sparql", params={"query": COUNT})) == len(list(library.triples()))


def test_named_graph_uri_limits_graph_clauses(client: TestClient) -> None:
    graph = (TELCO / "offer.ttl").resolve().as_uri()
    query = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
    response = client.get("/sparql", params={"query": query, "named-graph-uri": graph})
    assert response.json()["results"]["bindings"] == [{"g": {"type": "uri", "value": graph}}]


# --------------------------------------------------------------------------------------------
# Content negotiation


@pytest.mark.parametrize(
    ("accept", "chosen"),
    [
        ("text/csv;q=0.5, application/sparql-results+xml;q=0.9", SPARQL_XML),
        ("*/*;q=0.1, text/tab-separated-values", "text/tab-separated-values; charset=utf-8"),
        ("*/*", SPARQL_JSON),
        ("text/*", "text/csv; charset=utf-8"),
        ("*/*, application/sparql-results+json;q=0", SPARQL_XML),
        ("application/sparql-results+xml, application/sparql-results+json", SPARQL_XML),
    ],
)
def test_accept_q_values(client: TestClient, accept: str, chosen: str) -> None:
    response = client.get("/sparql", params={"query": COUNT}, headers={"Accept": accept})
    assert (response.status_code, response.headers["content-type"]) == (200, chosen)


def test_negotiate_prefers_the_clients_order_between_equal_q_values() -> None:
    offered = ["text/turtle", "application/rdf+xml"]
    assert negotiate("application/rdf+xml, text/turtle", offered) == "application/rdf+xml"
    assert negotiate("application/*;q=0.8, text/turtle;q=0.2", offered) == "application/rdf+xml"
    assert negotiate("", offered) == "text/turtle"
    assert negotiate("image/png", offered) is None


def test_nothing_acceptable_is_406(client: TestClient) -> None:
    response = client.get("/sparql", params={"query": COUNT}, headers={"Accept": "text/turtle"})
    assert _problem(response, 406, "not-acceptable") == {
        "type": PROBLEMS + "not-acceptable",
        "title": "Not acceptable",
        "status": 406,
        "detail": "no acceptable format for this result; available: "
        "application/sparql-results+json, application/sparql-results+xml, text/csv, "
        "text/tab-separated-values",
        "available": [SPARQL_JSON, SPARQL_XML, "text/csv", "text/tab-separated-values"],
    }
    graph = client.get(
        "/sparql", params={"query": CONSTRUCT_SEGMENTS}, headers={"Accept": "text/csv"}
    )
    assert _problem(graph, 406, "not-acceptable")["available"] == [
        "text/turtle",
        "application/n-triples",
        "application/ld+json",
        "application/rdf+xml",
    ]


# --------------------------------------------------------------------------------------------
# Errors of the request


def test_malformed_query_is_400_with_line_and_column(client: TestClient) -> None:
    response = client.get("/sparql", params={"query": "SELECT ?s\nWHERE { ?s ?p }"})
    assert _problem(response, 400, "malformed-query") == {
        "type": PROBLEMS + "malformed-query",
        "title": "Malformed SPARQL",
        "status": 400,
        "detail": "expected one of LATERAL, SERVICE, [_]",
        "line": 2,
        "column": 16,
    }


def test_missing_query_is_400(client: TestClient) -> None:
    expected = {
        "type": PROBLEMS + "missing-query",
        "title": "Missing query",
        "status": 400,
        "detail": "the request has no SPARQL query; send it as 'query=' or as the body",
    }
    assert client.post("/sparql", data={"default-graph-uri": "http://x/"}).json() == expected
    empty = client.post(
        "/sparql", content=b"  ", headers={"Content-Type": "application/sparql-query"}
    )
    assert _problem(empty, 400, "missing-query") == expected


def test_unsupported_body_is_415(client: TestClient) -> None:
    response = client.post(
        "/sparql", content=b'{"query": "ASK {}"}', headers={"Content-Type": "application/json"}
    )
    assert _problem(response, 415, "unsupported-media-type")["detail"] == (
        "POST a body of type application/x-www-form-urlencoded, application/sparql-query or "
        "application/sparql-update, not 'application/json'"
    )


def test_query_and_update_together_is_400(client: TestClient) -> None:
    response = client.post("/sparql", data={"query": "ASK {}", "update": "CLEAR ALL"})
    assert _problem(response, 400, "bad-request")["detail"] == (
        "send either 'query' or 'update', not both"
    )


def test_a_relative_default_graph_uri_is_400(client: TestClient) -> None:
    response = client.get("/sparql", params={"query": COUNT, "default-graph-uri": "offer"})
    assert _problem(response, 400, "malformed-query")["detail"] == "not an absolute IRI: 'offer'"


@pytest.mark.parametrize(
    ("query", "keyword"),
    [
        ("SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }", "SERVICE"),
        ("select * { service silent ?endpoint { ?s ?p ?o } }", "SERVICE"),
    ],
)
def test_federated_queries_are_refused(client: TestClient, query: str, keyword: str) -> None:
    response = client.get("/sparql", params={"query": query})
    assert _problem(response, 400, "remote-access-refused")["detail"] == (
        f"SPARQL query: {keyword} is not allowed here: this endpoint does not reach other servers"
    )


def test_service_in_a_string_or_a_name_is_no_federation(client: TestClient) -> None:
    query = 'SELECT ?service WHERE { BIND("SERVICE <http://x>" AS ?service) } # LOAD'
    response = client.get("/sparql", params={"query": query})
    assert response.json()["results"]["bindings"] == [
        {"service": {"type": "literal", "value": "SERVICE <http://x>"}}
    ]


def test_a_format_that_cannot_hold_the_result_is_406(client: TestClient) -> None:
    query = "CONSTRUCT { <urn:x:a> <urn:x:says> <<( <urn:x:b> <urn:x:p> <urn:x:c> )>> } WHERE {}"
    response = client.get(
        "/sparql", params={"query": query}, headers={"Accept": "application/ld+json"}
    )
    body = _problem(response, 406, "not-acceptable")
    assert body["detail"].startswith("the graph cannot be written as JSON-LD: ")
    assert body["available"] == ["text/turtle", "application/n-triples", "application/rdf+xml"]
    turtle = client.get("/sparql", params={"query": query})
    assert turtle.status_code == 200
    assert "<<( <urn:x:b> <urn:x:p> <urn:x:c> )>>" in turtle.text


# --------------------------------------------------------------------------------------------
# Limits


def test_time_limit_is_503() -> None:
    # About 1.8e11 joined rows: hours, far beyond the limit.
    heavy = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    with _client(query_timeout=1) as limited:
        response = limited.get("/sparql", params={"query": heavy})
        assert _problem(response, 503, "query-timeout") == {
            "type": PROBLEMS + "query-timeout",
            "title": "Query time limit reached",
            "status": 503,
            "detail": "SPARQL query: the query ran longer than its time limit of 1 s and "
            "was stopped",
        }
        assert _count(limited.get("/sparql", params={"query": COUNT})) > 5000


# pyoxigraph's results must be dropped on the thread that made them; a leak would show as an
# unraisable exception when the error is handled on the request's thread.
@pytest.mark.filterwarnings("error::pytest.PytestUnraisableExceptionWarning")
def test_result_cap_is_413_above_and_200_at_the_cap() -> None:
    rows = "SELECT ?s WHERE {{ ?s a bm:CustomerSegment }} LIMIT {}"
    with _client(max_results=5) as capped:
        assert (
            len(
                capped.get("/sparql", params={"query": rows.format(5)}).json()["results"][
                    "bindings"
                ]
            )
            == 5
        )
        response = capped.get("/sparql", params={"query": rows.format(6)})
        assert _problem(response, 413, "result-too-large")["detail"] == (
            "SPARQL query: the result has more than 5 rows, the cap of this endpoint; narrow "
            "the query or page through it with LIMIT and OFFSET"
        )
        graph = capped.get("/sparql", params={"query": CONSTRUCT_SEGMENTS})
        assert "more than 5 triples" in _problem(graph, 413, "result-too-large")["detail"]
        ask = capped.get("/sparql", params={"query": "ASK { ?s ?p ?o }"})
        assert ask.json() == {"head": {}, "boolean": True}


# --------------------------------------------------------------------------------------------
# Service description


@pytest.mark.parametrize(
    ("accept", "rdflib_format"),
    [(None, "turtle"), ("application/rdf+xml", "xml"), ("application/ld+json", "json-ld")],
)
def test_service_description(
    client: TestClient, library: KnowledgeGraph, accept: str | None, rdflib_format: str
) -> None:
    response = client.get("/sparql", headers={"Accept": accept} if accept else {})
    assert response.status_code == 200
    description = rdflib.Graph().parse(data=response.content, format=rdflib_format)
    service = description.value(predicate=rdflib.RDF.type, object=SD.Service)
    assert service is not None
    assert description.value(service, SD.endpoint) == rdflib.URIRef("http://testserver/sparql")
    assert set(description.objects(service, SD.supportedLanguage)) == {SD.SPARQL11Query}
    assert set(description.objects(service, SD.feature)) == {SD.UnionDefaultGraph}
    assert {
        FORMATS.SPARQL_Results_JSON,
        FORMATS.SPARQL_Results_XML,
        FORMATS.SPARQL_Results_CSV,
        FORMATS.SPARQL_Results_TSV,
        FORMATS.Turtle,
        FORMATS["N-Triples"],
        FORMATS.RDF_XML,
    } <= set(description.objects(service, SD.resultFormat))
    dataset = description.value(service, SD.defaultDataset)
    names = {
        str(description.value(g, SD.name)) for g in description.objects(dataset, SD.namedGraph)
    }
    assert names == set(library.graphs())


def test_service_description_lists_updates_when_allowed() -> None:
    with _client(token=TOKEN, allow_updates=True) as updatable:
        response = updatable.get("/sparql")
    description = rdflib.Graph().parse(data=response.content, format="turtle")
    assert set(description.objects(None, SD.supportedLanguage)) == {
        SD.SPARQL11Query,
        SD.SPARQL11Update,
    }


# --------------------------------------------------------------------------------------------
# Updates

SEGMENT = ALPINA + "seg-iot"
CUSTOMERS = (TELCO / "customers.ttl").resolve().as_uri()
ADD_COMMENT = f'INSERT DATA {{ GRAPH <{CUSTOMERS}> {{ <{SEGMENT}> rdfs:comment "Machines." }} }}'
DROP_LABELS = f"DELETE WHERE {{ GRAPH ?g {{ <{SEGMENT}> rdfs:label ?label }} }}"


def _update(app_client: TestClient, text: str, *, token: str | None = TOKEN) -> Any:
    headers = {"Content-Type": "application/sparql-update"}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    return app_client.post("/sparql", content=text.encode(), headers=headers)


@pytest.fixture
def updatable() -> Iterator[TestClient]:
    with _client(token=TOKEN, allow_updates=True) as app_client:
        yield app_client


def test_update_refused_when_updates_are_disabled(client: TestClient) -> None:
    before = _nquads(client)
    assert _problem(_update(client, ADD_COMMENT), 403, "updates-disabled") == {
        "type": PROBLEMS + "updates-disabled",
        "title": "Updates are disabled",
        "status": 403,
        "detail": "this server does not accept SPARQL updates "
        "(set KG_ALLOW_UPDATES=true to allow them)",
    }
    form = client.post(
        "/sparql", data={"update": ADD_COMMENT}, headers={"Authorization": f"Bearer {TOKEN}"}
    )
    assert _problem(form, 403, "updates-disabled")
    assert _nquads(client) == before


def test_update_needs_the_token(updatable: TestClient) -> None:
    before = _nquads(updatable)
    missing = _update(updatable, ADD_COMMENT, token=None)
    assert _problem(missing, 401, "unauthorized")["title"] == "Authentication required"
    assert missing.headers["www-authenticate"] == "Bearer"
    assert _problem(_update(updatable, ADD_COMMENT, token="wrong"), 403, "forbidden")
    assert _nquads(updatable) == before


def test_update_refused_when_the_server_has_no_token() -> None:
    with _client(allow_updates=True) as no_token:
        assert _problem(_update(no_token, ADD_COMMENT), 403, "writes-disabled")


def test_accepted_update_is_applied(updatable: TestClient) -> None:
    response = _update(updatable, ADD_COMMENT)
    assert (response.status_code, response.headers["content-type"]) == (200, "application/json")
    assert response.json() == {"added": 1, "removed": 0}
    query = f"SELECT ?c WHERE {{ <{SEGMENT}> rdfs:comment ?c }}"
    rows = updatable.get("/sparql", params={"query": query}).json()["results"]["bindings"]
    assert rows == [{"c": {"type": "literal", "value": "Machines."}}]


def test_update_by_form(updatable: TestClient) -> None:
    response = updatable.post(
        "/sparql", data={"update": ADD_COMMENT}, headers={"Authorization": f"Bearer {TOKEN}"}
    )
    assert response.status_code == 200
    assert response.json()["added"] == 1


def test_update_changing_nothing(updatable: TestClient) -> None:
    before = _nquads(updatable)
    response = _update(updatable, f"DELETE DATA {{ <{SEGMENT}> rdfs:comment 'absent' }}")
    assert response.json() == {"added": 0, "removed": 0}
    assert _nquads(updatable) == before


def test_load_is_refused(updatable: TestClient) -> None:
    before = _nquads(updatable)
    response = _update(updatable, "LOAD <http://127.0.0.1:9/data.ttl> INTO GRAPH <urn:x:g>")
    assert _problem(response, 400, "remote-access-refused")["detail"] == (
        "SPARQL update: LOAD is not allowed here: this endpoint does not reach other servers"
    )
    assert _nquads(updatable) == before


def test_malformed_update_is_400_with_line_and_column(updatable: TestClient) -> None:
    before = _nquads(updatable)
    # Variables are not allowed in INSERT DATA.
    text = "INSERT DATA {\n  <http://x/a> <http://x/b> <http://x/c> . ?x }"
    response = _update(updatable, text)
    assert _problem(response, 400, "malformed-query") == {
        "type": PROBLEMS + "malformed-query",
        "title": "Malformed SPARQL",
        "status": 400,
        "detail": "expected [_]",
        "line": 2,
        "column": 48,
    }
    assert _nquads(updatable) == before


def test_violating_update_is_422_and_leaves_the_store_unchanged(updatable: TestClient) -> None:
    before = _nquads(updatable)
    response = _update(updatable, DROP_LABELS)
    assert _problem(response, 422, "shape-violation") == {
        "type": PROBLEMS + "shape-violation",
        "title": "The write would violate the shapes",
        "status": 422,
        "detail": "the write was rejected: it would leave the model with 1 violation(s) of its "
        "shapes; nothing was changed",
        "results": [
            {
                "severity": "Violation",
                "focus_node": "tel:seg-iot",
                "focus_label": None,
                "path": "rdfs:label",
                "value": None,
                "value_label": None,
                "message": "Every element needs a name (rdfs:label) so that architects can "
                "recognise it.",
                "shape": "bmsh:LabelRequired",
                "component": "MinCountConstraintComponent",
            }
        ],
    }
    assert _nquads(updatable) == before


def test_violation_through_a_link_is_caught(updatable: TestClient) -> None:
    # Retyping what a segment links to breaks the segment's sh:class constraint: the segment
    # is not in the changed triple but links to its subject.
    need = updatable.get(
        "/sparql",
        params={"query": f"SELECT ?n WHERE {{ <{SEGMENT}> bm:hasNeed ?n }} LIMIT 1"},
    ).json()["results"]["bindings"][0]["n"]["value"]
    before = _nquads(updatable)
    response = _update(updatable, f"DELETE WHERE {{ GRAPH ?g {{ <{need}> a ?type }} }}")
    results = _problem(response, 422, "shape-violation")["results"]
    assert "tel:seg-iot" in {r["focus_node"] for r in results}
    assert {r["component"] for r in results} >= {"ClassConstraintComponent"}
    assert _nquads(updatable) == before


# --------------------------------------------------------------------------------------------
# OpenAPI


def test_openapi_describes_the_endpoint(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    get, post = schema["paths"]["/sparql"]["get"], schema["paths"]["/sparql"]["post"]
    assert {p["name"] for p in get["parameters"]} >= {
        "query",
        "default-graph-uri",
        "named-graph-uri",
        "accept",
    }
    assert set(post["requestBody"]["content"]) == {
        "application/x-www-form-urlencoded",
        "application/sparql-query",
        "application/sparql-update",
    }
    assert set(post["responses"]) >= {"200", "400", "401", "403", "406", "413", "415", "422", "503"}
    assert SPARQL_JSON in get["responses"]["200"]["content"]
    json.dumps(schema)


# --------------------------------------------------------------------------------------------
# Fuzz: bad input never makes a server error

_SPARQLISH = st.lists(
    st.sampled_from(
        [*"?$<>{}()[].;,:*\"'#@^01/\\", "?s", "<urn:x>", "bm:Segment", "a", "SELECT", "ASK"]
        + ["WHERE", "CONSTRUCT", "DESCRIBE", "INSERT DATA", "DELETE", "GRAPH", "FILTER", "LIMIT"]
    ),
    max_size=25,
).map(" ".join)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    query=st.one_of(_SPARQLISH, st.text(max_size=40)),
    accept=st.one_of(
        st.none(), st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=30)
    ),
    content_type=st.sampled_from(
        [
            "application/sparql-query",
            "application/sparql-update",
            "application/x-www-form-urlencoded",
            "text/plain",
            "",
        ]
    ),
)
def test_bad_input_never_gives_a_server_error(
    client: TestClient, query: str, accept: str | None, content_type: str
) -> None:
    headers = {"Accept": accept} if accept is not None else {}
    response = client.get("/sparql", params={"query": query}, headers=headers)
    assert response.status_code < 500, response.text
    if response.status_code >= 400:
        assert response.headers["content-type"] == "application/problem+json"
    posted = client.post(
        "/sparql", content=query.encode(), headers={**headers, "Content-Type": content_type}
    )
    assert posted.status_code < 500, posted.text
