"""Pictures of a model: interactive networks that render in Jupyter and as offline HTML pages.

Each function returns a :class:`Picture`: a :class:`pyvis.network.Network` (nodes coloured by
concept from one palette, :data:`PALETTE`, labelled, with tooltips that give a thing's type,
label and key facts) together with a title, a legend and notes. ``Picture.to_html()`` is one
standalone page with vis-network's script and style inlined from pyvis's bundled copy: it loads
nothing from the network, so it works offline. In Jupyter a picture renders inline (an iframe
whose ``srcdoc`` is that page).

:func:`model_picture`
    The whole model (or the things of some classes), coloured by concept.
:func:`neighbourhood_picture`
    One thing and what lies within N links of it.
:func:`journey_picture`
    A customer journey from left to right: the persona, the stages in order, their touchpoints
    coloured by emotion (or satisfaction), and below them the channels, capabilities, processes,
    applications and units behind each touchpoint.
:func:`silo_picture`
    The channels, units, processes, applications and data stores a segment's customers meet
    (:func:`kg.structure.segment_silo_measure`), with the subjects of its silo findings
    highlighted.
:func:`capability_map_picture`
    The capabilities, broader above narrower, coloured by maturity gap.
:func:`answer_picture`
    The findings of an :class:`~kg.answers.Answer`, the things they name highlighted, in the
    context of what those things link to.

Large models stay usable: the layout (physics) stops once it has stabilised, and a picture of
more than ``max_nodes`` things shows one node per class, with counts and the links between
classes, and says so. The data comes from the registry's queries in ``kg/queries/pictures``;
:func:`picture_data` reads it once, and every picture function takes it as ``data=``, so that
many pictures of one model (a report's) do not read the whole model again for each.

>>> from kg.model import open_model
>>> picture = model_picture(open_model())
>>> picture.title, len(picture.nodes)
('The model', 0)
>>> "vis.Network" in picture.to_html()
True
"""

from __future__ import annotations

import html
import json
import math
import os
import re
import textwrap
from collections import defaultdict, deque
from collections.abc import Collection, Iterable, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

import pyvis
from pyvis.network import Network

from kg import portfolio
from kg.answers import Answer, Level, Subject, preferred_label
from kg.entities import class_names
from kg.errors import NotFoundError
from kg.queries import run
from kg.silos import SiloAnalysis, find_silos
from kg.store import KnowledgeGraph
from kg.vocab import STANDARD_PREFIXES

__all__ = [
    "CANVAS_BLOCKS",
    "EMOTION_COLOURS",
    "FINDING_COLOURS",
    "GAP_COLOURS",
    "HIGHLIGHT",
    "PALETTE",
    "READABLE_PX",
    "Picture",
    "PictureData",
    "answer_picture",
    "capability_map_picture",
    "journey_picture",
    "model_picture",
    "neighbourhood_picture",
    "picture_data",
    "silo_picture",
    "vis_assets",
]

_BM = "https://w3id.org/bmkg/ontology#"
_BMV = "https://w3id.org/bmkg/vocab#"
_SKOS_BROADER = "http://www.w3.org/2004/02/skos/core#broader"

CANVAS_BLOCKS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "strategy": ("Enterprise", "Goal", "Benefit", "Risk"),
        "customers": ("CustomerSegment", "Persona", "Job", "Pain", "Gain", "Evidence"),
        "offer": ("ValueProposition", "Product", "Service", "BrandPromise"),
        "channels and journeys": (
            "Channel",
            "CustomerRelationship",
            "CustomerJourney",
            "JourneyStage",
            "Touchpoint",
        ),
        "operations": (
            "Capability",
            "OrganisationalUnit",
            "BusinessProcess",
            "Application",
            "DataStore",
            "KeyResource",
            "KeyActivity",
            "KeyPartner",
        ),
        "finance": ("CostItem", "RevenueStream"),
        "measures": ("Metric", "KeyRiskIndicator"),
        "places": ("Geography", "Locale"),
    }
)
"""The concepts of the canvas by block; each block has its own family of hues in :data:`PALETTE`."""

PALETTE: Mapping[str, str] = MappingProxyType(
    {
        # strategy: slate and indigo
        "Enterprise": "#263238",
        "Goal": "#455a64",
        "Benefit": "#9fa8da",
        "Risk": "#8e6c8a",
        # customers: blues
        "CustomerSegment": "#1f4e9c",
        "Persona": "#5b9bd5",
        "Job": "#a9cdf0",
        "Pain": "#283593",
        "Gain": "#3cb4e5",
        "Evidence": "#cfe8ff",
        # offer: purples
        "ValueProposition": "#7b3fa0",
        "Product": "#a27fd6",
        "Service": "#d4c4f2",
        "BrandPromise": "#b53c9f",
        # channels and journeys: teals and cyans
        "Channel": "#00838f",
        "CustomerRelationship": "#8fdcd9",
        "CustomerJourney": "#004d56",
        "JourneyStage": "#3fb3a8",
        "Touchpoint": "#00bcd4",
        # operations: greens
        "Capability": "#2e7d32",
        "OrganisationalUnit": "#1b4d20",
        "BusinessProcess": "#66bb6a",
        "Application": "#b9e4a6",
        "DataStore": "#6b8e23",
        "KeyResource": "#9ccc3a",
        "KeyActivity": "#3d9970",
        "KeyPartner": "#827717",
        # finance: browns
        "CostItem": "#a0522d",
        "RevenueStream": "#5d4037",
        # measures: pinks
        "Metric": "#e377c2",
        "KeyRiskIndicator": "#f7b6e0",
        # places: pale yellows
        "Geography": "#f0f4a8",
        "Locale": "#d4c44a",
    }
)
"""The colour of each concept (class local name), by canvas block (:data:`CANVAS_BLOCKS`); other
classes are light grey (``#e0e0e0``). No concept shares a colour with a finding
(:data:`FINDING_COLOURS`): reds, ambers and mid greys are kept for findings."""

_OTHER = "#e0e0e0"
HIGHLIGHT = "#d00000"
"""The border colour of highlighted nodes (a silo finding's subjects, an answer's subjects)."""

FINDING_COLOURS: Mapping[Level, str] = MappingProxyType(
    {Level.HIGH: "#d62728", Level.MEDIUM: "#ffb000", Level.LOW: "#8c8c8c"}
)
"""The fill of a finding's box by severity: red, amber, grey; no concept is drawn in these."""

EMOTION_COLOURS: Mapping[int, str] = MappingProxyType(
    {-2: "#d73027", -1: "#fc8d59", 0: "#ffffbf", 1: "#91cf60", 2: "#1a9850"}
)
"""Touchpoint colours by emotion, from -2 (angry) to +2 (delighted)."""

