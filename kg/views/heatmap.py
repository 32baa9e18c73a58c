"""The capability heat map: the capability map as nested tiles, coloured by maturity gap.

The top capabilities (those with no broader capability, ``skos:broader``) are the columns; the
capabilities under each are tiles inside it, nested as deep as the map goes. A tile is coloured by
its gap (target maturity less current maturity, as question 7 computes it) in the bands of
:data:`GAP_BANDS`, and says the gap in words too; a capability without both maturities is "not
assessed", drawn hatched and grey, not in a colour that could pass for a score. Each tile names
the unit that owns the capability (``bm:ownedBy``) and the value propositions that depend on it:
those that require it, or whose products and services require it, whose journeys' touchpoints it
supports, or whose processes realise it.

>>> from kg.model import open_model
>>> view = heatmap(open_model())
>>> view.kind, view.notes
('heatmap', ('The model holds no capability: there is no capability map to draw.',))
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from kg import portfolio
from kg.answers import Finding, preferred_label
from kg.queries import run
from kg.store import KnowledgeGraph
from kg.views.base import Href, View, badges, item_context, render

__all__ = ["GAP_BANDS", "NOT_ASSESSED", "GapBand", "band", "heatmap"]

_LIVE = "https://w3id.org/bmkg/vocab#Live"


@dataclass(frozen=True)
class GapBand:
    """A band of maturity gaps: its CSS class (``kgv-gap-...``), its name and the largest gap
    it holds (``None``: no upper bound)."""

    css: str
    name: str
    upto: Decimal | None


GAP_BANDS: tuple[GapBand, ...] = (
    GapBand("kgv-gap-0", "at or above target", Decimal(0)),
    GapBand("kgv-gap-1", "gap of 1", Decimal(1)),
    GapBand("kgv-gap-2", "gap of 2", Decimal(2)),
    GapBand("kgv-gap-3", "gap of 3 or more", None),
)
"""The colour bands of the heat map, from no gap to the largest; a capability without a current
or a target maturity is in none of them (``kgv-gap-none``, "not assessed")."""

NOT_ASSESSED = GapBand("kgv-gap-none", "not assessed", None)


def band(gap: Decimal | None) -> GapBand:
    """The band of a maturity gap (``None``: not assessed).

    >>> band(Decimal(-1)).name, band(Decimal(2)).name, band(Decimal(4)).css, band(None).name
    ('at or above target', 'gap of 2', 'kgv-gap-3', 'not assessed')
    """
    if gap is None:
        return NOT_ASSESSED
    for found in GAP_BANDS:
        if found.upto is None or gap <= found.upto:
            return found
    raise AssertionError("the last band has no upper bound")


@dataclass
class _Named:
    iri: str
    label: str
    extra: str = ""


@dataclass
class _Tile:
    iri: str
    label: str
    current: Decimal | None = None
    target: Decimal | None = None
    owners: list[_Named] = field(default_factory=list)
    propositions: list[_Named] = field(default_factory=list)
    children: list[_Tile] = field(default_factory=list)

    @property
    def gap(self) -> Decimal | None:
        if self.current is None or self.target is None:
            return None
        return self.target - self.current

    @property
    def band(self) -> GapBand:
        return band(self.gap)

    @property
    def gap_text(self) -> str:
        """The gap in words, with the maturities it comes from."""
        if self.current is None and self.target is None:
            return "not assessed"
        if self.current is None:
            return f"not assessed (target {self.target:g}, no current maturity)"
        if self.target is None:
            return f"not assessed (current {self.current:g}, no target maturity)"
        gap = self.target - self.current
        if gap < 0:
            words = f"above target by {-gap:g}"
        elif gap == 0:
            words = "on target"
        else:
            words = f"gap {gap:g}"
        return f"{words} · {self.current:g} → {self.target:g}"

    def descendants(self) -> Iterable[_Tile]:
        for child in self.children:
            yield child
            yield from child.descendants()

    @property
    def summary(self) -> str:
        """How many capabilities lie under this one and how many fall short of their target."""
        under = list(self.descendants())
        short = [t for t in under if t.gap is not None and t.gap > 0]
        text = f"{len(under)} under it" if len(under) != 1 else "1 under it"
        if not short:
            return text + ", none below target"
        worst = max(t.gap for t in short if t.gap is not None)
        return text + f", {len(short)} below target (largest gap {worst:g})"


def heatmap(
    model: KnowledgeGraph,
    *,
    enterprise: portfolio.Choice = None,
    findings: Iterable[Finding] = (),
    href: Href | None = None,
) -> View:
    """The capability map as nested tiles coloured by maturity gap (target less current).

    Parameters
    ----------
    model
        The knowledge graph of an enterprise, or of several.
    enterprise
        The enterprise whose map to draw (IRI, CURIE or label); needed in a model of several.
    findings
        Findings to mark: each capability, unit or value proposition they name gets a badge.
    href
        Where a thing's name links to, given its IRI.

    Returns
    -------
    View
        Of kind ``"heatmap"``; its notes say what the model lacks (no capability, no maturity).

    Raises
    ------
    EnterpriseError
        ``enterprise`` is not one of the model's, or is missing in a model of several.
    """
    scope = portfolio.view(model, enterprise)
    tiles, roots = _tiles(scope.model)
    notes = []
    if not tiles:
        notes.append("The model holds no capability: there is no capability map to draw.")
    elif all(t.gap is None for t in tiles.values()):
        notes.append(
            "No capability has both a current and a target maturity (bm:currentMaturity, "
            "bm:targetMaturity): every tile is not assessed."
        )
    unassessed = sum(1 for t in tiles.values() if t.gap is None)
    title = "Capability heat map"
    if scope.enterprise is not None:
        title += f": {scope.enterprise.name}"
    body = render(
        "heatmap.html",
        title=title,
        roots=roots,
        bands=GAP_BANDS,
        not_assessed=NOT_ASSESSED,
        count=len(tiles),
        unassessed=unassessed if tiles and unassessed < len(tiles) else 0,
        gapped=sum(1 for t in tiles.values() if t.gap is not None and t.gap > 0),
        notes=notes,
        **item_context(href, badges(findings)),
    )
    return View("heatmap", title, body, tuple(notes))


def _tiles(model: KnowledgeGraph) -> tuple[dict[str, _Tile], list[_Tile]]:
    """Every capability's tile, by IRI, and the top ones with the others nested inside."""
    labels: dict[str, list[tuple[str, str]]] = defaultdict(list)
    broader: dict[str, list[str]] = defaultdict(list)
    tiles: dict[str, _Tile] = {}
    for row in run(model, "heatmap-capabilities"):
        iri = row["capability"]
        tiles.setdefault(iri, _Tile(iri, iri, row.get("current"), row.get("target")))
        if "label" in row and (row["label"], row.get("language", "")) not in labels[iri]:
            labels[iri].append((row["label"], row.get("language", "")))
        if "broader" in row and row["broader"] not in broader[iri] and row["broader"] != iri:
            broader[iri].append(row["broader"])
    for iri, tile in tiles.items():
        tile.label = preferred_label(labels[iri]) or iri
    tiles = dict(sorted(tiles.items(), key=lambda item: (item[1].label.casefold(), item[0])))

    for iri, owners in _named(run(model, "heatmap-owners"), "capability", "owner").items():
        tiles[iri].owners = owners
    propositions = _named(run(model, "heatmap-propositions"), "capability", "proposition")
    for iri, named in propositions.items():
        tiles[iri].propositions = named

    # A capability under several broader ones sits under the first (by IRI); one in a cycle of
    # skos:broader, reached from no top capability, is drawn at the top.
    placed: set[str] = set()
    roots = [t for iri, t in tiles.items() if not broader.get(iri)]

    def place(tile: _Tile) -> None:
        placed.add(tile.iri)
        for iri, child in tiles.items():
            if iri not in placed and broader.get(iri, [None])[0] == tile.iri:
                tile.children.append(child)
                place(child)

    for root in roots:
        place(root)
    for iri, tile in tiles.items():
        if iri not in placed:
            roots.append(tile)
            place(tile)
    return tiles, roots


def _named(rows: Iterable[dict[str, object]], key: str, thing: str) -> dict[str, list[_Named]]:
    """The things (``thing``) of each ``key``, labelled, in label order; non-live value
    propositions say their status."""
    labels: dict[str, list[tuple[str, str]]] = defaultdict(list)
    status: dict[str, str] = {}
    of: dict[str, list[str]] = defaultdict(list)
    for row in rows:
        iri = str(row[thing])
        if iri not in of[str(row[key])]:
            of[str(row[key])].append(iri)
        if "label" in row:
            labels[iri].append((str(row["label"]), str(row.get("language", ""))))
        if "status" in row and row["status"] != _LIVE:
            status[iri] = f"({str(row['status']).rsplit('#', 1)[-1].lower()})"
    named = {
        iri: _Named(iri, preferred_label(set(labels[iri])) or iri, status.get(iri, ""))
        for iri in {i for found in of.values() for i in found}
    }
    return {
        key_iri: sorted((named[i] for i in found), key=lambda n: (n.label.casefold(), n.iri))
        for key_iri, found in of.items()
    }
