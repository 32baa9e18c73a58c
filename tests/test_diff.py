"""Model diff: what changed between two versions of a model, element by element."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from kg.diff import Change, Element, ModelDiff, diff_models, open_side
from kg.errors import RDFSyntaxError, SourceNotFoundError, StoreError
from kg.model import open_model
from kg.ontology import example_path
from kg.store import KnowledgeGraph
from kg.versions import VersionNotFoundError, save_version

TEL = "https://example.org/alpina/"
BM = "https://w3id.org/bmkg/ontology#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"

# Blank nodes: one held by an element (nested two deep), one no IRI reaches.
BLANKS = """\
@prefix tel: <https://example.org/alpina/> .
@prefix bm: <https://w3id.org/bmkg/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .

tel:ch-app bm:note [ rdfs:label "opening hours" ; rdfs:comment [ rdfs:label "{deep}" ] ] .
[] rdfs:label "loose" ; rdfs:comment "{loose}" .
"""


def _telco_copy(
    tmp_path: Path, name: str = "telco", *, deep: str = "08-18", loose: str = "a"
) -> Path:
    folder = tmp_path / name
    shutil.copytree(example_path("telco"), folder, ignore=shutil.ignore_patterns("*.md"))
    (folder / "blanks.ttl").write_text(BLANKS.format(deep=deep, loose=loose), encoding="utf-8")
    return folder


def _delete_block(path: Path, subject: str) -> None:
    """Remove one subject's block (from its first line to the line ending in ' .')."""
    text = path.read_text(encoding="utf-8")
    start = text.index(f"\n{subject} ")
    end = text.index(" .\n", start) + 3
    path.write_text(text[:start] + "\n" + text[end:], encoding="utf-8")


@pytest.fixture(scope="module")
def telco() -> KnowledgeGraph:
    return open_model(example_path("telco"))


@pytest.fixture(scope="module")
def bank() -> KnowledgeGraph:
    return open_model(example_path("bank"))


def test_a_model_against_itself_is_empty(telco: KnowledgeGraph) -> None:
    diff = diff_models(telco, telco)
    assert diff.is_empty
    assert diff == ModelDiff()
    assert diff.to_text() == "no differences\n"


def test_two_loads_of_one_folder_do_not_differ_though_blank_nodes_are_renamed(
    tmp_path: Path,
) -> None:
    folder = _telco_copy(tmp_path)
    first, second = open_model(folder), open_model(folder)
    blanks = {
        str(t.subject) for t in first.triples() if t.subject.__class__.__name__ == "BlankNode"
    }
    assert blanks and blanks.isdisjoint(
        str(t.subject) for t in second.triples() if t.subject.__class__.__name__ == "BlankNode"
    )
    assert diff_models(first, second).is_empty


def test_one_rename_and_one_deletion_are_exactly_what_is_reported(
    tmp_path: Path, telco: KnowledgeGraph
) -> None:
    folder = _telco_copy(tmp_path)
    (folder / "blanks.ttl").unlink()
    for file in folder.glob("*.ttl"):
        text = file.read_text(encoding="utf-8")
        file.write_text(text.replace("tel:ch-retail-chains", "tel:ch-retail-partners"), "utf-8")
    _delete_block(folder / "reach.ttl", "tel:ch-web")
    diff = diff_models(telco, open_model(folder))
    assert diff.counts == {
        "added": 0,
        "removed": 1,
        "changed": 0,
        "renamed": 1,
        "anonymous_added": 0,
        "anonymous_removed": 0,
    }
    assert diff.removed == (
        Element(TEL + "ch-web", "alpina.ch web shop and self-service", "Channel"),
    )
    (renamed,) = diff.renamed
    assert (renamed.old.iri, renamed.new.iri, renamed.new.kind) == (
        TEL + "ch-retail-chains",
        TEL + "ch-retail-partners",
        "Channel",
    )
    text = diff.to_text()
    assert text.splitlines() == [
        "1 removed, 1 renamed",
        '- tel:ch-web (Channel) "alpina.ch web shop and self-service"',
        f'> tel:ch-retail-chains (Channel) "{renamed.old.label}" -> tel:ch-retail-partners',
    ]


