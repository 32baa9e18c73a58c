"""The analysis commands: kg report, kg ask and kg silos, their options, output and exit status."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from kg.cli import main

ROOT = Path(__file__).resolve().parent.parent
TELCO = ROOT / "data" / "telco"
MINIMAL = Path(__file__).parent / "fixtures" / "minimal.ttl"
KG = Path(sys.executable).parent / "kg"


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    status = main(argv)
    out, err = capsys.readouterr()
    return status, out, err


def kinds(answer: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [f for f in answer["findings"] if f["kind"] == kind]


# --------------------------------------------------------------------------------------------
# kg report


def test_report_writes_three_files_and_a_verdict_per_question(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    status, stdout, stderr = run(["report", str(TELCO), "--out", str(out)], capsys)
    assert status == 0
    for name in ("report.html", "report.json", "report.md"):
        assert (out / name).is_file()
        assert str(out / name) in stdout
    data = json.loads((out / "report.json").read_text(encoding="utf-8"))
    lines = stdout.splitlines()
    for answer in data["answers"]:
        [line] = [ln for ln in lines if ln.startswith(f"Q{answer['number']} ")]
        assert answer["short_name"] in line and answer["verdict"].upper() in line
        assert f"{len(answer['findings'])} finding" in line
    assert any(ln.strip().startswith("Silos") for ln in lines)
    assert "Validation: the model conforms" in stdout
    assert "Validating" in stderr and "Finding silos" in stderr  # progress goes to stderr
    assert "Validating" not in stdout


def test_report_on_a_model_with_violations_is_written_and_exits_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = tmp_path / "broken.ttl"
    text = MINIMAL.read_text(encoding="utf-8")
    broken.write_text(text.replace("bm:targetsSegment ex:seg-families ; ", ""), encoding="utf-8")
    out = tmp_path / "out"
    status, stdout, _ = run(["report", str(broken), "--out", str(out)], capsys)
    assert status == 1
    assert "does not conform (1 violation" in stdout
    page = (out / "report.html").read_text(encoding="utf-8")
    section = page.split('id="validation"')[1]
    assert "A value proposition must target at least one customer segment." in section
    data = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert data["validation"]["conforms"] is False and len(data["answers"]) == 10


def test_report_of_a_missing_model_exits_two_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    status, stdout, stderr = run(["report", str(tmp_path / "nowhere"), "--out", str(out)], capsys)
    assert status == 2
    assert "no such file" in stderr and stdout == ""
    assert not out.exists()


def test_report_into_a_folder_that_cannot_be_made_exits_two(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    status, stdout, stderr = run(["report", str(MINIMAL), "--out", str(blocker / "out")], capsys)
    assert status == 2 and stdout == ""
    assert f"kg: error: {blocker / 'out'}: cannot write the report" in stderr


def test_report_needs_an_out_folder(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as raised:
        main(["report", str(TELCO)])
    assert raised.value.code == 2
    assert "--out" in capsys.readouterr().err


# --------------------------------------------------------------------------------------------
# kg ask and kg silos


def test_ask_one_question_on_the_bundled_example(capsys: pytest.CaptureFixture[str]) -> None:
    status, stdout, _ = run(["ask", "3"], capsys)
    assert status == 0
    assert stdout.startswith("Q3. Do we have a compelling value proposition")
    assert "Verdict: " in stdout
    assert "segment-without-value-proposition" in stdout


def test_ask_with_a_path_equals_the_default(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["ask", "6"], capsys)[1] == run(["ask", "6", str(TELCO)], capsys)[1]


def test_ask_all_as_json(capsys: pytest.CaptureFixture[str]) -> None:
    status, stdout, _ = run(["ask", "--all", "--format", "json"], capsys)
    assert status == 0
    answers = json.loads(stdout)
    assert [a["number"] for a in answers] == list(range(1, 11))
    assert all(a["verdict"] in ("yes", "partly", "no", "unknown") for a in answers)
    [stale] = kinds(answers[1], "stale-need-evidence")[:1]
    assert stale["subjects"][0]["iri"].startswith("https://example.org/alpina/")


def test_ask_one_as_json_is_one_answer(capsys: pytest.CaptureFixture[str]) -> None:
    status, stdout, _ = run(["ask", "10", "-f", "json", str(TELCO)], capsys)
    assert status == 0
    answer = json.loads(stdout)
    assert answer["number"] == 10
    assert {f["kind"] for f in answer["findings"]} == {
        "single-partner-dependency",
        "partner-cost-concentration",
    }


def test_silos_on_the_bundled_example(capsys: pytest.CaptureFixture[str]) -> None:
    status, stdout, _ = run(["silos"], capsys)
    assert status == 0
    for kind in ("product-silo", "channel-silo", "lifecycle-silo"):
        assert kind in stdout
    status, stdout, _ = run(["silos", str(TELCO), "--format", "json"], capsys)
    data = json.loads(stdout)
    assert {f["kind"] for f in data["findings"]} == {
        "product-silo",
        "channel-silo",
        "lifecycle-silo",
    }


def test_silo_options_change_the_analysis(capsys: pytest.CaptureFixture[str]) -> None:
    default = json.loads(run(["silos", "-f", "json"], capsys)[1])
    unlinked = json.loads(run(["silos", "-f", "json", "--no-through-master"], capsys)[1])
    assert len(kinds(unlinked, "product-silo")) > len(kinds(default, "product-silo"))
    assert unlinked["parameters"]["through_master"] is False
    coarse = json.loads(run(["silos", "-f", "json", "--resolution", "0.2"], capsys)[1])
    fine = json.loads(run(["silos", "-f", "json", "--resolution", "3"], capsys)[1])
    communities = [len(d["structure"]["communities"]) for d in (coarse, default, fine)]
    assert communities[0] < communities[1] < communities[2]


def test_min_fit_option_changes_the_answer(capsys: pytest.CaptureFixture[str]) -> None:
    default = json.loads(run(["ask", "3", "-f", "json"], capsys)[1])
    strict = json.loads(run(["ask", "3", "-f", "json", "--min-fit", "0.9"], capsys)[1])
    assert len(kinds(strict, "low-value-proposition-fit")) > len(
        kinds(default, "low-value-proposition-fit")
    )
    assert strict["parameters"] != default["parameters"]


def test_evidence_age_and_as_of_options_change_the_answer(
    capsys: pytest.CaptureFixture[str],
) -> None:
    default = json.loads(run(["ask", "2", "-f", "json"], capsys)[1])
    older = json.loads(
        run(["ask", "2", "-f", "json", "--max-evidence-age-months", "240"], capsys)[1]
    )
    later = json.loads(run(["ask", "2", "-f", "json", "--as-of", "2035-01-01"], capsys)[1])
    stale = len(kinds(default, "stale-need-evidence"))
    assert stale > 0
    assert len(kinds(older, "stale-need-evidence")) == 0
    assert len(kinds(later, "stale-need-evidence")) > stale


def test_report_takes_the_parameters_too(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    argv = ["report", str(TELCO), "--out", str(out), "--max-partner-cost-share", "0.9"]
    assert run(argv, capsys)[0] == 0
    data = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert data["parameters"]["max_partner_cost_share"] == 0.9
    assert not kinds(data["answers"][9], "partner-cost-concentration")


# --------------------------------------------------------------------------------------------
# Bad input


@pytest.mark.parametrize(
    ("argv", "complaint"),
    [
        (["ask", "3", "--min-fit", "1.5"], "--min-fit"),
        (["ask", "3", "--min-fit", "high"], "--min-fit"),
        (["ask", "3", "--max-partner-cost-share", "nan"], "--max-partner-cost-share"),
        (["ask", "3", "--min-gap", "0"], "--min-gap"),
        (["ask", "3", "--min-attractive-size", "-1"], "--min-attractive-size"),
        (["ask", "3", "--max-evidence-age-months", "2.5"], "--max-evidence-age-months"),
        (["ask", "3", "--as-of", "30.09.2026"], "--as-of"),
        (["ask", "3", "--as-of", "2026-02-30"], "--as-of"),
        (["ask", "3", "--growth-target", "fast"], "--growth-target"),
        (["silos", "--resolution", "0"], "--resolution"),
        (["silos", "--seed", "x"], "--seed"),
        (["silos", "--min-fit", "0.5"], "unrecognized arguments"),
        (["report", str(TELCO), "--out", "x", "--min-gap", "one"], "--min-gap"),
        (["ask", "11"], "question number"),
        (["ask", "three"], "question number"),
        (["ask"], "--all"),
        (["ask", "--all", "3"], "not both"),
        (["ask", "3", "--format", "xml"], "--format"),
    ],
)
def test_bad_values_exit_two_naming_the_option(
    argv: list[str], complaint: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as raised:
        main(argv)
    assert raised.value.code == 2
    assert complaint in capsys.readouterr().err


def test_ask_of_a_missing_model_exits_two(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, _, stderr = run(["ask", "1", str(tmp_path / "nowhere.ttl")], capsys)
    assert status == 2 and "nowhere.ttl" in stderr


@pytest.mark.parametrize(
    ("option", "default"),
    [
        ("--min-fit", "0.5"),
        ("--min-attractive-size", "50000"),
        ("--max-evidence-age-months", "24"),
        ("--min-gap", "1"),
        ("--max-partner-cost-share", "0.4"),
        ("--growth-target", "bm:targetGrowthRate"),
        ("--as-of", "bm:asOfDate"),
    ],
)
def test_help_names_the_defaults(
    option: str, default: str, capsys: pytest.CaptureFixture[str]
) -> None:
    for command in ("report", "ask"):
        with pytest.raises(SystemExit):
            main([command, "--help"])
        text = " ".join(capsys.readouterr().out.split())
        options = text.split("analysis parameters:", 1)[1]
        entry = options.split(option, 1)[1].split(" --", 1)[0]
        assert "default:" in entry and default in entry.split("default:")[1], (command, entry)


def test_the_installed_command_exits_two_on_a_bad_value() -> None:
    done = subprocess.run(
        [str(KG), "ask", "3", "--min-fit", "2"], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 2
    assert "--min-fit" in done.stderr and done.stdout == ""
