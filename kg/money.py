"""Money in several currencies: one reporting currency per enterprise, and exchange rates as data.

Amounts in different currencies are never added as if they were one. Each enterprise reports in
one currency, its **reporting currency**:

1. the one it names with ``bm:reportingCurrency``; else
2. the currency of its revenue goals (``bm:Goal`` with ``bm:goalFor`` it and a
   ``bm:targetRevenue``), when they all use the same one; else
3. the currency of all its amounts, when there is only one.

An amount (``bm:amount``, ``bm:targetRevenue``, ``bm:plannedValue``, ``bm:actualValue``) in
another currency is converted with an exchange rate the model holds: a ``bm:ExchangeRate`` with
``bm:fromCurrency``, ``bm:toCurrency``, ``bm:rate`` (units of the second that one unit of the
first buys), ``bm:rateDate`` and ``dcterms:source``. A rate is used either way round; of several
for one pair, the latest. :func:`plan` works this out; :func:`converted` gives the model with
the amounts converted, which is what the ten questions and the silo rules read, and sentences
that say what was converted, at which rate, and what could not be.

An amount with no rate to its enterprise's reporting currency, or an enterprise with amounts in
several currencies and no reporting currency to choose, is a Violation of
``bmsh:CurrencyConversion`` (:mod:`kg.validation` reports it, naming the amounts). The analysis
then leaves such amounts out of every sum, total and share, and says so on every answer.

>>> import kg
>>> telco = kg.open_model(kg.example_path("telco"))
>>> plan(telco).reporting, plan(telco).reason
('CHF', 'the currency of its revenue goals')
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

import pyoxigraph as ox
import rdflib

from kg.store import KnowledgeGraph

__all__ = ["Conversion", "Plan", "Rate", "converted", "plan", "plans"]

_BM = "https://w3id.org/bmkg/ontology#"
MONEY = tuple(_BM + p for p in ("amount", "targetRevenue", "plannedValue", "actualValue"))
"""The properties whose values are money, in the currency (``bm:currency``) of their subject."""

_AMOUNTS = """
SELECT ?thing ?property ?value ?currency ?label WHERE {
  VALUES ?property { bm:amount bm:targetRevenue bm:plannedValue bm:actualValue }
  ?thing ?property ?value ; bm:currency ?currency .
  FILTER (isLITERAL(?currency))
  OPTIONAL { ?thing rdfs:label ?label }
}
"""
_CURRENCIES = """
SELECT DISTINCT ?currency WHERE {
  ?thing bm:currency ?currency
  FILTER (isLITERAL(?currency))
}
"""
_RATES = """
SELECT ?rate ?from ?to ?value ?date ?source WHERE {
  ?rate a bm:ExchangeRate ; bm:fromCurrency ?from ; bm:toCurrency ?to ; bm:rate ?value .
  OPTIONAL { ?rate bm:rateDate ?date }
  OPTIONAL { ?rate dcterms:source ?source }
}
"""
_ENTERPRISES = """
SELECT ?enterprise ?reporting WHERE {
  ?enterprise a bm:Enterprise .
  OPTIONAL {
    ?enterprise bm:reportingCurrency ?reporting
    FILTER (isLITERAL(?reporting))
  }
}
"""
_GOALS = """
SELECT ?goal ?enterprise ?goalCurrency WHERE {
  ?goal bm:goalFor ?enterprise ; bm:targetRevenue ?target ; bm:currency ?goalCurrency
  FILTER (isLITERAL(?goalCurrency))
}
"""
# Each query above reads only the statements of the node its first variable names, so a write's
# effect is found by running it again on the nodes the write touches (see _Rows).
GUESSED = "the currency of most of its amounts, as no reporting currency is named"
_NAMESPACES = {
    "bm": rdflib.Namespace(_BM),
    "rdfs": rdflib.RDFS,
    "dcterms": rdflib.Namespace("http://purl.org/dc/terms/"),
}


@dataclass(frozen=True)
class Rate:
    """An exchange rate of the model, as used: ``factor`` units of ``to`` per unit of ``source``."""

    iri: str
    currency: str
    to: str
    factor: Decimal
    date: str | None
    source: str | None
    inverse: bool = False
    """Whether the model states the rate the other way round (``to`` into ``currency``)."""

    def describe(self) -> str:
        """The rate as the model states it, with its source and date."""
        where = ", ".join(x for x in (self.source, self.date) if x)
        if self.inverse:
            stated = f"{_number(Decimal(1) / self.factor)} {self.currency} per {self.to}"
        else:
            stated = f"{_number(self.factor)} {self.to} per {self.currency}"
        return stated + (f" ({where})" if where else "")


@dataclass(frozen=True)
class Amount:
    """One money value of the model: its subject, property, value, currency and label."""

    thing: str
    property: str
    value: Decimal
    currency: str
    label: str | None = None

    def describe(self) -> str:
        return f"{self.label or self.thing} ({self.currency} {_number(self.value)})"


@dataclass(frozen=True)
class Plan:
    """How one enterprise's amounts (or a model's, without an enterprise) come to one currency.

    ``reporting`` is ``None`` only when there are no amounts; ``reason`` says how it was chosen
    (:data:`GUESSED` when amounts are in several currencies and none is named). ``rates`` are
    the rates used, by currency; ``unconvertible`` the amounts in a currency with no rate to the
    reporting one.
    """

    enterprise: str | None
    reporting: str | None
    reason: str
    currencies: tuple[str, ...] = ()
    rates: dict[str, Rate] = field(default_factory=dict)
    converted: tuple[Amount, ...] = ()
    unconvertible: tuple[Amount, ...] = ()

    @property
    def mixed(self) -> bool:
        """Whether the amounts are in more than one currency."""
        return len(self.currencies) > 1

    def notes(self) -> tuple[str, ...]:
        """What an answer drawn from the converted model must say about its money."""
        if not self.mixed:
            return ()
        found = [
            f"Amounts are in {len(self.currencies)} currencies ({', '.join(self.currencies)}); "
            f"answers are in {self.reporting}, {self.reason}."
        ]
        used = "; ".join(
            f"{sum(1 for a in self.converted if a.currency == c)} in {c} at {rate.describe()}"
            for c, rate in sorted(self.rates.items())
        )
        if used:
            found.append(f"Converted with the model's exchange rates: {used}.")
        if self.unconvertible:
            target = self.reporting
            listed = ", ".join(a.describe() for a in self.unconvertible[:6])
            more = len(self.unconvertible) - 6
            count = len(self.unconvertible)
            found.append(
                f"{count} {'amount' if count == 1 else 'amounts'} cannot be converted to "
                f"{target} and {'is' if count == 1 else 'are'} left out of every sum, total and "
                f"share: {listed}"
                + (f" and {more} more" if more > 0 else "")
                + ". Add a bm:ExchangeRate for each currency to correct the answers."
            )
        return tuple(found)


def plans(
    model: KnowledgeGraph | rdflib.Graph,
    owners: Mapping[str, frozenset[str]] | None = None,
    *,
    add: Iterable[Statement] = (),
    remove: Iterable[Statement] = (),
) -> list[Plan]:
    """One :class:`Plan` per enterprise of ``model`` (one for the whole model without one).

    ``owners`` maps a node to the enterprises it belongs to (:attr:`kg.portfolio.Placement.of`);
    without it every amount belongs to every enterprise, which is right for a model of one.
    ``add`` and ``remove`` are the statements of a write not made yet: the plans are then those
    of the model as it would be after it.
    """
    rows = _Rows(model, add, remove)
    known = {row["currency"] for row in rows.all(_CURRENCIES)} | rows.added_currencies
    if len(known) < 2:
        # One currency at most (the usual case): nothing to convert, so the amounts and rates
        # are not read at all.
        amounts, rates, only = [], [], tuple(c for c in known if c)
    else:
        amounts, rates, only = _amounts(rows), _rates(rows), ()
    reporting: dict[str, str | None] = {}
    for row in rows.of(_ENTERPRISES, "enterprise"):
        company = row["enterprise"]
        assert company is not None
        reporting[company] = reporting.get(company) or row["reporting"]
    goals: dict[str, set[str]] = defaultdict(set)
    for row in rows.of(_GOALS, "goal"):
        if row["enterprise"] in reporting and row["goalCurrency"]:
            goals[row["enterprise"]].add(row["goalCurrency"])
    if not reporting:
        return [_plan(None, None, set(), amounts, rates, only)]
    found = []
    for company in sorted(reporting):
        mine = [
            a
            for a in amounts
            if owners is None or company in owners.get(a.thing, frozenset({company}))
        ]
        found.append(_plan(company, reporting[company], goals[company], mine, rates, only))
    return found


def plan(model: KnowledgeGraph | rdflib.Graph) -> Plan:
    """The :class:`Plan` of a model of one enterprise (or none)."""
    return plans(model)[0]


def _plan(
    company: str | None,
    named: str | None,
    goal_currencies: set[str],
    amounts: list[Amount],
    rates: list[Rate],
    only: tuple[str, ...] = (),
) -> Plan:
    """``only`` is the model's one currency, when it has one and ``amounts`` were not read."""
    currencies = only or tuple(sorted({a.currency for a in amounts}))
    if named:
        reporting, reason = named, "its reporting currency"
    elif len(goal_currencies) == 1:
        reporting, reason = next(iter(goal_currencies)), "the currency of its revenue goals"
    elif len(currencies) == 1:
        reporting, reason = currencies[0], "the only currency of its amounts"
    elif currencies:
        # Several currencies and none named: the analysis reads the one most amounts use, and
        # validation asks for bm:reportingCurrency.
        counts = Counter(a.currency for a in amounts)
        reporting = min(currencies, key=lambda c: (-counts[c], c))
        reporting, reason = reporting, GUESSED
    else:
        return Plan(company, None, "no amounts")
    used: dict[str, Rate] = {}
    converted, unconvertible = [], []
    for amount in amounts:
        if amount.currency == reporting:
            continue
        rate = used.get(amount.currency) or _best(rates, amount.currency, reporting)
        if rate is None:
            unconvertible.append(amount)
        else:
            used[amount.currency] = rate
            converted.append(amount)
    return Plan(
        company, reporting, reason, currencies, used, tuple(converted), tuple(unconvertible)
    )


