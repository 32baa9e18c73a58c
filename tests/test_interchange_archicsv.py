"""kg.interchange.archicsv: Archi's own CSV test data reads as Archi reads it, any model writes as
Archi writes it, and a model read back from CSV imports into the same graph as its source."""

from __future__ import annotations

import csv
import dataclasses
import re
import shutil
from collections import Counter
from pathlib import Path

import pytest
import rdflib
from rdflib.compare import isomorphic
from rdflib.term import Literal

from kg.errors import KGError
from kg.interchange.archicsv import ArchiCSVError, read_archi_csv, write_archi_csv
from kg.interchange.archimate import Concept, ExchangeModel, Property, Relationship, read_exchange
from kg.interchange.importer import import_exchange, without_provenance
from kg.interchange.mapping import TypeMapping

FIXTURES = Path(__file__).parent / "fixtures" / "interchange"
ARCHI = FIXTURES / "archi-csv"
ARCHISURANCE = FIXTURES / "archimate-3.x" / "opengroup-xmlexchange" / "archisurance.xml"
EVERYTHING = FIXTURES / "archimate-3.x" / "archi-tools-rb" / "everything.xml"

ELEMENTS_HEADER = '"ID","Type","Name","Documentation","Specialization"'
RELATIONS_HEADER = '"ID","Type","Name","Documentation","Source","Target","Specialization"'


def archi_set(tmp_path: Path, elements: str, relations: str | None) -> Path:
    """Archi's tests import some relations files into a model that already holds another file's
    elements; here the two are put side by side under one prefix."""
    shutil.copyfile(ARCHI / elements, tmp_path / "set-elements.csv")
    if relations:
        shutil.copyfile(ARCHI / relations, tmp_path / "set-relations.csv")
    return tmp_path / "set-elements.csv"


# The sets Archi's CSVImporterTests import successfully (test6 is its failing one).
VALID = {
    "test1": ("test1-elements.csv", "test1-relations.csv"),
    "test2": ("test2-elements.csv", "test2-relations.csv"),
    "test3": ("test3-elements.csv", "test3-relations.csv"),
    "test4": ("test4-elements.csv", "test4-relations.csv"),
    "test4a": ("test4-elements.csv", "test4a-relations.csv"),
    "test5": ("test5-elements.csv", None),
}


def rows(path: Path) -> list[list[str]]:
    """The data rows of an Archi CSV file, by Python's csv module (comment lines dropped)."""
    text = path.read_text(encoding="utf-8-sig")
    lines = [line for line in text.splitlines(keepends=True) if not line.startswith("#")]
    return [r for r in csv.reader(lines) if r][1:]


@pytest.mark.parametrize("name", VALID)
def test_archis_valid_test_files_read_with_every_row(name: str, tmp_path: Path) -> None:
    elements, relations = VALID[name]
    model = read_archi_csv(archi_set(tmp_path, elements, relations))
    element_rows = [r for r in rows(ARCHI / elements) if r[1] != "ArchimateModel"]
    assert Counter(e.type for e in model.elements) == Counter(r[1] for r in element_rows)
    relation_rows = rows(ARCHI / relations) if relations else []
    assert Counter(r.type + "Relationship" for r in model.relationships) == Counter(
        r[1] for r in relation_rows
    )
    ids = {c.identifier for c in (*model.elements, *model.relationships)}
    assert {r[0] for r in element_rows + relation_rows if r[0]} <= ids
    assert model.format == "Archi CSV" and not model.organizations and not model.views


