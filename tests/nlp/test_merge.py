"""Merging what a NER model and the rules find: agreement, clashes, abbreviations."""

from __future__ import annotations

import pytest

from kg.nlp.extract import MODEL_CONFIDENCE, doc_to_mentions, merge_spans
from kg.nlp.pipeline import build_pipeline


@pytest.fixture(scope="module")
def nlp():
    """The rule pipeline with an entity ruler standing in for a trained NER model."""
    nlp = build_pipeline("rules")
    ruler = nlp.add_pipe("entity_ruler", before="paperkg_abbreviations")
    ruler.add_patterns(
        [
            {"label": "METHOD", "pattern": "Gloom Transformer"},
            {"label": "DATASET", "pattern": "NightBirds"},
            {"label": "TASK", "pattern": [{"LOWER": "detection"}]},
            {"label": "METHOD", "pattern": "Owlet"},
        ]
    )
    return nlp


def merged(nlp, text):
    doc = nlp(text)
    return [
        (doc[c.start : c.end].text, c.label, c.extractor, c.confidence) for c in merge_spans(doc)
    ]


def test_agreement_reinforces(nlp):
    found = merged(nlp, "We evaluate on the NightBirds dataset.")
    [(text, label, extractor, confidence)] = [f for f in found if f[0] == "NightBirds"]
    assert (label, extractor) == ("DATASET", "model+rules")
    assert confidence > max(MODEL_CONFIDENCE, 0.85)


def test_model_only_and_rules_only_spans_both_kept(nlp):
    found = {
        f[0]: f[2] for f in merged(nlp, "Owlet is compared with convolutional neural networks.")
    }
    assert found["Owlet"] in {"model", "model+rules"}
    assert found["convolutional neural networks"] == "rules"


def test_clash_goes_to_the_more_confident_span(nlp):
    # The model's short "detection" loses to the rules' longer task phrase of higher confidence
    # only if the rules are more confident; otherwise the model's span stays.
    found = merged(nlp, "We study owl detection at night.")
    texts = [f[0] for f in found]
    assert ("owl detection" in texts) != ("detection" in texts)
    winner = next(f for f in found if f[0] in {"owl detection", "detection"})
    loser_confidence = 0.65 if winner[0] == "detection" else MODEL_CONFIDENCE
    assert winner[3] >= loser_confidence


def test_abbreviation_takes_the_model_type_of_its_long_form(nlp):
    doc = nlp("We propose the Gloom Transformer (GT). GT is fast and GT is small.")
    mentions = doc_to_mentions(doc, title_length=0)
    uses = [m for m in mentions if m.text == "GT"]
    assert len(uses) == 3
    assert {(m.label.value, m.long_form) for m in uses} == {("METHOD", "Gloom Transformer")}
    spans = [(m.start, m.end) for m in mentions]
    assert len(spans) == len(set(spans))
