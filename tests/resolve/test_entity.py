from __future__ import annotations

import pytest

from kg.ingest.paper import Paper
from kg.nlp.mention import Label, Mention
from kg.resolve import canonical_key, resolve
from kg.resolve.entity import clean_surface, family_name, split_versions


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Convolutional Neural Networks", "convolutional neural network"),
        ("talking-head synthesis", "Talking Head Synthesis"),
        ("the WikiANN benchmark data", "WikiANN benchmark data"),
        ("LLMs", "LLM"),
        ("novel diffusion models", "diffusion model"),
        ("DiT-based", "DiT"),
        ("the proposed Transformer-style", "transformer"),
        ("NYUD-v2", "NYUDv2"),
        ("ResNet 50", "ResNet-50"),
        ("pre-trained language models", "pretrained language model"),
        ("multi-head attention", "multihead attention"),
        ("Transformers", "transformer"),
        ("semi supervised learning", "semi-supervised learning"),
        ("human judgements", "human judgments"),
        ("text summarisation", "text summarization"),
        ("language modelling", "language modeling"),
        ("k-nearest neighbours", "k-nearest neighbors"),
    ],
)
def test_variants_share_a_key(a, b):
    assert canonical_key(a) == canonical_key(b)


@pytest.mark.parametrize(
    ("a", "b"), [("VoxCeleb1", "VoxCeleb2"), ("loss", "los"), ("BERT", "BART"), ("GPT-3", "GPT-4")]
)
def test_different_names_keep_different_keys(a, b):
    assert canonical_key(a) != canonical_key(b)


def test_clean_surface_keeps_the_name():
    assert clean_surface("our novel Co-DETR") == "Co-DETR"


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("CIFAR-10/100", ["CIFAR-10", "CIFAR-100"]),
        ("VoxCeleb1/2", ["VoxCeleb1", "VoxCeleb2"]),
        ("encoder/decoder", ["encoder/decoder"]),
    ],
)
def test_split_versions(text, names):
    assert split_versions(text) == names


@pytest.mark.parametrize(
    ("text", "family"),
    [
        ("VoxCeleb2", "VoxCeleb"),
        ("AudioSet-2M", "AudioSet"),
        ("ResNet-50", "ResNet"),
        ("DiT-XL", "DiT"),
        ("LLaMA 2", "LLaMA"),
        ("T5", None),
        ("BERT", None),
        ("layer 2", None),
    ],
)
def test_family_name(text, family):
    assert family_name(text) == family


def mention(text, label=Label.METHOD, long_form=None, start=0, confidence=0.9):
    return Mention(
        text=text,
        label=label,
        field="abstract",
        start=start,
        end=start + len(text),
        sentence=text,
        confidence=confidence,
        source="rules",
        long_form=long_form,
    )


def paper(pid):
    return Paper(id=pid, title="t", abstract="a")


def test_acronym_joins_its_long_form_and_prefers_it_as_label():
    resolution = resolve(
        [
            (
                paper("p1"),
                [
                    mention("Diffusion Transformer"),
                    mention("DiT", long_form="Diffusion Transformer", start=30),
                ],
            ),
            (paper("p2"), [mention("diffusion transformers")]),
            # Used without a definition: the corpus has one meaning for it.
            (paper("p3"), [mention("DiT")]),
        ]
    )
    [entity] = resolution.entities.values()
    assert entity.pref_label == "Diffusion Transformer"
    assert set(entity.alt_labels) == {"DiT", "diffusion transformers"}
    assert entity.papers == {"p1", "p2", "p3"} and entity.mention_count == 4
    assert [e.key for (e,) in resolution.mention_entities["p1"]] == ["diffusion transformer"] * 2


def test_ambiguous_acronym_is_not_merged_blindly():
    resolution = resolve(
        [
            (paper("p1"), [mention("CAE", long_form="context autoencoder")]),
            (paper("p2"), [mention("CAE", long_form="convolutional autoencoder")]),
            (paper("p3"), [mention("CAE")]),
        ]
    )
    keys = {e.key for e in resolution.entities.values()}
    assert keys == {"context autoencoder", "convolutional autoencoder", "cae"}
    [(undefined,)] = resolution.mention_entities["p3"]
    assert undefined.key == "cae"


