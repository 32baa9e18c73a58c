"""What a client's SPARQL may do here, decided on the parsed query rather than its text.

A store asked to evaluate ``SERVICE`` or ``LOAD`` fetches another server on the client's
behalf. Spotting those keywords in the text is not enough: a tokenizer that differs from the
engine's in one corner (an escaped ``\\#`` in a prefixed name, a carriage return ending a
comment) hides them. :func:`check` therefore parses the text with rdflib's SPARQL 1.1 grammar and
looks for the grammar's own ``SERVICE`` pattern and ``LOAD`` operation, wherever and however
they are written. Two more guards stand behind it:

- A second parser is still a second parser, and Oxigraph reads some text rdflib does not (RDF
  1.2 triple terms, for one). :func:`check` says whether rdflib could read the text; where it
  could not, the caller lets Oxigraph decide only inside a :class:`~kg.sandbox.Sandbox` child
  that cannot open network sockets, and refuses the text otherwise.
- Both parsers recurse once per nesting level, and the engine's parser overflows its thread's
  stack (a crash, not an error) a few thousand levels down. :func:`nesting` measures the depth
  first, without recursion, and :func:`check` refuses anything deeper than
  :data:`MAX_NESTING` before a parser sees it.

>>> check("SELECT * WHERE { ?s ?p ?o }", update=False) is None
True
>>> try:
...     check("SELECT * { SERVICE <http://example.org/sparql> { ?s ?p ?o } }", update=False)
... except RemoteAccessError as refused:
...     print(refused.detail)
SERVICE is not allowed here: this endpoint does not reach other servers
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, Final

from pyparsing import ParseBaseException, ParseResults
from rdflib.plugins.sparql import parser as _grammar
from rdflib.plugins.sparql.parserutils import CompValue

from kg.errors import NestingError, QueryError, RemoteAccessError

__all__ = ["MAX_NESTING", "check", "nesting"]

MAX_NESTING: Final = 128
"""Deepest nesting (brackets, braces, parentheses, triple terms, chained prefix operators)
accepted; real queries stay far below it."""

# The parts of SPARQL text that nest, and those inside which nothing does. Where this reads
# text differently from a parser, the depth it reports is off, never the decision on remote
# access, which is the parsers' alone.
_TOKENS = re.compile(
    r'(?P<skip>"""(?:[^"\\]|\\.|"(?!""))*(?:"""|$)|\'\'\'(?:[^\'\\]|\\.|\'(?!\'\'))*(?:\'\'\'|$)'
    r'|"(?:[^"\\\n\r]|\\.)*"?|\'(?:[^\'\\\n\r]|\\.)*\'?'
    r"|<[^<>\"{}|^`\\\x00-\x20]*>|#[^\n\r]*)"
    r"|(?P<open><<|[\[({])|(?P<close>>>|[\])}])"
    r"|(?P<prefix>[!^+\-](?:\s*[!^+\-])*)",
    re.DOTALL,
)
_OPERATOR = re.compile(r"[!^+\-]")
_REMOTE: Final = {"ServiceGraphPattern": "SERVICE", "Load": "LOAD"}


def nesting(text: str) -> int:
    """How deeply ``text`` nests, counted without recursion.

    Brackets, braces, parentheses and ``<< >>`` each open a level, and a chain of prefix
    operators (``! ! !``, ``^^``) counts one level per operator, since parsers recurse on each.
    Strings, IRIs and comments do not count.

    >>> nesting("SELECT * WHERE { FILTER((?a > 1) && ?b) }")
    3
    >>> nesting("ASK { FILTER(!!!true) }")
    5
    """
    depth = deepest = 0
    for token in _TOKENS.finditer(text):
        kind = token.lastgroup
        if kind == "open":
            depth += 1
            deepest = max(deepest, depth)
        elif kind == "close":
            depth = max(depth - 1, 0)
        elif kind == "prefix":
            deepest = max(deepest, depth + len(_OPERATOR.findall(token.group())))
    return deepest


def check(text: str, *, update: bool) -> QueryError | None:
    """Refuse SPARQL that nests too deeply or reaches another server.

    Parameters
    ----------
    text
        A SPARQL 1.1 query, or an update when ``update`` is true.
    update
        Which of the two grammars to read ``text`` with.

    Returns
    -------
    QueryError or None
        ``None`` when rdflib's grammar read the text: the decision is final. Otherwise the
        error saying why it could not (with its position), for the caller to raise unless a
        parser of the engine's own, run where it cannot reach the network, may decide.

    Raises
    ------
    NestingError
        The text nests more than :data:`MAX_NESTING` levels deep.
    RemoteAccessError
        The parsed text holds a ``SERVICE`` pattern or a ``LOAD`` operation.
    """
    what = "update" if update else "query"
    source = f"SPARQL {what}"
    depth = nesting(text)
    if depth > MAX_NESTING:
        raise NestingError(
            f"the {what} nests {depth} levels deep; this endpoint reads at most {MAX_NESTING}",
            source=source,
        )
    # rdflib ends a comment only at a line feed; SPARQL (and Oxigraph) also at a carriage
    # return. Read with the same line ends, the two see the same comments. Nothing else in the
    # grammar reads a carriage return differently from a line feed.
    readable = text.replace("\r", "\n")
    try:
        tree = (_grammar.UpdateUnit if update else _grammar.Query).parse_string(
            readable, parse_all=True
        )
    except ParseBaseException as error:
        return QueryError(
            f"the {what} is not SPARQL 1.1 as this endpoint reads it: {error.msg}",
            line=error.lineno,
            column=error.col,
            source=source,
        )
    except RecursionError:
        raise NestingError(
            f"the {what} nests {depth} levels deep, deeper than this process's parser can go "
            f"(a sandbox's worker reads up to {MAX_NESTING})",
            source=source,
        ) from None
    except Exception as error:  # a parse action's own failure
        return QueryError(
            f"the {what} is not SPARQL 1.1 as this endpoint reads it: {error}", source=source
        )
    for name in _names(tree):
        if name in _REMOTE:
            raise RemoteAccessError(
                f"{_REMOTE[name]} is not allowed here: this endpoint does not reach other servers",
                source=source,
            )
    return None


def _names(tree: Any) -> Iterator[str]:
    """The names of every grammar rule in a parse tree, walked without recursion."""
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, CompValue):
            yield node.name
            stack.extend(node.values())
        elif isinstance(node, ParseResults | list | tuple):
            stack.extend(node)
        elif isinstance(node, dict):
            stack.extend(node.values())
