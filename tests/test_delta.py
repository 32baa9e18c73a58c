"""The difference in answers between two analyses."""

from __future__ import annotations

import json
from decimal import Decimal

import pyoxigraph as ox
import pytest

import kg
from kg.analysis import Analysis, analyse
from kg.answers import Verdict
from kg.delta import Difference, compare
from kg.model import open_model
from kg.questions import Parameters

TEL = "https://example.org/alpina/"


@pytest.fixture(scope="module")
def telco() -> Analysis:
    return analyse(open_model(kg.example_path("telco")), validate=False)


@pytest.fixture(scope="module")
def without_elektromarkt() -> Analysis:
    """Telco with the partner ElektroMarkt, the alternative of two others, taken out."""
    model = open_model(kg.example_path("telco"))
    partner = ox.NamedNode(TEL + "ptn-elektromarkt")
    for quad in [
        *model.store.quads_for_pattern(partner, None, None, None),
        *model.store.quads_for_pattern(None, None, partner, None),
    ]:
        model.store.remove(quad)
    return analyse(model, validate=False)


def test_an_analysis_against_itself_is_empty(telco: Analysis):
    same = compare(telco, telco)
    assert same.is_empty and not same.appeared and not same.disappeared and not same.changed
    assert same.headline() == "No change in the answers."
    assert same.to_text() == "No change in the answers.\n"
    assert same.to_dict()["questions"] == [] and same.to_dict()["empty"] is True
    assert [q.number for q in same.questions] == list(range(11))


def test_comparing_the_other_way_is_the_reversed_difference(
    telco: Analysis, without_elektromarkt: Analysis
):
    forward = compare(telco, without_elektromarkt)
    backward = compare(without_elektromarkt, telco)
    assert backward == forward.reversed()
    assert forward.reversed().reversed() == forward
    assert backward.money_disappeared() == forward.money_appeared()


def test_removing_an_alternative_partner_shows_the_dependencies_it_covered(
    telco: Analysis, without_elektromarkt: Analysis
):
    difference = compare(telco, without_elektromarkt)
    moved = [q.number for q in difference.questions if not q.is_empty]
    assert moved == [10]
    q10 = difference.questions[10]
    assert q10.verdict_before == q10.verdict_after == Verdict.NO
    assert (q10.score_before, q10.score_after) == (pytest.approx(5 / 6, abs=1e-4), 0.5)
    assert not q10.disappeared
    appeared = {(m.finding.subjects[0].iri, m.finding.subjects[1].iri) for m in q10.appeared}
    assert appeared == {
        (TEL + "ptn-distritech", TEL + "res-handsets"),
        (TEL + "ptn-distritech", TEL + "act-device-logistics"),
        (TEL + "ptn-kiosk-suisse", TEL + "act-prepaid-distribution"),
        (TEL + "ptn-digitalia", TEL + "act-retail-sales"),
    }
    assert {m.finding.kind for m in q10.appeared} == {"single-partner-dependency"}
    # The money at stake is each finding's revenue at risk, as the priorities reckon it.
    at_risk = sum(Decimal(str(m.finding.evidence["revenue_at_risk"])) for m in q10.appeared)
    assert difference.money_appeared() == {"CHF": at_risk}
    assert difference.money_disappeared() == {}
    # The partner that takes most of the partner spending now takes more of less.
    (changed,) = q10.changed
    assert changed.after.kind == "partner-cost-concentration"
    assert changed.changes["evidence.total_partner_cost"] == (425_000_000, 405_000_000)
    assert set(changed.changes) == {
        "message",
        "evidence.share",
        "evidence.total_partner_cost",
    }
    assert (
        difference.headline() == "4 findings appeared, 0 disappeared, 1 changed, scores moved: Q10."
    )


def test_a_difference_is_json_and_text(telco: Analysis, without_elektromarkt: Analysis):
    difference = compare(telco, without_elektromarkt)
    data = json.loads(json.dumps(difference.to_dict()))
    assert data["counts"] == {"appeared": 4, "disappeared": 0, "changed": 1}
    assert data["money"]["appeared"]["CHF"] == pytest.approx(
        float(difference.money_appeared()["CHF"])
    )
    assert [q["number"] for q in data["questions"]] == [10]
    assert data["totals"]["before"]["currency"] == "CHF"
    text = difference.to_text()
    assert text.startswith("4 findings appeared, 0 disappeared, 1 changed, scores moved: Q10.\n")
    assert "At stake in the findings that appeared: CHF " in text
    assert "\nQ10 Partner Profiles\n" in text
    assert '  + [high] single-partner-dependency: Only "Kiosk Suisse AG"' in text
    assert "      evidence.total_partner_cost: 425000000 -> 405000000" in text
    # The same inputs give the same words, whichever order the findings came in.
    assert compare(telco, without_elektromarkt).to_text() == text


def test_a_verdict_that_moves_is_in_the_headline(telco: Analysis):
    lenient = analyse(
        open_model(kg.example_path("telco")), params=Parameters(min_fit=0.0), validate=False
    )
    difference = compare(telco, lenient)
    q3 = difference.questions[3]
    assert [m.finding.kind for m in q3.disappeared] == ["low-value-proposition-fit"]
    assert difference.headline().startswith("0 findings appeared, 1 disappeared")


def test_findings_with_the_same_subjects_are_told_apart():
    from kg.answers import Finding, Level, Subject
    from kg.delta import _identified

    same = (Subject("urn:x:a"),)
    findings = [
        Finding("k", Level.LOW, same, "second"),
        Finding("k", Level.LOW, same, "first"),
    ]
    identified = _identified(1, findings)
    assert len(identified) == 2
    assert identified[(1, "k", frozenset({"urn:x:a"}), 0)].message == "first"


def test_identity_is_unique_in_the_example_models():
    from kg.delta import _identified

    for name in ("telco", "bank"):
        found = analyse(open_model(kg.example_path(name)), validate=False)
        for answer in found.all_answers():
            keys = _identified(answer.number, answer.findings)
            assert all(key[3] == 0 for key in keys), (name, answer.number)


def test_an_empty_difference_has_the_empty_headline():
    assert Difference(questions=()).is_empty
