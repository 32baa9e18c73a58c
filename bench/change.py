"""What the questions of change cost: answers under many clients, impact and what-if at scale.

Run from the repository root (after ``make test`` or ``pip install -e '.[dev]'``)::

    .venv/bin/python bench/change.py                      # telco and 1M triples
    .venv/bin/python bench/change.py --sizes telco        # the clients' part only, quick

Two measures, each against its baseline in the same run:

- **clients**: ``kg serve`` on the model, and 32 clients asking ``GET /questions`` at once, each
  many times; the median and 99th percentile of a request's time, with the answers cached
  between writes (the default) and recomputed for every request (``KG_ANSWER_CACHE=false``).
- **change** (synthetic models only): the impact of one element (an application) and a what-if
  of one change (removing that application's first touchpoint, the model's answers already
  cached), against recomputing everything (:func:`kg.analysis.analyse`: validation, the ten
  questions, the silos and the ranking) on the same model.

The table goes into ``bench/README.md`` between the ``change`` markers.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

README = ROOT / "bench" / "README.md"
TELCO = ROOT / "data" / "telco"
CLIENTS = 32
ROUNDS = 4
START, END = "<!-- change:start -->", "<!-- change:end -->"


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _serve(data: Path, cache: bool) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    env = {**os.environ, "KG_ANSWER_CACHE": "true" if cache else "false"}
    command = [sys.executable, "-m", "kg.cli", "serve", str(data), "--port", str(port)]
    process = subprocess.Popen(
        command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 600
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"kg serve {data} ended while starting")
        try:
            if httpx.get(url + "/openapi.json", timeout=10).status_code == 200:
                return process, url
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline:
            process.kill()
            raise RuntimeError(f"kg serve {data} did not start")
        time.sleep(0.2)


def clients(data: Path, *, cache: bool, rounds: int = ROUNDS) -> dict[str, Any]:
    """``CLIENTS`` threads each asking ``/questions`` ``rounds`` times; the times of requests."""
    process, url = _serve(data, cache)
    times: list[float] = []
    failures: list[str] = []
    lock = threading.Lock()
    go = threading.Barrier(CLIENTS)

    def client() -> None:
        with httpx.Client(base_url=url, timeout=600) as http:
            go.wait()
            for _ in range(rounds):
                started = time.perf_counter()
                response = http.get("/questions")
                took = time.perf_counter() - started
                with lock:
                    if response.status_code != 200 or len(response.json()) != 10:
                        failures.append(f"{response.status_code}: {response.text[:200]}")
                    times.append(took)

    try:
        threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        wall = time.perf_counter() - started
    finally:
        process.terminate()
        process.wait(timeout=60)
    if failures:
        raise RuntimeError(f"{len(failures)} requests failed, the first: {failures[0]}")
    ordered = sorted(times)
    return {
        "requests": len(times),
        "median": statistics.median(ordered),
        "p99": ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))],
        "wall": wall,
    }


def _timed(call: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = call()
    return time.perf_counter() - started, result


def change(data: Path) -> dict[str, Any]:
    """Impact of one element and a what-if of one change, against recomputing everything."""
    from kg.analysis import AnalysisCache, analyse
    from kg.impact import impact
    from kg.model import open_model
    from kg.whatif import ChangeSet, _copy, what_if

    model = open_model(data)
    found = model.query(
        "SELECT ?app ?touchpoint WHERE { ?touchpoint bm:supportedByApplication ?app } "
        "ORDER BY ?app ?touchpoint LIMIT 1"
    )
    row = next(iter(found))
    application, touchpoint = row["app"].value, row["touchpoint"].value
    everything, _ = _timed(lambda: analyse(model))
    impact_seconds, reached = _timed(lambda: impact(model, [application]))
    changes = ChangeSet.from_json({"title": "bench", "changes": [{"remove": touchpoint}]})
    cache = AnalysisCache()
    cache.get(model)  # the base model's answers, computed once and kept, as the API keeps them
    whatif_seconds, result = _timed(lambda: what_if(model, changes, cache=cache))
    copy_seconds, _ = _timed(lambda: _copy(model))  # the part of a what-if that is not analysis
    return {
        "triples": len(model),
        "recompute": everything,
        "impact": impact_seconds,
        "reached": len(reached.reached),
        "whatif": whatif_seconds,
        "copy": copy_seconds,
        "moved": len(result.difference.to_dict().get("questions", [])),
    }


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms" if seconds < 1 else f"{seconds:.2f} s"


def table(results: dict[str, Any]) -> str:
    lines = [
        f"Machine: {results['machine']}. Run {results['date']}, `python bench/change.py "
        f"--sizes {results['sizes']}`.",
        "",
        "| model | measure | ours | baseline | ratio | notes |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for name, row in results["models"].items():
        cached, fresh = row.get("cached"), row.get("uncached")
        if cached and fresh:
            for key, word in (("median", "median"), ("p99", "99th percentile")):
                lines.append(
                    f"| {name} | `/questions`, {CLIENTS} clients, {word} | {_ms(cached[key])} | "
                    f"{_ms(fresh[key])} | {fresh[key] / cached[key]:.1f}x | cached against "
                    f"recomputed per request; {cached['requests']} requests each |"
                )
        moved = row.get("change")
        if moved:
            for key, word in (("impact", "impact of one application"), ("whatif", "what-if")):
                note = (
                    f"{moved['reached']} elements reached"
                    if key == "impact"
                    else (
                        f"remove one touchpoint: a copy of the model ({_ms(moved['copy'])}) and "
                        "a whole analysis of the changed copy; the model's own answers cached"
                    )
                )
                lines.append(
                    f"| {name} ({moved['triples']:,} triples) | {word} | {_ms(moved[key])} | "
                    f"{_ms(moved['recompute'])} | {moved['recompute'] / moved[key]:.1f}x | "
                    f"against validation, questions, silos and ranking recomputed; {note} |"
                )
    return "\n".join(lines)


def _write_readme(text: str) -> None:
    write_block(text, START, END, "## Answers under many clients, impact and what-if")


def write_block(text: str, start: str, end: str, heading: str) -> None:
    """Put ``text`` between the markers ``start`` and ``end`` of ``bench/README.md``, or at its
    end under ``heading`` when the markers are not there yet."""
    readme = README.read_text()
    block = f"{start}\n{text}\n{end}"
    if start in readme:
        pattern = re.escape(start) + ".*?" + re.escape(end)
        readme = re.sub(pattern, lambda _: block, readme, count=1, flags=re.S)
    else:
        readme += f"\n{heading}\n\n{block}\n"
    README.write_text(readme)


def _model(size: str, work: Path) -> Path:
    if size == "telco":
        return TELCO
    from kg.synthetic import generate

    triples = int(float(size[:-1]) * {"k": 1e3, "M": 1e6}[size[-1]])
    folder = work / f"synthetic-{size}"
    if not (folder / "expected.json").exists():
        generate(folder, triples=triples, seed=7)
    return folder


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sizes", default="telco,1M", help="telco, 100k, 1M (default: %(default)s)"
    )
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "bmkg-bench")
    parser.add_argument("--no-readme", action="store_true", help="leave bench/README.md alone")
    options = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT / "bench"))
    from run import _machine  # the same machine line as the main table

    results: dict[str, Any] = {
        "machine": _machine(),
        "date": time.strftime("%Y-%m-%d"),
        "sizes": options.sizes,
        "models": {},
    }
    for size in options.sizes.split(","):
        data = _model(size, options.work)
        row: dict[str, Any] = {}
        if size in ("telco", "100k"):
            row["uncached"] = clients(data, cache=False)
            row["cached"] = clients(data, cache=True)
        if size != "telco":
            row["change"] = change(data)
        results["models"][size] = row
        print(size, json.dumps(row), flush=True)
    text = table(results)
    print(text)
    if not options.no_readme:
        _write_readme(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
