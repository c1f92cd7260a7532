from __future__ import annotations

from collections.abc import Sequence

import pytest

from kg.ingest.paper import Paper
from kg.nlp.mention import Label, Mention
from kg.nlp.results import ResultClaim, ResultKind, extract_results

METHOD, DATASET, METRIC = Label.METHOD, Label.DATASET, Label.METRIC


def build(
    sentences: list[str],
    specs: Sequence[tuple[str, Label] | tuple[str, Label, int]],
    *,
    title: str = "A study of invented systems",
    title_specs: Sequence[tuple[str, Label]] = (),
) -> tuple[Paper, list[Mention]]:
    """A paper whose abstract is ``sentences`` joined by spaces, and mentions located by
    ``str.find`` (the optional third item picks the n-th occurrence)."""
    abstract = " ".join(sentences)
    bounds = []
    position = 0
    for sentence in sentences:
        bounds.append((position, position + len(sentence), sentence))
        position += len(sentence) + 1
    mentions = []
    for spec in specs:
        text, label = spec[0], spec[1]
        nth = spec[2] if len(spec) == 3 else 0
        start = -1
        for _ in range(nth + 1):
            start = abstract.find(text, start + 1)
        assert start >= 0, text
        sentence = next(s for a, b, s in bounds if a <= start < b)
        mentions.append(
            Mention(text, label, "abstract", start, start + len(text), sentence, 0.9, "test")
        )
    for text, label in title_specs:
        start = title.find(text)
        mentions.append(Mention(text, label, "title", start, start + len(text), title, 0.9, "test"))
    return Paper(id="test:1", title=title, abstract=abstract), mentions


def named(mentions: list[Mention], *names: str) -> list[Mention]:
    return [next(m for m in mentions if m.text == name) for name in names]


def only(claims: list[ResultClaim]) -> ResultClaim:
    assert len(claims) == 1, claims
    return claims[0]


def summary(claim: ResultClaim) -> tuple:
    return (
        claim.kind,
        claim.value,
        claim.unit,
        claim.text,
        claim.direction,
        claim.method.text if claim.method else None,
        claim.dataset.text if claim.dataset else None,
        claim.metric.text if claim.metric else None,
    )


def test_score_with_metric_after_number() -> None:
    paper, mentions = build(
        ["Zorbix reaches 51.2% mAP on AudioNest-2M."],
        [("Zorbix", METHOD), ("mAP", METRIC), ("AudioNest-2M", DATASET)],
    )
    assert summary(only(extract_results(paper, mentions))) == (
        ResultKind.SCORE, 51.2, "%", "51.2%", None, "Zorbix", "AudioNest-2M", "mAP"
    )  # fmt: skip


def test_score_with_metric_before_number() -> None:
    paper, mentions = build(
        ["On the FooCOCO benchmark, Zorbix obtains an AP of 66.0 with a single model."],
        [("FooCOCO", DATASET), ("Zorbix", METHOD), ("AP", METRIC)],
    )
    assert summary(only(extract_results(paper, mentions))) == (
        ResultKind.SCORE, 66.0, None, "66.0", None, "Zorbix", "FooCOCO", "AP"
    )  # fmt: skip


def test_two_scores_pair_with_their_own_metric_and_dataset() -> None:
    paper, mentions = build(
        ["Zorbix reaches 51.2% mAP on AudioNest-2M and 97.3% accuracy on ESC-40."],
        [
            ("Zorbix", METHOD),
            ("mAP", METRIC),
            ("AudioNest-2M", DATASET),
            ("accuracy", METRIC),
            ("ESC-40", DATASET),
        ],
    )
    claims = extract_results(paper, mentions)
    assert [(c.value, c.metric.text, c.dataset.text, c.method.text) for c in claims] == [
        (51.2, "mAP", "AudioNest-2M", "Zorbix"),
        (97.3, "accuracy", "ESC-40", "Zorbix"),
    ]
    assert {c.kind for c in claims} == {ResultKind.SCORE}


def test_listed_scores_take_listed_datasets_respectively() -> None:
    paper, mentions = build(
        ["Zorbix attains 91.2% and 89.5% accuracy on FooBench and BarBench, respectively."],
        [("Zorbix", METHOD), ("accuracy", METRIC), ("FooBench", DATASET), ("BarBench", DATASET)],
    )
    claims = extract_results(paper, mentions)
    assert [(c.value, c.metric.text, c.dataset.text) for c in claims] == [
        (91.2, "accuracy", "FooBench"),
        (89.5, "accuracy", "BarBench"),
    ]


