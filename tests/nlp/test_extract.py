from __future__ import annotations

import pytest

from kg.ingest.paper import Paper
from kg.nlp import SpacyExtractor
from kg.nlp.extract import paper_text

PAPERS = [
    Paper(
        id=f"x:{i}",
        title=f"Owl Detection with Gloom Transformers {i}",
        abstract=f"We propose the Gloom Transformer (GT) for owl detection. GT reaches "
        f"{50 + i}.5% mAP on the NightBirds dataset, and GT runs at night.",
    )
    for i in range(40)
]


@pytest.fixture(scope="module")
def extractor():
    return SpacyExtractor.create("rules")


def test_offsets_point_into_title_and_abstract(extractor):
    for paper, mentions in extractor.extract(PAPERS[:3]):
        assert {m.field for m in mentions} == {"title", "abstract"}
        for m in mentions:
            assert getattr(paper, m.field)[m.start : m.end] == m.text
            assert m.text in m.sentence


def test_abbreviation_gives_every_use_the_long_form_type(extractor):
    [(paper, mentions)] = list(extractor.extract(PAPERS[:1]))
    uses = [m for m in mentions if m.text == "GT"]
    assert len(uses) == 3
    assert {(m.label.value, m.long_form, m.source) for m in uses} == {
        ("METHOD", "Gloom Transformer", "abbreviation")
    }


def test_min_confidence_drops_weak_mentions():
    strict = SpacyExtractor.create("rules", min_confidence=0.8)
    [(_, mentions)] = list(strict.extract(PAPERS[:1]))
    assert mentions and all(m.confidence >= 0.8 for m in mentions)
    [(_, everything)] = list(SpacyExtractor.create("rules").extract(PAPERS[:1]))
    assert len(everything) > len(mentions)


def test_processes_give_the_same_mentions_in_order(extractor):
    one = [(p.id, ms) for p, ms in extractor.extract(PAPERS, n_process=1, batch_size=8)]
    two = [(p.id, ms) for p, ms in extractor.extract(PAPERS, n_process=2, batch_size=8)]
    assert [pid for pid, _ in two] == [p.id for p in PAPERS]
    assert one == two


def test_paper_text_keeps_title_apart():
    assert paper_text(PAPERS[0]).startswith(PAPERS[0].title + "\n\n")
