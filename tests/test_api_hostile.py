"""The endpoint against hostile clients, on a real ``kg serve`` process on loopback.

Each probe that once broke the server is here, with what must hold after it: no outbound
request, no crash, memory and CPU back where they were within seconds of a limit, updates
stopped with the store unchanged. The server runs with small limits (2 s, 256 MiB, two
workers) so that each probe is quick.
"""

from __future__ import annotations

import os
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from served import kg_serve

from kg.sandbox import supported

pytestmark = pytest.mark.skipif(not supported(), reason="the sandbox needs Linux (fork)")

TELCO = Path(__file__).resolve().parent.parent / "data" / "telco"
TOKEN = "hostile-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
TIMEOUT = 2.0
MEMORY = 256 << 20
TICKS = os.sysconf("SC_CLK_TCK")

CARTESIAN_ORDER = "SELECT ?a ?d WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?c ?f"
CARTESIAN_COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
CARTESIAN_INSERT = (
    "INSERT { GRAPH <urn:x:flood> { ?a <urn:x:p> ?d } } "
    "WHERE { GRAPH ?g { ?a ?b ?c } GRAPH ?h { ?d ?e ?f } }"
)
NORMAL = "SELECT ?label WHERE { ?s a bm:Channel ; rdfs:label ?label } ORDER BY ?label"


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    url: str

    def alive(self) -> bool:
        return self.process.poll() is None

    def tree(self) -> list[int]:
        """The server and its worker children."""
        pids = [self.process.pid]
        for name in os.listdir("/proc"):
            if name.isdigit():
                stat = _stat(int(name))
                if stat is not None and int(stat[1]) == self.process.pid:
                    pids.append(int(name))
        return pids

    def rss(self) -> int:
        """Bytes of memory the server and its children hold.

        Proportional set sizes: a page a child shares with the server (it is forked) counts
        once, not twice.
        """
        total = 0
        for pid in self.tree():
            try:
                with open(f"/proc/{pid}/smaps_rollup") as handle:
                    for line in handle:
                        if line.startswith("Pss:"):
                            total += int(line.split()[1]) * 1024
                            break
            except OSError:
                pass
        return total

    def cpu(self) -> float:
        """CPU seconds the server and its live children have used."""
        total = 0
        for pid in self.tree():
            stat = _stat(pid)
            if stat is not None:
                total += int(stat[11]) + int(stat[12])
        return total / TICKS

    def quiet(self, *, within: float) -> bool:
        """Whether the server's CPU use falls below a tenth of a core within ``within`` s."""
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            before = self.cpu()
            time.sleep(0.5)
            if self.cpu() - before < 0.05 and len(self.tree()) == 1:
                return True
        return False

    def dump(self) -> bytes:
        response = httpx.get(self.url + "/export", params={"format": "nquads"}, timeout=30)
        assert response.status_code == 200
        return b"\n".join(sorted(response.content.splitlines()))


def _stat(pid: int) -> list[str] | None:
    try:
        with open(f"/proc/{pid}/stat") as handle:
            text = handle.read()
    except OSError:
        return None
    return text[text.rindex(")") + 2 :].split()


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    env = {
        "KG_TOKEN": TOKEN,
        "KG_ALLOW_UPDATES": "true",
        "KG_QUERY_TIMEOUT": str(TIMEOUT),
        "KG_QUERY_MEMORY": str(MEMORY),
        "KG_QUERY_WORKERS": "2",
        "KG_MAX_BODY": "1M",
    }
    with kg_serve(TELCO, env, ready="/silos") as (process, url):
        yield Server(process, url)


def query(server: Server, text: str, **headers: str) -> httpx.Response:
    if len(text) < 4000:
        return httpx.get(
            server.url + "/sparql", params={"query": text}, headers=headers, timeout=60
        )
    headers = {"Content-Type": "application/sparql-query", **headers}
    return httpx.post(server.url + "/sparql", content=text, headers=headers, timeout=60)


