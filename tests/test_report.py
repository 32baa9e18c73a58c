"""The report: what an executive reads (HTML), its Markdown twin and its JSON.

The rendering is tested on answers built by hand, so that every case (special characters, evidence
of every shape, details tables, violations) is covered whatever the analysis finds; the end-to-end
tests run the analysis on the bundled examples and look for every planted problem in the page.
"""

from __future__ import annotations

import csv
import dataclasses
import html
import io
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import markupsafe
import pytest
import rdflib
from rdflib.namespace import RDFS

from kg.answers import Answer, Finding, Level, Subject, Verdict
from kg.model import open_model
from kg.queries import kind_title
from kg.report import ModelDescription, Report, describe_model, write_report
from kg.validation import validate

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
MINIMAL = Path(__file__).parent / "fixtures" / "minimal.ttl"
EX = "https://example.org/mini/"

NASTY = "R&D <script>alert(\"x\")</script> 'quoted' | *bold* _under_"

# The one inline script every page carries (pictures drawn when opened, linked elements opened,
# everything opened before printing); it never loads anything.
PAGE_SCRIPT = "<script>\n/* Pictures are drawn when their section is opened"

CSV_COLUMNS = [
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
]


def esc(text: str) -> str:
    """Text as the page's templates escape it (Jinja2 autoescape: markupsafe)."""
    return str(markupsafe.escape(text))


# --------------------------------------------------------------------------------------------
# A report built by hand


