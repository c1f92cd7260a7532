"""The whole path on the listing the project started from: 59 papers in, a valid graph out."""

from __future__ import annotations

import pytest
from rdflib import RDF
from rdflib.namespace import DCTERMS

from kg.build import build
from kg.graph.namespace import PKG
from kg.graph.store import GraphStore
from kg.graph.validate import validate_graph

pytestmark = [pytest.mark.shared, pytest.mark.slow]


@pytest.fixture(scope="module")
def listing_store(listing_path, tmp_path_factory):
    store = GraphStore(tmp_path_factory.mktemp("e2e") / "store")
    summary, report = build([listing_path], store)
    assert summary.papers == 59 and not report.skipped
    return store


def test_every_paper_has_a_title(listing_store):
    graph = listing_store.to_graph()
    papers = set(graph.subjects(RDF.type, PKG.Paper))
    assert len(papers) == 59
    assert all(str(graph.value(p, DCTERMS.title)).strip() for p in papers)


def test_most_papers_link_to_methods_datasets_or_tasks(listing_store):
    graph = listing_store.to_graph(with_mentions=False)
    links = (PKG.proposes, PKG.usesMethod, PKG.evaluatesOn, PKG.addressesTask)
    papers = set(graph.subjects(RDF.type, PKG.Paper))
    linked = {p for p in papers if any(graph.value(p, link) is not None for link in links)}
    assert len(linked) / len(papers) >= 0.9


def test_listing_graph_conforms(listing_store):
    report = validate_graph(listing_store.to_graph())
    assert report.conforms, report.text


def labels_of(store, sparql):
    from kg.query import select

    return select(store, sparql).as_dicts()


def test_acronym_and_long_form_are_one_entity(listing_store):
    rows = labels_of(
        listing_store,
        'SELECT ?label WHERE { ?e skos:altLabel "DiT" ; rdfs:label ?label }',
    )
    assert [r["label"] for r in rows] == ["Diffusion Transformer"]


def test_voxceleb_versions_under_family(listing_store):
    rows = labels_of(
        listing_store,
        "SELECT ?member WHERE { ?m skos:broader ?f ; rdfs:label ?member . "
        '?f rdfs:label "VoxCeleb" ; a pkg:Dataset } ORDER BY ?member',
    )
    assert [r["member"] for r in rows] == ["VoxCeleb1", "VoxCeleb2"]


def test_beats_results_with_values_and_sentences(listing_store):
    rows = labels_of(
        listing_store,
        "SELECT ?dataset ?metric ?value ?sentence WHERE { "
        '?r a pkg:Score ; pkg:ofMethod/rdfs:label "BEATs" ; pkg:onDataset/rdfs:label ?dataset ; '
        "pkg:inMetric/rdfs:label ?metric ; pkg:value ?value ; pkg:sentence ?sentence } "
        "ORDER BY ?dataset",
    )
    assert [(r["dataset"], r["metric"], float(r["value"])) for r in rows] == [
        ("AudioSet-2M", "mAP", 50.6),
        ("ESC-50", "accuracy", 98.1),
    ]
    assert all("50.6%" in r["sentence"] and "98.1%" in r["sentence"] for r in rows)