def test_test1_decodes_quotes_line_breaks_specialization_and_properties() -> None:
    model = read_archi_csv(ARCHI, prefix="test1-")
    assert model.identifier == "862677a6"
    assert [t.value for t in model.names] == ["Test Model"]
    assert model.documentation[0].value == (
        'This is the Purpose of the Model.\r\nIt has a line break and "some" quotes.\r\n'
    )
    names = {d.identifier: d.name for d in model.property_definitions}
    actor = model.concept("f00aa5b4")
    assert actor is not None and actor.line == 5
    assert (
        actor.documentation[0].value == 'This is the Business Actor\r\nDocumentation\r\nHere ""\r\n'
    )
    assert [(names[p.definition], p.values[0].value) for p in actor.properties] == [
        ("Specialization", "Specialization1"),
        ("Property 1", "A new value"),
        ("Property 2", 'Another one "here"'),
        ("Property 3", ""),
        ("Property 3", "Again"),
    ]
    assert [(names[p.definition], p.values[0].value) for p in model.properties] == [
        ("Property 1", 'Hello World "Here"!'),
        ("Property 2", "Again"),
    ]
    compo = model.concept("5854f8a3")
    assert isinstance(compo, Relationship)
    assert (compo.type, compo.source, compo.target) == ("Composition", "f00aa5b4", "d9fe8c17")
    assert [(names[p.definition], p.values[0].value) for p in compo.properties] == [
        ("This", "values")
    ]


def test_the_specialization_decides_the_class_in_the_import(tmp_path: Path) -> None:
    (tmp_path / "elements.csv").write_text(
        ELEMENTS_HEADER + '\r\n"a","BusinessRole","Retail","","Customer segment"', "utf-8"
    )
    model = read_archi_csv(tmp_path)
    mapping = TypeMapping.from_alignment()
    mapping = dataclasses.replace(
        mapping,
        specializations={"Customer segment": "https://w3id.org/bmkg/ontology#CustomerSegment"},
    )
    result = import_exchange(model, mapping=mapping)
    assert result.classes["a"] == "https://w3id.org/bmkg/ontology#CustomerSegment"


def test_rows_without_id_get_archis_kind_of_id_the_same_each_time(tmp_path: Path) -> None:
    first = read_archi_csv(ARCHI / "test3-relations.csv")
    again = read_archi_csv(ARCHI / "test3-elements.csv")
    generated = [c.identifier for c in first.elements if c.identifier not in ("id1", "id2")]
    assert len(generated) == 3
    assert all(re.fullmatch(r"id-[0-9a-f]{32}", i) for i in generated)
    assert first == again
    assert first.identifier is None  # the model row has no ID
    # whitespace between a closing quote and the delimiter is dropped, as Commons CSV does
    second = first.concept("id2")
    assert second is not None and second.documentation[0].value == "This has an Identifier"


def test_comment_lines_are_skipped_and_lines_counted() -> None:
    model = read_archi_csv(ARCHI / "test5-elements.csv")
    assert [(e.identifier, e.line) for e in model.elements] == [("id1", 4), ("id2", 6)]


def test_archis_duplicate_relation_file_fails_naming_file_row_and_column(tmp_path: Path) -> None:
    shutil.copyfile(ARCHI / "test4-elements.csv", tmp_path / "x-elements.csv")
    shutil.copyfile(ARCHI / "test6-relations.csv", tmp_path / "x-relations.csv")
    with pytest.raises(ArchiCSVError) as caught:
        read_archi_csv(tmp_path / "x-relations.csv")
    assert str(caught.value) == (
        f"{tmp_path / 'x-relations.csv'}:3: row 3, column 1 (ID): the relation 'r1' is declared "
        "again (first on line 2)"
    )
    assert (caught.value.line, caught.value.row, caught.value.column) == (3, 3, 1)


def test_writing_archis_test1_gives_archis_bytes(tmp_path: Path) -> None:
    model = read_archi_csv(ARCHI / "test1-elements.csv")
    written = write_archi_csv(model, tmp_path, "test1-")
    for path in written:
        original = (ARCHI / path.name).read_bytes()
        # Archi's exporter writes no line end after the last record; these files have one
        assert path.read_bytes() == original.removesuffix(b"\r\n")


