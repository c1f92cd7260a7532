"""Links to code and project pages that a paper's title or abstract gives: web addresses cut
out of the prose, repaired where the text broke them, and sorted into code hosts and pages.

Plain functions over text, no spaCy: :func:`find_links` finds the addresses of a paper and
:func:`code_methods` says which of the paper's proposed methods a code link belongs to.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Literal
from urllib.parse import SplitResult, urlsplit, urlunsplit

from kg.ingest.paper import Paper
from kg.nlp.mention import Label, Mention

LinkKind = Literal["code", "page"]

#: Code hosts, with how many path segments an address needs to name code there
#: (``github.com/owner/repo``; ``huggingface.co/model``).
CODE_HOSTS: dict[str, int] = {
    "github.com": 2,
    "gitlab.com": 2,
    "bitbucket.org": 2,
    "codeberg.org": 2,
    "gitee.com": 2,
    "sourceforge.net": 2,
    "huggingface.co": 1,
}
# Pages of a code host that are about something other than code.
_NOT_CODE = {"huggingface.co": {"papers", "blog", "docs", "learn"}}
# Hosts whose addresses abstracts write without "https://" (always with a path on a code host).
_BARE_HOST = (
    r"(?:www\.)?(?:github\.com|gitlab\.com|bitbucket\.org|codeberg\.org|huggingface\.co)(?=/\w)"
    r"|(?:[\w-]+\.)+(?:github|gitlab)\.io\b"
)

# Characters an address never holds in prose: space, quotes, and the brackets and braces that
# LaTeX (\url{...}), Markdown ([...](...)) and footnote marks ([2]) leave around it.
_ADDRESS_CHARS = r"[^\s<>\"'`‘’“”{}\[\]|\\^]"
_ADDRESS = re.compile(
    # The scheme may be glued to the word before ("athttps://", LaTeX's "bluehttps://") and
    # broken by a space ("https: //github.com/...").
    rf"(?P<scheme>https?[ ]?:[ ]?//[ ]?)(?={_ADDRESS_CHARS}){_ADDRESS_CHARS}+"
    rf"|(?<![\w.@/-])(?:{_BARE_HOST}){_ADDRESS_CHARS}*",
    re.IGNORECASE,
)
# A second address glued to the first ("...Sealinghttps://github.com/...", "...Volcanogithub.com/
# kaistAI/Volcano"), not one inside a query ("?url=https://...").
_GLUED = re.compile(
    r"(?<=[A-Za-z0-9])(?:https?[ ]?:[ ]?//|(?:github\.com|gitlab\.com|bitbucket\.org)/)",
    re.IGNORECASE,
)
# The rest of a path that a line break or space cut after a "/" ("https://github.com/\nowner/x").
_CONTINUED = re.compile(rf"\s(?=[\w.~-]+/){_ADDRESS_CHARS}+")
# What ends a sentence rather than an address: trailing punctuation, and wrappers in Markdown.
_TRAILING = ".,;:!?*_~"
_HOST = re.compile(r"^(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z][a-z0-9-]*[a-z0-9]$")
# What an IRI's path, query or fragment may hold (RFC 3987: unreserved, sub-delims, ":", "@",
# "/", "?", percent escapes and ucschar), so that no store refuses the IRI.
_IRI_PART = re.compile(
    r"(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/?]|%[0-9A-Fa-f]{2}"
    r"|[\u00a0-\ud7ff\uf900-\ufdcf\ufdf0-\uffef\U00010000-\U000efffd])*"
)
_SENTENCE_END = re.compile(r"[.!?][\"')\]]*(?=\s|$)|\n\s*\n")

#: The component name link mentions carry, beside the extractor's ``rules`` and ``model``.
COMPONENT = "links"
#: Confidence of an address written whole, and of one this module had to repair.
WRITTEN, REPAIRED = 1.0, 0.9


@dataclass(frozen=True, slots=True)
class Link:
    """A web address in a paper's text: ``url`` is the address as an IRI (scheme added,
    breaks removed, the sentence's punctuation cut), ``text`` the span as written at
    ``start``/``end`` of ``field`` (``"title"`` or ``"abstract"``), ``sentence`` the sentence
    holding it. ``kind`` is ``"code"`` for an address on a code host, else ``"page"``;
    ``confidence`` is :data:`WRITTEN` or, where the address had to be repaired, :data:`REPAIRED`."""

    kind: LinkKind
    url: str
    field: str
    start: int
    end: int
    sentence: str
    text: str
    confidence: float


def find_links(paper: Paper) -> list[Link]:
    """The links of a paper's title and abstract, in text order.

    >>> paper = Paper(id="x", title="T", abstract="Code is at https://github.com/Sense-X/Co-DETR.")
    >>> [(link.kind, link.url, link.text) for link in find_links(paper)]
    [('code', 'https://github.com/Sense-X/Co-DETR', 'https://github.com/Sense-X/Co-DETR')]
    """
    return [
        Link(
            kind=link_kind(url),
            url=url,
            field=field,
            start=start,
            end=end,
            sentence=sentence_around(text, start, end),
            text=text[start:end],
            confidence=confidence,
        )
        for field, text in (("title", paper.title), ("abstract", paper.abstract))
        for start, end, url, confidence in address_spans(text)
    ]


def address_spans(text: str) -> Iterator[tuple[int, int, str, float]]:
    """``(start, end, url, confidence)`` of each web address in ``text``.

    >>> [url for *_, url, _ in address_spans("(see https: //github.com/x/y/). Or x.github.io!")]
    ['https://github.com/x/y', 'https://x.github.io']
    """
    covered = 0
    for match in _ADDRESS.finditer(text):
        start, end = match.span()
        if start < covered:
            continue
        if text[end - 1 : end] == "/" and (continued := _CONTINUED.match(text, end)):
            end = continued.end()
        covered = end
        cuts = [start, *(g.start() for g in _GLUED.finditer(text, start + 1, end)), end]
        for piece_start, piece_end in itertools.pairwise(cuts):
            piece_end = _cut_trailing(text, piece_start, piece_end)
            written = text[piece_start:piece_end]
            url = normalise_url(written)
            if url is None:
                continue
            whole = bool(match.group("scheme")) and not any(c.isspace() for c in written)
            whole = whole and (piece_start == 0 or not text[piece_start - 1].isalnum())
            yield piece_start, piece_end, url, WRITTEN if whole else REPAIRED


def _cut_trailing(text: str, start: int, end: int) -> int:
    """The end of the address that starts at ``start``, without the sentence's punctuation,
    an unbalanced closing parenthesis, or the closing mark of a wrapper (``_url_``)."""
    wrapper = text[start - 1] if start > 0 else ""
    while end > start:
        last = text[end - 1]
        address = text[start:end]
        if last in _TRAILING and (last not in "_*~" or last == wrapper):
            end -= 1
        elif last == ")" and address.count(")") > address.count("("):
            end -= 1
        else:
            break
    return end


def normalise_url(written: str) -> str | None:
    """The IRI an address written in prose stands for, or ``None`` if it is not one: spaces
    removed, ``https://`` added where the scheme was left out, the host in lower case; on a
    code host, https, and no trailing ``/`` or ``.git``.

    >>> normalise_url("https: //github.com/Link-Li/CLMLF.git")
    'https://github.com/Link-Li/CLMLF'
    >>> normalise_url("HTTPS://Example.org/A_b?c=1#d"), normalise_url("https://localhost/x")
    ('https://example.org/A_b?c=1#d', None)
    >>> normalise_url("https://example.org/a%zz"), normalise_url("https://example.org/a#b#c")
    (None, None)
    """
    address = "".join(written.split())
    if not re.match(r"https?://", address, re.IGNORECASE):
        address = "https://" + address
    try:
        parts = urlsplit(address)
        port = parts.port
    except ValueError:
        return None
    host = (parts.hostname or "").lower()
    if parts.scheme.lower() not in ("http", "https") or not _HOST.match(host):
        return None
    if parts.username is not None or parts.password is not None:
        return None
    if not all(_IRI_PART.fullmatch(part) for part in (parts.path, parts.query, parts.fragment)):
        return None
    netloc = host if port is None else f"{host}:{port}"
    parts = SplitResult(parts.scheme.lower(), netloc, parts.path, parts.query, parts.fragment)
    if _code_host(host):
        path = parts.path.rstrip("/")
        if not parts.query and not parts.fragment:
            path = path.removesuffix(".git")
        parts = parts._replace(scheme="https", path=path)
    return urlunsplit(parts)


def _code_host(host: str) -> str | None:
    host = host.removeprefix("www.")
    return host if host in CODE_HOSTS else None


def link_kind(url: str) -> LinkKind:
    """``"code"`` for an address of code on a code host, ``"page"`` for any other.

    >>> link_kind("https://github.com/x/y"), link_kind("https://github.com/x")
    ('code', 'page')
    >>> link_kind("https://x.github.io/y"), link_kind("https://huggingface.co/bert-base")
    ('page', 'code')
    """
    parts = urlsplit(url)
    host = _code_host((parts.hostname or "").lower())
    if host is None:
        return "page"
    segments = [s for s in parts.path.split("/") if s]
    if len(segments) < CODE_HOSTS[host] or (segments and segments[0] in _NOT_CODE.get(host, ())):
        return "page"
    return "code"


def sentence_around(text: str, start: int, end: int) -> str:
    """The sentence of ``text`` that holds ``text[start:end]``; a "." inside an address does
    not end a sentence, since an address holds no space.

    >>> sentence_around("We win. Code: https://github.com/x/y. Bye.", 14, 36)
    'Code: https://github.com/x/y.'
    """
    sentence_start = 0
    for match in _SENTENCE_END.finditer(text, 0, start):
        if match.end() <= start:
            sentence_start = match.end()
    following = _SENTENCE_END.search(text, end)
    sentence_end = following.end() if following else len(text)
    return text[sentence_start:sentence_end].strip()


def inside_link(mention: Mention, links: Sequence[Link]) -> bool:
    """Whether ``mention`` overlaps the address of one of ``links``."""
    return any(
        link.field == mention.field and mention.start < link.end and link.start < mention.end
        for link in links
    )


# "Code for X is available at", "X is available at", "The code of X is released in".
_TIES_TO_NAME = re.compile(
    r"\b(?:code|codes|implementation|available|release[ds]?|open[- ]?sourced?|"
    r"public(?:ly)?|hosted|repository)\b",
    re.IGNORECASE,
)
# "Our code is released at", "The code and models are available at", "our implementation".
_OWN_CODE = re.compile(
    r"\b(?:code|codes|implementations?|our\s+(?:models?|method|approach|"
    r"framework|system|tool|toolkit|library|work))\b",
    re.IGNORECASE,
)


def code_methods(
    paper: Paper, link: Link, mentions: Sequence[Mention], proposed: Sequence[bool]
) -> tuple[Mention, ...]:
    """The mentions of the paper's proposed methods whose code ``link`` is, as its sentence
    says; none unless the link is a code link. A method is proposed where one of its mentions
    is (``proposed`` flags them), so it is known by name wherever the paper names it again.

    A proposed method named in the sentence before the address has its code there when the
    sentence speaks of code or availability ("Code for X is available at", "X is released at").
    Failing that, the sentence's "code", "implementation" or "our model" means the paper's own
    method if the paper proposes exactly one and the sentence names no other method.
    """
    if link.kind != "code":
        return ()
    own_methods = [
        m for m, own in zip(mentions, proposed, strict=True) if own and m.label is Label.METHOD
    ]
    own_names = {_name(m) for m in own_methods}
    text = paper.title if link.field == "title" else paper.abstract
    sentence_start = max(text.rfind(link.sentence, 0, link.start + len(link.sentence)), 0)
    sentence_end = sentence_start + len(link.sentence)
    in_sentence = [
        m
        for m in mentions
        if m.label is Label.METHOD
        and m.field == link.field
        and sentence_start <= m.start
        and m.end <= sentence_end
    ]
    named = tuple(m for m in in_sentence if _name(m) in own_names and m.end <= link.start)
    if named and _TIES_TO_NAME.search(text[sentence_start : link.start]):
        return named
    others = [m for m in in_sentence if _name(m) not in own_names]
    if len(own_names) == 1 and not others and _OWN_CODE.search(link.sentence):
        return (own_methods[0],)
    return ()


def _name(mention: Mention) -> str:
    """What a mention names, an acronym known by its long form."""
    return (mention.long_form or mention.text).casefold()
