"""Links to code and project pages that a paper's title or abstract gives: web addresses cut
out of the prose, repaired where the text broke them, and sorted into code hosts and pages.

Plain functions over text, no spaCy: :func:`find_links` finds the addresses of a paper and
:func:`code_methods` says which of the paper's proposed methods a code link belongs to.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Literal
from urllib.parse import SplitResult, unquote, urlsplit, urlunsplit

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
# A stop with no space before the next sentence ("...speed.Experimental results"), as abstracts
# copied from PDFs write it; inside a word that looks like an address it is no stop.
_GLUED_STOP = re.compile(r"(?<=[a-z0-9)\]])[.!?](?=[A-Z])")
_ADDRESS_LIKE = re.compile(r"/|@|www\.", re.IGNORECASE)

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
    not end a sentence, since an address holds no space, but a "." glued to the next sentence
    ("speed.Experiments show") does.

    >>> sentence_around("We win. Code: https://github.com/x/y. Bye.", 14, 36)
    'Code: https://github.com/x/y.'
    >>> sentence_around("We win.Code: https://github.com/x/y", 12, 35)
    'Code: https://github.com/x/y'
    """
    sentence_start, sentence_end = sentence_span(text, start, end)
    return text[sentence_start:sentence_end].strip()


def sentence_span(text: str, start: int, end: int) -> tuple[int, int]:
    """Where the sentence of ``text`` that holds ``text[start:end]`` starts and ends."""
    sentence_start = 0
    for stop in _sentence_ends(text, 0, start):
        if stop <= start:
            sentence_start = stop
    sentence_end = next(_sentence_ends(text, end, len(text)), len(text))
    return sentence_start, sentence_end


def _sentence_ends(text: str, start: int, end: int) -> Iterator[int]:
    """Where sentences end in ``text[start:end]``, in order: after a stop and the space behind
    it, or after a stop glued to the capital that starts the next sentence outside an address."""
    ends = {m.end() for m in _SENTENCE_END.finditer(text, start, end)}
    for glued in _GLUED_STOP.finditer(text, start, end):
        word_start = max(text.rfind(c, 0, glued.start()) for c in " \n\t") + 1
        if not _ADDRESS_LIKE.search(text, word_start, glued.start()):
            ends.add(glued.end())
    yield from sorted(ends)


def inside_link(mention: Mention, links: Sequence[Link]) -> bool:
    """Whether ``mention`` overlaps the address of one of ``links``."""
    return any(
        link.field == mention.field and mention.start < link.end and link.start < mention.end
        for link in links
    )


# Words that tie a name to the address after it: "X is available at", "X code:", "X is
# released at", "Code for X is public at".
_TIES_TO_NAME = re.compile(
    r"\b(?:code|codes|implementation|available|release[ds]?|open[- ]?sourced?|"
    r"public(?:ly)?|hosted|repository)\b",
    re.IGNORECASE,
)
# A code noun just before the name: "Code for X", "the source code of our X", "The code X".
_CODE_OF = re.compile(
    r"\b(?:code|codes|codebase|implementations?)\s+(?:(?:of|for)\s+)?(?:(?:the|our)\s+)?$",
    re.IGNORECASE,
)
# What starts another clause between a name and the address, so that what the clause says is
# available is not the name's: "We evaluate on fMRI; our code is available at".
_OTHER_CLAUSE = re.compile(r";|\b(?:we|our|us|they|their)\b", re.IGNORECASE)
#: At most this many words between a name and the address that holds its code.
MAX_GAP_WORDS = 12
# A sentence that gives an address as the paper's own: its code, what it makes available, its
# project page ("Our code is released at", "Models are available at", "Project page:").
_OWN_LINK = re.compile(
    r"\b(?:code|codes|codebase|implementations?|available|release[ds]?|open[- ]?sourced?|"
    r"public(?:ly)?|hosted|repository|repo|our|(?:project\s+|home\s*)?page|website)\b",
    re.IGNORECASE,
)
# Words an acronym may leave out of its long form's initials.
_MINOR_WORDS = frozenset("a an and by for from in of on the to via with".split())
# The kind of thing a method is, a last word that names seldom keep: "Self-Prompting framework"
# is github.com/x/self-prompting, "sememe tree generation model" github.com/x/STG.
_KIND_WORD = re.compile(
    r"\s+(?:framework|model|method|approach|algorithm|technique|system|module|architecture)s?$",
    re.IGNORECASE,
)
# Runs of letters or of digits: how an address's path and a name are cut into pieces, so that
# "-", "_", spaces and the change from letters to digits ("ICCV2023") all separate pieces.
_PIECE = re.compile(r"[^\W\d_]+|\d+")
#: The fewest letters of an acronym made of a long form's initials that may name a repository.
MIN_INITIALS = 3


