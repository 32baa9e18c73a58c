"""rdflib's pure-Python memory store behind pyoxigraph's ``Store`` API: the speed baseline.

:class:`RdflibStore` lets a :class:`~kg.store.KnowledgeGraph` run every part of the library
(questions, silos, validation, pictures) on rdflib's own ``Dataset`` and SPARQL engine, so the
benchmarks in ``bench/`` can time the same work on both stores in one run, and tests can check
that both give the same answers. It is 10-100 times slower than Oxigraph; use it for that
comparison, not for work.

>>> import pyoxigraph as ox
>>> store = RdflibStore()
>>> store.add(ox.Quad(ox.NamedNode("urn:x:a"), ox.NamedNode("urn:x:p"), ox.Literal("1"),
...                   ox.NamedNode("urn:x:g")))
>>> [row["o"].value for row in store.query("SELECT ?o WHERE { ?s ?p ?o }")]
['1']
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

import pyoxigraph as ox
import rdflib
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.term import Identifier

from kg.sparqltext import declare_prefixes, prepare_query

__all__ = ["RdflibStore", "ox_term", "rdflib_term"]

Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple

_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def rdflib_term(term: Term) -> rdflib.term.Identifier:
    """The rdflib term for a pyoxigraph term (RDF 1.2 triple terms and directions excepted)."""
    if isinstance(term, ox.NamedNode):
        return rdflib.URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return rdflib.BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.direction is not None:
            raise ValueError(f"rdflib cannot represent the directional literal {term}")
        if term.language is not None:
            return rdflib.Literal(term.value, lang=term.language)
        if term.datatype.value == _XSD_STRING:
            return rdflib.Literal(term.value)
        return rdflib.Literal(term.value, datatype=rdflib.URIRef(term.datatype.value))
    raise ValueError(f"rdflib cannot represent the RDF 1.2 triple term {term}")


def ox_term(term: Identifier) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    """The pyoxigraph term for an rdflib term.

    Examples
    --------
    >>> ox_term(rdflib.Literal("1", lang="en"))
    <Literal value=1 language=en>
    """
    if isinstance(term, rdflib.URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, rdflib.BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, rdflib.Literal):
        if term.language is not None:
            return ox.Literal(str(term), language=term.language)
        if term.datatype is not None:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise ValueError(f"not an RDF term: {term!r}")


class RdflibStore:
    """The subset of :class:`pyoxigraph.Store` the knowledge graph uses, over ``rdflib.Dataset``.

    The dataset's default graph is the union of its named graphs, as in the embedded store's
    queries.
    """

    def __init__(self) -> None:
        self.dataset = rdflib.Dataset(default_union=True)

    def __repr__(self) -> str:
        return "<RdflibStore in memory>"

    def query(
        self,
        query: str,
        *,
        prefixes: Mapping[str, str] | None = None,
        use_default_graph_as_union: bool = False,
        default_graph: Sequence[ox.NamedNode] | None = None,
        named_graphs: Sequence[ox.NamedNode] | None = None,
        substitutions: Mapping[ox.Variable, Term] | None = None,
    ) -> ox.QuerySolutions | ox.QueryBoolean | Iterator[ox.Triple]:
        """Run a query with rdflib's engine; arguments as :meth:`pyoxigraph.Store.query`.

        ``default_graph`` and ``named_graphs`` are not supported (the union is always queried).

        Raises
        ------
        SyntaxError
            rdflib could not parse the query.
        RuntimeError
            The query could not run.
        """
        if default_graph or named_graphs:
            raise RuntimeError("the rdflib baseline store always queries the union of its graphs")
        text = prepare_query(query, prefixes=prefixes, substitutions=substitutions)
        try:
            result = self.dataset.query(text)
        except Exception as error:  # rdflib's parser raises pyparsing's exceptions
            if type(error).__name__ == "ParseException":
                raise SyntaxError(str(error)) from error
            raise RuntimeError(str(error)) from error
        if result.type == "ASK":
            return ox.parse_query_results(
                json.dumps({"head": {}, "boolean": bool(result.askAnswer)}),
                format=ox.QueryResultsFormat.JSON,
            )
        if result.type == "SELECT":
            data = result.serialize(format="json")
            assert data is not None
            return ox.parse_query_results(data, format=ox.QueryResultsFormat.JSON)
        assert result.graph is not None
        return (
            ox.Triple(ox_term(s), ox_term(p), ox_term(o))  # type: ignore[arg-type]
            for s, p, o in result.graph
        )

    def update(self, update: str, *, prefixes: Mapping[str, str] | None = None) -> None:
        """Run a SPARQL update with rdflib's engine (not atomic: rdflib has no transactions)."""
        text = declare_prefixes(update, prefixes) if prefixes else update
        try:
            self.dataset.update(text)
        except Exception as error:  # rdflib's parser raises pyparsing's exceptions
            if type(error).__name__ == "ParseException":
                raise SyntaxError(str(error)) from error
            raise RuntimeError(str(error)) from error

    def quads_for_pattern(
        self,
        subject: ox.NamedNode | ox.BlankNode | None,
        predicate: ox.NamedNode | None,
        object: Term | None,
        graph_name: ox.NamedNode | ox.BlankNode | ox.DefaultGraph | None = None,
    ) -> Iterator[ox.Quad]:
        """The quads of the named graphs matching a pattern (``None`` matches anything)."""
        if isinstance(graph_name, ox.DefaultGraph):
            return iter(())
        pattern = tuple(None if t is None else rdflib_term(t) for t in (subject, predicate, object))
        graphs: Iterable[rdflib.Graph]
        if graph_name is None:
            graphs = [g for g in self.dataset.graphs() if g.identifier != DATASET_DEFAULT_GRAPH_ID]
        else:
            graphs = [self.dataset.graph(rdflib_term(graph_name))]
        return (
            ox.Quad(ox_term(s), ox_term(p), ox_term(o), ox_term(g.identifier))  # type: ignore[arg-type]
            for g in graphs
            for s, p, o in g.triples(pattern)  # type: ignore[arg-type]
        )

    def named_graphs(self) -> Iterator[ox.NamedNode | ox.BlankNode]:
        """The names of the graphs holding triples."""
        return (
            ox_term(g.identifier)  # type: ignore[misc]
            for g in self.dataset.graphs()
            if g.identifier != DATASET_DEFAULT_GRAPH_ID and len(g) > 0
        )

    def contains_named_graph(
        self, graph_name: ox.NamedNode | ox.BlankNode | ox.DefaultGraph
    ) -> bool:
        """Whether a graph of that name holds any triple."""
        if isinstance(graph_name, ox.DefaultGraph):
            return False
        return len(self.dataset.graph(rdflib_term(graph_name))) > 0

    def __len__(self) -> int:
        return sum(
            len(g) for g in self.dataset.graphs() if g.identifier != DATASET_DEFAULT_GRAPH_ID
        )

    def add(self, quad: ox.Quad) -> None:
        """Insert one quad."""
        self.extend([quad])

    def remove(self, quad: ox.Quad) -> None:
        """Delete one quad."""
        graph = self.dataset.graph(rdflib_term(quad.graph_name))  # type: ignore[arg-type]
        graph.remove(
            (rdflib_term(quad.subject), rdflib_term(quad.predicate), rdflib_term(quad.object))
        )

    def extend(self, quads: Iterable[ox.Quad]) -> None:
        """Insert quads (default-graph quads go to rdflib's default graph)."""
        self.dataset.addN(
            (
                rdflib_term(q.subject),
                rdflib_term(q.predicate),
                rdflib_term(q.object),
                self.dataset.default_graph
                if isinstance(q.graph_name, ox.DefaultGraph)
                else self.dataset.graph(rdflib_term(q.graph_name)),
            )
            for q in quads
        )

    def dump(
        self, output: Any = None, format: ox.RdfFormat | None = None, **_: Any
    ) -> bytes | None:
        """Serialize every named graph's quads, as :meth:`pyoxigraph.Store.dump` does."""
        return ox.serialize(self.quads_for_pattern(None, None, None, None), output, format)

    def clear(self) -> None:
        """Remove every graph and triple."""
        self.dataset = rdflib.Dataset(default_union=True)

    def flush(self) -> None:
        """Nothing to do: the store lives in memory."""

    def close(self) -> None:
        """Nothing to release."""
