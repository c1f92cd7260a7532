"""Rule extraction of METHOD, DATASET, TASK and METRIC mentions on a blank spaCy pipeline.

Works on token shape and the field's head nouns (``kg.nlp.lexicon``), with no tagger or parser,
so it runs anywhere and gives the trained model a high-precision companion.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from typing import overload

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span, SpanGroup, Token
from spacy.util import filter_spans

from kg.nlp import lexicon

SPANS_KEY = "paperkg_rules"

_JOINERS = frozenset({"-", "/", "+", "++", ".", "'"})
_MAX_MODIFIERS = 4
#: Confidence of a measure that is also an ordinary word or phrase (``lexicon.MEASURE_WORDS``):
#: weak, so the trained model's spans win and the specificity classifier decides.
_MEASURE = 0.6
_ON_EXCEPTIONS = frozenset(
    {
        "based",
        "relies",
        "rely",
        "relying",
        "focus",
        "focuses",
        "depends",
        "depend",
        "conditioned",
        "built",
        "focused",
        "focusing",
        "works",
    }
)


def ensure_span_extensions() -> None:
    """Register the span attributes a NER component may set on ``doc.ents``: confidence and
    extractor."""
    for name in ("confidence", "extractor"):
        if not Span.has_extension(name):
            Span.set_extension(name, default=None)


@lru_cache(maxsize=65536)
def _spelled_like_name(text: str) -> bool:
    if len(text) < 2 or text in lexicon.NOT_A_NAME or not any(ch.isalpha() for ch in text):
        return False
    if text.lower() in lexicon.METRIC_NAMES or text in lexicon.CASED_METRIC_NAMES:
        return False
    if text[:-1].isdigit() and text[-1] in "dD":  # 2D, 3D
        return False
    has_digit = any(ch.isdigit() for ch in text)
    return any(ch.isupper() for ch in text[1:]) or (has_digit and text[0].isalpha())


def is_name_like(token: Token) -> bool:
    """A token spelled like a name: upper case after its first letter, or letters mixed with
    digits ("DiT", "BERT", "VoxCeleb2", "T5"), and not a common acronym, URL or e-mail."""
    return _spelled_like_name(token.text) and not (token.like_url or token.like_email)


def _name_runs(doc: _Tokens, begin: int, end: int) -> list[tuple[int, int]]:
    """Maximal runs of tokens written together ("Co-DETR", "AudioSet-2M", "R-CNN") that hold a
    name-like token, grown left over capitalised words ("Mask R-CNN"), between ``begin`` and
    ``end``, as (start, end) token indices."""
    runs: list[tuple[int, int]] = []
    i = begin
    n = end
    while i < n:
        j = i
        # Tokens written with no space between them, joined only by hyphens and the like.
        while (
            j + 1 < n
            and doc[j].whitespace_ == ""
            and (doc[j + 1].text in _JOINERS or any(ch.isalnum() for ch in doc[j + 1].text))
            and (doc[j].text in _JOINERS or any(ch.isalnum() for ch in doc[j].text))
        ):
            j += 1
        while j > i and doc[j].text in _JOINERS:
            j -= 1
        if doc[i].text not in _JOINERS and any(is_name_like(doc[k]) for k in range(i, j + 1)):
            start = i
            while (
                start > begin
                and doc[start - 1].is_title
                and not doc[start - 1].is_sent_start
                and not doc[start - 1].is_stop
                and doc[start - 1].lower_ not in lexicon.NOT_A_MODIFIER
                and doc[start - 1].text not in lexicon.NOT_A_NAME
            ):
                start -= 1
            runs.append((start, j + 1))
        i = j + 1
    return runs


def _is_modifier(token: Token) -> bool:
    if token.is_stop or token.is_punct or token.like_num or token.is_space:
        return token.text == "-"
    return token.lower_ not in lexicon.NOT_A_MODIFIER and any(ch.isalpha() for ch in token.text)


def _phrase_before(doc: _Tokens, head: int, sent_start: int) -> int:
    """Start index of the modifiers before ``head``: up to four content words, hyphen-joined
    compounds counting as one ("talking-head", "audio-driven")."""
    start = head
    words = 0
    while start > sent_start and words < _MAX_MODIFIERS:
        prev = doc[start - 1]
        if not _is_modifier(prev):
            break
        if prev.text == "-":
            joined = prev.whitespace_ == "" and doc[start - 2].whitespace_ == ""
            if start - 2 < sent_start or not joined or not _is_modifier(doc[start - 2]):
                break
            start -= 2
        else:
            start -= 1
        words += 1
    # Never start inside a hyphenated compound cut short ("end" of "end-to-end").
    while start < head and start > sent_start and _joined_to_previous(doc, start):
        start += 1
        while start < head and doc[start].text == "-":
            start += 1
    while start < head and doc[start].text == "-":
        start += 1
    return start


def _joined_to_previous(doc: _Tokens, i: int) -> bool:
    return (
        doc[i - 1].text == "-"
        and doc[i - 1].whitespace_ == ""
        and i >= 2
        and (doc[i - 2].whitespace_ == "")
    )


def _followed_by_same_phrase(doc: _Tokens, i: int, sent_end: int) -> bool:
    """Whether the head at ``i`` is inside a longer compound ("attention head selection")."""
    return i + 1 < sent_end and (
        doc[i + 1].lower_ in lexicon.TASK_HEADS
        or doc[i + 1].lower_ in lexicon.METHOD_HEADS
        or (doc[i + 1].text == "-" and i + 2 < sent_end and doc[i + 2].is_alpha)
    )


def _list_members(doc: _Tokens, end: int, sent_start: int) -> list[Span]:
    """Names in a coordinated list ending just before ``end``: "VoxCeleb1, VoxCeleb2 and HDTF",
    or one capitalised name of several words: "the WMT14 English-German dataset"."""
    members: list[Span] = []
    runs = {run_end: run_start for run_start, run_end in _name_runs(doc, sent_start, end)}
    name_start = end
    while name_start > sent_start and _part_of_title_name(doc, name_start - 1):
        name_start -= 1
    while name_start < end and doc[name_start].text in _JOINERS:
        name_start += 1
    if name_start < end and (end not in runs or runs[end] > name_start):
        # A capitalised name, possibly of several words: "the WMT14 English-German dataset".
        return [doc[name_start:end]]
    pos = end
    while pos > sent_start:
        run_start = runs.get(pos)
        if run_start is None:
            break
        members.append(doc[run_start:pos])
        pos = run_start
        if pos > sent_start and doc[pos - 1].lower_ in {",", "and", "or", "&"}:
            pos -= 1
            if pos > sent_start and doc[pos - 1].lower_ in {",", "and", "or"}:
                pos -= 1
            continue
        break
    return members


_LIST_OPENERS = (("of",), ("such", "as"), ("including",), ("like",), ("(",), (":",), ("e.g.",))
#: Openers of examples of a kind: "models such as LLaMA-2 and Mistral".
_EXAMPLE_OPENERS = (("such", "as"), ("including",), ("like",), ("e.g.",))
#: Nouns whose examples are methods.
_METHOD_KIND_HEADS = lexicon.METHOD_KINDS | lexicon.METHOD_HEADS | lexicon.WEAK_METHOD_HEADS


def _list_after(
    doc: _Tokens, start: int, sent_end: int, openers: tuple[tuple[str, ...], ...] = _LIST_OPENERS
) -> list[Span]:
    """Names in a list that follows a head: "benchmarks of VoxCeleb1 and VoxCeleb2",
    "datasets such as COCO, LVIS and Objects365", "datasets (HDTF, MEAD)"."""
    for opener in openers:
        words = [t.lower_ for t in doc[start : start + len(opener)]]
        if tuple(words) == opener:
            start += len(opener)
            break
    else:
        return []
    if start < sent_end and doc[start].lower_ == "the":
        start += 1
    runs = {s: e for s, e in _name_runs(doc, start, sent_end)}
    members: list[Span] = []
    pos = start
    while pos in runs:
        members.append(doc[pos : runs[pos]])
        pos = runs[pos]
        if pos < sent_end and doc[pos].lower_ in {",", "and", "or", "&"}:
            pos += 1
            if pos < sent_end and doc[pos].lower_ in {"and", "or"}:
                pos += 1
            continue
        break
    return members


def _in_name_list(token: Token) -> bool:
    """A name, a joiner inside one, or a comma or conjunction between names."""
    return token.lower_ in {",", "and", "or"} or is_name_like(token) or token.text in _JOINERS


def _part_of_title_name(doc: _Tokens, i: int) -> bool:
    token = doc[i]
    if token.text in _JOINERS:
        return token.whitespace_ == "" and i > 0 and doc[i - 1].whitespace_ == ""
    if token.is_sent_start or token.is_stop or token.text in lexicon.NOT_A_NAME:
        return False
    if token.lower_ in lexicon.NOT_A_MODIFIER:
        return False
    return (
        token.is_title
        or is_name_like(token)
        or (token.like_num and i > 0 and doc[i - 1].whitespace_ == "")
    )


class _Tokens:
    """A document's tokens, made once: indexing a ``Doc`` builds a new ``Token`` every time,
    and the rules index the same tokens many times. Slices are ordinary ``Span`` objects."""

    __slots__ = ("doc", "_tokens")

    def __init__(self, doc: Doc) -> None:
        self.doc = doc
        self._tokens = list(doc)

    def __len__(self) -> int:
        return len(self._tokens)

    @overload
    def __getitem__(self, key: int) -> Token: ...
    @overload
    def __getitem__(self, key: slice) -> Span: ...
    def __getitem__(self, key: int | slice) -> Token | Span:
        if isinstance(key, slice):
            return self.doc[key]
        return self._tokens[key]


class EntityRules:
    """Finds METHOD, DATASET, TASK and METRIC mentions by rule.

    Sets ``doc.spans["paperkg_rules"]``: non-overlapping spans labelled with the entity type,
    with the group attribute ``confidences`` giving each span's confidence (0-1), in order.
    (Span extension attributes are keyed by offsets alone, so they would clash with another
    component's span over the same words.)
    """

    def __init__(self, nlp: Language, name: str = "paperkg_entity_rules") -> None:
        self.name = name
        self.metric_phrases = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.metric_phrases.add(
            "METRIC", [nlp.make_doc(" ".join(words)) for words in lexicon.METRIC_PHRASES]
        )
        self.measure_phrases = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.measure_phrases.add(
            "METRIC", [nlp.make_doc(" ".join(words)) for words in lexicon.MEASURE_PHRASES]
        )

    @property
    def labels(self) -> tuple[str, ...]:
        return ("DATASET", "METHOD", "METRIC", "TASK")

    def __call__(self, doc: Doc) -> Doc:
        candidates = list(self._find(doc))
        spans = filter_spans([span for span, _ in candidates])
        confidence = {(s.start, s.end, s.label_): c for s, c in candidates}
        doc.spans[SPANS_KEY] = SpanGroup(
            doc,
            name=SPANS_KEY,
            spans=spans,
            attrs={
                "confidences": [confidence[(s.start, s.end, s.label_)] for s in spans],
                "extractor": "rules",
            },
        )
        return doc

    def _find(self, doc: Doc) -> Iterable[tuple[Span, float]]:
        for _, start, end in self.metric_phrases(doc):
            yield Span(doc, start, end, label="METRIC"), 0.85
        for _, start, end in self.measure_phrases(doc):
            yield Span(doc, start, end, label="METRIC"), _MEASURE
        sents = list(doc.sents) if doc.has_annotation("SENT_START") else [doc[:]]
        tokens = _Tokens(doc)
        for sent in sents:
            yield from self._find_in_sentence(tokens, sent)

    def _find_in_sentence(self, tokens: _Tokens, sent: Span) -> Iterable[tuple[Span, float]]:
        doc = tokens.doc
        s_start, s_end = sent.start, sent.end
        claimed: set[int] = set()
        words = [tokens[i] for i in range(s_start, s_end)]
        evaluative = any(
            t.lower_ in lexicon.DATASET_CUE_VERBS or t.text == "%" or t.like_num for t in words
        )
        for i in range(s_start, s_end):
            token = tokens[i]
            lower = token.lower_
            if lower in lexicon.METRIC_NAMES and (len(lower) > 3 or not token.is_lower):
                yield Span(doc, i, i + 1, label="METRIC"), (0.8 if token.is_lower else 0.9)
            elif token.text in lexicon.CASED_METRIC_NAMES:
                yield Span(doc, i, i + 1, label="METRIC"), 0.85
            elif lower in lexicon.MEASURE_WORDS:
                yield Span(doc, i, i + 1, label="METRIC"), _MEASURE
            elif (
                lower in lexicon.MEASURE_HEADS and i > s_start and _measure_modifier(tokens[i - 1])
            ):
                yield Span(doc, i - 1, i + 1, label="METRIC"), _MEASURE
            if _followed_by_same_phrase(tokens, i, s_end):
                continue
            if lower in _METHOD_KIND_HEADS:
                for member in _list_after(tokens, i + 1, s_end, _EXAMPLE_OPENERS):
                    claimed.update(range(member.start, member.end))
                    yield Span(doc, member.start, member.end, label="METHOD"), 0.85
            if lower in lexicon.DATASET_HEADS:
                before = _list_members(tokens, i, s_start)
                if token.is_title and lower in lexicon.NAMED_DATASET_HEADS and len(before) == 1:
                    before = [tokens[before[0].start : i + 1]]
                members = before + _list_after(tokens, i + 1, s_end)
                for member in members:
                    claimed.update(range(member.start, member.end))
                    yield Span(doc, member.start, member.end, label="DATASET"), 0.85
            elif lower in lexicon.TASK_HEADS:
                start = _phrase_before(tokens, i, s_start)
                if start < i:
                    n_words = sum(1 for k in range(start, i) if tokens[k].text != "-")
                    yield Span(doc, start, i + 1, label="TASK"), min(0.55 + 0.05 * n_words, 0.7)
            elif lower in lexicon.METHOD_HEADS or lower in lexicon.WEAK_METHOD_HEADS:
                start = _phrase_before(tokens, i, s_start)
                if start == i:
                    continue
                modifiers = [tokens[k] for k in range(start, i)]
                if all(is_name_like(t) or t.text in _JOINERS for t in modifiers):
                    claimed.update(range(start, i))
                    yield Span(doc, start, i, label="METHOD"), 0.75
                elif lower not in lexicon.WEAK_METHOD_HEADS or len(modifiers) > 1:
                    yield Span(doc, start, i + 1, label="METHOD"), 0.6
            elif lower in lexicon.METRIC_HEADS and i > s_start and is_name_like(tokens[i - 1]):
                claimed.add(i - 1)
                yield Span(doc, i - 1, i + 1, label="METRIC"), 0.75
        for start, end in _name_runs(tokens, s_start, s_end):
            if claimed.intersection(range(start, end)):
                continue
            label, confidence = self._classify_name(tokens, start, s_start, s_end, evaluative)
            yield Span(doc, start, end, label=label), confidence

    @staticmethod
    def _classify_name(
        doc: _Tokens, start: int, s_start: int, s_end: int, evaluative: bool
    ) -> tuple[str, float]:
        """DATASET when the name follows "on"/"across" (directly or through a list) in a sentence
        about experiments or scores, surely so right after "trained on", "evaluated on",
        "results on" and the like; METHOD otherwise, and when the list ends on a method noun
        ("experiments on BERT, RoBERTa and GPT-2 models")."""
        pos = start
        while pos > s_start and _in_name_list(doc[pos - 1]):
            pos -= 1
        after = start
        while after < s_end and _in_name_list(doc[after]):
            after += 1
        if after < s_end and doc[after].lower_ in _METHOD_KIND_HEADS:
            return "METHOD", 0.75
        if pos > s_start and doc[pos - 1].lower_ in {"on", "across"}:
            before = doc[pos - 2].lower_ if pos - 2 >= s_start else ""
            if before in lexicon.DATASET_CUE_VERBS:
                # "trained on VoxCeleb2", "results on COCO and LVIS".
                return "DATASET", 0.85
            if before not in _ON_EXCEPTIONS and evaluative:
                return "DATASET", 0.7
        return "METHOD", 0.55


@Language.factory(
    "paperkg_entity_rules",
    assigns=["doc.spans"],
    requires=["token.is_sent_start"],
)
def make_entity_rules(nlp: Language, name: str) -> EntityRules:
    return EntityRules(nlp, name)


def _measure_modifier(token: Token) -> bool:
    """Whether ``token`` can name the kind of a measure before its head ("test" error,
    "sample" complexity): a word, not a number or a function word ("the error", "this cost")."""
    return token.is_alpha and not token.is_stop