def essence(model: ExchangeModel) -> dict[str, object]:
    """What a model says, without where it was read from (path, lines, order of rows)."""
    names = {d.identifier: d.name for d in model.property_definitions}

    def props(concept_props: tuple[Property, ...]) -> list[tuple[str, tuple[str, ...]]]:
        return [
            (names.get(p.definition, p.definition), tuple(v.value for v in p.values))
            for p in concept_props
        ]

    def concept(c: Concept) -> list[object]:
        found = [
            c.type,
            [t.value for t in c.names],
            [t.value for t in c.documentation],
            sorted(props(c.properties)),
        ]
        if isinstance(c, Relationship):
            found += [c.source, c.target, c.access_type, c.modifier, c.is_directed]
        return found

    return {
        "model": (
            model.identifier,
            [t.value for t in model.names],
            [t.value for t in model.documentation],
            props(model.properties),
        ),
        **{c.identifier: concept(c) for c in (*model.elements, *model.relationships)},
    }


@pytest.mark.parametrize("name", VALID)
def test_csv_round_trip_keeps_the_model(name: str, tmp_path: Path) -> None:
    first = read_archi_csv(archi_set(tmp_path, *VALID[name]))
    second = read_archi_csv(write_archi_csv(first, tmp_path / "2")[0])
    assert essence(second) == essence(first)
    paths = write_archi_csv(second, tmp_path / "3")
    third = read_archi_csv(paths[0])
    assert dataclasses.replace(third, path="") == dataclasses.replace(second, path="")
    for path in paths:
        assert path.read_bytes() == (tmp_path / "2" / path.name).read_bytes()


def with_defaults(model: ExchangeModel) -> ExchangeModel:
    """The model with what the exchange format leaves to its defaults (access "Access", not
    directed) said out loud, as CSV says it."""
    return dataclasses.replace(
        model,
        relationships=tuple(
            dataclasses.replace(
                r,
                access_type=r.access_type or ("Access" if r.type == "Access" else None),
                is_directed=bool(r.is_directed) if r.type == "Association" else r.is_directed,
            )
            for r in model.relationships
        ),
    )


def without_languages(graph: rdflib.Graph) -> rdflib.Graph:
    copy = rdflib.Graph()
    for s, p, o in without_provenance(graph):
        if isinstance(o, Literal) and o.language:
            o = Literal(str(o))
        copy.add((s, p, o))
    return copy


@pytest.fixture(scope="module")
def archisurance(tmp_path_factory: pytest.TempPathFactory) -> tuple[ExchangeModel, ExchangeModel]:
    exchange = read_exchange(ARCHISURANCE)
    folder = tmp_path_factory.mktemp("archisurance")
    return exchange, read_archi_csv(write_archi_csv(exchange, folder, "archisurance-")[0])


def test_archisurance_through_csv_keeps_elements_relationships_and_properties(
    archisurance: tuple[ExchangeModel, ExchangeModel],
) -> None:
    exchange, back = archisurance
    assert len(back.elements) == 120 and len(back.relationships) == 178
    assert essence(back) == essence(with_defaults(exchange))
    access = Counter(r.access_type for r in back.relationships if r.type == "Access")
    assert access == Counter(r.access_type for r in exchange.relationships if r.type == "Access")
    assert sum(access.values()) == 14


def test_archisurance_from_csv_imports_into_the_same_model_graph(
    archisurance: tuple[ExchangeModel, ExchangeModel],
) -> None:
    exchange, back = archisurance
    from_exchange = import_exchange(exchange)
    from_csv = import_exchange(back)
    assert len(from_csv.graph) == len(from_exchange.graph) > 200
    # CSV holds no languages: the exchange file's names are all @en
    assert isomorphic(without_languages(from_csv.graph), without_languages(from_exchange.graph))
    formats = {str(o) for o in from_csv.kept.objects(None, rdflib.DCTERMS.format)}
    assert formats == {"Archi CSV"}


def test_junctions_influence_strength_and_direction_survive_csv(tmp_path: Path) -> None:
    exchange = read_exchange(EVERYTHING)
    back = read_archi_csv(write_archi_csv(exchange, tmp_path)[0])
    assert Counter(e.type for e in back.elements) == Counter(e.type for e in exchange.elements)
    assert {e.type for e in back.elements} >= {"AndJunction", "OrJunction"}
    influence = [r.modifier for r in back.relationships if r.type == "Influence"]
    assert influence == [r.modifier for r in exchange.relationships if r.type == "Influence"]
    assert "++" in influence
    assert essence(back) == essence(with_defaults(exchange))
    properties = (tmp_path / "properties.csv").read_text("utf-8")
    assert '"Junction_Type","Or"' in properties and '"Junction_Type","And"' in properties


