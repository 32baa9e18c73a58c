"""Validate a model against the SHACL shapes and report the results in the architect's terms.

A model that fails validation is a result, not an exception: :func:`validate` always returns a
:class:`ValidationReport`. It raises only when the validation itself could not run (unusable
shapes).

``conforms`` follows the project's severities: a model conforms when it has no ``sh:Violation``.
Warnings (an incomplete but legal model) and infos are reported and counted, but do not break
conformance.

>>> import rdflib
>>> from kg.validation import validate
>>> report = validate(rdflib.Graph())
>>> report.conforms, report.counts()
(True, {'Violation': 0, 'Warning': 0, 'Info': 0})
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from contextlib import suppress
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from functools import cache, lru_cache
from pathlib import Path
from typing import Any, TypeAlias
from typing import Literal as OneOf
from urllib.parse import urlparse
from urllib.request import url2pathname

import pyoxigraph as ox
import pyshacl
import rdflib
import rdflib.collection
from rdflib.namespace import OWL, RDF, RDFS, SH, SKOS, XSD, NamespaceManager
from rdflib.term import BNode, Literal, Node, URIRef

from kg import money, portfolio
from kg.answers import preferred_label
from kg.closedvocab import UnknownTerm, unknown_terms
from kg.errors import KGError, ShapesError, UnsupportedShapesError
from kg.ontology import ONTOLOGY_IRI, ontology_graph, shapes_graph, shapes_path
from kg.rdflibstore import ox_term
from kg.shacl import CompiledShapes, compile_shapes, run_shapes
from kg.store import REPEATS, KnowledgeGraph, parse_file, rdflib_term
from kg.vocab import BM, BMSH

__all__ = [
    "ENGINES",
    "Engine",
    "Severity",
    "ValidationReport",
    "ValidationResult",
    "validate",
]


Engine: TypeAlias = OneOf["auto", "sparql", "pyshacl"]
"""Which SHACL engine :func:`validate` runs."""

ENGINES: tuple[Engine, ...] = ("auto", "sparql", "pyshacl")


class Severity(StrEnum):
    """SHACL severities, most serious first."""

    VIOLATION = "Violation"
    WARNING = "Warning"
    INFO = "Info"

    @property
    def iri(self) -> URIRef:
        """The ``sh:`` IRI of the severity."""
        return SH[self.value]


@dataclass(frozen=True)
class ValidationResult:
    """One SHACL validation result, with the names an architect recognises.

    Terms are given as CURIEs where a prefix is known (``tel:vp-family``), otherwise as
    ``<IRI>``; blank nodes as ``_:id``. Labels are the ``rdfs:label`` of the node, if any.
    """

    severity: Severity
    focus_node: str
    focus_label: str | None
    path: str | None
    value: str | None
    value_label: str | None
    message: str
    shape: str
    component: str
    written: str | None = None
    """The value as its file writes it (``"-1200000.00"^^xsd:decimal``), where the store keeps
    it in another form (``-1200000``); ``value`` is as the store keeps it."""
    source: str | None = None
    """The file that states the value as ``written``."""


@dataclass(frozen=True)
class ValidationReport:
    """The outcome of validating a model: results plus the standard SHACL report graph."""

    results: tuple[ValidationResult, ...]
    graph: rdflib.Graph = field(repr=False, compare=False)
    triples: int = 0

    @property
    def conforms(self) -> bool:
        """True when the model has no violations (warnings and infos are allowed)."""
        return not any(r.severity is Severity.VIOLATION for r in self.results)

    def caveats(self) -> tuple[str, ...]:
        """What answers drawn from a model that fails its shapes must say up front.

        >>> import rdflib
        >>> validate(rdflib.Graph()).caveats()
        ()
        """
        violations = self.counts()[Severity.VIOLATION.value]
        if not violations:
            return ()
        return (
            f"The model breaks its shapes ({violations} {_plural('violation', violations)}), so "
            "answers drawn from it may be wrong; validate it to see what to fix.",
        )

    def counts(self) -> dict[str, int]:
        """Number of results by severity, most serious first."""
        counts = {s.value: 0 for s in Severity}
        for result in self.results:
            counts[result.severity.value] += 1
        return counts

    def by_severity(self, severity: Severity) -> list[ValidationResult]:
        """The results of one severity."""
        return [r for r in self.results if r.severity is severity]

    def to_dict(self) -> dict[str, Any]:
        """Plain data: conformance, counts and every result."""
        return {
            "conforms": self.conforms,
            "triples": self.triples,
            "counts": self.counts(),
            "results": [{**asdict(r), "severity": r.severity.value} for r in self.results],
        }

    def to_json(self, *, indent: int | None = 2) -> str:
        """The report as JSON (see :meth:`to_dict`)."""
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)

    def to_turtle(self) -> str:
        """The standard SHACL validation report graph (``sh:ValidationReport``) as Turtle."""
        return self.graph.serialize(format="turtle")

    def to_text(self) -> str:
        """A readable report, grouped by severity and then by shape and message."""
        counts = self.counts()
        verdict = "conforms" if self.conforms else "does not conform"
        summary = ", ".join(f"{n} {_plural(sev, n)}" for sev, n in counts.items())
        lines = [f"Validation: the model {verdict} ({summary}; {self.triples} triples checked)."]
        for severity in Severity:
            results = self.by_severity(severity)
            if not results:
                continue
            lines += ["", f"{_plural(severity.value, len(results)).capitalize()} ({len(results)})"]
            groups: dict[tuple[str, str | None, str, str], list[ValidationResult]] = defaultdict(
                list
            )
            for result in results:
                key = (result.shape, result.path, result.component, result.message)
                groups[key].append(result)
            for (shape, path, component, message), members in sorted(
                groups.items(), key=_group_key
            ):
                where = f"{shape}, path {path}" if path else shape
                where += f", {_constraint_name(component)}"
                lines.append(f"  {message}")
                lines.append(f"  [{where}; {len(members)} {_plural('node', len(members))}]")
                for member in sorted(members, key=lambda r: (r.focus_label or "", r.focus_node)):
                    node = _named(member.focus_label, member.focus_node)
                    if member.value is not None and member.value != member.focus_node:
                        shown = _shown(member.written or member.value)
                        node += f": value {_named(member.value_label, shown)}"
                        if member.source:
                            node += f" in {_relative(member.source)}"
                    lines.append(f"    - {node}")
        return "\n".join(lines) + "\n"


def validate(
    model: KnowledgeGraph | rdflib.Graph,
    *,
    shapes: rdflib.Graph | str | Path | None = None,
    focus_nodes: Iterable[URIRef] | None = None,
    engine: Engine = "auto",
    placed: portfolio.Placement | None = None,
    plans: Sequence[money.Plan] | None = None,
) -> ValidationReport:
    """Validate a model against the project's SHACL shapes (or others).

    Parameters
    ----------
    model
        A :class:`~kg.store.KnowledgeGraph` (all its graphs are validated together) or an rdflib
        graph. The ontology is added when the model does not hold it, so that shapes see the
        class hierarchy (a ``bm:Product`` is a ``bm:Offering``).
    shapes
        The shapes graph or a path to a Turtle file of shapes; the project's shapes by default.
    focus_nodes
        Validate only these nodes (the rest of the model is context); the report then holds
        only their results. This is what keeps checking a write fast on a large model.
    engine
        ``"sparql"``: shapes compiled to SPARQL queries run by the store (:mod:`kg.shacl`), many
        times faster on a large model. ``"pyshacl"``: pySHACL, the reference. ``"auto"`` (the
        default): the SPARQL engine for a knowledge graph whose shapes it compiles, pySHACL for
        an rdflib graph (faster on the small graphs written entities are checked on) and for
        shapes the SPARQL engine does not compile. Both give the same report.
    placed
        Where the elements of a model of several enterprises belong (:mod:`kg.portfolio`),
        worked out from the model by default. A caller validating part of a model (a write's
        neighbourhood) passes that of the whole model: its unplaced elements and crossings are
        then reported whatever the focus nodes.
    plans
        How each enterprise's amounts come to one currency (:func:`kg.money.plans`), worked out
        from the model by default; a caller validating part of a model passes those of the
        whole model (an empty sequence when its change cannot alter them). Their amounts that
        cannot be converted are then reported whatever the focus nodes.

    Returns
    -------
    ValidationReport
        Conformance, counts by severity and each result with focus node, path, value, message
        and severity, plus the standard report graph.

    Raises
    ------
    ShapesError
        If the shapes cannot be used.
    UnsupportedShapesError
        With ``engine="sparql"``, if the shapes use a feature the SPARQL engine does not compile.
    ValueError
        An unknown ``engine``.
    """
    if engine not in ENGINES:
        raise ValueError(f"unknown validation engine {engine!r}; use one of {', '.join(ENGINES)}")
    shapes_graph_ = _shapes(shapes)
    focus: list[URIRef] | None = None if focus_nodes is None else [URIRef(n) for n in focus_nodes]
    compiled: CompiledShapes | None = None
    if engine == "sparql" or (engine == "auto" and isinstance(model, KnowledgeGraph)):
        try:
            compiled = _compile(shapes_graph_)
        except UnsupportedShapesError:
            if engine == "sparql":
                raise
    if compiled is None:
        data = model.to_rdflib() if isinstance(model, KnowledgeGraph) else model
        origin = model if isinstance(model, KnowledgeGraph) else None
        return _validate_pyshacl(_with_ontology(data), shapes_graph_, focus, placed, plans, origin)
    return _validate_sparql(model, compiled, shapes_graph_, focus, placed, plans)


def _with_ontology(data: rdflib.Graph) -> rdflib.Graph:
    if (ONTOLOGY_IRI, RDF.type, OWL.Ontology) in data:
        return data
    merged = rdflib.Graph()
    for triple in data:
        merged.add(triple)
    for triple in ontology_graph():
        merged.add(triple)
    for prefix, namespace in data.namespaces():
        merged.bind(prefix, namespace, override=False)
    return merged


def _validate_pyshacl(
    data: rdflib.Graph,
    shapes: rdflib.Graph,
    focus: list[URIRef] | None,
    placed: portfolio.Placement | None,
    plans: Sequence[money.Plan] | None,
    origin: KnowledgeGraph | None,
) -> ValidationReport:
    try:
        _, report_graph, _ = pyshacl.validate(
            data,
            shacl_graph=shapes,
            inference="none",
            allow_warnings=True,
            allow_infos=True,
            abort_on_first=False,
            focus_nodes=list[str | URIRef](focus) if focus is not None else None,
        )
    except Exception as error:  # pySHACL raises several unrelated types for unusable shapes
        raise ShapesError(f"the SHACL shapes could not be used: {error}") from error
    if not isinstance(report_graph, rdflib.Graph):  # pySHACL's ValidationFailure
        raise ShapesError(f"the SHACL shapes could not be used: {report_graph}")
    names = _namespaces(data, shapes)
    _add_unknown_terms(report_graph, unknown_terms(data, focus_nodes=focus), names)
    focus = _add_portfolio(report_graph, data, placed, focus, plans)
    labels = _Labels.of_graph(data)
    return _report(report_graph, names, labels, shapes, len(data), focus, origin)


def _validate_sparql(
    model: KnowledgeGraph | rdflib.Graph,
    compiled: CompiledShapes,
    shapes: rdflib.Graph,
    focus: list[URIRef] | None,
    placed: portfolio.Placement | None,
    plans: Sequence[money.Plan] | None,
) -> ValidationReport:
    names: NamespaceManager | None = None
    if isinstance(model, KnowledgeGraph) and _holds_ontology(model):
        store = model
        prefixes, names = _model_names(tuple(model.prefixes.items()), shapes)
        triples = _count_triples(model)
    else:
        # The engine needs a store holding the ontology: copy the model and the ontology into
        # a temporary one, as pySHACL is given a merged graph.
        data = model.to_rdflib() if isinstance(model, KnowledgeGraph) else model
        data = _with_ontology(data)
        store, prefixes, triples = _temporary_store(data), data, len(data)
    report_graph, results = run_shapes(store, compiled, focus_nodes=focus, namespaces=prefixes)
    if names is None:
        names = _namespaces(prefixes, shapes)
    unknown = unknown_terms(store, focus_nodes=focus)
    _add_unknown_terms(report_graph, unknown, names)
    focus = _add_portfolio(report_graph, store, placed, focus, plans)
    nodes: set[Node] = {use.subject for term in unknown for use in term.uses}
    for result in results:
        nodes.add(result.focus)
        if result.value is not None:
            nodes.add(result.value)
        for message in result.messages:
            nodes.update(URIRef(iri) for iri in _IRI_IN_TEXT.findall(str(message)))
    placing = [
        *report_graph.subjects(SH.sourceShape, BMSH.EnterprisePlacement),
        *report_graph.subjects(SH.sourceShape, BMSH.CurrencyConversion),
    ]
    for placed_result in placing:
        for predicate in (SH.focusNode, SH.value):
            nodes.update(report_graph.objects(placed_result, predicate))
        for said in report_graph.objects(placed_result, SH.resultMessage):
            nodes.update(URIRef(iri) for iri in _IRI_IN_TEXT.findall(str(said)))
    labels = _Labels.of_model(store, nodes)
    origin = model if isinstance(model, KnowledgeGraph) else None
    return _report(report_graph, names, labels, shapes, triples, focus, origin)


def _add_unknown_terms(
    report: rdflib.Graph, unknown: list[UnknownTerm], names: NamespaceManager
) -> None:
    """Each use of a term the ontology does not define, as a Violation of the report graph."""
    if not unknown:
        return
    root = report.value(None, RDF.type, SH.ValidationReport, any=True)
    if root is None:
        root = BNode()
        report.add((root, RDF.type, SH.ValidationReport))
    report.set((root, SH.conforms, Literal(False)))
    for term in unknown:
        message = Literal(term.message(names), lang="en")
        for use in term.uses:
            result = BNode()
            report.add((root, SH.result, result))
            report.add((result, RDF.type, SH.ValidationResult))
            report.add((result, SH.focusNode, use.subject))
            if use.predicate is not None:
                report.add((result, SH.resultPath, use.predicate))
            report.add((result, SH.value, URIRef(term.term)))
            report.add((result, SH.resultSeverity, SH.Violation))
            report.add((result, SH.sourceShape, BMSH.ClosedVocabulary))
            report.add((result, SH.sourceConstraintComponent, _CLOSED_COMPONENT))
            report.add((result, SH.resultMessage, message))


_CLOSED_COMPONENT = BMSH.ClosedVocabularyConstraintComponent
_PLACEMENT_COMPONENT = BMSH.EnterprisePlacementConstraintComponent


def _add_portfolio(
    report: rdflib.Graph,
    model: KnowledgeGraph | rdflib.Graph,
    placed: portfolio.Placement | None,
    focus: list[URIRef] | None,
    plans: Sequence[money.Plan] | None = None,
) -> list[URIRef] | None:
    """Amounts that cannot be brought to one currency (kg.money), and in a model of several
    enterprises, what cannot be placed in one (kg.portfolio).

    Returns the focus nodes to report on: those given, and with a placement or plans given by
    the caller, the nodes of its unplaced elements and crossings and of its amounts that
    cannot be converted.
    """
    given, plans_given = placed is not None, plans is not None
    placed = placed if placed is not None else portfolio.placement(model)
    if plans is None:
        plans = money.plans(model, placed.of if placed.several else None)
    about = _add_money(report, plans)
    if plans_given and focus is not None:
        focus = [*focus, *(n for n in map(portfolio.node, about) if isinstance(n, URIRef))]
    if not placed.several:
        return focus
    if given and focus is not None:
        also = [*placed.unplaced, *(c.subject for c in placed.crossings)]
        focus = [*focus, *(n for n in map(portfolio.node, also) if isinstance(n, URIRef))]
    enterprises = ", ".join(placed.enterprises)
    for element in placed.unplaced:
        _add_result(
            report,
            focus=portfolio.node(element),
            component=_PLACEMENT_COMPONENT,
            shape=BMSH.EnterprisePlacement,
            message=(
                f"Nothing links it to one of the model's {len(placed.enterprises)} enterprises "
                f"({enterprises}), so no answer covers it: say which it belongs to with "
                "bm:belongsTo, on it or on an element linked to it."
            ),
        )
    for crossing in placed.crossings:
        mine = " and ".join(crossing.subject_enterprises)
        theirs = " and ".join(crossing.object_enterprises)
        _add_result(
            report,
            focus=portfolio.node(crossing.subject),
            path=URIRef(crossing.predicate),
            value=portfolio.node(crossing.object),
            component=_PLACEMENT_COMPONENT,
            shape=BMSH.EnterprisePlacement,
            message=(
                f"It belongs to {mine} but links to an element of {theirs}, which would mix "
                f"the enterprises' answers: link it to an element of {mine}, or, if "
                f"{crossing.object} serves both on purpose, say so with bm:belongsTo on it, "
                "naming each enterprise."
            ),
        )
    for late in portfolio.evidence_after_as_of(model, placed):
        _add_result(
            report,
            focus=portfolio.node(late.evidence),
            component=SH.SPARQLConstraintComponent,
            shape=BMSH.EvidenceWarningShape,
            severity=SH.Warning,
            message=(
                f"The evidence is dated {late.date}, after the model's as-of date {late.as_of}."
            ),
        )
    return focus


_MONEY_COMPONENT = BMSH.CurrencyConversionConstraintComponent


@cache
def _iso_codes() -> frozenset[str]:
    """The ISO 4217 codes the shapes know (``bmsh:Iso4217Codes``)."""
    graph = shapes_graph()
    return frozenset(str(c) for c in rdflib.collection.Collection(graph, BMSH.Iso4217Codes))


def _add_money(report: rdflib.Graph, plans: Sequence[money.Plan]) -> list[str]:
    """Amounts that cannot be brought to their enterprise's reporting currency (kg.money).

    Returns the nodes the results are about.
    """
    about: list[str] = []
    for plan in plans:
        if not plan.mixed:
            continue
        whose = (
            f"the reporting currency of {plan.enterprise}"
            if plan.enterprise
            else ("the model's reporting currency")
        )
        if plan.reason == money.GUESSED and plan.enterprise:
            about.append(plan.enterprise)
        if plan.reason == money.GUESSED:
            _add_result(
                report,
                focus=portfolio.node(plan.enterprise)
                if plan.enterprise
                else BMSH.CurrencyConversion,
                path=BM.reportingCurrency,
                component=_MONEY_COMPONENT,
                shape=BMSH.CurrencyConversion,
                message=(
                    f"Amounts are in {len(plan.currencies)} currencies "
                    f"({', '.join(plan.currencies)}) and no reporting currency is named, so "
                    f"sums are given in {plan.reporting}, the currency of most amounts: say which "
                    "with bm:reportingCurrency."
                ),
            )
        for amount in plan.unconvertible:
            if amount.currency not in _iso_codes():
                continue  # not a currency: bmsh:CurrencyIsIso and CurrencyIsKnown report it
            about.append(amount.thing)
            _add_result(
                report,
                focus=portfolio.node(amount.thing),
                path=URIRef(amount.property),
                value=Literal(amount.value),
                component=_MONEY_COMPONENT,
                shape=BMSH.CurrencyConversion,
                message=(
                    f"The amount is in {amount.currency}, and the model holds no exchange rate "
                    f"between {amount.currency} and {plan.reporting}, {whose}, so it is "
                    "left out of every sum: add a bm:ExchangeRate (with "
                    "bm:rateDate and dcterms:source) or write the amount in "
                    f"{plan.reporting}."
                ),
            )
    return about


def _add_result(
    report: rdflib.Graph,
    *,
    focus: Node,
    component: URIRef,
    shape: URIRef,
    message: str,
    path: URIRef | None = None,
    value: Node | None = None,
    severity: URIRef = SH.Violation,
) -> None:
    root = report.value(None, RDF.type, SH.ValidationReport, any=True)
    if root is None:
        root = BNode()
        report.add((root, RDF.type, SH.ValidationReport))
    if severity == SH.Violation:
        report.set((root, SH.conforms, Literal(False)))
    result = BNode()
    report.add((root, SH.result, result))
    report.add((result, RDF.type, SH.ValidationResult))
    report.add((result, SH.focusNode, focus))
    if path is not None:
        report.add((result, SH.resultPath, path))
    if value is not None:
        report.add((result, SH.value, value))
    report.add((result, SH.resultSeverity, severity))
    report.add((result, SH.sourceShape, shape))
    report.add((result, SH.sourceConstraintComponent, component))
    report.add((result, SH.resultMessage, Literal(message, lang="en")))


@cache
def _project_compiled(path: Path) -> CompiledShapes:
    return compile_shapes(shapes_graph())


def _compile(shapes: rdflib.Graph) -> CompiledShapes:
    # The project's shapes are compiled once; a graph given by the caller may change between
    # calls, so it is compiled each time (a few milliseconds).
    if shapes is shapes_graph():
        return _project_compiled(shapes_path())
    return compile_shapes(shapes)


def _holds_ontology(model: KnowledgeGraph) -> bool:
    answer = model.query(f"ASK {{ <{ONTOLOGY_IRI}> a <{OWL.Ontology}> }}")
    return bool(answer)


def _count_triples(model: KnowledgeGraph) -> int:
    # Distinct triples of the union, as a copy into one rdflib graph would hold: a triple
    # loaded from two files counts once.
    query = "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }"
    for row in _solutions(model.query(query)):
        count = row["n"]
        assert isinstance(count, ox.Literal)
        return int(count.value)
    return 0  # pragma: no cover


def _valid_iris(texts: Iterable[str]) -> set[str]:
    """The texts that are IRIs, in SPARQL syntax (a message may hold IRI-like text that is not)."""
    found = set()
    for text in texts:
        try:
            found.add(str(ox.NamedNode(text)))
        except ValueError:
            continue
    return found


def _solutions(answer: object) -> ox.QuerySolutions:
    assert isinstance(answer, ox.QuerySolutions)
    return answer


def _temporary_store(data: rdflib.Graph) -> KnowledgeGraph:
    store = KnowledgeGraph()
    graph = ox.NamedNode("urn:bmkg:validation")
    # The ontology's statements go to its own graph, as when a model is loaded, so that what
    # looks only at the model (the closed vocabulary's check) does not read them as the model's.
    ontology, ontology_graph_ = ox.NamedNode(str(ONTOLOGY_IRI)), ontology_graph()
    store.store.extend(
        ox.Quad(
            ox_term(s),  # type: ignore[arg-type]
            ox_term(p),  # type: ignore[arg-type]
            ox_term(o),  # type: ignore[arg-type]
            ontology if (s, p, o) in ontology_graph_ else graph,
        )
        for s, p, o in data
    )
    return store


def _shapes(shapes: rdflib.Graph | str | Path | None) -> rdflib.Graph:
    if shapes is None:
        return shapes_graph()
    if isinstance(shapes, rdflib.Graph):
        return shapes
    path = Path(shapes)
    if not path.exists():
        raise ShapesError(f"{path}: shapes file not found")
    try:
        return rdflib.Graph().parse(path, format="turtle")
    except Exception as error:  # rdflib's parsers raise assorted exception types
        raise ShapesError(f"{path}: the shapes file is not valid Turtle: {error}") from error


def _report(
    report: rdflib.Graph,
    names: NamespaceManager,
    labels: _Labels,
    shapes: rdflib.Graph,
    triples: int,
    only: Iterable[URIRef] | None = None,
    origin: KnowledgeGraph | None = None,
) -> ValidationReport:
    """The results of a report graph, named for the architect (only those about ``only``).

    Values the store keeps in a canonical form are shown as ``origin``'s files write them.
    """
    wanted = None if only is None else set(only)
    nodes = [
        node
        for node in report.subjects(RDF.type, SH.ValidationResult)
        if wanted is None or report.value(node, SH.focusNode) in wanted
    ]
    written = _as_written(
        origin,
        {
            (report.value(node, SH.focusNode), report.value(node, SH.resultPath), value)
            for node in nodes
            if isinstance(value := report.value(node, SH.value), Literal)
        },
    )
    results = []
    for node in nodes:
        focus = report.value(node, SH.focusNode)
        value = report.value(node, SH.value)
        path = report.value(node, SH.resultPath)
        as_written, source = None, None
        if isinstance(value, Literal) and (focus, path, value) in written:
            as_written, source = written[(focus, path, value)]
        shape = report.value(node, SH.sourceShape)
        severity_iri = report.value(node, SH.resultSeverity)
        component = report.value(node, SH.sourceConstraintComponent)
        messages = [m for m in report.objects(node, SH.resultMessage) if isinstance(m, Literal)]
        message = _pick_message(messages) or _default_message(component)
        results.append(
            ValidationResult(
                severity=_severity(severity_iri),
                focus_node=_term(focus, names),
                focus_label=labels.get(focus),
                path=_path(path, report, names) if path is not None else None,
                value=_term(value, names) if value is not None else None,
                value_label=labels.get(value),
                message=labels.humanise(message, names),
                shape=_shape_name(shape, shapes, names),
                component=_local_name(component),
                written=None if as_written is None else _term(as_written, names),
                source=source,
            )
        )
    order = {s: i for i, s in enumerate(Severity)}
    # The value too: two results that differ only in it come in the order the store found them,
    # which differs between stores.
    results.sort(key=lambda r: (order[r.severity], r.shape, r.message, r.focus_node, r.value or ""))
    return ValidationReport(results=tuple(results), graph=report, triples=triples)


# Values are looked up as written in source files up to this size in all; beyond it (a model of
# millions of statements) they are shown as the store keeps them.
_WRITTEN_BUDGET = 64 * 1024 * 1024

_Stated: TypeAlias = tuple[Node | None, Node | None, Literal]


def _as_written(
    origin: KnowledgeGraph | None, stated: set[_Stated]
) -> dict[_Stated, tuple[Literal, str]]:
    """Each typed value as its file writes it (``-1200000.00``), with that file's path.

    The store keeps a valid number, date or truth value in canonical form (``-1200000``); the
    files loaded into it say what the modeller wrote. A statement in several files is shown as
    the file that states it first (not as one holding a repeat) writes it.
    """
    if origin is None or not isinstance(origin.store, ox.Store):
        return {}
    files: dict[tuple[bool, str], set[_Stated]] = defaultdict(set)
    for key in stated:
        subject, predicate, value = key
        if not (isinstance(subject, URIRef) and isinstance(predicate, URIRef)):
            continue
        if value.datatype is None or value.datatype == XSD.string or value.value is None:
            continue  # text and ill-typed values are kept exactly as written
        for quad in origin.store.quads_for_pattern(
            ox.NamedNode(subject), ox.NamedNode(predicate), ox_term(value), None
        ):
            graph = quad.graph_name
            if isinstance(graph, ox.NamedNode):
                repeat = graph.value.startswith(REPEATS)
                name = graph.value.removeprefix(REPEATS)
                if name.startswith("file:"):
                    files[(repeat, name)].add(key)
    found: dict[_Stated, tuple[Literal, str]] = {}
    budget = _WRITTEN_BUDGET
    for (_, name), keys in sorted(files.items()):
        keys -= found.keys()
        path = Path(url2pathname(urlparse(name).path))
        try:
            size = path.stat().st_size
        except OSError:
            continue
        if not keys or size > budget or path.resolve().as_uri() != name:
            continue
        budget -= size
        by_statement: dict[tuple[str, str], list[_Stated]] = defaultdict(list)
        for key in keys:
            by_statement[(str(key[0]), str(key[1]))].append(key)
        try:
            quads, _ = parse_file(path)
        except KGError:
            continue  # changed on disk since it was loaded: shown as the store keeps it
        for quad in quads:
            said = quad.subject
            if not (isinstance(quad.object, ox.Literal) and isinstance(said, ox.NamedNode)):
                continue
            as_written = rdflib_term(quad.object)
            assert isinstance(as_written, Literal)
            if as_written.value is None:
                continue  # an ill-typed value in the file is another statement
            for known in by_statement.get((said.value, quad.predicate.value), ()):
                if as_written.datatype != known[2].datatype:
                    continue
                with suppress(TypeError):  # rdflib cannot compare some value types
                    if as_written.eq(known[2]):
                        found[known] = (as_written, str(path))
    return found


class _Labels:
    """rdfs:label (or skos:prefLabel) of the model's nodes, English preferred."""

    def __init__(self, found: Mapping[Node, list[tuple[str, str]]]) -> None:
        self._labels: dict[Node, str] = {}
        for subject, labels in found.items():
            if (chosen := preferred_label(labels)) is not None:
                self._labels[subject] = chosen

    @classmethod
    def of_graph(cls, data: rdflib.Graph) -> _Labels:
        """The labels of every node of an rdflib graph."""
        found: dict[Node, list[tuple[str, str]]] = defaultdict(list)
        for predicate in (SKOS.prefLabel, RDFS.label):
            for subject, label in data.subject_objects(predicate):
                if isinstance(label, Literal):
                    found[subject].append((str(label), label.language or ""))
        return cls(found)

    @classmethod
    def of_model(cls, model: KnowledgeGraph, nodes: Iterable[Node]) -> _Labels:
        """The labels of some nodes of a knowledge graph, in one query (blank nodes one each)."""
        found: dict[Node, set[tuple[str, str]]] = defaultdict(set)
        pattern = (
            f"VALUES ?p {{ <{SKOS.prefLabel}> <{RDFS.label}> }} ?s ?p ?label "
            "FILTER (isLiteral(?label))"
        )
        iris = sorted(_valid_iris(str(n) for n in nodes if isinstance(n, URIRef)))
        rows: list[Any] = []
        if iris:
            values = " ".join(iris)
            rows += _solutions(
                model.query(f"SELECT ?s ?label WHERE {{ VALUES ?s {{ {values} }} {pattern} }}")
            )
        for node in nodes:
            if isinstance(node, BNode):
                rows += _solutions(
                    model.query(
                        f"SELECT ?s ?label WHERE {{ {pattern} }}",
                        bindings={"s": ox.BlankNode(str(node))},
                    )
                )
        for row in rows:
            label = row["label"]
            found[rdflib_term(row["s"])].add((label.value, label.language or ""))
        return cls({node: sorted(pairs) for node, pairs in found.items()})

    def get(self, node: Node | None) -> str | None:
        return self._labels.get(node) if node is not None else None

    def humanise(self, message: str, names: NamespaceManager) -> str:
        """Replace the IRIs that SPARQL-based messages spell out with labels or CURIEs."""

        def name(match: re.Match[str]) -> str:
            iri = URIRef(match.group(0))
            label = self._labels.get(iri)
            return f'"{label}"' if label else _term(iri, names)

        return _IRI_IN_TEXT.sub(name, message)


