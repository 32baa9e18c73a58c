"""The README's promises, run: its commands and its Python example work as written."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
KG = Path(sys.executable).parent / "kg"


def blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", README, flags=re.DOTALL)


def kg_commands() -> list[str]:
    commands = []
    for block in blocks("sh"):
        for line in block.splitlines():
            command = line.split("#", 1)[0].strip()
            if command.startswith(".venv/bin/kg "):
                commands.append(command)
    return commands


def test_quick_start_commands_are_make_targets() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    quick_start = blocks("sh")[0]
    for target in ("demo", "test"):
        assert f"make {target}" in quick_start
        assert re.search(rf"^{target}:", makefile, flags=re.MULTILINE)
    assert "make test" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_demo_runs_the_telco_example() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "kg report data/telco --out out/telco" in makefile


@pytest.mark.parametrize("command", kg_commands())
def test_kg_command_in_readme_runs(command: str, tmp_path: Path) -> None:
    (tmp_path / "data").symlink_to(ROOT / "data")
    argv = [str(KG), *shlex.split(command)[1:]]
    done = subprocess.run(
        argv, cwd=tmp_path, capture_output=True, text=True, timeout=300, env=dict(os.environ)
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_kg_commands_were_found() -> None:
    assert len(kg_commands()) >= 4


def test_python_example_runs(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    [example] = blocks("python")
    exec(compile(example, "README.md", "exec"), {})
    out = capsys.readouterr().out
    assert out.startswith("True {'Violation': 0, 'Warning': 0, 'Info': 0}")


def test_answer_excerpt_is_what_kg_ask_prints(capsys: pytest.CaptureFixture[str]) -> None:
    from kg.cli import main

    [excerpt] = blocks("text")
    command = re.search(r"`\.venv/bin/kg (ask [^`]+)` prints:", README)
    assert command is not None
    assert main(command.group(1).split()) == 0
    assert excerpt in capsys.readouterr().out