GAP_COLOURS: Mapping[str, str] = MappingProxyType(
    {"no gap": "#59a14f", "gap 1": "#f1ce63", "gap 2": "#f28e2b", "gap 3+": "#d62728"}
)
"""Capability colours by maturity gap (target less current); unknown maturity is grey."""

READABLE_PX = 10
"""The smallest label, in screen pixels, that a page counts as readable (``data-vis-labels``)."""

# Label size in the network's units: large enough to read at the fitted zoom of ~60 nodes.
_FONT = 22

# The facts a tooltip shows first, in this order; other facts follow up to _MAX_FACTS lines.
_KEY_FACTS = (
    "lifecycleStatus",
    "currentMaturity",
    "targetMaturity",
    "emotion",
    "satisfaction",
    "customerAction",
    "amount",
    "currency",
    "segmentSize",
    "customerCount",
    "growthRate",
    "channelKind",
    "hasFunction",
    "holdsCustomerData",
    "isMasterCustomerRecord",
    "actualValue",
    "targetValue",
    "plannedValue",
    "importance",
    "criticality",
    "likelihood",
    "impact",
    "sequence",
)
_MAX_FACTS = 8
_MAX_TEXT = 80


# -- the picture ------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Picture:
    """A network to look at: nodes, edges and options, with a title, a legend and notes.

    ``network`` is the :class:`pyvis.network.Network` (its ``nodes`` and ``edges`` are the
    vis-network data, its ``options`` the vis-network options); ``legend`` pairs each entry's
    text with its colour; ``notes`` are shown above the network (what was aggregated, the
    findings); ``highlighted`` holds the ids of the highlighted nodes; ``aggregated`` says the
    picture shows one node per class instead of the things themselves.
    """

    title: str
    network: Network
    legend: tuple[tuple[str, str], ...] = ()
    notes: tuple[str, ...] = ()
    highlighted: frozenset[str] = frozenset()
    aggregated: bool = False
    height: int = 700

    @property
    def nodes(self) -> list[dict[str, Any]]:
        """The vis-network nodes (``id``, ``label``, ``title``, ``color``...)."""
        return list(self.network.nodes)

    @property
    def edges(self) -> list[dict[str, Any]]:
        """The vis-network edges (``from``, ``to``, ``title``...)."""
        return list(self.network.edges)

    def node(self, node_id: str) -> dict[str, Any]:
        """One node by id.

        Raises
        ------
        KeyError
            No node with that id.
        """
        return dict(self.network.node_map[node_id])

    def to_fragment(self, element_id: str, *, heading: int = 2) -> str:
        """This picture as a part of a page: a titled ``<div>`` and the script that draws it.

        The ``<div id="element_id">`` holds the title (an ``<h{heading}>``), the notes, the
        legend and the network's container; the inline script after it creates the network.
        The page must include :func:`vis_assets` once, before the first fragment, so that many
        pictures share one copy of vis-network.

        Raises
        ------
        ValueError
            ``element_id`` is not a plain HTML id (a letter, then letters, digits, ``-``, ``_``)
            or ``heading`` is not 1 to 6.
        """
        if not _ELEMENT_ID.fullmatch(element_id):
            raise ValueError(f"not a plain HTML id: {element_id!r}")
        if heading not in range(1, 7):
            raise ValueError(f"heading must be 1 to 6, not {heading!r}")
        legend = "".join(
            f'<li><span class="{_swatch_class(text, colour)}" '
            f'style="background:{html.escape(colour)}"></span>{html.escape(text)}</li>'
            for text, colour in self.legend
        )
        notes = "".join(f"<p>{html.escape(note)}</p>" for note in self.notes)
        return _FRAGMENT.format(
            id=html.escape(element_id),
            id_json=_script_json(element_id),
            heading=f"h{heading}",
            title=html.escape(self.title),
            legend=f'<ul class="legend">{legend}</ul>' if legend else "",
            notes=f'<div class="notes">{notes}</div>' if notes else "",
            height=int(self.height),
            nodes=_script_json(self.network.nodes),
            edges=_script_json(self.network.edges),
            options=_script_json(self.network.options),
            readable=READABLE_PX,
            focus=_script_json(sorted(self.highlighted)),
        )

    def to_html(self) -> str:
        """One standalone HTML page that works offline: script, style and data inlined.

        It is :func:`vis_assets` and :meth:`to_fragment` in a page. Once the network has drawn,
        the page's ``<body>`` carries ``data-vis-nodes`` (the number of nodes),
        ``data-vis-labels`` (how many labels are drawn at least :data:`READABLE_PX` pixels high
        at the opening zoom) and ``data-vis-drawn="true"``, for browser tests.
        """
        return _PAGE.format(
            title=html.escape(self.title),
            assets=vis_assets(),
            fragment=self.to_fragment("picture", heading=1),
        )

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write :meth:`to_html` to ``path`` (UTF-8); return the path."""
        target = Path(path)
        target.write_text(self.to_html(), encoding="utf-8")
        return target

    def _repr_html_(self) -> str:
        # An iframe keeps the page's script and style apart from the notebook's, and srcdoc
        # needs no file and no server.
        return (
            f'<iframe srcdoc="{html.escape(self.to_html(), quote=True)}" '
            f'style="width:100%;height:{int(self.height) + 160}px;border:none" '
            f'sandbox="allow-scripts" title="{html.escape(self.title)}"></iframe>'
        )


_ELEMENT_ID = re.compile(r"[A-Za-z][A-Za-z0-9_-]*")
_FINDING_LEGEND = frozenset(f"{level.value} finding" for level in Level)
_RING = " (red ring)"


def _swatch_class(text: str, colour: str) -> str:
    """A finding's swatch is square (findings are boxes); the highlight's is a ring."""
    if text in _FINDING_LEGEND:
        return "swatch square"
    if text.endswith(_RING) and colour == HIGHLIGHT:
        return "swatch ring"
    return "swatch"


_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{title}</title>
<style>body {{ font-family: system-ui, sans-serif; margin: 12px; color: #222; }}</style>
{assets}
</head>
<body>
{fragment}
</body>
</html>
"""

