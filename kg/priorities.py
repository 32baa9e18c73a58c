"""The top priorities across the ten questions and the silos: what to do first, who, and what for.

Every finding of every answer becomes a :class:`Priority`: the finding, the question it answers
(0 for the silos), the action an architect recommends for its kind, the organisational units
accountable for the things it names (``bm:ownedBy``), and what is at stake (a :class:`Stake`:
money in the enterprise's reporting currency, and customers). :func:`prioritise` ranks them by
the rule of :data:`RANKING_RULE`.

The actions are data: ``kg/recommendations.yaml`` holds one entry per finding kind (the action
with placeholders filled from the finding, whose owners to name, what money is at stake), and a
file of your own overrides it kind by kind (:func:`recommendations`).

>>> import kg
>>> from kg.questions import ask_all
>>> from kg.silos import find_silos
>>> model = kg.open_model(kg.example_path("telco"))
>>> answers = [*ask_all(model), find_silos(model).as_answer()]
>>> first = prioritise(model, answers, top=3)[0]
>>> first.finding.kind, first.stake.text()
('product-silo', 'CHF 740 million of revenue a year, 305,000 customers')
>>> [o.label for o in first.owners]
['IT', 'Network Operations', 'Product Unit Home', 'Product Unit Mobile']
"""

from __future__ import annotations

import ast
import inspect
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

import pyoxigraph as ox
import yaml

from kg import money, portfolio
from kg.answers import Answer, Enterprise, Finding, Level, Subject, percent, preferred_label
from kg.errors import KGError
from kg.queries import queries, run
from kg.store import KnowledgeGraph

__all__ = [
    "DEFAULT_RECOMMENDATIONS",
    "RANKING_RULE",
    "Priority",
    "Recommendation",
    "Stake",
    "prioritise",
    "recommendations",
]

DEFAULT_RECOMMENDATIONS = Path(__file__).resolve().with_name("recommendations.yaml")
"""The recommended actions that come with the toolkit."""

RANKING_RULE = (
    "Priorities are ranked by severity first (high, then medium, then low); within a severity, "
    "by the money at stake, largest first (the revenue short of a goal or at risk, a yearly "
    "loss or cost, or the yearly revenue of the segments or value propositions a finding names, "
    "all in the enterprise's reporting currency; a finding with no money on it, or an amount of "
    "zero, comes after those with one); then by the customers at stake, most first (the "
    "customers today of the segments the finding names, or the segment's size where the count "
    "is not recorded; none comes last); then by question number (the silos are 0) and, last, "
    "by the finding's message, so that the order never depends on chance."
)
"""The rule :func:`prioritise` ranks by, in words, for the report."""

_BM = "https://w3id.org/bmkg/ontology#"
_RDFS_LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
_ROUTES = (
    "BusinessProcess",
    "Capability",
    "Channel",
    "Application",
    "DataStore",
    "Offering",
    "ValueProposition",
    "CustomerSegment",
    "OrganisationalUnit",
)
_REVENUE = ("revenue.segments", "revenue.value-propositions")
_FIELDS = ("action", "owners", "look-at", "money", "measure")
_FORMATS = ("growth", "money", "number", "percent")
_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)(?::([a-z]+))?\}")
_GENERAL = ("subject", "subjects", "others", "currency")
_NUMBERED = re.compile(r"subject_[1-9][0-9]*")
_SEVERITY = {Level.HIGH: 0, Level.MEDIUM: 1, Level.LOW: 2}


# --------------------------------------------------------------------------------------------
# Stakes and priorities


@dataclass(frozen=True)
class Stake:
    """What is at stake in a finding, in the enterprise's reporting currency.

    ``money`` is an amount (positive) in ``currency``; ``measure`` says what it is ("lost a
    year"); ``customers`` the customers of the segments the finding names. Each is ``None``
    when the model does not say.

    >>> Stake(Decimal("12400000"), "CHF", 85_000, "of revenue a year").text()
    'CHF 12.4 million of revenue a year, 85,000 customers'
    >>> Stake(None, None, None).text()
    ''
    """

    money: Decimal | None
    currency: str | None
    customers: int | None
    measure: str | None = None

    def text(self) -> str:
        """The stake in words; empty when nothing is known."""
        from kg.answers import money_words as amount

        parts = []
        if self.money is not None:
            parts.append(
                amount(self.money, self.currency) + (f" {self.measure}" if self.measure else "")
            )
        if self.customers is not None:
            parts.append(f"{self.customers:,} customer{'' if self.customers == 1 else 's'}")
        return ", ".join(parts)

    def to_dict(self) -> dict[str, Any]:
        value = None if self.money is None else _number(self.money)
        return {
            "money": value,
            "currency": self.currency,
            "measure": self.measure,
            "customers": self.customers,
            "text": self.text(),
        }


