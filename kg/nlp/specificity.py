"""Which candidate names a researcher would want as graph nodes, and as what type: a linear
classifier over the merged spans of a document, learned from document-level annotation.

The extractors propose every span that looks like a method, dataset, task or metric; many are
generic words ("encoder", "our approach", "latent representations") or fragments. A
:class:`SpecificityJudge` reads each distinct name of a document once, with all its
occurrences, and keeps it (typed METHOD, DATASET, TASK or METRIC) or drops it.
``training/scripts/specificity.py`` learns the weights; they ship in
``kg/data/models/specificity/weights.json``.
"""

from __future__ import annotations

import json
import math
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy

from kg.errors import ModelError
from kg.nlp.docview import view

if TYPE_CHECKING:
    from spacy.tokens import Doc

    from kg.nlp.extract import Candidate

#: The classes a name is sorted into: not a graph node, or one of the four types.
CLASSES: tuple[str, ...] = ("NONE", "METHOD", "DATASET", "TASK", "METRIC")

_SPACE = re.compile(r"\s+")
_DIGIT = re.compile(r"\d")
#: The words up to this far before and after each occurrence of a name (beyond its direct
#: neighbours, features of their own) are read as its context.
_WINDOW = 6


def group_key(text: str) -> str:
    """Occurrences of one name in a document share this key (case and spacing folded).

    >>> group_key("Diffusion  Transformers") == group_key("diffusion transformers")
    True
    """
    return _SPACE.sub(" ", text.strip().lower())


@lru_cache(maxsize=65536)
def _shape(word: str) -> str:
    """A word's spelling class: ``X`` upper case, ``x`` lower, ``d`` digit, runs folded."""
    out: list[str] = []
    for ch in word:
        c = "X" if ch.isupper() else "x" if ch.isalpha() else "d" if ch.isdigit() else ch
        if not out or out[-1] != c:
            out.append(c)
    return "".join(out)[:6]


def _bucket(n: int, edges: Sequence[int] = (1, 2, 3, 5, 8)) -> str:
    for edge in edges:
        if n <= edge:
            return str(edge)
    return f">{edges[-1]}"


def name_features(doc: Doc, spans: Sequence[Candidate]) -> list[str]:
    """The sparse features of one name of ``doc``: its words, spelling and head, which
    components found it and how sure they were, and the words around its occurrences."""
    v = view(doc)
    first = spans[0]
    words = v.words[first.start : first.end]
    lower = v.lower[first.start : first.end]
    text = " ".join(words)
    feats = [f"w={w}" for w in set(lower)]
    feats += [
        f"first={lower[0]}",
        f"last={lower[-1]}",
        f"last3={lower[-1][-3:]}",
        f"last4={lower[-1][-4:]}",
        f"first3={lower[0][-3:]}",
        f"shape_first={_shape(words[0])}",
        f"shape_last={_shape(words[-1])}",
        f"len={_bucket(len(words), (1, 2, 3, 4, 6))}",
        f"mentions={_bucket(len(spans))}",
    ]
    if len(lower) > 1:
        feats.append(f"before_last={lower[-2]}")
        feats += [f"bigram={a}_{b}" for a, b in zip(lower, lower[1:], strict=False)]
    if len(lower) == 1:
        # A lone word is mostly a generic one ("encoder"), unless it is spelt like a name.
        feats += [f"single={lower[0]}", f"single_shape={_shape(words[0])}"]
    if _DIGIT.search(text):
        feats.append("digit")
    if any(any(c.isupper() for c in w[1:]) for w in words):
        feats.append("inner_cap")
    if all(w[:1].isupper() for w in words if w[:1].isalpha()):
        feats.append("all_capitalised")
    if text.islower():
        feats.append("all_lower")
    if any(len(w) > 1 and w.isupper() for w in words):
        feats.append("upper_word")
    labels = {s.label for s in spans}
    sources = {part for s in spans for part in s.extractor.split("+")}
    best = max(s.confidence for s in spans)
    feats += [f"label={label}" for label in labels]
    feats += [f"source={source}" for source in sources]
    feats += [f"label_last={label}_{lower[-1]}" for label in labels]
    feats += [f"label_source={label}_{source}" for label in labels for source in sources]
    feats.append(f"confidence={math.floor(best * 10)}")
    n = len(v.words)
    for s in spans:
        if v.starts[s.start] < v.title_end:
            feats.append("in_title")
        before = v.lower[s.start - 1] if s.start > 0 else "<s>"
        after = v.lower[s.end] if s.end < n else "</s>"
        feats += [f"prev={before}", f"next={after}"]
        if s.start > 1:
            feats.append(f"prev2={v.lower[s.start - 2]}_{before}")
        if s.end + 1 < n:
            feats.append(f"next2={after}_{v.lower[s.end + 1]}")
        if v.sentence_starts[s.start]:
            feats.append("sentence_start")
        feats += [f"ctx={w}" for w in v.lower[max(s.start - _WINDOW, 0) : max(s.start - 1, 0)]]
        feats += [f"ctx={w}" for w in v.lower[s.end + 1 : s.end + _WINDOW]]
    return list(set(feats))