def _best(rates: list[Rate], currency: str, to: str) -> Rate | None:
    candidates = [r for r in rates if r.currency == currency and r.to == to]
    candidates += [
        Rate(r.iri, currency, to, Decimal(1) / r.factor, r.date, r.source, inverse=True)
        for r in rates
        if r.currency == to and r.to == currency and r.factor != 0
    ]
    if not candidates:
        return None
    return max(candidates, key=lambda r: (r.date or "", r.iri))


@dataclass(frozen=True)
class Conversion:
    """The model an enterprise's answers read, with its amounts in one currency, and the plan."""

    model: KnowledgeGraph
    plan: Plan

    @property
    def notes(self) -> tuple[str, ...]:
        return self.plan.notes()


def converted(model: KnowledgeGraph, enterprise: str | None = None) -> Conversion:
    """``model`` (the view of one enterprise) with every amount in its reporting currency.

    A model whose amounts are in one currency is returned as it is. Otherwise the result is an
    in-memory copy in which each amount with a rate is converted (rounded to the cent) and its
    currency changed, and each amount without one is removed, so that no sum adds unlike
    currencies; :attr:`Conversion.notes` says what was done.
    """
    found = plan(model)
    if not found.mixed:
        return Conversion(model, found)
    copy = KnowledgeGraph()
    for prefix, namespace in model.prefixes.items():
        copy.bind(prefix, namespace)
    copy.store.extend(model.quads())
    currency = ox.NamedNode(_BM + "currency")
    decimal = ox.NamedNode("http://www.w3.org/2001/XMLSchema#decimal")
    for amount in found.converted:
        rate = found.rates[amount.currency]
        thing, prop = _node(amount.thing), ox.NamedNode(amount.property)
        for quad in list(copy.store.quads_for_pattern(thing, prop, None, None)):
            copy.store.remove(quad)
            value = (amount.value * rate.factor).quantize(Decimal("0.01"))
            literal = ox.Literal(str(value), datatype=decimal)
            copy.store.add(ox.Quad(thing, prop, literal, quad.graph_name))
        for quad in list(copy.store.quads_for_pattern(thing, currency, None, None)):
            copy.store.remove(quad)
            literal = ox.Literal(found.reporting or "")
            copy.store.add(ox.Quad(thing, currency, literal, quad.graph_name))
    for amount in found.unconvertible:
        thing, prop = _node(amount.thing), ox.NamedNode(amount.property)
        for quad in list(copy.store.quads_for_pattern(thing, prop, None, None)):
            copy.store.remove(quad)
    return Conversion(copy, found)


