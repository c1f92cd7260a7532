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


def test_kg_pipeline_runs_the_model_faster_with_the_same_entities(nlp):
    from kg.nlp.pipeline import BlasOps, RememberedVectors, build_pipeline

    texts = [
        SENTENCE,
        "Diffusion Transformers (DiT) scale well on ImageNet 256x256, lowering FID to 2.27.",
        "We report BLEU on WMT14 English-German and WMT14 English-French translation.",
    ] * 2
    fast = build_pipeline("model")
    tok2vec = fast.get_pipe("tok2vec").model
    assert all(isinstance(layer.ops, BlasOps) for layer in tok2vec.walk())
    assert isinstance(fast.vocab.vectors, RememberedVectors)
    # Each text as one sentence, as the plain pipeline reads it.
    for text in texts:
        plain = [(e.start_char, e.end_char, e.label_) for e in nlp(text).ents]
        doc = fast.get_pipe("ner")(fast.get_pipe("tok2vec")(fast.make_doc(text)))
        assert [(e.start_char, e.end_char, e.label_) for e in doc.ents] == plain
    # The second time round every word vector comes from memory.
    assert len(fast.vocab.vectors.__dict__["remembered"]) > 0


def test_remembered_vectors_equal_computed_ones(nlp):
    import numpy

    from kg.nlp.pipeline import remember_vectors

    words = ["transformer", "VoxCeleb2", "transformer", "zzqx-unseen", "of"]
    keys = numpy.array([nlp.vocab.strings.add(w) for w in words], dtype="uint64")
    expected = nlp.vocab.vectors.get_batch(keys)
    fresh = remember_vectors(spacy.load(nlp.path))
    for word in words:
        fresh.vocab.strings.add(word)
    first, again = fresh.vocab.vectors.get_batch(keys), fresh.vocab.vectors.get_batch(keys)
    assert numpy.allclose(first, expected) and numpy.allclose(again, expected)
    assert first.shape == (len(words), nlp.vocab.vectors.shape[1])


def test_another_ner_pipeline_can_stand_in_for_the_shipped_one(tmp_path):
    from kg.errors import ModelError
    from kg.nlp.pipeline import build_pipeline, model_path

    other = build_pipeline("model", model=model_path())
    assert other.pipe_names == build_pipeline("model").pipe_names
    with pytest.raises(ModelError, match=str(tmp_path)):
        build_pipeline("model", model=tmp_path)
