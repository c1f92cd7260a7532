"""Papers, mentions, entities, results and links -> RDF triples under the paperkg ontology.

Triples are produced as a stream of rdflib terms so a large corpus never has to sit in an
rdflib ``Graph``; :func:`to_graph` collects them when a ``Graph`` is wanted.
"""

from __future__ import annotations

import heapq
from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from itertools import product
from typing import Any

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
#: How many of the entities named in the same papers as an entity the graph keeps for it
#: (``pkg:Cooccurrence``): those it shares most papers with, ties by label. Only an entity
#: named in more than this many papers, or whose papers name more than this many others, has
#: them in the graph; ``ontology/queries/cooccurring.rq`` counts those of any other from its
#: papers, and its paper count test there (``?named <= 100``) may not be below this number.
COOCCURRENCE_LIMIT = 100


@dataclass(frozen=True, slots=True)
class ExtractionInfo:
    """Which extractor produced the mentions: recorded as a ``pkg:Extraction`` activity."""

    name: str
    version: str


def paper_triples(paper: Paper, iri: URIRef, minter: IriMinter) -> Iterator[Triple]:
    """A paper's own triples (its authors' type and name are shared nodes')."""
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
        yield iri, DCTERMS.creator, minter.author(name)


def entity_triples(
    entity: Entity, iri: URIRef, papers: int, rank: int | None, broader: URIRef | None
) -> Iterator[Triple]:
    yield iri, RDF.type, ENTITY_CLASS[entity.label]
    yield iri, RDFS.label, Literal(entity.pref_label)
    yield iri, SKOS.prefLabel, Literal(entity.pref_label)
    for alt in entity.alt_labels:
        yield iri, SKOS.altLabel, Literal(alt)
    yield iri, PKG.mentionCount, Literal(entity.mention_count)
    yield iri, PKG.paperCount, Literal(papers)
    if rank is not None:
        yield iri, PKG.paperRank, Literal(rank)
    if broader is not None:
        yield iri, SKOS.broader, broader


#: How many entities of each type get a ``pkg:paperRank``: the first places are what queries
#: for the most named entities read (``top-entities.rq`` the first ten, ``kg stats`` five).
#: Ranking every entity would change most entity nodes on every ``kg add``: one more paper for
#: one entity, or one new entity, moves the place of every entity after it.
RANKED = 100


def paper_ranks(
    entities: dict[str, Entity], papers: dict[str, int], *, limit: int | None = None
) -> dict[str, int]:
    """The places of the ``limit`` (:data:`RANKED`) first entities of each type, by ``papers``
    (most first), then by label, then by key: what a query for the most named entities sorts
    by, computed once so that the query reads the first places instead of sorting every entity.

    >>> from collections import Counter
    >>> def named(key):
    ...     return Entity(key=key, label=Label.DATASET, surface_forms=Counter([key]))
    >>> entities = {k: named(k) for k in ("b", "a", "c")}
    >>> sorted(paper_ranks(entities, {"a": 2, "b": 5, "c": 2}).items())
    [('a', 2), ('b', 1), ('c', 3)]
    >>> sorted(paper_ranks(entities, {"a": 2, "b": 5, "c": 2}, limit=2).items())
    [('a', 2), ('b', 1)]
    """
    limit = RANKED if limit is None else limit
    ranks: dict[str, int] = {}
    counters: dict[Label, int] = defaultdict(int)
    order = sorted(entities, key=lambda k: (-papers[k], entities[k].pref_label, k))
    for key in order:
        label = entities[key].label
        if counters[label] < limit:
            counters[label] += 1
            ranks[key] = counters[label]
    return ranks