# Styles of the pictures, scoped to their <div class="kg-picture">.
_PICTURE_CSS = """
.kg-picture h1, .kg-picture h2, .kg-picture h3, .kg-picture h4 { font-size: 1.2em;
  margin: 0 0 6px 0; }
.kg-picture .notes p { margin: 2px 0; font-size: 0.9em; }
.kg-picture ul.legend { list-style: none; padding: 0; margin: 6px 0; display: flex;
  flex-wrap: wrap; }
.kg-picture ul.legend li { margin: 0 12px 4px 0; font-size: 0.85em; display: flex;
  align-items: center; }
.kg-picture .swatch { display: inline-block; width: 12px; height: 12px; border-radius: 6px;
  margin-right: 4px; border: 1px solid #666; }
.kg-picture .swatch.square { border-radius: 2px; width: 18px; }
.kg-picture .swatch.ring { background: #fff !important; border: 3px solid #d00000;
  width: 8px; height: 8px; }
.kg-picture .kg-network { width: 100%; border: 1px solid #ddd; }
.kg-picture .kg-progress { font-size: 0.85em; color: #666; height: 1.2em; }
div.vis-tooltip { white-space: pre-line; max-width: 420px; }
"""

# Once per page, after vis-network: kgPictureDrawn marks each network's container, once it has
# drawn, with its node count and its count of labels drawn readably, and the <body> with the
# sums over all drawn networks and, once every network of the page has drawn,
# data-vis-drawn="true" (for browser tests).
_MARKER_JS = """
window.kgPictureDrawn = function (container, count, labels) {
  container.dataset.visNodes = String(count);
  container.dataset.visLabels = String(labels);
  container.dataset.visDrawn = "true";
  var all = document.querySelectorAll(".kg-network");
  var total = 0, drawn = 0, readable = 0;
  for (var i = 0; i < all.length; i++) {
    if (all[i].dataset.visDrawn === "true") {
      drawn += 1;
      total += parseInt(all[i].dataset.visNodes, 10) || 0;
      readable += parseInt(all[i].dataset.visLabels, 10) || 0;
    }
  }
  document.body.dataset.visNodes = String(total);
  document.body.dataset.visLabels = String(readable);
  document.body.dataset.visPictures = String(drawn);
  if (drawn === all.length) { document.body.dataset.visDrawn = "true"; }
};
"""

_FRAGMENT = """<div class="kg-picture" id="{id}">
<{heading}>{title}</{heading}>
{notes}
{legend}
<div class="kg-progress" id="{id}-progress"></div>
<div class="kg-network" id="{id}-network" style="height:{height}px"></div>
<script>
(function () {{
  var id = {id_json};
  var nodes = new vis.DataSet({nodes});
  var edges = new vis.DataSet({edges});
  var options = {options};
  var container = document.getElementById(id + "-network");
  var progress = document.getElementById(id + "-progress");
  var network = new vis.Network(container, {{nodes: nodes, edges: edges}}, options);
  network.on("stabilizationProgress", function (params) {{
    var done = Math.round(100 * params.iterations / params.total);
    progress.textContent = "Laying out: " + done + "%";
  }});
  var readable = {readable};
  var focus = {focus};
  var baseFont = (options.nodes && options.nodes.font && options.nodes.font.size) || 14;
  function fontOf(node) {{ return (node.font && node.font.size) || baseFont; }}
  // The network hides a label drawn smaller than its drawThreshold: when the fitted view is
  // too far out for the smallest label to read, zoom in to where it does, centred on the
  // highlighted nodes (where an impact starts, what the findings name) when there are some.
  function focusPoint() {{
    var at = network.getPositions(focus), ids = Object.keys(at), x = 0, y = 0;
    if (!ids.length) {{ return null; }}
    ids.forEach(function (key) {{ x += at[key].x; y += at[key].y; }});
    return {{x: x / ids.length, y: y / ids.length}};
  }}
  function readableZoom() {{
    container.dataset.visFitScale = network.getScale().toFixed(3);
    var smallest = Math.min.apply(null, nodes.map(fontOf).concat([baseFont]));
    if (network.getScale() * smallest < readable) {{
      var at = focusPoint(), move = {{scale: readable / smallest}};
      if (at) {{ move.position = at; }}
      network.moveTo(move);
      progress.textContent = "Zoomed in so that the labels read: drag to see the rest.";
    }}
  }}
  function labelsDrawn() {{
    var scale = network.getScale();
    return nodes.get({{filter: function (node) {{
      return Boolean(node.label) && fontOf(node) * scale >= readable;
    }}}}).length;
  }}
  var marked = false;
  function drawn() {{
    if (!marked) {{
      marked = true;
      readableZoom();
      window.kgPictureDrawn(container, nodes.length, labelsDrawn());
    }}
  }}
  // Physics on a large graph never quite rests: stop it once the layout has stabilised.
  network.once("stabilizationIterationsDone", function () {{
    progress.textContent = "";
    network.setOptions({{physics: false}});
    drawn();
  }});
  network.once("afterDrawing", drawn);
}})();
</script>
</div>"""


def vis_assets() -> str:
    """vis-network's style and script, the pictures' style and the drawn marker, inlined.

    A page of pictures includes this once (in its ``<head>`` or before the first
    :meth:`Picture.to_fragment`); :meth:`Picture.to_html` does so for a page of one picture.
    Nothing is loaded from the network.
    """
    return (
        f"<style>{_vis_css()}</style>\n<style>{_PICTURE_CSS}</style>\n"
        f"<script>{_vis_js()}</script>\n<script>{_MARKER_JS}</script>"
    )


@cache
def _vis_js() -> str:
    return _script_safe((_VIS / "vis-network.min.js").read_text(encoding="utf-8"))


@cache
def _vis_css() -> str:
    return (_VIS / "vis-network.css").read_text(encoding="utf-8").replace("</", "<\\/")


_VIS = Path(pyvis.__file__).resolve().parent / "templates" / "lib" / "vis-9.1.2"


def _script_safe(text: str) -> str:
    # Inside <script>, only "</script" (and "<!--") can end or derail the element.
    return re.sub(r"<(?=/script|!--)", "\\\\x3C", text, flags=re.IGNORECASE)


def _script_json(value: Any) -> str:
    """JSON to put inside a ``<script>``: ``<``, ``>`` and ``&`` escaped, so text cannot end it."""
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


# -- the model's things, links and facts ------------------------------------------------------


@dataclass(frozen=True)
class _Thing:
    iri: str
    type: str
    label: str
    facts: tuple[tuple[str, str], ...] = ()

    def fact(self, name: str) -> str | None:
        return next((value for key, value in self.facts if key == name), None)