@pytest.mark.parametrize(
    ("sentence", "specs", "expected"),
    [
        (
            "Adding the memory bank to Zorbix yields +2.4% accuracy on QuuxQA.",
            [("Zorbix", METHOD), ("accuracy", METRIC), ("QuuxQA", DATASET)],
            (2.4, "%", "+2.4%", "increase", "Zorbix", "QuuxQA", "accuracy"),
        ),
        (
            "Zorbix lowers WER by 9% relative on LibriVoice.",
            [("Zorbix", METHOD), ("WER", METRIC), ("LibriVoice", DATASET)],
            (9.0, "%", "9%", "decrease", "Zorbix", "LibriVoice", "WER"),
        ),
        (
            "Zorbix decodes 3.5× faster than BarNet.",
            [("Zorbix", METHOD), ("BarNet", METHOD)],
            (3.5, "x", "3.5×", "increase", "Zorbix", None, None),
        ),
        (
            "Zorbix needs 12x fewer parameters than BarNet.",
            [("Zorbix", METHOD), ("BarNet", METHOD)],
            (12.0, "x", "12x", "decrease", "Zorbix", None, None),
        ),
        (
            "Zorbix lowers FID from 21.4 to 18.9 on PixelPets.",
            [("Zorbix", METHOD), ("FID", METRIC), ("PixelPets", DATASET)],
            (2.5, None, "from 21.4 to 18.9", "decrease", "Zorbix", "PixelPets", "FID"),
        ),
        (
            "Zorbix raises recall from 70% to 75.5% on TinyDocs.",
            [("Zorbix", METHOD), ("recall", METRIC), ("TinyDocs", DATASET)],
            (5.5, "%", "from 70% to 75.5%", "increase", "Zorbix", "TinyDocs", "recall"),
        ),
        (
            "Zorbix improves over BarNet by 4.1 F1 points on the TinyNER corpus.",
            [("Zorbix", METHOD), ("BarNet", METHOD), ("F1", METRIC), ("TinyNER", DATASET)],
            (4.1, "points", "4.1", "increase", "Zorbix", "TinyNER", "F1"),
        ),
        (
            "Zorbix outperforms BarNet by 1.3 BLEU on the WidgetMT test set.",
            [("Zorbix", METHOD), ("BarNet", METHOD), ("BLEU", METRIC), ("WidgetMT", DATASET)],
            (1.3, None, "1.3", "increase", "Zorbix", "WidgetMT", "BLEU"),
        ),
        (
            "Zorbix gives a 2.4% absolute improvement in accuracy over BarNet.",
            [("Zorbix", METHOD), ("accuracy", METRIC), ("BarNet", METHOD)],
            (2.4, "%", "2.4%", "increase", "Zorbix", None, "accuracy"),
        ),
        (
            "Zorbix brings gains of 2-5% in accuracy over BarNet.",
            [("Zorbix", METHOD), ("accuracy", METRIC), ("BarNet", METHOD)],
            (5.0, "%", "2-5%", "increase", "Zorbix", None, "accuracy"),
        ),
        (
            "Zorbix cuts inference latency by 30% on a single device.",
            [("Zorbix", METHOD), ("latency", METRIC)],
            (30.0, "%", "30%", "decrease", "Zorbix", None, "latency"),
        ),
    ],
)
def test_relative_claims(sentence: str, specs: list[tuple[str, Label]], expected: tuple) -> None:
    paper, mentions = build([sentence], specs)
    claim = only(extract_results(paper, mentions))
    assert claim.kind is ResultKind.RELATIVE
    assert summary(claim)[1:] == expected


def test_relative_and_score_in_one_sentence() -> None:
    paper, mentions = build(
        ["Zorbix achieves 85.2% top-1 accuracy on ImageLand, 2.1% higher than BarNet."],
        [("Zorbix", METHOD), ("accuracy", METRIC), ("ImageLand", DATASET), ("BarNet", METHOD)],
    )
    score, gain = extract_results(paper, mentions)
    assert (score.kind, score.value, score.metric.text) == (ResultKind.SCORE, 85.2, "accuracy")
    assert (gain.kind, gain.value, gain.direction) == (ResultKind.RELATIVE, 2.1, "increase")
    assert gain.method is not None and gain.method.text == "Zorbix"


def test_own_method_is_credited_for_our_model() -> None:
    paper, mentions = build(
        [
            "We introduce Zorbix, a recurrent tagger.",
            "Our model reaches 88.0% accuracy on FooBench.",
            "It also runs 4x faster than BarNet.",
        ],
        [("Zorbix", METHOD), ("accuracy", METRIC), ("FooBench", DATASET), ("BarNet", METHOD)],
    )
    (proposed,) = named(mentions, "Zorbix")
    score, speed = extract_results(paper, mentions, proposed=proposed)
    assert score.method is proposed
    assert speed.method is proposed
    # Without a proposed method there is no one to credit.
    assert [c.method for c in extract_results(paper, mentions)] == [None, None]


