"""An import into a store is merged by identity: one validated write, nothing duplicated."""

from __future__ import annotations

import pytest
from rdflib.namespace import RDFS

from kg.errors import WriteRejectedError
from kg.interchange.archimate import read_exchange_text
from kg.interchange.importer import import_exchange
from kg.interchange.merge import import_graphs, merge_import
from kg.model import open_model
from kg.store import KnowledgeGraph

HEAD = """<model xmlns="http://www.opengroup.org/xsd/archimate/3.0/"
  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" identifier="shop"><name>Shop</name>
  <elements>"""
TAIL = "</elements>{relationships}{definitions}</model>"


def exchange(elements: dict[str, tuple[str, str]], relationships: str = "", extra: str = "") -> str:
    body = "".join(
        f'<element identifier="{i}" xsi:type="{t}"><name>{n}</name>{extra if i == "c" else ""}'
        "</element>"
        for i, (t, n) in elements.items()
    )
    definitions = (
        '<propertyDefinitions><propertyDefinition identifier="p1"><name>rdf:type</name>'
        "</propertyDefinition></propertyDefinitions>"
        if extra
        else ""
    )
    return HEAD + body + TAIL.format(relationships=relationships, definitions=definitions)


FIRST = {
    "a": ("BusinessRole", "Sales person"),
    "b": ("BusinessProcess", "Sell product"),
    "c": ("BusinessProcess", "Ship product"),
}
ASSIGNED = (
    '<relationships><relationship identifier="r" xsi:type="Assignment" source="a" target="b"/>'
    "</relationships>"
)


def merged(model: KnowledgeGraph, text: str, **options: object):  # type: ignore[no-untyped-def]
    result = import_exchange(read_exchange_text(text, "shop.xml"))
    return merge_import(model, result, **options)  # type: ignore[arg-type]


def dump(model: KnowledgeGraph) -> list[str]:
    return sorted(str(q) for q in model.store.quads_for_pattern(None, None, None, None))


def test_importing_again_changes_what_changed_and_duplicates_nothing() -> None:
    model = open_model()
    first = merged(model, exchange(FIRST, ASSIGNED))
    assert (len(first.added), len(first.updated), first.unchanged) == (3 + 1, 0, 0)
    assert first.graphs == import_graphs("shop.xml")
    size = len(model)

    again = merged(model, exchange(FIRST, ASSIGNED))
    assert (again.added, again.updated, again.disappeared) == ([], [], [])
    assert again.statements_added == again.statements_removed == 0
    assert len(model) == size

    changed = dict(FIRST)
    changed["a"] = ("BusinessRole", "Account manager")  # renamed
    del changed["c"]  # gone
    changed["d"] = ("BusinessProcess", "Bill customer")  # new
    report = merged(model, exchange(changed, ASSIGNED))
    assert [a.split(" <")[0] for a in report.added] == ["Bill customer"]
    assert [u.split(" <")[0] for u in report.updated] == ["Account manager"]
    assert [d.split(" <")[0] for d in report.disappeared] == ["Ship product"]
    assert report.unchanged == 2  # b and the relationship
    names = sorted(str(o) for o in model.to_rdflib().objects(None, RDFS.label))
    assert "Sales person" not in names and "Ship product" not in names
    assert names.count("Account manager") == 1


def test_an_import_that_breaks_the_shapes_is_refused_whole() -> None:
    model = open_model()
    merged(model, exchange(FIRST, ASSIGNED))
    before = dump(model)
    proposition = (
        '<properties><property propertyDefinitionRef="p1"><value>bm:ValueProposition</value>'
        "</property></properties>"
    )
    with pytest.raises(WriteRejectedError) as refused:
        merged(model, exchange(FIRST, ASSIGNED, extra=proposition))
    assert any("value proposition" in r.message.lower() for r in refused.value.report.results)
    assert dump(model) == before  # nothing was written

    allowed = merged(model, exchange(FIRST, ASSIGNED, extra=proposition), allow_violations=True)
    assert allowed.violations is not None and not allowed.violations.conforms
    assert dump(model) != before


def test_an_import_that_names_no_enterprise_says_whose_answers_it_joins() -> None:
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    sample = root / "tests/fixtures/interchange/archimate-3.x/opengroup-xmlexchange/sample1.xml"
    text = sample.read_text("utf-8")
    assert merged(open_model(), text).cautions == []  # no enterprise in the store
    (caution,) = merged(open_model(root / "data" / "telco"), text).cautions
    assert "now count in Alpina Telecom AG's answers" in caution
    with pytest.raises(WriteRejectedError):  # among several, validation says it is unplaced
        merged(open_model(root / "data" / "telco", root / "data" / "bank"), text)
