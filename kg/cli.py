"""The ``kg`` command line.

``kg validate PATH...`` loads files and folders of RDF, validates them against the shapes and
prints a report; it exits 0 when the model conforms, 1 when it has violations and 2 when the
model could not be loaded (missing file, malformed RDF) or the shapes could not be used.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from kg import __version__
from kg.errors import KGError
from kg.model import open_model
from kg.validation import validate

__all__ = ["main"]

EXIT_OK = 0
EXIT_VIOLATIONS = 1
EXIT_ERROR = 2


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    parser = _parser()
    args = parser.parse_args(argv)
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
    check.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="file or folder")
    check.add_argument(
        "--format",
        "-f",
        choices=("text", "json", "turtle"),
        default="text",
        help="text for people (default), json for programs, turtle for the SHACL report graph",
    )
    check.add_argument("--shapes", type=Path, help="a Turtle file of shapes to use instead")
    check.add_argument(
        "--store", type=Path, help="an on-disk store to load the model into (default: in memory)"
    )
    check.add_argument("--output", "-o", type=Path, help="write the report to a file")
    check.set_defaults(run=_validate)
    return parser


def _validate(args: argparse.Namespace) -> int:
    model = open_model(*args.paths, path=args.store)
    try:
        report = validate(model, shapes=args.shapes)
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
