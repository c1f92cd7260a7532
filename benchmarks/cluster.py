"""Extraction on a dask cluster against extraction in local processes: abstracts/s of the local
2-process path, of a local dask cluster of 1 worker and of 2 workers (one thread each), measured
in turns in one run (medians), and what dask costs per task.

    python benchmarks/cluster.py [--limit 1000] [--repeats 5] [--batch-sizes 64,128]

Every run extracts every paper (no extraction cache) and turns each into the record the cache
keeps, as a build does. The workers load the pipeline once, before the first timed run.
"""

from __future__ import annotations

import argparse
import logging
import statistics
import sys
import time
from pathlib import Path

from distributed import Client, LocalCluster

from kg.build import _extractor_version
from kg.cluster import Cluster, extract_batch, extract_on_cluster
from kg.graph.corpus import BuildSettings, analysis_record
from kg.graph.iri import DEFAULT_BASE
from kg.ingest import read_papers
from kg.nlp import DEFAULT_EXTRACTOR, EXTRACTORS, SpacyExtractor
from kg.nlp.analysis import analyse

DEFAULT_CORPUS = (
    Path(__file__).resolve().parents[1].parent / "shared" / "corpora" / "ml_nlp_abstracts.jsonl"
)


def local_records(extractor: SpacyExtractor, papers, n_process: int) -> list[bytes]:
    return [
        analysis_record(analyse(paper, mentions))
        for paper, mentions in extractor.extract(papers, n_process=n_process)
    ]


def task_overhead(address: str, tasks: int = 400) -> float:
    """Seconds of dask's own work per task: a batch of empty tasks, submitted and gathered."""
    with Client(address, set_as_default=False) as client:
        client.gather(client.map(int, range(50), pure=False))
        started = time.perf_counter()
        client.gather(client.map(int, range(tasks), pure=False))
        return (time.perf_counter() - started) / tasks


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--extractor", choices=EXTRACTORS, default=DEFAULT_EXTRACTOR)
    parser.add_argument("--limit", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument(
        "--batch-sizes",
        default="64,128",
        help="papers per task, comma-separated (the first for 1 worker too)",
    )
    args = parser.parse_args(argv)
    if not args.corpus.exists():
        print(f"corpus not found: {args.corpus} (it lives in ../shared beside the project)")
        return 2

    papers = list(read_papers([args.corpus]))[: args.limit]
    settings = BuildSettings(args.extractor, _extractor_version(args.extractor), 0.0, DEFAULT_BASE)
    extractor = SpacyExtractor.create(args.extractor)
    local_records(extractor, papers[:50], 1)  # warm up once
    batch_sizes = [int(size) for size in args.batch_sizes.split(",")]

    clusters = {
        workers: LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=":0",
            silence_logs=logging.ERROR,
        )
        for workers in (1, 2)
    }
    try:
        runs: dict[str, object] = {"local, 2 processes": None}
        runs[f"dask, 1 worker, {batch_sizes[0]}/task"] = (1, batch_sizes[0])
        for size in batch_sizes:
            runs[f"dask, 2 workers, {size}/task"] = (2, size)
        for cluster in clusters.values():
            # Each worker loads the pipeline on its first batch; here, before the timed runs.
            with Client(cluster.scheduler_address, set_as_default=False) as client:
                client.run(extract_batch, args.extractor, 0.0, [])
        times: dict[str, list[float]] = {name: [] for name in runs}
        for _ in range(args.repeats):
            for name, run in runs.items():
                started = time.perf_counter()
                if run is None:
                    count = len(local_records(extractor, papers, 2))
                else:
                    workers, size = run  # type: ignore[misc]
                    count = sum(
                        1
                        for _ in extract_on_cluster(papers, settings, _at(clusters[workers], size))
                    )
                times[name].append(time.perf_counter() - started)
                assert count == len(papers)
        overhead = task_overhead(clusters[2].scheduler_address)
    finally:
        for cluster in clusters.values():
            cluster.close()

    base = statistics.median(times["local, 2 processes"])
    print(f"{len(papers)} abstracts, extractor {args.extractor!r}, medians of {args.repeats} runs")
    print(f"{'run':<30}{'seconds':>9}{'abstracts/s':>13}{'x local 2-proc':>16}{'ms/task over':>14}")
    for name, run in runs.items():
        seconds = statistics.median(times[name])
        extra = ""
        if run is not None:
            workers, size = run  # type: ignore[misc]
            tasks = -(-len(papers) // size)
            if workers == 2:
                extra = f"{(seconds - base) / tasks * 1000:>14.0f}"
        print(
            f"{name:<30}{seconds:>9.2f}{len(papers) / seconds:>13.0f}{base / seconds:>16.2f}{extra}"
        )
    print(f"an empty task, submitted and gathered in a batch of 400: {overhead * 1000:.1f} ms")
    return 0


def _at(cluster: LocalCluster, batch_size: int) -> Cluster:
    return Cluster(cluster.scheduler_address, batch_size=batch_size)


if __name__ == "__main__":
    sys.exit(main())
