"""Papers, mentions and entities -> RDF triples under the paperkg ontology.

Triples are produced as a stream of rdflib terms so a large corpus never has to sit in an
rdflib ``Graph``; :func:`to_graph` collects them when a ``Graph`` is wanted.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal

from rdflib import RDF, RDFS, XSD, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, PROV, SKOS

from kg.graph.iri import IriMinter
from kg.graph.namespace import PKG
from kg.ingest.paper import Paper
from kg.nlp.mention import Label, Mention
from kg.resolve.entity import Entity, Resolution

Triple = tuple[URIRef, URIRef, URIRef | Literal]

ENTITY_CLASS = {
    Label.METHOD: PKG.Method,
    Label.DATASET: PKG.Dataset,
    Label.TASK: PKG.Task,
    Label.METRIC: PKG.Metric,
}
PAPER_LINK = {
    Label.METHOD: PKG.usesMethod,
    Label.DATASET: PKG.usesDataset,
    Label.TASK: PKG.addressesTask,
    Label.METRIC: PKG.reportsMetric,
}

PREFIXES = {
    "pkg": str(PKG),
    "dcterms": str(DCTERMS),
    "skos": str(SKOS),
    "prov": str(PROV),
    "foaf": str(FOAF),
    "rdfs": str(RDFS),
    "xsd": str(XSD),
}


@dataclass(frozen=True, slots=True)
class ExtractionInfo:
    """Which extractor produced the mentions: recorded as a ``pkg:Extraction`` activity."""

    name: str
    version: str


def paper_triples(
    paper: Paper, iri: URIRef, minter: IriMinter, known_authors: set[URIRef]
) -> Iterator[Triple]:
    """A paper's own triples; an author's type and name only the first time it is met."""
    yield iri, RDF.type, PKG.Paper
    yield iri, DCTERMS.identifier, Literal(paper.id)
    yield iri, DCTERMS.title, Literal(paper.title)
    if paper.abstract:
        yield iri, DCTERMS.abstract, Literal(paper.abstract)
    if paper.year is not None:
        yield iri, DCTERMS.date, Literal(str(paper.year), datatype=XSD.gYear)
    if paper.venue:
        yield iri, PKG.venue, Literal(paper.venue)
    if paper.url:
        yield iri, FOAF.page, URIRef(paper.url)
    for name in dict.fromkeys(paper.authors):
        author = minter.author(name)
        yield iri, DCTERMS.creator, author
        if author not in known_authors:
            known_authors.add(author)
            yield author, RDF.type, PKG.Author
            yield author, FOAF.name, Literal(name)


def entity_triples(entity: Entity, iri: URIRef) -> Iterator[Triple]:
    yield iri, RDF.type, ENTITY_CLASS[entity.label]
    yield iri, RDFS.label, Literal(entity.pref_label)
    yield iri, SKOS.prefLabel, Literal(entity.pref_label)
    for alt in entity.alt_labels:
        yield iri, SKOS.altLabel, Literal(alt)
    yield iri, PKG.mentionCount, Literal(entity.mention_count)
    yield iri, PKG.paperCount, Literal(len(entity.papers))


def mention_triples(
    paper: Paper,
    paper_iri: URIRef,
    mention: Mention,
    entity_iri: URIRef,
    extraction: URIRef,
    minter: IriMinter,
) -> Iterator[Triple]:
    iri = minter.mention(paper.id, mention.field, mention.start, mention.end)
    yield iri, RDF.type, PKG.Mention
    yield iri, PKG.inPaper, paper_iri
    yield iri, PKG.denotes, entity_iri
    yield iri, PKG.textField, Literal(mention.field)
    yield iri, PKG.exact, Literal(mention.text)
    yield iri, PKG.start, Literal(mention.start)
    yield iri, PKG.end, Literal(mention.end)
    yield iri, PKG.sentence, Literal(mention.sentence)
    yield iri, PKG.confidence, Literal(Decimal(str(mention.confidence)))
    yield iri, PKG.extractor, Literal(mention.source)
    yield iri, PROV.wasGeneratedBy, extraction


def graph_triples(
    records: Iterable[tuple[Paper, list[Mention]]],
    resolution: Resolution,
    *,
    minter: IriMinter,
    extraction: ExtractionInfo,
) -> Iterator[Triple]:
    """Every triple of the graph: papers, their links, mentions as evidence, entities."""
    run = minter.extraction(f"{extraction.name}-{extraction.version}")
    yield run, RDF.type, PKG.Extraction
    yield run, RDFS.label, Literal(f"paperkg {extraction.name} extractor {extraction.version}")
    entity_iris = {key: minter.entity(key[1].value, key[0]) for key in resolution.entities}
    for key, entity in resolution.entities.items():
        yield from entity_triples(entity, entity_iris[key])
    authors: set[URIRef] = set()
    for paper, mentions in records:
        paper_iri = minter.paper(paper.id)
        yield from paper_triples(paper, paper_iri, minter, authors)
        linked: set[tuple[URIRef, URIRef]] = set()
        for mention, resolved in zip(
            mentions, resolution.mention_entities.get(paper.id, []), strict=False
        ):
            if resolved is None:
                continue
            entity = resolved
            entity_iri = entity_iris[(entity.key, entity.label)]
            link = (PAPER_LINK[entity.label], entity_iri)
            if link not in linked:
                linked.add(link)
                yield paper_iri, link[0], link[1]
            yield from mention_triples(paper, paper_iri, mention, entity_iri, run, minter)


def to_graph(triples: Iterable[Triple]) -> Graph:
    """Collect triples into an rdflib ``Graph`` with paperkg's prefixes bound."""
    graph = Graph(bind_namespaces="none")
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace)
    for triple in triples:
        graph.add(triple)
    return graph
