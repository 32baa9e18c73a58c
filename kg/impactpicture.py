"""A picture of an impact: where it starts, what it reaches, and the paths that reach it.

:func:`impact_picture` draws an :class:`~kg.impact.Impact` with the machinery of
:mod:`kg.pictures`: the start elements ringed in red and drawn larger, every element reached in
its concept's colour, and for each the last link of its shortest path, drawn bold from what is
depended on to what depends on it (so that following the arrows from a start retraces every
path). The legend lists only what is drawn. Past ``max_nodes`` elements, the nearest are drawn
and a note says how many were left out.

>>> import kg
>>> from kg.impact import impact
>>> model = kg.open_model(kg.example_path("telco"))
>>> picture = impact_picture(model, impact(model, ["tel:unit-finance"]))
>>> picture.title, len(picture.nodes), sorted(picture.highlighted)
('Impact of Finance', 10, ['https://example.org/alpina/unit-finance'])
"""

from __future__ import annotations

from kg.impact import Element, Impact, Reached
from kg.pictures import Picture, _Builder, _options, _Thing, _words
from kg.store import KnowledgeGraph

__all__ = ["PATH_COLOUR", "impact_picture"]

PATH_COLOUR = "#303030"
"""The colour of the bold links that make the paths from the start elements."""


def impact_picture(model: KnowledgeGraph, impact: Impact, *, max_nodes: int = 150) -> Picture:
    """The picture of ``impact``: the start elements highlighted, the elements reached, and the
    links of their shortest paths in bold.

    Parameters
    ----------
    model
        The model the impact was found in (the picture is drawn from the impact alone; the
        model is taken for symmetry with the other pictures and is not read again).
    impact
        What :func:`kg.impact.impact` found.
    max_nodes
        Past this many elements (the starts included), the nearest are drawn (by depth, then as
        the impact lists them) and a note says how many were left out.
    """
    del model  # everything drawn is in the impact
    names = ", ".join(e.label for e in impact.start)
    builder = _Builder(f"Impact of {names}")
    builder.highlight_meaning = "where the impact starts"
    for element in impact.start:
        builder.thing(_thing(element), highlight=True, extra=["the impact starts here"], size=28)
    room = max(0, max_nodes - len(impact.start))
    drawn = impact.reached[:room]
    left = len(impact.reached) - len(drawn)
    for reached in drawn:
        builder.thing(_thing(reached.element), extra=_extra(impact, reached))
    labels = {e.iri: e.label for e in impact.start} | {r.iri: r.label for r in drawn}
    for reached in drawn:
        step = reached.path[-1]
        triple = (
            f"{step.source} {step.property} {step.target}"
            if step.direction == "forward"
            else f"{step.target} {step.property} {step.source}"
        )
        builder.edge(
            step.source,
            step.target,
            f"{step.property} ({labels[step.source]} -> {labels[step.target]}); "
            f"the model says: {triple}",
            width=3,
            color={"color": PATH_COLOUR, "highlight": "#000000", "inherit": False},
        )
    if drawn:
        builder.legend.setdefault("path of dependence (bold line)", PATH_COLOUR)
    if left:
        deepest = drawn[-1].depth if drawn else 0
        builder.notes.append(
            f"{len(impact.reached)} elements are reached, more than {max_nodes} to draw: the "
            f"{len(drawn)} nearest (up to {deepest} links away) are drawn, {left} are left out. "
            "The impact's text or JSON lists them all."
        )
    elif not impact.reached:
        builder.notes.append("Nothing in the model depends on " + names + ".")
    options = _options(nodes=len(drawn) + len(impact.start))
    # An impact fans out in stars (a segment and all it has): pushed further apart than the
    # other pictures, fewer labels overlap at the opening zoom (looked at on telco's legacy order
    # system, 51 elements, at 1366 px).
    options["physics"]["forceAtlas2Based"].update(
        gravitationalConstant=-120, springLength=100, avoidOverlap=0.8
    )
    return builder.picture(options)


def _thing(element: Element) -> _Thing:
    return _Thing(element.iri, element.type, element.label)


def _extra(impact: Impact, reached: Reached) -> list[str]:
    links = f"{reached.depth} link{'s' if reached.depth != 1 else ''}"
    return [f"reached in {links} ({_words(reached.kind)})", impact.path_text(reached)]
