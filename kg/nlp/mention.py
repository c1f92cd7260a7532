"""The record the extraction stage yields: one typed mention in a paper's text."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Label(StrEnum):
    """The four kinds of entity paperkg extracts."""

    METHOD = "METHOD"
    DATASET = "DATASET"
    TASK = "TASK"
    METRIC = "METRIC"


@dataclass(frozen=True, slots=True)
class Mention:
    """A span of a paper's text that names a method, dataset, task or metric.

    ``field`` is ``"title"`` or ``"abstract"`` and ``start``/``end`` are character offsets into
    that field of the :class:`~kg.ingest.Paper`; ``sentence`` is the sentence holding the span.
    ``source`` names the component that found it (``rules``, ``abbreviation``, ``model``).
    ``long_form`` is set on an acronym whose definition was seen in the same text.
    """

    text: str
    label: Label
    field: str
    start: int
    end: int
    sentence: str
    confidence: float
    source: str
    long_form: str | None = None
