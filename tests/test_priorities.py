"""The priorities: every finding with an action, its owners and its stake, ranked by one rule."""

from __future__ import annotations

import re
from decimal import Decimal
from functools import cache
from pathlib import Path

import pytest

import kg
from kg import questions, silos
from kg.answers import Answer, Finding, Level, Subject, Verdict
from kg.errors import KGError
from kg.priorities import RANKING_RULE, Priority, Stake, prioritise, recommendations
from kg.queries import queries
from kg.questions import ask_all
from kg.silos import find_silos
from kg.store import KnowledgeGraph

FJORD = Path(__file__).resolve().parent / "fixtures" / "fjord"
FJ = "https://example.org/fjord/"


@cache
def example(name: str) -> tuple[KnowledgeGraph, tuple[Answer, ...]]:
    model = kg.open_model(kg.example_path(name))
    return model, (*ask_all(model), find_silos(model).as_answer())


@cache
def ranked(name: str) -> tuple[Priority, ...]:
    model, answers = example(name)
    return tuple(prioritise(model, answers))


def emitted_kinds() -> set[str]:
    """The finding kinds the code can emit: the registry's ``finds:`` and the code's own names."""
    found = {q.finds for q in queries().values() if not q.finds.startswith("(")}
    for module in (questions, silos):
        source = Path(module.__file__ or "").read_text()
        found |= set(re.findall(r'_finding\(\s*"([a-z-]+)"', source))
        found |= set(re.findall(r'kind="([a-z-]+)"', source))
    return found


def test_every_kind_the_analysis_can_emit_has_a_recommended_action() -> None:
    kinds = emitted_kinds()
    assert len(kinds) >= 31
    assert kinds - set(recommendations()) == set()


@pytest.mark.parametrize("name", ["telco", "bank"])
def test_every_action_of_the_examples_is_filled(name: str) -> None:
    model, answers = example(name)
    priorities = ranked(name)
    assert len(priorities) == sum(len(a.findings) for a in answers)
    assert [p.rank for p in priorities] == list(range(1, len(priorities) + 1))
    for priority in priorities:
        assert "{" not in priority.action and "}" not in priority.action, priority.action
        assert "(not recorded)" not in priority.action, priority.action
        assert priority.finding.subjects[0].label in priority.action or priority.finding.kind in (
            "product-silo",
            "channel-silo",
        )


def test_the_telco_priorities_read_as_an_architect_would_say_them() -> None:
    by_kind = {p.finding.kind: p for p in reversed(ranked("telco"))}
    goal = by_kind["revenue-short-of-goal"]
    assert goal.action.startswith("Close the CHF 343 million gap to Alpina 2030")
    assert goal.stake == Stake(Decimal("342742152.0"), "CHF", None, "short of the revenue goal")
    loss = by_kind["negative-margin"]
    assert loss.stake.text() == "CHF 82 million lost a year"
    assert [o.label for o in loss.owners] == ["Product Unit Home"]
    assert by_kind["segment-below-growth-goal"].action.startswith(
        "Decide whether Seniors still deserve investment: they grow 1% a year against the 4%"
    )
    assert by_kind["channel-without-segment"].action == (
        "Point Alpina Community forum at a customer segment, or close it."
    )


def _units(model: KnowledgeGraph, things: list[str]) -> set[str]:
    values = " ".join(f"<{t}>" for t in things)
    rows = model.query(
        f"SELECT DISTINCT ?unit WHERE {{ VALUES ?thing {{ {values} }} "
        "?thing <https://w3id.org/bmkg/ontology#ownedBy> ?unit }"
    )
    return {row[0].value for row in rows}


