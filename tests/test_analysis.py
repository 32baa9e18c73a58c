"""The analysis of a model, computed once per version and served to every caller."""

from __future__ import annotations

import threading
import time

import pyoxigraph as ox
import pytest

import kg
from kg import analysis
from kg.analysis import Analysis, AnalysisCache, analyse, default_cache
from kg.errors import EnterpriseError
from kg.model import open_model
from kg.questions import Parameters, ask_all
from kg.silos import SiloParameters, find_silos


@pytest.fixture(scope="module")
def telco() -> kg.KnowledgeGraph:
    return open_model(kg.example_path("telco"))


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the analyses computed; each takes a little while, so that callers overlap."""
    calls: list[int] = []
    real = analysis.analyse

    def slow(*args: object, **kwargs: object) -> Analysis:
        calls.append(1)
        time.sleep(0.2)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(analysis, "analyse", slow)
    return calls


def test_analyse_holds_the_ten_answers_the_silos_and_the_validation(telco: kg.KnowledgeGraph):
    found = analyse(telco)
    assert [a.to_dict() for a in found.answers] == [a.to_dict() for a in ask_all(telco)]
    assert found.silos.to_dict() == find_silos(telco).to_dict()
    assert found.validation is not None and found.validation.conforms
    assert found.enterprise is not None and found.enterprise.label == "Alpina Telecom AG"
    assert len(found.priorities) == sum(len(a.findings) for a in found.all_answers())
    data = found.to_dict()
    assert data["validation"] == {
        "conforms": True,
        "counts": found.validation.counts(),
        "triples": found.validation.triples,
    }
    assert [a["number"] for a in data["answers"]] == list(range(1, 11))
    assert found.answer(0).short_name == found.silos.as_answer().short_name
    with pytest.raises(KeyError):
        found.answer(11)


def test_analyse_without_validation_has_no_report(telco: kg.KnowledgeGraph):
    found = analyse(telco, validate=False)
    assert found.validation is None and found.caveats == ()
    assert found.to_dict()["validation"] is None


def test_answers_of_a_model_that_breaks_its_shapes_carry_the_caveat():
    model = open_model(kg.example_path("telco"))
    vp = ox.NamedNode("https://example.org/alpina/vp-connected-home")
    status = ox.NamedNode("https://w3id.org/bmkg/ontology#lifecycleStatus")
    for quad in list(model.store.quads_for_pattern(vp, status, None, None)):
        model.store.remove(quad)
    found = analyse(model)
    assert found.validation is not None and not found.validation.conforms
    assert found.caveats and all(a.caveats[-1] == found.caveats[0] for a in found.answers)
    assert found.silos.caveats[-1] == found.caveats[0]


def test_thirty_two_threads_asking_at_once_compute_once(
    telco: kg.KnowledgeGraph, counted: list[int]
):
    cache = AnalysisCache()
    start = threading.Barrier(32)
    results: list[Analysis] = []

    def ask() -> None:
        start.wait()
        results.append(cache.get(telco))

    threads = [threading.Thread(target=ask) for _ in range(32)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(counted) == 1 and cache.computations == 1
    assert len(results) == 32 and all(r is results[0] for r in results)


def test_different_keys_do_not_wait_for_each_other(
    telco: kg.KnowledgeGraph, monkeypatch: pytest.MonkeyPatch
):
    # Each computation waits until all four have started: were different keys computed one
    # after the other, the first would wait alone and the barrier would break.
    together = threading.Barrier(4, timeout=30)
    real = analysis.analyse
    broken: list[BaseException] = []

    def meeting(*args: object, **kwargs: object) -> Analysis:
        try:
            together.wait()
        except threading.BrokenBarrierError as error:
            broken.append(error)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(analysis, "analyse", meeting)
    cache = AnalysisCache()
    options = [Parameters(min_fit=f) for f in (0.1, 0.2, 0.3, 0.4)]
    threads = [
        threading.Thread(target=cache.get, args=(telco,), kwargs={"params": p, "validate": False})
        for p in options
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not broken and len(cache) == 4


def test_different_parameters_are_different_entries(telco: kg.KnowledgeGraph, counted: list[int]):
    cache = AnalysisCache()
    strict = cache.get(telco, params=Parameters(min_fit=0.9), validate=False)
    lenient = cache.get(telco, params=Parameters(min_fit=0.1), validate=False)
    assert strict is not lenient and len(counted) == 2
    assert len(strict.answers[2].findings) > len(lenient.answers[2].findings)
    silos = cache.get(telco, silo_params=SiloParameters(through_master=False), validate=False)
    assert silos is not strict and len(counted) == 3
    assert cache.get(telco, params=Parameters(min_fit=0.9), validate=False) is strict
    assert len(counted) == 3


def test_a_write_makes_the_next_call_compute_again(counted: list[int]):
    model = open_model(kg.example_path("telco"))
    cache = AnalysisCache()
    before = cache.get(model, validate=False)
    assert cache.get(model, validate=False) is before and len(counted) == 1
    # A write through the package: loading a file bumps kg.sandbox.writes().
    model.load(kg.example_path("telco") / "offer.ttl")
    after = cache.get(model, validate=False)
    assert after is not before and len(counted) == 2
    # The analysis of the older version is dropped, not kept beside the new one.
    assert len(cache) == 1


def test_the_cache_keeps_at_most_its_size(telco: kg.KnowledgeGraph, counted: list[int]):
    cache = AnalysisCache(kept=2)
    for fit in (0.1, 0.2, 0.3):
        cache.get(telco, params=Parameters(min_fit=fit), validate=False)
    assert len(cache) == 2
    cache.get(telco, params=Parameters(min_fit=0.1), validate=False)  # dropped: again
    assert len(counted) == 4
    with pytest.raises(ValueError, match="at least one"):
        AnalysisCache(kept=0)


def test_a_failed_analysis_is_not_kept(telco: kg.KnowledgeGraph):
    cache = AnalysisCache()
    for _ in range(2):
        with pytest.raises(EnterpriseError, match="no enterprise 'Nobody'"):
            cache.get(telco, enterprise="Nobody", validate=False)
    assert cache.computations == 0


def test_the_default_cache_is_one_per_process():
    assert default_cache() is default_cache()
