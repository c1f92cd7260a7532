"""Learn the specificity classifier (``kg.nlp.specificity``) from document-level annotation.

    python scripts/specificity.py SHARED OUTPUT_DIR [--c 1.0] [--folds 5] [--scierc]

Runs ``kg build``'s extractor over ``SHARED/train/kg_style`` and sorts every distinct name it
proposes in a document into NONE or the gold type it names there. A name is a positive when it
equals a gold label or alias once normalised, or contains one; anything else the extractor
found is a negative. SciERC's ``Generic`` spans (``--scierc``) add negatives. Cross-validation
by document over kg_style picks the regularisation; the dev set in ``SHARED/eval`` is never
read. Needs scikit-learn (``pip install scikit-learn``).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy
from scipy import sparse
from sklearn.feature_extraction import DictVectorizer
from sklearn.linear_model import LogisticRegression

from kg.ingest import read_papers
from kg.ingest.paper import Paper
from kg.nlp import build_pipeline, paper_text
from kg.nlp.corpora import LABELS, GraphGold, read_graph_gold
from kg.nlp.evaluate import Score, graph_prf, macro_f1, normalize_name
from kg.nlp.extract import named_spans
from kg.nlp.specificity import CLASSES, grouped, name_features, name_vectors


def target(name: str, gold: GraphGold) -> str:
    """The class a proposed name earns against a document's gold entities."""
    x = normalize_name(name).split()
    if not x:
        return "NONE"
    contained: str | None = None
    for label in LABELS:
        for entity in gold[label]:
            for gold_name in entity.names:
                y = normalize_name(gold_name).split()
                if x == y:
                    return label
                n = len(y)
                if (
                    contained is None
                    and n
                    and any(x[i : i + n] == y for i in range(len(x) - n + 1))
                ):
                    contained = label
    return contained or "NONE"


def examples(nlp, docs_gold: Sequence[tuple[str, GraphGold]]):
    """(doc index, name, features, vector, class) for each name of each document."""
    rows = []
    texts = (text for text, _ in docs_gold)
    for index, (doc, (_, gold)) in enumerate(zip(nlp.pipe(texts), docs_gold, strict=True)):
        groups = grouped(doc, named_spans(doc))
        vectors = name_vectors(doc, list(groups.values()))
        for i, (name, group) in enumerate(groups.items()):
            vector = None if vectors is None else vectors[i]
            rows.append((index, name, name_features(doc, group), vector, target(name, gold)))
    return rows


def scierc_generic(path: Path) -> list[tuple[str, list[tuple[int, int]]]]:
    """SciERC abstracts with the character ranges of their ``Generic`` spans."""
    from kg.nlp.corpora import detokenize

    out = []
    for line in path.open(encoding="utf-8"):
        record = json.loads(line)
        text, offsets = detokenize(record["text"].split(" "))
        ranges = [
            (offsets[m["tok_start"]][0], offsets[m["tok_end"] - 1][1])
            for m in record["mentions"]
            if m["type"] == "Generic"
        ]
        out.append((text, ranges))
    return out


#: Dense features are standardised, then scaled by this against the 0/1 sparse ones.
DENSE_SCALE = 0.3


@dataclass
class Standardiser:
    """Centres and scales the dense block; :func:`export` folds it into the weights."""

    mean: numpy.ndarray
    scale: numpy.ndarray

    @classmethod
    def fit(cls, rows) -> Standardiser:
        dense = numpy.stack([r[3] for r in rows if r[3] is not None])
        return cls(dense.mean(axis=0), DENSE_SCALE / (dense.std(axis=0) + 1e-6))

    def __call__(self, rows) -> numpy.ndarray:
        zero = numpy.zeros_like(self.mean)
        dense = numpy.stack([r[3] if r[3] is not None else self.mean for r in rows])
        return numpy.where(numpy.isfinite(dense), (dense - self.mean) * self.scale, zero)


@dataclass
class Fitted:
    vectorizer: DictVectorizer
    standardiser: Standardiser
    model: LogisticRegression

    def matrix(self, rows):
        x = self.vectorizer.transform([{f: 1.0 for f in r[2]} for r in rows])
        return sparse.hstack([x, sparse.csr_matrix(self.standardiser(rows))]).tocsr()


