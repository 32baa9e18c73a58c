"""The import and export commands: files in and out, a store merged by identity, a report on an
imported model with its needs-input report beside it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kg.cli import main
from kg.interchange.archimate import read_exchange, schema_errors

ROOT = Path(__file__).resolve().parent.parent
EXCHANGE = ROOT / "tests" / "fixtures" / "interchange" / "archimate-3.x" / "opengroup-xmlexchange"


def test_a_report_on_an_imported_model_links_what_the_import_needs(tmp_path: Path) -> None:
    assert main(["import", str(EXCHANGE / "archisurance.xml"), "--out", str(tmp_path / "in")]) == 0
    status = main(["report", str(tmp_path / "in"), "--out", str(tmp_path / "report")])
    assert status == 1  # the imported model lacks values the shapes require
    data = json.loads((tmp_path / "report" / "report.json").read_text("utf-8"))
    (note,) = data["imports"]
    assert note["source"] == "archisurance.xml" and note["undecided"] > 0
    beside = tmp_path / "report" / "archisurance.needs-input.md"
    assert beside.is_file() and "What each question needs" in beside.read_text("utf-8")
    assert 'href="archisurance.needs-input.md"' in (tmp_path / "report" / "report.html").read_text(
        "utf-8"
    )
    verdicts = {a["number"]: a["verdict"] for a in data["answers"]}
    assert verdicts[10] == "unknown"  # no partner to judge is not a yes


def test_import_into_a_store_twice_changes_nothing_the_second_time(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = str(tmp_path / "store")
    sample = str(EXCHANGE / "sample1.xml")
    assert main(["import", sample, "--store", store]) == 0
    assert "3 added, 0 updated, 0 unchanged, 0 disappeared" in capsys.readouterr().out
    assert main(["import", sample, "--store", store]) == 0
    assert "0 added, 0 updated, 3 unchanged, 0 disappeared" in capsys.readouterr().out
    assert (tmp_path / "store.imports" / "sample1.needs-input.md").is_file()
    # an import that breaks the shapes is refused whole, then written when allowed
    archisurance = str(EXCHANGE / "archisurance.xml")
    assert main(["import", archisurance, "--store", store]) == 1
    assert "refused, nothing written" in capsys.readouterr().err
    assert main(["export", "--store", store, "-f", "archimate", "-o", str(tmp_path / "a.xml")]) == 0
    assert len(read_exchange(tmp_path / "a.xml").elements) == 2  # only the sample's
    assert main(["import", archisurance, "--store", store, "--allow-violations"]) == 0
    assert main(["export", "--store", store, "-f", "archimate", "-o", str(tmp_path / "b.xml")]) == 0
    exported = (tmp_path / "b.xml").read_bytes()
    assert schema_errors(exported) == []
    assert len(read_exchange(tmp_path / "b.xml").elements) == 2 + 120
    # a report on the store as it is names what its imports still need
    assert main(["report", "--store", store, "--out", str(tmp_path / "r")]) == 1
    data = json.loads((tmp_path / "r" / "report.json").read_text("utf-8"))
    assert sorted(n["source"] for n in data["imports"]) == ["archisurance.xml", "sample1.xml"]


def test_export_then_import_in_each_archimate_format(tmp_path: Path) -> None:
    bank = str(ROOT / "data" / "bank")
    assert main(["export", bank, "-f", "archi-csv", "-o", str(tmp_path / "csv")]) == 0
    assert sorted(p.name for p in (tmp_path / "csv").iterdir()) == [
        "elements.csv",
        "properties.csv",
        "relations.csv",
    ]
    assert main(["import", str(tmp_path / "csv"), "--out", str(tmp_path / "in")]) == 0
    report = json.loads((tmp_path / "in" / "csv.needs-input.json").read_text("utf-8"))
    assert report["undecided"] == [] and report["counts"]["CustomerSegment"] > 0


def test_bad_input_to_import_and_export_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "model.txt").write_text("x", "utf-8")
    assert main(["import", str(tmp_path / "model.txt"), "--out", str(tmp_path / "o")]) == 2
    assert "cannot tell the format" in capsys.readouterr().err
    (tmp_path / "bad.xml").write_text("<model><unclosed></model>", "utf-8")
    assert main(["import", str(tmp_path / "bad.xml"), "--out", str(tmp_path / "o")]) == 2
    assert "bad.xml:1" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()  # nothing written


def test_a_template_to_fill_in_and_the_example_as_a_workbook(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    assert main(["template", "-o", str(tmp_path / "empty.xlsx")]) == 0
    sheets = load_workbook(tmp_path / "empty.xlsx", read_only=True).sheetnames
    assert "Customer segment" in sheets and sheets[0].lower().startswith("read")
    telco = str(ROOT / "data" / "telco")
    assert main(["template", telco, "-o", str(tmp_path / "telco.xlsx")]) == 0
    assert main(["import", str(tmp_path / "telco.xlsx"), "--out", str(tmp_path / "in")]) == 0
    report = json.loads((tmp_path / "in" / "telco.needs-input.json").read_text("utf-8"))
    assert report["counts"]["CustomerSegment"] == 21
