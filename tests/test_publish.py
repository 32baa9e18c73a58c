"""The ontology is published like a vocabulary: a copy per version, its documentation, and the
w3id.org rules that resolve its IRIs (kg.publish, docs/ontology/, docs/w3id/)."""

from __future__ import annotations

import fnmatch
import re
import shutil
import tomllib
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import pyoxigraph
import pytest
import rdflib
from rdflib.compare import isomorphic
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from kg.ontology import ONTOLOGY_IRI
from kg.publish import (
    VERSION,
    PublishError,
    ontology_version,
    release,
    release_files,
    version_iri,
    write_docs,
)

ROOT = Path(__file__).resolve().parent.parent
ONTOLOGY = ROOT / "ontology"
DOCS = ROOT / "docs" / "ontology"
HTACCESS = ROOT / "docs" / "w3id" / ".htaccess"
BASE = "https://w3id.org/bmkg/"
SH = rdflib.Namespace("http://www.w3.org/ns/shacl#")


def _parse(path: Path) -> rdflib.Graph:
    return rdflib.Graph().parse(path, format="turtle")


def _live_version() -> str:
    return ontology_version(_parse(ONTOLOGY / "bmkg.ttl"))


def _vocabulary() -> rdflib.Graph:
    """Every file of the ontology folder but the shapes: what the documentation shows."""
    graph = rdflib.Graph()
    for path in sorted(ONTOLOGY.glob("*.ttl")):
        if path.name != "shapes.ttl":
            graph.parse(path, format="turtle")
    return graph


# ---- the copy per version ---------------------------------------------------------------------


def _canonical(path: Path) -> set[pyoxigraph.Quad]:
    dataset = pyoxigraph.Dataset(pyoxigraph.parse(path=path, format=pyoxigraph.RdfFormat.TURTLE))
    dataset.canonicalize(pyoxigraph.CanonicalizationAlgorithm.UNSTABLE)
    return set(dataset)


def _isomorphic(one: Path, other: Path) -> bool:
    """Whether two Turtle files hold the same graph, blank nodes aside.

    Oxigraph's canonical forms are equal when they are (in milliseconds); rdflib's exhaustive
    comparison, which takes half a minute on the shapes' blank nodes, has the last word.
    """
    if _canonical(one) == _canonical(other):
        return True
    return isomorphic(_parse(one), _parse(other))


def _release_problems(folder: Path) -> list[str]:
    """What is wrong with the current version's copy in an ontology folder."""
    version = ontology_version(_parse(folder / "bmkg.ttl"))
    target = folder / version
    fix = f"run `make ontology-release` and commit ontology/{version}/"
    if not target.is_dir():
        return [f"there is no ontology/{version}/ for version {version}: {fix}"]
    problems = []
    live = {p.as_posix() for p in release_files(folder)}
    copied = {p.relative_to(target).as_posix() for p in target.rglob("*.ttl")}
    for name in sorted(live - copied):
        problems.append(f"ontology/{version}/{name} is missing: {fix}")
    for name in sorted(copied - live):
        problems.append(f"ontology/{version}/{name} is no longer in ontology/: {fix}")
    for name in sorted(live & copied):
        if not _isomorphic(folder / name, target / name):
            problems.append(f"ontology/{version}/{name} differs from ontology/{name}: {fix}")
    return problems


def test_the_current_version_has_its_released_copy() -> None:
    assert _release_problems(ONTOLOGY) == []


def test_every_version_folder_holds_its_version() -> None:
    folders = [p for p in ONTOLOGY.iterdir() if p.is_dir() and VERSION.fullmatch(p.name)]
    assert _live_version() in {p.name for p in folders}
    for folder in folders:
        graph = _parse(folder / "bmkg.ttl")
        assert str(graph.value(ONTOLOGY_IRI, OWL.versionInfo)) == folder.name, folder
        assert graph.value(ONTOLOGY_IRI, OWL.versionIRI) == version_iri(folder.name), folder


@pytest.fixture
def ontology_copy(tmp_path: Path) -> Path:
    """A copy of the live ontology folder, without its version folders."""
    folder = tmp_path / "ontology"
    for name in release_files(ONTOLOGY):
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(ONTOLOGY / name, folder / name)
    return folder


def test_a_change_without_a_release_fails_naming_the_make_target(ontology_copy: Path) -> None:
    release(ontology_copy)
    assert _release_problems(ontology_copy) == []
    with (ontology_copy / "bmkg.ttl").open("a", encoding="utf-8") as ttl:
        ttl.write('\nbm:Enterprise rdfs:comment "changed after the release"@en .\n')
    [problem] = _release_problems(ontology_copy)
    assert "bmkg.ttl differs" in problem and "make ontology-release" in problem