# --------------------------------------------------------------------------------------------


def _amounts(rows: _Rows) -> list[Amount]:
    numbers: dict[tuple[str, str], Decimal] = {}
    currencies: dict[tuple[str, str], set[str]] = defaultdict(set)
    labels: dict[tuple[str, str], str] = {}
    for row in rows.of(_AMOUNTS, "thing"):
        thing, prop, value, currency = row["thing"], row["property"], row["value"], row["currency"]
        assert thing and prop and currency is not None
        try:
            number = Decimal(value or "")
        except InvalidOperation:
            continue  # not a number: the shapes report it
        # Two values (which the shapes report) are read the same way whatever the row order.
        numbers[(thing, prop)] = max(number, numbers.get((thing, prop), number))
        currencies[(thing, prop)].add(currency.strip())
        if row["label"]:
            labels[(thing, prop)] = row["label"]
    # A thing with two currencies (which the shapes report) is in neither: its amounts are in
    # a currency of their own that no rate converts, and so in no sum.
    return sorted(
        (
            Amount(
                thing,
                prop,
                number,
                " or ".join(sorted(currencies[(thing, prop)])),
                labels.get((thing, prop)),
            )
            for (thing, prop), number in numbers.items()
        ),
        key=lambda a: (a.thing, a.property),
    )