@dataclass(frozen=True)
class Structure:
    data: Mapping[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return dict(self.data)


@dataclass(frozen=True)
class Silos:
    """Stands in for kg.silos.SiloAnalysis: the report uses only this much of it."""

    findings: tuple[Finding, ...]
    structure: Structure
    summary: str = "Two silos."
    caveats: tuple[str, ...] = ()

    def as_answer(self) -> Answer:
        return Answer(
            number=0,
            title="Where do we treat customers in silos?",
            short_name="Silos",
            verdict=Verdict.NO,
            summary=self.summary,
            findings=self.findings,
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "findings": [f.to_dict() for f in self.findings],
            "structure": self.structure.to_dict(),
        }


def subject(name: str, label: str | None, type_: str = "CustomerSegment") -> Subject:
    return Subject(EX + name, label, type_)


SENIORS = subject("seg-seniors", "Seniors")
PREPAID = subject("seg-prepaid", "Prepaid users")
FORUM = subject("ch-forum", "Community forum", "Channel")
FIBRE = subject("prd-fibre", "Fibre Home", "Product")
CRM = subject("ds-crm", "Mobile CRM", "DataStore")
NASTY_SUBJECT = subject("seg-nasty", NASTY)
UNLABELLED = subject("need-unlabelled", None, "Need")


def finding(kind: str, *subjects: Subject, level: Level = Level.MEDIUM, **evidence: Any) -> Finding:
    # the message says what is wrong in words, as the rules' messages do: never the rule's name
    names = ", ".join(s.label or s.iri for s in subjects)
    return Finding(kind, level, subjects, f"{names}: {kind.replace('-', ' ')}.", evidence)


def hand_answers() -> list[Answer]:
    answers = []
    for number in range(1, 11):
        answers.append(
            Answer(
                number=number,
                title=f"Question number {number}?",
                short_name=f"Short {number}",
                verdict=(Verdict.YES, Verdict.PARTLY, Verdict.NO)[number % 3],
                summary=f"The summary of question {number}.",
                score=None if number == 4 else number / 10,
                score_label="coverage",
            )
        )
    answers[0] = Answer(
        number=1,
        title="Are we targeting the right customers for the growth that we need?",
        short_name="Customer Profile",
        verdict=Verdict.NO,
        summary="Three targeted segments shrink; expats are left out.",
        score=0.62,
        score_label="revenue against goal",
        findings=(
            finding(
                "segment-below-growth-goal",
                SENIORS,
                level=Level.HIGH,
                growth_rate=Decimal("0.01"),
                target=0.04,
            ),
            finding("segment-below-growth-goal", PREPAID, growth_rate=-0.02, target=0.04),
            finding(
                "untargeted-attractive-segment",
                NASTY_SUBJECT,
                size=260000,
                propositions=[FORUM.to_dict()],
                since=date(2026, 9, 30),
            ),
        ),
        details={
            "ranking": [
                {"segment": SENIORS.to_dict(), "size": 510000, "growth": 0.01, "rank": 2},
                {"segment": NASTY_SUBJECT.to_dict(), "size": 260000, "growth": 0.07, "rank": 1},
            ],
            "revenue": {"this_year": Decimal("2412000000"), "projected": 2857000000.0},
            "years": 4,
        },
        parameters={"growth_target": None, "min_attractive_size": 50000},
    )
    answers[3] = Answer(
        number=4,
        title="Do our products and services deliver on the value proposition?",
        short_name="Products and Services",
        verdict=Verdict.PARTLY,
        summary="One offering serves nothing.",
        findings=(finding("offering-without-proposition", FIBRE, level=Level.LOW),),
    )
    answers[4] = Answer(
        number=5,
        title="Have we all the channels we should use, or too many?",
        short_name="Channels",
        verdict=Verdict.PARTLY,
        summary="A forum reaches nobody.",
        findings=(
            finding("channel-without-segment", FORUM),
            finding("need-without-evidence", UNLABELLED),
        ),
    )
    return answers


def hand_silos() -> Silos:
    story = "Sandra is told: \u201cI need all your details again for home internet.\u201d"
    return Silos(
        findings=(
            Finding(
                "product-silo",
                Level.HIGH,
                (SENIORS, FIBRE, CRM),
                story,
                {"stores": [CRM.to_dict()], "synchronised": False},
            ),
        ),
        structure=Structure(
            {
                "nodes": 5,
                "edges": 4,
                "communities": [[CRM.to_dict(), FIBRE.to_dict()], [FORUM.to_dict()]],
                "bridges": [[CRM.to_dict(), FORUM.to_dict()]],
                "articulation_points": [CRM.to_dict()],
                "segments": [
                    {
                        "segment": PREPAID.to_dict(),
                        "silo_index": 0.75,
                        "customer_records": 2,
                        "channels": [FORUM.to_dict()],
                        "data_stores": [CRM.to_dict(), FIBRE.to_dict()],
                        "records": [[CRM.to_dict()], [FIBRE.to_dict(), SENIORS.to_dict()]],
                    }
                ],
            }
        ),
    )


def hand_report(validation_model: rdflib.Graph | None = None) -> Report:
    return Report(
        title="Example AG: the ten strategic questions and silos",
        model=ModelDescription(
            files=("/data/example/customers.ttl",),
            triples=1284,
            enterprise="Example AG",
            enterprise_iri=EX + "example",
            as_of=date(2026, 9, 30),
            sources=("data/example",),
        ),
        validation=validate(validation_model if validation_model is not None else rdflib.Graph()),
        answers=hand_answers(),
        silos=hand_silos(),  # type: ignore[arg-type]
        parameters=None,
        generated_at=datetime(2026, 10, 1, 8, 30, tzinfo=UTC),
        currency="CHF",
    )


@pytest.fixture(scope="module")
def report() -> Report:
    return hand_report()


@pytest.fixture(scope="module")
def page(report: Report) -> str:
    return report.to_html()


@pytest.fixture(scope="module")
def markdown(report: Report) -> str:
    return report.to_markdown()


def all_findings(report: Report) -> Iterator[Finding]:
    for answer in report.answers:
        yield from answer.findings
    silo = report.silo_answer()
    assert silo is not None
    yield from silo.findings


def markdown_text(text: str) -> str:
    """What Markdown shows for a label: its special characters are escaped."""
    return re.sub(r"([\\`*_\[\]<>|#])", r"\\\1", text)


# --------------------------------------------------------------------------------------------
# HTML


class _Tags(HTMLParser):
    """The page's tags: whether they balance, their ids (with the tag and class of each), the
    links, the things named (``.subject``: link, tooltip, label) and the text a reader sees."""

    VOID = {"meta", "br", "hr", "img", "input", "link", "wbr", "col"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.ids: list[str] = []
        self.targets: dict[str, tuple[str, str]] = {}
        self.links: list[str] = []
        self.subjects: list[dict[str, str]] = []
        self.text: list[str] = []
        self._subject_depth: int | None = None
        self._small_depth: int | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if values.get("id"):
            self.ids.append(values["id"])
            self.targets[values["id"]] = (tag, values.get("class", ""))
        if values.get("href"):
            self.links.append(values["href"])
        if tag in self.VOID:
            return
        self.stack.append(tag)
        if "subject" in values.get("class", "").split() and self._subject_depth is None:
            self._subject_depth = len(self.stack)
            self.subjects.append(
                {"tag": tag, "href": values.get("href", ""), "title": values.get("title", "")}
                | {"label": ""}
            )
        elif tag == "small" and self._subject_depth is not None and self._small_depth is None:
            self._small_depth = len(self.stack)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1:] or 'nothing'}")
            return
        if self._small_depth == len(self.stack):
            self._small_depth = None
        if self._subject_depth == len(self.stack):
            self._subject_depth = None
            self.subjects[-1]["label"] = self.subjects[-1]["label"].strip()
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        if self.stack and self.stack[-1] in ("script", "style"):
            return
        self.text.append(data)
        if self._subject_depth is not None and self._small_depth is None:
            self.subjects[-1]["label"] += data


def parse(page: str) -> _Tags:
    tags = _Tags()
    tags.feed(page)
    tags.close()
    return tags


# The files a page links to beside it (write_report writes them into the same folder).
FILES_BESIDE = {"findings.csv", "report.json"}


def assert_well_formed(page: str) -> _Tags:
    """Balanced tags, unique ids, and every link leads somewhere: to an id of the page or to a
    file written beside it."""
    tags = parse(page)
    assert tags.errors == [] and tags.stack == []
    assert len(tags.ids) == len(set(tags.ids))
    for link in tags.links:
        assert (link.startswith("#") and link[1:] in tags.targets) or link in FILES_BESIDE, link
    return tags


def part(page: str, opening: str) -> str:
    """A section of the page, from its opening tag to its first ``</section>``."""
    assert page.count(opening) == 1, opening
    return page.split(opening)[1].split("</section>")[0]


