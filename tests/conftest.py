"""What every test shares: rdflib parses each SPARQL text once per session.

pySHACL, the reference engine, runs each SPARQL-based constraint as a string query once per
focus node, and rdflib parses and translates the text anew every time: two thirds of a pySHACL
validation of the telco model (17 s) is pyparsing. Parsing and translating are a pure function
of the text, the base and the initial namespaces, and rdflib evaluates a translated query as
many times as asked (that is what ``prepareQuery`` is for), so the tests keep the translation and
evaluate it again: the same results, a pySHACL run over telco in 3 s.
``tests/test_sparql_parse_cache.py`` checks that reports are the same with and without it.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from rdflib.plugins.sparql import processor
from rdflib.plugins.sparql.algebra import translateQuery
from rdflib.plugins.sparql.parser import parseQuery
from rdflib.plugins.sparql.sparql import Query

_query = processor.SPARQLProcessor.query


@lru_cache(maxsize=4096)
def _translated(text: str, base: str | None, namespaces: tuple[tuple[str, Any], ...]) -> Query:
    return translateQuery(parseQuery(text), base, dict(namespaces))


def _query_once_parsed(
    self: processor.SPARQLProcessor,
    strOrQuery: str | Query,  # noqa: N803 (rdflib's names, which callers may pass by keyword)
    initBindings: Mapping[str, Any] | None = None,  # noqa: N803
    initNs: Mapping[str, Any] | None = None,  # noqa: N803
    base: str | None = None,
    DEBUG: bool = False,  # noqa: N803
) -> Mapping[str, Any]:
    if isinstance(strOrQuery, str):
        namespaces = tuple(sorted((initNs or {}).items(), key=lambda item: item[0]))
        strOrQuery = _translated(strOrQuery, base, namespaces)
    return _query(self, strOrQuery, initBindings, initNs, base, DEBUG)


processor.SPARQLProcessor.query = _query_once_parsed  # type: ignore[method-assign]
