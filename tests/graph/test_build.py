from __future__ import annotations

import dataclasses

from rdflib import RDF, RDFS, Graph, Literal
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, SKOS

from kg.graph import build as graph_build
from kg.graph.build import RANKED
from kg.graph.namespace import PKG
from kg.graph.validate import validate_graph
from kg.ingest.paper import Paper
from kg.nlp.analysis import PaperAnalysis
from kg.nlp.mention import Label, Mention
from kg.nlp.results import ResultClaim, ResultKind


def test_papers_have_titles_and_links(graph):
    papers = set(graph.subjects(RDF.type, PKG.Paper))
    assert len(papers) == 2
    titles = {str(graph.value(p, DCTERMS.title)) for p in papers}
    assert titles == {"Fast Pose Transformers", "Head Pose Estimation in Crowds"}
    tasks = {str(graph.value(t, RDFS.label)) for t in graph.objects(None, PKG.addressesTask)}
    assert "head pose estimation" in {t.lower() for t in tasks}


def test_acronym_and_long_form_are_one_entity(graph):
    [entity] = [
        e
        for e in graph.subjects(RDF.type, PKG.Method)
        if Literal("PoT") in set(graph.objects(e, SKOS.altLabel))
    ]
    assert graph.value(entity, SKOS.prefLabel) == Literal("Pose Transformer")


def test_shared_entity_counts_both_papers(graph):
    [dataset] = [
        d
        for d in graph.subjects(RDF.type, PKG.Dataset)
        if str(graph.value(d, RDFS.label)) == "Lamp"
    ]
    assert graph.value(dataset, PKG.paperCount).toPython() == 2


def test_entities_are_ranked_by_papers_within_their_type(graph):
    for kind in (PKG.Method, PKG.Dataset, PKG.Task, PKG.Metric):
        entities = list(graph.subjects(RDF.type, kind))
        ranked = sorted(entities, key=lambda e: graph.value(e, PKG.paperRank).toPython())
        ranks = [graph.value(e, PKG.paperRank).toPython() for e in ranked]
        assert len(entities) <= RANKED
        assert ranks == list(range(1, len(entities) + 1)), kind
        order = [
            (-graph.value(e, PKG.paperCount).toPython(), str(graph.value(e, RDFS.label)))
            for e in ranked
        ]
        assert order == sorted(order), kind
    [first] = [
        e for e in graph.subjects(PKG.paperRank, Literal(1)) if (e, RDF.type, PKG.Dataset) in graph
    ]
    assert str(graph.value(first, RDFS.label)) == "Lamp"


def test_only_the_first_places_of_each_type_are_ranked(analyses, graph_of, monkeypatch):
    monkeypatch.setattr(graph_build, "RANKED", 1)
    graph = graph_of(analyses)
    unranked = 0
    for kind in (PKG.Method, PKG.Dataset, PKG.Task, PKG.Metric):
        entities = list(graph.subjects(RDF.type, kind))
        ranks = [graph.value(e, PKG.paperRank) for e in entities]
        assert [r.toPython() for r in ranks if r is not None] == [1], kind
        unranked += ranks.count(None)
    # Some entities have no place, and the graph still conforms to the shapes.
    assert unranked > 0
    report = validate_graph(graph)
    assert report.conforms, report.text


def test_mentions_point_into_the_text(graph, records):
    by_id = {p.id: p for p, _ in records}
    mentions = list(graph.subjects(RDF.type, PKG.Mention))
    assert len(mentions) == sum(len(m) for _, m in records)
    for mention in mentions:
        paper_id = str(graph.value(graph.value(mention, PKG.inPaper), DCTERMS.identifier))
        field = str(graph.value(mention, PKG.textField))
        text = getattr(by_id[paper_id], field)
        start, end = (
            graph.value(mention, PKG.start).toPython(),
            graph.value(mention, PKG.end).toPython(),
        )
        assert text[start:end] == str(graph.value(mention, PKG.exact))


def test_turtle_round_trip_is_isomorphic(graph):
    again = Graph().parse(data=graph.serialize(format="turtle"), format="turtle")
    assert isomorphic(graph, again)


def test_graph_conforms_to_shapes(graph):
    report = validate_graph(graph)
    assert report.conforms, report.text


def test_broken_graph_fails_shapes(graph):
    paper = next(graph.subjects(RDF.type, PKG.Paper))
    graph.remove((paper, DCTERMS.title, None))
    mention = next(graph.subjects(RDF.type, PKG.Mention))
    graph.set((mention, PKG.confidence, Literal(1.5)))
    report = validate_graph(graph)
    assert not report.conforms
    assert report.violations >= 2
    assert "dcterms:title" in report.text or "title" in report.text


