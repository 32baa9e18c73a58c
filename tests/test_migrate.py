"""kg.migrate and ``kg migrate``: a model written for ontology 0.1 comes through to 0.2 unchanged
but for the renamed terms, and a file that cannot be rewritten safely is left alone."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import rdflib
from rdflib.compare import isomorphic

from kg.cli import main
from kg.migrate import MigrationError, migrate_file, renames, rewrite_text
from kg.model import open_model
from kg.validation import validate

DATA = Path(__file__).resolve().parent.parent / "data"
OLD = "https://w3id.org/bmkg/ontology#"
NEW = "https://w3id.org/bmkg/vocab#"


def as_of_0_1(text: str) -> str:
    """A current Turtle file as it was written for 0.1: the renamed terms in ``bm:`` (terms 0.2.0
    added stay in ``bmv:``, and so does its prefix then)."""
    old = {new[len(NEW) :] for new in renames().values()}
    text = re.sub(r"(?<![\w:])bmv:(\w+)", lambda m: f"bm:{m[1]}" if m[1] in old else m[0], text)
    if not re.search(r"(?<![\w:])bmv:\w", text):
        text = re.sub(r"^@prefix bmv: .*\n", "", text, flags=re.M)
    return text


def old_copy(example: str, tmp_path: Path) -> Path:
    folder = tmp_path / example
    shutil.copytree(DATA / example, folder)
    for file in folder.glob("*.ttl"):
        file.write_text(as_of_0_1(file.read_text(encoding="utf-8")), encoding="utf-8")
    return folder


def test_every_old_name_is_replaced_by_a_current_term() -> None:
    mapping = renames()
    assert len(mapping) == 113
    assert mapping[OLD + "Live"] == NEW + "Live"
    assert mapping[OLD + "ChannelKind"] == NEW + "ChannelKind"


@pytest.mark.parametrize("example", ["telco", "bank"])
def test_an_old_model_comes_back_exactly_as_the_current_files(example: str, tmp_path: Path) -> None:
    folder = old_copy(example, tmp_path)
    assert main(["migrate", str(folder)]) == 0
    for file in sorted((DATA / example).glob("*.ttl")):
        assert (folder / file.name).read_text(encoding="utf-8") == file.read_text(
            encoding="utf-8"
        ), file.name


def test_an_old_model_fails_validation_naming_the_new_terms(tmp_path: Path) -> None:
    report = validate(open_model(old_copy("telco", tmp_path)))
    assert not report.conforms
    messages = {r.message for r in report.results if r.severity.value == "Violation"}
    assert (
        "bm:Live was renamed bmv:Live in version 0.2.0 of the ontology; `kg migrate` rewrites a "
        "model's files to the new names"
    ) in messages


def test_check_lists_and_writes_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = old_copy("telco", tmp_path)
    before = {f.name: f.read_bytes() for f in folder.iterdir()}
    assert main(["migrate", "--check", str(folder)]) == 1
    assert {f.name: f.read_bytes() for f in folder.iterdir()} == before
    assert "uses of renamed terms to rewrite" in capsys.readouterr().out
    assert main(["migrate", str(folder)]) == 0
    assert main(["migrate", "--check", str(folder)]) == 0
    assert "up to date" in capsys.readouterr().out


def test_strings_comments_and_other_names_are_left_alone() -> None:
    text = (
        "@prefix bm: <https://w3id.org/bmkg/ontology#> .\n"
        "# bm:Live is what 0.1 called it\n"
        '<urn:p> bm:lifecycleStatus bm:Live ; bm:note "bm:Live" , """bm:Retired""" ;\n'
        "  bm:channelKind <https://w3id.org/bmkg/ontology#Online> ; bm:other bm:Lively .\n"
    )
    rewritten, count = rewrite_text(text, ".ttl")
    assert count == 2
    assert rewritten == (
        "@prefix bm: <https://w3id.org/bmkg/ontology#> .\n"
        "@prefix bmv: <https://w3id.org/bmkg/vocab#> .\n"
        "# bm:Live is what 0.1 called it\n"
        '<urn:p> bm:lifecycleStatus bmv:Live ; bm:note "bm:Live" , """bm:Retired""" ;\n'
        "  bm:channelKind <https://w3id.org/bmkg/vocab#Online> ; bm:other bm:Lively .\n"
    )


def test_a_taken_prefix_gives_full_iris() -> None:
    text = (
        "PREFIX bm: <https://w3id.org/bmkg/ontology#>\n"
        "PREFIX bmv: <https://example.org/mine/>\n"
        "<urn:p> bm:lifecycleStatus bm:Live. bmv:x bm:availability bm:Constrained .\n"
    )
    rewritten, count = rewrite_text(text, ".ttl")
    assert count == 2
    assert "bm:lifecycleStatus <https://w3id.org/bmkg/vocab#Live>." in rewritten
    assert "bm:availability <https://w3id.org/bmkg/vocab#Constrained> ." in rewritten


def expected_graph(text: str, rdf_format: str) -> rdflib.Graph:
    graph = rdflib.Graph().parse(data=text, format=rdf_format)
    mapping = {rdflib.URIRef(k): rdflib.URIRef(v) for k, v in renames().items()}
    renamed = rdflib.Graph()
    for triple in graph:
        renamed.add(tuple(mapping.get(t, t) for t in triple))  # type: ignore[arg-type]
    return renamed


@pytest.mark.parametrize(
    ("name", "rdf_format", "text"),
    [
        (
            "m.nt",
            "nt",
            "<urn:p> <https://w3id.org/bmkg/ontology#lifecycleStatus> "
            "<https://w3id.org/bmkg/ontology#Live> .\n"
            '<urn:p> <urn:note> "https://w3id.org/bmkg/ontology#Live" .\n',
        ),
        (
            "m.jsonld",
            "json-ld",
            '{"@context": {"bm": "https://w3id.org/bmkg/ontology#"},'
            ' "@id": "urn:p", "bm:lifecycleStatus": {"@id": "bm:Live"},'
            ' "bm:channelKind": {"@id": "https://w3id.org/bmkg/ontology#Online"}}',
        ),
        (
            "m.rdf",
            "xml",
            '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"'
            ' xmlns:bm="https://w3id.org/bmkg/ontology#">'
            '<rdf:Description rdf:about="urn:p">'
            '<bm:lifecycleStatus rdf:resource="https://w3id.org/bmkg/ontology#Live"/>'
            "</rdf:Description></rdf:RDF>",
        ),
    ],
    ids=["n-triples", "json-ld", "rdf-xml"],
)
def test_other_formats(name: str, rdf_format: str, text: str, tmp_path: Path) -> None:
    file = tmp_path / name
    file.write_text(text, encoding="utf-8")
    result = migrate_file(file)
    assert result.renamed >= 1 and result.written and not result.reformatted
    after = rdflib.Graph().parse(file, format=rdf_format)
    assert isomorphic(after, expected_graph(text, rdf_format))
    assert migrate_file(file).renamed == 0


def test_a_file_that_cannot_be_edited_safely_is_left_alone_unless_reformat_is_asked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # \u0065 is "e": an IRI the text does not spell out, so the edit misses it.
    text = (
        "@prefix bm: <https://w3id.org/bmkg/ontology#> .\n"
        "<urn:p> bm:lifecycleStatus <https://w3id.org/bmkg/ontology#Liv\\u0065> ;\n"
        "  bm:availability bm:Constrained .\n"
    )
    broken = tmp_path / "broken.ttl"
    broken.write_text("<urn:p> <urn:q> .\n", encoding="utf-8")
    odd = tmp_path / "odd.ttl"
    odd.write_text(text, encoding="utf-8")
    with pytest.raises(MigrationError, match="the file is unchanged"):
        migrate_file(odd)
    assert odd.read_text(encoding="utf-8") == text
    assert main(["migrate", str(tmp_path)]) == 2
    errors = capsys.readouterr().err
    assert "broken.ttl: cannot be read" in errors and "odd.ttl" in errors
    assert odd.read_text(encoding="utf-8") == text
    assert main(["migrate", "--reformat", str(odd)]) == 0
    assert "(re-serialised)" in capsys.readouterr().out
    after = rdflib.Graph().parse(odd)
    assert isomorphic(after, expected_graph(text, "turtle"))