@pytest.mark.parametrize("name", ["telco", "bank"])
def test_owners_are_the_units_that_own_the_things_named(name: str) -> None:
    model, _ = example(name)
    checked = set()
    for priority in ranked(name):
        finding, owners = priority.finding, {o.iri for o in priority.owners}
        subjects = finding.subjects
        if finding.kind in ("capability-maturity-gap", "channel-without-segment"):
            assert owners == _units(model, [subjects[0].iri])
        elif finding.kind == "channel-silo":  # the two channels of the gap
            assert owners == _units(model, [subjects[3].iri, subjects[4].iri])
        elif finding.kind == "product-silo":  # the offerings and the two data stores
            assert owners == _units(model, [s.iri for s in subjects[1:]])
        elif finding.kind == "lifecycle-silo":  # the units that meet the segment
            assert owners == {s.iri for s in subjects[1:]}
        else:
            continue
        assert owners, finding.message
        assert all(o.type == "OrganisationalUnit" and o.label for o in priority.owners)
        checked.add(finding.kind)
    # every kind the checks above know, that the example has (the bank has no channel silo)
    kinds = {
        *("capability-maturity-gap", "channel-without-segment"),
        *("channel-silo", "product-silo", "lifecycle-silo"),
    }
    assert checked == kinds & {p.finding.kind for p in ranked(name)}
    assert len(checked) >= 4
    assert any(p.owners == () for p in ranked(name))  # nobody is named where the model says none


def _finding(
    kind: str, severity: Level, message: str, *subjects: str, **evidence: object
) -> Finding:
    return Finding(kind, severity, tuple(Subject(FJ + s, s) for s in subjects), message, evidence)


def _answer(number: int, *findings: Finding) -> Answer:
    return Answer(number, "Q", f"Q{number}", Verdict.NO, "", findings)


def test_the_ranking_follows_the_rule() -> None:
    model = kg.open_model(FJORD)
    small_loss = _finding("negative-margin", Level.HIGH, "small loss", "vp-race", margin=-100)
    big_loss = _finding("negative-margin", Level.HIGH, "big loss", "vp-commute", margin=-500)
    costly = _finding("unused-resource", Level.MEDIUM, "costly", "res-factory", yearly_cost=10**7)
    silent_q5 = _finding("channel-without-segment", Level.HIGH, "a channel", "ch-shop")
    silent_b = _finding("channel-without-segment", Level.HIGH, "b silo", "ch-shop")
    silent_a = _finding("channel-without-segment", Level.HIGH, "a silo", "ch-shop")
    commuters = {"iri": FJ + "seg-commuters"}
    racers = {"iri": FJ + "seg-racers"}
    few = _finding("persona-without-needs", Level.LOW, "few", "per-ingrid", segment=racers)
    many = _finding("persona-without-needs", Level.LOW, "many", "per-ingrid", segment=commuters)
    nobody = _finding("persona-without-needs", Level.LOW, "a persona", "per-ingrid", segment=None)
    answers = [
        _answer(8, small_loss, big_loss),
        _answer(6, costly),
        _answer(5, silent_q5),
        _answer(0, silent_b, silent_a),
        _answer(2, nobody, few, many),
    ]
    priorities = prioritise(model, answers)
    assert [p.finding.message for p in priorities] == [
        "big loss",  # high, most money
        "small loss",
        "a silo",  # high, no money: question 0 before 5, then by message
        "b silo",
        "a channel",
        "costly",  # medium, however much money
        "many",  # low: 30,000 customers before 9,000, before none
        "few",
        "a persona",
    ]
    assert [p.stake.customers for p in priorities[-3:]] == [30_000, 9_000, None]
    assert priorities[0].stake == Stake(Decimal(500), "EUR", None, "lost a year")
    assert [p.short_name for p in priorities[2:5]] == ["Silos", "Silos", "Q5"]
    assert [p.rank for p in prioritise(model, answers, top=2)] == [1, 2]
    for words in ("severity", "money", "customers", "question", "message"):
        assert words in RANKING_RULE


