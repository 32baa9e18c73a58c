"""Small rewrites of SPARQL text, for stores that only accept a query string.

An embedded Oxigraph store takes predeclared prefixes and variable values alongside the query.
A SPARQL endpoint reached over HTTP (and rdflib's engine, used as a baseline) takes the text
alone, so both are written into it: :func:`declare_prefixes` adds ``PREFIX`` lines the query
does not declare itself, :func:`bind_values` adds a ``VALUES`` block at the top of every
``WHERE`` group.

>>> import pyoxigraph as ox
>>> print(bind_values("SELECT ?s WHERE { ?s ?p ?o }", {"o": ox.Literal("x")}))
SELECT ?s WHERE { VALUES (?o) { ("x") } ?s ?p ?o }
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from decimal import Context, Decimal, InvalidOperation

import pyoxigraph as ox

from kg.errors import QueryError

__all__ = [
    "BOOLEANS",
    "DECIMAL_LIMIT",
    "STRINGS_IRIS_COMMENTS",
    "bind_values",
    "decimal_text",
    "declare_prefixes",
    "integer_text",
    "prepare_query",
    "quad_data",
    "sparql_term",
    "term_text",
]

STRINGS_IRIS_COMMENTS = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^\'\\]|\\.|\'(?!\'\'))*\'\'\''
    r'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|<[^<>"{}|^`\\\s]*>|#[^\n]*'
)
"""String literals, IRIs and comments: the parts of SPARQL text where keywords are not keywords."""

_WHERE_GROUP = re.compile(r"\bWHERE\s*\{", re.IGNORECASE)
_FIRST_GROUP = re.compile(r"\{")
_CONSTRUCT = re.compile(r"\bCONSTRUCT\b", re.IGNORECASE)
_SELECT = re.compile(r"\bSELECT\b", re.IGNORECASE)
_DECLARED = re.compile(r"\bPREFIX\s+([A-Za-z][\w.-]*)?:", re.IGNORECASE)


BOOLEANS = {"true": True, "1": True, "false": False, "0": False}
"""The lexical forms of ``xsd:boolean`` and their values: servers may write 1 and 0 (Virtuoso
does)."""

DECIMAL_LIMIT = Decimal(10) ** 20
"""Decimals of this magnitude or more are beyond Oxigraph's xsd:decimal (about 1.7e20)."""

_DECIMAL_PLACES = Decimal(10) ** -18  # Oxigraph keeps 18 digits after the point
_WIDE = Context(prec=60)
_INTEGER_RANGE = range(-(2**63), 2**63)  # Oxigraph's xsd:integer is 64 bits


def decimal_text(value: int | float | Decimal | str) -> str:
    """A number as an ``xsd:decimal`` lexical form that Oxigraph can compute with.

    Written in fixed point (``str(Decimal)`` writes ``1E-7``, which is no decimal) and rounded
    to the 18 places Oxigraph keeps; a literal it cannot hold would make every comparison
    with it fail unseen.

    Raises
    ------
    ValueError
        The value is not a finite number, or its magnitude is 1e20 or more.

    >>> decimal_text(2.5e-7), decimal_text(0.05), decimal_text(100), decimal_text(3.96e16)
    ('0.00000025', '0.05', '100', '39600000000000000')
    """
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise ValueError(f"{value!r} is not a number") from None
    if not number.is_finite():
        raise ValueError(f"{value!r} is not a finite number")
    if abs(number) >= DECIMAL_LIMIT:
        raise ValueError(f"{value!r} is too large for xsd:decimal (at most 1e20 in magnitude)")
    # 20 digits before the point and 18 after: more than the default context's 28.
    rounded = number.quantize(_DECIMAL_PLACES, context=_WIDE).normalize(_WIDE)
    return format(rounded, "f") if rounded else "0"


def integer_text(value: int) -> str:
    """An integer as an ``xsd:integer`` lexical form, within Oxigraph's 64 bits.

    Raises
    ------
    ValueError
        The value is outside -2**63 .. 2**63 - 1.
    """
    if value not in _INTEGER_RANGE:
        raise ValueError(f"{value} is too large for xsd:integer (64 bits)")
    return str(value)


