"""The ten strategic questions an architect asks of a business model, answered from the graph.

Each question is a plain function from a model and :class:`Parameters` to an
:class:`~kg.answers.Answer`: a verdict, a score where one makes sense, a paragraph in plain words,
the findings (the exact rules of ``data/README.md``) and details (the rankings and tables the
question computes). The graph work is done by the SPARQL queries of the registry
(``kg/queries/q01`` ... ``q10``, one per finding kind plus a few computations); Python adds only
what SPARQL cannot do cleanly (compounding growth, ranking on several criteria) and the words.

Verdicts follow one rule for every question: **yes** when there are no findings, **no** when at
least one finding is of high severity, **partly** otherwise. Severities are chosen per kind (and
sometimes per case) as each function's docstring says: high for what breaks the business model
now (a live promise nothing delivers, a loss-making proposition, a goal out of reach), medium for
gaps an architect should close, low for loose ends in the model.

>>> import kg
>>> from kg.questions import Parameters, ask
>>> model = kg.open_model(kg.example_path("telco"))
>>> answer = ask(model, 3)
>>> answer.short_name, answer.verdict.value, round(answer.score, 2)
('Value Proposition', 'partly', 0.81)
>>> [f.subjects[0].label for f in answer.findings_of("low-value-proposition-fit")]
['Prepaid and budget users']
>>> ask(model, 3, params=Parameters(min_fit=0.2)).findings_of("low-value-proposition-fit")
[]
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextvars import ContextVar, copy_context
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal
from functools import cached_property
from types import MappingProxyType
from typing import Any

import pyoxigraph as ox
from rdflib.namespace import RDFS
from rdflib.term import URIRef

from kg import portfolio
from kg.answers import (
    Answer,
    Finding,
    Level,
    Subject,
    Verdict,
    money_words,
    percent,
    preferred_label,
)
from kg.ontology import ontology_graph
from kg.queries import kind_title, parallel_queries, queries, run
from kg.store import KnowledgeGraph, StoreBackend, hidden, visible

__all__ = [
    "DEFAULT_PARAMETERS",
    "QUESTIONS",
    "Parameters",
    "QuestionSpec",
    "ask",
    "ask_all",
    "channels",
    "cost_and_revenue_models",
    "customer_profile",
    "geographies_and_locales",
    "partner_profiles",
    "products_and_services",
    "required_competencies",
    "resources",
    "value_proposition",
    "voice_of_customer",
]

_BM = "https://w3id.org/bmkg/ontology#"
_BMV = "https://w3id.org/bmkg/vocab#"
_RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
_RDFS_LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
_RDFS_SUBCLASS = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#subClassOf")


# --------------------------------------------------------------------------------------------
# Parameters


@dataclass(frozen=True, kw_only=True)
class Parameters:
    """The thresholds an architect may change; the defaults are those of ``data/README.md``.

    Attributes
    ----------
    growth_target : float or None
        Annual growth (a fraction, 0.04 is 4%) that targeted segments should carry (Q1);
        ``None`` takes the enterprise goal's ``bm:targetGrowthRate``.
    min_attractive_size : int
        Smallest segment size that makes a growing segment attractive (Q1).
    max_evidence_age_months : int
        How many months old the newest evidence for a need may be (Q2).
    as_of : date or None
        The day the analysis is made for (Q1 projection, Q2 evidence age); ``None`` takes the
        enterprise's ``bm:asOfDate``.
    min_fit : float
        Smallest acceptable value proposition fit of a segment, from 0 to 1 (Q3).
    min_gap : int
        Maturity levels below target from which a capability has a gap (Q7).
    max_partner_cost_share : float
        Largest acceptable share of all partner costs for one partner, from 0 to 1 (Q10).

    Examples
    --------
    >>> Parameters(min_fit=0.6).bindings()["minFit"]
    0.6
    """

    growth_target: float | None = None
    min_attractive_size: int = 50_000
    max_evidence_age_months: int = 24
    as_of: date | None = None
    min_fit: float = 0.5
    min_gap: int = 1
    max_partner_cost_share: float = 0.4

    def __post_init__(self) -> None:
        problems = []
        if self.growth_target is not None and not -1 <= self.growth_target <= 100:
            # A fraction a year: -1 is losing everything, 100 is growing a hundredfold.
            problems.append(f"growth_target must be between -1 and 100, not {self.growth_target}")
        if self.min_attractive_size < 0:
            problems.append(
                f"min_attractive_size must be 0 or more, not {self.min_attractive_size}"
            )
        if self.max_evidence_age_months < 0:
            problems.append(
                f"max_evidence_age_months must be 0 or more, not {self.max_evidence_age_months}"
            )
        if not 0 <= self.min_fit <= 1:
            problems.append(f"min_fit must be between 0 and 1, not {self.min_fit}")
        if self.min_gap < 1:
            problems.append(f"min_gap must be 1 or more, not {self.min_gap}")
        if not 0 <= self.max_partner_cost_share <= 1:
            problems.append(
                f"max_partner_cost_share must be between 0 and 1, not {self.max_partner_cost_share}"
            )
        if self.as_of is not None and (
            isinstance(self.as_of, datetime) or not isinstance(self.as_of, date)
        ):
            problems.append(f"as_of must be a date, not {self.as_of!r}")
        if problems:
            raise ValueError("; ".join(problems))

    def bindings(self) -> dict[str, Any]:
        """The values of the queries' parameters, by SPARQL name; unset ones are left out."""
        values: dict[str, Any] = {
            "growthTarget": self.growth_target,
            "minAttractiveSize": self.min_attractive_size,
            "maxEvidenceAgeMonths": self.max_evidence_age_months,
            "asOf": self.as_of,
            "minFit": self.min_fit,
            "minGap": self.min_gap,
            "maxPartnerCostShare": self.max_partner_cost_share,
        }
        return {name: value for name, value in values.items() if value is not None}

    def to_dict(self) -> dict[str, Any]:
        """JSON-able values by field name (dates as ISO strings)."""
        return {
            name: value.isoformat() if isinstance(value, date) else value
            for name, value in dataclasses.asdict(self).items()
        }


DEFAULT_PARAMETERS = Parameters()
"""The parameters of ``data/README.md``: what :func:`ask` and :func:`ask_all` use by default."""


# --------------------------------------------------------------------------------------------
# Shared machinery: running the queries, naming things, words


class _Names:
    """The subjects of one model by IRI, described once however many questions name them."""

    def __init__(self, store: StoreBackend) -> None:
        self.store = store
        self.subjects: dict[str, Subject] = {}
        self.narrower: dict[tuple[str, str], bool] = {}

    @cached_property
    def versions(self) -> bool:
        """Whether the store holds saved versions (hidden graphs) to leave out."""
        return any(hidden(graph) for graph in self.store.named_graphs())


# Set by ask_all for the ten questions it answers, so that they describe each subject once.
_SHARED_NAMES: ContextVar[_Names | None] = ContextVar("_SHARED_NAMES", default=None)


class _Context:
    """One question's run: the model, the parameters, and the labels of the things it names."""

    def __init__(self, model: KnowledgeGraph, params: Parameters) -> None:
        self.model = model
        self.params = params
        shared = _SHARED_NAMES.get()
        self._names = (
            shared if shared is not None and shared.store is model.store else _Names(model.store)
        )

    def rows(self, name: str) -> list[dict[str, Any]]:
        """Run a registered query with those of the parameters it declares."""
        declared = queries()[name].parameters
        values = {k: v for k, v in self.params.bindings().items() if k in declared}
        return run(self.model, name, **values)

    def subject(self, iri: str) -> Subject:
        """The thing an IRI names, with its label (English preferred) and class."""
        found = self._names.subjects.get(iri)
        if found is None:
            found = self._names.subjects[iri] = _describe(self._names, iri)
        return found

    def subjects(self, iris: str | Iterable[str] | None) -> list[Subject]:
        """Subjects for IRIs given as a list or as a space-separated ``GROUP_CONCAT``, by IRI."""
        if iris is None:
            return []
        items = iris.split() if isinstance(iris, str) else iris
        return [self.subject(iri) for iri in sorted(set(items))]


