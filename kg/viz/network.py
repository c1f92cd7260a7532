"""The paper-entity network of a paperkg graph as a networkx graph, ready to draw.

Papers and research entities become nodes, paper-to-entity links and ``skos:broader`` become edges.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

import networkx as nx
from rdflib import RDF, RDFS, SKOS, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS

from kg.graph.namespace import PKG

#: Entity classes known to the ontology, in the order that decides an entity's kind when it
#: carries several types. Subclasses of ``pkg:ResearchEntity`` found in the graph come after.
ENTITY_CLASSES: tuple[URIRef, ...] = (PKG.Method, PKG.Dataset, PKG.Task, PKG.Metric)

#: Paper-to-entity properties known to the ontology; sub-properties of ``pkg:mentions`` found
#: in the graph are added to these.
LINK_PROPERTIES: tuple[URIRef, ...] = (
    PKG.proposes,
    PKG.usesMethod,
    PKG.evaluatesOn,
    PKG.addressesTask,
    PKG.reportsMetric,
)

_KNOWN_LABELS: dict[URIRef, str] = {
    PKG.mentions: "mentions",
    PKG.proposes: "proposes",
    PKG.usesMethod: "uses method",
    PKG.evaluatesOn: "evaluates on",
    PKG.addressesTask: "addresses task",
    PKG.reportsMetric: "reports metric",
    SKOS.broader: "broader",
}

PAPER_SIZE = 8.0
_ALT_LABELS_SHOWN = 3
_LABEL_LENGTH = 40
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


@dataclass
class _Entity:
    iri: URIRef
    kind: str
    type_label: str
    label: str
    alt_labels: list[str]
    papers: set[URIRef] = field(default_factory=set)
    stated_paper_count: int | None = None

    @property
    def paper_count(self) -> int:
        # The graph's own count is authoritative; counting links is the fallback for graphs
        # built without the entity statistics.
        if self.stated_paper_count is not None:
            return self.stated_paper_count
        return len(self.papers)


def to_networkx(graph: Graph, *, max_entities: int | None = 300, min_papers: int = 1) -> nx.Graph:
    """The papers and research entities of ``graph`` as an undirected networkx graph.

    Node ids are the IRIs as strings. Every node has ``kind`` (``paper``, ``method``,
    ``dataset``, ``task``, ``metric``, or the lower-cased name of another entity class),
    ``label``, ``title`` (hover text) and ``size``; entities also have ``paper_count``.
    Every edge has ``label`` (the property's label), ``predicate`` (its IRI) and ``source``
    (the node the RDF statement starts from, since the graph itself is undirected).

    Entities named by fewer than ``min_papers`` papers are left out. When more than
    ``max_entities`` remain, those named by most papers are kept (ties by label, then IRI).
    A paper is drawn only when it links to a drawn entity. ``graph.graph`` holds
    ``papers_total`` and ``entities_total``: the counts before any cut.

    >>> from rdflib import Graph
    >>> to_networkx(Graph()).number_of_nodes()
    0
    """
    if max_entities is not None and max_entities < 0:
        raise ValueError(f"max_entities must be at least 0 or None, got {max_entities}")

    link_properties = _link_properties(graph)
    entities = _read_entities(graph, link_properties)
    papers = sorted(
        {p for p in graph.subjects(RDF.type, PKG.Paper) if isinstance(p, URIRef)}, key=str
    )
    paper_set = set(papers)

    links: dict[tuple[URIRef, URIRef], set[URIRef]] = defaultdict(set)
    for prop in link_properties:
        for paper, entity in graph.subject_objects(prop):
            if (
                isinstance(paper, URIRef)
                and isinstance(entity, URIRef)
                and paper in paper_set
                and entity in entities
            ):
                links[(paper, entity)].add(prop)
                entities[entity].papers.add(paper)

    ranked = sorted(
        (e for e in entities.values() if e.paper_count >= min_papers),
        key=lambda e: (-e.paper_count, e.label.casefold(), e.label, str(e.iri)),
    )
    kept = ranked if max_entities is None else ranked[:max_entities]
    kept_iris = {e.iri for e in kept}
    linked_papers: set[URIRef] = set().union(*(e.papers for e in kept))
    kept_papers = [p for p in papers if p in linked_papers]

    out = nx.Graph(papers_total=len(papers), entities_total=len(entities))
    for paper in kept_papers:
        out.add_node(str(paper), **_paper_attributes(graph, paper))
    for kept_entity in kept:
        out.add_node(str(kept_entity.iri), **_entity_attributes(kept_entity))

    for (paper, entity), props in sorted(links.items(), key=lambda item: str(item[0])):
        if entity not in kept_iris:
            continue
        # An inferred pkg:mentions next to a specific link says nothing more; show the specific one.
        specific = props - {PKG.mentions} or props
        out.add_edge(
            str(paper),
            str(entity),
            label=", ".join(sorted(_property_label(graph, p) for p in specific)),
            predicate=" ".join(sorted(str(p) for p in specific)),
            source=str(paper),
        )

    broader = sorted(
        (s, o) for s, o in graph.subject_objects(SKOS.broader) if s in kept_iris and o in kept_iris
    )
    for narrower, wider in broader:
        out.add_edge(
            str(narrower),
            str(wider),
            label=_property_label(graph, SKOS.broader),
            predicate=str(SKOS.broader),
            source=str(narrower),
        )
    return out


def _link_properties(graph: Graph) -> list[URIRef]:
    """``pkg:mentions``, its known sub-properties and any the graph declares, sorted."""
    found: set[URIRef] = {PKG.mentions, *LINK_PROPERTIES}
    for prop in graph.transitive_subjects(RDFS.subPropertyOf, PKG.mentions):
        if isinstance(prop, URIRef):
            found.add(prop)
    return sorted(found, key=str)


def _entity_classes(graph: Graph) -> list[URIRef]:
    found = list(ENTITY_CLASSES)
    extra = {
        c
        for c in graph.transitive_subjects(RDFS.subClassOf, PKG.ResearchEntity)
        if isinstance(c, URIRef) and c not in found and c != PKG.ResearchEntity
    }
    return found + sorted(extra, key=str)


def _read_entities(graph: Graph, link_properties: Iterable[URIRef]) -> dict[URIRef, _Entity]:
    classes = _entity_classes(graph)
    candidates: set[URIRef] = set()
    for cls in [*classes, PKG.ResearchEntity]:
        candidates.update(s for s in graph.subjects(RDF.type, cls) if isinstance(s, URIRef))
    for prop in link_properties:
        candidates.update(o for o in graph.objects(None, prop) if isinstance(o, URIRef))

    entities: dict[URIRef, _Entity] = {}
    for iri in candidates:
        types = set(graph.objects(iri, RDF.type))
        if PKG.Paper in types or PKG.Mention in types:
            continue
        kind_class = next((c for c in classes if c in types), None)
        if kind_class is None:
            kind, type_label = "entity", "Research entity"
        else:
            kind = _local_name(kind_class).lower()
            type_label = _text(graph, kind_class, RDFS.label) or _local_name(kind_class)
        label = (
            _text(graph, iri, SKOS.prefLabel) or _text(graph, iri, RDFS.label) or _local_name(iri)
        )
        alt_labels = sorted({str(a) for a in graph.objects(iri, SKOS.altLabel)} - {label})
        entities[iri] = _Entity(
            iri=iri,
            kind=kind,
            type_label=type_label,
            label=label,
            alt_labels=alt_labels,
            stated_paper_count=_integer(graph, iri, PKG.paperCount),
        )
    return entities


def _paper_attributes(graph: Graph, paper: URIRef) -> dict[str, object]:
    title = _text(graph, paper, DCTERMS.title) or _local_name(paper)
    identifier = _text(graph, paper, DCTERMS.identifier)
    year = _year(graph, paper)
    hover = f"{title} ({year})" if year else title
    if identifier:
        hover += f"\n{identifier}"
    return {
        "kind": "paper",
        "label": _shorten(title, _LABEL_LENGTH),
        "title": hover,
        "size": PAPER_SIZE,
    }


def _entity_attributes(entity: _Entity) -> dict[str, object]:
    count = entity.paper_count
    lines = [entity.label, f"{entity.type_label} · {count} paper{'s' if count != 1 else ''}"]
    if entity.alt_labels:
        shown = entity.alt_labels[:_ALT_LABELS_SHOWN]
        more = len(entity.alt_labels) - len(shown)
        lines.append("also: " + ", ".join(shown) + (f" and {more} more" if more else ""))
    return {
        "kind": entity.kind,
        "label": entity.label,
        "title": "\n".join(lines),
        # Area, not radius, grows with the count, so a hub does not swamp the view.
        "size": round(10.0 + 4.0 * math.sqrt(max(count, 0)), 1),
        "paper_count": count,
    }


def _property_label(graph: Graph, prop: URIRef) -> str:
    if prop in _KNOWN_LABELS:
        return _KNOWN_LABELS[prop]
    declared = _text(graph, prop, RDFS.label)
    return declared or _CAMEL.sub(" ", _local_name(prop)).lower()


def _text(graph: Graph, subject: URIRef, predicate: URIRef) -> str | None:
    """One literal value, preferring English and then the smallest, so the choice is stable."""
    values = [o for o in graph.objects(subject, predicate) if isinstance(o, Literal)]
    if not values:
        return None
    english = [v for v in values if (v.language or "").lower().startswith("en")]
    return min(str(v) for v in (english or values))


def _integer(graph: Graph, subject: URIRef, predicate: URIRef) -> int | None:
    for value in sorted(graph.objects(subject, predicate), key=str):
        if isinstance(value, Literal):
            try:
                return int(str(value))
            except ValueError:
                continue
    return None


def _year(graph: Graph, paper: URIRef) -> str | None:
    dates = sorted(str(d) for d in graph.objects(paper, DCTERMS.date) if isinstance(d, Literal))
    if not dates:
        return None
    # A gYear is already a year; a full date or dateTime shows only its year.
    return dates[0][:4] if dates[0][:4].isdigit() else dates[0]


def _local_name(iri: URIRef) -> str:
    text = str(iri)
    return re.split(r"[#/]", text.rstrip("/#"))[-1] or text


def _shorten(text: str, length: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"


__all__ = ["ENTITY_CLASSES", "LINK_PROPERTIES", "PAPER_SIZE", "to_networkx"]
