"""A SHACL engine that compiles shapes to SPARQL queries and runs them on the model.

pySHACL walks the data node by node in Python; on a large model that is minutes of work. This
engine turns each constraint of a shapes graph into one SPARQL query that returns only the value
nodes that break it, for every focus node at once, and lets the store do the walking. It talks to
the model only through ``model.query(sparql, bindings=...)`` (SELECT over the union of graphs), so
the same shapes can later be run against a remote SPARQL endpoint.

The results are pySHACL's, result for result: focus node, path, value, source shape and
constraint component, severity and messages (pySHACL's wording when a shape has no message of its
own), and the same standard report graph. Where the store's comparison of literals could differ
from pySHACL's (ill-typed literals, incomparable values, regular expressions) the query returns
candidates and pySHACL's own rule decides in Python.

Only what the project's shapes use is compiled: targets (``sh:targetClass`` with subclasses,
``sh:targetNode``, ``sh:targetSubjectsOf``, ``sh:targetObjectsOf``, implicit class targets),
``sh:property`` with an IRI or ``sh:inversePath`` path, ``sh:class``, ``sh:datatype``,
``sh:nodeKind``, ``sh:minCount``, ``sh:maxCount``, ``sh:in``, ``sh:minInclusive``,
``sh:maxInclusive``, ``sh:minExclusive``, ``sh:maxExclusive``, ``sh:pattern``,
``sh:lessThanOrEquals``, ``sh:or`` of ``sh:class`` shapes, ``sh:severity``, ``sh:message``,
``sh:deactivated`` and SPARQL-based constraints (``sh:sparql`` with ``sh:select``). Anything else
makes :func:`compile_shapes` raise :class:`~kg.errors.UnsupportedShapesError` with the reason,
and :func:`kg.validation.validate` falls back to pySHACL.

>>> from kg.model import open_model
>>> from kg.ontology import shapes_graph
>>> from kg.shacl import compile_shapes, run_shapes
>>> compiled = compile_shapes(shapes_graph())
>>> report, results = run_shapes(open_model(), compiled)
>>> results
[]
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Protocol, TypeAlias

import pyoxigraph as ox
import rdflib
from pyshacl.rdfutil.clone import clone_blank_node
from pyshacl.rdfutil.compare import compare_literal
from pyshacl.rdfutil.stringify import stringify_node
from rdflib.namespace import OWL, RDF, RDFS, SH, XSD
from rdflib.term import BNode, Identifier, Literal, Node, URIRef

from kg.errors import QueryError, ShapesError, UnsupportedShapesError
from kg.rdflibstore import ox_term
from kg.store import rdflib_term

__all__ = [
    "CompiledShapes",
    "Queryable",
    "ShapeResult",
    "compile_shapes",
    "run_shapes",
]

Term: TypeAlias = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple


class Queryable(Protocol):
    """What the engine needs of a model: SPARQL SELECT over the union of its graphs."""

    def query(self, sparql: str, *, bindings: Mapping[str, Term] | None = None) -> object:
        """Run a query; a SELECT gives :class:`pyoxigraph.QuerySolutions`."""
        ...


# --------------------------------------------------------------------------------------------------
# Vocabulary
# --------------------------------------------------------------------------------------------------

_TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)
# Parameters this engine compiles on a shape; any other SHACL parameter makes the shapes
# unsupported (see _UNSUPPORTED).
_SUPPORTED = {
    SH["class"],
    SH.datatype,
    SH.nodeKind,
    SH.minCount,
    SH.maxCount,
    SH["in"],
    SH.minInclusive,
    SH.maxInclusive,
    SH.minExclusive,
    SH.maxExclusive,
    SH.pattern,
    SH.lessThanOrEquals,
    SH["or"],
    SH.sparql,
    SH.property,
}
_UNSUPPORTED = {
    SH.hasValue,
    SH.minLength,
    SH.maxLength,
    SH.languageIn,
    SH.uniqueLang,
    SH.equals,
    SH.disjoint,
    SH.lessThan,
    SH["not"],
    SH["and"],
    SH.xone,
    SH.node,
    SH.qualifiedValueShape,
    SH.qualifiedMinCount,
    SH.qualifiedMaxCount,
    SH.closed,
    SH.ignoredProperties,
    SH.flags,
    SH.target,
    SH.rule,
    SH.expression,
    SH.js,
}
_ALLOWED_SEVERITIES = {SH.Info, SH.Warning}
_EXACT_NUMERIC = (XSD.integer, XSD.decimal)
_NODE_KINDS = {
    SH.IRI: "!isIRI(?value)",
    SH.Literal: "!isLiteral(?value)",
    SH.BlankNode: "!isBlank(?value)",
    SH.BlankNodeOrIRI: "isLiteral(?value)",
    SH.BlankNodeOrLiteral: "isIRI(?value)",
    SH.IRIOrLiteral: "isBlank(?value)",
}
# Datatypes rdflib parses into Python values (and may then find ill-typed); for these a literal of
# the right datatype is checked in Python unless the store shows it canonical and well formed.
_CHECKED_DATATYPES = {
    XSD.integer: r"^-?[0-9]+$",
    XSD.decimal: r"^-?[0-9]+(\\.[0-9]+)?$",
    XSD.boolean: r"^(true|false)$",
    XSD.date: r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$",
}
_SIMPLE_PATTERN = re.compile(r"^[\^$A-Za-z0-9 \[\]{}()|?*+,.:_-]*$")

_COMPONENT = {
    "class": SH.ClassConstraintComponent,
    "datatype": SH.DatatypeConstraintComponent,
    "nodeKind": SH.NodeKindConstraintComponent,
    "minCount": SH.MinCountConstraintComponent,
    "maxCount": SH.MaxCountConstraintComponent,
    "in": SH.InConstraintComponent,
    "minInclusive": SH.MinInclusiveConstraintComponent,
    "maxInclusive": SH.MaxInclusiveConstraintComponent,
    "minExclusive": SH.MinExclusiveConstraintComponent,
    "maxExclusive": SH.MaxExclusiveConstraintComponent,
    "pattern": SH.PatternConstraintComponent,
    "lessThanOrEquals": SH.LessThanOrEqualsConstraintComponent,
    "or": SH.OrConstraintComponent,
    "sparql": SH.SPARQLConstraintComponent,
}


# --------------------------------------------------------------------------------------------------
# The compiled form
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Path:
    """A property shape's path: a predicate, maybe inverse, and the shapes-graph node naming it."""

    predicate: URIRef
    inverse: bool
    node: URIRef | BNode

    def pattern(self, subject: str, value: str) -> str:
        if self.inverse:
            return f"{value} {_iri(self.predicate)} {subject} ."
        return f"{subject} {_iri(self.predicate)} {value} ."

    def sparql(self) -> str:
        return ("^" if self.inverse else "") + _iri(self.predicate)


@dataclass(frozen=True)
class _Constraint:
    """One constraint of a shape: its parameter name and value(s)."""

    kind: str
    values: tuple[Node, ...]
    members: tuple[tuple[URIRef, ...] | None, ...] = ()
    sparql: _SparqlConstraint | None = None