def test_every_finding_subject_appears_in_html_by_label_with_its_iri_in_a_tooltip(
    report: Report, page: str
) -> None:
    tags = parse(page)
    for found in all_findings(report):
        for s in found.subjects:
            shown = s.label or s.iri.rsplit("/", 1)[-1]
            assert f'title="{esc(s.iri)}">{esc(shown)}' in page, s
            named = [t for t in tags.subjects if t["title"] == s.iri]
            assert named and all(t["label"] == shown for t in named), s
            # the name leads to the element's entry, which names the IRI
            for t in named:
                assert t["tag"] == "a" and tags.targets[t["href"][1:]] == ("details", "element")
            entry = page.split(f'id="{named[0]["href"][1:]}">')[1].split("</details>")[0]
            assert f'<p class="iri">{esc(s.iri)}</p>' in entry


def test_html_special_characters_are_escaped(page: str) -> None:
    assert page.count("<script") == 1 and PAGE_SCRIPT in page
    assert "<script>alert" not in page
    assert esc(NASTY) in page
    assert esc("Sandra is told: \u201cI need all your details again") in page


def test_html_opens_offline(page: str) -> None:
    # subject IRIs are http(s) IRIs: they must only ever be shown, never fetched or linked
    assert not re.search(
        r"""\b(?:src|href|action|poster|data)\s*=\s*["']?\s*(?:https?:)?//""", page
    )
    assert not re.search(r"<link\b", page, flags=re.IGNORECASE)
    # one inline script, which loads nothing
    assert len(re.findall(r"<script\b", page, flags=re.IGNORECASE)) == 1
    assert not re.search(r"<script\b[^>]*\bsrc\s*=", page, flags=re.IGNORECASE)
    assert not re.search(r"\b(?:fetch|XMLHttpRequest|import)\s*\(", page)
    assert not re.search(r"@import|url\s*\(", page)
    assert page.count("<style>") == 1


def test_html_tags_are_balanced_and_every_link_has_a_target(page: str) -> None:
    tags = assert_well_formed(page)
    assert {link for link in tags.links if not link.startswith("#")} == FILES_BESIDE


def test_cover_links_every_question_and_the_silos(page: str) -> None:
    cover = page.split("</header>")[0]
    overview = part(page, '<section class="part" id="answers">')
    tags = parse(page)
    for number in range(1, 11):
        assert f'href="#q{number}"' in overview
        assert tags.targets[f"q{number}"] == ("section", "question")
    assert 'href="#silos"' in overview and tags.targets["silos"] == ("section", "question")
    assert 'href="#validation"' in cover and tags.targets["validation"] == ("section", "part")
    assert "<h1>Example AG</h1>" in cover and "30 September 2026" in cover


def test_cover_shows_verdict_badges_and_scores(report: Report, page: str) -> None:
    table = page.split('<table class="answers">')[1].split("</table>")[0]
    rows = re.findall(r"<tr><td>(\d*)</td>(.*?)</tr>", table, flags=re.DOTALL)
    silo = report.silo_answer()
    assert silo is not None
    answers = [*report.answers, silo]
    assert [n for n, _ in rows] == [str(a.number) for a in report.answers] + [""]
    for (_, row), answer in zip(rows, answers, strict=True):
        assert f'class="badge v-{answer.verdict.value}"' in row
        measure = row.split('<td class="measure">')[1].split("</td>")[0]
        if answer.score is not None:
            expected = f'<b>{answer.score:.0%}</b><span class="what">{answer.score_label}</span>'
            assert measure == expected
        else:
            assert measure == ""
        counts = re.findall(r'<span class="count ([\w-]+)" title="(\w+)">(\d+)</span>', row)
        wanted = [
            (f"s-{level.value}" if n else "zero", level.value, str(n))
            for level in Level
            for n in [sum(f.severity is level for f in answer.findings)]
        ]
        assert counts == wanted, answer.number
    first = rows[0][1]
    assert "<b>62%</b>" in first and "revenue against goal" in first
    assert '<span class="count s-high" title="high">1</span>' in first  # one high finding


def test_question_section_holds_question_verdict_summary_findings_by_kind(page: str) -> None:
    section = part(page, '<section class="question" id="q1">')
    assert '<div class="qnum">Question 1 · Customer Profile</div>' in section
    assert "<h2>Are we targeting the right customers for the growth that we need?</h2>" in section
    line = section.split('<div class="verdict-line">')[1].split("</div>")[0]
    assert "badge v-no" in line and "<b>62%</b>" in line and "3 findings (1 high, 2 medium)" in line
    assert '<p class="summary">Three targeted segments shrink; expats are left out.</p>' in section
    kinds = re.findall(r'<details class="kind" id="[^"]+"( open)?>\s*<summary>([^<]*)', section)
    assert kinds == [
        (" open", kind_title("segment-below-growth-goal") + " "),  # holds a high finding
        ("", kind_title("untargeted-attractive-segment") + " "),
    ]
    below = section.index(kind_title("segment-below-growth-goal"))
    untargeted = section.index(kind_title("untargeted-attractive-segment"))
    assert below < section.index("Seniors") < section.index("Prepaid users") < untargeted
    assert "badge s-high" in section and "badge s-medium" in section
    assert len(re.findall(r'<div class="finding" id="f-\d+">', section)) == 3


