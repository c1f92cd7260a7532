from __future__ import annotations

import pytest
import spacy

from kg.nlp.abbreviation import find_long_form, is_short_form


@pytest.fixture
def nlp():
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    nlp.add_pipe("paperkg_abbreviations")
    return nlp


@pytest.mark.parametrize(
    ("short", "candidate", "expected"),
    [
        ("DiT", "we train a Diffusion Transformer", "Diffusion Transformer"),
        ("HPE", "existing head pose estimation", "head pose estimation"),
        ("MoE", "sparse mixture-of-experts", "mixture-of-experts"),
        ("AAC", "Automated Audio Captioning", "Automated Audio Captioning"),
        ("XYZ", "image captioning", None),
    ],
)
def test_find_long_form(short, candidate, expected):
    start = find_long_form(short, candidate)
    assert (None if start is None else candidate[start:]) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("DiT", True), ("LVLMs", True), ("ViT", True), ("see", False), ("1", False), ("e.g.", False)],
)
def test_is_short_form(nlp, text, expected):
    doc = nlp.make_doc(text)
    assert is_short_form(doc[:]) is expected


def test_definition_and_every_use(nlp):
    doc = nlp("We propose a Diffusion Transformer (DiT). DiT scales, and DiT-XL is larger.")
    [abbreviation] = doc._.abbreviations
    assert abbreviation.short.text == "DiT"
    assert abbreviation.long.text == "Diffusion Transformer"
    # "DiT-XL" is another name written with it: only the two uses of "DiT" itself count.
    assert [o.start_char for o in abbreviation.occurrences] == [36, 42]


def test_long_form_stops_at_sentence_start(nlp):
    doc = nlp("Results improve. Masked image modeling (MIM) helps.")
    [abbreviation] = doc._.abbreviations
    assert abbreviation.long.text == "Masked image modeling"


def test_brackets_without_definition(nlp):
    doc = nlp("The model (see Table 2) and the baseline (2023) differ.")
    assert doc._.abbreviations == []


def test_first_definition_wins(nlp):
    doc = nlp("A head pose estimation (HPE) method. Another thing (HPE) appears.")
    assert [a.long.text for a in doc._.abbreviations] == ["head pose estimation"]


@pytest.mark.parametrize("n_process", [1, 2])
def test_abbreviations_survive_multiprocessing(nlp, n_process):
    texts = ["We use a Diffusion Transformer (DiT). DiT is fast."] * 3
    docs = list(nlp.pipe(texts, n_process=n_process))
    assert [
        [(a.short.text, a.long.text, len(a.occurrences)) for a in d._.abbreviations] for d in docs
    ] == [[("DiT", "Diffusion Transformer", 2)]] * 3