@dataclass(frozen=True)
class _SparqlConstraint:
    node: URIRef | BNode
    text: str
    messages: tuple[Literal, ...]
    projects_this: bool


@dataclass(frozen=True)
class _Shape:
    node: URIRef | BNode
    path: _Path | None
    severity: URIRef
    messages: tuple[Literal, ...]
    constraints: tuple[_Constraint, ...]
    properties: tuple[_Shape, ...]
    target_classes: tuple[URIRef, ...] = ()
    target_nodes: tuple[Identifier, ...] = ()
    subjects_of: tuple[URIRef, ...] = ()
    objects_of: tuple[URIRef, ...] = ()

    @property
    def targeted(self) -> bool:
        return bool(self.target_classes or self.target_nodes or self.subjects_of or self.objects_of)


@dataclass(frozen=True)
class CompiledShapes:
    """A shapes graph compiled for :func:`run_shapes`: build once, run on any model."""

    graph: rdflib.Graph = field(repr=False)
    shapes: tuple[_Shape, ...] = field(repr=False)

    def __len__(self) -> int:
        return len(self.shapes)


@dataclass(frozen=True)
class ShapeResult:
    """One validation result, in the terms of the report graph."""

    focus: Identifier
    value: Identifier | None
    path: Node | None
    shape: URIRef | BNode
    component: URIRef
    severity: URIRef
    messages: tuple[Literal, ...]
    source_constraint: Node | None = None


# --------------------------------------------------------------------------------------------------
# Compiling
# --------------------------------------------------------------------------------------------------


def compile_shapes(shapes: rdflib.Graph) -> CompiledShapes:
    """Compile a shapes graph into SPARQL constraints.

    Parameters
    ----------
    shapes
        The shapes graph, as pySHACL would be given it.

    Returns
    -------
    CompiledShapes
        The shapes with targets, each with its constraints and property shapes.

    Raises
    ------
    UnsupportedShapesError
        The shapes use a SHACL feature this engine does not compile; the message names it.

    Examples
    --------
    >>> from kg.ontology import shapes_graph
    >>> len(compile_shapes(shapes_graph())) > 30
    True
    """
    return _Compiler(shapes).compile()


