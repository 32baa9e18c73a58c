"""Synthetic enterprises: seeded groups of divisions, from ten thousand to ten million triples.

A synthetic enterprise is a group made of many divisions, each one a copy of one of the bundled
example enterprises (:data:`TEMPLATES`: Alpina Telecom and Maple Harbour Bank) with its IRIs moved
to a namespace of its own (``https://example.org/synthetic/d0042/...``), its labels made distinct
(``"Connected families (Aster Ridge, division 42)"``) and its blank nodes renamed apart. The seed
decides the order and mix of templates and the divisions' names: the same seed and size give
byte-identical files, another seed gives other files.

The questions and the silo rules read a model as *one* enterprise: a query takes the growth goal
and the as-of date from "the" ``bm:Enterprise``, and segments, partners and goals carry no link to
an enterprise by which several could be told apart. A model holding one ``bm:Enterprise`` per
division therefore repeats each Q1 segment finding once per enterprise goal (quadratic in the
number of divisions), compares every division's revenue with every goal, and shares partner costs
across divisions. So the group is one enterprise: each division's ``bm:Enterprise`` and its growth
goal become the group's (``https://example.org/synthetic/group`` and ``.../goal-group``); what
referred to them (units' ``org:subOrganizationOf``, risks, metrics) refers to the group. The
group's as-of date is the latest of the templates', its growth goal asks for the highest of their
target growth rates by the latest of their target dates, and its target revenue is the sum of its
divisions' targets. Every amount of the group is in the first template's currency, the others'
taken at par as nominal figures: one enterprise reports in one currency (:mod:`kg.money`).

With that design every finding kind but two is *additive*: a group of divisions has, for each
kind, the sum of what one division of each template has. The two exceptions are computed from the
templates' figures rather than counted: ``revenue-short-of-goal`` (one group goal against the
revenue of every division) and ``partner-cost-concentration`` (a partner's share of the costs of
all partners of the group). :func:`generate` writes the expected counts to ``expected.json`` beside
the model, and :func:`check` compares a loaded model with them.

Generation streams: each template is serialised once with placeholders, and a division is written
by substituting its namespace and label suffix into that text.

>>> import tempfile
>>> from kg.model import open_model
>>> from kg.synthetic import check, generate
>>> with tempfile.TemporaryDirectory() as folder:
...     summary = generate(folder, divisions=2, seed=7)
...     with open_model(*summary.files) as model:
...         differences = check(model, summary.expected)
>>> sorted(summary.divisions.items()), summary.triples, differences
([('bank', 1), ('telco', 1)], 9745, [])
"""

from __future__ import annotations

import json
import os
import random
import tempfile
import time
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any, Literal

import pyoxigraph as ox

import kg
from kg.errors import SourceError
from kg.model import open_model
from kg.ontology import examples_dir
from kg.queries import run
from kg.questions import ask_all
from kg.silos import find_silos
from kg.store import KnowledgeGraph, rdf_files
from kg.vocab import STANDARD_PREFIXES

__all__ = [
    "GOAL_IRI",
    "GROUP_IRI",
    "GROUP_LEVEL_KINDS",
    "NAMESPACE",
    "TEMPLATES",
    "GenerationSummary",
    "check",
    "count_findings",
    "generate",
]

_DATA = examples_dir()

TEMPLATES: Mapping[str, Path] = {"telco": _DATA / "telco", "bank": _DATA / "bank"}
"""The enterprises a division can be a copy of: name -> folder of Turtle files."""

GROUP_LEVEL_KINDS = frozenset({"revenue-short-of-goal", "partner-cost-concentration"})
"""Finding kinds judged for the whole group, whose expected counts are computed, not summed."""

NAMESPACE = "https://example.org/synthetic/"
"""Where the generated IRIs live: the group's, and each division's under ``d0001/`` ..."""
GROUP_IRI = NAMESPACE + "group"
"""The group: the model's one ``bm:Enterprise``."""
GOAL_IRI = NAMESPACE + "goal-group"
"""The group's growth goal, which every division's enterprise goal becomes."""

