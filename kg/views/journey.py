"""The customer journey map: a journey's stages as columns, what stands behind them as lanes.

For each stage, in ``bm:sequence`` order, the map shows the touchpoints (``bm:inStage``) with the
customer's action and feeling, and lane by lane what lies behind them: the channels they happen
in (``bm:inChannel``), the capabilities, business processes and applications that support them
(``bm:supportedByCapability``, ``bm:supportedByProcess``, ``bm:supportedByApplication``) and the
organisational units that own or take part in those processes (``bm:ownedBy``,
``bm:involvesUnit``). Across the top run the emotion curve (the mean ``bm:emotion`` of the
stage's touchpoints, -2 to +2) and the satisfaction curve (the mean ``bm:satisfaction``, 0 to
10); the head names the persona the journey is for, the segment the persona represents and the
value proposition it is about. Channel silos among the findings given (``kind ==
"channel-silo"``, see :func:`kg.silos.find_silos`) are marked, in words, at the stage where the
customer meets the break: the stage of the second of the two steps.

>>> import kg
>>> from kg.model import open_model
>>> model = open_model(kg.example_path("telco"))
>>> view = journey_map(model, "https://example.org/alpina/jrn-family-fibre")
>>> view.kind, view.title
('journey-map', "Customer journey: Adding fibre home internet to the family's mobile plans")
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from kg import portfolio
from kg.answers import Finding, preferred_label
from kg.errors import NotFoundError
from kg.pictures import EMOTION_COLOURS
from kg.queries import run
from kg.store import KnowledgeGraph
from kg.views.base import Href, View, badges, item_context, render

__all__ = ["journey_map"]

# The grid's geometry in pixels: the lane names' column and each stage's column. The curves are
# drawn in these units (their viewBox), so that a point sits above the middle of its stage.
_LANE_WIDTH = 150
_STAGE_WIDTH = 200
_CURVE_HEIGHT = 110
_CURVE_MARGIN = 18

_LANES = (
    ("channel", "Channels"),
    ("capability", "Capabilities"),
    ("process", "Business processes"),
    ("application", "Applications"),
    ("unit", "Organisational units"),
)


@dataclass(frozen=True)
class _Scale:
    """A curve's measure: its name, its range and the ticks labelled beside it."""

    name: str
    key: str
    low: float
    high: float
    ticks: tuple[tuple[float, str], ...]

    def y(self, value: float) -> float:
        inner = _CURVE_HEIGHT - 2 * _CURVE_MARGIN
        return round(_CURVE_MARGIN + (self.high - value) / (self.high - self.low) * inner, 1)

    def text(self, value: float) -> str:
        """A value as the curve labels it: emotion signed, both to one decimal."""
        rounded = round(value, 1)
        return _signed(rounded) if self.low < 0 else f"{rounded:g}"

    def colour(self, value: float) -> str:
        """The emotion colour of a value, the scale's range mapped onto -2 to +2."""
        level = round((value - self.low) / (self.high - self.low) * 4 - 2)
        return EMOTION_COLOURS[max(-2, min(2, level))]


_EMOTION = _Scale(
    "Emotion",
    "emotion",
    -2,
    2,
    ((2, "+2 delighted"), (1, "+1"), (0, "0 neutral"), (-1, "\u22121"), (-2, "\u22122 angry")),
)
_SATISFACTION = _Scale(
    "Satisfaction",
    "satisfaction",
    0,
    10,
    ((10, "10 of 10"), (5, "5"), (0, "0 of 10")),
)


@dataclass
class _Touchpoint:
    iri: str
    label: str
    sequence: int | None
    action: str | None
    emotion: float | None
    satisfaction: float | None
    breaks: list[_Break] = field(default_factory=list)

    @property
    def feeling(self) -> str:
        parts = []
        if self.emotion is not None:
            parts.append(f"emotion {_signed(self.emotion)}")
        if self.satisfaction is not None:
            parts.append(f"satisfaction {self.satisfaction:g}/10")
        return " \u00b7 ".join(parts)

    @property
    def colour(self) -> str | None:
        if self.emotion is None:
            return None
        return EMOTION_COLOURS[max(-2, min(2, round(self.emotion)))]


