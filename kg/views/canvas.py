"""The Business Model Canvas and the Value Proposition Canvas, drawn from the knowledge graph.

:func:`business_model_canvas` lays the nine blocks out as the canvas architects know (partners,
activities and resources on the left, value propositions in the middle, relationships, channels
and segments on the right, costs and revenue along the bottom), each filled by a query of
``kg/queries/views/canvas-*.rq``. :func:`value_proposition_canvas` draws, for each value
proposition and segment it targets, the value map against the customer profile and marks which
jobs, pains and gains the proposition addresses, with the fit weighed as Q3 weighs it.

>>> from kg.model import open_model
>>> canvas = business_model_canvas(open_model())
>>> canvas.kind, canvas.body.count("none in the model")
('canvas', 9)
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from kg import portfolio
from kg.answers import Finding, percent, preferred_label
from kg.errors import NotFoundError
from kg.queries import run
from kg.store import KnowledgeGraph
from kg.views.base import Href, View, badges, item_context, money, render

__all__ = ["business_model_canvas", "value_proposition_canvas"]

SHOWN = 8
"""How many items a block shows before the rest folds into "+ k more"."""
FOLDED = 100
"""A block lists this many items at most (the first ``SHOWN`` open, the rest folded), and counts
the others."""


@dataclass(frozen=True)
class Entry:
    """One item of a block: the thing's IRI, its label and a short note on it."""

    iri: str
    label: str
    extra: str = ""


@dataclass(frozen=True)
class Block:
    """One block of the canvas: where it sits (``area``), its title, its question, its items."""

    area: str
    title: str
    question: str
    entries: tuple[Entry, ...]
    total: str = ""

    @property
    def shown(self) -> tuple[Entry, ...]:
        return self.entries[:SHOWN]

    @property
    def folded(self) -> tuple[Entry, ...]:
        return self.entries[SHOWN:FOLDED]

    @property
    def unlisted(self) -> int:
        """How many items the block counts but does not list (past :data:`FOLDED`)."""
        return max(0, len(self.entries) - FOLDED)


# The blocks in the canvas's reading order (left to right, top to bottom), which is also the order
# they stack in on a narrow screen: area, title, the question the block answers, its query.
_BLOCKS = (
    ("kp", "Key Partners", "Who helps us?", "canvas-partners"),
    ("ka", "Key Activities", "What do we do?", "canvas-activities"),
    ("kr", "Key Resources", "What do we need?", "canvas-resources"),
    ("vp", "Value Propositions", "What do we offer?", "canvas-propositions"),
    ("cr", "Customer Relationships", "How do we get along?", "canvas-relationships"),
    ("ch", "Channels", "How do we reach them?", "canvas-channels"),
    ("cs", "Customer Segments", "Whom do we serve?", "canvas-segments"),
    ("co", "Cost Structure", "What does it cost?", "canvas-costs"),
    ("rs", "Revenue Streams", "What do we earn?", "canvas-revenues"),
)


def business_model_canvas(
    model: KnowledgeGraph,
    *,
    enterprise: portfolio.Choice = None,
    findings: Iterable[Finding] = (),
    href: Href | None = None,
    reached: Collection[str] = (),
    reached_from: Sequence[str] = (),
) -> View:
    """The nine blocks of the Business Model Canvas, filled from the model.

    Parameters
    ----------
    model
        The knowledge graph.
    enterprise
        The enterprise to draw (IRI, CURIE or label); ``None`` for the model's only one.
    findings
        Findings to mark: each item a finding names gets a badge.
    href
        Where an item's name links to, given its IRI (``None``: no link).
    reached
        IRIs to mark as reached (an impact's, :func:`kg.impact.impact`): their items get the
        class ``kgv-reached`` and a diamond.
    reached_from
        The names of the elements the impact started from, for the view's key.

    Raises
    ------
    EnterpriseError
        ``enterprise`` is not one of the model's, or is ``None`` in a model of several.

    Examples
    --------
    >>> from kg.model import open_model
    >>> import kg
    >>> view = business_model_canvas(open_model(kg.example_path("telco")))
    >>> view.title, "Key Partners" in view.body
    ('Business Model Canvas: Alpina Telecom AG', True)
    """
    scoped = portfolio.view(model, enterprise)
    blocks = [
        Block(area, title, question, tuple(_entries(area, rows)), _total(area, rows))
        for area, title, question, name in _BLOCKS
        for rows in [run(scoped.model, name)]
    ]
    title = _title("Business Model Canvas", scoped.enterprise)
    body = render(
        "canvas.html",
        title=title,
        blocks=blocks,
        notes=scoped.notes,
        reached=frozenset(reached),
        reached_from=tuple(reached_from),
        **item_context(href, badges(findings)),
    )
    return View("canvas", title, body, scoped.notes)