def test_a_sentence_without_mentions_still_states_a_change() -> None:
    paper, mentions = build(
        ["We introduce Zorbix, a recurrent tagger.", "Decoding becomes 4x faster."],
        [("Zorbix", METHOD)],
    )
    (proposed,) = named(mentions, "Zorbix")
    claim = only(extract_results(paper, mentions, proposed=proposed))
    assert (claim.text, claim.sentence, claim.method) == (
        "4x",
        "Decoding becomes 4x faster.",
        proposed,
    )


def test_other_work_as_subject_is_not_credited_to_the_paper() -> None:
    paper, mentions = build(
        ["Prior methods reach only 61.0% accuracy on HardSet."],
        [("accuracy", METRIC), ("HardSet", DATASET)],
    )
    proposed = Mention("Zorbix", METHOD, "title", 0, 6, "Zorbix", 0.9, "test")
    claim = only(extract_results(paper, mentions, proposed=proposed))
    assert (claim.kind, claim.value, claim.method) == (ResultKind.SCORE, 61.0, None)


def test_baseline_after_comparison_is_not_the_subject() -> None:
    paper, mentions = build(
        ["Compared with BarNet, our approach achieves 2.4% higher accuracy."],
        [("BarNet", METHOD), ("accuracy", METRIC)],
    )
    proposed = Mention("Zorbix", METHOD, "title", 0, 6, "Zorbix", 0.9, "test")
    claim = only(extract_results(paper, mentions, proposed=proposed))
    assert claim.method is proposed


@pytest.mark.parametrize(
    ("sentence", "specs"),
    [
        # years and model sizes
        (
            "Zorbix matches the accuracy of 2023 systems.",
            [("Zorbix", METHOD), ("accuracy", METRIC)],
        ),
        ("Released in 2023, the 7B model keeps high accuracy.", [("accuracy", METRIC)]),
        ("The 1.5M-parameter variant keeps 32 experts and high accuracy.", [("accuracy", METRIC)]),
        # counts of things
        ("The corpus holds 8,000 images and 12 classes rated by accuracy.", [("accuracy", METRIC)]),
        ("We train 3 heads over 2 datasets and report accuracy.", [("accuracy", METRIC)]),
        # a share of model parts, not a result
        ("Pruning 50%-90% of the attention heads preserves accuracy.", [("accuracy", METRIC)]),
        # names, versions and dimensions
        (
            "ResNet-50 and GPT-4 are compared on CIFAR-10 by Top-1 accuracy in 3D scenes.",
            [("ResNet-50", METHOD), ("GPT-4", METHOD), ("CIFAR-10", DATASET), ("accuracy", METRIC)],
        ),
        (
            "Zorbix v2.1 crops 224×224 patches and reports accuracy.",
            [("Zorbix", METHOD), ("accuracy", METRIC)],
        ),
        # numbers inside mentions
        (
            "Zorbix is tuned on Wiki Trek 103 accuracy and speed.",
            [("Zorbix", METHOD), ("Wiki Trek 103", DATASET), ("accuracy", METRIC)],
        ),
        (
            "Zorbix is pre-trained on VoxTalk2 and AudioNest-2M and scored by ESC-50 accuracy.",
            [
                ("Zorbix", METHOD),
                ("VoxTalk2", DATASET),
                ("AudioNest-2M", DATASET),
                ("ESC-50 accuracy", METRIC),
            ],
        ),
        # references, variables, spreads
        (
            "Table 2 accuracy and Section 3 F1 are given as in [12].",
            [("accuracy", METRIC), ("F1", METRIC)],
        ),
        ("With k = 5 accuracy stays flat.", [("accuracy", METRIC)]),
        ("Zorbix scores 91.2 ± 0.4 without any metric named.", [("Zorbix", METHOD)]),
        # a span of values, not a change
        (
            "Accuracy ranges from 60% to 70% across the seeds.",
            [("Accuracy", METRIC)],
        ),
        # a change of something that is no metric
        ("The encoder grows from 12 to 24 blocks while accuracy holds.", [("accuracy", METRIC)]),
        # "by" with nothing measured
        ("Each block is followed by 3 layers to keep accuracy.", [("accuracy", METRIC)]),
    ],
)
def test_numbers_that_are_not_results(sentence: str, specs: list[tuple[str, Label]]) -> None:
    paper, mentions = build([sentence], specs)
    assert [c.text for c in extract_results(paper, mentions)] == []


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        # the metric in a phrase after the number, governed by "achieves"
        ("Zorbix achieves 85.2% on ImageLand in top-1 accuracy.", [(85.2, "accuracy")]),
        # the metric before the number, across the dataset
        ("Zorbix achieves an accuracy on ImageLand of 85.2%.", [(85.2, "accuracy")]),
        # the spread is no score of its own
        ("Zorbix reaches 91.2 ± 0.4 accuracy on ImageLand.", [(91.2, "accuracy")]),
        # a number that counts a noun does not borrow a later metric
        ("Zorbix reaches 90% sparsity at equal accuracy on ImageLand.", []),
        ("Zorbix reaches 50-90% sparsity at equal accuracy on ImageLand.", []),
        # a range is a score only with its metric next to it
        ("Zorbix reaches 50-90% on ImageLand in accuracy.", []),
        ("Zorbix reaches 50-90% accuracy on ImageLand.", [(90.0, "accuracy")]),
    ],
)
def test_score_governed_by_a_verb(sentence: str, expected: list[tuple[float, str]]) -> None:
    paper, mentions = build(
        [sentence], [("Zorbix", METHOD), ("ImageLand", DATASET), ("accuracy", METRIC)]
    )
    claims = extract_results(paper, mentions)
    assert [(c.value, c.metric.text) for c in claims] == expected
    assert all(c.kind is ResultKind.SCORE and c.dataset is not None for c in claims)


