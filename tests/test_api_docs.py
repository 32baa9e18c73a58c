"""The documentation pages and the landing page work offline, and every link on them resolves.

``/docs`` (Swagger UI) and ``/redoc`` must name only the app's own copies of their scripts, and
draw the API's operations in a browser that has no network; ``/`` must link what the server
serves, as HTML or as JSON.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.testclient import TestClient
from served import free_port

from api.config import Settings
from api.main import create_app
from kg.browser import _run, find_chromium

DATA = Path(__file__).resolve().parent.parent / "data"
TELCO = DATA / "telco"
BANK = DATA / "bank"
STATIC = Path(__file__).resolve().parent.parent / "api" / "static"

ASSETS = {
    "/static/swagger-ui/swagger-ui-bundle.js": "javascript",
    "/static/swagger-ui/swagger-ui.css": "text/css",
    "/static/swagger-ui/favicon-32x32.png": "image/png",
    "/static/redoc/redoc.standalone.js": "javascript",
}


class _Refs(HTMLParser):
    """The ``href`` and ``src`` of every element of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found += [value for name, value in attrs if name in ("href", "src") and value]


def refs(page: str) -> list[str]:
    parser = _Refs()
    parser.feed(page)
    return parser.found


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with TestClient(create_app(Settings(data=(TELCO,)))) as made:
        yield made


@pytest.mark.parametrize(
    ("path", "assets"),
    [
        ("/docs", {"swagger-ui/swagger-ui-bundle.js", "swagger-ui/swagger-ui.css"}),
        ("/redoc", {"redoc/redoc.standalone.js"}),
    ],
)
def test_docs_pages_name_only_local_assets(client: TestClient, path: str, assets: set[str]) -> None:
    page = client.get(path)
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert not re.search(r"https?://", page.text), page.text
    named = set(refs(page.text))
    assert {f"/static/{a}" for a in assets} <= named
    assert "/static/swagger-ui/favicon-32x32.png" in named
    assert "'/openapi.json'" in page.text or '"/openapi.json"' in page.text


@pytest.mark.parametrize(("path", "kind"), sorted(ASSETS.items()))
def test_assets_are_served_with_their_media_types(client: TestClient, path: str, kind: str) -> None:
    answer = client.get(path)
    assert answer.status_code == 200
    media = answer.headers["content-type"].split(";")[0]
    if kind == "javascript":
        assert media in ("text/javascript", "application/javascript")
    else:
        assert media == kind
    assert len(answer.content) > 500


def test_shipped_versions_read_openapi_3_1_and_are_the_ones_recorded(client: TestClient) -> None:
    assert client.get("/openapi.json").json()["openapi"].startswith("3.1")
    bundle = client.get("/static/swagger-ui/swagger-ui-bundle.js").text
    redoc = client.get("/static/redoc/redoc.standalone.js").text
    swagger_version = re.search(r'PACKAGE_VERSION:"([0-9.]+)"', bundle)
    redoc_version = re.search(r'ReDoc Version: ","([0-9.]+)"', redoc)
    assert swagger_version and redoc_version
    # Swagger UI reads OpenAPI 3.1 from version 5 on
    assert swagger_version.group(1).startswith("5.")
    assert redoc_version.group(1).startswith("2.")
    recorded = (STATIC / "README.md").read_text(encoding="utf-8")
    assert f"| `swagger-ui-dist` | {swagger_version.group(1)} |" in recorded
    assert f"| `redoc` | {redoc_version.group(1)} |" in recorded
    for folder in ("swagger-ui", "redoc"):
        assert (STATIC / folder / "LICENSE").is_file()


def test_oauth2_redirect_page_is_served(client: TestClient) -> None:
    page = client.get("/docs/oauth2-redirect")
    assert page.status_code == 200
    assert "oauth2" in page.text


def test_missing_asset_and_wrong_method_are_problems(client: TestClient) -> None:
    missing = client.get("/static/redoc/nothing.js")
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"
    posted = client.post("/static/redoc/redoc.standalone.js")
    assert posted.status_code == 405
    assert posted.headers["allow"] == "GET, HEAD"


def test_pages_follow_the_root_path_of_a_proxy() -> None:
    with TestClient(create_app(Settings(data=(TELCO,))), root_path="/kg") as proxied:
        docs = proxied.get("/docs").text
        redoc = proxied.get("/redoc").text
        index = proxied.get("/", headers={"Accept": "application/json"}).json()
    assert "/kg/static/swagger-ui/swagger-ui-bundle.js" in refs(docs)
    assert "'/kg/openapi.json'" in docs
    assert "/kg/static/redoc/redoc.standalone.js" in refs(redoc)
    assert all(link["href"].startswith("/kg/") for link in index["links"])


