"""The co-occurrences the build counts (pkg:Cooccurrence) and cooccurring.rq, which reads
them: the same counts and the same rows as counting the papers at query time."""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

import pytest
from rdflib import RDF

import kg.graph.build
from kg.graph.build import COOCCURRENCE_LIMIT, ExtractionInfo, graph_triples
from kg.graph.iri import IriMinter
from kg.graph.namespace import PKG
from kg.graph.store import GraphStore
from kg.graph.validate import validate_graph
from kg.ingest.paper import Paper
from kg.nlp.analysis import PaperAnalysis
from kg.nlp.mention import Label, Mention
from kg.query import select
from kg.resolve import resolve

QUERY = Path(__file__).resolve().parents[2] / "ontology" / "queries" / "cooccurring.rq"
# The query before the build counted co-occurrences: every one, counted from the papers.
LIVE_QUERY = """
SELECT ?entityLabel ?type ?other (COUNT(DISTINCT ?paper) AS ?papers) WHERE {
  ?e rdfs:label|skos:altLabel ?entity ; rdfs:label ?entityLabel .
  ?paper pkg:proposes|pkg:usesMethod|pkg:evaluatesOn|pkg:addressesTask|pkg:reportsMetric ?e .
  ?paper pkg:proposes|pkg:usesMethod|pkg:evaluatesOn|pkg:addressesTask|pkg:reportsMetric ?o .
  FILTER(?o != ?e)
  ?o a ?class ; rdfs:label ?other .
  VALUES ?class { pkg:Method pkg:Dataset pkg:Task pkg:Metric }
  BIND(STRAFTER(STR(?class), "#") AS ?type)
}
GROUP BY ?entityLabel ?type ?other
ORDER BY ?entityLabel DESC(?papers) ?other
"""
# Small enough that the corpus below has entities counted either way.
LIMIT = 3

M, D, T, X = Label.METHOD, Label.DATASET, Label.TASK, Label.METRIC
# What each paper names. Owlformer (6 papers) and HawkNet (4 papers, one other entity) are
# named in more than LIMIT papers, BatNet (1 paper) and Tundra (2) with more than LIMIT
# other entities; Wrenformer and Marshland have theirs counted at query time. Owlformer and
# Marshland have a second name ("Owlformers", "marshland").
PAPERS = [
    [("Owlformer", M), ("Pinewood", D), ("owl detection", T), ("mAP", X)],
    [("Owlformer", M), ("Marshland", D), ("owl detection", T), ("mAP", X)],
    [("Owlformer", M), ("Pinewood", D), ("mAP", X)],
    [("Owlformer", M), ("BatNet", M), ("Tundra", D), ("bat counting", T), ("accuracy", X)],
    [("Owlformers", M), ("marshland", D)],
    [("Owlformer", M)],
    [("HawkNet", M), ("Finchformer", M)],
    [("HawkNet", M), ("Finchformer", M)],
    [("HawkNet", M), ("Finchformer", M)],
    [("HawkNet", M), ("Finchformer", M)],
    [("Wrenformer", M), ("Pinewood", D), ("Tundra", D)],
]


def analysis(number: int, named: list[tuple[str, Label]]) -> PaperAnalysis:
    abstract = "We study " + ", ".join(name for name, _ in named) + "."
    mentions = []
    for name, label in named:
        start = abstract.index(name)
        mention = Mention(name, label, "abstract", start, start + len(name), abstract, 0.9, "rules")
        mentions.append(mention)
    paper = Paper(id=f"c:{number}", title=f"Paper {number}", abstract=abstract)
    return PaperAnalysis(paper, tuple(mentions), (False,) * len(mentions), ())


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> GraphStore:
    analyses = [analysis(number, named) for number, named in enumerate(PAPERS, 1)]
    resolution = resolve((a.paper, a.mentions) for a in analyses)
    store = GraphStore(tmp_path_factory.mktemp("cooccurring") / "store")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(kg.graph.build, "COOCCURRENCE_LIMIT", LIMIT)
        triples = graph_triples(
            analyses,
            resolution,
            minter=IriMinter(),
            extraction=ExtractionInfo(name="rules", version="test"),
        )
        store.replace(triples)
    return store


