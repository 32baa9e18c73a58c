"""``kg serve`` in a process of its own on loopback, for the tests that need a real server."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def kg_serve(
    data: Path, env: Mapping[str, str], *, ready: str = "/openapi.json"
) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    """Run ``kg serve DATA`` with ``env`` added to the environment; the process and its URL.

    Waits until ``ready`` answers 200; stops the server afterwards.
    """
    port = free_port()
    command = [sys.executable, "-m", "kg.cli", "serve", str(data), "--port", str(port)]
    process = subprocess.Popen(
        command,
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    try:
        while True:
            assert process.poll() is None, "kg serve ended while starting"
            try:
                if httpx.get(url + ready, timeout=10).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "kg serve did not start"
            time.sleep(0.1)
        yield process, url
    finally:
        process.terminate()
        process.wait(timeout=30)
