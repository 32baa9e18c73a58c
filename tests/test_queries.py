"""The registry of SPARQL queries: every ``.rq`` file is documented, runs, and says what it finds.

A query's header is its contract: a title, what it finds (a finding kind of ``data/README.md``, or
``(computation)`` for the figures an answer needs besides its findings), a description and its
parameters. These tests hold every query in ``kg/queries`` to it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from test_examples import finding_kinds

from kg.errors import QueryError
from kg.queries import Query, queries, run
from kg.store import KnowledgeGraph

COMPUTATION = "(computation)"
QUERIES = sorted(queries().values(), key=lambda q: (q.group, q.name))
SAMPLE_VALUES: dict[str, Any] = {
    "xsd:decimal": 0.5,
    "xsd:integer": 3,
    "xsd:date": date(2026, 1, 31),
    "xsd:boolean": True,
    "xsd:string": "text",
}


@pytest.fixture(scope="module")
def empty() -> Iterator[KnowledgeGraph]:
    with KnowledgeGraph() as graph:
        yield graph


def ids(query: Query) -> str:
    return f"{query.group}/{query.name}"


def projection(query: Query) -> set[str]:
    """The variables the outermost ``SELECT`` projects, by name (``?x`` and ``(... AS ?x)``)."""
    body = "\n".join(line for line in query.text.splitlines() if not line.startswith("#"))
    match = re.search(r"\bSELECT\b(.*?)\bWHERE\b", body, re.DOTALL | re.IGNORECASE)
    assert match is not None, f"{query.path}: no SELECT ... WHERE"
    clause = match.group(1)
    # A variable inside an expression (``(SUM(?x) AS ?total)``) is not projected, its alias is.
    aliases = set(re.findall(r"\bAS\s+\?(\w+)\s*\)", clause, re.IGNORECASE))
    depth, outside = 0, []
    for char in clause:
        depth += {"(": 1, ")": -1}.get(char, 0)
        outside.append(char if depth == 0 and char != ")" else " ")
    return aliases | set(re.findall(r"\?(\w+)", "".join(outside)))


def test_the_registry_holds_the_queries_of_the_ten_questions() -> None:
    groups = {query.group for query in QUERIES}
    assert {f"q{n:02d}" for n in range(1, 11)} <= groups


def expected_on_empty(query: Query, rows: list[dict[str, Any]]) -> None:
    """Nothing is found in an empty graph; a computation may still give totals (of zero)."""
    if query.finds != COMPUTATION:
        assert rows == []
    for row in rows:
        assert all(value in (0, False) for key, value in row.items() if key != "class"), row


@pytest.mark.parametrize("query", QUERIES, ids=ids)
def test_query_runs_on_an_empty_graph(query: Query, empty: KnowledgeGraph) -> None:
    expected_on_empty(query, run(empty, query.name))


@pytest.mark.parametrize("query", QUERIES, ids=ids)
def test_query_runs_with_every_parameter_bound(query: Query, empty: KnowledgeGraph) -> None:
    # Oxigraph refuses a binding for a variable the SELECT does not project.
    values = {name: SAMPLE_VALUES[p.datatype] for name, p in query.parameters.items()}
    rows = run(empty, query.name, **values)
    expected_on_empty(query, [{k: v for k, v in r.items() if k not in values} for r in rows])


@pytest.mark.parametrize("query", QUERIES, ids=ids)
def test_query_header_documents_it(query: Query) -> None:
    assert query.title and query.description, query.path
    assert query.title[0].isupper() and not query.title.endswith(".")
    assert query.description.endswith("."), query.path
    for parameter in query.parameters.values():
        assert parameter.description, f"{query.path}: {parameter.name} is not described"
        assert parameter.datatype in SAMPLE_VALUES, f"{query.path}: {parameter.datatype}"


@pytest.mark.parametrize("query", QUERIES, ids=ids)
def test_every_parameter_is_projected(query: Query) -> None:
    missing = set(query.parameters) - projection(query)
    assert not missing, f"{query.path}: the SELECT does not project {sorted(missing)}"


@pytest.mark.parametrize("query", QUERIES, ids=ids)
def test_query_finds_a_finding_kind_or_computes(query: Query) -> None:
    kinds = finding_kinds()
    if query.finds == COMPUTATION:
        assert query.name not in kinds, f"{query.path} is named after a kind but finds none"
        return
    assert query.finds in kinds, f"{query.path}: {query.finds!r} is not a finding kind"
    assert query.name == query.finds, f"{query.path} must be named after what it finds"
    section = kinds[query.finds]
    expected = "silos" if section == "silo" else f"q{int(section[1:]):02d}"
    assert query.group == expected, f"{query.path} belongs in {expected}/"


def test_every_finding_kind_of_the_questions_has_its_query() -> None:
    kinds = {kind for kind, section in finding_kinds().items() if section != "silo"}
    finders = {query.finds for query in QUERIES}
    assert kinds <= finders, f"no query finds {sorted(kinds - finders)}"


def test_the_defaults_of_the_rules_are_those_of_data_readme() -> None:
    defaults = {
        name: parameter.default_value()
        for query in QUERIES
        for name, parameter in query.parameters.items()
    }
    assert defaults["minAttractiveSize"] == "50000"
    assert defaults["maxEvidenceAgeMonths"] == "24"
    assert defaults["minFit"] == "0.5"
    assert defaults["minGap"] == "1"
    assert defaults["maxPartnerCostShare"] == "0.4"
    # These fall back on the model: the enterprise goal and the enterprise's as-of date.
    assert defaults["growthTarget"] is None
    assert defaults["asOf"] is None


def test_a_parameter_means_the_same_in_every_query() -> None:
    seen: dict[str, tuple[str, str | None]] = {}
    for query in QUERIES:
        for name, parameter in query.parameters.items():
            kept = seen.setdefault(name, (parameter.datatype, parameter.default))
            assert kept == (parameter.datatype, parameter.default), f"{query.path}: {name}"


@pytest.mark.parametrize("query", QUERIES[:1] + [q for q in QUERIES if q.parameters], ids=ids)
def test_an_unknown_parameter_is_refused(query: Query, empty: KnowledgeGraph) -> None:
    with pytest.raises(QueryError, match="unknown parameter"):
        run(empty, query.name, noSuchThreshold=1)
