"""The errors raised by the ``kg`` library.

Every error the library raises on purpose derives from :class:`KGError`, so a
caller (the CLI, a notebook, a service) can catch that one class and report
the message; the subclasses let it react more precisely::

    KGError
     +-- SourceError            (a file or folder could not be read as RDF)
     |    +-- SourceNotFoundError     (path does not exist / folder has no RDF files)
     |    +-- UnsupportedFormatError  (extension not recognised)
     |    +-- RDFSyntaxError          (malformed content: path, line, column, detail)
     +-- StoreError             (the store could not be opened or written)
     +-- QueryError             (a SPARQL query or update is malformed or cannot run)
     |    +-- RemoteAccessError       (it would reach another server: SERVICE, LOAD)
     |    +-- NestingError            (it is nested deeper than the parsers may go)
     |    +-- QueryLimitError         (it ran past a limit set for it)
     |         +-- QueryTimeoutError       (time)
     |         +-- MemoryLimitError        (memory)
     |         +-- ResultLimitError        (result size)
     |         +-- ChangeLimitError        (quads an update changes)
     |         +-- BusyError               (no free evaluator within its time)
     +-- EvaluationCrashedError (the process evaluating it died; the caller is unaffected)
     +-- NotFoundError          (no entity or graph of that name)
 +-- EnterpriseError        (no such enterprise, or one must be chosen among several)
     +-- NotAcceptableError     (no format the caller takes can hold a result)
     +-- WriteRejectedError     (a write would violate the shapes; nothing changed)
     +-- ShapesError            (the SHACL shapes themselves are unusable)
          +-- UnsupportedShapesError  (shapes the SPARQL engine does not compile)

The ``str()`` of every error says what went wrong and where, in the
``path:line:column: message`` form that editors and CI logs turn into links::

    data/telco/offer.ttl:12:5: malformed Turtle: Unexpected end of file
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

__all__ = [
    "BusyError",
    "ChangeLimitError",
    "EnterpriseError",
    "EvaluationCrashedError",
    "KGError",
    "MemoryLimitError",
    "NestingError",
    "NotAcceptableError",
    "NotFoundError",
    "QueryError",
    "QueryLimitError",
    "QueryTimeoutError",
    "RDFSyntaxError",
    "RemoteAccessError",
    "ResultLimitError",
    "ShapesError",
    "SourceError",
    "SourceNotFoundError",
    "StoreError",
    "UnsupportedFormatError",
    "UnsupportedShapesError",
    "WriteRejectedError",
]


def _location(path: Path | None, message: str) -> str:
    return message if path is None else f"{path}: {message}"


def _position(where: str, line: int | None, column: int | None) -> str:
    if line is None:
        return where
    return f"{where}:{line}" if column is None else f"{where}:{line}:{column}"


class KGError(Exception):
    """Base class of every error raised by the ``kg`` library.

    Every error pickles with all its attributes (the keyword-only constructors of the
    subclasses would otherwise be called without them), so that an error raised in a worker
    process (:mod:`kg.sandbox`) reaches the caller whole.
    """

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild, (type(self), self.args, self.__dict__))


def _rebuild(cls: type[KGError], args: tuple[Any, ...], state: dict[str, Any]) -> KGError:
    error = cls.__new__(cls)
    error.args = args
    error.__dict__.update(state)
    return error


class SourceError(KGError):
    """A file or folder could not be read as RDF.

    Parameters
    ----------
    message
        What went wrong, without the path (it is prefixed by ``str()``).
    path
        The file or folder concerned.

    Attributes
    ----------
    path : Path
        The file or folder concerned, as the caller named it.
    message : str
        What went wrong.
    """

    def __init__(self, message: str, *, path: str | os.PathLike[str]) -> None:
        self.path: Path = Path(path)
        self.message: str = message
        super().__init__(str(self))

    def __str__(self) -> str:
        return _location(self.path, self.message)


class SourceNotFoundError(SourceError):
    """A path does not exist, or a folder holds no RDF file."""


class UnsupportedFormatError(SourceError):
    """A file was named explicitly but its extension is not a known RDF format."""


class RDFSyntaxError(SourceError):
    """A file's content is not valid in its RDF format.

    Parameters
    ----------
    detail
        The parser's description of the problem, without any position.
    path
        The malformed file.
    format_name
        Human name of the format, e.g. ``"Turtle"`` or ``"RDF/XML"``.
    line, column
        1-based start of the problem, when the parser reports one.
    end_line, end_column
        1-based end of the problem, when the parser reports one.

    Attributes
    ----------
    path : Path
    format_name : str
    line, column, end_line, end_column : int or None
    detail : str

    Examples
    --------
    >>> str(RDFSyntaxError("Unexpected end of file", path="data/telco/offer.ttl",
    ...                    format_name="Turtle", line=12, column=5))
    'data/telco/offer.ttl:12:5: malformed Turtle: Unexpected end of file'
    """

    def __init__(
        self,
        detail: str,
        *,
        path: str | os.PathLike[str],
        format_name: str = "RDF",
        line: int | None = None,
        column: int | None = None,
        end_line: int | None = None,
        end_column: int | None = None,
    ) -> None:
        self.detail: str = detail
        self.format_name: str = format_name
        self.line: int | None = line
        self.column: int | None = column
        self.end_line: int | None = end_line
        self.end_column: int | None = end_column
        super().__init__(f"malformed {format_name}: {detail}", path=path)

    def __str__(self) -> str:
        return f"{_position(str(self.path), self.line, self.column)}: {self.message}"


class _MaybeLocatedError(KGError):
    """An error with a message and, when known, the path it concerns."""

    def __init__(self, message: str, *, path: str | os.PathLike[str] | None = None) -> None:
        self.path: Path | None = None if path is None else Path(path)
        self.message: str = message
        super().__init__(str(self))

    def __str__(self) -> str:
        return _location(self.path, self.message)


class StoreError(_MaybeLocatedError):
    """The knowledge graph store could not be opened, read or written.

    Parameters
    ----------
    message
        What went wrong.
    path
        The on-disk store concerned, or ``None`` for an in-memory store.

    Attributes
    ----------
    path : Path or None
    message : str
    """


class QueryError(KGError):
    """A SPARQL query is malformed or cannot be run.

    Parameters
    ----------
    detail
        What is wrong with the query.
    line, column
        1-based position of a syntax error in the query text, when known.
    source
        What the text is, for the message: ``"SPARQL query"`` or ``"SPARQL update"``.

    Examples
    --------
    >>> str(QueryError("expected one of LATERAL, SERVICE", line=1, column=26))
    'SPARQL query:1:26: expected one of LATERAL, SERVICE'
    """

    def __init__(
        self,
        detail: str,
        *,
        line: int | None = None,
        column: int | None = None,
        source: str = "SPARQL query",
    ) -> None:
        self.detail: str = detail
        self.line: int | None = line
        self.column: int | None = column
        self.source: str = source
        super().__init__(str(self))

    def __str__(self) -> str:
        return f"{_position(self.source, self.line, self.column)}: {self.detail}"


class RemoteAccessError(QueryError):
    """A query or update would make the store reach another server (``SERVICE``, ``LOAD``)."""


class NestingError(QueryError):
    """A query or update is nested more deeply than this toolkit lets the SPARQL parsers go."""


class QueryLimitError(QueryError):
    """A query ran past one of the limits set for it (time, memory, result size)."""


class QueryTimeoutError(QueryLimitError):
    """A query ran longer than its time limit and was stopped."""


class MemoryLimitError(QueryLimitError):
    """A query needed more memory than its limit and was stopped."""


class ResultLimitError(QueryLimitError):
    """A query's result is larger than the result-size cap."""


