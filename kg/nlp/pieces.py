"""Texts longer than a pipeline reads at once (spaCy's ``nlp.max_length``), run in pieces cut
at paragraph or sentence ends, so that a huge abstract is extracted rather than refused.

>>> text_pieces("One. Two. Three.", limit=10)
[(0, 'One. Two. '), (10, 'Three.')]
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import replace
from itertools import groupby
from typing import TypeVar

from spacy.language import Language
from spacy.tokens import Doc

from kg.nlp.mention import Mention

__all__ = ["pipe_in_pieces", "share_abbreviations", "text_pieces"]

Context = TypeVar("Context")

# Where a piece may end, best first: after a blank line, after a sentence, after any space.
_BOUNDARIES = (
    re.compile(r"\n[ \t]*\n\s*"),
    re.compile(r"[.!?][\"')\]]?\s+"),
    re.compile(r"\s+"),
)


def text_pieces(text: str, *, limit: int) -> list[tuple[int, str]]:
    """``text`` as (offset, piece) pairs, each piece at most ``limit`` characters, that join
    up to the whole text.

    A piece ends at the last paragraph break in the second half of its window, else at the
    last sentence end there, else at the last space; a text with none of them (a run of
    ``limit`` characters without a space) is cut at the limit.
    """
    if limit < 1:
        raise ValueError(f"a piece must hold at least one character, not {limit}")
    pieces = []
    start = 0
    while len(text) - start > limit:
        end = _piece_end(text, start, start + limit)
        pieces.append((start, text[start:end]))
        start = end
    pieces.append((start, text[start:]))
    return pieces


def _piece_end(text: str, start: int, limit: int) -> int:
    floor = start + max((limit - start) // 2, 1)
    for boundary in _BOUNDARIES:
        end = None
        for found in boundary.finditer(text, floor, limit):
            end = found.end()
        if end is not None:
            return end
    return limit


def pipe_in_pieces(
    nlp: Language,
    texts: Iterable[tuple[str, Context]],
    *,
    batch_size: int,
) -> Iterator[tuple[Doc, Context, int, bool]]:
    """``nlp.pipe`` over (text, context) pairs, where a text longer than ``nlp.max_length``
    goes through in pieces (:func:`text_pieces`).

    Yields (doc, context, offset, last) for each piece in order: ``offset`` is where the
    doc's text starts in the whole text, ``last`` whether it is the text's last piece. A text
    that fits is one piece at offset 0.
    """
    limit = nlp.max_length
    # A pipeline's memory grows with the characters of a batch, so the pieces of a long text
    # go through one at a time, between batches of the texts that fit.
    for long, run in groupby(texts, key=lambda pair: len(pair[0]) > limit):
        if not long:
            for doc, context in nlp.pipe(run, as_tuples=True, batch_size=batch_size):
                yield doc, context, 0, True
            continue
        for text, context in run:
            cut = text_pieces(text, limit=limit)
            for i, (offset, piece) in enumerate(cut):
                yield nlp(piece), context, offset, i == len(cut) - 1


def share_abbreviations(mentions: list[Mention]) -> list[Mention]:
    """``mentions`` of one text run in pieces, where a short form defined in one piece
    ("Diffusion Transformer (DiT)") gives its long form, type, confidence and component to
    its uses in the others, as it does to its uses in the same piece."""
    defined: dict[str, Mention] = {}
    for mention in mentions:
        if mention.long_form is not None:
            defined.setdefault(mention.text, mention)
    return [
        replace(m, label=d.label, confidence=d.confidence, source=d.source, long_form=d.long_form)
        if m.long_form is None and (d := defined.get(m.text)) is not None
        else m
        for m in mentions
    ]