def _rates(rows: _Rows) -> list[Rate]:
    found = []
    for row in rows.of(_RATES, "rate"):
        try:
            factor = Decimal(row["value"] or "")
        except InvalidOperation:
            continue
        if factor <= 0:
            continue  # the shapes report it
        assert row["rate"] and row["from"] and row["to"]
        found.append(Rate(row["rate"], row["from"], row["to"], factor, row["date"], row["source"]))
    return found


Statement = ox.Quad | ox.Triple
Row = dict[str, str | None]


class _Rows:
    """The rows of the queries above, in the model as it is or as a write would leave it.

    The rows of the nodes a write touches come from a small store holding their statements
    after the write; every other row comes from the model.
    """

    def __init__(
        self,
        model: KnowledgeGraph | rdflib.Graph,
        add: Iterable[Statement],
        remove: Iterable[Statement],
    ) -> None:
        self.model = model
        add, remove = list(add), list(remove)
        self.touched = {_text(q.subject) for q in (*add, *remove)}
        self.added_currencies = {
            q.object.value
            for q in add
            if q.predicate.value == _BM + "currency" and isinstance(q.object, ox.Literal)
        }
        self.after: KnowledgeGraph | None = None
        if self.touched:
            assert isinstance(model, KnowledgeGraph), "a write is checked on a KnowledgeGraph"
            gone = {(q.subject, q.predicate, q.object) for q in remove}
            kept: set[tuple[Any, Any, Any]] = set()
            subjects = {q.subject for q in (*add, *remove)}
            for subject in (s for s in subjects if isinstance(s, ox.NamedNode | ox.BlankNode)):
                for quad in model.quads(subject):
                    kept.add((quad.subject, quad.predicate, quad.object))
            kept = (kept - gone) | {(q.subject, q.predicate, q.object) for q in add}
            self.after = KnowledgeGraph()
            self.after.store.extend(ox.Quad(s, p, o, _AFTER) for s, p, o in kept)

    def all(self, sparql: str) -> list[Row]:
        """The rows of the model as it is (for a query no write can make rows of)."""
        return list(_rows(self.model, sparql))

    def of(self, sparql: str, key: str) -> list[Row]:
        """The rows of a query whose ``key`` variable names the node they are read from."""
        found = [r for r in _rows(self.model, sparql) if r[key] not in self.touched]
        if self.after is not None:
            found += _rows(self.after, sparql)
        return found


_AFTER = ox.NamedNode("urn:bmkg:after-write")


def _rows(model: KnowledgeGraph | rdflib.Graph, sparql: str) -> Iterable[Row]:
    if isinstance(model, rdflib.Graph):
        result = model.query(sparql, initNs=_NAMESPACES)
        names = [str(v) for v in result.vars or ()]
        for row in result:
            yield {
                name: _text(value)
                for name, value in zip(names, row, strict=True)  # type: ignore[arg-type]
            }
        return
    answer = model.query(sparql)
    assert isinstance(answer, ox.QuerySolutions)
    names = [v.value for v in answer.variables]
    for solution in answer:
        yield {name: _text(solution[name]) for name in names}


def _text(term: object) -> str | None:
    if term is None:
        return None
    if isinstance(term, ox.BlankNode):
        return "_:" + term.value
    if isinstance(term, rdflib.BNode):
        return "_:" + str(term)
    if isinstance(term, ox.NamedNode | ox.Literal):
        return term.value
    return str(term)


def _node(key: str) -> ox.NamedNode | ox.BlankNode:
    return ox.BlankNode(key[2:]) if key.startswith("_:") else ox.NamedNode(key)


def _number(value: Decimal) -> str:
    value = value.quantize(Decimal("1.000000")) if abs(value) < 10**12 else value
    if value == value.to_integral_value():
        return f"{value:,.0f}"
    text = f"{value.normalize():f}"
    whole, _, fraction = text.partition(".")
    return f"{int(whole):,}.{fraction}" if fraction else f"{int(whole):,}"