def _title(kind: str, enterprise: portfolio.Enterprise | None) -> str:
    return f"{kind}: {enterprise.label}" if enterprise is not None and enterprise.label else kind


_Row = Mapping[str, Any]


def _things(rows: Iterable[_Row], key: str = "thing") -> list[tuple[str, str, list[_Row]]]:
    """Rows grouped by the thing of column ``key``, in the query's order: each thing's IRI, its
    preferred label (the end of its IRI when it has none) and its rows."""
    grouped: dict[str, list[_Row]] = {}
    for row in rows:
        grouped.setdefault(row[key], []).append(row)
    return [(iri, _label(found, iri), found) for iri, found in grouped.items()]


def _label(rows: Iterable[_Row], iri: str) -> str:
    """The preferred of the rows' labels (English first), or the end of the IRI."""
    chosen = preferred_label({(r["label"], r.get("language", "")) for r in rows if "label" in r})
    return chosen if chosen is not None else _local(iri)


def _local(iri: str) -> str:
    return iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def _notes(rows: Iterable[_Row]) -> str:
    return ", ".join(dict.fromkeys(r["note"].lower() for r in rows if "note" in r))


def _entries(area: str, rows: list[dict[str, Any]]) -> Iterable[Entry]:
    for iri, label, found in _things(rows):
        first = found[0]
        if area == "cs":
            parts = []
            if "size" in first:
                parts.append(f"{_count(first['size'])} market")
            if "customers" in first:
                parts.append(f"{_count(first['customers'])} customers")
            if "growth" in first:
                parts.append(f"{_signed_percent(first['growth'])}/yr")
            extra = " · ".join(parts)
        elif area in ("co", "rs"):
            amount = money(first.get("amount"), first.get("currency"))
            extra = " · ".join(part for part in (amount, _notes(found)) if part)
        else:
            extra = _notes(found)
        yield Entry(iri, label, extra)


def _total(area: str, rows: list[dict[str, Any]]) -> str:
    """The yearly sum of a money block, per currency (the view's amounts share one when the
    enterprise has a reporting currency and exchange rates)."""
    if area not in ("co", "rs"):
        return ""
    sums: dict[str, Decimal] = {}
    for _, _, found in _things(rows):
        if "amount" in found[0]:
            currency = found[0].get("currency", "")
            sums[currency] = sums.get(currency, Decimal(0)) + found[0]["amount"]
    if not sums:
        return ""
    return " + ".join(money(value, currency or None) for currency, value in sorted(sums.items()))


def _count(value: int | Decimal) -> str:
    return money(value).replace(".0k", "k").replace(".0m", "m")


def _signed_percent(value: Decimal) -> str:
    return ("+" if value > 0 else "") + percent(float(value))


# ----------------------------------------------------------------------------------------------
# Value Proposition Canvas

_KINDS = (
    ("Gain", "Gains"),
    ("Pain", "Pains"),
    ("Job", "Customer jobs"),
    ("CustomerNeed", "Other needs"),
)
"""The groups of the customer profile: the kind of need (``vpc-needs``) and its title."""


@dataclass(frozen=True)
class Need:
    """A need of the customer profile and how the value propositions meet it.

    ``mark`` is ``met`` (this proposition addresses it), ``other`` (only other propositions that
    target the segment do, named in ``others``) or ``gap`` (none does). ``counted``: a need of
    the segment itself, which the fit weighs; a need only its personas have is shown but not
    weighed, as in Q3.
    """

    iri: str
    label: str
    kind: str
    importance: Decimal
    mark: str
    counted: bool
    others: tuple[str, ...] = ()


@dataclass(frozen=True)
class Part:
    """A part of the value map (an offering, a pain reliever, a gain creator) and the labels
    of the pains or gains it targets."""

    iri: str
    label: str
    targets: tuple[str, ...] = ()


