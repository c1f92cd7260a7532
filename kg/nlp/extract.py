"""From papers to mentions: runs a pipeline over title + abstract and merges what its
components found (rules, abbreviations and, where present, a trained NER model)."""

from __future__ import annotations

import logging
import multiprocessing
import re
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from typing import Protocol

from spacy.language import Language
from spacy.tokens import Doc, Span
from threadpoolctl import threadpool_limits

from kg.ingest.paper import Paper
from kg.nlp import lexicon
from kg.nlp.docview import TITLE_SEPARATOR, view
from kg.nlp.hygiene import clean_span
from kg.nlp.mention import Label, Mention
from kg.nlp.orphans import exit_with_parent
from kg.nlp.pieces import pipe_in_pieces, share_abbreviations, text_pieces
from kg.nlp.pipeline import DEFAULT_EXTRACTOR, build_pipeline, extractor_fingerprint, load_judge
from kg.nlp.rules import SPANS_KEY, ensure_span_extensions, is_name_like

logger = logging.getLogger("kg.nlp")

_NAME = re.compile(r"[^\W\d_]{2}")
_ABBREVIATION_FLOOR = 0.7
_RULE_EXTRACTORS = {"rules", "abbreviation"}
_QUOTES = "\"'\u201c\u201d\u2018\u2019"
_LIST_JOINERS = {"and", "or", ",", "&"}
#: A name never begins or ends on a hyphen: a span that does was cut inside a word
#: ("LLaMA-2-" of "LLaMA-2-7B").
_EDGE_NOISE = {*_LIST_JOINERS, ";", "-", "\u2013", *_QUOTES}
#: Markdown emphasis opens a name ("*Incremental Stylistic Effect*"); a closing "*" may be
#: part of one ("A*", "IDA*"), so only an opening one is cut.
_LEADING_NOISE = {*_EDGE_NOISE, "*"}
#: A rule span at least this sure competes with a trained model's spans on confidence.
_SURE_RULE = 0.7
#: Confidence of a NER entity whose component gives none.
MODEL_CONFIDENCE = 0.75


class NameJudge(Protocol):
    """Decides which merged spans of a document name an entity, and as what type."""

    def __call__(self, doc: Doc, spans: list[Candidate]) -> list[Candidate]: ...


class Extractor(Protocol):
    """What the build needs from an extractor."""

    name: str
    version: str

    def extract(
        self, papers: Iterable[Paper], *, n_process: int = 1
    ) -> Iterator[tuple[Paper, list[Mention]]]: ...


def paper_text(paper: Paper) -> str:
    """The text the pipeline reads: the title, a blank line, the abstract."""
    return f"{paper.title}{TITLE_SEPARATOR}{paper.abstract}"


def label_from_head(span: Span) -> str | None:
    """The entity type a phrase's last word implies ("... estimation" -> TASK), if any."""
    # "framework for talking head generation" is a method: its head precedes the preposition.
    for token in span[1:]:
        if token.lower_ in {"for", "of", "with", "via", "from", "on"}:
            before = span.doc[span.start : token.i]
            if before[-1].lower_ in lexicon.METHOD_HEADS | lexicon.WEAK_METHOD_HEADS:
                return "METHOD"
            break
    head = span[-1].lower_
    if head in lexicon.TASK_HEADS:
        return "TASK"
    if head in lexicon.DATASET_HEADS:
        return "DATASET"
    if head in lexicon.METRIC_HEADS or span.text.lower() in lexicon.METRIC_NAMES:
        return "METRIC"
    if head in lexicon.METHOD_HEADS or head in lexicon.WEAK_METHOD_HEADS:
        return "METHOD"
    return None


@dataclass(frozen=True, slots=True)
class Candidate:
    """A typed token span one component proposes, with its confidence and the component."""

    start: int
    end: int
    label: str
    confidence: float
    extractor: str

    def overlaps(self, start: int, end: int) -> bool:
        return self.start < end and start < self.end


