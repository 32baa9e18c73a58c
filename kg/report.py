"""The report an architect hands to an executive: the ten strategic questions and the silos.

:func:`build_report` validates a model, answers the ten strategic questions
(:mod:`kg.questions`) and looks for silos (:mod:`kg.silos`); the :class:`Report` it returns
renders as one self-contained HTML page (it opens offline: inline CSS, no external script,
font or image), as Markdown with the same content, and as JSON (:meth:`Report.to_dict`).
A report made by :func:`build_report` carries pictures (:mod:`kg.pictures`): per question the
picture of its answer's findings, in the silo section a picture of each segment a silo finding
names, and in Q7's section the capability map. The HTML embeds them, vis-network inlined once;
the Markdown and JSON leave them out. A report without pictures has no script at all.
:func:`write_report` writes the three files.

The rendering needs nothing but the data model of :mod:`kg.answers`, so a report can be put
together by hand too:

>>> from datetime import date, datetime, timezone
>>> from kg.answers import Answer, Verdict
>>> from kg.validation import validate
>>> import rdflib
>>> answer = Answer(number=2, title="Do we understand what our customers want and need?",
...                 short_name="Voice of Customer", verdict=Verdict.YES, summary="We do.")
>>> report = Report(
...     title="Review", model=ModelDescription(enterprise="Example <AG>"),
...     validation=validate(rdflib.Graph()), answers=[answer], silos=None,
...     parameters=None, generated_at=datetime(2026, 1, 1, tzinfo=timezone.utc))
>>> "Example &lt;AG&gt;" in report.to_html()
True
>>> report.to_dict()["answers"][0]["verdict"]
'yes'
"""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import io
import json
import os
import re
import shutil
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import Enum
from functools import cache
from importlib import resources
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlparse

import jinja2
import pyoxigraph as ox

from kg._version import __version__
from kg.answers import Answer, Finding, Level, Subject, Verdict, money_words, percent, score_text
from kg.ontology import ONTOLOGY_IRI
from kg.queries import kind_title
from kg.sparqltext import BOOLEANS
from kg.store import KnowledgeGraph
from kg.validation import Severity, ValidationReport, validate

if TYPE_CHECKING:
    from kg.diff import Comparison
    from kg.pictures import Picture
    from kg.portfolio import Choice
    from kg.priorities import Priority
    from kg.questions import Parameters
    from kg.silos import SiloAnalysis, SiloParameters
    from kg.views import View
    from kg.whatif import WhatIf

__all__ = ["ModelDescription", "Report", "build_report", "describe_model", "write_report"]

Progress = Callable[[str], None]
"""Called with a short line (no newline) before each long step."""

_ENTERPRISE = """
SELECT ?enterprise ?label ?asOf WHERE {
  ?enterprise a bm:Enterprise .
  OPTIONAL { ?enterprise rdfs:label ?label }
  OPTIONAL { ?enterprise bm:asOfDate ?asOf }
}
ORDER BY ?enterprise
"""

# The enterprise's own triples: the ontology's graph is left out, a triple stated in two files
# counts once.
_TRIPLES = """
SELECT (COUNT(*) AS ?triples) WHERE {
  SELECT DISTINCT ?s ?p ?o WHERE {
    GRAPH ?g { ?s ?p ?o }
    FILTER (?g != <https://w3id.org/bmkg/ontology>)
  }
}
"""


@dataclass(frozen=True)
class ModelDescription:
    """What the report is about: the enterprise, the model's date and the files it came from.

    Attributes
    ----------
    files : tuple of str
        The RDF files of the model (the ontology left out), as paths.
    triples : int
        Distinct triples in those files.
    enterprise : str or None
        The label of the model's ``bm:Enterprise``.
    enterprise_iri : str or None
        Its IRI.
    as_of : date or None
        The model's ``bm:asOfDate``: the day the model describes.
    sources : tuple of str
        The files and folders the model was loaded from, as the user named them.
    """

    files: tuple[str, ...] = ()
    triples: int = 0
    enterprise: str | None = None
    enterprise_iri: str | None = None
    as_of: date | None = None
    sources: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """Plain data; the date as ``YYYY-MM-DD``."""
        return {
            "enterprise": self.enterprise,
            "enterprise_iri": self.enterprise_iri,
            "as_of": self.as_of.isoformat() if self.as_of else None,
            "files": list(self.files),
            "triples": self.triples,
            "sources": list(self.sources),
        }


def describe_model(model: KnowledgeGraph, *, paths: Iterable[str | Path] = ()) -> ModelDescription:
    """Describe a model: its enterprise, as-of date, files and size.

    Parameters
    ----------
    model
        The knowledge graph, as :func:`kg.model.open_model` returns it.
    paths
        The files and folders it was loaded from, as the user named them.

    Returns
    -------
    ModelDescription

    Examples
    --------
    >>> from kg.model import open_model
    >>> description = describe_model(open_model())
    >>> description.enterprise, description.triples
    (None, 0)
    """
    enterprise = label = None
    as_of: date | None = None
    rows = model.query(_ENTERPRISE)
    assert isinstance(rows, ox.QuerySolutions)
    for row in rows:
        iri = row["enterprise"]
        if enterprise is not None and iri.value != enterprise:
            break  # the first enterprise (by IRI) is the one the model describes
        enterprise = iri.value
        name = row["label"]
        if isinstance(name, ox.Literal) and (label is None or name.language in (None, "en")):
            label = name.value
        when = row["asOf"]
        if isinstance(when, ox.Literal) and as_of is None:
            try:
                as_of = date.fromisoformat(when.value)
            except ValueError:
                as_of = None  # a malformed date is the validator's to report
    counted = model.query(_TRIPLES)
    assert isinstance(counted, ox.QuerySolutions)
    triples = next(iter(counted))["triples"]
    files = tuple(_file_path(graph) for graph in model.graphs() if graph != str(ONTOLOGY_IRI))
    return ModelDescription(
        files=files,
        triples=int(triples.value) if triples is not None else 0,
        enterprise=label,
        enterprise_iri=enterprise,
        as_of=as_of,
        sources=tuple(str(p) for p in paths),
    )


def _file_path(graph: str) -> str:
    parsed = urlparse(graph)
    return unquote(parsed.path) if parsed.scheme == "file" else graph


@dataclass(frozen=True)
class ImportNote:
    """What the import of a file the model came from still needs (its ``NAME.needs-input``
    report, written by ``kg import`` beside the imported model)."""

    source: str
    report: Path
    undecided: int
    rules: int
    question_values: int

    @property
    def sentence(self) -> str:
        return (
            f"{self.source} was imported: {_count(self.undecided, 'item')} "
            f"not decided, {_count(self.rules, 'validation rule')} with values missing, "
            f"{_count(self.question_values, 'value')} the questions read that it lacked"
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "report": self.report.name,
            "undecided": self.undecided,
            "rules": self.rules,
            "question_values": self.question_values,
        }


def import_notes(paths: Iterable[str | Path]) -> tuple[ImportNote, ...]:
    """The needs-input reports (``*.needs-input.json``) in the folders loaded, or beside the
    files loaded."""
    folders = {Path(p) if Path(p).is_dir() else Path(p).parent for p in paths}
    notes = []
    for folder in sorted(folders):
        for found in sorted(folder.glob("*.needs-input.json")):
            try:
                data = json.loads(found.read_text("utf-8"))
                notes.append(
                    ImportNote(
                        str(data["source"]).rsplit("/", 1)[-1],
                        found.with_suffix(".md"),
                        len(data.get("undecided", ())),
                        len(data.get("missing", ())),
                        len(data.get("by_question", ())),
                    )
                )
            except (OSError, ValueError, KeyError, TypeError):
                continue  # not a report of ours: nothing to say about it
    return tuple(notes)


