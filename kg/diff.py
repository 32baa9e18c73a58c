"""What changed between two versions of a model: elements added, removed, renamed and changed.

An element is a subject IRI; its statements are its property/value pairs. The two models are
read as sets of statements (a statement several files make is one), the ontology's graph left
out unless asked for. Elements are matched by IRI. A blank node is compared by what it says
(its own pairs, recursively), never by its name, which every load makes afresh: two loads of
one folder do not differ, and a changed blank node shows as a changed value of the property
that holds it. Blank nodes that no IRI reaches are compared as a multiset of their contents.

Renames
-------
An element removed and an element added are one element *renamed* when they have the same
class and the same statements once each one's own IRI is set aside (links to itself included),
and they say something besides their class. Several with one such signature on both sides are
paired in IRI order. The links other elements had to the old IRI are then read as links to the
new one: an element whose only change is that it follows the rename is not reported as changed.

The comparison reads each model once and compares sets: its cost grows with the size of the
models, not with the number of pairs of elements.

Examples
--------
>>> from kg.model import open_model
>>> model = open_model()
>>> diff_models(model, model).is_empty
True
"""

from __future__ import annotations

import os
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeAlias

import pyoxigraph as ox

from kg.answers import preferred_label
from kg.errors import SourceNotFoundError, StoreError
from kg.ontology import ONTOLOGY_IRI
from kg.questions import DEFAULT_PARAMETERS, Parameters
from kg.store import KnowledgeGraph, repeats_of
from kg.vocab import STANDARD_PREFIXES

if TYPE_CHECKING:
    from kg.analysis import AnalysisCache
    from kg.delta import Difference
    from kg.portfolio import Choice

__all__ = [
    "Change",
    "Changed",
    "Comparison",
    "Element",
    "ModelDiff",
    "Renamed",
    "compare_models",
    "diff_models",
    "format_value",
    "open_side",
]

_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_BM = "https://w3id.org/bmkg/ontology#"

Value: TypeAlias = tuple[Any, ...]
"""A value as compared: ``("iri", iri)``, ``("literal", text, datatype, language)`` (language
``""`` when none) or ``("blank", ((property, value), ...))`` with the pairs sorted; a blank node
met again inside itself is ``("cycle",)``."""

Pairs: TypeAlias = frozenset[tuple[str, Value]]


# --------------------------------------------------------------------------------------------
# The result


@dataclass(frozen=True, slots=True, order=True)
class Element:
    """An element as one side shows it: its IRI, label and class (local name)."""

    iri: str
    label: str | None = None
    kind: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"iri": self.iri, "label": self.label, "class": self.kind}


@dataclass(frozen=True, slots=True)
class Change:
    """One property of an element whose values differ: all its values on each side, sorted."""

    property: str
    old: tuple[Value, ...]
    new: tuple[Value, ...]

    def reversed(self) -> Change:
        return Change(self.property, self.new, self.old)

    def to_dict(self) -> dict[str, Any]:
        return {
            "property": self.property,
            "old": [_value_dict(v) for v in self.old],
            "new": [_value_dict(v) for v in self.new],
        }


@dataclass(frozen=True, slots=True)
class Changed:
    """An element in both models whose statements differ."""

    old: Element
    new: Element
    changes: tuple[Change, ...]

    @property
    def iri(self) -> str:
        return self.new.iri

    def reversed(self) -> Changed:
        return Changed(self.new, self.old, tuple(c.reversed() for c in self.changes))

    def to_dict(self) -> dict[str, Any]:
        return {
            **self.new.to_dict(),
            "old_label": self.old.label,
            "old_class": self.old.kind,
            "changes": [c.to_dict() for c in self.changes],
        }


@dataclass(frozen=True, slots=True)
class Renamed:
    """An element whose IRI changed and nothing else (see the module's rule)."""

    old: Element
    new: Element

    def reversed(self) -> Renamed:
        return Renamed(self.new, self.old)

    def to_dict(self) -> dict[str, Any]:
        return {"old": self.old.to_dict(), "new": self.new.to_dict()}