class _Compiler:
    def __init__(self, graph: rdflib.Graph) -> None:
        self.graph = graph
        self.cache: dict[Node, _Shape] = {}

    def compile(self) -> CompiledShapes:
        g = self.graph
        for parameter in _UNSUPPORTED:
            if (None, parameter, None) in g:
                raise UnsupportedShapesError(f"{_name(g, parameter)} is not compiled to SPARQL")
        class_types = {RDFS.Class, OWL.Class} | set(g.subjects(RDFS.subClassOf, RDFS.Class))
        roots: set[Node] = set(g.subjects(RDF.type, SH.NodeShape))
        roots |= set(g.subjects(RDF.type, SH.PropertyShape))
        for target in _TARGETS:
            roots |= set(g.subjects(target, None))
        roots |= set(g.subjects(SH.property, None))
        shapes = []
        for node in sorted(roots, key=str):
            if not isinstance(node, URIRef | BNode):
                raise UnsupportedShapesError(f"a shape named by the literal {node!r}")
            if self._deactivated(node):
                continue
            implicit = (node,) if set(g.objects(node, RDF.type)) & class_types else ()
            shape = self._shape(node, implicit=implicit)
            if shape.targeted:
                shapes.append(shape)
        return CompiledShapes(graph=g, shapes=tuple(shapes))

    def _deactivated(self, node: Node) -> bool:
        values = list(self.graph.objects(node, SH.deactivated))
        flags = [v for v in values if isinstance(v, Literal)]
        if len(values) > 1 or len(flags) != len(values):
            raise UnsupportedShapesError(f"{_name(self.graph, node)}: malformed sh:deactivated")
        return bool(flags and flags[0].value)

    def _one(self, node: Node, parameter: URIRef) -> Node | None:
        values = list(self.graph.objects(node, parameter))
        if len(values) > 1:
            raise UnsupportedShapesError(
                f"{_name(self.graph, node)} has several values for {_name(self.graph, parameter)}"
            )
        return values[0] if values else None

    def _shape(self, node: URIRef | BNode, *, implicit: tuple[URIRef | BNode, ...] = ()) -> _Shape:
        if node in self.cache and not implicit:
            return self.cache[node]
        g = self.graph
        path_node = self._one(node, SH.path)
        path = None if path_node is None else self._path(node, path_node)
        severity = self._one(node, SH.severity) or SH.Violation
        if not isinstance(severity, URIRef):
            raise UnsupportedShapesError(f"{_name(g, node)}: sh:severity is not an IRI")
        constraints: list[_Constraint] = []
        for kind in (
            "class",
            "datatype",
            "nodeKind",
            "minCount",
            "maxCount",
            "in",
            "minInclusive",
            "maxInclusive",
            "minExclusive",
            "maxExclusive",
            "pattern",
            "lessThanOrEquals",
            "or",
            "sparql",
        ):
            values = tuple(sorted(g.objects(node, SH[kind]), key=str))
            if kind == "sparql":
                # Each SPARQL constraint of a shape runs, and reports, on its own.
                constraints += [self._constraint(node, kind, (v,), path) for v in values]
            elif values:
                constraints.append(self._constraint(node, kind, values, path))
        properties = []
        for child in sorted(g.objects(node, SH.property), key=str):
            if path is not None:
                raise UnsupportedShapesError(f"{_name(g, node)}: sh:property on a property shape")
            if not isinstance(child, URIRef | BNode) or self._one(child, SH.path) is None:
                raise UnsupportedShapesError(f"{_name(g, child)}: sh:property without sh:path")
            if not self._deactivated(child):
                properties.append(self._shape(child))
        classes = [c for c in g.objects(node, SH.targetClass)] + list(implicit)
        nodes = list(g.objects(node, SH.targetNode))
        for target in classes + nodes:
            if isinstance(target, BNode):
                raise UnsupportedShapesError(f"{_name(g, node)}: a blank node as target")
        shape = _Shape(
            node=node,
            path=path,
            severity=severity,
            messages=tuple(sorted(_literals(g, node, SH.message), key=_literal_key)),
            constraints=tuple(constraints),
            properties=tuple(properties),
            target_classes=tuple(sorted((c for c in classes if isinstance(c, URIRef)), key=str)),
            target_nodes=tuple(sorted((n for n in nodes if isinstance(n, Identifier)), key=str)),
            subjects_of=self._iris(node, SH.targetSubjectsOf),
            objects_of=self._iris(node, SH.targetObjectsOf),
        )
        if not implicit:
            self.cache[node] = shape
        return shape

    def _iris(self, node: Node, parameter: URIRef) -> tuple[URIRef, ...]:
        values = sorted(self.graph.objects(node, parameter), key=str)
        if not all(isinstance(v, URIRef) for v in values):
            raise UnsupportedShapesError(f"{_name(self.graph, parameter)} needs IRIs")
        return tuple(v for v in values if isinstance(v, URIRef))

    def _path(self, shape: Node, node: Node) -> _Path:
        g = self.graph
        if isinstance(node, URIRef):
            return _Path(node, False, node)
        if isinstance(node, BNode):
            inverse = list(g.objects(node, SH.inversePath))
            single = len(list(g.predicate_objects(node))) == 1 and len(inverse) == 1
            if single and isinstance(inverse[0], URIRef):
                return _Path(inverse[0], True, node)
        raise UnsupportedShapesError(
            f"{_name(g, shape)}: only IRI and sh:inversePath paths are compiled"
        )

    def _constraint(
        self, node: Node, kind: str, values: tuple[Node, ...], path: _Path | None
    ) -> _Constraint:
        g = self.graph
        where = _name(g, node)
        if kind in ("minCount", "maxCount", "lessThanOrEquals") and path is None:
            raise UnsupportedShapesError(f"{where}: sh:{kind} on a node shape")
        if kind in ("datatype", "nodeKind", "minCount", "maxCount", "in") and len(values) > 1:
            raise UnsupportedShapesError(f"{where}: several values of sh:{kind}")
        value = values[0]
        if kind in ("minCount", "maxCount"):
            if not (
                isinstance(value, Literal)
                and value.datatype == XSD.integer
                and isinstance(value.value, int)
                and value.value >= 0
            ):
                raise UnsupportedShapesError(f"{where}: sh:{kind} is not a whole number")
        elif kind in ("class", "datatype", "nodeKind", "lessThanOrEquals"):
            if not all(isinstance(v, URIRef) for v in values):
                raise UnsupportedShapesError(f"{where}: sh:{kind} needs IRIs")
            if kind == "datatype" and value == RDFS.Datatype:
                # rdflib tells "x" from "x"^^xsd:string, a store does not.
                raise UnsupportedShapesError(f"{where}: sh:datatype rdfs:Datatype")
        elif kind in _RANGE_OPERATORS:
            if not all(isinstance(v, Literal) for v in values):
                raise UnsupportedShapesError(f"{where}: sh:{kind} needs literals")
        elif kind == "pattern":
            if len(values) > 1 or not isinstance(value, Literal):
                raise UnsupportedShapesError(f"{where}: sh:pattern needs one literal")
        elif kind == "in":
            return _Constraint(kind, self._in_members(where, value))
        elif kind == "or":
            return _Constraint(kind, values, members=self._or_members(where, values))
        elif kind == "sparql":
            return _Constraint(kind, values, sparql=self._sparql(node, value, path))
        return _Constraint(kind, values)

    def _in_members(self, where: str, head: Node) -> tuple[Node, ...]:
        members = tuple(self.graph.items(head))
        if not members:
            raise UnsupportedShapesError(f"{where}: sh:in is not a list")
        for member in members:
            if isinstance(member, BNode):
                raise UnsupportedShapesError(f"{where}: a blank node in sh:in")
            if isinstance(member, Literal) and not _same_in_store(member):
                raise UnsupportedShapesError(
                    f"{where}: the sh:in literal {member.n3()} is not as a store keeps it"
                )
        return members

    def _or_members(
        self, where: str, heads: tuple[Node, ...]
    ) -> tuple[tuple[URIRef, ...] | None, ...]:
        """Each member's classes; ``None`` for a member that always conforms."""
        g = self.graph
        members: list[tuple[URIRef, ...] | None] = []
        if len(heads) > 1:
            raise UnsupportedShapesError(f"{where}: several sh:or lists on one shape")
        for member in g.items(heads[0]):
            parameters = {p for p in g.predicates(member, None)} - {RDF.type, SH["class"]}
            parameters -= {SH.message, SH.severity, SH.deactivated, SH.name, SH.description}
            if parameters or (member, RDF.type, SH.PropertyShape) in g:
                raise UnsupportedShapesError(f"{where}: sh:or members other than sh:class shapes")
            severity = self._one(member, SH.severity)
            # pySHACL judges a member by its own severity: with warnings allowed, a member of
            # severity warning or info conforms whatever the value.
            if self._deactivated(member) or severity in _ALLOWED_SEVERITIES:
                members.append(None)
                continue
            classes = sorted(g.objects(member, SH["class"]), key=str)
            if not all(isinstance(c, URIRef) for c in classes):
                raise UnsupportedShapesError(f"{where}: sh:class needs IRIs")
            members.append(tuple(c for c in classes if isinstance(c, URIRef)))
        if not members:
            raise UnsupportedShapesError(f"{where}: sh:or is not a list")
        return tuple(members)

    def _sparql(self, shape: Node, node: Node, path: _Path | None) -> _SparqlConstraint:
        g = self.graph
        where = _name(g, shape)
        if not isinstance(node, URIRef | BNode):
            raise UnsupportedShapesError(f"{where}: sh:sparql is not a node")
        select = list(g.objects(node, SH.select))
        if len(select) != 1 or not isinstance(select[0], Literal):
            raise UnsupportedShapesError(f"{where}: sh:sparql needs one sh:select")
        if (node, SH.ask, None) in g:
            raise UnsupportedShapesError(f"{where}: sh:ask")
        messages = _literals(g, node, SH.message)
        if any(not isinstance(m.value, str) for m in messages):
            raise UnsupportedShapesError(f"{where}: a sh:message that is not a string")
        deactivated = list(g.objects(node, SH.deactivated))
        if deactivated and not (
            isinstance(deactivated[0], Literal) and isinstance(deactivated[0].value, bool)
        ):
            raise UnsupportedShapesError(f"{where}: malformed sh:deactivated")
        text, projects_this = _prepare_select(str(select[0]), where, path)
        prefixes = _prefixes(g, node)
        head = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in prefixes.items())
        if deactivated and isinstance(deactivated[0], Literal) and deactivated[0].value:
            text = ""
        return _SparqlConstraint(
            node=node,
            text=head + text if text else "",
            messages=tuple(sorted(messages, key=_literal_key)),
            projects_this=projects_this,
        )


def _literals(graph: rdflib.Graph, node: Node, predicate: URIRef) -> list[Literal]:
    return [m for m in graph.objects(node, predicate) if isinstance(m, Literal)]


def _literal_key(literal: Literal) -> tuple[str, str]:
    return (str(literal), literal.language or "")


def _name(graph: rdflib.Graph, node: Node) -> str:
    if isinstance(node, URIRef):
        try:
            return graph.namespace_manager.normalizeUri(node)
        except Exception:  # rdflib raises several types for IRIs it cannot split
            return f"<{node}>"
    if isinstance(node, BNode):
        return "an anonymous shape"
    return str(node)


_PROBE = ox.NamedNode("urn:bmkg:probe")


def _same_in_store(literal: Literal) -> bool:
    """Whether a store keeps this literal unchanged (it rewrites numbers to canonical form)."""
    if literal.datatype == XSD.string:
        # rdflib tells "x"^^xsd:string from "x"; the store (and the data pySHACL sees) does not.
        return False
    store = ox.Store()
    term = ox_term(literal)
    store.add(ox.Quad(_PROBE, _PROBE, term))
    return [q.object for q in store] == [term]