@dataclass(frozen=True)
class Priority:
    """One finding as a priority: its rank, the action recommended, who and what is at stake."""

    rank: int
    finding: Finding
    question: int
    """The number of the question the finding answers; 0 for the silo analysis."""
    short_name: str
    """The question's short name, or ``"Silos"``."""
    action: str
    owners: tuple[Subject, ...]
    """The units accountable for the things the finding names (may be empty)."""
    stake: Stake
    enterprise: Enterprise | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "rank": self.rank,
            "question": self.question,
            "short_name": self.short_name,
            "severity": self.finding.severity.value,
            "action": self.action,
            "owners": [o.to_dict() for o in self.owners],
            "stake": self.stake.to_dict(),
            "finding": self.finding.to_dict(),
            "enterprise": self.enterprise.to_dict() if self.enterprise else None,
        }


# --------------------------------------------------------------------------------------------
# Recommendations


@dataclass(frozen=True)
class Recommendation:
    """The recommended action for one kind of finding, as ``recommendations.yaml`` gives it.

    ``owners`` names the routes to the accountable units (``Channel``: the channel's
    ``bm:ownedBy``; ``ValueProposition``: the owners of the offerings delivering it...);
    ``look_at`` the evidence keys whose things count as named by the finding besides its
    subjects; ``money`` what money is at stake (``evidence.KEY``, ``revenue.segments`` or
    ``revenue.value-propositions``); ``source`` the file the action was read from.
    """

    kind: str
    action: str
    owners: tuple[str, ...] = ()
    look_at: tuple[str, ...] = ()
    money: str | None = None
    measure: str | None = None
    source: Path | None = field(default=None, compare=False)

    def fill(self, finding: Finding, currency: str | None = None) -> str:
        """The action with its placeholders filled from ``finding``."""
        subjects = finding.subjects
        general: dict[str, Any] = {
            "subject": subjects[0].to_dict() if subjects else None,
            "subjects": [s.to_dict() for s in subjects],
            "others": [s.to_dict() for s in subjects[1:]],
            "currency": currency,
        }

        def value(match: re.Match[str]) -> str:
            name, style = match.group(1), match.group(2)
            if _NUMBERED.fullmatch(name):
                index = int(name.split("_")[1]) - 1
                found = subjects[index].to_dict() if index < len(subjects) else None
            elif name in general:
                found = general[name]
            else:
                found = finding.evidence.get(name)
            return _words(found, style, currency)

        return " ".join(_PLACEHOLDER.sub(value, self.action).split())


def recommendations(path: Path | str | None = None) -> Mapping[str, Recommendation]:
    """The recommended action of every finding kind: the toolkit's, overridden by ``path``'s.

    ``path`` is a YAML file of your own, written as ``kg/recommendations.yaml`` is: each of its
    entries replaces the fields it gives of that kind's entry and keeps the others.

    Raises
    ------
    KGError
        A file cannot be read or is not valid: a kind no analysis finds (a typo), an unknown
        field, owner route or money source, or a placeholder that is neither a general one
        (``subject``, ``subjects``, ``subject_2``..., ``others``, ``currency``) nor a key of the
        kind's evidence. The message names the file and the kind.

    Examples
    --------
    >>> recommendations()["channel-without-segment"].action
    'Point {subject} at a customer segment, or close it.'
    """
    found = dict(_load(DEFAULT_RECOMMENDATIONS))
    if path is not None:
        path = Path(path)
        for kind, entry in _read(path).items():
            base = found.get(kind)
            merged = {
                "action": base.action if base else None,
                "owners": list(base.owners) if base else [],
                "look-at": list(base.look_at) if base else [],
                "money": base.money if base else None,
                "measure": base.measure if base else None,
                **entry,
            }
            source = path if "action" in entry or base is None else base.source
            found[kind] = _recommendation(path, kind, merged, source)
    return MappingProxyType(found)


def _toolkit() -> Mapping[str, Recommendation]:
    """The toolkit's recommendations (a name :func:`prioritise`'s parameter does not hide)."""
    return recommendations()


@cache
def _load(path: Path) -> Mapping[str, Recommendation]:
    return {kind: _recommendation(path, kind, entry, path) for kind, entry in _read(path).items()}


