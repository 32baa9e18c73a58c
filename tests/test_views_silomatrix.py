"""The silo matrix (kg.views.silomatrix): a segment's cells are the units, applications and data
stores its customers meet, its record cells the stores that hold its customers' record, and its
row says how many separate records those make."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterator
from pathlib import Path

import lxml.html
import networkx as nx
import pytest

import kg
from kg.browser import find_chromium, layout, screenshot
from kg.errors import EnterpriseError
from kg.silos import find_silos
from kg.store import KnowledgeGraph
from kg.views.silomatrix import silo_matrix

ROOT = Path(__file__).resolve().parent.parent
TELCO, BANK = ROOT / "data" / "telco", ROOT / "data" / "bank"

# What a segment's customers meet first (?x), written apart from the registry's segment-reach.
MET = """
  { ?x bm:reachesSegment ?s }
  UNION { ?x a bm:BusinessProcess ; bm:servesSegment ?s }
  UNION { ?persona bm:representsSegment ?s . ?journey bm:forPersona ?persona ; bm:hasStage ?stage .
          ?touchpoint bm:inStage ?stage ;
            bm:inChannel|bm:supportedByProcess|bm:supportedByApplication ?x }
  UNION { ?vp bm:targetsSegment ?s . ?o bm:deliversValueProposition ?vp ;
            bm:lifecycleStatus bmv:Live ; bm:keepsCustomerDataIn ?x . BIND (true AS ?kept) }
"""
UNITS = f"""SELECT DISTINCT ?s ?y WHERE {{ ?s a bm:CustomerSegment . {MET}
  {{ ?x a bm:BusinessProcess ; bm:ownedBy|bm:involvesUnit ?y }}
  UNION {{ ?x a bm:Channel ; bm:ownedBy ?y }}
  ?y a bm:OrganisationalUnit }}"""
APPLICATIONS = f"""SELECT DISTINCT ?s ?y WHERE {{ ?s a bm:CustomerSegment . {MET}
  {{ ?x a bm:Application BIND (?x AS ?y) }}
  UNION {{ ?x a bm:BusinessProcess ; bm:usesApplication ?y }}
  ?y a bm:Application }}"""
STORES = f"""SELECT DISTINCT ?s ?y ?record WHERE {{ ?s a bm:CustomerSegment . {MET}
  {{ ?x a bm:DataStore BIND (?x AS ?y) }}
  UNION {{ ?x a bm:BusinessProcess ; bm:usesDataStore ?y }}
  UNION {{ ?x a bm:Application ; bm:usesDataStore ?y }}
  UNION {{ ?x a bm:BusinessProcess ; bm:usesApplication ?app . ?app a bm:Application ;
             bm:usesDataStore ?y }}
  ?y a bm:DataStore .
  BIND (EXISTS {{ ?y bm:holdsCustomerData ?any }} || EXISTS {{
    ?vp2 bm:targetsSegment ?s . ?o2 bm:deliversValueProposition ?vp2 ;
      bm:lifecycleStatus bmv:Live ; bm:keepsCustomerDataIn ?y }} AS ?record) }}"""


@pytest.fixture(scope="module")
def telco() -> Iterator[KnowledgeGraph]:
    with kg.open_model(TELCO) as model:
        yield model


@pytest.fixture(scope="module")
def bank() -> Iterator[KnowledgeGraph]:
    with kg.open_model(BANK) as model:
        yield model


def _pairs(model: KnowledgeGraph, text: str) -> set[tuple[str, ...]]:
    return {tuple(t.value for t in row) for row in model.query(text)}


def _matrix(body: str) -> tuple[dict[tuple[str, str], str], dict[str, lxml.html.HtmlElement]]:
    """The marked cells, (segment, column) to mark, and each segment's row header."""
    tree = lxml.html.fromstring(body)
    columns = [th.get("data-iri") for th in tree.xpath("//th[contains(@class, 'kgv-col')]")]
    marks, rows = {}, {}
    for tr in tree.xpath("//tbody/tr"):
        segment = tr.get("data-iri")
        rows[segment] = tr.xpath("./th")[0]
        cells = tr.xpath("./td")
        assert len(cells) == len(columns)
        for column, td in zip(columns, cells, strict=True):
            found = re.search(r"kgv-on-(\w+)", td.get("class") or "")
            if found:
                marks[segment, column] = found.group(1)
    return marks, rows


