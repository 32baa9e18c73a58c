"""kg.sparqlguard: remote access decided on the parsed query; deep nesting refused early."""

from __future__ import annotations

import functools

import pytest

from kg.errors import NestingError, RemoteAccessError
from kg.sandbox import Sandbox, supported
from kg.sparqlguard import MAX_NESTING, check, nesting

TARGET = "<http://127.0.0.1:9/sparql>"

# Each hides SERVICE from a tokenizer that reads the text differently from the engine's.
SERVICE_SPELLINGS = [
    f"SELECT * WHERE {{ SERVICE {TARGET} {{ ?s ?p ?o }} }}",
    f"select * {{ service silent {TARGET} {{ ?s ?p ?o }} }}",
    "SELECT * WHERE { SERVICE ?endpoint { ?s ?p ?o } }",
    f"SELECT * WHERE {{ SeRvIcE\t\n{TARGET}{{?s ?p ?o}} }}",
    # the bypass of the text filter: an escaped '#' in a prefixed name
    f"PREFIX ex: <urn:x:> SELECT * WHERE {{ {{ ?s ?p ex:x\\# }} UNION "
    f"{{ SERVICE {TARGET} {{ ?x ?y ?z }} }} }}",
    # a carriage return ends a comment for SPARQL, not for every tokenizer
    f"SELECT * WHERE {{ {{ ?s ?p ?o }} #c\r UNION {{ SERVICE {TARGET} {{ ?a ?b ?c }} }} \n}}",
    # inside a subquery, an OPTIONAL, a MINUS, a GRAPH, a FILTER EXISTS
    f"SELECT * WHERE {{ {{ SELECT * WHERE {{ SERVICE {TARGET} {{ ?s ?p ?o }} }} }} }}",
    f"SELECT * WHERE {{ ?s ?p ?o OPTIONAL {{ SERVICE {TARGET} {{ ?s ?q ?v }} }} }}",
    f"SELECT * WHERE {{ ?s ?p ?o MINUS {{ SERVICE {TARGET} {{ ?s ?q ?v }} }} }}",
    f"SELECT * WHERE {{ GRAPH ?g {{ SERVICE {TARGET} {{ ?s ?q ?v }} }} }}",
    f"SELECT * WHERE {{ ?s ?p ?o FILTER EXISTS {{ SERVICE {TARGET} {{ ?s ?q ?v }} }} }}",
    f"ASK {{ SERVICE {TARGET} {{ ?s ?p ?o }} }}",
    f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ SERVICE {TARGET} {{ ?s ?p ?o }} }}",
    f"DESCRIBE ?s WHERE {{ SERVICE {TARGET} {{ ?s ?p ?o }} }}",
    # a comment and a string next to the real thing
    f'SELECT * WHERE {{ BIND("}}" AS ?x) # }}\n SERVICE {TARGET} {{ ?s ?p ?o }} }}',
    f"SELECT * WHERE {{ VALUES ?x {{ '''\"''' }} SERVICE {TARGET} {{ ?s ?p ?o }} }}",
]

LOAD_SPELLINGS = [
    "LOAD <http://127.0.0.1:9/data.ttl>",
    "load silent <http://127.0.0.1:9/data.ttl> into graph <urn:x:g>",
    "CLEAR SILENT GRAPH <urn:x:g> ; LOAD <http://127.0.0.1:9/data.ttl>",
    "INSERT DATA { <urn:x:a> <urn:x:b> <urn:x:c> } ;\r LOAD <http://127.0.0.1:9/x>",
    f"INSERT {{ ?s ?p ?o }} WHERE {{ SERVICE {TARGET} {{ ?s ?p ?o }} }}",
    f"DELETE WHERE {{ ?s ?p ?o }} ; "
    f"INSERT {{ ?s ?p ?o }} WHERE {{ SERVICE {TARGET} {{ ?s ?p ?o }} }}",
]

HARMLESS = [
    'SELECT ?service WHERE { BIND("SERVICE <http://x>" AS ?service) } # LOAD',
    "PREFIX service: <urn:x:> SELECT * WHERE { ?s service:load ?o }",
    "SELECT ?SERVICE ?load WHERE { ?SERVICE ?load ?o }",
    "SELECT * WHERE { ?s ?p 'service' . ?s ?q \"LOAD <http://x/>\"@en }",
    "SELECT * WHERE { <http://example.org/SERVICE> ?p ?o }",
]


@pytest.mark.parametrize("query", SERVICE_SPELLINGS)
def test_service_is_refused_however_it_is_written(query: str) -> None:
    try:
        unreadable = check(query, update=False)
    except RemoteAccessError as refused:
        assert refused.detail == (
            "SERVICE is not allowed here: this endpoint does not reach other servers"
        )
        return
    # What rdflib's grammar cannot read is left to a network-less child: it must say so.
    assert unreadable is not None


@pytest.mark.parametrize("update", LOAD_SPELLINGS)
def test_load_and_service_in_updates_are_refused(update: str) -> None:
    with pytest.raises(RemoteAccessError, match="(LOAD|SERVICE) is not allowed here"):
        check(update, update=True)


@pytest.mark.parametrize("query", HARMLESS)
def test_the_words_elsewhere_are_no_remote_access(query: str) -> None:
    assert check(query, update=False) is None


def test_text_rdflib_cannot_read_is_reported_with_its_position() -> None:
    unreadable = check("SELECT * WHERE { ?s ?p }", update=False)
    assert unreadable is not None
    assert unreadable.line == 1
    assert unreadable.detail.startswith("the query is not SPARQL 1.1 as this endpoint reads it")


@pytest.mark.parametrize(
    ("opening", "closing"),
    [("{", "}"), ("(", ")"), ("[", "]"), ("<< ", " >>")],
)
@pytest.mark.parametrize("depth", [MAX_NESTING + 1, 5_000, 100_000])
def test_deep_nesting_is_refused_before_any_parser(opening: str, closing: str, depth: int) -> None:
    query = "SELECT * WHERE { FILTER(" + opening * depth + "1" + closing * depth + ") }"
    with pytest.raises(NestingError, match=f"nests {depth + 2} levels deep"):
        check(query, update=False)


def test_chains_of_prefix_operators_count_as_nesting() -> None:
    query = "ASK { FILTER(" + "! " * 50_000 + "true) }"
    with pytest.raises(NestingError):
        check(query, update=False)


@pytest.mark.skipif(not supported(), reason="the sandbox needs Linux (fork)")
def test_nesting_at_the_limit_is_read_in_a_sandbox_worker() -> None:
    depth = MAX_NESTING - 2
    query = "SELECT * WHERE { FILTER(" + "(" * depth + "1" + ")" * depth + ") }"
    assert nesting(query) == MAX_NESTING
    read = functools.partial(check, update=False)
    assert Sandbox(workers=1).run(read, query, timeout=60) is None


def test_nesting_beyond_this_processs_recursion_is_a_nesting_error() -> None:
    depth = MAX_NESTING - 2
    query = "SELECT * WHERE " + "{" * depth + " ?s ?p ?o " + "}" * depth
    with pytest.raises(NestingError, match="deeper than this process's parser can go"):
        check(query, update=False)


def test_brackets_in_strings_iris_and_comments_do_not_nest() -> None:
    query = 'SELECT * WHERE { ?s ?p "((((" . ?s ?q <urn:x:((((> } # ((((((\n'
    assert nesting(query) == 1