def _read(path: Path) -> dict[str, dict[str, Any]]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise KGError(f"{path}: cannot read the recommendations: {error.strerror}") from error
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark else str(path)
        raise KGError(f"{where}: not valid YAML: {getattr(error, 'problem', error)}") from error
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise KGError(f"{path}: the recommendations must be a mapping of finding kinds")
    for kind, entry in data.items():
        if not isinstance(entry, dict):
            raise KGError(f"{path}: {kind}: an entry must be a mapping (action, owners, ...)")
    return data


def _recommendation(
    path: Path, kind: Any, entry: Mapping[str, Any], source: Path | None
) -> Recommendation:
    kinds = _finding_kinds()
    where = f"{path}: {kind}"
    if kind not in kinds:
        close = [k for k in sorted(kinds) if _similar(str(kind), k)]
        hint = f" (did you mean {', '.join(close)}?)" if close else ""
        raise KGError(f"{where}: no analysis finds this kind{hint}")
    unknown = set(entry) - set(_FIELDS)
    if unknown:
        raise KGError(
            f"{where}: unknown field {', '.join(sorted(map(str, unknown)))}; the fields are "
            + ", ".join(_FIELDS)
        )
    action = entry.get("action")
    if not isinstance(action, str) or not action.strip():
        raise KGError(f"{where}: the action is missing or not text")
    owners, look_at = _names(where, entry, "owners"), _names(where, entry, "look-at")
    for route in owners:
        if route not in _ROUTES:
            raise KGError(f"{where}: unknown owner route {route}; the routes are {_and(_ROUTES)}")
    evidence = kinds[kind]
    for key in look_at:
        if evidence is not None and key not in evidence:
            raise KGError(f"{where}: look-at names {key}, which is not a key of its evidence")
    source_of_money = entry.get("money")
    if source_of_money is not None:
        if not isinstance(source_of_money, str) or not (
            source_of_money in _REVENUE or source_of_money.startswith("evidence.")
        ):
            raise KGError(
                f"{where}: unknown money source {source_of_money!r}; write evidence.KEY, "
                + " or ".join(_REVENUE)
            )
        key = source_of_money.removeprefix("evidence.")
        if source_of_money.startswith("evidence.") and evidence is not None and key not in evidence:
            raise KGError(f"{where}: money names {key}, which is not a key of its evidence")
    measure = entry.get("measure")
    if measure is not None and not isinstance(measure, str):
        raise KGError(f"{where}: the measure must be text")
    for match in _PLACEHOLDER.finditer(action):
        name, style = match.groups()
        known = name in _GENERAL or _NUMBERED.fullmatch(name) or evidence is None
        if not known and name not in (evidence or ()):
            raise KGError(
                f"{where}: unknown placeholder {{{name}}}; use subject, subjects, subject_2..., "
                f"others, currency or a key of its evidence ({_and(sorted(evidence or ()))})"
            )
        if style is not None and style not in _FORMATS:
            raise KGError(
                f"{where}: unknown format {style} in {{{name}:{style}}}; the formats are "
                + _and(_FORMATS)
            )
    if "{" in _PLACEHOLDER.sub("", action) or "}" in _PLACEHOLDER.sub("", action):
        raise KGError(f"{where}: a brace in the action does not make a placeholder")
    return Recommendation(
        kind=kind,
        action=" ".join(action.split()),
        owners=owners,
        look_at=look_at,
        money=source_of_money,
        measure=measure,
        source=source,
    )


def _names(where: str, entry: Mapping[str, Any], key: str) -> tuple[str, ...]:
    value = entry.get(key) or []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise KGError(f"{where}: {key} must be a list of names")
    return tuple(value)


@cache
def _finding_kinds() -> Mapping[str, frozenset[str] | None]:
    """Every finding kind the analysis can emit, with the evidence keys its code names.

    Kinds come from the query registry (each query's ``finds:``) and from the code of
    :mod:`kg.questions` and :mod:`kg.silos`; a kind whose evidence the code builds in a way
    this reading cannot follow (``**mapping``) maps to ``None``: any key is accepted.
    """
    from kg import questions, silos

    found: dict[str, set[str] | None] = {
        q.finds: set() for q in queries().values() if not q.finds.startswith("(")
    }
    for module in (questions, silos):
        for call in ast.walk(ast.parse(inspect.getsource(module))):
            if not isinstance(call, ast.Call) or _called(call) not in ("_finding", "Finding"):
                continue
            kind, keys, closed = _evidence_of(call)
            if kind is None:
                continue
            known = found.setdefault(kind, set())
            if known is not None:
                found[kind] = known | keys if closed else None
    return MappingProxyType({k: None if v is None else frozenset(v) for k, v in found.items()})


def _called(call: ast.Call) -> str | None:
    return call.func.id if isinstance(call.func, ast.Name) else None


