"""The example queries of ontology/queries against a corpus whose answers are known."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.errors import QueryError
from kg.graph.build import ExtractionInfo, graph_triples
from kg.graph.iri import IriMinter
from kg.graph.store import GraphStore
from kg.ingest.paper import Paper
from kg.nlp.analysis import PaperAnalysis
from kg.nlp.mention import Label, Mention
from kg.query import select
from kg.query.sparql import parse_binding
from kg.resolve import resolve

QUERIES = Path(__file__).resolve().parents[2] / "ontology" / "queries"


def rows(store, name, **bindings):
    result = select(store, (QUERIES / f"{name}.rq").read_text(), bindings)
    return [tuple(row) for row in result.rows]


def test_every_query_parses_and_runs(query_store):
    names = sorted(p.stem for p in QUERIES.glob("*.rq"))
    assert len(names) >= 6
    for name in names:
        assert rows(query_store, name), name


def test_top_entities_breaks_ties_by_label(query_store):
    # NightBirds counts the papers of NightBirds-1K and NightBirds-2K; "bat counting" is the
    # eleventh, after the other entities of one paper.
    assert rows(query_store, "top-entities") == [
        ("Dataset", "NightBirds", "3"),
        ("Dataset", "Forest10", "2"),
        ("Dataset", "NightBirds-2K", "2"),
        ("Method", "Owlformer", "2"),
        ("Metric", "mAP", "2"),
        ("Task", "owl detection", "2"),
        ("Method", "BatNet", "1"),
        ("Dataset", "NightBirds-1K", "1"),
        ("Method", "ResNet-50", "1"),
        ("Metric", "accuracy", "1"),
    ]


def test_top_datasets_per_task(query_store):
    assert rows(query_store, "top-datasets-per-task") == [
        ("bat counting", "Forest10", "1"),
        ("bat counting", "NightBirds-1K", "1"),
        ("owl detection", "NightBirds-2K", "2"),
        ("owl detection", "Forest10", "1"),
    ]
    assert rows(query_store, "top-datasets-per-task", task="bat counting") == [
        ("bat counting", "Forest10", "1"),
        ("bat counting", "NightBirds-1K", "1"),
    ]


def test_methods_on_dataset(query_store):
    assert rows(query_store, "methods-on-dataset", dataset="NightBirds-2K") == [
        ("NightBirds-2K", "Owlformer", "2"),
        ("NightBirds-2K", "ResNet-50", "1"),
    ]


def test_code_for_methods_on_dataset(query_store):
    owlformer = ("NightBirds-2K", "Owlformer", "https://github.com/owls/owlformer", "q:1")
    assert rows(query_store, "code-for-methods-on-dataset", dataset="NightBirds-2K") == [owlformer]
    # A family lists its versions; a dataset no method with code was evaluated on lists none.
    assert rows(query_store, "code-for-methods-on-dataset", dataset="NightBirds") == [owlformer]
    assert rows(query_store, "code-for-methods-on-dataset", dataset="NightBirds-1K") == []
    assert rows(query_store, "code-for-methods-on-dataset") == [
        ("Forest10", "Owlformer", "https://github.com/owls/owlformer", "q:1"),
        owlformer,
    ]


def test_papers_proposing_for_task(query_store):
    assert rows(query_store, "papers-proposing-for-task", task="owl detection") == [
        ("owl detection", "Owlformer", "Paper q:1"),
    ]
    assert len(rows(query_store, "papers-proposing-for-task")) == 2


def test_leaderboard_of_a_family_lists_its_versions(query_store):
    board = rows(query_store, "leaderboard", dataset="NightBirds")
    assert [(r[0], r[1], r[2], r[3], r[4], r[5]) for r in board] == [
        ("NightBirds-2K", "mAP", "51", "%", "Owlformer", "q:1"),
        ("NightBirds-2K", "mAP", "44.2", "%", "ResNet-50", "q:2"),
    ]
    assert board[0][6] == "Owlformer reaches 51.0% mAP on NightBirds-2K and also runs on Forest10."


def test_unbound_leaderboard_lists_each_score_once(query_store):
    # NightBirds-2K is reached through its own name and its family's: still one row a score.
    board = rows(query_store, "leaderboard")
    assert len(board) == len(set(board))
    assert [r[2] for r in board if r[0] == "NightBirds-2K"] == ["51", "44.2"]


def test_cooccurring_entities(query_store):
    assert [(r[2], r[3]) for r in rows(query_store, "cooccurring", entity="Owlformer")] == [
        ("NightBirds-2K", "2"),
        ("mAP", "2"),
        ("owl detection", "2"),
        ("Forest10", "1"),
        ("ResNet-50", "1"),
    ]


def test_evidence_of_a_link(query_store):
    assert rows(query_store, "evidence", entity="BatNet") == [
        (
            "q:3",
            "BatNet",
            "BatNet",
            "abstract",
            "13",
            "19",
            "0.9",
            "rules",
            "test",
            "We introduce BatNet for bat counting on NightBirds-1K.",
        )
    ]


def test_binding_syntax():
    assert parse_binding("?task=owl detection") == ("task", "owl detection")
    with pytest.raises(QueryError, match="NAME=VALUE"):
        parse_binding("no equals sign")


def test_evidence_is_one_page_of_links(tmp_path):
    sentence = "Owlformer counts owls."
    abstract = " ".join([sentence] * 205)
    paper = Paper(id="many:1", title="Owls", abstract=abstract)
    starts = range(0, len(abstract), len(sentence) + 1)
    mentions = tuple(
        Mention(
            text="Owlformer",
            label=Label.METHOD,
            field="abstract",
            start=s,
            end=s + 9,
            sentence=sentence,
            confidence=0.9,
            source="rules",
        )
        for s in starts
    )
    analyses = [PaperAnalysis(paper, mentions, (False,) * len(mentions), ())]
    store = GraphStore(tmp_path / "store")
    store.replace(
        graph_triples(
            analyses,
            resolve((a.paper, a.mentions) for a in analyses),
            minter=IriMinter(),
            extraction=ExtractionInfo(name="rules", version="test"),
        )
    )
    paged = rows(store, "evidence", entity="Owlformer")
    assert len(paged) == 200 and len(set(paged)) == 200
    every = (QUERIES / "evidence.rq").read_text().replace("LIMIT 200", "ORDER BY ?paper ?start")
    assert len(select(store, every, {"entity": "Owlformer"}).rows) == 205