def fit(rows, c: float) -> Fitted:
    vectorizer = DictVectorizer()
    vectorizer.fit([{f: 1.0 for f in r[2]} for r in rows])
    fitted = Fitted(vectorizer, Standardiser.fit(rows), LogisticRegression(C=c, max_iter=2000))
    fitted.model.fit(fitted.matrix(rows), [CLASSES.index(r[4]) for r in rows])
    return fitted


def decide(probs: numpy.ndarray, margins: Sequence[float]) -> list[str]:
    """The class of each row: its likeliest type when that beats NONE by the type's margin
    in log-odds (``margins`` is indexed by :data:`CLASSES`), else NONE."""
    best = probs[:, 1:].argmax(axis=1) + 1
    odds = numpy.log(probs[numpy.arange(len(best)), best]) - numpy.log(probs[:, 0])
    keep = odds >= numpy.asarray(margins)[best]
    return [CLASSES[b] if k else "NONE" for b, k in zip(best, keep, strict=True)]


def out_of_fold(rows, n_docs: int, c: float, folds: int) -> numpy.ndarray:
    """Class probabilities of each kg_style row from a model trained on the other folds
    (rows of other corpora only ever train)."""
    probs = numpy.zeros((len(rows), len(CLASSES)))
    for fold in range(folds):
        train = [r for r in rows if r[0] % folds != fold or r[0] >= n_docs]
        test = [i for i, r in enumerate(rows) if r[0] % folds == fold and r[0] < n_docs]
        fitted = fit(train, c)
        probs[test] = fitted.model.predict_proba(fitted.matrix([rows[i] for i in test]))
    return probs


def scores(rows, probs, golds, margins: Sequence[float]) -> dict[str, Score]:
    """Document-level scores on kg_style of the decisions ``probs`` and ``margins`` give."""
    pred: list[dict[str, list[str]]] = [{} for _ in golds]
    mine = [i for i, r in enumerate(rows) if r[0] < len(golds)]
    for i, label in zip(mine, decide(probs[mine], margins), strict=True):
        if label != "NONE":
            pred[rows[i][0]].setdefault(label, []).append(rows[i][1])
    gold = [{label: [e.names for e in g[label]] for label in LABELS} for g in golds]
    return graph_prf(gold, pred, LABELS)


def best_margins(
    rows, probs, golds, grid: Sequence[float], *, max_recall_loss: float
) -> list[float]:
    """For each type the margin of ``grid`` with the best F1 among those that lose at most
    ``max_recall_loss`` of the recall of keeping every name, else the lowest margin. (A
    type's scores depend on its own margin only: the likeliest type does not change.)"""
    keep_all = scores(rows, probs, golds, [-math.inf] * len(CLASSES))
    margins = [0.0] * len(CLASSES)
    for index, label in enumerate(CLASSES[1:], 1):
        floor = keep_all[label].recall - max_recall_loss
        best: tuple[float, float] | None = None
        for margin in sorted(grid):
            trial = list(margins)
            trial[index] = margin
            score = scores(rows, probs, golds, trial)[label]
            if score.recall >= floor and (best is None or score.f1 > best[0]):
                best = (score.f1, margin)
        margins[index] = min(grid) if best is None else best[1]
    return margins


