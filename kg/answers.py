"""Answers to the strategic questions, and the findings behind them, as plain data.

An :class:`Answer` says what an architect would say to an executive: a verdict, a score where one
makes sense, a paragraph in plain words, and the findings. A :class:`Finding` names its kind, its
severity, the exact things it is about (IRIs and labels) and the evidence: the facts that made it
a finding, so that an architect can act on it and check it.

Everything here is JSON-serialisable through ``to_dict()``; ``to_text()`` renders for a terminal.

>>> finding = Finding(
...     kind="segment-without-needs",
...     severity=Level.MEDIUM,
...     subjects=(Subject("https://example.org/s", "Students", "CustomerSegment"),),
...     message="Students have no recorded needs.",
... )
>>> answer = Answer(number=2, title="Do we understand what our customers want and need?",
...                 short_name="Voice of Customer", verdict=Verdict.PARTLY, score=0.9,
...                 score_label="evidence coverage", summary="Mostly.", findings=(finding,))
>>> answer.to_dict()["findings"][0]["subjects"][0]["label"]
'Students'
"""

from __future__ import annotations

import json
import textwrap
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

__all__ = [
    "Answer",
    "Enterprise",
    "Finding",
    "Level",
    "Subject",
    "Verdict",
    "money_words",
    "percent",
    "preferred_label",
    "score_text",
]


def percent(fraction: float) -> str:
    """A fraction as a percentage, to one decimal place without trailing zeros.

    The one rounding rule of every score and share the toolkit shows (terminal, report,
    summaries), so that one number reads the same everywhere.

    >>> percent(0.52502), percent(0.81), percent(1), percent(0.0004)
    ('52.5%', '81%', '100%', '0%')
    """
    text = f"{float(fraction) * 100:.1f}".rstrip("0").rstrip(".")
    return ("0" if text in ("-0", "") else text) + "%"


def score_text(score: float) -> str:
    """A score as shown: a ratio from 0 to 1 as :func:`percent`, any other number to 2 places.

    >>> score_text(0.52502), score_text(1.5)
    ('52.5%', '1.50')
    """
    return percent(score) if 0 <= score <= 1 else f"{score:.2f}"


def money_words(amount: Any, currency: str | None = None) -> str:
    """An amount as people say it: millions as ``CHF 2,412 million`` (one decimal under 100
    million), smaller amounts in full with thousands separators.

    >>> money_words(2_857_257_848, "CHF"), money_words(12_450_000, "EUR"), money_words(45_500)
    ('CHF 2,857 million', 'EUR 12.4 million', '45,500')
    """
    value = float(amount)
    if abs(value) >= 100_000_000:
        text = f"{value / 1_000_000:,.0f} million"
    elif abs(value) >= 1_000_000:
        text = f"{value / 1_000_000:,.1f}".rstrip("0").rstrip(".") + " million"
    else:
        text = f"{value:,.0f}"
    return f"{currency} {text}" if currency else text


def preferred_label(labels: Iterable[tuple[str, str]]) -> str | None:
    """Pick the label to name a thing by, from ``(text, language tag)`` pairs.

    English first (``en``, ``en-GB``...), then a label without a language, then any other; ties
    go to the alphabetically first, so the choice is stable.

    >>> preferred_label([("Einfach", "de"), ("Simple", "en"), ("Plain", "")])
    'Simple'
    >>> preferred_label([]) is None
    True
    """
    rank = {"en": 0, "": 1}
    ranked = [(rank.get(language.split("-")[0].lower(), 2), text) for text, language in labels]
    return min(ranked)[1] if ranked else None


class Verdict(StrEnum):
    """The short answer to a question."""

    YES = "yes"
    PARTLY = "partly"
    NO = "no"
    UNKNOWN = "unknown"
    """The rules found nothing to flag, but the model holds none of something the question
    judges (no customer segment, no partner): no finding is not a yes."""


class Level(StrEnum):
    """How much a finding matters."""

    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


