"""Where the enterprise treats its customers in silos, and the structure that shows it.

A silo is where the enterprise treats a customer as the customer of one product, one channel or
one life-cycle function instead of as its own customer. :func:`find_silos` applies the three rules
of ``data/README.md``, each a query of the registry (``kg/queries/silos``):

``product-silo``
    A segment served by two or more live offerings that keep their customer data in two data
    stores that are not the same, not synchronised with each other and not both synchronised with
    one master customer record. One finding per segment and pair of stores; it names the segment,
    the offerings and the two stores, and its evidence says which kinds of customer data both
    stores hold (the data the customer gives twice).
``channel-silo``
    Two consecutive touchpoints of a journey in different channels that share no process, no
    application and no data store (synchronised stores count as shared). It names the journey,
    the two touchpoints and the two channels; the evidence gives, for each step, the processes,
    applications and data stores behind it, its description, the customer's action and emotion.
``lifecycle-silo``
    A segment whose marketing, sales and service units each own or take part in a process serving
    it, where some pair of them shares no process, application, data store or brand promise. One
    finding per segment; it names the segment and the units (marketing, sales, service), and the
    evidence gives each unit's function, processes, applications, data stores and brand promises.

The analysis also holds the structural view of :mod:`kg.structure` (communities, bridges,
articulation points and the silo index of every segment), and reads as an :class:`Answer`
(number 0) beside the ten strategic questions.

>>> import kg
>>> from kg.model import open_model
>>> model = open_model(kg.example_path("telco"))
>>> analysis = find_silos(model)
>>> sorted({f.kind for f in analysis.findings})
['channel-silo', 'lifecycle-silo', 'product-silo']
>>> analysis.as_answer().verdict
<Verdict.NO: 'no'>
"""

from __future__ import annotations

import textwrap
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextvars import copy_context
from dataclasses import asdict, dataclass, field, replace
from decimal import Decimal
from typing import Any

from kg import portfolio
from kg.answers import (
    Answer,
    Enterprise,
    Finding,
    Level,
    Subject,
    Verdict,
    percent,
    preferred_label,
)
from kg.queries import parallel_queries, run
from kg.store import KnowledgeGraph
from kg.structure import Structure, analyse_structure, structure_graph

__all__ = ["SiloAnalysis", "SiloParameters", "find_silos"]

_BM = "https://w3id.org/bmkg/ontology#"
_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
_DESCRIPTION = "http://purl.org/dc/terms/description"
_KINDS = ("product-silo", "channel-silo", "lifecycle-silo")
_FUNCTIONS = {
    "marketing": "MarketingFunction",
    "sales": "SalesFunction",
    "service": "ServiceFunction",
}
_TITLE = "Where do we treat customers in silos?"


