"""The build: input files -> papers -> mentions -> entities -> RDF, written atomically
to a store."""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from kg.graph.build import ExtractionInfo, graph_triples
from kg.graph.iri import DEFAULT_BASE, IriMinter
from kg.graph.store import GraphStore
from kg.ingest import ReadReport, read_papers
from kg.nlp import DEFAULT_EXTRACTOR, SpacyExtractor
from kg.nlp.analysis import analyse
from kg.resolve import resolve

log = logging.getLogger("kg.build")

T = TypeVar("T")
Progress = Callable[[Iterable[T], str, int | None], Iterable[T]]


def no_progress(items: Iterable[T], description: str, total: int | None) -> Iterable[T]:
    return items


@dataclass(slots=True)
class BuildSummary:
    """What a build did, for the closing summary line."""

    papers: int = 0
    mentions: int = 0
    results: int = 0
    entities: int = 0
    triples: int = 0
    skipped: int = 0
    merged: int = 0
    seconds: float = 0.0
    per_label: dict[str, int] = field(default_factory=dict)

    def lines(self) -> list[str]:
        labels = ", ".join(f"{k.lower()} {v}" for k, v in sorted(self.per_label.items()))
        return [
            f"papers: {self.papers} ({self.merged} duplicates merged)",
            f"mentions: {self.mentions}",
            f"results: {self.results}",
            f"entities: {self.entities}" + (f" ({labels})" if labels else ""),
            f"triples: {self.triples}",
            f"skipped records: {self.skipped}",
            f"seconds: {self.seconds:.1f}",
        ]


#: Below this many papers, starting worker processes costs more time than they save.
PARALLEL_FROM = 500
MAX_PROCESSES = 4


def default_processes(n_papers: int, cores: int | None = None) -> int:
    """Extraction processes for ``n_papers``: one for a small input, else one per core this
    process may use (at most :data:`MAX_PROCESSES`).

    >>> default_processes(60, cores=8), default_processes(9000, cores=2)
    (1, 2)
    """
    if cores is None:
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    if n_papers < PARALLEL_FROM:
        return 1
    return min(cores or 1, MAX_PROCESSES)


def build(
    inputs: Sequence[str | Path],
    store: GraphStore,
    *,
    extractor: str = DEFAULT_EXTRACTOR,
    min_confidence: float = 0.0,
    base: str = DEFAULT_BASE,
    n_process: int | None = None,
    progress: Progress = no_progress,
) -> tuple[BuildSummary, ReadReport]:
    """Build the graph of ``inputs`` and make it the store's graph. ``n_process`` extraction
    processes are used, by default :func:`default_processes` of the number of papers.

    Every input is checked before any work starts; the store changes only when the whole
    build succeeded.
    """
    started = time.perf_counter()
    minter = IriMinter(base)
    report = ReadReport()
    papers = list(progress(read_papers(inputs, report=report), "reading", None))
    nlp = SpacyExtractor.create(extractor, min_confidence=min_confidence)
    analyses = [
        analyse(paper, mentions)
        for paper, mentions in progress(
            nlp.extract(papers, n_process=n_process or default_processes(len(papers))),
            "extracting",
            len(papers),
        )
    ]
    resolution = resolve((a.paper, a.mentions) for a in analyses)
    summary = BuildSummary(
        papers=len(papers),
        mentions=sum(len(a.mentions) for a in analyses),
        results=sum(len(a.results) for a in analyses),
        entities=len(resolution.entities),
        skipped=len(report.skipped),
        merged=report.merged,
    )
    for entity in resolution.entities.values():
        summary.per_label[entity.label.value] = summary.per_label.get(entity.label.value, 0) + 1
    triples = graph_triples(
        analyses,
        resolution,
        minter=minter,
        extraction=ExtractionInfo(name=nlp.name, version=nlp.version),
    )
    summary.triples = store.replace(progress(triples, "writing", None))
    summary.seconds = time.perf_counter() - started
    return summary, report
