"""The paperkg ontology's terms as an rdflib namespace, one line per term.

Kept in step with ``ontology/paperkg.ttl`` by ``tests/graph/test_namespace.py``.
"""

from __future__ import annotations

from rdflib import URIRef
from rdflib.namespace import DefinedNamespace, Namespace

from kg.graph.terms import ONTOLOGY_IRI


class PKG(DefinedNamespace):
    """paperkg ontology: papers, the research entities they mention, and the evidence."""

    _fail = True
    _NS = Namespace(ONTOLOGY_IRI + "#")

    # classes
    Paper: URIRef  # A scientific paper, known by its title and abstract.
    Author: URIRef  # A person named as an author of a paper.
    ResearchEntity: URIRef  # Something papers talk about: a method, dataset, task or metric.
    Method: URIRef  # A model, algorithm, architecture or technique.
    Dataset: URIRef  # A dataset, corpus or benchmark.
    Task: URIRef  # A problem that methods address.
    Metric: URIRef  # A measure that results are reported in.
    Mention: URIRef  # One span of a paper's text that names a research entity.
    LinkMention: URIRef  # One span of a paper's text that gives a web address.
    Result: URIRef  # A numeric claim of an abstract.
    Score: URIRef  # A result stated as an absolute value in a metric.
    RelativeResult: URIRef  # A result stated relative to something else.
    Association: URIRef  # Two entities named together by papers, with a paper count.
    Cooccurrence: URIRef  # Entities named in as many of the same papers as a much named one.
    Extraction: URIRef  # One run of paperkg's extraction over a set of papers.

    # paper to entity links
    mentions: URIRef  # The paper's title or abstract names the research entity.
    proposes: URIRef  # The method or dataset is the paper's own contribution.
    usesMethod: URIRef  # The paper uses or builds on the method.
    evaluatesOn: URIRef  # The paper trains or evaluates on the dataset.
    addressesTask: URIRef  # The paper works on the task.
    reportsMetric: URIRef  # The paper reports results in the metric.
    reportsResult: URIRef  # The paper's abstract states the result.

    # entity to entity links
    appliedTo: URIRef  # Some paper names the method together with the task.
    evaluatedOn: URIRef  # Some paper names the method together with the dataset.
    benchmarkFor: URIRef  # Some paper evaluates on the dataset while addressing the task.
    relation: URIRef  # The entity-to-entity property an association counts.
    fromEntity: URIRef  # The subject of the associated link.
    toEntity: URIRef  # The object of the associated link.
    supportedBy: URIRef  # A paper that names both entities of the association.
    ofEntity: URIRef  # The entity whose co-occurring entities the co-occurrence lists.
    withEntity: URIRef  # An entity named in pkg:paperCount of the ofEntity's papers.

    # results
    ofMethod: URIRef  # The method the result is about.
    onDataset: URIRef  # The dataset the result was measured on.
    inMetric: URIRef  # The metric the value is expressed in.
    value: URIRef  # The number the result states.
    unit: URIRef  # The value's unit as written.
    direction: URIRef  # For a relative result, "increase" or "decrease".

    # paper metadata
    venue: URIRef  # Where the paper appeared, as the source names it.

    # mentions
    inPaper: URIRef  # The paper whose text holds the mention.
    denotes: URIRef  # The research entity the mention names.
    textField: URIRef  # Which of the paper's texts holds the mention.
    exact: URIRef  # The mention's text as written in the paper.
    start: URIRef  # Offset of the mention's first character in its text field.
    end: URIRef  # Offset just past the mention's last character.
    sentence: URIRef  # The sentence that holds the mention.
    confidence: URIRef  # How sure the extractor is, from 0 to 1.
    extractor: URIRef  # The extraction component that found the mention.

    # link mentions
    linksTo: URIRef  # The code repository or page at the address the link mention gives.
    forMethod: URIRef  # A proposed method whose code the linked repository holds.

    # entities
    mentionCount: URIRef  # How many mentions denote the entity itself.
    paperCount: URIRef  # How many papers name the entity (or one under it), or two entities.
    paperRank: URIRef  # The entity's place by paper count among the entities of its type.
