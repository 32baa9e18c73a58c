"""The enterprise as a graph: clusters that touch the customer but barely touch each other.

The silo rules (:mod:`kg.silos`) find named silos. This module shows silos as *structure*, the way
networkx sees a graph, and measures how siloed each customer segment is.

The structure graph
-------------------
:func:`structure_graph` turns the model into an undirected :class:`networkx.Graph`. Its nodes are
the organisational units, business processes, applications, data stores, channels and customer
segments, with the attributes ``type`` (the class, e.g. ``"DataStore"``) and ``label``; data stores
also carry ``customer_data`` (whether they hold any kind of customer data). Its edges are the links
that join them, with the property as the ``link`` attribute (``"bm:ownedBy"``; several properties
joining the same pair are written as a SPARQL alternative, ``"bm:ownedBy|bm:usesApplication"``):

- ownership (``bm:ownedBy``: a unit and its processes, applications, data stores and channels) and
  involvement (``bm:involvesUnit``: a unit taking part in a process);
- usage (``bm:usesApplication``, ``bm:usesDataStore``), synchronisation (``bm:synchronisedWith``)
  and integration (``bm:integratesWith``);
- reach (``bm:reachesSegment``, ``bm:servesSegment``);
- delivery through touchpoints: a channel is joined to the process and the application behind each
  touchpoint that happens in it (``"^bm:inChannel/bm:supportedByProcess"`` and
  ``"^bm:inChannel/bm:supportedByApplication"``, with the touchpoints in the ``touchpoints``
  attribute).

Capabilities are left out: two units that realise the same capability do not share anything that
carries a customer's case, and the silo rules do not count them either.

:func:`communities` splits a graph into clusters (Louvain, with a fixed seed, so the same model
always gives the same clusters) and :func:`bridges_and_articulation_points` finds the single links
and single things that hold parts of it together. :func:`analyse_structure` runs them on the
model: communities of the enterprise's side of the graph (segments left out, so that a customer
is not what holds a cluster together), bridges and articulation points of the whole graph (a
segment that is an articulation point is the only link between parts of the enterprise: the
customer carries the case across).

The segment silo index
----------------------
:func:`segment_silo_measure` asks, for each segment, what its customers meet and whether that is
one enterprise or several. What a customer *meets* starts where the customer touches the
enterprise (query ``segment-reach``): the channels that reach the segment, the channels,
processes and applications of the touchpoints of its personas' journeys, the processes that
serve it, and the data stores where the live offerings serving it keep their customer data. From
there it follows the structure graph inward: to the units that own or take part in those
processes or own those channels, to the applications those processes use, and to the data stores
those processes and applications use. Three numbers come out, each turned into a term in
``[0, 1)`` where 0 is joined up:

``customer_records`` (*R*)
    How many separate records of the customer there are: the data stores met that hold customer
    data (``bm:holdsCustomerData``) or keep an offering's customers, where stores synchronised with
    each other, directly or through other stores such as a master record, count as one record (a
    connected component of ``bm:synchronisedWith``). Term: ``1 - 1/R`` (0 for one record).
``communities`` (*K*)
    How many structural communities of the enterprise the things met fall into. Term: ``1 - 1/K``.
``connected_share`` (*C*)
    The share of pairs of the units, applications and data stores met that are connected through
    things the same customer meets: a path in the graph restricted to what the segment's customers
    meet, so never through a customer segment (the customer must not be the link) nor through
    what serves other customers only (a hub such as the IT unit that owns every store). Term:
    ``1 - C``.

The **silo index** is the mean of the three terms: 0 for a segment whose customers meet one
record, one cluster and one connected set of units and systems, approaching 1 as the records,
clusters and disconnected pieces multiply. The counts of channels and units met are reported with
it, as context: meeting many channels is not in itself a silo.

>>> import networkx as nx
>>> from kg.structure import bridges_and_articulation_points, communities
>>> graph = nx.barbell_graph(4, 0)
>>> [sorted(c) for c in communities(graph)]
[[0, 1, 2, 3], [4, 5, 6, 7]]
>>> bridges_and_articulation_points(graph)
([(3, 4)], [3, 4])
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import networkx as nx

from kg import portfolio
from kg.answers import Subject, preferred_label
from kg.queries import run
from kg.store import KnowledgeGraph

__all__ = [
    "SegmentSiloMeasure",
    "Structure",
    "analyse_structure",
    "bridges_and_articulation_points",
    "communities",
    "segment_silo_measure",
    "structure_graph",
]

_BM = "https://w3id.org/bmkg/ontology#"
_BMV = "https://w3id.org/bmkg/vocab#"
_SEGMENT = "CustomerSegment"
_UNIT = "OrganisationalUnit"
_PROCESS = "BusinessProcess"
_APPLICATION = "Application"
_STORE = "DataStore"
_CHANNEL = "Channel"
_TOUCHPOINT = "Touchpoint"


@dataclass(frozen=True)
class SegmentSiloMeasure:
    """How siloed one segment's customers find the enterprise (see the module docstring).

    ``customer_records`` holds one tuple per separate record: the synchronised data stores that
    make it up. The silo index is the mean of ``1 - 1/records``, ``1 - 1/communities`` and
    ``1 - connected_share``.
    """

    segment: Subject
    channels: tuple[Subject, ...]
    units: tuple[Subject, ...]
    processes: tuple[Subject, ...]
    applications: tuple[Subject, ...]
    data_stores: tuple[Subject, ...]
    customer_records: tuple[tuple[Subject, ...], ...]
    communities: int
    connected_share: float
    silo_index: float

    @property
    def records(self) -> int:
        """The number of separate customer records."""
        return len(self.customer_records)

    def to_dict(self) -> dict[str, Any]:
        def subjects(things: Iterable[Subject]) -> list[dict[str, Any]]:
            return [s.to_dict() for s in things]

        return {
            "segment": self.segment.to_dict(),
            "silo_index": round(self.silo_index, 4),
            "customer_records": self.records,
            "communities": self.communities,
            "connected_share": round(self.connected_share, 4),
            "channels": subjects(self.channels),
            "units": subjects(self.units),
            "processes": subjects(self.processes),
            "applications": subjects(self.applications),
            "data_stores": subjects(self.data_stores),
            "records": [subjects(record) for record in self.customer_records],
        }


@dataclass(frozen=True)
class Structure:
    """The structural view of an enterprise: its clusters, its weak points, its segments' silos.

    ``communities`` are those of the enterprise's side of the structure graph (segments left
    out), largest first; ``bridges`` and ``articulation_points`` are those of the whole graph;
    ``measures`` has one entry per segment, most siloed first.
    """

    communities: tuple[tuple[Subject, ...], ...]
    bridges: tuple[tuple[Subject, Subject], ...]
    articulation_points: tuple[Subject, ...]
    measures: tuple[SegmentSiloMeasure, ...]
    nodes: int = 0
    edges: int = 0

    def measure_of(self, segment: str) -> SegmentSiloMeasure:
        """The measure of one segment, by IRI.

        Raises
        ------
        KeyError
            No segment with that IRI.
        """
        try:
            return self._measures_by_segment[segment]
        except KeyError:
            raise KeyError(f"no customer segment {segment}") from None

    @cached_property
    def _measures_by_segment(self) -> dict[str, SegmentSiloMeasure]:
        # A report looks up a measure for every subject of every finding.
        return {measure.segment.iri: measure for measure in self.measures}

    def to_dict(self) -> dict[str, Any]:
        return {
            "nodes": self.nodes,
            "edges": self.edges,
            "communities": [[s.to_dict() for s in c] for c in self.communities],
            "bridges": [[a.to_dict(), b.to_dict()] for a, b in self.bridges],
            "articulation_points": [s.to_dict() for s in self.articulation_points],
            "segments": [m.to_dict() for m in self.measures],
        }


def structure_graph(
    model: KnowledgeGraph,
    *,
    segments: bool = True,
    edges: Iterable[Mapping[str, Any]] | None = None,
) -> nx.Graph:
    """The units, processes, applications, data stores, channels and segments, and their links.

    Parameters
    ----------
    model
        The knowledge graph of an enterprise.
    segments
        Whether to include the customer segments (and the links that reach them).
    edges
        The rows of the registry's query ``structure-edges`` on the model, when already run.

    Returns
    -------
    networkx.Graph
        Nodes are IRIs with the attributes ``type``, ``label`` and, for data stores,
        ``customer_data``; edges have the attribute ``link`` (the property, as a CURIE) and, for
        links through touchpoints, ``touchpoints`` (their IRIs). See the module docstring.

    Raises
    ------
    TypeError
        ``model`` is not a :class:`~kg.store.KnowledgeGraph`.

    Examples
    --------
    >>> from kg.model import open_model
    >>> model = open_model()
    >>> model.store.update('''PREFIX bm: <https://w3id.org/bmkg/ontology#>
    ...   PREFIX bmv: <https://w3id.org/bmkg/vocab#>
    ...   INSERT DATA { GRAPH <urn:example> {
    ...     <urn:sales> a bm:OrganisationalUnit . <urn:crm> a bm:Application .
    ...     <urn:order> a bm:BusinessProcess ; bm:ownedBy <urn:sales> ;
    ...       bm:usesApplication <urn:crm> .
    ...   } }''')
    >>> graph = structure_graph(model)
    >>> sorted(graph.nodes(data="type"))  # doctest: +NORMALIZE_WHITESPACE
    [('urn:crm', 'Application'), ('urn:order', 'BusinessProcess'),
     ('urn:sales', 'OrganisationalUnit')]
    >>> graph.edges["urn:order", "urn:sales"]["link"]
    'bm:ownedBy'
    """
    _check_model(model)
    graph = nx.Graph()
    labels: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for row in run(model, "structure-nodes"):
        node, kind = row["node"], _local(row["class"])
        if not segments and kind == _SEGMENT:
            continue
        if node not in graph:
            graph.add_node(node, type=kind)
            if kind == _STORE:
                graph.nodes[node]["customer_data"] = bool(row["holdsCustomerData"])
        if "label" in row:
            labels[node].append((row["label"], row.get("language", "")))
    for node, data in graph.nodes(data=True):
        data["label"] = preferred_label(labels.get(node, []))

    links: dict[tuple[str, str], set[str]] = defaultdict(set)
    touchpoints: dict[tuple[str, str], set[str]] = defaultdict(set)
    behind: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    if edges is None:
        edges = run(model, "structure-edges")
    for edge in edges:
        source, target, link = edge["source"], edge["target"], _curie(edge["link"])
        if _local(edge["sourceClass"]) == _TOUCHPOINT:
            behind[source][link].add(target)
        elif source in graph and target in graph and source != target:
            links[_pair(source, target)].add(link)
    for touchpoint, targets in behind.items():
        for channel in targets.get("bm:inChannel", ()):
            for link in ("bm:supportedByProcess", "bm:supportedByApplication"):
                for target in targets.get(link, ()):
                    if channel in graph and target in graph:
                        pair = _pair(channel, target)
                        links[pair].add(f"^bm:inChannel/{link}")
                        touchpoints[pair].add(touchpoint)
    for pair in sorted(links):
        graph.add_edge(*pair, link="|".join(sorted(links[pair])))
        if pair in touchpoints:
            graph.edges[pair]["touchpoints"] = tuple(sorted(touchpoints[pair]))
    return graph


def communities(graph: nx.Graph, *, seed: int = 0, resolution: float = 1.0) -> list[frozenset[Any]]:
    """Split a graph into communities: groups of nodes linked more among themselves than outside.

    Louvain modularity optimisation (:func:`networkx.community.louvain_communities`) with a fixed
    seed, so that one graph always gives the same communities.

    Parameters
    ----------
    graph
        An undirected graph.
    seed
        The seed of Louvain's random node order.
    resolution
        Above 1 favours smaller communities, below 1 larger ones.

    Returns
    -------
    list of frozenset
        The communities, largest first (ties by their smallest node), covering every node; an
        isolated node is a community of its own.

    Raises
    ------
    ValueError
        ``resolution`` is not positive.

    Examples
    --------
    >>> import networkx as nx
    >>> graph = nx.Graph([("a", "b"), ("b", "c"), ("c", "a"), ("x", "y")])
    >>> graph.add_node("z")
    >>> [sorted(c) for c in communities(graph)]
    [['a', 'b', 'c'], ['x', 'y'], ['z']]
    """
    if not resolution > 0:
        raise ValueError(f"resolution must be positive, not {resolution!r}")
    found = nx.community.louvain_communities(graph, seed=seed, resolution=resolution)
    groups = [frozenset(c) for c in found]
    return sorted(groups, key=lambda c: (-len(c), min(str(n) for n in c)))


def bridges_and_articulation_points(
    graph: nx.Graph,
) -> tuple[list[tuple[Any, Any]], list[Any]]:
    """The links and the nodes whose removal cuts a graph in two.

    A bridge is an edge that is the only link between two parts of the graph; an articulation point
    is a node that is. In the structure graph they are the single process, application, store or
    unit (or the customer segment) that holds two parts of the enterprise together.

    Parameters
    ----------
    graph
        An undirected graph.

    Returns
    -------
    tuple of (list of tuple, list)
        The bridges, each as a pair of nodes in sorted order, and the articulation points, both
        sorted.

    Examples
    --------
    >>> import networkx as nx
    >>> graph = nx.Graph([("a", "b"), ("b", "c"), ("c", "a"), ("c", "d"), ("d", "e")])
    >>> bridges_and_articulation_points(graph)
    ([('c', 'd'), ('d', 'e')], ['c', 'd'])
    """
    bridges = sorted((_pair(u, v) for u, v in nx.bridges(graph)), key=_sort_key)
    points = sorted(nx.articulation_points(graph), key=str)
    return bridges, points


def segment_silo_measure(
    model: KnowledgeGraph,
    graph: nx.Graph,
    *,
    communities_of_graph: Sequence[Collection[Hashable]] | None = None,
    seed: int = 0,
    resolution: float = 1.0,
) -> list[SegmentSiloMeasure]:
    """Per customer segment, how many separate enterprises its customers meet.

    See the module docstring for what a segment's customers meet and how the silo index is
    computed.

    Parameters
    ----------
    model
        The knowledge graph of an enterprise.
    graph
        Its :func:`structure_graph`.
    communities_of_graph
        The communities of the graph without its segments, when already computed; otherwise they
        are computed with :func:`communities`, ``seed`` and ``resolution``.
    seed, resolution
        Passed to :func:`communities`.

    Returns
    -------
    list of SegmentSiloMeasure
        One per segment, most siloed first (ties by label).

    Raises
    ------
    TypeError
        ``model`` is not a :class:`~kg.store.KnowledgeGraph`.

    Examples
    --------
    >>> from kg.model import open_model
    >>> model = open_model()
    >>> model.store.update('''PREFIX bm: <https://w3id.org/bmkg/ontology#>
    ...   PREFIX bmv: <https://w3id.org/bmkg/vocab#>
    ...   INSERT DATA { GRAPH <urn:example> {
    ...     <urn:seg> a bm:CustomerSegment .
    ...     <urn:sell> a bm:BusinessProcess ; bm:servesSegment <urn:seg> ;
    ...       bm:usesDataStore <urn:a> .
    ...     <urn:help> a bm:BusinessProcess ; bm:servesSegment <urn:seg> ;
    ...       bm:usesDataStore <urn:b> .
    ...     <urn:a> a bm:DataStore ; bm:holdsCustomerData bmv:ContactData .
    ...     <urn:b> a bm:DataStore ; bm:holdsCustomerData bmv:ContactData .
    ...   } }''')
    >>> [measure] = segment_silo_measure(model, structure_graph(model))
    >>> measure.records, measure.communities, measure.connected_share
    (2, 2, 0.0)
    >>> round(measure.silo_index, 2)
    0.67
    """
    _check_model(model)
    enterprise = _enterprise(graph)
    if communities_of_graph is None:
        communities_of_graph = communities(enterprise, seed=seed, resolution=resolution)
    return _segment_measures(model, graph, enterprise, communities_of_graph)


def _segment_measures(
    model: KnowledgeGraph,
    graph: nx.Graph,
    enterprise: nx.Graph,
    communities_of_graph: Sequence[Collection[Hashable]],
) -> list[SegmentSiloMeasure]:
    community_of = {node: i for i, group in enumerate(communities_of_graph) for node in group}
    record_of = _synchronised_records(graph)
    followed = _followed_links(graph)

    met: dict[str, set[str]] = defaultdict(set)
    kept: dict[str, set[str]] = defaultdict(set)
    for row in run(model, "segment-reach"):
        met[row["segment"]].add(row["thing"])
        if row["how"].startswith("keeps"):
            kept[row["segment"]].add(row["thing"])
    segments = set(met) | {n for n, t in graph.nodes(data="type") if t == _SEGMENT}

    measures = []
    for segment in segments:
        things = _inward(graph, followed, met[segment])
        inside = things[_UNIT] | things[_APPLICATION] | things[_STORE]
        everything = inside | things[_PROCESS] | things[_CHANNEL]
        records: dict[Hashable, set[str]] = defaultdict(set)
        for store in things[_STORE]:
            if graph.nodes.get(store, {}).get("customer_data") or store in kept[segment]:
                records[record_of.get(store, store)].add(store)
        reached = {community_of.get(thing, thing) for thing in everything}
        share = _connected_share(enterprise, everything, inside)
        index = (_spread(len(records)) + _spread(len(reached)) + (1.0 - share)) / 3

        def subjects(nodes: Iterable[str]) -> tuple[Subject, ...]:
            return tuple(sorted((_subject(graph, n) for n in nodes), key=_subject_key))

        measures.append(
            SegmentSiloMeasure(
                segment=_subject(graph, segment, _SEGMENT),
                channels=subjects(things[_CHANNEL]),
                units=subjects(things[_UNIT]),
                processes=subjects(things[_PROCESS]),
                applications=subjects(things[_APPLICATION]),
                data_stores=subjects(things[_STORE]),
                customer_records=tuple(
                    sorted(
                        (subjects(r) for r in records.values()), key=lambda r: _subject_key(r[0])
                    )
                ),
                communities=len(reached),
                connected_share=share,
                silo_index=index,
            )
        )
    return sorted(measures, key=lambda m: (-m.silo_index, _subject_key(m.segment)))


def analyse_structure(
    model: KnowledgeGraph,
    *,
    seed: int = 0,
    resolution: float = 1.0,
    graph: nx.Graph | None = None,
    enterprise: portfolio.Choice = None,
) -> Structure:
    """Build the structure graph of a model and measure it (see the module docstring).

    Parameters
    ----------
    model
        The knowledge graph of an enterprise, or of several (:mod:`kg.portfolio`).
    seed, resolution
        Passed to :func:`communities`.
    graph
        The model's :func:`structure_graph`, when already built (for the enterprise's view of
        the model, when it holds several).
    enterprise
        The enterprise to measure (an IRI, a CURIE or a label); needed when the model holds
        several, the only one by default.

    Returns
    -------
    Structure
        The communities of the enterprise's side of the graph, the bridges and articulation
        points of the whole graph, and the silo measure of every segment.

    Examples
    --------
    >>> from kg.model import open_model
    >>> model = open_model()
    >>> model.store.update('''PREFIX bm: <https://w3id.org/bmkg/ontology#>
    ...   PREFIX bmv: <https://w3id.org/bmkg/vocab#>
    ...   PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
    ...   INSERT DATA { GRAPH <urn:example> {
    ...     <urn:seg> a bm:CustomerSegment ; rdfs:label "Bakers" .
    ...     <urn:web> a bm:Channel ; bm:reachesSegment <urn:seg> .
    ...     <urn:phone> a bm:Channel ; bm:reachesSegment <urn:seg> .
    ...   } }''')
    >>> structure = analyse_structure(model)
    >>> [s.label for s in structure.articulation_points]
    ['Bakers']
    """
    _check_model(model)
    if graph is None:
        model = portfolio.scoped(model, enterprise)
        graph = structure_graph(model)
    side = _enterprise(graph)
    groups = communities(side, seed=seed, resolution=resolution)
    bridges, points = bridges_and_articulation_points(graph)
    measures = _segment_measures(model, graph, side, groups)

    def subjects(nodes: Iterable[str]) -> tuple[Subject, ...]:
        return tuple(sorted((_subject(graph, n) for n in nodes), key=_subject_key))

    return Structure(
        communities=tuple(subjects(group) for group in groups),
        bridges=tuple((_subject(graph, u), _subject(graph, v)) for u, v in bridges),
        articulation_points=subjects(points),
        measures=tuple(measures),
        nodes=graph.number_of_nodes(),
        edges=graph.number_of_edges(),
    )


# The links _inward follows from what a customer meets to the units and systems behind it.
_FOLLOWED = ("bm:ownedBy", "bm:involvesUnit", "bm:usesApplication", "bm:usesDataStore")


def _enterprise(graph: nx.Graph) -> nx.Graph:
    """The graph without its segments: the enterprise's side of it.

    A copy rather than a view: the analysis walks it for every segment, and a view filters every
    neighbour it is asked for. The copy keeps the order of nodes and neighbours, which the
    communities depend on.
    """
    return graph.subgraph(n for n, t in graph.nodes(data="type") if t != _SEGMENT).copy()


def _followed_links(graph: nx.Graph) -> dict[tuple[str, str], set[str]]:
    """Each node's neighbours by link, for the links of ``_FOLLOWED``."""
    index: dict[tuple[str, str], set[str]] = defaultdict(set)
    for u, v, link in graph.edges(data="link"):
        for name in link.split("|"):
            if name in _FOLLOWED:
                index[u, name].add(v)
                index[v, name].add(u)
    return index