@dataclass(frozen=True)
class SiloParameters:
    """The options of the silo analysis; the defaults are the rules of ``data/README.md``.

    Parameters
    ----------
    through_master
        Product silos: two data stores both synchronised with a master customer record
        (``bm:isMasterCustomerRecord true``) count as linked.
    synchronised_as_shared
        Channel silos: a data store synchronised with a store behind the other step counts as
        shared.
    seed
        The seed of the community detection of the structural view.
    resolution
        The resolution of the community detection (above 1: smaller communities).

    Raises
    ------
    TypeError, ValueError
        A value of the wrong type, or a resolution that is not positive.
    """

    through_master: bool = True
    synchronised_as_shared: bool = True
    seed: int = 0
    resolution: float = 1.0

    def __post_init__(self) -> None:
        for name in ("through_master", "synchronised_as_shared"):
            if not isinstance(getattr(self, name), bool):
                raise TypeError(f"{name} must be True or False, not {getattr(self, name)!r}")
        if not isinstance(self.seed, int) or isinstance(self.seed, bool):
            raise TypeError(f"seed must be an integer, not {self.seed!r}")
        if isinstance(self.resolution, bool) or not isinstance(self.resolution, int | float):
            raise TypeError(f"resolution must be a number, not {self.resolution!r}")
        if not self.resolution > 0:
            raise ValueError(f"resolution must be positive, not {self.resolution!r}")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class SiloAnalysis:
    """The silos found in a model, and its structural view.

    ``findings`` are the product, channel and life-cycle silos (in that order, each kind sorted
    by its subjects); ``structure`` is :func:`kg.structure.analyse_structure` of the model.
    """

    findings: tuple[Finding, ...]
    structure: Structure
    parameters: SiloParameters = field(default_factory=SiloParameters)
    caveats: tuple[str, ...] = ()
    """What the analysis rests on that may make it wrong (a model that fails its shapes)."""
    enterprise: Enterprise | None = None
    """The enterprise analysed (``None`` for a model that names none)."""

    def findings_of(self, kind: str) -> list[Finding]:
        """The findings of one kind."""
        return [f for f in self.findings if f.kind == kind]

    def with_caveats(self, caveats: Iterable[str]) -> SiloAnalysis:
        """The same analysis, with these caveats added."""
        return replace(self, caveats=tuple(dict.fromkeys((*self.caveats, *caveats))))

    def to_dict(self) -> dict[str, Any]:
        return {
            "caveats": list(self.caveats),
            "enterprise": self.enterprise.to_dict() if self.enterprise else None,
            "findings": [f.to_dict() for f in self.findings],
            "structure": self.structure.to_dict(),
            "parameters": self.parameters.to_dict(),
        }

    def as_answer(self) -> Answer:
        """The analysis as an answer beside the ten questions (number 0).

        The verdict says whether the enterprise treats its customers as its own: ``yes`` with no
        silo finding, ``no`` with silos of all three kinds, ``partly`` otherwise. The score is
        how joined up the segments are: 1 minus the mean silo index of the segments whose
        customers meet the enterprise somewhere.
        """
        kinds = {f.kind for f in self.findings}
        measured = [m for m in self.structure.measures if m.channels or m.processes]
        caveats = self.caveats
        if not kinds and not measured:
            verdict = Verdict.UNKNOWN  # no finding, but nothing a silo could be found in
            caveats = (
                *caveats,
                "No customer segment meets the enterprise through a channel or a process in "
                "the model, so there is nothing to find silos in: no finding is not a yes.",
            )
        elif not kinds:
            verdict = Verdict.YES
        elif kinds >= set(_KINDS):
            verdict = Verdict.NO
        else:
            verdict = Verdict.PARTLY
        score = 1 - sum(m.silo_index for m in measured) / len(measured) if measured else None
        return Answer(
            number=0,
            title=_TITLE,
            short_name="Silos",
            verdict=verdict,
            summary=self._summary(),
            findings=self.findings,
            score=score,
            score_label="joined-up score (1 - mean segment silo index)",
            details={"structure": self.structure.to_dict()},
            parameters=self.parameters.to_dict(),
            caveats=caveats,
            enterprise=self.enterprise,
        )

    def to_text(self, *, width: int = 100) -> str:
        """Render for a terminal: the answer, then the structure, naming things by label."""
        structure = self.structure
        lines = [self.as_answer().to_text(width=width).rstrip("\n"), ""]
        lines += textwrap.wrap(
            f"Structure: {structure.nodes} units, processes, applications, data stores, channels"
            f" and segments, {structure.edges} links, {len(structure.communities)} communities.",
            width,
        )
        if structure.articulation_points:
            lines += textwrap.wrap(
                "Articulation points: "
                + ", ".join(_name(s) for s in structure.articulation_points),
                width,
                subsequent_indent="  ",
            )
        if structure.bridges:
            lines += textwrap.wrap(
                "Bridges: " + ", ".join(f"{_name(a)} -- {_name(b)}" for a, b in structure.bridges),
                width,
                subsequent_indent="  ",
            )
        if structure.measures:
            lines += ["", "Segments by silo index:"]
            for m in structure.measures:
                records = _count(m.records, "customer record")
                groups = _count(m.communities, "community", "communities")
                channels, units = _count(len(m.channels), "channel"), _count(len(m.units), "unit")
                lines += textwrap.wrap(
                    f"{m.silo_index:.2f}  {_name(m.segment)}: {records}, {groups},"
                    f" {percent(m.connected_share)} connected; meets {channels} and {units}",
                    width,
                    initial_indent="  ",
                    subsequent_indent="        ",
                )
        return "\n".join(lines) + "\n"

    def _summary(self) -> str:
        if not self.findings:
            text = "No product, channel or life-cycle silo: the rules find none."
        else:
            parts = []
            for kind in _KINDS:
                found = self.findings_of(kind)
                if found:
                    names = ", ".join(_name(f.subjects[0]) for f in found)
                    noun = kind.replace("-", " ").replace("lifecycle", "life-cycle")
                    parts.append(f"{len(found)} {noun}{'s' if len(found) > 1 else ''} ({names})")
            count = len(self.findings)
            text = f"{count} silo{'s' if count > 1 else ''}: " + "; ".join(parts) + "."
        worst = [m for m in self.structure.measures if m.silo_index > 0][:2]
        if worst:
            named = " and ".join(f"{_name(m.segment)} ({m.silo_index:.2f})" for m in worst)
            text += (
                f" The enterprise's structure falls into {len(self.structure.communities)}"
                f" communities; the most siloed segments by silo index are {named}."
            )
        return text


