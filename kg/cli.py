"""The ``kg`` command line.

``kg validate PATH...`` loads files and folders of RDF, validates them against the shapes and
prints a report; it exits 0 when the model conforms, 1 when it has violations and 2 when the
model could not be loaded (missing file, malformed RDF) or the shapes could not be used.

``kg report PATH... --out DIR`` validates a model, answers the ten strategic questions, finds its
silos and writes ``report.html``, ``report.json`` and ``report.md`` into ``DIR``; it exits 0 when
the report is written, 1 when it is written but the model has violations, 2 when the model could
not be loaded. ``kg ask N [PATH...]`` (or ``kg ask --all``) prints answers and ``kg silos
[PATH...]`` the silo analysis; without a PATH they use the bundled telco example. The questions'
parameters (``--min-fit`` and the like, on ``report`` and ``ask``) default to those of
:class:`kg.questions.Parameters`, the silo analysis's (``--seed``, ``--resolution``,
``--no-through-master``, ``--no-synchronised-as-shared``, on ``report`` and ``silos``) to those of
:class:`kg.silos.SiloParameters`.

``kg generate --triples N --out DIR`` writes a seeded synthetic enterprise of about ``N`` triples
and ``DIR/expected.json``, the findings it must have (see :mod:`kg.synthetic`).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import os
import re
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from kg._version import __version__
from kg.answers import Enterprise, score_text
from kg.caveats import caveats
from kg.errors import KGError
from kg.interchange.formats import FORMATS
from kg.model import open_model
from kg.ontology import example_path
from kg.remote import Endpoint, endpoint_from_env
from kg.store import KnowledgeGraph
from kg.validation import ValidationReport, validate

if TYPE_CHECKING:
    from kg.answers import Answer
    from kg.pictures import Picture
    from kg.progress import Progress
    from kg.questions import Parameters
    from kg.report import Report
    from kg.silos import SiloParameters
    from kg.views import View

__all__ = ["main"]

EXIT_OK = 0
EXIT_VIOLATIONS = 1
EXIT_ERROR = 2

EXAMPLE = example_path("telco")
"""The model ``kg ask`` and ``kg silos`` use when given no PATH: the bundled telco example."""


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    parser = _parser()
    args, extra = parser.parse_known_args(argv)
    if (
        extra
        and getattr(args, "items", None) is not None
        and not any(e.startswith("-") for e in extra)
    ):
        # ``kg ask 3 -f json data/telco``: argparse takes "3" as the command's positionals and
        # leaves the path after the option over; it belongs with them.
        args.items += extra
    elif extra:
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    try:
        status: int = args.run(args)
        return status
    except KGError as error:
        print(f"kg: error: {error}", file=sys.stderr)
        return EXIT_ERROR


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kg",
        description="A knowledge graph of an enterprise's business model: load, validate, analyse.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(title="commands", required=True, metavar="COMMAND")

    check = commands.add_parser(
        "validate",
        help="check a model against the SHACL shapes",
        description=(
            "Load RDF files and folders (Turtle, N-Triples, N-Quads, TriG, JSON-LD, RDF/XML, by "
            "extension) and validate them against the project's SHACL shapes. Exit status: "
            "0 conforms, 1 violations found, 2 the model or shapes could not be read."
        ),
    )
    check.add_argument("paths", nargs="*", type=Path, metavar="PATH", help="file or folder")
    check.add_argument(
        "--format",
        "-f",
        choices=("text", "json", "turtle"),
        default="text",
        help="text for people (default), json for programs, turtle for the SHACL report graph",
    )
    check.add_argument("--shapes", type=Path, help="a Turtle file of shapes to use instead")
    check.add_argument(
        "--engine",
        choices=("auto", "sparql", "pyshacl"),
        default="auto",
        help="sparql: the shapes compiled to SPARQL queries run by the store (fast); pyshacl: "
        "the reference engine; auto (default): sparql when the shapes compile, else pyshacl",
    )
    check.add_argument(
        "--store", type=Path, help="an on-disk store to load the model into (default: in memory)"
    )
    check.add_argument("--output", "-o", type=Path, help="write the report to a file")
    _add_endpoint(check)
    check.set_defaults(run=_validate)

    report = commands.add_parser(
        "report",
        help="write the executive report: the ten strategic questions and the silos",
        description=(
            "Validate a model, answer the ten strategic questions, find its silos and write "
            "report.html (one self-contained page), report.json and report.md into a folder. "
            "Exit status: 0 written, 1 written but the model has violations (0 with "
            "--allow-invalid), 2 the model could not be read."
        ),
    )
    report.add_argument("paths", nargs="*", type=Path, metavar="PATH", help="file or folder")
    report.add_argument(
        "--out", "-o", type=Path, required=True, metavar="DIR", help="folder to write into"
    )
    report.add_argument("--title", help="the report's title (default: names the enterprise)")
    report.add_argument(
        "--whatif",
        type=Path,
        action="append",
        default=[],
        metavar="CHANGES",
        help="add a section on how the answers would move under this change set (as kg whatif; "
        "repeat for several)",
    )
    report.add_argument(
        "--compare",
        action="append",
        default=[],
        metavar="OLD",
        help="add a section comparing the model with another version of it (a folder, file, "
        "store or STORE#NAME, as kg diff; repeat for several)",
    )
    report.add_argument(
        "--store",
        type=Path,
        help="an on-disk store: load PATH into it, or, without PATH, report on it as it is",
    )
    _add_allow_invalid(report)
    _add_parameters(report)
    _add_silo_parameters(report)
    _add_enterprise(report)
    _add_endpoint(report)
    report.set_defaults(run=_report)

    ask = commands.add_parser(
        "ask",
        help="answer one strategic question, or all ten",
        usage="%(prog)s [-h] (N | --all) [PATH ...] [options]",
        description=(
            "Answer strategic question N (1 to 10), or all of them with --all, and print the "
            "verdict, score, summary and findings. Without a PATH the bundled telco example is "
            "used. The model is validated first: answers drawn from a model with violations say "
            "so, and the exit status is 1 (0 with --allow-invalid)."
        ),
    )
    ask.add_argument(
        "items",
        nargs="*",
        metavar="N PATH",
        help="the question's number (1 to 10, left out with --all), then files or folders",
    )
    ask.add_argument("--all", action="store_true", help="answer all ten questions")
    _add_allow_invalid(ask)
    _add_format(ask)
    _add_parameters(ask)
    _add_enterprise(ask)
    _add_endpoint(ask)
    ask.set_defaults(run=_ask, parser=ask)

    silos = commands.add_parser(
        "silos",
        help="find product, channel and life-cycle silos",
        description=(
            "Find where the enterprise treats its customers in product, channel or life-cycle "
            "silos, and how its units, processes, applications and data stores cluster. "
            "Without a PATH the bundled telco example is used. The model is validated first: an "
            "analysis of a model with violations says so, and the exit status is 1 (0 with "
            "--allow-invalid)."
        ),
    )
    silos.add_argument("paths", nargs="*", type=Path, metavar="PATH", help="file or folder")
    _add_allow_invalid(silos)
    _add_format(silos)
    _add_silo_parameters(silos)
    _add_enterprise(silos)
    _add_endpoint(silos)
    silos.set_defaults(run=_silos)

    picture = commands.add_parser(
        "picture",
        help=(
            "draw a view (canvas, value-proposition-canvas, journey-map, heatmap, silo-matrix) "
            "or a graph picture (model, neighbourhood, journey, silos, capabilities, question)"
        ),
        description=(
            "Write a view or a picture of the model as one HTML page that works offline, and "
            "optionally a PNG screenshot of it made with headless Chromium (no network). The "
            "views (the Business Model Canvas, the Value Proposition Canvas, the customer "
            "journey map, the capability heat map, the silo matrix) are HTML and CSS, printable "
            "from the browser, with a badge on everything a finding names; the graph pictures "
            "can be dragged and zoomed. Without a PATH the bundled telco example is used."
        ),
    )
    picture.add_argument("kind", choices=_PICTURES, help="what to draw")
    picture.add_argument("paths", nargs="*", type=Path, metavar="PATH", help="file or folder")
    picture.add_argument(
        "--iri",
        help=(
            "the thing to draw around (neighbourhood), the journey (journey, journey-map: all "
            "journeys without it), or the segment (silos, value-proposition-canvas)"
        ),
    )
    picture.add_argument(
        "--question", type=int, choices=range(1, 11), metavar="N", help="the question (question)"
    )
    picture.add_argument(
        "--hops",
        type=int,
        choices=range(7),
        default=1,
        metavar="N",
        help=(
            "links out from the centre (neighbourhood) or from what the findings name (question); "
            "default: 1"
        ),
    )
    picture.add_argument(
        "--out", type=Path, required=True, metavar="FILE", help="the HTML page to write"
    )
    picture.add_argument(
        "--impact",
        action="append",
        default=[],
        metavar="ELEMENT",
        help="canvas and journey-map: mark what depends on ELEMENT (as kg impact; repeatable)",
    )
    picture.add_argument("--png", type=Path, metavar="FILE", help="also a PNG screenshot")
    picture.add_argument(
        "--png-size",
        type=_size,
        default=(1400, 900),
        metavar="WxH",
        help="the screenshot's window in pixels (default: 1400x900)",
    )
    _add_enterprise(picture)
    _add_endpoint(picture)
    picture.set_defaults(run=_picture)

    serve = commands.add_parser(
        "serve",
        help="serve the model over HTTP: the REST API and a SPARQL endpoint",
        description=(
            "Start the HTTP API (OpenAPI docs at /docs, SPARQL 1.1 endpoint at /sparql) on a "
            "model. Without a PATH it serves KG_DATA, or the bundled telco example. Options "
            "override the environment variables KG_DATA, KG_STORE, KG_TOKEN, KG_ALLOW_UPDATES, "
            "KG_QUERY_TIMEOUT, KG_QUERY_MEMORY, KG_QUERY_WORKERS, KG_MAX_RESULTS, KG_MAX_BODY and "
            "KG_CORS_ORIGINS. Each SPARQL query or update runs in a worker process that is "
            "stopped at the time and memory limits."
        ),
    )
    serve.add_argument("paths", nargs="*", type=Path, metavar="PATH", help="file or folder")
    serve.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default: %(default)s)"
    )
    serve.add_argument(
        "--port", type=_port, default=8000, help="port to listen on (default: %(default)s)"
    )
    serve.add_argument(
        "--store",
        type=Path,
        metavar="DIR",
        help="an on-disk store, kept across restarts (default: KG_STORE, or in memory)",
    )
    serve.add_argument(
        "--token-env",
        metavar="VAR",
        help="environment variable holding the bearer token that writes need (default: KG_TOKEN)",
    )
    serve.add_argument(
        "--allow-updates",
        action="store_true",
        default=None,
        help="accept SPARQL updates (with the token) (default: KG_ALLOW_UPDATES)",
    )
    serve.add_argument(
        "--query-timeout",
        type=_seconds,
        metavar="SECONDS",
        help="time limit of a SPARQL query (default: KG_QUERY_TIMEOUT, or 10)",
    )
    serve.add_argument(
        "--query-memory",
        metavar="SIZE",
        help="memory each SPARQL query or update may take beyond the server's own, e.g. 512M "
        "(default: KG_QUERY_MEMORY, or 1G)",
    )
    serve.add_argument(
        "--query-workers",
        type=_positive,
        metavar="N",
        help="SPARQL queries and updates evaluated at once (default: KG_QUERY_WORKERS, or 4)",
    )
    serve.add_argument(
        "--max-results",
        type=_positive,
        metavar="N",
        help="cap on the rows or triples of a SPARQL result (default: KG_MAX_RESULTS, or 10000)",
    )
    serve.add_argument(
        "--max-body",
        metavar="SIZE",
        help="largest request body, e.g. 10M (default: KG_MAX_BODY, or 10M)",
    )
    serve.add_argument(
        "--cors-origin",
        action="append",
        metavar="ORIGIN",
        help="an origin browsers may call the API from, e.g. https://yasgui.example.org "
        "(repeatable; default: KG_CORS_ORIGINS, or none)",
    )
    _add_endpoint(serve)
    serve.set_defaults(run=_serve)

    generate = commands.add_parser(
        "generate",
        help="write a seeded synthetic enterprise and the findings it must have",
        description=(
            "Write a synthetic enterprise: a group of divisions, each a renamed copy of a "
            "bundled example (telco or bank), of about --triples triples (or --divisions "
            "divisions), and DIR/expected.json with the counts of findings a correct analysis "
            "must report. The same seed and size give the same files."
        ),
    )
    size = generate.add_mutually_exclusive_group(required=True)
    size.add_argument(
        "--triples", type=_positive, metavar="N", help="about how many triples to write"
    )
    size.add_argument("--divisions", type=_positive, metavar="N", help="how many divisions")
    generate.add_argument(
        "--seed", type=_integer, default=0, metavar="N", help="the seed (default: %(default)s)"
    )
    generate.add_argument(
        "--out", "-o", type=Path, required=True, metavar="DIR", help="folder to write into"
    )
    generate.add_argument(
        "--format",
        "-f",
        choices=("nt", "ttl"),
        default="nt",
        help="N-Triples (default) or Turtle",
    )
    generate.add_argument(
        "--parts",
        type=_positive,
        default=1,
        metavar="N",
        help="spread the divisions over N files (default: %(default)s)",
    )
    generate.set_defaults(run=_generate)

    migrate = commands.add_parser(
        "migrate",
        help="rewrite a model's files to the current names of the ontology's terms",
        description=(
            "Rewrite RDF files and folders in place, replacing the names an older version of the "
            "ontology used (0.2.0 moved the controlled vocabularies, such as bm:Live, to bmv:) "
            "by the current ones. Comments and layout are kept; each rewritten file is checked "
            "to say exactly what it said before with the new names, else it is left unchanged. "
            "Exit status: 0 done (or, with --check, nothing to do), 1 with --check: files need "
            "rewriting, 2 a file could not be read or rewritten."
        ),
    )
    migrate.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="file or folder")
    migrate.add_argument(
        "--check", action="store_true", help="only list the files that need rewriting"
    )
    migrate.add_argument(
        "--reformat",
        action="store_true",
        help="when a file's text cannot be edited safely, write its statements re-serialised "
        "(comments and layout are lost)",
    )
    migrate.set_defaults(run=_migrate)

    importing = commands.add_parser(
        "import",
        help="import models from ArchiMate, Archi CSV, BMML canvases or workbooks",
        description=(
            "Read models in other formats: ArchiMate Model Exchange files (2.1 or 3.x, .xml), "
            "Archi's CSV (elements.csv, relations.csv, properties.csv, with a prefix), BMML "
            "canvases (.bmml, with NAME.bmml.ttl beside it when there is one), workbooks "
            "(.xlsx, see kg template) or a folder of the workbook's CSV sheets. With --out, "
            "write for each FILE DIR/NAME.ttl (what the ontology has a place for, with where "
            "each node came from), DIR/NAME.kept.ttl (everything else, so nothing is lost) and "
            "DIR/NAME.needs-input.md and .json (what the import could not decide, and per "
            "question the values it needs that the file lacks). With --store, merge each FILE "
            "into an on-disk store by identity, in one validated write per file (importing a "
            "changed file again updates what it wrote, adds what is new and reports what "
            "disappeared), and write the needs-input reports beside the store. Exit status: 0 "
            "done, 1 refused (the import would break the shapes: nothing written), 2 a file "
            "could not be read (nothing written)."
        ),
    )
    importing.add_argument("files", nargs="+", type=Path, metavar="FILE", help="file or folder")
    where = importing.add_mutually_exclusive_group(required=True)
    where.add_argument("--out", "-o", type=Path, metavar="DIR", help="write Turtle files here")
    where.add_argument("--store", type=Path, metavar="PATH", help="merge into this store")
    importing.add_argument(
        "--format", choices=FORMATS, help="the files' format (default: from their names)"
    )
    importing.add_argument(
        "--mapping",
        type=Path,
        metavar="FILE",
        help="a JSON mapping of ArchiMate types, specializations or elements to classes",
    )
    importing.add_argument(
        "--namespace", metavar="IRI", help="the namespace of the imported nodes' IRIs"
    )
    importing.add_argument(
        "--prefix", metavar="TEXT", help="Archi CSV: the files' prefix in a folder (test1-)"
    )
    importing.add_argument(
        "--allow-violations",
        action="store_true",
        help="with --store: write even when the import breaks the shapes (a model with values "
        "still to fill in); the violations are reported",
    )
    importing.set_defaults(run=_import)

    exporting = commands.add_parser(
        "export",
        help="export a model to ArchiMate, Archi CSV, BMML or a workbook",
        description=(
            "Write the model (files, folders or a store) in another format: archimate (an "
            "ArchiMate 3.1 exchange file, valid against the Open Group's schema, that Archi "
            "opens), archi-csv (a folder of Archi's three CSV files), bmml (a canvas per "
            "enterprise, with NAME.bmml.ttl holding what a canvas cannot say), xlsx (a "
            "workbook), csv (the workbook's sheets as CSV files). What a format has no place "
            "for travels as named properties (see kg/interchange/keys.py), so importing the "
            "export gives the same model back. Exit status: 0 written, 2 the model could not "
            "be read or written."
        ),
    )
    exporting.add_argument("paths", nargs="*", type=Path, metavar="PATH", help="file or folder")
    exporting.add_argument("--format", "-f", choices=FORMATS, required=True)
    exporting.add_argument(
        "--out", "-o", type=Path, required=True, metavar="FILE", help="file (folder for CSV)"
    )
    exporting.add_argument("--store", type=Path, help="an on-disk store to read the model from")
    exporting.add_argument("--name", help="the exported model's name")
    exporting.add_argument(
        "--enterprise", "-e", metavar="NAME", help="bmml: the enterprise to draw (IRI or label)"
    )
    exporting.add_argument("--portfolio", choices=("explore", "exploit"), help="bmml: portfolio")
    exporting.add_argument("--stage", help="bmml: the business model's stage")
    exporting.add_argument("--prefix", default="", help="archi-csv: the files' prefix")
    _add_endpoint(exporting)
    exporting.set_defaults(run=_export)

    template = commands.add_parser(
        "template",
        help="write a workbook to fill in (empty, or with a model)",
        description=(
            "Write an .xlsx workbook generated from the ontology: a read-me sheet, one sheet "
            "per concept, one column per property, drop-down lists from the vocabularies. With "
            "PATH, fill it with that model (the same as kg export -f xlsx). Exit status: 0 "
            "written, 2 the model could not be read."
        ),
    )
    template.add_argument("paths", nargs="*", type=Path, metavar="PATH", help="file or folder")
    template.add_argument("--out", "-o", type=Path, required=True, metavar="FILE")
    template.add_argument(
        "--csv", action="store_true", help="write a folder of CSV files instead of a workbook"
    )
    template.set_defaults(run=_template)

    impact = commands.add_parser(
        "impact",
        help="what depends on an element, and what is at stake if it goes",
        usage="%(prog)s [-h] ELEMENT [ELEMENT ...] [PATH ...] [options]",
        description=(
            "Walk the model's links of dependence (kg/dependence.yaml, or --dependence) from "
            "one or more elements, given by IRI, CURIE or label, and list what depends on them: "
            "touchpoints, journeys, personas, value propositions, products, segments, "
            "geographies, with the path that reaches each and the revenue and cost at stake. "
            "--depth 1 is 'where used'. Arguments that are files or folders are the model; "
            "without one the bundled telco example is used. Exit status: 0 done, 2 an element "
            "or the model could not be read."
        ),
    )
    impact.add_argument("items", nargs="+", metavar="ELEMENT|PATH", help="elements, then paths")
    impact.add_argument(
        "--depth", type=_positive, metavar="N", help="follow at most N links (1: where used)"
    )
    impact.add_argument(
        "--dependence", type=Path, metavar="FILE", help="a YAML file of links that override"
    )
    impact.add_argument(
        "--picture", type=Path, metavar="FILE", help="also draw the paths to an HTML page"
    )
    impact.add_argument(
        "--store", type=Path, help="an on-disk store: load PATH into it, or use it as it is"
    )
    _add_format(impact)
    _add_enterprise(impact)
    _add_endpoint(impact)
    impact.set_defaults(run=_impact)

    whatif = commands.add_parser(
        "whatif",
        help="how the answers would move if the model changed",
        description=(
            "Apply a change set (a JSON file of operations: remove, retire, set, add, unlink, "
            "swap; or a SPARQL update file, .ru) to a copy of the model, validate the copy, "
            "answer the ten questions and find the silos on it, and print the difference from "
            "the model's own answers: verdicts, scores, findings that appear, disappear or "
            "change, and the money that moves. The model is never changed. Without PATH the "
            "bundled telco example is used. Exit status: 0 done, 1 the changed model breaks its "
            "shapes (0 with --allow-invalid), 2 the change set or the model could not be read."
        ),
    )
    whatif.add_argument("changes", type=Path, metavar="CHANGES", help="the change set file")
    whatif.add_argument("paths", nargs="*", type=Path, metavar="PATH", help="file or folder")
    whatif.add_argument(
        "--store", type=Path, help="an on-disk store: load PATH into it, or use it as it is"
    )
    _add_allow_invalid(whatif)
    _add_format(whatif)
    _add_parameters(whatif)
    _add_enterprise(whatif)
    _add_endpoint(whatif)
    whatif.set_defaults(run=_whatif)

    diff = commands.add_parser(
        "diff",
        help="what changed between two versions of a model, and in its answers",
        description=(
            "Compare two models element by element (added, removed, renamed, and changed "
            "property by property; blank nodes by what they say) and answer by answer "
            "(verdicts, scores, findings that appeared, disappeared or changed). Each side is a "
            "folder or file of RDF (several joined with ','), an on-disk store, STORE#NAME for a "
            "version saved in a store, or version:NAME with --store. Exit status: 0 compared "
            "(with --exit-code: 0 the same, 1 they differ), 2 a side could not be read."
        ),
    )
    diff.add_argument("old", metavar="OLD", help="the model before")
    diff.add_argument("new", metavar="NEW", help="the model after")
    diff.add_argument("--store", type=Path, help="the store that version:NAME sides are in")
    diff.add_argument(
        "--include-ontology", action="store_true", help="compare the ontology's graph too"
    )
    diff.add_argument(
        "--model-only", action="store_true", help="compare the statements, not the answers"
    )
    diff.add_argument(
        "--exit-code", action="store_true", help="exit 1 when the models differ (as git diff)"
    )
    _add_format(diff)
    _add_parameters(diff)
    diff.add_argument(
        "--enterprise",
        "-e",
        metavar="NAME",
        help="in models of several enterprises, the one to answer for (on both sides)",
    )
    diff.set_defaults(run=_diff)

    version = commands.add_parser(
        "version",
        help="keep named versions of a model in its store (as-is, to-be, a dated snapshot)",
        description=(
            "Save the model of an on-disk store as a named version kept in the same store "
            "(invisible to queries and answers), list the versions, drop one, or restore one "
            "(the model becomes the version again). Compare versions with kg diff "
            "STORE#NAME STORE. Exit status: 0 done, 2 the store or version could not be used."
        ),
    )
    version.add_argument("action", choices=("save", "list", "drop", "restore"))
    version.add_argument("name", nargs="?", metavar="NAME", help="the version (not for list)")
    version.add_argument("--store", type=Path, required=True, help="the on-disk store")
    version.add_argument("--note", help="save: a note kept with the version")
    version.add_argument(
        "--replace", action="store_true", help="save: replace a version of that name"
    )
    _add_format(version)
    version.set_defaults(run=_version, parser=version)
    return parser


def _migrate(args: argparse.Namespace) -> int:
    from kg.migrate import migrate

    done, failed = migrate(args.paths, check=args.check, reformat=args.reformat)
    for result in done:
        if result.renamed == 0:
            print(f"{result.path}: up to date")
            continue
        uses = f"{result.renamed} use{'s' if result.renamed != 1 else ''} of renamed terms"
        if args.check:
            print(f"{result.path}: {uses} to rewrite")
        else:
            how = " (re-serialised)" if result.reformatted else ""
            print(f"{result.path}: {uses} rewritten{how}")
    for error in failed:
        print(f"kg: error: {error}", file=sys.stderr)
    if failed:
        return EXIT_ERROR
    if args.check and any(result.renamed for result in done):
        return EXIT_VIOLATIONS
    return EXIT_OK


def _import(args: argparse.Namespace) -> int:
    from kg.interchange.formats import import_file
    from kg.interchange.importer import needs_input_report
    from kg.interchange.mapping import TypeMapping

    mapping = TypeMapping.from_alignment()
    if args.mapping is not None:
        mapping = mapping.with_file(args.mapping)
    # Every file is read before anything is written: a bad one leaves everything as it was.
    results = [
        import_file(
            file,
            format=args.format,
            mapping=mapping,
            namespace=args.namespace,
            prefix=args.prefix,
        )
        for file in args.files
    ]
    if args.store is not None:
        return _import_into_store(args, results)
    args.out.mkdir(parents=True, exist_ok=True)
    for file, result in zip(args.files, results, strict=True):
        report = needs_input_report(result)
        stem = args.out / file.stem
        result.graph.serialize(stem.with_suffix(".ttl"), format="turtle", encoding="utf-8")
        result.kept.serialize(
            stem.with_name(f"{file.stem}.kept.ttl"), format="turtle", encoding="utf-8"
        )
        _write_needs_input(report, args.out, file.stem)
        print(
            f"{file}: {report.counts_line()}; {len(report.undecided)} not decided, "
            f"{len(report.missing)} rules with values missing -> {stem}.ttl"
        )
    return EXIT_OK


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _write_needs_input(report: Any, folder: Path, stem: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{stem}.needs-input.md").write_text(report.markdown(), "utf-8")
    (folder / f"{stem}.needs-input.json").write_text(
        json.dumps(report.to_dict(), indent=2, ensure_ascii=False) + "\n", "utf-8"
    )


def _import_into_store(args: argparse.Namespace, results: list[Any]) -> int:
    from kg.errors import WriteRejectedError
    from kg.interchange.importer import needs_input_report
    from kg.interchange.merge import merge_import

    model = open_model(path=args.store)
    status = EXIT_OK
    try:
        for file, result in zip(args.files, results, strict=True):
            report = needs_input_report(result)
            _write_needs_input(report, args.store.parent / f"{args.store.name}.imports", file.stem)
            try:
                merged = merge_import(model, result, allow_violations=args.allow_violations)
            except WriteRejectedError as refused:
                print(
                    f"{file}: refused, nothing written: the import would add "
                    f"{_plural(len(refused.report.results), 'violation')} of the shapes (see "
                    f"{args.store.name}.imports/{file.stem}.needs-input.md; fill in the values, "
                    "or give --allow-violations to write it as it is)",
                    file=sys.stderr,
                )
                for item in refused.report.results[:10]:
                    print(
                        f"  {item.focus_label or item.focus_node}: {item.message}", file=sys.stderr
                    )
                status = EXIT_VIOLATIONS
                continue
            print(f"{file}: {merged.summary()} -> {args.store}")
            for caution in merged.cautions:
                print(f"  caution: {caution}")
            for gone in merged.disappeared:
                print(f"  disappeared: {gone}")
            if merged.violations is not None:
                shown = _plural(len(merged.violations.results), "violation")
                print(f"  written with {shown} of the shapes")
    finally:
        model.close()
    return status


def _export(args: argparse.Namespace) -> int:
    from kg.interchange.formats import export_graph, model_graph

    model = _open(args, args.paths, default=False)
    try:
        graph = model_graph(model)
    finally:
        model.close()
    written = export_graph(
        graph,
        args.format,
        args.out,
        name=args.name,
        enterprise=args.enterprise,
        portfolio=args.portfolio,
        stage=args.stage,
        prefix=args.prefix,
    )
    for path in written:
        print(path)
    return EXIT_OK


def _template(args: argparse.Namespace) -> int:
    from kg.interchange import workbook
    from kg.interchange.formats import model_graph

    graph = None
    if args.paths:
        model = open_model(*args.paths)
        try:
            graph = model_graph(model)
        finally:
            model.close()
    try:
        if args.csv:
            workbook.write_csv_folder(graph if graph is not None else _empty(), args.out)
        else:
            args.out.parent.mkdir(parents=True, exist_ok=True)
            workbook.write_template(args.out, example=graph)
    except OSError as error:
        raise KGError(f"{args.out}: cannot write: {error.strerror or error}") from error
    print(args.out)
    return EXIT_OK


def _empty() -> Any:
    import rdflib

    return rdflib.Graph()


def _add_endpoint(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group(
        "SPARQL server",
        "Use a SPARQL 1.1 server instead of the embedded store. The model must sit in named "
        "graphs and the server must query their union by default (see kg/remote.py). Files "
        "given as PATH are loaded into it, each replacing its own graph; without PATH the "
        "server's model is used as it is.",
    )
    group.add_argument(
        "--endpoint", metavar="URL", help="the server's query URL (default: KG_ENDPOINT)"
    )
    group.add_argument(
        "--update-endpoint",
        metavar="URL",
        help="its update URL, needed to load files (default: KG_UPDATE_ENDPOINT)",
    )
    group.add_argument(
        "--graph-store",
        metavar="URL",
        help="its Graph Store Protocol URL, to load files in bulk: N-Triples files into new "
        "graphs are sent as they are, one request per file (default: KG_GRAPH_STORE)",
    )


def _endpoint(args: argparse.Namespace) -> Endpoint | None:
    if args.endpoint:
        # The token, login and graph store of the environment, for the server named here.
        found = endpoint_from_env({**os.environ, "KG_ENDPOINT": args.endpoint})
        assert found is not None
        return dataclasses.replace(
            found,
            update=args.update_endpoint,
            graph_store=args.graph_store or found.graph_store,
        )
    if args.update_endpoint or args.graph_store:
        raise KGError("--update-endpoint and --graph-store need --endpoint")
    return endpoint_from_env()


def _open(
    args: argparse.Namespace, paths: Sequence[str | Path], *, default: bool
) -> KnowledgeGraph:
    """The model: the files on a SPARQL server, in a store on disk, or in memory.

    ``default`` loads the bundled example when no path is given and no server is used.
    """
    endpoint = _endpoint(args)
    if endpoint is not None:
        if getattr(args, "store", None) is not None:
            raise KGError("--store and a SPARQL endpoint cannot both be used: choose one store")
        return open_model(*paths, endpoint=endpoint)
    store = getattr(args, "store", None)
    if not paths and store is not None and Path(store).exists():
        return open_model(path=store)  # the store as it is (kg import --store fills one)
    if not paths:
        if not default:
            raise KGError(
                "give a file or folder to load (or a store with --store, or a SPARQL server "
                "with --endpoint)"
            )
        paths = [EXAMPLE]
    return open_model(*paths, path=store)


def _add_enterprise(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--enterprise",
        "-e",
        metavar="NAME",
        help="in a model of several enterprises, the one to analyse: its IRI, CURIE or label "
        "(default: each in turn)",
    )


def _enterprises(model: KnowledgeGraph, args: argparse.Namespace) -> list[Enterprise | None]:
    """The enterprises to answer for: the one asked for, else each of the model's in turn (one
    ``None`` for a model of one enterprise or none, which needs no choosing)."""
    from kg import portfolio

    if args.enterprise is not None:
        return [portfolio.resolve(model, args.enterprise)]
    found = portfolio.enterprises(model)
    return list(found) if len(found) > 1 else [None]


def _add_allow_invalid(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--allow-invalid",
        action="store_true",
        help="exit 0 even when the model has violations of its shapes (the answers still say "
        "that they may be wrong)",
    )


def _add_format(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--format",
        "-f",
        choices=("text", "json"),
        default="text",
        help="text for people (default), json for programs",
    )


# --------------------------------------------------------------------------------------------
# Analysis parameters as options


def _number(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"{text!r} is not a finite number")
    return value


def _fraction(text: str) -> float:
    value = _number(text)
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a fraction between 0 and 1")
    return value


def _whole(text: str, *, least: int) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < least:
        raise argparse.ArgumentTypeError(f"{text!r} is below {least}")
    return value


def _count(text: str) -> int:
    return _whole(text, least=0)


def _positive(text: str) -> int:
    return _whole(text, least=1)


def _day(text: str) -> date:
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        raise argparse.ArgumentTypeError(f"{text!r} is not a date written YYYY-MM-DD")
    try:
        return date.fromisoformat(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date: {error}") from None


@dataclass(frozen=True)
class _Option:
    field: str
    type: Callable[[str], Any]
    metavar: str
    help: str
    unset: str = ""  # what a default of None means


_OPTIONS = (
    _Option(
        "growth_target",
        _number,
        "RATE",
        "annual growth, as a fraction (0.04 is 4%%), that targeted segments should carry (Q1)",
        unset="the enterprise goal's bm:targetGrowthRate",
    ),
    _Option(
        "min_attractive_size",
        _count,
        "N",
        "size from which an untargeted segment growing fast enough is attractive (Q1)",
    ),
    _Option(
        "max_evidence_age_months",
        _count,
        "MONTHS",
        "age beyond which a need's newest evidence is stale (Q2)",
    ),
    _Option(
        "as_of",
        _day,
        "YYYY-MM-DD",
        "the day the analysis is made for",
        unset="the enterprise's bm:asOfDate",
    ),
    _Option(
        "min_fit",
        _fraction,
        "FRACTION",
        "share of a segment's needs, weighted by importance, that its value propositions "
        "must address (Q3)",
    ),
    _Option(
        "min_gap",
        _positive,
        "LEVELS",
        "maturity levels below target from which a capability has a gap (Q7)",
    ),
    _Option(
        "max_partner_cost_share",
        _fraction,
        "FRACTION",
        "share of all partner costs above which one partner is a concentration (Q10)",
    ),
)


def _add_parameters(parser: argparse.ArgumentParser) -> None:
    from kg.questions import Parameters

    defaults = {f.name: f.default for f in dataclasses.fields(Parameters)}
    group = parser.add_argument_group("analysis parameters")
    for option in _OPTIONS:
        default = defaults[option.field]
        shown = option.unset if default is None else str(default).replace("%", "%%")
        group.add_argument(
            "--" + option.field.replace("_", "-"),
            dest=option.field,
            type=option.type,
            default=default,
            metavar=option.metavar,
            help=f"{option.help} (default: {shown})",
        )


def _parameters(args: argparse.Namespace) -> Parameters:
    from kg.questions import Parameters

    return Parameters(**{option.field: getattr(args, option.field) for option in _OPTIONS})


def _resolution(text: str) -> float:
    value = _number(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"{text!r} is not a positive number")
    return value


def _port(text: str) -> int:
    value = _whole(text, least=0)
    if value > 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number (0 to 65535)")
    return value


def _seconds(text: str) -> float:
    value = _number(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"{text!r} is not a positive number of seconds")
    return value


def _integer(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None


def _add_silo_parameters(parser: argparse.ArgumentParser) -> None:
    from kg.silos import SiloParameters

    defaults = SiloParameters()
    group = parser.add_argument_group("silo analysis parameters")
    group.add_argument(
        "--through-master",
        action=argparse.BooleanOptionalAction,
        default=defaults.through_master,
        help="product silos: two data stores both synchronised with a master customer record "
        f"count as linked (default: {'yes' if defaults.through_master else 'no'})",
    )
    group.add_argument(
        "--synchronised-as-shared",
        action=argparse.BooleanOptionalAction,
        default=defaults.synchronised_as_shared,
        help="channel silos: a data store synchronised with one behind the other step counts as "
        f"shared (default: {'yes' if defaults.synchronised_as_shared else 'no'})",
    )
    group.add_argument(
        "--seed",
        type=_integer,
        default=defaults.seed,
        metavar="N",
        help=f"seed of the community detection of the structure (default: {defaults.seed})",
    )
    group.add_argument(
        "--resolution",
        type=_resolution,
        default=defaults.resolution,
        metavar="R",
        help="resolution of the community detection, above 1 for smaller communities "
        f"(default: {defaults.resolution})",
    )


def _silo_parameters(args: argparse.Namespace) -> SiloParameters:
    from kg.silos import SiloParameters

    return SiloParameters(
        through_master=args.through_master,
        synchronised_as_shared=args.synchronised_as_shared,
        seed=args.seed,
        resolution=args.resolution,
    )


# --------------------------------------------------------------------------------------------
# The analysis commands


def _progress(line: str) -> None:
    print(f"kg: {line}", file=sys.stderr, flush=True)


# The steps of one report: loading, validating, answering (and each of the ten questions),
# silos, pictures, ranking, views, writing.
_REPORT_STEPS = 18


def _report(args: argparse.Namespace) -> int:
    from kg.progress import Progress
    from kg.report import build_report, write_report

    params, silo_params = _parameters(args), _silo_parameters(args)
    say = Progress(total=_REPORT_STEPS + len(args.whatif) + len(args.compare))
    say(f"Loading {', '.join(str(p) for p in args.paths) or 'the model'}")
    with _open(args, args.paths, default=False) as model:
        chosen = _enterprises(model, args)
        if len(chosen) > 1:
            say.total = None
            return _portfolio(args, model, params, silo_params, say)
        changes = _report_changes(args, model, params, chosen[0], say)
        report = build_report(
            model,
            paths=args.paths,
            params=params,
            silo_params=silo_params,
            progress=say,
            title=args.title,
            enterprise=chosen[0],
            changes=changes,
        )
    if args.store is not None and not args.paths:
        from kg.report import import_notes

        # what the imports into the store still need (kg import --store writes it there)
        notes = import_notes([args.store.parent / f"{args.store.name}.imports"])
        report = dataclasses.replace(report, imports=notes)
    say(f"Writing the report into {args.out}")
    try:
        written = write_report(report, args.out)
    except OSError as error:
        print(f"kg: error: {args.out}: cannot write the report: {error}", file=sys.stderr)
        return EXIT_ERROR
    finally:
        say.close()
    about = report.model.enterprise or "the model"
    if report.model.as_of is not None:
        about += f" as of {report.model.as_of.isoformat()}"
    lines = [f"Report on {about}:", *(f"  {path}" for path in written.values()), ""]
    lines += _verdict_lines(report)
    lines.append("")
    lines.append(report.validation.to_text().splitlines()[0])
    sys.stdout.write("\n".join(lines) + "\n")
    return _exit_for(report.validation, args)


def _report_changes(
    args: argparse.Namespace,
    model: KnowledgeGraph,
    params: Parameters,
    enterprise: Enterprise | None,
    say: Progress,
) -> list[Any]:
    """The what-ifs and comparisons ``kg report --whatif/--compare`` asks for, in that order."""
    from kg.diff import compare_models, open_side
    from kg.whatif import load_changes, what_if

    changes: list[Any] = []
    sets = [load_changes(path) for path in args.whatif]  # every file read before any work
    for changeset in sets:
        say(f"What if: {changeset.title or changeset.source}")
        changes.append(what_if(model, changeset, params=params, enterprise=enterprise))
    for old in args.compare:
        say(f"Comparing with {old}")
        changes.append(compare_models(open_side(old), model, params=params))
    return changes


def _portfolio(
    args: argparse.Namespace,
    model: KnowledgeGraph,
    params: Parameters,
    silo_params: SiloParameters,
    say: Progress,
) -> int:
    from kg.portfolioreport import build_portfolio, write_portfolio

    book = build_portfolio(
        model,
        paths=args.paths,
        params=params,
        silo_params=silo_params,
        progress=say,
        title=args.title,
    )
    say(f"Writing the reports into {args.out}")
    try:
        written = write_portfolio(book, args.out)
    except OSError as error:
        print(f"kg: error: {args.out}: cannot write the report: {error}", file=sys.stderr)
        return EXIT_ERROR
    finally:
        say.close()
    lines = [f"Portfolio of {len(book.reports)} enterprises:", f"  {written['html']}"]
    for report, folder in zip(book.reports, book.folders(), strict=True):
        about = report.model.enterprise or report.model.enterprise_iri or "the enterprise"
        lines += ["", f"{about}: {written[folder + '/html']}", *_verdict_lines(report)]
    lines += ["", book.validation.to_text().splitlines()[0]]
    sys.stdout.write("\n".join(lines) + "\n")
    return _exit_for(book.validation, args)


def _verdict_lines(report: Report) -> list[str]:
    """One line per question of a report, and one for its silos."""
    width = max((len(a.short_name) for a in report.answers), default=0)
    lines = [f"Q{a.number:<3}{_verdict_line(a, width)}" for a in report.answers]
    silo = report.silo_answer()
    if silo is not None:
        lines.append(f"{'':4}{_verdict_line(silo, width, name='Silos')}")
    return lines


def _verdict_line(answer: Answer, width: int, *, name: str | None = None) -> str:
    n = len(answer.findings)
    line = f"{(name or answer.short_name):<{width}}  {answer.verdict.value.upper():<7}"
    line += f"{n:>3} finding{'s' if n != 1 else ' '}"
    if answer.score is not None:
        score = answer.score
        shown = score_text(score)
        line += f"   {answer.score_label or 'score'} {shown}"
    return line


def _ask(args: argparse.Namespace) -> int:
    from kg.questions import QUESTIONS, ask, ask_all

    items: list[str] = list(args.items)
    parser: argparse.ArgumentParser = args.parser
    if args.all:
        if items and items[0].isdigit() and not Path(items[0]).exists():
            parser.error("give a question number or --all, not both")
        number = None
    else:
        if not items:
            parser.error("give a question number (1 to 10) or --all")
        text = items.pop(0)
        if not text.isdigit() or int(text) not in QUESTIONS:
            known = f"{min(QUESTIONS)} to {max(QUESTIONS)}"
            parser.error(f"argument N: {text!r} is not a question number ({known})")
        number = int(text)
    params = _parameters(args)
    with _open(args, items, default=True) as model:
        validation = validate(model)
        said = caveats(model, validation)
        chosen = _enterprises(model, args)
        answers = []
        for enterprise in chosen:
            if number is None:
                answers += ask_all(model, params=params, enterprise=enterprise)
            else:
                answers.append(ask(model, number, params=params, enterprise=enterprise))
    answers = [a.with_caveats(said) for a in answers]
    if args.format == "json":
        data: Any = [a.to_dict() for a in answers]
        if number is not None and len(answers) == 1:
            data = data[0]
        sys.stdout.write(_json(data) + "\n")
    else:
        texts: list[str] = []
        for answer in answers:
            heading = _enterprise_heading(answer.enterprise) if len(chosen) > 1 else ""
            if heading and (not texts or answer.number in (1, number)):
                texts.append(heading)
            texts.append(answer.to_text())
        sys.stdout.write("\n".join(texts))
    return _exit_for(validation, args)


def _enterprise_heading(enterprise: Enterprise | None) -> str:
    if enterprise is None:
        return ""
    name = f"{enterprise.label} <{enterprise.iri}>" if enterprise.label else f"<{enterprise.iri}>"
    return f"=== {name} ===\n"


def _silos(args: argparse.Namespace) -> int:
    from kg.silos import find_silos

    params = _silo_parameters(args)
    with _open(args, args.paths, default=True) as model:
        validation = validate(model)
        said = caveats(model, validation)
        chosen = _enterprises(model, args)
        analyses = [
            find_silos(model, params=params, enterprise=e).with_caveats(said) for e in chosen
        ]
    if args.format == "json":
        data: Any = [a.to_dict() for a in analyses]
        sys.stdout.write(_json(data[0] if len(data) == 1 else data) + "\n")
    else:
        texts: list[str] = []
        for analysis in analyses:
            if len(chosen) > 1:
                texts.append(_enterprise_heading(analysis.enterprise))
            texts.append(analysis.to_text())
        sys.stdout.write("\n".join(texts))
    return _exit_for(validation, args)


def _exit_for(validation: ValidationReport, args: argparse.Namespace) -> int:
    """Exit 1 for an analysis of a model with violations (after a word on stderr), unless
    ``--allow-invalid``."""
    if validation.conforms:
        return EXIT_OK
    violations = validation.counts()["Violation"]
    _progress(
        f"warning: the model has {violations} violation{'s' if violations != 1 else ''} of its "
        "shapes, so these answers may be wrong; run `kg validate` to see them"
        + ("" if args.allow_invalid else " (--allow-invalid exits 0)")
    )
    return EXIT_OK if args.allow_invalid else EXIT_VIOLATIONS


_GRAPH_PICTURES = ("model", "neighbourhood", "journey", "silos", "capabilities", "question")
# The views (kg.views): HTML and CSS, no script.
_VIEWS = ("canvas", "value-proposition-canvas", "journey-map", "heatmap", "silo-matrix")
_PICTURES = _GRAPH_PICTURES + _VIEWS


def _picture(args: argparse.Namespace) -> int:
    from kg import pictures
    from kg.questions import ask

    needs_iri = {"neighbourhood", "journey", "silos"}
    if args.kind in needs_iri and not args.iri:
        print(f"kg: error: a {args.kind} picture needs --iri", file=sys.stderr)
        return EXIT_ERROR
    if args.kind in _VIEWS and args.iri and args.kind not in ("journey-map", _VIEWS[1]):
        print(
            f"kg: error: a {args.kind} view draws the whole model: it takes no --iri",
            file=sys.stderr,
        )
        return EXIT_ERROR
    if args.impact and args.kind not in ("canvas", "journey-map"):
        print("kg: error: only the canvas and the journey-map take --impact", file=sys.stderr)
        return EXIT_ERROR
    if args.kind == "question" and args.question is None:
        print("kg: error: a question picture needs --question N", file=sys.stderr)
        return EXIT_ERROR
    drawn: list[tuple[Picture | View, Path, Path | None]] = []
    with _open(args, args.paths, default=True) as model:
        per_enterprise = args.kind in ("model", "capabilities", "question", *_VIEWS)
        chosen = _enterprises(model, args) if per_enterprise else [None]
        for enterprise in chosen:
            e = enterprise.iri if enterprise is not None else None
            picture: Picture | View
            if args.kind in _VIEWS:
                from kg.views import draw

                reached: frozenset[str] = frozenset()
                reached_from: tuple[str, ...] = ()
                if args.impact:
                    from kg.impact import impact

                    found = impact(model, args.impact, enterprise=e)
                    reached, reached_from = found.iris, tuple(s.label for s in found.start)
                picture = draw(
                    args.kind,
                    model,
                    enterprise=e,
                    iri=args.iri,
                    reached=reached,
                    reached_from=reached_from,
                )
            elif args.kind == "model":
                picture = pictures.model_picture(model, enterprise=e)
            elif args.kind == "neighbourhood":
                picture = pictures.neighbourhood_picture(model, args.iri, hops=args.hops)
            elif args.kind == "journey":
                picture = pictures.journey_picture(model, args.iri)
            elif args.kind == "silos":
                picture = pictures.silo_picture(model, args.iri)
            elif args.kind == "capabilities":
                picture = pictures.capability_map_picture(model, enterprise=e)
            else:
                answer = ask(model, args.question, enterprise=e)
                picture = pictures.answer_picture(model, answer, hops=args.hops)
            out, png = args.out, args.png
            if len(chosen) > 1 and enterprise is not None:
                out, png = _suffixed(out, enterprise), png and _suffixed(png, enterprise)
            drawn.append((picture, out, png))
    for picture, out, png in drawn:
        out.parent.mkdir(parents=True, exist_ok=True)
        picture.save(out)
        print(out)
        if png is not None:
            from kg.browser import screenshot

            width, height = args.png_size
            print(screenshot(out, png, width=width, height=height))
    return EXIT_OK


def _size(text: str) -> tuple[int, int]:
    """``1400x900`` as ``(1400, 900)``, each from 200 to 10000 pixels."""
    try:
        width, height = (int(part) for part in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a size WIDTHxHEIGHT: {text!r}") from None
    if not (200 <= width <= 10_000 and 200 <= height <= 10_000):
        raise argparse.ArgumentTypeError(f"{text}: each side must be 200 to 10000 pixels")
    return width, height


def _suffixed(path: Path, enterprise: Enterprise) -> Path:
    """``path`` with the enterprise's slug before its suffix: ``model-alpina-telecom-ag.html``."""
    from kg import portfolio

    return path.with_name(f"{path.stem}-{portfolio.slug(enterprise.name)}{path.suffix}")


