"""A graph that grows, timed on real abstracts: a first build (empty cache), the same build
again (every paper cached), and ``kg add`` of papers held out of it, by difference and writing
the whole graph as a store without node records makes it, against extracting those papers
alone in the same run.

    python benchmarks/incremental.py [--held-out 200] [--limit N] [--repeats 3] [--cache FILE]

``--cache`` starts the store with a copy of another store's ``corpus.sqlite`` less the held-out
papers, so the first build takes its analyses from there and the add still extracts.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TypeVar

from kg.build import add, build, default_processes
from kg.graph.corpus import FILENAME, text_key
from kg.graph.store import GraphStore
from kg.ingest import read_papers
from kg.nlp import DEFAULT_EXTRACTOR, SpacyExtractor

T = TypeVar("T")

DEFAULT_CORPUS = (
    Path(__file__).resolve().parents[1].parent / "shared" / "corpora" / "ml_nlp_abstracts.jsonl"
)


class Stages:
    """A progress callback that notes when each stage of a build starts and ends."""

    def __init__(self) -> None:
        self.started = time.perf_counter()
        self.spans: dict[str, tuple[float, float]] = {}

    def __call__(self, items: Iterable[T], description: str, total: int | None) -> Iterator[T]:
        first = time.perf_counter()
        yield from items
        self.spans[description] = (first - self.started, time.perf_counter() - self.started)

    def line(self) -> str:
        # Between the stages: cache look-ups, decoding, analysis and resolution.
        return ", ".join(
            f"{name} {start:.1f}-{end:.1f} s" for name, (start, end) in self.spans.items()
        )


def split(corpus: Path, held_out: int, limit: int | None, folder: Path) -> tuple[Path, Path]:
    """The corpus's lines as two files: every k-th record held out (``held_out`` of them),
    the rest."""
    lines = [line for line in corpus.read_text(encoding="utf-8").splitlines() if line.strip()]
    lines = lines[:limit] if limit else lines
    step = len(lines) // held_out
    chosen = set(range(0, step * held_out, step))
    base, new = folder / "base.jsonl", folder / "new.jsonl"
    base.write_text("".join(f"{x}\n" for i, x in enumerate(lines) if i not in chosen), "utf-8")
    new.write_text("".join(f"{x}\n" for i, x in enumerate(lines) if i in chosen), "utf-8")
    return base, new


def timed(run: Callable[[], object]) -> tuple[float, object]:
    started = time.perf_counter()
    result = run()
    return time.perf_counter() - started, result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--held-out", type=int, default=200)
    parser.add_argument("--limit", type=int, default=None, help="use the first N records only")
    parser.add_argument("--repeats", type=int, default=3, help="runs of the extraction baseline")
    parser.add_argument("--cache", type=Path, help="start from a copy of this corpus.sqlite")
    args = parser.parse_args(argv)
    if not args.corpus.exists():
        print(f"corpus not found: {args.corpus} (it lives in ../shared beside the project)")
        return 2

    with tempfile.TemporaryDirectory(prefix="paperkg-incremental-") as tmp:
        folder = Path(tmp)
        base, new = split(args.corpus, args.held_out, args.limit, folder)
        store = GraphStore(folder / "store")
        if args.cache:
            (store.path / "generations").mkdir(parents=True)
            shutil.copy(args.cache, store.path / FILENAME)
            # The held-out papers are extracted by the add, as they would be.
            keys = [(text_key(paper),) for paper in read_papers([new])]
            with sqlite3.connect(store.path / FILENAME) as db:
                db.executemany("DELETE FROM extraction WHERE text_key = ?", keys)
        rows = []
        for name in ("first build", "same build again"):
            stages = Stages()
            seconds, (summary, _) = timed(lambda s=stages: build([base], store, progress=s))
            rows.append((name, seconds, summary.papers, summary.extracted, stages.line()))
        # The same store as an earlier paperkg left it, without the record of its nodes: an add
        # then writes the whole graph.
        whole = GraphStore(folder / "whole")
        shutil.copytree(store.path, whole.path, symlinks=True)
        with sqlite3.connect(whole.path / FILENAME) as db:
            db.execute("DELETE FROM node_state")
        for name, target in (("add held-out", store), ("add, whole graph", whole)):
            stages = Stages()
            seconds, (summary, _, _) = timed(lambda s=stages, t=target: add([new], t, progress=s))
            assert summary is not None
            line = f"{stages.line()}; {summary.written} of {summary.triples} triples written"
            rows.append((name, seconds, summary.papers, summary.extracted, line))

        held = list(read_papers([new]))
        load, extractor = timed(lambda: SpacyExtractor.create(DEFAULT_EXTRACTOR))
        n_process = default_processes(len(held))
        extract = statistics.median(
            timed(lambda: list(extractor.extract(held, n_process=n_process)))[0]
            for _ in range(args.repeats)
        )

    print(f"{args.corpus.name}: {len(held)} papers held out, extractor {DEFAULT_EXTRACTOR!r}")
    print(f"{'run':<20}{'seconds':>9}{'papers':>8}{'extracted':>11}  stages")
    for name, seconds, papers, extracted, line in rows:
        print(f"{name:<20}{seconds:>9.1f}{papers:>8}{extracted:>11}  {line}")
    print(
        f"extracting the {len(held)} held-out papers alone: {extract:.1f} s "
        f"(median of {args.repeats}, {n_process} process(es)), loading the pipeline {load:.1f} s"
    )
    add_seconds, whole_seconds = rows[2][1], rows[3][1]
    print(f"add / extraction alone: {add_seconds / extract:.1f}x")
    print(f"add / (loading + extraction): {add_seconds / (load + extract):.1f}x")
    print(f"add writing the whole graph / extraction alone: {whole_seconds / extract:.1f}x")
    print(f"add writing the whole graph / add: {whole_seconds / add_seconds:.1f}x")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2
    print(f"peak resident memory of this process: {peak:.2f} GB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
