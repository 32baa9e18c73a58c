"""Real SPARQL clients, unchanged, against a live server on loopback.

SPARQLWrapper and rdflib's ``SPARQLStore`` are pointed at ``/sparql`` of an app run by uvicorn
on 127.0.0.1, and their results are compared with the library's own results on the same model.
"""

from __future__ import annotations

import csv
import io
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
import rdflib
import uvicorn
from rdflib.compare import isomorphic
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import CSV, JSON, POST, RDFXML, TURTLE, XML, SPARQLWrapper

from api.config import Settings
from api.main import create_app
from kg.model import open_model
from kg.store import KnowledgeGraph

TELCO = Path(__file__).resolve().parent.parent / "data" / "telco"
TOKEN = "live-token"
BM = rdflib.Namespace("https://w3id.org/bmkg/ontology#")
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"

SEGMENTS = """
PREFIX bm: <https://w3id.org/bmkg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?segment ?label ?size WHERE {
  ?segment a bm:CustomerSegment ; rdfs:label ?label ; bm:segmentSize ?size .
} ORDER BY ?segment ?label
"""
CONSTRUCT = """
PREFIX bm: <https://w3id.org/bmkg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
CONSTRUCT { ?segment a bm:CustomerSegment ; rdfs:label ?label ; bm:hasNeed ?need }
WHERE { ?segment a bm:CustomerSegment ; rdfs:label ?label ; bm:hasNeed ?need }
"""


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    settings = Settings(data=(TELCO,), token=TOKEN, allow_updates=True)
    port = _free_port()
    config = uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="live-api", daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}/sparql"
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        assert not thread.is_alive()


@pytest.fixture(scope="module")
def library() -> Iterator[KnowledgeGraph]:
    with open_model(TELCO) as model:
        yield model


