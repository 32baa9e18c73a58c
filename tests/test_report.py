"""The report: what an executive reads (HTML), its Markdown twin and its JSON.

The rendering is tested on answers built by hand, so that every case (special characters, evidence
of every shape, details tables, violations) is covered whatever the analysis finds; the end-to-end
tests run the analysis on the bundled examples and look for every planted problem in the page.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
import rdflib
from rdflib.namespace import RDFS

from kg.answers import Answer, Finding, Level, Subject, Verdict
from kg.model import open_model
from kg.report import ModelDescription, Report, describe_model, write_report
from kg.validation import validate

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
MINIMAL = Path(__file__).parent / "fixtures" / "minimal.ttl"
EX = "https://example.org/mini/"

NASTY = "R&D <script>alert(\"x\")</script> 'quoted' | *bold* _under_"


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
    names = ", ".join(s.label or s.iri for s in subjects)
    return Finding(kind, level, subjects, f"{names}: {kind}.", evidence)


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


def test_every_finding_subject_appears_in_html_by_label_with_its_iri_in_a_tooltip(
    report: Report, page: str
) -> None:
    for found in all_findings(report):
        for s in found.subjects:
            shown = html.escape(s.label or s.iri, quote=True)
            assert f'title="{html.escape(s.iri)}">{shown}' in page, s


def test_html_special_characters_are_escaped(page: str) -> None:
    assert "<script" not in page
    assert html.escape(NASTY, quote=True) in page
    assert html.escape("Sandra is told: \u201cI need all your details again") in page


def test_html_opens_offline(page: str) -> None:
    # subject IRIs are http(s) IRIs: they must only ever be shown, never fetched or linked
    assert not re.search(
        r"""\b(?:src|href|action|poster|data)\s*=\s*["']?\s*(?:https?:)?//""", page
    )
    assert not re.search(r"<link\b", page, flags=re.IGNORECASE)
    assert not re.search(r"<script\b", page, flags=re.IGNORECASE)
    assert not re.search(r"@import|url\s*\(", page)
    assert page.count("<style>") == 1


class _Tags(HTMLParser):
    VOID = {"meta", "br", "hr", "img", "input", "link", "wbr", "col"}

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.ids: list[str] = []
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if values.get("id"):
            self.ids.append(values["id"] or "")
        if values.get("href"):
            self.links.append(values["href"] or "")
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1:] or 'nothing'}")
        else:
            self.stack.pop()


def parse(page: str) -> _Tags:
    tags = _Tags()
    tags.feed(page)
    tags.close()
    return tags


def test_html_tags_are_balanced_and_every_link_has_a_target(page: str) -> None:
    tags = parse(page)
    assert tags.errors == [] and tags.stack == []
    assert len(tags.ids) == len(set(tags.ids))
    for link in tags.links:
        assert link.startswith("#") and link[1:] in tags.ids, link


def test_cover_links_every_question_and_the_silos(page: str) -> None:
    cover = page.split("</header>")[0]
    tags = parse(page)
    for number in range(1, 11):
        assert f'href="#q{number}"' in cover
        assert f"q{number}" in tags.ids
    assert 'href="#silos"' in cover and 'href="#validation"' in cover
    assert "Example AG" in cover and "30 September 2026" in cover


def test_cover_shows_verdict_badges_and_scores(report: Report, page: str) -> None:
    rows = re.findall(r"<tr><td>(\d+)</td>(.*?)</tr>", page.split("</header>")[0])
    assert [int(n) for n, _ in rows] == [a.number for a in report.answers]
    for (_, row), answer in zip(rows, report.answers, strict=True):
        assert f'class="badge v-{answer.verdict.value}"' in row
        if answer.score is not None:
            assert f"{answer.score:.0%}" in row
    assert "62%" in rows[0][1] and ">1</span>" in rows[0][1]  # one high finding


