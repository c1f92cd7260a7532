from __future__ import annotations

import pytest

from kg.nlp.evaluate import (
    MICRO,
    Score,
    document_prf,
    macro_f1,
    match_names,
    mention_prf,
    names_match,
    normalize_name,
)

# "We fine-tune BERT on SQuAD and report F1 for question answering."
GOLD = [(13, 17, "METHOD"), (21, 26, "DATASET"), (38, 40, "METRIC"), (45, 63, "TASK")]


def test_exact_match_counts_only_identical_spans():
    pred = [(13, 17, "METHOD"), (21, 26, "DATASET"), (38, 40, "TASK"), (41, 63, "TASK")]
    scores = mention_prf([GOLD], [pred])
    assert scores["METHOD"] == Score(1, 1, 1, 1)
    assert scores["DATASET"] == Score(1, 1, 1, 1)
    assert scores["METRIC"] == Score(0, 0, 0, 1)
    assert scores["TASK"] == Score(0, 2, 0, 1)
    assert scores[MICRO] == Score(2, 4, 2, 4)
    assert scores[MICRO].f1 == pytest.approx(0.5)


def test_partial_match_accepts_overlap_of_the_same_label():
    pred = [(13, 26, "METHOD"), (41, 50, "TASK"), (50, 63, "TASK")]
    scores = mention_prf([GOLD], [pred], partial=True)
    assert scores["METHOD"] == Score(1, 1, 1, 1)
    # Two predictions overlap one gold task: both are right, the gold is found once.
    assert scores["TASK"] == Score(2, 2, 1, 1)
    assert scores["DATASET"].recall == 0.0


def test_predictions_over_unannotated_ranges_are_not_scored():
    gold = [[(0, 5, "TASK")]]
    pred = [[(0, 5, "TASK"), (10, 20, "DATASET"), (30, 35, "METHOD")]]
    scores = mention_prf(gold, pred, ignore=[[(12, 14)]], labels=["TASK", "DATASET"])
    assert scores[MICRO] == Score(1, 1, 1, 1)
    assert "METHOD" not in scores


def test_mention_prf_needs_as_many_predicted_as_gold_documents():
    with pytest.raises(ValueError, match="2 gold documents but 1 predicted"):
        mention_prf([[], []], [[]])


def test_empty_scores_are_zero_not_an_error():
    assert Score().precision == Score().recall == Score().f1 == 0.0


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Graph Neural Networks", "graph neural network"),
        ("CoNLL-2003", "conll 2003"),
        ("accuracies", "accuracy"),
        ("analysis", "analysis"),
        ("  BLEU  ", "bleu"),
    ],
)
def test_normalize_name(name, expected):
    assert normalize_name(name) == expected


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("BERT", "bert", True),
        ("F1-score", "F1 scores", True),
        ("named entity recognition", "entity recognition", True),
        ("named entity recognition", "relation extraction", False),
        ("ImageNet", "ImageNet-21k", True),  # {imagenet} vs {imagenet, 21k}: Jaccard 0.5
        ("deep reinforcement learning", "learning", False),  # Jaccard 1/3
        ("", "", False),
    ],
)
def test_names_match(a, b, expected):
    assert names_match(a, b) is expected


def test_match_names_is_one_to_one_and_prefers_exact_twins():
    # "translation" would loosely match "machine translation" but its exact twin is there.
    assert match_names({"translation", "machine translation"}, {"machine translation"}) == 1
    assert match_names({"translation", "machine translation"}, {"Translations", "MT"}) == 1
    assert match_names(set(), {"BERT"}) == 0


def test_document_prf_counts_each_name_once_per_document():
    gold = [
        {"METHOD": ["BERT", "BERT"], "DATASET": ["SQuAD"]},
        {"METHOD": ["LSTM"], "METRIC": ["accuracy"]},
    ]
    pred = [
        {"METHOD": ["bert", "BERT", "ELMo"]},
        {"METHOD": ["LSTMs"], "METRIC": ["accuracy"], "DATASET": ["Penn Treebank"]},
    ]
    scores = document_prf(gold, pred, ["METHOD", "DATASET", "METRIC", "TASK"])
    assert scores["METHOD"] == Score(2, 3, 2, 2)
    assert scores["DATASET"] == Score(0, 1, 0, 1)
    assert scores["METRIC"] == Score(1, 1, 1, 1)
    assert scores["TASK"] == Score()
    assert macro_f1(scores, ["METHOD", "METRIC"]) == pytest.approx((0.8 + 1.0) / 2)