def update(server: Server, text: str, **headers: str) -> httpx.Response:
    headers = {"Content-Type": "application/sparql-update", **AUTH, **headers}
    return httpx.post(server.url + "/sparql", content=text, headers=headers, timeout=60)


def problem(response: httpx.Response, status: int, kind: str) -> dict[str, object]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, object] = response.json()
    assert body["type"] == "https://w3id.org/bmkg/problems/" + kind, body
    return body


class Listener:
    """A loopback TCP server that counts the connections it receives."""

    def __init__(self) -> None:
        self.socket = socket.socket()
        self.socket.bind(("127.0.0.1", 0))
        self.socket.listen(16)
        self.socket.settimeout(0.2)
        self.port: int = self.socket.getsockname()[1]
        self.connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                connection, _ = self.socket.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections += 1
            connection.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self.socket.close()


@pytest.fixture
def listener() -> Iterator[Listener]:
    opened = Listener()
    try:
        yield opened
    finally:
        opened.close()


# --------------------------------------------------------------------------------------------
# 1. No outbound request, however SERVICE and LOAD are written


def service_spellings(port: int) -> list[str]:
    target = f"<http://127.0.0.1:{port}/sparql>"
    return [
        # The bypass of the old text filter: an escaped '#' hid the rest of the line.
        f"PREFIX ex: <urn:x:> SELECT * WHERE {{ {{ ?s ?p ex:x\\# }} UNION "
        f"{{ SERVICE {target} {{ ?x ?y ?z }} }} }}",
        f"SELECT * WHERE {{ SERVICE {target} {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ SERVICE SILENT {target} {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ BIND({target} AS ?e) SERVICE ?e {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ {{ ?s ?p ?o }} #c\r UNION {{ SERVICE {target} {{ ?a ?b ?c }} }} \n}}",
        f"SELECT * WHERE {{ {{ SELECT * WHERE {{ SERVICE SILENT {target} {{ ?s ?p ?o }} }} }} }}",
        f"ASK {{ FILTER EXISTS {{ SERVICE SILENT {target} {{ ?s ?p ?o }} }} }}",
        f"SELECT * WHERE {{ sErViCe {target} {{ ?s ?p ?o }} }}",
        # Escapes and characters a tokenizer may read differently from the engine.
        f"SELECT * WHERE {{ \\u0053ERVICE {target} {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ SERVICE\u00a0{target} {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ ?s ?p 'x\\u0027 }} SERVICE {target} {{ ?a ?b ?c }} #' }}",
        f'SELECT * WHERE {{ ?s ?p """x"" }} SERVICE {target} {{ ?a ?b ?c }} # """ }}',
        f"CONSTRUCT {{ <urn:x:a> <urn:x:b> <<( ?s ?p ?o )>> }} WHERE {{ SERVICE {target} "
        "{ ?s ?p ?o } }",
    ]


def test_service_reaches_no_one_however_it_is_spelled(server: Server, listener: Listener) -> None:
    for text in service_spellings(listener.port):
        response = query(server, text)
        # Refused, or read (by the engine too) as a string that only looks like SERVICE.
        assert response.status_code in (200, 400), (text, response.text)
    time.sleep(0.5)
    assert listener.connections == 0
    assert server.alive()


def test_load_and_service_in_updates_reach_no_one(server: Server, listener: Listener) -> None:
    before = server.dump()
    target = f"<http://127.0.0.1:{listener.port}/data.ttl>"
    for text in [
        f"LOAD {target}",
        f"LOAD SILENT {target} INTO GRAPH <urn:x:g>",
        f"PREFIX ex: <urn:x:> INSERT {{ ?s ?p ex:x\\# }} WHERE {{ ?s ?p ?o }} ;\r LOAD {target}",
        f"INSERT {{ GRAPH <urn:x:g> {{ ?s ?p ?o }} }} WHERE {{ SERVICE SILENT {target} "
        "{ ?s ?p ?o } }",
        f"CLEAR SILENT GRAPH <urn:x:none> ; \\u004cOAD {target}",
    ]:
        response = update(server, text)
        assert response.status_code == 400, (text, response.text)
    time.sleep(0.5)
    assert listener.connections == 0
    assert server.dump() == before


