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
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from served import kg_serve

TESTS = Path(__file__).resolve().parent
TELCO = TESTS.parent / "data" / "telco"
TOKEN = "contract-token"


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    env = {"KG_TOKEN": TOKEN, "KG_ALLOW_UPDATES": "true", "KG_QUERY_TIMEOUT": "5"}
    with kg_serve(TELCO, env) as (_, url):
        yield url


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
