"""BMML documents in and out: the real examples, the upstream fixtures, the example enterprises."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import rdflib
import yaml
from rdflib.namespace import DCTERMS, RDF

from kg.interchange import bmml
from kg.interchange.bmml import BMMLError, companion_path, read_bmml, write_bmml
from kg.interchange.importer import without_provenance
from kg.model import open_model
from kg.questions import ask_all
from kg.silos import find_silos
from kg.vocab import BM

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "interchange" / "bmml"
EXAMPLES = sorted((FIXTURES / "examples").rglob("*.bmml"))
VALID = [*EXAMPLES, *sorted((FIXTURES / "test-fixtures").glob("valid-*.bmml"))]
SCHEMA = json.loads((FIXTURES / "schemas" / "bmclang-v2.schema.json").read_text("utf-8"))

# BMML's own section -> the class its items become
SECTIONS = {
    "customer_segments": "CustomerSegment",
    "value_propositions": "ValueProposition",
    "channels": "Channel",
    "customer_relationships": "CustomerRelationship",
    "revenue_streams": "RevenueStream",
    "key_resources": "KeyResource",
    "key_activities": "KeyActivity",
    "key_partnerships": "KeyPartner",
    "costs": "CostItem",
}
NESTED = {
    "jobs": "Job",
    "pains": "Pain",
    "gains": "Gain",
    "products_services": "Offering",
    "pain_relievers": "PainReliever",
    "gain_creators": "GainCreator",
}


def _file_counts(document: dict[str, Any]) -> tuple[dict[str, int], set[str]]:
    """Items per class and every id, counted from the YAML itself."""
    counts: Counter[str] = Counter({"Enterprise": 1})
    ids: set[str] = set()
    for section, cls in SECTIONS.items():
        for item in document.get(section, []):
            counts[cls] += 1
            ids.add(item["id"])
            for key, nested in NESTED.items():
                for inner in item.get(key, []):
                    counts[nested] += 1
                    ids.add(inner["id"])
    return dict(sorted(counts.items())), ids


@pytest.mark.parametrize("path", VALID, ids=lambda p: p.stem)
def test_every_valid_document_imports_item_for_item_with_its_ids(path: Path) -> None:
    document = yaml.safe_load(path.read_text("utf-8"))
    expected, ids = _file_counts(document)
    result = read_bmml(path)
    assert result.counts() == expected
    identifiers = {str(o) for o in result.graph.objects(None, DCTERMS.identifier)}
    assert ids <= identifiers
    for identifier in ids:
        assert result.iris[identifier] == rdflib.URIRef(f"urn:bmkg:bmml:{path.stem}:{identifier}")
    fits = {f["id"] for f in document.get("fits", [])}
    assert {str(o) for o in result.kept.objects(None, DCTERMS.identifier)} >= fits
    pairs = {
        (vp, cs)
        for fit in document.get("fits", [])
        for vp in fit["for"]["value_propositions"]
        for cs in fit["for"]["customer_segments"]
    }
    found = {
        (str(s).rsplit(":", 1)[-1], str(o).rsplit(":", 1)[-1])
        for s, o in result.graph.subject_objects(BM.targetsSegment)
    }
    assert found == pairs
    relieved = {tuple(m) for fit in document.get("fits", []) for m in fit.get("mappings", [])}
    links = {
        (str(s).rsplit(":", 1)[-1], str(o).rsplit(":", 1)[-1])
        for p in (BM.relievesPain, BM.createsGain)
        for s, o in result.graph.subject_objects(p)
    }
    assert links == relieved
    # nothing is invented: BMML has no amounts
    assert not list(result.graph.objects(None, BM.amount))
    assert len(result.needs_input) == expected.get("Offering", 0) + sum(
        len(item.get("for", {}).get("value_propositions", []))
        for section in ("channels", "key_resources", "key_activities")
        for item in document.get(section, [])
    )


@pytest.mark.parametrize(
    ("name", "line", "field", "words"),
    [
        ("invalid-v2-tuple-format", 29, "fits[0].mappings[0]", "'pr-test' is not of type 'array'"),
        ("invalid-v2-scope-refs", 47, "fits[0].mappings[0][0]", "belongs to 'vp-other'"),
        ("invalid-v2-type-mismatch", 38, "fits[0].mappings[0]", "'gain-test', a gain"),
    ],
)
def test_the_invalid_fixtures_are_refused_with_line_and_field(
    name: str, line: int, field: str, words: str
) -> None:
    path = FIXTURES / "test-fixtures" / f"{name}.bmml"
    with pytest.raises(BMMLError) as caught:
        read_bmml(path)
    error = caught.value
    assert (error.path, error.line, error.field) == (path, line, field)
    assert words in str(error)
    assert str(error).startswith(f"{path}:{line}: {field}: ")


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_an_example_goes_to_a_graph_and_back_unchanged(path: Path, tmp_path: Path) -> None:
    first = read_bmml(path)
    meta = yaml.safe_load(path.read_text("utf-8"))["meta"]
    out = tmp_path / path.name
    written = write_bmml(first.graph, out, portfolio=meta["portfolio"], stage=meta["stage"])
    assert written == [out, companion_path(out)]
    jsonschema.Draft7Validator(SCHEMA).validate(yaml.safe_load(out.read_text("utf-8")))
    again = read_bmml(out, namespace=f"urn:bmkg:bmml:{path.stem}:")
    assert set(without_provenance(again.graph)) == set(without_provenance(first.graph))
    # the canvas alone carries a graph that came from a canvas
    companion_path(out).unlink()
    alone = read_bmml(out, namespace=f"urn:bmkg:bmml:{path.stem}:")
    assert set(without_provenance(alone.graph)) == set(without_provenance(first.graph))


def _example(name: str) -> rdflib.Graph:
    graph = rdflib.Graph()
    for file in sorted((ROOT / "data" / name).glob("*.ttl")):
        graph.parse(file)
    return graph


@pytest.mark.parametrize("name", ["telco", "bank"])
def test_an_example_enterprise_goes_through_bmml_and_its_companion_unchanged(
    name: str, tmp_path: Path
) -> None:
    graph = _example(name)
    out = tmp_path / f"{name}.bmml"
    write_bmml(graph, out, portfolio="exploit", stage="sustain")
    document = yaml.safe_load(out.read_text("utf-8"))
    jsonschema.Draft7Validator(SCHEMA).validate(document)
    counts, _ = _file_counts(document)
    assert counts["CustomerSegment"] == len(set(graph.subjects(RDF.type, BM.CustomerSegment)))
    assert counts["CostItem"] == len(set(graph.subjects(RDF.type, BM.CostItem)))
    back = read_bmml(out)
    assert set(without_provenance(back.graph)) == set(graph)
    # the canvas alone still imports: its part of the graph, and nothing more
    companion_path(out).unlink()
    alone = read_bmml(out)
    assert alone.counts()["CustomerSegment"] == counts["CustomerSegment"]
    canvas_links = {
        (s, p, o)
        for s, p, o in without_provenance(alone.graph)
        if p in (BM.hasNeed, BM.reachesSegment, BM.withSegment, BM.fromSegment, BM.incurredBy)
    }
    assert len(canvas_links) > 100


def test_the_telco_answers_and_silos_are_the_same_after_the_trip(tmp_path: Path) -> None:
    out = tmp_path / "telco.bmml"
    write_bmml(_example("telco"), out, portfolio="exploit", stage="sustain")
    back = tmp_path / "back.ttl"
    read_bmml(out).graph.serialize(back, format="turtle")
    before, after = open_model(ROOT / "data" / "telco"), open_model(back)
    assert [a.to_dict() for a in ask_all(after)] == [a.to_dict() for a in ask_all(before)]
    assert find_silos(after).to_dict() == find_silos(before).to_dict()


def test_several_enterprises_need_one_chosen_and_give_that_ones_canvas(tmp_path: Path) -> None:
    both = _example("telco") + _example("bank")
    with pytest.raises(BMMLError, match="2 enterprises"):
        write_bmml(both, tmp_path / "x.bmml", portfolio="exploit", stage="sustain")
    assert not (tmp_path / "x.bmml").exists()
    out = tmp_path / "bank.bmml"
    write_bmml(both, out, enterprise="Maple Harbour Bank", portfolio="exploit", stage="grow")
    assert set(without_provenance(read_bmml(out).graph)) == set(_example("bank"))


def test_an_export_without_portfolio_or_stage_says_so_and_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "t.bmml"
    with pytest.raises(BMMLError, match="portfolio and stage"):
        write_bmml(_example("telco"), out)
    with pytest.raises(BMMLError, match="meta.stage"):
        write_bmml(_example("telco"), out, portfolio="explore", stage="sustain")
    assert list(tmp_path.iterdir()) == []


MINIMAL = """version: "2.0"
meta: {name: Shop, portfolio: explore, stage: ideation}
customer_segments:
  - id: cs-a
    name: A
