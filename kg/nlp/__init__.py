"""Extraction: text -> typed mentions of methods, datasets, tasks and metrics."""

from __future__ import annotations

from kg.nlp.extract import Extractor, SpacyExtractor, doc_to_mentions, paper_text
from kg.nlp.mention import Label, Mention
from kg.nlp.pipeline import DEFAULT_EXTRACTOR, EXTRACTORS, build_pipeline

__all__ = [
    "DEFAULT_EXTRACTOR",
    "EXTRACTORS",
    "Extractor",
    "Label",
    "Mention",
    "SpacyExtractor",
    "build_pipeline",
    "doc_to_mentions",
    "paper_text",
]