def test_special_property_keys_set_attributes(tmp_path: Path) -> None:
    (tmp_path / "elements.csv").write_text(
        ELEMENTS_HEADER
        + '\r\n"a","BusinessActor","A","",""\r\n"b","BusinessObject","B","",""'
        + '\r\n"j","Junction","","",""\r\n"k","Junction","","",""',
        "utf-8",
    )
    (tmp_path / "relations.csv").write_text(
        RELATIONS_HEADER
        + '\r\n"r1","AccessRelationship","","","a","b",""'
        + '\r\n"r2","AccessRelationship","","","a","b",""'
        + '\r\n"r3","InfluenceRelationship","","","a","b",""'
        + '\r\n"r4","AssociationRelationship","","","a","b",""'
        + '\r\n"r5","AssociationRelationship","","","a","b",""',
        "utf-8",
    )
    (tmp_path / "properties.csv").write_text(
        '"ID","Key","Value"\r\n"r1","Access_Type","ReadWrite"\r\n"r3","Influence_Strength","+"'
        '\r\n"r4","Directed","TRUE"\r\n"r5","ted","true"\r\n"j","Junction_Type","Or"'
        '\r\n"a","Access_Type","Read"',
        "utf-8",
    )
    model = read_archi_csv(tmp_path)
    rel = {r.identifier: r for r in model.relationships}
    assert rel["r1"].access_type == "ReadWrite"
    assert rel["r2"].access_type == "Write"  # Archi's default when no row says
    assert rel["r3"].modifier == "+"
    assert rel["r4"].is_directed is True
    assert rel["r5"].is_directed is True  # Archi: "Directed".endsWith(key)
    assert [e.type for e in model.elements if e.identifier in "jk"] == ["OrJunction", "AndJunction"]
    actor = model.concept("a")
    assert actor is not None and [p.values[0].value for p in actor.properties] == ["Read"]
    assert all(not r.properties for r in model.relationships)


def test_formula_guard_is_archis_excel_option(tmp_path: Path) -> None:
    model = read_archi_csv(ARCHI / "test5-elements.csv")
    actor = model.elements[0]
    names = ["=1+1", "+1", "-1", "@SUM(A1)", "0123", " lead", 'say "hi"']
    model = dataclasses.replace(
        model,
        elements=tuple(
            dataclasses.replace(
                actor, identifier=f"e{i}", names=(dataclasses.replace(actor.names[0], value=n),)
            )
            for i, n in enumerate(names)
        ),
    )
    plain = write_archi_csv(model, tmp_path / "plain")[0].read_bytes().decode()
    assert '"e0","BusinessActor","=1+1",' in plain  # off by default, as in Archi
    guarded = write_archi_csv(model, tmp_path / "excel", excel_compatible=True)[0]
    text = guarded.read_bytes().decode()
    assert text.startswith(ELEMENTS_HEADER + "\r\n")  # the header is never guarded
    for i, expected in enumerate(
        ['" =1+1"', '" +1"', '" -1"', '" @SUM(A1)"', '"=""0123"""', '"="" lead"""', '"say ""hi"""']
    ):
        assert f'"e{i}","BusinessActor",{expected},' in text
    back = {e.identifier: e.name for e in read_archi_csv(guarded).elements}
    assert back["e0"] == " =1+1"  # Archi does not undo the guard on import


@pytest.mark.parametrize(("delimiter", "encoding"), [(";", "UTF-8 BOM"), ("\t", "UTF-8")])
def test_other_delimiters_and_a_bom_read_back(
    delimiter: str, encoding: str, tmp_path: Path
) -> None:
    model = read_archi_csv(ARCHI / "test1-elements.csv")
    paths = write_archi_csv(model, tmp_path, "d-", delimiter=delimiter, encoding=encoding)
    data = paths[0].read_bytes()
    assert data.startswith(b"\xef\xbb\xbf" if "BOM" in encoding else b'"ID"')
    assert f'"ID"{delimiter}"Type"'.encode() in data
    assert essence(read_archi_csv(tmp_path, "d-")) == essence(model)


