"""The workbook and CSV folder, both ways: the template the ontology implies, lossless round
trips of the example enterprises, a workbook filled in by hand, and bad input refused."""

from __future__ import annotations

import csv
import datetime as dt
import re
import shutil
import tempfile
import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
import rdflib
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS, XSD
from rdflib.term import Literal, URIRef

from kg.errors import KGError
from kg.interchange import workbook
from kg.interchange.importer import PROVENANCE, without_provenance
from kg.interchange.workbook import (
    WorkbookError,
    read_csv_folder,
    read_workbook,
    write_csv_folder,
    write_template,
)
from kg.ontology import example_path, ontology_graph
from kg.vocab import BM, BMV

SCHEMA = rdflib.Namespace("https://schema.org/")
NS = "https://example.org/shop/"
TYPED = {XSD.integer: "whole", XSD.decimal: "decimal", XSD.date: "date", XSD.boolean: "list"}
"""Excel's own check of a column of each datatype."""


def compact(iri: URIRef) -> str:
    for prefix, namespace in (("bm", str(BM._NS)), ("bmv", str(BMV._NS))):
        if str(iri).startswith(namespace):
            return f"{prefix}:{str(iri)[len(namespace) :]}"
    raise AssertionError(iri)


def example(name: str) -> rdflib.Graph:
    graph = rdflib.Graph()
    for path in sorted(example_path(name).glob("*.ttl")):
        graph.parse(path)
    return graph


# The template, computed from the ontology here rather than listed.


def test_the_template_has_the_sheets_columns_and_drop_downs_the_ontology_implies(
    tmp_path: Path,
) -> None:
    onto = ontology_graph()
    vocabulary = {
        c for c in onto.subjects(RDFS.subClassOf, SKOS.Concept) if str(c).startswith(str(BMV._NS))
    }
    classes = {
        c
        for c in onto.subjects(RDF.type, OWL.Class)
        if str(c).startswith(str(BM._NS)) and c not in vocabulary
    }
    path = tmp_path / "template.xlsx"
    write_template(path)
    book = openpyxl.load_workbook(path)
    assert book.sheetnames[0] == "read-me"
    assert book["lists"].sheet_state == "hidden"
    sheets = {
        book[name]["A2"].value: book[name]
        for name in book.sheetnames
        if name not in ("read-me", "lists", "statements")
    }
    assert set(sheets) == {compact(c) for c in classes}
    properties = [
        p
        for kind in (OWL.DatatypeProperty, OWL.ObjectProperty)
        for p in onto.subjects(RDF.type, kind)
        if str(p).startswith(str(BM._NS))
    ]
    for cls in classes:
        sheet = sheets[compact(cls)]
        supers = {cls, *onto.transitive_objects(cls, RDFS.subClassOf)}
        keys = [c.value for c in sheet[2]]
        assert keys[1:3] == ["rdfs:label@en", "dcterms:description@en"]
        expected = {
            p
            for p in properties
            if not {*onto.objects(p, RDFS.domain), *onto.objects(p, SCHEMA.domainIncludes)}
            or supers & {*onto.objects(p, RDFS.domain), *onto.objects(p, SCHEMA.domainIncludes)}
        }
        assert set(keys[3:]) == {compact(p) for p in expected}
        checks = {
            next(iter(dv.sqref.ranges)).coord.split(":")[0].rstrip("0123456789"): dv
            for dv in sheet.data_validations.dataValidation
        }
        for p in expected:
            ranges = {*onto.objects(p, RDFS.range), *onto.objects(p, SCHEMA.rangeIncludes)}
            letter = sheet.cell(2, keys.index(compact(p)) + 1).column_letter
            check = checks.get(letter)
            if ranges and ranges <= vocabulary:
                concepts = {
                    str(onto.value(m, SKOS.prefLabel))
                    for r in ranges
                    for m in onto.subjects(RDF.type, r)
                }
                assert check is not None and check.type == "list", p
                source = check.formula1.removeprefix("lists!").replace("$", "")
                offered = {c.value for row in book["lists"][source] for c in row}
                assert offered == concepts, p
            elif ranges & set(TYPED):
                assert check is not None and check.type == TYPED[next(iter(ranges))], p
            else:
                assert check is None, p


# Round trips: every statement of the examples comes back.


