"""Impact analysis: what depends on some elements, and what is at stake if they go.

:func:`impact` starts from one or more elements (an application, a unit, a partner, a
capability...) and walks the model's links in the direction of dependence, breadth first, so
that every element it reaches comes with its shortest path from a start. Which links count as
dependence, and which way, is data: ``kg/dependence.yaml`` holds one entry per object property
of the ontology, and a file of your own overrides it entry by entry (:func:`dependence`).

The walk runs outward: from an application to the touchpoints it supports, their stages,
journeys, personas, segments and the segments' geographies; from an offering to the value
propositions it delivers and their segments. The money at stake is that of the revenue streams
and cost items the walk reaches: a revenue stream depends on its segment and its value
proposition (``bm:fromSegment``, ``bm:forValueProposition``), a cost item on what it is
allocated to or incurred by, so a revenue stream is at stake when its segment or its value
proposition is reached. Amounts are summed per enterprise and per currency (in the enterprise's
reporting currency where :func:`kg.money.converted` can convert them, the others in their own
currency: never two currencies added), with the customers of the segments reached. The start
elements count too: a segment's own revenue is at stake when the walk starts from it.

>>> import kg
>>> model = kg.open_model(kg.example_path("telco"))
>>> found = impact(model, ["tel:ptn-secureops"])
>>> len(found.reached), found.stakes[0].text()
(24, 'CHF 305 million of revenue a year, CHF 33.4 million of costs, 3,460 customers')
"""

from __future__ import annotations

import difflib
from collections import defaultdict
from collections.abc import Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal

import yaml
from rdflib import OWL, RDF

from kg import portfolio
from kg.answers import Enterprise, money_words, preferred_label
from kg.errors import KGError
from kg.ontology import ontology_graph
from kg.queries import run
from kg.store import KnowledgeGraph
from kg.vocab import STANDARD_PREFIXES

__all__ = [
    "DEFAULT_DEPENDENCE",
    "HEADLINE_KINDS",
    "AtStake",
    "Dependence",
    "DependenceError",
    "DependenceGraph",
    "Element",
    "Impact",
    "Reached",
    "Step",
    "UnknownElementError",
    "aggregates",
    "dependence",
    "ends",
    "impact",
]

DEFAULT_DEPENDENCE = Path(__file__).resolve().with_name("dependence.yaml")
"""The dependence table that comes with the toolkit."""

HEADLINE_KINDS = (
    "Touchpoint",
    "CustomerJourney",
    "Persona",
    "ValueProposition",
    "Offering",
    "CustomerSegment",
    "Geography",
)
"""The kinds an impact names first, in this order; the other kinds follow by name."""

_BM = "https://w3id.org/bmkg/ontology#"
_DIRECTIONS = ("subject", "object", "none")
_FIELDS = ("dependent", "reason")
_SECTIONS = ("properties", "ends", "aggregates")
_OFFERINGS = frozenset({"Offering", "Product", "Service"})
# The kind an element is grouped under, when it has several classes: the first found here.
_KIND_ORDER = (*HEADLINE_KINDS, "Product", "Service")

Direction = Literal["forward", "inverse"]


class DependenceError(KGError):
    """A dependence table cannot be read or is not valid: the message names the file, the
    entry, and (for YAML) the line and column."""


class UnknownElementError(KGError):
    """An element to start from is not in the model (its message offers close matches).

    Attributes
    ----------
    element : str
        The name as given.
    matches : tuple of str
        Close matches among the model's elements (IRIs, CURIEs or labels).
    """

    def __init__(self, element: str, message: str, *, matches: Sequence[str] = ()) -> None:
        self.element: str = element
        self.matches: tuple[str, ...] = tuple(matches)
        super().__init__(message)


# --------------------------------------------------------------------------------------------
# The dependence table


@dataclass(frozen=True)
class Dependence:
    """One entry of the dependence table: an object property and which end depends.

    ``dependent`` is ``"subject"`` (the subject depends on the object: impact flows from the
    object to the subject), ``"object"`` (the reverse) or ``None`` (not followed).
    """

    name: str
    """The property's local name in the ontology (``supportedByApplication``)."""
    dependent: Literal["subject", "object"] | None
    reason: str
    source: Path | None = field(default=None, compare=False)

    @property
    def iri(self) -> str:
        return _BM + self.name

    @property
    def follows(self) -> bool:
        """Whether the walk follows this property."""
        return self.dependent is not None


