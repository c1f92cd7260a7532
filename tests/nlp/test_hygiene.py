"""Span hygiene: edges, lone modifiers, formulas, clauses and titles, on a blank pipeline."""

from __future__ import annotations

import pytest
import spacy

from kg.nlp.hygiene import clean_span


@pytest.fixture(scope="module")
def nlp():
    return spacy.blank("en")


def cut(nlp, text: str, phrase: str) -> str | None:
    """What :func:`clean_span` leaves of ``phrase`` (its first occurrence in ``text``)."""
    doc = nlp(text)
    begin = text.index(phrase)
    span = doc.char_span(begin, begin + len(phrase))
    assert span is not None, phrase
    result = clean_span(doc, span.start, span.end)
    return None if result is None else doc[result[0] : result[1]].text


@pytest.mark.parametrize(
    ("phrase", "expected"),
    [
        ("adversarial learning of", "adversarial learning"),  # ends on a preposition
        ("cycle reconstruction of", "cycle reconstruction"),
        ("the Diffusion Transformer", "Diffusion Transformer"),  # starts on a determiner
        ("BERT and", "BERT"),  # ends on a conjunction
        ("decode human vision", "human vision"),  # starts on a verb
        ("synthesizing responsive feedbacks of", "responsive feedbacks"),
        ("Benchmarking Object Detection", "Object Detection"),
        ("speech recognition improved", "speech recognition"),  # ends on a verb
        ("speech recognition improves", "speech recognition"),
    ],
)
def test_function_words_and_verbs_are_cut_from_the_edges(nlp, phrase, expected):
    assert cut(nlp, f"Here {phrase} here.", phrase) == expected


@pytest.mark.parametrize(
    "phrase", ["Scalable", "fully", "end-to-end", "task-agnostic", "efficiently"]
)
def test_a_lone_adjective_or_adverb_is_no_name(nlp, phrase):
    assert cut(nlp, f"We call it {phrase} today.", phrase) is None


@pytest.mark.parametrize("phrase", ["Benchmark", "Dataset", "framework", "Data"])
def test_a_lone_head_noun_is_no_name(nlp, phrase):
    assert cut(nlp, f"We call it {phrase} today.", phrase) is None
    assert cut(nlp, f"We call it Fog{phrase} today.", f"Fog{phrase}") == f"Fog{phrase}"


@pytest.mark.parametrize("phrase", ["store high-resolution", "of", "the"])
def test_nothing_is_left_of_edges_and_modifiers(nlp, phrase):
    assert cut(nlp, f"We {phrase} images.", phrase) is None


@pytest.mark.parametrize("phrase", ["Delta(Pmn),i", "x_i^2", "O(1/t"])
def test_a_formula_fragment_is_no_name(nlp, phrase):
    assert cut(nlp, f"The bound {phrase} holds.", phrase) is None


def test_a_clause_is_no_name(nlp):
    text = "We show that contrastive pre-training helps named entity recognition."
    assert cut(nlp, text, "contrastive pre-training helps named entity recognition") is None


def test_a_whole_title_is_no_name(nlp):
    title = "Contrastive Pre-training for Low-Resource Named Entity Recognition"
    text = f"{title}\n\nWe study it."
    assert cut(nlp, text, title) is None
    # A name inside the title is kept, and a short title may be a name.
    assert cut(nlp, text, "Named Entity Recognition") == ("Named Entity Recognition")
    assert cut(nlp, "AudioSet\n\nA dataset.", "AudioSet") == "AudioSet"


@pytest.mark.parametrize(
    "phrase",
    [
        "BERT",
        "ResNet-50",
        "pre-trained language models",  # a participle inside a hyphenated word
        "large-scale transfer learning",
        "iterative model boosting",  # a gerund inside a name
        "gradient descent",
        "CIFAR-10/100",
        "information retrieval",
        "BLEU@4",
        "BEATs",  # spelt like a verb
        "transfer learning",  # verbs that are nouns here
        "user studies",
        "evaluation measures",
        "unit test",
    ],
)
def test_names_are_kept_whole(nlp, phrase):
    assert cut(nlp, f"We use {phrase} here.", phrase) == phrase


def test_an_unclosed_bracket_and_what_follows_it_go(nlp):
    text = "We release WiTQA (Wikipedia Triple Question Answers) today."
    assert cut(nlp, text, "WiTQA (Wikipedia Triple") == "WiTQA"
