"""The OpenAPI document tells the truth: Schemathesis, every phase, with the token.

Schemathesis reads ``/openapi.json`` of a real ``kg serve`` on loopback and runs its four phases
(examples, coverage, fuzzing, stateful) with all its checks: no server error, every status and
media type documented, responses matching their schemas, invalid input refused, valid input
accepted, the token enforced, 405 with an ``Allow`` header. ``tests/schemathesis.toml`` says
which answers a JSON Schema cannot foresee (a SHACL refusal, malformed SPARQL);
``tests/schemathesis_hooks.py`` says how to send a SPARQL body. The budget is small and the
seed fixed (``KG_CONTRACT_SEED`` picks another); ``KG_CONTRACT_EXAMPLES`` raises the budget.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

TESTS = Path(__file__).resolve().parent
TELCO = TESTS.parent / "data" / "telco"
TOKEN = "contract-token"


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {
        **os.environ,
        "KG_TOKEN": TOKEN,
        "KG_ALLOW_UPDATES": "true",
        "KG_QUERY_TIMEOUT": "5",
    }
    command = [sys.executable, "-m", "kg.cli", "serve", str(TELCO), "--port", str(port)]
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        assert process.poll() is None, "kg serve ended while starting"
        try:
            if httpx.get(url + "/openapi.json", timeout=10).status_code == 200:
                break
        except httpx.TransportError:
            pass
        assert time.monotonic() < deadline, "kg serve did not start"
        time.sleep(0.1)
    try:
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)
        assert process.returncode in (0, -15)


def test_schemathesis_finds_no_failure(server: str, tmp_path: Path) -> None:
    st = Path(sys.executable).with_name("st")
    command = [
        str(st),
        "--config-file",
        str(TESTS / "schemathesis.toml"),
        "run",
        server + "/openapi.json",
        *("--header", f"Authorization: Bearer {TOKEN}"),
        *("--phases", "examples,coverage,fuzzing,stateful"),
        *("--max-examples", os.environ.get("KG_CONTRACT_EXAMPLES", "25")),
        *("--seed", os.environ.get("KG_CONTRACT_SEED", "20261203")),
        *("--request-timeout", "30"),
        "--no-color",
    ]
    env = {
        **os.environ,
        "SCHEMATHESIS_HOOKS": "schemathesis_hooks",
        "PYTHONPATH": os.pathsep.join([str(TESTS), os.environ.get("PYTHONPATH", "")]),
    }
    done = subprocess.run(
        command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600
    )
    report = done.stdout + done.stderr
    assert done.returncode == 0, report
    assert "No issues found" in report or "passed" in report, report
    for phase in ("Examples", "Coverage", "Fuzzing", "Stateful"):
        assert f"✅ {phase}" in report, report