def dependence(path: Path | str | None = None) -> Mapping[str, Dependence]:
    """The dependence table: the toolkit's, overridden entry by entry by ``path``'s.

    ``path`` is a YAML file written as ``kg/dependence.yaml`` is: each entry under
    ``properties`` replaces the fields it gives of that property's entry (``dependent: none``
    switches it off) and keeps the others.

    Raises
    ------
    DependenceError
        A file cannot be read, is not valid YAML (its line and column given), names a property
        that is no object property of the ontology (with the close ones), or gives a direction
        other than subject, object or none.

    Examples
    --------
    >>> table = dependence()
    >>> table["supportedByApplication"].dependent, table["integratesWith"].follows
    ('subject', False)
    """
    found = dict(_load(DEFAULT_DEPENDENCE)[0])
    if path is not None:
        path = Path(path)
        properties, kinds, stops = _read(path)
        # The whole file is checked, so that a mistake anywhere in it shows on first use.
        _aggregates(path, kinds)
        _ends(path, stops)
        for name, entry in properties.items():
            base = found.get(name)
            merged = {"reason": base.reason if base else None, **entry}
            if base is not None and "dependent" not in entry:
                merged["dependent"] = base.dependent or "none"
            found[name] = _entry(path, name, merged)
    return MappingProxyType(found)


def ends(path: Path | str | None = None) -> Mapping[str, str]:
    """The classes where the walk ends: it reaches their elements but does not go on from them
    (unless it starts there), each with the reason; the toolkit's, overridden class by class by
    ``path``'s (``none`` removes a class).

    Raises
    ------
    DependenceError
        As :func:`dependence`; or a class not in the ontology.

    Examples
    --------
    >>> list(ends())
    ['OrganisationalUnit']
    """
    found = dict(_load(DEFAULT_DEPENDENCE)[2])
    if path is not None:
        for name, reason in _ends(Path(path), _read(Path(path))[2]).items():
            if reason is None:
                found.pop(name, None)
            else:
                found[name] = reason
    return MappingProxyType(found)


def aggregates(path: Path | str | None = None) -> Mapping[str, frozenset[str]]:
    """The finding kinds that count over whole classes, with those classes: the toolkit's,
    overridden kind by kind by ``path``'s (see ``kg/dependence.yaml``).

    A finding of such a kind may change when any element of those classes goes, whether or
    not the element is in the finding's impact.

    Raises
    ------
    DependenceError
        As :func:`dependence`; or a kind no analysis finds, or a class not in the ontology.
    """
    found = dict(_load(DEFAULT_DEPENDENCE)[1])
    if path is not None:
        found.update(_aggregates(Path(path), _read(Path(path))[1]))
    return MappingProxyType(found)


@cache
def _load(
    path: Path,
) -> tuple[Mapping[str, Dependence], Mapping[str, frozenset[str]], Mapping[str, str]]:
    properties, kinds, stops = _read(path)
    table = {name: _entry(path, name, entry) for name, entry in properties.items()}
    found = {name: reason for name, reason in _ends(path, stops).items() if reason is not None}
    return table, _aggregates(path, kinds), found


def _read(path: Path) -> tuple[dict[str, dict[str, Any]], dict[str, Any], dict[str, Any]]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise DependenceError(
            f"{path}: cannot read the dependence table: {error.strerror}"
        ) from error
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark else str(path)
        raise DependenceError(
            f"{where}: not valid YAML: {getattr(error, 'problem', error)}"
        ) from error
    if data is None:
        return {}, {}, {}
    if not isinstance(data, dict) or set(data) - set(_SECTIONS):
        raise DependenceError(
            f"{path}: the dependence table is a mapping with the sections " + ", ".join(_SECTIONS)
        )
    properties = data.get("properties") or {}
    kinds = data.get("aggregates") or {}
    stops = data.get("ends") or {}
    if not isinstance(stops, dict):
        raise DependenceError(f"{path}: ends must map class names to reasons")
    if not isinstance(properties, dict):
        raise DependenceError(f"{path}: properties must map property names to entries")
    if not isinstance(kinds, dict):
        raise DependenceError(f"{path}: aggregates must map finding kinds to classes")
    for name, entry in properties.items():
        if not isinstance(entry, dict):
            raise DependenceError(f"{path}: {name}: an entry must be a mapping (dependent, reason)")
    return properties, kinds, stops


