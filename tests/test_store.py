"""Tests of kg.store: loading, atomicity, persistence, conversion and queries."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.compare import isomorphic

from kg.errors import (
    KGError,
    QueryError,
    RDFSyntaxError,
    SourceError,
    SourceNotFoundError,
    StoreError,
    UnsupportedFormatError,
)
from kg.store import RDF_FORMATS, KnowledgeGraph, LoadSummary, rdf_files

EX = "http://example.org/bm#"

OFFER_TTL = """\
@prefix ex: <http://example.org/bm#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .

ex:offer1 a ex:Offer ;
    ex:label "Fibre 1G"@en, "Fibre 1G"@fr ;
    ex:price "49.9"^^xsd:decimal ;
    ex:seats 01 ;
    ex:launched "2024-03-01"^^xsd:date ;
    ex:note "plain \\"quoted\\"\\nsecond line" ;
    ex:channel [ a ex:Channel ; ex:name "web" ] ;
    ex:tags ( "a" "b" ) .
"""

CUSTOMER_NT = (
    f"<{EX}cust1> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{EX}Customer> .\n"
    f'<{EX}cust1> <{EX}name> "ACME" .\n'
)

PARTNER_JSONLD = """\
{
  "@context": {"ex": "http://example.org/bm#"},
  "@id": "ex:partner1",
  "@type": "ex:Partner",
  "ex:name": "Globex"
}
"""

CAPABILITY_RDF = """\
<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
         xmlns:ex="http://example.org/bm#">
  <ex:Capability rdf:about="http://example.org/bm#billing">
    <ex:name xml:lang="en">Billing</ex:name>
  </ex:Capability>