def code_methods(
    paper: Paper, link: Link, mentions: Sequence[Mention], proposed: Sequence[bool]
) -> tuple[Mention, ...]:
    """The mentions of the paper's proposed methods whose code ``link`` is; none unless the
    link is a code link. A method is proposed where one of its mentions is (``proposed`` flags
    them), so it is known by name wherever the paper names it again.

    A proposed method named in the address's sentence has its code there when the sentence
    names it as what the address holds: a code noun just before the name ("Code for X is at",
    "the source code of X at"), or, between the name and the address, a few words of the same
    clause that speak of code or availability ("X is publicly available at", "X code:").
    Failing that, the address is the code of the proposed method whose name, acronym or long
    form its path names ("Our code is at github.com/owls/OwlNet"), where the sentence gives the
    address as the paper's own; a code link whose path names no proposed method is the paper's
    alone, since a method flagged as proposed by mistake should not get the paper's code.
    """
    if link.kind != "code":
        return ()
    own_methods = [
        m for m, own in zip(mentions, proposed, strict=True) if own and m.label is Label.METHOD
    ]
    if not own_methods:
        return ()
    own_names = {_name(m) for m in own_methods}
    text = paper.title if link.field == "title" else paper.abstract
    sentence_start, _ = sentence_span(text, link.start, link.end)
    named = tuple(
        m
        for m in mentions
        if m.label is Label.METHOD
        and m.field == link.field
        and sentence_start <= m.start
        and m.end <= link.start
        and _name(m) in own_names
        and _names_its_code(text, m, link, sentence_start)
    )
    if named:
        return named
    if not _OWN_LINK.search(link.sentence):
        return ()
    matched: dict[str, int] = {}
    for method in own_methods:
        name = _name(method)
        if name not in matched:
            matched[name] = url_names(link.url, _forms(name, mentions))
    best = max(matched.values())
    if not best:
        return ()
    firsts = {_name(m): m for m in reversed(own_methods)}
    return tuple(firsts[name] for name, length in matched.items() if length == best)


def _names_its_code(text: str, mention: Mention, link: Link, sentence_start: int) -> bool:
    """Whether the sentence names ``mention`` as what ``link`` holds."""
    gap = text[mention.end : link.start]
    if len(gap.split()) > MAX_GAP_WORDS:
        return False
    if _CODE_OF.search(text, sentence_start, mention.start):
        return True
    return bool(_TIES_TO_NAME.search(gap)) and not _OTHER_CLAUSE.search(gap)


def _name(mention: Mention) -> str:
    """What a mention names, an acronym known by its long form."""
    return (mention.long_form or mention.text).casefold()


def _forms(name: str, mentions: Sequence[Mention]) -> set[str]:
    """The ways the paper writes the method ``name``: the name, every method mention of it (an
    acronym and its long form alike), each without a last word for its kind ("framework",
    "model") where two pieces are left, and the initials of each form of several words.

    >>> sorted(_forms("self-prompting framework", []))
    ['self-prompting', 'self-prompting framework', 'spf']
    """
    forms = {name} | {m.text for m in mentions if m.label is Label.METHOD and _name(m) == name}
    bare = {_KIND_WORD.sub("", form) for form in forms}
    forms |= {form for form in bare if len(_PIECE.findall(form)) > 1}
    return forms | {acronym for form in forms for acronym in initials(form)}


def initials(form: str) -> set[str]:
    """The acronyms a form of several words may go by: the first letters of its words, or of
    the parts of its hyphenated words, with or without the minor words; those too short to
    name anything left out.

    >>> sorted(initials("Hierarchical Context-aware Network"))
    ['hcan', 'hcn']
    >>> sorted(initials("Binary Passage Retriever")), initials("Layer-Attention")
    (['bpr'], set())
    """
    words = [pieces for word in form.casefold().split() if (pieces := _PIECE.findall(word))]
    if len(words) < 2:
        return set()
    major = [pieces for pieces in words if not (len(pieces) == 1 and pieces[0] in _MINOR_WORDS)]
    variants = set()
    for kept in (words, major):
        variants.add("".join(pieces[0][0] for pieces in kept))
        variants.add("".join(piece[0] for pieces in kept for piece in pieces))
    return {v for v in variants if len(v) >= MIN_INITIALS}


def url_names(url: str, forms: Iterable[str]) -> int:
    """How many letters and digits of the longest of ``forms`` the path of ``url`` names, 0 if
    it names none. A form is named when, case aside, its letters and digits are those of a run
    of pieces of one path segment, pieces being cut at "-", "_", "." and the turn from letters
    to digits but not inside a word: "Co-DETR" and "codetr" name ``Sense-X/Co-DETR``, "WID"
    names ``WID-NAACL2024``, "RNN" does not name ``DilatedRNN``.

    >>> url_names("https://github.com/Sense-X/Co-DETR", ["Co-DETR", "DETR", "Sense"])
    6
    >>> url_names("https://github.com/o/DilatedRNN", ["RNN"]), url_names("https://x.io/a/b", ["b"])
    (0, 0)
    """
    segments = [_PIECE.findall(s) for s in unquote(urlsplit(url).path).casefold().split("/")]
    best = 0
    for form in forms:
        target = "".join(_PIECE.findall(form.casefold()))
        if len(target) < 2 or len(target) <= best:
            continue
        if any(_joins_to(pieces, target) for pieces in segments):
            best = len(target)
    return best


def _joins_to(pieces: Sequence[str], target: str) -> bool:
    """Whether a run of ``pieces`` joins up to ``target``."""
    for first in range(len(pieces)):
        joined = ""
        for piece in pieces[first:]:
            joined += piece
            if joined == target:
                return True
            if not target.startswith(joined):
                break
    return False
