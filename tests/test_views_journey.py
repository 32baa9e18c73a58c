"""The customer journey map: stages, lanes, curves and channel silos as the graph holds them."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pytest
from lxml import html

from kg.browser import find_chromium, layout, screenshot
from kg.errors import KGError, NotFoundError
from kg.model import open_model
from kg.silos import find_silos
from kg.views.journey import journey_map

ROOT = Path(__file__).resolve().parent.parent
FIBRE = "https://example.org/alpina/jrn-family-fibre"
BM = "PREFIX bm: <https://w3id.org/bmkg/ontology#>\n"
LANES = {
    "channel": "bm:inChannel",
    "capability": "bm:supportedByCapability",
    "process": "bm:supportedByProcess",
    "application": "bm:supportedByApplication",
    "unit": "bm:supportedByProcess/(bm:ownedBy|bm:involvesUnit)",
}


@pytest.fixture(scope="module")
def telco():
    return open_model(ROOT / "data" / "telco")


@pytest.fixture(scope="module")
def bank():
    return open_model(ROOT / "data" / "bank")


def select(model, text: str) -> list[dict[str, object]]:
    result = model.query(BM + text)
    names = [v.value for v in result.variables]
    return [
        {n: t.value for n, t in zip(names, row, strict=True) if t is not None} for row in result
    ]


def stages_in_order(model, journey: str) -> list[str]:
    rows = select(
        model,
        f"SELECT ?stage ?n WHERE {{ <{journey}> bm:hasStage ?stage . ?stage bm:sequence ?n }}",
    )
    return [row["stage"] for row in sorted(rows, key=lambda r: int(r["n"]))]


def cells(body: str, journey: str, lane: str) -> dict[str, set[str]]:
    """The IRIs linked in each stage's cell of a lane (the view links names to their IRIs)."""
    tree = html.fromstring(body)
    (article,) = tree.xpath(f'//article[@data-journey="{journey}"]')
    found = {}
    for cell in article.xpath(f'.//tr[@data-lane="{lane}"]/td'):
        found[cell.get("data-stage")] = {a.get("href") for a in cell.xpath(".//a")}
    return found


def test_stages_are_the_columns_in_sequence_order(telco, bank):
    for model in (telco, bank):
        for row in select(model, "SELECT ?j WHERE { ?j a bm:CustomerJourney }"):
            journey = row["j"]
            body = journey_map(model, journey).body
            heads = html.fromstring(body).xpath("//thead//th[@data-stage]")
            assert [th.get("data-stage") for th in heads] == stages_in_order(model, journey)


@pytest.mark.parametrize("lane", ["touchpoint", *LANES])
def test_lanes_hold_what_stands_behind_each_stage(telco, lane):
    path = "^bm:inStage" if lane == "touchpoint" else f"^bm:inStage/{LANES[lane]}"
    expected: dict[str, set[str]] = defaultdict(set)
    for row in select(telco, f"SELECT ?s ?t WHERE {{ <{FIBRE}> bm:hasStage ?s . ?s {path} ?t }}"):
        expected[row["s"]].add(row["t"])
    view = journey_map(telco, FIBRE, href=lambda iri: iri)
    drawn = cells(view.body, FIBRE, lane)
    assert set(drawn) == set(stages_in_order(telco, FIBRE))
    assert {s: t for s, t in drawn.items() if t} == dict(expected)


def test_every_journey_gets_a_map_with_its_persona(bank):
    journeys = select(bank, "SELECT ?j ?p WHERE { ?j a bm:CustomerJourney ; bm:forPersona ?p }")
    view = journey_map(bank, href=lambda iri: iri)
    tree = html.fromstring(view.body)
    assert view.kind == "journey-map" and view.title == "Customer journeys"
    assert sorted(a.get("data-journey") for a in tree.xpath("//article")) == sorted(
        row["j"] for row in journeys
    )
    for row in journeys:
        (head,) = tree.xpath(f'//article[@data-journey="{row["j"]}"]//dl')
        assert row["p"] in head.xpath(".//a/@href")


@pytest.mark.parametrize("measure", ["emotion", "satisfaction"])
def test_curve_points_are_the_stage_means_of_the_touchpoints(telco, measure):
    values: dict[str, list[float]] = defaultdict(list)
    for row in select(
        telco,
        f"SELECT ?s ?v WHERE {{ <{FIBRE}> bm:hasStage ?s . ?t bm:inStage ?s ; bm:{measure} ?v }}",
    ):
        values[row["s"]].append(float(row["v"]))
    tree = html.fromstring(journey_map(telco, FIBRE).body)
    (plot,) = [
        svg
        for svg in tree.xpath('//td[contains(@class, "kgv-journey-plot")]/svg')
        if svg.get("aria-label").lower().startswith(measure)
    ]
    points = plot.xpath('.//circle[contains(@class, "kgv-journey-point")]')
    drawn = {p.get("data-stage"): float(p.get("data-value")) for p in points}
    assert drawn == pytest.approx({s: sum(v) / len(v) for s, v in values.items()})
    # Left to right in stage order, and higher values higher up (smaller y).
    order = stages_in_order(telco, FIBRE)
    xs = [
        float(p.get("cx")) for p in sorted(points, key=lambda p: order.index(p.get("data-stage")))
    ]
    assert xs == sorted(xs)
    by_value = sorted(points, key=lambda p: float(p.get("data-value")))
    assert [float(p.get("cy")) for p in by_value] == sorted(
        (float(p.get("cy")) for p in points), reverse=True
    )
    dots = plot.xpath('.//circle[contains(@class, "kgv-journey-stepdot")]')
    assert len(dots) == sum(len(v) for v in values.values())


