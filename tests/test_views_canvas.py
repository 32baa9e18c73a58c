"""The Business Model Canvas and the Value Proposition Canvas, checked against the graph itself:
block counts against direct rdflib SPARQL counts, the value proposition fit against Q3."""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
import rdflib

from kg.answers import Finding, Level, Subject, percent
from kg.browser import find_chromium, layout, screenshot
from kg.errors import EnterpriseError, NotFoundError
from kg.model import open_model
from kg.ontology import ontology_path
from kg.questions import value_proposition
from kg.store import KnowledgeGraph
from kg.views.base import money
from kg.views.canvas import business_model_canvas, value_proposition_canvas

ROOT = Path(__file__).resolve().parent.parent
TELCO = ROOT / "data" / "telco"
BANK = ROOT / "data" / "bank"
BM = "https://w3id.org/bmkg/ontology#"

BLOCKS = {
    "kp": ("Key Partners", "KeyPartner"),
    "ka": ("Key Activities", "KeyActivity"),
    "kr": ("Key Resources", "KeyResource"),
    "vp": ("Value Propositions", "ValueProposition"),
    "cr": ("Customer Relationships", "CustomerRelationship"),
    "ch": ("Channels", "Channel"),
    "cs": ("Customer Segments", "CustomerSegment"),
    "co": ("Cost Structure", "CostItem"),
    "rs": ("Revenue Streams", "RevenueStream"),
}


def link(iri: str) -> str:
    return "/things?iri=" + iri


@pytest.fixture(scope="module")
def telco() -> Iterator[KnowledgeGraph]:
    with open_model(TELCO) as model:
        yield model


@pytest.fixture(scope="module")
def graph() -> rdflib.Graph:
    """The telco example and the ontology in rdflib, to count against."""
    found = rdflib.Graph()
    found.parse(ontology_path())
    for path in sorted(TELCO.glob("*.ttl")):
        found.parse(path)
    return found


@pytest.fixture(scope="module")
def canvas_body(telco: KnowledgeGraph) -> str:
    return business_model_canvas(telco, href=link).body


def block(body: str, area: str) -> str:
    """The HTML of one block of the canvas."""
    found = re.search(
        rf'<div class="kgv-canvas-block kgv-canvas-{area}">(.*?)\n</div>\n'
        r'(?=<div class="kgv-canvas-block|</div>)',
        body,
        re.S,
    )
    assert found, area
    return found.group(1)


def members(graph: rdflib.Graph, cls: str) -> set[str]:
    rows = graph.query(
        f"SELECT DISTINCT ?s WHERE {{ ?s a/rdfs:subClassOf* <{BM}{cls}> }}",
        initNs={"rdfs": rdflib.RDFS},
    )
    return {str(row[0]) for row in rows}


def test_the_nine_blocks_stand_in_reading_order(canvas_body: str) -> None:
    titles = re.findall(r"<h3>([^<]+?) <span", canvas_body)
    assert titles == [title for title, _ in BLOCKS.values()]


@pytest.mark.parametrize("area", BLOCKS)
def test_each_block_lists_what_the_graph_holds(
    canvas_body: str, graph: rdflib.Graph, area: str
) -> None:
    html = block(canvas_body, area)
    expected = members(graph, BLOCKS[area][1])
    assert expected, "the example should fill every block"
    listed = re.findall(r'<a href="/things\?iri=([^"]+)">', html)
    assert sorted(listed) == sorted(expected)
    assert f'<span class="kgv-canvas-count">{len(expected)}</span>' in html
    shown = html.split("<details")[0].count("<li>")
    assert shown == min(8, len(expected))
    if len(expected) > 8:
        assert f"<summary>+ {len(expected) - 8} more</summary>" in html


@pytest.mark.parametrize(("area", "cls"), [("co", "CostItem"), ("rs", "RevenueStream")])
def test_money_blocks_put_the_largest_first(
    canvas_body: str, graph: rdflib.Graph, area: str, cls: str
) -> None:
    rows = graph.query(
        f"SELECT ?s ?amount ?currency WHERE {{ ?s a <{BM}{cls}> ; <{BM}amount> ?amount ; "
        f"<{BM}currency> ?currency }}"
    )
    amounts = sorted(((Decimal(str(r[1])), str(r[2]), str(r[0])) for r in rows), reverse=True)
    html = block(canvas_body, area)
    first = re.search(
        r'<a href="/things\?iri=([^"]+)">[^<]*</a> <span class="kgv-extra">([^<]*)', html
    )
    assert first is not None
    assert first.group(1) == amounts[0][2]
    assert first.group(2).startswith(money(amounts[0][0], amounts[0][1]))
    total = sum(amount for amount, _, _ in amounts)
    assert f"{money(total, amounts[0][1])} a year" in html


