"""Several enterprises in one model, and money in several currencies (kg.portfolio, kg.money).

The property the portfolio model holds: for enterprises with disjoint IRIs, the answers for each
loaded together are exactly its answers alone, in every question and silo kind.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import kg
from kg import money, portfolio
from kg.entities import check_write
from kg.errors import EnterpriseError
from kg.questions import ask, ask_all
from kg.silos import find_silos
from kg.store import KnowledgeGraph
from kg.validation import validate

ROOT = Path(__file__).resolve().parent.parent
TELCO, BANK = ROOT / "data" / "telco", ROOT / "data" / "bank"
FJORD = ROOT / "tests" / "fixtures" / "fjord"
NAMES = {TELCO: "Alpina Telecom AG", BANK: "Maple Harbour Bank", FJORD: "Fjord Cycles AS"}
BM = "https://w3id.org/bmkg/ontology#"


def kg_cli(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kg.cli", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture(scope="module")
def together() -> Iterator[KnowledgeGraph]:
    with kg.open_model(TELCO, BANK, FJORD) as model:
        yield model


def _without_enterprise(data: Any) -> Any:
    """An answer's plain data without the enterprise it names (alone, it names the same)."""
    items = data if isinstance(data, list) else [data]
    for item in items:
        item.pop("enterprise", None)
    return data


@pytest.mark.parametrize("folder", [TELCO, BANK, FJORD], ids=lambda p: p.name)
def test_each_enterprise_together_answers_exactly_as_alone(
    together: KnowledgeGraph, folder: Path
) -> None:
    with kg.open_model(folder) as alone:
        expected = [_without_enterprise(a.to_dict()) for a in ask_all(alone)]
        expected_silos = _without_enterprise(find_silos(alone).to_dict())
    answers = ask_all(together, enterprise=NAMES[folder])
    assert {a.enterprise.label for a in answers if a.enterprise} == {NAMES[folder]}
    assert [_without_enterprise(a.to_dict()) for a in answers] == expected
    silos = find_silos(together, enterprise=NAMES[folder])
    assert _without_enterprise(silos.to_dict()) == expected_silos
    assert silos.findings  # the property is not met vacuously


def test_the_union_of_the_findings_is_the_findings_of_each(together: KnowledgeGraph) -> None:
    def findings(model: KnowledgeGraph, enterprise: str | None = None) -> set[tuple[Any, ...]]:
        answers = [*ask_all(model, enterprise=enterprise)]
        answers.append(find_silos(model, enterprise=enterprise).as_answer())
        return {(a.number, f.kind, f.message) for a in answers for f in a.findings}

    union: set[tuple[Any, ...]] = set()
    for folder in NAMES:
        with kg.open_model(folder) as alone:
            union |= findings(alone)
    combined = set().union(*(findings(together, name) for name in NAMES.values()))
    assert combined == union
    assert len(union) == 43 + 37 + 9  # the telco's, the bank's and the Fjord fixture's findings


SOURCES = {TELCO: "https://example.org/alpina/", BANK: "https://example.org/maple-harbour/"}
SOURCES[FJORD] = "https://example.org/fjord/"


def _variant(folder: Path, number: int, rng: random.Random, out: Path) -> str:
    """An enterprise like ``folder``'s, renamed into its own namespace, with other figures.

    Every amount is scaled by its own factor and the as-of date moves, so that goals, sums,
    shares and evidence ages differ from the original's; labels stay the same, so two copies of
    one example differ only by IRI. Returns the IRI of the enterprise.
    """
    old, new = SOURCES[folder], f"https://example.org/variant-{number}/"

    def renamed(term: Any) -> Any:
        if isinstance(term, ox.NamedNode) and term.value.startswith(old):
            return ox.NamedNode(new + term.value[len(old) :])
        return term

    triples = []
    for file in sorted(folder.glob("*.ttl")):
        for quad in ox.parse(path=file, format=ox.RdfFormat.TURTLE, rename_blank_nodes=True):
            subject, predicate, value = map(renamed, (quad.subject, quad.predicate, quad.object))
            if predicate.value == BM + "amount":
                factor = Decimal(rng.randint(30, 300)) / 100
                value = ox.Literal(
                    str((Decimal(value.value) * factor).quantize(Decimal("0.01"))),
                    datatype=value.datatype,
                )
            elif predicate.value == BM + "asOfDate":
                moved = date.fromisoformat(value.value) + timedelta(days=rng.randint(-400, 400))
                value = ox.Literal(moved.isoformat(), datatype=value.datatype)
            triples.append(ox.Triple(subject, predicate, value))
    (out / f"variant-{number}.nt").write_bytes(
        ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""
    )
    [enterprise] = {t.subject.value for t in triples if t.object == ox.NamedNode(BM + "Enterprise")}
    return enterprise