def top_cooccurrences(
    named: Sequence[Collection[str]],
    papers: Mapping[str, int],
    labels: Mapping[str, str],
    limit: int,
) -> dict[str, list[tuple[str, int]]]:
    """For each entity named in more than ``limit`` papers (by ``papers``, its paper count)
    or whose papers name more than ``limit`` other entities, the ``limit`` entities that
    ``named`` (each paper's entities) names in most of the same papers, with how many: most
    first, then by label (``labels``), then by key. What ``cooccurring.rq`` would count from
    the papers, counted once so that the query reads at most ``limit`` rows.

    >>> top_cooccurrences(
    ...     [{"a", "b", "c"}, {"a", "c"}, {"b"}],
    ...     {"a": 2, "b": 2, "c": 2},
    ...     {"a": "A", "b": "B", "c": "C"},
    ...     1,
    ... )
    {'a': [('c', 2)], 'b': [('a', 1)], 'c': [('a', 2)]}
    """
    naming: dict[str, list[int]] = defaultdict(list)
    for index, keys in enumerate(named):
        for key in keys:
            naming[key].append(index)
    kept: dict[str, list[tuple[str, int]]] = {}
    for key, indices in naming.items():
        # An entity whose papers name at most ``limit`` others in all (with repeats) has at
        # most that many: it is left out unless it is named in many papers.
        reach = sum(len(named[i]) - 1 for i in indices)
        if papers[key] <= limit and reach <= limit:
            continue
        shared = Counter(other for i in indices for other in named[i] if other != key)
        if not shared or (papers[key] <= limit and len(shared) <= limit):
            continue
        kept[key] = heapq.nsmallest(
            limit, shared.items(), key=lambda kv: (-kv[1], labels[kv[0]], kv[0])
        )
    return dict(sorted(kept.items()))


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


def _placed(
    claim: ResultClaim, entity_of: Mapping[tuple[str, int, int], tuple[URIRef, Label]]
) -> bool:
    """Whether the graph can say what a result measures: a score's metric mention has to name
    an entity the corpus settled as a metric. (A name the abstract reports a number in can be a
    method or a dataset by the votes of all its mentions; the score is then left out.)"""
    if claim.kind is not ResultKind.SCORE:
        return True
    metric = claim.metric
    target = None if metric is None else entity_of.get((metric.field, metric.start, metric.end))
    return target is not None and target[1] is Label.METRIC


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


@dataclass(slots=True)
class PaperPart:
    """A paper's own part of the graph: the paper node and its evidence nodes (mentions,
    results, link mentions), whose IRIs are minted from the paper's id, with the entities
    resolution gave each mention."""

    iri: URIRef
    analysis: PaperAnalysis
    resolved: Sequence[tuple[Entity, ...]]
    entity_iris: Mapping[str, URIRef]
    minter: IriMinter
    run: URIRef
    # The entity (IRI and type) each mention names first, by the mention's place in the text.
    entity_of: dict[tuple[str, int, int], tuple[URIRef, Label]]
    # For each link, the methods whose code it is.
    code_methods: list[list[URIRef]]

    def triples(self) -> Iterator[Triple]:
        analysis, paper_iri, run = self.analysis, self.iri, self.run
        paper = analysis.paper
        yield from paper_triples(paper, paper_iri, self.minter)
        # An entity the paper proposes is linked by pkg:proposes alone, wherever it is named.
        own_entities = _own_keys(analysis, self.resolved)
        linked: set[tuple[URIRef, URIRef]] = set()
        for mention, entities in zip(analysis.mentions, self.resolved, strict=True):
            if not entities:
                continue
            iris = [self.entity_iris[e.key] for e in entities]
            for entity, entity_iri in zip(entities, iris, strict=True):
                own = entity.key in own_entities
                link = (PKG.proposes if own else PAPER_LINK[entity.label], entity_iri)
                if link not in linked:
                    linked.add(link)
                    yield paper_iri, link[0], link[1]
            mention_iri = self.minter.mention(paper.id, mention.field, mention.start, mention.end)
            yield from mention_triples(mention_iri, paper_iri, mention, iris, run)
        for claim in analysis.results:
            if not _placed(claim, self.entity_of):
                continue
            result_iri = self.minter.result(paper.id, claim.field, claim.start, claim.end)
            yield from result_triples(result_iri, paper_iri, claim, self.entity_of, run)
        if paper.url:
            linked.add((FOAF.page, URIRef(paper.url)))
        for address, methods in zip(analysis.links, self.code_methods, strict=True):
            url = URIRef(address.url)
            if (LINK_PROPERTY[address.kind], url) not in linked:
                linked.add((LINK_PROPERTY[address.kind], url))
                yield paper_iri, LINK_PROPERTY[address.kind], url
            link_iri = self.minter.link(paper.id, address.field, address.start, address.end)
            yield from link_triples(link_iri, paper_iri, address, methods, run)


def _own_keys(analysis: PaperAnalysis, resolved: Sequence[tuple[Entity, ...]]) -> set[str]:
    """Keys of the entities the paper proposes."""
    return {
        e.key
        for own, entities in zip(analysis.proposed, resolved, strict=True)
        if own
        for e in entities
    }


