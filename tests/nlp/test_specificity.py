"""The specificity judge: its weights file, its decisions, and the shipped weights."""

from __future__ import annotations

import json

import pytest
import spacy

from kg.errors import ModelError
from kg.ingest.paper import Paper
from kg.nlp import SpacyExtractor
from kg.nlp.extract import Candidate
from kg.nlp.specificity import CLASSES, SpecificityJudge, group_key, grouped, name_features


def write_weights(path, sparse, margins=(0.0,) * 5, bias=(0.0,) * 5):
    path.mkdir(parents=True, exist_ok=True)
    (path / "weights.json").write_text(
        json.dumps(
            {
                "classes": list(CLASSES),
                "bias": list(bias),
                "sparse": sparse,
                "dense": None,
                "margins": list(margins),
            }
        )
    )
    return SpecificityJudge.from_disk(path)


@pytest.fixture
def doc():
    return spacy.blank("en")("Title\n\nOur encoder beats BERT on SQuAD and the encoder is small.")


def span(doc, text, label, occurrence=0, confidence=0.75, extractor="model"):
    starts = [t.i for t in doc if t.text == text.split()[0]]
    start = starts[occurrence]
    return Candidate(start, start + len(text.split()), label, confidence, extractor)


def test_a_name_is_judged_once_with_all_its_occurrences(doc):
    spans = [span(doc, "encoder", "METHOD"), span(doc, "encoder", "METHOD", 1)]
    groups = grouped(doc, [*spans, span(doc, "BERT", "METHOD")])
    assert list(groups) == ["encoder", "bert"]
    assert "mentions=2" in name_features(doc, groups["encoder"])
    assert group_key("Our  Encoder") == "our encoder"


def test_the_judge_drops_retypes_and_keeps(tmp_path, doc):
    none, method, dataset = ([0.0] * 5 for _ in range(3))
    none[0], method[1], dataset[2] = 5.0, 5.0, 5.0
    judge = write_weights(tmp_path, {"w=encoder": none, "w=bert": method, "prev=on": dataset})
    spans = [
        span(doc, "encoder", "METHOD"),
        span(doc, "encoder", "METHOD", 1),
        span(doc, "BERT", "DATASET"),
        span(doc, "SQuAD", "METHOD"),
    ]
    kept = judge(doc, spans)
    assert [(doc[s.start : s.end].text, s.label) for s in kept] == [
        ("BERT", "METHOD"),
        ("SQuAD", "DATASET"),
    ]
    assert all(0.9 < s.confidence <= 1.0 for s in kept)


def test_margins_trade_recall_for_precision(tmp_path, doc):
    weak = [0.0, 0.5, 0.0, 0.0, 0.0]  # METHOD barely beats NONE
    features = {"w=bert": weak}
    spans = [span(doc, "BERT", "METHOD")]
    assert write_weights(tmp_path / "a", features, margins=(0, 0, 0, 0, 0))(doc, spans)
    assert not write_weights(tmp_path / "b", features, margins=(0, 1, 0, 0, 0))(doc, spans)


def test_a_sure_rule_metric_is_kept_and_a_sure_rule_dataset_keeps_its_type(tmp_path, doc):
    judge = write_weights(
        tmp_path, {"w=squad": [0.0, 3.0, 0.0, 0.0, 0.0], "w=bert": [9.0, 0, 0, 0, 0]}
    )
    spans = [
        span(doc, "BERT", "METRIC", confidence=0.9, extractor="rules"),
        span(doc, "SQuAD", "DATASET", confidence=0.85, extractor="rules"),
    ]
    kept = judge(doc, spans)
    assert [(doc[s.start : s.end].text, s.label) for s in kept] == [
        ("BERT", "METRIC"),
        ("SQuAD", "DATASET"),
    ]
    # The kept dataset votes for its type with the classifier's belief in it, which here is
    # low (it took SQuAD for a method), not with its belief that SQuAD is some entity.
    probs = judge.scores([name_features(doc, [spans[1]])], None)[0]
    assert kept[1].confidence == pytest.approx(probs[CLASSES.index("DATASET")], abs=1e-3)
    assert kept[1].confidence < 0.2 < 1 - probs[0]


def test_weights_that_do_not_read_are_a_model_error(tmp_path):
    (tmp_path / "weights.json").write_text("{not json")
    with pytest.raises(ModelError, match="specificity weights"):
        SpecificityJudge.from_disk(tmp_path)
    (tmp_path / "weights.json").write_text(json.dumps({"classes": ["A"], "margins": []}))
    with pytest.raises(ModelError, match="classes"):
        SpecificityJudge.from_disk(tmp_path)


@pytest.fixture(scope="module")
def extractor():
    return SpacyExtractor.create("model")


def test_the_shipped_judge_drops_generic_words_and_keeps_names(extractor):
    assert extractor.judge is not None
    paper = Paper(
        id="t",
        title="Sparse Adapters for Low-Resource Speech Recognition",
        abstract=(
            "Deep learning models need data. Our encoder uses attention layers and a decoder. "
            "We fine-tune BERT on LibriSpeech and report word error rate and latency. "
            "The proposed framework improves our approach."
        ),
    )
    names = {(m.text, m.label.value) for m in next(extractor.extract([paper]))[1]}
    assert {("BERT", "METHOD"), ("LibriSpeech", "DATASET"), ("latency", "METRIC")} <= names
    assert ("word error rate", "METRIC") in names
    kept = {text.lower() for text, _ in names}
    assert not kept & {"encoder", "decoder", "deep learning models", "proposed framework"}


def test_a_metric_spelt_with_one_letter_is_kept_and_map_inference_is_no_metric(extractor):
    paper = Paper(
        id="f1",
        title="A reader",
        abstract="It reaches 74.7% F1 score on SQuAD. MAP inference is exact; 45.1 mAP on COCO.",
    )
    names = [(m.text, m.label.value) for m in next(extractor.extract([paper]))[1]]
    assert ("F1", "METRIC") in names and ("mAP", "METRIC") in names
    assert ("MAP", "METRIC") not in names


def test_other_classifier_weights_make_another_extractor_version(tmp_path, monkeypatch):
    import shutil

    from kg.nlp.pipeline import extractor_fingerprint, model_path

    shipped = extractor_fingerprint("model")
    weights = tmp_path / "specificity"
    shutil.copytree(model_path().parent / "specificity", weights)
    data = json.loads((weights / "weights.json").read_text())
    data["margins"] = [margin + 0.5 for margin in data["margins"]]
    (weights / "weights.json").write_text(json.dumps(data))
    monkeypatch.setenv("PAPERKG_SPECIFICITY", str(weights))
    extractor_fingerprint.cache_clear()
    try:
        assert extractor_fingerprint("model") != shipped
        assert extractor_fingerprint("rules") != extractor_fingerprint("model")
    finally:
        extractor_fingerprint.cache_clear()
