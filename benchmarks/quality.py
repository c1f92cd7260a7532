"""Extraction quality on SciERC dev and the held-out TDMSci slice: mention-level exact/partial
P/R/F1 and document-level P/R/F1 per label.

    python benchmarks/quality.py [--extractor model|kg|kg-rules|transformer] [--json out.json]

``model`` scores the NER pipeline at ``--model`` alone; ``kg`` scores what ``kg build`` runs
(the model with rules and abbreviations, merged); ``kg-rules`` is ``kg build --extractor rules``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import spacy

from kg.ingest.paper import Paper
from kg.nlp import SpacyExtractor
from kg.nlp.corpora import LABELS, GoldDoc, read_scierc, read_tdmsci, split_tdmsci
from kg.nlp.evaluate import (
    MICRO,
    Score,
    Span,
    document_prf,
    join_definitions,
    macro_f1,
    mention_prf,
    scorable,
)

ROOT = Path(__file__).resolve().parents[1]


Predict = Callable[[Sequence[str]], list[list[Span]]]


def entities_of(nlp: spacy.Language) -> Predict:
    """The ``doc.ents`` of a pipeline."""

    def predict(texts: Sequence[str]) -> list[list[Span]]:
        return [
            [(ent.start_char, ent.end_char, ent.label_) for ent in doc.ents]
            for doc in nlp.pipe(texts)
        ]

    return predict


def mentions_of(extractor: SpacyExtractor) -> Predict:
    """The mentions ``kg build`` keeps, each text read as an abstract without a title, with a
    definition and its acronym joined as the corpora annotate them."""

    def predict(texts: Sequence[str]) -> list[list[Span]]:
        papers = [Paper(id=str(i), title="", abstract=text) for i, text in enumerate(texts)]
        return [
            join_definitions(
                [(m.start, m.end, m.label.value) for m in mentions if m.field == "abstract"],
                paper.abstract,
            )
            for paper, mentions in extractor.extract(papers)
        ]

    return predict


def names(doc: GoldDoc, spans: Sequence[Span]) -> dict[str, list[str]]:
    by_label: dict[str, list[str]] = {}
    for start, end, label in spans:
        by_label.setdefault(label, []).append(doc.text[start:end])
    return by_label


def evaluate(predict: Predict, docs: Sequence[GoldDoc], labels: Sequence[str]) -> dict:
    """Mention exact, mention partial and document-level scores of ``predict`` on ``docs``."""
    pred = predict([d.text for d in docs])
    gold = [[(s.start, s.end, s.label) for s in d.spans] for d in docs]
    ignore = [d.unknown for d in docs]
    kept = [scorable(p, d.unknown, labels) for d, p in zip(docs, pred, strict=True)]
    document = document_prf(
        [names(d, g) for d, g in zip(docs, gold, strict=True)],
        [names(d, p) for d, p in zip(docs, kept, strict=True)],
        labels,
    )
    document[MICRO] = sum(document.values(), Score())
    return {
        "exact": mention_prf(gold, pred, ignore=ignore, labels=labels),
        "partial": mention_prf(gold, pred, ignore=ignore, labels=labels, partial=True),
        "document": document,
    }


def table(title: str, results: dict, labels: Sequence[str]) -> list[str]:
    lines = [
        f"### {title}",
        "",
        "| label | exact P | exact R | exact F1 | partial P | partial R | partial F1 "
        "| doc P | doc R | doc F1 |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for label in [*labels, MICRO]:
        cells = []
        for kind in ("exact", "partial", "document"):
            score: Score | None = results[kind].get(label)
            if score is None:
                cells += ["", "", ""]
            else:
                cells += [f"{100 * v:.1f}" for v in (score.precision, score.recall, score.f1)]
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    macro = macro_f1(results["document"], labels)
    lines += ["", f"document-level macro-F1: {macro:.3f}", ""]
    return lines


def as_json(results: dict, labels: Sequence[str]) -> dict:
    out: dict = {
        kind: {label: {"p": s.precision, "r": s.recall, "f": s.f1} for label, s in scores.items()}
        for kind, scores in results.items()
    }
    out["document_macro_f1"] = macro_f1(results["document"], labels)
    return out


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", type=Path, default=ROOT / "kg" / "data" / "models" / "ner")
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    parser.add_argument("--material", default="name", help="SciERC Material mapping (as trained)")
    parser.add_argument("--json", type=Path, help="also write the scores as JSON here")
    parser.add_argument(
        "--extractor",
        choices=["model", "kg", "kg-rules", "transformer"],
        default="model",
        help="model: the spaCy pipeline at --model alone; kg: what kg build extracts (model, "
        "rules, abbreviations); kg-rules: kg build --extractor rules; transformer: the "
        "fine-tuned transformer of training/README.md with the weights at --weights",
    )
    parser.add_argument("--weights", type=Path, help="weights written by train_transformer.py")
    args = parser.parse_args(argv)

    train = args.shared / "train"
    if not (train / "scierc").is_dir() or not (train / "tdmsci").is_dir():
        print(
            f"skipped: {train} with scierc/ and tdmsci/ not found (only developers and CI have it)"
        )
        return 0
    if args.extractor == "transformer":
        if args.weights is None:
            parser.error("--extractor transformer needs --weights DIR")
        sys.path.insert(0, str(ROOT / "training" / "scripts"))
        from transformer_ner import transformer_pipeline

        args.model = args.weights
        predict = entities_of(transformer_pipeline(args.weights))
    elif args.extractor == "kg":
        args.model = "kg build --extractor model"
        predict = mentions_of(SpacyExtractor.create("model"))
    elif args.extractor == "kg-rules":
        args.model = "kg build --extractor rules"
        predict = mentions_of(SpacyExtractor.create("rules"))
    else:
        predict = entities_of(spacy.load(args.model))
    scierc = list(read_scierc(train / "scierc" / "dev.unified.jsonl", material=args.material))
    _, heldout = split_tdmsci(read_tdmsci(train / "tdmsci" / "train_1500_v2.conll"))
    tdm_labels = ["TASK", "DATASET", "METRIC"]

    started = time.perf_counter()
    results = {
        "scierc": evaluate(predict, scierc, LABELS),
        "tdmsci": evaluate(predict, heldout, tdm_labels),
    }
    seconds = time.perf_counter() - started
    # Both corpora pooled, each label over the documents whose corpus annotates it.
    pooled = {
        kind: {
            label: results["scierc"][kind].get(label, Score())
            + results["tdmsci"][kind].get(label, Score())
            for label in [*LABELS, MICRO]
        }
        for kind in ("exact", "partial", "document")
    }
    for kind in ("exact", "partial", "document"):
        pooled[kind][MICRO] = sum((pooled[kind][label] for label in LABELS), Score())
    results["pooled"] = pooled

    lines = [f"model: {args.model} ({len(scierc)} SciERC dev abstracts, "
             f"{len(heldout)} held-out TDMSci sentences, {seconds:.1f} s)", ""]  # fmt: skip
    lines += table("SciERC dev", results["scierc"], LABELS)
    lines += table("TDMSci held-out (every 10th sentence)", results["tdmsci"], tdm_labels)
    lines += table("Pooled", results["pooled"], LABELS)
    print("\n".join(lines))
    if args.json:
        labels = {"scierc": LABELS, "tdmsci": tdm_labels, "pooled": LABELS}
        args.json.write_text(
            json.dumps({k: as_json(v, labels[k]) for k, v in results.items()}, indent=2)
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