def test_a_changed_literal_and_a_changed_blank_node_are_changes_of_their_properties(
    tmp_path: Path,
) -> None:
    before = open_model(_telco_copy(tmp_path / "a"))
    after_folder = _telco_copy(tmp_path / "b", deep="09-17")
    reach = after_folder / "reach.ttl"
    reach.write_text(
        reach.read_text("utf-8").replace('"Alpina shops"@en', '"Alpina stores"@en'), "utf-8"
    )
    diff = diff_models(before, open_model(after_folder))
    assert [c.iri for c in diff.changed] == [TEL + "ch-app", TEL + "ch-shops"]
    app, shops = diff.changed
    (note,) = app.changes
    assert note.property == BM + "note"
    deep = note.new[0][1]
    assert (
        "http://www.w3.org/2000/01/rdf-schema#label",
        ("literal", "opening hours", XSD_STRING, ""),
    ) in deep
    assert shops.changes == (
        Change(
            RDFS + "label",
            (
                (
                    "literal",
                    "Alpina shops",
                    "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString",
                    "en",
                ),
            ),
            (
                (
                    "literal",
                    "Alpina stores",
                    "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString",
                    "en",
                ),
            ),
        ),
    )
    assert shops.old.label == "Alpina shops" and shops.new.label == "Alpina stores"
    lines = diff.to_text().splitlines()
    assert lines[0] == "2 changed"
    assert '    rdfs:label: "Alpina shops"@en -> "Alpina stores"@en' in lines
    assert (
        '    bm:note: [ rdfs:comment [ rdfs:label "08-18" ] ; rdfs:label "opening hours" ] -> '
        '[ rdfs:comment [ rdfs:label "09-17" ] ; rdfs:label "opening hours" ]'
    ) in lines


def test_blank_nodes_no_iri_reaches_are_compared_by_content(tmp_path: Path) -> None:
    before = open_model(_telco_copy(tmp_path / "a", loose="a"))
    after = open_model(_telco_copy(tmp_path / "b", loose="b"))
    diff = diff_models(before, after)
    assert diff.counts["anonymous_added"] == diff.counts["anonymous_removed"] == 1
    assert not diff.changed and not diff.added
    assert diff.to_text().splitlines()[-2:] == [
        '+ [ rdfs:comment "b" ; rdfs:label "loose" ]',
        '- [ rdfs:comment "a" ; rdfs:label "loose" ]',
    ]


def test_telco_against_bank_is_bank_against_telco_reversed(
    telco: KnowledgeGraph, bank: KnowledgeGraph
) -> None:
    forth, back = diff_models(telco, bank), diff_models(bank, telco)
    assert forth == back.reversed()
    assert forth.reversed().reversed() == forth
    assert forth.counts["added"] == len(back.removed) > 100
    assert [e.iri for e in forth.added] == sorted(e.iri for e in forth.added)


def test_the_ontology_is_left_out_unless_asked_for(telco: KnowledgeGraph) -> None:
    bare = KnowledgeGraph()
    for file in sorted(example_path("telco").glob("*.ttl")):
        bare.load(file)
    assert diff_models(telco, bare).is_empty
    with_ontology = diff_models(bare, telco, include_ontology=True)
    assert with_ontology.added and BM + "Channel" in {e.iri for e in with_ontology.added}


def test_to_dict_is_json_and_says_what_to_text_says(tmp_path: Path, telco: KnowledgeGraph) -> None:
    folder = _telco_copy(tmp_path)
    diff = diff_models(telco, open_model(folder))
    data = json.loads(json.dumps(diff.to_dict()))
    assert data["counts"]["changed"] == 1 and data["counts"]["anonymous_added"] == 1
    (changed,) = data["changed"]
    assert changed["iri"] == TEL + "ch-app" and changed["class"] == "Channel"
    assert changed["changes"][0]["old"] == []
    blank = changed["changes"][0]["new"][0]["blank"]
    assert {
        "property": RDFS + "label",
        "value": {"value": "opening hours", "datatype": XSD_STRING},
    } in blank
    assert re.match(r"1 changed, 1 anonymous added\n~ tel:ch-app \(Channel\) ", diff.to_text())


def test_open_side_reads_files_a_store_and_a_version(tmp_path: Path) -> None:
    folder = _telco_copy(tmp_path)
    from_files = open_side(str(folder))
    store_folder = tmp_path / "store"
    with open_model(folder, path=store_folder) as stored:
        save_version(stored, "as-is")
    from_store = open_side(str(store_folder))
    assert diff_models(from_files, from_store).is_empty
    assert diff_models(from_files, open_side(f"{store_folder}#as-is")).is_empty
    assert diff_models(from_files, open_side("version:as-is", store=from_store)).is_empty
    two = open_side(f"{folder / 'reach.ttl'},{folder / 'offer.ttl'}")
    assert {Path(g).name for g in two.graphs() if g.startswith("file:")} == {
        "reach.ttl",
        "offer.ttl",
    }


def test_open_side_errors_say_what_is_wrong(tmp_path: Path) -> None:
    with pytest.raises(SourceNotFoundError, match="no such file or folder"):
        open_side(str(tmp_path / "missing"))
    bad = tmp_path / "bad.ttl"
    bad.write_text("@prefix ex: <https://example.org/> .\nex:a ex:b .\n", encoding="utf-8")
    with pytest.raises(RDFSyntaxError) as raised:
        open_side(str(bad))
    assert raised.value.line == 2
    store_folder = tmp_path / "store"
    with open_model(path=store_folder) as stored:
        save_version(stored, "as-is")
        save_version(stored, "to-be")
    with pytest.raises(VersionNotFoundError, match="no version 'draft' .*: as-is, to-be"):
        open_side(f"{store_folder}#draft")
    with pytest.raises(StoreError, match="give the store"):
        open_side("version:as-is")