@pytest.fixture(scope="module")
def telco_round_trip(tmp_path_factory: pytest.TempPathFactory) -> tuple[rdflib.Graph, Path]:
    graph = example("telco")
    path = tmp_path_factory.mktemp("telco") / "telco.xlsx"
    write_template(path, example=graph)
    return graph, path


def test_telco_comes_back_from_its_workbook(telco_round_trip: tuple[rdflib.Graph, Path]) -> None:
    graph, path = telco_round_trip
    result = read_workbook(path)
    assert set(without_provenance(result.graph)) == set(graph)
    # Each row says where it came from: the file and its identifier there.
    node = URIRef("https://example.org/alpina/seg-connected-families")
    assert (node, DCTERMS.identifier, Literal("seg-connected-families")) in result.graph
    assert (node, PROVENANCE[0], URIRef("urn:bmkg:source:telco.xlsx")) in result.graph
    # Nothing needed the statements sheet: every statement found its column.
    statements = openpyxl.load_workbook(path, read_only=True)["statements"]
    assert [r for r in statements.iter_rows(min_row=3, values_only=True) if any(r)] == []


def test_bank_comes_back_from_its_workbook(tmp_path: Path) -> None:
    graph = example("bank")
    write_template(tmp_path / "bank.xlsx", example=graph)
    assert set(without_provenance(read_workbook(tmp_path / "bank.xlsx").graph)) == set(graph)


@pytest.mark.parametrize("name", ["telco", "bank"])
def test_an_example_comes_back_from_its_csv_folder(name: str, tmp_path: Path) -> None:
    graph = example(name)
    write_csv_folder(graph, tmp_path / name)
    assert (tmp_path / name / "README.txt").is_file()
    assert set(without_provenance(read_csv_folder(tmp_path / name).graph)) == set(graph)


def test_the_csv_folder_has_the_workbook_s_sheets_and_columns(
    telco_round_trip: tuple[rdflib.Graph, Path], tmp_path: Path
) -> None:
    graph, path = telco_round_trip
    write_csv_folder(graph, tmp_path / "telco")
    book = openpyxl.load_workbook(path, read_only=True)
    files = sorted((tmp_path / "telco").glob("*.csv"))
    assert files
    for file in files:
        with open(file, encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.reader(handle))
        sheet = list(book[file.stem].iter_rows(values_only=True))
        assert [rows[0], rows[1]] == [list(sheet[0]), list(sheet[1])], file.name
        assert len(rows) == len(sheet), file.name


def test_the_questions_and_silos_answer_alike_after_the_round_trip(
    telco_round_trip: tuple[rdflib.Graph, Path], tmp_path: Path
) -> None:
    from kg.model import open_model
    from kg.questions import ask_all
    from kg.silos import find_silos

    _, path = telco_round_trip
    turtle = tmp_path / "back.ttl"
    without_provenance(read_workbook(path).graph).serialize(turtle, format="turtle")
    before, after = open_model(example_path("telco")), open_model(turtle)
    assert [a.to_dict() for a in ask_all(after)] == [a.to_dict() for a in ask_all(before)]
    assert find_silos(after).to_dict() == find_silos(before).to_dict()


