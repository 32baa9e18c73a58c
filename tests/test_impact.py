"""Impact analysis (kg.impact): the dependence table, the walk, the money, the picture and the
views' marking, on both examples."""

from __future__ import annotations

import json
import os
import re
from decimal import Decimal
from functools import cache
from pathlib import Path

import pytest

import kg
from kg.browser import dump_dom, find_chromium, screenshot
from kg.errors import KGError
from kg.impact import (
    DependenceError,
    UnknownElementError,
    aggregates,
    dependence,
    ends,
    impact,
)
from kg.store import KnowledgeGraph

TEL = "https://example.org/alpina/"
BANK = "https://example.org/maple-harbour/"


@cache
def _model(example: str) -> KnowledgeGraph:
    return kg.open_model(kg.example_path(example))


def _local(iri: str) -> str:
    return iri.rsplit("/", 1)[-1]


def _select(model: KnowledgeGraph, sparql: str) -> set[str]:
    return {row[0].value for row in model.query(sparql)}  # type: ignore[union-attr]


# -- the table --------------------------------------------------------------------------------


def test_every_object_property_of_the_ontology_has_an_entry_with_a_reason() -> None:
    from kg.impact import _object_properties

    table = dependence()
    assert set(table) == set(_object_properties())
    assert all(entry.reason for entry in table.values())
    assert table["supportedByApplication"].dependent == "subject"
    assert table["forPersona"].dependent == "object"
    assert not table["integratesWith"].follows
    assert not table["alternativePartner"].follows
    assert list(ends()) == ["OrganisationalUnit"]
    assert aggregates()["partner-cost-concentration"] == {"KeyPartner", "CostItem"}


def test_a_file_of_ones_own_switches_an_entry_off_and_changes_the_reach(tmp_path: Path) -> None:
    own = tmp_path / "mine.yaml"
    own.write_text("properties:\n  supportedByApplication:\n    dependent: none\n")
    table = dependence(own)
    assert not table["supportedByApplication"].follows
    assert table["supportedByApplication"].reason == dependence()["supportedByApplication"].reason
    before = impact(_model("telco"), ["tel:app-cpq"], depth=1)
    after = impact(_model("telco"), ["tel:app-cpq"], depth=1, table=own)
    assert {r.type for r in before.reached} >= {"Touchpoint"}
    assert "Touchpoint" not in {r.type for r in after.reached}
    assert after.iris < before.iris


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "properties:\n  supportedByAplication:\n    dependent: subject\n",
            "supportedByAplication: not an object property of the bm: ontology "
            "(did you mean supportedByApplication",
        ),
        ("properties:\n  ownedBy:\n    dependent: upward\n", "dependent is 'upward'"),
        ("properties:\n  ownedBy: [subject\n", "mine.yaml:3:1: not valid YAML"),
        ("properties:\n  ownedBy:\n    direction: subject\n", "unknown field direction"),
        ("ends:\n  OrganisationalUnitt: why\n", "did you mean OrganisationalUnit"),
        ("aggregates:\n  uncosted-elements: [CostItem]\n", "did you mean uncosted-element"),
        ("weights: {}\n", "the sections properties, ends, aggregates"),
    ],
)
def test_a_bad_table_is_an_error_saying_what_and_where(
    tmp_path: Path, text: str, message: str
) -> None:
    own = tmp_path / "mine.yaml"
    own.write_text(text)
    with pytest.raises(DependenceError) as caught:
        dependence(own)
        aggregates(own)
        ends(own)
    assert isinstance(caught.value, KGError)
    assert message in str(caught.value)
    assert str(own) in str(caught.value)


# -- the walk: expected impacts, pinned from the data -----------------------------------------

