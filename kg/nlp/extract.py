"""From papers to mentions: runs a pipeline over title + abstract and merges what its
components found (rules, abbreviations and, where present, a trained NER model)."""

from __future__ import annotations

import multiprocessing
import re
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from typing import Protocol

from spacy.language import Language
from spacy.tokens import Doc, Span

from kg.ingest.paper import Paper
from kg.nlp import lexicon
from kg.nlp.mention import Label, Mention
from kg.nlp.pipeline import DEFAULT_EXTRACTOR, build_pipeline
from kg.nlp.rules import SPANS_KEY, ensure_span_extensions

TITLE_SEPARATOR = "\n\n"
_NAME = re.compile(r"[^\W\d_]{2}")
_ABBREVIATION_FLOOR = 0.7


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


def _candidate_spans(doc: Doc) -> list[Span]:
    spans = list(doc.spans.get(SPANS_KEY, []))
    for ent in doc.ents:
        if ent.label_ in Label.__members__:
            spans.append(ent)
    return spans


def _overlaps(a: Span, b: Span) -> bool:
    return a.start < b.end and b.start < a.end


def merge_spans(doc: Doc) -> list[Span]:
    """One non-overlapping set of typed spans: every component's spans, then abbreviation
    definitions and their uses typed as their long form, the more confident span winning a clash.

    A short form defined as "Diffusion Transformer (DiT)" takes the long form's type everywhere
    it occurs in the document.
    """
    spans = _candidate_spans(doc)
    forced: list[Span] = []
    for abbreviation in doc._.abbreviations or []:
        long, _short = abbreviation.long, abbreviation.short
        long_hits = [s for s in spans if _overlaps(s, long) and s.end >= long.end - 1]
        short_hits = [s for s in spans if any(_overlaps(s, o) for o in abbreviation.occurrences)]
        label = label_from_head(long)
        confidence = _ABBREVIATION_FLOOR
        if long_hits:
            best = max(long_hits, key=lambda s: (s._.confidence or 0, len(s)))
            label = label or best.label_
            confidence = max(confidence, best._.confidence or 0)
        elif short_hits and label is None:
            best = max(short_hits, key=lambda s: s._.confidence or 0)
            label, confidence = best.label_, max(confidence, best._.confidence or 0)
        if label is None:
            continue
        for span in (long, *abbreviation.occurrences):
            typed = Span(doc, span.start, span.end, label=label)
            typed._.confidence = min(confidence + 0.05, 0.95)
            typed._.extractor = "abbreviation"
            forced.append(typed)
    forced_tokens = {i for s in forced for i in range(s.start, s.end)}
    kept = [s for s in spans if not forced_tokens.intersection(range(s.start, s.end))]
    # Among the remaining clashes keep the more confident, then the longer span.
    kept.sort(key=lambda s: (-(s._.confidence or 0), -(s.end - s.start), s.start))
    chosen: list[Span] = list(forced)
    taken = set(forced_tokens)
    for span in kept:
        if taken.intersection(range(span.start, span.end)):
            continue
        chosen.append(span)
        taken.update(range(span.start, span.end))
    return sorted(chosen, key=lambda s: s.start)


def doc_to_mentions(doc: Doc, title_length: int, *, min_confidence: float = 0.0) -> list[Mention]:
    """The document's merged spans as :class:`Mention` records with per-field offsets."""
    abstract_start = title_length + len(TITLE_SEPARATOR)
    long_forms = {a.short.text: a.long.text for a in doc._.abbreviations or []}
    mentions = []
    for span in merge_spans(doc):
        confidence = round(float(span._.confidence or 0.5), 3)
        if confidence < min_confidence or not _NAME.search(span.text) or "=" in span.text:
            # Formulas such as "O(1/t" or "G=(P" are not names of anything.
            continue
        if span.start_char < title_length:
            field, offset = "title", 0
        else:
            field, offset = "abstract", abstract_start
        mentions.append(
            Mention(
                text=span.text,
                label=Label(span.label_),
                field=field,
                start=span.start_char - offset,
                end=span.end_char - offset,
                sentence=span.sent.text.strip(),
                confidence=confidence,
                source=span._.extractor or "model",
                long_form=long_forms.get(span.text),
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

    def __init__(self, nlp: Language, *, name: str, version: str, min_confidence: float = 0.0):
        ensure_span_extensions()
        self.nlp = nlp
        self.name = name
        self.version = version
        self.min_confidence = min_confidence

    @classmethod
    def create(cls, extractor: str = DEFAULT_EXTRACTOR, *, min_confidence: float = 0.0):
        from kg import __version__

        return cls(
            build_pipeline(extractor),
            name=extractor,
            version=__version__,
            min_confidence=min_confidence,
        )

    def extract(
        self, papers: Iterable[Paper], *, n_process: int = 1, batch_size: int = 64
    ) -> Iterator[tuple[Paper, list[Mention]]]:
        """Mentions of each paper, in input order. With ``n_process`` > 1 the papers are shared
        out in chunks to worker processes that each hold the pipeline; only papers and mentions
        cross process boundaries, never spaCy documents."""
        if n_process <= 1:
            yield from self._extract_here(papers, batch_size)
            return
        yield from self._extract_in_processes(papers, n_process, batch_size)

    def _extract_here(
        self, papers: Iterable[Paper], batch_size: int
    ) -> Iterator[tuple[Paper, list[Mention]]]:
        pairs = ((paper_text(p), p) for p in papers)
        for doc, paper in self.nlp.pipe(pairs, as_tuples=True, batch_size=batch_size):
            yield paper, doc_to_mentions(doc, len(paper.title), min_confidence=self.min_confidence)

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


_WORKER: SpacyExtractor | None = None


def _start_worker(name: str, min_confidence: float) -> None:
    global _WORKER
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