@dataclass(frozen=True)
class Report:
    """A model's validation, the answers to the ten strategic questions and its silos.

    Attributes
    ----------
    title : str
    model : ModelDescription
    validation : ValidationReport
    answers : list of Answer
        The answers to the questions, in question order.
    silos : SiloAnalysis or None
        The silo analysis (rule-based findings and the structure of the graph).
    parameters : Parameters or None
        The analysis parameters the answers were computed with.
    generated_at : datetime
        When the report was made (UTC).
    pictures : mapping of str to tuple of Picture
        The pictures of each section, by the section's id (``"q1"`` to ``"q10"``,
        ``"silos"``); only the HTML shows them.
    """

    title: str
    model: ModelDescription
    validation: ValidationReport
    answers: list[Answer]
    silos: SiloAnalysis | None
    parameters: Parameters | None
    generated_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    pictures: Mapping[str, tuple[Picture, ...]] = field(default_factory=dict)
    imports: tuple[ImportNote, ...] = ()
    priorities: tuple[Priority, ...] = ()
    """Every finding with its recommended action, owner and stake, most pressing first."""
    views: tuple[View, ...] = ()
    """The canvas, the value proposition canvas, the journey map, the heat map, the silo
    matrix: only the HTML shows them."""
    element_facts: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    """For the elements the report names, by IRI: ``{"facts": {name: values}, "links": {name:
    subjects}}``, what the model says about each (only the HTML shows them)."""
    currency: str | None = None
    """The enterprise's reporting currency, for amounts that do not name theirs."""
    changes: tuple[WhatIf | Comparison, ...] = ()
    """What-ifs (:func:`kg.whatif.what_if`) and comparisons with other versions of the model
    (:func:`kg.diff.compare_models`): how the answers would move, or moved."""

    def to_dict(self) -> dict[str, Any]:
        """Plain data (JSON types only): everything the HTML and Markdown show."""
        data = {
            "title": self.title,
            "generated_at": self.generated_at.isoformat(timespec="seconds"),
            "model": self.model.to_dict(),
            "parameters": _parameters(self.parameters),
            "overview": self._overview(),
            "validation": self.validation.to_dict(),
            "answers": [answer.to_dict() for answer in self.answers],
            "silos": self.silos.to_dict() if self.silos is not None else None,
            "imports": [note.to_dict() for note in self.imports],
            "priorities": [p.to_dict() for p in self.priorities],
            "changes": [_change_data(c) for c in self.changes],
        }
        plain: dict[str, Any] = _plain(data)
        return plain

    def to_json(self, *, indent: int | None = 2) -> str:
        """The report as JSON (see :meth:`to_dict`)."""
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)

    def to_html(self) -> str:
        """One self-contained HTML page: cover, a section per question, silos, validation."""
        return _render_html(self)

    def to_markdown(self) -> str:
        """The same content as :meth:`to_html`, as Markdown."""
        return _MarkdownRenderer(self).render()

    def findings_csv(self) -> str:
        """Every finding, ranked as the priorities are, one row each (the columns of
        ``_CSV_COLUMNS``); findings the ranking does not hold follow, in answer order."""
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(_CSV_COLUMNS)
        silo = self.silo_answer()
        sections = [*self.answers, *([silo] if silo is not None else [])]
        name = {a.number: a.short_name for a in sections}
        planned = {id(p.finding) for p in self.priorities}
        for p in self.priorities:
            f = p.finding
            writer.writerow(
                [
                    p.rank,
                    f"Q{p.question} {p.short_name}" if p.question else "Silos",
                    f.kind,
                    f.severity.value,
                    f.message,
                    p.action,
                    "; ".join(o.label or o.iri for o in p.owners),
                    "" if p.stake is None or p.stake.money is None else str(p.stake.money),
                    "" if p.stake is None else p.stake.currency or "",
                    "" if p.stake is None or p.stake.customers is None else p.stake.customers,
                    "; ".join(s.label or s.iri for s in f.subjects),
                    " ".join(s.iri for s in f.subjects),
                ]
            )
        for answer in sections:
            for f in answer.findings:
                if id(f) in planned:
                    continue
                where = f"Q{answer.number} {name[answer.number]}" if answer.number else "Silos"
                writer.writerow(
                    [
                        "",
                        where,
                        f.kind,
                        f.severity.value,
                        f.message,
                        "",
                        "",
                        "",
                        "",
                        "",
                        "; ".join(s.label or s.iri for s in f.subjects),
                        " ".join(s.iri for s in f.subjects),
                    ]
                )
        return out.getvalue()

    def silo_answer(self) -> Answer | None:
        """The silo analysis as an answer (number 0), or ``None`` without one."""
        return self.silos.as_answer() if self.silos is not None else None

    def _overview(self) -> dict[str, Any]:
        answers = list(self.answers)
        silo = self.silo_answer()
        findings = [f for a in answers for f in a.findings]
        return {
            "verdicts": {v.value: sum(a.verdict is v for a in answers) for v in Verdict},
            "findings": len(findings),
            "findings_by_severity": _severity_counts(findings),
            "silo_findings": len(silo.findings) if silo is not None else None,
            "conforms": self.validation.conforms,
        }


def build_report(
    model: KnowledgeGraph,
    *,
    paths: Iterable[str | Path] = (),
    params: Parameters | None = None,
    silo_params: SiloParameters | None = None,
    progress: Progress | None = None,
    title: str | None = None,
    pictures: bool = True,
    picture_max_nodes: int = 250,
    enterprise: Choice = None,
    validation: ValidationReport | None = None,
    views: bool = True,
    changes: Sequence[WhatIf | Comparison] = (),
) -> Report:
    """Validate a model, answer the ten strategic questions and find its silos.

    In a model of several enterprises the report is about one of them, ``enterprise`` (an IRI,
    a CURIE or a label); :func:`build_portfolio` reports on each in turn.

    A model that does not conform still gets its report: the validation section shows the
    violations, and the answers are computed from what the model holds.

    Parameters
    ----------
    model
        The knowledge graph (ontology and enterprise), as :func:`kg.model.open_model` opens it.
    paths
        The files and folders it was loaded from, named in the report.
    params
        The questions' parameters (:class:`kg.questions.Parameters`); the defaults when omitted.
    silo_params
        The silo analysis's options (:class:`kg.silos.SiloParameters`); the defaults when
        omitted.
    progress
        Called with a short line before each long step (validating, answering, finding silos).
    title
        The report's title; by default it names the enterprise.
    pictures
        Draw the pictures the HTML embeds (see :func:`report_pictures`).
    picture_max_nodes
        The most nodes of an answer's picture: past it, the picture leaves out the things
        around the findings' subjects (which keeps the page small).
    enterprise
        The enterprise to report on: needed when the model holds several.
    validation
        The model's validation, when already done (the whole model's, in a model of several).
    views
        Draw the views the HTML shows (the canvas, the value proposition canvas, the journey
        map, the heat map and the silo matrix: :func:`report_views`).

    Returns
    -------
    Report

    Raises
    ------
    EnterpriseError
        ``enterprise`` is not one of the model's, or is missing in a model of several.

    Examples
    --------
    >>> from kg.model import open_model
    >>> from kg.ontology import example_path
    >>> telco = example_path("telco")
    >>> report = build_report(open_model(telco), paths=[telco])
    >>> [a.number for a in report.answers], report.validation.conforms
    ([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], True)
    >>> sorted({f.kind for f in report.silos.findings})
    ['channel-silo', 'lifecycle-silo', 'product-silo']
    """
    # Imported here: the analysis modules load the query registry, which the rendering of a
    # hand-made report does not need.
    from kg import money, portfolio
    from kg.caveats import caveats
    from kg.priorities import prioritise
    from kg.questions import Parameters, ask_all
    from kg.silos import find_silos

    params = params if params is not None else Parameters()
    say = progress or (lambda line: None)
    # The enterprise's view (its amounts in its reporting currency) is made once, and the
    # answers, the silos and the pictures all read it.
    scope = portfolio.view(model, enterprise)
    description = describe_model(scope.model, paths=paths)
    if validation is None:
        say(f"Validating {description.triples:,} triples against the shapes")
        validation = validate(model)
    said = (*scope.notes, *caveats(model, validation))
    say("Answering the ten strategic questions")
    answers = [a.with_caveats(said) for a in ask_all(scope.model, params=params, progress=progress)]
    say("Finding silos")
    silos = find_silos(scope.model, params=silo_params).with_caveats(said)
    drawn: dict[str, tuple[Picture, ...]] = {}
    if pictures:
        say("Drawing the pictures")
        drawn = report_pictures(scope.model, answers, silos, max_nodes=picture_max_nodes)
    say("Ranking the findings")
    sections = [*answers, silos.as_answer()]
    ranked = tuple(prioritise(scope.model, sections))
    named = _named_in(sections, ranked)
    shown_views: tuple[View, ...] = ()
    if views:
        say("Drawing the views")
        every = [f for a in sections for f in a.findings]
        entries = set(named)

        def href(iri: str) -> str | None:
            # the views link what the report has an entry for: what its findings name
            return "#" + _anchor("e", iri) if iri in entries else None

        shown_views = tuple(
            draw(scope.model, findings=every, href=href) for draw in report_views().values()
        )
    name = description.enterprise or "the enterprise"
    return Report(
        title=title or f"{name}: the ten strategic questions and silos",
        model=description,
        validation=validation,
        answers=list(answers),
        silos=silos,
        parameters=params,
        pictures=drawn,
        imports=import_notes(paths),
        priorities=ranked,
        views=shown_views,
        element_facts=element_facts(scope.model, named),
        currency=money.plan(scope.model).reporting,
        changes=tuple(changes),
    )


