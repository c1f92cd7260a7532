"""The NER model shipped inside the package loads offline and predicts the four labels."""

from __future__ import annotations

from importlib.resources import as_file, files

import pytest
import spacy

from kg.nlp.corpora import LABELS

SENTENCE = "We fine-tune BERT for named entity recognition on CoNLL-2003 and report F1."
EXPECTED = {
    ("BERT", "METHOD"),
    ("named entity recognition", "TASK"),
    ("CoNLL-2003", "DATASET"),
    ("F1", "METRIC"),
}


@pytest.fixture(scope="module")
def nlp() -> spacy.Language:
    with as_file(files("kg") / "data" / "models" / "ner") as path:
        return spacy.load(path)


def test_has_exactly_the_four_labels(nlp):
    assert sorted(nlp.get_pipe("ner").labels) == sorted(LABELS)


def test_meta_names_the_model_and_its_scores(nlp):
    assert nlp.meta["name"] == "paperkg_ner"
    assert sorted(nlp.meta["labels"]["ner"]) == sorted(LABELS)
    assert nlp.meta["paperkg_scores"]["scierc"]["exact"]["micro"]["f"] > 0.4


def test_needs_no_trained_english_pipeline(nlp):
    assert nlp.lang == "en"
    assert nlp.pipe_names == ["tok2vec", "ner"]
    assert "en_core" not in str(nlp.config)


def test_finds_entities_in_a_short_sentence(nlp):
    doc = nlp(SENTENCE)
    found = {(ent.text, ent.label_) for ent in doc.ents}
    assert {label for _, label in found} <= set(LABELS)
    # A statistical model may miss some of the four; it must get at least one exactly right.
    assert found & EXPECTED, f"none of {sorted(EXPECTED)} in {sorted(found)}"
