"""kg.interchange.mapping: ArchiMate types to bm: classes, from the alignment, overridable."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kg.interchange.mapping import Decision, MappingError, TypeMapping
from kg.vocab import BM

ELEMENT_TYPES = {
    # strategy, motivation, business, application, migration, other: what a file may hold
    *("Resource", "Capability", "ValueStream", "CourseOfAction"),
    *("Stakeholder", "Driver", "Assessment", "Goal", "Outcome", "Principle", "Requirement"),
    *("Constraint", "Meaning", "Value"),
    *("BusinessActor", "BusinessRole", "BusinessCollaboration", "BusinessInterface"),
    *("BusinessProcess", "BusinessFunction", "BusinessInteraction", "BusinessEvent"),
    *("BusinessService", "BusinessObject", "Contract", "Representation", "Product"),
    *("ApplicationComponent", "ApplicationCollaboration", "ApplicationInterface"),
    *("ApplicationFunction", "ApplicationInteraction", "ApplicationProcess"),
    *("ApplicationEvent", "ApplicationService", "DataObject"),
    *("WorkPackage", "Deliverable", "ImplementationEvent", "Plateau", "Gap"),
    *("Location", "Grouping"),
}


def test_every_element_type_has_a_default_decision_and_only_element_types() -> None:
    defaults = TypeMapping.from_alignment().defaults
    assert set(defaults) == ELEMENT_TYPES


@pytest.mark.parametrize(
    ("archimate_type", "expected"),
    [
        ("BusinessActor", Decision(str(BM.BusinessActor), "alignment")),
        ("ApplicationComponent", Decision(str(BM.Application), "alignment")),
        ("WorkPackage", Decision(str(BM.Initiative), "alignment")),
        ("Product", Decision(str(BM.Offering), "alignment")),
        (
            "Contract",
            Decision(None, "undecided", (str(BM.Contract), str(BM.ServiceLevelAgreement))),
        ),
        ("DataObject", Decision(None, "no counterpart", (str(BM.DataStore),))),
        ("NoSuchType", Decision(None, "no counterpart")),
    ],
)
def test_defaults_come_from_the_alignment(archimate_type: str, expected: Decision) -> None:
    decision = TypeMapping.from_alignment().decide(archimate_type)
    assert decision == expected
    assert decision.needs_input == (expected.cls is None)


def test_a_users_file_overrides_by_type_specialization_and_element(tmp_path: Path) -> None:
    path = tmp_path / "mapping.json"
    path.write_text(
        json.dumps(
            {
                "types": {"BusinessRole": "bm:Persona", "DataObject": None},
                "specializations": {"Customer segment": "bm:CustomerSegment"},
                "elements": {"id-7": "https://w3id.org/bmkg/ontology#Channel"},
            }
        ),
        encoding="utf-8",
    )
    mapping = TypeMapping.from_alignment().with_file(path)
    assert mapping.decide("BusinessRole") == Decision(str(BM.Persona), "type")
    kept = mapping.decide("DataObject")
    assert kept == Decision(None, "type") and not kept.needs_input
    assert mapping.decide("BusinessActor", specialization="Customer segment") == Decision(
        str(BM.CustomerSegment), "specialization"
    )
    assert mapping.decide("BusinessRole", identifier="id-7", specialization="x") == Decision(
        str(BM.Channel), "element"
    )
    assert mapping.decide("BusinessActor").reason == "alignment"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", r"mapping\.json: not JSON"),
        ("[]", "a mapping file is a JSON object"),
        ('{"type": {}}', "unknown key 'type'"),
        ('{"types": []}', "'types' must map names to a class or null"),
        (
            '{"types": {"BusinessRole": "bm:Persna"}}',
            r"types\['BusinessRole'\]: 'bm:Persna' is not",
        ),
        ('{"elements": {"x": 3}}', "a class is a string"),
        ('{"types": {"BusinessRole": "schema:Person"}}', "'schema:Person' is not a class"),
    ],
)
def test_a_bad_mapping_file_is_refused_saying_where(
    content: str, message: str, tmp_path: Path
) -> None:
    path = tmp_path / "mapping.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(MappingError, match=message):
        TypeMapping.from_alignment().with_file(path)