def test_evidence_reads_as_facts(page: str) -> None:
    section = part(page, '<section class="question" id="q1">')
    evidence = re.findall(
        r'<details class="facts"><summary>Evidence</summary>(.*?)</details>', section
    )
    assert len(evidence) == 3
    assert evidence[0] == (
        '<dl class="facts"><dt>Growth rate</dt><dd>1%</dd><dt>Target</dt><dd>4%</dd></dl>'
    )
    assert "<dt>Growth rate</dt><dd>-2%</dd>" in evidence[1]
    assert "<dt>Size</dt><dd>260,000</dd>" in evidence[2]
    assert "<dt>Since</dt><dd>30 September 2026</dd>" in evidence[2]
    assert '<dt>Propositions</dt><dd><a class="subject"' in evidence[2]


def test_details_become_tables(page: str) -> None:
    section = part(page, '<section class="question" id="q1">')
    block = section.split('<details class="block"><summary>Details</summary>')[1]
    block = block.split("</details>")[0]
    ranking = block.split("<h3>Ranking</h3>")[1].split("</table>")[0]
    assert re.findall(r"<th(?: [^>]*)?>(.*?)</th>", ranking) == [
        "Segment",
        "Size",
        "Growth",
        "Rank",
    ]
    assert ranking.count("<tr>") == 3
    assert '<td class="num">510,000</td>' in ranking and '<td class="num">7%</td>' in ranking
    assert "<p>Years: 4</p>" in block
    revenue = block.split("<h3>Revenue</h3>")[1].split("</table>")[0]
    assert '<td>This year</td><td class="num">CHF 2,412 million</td>' in revenue
    assert '<td>Projected</td><td class="num">CHF 2,857 million</td>' in revenue
    assert "Min attractive size = 50,000" in section
    assert "Growth target = from the model" in section


def test_silo_section_tells_the_story_then_shows_the_structure(page: str) -> None:
    section = part(page, '<section class="question" id="silos">')
    assert section.index('class="story"') < section.index("Structure")
    structure = section.split('<details class="block"><summary>Structure')[1]
    structure = structure.split("</details>")[0]
    headings = re.findall(r"<h3>(.*?)</h3>", structure)
    assert headings == ["Segment silo index", "Bridges"]
    facts = structure.split("<h3>")[0]
    assert "<p>Nodes: 5; Edges: 4; Communities: " in facts
    assert "; Articulation points: " in facts
    communities = facts.split("Communities: ")[1].split("; Articulation points")[0]
    assert re.findall(r'title="[^"]+">([^<]+) <small>', communities) == [
        "Mobile CRM",
        "Fibre Home",
        "Community forum",
    ]
    index = structure.split("<h3>Segment silo index</h3>")[1].split("</table>")[0]
    columns = re.findall(r"<th(?: [^>]*)?>(.*?)</th>", index)
    assert columns == [
        "Segment",
        "Silo index",
        "Customer records",
        "Channels",
        "Data stores",
        "Separate records",
    ]
    assert '<td class="num">75%</td>' in index
    assert "<td>Mobile CRM; Fibre Home + Seniors</td>" in index
    bridges = structure.split("<h3>Bridges</h3>")[1].split("</table>")[0]
    assert re.findall(r"<th(?: [^>]*)?>(.*?)</th>", bridges) == ["From", "To"]


def test_print_css_puts_each_part_on_its_own_page(page: str) -> None:
    style = page.split("<style>")[1].split("</style>")[0]
    printing = style.split("@media print")[1]
    assert re.search(r"section\.part[^{]*\{[^}]*break-before:\s*page", printing)
    # the overview, the answers, the validation, the elements and the appendix are parts
    parts = re.findall(r'<section class="part" id="([^"]+)">', page)
    assert parts == ["answers", "questions", "validation", "elements", "appendix"]
    # and printing opens every folded section first
    assert 'window.addEventListener("beforeprint"' in page


def test_validation_section_shows_violations(tmp_path: Path) -> None:
    broken = rdflib.Graph().parse(
        data=MINIMAL.read_text(encoding="utf-8").replace(
            "bm:targetsSegment ex:seg-families ; ", ""
        ),
        format="turtle",
    )
    report = hand_report(broken)
    page, markdown = report.to_html(), report.to_markdown()
    assert_well_formed(page)
    section = part(page, '<section class="part" id="validation">')
    message = "A value proposition must target at least one customer segment."
    assert "does not conform" in section and "(1 violation, 0 warnings, 0 infos)" in section
    rows = re.findall(r"<tr><td>(.*?)</td></tr>", section)
    assert len(rows) == 1 and message in rows[0]
    assert rows[0].startswith('<span class="badge s-high">high</span>')
    assert 'title="ex:vp-family">Family bundle</a>' in rows[0]
    assert message in markdown and "Family bundle `ex:vp-family`" in markdown
    assert report.to_dict()["validation"]["counts"]["Violation"] == 1


