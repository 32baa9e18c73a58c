"""What running clients' SPARQL in forked workers costs, against running it on a thread.

Run from the repository root (after ``make test`` or ``pip install -e '.[dev]'``)::

    .venv/bin/python bench/sandbox.py                  # telco, 100k and 1M triples
    .venv/bin/python bench/sandbox.py --sizes telco,100k

For each model, in one process and one run, the same short query (a channel's label, the kind a
client sends most) and a medium one (every segment with its label and size, up to 1,000) are
run, alternately and many times, by Oxigraph alone (rows read, nothing written), and as the API
runs them, through :func:`kg.sparql.write_query` to SPARQL JSON: on a thread (the parse check of
:mod:`kg.sparqlguard` and the time limit), and in a :class:`kg.sandbox.Sandbox` worker (time,
memory, no network); the medians are reported, with the server's memory at the time (a fork's
cost grows with it). The table goes into ``bench/README.md`` between the ``sandbox`` markers.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kg.model import open_model  # noqa: E402
from kg.sandbox import Sandbox  # noqa: E402
from kg.sparql import write_query  # noqa: E402
from kg.synthetic import generate  # noqa: E402

README = ROOT / "bench" / "README.md"
SHORT = "SELECT ?label WHERE { ?s a bm:Channel ; rdfs:label ?label } LIMIT 1"
MEDIUM = (
    "SELECT ?s ?label ?size WHERE { ?s a bm:CustomerSegment ; rdfs:label ?label ; "
    "bm:segmentSize ?size } LIMIT 1000"
)
RUNS = 41


def _json(offered: Sequence[str]) -> str:
    return offered[0]  # SPARQL JSON for a SELECT


def _rss_mb() -> float:
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * 4096 / 1e6


def measure(paths: list[Path]) -> dict[str, Any]:
    model = open_model(*paths)
    sandbox = Sandbox(workers=2)
    assert sandbox.network_guard
    record: dict[str, Any] = {"triples": len(model), "rss_mb": round(_rss_mb())}
    for name, text in (("short", SHORT), ("medium", MEDIUM)):
        raw: list[float] = []
        thread: list[float] = []
        forked: list[float] = []
        for _ in range(3):  # warm both paths
            write_query(model, text, pick=_json, timeout=60, max_results=10_000)
            write_query(model, text, pick=_json, timeout=60, max_results=10_000, sandbox=sandbox)
        for _ in range(RUNS):
            start = time.perf_counter()
            list(model.query(text))
            raw.append(time.perf_counter() - start)
            start = time.perf_counter()
            write_query(model, text, pick=_json, timeout=60, max_results=10_000)
            thread.append(time.perf_counter() - start)
            start = time.perf_counter()
            write_query(model, text, pick=_json, timeout=60, max_results=10_000, sandbox=sandbox)
            forked.append(time.perf_counter() - start)
        record[name] = {
            "raw_ms": round(statistics.median(raw) * 1000, 2),
            "thread_ms": round(statistics.median(thread) * 1000, 2),
            "sandbox_ms": round(statistics.median(forked) * 1000, 2),
        }
    return record


def table(results: dict[str, dict[str, Any]]) -> str:
    lines = [
        "| model | triples | server memory | query | Oxigraph alone | checked, on a thread | "
        "checked, in a worker | the worker's cost |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for label, record in results.items():
        for name in ("short", "medium"):
            times = record[name]
            extra = times["sandbox_ms"] - times["thread_ms"]
            cells = [
                label,
                f"{record['triples']:,}",
                f"{record['rss_mb']:,} MB",
                name,
                f"{times['raw_ms']} ms",
                f"{times['thread_ms']} ms",
                f"{times['sandbox_ms']} ms",
                f"+{extra:.1f} ms",
            ]
            lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="telco,100k,1M", help="telco and/or N triples")
    args = parser.parse_args(argv)
    results: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory() as scratch:
        for size in args.sizes.split(","):
            if size == "telco":
                paths = [ROOT / "data" / "telco"]
            else:
                triples = int(float(size.rstrip("kKmM")) * (1e6 if size[-1] in "mM" else 1e3))
                out = Path(scratch) / size
                generate(out, triples=triples, seed=7)
                paths = [out]
            results[size] = measure(paths)
            print(size, results[size], flush=True)
    text = table(results)
    print(text)
    readme = README.read_text()
    block = f"<!-- sandbox -->\n{text}\n<!-- /sandbox -->"
    if "<!-- sandbox -->" in readme:
        readme = re.sub(r"<!-- sandbox -->.*?<!-- /sandbox -->", block, readme, flags=re.DOTALL)
    else:
        readme += "\n" + block + "\n"
    README.write_text(readme)
    return 0


if __name__ == "__main__":
    sys.exit(main())
