"""Pictures that read at the size they open in: distinct colours, legends of what is drawn,
findings in words, small neighbourhoods, and labels drawn at the opening zoom."""

from __future__ import annotations

import itertools
import math
import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from kg.answers import Answer
from kg.browser import dump_dom, find_chromium
from kg.model import open_model
from kg.pictures import (
    CANVAS_BLOCKS,
    FINDING_COLOURS,
    PALETTE,
    Picture,
    PictureData,
    answer_picture,
    model_picture,
    neighbourhood_picture,
    picture_data,
    vis_assets,
)
from kg.questions import ask
from kg.store import KnowledgeGraph

ROOT = Path(__file__).resolve().parent.parent
TEL = "https://example.org/alpina/"
SEGMENT = TEL + "seg-connected-families"


@pytest.fixture(scope="module")
def telco() -> Iterator[KnowledgeGraph]:
    with open_model(ROOT / "data" / "telco") as model:
        yield model


@pytest.fixture(scope="module")
def data(telco: KnowledgeGraph) -> PictureData:
    return picture_data(telco)


@pytest.fixture(scope="module")
def q5(telco: KnowledgeGraph) -> Answer:
    return ask(telco, 5)


def lab(colour: str) -> tuple[float, float, float]:
    """CIE L*a*b* (D65) of a ``#rrggbb`` colour."""
    rgb = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb)
    x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047
    y = 0.2126 * r + 0.7152 * g + 0.0722 * b
    z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883

    def f(v: float) -> float:
        return v ** (1 / 3) if v > 0.008856 else 7.787 * v + 16 / 116

    return 116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))


def distance(first: str, second: str) -> float:
    """CIE76 colour difference: about 2 is just noticeable, past 20 plainly different."""
    return math.dist(lab(first), lab(second))


def test_no_concept_shares_or_nears_a_finding_colour() -> None:
    concepts = set(PALETTE.values())
    findings = set(FINDING_COLOURS.values())
    assert not concepts & findings
    assert len(concepts) == len(PALETTE)  # no two concepts share a colour either
    nearest = min(distance(c, f) for c in concepts for f in findings)
    assert nearest >= 20, nearest


def test_concepts_are_told_apart_and_grouped_by_block() -> None:
    assert [k for block in CANVAS_BLOCKS.values() for k in block] == list(PALETTE)
    closest = min(distance(a, b) for a, b in itertools.combinations(PALETTE.values(), 2))
    assert closest >= 10, closest


def drawn_types(picture: Picture, data: PictureData) -> set[str]:
    """The legend text of the class of each drawn node (things, class nodes, grouped nodes)."""
    kinds = set()
    for node in picture.nodes:
        node_id = node["id"]
        if node_id.startswith("type:"):
            kinds.add(node_id.removeprefix("type:"))
        elif node_id.startswith("group:"):
            kinds.add(node_id.rsplit(":", 1)[1])
        elif node_id in data.things:
            kinds.add(data.things[node_id].type)
        elif not node_id.startswith("finding:"):
            # a finding's subject the model does not type (a vocabulary concept): its tooltip
            # names its type
            kinds.add(node["title"].splitlines()[1].removeprefix("type: ").title().replace(" ", ""))
    return {WORDS.get(k, "other classes") for k in kinds}


WORDS = {k: re.sub(r"(?<=[a-z])(?=[A-Z])", " ", k).lower() for k in PALETTE}


def concept_entries(picture: Picture) -> set[str]:
    return {text for text, _ in picture.legend if not text.endswith((" finding", "(red ring)"))}


def test_legends_list_only_the_types_drawn(
    telco: KnowledgeGraph, data: PictureData, q5: Answer
) -> None:
    pictures = [
        model_picture(telco, data=data),
        model_picture(telco, data=data, types={"Channel", "CustomerSegment"}),
        neighbourhood_picture(telco, SEGMENT, data=data),
        answer_picture(telco, q5, data=data),
    ]
    for picture in pictures:
        assert concept_entries(picture) == drawn_types(picture, data), picture.title
    # The classes without a colour of their own share one entry.
    assert [t for t, _ in pictures[0].legend].count("other classes") == 1
    severities = {f.severity.value for f in q5.findings}
    findings = {t for t, _ in pictures[3].legend if t.endswith(" finding")}
    assert findings == {f"{s} finding" for s in severities}