def _inward(
    graph: nx.Graph, followed: Mapping[tuple[str, str], set[str]], met: Iterable[str]
) -> dict[str, set[str]]:
    """What a customer meets, by type: the things met, and the units and systems behind them."""
    things: dict[str, set[str]] = defaultdict(set)
    for thing in met:
        things[graph.nodes[thing]["type"] if thing in graph else ""].add(thing)

    def follow(sources: Iterable[str], kind: str, *links: str) -> set[str]:
        return {
            other
            for source in sources
            for link in links
            for other in followed.get((source, link), ())
            if graph.nodes[other]["type"] == kind
        }

    processes = things[_PROCESS]
    things[_UNIT] |= follow(processes, _UNIT, "bm:ownedBy", "bm:involvesUnit")
    things[_UNIT] |= follow(things[_CHANNEL], _UNIT, "bm:ownedBy")
    things[_APPLICATION] |= follow(processes, _APPLICATION, "bm:usesApplication")
    things[_STORE] |= follow(processes | things[_APPLICATION], _STORE, "bm:usesDataStore")
    return things


def _synchronised_records(graph: nx.Graph) -> dict[str, int]:
    """Each data store's record: its connected component of ``bm:synchronisedWith``."""
    synchronised = nx.Graph(
        (u, v)
        for u, v, link in graph.edges(data="link")
        if "bm:synchronisedWith" in link.split("|")
    )
    return {
        store: i
        for i, component in enumerate(nx.connected_components(synchronised))
        for store in component
    }