def _prefixes(graph: rdflib.Graph, node: Node) -> dict[str, str]:
    """The prefixes pySHACL declares for a SPARQL constraint: rdf, rdfs, owl and sh:declare."""
    prefixes = {
        "rdf": str(RDF),
        "rdfs": str(RDFS),
        "owl": str(OWL),
    }
    ontologies = set(graph.subjects(RDF.type, OWL.Ontology))
    named = set(graph.objects(graph.identifier, SH.declare))
    global_declares = set(named)
    for ontology in ontologies:
        global_declares |= set(graph.objects(ontology, SH.declare))
    for holder in graph.objects(node, SH.prefixes):
        own = set(graph.objects(holder, SH.declare))
        declares = own | named if own and holder in ontologies else global_declares | own
        for declare in declares:
            prefix = list(graph.objects(declare, SH.prefix))
            namespace = list(graph.objects(declare, SH.namespace))
            if len(prefix) != 1 or len(namespace) != 1 or not isinstance(prefix[0], Literal):
                raise UnsupportedShapesError("a malformed sh:declare")
            prefixes[str(prefix[0].value)] = str(namespace[0])
    return prefixes


# --------------------------------------------------------------------------------------------------
# SPARQL-based constraints: pre-binding $this for every focus node at once
# --------------------------------------------------------------------------------------------------

_TOKEN = re.compile(
    r"(?P<comment>\#[^\n]*)"
    r'|(?P<string>"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^\'\\]|\\.|\'(?!\'\'))*\'\'\''
    r'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\')'
    r'|(?P<iri><[^<>"{}|^`\\\x00-\x20]*>)'
    r"|(?P<var>[?$][A-Za-z0-9_\u00B7-\uFFFF]+)"
    r"|(?P<word>[A-Za-z_][\w\-]*(?::[\w\-.%:]*)?|:[\w\-.%:]*)"
    r"|(?P<punct>[{}()*])"
    r"|(?P<other>.)",
    re.S,
)
_FORBIDDEN = {"GROUP", "HAVING", "LIMIT", "OFFSET", "VALUES", "MINUS", "SERVICE", "FROM"}
_AGGREGATES = {"COUNT", "SUM", "MIN", "MAX", "AVG", "SAMPLE", "GROUP_CONCAT"}
_PATH_VARIABLE = re.compile(r"([\s{}()])[\$\?]PATH", flags=re.M)


@dataclass
class _Token:
    kind: str
    text: str
    start: int
    end: int


def _prepare_select(text: str, where: str, path: _Path | None) -> tuple[str, bool]:
    """Make a constraint's SELECT run for all focus nodes: mark where the focus set goes.

    Returns the query with ``{{FOCUS}}`` where the focus nodes are joined in (first thing in its
    WHERE group, so that filters, ``BIND`` and ``EXISTS`` see ``$this`` bound, as with pySHACL's
    pre-binding), ``?this`` added to the projection, and whether the query projected it itself.
    Queries where a join is not the same as pre-binding are refused.
    """
    if path is not None:
        text = _PATH_VARIABLE.sub(lambda m: m.group(1) + path.sparql(), text)
    tokens = [
        _Token(m.lastgroup or "other", m.group(0), m.start(), m.end())
        for m in _TOKEN.finditer(text)
    ]
    tokens = [t for t in tokens if t.kind != "comment" and not t.text.isspace()]

    def refuse(why: str) -> UnsupportedShapesError:
        return UnsupportedShapesError(f"{where}: a SPARQL constraint {why}")

    words = [t.text.upper() for t in tokens if t.kind == "word"]
    if words.count("SELECT") != 1:
        raise refuse("must be one SELECT without subqueries")
    if bad := sorted(_FORBIDDEN & set(words)):
        raise refuse(f"uses {bad[0]}")
    for token, following in zip(tokens, tokens[1:], strict=False):
        if token.kind == "word" and token.text.upper() in _AGGREGATES and following.text == "(":
            raise refuse("uses an aggregate")
    for token in tokens:
        if token.kind == "var" and token.text[1:] in ("currentShape", "shapesGraph", "PATH"):
            raise refuse(f"uses {token.text}")
    select = next(i for i, t in enumerate(tokens) if t.text.upper() == "SELECT")
    brace = next((i for i, t in enumerate(tokens) if t.text == "{"), None)
    if brace is None or brace < select:
        raise refuse("has no WHERE group")
    head = tokens[select + 1 : brace]
    projection = [t for t in head if t.text.upper() not in ("WHERE", "DISTINCT", "REDUCED")]
    if any(t.text.upper() == "AS" for t in projection) or any(
        t.text.upper() == "EXISTS" for t in projection
    ):
        raise refuse("computes values in its projection")
    projects_all = any(t.text == "*" for t in projection)
    projects_this = projects_all or any(t.kind == "var" and t.text[1:] == "this" for t in head)
    # Where each $this stands: a join with the focus nodes equals pre-binding $this in the WHERE
    # group itself, inside an EXISTS directly under it, and in triple patterns anywhere else.
    groups: list[tuple[str, int]] = []
    parens = 0
    previous = ""
    for token in tokens[brace:]:
        if token.text == "{":
            groups.append(("exists" if previous == "EXISTS" else "group", parens))
        elif token.text == "}":
            if groups:
                groups.pop()
        elif token.text == "(":
            parens += 1
        elif token.text == ")":
            parens -= 1
        elif token.kind == "var" and token.text[1:] == "this":
            inner = groups[1:]
            in_exists = any(kind == "exists" for kind, _ in inner)
            fine = (
                not inner
                or inner[0][0] == "exists"
                or (not in_exists and parens == inner[-1][1] == inner[0][1])
            )
            if not fine:
                raise refuse("uses $this where binding it in advance differs from a join")
        previous = token.text.upper()
    cut = tokens[select].end
    if head and head[0].text.upper() in ("DISTINCT", "REDUCED"):
        cut = head[0].end
    open_at = tokens[brace].end
    projected = text[:cut] + ("" if projects_this else " ?this") + text[cut:open_at]
    return projected + " {{FOCUS}} " + text[open_at:], projects_this


# --------------------------------------------------------------------------------------------------
# Running
# --------------------------------------------------------------------------------------------------


def run_shapes(
    model: Queryable,
    compiled: CompiledShapes,
    *,
    focus_nodes: Iterable[URIRef] | None = None,
    namespaces: rdflib.Graph | None = None,
) -> tuple[rdflib.Graph, list[ShapeResult]]:
    """Validate a model against compiled shapes.

    Parameters
    ----------
    model
        Anything with ``query(sparql, bindings=...)`` over the union of its graphs, such as a
        :class:`~kg.store.KnowledgeGraph`. It must hold the class hierarchy the shapes rely on.
    compiled
        Shapes from :func:`compile_shapes`.
    focus_nodes
        Validate only these nodes, as pySHACL's ``focus_nodes`` option does.
    namespaces
        A graph whose prefixes name data nodes in the default messages of shapes without a
        message of their own (pySHACL uses the data graph's).

    Returns
    -------
    rdflib.Graph, list of ShapeResult
        pySHACL's report graph (``sh:ValidationReport``) and its results.

    Raises
    ------
    ShapesError
        A constraint could not be run on this model.
    """
    run = _Run(model, compiled, focus_nodes, namespaces)
    results = run.results()
    return run.report(results), results


