"""kg.silos: the three silo rules find exactly the planted silos, and nothing next to them.

Each rule gets a small model built on ``tests/fixtures/minimal.ttl`` (which has no silo) where the
silo appears, and near misses where it must not: the same products with synchronised stores, the
same channel change with a shared application, the same three units with a shared brand promise.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from kg import silos
from kg.answers import Level, Verdict
from kg.model import open_model
from kg.silos import SiloAnalysis, SiloParameters, find_silos
from kg.store import KnowledgeGraph

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
MINIMAL = Path(__file__).resolve().parent / "fixtures" / "minimal.ttl"
NAMESPACES = {
    "tel": "https://example.org/alpina/",
    "bank": "https://example.org/maple-harbour/",
    "bm": "https://w3id.org/bmkg/ontology#",
    "ex": "https://example.org/mini/",
}
SILO_KINDS = ("product-silo", "channel-silo", "lifecycle-silo")
PREFIXES = """
@prefix bm:   <https://w3id.org/bmkg/ontology#> .
@prefix bmv:  <https://w3id.org/bmkg/vocab#> .
@prefix ex:   <https://example.org/mini/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
"""


def expand(curie: str) -> str:
    prefix, _, local = curie.partition(":")
    return NAMESPACES[prefix] + local


def planted_silos(example: str) -> list[tuple[str, tuple[str, ...]]]:
    """The rows of the example's ``Planted problems`` table whose question is ``silo``."""
    text = (DATA / example / "README.md").read_text(encoding="utf-8")
    _, _, section = text.partition("## Planted problems")
    rows = []
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if not line.lstrip().startswith("|") or len(cells) < 5 or cells[1] != "silo":
            continue
        subjects = tuple(expand(s.strip(" `")) for s in cells[3].split(",") if s.strip(" `"))
        rows.append((cells[2].strip("`"), subjects))
    return rows


def found(analysis: SiloAnalysis) -> Counter[tuple[str, frozenset[str]]]:
    return Counter((f.kind, frozenset(s.iri for s in f.subjects)) for f in analysis.findings)


@pytest.fixture(scope="module", params=["telco", "bank"])
def example(request: pytest.FixtureRequest) -> Iterator[tuple[str, SiloAnalysis]]:
    model = open_model(DATA / request.param)
    yield request.param, find_silos(model)
    model.close()


def test_readme_parser_sees_the_planted_silo_kinds() -> None:
    # The bank has a product and a life-cycle silo but no channel silo; the telco has all three.
    expected = {"telco": set(SILO_KINDS), "bank": {"product-silo", "lifecycle-silo"}}
    for name in ("telco", "bank"):
        rows = planted_silos(name)
        assert {kind for kind, _ in rows} == expected[name], name
        assert all(re.match(r"https://", iri) for _, subjects in rows for iri in subjects)


def test_example_silos_are_exactly_the_planted_ones(example: tuple[str, SiloAnalysis]) -> None:
    name, analysis = example
    expected = Counter((kind, frozenset(subjects)) for kind, subjects in planted_silos(name))
    assert found(analysis) == expected


def test_silos_found_on_threads_are_those_found_one_query_at_a_time(
    example: tuple[str, SiloAnalysis], monkeypatch: pytest.MonkeyPatch
) -> None:
    name, analysis = example
    monkeypatch.setattr(silos, "parallel_queries", lambda store: 1)
    assert find_silos(open_model(DATA / name)).to_dict() == analysis.to_dict()


def test_example_silo_subjects_come_in_the_readme_order(example: tuple[str, SiloAnalysis]) -> None:
    name, analysis = example
    expected = sorted(planted_silos(name))
    actual = sorted((f.kind, tuple(s.iri for s in f.subjects)) for f in analysis.findings)
    assert actual == expected


