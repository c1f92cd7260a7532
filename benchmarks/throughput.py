"""Extraction speed on real abstracts: abstracts/s and words/s of an extractor with 1 and 2
processes, next to a tokenizer-only pass over the same texts (medians of several runs).

    python benchmarks/throughput.py [--extractor model|rules] [--limit 2000] [--repeats 3]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import spacy

from kg.ingest import read_papers
from kg.nlp import DEFAULT_EXTRACTOR, EXTRACTORS, SpacyExtractor, paper_text

DEFAULT_CORPUS = (
    Path(__file__).resolve().parents[1].parent / "shared" / "corpora" / "ml_nlp_abstracts.jsonl"
)


def median_seconds(run, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--extractor", choices=EXTRACTORS, default=DEFAULT_EXTRACTOR)
    parser.add_argument("--limit", type=int, default=2000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    if not args.corpus.exists():
        print(f"corpus not found: {args.corpus} (it lives in ../shared beside the project)")
        return 2

    papers = list(read_papers([args.corpus]))[: args.limit]
    texts = [paper_text(p) for p in papers]
    blank = spacy.blank("en")
    words = sum(len(doc) for doc in blank.pipe(texts))
    extractor = SpacyExtractor.create(args.extractor)
    list(extractor.extract(papers[:50]))  # load and warm up once

    tokenizer = median_seconds(lambda: list(blank.pipe(texts, batch_size=256)), args.repeats)
    print(f"{len(papers)} abstracts, {words} tokens, extractor {args.extractor!r}")
    print(f"{'run':<22}{'seconds':>9}{'abstracts/s':>13}{'words/s':>10}{'x tokenizer':>13}")
    print(
        f"{'tokenizer only':<22}{tokenizer:>9.2f}{len(papers) / tokenizer:>13.0f}"
        f"{words / tokenizer:>10.0f}{1:>13.1f}"
    )
    runs = [(f"extract, {n} process(es)", extractor, n) for n in (1, 2)]
    if extractor.judge is not None:
        # The same pipeline without the specificity judge, to show what it costs.
        bare = SpacyExtractor(extractor.nlp, name=extractor.name, version=extractor.version)
        runs.insert(1, ("  without the judge", bare, 1))
    for label, run, n_process in runs:
        seconds = median_seconds(
            lambda r=run, n=n_process: list(r.extract(papers, n_process=n)), args.repeats
        )
        print(
            f"{label:<22}{seconds:>9.2f}"
            f"{len(papers) / seconds:>13.0f}{words / seconds:>10.0f}{seconds / tokenizer:>13.1f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