def _entry(path: Path, name: Any, entry: Mapping[str, Any]) -> Dependence:
    where = f"{path}: {name}"
    known = _object_properties()
    if name not in known:
        close = difflib.get_close_matches(str(name), sorted(known), n=3, cutoff=0.6)
        hint = f" (did you mean {', '.join(close)}?)" if close else ""
        raise DependenceError(f"{where}: not an object property of the bm: ontology{hint}")
    unknown = set(entry) - set(_FIELDS)
    if unknown:
        raise DependenceError(
            f"{where}: unknown field {', '.join(sorted(map(str, unknown)))}; the fields are "
            + ", ".join(_FIELDS)
        )
    direction = entry.get("dependent")
    if direction not in _DIRECTIONS:
        raise DependenceError(f"{where}: dependent is {direction!r}; write subject, object or none")
    reason = entry.get("reason")
    if not isinstance(reason, str) or not reason.strip():
        raise DependenceError(f"{where}: the reason is missing or not text")
    return Dependence(
        name=name,
        dependent=None if direction == "none" else direction,
        reason=" ".join(reason.split()),
        source=path,
    )


def _aggregates(path: Path, kinds: Mapping[Any, Any]) -> dict[str, frozenset[str]]:
    from kg.entities import class_names
    from kg.priorities import recommendations

    known_kinds, known_classes = set(recommendations()), set(class_names())
    found = {}
    for kind, classes in kinds.items():
        where = f"{path}: aggregates: {kind}"
        if kind not in known_kinds:
            close = difflib.get_close_matches(str(kind), sorted(known_kinds), n=3)
            hint = f" (did you mean {', '.join(close)}?)" if close else ""
            raise DependenceError(f"{where}: no analysis finds this kind{hint}")
        if not isinstance(classes, list) or not all(isinstance(c, str) for c in classes):
            raise DependenceError(f"{where}: give a list of class names")
        for name in classes:
            if name not in known_classes:
                close = difflib.get_close_matches(name, sorted(known_classes), n=3)
                hint = f" (did you mean {', '.join(close)}?)" if close else ""
                raise DependenceError(f"{where}: {name} is not a class of the bm: ontology{hint}")
        found[str(kind)] = frozenset(classes)
    return found


def _ends(path: Path, stops: Mapping[Any, Any]) -> dict[str, str | None]:
    from kg.entities import class_names

    known = set(class_names())
    found: dict[str, str | None] = {}
    for name, reason in stops.items():
        if name not in known:
            close = difflib.get_close_matches(str(name), sorted(known), n=3)
            hint = f" (did you mean {', '.join(close)}?)" if close else ""
            raise DependenceError(f"{path}: ends: {name} is not a class of the bm: ontology{hint}")
        if reason == "none":
            found[name] = None
        elif isinstance(reason, str) and reason.strip():
            found[name] = " ".join(reason.split())
        else:
            raise DependenceError(f"{path}: ends: {name}: give the reason, or none to remove it")
    return found


@cache
def _object_properties() -> frozenset[str]:
    graph = ontology_graph()
    return frozenset(
        str(p)[len(_BM) :]
        for p in graph.subjects(RDF.type, OWL.ObjectProperty)
        if str(p).startswith(_BM)
    )


# --------------------------------------------------------------------------------------------
# The result


@dataclass(frozen=True)
class Element:
    """An element of the model: its IRI, its label and its kind (a class local name)."""

    iri: str
    label: str
    type: str

    def to_dict(self) -> dict[str, Any]:
        return {"iri": self.iri, "label": self.label, "type": self.type}


@dataclass(frozen=True)
class Step:
    """One link of a path: from ``source`` to ``target`` by ``property`` (a CURIE).

    ``direction`` is ``"forward"`` when the model states ``source property target`` and
    ``"inverse"`` when it states ``target property source``.
    """

    source: str
    property: str
    direction: Direction
    target: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "from": self.source,
            "property": self.property,
            "direction": self.direction,
            "to": self.target,
        }