def _describe(names: _Names, iri: str) -> Subject:
    if iri.startswith("_:"):
        return Subject(iri)
    store = names.store
    node = ox.NamedNode(iri)
    # Read straight off the store's index (no SPARQL): this runs for every subject named.
    versions = names.versions
    labels = [
        (quad.object.value, quad.object.language or "")
        for quad in store.quads_for_pattern(node, _RDFS_LABEL, None)
        if type(quad.object) is ox.Literal and not (versions and hidden(quad.graph_name))
    ]
    label = labels[0][0] if len(labels) == 1 else preferred_label(labels)
    types = sorted(
        {
            quad.object.value
            for quad in store.quads_for_pattern(node, _RDF_TYPE, None)
            if type(quad.object) is ox.NamedNode and not (versions and hidden(quad.graph_name))
        }
    )
    if len(types) == 1:
        return Subject(iri, label, _local(types[0]))
    ours = [t for t in types if t.startswith(_BM)] or types

    def narrower(cls: str, than: str) -> bool:
        known = names.narrower.get((cls, than))
        if known is None:
            known = names.narrower[cls, than] = any(
                visible(
                    store.quads_for_pattern(ox.NamedNode(cls), _RDFS_SUBCLASS, ox.NamedNode(than))
                )
            )
        return known

    # A thing typed both bm:BusinessProcess and bm:KeyActivity is named a BusinessProcess.
    specific = [t for t in ours if not any(narrower(other, t) for other in ours if other != t)]
    candidates = specific or ours
    return Subject(iri, label, _local(candidates[0]) if candidates else None)


def _local(iri: str) -> str:
    return iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def _name(subject: Subject) -> str:
    """How a message names a thing: its label, or the end of its IRI."""
    return f'"{subject.label}"' if subject.label else _local(subject.iri)


def _names(subjects: Sequence[Subject], *, limit: int = 6) -> str:
    """'"A"', '"A" and "B"', '"A", "B" and "C"'; long lists end in 'and N more'."""
    names = [_name(s) for s in subjects]
    if len(names) > limit:
        names = [*names[: limit - 1], f"{len(subjects) - limit + 1} more"]
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def _by_fit(row: Mapping[str, Any]) -> tuple[bool, Any, str]:
    """The order of SPARQL's ``ORDER BY ?fit ?segment``: no fit first, then by fit, then IRI."""
    fit = row.get("fit")
    return (fit is not None, fit if fit is not None else 0, row["segment"])


def _plain(value: Any) -> Any:
    """A query value as JSON-able data: decimals as int or float, dates as ISO strings."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def _float(value: Any, default: float = 0.0) -> float:
    return default if value is None else float(value)


def _growth(rate: Any) -> str:
    """'grows 5% a year' or 'shrinks 2% a year'."""
    return f"{'shrinks' if rate < 0 else 'grows'} {_percent(abs(rate))} a year"


def _money(amount: Any, currency: str | None) -> str:
    """An amount as people say it: ``CHF 2,412 million``, ``CHF 3.2 billion``, ``EUR 45,500``."""
    return money_words(amount, currency)


def _percent(fraction: Any) -> str:
    return percent(float(fraction))


def _plural(count: int, word: str, plural: str | None = None) -> str:
    return f"{count} {word if count == 1 else plural or word + 's'}"


def _verb(count: int, singular: str, plural: str) -> str:
    """The verb that agrees with a count: ``_verb(1, "is", "are")`` is ``"is"``."""
    return singular if count == 1 else plural


def _ratio(part: float, whole: float) -> float | None:
    return None if whole == 0 else round(part / whole, 4)


def _verdict(findings: Sequence[Finding]) -> Verdict:
    if not findings:
        return Verdict.YES
    if any(f.severity is Level.HIGH for f in findings):
        return Verdict.NO
    return Verdict.PARTLY


def _finding(
    kind: str,
    severity: Level,
    subjects: Sequence[Subject],
    message: str,
    **evidence: Any,
) -> Finding:
    return Finding(kind, severity, tuple(subjects), message, evidence)


def _cases(findings: Sequence[Finding]) -> str:
    """'No findings.' or '3 findings: targeted segments below the growth goal (2), ...' for a
    summary, each kind by its query's title."""
    if not findings:
        return "No findings."
    counts: dict[str, int] = {}
    for finding in findings:
        counts[finding.kind] = counts.get(finding.kind, 0) + 1
    parts = "; ".join(f"{kind_title(kind).lower()} ({n})" for kind, n in counts.items())
    return f"{_plural(len(findings), 'finding')}: {parts}."


def _answer(
    number: int,
    findings: list[Finding],
    summary: str,
    *,
    score: float | None,
    score_label: str,
    details: Mapping[str, Any],
    parameters: Mapping[str, Any] | None = None,
) -> Answer:
    spec = QUESTIONS[number]
    return Answer(
        number=number,
        title=spec.title,
        short_name=spec.short_name,
        verdict=_verdict(findings),
        summary=summary,
        findings=tuple(findings),
        score=score,
        score_label=score_label,
        details=details,
        parameters=parameters or {},
    )


# --------------------------------------------------------------------------------------------
# Q1 Customer profile