class _Run:
    def __init__(
        self,
        model: Queryable,
        compiled: CompiledShapes,
        focus_nodes: Iterable[URIRef] | None,
        namespaces: rdflib.Graph | None,
    ) -> None:
        self.model = model
        self.compiled = compiled
        self.sg = compiled.graph
        self.focus = None if focus_nodes is None else sorted({URIRef(n) for n in focus_nodes})
        self._namespaces = namespaces
        self._view: rdflib.Graph | None = None
        self._described: set[BNode] = set()
        self._focus_patterns: dict[tuple[Node, bool], str] = {}
        self.subclasses = self._subclasses()

    @property
    def view(self) -> rdflib.Graph:
        """The nodes named in results, described for messages (built on first use).

        Binding the model's prefixes costs milliseconds, a good part of a write's check, and
        a run without results never names a node.
        """
        if self._view is None:
            self._view = rdflib.Graph()
            if self._namespaces is not None:
                for prefix, namespace in self._namespaces.namespaces():
                    self._view.bind(prefix, namespace, override=False)
        return self._view

    # -- queries ------------------------------------------------------------------------------

    def select(self, sparql: str) -> ox.QuerySolutions:
        try:
            solutions = self.model.query(sparql)
        except QueryError as error:
            raise ShapesError(f"a compiled SHACL constraint could not run: {error}") from error
        if not isinstance(solutions, ox.QuerySolutions):
            raise ShapesError("a compiled SHACL constraint did not return solutions")
        return solutions

    def _subclasses(self) -> dict[Node, set[Node]]:
        children: dict[Node, set[Node]] = defaultdict(set)
        query = f"SELECT DISTINCT ?sub ?super WHERE {{ ?sub {_iri(RDFS.subClassOf)} ?super }}"
        for row in self.select(query):
            children[rdflib_term(row["super"])].add(rdflib_term(row["sub"]))
        return children

    def descendants(self, cls: Node) -> list[Node]:
        """``cls`` and its subclasses, as pySHACL's transitive walk over the data finds them."""
        found = {cls}
        frontier = [cls]
        while frontier:
            for child in self.subclasses.get(frontier.pop(), ()):
                if child not in found:
                    found.add(child)
                    frontier.append(child)
        return sorted(found, key=str)

    def instance_of(
        self, variable: str, classes: Sequence[Node], *, type_var: str = "?_type"
    ) -> str:
        """A pattern true when ``variable`` has rdf:type one of ``classes`` or their subclasses."""
        found: set[Node] = set()
        for cls in classes:
            found.update(self.descendants(cls))
        iris = sorted((c for c in found if isinstance(c, URIRef)), key=str)
        parts = []
        if len(iris) == 1:
            parts.append(f"{{ {variable} {_iri(RDF.type)} {_iri(iris[0])} }}")
        elif iris:
            values = " ".join(_iri(c) for c in iris)
            parts.append(
                f"{{ VALUES {type_var} {{ {values} }} {variable} {_iri(RDF.type)} {type_var} }}"
            )
        if len(iris) < len(found):
            # A blank node in the class hierarchy cannot be named in a query: walk to the class.
            for cls in classes:
                parts.append(
                    f"{{ {variable} {_iri(RDF.type)}/{_iri(RDFS.subClassOf)}* {_term(cls)} }}"
                )
        return " UNION ".join(parts) if parts else "FILTER(false)"

    def focus_pattern(self, shape: _Shape, *, hidden: bool = False) -> str:
        """A pattern binding ?this to the shape's focus nodes (a node may come more than once).

        Every query over it keeps distinct rows, so the focus pattern itself need not be
        distinct; a single target class is joined in place, which the store plans best.
        """
        key = (shape.node, hidden)
        if key not in self._focus_patterns:
            self._focus_patterns[key] = self._focus_pattern(shape, hidden=hidden)
        return self._focus_patterns[key]

    def _focus_pattern(self, shape: _Shape, *, hidden: bool) -> str:
        parts = []
        if shape.target_classes:
            parts.append(self.instance_of("?this", shape.target_classes, type_var="?_focus_type"))
        if shape.target_nodes:
            values = " ".join(_term(n) for n in shape.target_nodes)
            parts.append(f"{{ VALUES ?this {{ {values} }} }}")
        parts += [f"{{ ?this {_iri(p)} [] }}" for p in shape.subjects_of]
        parts += [f"{{ [] {_iri(p)} ?this }}" for p in shape.objects_of]
        body = parts[0] if len(parts) == 1 else " UNION ".join(f"{{ {p} }}" for p in parts)
        if self.focus is not None:
            restrict = " ".join(_iri(n) for n in self.focus)
            body = f"VALUES ?this {{ {restrict} }} {body}"
        if hidden:
            # SPARQL constraints may SELECT *: keep the helper variables out of their sight.
            return f"{{ SELECT DISTINCT ?this WHERE {{ {body} }} }}"
        return body

    # -- results ------------------------------------------------------------------------------

    def results(self) -> list[ShapeResult]:
        results: list[ShapeResult] = []
        applies = self._applies_to_focus()
        for shape in self.compiled.shapes:
            if not applies(shape):
                continue
            results += self.shape_results(shape, shape)
            for child in shape.properties:
                results += self.shape_results(child, shape)
        return results

    def _applies_to_focus(self) -> Callable[[_Shape], bool]:
        """Which shapes can target one of the focus nodes (all of them, without focus nodes).

        A shape targeting classes only, none of which (nor their subclasses) is a type of a
        focus node, cannot give a result for it: skipping it saves its queries, which is most
        of the work when a write validates a handful of nodes.
        """
        if self.focus is None:
            return lambda shape: True
        values = " ".join(_term(node) for node in self.focus)
        query = (
            f"SELECT DISTINCT ?type WHERE {{ VALUES ?this {{ {values} }} "
            f"?this {_iri(RDF.type)} ?type }}"
        )
        types = {rdflib_term(row["type"]) for row in self.select(query)}

        def applies(shape: _Shape) -> bool:
            if shape.target_nodes or shape.subjects_of or shape.objects_of:
                return True
            return any(not types.isdisjoint(self.descendants(cls)) for cls in shape.target_classes)

        return applies

    def shape_results(self, shape: _Shape, target: _Shape) -> list[ShapeResult]:
        focus = self.focus_pattern(target)
        results = []
        for constraint in shape.constraints:
            if constraint.kind == "sparql":
                assert constraint.sparql is not None
                hidden = self.focus_pattern(target, hidden=True)
                results += self.sparql_results(shape, constraint.sparql, hidden)
            else:
                results += self.constraint_results(shape, constraint, focus)
        return results

    def result(
        self,
        shape: _Shape,
        kind: str,
        focus: Identifier,
        value: Identifier | None,
        generic: str | None = None,
    ) -> ShapeResult:
        messages = shape.messages or ((Literal(generic),) if generic is not None else ())
        return ShapeResult(
            focus=focus,
            value=value,
            path=None if shape.path is None else shape.path.node,
            shape=shape.node,
            component=_COMPONENT[kind],
            severity=shape.severity,
            messages=messages,
        )

    def constraint_results(
        self, shape: _Shape, constraint: _Constraint, focus: str
    ) -> list[ShapeResult]:
        kind = constraint.kind
        path = shape.path
        value_var = "?value" if path is not None else "?this"
        values = path.pattern("?this", "?value") if path is not None else ""
        sg = self.sg
        out: list[ShapeResult] = []

        def generic(text: str) -> str | None:
            return None if shape.messages else text

        if kind in ("minCount", "maxCount"):
            assert path is not None
            count = constraint.values[0]
            assert isinstance(count, Literal)
            limit = int(count.value)
            if kind == "minCount" and limit == 0:
                return []
            query = _count_query(focus, path, kind, limit)
            word = "Less" if kind == "minCount" else "More"
            for row in self.select(query):
                this = rdflib_term(row["this"])
                out.append(
                    self.result(
                        shape,
                        kind,
                        this,
                        None,
                        generic(
                            f"{word} than {limit} values on {self.stringify(this)}->"
                            f"{stringify_node(sg, path.node)}"
                        ),
                    )
                )
            return out
        if kind == "class":
            for cls in constraint.values:
                query = (
                    f"SELECT DISTINCT {_head(value_var)} WHERE {{ {focus} {values} "
                    f"FILTER NOT EXISTS {{ {self.instance_of(value_var, [cls])} }} }}"
                )
                text = (
                    f"Value does not have class {stringify_node(sg, cls)}"
                    if len(constraint.values) < 2
                    else "Value class is not in classes ("
                    + ", ".join(stringify_node(sg, c) for c in constraint.values)
                    + ")"
                )
                for this, value in self.pairs(query, value_var):
                    out.append(self.result(shape, kind, this, value, generic(text)))
            return out
        if kind == "datatype":
            rule = constraint.values[0]
            assert isinstance(rule, URIRef)
            query = (
                f"SELECT DISTINCT {_head(value_var)} WHERE {{ {focus} {values} "
                f"FILTER ({_datatype_candidates(rule, value_var)}) }}"
            )
            text = f"Value is not Literal with datatype {stringify_node(sg, rule)}"
            for this, value in self.pairs(query, value_var):
                if not _datatype_matches(value, rule):
                    out.append(self.result(shape, kind, this, value, generic(text)))
            return out
        if kind == "nodeKind":
            rule = constraint.values[0]
            test = _NODE_KINDS.get(rule, "true").replace("?value", value_var)  # type: ignore[call-overload]
            query = (
                f"SELECT DISTINCT {_head(value_var)} WHERE {{ {focus} {values} FILTER ({test}) }}"
            )
            text = f"Value is not of Node Kind {stringify_node(sg, rule)}"
            for this, value in self.pairs(query, value_var):
                out.append(self.result(shape, kind, this, value, generic(text)))
            return out
        if kind == "in":
            query = _select(value_var, focus, values, _not_in(value_var, constraint.values))
            members = [stringify_node(sg, m) for m in constraint.values]
            for this, value in self.pairs(query, value_var):
                text = f"Value {self.stringify(value)} not in list {members}"
                out.append(self.result(shape, kind, this, value, generic(text)))
            return out
        if kind in _RANGE_OPERATORS:
            for bound in constraint.values:
                assert isinstance(bound, Literal)
                op = _RANGE_OPERATORS[kind]
                sure = "false"
                if bound.datatype in _EXACT_NUMERIC:
                    sure = (
                        f"COALESCE(DATATYPE({value_var}) IN ({_iri(XSD.integer)}, "
                        f"{_iri(XSD.decimal)}) && {value_var} {op} {_term(bound)}, false)"
                    )
                query = (
                    f"SELECT DISTINCT {_head(value_var)} WHERE {{ {focus} {values} "
                    f"FILTER (!{sure}) }}"
                )
                if len(constraint.values) < 2:
                    text = f"Value is not {op} {stringify_node(sg, bound)}"
                else:
                    rules = ", ".join(stringify_node(sg, c) for c in constraint.values)
                    text = f"Value is not {op} in ({rules})"
                for this, value in self.pairs(query, value_var):
                    if not _in_range(value, bound, op):
                        out.append(self.result(shape, kind, this, value, generic(text)))
            return out
        if kind == "pattern":
            rule = constraint.values[0]
            assert isinstance(rule, Literal)
            pattern = str(rule.value) if rule.value is not None and len(rule.value) > 1 else rule
            matcher = re.compile(str(pattern))
            test = "true"
            if _SIMPLE_PATTERN.match(str(pattern)):
                test = f"isBlank({value_var}) || !REGEX(STR({value_var}), {_string(str(pattern))})"
            query = (
                f"SELECT DISTINCT {_head(value_var)} WHERE {{ {focus} {values} FILTER ({test}) }}"
            )
            text = f"Value does not match pattern '{rule.value}'"
            for this, value in self.pairs(query, value_var):
                if not _matches(value, matcher):
                    out.append(self.result(shape, kind, this, value, generic(text)))
            return out
        if kind == "lessThanOrEquals":
            assert path is not None
            for other in constraint.values:
                sure = (
                    f"COALESCE(DATATYPE(?value) IN ({_iri(XSD.integer)}, {_iri(XSD.decimal)}) && "
                    f"DATATYPE(?_other) IN ({_iri(XSD.integer)}, {_iri(XSD.decimal)}) && "
                    "?value <= ?_other, false)"
                )
                query = (
                    f"SELECT DISTINCT ?this ?value ?_other WHERE {{ {focus} {values} "
                    f"?this {_iri(other)} ?_other . FILTER (!{sure}) }}"
                )
                names = ", ".join(stringify_node(sg, p) for p in constraint.values)
                for row in self.select(query):
                    this, value = rdflib_term(row["this"]), rdflib_term(row["value"])
                    if not _less_or_equal(value, rdflib_term(row["_other"])):
                        text = f"Value of {self.stringify(this)}->{names} < {self.stringify(value)}"
                        out.append(self.result(shape, kind, this, value, generic(text)))
            return out
        if kind == "or":
            return self.or_results(shape, constraint, focus, values, value_var)
        raise UnsupportedShapesError(f"sh:{kind} is not compiled to SPARQL")  # pragma: no cover

    def or_results(
        self, shape: _Shape, constraint: _Constraint, focus: str, values: str, value_var: str
    ) -> list[ShapeResult]:
        if any(member is None for member in constraint.members):
            return []
        alternatives = []
        for member in constraint.members:
            assert member is not None
            checks = [f"EXISTS {{ {self.instance_of(value_var, [cls])} }}" for cls in member]
            alternatives.append("(" + (" && ".join(checks) or "true") + ")")
        test = " || ".join(alternatives)
        if self.focus is not None and shape.path is not None:
            # pySHACL checks an sh:or member against a value node only when that value is one of
            # the focus nodes it was asked for; any other value conforms to every member.
            restrict = ", ".join(_iri(n) for n in self.focus)
            test = f"({test}) || !({value_var} IN ({restrict}))" if restrict else "true"
        query = (
            f"SELECT DISTINCT {_head(value_var)} WHERE {{ {focus} {values} FILTER (!({test})) }}"
        )
        sg = self.sg
        lists = [
            " , ".join(stringify_node(sg, item) for item in sg.items(head))
            for head in constraint.values
        ]
        shapes_text = lists[0] if len(lists) < 2 else " and ".join(f"({t})" for t in lists)
        out = []
        for this, value in self.pairs(query, value_var):
            text = (
                f"Node {self.stringify(value)} must conform to one or more shapes in {shapes_text}"
            )
            out.append(self.result(shape, "or", this, value, None if shape.messages else text))
        return out

    def pairs(self, query: str, value_var: str) -> Iterator[tuple[Identifier, Identifier]]:
        for row in self.select(query):
            this = rdflib_term(row["this"])
            yield this, rdflib_term(row[value_var[1:]])

    def sparql_results(
        self, shape: _Shape, constraint: _SparqlConstraint, focus: str
    ) -> list[ShapeResult]:
        if not constraint.text:
            return []
        query = constraint.text.replace("{{FOCUS}}", focus, 1)
        by_focus: dict[Identifier, list[tuple[object, ...]]] = defaultdict(list)
        failed: set[Identifier] = set()
        out = []
        solutions = self.select(query)
        names = [v.value for v in solutions.variables]
        for row in solutions:
            bound = {name: rdflib_term(row[name]) for name in names if row[name] is not None}
            f = bound.pop("this")
            if "failure" in bound:
                bound.pop("failure")
                for name in ("path", "value"):
                    bound.pop(name, None)
                if f in failed:
                    continue
                failed.add(f)
                out.append(self.sparql_result(shape, constraint, f, None, None, bound, None))
                continue
            p = bound.pop("path", None)
            v = bound.pop("value", None)
            t = f if constraint.projects_this else None
            key = (t, p, v, tuple(sorted(bound.items())))
            if key in by_focus[f]:
                continue
            by_focus[f].append(key)
            out.append(self.sparql_result(shape, constraint, f, p, v, bound, t))
        return out

    def sparql_result(
        self,
        shape: _Shape,
        constraint: _SparqlConstraint,
        focus: Identifier,
        path: Identifier | None,
        value: Identifier | None,
        bound: dict[str, Identifier],
        this: Identifier | None,
    ) -> ShapeResult:
        if value is None and shape.path is None:
            value = focus
        variables: dict[str, Identifier] = dict(bound)
        if this is not None:
            variables["this"] = this
        if path is not None:
            variables["path"] = path
        if value is not None:
            variables["value"] = value
        messages = [
            Literal(_fill(str(m.value), variables))
            for m in constraint.messages
            if m not in shape.messages
        ]
        messages += [Literal(_fill(str(m.value), variables)) for m in shape.messages]
        result_path: Node | None = path
        if result_path is None and shape.path is not None:
            result_path = shape.path.node
        return ShapeResult(
            focus=focus,
            value=value,
            path=result_path,
            shape=shape.node,
            component=_COMPONENT["sparql"],
            severity=shape.severity,
            messages=tuple(messages),
            source_constraint=constraint.node,
        )

    # -- data nodes as pySHACL shows them -----------------------------------------------------

    def describe(self, node: Node, depth: int = 0) -> None:
        """Copy a data blank node's description (to depth 10) into the view graph."""
        if not isinstance(node, BNode) or node in self._described or depth > 10:
            return
        self._described.add(node)
        rows = self.select_bound(
            "SELECT ?s ?p ?o WHERE { ?s ?p ?o }", {"s": ox.BlankNode(str(node))}
        )
        for row in rows:
            obj = rdflib_term(row["o"])
            self.view.add((node, rdflib_term(row["p"]), obj))
            self.describe(obj, depth + 1)

    def select_bound(self, sparql: str, bindings: Mapping[str, Term]) -> list[ox.QuerySolution]:
        try:
            solutions = self.model.query(sparql, bindings=bindings)
        except QueryError as error:
            raise ShapesError(f"a compiled SHACL constraint could not run: {error}") from error
        if not isinstance(solutions, ox.QuerySolutions):
            raise ShapesError("a compiled SHACL constraint did not return solutions")
        return list(solutions)

    def stringify(self, node: Node) -> str:
        self.describe(node)
        try:
            return str(stringify_node(self.view, node))
        except (LookupError, ValueError):
            return str(node)

    # -- the report graph ---------------------------------------------------------------------

    def report(self, results: Sequence[ShapeResult]) -> rdflib.Graph:
        """pySHACL's report graph for these results, blank nodes of the shapes copied in."""
        conforms = all(r.severity in _ALLOWED_SEVERITIES for r in results)
        graph = rdflib.Graph(bind_namespaces="core")
        for prefix, namespace in self.sg.namespace_manager.namespaces():
            graph.namespace_manager.bind(prefix, namespace)
        report = BNode()
        graph.add((report, RDF.type, SH.ValidationReport))
        graph.add((report, SH.conforms, Literal(conforms)))
        copied: dict[tuple[str, str], Node] = {}

        def copy(source: str, node: Node) -> Node:
            if isinstance(node, Literal):
                return node
            key = (source, str(node))
            if key not in copied:
                if isinstance(node, BNode):
                    origin = self.sg if source == "shapes" else self.view
                    if source == "data":
                        self.describe(node)
                    copied[key] = clone_blank_node(origin, node, graph, keepid=True)
                else:
                    copied[key] = URIRef(str(node))
            return copied[key]

        for result in results:
            node = BNode()
            graph.add((report, SH.result, node))
            graph.add((node, RDF.type, SH.ValidationResult))
            graph.add((node, SH.sourceConstraintComponent, result.component))
            graph.add((node, SH.sourceShape, copy("shapes", result.shape)))
            graph.add((node, SH.resultSeverity, result.severity))
            graph.add((node, SH.focusNode, copy("data", result.focus)))
            if result.value is not None:
                graph.add((node, SH.value, copy("data", result.value)))
            if result.path is not None:
                graph.add((node, SH.resultPath, copy("shapes", result.path)))
            if result.source_constraint is not None:
                graph.add((node, SH.sourceConstraint, copy("shapes", result.source_constraint)))
            for message in result.messages:
                graph.add((node, SH.resultMessage, message))
        return graph