@dataclass(frozen=True)
class Reached:
    """An element the walk reached, how many links from a start, and by which shortest path."""

    element: Element
    depth: int
    path: tuple[Step, ...]

    @property
    def iri(self) -> str:
        return self.element.iri

    @property
    def label(self) -> str:
        return self.element.label

    @property
    def type(self) -> str:
        return self.element.type

    @property
    def kind(self) -> str:
        """The group the element is counted in: its type, Product and Service as Offering."""
        return "Offering" if self.type in _OFFERINGS else self.type

    def to_dict(self) -> dict[str, Any]:
        return {
            **self.element.to_dict(),
            "kind": self.kind,
            "depth": self.depth,
            "path": [step.to_dict() for step in self.path],
        }


@dataclass(frozen=True)
class AtStake:
    """The money and customers at stake in one enterprise (``None``: a model without one).

    ``revenue`` and ``cost`` pair each currency (``None`` for amounts without one) with the sum
    of the amounts in it of the revenue streams and cost items reached; ``customers`` is the
    customers of the segments reached (``bm:customerCount``, else ``bm:segmentSize``), ``None``
    when no reached segment gives a number.
    """

    enterprise: Enterprise | None
    revenue: tuple[tuple[str | None, Decimal], ...] = ()
    cost: tuple[tuple[str | None, Decimal], ...] = ()
    customers: int | None = None
    revenue_streams: int = 0
    cost_items: int = 0
    segments: int = 0

    def text(self) -> str:
        """The stake in words."""
        parts = []
        if self.revenue:
            parts.append(_amounts(self.revenue) + " of revenue a year")
        if self.cost:
            parts.append(_amounts(self.cost) + " of costs")
        if self.customers is not None:
            parts.append(f"{self.customers:,} customer{'' if self.customers == 1 else 's'}")
        return ", ".join(parts) or "no money or customers recorded on what is reached"

    def to_dict(self) -> dict[str, Any]:
        return {
            "enterprise": self.enterprise.to_dict() if self.enterprise else None,
            "revenue": [{"currency": c, "amount": _number(a)} for c, a in self.revenue],
            "cost": [{"currency": c, "amount": _number(a)} for c, a in self.cost],
            "customers": self.customers,
            "revenue_streams": self.revenue_streams,
            "cost_items": self.cost_items,
            "segments": self.segments,
            "text": self.text(),
        }


@dataclass(frozen=True)
class Impact:
    """What :func:`impact` found: the elements reached from the start, by shortest path, and
    what is at stake in each enterprise."""

    start: tuple[Element, ...]
    reached: tuple[Reached, ...]
    depth: int | None
    stakes: tuple[AtStake, ...]
    enterprise: Enterprise | None = None

    @property
    def iris(self) -> frozenset[str]:
        """The IRIs of the elements reached (the start elements left out)."""
        return frozenset(r.iri for r in self.reached)

    def by_kind(self) -> Mapping[str, tuple[Reached, ...]]:
        """The elements reached by kind: the :data:`HEADLINE_KINDS` first, then the rest by
        name; kinds with nothing reached are left out."""
        groups: dict[str, list[Reached]] = defaultdict(list)
        for reached in self.reached:
            groups[reached.kind].append(reached)
        order = sorted(
            groups,
            key=lambda k: (HEADLINE_KINDS.index(k) if k in HEADLINE_KINDS else 99, k),
        )
        return MappingProxyType({k: tuple(groups[k]) for k in order})

    def path_text(self, reached: Reached) -> str:
        """A path in words: ``A <-supportedByApplication- B -inStage-> C``."""
        labels = {e.iri: e.label for e in self.start} | {r.iri: r.label for r in self.reached}
        if not reached.path:
            return reached.label
        words = [labels.get(reached.path[0].source, reached.path[0].source)]
        for step in reached.path:
            name = step.property.removeprefix("bm:")
            arrow = f" -{name}-> " if step.direction == "forward" else f" <-{name}- "
            words.append(arrow + labels.get(step.target, step.target))
        return "".join(words)

    def to_dict(self) -> dict[str, Any]:
        """The impact as JSON-safe values (amounts as numbers)."""
        return {
            "start": [e.to_dict() for e in self.start],
            "depth": self.depth,
            "enterprise": self.enterprise.to_dict() if self.enterprise else None,
            "counts": {kind: len(found) for kind, found in self.by_kind().items()},
            "reached": [r.to_dict() for r in self.reached],
            "at_stake": [s.to_dict() for s in self.stakes],
        }

    def to_text(self) -> str:
        """The impact for a terminal: the counts, the money, then each kind with its paths."""
        names = ", ".join(f"{e.label} ({_words(e.type)})" for e in self.start)
        count = _count(len(self.reached), "element")
        if self.depth == 1:
            lines = [f"Where {names} is used (one link): {count}."]
        else:
            within = f" within {self.depth} links" if self.depth is not None else ""
            lines = [f"The impact of {names}{within}: {count} reached."]
        groups = self.by_kind()
        if groups:
            lines.append(
                "  " + ", ".join(_count(len(g), _words(k)) for k, g in groups.items()) + "."
            )
        for stake in self.stakes:
            who = (
                f" in {stake.enterprise.name}" if stake.enterprise and len(self.stakes) > 1 else ""
            )
            lines.append(f"At stake{who}: {stake.text()}.")
        for kind, found in groups.items():
            lines.append("")
            lines.append(f"{_plural(_words(kind)).capitalize()} ({len(found)}):")
            for reached in found:
                lines.append(f"  {reached.label}")
                lines.append(f"    {self.path_text(reached)}")
        return "\n".join(lines)


