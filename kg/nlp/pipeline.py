"""The one pipeline factory: which spaCy components run, in which order, for each extractor."""

from __future__ import annotations

import hashlib
import os
from functools import cache
from importlib.resources import files
from pathlib import Path

import numpy
import spacy
from spacy.language import Language
from spacy.tokens import Doc
from spacy.vectors import Vectors
from thinc.api import NumpyOps

from kg.errors import ModelError
from kg.nlp import DEFAULT_EXTRACTOR, EXTRACTORS
from kg.nlp.rules import ensure_span_extensions
from kg.nlp.specificity import SpecificityJudge

#: The longest text a pipeline reads at once (its ``max_length``); a longer one is read in
#: pieces (:mod:`kg.nlp.pieces`). Abstracts are a few thousand characters; past this, the
#: merging of what the components found grows faster than the text.
MAX_TEXT_LENGTH = 100_000

# Used when the shipped model's meta carries no per-label precision.
_DEFAULT_NER_CONFIDENCE = 0.75


def model_path() -> Path:
    """Where the trained NER pipeline ships inside the package."""
    return Path(str(files("kg") / "data" / "models" / "ner"))


@Language.component("paperkg_paragraph_breaks", requires=["token.is_sent_start"])
def paragraph_breaks(doc: Doc) -> Doc:
    """Start a new sentence after a blank line, so a title is a sentence of its own."""
    for token in doc[:-1]:
        if token.is_space and "\n" in token.text:
            doc[token.i + 1].is_sent_start = True
    return doc


class BlasOps(NumpyOps):
    """thinc's CPU operations with matrix products from numpy's BLAS instead of blis.

    The tok2vec layers are almost all matrix products; numpy's OpenBLAS runs them about twice
    as fast as the portable blis build on x86 CPUs, and can use more than one thread.
    """

    name = "paperkg_blas"

    def gemm(self, x, y, out=None, trans1=False, trans2=False):  # type: ignore[override]
        a = x.T if trans1 else x
        b = y.T if trans2 else y
        if out is None:
            return numpy.matmul(a, b)
        numpy.matmul(a, b, out=out)
        return out


def use_blas(nlp: Language) -> Language:
    """Give every layer of ``nlp``'s trained components :class:`BlasOps` (same results,
    faster)."""
    ops = BlasOps()
    for _, component in nlp.pipeline:
        model = getattr(component, "model", None)
        if model is not None and hasattr(model, "walk"):
            for layer in model.walk():
                layer.ops = ops
    return nlp


class RememberedVectors(Vectors):
    """Floret vectors that remember the vector of each word they were asked for.

    A floret look-up hashes every character n-gram of a word, which costs as much as a layer
    of the network; words repeat, so after the first batches most look-ups are dictionary hits.
    At most ``limit`` words are remembered.
    """

    limit = 200_000

    def get_batch(self, keys):  # type: ignore[override]
        keys = numpy.asarray(keys, dtype="uint64")
        unique, inverse = numpy.unique(keys, return_inverse=True)
        remembered: dict[int, numpy.ndarray] = self.__dict__.setdefault("remembered", {})
        wanted = unique.tolist()
        missing = [key for key in wanted if key not in remembered]
        if missing:
            if len(remembered) + len(missing) > self.limit:
                remembered.clear()
            rows = super().get_batch(numpy.asarray(missing, dtype="uint64"))
            remembered.update(zip(missing, rows, strict=True))
        if not wanted:
            return super().get_batch(keys)
        return numpy.stack([remembered[key] for key in wanted])[inverse.reshape(-1)]


def remember_vectors(nlp: Language) -> Language:
    """Swap ``nlp``'s floret vectors for :class:`RememberedVectors` over the same table."""
    vectors = nlp.vocab.vectors
    if vectors.mode == "floret" and not isinstance(vectors, RememberedVectors):
        nlp.vocab.vectors = RememberedVectors(
            strings=nlp.vocab.strings,
            data=vectors.data,
            name=vectors.name,
            mode="floret",
            minn=vectors.minn,
            maxn=vectors.maxn,
            hash_count=vectors.hash_count,
            hash_seed=vectors.hash_seed,
            bow=vectors.bow,
            eow=vectors.eow,
            attr=vectors.attr,
        )
    return nlp