class PictureData:
    """The things of a model, their links and their facts: what the pictures are drawn from.

    :func:`picture_data` reads it from a model, with three queries over the whole model. Every
    picture function takes it as ``data=``, so that many pictures of one model (a report's)
    read the model once. It is a snapshot: pictures drawn from it do not see later changes to
    the model.
    """

    def __init__(
        self,
        things: Mapping[str, _Thing],
        links: Iterable[tuple[str, str, str]],
        values: Mapping[str, Mapping[str, tuple[Any, ...]]],
    ) -> None:
        self.things = things
        self.links = tuple(sorted(links))
        self.values = values
        # Indexes by thing, so that a picture of a few things costs what those things link to,
        # not a pass over every link of the model.
        outgoing: dict[str, list[tuple[str, str, str]]] = defaultdict(list)
        incoming: dict[str, list[tuple[str, str, str]]] = defaultdict(list)
        adjacent: dict[str, set[str]] = defaultdict(set)
        for link in self.links:
            source, _, target = link
            outgoing[source].append(link)
            incoming[target].append(link)
            adjacent[source].add(target)
            adjacent[target].add(source)
        self._outgoing = dict(outgoing)
        self._incoming = dict(incoming)
        self._adjacent = dict(adjacent)

    def neighbours(self, iri: str) -> AbstractSet[str]:
        """The things linked to or from ``iri``."""
        return self._adjacent.get(iri, frozenset())

    def links_into(self, iri: str, prop: str) -> list[str]:
        """The things that link to ``iri`` by ``prop`` (a full IRI)."""
        return [source for source, p, _ in self._incoming.get(iri, ()) if p == prop]

    def links_within(self, nodes: Collection[str]) -> list[tuple[str, str, str]]:
        """The links between two of ``nodes`` (not from a node to itself), in order."""
        members = set(nodes)
        return sorted(
            (s, p, t)
            for node in members
            for s, p, t in self._outgoing.get(node, ())
            if t in members and s != t
        )

    def number(self, iri: str, name: str) -> float | None:
        """The lowest number among the values of a property, or ``None``."""
        values = self.values.get(iri, {}).get(name, ())
        numbers = [float(v) for v in values if isinstance(v, int | float | Decimal)]
        return min(numbers) if numbers else None


def picture_data(model: KnowledgeGraph) -> PictureData:
    """Read the things, links and facts the pictures draw from, to draw many pictures from them.

    Examples
    --------
    >>> from kg.model import open_model
    >>> model = open_model()
    >>> data = picture_data(model)
    >>> model_picture(model, data=data).title
    'The model'
    """
    classes: dict[str, set[str]] = defaultdict(set)
    labels: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for row in run(model, "picture-things"):
        classes[row["thing"]].add(_local(row["class"]))
        if "label" in row:
            labels[row["thing"]].append((row["label"], row.get("language", "")))
    values: dict[str, dict[str, list[Any]]] = defaultdict(lambda: defaultdict(list))
    for row in run(model, "picture-facts"):
        values[row["thing"]][_local(row["property"])].append(row["value"])
    order = {name: i for i, name in enumerate(PALETTE)}
    things = {}
    for iri in sorted(classes):
        kind = min(classes[iri], key=lambda k: (order.get(k, len(order)), k))
        facts = values.get(iri, {})
        shown = sorted(facts, key=lambda k: (_KEY_FACTS.index(k) if k in _KEY_FACTS else 99, k))
        things[iri] = _Thing(
            iri,
            kind,
            preferred_label(labels[iri]) or _local(iri),
            tuple((name, _show(facts[name])) for name in shown[:_MAX_FACTS]),
        )
    links = (
        (row["source"], row["property"], row["target"])
        for row in run(model, "picture-links")
        if row["source"] in things and row["target"] in things
    )
    frozen = {iri: {k: tuple(v) for k, v in facts.items()} for iri, facts in values.items()}
    return PictureData(things, links, frozen)


def _show(values: Iterable[Any]) -> str:
    shown = []
    for value in values:
        if isinstance(value, bool):
            shown.append("yes" if value else "no")
        elif isinstance(value, int | Decimal) and abs(float(value)) >= 10_000:
            shown.append(f"{value:,}")
        elif isinstance(value, str) and value.startswith((_BM, _BMV)):
            shown.append(_words(_local(value)))
        else:
            text = str(value)
            shown.append(text if len(text) <= _MAX_TEXT else text[: _MAX_TEXT - 1] + "…")
    return ", ".join(sorted(shown))


def _tooltip(thing: _Thing, *extra: str) -> str:
    lines = [thing.label, f"type: {_words(thing.type)}"]
    lines += [f"{_words(name)}: {value}" for name, value in thing.facts]
    lines += [line for line in extra if line]
    lines.append(thing.iri)
    return "\n".join(lines)


def _local(iri: str) -> str:
    return iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def _words(name: str) -> str:
    """``currentMaturity`` -> ``current maturity``; ``CustomerSegment`` -> ``customer segment``."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", name).lower()


def _curie(iri: str) -> str:
    for prefix, namespace in STANDARD_PREFIXES.items():
        if iri.startswith(namespace):
            return f"{prefix}:{iri[len(namespace) :]}"
    return iri


def _colour(kind: str) -> str:
    return PALETTE.get(kind, _OTHER)


_OTHER_LEGEND = "other classes"


def _legend_text(kind: str) -> str:
    """A concept's legend entry; the classes without a colour of their own share one."""
    return _words(kind) if kind in PALETTE else _OTHER_LEGEND


_LEGEND_RANK = {_words(kind): i for i, kind in enumerate(PALETTE)}


def _legend_order(entry: tuple[str, str]) -> tuple[int, int, str]:
    """Findings first, then the concepts by canvas block, then the rest in the order drawn."""
    text = entry[0]
    if text in _FINDING_LEGEND:
        return (0, [f"{level.value} finding" for level in Level].index(text), text)
    if text in _LEGEND_RANK:
        return (1, _LEGEND_RANK[text], "")
    if text == _OTHER_LEGEND:
        return (2, 0, "")
    return (3, 0, "")


# -- building a picture -----------------------------------------------------------------------


def _options(*, physics: bool = True, nodes: int = 0, hierarchical: bool = False) -> dict[str, Any]:
    options: dict[str, Any] = {
        "nodes": {
            "shape": "dot",
            "size": 16,
            "font": {"size": _FONT, "strokeWidth": 3, "strokeColor": "#ffffff"},
            "borderWidth": 1,
        },
        "edges": {
            "arrows": {"to": {"enabled": True, "scaleFactor": 0.5}},
            "color": {"color": "#a0a0a0", "highlight": "#404040", "inherit": False},
            "font": {"size": 9, "align": "middle"},
            # An aggregated picture's links are as wide as they are many, up to a limit.
            "scaling": {"min": 1, "max": 8},
            # Straight edges draw much faster than curves on large graphs.
            "smooth": nodes <= 300,
        },
        "interaction": {"hover": True, "tooltipDelay": 120, "hideEdgesOnDrag": nodes > 300},
        "physics": {
            "enabled": physics,
            "solver": "forceAtlas2Based",
            # A compact layout: the fitted zoom stays large enough for the labels to read.
            "forceAtlas2Based": {
                "gravitationalConstant": -60,
                "centralGravity": 0.02,
                "springLength": 80,
                "avoidOverlap": 0.3,
            },
            "stabilization": {
                "enabled": physics,
                "iterations": 1000 if nodes <= 300 else 300,
                "updateInterval": 25,
                "fit": True,
            },
        },
    }
    if hierarchical:
        options["layout"] = {
            "hierarchical": {
                "enabled": True,
                "direction": "UD",
                "sortMethod": "directed",
                "levelSeparation": 110,
                "nodeSpacing": 170,
            }
        }
    return options


