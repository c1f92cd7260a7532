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
from pathlib import Path
from typing import TYPE_CHECKING

import numpy

from kg.errors import ModelError

if TYPE_CHECKING:
    from spacy.tokens import Doc

    from kg.nlp.extract import Candidate

#: The classes a name is sorted into: not a graph node, or one of the four types.
CLASSES: tuple[str, ...] = ("NONE", "METHOD", "DATASET", "TASK", "METRIC")

_SPACE = re.compile(r"\s+")
_DIGIT = re.compile(r"\d")


def group_key(text: str) -> str:
    """Occurrences of one name in a document share this key (case and spacing folded).

    >>> group_key("Diffusion  Transformers") == group_key("diffusion transformers")
    True
    """
    return _SPACE.sub(" ", text.strip().lower())


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


def name_features(doc: Doc, spans: Sequence[Candidate], title_end: int) -> list[str]:
    """The sparse features of one name of ``doc``: its words, spelling and head, which
    components found it and how sure they were, and the words around its occurrences.
    ``title_end`` is the character offset where the title ends."""
    first = spans[0]
    words = [doc[i].text for i in range(first.start, first.end)]
    lower = [w.lower() for w in words]
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
    for s in spans:
        if doc[s.start].idx < title_end:
            feats.append("in_title")
        before = doc[s.start - 1].lower_ if s.start > 0 else "<s>"
        after = doc[s.end].lower_ if s.end < len(doc) else "</s>"
        feats += [f"prev={before}", f"next={after}"]
        if s.start > 1:
            feats.append(f"prev2={doc[s.start - 2].lower_}_{before}")
        if s.end + 1 < len(doc):
            feats.append(f"next2={after}_{doc[s.end + 1].lower_}")
        if doc[s.start].is_sent_start:
            feats.append("sentence_start")
    return sorted(set(feats))


def name_vector(doc: Doc, spans: Sequence[Candidate]) -> numpy.ndarray | None:
    """The dense features of one name: the mean word vector of its words, then, averaged over
    its occurrences, the pipeline's contextual token vectors (``doc.tensor``) over the name
    and of the words just before and after it. None where the pipeline has neither."""
    tensor = doc.tensor
    vectors = doc.vocab.vectors
    if not vectors.shape[0] or not vectors.shape[1] or tensor is None or not tensor.size:
        return None
    first = spans[0]
    keys = [doc[i].orth for i in range(first.start, first.end)]
    words = numpy.asarray(vectors.get_batch(keys)).mean(axis=0)
    width = tensor.shape[1]
    inside = numpy.zeros(width, dtype="float32")
    before = numpy.zeros(width, dtype="float32")
    after = numpy.zeros(width, dtype="float32")
    for span in spans:
        inside += tensor[span.start : span.end].mean(axis=0)
        if span.start > 0:
            before += tensor[span.start - 1]
        if span.end < len(doc):
            after += tensor[span.end]
    n = len(spans)
    return numpy.concatenate([words, inside / n, before / n, after / n]).astype("float32")


def grouped(doc: Doc, spans: Iterable[Candidate]) -> dict[str, list[Candidate]]:
    """A document's spans by the name they give (:func:`group_key`), in text order."""
    groups: dict[str, list[Candidate]] = defaultdict(list)
    text = doc.text
    for span in sorted(spans, key=lambda s: s.start):
        start, end = doc[span.start].idx, doc[span.end - 1].idx + len(doc[span.end - 1])
        groups[group_key(text[start:end])].append(span)
    return groups


def title_end(doc: Doc) -> int:
    """Where the title ends: the first blank line of the text, else nowhere."""
    index = doc.text.find("\n\n")
    return index if index >= 0 else 0


#: Rule names this sure of a metric ("BLEU", "word error rate") are kept as they are.
SURE_METRIC = 0.85
#: Rule names this sure of a dataset ("evaluated on X", "on X it reaches 95.2%", "the X
#: benchmark") keep their type wherever the judge takes them for any kind of entity: there
#: the rules are more precise than the model (``benchmarks/README.md``).
SURE_DATASET = 0.7
_SURE = {"METRIC": SURE_METRIC, "DATASET": SURE_DATASET}


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
    :func:`name_vector` (dense). ``weights`` maps a feature to its weight per class of
    :data:`CLASSES`; a name is kept as its likeliest type when that beats ``NONE`` by the
    type's ``margins`` entry in log-odds (indexed like :data:`CLASSES`).

    Callable as a :class:`kg.nlp.extract.NameJudge`: returns the spans it keeps with the
    type it gives and its probability as confidence.
    """

    weights: dict[str, numpy.ndarray]
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
        dense = data.get("dense")
        return cls(
            weights={k: numpy.asarray(v, dtype="float32") for k, v in data["sparse"].items()},
            dense=None if dense is None else numpy.asarray(dense, dtype="float32"),
            bias=numpy.asarray(data["bias"], dtype="float32"),
            margins=tuple(float(m) for m in data["margins"]),
        )

    def scores(self, features: Iterable[str], vector: numpy.ndarray | None) -> numpy.ndarray:
        """Class probabilities for one name."""
        logits = self.bias.copy()
        for feature in features:
            weight = self.weights.get(feature)
            if weight is not None:
                logits += weight
        if self.dense is not None and vector is not None:
            logits += vector @ self.dense
        logits -= logits.max()
        exp = numpy.exp(logits)
        return exp / exp.sum()

    def __call__(self, doc: Doc, spans: list[Candidate]) -> list[Candidate]:
        end = title_end(doc)
        kept: list[Candidate] = []
        for group in grouped(doc, spans).values():
            sure = _rule_label(group)
            if sure == "METRIC":
                kept += [replace(s, label=sure) for s in group]
                continue
            probs = self.scores(name_features(doc, group, end), name_vector(doc, group))
            probs[0] = min(max(probs[0], 1e-9), 1 - 1e-9)
            if sure is not None:
                best = CLASSES.index(sure)
                # Any type beats NONE: the rule says which.
                if math.log1p(-probs[0]) - math.log(probs[0]) < self.margins[best]:
                    continue
                probs[best] = 1 - probs[0]
            else:
                best = int(numpy.argmax(probs[1:])) + 1
                if math.log(probs[best]) - math.log(probs[0]) < self.margins[best]:
                    continue
            label = CLASSES[best]
            confidence = round(float(probs[best]), 3)
            kept += [replace(s, label=label, confidence=confidence) for s in group]
        return sorted(kept, key=lambda s: s.start)
