"""Scores for extracted mentions against gold ones: mention-level (exact or overlapping spans)
and document-level (the set of names each document gives each label)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

Span = tuple[int, int, str]
"""A mention as (start, end, label): character offsets, end exclusive."""

MICRO = "micro"

_DEFINITION_GAP = re.compile(r" ?\( ?")
_DEFINITION_CLOSE = re.compile(r" ?\)")


def join_definitions(spans: Sequence[Span], text: str) -> list[Span]:
    """Spans in the annotation convention of SciERC and TDMSci, which mark a definition and
    its acronym as one mention: a span directly followed by a parenthesised span is joined
    with it, through the closing parenthesis. ``kg build`` keeps the two apart on purpose
    (the acronym is resolved to its long form).

    >>> text = "We train convolutional neural networks (CNNs) on MNIST."
    >>> join_definitions([(9, 38, "METHOD"), (40, 44, "METHOD"), (49, 54, "DATASET")], text)
    [(9, 45, 'METHOD'), (49, 54, 'DATASET')]
    """
    joined: list[Span] = []
    for start, end, label in sorted(spans):
        if joined:
            previous_start, previous_end, previous_label = joined[-1]
            close = _DEFINITION_CLOSE.match(text, end)
            if _DEFINITION_GAP.fullmatch(text, previous_end, start) and close:
                joined[-1] = (previous_start, close.end(), previous_label)
                continue
        joined.append((start, end, label))
    return joined


@dataclass(frozen=True, slots=True)
class Score:
    """Counts behind a precision/recall pair.

    Precision is ``correct_pred / n_pred`` and recall ``correct_gold / n_gold``; the two
    correct counts differ only when one prediction can cover several gold items (overlap).

    >>> s = Score(correct_pred=1, n_pred=2, correct_gold=1, n_gold=4)
    >>> s.precision, s.recall, round(s.f1, 3)
    (0.5, 0.25, 0.333)
    """

    correct_pred: int = 0
    n_pred: int = 0
    correct_gold: int = 0
    n_gold: int = 0

    def __add__(self, other: Score) -> Score:
        return Score(
            self.correct_pred + other.correct_pred,
            self.n_pred + other.n_pred,
            self.correct_gold + other.correct_gold,
            self.n_gold + other.n_gold,
        )

    @property
    def precision(self) -> float:
        return self.correct_pred / self.n_pred if self.n_pred else 0.0

    @property
    def recall(self) -> float:
        return self.correct_gold / self.n_gold if self.n_gold else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def scorable(
    pred: Iterable[Span], ignore: Iterable[tuple[int, int]] = (), labels: Iterable[str] = ()
) -> list[Span]:
    """The predictions that can be scored: of a wanted label, touching no unannotated range.

    A prediction over a range the gold data leaves unannotated is neither right nor wrong.

    >>> scorable([(0, 4, "TASK"), (10, 14, "METHOD"), (20, 25, "TASK")], [(22, 30)], ["TASK"])
    [(0, 4, 'TASK')]
    """
    ranges = list(ignore)
    wanted = set(labels)
    return [
        span
        for span in pred
        if (not wanted or span[2] in wanted) and not any(_overlaps(span[:2], r) for r in ranges)
    ]


def mention_counts(
    gold: Iterable[Span], pred: Iterable[Span], *, partial: bool = False
) -> dict[str, Score]:
    """Per-label counts for one document. Exact: same offsets and label. Partial: the spans
    share at least one character and the label.

    >>> gold = [(0, 10, "TASK"), (20, 24, "METHOD")]
    >>> mention_counts(gold, [(0, 10, "TASK"), (18, 24, "METHOD")])["METHOD"].f1
    0.0
    >>> mention_counts(gold, [(0, 10, "TASK"), (18, 24, "METHOD")], partial=True)["METHOD"].f1
    1.0
    """
    gold = list(dict.fromkeys(gold))
    pred = list(dict.fromkeys(pred))
    scores: dict[str, Score] = {}
    for label in {span[2] for span in [*gold, *pred]}:
        g = [s for s in gold if s[2] == label]
        p = [s for s in pred if s[2] == label]
        if partial:
            correct_pred = sum(any(_overlaps(s[:2], t[:2]) for t in g) for s in p)
            correct_gold = sum(any(_overlaps(t[:2], s[:2]) for s in p) for t in g)
        else:
            correct_pred = correct_gold = len(set(g) & set(p))
        scores[label] = Score(correct_pred, len(p), correct_gold, len(g))
    return scores


def mention_prf(
    gold: Sequence[Sequence[Span]],
    pred: Sequence[Sequence[Span]],
    *,
    partial: bool = False,
    ignore: Sequence[Sequence[tuple[int, int]]] | None = None,
    labels: Iterable[str] = (),
) -> dict[str, Score]:
    """Mention-level scores over documents (``gold[i]`` and ``pred[i]`` are document i), per
    label and under the key ``"micro"`` summed over labels.

    ``ignore[i]`` lists document i's unannotated ranges (see :func:`scorable`); ``labels``
    restricts scoring to the labels the gold data annotates.

    >>> scores = mention_prf([[(0, 3, "TASK")], [(5, 9, "METRIC")]], [[(0, 3, "TASK")], []])
    >>> scores["micro"].precision, scores["micro"].recall
    (1.0, 0.5)
    """
    if len(gold) != len(pred):
        raise ValueError(f"{len(gold)} gold documents but {len(pred)} predicted")
    wanted = list(labels)
    totals: dict[str, Score] = {label: Score() for label in wanted}
    for i, (g, p) in enumerate(zip(gold, pred, strict=True)):
        p = scorable(p, ignore[i] if ignore else (), wanted)
        g = [s for s in g if not wanted or s[2] in wanted]
        for label, score in mention_counts(g, p, partial=partial).items():
            totals[label] = totals.get(label, Score()) + score
    totals[MICRO] = sum(totals.values(), Score())
    return totals


_PUNCT = re.compile(r"[^\w\s]|_")


def normalize_name(name: str) -> str:
    """A name reduced for comparison: lower case, punctuation as space, plurals singular.

    >>> normalize_name("Mixture-of-Experts"), normalize_name("Transformers")
    ('mixture of expert', 'transformer')
    >>> normalize_name("F1 scores"), normalize_name("BLEU"), normalize_name("Ontologies")
    ('f1 score', 'bleu', 'ontology')
    """
    words = _PUNCT.sub(" ", name.lower()).split()
    return " ".join(_singular(word) for word in words)


def _singular(word: str) -> str:
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def names_match(a: str, b: str) -> bool:
    """Whether two mentions name the same thing: equal once normalised, or sharing at least
    half of their words (token Jaccard >= 0.5).

    >>> names_match("CoNLL-2003", "conll 2003"), names_match("ROUGE scores", "ROUGE score")
    (True, True)
    >>> names_match("machine translation", "neural machine translation")
    True
    >>> names_match("image classification", "object detection")
    False
    """
    x, y = normalize_name(a), normalize_name(b)
    if x == y:
        return bool(x)
    tx, ty = set(x.split()), set(y.split())
    return bool(tx | ty) and len(tx & ty) / len(tx | ty) >= 0.5


def match_names(gold: Iterable[str], pred: Iterable[str]) -> int:
    """How many pairs a one-to-one matching of ``pred`` to ``gold`` names can make; exact
    normalised equals are paired first, so a loose match does not take a name's exact twin.

    >>> match_names({"BERT", "GPT-2"}, {"bert", "GPT 2", "ELMo"})
    2
    >>> match_names({"machine translation"}, {"neural machine translation", "translation"})
    1
    """
    gold_left = sorted({normalize_name(g) for g in gold} - {""})
    pred_left = sorted({normalize_name(p) for p in pred} - {""})
    matched = 0
    for strict in (True, False):
        for p in list(pred_left):
            for g in gold_left:
                if (p == g) if strict else names_match(p, g):
                    gold_left.remove(g)
                    pred_left.remove(p)
                    matched += 1
                    break
    return matched


def document_prf(
    gold: Sequence[Mapping[str, Iterable[str]]],
    pred: Sequence[Mapping[str, Iterable[str]]],
    labels: Iterable[str],
) -> dict[str, Score]:
    """Document-level scores: for document i, ``gold[i][label]`` and ``pred[i][label]`` are
    the names given for ``label``; names are compared with :func:`names_match`, one-to-one, and
    counted once per document however often they occur. Names that normalise alike are one.

    >>> gold = [{"TASK": ["parsing"], "METRIC": ["F1"]}]
    >>> pred = [{"TASK": ["Parsing", "parsing"], "METRIC": ["accuracy"]}]
    >>> s = document_prf(gold, pred, ["TASK", "METRIC"])
    >>> s["TASK"].f1, s["METRIC"].f1
    (1.0, 0.0)
    """
    if len(gold) != len(pred):
        raise ValueError(f"{len(gold)} gold documents but {len(pred)} predicted")
    totals: dict[str, Score] = {}
    for label in labels:
        total = Score()
        for g_doc, p_doc in zip(gold, pred, strict=True):
            g = {normalize_name(n) for n in g_doc.get(label, ())} - {""}
            p = {normalize_name(n) for n in p_doc.get(label, ())} - {""}
            matched = match_names(g, p)
            total = total + Score(matched, len(p), matched, len(g))
        totals[label] = total
    return totals


def macro_f1(scores: Mapping[str, Score], labels: Iterable[str]) -> float:
    """The unweighted mean of the labels' F1.

    >>> macro_f1({"A": Score(1, 1, 1, 1), "B": Score(0, 1, 0, 1)}, ["A", "B"])
    0.5
    """
    values = [scores[label].f1 for label in labels]
    return sum(values) / len(values) if values else 0.0


#: Words that carry no content when names are compared (``eval/GUIDELINES.md``'s
#: "content-token Jaccard").
FUNCTION_WORDS = frozenset(
    "a an the of for in on to with by from via and or at as into over under its their our "
    "this that these those using based".split()
)


def _content(tokens: Sequence[str]) -> set[str]:
    return {t for t in tokens if t not in FUNCTION_WORDS}


def _contains(outer: Sequence[str], inner: Sequence[str]) -> bool:
    n = len(inner)
    return 0 < n <= len(outer) and any(
        list(outer[i : i + n]) == list(inner) for i in range(len(outer) - n + 1)
    )


def graph_names_match(a: str, b: str, *, partial: bool = True) -> bool:
    """Whether two names are the same graph node under ``eval/GUIDELINES.md``. Exact: equal
    after normalisation (:func:`normalize_name`). Partial: also one containing the other as a
    run of words, or content words shared at Jaccard >= 0.5.

    >>> graph_names_match("Transformers", "transformer", partial=False)
    True
    >>> graph_names_match("AudioSet", "AudioSet-2M"), graph_names_match("encoder", "decoder")
    (True, False)
    >>> graph_names_match("AudioSet", "AudioSet-2M", partial=False)
    False
    >>> graph_names_match("learning of representations", "representation learning")
    True
    """
    x, y = normalize_name(a).split(), normalize_name(b).split()
    if not x or not y:
        return False
    if x == y:
        return True
    if not partial:
        return False
    if _contains(x, y) or _contains(y, x):
        return True
    cx, cy = _content(x), _content(y)
    return bool(cx | cy) and len(cx & cy) / len(cx | cy) >= 0.5


def graph_prf(
    gold: Sequence[Mapping[str, Sequence[Sequence[str]]]],
    pred: Sequence[Mapping[str, Iterable[str]]],
    labels: Iterable[str],
    *,
    partial: bool = True,
) -> dict[str, Score]:
    """Document-level scores against gold entities that have several names.

    ``gold[i][label]`` lists document i's gold entities, each as its names (label first, then
    aliases); ``pred[i][label]`` the names predicted for it. A predicted name is right when it
    matches a name of a gold entity of its label (:func:`graph_names_match`); a gold entity
    is found when any predicted name matches one of its names. Names that normalise alike
    count once.

    >>> gold = [{"METHOD": [["Diffusion Transformer", "DiT"]], "TASK": [["parsing"]]}]
    >>> pred = [{"METHOD": ["DiT", "diffusion transformers", "encoder"], "TASK": []}]
    >>> s = graph_prf(gold, pred, ["METHOD", "TASK"])
    >>> s["METHOD"].precision, s["METHOD"].recall, s["TASK"].recall
    (0.6666666666666666, 1.0, 0.0)
    """
    if len(gold) != len(pred):
        raise ValueError(f"{len(gold)} gold documents but {len(pred)} predicted")
    totals: dict[str, Score] = {}
    for label in labels:
        total = Score()
        for g_doc, p_doc in zip(gold, pred, strict=True):
            entities = [list(names) for names in g_doc.get(label, ())]
            names = list({normalize_name(n): n for n in p_doc.get(label, ()) if normalize_name(n)})
            hits = [
                [any(graph_names_match(p, g, partial=partial) for g in entity) for p in names]
                for entity in entities
            ]
            correct_pred = sum(any(row[j] for row in hits) for j in range(len(names)))
            correct_gold = sum(any(row) for row in hits)
            total = total + Score(correct_pred, len(names), correct_gold, len(entities))
        totals[label] = total
    return totals