_BM = "https://w3id.org/bmkg/ontology#"
_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
_DCTERMS_DESCRIPTION = "http://purl.org/dc/terms/description"
_XSD = "http://www.w3.org/2001/XMLSchema#"

# Stand-ins written into a template's text and replaced per division: the division's code (in
# IRIs and blank node labels) and the suffix that makes its labels distinct.
_CODE = "QQDIVQQ"
_SUFFIX = "\ue000"
_CURRENCY = "\ue001"

_FIRST_NAMES = (
    "Aster", "Birch", "Cedar", "Dune", "Ember", "Fjord", "Granite", "Heath", "Iris", "Juniper",
    "Kestrel", "Larch", "Meadow", "North", "Oak", "Pine", "Quarry", "Raven", "Sable", "Thistle",
    "Upland", "Vale", "Willow", "Yarrow",
)  # fmt: skip
_SECOND_NAMES = (
    "Bay", "Bridge", "Brook", "Cove", "Crest", "Cross", "Field", "Ford", "Gate", "Glen", "Harbour",
    "Hill", "Hollow", "Lake", "Moor", "Point", "Reach", "Ridge", "Shore", "Stone", "Water", "Wood",
)  # fmt: skip

_COMMON_PREFIXES: Mapping[str, str] = {
    name: STANDARD_PREFIXES[name]
    for name in ("bm", "dcterms", "org", "rdfs", "schema", "skos", "xsd")
    if name in STANDARD_PREFIXES
}


# --------------------------------------------------------------------------------------------
# Templates


@dataclass(frozen=True)
class _Template:
    """One bundled enterprise, serialised once with the division's code and label suffix left
    as placeholders; its enterprise and enterprise goal already mapped to the group's."""

    name: str
    ntriples: str
    turtle: str
    triples: int
    as_of: date
    growth_rate: Decimal
    target_revenue: Decimal
    target_date: date
    currency: str
    samples: Mapping[str, str]