class GraphParts:
    """The graph of a resolved corpus in parts that can be written, compared and replaced one
    by one: each paper's own part (:class:`PaperPart`) and the shared nodes (the extraction
    run, entities, associations, co-occurrences, authors), each with every triple that has it
    as subject.

    Call :meth:`paper` for every paper, in order, then :meth:`shared` once: a paper's part
    notes what the paper gives the shared nodes (counts, supporters, the entities it names,
    authors, code links) whether or not its triples are asked for.
    """

    def __init__(
        self, resolution: Resolution, *, minter: IriMinter, extraction: ExtractionInfo
    ) -> None:
        self.resolution = resolution
        self.minter = minter
        self.extraction = extraction
        self.run = minter.extraction(f"{extraction.name}-{extraction.version}")
        self.entity_iris = {key: minter.entity(key) for key in resolution.entities}
        self._supporters: dict[tuple[URIRef, URIRef, URIRef], list[URIRef]] = defaultdict(list)
        self._authors: dict[URIRef, str] = {}
        self._code: dict[URIRef, set[URIRef]] = defaultdict(set)
        # The keys of the entities each paper names (links to), paper by paper.
        self._named: list[frozenset[str]] = []

    def paper(self, analysis: PaperAnalysis) -> PaperPart:
        paper = analysis.paper
        paper_iri = self.minter.paper(paper.id)
        for name in dict.fromkeys(paper.authors):
            self._authors.setdefault(self.minter.author(name), name)
        resolved = self.resolution.mention_entities.get(paper.id, [])
        self._named.append(frozenset(e.key for entities in resolved for e in entities))
        by_label: dict[Label, set[URIRef]] = defaultdict(set)
        entity_of: dict[tuple[str, int, int], tuple[URIRef, Label]] = {}
        for mention, entities in zip(analysis.mentions, resolved, strict=True):
            if not entities:
                continue
            iris = [self.entity_iris[e.key] for e in entities]
            entity_of[(mention.field, mention.start, mention.end)] = (iris[0], entities[0].label)
            for entity, entity_iri in zip(entities, iris, strict=True):
                by_label[entity.label].add(entity_iri)
        own_methods = {
            self.entity_iris[e.key]
            for own, entities in zip(analysis.proposed, resolved, strict=True)
            if own
            for e in entities
            if e.label is Label.METHOD
        }
        code_methods: list[list[URIRef]] = []
        link_methods = analysis.link_methods or ((),) * len(analysis.links)
        for address, mentions in zip(analysis.links, link_methods, strict=True):
            # A method's code link stands on a mention of a method the paper proposes.
            named = (entity_of.get((m.field, m.start, m.end)) for m in mentions)
            methods = sorted({e[0] for e in named if e is not None and e[0] in own_methods})
            if address.kind != "code":
                methods = []
            for method_iri in methods:
                self._code[method_iri].add(URIRef(address.url))
            code_methods.append(methods)
        for source, target, relation in ASSOCIATIONS:
            for pair in product(sorted(by_label[source]), sorted(by_label[target])):
                self._supporters[(relation, *pair)].append(paper_iri)
        return PaperPart(
            paper_iri,
            analysis,
            resolved,
            self.entity_iris,
            self.minter,
            self.run,
            entity_of,
            code_methods,
        )

    def shared(self) -> Iterator[SharedNode]:
        """Each shared node, with every triple whose subject it is."""
        yield SharedNode(self.run, run_triples, (self.run, self.extraction))
        outgoing: dict[URIRef, list[tuple[URIRef, URIRef]]] = defaultdict(list)
        for relation, source_iri, target_iri in self._supporters:
            outgoing[source_iri].append((relation, target_iri))
        narrower = self.resolution.narrower()
        entity_iris = self.entity_iris
        papers: dict[str, int] = {}
        for key, entity in self.resolution.entities.items():
            naming = set(entity.papers)
            for member in narrower.get(key, []):
                naming |= member.papers
            papers[key] = len(naming)
        ranks = paper_ranks(self.resolution.entities, papers)
        for key, entity in self.resolution.entities.items():
            iri = entity_iris[key]
            broader = entity_iris.get(entity.broader) if entity.broader else None
            rank = ranks.get(key)
            made_of = (entity, iri, papers[key], rank, broader, self._code.get(iri, set()))
            yield SharedNode(iri, _entity_node_triples, (*made_of, outgoing.pop(iri, [])))
        for (relation, source_iri, target_iri), supporting in self._supporters.items():
            association = self.minter.association(str(relation), str(source_iri), str(target_iri))
            link = (association, relation, source_iri, target_iri, supporting)
            yield SharedNode(association, association_triples, link)
        labels = {key: entity.pref_label for key, entity in self.resolution.entities.items()}
        top = top_cooccurrences(self._named, papers, labels, COOCCURRENCE_LIMIT)
        for key, others in top.items():
            # One node for the entities that share as many papers with the entity: ties are
            # common, and a node costs three triples besides its members.
            alike: dict[int, list[URIRef]] = defaultdict(list)
            for other, shared in others:
                alike[shared].append(entity_iris[other])
            for shared, members in alike.items():
                node = self.minter.cooccurrence(key, shared)
                group = (node, entity_iris[key], shared, members)
                yield SharedNode(node, cooccurrence_triples, group)
        for author, name in self._authors.items():
            yield SharedNode(author, author_triples, (author, name))