def test_no_metric_no_score() -> None:
    paper, mentions = build(
        [
            "Zorbix reaches 51.2% on AudioNest-2M.",
            "Zorbix reaches 51.2 on AudioNest-2M, while BarNet optimises accuracy.",
        ],
        [
            ("Zorbix", METHOD),
            ("AudioNest-2M", DATASET),
            ("Zorbix", METHOD, 1),
            ("AudioNest-2M", DATASET, 1),
            ("BarNet", METHOD),
            ("accuracy", METRIC),
        ],
    )
    assert extract_results(paper, mentions) == []


def test_offsets_point_at_the_text_in_each_field() -> None:
    sentence = "Zorbix reaches 51.2% mAP on AudioNest-2M."
    paper, mentions = build(
        ["We study tagging.", sentence, "Other work is slower.", sentence],
        [
            ("Zorbix", METHOD),
            ("mAP", METRIC),
            ("AudioNest-2M", DATASET),
            ("Zorbix", METHOD, 1),
            ("mAP", METRIC, 1),
            ("AudioNest-2M", DATASET, 1),
        ],
        title="Zorbix: 3x Faster Tagging",
        title_specs=[("Zorbix", METHOD)],
    )
    claims = extract_results(paper, mentions)
    assert [(c.field, c.start, c.text) for c in claims] == [
        ("title", 8, "3x"),
        ("abstract", 33, "51.2%"),
        ("abstract", 97, "51.2%"),
    ]
    for claim in claims:
        assert getattr(paper, claim.field)[claim.start : claim.end] == claim.text
    # Each repeated sentence keeps its own mentions.
    assert [c.dataset.start for c in claims[1:]] == [
        paper.abstract.find("AudioNest-2M"),
        paper.abstract.rfind("AudioNest-2M"),
    ]
    assert claims[0].direction == "increase" and claims[0].sentence == paper.title


def test_negative_score_keeps_its_sign() -> None:
    paper, mentions = build(
        ["Zorbix attains a log-likelihood of -1.3 on HeldOut."],
        [("Zorbix", METHOD), ("log-likelihood", METRIC), ("HeldOut", DATASET)],
    )
    claim = only(extract_results(paper, mentions))
    assert (claim.kind, claim.value, claim.direction) == (ResultKind.SCORE, -1.3, None)


def test_minus_sign_is_a_drop() -> None:
    paper, mentions = build(
        ["Removing the adapter costs -1.8 BLEU on WidgetMT."],
        [("BLEU", METRIC), ("WidgetMT", DATASET)],
    )
    claim = only(extract_results(paper, mentions))
    assert (claim.kind, claim.value, claim.text, claim.direction) == (
        ResultKind.RELATIVE,
        1.8,
        "-1.8",
        "decrease",
    )


def test_clause_that_opens_with_its_dataset() -> None:
    paper, mentions = build(
        ["On Quokka-Set, Trellis reaches 47.9% mAP, and on Wombat-9 it reaches 95.2% accuracy."],
        [
            ("Quokka-Set", Label.DATASET),
            ("Trellis", Label.METHOD),
            ("mAP", Label.METRIC),
            ("Wombat-9", Label.DATASET),
            ("accuracy", Label.METRIC),
        ],
    )
    claims = extract_results(paper, mentions)
    assert [(c.text, c.dataset.text if c.dataset else None) for c in claims] == [
        ("47.9%", "Quokka-Set"),
        ("95.2%", "Wombat-9"),
    ]
