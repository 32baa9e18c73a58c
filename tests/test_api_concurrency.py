"""Concurrent readers see the model before or after a write, never half of it."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from api.config import Settings
from api.main import create_app

TELCO = Path(__file__).resolve().parent.parent / "data" / "telco"
TEL = "https://example.org/alpina/"
AUTH = {"Authorization": "Bearer secret"}
IRI = TEL + "geo-bern-city"
PATH = "/entities/" + IRI.replace(":", "%3A").replace("/", "%2F")
QUERY = (
    f"SELECT ?label ?place WHERE {{ <{IRI}> rdfs:label ?label ; schema:containedInPlace ?place }}"
)


def version(name: str, place: str) -> dict[str, Any]:
    return {
        "@id": IRI,
        "@type": "Geography",
        "label": name,
        "schema:containedInPlace": {"@id": TEL + place},
    }


# Each write changes the label and the containing place together.
VERSIONS = [version("Bern city (A)", "geo-bern"), version("Bern city (B)", "geo-zurich")]
ALLOWED = {("Bern city (A)", TEL + "geo-bern"), ("Bern city (B)", TEL + "geo-zurich")}


def test_readers_never_see_half_a_write() -> None:
    with TestClient(create_app(Settings(data=(TELCO,), token="secret"))) as client:
        assert client.post("/entities", json=VERSIONS[0], headers=AUTH).status_code == 201
        seen: list[tuple[str, str] | str] = []
        done = threading.Event()

        def read() -> None:
            while not done.is_set():
                response = client.get("/sparql", params={"query": QUERY})
                rows = response.json()["results"]["bindings"]
                if len(rows) != 1:
                    seen.append(f"{len(rows)} rows")
                else:
                    seen.append((rows[0]["label"]["value"], rows[0]["place"]["value"]))

        readers = [threading.Thread(target=read) for _ in range(3)]
        for reader in readers:
            reader.start()
        try:
            for n in range(30):
                response = client.put(PATH, json=VERSIONS[(n + 1) % 2], headers=AUTH)
                assert response.status_code == 200, response.text
        finally:
            done.set()
            for reader in readers:
                reader.join(timeout=60)
        assert seen, "the readers read nothing"
        assert set(seen) <= ALLOWED, set(seen) - ALLOWED
        assert len(set(seen)) == 2, "the readers should have seen both versions"
