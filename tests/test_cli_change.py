"""kg impact, kg whatif, kg diff and kg version, as a user types them."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from kg.cli import main
from kg.ontology import example_path

TELCO = example_path("telco")
CHANGES = Path(__file__).resolve().parent.parent / "data" / "changes"
TEL = "https://example.org/alpina/"


def test_impact_prints_what_depends_and_draws_it(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    picture = tmp_path / "impact.html"
    assert main(["impact", "tel:app-fixed-order-mgmt", "--picture", str(picture)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("The impact of Fixed-line order management (legacy) (application)")
    assert "Order confirmation call from the call centre" in out
    assert picture.read_text().count("Fixed-line order management") >= 1
    assert (
        main(["impact", "tel:app-fixed-order-mgmt", str(TELCO), "--depth", "1", "-f", "json"]) == 0
    )
    data = json.loads(capsys.readouterr().out)
    assert {r["depth"] for r in data["reached"]} == {1}


def test_impact_of_an_unknown_element_names_the_close_ones(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["impact", "tel:app-fixed-order-mgnt"]) == 2
    err = capsys.readouterr().err
    assert "app-fixed-order-mgnt" in err and "app-fixed-order-mgmt" in err


def test_whatif_prints_the_difference_and_exits_1_when_shapes_break(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    assert main(["whatif", str(CHANGES / "telco-kiosk-leaves.json")]) == 0
    out = capsys.readouterr().out
    assert "1 finding appeared, 0 disappeared" in out and "ElektroMarkt" in out
    # A value proposition must target a segment: removing every segment link breaks that.
    broken = tmp_path / "broken.ru"
    broken.write_text(
        "PREFIX bm: <https://w3id.org/bmkg/ontology#>\nDELETE WHERE { ?vp bm:targetsSegment ?s }"
    )
    assert main(["whatif", str(broken), "-f", "json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["breaks_shapes"] and data["violations"]
    assert main(["whatif", str(broken), "--allow-invalid"]) == 0
    capsys.readouterr()
    bad = tmp_path / "bad.json"
    bad.write_text('{"changes": [{"remove": "tel:nope"}]')
    assert main(["whatif", str(bad)]) == 2
    assert "bad.json" in capsys.readouterr().err


def test_diff_compares_models_and_their_answers(
    capsys: pytest.CaptureFixture[str],
) -> None:
    proposal = f"{TELCO},{CHANGES / 'telco-second-sports-rights.ttl'}"
    assert main(["diff", str(TELCO), proposal]) == 0
    out = capsys.readouterr().out
    assert out.startswith("1 added, 1 changed")
    assert "- [high] single-partner-dependency" in out
    assert main(["diff", str(TELCO), proposal, "--exit-code", "-f", "json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert [e["iri"] for e in data["model"]["added"]] == [TEL + "ptn-alpine-sports-tv"]
    assert main(["diff", str(TELCO), str(TELCO), "--exit-code"]) == 0
    assert "no differences" in capsys.readouterr().out


def test_versions_in_a_store(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    store = tmp_path / "store"
    folder = tmp_path / "telco"
    shutil.copytree(TELCO, folder)
    assert main(["validate", str(folder), "--store", str(store)]) == 0
    assert main(["version", "save", "as-is", "--store", str(store), "--note", "Q3"]) == 0
    assert main(["version", "list", "--store", str(store), "-f", "json"]) == 0
    capsys.readouterr()
    assert main(["version", "save", "as-is", "--store", str(store)]) == 2
    assert "already" in capsys.readouterr().err
    reach = folder / "reach.ttl"
    reach.write_text(reach.read_text("utf-8").replace('"Alpina shops"@en', '"Alpina stores"@en'))
    assert main(["validate", str(folder), "--store", str(store)]) == 0
    capsys.readouterr()
    assert main(["diff", f"{store}#as-is", str(store), "--model-only", "--exit-code"]) == 1
    out = capsys.readouterr().out
    assert '"Alpina shops"@en -> "Alpina stores"@en' in out
    assert main(["version", "restore", "as-is", "--store", str(store)]) == 0
    assert main(["version", "drop", "as-is", "--store", str(store)]) == 0
    assert main(["version", "list", "--store", str(store)]) == 0
    assert "holds no saved version" in capsys.readouterr().out
    assert main(["version", "drop", "as-is", "--store", str(store)]) == 2
    assert "no version 'as-is'" in capsys.readouterr().err


def test_report_with_a_whatif_and_a_comparison(tmp_path: Path) -> None:
    out = tmp_path / "report"
    changes = str(CHANGES / "telco-kiosk-leaves.json")
    assert (
        main(
            ["report", str(TELCO), "--out", str(out), "--whatif", changes, "--compare", str(TELCO)]
        )
        == 0
    )
    html = (out / "report.html").read_text()
    assert "What if: Kiosk Suisse leaves" in html and "Compared with another version" in html
    data = json.loads((out / "report.json").read_text())
    assert [c["kind"] for c in data["changes"]] == ["what-if", "comparison"]
    assert data["changes"][1]["answers"]["empty"]
    assert "~~~~text" in (out / "report.md").read_text()


def test_picture_marks_an_impact_on_the_canvas(tmp_path: Path) -> None:
    page = tmp_path / "canvas.html"
    assert main(["picture", "canvas", "--out", str(page), "--impact", "tel:app-billing"]) == 0
    assert 'kgv-reached-mark"' in page.read_text()
    assert "marks what depends on <strong>" in page.read_text()
    assert main(["picture", "heatmap", "--out", str(page), "--impact", "tel:app-billing"]) == 2
