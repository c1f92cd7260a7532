"""Abbreviation detection: pairs like "Diffusion Transformer (DiT)" and every later "DiT".

Implements the algorithm of Schwartz & Hearst (2003), "A simple algorithm for identifying
abbreviation definitions in biomedical text", on spaCy tokens.
"""

from __future__ import annotations

from dataclasses import dataclass

from spacy.language import Language
from spacy.tokens import Doc, Span

_MAX_SHORT_TOKENS = 3
_MAX_SHORT_CHARS = 12


@dataclass(frozen=True, slots=True)
class Abbreviation:
    """A short form defined in a document, its long form, and every place the short form occurs."""

    short: Span
    long: Span
    occurrences: tuple[Span, ...]


def is_short_form(span: Span) -> bool:
    """Whether a bracketed span can be an abbreviation: 1-3 tokens, 2-12 chars, starts alphanumeric,
    and has at least one upper-case letter or digit after its first character."""
    text = span.text
    if not 1 <= len(span) <= _MAX_SHORT_TOKENS or not 2 <= len(text) <= _MAX_SHORT_CHARS:
        return False
    if not text[0].isalnum() or not any(ch.isalpha() for ch in text):
        return False
    return any(ch.isupper() or ch.isdigit() for ch in text[1:]) or text.isupper()


def find_long_form(short: str, candidate: str) -> int | None:
    """The offset in ``candidate`` where the long form of ``short`` starts, or None.

    Walks both strings right to left: every character of the short form must be found in the
    candidate, and its first character must start a word of the candidate (Schwartz & Hearst).

    >>> find_long_form("DiT", "a Diffusion Transformer")
    2
    >>> find_long_form("HPE", "image captioning") is None
    True
    """
    s_index = len(short) - 1
    l_index = len(candidate) - 1
    while s_index >= 0:
        char = short[s_index].lower()
        if not char.isalnum():
            s_index -= 1
            continue
        while l_index >= 0 and (
            candidate[l_index].lower() != char
            or (s_index == 0 and l_index > 0 and candidate[l_index - 1].isalnum())
        ):
            l_index -= 1
        if l_index < 0:
            return None
        l_index -= 1
        s_index -= 1
    start = candidate.rfind(" ", 0, l_index + 1) + 1
    return start


def _long_form_window(doc: Doc, open_paren: int, short: Span) -> Span | None:
    """The tokens before the bracket that may hold the long form: at most min(|A| + 5, |A| * 2)
    words, stopping at the sentence start or at a bracket, colon or semicolon."""
    max_words = min(len(short.text) + 5, len(short.text) * 2)
    start = open_paren
    sent_start = doc[open_paren].sent.start if doc.has_annotation("SENT_START") else 0
    while start > sent_start and open_paren - start < max_words:
        prev = doc[start - 1]
        if prev.text in {"(", ")", "[", "]", ":", ";"} or "\n" in prev.text:
            break
        start -= 1
    return doc[start:open_paren] if start < open_paren else None


def _span_from_char(window: Span, char_offset: int) -> Span | None:
    """The sub-span of ``window`` from the token holding ``char_offset`` (window-relative)."""
    target = window.start_char + char_offset
    for token in window:
        if token.idx <= target < token.idx + len(token.text):
            return window.doc[token.i : window.end]
    return None


def find_abbreviation_pairs(doc: Doc) -> list[tuple[Span, Span]]:
    """All (short, long) definitions "long form (SF)" in the document, first definition wins."""
    pairs: list[tuple[Span, Span]] = []
    seen: set[str] = set()
    for token in doc:
        if token.text != "(":
            continue
        close = next(
            (t.i for t in doc[token.i + 1 : token.i + 2 + _MAX_SHORT_TOKENS] if t.text == ")"),
            None,
        )
        if close is None or close == token.i + 1:
            continue
        short = doc[token.i + 1 : close]
        if short.text in seen or not is_short_form(short):
            continue
        window = _long_form_window(doc, token.i, short)
        if window is None:
            continue
        offset = find_long_form(short.text, window.text)
        if offset is None:
            continue
        long = _span_from_char(window, offset)
        # A long form no longer than its short form is a coincidence, not a definition.
        if (
            long is None
            or len(long.text) <= len(short.text)
            or len(long) < 2
            and "-" not in long.text
        ):
            continue
        seen.add(short.text)
        pairs.append((short, long))
    return pairs


def _inside_longer_name(doc: Doc, start: int, end: int) -> bool:
    """Whether tokens start..end are written together with a neighbour ("DiT" in "DiT-XL")."""
    before = start > 0 and doc[start - 1].whitespace_ == "" and not doc[start - 1].is_punct
    joined_before = (
        start > 1 and doc[start - 1].text in {"-", "/"} and doc[start - 2].whitespace_ == ""
    )
    after = (
        end < len(doc)
        and doc[end - 1].whitespace_ == ""
        and (doc[end].text in {"-", "/"} and end + 1 < len(doc) and doc[end].whitespace_ == "")
    )
    return bool(before or joined_before or after)


def find_occurrences(doc: Doc, short: Span) -> tuple[Span, ...]:
    """Every span of the document whose tokens spell the short form, case-sensitively, and that
    is not part of a longer name written together with it."""
    words = [t.text for t in short]
    n = len(words)
    return tuple(
        doc[i : i + n]
        for i in range(len(doc) - n + 1)
        if doc[i].text == words[0]
        and [t.text for t in doc[i : i + n]] == words
        and not _inside_longer_name(doc, i, i + n)
    )


_USER_DATA_KEY = "paperkg_abbreviations"


def _abbreviations_of(doc: Doc) -> list[Abbreviation]:
    # Token indices live in doc.user_data so that docs cross process boundaries intact.
    return [
        Abbreviation(
            short=doc[short[0] : short[1]],
            long=doc[long[0] : long[1]],
            occurrences=tuple(doc[start:end] for start, end in uses),
        )
        for short, long, uses in doc.user_data.get(_USER_DATA_KEY, [])
    ]


class AbbreviationDetector:
    """Finds abbreviation definitions and their uses.

    Sets ``doc._.abbreviations`` (read-only): a list of :class:`Abbreviation`, one per short
    form defined in the document, with every occurrence of that short form (the definition
    included). Algorithm: Schwartz & Hearst (2003), for the "long form (short form)" pattern.
    """

    def __init__(self, nlp: Language, name: str = "paperkg_abbreviations") -> None:
        self.name = name
        if not Doc.has_extension("abbreviations"):
            Doc.set_extension("abbreviations", getter=_abbreviations_of)

    def __call__(self, doc: Doc) -> Doc:
        doc.user_data[_USER_DATA_KEY] = [
            (
                (short.start, short.end),
                (long.start, long.end),
                [(o.start, o.end) for o in find_occurrences(doc, short)],
            )
            for short, long in find_abbreviation_pairs(doc)
        ]
        return doc


@Language.factory("paperkg_abbreviations", assigns=["doc._.abbreviations"])
def make_abbreviation_detector(nlp: Language, name: str) -> AbbreviationDetector:
    return AbbreviationDetector(nlp, name)