@dataclass
class _Stage:
    iri: str
    label: str
    kind: str | None
    touchpoints: list[_Touchpoint] = field(default_factory=list)
    lanes: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    breaks: list[_Break] = field(default_factory=list)

    def mean(self, key: str) -> float | None:
        values = [getattr(t, key) for t in self.touchpoints if getattr(t, key) is not None]
        return sum(values) / len(values) if values else None


@dataclass(frozen=True)
class _Break:
    """A channel silo: the step before, the step where the case is dropped, and the finding."""

    finding: Finding
    before: str
    before_sequence: int | None
    channels: str

    @property
    def severity(self) -> str:
        return self.finding.severity.value


@dataclass(frozen=True)
class _Point:
    x: float
    y: float
    value: float
    text: str
    stage: str
    colour: str


@dataclass(frozen=True)
class _Curve:
    scale: _Scale
    points: tuple[_Point, ...]
    lines: tuple[str, ...]
    """The polylines' points attributes: the curve breaks where a stage has no value."""
    ticks: tuple[tuple[float, str], ...]
    missing: tuple[str, ...]
    """The labels of the stages without a value."""
    steps: tuple[_Point, ...]
    """Each touchpoint's own value, spread across its stage's column behind the mean."""


def journey_map(
    model: KnowledgeGraph,
    journey: str | None = None,
    *,
    enterprise: portfolio.Choice = None,
    findings: Iterable[Finding] = (),
    href: Href | None = None,
    max_journeys: int = 12,
    reached: Collection[str] = (),
    reached_from: Sequence[str] = (),
) -> View:
    """The customer journey map of one journey, or of every journey of the model (one each).

    Past ``max_journeys`` journeys, those with a channel silo among the findings are mapped
    first, then the others in IRI order; a note says how many were left out.

    Parameters
    ----------
    model
        The knowledge graph (see :func:`kg.model.open_model`).
    journey
        The IRI of a customer journey; ``None`` maps every journey of the model, in IRI order.
    enterprise
        The enterprise whose journeys to map (an IRI, a CURIE or a label): needed when the model
        holds several (:mod:`kg.portfolio`).
    findings
        Findings to mark: each thing a finding names gets a badge, and each channel silo
        (``kind == "channel-silo"``, as :func:`kg.silos.find_silos` finds them) is marked at the
        stage of its second step, with its message.
    href
        Where a thing's name links to, given its IRI (``None``: no links).
    reached
        IRIs to mark as reached (an impact's, :func:`kg.impact.impact`): their names get the
        class ``kgv-reached`` and a diamond.
    reached_from
        The names of the elements the impact started from, for the view's key.

    Returns
    -------
    View
        Of kind ``journey-map``. A model without customer journeys gives a view that says so
        (and the same in ``notes``).

    Raises
    ------
    NotFoundError
        ``journey`` is not a customer journey of the model.
    EnterpriseError
        ``enterprise`` is not one of the model's, or is missing in a model of several.

    Examples
    --------
    >>> from kg.model import open_model
    >>> journey_map(open_model()).notes
    ('The model holds no customer journey.',)
    """
    if journey is not None and not isinstance(journey, str):
        raise TypeError(f"journey must be an IRI (str), not {type(journey).__name__}")
    model = portfolio.scoped(model, enterprise)
    findings = tuple(findings)
    params = {} if journey is None else {"journeyIri": journey}
    heads = run(model, "journey-journeys", **params)
    if journey is not None and not heads:
        raise NotFoundError(journey, what="customer journey")
    labels = _labels(run(model, "journey-labels", **params))
    steps = run(model, "journey-touchpoints", **params)
    lanes = run(model, "journey-lanes", **params)
    silos = [f for f in findings if f.kind == "channel-silo"]
    maps = [
        _journey(iri, heads, steps, lanes, labels, silos, findings_given=bool(findings))
        for iri in dict.fromkeys(row["journey"] for row in heads)
    ]
    notes: list[str] = []
    omitted = ""
    if len(maps) > max_journeys:
        maps.sort(key=lambda drawn: not drawn["silos"])  # stable: IRI order within each
        omitted = (
            f"{max_journeys} of the model's {len(maps)} journeys are mapped (those with a channel "
            f"silo first); {len(maps) - max_journeys} are left out: map one with its IRI."
        )
        maps = maps[:max_journeys]
        notes.append(omitted)
    if not maps:
        notes.append("The model holds no customer journey.")
    for drawn in maps:
        notes.extend(f"{drawn['label']}: {note}" for note in drawn["notes"])
    if journey is not None and maps:
        title = f"Customer journey: {maps[0]['label']}"
    else:
        title = "Customer journeys"
    body = render(
        "journey.html",
        title=title,
        journeys=maps,
        empty=not maps,
        omitted=omitted,
        lanes=_LANES,
        lane_width=_LANE_WIDTH,
        stage_width=_STAGE_WIDTH,
        curve_height=_CURVE_HEIGHT,
        reached=frozenset(reached),
        reached_from=tuple(reached_from),
        **item_context(href, badges(findings)),
    )
    return View("journey-map", title, body, tuple(notes))


