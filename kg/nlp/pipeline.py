"""The one pipeline factory: which spaCy components run, in which order, for each extractor."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from kg.errors import ModelError
from kg.nlp.rules import ensure_span_extensions

#: ``model``: the trained NER pipeline shipped in the package, with the rules and
#: abbreviations around it. ``rules``: rules and abbreviations on a blank pipeline.
EXTRACTORS = ("model", "rules")
DEFAULT_EXTRACTOR = "model"

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


def _load_model() -> Language:
    path = model_path()
    if not (path / "config.cfg").exists():
        raise ModelError(
            f"the trained NER pipeline is missing from {path}; reinstall paperkg, "
            "or build with --extractor rules"
        )
    try:
        return spacy.load(path)
    except (OSError, ValueError) as err:
        raise ModelError(f"cannot load the trained NER pipeline at {path}: {err}") from err


def build_pipeline(extractor: str = DEFAULT_EXTRACTOR) -> Language:
    """A spaCy pipeline for ``extractor``.

    >>> build_pipeline("rules").pipe_names
    ['sentencizer', 'paperkg_paragraph_breaks', 'paperkg_abbreviations', 'paperkg_entity_rules']
    """
    if extractor not in EXTRACTORS:
        raise ModelError(f"unknown extractor {extractor!r}; choose one of: {', '.join(EXTRACTORS)}")
    if extractor == "model":
        nlp = _load_model()
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
    return nlp