def test_a_file_of_ones_own_overrides_one_action(tmp_path: Path) -> None:
    own = tmp_path / "mine.yaml"
    own.write_text("channel-without-segment:\n  action: Close {subject} by the end of the year.\n")
    mine = recommendations(own)
    toolkit = recommendations()
    assert mine["channel-without-segment"].action == "Close {subject} by the end of the year."
    assert mine["channel-without-segment"].owners == ("Channel",)  # the rest of the entry stays
    assert mine["channel-without-segment"].source == own
    assert {k: v for k, v in mine.items() if k != "channel-without-segment"} == {
        k: v for k, v in toolkit.items() if k != "channel-without-segment"
    }
    model, answers = example("telco")
    (forum,) = [
        p
        for p in prioritise(model, answers, recommendations=mine)
        if p.finding.kind == "channel-without-segment"
    ]
    assert forum.action == "Close Alpina Community forum by the end of the year."
    assert [o.label for o in forum.owners] == ["Consumer Customer Service"]


@pytest.mark.parametrize(
    ("text", "said"),
    [
        (
            "chanel-without-segment:\n  action: Close it.\n",
            "chanel-without-segment: no analysis finds this kind (did you mean "
            "channel-without-segment?)",
        ),
        (
            "channel-without-segment:\n  action: Close {channel}.\n",
            "channel-without-segment: unknown placeholder {channel}",
        ),
        (
            "negative-margin:\n  action: Stop {subject} at {margin:euros}.\n",
            "negative-margin: unknown format euros",
        ),
        ("channel-without-segment:\n  owners: [Team]\n", "unknown owner route Team"),
        ("negative-margin:\n  money: evidence.profit\n", "money names profit"),
        ("negative-margin:\n  money: cost\n", "unknown money source 'cost'"),
        ("negative-margin:\n  action: Stop {subject.\n", "a brace in the action"),
        ("negative-margin:\n  owner: [Channel]\n", "unknown field owner"),
        ("negative-margin:\n  action: [a\n", "not valid YAML"),
    ],
)
def test_a_bad_file_of_ones_own_says_what_and_where(tmp_path: Path, text: str, said: str) -> None:
    own = tmp_path / "mine.yaml"
    own.write_text(text)
    with pytest.raises(KGError) as raised:
        recommendations(own)
    assert str(raised.value).startswith(str(own))
    assert said in str(raised.value)


def test_the_stake_is_in_the_reporting_currency_of_a_model_of_two(tmp_path: Path) -> None:
    text = (FJORD / "model.ttl").read_text()
    frames = 'bm:amount 2500000.00 ; bm:currency "EUR" .'
    assert frames in text
    text = text.replace(frames, 'bm:amount 25000000.00 ; bm:currency "NOK" .')
    text += (
        '\nfj:fx-nok a bm:ExchangeRate ; bm:fromCurrency "EUR" ; bm:toCurrency "NOK" ;\n'
        '    bm:rate 10.00 ; bm:rateDate "2026-06-30"^^xsd:date ; dcterms:source "Norges Bank" .\n'
    )
    if "@prefix dcterms:" not in text:
        text = "@prefix dcterms: <http://purl.org/dc/terms/> .\n" + text
    (tmp_path / "model.ttl").write_text(text)
    model = kg.open_model(tmp_path)
    answers = [*ask_all(model), find_silos(model).as_answer()]
    priorities = prioritise(model, answers)
    (racers,) = [p for p in priorities if p.finding.kind == "segment-below-growth-goal"]
    # The frames' NOK 25m at 10 NOK a euro: EUR 2.5m, the racers' revenue.
    assert racers.stake == Stake(Decimal("2500000.00"), "EUR", 9_000, "of revenue a year")
    assert racers.stake.text() == "EUR 2.5 million of revenue a year, 9,000 customers"
    (loss,) = [p for p in priorities if p.finding.kind == "negative-margin"]
    assert loss.stake.money == Decimal(1_000_000) and loss.stake.currency == "EUR"
    assert all(p.stake.currency in (None, "EUR") for p in priorities)
    assert not any("NOK" in p.stake.text() or "NOK" in p.action for p in priorities)


def test_a_priority_is_plain_data() -> None:
    first = ranked("bank")[0]
    data = first.to_dict()
    assert data["rank"] == 1 and data["severity"] == "high"
    assert data["stake"]["currency"] == "CAD" and isinstance(data["stake"]["money"], int | float)
    assert data["finding"]["kind"] == first.finding.kind
    assert data["owners"] == [o.to_dict() for o in first.owners]