EXPECTED = {
    # A partner with no alternative: SecureOps alone runs the SOC behind Managed Security.
    ("telco", "tel:ptn-secureops"): {
        "act-soc-monitoring", "bp-always-on", "cost-ch-key-accounts", "cost-key-accounts-staff",
        "cost-ptn-helvetia-cloud", "cost-ptn-secureops", "cost-res-security-analysts",
        "geo-deutschschweiz", "geo-romandie", "geo-switzerland", "geo-ticino",
        "jrn-enterprise-tender", "per-thomas", "rel-key-account", "rev-corporate-connect",
        "rev-mid-market-managed", "rev-public-network", "rev-public-schools", "seg-corporate",
        "seg-mid-market", "seg-public-sector", "svc-managed-security", "vp-enterprise-sla",
        "vp-midmarket-managed",
    },
    # A unit that owns capabilities, processes and a data store.
    ("telco", "tel:unit-finance"): {
        "app-billing", "cap-billing", "cap-finance", "cap-revenue-assurance", "cost-app-billing",
        "cost-finance-staff", "ds-billing", "proc-billing", "proc-revenue-assurance",
    },
    # An application behind a journey's touchpoint.
    ("bank", "bank:app-atm-management"): {
        "cap-cash-and-atm-management", "cost-unit-agriculture-banking", "geo-alberta",
        "geo-canada", "geo-manitoba", "geo-new-brunswick", "geo-newfoundland-labrador",
        "geo-nova-scotia", "geo-ontario", "geo-prince-edward-island", "geo-saskatchewan",
        "jrn-card-fraud-support", "per-marcel", "proc-atm-cash-management",
        "rev-everyday-retirees", "rev-everyday-rural-atlantic", "rev-farm-lending",
        "rev-retirement-income-retirees", "seg-farm-businesses", "seg-retirees",
        "seg-rural-atlantic-households", "stg-fr-use", "tp-fr-01", "unit-operations",
    },
}  # fmt: skip


@pytest.mark.parametrize(("example", "element"), sorted(EXPECTED))
def test_the_reach_of_an_element_is_what_the_data_says(example: str, element: str) -> None:
    found = impact(_model(example), [element])
    assert {_local(r.iri) for r in found.reached} == EXPECTED[example, element]


PATHS = [
    (
        "telco",
        "tel:ptn-secureops",
        "per-thomas",
        "SecureOps AG -performsActivity-> Round-the-clock security monitoring (SOC) "
        "<-requiresActivity- Alpina Managed Security -deliversValueProposition-> Secure "
        "multi-site connectivity with guaranteed service levels <-forValueProposition- "
        "Connecting 40 depots -forPersona-> Thomas Keller, head of IT at a logistics company "
        "in Aarau",
    ),
    (
        "telco",
        "tel:unit-finance",
        "cost-app-billing",
        "Finance <-ownedBy- Billing database <-usesDataStore- Convergent billing <-incurredBy- "
        "Convergent billing licences and operations",
    ),
    (
        "bank",
        "bank:app-atm-management",
        "per-marcel",
        "ATM management system <-supportedByApplication- Withdraw cash at a skimmed ATM "
        "-inStage-> Everyday cash withdrawal <-hasStage- Recover from debit card fraud "
        "-forPersona-> Marcel Gagnon, retiree",
    ),
]


@pytest.mark.parametrize(("example", "element", "target", "words"), PATHS)
def test_each_element_comes_with_its_shortest_path(
    example: str, element: str, target: str, words: str
) -> None:
    found = impact(_model(example), [element])
    reached = next(r for r in found.reached if _local(r.iri) == target)
    assert found.path_text(reached) == words
    assert reached.depth == len(reached.path) == words.count("->") + words.count("<-")
    assert reached.path[0].source == found.start[0].iri and reached.path[-1].target == reached.iri
    for step, following in zip(reached.path, reached.path[1:], strict=False):
        assert step.target == following.source


