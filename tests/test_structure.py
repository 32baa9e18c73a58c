"""kg.structure: the structure graph, its communities and weak points, the segment silo index."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import networkx as nx
import pytest

from kg.model import open_model
from kg.store import KnowledgeGraph
from kg.structure import (
    SegmentSiloMeasure,
    Structure,
    analyse_structure,
    bridges_and_articulation_points,
    communities,
    segment_silo_measure,
    structure_graph,
)

ROOT = Path(__file__).resolve().parent.parent
MINIMAL = Path(__file__).resolve().parent / "fixtures" / "minimal.ttl"
EX = "https://example.org/mini/"
PREFIXES = """
@prefix bm:   <https://w3id.org/bmkg/ontology#> .
@prefix bmv:  <https://w3id.org/bmkg/vocab#> .
@prefix ex:   <https://example.org/mini/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
"""

# Bakers, beside the families of minimal.ttl: sold to by one unit and helped by another, each
# with its own process, application and customer store.
BAKERS = """
ex:seg-bakers a bm:CustomerSegment ; rdfs:label "Bakers" .
ex:unit-b2b-sales a bm:OrganisationalUnit ; rdfs:label "B2B sales" .
ex:unit-b2b-help a bm:OrganisationalUnit ; rdfs:label "B2B help desk" .
ex:proc-sell a bm:BusinessProcess ; rdfs:label "Sell" ; bm:ownedBy ex:unit-b2b-sales ;
    bm:servesSegment ex:seg-bakers ; bm:usesApplication ex:app-quotes .
ex:proc-help a bm:BusinessProcess ; rdfs:label "Help" ; bm:ownedBy ex:unit-b2b-help ;
    bm:servesSegment ex:seg-bakers ; bm:usesApplication ex:app-tickets .
