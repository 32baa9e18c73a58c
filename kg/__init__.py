"""A knowledge graph of an enterprise's business model and its enterprise-architecture metamodel.

Load models into an embedded Oxigraph store, validate them against the SHACL shapes, and query
them with SPARQL.

>>> import kg
>>> model = kg.open_model()
>>> kg.validate(model).conforms
True
"""

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
from kg.store import KnowledgeGraph, LoadSummary
from kg.validation import Severity, ValidationReport, ValidationResult, validate
from kg.vocab import BM, BMSH

__version__ = "0.1.0"

__all__ = [
    "BM",
    "BMSH",
    "KGError",
    "KnowledgeGraph",
    "LoadSummary",
    "QueryError",
    "RDFSyntaxError",
    "Severity",
    "ShapesError",
    "SourceError",
    "SourceNotFoundError",
    "StoreError",
    "UnsupportedFormatError",
    "ValidationReport",
    "ValidationResult",
    "__version__",
    "open_model",
    "validate",
]