def find_silos(
    model: KnowledgeGraph,
    *,
    params: SiloParameters | None = None,
    enterprise: portfolio.Choice = None,
) -> SiloAnalysis:
    """Find the product, channel and life-cycle silos of a model, and measure its structure.

    Parameters
    ----------
    model
        The knowledge graph of an enterprise, or of several (ontology and model loaded, see
        :func:`kg.model.open_model`).
    params
        The options; the defaults are the rules of ``data/README.md``.
    enterprise
        The enterprise to analyse (an IRI, a CURIE or a label): needed when the model holds
        several (:mod:`kg.portfolio`), the only one by default.

    Returns
    -------
    SiloAnalysis

    Raises
    ------
    TypeError
        ``model`` is not a :class:`~kg.store.KnowledgeGraph` or ``params`` not
        :class:`SiloParameters`.
    EnterpriseError
        ``enterprise`` is not one of the model's, or is missing in a model of several.

    Examples
    --------
    >>> from kg.model import open_model
    >>> analysis = find_silos(open_model())
    >>> analysis.findings, analysis.as_answer().verdict
    ((), <Verdict.UNKNOWN: 'unknown'>)
    """
    if not isinstance(model, KnowledgeGraph):
        raise TypeError(f"expected a KnowledgeGraph, not {type(model).__name__}")
    if params is None:
        params = SiloParameters()
    elif not isinstance(params, SiloParameters):
        raise TypeError(f"params must be SiloParameters, not {type(params).__name__}")
    scope = portfolio.view(model, enterprise)
    model = scope.model
    threads = parallel_queries(model.store)
    with ThreadPoolExecutor(max(1, threads - 1), thread_name_prefix="kg-silo") as pool:
        # The three silo queries are the store's work: on a store that answers queries in
        # parallel they run while this thread measures the structure (networkx, Python).
        def rows(name: str, **values: Any) -> Callable[[], list[dict[str, Any]]]:
            def fetch() -> list[dict[str, Any]]:
                return run(model, name, **values)

            if threads == 1:
                return fetch
            return pool.submit(copy_context().run, fetch).result

        known = rows("silo-facts")
        product = rows("product-silo", throughMaster=params.through_master)
        channel = rows("channel-silo", synchronisedAsShared=params.synchronised_as_shared)
        lifecycle = rows("lifecycle-silo")
        # The links of the structure serve both the findings' evidence and the structural view.
        edges = run(model, "structure-edges")
        structure = analyse_structure(
            model,
            seed=params.seed,
            resolution=params.resolution,
            graph=structure_graph(model, edges=edges),
        )
        facts = _Facts(known(), edges)
        findings = (
            _product_silos(facts, product(), params)
            + _channel_silos(facts, channel())
            + _lifecycle_silos(facts, lifecycle())
        )
    return SiloAnalysis(
        findings=tuple(findings),
        structure=structure,
        parameters=params,
        caveats=scope.notes,
        enterprise=scope.enterprise,
    )