# An IRI in a message ends before trailing punctuation: "{?perspective}: outside-in" must not
# swallow the colon.
_IRI_IN_TEXT = re.compile(r"(?:https?|urn|file):[^\s,;)\"'<>]*[^\s,;)\"'<>.:]")


@lru_cache(maxsize=16)
def _model_names(
    prefixes: tuple[tuple[str, str], ...], shapes: rdflib.Graph
) -> tuple[rdflib.Graph, NamespaceManager]:
    """An empty graph carrying a model's prefixes, and the names for its report.

    Cached (binding prefixes costs milliseconds, a lot for a write's small validation); the
    callers only read both.
    """
    graph = rdflib.Graph()
    for prefix, namespace in prefixes:
        graph.bind(prefix, namespace, override=False)
    return graph, _namespaces(graph, shapes)


def _namespaces(data: rdflib.Graph, shapes: rdflib.Graph) -> NamespaceManager:
    manager = NamespaceManager(rdflib.Graph(), bind_namespaces="core")
    manager.bind("bm", BM._NS, override=True)
    manager.bind("bmsh", BMSH, override=True)
    for graph in (shapes, data):
        for prefix, namespace in graph.namespaces():
            if prefix and not prefix.startswith(("ns", "default")):
                manager.bind(prefix, namespace, override=False)
    return manager


