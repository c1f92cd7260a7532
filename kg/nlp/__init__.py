"""Extraction: text -> typed mentions of methods, datasets, tasks and metrics.

The names below are loaded on first use, so that importing ``kg.nlp`` (or reading its
extractor names, as the command line does) does not load spaCy.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kg.nlp.extract import Extractor, SpacyExtractor, doc_to_mentions, paper_text
    from kg.nlp.mention import Label, Mention
    from kg.nlp.pipeline import build_pipeline

#: ``model``: the trained NER pipeline shipped in the package, with the rules and
#: abbreviations around it. ``rules``: rules and abbreviations on a blank pipeline.
EXTRACTORS = ("model", "rules")
DEFAULT_EXTRACTOR = "model"

_HOMES = {
    "Extractor": "kg.nlp.extract",
    "SpacyExtractor": "kg.nlp.extract",
    "doc_to_mentions": "kg.nlp.extract",
    "paper_text": "kg.nlp.extract",
    "Label": "kg.nlp.mention",
    "Mention": "kg.nlp.mention",
    "build_pipeline": "kg.nlp.pipeline",
}

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


def __getattr__(name: str) -> object:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(home), name)
    globals()[name] = value
    return value