def live_counts(store: GraphStore) -> dict[str, dict[str, int]]:
    """For each entity's label, the label of each entity named in the same papers, with how
    many papers name both, counted over the graph's papers."""
    rows = select(store, LIVE_QUERY).rows
    counts: dict[str, dict[str, int]] = defaultdict(dict)
    for label, _, other, papers in rows:
        assert label and other and papers
        counts[label][other] = int(papers)
    return counts


def test_counted_cooccurrences_equal_a_count_of_the_papers(store):
    counted = select(
        store,
        """SELECT ?label ?other ?papers WHERE {
            ?c a pkg:Cooccurrence ; pkg:ofEntity ?e ; pkg:withEntity ?o ; pkg:paperCount ?papers .
            ?e rdfs:label ?label . ?o rdfs:label ?other }""",
    ).rows
    stored: dict[str, dict[str, int]] = defaultdict(dict)
    for label, other, papers in counted:
        assert label and other and papers
        stored[label][other] = int(papers)
    live = live_counts(store)
    # Each entity's pkg:paperCount, by its label.
    entities = "SELECT ?l ?n WHERE { ?e pkg:mentionCount [] ; rdfs:label ?l ; pkg:paperCount ?n }"
    named = {label: int(n) for label, n in select(store, entities).rows if label and n}
    expected = {}
    for label, others in live.items():
        if named[label] > LIMIT or len(others) > LIMIT:
            top = sorted(others.items(), key=lambda kv: (-kv[1], kv[0]))[:LIMIT]
            expected[label] = dict(top)
    assert stored == expected
    # Each way an entity comes to have its co-occurrences counted, and a tie cut at the limit:
    # BatNet's four others share its one paper, and the first three by label are kept.
    assert stored["Owlformer"] == {"mAP": 3, "Marshland": 2, "Pinewood": 2}
    assert stored["HawkNet"] == {"Finchformer": 4}
    assert stored["BatNet"] == {"Owlformer": 1, "Tundra": 1, "accuracy": 1}
    assert "Wrenformer" not in stored and "Marshland" not in stored
    # One node a count: Owlformer's Marshland and Pinewood share one.
    nodes = "SELECT ?c WHERE { ?c pkg:ofEntity ?e . ?e rdfs:label 'Owlformer' }"
    assert len(select(store, nodes).rows) == 2


def test_cooccurrences_conform_to_their_shape(store):
    graph = store.to_graph()
    report = validate_graph(graph)
    assert report.conforms, report.text
    node = next(graph.subjects(RDF.type, PKG.Cooccurrence))
    graph.set((node, PKG.withEntity, graph.value(node, PKG.ofEntity)))
    graph.remove((node, PKG.paperCount, None))
    report = validate_graph(graph)
    assert not report.conforms and report.violations == 2, report.text
    assert "two different entities" in report.text


def test_query_gives_the_first_rows_of_the_count_of_the_papers(store):
    sparql = QUERY.read_text(encoding="utf-8")
    live = select(store, LIVE_QUERY).rows
    first: dict[str | None, list[tuple[str | None, ...]]] = defaultdict(list)
    for row in live:
        if len(first[row[0]]) < LIMIT:
            first[row[0]].append(row)
    assert select(store, sparql).rows == tuple(row for rows in first.values() for row in rows)
    for name in ("Owlformer", "HawkNet", "BatNet", "Tundra", "Wrenformer", "Marshland"):
        assert select(store, sparql, {"entity": name}).rows == tuple(first[name]), name
    assert select(store, sparql, {"entity": "Owlformers"}).rows == tuple(first["Owlformer"])
    assert select(store, sparql, {"entity": "marshland"}).rows == tuple(first["Marshland"])
    assert select(store, sparql, {"entity": "Wrenformer"}).rows == (
        ("Wrenformer", "Dataset", "Pinewood", "1"),
        ("Wrenformer", "Dataset", "Tundra", "1"),
    )


def test_query_counts_at_query_time_no_entity_the_build_counts():
    # The query reads the papers of an entity only up to this paper count; an entity named in
    # more papers must have its co-occurrences in the graph.
    (gate,) = re.findall(r"FILTER\(\?named <= (\d+)\)", QUERY.read_text(encoding="utf-8"))
    assert int(gate) >= COOCCURRENCE_LIMIT