def test_what_has_no_column_travels_in_extra_columns_and_the_statements_sheet(
    tmp_path: Path,
) -> None:
    ex = rdflib.Namespace(NS)
    graph = rdflib.Graph()
    graph.add((ex.a, RDF.type, BM.CustomerSegment))
    graph.add((ex.a, RDFS.label, Literal("A", lang="en")))
    graph.add((ex.a, RDFS.label, Literal("Also A", lang="en")))  # a second English label
    graph.add((ex.a, BM.segmentSize, Literal("12", datatype=XSD.decimal)))  # not the range's type
    graph.add((ex.a, DCTERMS.date, Literal("2026-01-02", datatype=XSD.date)))
    graph.add((ex.a, BM.personaGoal, Literal("one\ntwo")))  # outside its domain, a line break
    graph.add((ex.b, SKOS.note, Literal("no class")))
    # Values a spreadsheet cell would change: blank or padded text, a formula-like text, more
    # digits than Excel keeps, a date before 1900.
    graph.add((ex.b, SKOS.note, Literal("")))
    graph.add((ex.b, SKOS.note, Literal("  padded ")))
    graph.add((ex.a, DCTERMS.description, Literal("=SUM(A1:A2)", lang="en")))
    graph.add((ex.a, BM.segmentSize, Literal("12345678901234567890", datatype=XSD.integer)))
    graph.add((ex.a, BM.growthRate, Literal("0.12345678901234567", datatype=XSD.decimal)))
    graph.add((ex.a, RDF.type, BM.Persona))  # a second class: the first sheet's keeps it
    graph.add((ex.d, RDF.type, BM.Geography))  # a blank label, and a reference to it
    graph.add((ex.d, RDFS.label, Literal("", lang="en")))
    graph.add((ex.a, BM.locatedIn, ex.d))
    graph.add((ex.c, RDF.type, BM.Goal))
    graph.add((ex.c, BM.targetDate, Literal("1850-01-01", datatype=XSD.date)))
    path = tmp_path / "odd.xlsx"
    write_template(path, example=graph)
    assert set(without_provenance(read_workbook(path).graph)) == set(graph)
    write_csv_folder(graph, tmp_path / "odd")
    assert set(without_provenance(read_csv_folder(tmp_path / "odd").graph)) == set(graph)
    book = openpyxl.load_workbook(path)
    keys = [c.value for c in book["Customer segment"][2]]
    assert {"bm:segmentSize^^xsd:decimal", "dcterms:date^^xsd:date"} <= set(keys)
    assert list(book["statements"].iter_rows(min_row=3, values_only=True)) == [
        ("a", "rdf:type", "bm:Persona", "reference"),
        ("a", "rdfs:label", "A", "@en"),
        ("a", "rdfs:label", "Also A", "@en"),
        ("a", "bm:personaGoal", "one\ntwo", "text"),
        (NS + "b", "skos:note", None, "text"),
        (NS + "b", "skos:note", "  padded ", "text"),
        (NS + "b", "skos:note", "no class", "text"),
        ("d", "rdfs:label", None, "@en"),
    ]
    goal = book["Goal"]
    assert [c.value for c in goal[3]][0] == "c"
    assert "1850-01-01" in [c.value for c in goal[3]]  # as text: Excel has no such date


# A workbook filled in by hand, from the template.


def test_a_workbook_filled_in_by_hand_imports_to_the_model_it_describes(tmp_path: Path) -> None:
    path = tmp_path / "shop.xlsx"
    write_template(path)
    book = openpyxl.load_workbook(path)
    for row in book["read-me"].iter_rows():
        if row[0].value == "Namespace":
            row[1].value = NS

    def fill(title: str, rows: list[dict[str, object]]) -> None:
        sheet = book[title]
        keys = [c.value for c in sheet[2]]
        for r, row in enumerate(rows, 3):
            for key, value in row.items():
                if key not in keys:  # a new column, named in row 1 only
                    keys.append(key)
                    sheet.cell(1, len(keys), key)
                    key_at = len(keys)
                else:
                    key_at = keys.index(key) + 1
                sheet.cell(r, key_at, value)

    fill(
        "Customer segment",
        [
            {
                "bm:CustomerSegment": "families",
                "rdfs:label@en": "Young families",
                "Label@de": "Junge Familien",
                "bm:segmentSize": 1200,
                "bm:growthRate": 0.05,
            },
            {"rdfs:label@en": "Students"},  # no identifier: made from the label
        ],
    )
    fill(
        "Value proposition",
        [
            {
                "bm:ValueProposition": "vp-simple",
                "rdfs:label@en": "Simple plans",
                "bm:targetsSegment": "young families\nStudents",
                "bm:lifecycleStatus": "Live",
            }
        ],
    )
    fill(
        "Cost item",
        [
            {
                "bm:CostItem": "cost-ads",
                "rdfs:label@en": "Advertising",
                "bm:amount": 1200.5,
                "bm:currency": "EUR",
                "bm:costType": "Variable",
                "bm:allocatedTo": "Simple plans",
            }
        ],
    )
    fill("Goal", [{"bm:Goal": "goal-grow", "bm:targetDate": dt.date(2027, 6, 30)}])
    book.save(path)

    ex = rdflib.Namespace(NS)
    expected = rdflib.Graph()
    for triple in [
        (ex.families, RDF.type, BM.CustomerSegment),
        (ex.families, RDFS.label, Literal("Young families", lang="en")),
        (ex.families, RDFS.label, Literal("Junge Familien", lang="de")),
        (ex.families, BM.segmentSize, Literal("1200", datatype=XSD.integer)),
        (ex.families, BM.growthRate, Literal("0.05", datatype=XSD.decimal)),
        (ex.students, RDF.type, BM.CustomerSegment),
        (ex.students, RDFS.label, Literal("Students", lang="en")),
        (ex["vp-simple"], RDF.type, BM.ValueProposition),
        (ex["vp-simple"], RDFS.label, Literal("Simple plans", lang="en")),
        (ex["vp-simple"], BM.targetsSegment, ex.families),
        (ex["vp-simple"], BM.targetsSegment, ex.students),
        (ex["vp-simple"], BM.lifecycleStatus, BMV.Live),
        (ex["cost-ads"], RDF.type, BM.CostItem),
        (ex["cost-ads"], RDFS.label, Literal("Advertising", lang="en")),
        (ex["cost-ads"], BM.amount, Literal("1200.5", datatype=XSD.decimal)),
        (ex["cost-ads"], BM.currency, Literal("EUR")),
        (ex["cost-ads"], BM.costType, BMV.VariableCost),
        (ex["cost-ads"], BM.allocatedTo, ex["vp-simple"]),
        (ex["goal-grow"], RDF.type, BM.Goal),
        (ex["goal-grow"], BM.targetDate, Literal("2027-06-30", datatype=XSD.date)),
    ]:
        expected.add(triple)
    result = read_workbook(path)
    assert set(without_provenance(result.graph)) == set(expected)
    assert Decimal(str(result.graph.value(ex["cost-ads"], BM.amount))) == Decimal("1200.5")
    assert result.iris["families"] == ex.families


