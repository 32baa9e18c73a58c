"""Pictures: the nodes, edges, colours, tooltips and legend of each picture, and offline pages."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from kg.answers import Answer, Finding, Level, Subject, Verdict
from kg.errors import NotFoundError
from kg.model import open_model
from kg.pictures import (
    EMOTION_COLOURS,
    GAP_COLOURS,
    HIGHLIGHT,
    PALETTE,
    Picture,
    answer_picture,
    capability_map_picture,
    journey_picture,
    model_picture,
    neighbourhood_picture,
    silo_picture,
    vis_assets,
)
from kg.silos import find_silos
from kg.store import KnowledgeGraph

ROOT = Path(__file__).resolve().parent.parent
EX = "https://example.org/mini/"
TEL = "https://example.org/alpina/"
MINIMAL_THINGS = 35  # every subject of tests/fixtures/minimal.ttl


@pytest.fixture(scope="module")
def minimal() -> Iterator[KnowledgeGraph]:
    with open_model(ROOT / "tests" / "fixtures" / "minimal.ttl") as model:
        yield model


@pytest.fixture(scope="module")
def telco() -> Iterator[KnowledgeGraph]:
    with open_model(ROOT / "data" / "telco") as model:
        yield model


def ids(picture: Picture) -> set[str]:
    return {node["id"] for node in picture.nodes}


def edges(picture: Picture) -> set[tuple[str, str, str]]:
    return {(edge["from"], edge["title"], edge["to"]) for edge in picture.edges}


def fill(picture: Picture, node: str) -> str:
    colour: str = picture.node(node)["color"]["background"]
    return colour


def test_model_picture_shows_every_thing_coloured_by_concept(minimal: KnowledgeGraph) -> None:
    picture = model_picture(minimal)
    assert len(picture.nodes) == MINIMAL_THINGS and not picture.aggregated
    assert fill(picture, EX + "seg-families") == PALETTE["CustomerSegment"]
    assert fill(picture, EX + "vp-family") == PALETTE["ValueProposition"]
    assert fill(picture, EX + "ch-web") == PALETTE["Channel"]
    assert fill(picture, EX + "cap-billing") == PALETTE["Capability"]
    assert picture.node(EX + "seg-families")["label"] == "Families"
    assert (EX + "vp-family", "bm:targetsSegment", EX + "seg-families") in edges(picture)
    assert (EX + "cap-billing", "skos:broader", EX + "cap-customer-mgmt") in edges(picture)
    # No links to the ontology's named values (bmv:Live...): those are facts in the tooltips.
    assert all(not e["to"].startswith("https://w3id.org/") for e in picture.edges)
    assert ("customer segment", PALETTE["CustomerSegment"]) in picture.legend


def test_tooltips_give_type_label_and_key_facts(minimal: KnowledgeGraph) -> None:
    picture = model_picture(minimal)
    capability = picture.node(EX + "cap-billing")["title"].splitlines()
    assert capability[:4] == [
        "Billing",
        "type: capability",
        "current maturity: 3",
        "target maturity: 4",
    ]
    assert capability[-1] == EX + "cap-billing"
    assert "lifecycle status: live" in picture.node(EX + "vp-family")["title"]
    assert "amount: 5,400,000" in picture.node(EX + "rev-bundle")["title"]
    assert "emotion: 1" in picture.node(EX + "tp-compare")["title"]


def test_model_picture_of_some_types(minimal: KnowledgeGraph) -> None:
    picture = model_picture(minimal, types={"Capability", "OrganisationalUnit"})
    assert ids(picture) == {EX + "cap-billing", EX + "cap-customer-mgmt", EX + "unit-sales"}
    assert edges(picture) == {
        (EX + "cap-billing", "skos:broader", EX + "cap-customer-mgmt"),
        (EX + "cap-billing", "bm:ownedBy", EX + "unit-sales"),
        (EX + "unit-sales", "bm:realisesCapability", EX + "cap-customer-mgmt"),
    }


def test_above_max_nodes_the_picture_aggregates_by_type(telco: KnowledgeGraph) -> None:
    picture = model_picture(telco, max_nodes=100)
    assert picture.aggregated
    touchpoints = picture.node("type:Touchpoint")
    assert touchpoints["label"] == "touchpoint (51)"
    assert touchpoints["color"]["background"] == PALETTE["Touchpoint"]
    # one node per class the telco uses
    assert len(picture.nodes) == len({n["id"] for n in picture.nodes}) == 53
    stage_links = [e for e in picture.edges if e["from"] == "type:Touchpoint"]
    assert any("bm:inStage (51)" in e["title"] for e in stage_links)
    assert "one node per class" in picture.notes[0]
    assert "one node per class" in picture.to_html()
    # The telco's 660 things are past the default (150): the opening view is one node per class.
    assert model_picture(telco).aggregated
    assert not model_picture(telco, max_nodes=1000).aggregated


def test_neighbourhood_picture(minimal: KnowledgeGraph) -> None:
    picture = neighbourhood_picture(minimal, EX + "ds-crm", hops=1)
    assert ids(picture) == {
        EX + "ds-crm",
        EX + "prd-bundle",
        EX + "proc-order",
        EX + "app-crm",
        EX + "unit-sales",
    }
    assert picture.highlighted == {EX + "ds-crm"}
    assert picture.node(EX + "ds-crm")["color"]["border"] == HIGHLIGHT
    assert "1 link away" in picture.node(EX + "app-crm")["title"]
    assert len(neighbourhood_picture(minimal, EX + "ds-crm", hops=2).nodes) > 5


def test_neighbourhood_stops_at_max_nodes(minimal: KnowledgeGraph) -> None:
    picture = neighbourhood_picture(minimal, EX + "ds-crm", hops=3, max_nodes=6)
    assert len(picture.nodes) == 5 and "Only 1 link out" in picture.notes[0]
    assert neighbourhood_picture(minimal, EX + "ds-crm", max_nodes=2).aggregated
    with pytest.raises(NotFoundError):
        neighbourhood_picture(minimal, EX + "nothing")


def test_journey_picture_in_order_with_emotion(minimal: KnowledgeGraph) -> None:
    picture = journey_picture(minimal, EX + "jrn-join")
    assert ids(picture) == {
        EX + "jrn-join",
        EX + "per-anna",
        EX + "stg-research",
        EX + "stg-commit",
        EX + "tp-compare",
        EX + "tp-order",
        EX + "ch-web",
        EX + "cap-billing",
        EX + "proc-order",
        EX + "app-crm",
        EX + "unit-sales",
    }
    research, commit = picture.node(EX + "stg-research"), picture.node(EX + "stg-commit")
    assert research["label"] == "1. Research" and commit["label"] == "2. Sign up"
    assert research["x"] < commit["x"]
    compare, order = picture.node(EX + "tp-compare"), picture.node(EX + "tp-order")
    assert compare["x"] < order["x"] and compare["y"] > research["y"]
    assert compare["label"] == "1. Compare plans\nemotion +1"
    assert compare["color"]["background"] == EMOTION_COLOURS[1]
    # No emotion: the satisfaction (7.5 of 10) is shown, and coloured on the same scale.
    assert order["label"] == "2. Order\nsatisfaction 7.5/10"
    assert order["color"]["background"] == EMOTION_COLOURS[1]
    assert (EX + "stg-research", "then", EX + "stg-commit") in edges(picture)
    assert (EX + "tp-compare", "then", EX + "tp-order") in edges(picture)
    assert (EX + "tp-compare", "bm:inChannel", EX + "ch-web") in edges(picture)
    assert ("emotion -2", EMOTION_COLOURS[-2]) in picture.legend
    assert picture.network.options["physics"]["enabled"] is False
    with pytest.raises(NotFoundError):
        journey_picture(minimal, EX + "seg-families")


def test_journey_picture_of_telco_shows_the_silo_step(telco: KnowledgeGraph) -> None:
    picture = journey_picture(telco, TEL + "jrn-family-fibre")
    call = picture.node(TEL + "tp-family-fibre-confirm-call")
    assert call["label"].startswith("5. ") and call["label"].endswith("emotion -2")
    assert call["color"]["background"] == EMOTION_COLOURS[-2]
    stages = sorted(
        (n for n in picture.nodes if n["id"].startswith(TEL + "stg-")), key=lambda n: n["x"]
    )
    assert [n["label"].split(".")[0] for n in stages] == ["1", "2", "3", "4", "5"]


def test_silo_picture_highlights_the_product_silo_stores(telco: KnowledgeGraph) -> None:
    analysis = find_silos(telco)
    picture = silo_picture(telco, TEL + "seg-connected-families", analysis=analysis)
    stores = {TEL + "ds-fixed-customer-db", TEL + "ds-mobile-crm"}
    assert stores <= picture.highlighted
    assert {TEL + "prd-fibre-home", TEL + "prd-mobile-family"} <= picture.highlighted
    for store in stores:
        assert picture.node(store)["color"]["border"] == HIGHLIGHT
        assert fill(picture, store) == PALETTE["DataStore"]
    measure = analysis.structure.measure_of(TEL + "seg-connected-families")
    assert {s.iri for s in measure.units + measure.data_stores} <= ids(picture)
    assert any(note.startswith("[high] product-silo") for note in picture.notes)
    unhighlighted = [n for n in picture.nodes if n["id"] not in picture.highlighted]
    assert unhighlighted and all(n["color"]["border"] != HIGHLIGHT for n in unhighlighted)


def test_silo_picture_of_a_sound_model(minimal: KnowledgeGraph) -> None:
    picture = silo_picture(minimal, EX + "seg-families")
    assert ids(picture) == {
        EX + "seg-families",
        EX + "ch-web",
        EX + "unit-sales",
        EX + "proc-order",
        EX + "app-crm",
        EX + "ds-crm",
    }
    assert picture.highlighted == frozenset()
    assert "No silo findings name this segment." in picture.notes
    with pytest.raises(NotFoundError):
        silo_picture(minimal, EX + "nothing")


def test_capability_map_coloured_by_gap(minimal: KnowledgeGraph) -> None:
    picture = capability_map_picture(minimal)
    assert ids(picture) == {EX + "cap-billing", EX + "cap-customer-mgmt"}
    assert fill(picture, EX + "cap-billing") == GAP_COLOURS["gap 1"]
    assert fill(picture, EX + "cap-customer-mgmt") == GAP_COLOURS["no gap"]
    assert picture.node(EX + "cap-billing")["label"] == "Billing\n3 → 4"
    tooltip = picture.node(EX + "cap-billing")["title"]
    assert "gap 1" in tooltip and "needed by 1 live value proposition(s)" in tooltip
    assert edges(picture) == {
        (EX + "cap-customer-mgmt", "skos:narrower (broader above)", EX + "cap-billing")
    }
    assert ("gap 3+", GAP_COLOURS["gap 3+"]) in picture.legend


def test_answer_picture_highlights_the_subjects_of_findings(minimal: KnowledgeGraph) -> None:
    finding = Finding(
        kind="capability-maturity-gap",
        severity=Level.MEDIUM,
        subjects=(Subject(EX + "cap-billing", "Billing", "Capability"),),
        message="Billing is one level below target.",
    )
    answer = Answer(
        number=7,
        title="Capabilities?",
        short_name="Capabilities",
        verdict=Verdict.PARTLY,
        summary="One gap.",
        findings=(finding,),
    )
    picture = answer_picture(minimal, answer)
    assert picture.highlighted == {EX + "cap-billing"}
    assert picture.node("finding:1")["title"].startswith("[medium] capability-maturity-gap")
    assert ("finding:1", "names", EX + "cap-billing") in edges(picture)
    # The context: what Billing links to, shown but not highlighted.
    assert {EX + "vp-family", EX + "app-crm", EX + "cap-customer-mgmt"} <= ids(picture)
    assert picture.node(EX + "app-crm")["opacity"] < 1
    small = answer_picture(minimal, answer, max_nodes=3)
    assert ids(small) == {"finding:1", EX + "cap-billing"}


def test_to_html_is_one_offline_page(minimal: KnowledgeGraph, tmp_path: Path) -> None:
    picture = model_picture(minimal)
    page = picture.to_html()
    assert "vis.Network" in page and "stabilizationIterationsDone" in page
    assert "physics: false" in page
    assert re.search(r"<script>\s*/\*\*?\s*\n?\s*\*?\s*vis-network", page) or len(page) > 400_000
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", page, re.IGNORECASE)
    assert "<link" not in page and "@import" not in page
    assert 'class="legend"' in page and "customer segment" in page
    saved = picture.save(tmp_path / "model.html")
    assert saved.read_text(encoding="utf-8") == page
    frame = picture._repr_html_()
    assert frame.startswith("<iframe srcdoc=") and "<script>" not in frame


def test_labels_and_tooltips_cannot_break_the_page() -> None:
    with open_model() as model:
        model.store.update(
            """PREFIX bm: <https://w3id.org/bmkg/ontology#>
            PREFIX bmv: <https://w3id.org/bmkg/vocab#>
            PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
            INSERT DATA { GRAPH <urn:x> {
              <urn:seg> a bm:CustomerSegment ; rdfs:label "</script><b>x</b> & 'y'" .
            } }"""
        )
        picture = model_picture(model)
        page = picture.to_html()
    # The node's label is wrapped to two short lines; the tooltip has it whole.
    assert picture.node("urn:seg")["label"] == "</script><b>x</b> &\n'y'"
    assert picture.node("urn:seg")["title"].splitlines()[0] == "</script><b>x</b> & 'y'"
    assert "</script><b>" not in page and "\\u003c/script\\u003e" in page


# -- fragments, the shared assets and the drawn marker ----------------------------------------


def test_every_page_marks_the_body_once_drawn(
    minimal: KnowledgeGraph, telco: KnowledgeGraph
) -> None:
    answer = Answer(
        number=7,
        title="Q",
        short_name="Q",
        verdict=Verdict.NO,
        summary="s",
        findings=(
            Finding("kind", Level.HIGH, (Subject(EX + "cap-billing", "B", "Capability"),), "m"),
        ),
    )
    pages = [
        model_picture(minimal).to_html(),
        model_picture(minimal, max_nodes=2).to_html(),
        neighbourhood_picture(minimal, EX + "cap-billing", hops=1).to_html(),
        journey_picture(minimal, EX + "jrn-join").to_html(),
        capability_map_picture(minimal).to_html(),
        answer_picture(minimal, answer).to_html(),
        silo_picture(telco, TEL + "seg-connected-families").to_html(),
    ]
    for page in pages:
        assert page.count("window.kgPictureDrawn = function") == 1
        assert 'document.body.dataset.visDrawn = "true"' in page
        assert "document.body.dataset.visNodes = String(total)" in page
        assert 'network.once("afterDrawing", drawn)' in page
        assert "window.kgPictureDrawn(container, nodes.length, labelsDrawn())" in page
        assert page.count(vis_assets()) == 1 and page.count("new vis.Network(") == 1
        assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", page, re.IGNORECASE)


def test_to_html_is_the_assets_and_one_fragment(minimal: KnowledgeGraph) -> None:
    picture = model_picture(minimal)
    page = picture.to_html()
    assert vis_assets() in page
    assert picture.to_fragment("picture", heading=1) in page
    assert page.index(vis_assets()) < page.index('<div class="kg-picture" id="picture">')


def test_fragment_is_a_titled_div_with_legend_notes_and_its_own_script(
    minimal: KnowledgeGraph,
) -> None:
    picture = model_picture(minimal, max_nodes=2)
    fragment = picture.to_fragment("picture-q1-1")
    assert fragment.startswith('<div class="kg-picture" id="picture-q1-1">\n<h2>The model</h2>')
    assert fragment.endswith("</script>\n</div>")
    assert '<div class="kg-network" id="picture-q1-1-network"' in fragment
    assert 'var id = "picture-q1-1";' in fragment
    assert 'class="legend"' in fragment and "one node per class" in fragment
    assert fragment.count("<script>") == 1 and "vis-network" not in fragment
    assert "<h4>The model</h4>" in picture.to_fragment("p", heading=4)


@pytest.mark.parametrize("bad", ["", "1abc", "a b", 'x"y', "a<b", "é"])
def test_fragment_wants_a_plain_id(minimal: KnowledgeGraph, bad: str) -> None:
    with pytest.raises(ValueError, match="plain HTML id"):
        model_picture(minimal).to_fragment(bad)


def test_fragment_heading_is_one_to_six(minimal: KnowledgeGraph) -> None:
    with pytest.raises(ValueError, match="heading"):
        model_picture(minimal).to_fragment("p", heading=7)


def test_fragment_escapes_titles_notes_and_labels() -> None:
    with open_model() as model:
        model.store.update(
            """PREFIX bm: <https://w3id.org/bmkg/ontology#>
            PREFIX bmv: <https://w3id.org/bmkg/vocab#>
            PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
            INSERT DATA { GRAPH <urn:x> {
              <urn:seg> a bm:CustomerSegment ; rdfs:label "</script><b>x</b> & 'y'" .
            } }"""
        )
        fragment = neighbourhood_picture(model, "urn:seg").to_fragment("p")
    assert "<b>x</b>" not in fragment and "</script><b>" not in fragment
    assert "Within 1 link of &lt;/script&gt;&lt;b&gt;x&lt;/b&gt; &amp; &#x27;y&#x27;" in fragment


def test_vis_assets_are_offline_and_inline() -> None:
    assets = vis_assets()
    assert assets.count("</script>") == 2 and assets.count("</style>") == 2
    assert "vis-network" in assets and "kgPictureDrawn" in assets
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", assets, re.IGNORECASE)
    assert "<link" not in assets and "@import" not in assets
    assert not re.search(r"url\(\s*(?![\"']?data:)", assets)