def test_question_section_holds_question_verdict_summary_findings_by_kind(page: str) -> None:
    section = page.split('id="q1"')[1].split("</section>")[0]
    assert "Are we targeting the right customers for the growth that we need?" in section
    assert "badge v-no" in section
    assert "Three targeted segments shrink; expats are left out." in section
    below = section.index("Segment below growth goal")
    untargeted = section.index("Untargeted attractive segment")
    assert below < section.index("Seniors") < section.index("Prepaid users") < untargeted
    assert "badge s-high" in section and "badge s-medium" in section


def test_evidence_reads_as_facts(page: str) -> None:
    section = page.split('id="q1"')[1].split("</section>")[0]
    assert "<b>Growth rate</b>: 0.01" in section
    assert "<b>Size</b>: 260,000" in section
    assert "<b>Since</b>: 2026-09-30" in section
    assert '<b>Propositions</b>: <span class="subject"' in section


def test_details_become_tables(page: str) -> None:
    section = page.split('id="q1"')[1].split("</section>")[0]
    ranking = section.split("<h4>Ranking</h4>")[1].split("</table>")[0]
    assert re.findall(r"<th(?: [^>]*)?>(.*?)</th>", ranking) == [
        "Segment",
        "Size",
        "Growth",
        "Rank",
    ]
    assert ranking.count("<tr>") == 3
    assert '<td class="num">510,000</td>' in ranking
    assert "<b>Years</b>: 4" in section
    assert "2,412,000,000" in section and "2,857,000,000" in section
    assert "Min attractive size = 50,000" in section
    assert "Growth target = from the model" in section


def test_silo_section_tells_the_story_then_shows_the_structure(page: str) -> None:
    section = page.split('id="silos"')[1].split("</section>")[0]
    assert section.index('class="story"') < section.index("Structure")
    headings = re.findall(r"<h4>(.*?)</h4>", section)
    assert headings == ["Segment silo index", "Bridges", "Communities", "Articulation points"]
    index = section.split("<h4>Segment silo index</h4>")[1].split("</table>")[0]
    columns = re.findall(r"<th(?: [^>]*)?>(.*?)</th>", index)
    assert columns == [
        "Segment",
        "Silo index",
        "Customer records",
        "Channels",
        "Data stores",
        "Separate records",
    ]
    assert '<td class="num">0.75</td>' in index
    assert "<td>Mobile CRM; Fibre Home + Seniors</td>" in index
    bridges = section.split("<h4>Bridges</h4>")[1].split("</table>")[0]
    assert re.findall(r"<th(?: [^>]*)?>(.*?)</th>", bridges) == ["From", "To"]
    assert "<b>Nodes</b>: 5" in section


def test_print_css_puts_each_question_on_its_own_page(page: str) -> None:
    style = page.split("<style>")[1].split("</style>")[0]
    printing = style.split("@media print")[1]
    assert re.search(r"section\.question[^{]*\{[^}]*break-before:\s*page", printing)


def test_validation_section_shows_violations(tmp_path: Path) -> None:
    broken = rdflib.Graph().parse(
        data=MINIMAL.read_text(encoding="utf-8").replace(
            "bm:targetsSegment ex:seg-families ; ", ""
        ),
        format="turtle",
    )
    report = hand_report(broken)
    page, markdown = report.to_html(), report.to_markdown()
    section = page.split('id="validation"')[1].split("</section>")[0]
    message = "A value proposition must target at least one customer segment."
    assert "does not conform" in section and message in section
    assert 'title="ex:vp-family">Family bundle</span>' in section
    assert '<td class="num">1</td>' in section
    assert message in markdown and "Family bundle `ex:vp-family`" in markdown
    assert report.to_dict()["validation"]["counts"]["Violation"] == 1


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


def test_write_report_writes_the_three_files(report: Report, tmp_path: Path) -> None:
    out = tmp_path / "new" / "folder"
    written = write_report(report, out)
    assert written == {
        "html": out / "report.html",
        "json": out / "report.json",
        "markdown": out / "report.md",
    }
    assert written["html"].read_text(encoding="utf-8") == report.to_html()
    assert json.loads(written["json"].read_text(encoding="utf-8")) == report.to_dict()
    assert written["markdown"].read_text(encoding="utf-8") == report.to_markdown()


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


