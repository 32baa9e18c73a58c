"""The registry of SPARQL queries: the graph work of the questions and silo rules, kept as data.

Each query is a ``.rq`` file in a folder of this package (``q01`` ... ``q10``, ``silos``), named
after what it finds, and begins with a header of ``#`` comment lines::

    # title: Segments below the growth goal
    # finds: segment-below-growth-goal
    # description: Segments targeted by a live value proposition whose growth rate is below the
    #   growth the enterprise goal asks for.
    # param growthTarget (xsd:decimal, default: the enterprise goal's bm:targetGrowthRate):
    #   the annual growth rate segments must reach.

A description or parameter text continues on lines indented by two spaces. Parameters are SPARQL
variables: values go in as bindings (Oxigraph substitutions), never into the text. A parameter
without a value stays unbound, so the query can fall back on the model (``COALESCE``); a
parameter with a default in its header is bound to the default. Oxigraph binds only variables that
the ``SELECT`` projects, so each parameter is projected.

>>> from kg.queries import queries
>>> query = queries()["segment-below-growth-goal"]
>>> query.group, query.parameters["growthTarget"].datatype
('q01', 'xsd:decimal')
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kg.errors import QueryError
from kg.rdflibstore import RdflibStore
from kg.sparqltext import BOOLEANS, decimal_text, integer_text
from kg.store import KnowledgeGraph, StoreBackend

__all__ = [
    "Parameter",
    "Query",
    "kind_title",
    "parallel_queries",
    "queries",
    "run",
    "to_python",
]

_FOLDER = Path(__file__).resolve().parent
_XSD = "http://www.w3.org/2001/XMLSchema#"
_HEADER = re.compile(r"^#\s?(.*)$")
_FIELD = re.compile(r"^(title|finds|description):\s*(.*)$")
_PARAM = re.compile(r"^param\s+(\w+)\s+\((xsd:\w+)(?:,\s*default:\s*(.*?))?\):\s*(.*)$")


@dataclass(frozen=True)
class Parameter:
    """A query parameter: a variable bound from outside, with its datatype and default."""

    name: str
    datatype: str
    default: str | None
    description: str

    def literal(self, value: Any) -> ox.Literal:
        """The RDF literal for a Python value (checked against the datatype)."""
        if self.datatype == "xsd:boolean":
            return ox.Literal("true" if value else "false", datatype=ox.NamedNode(_XSD + "boolean"))
        if self.datatype == "xsd:integer":
            return ox.Literal(integer_text(int(value)), datatype=ox.NamedNode(_XSD + "integer"))
        if self.datatype == "xsd:decimal":
            return ox.Literal(decimal_text(value), datatype=ox.NamedNode(_XSD + "decimal"))
        return ox.Literal(str(value), datatype=ox.NamedNode(_XSD + self.datatype[4:]))

    def default_value(self) -> str | None:
        """The default as written in the header, when it is a literal value (else ``None``)."""
        if self.default is None or not re.fullmatch(r"-?[\d.]+|true|false", self.default):
            return None
        return self.default


@dataclass(frozen=True)
class Query:
    """One ``.rq`` file: what it finds, its parameters and its text."""

    name: str
    group: str
    title: str
    finds: str
    description: str
    parameters: Mapping[str, Parameter]
    text: str
    path: Path


def _parse(path: Path) -> Query:
    text = path.read_text(encoding="utf-8")
    # Each header entry is a list of the words it was written with; continuation lines (indented
    # by two spaces) extend the entry above them.
    fields: dict[str, list[str]] = {}
    params: dict[str, tuple[str, str, str | None, list[str]]] = {}
    current: list[str] | None = None
    for line in text.splitlines():
        header = _HEADER.match(line)
        if header is None:
            break
        content = header.group(1)
        if content.startswith("  ") and current is not None:
            current.append(content.strip())
        elif (match := _FIELD.match(content)) is not None:
            current = fields[match.group(1)] = [match.group(2)]
        elif (match := _PARAM.match(content)) is not None:
            name, datatype, default, description = match.groups()
            current = [description]
            params[name] = (name, datatype, default, current)
        else:
            current = None
    missing = {"title", "finds", "description"} - set(fields)
    if missing:
        raise QueryError(f"{path}: header lacks {', '.join(sorted(missing))}")
    values = {key: " ".join(words).strip() for key, words in fields.items()}
    parameters = {
        name: Parameter(name, datatype, default, " ".join(words).strip())
        for name, datatype, default, words in params.values()
    }
    return Query(
        name=path.stem,
        group=path.parent.name,
        title=values["title"],
        finds=values["finds"],
        description=values["description"],
        parameters=parameters,
        text=text,
        path=path,
    )


@cache
def queries() -> Mapping[str, Query]:
    """All queries of the registry, by name (the file name without ``.rq``)."""
    found = {}
    for path in sorted(_FOLDER.glob("*/*.rq")):
        query = _parse(path)
        if query.name in found:
            raise QueryError(f"{path}: a query named {query.name} exists already")
        found[query.name] = query
    return found


def run(model: KnowledgeGraph, name: str, **values: Any) -> list[dict[str, Any]]:
    """Run a registered query with parameter values; return rows of Python values.

    Parameters not given take their header default; those without a default stay unbound.
    IRIs come back as ``str``, typed literals as ``int``, ``Decimal``, ``bool``, ``date`` or
    ``str``; unbound variables are left out of the row.
    """
    query = queries()[name]
    unknown = set(values) - set(query.parameters)
    if unknown:
        raise QueryError(f"{name}: unknown parameter(s) {', '.join(sorted(unknown))}")
    bindings: dict[str, ox.Literal] = {}
    for parameter in query.parameters.values():
        value = values.get(parameter.name, parameter.default_value())
        if value is not None:
            bindings[parameter.name] = parameter.literal(value)
    result = model.query(query.text, bindings=bindings)
    if not isinstance(result, ox.QuerySolutions):
        raise QueryError(f"{name}: only SELECT queries belong in the registry")
    names = [v.value for v in result.variables]
    rows = []
    # A solution iterates over its values in the order of ``names``: much faster than by name.
    for solution in result:
        row = {}
        for variable, term in zip(names, solution, strict=True):
            if term is not None:
                row[variable] = to_python(term)
        rows.append(row)
    return rows


_NUMBERS: dict[ox.NamedNode, Any] = {
    **{ox.NamedNode(_XSD + t): int for t in ("integer", "nonNegativeInteger", "positiveInteger")},
    **{ox.NamedNode(_XSD + t): Decimal for t in ("decimal", "double", "float")},
    ox.NamedNode(_XSD + "boolean"): lambda text: BOOLEANS.get(text, False),
    ox.NamedNode(_XSD + "date"): date.fromisoformat,
}


def to_python(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> Any:
    """A query result term as a plain Python value.

    >>> to_python(ox.Literal("12", datatype=ox.NamedNode(_XSD + "integer")))
    12
    >>> to_python(ox.Literal("1", datatype=ox.NamedNode(_XSD + "boolean")))
    True
    >>> to_python(ox.Literal("Zürich", language="de")), to_python(ox.BlankNode("b1"))
    ('Zürich', '_:b1')
    """
    # By exact type and one lookup of the datatype: this runs for every value of every row.
    if type(term) is ox.NamedNode:
        return term.value
    if type(term) is ox.Literal:
        convert = _NUMBERS.get(term.datatype)
        return term.value if convert is None else convert(term.value)
    if type(term) is ox.BlankNode:
        return f"_:{term.value}"
    return str(term)


def parallel_queries(store: StoreBackend) -> int:
    """How many queries to run on a store at once: one per processor, at most four, on stores
    whose queries run in parallel (Oxigraph lets go of the interpreter while it evaluates; a
    server answers requests at once); one on rdflib's store, whose engine is Python.

    >>> from kg.rdflibstore import RdflibStore
    >>> parallel_queries(RdflibStore())
    1
    """
    if isinstance(store, RdflibStore):
        return 1
    try:
        processors = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        processors = os.cpu_count() or 1
    return max(1, min(4, processors))


def kind_title(kind: str) -> str:
    """What a kind of finding is called: the title of the query that finds it, or the kind's
    words when no query declares it.

    >>> kind_title("segment-below-growth-goal"), kind_title("some-other-kind")
    ('Targeted segments below the growth goal', 'Some other kind')
    """
    titles = _titles()
    return titles.get(kind) or kind.replace("-", " ").capitalize()


@cache
def _titles() -> dict[str, str]:
    return {q.finds: q.title for q in queries().values() if q.finds and q.finds[0] != "("}