@pytest.mark.parametrize(
    ("example", "app"), [("telco", TEL + "app-cpq"), ("bank", BANK + "app-atm-management")]
)
def test_an_applications_touchpoints_and_journeys_are_those_sparql_finds(
    example: str, app: str
) -> None:
    model = _model(example)
    touchpoints = _select(model, f"SELECT ?t {{ ?t bm:supportedByApplication <{app}> }}")
    journeys = _select(
        model,
        f"SELECT DISTINCT ?j {{ ?t bm:supportedByApplication <{app}> ; bm:inStage ?s . "
        "?j bm:hasStage ?s }",
    )
    personas = _select(
        model,
        f"SELECT DISTINCT ?p {{ ?t bm:supportedByApplication <{app}> ; bm:inStage ?s . "
        "?j bm:hasStage ?s ; bm:forPersona ?p }",
    )
    groups = impact(model, [app]).by_kind()
    assert touchpoints and journeys and personas
    assert touchpoints <= {r.iri for r in groups["Touchpoint"]}
    assert journeys <= {r.iri for r in groups["CustomerJourney"]}
    assert personas <= {r.iri for r in groups["Persona"]}


def test_where_used_is_one_link() -> None:
    model = _model("telco")
    found = impact(model, ["tel:app-cpq"], depth=1)
    app = TEL + "app-cpq"
    direct = _select(
        model,
        "SELECT ?x { { ?x bm:supportedByApplication|bm:usesApplication|bm:incurredBy "
        f"<{app}> }} UNION {{ <{app}> bm:realisesCapability ?x }} }}",
    )
    assert found.iris == direct
    assert {r.depth for r in found.reached} == {1}
    assert found.to_text().startswith("Where Business quoting (CPQ) (application) is used")


def test_a_bank_partner_with_no_alternative_puts_its_segments_and_revenue_at_stake() -> None:
    found = impact(_model("bank"), ["Cardplex Processing"])
    counts = {k: len(v) for k, v in found.by_kind().items()}
    assert counts["CustomerSegment"] == 16 and counts["RevenueStream"] == 28
    assert {_local(r.iri) for r in found.by_kind()["CustomerJourney"]} == {
        "jrn-card-fraud-support",
        "jrn-family-resp",
        "jrn-newcomer-onboarding",
        "jrn-student-account",
    }
    (stake,) = found.stakes
    assert stake.revenue == (("CAD", Decimal("1386600000")),)
    assert stake.customers == 1_988_400


def test_a_bank_unit_reaches_what_it_owns_and_beyond() -> None:
    found = impact(_model("bank"), ["bank:unit-business-service-centre"])
    groups = found.by_kind()
    assert {_local(r.iri) for r in groups["CustomerSegment"]} == {
        "seg-newcomers-to-canada",
        "seg-retirees",
        "seg-small-business-owners",
    }
    owned = _select(
        _model("bank"), f"SELECT ?x {{ ?x bm:ownedBy <{BANK}unit-business-service-centre> }}"
    )
    assert owned <= found.iris
    assert {r.depth for r in found.reached if r.iri in owned} == {1}


def test_several_start_elements_reach_the_union_with_the_nearer_path() -> None:
    model = _model("telco")
    one, two = impact(model, ["tel:unit-finance"]), impact(model, ["tel:ptn-secureops"])
    both = impact(model, ["tel:unit-finance", "SecureOps AG"])
    assert both.iris == (one.iris | two.iris)
    assert [e.iri for e in both.start] == [TEL + "unit-finance", TEL + "ptn-secureops"]
    depth = {r.iri: r.depth for r in both.reached}
    for single in (one, two):
        assert all(depth[r.iri] <= r.depth for r in single.reached)


def test_an_unknown_element_is_an_error_with_close_matches() -> None:
    with pytest.raises(UnknownElementError) as caught:
        impact(_model("telco"), ["tel:app-cpqq"])
    assert "no element 'tel:app-cpqq'" in str(caught.value)
    assert "tel:app-cpq" in caught.value.matches
    with pytest.raises(UnknownElementError, match="Finanse"):
        impact(_model("telco"), ["Finanse"])