def report_views() -> dict[str, Callable[..., View]]:
    """The views a report shows, in order, by kind: each called with the model and the keyword
    arguments ``findings`` and ``href``."""
    from kg import views

    return dict(views.VIEWS)


def _named_in(answers: Sequence[Answer], ranked: Sequence[Priority]) -> list[str]:
    """The IRIs a report names, in the order it first names them: the owners of its first
    priorities, then the subjects and the evidence of the findings it shows."""
    named: dict[str, None] = {}
    for planned in ranked[:_FIRST_SCREEN]:
        named.update((o.iri, None) for o in planned.owners)
    rank = {id(p.finding): p.rank for p in ranked}
    for answer in answers:
        for _, members in _findings_by_kind(answer.findings):
            members = sorted(members, key=lambda f: rank.get(id(f), len(rank)))
            for finding in members[:_SHOWN_PER_KIND]:
                named.update((s.iri, None) for s in finding.subjects)
                named.update((iri, None) for iri in _iris_in(finding.evidence))
    return list(named)[:_MAX_ELEMENTS]


def _iris_in(value: Any) -> Iterable[str]:
    if isinstance(value, Subject):
        yield value.iri
    elif isinstance(value, Mapping):
        if isinstance(value.get("iri"), str):
            yield value["iri"]
        for item in value.values():
            yield from _iris_in(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _iris_in(item)


def element_facts(model: KnowledgeGraph, iris: Iterable[str]) -> dict[str, dict[str, Any]]:
    """What the model says about each element: its label and class, its facts (values by
    property label) and its links (things by property label; ``"← label"`` for links in).

    Examples
    --------
    >>> from kg.model import open_model
    >>> from kg.ontology import example_path
    >>> found = element_facts(open_model(example_path("telco")),
    ...                       ["https://example.org/alpina/seg-connected-families"])
    >>> found["https://example.org/alpina/seg-connected-families"]["type"]
    'CustomerSegment'
    """
    from kg.queries import queries

    text = queries()["element-statements"].text
    found: dict[str, dict[str, Any]] = {}
    for iri in iris:
        facts: dict[str, list[str]] = {}
        links: dict[str, dict[str, Subject]] = {}
        label = type_ = None
        about = model.query(text, bindings={"element": ox.NamedNode(iri)})
        assert isinstance(about, ox.QuerySolutions)
        for row in about:
            predicate, other = row["predicate"], row["other"]
            name = (
                row["predicateLabel"].value
                if row["predicateLabel"]
                else _short_iri(predicate.value)
            )
            if row["direction"].value == "in":
                name = f"← {name}"
            if isinstance(other, ox.Literal):
                facts.setdefault(name, []).append(_literal_text(other))
            elif isinstance(other, ox.NamedNode):
                other_type = _short_iri(row["otherType"].value) if row["otherType"] else None
                other_label = row["otherLabel"].value if row["otherLabel"] else None
                links.setdefault(name, {})[other.value] = Subject(
                    other.value, other_label, other_type
                )
        described = model.query(_LABEL_AND_TYPE, bindings={"element": ox.NamedNode(iri)})
        assert isinstance(described, ox.QuerySolutions)
        for row in described:
            label = label or (row["label"].value if row["label"] else None)
            type_ = type_ or (_short_iri(row["type"].value) if row["type"] else None)
        found[iri] = {
            "label": label,
            "type": type_,
            "facts": {k: tuple(dict.fromkeys(v)) for k, v in facts.items()},
            "links": {k: tuple(v.values()) for k, v in links.items()},
        }
    return found


_LABEL_AND_TYPE = """
SELECT ?element ?label ?type WHERE {
  OPTIONAL {
    ?element rdfs:label ?label FILTER (LANG(?label) = "" || LANGMATCHES(LANG(?label), "en"))
  }
  OPTIONAL { ?element a ?type FILTER (STRSTARTS(STR(?type), STR(bm:))) }
}
LIMIT 1
"""


def _literal_text(literal: ox.Literal) -> str:
    datatype = literal.datatype.value.rsplit("#", 1)[-1]
    value = literal.value
    if datatype in ("decimal", "double", "float", "integer", "int", "long"):
        try:
            number = Decimal(value)
        except ArithmeticError:
            return value
        return _number(int(number) if number == number.to_integral_value() else number)
    if datatype == "date" and _ISO_DATE.match(value):
        return _long_date(date.fromisoformat(value))
    if datatype == "boolean":
        truth = BOOLEANS.get(value)
        return value if truth is None else "yes" if truth else "no"
    return value


def report_pictures(
    model: KnowledgeGraph,
    answers: Iterable[Answer],
    silos: SiloAnalysis | None,
    *,
    max_nodes: int = 250,
) -> dict[str, tuple[Picture, ...]]:
    """The pictures of a report's sections, by section id.

    ``"q<n>"``: the picture of question n's findings (none when it has no findings), and for
    Q7 (capabilities) the capability map too; ``"silos"``: a picture of each customer segment
    a silo finding names, in the order the findings name them (drawn from ``silos``, not
    computed again).
    """
    from kg.pictures import answer_picture, capability_map_picture, picture_data, silo_picture

    # One read of the model for all the pictures, rather than one per picture.
    data = picture_data(model)
    drawn: dict[str, tuple[Picture, ...]] = {}
    for answer in answers:
        shown = []
        if answer.findings:
            shown.append(answer_picture(model, answer, max_nodes=max_nodes, data=data))
        if answer.number == _CAPABILITY_QUESTION and _capabilities(data) <= _MAX_CAPABILITIES:
            shown.append(capability_map_picture(model, data=data))
        if shown:
            drawn[f"q{answer.number}"] = tuple(shown)
    if silos is not None:
        segments = []
        for finding in silos.findings:
            for subject in finding.subjects:
                if subject.iri in segments:
                    continue
                try:
                    silos.structure.measure_of(subject.iri)
                except KeyError:
                    continue  # not a customer segment
                segments.append(subject.iri)
        if segments:
            drawn["silos"] = tuple(
                silo_picture(model, iri, analysis=silos, data=data)
                for iri in segments[:_MAX_SILO_PICTURES]
            )
    return drawn


_CAPABILITY_QUESTION = 7
_MAX_SILO_PICTURES = 6
"""The silo pictures a report draws: those of the first segments its silo findings name."""
_MAX_CAPABILITIES = 250
"""Past this many capabilities the report leaves out the capability map picture (the heat map
view shows them all)."""


def _capabilities(data: Any) -> int:
    return sum(1 for thing in data.things.values() if thing.type == "Capability")


def write_report(report: Report, out_dir: str | Path) -> dict[str, Path]:
    """Write ``report.html``, ``report.json``, ``report.md`` and ``findings.csv`` into a folder
    (made if missing).

    The HTML and Markdown show the first findings of each kind and count the rest;
    ``findings.csv`` lists every finding, ranked, with its recommended action and owner, and
    ``report.json`` holds everything.

    Returns
    -------
    dict
        ``{"html": path, "json": path, "markdown": path, "csv": path}``.
    """
    folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    written = {
        "html": (folder / "report.html", report.to_html()),
        "json": (folder / "report.json", report.to_json() + "\n"),
        "markdown": (folder / "report.md", report.to_markdown()),
        "csv": (folder / "findings.csv", report.findings_csv()),
    }
    for view in report.views:
        if _apart(view):  # the report links it (see _VIEW_BUDGET)
            (folder / "views").mkdir(exist_ok=True)
            (folder / _view_file(view)).write_text(view_page(view), encoding="utf-8")
    for path, text in written.values():
        path.write_text(text, encoding="utf-8", newline="")
    for note in report.imports:  # the needs-input reports the page links to, beside it
        if note.report.is_file() and note.report.resolve() != (folder / note.report.name).resolve():
            shutil.copyfile(note.report, folder / note.report.name)
    return {name: path for name, (path, _) in written.items()}


_CSV_COLUMNS = (
    "rank",
    "question",
    "kind",
    "severity",
    "message",
    "action",
    "owners",
    "money_at_stake",
    "currency",
    "customers_at_stake",
    "subjects",
    "subject_iris",
)


# --------------------------------------------------------------------------------------------
# Plain data


def _plain(value: Any) -> Any:
    """A value made of JSON types only (dicts, lists, str, int, float, bool, None)."""
    if isinstance(value, Enum):
        return _plain(value.value)
    if isinstance(value, bool | int | str) or value is None:
        return value
    if isinstance(value, float):
        return value if value == value and abs(value) != float("inf") else None
    if isinstance(value, Decimal):
        return (
            int(value)
            if value == value.to_integral_value() and abs(value) < 2**53
            else float(value)
        )
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Subject | Finding | Answer):
        return _plain(value.to_dict())
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, set | frozenset):
        return sorted((_plain(v) for v in value), key=str)
    if isinstance(value, Sequence):
        return [_plain(v) for v in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return _plain(dataclasses.asdict(value))
    return str(value)


def _parameters(params: Parameters | None) -> dict[str, Any]:
    if params is None:
        return {}
    if callable(getattr(params, "to_dict", None)):
        plain: dict[str, Any] = _plain(params.to_dict())
        return plain
    if dataclasses.is_dataclass(params) and not isinstance(params, type):
        found: dict[str, Any] = _plain(dataclasses.asdict(params))
        return found
    return {}


def _severity_counts(findings: Iterable[Finding]) -> dict[str, int]:
    counts = {level.value: 0 for level in Level}
    for finding in findings:
        counts[finding.severity.value] += 1
    return counts


def _is_subject(value: Any) -> bool:
    return isinstance(value, Mapping) and "iri" in value and set(value) <= {"iri", "label", "type"}


def _is_thing(value: Any) -> bool:
    """A subject, possibly with more about it (``{"iri", "label", "type", "status"}``)."""
    return isinstance(value, Mapping) and isinstance(value.get("iri"), str) and "label" in value


def _extras(thing: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in thing.items() if k not in ("iri", "label", "type")}


def _is_rows(value: Any) -> bool:
    return (
        isinstance(value, list)
        and bool(value)
        and all(isinstance(v, Mapping) and not _is_thing(v) for v in value)
    )


# --------------------------------------------------------------------------------------------
# Words and numbers, shared by both renderings

_SEVERITY_ORDER = {level: i for i, level in enumerate(Level)}


def _humanise(key: str) -> str:
    """``growth_rate``, ``growthRate`` and ``growth-rate`` all read "Growth rate"."""
    words = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", key).replace("_", " ").replace("-", " ")
    words = " ".join(w if w.isupper() and len(w) > 1 else w.lower() for w in words.split())
    return words[:1].upper() + words[1:]


def _type_name(type_: str | None) -> str:
    return _humanise(type_).lower() if type_ else ""


def _number(value: float | int | Decimal) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    number = float(value)
    if number != number or abs(number) == float("inf"):
        return "n/a"
    if abs(number) >= 1000:
        return f"{number:,.0f}" if number == int(number) else f"{number:,.2f}"
    text = f"{number:.4f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _count(n: int, word: str) -> str:
    return f"{_number(n)} {word}{'' if n == 1 else 's'}"


def _score(answer: Answer) -> str:
    if answer.score is None:
        return ""
    return _score_text(answer.score)


def _score_text(score: float) -> str:
    return score_text(score)


def _long_date(day: date | None) -> str:
    return f"{day.day} {day:%B %Y}" if day else "an unstated date"


def _findings_by_kind(findings: Iterable[Finding]) -> list[tuple[str, list[Finding]]]:
    groups: dict[str, list[Finding]] = {}
    for finding in findings:
        groups.setdefault(finding.kind, []).append(finding)
    for members in groups.values():
        members.sort(key=lambda f: _SEVERITY_ORDER[f.severity])
    return list(groups.items())


def _columns(rows: Sequence[Mapping[str, Any]]) -> list[str]:
    columns: dict[str, None] = {}
    for row in rows:
        columns.update(dict.fromkeys(row))
    return list(columns)


def _verdict_sentence(overview: Mapping[str, Any], answers: int) -> str:
    verdicts = overview["verdicts"]
    parts = [f"{verdicts[v.value]} {v.value}" for v in Verdict if verdicts[v.value]]
    by_severity = overview["findings_by_severity"]
    severities = ", ".join(f"{by_severity[lv.value]} {lv.value}" for lv in Level)
    text = (
        f"Of {answers} question{'s' if answers != 1 else ''} answered: "
        f"{', '.join(parts) or 'none'}."
        f" {overview['findings']} finding{'s' if overview['findings'] != 1 else ''} ({severities})"
    )
    if overview.get("silo_findings") is not None:
        n = overview["silo_findings"]
        text += f"; {n} silo{'s' if n != 1 else ''} found by rule"
    return text + "."


_NOTHING_TO_JUDGE = re.compile(r"The model has no (.+), which Q(\d+) \(.+?\) judges: ")


def _caveats(report: Report) -> tuple[str, ...]:
    """The caveats the report's answers carry, each once, for its first screen; the questions'
    "the model has no X" caveats as one, naming what is missing and which questions judge it
    (each question's section keeps its own)."""
    found = [c for a in report.answers for c in a.caveats]
    if report.silos is not None:
        found += report.silos.caveats
    missing: dict[str, list[str]] = {}
    rest = []
    for caveat in dict.fromkeys(found):
        match = _NOTHING_TO_JUDGE.match(caveat)
        if match is None:
            rest.append(caveat)
            continue
        for name in match[1].split(" and no "):
            missing.setdefault(name, []).append(f"Q{match[2]}")
    if not missing:
        return tuple(rest)
    listed = "; ".join(f"no {name} ({', '.join(numbers)})" for name, numbers in missing.items())
    joined = (
        f"The model holds {listed}: the questions named find nothing of it to judge, so their "
        "answers say nothing about it (unknown, where they found nothing else)."
    )
    return (joined, *rest)


def _validation_sentence(validation: ValidationReport) -> str:
    counts = validation.counts()
    verdict = "conforms to" if validation.conforms else "does not conform to"
    listed = ", ".join(f"{n} {sev.lower()}{'s' if n != 1 else ''}" for sev, n in counts.items())
    return f"The model {verdict} the shapes ({listed})."


# --------------------------------------------------------------------------------------------
# HTML: the page is kg/templates/report/report.html; this part shapes the report into the names
# the template reads (numbers formatted for people, every element linked to its entry).

_SHOWN_PER_KIND = 5
"""The findings of one kind shown in full; the rest are counted and listed in findings.csv."""
_FIRST_SCREEN = 6
"""The priorities on the report's first screen."""
_MAX_ELEMENTS = 300
_MAX_ROWS = 60
_LINKS_SHOWN = 8
"""The things of one link of an element shown in its entry; the rest are counted."""
_MAX_VALIDATION_ROWS = 100

_PERCENT_KEY = re.compile(
    r"(share|rate|ratio|fit|coverage|attractiveness|score|growth|index|probability|weight|"
    r"target$|percent)",
    re.I,
)
_MONEY_KEY = re.compile(
    r"(revenue|cost|amount|margin|price|income|spend|profit|budget|at_risk|total|value$)", re.I
)
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _anchor(prefix: str, text: str) -> str:
    """A stable HTML id for any text (an IRI, a kind)."""
    digest = hashlib.sha1(text.encode("utf-8")).hexdigest()[:10]
    return f"{prefix}-{digest}"


def _number_for(key: str, value: float | int | Decimal, currency: str | None) -> str:
    """A number as people read it, by what its key says it is: shares and rates as
    percentages, amounts as money in millions with the currency, counts with separators."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    number = float(value)
    if number != number or abs(number) == float("inf"):
        return "n/a"
    if _PERCENT_KEY.search(key) and not _MONEY_KEY.search(key) and abs(number) <= 2:
        return percent(number)
    if _MONEY_KEY.search(key) and not _PERCENT_KEY.search(key):
        return money_words(number, currency)
    return _number(value)


class _Shaper:
    """Turns evidence, details and subjects into the tagged values the ``value`` macro draws,
    and collects the elements they name."""

    def __init__(self, currency: str | None) -> None:
        self.currency = currency
        self.named: dict[str, Subject] = {}

    def subject(self, thing: Subject | Mapping[str, Any]) -> dict[str, Any]:
        if isinstance(thing, Subject):
            iri, label, type_ = thing.iri, thing.label, thing.type
        else:
            iri, label, type_ = thing["iri"], thing.get("label"), thing.get("type")
        if iri not in self.named:
            self.named[iri] = Subject(iri, label, type_)
        return {
            "t": "thing",
            "iri": iri,
            "label": label or _short_iri(iri),
            "type": _type_name(type_),
            "href": "#" + _anchor("e", iri),
            "extra": None,
        }

    def value(self, value: Any, key: str = "", currency: str | None = None) -> dict[str, Any]:
        value = _plain(value)
        currency = currency or self.currency
        if value is None:
            return {"t": "text", "v": "—"}
        if isinstance(value, bool):
            return {"t": "text", "v": "yes" if value else "no"}
        if isinstance(value, int | float):
            return {"t": "text", "v": _number_for(key, value, currency)}
        if isinstance(value, str):
            if _ISO_DATE.match(value):
                return {"t": "text", "v": _long_date(date.fromisoformat(value))}
            return {"t": "text", "v": value}
        if _is_thing(value):
            shaped = self.subject(value)
            extras = _extras(value)
            if extras:
                shaped["extra"] = self.pairs(extras, currency)
            return shaped
        if _is_rows(value):
            return self.rows(value, currency)
        if isinstance(value, Mapping):
            return self.pairs(value, currency)
        if isinstance(value, list):
            if not value:
                return {"t": "text", "v": "—"}
            shown = [self.value(v, key, currency) for v in value[:_MAX_ROWS]]
            if len(value) > _MAX_ROWS:
                shown.append({"t": "text", "v": f" and {len(value) - _MAX_ROWS} more"})
            if all(_is_thing(v) for v in value):
                return {"t": "things", "members": shown}
            separator = "; " if all(isinstance(v, list) for v in value) else ", "
            return {"t": "list", "sep": separator, "members": shown}
        return {"t": "text", "v": str(value)}

    def pairs(self, mapping: Mapping[str, Any], currency: str | None = None) -> dict[str, Any]:
        currency = mapping.get("currency") if isinstance(mapping.get("currency"), str) else currency
        return {
            "t": "pairs",
            "members": [
                (_humanise(str(k)), self.value(v, str(k), currency))
                for k, v in mapping.items()
                if k != "currency"
            ],
        }

    def facts(self, mapping: Mapping[str, Any]) -> list[tuple[str, dict[str, Any]]]:
        mapping = _plain(mapping)
        currency = mapping.get("currency") if isinstance(mapping.get("currency"), str) else None
        return [
            (_humanise(str(k)), self.value(v, str(k), currency))
            for k, v in mapping.items()
            if not (k == "currency" and currency)
        ]

    def rows(self, rows: Sequence[Mapping[str, Any]], currency: str | None) -> dict[str, Any]:
        columns = [c for c in _columns(rows) if c != "currency"]
        numeric = {
            c
            for c in columns
            if all(
                isinstance(r.get(c), int | float) and not isinstance(r.get(c), bool)
                for r in rows
                if r.get(c) is not None
            )
        }
        shown = rows[:_MAX_ROWS]
        return {
            "t": "rows",
            "columns": [{"title": _humanise(c), "num": c in numeric} for c in columns],
            "rows": [
                [
                    self.value(
                        row.get(c),
                        c,
                        row.get("currency") if isinstance(row.get("currency"), str) else currency,
                    )
                    for c in columns
                ]
                for row in shown
            ],
            "more": len(rows) - len(shown),
        }

    def blocks(self, details: Mapping[str, Any]) -> list[tuple[str, dict[str, Any]]]:
        """The details of an answer as headed values: tables for records, facts for the rest."""
        details = _plain(details)
        currency = details.get("currency") if isinstance(details.get("currency"), str) else None
        items: list[tuple[str, dict[str, Any]]] = []
        scalars: dict[str, Any] = {}
        for key, value in details.items():
            if key == "currency":
                continue
            if _is_rows(value):
                items.append((_humanise(key), self.rows(value, currency)))
            elif isinstance(value, Mapping) and value and not _is_subject(value):
                if all(isinstance(v, Mapping) and not _is_subject(v) for v in value.values()):
                    rows = [{"name": k, **v} for k, v in value.items()]
                else:
                    rows = [{"name": _humanise(str(k)), "value": v} for k, v in value.items()]
                items.append((_humanise(key), self.rows(rows, currency)))
            else:
                scalars[key] = value
        if scalars:
            items.insert(0, ("", self.pairs({**scalars, "currency": currency})))
        return items


def _short_iri(iri: str) -> str:
    return re.split(r"[#/]", iri.rstrip("/#"))[-1] or iri


def _score_of(answer: Answer) -> dict[str, Any] | None:
    if answer.score is None:
        return None
    bar = round(answer.score * 100) if 0 <= answer.score <= 1 else None
    return {"text": _score(answer), "what": answer.score_label or "score", "bar": bar}


def _findings_text(findings: Sequence[Finding]) -> str:
    if not findings:
        return "no findings"
    counts = _severity_counts(findings)
    listed = ", ".join(f"{counts[lv.value]} {lv.value}" for lv in Level if counts[lv.value])
    return f"{_count(len(findings), 'finding')} ({listed})"


class _HtmlContext:
    """Everything report.html reads, from a report."""

    def __init__(self, report: Report) -> None:
        self.report = report
        self.shaper = _Shaper(report.currency)
        self.planned = {id(p.finding): p for p in report.priorities}
        self.finding_ids: dict[int, str] = {}
        self.findings_of: dict[str, list[tuple[Finding, str]]] = {}

    def build(self) -> dict[str, Any]:
        report, model = self.report, self.report.model
        answers = list(report.answers)
        silo = report.silo_answer()
        sections = [*answers, *([silo] if silo is not None else [])]
        questions = [self.section(a) for a in sections]
        priorities = [self.priority(p) for p in report.priorities[:_FIRST_SCREEN]]
        views = [
            {
                "kind": view.kind,
                "title": view.title,
                "body": "" if _apart(view) else view.body,
                "apart": _view_file(view) if _apart(view) else "",
                "size": f"{len(view.body.encode('utf-8')) / 1_000_000:.1f} MB",
                "open": view.kind == "canvas",
            }
            for view in report.views
        ]
        overview = [
            {
                "number": a.number or "",
                "section": _section_id(a),
                "title": a.title,
                "short_name": a.short_name,
                "verdict": a.verdict.value,
                "score": _score_of(a),
                "severities": list(_severity_counts(a.findings).items()),
            }
            for a in sections
        ]
        validation = report.validation
        shown_results = validation.results[:_MAX_VALIDATION_ROWS]
        validation_rows = [
            {
                "severity": _severity_level(r.severity),
                "focus": self.shaper.subject(
                    {"iri": r.focus_node, "label": r.focus_label or r.focus_node, "type": None}
                ),
                "path": _short_iri(r.path) if r.path else "",
                "value": r.value_label or r.value or "",
                "message": r.message,
            }
            for r in shown_results
        ]
        elements, elements_more = self.elements()
        total = sum(len(a.findings) for a in sections)
        return {
            "title": report.title,
            "version": _version(),
            "css": _report_css(),
            "views_css": _views_css() if report.views else "",
            "vis_assets": _vis_assets() if any(q["pictures"] for q in questions) else "",
            "enterprise": model.enterprise or "The enterprise",
            "as_of": _long_date(model.as_of) if model.as_of else "",
            "model_line": f"{_count(len(model.files), 'file')}, {_number(model.triples)} triples",
            "validation_sentence": _validation_sentence(validation),
            "validation_triples": _number(validation.triples),
            "generated": report.generated_at.strftime("%Y-%m-%d %H:%M UTC"),
            "cautions": _caveats(report),
            "imports": [
                {"sentence": note.sentence, "href": note.report.name} for note in report.imports
            ],
            "headline": _headline(report, total),
            "has_findings": total > 0,
            "priorities": priorities,
            "more_priorities": (
                f"{len(report.priorities) - len(priorities)} more findings follow in the "
                "answers below, ranked the same way within each kind."
                if len(report.priorities) > len(priorities)
                else ""
            ),
            "ranking_rule": _ranking_rule(),
            "overview": overview,
            "changes": [_change_context(c) for c in report.changes],
            "views": views,
            "questions": questions,
            "validation_rows": validation_rows,
            "validation_more": len(validation.results) - len(shown_results),
            "elements": elements,
            "elements_more": elements_more,
            "parameters": self.shaper.facts(_parameters(report.parameters)),
            "files": _relative_files(model.files),
        }

    def finding_id(self, finding: Finding) -> str:
        found = self.finding_ids.get(id(finding))
        if found is None:
            found = self.finding_ids[id(finding)] = f"f-{len(self.finding_ids) + 1}"
        return found

    def priority(self, planned: Any) -> dict[str, Any]:
        finding = planned.finding
        return {
            "severity": finding.severity.value,
            "section": "silos" if planned.question == 0 else f"q{planned.question}",
            "where": (
                "Silos" if planned.question == 0 else f"Q{planned.question} {planned.short_name}"
            ),
            "message": finding.message,
            "action": planned.action,
            "owners": [self.shaper.subject(o) for o in planned.owners],
            "stake": planned.stake.text() if planned.stake is not None else "",
        }

    def finding(self, finding: Finding, *, story: bool) -> dict[str, Any]:
        planned = self.planned.get(id(finding))
        fid = self.finding_id(finding)
        for subject in finding.subjects:
            self.findings_of.setdefault(subject.iri, []).append((finding, fid))
        return {
            "id": fid,
            "severity": finding.severity.value,
            "message": finding.message,
            "story": story,
            "action": planned.action if planned is not None else "",
            "owners": [self.shaper.subject(o) for o in planned.owners] if planned else [],
            "stake": planned.stake.text() if planned is not None and planned.stake else "",
            "subjects": [self.shaper.subject(s) for s in finding.subjects],
            "facts": self.shaper.facts(finding.evidence) if finding.evidence else [],
        }

    def section(self, answer: Answer) -> dict[str, Any]:
        silo = answer.number == 0
        groups = []
        ranked = {id(p.finding): p.rank for p in self.report.priorities}
        for kind, members in _findings_by_kind(answer.findings):
            members = sorted(members, key=lambda f: ranked.get(id(f), len(ranked)))
            shown = members[:_SHOWN_PER_KIND]
            counts = _severity_counts(members)
            groups.append(
                {
                    "id": _anchor("k", f"{answer.number}:{kind}"),
                    "title": kind_title(kind),
                    "count": len(members),
                    "severities": list(counts.items()),
                    # high findings open; the rest fold to one line each
                    "open": counts[Level.HIGH.value] > 0,
                    "shown": [self.finding(f, story=silo) for f in shown],
                    "more": len(members) - len(shown),
                }
            )
        blocks = []
        if silo and self.report.silos is not None:
            structure = _structure(self.report.silos)
            if structure:
                blocks.append(
                    {
                        "title": "Structure: where the organisation's graph falls apart",
                        "note": _STRUCTURE_NOTE,
                        "entries": self.shaper.blocks(structure),
                    }
                )
        details = {k: v for k, v in answer.details.items() if not (silo and k == "structure")}
        if details:
            blocks.append({"title": "Details", "note": "", "entries": self.shaper.blocks(details)})
        section = _section_id(answer)
        drawn = [
            picture.to_fragment(f"picture-{section}-{i}", heading=4)
            for i, picture in enumerate(self.report.pictures.get(section, ()), 1)
        ]
        return {
            "section": section,
            "kicker": "Silos" if silo else f"Question {answer.number} · {answer.short_name}",
            "title": answer.title,
            "verdict": answer.verdict.value,
            "score": _score_of(answer),
            "findings_text": _findings_text(answer.findings),
            "caveats": answer.caveats,
            "summary": answer.summary,
            "groups": groups,
            "blocks": blocks,
            "pictures": [f for f in drawn if len(f) <= _PICTURE_BUDGET],
            "pictures_left_out": sum(len(f) > _PICTURE_BUDGET for f in drawn),
            "parameters": [
                (_humanise(str(k)), self.shaper.value(v, str(k)))
                if v is not None
                else (_humanise(str(k)), {"t": "text", "v": "from the model"})
                for k, v in answer.parameters.items()
            ],
        }

    def elements(self) -> tuple[list[dict[str, Any]], str]:
        for iri, about in self.report.element_facts.items():
            if iri not in self.shaper.named:
                self.shaper.named[iri] = Subject(iri, about.get("label"), about.get("type"))
        named = list(self.shaper.named.values())
        shown = named[:_MAX_ELEMENTS]
        facts = self.report.element_facts
        entries = []
        for subject in shown:
            found = self.findings_of.get(subject.iri, [])
            about = facts.get(subject.iri, {})
            entries.append(
                {
                    "id": _anchor("e", subject.iri),
                    "iri": subject.iri,
                    "label": subject.label or about.get("label") or _short_iri(subject.iri),
                    "type": _type_name(subject.type or about.get("type")),
                    "facts": [
                        (name, {"t": "text", "v": ", ".join(values)})
                        for name, values in about.get("facts", {}).items()
                    ],
                    "links": [
                        (
                            name,
                            [self.link(t) for t in things[:_LINKS_SHOWN]],
                            len(things) - _LINKS_SHOWN,
                        )
                        for name, things in about.get("links", {}).items()
                    ],
                    "findings": [{"id": fid, "message": f.message} for f, fid in found],
                    "worst": min(
                        (f.severity for f, _ in found), key=_SEVERITY_ORDER.__getitem__
                    ).value
                    if found
                    else "",
                }
            )
        more = (
            f"and {len(named) - len(shown)} more elements, named in report.json."
            if len(named) > len(shown)
            else ""
        )
        return entries, more

    def link(self, thing: Subject) -> dict[str, Any]:
        """A thing an element links to: to its entry when it has one, else unlinked."""
        shaped = {
            "iri": thing.iri,
            "label": thing.label or _short_iri(thing.iri),
            "type": _type_name(thing.type),
            "href": "#" + _anchor("e", thing.iri) if thing.iri in self.shaper.named else None,
        }
        return shaped


_PICTURE_BUDGET = 400_000
"""A picture larger than this (characters of HTML) is left out of the report, which says so and
how to draw it: on a large model each picture carries megabytes of facts."""

_VIEW_BUDGET = 300_000
"""A view larger than this (characters of HTML) is written to a page of its own beside the
report, which links it, so that the report stays a few megabytes on a large model."""


def _apart(view: View) -> bool:
    return len(view.body) > _VIEW_BUDGET


def _view_file(view: View) -> str:
    return f"views/{view.kind}.html"


def view_page(view: View) -> str:
    """A view of a report as a page of its own beside it (in ``views/``): its links to the
    report's elements lead back into the report."""
    return view.page().replace('href="#e-', 'href="../report.html#e-')


def _section_id(answer: Answer) -> str:
    return "silos" if answer.number == 0 else f"q{answer.number}"


def _severity_level(severity: Severity) -> str:
    return {Severity.VIOLATION: "high", Severity.WARNING: "medium"}.get(severity, "low")


def _headline(report: Report, total: int) -> str:
    verdicts = {v: sum(a.verdict is v for a in report.answers) for v in Verdict}
    said = ", ".join(f"{n} {v.value}" for v, n in verdicts.items() if n)
    high = sum(
        f.severity is Level.HIGH
        for a in [*report.answers, *([report.silo_answer()] if report.silos else [])]
        if a is not None
        for f in a.findings
    )
    text = f"Of the {_count(len(report.answers), 'question')}: {said or 'none answered'}. "
    if not total:
        return text + "The rules found nothing to act on."
    shown = min(_FIRST_SCREEN, len(report.priorities))
    text += f"{_count(total, 'finding')}, {high} of them high."
    return text + (f" The {shown} that matter most, with what to do:" if shown else "")


def _ranking_rule() -> str:
    from kg.priorities import RANKING_RULE

    return str(RANKING_RULE)


def _relative_files(files: Sequence[str]) -> list[str]:
    """The model's files without the folders above them: what they are, not where they sit.

    Paths are shown from the folder that holds their common folder; names that are not paths
    of one tree (graph names, a mix of absolute and relative paths) as their last part.

    >>> _relative_files(["/home/a/data/telco/x.ttl", "/home/a/data/telco/y.ttl"])
    ['telco/x.ttl', 'telco/y.ttl']
    >>> _relative_files(["/srv/x.ttl", "urn:bmkg:import:a"])
    ['x.ttl', 'urn:bmkg:import:a']
    """
    paths = [PurePosixPath(f) for f in files]
    if not paths:
        return []
    try:
        common = PurePosixPath(os.path.commonpath([str(p.parent) for p in paths]))
    except ValueError:  # absolute and relative together: no common folder
        return [p.name for p in paths]
    base = common.parent
    return [str(p.relative_to(base)) if p.is_relative_to(base) else p.name for p in paths]


def _report_css() -> str:
    return resources.files("kg").joinpath("templates/report/report.css").read_text("utf-8")


def _views_css() -> str:
    from kg.views import stylesheet

    return stylesheet()


@cache
def _templates() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("kg", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _render_html(report: Report) -> str:
    return _templates().get_template("report/report.html").render(**_HtmlContext(report).build())


_STRUCTURE_NOTE = (
    "Units, processes, applications, data stores, channels and segments as a graph: clusters "
    "(communities) that touch the customer but barely touch each other, and the single links "
    "(bridges) and single things (articulation points) that hold parts of it together. A "
    "segment's silo index is 0 when its customers meet one customer record, one cluster and one "
    "connected set of units and systems, and grows towards 1 as records, clusters and "
    "disconnected pieces multiply."
)


def _structure(silos: SiloAnalysis) -> dict[str, Any]:
    """The silo analysis's structure, shaped for reading: segments first, pairs as rows."""
    structure = getattr(silos, "structure", None)
    if structure is None:
        return {}
    data: dict[str, Any] = _plain(structure.to_dict())
    shaped: dict[str, Any] = {}
    segments = data.pop("segments", None)
    if _is_rows(segments):
        shaped["segment_silo_index"] = [_segment_row(row) for row in segments]
    elif segments is not None:
        data["segments"] = segments
    bridges = data.pop("bridges", None)
    if isinstance(bridges, list) and all(
        isinstance(b, list) and len(b) == 2 and all(_is_subject(x) for x in b) for b in bridges
    ):
        shaped["bridges"] = [{"from": a, "to": b} for a, b in bridges] or "none"
    elif bridges is not None:
        data["bridges"] = bridges
    if data.get("articulation_points") == []:
        data["articulation_points"] = "none"
    return {**shaped, **data}


def _segment_row(row: Mapping[str, Any]) -> dict[str, Any]:
    """One segment's silo measure: its numbers, what its customers meet counted, its records."""
    shaped: dict[str, Any] = {}
    for key, value in row.items():
        if key == "records" and isinstance(value, list):
            shaped["separate_records"] = "; ".join(
                " + ".join(str(s.get("label") or s.get("iri")) for s in record if _is_subject(s))
                for record in value
                if isinstance(record, list)
            )
        elif isinstance(value, list) and all(_is_subject(v) for v in value):
            shaped[key] = len(value)
        else:
            shaped[key] = value
    return shaped


def _version() -> str:
    return __version__


def _vis_assets() -> str:
    from kg.pictures import vis_assets

    return vis_assets()


# --------------------------------------------------------------------------------------------
# Markdown

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|#])")


def _m(value: Any) -> str:
    """Markdown text: special characters escaped, on one line."""
    return _MD_SPECIAL.sub(r"\\\1", " ".join(str(value).split()))


class _MarkdownRenderer:
    def __init__(self, report: Report) -> None:
        self.report = report
        self.overview = report._overview()
        self.silo = report.silo_answer()

    def render(self) -> str:
        report, model = self.report, self.report.model
        lines = [
            f"# {_m(report.title)}",
            "",
            f"- **Enterprise:** {_m(model.enterprise or 'not named')}"
            + (f" (`{model.enterprise_iri}`)" if model.enterprise_iri else ""),
            f"- **Model as of:** {_long_date(model.as_of)}",
            f"- **Model:** {_count(len(model.files), 'file')}, {_number(model.triples)} triples"
            + (
                f" ({_m(', '.join(Path(p).name or p for p in model.sources))})"
                if model.sources
                else ""
            ),
            f"- **Validation:** {_m(_validation_sentence(report.validation))}",
            f"- **Generated:** {report.generated_at.strftime('%Y-%m-%d %H:%M UTC')}",
            *(
                f"- **Import:** {_m(note.sentence)}: [what to fill in]({note.report.name})"
                for note in report.imports
            ),
            "",
            *(f"> **Caution:** {_m(c)}\n" for c in _caveats(report)),
            f"**{_m(_verdict_sentence(self.overview, len(report.answers)))}**",
            "",
            *self.priorities(),
            "| # | Question | Verdict | Score | Findings (high / medium / low) |",
            "| ---: | --- | --- | ---: | --- |",
        ]
        for answer in report.answers:
            lines.append(self.overview_row(str(answer.number), f"q{answer.number}", answer))
        if self.silo is not None:
            lines.append(self.overview_row("", "silos", self.silo, title="Where are our silos?"))
        for change in report.changes:
            lines += ["", f"## {_m(_change_title(change))}", "", "~~~~text"]
            lines += change.to_text().rstrip().splitlines()
            lines.append("~~~~")
        for answer in report.answers:
            lines += ["", *self.question(answer)]
        lines += self.silos()
        lines += self.validation()
        lines += self.appendix()
        return "\n".join(lines).rstrip() + "\n"

    def priorities(self) -> list[str]:
        ranked = self.report.priorities[:_FIRST_SCREEN]
        if not ranked:
            return []
        lines = ["## What to do first", ""]
        for p in ranked:
            where = f"Q{p.question} {p.short_name}" if p.question else "Silos"
            owners = ", ".join(o.label or o.iri for o in p.owners)
            stake = p.stake.text() if p.stake is not None else ""
            lines += [
                f"{p.rank}. **{p.finding.severity.value.upper()}** ({_m(where)}) "
                f"{_m(p.finding.message)}",
                f"   - **Do:** {_m(p.action)}"
                + (f" **Owner:** {_m(owners)}" if owners else "")
                + (f" **At stake:** {_m(stake)}" if stake else ""),
            ]
        return [*lines, "", f"*{_m(_ranking_rule())}*", ""]

    def overview_row(
        self, number: str, anchor: str, answer: Answer, *, title: str | None = None
    ) -> str:
        counts = _severity_counts(answer.findings)
        split = " / ".join(str(counts[lv.value]) for lv in Level)
        return (
            f"| {number} | [{_m(title or answer.title)}](#{anchor}) ({_m(answer.short_name)}) "
            f"| **{answer.verdict.value.upper()}** | {_score(answer)} "
            f"| {len(answer.findings)} ({split}) |"
        )

    def heading_line(self, answer: Answer) -> str:
        text = f"**Verdict: {answer.verdict.value.upper()}**"
        if answer.score is not None:
            text += f" · {_m(answer.score_label or 'score')}: **{_score(answer)}**"
        n = len(answer.findings)
        return text + f" · {n} finding{'s' if n != 1 else ''}"

    def question(self, answer: Answer) -> list[str]:
        lines = [
            f'<a id="q{answer.number}"></a>',
            "",
            f"## Q{answer.number}. {_m(answer.title)} ({_m(answer.short_name)})",
            "",
            self.heading_line(answer),
            "",
            _m(answer.summary),
            "",
            *self.findings(answer.findings),
        ]
        if answer.details:
            lines += ["### Details", "", *self.details(answer.details)]
        if answer.parameters:
            lines += [self.parameter_line(answer.parameters), ""]
        return lines

    def parameter_line(self, parameters: Mapping[str, Any]) -> str:
        text = ", ".join(
            f"{_m(_humanise(str(k)))} = {self.value(v) if v is not None else 'from the model'}"
            for k, v in parameters.items()
        )
        return f"*Parameters: {text}*"

    def findings(self, findings: Sequence[Finding], *, stories: bool = False) -> list[str]:
        if not findings:
            return ["No findings.", ""]
        lines = []
        rank = {id(p.finding): p.rank for p in self.report.priorities}
        for kind, members in _findings_by_kind(findings):
            members = sorted(members, key=lambda f: rank.get(id(f), len(rank)))
            lines += [f"### {_m(kind_title(kind))} ({len(members)})", ""]
            for finding in members[:_SHOWN_PER_KIND]:
                lines += self.finding(finding, story=stories)
            if len(members) > _SHOWN_PER_KIND:
                lines.append(
                    f"- and {len(members) - _SHOWN_PER_KIND} more of this kind: every finding is "
                    "in findings.csv and report.json"
                )
            lines.append("")
        return lines

    def finding(self, finding: Finding, *, story: bool = False) -> list[str]:
        subjects = ", ".join(self.subject(s) for s in finding.subjects)
        message = f"*{_m(finding.message)}*" if story else _m(finding.message)
        lines = [f"- **{finding.severity.value.upper()}** {message}", f"  - Subjects: {subjects}"]
        if finding.evidence:
            facts = "; ".join(
                f"{_m(_humanise(str(k)))}: {self.value(v)}" for k, v in finding.evidence.items()
            )
            lines.append(f"  - Evidence: {facts}")
        return lines

    @staticmethod
    def subject(subject: Subject | Mapping[str, Any]) -> str:
        if isinstance(subject, Subject):
            iri, label, type_ = subject.iri, subject.label, subject.type
        else:
            iri, label, type_ = subject["iri"], subject.get("label"), subject.get("type")
        kind = f" ({_type_name(type_)})" if type_ else ""
        return f"**{_m(label or iri)}**{kind} `{iri}`"

    def value(self, value: Any) -> str:
        value = _plain(value)
        if value is None:
            return "—"
        if isinstance(value, bool):
            return "yes" if value else "no"
        if isinstance(value, int | float):
            return _number(value)
        if isinstance(value, str):
            return _m(value)
        if _is_thing(value):
            extras = _extras(value)
            more = f" ({self.value(extras)})" if extras else ""
            return f"{_m(value.get('label') or value['iri'])}{more}"
        if isinstance(value, list) and value and all(isinstance(v, list) for v in value):
            return "; ".join(f"({self.value(v)})" for v in value)
        if isinstance(value, Mapping):
            return "; ".join(f"{_m(_humanise(str(k)))}: {self.value(v)}" for k, v in value.items())
        if isinstance(value, list):
            return ", ".join(self.value(v) for v in value) or "—"
        return _m(value)

    def table(self, rows: Sequence[Mapping[str, Any]]) -> list[str]:
        columns = _columns(rows)
        lines = [
            "| " + " | ".join(_m(_humanise(c)) for c in columns) + " |",
            "| " + " | ".join("---" for _ in columns) + " |",
        ]
        lines += ["| " + " | ".join(self.value(row.get(c)) for c in columns) + " |" for row in rows]
        return [*lines, ""]

    def details(self, details: Mapping[str, Any], *, level: int = 4) -> list[str]:
        details = _plain(details)
        hashes = "#" * level
        facts: list[str] = []
        blocks: list[str] = []
        for key, value in details.items():
            heading = [f"{hashes} {_m(_humanise(key))}", ""]
            if _is_rows(value):
                blocks += heading + self.table(value)
            elif isinstance(value, Mapping) and value and not _is_subject(value):
                if all(isinstance(v, Mapping) and not _is_subject(v) for v in value.values()):
                    rows = [{"name": k, **v} for k, v in value.items()]
                else:
                    rows = [{"name": _humanise(str(k)), "value": v} for k, v in value.items()]
                blocks += heading + self.table(rows)
            elif isinstance(value, list) and value and all(isinstance(v, list) for v in value):
                blocks += heading + [f"{i}. {self.value(v)}" for i, v in enumerate(value, 1)] + [""]
            elif isinstance(value, list) and value and all(_is_subject(v) for v in value):
                blocks += [*heading, self.value(value), ""]
            else:
                facts.append(f"- {_m(_humanise(key))}: {self.value(value)}")
        return ([*facts, ""] if facts else []) + blocks

    def silos(self) -> list[str]:
        silo, silos = self.silo, self.report.silos
        if silo is None or silos is None:
            return []
        lines = [
            "",
            '<a id="silos"></a>',
            "",
            f"## Silos: {_m(silo.title)}",
            "",
            self.heading_line(silo),
            "",
            _m(silo.summary),
            "",
            *self.findings(silo.findings, stories=True),
        ]
        structure = _structure(silos)
        if structure:
            lines += ["### Structure: where the organisation's graph falls apart", ""]
            lines += [_m(_STRUCTURE_NOTE), ""]
            lines += self.details(structure)
        details = {k: v for k, v in silo.details.items() if k != "structure"}
        if details:
            lines += ["### Details", "", *self.details(details)]
        if silo.parameters:
            lines += [self.parameter_line(silo.parameters), ""]
        return lines

    def validation(self) -> list[str]:
        validation = self.report.validation
        counts = validation.counts()
        lines = [
            "",
            '<a id="validation"></a>',
            "",
            "## Validation against the shapes",
            "",
            f"{_m(_validation_sentence(validation))} "
            f"{_number(validation.triples)} triples checked.",
            "",
            "| " + " | ".join(counts) + " |",
            "| " + " | ".join("---:" for _ in counts) + " |",
            "| " + " | ".join(str(n) for n in counts.values()) + " |",
            "",
        ]
        if validation.results:
            lines += [
                "| Severity | Element | Path | Value | Message |",
                "| --- | --- | --- | --- | --- |",
            ]
            for r in validation.results:
                element = _m(r.focus_label or r.focus_node)
                if r.focus_label:
                    element += f" `{r.focus_node}`"
                lines.append(
                    f"| {r.severity.value} | {element} | {_m(r.path or '')} "
                    f"| {_m(r.value_label or r.value or '')} | {_m(r.message)} |"
                )
            lines.append("")
        else:
            lines += ["No results: nothing to fix.", ""]
        return lines

    def appendix(self) -> list[str]:
        report = self.report
        lines = ["", "## How this report was made", ""]
        params = _parameters(report.parameters)
        if params:
            lines += ["| Parameter | Value |", "| --- | --- |"]
            lines += [
                f"| {_m(_humanise(k))} | {self.value(v) if v is not None else 'from the model'} |"
                for k, v in params.items()
            ]
            lines.append("")
        lines += ["Files:", "", *(f"- `{f}`" for f in _relative_files(report.model.files)), ""]
        if any(report.pictures.values()):
            lines += ["The pictures of the findings are in the HTML report.", ""]
        return lines


# --------------------------------------------------------------------------------------------
# What-ifs and comparisons

_CHANGE_ITEMS = 12
"""Findings that appeared, disappeared or changed shown per list; the rest are counted."""
_CHANGE_ELEMENTS = 40
"""Elements of a comparison shown; the rest are counted (report.json has them all)."""


def _change_title(change: WhatIf | Comparison) -> str:
    from kg.whatif import WhatIf

    if isinstance(change, WhatIf):
        return f"What if: {change.changes.title or change.changes.source}"
    return "Compared with another version of the model"


def _change_data(change: WhatIf | Comparison) -> dict[str, Any]:
    from kg.whatif import WhatIf

    kind = "what-if" if isinstance(change, WhatIf) else "comparison"
    return {"kind": kind, "title": _change_title(change), **change.to_dict()}


def _question_name(number: int, names: Mapping[int, str]) -> str:
    return f"Q{number} {names.get(number, '')}".strip() if number else "Silos"


def _change_context(change: WhatIf | Comparison) -> dict[str, Any]:
    """What report.html shows of a what-if or a comparison."""
    from kg.whatif import WhatIf

    difference = change.difference if isinstance(change, WhatIf) else change.answers
    names = {q.number: q.short_name for q in difference.questions}

    def listed(moved: Sequence[Any]) -> dict[str, Any]:
        items = [
            {
                "where": _question_name(m.question, names),
                "severity": m.finding.severity.value,
                "kind": kind_title(m.finding.kind),
                "message": m.finding.message,
                "stake": m.stake.text() if m.stake is not None else "",
            }
            for m in moved[:_CHANGE_ITEMS]
        ]
        return {"items": items, "more": max(0, len(moved) - _CHANGE_ITEMS)}

    changed = [
        {
            "where": _question_name(c.question, names),
            "kind": kind_title(c.after.kind),
            "message": c.after.message,
            "parts": ", ".join(sorted(c.changes)),
        }
        for c in difference.changed[:_CHANGE_ITEMS]
    ]
    rows = [
        {
            "name": q.name,
            "verdict_before": q.verdict_before.value,
            "verdict_after": q.verdict_after.value,
            "score": (
                f"{score_text(q.score_before)} → {score_text(q.score_after)}"
                if q.score_before is not None
                and q.score_after is not None
                and q.score_before != q.score_after
                else ""
            ),
            "appeared": len(q.appeared),
            "disappeared": len(q.disappeared),
            "changed": len(q.changed),
        }
        for q in difference.questions
        if not q.is_empty
    ]
    money = [
        f"At stake in the findings that {word}: "
        + " and ".join(money_words(v, c) for c, v in sorted(amounts.items()))
        for word, amounts in (
            ("appeared", difference.money_appeared()),
            ("disappeared", difference.money_disappeared()),
        )
        if amounts
    ]
    money += [line[0].upper() + line[1:] for line in difference.total_moves()]
    context: dict[str, Any] = {
        "title": _change_title(change),
        "headline": difference.headline(),
        "money": money,
        "rows": rows,
        "appeared": listed(difference.appeared),
        "disappeared": listed(difference.disappeared),
        "changed": {"items": changed, "more": max(0, len(difference.changed) - _CHANGE_ITEMS)},
        "applied": [],
        "violations": [],
        "elements": [],
        "elements_more": 0,
        "counts": "",
    }
    if isinstance(change, WhatIf):
        context["applied"] = [
            f"{a.description}: {_count(a.removed, 'statement')} out, {a.added} in"
            for a in change.applied
        ]
        context["violations"] = [
            f"{v.focus_label or v.focus_node}: {v.message}" for v in change.violations[:20]
        ]
    else:
        text = change.model.to_text().splitlines()
        lines = [line for line in text if line[:2] in ("+ ", "- ", "> ", "~ ")]
        context["counts"] = text[0] if text else ""
        context["elements"] = lines[:_CHANGE_ELEMENTS]
        context["elements_more"] = max(0, len(lines) - _CHANGE_ELEMENTS)
    return context
