"""Tests of the SPARQL text rewrites used by the endpoint and rdflib stores."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from kg.errors import QueryError
from kg.sparqltext import bind_values, declare_prefixes

ONE = ox.Literal("1", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer"))
A = ox.NamedNode("urn:x:a")


def _rows(store: ox.Store, sparql: str) -> list[dict[str, str]]:
    result = store.query(sparql)
    assert isinstance(result, ox.QuerySolutions)
    names = [v.value for v in result.variables]
    return [{n: str(row[n]) for n in names if row[n] is not None} for row in result]


@pytest.fixture
def store() -> ox.Store:
    store = ox.Store()
    store.update("INSERT DATA { <urn:x:a> <urn:x:p> 1 . <urn:x:b> <urn:x:p> 2 . }")
    return store


QUERIES = [
    "SELECT ?s ?v WHERE { ?s <urn:x:p> ?o FILTER (?o = ?v) }",
    "SELECT ?s ?v WHERE { ?s <urn:x:p> ?o BIND (COALESCE(?v, 0) AS ?w) FILTER (?o = ?w) }",
    "SELECT ?s ?v WHERE { { SELECT ?s ?v WHERE { ?s <urn:x:p> ?o FILTER (?o = ?v) } } }",
    "SELECT ?v (COUNT(?s) AS ?n) WHERE { ?s <urn:x:p> ?o FILTER (?o >= ?v) } GROUP BY ?v",
    # The word WHERE inside a string, an IRI or a comment is not a group.
    'SELECT ?s ?v WHERE { # WHERE {\n ?s <urn:x:p> ?o FILTER (?o = ?v && "WHERE {" != "") }',
    # A subquery that does not project ?v has a ?v of its own, unbound.
    "SELECT ?s ?v WHERE { { SELECT ?s WHERE { ?s <urn:x:p> ?o FILTER (?o = COALESCE(?v, 2)) } } }",
    "SELECT ?s ?v WHERE { { SELECT ?s (COUNT(?o) AS ?n) WHERE { ?s <urn:x:p> ?o "
    "FILTER (?o = COALESCE(?v, 2)) } GROUP BY ?s } }",
    "SELECT ?s ?v WHERE { ?s <urn:x:p> ?v MINUS { SELECT ?s WHERE { ?s <urn:x:p> ?o "
    "FILTER (?o = COALESCE(?v, 2)) } } }",
    "SELECT ?s ?v WHERE { { SELECT * WHERE { ?s <urn:x:p> ?v } } }",
    "SELECT ?s ?v WHERE { { SELECT ?s (?o AS ?w) WHERE { ?s <urn:x:p> ?o "
    "FILTER (?o = COALESCE(?v, 2)) } } }",
]


@pytest.mark.parametrize("sparql", QUERIES)
def test_values_give_what_oxigraph_substitutions_give(store: ox.Store, sparql: str) -> None:
    expected = store.query(sparql, substitutions={ox.Variable("v"): ONE})
    assert isinstance(expected, ox.QuerySolutions)
    names = [v.value for v in expected.variables]
    wanted = [{n: str(row[n]) for n in names if row[n] is not None} for row in expected]
    assert _rows(store, bind_values(sparql, {"v": ONE})) == wanted
    assert wanted


def test_a_query_without_where_keyword_gets_values_in_its_group(store: ox.Store) -> None:
    assert _rows(store, bind_values("SELECT ?o { ?s <urn:x:p> ?o }", {"s": A})) == [{"o": str(ONE)}]
    text = bind_values("CONSTRUCT { ?s <urn:x:q> ?o } { ?s <urn:x:p> ?o }", {"s": A})
    assert len(list(store.query(text))) == 1  # type: ignore[arg-type]


def test_blank_nodes_cannot_be_bound() -> None:
    with pytest.raises(QueryError, match="VALUES"):
        bind_values("SELECT * WHERE { ?s ?p ?o }", {"s": ox.BlankNode("b")})


def test_declared_prefixes_are_left_alone() -> None:
    text = declare_prefixes("prefix bm: <urn:mine#> ASK { }", {"bm": "urn:theirs#", "x": "urn:x:"})
    assert text == "PREFIX x: <urn:x:>\nprefix bm: <urn:mine#> ASK { }"