@dataclass(frozen=True)
class Pair:
    """One value proposition against one segment it targets."""

    proposition: Entry
    segment: Entry
    personas: tuple[Entry, ...]
    needs: tuple[Need, ...]
    offerings: tuple[Part, ...]
    relievers: tuple[Part, ...]
    creators: tuple[Part, ...]
    segment_fit: float | None
    """The segment's fit across every proposition that targets it: Q3's figure."""
    propositions: int
    """How many value propositions target the segment."""

    @property
    def counted(self) -> int:
        """How many needs the fit weighs (the segment's own)."""
        return sum(1 for n in self.needs if n.counted)

    @property
    def met(self) -> int:
        """How many of the weighed needs this proposition addresses."""
        return sum(1 for n in self.needs if n.counted and n.mark == "met")

    @property
    def addressed(self) -> tuple[Need, ...]:
        """The needs of the profile this proposition addresses."""
        return tuple(n for n in self.needs if n.mark == "met")

    @property
    def fit(self) -> float | None:
        """The importance-weighted share of the segment's needs this proposition addresses
        (``None`` when the segment has none)."""
        weighed = [n for n in self.needs if n.counted]
        total = sum((n.importance for n in weighed), Decimal(0))
        met = sum((n.importance for n in weighed if n.mark == "met"), Decimal(0))
        return float(met / total) if total else None

    @property
    def groups(self) -> tuple[tuple[str, tuple[Need, ...]], ...]:
        """The needs by kind: gains, pains, jobs, then needs of no kind (only when there are)."""
        grouped = tuple(
            (title, tuple(n for n in self.needs if n.kind == kind)) for kind, title in _KINDS
        )
        return tuple(group for group in grouped if group[1] or group[0] != "Other needs")


@dataclass
class _Profiles:
    """What the canvases are drawn from, each read by one query of the scoped model."""

    propositions: dict[str, Entry]
    segments: dict[str, Entry]
    needs: dict[str, _Row]
    """Each need's first row, with its preferred label."""
    own: dict[str, list[str]] = field(default_factory=dict)
    """The needs of each segment (bm:hasNeed), which the fit weighs."""
    of_personas: dict[str, list[str]] = field(default_factory=dict)
    personas: dict[str, dict[str, list[_Row]]] = field(default_factory=dict)
    addresses: dict[str, set[str]] = field(default_factory=dict)
    parts: dict[tuple[str, str], dict[str, list[_Row]]] = field(default_factory=dict)
    targeting: dict[str, list[str]] = field(default_factory=dict)
    """The value propositions that target each segment."""
    q3: dict[str, _Row] = field(default_factory=dict)
    """Q3's fit of each segment with needs (``value-proposition-fit``)."""

    @classmethod
    def read(cls, graph: KnowledgeGraph) -> _Profiles:
        found = cls(
            propositions={
                iri: Entry(iri, label, _notes(rows))
                for iri, label, rows in _things(run(graph, "canvas-propositions"))
            },
            segments={
                iri: Entry(iri, label) for iri, label, _ in _things(run(graph, "canvas-segments"))
            },
            needs={
                iri: {**rows[0], "label": label}
                for iri, label, rows in _things(run(graph, "vpc-needs"))
            },
            q3={row["segment"]: row for row in run(graph, "value-proposition-fit")},
        )
        for row in run(graph, "vpc-profiles"):
            segment = row["segment"]
            if "persona" not in row:
                found.own.setdefault(segment, []).append(row["need"])
                continue
            found.personas.setdefault(segment, {}).setdefault(row["persona"], []).append(row)
            if "need" in row:
                found.of_personas.setdefault(segment, []).append(row["need"])
        for row in run(graph, "vpc-value-maps"):
            if row["role"] == "addresses":
                found.addresses.setdefault(row["proposition"], set()).add(row["part"])
            else:
                parts = found.parts.setdefault((row["proposition"], row["role"]), {})
                parts.setdefault(row["part"], []).append(row)
        for row in run(graph, "vpc-pairs"):
            found.targeting.setdefault(row["segment"], []).append(row["proposition"])
        return found

    def need_label(self, iri: str) -> str:
        return self.needs[iri]["label"] if iri in self.needs else _local(iri)

    def value_parts(self, proposition: str, role: str) -> tuple[Part, ...]:
        made = [
            Part(
                iri,
                _label(rows, iri),
                tuple(sorted({self.need_label(r["target"]) for r in rows if "target" in r})),
            )
            for iri, rows in self.parts.get((proposition, role), {}).items()
        ]
        return tuple(sorted(made, key=lambda part: part.label))

    def need(self, iri: str, segment: str, proposition: str) -> Need:
        others = tuple(
            self.propositions[other].label
            for other in self.targeting[segment]
            if other != proposition
            and iri in self.addresses.get(other, set())
            and other in self.propositions
        )
        if iri in self.addresses.get(proposition, set()):
            mark = "met"
        else:
            mark = "other" if others else "gap"
        info = self.needs.get(iri, {"kind": "CustomerNeed", "importance": 1})
        return Need(
            iri,
            self.need_label(iri),
            info["kind"],
            Decimal(info["importance"]),
            mark,
            iri in self.own.get(segment, []),
            others,
        )

    def pair(self, proposition: str, segment: str) -> Pair:
        listed = dict.fromkeys(self.own.get(segment, []) + self.of_personas.get(segment, []))
        needs = sorted(
            (self.need(iri, segment, proposition) for iri in listed),
            key=lambda n: (-n.importance, n.label),
        )
        q3 = self.q3.get(segment)
        return Pair(
            proposition=self.propositions.get(proposition, Entry(proposition, _local(proposition))),
            segment=self.segments.get(segment, Entry(segment, _local(segment))),
            personas=tuple(
                Entry(iri, _label(rows, iri))
                for iri, rows in sorted(self.personas.get(segment, {}).items())
            ),
            needs=tuple(needs),
            offerings=self.value_parts(proposition, "offering"),
            relievers=self.value_parts(proposition, "reliever"),
            creators=self.value_parts(proposition, "creator"),
            segment_fit=float(q3["fit"]) if q3 else None,
            propositions=len(self.targeting[segment]),
        )