# --------------------------------------------------------------------------------------------
# 2. No input crashes the process


@pytest.mark.parametrize(
    "text",
    [
        "SELECT * WHERE { FILTER(" + "(" * 5000 + "1" + ")" * 5000 + ") }",
        "SELECT * WHERE " + "{" * 5000 + " ?s ?p ?o " + "}" * 5000,
        "SELECT * WHERE { ?s " + "(" * 100_000 + "<urn:p>" + ")" * 100_000 + " ?o }",
        "ASK { FILTER(" + "!" * 200_000 + "true) }",
        "SELECT * WHERE { " + "OPTIONAL { ?s ?p ?o " * 3000 + "}" * 3000 + " }",
    ],
    ids=["parentheses", "groups", "path", "negations", "optionals"],
)
def test_deep_nesting_is_refused_and_the_server_lives(server: Server, text: str) -> None:
    body = problem(query(server, text), 400, "too-deeply-nested")
    assert "levels deep" in str(body["detail"])
    assert server.alive()
    assert query(server, NORMAL).status_code == 200


def test_deep_nesting_in_an_update_is_refused(server: Server) -> None:
    text = "INSERT { ?s ?p ?o } WHERE " + "{" * 5000 + " ?s ?p ?o " + "}" * 5000
    problem(update(server, text), 400, "too-deeply-nested")
    assert server.alive()


# --------------------------------------------------------------------------------------------
# 3-4. A query past its limit is really stopped: memory and CPU come back


def test_memory_comes_back_after_the_limit(server: Server) -> None:
    baseline = server.rss()
    peak = [baseline]
    done = threading.Event()

    def watch() -> None:
        while not done.is_set():
            peak.append(server.rss())
            time.sleep(0.05)

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        response = query(server, CARTESIAN_ORDER)
    finally:
        done.set()
        watcher.join()
    assert response.status_code == 503, response.text
    assert response.json()["type"].endswith(("query-timeout", "query-memory-limit"))
    # The child may use its limit on top of the pages it shares with the server, plus what it
    # allocates between two looks at its memory (0.1 s apart; more on a busy machine: 18 MB
    # past a 64 MB slack was seen once in a full run). Unchecked, this query takes gigabytes.
    assert max(peak) < baseline + MEMORY + (128 << 20)
    deadline = time.monotonic() + 3
    while server.rss() > baseline + (32 << 20) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert server.rss() <= baseline + (32 << 20)
    assert server.alive()


def test_timed_out_queries_leave_no_core_busy(server: Server) -> None:
    start = time.monotonic()
    with ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(lambda _: query(server, CARTESIAN_COUNT), range(4)))
    assert [a.status_code for a in answers] == [503] * 4
    # Two workers: two queries ran to the limit, two waited and ran (or were refused as busy).
    assert time.monotonic() - start < 3 * TIMEOUT + 3
    assert server.quiet(within=3)


# --------------------------------------------------------------------------------------------
# 5. Updates have the same limits, write nothing when stopped, and block writers no longer


def test_an_update_past_its_limits_writes_nothing_and_blocks_no_one_for_long(
    server: Server,
) -> None:
    before = server.dump()
    entity = {"@type": "Geography", "label": "Hostile test town"}
    outcome: dict[str, httpx.Response] = {}

    def flood() -> None:
        outcome["update"] = update(server, CARTESIAN_INSERT)

    flooding = threading.Thread(target=flood)
    flooding.start()
    time.sleep(0.3)
    start = time.monotonic()
    created = httpx.post(server.url + "/entities", json=entity, headers=AUTH, timeout=60)
    waited = time.monotonic() - start
    flooding.join()
    body = outcome["update"].json()
    assert outcome["update"].status_code == 503, body
    assert body["type"].endswith(("query-timeout", "query-memory-limit"))
    assert created.status_code == 201, created.text
    assert waited < TIMEOUT + 2
    after = server.dump()
    iri = created.json()["@id"]
    assert [line for line in after.splitlines() if iri.encode() not in line] == before.splitlines()
    assert httpx.delete(server.url + "/entities/" + iri, headers=AUTH).status_code == 204
    assert server.dump() == before
    assert server.quiet(within=3)


