"""Entity resolution over a corpus: how many mentions, entities and merges, and a seeded sample
of merges to check by hand.

    python benchmarks/resolution.py [--corpus PATH] [--extractor rules|model] [--sample 50]
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

from kg.ingest import read_papers
from kg.nlp import DEFAULT_EXTRACTOR, SpacyExtractor
from kg.resolve import resolve

DEFAULT_CORPUS = (
    Path(__file__).resolve().parents[1].parent / "shared" / "corpora" / ("ml_nlp_abstracts.jsonl")
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--extractor", default=DEFAULT_EXTRACTOR)
    parser.add_argument("--sample", type=int, default=50)
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args(argv)
    if not args.corpus.exists():
        print(f"corpus not found: {args.corpus} (it lives in ../shared beside the project)")
        return 2

    started = time.perf_counter()
    papers = list(read_papers([args.corpus]))
    extractor = SpacyExtractor.create(args.extractor)
    records = list(extractor.extract(papers, n_process=2))
    resolution = resolve(records)
    seconds = time.perf_counter() - started

    mentions = sum(len(m) for _, m in records)
    surface_keys = {(m.text.lower()) for _, ms in records for m in ms}
    entities = resolution.entities.values()
    mentioned = [e for e in entities if e.mention_count]
    merges = [e for e in mentioned if len({form.lower() for form in e.surface_forms}) > 1]
    families = [e for e in entities if e.broader]
    print(f"papers: {len(papers)}")
    print(f"mentions: {mentions}")
    print(f"distinct surface forms (case-folded): {len(surface_keys)}")
    print(f"entities: {len(mentioned)} (+{len(resolution.entities) - len(mentioned)} family nodes)")
    print(f"surface forms per entity: {len(surface_keys) / len(mentioned):.2f}")
    print(f"mentions per entity: {mentions / len(mentioned):.2f}")
    print(f"entities that merge two or more surface forms: {len(merges)}")
    print(f"entities under a family: {len(families)}")
    print(f"seconds: {seconds:.1f}")
    print()
    rng = random.Random(args.seed)
    for entity in rng.sample(sorted(merges, key=lambda e: e.key), min(args.sample, len(merges))):
        forms = " | ".join(sorted(entity.surface_forms, key=str.lower))
        print(f"{entity.label.value:<8} {entity.pref_label!r:<40} <- {forms}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
