"""Merging what a NER model and the rules find: agreement, clashes, abbreviations."""

from __future__ import annotations

import pytest
from spacy.language import Language

from kg.nlp.extract import MODEL_CONFIDENCE, doc_to_mentions, merge_spans
from kg.nlp.pipeline import build_pipeline
from kg.nlp.rules import ensure_span_extensions


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
            {"label": "METHOD", "pattern": "Forest10"},
            {"label": "DATASET", "pattern": "Larkset and WrenBank"},
            {"label": "METHOD", "pattern": [{"TEXT": "Heronet"}, {"LOWER": "and"}]},
            {"label": "METHOD", "pattern": "sparse and dense encoders"},
            {"label": "METHOD", "pattern": [{"ORTH": "Quail-3"}, {"ORTH": "-"}]},
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


@Language.component("test_unsure_model")
def unsure_model(doc):
    """Marks the stand-in model's entities as found with confidence 0.5."""
    ensure_span_extensions()
    for ent in doc.ents:
        ent._.confidence = 0.5
    return doc


def test_weak_rule_phrase_does_not_displace_a_model_span(nlp):
    # The rules grow "owl detection" (0.6) around the head word "detection"; a model span, even
    # one less sure (0.5), is not displaced by such a phrase.
    unsure = build_pipeline("rules")
    ruler = unsure.add_pipe("entity_ruler", before="paperkg_abbreviations")
    ruler.add_patterns([{"label": "TASK", "pattern": [{"LOWER": "detection"}]}])
    unsure.add_pipe("test_unsure_model", after="entity_ruler")
    found = merged(unsure, "We study owl detection at night.")
    assert [f[:4] for f in found if "detection" in f[0]] == [("detection", "TASK", "model", 0.5)]


def test_sure_rule_name_beats_a_less_sure_model_span(nlp):
    # The stand-in model tags "Forest10" as a METHOD (confidence 0.75); the rules read it as a
    # member of a dataset list, which they are surer of (0.85).
    found = merged(nlp, "Trained on Forest10 and NightBirds datasets, it is accurate.")
    labels = {f[0]: (f[1], f[2]) for f in found}
    assert labels["Forest10"] == ("DATASET", "rules")
    assert labels["NightBirds"] == ("DATASET", "model+rules")


def test_abbreviation_takes_the_model_type_of_its_long_form(nlp):
    doc = nlp("We propose the Gloom Transformer (GT). GT is fast and GT is small.")
    mentions = doc_to_mentions(doc, title_length=0)
    uses = [m for m in mentions if m.text == "GT"]
    assert len(uses) == 3
    assert {(m.label.value, m.long_form) for m in uses} == {("METHOD", "Gloom Transformer")}
    spans = [(m.start, m.end) for m in mentions]
    assert len(spans) == len(set(spans))


def test_model_span_loses_a_dangling_coordinator(nlp):
    found = merged(nlp, "We compare Heronet and the baseline.")
    assert ("Heronet", "METHOD") in [f[:2] for f in found]
    assert not any(f[0].endswith(" and") for f in found)


def test_model_span_of_coordinated_names_becomes_one_span_per_name(nlp):
    found = [f[:2] for f in merged(nlp, "Results on Larkset and WrenBank are shown.")]
    assert ("Larkset", "DATASET") in found
    assert ("WrenBank", "DATASET") in found
    assert not any(" and " in text for text, _ in found)


def test_coordinated_phrase_that_is_not_a_list_of_names_stays_whole(nlp):
    found = [f[:2] for f in merged(nlp, "We train sparse and dense encoders jointly.")]
    assert ("sparse and dense encoders", "METHOD") in found


def test_quoted_definition_gives_names_without_quotes(nlp):
    doc = nlp('We introduce "Gloom Transformer" (GT), a model. GT is small.')
    mentions = doc_to_mentions(doc, title_length=0)
    texts = {m.text for m in mentions}
    assert "Gloom Transformer" in texts and not any('"' in t for t in texts)
    assert {m.long_form for m in mentions if m.text == "GT"} == {"Gloom Transformer"}


def test_emphasised_definition_gives_names_without_the_opening_mark(nlp):
    doc = nlp("We define *Gloom Transformer (GT)*, a model. GT is small.")
    texts = {m.text for m in doc_to_mentions(doc, title_length=0)}
    assert "Gloom Transformer" in texts and not any(t.startswith("*") for t in texts)


def test_span_cut_inside_a_word_loses_its_hanging_hyphen(nlp):
    found = [f[0] for f in merged(nlp, "We prune large models such as Quail-3-7B, fast.")]
    assert "Quail-3-" not in found
    assert any(text.startswith("Quail-3") for text in found)