def test_a_kind_with_more_than_five_findings_shows_five_and_counts_the_rest() -> None:
    levels = [Level.LOW, Level.HIGH, Level.MEDIUM, Level.LOW, Level.MEDIUM]
    levels += [Level.LOW, Level.HIGH, Level.MEDIUM]
    segments = [subject(f"seg-{i}", f"Segment number {i}") for i in range(8)]
    findings = tuple(
        finding("segment-below-growth-goal", s, level=level)
        for s, level in zip(segments, levels, strict=True)
    )
    answer = Answer(
        number=1,
        title="Are we targeting the right customers for the growth that we need?",
        short_name="Customer Profile",
        verdict=Verdict.NO,
        summary="Eight segments shrink.",
        findings=findings,
    )
    report = dataclasses.replace(hand_report(), answers=[answer], silos=None)
    page, markdown = report.to_html(), report.to_markdown()
    assert_well_formed(page)
    section = part(page, '<section class="question" id="q1">')
    group = section.split('<details class="kind"')[1]
    summary = group.split("</summary>")[0]
    assert kind_title("segment-below-growth-goal") in summary and '"small">8</span>' in summary
    shown = re.findall(r'<span class="badge s-(\w+)">\w+</span> Segment number (\d)', group)
    # the most severe first: the two high, then the three medium; the three low are counted
    assert shown == [
        ("high", "1"),
        ("high", "6"),
        ("medium", "2"),
        ("medium", "4"),
        ("medium", "7"),
    ]
    assert (
        '<p class="more">and 3 more of this kind: every finding is in '
        '<a href="findings.csv">findings.csv</a>' in group
    )
    assert "Segment number 0" not in page and "Segment number 3" not in page
    assert markdown.count("**Segment number") == 5
    assert "- and 3 more of this kind: every finding is in findings.csv" in markdown
    assert f"### {kind_title('segment-below-growth-goal')} (8)" in markdown
    rows = list(csv.DictReader(io.StringIO(report.findings_csv())))
    assert sorted(r["subjects"] for r in rows) == [f"Segment number {i}" for i in range(8)]


def visible_text(page: str) -> str:
    """What a reader sees of a page: its text, without tags, attributes, scripts and styles."""
    return " ".join(parse(page).text)


def test_no_rule_name_or_local_path_in_the_page(report: Report, page: str, markdown: str) -> None:
    kinds = {f.kind for f in all_findings(report)}
    assert len(kinds) == 6
    text = visible_text(page)
    for kind in kinds:
        assert kind not in text, kind
        assert kind_title(kind) in text, kind
    # the model's files by their names under their common folder: never where they sit
    assert "/data/example" not in page and "/data/example" not in markdown
    assert "<code>example/customers.ttl</code>" in page


def test_write_report_writes_the_four_files(report: Report, tmp_path: Path) -> None:
    out = tmp_path / "new" / "folder"
    written = write_report(report, out)
    assert written == {
        "html": out / "report.html",
        "json": out / "report.json",
        "markdown": out / "report.md",
        "csv": out / "findings.csv",
    }
    assert written["html"].read_text(encoding="utf-8") == report.to_html()
    assert json.loads(written["json"].read_text(encoding="utf-8")) == report.to_dict()
    assert written["markdown"].read_text(encoding="utf-8") == report.to_markdown()
    assert written["csv"].read_bytes().decode("utf-8") == report.findings_csv()


def check_findings_csv(report: Report) -> list[dict[str, str]]:
    """findings.csv has its header and lists each finding of the report once; the ranked ones
    first, ranked 1 to N in the priorities' order, with their actions."""
    text = report.findings_csv()
    assert next(csv.reader(io.StringIO(text))) == CSV_COLUMNS
    rows = list(csv.DictReader(io.StringIO(text)))
    listed = sorted((r["kind"], r["message"], r["subject_iris"]) for r in rows)
    every = sorted(
        (f.kind, f.message, " ".join(s.iri for s in f.subjects)) for f in all_findings(report)
    )
    assert listed == every
    ranked = [r for r in rows if r["rank"]]
    assert [r["rank"] for r in ranked] == [str(i) for i in range(1, len(ranked) + 1)]
    assert rows[: len(ranked)] == ranked
    assert len(ranked) == len(report.priorities)
    for row, planned in zip(ranked, report.priorities, strict=True):
        assert row["message"] == planned.finding.message and row["action"] == planned.action
        assert row["severity"] == planned.finding.severity.value
    return rows


def test_findings_csv_lists_every_finding_once(report: Report) -> None:
    rows = check_findings_csv(report)
    assert len(rows) == 7 and not any(r["rank"] for r in rows)  # nothing ranked by hand
    assert {r["severity"] for r in rows} == {"high", "medium", "low"}
    nasty = [r for r in rows if r["kind"] == "untargeted-attractive-segment"]
    assert nasty[0]["subjects"] == NASTY and nasty[0]["question"] == "Q1 Customer Profile"


# --------------------------------------------------------------------------------------------
# Markdown and JSON


def test_every_finding_subject_appears_in_markdown(report: Report, markdown: str) -> None:
    for found in all_findings(report):
        for s in found.subjects:
            assert f"**{markdown_text(s.label or s.iri)}**" in markdown, s
            assert f"`{s.iri}`" in markdown


