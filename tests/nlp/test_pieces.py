"""Texts longer than the pipeline reads at once: where they are cut, and that extraction over
the pieces finds what it finds in the whole text, at the same offsets."""

from __future__ import annotations

import logging

import pytest

from kg.ingest.paper import Paper
from kg.nlp import SpacyExtractor
from kg.nlp.analysis import analyse
from kg.nlp.extract import paper_text
from kg.nlp.mention import Mention
from kg.nlp.pieces import text_pieces

LIMIT = 300

LONG = Paper(
    id="x:long",
    title="Owl Detection with Gloom Transformers",
    abstract="We propose the Gloom Transformer (GT) for owl detection. "
    + " ".join(
        f"GT reaches {50 + i}.5% mAP on the NightBirds dataset, and GT runs at night with BERT."
        for i in range(12)
    )
    + "\n\nWe also evaluate GT on the OwlSet benchmark." * 3
    + "\n\nGT also serves head pose estimation (HPE), where HPE errors fall by half.",
    source="owls.jsonl:7",
)


@pytest.fixture(scope="module")
def whole():
    return SpacyExtractor.create("rules")


@pytest.fixture(scope="module")
def in_pieces():
    extractor = SpacyExtractor.create("rules")
    extractor.nlp.max_length = LIMIT
    return extractor


@pytest.mark.parametrize(
    ("text", "limit", "expected"),
    [
        ("Aaa bbb.\n\nCcc. Ddd eee", 16, ["Aaa bbb.\n\n", "Ccc. Ddd eee"]),
        ("Aaa. Bbb ccc. Ddd eee fff", 16, ["Aaa. Bbb ccc. ", "Ddd eee fff"]),
        ("Aaa bbb ccc ddd eee fff", 16, ["Aaa bbb ccc ddd ", "eee fff"]),
        ("x" * 25, 10, ["x" * 10, "x" * 10, "x" * 5]),
        ("short", 10, ["short"]),
    ],
    ids=["paragraph", "sentence", "space", "no-space", "fits"],
)
def test_pieces_end_at_the_best_boundary_in_reach(text, limit, expected):
    pieces = text_pieces(text, limit=limit)
    assert [piece for _, piece in pieces] == expected
    assert [offset for offset, _ in pieces] == [
        len("".join(expected[:i])) for i in range(len(expected))
    ]


def test_pieces_join_up_to_the_text_and_keep_to_the_limit():
    text = paper_text(LONG)
    pieces = text_pieces(text, limit=LIMIT)
    assert len(pieces) > 3
    assert "".join(piece for _, piece in pieces) == text
    for offset, piece in pieces:
        assert 0 < len(piece) <= LIMIT
        assert text[offset : offset + len(piece)] == piece


def test_a_limit_below_one_character_is_refused():
    with pytest.raises(ValueError, match="at least one character"):
        text_pieces("text", limit=0)


def test_offsets_of_a_text_in_pieces_point_into_the_paper(in_pieces):
    [(paper, mentions)] = list(in_pieces.extract([LONG]))
    assert len(mentions) > 40
    assert {m.field for m in mentions} == {"title", "abstract"}
    assert max(m.start for m in mentions) > 3 * LIMIT
    for m in mentions:
        assert getattr(paper, m.field)[m.start : m.end] == m.text
        assert m.text in m.sentence


def _named(mention: Mention | None) -> tuple[object, ...] | None:
    """What a mention names and where; the component and confidence may differ in pieces,
    since a piece holds only some of an abbreviation's uses."""
    if mention is None:
        return None
    return (mention.field, mention.start, mention.end, mention.text, mention.label)


def test_a_text_in_pieces_names_what_the_whole_text_names(whole, in_pieces):
    [(_, expected)] = list(whole.extract([LONG]))
    [(_, found)] = list(in_pieces.extract([LONG]))
    assert [(*_named(m), m.long_form) for m in found] == [
        (*_named(m), m.long_form) for m in expected
    ]
    # Roles, results and links read the paper and its mentions, so they agree too.
    split, unsplit = analyse(LONG, found), analyse(LONG, expected)
    assert split.proposed == unsplit.proposed
    assert sum(split.proposed) == 1
    assert len(split.results) == 12
    assert [
        (r.kind, r.value, r.unit, r.start, _named(r.method), _named(r.dataset), _named(r.metric))
        for r in split.results
    ] == [
        (r.kind, r.value, r.unit, r.start, _named(r.method), _named(r.dataset), _named(r.metric))
        for r in unsplit.results
    ]


def test_an_abbreviation_defined_in_one_piece_types_its_uses_in_the_others(in_pieces):
    [(_, mentions)] = list(in_pieces.extract([LONG]))
    uses = [m for m in mentions if m.text == "GT"]
    assert max(m.start for m in uses) > 3 * LIMIT
    assert {(m.label.value, m.long_form, m.source) for m in uses} == {
        ("METHOD", "Gloom Transformer", "abbreviation")
    }


def test_a_split_is_logged_with_the_paper(in_pieces, caplog):
    short = Paper(id="x:short", title="Owls", abstract="We study owl detection.")
    with caplog.at_level(logging.WARNING, logger="kg.nlp"):
        out = list(in_pieces.extract([short, LONG, short]))
    assert [paper.id for paper, _ in out] == ["x:short", "x:long", "x:short"]
    pieces = len(text_pieces(paper_text(LONG), limit=LIMIT))
    assert [r.getMessage() for r in caplog.records] == [
        f"paper x:long (owls.jsonl:7): its title and abstract are {len(paper_text(LONG)):,} "
        f"characters, more than the pipeline reads at once ({LIMIT}); extracting them in "
        f"{pieces} pieces"
    ]


def test_processes_split_long_texts_alike(in_pieces):
    papers = [
        Paper(id=f"x:{i}", title=f"Owls {i}", abstract="We study owl detection on NightBirds.")
        for i in range(5)
    ]
    papers.insert(2, LONG)
    one = list(in_pieces.extract(papers, n_process=1, batch_size=2))
    two = list(in_pieces.extract(papers, n_process=2, batch_size=2))
    assert one == two
    assert [paper.id for paper, _ in two] == [paper.id for paper in papers]


def test_a_text_without_a_single_space_is_cut_in_windows(in_pieces):
    paper = Paper(id="x:run", title="Owls", abstract="GT" + "x" * (3 * LIMIT) + " on NightBirds.")
    [(_, mentions)] = list(in_pieces.extract([paper]))
    for m in mentions:
        assert getattr(paper, m.field)[m.start : m.end] == m.text