def test_example_findings_carry_labels_and_evidence(example: tuple[str, SiloAnalysis]) -> None:
    _, analysis = example
    for finding in analysis.findings:
        assert all(s.label and s.type for s in finding.subjects), finding
        assert finding.evidence
    [product] = analysis.findings_of("product-silo")
    assert product.evidence["customer_data_held_twice"]
    assert {"Identity", "Contact"} <= set(product.evidence["customer_data_held_twice"])
    assert product.evidence["value_propositions"]
    for channel in analysis.findings_of("channel-silo"):
        first, second = channel.evidence["steps"]
        assert first["processes"] and second["processes"]
        assert first["sequence"] < second["sequence"]
        behind = [{s["iri"] for s in step["data_stores"]} for step in (first, second)]
        assert not behind[0] & behind[1]
    [lifecycle] = analysis.findings_of("lifecycle-silo")
    functions = [u["functions"] for u in lifecycle.evidence["units"]]
    assert functions == [["Marketing"], ["Sales"], ["Customer service"]]
    assert len(lifecycle.evidence["pairs_sharing_nothing"]) == 3


def test_channel_silo_evidence_quotes_the_second_step(example: tuple[str, SiloAnalysis]) -> None:
    name, analysis = example
    quoted = [f.evidence["steps"][1] for f in analysis.findings_of("channel-silo")]
    if name == "bank":  # its online mortgage applications reach the origination system
        assert quoted == []
        return
    assert any("8 working days" in step.get("description", "") for step in quoted)
    assert any(step.get("emotion") == -2 for step in quoted)


# --- the rules on small models ---------------------------------------------------------------

# Families (minimal.ttl) buy the family bundle, kept in the master record ex:ds-crm. A second live
# product for the same proposition keeps its customers in a store of its own.
MOBILE = """
ex:prd-mobile a bm:Product ; rdfs:label "Mobile plan" ; bm:lifecycleStatus bmv:{status} ;
    bm:deliversValueProposition ex:vp-family ; bm:keepsCustomerDataIn ex:ds-mobile .
ex:ds-mobile a bm:DataStore ; rdfs:label "Mobile database" ;
    bm:holdsCustomerData bmv:IdentityData , bmv:ContactData .
"""
# Two more products, each with its own store; both stores synchronised with the master record, or
# with a hub that is no master record.
TV_AND_PHONE = """
ex:prd-tv a bm:Product ; rdfs:label "TV" ; bm:lifecycleStatus bmv:Live ;
    bm:deliversValueProposition ex:vp-family ; bm:keepsCustomerDataIn ex:ds-tv .
ex:prd-phone a bm:Product ; rdfs:label "Phone" ; bm:lifecycleStatus bmv:Live ;
    bm:deliversValueProposition ex:vp-family ; bm:keepsCustomerDataIn ex:ds-phone .
ex:ds-tv a bm:DataStore ; rdfs:label "TV database" .
ex:ds-phone a bm:DataStore ; rdfs:label "Phone database" .
"""
THROUGH_MASTER = """
ex:ds-tv bm:synchronisedWith ex:ds-crm .
ex:ds-crm bm:synchronisedWith ex:ds-phone .
"""
THROUGH_HUB = """
ex:ds-hub a bm:DataStore ; rdfs:label "Hub" .
ex:ds-tv bm:synchronisedWith ex:ds-hub .
ex:ds-phone bm:synchronisedWith ex:ds-hub .
"""
PRODUCT_SILO = ("product-silo", {"seg-families", "prd-bundle", "prd-mobile", "ds-crm", "ds-mobile"})
TV_PHONE_SILO = ("product-silo", {"seg-families", "prd-tv", "prd-phone", "ds-tv", "ds-phone"})

# The family journey (minimal.ttl): compare plans (web, CRM), order (web, order process). Then a
# phone call, run on a process, an application and a store of its own.
CALL = """
ex:ch-phone a bm:Channel ; rdfs:label "Call centre" ; bm:channelKind bmv:CallCentre .
ex:tp-call a bm:Touchpoint ; rdfs:label "Confirmation call" ; bm:inStage ex:stg-commit ;
    bm:sequence {position} ; bm:inChannel ex:ch-phone ; bm:supportedByProcess ex:proc-callback ;
    bm:emotion -2 .
ex:proc-callback a bm:BusinessProcess ; rdfs:label "Call back" ; bm:usesApplication ex:app-phone .
ex:app-phone a bm:Application ; rdfs:label "Telephony" ; bm:usesDataStore ex:ds-calls .
ex:ds-calls a bm:DataStore ; rdfs:label "Call records" .
"""
CHANNEL_SILO = ("channel-silo", {"jrn-join", "tp-order", "tp-call", "ch-web", "ch-phone"})