def name_vectors(doc: Doc, groups: Sequence[Sequence[Candidate]]) -> numpy.ndarray | None:
    """The dense features of names of ``doc``, one row per name: the mean word vector of its
    words, then, averaged over its occurrences, the pipeline's contextual token vectors
    (``doc.tensor``) over the name and of the words just before and after it. None where the
    pipeline has neither."""
    tensor = doc.tensor
    vectors = doc.vocab.vectors
    if not groups or not vectors.shape[0] or not vectors.shape[1]:
        return None
    if tensor is None or not tensor.size:
        return None
    firsts = [g[0] for g in groups]
    orths = doc.to_array("ORTH")
    # One look-up for every word of every name: floret hashes each word's n-grams.
    table = numpy.asarray(
        vectors.get_batch(numpy.concatenate([orths[s.start : s.end] for s in firsts])),
        dtype="float32",
    )
    lengths = numpy.asarray([s.end - s.start for s in firsts])
    words = numpy.add.reduceat(table, numpy.cumsum(lengths) - lengths) / lengths[:, None]
    # Sums over each occurrence's words, and its neighbours, all at once; then per name.
    width = tensor.shape[1]
    edge = numpy.zeros((1, width), dtype=tensor.dtype)
    padded = numpy.vstack([edge, tensor, edge])  # row i + 1 is word i
    starts = numpy.asarray([s.start for g in groups for s in g])
    ends = numpy.asarray([s.end for g in groups for s in g])
    # The occurrences are in text order and do not overlap, so the bounds only rise.
    inside = numpy.add.reduceat(padded, numpy.ravel([starts + 1, ends + 1], order="F"))[::2]
    counts = numpy.asarray([len(g) for g in groups])
    first = numpy.cumsum(counts) - counts
    per_name = (
        numpy.add.reduceat(
            numpy.hstack([inside / (ends - starts)[:, None], padded[starts], padded[ends + 1]]),
            first,
        )
        / counts[:, None]
    )
    return numpy.hstack([words, per_name]).astype("float32")


def grouped(doc: Doc, spans: Iterable[Candidate]) -> dict[str, list[Candidate]]:
    """A document's spans by the name they give (:func:`group_key`), in text order."""
    v = view(doc)
    groups: dict[str, list[Candidate]] = defaultdict(list)
    for span in sorted(spans, key=lambda s: s.start):
        groups[group_key(v.span_text(span.start, span.end))].append(span)
    return groups


#: Rule names this sure of a metric ("BLEU", "word error rate") are kept as they are.
SURE_METRIC = 0.85
#: Rule names this sure of a dataset ("evaluated on X", "on X it reaches 95.2%", "the X
#: benchmark") keep their type wherever the judge takes them for any kind of entity, at a
#: margin lowered by :data:`SURE_DATASET_MARGIN`: there the rules are more precise than the
#: model, and a dropped dataset name sends its scores to the wrong dataset
#: (``benchmarks/README.md``).
SURE_DATASET = 0.7
_SURE = {"METRIC": SURE_METRIC, "DATASET": SURE_DATASET}
#: How much less sure than elsewhere the classifier has to be to keep such a dataset name.
SURE_DATASET_MARGIN = 1.5


def _rule_label(group: Sequence[Candidate]) -> str | None:
    """The type a sure rule gives one of the name's occurrences, if any."""
    for span in group:
        floor = _SURE.get(span.label)
        if floor is not None and span.confidence >= floor and "rules" in span.extractor:
            return span.label
    return None