def _evidence_of(call: ast.Call) -> tuple[str | None, set[str], bool]:
    """The kind a finding's constructor call names, its evidence keys, and whether they are all."""
    kind: str | None = None
    if call.args and isinstance(call.args[0], ast.Constant) and isinstance(call.args[0].value, str):
        kind = call.args[0].value
    keys: set[str] = set()
    closed = True
    for keyword in call.keywords:
        if keyword.arg == "kind" and isinstance(keyword.value, ast.Constant):
            kind = str(keyword.value.value)
        elif keyword.arg == "evidence":
            if isinstance(keyword.value, ast.Dict):
                keys |= {
                    k.value
                    for k in keyword.value.keys
                    if isinstance(k, ast.Constant) and isinstance(k.value, str)
                }
                closed = closed and all(k is not None for k in keyword.value.keys)
            else:
                closed = False
        elif keyword.arg is None:
            closed = False
        elif keyword.arg not in ("severity", "subjects", "message"):
            keys.add(keyword.arg)
    return kind, keys, closed


# --------------------------------------------------------------------------------------------
# Ranking


def prioritise(
    model: KnowledgeGraph,
    answers: Sequence[Answer],
    *,
    top: int | None = None,
    recommendations: Mapping[str, Recommendation] | None = None,
) -> list[Priority]:
    """Rank the findings of ``answers`` as priorities, each with its action, owners and stake.

    Parameters
    ----------
    model
        The model the answers were drawn from (of one enterprise or several).
    answers
        The ten answers and the silo answer (``SiloAnalysis.as_answer()``, number 0), or any of
        them, for one enterprise or several sharing one reporting currency.
    top
        How many priorities to return (all when ``None``).
    recommendations
        The actions by finding kind; the toolkit's (:func:`recommendations`) when ``None``.

    Raises
    ------
    KGError
        A finding's kind has no recommendation, or the answers are of enterprises that report
        in different currencies (their money cannot be ranked together).
    """
    chosen = recommendations if recommendations is not None else _toolkit()
    facts: dict[str | None, _Facts] = {}
    for answer in answers:
        key = answer.enterprise.iri if answer.enterprise else None
        if key not in facts:
            facts[key] = _Facts.of(model, answer.enterprise)
    currencies = {f.currency for f in facts.values() if f.currency}
    if len(currencies) > 1:
        raise KGError(
            "the answers are of enterprises reporting in "
            f"{_and(sorted(currencies))}: prioritise each enterprise on its own"
        )
    unranked = []
    for answer in answers:
        known = facts[answer.enterprise.iri if answer.enterprise else None]
        short_name = answer.short_name if answer.number else "Silos"
        for finding in answer.findings:
            recommendation = chosen.get(finding.kind)
            if recommendation is None:
                raise KGError(
                    f"no recommended action for findings of kind {finding.kind}: add one to "
                    f"{DEFAULT_RECOMMENDATIONS} or to a file of your own"
                )
            named = known.named(finding, recommendation)
            unranked.append(
                Priority(
                    rank=0,
                    finding=finding,
                    question=answer.number,
                    short_name=short_name,
                    action=recommendation.fill(finding, known.currency),
                    owners=known.owners(named, recommendation.owners),
                    stake=known.stake(finding, recommendation, named),
                    enterprise=answer.enterprise,
                )
            )
    unranked.sort(key=_order)
    ranked = [
        Priority(
            rank=rank,
            finding=p.finding,
            question=p.question,
            short_name=p.short_name,
            action=p.action,
            owners=p.owners,
            stake=p.stake,
            enterprise=p.enterprise,
        )
        for rank, p in enumerate(unranked, start=1)
    ]
    return ranked if top is None else ranked[:top]


def _order(priority: Priority) -> tuple[Any, ...]:
    stake = priority.stake
    return (
        _SEVERITY[priority.finding.severity],
        stake.money is None,
        -(stake.money or 0),
        stake.customers is None,
        -(stake.customers or 0),
        priority.question,
        priority.finding.message,
    )


