"""Tests of the SHACL shapes through kg.validation: each kind of constraint, broken one at a time.

``tests/fixtures/minimal.ttl`` is a sound model that conforms with no results at all. Each case in
``CASES`` derives a broken model from it by removing and adding a few triples (Turtle snippets with
the prefixes of ``PREFIXES``) and lists exactly the results the shapes must give: severity, focus
node, path and constraint component, plus a key phrase of the shape's message. Nothing else may
appear, so a case fails when a shape stops firing, fires twice, fires on the wrong node or with the
wrong severity.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pytest
import rdflib
from rdflib.namespace import RDF, SH
from rdflib.term import Literal, Node, URIRef

from kg.model import open_model
from kg.ontology import shapes_graph
from kg.validation import Severity, ValidationReport, validate

MINIMAL = Path(__file__).parent / "fixtures" / "minimal.ttl"

PREFIXES = """\
@prefix bm:      <https://w3id.org/bmkg/ontology#> .
@prefix bmv:     <https://w3id.org/bmkg/vocab#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix ex:      <https://example.org/mini/> .
@prefix org:     <http://www.w3.org/ns/org#> .
@prefix rdfs:    <http://www.w3.org/2000/01/rdf-schema#> .
@prefix schema:  <https://schema.org/> .
@prefix skos:    <http://www.w3.org/2004/02/skos/core#> .
@prefix xsd:     <http://www.w3.org/2001/XMLSchema#> .
"""

V, W = Severity.VIOLATION, Severity.WARNING

Key = tuple[Severity, str, str | None, str]


# --------------------------------------------------------------------------------------------------
# The case table
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Expect:
    """One expected result; ``component`` is short: ``MinCount`` for MinCountConstraintComponent."""

    severity: Severity
    focus: str
    path: str | None
    component: str
    phrase: str

    @property
    def key(self) -> Key:
        return (self.severity, self.focus, self.path, f"{self.component}ConstraintComponent")


@dataclass(frozen=True)
class Case:
    id: str
    remove: str
    add: str
    expected: tuple[Expect, ...]


# fmt: off
CASES: tuple[Case, ...] = (
    # ---- sh:minCount ---------------------------------------------------------------------------
    Case(
        "minCount-value-proposition-targets-segment",
        remove="ex:vp-family bm:targetsSegment ex:seg-families .",
        add="",
        expected=(
            Expect(V, "ex:vp-family", "bm:targetsSegment", "MinCount",
                   "must target at least one customer segment"),
        ),
    ),
    Case(
        "minCount-warning-channel-owner",
        remove="ex:ch-web bm:ownedBy ex:unit-sales .",
        add="",
        expected=(
            Expect(W, "ex:ch-web", "bm:ownedBy", "MinCount",
                   "No organisational unit owns this channel"),
        ),
    ),
    # ---- sh:maxCount ---------------------------------------------------------------------------
    Case(
        "maxCount-persona-represents-two-segments",
        remove="",
        # A complete second segment, so that only the persona's second link is wrong.
        add="""
            ex:seg-students a bm:CustomerSegment ; rdfs:label "Students" ;
                bm:segmentSize 50000 ; bm:growthRate 0.01 ; bm:locatedIn ex:geo-zh .
            ex:per-anna bm:representsSegment ex:seg-students .
        """,
        expected=(
            Expect(V, "ex:per-anna", "bm:representsSegment", "MaxCount",
                   "must represent exactly one customer segment"),
        ),
    ),
    Case(
        "maxCount-inverse-stage-in-two-journeys",
        remove="",
        add="""
            ex:jrn-renew a bm:CustomerJourney ; rdfs:label "Renew the bundle" ;
                bm:forPersona ex:per-anna ; bm:hasStage ex:stg-commit .
        """,
        expected=(
            Expect(V, "ex:stg-commit", "^bm:hasStage", "MaxCount",
                   "must belong to exactly one customer journey"),
        ),
    ),
    # ---- sh:datatype ---------------------------------------------------------------------------
    Case(
        "datatype-amount-integer",
        remove="ex:cost-network bm:amount 1200000.00 .",
        add="ex:cost-network bm:amount 1200000 .",
        expected=(
            Expect(V, "ex:cost-network", "bm:amount", "Datatype", "write 1200000.00, not 1200000"),
        ),
    ),
    Case(
        "datatype-growth-rate-string",
        remove="ex:seg-families bm:growthRate 0.03 .",
        add='ex:seg-families bm:growthRate "0.03" .',
        # A string cannot be compared with the bounds -1.0 and 10.0, and SHACL counts a value that
        # cannot be compared as out of range: the same property shape also fails its sh:minInclusive
        # and sh:maxInclusive.
        expected=(
            Expect(V, "ex:seg-families", "bm:growthRate", "Datatype",
                   "growth rate must be one decimal fraction"),
            Expect(V, "ex:seg-families", "bm:growthRate", "MinInclusive",
                   "growth rate must be one decimal fraction"),
            Expect(V, "ex:seg-families", "bm:growthRate", "MaxInclusive",
                   "growth rate must be one decimal fraction"),
        ),
    ),
    # ---- sh:minInclusive / sh:maxInclusive -----------------------------------------------------
    Case(
        "maxInclusive-target-maturity-6",
        remove="ex:cap-billing bm:targetMaturity 4 .",
        add="ex:cap-billing bm:targetMaturity 6 .",
        expected=(
            Expect(V, "ex:cap-billing", "bm:targetMaturity", "MaxInclusive",
                   "target maturity must be one whole number from 1"),
        ),
    ),
    Case(
        "minInclusive-emotion-minus-3",
        remove="ex:tp-compare bm:emotion 1 .",
        add="ex:tp-compare bm:emotion -3 .",
        expected=(
            Expect(V, "ex:tp-compare", "bm:emotion", "MinInclusive",
                   "emotion must be one whole number from -2"),
        ),
    ),
    Case(
        "minExclusive-exchange-rate-0",
        remove="",
        add='ex:fx-eur a bm:ExchangeRate ; bm:fromCurrency "EUR" ; bm:toCurrency "CHF" ; '
        'bm:rate 0.0 ; bm:rateDate "2026-06-30"^^xsd:date ; dcterms:source "Central bank" .',
        expected=(
            Expect(V, "ex:fx-eur", "bm:rate", "MinExclusive", "a positive decimal"),
        ),
    ),
    Case(
        "minInclusive-importance-0",
        remove="ex:need-one-bill bm:importance 4 .",
        add="ex:need-one-bill bm:importance 0 .",
        expected=(
            Expect(V, "ex:need-one-bill", "bm:importance", "MinInclusive",
                   "importance must be one whole number from 1"),
        ),
    ),
    # ---- sh:in ---------------------------------------------------------------------------------
    Case(
        "in-channel-kind-is-a-lifecycle-status",
        remove="ex:ch-web bm:channelKind bmv:Online .",
        add="ex:ch-web bm:channelKind bmv:Live .",
        expected=(
            Expect(V, "ex:ch-web", "bm:channelKind", "In",
                   "must have exactly one channel kind"),
        ),
    ),
    # ---- sh:class ------------------------------------------------------------------------------
    Case(
        "class-value-proposition-targets-channel",
        remove="ex:vp-family bm:targetsSegment ex:seg-families .",
        add="ex:vp-family bm:targetsSegment ex:ch-web .",
        # The channel satisfies sh:minCount 1, so only sh:class fails.
        expected=(
            Expect(V, "ex:vp-family", "bm:targetsSegment", "Class",
                   "can only target customer segments"),
        ),
    ),
    # ---- sh:pattern ----------------------------------------------------------------------------
    Case(
        "pattern-currency-lowercase",
        remove='ex:cost-network bm:currency "CHF" .',
        add='ex:cost-network bm:currency "chf" .',
        expected=(
            Expect(V, "ex:cost-network", "bm:currency", "Pattern", "three-letter ISO 4217 code"),
            Expect(W, "ex:cost-network", "bm:currency", "In", "not an ISO 4217 code"),
        ),
    ),
    Case(
        "in-currency-unknown-code",
        remove='ex:cost-network bm:currency "CHF" .',
        add='ex:cost-network bm:currency "ABC" .',
        expected=(
            Expect(W, "ex:cost-network", "bm:currency", "In", "not an ISO 4217 code"),
        ),
    ),
    Case(
        "pattern-currency-in-words",
        remove='ex:rev-bundle bm:currency "CHF" .',
        add='ex:rev-bundle bm:currency "Swiss francs" .',
        expected=(
            Expect(V, "ex:rev-bundle", "bm:currency", "Pattern", "three-letter ISO 4217 code"),
            Expect(W, "ex:rev-bundle", "bm:currency", "In", "not an ISO 4217 code"),
        ),
    ),
    Case(
        "pattern-language-tag",
        remove='ex:loc-de bm:languageTag "de-CH"^^xsd:language .',
        add='ex:loc-de bm:languageTag "german"^^xsd:language .',
        expected=(
            Expect(V, "ex:loc-de", "bm:languageTag", "Pattern", "BCP 47 language tag"),
        ),
    ),
    # ---- sh:lessThanOrEquals -------------------------------------------------------------------
    Case(
        "lessThanOrEquals-customers-above-segment-size",
        remove="ex:seg-families bm:customerCount 120000 .",
        add="ex:seg-families bm:customerCount 950000 .",
        expected=(
            Expect(V, "ex:seg-families", "bm:customerCount", "LessThanOrEquals",
                   "more customers than its market size"),
        ),
    ),
    # ---- sh:nodeKind ---------------------------------------------------------------------------
    Case(
        "nodeKind-label-is-an-iri",
        remove='ex:bp-simple rdfs:label "Simple, fair, yours" .',
        add="ex:bp-simple rdfs:label ex:simple-fair-yours .",
        expected=(
            Expect(V, "ex:bp-simple", "rdfs:label", "NodeKind", "Every element needs a name"),
        ),
    ),
    # ---- sh:or at node level -------------------------------------------------------------------
    Case(
        "or-node-need-neither-job-pain-nor-gain",
        remove="ex:need-one-bill a bm:Job .",
        add="ex:need-one-bill a bm:CustomerNeed .",
        expected=(
            Expect(V, "ex:need-one-bill", None, "Or", "must be a job, a pain or a gain"),
        ),
    ),
    Case(
        "or-node-offering-neither-product-nor-service",
        remove="ex:prd-bundle a bm:Product .",
        add="ex:prd-bundle a bm:Offering .",
        expected=(
            Expect(V, "ex:prd-bundle", None, "Or", "must be a product or a service"),
        ),
    ),
    # ---- links to one of several classes (SPARQL, so that a write is checked on its own) -----
    Case(
        "or-property-cost-incurred-by-segment",
        remove="ex:cost-network bm:incurredBy ex:ptn-fibre .",
        add="ex:cost-network bm:incurredBy ex:seg-families .",
        expected=(
            Expect(V, "ex:cost-network", "bm:incurredBy", "SPARQL",
                   "A cost can only be incurred by"),
        ),
    ),
    # ---- prose: text, plain or with a language tag (SPARQL) ------------------------------------
    Case(
        "sparql-persona-goal-is-a-number",
        remove='ex:per-anna bm:personaGoal "One bill for the whole family" .',
        add='ex:per-anna bm:personaGoal 42 ; bm:petPeeve "Warteschleifen"@de .',
        expected=(
            Expect(V, "ex:per-anna", "bm:personaGoal", "SPARQL",
                   "goals and pet peeves are written as text"),
        ),
    ),
    Case(
        "sparql-customer-action-is-an-iri",
        remove='ex:tp-compare bm:customerAction "Compares plans online" .',
        add="ex:tp-compare bm:customerAction ex:ch-web .",
        expected=(
            Expect(V, "ex:tp-compare", "bm:customerAction", "SPARQL",
                   "customer action is written as text"),
        ),
    ),
    Case(
        "or-property-cost-allocated-to-a-channel",
        remove="ex:cost-network bm:allocatedTo ex:vp-family .",
        add="ex:cost-network bm:allocatedTo ex:ch-web .",
        expected=(
            Expect(V, "ex:cost-network", "bm:allocatedTo", "SPARQL",
                   "A cost can only be allocated to a value proposition or a customer segment"),
        ),
    ),
    Case(
        "or-property-goal-for-a-concept",
        remove="ex:goal-growth bm:goalFor ex:acme .",
        add="ex:goal-growth bm:goalFor bmv:Live .",
        expected=(
            Expect(V, "ex:goal-growth", "bm:goalFor", "SPARQL",
                   "A goal can only be set for the enterprise"),
        ),
    ),
    Case(
        "or-property-unit-part-of-a-product",
        remove="ex:unit-sales org:subOrganizationOf ex:acme .",
        add="ex:unit-sales org:subOrganizationOf ex:prd-bundle .",
        expected=(
            Expect(V, "ex:unit-sales", "org:subOrganizationOf", "SPARQL",
                   "A unit can only be part of another unit or of the enterprise"),
        ),
    ),
    Case(
        "sparql-belongs-to-not-an-enterprise",
        remove="",
        add="ex:seg-families bm:belongsTo ex:geo-ch .",
        expected=(
            Expect(V, "ex:seg-families", "bm:belongsTo", "SPARQL",
                   "can only belong to an enterprise or to one of its organisational units"),
        ),
    ),
    # ---- inverse paths -------------------------------------------------------------------------
    Case(
        "inversePath-minCount-need-nobody-has",
        remove="""
            ex:seg-families bm:hasNeed ex:need-one-bill .
            ex:per-anna bm:hasNeed ex:need-one-bill .
        """,
        add="",
        expected=(
            Expect(W, "ex:need-one-bill", "^bm:hasNeed", "MinCount",
                   "No segment or persona has this need"),
        ),
    ),
    Case(
        "inversePath-minCount-stage-in-no-journey",
        remove="ex:jrn-join bm:hasStage ex:stg-commit .",
        add="",
        expected=(
            Expect(V, "ex:stg-commit", "^bm:hasStage", "MinCount",
                   "must belong to exactly one customer journey"),
        ),
    ),
    # ---- SPARQL constraints --------------------------------------------------------------------
    Case(
        "sparql-stages-share-sequence",
        remove="ex:stg-commit bm:sequence 2 .",
        add="ex:stg-commit bm:sequence 1 .",
        expected=(
            Expect(V, "ex:jrn-join", None, "SPARQL", "Two stages of this journey"),
        ),
    ),
    Case(
        "sparql-touchpoints-share-sequence",
        remove="ex:tp-order bm:sequence 2 .",
        add="ex:tp-order bm:sequence 1 .",
        expected=(
            Expect(V, "ex:jrn-join", None, "SPARQL", "Two touchpoints of this journey"),
        ),
    ),
    Case(
        "sparql-touchpoint-before-its-stage",
        remove="ex:tp-compare bm:sequence 1 .",
        add="ex:tp-compare bm:sequence 3 .",
        expected=(
            Expect(V, "ex:jrn-join", None, "SPARQL", "but its stage comes after"),
        ),
    ),
    Case(
        "sparql-warning-stage-kinds-out-of-order",
        remove="ex:stg-research bm:stageKind bmv:InitialResearch .",
        add="ex:stg-research bm:stageKind bmv:Renewal .",
        expected=(
            Expect(W, "ex:jrn-join", None, "SPARQL",
                   "against the usual order of journey stages"),
        ),
    ),
    Case(
        "sparql-geography-containment-cycle",
        remove="",
        add="ex:geo-ch schema:containedInPlace ex:geo-zh .",
        # Both geographies lie on the cycle, so each is reported as containing itself.
        expected=(
            Expect(V, "ex:geo-ch", None, "SPARQL", "the nesting has a cycle"),
            Expect(V, "ex:geo-zh", None, "SPARQL", "the nesting has a cycle"),
        ),
    ),
    Case(
        "sparql-capability-broader-cycle",
        remove="",
        add="ex:cap-customer-mgmt skos:broader ex:cap-billing .",
        # Both capabilities lie on the cycle, so each is reported as part of itself.
        expected=(
            Expect(V, "ex:cap-billing", None, "SPARQL", "the capability map has a cycle"),
            Expect(V, "ex:cap-customer-mgmt", None, "SPARQL", "the capability map has a cycle"),
        ),
    ),
    Case(
        "sparql-metric-category-not-in-perspective",
        remove="ex:met-nps bm:metricCategory bmv:Advocacy .",
        add="ex:met-nps bm:metricCategory bmv:Efficiency .",
        expected=(
            Expect(V, "ex:met-nps", None, "SPARQL", "does not belong to its perspective"),
        ),
    ),
    Case(
        "sparql-goal-revenue-without-currency",
        remove='ex:goal-growth bm:currency "CHF" .',
        add="",
        expected=(
            Expect(V, "ex:goal-growth", None, "SPARQL", "target revenue but no currency"),
        ),
    ),
    Case(
        "sparql-warning-goal-without-target",
        remove="""
            ex:goal-growth bm:targetGrowthRate 0.05 .
            ex:goal-growth bm:targetRevenue 6000000.00 .
        """,
        add="",
        expected=(
            Expect(W, "ex:goal-growth", None, "SPARQL",
                   "neither a target growth rate nor a target revenue"),
        ),
    ),
    Case(
        "sparql-warning-evidence-after-as-of-date",
        remove='ex:ev-survey dcterms:date "2026-03-01"^^xsd:date .',
        add='ex:ev-survey dcterms:date "2026-10-15"^^xsd:date .',
        expected=(
            Expect(W, "ex:ev-survey", None, "SPARQL", "after the model's as-of date"),
        ),
    ),
    Case(
        "sparql-warning-partner-supplies-nothing",
        remove="ex:ptn-cable bm:performsActivity ex:act-network-ops .",
        add="",
        expected=(
            Expect(W, "ex:ptn-cable", None, "SPARQL",
                   "supplies no resource and performs no activity"),
        ),
    ),
    Case(
        "sparql-partner-own-alternative",
        remove="",
        add="ex:ptn-cable bm:alternativePartner ex:ptn-cable .",
        expected=(
            Expect(V, "ex:ptn-cable", None, "SPARQL", "named as its own alternative"),
        ),
    ),
    Case(
        "sparql-warning-touchpoint-without-feeling",
        remove="ex:tp-compare bm:emotion 1 .",
        add="",
        expected=(
            Expect(W, "ex:tp-compare", None, "SPARQL",
                   "neither an emotion nor a satisfaction score"),
        ),
    ),
    Case(
        "sparql-a-product-typed-as-a-service-too",
        remove="",
        add="ex:prd-bundle a bm:Service .",
        expected=(
            Expect(V, "bm:Product", None, "SPARQL", "which the ontology says are different kinds"),
        ),
    ),
    Case(
        "sparql-a-job-typed-as-a-pain-too",
        remove="",
        add="ex:need-one-bill a bm:Pain .",
        expected=(
            Expect(V, "bm:Job", None, "SPARQL", "nothing can be both"),
        ),
    ),
    Case(
        "sparql-value-stream-for-a-channel",
        remove="",
        add="""
            ex:vs-home a bm:ValueStream ; rdfs:label "Get connected" ;
                bm:hasValueStreamStage ex:vss-order ; bm:valueStreamFor ex:ch-web .
            ex:vss-order a bm:ValueStreamStage ; rdfs:label "Order" ; bm:sequence 1 .
        """,
        expected=(
            Expect(V, "ex:vs-home", "bm:valueStreamFor", "SPARQL",
                   "A value stream delivers for a customer segment or a value proposition"),
        ),
    ),
    Case(
        "sparql-stakeholder-concerned-with-a-channel",
        remove="",
        add='ex:sh-board a bm:Stakeholder ; rdfs:label "Board" ; bm:hasConcern ex:ch-web .',
        expected=(
            Expect(V, "ex:sh-board", "bm:hasConcern", "SPARQL",
                   "A stakeholder's concern is a driver or a goal"),
        ),
    ),
    Case(
        "sparql-warning-reliever-of-a-pain-its-proposition-misses",
        remove="",
        add="""
            ex:need-wait a bm:Pain ; rdfs:label "Waiting on hold" ; bm:importance 3 .
            ex:seg-families bm:hasNeed ex:need-wait .
            ex:pr-callback a bm:PainReliever ; rdfs:label "Call-back instead of hold music" ;
                bm:relievesPain ex:need-wait ; bm:partOfValueProposition ex:vp-family .
        """,
        expected=(
            Expect(W, "ex:pr-callback", "bm:relievesPain", "SPARQL",
                   "which its value proposition"),
        ),
    ),
)
# fmt: on

CASES_BY_ID = {case.id: case for case in CASES}


# --------------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------------


def snippet(turtle: str) -> rdflib.Graph:
    return rdflib.Graph().parse(data=PREFIXES + turtle, format="turtle")


def broken_graph(remove: str = "", add: str = "") -> rdflib.Graph:
    """minimal.ttl (with its prefixes, for readable CURIEs) minus ``remove`` plus ``add``."""
    graph = rdflib.Graph().parse(MINIMAL, format="turtle")
    for triple in snippet(remove):
        assert triple in graph, f"the fixture to break has no triple {triple}"
        graph.remove(triple)
    for triple in snippet(add):
        assert triple not in graph, f"the fixture already has the triple {triple}"
        graph.add(triple)
    return graph


def keys(results: Iterable[Expect] | ValidationReport) -> Counter[Key]:
    if isinstance(results, ValidationReport):
        return Counter((r.severity, r.focus_node, r.path, r.component) for r in results.results)
    return Counter(e.key for e in results)


def without_severity(counter: Counter[Key]) -> Counter[tuple[str, str | None, str]]:
    return Counter({key[1:]: n for key, n in counter.items()})


def check(report: ValidationReport, expected: tuple[Expect, ...]) -> None:
    """Exactly the expected results, with the expected severities and messages."""
    actual = keys(report)
    wanted = keys(expected)
    assert without_severity(actual) == without_severity(wanted)
    phrases = {e.key[1:]: e.phrase for e in expected}
    for result in report.results:
        phrase = phrases[(result.focus_node, result.path, result.component)]
        assert phrase in result.message, (result, phrase)
        assert not result.message.startswith("Constraint "), result  # the default text
        assert "{?" not in result.message and "{$" not in result.message, result
    assert actual == wanted


def case_params() -> list[object]:
    return [pytest.param(case, id=case.id) for case in CASES]


# --------------------------------------------------------------------------------------------------
# 1. The sound model conforms with no results at all
# --------------------------------------------------------------------------------------------------


def test_minimal_conforms_as_rdflib_graph() -> None:
    report = validate(rdflib.Graph().parse(MINIMAL, format="turtle"))
    assert report.results == ()
    assert report.conforms is True
    assert report.counts() == {"Violation": 0, "Warning": 0, "Info": 0}


def test_minimal_conforms_through_open_model() -> None:
    with open_model(MINIMAL) as model:
        report = validate(model)
    assert report.results == ()
    assert report.conforms is True


# --------------------------------------------------------------------------------------------------
# 2. Each constraint, broken one at a time, gives exactly the expected results
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("case", case_params())
def test_broken_fixture_gives_exactly_the_expected_results(case: Case) -> None:
    check(validate(broken_graph(case.remove, case.add)), case.expected)


def test_broken_fixture_through_open_model_gives_the_same_results(tmp_path: Path) -> None:
    case = CASES_BY_ID["minCount-value-proposition-targets-segment"]
    path = tmp_path / "broken.ttl"
    broken_graph(case.remove, case.add).serialize(path, format="turtle")
    with open_model(path) as model:
        report = validate(model)
    check(report, case.expected)
    assert report.results[0].focus_label == "Family bundle"


SHORT_COMPONENT = {"sparql": "SPARQL"}
# SHACL Core and SHACL-SPARQL constraint parameters.
CORE_PARAMETERS = (
    *("class", "datatype", "nodeKind", "minCount", "maxCount", "in", "hasValue", "pattern"),
    *("minExclusive", "minInclusive", "maxExclusive", "maxInclusive", "minLength", "maxLength"),
    *("languageIn", "uniqueLang", "equals", "disjoint", "lessThan", "lessThanOrEquals"),
    *("not", "and", "or", "xone", "node", "qualifiedValueShape", "closed", "sparql"),
)


def test_cases_cover_every_kind_of_constraint_in_the_shapes() -> None:
    shapes = shapes_graph()
    used = {name for name in CORE_PARAMETERS if any(shapes.triples((None, SH[name], None)))}
    needed = {SHORT_COMPONENT.get(name, name[0].upper() + name[1:]) for name in used}
    covered = {e.component for case in CASES for e in case.expected}
    assert needed - covered == set()
    assert {e.path for case in CASES for e in case.expected} >= {"^bm:hasNeed", "^bm:hasStage"}


def test_cases_cover_every_sparql_constraint() -> None:
    shapes = shapes_graph()
    templates = [
        str(m) for c in shapes.objects(None, SH.sparql) for m in shapes.objects(c, SH.message)
    ]
    phrases = [e.phrase for case in CASES for e in case.expected if e.component == "SPARQL"]
    uncovered = [t for t in templates if not any(p in t for p in phrases)]
    assert uncovered == []
    assert len(templates) == 24


# SPARQL messages name the nodes they mention by their label, not by IRI.
@pytest.mark.parametrize(
    ("case_id", "text"),
    [
        pytest.param(
            "sparql-stages-share-sequence",
            '"Sign up" and "Research", share position 1',
            id="stage-labels",
        ),
        pytest.param(
            "sparql-touchpoint-before-its-stage",
            'Touchpoint "Order" is numbered before "Compare plans"',
            id="touchpoint-labels",
        ),
        pytest.param(
            "sparql-metric-category-not-in-perspective",
            'category "Efficiency" does not belong to its perspective "Outside-in"',
            id="metric-labels",
        ),
    ],
)
def test_sparql_message_names_nodes_by_label(case_id: str, text: str) -> None:
    case = CASES_BY_ID[case_id]
    report = validate(broken_graph(case.remove, case.add))
    assert len(report.results) == 1
    assert text in report.results[0].message
    assert "<http" not in report.results[0].message


# --------------------------------------------------------------------------------------------------
# 3. Severities: warnings alone keep conformance, a violation breaks it
# --------------------------------------------------------------------------------------------------

WARNINGS_ONLY = """
    ex:ch-web bm:ownedBy ex:unit-sales .
    ex:seg-families bm:growthRate 0.03 .
