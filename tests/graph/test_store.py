from __future__ import annotations

import pytest
from rdflib import RDF, RDFS, Graph, Literal, URIRef
from rdflib.compare import isomorphic

from kg.errors import StoreError
from kg.graph.namespace import PKG
from kg.graph.store import ExportFormat, GraphStore


def test_replace_then_export_round_trip(tmp_path, triples, graph):
    store = GraphStore(tmp_path / "store")
    assert store.replace(triples) == len(graph)
    for fmt, parser in [
        (ExportFormat.TURTLE, "turtle"),
        (ExportFormat.NT, "nt"),
        (ExportFormat.NQ, "nquads"),
        (ExportFormat.JSONLD, "json-ld"),
    ]:
        out = tmp_path / f"graph.{fmt.value}"
        store.export(out, fmt)
        assert isomorphic(Graph().parse(out, format=parser), graph), fmt


def test_build_twice_gives_same_triples(tmp_path, triples):
    store = GraphStore(tmp_path / "store")
    store.replace(triples)
    first = store.to_graph()
    store.replace(triples)
    assert isomorphic(first, store.to_graph())
    # The old generation is gone: one graph on disk.
    assert len(list((tmp_path / "store" / "generations").iterdir())) == 1


def test_failed_write_leaves_previous_graph(tmp_path, triples):
    store = GraphStore(tmp_path / "store")
    store.replace(triples)
    before = store.to_graph()

    def broken():
        yield from triples[:10]
        raise RuntimeError("interrupted")

    with pytest.raises(RuntimeError, match="interrupted"):
        store.replace(broken())
    assert isomorphic(before, store.to_graph())
    assert len(list((tmp_path / "store" / "generations").iterdir())) == 1


def test_missing_store_says_what_to_do(tmp_path):
    with pytest.raises(StoreError, match="kg build"):
        len(GraphStore(tmp_path / "nothing"))


def test_refuses_foreign_folder(tmp_path, triples):
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "notes.txt").write_text("keep me")
    with pytest.raises(StoreError, match="not a paperkg store"):
        GraphStore(folder).replace(triples)
    assert (folder / "notes.txt").read_text() == "keep me"


def test_to_graph_without_mentions(tmp_path, triples, graph):
    store = GraphStore(tmp_path / "store")
    store.replace(triples)
    small = store.to_graph(with_mentions=False)
    assert 0 < len(small) < len(graph)
    assert "Mention" not in small.serialize(format="nt")


def test_revise_drops_subjects_and_papers_and_adds(tmp_path, triples, graph):
    store = GraphStore(tmp_path / "store")
    store.replace(triples)
    paper = URIRef("https://w3id.org/paperkg/resource/paper/test-2")
    evidence = set(graph.subjects(PKG.inPaper, paper))
    assert evidence
    entity = next(iter(graph.subjects(RDF.type, PKG.Method)))
    extra = (entity, RDFS.comment, Literal("added"))
    store.revise(drop=[entity], drop_papers=[paper], triples=[extra])
    expected = Graph()
    for s, p, o in graph:
        if s not in evidence and s not in (paper, entity):
            expected.add((s, p, o))
    expected.add(extra)
    assert isomorphic(store.to_graph(), expected)
    assert len(list((tmp_path / "store" / "generations").iterdir())) == 1


def test_failed_revise_leaves_previous_graph(tmp_path, triples):
    store = GraphStore(tmp_path / "store")
    store.replace(triples)
    generation, before = store.generation, store.to_graph()

    def broken():
        yield triples[0][0], RDFS.comment, Literal("half")
        raise RuntimeError("interrupted")

    paper = URIRef("https://w3id.org/paperkg/resource/paper/test-1")
    with pytest.raises(RuntimeError, match="interrupted"):
        store.revise(drop=[], drop_papers=[paper], triples=broken())
    assert store.generation == generation
    assert isomorphic(before, store.to_graph())
    assert len(list((tmp_path / "store" / "generations").iterdir())) == 1
