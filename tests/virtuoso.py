"""A private Virtuoso open source server on loopback, for the tests against a second real server.

The server is ``virtuoso-t`` from the Debian package ``virtuoso-opensource`` (7.2.5), run in
the foreground with a configuration of its own: its database files in a temporary folder, its
SQL and HTTP ports on 127.0.0.1 only, and SPARQL result and time limits raised above the
defaults (10,000 rows, 60 s), which this project's queries pass on larger models. Updates go to
the same ``/sparql`` endpoint: the server's anonymous ``SPARQL`` account is granted
``SPARQL_UPDATE``, which suits a throwaway server on loopback and nothing else (a shared server
takes updates at ``/sparql-auth``, with a password).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import httpx
import pytest
from served import free_port

from kg.remote import Endpoint

_INI = """\
[Database]
DatabaseFile = {db}/virtuoso.db
ErrorLogFile = {db}/virtuoso.log
LockFile = {db}/virtuoso.lck
TransactionFile = {db}/virtuoso.trx
xa_persistent_file = {db}/virtuoso.pxa
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {db}/virtuoso-temp.db
TransactionFile = {db}/virtuoso-temp.trx

[Parameters]
ServerPort = 127.0.0.1:{sql}
DisableUnixSocket = 1
DirsAllowed = .
NumberOfBuffers = 100000
MaxDirtyBuffers = 75000
MaxQueryMem = 1G
ThreadsPerQuery = 2

[HTTPServer]
ServerPort = 127.0.0.1:{http}
ServerRoot = {db}
ServerThreads = 10
MaxClientConnections = 10

[SPARQL]
ResultSetMaxRows = {max_rows}
MaxQueryExecutionTime = 300
MaxQueryCostEstimationTime = 0
"""


def virtuoso() -> str | None:
    """The server binary, if installed."""
    return shutil.which("virtuoso-t")


class Virtuoso:
    """A ``virtuoso-t`` process of its own, on loopback, with a new database."""

    def __init__(self, *, max_rows: int = 1_000_000) -> None:
        binary, isql = virtuoso(), shutil.which("isql-vt")
        if binary is None or isql is None:
            reason = "Virtuoso is not installed (apt-get install virtuoso-opensource)"
            if os.environ.get("CI"):
                pytest.fail(reason)
            pytest.skip(reason)
        self.folder = Path(tempfile.mkdtemp(prefix="kg-virtuoso-"))
        self.sql, http = free_port(), free_port()
        (self.folder / "virtuoso.ini").write_text(
            _INI.format(db=self.folder, sql=self.sql, http=http, max_rows=max_rows)
        )
        self.base = f"http://127.0.0.1:{http}"
        self.process = subprocess.Popen(
            [binary, "-f", "-c", str(self.folder / "virtuoso.ini")],
            cwd=self.folder,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 120  # a new database takes a few seconds to make
        while True:
            try:
                answer = httpx.get(f"{self.base}/sparql", params={"query": "ASK {}"}, timeout=2)
                if answer.status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                log = self.folder / "virtuoso.log"
                tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
                self.stop()
                raise RuntimeError(f"virtuoso-t did not start:\n{tail}")
            time.sleep(0.2)
        granted = subprocess.run(
            [isql, str(self.sql), "dba", "dba", 'exec=GRANT SPARQL_UPDATE TO "SPARQL";'],
            capture_output=True,
            text=True,
            timeout=60,
        )
        if granted.returncode != 0 or "Error" in granted.stdout + granted.stderr:
            self.stop()
            raise RuntimeError(f"cannot grant updates: {granted.stdout}{granted.stderr}")

    def endpoint(self, *, writable: bool = True, bulk: bool = False) -> Endpoint:
        url = f"{self.base}/sparql"
        return Endpoint(
            url,
            update=url if writable else None,
            graph_store=f"{self.base}/sparql-graph-crud" if bulk else None,
        )

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=30)
        shutil.rmtree(self.folder, ignore_errors=True)
