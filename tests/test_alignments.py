"""The ArchiMate 3.1 alignment (``ontology/alignments/archimate.ttl``): it covers every element
type of the layers it claims, names only terms the ontology defines, keeps its own rules, and
leaves the ontology consistent under HermiT, alone and with the telco.

The reasoner tests run on Java, and are skipped on a machine without it, except in CI, as in
``test_reasoner``.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.namespace import OWL, RDF, RDFS, SKOS
from reasoning import reason, with_ontology

from kg.ontology import ALIGNMENTS, alignment_path, ontology_graph

ROOT = Path(__file__).resolve().parent.parent
ARCHIMATE = rdflib.Namespace("http://www.opengroup.org/xsd/archimate/3.0/")
BM = "https://w3id.org/bmkg/ontology#"
BMV = "https://w3id.org/bmkg/vocab#"
BMX = rdflib.Namespace("https://w3id.org/bmkg/alignments#")
NO_COUNTERPART = BMX.noCounterpart

# The spec: the element types of ArchiMate 3.1 the alignment must cover, by layer, as the
# exchange format's ElementTypeEnum names them (its technology and physical elements and its
# junctions are out of scope), and its relationship types (RelationshipTypeEnum).
ELEMENT_TYPES = {
    "strategy": ("Resource", "Capability", "ValueStream", "CourseOfAction"),
    "motivation": (
        *("Stakeholder", "Driver", "Assessment", "Goal", "Outcome"),
        *("Principle", "Requirement", "Constraint", "Meaning", "Value"),
    ),
    "business": (
        *("BusinessActor", "BusinessRole", "BusinessCollaboration", "BusinessInterface"),
        *("BusinessProcess", "BusinessFunction", "BusinessInteraction", "BusinessEvent"),
        *("BusinessService", "BusinessObject", "Contract", "Representation", "Product"),
    ),
    "application": (
        *("ApplicationComponent", "ApplicationCollaboration", "ApplicationInterface"),
        *("ApplicationFunction", "ApplicationInteraction", "ApplicationProcess"),
        *("ApplicationEvent", "ApplicationService", "DataObject"),
    ),
    "implementation and migration": (
        *("WorkPackage", "Deliverable", "ImplementationEvent", "Plateau", "Gap"),
    ),
    "other": ("Location", "Grouping"),
}
RELATIONSHIP_TYPES = (
    *("Composition", "Aggregation", "Assignment", "Realization", "Serving", "Access"),
    *("Influence", "Triggering", "Flow", "Specialization", "Association"),
)
ELEMENTS = [ARCHIMATE[name] for names in ELEMENT_TYPES.values() for name in names]
RELATIONSHIPS = [ARCHIMATE[name] for name in RELATIONSHIP_TYPES]

MAPPINGS = (SKOS.exactMatch, SKOS.closeMatch, SKOS.broadMatch, SKOS.narrowMatch, SKOS.relatedMatch)
# A counterpart: a term of the ontology with the same, a close, a broader or a narrower meaning,
# or a kind of the type. A relatedMatch alone is a pointer, and needs the note beside it.
COUNTERPARTS = (SKOS.exactMatch, SKOS.closeMatch, SKOS.broadMatch, SKOS.narrowMatch)
SAME_MEANING = (SKOS.exactMatch, SKOS.closeMatch)
AXIOMS = (RDFS.subClassOf, RDFS.subPropertyOf)


@pytest.fixture(scope="module")
def alignment() -> rdflib.Graph:
    return rdflib.Graph().parse(alignment_path("archimate"), format="turtle")


def ours(term: rdflib.term.Node) -> bool:
    """A term of the ontology or of its controlled vocabularies."""
    return isinstance(term, rdflib.URIRef) and str(term).startswith((BM, BMV))


def archimate(term: rdflib.term.Node) -> bool:
    return isinstance(term, rdflib.URIRef) and str(term).startswith(str(ARCHIMATE))


def test_the_spec_lists_forty_three_element_types_and_eleven_relationship_types() -> None:
    assert len(ELEMENTS) == len(set(ELEMENTS)) == 43
    assert len(RELATIONSHIPS) == len(set(RELATIONSHIPS)) == 11


def test_the_alignment_is_valid_turtle_and_an_ontology_of_its_own() -> None:
    path = alignment_path("archimate")
    assert path.parent.name == "alignments" and ALIGNMENTS == ("archimate",)
    # Oxigraph's parser is strict where rdflib's is lenient.
    assert len(list(ox.parse(path=path, format=ox.RdfFormat.TURTLE))) > 0
    graph = rdflib.Graph().parse(path, format="turtle")
    iri = rdflib.URIRef("https://w3id.org/bmkg/alignments/archimate")
    assert list(graph.subjects(RDF.type, OWL.Ontology)) == [iri]
    # Loaded beside the ontology, never importing it: it must load offline.
    assert not list(graph.objects(iri, OWL.imports))


def test_an_unknown_alignment_is_refused() -> None:
    with pytest.raises(ValueError, match="the alignments are archimate"):
        alignment_path("togaf")


def test_it_declares_exactly_the_types_of_the_spec(alignment: rdflib.Graph) -> None:
    classes = {c for c in alignment.subjects(RDF.type, OWL.Class) if archimate(c)}
    properties = {p for p in alignment.subjects(RDF.type, OWL.ObjectProperty) if archimate(p)}
    assert sorted(classes) == sorted(ELEMENTS)
    assert sorted(properties) == sorted(RELATIONSHIPS)
    named = {t for triple in alignment for t in triple if archimate(t)}
    assert sorted(named - classes - properties) == []


@pytest.mark.parametrize("kind", ELEMENTS + RELATIONSHIPS, ids=lambda t: t.split("/")[-1])
def test_every_type_has_a_label_and_a_definition(alignment: rdflib.Graph, kind: str) -> None:
    for predicate in (RDFS.label, SKOS.definition):
        values = list(alignment.objects(rdflib.URIRef(kind), predicate))
        assert len(values) == 1, f"{kind} has {len(values)} {predicate}"
        [value] = values
        assert isinstance(value, rdflib.Literal) and value.language == "en" and str(value).strip()


@pytest.mark.parametrize("kind", ELEMENTS + RELATIONSHIPS, ids=lambda t: t.split("/")[-1])
def test_every_type_has_a_counterpart_or_says_why_not(alignment: rdflib.Graph, kind: str) -> None:
    kind = rdflib.URIRef(kind)
    counterparts = {o for p in COUNTERPARTS for o in alignment.objects(kind, p) if ours(o)}
    kinds_of_it = {s for p in AXIOMS for s in alignment.subjects(p, kind)}
    notes = list(alignment.objects(kind, NO_COUNTERPART))
    assert counterparts | kinds_of_it or notes, f"{kind} is neither mapped nor noted"
    assert len(notes) <= 1


def test_a_note_of_no_counterpart_rules_out_the_same_meaning(alignment: rdflib.Graph) -> None:
    noted = set(alignment.subjects(NO_COUNTERPART, None))
    assert noted, "no type or class is noted"
    for subject in noted:
        [note] = alignment.objects(subject, NO_COUNTERPART)
        assert isinstance(note, rdflib.Literal) and note.language == "en" and len(note) > 20
        assert archimate(subject) or ours(subject)
        same = {
            (s, p, o)
            for p in SAME_MEANING
            for s, o in alignment.subject_objects(p)
            if subject in (s, o)
        }
        assert same == set(), f"{subject} is noted as having no counterpart, yet {same}"


def test_mappings_run_from_archimate_types_to_terms_of_the_ontology(
    alignment: rdflib.Graph,
) -> None:
    wrong = [
        (s, p, o)
        for p in MAPPINGS
        for s, o in alignment.subject_objects(p)
        if not (archimate(s) and ours(o))
    ]
    assert wrong == []


def test_a_subclass_axiom_is_backed_by_an_exact_or_narrow_match(alignment: rdflib.Graph) -> None:
    """rdfs:subClassOf only where the bm: class is a kind of the ArchiMate type, which SKOS says
    with exactMatch or narrowMatch; the same for properties."""
    axioms = [(s, o) for p in AXIOMS for s, o in alignment.subject_objects(p)]
    assert axioms
    unbacked = []
    for sub, sup in axioms:
        assert ours(sub) and archimate(sup), (sub, sup)
        inherited = {
            ancestor
            for ancestor in alignment.objects(sup, SKOS.exactMatch)
            if (sub, RDFS.subClassOf, ancestor) in ontology_graph()
        }
        if not (
            (sup, SKOS.exactMatch, sub) in alignment
            or (sup, SKOS.narrowMatch, sub) in alignment
            or inherited
        ):
            unbacked.append((sub, sup))
    assert unbacked == []


def test_every_term_of_the_ontology_it_names_is_defined_by_the_ontology(
    alignment: rdflib.Graph,
) -> None:
    # Written for the ontology with its ArchiMate-facing classes (bm:ValueStream, bm:Initiative,
    # bm:BusinessActor...) and its vocabularies in bmv:; it fails on an ontology without them.
    ontology = ontology_graph()
    named = {t for triple in alignment for t in triple if ours(t)}
    assert named
    undefined = [t for t in named if (t, RDF.type, None) not in ontology]
    assert sorted(undefined) == []


BUILT_IN = (str(RDF), str(RDFS), str(OWL), "http://www.w3.org/2001/XMLSchema#")


def test_every_term_it_uses_is_declared_so_that_both_stay_owl_2_dl(
    alignment: rdflib.Graph,
) -> None:
    """As ``test_reasoner`` asks of the ontology: every property used, and every class or property
    an axiom names, is declared, by the alignment or by the ontology."""
    both = with_ontology(alignment)
    kinds = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)
    declared = {s for kind in kinds for s in both.subjects(RDF.type, kind)}
    declared |= set(both.subjects(RDF.type, OWL.Ontology))
    undeclared = set()
    for s, p, o in alignment:
        if not str(p).startswith(BUILT_IN) and p not in declared:
            undeclared.add(f"{p} (as a property)")
        if p in (RDF.type, *AXIOMS) and not str(o).startswith(BUILT_IN) and o not in declared:
            undeclared.add(f"{o} (in an axiom)")
        if p in AXIOMS and s not in declared:
            undeclared.add(f"{s} (in an axiom)")
    assert sorted(undeclared) == []


# The reasoner: the alignment's axioms must leave the ontology and a model consistent.

needs_hermit = pytest.mark.skipif(
    shutil.which("java") is None and os.environ.get("CI") != "true",
    reason="HermiT needs Java (apt-get install default-jre-headless)",
)


@pytest.fixture(scope="module")
def hermit() -> None:
    pytest.importorskip("owlready2")


@needs_hermit
def test_ontology_and_alignment_are_consistent_with_no_unsatisfiable_class(
    hermit: None, alignment: rdflib.Graph, tmp_path: Path
) -> None:
    # No datatype is ignored, as for the ontology alone.
    assert reason(with_ontology(alignment), tmp_path) == []


@needs_hermit
def test_the_telco_is_consistent_with_ontology_and_alignment(
    hermit: None, alignment: rdflib.Graph, tmp_path: Path
) -> None:
    data = rdflib.Graph()
    for file in sorted((ROOT / "data" / "telco").glob("*.ttl")):
        data.parse(file, format="turtle")
    # The telco's dates are xsd:date, outside the OWL 2 datatype map: left aside, as in
    # test_reasoner.
    both = with_ontology(alignment, data)
    assert reason(both, tmp_path, ignore_unsupported_datatypes=True) == []


@needs_hermit
def test_the_reasoner_reads_the_alignments_axioms(
    hermit: None, alignment: rdflib.Graph, tmp_path: Path
) -> None:
    """Not vacuous: with business actors made impossible, every bm: class the alignment makes a
    kind of business actor is unsatisfiable."""
    actor = ARCHIMATE.BusinessActor
    planted = rdflib.Graph()
    planted.add((actor, RDFS.subClassOf, OWL.Nothing))
    graph = with_ontology(alignment, planted)
    kinds = {str(c) for c in graph.transitive_subjects(RDFS.subClassOf, actor)}
    assert {BM + "OrganisationalUnit", BM + "KeyPartner", BM + "Enterprise"} <= kinds
    assert reason(graph, tmp_path) == sorted(kinds)