@settings(
    max_examples=6,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    sources=st.lists(st.sampled_from([TELCO, BANK, FJORD]), min_size=2, max_size=2),
    seed=st.integers(0, 2**32 - 1),
)
def test_any_two_enterprises_together_answer_as_each_alone(
    sources: list[Path], seed: int, tmp_path_factory: pytest.TempPathFactory
) -> None:
    # Two copies of one example are drawn too: the same labels, only the IRIs differ.
    rng = random.Random(seed)
    folder = tmp_path_factory.mktemp("variants")
    names = [_variant(source, i, rng, folder) for i, source in enumerate(sources)]
    files = sorted(folder.glob("*.nt"))
    with kg.open_model(*files) as together:
        for name, file in zip(names, files, strict=True):
            with kg.open_model(file) as alone:
                expected = [_without_enterprise(a.to_dict()) for a in ask_all(alone)]
                expected_silos = _without_enterprise(find_silos(alone).to_dict())
            answers = [_without_enterprise(a.to_dict()) for a in ask_all(together, enterprise=name)]
            assert answers == expected
            silos = _without_enterprise(find_silos(together, enterprise=name).to_dict())
            assert silos == expected_silos
            assert sum(len(a["findings"]) for a in expected) >= 5  # not met vacuously


def test_a_model_of_several_needs_an_enterprise(together: KnowledgeGraph) -> None:
    with pytest.raises(EnterpriseError, match="holds 3 enterprises") as raised:
        ask(together, 1)
    assert sorted(raised.value.enterprises) == sorted(
        e.iri for e in portfolio.enterprises(together)
    )
    with pytest.raises(EnterpriseError, match="no enterprise 'Acme'"):
        find_silos(together, enterprise="Acme")
    # By IRI, CURIE-less label in any case, or the Enterprise itself.
    for name in ("https://example.org/fjord/fjord", "fjord cycles as"):
        assert ask(together, 8, enterprise=name).enterprise == portfolio.Enterprise(
            "https://example.org/fjord/fjord"
        )


def test_the_examples_place_every_element(together: KnowledgeGraph) -> None:
    placed = portfolio.placement(together)
    assert placed.several and placed.unplaced == () and placed.crossings == ()
    report = validate(together)
    assert report.conforms, report.to_text()


# --------------------------------------------------------------------------------------------
# Placement


EX = "https://example.org/alpina/"
MAPLE = "https://example.org/maple-harbour/"


def _with(tmp_path: Path, turtle: str) -> Path:
    path = tmp_path / "extra.ttl"
    path.write_text(
        "@prefix bm: <https://w3id.org/bmkg/ontology#> .\n"
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n" + turtle
    )
    return path


def _placement_results(model: KnowledgeGraph) -> list[Any]:
    return [
        r
        for r in validate(model).results
        if r.component == "EnterprisePlacementConstraintComponent"
    ]


def test_an_element_nothing_places_is_a_violation(tmp_path: Path) -> None:
    extra = _with(tmp_path, f'<{EX}seg-drifters> a bm:CustomerSegment ; rdfs:label "Drifters" .\n')
    with kg.open_model(TELCO, BANK, extra) as model:
        assert portfolio.placement(model).unplaced == (f"{EX}seg-drifters",)
        (result,) = _placement_results(model)
        assert result.focus_label == "Drifters"
        assert "bm:belongsTo" in result.message
    with kg.open_model(TELCO, extra) as model:  # one enterprise: nothing to place
        assert _placement_results(model) == []


def test_a_link_across_enterprises_is_a_violation_and_a_write_making_one_is_refused(
    tmp_path: Path,
) -> None:
    crossing = f"<{EX}ch-shops> bm:reachesSegment <{MAPLE}seg-young-homeowners> .\n"
    with kg.open_model(TELCO, BANK, _with(tmp_path, crossing)) as model:
        (found,) = portfolio.placement(model).crossings
        assert (found.subject, found.object) == (f"{EX}ch-shops", f"{MAPLE}seg-young-homeowners")
        (result,) = _placement_results(model)
        assert "would mix the enterprises' answers" in result.message
    with kg.open_model(TELCO, BANK) as model:
        quad = ox.Quad(
            ox.NamedNode(f"{EX}ch-shops"),
            ox.NamedNode(BM + "reachesSegment"),
            ox.NamedNode(f"{MAPLE}seg-young-homeowners"),
            ox.NamedNode("urn:x-write"),
        )
        refused = check_write(model, add=[quad])
        assert not refused.conforms
        assert any(r.component == "EnterprisePlacementConstraintComponent" for r in refused.results)


