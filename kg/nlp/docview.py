"""A document's text and words as plain Python lists, built once per document.

``Doc.text``, ``Span.text`` and ``doc[i].text`` build a spaCy object for every word they touch;
the stages after the pipeline read the same words many times, so they read them from here.
"""

from __future__ import annotations

from dataclasses import dataclass

from spacy.tokens import Doc

_KEY = "paperkg_view"
TITLE_SEPARATOR = "\n\n"


@dataclass(frozen=True, slots=True)
class DocView:
    """The text of a document, its words (as written and lower-cased), their character
    offsets, which words start a sentence, and where the title ends (the first blank line;
    0 when there is none)."""

    text: str
    words: tuple[str, ...]
    lower: tuple[str, ...]
    starts: tuple[int, ...]
    sentence_starts: tuple[bool, ...]
    title_end: int

    def span_text(self, start: int, end: int) -> str:
        """The text of the words ``[start, end)``."""
        return self.text[self.starts[start] : self.starts[end - 1] + len(self.words[end - 1])]


def view(doc: Doc) -> DocView:
    """The :class:`DocView` of ``doc``, made on first use and kept in ``doc.user_data``.

    >>> import spacy
    >>> v = view(spacy.blank("en")("A title\\n\\nSome words."))
    >>> v.span_text(3, 5), v.title_end, v.lower[0]
    ('Some words', 7, 'a')
    """
    cached = doc.user_data.get(_KEY)
    if cached is not None:
        return cached
    words = tuple(t.text for t in doc)
    spaces = doc.to_array("SPACY").tolist()
    text = "".join(w + " " if space else w for w, space in zip(words, spaces, strict=True))
    if doc.has_annotation("SENT_START"):
        sentence_starts = tuple(flag == 1 for flag in doc.to_array("SENT_START").tolist())
    else:
        sentence_starts = tuple(i == 0 for i in range(len(words)))
    made = DocView(
        text=text,
        words=words,
        lower=tuple(w.lower() for w in words),
        starts=tuple(doc.to_array("IDX").tolist()),
        sentence_starts=sentence_starts,
        title_end=max(text.find(TITLE_SEPARATOR), 0),
    )
    doc.user_data[_KEY] = made
    return made
