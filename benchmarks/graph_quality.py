"""What the graph names, scored against document-level gold (``../shared/eval/kg_dev``, or
any file in its format): per type precision, recall and F1, partial and exact matching as
``eval/GUIDELINES.md`` defines them.

    python benchmarks/graph_quality.py [--extractor kg|kg-rules|model] [--gold F --abstracts F]

``kg`` scores what ``kg build`` puts in the graph: mentions resolved over the whole input,
each name typed as its entity. ``model`` scores the trained NER pipeline's entities alone.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import spacy

from kg.ingest import read_papers
from kg.ingest.paper import Paper
from kg.nlp import SpacyExtractor
from kg.nlp.corpora import LABELS, read_graph_gold
from kg.nlp.evaluate import Score, graph_prf, macro_f1
from kg.nlp.extract import paper_text
from kg.nlp.pipeline import model_path
from kg.resolve import resolve

ROOT = Path(__file__).resolve().parents[1]
Names = dict[str, list[str]]


def graph_names(papers: Sequence[Paper], extractor: SpacyExtractor) -> list[Names]:
    """For each paper, the names the graph links to it, under their entity's resolved type."""
    records = list(extractor.extract(papers))
    resolution = resolve(records)
    out: list[Names] = []
    for paper, mentions in records:
        names: Names = {}
        for mention, entities in zip(mentions, resolution.mention_entities[paper.id], strict=True):
            for entity in entities:
                names.setdefault(entity.label.value, []).append(mention.text)
        out.append(names)
    return out


def model_names(papers: Sequence[Paper], model: Path) -> list[Names]:
    nlp = spacy.load(model)
    out: list[Names] = []
    for doc in nlp.pipe(paper_text(p) for p in papers):
        names: Names = {}
        for ent in doc.ents:
            names.setdefault(ent.label_, []).append(ent.text)
        out.append(names)
    return out


def table(results: dict[str, dict[str, Score]]) -> list[str]:
    lines = [
        "| match | " + " | ".join(f"{label} P / R / F1" for label in LABELS) + " | macro-F1 |",
        "|---" * (len(LABELS) + 2) + "|",
    ]
    for kind, scores in results.items():
        cells = [
            f"{s.precision:.2f} / {s.recall:.2f} / {s.f1:.2f}" for s in map(scores.get, LABELS)
        ]
        lines.append(f"| {kind} | " + " | ".join(cells) + f" | {macro_f1(scores, LABELS):.3f} |")
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    shared = ROOT.parent / "shared"
    parser.add_argument(
        "--abstracts", type=Path, default=shared / "eval" / "kg_dev.abstracts.jsonl"
    )
    parser.add_argument("--gold", type=Path, default=shared / "eval" / "kg_dev.gold.jsonl")
    parser.add_argument("--extractor", choices=["kg", "kg-rules", "model"], default="kg")
    parser.add_argument(
        "--model", type=Path, default=model_path(), help="NER for --extractor model"
    )
    parser.add_argument("--json", type=Path, help="also write the scores as JSON here")
    parser.add_argument("--errors", type=Path, help="write each paper's names and gold here")
    args = parser.parse_args(argv)
    if not args.abstracts.exists() or not args.gold.exists():
        print(
            f"skipped: {args.abstracts} or {args.gold} not found (only developers and CI have it)"
        )
        return 0

    gold_by_id = dict(read_graph_gold(args.gold))
    papers = [p for p in read_papers([args.abstracts]) if p.id in gold_by_id]
    started = time.perf_counter()
    if args.extractor == "model":
        predicted = model_names(papers, args.model)
    else:
        name = "model" if args.extractor == "kg" else "rules"
        predicted = graph_names(papers, SpacyExtractor.create(name))
    seconds = time.perf_counter() - started
    gold = [{label: [e.names for e in gold_by_id[p.id][label]] for label in LABELS} for p in papers]
    results = {
        kind: graph_prf(gold, predicted, LABELS, partial=kind == "partial")
        for kind in ("partial", "exact")
    }
    print(f"{args.extractor}: {len(papers)} abstracts of {args.abstracts.name}, {seconds:.1f} s\n")
    print("\n".join(table(results)))
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    kind: {
                        **{k: {"p": s.precision, "r": s.recall, "f": s.f1} for k, s in sc.items()},
                        "macro_f1": macro_f1(sc, LABELS),
                    }
                    for kind, sc in results.items()
                },
                indent=2,
            )
        )
    if args.errors:
        with args.errors.open("w", encoding="utf-8") as out:
            for paper, names, g in zip(papers, predicted, gold, strict=True):
                record = {"id": paper.id, "title": paper.title, "pred": names, "gold": g}
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
