"""Papers, mentions, entities, results and links -> RDF triples under the paperkg ontology.

Triples are produced as a stream of rdflib terms so a large corpus never has to sit in an
rdflib ``Graph``; :func:`to_graph` collects them when a ``Graph`` is wanted.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from itertools import product

from rdflib import OWL, RDF, RDFS, XSD, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, PROV, SDO, SKOS

from kg.graph.iri import IriMinter
from kg.graph.namespace import PKG
from kg.graph.terms import PREFIXES, Triple
from kg.ingest.paper import Paper
from kg.nlp.analysis import PaperAnalysis
from kg.nlp.links import COMPONENT as LINK_COMPONENT
from kg.nlp.links import Link, LinkKind
from kg.nlp.mention import Label, Mention
from kg.nlp.results import ResultClaim, ResultKind
from kg.resolve.entity import Entity, Resolution

ENTITY_CLASS = {
    Label.METHOD: PKG.Method,
    Label.DATASET: PKG.Dataset,
    Label.TASK: PKG.Task,
    Label.METRIC: PKG.Metric,
}
PAPER_LINK = {
    Label.METHOD: PKG.usesMethod,
    Label.DATASET: PKG.evaluatesOn,
    Label.TASK: PKG.addressesTask,
    Label.METRIC: PKG.reportsMetric,
}
# A web address a paper gives, by its kind: code on a code host, or any other page.
LINK_PROPERTY: dict[LinkKind, URIRef] = {"code": SDO.codeRepository, "page": FOAF.page}
# Entity pairs named by the same paper become links between the entities.
ASSOCIATIONS = (
    (Label.METHOD, Label.TASK, PKG.appliedTo),
    (Label.METHOD, Label.DATASET, PKG.evaluatedOn),
    (Label.DATASET, Label.TASK, PKG.benchmarkFor),
)


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


def entity_triples(
    entity: Entity, iri: URIRef, papers: int, rank: int, broader: URIRef | None
) -> Iterator[Triple]:
    yield iri, RDF.type, ENTITY_CLASS[entity.label]
    yield iri, RDFS.label, Literal(entity.pref_label)
    yield iri, SKOS.prefLabel, Literal(entity.pref_label)
    for alt in entity.alt_labels:
        yield iri, SKOS.altLabel, Literal(alt)
    yield iri, PKG.mentionCount, Literal(entity.mention_count)
    yield iri, PKG.paperCount, Literal(papers)
    yield iri, PKG.paperRank, Literal(rank)
    if broader is not None:
        yield iri, SKOS.broader, broader


def paper_ranks(entities: dict[str, Entity], papers: dict[str, int]) -> dict[str, int]:
    """Each entity's place among the entities of its type, by ``papers`` (most first), then by
    label, then by key: what a query for the most named entities sorts by, computed once so
    that the query reads the first places instead of sorting every entity.

    >>> from collections import Counter
    >>> def named(key):
    ...     return Entity(key=key, label=Label.DATASET, surface_forms=Counter([key]))
    >>> ranks = paper_ranks(
    ...     {k: named(k) for k in ("b", "a", "c")}, {"a": 2, "b": 5, "c": 2}
    ... )
    >>> sorted(ranks.items())
    [('a', 2), ('b', 1), ('c', 3)]
    """
    ranks: dict[str, int] = {}
    counters: dict[Label, int] = defaultdict(int)
    order = sorted(entities, key=lambda k: (-papers[k], entities[k].pref_label, k))
    for key in order:
        label = entities[key].label
        counters[label] += 1
        ranks[key] = counters[label]
    return ranks


def _evidence_triples(
    iri: URIRef, paper_iri: URIRef, field: str, start: int, end: int, text: str, sentence: str
) -> Iterator[Triple]:
    yield iri, PKG.inPaper, paper_iri
    yield iri, PKG.textField, Literal(field)
    yield iri, PKG.exact, Literal(text)
    yield iri, PKG.start, Literal(start)
    yield iri, PKG.end, Literal(end)
    yield iri, PKG.sentence, Literal(sentence)


def mention_triples(
    iri: URIRef,
    paper_iri: URIRef,
    mention: Mention,
    entity_iris: Sequence[URIRef],
    extraction: URIRef,
) -> Iterator[Triple]:
    yield iri, RDF.type, PKG.Mention
    yield from _evidence_triples(
        iri, paper_iri, mention.field, mention.start, mention.end, mention.text, mention.sentence
    )
    for entity_iri in entity_iris:
        yield iri, PKG.denotes, entity_iri
    yield from _generation_triples(iri, mention.confidence, mention.source, extraction)


def _generation_triples(
    iri: URIRef, confidence: float, component: str, extraction: URIRef
) -> Iterator[Triple]:
    yield iri, PKG.confidence, Literal(Decimal(str(confidence)))
    yield iri, PKG.extractor, Literal(component)
    yield iri, PROV.wasGeneratedBy, extraction


def link_triples(
    iri: URIRef,
    paper_iri: URIRef,
    link: Link,
    method_iris: Sequence[URIRef],
    extraction: URIRef,
) -> Iterator[Triple]:
    """The evidence of a link: a ``pkg:LinkMention`` of the address, with the methods whose
    code it is. The links themselves are written by :func:`graph_triples`."""
    yield iri, RDF.type, PKG.LinkMention
    yield from _evidence_triples(
        iri, paper_iri, link.field, link.start, link.end, link.text, link.sentence
    )
    yield iri, PKG.linksTo, URIRef(link.url)
    for method_iri in method_iris:
        yield iri, PKG.forMethod, method_iri
    yield from _generation_triples(iri, link.confidence, LINK_COMPONENT, extraction)


def result_triples(
    iri: URIRef,
    paper_iri: URIRef,
    claim: ResultClaim,
    entity_of: dict[tuple[str, int, int], tuple[URIRef, Label]],
    extraction: URIRef,
) -> Iterator[Triple]:
    yield paper_iri, PKG.reportsResult, iri
    yield iri, RDF.type, PKG.Score if claim.kind is ResultKind.SCORE else PKG.RelativeResult
    yield from _evidence_triples(
        iri, paper_iri, claim.field, claim.start, claim.end, claim.text, claim.sentence
    )
    yield iri, PKG.value, Literal(Decimal(str(claim.value)))
    if claim.unit:
        yield iri, PKG.unit, Literal(claim.unit)
    if claim.direction:
        yield iri, PKG.direction, Literal(claim.direction)
    for mention, link, label in (
        (claim.method, PKG.ofMethod, Label.METHOD),
        (claim.dataset, PKG.onDataset, Label.DATASET),
        (claim.metric, PKG.inMetric, Label.METRIC),
    ):
        if mention is None:
            continue
        target = entity_of.get((mention.field, mention.start, mention.end))
        # The entity's type was settled over the corpus; a result names it only in that type.
        if target is not None and target[1] is label:
            yield iri, link, target[0]
    yield iri, PROV.wasGeneratedBy, extraction


def graph_triples(
    analyses: Iterable[PaperAnalysis],
    resolution: Resolution,
    *,
    minter: IriMinter,
    extraction: ExtractionInfo,
) -> Iterator[Triple]:
    """Every triple of the graph: papers and their links, mentions and results as evidence,
    entities with their families, the entity links papers support, and the links to code and
    pages that papers give, with link mentions as evidence."""
    run = minter.extraction(f"{extraction.name}-{extraction.version}")
    yield run, RDF.type, PKG.Extraction
    yield run, RDFS.label, Literal(f"paperkg {extraction.name} extractor")
    yield run, OWL.versionInfo, Literal(extraction.version)
    entity_iris = {key: minter.entity(key) for key in resolution.entities}
    narrower = resolution.narrower()
    papers: dict[str, int] = {}
    for key, entity in resolution.entities.items():
        naming = set(entity.papers)
        for member in narrower.get(key, []):
            naming |= member.papers
        papers[key] = len(naming)
    ranks = paper_ranks(resolution.entities, papers)
    for key, entity in resolution.entities.items():
        broader = entity_iris.get(entity.broader) if entity.broader else None
        yield from entity_triples(entity, entity_iris[key], papers[key], ranks[key], broader)
    supporters: dict[tuple[URIRef, URIRef, URIRef], list[URIRef]] = defaultdict(list)
    authors: set[URIRef] = set()
    method_code: set[tuple[URIRef, URIRef]] = set()
    for analysis in analyses:
        paper = analysis.paper
        paper_iri = minter.paper(paper.id)
        yield from paper_triples(paper, paper_iri, minter, authors)
        linked: set[tuple[URIRef, URIRef]] = set()
        by_label: dict[Label, set[URIRef]] = defaultdict(set)
        entity_of: dict[tuple[str, int, int], tuple[URIRef, Label]] = {}
        resolved = resolution.mention_entities.get(paper.id, [])
        # An entity the paper proposes is linked by pkg:proposes alone, wherever it is named.
        own_entities = {
            e.key
            for own, entities in zip(analysis.proposed, resolved, strict=True)
            if own
            for e in entities
        }
        for mention, entities in zip(analysis.mentions, resolved, strict=True):
            if not entities:
                continue
            iris = [entity_iris[e.key] for e in entities]
            entity_of[(mention.field, mention.start, mention.end)] = (iris[0], entities[0].label)
            for entity, entity_iri in zip(entities, iris, strict=True):
                by_label[entity.label].add(entity_iri)
                own = entity.key in own_entities
                link = (PKG.proposes if own else PAPER_LINK[entity.label], entity_iri)
                if link not in linked:
                    linked.add(link)
                    yield paper_iri, link[0], link[1]
            mention_iri = minter.mention(paper.id, mention.field, mention.start, mention.end)
            yield from mention_triples(mention_iri, paper_iri, mention, iris, run)
        for claim in analysis.results:
            result_iri = minter.result(paper.id, claim.field, claim.start, claim.end)
            yield from result_triples(result_iri, paper_iri, claim, entity_of, run)
        own_methods = {
            entity_iris[e.key]
            for own, entities in zip(analysis.proposed, resolved, strict=True)
            if own
            for e in entities
            if e.label is Label.METHOD
        }
        if paper.url:
            linked.add((FOAF.page, URIRef(paper.url)))
        link_methods = analysis.link_methods or ((),) * len(analysis.links)
        for address, mentions in zip(analysis.links, link_methods, strict=True):
            url = URIRef(address.url)
            if (LINK_PROPERTY[address.kind], url) not in linked:
                linked.add((LINK_PROPERTY[address.kind], url))
                yield paper_iri, LINK_PROPERTY[address.kind], url
            # A method's code link stands on a mention of a method the paper proposes.
            named = (entity_of.get((m.field, m.start, m.end)) for m in mentions)
            methods = sorted({e[0] for e in named if e is not None and e[0] in own_methods})
            if address.kind != "code":
                methods = []
            for method_iri in methods:
                if (method_iri, url) not in method_code:
                    method_code.add((method_iri, url))
                    yield method_iri, SDO.codeRepository, url
            link_iri = minter.link(paper.id, address.field, address.start, address.end)
            yield from link_triples(link_iri, paper_iri, address, methods, run)
        for source, target, relation in ASSOCIATIONS:
            for pair in product(sorted(by_label[source]), sorted(by_label[target])):
                supporters[(relation, *pair)].append(paper_iri)
    for (relation, source_iri, target_iri), supporting in sorted(supporters.items()):
        yield source_iri, relation, target_iri
        association = minter.association(str(relation), str(source_iri), str(target_iri))
        yield association, RDF.type, PKG.Association
        yield association, PKG.relation, relation
        yield association, PKG.fromEntity, source_iri
        yield association, PKG.toEntity, target_iri
        yield association, PKG.paperCount, Literal(len(supporting))
        for supporter in supporting:
            yield association, PKG.supportedBy, supporter


def to_graph(triples: Iterable[Triple]) -> Graph:
    """Collect triples into an rdflib ``Graph`` with paperkg's prefixes bound."""
    graph = Graph(bind_namespaces="none")
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace)
    for triple in triples:
        graph.add(triple)
    return graph
