"""The build: input files -> papers -> mentions -> entities -> RDF, written atomically
to a store."""

from __future__ import annotations

import dataclasses
import logging
import os
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from kg.cluster import Cluster, extract_on_cluster
from kg.errors import ModelError, StoreError
from kg.graph.build import ExtractionInfo, GraphParts
from kg.graph.corpus import FILENAME as CORPUS_FILE
from kg.graph.corpus import (
    BuildSettings,
    CorpusFile,
    analysis_record,
    text_key,
)
from kg.graph.generation import write_generation
from kg.graph.iri import DEFAULT_BASE, IriMinter
from kg.graph.store import GraphStore
from kg.ingest import Paper, ReadReport, read_papers
from kg.nlp import DEFAULT_EXTRACTOR, SpacyExtractor
from kg.nlp.analysis import PaperAnalysis, analyse
from kg.nlp.pipeline import extractor_fingerprint
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
    written: int = 0
    skipped: int = 0
    merged: int = 0
    extracted: int = 0
    seconds: float = 0.0
    per_label: dict[str, int] = field(default_factory=dict)

    def lines(self) -> list[str]:
        labels = ", ".join(f"{k.lower()} {v}" for k, v in sorted(self.per_label.items()))
        return [
            f"papers: {self.papers} ({self.merged} duplicates merged)",
            f"extracted: {self.extracted} ({self.papers - self.extracted} from the cache)",
            f"mentions: {self.mentions}",
            f"results: {self.results}",
            f"entities: {self.entities}" + (f" ({labels})" if labels else ""),
            f"triples: {self.triples} ({self.written} written)",
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
    cluster: Cluster | None = None,
    progress: Progress = no_progress,
) -> tuple[BuildSummary, ReadReport]:
    """Build the graph of ``inputs`` and make it the store's graph. ``n_process`` extraction
    processes are used, by default :func:`default_processes` of the number of papers to
    extract, or the workers of a dask ``cluster``; a paper whose text the store's cache knows
    is not extracted again.

    Every input is checked before any work starts; the store's graph changes only when the
    whole build succeeded.
    """
    started = time.perf_counter()
    report = ReadReport()
    papers = list(progress(read_papers(inputs, report=report), "reading", None))
    settings = BuildSettings(extractor, _extractor_version(extractor), min_confidence, base)
    summary = _write_graph(
        papers, store, settings, n_process=n_process, cluster=cluster, progress=progress
    )
    summary.skipped = len(report.skipped)
    summary.merged = report.merged
    summary.seconds = time.perf_counter() - started
    return summary, report


@dataclass(slots=True)
class Change:
    """How ``kg add`` or ``kg remove`` changed the store's set of papers."""

    added: int = 0
    replaced: int = 0
    unchanged: int = 0
    removed: int = 0

    def line(self) -> str:
        return (
            f"papers added: {self.added}, replaced: {self.replaced}, "
            f"unchanged: {self.unchanged}, removed: {self.removed}"
        )


def add(
    inputs: Sequence[str | Path],
    store: GraphStore,
    *,
    n_process: int | None = None,
    cluster: Cluster | None = None,
    progress: Progress = no_progress,
) -> tuple[BuildSummary | None, Change, ReadReport]:
    """Add the papers of ``inputs`` to the store's graph, built as before (extractor,
    confidence floor, base). A paper the store holds (same id) is replaced by the one read.
    Resolution runs over the whole new set of papers, so the graph is the one ``kg build``
    would give for them; no paper already extracted is extracted again. Returns no summary
    when nothing changed, and then writes nothing.
    """
    started = time.perf_counter()
    settings, held = _live_papers(store)
    report = ReadReport()
    papers = {paper.id: paper for paper in held}
    change = Change()
    for paper in progress(read_papers(inputs, report=report), "reading", None):
        earlier = papers.get(paper.id)
        if earlier is None:
            change.added += 1
        elif dataclasses.replace(earlier, source=paper.source) == paper:
            change.unchanged += 1
        else:
            change.replaced += 1
        # A known id keeps its place, so the graph is the one of a build of the same papers.
        papers[paper.id] = paper
    current = dataclasses.replace(settings, version=_extractor_version(settings.extractor))
    if not (change.added or change.replaced) and current == settings:
        return None, change, report
    summary = _write_graph(
        list(papers.values()),
        store,
        current,
        n_process=n_process,
        cluster=cluster,
        progress=progress,
        revise=current == settings,
    )
    summary.skipped = len(report.skipped)
    summary.merged = report.merged
    summary.seconds = time.perf_counter() - started
    return summary, change, report


