"""The record every reader yields: one paper with its bibliographic fields."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Paper:
    """One paper as read from an input file.

    ``id`` is the stable identity: the source's id (``arxiv:2212.09058``, ``doi:10.1/x``,
    ``openalex:W123``, or the id the file gave) or, failing that, ``title:<hash>`` of the
    normalised title. ``source`` names the file and line the record came from.
    """

    id: str
    title: str
    abstract: str
    authors: tuple[str, ...] = field(default=())
    year: int | None = None
    venue: str | None = None
    url: str | None = None
    source: str | None = None
