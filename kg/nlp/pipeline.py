"""The one pipeline factory: which spaCy components run, in which order, for each extractor."""

from __future__ import annotations

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from kg.errors import ModelError

EXTRACTORS = ("rules",)
DEFAULT_EXTRACTOR = "rules"


@Language.component("paperkg_paragraph_breaks", requires=["token.is_sent_start"])
def paragraph_breaks(doc: Doc) -> Doc:
    """Start a new sentence after a blank line, so a title is a sentence of its own."""
    for token in doc[:-1]:
        if token.is_space and "\n" in token.text:
            doc[token.i + 1].is_sent_start = True
    return doc


def build_pipeline(extractor: str = DEFAULT_EXTRACTOR) -> Language:
    """A spaCy pipeline for ``extractor``.

    >>> build_pipeline("rules").pipe_names
    ['sentencizer', 'paperkg_paragraph_breaks', 'paperkg_abbreviations', 'paperkg_entity_rules']
    """
    if extractor not in EXTRACTORS:
        raise ModelError(f"unknown extractor {extractor!r}; choose one of: {', '.join(EXTRACTORS)}")
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    nlp.add_pipe("paperkg_paragraph_breaks")
    nlp.add_pipe("paperkg_abbreviations")
    nlp.add_pipe("paperkg_entity_rules")
    return nlp