def _rdflib(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> rdflib.term.Identifier:
    if isinstance(term, ox.NamedNode):
        return rdflib.URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return rdflib.BNode(term.value)
    if term.language is not None:
        return rdflib.Literal(term.value, lang=term.language)
    if term.datatype.value == XSD_STRING:
        return rdflib.Literal(term.value)
    return rdflib.Literal(term.value, datatype=rdflib.URIRef(term.datatype.value))


def _expected(library: KnowledgeGraph, query: str) -> list[tuple[rdflib.term.Identifier, ...]]:
    solutions = library.query(query)
    assert isinstance(solutions, ox.QuerySolutions)
    names = [v.value for v in solutions.variables]
    rows = [tuple(_rdflib(s[n]) for n in names) for s in solutions]  # type: ignore[arg-type]
    assert len(rows) > 20
    return rows


def _expected_graph(library: KnowledgeGraph, query: str) -> rdflib.Graph:
    data = ox.serialize(library.query(query), format=ox.RdfFormat.N_TRIPLES)
    graph = rdflib.Graph().parse(data=data, format="nt")
    assert len(graph) > 40
    return graph


def _wrapper(endpoint: str, query: str, return_format: str) -> SPARQLWrapper:
    client = SPARQLWrapper(endpoint)
    client.setQuery(query)
    client.setReturnFormat(return_format)
    return client


# --------------------------------------------------------------------------------------------
# SPARQLWrapper


def test_sparqlwrapper_select_json(endpoint: str, library: KnowledgeGraph) -> None:
    results = _wrapper(endpoint, SEGMENTS, JSON).queryAndConvert()
    assert isinstance(results, dict)
    assert results["head"]["vars"] == ["segment", "label", "size"]
    served = []
    for binding in results["results"]["bindings"]:
        segment, label, size = binding["segment"], binding["label"], binding["size"]
        served.append(
            (
                rdflib.URIRef(segment["value"]),
                rdflib.Literal(label["value"], lang=label.get("xml:lang")),
                rdflib.Literal(size["value"], datatype=rdflib.URIRef(size["datatype"])),
            )
        )
    assert served == _expected(library, SEGMENTS)


def test_sparqlwrapper_select_xml(endpoint: str, library: KnowledgeGraph) -> None:
    document = _wrapper(endpoint, SEGMENTS, XML).queryAndConvert()
    served = []
    for result in document.getElementsByTagName("result"):  # type: ignore[union-attr]
        values: dict[str, rdflib.term.Identifier] = {}
        for binding in result.getElementsByTagName("binding"):
            node = binding.firstChild
            text = node.firstChild.data if node.firstChild else ""
            if node.tagName == "uri":
                values[binding.getAttribute("name")] = rdflib.URIRef(text)
            else:
                values[binding.getAttribute("name")] = rdflib.Literal(
                    text,
                    lang=node.getAttribute("xml:lang") or None,
                    datatype=node.getAttribute("datatype") or None,
                )
        served.append((values["segment"], values["label"], values["size"]))
    assert served == _expected(library, SEGMENTS)


def test_sparqlwrapper_select_csv(endpoint: str, library: KnowledgeGraph) -> None:
    data = _wrapper(endpoint, SEGMENTS, CSV).queryAndConvert()
    assert isinstance(data, bytes)
    table = list(csv.reader(io.StringIO(data.decode())))
    assert table[0] == ["segment", "label", "size"]
    assert table[1:] == [[str(v) for v in row] for row in _expected(library, SEGMENTS)]


def test_sparqlwrapper_ask(endpoint: str) -> None:
    ask = "ASK { <https://example.org/alpina/seg-iot> ?p ?o }"
    assert _wrapper(endpoint, ask, JSON).queryAndConvert() == {"head": {}, "boolean": True}


def test_sparqlwrapper_construct_turtle(endpoint: str, library: KnowledgeGraph) -> None:
    data = _wrapper(endpoint, CONSTRUCT, TURTLE).queryAndConvert()
    assert isinstance(data, bytes)
    served = rdflib.Graph().parse(data=data, format="turtle")
    assert isomorphic(served, _expected_graph(library, CONSTRUCT))


def test_sparqlwrapper_construct_rdfxml(endpoint: str, library: KnowledgeGraph) -> None:
    served = _wrapper(endpoint, CONSTRUCT, RDFXML).queryAndConvert()
    assert isinstance(served, rdflib.Graph)
    assert isomorphic(served, _expected_graph(library, CONSTRUCT))


def test_sparqlwrapper_post(endpoint: str, library: KnowledgeGraph) -> None:
    client = _wrapper(endpoint, SEGMENTS, JSON)
    client.setMethod(POST)
    results = client.queryAndConvert()
    assert isinstance(results, dict)
    served = [b["segment"]["value"] for b in results["results"]["bindings"]]
    assert served == [str(row[0]) for row in _expected(library, SEGMENTS)]


# --------------------------------------------------------------------------------------------
# rdflib's SPARQLStore


def test_sparqlstore_select(endpoint: str, library: KnowledgeGraph) -> None:
    graph = rdflib.Graph(store=SPARQLStore(query_endpoint=endpoint))
    served = [tuple(row) for row in graph.query(SEGMENTS)]
    assert served == _expected(library, SEGMENTS)


def test_sparqlstore_ask_and_construct(endpoint: str, library: KnowledgeGraph) -> None:
    graph = rdflib.Graph(store=SPARQLStore(query_endpoint=endpoint))
    assert graph.query("ASK { ?s a <https://w3id.org/bmkg/ontology#CustomerSegment> }").askAnswer
    constructed = graph.query(CONSTRUCT).graph
    assert constructed is not None
    assert isomorphic(constructed, _expected_graph(library, CONSTRUCT))


def test_sparqlstore_triples_and_len(endpoint: str, library: KnowledgeGraph) -> None:
    graph = rdflib.Graph(store=SPARQLStore(query_endpoint=endpoint))
    served = set(graph.subjects(rdflib.RDF.type, BM.CustomerSegment))
    expected = {
        rdflib.URIRef(row[0].value)  # type: ignore[index]
        for row in library.query("SELECT ?s WHERE { ?s a bm:CustomerSegment }")  # type: ignore[union-attr]
    }
    assert served == expected
    assert len(served) == 21


# --------------------------------------------------------------------------------------------
# Updates through a real client (run last: they change the served model)


def test_sparqlwrapper_update_with_token(endpoint: str) -> None:
    segment = "https://example.org/alpina/seg-iot"
    customers = (TELCO / "customers.ttl").resolve().as_uri()
    client = SPARQLWrapper(endpoint, updateEndpoint=endpoint)
    client.setMethod(POST)
    client.addCustomHttpHeader("Authorization", f"Bearer {TOKEN}")
    client.setQuery(
        f"INSERT DATA {{ GRAPH <{customers}> {{ <{segment}> "
        '<http://www.w3.org/2000/01/rdf-schema#comment> "Added live." } }'
    )
    response = client.query()
    assert response.response.status == 200
    check = _wrapper(
        endpoint,
        f"SELECT ?c WHERE {{ <{segment}> <http://www.w3.org/2000/01/rdf-schema#comment> ?c }}",
        JSON,
    ).queryAndConvert()
    assert check["results"]["bindings"] == [  # type: ignore[index,call-overload]
        {"c": {"type": "literal", "value": "Added live."}}
    ]


# --------------------------------------------------------------------------------------------
# kg serve


def test_kg_serve_runs_the_api(tmp_path: Path) -> None:
    port = _free_port()
    env = {**os.environ, "SERVE_TOKEN": "from-env", "KG_MAX_RESULTS": "3"}
    env.pop("KG_TOKEN", None)
    command = [
        *(sys.executable, "-m", "kg.cli", "serve", str(TELCO)),
        *("--port", str(port), "--store", str(tmp_path / "store")),
        *("--token-env", "SERVE_TOKEN", "--allow-updates"),
    ]
    server = subprocess.Popen(command, env=env, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}/sparql"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert server.poll() is None, server.stderr.read() if server.stderr else ""
            try:
                description = httpx.get(url, timeout=5)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "kg serve did not start"
                time.sleep(0.1)
        assert description.status_code == 200
        assert "sd:SPARQL11Update" in description.text
        query = "SELECT ?s WHERE { ?s a bm:CustomerSegment }"
        assert httpx.get(url, params={"query": query}).status_code == 413  # KG_MAX_RESULTS
        update = 'INSERT DATA { GRAPH <urn:x:g> { <urn:x:a> <urn:x:p> "1" } }'
        headers = {"Content-Type": "application/sparql-update"}
        assert httpx.post(url, content=update, headers=headers).status_code == 401
        headers["Authorization"] = "Bearer from-env"
        accepted = httpx.post(url, content=update, headers=headers)
        assert (accepted.status_code, accepted.json()) == (200, {"added": 1, "removed": 0})
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_kg_serve_needs_the_token_variable_it_names() -> None:
    env = {k: v for k, v in os.environ.items() if k != "NO_SUCH_TOKEN"}
    done = subprocess.run(
        [sys.executable, "-m", "kg.cli", "serve", "--token-env", "NO_SUCH_TOKEN"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (done.returncode, done.stderr) == (
        2,
        "kg: error: environment variable NO_SUCH_TOKEN is not set\n",
    )


def test_the_library_does_not_import_the_web_framework() -> None:
    code = (
        "import sys, kg.cli, kg.sparql, kg.store; "
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'fastapi', 'starlette', "
        "'uvicorn', 'api'}))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout == "[]\n"