# Sales (minimal.ttl) serves families through the order process, with the CRM and "Simple, fair,
# yours". Marketing and service serve them too, each with a process, a tool and a store of its own.
UNITS = """
ex:unit-marketing a bm:OrganisationalUnit ; rdfs:label "Marketing" ;
    bm:hasFunction bmv:MarketingFunction ; bm:conveysBrandPromise ex:{marketing_promise} .
ex:unit-service a bm:OrganisationalUnit ; rdfs:label "Service" ;
    bm:hasFunction bmv:ServiceFunction ; bm:conveysBrandPromise ex:{service_promise} .
ex:proc-campaign a bm:BusinessProcess ; rdfs:label "Campaigns" ; bm:ownedBy ex:unit-marketing ;
    bm:servesSegment ex:seg-families ; bm:usesApplication ex:app-mail .
ex:proc-support a bm:BusinessProcess ; rdfs:label "Support" ; bm:ownedBy ex:unit-service ;
    bm:servesSegment ex:{service_segment} ; bm:usesApplication ex:app-desk .
ex:app-mail a bm:Application ; rdfs:label "Mailer" ; bm:usesDataStore ex:ds-leads .
ex:app-desk a bm:Application ; rdfs:label "Service desk" ; bm:usesDataStore ex:ds-tickets .
ex:ds-leads a bm:DataStore ; rdfs:label "Leads" .
ex:ds-tickets a bm:DataStore ; rdfs:label "Tickets" .
ex:bp-cheap a bm:BrandPromise ; rdfs:label "Cheapest in town" .
ex:bp-always a bm:BrandPromise ; rdfs:label "Always there" .
ex:seg-students a bm:CustomerSegment ; rdfs:label "Students" .
"""
LIFECYCLE_SILO = (
    "lifecycle-silo",
    {"seg-families", "unit-marketing", "unit-sales", "unit-service"},
)
SEPARATE = {"marketing_promise": "bp-cheap", "service_promise": "bp-always"}


def units(*, service_segment: str = "seg-families", **promises: str) -> str:
    return UNITS.format(service_segment=service_segment, **promises)