"""


def test_warnings_alone_keep_conformance() -> None:
    report = validate(broken_graph(remove=WARNINGS_ONLY))
    assert report.conforms is True
    assert report.counts() == {"Violation": 0, "Warning": 2, "Info": 0}
    assert {r.focus_node for r in report.by_severity(Severity.WARNING)} == {
        "ex:ch-web",
        "ex:seg-families",
    }
    report_graph = rdflib.Graph().parse(data=report.to_turtle(), format="turtle")
    assert set(report_graph.objects(None, SH.conforms)) == {Literal(True)}


def test_sparql_warning_alone_keeps_conformance() -> None:
    case = CASES_BY_ID["sparql-warning-touchpoint-without-feeling"]
    report = validate(broken_graph(case.remove, case.add))
    assert report.conforms is True
    assert report.counts() == {"Violation": 0, "Warning": 1, "Info": 0}


def test_a_violation_breaks_conformance() -> None:
    case = CASES_BY_ID["minCount-value-proposition-targets-segment"]
    report = validate(broken_graph(case.remove, case.add))
    assert report.conforms is False
    assert report.counts() == {"Violation": 1, "Warning": 0, "Info": 0}


def test_a_violation_among_warnings_breaks_conformance() -> None:
    report = validate(
        broken_graph(remove=WARNINGS_ONLY + "ex:vp-family bm:targetsSegment ex:seg-families .")
    )
    assert report.conforms is False
    assert report.counts() == {"Violation": 1, "Warning": 2, "Info": 0}


# --------------------------------------------------------------------------------------------------
# 4. The reports: text, JSON and the standard SHACL report graph
# --------------------------------------------------------------------------------------------------

MIXED = """
    ex:vp-family bm:targetsSegment ex:seg-families .
    ex:ch-web bm:ownedBy ex:unit-sales .
