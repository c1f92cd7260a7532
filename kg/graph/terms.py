"""The graph's prefixes and the shape of a triple, without importing rdflib.

Querying, exporting and serving a store need only these; rdflib is loaded where graphs are
built or parsed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeAlias

if TYPE_CHECKING:
    from rdflib import Literal, URIRef

ONTOLOGY_IRI = "https://w3id.org/paperkg/ontology"
#: Where the IRIs of papers, entities and evidence are minted unless ``--base`` says otherwise.
DEFAULT_BASE = "https://w3id.org/paperkg/resource/"

#: The prefixes every query may use and every Turtle export declares.
PREFIXES = {
    "pkg": ONTOLOGY_IRI + "#",
    "dcterms": "http://purl.org/dc/terms/",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "prov": "http://www.w3.org/ns/prov#",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "schema": "https://schema.org/",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}

Triple: TypeAlias = "tuple[URIRef, URIRef, URIRef | Literal]"
