"""The views architects know, drawn from the knowledge graph as HTML and CSS.

- :func:`business_model_canvas`: the nine blocks of the Business Model Canvas;
- :func:`value_proposition_canvas`: per segment and value proposition, jobs, pains and gains
  against what the propositions address, and the fit;
- :func:`journey_map`: a customer journey's stages as columns, lanes for touchpoints, channels,
  capabilities, processes, applications and units, the emotion curve on top;
- :func:`heatmap`: the capabilities as nested tiles coloured by maturity gap;
- :func:`silo_matrix`: segments against units, applications and data stores.

Each returns a :class:`View`: no script and no network, readable inside the report, in a notebook
(``_repr_html_``) or as a page of its own (:meth:`View.save`), and printable from the browser.
Each takes the findings to mark (``findings=``, a badge on every thing a finding names) and where
names link to (``href=``, an IRI to a URL).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Sequence
from typing import Any

from kg import portfolio
from kg.answers import Finding
from kg.portfolio import Choice
from kg.store import KnowledgeGraph
from kg.views.base import Badge, Href, View, badges, money, stylesheet
from kg.views.canvas import business_model_canvas, value_proposition_canvas
from kg.views.heatmap import heatmap
from kg.views.journey import journey_map
from kg.views.silomatrix import silo_matrix

__all__ = [
    "MARKS_REACHED",
    "VIEWS",
    "Badge",
    "Href",
    "View",
    "badges",
    "business_model_canvas",
    "draw",
    "heatmap",
    "journey_map",
    "model_findings",
    "money",
    "silo_matrix",
    "stylesheet",
    "value_proposition_canvas",
]

VIEWS: dict[str, Callable[..., View]] = {
    "canvas": business_model_canvas,
    "value-proposition-canvas": value_proposition_canvas,
    "journey-map": journey_map,
    "heatmap": heatmap,
    "silo-matrix": silo_matrix,
}
"""The views by kind, in the order a report shows them; each is called with a model and the
keyword arguments ``findings`` and ``href`` (and ``enterprise``)."""

MARKS_REACHED = ("canvas", "journey-map")
"""The views that mark what an impact reaches (their ``reached`` argument)."""


def model_findings(model: KnowledgeGraph, *, enterprise: Choice = None) -> list[Finding]:
    """The findings of the ten questions and of the silo analysis, for the views' badges."""
    from kg.questions import ask_all
    from kg.silos import find_silos

    scope = portfolio.view(model, enterprise)
    found = [f for answer in ask_all(model, enterprise=scope) for f in answer.findings]
    return [*found, *find_silos(model, enterprise=scope).findings]


def draw(
    kind: str,
    model: KnowledgeGraph,
    *,
    enterprise: Choice = None,
    findings: Iterable[Finding] | None = None,
    href: Href | None = None,
    iri: str | None = None,
    reached: Collection[str] = (),
    reached_from: Sequence[str] = (),
) -> View:
    """Draw one view by its kind (a key of :data:`VIEWS`).

    ``findings`` mark the things they name; ``None`` runs the ten questions and the silo
    analysis for them (:func:`model_findings`). ``iri`` narrows the views that can be narrowed:
    the journey of a journey map, the segment of a value proposition canvas. ``reached`` (the
    IRIs an impact reaches, :attr:`kg.impact.Impact.iris`) marks them on the canvas and the
    journey map; ``reached_from`` names the elements it started from, in the view's key.

    Raises
    ------
    ValueError
        ``kind`` is not a view, ``iri`` is given for a view that draws the whole model, or
        ``reached`` for a view that does not mark it.

    Examples
    --------
    >>> from kg.model import open_model
    >>> from kg.ontology import example_path
    >>> draw("canvas", open_model(example_path("telco")), findings=()).kind
    'canvas'
    """
    if kind not in VIEWS:
        raise ValueError(f"there is no view {kind!r}; the views are {', '.join(VIEWS)}")
    if findings is None:
        findings = model_findings(model, enterprise=enterprise)
    common: dict[str, Any] = {"enterprise": enterprise, "findings": tuple(findings), "href": href}
    if reached:
        if kind not in MARKS_REACHED:
            marking = " and the ".join(MARKS_REACHED)
            raise ValueError(f"only the {marking} mark what an impact reaches, not a {kind}")
        common["reached"] = frozenset(reached)
        common["reached_from"] = tuple(reached_from)
    if iri is None:
        return VIEWS[kind](model, **common)
    if kind == "journey-map":
        return journey_map(model, iri, **common)
    if kind == "value-proposition-canvas":
        return value_proposition_canvas(model, segment=iri, **common)
    raise ValueError(f"a {kind} view draws the whole model: it takes no IRI")
