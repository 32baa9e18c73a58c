"""What changed in the answers between two analyses: verdicts, scores, findings and money.

:func:`compare` takes two :class:`~kg.analysis.Analysis` (of two versions of a model, or of a
model and a what-if copy of it) and says, for the silos (number 0) and each of the ten
questions, how the verdict and the score moved and which findings appeared, disappeared or
changed.

A finding is the same finding in both analyses when it answers the same question, is of the
same kind and names the same things: its identity is ``(question, kind, subject IRIs as a set)``.
In the toolkit's answers that is unique within an answer (one finding per segment and pair of
stores, per pair of touchpoints, per partner and dependency...). Should two findings of one
answer still share it, they are told apart by their place among those that share it (findings
are ordered by their subjects' IRIs in order, then their message), so that no finding is lost.

A finding that keeps its identity but not its words, severity, subjects' labels or evidence has
**changed**; the difference lists each part that did, before and after.

The money that moves is what is at stake in the findings that appeared and disappeared, as
:func:`kg.priorities.prioritise` reckons it (the analyses' priorities), summed per currency
(two currencies are never added), and the enterprise's revenue, cost and margin of Q8.

>>> import kg
>>> from kg.analysis import analyse
>>> telco = analyse(kg.open_model(kg.example_path("telco")), validate=False)
>>> compare(telco, telco).is_empty
True
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from kg.analysis import Analysis
from kg.answers import Answer, Finding, Verdict, money_words, score_text
from kg.priorities import Priority, Stake

__all__ = ["Difference", "FindingChange", "Moved", "QuestionDifference", "compare"]

_TOTALS = ("revenue", "cost", "margin")

Identity = tuple[int, str, frozenset[str], int]
"""A finding's identity: question, kind, subject IRIs, and its place among equals (0 mostly)."""


@dataclass(frozen=True)
class Moved:
    """A finding that appeared or disappeared, with what is at stake in it (if anything)."""

    question: int
    finding: Finding
    stake: Stake | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "finding": self.finding.to_dict(),
            "stake": None if self.stake is None else self.stake.to_dict(),
        }


@dataclass(frozen=True)
class FindingChange:
    """A finding present in both analyses whose message, severity, labels or evidence changed.

    ``changes`` maps each part that changed (``message``, ``severity``, ``subjects``, or
    ``evidence.KEY``) to its value before and after.
    """

    question: int
    before: Finding
    after: Finding
    changes: Mapping[str, tuple[Any, Any]]

    def reversed(self) -> FindingChange:
        return FindingChange(
            self.question,
            self.after,
            self.before,
            {k: (a, b) for k, (b, a) in self.changes.items()},
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "kind": self.after.kind,
            "subjects": [s.to_dict() for s in self.after.subjects],
            "changes": {k: {"before": b, "after": a} for k, (b, a) in self.changes.items()},
            "before": self.before.to_dict(),
            "after": self.after.to_dict(),
        }


@dataclass(frozen=True)
class QuestionDifference:
    """How one answer moved: verdict, score and findings (number 0 is the silos)."""

    number: int
    short_name: str
    verdict_before: Verdict
    verdict_after: Verdict
    score_before: float | None
    score_after: float | None
    score_label: str | None = None
    appeared: tuple[Moved, ...] = ()
    disappeared: tuple[Moved, ...] = ()
    changed: tuple[FindingChange, ...] = ()

    @property
    def is_empty(self) -> bool:
        return (
            self.verdict_before == self.verdict_after
            and self.score_before == self.score_after
            and not (self.appeared or self.disappeared or self.changed)
        )

    @property
    def name(self) -> str:
        """``Q3 Value Proposition``, or ``Silos``."""
        return f"Q{self.number} {self.short_name}" if self.number else "Silos"

    def reversed(self) -> QuestionDifference:
        return QuestionDifference(
            number=self.number,
            short_name=self.short_name,
            verdict_before=self.verdict_after,
            verdict_after=self.verdict_before,
            score_before=self.score_after,
            score_after=self.score_before,
            score_label=self.score_label,
            appeared=self.disappeared,
            disappeared=self.appeared,
            changed=tuple(c.reversed() for c in self.changed),
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "short_name": self.short_name,
            "verdict": {"before": self.verdict_before.value, "after": self.verdict_after.value},
            "score": {"before": self.score_before, "after": self.score_after},
            "score_label": self.score_label,
            "appeared": [m.to_dict() for m in self.appeared],
            "disappeared": [m.to_dict() for m in self.disappeared],
            "changed": [c.to_dict() for c in self.changed],
        }