def test_an_ansi_file_is_refused_unless_its_encoding_is_named(tmp_path: Path) -> None:
    (tmp_path / "elements.csv").write_bytes(
        (ELEMENTS_HEADER + '\r\n"a","BusinessActor","Zürich office","",""').encode("latin-1")
    )
    with pytest.raises(ArchiCSVError, match=r"elements\.csv:2:23: the byte 0xFC is not utf-8"):
        read_archi_csv(tmp_path)
    assert read_archi_csv(tmp_path, encoding="latin-1").elements[0].name == "Zürich office"


def test_writing_in_an_encoding_that_cannot_hold_a_name_writes_nothing(tmp_path: Path) -> None:
    model = read_archi_csv(ARCHI / "test5-elements.csv")
    actor = model.elements[0]
    model = dataclasses.replace(
        model,
        elements=(
            dataclasses.replace(actor, names=(dataclasses.replace(actor.names[0], value="東京"),)),
        ),
    )
    with pytest.raises(
        ArchiCSVError, match=r"elements\.csv:3: '東京' cannot be written in latin-1"
    ):
        write_archi_csv(model, tmp_path / "out", encoding="latin-1")
    assert not (tmp_path / "out").exists()
    cp = write_archi_csv(model, tmp_path / "ok", encoding="utf-8")
    assert "東京" in cp[0].read_text("utf-8")


def test_an_id_archi_would_refuse_is_not_written(tmp_path: Path) -> None:
    model = read_archi_csv(ARCHI / "test5-elements.csv")
    model = dataclasses.replace(
        model, elements=(dataclasses.replace(model.elements[0], identifier="id:1"),)
    )
    with pytest.raises(ArchiCSVError, match=r"BusinessActor 'id:1' \(line 4\): the identifier"):
        write_archi_csv(model, tmp_path / "out")
    assert not (tmp_path / "out").exists()