class NerConfidence:
    """Gives each entity of a trained NER model a confidence: the model's precision for that
    label on held-out data, so that a clash with a rule is settled by how often each is right.

    Sets ``span._.confidence`` and ``span._.extractor`` (``"model"``) on ``doc.ents``.
    """

    def __init__(self, name: str, confidences: dict[str, float]) -> None:
        self.name = name
        self.confidences = dict(confidences)
        ensure_span_extensions()

    def __call__(self, doc: Doc) -> Doc:
        for ent in doc.ents:
            ent._.confidence = self.confidences.get(ent.label_, _DEFAULT_NER_CONFIDENCE)
            ent._.extractor = "model"
        return doc


@Language.factory(
    "paperkg_ner_confidence",
    assigns=["span._.confidence", "span._.extractor"],
    requires=["doc.ents"],
    default_config={"confidences": {}},
)
def make_ner_confidence(nlp: Language, name: str, confidences: dict[str, float]) -> NerConfidence:
    return NerConfidence(name, confidences)


def _label_precisions(nlp: Language) -> dict[str, float]:
    per_type = (nlp.meta.get("performance") or {}).get("ents_per_type") or {}
    return {
        label: round(float(scores["p"]), 3)
        for label, scores in per_type.items()
        if isinstance(scores, dict) and scores.get("p")
    }


def _load_model(path: Path | None = None) -> Language:
    path = path or model_path()
    if not (path / "config.cfg").exists():
        raise ModelError(
            f"the trained NER pipeline is missing from {path}; reinstall paperkg, "
            "or build with --extractor rules"
        )
    try:
        return remember_vectors(use_blas(spacy.load(path)))
    except (OSError, ValueError) as err:
        raise ModelError(f"cannot load the trained NER pipeline at {path}: {err}") from err


def load_judge() -> SpecificityJudge | None:
    """The specificity classifier shipped beside the NER model, if the package has one.
    ``PAPERKG_SPECIFICITY`` names another weights folder (for experiments)."""
    path = Path(os.environ.get("PAPERKG_SPECIFICITY") or model_path().parent / "specificity")
    if not (path / "weights.json").exists():
        return None
    return SpecificityJudge.from_disk(path)


@cache
def extractor_fingerprint(extractor: str = DEFAULT_EXTRACTOR) -> str:
    """A short hash of everything an extractor's output depends on besides the text: the
    extraction code and, for ``model``, the shipped model and classifier weights. It tells
    analyses of one extractor apart from another's, so a cache never serves stale ones.

    >>> len(extractor_fingerprint("rules"))
    10
    """
    digest = hashlib.sha256(extractor.encode())
    sources = sorted(Path(__file__).parent.glob("*.py"))
    if extractor == "model":
        weights = Path(os.environ.get("PAPERKG_SPECIFICITY") or model_path().parent / "specificity")
        sources += sorted(p for p in model_path().rglob("*") if p.is_file())
        sources += sorted(p for p in weights.glob("*") if p.is_file())
    for source in sources:
        digest.update(source.name.encode())
        digest.update(source.read_bytes())
    return digest.hexdigest()[:10]


def build_pipeline(extractor: str = DEFAULT_EXTRACTOR, *, model: Path | None = None) -> Language:
    """A spaCy pipeline for ``extractor``; ``model`` names another trained NER pipeline than
    the shipped one, for training and experiments.

    >>> build_pipeline("rules").pipe_names
    ['sentencizer', 'paperkg_paragraph_breaks', 'paperkg_abbreviations', 'paperkg_entity_rules']
    """
    if extractor not in EXTRACTORS:
        raise ModelError(f"unknown extractor {extractor!r}; choose one of: {', '.join(EXTRACTORS)}")
    if extractor == "model":
        nlp = _load_model(model)
        nlp.add_pipe(
            "paperkg_ner_confidence",
            after="ner",
            config={"confidences": _label_precisions(nlp)},
        )
        nlp.add_pipe("sentencizer", first=True)
    else:
        nlp = spacy.blank("en")
        nlp.add_pipe("sentencizer")
    nlp.add_pipe("paperkg_paragraph_breaks")
    nlp.add_pipe("paperkg_abbreviations")
    nlp.add_pipe("paperkg_entity_rules")
    nlp.max_length = MAX_TEXT_LENGTH
    return nlp
