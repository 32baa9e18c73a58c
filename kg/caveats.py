"""What answers drawn from a model must say up front, so that none is silently wrong.

The ten questions and the silo rules are sound for a model that conforms to its shapes and holds
one enterprise with its amounts in one currency. :func:`caveats` says, in a sentence each, when a
model is outside that: it breaks its shapes; it holds several enterprises (goals, as-of dates,
sums and shares would mix them); its amounts are in several currencies (they would be added as
if they were one). The command line, the report, the API and the notebooks put these caveats on
every answer.

>>> from kg.model import open_model
>>> caveats(open_model())
()
"""

from __future__ import annotations

import pyoxigraph as ox

from kg.store import KnowledgeGraph
from kg.validation import ValidationReport, validate

__all__ = ["caveats"]

_ENTERPRISES = "SELECT DISTINCT ?enterprise WHERE { ?enterprise a bm:Enterprise }"
_CURRENCIES = """
SELECT DISTINCT ?currency WHERE {
  ?thing bm:currency ?currency .
  FILTER EXISTS { ?thing bm:amount|bm:targetRevenue ?amount }
}
ORDER BY ?currency
"""


def caveats(model: KnowledgeGraph, validation: ValidationReport | None = None) -> tuple[str, ...]:
    """The caveats of every answer drawn from ``model`` (validated here unless given)."""
    report = validation if validation is not None else validate(model)
    found = list(report.caveats())
    enterprises = _values(model, _ENTERPRISES, "enterprise")
    if len(enterprises) > 1:
        found.append(
            f"The model holds {len(enterprises)} enterprises, which the analysis does not yet "
            "keep apart: goals, dates, sums and shares mix them, so answers may be wrong; "
            "analyse one enterprise per model."
        )
    currencies = _values(model, _CURRENCIES, "currency")
    if len(currencies) > 1:
        found.append(
            f"Amounts are in {len(currencies)} currencies ({', '.join(currencies)}), which the "
            "analysis adds as if they were one, so sums, margins and shares may be wrong; write "
            "the model's amounts in one currency."
        )
    return tuple(found)


def _values(model: KnowledgeGraph, sparql: str, name: str) -> list[str]:
    answer = model.query(sparql)
    assert isinstance(answer, ox.QuerySolutions)
    return [row[name].value for row in answer if row[name] is not None]