def words(text: str) -> str:
    return " ".join(text.split())


def test_question_picture_reads_the_findings_messages(
    telco: KnowledgeGraph, data: PictureData, q5: Answer
) -> None:
    picture = answer_picture(telco, q5, data=data)
    assert q5.findings
    for i, finding in enumerate(q5.findings, 1):
        node = picture.node(f"finding:{i}")
        label = words(node["label"])
        assert label.startswith(f"{finding.severity.value.upper()} · ")
        assert words(finding.message)[:60] in label
        assert node["color"]["background"] == FINDING_COLOURS[finding.severity]
        assert node["shape"] == "box"
        assert max(len(line) for line in node["label"].splitlines()) <= 40


def test_question_picture_is_cut_to_one_hop_and_widens(
    telco: KnowledgeGraph, data: PictureData, q5: Answer
) -> None:
    named = {s.iri for f in q5.findings for s in f.subjects}
    alone = answer_picture(telco, q5, data=data, hops=0)
    assert {n["id"] for n in alone.nodes} == named | {
        f"finding:{i}" for i in range(1, len(q5.findings) + 1)
    }
    near = answer_picture(telco, q5, data=data)
    wide = answer_picture(telco, q5, data=data, hops=2)
    assert len(alone.nodes) < len(near.nodes) < len(wide.nodes)
    # Things hanging off one subject in numbers are drawn as one node that says how many.
    groups = [n for n in near.nodes if n["id"].startswith("group:")]
    assert groups and all(re.fullmatch(r"\d+ [a-z ]+", g["label"]) for g in groups)
    assert any("grouped nodes" in note for note in near.notes)
    with pytest.raises(ValueError, match="hops"):
        answer_picture(telco, q5, data=data, hops=-1)


def test_neighbourhood_at_default_hops_is_one_link_and_smaller_than_the_model(
    telco: KnowledgeGraph, data: PictureData
) -> None:
    picture = neighbourhood_picture(telco, SEGMENT, data=data)
    shown = {n["id"] for n in picture.nodes}
    assert shown == {SEGMENT} | set(data.neighbours(SEGMENT))
    assert len(shown) < len(data.things) / 10
    assert len(neighbourhood_picture(telco, SEGMENT, data=data, hops=2).nodes) > len(shown)
    assert picture.title == "Within 1 link of Connected families"


def test_model_picture_opens_as_one_node_per_class_and_says_what_is_left_out(
    telco: KnowledgeGraph, data: PictureData
) -> None:
    picture = model_picture(telco, data=data)
    classes = {t.type for t in data.things.values()}
    assert picture.aggregated and len(picture.nodes) == len(classes)
    assert f"{len(data.things)} things in {len(classes)} classes" in picture.notes[0]
    # No edge labels pile up on the class names; the counts are in the tooltips.
    assert all("label" not in edge for edge in picture.edges)


@pytest.mark.skipif(
    find_chromium() is None and os.environ.get("CI") != "true",
    reason="headless Chromium is not installed (apt-get install chromium)",
)
def test_labels_are_drawn_readably_at_the_opening_zoom(
    telco: KnowledgeGraph, data: PictureData, q5: Answer, tmp_path: Path
) -> None:
    pictures = {
        "model": model_picture(telco, data=data),
        "q5": answer_picture(telco, q5, data=data),
        "segment": neighbourhood_picture(telco, SEGMENT, data=data),
    }
    # One page, one Chromium run, three networks.
    page = tmp_path / "pictures.html"
    page.write_text(
        "<!DOCTYPE html><html><head><meta charset='utf-8'>"
        + vis_assets()
        + "</head><body>"
        + "".join(p.to_fragment(name) for name, p in pictures.items())
        + "</body></html>",
        encoding="utf-8",
    )
    dom = dump_dom(page)
    assert 'data-vis-drawn="true"' in re.search(r"<body[^>]*>", dom).group(0)  # type: ignore[union-attr]
    for name, picture in pictures.items():
        container = re.search(rf'<div [^>]*id="{name}-network"[^>]*>', dom)
        assert container, name
        marks = dict(re.findall(r'data-vis-([a-z-]+)="([^"]*)"', container.group(0)))
        labelled = sum(1 for node in picture.nodes if node.get("label"))
        assert int(marks["nodes"]) == len(picture.nodes), name
        assert int(marks["labels"]) == labelled, (name, marks)
