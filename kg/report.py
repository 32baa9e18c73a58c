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

import dataclasses
import html
import json
import re
import shutil
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlparse

import pyoxigraph as ox

from kg._version import __version__
from kg.answers import Answer, Finding, Level, Subject, Verdict, score_text
from kg.ontology import ONTOLOGY_IRI
from kg.store import KnowledgeGraph
from kg.validation import Severity, ValidationReport, validate

if TYPE_CHECKING:
    from kg.pictures import Picture
    from kg.portfolio import Choice
    from kg.questions import Parameters
    from kg.silos import SiloAnalysis, SiloParameters

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
        }
        plain: dict[str, Any] = _plain(data)
        return plain

    def to_json(self, *, indent: int | None = 2) -> str:
        """The report as JSON (see :meth:`to_dict`)."""
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)

    def to_html(self) -> str:
        """One self-contained HTML page: cover, a section per question, silos, validation."""
        return _HtmlRenderer(self).render()

    def to_markdown(self) -> str:
        """The same content as :meth:`to_html`, as Markdown."""
        return _MarkdownRenderer(self).render()

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
    from kg import portfolio
    from kg.caveats import caveats
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
    )


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
        if answer.number == _CAPABILITY_QUESTION:
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
                silo_picture(model, iri, analysis=silos, data=data) for iri in segments
            )
    return drawn


_CAPABILITY_QUESTION = 7


def write_report(report: Report, out_dir: str | Path) -> dict[str, Path]:
    """Write ``report.html``, ``report.json`` and ``report.md`` into a folder (made if missing).

    Returns
    -------
    dict
        ``{"html": path, "json": path, "markdown": path}``.
    """
    folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    written = {
        "html": (folder / "report.html", report.to_html()),
        "json": (folder / "report.json", report.to_json() + "\n"),
        "markdown": (folder / "report.md", report.to_markdown()),
    }
    for path, text in written.values():
        path.write_text(text, encoding="utf-8")
    for note in report.imports:  # the needs-input reports the page links to, beside it
        if note.report.is_file() and note.report.resolve() != (folder / note.report.name).resolve():
            shutil.copyfile(note.report, folder / note.report.name)
    return {name: path for name, (path, _) in written.items()}


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
# HTML

