"""What a paper proposes (kg.nlp.roles.proposed_flags): "we propose X", "X, a novel ...",
"called X", a title opening with "X:"; not a method merely used or compared against."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from kg.ingest.paper import Paper
from kg.nlp.mention import Label, Mention
from kg.nlp.roles import proposed_flags

M, D, T, X = Label.METHOD, Label.DATASET, Label.TASK, Label.METRIC


def flags(
    abstract: str,
    named: Sequence[tuple[str, Label]],
    *,
    title: str = "A study of invented systems",
    title_named: Sequence[tuple[str, Label]] = (),
) -> dict[str, bool]:
    """The proposed flag of each named surface, the mentions located by ``str.find``."""
    mentions = []
    for text, label in named:
        start = abstract.find(text)
        assert start >= 0, text
        mentions.append(
            Mention(text, label, "abstract", start, start + len(text), abstract, 0.9, "test")
        )
    for text, label in title_named:
        start = title.find(text)
        assert start >= 0, text
        mentions.append(Mention(text, label, "title", start, start + len(text), title, 0.9, "test"))
    paper = Paper(id="test:roles", title=title, abstract=abstract)
    result = proposed_flags(paper, mentions)
    assert len(result) == len(mentions)
    return {m.text: own for m, own in zip(mentions, result, strict=True)}


@pytest.mark.parametrize(
    "abstract",
    [
        "We propose Zorbix for owl detection on NightBirds.",
        "In this paper, we introduce Zorbix for owl detection on NightBirds.",
        "This work presents Zorbix for owl detection on NightBirds.",
        "We further develop Zorbix for owl detection on NightBirds.",
    ],
)
def test_the_first_name_after_we_propose_is_proposed_and_later_ones_are_not(abstract):
    assert flags(abstract, [("Zorbix", M), ("owl detection", T), ("NightBirds", D)]) == {
        "Zorbix": True,
        "owl detection": False,
        "NightBirds": False,
    }


def test_a_proposed_dataset_counts_and_a_task_or_metric_never_does():
    abstract = "We release NightBirds, a benchmark for owl detection scored by recall."
    assert flags(abstract, [("owl detection", T), ("NightBirds", D), ("recall", X)]) == {
        "owl detection": False,
        "NightBirds": True,
        "recall": False,
    }
    assert flags("We propose owl detection at night.", [("owl detection", T)]) == {
        "owl detection": False
    }


@pytest.mark.parametrize("after", [", a novel", " (a new", ", a simple"])
def test_a_name_followed_by_a_novel_is_proposed(after):
    abstract = f"Owl detection is hard. Zorbix{after} network, counts owls with ResNet-50."
    assert flags(abstract, [("Zorbix", M), ("ResNet-50", M)]) == {
        "Zorbix": True,
        "ResNet-50": False,
    }


def test_a_name_introduced_by_called_is_proposed():
    abstract = "Owl detection is hard. A network called Zorbix counts owls better than ResNet-50."
    assert flags(abstract, [("Zorbix", M), ("ResNet-50", M)]) == {
        "Zorbix": True,
        "ResNet-50": False,
    }


def test_the_name_a_title_opens_with_before_a_colon_is_proposed():
    title = "Zorbix: Counting Owls with ResNet-50"
    got = flags(
        "Owl detection is hard.",
        [],
        title=title,
        title_named=[("Zorbix", M), ("ResNet-50", M)],
    )
    assert got == {"Zorbix": True, "ResNet-50": False}


@pytest.mark.parametrize(
    "title",
    ["Zorbix Counts Owls: A Study", "Scaling Zorbix: Counting Owls", "Zorbix for Counting Owls"],
)
def test_a_title_name_not_opening_a_title_before_its_colon_is_not_proposed(title):
    assert flags("Owl detection is hard.", [], title=title, title_named=[("Zorbix", M)]) == {
        "Zorbix": False
    }


@pytest.mark.parametrize(
    "abstract",
    [
        "We use ResNet-50 as the backbone and train on NightBirds.",
        "We compare against ResNet-50 on NightBirds.",
        "Following prior work, we adopt ResNet-50 and evaluate on NightBirds.",
        "ResNet-50 is a strong baseline on NightBirds.",
    ],
)
def test_a_method_merely_used_or_compared_against_is_not_proposed(abstract):
    assert flags(abstract, [("ResNet-50", M), ("NightBirds", D)]) == {
        "ResNet-50": False,
        "NightBirds": False,
    }


def test_we_propose_does_not_reach_past_its_sentence():
    abstract = "We propose a simple change to the loss. ResNet-50 then improves on NightBirds."
    assert flags(abstract, [("ResNet-50", M), ("NightBirds", D)]) == {
        "ResNet-50": False,
        "NightBirds": False,
    }


def test_we_propose_does_not_reach_a_name_far_after_it():
    abstract = (
        "We propose to revisit how the training schedule, the augmentations, the optimiser and "
        "the many other small choices interact with ResNet-50 when counting owls"
    )
    assert flags(abstract, [("ResNet-50", M)]) == {"ResNet-50": False}