ex:app-quotes a bm:Application ; rdfs:label "Quotes" ; bm:usesDataStore ex:ds-quotes .
ex:app-tickets a bm:Application ; rdfs:label "Tickets" ; bm:usesDataStore ex:ds-tickets .
ex:ds-quotes a bm:DataStore ; rdfs:label "Quote database" ; bm:holdsCustomerData bmv:ContactData .
ex:ds-tickets a bm:DataStore ; rdfs:label "Ticket database" ; bm:holdsCustomerData bmv:ContactData .
"""


def build(tmp_path: Path, turtle: str) -> KnowledgeGraph:
    extra = tmp_path / "extra.ttl"
    extra.write_text(PREFIXES + turtle, encoding="utf-8")
    return open_model(MINIMAL, extra)


@pytest.fixture()
def minimal() -> Iterator[KnowledgeGraph]:
    with open_model(MINIMAL) as model:
        yield model


# --- graph functions on a hand-built graph ----------------------------------------------------


def two_teams() -> nx.Graph:
    """Two tight teams joined by one link, a hanger-on of the second team, and a loner."""
    graph = nx.Graph()
    graph.add_edges_from(nx.complete_graph(["a1", "a2", "a3", "a4"]).edges)
    graph.add_edges_from(nx.complete_graph(["b1", "b2", "b3", "b4"]).edges)
    graph.add_edges_from([("a4", "b1"), ("b2", "p")])
    graph.add_node("z")
    return graph


def test_communities_of_a_known_graph() -> None:
    found = communities(two_teams())
    assert found == [
        frozenset({"b1", "b2", "b3", "b4", "p"}),
        frozenset({"a1", "a2", "a3", "a4"}),
        frozenset({"z"}),
    ]


def test_communities_are_the_same_every_time() -> None:
    graph = nx.karate_club_graph()
    assert communities(graph) == communities(graph) == communities(graph.copy())
    assert len(communities(graph, resolution=2.0)) > len(communities(graph, resolution=0.5))


def test_communities_cover_every_node_once() -> None:
    graph = nx.karate_club_graph()
    found = communities(graph)
    assert sorted(n for c in found for n in c) == sorted(graph)


@pytest.mark.parametrize("resolution", [0, -1.0])
def test_communities_refuse_a_resolution_that_is_not_positive(resolution: float) -> None:
    with pytest.raises(ValueError, match="resolution"):
        communities(two_teams(), resolution=resolution)


def test_bridges_and_articulation_points_of_a_known_graph() -> None:
    bridges, points = bridges_and_articulation_points(two_teams())
    assert bridges == [("a4", "b1"), ("b2", "p")]
    assert points == ["a4", "b1", "b2"]


def test_a_cycle_has_no_bridge_and_no_articulation_point() -> None:
    assert bridges_and_articulation_points(nx.cycle_graph(5)) == ([], [])


# --- the structure graph of a model -----------------------------------------------------------


def test_structure_graph_nodes_are_the_six_kinds_with_labels(minimal: KnowledgeGraph) -> None:
    graph = structure_graph(minimal)
    assert dict(graph.nodes(data="type")) == {
        EX + "unit-sales": "OrganisationalUnit",
        EX + "proc-order": "BusinessProcess",
        EX + "app-crm": "Application",
        EX + "ds-crm": "DataStore",
        EX + "ch-web": "Channel",
        EX + "seg-families": "CustomerSegment",
    }
    assert graph.nodes[EX + "ds-crm"]["label"] == "Customer master"
    assert graph.nodes[EX + "ds-crm"]["customer_data"] is True


def test_structure_graph_edges_carry_their_links(minimal: KnowledgeGraph) -> None:
    graph = structure_graph(minimal)
    links = {frozenset((u, v)): link for u, v, link in graph.edges(data="link")}
    assert links == {
        frozenset((EX + "proc-order", EX + "unit-sales")): "bm:ownedBy",
        frozenset((EX + "app-crm", EX + "unit-sales")): "bm:ownedBy|bm:usesApplication",
        frozenset((EX + "ds-crm", EX + "unit-sales")): "bm:ownedBy",
        frozenset((EX + "ch-web", EX + "unit-sales")): "bm:ownedBy",
        frozenset((EX + "app-crm", EX + "proc-order")): "bm:usesApplication",
        frozenset((EX + "ds-crm", EX + "proc-order")): "bm:usesDataStore",
        frozenset((EX + "app-crm", EX + "ds-crm")): "bm:usesDataStore",
        frozenset((EX + "ch-web", EX + "seg-families")): "bm:reachesSegment",
        frozenset((EX + "proc-order", EX + "seg-families")): "bm:servesSegment",
        frozenset((EX + "ch-web", EX + "proc-order")): "^bm:inChannel/bm:supportedByProcess",
        frozenset((EX + "app-crm", EX + "ch-web")): "^bm:inChannel/bm:supportedByApplication",
    }
    assert graph.edges[EX + "ch-web", EX + "proc-order"]["touchpoints"] == (EX + "tp-order",)


def test_structure_graph_without_segments(minimal: KnowledgeGraph) -> None:
    graph = structure_graph(minimal, segments=False)
    assert EX + "seg-families" not in graph
    assert graph.number_of_edges() == 9


def test_structure_graph_keeps_islands(tmp_path: Path) -> None:
    island = 'ex:ds-spreadsheet a bm:DataStore ; rdfs:label "Spreadsheet" .'
    with build(tmp_path, island) as model:
        graph = structure_graph(model)
    assert graph.degree(EX + "ds-spreadsheet") == 0
    assert graph.nodes[EX + "ds-spreadsheet"]["customer_data"] is False


def test_structure_functions_refuse_what_is_not_a_model() -> None:
    with pytest.raises(TypeError, match="KnowledgeGraph"):
        structure_graph("data/telco")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="KnowledgeGraph"):
        segment_silo_measure(None, nx.Graph())  # type: ignore[arg-type]


# --- the segment silo index -------------------------------------------------------------------


def measures_of(model: KnowledgeGraph) -> dict[str, SegmentSiloMeasure]:
    return {m.segment.iri: m for m in segment_silo_measure(model, structure_graph(model))}


def test_a_joined_up_segment_scores_lower_than_a_siloed_one(tmp_path: Path) -> None:
    with build(tmp_path, BAKERS) as model:
        measures = measures_of(model)
    families, bakers = measures[EX + "seg-families"], measures[EX + "seg-bakers"]
    assert (families.records, families.communities, families.connected_share) == (1, 1, 1.0)
    assert families.silo_index == 0.0
    # Six units, applications and stores: 15 pairs, of which the 3 + 3 on each side are joined.
    assert (bakers.records, bakers.communities, bakers.connected_share) == (2, 2, 0.4)
    assert bakers.silo_index == pytest.approx((0.5 + 0.5 + 0.6) / 3)
    assert [u.label for u in bakers.units] == ["B2B help desk", "B2B sales"]
    assert [s.label for s in bakers.data_stores] == ["Quote database", "Ticket database"]
    assert bakers.channels == ()


def test_synchronised_stores_are_one_record(tmp_path: Path) -> None:
    with build(tmp_path, BAKERS + "ex:ds-quotes bm:synchronisedWith ex:ds-tickets .") as model:
        bakers = measures_of(model)[EX + "seg-bakers"]
    assert bakers.records == 1
    assert [[s.label for s in r] for r in bakers.customer_records] == [
        ["Quote database", "Ticket database"]
    ]
    assert bakers.connected_share == 1.0
    assert bakers.silo_index < (0.5 + 0.5 + 0.6) / 3


def test_stores_synchronised_through_a_master_are_one_record(tmp_path: Path) -> None:
    # The master record is not met by bakers, but it links their two stores.
    links = """
    ex:ds-quotes bm:synchronisedWith ex:ds-crm .
    ex:ds-crm bm:synchronisedWith ex:ds-tickets .
    """
    with build(tmp_path, BAKERS + links) as model:
        assert measures_of(model)[EX + "seg-bakers"].records == 1


def test_a_shared_application_joins_the_units(tmp_path: Path) -> None:
    with build(tmp_path, BAKERS + "ex:proc-help bm:usesApplication ex:app-quotes .") as model:
        bakers = measures_of(model)[EX + "seg-bakers"]
    assert bakers.records == 2
    assert bakers.connected_share == 1.0


def test_the_customer_is_not_the_link(tmp_path: Path) -> None:
    # Both processes serve bakers: the segment joins the two sides in the structure graph, but the
    # measure does not count a path through a segment.
    with build(tmp_path, BAKERS) as model:
        graph = structure_graph(model)
        assert nx.has_path(graph, EX + "unit-b2b-sales", EX + "unit-b2b-help")
        [bakers] = [m for m in segment_silo_measure(model, graph) if m.segment.label == "Bakers"]
    assert bakers.connected_share == 0.4


def test_a_segment_that_meets_nothing_is_not_siloed(tmp_path: Path) -> None:
    with build(tmp_path, 'ex:seg-nobody a bm:CustomerSegment ; rdfs:label "Nobody" .') as model:
        nobody = measures_of(model)[EX + "seg-nobody"]
    assert (nobody.records, nobody.communities, nobody.silo_index) == (0, 0, 0.0)


def test_measures_come_most_siloed_first(tmp_path: Path) -> None:
    with build(tmp_path, BAKERS) as model:
        measures = segment_silo_measure(model, structure_graph(model))
    assert [m.segment.label for m in measures] == ["Bakers", "Families"]


# --- the examples -----------------------------------------------------------------------------


@pytest.fixture(scope="module", params=["telco", "bank"])
def example(request: pytest.FixtureRequest) -> Iterator[tuple[KnowledgeGraph, Structure]]:
    model = open_model(ROOT / "data" / request.param)
    yield model, analyse_structure(model)
    model.close()


def test_example_structure_is_deterministic(example: tuple[KnowledgeGraph, Structure]) -> None:
    model, structure = example
    assert analyse_structure(model) == structure


def test_example_communities_partition_the_enterprise(
    example: tuple[KnowledgeGraph, Structure],
) -> None:
    model, structure = example
    graph = structure_graph(model, segments=False)
    members = [s.iri for community in structure.communities for s in community]
    assert sorted(members) == sorted(graph)
    assert len(structure.communities) > 1
    assert structure.nodes == structure_graph(model).number_of_nodes()


def test_example_life_cycle_silo_segment_is_the_most_siloed(
    example: tuple[KnowledgeGraph, Structure],
) -> None:
    # The structural measure and the rules agree: the segment with the life-cycle silo (three
    # units that share nothing) tops the silo index.
    _, structure = example
    worst = structure.measures[0]
    assert worst.segment.label in {"Small businesses", "Small-business owners"}
    assert worst.connected_share < 0.6
    assert all(m.silo_index < worst.silo_index for m in structure.measures[1:])


def test_example_structure_to_dict_is_json(example: tuple[KnowledgeGraph, Structure]) -> None:
    _, structure = example
    data = json.loads(json.dumps(structure.to_dict()))
    assert len(data["segments"]) == len(structure.measures)
    assert all(0 <= s["silo_index"] <= 1 for s in data["segments"])
    assert data["articulation_points"] == [s.to_dict() for s in structure.articulation_points]


def test_bank_small_business_owners_hold_its_enterprise_together() -> None:
    # Small business marketing reaches the rest of the bank only through the customer.
    with open_model(ROOT / "data" / "bank") as model:
        structure = analyse_structure(model)
    points = {s.iri for s in structure.articulation_points}
    assert "https://example.org/maple-harbour/seg-small-business-owners" in points
    with pytest.raises(KeyError, match="no customer segment"):
        structure.measure_of("https://example.org/maple-harbour/seg-unknown")
    assert (
        structure.measure_of("https://example.org/maple-harbour/seg-small-business-owners").records
        == 4
    )