def test_default_documentation_urls_are_not_fastapis(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert "/docs" not in paths and "/redoc" not in paths
    assert "/" in paths


def test_landing_page_links_resolve(client: TestClient) -> None:
    page = client.get("/", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "Accept" in page.headers["vary"]
    assert "Alpina Telecom AG" in page.text
    links = refs(page.text)
    for expected in ("/docs", "/redoc", "/openapi.json", "/sparql", "/questions", "/validation"):
        assert expected in links
    assert "/pictures/capabilities" in links
    for href in links:
        answer = client.get(href)
        assert answer.status_code == 200, (href, answer.text[:300])


def test_landing_page_as_json_has_the_same_links(client: TestClient) -> None:
    page = client.get("/").text
    index = client.get("/", headers={"Accept": "application/json"})
    assert index.status_code == 200
    body: dict[str, Any] = index.json()
    assert body["model"]["enterprises"] == [
        {"iri": "https://example.org/alpina/alpina", "label": "Alpina Telecom AG"}
    ]
    sparql = client.get(
        "/sparql",
        params={
            "query": "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE "
            "{ GRAPH ?g { ?s ?p ?o } FILTER (?g != <https://w3id.org/bmkg/ontology>) } }"
        },
    ).json()
    assert body["model"]["triples"] == int(sparql["results"]["bindings"][0]["n"]["value"])
    assert f"{body['model']['triples']:,}" in page
    assert [link["href"] for link in body["links"]] == refs(page)
    sections = {link["section"] for link in body["links"]}
    assert sections == {"Documentation", "SPARQL", "Answers", "Views"}


@pytest.mark.parametrize("accept", ["image/png", "null", "application/json;q=0"])
def test_landing_page_is_html_for_any_other_accept(client: TestClient, accept: str) -> None:
    answer = client.get("/", headers={"Accept": accept})
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/html")


def test_landing_page_json_when_preferred(client: TestClient) -> None:
    answer = client.get("/", headers={"Accept": "text/html;q=0.5, application/json"})
    assert answer.headers["content-type"] == "application/json"


def test_landing_page_links_each_enterprise_of_a_portfolio() -> None:
    with TestClient(create_app(Settings(data=(TELCO, BANK)))) as both:
        body = both.get("/", headers={"Accept": "application/json"}).json()
        names = {e["label"] for e in body["model"]["enterprises"]}
        assert len(names) == 2 and "Alpina Telecom AG" in names
        scoped = [link["href"] for link in body["links"] if "?enterprise=" in link["href"]]
        # questions and silos, the report and the five views, the capability map, the model
        # and ten findings, per enterprise
        assert len(scoped) == 2 * (2 + 6 + 2 + 10)
        page = both.get("/").text
        for name in names:
            assert name in page
        for href in scoped:
            if "/pictures/questions/" not in href:
                assert both.get(href).status_code == 200, href


# --- in a browser with no network --------------------------------------------------------------


def _dom(url: str, folder: Path, *, drawn: str | None = None) -> str:
    """The DOM of ``url`` on loopback, drawn by headless Chromium with no other network.

    :func:`kg.browser.dump_dom` opens files only: a file that sends Chromium on to the URL is
    opened instead, and only 127.0.0.1 is let through the resolver that resolves nothing (the
    proxy that is not there still takes everything else). On a loaded machine Chromium now and
    then dumps before the page it was sent on to has drawn (an empty DOM, once in CI), so a
    page that should show ``drawn`` is asked for up to three times.
    """
    dom = ""
    for _ in range(3):
        shim = folder / f"go-{len(list(folder.iterdir()))}.html"
        shim.write_text(f'<!DOCTYPE html><meta http-equiv="refresh" content="0; url={url}">')
        dom = _run(
            shim,
            [
                "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
                "--dump-dom",
                "--virtual-time-budget=20000",
            ],
            timeout=120,
        )
        if drawn is None or drawn in dom:
            break
    return dom


@pytest.fixture(scope="module")
def live() -> Iterator[str]:
    app = create_app(Settings(data=(TELCO,)))
    _add_cdn_page(app)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, name="docs-api", daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    url = f"http://127.0.0.1:{port}"
    # The document is built on its first request: built now, the pages do not wait for it.
    assert httpx.get(url + "/openapi.json", timeout=60).status_code == 200
    try:
        yield url
    finally:
        server.should_exit = True
        thread.join(timeout=30)


def _add_cdn_page(app: FastAPI) -> None:
    """FastAPI's own Swagger UI page, which loads Swagger UI from a CDN: what the browser
    must fail to draw, or the check of the offline pages proves nothing."""

    @app.get("/cdn-docs", include_in_schema=False)
    def cdn_docs() -> Any:
        return get_swagger_ui_html(openapi_url="/openapi.json", title="from a CDN")


@pytest.mark.skipif(find_chromium() is None, reason="headless Chromium is not installed")
def test_docs_draw_every_operation_without_network(
    live: str, client: TestClient, tmp_path: Path
) -> None:
    document = client.get("/openapi.json").json()
    operations = {
        operation["operationId"]
        for item in document["paths"].values()
        for method, operation in item.items()
        if method in ("get", "post", "put", "delete")
    }
    swagger = _dom(live + "/docs", tmp_path, drawn="opblock")
    drawn = re.findall(r'class="opblock opblock-(?:get|post|put|delete)', swagger)
    assert len(drawn) == len(operations), swagger[-2000:]
    redoc = _dom(live + "/redoc", tmp_path, drawn="/operation/")
    ids = set(re.findall(r'id="tag/[^/"]+/operation/([^"]+)"', redoc))
    assert ids == operations, redoc[-2000:]
    assert "opblock" not in _dom(live + "/cdn-docs", tmp_path)
