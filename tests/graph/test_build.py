from __future__ import annotations

from rdflib import RDF, RDFS, Graph, Literal
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, SKOS

from kg.graph.namespace import PKG
from kg.graph.validate import validate_graph


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
