"""The paper's own contribution: which mentions name what the paper proposes, by the way
abstracts announce it ("we propose X", "X, a novel ...", a title that opens with "X:")."""

from __future__ import annotations

import re
from collections.abc import Sequence

from kg.ingest.paper import Paper
from kg.nlp.mention import Label, Mention

_ANNOUNCE = re.compile(
    r"\b(?:we|this (?:paper|work)|in this (?:paper|work),? we)\s+"
    r"(?:(?:first|also|further|then|hence|therefore)\s+)?"
    r"(?:propose|introduce|present|develop|design|devise|build|construct|release|contribute|"
    r"create|curate|collect|offer|establish|formulate)s?\b",
    re.IGNORECASE,
)
_NAMING = re.compile(r"\b(?:called|named|dubbed|termed|coined)\s*$", re.IGNORECASE)
_APPOSITION = re.compile(
    r"^\s*(?:,|\(|:)?\s*(?:a|an)\s+(?:novel|new|simple|unified|general)\b", re.IGNORECASE
)
# How far before a name "called", "named", ... may start (characters).
_NAMING_REACH = 40
# How far after the announcing verb the proposed name may start (characters).
_ANNOUNCE_REACH = 80


def proposed_flags(paper: Paper, mentions: Sequence[Mention]) -> list[bool]:
    """For each mention, whether it names a method or dataset the paper itself proposes:
    the name a title opens with ("BEATs: ..."), a name introduced by "called"/"named", a name
    followed by "a novel ...", and the first name after "we propose/introduce/present ..."."""
    flags = [_named_as_own(paper, m) for m in mentions]
    candidates = sorted(
        (m.start, i)
        for i, m in enumerate(mentions)
        if m.field == "abstract" and m.label in (Label.METHOD, Label.DATASET)
    )
    for announce in _ANNOUNCE.finditer(paper.abstract):
        sentence_end = paper.abstract.find(". ", announce.end())
        limit = min(
            announce.end() + _ANNOUNCE_REACH,
            sentence_end if sentence_end >= 0 else len(paper.abstract),
        )
        first = next((i for start, i in candidates if announce.end() <= start < limit), None)
        if first is not None:
            flags[first] = True
    return flags


def _named_as_own(paper: Paper, mention: Mention) -> bool:
    if mention.label not in (Label.METHOD, Label.DATASET):
        return False
    text = paper.title if mention.field == "title" else paper.abstract
    after = text[mention.end :]
    if mention.field == "title":
        return mention.start == 0 and after.lstrip().startswith(":")
    # The naming word sits just before the name: look no further back, or a long text costs
    # a scan of all that precedes each of its mentions.
    naming = _NAMING.search(text, max(mention.start - _NAMING_REACH, 0), mention.start)
    return bool(naming or _APPOSITION.match(after))