@dataclass(frozen=True)
class Subject:
    """A thing a finding names: its IRI, its label and its class (local name, e.g. ``Channel``)."""

    iri: str
    label: str | None = None
    type: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"iri": self.iri, "label": self.label, "type": self.type}

    def __str__(self) -> str:
        return f'"{self.label}" <{self.iri}>' if self.label else f"<{self.iri}>"


@dataclass(frozen=True)
class Finding:
    """One problem found in the model, with the subjects it names and the evidence for it.

    ``evidence`` holds JSON-able values only (numbers, strings, lists, dicts); things it refers to
    are given as ``Subject.to_dict()`` mappings.
    """

    kind: str
    severity: Level
    subjects: tuple[Subject, ...]
    message: str
    evidence: Mapping[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "severity": self.severity.value,
            "subjects": [s.to_dict() for s in self.subjects],
            "message": self.message,
            "evidence": dict(self.evidence),
        }

    def to_text(self) -> str:
        return f"[{self.severity.value}] {self.kind}: {self.message}"


@dataclass(frozen=True, order=True)
class Enterprise:
    """An enterprise of a model: its IRI and the label it is named by (``None`` if unlabelled)."""

    iri: str
    label: str | None = field(default=None, compare=False)

    @property
    def name(self) -> str:
        """The label, or the IRI when there is none."""
        return self.label or self.iri

    def to_dict(self) -> dict[str, Any]:
        return {"iri": self.iri, "label": self.label}


@dataclass(frozen=True)
class Answer:
    """The answer to one of the ten strategic questions (or the silo analysis, number 0)."""

    number: int
    title: str
    short_name: str
    verdict: Verdict
    summary: str
    findings: tuple[Finding, ...] = ()
    score: float | None = None
    score_label: str | None = None
    details: Mapping[str, Any] = field(default_factory=dict)
    parameters: Mapping[str, Any] = field(default_factory=dict)
    caveats: tuple[str, ...] = ()
    """What the answer rests on that may make it wrong (a model that fails its shapes)."""
    enterprise: Enterprise | None = None
    """The enterprise the answer is for (``None`` for a model that names none)."""

    def findings_of(self, kind: str) -> list[Finding]:
        """The findings of one kind."""
        return [f for f in self.findings if f.kind == kind]

    def with_caveats(self, caveats: Iterable[str]) -> Answer:
        """The same answer, with these caveats added."""
        return replace(self, caveats=tuple(dict.fromkeys((*self.caveats, *caveats))))

    def to_dict(self) -> dict[str, Any]:
        return {
            "caveats": list(self.caveats),
            "enterprise": self.enterprise.to_dict() if self.enterprise else None,
            "number": self.number,
            "title": self.title,
            "short_name": self.short_name,
            "verdict": self.verdict.value,
            "score": self.score,
            "score_label": self.score_label,
            "summary": self.summary,
            "findings": [f.to_dict() for f in self.findings],
            "details": dict(self.details),
            "parameters": dict(self.parameters),
        }

    def to_json(self, *, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)

    def to_text(self, *, width: int = 100) -> str:
        """Render for a terminal: heading, verdict and score, summary, findings by kind."""
        heading = f"Q{self.number}. {self.title} ({self.short_name})" if self.number else self.title
        lines = [heading]
        for caveat in self.caveats:
            lines += textwrap.wrap(
                f"CAUTION: {caveat}", width, initial_indent="", subsequent_indent="  "
            )
        lines.append(f"Verdict: {self.verdict.value.upper()}")
        if self.score is not None:
            lines[-1] += f"   {self.score_label or 'score'}: {score_text(self.score)}"
        lines += ["", *textwrap.wrap(self.summary, width)]
        if self.findings:
            lines += ["", f"Findings ({len(self.findings)}):"]
            for finding in self.findings:
                lines += textwrap.wrap(
                    finding.to_text(), width, initial_indent="  - ", subsequent_indent="    "
                )
        else:
            lines += ["", "No findings."]
        return "\n".join(lines) + "\n"
