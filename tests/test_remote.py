"""The library against a real SPARQL 1.1 server: Oxigraph's own, started on loopback.

Every part that reads the model (questions, silos, validation, pictures, structure, the report's
description, entities) must give exactly what it gives on the embedded store. The server is
``oxigraph serve`` from the ``oxigraph`` package on PyPI, run in memory on a free port.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest

from kg import remote as remote_module
from kg.errors import QueryError, RDFSyntaxError, StoreError
from kg.model import open_model
from kg.pictures import capability_map_picture, journey_picture, model_picture, silo_picture
from kg.questions import Parameters, ask_all
from kg.remote import Endpoint, EndpointStore, endpoint_from_env
from kg.report import describe_model
from kg.silos import find_silos
from kg.store import KnowledgeGraph
from kg.structure import structure_graph
from kg.validation import validate

DATA = Path(__file__).resolve().parent.parent / "data"
KG = str(Path(sys.executable).parent / "kg")


def _oxigraph() -> str | None:
    beside = Path(sys.executable).parent / "oxigraph"
    return str(beside) if beside.exists() else shutil.which("oxigraph")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class Server:
    """An ``oxigraph serve`` process on loopback, in memory."""

    def __init__(self, *options: str) -> None:
        binary = _oxigraph()
        if binary is None:
            if os.environ.get("CI"):
                pytest.fail("the oxigraph server is not installed (pip install oxigraph)")
            pytest.skip("the oxigraph server is not installed (pip install oxigraph)")
        port = _free_port()
        self.base = f"http://127.0.0.1:{port}"
        self.process = subprocess.Popen(
            [binary, "serve", "--bind", f"127.0.0.1:{port}", *options],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(f"{self.base}/query", params={"query": "ASK {}"}, timeout=1)
                break
            except httpx.TransportError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("oxigraph serve did not start") from None
                time.sleep(0.05)

    def endpoint(self, *, writable: bool = True, bulk: bool = False) -> Endpoint:
        return Endpoint(
            f"{self.base}/query",
            update=f"{self.base}/update" if writable else None,
            graph_store=f"{self.base}/store" if bulk else None,
        )

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    running = Server("--union-default-graph")
    yield running
    running.stop()


@pytest.fixture(scope="module", params=["telco", "bank"])
def pair(
    request: pytest.FixtureRequest, server: Server
) -> Iterator[tuple[KnowledgeGraph, KnowledgeGraph]]:
    """The same example in the embedded store and on the server."""
    embedded = open_model(DATA / request.param)
    remote = open_model(endpoint=server.endpoint())
    remote.clear()
    remote = open_model(DATA / request.param, endpoint=server.endpoint())
    yield embedded, remote
    remote.close()
    embedded.close()


def test_the_server_holds_every_quad_of_the_model(
    pair: tuple[KnowledgeGraph, KnowledgeGraph],
) -> None:
    embedded, remote = pair
    assert len(remote) == len(embedded)
    assert remote.graphs() == embedded.graphs()
    assert set(remote.triples()) == set(embedded.triples())


def test_the_ten_questions_give_identical_answers(
    pair: tuple[KnowledgeGraph, KnowledgeGraph],
) -> None:
    embedded, remote = pair
    assert [a.to_dict() for a in ask_all(remote)] == [a.to_dict() for a in ask_all(embedded)]


def test_parameters_reach_the_server_as_values(pair: tuple[KnowledgeGraph, KnowledgeGraph]) -> None:
    embedded, remote = pair
    params = Parameters(min_fit=0.9, max_partner_cost_share=0.1, min_gap=2)
    expected = [a.to_dict() for a in ask_all(embedded, params=params)]
    assert [a.to_dict() for a in ask_all(remote, params=params)] == expected
    assert expected != [a.to_dict() for a in ask_all(embedded)]


def test_silos_are_identical(pair: tuple[KnowledgeGraph, KnowledgeGraph]) -> None:
    embedded, remote = pair
    assert find_silos(remote).to_dict() == find_silos(embedded).to_dict()


def test_validation_is_identical(pair: tuple[KnowledgeGraph, KnowledgeGraph]) -> None:
    embedded, remote = pair
    assert validate(remote).to_dict() == validate(embedded).to_dict()


def test_pictures_are_identical(pair: tuple[KnowledgeGraph, KnowledgeGraph]) -> None:
    embedded, remote = pair
    pictures = [(model_picture(embedded), model_picture(remote))]
    pictures.append((capability_map_picture(embedded), capability_map_picture(remote)))
    journeys = embedded.query("SELECT ?j WHERE { ?j a bm:CustomerJourney } ORDER BY ?j")
    assert isinstance(journeys, ox.QuerySolutions)
    for row in list(journeys)[:2]:
        iri = row["j"].value
        pictures.append((journey_picture(embedded, iri), journey_picture(remote, iri)))
    segments = embedded.query("SELECT ?s WHERE { ?s a bm:CustomerSegment } ORDER BY ?s")
    assert isinstance(segments, ox.QuerySolutions)
    for row in list(segments)[:3]:
        iri = row["s"].value
        pictures.append((silo_picture(embedded, iri), silo_picture(remote, iri)))
    assert len(pictures) == 7
    for here, there in pictures:
        assert (there.nodes, there.edges) == (here.nodes, here.edges)


def test_structure_and_description_are_identical(
    pair: tuple[KnowledgeGraph, KnowledgeGraph],
) -> None:
    embedded, remote = pair
    here, there = structure_graph(embedded), structure_graph(remote)
    assert sorted(there.nodes(data=True), key=str) == sorted(here.nodes(data=True), key=str)
    assert sorted(map(sorted, there.edges()), key=str) == sorted(map(sorted, here.edges()), key=str)
    assert describe_model(remote) == describe_model(embedded)


def test_a_malformed_query_is_a_query_error_with_the_servers_reason(server: Server) -> None:
    remote = KnowledgeGraph(endpoint=server.endpoint())
    with pytest.raises(QueryError, match="(?i)error|expected|unexpected"):
        remote.query("SELECT ?s WHERE { ?s ")


def test_a_read_only_endpoint_refuses_writes_and_says_so(server: Server) -> None:
    remote = KnowledgeGraph(endpoint=server.endpoint(writable=False))
    quad = ox.Quad(
        ox.NamedNode("urn:x:a"), ox.NamedNode("urn:x:p"), ox.Literal("1"), ox.NamedNode("urn:x:g")
    )
    with pytest.raises(OSError, match="read-only"):
        remote.store.add(quad)
    with pytest.raises(StoreError, match="read-only"):
        open_model(DATA / "telco", endpoint=server.endpoint(writable=False))


def test_a_server_without_a_union_default_graph_is_refused() -> None:
    plain = Server()
    try:
        httpx.post(
            f"{plain.base}/update",
            content=b"INSERT DATA { GRAPH <urn:x:g> { <urn:x:a> <urn:x:p> 1 } }",
            headers={"Content-Type": "application/sparql-update"},
        ).raise_for_status()
        with pytest.raises(StoreError, match="union-default-graph"):
            KnowledgeGraph(endpoint=plain.endpoint())
    finally:
        plain.stop()


def test_an_unreachable_endpoint_is_a_store_error() -> None:
    with pytest.raises(StoreError, match="cannot reach"):
        KnowledgeGraph(endpoint=Endpoint(f"http://127.0.0.1:{_free_port()}/query", timeout=5))


def test_endpoint_from_env_reads_urls_and_token() -> None:
    endpoint = endpoint_from_env(
        {"KG_ENDPOINT": "http://h/q", "KG_UPDATE_ENDPOINT": "http://h/u", "KG_ENDPOINT_TOKEN": "t"}
    )
    assert endpoint == Endpoint(
        "http://h/q", update="http://h/u", headers={"Authorization": "Bearer t"}
    )
    bulk = endpoint_from_env({"KG_ENDPOINT": "http://h/q", "KG_GRAPH_STORE": "http://h/store"})
    assert bulk is not None and bulk.graph_store == "http://h/store" and bulk.login is None
    login = endpoint_from_env(
        {"KG_ENDPOINT": "http://h/q", "KG_ENDPOINT_USER": "u", "KG_ENDPOINT_PASSWORD": "secret"}
    )
    assert login is not None and login.login == ("u", "secret") and "secret" not in repr(login)


# --------------------------------------------------------------------------------------------
# Loading in bulk by the Graph Store Protocol


def as_n_triples(example: str, folder: Path) -> Path:
    """The example's files, each written as N-Triples under ``folder``."""
    folder.mkdir()
    for source in sorted((DATA / example).glob("*.ttl")):
        quads = ox.parse(path=source, format=ox.RdfFormat.TURTLE)
        ox.serialize(quads, folder / f"{source.stem}.nt", format=ox.RdfFormat.N_TRIPLES)
    return folder