def _term(term: Node | None, names: NamespaceManager) -> str:
    if term is None:
        return ""
    if isinstance(term, URIRef):
        try:
            return names.curie(term, generate=False)
        except (KeyError, ValueError):
            return f"<{term}>"
    if isinstance(term, BNode):
        return f"_:{term}"
    if isinstance(term, Literal):
        return str(term.n3(names))
    return str(term)


def _path(path: Node, report: rdflib.Graph, names: NamespaceManager) -> str:
    if isinstance(path, BNode):
        inverse = report.value(path, SH.inversePath)
        if inverse is not None:
            return "^" + _path(inverse, report, names)
    return _term(path, names)


def _shape_name(source: Node | None, shapes: rdflib.Graph, names: NamespaceManager) -> str:
    """Name a shape; an anonymous property shape is named by the node shape that holds it."""
    if isinstance(source, URIRef):
        return _term(source, names)
    parents = sorted(str(s) for s in shapes.subjects(SH.property, source) if isinstance(s, URIRef))
    if parents:
        return _term(URIRef(parents[0]), names)
    return "(anonymous shape)"


def _severity(iri: Node | None) -> Severity:
    for severity in Severity:
        if iri == severity.iri:
            return severity
    return Severity.VIOLATION


def _pick_message(messages: Iterable[Literal]) -> str | None:
    by_language: Mapping[str | None, str] = {m.language: str(m) for m in messages}
    for language in ("en", None):
        if language in by_language:
            return by_language[language]
    return next(iter(by_language.values()), None)


