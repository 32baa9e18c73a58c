"""The answers of one version of a model, worked out once and kept until the model changes.

:func:`analyse` draws everything the toolkit says about a model (or one enterprise of it) in one
call: the ten answers (:func:`kg.questions.ask_all`), the silo analysis
(:func:`kg.silos.find_silos`), the validation report (:func:`kg.validation.validate`), and the
priorities (:func:`kg.priorities.prioritise`), which carry the money and customers at stake in
each finding. Answers drawn from a model that breaks its shapes carry the caveat that says so.

An :class:`AnalysisCache` serves an :class:`Analysis` for as long as the model is the same: the
key is the model object, the count of writes this process made through :func:`kg.sandbox.mutating`
(:func:`kg.sandbox.writes`, which every write of this package bumps), the parameters and the
enterprise. Threads asking for the same key at once wait for one computation; different keys
do not wait for each other. A write made around this package (``model.store.add`` called
directly) is not seen: make writes through :class:`~kg.store.KnowledgeGraph` and
:mod:`kg.sparql`, or call :meth:`AnalysisCache.clear`.

>>> import kg
>>> model = kg.open_model(kg.example_path("telco"))
>>> cache = AnalysisCache()
>>> first = cache.get(model)
>>> [a.verdict.value for a in first.answers][:3], first.silos.as_answer().verdict.value
(['no', 'partly', 'partly'], 'no')
>>> cache.get(model) is first, cache.computations
(True, 1)
"""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from collections.abc import Hashable, Iterator
from dataclasses import dataclass, field
from typing import Any, Final

from kg import portfolio
from kg.answers import Answer, Enterprise, Finding
from kg.priorities import Priority, prioritise
from kg.questions import DEFAULT_PARAMETERS, Parameters, ask_all
from kg.sandbox import writes
from kg.silos import SiloAnalysis, SiloParameters, find_silos
from kg.store import KnowledgeGraph
from kg.validation import ValidationReport, validate

__all__ = ["DEFAULT_KEPT", "Analysis", "AnalysisCache", "analyse", "default_cache"]

DEFAULT_KEPT: Final = 16
"""Analyses an :class:`AnalysisCache` keeps (the most recently used)."""


@dataclass(frozen=True)
class Analysis:
    """What the toolkit says about one version of a model, for one enterprise.

    Attributes
    ----------
    answers
        The ten answers, in order (with the validation's caveats when the model breaks its
        shapes).
    silos
        The silo analysis (its :meth:`~kg.silos.SiloAnalysis.as_answer` is number 0).
    validation
        The validation report of the whole model; ``None`` when not validated.
    enterprise
        The enterprise answered for (``None`` for a model that names none).
    parameters, silo_parameters
        The thresholds the answers were drawn with.
    priorities
        Every finding of the answers and the silos as a :class:`~kg.priorities.Priority`: the
        action, the owners and what is at stake.
    """

    answers: tuple[Answer, ...]
    silos: SiloAnalysis
    validation: ValidationReport | None
    enterprise: Enterprise | None
    parameters: Parameters = DEFAULT_PARAMETERS
    silo_parameters: SiloParameters = field(default_factory=SiloParameters)
    priorities: tuple[Priority, ...] = ()

    def all_answers(self) -> tuple[Answer, ...]:
        """The silo answer (number 0) and the ten answers, in that order."""
        return (self.silos.as_answer(), *self.answers)

    def answer(self, number: int) -> Answer:
        """The answer to question ``number`` (0 for the silos).

        Raises
        ------
        KeyError
            No question has that number.
        """
        for answer in self.all_answers():
            if answer.number == number:
                return answer
        raise KeyError(f"no question {number}")

    def priority_of(self, number: int, finding: Finding) -> Priority | None:
        """The priority made of ``finding`` of question ``number`` (``None`` if there is none)."""
        for priority in self.priorities:
            if priority.question == number and priority.finding == finding:
                return priority
        return None

    def findings(self) -> Iterator[tuple[int, Finding]]:
        """Every finding with its question number, silos first."""
        for answer in self.all_answers():
            for finding in answer.findings:
                yield answer.number, finding

    @property
    def caveats(self) -> tuple[str, ...]:
        """What every answer must say up front (the model breaks its shapes)."""
        return () if self.validation is None else self.validation.caveats()

    def to_dict(self) -> dict[str, Any]:
        """Plain data: the answers, the silos, the validation's summary, the priorities."""
        validation = None
        if self.validation is not None:
            validation = {
                "conforms": self.validation.conforms,
                "counts": self.validation.counts(),
                "triples": self.validation.triples,
            }
        return {
            "enterprise": self.enterprise.to_dict() if self.enterprise else None,
            "parameters": self.parameters.to_dict(),
            "silo_parameters": self.silo_parameters.to_dict(),
            "caveats": list(self.caveats),
            "validation": validation,
            "answers": [a.to_dict() for a in self.answers],
            "silos": self.silos.to_dict(),
            "priorities": [p.to_dict() for p in self.priorities],
        }


