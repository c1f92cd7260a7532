"""SHACL validation of a graph against ``ontology/shapes.ttl`` with pySHACL."""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import Graph

from kg.graph.ontology import load_ontology, load_shapes


@dataclass(frozen=True, slots=True)
class ValidationReport:
    conforms: bool
    violations: int
    text: str


def validate_graph(graph: Graph) -> ValidationReport:
    """Check ``graph`` against paperkg's shapes, with the ontology beside it for sh:class."""
    from pyshacl import validate

    conforms, results_graph, text = validate(
        graph,
        shacl_graph=load_shapes(),
        ont_graph=load_ontology(),
        inference="none",
        advanced=False,
        allow_warnings=True,
    )
    from rdflib.namespace import SH

    violations = len(set(results_graph.subjects(predicate=SH.resultSeverity)))
    return ValidationReport(conforms=bool(conforms), violations=violations, text=str(text))
