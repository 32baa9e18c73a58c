"""Publish the ontology like a vocabulary: a copy per release, and its documentation.

``python -m kg.publish release`` (``make ontology-release``) copies the live ontology files,
every ``*.ttl`` of the ontology folder and of its ``alignments/`` folder, to
``ontology/<version>/``, ``<version>`` being the ontology's ``owl:versionInfo``. Its
``owl:versionIRI`` must be the ontology's IRI followed by ``/<version>``. Only that folder is
written (replaced when it exists); older versions' folders are left as they are. The package's
own loading never reads them: :mod:`kg.ontology` names its files, and the wheel carries only the
top folder's ``*.ttl``.

``python -m kg.publish docs`` (``make ontology-docs``) writes ``docs/ontology/index.html``: one
offline page made by pyLODE's OntPub profile, documenting every class, every property, every
concept scheme and every concept the ontology's files define (all ``*.ttl`` of the ontology
folder except the shapes). pyLODE 3.3.4 documents classes and properties only (its VocPub
profile is a copy of OntPub), and with concept schemes in the graph it merges their labels into
the ontology's title; so the page is made by a subclass of OntPub that documents the ontology
alone in its metadata, adds sections for the concept schemes and the concepts (with pyLODE's own
section builder), lists on each class the concepts that are its instances, and anchors every
term at its local name, so that ``https://w3id.org/bmkg/ontology#CustomerSegment`` lands on
``index.html#CustomerSegment``. Terms are found by their RDF types, never by name.

>>> VERSION.fullmatch(ontology_version()) is not None
True
>>> terms = documented_terms(vocabulary_graph())
>>> len(terms.classes) > 0 and len(terms.concepts) > 0 and len(terms.schemes) > 0
True
"""

from __future__ import annotations

import argparse
import logging
import os
import re
import shutil
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import rdflib
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SDO, SKOS
from rdflib.term import Literal, URIRef

from kg.errors import KGError
from kg.ontology import ONTOLOGY_IRI, ontology_dir, ontology_path, shapes_path

__all__ = [
    "BASE",
    "DOCS_DIR",
    "VERSION",
    "PublishError",
    "Terms",
    "documented_terms",
    "main",
    "ontology_version",
    "release",
    "release_files",
    "version_iri",
    "vocabulary_graph",
    "write_docs",
]

VERSION = re.compile(r"\d+\.\d+\.\d+(?:-[0-9A-Za-z.]+)?")
"""What a version (``owl:versionInfo``, and the name of its folder) looks like."""

BASE = str(ONTOLOGY_IRI).rsplit("/", 1)[0] + "/"
"""The project's own IRIs start here (the ontology's, the vocabularies', the shapes')."""

DOCS_DIR = Path("docs") / "ontology"
"""Where ``make ontology-docs`` writes the pages, from the repository's top."""

ALIGNMENTS = "alignments"
"""The ontology folder's sub-folder of alignments, released with it when it exists."""

_CLASS_TYPES = (OWL.Class,)
_PROPERTY_TYPES = (OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty, RDF.Property)
# the concepts a scheme holds: not a SKOS property (skos:inScheme has no inverse), only a row
_IN_SCHEME = URIRef("urn:x-bmkg-doc:concepts")


class PublishError(KGError):
    """The ontology cannot be released or documented as it is."""


def version_iri(version: str) -> URIRef:
    """The IRI of one version of the ontology.

    >>> str(version_iri("1.0.0"))
    'https://w3id.org/bmkg/ontology/1.0.0'
    """
    return URIRef(f"{ONTOLOGY_IRI}/{version}")


def ontology_version(graph: rdflib.Graph | None = None) -> str:
    """The ontology's ``owl:versionInfo``, checked against its ``owl:versionIRI``.

    Raises
    ------
    PublishError
        The version is missing or malformed, or the version IRI does not name it.
    """
    if graph is None:
        graph = rdflib.Graph().parse(ontology_path(), format="turtle")
    info = graph.value(ONTOLOGY_IRI, OWL.versionInfo)
    if info is None:
        raise PublishError(f"the ontology <{ONTOLOGY_IRI}> has no owl:versionInfo")
    version = str(info)
    if not VERSION.fullmatch(version):
        raise PublishError(
            f"owl:versionInfo {version!r} is not a version like 1.2.3 (it names a folder)"
        )
    found = graph.value(ONTOLOGY_IRI, OWL.versionIRI)
    if found != version_iri(version):
        raise PublishError(
            f"owl:versionIRI is {f'<{found}>' if found else 'missing'}; for version {version} "
            f"it must be <{version_iri(version)}>"
        )
    return version