class _Builder:
    """Collects nodes, edges and legend entries, then makes the :class:`Picture`."""

    def __init__(self, title: str) -> None:
        self.title = title
        self.network = Network(height="700px", width="100%", directed=True)
        self.legend: dict[str, str] = {}
        self.notes: list[str] = []
        self.highlighted: set[str] = set()
        self.highlight_meaning = "highlighted"

    def thing(
        self,
        thing: _Thing,
        *,
        fill: str | None = None,
        label: str | None = None,
        extra: Iterable[str] = (),
        highlight: bool = False,
        **options: Any,
    ) -> None:
        if thing.iri in self.network.node_map:
            return
        self.legend.setdefault(_legend_text(thing.type), _colour(thing.type))
        self.node(
            thing.iri,
            label if label is not None else _short_label(thing.label),
            _tooltip(thing, *extra),
            fill or _colour(thing.type),
            highlight=highlight,
            **options,
        )

    def node(
        self,
        node_id: str,
        label: str,
        title: str,
        fill: str,
        *,
        highlight: bool = False,
        **options: Any,
    ) -> None:
        if node_id in self.network.node_map:
            return
        border = HIGHLIGHT if highlight else "#555555"
        colour = {
            "background": fill,
            "border": border,
            "highlight": {"background": fill, "border": "#000000"},
            "hover": {"background": fill, "border": "#000000"},
        }
        if highlight:
            self.highlighted.add(node_id)
            options.setdefault("borderWidth", 4)
            options.setdefault("size", 20)
        self.network.add_node(node_id, label=label, title=title, color=colour, **options)

    def edge(self, source: str, target: str, title: str, **options: Any) -> None:
        self.network.add_edge(source, target, title=title, **options)

    def links(self, data: PictureData, nodes: Collection[str]) -> None:
        for source, prop, target in data.links_within(nodes):
            if source in self.network.node_map and target in self.network.node_map:
                self.edge(source, target, _curie(prop))

    def picture(self, options: dict[str, Any], *, aggregated: bool = False) -> Picture:
        self.network.options = options
        if self.highlighted:
            self.legend.setdefault(self.highlight_meaning + _RING, HIGHLIGHT)
        return Picture(
            title=self.title,
            network=self.network,
            legend=tuple(sorted(self.legend.items(), key=_legend_order)),
            notes=tuple(self.notes),
            highlighted=frozenset(self.highlighted),
            aggregated=aggregated,
            height=_height(len(self.network.node_map)),
        )


def _height(nodes: int) -> int:
    """The network's height in pixels: taller for more nodes, so that the fitted zoom (which a
    wide screen leaves limited by the height) keeps their labels readable."""
    return max(500, min(900, 400 + 8 * nodes))


def _aggregate(title: str, data: PictureData, nodes: Collection[str], why: str) -> Picture:
    """One node per class with its count, and one edge per pair of classes with the link count."""
    builder = _Builder(title)
    count: dict[str, int] = defaultdict(int)
    for iri in nodes:
        count[data.things[iri].type] += 1
    for kind, n in sorted(count.items(), key=lambda item: (-item[1], item[0])):
        builder.legend.setdefault(_legend_text(kind), _colour(kind))
        builder.node(
            f"type:{kind}",
            f"{_words(kind)} ({n})",
            f"{n} {_words(kind)} thing{'s' if n != 1 else ''}",
            _colour(kind),
            size=10 + 4 * math.sqrt(n),
        )
    between: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for source, prop, target in data.links_within(nodes):
        pair = (data.things[source].type, data.things[target].type)
        between[pair][_curie(prop)] += 1
    for (source, target), props in sorted(between.items()):
        total = sum(props.values())
        title_text = f"{total} link{'s' if total != 1 else ''}: " + ", ".join(
            f"{prop} ({n})" for prop, n in sorted(props.items())
        )
        # The count is in the tooltip and the width: labels on every class pair would cover
        # the class names.
        builder.edge(f"type:{source}", f"type:{target}", title_text, value=total)
    builder.notes.append(why)
    return builder.picture(_options(nodes=len(count)), aggregated=True)


# -- the pictures -----------------------------------------------------------------------------


def model_picture(
    model: KnowledgeGraph,
    *,
    types: Collection[str] | None = None,
    max_nodes: int = 150,
    data: PictureData | None = None,
    enterprise: portfolio.Choice = None,
) -> Picture:
    """The whole model, or the things of some classes, coloured by concept.

    Parameters
    ----------
    model
        The knowledge graph of an enterprise, or of several (:mod:`kg.portfolio`).
    types
        Class local names to show (``{"CustomerSegment", "ValueProposition"}``); all when omitted.
        A name that is no class of the ontology is an error, not an empty picture.
    max_nodes
        Above this many things, the picture shows one node per class (with counts) and the links
        between classes, and says so. More than about 150 dots do not leave their labels room
        at a screen's size; raise it to draw every thing (and zoom in to read them).
    data
        The model's :func:`picture_data`, when already read (of the enterprise's view).
    enterprise
        In a model of several enterprises, the one to draw (an IRI, a CURIE or a label); the
        whole model when omitted.

    Examples
    --------
    >>> from kg.model import open_model
    >>> model_picture(open_model(), types={"Channel"}).aggregated
    False
    """
    if types is not None:
        unknown = sorted(set(types) - set(class_names()))
        if unknown:
            raise ValueError(
                f"unknown type {', '.join(map(repr, unknown))}: not a class of the bm: ontology"
            )
    chosen = None
    if enterprise is not None:
        view = portfolio.view(model, enterprise)
        model, chosen = view.model, view.enterprise
    if data is None:
        data = picture_data(model)
    kept = [iri for iri, t in data.things.items() if types is None or t.type in types]
    title = (
        "The model"
        if types is None
        else "The model: " + ", ".join(_words(t) for t in sorted(types))
    )
    if chosen is not None:
        title += f" of {chosen.name}"
    if len(kept) > max_nodes:
        return _aggregate(
            title,
            data,
            kept,
            f"{len(kept)} things in {len({data.things[i].type for i in kept})} classes are "
            f"more than {max_nodes} to draw one by one: one node per class is shown, sized by "
            "how many things it has (in brackets); a line joins two classes whose things link, "
            "as thick as their links are many (hover for the properties). Choose classes "
            "(types=...), a neighbourhood or a larger max_nodes to see the things themselves.",
        )
    builder = _Builder(title)
    for iri in kept:
        builder.thing(data.things[iri])
    builder.links(data, set(kept))
    return builder.picture(_options(nodes=len(kept)))