def test_markdown_mirrors_the_html(report: Report, markdown: str) -> None:
    assert markdown.startswith("# Example AG: the ten strategic questions and silos\n")
    for answer in report.answers:
        assert f"## Q{answer.number}. {answer.title}" in markdown
        assert f'<a id="q{answer.number}"></a>' in markdown
        assert f"](#q{answer.number})" in markdown
    assert "## Silos:" in markdown and "## Validation against the shapes" in markdown
    assert "| Segment | Size | Growth | Rank |" in markdown
    assert "*Sandra is told:" in markdown
    assert "<script>" not in markdown and markdown_text(NASTY) in markdown


def test_markdown_tables_keep_their_columns(markdown: str) -> None:
    for table in re.findall(r"(?:^\|.*\|\n)+", markdown, flags=re.MULTILINE):
        widths = {len(re.split(r"(?<!\\)\|", row)) for row in table.splitlines()}
        assert len(widths) == 1, table


def test_json_round_trips(report: Report) -> None:
    data = report.to_dict()
    assert json.loads(report.to_json()) == data
    assert [a["number"] for a in data["answers"]] == list(range(1, 11))
    first = data["answers"][0]
    assert first["details"]["revenue"]["this_year"] == 2412000000
    assert first["findings"][0]["evidence"]["growth_rate"] == 0.01
    assert first["findings"][2]["evidence"]["since"] == "2026-09-30"
    assert data["model"]["as_of"] == "2026-09-30"
    assert data["silos"]["findings"][0]["kind"] == "product-silo"
    assert data["overview"]["verdicts"] == {"yes": 3, "partly": 4, "no": 3, "unknown": 0}
    assert data["overview"]["findings_by_severity"] == {"high": 1, "medium": 4, "low": 1}


def test_describe_model_names_enterprise_date_files_and_triples() -> None:
    with open_model(DATA / "telco") as model:
        description = describe_model(model, paths=[DATA / "telco"])
    files = sorted((DATA / "telco").glob("*.ttl"))
    union = rdflib.Graph()
    for file in files:
        union.parse(file)
    assert description.enterprise == "Alpina Telecom AG"
    assert description.enterprise_iri == "https://example.org/alpina/alpina"
    assert description.as_of == date(2026, 9, 30)
    assert description.files == tuple(str(f.resolve()) for f in files)
    assert description.triples == len(union)
    assert description.sources == (str(DATA / "telco"),)


# --------------------------------------------------------------------------------------------
# End to end: the bundled examples


def planted(example: str) -> list[tuple[str, str, list[str]]]:
    """(id, kind, subject CURIEs) of each planted problem of an example's README."""
    text = (DATA / example / "README.md").read_text(encoding="utf-8")
    rows = []
    for line in text.partition("## Planted problems")[2].splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) >= 5 and re.fullmatch(r"[A-Z]-[A-Z0-9]+-\d+", cells[0]):
            rows.append((cells[0], cells[2], [s.strip(" `") for s in cells[3].split(",")]))
    return rows


def english_label(graph: rdflib.Graph, iri: rdflib.URIRef) -> str:
    labels = list(graph.objects(iri, RDFS.label))
    english = [str(lb) for lb in labels if getattr(lb, "language", None) in (None, "en")]
    assert english, iri
    return english[0]


@dataclass(frozen=True)
class Built:
    example: str
    report: Report
    progress: list[str]
    ranked: list[Any]
    """What kg.priorities.prioritise makes of the report's answers, on the same model."""


_BUILT: dict[tuple[str, bool], Built] = {}


def build(example: str, *, pictures: bool = False) -> Built:
    """An example's report, made once per module run (pictures only where they are tested)."""
    from kg.priorities import prioritise
    from kg.report import build_report

    key = (example, pictures)
    if key not in _BUILT:
        lines: list[str] = []
        with open_model(DATA / example) as model:
            report = build_report(
                model, paths=[DATA / example], progress=lines.append, pictures=pictures
            )
            silo = report.silo_answer()
            assert silo is not None
            ranked = prioritise(model, [*report.answers, silo])
        _BUILT[key] = Built(example, report, lines, ranked)
    return _BUILT[key]


@pytest.fixture(scope="module", params=["telco", "bank"])
def built(request: pytest.FixtureRequest) -> Built:
    return build(request.param)


@pytest.fixture(scope="module")
def built_page(built: Built) -> str:
    return built.report.to_html()


def test_built_report_answers_all_ten_questions_and_finds_silos(
    built: Built, built_page: str
) -> None:
    report, lines = built.report, built.progress
    assert [a.number for a in report.answers] == list(range(1, 11))
    assert report.validation.conforms
    assert report.silos is not None and report.silos.findings
    assert lines[0].startswith("Validating") and any("silos" in line for line in lines)
    tags = assert_well_formed(built_page)
    for number in range(1, 11):
        assert tags.targets[f"q{number}"] == ("section", "question")
    assert tags.targets["silos"] == ("section", "question")
    assert tags.targets["validation"] == ("section", "part")
    assert tags.targets["priorities"][0] == "section"
    views = [i for i in tags.ids if i.startswith("view-")]
    assert views[0] == "view-canvas" and len(views) == 5
    html_with_pictures_opens_offline(built_page)
    assert "vis-network" not in built_page  # no pictures, no vis-network


