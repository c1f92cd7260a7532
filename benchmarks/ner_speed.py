"""Throughput of a spaCy pipeline over the first N ML/NLP abstracts, next to a tokenizer-only
pass over the same texts, with one and with two processes.

    python benchmarks/ner_speed.py --model kg/data/models/ner [--limit 2000] [--n-process 1 2]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import spacy
from spacy.language import Language

ROOT = Path(__file__).resolve().parents[1]
ABSTRACTS = ROOT.parent / "shared" / "corpora" / "ml_nlp_abstracts.jsonl"


def read_abstracts(path: Path, limit: int) -> list[str]:
    texts: list[str] = []
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            abstract = json.loads(line).get("abstract") or ""
            if abstract.strip():
                texts.append(abstract)
            if len(texts) == limit:
                break
    return texts


def timed(nlp: Language, texts: list[str], n_process: int, batch_size: int) -> tuple[float, int]:
    """Seconds for ``nlp`` to process ``texts`` and the number of tokens it made."""
    started = time.perf_counter()
    words = sum(len(doc) for doc in nlp.pipe(texts, n_process=n_process, batch_size=batch_size))
    return time.perf_counter() - started, words


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", type=Path, default=ROOT / "kg" / "data" / "models" / "ner")
    parser.add_argument("--abstracts", type=Path, default=ABSTRACTS)
    parser.add_argument("--limit", type=int, default=2000)
    parser.add_argument("--n-process", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--batch-size", type=int, default=64)
    args = parser.parse_args(argv)
    if not args.abstracts.is_file():
        print(f"skipped: {args.abstracts} not found (only developers and CI have it)")
        return 0

    texts = read_abstracts(args.abstracts, args.limit)
    nlp = spacy.load(args.model)
    blank = spacy.blank("en")
    size = sum(f.stat().st_size for f in args.model.rglob("*") if f.is_file())
    print(
        f"model: {args.model} ({size / 1e6:.1f} MB, pipes {nlp.pipe_names}), {len(texts)} abstracts"
    )
    print("| pass | n_process | seconds | abstracts/s | words/s | pipeline time / tokenizer time |")
    print("|---|---|---|---|---|---|")
    for n_process in args.n_process:
        tok_seconds, words = timed(blank, texts, n_process, args.batch_size)
        seconds, _ = timed(nlp, texts, n_process, args.batch_size)
        for name, secs in (("tokenizer only", tok_seconds), ("pipeline", seconds)):
            ratio = f"{seconds / tok_seconds:.1f}x" if name == "pipeline" else ""
            print(f"| {name} | {n_process} | {secs:.1f} | {len(texts) / secs:.0f} "
                  f"| {words / secs:.0f} | {ratio} |")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