def neighbourhood_picture(
    model: KnowledgeGraph,
    iri: str,
    *,
    hops: int = 1,
    max_nodes: int = 500,
    data: PictureData | None = None,
) -> Picture:
    """One thing and the things within ``hops`` links of it (in either direction).

    One link out by default: two already reach most of a model through its hubs (a segment's
    channels, its enterprise); ``hops=2`` or more widens the picture.

    When the next ring of things would take the picture past ``max_nodes``, the picture stops
    at the rings that fit and says so; when even the first ring does not fit, it aggregates.

    Raises
    ------
    NotFoundError
        The model describes no thing ``iri``.
    """
    if data is None:
        data = picture_data(model)
    if iri not in data.things:
        raise NotFoundError(iri)
    distance = {iri: 0}
    frontier = deque([iri])
    rings: list[set[str]] = []
    for hop in range(1, hops + 1):
        ring = {n for node in frontier for n in data.neighbours(node) if n not in distance}
        if not ring:
            break
        rings.append(ring)
        distance.update(dict.fromkeys(ring, hop))
        frontier = deque(ring)
    centre = data.things[iri]
    title = f"Within {hops} link{'s' if hops != 1 else ''} of {centre.label}"
    kept = {iri}
    notes = []
    for hop, ring in enumerate(rings, 1):
        if len(kept) + len(ring) > max_nodes:
            if hop == 1:
                return _aggregate(
                    title,
                    data,
                    kept | ring,
                    f"{len(ring)} things link to {centre.label}, more than {max_nodes}: "
                    "one node per class is shown.",
                )
            notes.append(
                f"Only {hop - 1} link{'s' if hop != 2 else ''} out: the next ring has "
                f"{len(ring)} more things, past {max_nodes}."
            )
            break
        kept |= ring
    builder = _Builder(title)
    builder.highlight_meaning = "the centre"
    builder.notes += notes
    builder.thing(centre, highlight=True, extra=["the centre of this picture"])
    for node in sorted(kept, key=lambda n: (distance[n], n)):
        hop = distance[node]
        builder.thing(data.things[node], extra=[f"{hop} link{'s' if hop != 1 else ''} away"])
    builder.links(data, kept)
    return builder.picture(_options(nodes=len(kept)))


def _emotion_fill(data: PictureData, touchpoint: str) -> tuple[str, str]:
    """A touchpoint's colour and the words for how the customer feels there."""
    emotion = data.number(touchpoint, "emotion")
    satisfaction = data.number(touchpoint, "satisfaction")
    if emotion is not None:
        level = max(-2, min(2, round(emotion)))
        return EMOTION_COLOURS[level], f"emotion {level:+d}"
    if satisfaction is not None:
        level = max(-2, min(2, round(satisfaction / 10 * 4 - 2)))
        return EMOTION_COLOURS[level], f"satisfaction {satisfaction:g}/10"
    return "#ffffff", "emotion not recorded"


# Rows of the journey picture, top to bottom: what a touchpoint leads to, by class.
_JOURNEY_ROWS = {
    "Channel": 3,
    "Capability": 4,
    "BusinessProcess": 5,
    "Application": 5,
    "OrganisationalUnit": 6,
}
_COLUMN = 190
_ROW = 130


def journey_picture(
    model: KnowledgeGraph, journey_iri: str, *, data: PictureData | None = None
) -> Picture:
    """A customer journey, left to right in order, with what lies behind each touchpoint.

    Row by row: the journey and its persona; the stages in order; the touchpoints in order,
    coloured by emotion (or satisfaction, from 0 to 10, when no emotion is recorded); the
    channels they happen in; the capabilities that support them; the processes and applications
    that support them or realise those capabilities; the units that own, take part in or realise
    them. Positions are fixed, so the order reads from left to right.

    Raises
    ------
    NotFoundError
        The model has no customer journey ``journey_iri``.
    """
    if data is None:
        data = picture_data(model)
    journey = data.things.get(journey_iri)
    if journey is None or journey.type != "CustomerJourney":
        raise NotFoundError(journey_iri, what="customer journey")
    rows = run(model, "journey-steps", journeyIri=journey_iri)
    stages = list(dict.fromkeys(row["stage"] for row in rows))
    touchpoints = list(dict.fromkeys(row["touchpoint"] for row in rows if "touchpoint" in row))
    builder = _Builder(f"Journey: {journey.label}")
    x_of: dict[str, float] = {}
    for i, touchpoint in enumerate(touchpoints):
        x_of[touchpoint] = i * _COLUMN
    for i, stage in enumerate(stages):
        inside = [x_of[r["touchpoint"]] for r in rows if r["stage"] == stage and "touchpoint" in r]
        x_of[stage] = sum(inside) / len(inside) if inside else i * _COLUMN

    personas = sorted(n for n in data.neighbours(journey_iri) if data.things[n].type == "Persona")
    builder.thing(journey, x=-_COLUMN, y=0, physics=False)
    for i, persona in enumerate(personas):
        builder.thing(data.things[persona], x=i * _COLUMN, y=0, physics=False)
    for n, stage in enumerate(stages, 1):
        builder.thing(
            data.things[stage],
            label=f"{n}. {data.things[stage].label}",
            x=x_of[stage],
            y=_ROW,
            physics=False,
        )
    for n, touchpoint in enumerate(touchpoints, 1):
        fill, feeling = _emotion_fill(data, touchpoint)
        thing = data.things[touchpoint]
        builder.thing(
            thing,
            fill=fill,
            label=f"{n}. {thing.label}\n{feeling}",
            extra=[feeling],
            shape="box",
            widthConstraint={"maximum": _COLUMN - 30},
            x=x_of[touchpoint],
            y=2 * _ROW,
            physics=False,
        )
    # Behind the touchpoints, row by row: each thing sits under the things above it that it
    # links to.
    placed = set(touchpoints)
    for row in sorted(set(_JOURNEY_ROWS.values())):
        kinds = {kind for kind, r in _JOURNEY_ROWS.items() if r == row}
        found: dict[str, list[float]] = defaultdict(list)
        for node in placed:
            for other in data.neighbours(node):
                if data.things[other].type in kinds and other not in placed:
                    found[other].append(x_of[node])
        for other, xs in found.items():
            x_of[other] = sum(xs) / len(xs)
        for other in _spread_out(found, x_of):
            builder.thing(data.things[other], x=x_of[other], y=row * _ROW, physics=False)
        placed |= set(found)
    shown = set(builder.network.node_map)
    builder.links(data, shown)
    for first, then in zip(stages, stages[1:], strict=False):
        builder.edge(first, then, "then", label="then", width=3, color="#7b4ea3")
    for first, then in zip(touchpoints, touchpoints[1:], strict=False):
        builder.edge(first, then, "then", dashes=True, width=2, color="#17becf")
    for level, colour in EMOTION_COLOURS.items():
        builder.legend[f"emotion {level:+d}"] = colour
    if not touchpoints:
        builder.notes.append("The journey has no touchpoints.")
    options = _options(physics=False, nodes=len(shown))
    options["edges"]["smooth"] = False
    return builder.picture(options)