def test_money_is_summed_per_currency_never_across(tmp_path: Path) -> None:
    data = tmp_path / "two.ttl"
    data.write_text(
        """@prefix bm: <https://w3id.org/bmkg/ontology#> .
@prefix ex: <https://example.org/two/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
ex:seg a bm:CustomerSegment ; rdfs:label "Travellers" ; bm:customerCount 1200 .
ex:chf a bm:RevenueStream ; rdfs:label "Swiss fares" ; bm:fromSegment ex:seg ;
    bm:amount 100.50 ; bm:currency "CHF" .
ex:eur a bm:RevenueStream ; rdfs:label "Euro fares" ; bm:fromSegment ex:seg ;
    bm:amount 200 ; bm:currency "EUR" .
ex:eur2 a bm:RevenueStream ; rdfs:label "More euro fares" ; bm:fromSegment ex:seg ;
    bm:amount 50 ; bm:currency "EUR" .
ex:cost a bm:CostItem ; rdfs:label "Desk" ; bm:allocatedTo ex:seg ;
    bm:amount 10 ; bm:currency "CHF" .
"""
    )
    model = kg.open_model(data)
    (stake,) = impact(model, ["ex:seg"]).stakes
    assert stake.revenue == (("CHF", Decimal("100.50")), ("EUR", Decimal("250")))
    assert stake.cost == (("CHF", Decimal("10")),)
    assert stake.customers == 1200
    assert stake.text() == "CHF 100 and EUR 250 of revenue a year, CHF 10 of costs, 1,200 customers"


def test_money_is_given_per_enterprise_in_a_model_of_several() -> None:
    model = kg.open_model(kg.example_path("telco"), kg.example_path("bank"))
    found = impact(model, ["tel:ptn-secureops"])
    assert [s.enterprise.label for s in found.stakes if s.enterprise] == [
        "Alpina Telecom AG",
        "Maple Harbour Bank",
    ]
    telco, bank = found.stakes
    assert not bank.revenue and telco.revenue == (("CHF", Decimal("305000000")),)
    scoped = impact(model, ["tel:ptn-secureops"], enterprise="Alpina Telecom AG")
    assert scoped.iris == impact(_model("telco"), ["tel:ptn-secureops"]).iris
    assert [s.enterprise for s in scoped.stakes] == [scoped.enterprise]


def test_to_dict_round_trips_through_json_and_text_names_the_paths() -> None:
    found = impact(_model("telco"), ["tel:ptn-secureops"])
    data = found.to_dict()
    assert json.loads(json.dumps(data)) == data
    assert data["counts"]["CustomerSegment"] == 3
    assert data["at_stake"][0]["revenue"] == [{"currency": "CHF", "amount": 305000000}]
    assert data["reached"][0]["path"][0] == {
        "from": TEL + "ptn-secureops",
        "property": "bm:incurredBy",
        "direction": "inverse",
        "to": TEL + "cost-ptn-secureops",
    }
    text = found.to_text()
    assert "At stake: CHF 305 million of revenue a year" in text
    assert "Customer segments (3):" in text
    assert "SecureOps AG -performsActivity-> Round-the-clock security monitoring (SOC)" in text


def test_the_reach_of_every_element_is_a_minority_of_the_model() -> None:
    from kg.impact import DependenceGraph

    for example in ("telco", "bank"):
        graph = DependenceGraph(_model(example))
        sizes = [len(graph.paths([iri])) for iri in graph.elements]
        assert max(sizes) < len(graph.elements) / 2, example


# -- the picture and the views' marking -------------------------------------------------------