def customer_profile(model: KnowledgeGraph, params: Parameters = DEFAULT_PARAMETERS) -> Answer:
    """Q1: are we targeting the right customers for the growth that we need?

    Ranks the segments by attractiveness and finds targeted segments below the growth goal
    (medium), attractive segments no live value proposition targets (medium), and an enterprise
    revenue goal that this year's revenue of the targeted segments, compounded at each segment's
    own growth rate over the whole years to the goal's date, does not reach (high).

    Attractiveness, done here in Python: each of size, growth, revenue and margin is scaled to
    0..1 across the segments (lowest 0, highest 1; a missing figure counts as the lowest), and a
    segment's attractiveness is the mean of the four. The score is the projected revenue over the
    enterprise goal's target revenue (at most 1); ``None`` when no goal names a target revenue.

    Examples
    --------
    >>> from kg.model import open_model
    >>> answer = customer_profile(open_model())  # the ontology alone: no goal, no segment
    >>> answer.verdict.value, answer.score, answer.details["segments"]
    ('yes', None, [])
    """
    ctx = _Context(model, params)
    ranking = _attractiveness(ctx, ctx.rows("segment-attractiveness"))
    findings: list[Finding] = []
    # The Q1 finding queries come in no order (Virtuoso cannot sort them): by segment.
    for row in sorted(ctx.rows("segment-below-growth-goal"), key=lambda r: r["segment"]):
        segment = ctx.subject(row["segment"])
        propositions = ctx.subjects(row.get("propositions"))
        findings.append(
            _finding(
                "segment-below-growth-goal",
                Level.MEDIUM,
                [segment],
                f"{_name(segment)} {_growth(row['growth'])}, below the "
                f"{_percent(row['target'])} the growth goal asks for, yet "
                f"{_names(propositions)} {_verb(len(propositions), 'targets', 'target')} it.",
                growth_rate=_plain(row["growth"]),
                growth_target=_plain(row["target"]),
                goal=ctx.subject(row["goal"]).to_dict() if "goal" in row else None,
                live_value_propositions=[p.to_dict() for p in propositions],
            )
        )
    for row in sorted(ctx.rows("untargeted-attractive-segment"), key=lambda r: r["segment"]):
        segment = ctx.subject(row["segment"])
        others = ctx.subjects(row.get("otherPropositions"))
        only = f"; only {_names(others)} (not live) {_verb(len(others), 'does', 'do')}"
        findings.append(
            _finding(
                "untargeted-attractive-segment",
                Level.MEDIUM,
                [segment],
                f"{_name(segment)} ({row['size']:,} strong, growing {_percent(row['growth'])} a "
                f"year) would carry the {_percent(row['target'])} growth goal, but no live value "
                f"proposition targets it{only if others else ''}.",
                segment_size=_plain(row["size"]),
                growth_rate=_plain(row["growth"]),
                growth_target=_plain(row["target"]),
                min_attractive_size=params.min_attractive_size,
                other_value_propositions=[p.to_dict() for p in others],
            )
        )
    goals = _revenue_projections(ctx)
    for goal in goals:
        if goal["target_revenue"] > goal["projected_revenue"]:
            subject = ctx.subject(goal["goal"]["iri"])
            currency = goal["currency"]
            findings.append(
                _finding(
                    "revenue-short-of-goal",
                    Level.HIGH,
                    [subject],
                    f"{_name(subject)} asks for {_money(goal['target_revenue'], currency)} of "
                    f"revenue by {goal['target_date']}, but this year's "
                    f"{_money(goal['current_revenue'], currency)} from targeted segments, grown "
                    f"at each segment's own rate for {_plural(goal['years'], 'year')}, reaches "
                    f"only {_money(goal['projected_revenue'], currency)}.",
                    **{k: v for k, v in goal.items() if k not in ("goal", "segments")},
                    shortfall=round(goal["target_revenue"] - goal["projected_revenue"], 2),
                )
            )

    targeted = [s for s in ranking if s["targeted_by_live"]]
    carrying = [s for s in targeted if s["carries_goal"]]
    target = next((s["growth_target"] for s in ranking if s["growth_target"] is not None), None)
    main_goal = goals[0] if goals else None
    score = None
    if main_goal and main_goal["target_revenue"] > 0:
        score = round(min(1.0, main_goal["projected_revenue"] / main_goal["target_revenue"]), 4)
    summary = (
        f"{_plural(len(targeted), 'segment')} {_verb(len(targeted), 'is', 'are')} targeted by "
        "live value propositions"
    )
    if target is not None:
        summary += (
            f"; {len(carrying)} of them {_verb(len(carrying), 'grows', 'grow')} at least the "
            f"{_percent(target)} a year the growth goal asks for"
        )
    summary += "."
    if main_goal:
        currency = main_goal["currency"]
        summary += (
            f" This year's revenue from them, {_money(main_goal['current_revenue'], currency)}, "
            "grown at each segment's own rate reaches "
            f"{_money(main_goal['projected_revenue'], currency)} by {main_goal['target_date']}, "
            f"against a goal of {_money(main_goal['target_revenue'], currency)}."
        )
    untargeted = [f.subjects[0] for f in findings if f.kind == "untargeted-attractive-segment"]
    if untargeted:
        summary += f" Attractive segments left untargeted: {_names(untargeted)}."
    if ranking:
        best = ctx.subject(ranking[0]["segment"]["iri"])
        summary += f" The most attractive segment is {_name(best)}."
    summary += " " + _cases(findings)
    return _answer(
        1,
        findings,
        summary,
        score=score,
        score_label="projected revenue / revenue goal",
        details={"growth_target": target, "segments": ranking, "revenue_goals": goals},
        parameters={
            "growth_target": target if params.growth_target is None else params.growth_target,
            "min_attractive_size": params.min_attractive_size,
            "as_of": goals[0]["as_of"] if goals else _plain(params.as_of),
        },
    )