</rdf:RDF>
"""

PLAN_TRIG = """\
@prefix ex: <http://example.org/bm#> .
ex:plan ex:status "draft" .
ex:g2030 { ex:plan ex:target "2030" . }
"""

PLAN_NQ = f'<{EX}plan> <{EX}status> "draft" .\n<{EX}plan> <{EX}target> "2030" <{EX}g2030> .\n'

VALUE_N3 = """\
@prefix ex: <http://example.org/bm#> .
ex:value1 ex:for ex:cust1 .
"""


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def uri(path: Path) -> str:
    return path.resolve().as_uri()


def quads(kg: KnowledgeGraph) -> set[ox.Quad]:
    return set(kg.store)


def node(local: str) -> ox.NamedNode:
    return ox.NamedNode(EX + local)


def has(kg: KnowledgeGraph, s: str, p: str, o: ox.NamedNode | ox.Literal, graph: str) -> bool:
    return any(kg.store.quads_for_pattern(node(s), node(p), o, ox.NamedNode(graph)))


# --- loading each format ----------------------------------------------------


def test_load_turtle_into_its_own_graph(tmp_path: Path) -> None:
    offer = write(tmp_path / "offer.ttl", OFFER_TTL)
    kg = KnowledgeGraph()

    summary = kg.load(offer)

    assert summary == LoadSummary(files=(offer,), triples=len(kg), graphs=(uri(offer),))
    assert summary.triples == 15
    assert kg.graphs() == [uri(offer)]
    assert has(
        kg,
        "offer1",
        "price",
        ox.Literal("49.9", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#decimal")),
        uri(offer),
    )


@pytest.mark.parametrize(
    ("name", "text", "subject", "predicate", "obj"),
    [
        ("customer.nt", CUSTOMER_NT, "cust1", "name", ox.Literal("ACME")),
        ("partner.jsonld", PARTNER_JSONLD, "partner1", "name", ox.Literal("Globex")),
        ("partner.json-ld", PARTNER_JSONLD, "partner1", "name", ox.Literal("Globex")),
        ("capability.rdf", CAPABILITY_RDF, "billing", "name", ox.Literal("Billing", language="en")),
        ("capability.owl", CAPABILITY_RDF, "billing", "name", ox.Literal("Billing", language="en")),
        ("value.n3", VALUE_N3, "value1", "for", node("cust1")),
    ],
)
def test_load_triple_formats(
    tmp_path: Path, name: str, text: str, subject: str, predicate: str, obj: ox.Literal
) -> None:
    source = write(tmp_path / name, text)
    kg = KnowledgeGraph()

    kg.load(source)

    assert kg.graphs() == [uri(source)]
    assert has(kg, subject, predicate, obj, uri(source))


@pytest.mark.parametrize(("name", "text"), [("plan.trig", PLAN_TRIG), ("plan.nq", PLAN_NQ)])
def test_quad_formats_keep_named_graphs_and_file_gets_default_graph(
    tmp_path: Path, name: str, text: str
) -> None:
    source = write(tmp_path / name, text)
    kg = KnowledgeGraph()

    summary = kg.load(source)

    assert sorted(summary.graphs) == sorted([uri(source), EX + "g2030"])
    assert kg.graphs() == sorted([uri(source), EX + "g2030"])
    assert has(kg, "plan", "status", ox.Literal("draft"), uri(source))
    assert has(kg, "plan", "target", ox.Literal("2030"), EX + "g2030")
    assert not any(kg.store.quads_for_pattern(None, None, None, ox.DefaultGraph()))


def test_graph_option_puts_every_file_in_one_graph(tmp_path: Path) -> None:
    offer = write(tmp_path / "offer.ttl", OFFER_TTL)
    customer = write(tmp_path / "customer.nt", CUSTOMER_NT)
    kg = KnowledgeGraph()

    summary = kg.load(offer, customer, graph=EX + "model")

    assert summary.graphs == (EX + "model",)
    assert kg.graphs() == [EX + "model"]
    assert has(kg, "cust1", "name", ox.Literal("ACME"), EX + "model")
    assert has(kg, "offer1", "seats", ox.Literal(1), EX + "model")


def test_blank_nodes_of_different_files_stay_distinct(tmp_path: Path) -> None:
    a = write(tmp_path / "a.ttl", f'_:x <{EX}name> "a" .')
    b = write(tmp_path / "b.ttl", f'_:x <{EX}name> "b" .')
    kg = KnowledgeGraph()

    kg.load(a, b)

    subjects = {t.subject for t in kg.triples()}
    assert len(subjects) == 2


def test_relative_iris_resolve_against_the_file(tmp_path: Path) -> None:
    source = write(tmp_path / "rel.ttl", "<#a> <#p> <other.ttl#b> .")
    kg = KnowledgeGraph()

    kg.load(source)

    (triple,) = kg.triples()
    assert triple.subject == ox.NamedNode(uri(source) + "#a")
    assert triple.object == ox.NamedNode((tmp_path / "other.ttl").resolve().as_uri() + "#b")


# --- expanding paths --------------------------------------------------------


def test_rdf_files_recurses_sorts_and_filters(tmp_path: Path) -> None:
    root = tmp_path / "model"
    expected = [
        write(root / "a.ttl", OFFER_TTL),
        write(root / "b" / "c.nt", CUSTOMER_NT),
        write(root / "b" / "d" / "e.jsonld", PARTNER_JSONLD),
        write(root / "b" / "upper.TTL", VALUE_N3),
        write(root / "z.owl", CAPABILITY_RDF),
    ]
    write(root / "README.md", "# not RDF")
    write(root / "notes.txt", "not RDF")
    write(root / ".hidden.ttl", OFFER_TTL)
    write(root / ".git" / "x.ttl", OFFER_TTL)
    write(root / "b" / ".cache" / "y.nt", CUSTOMER_NT)

    assert rdf_files([root]) == expected
    # A folder and a file inside it: the file is listed once.
    assert rdf_files([root, root / "a.ttl"]) == expected
    # An explicitly named hidden file is taken.
    assert rdf_files([root / ".hidden.ttl"]) == [root / ".hidden.ttl"]

    kg = KnowledgeGraph()
    summary = kg.load(root)
    assert summary.files == tuple(expected)
    assert kg.graphs() == sorted(uri(p) for p in expected)


def test_rdf_formats_covers_the_documented_extensions() -> None:
    assert set(RDF_FORMATS) == {
        ".ttl",
        ".turtle",
        ".nt",
        ".ntriples",
        ".nq",
        ".trig",
        ".jsonld",
        ".json-ld",
        ".rdf",
        ".owl",
        ".xml",
        ".n3",
    }
    assert RDF_FORMATS[".owl"] == ox.RdfFormat.RDF_XML


def test_unknown_extension_is_an_error(tmp_path: Path) -> None:
    notes = write(tmp_path / "notes.txt", "hello")

    with pytest.raises(UnsupportedFormatError) as info:
        rdf_files([notes])

    assert info.value.path == notes
    assert str(info.value).startswith(f"{notes}: unsupported extension '.txt'")
    assert isinstance(info.value, SourceError)


def test_missing_path_is_an_error(tmp_path: Path) -> None:
    missing = tmp_path / "nope.ttl"
    kg = KnowledgeGraph()

    with pytest.raises(SourceNotFoundError) as info:
        kg.load(missing)

    assert info.value.path == missing
    assert str(info.value) == f"{missing}: no such file or folder"


def test_folder_without_rdf_is_an_error(tmp_path: Path) -> None:
    write(tmp_path / "docs" / "README.md", "# no RDF here")

    with pytest.raises(SourceNotFoundError, match="folder holds no RDF file"):
        rdf_files([tmp_path / "docs"])


# --- malformed input and atomicity ------------------------------------------

BAD_TTL = """\
@prefix ex: <http://example.org/bm#> .
ex:a ex:p "ok" .
ex:b ex:p ex:c ex:d .
"""


def test_malformed_turtle_names_file_line_column(tmp_path: Path) -> None:
    bad = write(tmp_path / "bad.ttl", BAD_TTL)

    with pytest.raises(RDFSyntaxError) as info:
        KnowledgeGraph().load(bad)

    error = info.value
    assert (error.path, error.line, error.column) == (bad, 3, 16)
    assert error.format_name == "Turtle"
    assert "Parser error" not in error.detail
    assert str(error) == f"{bad}:3:16: malformed Turtle: {error.detail}"
    assert isinstance(error, KGError)
    assert isinstance(error.__cause__, SyntaxError)


def test_failed_load_leaves_graph_unchanged(tmp_path: Path) -> None:
    offer = write(tmp_path / "offer.ttl", OFFER_TTL)
    bad = write(tmp_path / "bad.ttl", BAD_TTL)
    kg = KnowledgeGraph()
    kg.load(offer)
    before = quads(kg)

    with pytest.raises(RDFSyntaxError):
        kg.load(bad)

    assert quads(kg) == before
    assert kg.graphs() == [uri(offer)]


def test_malformed_second_file_means_first_is_not_inserted(tmp_path: Path) -> None:
    offer = write(tmp_path / "offer.ttl", OFFER_TTL)
    customer = write(tmp_path / "customer.nt", CUSTOMER_NT)
    bad = write(tmp_path / "bad.ttl", BAD_TTL)
    kg = KnowledgeGraph()
    kg.load(offer)
    before = quads(kg)

    with pytest.raises(RDFSyntaxError) as info:
        kg.load(customer, bad)

    assert info.value.path == bad
    assert quads(kg) == before
    assert uri(customer) not in kg.graphs()


def test_failed_reload_keeps_the_previous_content(tmp_path: Path) -> None:
    offer = write(tmp_path / "offer.ttl", OFFER_TTL)
    kg = KnowledgeGraph()
    kg.load(offer)
    before = quads(kg)

    write(offer, BAD_TTL)
    with pytest.raises(RDFSyntaxError):
        kg.load(offer)

    assert quads(kg) == before


def test_malformed_jsonld_gives_path_and_line(tmp_path: Path) -> None:
    bad = write(
        tmp_path / "bad.jsonld", '{\n  "@id": "http://example.org/a",\n  "ex:p": [1, 2\n}\n'
    )

    with pytest.raises(RDFSyntaxError) as info:
        KnowledgeGraph().load(bad)

    assert (info.value.path, info.value.line, info.value.column) == (bad, 4, 1)
    assert info.value.format_name == "JSON-LD"


def test_invalid_jsonld_without_position_still_names_file(tmp_path: Path) -> None:
    bad = write(tmp_path / "bad.jsonld", '{"@id": "http://example.org/a", "@type": 3}')

    with pytest.raises(RDFSyntaxError) as info:
        KnowledgeGraph().load(bad)

    assert info.value.path == bad
    assert info.value.line is None
    assert str(info.value).startswith(f"{bad}: malformed JSON-LD: ")


def test_malformed_rdfxml_gives_path_line_column(tmp_path: Path) -> None:
    bad = write(tmp_path / "bad.rdf", CAPABILITY_RDF.replace("</ex:name>", "</ex:nom>"))

    with pytest.raises(RDFSyntaxError) as info:
        KnowledgeGraph().load(bad)

    assert (info.value.path, info.value.line) == (bad, 5)
    assert info.value.column == CAPABILITY_RDF.splitlines()[4].index("</ex:name>") + 3
    assert str(info.value).startswith(f"{bad}:5:")


def test_truncated_rdfxml_is_rejected(tmp_path: Path) -> None:
    # pyoxigraph 0.5.13 alone accepts this and returns the triples it saw.
    truncated = "\n".join(CAPABILITY_RDF.splitlines()[:5]) + "\n"
    bad = write(tmp_path / "cut.owl", truncated)
    kg = KnowledgeGraph()

    with pytest.raises(RDFSyntaxError) as info:
        kg.load(bad)

    assert info.value.path == bad
    assert info.value.line == 6
    assert len(kg) == 0


def test_rdfxml_error_without_position(tmp_path: Path) -> None:
    text = CAPABILITY_RDF.replace(
        "<ex:name", '<ex:part rdf:resource="http://x" rdf:nodeID="n"/>\n    <ex:name'
    )
    bad = write(tmp_path / "bad.rdf", text)

    with pytest.raises(RDFSyntaxError) as info:
        KnowledgeGraph().load(bad)

    assert info.value.path == bad
    assert info.value.line is None
    assert "rdf:nodeID" in str(info.value)


def test_blank_node_graph_names_are_refused(tmp_path: Path) -> None:
    formula = write(tmp_path / "rule.n3", f"<{EX}a> <{EX}says> {{ <{EX}b> <{EX}c> <{EX}d> }} .")
    kg = KnowledgeGraph()

    with pytest.raises(SourceError, match="blank nodes"):
        kg.load(formula)

    assert len(kg) == 0


# --- reload -----------------------------------------------------------------


def test_reload_replaces_the_file_graph(tmp_path: Path) -> None:
    offer = write(tmp_path / "offer.ttl", OFFER_TTL)
    customer = write(tmp_path / "customer.nt", CUSTOMER_NT)
    kg = KnowledgeGraph()
    kg.load(offer, customer)
    customer_quads = {q for q in quads(kg) if q.graph_name == ox.NamedNode(uri(customer))}

    write(offer, f'<{EX}offer1> <{EX}label> "Fibre 2G" .\n')
    summary = kg.load(offer)

    assert summary.triples == 1
    offer_triples = set(kg.triples(uri(offer)))
    assert offer_triples == {ox.Triple(node("offer1"), node("label"), ox.Literal("Fibre 2G"))}
    assert {q for q in quads(kg) if q.graph_name != ox.NamedNode(uri(offer))} == customer_quads
    assert kg.graphs() == sorted([uri(offer), uri(customer)])


def test_reloading_the_same_file_does_not_duplicate_blank_nodes(tmp_path: Path) -> None:
    offer = write(tmp_path / "offer.ttl", OFFER_TTL)
    kg = KnowledgeGraph()
    kg.load(offer)
    first = kg.to_rdflib()

    kg.load(offer)
    kg.load(offer)

    assert len(kg) == 15
    assert isomorphic(kg.to_rdflib(), first)


def test_reloading_an_emptied_file_keeps_an_empty_graph(tmp_path: Path) -> None:
    offer = write(tmp_path / "offer.ttl", OFFER_TTL)
    kg = KnowledgeGraph()
    kg.load(offer)

    write(offer, "# emptied\n")
    summary = kg.load(offer)

    assert summary.triples == 0
    assert len(kg) == 0
    assert kg.graphs() == [uri(offer)]


def test_pyoxigraph_update_request_is_one_transaction() -> None:
    # KnowledgeGraph's atomic reload relies on this pyoxigraph behaviour.
    store = ox.Store()
    old = ox.Quad(node("a"), node("p"), ox.Literal("old"), node("g1"))
    store.add(old)

    with pytest.raises(RuntimeError):
        store.update(
            f"DROP GRAPH <{EX}g1> ; "
            f'INSERT DATA {{ GRAPH <{EX}g2> {{ <{EX}a> <{EX}p> "new" }} }} ; '
            f"CREATE GRAPH <{EX}g2>"
        )

    assert list(store) == [old]


# --- persistence ------------------------------------------------------------


def test_on_disk_store_survives_close_and_reopen(tmp_path: Path) -> None:
    offer = write(tmp_path / "offer.ttl", OFFER_TTL)
    customer = write(tmp_path / "customer.nt", CUSTOMER_NT)
    db = tmp_path / "state" / "db"

    with KnowledgeGraph(path=db) as kg:
        kg.load(offer, customer)
        kg.load(offer)  # a reload goes through Store.update rather than extend
        expected = kg.to_rdflib()
        expected_quads = quads(kg)
        assert kg.path == db
    with pytest.raises(StoreError, match="closed"):
        len(kg)

    with KnowledgeGraph(path=db) as reopened:
        assert isomorphic(reopened.to_rdflib(), expected)
        assert quads(reopened) == expected_quads
        assert reopened.graphs() == sorted([uri(offer), uri(customer)])


def test_store_cannot_be_opened_twice(tmp_path: Path) -> None:
    db = tmp_path / "db"
    with KnowledgeGraph(path=db):
        with pytest.raises(StoreError, match="already open") as info:
            KnowledgeGraph(path=db)
        assert info.value.path == db
    # Once closed, the folder is free again.
    KnowledgeGraph(path=db).close()


def test_store_path_that_is_a_file_is_a_store_error(tmp_path: Path) -> None:
    not_a_folder = write(tmp_path / "file", "x")

    with pytest.raises(StoreError) as info:
        KnowledgeGraph(path=not_a_folder)

    assert str(info.value).startswith(f"{not_a_folder}: cannot open store")


def test_clear_and_close_twice(tmp_path: Path) -> None:
    kg = KnowledgeGraph()
    kg.load(write(tmp_path / "offer.ttl", OFFER_TTL))

    kg.clear()
    kg.flush()

    assert len(kg) == 0
    assert kg.graphs() == []
    kg.close()
    kg.close()


# --- rdflib conversion, serialization, queries -------------------------------


def test_to_rdflib_is_isomorphic_with_rdflib_parse(tmp_path: Path) -> None:
    offer = write(tmp_path / "offer.ttl", OFFER_TTL)
    capability = write(tmp_path / "capability.rdf", CAPABILITY_RDF)
    kg = KnowledgeGraph()
    kg.load(offer, capability)

    direct = rdflib.Graph()
    direct.parse(offer, format="turtle")
    direct.parse(capability, format="xml")
    converted = kg.to_rdflib()

    assert isomorphic(converted, direct)
    assert rdflib.Literal("Fibre 1G", lang="fr") in set(converted.objects())
    assert any(isinstance(s, rdflib.BNode) for s in converted.subjects())


def test_store_canonicalizes_literals(tmp_path: Path) -> None:
    # Oxigraph stores XSD values, not their spelling, and lower-cases language
    # tags: such literals come back canonical, equal to the source's only by
    # value (and rdflib's isomorphic() then says False).
    source = write(
        tmp_path / "values.ttl",
        "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
        f'<{EX}a> <{EX}price> "49.90"^^xsd:decimal ; <{EX}ok> "1"^^xsd:boolean ;\n'
        f'  <{EX}label> "Colour"@en-GB .\n',
    )
    kg = KnowledgeGraph()
    kg.load(source)
    graph = kg.to_rdflib()

    price = graph.value(rdflib.URIRef(EX + "a"), rdflib.URIRef(EX + "price"))
    ok = graph.value(rdflib.URIRef(EX + "a"), rdflib.URIRef(EX + "ok"))

    assert isinstance(price, rdflib.Literal)
    assert str(price) == "49.9"
    assert price.eq(rdflib.Literal("49.90", datatype=rdflib.XSD.decimal))
    assert str(ok) == "true"
    label = graph.value(rdflib.URIRef(EX + "a"), rdflib.URIRef(EX + "label"))
    assert isinstance(label, rdflib.Literal)
    assert label.language == "en-gb"
    assert label == rdflib.Literal("Colour", lang="en-GB")
    assert not isomorphic(graph, rdflib.Graph().parse(source, format="turtle"))


def test_union_views_deduplicate_triples_across_graphs(tmp_path: Path) -> None:
    a = write(tmp_path / "a.nt", CUSTOMER_NT)
    b = write(tmp_path / "b.nt", CUSTOMER_NT)
    kg = KnowledgeGraph()
    kg.load(a, b)

    assert len(kg) == 4
    assert len(list(kg.triples())) == 2
    assert len(list(kg.triples(uri(a)))) == 2
    assert len(kg.to_rdflib()) == 2


def test_to_rdflib_refuses_triple_terms() -> None:
    kg = KnowledgeGraph()
    kg.store.add(ox.Quad(node("a"), node("p"), ox.Triple(node("x"), node("y"), node("z"))))

    with pytest.raises(ValueError, match="triple term"):
        kg.to_rdflib()


def test_serialize_union_and_one_graph(tmp_path: Path) -> None:
    offer = write(tmp_path / "offer.ttl", OFFER_TTL)
    customer = write(tmp_path / "customer.nt", CUSTOMER_NT)
    kg = KnowledgeGraph()
    kg.load(offer, customer)

    union = rdflib.Graph().parse(data=kg.serialize(), format="turtle")
    assert isomorphic(union, kg.to_rdflib())

    only_customer = rdflib.Graph().parse(
        data=kg.serialize(format="nt", graph=uri(customer)), format="nt"
    )
    assert isomorphic(only_customer, rdflib.Graph().parse(customer, format="nt"))

    dumped = list(ox.parse(kg.serialize(format="nquads"), ox.RdfFormat.N_QUADS))
    assert set(dumped) == quads(kg)

    with pytest.raises(ValueError, match="unknown RDF format"):
        kg.serialize(format="yaml")


def test_query_union_with_bindings(tmp_path: Path) -> None:
    kg = KnowledgeGraph()
    kg.load(write(tmp_path / "offer.ttl", OFFER_TTL), write(tmp_path / "customer.nt", CUSTOMER_NT))

    rows = kg.query(
        "SELECT ?thing ?p ?name WHERE { ?thing ?p ?name }",
        bindings={"?thing": node("cust1"), "p": node("name")},
    )
    assert isinstance(rows, ox.QuerySolutions)
    assert [row["name"] for row in rows] == [ox.Literal("ACME")]

    ask = kg.query(
        "ASK { ?thing a ?type }", bindings={"thing": node("offer1"), "type": node("Offer")}
    )
    assert isinstance(ask, ox.QueryBoolean)
    assert bool(ask)
    assert not kg.query(
        "ASK { ?thing a ?type }", bindings={"thing": node("cust1"), "type": node("Offer")}
    )

    # The union is only the default: GRAPH still sees the graphs one by one.
    per_graph = kg.query("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
    assert isinstance(per_graph, ox.QuerySolutions)
    assert len(list(per_graph)) == 2


def test_query_knows_the_usual_and_the_loaded_prefixes(tmp_path: Path) -> None:
    source = tmp_path / "m.ttl"
    source.write_text(
        "@prefix ex: <http://example.org/m/> .\n"
        "@prefix bm: <https://w3id.org/bmkg/ontology#> .\n"
        "ex:s a bm:CustomerSegment .\n"
    )
    kg = KnowledgeGraph()
    kg.load(source)
    rows = kg.query("SELECT ?s WHERE { ?s a bm:CustomerSegment . FILTER(?s = ex:s) }")
    assert isinstance(rows, ox.QuerySolutions)
    assert [row["s"] for row in rows] == [ox.NamedNode("http://example.org/m/s")]
    # a PREFIX in the query wins over the predeclared one
    rows = kg.query("PREFIX bm: <http://elsewhere/> SELECT ?s WHERE { ?s a bm:CustomerSegment }")
    assert isinstance(rows, ox.QuerySolutions)
    assert list(rows) == []


def test_malformed_query_raises_query_error_with_line_and_column() -> None:
    with pytest.raises(QueryError) as caught:
        KnowledgeGraph().query("SELECT ?s\nWHERE { ?s ?p }")
    assert (caught.value.line, caught.value.column) == (2, 16)
    assert str(caught.value).startswith("SPARQL query:2:16: ")


def test_binding_a_variable_outside_the_projection_raises_query_error() -> None:
    with pytest.raises(QueryError, match="projection"):
        KnowledgeGraph().query(
            "SELECT ?o WHERE { ?s ?p ?o }", bindings={"s": ox.NamedNode("http://example.org/a")}
        )


# --------------------------------------------------------------------------------------------
# Streaming N-Triples into new graphs (the large-model path)


def test_n_triples_into_new_graphs_load_with_the_same_result_as_turtle(tmp_path: Path) -> None:
    nt = tmp_path / "a.nt"
    nt.write_text(
        '<urn:x:a> <urn:x:p> "1" .\n_:b <urn:x:p> <urn:x:a> .\n<urn:x:a> <urn:x:p> "1" .\n'
    )
    ttl = tmp_path / "a.ttl"
    ttl.write_text(nt.read_text())
    streamed, parsed = KnowledgeGraph(), KnowledgeGraph()
    summary = streamed.load(nt)
    assert summary.triples == parsed.load(ttl).triples == 2
    assert summary.graphs == (nt.resolve().as_uri(),)
    assert len(streamed) == 2


def test_a_bad_n_triples_file_removes_the_graphs_of_the_files_before_it(tmp_path: Path) -> None:
    good, bad = tmp_path / "1-good.nt", tmp_path / "2-bad.nt"
    good.write_text("<urn:x:a> <urn:x:p> <urn:x:o> .\n")
    bad.write_text('<urn:x:a> <urn:x:p> <urn:x:o> .\n<urn:x:a> <urn:x:p> "open .\n')
    kg = KnowledgeGraph()
    with pytest.raises(RDFSyntaxError) as caught:
        kg.load(good, bad)
    assert caught.value.line == 2
    assert caught.value.path == bad
    assert len(kg) == 0 and kg.graphs() == []


def test_streamed_blank_nodes_stay_apart_across_loads(tmp_path: Path) -> None:
    one, two = tmp_path / "one.nt", tmp_path / "two.nt"
    for file in (one, two):
        file.write_text("_:b1 <urn:x:p> <urn:x:o> .\n")
    kg = KnowledgeGraph()
    kg.load(one, two)
    assert len({t.subject for t in kg.triples()}) == 2


def test_reloading_an_n_triples_file_replaces_its_graph(tmp_path: Path) -> None:
    file = tmp_path / "a.nt"
    file.write_text("<urn:x:a> <urn:x:p> <urn:x:o> .\n")
    kg = KnowledgeGraph()
    kg.load(file)
    file.write_text("<urn:x:a> <urn:x:p> <urn:x:other> .\n")
    kg.load(file)
    assert [t.object.value for t in kg.triples()] == ["urn:x:other"]  # type: ignore[union-attr]