_CSS = """
:root { --ink:#1d2733; --muted:#5b6776; --line:#d9dee5; --bg:#f6f7f9; --accent:#1f4e79;
  --yes:#1e7b45; --yes-bg:#e3f4ea; --partly:#8a5a00; --partly-bg:#fdf1d6;
  --no:#a4262c; --no-bg:#fbe5e6; --low:#3b5b7a; --low-bg:#e6eef6; }
* { box-sizing: border-box; }
body { margin:0; color:var(--ink); background:#fff; line-height:1.5;
  font:15px/1.5 -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
main, .cover { max-width: 1040px; margin: 0 auto; padding: 0 28px; }
.cover { padding-top: 40px; padding-bottom: 24px; }
.kicker { text-transform: uppercase; letter-spacing: .12em; font-size: 12px; color: var(--muted);
  margin: 0; }
h1 { font-size: 34px; margin: 4px 0 6px; color: var(--accent); line-height: 1.2; }
h2 { font-size: 23px; margin: 0 0 4px; line-height: 1.3; }
h3 { font-size: 17px; margin: 26px 0 8px; border-bottom: 1px solid var(--line);
  padding-bottom: 4px; }
h4 { font-size: 15px; margin: 18px 0 6px; }
.subtitle { font-size: 18px; color: var(--muted); margin: 0 0 18px; }
.meta { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; margin: 0 0 20px;
  font-size: 14px; }
.meta dt { color: var(--muted); } .meta dd { margin: 0; }
.headline { background: var(--bg); border-left: 4px solid var(--accent); padding: 12px 16px;
  margin: 0 0 20px; font-size: 16px; }
.caution { background: #fff4e5; border-left: 4px solid #b45309; color: #5c2c00;
  padding: 12px 16px; margin: 0 0 20px; font-size: 16px; font-weight: 600; }
table { border-collapse: collapse; width: 100%; margin: 8px 0 16px; font-size: 14px; }
th, td { text-align: left; vertical-align: top; padding: 6px 8px;
  border-bottom: 1px solid var(--line); }
th { background: var(--bg); font-weight: 600; }
table.compact { width: auto; min-width: 320px; }
td.num, th.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
.overview td:first-child { width: 40px; color: var(--muted); }
.overview a { color: var(--ink); text-decoration: none; font-weight: 600; }
.overview a:hover { text-decoration: underline; }
.short { display: block; color: var(--muted); font-size: 12px; font-weight: normal; }
.badge { display: inline-block; border-radius: 10px; padding: 1px 10px; font-size: 12px;
  font-weight: 700; text-transform: uppercase; letter-spacing: .04em; white-space: nowrap; }
.v-yes { color: var(--yes); background: var(--yes-bg); }
.v-partly { color: var(--partly); background: var(--partly-bg); }
.v-no { color: var(--no); background: var(--no-bg); }
.v-unknown { color: var(--muted); background: var(--bg); border: 1px dashed var(--muted); }
.s-high { color: var(--no); background: var(--no-bg); }
.s-medium { color: var(--partly); background: var(--partly-bg); }
.s-low { color: var(--low); background: var(--low-bg); }
.count.zero { color: #b7bec8; }
.count { display: inline-block; min-width: 1.6em; margin-right: 4px; font-size: 12px;
  border-radius: 8px; padding: 0 6px; text-align: center; }
section.question, section.part { border-top: 2px solid var(--accent); padding-top: 22px;
  margin-top: 36px; }
.qnum { color: var(--muted); font-size: 13px; text-transform: uppercase; letter-spacing: .1em; }
.verdict-line { margin: 8px 0 12px; display: flex; gap: 16px; align-items: center;
  flex-wrap: wrap; }
.bar { display: inline-block; width: 140px; height: 8px; background: var(--line);
  border-radius: 4px; overflow: hidden; vertical-align: middle; }
.bar span { display: block; height: 100%; background: var(--accent); }
.summary { font-size: 16px; max-width: 80ch; }
.finding { border: 1px solid var(--line); border-radius: 6px; padding: 10px 14px;
  margin: 8px 0; break-inside: avoid; }
.finding p { margin: 0 0 6px; display: inline; }
.finding .subjects { margin-top: 6px; }
.story { font-size: 15px; border-left: 3px solid var(--partly); padding-left: 12px;
  font-style: italic; }
.subjects { margin: 4px 0; }
.subject { display: inline-block; background: var(--bg); border: 1px solid var(--line);
  border-radius: 4px; padding: 0 6px; margin: 0 4px 4px 0; font-size: 13px; cursor: help; }
.subject small { color: var(--muted); }
.facts { list-style: none; margin: 4px 0 0; padding: 0; font-size: 13px; color: var(--muted); }
.facts li { display: inline; }
.facts li + li::before { content: " \\00b7  "; }
.facts li.block { display: block; margin-top: 4px; }
.facts li.block + li::before, .facts li.block::before { content: ""; }
.facts li.block + li { display: block; }
.group { white-space: nowrap; }
.table-wrap { overflow-x: auto; max-width: 100%; }
table.wide { font-size: 12px; }
table.wide th, table.wide td { padding: 4px 6px; }
.facts b { font-weight: 600; color: var(--ink); }
.facts table { font-size: 12px; color: var(--ink); }
.small, .params { font-size: 12px; color: var(--muted); }
.empty { color: var(--muted); font-style: italic; }
code { font-size: 12px; background: var(--bg); padding: 0 3px; border-radius: 3px;
  overflow-wrap: anywhere; }
ol.members li { margin-bottom: 6px; }
nav.toc { font-size: 13px; margin: 0 0 24px; }
footer { max-width: 1040px; margin: 40px auto; padding: 12px 28px; color: var(--muted);
  font-size: 12px; border-top: 1px solid var(--line); }
@page { size: A4; margin: 16mm 14mm; }
@media print {
  body { font-size: 10.5pt; }
  main, .cover { max-width: none; padding: 0; }
  section.question, section.part { break-before: page; border-top: none; margin-top: 0; }
  .finding, tr { break-inside: avoid; }
  h2, h3, h4 { break-after: avoid; }
  a { color: inherit; text-decoration: none; }
  .finding > .subjects .subject[title]::after { content: " <" attr(title) ">"; font-size: 7pt;
    color: var(--muted); }
  .table-wrap { overflow: visible; }
  .badge, .count, .bar span { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  footer { margin: 0; padding: 8px 0; }
}
"""


def _e(value: Any) -> str:
    return html.escape(str(value), quote=True)


