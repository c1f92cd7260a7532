from __future__ import annotations

import pytest

from kg.ingest.paper import Paper
from kg.nlp.mention import Label, Mention
from kg.resolve import canonical_key, resolve


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Convolutional Neural Networks", "convolutional neural network"),
        ("talking-head synthesis", "Talking Head Synthesis"),
        ("the WikiANN benchmark data", "WikiANN benchmark data"),
        ("LLMs", "LLM"),
        ("novel diffusion models", "diffusion model"),
    ],
)
def test_variants_share_a_key(a, b):
    assert canonical_key(a) == canonical_key(b)


@pytest.mark.parametrize(
    ("a", "b"), [("VoxCeleb1", "VoxCeleb2"), ("loss", "los"), ("BERT", "BART")]
)
def test_different_names_keep_different_keys(a, b):
    assert canonical_key(a) != canonical_key(b)


def mention(text, label=Label.METHOD, long_form=None, start=0):
    return Mention(
        text=text,
        label=label,
        field="abstract",
        start=start,
        end=start + len(text),
        sentence=text,
        confidence=0.9,
        source="rules",
        long_form=long_form,
    )


def test_acronym_joins_its_long_form_and_prefers_it_as_label():
    p1 = Paper(id="p1", title="t", abstract="a")
    p2 = Paper(id="p2", title="t", abstract="a")
    resolution = resolve(
        [
            (
                p1,
                [
                    mention("Diffusion Transformer"),
                    mention("DiT", long_form="Diffusion Transformer", start=30),
                ],
            ),
            (p2, [mention("diffusion transformers")]),
        ]
    )
    [entity] = resolution.entities.values()
    assert entity.pref_label == "Diffusion Transformer"
    assert set(entity.alt_labels) == {"DiT", "diffusion transformers"}
    assert entity.papers == {"p1", "p2"} and entity.mention_count == 3
    assert [e.key for e in resolution.mention_entities["p1"]] == ["diffusion transformer"] * 2


def test_same_text_different_type_stays_apart():
    paper = Paper(id="p", title="t", abstract="a")
    resolution = resolve(
        [(paper, [mention("GLUE", Label.DATASET), mention("GLUE", Label.METHOD, start=9)])]
    )
    assert len(resolution.entities) == 2
