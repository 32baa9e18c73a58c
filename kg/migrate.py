"""Rewrite a model's files from an older version of the ontology to the current one.

Version 0.2.0 moved the controlled vocabularies (the concepts such as ``bm:Live``, their classes
and their schemes) from ``bm:`` to their own namespace ``bmv:``. The ontology keeps each old name
as a deprecated term with ``dcterms:isReplacedBy`` its new one, validation reports a model that
still uses an old name, and :func:`migrate_file` rewrites a file in place.

The rewrite edits the text, so comments, layout and prefixes stay as they were: in Turtle, TriG
and N3 the prefixed names and full IRIs outside strings and comments, in the other formats the
full IRIs (and, in JSON-LD, compact IRIs of a prefix bound to the old namespace). It is then
checked: the rewritten file must parse to exactly the statements of the original with the old
names replaced. If it does not (an unusual way of writing an IRI, say), the file is left as it was
and the error says so; ``reformat=True`` then writes the renamed statements re-serialised instead,
which loses comments and layout but nothing else.

>>> text = '''@prefix bm: <https://w3id.org/bmkg/ontology#> .
... <urn:p> bm:lifecycleStatus bm:Live .
... '''
>>> print(rewrite_text(text, ".ttl")[0], end="")
@prefix bm: <https://w3id.org/bmkg/ontology#> .
@prefix bmv: <https://w3id.org/bmkg/vocab#> .
<urn:p> bm:lifecycleStatus bmv:Live .
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import rdflib
from rdflib.compare import isomorphic
from rdflib.term import Node, URIRef

from kg.errors import KGError
from kg.ontology import renamed_terms
from kg.store import rdf_files

__all__ = ["Migration", "MigrationError", "migrate_file", "renames", "rewrite_text"]

_TURTLE_LIKE = (".ttl", ".turtle", ".trig", ".n3")
_TOKENISED = (*_TURTLE_LIKE, ".nt", ".ntriples", ".nq")  # strings and IRIs as in Turtle
_RDFLIB_FORMATS = {
    ".ttl": "turtle",
    ".turtle": "turtle",
    ".trig": "trig",
    ".n3": "n3",
    ".nt": "nt",
    ".ntriples": "nt",
    ".nq": "nquads",
    ".jsonld": "json-ld",
    ".json-ld": "json-ld",
    ".rdf": "xml",
    ".owl": "xml",
    ".xml": "xml",
}
_QUADS = {"trig", "nquads", "json-ld"}

# Turtle's tokens that can hold text which is not a name: strings (long ones first), IRIs and
# comments. Whatever else matches _PREFIXED is a prefixed name.
_SKIP = r'"""(?:[^"\\]|\\.|"(?!""))*"""' + r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
_SKIP += r'|"(?:[^"\\\n]|\\.)*"' + r"|'(?:[^'\\\n]|\\.)*'" + r"|<[^<>\"{}|^`\\\s]*>|#[^\n]*"
_NAME_END = r"(?![\w\-]|\.[\w\-])"
_PREFIX_LINE = re.compile(
    r"^[ \t]*(?:@prefix|PREFIX)[ \t]+([A-Za-z][\w\-.]*)?:[ \t]*<([^>]*)>[ \t]*\.?[ \t]*$",
    re.M | re.I,
)


class MigrationError(KGError):
    """A file could not be rewritten without changing more than the renamed terms."""


@dataclass(frozen=True)
class Migration:
    """What :func:`migrate_file` did to one file.

    Attributes
    ----------
    path : Path
        The file.
    renamed : int
        How many uses of old names were rewritten (0: the file was already current).
    written : bool
        Whether the file was written (not with ``check=True``, nor when nothing changed).
    reformatted : bool
        Whether it was re-serialised rather than edited (``reformat=True`` after a failed edit).
    """

    path: Path
    renamed: int
    written: bool
    reformatted: bool = False


def renames() -> Mapping[str, str]:
    """Every deprecated term of the ontology and the term that replaced it
    (:func:`kg.ontology.renamed_terms`)."""
    return renamed_terms()


def _namespaces(mapping: Mapping[str, str]) -> dict[str, str]:
    """Old namespace -> new namespace, for each old name (all names end in a plain local)."""
    pairs = {}
    for old, new in mapping.items():
        pairs[_split(old)[0]] = _split(new)[0]
    return pairs


def _split(iri: str) -> tuple[str, str]:
    cut = max(iri.rfind("#"), iri.rfind("/")) + 1
    return iri[:cut], iri[cut:]


def rewrite_text(
    text: str, suffix: str, mapping: Mapping[str, str] | None = None
) -> tuple[str, int]:
    """The text with every old name replaced, and how many uses were replaced.

    ``suffix`` is the file's extension (it decides the syntax); ``mapping`` defaults to
    :func:`renames`.
    """
    mapping = renames() if mapping is None else mapping
    if not mapping:
        return text, 0
    suffix = suffix.lower()
    count = 0
    old_iri = re.compile(
        "(" + "|".join(re.escape(o) for o in sorted(mapping, key=len, reverse=True)) + ")"
        r"(?![\w\-])"
    )

    def full(match: re.Match[str]) -> str:
        nonlocal count
        count += 1
        return mapping[match.group(1)]

    if suffix not in _TOKENISED:
        text = old_iri.sub(full, text)
        if suffix in (".jsonld", ".json-ld"):
            text, compact = _json_ld_compact(text, mapping)
            count += compact
        return text, count

    declared = {m.group(1) or "": m.group(2) for m in _PREFIX_LINE.finditer(text)}
    new_prefix: dict[str, str | None] = {}
    inserts: dict[str, str] = {}
    for old_ns, new_ns in _namespaces(mapping).items():
        if old_ns not in declared.values():
            continue
        bound = [p for p, ns in declared.items() if ns == new_ns]
        if bound:
            new_prefix[new_ns] = bound[0]
        elif "bmv" not in declared and new_ns == "https://w3id.org/bmkg/vocab#":
            new_prefix[new_ns] = "bmv"
            inserts[old_ns] = new_ns
        else:
            new_prefix[new_ns] = None  # no free prefix: write full IRIs
    old_prefixes = {p: ns for p, ns in declared.items() if ns in _namespaces(mapping)}
    if old_prefixes:
        names = "|".join(re.escape(p) for p in sorted(old_prefixes, key=len, reverse=True))
        pattern = re.compile(
            f"({_SKIP})|(?<![\\w\\-.:])({names}):([A-Za-z_][\\w\\-]*(?:\\.[\\w\\-]+)*){_NAME_END}"
        )
    else:
        pattern = re.compile(f"({_SKIP})")

    def token(match: re.Match[str]) -> str:
        nonlocal count
        skipped = match.group(1)
        if skipped is not None:
            if skipped.startswith("<"):
                return old_iri.sub(full, skipped)
            return skipped
        iri = old_prefixes[match.group(2)] + match.group(3)
        if iri not in mapping:
            return match.group(0)
        count += 1
        new = mapping[iri]
        namespace, local = _split(new)
        prefix = new_prefix.get(namespace)
        return f"{prefix}:{local}" if prefix is not None else f"<{new}>"

    text = pattern.sub(token, text)
    if count:
        for old_ns, new_ns in inserts.items():
            text = _declare(text, old_ns, new_prefix[new_ns] or "", new_ns)
    return text, count


def _declare(text: str, old_ns: str, prefix: str, namespace: str) -> str:
    """Add a prefix declaration for ``namespace`` after the one of ``old_ns``, in its style."""
    for match in _PREFIX_LINE.finditer(text):
        if match.group(2) == old_ns:
            line = match.group(0)
            old = f"{match.group(1) or ''}:"
            # Keep the IRIs lined up when the declarations are: "bm:      <" becomes "bmv:     <".
            gap = re.match(r"[ \t]*", line[line.index(old) + len(old) :]).group(0)  # type: ignore[union-attr]
            wider = len(prefix) + 1 - len(old)
            spaces = " " * max(1, len(gap) - wider) if gap and "\t" not in gap else gap or " "
            added = line.replace(old + gap, f"{prefix}:{spaces}", 1)
            added = added.replace(f"<{old_ns}>", f"<{namespace}>", 1)
            return text[: match.end()] + "\n" + added + text[match.end() :]
    return text


def _json_ld_compact(text: str, mapping: Mapping[str, str]) -> tuple[str, int]:
    """Compact IRIs (``"bm:Live"``) of prefixes bound to an old namespace, as full new IRIs."""
    count = 0
    for old_ns in _namespaces(mapping):
        for prefix in re.findall(r'"([A-Za-z][\w\-]*)"\s*:\s*"' + re.escape(old_ns) + '"', text):
            compact = re.compile(r'"' + re.escape(prefix) + r':([A-Za-z_][\w\-]*)"')

            def replace(match: re.Match[str], namespace: str = old_ns) -> str:
                nonlocal count
                iri = namespace + match.group(1)
                if iri not in mapping:
                    return match.group(0)
                count += 1
                return f'"{mapping[iri]}"'

            text = compact.sub(replace, text)
    return text, count


def _parse(text: str, rdf_format: str, path: Path) -> rdflib.Dataset:
    dataset = rdflib.Dataset()
    target: rdflib.Graph = dataset if rdf_format in _QUADS else dataset.default_graph
    try:
        target.parse(data=text, format=rdf_format, publicID=path.resolve().as_uri())
    except Exception as error:  # rdflib's parsers raise many kinds
        raise MigrationError(f"{path}: cannot be read as {rdf_format}: {error}") from error
    return dataset


def _renamed(dataset: rdflib.Dataset, mapping: Mapping[str, str]) -> rdflib.Dataset:
    def term(node: Node) -> Node:
        return (
            URIRef(mapping[str(node)])
            if isinstance(node, URIRef) and str(node) in mapping
            else node
        )

    result = rdflib.Dataset()
    for s, p, o, g in dataset.quads((None, None, None, None)):
        quad = (term(s), term(p), term(o), term(g) if g is not None else None)
        result.add(quad)  # type: ignore[arg-type]  # rdflib takes a graph's name too
    for prefix, namespace in dataset.namespace_manager.namespaces():
        result.bind(prefix, namespace, override=False)
    return result


def _same(left: rdflib.Dataset, right: rdflib.Dataset) -> bool:
    def graphs(dataset: rdflib.Dataset) -> dict[Node | None, rdflib.Graph]:
        found: dict[Node | None, rdflib.Graph] = {}
        for s, p, o, g in dataset.quads((None, None, None, None)):
            found.setdefault(g, rdflib.Graph()).add((s, p, o))
        return found

    mine, theirs = graphs(left), graphs(right)
    return mine.keys() == theirs.keys() and all(isomorphic(mine[g], theirs[g]) for g in mine)


def migrate_file(
    path: str | os.PathLike[str], *, check: bool = False, reformat: bool = False
) -> Migration:
    """Rewrite one RDF file's old names in place (see the module's description).

    Parameters
    ----------
    path
        The file; its extension says its format.
    check
        Only find out whether the file needs rewriting: nothing is written.
    reformat
        When the text cannot be edited safely, write the renamed statements re-serialised.

    Raises
    ------
    MigrationError
        The file cannot be read, or cannot be edited safely and ``reformat`` is not set. The
        file is then unchanged.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in _RDFLIB_FORMATS:
        raise MigrationError(f"{path}: unsupported extension {suffix or '(none)'!r}")
    rdf_format = _RDFLIB_FORMATS[suffix]
    try:
        original = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise MigrationError(f"{path}: cannot be read: {error}") from error
    mapping = renames()
    before = _parse(original, rdf_format, path)
    expected = _renamed(before, mapping)
    uses = sum(
        1
        for quad in before.quads((None, None, None, None))
        for node in quad
        if isinstance(node, URIRef) and str(node) in mapping
    )
    if uses == 0:
        return Migration(path, 0, False)
    text, _ = rewrite_text(original, suffix, mapping)
    reformatted = False
    if not _same(_parse(text, rdf_format, path), expected):
        if not reformat:
            raise MigrationError(
                f"{path}: its {uses} uses of renamed terms cannot be rewritten in the text without "
                "changing something else; the file is unchanged (use --reformat to write its "
                "statements re-serialised, without its comments and layout)"
            )
        expected.bind("bmv", "https://w3id.org/bmkg/vocab#", override=False)
        target = expected if rdf_format in _QUADS else expected.default_graph
        text = target.serialize(format=rdf_format)
        reformatted = True
    if not check:
        _replace(path, text)
    return Migration(path, uses, not check, reformatted)


def _replace(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` atomically, keeping the file's permissions."""
    mode = path.stat().st_mode
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
            out.write(text)
        os.chmod(temporary, mode & 0o7777)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def migrate(
    paths: Iterable[str | os.PathLike[str]], *, check: bool = False, reformat: bool = False
) -> tuple[list[Migration], list[MigrationError]]:
    """:func:`migrate_file` for each RDF file of ``paths`` (files and folders); every file is
    tried, and the errors are returned beside the results."""
    done, failed = [], []
    for file in rdf_files(list(paths)):
        try:
            done.append(migrate_file(file, check=check, reformat=reformat))
        except MigrationError as error:
            failed.append(error)
    return done, failed