class _Facts:
    """What the findings cite: labels, classes, properties and the links of the structure."""

    def __init__(
        self, known: Iterable[Mapping[str, Any]], edges: Iterable[Mapping[str, Any]]
    ) -> None:
        self._values: dict[tuple[str, str], list[Any]] = defaultdict(list)
        self._labels: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for row in known:  # the rows of silo-facts
            thing, prop, value = row["thing"], row["property"], row["value"]
            if prop == _RDFS_LABEL:
                self._labels[thing].append((value, row.get("language", "")))
            else:
                self._values[thing, prop].append(value)
        self._out: dict[tuple[str, str], set[str]] = defaultdict(set)
        self._in: dict[tuple[str, str], set[str]] = defaultdict(set)
        for edge in edges:
            link = edge["link"]
            self._out[edge["source"], link].add(edge["target"])
            self._in[edge["target"], link].add(edge["source"])

    def value(self, thing: str, prop: str) -> Any:
        """One value of a property (an IRI, or a local name of ``bm:``), or ``None``."""
        values = self.values(thing, prop)
        return values[0] if values else None

    def values(self, thing: str, prop: str) -> list[Any]:
        iri = prop if "://" in prop else _BM + prop
        return sorted(self._values.get((thing, iri), []), key=str)

    def out(self, things: Iterable[str], *links: str) -> set[str]:
        return {
            t for thing in things for link in links for t in self._out.get((thing, _BM + link), ())
        }

    def into(self, things: Iterable[str], *links: str) -> set[str]:
        return {
            s for thing in things for link in links for s in self._in.get((thing, _BM + link), ())
        }

    def is_a(self, thing: str, cls: str) -> bool:
        return _BM + cls in self._values.get((thing, _RDF_TYPE), ())

    def subject(self, thing: str) -> Subject:
        label = preferred_label(self._labels.get(thing, []))
        types = sorted(
            t[len(_BM) :] for t in self._values.get((thing, _RDF_TYPE), ()) if t.startswith(_BM)
        )
        return Subject(thing, label, types[0] if types else None)

    def subjects(self, things: Iterable[str]) -> list[dict[str, Any]]:
        return [s.to_dict() for s in sorted(map(self.subject, set(things)), key=_key)]

    def names(self, things: Iterable[str]) -> list[str]:
        return [_name(s) for s in sorted(map(self.subject, set(things)), key=_key)]

    def processes_of_unit(self, unit: str) -> set[str]:
        return {
            p
            for p in self.into([unit], "ownedBy", "involvesUnit")
            if self.is_a(p, "BusinessProcess")
        }