class _Facts:
    """What one enterprise's priorities read from its view of the model."""

    def __init__(self, model: KnowledgeGraph, currency: str | None) -> None:
        self.model = model
        self.currency = currency
        self.units: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
        for row in run(model, "accountable-units"):
            self.units[row["thing"]][_local(row["route"])].append(row["unit"])
        self.customers: dict[str, int | None] = {
            row["segment"]: row.get("customers", row.get("size"))
            for row in run(model, "segment-customers")
        }
        self.streams = run(model, "revenue-streams")
        self._subjects: dict[str, Subject] = {}

    @classmethod
    def of(cls, model: KnowledgeGraph, enterprise: Enterprise | None) -> _Facts:
        scope = portfolio.view(model, enterprise)
        return cls(scope.model, money.plan(scope.model).reporting)

    def named(self, finding: Finding, recommendation: Recommendation) -> list[str]:
        """The IRIs of the things a finding names: its subjects and its looked-at evidence."""
        found = [s.iri for s in finding.subjects]
        for key in recommendation.look_at:
            found += _iris(finding.evidence.get(key))
        return list(dict.fromkeys(found))

    def owners(self, named: Iterable[str], routes: Iterable[str]) -> tuple[Subject, ...]:
        units = {
            unit
            for iri in named
            for route in routes
            for unit in self.units.get(iri, {}).get(route, ())
        }
        subjects = [self.subject(u) for u in units]
        return tuple(sorted(subjects, key=lambda s: ((s.label or s.iri).casefold(), s.iri)))

    def stake(self, finding: Finding, recommendation: Recommendation, named: list[str]) -> Stake:
        segments = [iri for iri in named if iri in self.customers]
        counts = [c for c in (self.customers[s] for s in segments) if c is not None]
        customers = sum(counts) if counts else None
        amount: Decimal | None = None
        source = recommendation.money
        currency = self.currency
        if source is not None and source.startswith("evidence."):
            raw = finding.evidence.get(source.removeprefix("evidence."))
            stated = finding.evidence.get("currency")
            # Amounts of the evidence are read from the model converted to the reporting
            # currency; one that says it is in another could not be converted.
            number = isinstance(raw, int | float | Decimal) and not isinstance(raw, bool)
            if number and (stated is None or stated == currency):
                amount = abs(Decimal(str(raw)))
        elif source in _REVENUE:
            wanted = set(named)
            link = "segment" if source == "revenue.segments" else "proposition"
            streams = {
                row["stream"]: Decimal(row["amount"])
                for row in self.streams
                if row.get(link) in wanted
            }
            amount = sum(streams.values(), Decimal(0)) if streams else None
        if not amount:
            amount = None
        return Stake(
            money=amount,
            currency=currency if amount is not None else None,
            customers=customers,
            measure=recommendation.measure if amount is not None else None,
        )

    def subject(self, iri: str) -> Subject:
        found = self._subjects.get(iri)
        if found is None:
            node = ox.NamedNode(iri)
            label = preferred_label(
                (q.object.value, q.object.language or "")
                for q in self.model.quads(node, _RDFS_LABEL)
                if isinstance(q.object, ox.Literal)
            )
            found = self._subjects[iri] = Subject(iri, label, "OrganisationalUnit")
        return found


# --------------------------------------------------------------------------------------------
# Words


def _words(value: Any, style: str | None, currency: str | None) -> str:
    """A value of a finding as the action says it."""
    from kg.answers import money_words as amount

    if value is None:
        return "(not recorded)"
    if isinstance(value, dict):
        if "iri" in value:
            return str(value.get("label") or _local(value["iri"]))
        # A record of the evidence (an offering with its stores...) is named by the thing it
        # is about: the first subject it holds.
        inner = next((v for v in value.values() if isinstance(v, dict) and "iri" in v), None)
        return _words(inner, None, currency)
    if isinstance(value, list):
        return _listed([_words(v, style, currency) for v in value])
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float | Decimal):
        if style == "percent":
            return percent(float(value))
        if style == "growth":
            return f"{'shrink' if value < 0 else 'grow'} {percent(abs(float(value)))}"
        if style == "money":
            return amount(abs(Decimal(str(value))), currency)
        return f"{value:,}" if style == "number" or isinstance(value, int) else str(value)
    return str(value)


def _listed(names: list[str], limit: int = 4) -> str:
    if len(names) > limit:
        names = [*names[: limit - 1], f"{len(names) - limit + 1} more"]
    return _and(names) if names else "none"


def _and(names: Sequence[str]) -> str:
    names = list(names)
    return names[0] if len(names) <= 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _iris(value: Any) -> list[str]:
    """The things a value of the evidence names: a record names the first thing it holds."""
    if isinstance(value, dict):
        if "iri" in value:
            return [value["iri"]]
        inner = next((v for v in value.values() if isinstance(v, dict) and "iri" in v), None)
        return _iris(inner)
    if isinstance(value, list):
        return [iri for v in value for iri in _iris(v)]
    return []


def _local(iri: str) -> str:
    return iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def _number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def _similar(a: str, b: str) -> bool:
    """Whether two kind names differ by a typo (a few letters)."""
    from difflib import SequenceMatcher

    return SequenceMatcher(None, a, b).ratio() >= 0.8