def test_an_element_shared_on_purpose_is_in_each_enterprise(tmp_path: Path) -> None:
    shared = (
        f'<{EX}ptn-courier> a bm:KeyPartner ; rdfs:label "Courier" ; '
        f"bm:belongsTo <{EX}alpina> , <{MAPLE}maple-harbour> .\n"
    )
    with kg.open_model(TELCO, BANK, _with(tmp_path, shared)) as model:
        placed = portfolio.placement(model)
        assert placed.shared == {f"{EX}ptn-courier"}
        assert placed.unplaced == () and placed.crossings == ()
        for name in ("Alpina Telecom AG", "Maple Harbour Bank"):
            view = portfolio.scoped(model, name)
            assert view.query(f"ASK {{ <{EX}ptn-courier> a bm:KeyPartner }}")


def test_a_belongs_to_that_names_no_enterprise_is_a_violation(tmp_path: Path) -> None:
    wrong = f"<{EX}seg-seniors> bm:belongsTo <{EX}ch-shops> .\n"
    with kg.open_model(TELCO, _with(tmp_path, wrong)) as model:
        report = validate(model)
        assert any(r.path == "bm:belongsTo" for r in report.results)


# --------------------------------------------------------------------------------------------
# Money in several currencies


JPY = """
@prefix bm: <https://w3id.org/bmkg/ontology#> .
<https://example.org/alpina/rev-families-mobile> bm:currency "JPY" ; bm:amount 60000000000.00 .
"""
RATE = """
@prefix bm: <https://w3id.org/bmkg/ontology#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
<https://example.org/fx/chf-jpy> a bm:ExchangeRate ; bm:fromCurrency "CHF" ; bm:toCurrency "JPY" ;
    bm:rate 150.00 ; bm:rateDate "2026-06-30"^^xsd:date ; dcterms:source "Central bank" .
"""


MOBILE_FAMILY = '    bm:amount 420000000.00 ;\n    bm:currency "CHF" .'


def _telco_with(folder: Path, mobile_family: str) -> Path:
    """A copy of the telco whose Mobile Family revenue stream ends as ``mobile_family``."""
    folder.mkdir()
    for file in TELCO.glob("*.ttl"):
        text = file.read_text()
        if file.name == "money.ttl":
            assert MOBILE_FAMILY in text
            text = text.replace(MOBILE_FAMILY, mobile_family)
        (folder / file.name).write_text(text)
    return folder


@pytest.fixture()
def jpy_telco(tmp_path: Path) -> Path:
    """The telco with one revenue stream's amount in yen (and its CHF statements removed)."""
    return _telco_with(
        tmp_path / "telco", '    bm:amount 60000000000.00 ;\n    bm:currency "JPY" .'
    )


def test_an_amount_with_no_rate_is_a_violation_and_is_left_out_of_every_sum(
    jpy_telco: Path,
) -> None:
    with kg.open_model(jpy_telco) as model:
        report = validate(model)
        (result,) = [
            r for r in report.results if r.component == "CurrencyConversionConstraintComponent"
        ]
        assert result.focus_label == "Mobile Family subscriptions"
        assert "no exchange rate between JPY and CHF" in result.message
        answer = ask(model, 8)
        text = json.dumps(answer.to_dict())
        assert "JPY" not in answer.summary
        assert "left out of every sum" in " ".join(answer.caveats)
        # Revenue without the yen stream: CHF 2,412,000,000 less the 420,000,000 it was.
        assert answer.details["revenue"] == pytest.approx(1_992_000_000)
        assert "60,000,000,000" in text  # named in the caveat, never summed


@pytest.mark.parametrize("currency", ["Swiss francs", "chf", "CHF."])
def test_an_amount_in_a_currency_that_is_not_a_code_is_never_summed(
    tmp_path: Path, currency: str
) -> None:
    folder = _telco_with(tmp_path / "telco", MOBILE_FAMILY.replace('"CHF"', json.dumps(currency)))
    with kg.open_model(folder) as model:
        report = validate(model)
        shapes = {r.shape for r in report.results if r.focus_label == "Mobile Family subscriptions"}
        # Named once, by the rule it breaks first: a currency is a three-letter code.
        assert "bmsh:CurrencyIsIso" in shapes or "bmsh:CurrencyIsKnown" in shapes
        assert "bmsh:CurrencyConversion" not in shapes
        answer = ask(model, 8)
        assert answer.details["revenue"] == pytest.approx(1_992_000_000)
        assert "left out of every sum" in " ".join(answer.caveats)