def _fill(message: str, variables: Mapping[str, Identifier]) -> str:
    """pySHACL's substitution of ``{?var}`` and ``{$var}`` in a SPARQL constraint's message."""
    for name, value in variables.items():
        message = re.sub(f"{{[?$]{name}}}", str(value), message)
    return message


def _select(value_var: str, focus: str, values: str, test: str) -> str:
    return f"SELECT DISTINCT {_head(value_var)} WHERE {{ {focus} {values} FILTER ({test}) }}"


def _not_in(value_var: str, members: Sequence[Node]) -> str:
    """A test true when the value is none of ``members`` (``sh:in``: the same RDF term).

    IRIs and plain strings are the same term exactly when ``=`` says they are equal, so those
    lists are one ``IN``, which has no depth: Virtuoso 7 rejects a chain of 176 ``||`` ("too
    many opened parentheses", the ISO 4217 codes) and finds no ``sameTerm`` of a stored string
    and a plain string constant. Other lists test ``sameTerm`` as a balanced tree of ``||``.
    """
    if all(
        isinstance(m, URIRef)
        or (isinstance(m, Literal) and not m.language and m.datatype in (None, XSD.string))
        for m in members
    ):
        listed = ", ".join(_term(m) for m in members)
        # COALESCE: = between a value and a member of another kind of literal is an error.
        return f"!COALESCE({value_var} IN ({listed}), false)"

    def any_of(terms: Sequence[Node]) -> str:
        if len(terms) == 1:
            return f"sameTerm({value_var}, {_term(terms[0])})"
        half = len(terms) // 2
        return f"({any_of(terms[:half])} || {any_of(terms[half:])})"

    return f"!{any_of(members)}" if members else "true"