def _json(data: Any) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False, default=_json_value)


def _json_value(value: Any) -> Any:
    """JSON for the values the analysis may leave in details: decimals, dates, enums, sets."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, set | frozenset | tuple):
        return sorted(value, key=str) if not isinstance(value, tuple) else list(value)
    if hasattr(value, "to_dict"):
        return value.to_dict()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def _impact(args: argparse.Namespace) -> int:
    from kg.impact import impact
    from kg.impactpicture import impact_picture

    elements = [i for i in args.items if not Path(i).exists()]
    paths = [Path(i) for i in args.items if Path(i).exists()]
    if not elements:
        raise KGError("give at least one element (an IRI, a CURIE or a label) before the paths")
    with _open(args, paths, default=True) as model:
        found = impact(
            model, elements, enterprise=args.enterprise, depth=args.depth, table=args.dependence
        )
        if args.picture is not None:
            impact_picture(model, found).save(args.picture)
    if args.format == "json":
        sys.stdout.write(_json(found.to_dict()) + "\n")
    else:
        sys.stdout.write(found.to_text())
    return EXIT_OK


def _whatif(args: argparse.Namespace) -> int:
    from kg.whatif import load_changes, what_if

    changes = load_changes(args.changes)
    with _open(args, args.paths, default=True) as model:
        result = what_if(model, changes, params=_parameters(args), enterprise=args.enterprise)
    if args.format == "json":
        sys.stdout.write(result.to_json() + "\n")
    else:
        sys.stdout.write(result.to_text())
    if result.breaks_shapes and not args.allow_invalid:
        return EXIT_VIOLATIONS
    return EXIT_OK


def _diff(args: argparse.Namespace) -> int:
    from kg.diff import compare_models, diff_models, open_side

    store = None
    if args.store is not None:
        if not Path(args.store).exists():
            raise KGError(f"{args.store}: no such store")
        store = open_model(path=args.store)
    try:
        old = open_side(args.old, store=store)
        new = open_side(args.new, store=store)
        if args.model_only:
            found: Any = diff_models(old, new, include_ontology=args.include_ontology)
        else:
            found = compare_models(
                old,
                new,
                params=_parameters(args),
                enterprise=args.enterprise,
                include_ontology=args.include_ontology,
            )
    finally:
        if store is not None:
            store.close()
    if args.format == "json":
        sys.stdout.write(_json(found.to_dict()) + "\n")
    else:
        sys.stdout.write(found.to_text())
    return EXIT_VIOLATIONS if args.exit_code and not found.is_empty else EXIT_OK


def _version(args: argparse.Namespace) -> int:
    from kg.versions import drop_version, restore_version, save_version, versions

    parser: argparse.ArgumentParser = args.parser
    if args.action != "list" and not args.name:
        parser.error(f"{args.action} needs the version's NAME")
    if args.action == "list" and args.name:
        parser.error("list takes no NAME")
    if not Path(args.store).exists():
        raise KGError(f"{args.store}: no such store")
    with open_model(path=args.store) as model:
        if args.action == "save":
            saved = [save_version(model, args.name, note=args.note, replace=args.replace)]
        elif args.action == "drop":
            drop_version(model, args.name)
            saved = []
        elif args.action == "restore":
            saved = [restore_version(model, args.name)]
        else:
            saved = versions(model)
    if args.format == "json":
        sys.stdout.write(_json([v.to_dict() for v in saved]) + "\n")
    elif args.action == "drop":
        print(f"dropped version {args.name}")
    elif args.action == "list" and not saved:
        print(f"{args.store} holds no saved version")
    else:
        verb = {"save": "saved", "restore": "restored"}.get(args.action)
        for v in saved:
            when = v.saved.strftime("%Y-%m-%d %H:%M UTC")
            note = f"  {v.note}" if v.note else ""
            print(
                f"{verb + ' ' if verb else ''}{v.name}  {when}  {v.statements:,} statements{note}"
            )
    return EXIT_OK


def _serve(args: argparse.Namespace) -> int:
    # The web framework is imported here only: the library never imports it.
    import uvicorn

    from api.config import Settings, parse_size
    from api.main import create_app
    from kg.store import rdf_files

    try:
        settings = Settings.from_env()
        changes: dict[str, Any] = {}
        if args.query_memory is not None:
            changes["query_memory"] = parse_size(args.query_memory, "--query-memory")
        if args.max_body is not None:
            changes["max_body"] = parse_size(args.max_body, "--max-body")
    except ValueError as error:
        print(f"kg: error: {error}", file=sys.stderr)
        return EXIT_ERROR
    if args.paths:
        rdf_files(args.paths)  # a missing file fails here, not inside the server's start-up
        changes["data"] = tuple(args.paths)
    if args.store is not None:
        changes["store"] = args.store
    if args.token_env is not None:
        token = os.environ.get(args.token_env)
        if not token:
            print(f"kg: error: environment variable {args.token_env} is not set", file=sys.stderr)
            return EXIT_ERROR
        changes["token"] = token
    if args.allow_updates:
        changes["allow_updates"] = True
    if args.query_timeout is not None:
        changes["query_timeout"] = args.query_timeout
    if args.max_results is not None:
        changes["max_results"] = args.max_results
    if args.query_workers is not None:
        changes["query_workers"] = args.query_workers
    if args.cors_origin:
        changes["cors_origins"] = tuple(o.rstrip("/") for o in args.cors_origin)
    if args.endpoint is not None or args.update_endpoint is not None or args.graph_store:
        changes["endpoint"] = _endpoint(args)
    try:
        settings = dataclasses.replace(settings, **changes)
    except ValueError as error:
        print(f"kg: error: {error}", file=sys.stderr)
        return EXIT_ERROR
    if settings.allow_updates and settings.token is None:
        _progress("updates are allowed but no token is set, so none will be accepted")
    uvicorn.run(create_app(settings), host=args.host, port=args.port)
    return EXIT_OK


def _generate(args: argparse.Namespace) -> int:
    from kg.synthetic import generate

    try:
        summary = generate(
            args.out,
            triples=args.triples,
            divisions=args.divisions,
            seed=args.seed,
            format=args.format,
            parts=args.parts,
        )
    except OSError as error:
        print(f"kg: error: {args.out}: cannot write the model: {error}", file=sys.stderr)
        return EXIT_ERROR
    mix = ", ".join(f"{n} {name}" for name, n in summary.divisions.items())
    lines = [
        f"Wrote {summary.triples:,} triples ({sum(summary.divisions.values())} divisions: {mix};"
        f" seed {summary.seed}) in {summary.seconds:.1f} s:",
        *(f"  {path}" for path in summary.files),
        f"  {summary.expected_path}",
    ]
    sys.stdout.write("\n".join(lines) + "\n")
    return EXIT_OK


def _validate(args: argparse.Namespace) -> int:
    model = _open(args, args.paths, default=False)
    try:
        report = validate(model, shapes=args.shapes, engine=args.engine)
    finally:
        model.close()
    if args.format == "json":
        text = report.to_json() + "\n"
    elif args.format == "turtle":
        text = report.to_turtle()
    else:
        text = report.to_text()
    _write(text, args.output, sys.stdout)
    return EXIT_OK if report.conforms else EXIT_VIOLATIONS


def _write(text: str, output: Path | None, stdout: TextIO) -> None:
    if output is None:
        stdout.write(text)
    else:
        output.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    raise SystemExit(main())