@dataclass(frozen=True)
class Difference:
    """The difference in answers between two analyses (see :func:`compare`).

    Attributes
    ----------
    questions
        The silos (0) and the ten questions, in order, each as a :class:`QuestionDifference`
        (also those that did not move).
    totals_before, totals_after
        Q8's ``currency``, ``revenue``, ``cost`` and ``margin`` of each analysis.
    """

    questions: tuple[QuestionDifference, ...]
    totals_before: Mapping[str, Any] = field(default_factory=dict)
    totals_after: Mapping[str, Any] = field(default_factory=dict)

    @property
    def is_empty(self) -> bool:
        """Whether nothing moved: no verdict, score, finding or Q8 total."""
        return all(q.is_empty for q in self.questions) and dict(self.totals_before) == dict(
            self.totals_after
        )

    @property
    def appeared(self) -> tuple[Moved, ...]:
        return tuple(m for q in self.questions for m in q.appeared)

    @property
    def disappeared(self) -> tuple[Moved, ...]:
        return tuple(m for q in self.questions for m in q.disappeared)

    @property
    def changed(self) -> tuple[FindingChange, ...]:
        return tuple(c for q in self.questions for c in q.changed)

    def money_appeared(self) -> dict[str, Decimal]:
        """What is at stake in the findings that appeared, by currency."""
        return _by_currency(self.appeared)

    def money_disappeared(self) -> dict[str, Decimal]:
        """What is at stake in the findings that disappeared, by currency."""
        return _by_currency(self.disappeared)

    def reversed(self) -> Difference:
        """The difference the other way round (``compare(b, a)``)."""
        return Difference(
            questions=tuple(q.reversed() for q in self.questions),
            totals_before=self.totals_after,
            totals_after=self.totals_before,
        )

    def headline(self) -> str:
        """One line: findings that appeared, disappeared and changed, and verdicts that moved.

        >>> Difference(questions=()).headline()
        'No change in the answers.'
        """
        if self.is_empty:
            return "No change in the answers."
        parts = [
            _count(len(self.appeared), "finding") + " appeared",
            f"{len(self.disappeared)} disappeared",
        ]
        if self.changed:
            parts.append(f"{len(self.changed)} changed")
        for q in self.questions:
            if q.verdict_before != q.verdict_after:
                who = f"Q{q.number}" if q.number else "Silos"
                parts.append(f"{who} verdict {q.verdict_before.value} -> {q.verdict_after.value}")
        scored = [
            f"Q{q.number}" if q.number else "Silos"
            for q in self.questions
            if q.score_before != q.score_after and q.verdict_before == q.verdict_after
        ]
        if scored:
            parts.append("scores moved: " + ", ".join(scored))
        return ", ".join(parts) + "."

    def total_moves(self) -> list[str]:
        """Q8's totals that moved, each in its own side's currency: ``"cost: CHF 1,558 million
        -> CHF 1,544 million"``. Two models in different currencies keep theirs (the amounts
        are not converted).

        >>> cad, chf = {"currency": "CAD", "cost": 5e6}, {"currency": "CHF", "cost": 4e6}
        >>> Difference((), cad, chf).total_moves()
        ['cost: CAD 5 million -> CHF 4 million']
        """
        moves = []
        for key in _TOTALS:
            before, after = self.totals_before.get(key), self.totals_after.get(key)
            if before != after:
                moves.append(
                    f"{key}: {_amount(before, self.totals_before.get('currency'))} -> "
                    f"{_amount(after, self.totals_after.get('currency'))}"
                )
        return moves

    def to_dict(self) -> dict[str, Any]:
        """Plain, JSON-safe data, in a deterministic order."""
        return {
            "empty": self.is_empty,
            "headline": self.headline(),
            "counts": {
                "appeared": len(self.appeared),
                "disappeared": len(self.disappeared),
                "changed": len(self.changed),
            },
            "money": {
                "appeared": _money_dict(self.money_appeared()),
                "disappeared": _money_dict(self.money_disappeared()),
            },
            "totals": {"before": _plain(self.totals_before), "after": _plain(self.totals_after)},
            "questions": [q.to_dict() for q in self.questions if not q.is_empty],
        }

    def to_json(self, *, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)

    def to_text(self) -> str:
        """For a terminal: the headline, the money, then each answer that moved."""
        lines = [self.headline()]
        if self.is_empty:
            return lines[0] + "\n"
        for word, amounts in (
            ("appeared", self.money_appeared()),
            ("disappeared", self.money_disappeared()),
        ):
            if amounts:
                money = " and ".join(money_words(v, c) for c, v in sorted(amounts.items()))
                lines.append(f"At stake in the findings that {word}: {money}.")
        lines += [f"Q8 {line}" for line in self.total_moves()]
        for q in self.questions:
            if q.is_empty:
                continue
            lines += ["", q.name]
            if q.verdict_before != q.verdict_after:
                lines.append(f"  verdict: {q.verdict_before.value} -> {q.verdict_after.value}")
            if q.score_before != q.score_after:
                label = q.score_label or "score"
                lines.append(f"  {label}: {_score(q.score_before)} -> {_score(q.score_after)}")
            for sign, moved in (("+", q.appeared), ("-", q.disappeared)):
                for m in moved:
                    stake = m.stake.text() if m.stake is not None else ""
                    line = f"  {sign} {m.finding.to_text()}"
                    lines.append(line + (f" (at stake: {stake})" if stake else ""))
            for c in q.changed:
                lines.append(f"  ~ [{c.after.severity.value}] {c.after.kind}: {c.after.message}")
                for part, (before, after) in c.changes.items():
                    lines.append(f"      {part}: {_short(before)} -> {_short(after)}")
        return "\n".join(lines) + "\n"