def candidates(doc: Doc) -> list[Candidate]:
    """What every component found: the rule spans (``doc.spans``, confidences in the group's
    attributes) and the entities of a NER component (``doc.ents``), whose confidence is
    ``span._.confidence`` when the component set it, else :data:`MODEL_CONFIDENCE`."""
    found: list[Candidate] = []
    group = doc.spans.get(SPANS_KEY)
    if group is not None:
        confidences = group.attrs.get("confidences", [])
        extractor = group.attrs.get("extractor", "rules")
        for span, confidence in zip(group, confidences, strict=True):
            found.append(Candidate(span.start, span.end, span.label_, confidence, extractor))
    for ent in doc.ents:
        if ent.label_ in Label.__members__:
            confidence = ent._.confidence if Span.has_extension("confidence") else None
            extractor = ent._.extractor if Span.has_extension("extractor") else None
            for start, end in _name_list(doc, *_trimmed(doc, ent.start, ent.end), ent.label_):
                found.append(
                    Candidate(
                        start,
                        end,
                        ent.label_,
                        MODEL_CONFIDENCE if confidence is None else float(confidence),
                        extractor or "model",
                    )
                )
    return found


def _trimmed(doc: Doc, start: int, end: int) -> tuple[int, int]:
    """The span without coordinators, commas, hyphens or quotes at its edges ("MNIST and" ->
    "MNIST", '"Conceptor-Aided Backprop"' -> 'Conceptor-Aided Backprop'), nor an opening
    emphasis mark."""
    while end > start and doc[end - 1].lower_ in _EDGE_NOISE:
        end -= 1
    while start < end and doc[start].lower_ in _LEADING_NOISE:
        start += 1
    return start, end


def _name_list(doc: Doc, start: int, end: int, label: str) -> list[tuple[int, int]]:
    """A span that coordinates names ("Omniglot and ImageNet", "VoxCeleb1, HDTF") as one
    span per name; any other span as it is. A coordinated phrase that is not a list of names
    ("convolutional and recurrent networks") stays whole.

    Dataset names count when capitalised; method and other names need a name's spelling
    (an inner capital or a digit), since "Gaussian Dropout and Variational Dropout" is not two
    methods' names split cleanly."""
    if end - start < 3:
        return [(start, end)] if start < end else []
    parts: list[tuple[int, int]] = []
    part_start = start
    for i in range(start, end):
        if doc[i].lower_ in _LIST_JOINERS:
            parts.append((part_start, i))
            part_start = i + 1
    parts.append((part_start, end))
    parts = [(a, b) for a, b in parts if a < b]
    if len(parts) < 2:
        return [(start, end)]

    def is_name(a: int, b: int) -> bool:
        if label == "DATASET" and (doc[a].is_title or doc[a].is_upper):
            return True
        return any(is_name_like(doc[k]) for k in range(a, b))

    return parts if all(is_name(a, b) for a, b in parts) else [(start, end)]


def _agree(found: list[Candidate]) -> list[Candidate]:
    """One candidate per span and type: where components agree, their confidences combine
    (noisy-or) and both are named."""
    by_span: dict[tuple[int, int, str], Candidate] = {}
    for c in found:
        key = (c.start, c.end, c.label)
        seen = by_span.get(key)
        if seen is None:
            by_span[key] = c
        elif c.extractor not in seen.extractor.split("+"):
            by_span[key] = Candidate(
                c.start,
                c.end,
                c.label,
                round(1 - (1 - seen.confidence) * (1 - c.confidence), 3),
                "+".join(sorted({*seen.extractor.split("+"), c.extractor})),
            )
    return list(by_span.values())


def _competes(candidate: Candidate) -> bool:
    """Whether a span competes on confidence: a trained model's, or a rule's that is at least
    :data:`_SURE_RULE` sure (names in a dataset list, metric names). Weaker rule spans, the
    phrases grown around a head word, only fill what no competing span covers."""
    if candidate.confidence >= _SURE_RULE:
        return True
    return any(name not in _RULE_EXTRACTORS for name in candidate.extractor.split("+"))


