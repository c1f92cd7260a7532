"""The part of a store a view draws, fetched with one SPARQL query so that a large graph is
never loaded whole: the most named entities, their papers and the links between them."""

from __future__ import annotations

import pyoxigraph as ox
from rdflib import Graph

from kg.graph.store import GraphStore
from kg.graph.terms import PREFIXES

_VIEW = """
CONSTRUCT {
  ?e a ?class ; rdfs:label ?label ; skos:prefLabel ?label ; skos:altLabel ?alt ;
     pkg:paperCount ?count ; skos:broader ?broader .
  ?paper a pkg:Paper ; dcterms:title ?title ; dcterms:identifier ?id ; dcterms:date ?date ;
         ?link ?e .
  ?link rdfs:subPropertyOf pkg:mentions .
}
WHERE {
  {
    SELECT ?e ?class ?label ?count WHERE {
      VALUES ?class { pkg:Method pkg:Dataset pkg:Task pkg:Metric }
      ?e a ?class ; rdfs:label ?label ; pkg:paperCount ?count .
    }
    ORDER BY DESC(?count) ?label ?e
    LIMIT %(limit)d
  }
  {
    VALUES ?link { pkg:proposes pkg:usesMethod pkg:evaluatesOn pkg:addressesTask pkg:reportsMetric }
    ?paper ?link ?e ; dcterms:title ?title ; dcterms:identifier ?id .
    OPTIONAL { ?paper dcterms:date ?date }
  }
  UNION { ?e skos:altLabel ?alt }
  UNION { ?e skos:broader ?broader }
}
"""


def view_graph(store: GraphStore, *, max_entities: int = 300) -> Graph:
    """The entities named by most papers, the papers that name them, and their links."""
    with store.open() as ox_store:
        results = ox_store.query(_VIEW % {"limit": max_entities}, prefixes=PREFIXES)
        assert isinstance(results, ox.QueryTriples)
        data = results.serialize(format=ox.RdfFormat.N_TRIPLES) or b""
    graph = Graph(bind_namespaces="none")
    graph.parse(data=data.decode("utf-8"), format="nt")
    return graph
