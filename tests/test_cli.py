"""The kg command: exit status, output formats and errors a user sees."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import rdflib
from rdflib.namespace import SH

from kg.cli import main

FIXTURES = Path(__file__).parent / "fixtures"
MINIMAL = FIXTURES / "minimal.ttl"


@pytest.fixture
def broken(tmp_path: Path) -> Path:
    """The minimal model with the value proposition's only segment link removed."""
    text = MINIMAL.read_text(encoding="utf-8")
    text = text.replace("bm:targetsSegment ex:seg-families ; ", "")
    path = tmp_path / "broken.ttl"
    path.write_text(text, encoding="utf-8")
    return path


def test_conforming_model_exits_zero(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(MINIMAL)]) == 0
    out = capsys.readouterr().out
    assert "the model conforms (0 violations, 0 warnings, 0 infos" in out


def test_broken_link_exits_one_with_an_architects_message(
    broken: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["validate", str(broken)]) == 1
    out = capsys.readouterr().out
    assert "does not conform (1 violation, 0 warnings" in out
    assert "A value proposition must target at least one customer segment." in out
    assert '- "Family bundle" (ex:vp-family)' in out


def test_json_output(broken: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", "--format", "json", str(broken)]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["conforms"] is False
    assert report["counts"] == {"Violation": 1, "Warning": 0, "Info": 0}
    [result] = report["results"]
    assert result["focus_node"] == "ex:vp-family"
    assert result["path"] == "bm:targetsSegment"
    assert result["component"] == "MinCountConstraintComponent"


def test_turtle_output_is_the_standard_report_graph(broken: Path, tmp_path: Path) -> None:
    out = tmp_path / "report.ttl"
    assert main(["validate", "-f", "turtle", "-o", str(out), str(broken)]) == 1
    graph = rdflib.Graph().parse(out, format="turtle")
    [report] = graph.subjects(rdflib.RDF.type, SH.ValidationReport)
    assert graph.value(report, SH.conforms).toPython() is False
    assert len(list(graph.objects(report, SH.result))) == 1


def test_missing_file_exits_two_naming_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "nowhere.ttl"
    assert main(["validate", str(missing)]) == 2
    err = capsys.readouterr().err
    assert str(missing) in err and "no such file" in err


def test_malformed_file_exits_two_naming_file_line_and_column(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.ttl"
    bad.write_text('@prefix ex: <http://example.org/> .\nex:a ex:b "unterminated .\n')
    assert main(["validate", str(bad)]) == 2
    err = capsys.readouterr().err
    assert f"{bad}:2:11: malformed Turtle" in err


def test_folder_is_loaded_and_store_persists(tmp_path: Path) -> None:
    folder = tmp_path / "model"
    folder.mkdir()
    shutil.copy(MINIMAL, folder / "minimal.ttl")
    (folder / "notes.md").write_text("not RDF, skipped")
    store = tmp_path / "store"
    assert main(["validate", "--store", str(store), str(folder)]) == 0
    assert store.is_dir() and any(store.iterdir())


def test_unusable_shapes_exit_two(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    shapes = tmp_path / "shapes.ttl"
    shapes.write_text("this is not turtle")
    assert main(["validate", "--shapes", str(shapes), str(MINIMAL)]) == 2
    assert "shapes" in capsys.readouterr().err


@pytest.mark.parametrize("example", ["telco", "bank"])
def test_examples_validate_from_the_command_line(
    example: str, capsys: pytest.CaptureFixture[str]
) -> None:
    root = Path(__file__).resolve().parent.parent
    assert main(["validate", str(root / "data" / example)]) == 0
    assert "the model conforms" in capsys.readouterr().out
