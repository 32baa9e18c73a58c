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

from collections.abc import Callable

from kg.views.base import Badge, Href, View, badges, money, stylesheet
from kg.views.canvas import business_model_canvas, value_proposition_canvas
from kg.views.heatmap import heatmap
from kg.views.journey import journey_map
from kg.views.silomatrix import silo_matrix

__all__ = [
    "VIEWS",
    "Badge",
    "Href",
    "View",
    "badges",
    "business_model_canvas",
    "heatmap",
    "journey_map",
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