# --------------------------------------------------------------------------------------------
# The smaller ones


def test_a_token_outside_ascii_is_refused_not_a_server_error(server: Server) -> None:
    for raw in (b"Bearer \xc3\xa9t\xc3\xa9", b"Bearer \xff\xfe", "Bearer ω".encode()):
        response = httpx.post(
            server.url + "/entities",
            json={"@type": "Geography", "label": "x"},
            headers={"Authorization": raw},  # type: ignore[dict-item]
        )
        problem(response, 403, "forbidden")


def test_a_large_body_is_refused_before_it_is_read(server: Server) -> None:
    big = "INSERT DATA { " + "<urn:x:a> <urn:x:p> <urn:x:o> . " * 100_000 + "}"
    for headers in (AUTH, {}):
        start = time.monotonic()
        response = update(server, big, **headers)
        body = problem(response, 413, "request-too-large")
        assert body["detail"] == (
            "the request body is larger than the 1048576 bytes this server accepts (KG_MAX_BODY)"
        )
        assert time.monotonic() - start < 5

    def chunks() -> Iterator[bytes]:
        for _ in range(300):
            yield b"# filler " * 1000

    response = httpx.post(
        server.url + "/sparql",
        content=chunks(),
        headers={"Content-Type": "application/sparql-query"},
        timeout=60,
    )
    problem(response, 413, "request-too-large")
    assert server.alive()


def test_errors_do_not_tell_the_servers_internals(server: Server) -> None:
    response = httpx.post(
        server.url + "/entities", content=b"{", headers={**AUTH, "Content-Type": "application/json"}
    )
    body = problem(response, 400, "bad-request")
    assert "Traceback" not in str(body)


# --------------------------------------------------------------------------------------------
# A bounded hostile load, mixed with normal traffic


def test_normal_requests_are_answered_under_hostile_load(server: Server) -> None:
    listener = Listener()
    hostile = [
        CARTESIAN_ORDER,
        CARTESIAN_COUNT,
        "SELECT * WHERE { FILTER(" + "(" * 5000 + "1" + ")" * 5000 + ") }",
        f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{listener.port}/> {{ ?s ?p ?o }} }}",
    ]
    stop = time.monotonic() + 12
    normal: list[int] = []
    attacks: list[int] = []

    def attack(index: int) -> None:
        while time.monotonic() < stop and len(attacks) < 60:
            attacks.append(query(server, hostile[index % len(hostile)]).status_code)
            index += 1

    def browse() -> None:
        while time.monotonic() < stop and len(normal) < 400:
            normal.append(httpx.get(server.url + "/questions/3", timeout=60).status_code)
            normal.append(
                httpx.get(
                    server.url + "/entities", params={"type": "Channel"}, timeout=60
                ).status_code
            )

    baseline = server.rss()
    try:
        with ThreadPoolExecutor(4) as pool:
            for future in [pool.submit(attack, i) for i in range(3)] + [pool.submit(browse)]:
                future.result()
    finally:
        listener.close()
    assert normal and set(normal) == {200}
    assert attacks and set(attacks) <= {400, 503}
    assert listener.connections == 0
    assert server.alive()
    # SPARQL between the attacks is still answered, and the server settles.
    deadline = time.monotonic() + 2 * TIMEOUT + 2
    while query(server, NORMAL).status_code != 200:
        assert time.monotonic() < deadline
    assert server.quiet(within=4)
    assert server.rss() <= baseline + (32 << 20)