def _labels(rows: Iterable[Mapping[str, Any]]) -> dict[str, str]:
    found: dict[str, list[tuple[str, str]]] = {}
    for row in rows:
        found.setdefault(row["thing"], []).append((row["label"], row.get("language", "")))
    return {iri: preferred_label(pairs) or iri for iri, pairs in found.items()}


def _name(labels: Mapping[str, str], iri: str) -> str:
    """A thing's label, or the end of its IRI when it has none."""
    return labels.get(iri) or iri.rstrip("/#").rsplit("/", 1)[-1].rsplit("#", 1)[-1]


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float | Decimal) else None


def _signed(value: float) -> str:
    """A value with its sign, minus as the minus sign: ``+1``, ``\u22120.5``, ``0``."""
    text = f"{value:+.2g}" if value else "0"
    return text.replace("-", "\u2212")


def _journey(
    iri: str,
    heads: Sequence[Mapping[str, Any]],
    steps: Sequence[Mapping[str, Any]],
    lanes: Sequence[Mapping[str, Any]],
    labels: Mapping[str, str],
    silos: Sequence[Finding],
    *,
    findings_given: bool,
) -> dict[str, Any]:
    """What the template draws of one journey."""
    head = [row for row in heads if row["journey"] == iri]
    stages: dict[str, _Stage] = {}
    order: dict[str, tuple[bool, int, str]] = {}
    touchpoints: dict[str, _Touchpoint] = {}
    stage_of: dict[str, _Stage] = {}
    for row in steps:
        if row["journey"] != iri:
            continue
        stage = stages.get(row["stage"])
        if stage is None:
            kind = row.get("stageKind")
            stage = stages[row["stage"]] = _Stage(
                row["stage"], _name(labels, row["stage"]), kind and _name(labels, kind)
            )
            sequence = row.get("stageSequence")
            order[stage.iri] = (sequence is None, sequence or 0, stage.label)
        if "touchpoint" in row and row["touchpoint"] not in touchpoints:
            touchpoint = _Touchpoint(
                row["touchpoint"],
                _name(labels, row["touchpoint"]),
                row.get("touchpointSequence"),
                row.get("action"),
                _number(row.get("emotion")),
                _number(row.get("satisfaction")),
            )
            touchpoints[touchpoint.iri] = touchpoint
            stage.touchpoints.append(touchpoint)
            stage_of[touchpoint.iri] = stage
    ordered = sorted(stages.values(), key=lambda s: order[s.iri])
    for stage in ordered:
        stage.touchpoints.sort(key=lambda t: (t.sequence is None, t.sequence or 0, t.label))
    # Each lane's things in a stage, in the order of the first touchpoint they stand behind.
    position = {t: n for n, t in enumerate(t.iri for s in ordered for t in s.touchpoints)}
    found: dict[tuple[str, str], dict[str, int]] = {}
    for row in lanes:
        if row["journey"] == iri and row["touchpoint"] in position:
            cell = found.setdefault((row["stage"], row["lane"]), {})
            rank = position[row["touchpoint"]]
            cell[row["thing"]] = min(cell.get(row["thing"], rank), rank)
    for stage in ordered:
        for lane, _ in _LANES:
            cell = found.get((stage.iri, lane), {})
            ranked = sorted(cell, key=lambda t: (cell[t], _name(labels, t)))
            stage.lanes[lane] = [(t, _name(labels, t)) for t in ranked]
    marked = _mark_silos(silos, touchpoints, stage_of, labels)
    notes = []
    if not ordered:
        notes.append("The journey has no stages.")
    elif not touchpoints:
        notes.append("The journey has no touchpoints.")
    curves = [_curve(scale, ordered) for scale in (_EMOTION, _SATISFACTION)]
    curves = [c for c in curves if c.points]
    if ordered and touchpoints and not curves:
        notes.append("The model records no emotion or satisfaction at the journey's touchpoints.")

    description = next((row["description"] for row in head if "description" in row), None)
    return {
        "iri": iri,
        "label": _name(labels, iri),
        "description": description,
        "personas": _named(head, "persona", labels),
        "segments": _named(head, "segment", labels),
        "propositions": _named(head, "valueProposition", labels),
        "stages": ordered,
        "curves": curves,
        "silos": marked,
        "findings_given": findings_given,
        "width": _LANE_WIDTH + _STAGE_WIDTH * len(ordered),
        "notes": notes,
        "legend": [
            (f"emotion {_signed(level)}", colour) for level, colour in EMOTION_COLOURS.items()
        ],
    }