"""


@pytest.fixture(scope="module")
def mixed_report() -> ValidationReport:
    """One violation (value proposition without segment) and one warning (channel without owner)."""
    return validate(broken_graph(remove=MIXED))


def test_text_report_names_nodes_and_groups_by_severity(mixed_report: ValidationReport) -> None:
    text = mixed_report.to_text()
    lines = text.splitlines()
    assert lines[0].startswith(
        "Validation: the model does not conform (1 violation, 1 warning, 0 infos; "
    )
    violation, warning = lines.index("Violation (1)"), lines.index("Warning (1)")
    assert violation < warning
    violations, warnings = "\n".join(lines[violation:warning]), "\n".join(lines[warning:])
    assert '    - "Family bundle" (ex:vp-family)' in violations
    assert "A value proposition must target at least one customer segment." in violations
    assert "[bmsh:ValuePropositionShape, path bm:targetsSegment, sh:minCount; 1 node]" in violations
    assert '    - "Website" (ex:ch-web)' in warnings
    assert "No organisational unit owns this channel." in warnings
    assert "ex:ch-web" not in violations and "ex:vp-family" not in warnings
    assert "Info (" not in text


def test_json_report_round_trips(mixed_report: ValidationReport) -> None:
    data = json.loads(mixed_report.to_json())
    assert data["conforms"] is False
    assert data["counts"] == {"Violation": 1, "Warning": 1, "Info": 0}
    assert data["triples"] == mixed_report.triples > 0
    assert [
        (r["severity"], r["focus_node"], r["focus_label"], r["path"]) for r in data["results"]
    ] == [
        ("Violation", "ex:vp-family", "Family bundle", "bm:targetsSegment"),
        ("Warning", "ex:ch-web", "Website", "bm:ownedBy"),
    ]
    assert data == json.loads(json.dumps(mixed_report.to_dict()))


def test_turtle_report_parses_back(mixed_report: ValidationReport) -> None:
    graph = rdflib.Graph().parse(data=mixed_report.to_turtle(), format="turtle")
    reports = list(graph.subjects(RDF.type, SH.ValidationReport))
    assert len(reports) == 1
    assert list(graph.objects(reports[0], SH.conforms)) == [Literal(False)]
    results = set(graph.subjects(RDF.type, SH.ValidationResult))
    assert len(results) == 2
    assert set(graph.objects(reports[0], SH.result)) == results
    assert sorted(str(graph.value(r, SH.resultSeverity)) for r in results) == [
        str(SH.Violation),
        str(SH.Warning),
    ]


# --------------------------------------------------------------------------------------------------
# 5. Every constraint carries its architect-facing message
# --------------------------------------------------------------------------------------------------


def _describe(shapes: rdflib.Graph, node: Node) -> str:
    if isinstance(node, URIRef):
        return shapes.namespace_manager.normalizeUri(node)
    parents = [_describe(shapes, p) for p in shapes.subjects(SH.property, node)]
    parents += [_describe(shapes, p) for p in shapes.subjects(SH.sparql, node)]
    path = shapes.value(node, SH.path)
    where = f" path {path.n3(shapes.namespace_manager)}" if isinstance(path, URIRef) else ""
    return f"{'/'.join(sorted(parents)) or '_'}:{where} {shapes.value(node, SH.message)!r}"


def _has_english_message(shapes: rdflib.Graph, node: Node) -> bool:
    return any(
        isinstance(m, Literal) and m.language == "en" and str(m).strip()
        for m in shapes.objects(node, SH.message)
    )


def test_every_property_shape_and_sparql_constraint_has_a_message() -> None:
    shapes = shapes_graph()
    property_shapes = set(shapes.objects(None, SH.property)) | set(
        shapes.subjects(RDF.type, SH.PropertyShape)
    )
    sparql_constraints = set(shapes.objects(None, SH.sparql))
    assert len(property_shapes) > 100 and len(sparql_constraints) == 24
    missing = sorted(
        _describe(shapes, node)
        for node in property_shapes | sparql_constraints
        if not _has_english_message(shapes, node)
    )
    assert missing == []


NODE_LEVEL_PARAMETERS = ("or", "and", "xone", "not", "class", "in", "nodeKind", "closed")


def test_every_node_level_constraint_has_a_message() -> None:
    shapes = shapes_graph()
    node_shapes = set(shapes.subjects(RDF.type, SH.NodeShape))
    constrained = {
        shape
        for shape in node_shapes
        for name in NODE_LEVEL_PARAMETERS
        if (shape, SH[name], None) in shapes
    }
    assert {shapes.namespace_manager.normalizeUri(s) for s in constrained} >= {
        "bmsh:CustomerNeedShape",
        "bmsh:OfferingShape",
    }
    assert sorted(str(s) for s in constrained if not _has_english_message(shapes, s)) == []


def test_message_placeholders_name_selected_variables() -> None:
    """A {?var} in a SPARQL message must be a variable the query selects, or it stays as text."""
    shapes = shapes_graph()
    unbound = []
    for constraint in shapes.objects(None, SH.sparql):
        select = str(shapes.value(constraint, SH.select))
        head = select[: select.index("WHERE")]
        for message in shapes.objects(constraint, SH.message):
            for name in re.findall(r"\{\?(\w+)\}", str(message)):
                if f"?{name}" not in head:
                    unbound.append((name, str(message)))
    assert unbound == []