CASES = [
    # Product silos.
    pytest.param(MOBILE.format(status="Live"), {}, [PRODUCT_SILO], id="product-silo"),
    pytest.param(
        MOBILE.format(status="Live") + "ex:ds-mobile bm:synchronisedWith ex:ds-crm .",
        {},
        [],
        id="product-stores-synchronised",
    ),
    pytest.param(
        MOBILE.format(status="Live") + "ex:ds-crm bm:synchronisedWith ex:ds-mobile .",
        {},
        [],
        id="product-stores-synchronised-the-other-way",
    ),
    pytest.param(MOBILE.format(status="Planned"), {}, [], id="product-not-live"),
    pytest.param(
        "ex:prd-bundle bm:keepsCustomerDataIn ex:ds-mobile .\n"
        'ex:ds-mobile a bm:DataStore ; rdfs:label "Mobile database" .',
        {},
        [],
        id="one-product-in-two-stores-is-not-two-products",
    ),
    pytest.param(
        TV_AND_PHONE + THROUGH_MASTER, {}, [], id="product-stores-linked-by-master-record"
    ),
    pytest.param(
        TV_AND_PHONE + THROUGH_MASTER,
        {"through_master": False},
        [TV_PHONE_SILO],
        id="product-stores-linked-by-master-record-not-counted",
    ),
    pytest.param(
        TV_AND_PHONE + THROUGH_HUB,
        {},
        [
            TV_PHONE_SILO,
            ("product-silo", {"seg-families", "prd-bundle", "prd-tv", "ds-crm", "ds-tv"}),
            ("product-silo", {"seg-families", "prd-bundle", "prd-phone", "ds-crm", "ds-phone"}),
        ],
        id="product-stores-synchronised-with-a-store-that-is-no-master",
    ),
    # Channel silos.
    pytest.param(CALL.format(position=3), {}, [CHANNEL_SILO], id="channel-silo"),
    pytest.param(
        CALL.format(position=3) + "ex:tp-call bm:supportedByApplication ex:app-crm .",
        {},
        [],
        id="channel-change-with-shared-application",
    ),
    pytest.param(
        CALL.format(position=3) + "ex:proc-callback bm:usesApplication ex:app-crm .",
        {},
        [],
        id="channel-change-with-application-shared-through-process",
    ),
    pytest.param(
        CALL.format(position=3) + "ex:proc-order bm:usesApplication ex:app-notify .\n"
        "ex:proc-callback bm:usesApplication ex:app-notify .\n"
        'ex:app-notify a bm:Application ; rdfs:label "Notifier" .',
        {},
        [],
        id="channel-change-with-application-without-store-shared-through-processes",
    ),
    pytest.param(
        CALL.format(position=3) + "ex:app-phone bm:usesDataStore ex:ds-crm .",
        {},
        [],
        id="channel-change-with-shared-store",
    ),
    pytest.param(
        CALL.format(position=3) + "ex:proc-order bm:usesDataStore ex:ds-orders .\n"
        "ex:proc-callback bm:usesDataStore ex:ds-orders .\n"
        'ex:ds-orders a bm:DataStore ; rdfs:label "Orders" .',
        {},
        [],
        id="channel-change-with-store-shared-by-processes",
    ),
    pytest.param(
        CALL.format(position=3) + "ex:tp-order bm:supportedByProcess ex:proc-callback .",
        {},
        [],
        id="channel-change-with-shared-process",
    ),
    pytest.param(
        CALL.format(position=3) + "ex:ds-calls bm:synchronisedWith ex:ds-crm .",
        {},
        [],
        id="channel-change-with-synchronised-stores",
    ),
    pytest.param(
        CALL.format(position=3) + "ex:ds-calls bm:synchronisedWith ex:ds-crm .",
        {"synchronised_as_shared": False},
        [CHANNEL_SILO],
        id="channel-change-with-synchronised-stores-not-counted",
    ),
    pytest.param(
        CALL.format(position=4)
        + 'ex:tp-confirm a bm:Touchpoint ; rdfs:label "Confirm" ; bm:inStage ex:stg-commit ;\n'
        "    bm:sequence 3 ; bm:inChannel ex:ch-web ; bm:supportedByProcess ex:proc-callback .",
        {},
        [],
        id="channel-change-that-is-not-consecutive",
    ),
    # Life-cycle silos.
    pytest.param(units(**SEPARATE), {}, [LIFECYCLE_SILO], id="lifecycle-silo"),
    pytest.param(
        units(marketing_promise="bp-simple", service_promise="bp-simple"),
        {},
        [],
        id="lifecycle-units-share-a-brand-promise",
    ),
    pytest.param(
        units(marketing_promise="bp-simple", service_promise="bp-always"),
        {},
        [LIFECYCLE_SILO],
        id="lifecycle-one-pair-sharing-nothing-is-enough",
    ),
    pytest.param(
        units(marketing_promise="bp-simple", service_promise="bp-always")
        + "ex:proc-order bm:involvesUnit ex:unit-service .\n"
        "ex:proc-support bm:involvesUnit ex:unit-marketing .",
        {},
        [],
        id="lifecycle-units-linked-by-promise-and-processes",
    ),
    pytest.param(
        units(**SEPARATE) + "ex:app-desk bm:usesDataStore ex:ds-leads .\n"
        "ex:unit-sales bm:usesApplication ex:app-mail .\nex:unit-service bm:usesApplication"
        " ex:app-crm .",
        {},
        [],
        id="lifecycle-units-linked-by-applications-and-stores",
    ),
    pytest.param(
        units(**SEPARATE) + 'ex:proc-handover a bm:BusinessProcess ; rdfs:label "Hand-over" ;\n'
        "    bm:ownedBy ex:unit-sales ; bm:involvesUnit ex:unit-service , ex:unit-marketing .",
        {},
        [],
        id="lifecycle-units-take-part-in-one-process",
    ),
    pytest.param(
        units(**SEPARATE) + "ex:unit-sales bm:usesApplication ex:app-chat .\n"
        "ex:unit-marketing bm:usesApplication ex:app-chat .\n"
        "ex:unit-service bm:usesApplication ex:app-chat .\n"
        'ex:app-chat a bm:Application ; rdfs:label "Chat" .',
        {},
        [],
        id="lifecycle-units-use-one-application-without-store",
    ),
    pytest.param(
        units(**SEPARATE) + "ex:unit-sales bm:usesApplication ex:app-x .\n"
        "ex:unit-marketing bm:usesApplication ex:app-y .\n"
        "ex:unit-service bm:usesApplication ex:app-z .\n"
        'ex:app-x a bm:Application ; rdfs:label "X" ; bm:usesDataStore ex:ds-shared .\n'
        'ex:app-y a bm:Application ; rdfs:label "Y" ; bm:usesDataStore ex:ds-shared .\n'
        'ex:app-z a bm:Application ; rdfs:label "Z" ; bm:usesDataStore ex:ds-shared .\n'
        'ex:ds-shared a bm:DataStore ; rdfs:label "Shared" .',
        {},
        [],
        id="lifecycle-units-use-one-store-through-their-own-applications",
    ),
    pytest.param(
        units(**SEPARATE).replace("bmv:ServiceFunction", "bmv:SalesFunction"),
        {},
        [],
        id="lifecycle-without-a-service-unit",
    ),
    pytest.param(
        units(service_segment="seg-students", **SEPARATE),
        {},
        [],
        id="lifecycle-service-serves-another-segment",
    ),
]


