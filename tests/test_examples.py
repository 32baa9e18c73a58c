"""The two example enterprises: they conform, and their lists of planted problems are sound.

Each ``data/<name>/README.md`` lists, in a table, the problems a correct analysis must find. These
tests hold the lists to the finding kinds of ``data/README.md`` and to the data itself: every
subject named must be a thing the model describes.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from rdflib.namespace import RDF, RDFS
from rdflib.term import URIRef

from kg.model import open_model
from kg.store import KnowledgeGraph
from kg.validation import validate
from kg.vocab import BM, BMV

DATA = Path(__file__).resolve().parent.parent / "data"
EXAMPLES = {"telco": "https://example.org/alpina/", "bank": "https://example.org/maple-harbour/"}
PREFIXES = {"telco": "tel", "bank": "bank"}
QUESTIONS = [f"Q{n}" for n in range(1, 11)]
SILOS = {"product-silo", "channel-silo", "lifecycle-silo"}


@dataclass(frozen=True)
class Planted:
    id: str
    question: str
    kind: str
    subjects: tuple[str, ...]
    why: str


def finding_kinds() -> dict[str, str]:
    """Map each finding kind defined in data/README.md to its section (Q1..Q10 or silo)."""
    kinds: dict[str, str] = {}
    section = ""
    for line in (DATA / "README.md").read_text(encoding="utf-8").splitlines():
        if heading := re.match(r"### (Q\d+|Silos)\b", line):
            section = heading.group(1) if heading.group(1) != "Silos" else "silo"
        elif section and (kind := re.match(r"- `([a-z-]+)`:", line)):
            kinds[kind.group(1)] = section
    return kinds


def planted(example: str) -> list[Planted]:
    text = (DATA / example / "README.md").read_text(encoding="utf-8")
    _, _, section = text.partition("## Planted problems")
    rows = []
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) < 5 or not line.lstrip().startswith("|") or cells[0] in ("id", ""):
            continue
        if set(cells[0]) <= {"-", ":", " "}:
            continue
        subjects = tuple(s.strip(" `") for s in cells[3].split(",") if s.strip(" `"))
        rows.append(
            Planted(
                cells[0].strip("`"), cells[1], cells[2].strip("`"), subjects, "|".join(cells[4:])
            )
        )
    return rows


@pytest.fixture(scope="module", params=sorted(EXAMPLES))
def example(request: pytest.FixtureRequest) -> Iterator[tuple[str, KnowledgeGraph]]:
    model = open_model(DATA / request.param)
    yield request.param, model
    model.close()


def test_finding_kinds_are_defined_for_every_question_and_silo() -> None:
    sections = set(finding_kinds().values())
    assert sections == set(QUESTIONS) | {"silo"}
    assert set(finding_kinds()) >= SILOS


def test_example_conforms_with_no_results_at_all(example: tuple[str, KnowledgeGraph]) -> None:
    name, model = example
    report = validate(model)
    assert report.counts() == {"Violation": 0, "Warning": 0, "Info": 0}, report.to_text()


def test_example_is_large_enough_to_question(example: tuple[str, KnowledgeGraph]) -> None:
    _, model = example
    graph = model.to_rdflib()

    def count(cls: URIRef) -> int:
        return len(set(graph.subjects(RDF.type, cls)))

    offerings = count(BM.Product) + count(BM.Service)
    assert count(BM.CustomerSegment) >= 20
    assert count(BM.Job) + count(BM.Pain) + count(BM.Gain) >= 60
    assert offerings >= 30
    for cls in (
        BM.Channel,
        BM.Capability,
        BM.Application,
        BM.KeyPartner,
        BM.CostItem,
        BM.RevenueStream,
        BM.Touchpoint,
    ):
        assert count(cls) >= 12, cls
    assert count(BM.CustomerJourney) >= 6


def test_planted_problems_are_sound_rows(example: tuple[str, KnowledgeGraph]) -> None:
    name, _ = example
    rows = planted(name)
    kinds = finding_kinds()
    assert len({r.id for r in rows}) == len(rows), "ids must be unique"
    for row in rows:
        assert row.kind in kinds, f"{row.id}: unknown kind {row.kind}"
        assert kinds[row.kind] == row.question, f"{row.id}: {row.kind} is not a {row.question} kind"
        assert row.subjects, f"{row.id} names no subject"
        assert row.why.strip(), f"{row.id} gives no reason"


def test_the_examples_together_plant_every_question_and_silo_kind() -> None:
    # The telco has problems everywhere; the bank is sound on Q2 and Q3 and has no channel silo.
    questions = {name: {r.question for r in planted(name)} for name in EXAMPLES}
    assert questions["telco"] == set(QUESTIONS) | {"silo"}
    assert questions["bank"] == set(QUESTIONS) - {"Q2", "Q3"} | {"silo"}
    silos = {name: {r.kind for r in planted(name)} & SILOS for name in EXAMPLES}
    assert silos == {"telco": SILOS, "bank": {"product-silo", "lifecycle-silo"}}


def test_planted_subjects_are_things_the_model_describes(
    example: tuple[str, KnowledgeGraph],
) -> None:
    name, model = example
    graph = model.to_rdflib()
    namespaces = {PREFIXES[name]: EXAMPLES[name], "bm": str(BM._NS), "bmv": str(BMV._NS)}
    for row in planted(name):
        for curie in row.subjects:
            prefix, _, local = curie.partition(":")
            assert prefix in namespaces, f"{row.id}: {curie} has an unknown prefix"
            iri = URIRef(namespaces[prefix] + local)
            assert (iri, RDF.type, None) in graph, f"{row.id}: {curie} is not in the model"
            assert (iri, RDFS.label, None) in graph, f"{row.id}: {curie} has no label"


def test_the_seed_silos_are_planted() -> None:
    # The seed's channel silo ("another 8 working days") is the telco's; the bank mended its own.
    channel = " ".join(r.why for r in planted("telco") if r.kind == "channel-silo")
    assert "8 working days" in channel
    assert not [r for r in planted("bank") if r.kind == "channel-silo"]