def test_a_release_writes_only_the_current_version(ontology_copy: Path) -> None:
    version = _live_version()
    older = ontology_copy / "0.0.1"
    older.mkdir()
    (older / "bmkg.ttl").write_text("# an old release, left alone\n", encoding="utf-8")
    stale = ontology_copy / version / "stale.ttl"
    stale.parent.mkdir()
    stale.write_text("# no longer in ontology/\n", encoding="utf-8")

    target = release(ontology_copy)

    assert target == ontology_copy / version
    assert (older / "bmkg.ttl").read_text(encoding="utf-8") == "# an old release, left alone\n"
    assert not stale.exists()
    for name in release_files(ontology_copy):
        assert (target / name).read_bytes() == (ontology_copy / name).read_bytes()
    versions = [p.name for p in ontology_copy.iterdir() if p.is_dir() and VERSION.fullmatch(p.name)]
    assert sorted(versions) == ["0.0.1", version]


def test_a_release_takes_the_alignments_along(ontology_copy: Path) -> None:
    alignments = ontology_copy / "alignments"
    alignments.mkdir(exist_ok=True)
    (alignments / "extra.ttl").write_text(
        "<https://example.org/a> <https://example.org/b> <https://example.org/c> .\n",
        encoding="utf-8",
    )
    target = release(ontology_copy)
    assert (target / "alignments" / "extra.ttl").is_file()


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            f"owl:versionIRI <{ONTOLOGY_IRI}/",
            f"owl:versionIRI <{ONTOLOGY_IRI}/9.9.9-",
            "it must be",
        ),
        ('owl:versionInfo "', 'owl:versionInfo "../', "is not a version"),
    ],
)
def test_a_release_refuses_an_inconsistent_version(
    ontology_copy: Path, old: str, new: str, message: str
) -> None:
    ttl = ontology_copy / "bmkg.ttl"
    text = ttl.read_text(encoding="utf-8")
    assert old in text
    ttl.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(PublishError, match=message):
        release(ontology_copy)
    assert [p for p in ontology_copy.iterdir() if p.is_dir() and VERSION.fullmatch(p.name)] == []


def _matches(pattern: str, path: str) -> bool:
    """setuptools' package-data glob: ``*`` never crosses a folder."""
    parts, names = pattern.split("/"), path.split("/")
    return len(parts) == len(names) and all(map(fnmatch.fnmatchcase, names, parts))


def test_the_version_folders_stay_out_of_the_package() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = config["tool"]["setuptools"]["package-data"]["bmkg_ontology"]
    assert any(_matches(p, "bmkg.ttl") for p in patterns)
    version = _live_version()
    for name in release_files(ONTOLOGY):
        assert not any(_matches(p, f"{version}/{name.as_posix()}") for p in patterns), name


# ---- the documentation ------------------------------------------------------------------------


def _expected_terms(graph: rdflib.Graph) -> dict[str, set[rdflib.URIRef]]:
    """Every class, property, concept scheme and concept, found by its RDF type."""

    def typed(*kinds: rdflib.URIRef) -> set[rdflib.URIRef]:
        return {
            s
            for kind in kinds
            for s in graph.subjects(RDF.type, kind)
            if isinstance(s, rdflib.URIRef)
        }

    def ours(terms: set[rdflib.URIRef]) -> set[rdflib.URIRef]:
        return {t for t in terms if str(t).startswith(BASE)}

    concept_classes = {
        c
        for c in graph.transitive_subjects(RDFS.subClassOf, SKOS.Concept)
        if isinstance(c, rdflib.URIRef)
    }
    return {
        "class": ours(typed(OWL.Class)),
        "property": ours(typed(OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)),
        "concept scheme": typed(SKOS.ConceptScheme),
        "concept": typed(*concept_classes),
    }


class _Page(HTMLParser):
    """The terms a pyLODE page documents (each entity box's IRI and id), its ids and links."""

    def __init__(self) -> None:
        super().__init__()
        self.entities: dict[str, str] = {}
        self.ids: list[str] = []
        self.links: list[str] = []
        self.fetched: list[str] = []
        self._entity: str | None = None
        self._in_code = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if a.get("id"):
            self.ids.append(str(a["id"]))
        if tag == "a" and a.get("href"):
            self.links.append(str(a["href"]))
        if tag in {"script", "img", "iframe"} and a.get("src"):
            self.fetched.append(str(a["src"]))
        if tag == "link" and not str(a.get("href", "")).startswith("data:"):
            self.fetched.append(str(a.get("href")))
        if tag == "div" and "entity" in str(a.get("class", "")).split() and a.get("id"):
            self._entity = str(a["id"])
        self._in_code = tag == "code" and self._entity is not None

    def handle_data(self, data: str) -> None:
        if self._in_code and self._entity is not None:
            self.entities[data.strip()] = self._entity
            self._entity, self._in_code = None, False