def compare(before: Analysis, after: Analysis) -> Difference:
    """The difference in answers from ``before`` to ``after``.

    Both analyses should be of the same enterprise with the same parameters; the comparison
    does not check it (comparing two parameter settings is a use of it too).

    Examples
    --------
    >>> import kg
    >>> from kg.analysis import analyse
    >>> from kg.questions import Parameters
    >>> model = kg.open_model(kg.example_path("telco"))
    >>> lenient = analyse(model, params=Parameters(min_fit=0.1), validate=False)
    >>> strict = analyse(model, validate=False)
    >>> compare(lenient, strict).headline()
    '1 finding appeared, 0 disappeared.'
    """
    stakes_before = _stakes(before.priorities)
    stakes_after = _stakes(after.priorities)
    questions = []
    for old, new in zip(before.all_answers(), after.all_answers(), strict=True):
        questions.append(_answer_difference(old, new, stakes_before, stakes_after))
    return Difference(
        questions=tuple(questions),
        totals_before=_totals(before),
        totals_after=_totals(after),
    )


def _answer_difference(
    old: Answer,
    new: Answer,
    stakes_before: Mapping[Identity, Stake],
    stakes_after: Mapping[Identity, Stake],
) -> QuestionDifference:
    mine, theirs = _identified(old.number, old.findings), _identified(new.number, new.findings)
    appeared = tuple(
        Moved(new.number, theirs[key], stakes_after.get(key))
        for key in sorted(theirs.keys() - mine.keys(), key=_order)
    )
    disappeared = tuple(
        Moved(old.number, mine[key], stakes_before.get(key))
        for key in sorted(mine.keys() - theirs.keys(), key=_order)
    )
    changed = []
    for key in sorted(mine.keys() & theirs.keys(), key=_order):
        parts = _parts(mine[key], theirs[key])
        if parts:
            changed.append(FindingChange(new.number, mine[key], theirs[key], parts))
    return QuestionDifference(
        number=new.number,
        short_name=new.short_name,
        verdict_before=old.verdict,
        verdict_after=new.verdict,
        score_before=old.score,
        score_after=new.score,
        score_label=new.score_label or old.score_label,
        appeared=appeared,
        disappeared=disappeared,
        changed=tuple(changed),
    )


