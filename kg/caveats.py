"""What answers drawn from a model must say up front, so that none is silently wrong.

The ten questions and the silo rules are sound for a model that conforms to its shapes.
:func:`caveats` says, in a sentence, when a model breaks them. What an answer must say about its
own enterprise's money (amounts converted, or left out of sums for want of an exchange rate) it
carries itself (:mod:`kg.money`); a model of several enterprises is answered one enterprise at
a time (:mod:`kg.portfolio`). The command line, the report, the API and the notebooks put these
caveats on every answer.

>>> from kg.model import open_model
>>> caveats(open_model())
()
"""

from __future__ import annotations

from kg.store import KnowledgeGraph
from kg.validation import ValidationReport, validate

__all__ = ["caveats"]


def caveats(model: KnowledgeGraph, validation: ValidationReport | None = None) -> tuple[str, ...]:
    """The caveats of every answer drawn from ``model`` (validated here unless given)."""
    report = validation if validation is not None else validate(model)
    return report.caveats()