def remove(
    ids: Sequence[str],
    store: GraphStore,
    *,
    n_process: int | None = None,
    progress: Progress = no_progress,
) -> tuple[BuildSummary, Change]:
    """Take the papers with ``ids`` out of the store's graph and resolve the rest anew.
    An id the store does not hold stops the removal before anything changes."""
    started = time.perf_counter()
    settings, held = _live_papers(store)
    known = {paper.id for paper in held}
    unknown = [i for i in dict.fromkeys(ids) if i not in known]
    if unknown:
        raise StoreError(
            f"no paper with id {', '.join(map(repr, unknown))} in the store at {store.path}; "
            "nothing was removed. List the ids with "
            "`kg query 'SELECT ?id WHERE { ?paper dcterms:identifier ?id }'`"
        )
    gone = set(ids)
    kept = [paper for paper in held if paper.id not in gone]
    current = dataclasses.replace(settings, version=_extractor_version(settings.extractor))
    summary = _write_graph(
        kept, store, current, n_process=n_process, progress=progress, revise=current == settings
    )
    summary.seconds = time.perf_counter() - started
    return summary, Change(removed=len(held) - len(kept), unchanged=len(kept))


#: Extracted papers are committed to the cache in batches of this many, so a killed build
#: keeps what it extracted.
CACHE_BATCH = 64


def _extractor_version(extractor: str) -> str:
    # The version SpacyExtractor.create gives its extractors, known without loading a model.
    from kg import __version__

    return f"{__version__}+{extractor_fingerprint(extractor)}"


def _live_papers(store: GraphStore) -> tuple[BuildSettings, list[Paper]]:
    """The settings and papers of the store's live graph."""
    generation = store.generation
    if generation is None or not store.exists():
        raise StoreError(
            f"no paperkg store at {store.path}; run `kg build INPUT... --store {store.path}` first"
        )
    with CorpusFile(store.path / CORPUS_FILE) as corpus:
        settings, papers = corpus.settings(generation), corpus.papers(generation)
    if settings is None or papers is None:
        raise StoreError(
            f"the store at {store.path} keeps no record of its papers (an earlier paperkg "
            f"built it); run `kg build INPUT... --store {store.path}` once, then add to it"
        )
    return settings, papers


def _write_graph(
    papers: Sequence[Paper],
    store: GraphStore,
    settings: BuildSettings,
    *,
    n_process: int | None,
    cluster: Cluster | None = None,
    progress: Progress,
    revise: bool = False,
) -> BuildSummary:
    """Make the graph of ``papers`` the store's graph, extracting only what the cache lacks;
    with ``revise``, by writing only what differs from the live graph."""
    store.prepare()
    with CorpusFile(store.path / CORPUS_FILE) as corpus:
        extracted = _extract_missing(
            papers, corpus, settings, n_process=n_process, cluster=cluster, progress=progress
        )
        # Read from the cache batch by batch on each pass, never held all at once.
        analyses = corpus.analyses(papers, settings.extraction_key)
        resolution = resolve(analyses.mentions())
        summary = BuildSummary(
            papers=len(papers),
            mentions=sum(map(len, resolution.mention_entities.values())),
            entities=len(resolution.entities),
            extracted=extracted,
        )
        for entity in resolution.entities.values():
            label = entity.label.value
            summary.per_label[label] = summary.per_label.get(label, 0) + 1
        parts = GraphParts(
            resolution,
            minter=IriMinter(settings.base),
            extraction=ExtractionInfo(name=settings.extractor, version=settings.version),
        )

        def counted() -> Iterator[PaperAnalysis]:
            for analysis in analyses:
                summary.results += len(analysis.results)
                yield analysis

        summary.triples, summary.written = write_generation(
            store,
            corpus,
            parts,
            counted(),
            papers=papers,
            settings=settings,
            revise=revise,
            progress=progress,
        )
        if store.generation is not None:
            corpus.keep_only(store.generation)
    return summary


def _extract_missing(
    papers: Sequence[Paper],
    corpus: CorpusFile,
    settings: BuildSettings,
    *,
    n_process: int | None,
    cluster: Cluster | None,
    progress: Progress,
) -> int:
    """Extract the papers whose text the cache lacks (each distinct text once, here or on
    ``cluster``) and commit their analyses to the cache batch by batch; return how many
    texts were extracted."""
    key = settings.extraction_key
    keys = dict.fromkeys(text_key(p) for p in papers)
    cached = corpus.cached_keys(keys, key)
    missing = list({text_key(p): p for p in papers if text_key(p) not in cached}.values())
    if not missing:
        return 0
    if cluster is None:
        extracted = extract_here(missing, settings, n_process=n_process)
    else:
        extracted = extract_on_cluster(missing, settings, cluster)
    batch: dict[str, bytes] = {}
    for paper, record in progress(extracted, "extracting", len(missing)):
        batch[text_key(paper)] = record
        if len(batch) >= CACHE_BATCH:
            corpus.remember(batch, key)
            batch = {}
    corpus.remember(batch, key)
    return len(missing)


def extract_here(
    papers: Sequence[Paper], settings: BuildSettings, *, n_process: int | None
) -> Iterator[tuple[Paper, bytes]]:
    """Each of ``papers`` with its analysis record, extracted in this machine's processes."""
    nlp = SpacyExtractor.create(settings.extractor, min_confidence=settings.min_confidence)
    if nlp.version != settings.version:
        raise ModelError(
            f"the {settings.extractor} extractor is version {nlp.version}, not "
            f"{settings.version}; reinstall paperkg"
        )
    extracted = nlp.extract(papers, n_process=n_process or default_processes(len(papers)))
    for paper, mentions in extracted:
        yield paper, analysis_record(analyse(paper, mentions))
