"""Entity IRIs do not move between builds, nor when more papers are added."""

from __future__ import annotations

from kg.build import build
from kg.graph.store import GraphStore
from kg.query import select

QUERY = (
    "SELECT ?e ?label WHERE { VALUES ?c { pkg:Method pkg:Dataset pkg:Task pkg:Metric } "
    "?e a ?c ; rdfs:label ?label }"
)


def entity_iris(store):
    return {row["label"]: row["e"] for row in select(store, QUERY).as_dicts()}


def test_same_iris_on_rebuild_and_incremental_build(tmp_path, sample_path):
    lines = sample_path.read_text().splitlines()
    first_half = tmp_path / "half.jsonl"
    first_half.write_text("\n".join(lines[:3]) + "\n")

    store = GraphStore(tmp_path / "store")
    build([first_half], store)
    before = entity_iris(store)
    build([first_half], store)
    assert entity_iris(store) == before

    build([sample_path], store)
    after = entity_iris(store)
    shared = set(before) & set(after)
    assert len(shared) >= 0.8 * len(before)
    assert {label: after[label] for label in shared} == {label: before[label] for label in shared}
    assert len(after) > len(before)