def build(tmp_path: Path, turtle: str) -> KnowledgeGraph:
    extra = tmp_path / "extra.ttl"
    extra.write_text(PREFIXES + turtle, encoding="utf-8")
    return open_model(MINIMAL, extra)


@pytest.mark.parametrize(("turtle", "params", "expected"), CASES)
def test_rule_on_small_model(
    tmp_path: Path,
    turtle: str,
    params: dict[str, bool],
    expected: list[tuple[str, set[str]]],
) -> None:
    with build(tmp_path, turtle) as model:
        analysis = find_silos(model, params=SiloParameters(**params))
    wanted = Counter(
        (kind, frozenset(NAMESPACES["ex"] + local for local in subjects))
        for kind, subjects in expected
    )
    assert found(analysis) == wanted


def test_minimal_model_has_no_silo_and_answers_yes() -> None:
    with open_model(MINIMAL) as model:
        analysis = find_silos(model)
    assert analysis.findings == ()
    answer = analysis.as_answer()
    assert answer.verdict is Verdict.YES
    assert answer.score == pytest.approx(1.0)


def test_product_silo_names_the_data_held_twice(tmp_path: Path) -> None:
    with build(tmp_path, MOBILE.format(status="Live")) as model:
        [finding] = find_silos(model).findings
    assert [s.label for s in finding.subjects] == [
        "Families",
        "Family bundle plan",
        "Mobile plan",
        "Customer master",
        "Mobile database",
    ]
    assert finding.evidence["customer_data_held_twice"] == ["Contact", "Identity"]
    assert finding.severity is Level.HIGH
    assert "Contact and Identity" in finding.message


def test_channel_silo_severity_follows_the_customer(tmp_path: Path) -> None:
    with build(tmp_path, CALL.format(position=3)) as model:
        [angry] = find_silos(model).findings
    calm_call = CALL.format(position=3).replace("bm:emotion -2", "bm:emotion 1")
    with build(tmp_path, calm_call) as model:
        [calm] = find_silos(model).findings
    assert (angry.severity, calm.severity) == (Level.HIGH, Level.MEDIUM)
    second = angry.evidence["steps"][1]
    assert [s["label"] for s in second["applications"]] == ["Telephony"]
    assert [s["label"] for s in second["data_stores"]] == ["Call records"]
    assert second["emotion"] == -2


