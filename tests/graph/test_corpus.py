"""The store's corpus file: analyses survive the cache unchanged, keyed by text and extractor;
generations keep their papers; leftovers of killed writers go."""

from __future__ import annotations

import dataclasses
import os

import pytest

from kg.errors import StoreError
from kg.graph import corpus as corpus_module
from kg.graph.corpus import (
    BuildSettings,
    CorpusFile,
    Node,
    analysis_from_record,
    analysis_record,
    paper_from_record,
    paper_record,
    text_key,
)
from kg.graph.store import GraphStore
from kg.ingest import Paper, read_papers
from kg.nlp import SpacyExtractor
from kg.nlp.analysis import analyse

SETTINGS = BuildSettings("rules", "1.0", 0.0, "https://example.org/")


CODE = Paper(
    id="code:1",
    title="GlowNet: Light Image Generation",
    abstract="We propose GlowNet, a novel network for image generation. "
    "Code is at https://github.com/example/GlowNet.",
)


@pytest.fixture(scope="module")
def sample_analyses(sample_path):
    extractor = SpacyExtractor.create("rules")
    papers = [*read_papers(sample_path), CODE]
    return [analyse(p, m) for p, m in extractor.extract(papers)]


def test_analysis_round_trip(sample_analyses):
    # The sample holds results with their method, dataset and metric, and links to code.
    assert any(a.results for a in sample_analyses)
    assert any(a.link_methods and any(a.link_methods) for a in sample_analyses)
    for analysis in sample_analyses:
        record = analysis_record(analysis)
        assert analysis_from_record(analysis.paper, record) == analysis


def test_paper_round_trip(sample_analyses):
    for analysis in sample_analyses:
        assert paper_from_record(paper_record(analysis.paper)) == analysis.paper


def test_cache_is_keyed_by_text_and_extraction(tmp_path, sample_analyses):
    analysis = sample_analyses[0]
    key = text_key(analysis.paper)
    newer = dataclasses.replace(SETTINGS, version="1.1")
    edited = dataclasses.replace(analysis.paper, abstract=analysis.paper.abstract + " More.")
    with CorpusFile(tmp_path / "corpus.sqlite") as corpus:
        corpus.remember({key: analysis_record(analysis)}, SETTINGS.extraction_key)
    with CorpusFile(tmp_path / "corpus.sqlite") as corpus:
        assert set(corpus.cached([key], SETTINGS.extraction_key)) == {key}
        assert corpus.cached([key], newer.extraction_key) == {}
        assert corpus.cached([text_key(edited)], SETTINGS.extraction_key) == {}


def test_analyses_are_read_batch_by_batch_on_each_pass(tmp_path, sample_analyses, monkeypatch):
    monkeypatch.setattr(corpus_module, "DECODE_BATCH", 2)
    papers = [a.paper for a in sample_analyses]
    records = {text_key(a.paper): analysis_record(a) for a in sample_analyses}
    with CorpusFile(tmp_path / "corpus.sqlite") as corpus:
        corpus.remember(records, SETTINGS.extraction_key)
        assert corpus.cached_keys([*records, "unknown"], SETTINGS.extraction_key) == set(records)
        reads: list[int] = []
        cached = corpus.cached

        def counting(keys, extraction_key):
            found = cached(keys, extraction_key)
            reads.append(len(found))
            return found

        monkeypatch.setattr(corpus, "cached", counting)
        analyses = corpus.analyses(papers, SETTINGS.extraction_key)
        assert len(analyses) == len(papers)
        # Two passes give the same analyses, each read two records at a time.
        assert list(analyses) == list(analyses) == sample_analyses
        assert max(reads) == 2 and len(reads) == 2 * -(-len(papers) // 2)
        assert [p for p, _ in analyses.mentions()] == papers


def test_an_analysis_lost_from_the_cache_is_a_clear_error(tmp_path, sample_analyses):
    papers = [a.paper for a in sample_analyses]
    with CorpusFile(tmp_path / "corpus.sqlite") as corpus:
        corpus.remember(
            {text_key(a.paper): analysis_record(a) for a in sample_analyses[1:]},
            SETTINGS.extraction_key,
        )
        with pytest.raises(StoreError, match=f"{papers[0].id!r}.*run the command again"):
            list(corpus.analyses(papers, SETTINGS.extraction_key))


def test_generations_keep_their_papers(tmp_path, sample_analyses):
    papers = [a.paper for a in sample_analyses]
    with CorpusFile(tmp_path / "corpus.sqlite") as corpus:
        corpus.record_generation("g1", SETTINGS, papers)
        corpus.record_generation("g2", SETTINGS, papers[:2])
        assert corpus.papers("g1") == papers
        corpus.keep_only("g2")
        assert corpus.papers("g1") is None
        assert corpus.papers("g2") == papers[:2]
        assert corpus.settings("g2") == SETTINGS


def test_prepare_removes_what_killed_writers_left(tmp_path, triples):
    store = GraphStore(tmp_path / "store")
    store.replace(triples)
    generations = tmp_path / "store" / "generations"
    dead = generations / "g20240101-000000-999999999-1"  # no process has this pid
    running = generations / f"g20240101-000000-{os.getpid()}-1"
    dead.mkdir()
    running.mkdir()
    store.prepare()
    assert not dead.exists() and running.exists()
    assert (generations / str(store.generation)).is_dir()


def test_nodes_follow_their_generation(tmp_path):
    a, b, c = (Node(f"s:{x}", False, x.encode(), 1) for x in "abc")
    with CorpusFile(tmp_path / "corpus.sqlite") as corpus:
        corpus.start_staging()
        corpus.stage([a, b])
        corpus.record_generation("g1", SETTINGS, [])
        assert corpus.nodes("g1") == {"s:a": a, "s:b": b}
        # A change: b goes, c comes.
        corpus.stage([dataclasses.replace(b, digest=b""), c])
        corpus.record_generation("g2", SETTINGS, [], nodes_from="g1")
        assert corpus.nodes("g2") == {"s:a": a, "s:c": c}
        assert corpus.nodes("g1") == {}
        # Changes to a generation whose nodes are no longer the recorded ones leave none known.
        corpus.stage([b])
        corpus.record_generation("g3", SETTINGS, [], nodes_from="g1")
        assert not corpus.has_nodes("g3") and corpus.nodes("g2") == {}
