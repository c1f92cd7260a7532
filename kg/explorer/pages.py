"""What the explorer's pages show, read from the store: an entity (through :mod:`kg.api`), a
paper with its mentions placed in its text, and a search over names and titles."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kg.api import ENTITY_TYPES, EntityFacts, KnowledgeGraph, Record, results_query

#: How many entities and papers a search lists at most.
SEARCH_LIMIT = 50

_CLASSES = " ".join(f"pkg:{name}" for name in ENTITY_TYPES)

_BY_SUFFIX = """
SELECT ?iri WHERE {
  VALUES ?class { %(classes)s }
  ?iri a ?class .
  FILTER(STRENDS(STR(?iri), ?suffix))
}
LIMIT 1
"""

_PAPER = """
SELECT ?id ?title ?abstract ?year ?venue WHERE {
  ?iri a pkg:Paper ; dcterms:identifier ?id ; dcterms:title ?title .
  OPTIONAL { ?iri dcterms:abstract ?abstract }
  OPTIONAL { ?iri dcterms:date ?year }
  OPTIONAL { ?iri pkg:venue ?venue }
}
"""

_PAPER_MENTIONS = """
SELECT ?field ?start ?end ?entity ?label ?type WHERE {
  ?m a pkg:Mention ; pkg:inPaper ?iri ; pkg:textField ?field ; pkg:start ?start ;
     pkg:end ?end ; pkg:denotes ?entity .
  ?entity rdfs:label ?label ; a ?class .
  VALUES ?class { %(classes)s }
  BIND(STRAFTER(STR(?class), "#") AS ?type)
}
ORDER BY ?field ?start DESC(?end)
"""

_SEARCH_ENTITIES = """
SELECT ?iri ?label ?type ?papers WHERE {
  VALUES ?class { %(classes)s }
  ?iri a ?class ; rdfs:label ?label ; pkg:paperCount ?papers .
  FILTER EXISTS { ?iri rdfs:label|skos:altLabel ?name FILTER(CONTAINS(LCASE(?name), ?text)) }
  BIND(STRAFTER(STR(?class), "#") AS ?type)
}
ORDER BY DESC(?papers) ?label
LIMIT %(limit)d
"""

_SEARCH_PAPERS = """
SELECT ?iri ?id ?title ?year WHERE {
  ?iri a pkg:Paper ; dcterms:title ?title ; dcterms:identifier ?id .
  FILTER(CONTAINS(LCASE(?title), ?text))
  OPTIONAL { ?iri dcterms:date ?year }
}
ORDER BY DESC(?year) ?title
LIMIT %(limit)d
"""


def page_key(iri: str) -> str:
    """The last part of an entity's or paper's IRI: what its page's URL ends with.

    >>> page_key("https://w3id.org/paperkg/resource/entity/bert-1a2b3c4d")
    'bert-1a2b3c4d'
    """
    return iri.rstrip("/").rsplit("/", 1)[-1]


@dataclass(frozen=True, slots=True)
class Span:
    """A run of a paper's text: plain, or a mention of the entity ``entity`` (an IRI)."""

    text: str
    entity: str | None = None
    label: str | None = None
    type: str | None = None


@dataclass(frozen=True, slots=True)
class PaperFacts:
    iri: str
    identifier: str
    year: object
    venue: object
    title: list[Span]
    abstract: list[Span]
    results: list[Record]
    mentions: int


def find_entity(graph: KnowledgeGraph, key: str) -> EntityFacts:
    """The entity whose IRI ends with ``/key``, or else the one named ``key``; raises
    :class:`~kg.errors.UnknownEntityError` with the closest names when there is none."""
    rows = graph.records(_BY_SUFFIX % {"classes": _CLASSES}, suffix=f"/{key}")
    return graph.entity_facts(str(rows[0]["iri"]) if rows else key)


def find_paper(graph: KnowledgeGraph, key: str) -> PaperFacts | None:
    """The paper whose IRI ends with ``/key`` or whose identifier is ``key``; ``None`` if none."""
    rows = graph.records(
        "SELECT ?iri WHERE { ?iri a pkg:Paper "
        "FILTER(STRENDS(STR(?iri), ?suffix) || STR(?id) = ?key) "
        "OPTIONAL { ?iri dcterms:identifier ?id } } LIMIT 1",
        suffix=f"/{key}",
        key=key,
    )
    if not rows:
        return None
    iri = str(rows[0]["iri"])
    bind = {"iri": f"<{iri}>"}
    paper = graph.records(_PAPER, **bind)[0]
    mentions = graph.records(_PAPER_MENTIONS % {"classes": _CLASSES}, **bind)
    by_field: dict[str, list[Record]] = {}
    for mention in mentions:
        by_field.setdefault(str(mention["field"]), []).append(mention)
    return PaperFacts(
        iri=iri,
        identifier=str(paper["id"]),
        year=paper["year"],
        venue=paper["venue"],
        title=marked_spans(str(paper["title"]), by_field.get("title", [])),
        abstract=marked_spans(str(paper["abstract"] or ""), by_field.get("abstract", [])),
        results=graph.records(results_query(), p=bind["iri"]),
        mentions=len(mentions),
    )


def marked_spans(text: str, mentions: list[Record]) -> list[Span]:
    """``text`` cut into plain runs and mentions (each with ``start``, ``end``, ``entity``,
    ``label`` and ``type``). Where mentions overlap, the one that starts first (and, on a tie,
    is longest) is kept.

    >>> spans = marked_spans("We use BERT.", [
    ...     {"start": 7, "end": 11, "entity": "e:bert", "label": "BERT", "type": "Method"}])
    >>> [(s.text, s.entity) for s in spans]
    [('We use ', None), ('BERT', 'e:bert'), ('.', None)]
    """
    spans: list[Span] = []
    position = 0
    for mention in sorted(mentions, key=lambda m: (_int(m["start"]), -_int(m["end"]))):
        start, end = _int(mention["start"]), _int(mention["end"])
        if start < position or end > len(text) or start >= end:
            continue
        if start > position:
            spans.append(Span(text[position:start]))
        spans.append(
            Span(
                text[start:end],
                str(mention["entity"]),
                str(mention["label"]),
                str(mention["type"]),
            )
        )
        position = end
    if position < len(text):
        spans.append(Span(text[position:]))
    return spans


def search(graph: KnowledgeGraph, text: str) -> tuple[list[Record], list[Record]]:
    """Entities (by papers) whose label or alias holds ``text``, and papers (newest first)
    whose title does, in any case; at most :data:`SEARCH_LIMIT` of each."""
    wanted = text.strip().lower()
    if not wanted:
        return [], []
    fill: dict[str, Any] = {"classes": _CLASSES, "limit": SEARCH_LIMIT}
    entities = graph.records(_SEARCH_ENTITIES % fill, text=wanted)
    papers = graph.records(_SEARCH_PAPERS % fill, text=wanted)
    return entities, papers


def _int(value: object) -> int:
    return int(str(value))


__all__ = [
    "PaperFacts",
    "Span",
    "find_entity",
    "find_paper",
    "marked_spans",
    "page_key",
    "search",
]