# --------------------------------------------------------------------------------------------
# The walk


class DependenceGraph:
    """The dependence links of a model, read once, to walk from many starts.

    :func:`impact` makes one for each call; a caller that asks for the impact of many elements
    of one model (a service between writes, a check over every element) makes it once and
    calls :meth:`paths`.

    Parameters
    ----------
    model
        The knowledge graph (one enterprise's view, or a whole model).
    table
        The dependence table, or the path of a file that overrides the toolkit's.
    """

    def __init__(
        self,
        model: KnowledgeGraph,
        *,
        table: Mapping[str, Dependence] | Path | str | None = None,
    ) -> None:
        stops = ends(table if isinstance(table, str | Path) else None)
        if table is None or isinstance(table, str | Path):
            table = dependence(table)
        self.model = model
        self.elements: Mapping[str, Element] = _elements(model)
        things = self.elements
        follows = {d.iri: d for d in table.values() if d.follows}
        links: dict[str, list[tuple[str, str, Direction]]] = defaultdict(list)
        for row in run(model, "dependence-links"):
            entry = follows.get(row["property"])
            if entry is None or row["subject"] not in things or row["object"] not in things:
                continue
            prop = "bm:" + entry.name
            if entry.dependent == "subject":
                links[row["object"]].append((row["subject"], prop, "inverse"))
            else:
                links[row["subject"]].append((row["object"], prop, "forward"))
        self._links = {node: sorted(found) for node, found in links.items()}
        self._ends = frozenset(iri for iri, e in things.items() if e.type in stops)

    def resolve(self, name: str) -> str:
        """The IRI of the element ``name`` (an IRI, a CURIE or a label) names.

        Raises
        ------
        UnknownElementError
            No element has that name, or several have it as their label.
        """
        return _resolve(self.model, self.elements, name)

    def paths(self, start: Sequence[str], depth: int | None = None) -> dict[str, tuple[Step, ...]]:
        """Breadth first from the IRIs ``start``: each element reached (the starts left out)
        with its shortest path. Of several shortest paths, the one through the smallest IRIs
        (then properties) wins."""
        paths: dict[str, tuple[Step, ...]] = {}
        seen = set(start)
        frontier = sorted(seen)
        level = 0
        while frontier and (depth is None or level < depth):
            level += 1
            following = []
            for node in frontier:
                if node in self._ends and node not in start:
                    continue
                for target, prop, direction in self._links.get(node, ()):
                    if target in seen:
                        continue
                    seen.add(target)
                    paths[target] = (*paths.get(node, ()), Step(node, prop, direction, target))
                    following.append(target)
            frontier = sorted(following)
        return paths


