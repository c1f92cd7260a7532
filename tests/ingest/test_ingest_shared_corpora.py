"""Reading the real corpora in ../shared: every paper comes through, nothing is skipped."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from kg.ingest import ReadReport, detect_format, read_papers

pytestmark = pytest.mark.shared


def test_listing_gives_its_59_papers(shared_corpora: Path) -> None:
    path = shared_corpora / "hf_papers_listing.txt"
    report = ReadReport()
    papers = list(read_papers([path], report=report))
    assert detect_format(path) == "listing"
    assert len(papers) == 59
    assert report.skipped == []
    assert all(paper.title and paper.abstract for paper in papers)
    assert len({paper.id for paper in papers}) == 59
    # Header lines ("new", "Subscribe", the date) must not have become titles.
    assert not {"new", "Subscribe"} & {paper.title for paper in papers}
    assert min(len(paper.abstract) for paper in papers) > 500


def test_ml_nlp_abstracts_read_completely_and_quickly(shared_corpora: Path) -> None:
    path = shared_corpora / "ml_nlp_abstracts.jsonl"
    report = ReadReport()
    started = time.perf_counter()
    papers = list(read_papers([path], report=report))
    elapsed = time.perf_counter() - started
    assert len(papers) == 9367
    assert report.skipped == []
    assert report.merged == 0
    assert report.per_file == {str(path): 9367}
    assert elapsed < 5.0
    assert all(paper.title and paper.abstract for paper in papers)
    # Inline math became readable text.
    assert not any("$\\" in paper.abstract for paper in papers)