def merge_spans(doc: Doc) -> list[Candidate]:
    """One non-overlapping set of typed spans from every component.

    Components that agree on a span reinforce each other. An abbreviation defined as
    "Diffusion Transformer (DiT)" gives its long form and every use of its short form the long
    form's type. Other clashes go to the more confident span, then to the longer one, except
    that a weak rule span (below :data:`_SURE_RULE`) never displaces a trained model's span.
    """
    found = _agree(candidates(doc))
    # Which candidates cover each token, so that a long text with many abbreviations does not
    # compare every abbreviation's every use with every candidate.
    covering: defaultdict[int, list[int]] = defaultdict(list)
    for index, c in enumerate(found):
        for i in range(c.start, c.end):
            covering[i].append(index)

    def overlapping(ranges: Iterable[tuple[int, int]]) -> list[Candidate]:
        hits = {index for start, end in ranges for i in range(start, end) for index in covering[i]}
        return [found[index] for index in sorted(hits)]

    forced: list[Candidate] = []
    for abbreviation in doc._.abbreviations or []:
        long = abbreviation.long
        long_hits = [c for c in overlapping([(long.start, long.end)]) if c.end >= long.end - 1]
        short_hits = overlapping((o.start, o.end) for o in abbreviation.occurrences)
        label = label_from_head(long)
        confidence = _ABBREVIATION_FLOOR
        if long_hits:
            best = max(long_hits, key=lambda c: (c.confidence, c.end - c.start))
            label = label or best.label
            confidence = max(confidence, best.confidence)
        elif short_hits and label is None:
            best = max(short_hits, key=lambda c: c.confidence)
            label, confidence = best.label, max(confidence, best.confidence)
        if label is None:
            continue
        uses = [(use.start, use.end) for use in abbreviation.occurrences]
        for start, end in (_trimmed(doc, long.start, long.end), *uses):
            forced.append(
                Candidate(start, end, label, min(confidence + 0.05, 0.95), "abbreviation")
            )
    forced_tokens = {i for c in forced for i in range(c.start, c.end)}
    kept = [c for c in found if not forced_tokens.intersection(range(c.start, c.end))]
    # Measured on SciERC dev and held-out TDMSci, letting weak rule phrases override the model
    # costs F1; sure rule names keep dataset lists apart ("VoxCeleb1 and HDTF") where the
    # model joins them.
    kept.sort(key=lambda c: (-_competes(c), -c.confidence, -(c.end - c.start), c.start))
    chosen: list[Candidate] = list(forced)
    taken = set(forced_tokens)
    for c in kept:
        if taken.intersection(range(c.start, c.end)):
            continue
        chosen.append(c)
        taken.update(range(c.start, c.end))
    return sorted(chosen, key=lambda c: c.start)


def _names_something(text: str) -> bool:
    """Two letters in a row, or a metric's name ("F1", "R2"): not a number or a symbol."""
    return bool(_NAME.search(text)) or text.lower() in lexicon.METRIC_NAMES


def named_spans(doc: Doc, *, judge: NameJudge | None = None) -> list[Candidate]:
    """The merged spans cut to names (:func:`kg.nlp.hygiene.clean_span`: no function words
    or verbs at the edges, no lone adjectives, formulas, clauses or whole titles) and, with a
    ``judge``, only those it keeps, typed as it says."""
    words = view(doc)
    kept = []
    for candidate in merge_spans(doc):
        cut = clean_span(doc, candidate.start, candidate.end)
        if cut is not None and _names_something(words.span_text(*cut)):
            kept.append(replace(candidate, start=cut[0], end=cut[1]))
    return judge(doc, kept) if judge is not None else kept


def doc_to_mentions(
    doc: Doc,
    title_length: int,
    *,
    min_confidence: float = 0.0,
    judge: NameJudge | None = None,
    offset: int = 0,
) -> list[Mention]:
    """The document's merged spans as :class:`Mention` records with per-field offsets.

    ``offset`` is where the document's text starts in the paper's text: not 0 for the later
    pieces of a text too long to read at once."""
    abstract_start = title_length + len(TITLE_SEPARATOR)
    long_forms = {a.short.text: a.long.text.strip(_QUOTES) for a in doc._.abbreviations or []}
    sents = list(doc.sents) if doc.has_annotation("SENT_START") else [doc[:]]
    sent_starts = [sent.start for sent in sents]
    mentions = []
    # Texts are cut from the document's text by character offsets: Span.text, Span.sent and
    # Doc.text build a Token object for every word they cover.
    full_text = view(doc).text
    for candidate in named_spans(doc, judge=judge):
        span = doc[candidate.start : candidate.end]
        text = full_text[span.start_char : span.end_char]
        confidence = round(candidate.confidence, 3)
        if confidence < min_confidence:
            continue
        sentence = sents[bisect_right(sent_starts, span.start) - 1]
        start, end = offset + span.start_char, offset + span.end_char
        field, field_start = ("title", 0) if start < title_length else ("abstract", abstract_start)
        mentions.append(
            Mention(
                text=text,
                label=Label(candidate.label),
                field=field,
                start=start - field_start,
                end=end - field_start,
                sentence=full_text[sentence.start_char : sentence.end_char].strip(),
                confidence=confidence,
                source=candidate.extractor,
                long_form=long_forms.get(text),
            )
        )
    return mentions