def _default_message(component: Node | None) -> str:
    return f"Constraint {_local_name(component)} is not met."


def _local_name(iri: Node | None) -> str:
    if iri is None:
        return ""
    text = str(iri)
    return re.split(r"[#/]", text)[-1] or text


def _named(label: str | None, term: str) -> str:
    return f'"{label}" ({term})' if label else term


def _plural(word: str, n: int) -> str:
    word = word.lower()
    return word if n == 1 else word + "s"


def _group_key(
    item: tuple[tuple[str, str | None, str, str], list[ValidationResult]],
) -> tuple[str, str, str, str]:
    (shape, path, component, message), _ = item
    return (shape, path or "", component, message)


_PLAIN = re.compile(r'^"([^"\\]*)"\^\^xsd:(decimal|integer|date|boolean|double|float)$')


def _shown(value: str) -> str:
    """A value as a reader writes it: a number, date or truth value without its datatype.

    >>> _shown('"-1200000"^^xsd:decimal'), _shown('"CHF"'), _shown("tel:ch-shops")
    ('-1200000', '"CHF"', 'tel:ch-shops')
    """
    plain = _PLAIN.match(value)
    return plain.group(1) if plain else value


def _relative(path: str) -> str:
    """A file path as short as the working folder allows.

    >>> _relative(str(Path.cwd() / "data" / "money.ttl")) == str(Path("data", "money.ttl"))
    True
    """
    try:
        return str(Path(path).relative_to(Path.cwd()))
    except ValueError:
        return path


def _constraint_name(component: str) -> str:
    """The constraint a result broke, as written in shapes: ``sh:minInclusive``.

    >>> _constraint_name("MinInclusiveConstraintComponent")
    'sh:minInclusive'
    >>> _constraint_name("SPARQLConstraintComponent")
    'sh:sparql'
    """
    if component == "ClosedVocabularyConstraintComponent":
        return "closed vocabulary"
    if component == "EnterprisePlacementConstraintComponent":
        return "enterprise placement"
    if component == "CurrencyConversionConstraintComponent":
        return "currency conversion"
    name = component.removesuffix("ConstraintComponent")
    if name.isupper():
        return "sh:" + name.lower()
    return "sh:" + name[:1].lower() + name[1:]
