"""A small store shaped as kg.graph writes one: papers of several years, entities of every kind
with a family, mentions with sentences, a result and the associations between entities."""

from __future__ import annotations

from decimal import Decimal
from itertools import product
from pathlib import Path

import pytest
from rdflib import RDF, RDFS, SKOS, XSD, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, FOAF

from kg.graph.namespace import PKG
from kg.graph.store import GraphStore

EX = Namespace("https://example.org/paperkg-test/")
CLASS = {"method": PKG.Method, "dataset": PKG.Dataset, "task": PKG.Task, "metric": PKG.Metric}
LINK = {
    "method": PKG.usesMethod,
    "dataset": PKG.evaluatesOn,
    "task": PKG.addressesTask,
    "metric": PKG.reportsMetric,
}
HOSTILE_TITLE = "Owls <script>window.pwned = 1;</script> & \"Gloom\" 'Nets' </div>"

#: paper key -> (title, year)
PAPERS = {
    "a": ("Gloom Transformers for Owl Detection", 2023),
    "b": ("Counting Owls at Dusk", 2021),
    "c": (HOSTILE_TITLE, 2020),
    "d": ("Moths & Lanterns <Revisited>", 2019),
}
#: entity label -> (kind, papers, aliases)
ENTITIES = {
    "Gloom Transformer": ("method", "abc", ("GT", "gloom transformers")),
    "Moth <Net>": ("method", "d", ()),
    "OwlSet-9K": ("dataset", "ab", ()),
    "OwlSet": ("dataset", "", ()),
    "owl detection": ("task", "ac", ()),
    "dusk accuracy": ("metric", "b", ()),
}
ASSOCIATIONS = (
    ("method", "task", PKG.appliedTo),
    ("method", "dataset", PKG.evaluatedOn),
    ("dataset", "task", PKG.benchmarkFor),
)


def entity_iri(label: str) -> URIRef:
    return EX["entity/" + "".join(c if c.isalnum() else "-" for c in label.lower())]


def paper_iri(key: str) -> URIRef:
    return EX[f"paper/{key}"]


def small_graph() -> Graph:
    graph = Graph()
    for key, (title, year) in PAPERS.items():
        paper = paper_iri(key)
        graph.add((paper, RDF.type, PKG.Paper))
        graph.add((paper, DCTERMS.title, Literal(title)))
        graph.add((paper, DCTERMS.identifier, Literal(f"arxiv:2301.0000{ord(key) - 96}")))
        graph.add((paper, DCTERMS.date, Literal(str(year), datatype=XSD.gYear)))
    graph.add((paper_iri("a"), FOAF.page, URIRef("https://example.org/papers/a")))
    by_paper: dict[str, dict[str, list[URIRef]]] = {key: {} for key in PAPERS}
    for label, (kind, papers, aliases) in ENTITIES.items():
        entity = entity_iri(label)
        graph.add((entity, RDF.type, CLASS[kind]))
        graph.add((entity, RDFS.label, Literal(label)))
        graph.add((entity, SKOS.prefLabel, Literal(label)))
        for alias in aliases:
            graph.add((entity, SKOS.altLabel, Literal(alias)))
        counted = papers or "ab"  # the family counts its members' papers
        graph.add((entity, PKG.paperCount, Literal(len(counted))))
        for key in papers:
            link = PKG.proposes if (label, key) == ("Gloom Transformer", "a") else LINK[kind]
            graph.add((paper_iri(key), link, entity))
            by_paper[key].setdefault(kind, []).append(entity)
            for n, confidence in enumerate(("0.61", "0.93")):
                mention = EX[f"mention/{key}/{len(graph)}"]
                sentence = f"In paper {key} we study {label} closely (take {n})."
                graph.add((mention, RDF.type, PKG.Mention))
                graph.add((mention, PKG.inPaper, paper_iri(key)))
                graph.add((mention, PKG.denotes, entity))
                graph.add((mention, PKG.sentence, Literal(sentence)))
                graph.add((mention, PKG.exact, Literal(label)))
                graph.add((mention, PKG.confidence, Literal(Decimal(confidence))))
    graph.add((entity_iri("OwlSet-9K"), SKOS.broader, entity_iri("OwlSet")))
    result = EX["result/b/1"]
    graph.add((paper_iri("b"), PKG.reportsResult, result))
    graph.add((result, RDF.type, PKG.Score))
    graph.add((result, PKG.inPaper, paper_iri("b")))
    graph.add((result, PKG.value, Literal(Decimal("47.9"))))
    graph.add((result, PKG.unit, Literal("%")))
    graph.add((result, PKG.ofMethod, entity_iri("Gloom Transformer")))
    graph.add((result, PKG.onDataset, entity_iri("OwlSet-9K")))
    graph.add((result, PKG.inMetric, entity_iri("dusk accuracy")))
    support: dict[tuple[URIRef, URIRef, URIRef], list[str]] = {}
    for key, kinds in by_paper.items():
        for source, target, relation in ASSOCIATIONS:
            for s, t in product(kinds.get(source, []), kinds.get(target, [])):
                support.setdefault((relation, s, t), []).append(key)
    for n, ((relation, s, t), keys) in enumerate(sorted(support.items())):
        association = EX[f"association/{n}"]
        graph.add((s, relation, t))
        graph.add((association, RDF.type, PKG.Association))
        graph.add((association, PKG.relation, relation))
        graph.add((association, PKG.fromEntity, s))
        graph.add((association, PKG.toEntity, t))
        graph.add((association, PKG.paperCount, Literal(len(keys))))
        for key in keys:
            graph.add((association, PKG.supportedBy, paper_iri(key)))
    return graph


@pytest.fixture(scope="session")
def view_store(tmp_path_factory: pytest.TempPathFactory) -> GraphStore:
    """The small graph in an Oxigraph store, written once for the session."""
    store = GraphStore(Path(tmp_path_factory.mktemp("views")) / "store")
    store.replace(small_graph())
    return store