@pytest.mark.parametrize("name", ["telco", "bank"])
def test_cells_are_what_each_segments_customers_meet(
    name: str, request: pytest.FixtureRequest
) -> None:
    model = request.getfixturevalue(name)
    marks, rows = _matrix(silo_matrix(model).body)
    segments = {s for (s,) in _pairs(model, "SELECT ?s WHERE { ?s a bm:CustomerSegment }")}
    assert set(rows) == segments
    stores = {(s, y): record == "true" for s, y, record in _pairs(model, STORES)}
    record_stores = {key for key, record in stores.items() if record}
    uses: dict[str, set[str]] = defaultdict(set)
    for a, d in _pairs(model, "SELECT ?a ?d WHERE { ?a a bm:Application ; bm:usesDataStore ?d }"):
        uses[a].add(d)
    applications = _pairs(model, APPLICATIONS)
    expected = {pair: "meets" for pair in _pairs(model, UNITS) | applications | set(stores)}
    expected |= {pair: "record" for pair in record_stores}
    expected |= {
        (s, a): "record" for s, a in applications if any((s, d) in record_stores for d in uses[a])
    }
    assert marks == expected
    assert {"meets", "record"} <= set(marks.values())  # not met vacuously


@pytest.mark.parametrize("name", ["telco", "bank"])
def test_rows_count_the_separate_records_and_flag_a_split(
    name: str, request: pytest.FixtureRequest
) -> None:
    model = request.getfixturevalue(name)
    _, rows = _matrix(silo_matrix(model).body)
    held: dict[str, set[str]] = defaultdict(set)
    for s, y, record in _pairs(model, STORES):
        if record == "true":
            held[s].add(y)
    synchronised = nx.Graph(list(_pairs(model, "SELECT ?a ?b WHERE { ?a bm:synchronisedWith ?b }")))
    split = 0
    for segment, header in rows.items():
        stores = held[segment]
        records = {
            frozenset(nx.node_connected_component(synchronised, d)) if d in synchronised else d
            for d in stores
        }
        text = " ".join(header.text_content().split())
        if stores:
            word = "record" if len(records) == 1 else "records"
            noun = "store" if len(stores) == 1 else "stores"
            assert f"{len(records)} {word} · {len(stores)} {noun}" in text, (segment, text)
        else:
            assert "no store holds the record" in text
        flagged = bool(header.xpath(".//span[@class='kgv-split-flag']"))
        assert flagged == (len(records) > 1)
        split += flagged
    assert split  # the examples keep some customers' records apart


def test_silo_findings_badge_their_segment(telco: KnowledgeGraph) -> None:
    findings = find_silos(telco).findings
    _, rows = _matrix(silo_matrix(telco, findings=findings).body)
    named = Counter(s.iri for f in findings for s in f.subjects if s.iri in rows)
    assert named
    for segment, header in rows.items():
        badge = header.xpath(".//span[contains(@class, 'kgv-badge')]/text()")
        assert badge == (
            [f"{named[segment]} finding{'s' * (named[segment] > 1)}"] if named[segment] else []
        )


def test_an_empty_model_says_what_it_lacks() -> None:
    with kg.open_model() as model:
        view = silo_matrix(model)
    assert view.kind == "silo-matrix"
    assert "holds no customer segment" in view.body
    assert "<table" not in view.body
    with kg.open_model() as model:
        model.store.update(
            """PREFIX bm: <https://w3id.org/bmkg/ontology#>
               INSERT DATA { GRAPH <urn:example> {
                 <urn:seg> a bm:CustomerSegment . <urn:unit> a bm:OrganisationalUnit } }"""
        )
        view = silo_matrix(model)
    assert view.notes[0].startswith("No segment's customers meet a unit, application or data store")
    assert "its customers meet no unit, application or data store" in view.body


def test_several_enterprises_draw_the_one_asked_for(bank: KnowledgeGraph) -> None:
    with kg.open_model(TELCO, BANK) as together:
        with pytest.raises(EnterpriseError):
            silo_matrix(together)
        view = silo_matrix(together, enterprise="Maple Harbour Bank")
    assert "Maple Harbour Bank" in view.title
    assert _matrix(view.body)[0] == _matrix(silo_matrix(bank).body)[0]


@pytest.mark.skipif(find_chromium() is None, reason="headless Chromium is not installed")
def test_the_matrix_scrolls_in_its_box_on_a_phone(bank: KnowledgeGraph, tmp_path: Path) -> None:
    page = silo_matrix(bank).save(tmp_path / "silo-matrix.html")
    narrow = layout(page, width=390)
    assert narrow["scrollWidth"] <= 390
    assert "table.kgv-matrix" in narrow["overflowing"]  # wide, but inside its scrolling box
    shot = screenshot(page, tmp_path / "silo-matrix-1400.png", width=1400, height=1600, wait_ms=500)
    assert shot.stat().st_size > 10_000