ROLES = {
    PKG.proposes: "proposes",
    PKG.usesMethod: "usesMethod",
    PKG.evaluatesOn: "evaluatesOn",
    PKG.addressesTask: "addressesTask",
}


def paper_links(graph: Graph) -> dict[str, set[tuple[str, str]]]:
    """Each paper's (role, entity label) links, by the paper's identifier."""
    return {
        str(graph.value(paper, DCTERMS.identifier)): {
            (role, str(graph.value(entity, RDFS.label)))
            for link, role in ROLES.items()
            for entity in graph.objects(paper, link)
        }
        for paper in graph.subjects(RDF.type, PKG.Paper)
    }


def test_paper_proposes_what_the_rules_find_it_proposing(graph):
    proposed = {
        paper: {label for role, label in links if role == "proposes"}
        for paper, links in paper_links(graph).items()
    }
    assert proposed == {"test:1": {"Pose Transformer"}, "test:2": set()}


def analysis(paper_id: str, abstract: str, named: list[tuple[str, Label, bool]]) -> PaperAnalysis:
    """A paper with hand-set mentions and proposed flags; a surface named twice is found twice."""
    mentions: list[Mention] = []
    for surface, label, _ in named:
        seen = sum(m.text == surface for m in mentions)
        start = -1
        for _ in range(seen + 1):
            start = abstract.index(surface, start + 1)
        end = start + len(surface)
        mentions.append(Mention(surface, label, "abstract", start, end, abstract, 0.9, "test"))
    return PaperAnalysis(
        paper=Paper(id=paper_id, title=f"Paper {paper_id}", abstract=abstract),
        mentions=tuple(mentions),
        proposed=tuple(own for _, _, own in named),
        results=(),
    )


def test_proposed_entities_are_linked_by_proposes_alone(graph_of):
    method, dataset, task = Label.METHOD, Label.DATASET, Label.TASK
    analyses = [
        analysis(
            "own:1",
            "We propose Zorbix for owl detection. Zorbix beats ResNet-50 on NightBirds.",
            [
                ("Zorbix", method, True),
                ("owl detection", task, False),
                ("Zorbix", method, False),  # named again: the paper still only proposes it
                ("ResNet-50", method, False),
                ("NightBirds", dataset, False),
            ],
        ),
        analysis(
            "own:2",
            "We release NightBirds, a set of owl photos. We train Zorbix on NightBirds.",
            [
                ("NightBirds", dataset, True),
                ("Zorbix", method, False),
                ("NightBirds", dataset, False),
            ],
        ),
    ]
    graph = graph_of(analyses)

    assert paper_links(graph) == {
        "own:1": {
            ("proposes", "Zorbix"),
            ("addressesTask", "owl detection"),
            ("usesMethod", "ResNet-50"),
            ("evaluatesOn", "NightBirds"),
        },
        # What one paper proposes, another merely uses.
        "own:2": {("proposes", "NightBirds"), ("usesMethod", "Zorbix")},
    }
    report = validate_graph(graph)
    assert report.conforms, report.text


def test_a_score_in_a_name_settled_as_another_type_is_left_out(graph_of):
    method, dataset, metric = Label.METHOD, Label.DATASET, Label.METRIC
    # "Glint" is a metric in the paper that reports 91.0 in it, a method in two others.
    scored = analysis(
        "score:1",
        "Zorbix reaches 91.0 Glint on NightBirds. Zorbix also reaches 88.5% accuracy there.",
        [
            ("Zorbix", method, True),
            ("Glint", metric, False),
            ("NightBirds", dataset, False),
            ("Zorbix", method, False),
            ("accuracy", metric, False),
        ],
    )
    zorbix, glint, birds, _, accuracy = scored.mentions

    def score(text: str, metric_mention: Mention) -> ResultClaim:
        start = scored.paper.abstract.index(text)
        return ResultClaim(
            kind=ResultKind.SCORE,
            value=float(text.rstrip("%")),
            unit="",
            text=text,
            field="abstract",
            start=start,
            end=start + len(text),
            sentence=scored.paper.abstract,
            method=zorbix,
            dataset=birds,
            metric=metric_mention,
        )

    scored = dataclasses.replace(scored, results=(score("91.0", glint), score("88.5%", accuracy)))
    others = [
        analysis(f"other:{i}", "We train Glint, a new network.", [("Glint", method, False)])
        for i in (1, 2)
    ]
    graph = graph_of([scored, *others])
    glint_entity = next(graph.subjects(RDFS.label, Literal("Glint")))
    assert (glint_entity, RDF.type, PKG.Method) in graph
    scores = list(graph.subjects(RDF.type, PKG.Score))
    assert [str(graph.value(s, PKG.value)) for s in scores] == ["88.5"]
    report = validate_graph(graph)
    assert report.conforms, report.text