def test_segments_show_their_size_and_growth(canvas_body: str, graph: rdflib.Graph) -> None:
    rows = graph.query(
        f"SELECT ?s ?size ?customers ?growth WHERE {{ ?s a <{BM}CustomerSegment> ; "
        f"<{BM}segmentSize> ?size ; <{BM}customerCount> ?customers ; <{BM}growthRate> ?growth }}"
    )
    largest = max(rows, key=lambda r: int(r[1]))
    html = block(canvas_body, "cs")
    first = re.search(r'iri=([^"]+)">[^<]*</a> <span class="kgv-extra">([^<]*)', html)
    assert first is not None and first.group(1) == str(largest[0])
    size, customers, growth = int(largest[1]), int(largest[2]), Decimal(str(largest[3]))
    assert first.group(2) == (
        f"{money(size).replace('.0', '')} market · {money(customers).replace('.0', '')} customers"
        f" · {'+' if growth > 0 else ''}{percent(growth)}/yr"
    )


def test_an_empty_model_says_each_block_is_empty() -> None:
    with open_model() as model:
        view = business_model_canvas(model)
    assert view.body.count("none in the model") == 9
    assert "<li>" not in view.body


def test_a_finding_badges_the_item_it_names(telco: KnowledgeGraph, graph: rdflib.Graph) -> None:
    partner = sorted(members(graph, "KeyPartner"))[0]
    finding = Finding("k", Level.HIGH, (Subject(partner, "P"),), "Depends on one partner.")
    body = business_model_canvas(telco, findings=[finding]).body
    html = block(body, "kp")
    assert html.count('class="kgv-badge kgv-high" title="Depends on one partner."') == 1
    assert body.count("kgv-badge") == 1


def test_without_href_names_are_not_links(telco: KnowledgeGraph) -> None:
    assert "<a " not in business_model_canvas(telco).body


def test_a_model_of_several_enterprises_draws_the_one_asked_for() -> None:
    with open_model(TELCO, BANK) as model:
        with pytest.raises(EnterpriseError):
            business_model_canvas(model)
        with pytest.raises(EnterpriseError):
            value_proposition_canvas(model, enterprise="No Such Bank")
        view = business_model_canvas(model, enterprise="Maple Harbour Bank", href=link)
        vpc = value_proposition_canvas(model, enterprise="Maple Harbour Bank", href=link)
    assert view.title == "Business Model Canvas: Maple Harbour Bank"
    assert "example.org/alpina/" not in view.body + vpc.body
    bank = rdflib.Graph()
    bank.parse(ontology_path())
    for path in sorted(BANK.glob("*.ttl")):
        bank.parse(path)
    assert (
        f'<span class="kgv-canvas-count">{len(members(bank, "CustomerSegment"))}</span>'
        in block(view.body, "cs")
    )


# ------------------------------------------------------------------------------------------
# Value Proposition Canvas


@pytest.fixture(scope="module")
def vpc_body(telco: KnowledgeGraph) -> str:
    return value_proposition_canvas(telco, href=link).body


def pairs(body: str) -> list[dict[str, object]]:
    """Each canvas of the page: its proposition, segment, fit texts and marked needs."""
    found = []
    for article in re.findall(
        r'<article class="kgv-vpc-pair" id="kgv-vpc-\d+">(.*?)</article>', body, re.S
    ):
        head = re.findall(r'iri=([^"]+)"', article.split("</h3>")[0])
        needs = re.findall(
            r'<li class="kgv-vpc-need"><span class="kgv-vpc-mark kgv-vpc-(\w+)".*?iri=([^"]+)"',
            article,
        )
        fit = re.search(r"segment fit ([\d.]+%)", article)
        found.append(
            {
                "proposition": head[0],
                "segment": head[1],
                "needs": {iri: mark for mark, iri in needs},
                "segment_fit": fit.group(1) if fit else None,
            }
        )
    return found