# Bad input: refused with the file, sheet, row and column.


def small(path: Path, rows: list[list[object]], *, title: str = "Customer segment") -> Path:
    """A workbook with one sheet of customer segments, the first two rows its header."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = title
    for row in [
        ["Identifier", "Label", "Segment size", "Has need"],
        ["bm:CustomerSegment", "rdfs:label@en", "bm:segmentSize", "bm:hasNeed"],
        *rows,
    ]:
        sheet.append(row)
    book.save(path)
    return path


def refused(path: Path, *where: str) -> str:
    with pytest.raises(WorkbookError) as caught:
        read_workbook(path)
    assert isinstance(caught.value, KGError)
    message = str(caught.value)
    assert path.name in message
    for part in where:
        assert part in message, (part, message)
    return message


def test_a_small_workbook_is_fine(tmp_path: Path) -> None:
    result = read_workbook(small(tmp_path / "ok.xlsx", [["a", "A", 3], ["b", "B", 4]]))
    assert len(result.iris) == 2


def test_a_misspelt_header_is_refused_with_the_closest_name(tmp_path: Path) -> None:
    path = small(tmp_path / "x.xlsx", [["a", "A", 3]])
    book = openpyxl.load_workbook(path)
    book.active["C2"] = "bm:segmentSise"
    book.save(path)
    refused(path, "'Customer segment'", "row 2", "column C", "did you mean 'bm:segmentSize'")


def test_a_formula_is_refused(tmp_path: Path) -> None:
    path = small(tmp_path / "x.xlsx", [["a", "A", "=2*3"]])
    message = refused(path, "row 3", "column C", "formula")
    assert "not to be trusted" in message


def test_a_value_outside_the_vocabulary_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "x.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Product"
    for row in [["Identifier", "Status"], ["bm:Product", "bm:lifecycleStatus"], ["p", "Alive"]]:
        sheet.append(row)
    book.save(path)
    refused(path, "'Product'", "row 3", "column B", "'Alive' is not in the list", "Live")


def test_text_in_a_number_column_is_refused(tmp_path: Path) -> None:
    refused(small(tmp_path / "x.xlsx", [["a", "A", "many"]]), "row 3", "column C", "number")


def test_a_date_that_is_not_a_date_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "x.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Goal"
    for row in [["Identifier", "Target date"], ["bm:Goal", "bm:targetDate"], ["g", "31/02/2026"]]:
        sheet.append(row)
    book.save(path)
    refused(path, "'Goal'", "row 3", "column B", "not a date")


def test_a_reference_to_an_unknown_label_is_refused(tmp_path: Path) -> None:
    path = small(tmp_path / "x.xlsx", [["a", "A", 3, "Cheap plans"]])
    refused(path, "row 3", "column D", "no row has the identifier or label 'Cheap plans'")


def test_a_reference_to_an_ambiguous_label_is_refused(tmp_path: Path) -> None:
    path = small(tmp_path / "x.xlsx", [["a", "Twin", 3], ["b", "Twin", 4], ["c", "C", 5, "twin"]])
    refused(path, "row 5", "column D", "ambiguous", "a, b")


def test_an_identifier_used_twice_is_refused(tmp_path: Path) -> None:
    path = small(tmp_path / "x.xlsx", [["a", "A", 3], ["a", "B", 4]])
    refused(path, "row 4", "column A", "used twice", "row 3")


def test_a_csv_file_named_xlsx_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "x.xlsx"
    path.write_text("Identifier,Label\nbm:CustomerSegment,rdfs:label@en\na,A\n", encoding="utf-8")
    refused(path, "not an .xlsx workbook")


def test_a_zip_bomb_is_refused_before_it_is_unpacked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = small(tmp_path / "x.xlsx", [["a", "A", 3]])
    with zipfile.ZipFile(path, "a", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/padding.xml", b"\0" * 3_000_000)
    assert path.stat().st_size < 100_000
    monkeypatch.setattr(workbook, "MAX_UNPACKED_BYTES", 2_000_000)

    def never(*args: object, **kwargs: object) -> None:
        raise AssertionError("the workbook was opened")

    monkeypatch.setattr(openpyxl, "load_workbook", never)
    refused(path, "unpacks to")


def test_a_file_too_large_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = small(tmp_path / "x.xlsx", [["a", "A", 3]])
    monkeypatch.setattr(workbook, "MAX_FILE_BYTES", 100)
    refused(path, "bytes, more than the 100")


def test_an_empty_workbook_is_refused(tmp_path: Path) -> None:
    openpyxl.Workbook().save(tmp_path / "empty.xlsx")
    refused(tmp_path / "empty.xlsx", "no rows")
    write_template(tmp_path / "template.xlsx")
    refused(tmp_path / "template.xlsx", "no rows")


def test_a_bad_csv_folder_names_its_file_row_and_column(tmp_path: Path) -> None:
    graph = rdflib.Graph()
    graph.add((URIRef(NS + "a"), RDF.type, BM.CustomerSegment))
    graph.add((URIRef(NS + "a"), BM.segmentSize, Literal(3)))
    write_csv_folder(graph, tmp_path / "csv")
    sheet = tmp_path / "csv" / "Customer segment.csv"
    sheet.write_text(sheet.read_text(encoding="utf-8-sig").replace(",3", ",three"), "utf-8")
    with pytest.raises(WorkbookError, match=r"Customer segment.*row 3.*column .*number"):
        read_csv_folder(tmp_path / "csv")
    with pytest.raises(WorkbookError, match="absent or empty"):
        write_csv_folder(graph, tmp_path / "csv")
    shutil.rmtree(tmp_path / "csv")


def test_what_no_workbook_can_hold_is_refused_and_nothing_written(tmp_path: Path) -> None:
    for obj in (rdflib.BNode(), Literal("bell\x07"), Literal("x" * 40_000)):
        graph = rdflib.Graph()
        graph.add((URIRef(NS + "a"), RDF.type, BM.CustomerSegment))
        graph.add((URIRef(NS + "a"), SKOS.note, obj))
        with pytest.raises(WorkbookError) as caught:
            write_template(tmp_path / "x.xlsx", example=graph)
        assert "x.xlsx" in str(caught.value)
        assert list(tmp_path.iterdir()) == []


def test_a_csv_folder_saved_with_semicolons_reads_alike(tmp_path: Path) -> None:
    folder = tmp_path / "csv"
    folder.mkdir()
    (folder / "Customer segment.csv").write_text(
        "Identifier;Label;Segment size\nbm:CustomerSegment;rdfs:label@en;bm:segmentSize\n"
        "a;A, the first;3\n",
        encoding="utf-8",
    )
    graph = without_provenance(read_csv_folder(folder, namespace=NS).graph)
    assert (URIRef(NS + "a"), RDFS.label, Literal("A, the first", lang="en")) in graph
    assert (URIRef(NS + "a"), BM.segmentSize, Literal(3)) in graph


def test_every_mistake_of_a_workbook_is_listed_at_once(tmp_path: Path) -> None:
    path = small(
        tmp_path / "x.xlsx",
        [["a", "A", "many"], ["a", "B", 4], ["c", "C", 5, "Nobdy"], ["d", "Nobody"]],
    )
    with pytest.raises(WorkbookError) as caught:
        read_workbook(path)
    error = caught.value
    assert (error.sheet, error.row, error.column) == ("Customer segment", 4, "A")
    assert [(e.row, e.column) for e in error.more] == [
        (3, "C (bm:segmentSize)"),
        (5, "D (bm:hasNeed)"),
    ]
    assert len(str(error).splitlines()) == 4
    assert "did you mean 'Nobody'?" in str(error)  # the label as written


# Any small graph comes back: odd texts, numbers Excel cannot hold, values outside a column's
# type, nodes of no sheet, IRIs a short identifier cannot carry.

_NODES = st.sampled_from(
    [URIRef(NS + n) for n in ("a", "b", "c d", "x:y")] + [BMV.Live, URIRef("urn:other:1")]
)
_TEXT = st.text(max_size=6)
_LITERALS = st.one_of(
    _TEXT.map(Literal),
    st.tuples(_TEXT, st.sampled_from(["en", "de"])).map(lambda t: Literal(t[0], lang=t[1])),
    st.integers(-(10**20), 10**20).map(lambda i: Literal(str(i), datatype=XSD.integer)),
    st.decimals(allow_nan=False, allow_infinity=False, places=3).map(
        lambda d: Literal(str(d), datatype=XSD.decimal)
    ),
    st.dates().map(lambda d: Literal(d.isoformat(), datatype=XSD.date)),
    st.booleans().map(lambda b: Literal(str(b).lower(), datatype=XSD.boolean)),
    _TEXT.map(lambda t: Literal(t, datatype=XSD.decimal)),
)
_TRIPLES = st.lists(
    st.one_of(
        st.tuples(
            _NODES,
            st.just(RDF.type),
            st.sampled_from([BM.CustomerSegment, BM.CostItem, BM.Goal, BM.Geography]),
        ),
        st.tuples(
            _NODES,
            st.sampled_from(
                [
                    RDFS.label,
                    DCTERMS.description,
                    BM.segmentSize,
                    BM.amount,
                    BM.currency,
                    BM.lifecycleStatus,
                    BM.targetsSegment,
                    BM.targetDate,
                    BM.higherIsBetter,
                    SKOS.broader,
                    URIRef("http://other.example/p"),
                ]
            ),
            st.one_of(_NODES, _LITERALS),
        ),
    ),
    min_size=1,
    max_size=10,
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(triples=_TRIPLES)
def test_any_small_graph_comes_back_from_a_csv_folder(
    triples: list[tuple[URIRef, URIRef, rdflib.term.Node]],
) -> None:
    graph = rdflib.Graph()
    for triple in triples:
        graph.add(triple)
    with tempfile.TemporaryDirectory() as folder:
        write_csv_folder(graph, Path(folder) / "csv", namespace=NS)
        back = without_provenance(read_csv_folder(Path(folder) / "csv").graph)
    assert set(back) == set(graph)


def test_a_namespace_that_is_no_iri_is_refused(tmp_path: Path) -> None:
    path = small(tmp_path / "x.xlsx", [["a", "A", 3]])
    book = openpyxl.load_workbook(path)
    readme = book.create_sheet("read-me", 0)
    readme.append(["Namespace", "my shop"])
    book.save(path)
    refused(path, "'read-me'", "row 1", "column B", "'my shop' is not an IRI")


def test_a_workbook_that_declares_a_wrong_size_is_read_whole(tmp_path: Path) -> None:
    # Some programs write <dimension ref="A1"/>; read-only openpyxl would then see one cell.
    path = small(tmp_path / "x.xlsx", [["a", "A", 3]])
    wrong = tmp_path / "wrong.xlsx"
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(wrong, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename.startswith("xl/worksheets/"):
                data = re.sub(rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1"/>', data)
            target.writestr(item, data)
    graph = without_provenance(read_workbook(wrong, namespace=NS).graph)
    assert (URIRef(NS + "a"), BM.segmentSize, Literal(3)) in graph