class _HtmlRenderer:
    def __init__(self, report: Report) -> None:
        self.report = report
        self.overview = report._overview()
        self.silo = report.silo_answer()

    def render(self) -> str:
        report = self.report
        parts = [
            "<!DOCTYPE html>",
            '<html lang="en">',
            "<head>",
            '<meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f'<meta name="generator" content="bmkg {_e(_version())}">',
            f"<title>{_e(report.title)}</title>",
            f"<style>{_CSS}</style>",
            *([_vis_assets()] if any(report.pictures.values()) else []),
            "</head>",
            "<body>",
            self.cover(),
            "<main>",
            *(self.question(answer) for answer in report.answers),
            self.silos(),
            self.validation(),
            self.appendix(),
            "</main>",
            f"<footer>{_e(report.title)}. Generated "
            f"{_e(report.generated_at.strftime('%Y-%m-%d %H:%M UTC'))} by bmkg "
            f"{_e(_version())} from {_e(_count(len(report.model.files), 'file'))}.</footer>",
            "</body>",
            "</html>",
        ]
        return "\n".join(parts) + "\n"

    def cover(self) -> str:
        report, model = self.report, self.report.model
        enterprise = model.enterprise or "The enterprise"
        meta = [
            (
                "Enterprise",
                _e(enterprise)
                + (
                    f' <span class="small">{_e(model.enterprise_iri)}</span>'
                    if model.enterprise_iri
                    else ""
                ),
            ),
            ("Model as of", _e(_long_date(model.as_of))),
            (
                "Model",
                _e(f"{_count(len(model.files), 'file')}, {_number(model.triples)} triples")
                + (
                    f' <span class="small">({_e(", ".join(model.sources))})</span>'
                    if model.sources
                    else ""
                ),
            ),
            (
                "Validation",
                f'<a href="#validation">{_e(_validation_sentence(report.validation))}</a>',
            ),
            ("Generated", _e(report.generated_at.strftime("%Y-%m-%d %H:%M UTC"))),
            *(
                (
                    "Import",
                    f'{_e(note.sentence)}: <a href="{_e(note.report.name)}">what to fill in</a>',
                )
                for note in report.imports
            ),
        ]
        rows = []
        for answer in report.answers:
            rows.append(self.overview_row(f"q{answer.number}", str(answer.number), answer))
        if self.silo is not None:
            rows.append(
                self.overview_row(
                    "silos", "", self.silo, title="Where are our silos?", short="Silos"
                )
            )
        dl = "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in meta)
        return (
            '<header class="cover" id="top">'
            '<p class="kicker">Business model review</p>'
            f"<h1>{_e(enterprise)}</h1>"
            f'<p class="subtitle">{_e(report.title)}</p>'
            f'<dl class="meta">{dl}</dl>'
            + "".join(f'<p class="caution" role="alert">{_e(c)}</p>' for c in _caveats(report))
            + f'<p class="headline">{_e(_verdict_sentence(self.overview, len(report.answers)))}</p>'
            '<table class="overview"><thead><tr><th>#</th><th>Question</th><th>Verdict</th>'
            '<th class="num">Score</th><th>Findings (high, medium, low)</th></tr></thead>'
            f"<tbody>{''.join(rows)}</tbody></table>"
            "</header>"
        )

    def overview_row(
        self,
        anchor: str,
        number: str,
        answer: Answer,
        *,
        title: str | None = None,
        short: str | None = None,
    ) -> str:
        counts = _severity_counts(answer.findings)
        chips = "".join(
            f'<span class="count {"s-" + lv.value if counts[lv.value] else "zero"}" '
            f'title="{_e(lv.value)}">{counts[lv.value]}</span>'
            for lv in Level
        )
        score = _score(answer)
        score_title = f' title="{_e(answer.score_label)}"' if answer.score_label else ""
        return (
            f"<tr><td>{_e(number)}</td>"
            f'<td><a href="#{_e(anchor)}">{_e(title or answer.title)}</a>'
            f'<span class="short">{_e(short or answer.short_name)}</span></td>'
            f"<td>{self.verdict(answer.verdict)}</td>"
            f'<td class="num"{score_title}>{_e(score)}</td>'
            f'<td>{chips} <span class="small">{len(answer.findings)} in all</span></td></tr>'
        )

    @staticmethod
    def verdict(verdict: Verdict) -> str:
        return f'<span class="badge v-{_e(verdict.value)}">{_e(verdict.value)}</span>'

    @staticmethod
    def severity(level: Level) -> str:
        return f'<span class="badge s-{_e(level.value)}">{_e(level.value)}</span>'

    def heading_line(self, answer: Answer) -> str:
        line = [f"<span>Verdict {self.verdict(answer.verdict)}</span>"]
        if answer.score is not None:
            bar = ""
            if 0 <= answer.score <= 1:
                width = f"{answer.score * 100:.0f}%"
                bar = f'<span class="bar"><span style="width:{width}"></span></span>'
            line.append(
                f"<span>{_e(answer.score_label or 'Score')}: <b>{_e(_score(answer))}</b> {bar}"
                "</span>"
            )
        n = len(answer.findings)
        line.append(f"<span>{n} finding{'s' if n != 1 else ''}</span>")
        return f'<div class="verdict-line">{"".join(line)}</div>'

    def question(self, answer: Answer) -> str:
        parts = [
            f'<section class="question" id="q{_e(answer.number)}">',
            f'<div class="qnum">Question {_e(answer.number)} &middot; '
            f"{_e(answer.short_name)}</div>",
            f"<h2>{_e(answer.title)}</h2>",
            self.heading_line(answer),
            *(f'<p class="caution">{_e(c)}</p>' for c in answer.caveats),
            f'<p class="summary">{_e(answer.summary)}</p>',
            self.findings(answer.findings),
        ]
        if answer.details:
            parts += ["<h3>Details</h3>", self.details(answer.details)]
        if answer.parameters:
            parts.append(self.parameter_line(answer.parameters))
        parts.append(self.pictures(f"q{answer.number}"))
        parts.append('<p class="small"><a href="#top">Back to the overview</a></p></section>')
        return "\n".join(parts)

    def pictures(self, section: str) -> str:
        """The section's pictures, each in a ``<div id="picture-<section>-<i>">``."""
        shown = self.report.pictures.get(section, ())
        if not shown:
            return ""
        fragments = "\n".join(
            picture.to_fragment(f"picture-{section}-{i}", heading=4)
            for i, picture in enumerate(shown, 1)
        )
        return (
            f"<h3>Picture{'s' if len(shown) != 1 else ''}</h3>"
            '<p class="small">Drag to move, scroll to zoom, hover over a node for its facts; '
            "highlighted nodes have a red border.</p>\n" + fragments
        )

    def findings(self, findings: Sequence[Finding], *, stories: bool = False) -> str:
        if not findings:
            return '<h3>Findings</h3><p class="empty">No findings.</p>'
        parts = []
        for kind, members in _findings_by_kind(findings):
            parts.append(
                f'<h3 id="{_e(kind)}">{_e(_humanise(kind))} '
                f'<span class="small">{len(members)} &middot; <code>{_e(kind)}</code></span></h3>'
            )
            parts.extend(self.finding(f, story=stories) for f in members)
        return "\n".join(parts)

    def finding(self, finding: Finding, *, story: bool = False) -> str:
        subjects = "".join(self.subject(s) for s in finding.subjects)
        message = (
            f'<p class="story">{_e(finding.message)}</p>'
            if story
            else (f"<p>{_e(finding.message)}</p>")
        )
        facts = self.facts(finding.evidence) if finding.evidence else ""
        return (
            f'<div class="finding">{self.severity(finding.severity)} {message}'
            f'<div class="subjects">{subjects}</div>{facts}</div>'
        )

    @staticmethod
    def subject(subject: Subject | Mapping[str, Any], *, typed: bool = True) -> str:
        """A thing by its label, its IRI in the tooltip, its class in small print."""
        if isinstance(subject, Subject):
            iri, label, type_ = subject.iri, subject.label, subject.type
        else:
            iri, label, type_ = subject["iri"], subject.get("label"), subject.get("type")
        kind = f" <small>{_e(_type_name(type_))}</small>" if type_ and typed else ""
        return f'<span class="subject" title="{_e(iri)}">{_e(label or iri)}{kind}</span>'

    def facts(self, evidence: Mapping[str, Any]) -> str:
        items = []
        for key, value in _plain(evidence).items():
            block = ' class="block"' if _is_rows(value) else ""
            items.append(f"<li{block}><b>{_e(_humanise(str(key)))}</b>: {self.value(value)}</li>")
        return f'<ul class="facts">{"".join(items)}</ul>'

    def value(self, value: Any, *, typed: bool = True) -> str:
        """An inline rendering of any JSON-able value (in a table, things without their class)."""
        value = _plain(value)
        if value is None:
            return "&mdash;"
        if isinstance(value, bool):
            return "yes" if value else "no"
        if isinstance(value, int | float):
            return _e(_number(value))
        if isinstance(value, str):
            return _e(value)
        if _is_thing(value):
            extras = _extras(value)
            more = f' <span class="small">({self.value(extras)})</span>' if extras else ""
            return self.subject(value, typed=typed) + more
        if _is_rows(value):
            return self.table(value)
        if isinstance(value, Mapping):
            return "; ".join(
                f"{_e(_humanise(str(k)))}: {self.value(v, typed=typed)}" for k, v in value.items()
            )
        if isinstance(value, list):
            if not value:
                return "&mdash;"
            if all(_is_thing(v) for v in value):
                return "".join(self.value(v, typed=typed) for v in value)
            if all(isinstance(v, list) for v in value):
                return "; ".join(
                    f'<span class="group">{self.value(v, typed=typed)}</span>' for v in value
                )
            return ", ".join(self.value(v, typed=typed) for v in value)
        return _e(value)

    def table(self, rows: Sequence[Mapping[str, Any]]) -> str:
        columns = _columns(rows)
        numeric = {
            c
            for c in columns
            if all(
                isinstance(r.get(c), int | float) and not isinstance(r.get(c), bool)
                for r in rows
                if r.get(c) is not None
            )
        }
        align = {c: ' class="num"' if c in numeric else "" for c in columns}
        head = "".join(f"<th{align[c]}>{_e(_humanise(c))}</th>" for c in columns)
        body = "".join(
            "<tr>"
            + "".join(f"<td{align[c]}>{self.value(row.get(c), typed=False)}</td>" for c in columns)
            + "</tr>"
            for row in rows
        )
        wide = ' class="wide"' if len(columns) > 6 else ""
        return (
            f'<div class="table-wrap"><table{wide}><thead><tr>{head}</tr></thead>'
            f"<tbody>{body}</tbody></table></div>"
        )

    def details(self, details: Mapping[str, Any], *, level: int = 4) -> str:
        """Tables for lists of records, key-value tables for mappings, facts for the rest."""
        details = _plain(details)
        scalars: dict[str, Any] = {}
        blocks = []
        for key, value in details.items():
            heading = f"<h{level}>{_e(_humanise(key))}</h{level}>"
            if _is_rows(value):
                blocks.append(heading + self.table(value))
            elif isinstance(value, Mapping) and value and not _is_subject(value):
                if all(isinstance(v, Mapping) and not _is_subject(v) for v in value.values()):
                    rows = [{"name": k, **v} for k, v in value.items()]
                    blocks.append(heading + self.table(rows))
                else:
                    rows = [{"name": _humanise(str(k)), "value": v} for k, v in value.items()]
                    blocks.append(heading + self.table(rows))
            elif isinstance(value, list) and value and all(isinstance(v, list) for v in value):
                items = "".join(f"<li>{self.value(v)}</li>" for v in value)
                blocks.append(f'{heading}<ol class="members">{items}</ol>')
            elif isinstance(value, list) and value and all(_is_subject(v) for v in value):
                blocks.append(f'{heading}<div class="subjects">{self.value(value)}</div>')
            else:
                scalars[key] = value
        facts = self.facts(scalars) if scalars else ""
        return facts + "\n".join(blocks)

    def parameter_line(self, parameters: Mapping[str, Any]) -> str:
        text = ", ".join(
            f"{_humanise(str(k))} = {self.value(v) if v is not None else 'from the model'}"
            for k, v in parameters.items()
        )
        return f'<p class="params">Parameters: {text}</p>'

    def silos(self) -> str:
        silo, silos = self.silo, self.report.silos
        if silo is None or silos is None:
            return ""
        parts = [
            '<section class="part" id="silos">',
            '<div class="qnum">Silos</div>',
            f"<h2>{_e(silo.title)}</h2>",
            self.heading_line(silo),
            f'<p class="summary">{_e(silo.summary)}</p>',
            self.findings(silo.findings, stories=True),
        ]
        structure = _structure(silos)
        if structure:
            parts += [
                "<h3>Structure: where the organisation's graph falls apart</h3>",
                f'<p class="small">{_e(_STRUCTURE_NOTE)}</p>',
                self.details(structure),
            ]
        details = {k: v for k, v in silo.details.items() if k != "structure"}
        if details:
            parts += ["<h3>Details</h3>", self.details(details)]
        if silo.parameters:
            parts.append(self.parameter_line(silo.parameters))
        parts.append(self.pictures("silos"))
        parts.append('<p class="small"><a href="#top">Back to the overview</a></p></section>')
        return "\n".join(parts)

    def validation(self) -> str:
        validation = self.report.validation
        counts = validation.counts()
        head = "".join(f'<th class="num">{_e(sev)}</th>' for sev in counts)
        cells = "".join(f'<td class="num">{n}</td>' for n in counts.values())
        parts = [
            '<section class="part" id="validation">',
            '<div class="qnum">Model quality</div>',
            "<h2>Validation against the shapes</h2>",
            f'<p class="summary">{_e(_validation_sentence(validation))} '
            f"{_e(_number(validation.triples))} triples checked.</p>",
            f'<table class="compact"><thead><tr>{head}</tr></thead>'
            f"<tbody><tr>{cells}</tr></tbody></table>",
        ]
        if validation.results:
            rows = "".join(
                "<tr>"
                f'<td><span class="badge {_severity_class(r.severity)}">{_e(r.severity.value)}'
                "</span></td>"
                f'<td><span class="subject" title="{_e(r.focus_node)}">'
                f"{_e(r.focus_label or r.focus_node)}</span></td>"
                f"<td><code>{_e(r.path or '')}</code></td>"
                f"<td>{_e(r.value_label or r.value or '')}</td>"
                f"<td>{_e(r.message)}</td></tr>"
                for r in validation.results
            )
            parts.append(
                "<table><thead><tr><th>Severity</th><th>Element</th><th>Path</th><th>Value</th>"
                f"<th>Message</th></tr></thead><tbody>{rows}</tbody></table>"
            )
        else:
            parts.append('<p class="empty">No results: nothing to fix.</p>')
        parts.append("</section>")
        return "\n".join(parts)

    def appendix(self) -> str:
        report = self.report
        params = _parameters(report.parameters)
        rows = "".join(
            f"<tr><td>{_e(_humanise(k))}</td>"
            f"<td>{self.value(v) if v is not None else 'from the model'}</td></tr>"
            for k, v in params.items()
        )
        files = "".join(f"<li><code>{_e(f)}</code></li>" for f in report.model.files)
        return (
            '<section class="part" id="appendix"><div class="qnum">Appendix</div>'
            "<h2>How this report was made</h2>"
            "<p>Each answer is computed from the model with SPARQL queries and graph analytics; "
            "each finding names the elements of the model behind it, so that it can be checked "
            "and acted on. Hover over an element to see its IRI.</p>"
            + (
                "<h3>Parameters</h3><table><thead><tr><th>Parameter</th><th>Value</th></tr>"
                f"</thead><tbody>{rows}</tbody></table>"
                if rows
                else ""
            )
            + f"<h3>Files</h3><ul>{files}</ul></section>"
        )