def _head(value_var: str) -> str:
    return "?this" if value_var == "?this" else f"?this {value_var}"


def _count_query(focus: str, path: _Path, kind: str, limit: int) -> str:
    values = path.pattern("?this", "?value")
    if kind == "minCount":
        if limit == 1:
            return f"SELECT DISTINCT ?this WHERE {{ {focus} FILTER NOT EXISTS {{ {values} }} }}"
        return (
            f"SELECT ?this WHERE {{ {focus} OPTIONAL {{ {values} }} }} "
            f"GROUP BY ?this HAVING (COUNT(DISTINCT ?value) < {limit})"
        )
    if limit == 0:
        return f"SELECT DISTINCT ?this WHERE {{ {focus} {values} }}"
    if limit == 1:
        second = path.pattern("?this", "?_second")
        return (
            f"SELECT DISTINCT ?this WHERE {{ {focus} {values} {second} "
            "FILTER (!sameTerm(?value, ?_second)) }"
        )
    return (
        f"SELECT ?this WHERE {{ {focus} {values} }} "
        f"GROUP BY ?this HAVING (COUNT(DISTINCT ?value) > {limit})"
    )


# --------------------------------------------------------------------------------------------------
# pySHACL's rules for the values a store cannot judge alone
# --------------------------------------------------------------------------------------------------