def test_one_canvas_per_targeting_link(vpc_body: str, graph: rdflib.Graph) -> None:
    links = {
        (str(p), str(s)) for p, s in graph.subject_objects(rdflib.URIRef(BM + "targetsSegment"))
    }
    assert {(p["proposition"], p["segment"]) for p in pairs(vpc_body)} == links


def test_fit_marks_agree_with_q3(telco: KnowledgeGraph, vpc_body: str, graph: rdflib.Graph) -> None:
    answer = value_proposition(telco)
    drawn = pairs(vpc_body)
    fits = {row["segment"]["iri"]: row["fit"] for row in answer.details["fit"]}
    for pair in drawn:
        if pair["segment"] in fits:
            assert pair["segment_fit"] == percent(fits[pair["segment"]])  # type: ignore[index]
    low = answer.findings_of("low-value-proposition-fit")
    assert low, "the example has segments below the fit Q3 asks for"
    for finding in low:
        segment = finding.subjects[0].iri
        unaddressed = {need["iri"] for need in finding.evidence["unaddressed_needs"]}
        own = {str(n) for n in graph.objects(rdflib.URIRef(segment), rdflib.URIRef(BM + "hasNeed"))}
        for pair in (p for p in drawn if p["segment"] == segment):
            needs: dict[str, str] = pair["needs"]  # type: ignore[assignment]
            assert own <= set(needs)
            assert {iri for iri in own if needs[iri] == "gap"} == unaddressed


def test_each_need_is_marked_by_who_addresses_it(vpc_body: str, graph: rdflib.Graph) -> None:
    targets, addresses = rdflib.URIRef(BM + "targetsSegment"), rdflib.URIRef(BM + "addressesNeed")
    marks = set()
    for pair in pairs(vpc_body):
        segment = rdflib.URIRef(pair["segment"])  # type: ignore[arg-type]
        here = {str(n) for n in graph.objects(rdflib.URIRef(pair["proposition"]), addresses)}  # type: ignore[arg-type]
        anywhere = {
            str(n) for p in graph.subjects(targets, segment) for n in graph.objects(p, addresses)
        }
        needs: dict[str, str] = pair["needs"]  # type: ignore[assignment]
        for need, mark in needs.items():
            expected = "met" if need in here else "other" if need in anywhere else "gap"
            assert mark == expected, (pair["proposition"], need)
            marks.add(mark)
    assert marks == {"met", "other", "gap"}


def test_value_map_shows_pain_relievers_and_what_they_relieve(
    telco: KnowledgeGraph, graph: rdflib.Graph
) -> None:
    reliever, pain = next(iter(graph.subject_objects(rdflib.URIRef(BM + "relievesPain"))))
    proposition = graph.value(reliever, rdflib.URIRef(BM + "partOfValueProposition"))
    body = value_proposition_canvas(telco, proposition=str(proposition), href=link).body
    relievers = body.split("<h5>Pain relievers</h5>")[1].split("</div>")[0]
    assert f"iri={reliever}" in relievers
    assert str(graph.value(pain, rdflib.RDFS.label)) in relievers


def test_a_segment_or_proposition_narrows_the_canvases(
    telco: KnowledgeGraph, graph: rdflib.Graph
) -> None:
    segment = "https://example.org/alpina/seg-corporate"
    drawn = pairs(value_proposition_canvas(telco, segment=segment, href=link).body)
    targeting = set(graph.subjects(rdflib.URIRef(BM + "targetsSegment"), rdflib.URIRef(segment)))
    assert {p["proposition"] for p in drawn} == {str(p) for p in targeting}
    assert {p["segment"] for p in drawn} == {segment}
    with pytest.raises(NotFoundError, match="customer segment"):
        value_proposition_canvas(telco, segment="https://example.org/alpina/nowhere")


def test_a_model_without_propositions_says_there_is_no_fit() -> None:
    with open_model() as model:
        body = value_proposition_canvas(model).body
    assert "there is no fit to draw" in body


@pytest.mark.skipif(find_chromium() is None, reason="headless Chromium is not installed")
def test_the_canvas_page_fits_a_phone_and_draws_wide(telco: KnowledgeGraph, tmp_path: Path) -> None:
    page = business_model_canvas(telco).save(tmp_path / "canvas.html")
    assert layout(page, width=390)["scrollWidth"] <= 390
    png = screenshot(page, tmp_path / "canvas.png", width=1400)
    assert png.stat().st_size > 10_000
