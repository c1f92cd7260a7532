"""A graph that grows: ``kg add`` and ``kg remove`` give the graph ``kg build`` gives for the
same papers, extract no paper twice and leave nothing of a replaced or removed paper."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import RDF, Literal, URIRef
from rdflib.compare import isomorphic

import kg
import kg.graph.build
from kg.build import add, build, remove
from kg.cli import main
from kg.errors import StoreError
from kg.graph.build import PREFIXES
from kg.graph.store import GraphStore

PKG = PREFIXES["pkg"]
SKOS = PREFIXES["skos"]

FIRST = [
    {
        "id": "a:1",
        "title": "Diffusion Transformers for Image Generation",
        "abstract": "We propose the Diffusion Transformer (DiT) for image generation. "
        "DiT reaches 2.27 FID on ImageNet.",
        "authors": ["Ada Example"],
    },
    {
        "id": "a:2",
        "title": "Speaker Verification on VoxCeleb1",
        "abstract": "We evaluate ResNet speaker embeddings on VoxCeleb1 for speaker verification "
        "and report the equal error rate. Code: https://github.com/example/spk.",
    },
]
# Papers that lean on the first ones: an acronym defined there, a second VoxCeleb version
# (which makes VoxCeleb a family), entities and associations both sets name.
SECOND = [
    {
        "id": "b:1",
        "title": "Scaling DiT",
        "abstract": "We train DiT on ImageNet for image generation and report FID.",
        "authors": ["Ada Example", "Bo Sample"],
    },
    {
        "id": "b:2",
        "title": "Speaker Verification on VoxCeleb2",
        "abstract": "ResNet embeddings trained on VoxCeleb2 improve speaker verification.",
    },
]
CHANGED = [
    {
        "id": "b:1",
        "title": "Scaling DiT",
        "abstract": "We train DiT on LSUN for image generation and report FID.",
        "authors": ["Ada Example", "Bo Sample"],
    }
]


@pytest.fixture(autouse=True)
def counted_cooccurrences(monkeypatch):
    """Co-occurrences in the graph for every entity named in more than one paper or with more
    than one other entity, so that these small corpora have them and the changes below move
    them."""
    monkeypatch.setattr(kg.graph.build, "COOCCURRENCE_LIMIT", 1)


def write(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


@pytest.fixture
def files(tmp_path):
    return {
        name: write(tmp_path / f"{name}.jsonl", records)
        for name, records in (("first", FIRST), ("second", SECOND), ("changed", CHANGED))
    }


def built(tmp_path: Path, name: str, *inputs: Path) -> GraphStore:
    store = GraphStore(tmp_path / name)
    build(inputs, store, extractor="rules")
    return store


def entity(graph, label: str) -> URIRef:
    (found,) = set(graph.subjects(URIRef(f"{SKOS}prefLabel"), Literal(label)))
    assert isinstance(found, URIRef)
    return found


def test_add_gives_the_graph_of_a_build_of_all(tmp_path, files):
    store = built(tmp_path, "grown", files["first"])
    summary, change, _ = add([files["second"]], store)
    assert summary is not None and (change.added, change.replaced) == (2, 0)
    assert summary.extracted == 2  # the first papers came from the cache
    whole = built(tmp_path, "whole", files["first"], files["second"]).to_graph()
    grown = store.to_graph()
    assert isomorphic(grown, whole)
    # What makes this a test of corpus-wide resolution: the acronym of b:1 joined the long form
    # defined in a:1, and VoxCeleb became a family only once both versions were in.
    dit = entity(grown, "Diffusion Transformer")
    assert grown.value(dit, URIRef(f"{PKG}paperCount")) == Literal(2)
    voxceleb = entity(grown, "VoxCeleb")
    assert len(set(grown.subjects(URIRef(f"{SKOS}broader"), voxceleb))) == 2


def test_second_identical_add_changes_nothing(tmp_path, files):
    store = built(tmp_path, "store", files["first"])
    add([files["second"]], store)
    generation, before = store.generation, store.to_graph()
    summary, change, _ = add([files["second"]], store)
    assert summary is None
    assert (change.added, change.replaced, change.unchanged) == (0, 0, 2)
    assert store.generation == generation
    assert isomorphic(store.to_graph(), before)


def test_changed_abstract_leaves_nothing_stale(tmp_path, files):
    store = built(tmp_path, "store", files["first"], files["second"])
    summary, change, _ = add([files["changed"]], store)
    assert summary is not None and change.replaced == 1
    assert summary.extracted == 1
    # The build of the changed set: the same papers with b:1's new text in its place.
    write(files["second"], [CHANGED[0], SECOND[1]])
    expected = built(tmp_path, "expected", files["first"], files["second"])
    graph = store.to_graph()
    assert isomorphic(graph, expected.to_graph())
    imagenet = entity(graph, "ImageNet")
    assert graph.value(imagenet, URIRef(f"{PKG}paperCount")) == Literal(1)
    assert "We train DiT on ImageNet" not in graph.serialize(format="nt")


def test_remove_gives_the_graph_of_the_rest(tmp_path, files):
    store = built(tmp_path, "store", files["first"], files["second"])
    summary, change = remove(["b:1", "b:2"], store)
    assert change.removed == 2 and summary.extracted == 0
    assert isomorphic(store.to_graph(), built(tmp_path, "rest", files["first"]).to_graph())


def test_remove_of_an_unknown_id_changes_nothing(tmp_path, files, capsys):
    store = built(tmp_path, "store", files["first"])
    generation = store.generation
    with pytest.raises(StoreError, match="no paper with id 'b:9'"):
        remove(["a:1", "b:9"], store)
    assert store.generation == generation
    assert main(["remove", "nope", "--store", str(store.path)]) == 1
    assert "kg: error: no paper with id 'nope'" in capsys.readouterr().err


def test_build_extracts_no_paper_twice(tmp_path, files):
    store = GraphStore(tmp_path / "store")
    first, _ = build([files["first"]], store, extractor="rules")
    again, _ = build([files["first"], files["second"]], store, extractor="rules")
    assert (first.extracted, again.extracted) == (2, 2)
    # A build keeps its meaning: exactly the papers of its inputs.
    only, _ = build([files["second"]], store, extractor="rules")
    assert only.extracted == 0 and only.papers == 2


def test_new_extractor_version_extracts_again(tmp_path, files, monkeypatch):
    store = built(tmp_path, "store", files["first"])
    monkeypatch.setattr(kg, "__version__", "9.9.9")
    summary, _, _ = add([files["second"]], store)
    assert summary is not None and summary.extracted == 4
    assert "9.9.9" in store.to_graph().serialize(format="nt")


def test_add_needs_a_built_store(tmp_path, files):
    with pytest.raises(StoreError, match="kg build"):
        add([files["first"]], GraphStore(tmp_path / "none"))


def test_cli_add_prints_what_changed(tmp_path, files, capsys):
    store = str(built(tmp_path, "store", files["first"]).path)
    assert main(["add", str(files["second"]), "--store", store]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[:3] == [
        f"updated {store}",
        "  papers added: 2, replaced: 0, unchanged: 0, removed: 0",
        "  papers: 4 (0 duplicates merged)",
    ]
    assert out[3] == "  extracted: 2 (2 from the cache)"
    assert main(["add", str(files["second"]), "--store", store]) == 0
    assert capsys.readouterr().out.splitlines() == [
        f"{store} unchanged",
        "  papers added: 0, replaced: 0, unchanged: 2, removed: 0",
    ]


# The difference path: an add or remove writes what changed into a copy of the live graph.
# Each case changes shared nodes in its own way and must still give the graph of a build.
ZORBNET_DATASET = {
    "id": "z:1",
    "title": "ZorbNet evaluation",
    "abstract": "We evaluate speaker embeddings on the ZorbNet dataset for speaker verification.",
}
ZORBNET_METHOD = {
    "id": "z:2",
    "title": "ZorbNet",
    "abstract": "We compare ResNet and ZorbNet on CIFAR-10. ZorbNet outperforms ResNet. "
    "We train ZorbNet with SGD.",
}
IMAGENET_AGAIN = {
    "id": "c:1",
    "title": "Diffusion Transformers at Scale",
    "abstract": "We train the Diffusion Transformer (DiT) on ImageNet for image generation.",
}


def revised(tmp_path: Path, before: list[dict], *, added=(), removed=()) -> tuple:
    """The store grown from a build of ``before`` by an add of ``added`` and a removal of
    ``removed``, its summary, and the graph a build of the resulting papers gives."""
    store = built(tmp_path, "grown", write(tmp_path / "before.jsonl", before))
    if added:
        summary, _, _ = add([write(tmp_path / "added.jsonl", list(added))], store)
    else:
        summary, _ = remove(list(removed), store)
    after = {r["id"]: r for r in before} | {r["id"]: r for r in added}
    kept = [r for i, r in after.items() if i not in removed]
    expected = built(tmp_path, "expected", write(tmp_path / "after.jsonl", kept))
    return store, summary, expected.to_graph()


def test_a_type_that_flips(tmp_path):
    store, summary, expected = revised(tmp_path, [ZORBNET_DATASET], added=[ZORBNET_METHOD])
    grown = store.to_graph()
    assert isomorphic(grown, expected)
    assert (entity(grown, "ZorbNet"), RDF.type, URIRef(f"{PKG}Method")) in grown
    # The first paper's link to it follows its new type, though the paper did not change.
    paper = URIRef("https://w3id.org/paperkg/resource/paper/z-1")
    assert (paper, URIRef(f"{PKG}usesMethod"), entity(grown, "ZorbNet")) in grown
    assert 0 < summary.written < summary.triples


def test_an_entity_and_a_family_that_go(tmp_path):
    store, summary, expected = revised(tmp_path, FIRST + SECOND, removed=["b:2"])
    grown = store.to_graph()
    assert isomorphic(grown, expected)
    assert not set(grown.subjects(URIRef(f"{SKOS}prefLabel"), Literal("VoxCeleb2")))
    assert not set(grown.subjects(URIRef(f"{SKOS}prefLabel"), Literal("VoxCeleb")))
    assert "VoxCeleb2" not in grown.serialize(format="nt")
    assert summary.written < summary.triples


def test_counts_that_change(tmp_path):
    before = built(tmp_path, "before", write(tmp_path / "first.jsonl", FIRST + SECOND))
    imagenet = entity(before.to_graph(), "ImageNet")
    assert before.to_graph().value(imagenet, URIRef(f"{PKG}paperCount")) == Literal(2)
    store, summary, expected = revised(tmp_path, FIRST + SECOND, added=[IMAGENET_AGAIN])
    grown = store.to_graph()
    assert isomorphic(grown, expected)
    assert grown.value(imagenet, URIRef(f"{PKG}paperCount")) == Literal(3)
    assert summary.written < summary.triples
    # ImageNet's first co-occurring entity, counted anew.
    assert cooccurrences(before.to_graph(), imagenet) == {"Diffusion Transformer": 2}
    assert cooccurrences(grown, imagenet) == {"Diffusion Transformer": 3}


def cooccurrences(graph, of: URIRef) -> dict[str, int]:
    """The entities ``graph`` gives as co-occurring with an entity, with their paper counts."""
    found = {}
    for node in graph.subjects(URIRef(f"{PKG}ofEntity"), of):
        papers = graph.value(node, URIRef(f"{PKG}paperCount")).toPython()
        for other in graph.objects(node, URIRef(f"{PKG}withEntity")):
            found[str(graph.value(other, URIRef(f"{SKOS}prefLabel")))] = papers
    return found


def test_add_to_a_store_without_node_records_writes_it_whole(tmp_path, files):
    store = built(tmp_path, "store", files["first"])
    with sqlite3.connect(store.path / "corpus.sqlite") as db:
        db.execute("DELETE FROM node_state")
    summary, _, _ = add([files["second"]], store)
    assert summary is not None and summary.written == summary.triples == len(store)
    whole = built(tmp_path, "whole", files["first"], files["second"])
    assert isomorphic(store.to_graph(), whole.to_graph())
    # Written whole, the graph's nodes are known again: the next add writes the difference.
    summary, _, _ = add([files["changed"]], store)
    assert summary is not None and summary.written < summary.triples == len(store)


def test_what_a_killed_add_staged_is_forgotten(tmp_path, files):
    store = built(tmp_path, "store", files["first"])
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    # What an add killed after staging its changes leaves: rows of a writer that is gone.
    with sqlite3.connect(store.path / "corpus.sqlite") as db:
        (subject,) = db.execute("SELECT subject FROM node LIMIT 1").fetchone()
        for writer in (dead.pid, os.getpid()):  # a writer gone, or one whose id came back
            db.execute("INSERT INTO node_change VALUES (?, ?, 0, NULL, 0)", (writer, subject))
    summary, _, _ = add([files["second"]], store)
    assert summary is not None and summary.written < summary.triples
    whole = built(tmp_path, "whole", files["first"], files["second"])
    assert isomorphic(store.to_graph(), whole.to_graph())
    with sqlite3.connect(store.path / "corpus.sqlite") as db:
        assert db.execute("SELECT COUNT(*) FROM node_change").fetchone() == (0,)
        # The node the stale change said was gone is still recorded.
        assert db.execute("SELECT 1 FROM node WHERE subject = ?", (subject,)).fetchone()