def test_amounts_are_converted_with_the_models_rate(jpy_telco: Path) -> None:
    rate = jpy_telco / "rates.ttl"
    rate.write_text(RATE)
    with kg.open_model(jpy_telco) as model:
        assert validate(model).conforms
        plan = money.plan(model)
        assert plan.reporting == "CHF" and plan.rates["JPY"].factor == Decimal(1) / Decimal(150)
        answer = ask(model, 8)
        assert answer.details["revenue"] == pytest.approx(2_392_000_000)
        assert any("150 JPY per CHF (Central bank, 2026-06-30)" in c for c in answer.caveats)
        assert answer.details["currency"] == "CHF"


def test_every_enterprise_of_a_portfolio_sums_in_its_own_currency(
    together: KnowledgeGraph,
) -> None:
    currencies = {
        name: ask(together, 8, enterprise=name).details["currency"] for name in NAMES.values()
    }
    assert currencies == {
        "Alpina Telecom AG": "CHF",
        "Maple Harbour Bank": "CAD",
        "Fjord Cycles AS": "EUR",
    }
    assert all(not a.caveats for a in ask_all(together, enterprise="Fjord Cycles AS"))


def test_several_currencies_with_none_named_ask_for_a_reporting_currency(tmp_path: Path) -> None:
    extra = _with(
        tmp_path,
        '<https://example.org/mini/cost-extra> a bm:CostItem ; rdfs:label "Extra" ; '
        'bm:amount 10.00 ; bm:currency "EUR" .\n'
        '<https://example.org/mini/cost-extra2> a bm:CostItem ; rdfs:label "Extra 2" ; '
        'bm:amount 10.00 ; bm:currency "EUR" .\n',
    )
    folder = tmp_path / "nogoal"
    folder.mkdir()
    text = (ROOT / "tests" / "fixtures" / "minimal.ttl").read_text()
    goal = '    bm:targetRevenue 6000000.00 ; bm:currency "CHF" ; '
    assert goal in text
    text = text.replace(goal, "    ")
    (folder / "minimal.ttl").write_text(text)
    with kg.open_model(folder, extra) as model:
        report = validate(model)
        assert any(
            r.path == "bm:reportingCurrency" and "no reporting currency is named" in r.message
            for r in report.results
        )


# --------------------------------------------------------------------------------------------
# Command line and report


def test_the_cli_answers_each_enterprise_in_turn() -> None:
    done = kg_cli("ask", "8", TELCO, BANK, FJORD)
    assert done.returncode == 0, done.stderr
    for name in NAMES.values():
        assert f"=== {name} <" in done.stdout
    assert "Revenue is EUR" in done.stdout and "Revenue is CAD" in done.stdout
    chosen = kg_cli("ask", "8", TELCO, BANK, FJORD, "-e", "Fjord Cycles AS", "-f", "json")
    assert json.loads(chosen.stdout)["enterprise"]["label"] == "Fjord Cycles AS"
    wrong = kg_cli("silos", TELCO, BANK, "-e", "Nobody")
    assert wrong.returncode == 2 and "no enterprise 'Nobody'" in wrong.stderr


def test_the_report_of_several_enterprises_has_a_portfolio_overview(tmp_path: Path) -> None:
    done = kg_cli("report", TELCO, BANK, FJORD, "--out", tmp_path / "out")
    assert done.returncode == 0, done.stderr
    index = (tmp_path / "out" / "index.html").read_text()
    for folder in ("alpina-telecom-ag", "maple-harbour-bank", "fjord-cycles-as"):
        assert f'href="{folder}/report.html"' in index
        report = json.loads((tmp_path / "out" / folder / "report.json").read_text())
        assert len(report["answers"]) == 10
    overview = json.loads((tmp_path / "out" / "portfolio.json").read_text())
    assert [e["currency"] for e in overview["enterprises"]] == ["CHF", "EUR", "CAD"]
    assert "<script" not in index and "http" not in index.split("<body>")[0].replace(
        "http-equiv", ""
    )


# --------------------------------------------------------------------------------------------
# The API