"""


def _write(tmp_path: Path, text: str | bytes) -> Path:
    path = tmp_path / "bad.bmml"
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, "utf-8")
    return path


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        (MINIMAL + "    description: a: b\n", 6, "malformed YAML: mapping values are not allowed"),
        (MINIMAL + "    description: 12\n", 6, "12 is not of type 'string'"),
        (
            MINIMAL + "channels:\n  - {id: ch-a, name: C, for: {customer_segments: [cs-x]}}\n",
            7,
            "refers to 'cs-x'",
        ),
        (
            MINIMAL + "  - id: cs-a\n    name: B\n",
            6,
            "the id 'cs-a' is used twice (first on line 4)",
        ),
        (MINIMAL + "    name: again\n", 6, "the key 'name' appears twice"),
        (MINIMAL + "    colour: red\n", 4, "'colour' was unexpected"),
        (MINIMAL.replace("Shop", "Caf\xe9").encode("latin-1"), 2, "not UTF-8"),
        ("", None, "empty document"),
        ('version: "2.0"\n---\nmeta: {}\n', 2, "malformed YAML"),
    ],
    ids=[
        "malformed",
        "wrong-type",
        "dangling",
        "duplicate-id",
        "duplicate-key",
        "unknown-field",
        "latin-1",
        "empty",
        "two-documents",
    ],
)
def test_bad_input_is_refused_with_its_line(
    tmp_path: Path, text: str | bytes, line: int | None, words: str
) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(BMMLError) as caught:
        read_bmml(path)
    assert caught.value.line == line
    assert words in str(caught.value)
    assert str(caught.value).startswith(str(path))


def test_yaml_aliases_are_refused_before_they_expand(tmp_path: Path) -> None:
    laughs = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for n in range(1, 10):
        previous = chr(ord("a") + n - 1)
        laughs.append(
            f"{chr(ord('a') + n)}: &{chr(ord('a') + n)} [{', '.join(['*' + previous] * 9)}]"
        )
    path = _write(tmp_path, "\n".join(laughs) + "\n")
    with pytest.raises(BMMLError, match=r"refused: a YAML alias \(\*a\)") as caught:
        read_bmml(path)
    assert caught.value.line == 2


def test_a_file_above_the_size_limit_is_refused_unread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bmml, "MAX_BYTES", 100)
    path = _write(tmp_path, MINIMAL + "# " + "x" * 200 + "\n")
    with pytest.raises(BMMLError, match="more than the 100 an import reads"):
        read_bmml(path)


def test_a_bad_companion_is_refused_with_its_line(tmp_path: Path) -> None:
    path = _write(tmp_path, MINIMAL)
    companion_path(path).write_text("@prefix bm: <https://w3id.org/bmkg/ontology#> .\n<a> bm:x\n")
    with pytest.raises(BMMLError) as caught:
        read_bmml(path)
    assert caught.value.path == companion_path(path)
    assert "malformed Turtle" in str(caught.value)


def test_a_control_character_yaml_refuses_is_a_bmml_error_with_its_line(tmp_path: Path) -> None:
    # U+0090 is valid UTF-8 but not allowed in YAML: PyYAML's reader raised it before parsing,
    # outside the errors the reader mapped, and the API answered 500
    path = tmp_path / "control.bmml"
    path.write_bytes("version: 2\nname: x\x90y\n".encode())
    with pytest.raises(BMMLError, match="U\\+0090 is not allowed") as caught:
        read_bmml(path)
    assert caught.value.line == 2
