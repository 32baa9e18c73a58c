"""The synthetic enterprise generator: sound, deterministic, and its expectation checkable."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg import synthetic
from kg.cli import main
from kg.model import open_model
from kg.synthetic import GenerationSummary, check, count_findings, generate
from kg.validation import validate

FIXTURES = Path(__file__).parent / "fixtures"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


def _seed_starting_with(template: str) -> int:
    """A seed whose first division is a copy of ``template``."""
    return next(
        s
        for s in range(100)
        if synthetic._plan(seed=s, triples=None, divisions=1)[0][0].template == template
    )


@pytest.fixture(scope="module")
def three(tmp_path_factory: pytest.TempPathFactory) -> GenerationSummary:
    """Three divisions, both templates among them."""
    return generate(tmp_path_factory.mktemp("three"), divisions=3, seed=11)


def test_a_small_group_has_both_templates_and_its_triples(three: GenerationSummary) -> None:
    assert sorted(three.divisions) == ["bank", "telco"]
    assert sum(three.divisions.values()) == 3
    assert three.expected["triples"]["actual"] == three.triples
    with open_model(*three.files) as model:
        assert len(model) == three.triples + three.expected["triples"]["ontology"]


def test_a_small_group_conforms_to_the_shapes(three: GenerationSummary) -> None:
    with open_model(*three.files) as model:
        report = validate(model)
    assert report.counts()["Violation"] == 0, report.to_text()


def test_a_small_group_has_exactly_the_expected_findings(three: GenerationSummary) -> None:
    with open_model(*three.files) as model:
        assert check(model, three.expected_path) == []


def test_expected_json_is_what_generate_returns(three: GenerationSummary) -> None:
    assert json.loads(three.expected_path.read_text(encoding="utf-8")) == three.expected
    assert three.expected["seed"] == 11
    assert three.expected["files"] == ["model.nt"]
    assert set(three.expected["findings"]) == {*(f"Q{n}" for n in range(1, 11)), "silos"}


def test_additive_kinds_scale_with_the_divisions(three: GenerationSummary) -> None:
    per_division, counts = three.expected["per_division"], three.divisions
    expected = three.expected["findings"]
    for section in ("Q3", "Q7", "silos"):
        for kind, count in expected[section].items():
            assert count == sum(
                per_division[t][section].get(kind, 0) * n for t, n in counts.items()
            )


def test_sample_entities_are_in_the_model(three: GenerationSummary) -> None:
    samples = three.expected["samples"]
    assert {"Channel", "CustomerSegment", "Enterprise", "KeyPartner"} <= set(samples)
    with open_model(*three.files) as model:
        for kind, iri in samples.items():
            query = f"ASK {{ <{iri}> a <https://w3id.org/bmkg/ontology#{kind}> }}"
            assert bool(model.query(query)), kind


@pytest.mark.parametrize("template", sorted(synthetic.TEMPLATES))
def test_one_division_has_the_findings_of_its_template(template: str, tmp_path: Path) -> None:
    summary = generate(tmp_path, divisions=1, seed=_seed_starting_with(template))
    assert summary.divisions == {template: 1}
    with open_model(synthetic.TEMPLATES[template]) as model:
        assert summary.expected["findings"] == count_findings(model)


def test_removing_a_planted_problem_is_a_difference(
    three: GenerationSummary, tmp_path: Path
) -> None:
    # A channel that reaches no segment is planted in each template; without its type it is no
    # longer a channel, so one channel-without-segment finding goes.
    with open_model(*three.files) as model:
        rows = model.query(
            "SELECT ?channel WHERE { ?channel a bm:Channel ."
            " FILTER NOT EXISTS { ?channel bm:reachesSegment ?segment } } ORDER BY ?channel LIMIT 1"
        )
        assert isinstance(rows, ox.QuerySolutions)
        channel = next(rows)["channel"]
    typing = f"{channel} <{RDF_TYPE}> <https://w3id.org/bmkg/ontology#Channel> .\n"
    text = three.files[0].read_text(encoding="utf-8")
    assert typing in text
    edited = tmp_path / "model.nt"
    edited.write_text(text.replace(typing, ""), encoding="utf-8")
    wanted = three.expected["findings"]["Q5"]["channel-without-segment"]
    with open_model(edited) as model:
        differences = check(model, three.expected)
    assert f"Q5 channel-without-segment: expected {wanted}, found {wanted - 1}" in differences


def test_the_same_seed_and_size_give_the_same_bytes(tmp_path: Path) -> None:
    first = generate(tmp_path / "a", triples=10_000, seed=3)
    second = generate(tmp_path / "b", triples=10_000, seed=3)
    assert first.files[0].read_bytes() == second.files[0].read_bytes()
    assert first.expected_path.read_bytes() == second.expected_path.read_bytes()


def test_different_seeds_give_different_models(tmp_path: Path) -> None:
    first = generate(tmp_path / "a", divisions=2, seed=1)
    second = generate(tmp_path / "b", divisions=2, seed=2)
    assert first.files[0].read_bytes() != second.files[0].read_bytes()


def test_a_size_in_triples_picks_the_nearest_number_of_divisions(tmp_path: Path) -> None:
    summary = generate(tmp_path, triples=10_000, seed=0)
    assert sum(summary.divisions.values()) == 2
    assert abs(summary.triples - 10_000) < 2_500


def test_labels_are_distinct_and_iris_moved(three: GenerationSummary) -> None:
    text = three.files[0].read_text(encoding="utf-8")
    assert "https://example.org/alpina/" not in text
    assert "https://example.org/maple-harbour/" not in text
    with open_model(*three.files) as model:
        rows = model.query(
            "SELECT (COUNT(?segment) AS ?n) (COUNT(DISTINCT ?label) AS ?labels)"
            " WHERE { ?segment a bm:CustomerSegment ; rdfs:label ?label }"
        )
        assert isinstance(rows, ox.QuerySolutions)
        row = next(rows)
    assert int(row["n"].value) == int(row["labels"].value) > 20


@pytest.fixture()
def blank_template(tmp_path: Path) -> Iterator[str]:
    """A one-file template with a blank node, in place of the bundled ones."""
    folder = tmp_path / "minimal"
    folder.mkdir()
    shutil.copy(FIXTURES / "minimal.ttl", folder / "minimal.ttl")
    with (folder / "minimal.ttl").open("a", encoding="utf-8") as stream:
        stream.write('\nex:acme schema:address [ rdfs:label "Head office" ] .\n')
    patch = pytest.MonkeyPatch()
    patch.setattr(synthetic, "TEMPLATES", {"minimal": folder})
    synthetic._template.cache_clear()
    synthetic._run.cache_clear()
    yield "minimal"
    patch.undo()
    synthetic._template.cache_clear()
    synthetic._run.cache_clear()


def test_blank_nodes_are_renamed_apart(blank_template: str, tmp_path: Path) -> None:
    summary = generate(tmp_path, divisions=2, seed=0)
    triples = list(ox.parse(path=str(summary.files[0]), format=ox.RdfFormat.N_TRIPLES))
    blanks = {t.subject for t in triples if isinstance(t.subject, ox.BlankNode)}
    assert len(blanks) == 2
    with open_model(*summary.files) as model:
        assert check(model, summary.expected) == []


def test_turtle_in_parts_holds_the_same_triples(tmp_path: Path) -> None:
    turtle = generate(tmp_path / "ttl", divisions=3, seed=5, format="ttl", parts=2)
    ntriples = generate(tmp_path / "nt", divisions=3, seed=5)
    assert [f.name for f in turtle.files] == ["model-1.ttl", "model-2.ttl"]
    parsed = {t for f in turtle.files for t in ox.parse(path=str(f), format=ox.RdfFormat.TURTLE)}
    assert parsed == set(ox.parse(path=str(ntriples.files[0]), format=ox.RdfFormat.N_TRIPLES))
    assert turtle.expected["findings"] == ntriples.expected["findings"]


@pytest.mark.parametrize(
    ("options", "error"),
    [
        ({}, ValueError),
        ({"triples": 10, "divisions": 1}, ValueError),
        ({"divisions": 0}, ValueError),
        ({"divisions": 1, "format": "xml"}, ValueError),
        ({"divisions": 1.5}, TypeError),
    ],
)
def test_bad_options_are_refused(
    options: dict[str, object], error: type[Exception], tmp_path: Path
) -> None:
    with pytest.raises(error):
        generate(tmp_path, **options)  # type: ignore[arg-type]
    assert not (tmp_path / "expected.json").exists()


def test_kg_generate_writes_the_model_and_expected_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status = main(["generate", "--divisions", "2", "--seed", "4", "--out", str(tmp_path)])
    out = capsys.readouterr().out
    assert status == 0
    assert out.startswith("Wrote ")
    assert str(tmp_path / "model.nt") in out and str(tmp_path / "expected.json") in out
    expected = json.loads((tmp_path / "expected.json").read_text(encoding="utf-8"))
    assert expected["seed"] == 4 and expected["divisions"]["total"] == 2


def test_kg_generate_needs_a_size(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit:
        main(["generate", "--out", str(tmp_path)])
    assert exit.value.code == 2
    assert "--triples" in capsys.readouterr().err