def impact(
    model: KnowledgeGraph,
    elements: Sequence[str],
    *,
    enterprise: portfolio.Choice = None,
    depth: int | None = None,
    table: Mapping[str, Dependence] | Path | str | None = None,
    graph: DependenceGraph | None = None,
) -> Impact:
    """Everything that depends on ``elements``, each with its shortest path, and what is at
    stake.

    Parameters
    ----------
    model
        The knowledge graph of one enterprise or of several (:mod:`kg.portfolio`).
    elements
        The elements to start from: IRIs, CURIEs of the model's prefixes (``ex:app-crm``) or
        labels.
    enterprise
        In a model of several enterprises, the one whose view to walk (an IRI, a CURIE or a
        label). Without it the whole model is walked and the money is given per enterprise.
    depth
        How many links to follow at most; ``1`` is "where used". All when ``None``.
    table
        The dependence table (:func:`dependence`), or the path of a file that overrides the
        toolkit's; the toolkit's when ``None``.
    graph
        The model's dependence links, read before (:class:`DependenceGraph`, of the enterprise's
        view when ``enterprise`` is given), so that many calls between writes read them once;
        it replaces ``table``.

    Raises
    ------
    UnknownElementError
        An element is not in the model (or a label names several): the message gives the close
        matches.
    DependenceError
        ``table`` is a file that is not a valid dependence table.
    EnterpriseError
        ``enterprise`` is not one of the model's.
    ValueError
        ``depth`` is less than 1, or no element is given.

    Examples
    --------
    >>> import kg
    >>> model = kg.open_model(kg.example_path("telco"))
    >>> found = impact(model, ["Business quoting (CPQ)"], depth=1)
    >>> {kind: len(found) for kind, found in found.by_kind().items()}
    {'Touchpoint': 4, 'BusinessProcess': 1, 'Capability': 1, 'CostItem': 1, 'OrganisationalUnit': 1}
    """
    if depth is not None and depth < 1:
        raise ValueError(f"depth must be 1 or more, not {depth}")
    if not elements:
        raise ValueError("give at least one element to start from")
    chosen: Enterprise | None = None
    walked = model
    if enterprise is not None:
        chosen = portfolio.resolve(model, enterprise)
        walked = portfolio.scoped(model, chosen)
    if graph is None:
        graph = DependenceGraph(walked, table=table)
    elif table is not None:
        raise ValueError("give a dependence table or a dependence graph, not both")
    things = graph.elements
    start = [things[iri] for iri in dict.fromkeys(graph.resolve(e) for e in elements)]
    paths = graph.paths([e.iri for e in start], depth)
    reached = tuple(
        sorted(
            (Reached(things[iri], len(path), path) for iri, path in paths.items()),
            key=lambda r: (r.depth, r.type, r.label.casefold(), r.iri),
        )
    )
    # The start elements are at stake too (a segment's own revenue, when it is the start).
    at = set(paths) | {e.iri for e in start}
    if chosen is not None:
        stakes: tuple[AtStake, ...] = (_stake(model, chosen, at),)
    else:
        found = portfolio.enterprises(model)
        names: list[Enterprise | None] = list(found) if len(found) > 1 else [None]
        stakes = tuple(_stake(model, name, at) for name in names)
    return Impact(tuple(start), reached, depth, stakes, chosen)