def test_lifecycle_silo_is_one_finding_per_segment(tmp_path: Path) -> None:
    # A second marketing unit in the same situation joins the finding; it does not add one.
    second = (
        'ex:unit-brand a bm:OrganisationalUnit ; rdfs:label "Brand" ;'
        " bm:hasFunction bmv:MarketingFunction .\n"
        'ex:proc-brand a bm:BusinessProcess ; rdfs:label "Brand" ; bm:ownedBy ex:unit-brand ;'
        " bm:servesSegment ex:seg-families ."
    )
    with build(tmp_path, units(**SEPARATE) + second) as model:
        [finding] = find_silos(model).findings
    assert [s.label for s in finding.subjects] == [
        "Families",
        "Brand",
        "Marketing",
        "Consumer sales",
        "Service",
    ]
    assert finding.severity is Level.HIGH
    [sales] = [u for u in finding.evidence["units"] if u["unit"]["label"] == "Consumer sales"]
    assert [p["label"] for p in sales["processes"]] == ["Order to activate"]
    assert [p["label"] for p in sales["processes_serving_the_segment"]] == ["Order to activate"]
    assert [v["label"] for v in finding.evidence["value_propositions"]] == ["Family bundle"]
    assert [b["label"] for b in sales["brand_promises"]] == ["Simple, fair, yours"]


# --- the analysis as data ---------------------------------------------------------------------


def test_to_dict_is_json(example: tuple[str, SiloAnalysis]) -> None:
    _, analysis = example
    data = json.loads(json.dumps(analysis.to_dict()))
    assert len(data["findings"]) == len(analysis.findings)
    assert data["structure"]["segments"]
    answer = json.loads(analysis.as_answer().to_json())
    assert answer["number"] == 0
    assert answer["title"] == "Where do we treat customers in silos?"
    assert answer["details"]["structure"] == data["structure"]


def test_answer_verdict_and_score(example: tuple[str, SiloAnalysis]) -> None:
    name, analysis = example
    answer = analysis.as_answer()
    # The telco has silos of all three kinds; the bank a product and a life-cycle silo only.
    verdict, score = {"telco": (Verdict.NO, 0.638), "bank": (Verdict.PARTLY, 0.654)}[name]
    assert answer.verdict is verdict
    assert answer.score == pytest.approx(score, abs=0.0005)
    assert answer.findings == analysis.findings
    worst = analysis.structure.measures[0].segment.label
    assert worst is not None and worst in answer.summary


def test_to_text_names_things_by_label(example: tuple[str, SiloAnalysis]) -> None:
    _, analysis = example
    text = analysis.to_text()
    for finding in analysis.findings:
        segment_or_journey = finding.subjects[0]
        assert segment_or_journey.label is not None
        assert segment_or_journey.label in text
        assert segment_or_journey.iri not in text
    assert "Where do we treat customers in silos?" in text
    assert analysis.structure.measures[0].segment.label in text


@pytest.mark.parametrize(
    ("values", "error"),
    [
        ({"through_master": "yes"}, TypeError),
        ({"synchronised_as_shared": 1}, TypeError),
        ({"seed": 1.5}, TypeError),
        ({"resolution": "high"}, TypeError),
        ({"resolution": 0}, ValueError),
    ],
)
def test_bad_parameters_are_refused(values: dict[str, object], error: type[Exception]) -> None:
    with pytest.raises(error, match=next(iter(values))):
        SiloParameters(**values)  # type: ignore[arg-type]


def test_bad_input_is_refused() -> None:
    with pytest.raises(TypeError, match="KnowledgeGraph"):
        find_silos("data/telco")  # type: ignore[arg-type]
    with open_model() as model, pytest.raises(TypeError, match="SiloParameters"):
        find_silos(model, params={"through_master": False})  # type: ignore[arg-type]