def _datatype_candidates(rule: URIRef, var: str) -> str:
    """Values that may break ``sh:datatype rule``; the rest surely conform."""
    if rule == RDFS.Literal:
        return f"!isLiteral({var})"
    # COALESCE: Virtuoso 7 gives a language-tagged string no DATATYPE (SPARQL: rdf:langString).
    test = f"!isLiteral({var}) || COALESCE(DATATYPE({var}) != {_iri(rule)}, true)"
    if rule in _CHECKED_DATATYPES:
        canonical = f"sameTerm({_iri(rule)}(STR({var})), {var})"
        shape = f"REGEX(STR({var}), {_string(_CHECKED_DATATYPES[rule])})"
        test += f" || !COALESCE({canonical} && {shape}, false)"
    elif rule in rdflib.term.XSDToPython and rdflib.term.XSDToPython[rule] is not None:
        test += " || true"
    return test


def _datatype_matches(value: Identifier, rule: URIRef) -> bool:
    """pySHACL's sh:datatype test on the rdflib term it would see."""
    if not isinstance(value, Literal):
        return False
    if value.datatype == rule:
        if value.ill_typed is True:
            return False
        return _python_type_matches(value, rule)
    if rule == RDFS.Literal:
        return True
    if rule == RDFS.Datatype and value.datatype:
        return True
    if value.datatype is None and value.language is None and rule == XSD.string:
        return _python_type_matches(value, rule)
    if rule == RDF.langString and value.language:
        return _python_type_matches(value, rule)
    return False


def _python_type_matches(value: Literal, rule: URIRef) -> bool:
    from datetime import date, datetime, time

    python = value.value
    expected: dict[URIRef, type | tuple[type, ...]] = {
        XSD.string: (str, bytes),
        RDF.langString: (str, bytes),
        XSD.integer: int,
        XSD.float: float,
        XSD.decimal: Decimal,
        XSD.boolean: bool,
        XSD.date: date,
        XSD.time: time,
        XSD.dateTime: datetime,
    }
    if rule not in expected:
        return True
    return isinstance(python, expected[rule])


_RANGE_OPERATORS = {
    "minInclusive": ">=",
    "maxInclusive": "<=",
    "minExclusive": ">",
    "maxExclusive": "<",
}


def _in_range(value: Identifier, bound: Literal, op: str) -> bool:
    """pySHACL's sh:minInclusive, sh:maxInclusive, sh:minExclusive and sh:maxExclusive test."""
    if not isinstance(value, Literal):
        return False
    bound_is_string = isinstance(bound.value, str)
    value_is_string = isinstance(value.value, str)
    if bound_is_string != value_is_string:
        return False
    try:
        order = compare_literal(value, bound)  # type: ignore[no-untyped-call]
    except (TypeError, NotImplementedError):
        # Values that cannot be compared with the bound fail it, as they do in pySHACL.
        return False
    return bool({">=": order >= 0, "<=": order <= 0, ">": order > 0, "<": order < 0}[op])


def _matches(value: Identifier, matcher: re.Pattern[str]) -> bool:
    """pySHACL's sh:pattern test."""
    if isinstance(value, BNode):
        return False
    if (
        isinstance(value, Literal)
        and value.value is not None
        and (value.datatype in (None, RDF.langString, XSD.string))
    ):
        text = str(value.value)
    else:
        text = str(value)
    return bool(matcher.match(text) or matcher.search(text))


def _less_or_equal(value: Identifier, other: Identifier) -> bool:
    """pySHACL's sh:lessThanOrEquals test of one value against one value of the other path."""
    if isinstance(value, BNode) or isinstance(other, BNode):
        raise ShapesError("Cannot use sh:lessThanOrEquals to compare a BlankNode.")

    def plain(term: Identifier) -> tuple[object, bool]:
        if isinstance(term, URIRef):
            return str(term), True
        if isinstance(term, Literal) and isinstance(term.value, str):
            return term.value, True
        return term, False

    left, left_is_string = plain(value)
    right, right_is_string = plain(other)
    if left_is_string != right_is_string:
        return False
    try:
        return bool(left <= right)  # type: ignore[operator]
    except TypeError as error:
        raise ShapesError(f"sh:lessThanOrEquals cannot compare {value} and {other}") from error


# --------------------------------------------------------------------------------------------------
# Terms
# --------------------------------------------------------------------------------------------------


def _iri(iri: Node) -> str:
    return f"<{iri}>"


def _string(text: str) -> str:
    escaped = (
        text.replace("\\", "\\\\")
        .replace('"', '\\"')
        .replace("\n", "\\n")
        .replace("\r", "\\r")
        .replace("\t", "\\t")
    )
    return f'"{escaped}"'


def _term(node: Node) -> str:
    if isinstance(node, URIRef):
        return _iri(node)
    if isinstance(node, Literal):
        text = _string(str(node))
        if node.language:
            return f"{text}@{node.language}"
        if node.datatype:
            return f"{text}^^{_iri(node.datatype)}"
        return text
    raise UnsupportedShapesError(f"the blank node {node} cannot be named in a query")