@dataclass(frozen=True)
class SpecificityJudge:
    """A multinomial logistic regression over :func:`name_features` (sparse) and
    :func:`name_vectors` (dense). Row ``index[feature]`` of ``sparse`` holds a feature's weight
    per class of :data:`CLASSES`; a name is kept as its likeliest type when that beats
    ``NONE`` by the type's ``margins`` entry in log-odds (indexed like :data:`CLASSES`).

    Callable as a :class:`kg.nlp.extract.NameJudge`: returns the spans it keeps with the
    type it gives and its probability as confidence.
    """

    index: dict[str, int]
    sparse: numpy.ndarray
    dense: numpy.ndarray | None
    bias: numpy.ndarray
    margins: tuple[float, ...] = (0.0,) * len(CLASSES)

    @classmethod
    def from_disk(cls, path: Path) -> SpecificityJudge:
        try:
            data = json.loads((path / "weights.json").read_text(encoding="utf-8"))
        except (OSError, ValueError) as err:
            raise ModelError(
                f"cannot read the specificity weights at {path}: {err}; reinstall paperkg"
            ) from err
        if list(data["classes"]) != list(CLASSES):
            raise ModelError(f"{path}: the weights are for classes {data['classes']}")
        features = list(data["sparse"])
        dense = data.get("dense")
        sparse = numpy.zeros((len(features), len(CLASSES)), dtype="float32")
        for i, feature in enumerate(features):
            sparse[i] = data["sparse"][feature]
        return cls(
            index={feature: i for i, feature in enumerate(features)},
            sparse=sparse,
            dense=None if dense is None else numpy.asarray(dense, dtype="float32"),
            bias=numpy.asarray(data["bias"], dtype="float32"),
            margins=tuple(float(m) for m in data["margins"]),
        )

    def scores(
        self, features: Sequence[Sequence[str]], vectors: numpy.ndarray | None
    ) -> numpy.ndarray:
        """Class probabilities, one row per name (its features and its row of ``vectors``)."""
        logits = numpy.tile(self.bias, (len(features), 1))
        index = self.index
        found = [[index[f] for f in names if f in index] for names in features]
        owners = numpy.repeat(numpy.arange(len(found)), [len(rows) for rows in found])
        numpy.add.at(logits, owners, self.sparse[[i for rows in found for i in rows]])
        if self.dense is not None and vectors is not None:
            # einsum, not @: a BLAS call this small costs more in waking BLAS threads, which
            # the network's own products are using, than the product itself.
            logits += numpy.einsum("nd,dc->nc", vectors, self.dense)
        logits -= logits.max(axis=1, keepdims=True)
        exp = numpy.exp(logits)
        return exp / exp.sum(axis=1, keepdims=True)

    def __call__(self, doc: Doc, spans: list[Candidate]) -> list[Candidate]:
        groups = list(grouped(doc, spans).values())
        if not groups:
            return []
        all_probs = self.scores(
            [name_features(doc, group) for group in groups], name_vectors(doc, groups)
        )
        kept: list[Candidate] = []
        for group, probs in zip(groups, all_probs, strict=True):
            sure = _rule_label(group)
            if sure == "METRIC":
                kept += [replace(s, label=sure) for s in group]
                continue
            none = min(max(float(probs[0]), 1e-9), 1 - 1e-9)
            if sure is not None:
                best = CLASSES.index(sure)
                probability = 1 - none  # any type beats NONE: the rule says which
                margin = self.margins[best] - SURE_DATASET_MARGIN
            else:
                best = int(numpy.argmax(probs[1:])) + 1
                probability = max(float(probs[best]), 1e-9)
                margin = self.margins[best]
            if math.log(probability) - math.log(none) < margin:
                continue
            label = CLASSES[best]
            # The confidence is the classifier's own belief in the type, also where a rule chose
            # it: resolution weighs each mention's type vote by it, so a name that a rule calls a
            # dataset in one sentence votes for that type only as strongly as the model agrees.
            confidence = round(max(float(probs[best]), 1e-3), 3)
            kept += [replace(s, label=label, confidence=confidence) for s in group]
        return sorted(kept, key=lambda s: s.start)