def _check_page(html: str, where: str) -> list[str]:
    """Everything the page fails to document, or documents badly, as messages."""
    page = _Page()
    page.feed(html)
    problems = []
    for kind, terms in _expected_terms(_vocabulary()).items():
        problems += [
            f"{where} does not document the {kind} <{t}>"
            for t in sorted(terms)
            if str(t) not in page.entities
        ]
    if not problems:
        every = [t for terms in _expected_terms(_vocabulary()).values() for t in terms]
        local = [re.split(r"[#/]", str(t))[-1] for t in every]
        for term, name in zip(every, local, strict=True):  # a w3id redirect keeps the fragment
            if local.count(name) == 1 and page.entities[str(term)] != name:
                problems.append(f"{where} anchors <{term}> at #{page.entities[str(term)]}")
    duplicates = {i for i in page.ids if page.ids.count(i) > 1}
    problems += [f"{where} uses the id {i!r} twice" for i in sorted(duplicates)]
    broken = {h for h in page.links if h.startswith("#") and h[1:] not in page.ids}
    problems += [f"{where} links to {h}, which is not on the page" for h in sorted(broken)]
    problems += [f"{where} would fetch {url}" for url in page.fetched]
    if re.search(r"@import|url\(\s*['\"]?(?:https?:)?//", html):
        problems.append(f"{where}'s style fetches from the network")
    if str(version_iri(_live_version())) not in html:
        problems.append(f"{where} does not document version {_live_version()}")
    return problems


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> str:
    out = tmp_path_factory.mktemp("docs")
    page = write_docs(out, ONTOLOGY)
    assert page == out / "index.html"
    return page.read_text(encoding="utf-8")


def test_the_documentation_documents_every_term(generated: str) -> None:
    assert _check_page(generated, "the generated page") == []


def test_the_documentation_reads_like_the_ontology(generated: str) -> None:
    assert "<title>Business Model Knowledge Graph ontology</title>" in generated
    assert "<h1>Business Model Knowledge Graph ontology</h1>" in generated
    for heading in ("Classes", "Object Properties", "Concept Schemes", "Concepts"):
        assert f"<h2>{heading}</h2>" in generated, heading
    for label in (
        "Customer segment",
        "Value proposition",
        "Journey step / touchpoint",
        "targets segment",
        "current maturity",
    ):
        assert label in generated, label
    graph = _vocabulary()
    for concept in _expected_terms(graph)["concept"]:
        label = graph.value(concept, SKOS.prefLabel) or graph.value(concept, RDFS.label)
        assert label is not None and str(label) in generated, concept


def test_the_committed_documentation_is_current() -> None:
    page = DOCS / "index.html"
    fix = "run `make ontology-docs` and commit docs/ontology/"
    assert page.is_file(), f"there is no {page.relative_to(ROOT)}: {fix}"
    problems = _check_page(page.read_text(encoding="utf-8"), "docs/ontology/index.html")
    assert problems == [], f"{fix}:\n" + "\n".join(problems)


# ---- the w3id.org rules -----------------------------------------------------------------------


@dataclass
class _Rule:
    pattern: str
    target: str
    flags: set[str]
    conditions: list[tuple[str, str, set[str]]] = field(default_factory=list)


def _flags(text: str | None) -> set[str]:
    return set(text.strip("[]").split(",")) if text else set()


def _rules() -> list[_Rule]:
    rules: list[_Rule] = []
    conditions: list[tuple[str, str, set[str]]] = []
    for line in HTACCESS.read_text(encoding="utf-8").splitlines():
        words = line.split()
        if not words or words[0].startswith("#"):
            continue
        if words[0] == "RewriteCond":
            conditions.append((words[1], words[2], _flags(words[3] if len(words) > 3 else None)))
        elif words[0] == "RewriteRule":
            flags = _flags(words[3] if len(words) > 3 else None)
            rules.append(_Rule(words[1], words[2], flags, conditions))
            conditions = []
    assert rules
    return rules


def _expand(text: str, env: dict[str, str], match: re.Match[str]) -> str:
    text = re.sub(r"%\{ENV:(\w+)\}", lambda m: env.get(m.group(1), ""), text)
    return re.sub(r"\$(\d)", lambda m: match.group(int(m.group(1))) or "", text)


def _conditions_hold(rule: _Rule, env: dict[str, str], headers: dict[str, str]) -> bool:
    """mod_rewrite's conditions: all must hold, [OR] joining one to the next."""
    groups: list[list[bool]] = [[]]
    for test, pattern, flags in rule.conditions:
        value = re.sub(r"%\{ENV:(\w+)\}", lambda m: env.get(m.group(1), ""), test)
        value = value.replace("%{HTTP_ACCEPT}", headers.get("Accept", ""))
        value = value.replace("%{HTTP_USER_AGENT}", headers.get("User-Agent", ""))
        negated = pattern.startswith("!")
        found = re.search(pattern.lstrip("!"), value, re.I if "NC" in flags else 0) is not None
        groups[-1].append(found != negated)
        if "OR" not in flags:
            groups.append([])
    return all(any(group) for group in groups if group)