def _spread_out(found: Mapping[str, list[float]], x_of: dict[str, float]) -> list[str]:
    """Order a row's things by position and push them apart so that none overlaps."""
    ordered = sorted(found, key=lambda n: (x_of[n], n))
    previous = -math.inf
    for node in ordered:
        x_of[node] = max(x_of[node], previous + _COLUMN * 0.9)
        previous = x_of[node]
    return ordered


def silo_picture(
    model: KnowledgeGraph,
    segment_iri: str,
    *,
    analysis: SiloAnalysis | None = None,
    data: PictureData | None = None,
) -> Picture:
    """What a segment's customers meet, and the silo findings about it highlighted.

    The nodes are the segment, the channels, units, processes, applications and data stores its
    customers meet (:func:`kg.structure.segment_silo_measure`), and the subjects of the silo
    findings about it: those that name the segment (product and life-cycle silos) and the
    channel silos of the journeys of its personas. Those subjects are highlighted; the notes
    give the silo index and each finding.

    Parameters
    ----------
    analysis
        The model's :func:`kg.silos.find_silos`, when already computed.
    data
        The model's :func:`picture_data`, when already read.

    Raises
    ------
    NotFoundError
        The model has no customer segment ``segment_iri``.
    """
    if data is None:
        data = picture_data(model)
    if analysis is None:
        analysis = find_silos(model, enterprise=portfolio.enterprise_of(model, segment_iri))
    try:
        measure = analysis.structure.measure_of(segment_iri)
    except KeyError:
        raise NotFoundError(segment_iri, what="customer segment") from None
    segment = data.things.get(segment_iri) or _subject_thing(measure.segment)
    personas = data.links_into(segment_iri, _BM + "representsSegment")
    journeys = {j for persona in personas for j in data.links_into(persona, _BM + "forPersona")}
    findings = [
        f for f in analysis.findings if {s.iri for s in f.subjects} & ({segment_iri} | journeys)
    ]
    builder = _Builder(f"Silos: {segment.label}")
    builder.highlight_meaning = "named by a silo finding"
    builder.notes.append(
        f"Silo index {measure.silo_index:.2f}: {measure.records} customer record(s), "
        f"{measure.communities} structural communit{'y' if measure.communities == 1 else 'ies'}, "
        f"{measure.connected_share:.0%} of pairs of units and systems connected."
    )
    builder.notes += [f.to_text() for f in findings] or ["No silo findings name this segment."]
    named = {s.iri: s for f in findings for s in f.subjects}
    builder.thing(segment, highlight=segment_iri in named)
    met = (
        measure.channels
        + measure.units
        + measure.processes
        + measure.applications
        + measure.data_stores
    )
    for subject in (*met, *named.values()):
        thing = data.things.get(subject.iri) or _subject_thing(subject)
        builder.thing(thing, highlight=subject.iri in named)
    builder.links(data, set(builder.network.node_map))
    return builder.picture(_options(nodes=len(builder.network.node_map)))


def _subject_thing(subject: Subject) -> _Thing:
    return _Thing(subject.iri, subject.type or "Thing", subject.label or _local(subject.iri))


def _gap_colour(current: float | None, target: float | None) -> tuple[str, str]:
    if current is None or target is None:
        return _OTHER, "maturity not recorded"
    gap = target - current
    key = "no gap" if gap <= 0 else "gap 1" if gap <= 1 else "gap 2" if gap <= 2 else "gap 3+"
    return GAP_COLOURS[key], f"gap {gap:g}"


def capability_map_picture(
    model: KnowledgeGraph,
    *,
    data: PictureData | None = None,
    enterprise: portfolio.Choice = None,
) -> Picture:
    """The capabilities, broader above narrower, coloured by maturity gap (target - current).

    Labels give the current and target maturity; tooltips add the gap and how many live value
    propositions, offerings and touchpoints depend on the capability. In a model of several
    enterprises, ``enterprise`` draws the capabilities of one (``data`` is then that of its
    view); the whole model's otherwise.
    """
    if enterprise is not None:
        model = portfolio.scoped(model, enterprise)
    if data is None:
        data = picture_data(model)
    needed = {row["capability"]: row for row in run(model, "capability-maturity")}
    builder = _Builder("Capability map: maturity gaps")
    capabilities = sorted(
        (t for t in data.things.values() if t.type == "Capability"), key=lambda t: t.label
    )
    for thing in capabilities:
        current = data.number(thing.iri, "currentMaturity")
        target = data.number(thing.iri, "targetMaturity")
        fill, gap = _gap_colour(current, target)
        row = needed.get(thing.iri, {})
        dependants = (
            f"needed by {row.get('propositions', 0)} live value proposition(s), "
            f"{row.get('offerings', 0)} offering(s), {row.get('touchpoints', 0)} touchpoint(s)"
        )
        maturity = (
            f"{current:g} → {target:g}" if current is not None and target is not None else "?"
        )
        builder.thing(
            thing,
            fill=fill,
            label=f"{thing.label}\n{maturity}",
            extra=[gap, dependants],
            shape="box",
        )
    builder.legend = dict(GAP_COLOURS) | {"maturity not recorded": _OTHER}
    shown = builder.network.node_map
    for narrower, prop, broader in data.links:
        if prop == _SKOS_BROADER and narrower in shown and broader in shown:
            builder.edge(broader, narrower, "skos:narrower (broader above)")
    return builder.picture(_options(physics=False, nodes=len(capabilities), hierarchical=True))