def test_the_api_answers_one_enterprise_at_a_time() -> None:
    from urllib.parse import quote

    from fastapi.testclient import TestClient

    from api.config import Settings
    from api.main import create_app

    with TestClient(create_app(Settings(data=(TELCO, BANK, FJORD), token="t" * 32))) as client:
        listed = client.get("/enterprises").json()
        assert [e["label"] for e in listed] == list(
            sorted(NAMES.values(), key=lambda n: {"A": 0, "M": 2, "F": 1}[n[0]])
        )
        assert all(e["elements"] > 10 for e in listed)
        missing = client.get("/questions/8")
        assert missing.status_code == 400
        body = missing.json()
        assert body["type"].endswith("/enterprise-required")
        assert sorted(body["enterprises"]) == sorted(e["iri"] for e in listed)
        fjord = client.get("/questions/8", params={"enterprise": "Fjord Cycles AS"}).json()
        assert fjord["details"]["currency"] == "EUR"
        assert fjord["enterprise"]["iri"] == "https://example.org/fjord/fjord"
        with kg.open_model(FJORD) as alone:
            assert _without_enterprise(fjord) == _without_enterprise(ask(alone, 8).to_dict())
        silos = client.get(listed[0]["silos"]).json()
        assert silos["enterprise"]["label"] == "Alpina Telecom AG"
        unknown = client.get("/silos", params={"enterprise": "Nobody"})
        assert unknown.status_code == 404
        assert unknown.json()["type"].endswith("/unknown-enterprise")
        page = client.get(
            "/pictures/questions/8?enterprise=" + quote("https://example.org/fjord/fjord")
        )
        assert page.status_code == 200 and "Fjord" in page.text


def test_a_write_of_an_amount_in_a_currency_with_no_rate_is_refused() -> None:
    def amount(currency: str) -> list[ox.Quad]:
        graph = ox.NamedNode("urn:x-write")
        thing = ox.NamedNode("https://example.org/alpina/cost-extra")
        return [
            ox.Quad(thing, ox.NamedNode(BM + p), o, graph)
            for p, o in (
                ("amount", ox.Literal("1000.00", datatype=ox.NamedNode(XSD_DECIMAL))),
                ("currency", ox.Literal(currency)),
            )
        ]

    with kg.open_model(TELCO) as model:
        refused = check_write(model, add=amount("JPY"))
        assert [r.component for r in refused.results] == ["CurrencyConversionConstraintComponent"]
        assert check_write(model, add=amount("CHF")).conforms
        # An amount that already could not be converted is not held against a later write.
        old = ox.NamedNode("https://example.org/alpina/cost-old")
        model.store.extend(
            ox.Quad(old, q.predicate, q.object, ox.NamedNode("urn:x-old")) for q in amount("JPY")
        )
        assert check_write(model, add=amount("CHF")).conforms
        assert len(check_write(model, add=amount("EUR")).results) == 1


XSD_DECIMAL = "http://www.w3.org/2001/XMLSchema#decimal"


def test_the_api_answers_for_an_enterprise_once_until_a_write() -> None:
    from fastapi.testclient import TestClient

    from api.config import Settings
    from api.main import create_app

    app = create_app(Settings(data=(TELCO, FJORD), token="t" * 32, allow_updates=True))
    with TestClient(app) as client:
        made = app.state.kg.analyses
        for _ in range(2):
            assert client.get("/questions", params={"enterprise": "Fjord Cycles AS"}).is_success
            assert client.get("/silos", params={"enterprise": "Fjord Cycles AS"}).is_success
        assert made.computations == 1
        alone = client.get("/questions/8", params={"enterprise": "Alpina Telecom AG"}).json()
        assert made.computations == 2
        written = client.post(
            "/sparql",
            content="PREFIX bm: <https://w3id.org/bmkg/ontology#>\n"
            "DELETE { GRAPH ?g { ?c bm:amount ?a } } INSERT { GRAPH ?g { ?c bm:amount 1.00 } } "
            "WHERE { GRAPH ?g { ?c bm:amount ?a } "
            "VALUES ?c { <https://example.org/alpina/cost-consumer-marketing-staff> } }",
            headers={
                "Content-Type": "application/sparql-update",
                "Authorization": "Bearer " + "t" * 32,
            },
        )
        assert written.json() == {"added": 1, "removed": 1}, written.text
        after = client.get("/questions/8", params={"enterprise": "Alpina Telecom AG"}).json()
        assert made.computations == 3
        assert after["details"] != alone["details"]  # the write is seen, not an old view