def analyse(
    model: KnowledgeGraph,
    *,
    params: Parameters = DEFAULT_PARAMETERS,
    silo_params: SiloParameters | None = None,
    enterprise: portfolio.Choice = None,
    validate: bool = True,
) -> Analysis:
    """Answer the ten questions, find the silos, validate and rank the findings of a model.

    Parameters
    ----------
    model
        The knowledge graph.
    params, silo_params
        The thresholds of the questions and the options of the silo analysis.
    enterprise
        The enterprise to answer for (IRI, CURIE or label); the only one by default.
    validate
        Whether to validate the model (the slowest part on a large model); without it the
        answers carry no caveat and :attr:`Analysis.validation` is ``None``.

    Raises
    ------
    EnterpriseError
        ``enterprise`` is not one of the model's, or is missing in a model of several.

    Examples
    --------
    >>> from kg.model import open_model
    >>> empty = analyse(open_model())
    >>> len(empty.answers), empty.validation.conforms, empty.priorities
    (10, True, ())
    """
    silo_params = silo_params if silo_params is not None else SiloParameters()
    report = _validate(model) if validate else None
    said = report.caveats() if report is not None else ()
    scope = portfolio.view(model, enterprise)
    answers = tuple(a.with_caveats(said) for a in ask_all(model, params=params, enterprise=scope))
    silos = find_silos(model, params=silo_params, enterprise=scope).with_caveats(said)
    ranked = prioritise(model, [*answers, silos.as_answer()])
    return Analysis(
        answers=answers,
        silos=silos,
        validation=report,
        enterprise=scope.enterprise,
        parameters=params,
        silo_parameters=silo_params,
        priorities=tuple(ranked),
    )


_validate = validate  # the parameter of analyse() hides the function's name


class _Slot:
    """One key's analysis, and the lock its first asker holds while computing it."""

    def __init__(self, model: KnowledgeGraph) -> None:
        self.model = weakref.ref(model)
        self.lock = threading.Lock()
        self.value: Analysis | None = None


class AnalysisCache:
    """Analyses kept per model, write count, parameters and enterprise (see the module's text).

    Parameters
    ----------
    kept
        How many analyses to keep; the least recently used goes first. Analyses of an older
        write count of the same model go as soon as one of a newer count is asked for.

    Attributes
    ----------
    computations : int
        How many analyses this cache has computed (not served from memory).
    """

    def __init__(self, *, kept: int = DEFAULT_KEPT) -> None:
        if kept < 1:
            raise ValueError(f"an analysis cache keeps at least one analysis, not {kept}")
        self.kept = kept
        self.computations = 0
        self._lock = threading.Lock()
        self._slots: OrderedDict[tuple[Hashable, ...], _Slot] = OrderedDict()

    def __len__(self) -> int:
        return len(self._slots)

    def get(
        self,
        model: KnowledgeGraph,
        *,
        params: Parameters = DEFAULT_PARAMETERS,
        silo_params: SiloParameters | None = None,
        enterprise: portfolio.Choice = None,
        validate: bool = True,
    ) -> Analysis:
        """The :func:`analyse` of ``model`` with these options, computed once per version.

        An analysis that fails (an unknown enterprise) is not kept: the error is raised to
        every caller that waited for it, and the next call tries again.
        """
        silo_params = silo_params if silo_params is not None else SiloParameters()
        count = writes()
        key = (id(model), count, params, silo_params, _choice_key(enterprise), validate)
        with self._lock:
            slot = self._slots.get(key)
            if slot is not None and slot.model() is not model:
                slot = None  # the id of a model that is gone, now another's
            if slot is None:
                self._drop_older(model, count)
                slot = self._slots[key] = _Slot(model)
                while len(self._slots) > self.kept:
                    self._slots.popitem(last=False)
            else:
                self._slots.move_to_end(key)
        with slot.lock:
            if slot.value is None:
                slot.value = analyse(
                    model,
                    params=params,
                    silo_params=silo_params,
                    enterprise=enterprise,
                    validate=validate,
                )
                with self._lock:
                    self.computations += 1
            return slot.value

    def clear(self) -> None:
        """Forget every analysis (after a write made around this package)."""
        with self._lock:
            self._slots.clear()

    def _drop_older(self, model: KnowledgeGraph, count: int) -> None:
        for key, slot in list(self._slots.items()):
            target = slot.model()
            if target is None or (target is model and key[1] != count):
                del self._slots[key]


def _choice_key(enterprise: portfolio.Choice) -> Hashable:
    if isinstance(enterprise, Enterprise):
        return ("iri", enterprise.iri)
    if isinstance(enterprise, portfolio.View):
        return ("view", id(enterprise))
    return ("name", enterprise)


_DEFAULT: AnalysisCache | None = None
_DEFAULT_LOCK = threading.Lock()


def default_cache() -> AnalysisCache:
    """The process's shared cache (made on first use), for the API, the CLI and the report."""
    global _DEFAULT
    with _DEFAULT_LOCK:
        if _DEFAULT is None:
            _DEFAULT = AnalysisCache()
        return _DEFAULT