def test_type_conflict_resolved_by_votes():
    resolution = resolve(
        [
            (paper("p1"), [mention("GLUE", Label.DATASET, confidence=0.85)]),
            (paper("p2"), [mention("GLUE", Label.DATASET, confidence=0.7)]),
            (paper("p3"), [mention("GLUE", Label.METHOD, confidence=0.9)]),
        ]
    )
    [entity] = resolution.entities.values()
    assert entity.label is Label.DATASET
    assert entity.papers == {"p1", "p2", "p3"}


def test_versions_sit_under_their_family():
    resolution = resolve(
        [
            (paper("p1"), [mention("VoxCeleb1", Label.DATASET)]),
            (paper("p2"), [mention("VoxCeleb2", Label.DATASET)]),
            (
                paper("p3"),
                [
                    mention("AudioSet-2M", Label.DATASET),
                    mention("AudioSet", Label.DATASET, start=20),
                ],
            ),
            (paper("p4"), [mention("GPT-4", Label.METHOD)]),
        ]
    )
    entities = resolution.entities
    assert entities["voxceleb1"].broader == entities["voxceleb2"].broader == "voxceleb"
    family = entities["voxceleb"]
    assert family.label is Label.DATASET and family.pref_label == "VoxCeleb"
    assert family.mention_count == 0 and resolution.paper_ids("voxceleb") == {"p1", "p2"}
    assert entities["audioset2m"].broader == "audioset"
    # A single version without its bare name makes no family.
    assert entities["gpt4"].broader is None and "gpt" not in entities


def test_version_list_names_two_entities():
    resolution = resolve([(paper("p1"), [mention("CIFAR-10/100", Label.DATASET)])])
    [(first, second)] = resolution.mention_entities["p1"]
    assert (first.pref_label, second.pref_label) == ("CIFAR-10", "CIFAR-100")
    assert first.broader == second.broader == "cifar"


def test_a_long_form_written_once_does_not_name_a_well_known_short_form():
    from kg.resolve.entity import Entity

    entity = Entity(key="imagenet")
    entity.surface_forms.update({"ImageNet": 120, "image generation on ILSVRC2012": 0})
    entity.long_forms["image generation on ILSVRC2012"] = 1
    assert entity.pref_label == "ImageNet"
    entity.long_forms["image generation on ILSVRC2012"] = 12
    assert entity.pref_label == "image generation on ILSVRC2012"


def test_a_phrase_spread_over_many_papers_that_the_extractor_doubts_is_no_entity():
    def paper(i: int) -> Paper:
        return Paper(id=f"p{i}", title="T", abstract="We use neural networks and BERT.")

    def mention(text: str, confidence: float) -> Mention:
        start = "T\n\nWe use neural networks and BERT.".index(text) - 3
        return Mention(
            text, Label.METHOD, "abstract", start, start + len(text), "s", confidence, "model"
        )

    records = [
        (paper(i), [mention("neural networks", 0.4), mention("BERT", 0.95)]) for i in range(12)
    ]
    resolution = resolve(records)
    assert "bert" in resolution.entities and "neural network" not in resolution.entities
    assert all(len(r[0]) == 0 and len(r[1]) == 1 for r in resolution.mention_entities.values())
    # The same doubt in a few papers is not spread enough to decide.
    assert "neural network" in resolve(records[:3]).entities
    # A phrase the extractor hardly believes in goes in fewer papers; in two it may be a name.
    doubted = [(paper(i), [mention("neural networks", 0.2)]) for i in range(3)]
    assert "neural network" not in resolve(doubted).entities
    assert "neural network" in resolve(doubted[:2]).entities


@pytest.mark.parametrize(("a", "b"), [("Atlas", "Atla"), ("UN talks", "untalk"), ("loss", "los")])
def test_words_that_only_look_like_variants_keep_their_key(a, b):
    assert canonical_key(a) != canonical_key(b)


def test_a_name_with_a_kind_word_is_the_name():
    resolution = resolve(
        [
            (paper("p1"), [mention("Transformer")]),
            (paper("p2"), [mention("Transformer models"), mention("language model", start=30)]),
            (paper("p3"), [mention("language models")]),
        ]
    )
    entities = resolution.entities
    assert "transformer model" not in entities
    assert entities["transformer"].papers == {"p1", "p2"}
    assert entities["transformer"].pref_label == "Transformer"
    assert "Transformer models" in entities["transformer"].alt_labels
    [(first,), (second,)] = resolution.mention_entities["p2"]
    assert first is entities["transformer"] and second.key == "language model"
    # A lower-case phrase keeps its kind word: there is no "language" method to fold it into.
    assert "language" not in entities