@dataclass(frozen=True, slots=True)
class SharedNode:
    """A node papers share (the extraction run, an entity, an association, a co-occurrence,
    an author): its triples are ``make(*made_of)``, so what they are made of can be compared
    without making them."""

    subject: URIRef
    make: Callable[..., Iterator[Triple]]
    made_of: tuple[Any, ...]

    def triples(self) -> Iterator[Triple]:
        return self.make(*self.made_of)


def run_triples(run: URIRef, extraction: ExtractionInfo) -> Iterator[Triple]:
    yield run, RDF.type, PKG.Extraction
    yield run, RDFS.label, Literal(f"paperkg {extraction.name} extractor")
    yield run, OWL.versionInfo, Literal(extraction.version)


def _entity_node_triples(
    entity: Entity,
    iri: URIRef,
    papers: int,
    rank: int | None,
    broader: URIRef | None,
    code: Iterable[URIRef],
    outgoing: Iterable[tuple[URIRef, URIRef]],
) -> Iterator[Triple]:
    """An entity's triples with its code links and its links to other entities."""
    yield from entity_triples(entity, iri, papers, rank, broader)
    for url in sorted(code):
        yield iri, SDO.codeRepository, url
    for relation, target in outgoing:
        yield iri, relation, target


def association_triples(
    association: URIRef,
    relation: URIRef,
    source: URIRef,
    target: URIRef,
    supporting: Sequence[URIRef],
) -> Iterator[Triple]:
    yield association, RDF.type, PKG.Association
    yield association, PKG.relation, relation
    yield association, PKG.fromEntity, source
    yield association, PKG.toEntity, target
    yield association, PKG.paperCount, Literal(len(supporting))
    for supporter in supporting:
        yield association, PKG.supportedBy, supporter


def cooccurrence_triples(
    node: URIRef, entity: URIRef, papers: int, others: Iterable[URIRef]
) -> Iterator[Triple]:
    yield node, RDF.type, PKG.Cooccurrence
    yield node, PKG.ofEntity, entity
    yield node, PKG.paperCount, Literal(papers)
    for other in others:
        yield node, PKG.withEntity, other


def author_triples(author: URIRef, name: str) -> Iterator[Triple]:
    yield author, RDF.type, PKG.Author
    yield author, FOAF.name, Literal(name)


def graph_triples(
    analyses: Iterable[PaperAnalysis],
    resolution: Resolution,
    *,
    minter: IriMinter,
    extraction: ExtractionInfo,
) -> Iterator[Triple]:
    """Every triple of the graph: papers and their links, mentions and results as evidence,
    entities with their families, the entity links papers support, the entities named most
    often with each much named entity, and the links to code and pages that papers give, with
    link mentions as evidence."""
    parts = GraphParts(resolution, minter=minter, extraction=extraction)
    for analysis in analyses:
        yield from parts.paper(analysis).triples()
    for node in parts.shared():
        yield from node.triples()


def to_graph(triples: Iterable[Triple]) -> Graph:
    """Collect triples into an rdflib ``Graph`` with paperkg's prefixes bound."""
    graph = Graph(bind_namespaces="none")
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace)
    for triple in triples:
        graph.add(triple)
    return graph