class SpacyExtractor:
    """An :class:`Extractor` over a spaCy pipeline built by :func:`build_pipeline`.

    >>> extractor = SpacyExtractor.create("rules")
    >>> paper = Paper(id="x", title="A title", abstract="We study head pose estimation (HPE).")
    >>> [(m.text, m.label.value) for m in next(extractor.extract([paper]))[1]]
    [('head pose estimation', 'TASK'), ('HPE', 'TASK')]
    """

    def __init__(
        self,
        nlp: Language,
        *,
        name: str,
        version: str,
        min_confidence: float = 0.0,
        judge: NameJudge | None = None,
    ):
        ensure_span_extensions()
        self.nlp = nlp
        self.name = name
        self.version = version
        self.min_confidence = min_confidence
        self.judge = judge

    @classmethod
    def create(cls, extractor: str = DEFAULT_EXTRACTOR, *, min_confidence: float = 0.0):
        from kg import __version__

        return cls(
            build_pipeline(extractor),
            name=extractor,
            version=f"{__version__}+{extractor_fingerprint(extractor)}",
            min_confidence=min_confidence,
            judge=load_judge() if extractor == "model" else None,
        )

    def extract(
        self, papers: Iterable[Paper], *, n_process: int = 1, batch_size: int = 64
    ) -> Iterator[tuple[Paper, list[Mention]]]:
        """Mentions of each paper, in input order. With ``n_process`` > 1 the papers are shared
        out in chunks to worker processes that each hold the pipeline; only papers and mentions
        cross process boundaries, never spaCy documents."""
        papers = _noting_long_texts(papers, limit=self.nlp.max_length)
        if n_process <= 1:
            yield from self._extract_here(papers, batch_size)
            return
        yield from self._extract_in_processes(papers, n_process, batch_size)

    def _extract_here(
        self, papers: Iterable[Paper], batch_size: int
    ) -> Iterator[tuple[Paper, list[Mention]]]:
        pairs = ((paper_text(p), p) for p in papers)
        found: list[Mention] = []
        for doc, paper, offset, last in pipe_in_pieces(self.nlp, pairs, batch_size=batch_size):
            mentions = doc_to_mentions(
                doc,
                len(paper.title),
                min_confidence=self.min_confidence,
                judge=self.judge,
                offset=offset,
            )
            if offset == 0 and last:
                yield paper, mentions
                continue
            found.extend(mentions)
            if last:
                yield paper, share_abbreviations(found)
                found = []

    def _extract_in_processes(
        self, papers: Iterable[Paper], n_process: int, batch_size: int
    ) -> Iterator[tuple[Paper, list[Mention]]]:
        global _WORKER
        methods = multiprocessing.get_all_start_methods()
        # Forked workers inherit the loaded pipeline; elsewhere each worker loads it by name.
        context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
        _WORKER = self
        chunks = list(_chunks(papers, batch_size))
        try:
            with ProcessPoolExecutor(
                max_workers=n_process,
                mp_context=context,
                initializer=_start_worker,
                initargs=(self.name, self.min_confidence),
            ) as pool:
                for chunk, mentions in zip(chunks, pool.map(_extract_chunk, chunks), strict=True):
                    yield from zip(chunk, mentions, strict=True)
        finally:
            _WORKER = None


def _noting_long_texts(papers: Iterable[Paper], *, limit: int) -> Iterator[Paper]:
    """``papers`` as they are, with a warning for each whose text is read in pieces."""
    for paper in papers:
        text = paper_text(paper)
        if len(text) > limit:
            logger.warning(
                "paper %s (%s): its title and abstract are %s characters, more than the "
                "pipeline reads at once (%s); extracting them in %d pieces",
                paper.id,
                paper.source or "no source",
                f"{len(text):,}",
                f"{limit:,}",
                len(text_pieces(text, limit=limit)),
            )
        yield paper


_WORKER: SpacyExtractor | None = None


def _start_worker(name: str, min_confidence: float) -> None:
    global _WORKER
    exit_with_parent()
    # One BLAS thread per worker: the workers already share out the cores.
    threadpool_limits(1)
    if _WORKER is None:
        _WORKER = SpacyExtractor.create(name, min_confidence=min_confidence)


def _extract_chunk(papers: list[Paper]) -> list[list[Mention]]:
    assert _WORKER is not None
    return [mentions for _, mentions in _WORKER._extract_here(papers, len(papers))]


def _chunks(papers: Iterable[Paper], size: int) -> Iterator[list[Paper]]:
    chunk: list[Paper] = []
    for paper in papers:
        chunk.append(paper)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