E = ELEMENTS_HEADER + '\r\n"a","BusinessActor","A","",""\r\n"b","BusinessRole","B","",""'
R = RELATIONS_HEADER + '\r\n"r","AssignmentRelationship","","","a","b",""'
BAD = {
    "misspelt header": (
        '"ID","Type","Nme","Documentation","Specialization"\r\n"a","BusinessActor","A","",""',
        None,
        None,
        r"elements\.csv:1: row 1, column 3 \(Name\): the header has 'Nme' where Archi's elements "
        r"header has 'Name'",
    ),
    "missing header column": (
        '"ID","Type","Name"\r\n"a","BusinessActor","A"',
        None,
        None,
        r"elements\.csv:1: row 1, column 4 \(Documentation\): the header lacks the column "
        r"'Documentation'",
    ),
    "dangling end": (
        E,
        R.replace('"a","b"', '"a","x"'),
        None,
        r"relations\.csv:2: row 2, column 6 \(Target\): 'x' is no element or relationship",
    ),
    "id of another type": (
        E + '\r\n"a","BusinessRole","A again","",""',
        None,
        None,
        r"elements\.csv:4: row 4, column 1 \(ID\): the ID 'a' is a BusinessActor on line 2, "
        r"not a BusinessRole",
    ),
    "relation id of an element": (
        E,
        R.replace('"r"', '"a"'),
        None,
        r"relations\.csv:2: row 2, column 1 \(ID\): the ID 'a' is a BusinessActor in "
        r"elements\.csv line 2",
    ),
    "unknown element type": (
        E.replace("BusinessRole", "BusinessPerson"),
        None,
        None,
        r"elements\.csv:3: row 3, column 2 \(Type\): 'BusinessPerson' is not an ArchiMate element",
    ),
    "relationship as element": (
        E.replace("BusinessRole", "ServingRelationship"),
        None,
        None,
        r"elements\.csv:3: row 3, column 2 \(Type\): 'ServingRelationship' is not an ArchiMate "
        r"element",
    ),
    "unknown relationship type": (
        E,
        R.replace("Assignment", "UsedBy"),
        None,
        r"relations\.csv:2: row 2, column 2 \(Type\): 'UsedByRelationship' is not an ArchiMate "
        r"relationship",
    ),
    "too many fields": (
        E + ',"extra"',
        None,
        None,
        r"elements\.csv:3: row 3, column 6: the row has 6 fields and the header 5",
    ),
    "too few fields": (
        E,
        R.removesuffix(',""'),
        None,
        r"relations\.csv:2: row 2, column 7 \(Specialization\): the row has 6 fields and the "
        r"header 7",
    ),
    "unterminated quote": (
        E + '\r\n"c","BusinessActor","C","Never closed,""',
        None,
        None,
        r"elements\.csv:4:25: row 4, column 4: a quoted field is not closed before the end",
    ),
    "junk after a closing quote": (
        E + '\r\n"c","BusinessActor","C" x,"",""',
        None,
        None,
        r"elements\.csv:4:25: row 4, column 3: the character 'x' follows a closing quote",
    ),
    "invalid id": (
        E.replace('"a"', '"a b"'),
        None,
        None,
        r"elements\.csv:2: row 2, column 1 \(ID\): the ID 'a b' has a character Archi does not "
        r"take",
    ),
    "property of nothing": (
        E,
        None,
        '"ID","Key","Value"\r\n"zz","k","v"',
        r"properties\.csv:2: row 2, column 1 \(ID\): the ID 'zz' is no element, relationship or "
        r"model row",
    ),
    "unknown access type": (
        E.replace("BusinessRole", "BusinessObject"),
        R.replace("Assignment", "Access"),
        '"ID","Key","Value"\r\n"r","Access_Type","Modify"',
        r"properties\.csv:2: row 2, column 3 \(Value\): the Access_Type 'Modify' is none of",
    ),
    "unquoted semicolons": (
        "ID;Type;Name;Documentation;Specialization\r\na;BusinessActor;A;;",
        None,
        None,
        r"elements\.csv:1: row 1, column 1 \(ID\): the header has 'ID;Type;.*only in a file whose "
        r"fields are quoted",
    ),
}


@pytest.mark.parametrize("case", BAD)
def test_bad_input_is_refused_with_file_row_and_column(case: str, tmp_path: Path) -> None:
    elements, relations, properties, _ = BAD[case]
    for name, text in (
        ("elements", elements),
        ("relations", relations),
        ("properties", properties),
    ):
        if text is not None:
            (tmp_path / f"{name}.csv").write_text(text, encoding="utf-8", newline="")
    with pytest.raises(ArchiCSVError, match=BAD[case][3]) as caught:
        read_archi_csv(tmp_path / "elements.csv")
    assert isinstance(caught.value, KGError)
    assert str(caught.value).startswith(str(tmp_path))


def test_files_are_found_by_archis_naming_rule(tmp_path: Path) -> None:
    with pytest.raises(
        ArchiCSVError, match="several elements files in the folder: give the prefix"
    ):
        read_archi_csv(ARCHI)
    with pytest.raises(
        ArchiCSVError, match="must end with 'elements', 'relations' or 'properties'"
    ):
        read_archi_csv(tmp_path / "elements-suffix.csv")
    assert read_archi_csv(ARCHI / "test1-properties.csv") == read_archi_csv(ARCHI, "test1-")
    with pytest.raises(ArchiCSVError, match=r"test4a-elements\.csv: the elements file is missing"):
        read_archi_csv(ARCHI / "test4a-relations.csv")


def test_a_file_over_the_import_limit_is_refused_before_it_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kg.interchange import safexml

    (tmp_path / "elements.csv").write_text('"ID","Type","Name","Documentation"\n' + "x" * 2000)
    monkeypatch.setattr(safexml, "MAX_BYTES", 1000)
    with pytest.raises(ArchiCSVError, match="more than the 1,000 an import reads"):
        read_archi_csv(tmp_path)
