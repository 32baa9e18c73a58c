"""The README's promises, run: its commands and its Python example work as written."""

from __future__ import annotations

import os
import re
import shlex
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from kg.browser import find_chromium

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
KG = Path(sys.executable).parent / "kg"


def blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", README, flags=re.DOTALL)


def kg_blocks() -> list[list[str]]:
    """The ``kg`` commands of each shell block, in order: a block is one session, whose later
    commands may read what earlier ones wrote."""
    found = []
    for block in blocks("sh"):
        if "oxigraph serve" in block:
            continue  # run against a real server by test_sparql_server_commands_run
        commands = []
        for line in block.splitlines():
            # as a shell reads it: '#' starts a comment only at the start of a word
            words = shlex.split(re.split(r"(?:^|\s)#", line, maxsplit=1)[0])
            if words[:1] == [".venv/bin/kg"]:
                commands.append(shlex.join(words))
        if commands:
            found.append(commands)
    return found


def kg_commands() -> list[str]:
    return [command for block in kg_blocks() for command in block]


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


@pytest.mark.parametrize("block", kg_blocks(), ids=lambda b: b[0].split()[1] + "...")
def test_kg_commands_in_readme_run(block: list[str], tmp_path: Path) -> None:
    """Each block's commands, in order, in a folder with the repository's data and test
    fixtures, as a reader in a checkout runs them: each exits 0."""
    (tmp_path / "data").symlink_to(ROOT / "data")
    (tmp_path / "tests").symlink_to(ROOT / "tests")
    for command in block:
        if "--png" in command and find_chromium() is None and os.environ.get("CI") != "true":
            continue  # the screenshot needs headless Chromium (apt-get install chromium)
        argv = [str(KG), *shlex.split(command)[1:]]
        done = subprocess.run(
            argv, cwd=tmp_path, capture_output=True, text=True, timeout=300, env=dict(os.environ)
        )
        assert done.returncode == 0, command + "\n" + done.stdout + done.stderr


def test_kg_commands_were_found() -> None:
    assert len(kg_commands()) >= 4


def test_python_example_runs(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    example = blocks("python")[0]
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


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    """``kg serve`` as the README starts it, on a free port of the loopback interface."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "KG_TOKEN": "secret"}
    process = subprocess.Popen(
        [str(KG), "serve", "data/telco", "--port", str(port), "--token-env", "KG_TOKEN"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(base + "/sparql", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"kg serve did not start: {process.stderr.read()!r}")  # type: ignore[union-attr]
            time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=20)


def test_serve_command_is_in_the_readme() -> None:
    assert (
        "KG_TOKEN=secret .venv/bin/kg serve data/telco --port 8000 --token-env KG_TOKEN" in README
    )


@pytest.mark.parametrize(
    "command", [c for b in blocks("sh") for c in b.splitlines() if c.startswith("curl ")]
)
def test_curl_example_runs(command: str, server: str) -> None:
    argv = shlex.split(command.replace("http://127.0.0.1:8000", server))
    done = subprocess.run(argv, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip()


def test_views_example_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    [example] = [b for b in blocks("python") if "kg.views" in b]
    monkeypatch.chdir(tmp_path)
    (tmp_path / "data").symlink_to(ROOT / "data")
    (tmp_path / "out").mkdir()
    exec(compile(example, "README.md", "exec"), {})
    html = (tmp_path / "out" / "canvas.html").read_text(encoding="utf-8")
    assert "Business Model Canvas" in html and "kgv-badge" in html and "<script" not in html


def test_pictures_example_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    [example] = [b for b in blocks("python") if "kg.pictures" in b]
    monkeypatch.chdir(tmp_path)
    (tmp_path / "data").symlink_to(ROOT / "data")
    (tmp_path / "out").mkdir()
    exec(compile(example, "README.md", "exec"), {})
    for page in ("journey.html", "silos.html"):
        html = (tmp_path / "out" / page).read_text(encoding="utf-8")
        assert "vis.Network" in html and 'src="http' not in html


def test_api_python_example_runs(server: str, capsys: pytest.CaptureFixture[str]) -> None:
    [example] = [b for b in blocks("python") if "SPARQLWrapper" in b]
    example = example.replace("http://127.0.0.1:8000", server)
    exec(compile(example, "README.md", "exec"), {})
    assert capsys.readouterr().out.splitlines() == ["21", "no 7"]


def test_sparql_server_commands_run(tmp_path: Path) -> None:
    """The SPARQL server section, run as written against ``oxigraph serve`` on a free port."""
    (block,) = [b for b in blocks("sh") if "oxigraph serve" in b]
    server_line, *lines = block.strip().splitlines()
    binary = Path(sys.executable).parent / "oxigraph"
    if not binary.exists():
        if os.environ.get("CI"):
            pytest.fail("the oxigraph server is not installed (pip install oxigraph)")
        pytest.skip("the oxigraph server is not installed (pip install oxigraph)")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = str(probe.getsockname()[1])
    argv = shlex.split(server_line.split("#", 1)[0].replace("7878", port))
    (tmp_path / "data").symlink_to(ROOT / "data")
    (tmp_path / ".venv").symlink_to(Path(sys.executable).parent.parent)
    server = subprocess.Popen([str(binary), *argv[1:]], cwd=tmp_path, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(f"http://127.0.0.1:{port}/query", params={"query": "ASK {}"}, timeout=1)
                break
            except httpx.TransportError:
                assert server.poll() is None and time.monotonic() < deadline, "no server"
                time.sleep(0.05)
        script = "set -e\n" + "\n".join(lines).replace("7878", port)
        env = {k: v for k, v in os.environ.items() if not k.startswith("KG_")}
        done = subprocess.run(
            ["bash", "-c", script], cwd=tmp_path, capture_output=True, text=True, env=env
        )
        assert done.returncode == 0, done.stderr
        assert "Question 1" in done.stdout or "1." in done.stdout
        stored = httpx.get(
            f"http://127.0.0.1:{port}/query",
            params={"query": "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"},
            headers={"Accept": "application/sparql-results+json"},
        ).json()
        assert int(stored["results"]["bindings"][0]["n"]["value"]) > 4000
    finally:
        server.terminate()
        server.wait(timeout=30)
