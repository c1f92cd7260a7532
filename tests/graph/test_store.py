from __future__ import annotations

import pytest
from rdflib import Graph
from rdflib.compare import isomorphic

from kg.errors import StoreError
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