def _named(
    rows: Iterable[Mapping[str, Any]], key: str, labels: Mapping[str, str]
) -> list[tuple[str, str]]:
    """The things named in a column of rows, once each, as (IRI, label) by label."""
    iris = dict.fromkeys(row[key] for row in rows if key in row)
    return sorted(((iri, _name(labels, iri)) for iri in iris), key=lambda pair: pair[1])


def _mark_silos(
    silos: Sequence[Finding],
    touchpoints: Mapping[str, _Touchpoint],
    stage_of: Mapping[str, _Stage],
    labels: Mapping[str, str],
) -> list[_Break]:
    """Put each channel silo of this journey on the touchpoint (and stage) where the case is
    dropped: the later of its two steps."""
    marked = []
    for finding in silos:
        steps = finding.evidence.get("steps") or []
        named = [s["touchpoint"]["iri"] for s in steps if isinstance(s, Mapping)]
        if not named:
            named = [s.iri for s in finding.subjects]
        ours = [t for t in named if t in touchpoints]
        if not ours:
            continue
        ours.sort(key=lambda t: (touchpoints[t].sequence is None, touchpoints[t].sequence or 0))
        before, after = touchpoints[ours[0]], touchpoints[ours[-1]]
        channels = [
            s["channel"].get("label") or _name(labels, s["channel"]["iri"])
            for s in steps
            if isinstance(s, Mapping) and isinstance(s.get("channel"), Mapping)
        ]
        mark = _Break(finding, before.label, before.sequence, " \u2192 ".join(channels))
        after.breaks.append(mark)
        stage_of[after.iri].breaks.append(mark)
        marked.append(mark)
    return marked


def _curve(scale: _Scale, stages: Sequence[_Stage]) -> _Curve:
    """The curve of one measure: a point above each stage with a value, the stage's mean, and
    behind it a dot for each touchpoint's own value."""
    points: list[_Point] = []
    steps: list[_Point] = []
    lines: list[list[str]] = [[]]
    missing: list[str] = []
    for n, stage in enumerate(stages):
        valued = [t for t in stage.touchpoints if getattr(t, scale.key) is not None]
        for i, touchpoint in enumerate(valued, 1):
            value = getattr(touchpoint, scale.key)
            x = round(_STAGE_WIDTH * (n + i / (len(valued) + 1)), 1)
            text = f"{touchpoint.label}: {scale.text(value)}"
            steps.append(
                _Point(x, scale.y(value), value, text, touchpoint.iri, scale.colour(value))
            )
        value = stage.mean(scale.key)
        if value is None:
            missing.append(stage.label)
            if lines[-1]:
                lines.append([])
            continue
        x = round(_STAGE_WIDTH * (n + 0.5), 1)
        y = scale.y(value)
        points.append(_Point(x, y, value, scale.text(value), stage.iri, scale.colour(value)))
        lines[-1].append(f"{x},{y}")
    return _Curve(
        scale,
        tuple(points),
        tuple(" ".join(line) for line in lines if line),
        tuple((scale.y(value), text) for value, text in scale.ticks),
        tuple(missing),
        tuple(steps),
    )