@pytest.fixture(scope="module", params=["telco", "bank"])
def built(request: pytest.FixtureRequest) -> Iterator[tuple[str, Report, list[str]]]:
    from kg.report import build_report

    lines: list[str] = []
    with open_model(DATA / request.param) as model:
        report = build_report(model, paths=[DATA / request.param], progress=lines.append)
    yield request.param, report, lines


def test_built_report_answers_all_ten_questions_and_finds_silos(
    built: tuple[str, Report, list[str]],
) -> None:
    _, report, lines = built
    assert [a.number for a in report.answers] == list(range(1, 11))
    assert report.validation.conforms
    assert report.silos is not None and report.silos.findings
    assert lines[0].startswith("Validating") and any("silos" in line for line in lines)
    page = report.to_html()
    tags = parse(page)
    assert tags.errors == [] and tags.stack == []
    for number in range(1, 11):
        assert f"q{number}" in tags.ids
    assert "silos" in tags.ids and "validation" in tags.ids
    html_with_pictures_opens_offline(page)


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


def test_every_planted_problem_is_named_in_the_report(
    built: tuple[str, Report, list[str]],
) -> None:
    example, report, _ = built
    graph = rdflib.Graph()
    for file in report.model.files:
        graph.parse(file)
    graph.parse(ROOT / "ontology" / "bmkg.ttl")
    prefixes = dict(graph.namespaces())
    page, markdown = report.to_html(), report.to_markdown()
    data = report.to_dict()
    reported = {
        (f["kind"], frozenset(s["iri"] for s in f["subjects"]))
        for part in [*data["answers"], data["silos"]]
        for f in part["findings"]
    }
    for id_, kind, curies in planted(example):
        iris = [rdflib.URIRef(prefixes[c.split(":")[0]] + c.split(":")[1]) for c in curies]
        assert (kind, frozenset(str(i) for i in iris)) in reported, id_
        for iri in iris:
            label = english_label(graph, iri)
            assert f'title="{html.escape(str(iri))}">{html.escape(label)}' in page, (id_, label)
            assert markdown_text(label) in markdown, (id_, label)


# --------------------------------------------------------------------------------------------
# Pictures in the HTML report


@pytest.fixture(scope="module")
def telco_report() -> Iterator[Report]:
    from kg.report import build_report

    with open_model(DATA / "telco") as model:
        yield build_report(model, paths=[DATA / "telco"])


def test_report_embeds_vis_network_exactly_once(telco_report: Report) -> None:
    from kg.pictures import _vis_css, _vis_js, vis_assets

    page = telco_report.to_html()
    assert page.count(vis_assets()) == 1
    assert page.count(_vis_js()) == 1 and page.count(_vis_css()) == 1
    assert page.count("window.kgPictureDrawn = function") == 1
    assert page.index(vis_assets()) < page.index("</head>")
    html_with_pictures_opens_offline(page)
    tags = parse(page)
    assert tags.errors == [] and tags.stack == []
    assert len(page.encode("utf-8")) < 2_000_000


def test_report_has_one_answer_picture_per_question_with_findings(telco_report: Report) -> None:
    page = telco_report.to_html()
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


def test_report_has_a_capability_map_in_q7(telco_report: Report) -> None:
    page = telco_report.to_html()
    section = page.split('<section class="question" id="q7">')[1].split("</section>")[0]
    assert "<h4>Capability map: maturity gaps</h4>" in section
    titles = [p.title for p in telco_report.pictures["q7"]]
    assert titles[-1] == "Capability map: maturity gaps"


def test_report_has_the_silo_pictures_of_the_planted_segments(telco_report: Report) -> None:
    tel = "https://example.org/alpina/"
    page = telco_report.to_html()
    section = page.split('<section class="part" id="silos">')[1].split("</section>")[0]
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
