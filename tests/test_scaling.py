"""The analysis grows with the model, not with its square.

A guard, not a benchmark (``bench/`` measures speed against a baseline): validation, the ten
questions and the silo rules run on synthetic enterprises of 2 and 8 divisions in one process,
and the larger may take at most ten times as long for four times the statements. A linear step
takes about four times as long; a step that pairs every node with every other takes sixteen
times, and one did (a shape whose class path sat directly inside FILTER NOT EXISTS took 212 s
on 100,000 statements before it was rewritten).
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from pathlib import Path

import pytest

import kg
from kg.questions import ask_all
from kg.silos import find_silos
from kg.store import KnowledgeGraph
from kg.synthetic import generate
from kg.validation import validate

SIZES = (2, 8)
MAX_RATIO = 10.0


@pytest.fixture(scope="module")
def models(tmp_path_factory: pytest.TempPathFactory) -> dict[int, KnowledgeGraph]:
    made = {}
    for divisions in SIZES:
        folder = tmp_path_factory.mktemp(f"divisions-{divisions}")
        generate(folder, divisions=divisions, seed=7)
        made[divisions] = kg.open_model(*sorted(Path(folder).glob("*.nt")))
    return made


def seconds(step: Callable[[], object]) -> float:
    times = []
    for _ in range(3):
        started = time.perf_counter()
        step()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


@pytest.mark.parametrize(
    "step",
    [validate, ask_all, find_silos],
    ids=["validation", "questions", "silos"],
)
def test_four_times_the_model_takes_at_most_ten_times_as_long(
    models: dict[int, KnowledgeGraph], step: Callable[[KnowledgeGraph], object]
) -> None:
    small, large = (models[n] for n in SIZES)
    # The ontology is loaded into both, so the ratio of statements is a little under four.
    assert len(large) > 3 * len(small)
    ratio = seconds(lambda: step(large)) / seconds(lambda: step(small))
    assert ratio < MAX_RATIO, f"{ratio:.1f} times as long for {len(large) / len(small):.1f} times"
