"""One front for every format: find a file's format, import it, export a model to it.

==============  ======================================  ==========================================
format          files                                   module
==============  ======================================  ==========================================
``archimate``   ``*.xml``: ArchiMate exchange 2.1, 3.x  :mod:`kg.interchange.archimate`
``archi-csv``   ``elements.csv``, ``relations.csv``,    :mod:`kg.interchange.archicsv`
                ``properties.csv`` (with a prefix)
``bmml``        ``*.bmml`` (and ``NAME.bmml.ttl``)      :mod:`kg.interchange.bmml`
``xlsx``        ``*.xlsx`` workbook                     :mod:`kg.interchange.workbook`
``csv``         a folder of the workbook's sheets as    :mod:`kg.interchange.workbook`
                CSV files
==============  ======================================  ==========================================

The CLI (``kg import``, ``kg export``, ``kg template``) and the API's import and export routes
call these functions, so each format behaves the same everywhere.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

import rdflib

from kg.errors import KGError
from kg.interchange.importer import ImportResult, import_exchange
from kg.interchange.mapping import TypeMapping
from kg.store import KnowledgeGraph

__all__ = [
    "FORMATS",
    "Format",
    "FormatError",
    "detect_format",
    "export_graph",
    "import_file",
    "model_graph",
]

Format = Literal["archimate", "archi-csv", "bmml", "xlsx", "csv"]
FORMATS: tuple[Format, ...] = ("archimate", "archi-csv", "bmml", "xlsx", "csv")


class FormatError(KGError):
    """A file whose format cannot be told, or an option the format does not take."""


def detect_format(path: str | os.PathLike[str]) -> Format:
    """The format of a file or folder, from its name (and, for a folder, what it holds).

    >>> detect_format("model.xml"), detect_format("test1-relations.csv")
    ('archimate', 'archi-csv')
    >>> detect_format("canvas.bmml"), detect_format("model.xlsx")
    ('bmml', 'xlsx')
    """
    path = Path(path)
    if path.is_dir():
        if any(path.glob("*elements.csv")):
            return "archi-csv"
        if any(path.glob("*.csv")):
            return "csv"
        raise FormatError(f"{path}: a folder with no CSV files: nothing to import")
    suffix = path.suffix.lower()
    if suffix == ".xml":
        return "archimate"
    if suffix == ".csv" and path.stem.lower().endswith(("elements", "relations", "properties")):
        return "archi-csv"
    if suffix in (".bmml", ".yaml", ".yml"):
        return "bmml"
    if suffix in (".xlsx", ".xlsm"):
        return "xlsx"
    raise FormatError(
        f"{path}: cannot tell the format from the name; give it with --format "
        f"({', '.join(FORMATS)})"
    )


def import_file(
    path: str | os.PathLike[str],
    *,
    format: Format | None = None,
    mapping: TypeMapping | None = None,
    namespace: str | None = None,
    prefix: str | None = None,
) -> ImportResult:
    """Import one file (or folder) in any format.

    ``mapping`` (foreign types to classes) applies to the ArchiMate formats; ``prefix`` picks
    Archi CSV files in a folder (``test1-`` for ``test1-elements.csv``).
    """
    format = format or detect_format(path)
    if format == "archimate":
        from kg.interchange.archimate import read_exchange

        return import_exchange(read_exchange(path), mapping=mapping, namespace=namespace)
    if format == "archi-csv":
        from kg.interchange.archicsv import read_archi_csv

        return import_exchange(read_archi_csv(path, prefix), mapping=mapping, namespace=namespace)
    if format == "bmml":
        from kg.interchange.bmml import read_bmml

        result: ImportResult = read_bmml(path, namespace=namespace)
        return result
    if format == "xlsx":
        from kg.interchange.workbook import read_workbook

        sheets: ImportResult = read_workbook(path, namespace=namespace)
        return sheets
    if format == "csv":
        from kg.interchange.workbook import read_csv_folder

        folder: ImportResult = read_csv_folder(path, namespace=namespace)
        return folder
    raise FormatError(f"unknown format {format!r}; the formats are {', '.join(FORMATS)}")


def export_graph(
    graph: rdflib.Graph,
    format: Format,
    out: str | os.PathLike[str],
    *,
    name: str | None = None,
    enterprise: str | None = None,
    portfolio: str | None = None,
    stage: str | None = None,
    prefix: str = "",
) -> list[Path]:
    """Write a model (without the ontology) in one format; return the files written.

    ``out`` is a file for ``archimate``, ``bmml`` (with its companion beside it) and ``xlsx``,
    and a folder for ``archi-csv`` and ``csv``. ``enterprise``, ``portfolio`` and ``stage`` are
    for BMML (one enterprise per canvas), ``prefix`` for Archi CSV.
    """
    out = Path(out)
    try:
        (out if format in ("archi-csv", "csv") else out.parent).mkdir(parents=True, exist_ok=True)
        return _export(graph, format, out, name, enterprise, portfolio, stage, prefix)
    except OSError as exc:
        raise FormatError(f"{out}: cannot write: {exc.strerror or exc}") from exc


def _export(
    graph: rdflib.Graph,
    format: Format,
    out: Path,
    name: str | None,
    enterprise: str | None,
    portfolio: str | None,
    stage: str | None,
    prefix: str,
) -> list[Path]:
    if format == "archimate":
        from kg.interchange.archimate import exchange_xml, schema_errors, write_exchange
        from kg.interchange.exporter import to_exchange

        model = to_exchange(graph, name=name)
        errors = schema_errors(exchange_xml(model))
        if errors:  # a fault of ours, never of the user's: say so rather than write it
            raise FormatError(
                "the exchange file would not be valid against the ArchiMate 3.1 schema: "
                + "; ".join(errors[:3])
            )
        return [write_exchange(model, out)]
    if format == "archi-csv":
        from kg.interchange.archicsv import write_archi_csv
        from kg.interchange.exporter import to_exchange

        return write_archi_csv(to_exchange(graph, name=name, lang_in_keys=True), out, prefix)
    if format == "bmml":
        from kg.interchange.bmml import write_bmml

        return write_bmml(graph, out, enterprise=enterprise, portfolio=portfolio, stage=stage)
    if format == "xlsx":
        from kg.interchange.workbook import write_template

        write_template(out, example=graph)
        return [out]
    if format == "csv":
        from kg.interchange.workbook import write_csv_folder

        write_csv_folder(graph, out)
        return sorted(out.iterdir())
    raise FormatError(f"unknown format {format!r}; the formats are {', '.join(FORMATS)}")


def model_graph(model: KnowledgeGraph) -> rdflib.Graph:
    """The model's own statements, without the ontology, as an rdflib graph (to export)."""
    from kg.ontology import ONTOLOGY_IRI
    from kg.rdflibstore import rdflib_term

    graph = rdflib.Graph()
    for name in model.graphs():
        if name == str(ONTOLOGY_IRI):
            continue
        for triple in model.triples(name):
            graph.add(
                (
                    rdflib_term(triple.subject),
                    rdflib_term(triple.predicate),
                    rdflib_term(triple.object),
                )
            )
    return graph