def html_with_pictures_opens_offline(page: str) -> None:
    """Offline, with inline scripts: no src/href/... to a URL, no link, no import, no url()."""
    assert not re.search(
        r"""\b(?:src|href|action|poster)\s*=\s*["']?\s*(?:https?:)?//""", page, re.IGNORECASE
    )
    assert 'src="http' not in page and 'href="http' not in page
    assert not re.search(r"<link\b", page, flags=re.IGNORECASE)
    assert not re.search(r"<script\b[^>]*\bsrc\s*=", page, flags=re.IGNORECASE)
    assert not re.search(r"@import", page)
    assert not re.search(r"url\(\s*(?![\"']?data:)", page)


def finding_blocks(page: str) -> dict[str, str]:
    """The findings a page shows in full: their subjects' chips by message (as the page
    escapes it)."""
    blocks = {}
    for chunk in page.split('<div class="finding" id="f-')[1:]:
        message = re.match(
            r'\d+">\n<p><span class="badge s-\w+">\w+</span> (?:<span class="story">)?(.*?)'
            r"(?:</span>)?</p>",
            chunk,
        )
        assert message is not None, chunk[:200]
        blocks[message[1]] = chunk.split('<div class="subjects">')[1].split("</div>")[0]
    return blocks


def test_every_planted_problem_is_named_in_the_report(built: Built, built_page: str) -> None:
    example, report = built.example, built.report
    graph = rdflib.Graph()
    for file in report.model.files:
        graph.parse(file)
    graph.parse(ROOT / "ontology" / "bmkg.ttl")
    prefixes = dict(graph.namespaces())
    markdown = report.to_markdown()
    shown = finding_blocks(built_page)
    rows = list(csv.DictReader(io.StringIO(report.findings_csv())))
    reported = {
        (f.kind, frozenset(s.iri for s in f.subjects)): (answer, f)
        for answer in [*report.answers, report.silo_answer()]
        if answer is not None
        for f in answer.findings
    }
    for id_, kind, curies in planted(example):
        iris = [rdflib.URIRef(prefixes[c.split(":")[0]] + c.split(":")[1]) for c in curies]
        key = (kind, frozenset(str(i) for i in iris))
        assert key in reported, id_
        answer, found = reported[key]
        if esc(found.message) not in shown:
            # beyond the first five of its kind: counted in its section, listed in findings.csv
            section = part(built_page, f'<section class="question" id="q{answer.number}">')
            assert "more of this kind" in section, id_
            assert [
                r
                for r in rows
                if r["kind"] == kind and set(r["subject_iris"].split()) == set(key[1])
            ], id_
            continue
        body = shown[esc(found.message)]
        for iri in iris:
            label = english_label(graph, iri)
            assert f'title="{esc(str(iri))}">{esc(label)}' in body, (id_, label)
            assert markdown_text(label) in markdown, (id_, label)


def test_the_first_screen_shows_the_top_priorities_in_order(built: Built, built_page: str) -> None:
    report = built.report
    ranked = [(p.rank, p.finding.kind, p.finding.message, p.action) for p in built.ranked]
    assert [(p.rank, p.finding.kind, p.finding.message, p.action) for p in report.priorities] == (
        ranked
    )
    first = part(built_page, '<section class="first" id="priorities">')
    items = re.findall(r'<li class="sev-(\w+)">(.*?)</li>', first, flags=re.DOTALL)
    assert len(items) == min(6, len(report.priorities)) == 6
    for (severity, item), planned in zip(items, report.priorities[:6], strict=True):
        assert severity == planned.finding.severity.value
        assert f'<p class="p-action">{esc(planned.action)}</p>' in item
        assert f'<p class="p-problem">{esc(planned.finding.message)}</p>' in item
        where = "#silos" if planned.question == 0 else f"#q{planned.question}"
        assert f'<a href="{where}">' in item
        owners = re.findall(r'class="subject"[^>]*>([^<]*)</', item)
        assert owners == [o.label or o.iri.rsplit("/", 1)[-1] for o in planned.owners]
        assert ('<p class="p-stake">' in item) == (planned.stake is not None)
    assert f"{len(report.priorities) - 6} more findings follow" in first
    assert '<details class="rule"><summary>How these are ranked</summary>' in first
    # the Markdown leads with the same list
    md = report.to_markdown().split("## What to do first")[1]
    assert [int(n) for n in re.findall(r"^(\d+)\. \*\*", md, flags=re.MULTILINE)][:6] == list(
        range(1, 7)
    )


def test_no_rule_name_or_local_path_in_the_built_report(built: Built, built_page: str) -> None:
    report = built.report
    text = visible_text(built_page)
    for kind in {f.kind for f in all_findings(report)}:
        assert kind not in text, kind
    markdown = report.to_markdown()
    for folder in {str(DATA.resolve()), str(DATA), str(ROOT)}:
        assert folder not in built_page and folder not in markdown, folder
    for file in report.model.files:
        assert file not in built_page


def test_built_findings_csv_ranks_every_finding(built: Built) -> None:
    rows = check_findings_csv(built.report)
    assert all(r["rank"] for r in rows)  # the ranking holds every finding
    assert all(r["action"] for r in rows)


# --------------------------------------------------------------------------------------------
# Pictures in the HTML report


@pytest.fixture(scope="module")
def telco_report() -> Report:
    return build("telco", pictures=True).report


@pytest.fixture(scope="module")
def telco_page(telco_report: Report) -> str:
    return telco_report.to_html()


