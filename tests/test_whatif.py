"""What-if change sets: applied to a copy, never to the model, and compared with its answers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import kg
from kg import analysis
from kg.analysis import AnalysisCache
from kg.answers import Verdict
from kg.errors import KGError, QueryError, RemoteAccessError
from kg.model import open_model
from kg.whatif import MAX_OPERATIONS, ChangeSet, ChangeSetError, load_changes, what_if

TEL = "https://example.org/alpina/"


@pytest.fixture(scope="module")
def telco() -> kg.KnowledgeGraph:
    return open_model(kg.example_path("telco"))


@pytest.fixture(scope="module")
def cache() -> AnalysisCache:
    return AnalysisCache()


def _dump(model: kg.KnowledgeGraph) -> list[bytes]:
    return sorted(model.serialize(format="nquads").splitlines())


def _changes(*changes: object) -> ChangeSet:
    return ChangeSet.from_json({"title": "test", "changes": list(changes)})


def _kinds(result: object, number: int, which: str) -> list[tuple[str, list[str]]]:
    q = result.difference.questions[number]  # type: ignore[attr-defined]
    return [(m.finding.kind, [s.iri for s in m.finding.subjects]) for m in getattr(q, which)]


def test_the_model_is_never_changed(telco: kg.KnowledgeGraph, cache: AnalysisCache):
    before = _dump(telco)
    result = what_if(
        telco,
        _changes(
            {"swap": {"partner": "tel:ptn-kiosk-suisse"}},
            {"retire": "tel:vp-tv-sport"},
            {"remove": "tel:ptn-montafix"},
        ),
        cache=cache,
    )
    assert not result.difference.is_empty
    assert _dump(telco) == before
    # Later operations see the earlier ones: the partner swapped out is gone.
    with pytest.raises(ChangeSetError, match="change 2 \\(remove\\): the model holds no element"):
        what_if(
            telco,
            _changes(
                {"swap": {"partner": "tel:ptn-kiosk-suisse"}}, {"remove": "tel:ptn-kiosk-suisse"}
            ),
            cache=cache,
        )
    assert _dump(telco) == before


def test_removing_and_adding_back_gives_an_empty_difference(
    telco: kg.KnowledgeGraph, cache: AnalysisCache
):
    link = {
        "from": "tel:ptn-distritech",
        "property": "bm:alternativePartner",
        "to": "tel:ptn-elektromarkt",
    }
    result = what_if(telco, _changes({"unlink": link}, {"add": link}), cache=cache)
    assert [(a.removed, a.added) for a in result.applied] == [(1, 0), (0, 1)]
    assert result.difference.is_empty and not result.violations


def test_swapping_for_the_only_alternative(telco: kg.KnowledgeGraph, cache: AnalysisCache):
    # Kiosk Suisse has an alternative, so no finding; ElektroMarkt, taking over its prepaid
    # distribution, has none: a single-partner dependency appears for it, nothing else moves.
    result = what_if(telco, _changes({"swap": {"partner": "Kiosk Suisse AG"}}), cache=cache)
    assert [q.number for q in result.difference.questions if not q.is_empty] == [10]
    assert _kinds(result, 10, "appeared") == [
        ("single-partner-dependency", [TEL + "ptn-elektromarkt", TEL + "act-prepaid-distribution"])
    ]
    assert not _kinds(result, 10, "disappeared") and not result.difference.changed
    assert result.applied[0].description == "swap tel:ptn-kiosk-suisse for tel:ptn-elektromarkt"


def test_swapping_a_partner_with_a_finding_makes_its_findings_go(
    telco: kg.KnowledgeGraph, cache: AnalysisCache
):
    # No telco partner with a Q10 finding has an alternative: Helvetic Sports Media is swapped
    # for one named explicitly, a partner made for the purpose that has an alternative itself.
    model = open_model(kg.example_path("telco"))
    model.store.update(
        "PREFIX bm: <https://w3id.org/bmkg/ontology#> PREFIX bmv: <https://w3id.org/bmkg/vocab#>"
        f" INSERT DATA {{ GRAPH <urn:test> {{ <{TEL}ptn-sport-two> a bm:KeyPartner ;"
        ' <http://www.w3.org/2000/01/rdf-schema#label> "Sport Two AG"@en ;'
        " bm:criticality bmv:MediumCriticality ;"
        f" bm:alternativePartner <{TEL}ptn-elektromarkt> }} }}"
    )
    result = what_if(
        model,
        _changes({"swap": {"partner": "tel:ptn-sports-media", "for": "tel:ptn-sport-two"}}),
        cache=AnalysisCache(),
    )
    disappeared = _kinds(result, 10, "disappeared")
    assert (
        "single-partner-dependency",
        [TEL + "ptn-sports-media", TEL + "res-sports-rights"],
    ) in disappeared
    assert ("partner-cost-concentration", [TEL + "ptn-sports-media"]) in disappeared
    # Its costs go with the links: the cost concentration is now the new partner's.
    assert _kinds(result, 10, "appeared") == [
        ("partner-cost-concentration", [TEL + "ptn-sport-two"])
    ]


def test_retiring_a_value_proposition(telco: kg.KnowledgeGraph, cache: AnalysisCache):
    result = what_if(telco, _changes({"retire": "tel:vp-tv-sport"}), cache=cache)
    assert (result.applied[0].removed, result.applied[0].added) == (1, 1)
    # Live Swiss sport no longer depends on a single partner once retired.
    assert (
        "single-partner-dependency",
        [TEL + "ptn-sports-media", TEL + "res-sports-rights"],
    ) in _kinds(result, 10, "disappeared")
    q3 = result.difference.questions[3]
    (changed,) = q3.changed
    assert changed.changes["evidence.status"] == ("Live", "Retired")


def test_setting_a_value(telco: kg.KnowledgeGraph, cache: AnalysisCache):
    result = what_if(
        telco,
        _changes(
            {"set": {"element": "tel:vp-tv-sport", "property": "rdfs:label", "value": "Sport"}}
        ),
        cache=cache,
    )
    assert not result.difference.appeared and not result.difference.disappeared
    (changed,) = result.difference.questions[8].changed
    assert changed.after.message.startswith('"Sport" brings CHF 120 million')


def test_a_sparql_update_file(telco: kg.KnowledgeGraph, cache: AnalysisCache, tmp_path: Path):
    update = tmp_path / "retire.ru"
    # No GRAPH: the update sees the model as one graph, as queries do.
    update.write_text(
        "DELETE { ?vp bm:lifecycleStatus ?s } INSERT { ?vp bm:lifecycleStatus bmv:Retired }\n"
        "WHERE { BIND(tel:vp-tv-sport AS ?vp) ?vp bm:lifecycleStatus ?s }\n",
        encoding="utf-8",
    )
    by_update = what_if(telco, load_changes(update), cache=cache)
    by_json = what_if(telco, _changes({"retire": "tel:vp-tv-sport"}), cache=cache)
    assert (by_update.applied[0].removed, by_update.applied[0].added) == (1, 1)
    assert by_update.difference == by_json.difference


def test_a_change_that_breaks_the_shapes_is_reported(
    telco: kg.KnowledgeGraph, cache: AnalysisCache
):
    result = what_if(
        telco,
        _changes({"unlink": {"from": "tel:vp-tv-sport", "property": "bm:lifecycleStatus"}}),
        cache=cache,
    )
    assert result.breaks_shapes
    assert {v.focus_node for v in result.violations} == {"tel:vp-tv-sport"}
    assert result.after.caveats and result.after.answers[0].caveats
    text = result.to_text()
    assert "CAUTION: the changed model breaks its shapes (1 new violation)" in text
    assert json.loads(result.to_json())["breaks_shapes"] is True


def test_the_models_own_answers_come_from_the_cache(
    telco: kg.KnowledgeGraph, monkeypatch: pytest.MonkeyPatch
):
    calls: list[int] = []
    real = analysis.analyse

    def counted(*args: object, **kwargs: object) -> analysis.Analysis:
        calls.append(1)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(analysis, "analyse", counted)
    mine = AnalysisCache()
    for _ in range(3):
        what_if(telco, _changes({"retire": "tel:vp-tv-sport"}), cache=mine)
    assert mine.computations == 1 and len(calls) == 1


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {"remove": "tel:ptn-kiosk-suise"},
            "change 1 (remove): the model holds no element "
            "'tel:ptn-kiosk-suise' (did you mean tel:ptn-kiosk-suisse",
        ),
        ({"retire": "tel:ptn-kiosk-suisse"}, "has no lifecycle status to retire"),
        ({"delete": "tel:x"}, "change 1: unknown operation 'delete'"),
        (
            {"set": {"element": "tel:vp-tv-sport", "property": "bm:lifecycleStatu", "value": 1}},
            "unknown property 'bm:lifecycleStatu' (did you mean bm:lifecycleStatus",
        ),
        (
            {"swap": {"partner": "tel:ptn-sports-media"}},
            "tel:ptn-sports-media has no alternative partner (bm:alternativePartner)",
        ),
        ({"set": {"element": "tel:vp-tv-sport", "property": "rdfs:label"}}, "missing value"),
        (
            {"unlink": {"from": "tel:vp-tv-sport", "property": "bm:alternativePartner"}},
            "has no bm:alternativePartner to unlink",
        ),
    ],
)
def test_bad_operations_say_what_and_where(
    telco: kg.KnowledgeGraph, cache: AnalysisCache, change: dict, message: str
):
    with pytest.raises(ChangeSetError) as raised:
        what_if(telco, ChangeSet.from_json({"changes": [change]}, source="c.json"), cache=cache)
    assert str(raised.value).startswith("c.json: change 1")
    assert message in str(raised.value)
    assert isinstance(raised.value, KGError)


def test_malformed_json_gives_line_and_column(tmp_path: Path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"changes": [\n  {"remove": "tel:x"},\n  ]\n}\n', encoding="utf-8")
    with pytest.raises(ChangeSetError, match=r"bad\.json:3:3: malformed JSON"):
        load_changes(bad)


def test_an_update_that_does_not_parse_gives_line_and_column(tmp_path: Path):
    bad = tmp_path / "bad.ru"
    bad.write_text("DELETE DATA {\n  tel:a tel:b \n}", encoding="utf-8")
    with pytest.raises(QueryError) as raised:
        load_changes(bad)
    assert raised.value.line is not None and raised.value.column is not None


def test_an_update_that_reaches_out_is_refused(tmp_path: Path):
    remote = tmp_path / "load.ru"
    remote.write_text("LOAD <http://example.org/data.ttl>", encoding="utf-8")
    with pytest.raises(RemoteAccessError, match="LOAD is not allowed"):
        load_changes(remote)


def test_a_huge_change_set_is_refused(tmp_path: Path):
    with pytest.raises(ChangeSetError, match=f"at most {MAX_OPERATIONS}"):
        ChangeSet.from_json({"changes": [{"remove": "tel:x"}] * (MAX_OPERATIONS + 1)})
    big = tmp_path / "big.json"
    big.write_text(json.dumps({"changes": [], "title": "x" * (6 * 1024 * 1024)}))
    with pytest.raises(ChangeSetError, match="a change set may hold at most"):
        load_changes(big)


def test_an_unknown_file_kind_is_refused(tmp_path: Path):
    with pytest.raises(ChangeSetError, match="a .json file or a SPARQL update"):
        load_changes(tmp_path / "changes.yaml")


def test_a_result_reads_as_json_and_text(telco: kg.KnowledgeGraph, cache: AnalysisCache):
    result = what_if(telco, _changes({"remove": "tel:ptn-elektromarkt"}), cache=cache)
    data = json.loads(result.to_json())
    assert data["title"] == "test" and data["applied"][0]["operation"] == "remove"
    assert data["difference"]["counts"]["appeared"] == 4
    assert result.to_text().startswith("What if: test\n  1. remove tel:ptn-elektromarkt: ")
    assert result.difference.questions[10].verdict_after == Verdict.NO