def _identified(question: int, findings: Iterable[Finding]) -> dict[Identity, Finding]:
    """Each finding by its identity (see the module's text)."""
    groups: dict[tuple[int, str, frozenset[str]], list[Finding]] = defaultdict(list)
    for finding in findings:
        groups[(question, finding.kind, frozenset(s.iri for s in finding.subjects))].append(finding)
    found: dict[Identity, Finding] = {}
    for (number, kind, iris), members in groups.items():
        members.sort(key=lambda f: (tuple(s.iri for s in f.subjects), f.message))
        for place, finding in enumerate(members):
            found[(number, kind, iris, place)] = finding
    return found


def _order(key: Identity) -> tuple[Any, ...]:
    return (key[0], key[1], sorted(key[2]), key[3])


def _stakes(priorities: Sequence[Priority]) -> dict[Identity, Stake]:
    by_question: dict[int, list[Priority]] = defaultdict(list)
    for priority in priorities:
        by_question[priority.question].append(priority)
    stakes: dict[Identity, Stake] = {}
    for number, members in by_question.items():
        identified = _identified(number, [p.finding for p in members])
        for key, finding in identified.items():
            stake = next(p.stake for p in members if p.finding is finding)
            stakes[key] = stake
    return stakes


def _parts(old: Finding, new: Finding) -> dict[str, tuple[Any, Any]]:
    parts: dict[str, tuple[Any, Any]] = {}
    if old.message != new.message:
        parts["message"] = (old.message, new.message)
    if old.severity != new.severity:
        parts["severity"] = (old.severity.value, new.severity.value)
    if old.subjects != new.subjects:
        parts["subjects"] = (
            [s.to_dict() for s in old.subjects],
            [s.to_dict() for s in new.subjects],
        )
    for key in sorted(set(old.evidence) | set(new.evidence)):
        a, b = old.evidence.get(key), new.evidence.get(key)
        if a != b:
            parts[f"evidence.{key}"] = (_plain(a), _plain(b))
    return parts


def _totals(analysis: Analysis) -> dict[str, Any]:
    details = analysis.answer(8).details
    return {key: details.get(key) for key in ("currency", *_TOTALS)}


def _by_currency(moved: Iterable[Moved]) -> dict[str, Decimal]:
    sums: dict[str, Decimal] = defaultdict(Decimal)
    for m in moved:
        if m.stake is not None and m.stake.money is not None and m.stake.currency:
            sums[m.stake.currency] += m.stake.money
    return dict(sorted(sums.items()))


def _money_dict(amounts: Mapping[str, Decimal]) -> dict[str, int | float]:
    return {currency: _number(value) for currency, value in amounts.items()}


def _number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def _plain(value: Any) -> Any:
    """A value made JSON-safe (decimals as numbers, sets and tuples as lists)."""
    if isinstance(value, Decimal):
        return _number(value)
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_plain(v) for v in value]
    return value


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _score(score: float | None) -> str:
    return "none" if score is None else score_text(score)


def _short(value: Any, limit: int = 120) -> str:
    text = value if isinstance(value, str) else json.dumps(_plain(value), ensure_ascii=False)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _amount(value: Any, currency: str | None) -> str:
    return "not known" if value is None else money_words(value, currency)