@dataclass(frozen=True, slots=True)
class ModelDiff:
    """What changed from an old model to a new one, each list sorted by IRI.

    Attributes
    ----------
    added, removed : tuple of Element
        Elements only in the new model, only in the old one.
    changed : tuple of Changed
    renamed : tuple of Renamed
        Sorted by old IRI.
    anonymous_added, anonymous_removed : tuple of Value
        Blank nodes no IRI reaches, by content, one per copy.
    prefixes : mapping
        Used to shorten IRIs in :meth:`to_text`; not compared.
    """

    added: tuple[Element, ...] = ()
    removed: tuple[Element, ...] = ()
    changed: tuple[Changed, ...] = ()
    renamed: tuple[Renamed, ...] = ()
    anonymous_added: tuple[Value, ...] = ()
    anonymous_removed: tuple[Value, ...] = ()
    prefixes: Mapping[str, str] = field(default_factory=dict, compare=False)

    @property
    def is_empty(self) -> bool:
        """Whether the two models make the same statements."""
        return not any(self.counts.values())

    @property
    def counts(self) -> dict[str, int]:
        """How many elements were added, removed, changed, renamed, and anonymous nodes."""
        return {
            "added": len(self.added),
            "removed": len(self.removed),
            "changed": len(self.changed),
            "renamed": len(self.renamed),
            "anonymous_added": len(self.anonymous_added),
            "anonymous_removed": len(self.anonymous_removed),
        }

    def reversed(self) -> ModelDiff:
        """The difference the other way round: ``diff(a, b).reversed() == diff(b, a)``."""
        return ModelDiff(
            added=self.removed,
            removed=self.added,
            changed=tuple(c.reversed() for c in self.changed),
            renamed=tuple(sorted((r.reversed() for r in self.renamed), key=_renamed_key)),
            anonymous_added=self.anonymous_removed,
            anonymous_removed=self.anonymous_added,
            prefixes=self.prefixes,
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe form: counts, then each list."""
        return {
            "counts": self.counts,
            "added": [e.to_dict() for e in self.added],
            "removed": [e.to_dict() for e in self.removed],
            "renamed": [r.to_dict() for r in self.renamed],
            "changed": [c.to_dict() for c in self.changed],
            "anonymous_added": [_value_dict(v) for v in self.anonymous_added],
            "anonymous_removed": [_value_dict(v) for v in self.anonymous_removed],
        }

    def to_text(self) -> str:
        """For a terminal: a headline of counts, then one line per element.

        ``+`` added, ``-`` removed, ``>`` renamed (old -> new), ``~`` changed with one indented
        ``property: old -> new`` line per property that changed.
        """
        if self.is_empty:
            return "no differences\n"
        prefixes = {**STANDARD_PREFIXES, **self.prefixes}
        short = _Shortener(prefixes)
        counts = self.counts
        headline = ", ".join(
            f"{counts[key]} {key.replace('_', ' ')}" for key in counts if counts[key]
        )
        lines = [headline]
        for element in self.added:
            lines.append(f"+ {_shown(element, short)}")
        for element in self.removed:
            lines.append(f"- {_shown(element, short)}")
        for renamed in self.renamed:
            lines.append(f"> {_shown(renamed.old, short)} -> {short(renamed.new.iri)}")
        for changed in self.changed:
            lines.append(f"~ {_shown(changed.new, short)}")
            for change in changed.changes:
                old = _values_text(change.old, short)
                new = _values_text(change.new, short)
                lines.append(f"    {short(change.property)}: {old} -> {new}")
        for value in self.anonymous_added:
            lines.append(f"+ {format_value(value, prefixes)}")
        for value in self.anonymous_removed:
            lines.append(f"- {format_value(value, prefixes)}")
        return "\n".join(lines) + "\n"


def _renamed_key(renamed: Renamed) -> tuple[str, str]:
    return renamed.old.iri, renamed.new.iri


class _Shortener:
    """IRIs as ``prefix:local`` where a prefix fits, else ``<iri>``."""

    def __init__(self, prefixes: Mapping[str, str]) -> None:
        # The longest namespace wins: bmv: before bm: where both would fit.
        self.prefixes = sorted(prefixes.items(), key=lambda item: (-len(item[1]), item[0]))

    def __call__(self, iri: str) -> str:
        for prefix, namespace in self.prefixes:
            local = iri.removeprefix(namespace)
            if local != iri and local and all(c.isalnum() or c in "_-." for c in local):
                return f"{prefix}:{local}"
        return f"<{iri}>"


def _shown(element: Element, short: _Shortener) -> str:
    text = short(element.iri)
    if element.kind:
        text += f" ({element.kind})"
    if element.label:
        text += f' "{element.label}"'
    return text


def _values_text(values: tuple[Value, ...], short: _Shortener) -> str:
    if not values:
        return "(none)"
    return ", ".join(_value_text(v, short) for v in values)


def _value_text(value: Value, short: _Shortener) -> str:
    kind = value[0]
    if kind == "iri":
        return short(value[1])
    if kind == "literal":
        _, text, datatype, language = value
        text = str(text)
        shown = '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'
        if language:
            return f"{shown}@{language}"
        if datatype != _XSD_STRING:
            return f"{shown}^^{short(datatype)}"
        return shown
    if kind == "cycle":
        return "[...]"
    inner = " ; ".join(f"{short(p)} {_value_text(v, short)}" for p, v in value[1])
    return f"[ {inner} ]"


def format_value(value: Value, prefixes: Mapping[str, str] | None = None) -> str:
    """A value in Turtle-like text.

    >>> format_value(("literal", "9.5", "http://www.w3.org/2001/XMLSchema#decimal", ""))
    '"9.5"^^xsd:decimal'
    >>> format_value(("blank", (("http://www.w3.org/2000/01/rdf-schema#label",
    ...                          ("literal", "x", _XSD_STRING, "")),)))
    '[ rdfs:label "x" ]'
    """
    return _value_text(value, _Shortener({**STANDARD_PREFIXES, **(prefixes or {})}))


def _value_dict(value: Value) -> dict[str, Any]:
    kind = value[0]
    if kind == "iri":
        return {"iri": value[1]}
    if kind == "literal":
        _, text, datatype, language = value
        found: dict[str, Any] = {"value": text, "datatype": datatype}
        if language:
            found["language"] = language
        return found
    if kind == "cycle":
        return {"blank": "cycle"}
    return {"blank": [{"property": p, "value": _value_dict(v)} for p, v in value[1]]}


# --------------------------------------------------------------------------------------------
# Reading a side


class _Side:
    """One model read once: each IRI subject's pairs, blank nodes resolved to their content."""

    def __init__(self, model: KnowledgeGraph, *, include_ontology: bool) -> None:
        left_out = set() if include_ontology else {str(ONTOLOGY_IRI), repeats_of(str(ONTOLOGY_IRI))}
        named: dict[str, set[tuple[str, Any]]] = defaultdict(set)
        blank: dict[str, set[tuple[str, Any]]] = defaultdict(set)
        objects: set[str] = set()
        for quad in model.quads():
            graph = quad.graph_name
            if isinstance(graph, ox.NamedNode) and graph.value in left_out:
                continue
            subject, obj = quad.subject, quad.object
            if isinstance(obj, ox.BlankNode):
                objects.add(obj.value)
            pair = (quad.predicate.value, obj)
            if isinstance(subject, ox.NamedNode):
                named[subject.value].add(pair)
            elif isinstance(subject, ox.BlankNode):
                blank[subject.value].add(pair)
        self._blank = blank
        self._resolved: dict[str, Value] = {}
        self.elements: dict[str, Pairs] = {
            iri: frozenset((p, self._value(o)) for p, o in pairs) for iri, pairs in named.items()
        }
        self.anonymous: Counter[Value] = Counter(
            self._value(ox.BlankNode(node)) for node in blank if node not in objects
        )
        del self._blank, self._resolved

    def _value(self, term: Any, inside: frozenset[str] = frozenset()) -> Value:
        if isinstance(term, ox.NamedNode):
            return ("iri", term.value)
        if isinstance(term, ox.Literal):
            return ("literal", term.value, term.datatype.value, term.language or "")
        if isinstance(term, ox.BlankNode):
            node = term.value
            if node in inside:
                return ("cycle",)
            known = self._resolved.get(node)
            if known is not None:
                return known
            within = inside | {node}
            value = (
                "blank",
                tuple(sorted((p, self._value(o, within)) for p, o in self._blank.get(node, ()))),
            )
            if not _has_cycle(value):
                self._resolved[node] = value
            return value
        return ("literal", str(term), "", "")  # an RDF 1.2 triple term, compared as written

    def element(self, iri: str) -> Element:
        pairs = self.elements.get(iri, frozenset())
        labels = [(v[1], v[3]) for p, v in pairs if p == _RDFS_LABEL and v[0] == "literal"]
        types = sorted(v[1] for p, v in pairs if p == _RDF_TYPE and v[0] == "iri")
        ours = [t for t in types if t.startswith(_BM)] or types
        kind = _local(ours[0]) if ours else None
        return Element(iri, preferred_label(labels), kind)


def _has_cycle(value: Value) -> bool:
    if value[0] == "cycle":
        return True
    if value[0] == "blank":
        return any(_has_cycle(v) for _, v in value[1])
    return False


def _local(iri: str) -> str:
    for mark in ("#", "/", ":"):
        if mark in iri:
            iri = iri.rsplit(mark, 1)[1] or iri
    return iri


# --------------------------------------------------------------------------------------------
# Comparing


def diff_models(
    old: KnowledgeGraph, new: KnowledgeGraph, *, include_ontology: bool = False
) -> ModelDiff:
    """What changed from ``old`` to ``new``, element by element.

    Parameters
    ----------
    old, new
        The two models (see :func:`open_side` to open one from files, a store or a version).
    include_ontology
        Compare the ontology's graph too (left out by default: both sides usually hold the
        project's copy).

    Returns
    -------
    ModelDiff
        Empty when both make the same statements (blank nodes compared by content).
    """
    before = _Side(old, include_ontology=include_ontology)
    after = _Side(new, include_ontology=include_ontology)
    gone = sorted(before.elements.keys() - after.elements.keys())
    came = sorted(after.elements.keys() - before.elements.keys())
    renames = _renames(before, after, gone, came)
    moved = {old_iri: new_iri for old_iri, new_iri in renames}
    changed = []
    for iri in sorted(before.elements.keys() & after.elements.keys()):
        was, now = before.elements[iri], after.elements[iri]
        if was == now:
            continue
        changes = _changes(was, now, moved)
        if changes:
            changed.append(Changed(before.element(iri), after.element(iri), changes))
    anonymous_added = after.anonymous - before.anonymous
    anonymous_removed = before.anonymous - after.anonymous
    return ModelDiff(
        added=tuple(after.element(i) for i in came if i not in set(moved.values())),
        removed=tuple(before.element(i) for i in gone if i not in moved),
        changed=tuple(changed),
        renamed=tuple(Renamed(before.element(o), after.element(n)) for o, n in renames),
        anonymous_added=tuple(sorted(anonymous_added.elements())),
        anonymous_removed=tuple(sorted(anonymous_removed.elements())),
        prefixes={**old.prefixes, **new.prefixes},
    )


def _changes(was: Pairs, now: Pairs, moved: Mapping[str, str]) -> tuple[Change, ...]:
    """Per property whose values differ (once renamed elements are followed): all values."""
    followed = frozenset((p, _follow(v, moved)) for p, v in was) if moved else was
    properties = {p for p, _ in followed ^ now}
    changes = []
    for prop in sorted(properties):
        old = tuple(sorted(v for p, v in was if p == prop))
        new = tuple(sorted(v for p, v in now if p == prop))
        changes.append(Change(prop, old, new))
    return tuple(changes)


def _follow(value: Value, moved: Mapping[str, str]) -> Value:
    if value[0] == "iri":
        return ("iri", moved.get(value[1], value[1]))
    if value[0] == "blank":
        return ("blank", tuple(sorted((p, _follow(v, moved)) for p, v in value[1])))
    return value


def _renames(
    before: _Side, after: _Side, gone: list[str], came: list[str]
) -> list[tuple[str, str]]:
    """Pairs (old IRI, new IRI) of elements renamed, by the module's rule."""
    if not gone or not came:
        return []

    def signatures(side: _Side, iris: Iterable[str]) -> dict[Value, list[str]]:
        found: dict[Value, list[str]] = defaultdict(list)
        for iri in iris:
            pairs = side.elements[iri]
            if not any(p != _RDF_TYPE for p, _ in pairs) or not any(
                p == _RDF_TYPE for p, _ in pairs
            ):
                continue  # nothing besides (or no) class: too little to tell it is the same
            found[_follow(("blank", tuple(sorted(pairs))), {iri: "urn:bmkg:self"})[1]].append(iri)
        return found

    old_signatures = signatures(before, gone)
    new_signatures = signatures(after, came)
    renames: list[tuple[str, str]] = []
    for signature, olds in old_signatures.items():
        news = new_signatures.get(signature, [])
        renames.extend(zip(sorted(olds), sorted(news), strict=False))
    return sorted(renames)


# --------------------------------------------------------------------------------------------
# Opening a side


def _is_store(folder: Path) -> bool:
    """Whether a folder holds an on-disk Oxigraph store (a RocksDB database)."""
    return (folder / "CURRENT").is_file() and any(folder.glob("MANIFEST-*"))


def open_side(
    spec: str | os.PathLike[str], *, store: KnowledgeGraph | None = None
) -> KnowledgeGraph:
    """Open one side of a comparison.

    Parameters
    ----------
    spec
        A folder or file of RDF (opened with :func:`kg.model.open_model`, the ontology added);
        several paths joined with ``,``; the folder of an on-disk store (opened read-only, so
        a running server may keep it open); ``STORE_FOLDER#NAME`` for a version saved in that
        store; ``version:NAME`` for a version saved in ``store``.
    store
        The model whose versions ``version:NAME`` names.

    Raises
    ------
    SourceNotFoundError
        A path does not exist, or a folder holds no RDF file.
    RDFSyntaxError
        A file is not valid RDF.
    kg.versions.VersionNotFoundError
        No version of that name (the error lists the versions there are).
    StoreError
        ``version:NAME`` without a store, or a store that cannot be opened.
    """
    from kg.model import open_model
    from kg.versions import open_version

    text = os.fspath(spec)
    if text.startswith("version:"):
        if store is None:
            raise StoreError(f"{text!r} names a saved version: give the store that holds it")
        return open_version(store, text.removeprefix("version:"))
    folder, mark, name = text.rpartition("#")
    if mark and Path(folder).is_dir() and _is_store(Path(folder)):
        with _read_only(Path(folder)) as saved:
            return open_version(saved, name)
    paths = [Path(part) for part in text.split(",")] if "," in text else [Path(text)]
    for path in paths:
        if not path.exists():
            raise SourceNotFoundError("no such file or folder", path=path)
    if len(paths) == 1 and paths[0].is_dir() and _is_store(paths[0]):
        return _read_only(paths[0])
    return open_model(*paths)


def _read_only(folder: Path) -> KnowledgeGraph:
    try:
        backend = ox.Store.read_only(str(folder))
    except OSError as exc:
        raise StoreError(f"cannot open store: {exc}", path=folder) from exc
    return KnowledgeGraph(backend=backend)


# --------------------------------------------------------------------------------------------
# The model's difference, and its answers'


@dataclass(frozen=True)
class Comparison:
    """Two models compared: what changed in them (:class:`ModelDiff`) and in their answers.

    ``answers`` is :func:`kg.delta.compare` of the two models' analyses: the ten answers and the
    silos, verdicts, scores and findings that appeared, disappeared or changed, with the money
    at stake.
    """

    model: ModelDiff
    answers: Difference

    @property
    def is_empty(self) -> bool:
        """Whether the two models make the same statements and give the same answers."""
        return self.model.is_empty and self.answers.is_empty

    def reversed(self) -> Comparison:
        """The comparison the other way round (new against old)."""
        return Comparison(self.model.reversed(), self.answers.reversed())

    def to_dict(self) -> dict[str, Any]:
        return {"model": self.model.to_dict(), "answers": self.answers.to_dict()}

    def to_text(self) -> str:
        """For a terminal: the elements that changed, then how the answers moved."""
        return (
            self.model.to_text().rstrip("\n")
            + "\n\nAnswers\n\n"
            + self.answers.to_text().rstrip("\n")
            + "\n"
        )


def compare_models(
    old: KnowledgeGraph,
    new: KnowledgeGraph,
    *,
    params: Parameters = DEFAULT_PARAMETERS,
    enterprise: Choice = None,
    include_ontology: bool = False,
    cache: AnalysisCache | None = None,
) -> Comparison:
    """Compare two models, element by element and answer by answer.

    Parameters
    ----------
    old, new
        The two models (see :func:`open_side` to open folders, stores and saved versions).
    params
        The thresholds of the questions, the same for both.
    enterprise
        In models of several enterprises, the one to answer for (the same name on both sides);
        each side's only enterprise by default, so that two models of one enterprise each
        compare whatever their enterprises' names.
    include_ontology
        Compare the ontology's graph too.
    cache
        Where the analyses are kept (:func:`kg.analysis.default_cache` by default): a model
        analysed before, such as the API's, is not analysed again.

    Examples
    --------
    >>> from kg.model import open_model
    >>> model = open_model()
    >>> compare_models(model, model).is_empty
    True
    """
    from kg.analysis import default_cache
    from kg.delta import compare

    cache = default_cache() if cache is None else cache
    before = cache.get(old, params=params, enterprise=enterprise)
    after = cache.get(new, params=params, enterprise=enterprise)
    return Comparison(
        diff_models(old, new, include_ontology=include_ontology), compare(before, after)
    )