def test_report_embeds_vis_network_exactly_once(telco_report: Report, telco_page: str) -> None:
    from kg.pictures import _vis_css, _vis_js, vis_assets

    page = telco_page
    assert page.count(vis_assets()) == 1
    assert page.count(_vis_js()) == 1 and page.count(_vis_css()) == 1
    assert page.count("window.kgPictureDrawn = function") == 1
    assert page.index(vis_assets()) < page.index("</head>")
    html_with_pictures_opens_offline(page)
    assert page.count(PAGE_SCRIPT) == 1
    # every picture waits, folded, until its section is opened
    assert page.count('<template class="kg-later">') == sum(
        1 for shown in telco_report.pictures.values() if shown
    )
    assert_well_formed(page)
    # the pictures take about 1.6 MB (vis-network and the networks' data); the views add about
    # 400 KB
    assert len(page.encode("utf-8")) < 2_500_000


def test_report_has_one_answer_picture_per_question_with_findings(
    telco_report: Report, telco_page: str
) -> None:
    page = telco_page
    with_findings = [a for a in telco_report.answers if a.findings]
    assert with_findings
    pictures = re.findall(r'<div class="kg-picture" id="(picture-[^"]+)">', page)
    answer_ids = [i for i in pictures if re.fullmatch(r"picture-q\d+-1", i)]
    assert answer_ids == [f"picture-q{a.number}-1" for a in with_findings]
    for answer in with_findings:
        fragment = telco_report.pictures[f"q{answer.number}"][0]
        assert fragment.title == f"Q{answer.number}. {answer.title}"
        section = page.split(f'<section class="question" id="q{answer.number}">')[1]
        section = section.split("</section>")[0]
        assert f'<div class="kg-picture" id="picture-q{answer.number}-1">' in section
        assert f"<h4>{html.escape(fragment.title)}</h4>" in section
    for answer in telco_report.answers:
        if not answer.findings and answer.number != 7:
            assert f"q{answer.number}" not in telco_report.pictures
    assert (
        page.count("new vis.Network(")
        == len(pictures)
        == sum(len(shown) for shown in telco_report.pictures.values())
    )


def test_report_has_a_capability_map_in_q7(telco_report: Report, telco_page: str) -> None:
    page = telco_page
    section = page.split('<section class="question" id="q7">')[1].split("</section>")[0]
    assert "<h4>Capability map: maturity gaps</h4>" in section
    titles = [p.title for p in telco_report.pictures["q7"]]
    assert titles[-1] == "Capability map: maturity gaps"


def test_report_has_the_silo_pictures_of_the_planted_segments(
    telco_report: Report, telco_page: str
) -> None:
    tel = "https://example.org/alpina/"
    section = part(telco_page, '<section class="question" id="silos">')
    shown = telco_report.pictures["silos"]
    assert [p.title for p in shown] == ["Silos: Connected families", "Silos: Small businesses"]
    for i, (picture, segment) in enumerate(
        zip(shown, ["seg-connected-families", "seg-small-business"], strict=True), 1
    ):
        assert tel + segment in picture.highlighted
        assert f'<div class="kg-picture" id="picture-silos-{i}">' in section
        assert f"<h4>{html.escape(picture.title)}</h4>" in section
    named = {
        s.iri
        for f in telco_report.silos.findings  # type: ignore[union-attr]
        for s in f.subjects
        if s.type == "CustomerSegment"
    }
    assert named == {tel + "seg-connected-families", tel + "seg-small-business"}


def test_markdown_and_json_leave_the_pictures_out(telco_report: Report) -> None:
    markdown = telco_report.to_markdown()
    assert "<script" not in markdown and "vis-network" not in markdown
    assert "The pictures of the findings are in the HTML report." in markdown
    assert "pictures" not in telco_report.to_dict()
    assert "vis-network" not in telco_report.to_json()


def test_a_report_without_pictures_has_no_script(page: str) -> None:
    assert "kgPictureDrawn" not in page and "vis-network" not in page
    assert "pictures of the findings" not in markdown_text(page)


def test_the_files_of_a_model_written_to_over_the_api_do_not_hang_the_report() -> None:
    # A model loaded from files and then written to holds absolute file paths beside graph names
    # that are not paths: finding their common folder looped for ever (the API's report hung).
    from kg.report import _relative_files

    files = ["/srv/data/telco/offer.ttl", "urn:bmkg:entities", "/srv/data/telco/reach.ttl"]
    assert _relative_files(files) == ["offer.ttl", "urn:bmkg:entities", "reach.ttl"]
    assert _relative_files(["/srv/data/telco/offer.ttl"]) == ["telco/offer.ttl"]


def test_a_picture_too_large_to_carry_is_left_out_and_said_so(
    telco_report: Report, monkeypatch: pytest.MonkeyPatch
) -> None:
    # On a 1M-triple model each answer's picture carried 1-2 MB of facts: the report was 16 MB.
    import kg.report

    sections = [s for s, shown in telco_report.pictures.items() if shown]
    monkeypatch.setattr(kg.report, "_PICTURE_BUDGET", 100)
    page = telco_report.to_html()
    assert "vis.Network" not in page and 'class="kg-later"' not in page
    assert page.count("too large to carry in the report") == len(sections)
