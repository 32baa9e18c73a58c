"""Named versions kept in the model's store, and invisible to everything but kg.versions."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.diff import diff_models
from kg.entities import delete_entity
from kg.model import open_model
from kg.ontology import example_path
from kg.questions import ask_all
from kg.silos import find_silos
from kg.store import KnowledgeGraph, repeats_of
from kg.validation import validate
from kg.versions import (
    VERSIONS_GRAPH,
    VersionError,
    VersionNotFoundError,
    drop_version,
    open_version,
    restore_version,
    save_version,
    versions,
)

TEL = "https://example.org/alpina/"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
GRAPHS = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY ?g"


def _telco(tmp_path: Path) -> Path:
    folder = tmp_path / "telco"
    shutil.copytree(example_path("telco"), folder, ignore=shutil.ignore_patterns("*.md"))
    return folder


def _count(model: KnowledgeGraph, query: str = COUNT) -> list[str]:
    return [row[0].value for row in model.query(query)]  # type: ignore[union-attr]


def test_save_list_open_drop(tmp_path: Path) -> None:
    model = open_model(_telco(tmp_path))
    before = datetime.now(UTC).replace(microsecond=0)
    saved = save_version(model, "as-is", note="before the merger")
    save_version(model, "2026-09-30")
    listed = {v.name: v for v in versions(model)}
    assert sorted(listed) == ["2026-09-30", "as-is"]
    assert listed["as-is"] == saved and saved.saved >= before
    assert saved.note == "before the merger" and listed["2026-09-30"].note is None
    assert saved.statements == int(_count(model)[0])
    assert saved.to_dict()["saved"] == saved.saved.isoformat()
    opened = open_version(model, "as-is")
    assert opened.graphs() == model.graphs()
    assert len(opened) == len(model)
    assert opened.prefixes["tel"] == TEL
    assert diff_models(model, opened, include_ontology=True).is_empty
    drop_version(model, "as-is")
    assert [v.name for v in versions(model)] == ["2026-09-30"]
    assert not any(
        g.value.startswith("urn:bmkg:version:as-is:") for g in model.store.named_graphs()
    )


def test_saving_over_a_version_needs_replace(tmp_path: Path) -> None:
    model = open_model()
    save_version(model, "as-is", note="first")
    with pytest.raises(VersionError, match="already saved"):
        save_version(model, "as-is")
    model.load(_telco(tmp_path) / "reach.ttl")
    replaced = save_version(model, "as-is", note="second", replace=True)
    assert versions(model) == [replaced]
    assert len(open_version(model, "as-is")) == len(model)


@pytest.mark.parametrize("name", ["", "to be", "-draft", "a/b", "x" * 65, "é", "v:1"])
def test_bad_names_are_refused(name: str) -> None:
    with pytest.raises(VersionError, match="not allowed"):
        save_version(open_model(), name)


def test_an_unknown_version_is_an_error_listing_the_versions() -> None:
    model = open_model()
    with pytest.raises(VersionNotFoundError, match="no version 'to-be' in the store; .*none"):
        open_version(model, "to-be")
    save_version(model, "as-is")
    save_version(model, "v2")
    for call in (open_version, drop_version, restore_version):
        with pytest.raises(VersionNotFoundError, match=r"the versions: as-is, v2$") as raised:
            call(model, "to-be")
        assert raised.value.versions == ("as-is", "v2")


def test_a_saved_version_changes_no_answer(tmp_path: Path) -> None:
    folder = _telco(tmp_path)
    plain, model = open_model(folder), open_model(folder)
    save_version(model, "as-is")
    save_version(model, "to-be")
    assert len(model) == len(plain)
    assert model.graphs() == plain.graphs()
    assert _count(model) == _count(plain)
    assert _count(model, GRAPHS) == _count(plain, GRAPHS)
    assert sorted(map(str, model.triples())) == sorted(map(str, plain.triples()))
    for form in ("nquads", "trig", "ntriples"):
        assert sorted(model.serialize(format=form).splitlines()) == sorted(
            plain.serialize(format=form).splitlines()
        )
    assert [a.to_dict() for a in ask_all(model)] == [a.to_dict() for a in ask_all(plain)]
    assert find_silos(model).to_dict() == find_silos(plain).to_dict()
    assert validate(model).to_dict() == validate(plain).to_dict()


def test_writes_to_the_model_leave_the_version_as_saved(tmp_path: Path) -> None:
    folder = _telco(tmp_path)
    model = open_model(folder)
    graphs, size = model.graphs(), len(model)
    save_version(model, "as-is")
    delete_entity(model, TEL + "cost-app-billing")
    reach = folder / "reach.ttl"
    reach.write_text(
        reach.read_text("utf-8").replace('"Alpina shops"@en', '"Alpina stores"@en'), "utf-8"
    )
    model.load(reach)
    pristine = open_model(example_path("telco"))
    assert diff_models(open_version(model, "as-is"), pristine).is_empty
    diff = diff_models(open_version(model, "as-is"), model)
    assert [e.iri for e in diff.removed] == [TEL + "cost-app-billing"]
    assert [c.iri for c in diff.changed] == [TEL + "ch-shops"]
    assert diff.changed[0].new.label == "Alpina stores"
    assert "Alpina shops" not in model.serialize(format="nt").decode()
    # restoring brings the saved model back, atomically, and keeps the version
    restore_version(model, "as-is")
    assert diff_models(model, pristine, include_ontology=True).is_empty
    assert model.graphs() == graphs and len(model) == size
    assert [v.name for v in versions(model)] == ["as-is"]


def test_a_statement_removed_from_its_file_comes_back_from_repeats_though_a_version_holds_it(
    tmp_path: Path,
) -> None:
    statement = "<https://example.org/a> <https://example.org/p> <https://example.org/b> .\n"
    first, second = tmp_path / "a.nt", tmp_path / "b.nt"
    first.write_text(statement, "utf-8")
    second.write_text(statement, "utf-8")
    model = KnowledgeGraph()
    model.load(first, second)
    (home,) = {q.graph_name.value for q in model.quads()} - {
        repeats_of(f.resolve().as_uri()) for f in (first, second)
    }
    kept, emptied = sorted([first, second], key=lambda f: f.resolve().as_uri() == home)
    save_version(model, "as-is")
    emptied.write_text("", "utf-8")
    model.load(emptied)
    assert _count(model) == ["1"]
    assert [q.graph_name.value for q in model.quads()] == [kept.resolve().as_uri()]
    # and a statement only a version makes stays out of the model
    kept.write_text("", "utf-8")
    model.load(kept)
    assert _count(model) == ["0"] and len(model) == 0
    assert len(open_version(model, "as-is")) == 2


def test_clear_keeps_the_versions() -> None:
    model = open_model()
    save_version(model, "as-is")
    model.clear()
    assert len(model) == 0 and model.graphs() == []
    restore_version(model, "as-is")
    assert model.graphs() == open_model().graphs()


def test_versions_outlive_reopening_an_on_disk_store(tmp_path: Path) -> None:
    folder, store = _telco(tmp_path), tmp_path / "store"
    with open_model(folder, path=store) as model:
        saved = save_version(model, "as-is", note="quarter end")
        size = len(model)
    with open_model(path=store) as reopened:
        assert versions(reopened) == [saved]
        assert len(reopened) == size
        opened = open_version(reopened, "as-is")
        assert opened.prefixes["tel"] == TEL  # saved with the version, though the store forgets
        assert diff_models(opened, open_model(folder)).is_empty


def test_the_versions_graph_is_hidden_from_queries() -> None:
    model = open_model()
    save_version(model, "as-is")
    assert model.store.contains_named_graph(ox.NamedNode(VERSIONS_GRAPH))
    assert VERSIONS_GRAPH not in model.graphs()
    ask = f"ASK {{ GRAPH <{VERSIONS_GRAPH}> {{ ?s ?p ?o }} }}"
    assert not model.query(ask)
    assert not model.query("ASK { ?s <http://purl.org/dc/terms/identifier> 'as-is' }")


def test_after_edits_a_model_with_a_version_reads_as_one_without(tmp_path: Path) -> None:
    """Entities, labels, money and answers never read a saved version's older statements."""
    from kg.entities import get_entity, update_entity
    from kg.errors import QueryError
    from kg.sparql import apply_update

    with_version, without = open_model(_telco(tmp_path)), open_model(example_path("telco"))
    save_version(with_version, "as-is")
    shop = TEL + "ch-shops"
    for model in (with_version, without):
        body = {k: v for k, v in get_entity(model, shop).items() if k != "@reverse"}
        update_entity(model, shop, {**body, "label": "Alpina stores"})
        delete_entity(model, TEL + "cost-app-billing")
        apply_update(model, f"DELETE WHERE {{ <{TEL}seg-students> ?p ?o }}")
    assert get_entity(with_version, shop) == get_entity(without, shop)
    for number, (a, b) in enumerate(zip(ask_all(with_version), ask_all(without), strict=True)):
        assert a.to_dict() == b.to_dict(), f"question {number + 1}"
    assert find_silos(with_version).to_dict() == find_silos(without).to_dict()
    assert "Alpina shops" in open_version(with_version, "as-is").serialize(format="nt").decode()
    # Updates over SPARQL change the model only: not a version's graphs, even by name.
    apply_update(with_version, "DROP ALL")
    assert len(with_version) == 0 and [v.name for v in versions(with_version)] == ["as-is"]
    restore_version(with_version, "as-is")
    assert diff_models(with_version, open_model(example_path("telco"))).is_empty
    graph = next(g for g in with_version.store.named_graphs() if "version:as-is" in str(g))
    with pytest.raises(QueryError, match="a graph of the saved versions"):
        apply_update(with_version, f"INSERT DATA {{ GRAPH {graph} {{ <urn:x:a> <urn:x:b> 1 }} }}")