def _attractiveness(ctx: _Context, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    criteria = ("size", "growth", "revenue", "margin")
    bounds = {}
    for key in criteria:
        values = [float(r[key]) for r in rows if key in r]
        bounds[key] = (min(values), max(values)) if values else (0.0, 0.0)

    def scaled(row: dict[str, Any], key: str) -> float:
        low, high = bounds[key]
        if key not in row:
            return 0.0
        return 1.0 if high == low else (float(row[key]) - low) / (high - low)

    ranked = []
    for row in rows:
        ranked.append(
            {
                "segment": ctx.subject(row["segment"]).to_dict(),
                "attractiveness": round(sum(scaled(row, k) for k in criteria) / len(criteria), 4),
                "size": _plain(row.get("size")),
                "customers": _plain(row.get("customers")),
                "growth_rate": _plain(row.get("growth")),
                "revenue": _plain(row["revenue"]),
                "allocated_cost": _plain(row["cost"]),
                "margin": _plain(row["margin"]),
                "growth_target": _plain(row.get("target")),
                "carries_goal": row.get("carriesGoal"),
                "targeted_by_live": row["liveTargeting"],
                "targeted": row["targeting"],
            }
        )
    ranked.sort(key=lambda r: (-r["attractiveness"], r["segment"]["iri"]))
    for rank, row in enumerate(ranked, start=1):
        row["rank"] = rank
    return ranked


def _revenue_projections(ctx: _Context) -> list[dict[str, Any]]:
    """Per enterprise goal: this year's revenue of targeted segments, compounded to its date."""
    by_goal: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in ctx.rows("revenue-short-of-goal"):
        by_goal[row["goal"]].append(row)
    goals = []
    for iri, rows in by_goal.items():
        first = rows[0]
        years = max(0, int(first["years"]))
        segments = [
            {
                "segment": ctx.subject(r["segment"]).to_dict(),
                "revenue": _plain(r["revenue"]),
                "growth_rate": _plain(r["growth"]),
                "projected_revenue": round(
                    float(r["revenue"]) * (1 + float(r["growth"])) ** years, 2
                ),
            }
            for r in rows
            if "segment" in r
        ]
        goals.append(
            {
                "goal": ctx.subject(iri).to_dict(),
                "target_revenue": _float(first["targetRevenue"]),
                "target_date": _plain(first["targetDate"]),
                "as_of": _plain(first["date"]),
                "years": years,
                "currency": first.get("currency"),
                "current_revenue": round(sum(_float(s["revenue"]) for s in segments), 2),
                "projected_revenue": round(sum(s["projected_revenue"] for s in segments), 2),
                "segments": segments,
            }
        )
    return goals


# --------------------------------------------------------------------------------------------
# Q2 Voice of customer


def voice_of_customer(model: KnowledgeGraph, params: Parameters = DEFAULT_PARAMETERS) -> Answer:
    """Q2: do we understand what our customers want and need?

    Finds segments with no recorded needs (high when a live value proposition targets the segment
    all the same, else medium), personas with no needs (low), needs resting on no evidence
    (medium when a value proposition is built on the need, else low) and needs whose newest
    evidence is older than ``max_evidence_age_months`` (low).

    The score is the evidence coverage: of the needs of all segments and personas (a need shared
    by two of them counts twice), the share that rests on fresh evidence.

    Examples
    --------
    >>> from kg.model import open_model
    >>> voice_of_customer(open_model()).score is None  # no needs recorded, nothing to cover
    True
    """
    ctx = _Context(model, params)
    coverage = ctx.rows("evidence-coverage")
    findings: list[Finding] = []
    for row in ctx.rows("segment-without-needs"):
        segment = ctx.subject(row["segment"])
        targeted = bool(row["targetedByLive"])
        findings.append(
            _finding(
                "segment-without-needs",
                Level.HIGH if targeted else Level.MEDIUM,
                [segment],
                f"Nobody has recorded what {_name(segment)} need"
                + (", yet live value propositions target them." if targeted else "."),
                targeted_by_live_value_proposition=targeted,
            )
        )
    for row in ctx.rows("persona-without-needs"):
        persona = ctx.subject(row["persona"])
        represented = ctx.subject(row["segment"]) if "segment" in row else None
        of = f", a persona of {_name(represented)}," if represented else ""
        findings.append(
            _finding(
                "persona-without-needs",
                Level.LOW,
                [persona],
                f"{_name(persona)}{of} has no recorded needs.",
                segment=represented.to_dict() if represented else None,
            )
        )
    for row in ctx.rows("need-without-evidence"):
        need = ctx.subject(row["need"])
        holders = ctx.subjects(row.get("holders"))
        propositions = ctx.subjects(row.get("propositions"))
        built = f"; {_names(propositions)} {'is' if len(propositions) == 1 else 'are'} built on it"
        findings.append(
            _finding(
                "need-without-evidence",
                Level.MEDIUM if propositions else Level.LOW,
                [need],
                f"The need {_name(need)} of {_names(holders)} rests on no evidence: it is an "
                f"assumption{built if propositions else ''}.",
                need_of=[h.to_dict() for h in holders],
                addressed_by=[p.to_dict() for p in propositions],
            )
        )
    stale: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in ctx.rows("stale-need-evidence"):
        stale[row["need"]].append(row)
    for iri, rows in stale.items():
        need = ctx.subject(iri)
        evidence = ctx.subjects(r["evidence"] for r in rows)
        row = rows[0]
        findings.append(
            _finding(
                "stale-need-evidence",
                Level.LOW,
                [need],
                f"The newest evidence for {_name(need)}, {_names(evidence)}, is dated "
                f"{row['newest'].isoformat()}: {row['ageMonths']} months before "
                f"{row['date'].isoformat()}, more than the {params.max_evidence_age_months} "
                "allowed.",
                newest_evidence=[e.to_dict() for e in evidence],
                newest_date=_plain(row["newest"]),
                age_months=row["ageMonths"],
                max_evidence_age_months=params.max_evidence_age_months,
                as_of=_plain(row["date"]),
            )
        )

    # Each need once, however many segments and personas hold it.
    totals = next(iter(ctx.rows("evidence-totals")), {})
    needs, fresh, evidenced = (totals.get(k, 0) for k in ("needs", "fresh", "evidenced"))
    as_of = next((_plain(r["date"]) for r in coverage if "date" in r), _plain(params.as_of))
    table = [
        {
            "holder": ctx.subject(r["holder"]).to_dict(),
            "needs": r["needs"],
            "with_evidence": r["evidenced"],
            "with_fresh_evidence": r["fresh"],
            "coverage": None if "coverage" not in r else round(float(r["coverage"]), 4),
        }
        for r in coverage
    ]
    segments = sum(1 for r in coverage if _local(r["holderType"]) == "CustomerSegment")
    summary = (
        f"Across {_plural(segments, 'segment')} and {_plural(len(coverage) - segments, 'persona')}"
        f", {evidenced} of the {needs} distinct needs they hold rest on evidence and {fresh} on "
        f"evidence no older than {params.max_evidence_age_months} months (as of {as_of})."
    )
    summary += " " + _cases(findings)
    return _answer(
        2,
        findings,
        summary,
        score=_ratio(fresh, needs),
        score_label="evidence coverage",
        details={"as_of": as_of, "coverage": table},
        parameters={"max_evidence_age_months": params.max_evidence_age_months, "as_of": as_of},
    )


# --------------------------------------------------------------------------------------------
# Q3 Value proposition


def value_proposition(model: KnowledgeGraph, params: Parameters = DEFAULT_PARAMETERS) -> Answer:
    """Q3: do we have a compelling value proposition for those customers?

    Computes the fit of every segment with needs: the importance-weighted share of its needs that
    value propositions targeting it address. Finds segments no value proposition targets
    (medium), value propositions that address none of a targeted segment's needs (medium when
    live, low otherwise) and targeted segments whose fit is below ``min_fit`` (high when below
    half of it, medium otherwise).

    The score is the weighted fit over all targeted segments with needs: the importance of the
    needs addressed over the importance of all their needs.

    Examples
    --------
    >>> from kg.model import open_model
    >>> value_proposition(open_model(), Parameters(min_fit=0.8)).parameters
    {'min_fit': 0.8}
    """
    ctx = _Context(model, params)
    # The fit queries come in no order (Virtuoso cannot sort them): by fit, then segment.
    fits = sorted(ctx.rows("value-proposition-fit"), key=_by_fit)
    findings: list[Finding] = []
    for row in ctx.rows("segment-without-value-proposition"):
        segment = ctx.subject(row["segment"])
        findings.append(
            _finding(
                "segment-without-value-proposition",
                Level.MEDIUM,
                [segment],
                f"No value proposition targets {_name(segment)}.",
                revenue=_plain(row["revenue"]),
            )
        )
    for row in ctx.rows("proposition-misses-segment-needs"):
        proposition, segment = ctx.subject(row["proposition"]), ctx.subject(row["segment"])
        segment_needs = ctx.subjects(row.get("segmentNeeds"))
        addressed_needs = ctx.subjects(row.get("addressedNeeds"))
        live = row.get("status") == _BMV + "Live"
        findings.append(
            _finding(
                "proposition-misses-segment-needs",
                Level.MEDIUM if live else Level.LOW,
                [proposition, segment],
                f"{_name(proposition)} targets {_name(segment)} but addresses none of their "
                f"{_plural(len(segment_needs), 'need')}.",
                status=_local(row["status"]) if "status" in row else None,
                segment_needs=[n.to_dict() for n in segment_needs],
                addressed_needs=[n.to_dict() for n in addressed_needs],
            )
        )
    for row in sorted(ctx.rows("low-value-proposition-fit"), key=lambda r: r["segment"]):
        segment = ctx.subject(row["segment"])
        unaddressed = ctx.subjects(row.get("unaddressedNeeds"))
        fit = float(row["fit"])
        findings.append(
            _finding(
                "low-value-proposition-fit",
                Level.HIGH if fit < params.min_fit / 2 else Level.MEDIUM,
                [segment],
                f"The value propositions that target {_name(segment)} address needs worth "
                f"{row['addressed']} of {row['importance']} in importance: a fit of "
                f"{_percent(fit)}, below {_percent(params.min_fit)}.",
                fit=round(fit, 4),
                addressed_importance=_plain(row["addressed"]),
                total_importance=_plain(row["importance"]),
                min_fit=params.min_fit,
                unaddressed_needs=[n.to_dict() for n in unaddressed],
            )
        )

    table = [
        {
            "segment": ctx.subject(r["segment"]).to_dict(),
            "fit": round(float(r["fit"]), 4),
            "addressed_importance": _plain(r["addressed"]),
            "total_importance": _plain(r["importance"]),
            "value_propositions": r["propositions"],
            "below_min_fit": r["belowMinFit"],
        }
        for r in fits
    ]
    targeted = [r for r in fits if r["propositions"] > 0]
    addressed = sum(_float(r["addressed"]) for r in targeted)
    total = sum(_float(r["importance"]) for r in targeted)
    score = _ratio(addressed, total)
    below = sum(1 for r in targeted if r["belowMinFit"])
    summary = (
        f"{_plural(len(targeted), 'targeted segment')} with recorded needs"
        + (
            f" {_verb(len(targeted), 'has', 'have')} a weighted fit of {_percent(score)}"
            if score
            else ""
        )
        + f"; {below} {_verb(below, 'falls', 'fall')} below {_percent(params.min_fit)}."
    )
    untargeted = [f.subjects[0] for f in findings if f.kind == "segment-without-value-proposition"]
    if untargeted:
        summary += f" No value proposition targets {_names(untargeted)}."
    summary += " " + _cases(findings)
    return _answer(
        3,
        findings,
        summary,
        score=score,
        score_label="weighted fit",
        details={"fit": table},
        parameters={"min_fit": params.min_fit},
    )


# --------------------------------------------------------------------------------------------
# Q4 Products and services


def products_and_services(model: KnowledgeGraph, params: Parameters = DEFAULT_PARAMETERS) -> Answer:
    """Q4: do our products and services deliver on the value proposition, or is there a gap?

    Finds live value propositions nothing delivers (high), products and services that deliver no
    value proposition (medium when live, low otherwise), and live value propositions delivered
    only by planned or retired offerings (high).

    The score is the share of live value propositions with at least one live offering.

    Examples
    --------
    >>> from kg.model import open_model
    >>> products_and_services(open_model()).verdict.value
    'yes'
    """
    ctx = _Context(model, params)
    delivery = ctx.rows("proposition-delivery")
    findings: list[Finding] = []
    for row in ctx.rows("proposition-without-offering"):
        proposition = ctx.subject(row["proposition"])
        segments = ctx.subjects(row.get("segments"))
        findings.append(
            _finding(
                "proposition-without-offering",
                Level.HIGH,
                [proposition],
                f"{_name(proposition)} is live, but no product or service delivers it"
                + (f" to {_names(segments)}." if segments else "."),
                segments=[s.to_dict() for s in segments],
            )
        )
    for row in ctx.rows("offering-without-proposition"):
        offering = ctx.subject(row["offering"])
        status = _local(row["status"]) if "status" in row else None
        findings.append(
            _finding(
                "offering-without-proposition",
                Level.MEDIUM if status == "Live" else Level.LOW,
                [offering],
                f"{_name(offering)}"
                + (f" ({status.lower()})" if status else "")
                + " delivers no value proposition.",
                status=status,
            )
        )
    stranded: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in ctx.rows("offering-not-live-under-live-proposition"):
        stranded[row["proposition"]].append(row)
    for iri, rows in stranded.items():
        proposition = ctx.subject(iri)
        offerings = ctx.subjects(r["offering"] for r in rows)
        statuses = {r["offering"]: _local(r["status"]) for r in rows if "status" in r}
        described = [f"{_name(o)} ({statuses.get(o.iri, 'no status').lower()})" for o in offerings]
        findings.append(
            _finding(
                "offering-not-live-under-live-proposition",
                Level.HIGH,
                [proposition, *offerings],
                f"{_name(proposition)} is live, but only "
                + (", ".join(described[:-1]) + " and " if len(described) > 1 else "")
                + f"{described[-1]} deliver{'s' if len(described) == 1 else ''} it.",
                offerings=[{**o.to_dict(), "status": statuses.get(o.iri)} for o in offerings],
            )
        )

    table = [
        {
            "value_proposition": ctx.subject(r["proposition"]).to_dict(),
            "status": _local(r["status"]) if "status" in r else None,
            "offerings": r["offerings"],
            "live": r["live"],
            "planned": r["planned"],
            "retired": r["retired"],
        }
        for r in delivery
    ]
    live = [r for r in table if r["status"] == "Live"]
    delivered = sum(1 for r in live if r["live"] > 0)
    summary = (
        f"{delivered} of {_plural(len(live), 'live value proposition')} "
        f"{'is' if delivered == 1 else 'are'} delivered by a live product or service. "
        + _cases(findings)
    )
    return _answer(
        4,
        findings,
        summary,
        score=_ratio(delivered, len(live)),
        score_label="live value propositions with a live offering",
        details={"value_propositions": table},
    )


# --------------------------------------------------------------------------------------------
# Q5 Channels


def channels(model: KnowledgeGraph, params: Parameters = DEFAULT_PARAMETERS) -> Answer:
    """Q5: have we all the channels we should use, or too many?

    Finds channel phases no channel covers for a targeted segment (high for purchase and
    delivery, where customers cannot buy or receive, medium otherwise), personas whose preferred
    channel does not reach their segment (low), redundant channels (low) and channels that reach
    no segment (low).

    The score is the phase coverage: of the pairs of segment targeted by a live value proposition
    and channel phase, the share some channel reaching the segment covers.

    Examples
    --------
    >>> from kg.model import open_model
    >>> channels(open_model()).score_label
    'phase coverage'
    """
    ctx = _Context(model, params)
    coverage = ctx.rows("phase-coverage")
    findings: list[Finding] = []
    for row in ctx.rows("uncovered-channel-phase"):
        segment, phase = ctx.subject(row["segment"]), ctx.subject(row["phase"])
        reaching = ctx.subjects(row.get("channels"))
        severe = _local(phase.iri) in ("Purchase", "Delivery")
        findings.append(
            _finding(
                "uncovered-channel-phase",
                Level.HIGH if severe else Level.MEDIUM,
                [segment, phase],
                f"No channel covers {_name(phase)} for {_name(segment)}"
                + (
                    f"; {_names(reaching)} reach{'es' if len(reaching) == 1 else ''} them."
                    if reaching
                    else "; no channel reaches them at all."
                ),
                channels_reaching_segment=[c.to_dict() for c in reaching],
            )
        )
    for row in ctx.rows("preferred-channel-not-reaching"):
        persona, channel = ctx.subject(row["persona"]), ctx.subject(row["channel"])
        segment = ctx.subject(row["segment"])
        reached = ctx.subjects(row.get("reachedSegments"))
        findings.append(
            _finding(
                "preferred-channel-not-reaching",
                Level.LOW,
                [persona, channel],
                f"{_name(persona)} prefers {_name(channel)}, which does not reach "
                f"{_name(segment)}.",
                segment=segment.to_dict(),
                channel_reaches=[s.to_dict() for s in reached],
            )
        )
    for row in ctx.rows("redundant-channels"):
        pair = ctx.subjects([row["channel"], row["otherChannel"]])
        segment, kind = ctx.subject(row["segment"]), ctx.subject(row["kind"])
        phases = ctx.subjects(row.get("phases"))
        findings.append(
            _finding(
                "redundant-channels",
                Level.LOW,
                [*pair, segment],
                f"{_names(pair)} are both {_name(kind)} channels reaching {_name(segment)} for "
                f"{_names(phases)}.",
                channel_kind=kind.to_dict(),
                shared_phases=[p.to_dict() for p in phases],
            )
        )
    for row in ctx.rows("channel-without-segment"):
        channel = ctx.subject(row["channel"])
        findings.append(
            _finding(
                "channel-without-segment",
                Level.LOW,
                [channel],
                f"{_name(channel)} reaches no customer segment.",
                channel_kind=ctx.subject(row["kind"]).to_dict() if "kind" in row else None,
            )
        )

    by_segment: dict[str, dict[str, Any]] = {}
    for row in coverage:
        entry = by_segment.setdefault(
            row["segment"], {"segment": ctx.subject(row["segment"]).to_dict(), "phases": []}
        )
        entry["phases"].append(
            {
                "phase": ctx.subject(row["phase"]).to_dict(),
                "channels": row["channels"],
                "channel_kinds": row["kinds"],
            }
        )
    covered = sum(1 for r in coverage if r["channels"] > 0)
    summary = (
        f"For {_plural(len(by_segment), 'targeted segment')}, channels cover {covered} of "
        f"{len(coverage)} segment and phase pairs. " + _cases(findings)
    )
    return _answer(
        5,
        findings,
        summary,
        score=_ratio(covered, len(coverage)),
        score_label="phase coverage",
        details={"coverage": list(by_segment.values())},
    )


# --------------------------------------------------------------------------------------------
# Q6 Resources


def resources(model: KnowledgeGraph, params: Parameters = DEFAULT_PARAMETERS) -> Answer:
    """Q6: do we know the resources we need to deliver on the value proposition?

    Finds unavailable (high) or constrained (medium) resources that live offerings delivering live
    value propositions require, and resources nothing requires (medium when they still cost
    money, low otherwise).

    The score is the share of the resources live offerings of live value propositions require
    that are available.

    Examples
    --------
    >>> from kg.model import open_model
    >>> resources(open_model()).findings
    ()
    """
    ctx = _Context(model, params)
    required = ctx.rows("resource-availability")
    findings: list[Finding] = []
    for row in ctx.rows("unavailable-resource"):
        proposition, offering = ctx.subject(row["proposition"]), ctx.subject(row["offering"])
        resource, availability = ctx.subject(row["resource"]), _local(row["availability"])
        findings.append(
            _finding(
                "unavailable-resource",
                Level.HIGH if availability == "Unavailable" else Level.MEDIUM,
                [proposition, offering, resource],
                f"{_name(offering)} needs {_name(resource)}, which is {availability.lower()}, "
                f"to deliver {_name(proposition)}.",
                availability=availability,
            )
        )
    for row in ctx.rows("unused-resource"):
        resource, cost = ctx.subject(row["resource"]), _float(row["cost"])
        findings.append(
            _finding(
                "unused-resource",
                Level.MEDIUM if cost > 0 else Level.LOW,
                [resource],
                f"No offering, activity or capability requires {_name(resource)}"
                + (f", though it costs {_money(cost, None)} a year." if cost > 0 else "."),
                yearly_cost=_plain(row["cost"]),
            )
        )

    table = [
        {
            "resource": ctx.subject(r["resource"]).to_dict(),
            "kind": _local(r["kind"]) if "kind" in r else None,
            "availability": _local(r["availability"]) if "availability" in r else None,
            "offerings": r["offerings"],
            "value_propositions": r["propositions"],
        }
        for r in required
    ]
    available = sum(1 for r in table if r["availability"] == "Available")
    summary = (
        f"Live offerings of live value propositions require {_plural(len(table), 'resource')}; "
        f"{available} {'is' if available == 1 else 'are'} available. " + _cases(findings)
    )
    return _answer(
        6,
        findings,
        summary,
        score=_ratio(available, len(table)),
        score_label="required resources available",
        details={"required_resources": table},
    )


# --------------------------------------------------------------------------------------------
# Q7 Required competencies


def required_competencies(model: KnowledgeGraph, params: Parameters = DEFAULT_PARAMETERS) -> Answer:
    """Q7: do we know how to use our resources well enough?

    Finds capabilities behind live value propositions, their offerings and journey touchpoints
    whose maturity is ``min_gap`` or more below target (high for a gap of two levels or more,
    medium otherwise), and capabilities nobody and nothing realises (medium).

    The score is the share of those capabilities without such a gap.

    Examples
    --------
    >>> from kg.model import open_model
    >>> required_competencies(open_model(), Parameters(min_gap=2)).parameters
    {'min_gap': 2}
    """
    ctx = _Context(model, params)
    maturity = ctx.rows("capability-maturity")
    findings: list[Finding] = []
    for row in ctx.rows("capability-maturity-gap"):
        capability = ctx.subject(row["capability"])
        propositions = ctx.subjects(row.get("propositions"))
        offerings = ctx.subjects(row.get("offerings"))
        touchpoints = ctx.subjects(row.get("touchpoints"))
        behind = propositions + offerings
        findings.append(
            _finding(
                "capability-maturity-gap",
                Level.HIGH if row["gap"] >= 2 else Level.MEDIUM,
                [capability],
                f"{_name(capability)} is at maturity {row['current']} against a target of "
                f"{row['target']}"
                + (
                    f"; {_names(behind)} {_verb(len(behind), 'depends', 'depend')} on it"
                    if behind
                    else ""
                )
                + (
                    f"; it supports {_plural(len(touchpoints), 'touchpoint')}"
                    if touchpoints
                    else ""
                )
                + ".",
                current_maturity=row["current"],
                target_maturity=row["target"],
                gap=row["gap"],
                min_gap=params.min_gap,
                required_by_value_propositions=[p.to_dict() for p in propositions],
                required_by_offerings=[o.to_dict() for o in offerings],
                supports_touchpoints=[t.to_dict() for t in touchpoints],
            )
        )
    for row in ctx.rows("unrealised-capability"):
        capability = ctx.subject(row["capability"])
        requirers = ctx.subjects(row.get("requiredBy"))
        findings.append(
            _finding(
                "unrealised-capability",
                Level.MEDIUM,
                [capability],
                f"No unit, process or application realises {_name(capability)}"
                + (f", which {_names(requirers)} need." if requirers else "."),
                required_by=[r.to_dict() for r in requirers],
                yearly_cost=_plain(row["cost"]),
            )
        )

    table = [
        {
            "capability": ctx.subject(r["capability"]).to_dict(),
            "current_maturity": r.get("current"),
            "target_maturity": r.get("target"),
            "gap": r.get("gap"),
            "has_gap": r["hasGap"],
            "live_value_propositions": r["propositions"],
            "offerings": r["offerings"],
            "touchpoints": r["touchpoints"],
        }
        for r in maturity
    ]
    sound = sum(1 for r in table if not r["has_gap"])
    summary = (
        f"{_plural(len(table), 'capability', 'capabilities')} "
        f"{_verb(len(table), 'stands', 'stand')} behind live value "
        f"propositions, their offerings and journey touchpoints; {sound} of them "
        f"{'is' if sound == 1 else 'are'} less than {_plural(params.min_gap, 'level')} below "
        "target. " + _cases(findings)
    )
    return _answer(
        7,
        findings,
        summary,
        score=_ratio(sound, len(table)),
        score_label="capabilities without a maturity gap",
        details={"capabilities": table},
        parameters={"min_gap": params.min_gap},
    )


# --------------------------------------------------------------------------------------------
# Q8 Cost and revenue models


def cost_and_revenue_models(
    model: KnowledgeGraph, params: Parameters = DEFAULT_PARAMETERS
) -> Answer:
    """Q8: have we addressed all cost and revenue implications?

    Finds resources, capabilities, channels and partners with no cost (low), live value
    propositions (medium) and targeted segments (medium) with no revenue stream, and value
    propositions and segments whose revenue less allocated costs is negative (high).

    The score is the enterprise's margin ratio: all revenue less all costs, over all revenue.

    Examples
    --------
    >>> from kg.model import open_model
    >>> cost_and_revenue_models(open_model()).summary
    'Revenue is 0 a year and costs 0. No findings.'
    """
    ctx = _Context(model, params)
    margins = ctx.rows("margin")
    enterprise = next((r for r in margins if r["class"] == _BM + "Enterprise"), {})
    currency = enterprise.get("currency")
    findings: list[Finding] = []
    for row in ctx.rows("uncosted-element"):
        element = ctx.subject(row["element"])
        findings.append(
            _finding(
                "uncosted-element",
                Level.LOW,
                [element],
                f"No cost item is incurred by {_name(element)}.",
                element_class=_local(row["class"]),
            )
        )
    for row in ctx.rows("proposition-without-revenue"):
        proposition = ctx.subject(row["proposition"])
        offerings = ctx.subjects(row.get("offerings"))
        findings.append(
            _finding(
                "proposition-without-revenue",
                Level.MEDIUM,
                [proposition],
                f"{_name(proposition)} is live, but no revenue stream is for it.",
                allocated_cost=_plain(row["cost"]),
                offerings=[o.to_dict() for o in offerings],
            )
        )
    for row in ctx.rows("segment-without-revenue"):
        segment = ctx.subject(row["segment"])
        propositions = ctx.subjects(row.get("propositions"))
        findings.append(
            _finding(
                "segment-without-revenue",
                Level.MEDIUM,
                [segment],
                f"{_names(propositions)} {_verb(len(propositions), 'targets', 'target')} "
                f"{_name(segment)}, but no revenue stream comes from them.",
                live_value_propositions=[p.to_dict() for p in propositions],
            )
        )
    for row in ctx.rows("negative-margin"):
        element = ctx.subject(row["element"])
        money = row.get("currency") or currency
        findings.append(
            _finding(
                "negative-margin",
                Level.HIGH,
                [element],
                f"{_name(element)} brings {_money(row['revenue'], money)} of revenue against "
                f"{_money(row['cost'], money)} of allocated costs: a margin of "
                f"{_money(row['margin'], money)}.",
                revenue=_plain(row["revenue"]),
                allocated_cost=_plain(row["cost"]),
                margin=_plain(row["margin"]),
                currency=money,
            )
        )

    def table(cls: str) -> list[dict[str, Any]]:
        return [
            {
                "element": ctx.subject(r["element"]).to_dict(),
                "revenue": _plain(r["revenue"]),
                "allocated_cost": _plain(r["cost"]),
                "margin": _plain(r["margin"]),
                "margin_ratio": None if "ratio" not in r else round(float(r["ratio"]), 4),
            }
            for r in margins
            if r["class"] == _BM + cls
        ]

    revenue, cost = _float(enterprise.get("revenue")), _float(enterprise.get("cost"))
    ratio = None if "ratio" not in enterprise else round(float(enterprise["ratio"]), 4)
    summary = (
        f"Revenue is {_money(revenue, currency)} a year and costs {_money(cost, currency)}"
        + (f": a margin of {_percent(ratio)}." if ratio is not None else ".")
        + " "
        + _cases(findings)
    )
    return _answer(
        8,
        findings,
        summary,
        score=ratio,
        score_label="margin ratio",
        details={
            "currency": currency,
            "revenue": revenue,
            "cost": cost,
            "margin": revenue - cost,
            "value_propositions": table("ValueProposition"),
            "segments": table("CustomerSegment"),
        },
    )


# --------------------------------------------------------------------------------------------
# Q9 Geographies and locales


def geographies_and_locales(
    model: KnowledgeGraph, params: Parameters = DEFAULT_PARAMETERS
) -> Answer:
    """Q9: are we reaching customers in the geographies and locales where they live and work?

    Finds geographies where targeted segments live that no channel reaching them serves (medium)
    and locales they need that none of their channels serves (medium).

    The score is the share of the pairs of targeted segment and geography or locale that some
    channel reaching the segment serves.

    Examples
    --------
    >>> from kg.model import open_model
    >>> geographies_and_locales(open_model()).details
    {'geographies': [], 'locales': []}
    """
    ctx = _Context(model, params)
    reach = ctx.rows("geography-reach")
    findings: list[Finding] = []
    for row in ctx.rows("unreached-geography"):
        segment, geography = ctx.subject(row["segment"]), ctx.subject(row["geography"])
        served = ctx.subjects(row.get("servedGeographies"))
        findings.append(
            _finding(
                "unreached-geography",
                Level.MEDIUM,
                [segment, geography],
                f"{_name(segment)} live in {_name(geography)}, but no channel reaching them "
                "serves it" + (f"; their channels serve {_names(served)}." if served else "."),
                served_geographies=[g.to_dict() for g in served],
            )
        )
    for row in ctx.rows("unserved-locale"):
        segment, locale = ctx.subject(row["segment"]), ctx.subject(row["locale"])
        served = ctx.subjects(row.get("servedLocales"))
        findings.append(
            _finding(
                "unserved-locale",
                Level.MEDIUM,
                [segment, locale],
                f"{_name(segment)} need {_name(locale)}, but no channel reaching them serves it"
                + (f"; their channels serve {_names(served)}." if served else "."),
                served_locales=[loc.to_dict() for loc in served],
            )
        )

    def table(cls: str) -> list[dict[str, Any]]:
        return [
            {
                "segment": ctx.subject(r["segment"]).to_dict(),
                "place": ctx.subject(r["place"]).to_dict(),
                "channels": r["channels"],
            }
            for r in reach
            if r["class"] == _BM + cls
        ]

    reached = sum(1 for r in reach if r["channels"] > 0)
    summary = (
        f"Channels reach targeted segments in {reached} of {len(reach)} places and languages "
        "where they live and work. " + _cases(findings)
    )
    return _answer(
        9,
        findings,
        summary,
        score=_ratio(reached, len(reach)),
        score_label="segment geographies and locales reached",
        details={"geographies": table("Geography"), "locales": table("Locale")},
    )


# --------------------------------------------------------------------------------------------
# Q10 Partner profiles


def partner_profiles(model: KnowledgeGraph, params: Parameters = DEFAULT_PARAMETERS) -> Answer:
    """Q10: do we rely on partners the right way, without problems of key dependencies?

    Finds resources and activities that live value propositions need from a single partner with
    no alternative (high), with the value propositions, segments and revenue at risk; and
    partners whose share of all partner costs is above ``max_partner_cost_share`` (medium).

    The score is the share of the partner dependencies of live value propositions that have a
    way out (two or more partners, or an alternative partner).

    Examples
    --------
    >>> from kg.model import open_model
    >>> partner_profiles(open_model()).verdict.value
    'yes'
    """
    ctx = _Context(model, params)
    exposure = ctx.rows("partner-exposure")
    dependencies = ctx.rows("partner-dependencies")
    findings: list[Finding] = []
    for row in ctx.rows("single-partner-dependency"):
        partner, dependency = ctx.subject(row["partner"]), ctx.subject(row["dependency"])
        propositions = ctx.subjects(row.get("propositions"))
        segments = ctx.subjects(row.get("segments"))
        offerings = ctx.subjects(row.get("offerings"))
        at_risk = _float(row.get("revenueAtRisk"))
        findings.append(
            _finding(
                "single-partner-dependency",
                Level.HIGH,
                [partner, dependency],
                f"Only {_name(partner)}, with no alternative, provides {_name(dependency)}; "
                f"{_names(propositions)}, {_plural(len(segments), 'segment')} and "
                f"{_money(at_risk, row.get('currency'))} of revenue depend on it.",
                offerings=[o.to_dict() for o in offerings],
                value_propositions_at_risk=[p.to_dict() for p in propositions],
                segments_at_risk=[s.to_dict() for s in segments],
                revenue_at_risk=at_risk,
                currency=row.get("currency"),
            )
        )
    for row in ctx.rows("partner-cost-concentration"):
        partner = ctx.subject(row["partner"])
        findings.append(
            _finding(
                "partner-cost-concentration",
                Level.MEDIUM,
                [partner],
                f"{_name(partner)} takes {_money(row['cost'], row.get('currency'))} of the "
                f"{_money(row['total'], row.get('currency'))} spent on partners: "
                f"{_percent(row['share'])}, above {_percent(params.max_partner_cost_share)}.",
                cost=_plain(row["cost"]),
                total_partner_cost=_plain(row["total"]),
                share=round(float(row["share"]), 4),
                max_partner_cost_share=params.max_partner_cost_share,
                currency=row.get("currency"),
            )
        )

    table = [
        {
            "partner": ctx.subject(r["partner"]).to_dict(),
            "criticality": _local(r["criticality"]) if "criticality" in r else None,
            "has_alternative_partner": r["hasAlternative"],
            "supplies": [s.to_dict() for s in ctx.subjects(r.get("supplies"))],
            "cost": _plain(r["cost"]),
            "cost_share": round(float(r["share"]), 4),
            "value_propositions_at_risk": [
                p.to_dict() for p in ctx.subjects(r.get("propositions"))
            ],
            "segments_at_risk": [s.to_dict() for s in ctx.subjects(r.get("segments"))],
            "revenue_at_risk": _plain(r.get("revenueAtRisk", 0)),
        }
        for r in exposure
    ]
    covered = sum(1 for r in dependencies if r["hasAlternative"])
    summary = (
        f"Live value propositions depend on partners for {_plural(len(dependencies), 'resource')}"
        f" and activities; {covered} of them {_verb(covered, 'has', 'have')} a way out (a second "
        "partner or an alternative)."
        " " + _cases(findings)
    )
    return _answer(
        10,
        findings,
        summary,
        score=_ratio(covered, len(dependencies)),
        score_label="dependencies with an alternative",
        details={
            "partners": table,
            "dependencies": [
                {
                    "dependency": ctx.subject(r["dependency"]).to_dict(),
                    "partners": r["partners"],
                    "partners_with_alternative": r["withAlternative"],
                    "has_alternative": r["hasAlternative"],
                }
                for r in dependencies
            ],
        },
        parameters={"max_partner_cost_share": params.max_partner_cost_share},
    )


# --------------------------------------------------------------------------------------------
# The registry of questions


@dataclass(frozen=True)
class QuestionSpec:
    """One strategic question: its number, the question as asked, its short name, its function,
    and the classes (local names in ``bm:``) whose members its rules judge: with none of one of
    them in the model, the question has nothing to judge there, and its answer says so."""

    number: int
    title: str
    short_name: str
    function: Callable[[KnowledgeGraph, Parameters], Answer]
    judges: tuple[str, ...] = ()


QUESTIONS: Mapping[int, QuestionSpec] = MappingProxyType(
    {
        spec.number: spec
        for spec in (
            QuestionSpec(
                1,
                "Are we targeting the right customers for the growth that we need?",
                "Customer Profile",
                customer_profile,
                ("CustomerSegment", "ValueProposition", "Goal"),
            ),
            QuestionSpec(
                2,
                "Do we understand what our customers want and need?",
                "Voice of Customer",
                voice_of_customer,
                ("CustomerSegment", "CustomerNeed"),
            ),
            QuestionSpec(
                3,
                "Do we have a compelling value proposition for those customers?",
                "Value Proposition",
                value_proposition,
                ("CustomerSegment", "ValueProposition"),
            ),
            QuestionSpec(
                4,
                "Do our products and services deliver on the value proposition, or is there a gap?",
                "Products and Services",
                products_and_services,
                ("ValueProposition", "Offering"),
            ),
            QuestionSpec(
                5,
                "Have we all the channels we should use, or too many?",
                "Channels",
                channels,
                ("Channel", "CustomerSegment"),
            ),
            QuestionSpec(
                6,
                "Do we know the resources we need to deliver on the value proposition?",
                "Resources",
                resources,
                ("KeyResource", "Offering"),
            ),
            QuestionSpec(
                7,
                "Do we know how to use our resources well enough?",
                "Required Competencies",
                required_competencies,
                ("Capability",),
            ),
            QuestionSpec(
                8,
                "Have we addressed all cost and revenue implications of the resources, "
                "competencies and channels?",
                "Cost and Revenue Models",
                cost_and_revenue_models,
                ("CostItem", "RevenueStream"),
            ),
            QuestionSpec(
                9,
                "Are we reaching customers in the geographies and locales where they live and "
                "work?",
                "Geographies and Locales",
                geographies_and_locales,
                ("Geography", "CustomerSegment"),
            ),
            QuestionSpec(
                10,
                "Do we rely on partners the right way, without problems of key dependencies?",
                "Partner Profiles",
                partner_profiles,
                ("KeyPartner",),
            ),
        )
    }
)
"""The ten questions by number (1 to 10)."""


def nothing_to_judge(model: KnowledgeGraph, spec: QuestionSpec) -> tuple[str, ...]:
    """The caveat of an answer whose question finds none of a class it judges in the model.

    A question whose rules find nothing to flag answers yes; with no customer segment at all (a
    model just imported from a tool that has none, say) that yes would say nothing, so the
    answer says why instead of passing for a clean bill.

    >>> from kg.model import open_model
    >>> [said] = nothing_to_judge(open_model(), QUESTIONS[10])  # the ontology alone
    >>> said[:60]
    'The model has no key partner, which Q10 (Partner Profiles) j'
    """
    missing = [name for name in spec.judges if not _has_member(model, _BM + name)]
    if not missing:
        return ()
    labels = " and no ".join(_class_label(name) for name in missing)
    return (
        f"The model has no {labels}, which Q{spec.number} ({spec.short_name}) judges: its "
        "answer says nothing about what the model does not hold.",
    )


def _judged(answer: Answer, missing: tuple[str, ...]) -> Answer:
    """The answer, told what it could not judge: a yes with nothing to judge is unknown."""
    if missing and answer.verdict is Verdict.YES:
        answer = replace(answer, verdict=Verdict.UNKNOWN)
    return answer.with_caveats(missing)


def _has_member(model: KnowledgeGraph, cls: str) -> bool:
    found = model.query(f"ASK {{ ?member a ?type . ?type <{RDFS.subClassOf}>* <{cls}> }}")
    return bool(found)


def _class_label(name: str) -> str:
    label = ontology_graph().value(URIRef(_BM + name), RDFS.label)
    return str(label).lower() if label is not None else name


def ask(
    model: KnowledgeGraph,
    number: int,
    *,
    params: Parameters = DEFAULT_PARAMETERS,
    enterprise: portfolio.Choice = None,
) -> Answer:
    """Answer one strategic question by its number, for one enterprise of the model.

    ``enterprise`` (an IRI, a CURIE or a label) is needed when the model holds several
    (:mod:`kg.portfolio`): the answer is then that of the enterprise alone, its goals, dates,
    sums and shares never mixed with another's. It defaults to the model's only enterprise.

    Raises
    ------
    ValueError
        ``number`` is not one of the questions (1 to 10).
    EnterpriseError
        ``enterprise`` is not one of the model's, or is missing in a model of several.

    Examples
    --------
    >>> from kg.model import open_model
    >>> ask(open_model(), 9).short_name
    'Geographies and Locales'
    """
    spec = QUESTIONS.get(number)
    if spec is None:
        raise ValueError(
            f"there is no question {number!r}; the questions are {min(QUESTIONS)} to "
            f"{max(QUESTIONS)}"
        )
    scope = portfolio.view(model, enterprise)
    answer = spec.function(scope.model, params).with_caveats(scope.notes)
    answer = _judged(answer, nothing_to_judge(scope.model, spec))
    return replace(answer, enterprise=scope.enterprise)


def ask_all(
    model: KnowledgeGraph,
    *,
    params: Parameters = DEFAULT_PARAMETERS,
    progress: Callable[[str], None] | None = None,
    enterprise: portfolio.Choice = None,
    workers: int | None = None,
) -> list[Answer]:
    """Answer the ten strategic questions in order, for one enterprise of the model.

    ``progress``, when given, is called with a line such as ``"Q3 Value Proposition"`` before
    each question is answered, in the order of the questions. ``enterprise`` is as for
    :func:`ask`.

    The questions are answered on ``workers`` threads at once (by default one per processor,
    at most four) when the store answers queries in parallel: the embedded store and a server
    do, rdflib's store is asked one query at a time. The answers do not depend on it.

    Examples
    --------
    >>> from kg.model import open_model
    >>> lines = []
    >>> answers = ask_all(open_model(), progress=lines.append)
    >>> len(answers), lines[0]
    (10, 'Q1 Customer Profile')
    """
    scope = portfolio.view(model, enterprise)
    names = _Names(scope.model.store)

    def answer(spec: QuestionSpec) -> Answer:
        token = _SHARED_NAMES.set(names)
        try:
            found = spec.function(scope.model, params).with_caveats(scope.notes)
            found = _judged(found, nothing_to_judge(scope.model, spec))
        finally:
            _SHARED_NAMES.reset(token)
        return replace(found, enterprise=scope.enterprise)

    say = progress or (lambda line: None)
    threads = parallel_queries(scope.model.store) if workers is None else max(1, workers)
    if threads == 1:
        answers = []
        for number, spec in QUESTIONS.items():
            say(f"Q{number} {spec.short_name}")
            answers.append(answer(spec))
        return answers
    with ThreadPoolExecutor(threads, thread_name_prefix="kg-question") as pool:
        # Longest first, so that no long question starts last and runs alone.
        order = sorted(QUESTIONS.values(), key=lambda spec: spec.number not in _LONGEST)
        # Each in a copy of the caller's context, as if it ran here.
        futures = {spec.number: pool.submit(copy_context().run, answer, spec) for spec in order}
        answers = []
        for number, spec in QUESTIONS.items():
            say(f"Q{number} {spec.short_name}")
            answers.append(futures[number].result())
        return answers


# The questions that take longest on large models (measured at 1M triples): started first.
_LONGEST = frozenset({4, 9, 10})