_STRUCTURE_NOTE = (
    "Units, processes, applications, data stores, channels and segments as a graph: clusters "
    "(communities) that touch the customer but barely touch each other, and the single links "
    "(bridges) and single things (articulation points) that hold parts of it together. A "
    "segment's silo index is 0 when its customers meet one customer record, one cluster and one "
    "connected set of units and systems, and grows towards 1 as records, clusters and "
    "disconnected pieces multiply."
)


def _severity_class(severity: Severity) -> str:
    return {Severity.VIOLATION: "s-high", Severity.WARNING: "s-medium"}.get(severity, "s-low")


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
            + (f" ({_m(', '.join(model.sources))})" if model.sources else ""),
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
            "| # | Question | Verdict | Score | Findings (high / medium / low) |",
            "| ---: | --- | --- | ---: | --- |",
        ]
        for answer in report.answers:
            lines.append(self.overview_row(str(answer.number), f"q{answer.number}", answer))
        if self.silo is not None:
            lines.append(self.overview_row("", "silos", self.silo, title="Where are our silos?"))
        for answer in report.answers:
            lines += ["", *self.question(answer)]
        lines += self.silos()
        lines += self.validation()
        lines += self.appendix()
        return "\n".join(lines).rstrip() + "\n"

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
        for kind, members in _findings_by_kind(findings):
            lines += [f"### {_m(_humanise(kind))} ({len(members)}, `{kind}`)", ""]
            for finding in members:
                lines += self.finding(finding, story=stories)
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
        lines += ["Files:", "", *(f"- `{f}`" for f in report.model.files), ""]
        if any(report.pictures.values()):
            lines += ["The pictures of the findings are in the HTML report.", ""]
        return lines