def export(fitted: Fitted, margins: Sequence[float]) -> dict:
    """The weights as ``kg.nlp.specificity.SpecificityJudge`` reads them, with the
    standardisation of the dense block folded into its weights and the bias."""
    names = fitted.vectorizer.get_feature_names_out()
    coef = fitted.model.coef_.T  # features x classes
    n_sparse = len(names)
    dense = coef[n_sparse:] * fitted.standardiser.scale[:, None]
    bias = fitted.model.intercept_ - fitted.standardiser.mean @ dense
    sparse_weights = {
        str(name): [round(float(w), 4) for w in coef[i]]
        for i, name in enumerate(names)
        if numpy.abs(coef[i]).max() >= 1e-3
    }
    return {
        "classes": list(CLASSES),
        "bias": [round(float(b), 5) for b in bias],
        "sparse": sparse_weights,
        "dense": [[round(float(w), 5) for w in row] for row in dense],
        "margins": [float(m) for m in margins],
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("shared", type=Path)
    parser.add_argument("output", type=Path)
    parser.add_argument("--c", type=float, nargs="+", default=[1.0])
    parser.add_argument(
        "--margin",
        type=float,
        nargs="+",
        default=[-3.0, -2.5, -2.0, -1.5, -1.0, -0.5, 0.0, 0.5],
        help="margins (log-odds over NONE) to choose from, for each type",
    )
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument(
        "--per-type",
        action="store_true",
        help="choose a margin per type (best F1 within --max-recall-loss) instead of one "
        "margin for all types (best macro-F1)",
    )
    parser.add_argument(
        "--max-recall-loss",
        type=float,
        default=0.03,
        help="how much recall a type may lose against keeping every name it is given",
    )
    parser.add_argument("--scierc", action="store_true", help="add SciERC Generic negatives")
    parser.add_argument(
        "--ner",
        type=Path,
        help="the NER pipeline the names are found with (default: the shipped one)",
    )
    parser.add_argument(
        "--ner-folds",
        type=Path,
        nargs="+",
        help="NER pipelines each trained without one fold of kg_style: abstract i's names are "
        "found by the one of fold i %% N, never by a model that saw its gold (for a NER that "
        "learnt from kg_style itself)",
    )
    args = parser.parse_args(argv)

    style = args.shared / "train" / "kg_style"
    gold_by_id = dict(read_graph_gold(style / "gold.jsonl"))
    papers: list[Paper] = [
        p for p in read_papers([style / "abstracts.jsonl"]) if p.id in gold_by_id
    ]
    golds = [gold_by_id[p.id] for p in papers]
    nlp = build_pipeline("model", model=args.ner)
    docs_gold = [(paper_text(p), g) for p, g in zip(papers, golds, strict=True)]
    if args.ner_folds:
        rows = []
        folds = len(args.ner_folds)
        for fold, path in enumerate(args.ner_folds):
            mine = [i for i in range(len(docs_gold)) if i % folds == fold]
            found = examples(build_pipeline("model", model=path), [docs_gold[i] for i in mine])
            rows += [(mine[r[0]], *r[1:]) for r in found]
        rows.sort(key=lambda r: r[0])
    else:
        rows = examples(nlp, docs_gold)
    if args.scierc:
        generic = scierc_generic(args.shared / "train" / "scierc" / "train.unified.jsonl")
        offset = len(papers)
        for doc_index, doc in enumerate(nlp.pipe(t for t, _ in generic)):
            ranges = generic[doc_index][1]
            groups = grouped(doc, named_spans(doc))
            vectors = name_vectors(doc, list(groups.values()))
            for i, (name, group) in enumerate(groups.items()):
                s = group[0]
                start, end = doc[s.start].idx, doc[s.end - 1].idx + len(doc[s.end - 1])
                if vectors is not None and any(a <= start and end <= b for a, b in ranges):
                    features = name_features(doc, group)
                    rows.append((offset + doc_index, name, features, vectors[i], "NONE"))
    counts = {c: sum(r[4] == c for r in rows) for c in CLASSES}
    print(f"{len(rows)} names from {len(papers)} abstracts: {counts}", file=sys.stderr)

    best: tuple[float, float, list[float]] | None = None
    for c in args.c:
        probs = out_of_fold(rows, len(golds), c, args.folds)
        if args.per_type:
            margins = best_margins(
                rows, probs, golds, args.margin, max_recall_loss=args.max_recall_loss
            )
        else:
            margins = max(
                ([m] * len(CLASSES) for m in args.margin),
                key=lambda ms: macro_f1(scores(rows, probs, golds, ms), LABELS),
            )
        result = scores(rows, probs, golds, margins)
        macro = macro_f1(result, LABELS)
        cells = "  ".join(
            f"{label} {result[label].precision:.2f}/{result[label].recall:.2f}" for label in LABELS
        )
        print(f"C={c} margins={margins[1:]}: macro-F1 {macro:.3f}  {cells}", file=sys.stderr)
        if best is None or macro > best[0]:
            best = (macro, c, margins)
    assert best is not None
    _, c, margins = best
    args.output.mkdir(parents=True, exist_ok=True)
    weights = export(fit(rows, c), margins)
    (args.output / "weights.json").write_text(json.dumps(weights, separators=(",", ":")))
    print(f"chose C={c}; {len(weights['sparse'])} features -> {args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