def _value(node: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> str:
    """The IRI, label or lexical form of a term ("" for a quoted triple)."""
    return "" if isinstance(node, ox.Triple) else node.value


def _serialize(
    triples: Sequence[ox.Triple], rdf_format: ox.RdfFormat, prefixes: Mapping[str, str]
) -> str:
    data = ox.serialize(triples, format=rdf_format, prefixes=dict(prefixes))
    return "" if data is None else data.decode()


@cache
def _template(name: str) -> _Template:
    folder = TEMPLATES[name]
    triples: list[ox.Triple] = []
    for file in rdf_files([folder]):
        try:
            triples.extend(ox.parse(path=str(file), format=ox.RdfFormat.TURTLE))
        except SyntaxError as error:
            raise SourceError(f"malformed template: {error}", path=file) from error
    if any(_CODE in str(t) or _SUFFIX in str(t) or _CURRENCY in str(t) for t in triples):
        raise SourceError(f"the template uses the generator's placeholder {_CODE}", path=folder)
    enterprises = {
        _value(t.subject)
        for t in triples
        if _value(t.predicate) == _RDF_TYPE
        and _value(t.object) == _BM + "Enterprise"
        and isinstance(t.subject, ox.NamedNode)
    }
    if len(enterprises) != 1:
        raise SourceError(
            f"a template needs exactly one bm:Enterprise, not {len(enterprises)}", path=folder
        )
    enterprise = enterprises.pop()
    namespace = enterprise[: max(enterprise.rfind("/"), enterprise.rfind("#")) + 1]
    goals = {
        _value(t.subject)
        for t in triples
        if _value(t.predicate) == _BM + "goalFor" and _value(t.object) == enterprise
    }
    facts: dict[str, str] = {}
    for t in triples:
        subject, predicate = _value(t.subject), _value(t.predicate)
        if subject == enterprise and predicate == _BM + "asOfDate":
            facts["asOfDate"] = _value(t.object)
        elif subject in goals and predicate.startswith(_BM):
            facts.setdefault(predicate[len(_BM) :], _value(t.object))
    needed = {"asOfDate", "targetGrowthRate", "targetRevenue", "targetDate", "currency"}
    if needed - set(facts):
        raise SourceError(
            "a template's enterprise needs an as-of date and a goal with a target growth rate, "
            f"revenue, date and currency; missing: {', '.join(sorted(needed - set(facts)))}",
            path=folder,
        )

    renamed = {enterprise: GROUP_IRI, **dict.fromkeys(goals, GOAL_IRI)}
    division = NAMESPACE + _CODE + "/"

    def resource(node: ox.NamedNode | ox.BlankNode | ox.Triple) -> ox.NamedNode | ox.BlankNode:
        if isinstance(node, ox.BlankNode):
            return ox.BlankNode(_CODE + node.value)
        if not isinstance(node, ox.NamedNode):
            raise SourceError("quoted triples are not supported in a template", path=folder)
        iri = node.value
        if iri in renamed:
            return ox.NamedNode(renamed[iri])
        if iri.startswith(namespace):
            return ox.NamedNode(division + iri[len(namespace) :])
        return node

    copied: set[ox.Triple] = set()
    samples: dict[str, str] = {}
    for t in triples:
        if _value(t.subject) in renamed:
            continue  # the group's own description is written once, by the generator
        obj = t.object
        if not isinstance(obj, ox.Literal):
            copy = ox.Triple(resource(t.subject), t.predicate, resource(obj))
        elif _value(t.predicate) == _RDFS_LABEL and obj.language:
            label = ox.Literal(obj.value + _SUFFIX, language=obj.language)
            copy = ox.Triple(resource(t.subject), t.predicate, label)
        elif _value(t.predicate) == _RDFS_LABEL:
            label = ox.Literal(obj.value + _SUFFIX, datatype=obj.datatype)
            copy = ox.Triple(resource(t.subject), t.predicate, label)
        elif _value(t.predicate) == _BM + "currency":
            copy = ox.Triple(resource(t.subject), t.predicate, ox.Literal(_CURRENCY))
        else:
            copy = ox.Triple(resource(t.subject), t.predicate, obj)
        copied.add(copy)
        kind, subject = _value(t.object), _value(copy.subject)
        if (
            _value(t.predicate) == _RDF_TYPE
            and kind.startswith(_BM)
            and subject.startswith(division)
        ):
            local = subject[len(division) :]
            samples[kind[len(_BM) :]] = min(samples.get(kind[len(_BM) :], local), local)
    ordered = sorted(copied, key=str)
    return _Template(
        name=name,
        ntriples="".join(f"{t} .\n" for t in ordered),
        turtle=_serialize(ordered, ox.RdfFormat.TURTLE, {**_COMMON_PREFIXES, "d": division}),
        triples=len(ordered),
        as_of=date.fromisoformat(facts["asOfDate"]),
        growth_rate=Decimal(facts["targetGrowthRate"]),
        target_revenue=Decimal(facts["targetRevenue"]),
        target_date=date.fromisoformat(facts["targetDate"]),
        currency=facts["currency"],
        samples=dict(sorted(samples.items())),
    )


def _turtle_body(template: _Template) -> str:
    """A template's Turtle without the common prefixes: it starts with its own ``d:`` prefix."""
    lines = template.turtle.splitlines(keepends=True)
    return "".join(
        line for line in lines if not line.startswith("@prefix ") or line.startswith("@prefix d:")
    )


# --------------------------------------------------------------------------------------------
# The group


@dataclass(frozen=True)
class _Division:
    number: int
    code: str
    template: str
    name: str

    @property
    def namespace(self) -> str:
        return f"{NAMESPACE}{self.code}/"

    @property
    def suffix(self) -> str:
        return f" ({self.name}, division {self.number})"


@dataclass(frozen=True)
class _Group:
    """The facts of the group that every division shares: its enterprise and growth goal."""

    label: str
    as_of: date
    growth_rate: Decimal
    target_revenue: Decimal
    target_date: date
    currency: str


def _group(label: str, counts: Mapping[str, int]) -> _Group:
    """The group of ``counts`` divisions per template.

    Its dates and growth rate come from every template, not only those used, so that a division
    of a template has the same findings in any group.
    """
    templates = [_template(name) for name in TEMPLATES]
    return _Group(
        label=label,
        as_of=max(t.as_of for t in templates),
        growth_rate=max(t.growth_rate for t in templates),
        target_revenue=sum(
            (_template(name).target_revenue * n for name, n in counts.items()), Decimal(0)
        ),
        target_date=max(t.target_date for t in templates),
        currency=templates[0].currency,
    )


def _group_triples(group: _Group) -> list[ox.Triple]:
    def literal(value: object, datatype: str) -> ox.Literal:
        return ox.Literal(str(value), datatype=ox.NamedNode(_XSD + datatype))

    enterprise, goal = ox.NamedNode(GROUP_IRI), ox.NamedNode(GOAL_IRI)
    rows: list[tuple[ox.NamedNode, str, ox.NamedNode | ox.Literal]] = [
        (enterprise, _RDF_TYPE, ox.NamedNode(_BM + "Enterprise")),
        (enterprise, _RDFS_LABEL, ox.Literal(group.label, language="en")),
        (
            enterprise,
            _DCTERMS_DESCRIPTION,
            ox.Literal(
                "A synthetic group whose divisions are copies of the bundled example "
                "enterprises. Fictitious.",
                language="en",
            ),
        ),
        (enterprise, _BM + "asOfDate", literal(group.as_of.isoformat(), "date")),
        (goal, _RDF_TYPE, ox.NamedNode(_BM + "Goal")),
        (goal, _RDFS_LABEL, ox.Literal(f"{group.label}: the group's growth goal", language="en")),
        (goal, _BM + "goalFor", enterprise),
        (goal, _BM + "targetGrowthRate", literal(group.growth_rate, "decimal")),
        (goal, _BM + "targetRevenue", literal(f"{group.target_revenue:.2f}", "decimal")),
        (goal, _BM + "currency", ox.Literal(group.currency)),
        (goal, _BM + "targetDate", literal(group.target_date.isoformat(), "date")),
    ]
    return [ox.Triple(s, ox.NamedNode(p), o) for s, p, o in rows]


def _plan(*, seed: int, triples: int | None, divisions: int | None) -> tuple[list[_Division], str]:
    """The divisions, in order, and the group's name: all decided by the seed."""
    rng = random.Random(seed)
    names = list(TEMPLATES)
    order = rng.sample(names, len(names))
    group_name = f"{rng.choice(_FIRST_NAMES)} {rng.choice(_SECOND_NAMES)} Group"
    chosen: list[tuple[str, str]] = []
    total = len(_group_triples(_group(group_name, {})))
    while True:
        template = order[len(chosen)] if len(chosen) < len(order) else rng.choice(names)
        name = f"{rng.choice(_FIRST_NAMES)} {rng.choice(_SECOND_NAMES)}"
        size = _template(template).triples
        if divisions is not None:
            if len(chosen) >= divisions:
                break
        elif chosen and triples is not None and total + size / 2 > triples:
            break
        chosen.append((template, name))
        total += size
    width = max(4, len(str(len(chosen))))
    plan = [
        _Division(number=i, code=f"d{i:0{width}d}", template=template, name=name)
        for i, (template, name) in enumerate(chosen, start=1)
    ]
    return plan, group_name


def _division_text(division: _Division, body: str) -> str:
    text = body.replace(_CODE, division.code).replace(_SUFFIX, division.suffix)
    return text.replace(_CURRENCY, _group_currency())


@cache
def _group_currency() -> str:
    """The currency of every amount of the group: the first template's (one enterprise reports
    in one currency; the other templates' amounts are taken at par, as nominal figures)."""
    return _template(next(iter(TEMPLATES))).currency


# --------------------------------------------------------------------------------------------
# Counting findings and the expectation


def count_findings(model: KnowledgeGraph) -> dict[str, dict[str, int]]:
    """Count a model's findings by question and kind, and its silo findings by kind.

    Runs :func:`kg.questions.ask_all` and :func:`kg.silos.find_silos` with their default
    parameters.

    Returns
    -------
    dict
        ``{"Q1": {"segment-below-growth-goal": 3, ...}, ..., "Q10": {...}, "silos":
        {"channel-silo": 2, ...}}``: every question and ``"silos"`` present, kinds with no
        finding left out.

    Examples
    --------
    >>> from kg.model import open_model
    >>> count_findings(open_model())["Q3"]
    {}
    """
    counts: dict[str, dict[str, int]] = {}
    for answer in ask_all(model):
        counts[f"Q{answer.number}"] = dict(sorted(Counter(f.kind for f in answer.findings).items()))
    silos = find_silos(model)
    counts["silos"] = dict(sorted(Counter(f.kind for f in silos.findings).items()))
    return counts


@dataclass(frozen=True)
class _Run:
    """What one division of a template, alone in a group, gives: the basis of the expectation."""

    counts: Mapping[str, Mapping[str, int]]
    ontology_triples: int
    segment_revenues: tuple[tuple[Decimal, Decimal], ...]
    years: int
    partner_costs: tuple[Decimal, ...]
    partner_total: Decimal


@cache
def _run(name: str) -> _Run:
    template = _template(name)
    division = _Division(number=1, code="d0001", template=name, name="Template")
    group = _group("Template group", {name: 1})
    text = _serialize(_group_triples(group), ox.RdfFormat.N_TRIPLES, {})
    text += _division_text(division, template.ntriples)
    with tempfile.TemporaryDirectory() as folder, open_model() as model:
        ontology_triples = len(model)
        path = Path(folder, f"{name}.nt")
        path.write_text(text, encoding="utf-8")
        model.load(path)
        counts = count_findings(model)
        revenue = run(model, "revenue-short-of-goal")
        partners = run(model, "partner-cost-concentration", maxPartnerCostShare=0)
    return _Run(
        counts=counts,
        ontology_triples=ontology_triples,
        segment_revenues=tuple((r["revenue"], r["growth"]) for r in revenue if "segment" in r),
        years=max(0, int(revenue[0]["years"])) if revenue else 0,
        partner_costs=tuple(r["cost"] for r in partners),
        partner_total=partners[0]["total"] if partners else Decimal(0),
    )


def _additive(counts: Mapping[str, Mapping[str, int]]) -> dict[str, dict[str, int]]:
    return {
        section: {kind: n for kind, n in kinds.items() if kind not in GROUP_LEVEL_KINDS}
        for section, kinds in counts.items()
    }


def _expected_findings(counts: Mapping[str, int], group: _Group) -> dict[str, dict[str, int]]:
    runs = {name: _run(name) for name in counts}
    expected: dict[str, Counter[str]] = {f"Q{n}": Counter() for n in range(1, 11)}
    expected["silos"] = Counter()
    for name, n in counts.items():
        for section, kinds in runs[name].counts.items():
            for kind, count in kinds.items():
                if kind not in GROUP_LEVEL_KINDS:
                    expected[section][kind] += count * n
    # One group goal against this year's revenue of every division's targeted segments, each
    # compounded at its own rate, rounded per segment as the question does.
    years = max((runs[name].years for name in counts), default=0)
    projected = sum(
        n
        * sum(round(float(r) * (1 + float(g)) ** years, 2) for r, g in runs[name].segment_revenues)
        for name, n in counts.items()
    )
    expected["Q1"]["revenue-short-of-goal"] = int(float(group.target_revenue) > projected)
    # A partner's share is of the costs of every partner of the group.
    total = sum((runs[name].partner_total * n for name, n in counts.items()), Decimal(0))
    share = Decimal(str(kg.Parameters().max_partner_cost_share))
    expected["Q10"]["partner-cost-concentration"] = sum(
        n * sum(1 for cost in runs[name].partner_costs if total > 0 and cost / total > share)
        for name, n in counts.items()
    )
    # as count_findings gives them: kinds with no finding left out
    return {
        section: dict(sorted((kind, n) for kind, n in kinds.items() if n))
        for section, kinds in expected.items()
    }


# --------------------------------------------------------------------------------------------
# Generating


@dataclass(frozen=True)
class GenerationSummary:
    """What :func:`generate` wrote.

    Attributes
    ----------
    files : tuple of Path
        The model's files, in order (N-Triples or Turtle); ``expected.json`` is not among them.
    expected_path : Path
        The ``expected.json`` written beside them.
    seed : int
    target_triples : int or None
        The size asked for, when asked by triples.
    triples : int
        Triples written, without the ontology (which :func:`kg.model.open_model` adds).
    divisions : dict
        Number of divisions per template.
    seconds : float
        Time taken, the expectation's analysis of each template included.
    expected : dict
        The content of ``expected.json``.
    """

    files: tuple[Path, ...]
    expected_path: Path
    seed: int
    target_triples: int | None
    triples: int
    divisions: Mapping[str, int]
    seconds: float
    expected: Mapping[str, Any]


def generate(
    out: str | os.PathLike[str],
    *,
    triples: int | None = None,
    divisions: int | None = None,
    seed: int = 0,
    format: Literal["nt", "ttl"] = "nt",
    parts: int = 1,
) -> GenerationSummary:
    """Write a synthetic enterprise of about ``triples`` triples (or of ``divisions`` divisions).

    Parameters
    ----------
    out
        The folder to write into (created if missing): ``model.nt`` (or ``model-1.nt`` ...
        with several parts; ``.ttl`` for Turtle) and ``expected.json``.
    triples
        The size to reach: divisions are added while the total comes closer to it (at least
        one division). About 4,750 triples a division.
    divisions
        The number of divisions instead (exactly one of ``triples`` and ``divisions``).
    seed
        Decides the order and mix of templates and the names.
    format
        ``"nt"`` (N-Triples, the default) or ``"ttl"`` (Turtle).
    parts
        How many files to spread the divisions over (the group's own triples are in the first).

    Returns
    -------
    GenerationSummary

    Raises
    ------
    ValueError
        Neither or both of ``triples`` and ``divisions``, a size below 1, an unknown format.
    OSError
        A file could not be written.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     summary = generate(folder, triples=10_000, seed=1)
    >>> summary.divisions, summary.expected["findings"]["silos"]
    ({'telco': 1, 'bank': 1}, {'channel-silo': 2, 'lifecycle-silo': 2, 'product-silo': 2})
    """
    if (triples is None) == (divisions is None):
        raise ValueError("give either triples or divisions")
    for label, value in (("triples", triples), ("divisions", divisions), ("parts", parts)):
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
            raise TypeError(f"{label} must be a whole number, not {value!r}")
        if value is not None and value < 1:
            raise ValueError(f"{label} must be at least 1, not {value!r}")
    if format not in ("nt", "ttl"):
        raise ValueError(f"format must be 'nt' or 'ttl', not {format!r}")
    started = time.perf_counter()
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    plan, group_name = _plan(seed=seed, triples=triples, divisions=divisions)
    counts = {name: n for name in TEMPLATES if (n := sum(d.template == name for d in plan))}
    group = _group(group_name, counts)
    group_triples = _group_triples(group)

    parts = min(parts, len(plan))
    names = (
        [f"model.{format}"] if parts == 1 else [f"model-{i}.{format}" for i in range(1, parts + 1)]
    )
    files = tuple(folder / name for name in names)
    bodies = {
        name: _template(name).ntriples if format == "nt" else _turtle_body(_template(name))
        for name in counts
    }
    head = ""
    rdf_format = ox.RdfFormat.N_TRIPLES if format == "nt" else ox.RdfFormat.TURTLE
    header = _serialize(group_triples, rdf_format, _COMMON_PREFIXES)
    if format == "ttl":
        # Each part is a Turtle document of its own: it declares the prefixes it uses.
        head = "".join(line for line in header.splitlines(keepends=True) if line.startswith("@"))
        header = header[len(head) :]
    for index, (file, chunk) in enumerate(zip(files, _chunks(plan, parts), strict=True)):
        with file.open("w", encoding="utf-8", newline="\n") as stream:
            stream.write(head)
            if index == 0:
                stream.write(header)
            for division in chunk:
                stream.write(_division_text(division, bodies[division.template]))

    written = len(group_triples) + sum(_template(d.template).triples for d in plan)
    ontology_triples = _run(next(iter(counts))).ontology_triples
    first = {name: next(d for d in plan if d.template == name) for name in counts}
    samples: dict[str, str] = {"Enterprise": GROUP_IRI, "Goal": GOAL_IRI}
    for name in counts:
        for kind, local in _template(name).samples.items():
            samples.setdefault(kind, first[name].namespace + local)
    expected: dict[str, Any] = {
        "generator": "kg.synthetic",
        "version": kg.__version__,
        "seed": seed,
        "format": format,
        "files": [file.name for file in files],
        "triples": {
            "target": triples,
            "actual": written,
            "ontology": ontology_triples,
            "counted": "the triples of the files written; the ontology, which "
            "kg.open_model loads beside them, is not included",
        },
        "divisions": {"total": len(plan), "per_template": counts},
        "enterprise": GROUP_IRI,
        "growth_goal": GOAL_IRI,
        "findings": _expected_findings(counts, group),
        "group_level_kinds": sorted(GROUP_LEVEL_KINDS),
        "per_division": {name: _additive(_run(name).counts) for name in counts},
        "samples": dict(sorted(samples.items())),
        "division_list": [
            {"code": d.code, "template": d.template, "name": d.name, "namespace": d.namespace}
            for d in plan
        ],
    }
    expected_path = folder / "expected.json"
    expected_path.write_text(json.dumps(expected, indent=2) + "\n", encoding="utf-8")
    return GenerationSummary(
        files=files,
        expected_path=expected_path,
        seed=seed,
        target_triples=triples,
        triples=written,
        divisions=counts,
        seconds=time.perf_counter() - started,
        expected=expected,
    )


def _chunks(plan: Sequence[_Division], parts: int) -> Iterator[Sequence[_Division]]:
    size, extra = divmod(len(plan), parts)
    start = 0
    for index in range(parts):
        end = start + size + (1 if index < extra else 0)
        yield plan[start:end]
        start = end


# --------------------------------------------------------------------------------------------
# Checking


def check(model: KnowledgeGraph, expected: Mapping[str, Any] | str | os.PathLike[str]) -> list[str]:
    """Compare a model's findings with those a generated model is expected to have.

    Parameters
    ----------
    model
        The generated model, loaded with the ontology (:func:`kg.model.open_model`).
    expected
        The content of ``expected.json``, or its path.

    Returns
    -------
    list of str
        One line per question or silo kind whose count differs, such as
        ``"Q3 low-value-proposition-fit: expected 12, found 11"``; empty when all agree.
    """
    data: Mapping[str, Any] = (
        expected
        if isinstance(expected, Mapping)
        else json.loads(Path(expected).read_text(encoding="utf-8"))
    )
    wanted: Mapping[str, Mapping[str, int]] = data["findings"]
    found = count_findings(model)
    differences = []
    for section in sorted(set(wanted) | set(found), key=_section_order):
        want, have = wanted.get(section, {}), found.get(section, {})
        for kind in sorted(set(want) | set(have)):
            if want.get(kind, 0) != have.get(kind, 0):
                differences.append(
                    f"{section} {kind}: expected {want.get(kind, 0)}, found {have.get(kind, 0)}"
                )
    return differences


def _section_order(section: str) -> tuple[int, str]:
    return (int(section[1:]), "") if section[:1] == "Q" and section[1:].isdigit() else (99, section)
