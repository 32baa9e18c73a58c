"""kg.model.open_model: the ontology beside the model, on disk or in memory."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.errors import RDFSyntaxError
from kg.model import open_model
from kg.ontology import ONTOLOGY_IRI, ontology_graph

MINIMAL = Path(__file__).parent / "fixtures" / "minimal.ttl"


def test_ontology_sits_in_its_own_graph_beside_each_file() -> None:
    with open_model(MINIMAL) as model:
        assert model.graphs() == sorted([str(ONTOLOGY_IRI), MINIMAL.resolve().as_uri()])
        assert sum(1 for _ in model.triples(str(ONTOLOGY_IRI))) == len(ontology_graph())


def test_queries_see_the_class_hierarchy() -> None:
    with open_model(MINIMAL) as model:
        rows = model.query("SELECT ?offering WHERE { ?offering a/rdfs:subClassOf* bm:Offering }")
        assert [row["offering"].value for row in rows] == ["https://example.org/mini/prd-bundle"]


def test_reopened_store_keeps_the_model_and_one_copy_of_the_ontology(tmp_path: Path) -> None:
    store = tmp_path / "store"
    with open_model(MINIMAL, path=store) as model:
        before = len(model)
    with open_model(path=store) as reopened:
        assert len(reopened) == before


def test_failed_load_releases_the_store(tmp_path: Path) -> None:
    bad = tmp_path / "bad.ttl"
    bad.write_text("<a> <b> .\n")
    store = tmp_path / "store"
    with pytest.raises(RDFSyntaxError):
        open_model(bad, path=store)
    with open_model(path=store) as model:  # would fail if the first store were still open
        assert model.graphs() == [str(ONTOLOGY_IRI)]