def value_proposition_canvas(
    model: KnowledgeGraph,
    *,
    enterprise: portfolio.Choice = None,
    findings: Iterable[Finding] = (),
    href: Href | None = None,
    segment: str | None = None,
    proposition: str | None = None,
    max_pairs: int = 30,
) -> View:
    """The Value Proposition Canvas of each value proposition and segment it targets.

    Past ``max_pairs`` pairs, the weakest fits are drawn (a note says how many were left out).

    The customer profile (the segment's jobs, pains and gains, and its personas') faces the value
    map (the products and services that deliver the proposition, its pain relievers and gain
    creators, and what each targets). Each need is marked as addressed by this proposition, by
    another one that targets the segment, or by none; the fit weighs needs by importance as Q3
    does, and the segment's fit across all its propositions is Q3's own figure.

    Parameters
    ----------
    model
        The knowledge graph.
    enterprise
        The enterprise to draw (IRI, CURIE or label); ``None`` for the model's only one.
    findings
        Findings to mark: each thing a finding names gets a badge.
    href
        Where a name links to, given its IRI (``None``: no link).
    segment, proposition
        Draw only the pairs of this segment and/or this value proposition (IRIs).

    Raises
    ------
    EnterpriseError
        ``enterprise`` is not one of the model's, or is ``None`` in a model of several.
    NotFoundError
        ``segment`` or ``proposition`` is not a segment or value proposition of the model.

    Examples
    --------
    >>> from kg.model import open_model
    >>> import kg
    >>> view = value_proposition_canvas(open_model(kg.example_path("telco")))
    >>> view.kind, "Customer jobs" in view.body
    ('value-proposition-canvas', True)
    """
    scoped = portfolio.view(model, enterprise)
    profiles = _Profiles.read(scoped.model)
    if segment is not None and segment not in profiles.segments:
        raise NotFoundError(segment, what="customer segment")
    if proposition is not None and proposition not in profiles.propositions:
        raise NotFoundError(proposition, what="value proposition")
    pairs = [
        profiles.pair(prop, seg)
        for seg, props in profiles.targeting.items()
        for prop in props
        if segment in (None, seg) and proposition in (None, prop)
    ]
    untargeted = [
        entry
        for iri, entry in profiles.segments.items()
        if iri not in profiles.targeting and segment in (None, iri) and proposition is None
    ]
    notes = tuple(scoped.notes)
    if len(pairs) > max_pairs:
        # the weakest fits are the ones to look at; pairs with no needs to weigh come last
        pairs.sort(key=lambda pair: 2.0 if pair.fit is None else pair.fit)
        notes += (
            f"The {max_pairs} weakest of {len(pairs)} proposition and segment pairs are drawn; "
            f"{len(pairs) - max_pairs} are left out: draw one segment's with its IRI.",
        )
        pairs = pairs[:max_pairs]
    title = _title("Value Proposition Canvas", scoped.enterprise)
    body = render(
        "vpc.html",
        title=title,
        pairs=pairs,
        untargeted=untargeted,
        asked=segment is not None or proposition is not None,
        notes=notes,
        **item_context(href, badges(findings)),
    )
    return View("value-proposition-canvas", title, body, notes)
