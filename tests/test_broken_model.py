"""Answers drawn from a model that breaks its shapes say so up front, everywhere."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.config import Settings
from api.main import create_app

TELCO = Path(__file__).resolve().parent.parent / "data" / "telco"
CAVEAT = (
    "The model breaks its shapes (1 violation), so answers drawn from it may be wrong; "
    "validate it to see what to fix."
)
TYPO = """
@prefix bm: <https://w3id.org/bmkg/ontology#> .
<https://example.org/alpina/ch-shops> bm:reachesSegmnt <https://example.org/alpina/seg-seniors> .
"""


@pytest.fixture(scope="module")
def typo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("broken") / "typo.ttl"
    path.write_text(TYPO)
    return path


def kg(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kg.cli", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_kg_ask_warns_and_fails_on_a_broken_model(typo: Path) -> None:
    done = kg("ask", "3", TELCO, typo)
    assert done.returncode == 1
    assert done.stdout.splitlines()[1].startswith("CAUTION: The model breaks its shapes")
    assert "1 violation of its shapes, so these answers may be wrong" in done.stderr
    allowed = kg("ask", "3", TELCO, typo, "--allow-invalid", "-f", "json")
    assert allowed.returncode == 0
    assert json.loads(allowed.stdout)["caveats"] == [CAVEAT]


def test_kg_silos_warns_and_fails_on_a_broken_model(typo: Path) -> None:
    done = kg("silos", TELCO, typo)
    assert done.returncode == 1
    assert "CAUTION: The model breaks its shapes" in done.stdout
    assert kg("silos", TELCO, typo, "--allow-invalid").returncode == 0


def test_a_conforming_model_has_no_caveat() -> None:
    done = kg("ask", "3", TELCO, "-f", "json")
    assert done.returncode == 0
    assert json.loads(done.stdout)["caveats"] == []


def test_the_report_says_it_on_its_first_screen(typo: Path, tmp_path: Path) -> None:
    done = kg("report", TELCO, typo, "--out", tmp_path, "--allow-invalid")
    assert done.returncode == 0
    html = (tmp_path / "report.html").read_text()
    cover = html[html.index('<header class="cover"') : html.index("</header>")]
    assert '<p class="caution" role="alert">The model breaks its shapes (1 violation)' in cover
    assert "> **Caution:** The model breaks its shapes" in (tmp_path / "report.md").read_text()
    data = json.loads((tmp_path / "report.json").read_text())
    assert all(answer["caveats"] == [CAVEAT] for answer in data["answers"])
    assert kg("report", TELCO, typo, "--out", tmp_path).returncode == 1


def test_the_api_answers_say_it_until_the_model_is_fixed(typo: Path) -> None:
    app = create_app(Settings(data=(TELCO, typo), token="t", allow_updates=True))
    with TestClient(app) as client:
        assert client.get("/questions/3").json()["caveats"] == [CAVEAT]
        assert {tuple(a["caveats"]) for a in client.get("/questions").json()} == {(CAVEAT,)}
        assert client.get("/silos").json()["caveats"] == [CAVEAT]
        fixed = client.post(
            "/sparql",
            content="DELETE WHERE { GRAPH ?g { ?s bm:reachesSegmnt ?o } }",
            headers={"Content-Type": "application/sparql-update", "Authorization": "Bearer t"},
        )
        assert fixed.json() == {"added": 0, "removed": 1}
        assert client.get("/questions/3").json()["caveats"] == []


BANK = TELCO.parent / "bank"


def test_two_enterprises_in_two_currencies_are_answered_apart_with_no_caveat() -> None:
    from kg import caveats, open_model

    assert caveats(open_model(TELCO, BANK)) == ()
    done = kg("ask", "8", TELCO, BANK, "-f", "json")
    answers = json.loads(done.stdout)
    labels = [a["enterprise"]["label"] for a in answers]
    assert labels == ["Alpina Telecom AG", "Maple Harbour Bank"]
    assert [a["details"]["currency"] for a in answers] == ["CHF", "CAD"]
    assert all(a["caveats"] == [] for a in answers)


def test_one_amount_in_another_currency_is_said_up_front(tmp_path: Path) -> None:
    from kg import ask, open_model

    jpy = tmp_path / "jpy.ttl"
    jpy.write_text(
        "@prefix bm: <https://w3id.org/bmkg/ontology#> .\n"
        '<https://example.org/alpina/rev-extra> bm:currency "JPY" ; bm:amount 10.00 .\n'
    )
    said = ask(open_model(TELCO, jpy), 8).caveats
    assert said[0].startswith("Amounts are in 2 currencies (CHF, JPY); answers are in CHF")
    assert "left out of every sum" in said[1]
