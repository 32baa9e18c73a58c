"""Benchmarks at enterprise scale: the toolkit against rdflib's memory store with pySHACL.

Run from the repository root (after ``make test`` or ``pip install -e '.[dev]'``)::

    .venv/bin/python bench/run.py                       # 100k and 1M triples, then 10M
    .venv/bin/python bench/run.py --sizes 100k --budget 120

For each size a synthetic enterprise is generated (``kg generate``, seed 7) and each engine is
measured in its own worker process, so that memory is counted per engine and a baseline task
that outruns its time budget can be stopped without losing the others:

- **ours**: the model in the embedded Oxigraph store (in memory), validation by the SPARQL
  engine of kg.shacl, the library's questions, silos, entity writes and API;
- **baseline**: rdflib's default memory store (``rdflib.Dataset``, files parsed by rdflib), the
  same library code running on it (``kg.rdflibstore.RdflibStore``), and pySHACL validating an
  ``rdflib.Graph`` of the model.

Tasks, each timed on its own:

- ``load``: parse the generated N-Triples file and the ontology into the store;
- ``questions``: all ten strategic questions (``kg.questions.ask_all``);
- ``silos``: silo detection (``kg.silos.find_silos``);
- ``validation``: full SHACL validation of the model;
- ``write``: one validated entity update (``kg.entities.update_entity``: neighbourhood
  validation, then the write), median of several;
- ``update``: one validated SPARQL update (``INSERT DATA`` or ``DELETE DATA`` of a comment on
  that segment, through ``kg.sparql.apply_update``), median of several;
- ``api``: a typical API request, ``GET /entities/{iri}`` of a segment, median of several;
- ``check`` (ours only): the findings equal the counts planted by the generator.

A task that runs past ``--budget`` seconds is stopped and reported as "> budget"; the ratio is
then a lower bound. The results go to ``bench/results.json`` and, as a Markdown table, into
``bench/README.md`` between the ``results`` markers.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import queue
import re
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "bench" / "README.md"
RESULTS = ROOT / "bench" / "results.json"
TASKS = ("load", "questions", "silos", "validation", "write", "update", "api", "check")
BASELINE_TASKS = ("load", "questions", "silos", "validation", "write", "update", "api")
WRITES = 15
REQUESTS = 15


# --------------------------------------------------------------------------------------------
# The worker: one engine, one model, the tasks in order, one JSON line per task


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _emit(task: str, **values: Any) -> None:
    print(json.dumps({"task": task, **values}), flush=True)


def _timed(call: Any, *args: Any, **options: Any) -> tuple[float, Any]:
    start = time.perf_counter()
    result = call(*args, **options)
    return time.perf_counter() - start, result


def worker(engine: str, data: Path, tasks: list[str]) -> None:
    import rdflib

    from kg.entities import get_entity, update_entity
    from kg.ontology import ONTOLOGY_IRI, ontology_path
    from kg.questions import ask_all
    from kg.rdflibstore import RdflibStore
    from kg.silos import find_silos
    from kg.store import KnowledgeGraph
    from kg.validation import validate

    expected = json.loads((data / "expected.json").read_text())
    files = [data / name for name in expected["files"]]
    before = _rss_mb()
    if engine == "ours":
        model = KnowledgeGraph()

        def load() -> None:
            model.load(ontology_path(), graph=str(ONTOLOGY_IRI))
            model.load(*files)

        seconds, _ = _timed(load)
    else:
        store = RdflibStore()

        def load() -> None:
            store.dataset.graph(rdflib.URIRef(str(ONTOLOGY_IRI))).parse(
                ontology_path(), format="turtle"
            )
            for file in files:
                store.dataset.graph(rdflib.URIRef(file.resolve().as_uri())).parse(file, format="nt")

        seconds, _ = _timed(load)
        model = KnowledgeGraph(backend=store)
    _emit("load", seconds=seconds, triples=len(model), rss_mb=_rss_mb() - before)

    segment = expected["samples"]["CustomerSegment"]
    for task in tasks:
        if task == "questions":
            seconds, answers = _timed(lambda: ask_all(model))
            _emit(task, seconds=seconds, findings=sum(len(a.findings) for a in answers))
        elif task == "silos":
            seconds, analysis = _timed(lambda: find_silos(model))
            _emit(task, seconds=seconds, findings=len(analysis.findings))
        elif task == "validation":
            if engine == "ours":
                seconds, report = _timed(lambda: validate(model))
            else:
                graph = rdflib.Graph()
                for triple in store.dataset.triples((None, None, None)):
                    graph.add(triple)
                seconds, report = _timed(validate, graph, engine="pyshacl")
            _emit(task, seconds=seconds, results=len(report.results), conforms=report.conforms)
        elif task == "write":
            body = {k: v for k, v in get_entity(model, segment).items() if k != "@reverse"}
            count = int(body["customerCount"])
            times = []
            for i in range(WRITES):
                changed = {**body, "customerCount": count - (i % 2)}
                if engine == "ours":
                    seconds, _ = _timed(update_entity, model, segment, changed)
                else:
                    seconds, _ = _timed(_update_with_pyshacl, model, segment, changed)
                times.append(seconds)
            _emit(task, seconds=statistics.median(times), runs=len(times))
        elif task == "update":
            import pyoxigraph as ox

            from kg.sparql import apply_update

            subject = ox.NamedNode(segment)
            times = []
            for i in range(WRITES):
                verb = "DELETE" if i % 2 else "INSERT"
                graph = next(iter(model.store.quads_for_pattern(subject, None, None, None)))
                graph = graph.graph_name
                text = f'{verb} DATA {{ GRAPH {graph} {{ <{segment}> rdfs:comment "bench" }} }}'
                seconds, summary = _timed(apply_update, model, text)
                assert summary.added + summary.removed == 1, summary
                times.append(seconds)
            _emit(task, seconds=statistics.median(times), runs=len(times))
        elif task == "api":
            from urllib.parse import quote

            from fastapi.testclient import TestClient

            from api.config import Settings
            from api.main import create_app

            with TestClient(create_app(Settings(data=()), model=model)) as client:
                where = "/entities/" + quote(segment, safe="")
                times = []
                for _ in range(REQUESTS):
                    seconds, response = _timed(client.get, where)
                    assert response.status_code == 200, response.text
                    times.append(seconds)
            _emit(task, seconds=statistics.median(times), runs=len(times))
        elif task == "check":
            from kg.synthetic import check

            seconds, differences = _timed(lambda: check(model, expected))
            _emit(task, seconds=seconds, differences=differences)


def _update_with_pyshacl(model: Any, iri: str, data: dict[str, Any]) -> None:
    """What ``kg.entities.update_entity`` does, with pySHACL validating the neighbourhood."""
    import pyoxigraph as ox

    from kg.entities import apply_write, check_write, entity_quads, from_json

    _, triples = from_json(data, iri=iri)
    old = entity_quads(model, iri)
    rdf_type = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    graph = next(q for q in old if q.predicate == rdf_type).graph_name
    new = [ox.Quad(t.subject, t.predicate, t.object, graph) for t in triples]
    keep = set(old) & set(new)
    remove, add = [q for q in old if q not in keep], [q for q in new if q not in keep]
    report = check_write(model, remove=remove, add=add, engine="pyshacl")
    assert report.conforms, report.to_text()
    apply_write(model, remove=remove, add=add)


# --------------------------------------------------------------------------------------------
# The driver


def _run_worker(
    engine: str, data: Path, tasks: list[str], budget: float
) -> dict[str, dict[str, Any]]:
    """Run the tasks in a worker; after a task outruns the budget, go on in a new one."""
    results: dict[str, dict[str, Any]] = {}
    remaining = list(tasks)
    while remaining:
        command = [sys.executable, __file__, "--worker", engine, "--data", str(data)]
        command += ["--tasks", ",".join(remaining)]
        process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, cwd=ROOT)
        lines: queue.Queue[str | None] = queue.Queue()

        def read(stream: Any = process.stdout, lines: queue.Queue[str | None] = lines) -> None:
            for line in stream:
                lines.put(line)
            lines.put(None)

        threading.Thread(target=read, daemon=True).start()
        # Every worker loads the model first (and says so); only the first load is counted.
        for task in ["load", *[t for t in remaining if t != "load"]]:
            try:
                line = lines.get(timeout=budget)
            except queue.Empty:
                process.kill()
                process.wait()
                if task == "load":
                    results.update({t: {"timeout": budget} for t in remaining})
                    return results
                results[task] = {"timeout": budget}
                remaining = remaining[remaining.index(task) + 1 :]
                break
            if line is None:
                process.wait()
                raise RuntimeError(f"the {engine} worker failed during {task} on {data}")
            record = json.loads(line)
            name = record.pop("task")
            if name in remaining:
                results[name] = record
                remaining.remove(name)
        else:
            process.wait()
    return results


def _size(text: str) -> int:
    match = re.fullmatch(r"(\d+(?:\.\d+)?)([kKmM]?)", text)
    if match is None:
        raise argparse.ArgumentTypeError(f"{text!r} is not a size like 100k or 1M")
    scale = {"": 1, "k": 1_000, "m": 1_000_000}[match.group(2).lower()]
    return int(float(match.group(1)) * scale)


def _label(triples: int) -> str:
    return f"{triples // 1_000_000}M" if triples >= 1_000_000 else f"{triples // 1000}k"


def _machine() -> str:
    cpu = "unknown CPU"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    memory = "?"
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal"):
            memory = f"{int(line.split()[1]) / 1024 / 1024:.0f} GiB"
    return (
        f"{os.cpu_count()} cores ({cpu}), {memory} RAM, {platform.system()} "
        f"{platform.release()}, Python {platform.python_version()}"
    )


def _seconds(record: dict[str, Any] | None) -> str:
    if record is None:
        return "not run"
    if "timeout" in record:
        return f"> {record['timeout']:.0f} s"
    value = float(record["seconds"])
    return f"{value * 1000:.1f} ms" if value < 1 else f"{value:.2f} s"


def _ratio(ours: dict[str, Any] | None, base: dict[str, Any] | None) -> str:
    if ours is None or base is None or "timeout" in ours:
        return "-"
    if "timeout" in base:
        return f"> {base['timeout'] / ours['seconds']:.0f}x"
    return f"{base['seconds'] / ours['seconds']:.1f}x"


def table(results: dict[str, Any]) -> str:
    """The results as Markdown."""
    lines = [
        f"Machine: {results['machine']}. Run {results['date']}, {results['command']}.",
        "",
        "| triples | task | ours | baseline | ratio | notes |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for size in results["sizes"]:
        ours, base = size["ours"], size.get("baseline", {})
        for task in TASKS:
            if task not in ours and task not in base:
                continue
            notes = ""
            record = ours.get(task, {})
            if task == "load" and "rss_mb" in record:
                per_million = record["rss_mb"] / max(record["triples"], 1) * 1e6
                notes = f"ours {per_million:.0f} MB per million triples"
                if "rss_mb" in base.get("load", {}):
                    b = base["load"]
                    notes += f", baseline {b['rss_mb'] / max(b['triples'], 1) * 1e6:.0f} MB"
            elif task == "check" and "differences" in record:
                found = record["differences"]
                notes = "findings = planted" if not found else f"{len(found)} differences"
            elif task in ("write", "update", "api") and "runs" in record:
                notes = f"median of {record['runs']}"
            elif task == "validation" and "results" in record:
                notes = f"{record['results']} results"
                if "results" in base.get(task, {}):
                    notes += f" (baseline {base[task]['results']})"
            lines.append(
                f"| {size['triples']:,} | {task} | {_seconds(ours.get(task))} | "
                f"{_seconds(base.get(task)) if base else 'not run'} | "
                f"{_ratio(ours.get(task), base.get(task))} | {notes} |"
            )
    return "\n".join(lines) + "\n"


def _write_readme(results: dict[str, Any]) -> None:
    text = README.read_text()
    start, end = "<!-- results:start -->", "<!-- results:end -->"
    if start not in text or end not in text:
        raise SystemExit(f"{README} has no results markers")
    head, rest = text.split(start, 1)
    _, tail = rest.split(end, 1)
    README.write_text(f"{head}{start}\n{table(results)}{end}{tail}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="100k,1M,10M", help="sizes (default: %(default)s)")
    parser.add_argument(
        "--baseline-up-to",
        type=_size,
        default=_size("1M"),
        help="largest size the baseline runs at (default: 1M)",
    )
    parser.add_argument(
        "--budget", type=float, default=600, help="seconds a task may take (default: 600)"
    )
    parser.add_argument(
        "--baseline-budget",
        type=float,
        help="seconds a baseline task may take (default: --budget); the baseline's analysis "
        "runs past 300 s from 100k triples, so a lower budget saves time and gives the ratio "
        "as a lower bound",
    )
    parser.add_argument("--work", type=Path, default=Path("/tmp/bmkg-bench"), help="scratch")
    parser.add_argument("--no-readme", action="store_true", help="leave bench/README.md alone")
    parser.add_argument("--worker", choices=("ours", "baseline"), help=argparse.SUPPRESS)
    parser.add_argument("--data", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--tasks", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        worker(args.worker, args.data, args.tasks.split(","))
        return 0

    from kg.synthetic import generate

    results: dict[str, Any] = {
        "machine": _machine(),
        "date": time.strftime("%Y-%m-%d"),
        "command": "`" + " ".join(["python", "bench/run.py", *(argv or sys.argv[1:])]) + "`",
        "sizes": [],
    }
    for text in args.sizes.split(","):
        target = _size(text)
        data = args.work / _label(target)
        if not (data / "expected.json").exists():
            print(f"bench: generating {_label(target)} triples into {data}", flush=True)
            generate(data, triples=target, seed=7)
        triples = json.loads((data / "expected.json").read_text())["triples"]["actual"]
        size: dict[str, Any] = {"triples": triples}
        print(f"bench: {triples:,} triples, ours", flush=True)
        size["ours"] = _run_worker("ours", data, list(TASKS), args.budget)
        if target <= args.baseline_up_to:
            print(f"bench: {triples:,} triples, baseline", flush=True)
            budget = args.baseline_budget or args.budget
            size["baseline"] = _run_worker("baseline", data, list(BASELINE_TASKS), budget)
        results["sizes"].append(size)
        RESULTS.write_text(json.dumps(results, indent=2) + "\n")
        print(table(results), flush=True)
        if not args.no_readme:
            _write_readme(results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