def _product_silos(
    facts: _Facts, rows: list[dict[str, Any]], params: SiloParameters
) -> list[Finding]:
    grouped: dict[tuple[str, str, str], dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for row in rows:
        key = (row["segment"], row["store"], row["otherStore"])
        grouped[key][row["offering"]].add(row["offeringStore"])
    findings = []
    for (segment, store, other), offerings in sorted(grouped.items()):
        stores = (store, other)
        kinds = {s: set(facts.values(s, "holdsCustomerData")) for s in stores}
        twice = kinds[store] & kinds[other]
        segment_name = _name(facts.subject(segment))
        served = "; ".join(
            f"{_name(facts.subject(o))} keeps them in {' and '.join(facts.names(offerings[o]))}"
            for o in sorted(offerings)
        )
        held = (
            f" Both hold {_and(facts.names(twice))} data: the customer gives it twice."
            if twice
            else ""
        )
        link = " and no master customer record links them" if params.through_master else ""
        findings.append(
            Finding(
                kind="product-silo",
                severity=Level.HIGH,
                subjects=(
                    facts.subject(segment),
                    *(facts.subject(o) for o in sorted(offerings)),
                    facts.subject(store),
                    facts.subject(other),
                ),
                message=(
                    f"{segment_name} are served by offerings that keep their customers in separate"
                    f" stores: {served}. The stores are not synchronised{link}.{held}"
                ),
                evidence={
                    "segment": facts.subject(segment).to_dict(),
                    "value_propositions": facts.subjects(
                        vp
                        for o in offerings
                        for vp in facts.values(o, "deliversValueProposition")
                        if segment in facts.values(vp, "targetsSegment")
                    ),
                    "offerings": [
                        {
                            "offering": facts.subject(o).to_dict(),
                            "data_stores": facts.subjects(offerings[o]),
                            "units": facts.subjects(facts.values(o, "ownedBy")),
                        }
                        for o in sorted(offerings)
                    ],
                    "data_stores": [
                        {
                            "data_store": facts.subject(s).to_dict(),
                            "customer_data": facts.names(kinds[s]),
                            "master_customer_record": bool(
                                facts.value(s, "isMasterCustomerRecord")
                            ),
                            "synchronised_with": facts.subjects(
                                facts.out([s], "synchronisedWith")
                                | facts.into([s], "synchronisedWith")
                            ),
                            "applications": facts.subjects(
                                a
                                for a in facts.into([s], "usesDataStore")
                                if facts.is_a(a, "Application")
                            ),
                            "units": facts.subjects(facts.out([s], "ownedBy")),
                        }
                        for s in stores
                    ],
                    "customer_data_held_twice": facts.names(twice),
                },
            )
        )
    return findings


def _channel_silos(facts: _Facts, rows: list[dict[str, Any]]) -> list[Finding]:
    findings = []
    for row in sorted(rows, key=lambda r: (r["journey"], r["touchpoint"], r["nextTouchpoint"])):
        journey = row["journey"]
        steps = [(row["touchpoint"], row["channel"]), (row["nextTouchpoint"], row["nextChannel"])]
        evidence = [_step(facts, touchpoint, channel) for touchpoint, channel in steps]
        later = evidence[1]
        emotion, satisfaction = later.get("emotion"), later.get("satisfaction")
        upset = (emotion is not None and emotion < 0) or (
            satisfaction is not None and satisfaction < 5
        )
        feeling = f" At the second step the customer's emotion is {emotion}." if upset else ""
        first, second = (facts.subject(t) for t, _ in steps)
        findings.append(
            Finding(
                kind="channel-silo",
                severity=Level.HIGH if upset else Level.MEDIUM,
                subjects=(
                    facts.subject(journey),
                    first,
                    second,
                    facts.subject(row["channel"]),
                    facts.subject(row["nextChannel"]),
                ),
                message=(
                    f"In {_name(facts.subject(journey))}, {_name(first)}"
                    f" ({_name(facts.subject(row['channel']))}) is followed by {_name(second)}"
                    f" ({_name(facts.subject(row['nextChannel']))}), and nothing carries the case"
                    f" across: the steps share no process, application or data store.{feeling}"
                ),
                evidence={
                    "journey": facts.subject(journey).to_dict(),
                    "personas": facts.subjects(facts.values(journey, "forPersona")),
                    "value_propositions": facts.subjects(
                        facts.values(journey, "forValueProposition")
                    ),
                    "steps": evidence,
                },
            )
        )
    return findings


def _step(facts: _Facts, touchpoint: str, channel: str) -> dict[str, Any]:
    processes = facts.out([touchpoint], "supportedByProcess")
    applications = facts.out([touchpoint], "supportedByApplication") | facts.out(
        processes, "usesApplication"
    )
    stores = facts.out(processes | applications, "usesDataStore")
    step: dict[str, Any] = {
        "touchpoint": facts.subject(touchpoint).to_dict(),
        "channel": facts.subject(channel).to_dict(),
        "processes": facts.subjects(processes),
        "applications": facts.subjects(applications),
        "data_stores": facts.subjects(stores),
        "units": facts.subjects(facts.out(processes, "ownedBy", "involvesUnit")),
    }
    for key, prop in (
        ("sequence", "sequence"),
        ("description", _DESCRIPTION),
        ("customer_action", "customerAction"),
        ("emotion", "emotion"),
        ("satisfaction", "satisfaction"),
    ):
        value = facts.value(touchpoint, prop)
        if value is not None:
            step[key] = float(value) if isinstance(value, Decimal) else value
    return step


def _lifecycle_silos(facts: _Facts, rows: list[dict[str, Any]]) -> list[Finding]:
    grouped: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    pairs: dict[str, set[tuple[str, str]]] = defaultdict(set)
    triples: dict[str, dict[tuple[str, str, str], set[tuple[str, str]]]] = defaultdict(
        lambda: defaultdict(set)
    )
    for row in rows:
        segment = row["segment"]
        for role in _FUNCTIONS:
            grouped[segment][role].add(row[role])
        pair = (row["unit"], row["otherUnit"])
        pairs[segment].add(pair)
        triples[segment][row["marketing"], row["sales"], row["service"]].add(pair)
    findings = []
    for segment in sorted(grouped):
        units: list[str] = []
        for role in _FUNCTIONS:
            units += [u for u in sorted(grouped[segment][role]) if u not in units]
        serving = facts.into([segment], "servesSegment")
        # Every pair of some triple sharing nothing is the worst case: three islands.
        islands = any(len(unshared) == 3 for unshared in triples[segment].values())
        roles = _and(
            [f"{role} ({_and(facts.names(grouped[segment][role]))})" for role in _FUNCTIONS]
        )
        unshared = "; ".join(
            f"{_name(facts.subject(a))} and {_name(facts.subject(b))}"
            for a, b in sorted(pairs[segment])
        )
        findings.append(
            Finding(
                kind="lifecycle-silo",
                severity=Level.HIGH if islands else Level.MEDIUM,
                subjects=(facts.subject(segment), *(facts.subject(u) for u in units)),
                message=(
                    f"{_name(facts.subject(segment))} meet {roles}, but these share no process,"
                    f" application, data store or brand promise: {unshared}."
                ),
                evidence={
                    "segment": facts.subject(segment).to_dict(),
                    "value_propositions": facts.subjects(
                        vp
                        for unit in units
                        for process in facts.processes_of_unit(unit) & serving
                        for vp in facts.values(process, "forValueProposition")
                    ),
                    "units": [_unit(facts, unit, serving) for unit in units],
                    "pairs_sharing_nothing": [
                        [facts.subject(a).to_dict(), facts.subject(b).to_dict()]
                        for a, b in sorted(pairs[segment])
                    ],
                },
            )
        )
    return findings


def _unit(facts: _Facts, unit: str, serving: set[str]) -> dict[str, Any]:
    processes = facts.processes_of_unit(unit)
    applications = facts.out([unit], "usesApplication") | facts.out(processes, "usesApplication")
    stores = facts.out(processes | applications, "usesDataStore")
    return {
        "unit": facts.subject(unit).to_dict(),
        "functions": facts.names(facts.values(unit, "hasFunction")),
        "processes": facts.subjects(processes),
        "processes_serving_the_segment": facts.subjects(processes & serving),
        "applications": facts.subjects(applications),
        "data_stores": facts.subjects(stores),
        "brand_promises": facts.subjects(facts.values(unit, "conveysBrandPromise")),
    }


def _key(subject: Subject) -> tuple[str, str]:
    return ((subject.label or subject.iri).casefold(), subject.iri)


def _name(subject: Subject) -> str:
    return subject.label or f"<{subject.iri}>"


def _count(count: int, noun: str, plural: str | None = None) -> str:
    return f"{count} {noun if count == 1 else plural or noun + 's'}"


def _and(names: list[str]) -> str:
    return names[0] if len(names) <= 1 else ", ".join(names[:-1]) + " and " + names[-1]
