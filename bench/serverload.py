"""A first load of a large model onto a SPARQL server: the bulk path against ``INSERT DATA``.

Run from the repository root (after ``make test`` or ``pip install -e '.[dev]'``)::

    .venv/bin/python bench/serverload.py                  # 1M triples, Oxigraph and Virtuoso
    .venv/bin/python bench/serverload.py --sizes 100k     # quicker

For each size, the synthetic model of ``kg generate --seed 7`` (N-Triples files) is loaded onto
a fresh server on loopback, twice: by ``INSERT DATA`` requests of 50,000 quads (the files parsed
here first; the baseline) and by the Graph Store Protocol (``Endpoint.graph_store``: each file
checked here, then sent as it is). The servers are ``oxigraph serve`` in memory (the ``oxigraph``
package) and, when ``virtuoso-t`` is installed, a private Virtuoso (``tests/virtuoso.py``).
Each load ends with the server's count of the model's triples, which must be the same both ways.

The table goes into ``bench/README.md`` between the ``serverload`` markers.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "bench" / "README.md"
START, END = "<!-- serverload:start -->", "<!-- serverload:end -->"
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "bench"))

from kg.remote import Endpoint  # noqa: E402
from kg.store import KnowledgeGraph  # noqa: E402


@contextmanager
def oxigraph() -> Iterator[Endpoint]:
    from test_remote import Server  # the tests' oxigraph serve, in memory, on loopback

    server = Server("--union-default-graph")
    try:
        yield server.endpoint(bulk=True)
    finally:
        server.stop()


@contextmanager
def virtuoso() -> Iterator[Endpoint]:
    from virtuoso import Virtuoso

    server = Virtuoso()
    try:
        yield server.endpoint(bulk=True)
    finally:
        server.stop()


SERVERS: dict[str, Callable[[], Any]] = {"Oxigraph": oxigraph, "Virtuoso": virtuoso}


def load(start: Callable[[], Any], files: list[Path], *, bulk: bool) -> tuple[float, int]:
    """Seconds to load the files onto a fresh server, and the triples it then holds."""
    with start() as endpoint:
        if not bulk:
            endpoint = Endpoint(endpoint.query, update=endpoint.update)
        model = KnowledgeGraph(endpoint=endpoint)
        began = time.perf_counter()
        model.load(*files)
        seconds = time.perf_counter() - began
        return seconds, len(model)


def _seconds(value: float) -> str:
    return f"{value * 1000:.0f} ms" if value < 1 else f"{value:.1f} s"


def table(results: dict[str, Any]) -> str:
    lines = [
        f"Machine: {results['machine']}. Run {results['date']}, `python bench/serverload.py "
        f"--sizes {results['sizes']}`.",
        "",
        "| triples | server | Graph Store Protocol | `INSERT DATA` | ratio | notes |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for row in results["rows"]:
        same = (
            "same count both ways"
            if row["bulk_count"] == row["insert_count"]
            else (f"COUNTS DIFFER: {row['bulk_count']:,} vs {row['insert_count']:,}")
        )
        lines.append(
            f"| {row['triples']:,} | {row['server']} | {_seconds(row['bulk'])} | "
            f"{_seconds(row['insert'])} | {row['insert'] / row['bulk']:.1f}x | "
            f"{row['files']} file{'s' if row['files'] != 1 else ''}; {same} "
            f"({row['bulk_count']:,} triples on the server) |"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1M", help="100k, 1M (default: %(default)s)")
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "bmkg-bench")
    parser.add_argument("--no-readme", action="store_true", help="leave bench/README.md alone")
    options = parser.parse_args(argv)
    from change import _model, write_block
    from run import _machine

    results: dict[str, Any] = {
        "machine": _machine(),
        "date": time.strftime("%Y-%m-%d"),
        "sizes": options.sizes,
        "rows": [],
    }
    servers = dict(SERVERS)
    if shutil.which("virtuoso-t") is None:
        print("virtuoso-t is not installed: Oxigraph only", file=sys.stderr)
        del servers["Virtuoso"]
    for size in options.sizes.split(","):
        folder = _model(size, options.work)
        files = sorted(folder.glob("*.nt"))
        for name, start in servers.items():
            bulk, bulk_count = load(start, files, bulk=True)
            insert, insert_count = load(start, files, bulk=False)
            row = {
                "triples": insert_count,
                "server": name,
                "files": len(files),
                "bulk": bulk,
                "insert": insert,
                "bulk_count": bulk_count,
                "insert_count": insert_count,
            }
            results["rows"].append(row)
            print(json.dumps(row), flush=True)
    text = table(results)
    print(text)
    if not options.no_readme:
        write_block(text, START, END, "## A first load onto a server")
    return 0 if all(r["bulk_count"] == r["insert_count"] for r in results["rows"]) else 1


if __name__ == "__main__":
    raise SystemExit(main())