def _blanked(sparql: str) -> str:
    """The text with strings, IRIs and comments replaced by spaces, offsets unchanged."""
    return STRINGS_IRIS_COMMENTS.sub(lambda m: " " * len(m.group(0)), sparql)


def term_text(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> str:
    """A term in SPARQL (and N-Triples) syntax, blank nodes as labels.

    ``str()`` of a pyoxigraph term is its N-Triples form, except for triple terms, whose
    ``str()`` lacks the ``<<( )>>`` delimiters.

    Examples
    --------
    >>> term_text(ox.Triple(ox.NamedNode("urn:a"), ox.NamedNode("urn:p"), ox.Literal("1")))
    '<<( <urn:a> <urn:p> "1" )>>'
    """
    if isinstance(term, ox.Triple):
        parts = (term_text(term.subject), term_text(term.predicate), term_text(term.object))
        return f"<<( {' '.join(parts)} )>>"
    return str(term)


def quad_data(quads: Iterable[ox.Quad]) -> str:
    """Quads as the body of ``INSERT DATA`` or ``DELETE DATA``, one ``GRAPH`` block a graph.

    Examples
    --------
    >>> a, g = ox.NamedNode("urn:a"), ox.NamedNode("urn:g")
    >>> print(quad_data([ox.Quad(a, a, a, g), ox.Quad(a, a, a, ox.DefaultGraph())]))
    GRAPH <urn:g> {
    <urn:a> <urn:a> <urn:a> .
    }
    <urn:a> <urn:a> <urn:a> .
    """
    by_graph: dict[str, list[str]] = {}
    for quad in quads:
        graph = "" if isinstance(quad.graph_name, ox.DefaultGraph) else str(quad.graph_name)
        by_graph.setdefault(graph, []).append(
            f"{term_text(quad.subject)} {term_text(quad.predicate)} {term_text(quad.object)} ."
        )
    return "\n".join(
        "\n".join(lines) if not graph else f"GRAPH {graph} {{\n" + "\n".join(lines) + "\n}"
        for graph, lines in by_graph.items()
    )


def prepare_query(
    query: str,
    *,
    prefixes: Mapping[str, str] | None = None,
    substitutions: Mapping[ox.Variable, ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple]
    | None = None,
) -> str:
    """The text of a query for a store that takes text only: values bound, prefixes declared.

    Raises
    ------
    RuntimeError
        A value cannot be written in ``VALUES`` (pyoxigraph's error type for a query that
        cannot run).
    """
    text = query
    if substitutions:
        try:
            text = bind_values(text, {v.value: t for v, t in substitutions.items()})
        except QueryError as error:
            raise RuntimeError(error.detail) from error
    if prefixes:
        text = declare_prefixes(text, prefixes)
    return text


def sparql_term(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> str:
    """A term in SPARQL syntax, for a ``VALUES`` block.

    Raises
    ------
    QueryError
        The term is a blank node or a triple term, which ``VALUES`` cannot hold.

    Examples
    --------
    >>> sparql_term(ox.Literal("2", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")))
    '"2"^^<http://www.w3.org/2001/XMLSchema#integer>'
    """
    if isinstance(term, ox.NamedNode | ox.Literal):
        return str(term)
    raise QueryError(
        f"a variable cannot be bound to {term} here: VALUES holds only IRIs and literals"
    )


def bind_values(
    sparql: str, values: Mapping[str, ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple]
) -> str:
    """Bind variables by a ``VALUES`` block opening the query's ``WHERE`` group and those of the
    subqueries that project them.

    This gives the variables their values wherever the query's own groups and subqueries use
    them, as Oxigraph's ``substitutions`` do, for the patterns this project's queries follow:
    the bound variable is used in the ``WHERE`` group of the query or subquery that projects it
    (in its triple patterns, ``BIND``, ``FILTER``, ``OPTIONAL`` or ``GROUP BY``). A variable used
    only inside a nested plain group or a ``UNION`` branch is not reached. A subquery that does
    not project a variable (by name, or by ``*``) gets no value for it: its variable of that name
    is its own, as under Oxigraph's ``substitutions`` (and Virtuoso 7 fails to compile some
    queries, SP031 ``sparp_gp_deprecate``, that bind one variable both outside and inside a
    ``MINUS`` subquery; and drops rows from an ``OPTIONAL`` subquery holding a block whose
    variables it does not use, Q2's evidence coverage given an as-of date). A query without the
    ``WHERE`` keyword gets the block in its first group (or, for ``CONSTRUCT``, its second).

    >>> text = "SELECT ?s ?v WHERE { ?s ?p ?o OPTIONAL { SELECT ?s WHERE { ?s ?q ?v2 } } }"
    >>> print(bind_values(text, {"v": ox.Literal("x")}))
    SELECT ?s ?v WHERE { VALUES (?v) { ("x") } ?s ?p ?o OPTIONAL { SELECT ?s WHERE { ?s ?q ?v2 } } }

    Parameters
    ----------
    sparql
        The query text.
    values
        Values by variable name, with or without the leading ``?`` or ``$``.

    Raises
    ------
    QueryError
        The query has no group to put the values in, or a value cannot be written in ``VALUES``.
    """
    if not values:
        return sparql
    terms = {name.lstrip("?$"): sparql_term(term) for name, term in values.items()}

    def block(names: Iterable[str]) -> str:
        bound = [n for n in terms if n in names]
        if not bound:
            return ""
        return (
            f" VALUES ({' '.join('?' + n for n in bound)}) "
            f"{{ ({' '.join(terms[n] for n in bound)}) }}"
        )

    blank = _blanked(sparql)
    wheres = list(_WHERE_GROUP.finditer(blank))
    if not wheres:
        groups = [m.end() for m in _FIRST_GROUP.finditer(blank)]
        index = 1 if _CONSTRUCT.search(blank) else 0
        if len(groups) <= index:
            raise QueryError("the query has no WHERE group to bind variables in")
        return sparql[: groups[index]] + block(terms) + sparql[groups[index] :]
    # The first WHERE group is the query's own; each later one is a subquery's, bound only in
    # the variables its SELECT projects.
    pieces, start = [sparql[: wheres[0].end()], block(terms)], wheres[0].end()
    for where in wheres[1:]:
        pieces += [sparql[start : where.end()], block(_projected(blank, where.start(), terms))]
        start = where.end()
    pieces.append(sparql[start:])
    return "".join(pieces)


def _projected(blank: str, where: int, names: Iterable[str]) -> set[str]:
    """Which of ``names`` the subquery whose ``WHERE`` is at ``where`` projects as they are: all
    for ``SELECT *``, else those written bare (``(... AS ?v)`` makes a new one)."""
    select = list(_SELECT.finditer(blank, 0, where))
    if not select:
        return set(names)
    projection, depth, bare = blank[select[-1].end() : where], 0, []
    for char in projection:
        depth += (char == "(") - (char == ")")
        bare.append(char if depth == 0 and char != ")" else " ")
    words = "".join(bare)
    if "*" in words:
        return set(names)
    return {n for n in names if re.search(rf"[?$]{re.escape(n)}(?!\w)", words)}


def declare_prefixes(sparql: str, prefixes: Mapping[str, str]) -> str:
    """Prepend ``PREFIX`` lines for the prefixes the query does not declare itself.

    Examples
    --------
    >>> print(declare_prefixes("PREFIX a: <urn:b:> ASK {}", {"a": "urn:a:", "c": "urn:c:"}))
    PREFIX c: <urn:c:>
    PREFIX a: <urn:b:> ASK {}
    """
    declared = {m.group(1) or "" for m in _DECLARED.finditer(_blanked(sparql))}
    lines = [f"PREFIX {p}: <{ns}>\n" for p, ns in prefixes.items() if p not in declared]
    return "".join(lines) + sparql