def test_a_channel_silo_is_marked_in_words_at_its_stage(telco):
    silos = [f for f in find_silos(telco).findings if f.kind == "channel-silo"]
    ours = [f for f in silos if f.subjects[0].iri == FIBRE]
    assert ours, "the telco example has a channel silo in the fibre journey"
    view = journey_map(telco, FIBRE, findings=silos)
    tree = html.fromstring(view.body)
    for finding in ours:
        second = finding.evidence["steps"][1]["touchpoint"]["iri"]
        (row,) = select(telco, f"SELECT ?s WHERE {{ <{second}> bm:inStage ?s }}")
        (cell,) = tree.xpath(f'//tr[@data-lane="channel-silo"]/td[@data-stage="{row["s"]}"]')
        assert finding.message in cell.text_content()
        (head,) = tree.xpath(f'//thead/tr/th[@data-stage="{row["s"]}"]')
        assert "kgv-journey-broken" in head.get("class")
    marked = tree.xpath(
        '//tr[@data-lane="channel-silo"]//div[contains(@class, "kgv-journey-silo")]'
    )
    assert len(marked) == len(ours)
    unmarked = journey_map(telco, FIBRE)
    assert "channel-silo" not in unmarked.body
    assert "no findings were given" in unmarked.body


def test_a_model_without_journeys_says_so():
    view = journey_map(open_model())
    assert view.notes == ("The model holds no customer journey.",)
    assert "holds no customer journey" in view.body and "<table" not in view.body


def test_an_unknown_journey_is_a_clear_error(telco):
    with pytest.raises(NotFoundError, match="no customer journey <https://example.org/nope>"):
        journey_map(telco, "https://example.org/nope")
    stage = stages_in_order(telco, FIBRE)[0]
    with pytest.raises(KGError, match="customer journey"):
        journey_map(telco, stage)


JOURNEY_WITHOUT_FEELINGS = """
@prefix bm: <https://w3id.org/bmkg/ontology#> .
@prefix ex: <https://example.org/quiet/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
ex:j a bm:CustomerJourney ; rdfs:label "Quiet journey"@en ; bm:hasStage ex:late , ex:early .
ex:early a bm:JourneyStage ; rdfs:label "Early"@en ; bm:sequence 1 .
ex:late a bm:JourneyStage ; rdfs:label "Late"@en ; bm:sequence 2 .
ex:t a bm:Touchpoint ; rdfs:label "Reads a letter"@en ; bm:inStage ex:late ; bm:sequence 1 .
"""


def test_a_journey_without_emotion_or_satisfaction_says_so(tmp_path):
    path = tmp_path / "quiet.ttl"
    path.write_text(JOURNEY_WITHOUT_FEELINGS, encoding="utf-8")
    view = journey_map(open_model(path), "https://example.org/quiet/j")
    assert "records no emotion or satisfaction" in view.body
    assert any("no emotion or satisfaction" in note for note in view.notes)
    tree = html.fromstring(view.body)
    assert [th.text_content().split()[1] for th in tree.xpath("//thead//th[@data-stage]")] == [
        "Early",
        "Late",
    ]
    assert "no touchpoint" in tree.xpath('//tr[@data-lane="touchpoint"]/td')[0].text_content()


@pytest.mark.skipif(find_chromium() is None, reason="headless Chromium is not installed")
def test_the_saved_map_fits_a_phone_and_draws_wide(telco, tmp_path):
    view = journey_map(telco, findings=find_silos(telco).findings)
    page = view.save(tmp_path / "journeys.html")
    measured = layout(page, width=390)
    assert measured["scrollWidth"] <= 390, measured["overflowing"]
    png = screenshot(page, tmp_path / "journeys-1400.png", width=1400, height=1600)
    assert png.stat().st_size > 10_000


def test_a_model_of_two_enterprises_maps_the_journeys_of_the_one_chosen(telco):
    both = open_model(ROOT / "data" / "telco", ROOT / "data" / "bank")
    with pytest.raises(KGError, match="2 enterprises"):
        journey_map(both)
    view = journey_map(both, enterprise="https://example.org/alpina/alpina")
    drawn = html.fromstring(view.body).xpath("//article/@data-journey")
    alone = select(telco, "SELECT ?j WHERE { ?j a bm:CustomerJourney }")
    assert sorted(drawn) == sorted(row["j"] for row in alone)
