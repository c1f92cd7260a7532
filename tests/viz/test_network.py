"""Tests for kg.viz.network: which papers, entities and links become nodes and edges.

Graphs are built here from invented papers and entities, shaped as kg.graph writes them.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import RDF, RDFS, SKOS, XSD, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS

from kg.graph.namespace import PKG
from kg.viz import to_networkx

EX = Namespace("https://example.org/paperkg-test/")

ENTITY_CLASS = {
    "method": PKG.Method,
    "dataset": PKG.Dataset,
    "task": PKG.Task,
    "metric": PKG.Metric,
}
LINK = {
    "method": PKG.usesMethod,
    "dataset": PKG.evaluatesOn,
    "task": PKG.addressesTask,
    "metric": PKG.reportsMetric,
}


def add_paper(graph: Graph, key: str, title: str, year: str | None = None) -> URIRef:
    paper = EX[f"paper/{key}"]
    graph.add((paper, RDF.type, PKG.Paper))
    graph.add((paper, DCTERMS.title, Literal(title)))
    graph.add((paper, DCTERMS.identifier, Literal(f"test:{key}")))
    if year is not None:
        graph.add((paper, DCTERMS.date, Literal(year, datatype=XSD.gYear)))
    return paper


def add_entity(
    graph: Graph,
    kind: str,
    label: str,
    papers: list[URIRef],
    *,
    alt_labels: tuple[str, ...] = (),
    with_counts: bool = True,
) -> URIRef:
    entity = EX[f"{kind}/{label.lower().replace(' ', '-')}"]
    graph.add((entity, RDF.type, ENTITY_CLASS[kind]))
    graph.add((entity, RDFS.label, Literal(label)))
    graph.add((entity, SKOS.prefLabel, Literal(label, lang="en")))
    for alt in alt_labels:
        graph.add((entity, SKOS.altLabel, Literal(alt)))
    for paper in papers:
        graph.add((paper, LINK[kind], entity))
        # The evidence node, which the view leaves out.
        mention = EX[f"mention/{len(graph)}"]
        graph.add((mention, RDF.type, PKG.Mention))
        graph.add((mention, PKG.inPaper, paper))
        graph.add((mention, PKG.denotes, entity))
    if with_counts:
        graph.add((entity, PKG.paperCount, Literal(len(papers))))
        graph.add((entity, PKG.mentionCount, Literal(len(papers))))
    return entity


@pytest.fixture
def small_graph() -> Graph:
    """Three papers, one entity of each kind."""
    graph = Graph()
    p1 = add_paper(graph, "p1", "Sparse Gloom Transformers for Owl Detection", "2023")
    p2 = add_paper(graph, "p2", "Counting Owls at Dusk", "2021")
    p3 = add_paper(graph, "p3", "A Paper With No Date")
    add_entity(
        graph,
        "method",
        "Gloom Transformer",
        [p1, p2, p3],
        alt_labels=("GT", "GloomT", "Gloom-T", "G-Former"),
    )
    add_entity(graph, "dataset", "OwlSet-9K", [p1, p2])
    add_entity(graph, "task", "owl detection", [p1])
    add_entity(graph, "metric", "dusk accuracy", [p2])
    return graph


@pytest.fixture
def ranked_graph() -> Graph:
    """Five methods named by 4, 2, 2, 1 and 1 papers; paper p5 names only the rarest ones."""
    graph = Graph()
    p = [add_paper(graph, f"p{i}", f"Paper number {i}", "2020") for i in range(1, 6)]
    add_entity(graph, "method", "Zeta Net", [p[0], p[1], p[2], p[3]])
    add_entity(graph, "method", "Beta Net", [p[0], p[1]])
    add_entity(graph, "method", "Alpha Net", [p[2], p[3]])
    add_entity(graph, "method", "Gamma Net", [p[4]])
    add_entity(graph, "method", "Delta Net", [p[4]])
    return graph


def kinds(network) -> dict[str, str]:
    return {data["label"]: data["kind"] for _, data in network.nodes(data=True)}


def test_nodes_have_kinds_and_mentions_are_left_out(small_graph: Graph) -> None:
    network = to_networkx(small_graph)

    assert sorted(kinds(network).values()) == sorted(
        ["paper", "paper", "paper", "method", "dataset", "task", "metric"]
    )
    assert kinds(network)["OwlSet-9K"] == "dataset"
    assert not any("/mention/" in node for node in network.nodes)
    assert str(EX["paper/p1"]) in network


def test_edges_join_papers_to_entities_with_the_property_label(small_graph: Graph) -> None:
    network = to_networkx(small_graph)

    assert network.number_of_edges() == 3 + 2 + 1 + 1
    edge = network.edges[str(EX["paper/p1"]), str(EX["dataset/owlset-9k"])]
    assert edge["label"] == "evaluates on"
    assert edge["predicate"] == str(PKG.evaluatesOn)
    assert edge["source"] == str(EX["paper/p1"])
    labels = {data["label"] for _, _, data in network.edges(data=True)}
    assert labels == {"uses method", "evaluates on", "addresses task", "reports metric"}


def test_paper_hover_text_is_the_full_title_and_year(small_graph: Graph) -> None:
    network = to_networkx(small_graph)

    dated = network.nodes[str(EX["paper/p1"])]
    assert dated["title"].splitlines()[0] == "Sparse Gloom Transformers for Owl Detection (2023)"
    assert "test:p1" in dated["title"]
    undated = network.nodes[str(EX["paper/p3"])]
    assert undated["title"].splitlines()[0] == "A Paper With No Date"


def test_long_paper_titles_are_shortened_in_the_label_only() -> None:
    graph = Graph()
    title = "An Extremely Long Title About Owls, Dusk, Gloom and Many Other Things Besides"
    paper = add_paper(graph, "long", title)
    add_entity(graph, "task", "owl detection", [paper])

    node = to_networkx(graph).nodes[str(paper)]

    assert node["label"].endswith("…")
    assert len(node["label"]) <= 40
    assert node["title"].startswith(title)


def test_entity_hover_text_has_type_paper_count_and_a_few_alt_labels(small_graph: Graph) -> None:
    network = to_networkx(small_graph)

    lines = network.nodes[str(EX["method/gloom-transformer"])]["title"].splitlines()
    assert lines[0] == "Gloom Transformer"
    assert lines[1] == "Method · 3 papers"
    # Four alt labels, sorted; three shown.
    assert lines[2] == "also: G-Former, GT, Gloom-T and 1 more"
    single = network.nodes[str(EX["task/owl-detection"])]["title"].splitlines()
    assert single == ["owl detection", "Task · 1 paper"]


def test_size_grows_with_paper_count(small_graph: Graph) -> None:
    network = to_networkx(small_graph)

    method = network.nodes[str(EX["method/gloom-transformer"])]
    dataset = network.nodes[str(EX["dataset/owlset-9k"])]
    task = network.nodes[str(EX["task/owl-detection"])]
    assert method["paper_count"] == 3
    assert method["size"] > dataset["size"] > task["size"]


def test_max_entities_keeps_most_named_entities_ties_by_label(ranked_graph: Graph) -> None:
    network = to_networkx(ranked_graph, max_entities=2)

    entities = [d["label"] for _, d in network.nodes(data=True) if d["kind"] != "paper"]
    # Beta and Alpha tie at two papers; Alpha wins on its label.
    assert sorted(entities) == ["Alpha Net", "Zeta Net"]
    papers = {n for n, d in network.nodes(data=True) if d["kind"] == "paper"}
    # p5 names only Gamma and Delta, which are cut.
    assert papers == {str(EX[f"paper/p{i}"]) for i in (1, 2, 3, 4)}
    assert network.graph == {"papers_total": 5, "entities_total": 5}


def test_max_entities_none_keeps_everything(ranked_graph: Graph) -> None:
    network = to_networkx(ranked_graph, max_entities=None)

    assert network.number_of_nodes() == 5 + 5


def test_max_entities_must_not_be_negative(ranked_graph: Graph) -> None:
    with pytest.raises(ValueError, match="max_entities"):
        to_networkx(ranked_graph, max_entities=-1)


def test_min_papers_drops_rare_entities_and_their_papers(ranked_graph: Graph) -> None:
    network = to_networkx(ranked_graph, min_papers=2)

    assert sorted(d["label"] for _, d in network.nodes(data=True) if d["kind"] != "paper") == [
        "Alpha Net",
        "Beta Net",
        "Zeta Net",
    ]
    assert str(EX["paper/p5"]) not in network


def test_paper_count_is_counted_from_links_when_the_graph_does_not_say() -> None:
    graph = Graph()
    papers = [add_paper(graph, f"q{i}", f"Q {i}") for i in range(3)]
    add_entity(graph, "method", "Counted Net", papers, with_counts=False)
    add_entity(graph, "method", "Lonely Net", papers[:1], with_counts=False)

    network = to_networkx(graph, max_entities=1)

    assert [d["paper_count"] for _, d in network.nodes(data=True) if d["kind"] == "method"] == [3]


def test_sub_properties_of_mentions_found_in_the_graph_are_drawn(small_graph: Graph) -> None:
    extends = EX["vocab/extendsMethod"]
    small_graph.add((extends, RDFS.subPropertyOf, PKG.usesMethod))
    small_graph.add((PKG.usesMethod, RDFS.subPropertyOf, PKG.mentions))
    small_graph.add((extends, RDFS.label, Literal("extends method", lang="en")))
    paper = add_paper(small_graph, "p4", "Gloomier Transformers")
    small_graph.add((paper, extends, EX["method/gloom-transformer"]))

    network = to_networkx(small_graph)

    edge = network.edges[str(paper), str(EX["method/gloom-transformer"])]
    assert edge["label"] == "extends method"


def test_an_inferred_mentions_link_does_not_hide_the_specific_one(small_graph: Graph) -> None:
    paper, method = EX["paper/p1"], EX["method/gloom-transformer"]
    small_graph.add((paper, PKG.mentions, method))

    network = to_networkx(small_graph)

    assert network.edges[str(paper), str(method)]["label"] == "uses method"


def test_broader_links_between_drawn_entities_become_edges(small_graph: Graph) -> None:
    narrower, wider = EX["dataset/owlset-9k"], EX["task/owl-detection"]
    small_graph.add((narrower, SKOS.broader, wider))

    network = to_networkx(small_graph)

    edge = network.edges[str(narrower), str(wider)]
    assert (edge["label"], edge["source"]) == ("broader", str(narrower))
    cut = to_networkx(small_graph, max_entities=2)
    assert str(wider) not in cut
    assert not any(d["label"] == "broader" for _, _, d in cut.edges(data=True))


def test_same_graph_in_any_order_gives_the_same_network(small_graph: Graph) -> None:
    shuffled = Graph()
    for triple in sorted(small_graph, key=lambda t: tuple(reversed([str(x) for x in t]))):
        shuffled.add(triple)

    first, second = to_networkx(small_graph), to_networkx(shuffled)

    assert list(first.nodes(data=True)) == list(second.nodes(data=True))
    assert list(first.edges(data=True)) == list(second.edges(data=True))


def test_empty_graph_gives_an_empty_network() -> None:
    network = to_networkx(Graph())

    assert (network.number_of_nodes(), network.graph["papers_total"]) == (0, 0)


def test_view_graph_fetches_only_the_top_entities(tmp_path):
    """A store's view holds the most named entities and their papers, nothing else."""
    from kg.build import build
    from kg.graph.store import GraphStore
    from kg.viz.view import view_graph

    sample = Path(__file__).resolve().parents[2] / "kg" / "data" / "sample" / "abstracts.jsonl"
    store = GraphStore(tmp_path / "store")
    build([sample], store)
    small = view_graph(store, max_entities=3)
    network = to_networkx(small, max_entities=None)
    kinds = [kind for _, kind in network.nodes(data="kind")]
    assert sum(kind != "paper" for kind in kinds) == 3
    assert 1 <= kinds.count("paper") <= 6
    assert not list(small.subjects(RDF.type, PKG.Mention))