def _stake(
    model: KnowledgeGraph, enterprise: Enterprise | None, paths: AbstractSet[str]
) -> AtStake:
    """The money and customers at stake in ``enterprise``'s view: its amounts converted to its
    reporting currency where a rate allows, the others summed in their own currency."""
    scope = portfolio.view(model, enterprise)
    rows = run(scope.model, "impact-stakes")
    if scope.model is not model:
        # Amounts with no rate to the reporting currency are left out of the converted view;
        # they are at stake all the same, in their own currency.
        shown = {row["thing"] for row in rows if "amount" in row}
        own = portfolio.scoped(model, enterprise)
        rows += [
            row
            for row in run(own, "impact-stakes")
            if "amount" in row and row["thing"] not in shown and row["thing"] in paths
        ]
    revenue: dict[str | None, Decimal] = defaultdict(Decimal)
    cost: dict[str | None, Decimal] = defaultdict(Decimal)
    customers: int | None = None
    counts: dict[str, set[str]] = {
        "RevenueStream": set(),
        "CostItem": set(),
        "CustomerSegment": set(),
    }
    for row in rows:
        thing, kind = row["thing"], row["class"][len(_BM) :]
        if thing not in paths or thing in counts[kind]:
            continue
        if kind == "CustomerSegment":
            number = row.get("customers", row.get("size"))
            if isinstance(number, int | Decimal):
                customers = (customers or 0) + int(number)
        elif "amount" in row:
            sums = revenue if kind == "RevenueStream" else cost
            sums[row.get("currency")] += Decimal(row["amount"])
        counts[kind].add(thing)

    def ordered(sums: Mapping[str | None, Decimal]) -> tuple[tuple[str | None, Decimal], ...]:
        return tuple(sorted(sums.items(), key=lambda item: (item[0] is None, item[0] or "")))

    return AtStake(
        enterprise if enterprise is not None else scope.enterprise,
        ordered(revenue),
        ordered(cost),
        customers,
        len(counts["RevenueStream"]),
        len(counts["CostItem"]),
        len(counts["CustomerSegment"]),
    )


# --------------------------------------------------------------------------------------------
# Elements and names


def _elements(model: KnowledgeGraph) -> dict[str, Element]:
    classes: dict[str, set[str]] = defaultdict(set)
    labels: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for row in run(model, "impact-elements"):
        classes[row["thing"]].add(row["class"][len(_BM) :])
        if "label" in row:
            labels[row["thing"]].append((row["label"], row.get("language", "")))
    order = {name: i for i, name in enumerate(_KIND_ORDER)}
    return {
        iri: Element(
            iri,
            preferred_label(labels[iri]) or _local(iri),
            min(kinds, key=lambda k: (order.get(k, len(order)), k)),
        )
        for iri, kinds in classes.items()
    }


def _resolve(model: KnowledgeGraph, things: Mapping[str, Element], name: str) -> str:
    text = str(name).strip()
    if text.startswith("<") and text.endswith(">"):
        text = text[1:-1]
    if text in things:
        return text
    prefixes = {**STANDARD_PREFIXES, **model.prefixes}
    prefix, colon, local = text.partition(":")
    if colon and not local.startswith("//") and prefix in prefixes:
        expanded = prefixes[prefix] + local
        if expanded in things:
            return expanded
    by_label = sorted(iri for iri, e in things.items() if e.label.casefold() == text.casefold())
    if len(by_label) == 1:
        return by_label[0]
    if by_label:
        raise UnknownElementError(
            name,
            f"{text!r} is the label of {len(by_label)} elements: name one by its IRI ("
            + ", ".join(f"<{iri}>" for iri in by_label)
            + ")",
            matches=by_label,
        )
    names = {_curie(iri, prefixes): iri for iri in things}
    names.update({e.label: e.iri for e in things.values()})
    close = difflib.get_close_matches(text, sorted(names), n=3, cutoff=0.6)
    hint = f"; did you mean {', '.join(close)}?" if close else ""
    raise UnknownElementError(
        name, f"no element {text!r} in the model (an IRI, a CURIE or a label){hint}", matches=close
    )


def _curie(iri: str, prefixes: Mapping[str, str]) -> str:
    best = max(
        ((p, ns) for p, ns in prefixes.items() if ns and iri.startswith(ns)),
        key=lambda item: len(item[1]),
        default=None,
    )
    return iri if best is None else f"{best[0]}:{iri[len(best[1]) :]}"


def _local(iri: str) -> str:
    return iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def _words(name: str) -> str:
    import re

    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", name).lower()


def _plural(words: str) -> str:
    if words.endswith("y") and not words.endswith(("ay", "ey", "oy")):
        return words[:-1] + "ies"
    return words + ("es" if words.endswith(("s", "ss")) else "s")


def _count(count: int, noun: str) -> str:
    return f"{count} {noun if count == 1 else _plural(noun)}"


def _amounts(sums: Sequence[tuple[str | None, Decimal]]) -> str:
    return " and ".join(money_words(amount, currency) for currency, amount in sums)


def _number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)
