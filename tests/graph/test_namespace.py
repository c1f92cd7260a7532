from __future__ import annotations

from rdflib import OWL, RDF, RDFS, URIRef

from kg.graph.namespace import PKG
from kg.graph.ontology import load_ontology


def test_namespace_and_ontology_declare_the_same_terms():
    ontology = load_ontology()
    declared = {
        str(s)
        for kind in (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty)
        for s in ontology.subjects(RDF.type, kind)
        if str(s).startswith(str(PKG))
    }
    in_code = {str(PKG[name]) for name in PKG.__annotations__}
    assert declared == in_code


def test_every_term_has_label_and_comment():
    ontology = load_ontology()
    terms = {
        s for s in ontology.subjects() if isinstance(s, URIRef) and str(s).startswith(str(PKG))
    }
    assert terms
    for term in terms:
        assert ontology.value(term, RDFS.label) is not None, term
        assert ontology.value(term, RDFS.comment) is not None, term


def test_prefixes_name_the_namespaces_rdflib_knows():
    from rdflib import OWL, RDFS, XSD
    from rdflib.namespace import DCTERMS, FOAF, PROV, SDO, SKOS

    from kg.graph.terms import PREFIXES

    known = {
        "pkg": PKG,
        "dcterms": DCTERMS,
        "skos": SKOS,
        "prov": PROV,
        "foaf": FOAF,
        "schema": SDO,
        "rdfs": RDFS,
        "owl": OWL,
        "xsd": XSD,
    }
    assert PREFIXES == {prefix: str(namespace) for prefix, namespace in known.items()}