class ChangeLimitError(QueryLimitError):
    """An update would add and remove more quads than the cap allows; nothing was changed."""


class BusyError(QueryLimitError):
    """Every evaluator stayed busy for the whole of a query's time limit; it was not started."""


class EvaluationCrashedError(KGError):
    """The process that evaluated a query died without an answer; the caller is unaffected.

    Attributes
    ----------
    detail : str
        How it ended (the signal or exit status, and the engine's last words if any).
    """

    def __init__(self, detail: str) -> None:
        self.detail: str = detail
        super().__init__(detail)


class NotFoundError(KGError):
    """The model has no entity (or graph) of that name.

    Attributes
    ----------
    iri : str
        What was looked for.
    """

    def __init__(self, iri: str, *, what: str = "entity") -> None:
        self.iri: str = iri
        self.what: str = what
        super().__init__(f"no {what} <{iri}> in the model")


class EnterpriseError(KGError):
    """An answer was asked of an enterprise the model does not hold, or of no enterprise in a
    model of several (where every answer is for one of them).

    Attributes
    ----------
    detail : str
        What went wrong, naming the enterprises to choose from.
    enterprises : list of str
        The IRIs of the model's enterprises.
    name : str or None
        The name asked for that no enterprise has (``None`` when none was given).
    """

    def __init__(self, detail: str, *, enterprises: list[str], name: str | None = None) -> None:
        self.detail: str = detail
        self.enterprises: list[str] = enterprises
        self.name: str | None = name
        super().__init__(detail)


class NotAcceptableError(KGError):
    """None of the formats the caller takes can hold a result.

    Attributes
    ----------
    detail : str
        Why, and what to ask for instead.
    available : tuple of str
        The media types the result can be written in.
    """

    def __init__(self, detail: str, *, available: tuple[str, ...]) -> None:
        self.detail: str = detail
        self.available: tuple[str, ...] = available
        super().__init__(detail)


class WriteRejectedError(KGError):
    """A write was refused because the model would violate its shapes; nothing was changed.

    Attributes
    ----------
    report : kg.validation.ValidationReport
        The validation results the write would have caused.
    """

    def __init__(self, report: Any) -> None:
        self.report = report
        counts = report.counts()
        super().__init__(
            f"the write was rejected: it would leave the model with {counts['Violation']} "
            "violation(s) of its shapes; nothing was changed"
        )


class ShapesError(_MaybeLocatedError):
    """The SHACL shapes themselves are unusable (as opposed to data violating them).

    Parameters
    ----------
    message
        What is wrong with the shapes.
    path
        The shapes file or folder concerned, if known.

    Attributes
    ----------
    path : Path or None
    message : str
    """


class UnsupportedShapesError(ShapesError):
    """The shapes use a SHACL feature that :mod:`kg.shacl` does not compile to SPARQL.

    Validation can still run them with pySHACL (``engine="pyshacl"`` or ``"auto"``).
    """
