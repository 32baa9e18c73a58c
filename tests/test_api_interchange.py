"""Models in other formats over HTTP: upload (merged by identity, validated) and download."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from test_api_resources import AUTH, TOKEN, assert_problem, dump

from api.config import Settings
from api.main import create_app
from kg.interchange.archimate import read_exchange_text, schema_errors

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "interchange"
SAMPLE = (FIXTURES / "archimate-3.x" / "opengroup-xmlexchange" / "sample1.xml").read_bytes()
ARCHISURANCE = (
    FIXTURES / "archimate-3.x" / "opengroup-xmlexchange" / "archisurance.xml"
).read_bytes()


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    (tmp_path / "empty.ttl").write_text("", "utf-8")
    with TestClient(create_app(Settings(data=(tmp_path / "empty.ttl",), token=TOKEN))) as app:
        yield app


def test_an_upload_is_merged_by_identity_and_says_what_it_needs(client: TestClient) -> None:
    url = "/imports?format=archimate&name=sample.xml"
    first = client.post(url, content=SAMPLE, headers=AUTH)
    assert first.status_code == 200, first.text
    body = first.json()
    assert len(body["merge"]["added"]) == 3  # two elements and their relationship
    assert body["needs_input"]["counts"] == {"BusinessProcess": 1, "BusinessRole": 1}
    again = client.post(url, content=SAMPLE, headers=AUTH).json()
    assert again["merge"]["added"] == [] and again["merge"]["unchanged"] == 3
    changed = SAMPLE.replace(b"Sell Product</name>", b"Sell Services</name>")
    third = client.post(url, content=changed, headers=AUTH).json()
    assert [u.split(" <")[0] for u in third["merge"]["updated"]] == ["Sell Services"]


def test_an_upload_that_breaks_the_shapes_is_refused_with_what_is_missing(
    client: TestClient,
) -> None:
    before = dump(client.app.state.kg.model)  # type: ignore[attr-defined]
    refused = client.post("/imports?format=archimate", content=ARCHISURANCE, headers=AUTH)
    body = assert_problem(refused, 422, "shape-violation")
    assert body["results"] and body["needs_input"]["by_question"]
    assert dump(client.app.state.kg.model) == before  # type: ignore[attr-defined]
    allowed = client.post(
        "/imports?format=archimate&allow_violations=true", content=ARCHISURANCE, headers=AUTH
    )
    assert allowed.status_code == 200 and allowed.json()["merge"]["violations"]


def test_bad_uploads_say_what_and_where_and_write_nothing(client: TestClient) -> None:
    before = dump(client.app.state.kg.model)  # type: ignore[attr-defined]
    assert client.post("/imports?format=archimate", content=SAMPLE).status_code == 401
    broken = client.post("/imports?format=archimate", content=b"<model", headers=AUTH)
    detail = assert_problem(broken, 400, "bad-import")["detail"]
    assert detail.startswith("upload.xml:1") and "/tmp" not in detail
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE m [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;">]>'
        b"<model>&b;</model>"
    )
    assert_problem(
        client.post("/imports?format=archimate", content=bomb, headers=AUTH), 400, "bad-import"
    )
    assert_problem(
        client.post("/imports?format=archi-csv", content=b"not a zip", headers=AUTH),
        400,
        "bad-import",
    )
    sneaky = io.BytesIO()
    with zipfile.ZipFile(sneaky, "w") as archive:
        archive.writestr("../../etc/elements.csv", '"ID","Type","Name"\n')
        archive.writestr("run.sh", "echo")
    assert_problem(
        client.post("/imports?format=archi-csv", content=sneaky.getvalue(), headers=AUTH),
        400,
        "bad-import",
    )
    assert_problem(
        client.post("/imports?format=archimate&name=../x", content=SAMPLE, headers=AUTH),
        400,
        "bad-import",
    )
    assert dump(client.app.state.kg.model) == before  # type: ignore[attr-defined]


def test_the_model_downloads_in_each_format(client: TestClient) -> None:
    client.post("/imports?format=archimate&name=sample.xml", content=SAMPLE, headers=AUTH)
    exchange = client.get("/exports/archimate")
    assert exchange.status_code == 200 and exchange.headers["content-type"] == "application/xml"
    assert schema_errors(exchange.content) == []
    names = {e.name for e in read_exchange_text(exchange.text).elements}
    assert names == {"Sales Person", "Sell Product"}
    csv = client.get("/exports/archi-csv")
    assert csv.headers["content-type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(csv.content)) as archive:
        assert sorted(archive.namelist()) == ["elements.csv", "properties.csv", "relations.csv"]
    assert_problem(client.get("/exports/nonsense"), 400, "bad-request")


def test_a_workbook_goes_down_and_up_again(client: TestClient) -> None:
    client.post("/imports?format=archimate&name=sample.xml", content=SAMPLE, headers=AUTH)
    workbook = client.get("/exports/xlsx")
    assert workbook.status_code == 200 and workbook.content[:2] == b"PK"
    again = client.post(
        "/imports?format=xlsx&name=sample.xlsx", content=workbook.content, headers=AUTH
    )
    assert again.status_code == 200, again.text
    assert again.json()["needs_input"]["counts"] == {"BusinessProcess": 1, "BusinessRole": 1}
    sheets = client.get("/exports/csv")
    with zipfile.ZipFile(io.BytesIO(sheets.content)) as archive:
        assert "README.txt" in archive.namelist()
    up = client.post("/imports?format=csv&name=sheets", content=sheets.content, headers=AUTH)
    assert up.status_code == 200, up.text