def _connected_share(graph: nx.Graph, within: set[str], pairs_of: set[str]) -> float:
    """The share of pairs of ``pairs_of`` joined by a path through ``within`` only."""
    if len(pairs_of) < 2:
        return 1.0
    inside = {node for node in within if node in graph}
    component: dict[str, int] = {}
    for start in inside:
        if start in component:
            continue
        component[start] = start_index = len(component)
        stack = [start]
        while stack:
            node = stack.pop()
            neighbours = graph.adj[node]
            # From a hub (a unit that owns every store), look up the few things met rather than
            # walk all its neighbours: the cost stays that of the segment, not of the model.
            if len(neighbours) > len(inside):
                reached = [other for other in inside if other in neighbours]
            else:
                reached = [other for other in neighbours if other in inside]
            for other in reached:
                if other not in component:
                    component[other] = start_index
                    stack.append(other)
    sizes: dict[int, int] = defaultdict(int)
    for node in pairs_of:
        if node in component:
            sizes[component[node]] += 1
    joined = sum(n * (n - 1) // 2 for n in sizes.values())
    return joined / (len(pairs_of) * (len(pairs_of) - 1) // 2)


def _spread(count: int) -> float:
    """0 for one thing (or none), approaching 1 as things multiply."""
    return 1.0 - 1.0 / count if count > 1 else 0.0


def _check_model(model: object) -> None:
    if not isinstance(model, KnowledgeGraph):
        raise TypeError(f"expected a KnowledgeGraph, not {type(model).__name__}")


def _subject(graph: nx.Graph, node: str, kind: str | None = None) -> Subject:
    # Not graph.nodes.get: a Mapping's generic get, several times slower, called per node named.
    data = graph.nodes[node] if node in graph else {}
    return Subject(node, data.get("label"), data.get("type", kind))


def _subject_key(subject: Subject) -> tuple[str, str]:
    return ((subject.label or subject.iri).casefold(), subject.iri)


def _pair(a: Any, b: Any) -> tuple[Any, Any]:
    return (a, b) if str(a) <= str(b) else (b, a)


def _sort_key(pair: tuple[Any, Any]) -> tuple[str, str]:
    return (str(pair[0]), str(pair[1]))


def _local(iri: str) -> str:
    return iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def _curie(iri: str) -> str:
    if iri.startswith(_BMV):
        return "bmv:" + iri[len(_BMV) :]
    return "bm:" + iri[len(_BM) :] if iri.startswith(_BM) else iri
