"""Text copied from a paper-listing web page: a title line, a blank line, the abstract.

Page furniture around the papers (headers, dates, "Subscribe") is recognised and passed over.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from kg.errors import RecordError
from kg.ingest.encoding import read_text
from kg.ingest.reader import Reader, Record, build_paper

__all__ = ["READER"]

# A title is one line and not longer than this; abstracts copied from pages are longer.
_MAX_TITLE = 300
# An abstract is at least this long, or has several sentences.
_MIN_ABSTRACT = 150
_MIN_SENTENCES = 3
_SENTENCE_END = re.compile(r"[.!?][\"')\]]?(?:\s|$)")
_DATE = re.compile(
    r"^(?:(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+\d{1,2}"
    r"(?:,?\s+\d{4})?|\d{4}-\d{2}-\d{2}|\d{1,2}\s+[a-z]+\.?(?:\s+\d{4})?)$",
    re.IGNORECASE,
)


@dataclass(slots=True)
class _Paragraph:
    line: int
    lines: list[str]

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


@dataclass(slots=True)
class _Entry:
    title: _Paragraph
    abstract: list[_Paragraph] = field(default_factory=list)


def _paragraphs(text: str) -> list[_Paragraph]:
    paragraphs: list[_Paragraph] = []
    current: _Paragraph | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            current = None
        elif current is None:
            current = _Paragraph(number, [line.strip()])
            paragraphs.append(current)
        else:
            current.lines.append(line.strip())
    return paragraphs


def _is_title(paragraph: _Paragraph) -> bool:
    text = paragraph.text
    return (
        len(paragraph.lines) == 1
        and len(text) <= _MAX_TITLE
        and any(char.isalpha() for char in text)
        and not _DATE.match(text)
    )


def _is_abstract(paragraph: _Paragraph) -> bool:
    text = paragraph.text
    return len(text) >= _MIN_ABSTRACT or len(_SENTENCE_END.findall(text)) >= _MIN_SENTENCES


def _looks_like_furniture(paragraph: _Paragraph) -> bool:
    """A date or a single word ("Subscribe"): page furniture, never a paper title."""
    text = paragraph.text
    return len(text.split()) < 2 or _DATE.match(text) is not None


def _entries(paragraphs: list[_Paragraph]) -> list[_Entry | _Paragraph]:
    """Pair titles with abstracts; paragraphs that pair with nothing are returned as they are."""
    found: list[_Entry | _Paragraph] = []
    i = 0
    while i < len(paragraphs):
        here = paragraphs[i]
        following = paragraphs[i + 1 : i + 3]
        pairs = len(following) >= 1 and _is_title(here) and _is_abstract(following[0])
        # A long title also looks like an abstract; when the next paragraph is a title with an
        # abstract after it, this one was a header line, not a title.
        if pairs and len(following) == 2 and _is_title(following[0]):
            pairs = not _is_abstract(following[1])
        if pairs:
            found.append(_Entry(here, [following[0]]))
            i += 2
            continue
        previous = found[-1] if found else None
        if isinstance(previous, _Entry) and _is_abstract(here):
            previous.abstract.append(here)  # an abstract of several paragraphs
        else:
            found.append(here)
        i += 1
    return found


def sniff(path: Path, head: str) -> bool:
    """Text with a title line followed by an abstract paragraph."""
    return any(isinstance(item, _Entry) for item in _entries(_paragraphs(head)))


def read(path: Path) -> Iterator[Record]:
    found = _entries(_paragraphs(read_text(path)))
    positions = [index for index, item in enumerate(found) if isinstance(item, _Entry)]
    if not positions:
        return
    first, last = positions[0], positions[-1]
    for index, item in enumerate(found):
        if isinstance(item, _Entry):
            fields = {
                "title": item.title.text,
                "abstract": "\n\n".join(paragraph.text for paragraph in item.abstract),
            }
            yield build_paper(fields, path=path, line=item.title.line)
        elif first < index < last and not _looks_like_furniture(item):
            # Only between papers is a stray paragraph a damaged record; before the first and
            # after the last one it is the page's header or footer.
            what = (
                "abstract paragraph with no title line before it"
                if _is_abstract(item)
                else "title line with no abstract paragraph after it"
            )
            yield RecordError(what, path=path, line=item.line)


READER = Reader(
    name="listing",
    description="text copied from a paper-listing page: title line, blank line, abstract",
    extensions=(".txt",),
    sniff=sniff,
    read=read,
)