def _resolve(path: str, accept: str) -> tuple[str, str]:
    """Run the rules on a request for ``https://w3id.org/bmkg/<path>``: (site, target)."""
    env: dict[str, str] = {}
    headers = {"Accept": accept, "User-Agent": "Mozilla/5.0" if "html" in accept else "curl/8"}
    for rule in _rules():
        match = re.search(rule.pattern, path)
        if match is None or not _conditions_hold(rule, env, headers):
            continue
        for flag in rule.flags:
            if flag.startswith("E="):
                name, _, value = flag[2:].partition(":")
                env[name] = value
        if rule.target != "-" and any(f.startswith("R") for f in rule.flags):
            return env.get("BMKG_SITE", ""), _expand(rule.target, env, match)
        if "L" in rule.flags:
            break
    raise AssertionError(f"no rule redirects {path!r} (Accept: {accept})")


def _file(path: str, accept: str) -> Path:
    """The repository file a request is redirected to (a folder's index.html)."""
    site, target = _resolve(path, accept)
    assert site.startswith("https://") and not site.endswith("/"), site
    assert target.startswith(site + "/"), target
    found = ROOT / target[len(site) + 1 :]
    if found == ROOT:  # the site's top, where GitHub Pages shows the README
        found = ROOT / "README.md"
    elif target.endswith("/"):
        found = found / "index.html"
    assert found.is_file(), f"{path} (Accept: {accept}) goes to {target}, not a file here"
    return found


TURTLE = "text/turtle"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def test_w3id_rules_cover_every_namespace_and_the_current_version() -> None:
    text = HTACCESS.read_text(encoding="utf-8")
    assert "RewriteEngine on" in text
    for needed in ("^ontology/?$", "^vocab/?$", "^shapes/?$", "^ontology/(\\d+"):
        assert needed in text, needed
    # the shapes' own namespace is where shapes.ttl says it is
    shapes = _parse(ONTOLOGY / "shapes.ttl")
    [shapes_iri] = set(shapes.subjects(RDF.type, OWL.Ontology))
    assert str(shapes_iri) == BASE + "shapes#"
    # every IRI of ours the ontology, the vocabularies and the shapes use is redirected
    used = {
        re.split(r"#", str(term)[len(BASE) :])[0]
        for graph in (_vocabulary(), shapes)
        for triple in graph
        for term in triple
        if isinstance(term, rdflib.URIRef) and str(term).startswith(BASE)
    }
    assert {"ontology", "shapes", f"ontology/{_live_version()}"} <= used
    for path in sorted(used | {"vocab"}):
        for accept in (TURTLE, BROWSER):
            _file(path, accept)


def test_w3id_rules_send_each_iri_to_what_it_names() -> None:
    version = _live_version()
    vocabulary = _vocabulary()
    # the ontology: Turtle, or the documentation for browsers (and for clients that do not say)
    ontology = _parse(_file("ontology", TURTLE))
    assert (ONTOLOGY_IRI, RDF.type, OWL.Ontology) in ontology
    assert _file("ontology", "application/x-turtle") == _file("ontology", TURTLE)
    assert _file("ontology", "text/turtle;q=1.0, */*;q=0.1") == _file("ontology", TURTLE)
    assert _file("ontology", BROWSER) == DOCS / "index.html"
    assert _file("ontology", "*/*") == DOCS / "index.html"
    assert _file("ontology/", BROWSER) == DOCS / "index.html"
    # a version: its released copy, whatever is asked
    for accept in (TURTLE, BROWSER):
        released = _parse(_file(f"ontology/{version}", accept))
        assert released.value(ONTOLOGY_IRI, OWL.versionIRI) == version_iri(version)
    assert _file(f"ontology/{version}/shapes.ttl", TURTLE) == ONTOLOGY / version / "shapes.ttl"
    # the vocabularies: the Turtle holding the concept schemes, or the documentation
    schemes = set(vocabulary.subjects(RDF.type, SKOS.ConceptScheme))
    assert schemes and schemes <= set(_parse(_file("vocab", TURTLE)).subjects())
    assert _file("vocab", BROWSER) == DOCS / "index.html"
    # the shapes: Turtle, for everyone
    for accept in (TURTLE, BROWSER):
        assert (None, RDF.type, SH.NodeShape) in _parse(_file("shapes", accept))
    # nothing else under https://w3id.org/bmkg/
    for path in ("ontologyx", "ontology/latest", "ontology/0.2", "ontology/0.2.0/../x.ttl"):
        with pytest.raises(AssertionError, match="no rule redirects"):
            _resolve(path, TURTLE)
