"""A knowledge graph of an enterprise's business model and its enterprise-architecture metamodel.

Load models into an embedded Oxigraph store, validate them against the SHACL shapes, query them
with SPARQL, answer the ten strategic questions, find silos and write the report.

>>> import kg
>>> model = kg.open_model()
>>> kg.validate(model).conforms
True
>>> kg.ask(model, 3).verdict.value  # the ontology alone: nothing to judge
'unknown'
"""

from kg._version import __version__
from kg.answers import Answer, Finding, Level, Subject, Verdict
from kg.caveats import caveats
from kg.errors import (
    KGError,
    QueryError,
    RDFSyntaxError,
    ShapesError,
    SourceError,
    SourceNotFoundError,
    StoreError,
    UnsupportedFormatError,
)
from kg.model import open_model
from kg.ontology import example_path
from kg.questions import QUESTIONS, Parameters, ask, ask_all
from kg.report import Report, build_report, write_report
from kg.silos import SiloAnalysis, SiloParameters, find_silos
from kg.store import KnowledgeGraph, LoadSummary
from kg.validation import Severity, ValidationReport, ValidationResult, validate
from kg.vocab import BM, BMSH

__all__ = [
    "BM",
    "BMSH",
    "QUESTIONS",
    "Answer",
    "Finding",
    "KGError",
    "KnowledgeGraph",
    "Level",
    "LoadSummary",
    "Parameters",
    "QueryError",
    "RDFSyntaxError",
    "Report",
    "Severity",
    "ShapesError",
    "SiloAnalysis",
    "SiloParameters",
    "SourceError",
    "SourceNotFoundError",
    "StoreError",
    "Subject",
    "UnsupportedFormatError",
    "ValidationReport",
    "ValidationResult",
    "Verdict",
    "__version__",
    "ask",
    "ask_all",
    "build_report",
    "caveats",
    "example_path",
    "find_silos",
    "open_model",
    "validate",
    "write_report",
]