def release_files(folder: Path | None = None) -> list[Path]:
    """The files a release copies, relative to the ontology folder.

    >>> [p.as_posix() for p in release_files()][:2]
    ['bmkg.ttl', 'shapes.ttl']
    """
    folder = Path(folder) if folder is not None else ontology_dir()
    files = sorted(p for p in folder.glob("*.ttl") if p.is_file())
    if (folder / ALIGNMENTS).is_dir():
        files += sorted(p for p in (folder / ALIGNMENTS).glob("*.ttl") if p.is_file())
    return [p.relative_to(folder) for p in files]


def release(folder: Path | None = None) -> Path:
    """Copy the live ontology files to ``<folder>/<version>/``; return that folder.

    The version's folder is replaced, so it holds exactly the live files; no other folder is
    touched.
    """
    folder = Path(folder) if folder is not None else ontology_dir()
    source = folder / ontology_path().name
    version = ontology_version(rdflib.Graph().parse(source, format="turtle"))
    target = folder / version
    files = release_files(folder)
    if target.exists():
        shutil.rmtree(target)
    for name in files:
        (target / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(folder / name, target / name)
    return target


def vocabulary_graph(folder: Path | None = None) -> rdflib.Graph:
    """The ontology's files, but the shapes, in one graph: what the documentation shows."""
    folder = Path(folder) if folder is not None else ontology_dir()
    graph = rdflib.Graph()
    for path in sorted(folder.glob("*.ttl")):
        if path.name != shapes_path().name:
            graph.parse(path, format="turtle")
    return graph


@dataclass(frozen=True)
class Terms:
    """The terms a vocabulary graph defines, by kind, each in the order the page shows them."""

    classes: tuple[URIRef, ...]
    properties: tuple[URIRef, ...]
    schemes: tuple[URIRef, ...]
    concepts: tuple[URIRef, ...]
    external: tuple[URIRef, ...]
    """Classes and properties of other vocabularies that the ontology declares (for OWL 2 DL)."""

    @property
    def documented(self) -> tuple[URIRef, ...]:
        """Every term the page documents in a section of its own."""
        return self.classes + self.properties + self.schemes + self.concepts


def _typed(graph: rdflib.Graph, types: Iterable[URIRef]) -> set[URIRef]:
    return {s for kind in types for s in graph.subjects(RDF.type, kind) if isinstance(s, URIRef)}


def _instances(graph: rdflib.Graph, root: URIRef) -> set[URIRef]:
    """Members of ``root`` or of any of its subclasses, however deep."""
    return _typed(graph, graph.transitive_subjects(RDFS.subClassOf, root))  # type: ignore[arg-type]


def _uris(nodes: Iterable[Any]) -> set[URIRef]:
    return {n for n in nodes if isinstance(n, URIRef)}


def _label(graph: rdflib.Graph, term: URIRef) -> str:
    labels = [*graph.objects(term, SKOS.prefLabel), *graph.objects(term, RDFS.label)]
    english = [str(x) for x in labels if isinstance(x, Literal) and x.language == "en"]
    return (english or sorted(str(x) for x in labels) or [str(term)])[0]


def _notation_key(graph: rdflib.Graph, concept: URIRef) -> tuple[int, float, str]:
    notations = sorted(str(n) for n in graph.objects(concept, SKOS.notation))
    if not notations:
        return (1, 0.0, "")
    try:
        return (0, float(notations[0]), notations[0])
    except ValueError:
        return (0, float("inf"), notations[0])


def documented_terms(graph: rdflib.Graph) -> Terms:
    """Find the classes, properties, concept schemes and concepts of a graph by their types.

    Concepts are the members of ``skos:Concept`` and of its subclasses, and the top concepts
    named by ``skos:hasTopConcept``/``skos:topConceptOf``; schemes the members of
    ``skos:ConceptScheme`` and whatever ``skos:inScheme`` or the top-concept links point at.
    Classes and properties outside :data:`BASE` are other vocabularies' terms the ontology
    declares: they are listed apart, in :attr:`Terms.external`.
    """
    concepts = (
        _instances(graph, SKOS.Concept)
        | _uris(graph.subjects(SKOS.topConceptOf))
        | _uris(graph.objects(None, SKOS.hasTopConcept))
    )
    schemes = (
        _instances(graph, SKOS.ConceptScheme)
        | _uris(graph.objects(None, SKOS.inScheme))
        | _uris(graph.objects(None, SKOS.topConceptOf))
        | _uris(graph.subjects(SKOS.hasTopConcept))
    ) - concepts
    classes = _typed(graph, _CLASS_TYPES) - concepts - schemes
    properties = _typed(graph, _PROPERTY_TYPES) - classes - concepts - schemes

    def own(terms: set[URIRef]) -> list[URIRef]:  # by label, as the table of contents shows them
        mine = (t for t in terms if str(t).startswith(BASE))
        return sorted(mine, key=lambda t: (_label(graph, t).casefold(), str(t)))

    def scheme_of(concept: URIRef) -> str:
        found = sorted(
            _label(graph, s)
            for s in _uris(graph.objects(concept, SKOS.inScheme | SKOS.topConceptOf))
            if s in schemes
        )
        return found[0] if found else "\uffff"  # concepts of no scheme come last

    return Terms(
        classes=tuple(own(classes)),
        properties=tuple(own(properties)),
        schemes=tuple(sorted(schemes, key=lambda s: (_label(graph, s).casefold(), str(s)))),
        concepts=tuple(
            sorted(
                concepts,
                key=lambda c: (
                    scheme_of(c).casefold(),
                    _notation_key(graph, c),
                    _label(graph, c).casefold(),
                    str(c),
                ),
            )
        ),
        external=tuple(
            sorted((t for t in classes | properties if not str(t).startswith(BASE)), key=str)
        ),
    )


# ids pyLODE's page uses itself, and those of the sections added here
_RESERVED_IDS = {
    "content",
    "toc",
    "metadata",
    "classes",
    "properties",
    "objectproperties",
    "datatypeproperties",
    "annotationproperties",
    "functionalproperties",
    "namespaces",
    "legend",
    "pylode",
    "p",
    "y",
    "version",
    "profile",
    "schema.org",
    "conceptschemes",
    "concepts",
    "external",
}


def _local_name(term: URIRef) -> str:
    text = str(term)
    return re.split(r"[#/]", text)[-1]


def _anchors(graph: rdflib.Graph, terms: Sequence[URIRef]) -> dict[URIRef, str]:
    """An HTML id for each term: its local name, unless taken or unusable."""
    taken = _RESERVED_IDS | {prefix for prefix, _ in graph.namespaces()}
    anchors: dict[URIRef, str] = {}
    for term in terms:
        local = _local_name(term)
        if not re.fullmatch(r"[A-Za-z_][\w.-]*", local) or local in taken:
            prefix, _, name = graph.namespace_manager.compute_qname(term)
            local = f"{prefix}-{name}" if prefix else re.sub(r"\W", "-", str(term))
        anchor, n = local, 1
        while anchor in taken:
            n += 1
            anchor = f"{local}-{n}"
        taken.add(anchor)
        anchors[term] = anchor
    return anchors


def _documentation_graph(source: rdflib.Graph, terms: Terms) -> rdflib.Graph:
    """The graph pyLODE is given: the source in a fixed order, and a few statements more.

    pyLODE's sections list the members of a type in the order their typing statements were
    added, so those of the documented terms are added last, in the order of :class:`Terms`.
    Other vocabularies' declared terms lose their class and property types (they are listed
    apart), every concept is typed ``skos:Concept`` (pyLODE's section builder finds members of
    one class), each class lists its concepts, each scheme the concepts in it,
    ``skos:narrower`` mirrors ``skos:broader``, and an agent's label is its name.
    """
    from pylode.rdf_elements import ONTDOC

    kinds = {*_CLASS_TYPES, *_PROPERTY_TYPES, SKOS.Concept, SKOS.ConceptScheme}
    placed = {*terms.documented, *terms.external}
    graph = rdflib.Graph(bind_namespaces="core")
    for prefix, namespace in source.namespaces():
        graph.bind(prefix, namespace, override=True, replace=True)
    kept = (t for t in source if not (t[1] == RDF.type and t[0] in placed and t[2] in kinds))
    for triple in sorted(kept):
        graph.add(triple)
    for term in (*terms.classes, *terms.properties):
        for kind in (*_CLASS_TYPES, *_PROPERTY_TYPES):
            if (term, RDF.type, kind) in source:
                graph.add((term, RDF.type, kind))
    for scheme in terms.schemes:
        graph.add((scheme, RDF.type, SKOS.ConceptScheme))
    for concept in terms.concepts:
        graph.add((concept, RDF.type, SKOS.Concept))
        for kind in sorted(_uris(source.objects(concept, RDF.type))):
            if kind not in kinds:
                graph.add((kind, ONTDOC.hasInstance, concept))
        for scheme in sorted(_uris(source.objects(concept, SKOS.inScheme | SKOS.topConceptOf))):
            graph.add((scheme, _IN_SCHEME, concept))
        for broader in sorted(_uris(source.objects(concept, SKOS.broader))):
            graph.add((broader, SKOS.narrower, concept))
    for agent in _uris(source.objects(None, DCTERMS.creator | DCTERMS.publisher)):
        if (agent, SDO.name, None) not in source:
            for name in source.objects(agent, RDFS.label):
                graph.add((agent, SDO.name, name))
    return graph


_EXTRA_CSS = """
        .sup-cs { color: #8a4b08; cursor: help; }
        .sup-con { color: #b35900; }
        #metadata .files { margin-top: 1em; }
        #external ul { columns: 3 16em; padding-left: 1.2em; }
        .to-toc { display: none; }
        @media (max-width: 900px) {
            body { padding: 1em 12px; }
            #pylode { position: static; transform: none; margin-bottom: 1em; }
            #content { width: 100%; }
            #toc { position: static; width: auto; height: auto; border: none;
                   border-top: 1px solid navy; margin-top: 2em; padding: 10px 0; }
            .entity th { width: 6.5em; }
            .entity th, .entity td { padding-bottom: 10px; }
            code { font-size: medium; }
            dd { margin-left: 1.2em; }
            a, code, td { overflow-wrap: anywhere; }
            #legend table.entity { width: 100%; }
            .to-toc { display: block; }
            #toc { font-size: medium; }
            #toc .second li { padding: 5px 0; }
        }
"""

# the sections of the page, in order: (id, title, legend mark, legend text)
_SECTIONS = (
    ("classes", "Classes", "c", "OWL/RDFS Class"),
    ("properties", "Properties", "p", "RDF Property"),
    ("objectproperties", "Object Properties", "op", "OWL Object Property"),
    ("datatypeproperties", "Datatype Properties", "dp", "OWL Datatype Property"),
    ("annotationproperties", "Annotation Properties", "ap", "OWL Annotation Property"),
    ("functionalproperties", "Functional Properties", "fp", "OWL Functional Property"),
    ("conceptschemes", "Concept Schemes", "cs", "SKOS Concept Scheme"),
    ("concepts", "Concepts", "con", "SKOS Concept"),
)

_SCHEME_PROPS = [
    RDFS.isDefinedBy,
    DCTERMS.title,
    DCTERMS.description,
    SKOS.scopeNote,
    SKOS.note,
    DCTERMS.source,
    SKOS.hasTopConcept,
    _IN_SCHEME,
]

_CONCEPT_PROPS = [
    RDFS.isDefinedBy,
    DCTERMS.title,
    DCTERMS.description,
    SKOS.altLabel,
    SKOS.notation,
    RDF.type,
    SKOS.inScheme,
    SKOS.topConceptOf,
    SKOS.broader,
    SKOS.narrower,
    SKOS.related,
    SKOS.exactMatch,
    SKOS.closeMatch,
    SKOS.broadMatch,
    SKOS.narrowMatch,
    SKOS.relatedMatch,
    SKOS.scopeNote,
    SKOS.example,
    SKOS.note,
    SKOS.historyNote,
    SKOS.changeNote,
    DCTERMS.source,
]


def _render(source: rdflib.Graph, *, files_note: list[tuple[str, str]]) -> str:
    """The page's HTML: pyLODE's OntPub, extended (see the module's docstring)."""
    try:
        import dominate.tags as tags
        from dominate.util import raw
        from pylode import OntPub
        from pylode.rdf_elements import ONT_PROPS, ONT_TYPES
        from pylode.utils import make_title_from_iri, prop_obj_pair_html, section_html
    except ImportError as error:  # a development dependency, not the package's
        raise PublishError(
            f"pyLODE is needed to write the documentation ({error}); "
            "install the development dependencies: pip install -e '.[dev]'"
        ) from error

    terms = documented_terms(source)
    graph = _documentation_graph(source, terms)
    anchors = _anchors(graph, terms.documented)
    ONT_TYPES.setdefault(SKOS.ConceptScheme, ("cs", "SKOS Concept Scheme"))
    ONT_TYPES.setdefault(SKOS.Concept, ("con", "SKOS Concept"))
    titles = sorted(
        source.objects(ONTOLOGY_IRI, DCTERMS.title),
        key=lambda t: (getattr(t, "language", None) != "en", str(t)),
    )
    title = str(titles[0]) if titles else _label(source, ONTOLOGY_IRI)

    class Page(OntPub):  # type: ignore[misc]
        def __init__(self) -> None:
            super().__init__(graph)
            self.doc.title = title
            self.fids.update({str(term): anchor for term, anchor in anchors.items()})
            for prop in {*_SCHEME_PROPS, *_CONCEPT_PROPS}:
                if prop not in self.props_labeled:
                    self.props_labeled[prop] = self._prop_label(prop)
            self.props_labeled[_IN_SCHEME] = {
                "title": "concepts",
                "description": "The concepts in this scheme (their skos:inScheme)",
                "ont_title": "this page",
            }

        def _prop_label(self, prop: URIRef) -> dict[str, Any]:
            ont_title = None
            for iri, name in self.back_onts_titles.items():
                if str(prop).startswith(iri):
                    ont_title = name
            return {
                "title": self.back_onts.value(prop, DCTERMS.title) or make_title_from_iri(prop),
                "description": self.back_onts.value(prop, DCTERMS.description),
                "ont_title": ont_title,
            }

        def _make_head(self, schema_org: Any, include_css: bool = True, destination: Any = None):  # type: ignore[no-untyped-def]
            super()._make_head(schema_org, include_css=include_css, destination=destination)
            with self.doc.head:
                tags.style(raw(_EXTRA_CSS))

        def _make_schema_org(self) -> Any:
            found = super()._make_schema_org()
            for scheme in terms.schemes:  # the JSON-LD describes the ontology, not each scheme
                found.remove((scheme, None, None))
            return found

        def _make_metadata(self) -> None:
            # pyLODE merges the metadata of every ontology and concept scheme of the graph
            values: dict[URIRef, list[Any]] = {}
            for prop, value in self.ont.predicate_objects(ONTOLOGY_IRI):
                if prop in ONT_PROPS and prop != DCTERMS.title:
                    values.setdefault(prop, []).append(value)
            section = tags.div(tags.h1(title), id="metadata", _class="section")
            # narrow screens show the table of contents after the content
            section.appendChild(tags.p(tags.a("Table of contents", href="#toc"), _class="to-toc"))
            section.appendChild(tags.h2("Metadata"))
            listing = tags.dl(
                tags.div(tags.dt(tags.strong("IRI")), tags.dd(tags.code(str(ONTOLOGY_IRI))))
            )
            for prop in ONT_PROPS:
                if prop in values:
                    labels = self.props_labeled[prop]
                    listing.appendChild(
                        prop_obj_pair_html(
                            self.ont,
                            self.back_onts,
                            self.ns,
                            "dl",
                            prop,
                            labels["title"],
                            labels["description"],
                            labels["ont_title"],
                            self.fids,
                            values[prop],
                        )
                    )
            if files_note:
                files = tags.div(tags.dt(tags.strong("Files")), _class="files")
                links = [tags.a(text, href=href) for text, href in files_note]
                parts: list[Any] = [x for link in links for x in (" · ", link)][1:]
                files.appendChild(tags.dd(*parts))
                listing.appendChild(files)
            section.appendChild(listing)
            self.content.appendChild(section)

        def _make_main_sections(self) -> None:
            super()._make_main_sections()
            with self.content:
                for kind, key, heading, props in (
                    (SKOS.ConceptScheme, "conceptschemes", "Concept Schemes", _SCHEME_PROPS),
                    (SKOS.Concept, "concepts", "Concepts", _CONCEPT_PROPS),
                ):
                    if (None, RDF.type, kind) in self.ont:
                        part = section_html(
                            heading,
                            self.ont,
                            self.back_onts,
                            self.ns,
                            kind,
                            props,
                            self.toc,
                            key,
                            self.fids,
                            self.props_labeled,
                        )
                        part.render()
                if terms.external:
                    with tags.div(id="external", _class="section"):
                        tags.h2("Terms of other vocabularies")
                        tags.p(
                            "The ontology declares these classes and properties of the "
                            "vocabularies it reuses (as OWL 2 DL asks); they are defined there."
                        )
                        with tags.ul():
                            for term in terms.external:
                                prefix, _, name = self.ont.namespace_manager.compute_qname(term)
                                tags.li(tags.a(tags.code(f"{prefix}:{name}"), href=str(term)))

        def _make_legend(self) -> None:
            with self.content, tags.div(id="legend"):
                tags.h2("Legend")
                with tags.table(_class="entity"):
                    for key, heading, mark, text in _SECTIONS:
                        if self.toc.get(key):
                            tags.tr(
                                tags.td(tags.sup(mark, _class=f"sup-{mark}", title=text)),
                                tags.td(heading),
                            )

        def _make_toc(self) -> None:
            with self.doc, tags.div(id="toc"):
                tags.h3("Table of Contents")
                with tags.ul(_class="first"):
                    tags.li(tags.h4(tags.a("Metadata", href="#metadata")))
                    for key, heading, _, _ in _SECTIONS:
                        if self.toc.get(key):
                            with tags.li():
                                tags.h4(tags.a(heading, href=f"#{key}"))
                                with tags.ul(_class="second"):
                                    for href, text in self.toc[key]:
                                        tags.li(tags.a(text, href=href))
                    if terms.external:
                        tags.li(tags.h4(tags.a("Other vocabularies", href="#external")))
                    with tags.li():
                        tags.h4(tags.a("Namespaces", href="#namespaces"))
                        with tags.ul(_class="second"):
                            for _, prefix in self.toc.get("namespaces", []):
                                tags.li(tags.a(prefix, href=f"#{prefix}"))
                    tags.li(tags.h4(tags.a("Legend", href="#legend")))

    html = str(Page().make_html())
    # every documented term links to its place on this page, wherever its namespace is
    for term, anchor in anchors.items():
        html = html.replace(f'href="{term}"', f'href="#{anchor}"')
    html = html.replace(f'href="{ONTOLOGY_IRI}"', 'href="#metadata"')
    return html.replace(f'href="{_IN_SCHEME}"', 'href="#concepts"')


def write_docs(out: Path | None = None, folder: Path | None = None) -> Path:
    """Write the documentation page ``index.html`` into ``out``; return its path."""
    folder = Path(folder) if folder is not None else ontology_dir()
    out = Path(out) if out is not None else DOCS_DIR
    source = vocabulary_graph(folder)
    version = ontology_version(source)
    out.mkdir(parents=True, exist_ok=True)

    def link(path: Path) -> str:
        return Path(os.path.relpath(path.resolve(), out.resolve())).as_posix()

    files = [
        ("bmkg.ttl (Turtle)", link(folder / ontology_path().name)),
        (f"{version}/bmkg.ttl (this version)", link(folder / version / ontology_path().name)),
        ("shapes.ttl (SHACL shapes)", link(folder / shapes_path().name)),
    ]
    page = out / "index.html"
    page.write_text(_render(source, files_note=files), encoding="utf-8")
    return page


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m kg.publish", description=__doc__.split("\n\n")[0] if __doc__ else None
    )
    parser.add_argument(
        "--ontology-dir",
        type=Path,
        default=None,
        help="the folder of bmkg.ttl and shapes.ttl (default: the package's, or BMKG_ONTOLOGY_DIR)",
    )
    jobs = parser.add_subparsers(dest="job", required=True)
    jobs.add_parser("release", help="copy the ontology's files to ontology/<version>/")
    docs = jobs.add_parser("docs", help="write the HTML documentation with pyLODE")
    docs.add_argument("--out", type=Path, default=DOCS_DIR, help=f"default: {DOCS_DIR}")
    args = parser.parse_args(argv)
    # pyLODE's importing sets the root logger to DEBUG unless logging is set up already
    logging.basicConfig(level=logging.WARNING)
    try:
        if args.job == "release":
            target = release(args.ontology_dir)
            print(f"{target}: {', '.join(p.as_posix() for p in sorted(_listing(target)))}")
        else:
            print(write_docs(args.out, args.ontology_dir))
    except KGError as error:
        print(f"python -m kg.publish: error: {error}", file=sys.stderr)
        return 2
    return 0


def _listing(folder: Path) -> list[Path]:
    return [p.relative_to(folder) for p in folder.rglob("*") if p.is_file()]


if __name__ == "__main__":
    raise SystemExit(main())