def test_the_picture_highlights_the_start_and_draws_every_path_in_bold() -> None:
    from kg.impactpicture import PATH_COLOUR, impact_picture
    from kg.pictures import HIGHLIGHT

    model = _model("telco")
    found = impact(model, ["tel:ptn-secureops"])
    picture = impact_picture(model, found)
    assert picture.highlighted == {TEL + "ptn-secureops"}
    assert picture.node(TEL + "ptn-secureops")["color"]["border"] == HIGHLIGHT
    assert {n["id"] for n in picture.nodes} == found.iris | {TEL + "ptn-secureops"}
    edges = {(e["from"], e["to"]) for e in picture.edges}
    assert edges == {(r.path[-1].source, r.iri) for r in found.reached}
    assert all(e["width"] == 3 and e["color"]["color"] == PATH_COLOUR for e in picture.edges)
    legend = dict(picture.legend)
    assert legend["where the impact starts (red ring)"] == HIGHLIGHT
    assert "path of dependence (bold line)" in legend
    assert "application" not in legend  # only what is drawn
    assert "touchpoint" not in legend


def test_a_large_impact_draws_the_nearest_and_says_how_many_are_left_out() -> None:
    from kg.impactpicture import impact_picture

    model = _model("bank")
    found = impact(model, ["Cardplex Processing"])
    picture = impact_picture(model, found, max_nodes=40)
    assert len(picture.nodes) == 40
    assert f"{len(found.reached) - 39} are left out" in picture.notes[0]
    drawn = {n["id"] for n in picture.nodes}
    kept = [r.depth for r in found.reached if r.iri in drawn]
    assert max(kept) <= min(r.depth for r in found.reached if r.iri not in drawn)


def test_the_views_mark_what_the_impact_reaches() -> None:
    from kg.views.canvas import business_model_canvas
    from kg.views.journey import journey_map

    model = _model("telco")
    found = impact(model, ["tel:app-cpq"])
    canvas = business_model_canvas(model, reached=found.iris)
    plain = business_model_canvas(model)
    assert "kgv-reached" not in plain.body
    assert canvas.body.count('aria-label="in the impact"') >= 2
    journeys = journey_map(model, TEL + "jrn-salon-connect", reached=found.iris)
    assert journeys.body.count('class="kgv-reached"') >= 4
    assert "marks what the impact reaches" in journeys.body
    key = f"{len(found.iris)} elements in all"
    named = journey_map(
        model, TEL + "jrn-salon-connect", reached=found.iris, reached_from=["CPQ", "Kiosk"]
    )
    assert "depends on <strong>CPQ</strong> and <strong>Kiosk</strong> (" + key in named.body


@pytest.mark.skipif(
    find_chromium() is None and os.environ.get("CI") != "true",
    reason="headless Chromium is not installed (apt-get install chromium)",
)
def test_the_picture_and_the_marked_canvas_draw_in_a_browser(tmp_path: Path) -> None:
    from kg.impactpicture import impact_picture
    from kg.pictures import vis_assets
    from kg.views.base import stylesheet
    from kg.views.canvas import business_model_canvas

    model = _model("telco")
    found = impact(model, ["tel:ptn-secureops"])
    picture = impact_picture(model, found)
    canvas = business_model_canvas(model, reached=found.iris)
    page = tmp_path / "impact.html"
    page.write_text(
        "<!DOCTYPE html><html><head><meta charset='utf-8'>"
        + vis_assets()
        + f"<style>{stylesheet()}</style></head><body>"
        + picture.to_fragment("impact")
        + canvas.body
        + "</body></html>",
        encoding="utf-8",
    )
    png = screenshot(page, tmp_path / "impact.png", width=1400, height=1800)
    assert png.stat().st_size > 20_000
    dom = dump_dom(page)
    container = re.search(r'<div [^>]*id="impact-network"[^>]*>', dom)
    assert container
    marks = dict(re.findall(r'data-vis-([a-z-]+)="([^"]*)"', container.group(0)))
    assert int(marks["nodes"]) == len(picture.nodes) == 25
    assert int(marks["labels"]) == len(picture.nodes)
    assert dom.count('class="kgv-reached"') >= 5