def answer_picture(
    model: KnowledgeGraph,
    answer: Answer,
    *,
    max_nodes: int = 500,
    data: PictureData | None = None,
    hops: int = 1,
) -> Picture:
    """An answer's findings, each linked to the things it names, highlighted in their context.

    A finding is a box coloured by severity (:data:`FINDING_COLOURS`) that reads its message;
    the things it names are ringed in red; the things within ``hops`` links of those are shown
    around them, faded (``hops=0`` shows the findings and what they name alone). Where more than
    two things of one class hang off one thing, they are drawn as one node ("12 touchpoints",
    their names in its tooltip). When the context takes the picture past ``max_nodes``, only the
    findings and the things they name are shown, and the notes say so. In a model of several
    enterprises, the context is that of the answer's enterprise.

    Raises
    ------
    ValueError
        ``hops`` is negative.
    """
    if hops < 0:
        raise ValueError(f"hops must be 0 or more, not {hops!r}")
    if data is None:
        if answer.enterprise is not None:
            model = portfolio.scoped(model, answer.enterprise)
        data = picture_data(model)
    title = f"Q{answer.number}. {answer.title}" if answer.number else answer.title
    builder = _Builder(title)
    builder.highlight_meaning = "named by a finding"
    builder.notes.append(f"Verdict: {answer.verdict.value}. {answer.summary}")
    named: dict[str, Subject] = {}
    for finding in answer.findings:
        for subject in finding.subjects:
            named.setdefault(subject.iri, subject)
    context, groups = _context(data, named, hops)
    drawn = len(answer.findings) + len(named) + len(context) + len(groups)
    if drawn > max_nodes:
        builder.notes.append(
            f"The {len(context) + sum(len(g) for g in groups.values())} things around the "
            f"findings' subjects are left out (more than {max_nodes} nodes in all)."
        )
        context, groups = set(), {}
    elif groups:
        hidden = sum(len(members) for members in groups.values())
        builder.notes.append(
            f"{hidden} things around the findings' subjects are drawn as {len(groups)} "
            "grouped nodes (hover for their names)."
        )
    if not answer.findings:
        builder.notes.append("No findings.")
    for i, finding in enumerate(answer.findings, 1):
        colour = FINDING_COLOURS[finding.severity]
        builder.legend.setdefault(f"{finding.severity.value} finding", colour)
        builder.node(
            f"finding:{i}",
            _finding_label(finding.severity, finding.kind, finding.message),
            f"[{finding.severity.value}] {finding.kind}\n{finding.message}",
            colour,
            shape="box",
            font={
                "size": _FONT,
                "color": "#ffffff" if finding.severity is Level.HIGH else "#000000",
                "strokeWidth": 0,
                "align": "left",
            },
            margin=8,
        )
    for iri, subject in named.items():
        builder.thing(data.things.get(iri) or _subject_thing(subject), highlight=True)
    for iri in sorted(context):
        builder.thing(data.things[iri], opacity=0.6)
    for (parent, kind), members in sorted(groups.items()):
        labels = sorted(data.things[m].label for m in members)
        shown = "\n".join(labels[:_GROUP_LISTED])
        more = len(labels) - _GROUP_LISTED
        builder.legend.setdefault(_legend_text(kind), _colour(kind))
        builder.node(
            f"group:{parent}:{kind}",
            f"{len(members)} {_plural(_words(kind))}",
            f"{len(members)} {_plural(_words(kind))} linked to {data.things[parent].label}:\n"
            + shown
            + (f"\n… and {more} more" if more > 0 else ""),
            _colour(kind),
            opacity=0.6,
            size=10 + 2 * math.sqrt(len(members)),
        )
        builder.edge(f"group:{parent}:{kind}", parent, f"{len(members)} links", dashes=True)
    for i, finding in enumerate(answer.findings, 1):
        for subject in finding.subjects:
            builder.edge(f"finding:{i}", subject.iri, "names", color=HIGHLIGHT, width=2)
    builder.links(data, set(builder.network.node_map))
    return builder.picture(_options(nodes=len(builder.network.node_map)))


# More than this many things of one class hanging off one thing are drawn as one node.
_GROUP_OVER = 2
_GROUP_LISTED = 20
_MESSAGE_CHARS = 120
_MESSAGE_WIDTH = 36


def _context(
    data: PictureData, named: Mapping[str, Subject], hops: int
) -> tuple[set[str], dict[tuple[str, str], list[str]]]:
    """The things within ``hops`` links of the named ones: those drawn one by one, and the
    groups (by the thing they hang off and their class) drawn as one node each."""
    seen = set(named)
    frontier = sorted(iri for iri in named if iri in data.things)
    single: set[str] = set()
    groups: dict[tuple[str, str], list[str]] = {}
    for _ in range(hops):
        children: dict[tuple[str, str], list[str]] = defaultdict(list)
        for parent in frontier:
            for other in sorted(data.neighbours(parent)):
                if other not in seen:
                    seen.add(other)
                    children[(parent, data.things[other].type)].append(other)
        frontier = []
        for key, members in children.items():
            if len(members) > _GROUP_OVER:
                groups[key] = members
            else:
                single.update(members)
                frontier += members
        frontier.sort()
    return single, groups


def _finding_label(severity: Level, kind: str, message: str) -> str:
    """A finding's box: its severity and kind, then its message, shortened and wrapped."""
    heading = f"{severity.value.upper()} · {kind.replace('-', ' ')}"
    text = textwrap.shorten(message, _MESSAGE_CHARS, placeholder=" …")
    return "\n".join([heading, *textwrap.wrap(text, _MESSAGE_WIDTH)])


def _short_label(label: str) -> str:
    """A thing's label on a node: at most two short lines (the whole label is in the tooltip).

    >>> _short_label("Keep spending under control with no surprise bills")
    'Keep spending under\\ncontrol with no …'
    """
    lines = textwrap.wrap(label, _LABEL_WIDTH) or [label]
    if len(lines) > _LABEL_LINES:
        lines = lines[: _LABEL_LINES - 1] + [lines[_LABEL_LINES - 1] + " …"]
    return "\n".join(lines)


_LABEL_WIDTH = 20
_LABEL_LINES = 2


def _plural(words: str) -> str:
    """``touchpoint`` -> ``touchpoints``, ``key activity`` -> ``key activities``."""
    if words.endswith("y") and words[-2:-1] not in ("a", "e", "o", "u"):
        return words[:-1] + "ies"
    if words.endswith(("s", "x", "ch", "sh")):
        return words + "es"
    return words + "s"