def posts(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The graphs sent by Graph Store Protocol requests from here on."""
    sent: list[str] = []
    post = EndpointStore.post_graph

    def spy(self: EndpointStore, graph: ox.NamedNode, body: object) -> None:
        sent.append(graph.value)
        post(self, graph, body)

    monkeypatch.setattr(EndpointStore, "post_graph", spy)
    return sent


def shape(model: KnowledgeGraph) -> dict[str, tuple[int, set[ox.Triple]]]:
    """Each graph's size and its triples without blank nodes (which a server renames)."""
    return {
        graph: (
            len(triples := list(model.triples(graph=graph))),
            {
                t
                for t in triples
                if not isinstance(t.subject, ox.BlankNode)
                and not isinstance(t.object, ox.BlankNode)
            },
        )
        for graph in model.graphs()
    }


def test_a_first_load_of_n_triples_goes_by_the_graph_store_one_request_per_file(
    server: Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = as_n_triples("telco", tmp_path / "telco")
    KnowledgeGraph(endpoint=server.endpoint()).clear()
    sent = posts(monkeypatch)
    remote = open_model(folder, endpoint=server.endpoint(bulk=True))
    embedded = open_model(folder)
    assert sorted(sent) == sorted(f.resolve().as_uri() for f in folder.glob("*.nt"))
    assert shape(remote) == shape(embedded)
    assert [a.to_dict() for a in ask_all(remote)] == [a.to_dict() for a in ask_all(embedded)]
    assert validate(remote).to_dict() == validate(embedded).to_dict()


def test_a_large_file_goes_in_pieces_unless_it_holds_blank_nodes(
    server: Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kg import store as store_module

    monkeypatch.setattr(store_module, "_POST_LINES", 50)
    plain = [f'<urn:x:s{i}> <urn:x:p> "{i}" .' for i in range(120)]
    (tmp_path / "plain.nt").write_text("\n".join(plain) + "\n", encoding="utf-8")
    blank = [f'_:b{i % 7} <urn:x:p> "{i}" .' for i in range(120)]
    (tmp_path / "blank.nt").write_text("\n".join(blank) + "\n", encoding="utf-8")
    KnowledgeGraph(endpoint=server.endpoint()).clear()
    sent = posts(monkeypatch)
    remote = KnowledgeGraph(endpoint=server.endpoint(bulk=True))
    summary = remote.load(tmp_path / "plain.nt", tmp_path / "blank.nt")
    assert summary.triples == 240 and len(remote) == 240
    assert sent.count((tmp_path / "plain.nt").resolve().as_uri()) == 3  # 50 + 50 + 20 lines
    assert sent.count((tmp_path / "blank.nt").resolve().as_uri()) == 1  # _:b0 is one node
    nodes = remote.query(
        "SELECT (COUNT(DISTINCT ?b) AS ?n) WHERE { ?b <urn:x:p> ?o FILTER isBlank(?b) }"
    )
    assert isinstance(nodes, ox.QuerySolutions)
    assert [row["n"].value for row in nodes] == ["7"]


def test_a_malformed_file_is_refused_before_anything_is_sent(
    server: Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "a.nt").write_text('<urn:x:a> <urn:x:p> "fine" .\n', encoding="utf-8")
    # A relative IRI: N-Triples refuses it; a lenient server loader would take it.
    (tmp_path / "b.nt").write_text(
        '<urn:x:b> <urn:x:p> "fine" .\n<urn:x:b> <urn:x:p> <oops> .\n', encoding="utf-8"
    )
    cleaner = KnowledgeGraph(endpoint=server.endpoint())
    cleaner.clear()
    sent = posts(monkeypatch)
    remote = KnowledgeGraph(endpoint=server.endpoint(bulk=True))
    with pytest.raises(RDFSyntaxError) as caught:
        remote.load(tmp_path / "a.nt", tmp_path / "b.nt")
    assert caught.value.path == tmp_path / "b.nt" and caught.value.line == 2
    assert sent == [] and len(cleaner) == 0


def test_a_load_failing_part_way_drops_the_graphs_it_made(
    server: Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in "abc":
        (tmp_path / f"{name}.nt").write_text(f'<urn:x:{name}> <urn:x:p> "1" .\n', "utf-8")
    cleaner = KnowledgeGraph(endpoint=server.endpoint())
    cleaner.clear()
    post = EndpointStore.post_graph

    def failing(self: EndpointStore, graph: ox.NamedNode, body: object) -> None:
        if graph.value.endswith("c.nt"):
            raise OSError("the server went away")
        post(self, graph, body)

    monkeypatch.setattr(EndpointStore, "post_graph", failing)
    remote = KnowledgeGraph(endpoint=server.endpoint(bulk=True))
    with pytest.raises(StoreError, match="the server went away"):
        remote.load(*(tmp_path / f"{name}.nt" for name in "abc"))
    assert len(cleaner) == 0 and cleaner.graphs() == []


def test_a_write_the_server_refuses_is_a_store_error_and_leaves_nothing(
    server: Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lines = [f'<urn:x:s{i}> <urn:x:p> "value {i}" .' for i in range(3_000)]
    (tmp_path / "many.ttl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    cleaner = KnowledgeGraph(endpoint=server.endpoint())
    cleaner.clear()
    update = EndpointStore.update
    sent: list[int] = []

    def refusing(self: EndpointStore, text: str, **options: object) -> None:
        if text.startswith("INSERT DATA"):
            sent.append(text.count("\n"))
            if len(sent) > 1:  # the first piece goes in, then the server refuses every one
                raise SyntaxError("the server's parser gave up")
        update(self, text, **options)  # type: ignore[arg-type]

    monkeypatch.setattr(remote_module, "_BATCH", 1_000)
    monkeypatch.setattr(EndpointStore, "update", refusing)
    remote = KnowledgeGraph(endpoint=server.endpoint())
    with pytest.raises(StoreError, match="the server refused the write: the server's parser"):
        remote.load(tmp_path / "many.ttl")
    assert len(cleaner) == 0 and cleaner.graphs() == []  # the first piece was dropped again
    # Refused pieces were cut smaller, down to the smallest, before giving up.
    assert sent[1] > sent[-1] and sent[-1] <= remote_module._SMALLEST + 5


def test_many_quads_of_other_formats_go_one_request_per_graph(
    server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(remote_module, "_BATCH", 100)  # telco's files are smaller than 50,000
    KnowledgeGraph(endpoint=server.endpoint()).clear()
    sent = posts(monkeypatch)
    remote = open_model(DATA / "telco", endpoint=server.endpoint(bulk=True))
    embedded = open_model(DATA / "telco")
    assert sent  # one request per graph of more than 100 quads at once
    assert shape(remote) == shape(embedded)
    assert [a.to_dict() for a in ask_all(remote)] == [a.to_dict() for a in ask_all(embedded)]


def test_the_api_serves_a_remote_model_and_writes_through_to_it(server: Server) -> None:
    from urllib.parse import quote

    from fastapi.testclient import TestClient

    from api.config import Settings
    from api.main import create_app

    cleaner = KnowledgeGraph(endpoint=server.endpoint())
    cleaner.clear()
    embedded = open_model(DATA / "telco")
    settings = Settings(data=(DATA / "telco",), token="t", endpoint=server.endpoint())
    auth = {"Authorization": "Bearer t"}
    with TestClient(create_app(settings)) as client:
        assert client.get("/questions").json() == [a.to_dict() for a in ask_all(embedded)]
        iri = "https://example.org/alpina/seg-connected-families"
        where = "/entities/" + quote(iri, safe="")
        body = {k: v for k, v in client.get(where).json().items() if k != "@reverse"}
        assert (
            client.put(where, json={**body, "customerCount": 300000}, headers=auth).status_code
            == 200
        )
        rejected = client.put(where, json={**body, "customerCount": 10**9}, headers=auth)
        assert rejected.status_code == 422
    # The write reached the server, and the rejected one did not.
    after = KnowledgeGraph(endpoint=server.endpoint(writable=False))
    counts = after.query(f"SELECT ?n WHERE {{ <{iri}> bm:customerCount ?n }}")
    assert isinstance(counts, ox.QuerySolutions)
    assert [row["n"].value for row in counts] == ["300000"]
    assert Settings.from_env({"KG_ENDPOINT": server.base + "/query"}).endpoint == server.endpoint(
        writable=False
    )
    with pytest.raises(ValueError, match="KG_STORE and KG_ENDPOINT"):
        Settings.from_env({"KG_ENDPOINT": server.base + "/query", "KG_STORE": "/tmp/x"})


def test_the_command_line_analyses_the_servers_model(server: Server, tmp_path: Path) -> None:
    from kg.cli import main

    KnowledgeGraph(endpoint=server.endpoint()).clear()
    loaded = [
        KG, "validate", str(DATA / "telco"), "--endpoint",
        server.endpoint().query, "--update-endpoint", str(server.endpoint().update),
    ]  # fmt: skip
    assert subprocess.run(loaded, capture_output=True, text=True).returncode == 0
    # Read-only: the server's model as it is, no files.
    out = tmp_path / "ask.json"
    command = [KG, "ask", "--all", "-f", "json"]
    remote = subprocess.run(
        command,
        capture_output=True,
        text=True,
        env={**os.environ, "KG_ENDPOINT": server.endpoint().query},
    )
    assert remote.returncode == 0, remote.stderr
    local = subprocess.run([*command, str(DATA / "telco")], capture_output=True, text=True)
    assert remote.stdout == local.stdout
    out.write_text(remote.stdout)
    assert main(["validate", "--endpoint", server.endpoint().query, "--store", str(tmp_path)]) == 2
    # A first load of N-Triples by the Graph Store Protocol.
    KnowledgeGraph(endpoint=server.endpoint()).clear()
    folder = as_n_triples("telco", tmp_path / "telco-nt")
    bulk = server.endpoint(bulk=True)
    loaded = [
        KG, "validate", str(folder), "--endpoint", bulk.query,
        "--update-endpoint", str(bulk.update), "--graph-store", str(bulk.graph_store),
    ]  # fmt: skip
    done = subprocess.run(loaded, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert len(KnowledgeGraph(endpoint=server.endpoint())) == len(open_model(folder))
    assert main(["validate", str(folder), "--graph-store", str(bulk.graph_store)]) == 2


def test_a_large_insert_keeps_its_blank_nodes_whole(server: Server) -> None:
    from kg import remote

    store = KnowledgeGraph(endpoint=server.endpoint()).store
    assert isinstance(store, remote.EndpointStore)
    store.clear()
    node, graph = ox.BlankNode("shared"), ox.NamedNode("urn:x:bnodes")
    quads = [
        ox.Quad(node, ox.NamedNode("urn:x:p"), ox.Literal(str(i)), graph)
        for i in range(remote._BATCH + 10)
    ]
    store.extend(quads)
    subjects = {q.subject for q in store.quads_for_pattern(None, None, None, None)}
    assert len(subjects) == 1
    store.clear()
