"""The capability heat map (kg.views.heatmap): its tiles are the model's capabilities, nested by
skos:broader, coloured by the band of their maturity gap, and naming their owners and the value
propositions that depend on them."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import lxml.html
import pytest

import kg
from kg.answers import Finding, Level, Subject
from kg.browser import find_chromium, layout, screenshot
from kg.errors import EnterpriseError
from kg.store import KnowledgeGraph
from kg.views.heatmap import GAP_BANDS, band, heatmap

ROOT = Path(__file__).resolve().parent.parent
TELCO, BANK = ROOT / "data" / "telco", ROOT / "data" / "bank"


@pytest.fixture(scope="module")
def telco() -> Iterator[KnowledgeGraph]:
    with kg.open_model(TELCO) as model:
        yield model


@pytest.fixture(scope="module")
def bank() -> Iterator[KnowledgeGraph]:
    with kg.open_model(BANK) as model:
        yield model


def _select(model: KnowledgeGraph, text: str) -> list[list[str | None]]:
    return [[t.value if t is not None else None for t in row] for row in model.query(text)]


def _tiles(body: str) -> dict[str, lxml.html.HtmlElement]:
    tree = lxml.html.fromstring(body)
    return {tile.get("data-iri"): tile for tile in tree.xpath("//div[@data-iri]")}


def _own(tile: lxml.html.HtmlElement, cls: str) -> lxml.html.HtmlElement | None:
    """The tile's own child of class ``cls`` (not one of a nested tile's)."""
    found = tile.xpath(f"./div[contains(concat(' ', @class, ' '), ' {cls} ')]")
    return found[0] if found else None


def _text(element: lxml.html.HtmlElement | None) -> str:
    return " ".join(element.text_content().split()) if element is not None else ""


def _expected_band(gap: Decimal) -> str:
    # Written apart from kg.views.heatmap.band: 0 or less, 1, 2, 3 and more.
    return "kgv-gap-0" if gap <= 0 else "kgv-gap-3" if gap >= 3 else f"kgv-gap-{gap:g}"


@pytest.mark.parametrize("name", ["telco", "bank"])
def test_every_capability_is_a_tile_in_its_gap_band_saying_its_gap(
    name: str, request: pytest.FixtureRequest
) -> None:
    model = request.getfixturevalue(name)
    rows = _select(
        model,
        """SELECT ?c ?current ?target WHERE { ?c a bm:Capability .
             OPTIONAL { ?c bm:currentMaturity ?current }
             OPTIONAL { ?c bm:targetMaturity ?target } }""",
    )
    tiles = _tiles(heatmap(model).body)
    assert set(tiles) == {c for c, _, _ in rows}
    seen = set()
    for capability, current, target in rows:
        tile = tiles[capability]
        classes = set(tile.get("class").split())
        gap_text = _text(_own(tile, "kgv-tile-gap"))
        if current is None or target is None:
            assert "kgv-gap-none" in classes and gap_text.startswith("not assessed")
            continue
        gap = Decimal(target) - Decimal(current)
        expected = _expected_band(gap)
        seen.add(expected)
        assert expected in classes, (capability, gap, classes)
        assert f"{current} → {target}" in gap_text
        assert gap_text.startswith(
            f"gap {gap}" if gap > 0 else "on target" if gap == 0 else f"above target by {-gap}"
        )
    assert len(seen) >= 3  # the examples span the bands: the test is not met vacuously


def test_tiles_nest_under_their_broader_capability(telco: KnowledgeGraph) -> None:
    body = heatmap(telco).body
    tree = lxml.html.fromstring(body)
    columns = tree.xpath("//div[contains(@class, 'kgv-column')]")
    column_of = {
        tile.get("data-iri"): column.xpath("./div[@data-iri]")[0].get("data-iri")
        for column in columns
        for tile in column.xpath(".//div[@data-iri]")
    }
    pairs = _select(telco, "SELECT ?n ?b WHERE { ?n skos:broader ?b . ?b a bm:Capability }")
    assert pairs
    for narrower, broader in pairs:
        assert column_of[narrower] == column_of[broader]
    tops = _select(
        telco,
        """SELECT ?c WHERE { ?c a bm:Capability .
             FILTER NOT EXISTS { ?c skos:broader ?b . ?b a bm:Capability } }""",
    )
    assert {c for (c,) in tops} == set(column_of.values())


@pytest.mark.parametrize("name", ["telco", "bank"])
def test_tiles_name_owners_and_the_propositions_that_depend_on_them(
    name: str, request: pytest.FixtureRequest
) -> None:
    model = request.getfixturevalue(name)
    labels = dict(_select(model, "SELECT ?x ?l WHERE { ?x rdfs:label ?l }"))
    owners: dict[str, set[str]] = defaultdict(set)
    for capability, owner in _select(
        model, "SELECT ?c ?o WHERE { ?c a bm:Capability ; bm:ownedBy ?o }"
    ):
        owners[capability].add(labels[owner])
    depending: dict[str, set[str]] = defaultdict(set)
    for capability, proposition in _select(
        model,
        """SELECT DISTINCT ?c ?vp WHERE {
             ?c a bm:Capability . ?vp a bm:ValueProposition .
             ?vp bm:requiresCapability
               | ^bm:deliversValueProposition/bm:requiresCapability
               | ^bm:forValueProposition/bm:hasStage/^bm:inStage/bm:supportedByCapability
               | ^bm:forValueProposition/bm:realisesCapability ?c }""",
    ):
        depending[capability].add(labels[proposition])
    assert depending and owners
    for capability, tile in _tiles(heatmap(model).body).items():
        owner_text = _text(_own(tile, "kgv-tile-owner"))
        assert {o for o in labels.values() if f" {o}" in owner_text} >= owners[capability]
        props = _own(tile, "kgv-tile-props")
        shown = {
            " ".join(li.xpath("./span/text() | ./span/a/text()")).strip()
            for li in (props.xpath(".//li") if props is not None else [])
        }
        assert shown == depending[capability], capability


def test_a_capability_without_maturity_is_not_assessed_not_coloured() -> None:
    with kg.open_model() as model:
        model.store.update(
            """PREFIX bm: <https://w3id.org/bmkg/ontology#>
               PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
               PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
               INSERT DATA { GRAPH <urn:example> {
                 <urn:top> a bm:Capability ; rdfs:label "Top" .
                 <urn:low> a bm:Capability ; rdfs:label "Low" ; skos:broader <urn:top> ;
                   bm:currentMaturity 1 ; bm:targetMaturity 5 .
                 <urn:deep> a bm:Capability ; rdfs:label "Deep" ; skos:broader <urn:low> ;
                   bm:currentMaturity 3 .
               } }"""
        )
        view = heatmap(model)
    tiles = _tiles(view.body)
    top = tiles["urn:top"].get("class").split()
    assert "kgv-gap-none" in top and not {b.css for b in GAP_BANDS} & set(top)
    assert _text(_own(tiles["urn:top"], "kgv-tile-gap")) == "not assessed"
    assert "kgv-gap-3" in tiles["urn:low"].get("class").split()
    # a third level nests inside the second's tile
    assert tiles["urn:low"].xpath(".//div[@data-iri='urn:deep']")
    assert _text(_own(tiles["urn:deep"], "kgv-tile-gap")).startswith("not assessed (current 3")
    assert "2 under it, 1 below target (largest gap 4)" in view.body
    assert (
        "not assessed"
        in lxml.html.fromstring(view.body).xpath("//ul[@class='kgv-legend']")[0].text_content()
    )


def test_bands_cover_every_gap() -> None:
    assert [band(Decimal(g)).css for g in (-2, 0, 1, 2, 3, 4)] == [
        "kgv-gap-0",
        "kgv-gap-0",
        "kgv-gap-1",
        "kgv-gap-2",
        "kgv-gap-3",
        "kgv-gap-3",
    ]
    assert band(None).css == "kgv-gap-none"


def test_an_empty_model_says_it_has_no_capability() -> None:
    with kg.open_model() as model:
        view = heatmap(model)
    assert view.kind == "heatmap"
    assert "holds no capability" in view.body and view.notes
    with kg.open_model() as model:
        model.store.update(
            """PREFIX bm: <https://w3id.org/bmkg/ontology#>
               INSERT DATA { GRAPH <urn:example> { <urn:c> a bm:Capability } }"""
        )
        view = heatmap(model)
    assert "No capability has both a current and a target maturity" in view.body


def test_findings_badge_the_capability_they_name(telco: KnowledgeGraph) -> None:
    capability = "https://example.org/alpina/cap-order-orchestration"
    finding = Finding("k", Level.HIGH, (Subject(capability, "Orchestration"),), "Too immature.")
    tile = _tiles(heatmap(telco, findings=[finding], href=lambda iri: f"#{iri}").body)[capability]
    name = _own(tile, "kgv-tile-name")
    assert name.xpath(".//span[contains(@class, 'kgv-badge')]/@title") == ["Too immature."]
    assert name.xpath(".//a/@href") == [f"#{capability}"]


def test_several_enterprises_draw_the_one_asked_for(telco: KnowledgeGraph) -> None:
    with kg.open_model(TELCO, BANK) as together:
        with pytest.raises(EnterpriseError):
            heatmap(together)
        view = heatmap(together, enterprise="Alpina Telecom AG")
    assert "Alpina Telecom AG" in view.title
    assert set(_tiles(view.body)) == set(_tiles(heatmap(telco).body))


@pytest.mark.skipif(find_chromium() is None, reason="headless Chromium is not installed")
def test_the_heat_map_fits_a_phone_and_draws_wide(telco: KnowledgeGraph, tmp_path: Path) -> None:
    page = heatmap(telco).save(tmp_path / "heatmap.html")
    narrow = layout(page, width=390)
    assert narrow["scrollWidth"] <= 390, narrow["overflowing"]
    shot = screenshot(page, tmp_path / "heatmap-1400.png", width=1400, height=2000, wait_ms=500)
    assert shot.stat().st_size > 10_000
