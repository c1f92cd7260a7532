"""Links to code and project pages: schema:codeRepository and foaf:page with link mentions as
their evidence, the shapes that check them, and every address of the real listing (whose graph
tests/test_end_to_end.py validates)."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from rdflib import RDF, RDFS, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, PROV, SDO

from kg.build import build
from kg.graph.namespace import PKG
from kg.graph.store import GraphStore
from kg.graph.validate import validate_graph
from kg.ingest.paper import Paper
from kg.nlp.analysis import PaperAnalysis, analyse
from kg.nlp.mention import Label, Mention

CODE = URIRef("https://github.com/owls/OwlNet")
PAGE = URIRef("https://owls.github.io/owlnet/")
OTHER = URIRef("https://github.com/bats/owlnet-reimplemented")

# (title, abstract, [(surface, label)]): the first paper proposes OwlNet, the second uses it.
PAPERS = [
    (
        "OwlNet: Owl Detection at Night",
        "We propose OwlNet for owl detection. OwlNet reaches 51.0% mAP on NightBirds. "
        "Code for OwlNet is available at https://github.com/owls/OwlNet. "
        "Project page: https://owls.github.io/owlnet/.",
        [("OwlNet", Label.METHOD), ("owl detection", Label.TASK), ("NightBirds", Label.DATASET)],
    ),
    (
        "Bats at Night",
        "We study bat counting with OwlNet on NightBirds. Code for OwlNet is at "
        "https://github.com/bats/owlnet-reimplemented.",
        [("OwlNet", Label.METHOD), ("bat counting", Label.TASK), ("NightBirds", Label.DATASET)],
    ),
]


def analysis(index: int) -> PaperAnalysis:
    title, abstract, named = PAPERS[index]
    paper = Paper(id=f"link:{index + 1}", title=title, abstract=abstract)
    mentions = []
    for field, text in (("title", title), ("abstract", abstract)):
        for surface, label in named:
            for found in re.finditer(re.escape(surface), text):
                mentions.append(
                    Mention(surface, label, field, found.start(), found.end(), text, 0.9, "rules")
                )
    return analyse(paper, mentions)


@pytest.fixture
def graph(graph_of) -> Graph:
    analyses = [analysis(0), analysis(1)]
    return graph_of(analyses)


def paper(graph: Graph, paper_id: str) -> URIRef:
    [iri] = graph.subjects(DCTERMS.identifier, Literal(paper_id))
    assert isinstance(iri, URIRef)
    return iri


def owlnet(graph: Graph) -> URIRef:
    [iri] = [m for m in graph.subjects(RDF.type, PKG.Method) if graph.value(m, RDFS.label)]
    assert isinstance(iri, URIRef)
    return iri


def test_papers_link_to_code_and_pages(graph):
    first, second = paper(graph, "link:1"), paper(graph, "link:2")
    assert set(graph.objects(first, SDO.codeRepository)) == {CODE}
    assert set(graph.objects(first, FOAF.page)) == {PAGE}
    assert set(graph.objects(second, SDO.codeRepository)) == {OTHER}
    assert set(graph.objects(second, FOAF.page)) == set()


def test_the_proposed_method_links_to_its_code_alone(graph):
    # The second paper's repository is for OwlNet too, but that paper does not propose it.
    assert (paper(graph, "link:1"), PKG.proposes, owlnet(graph)) in graph
    assert set(graph.objects(owlnet(graph), SDO.codeRepository)) == {CODE}


def test_every_link_has_its_evidence(graph):
    texts = {f"link:{i}": abstract for i, (_, abstract, _) in enumerate(PAPERS, start=1)}
    evidence = {graph.value(e, PKG.linksTo): e for e in graph.subjects(RDF.type, PKG.LinkMention)}
    assert set(evidence) == {CODE, PAGE, OTHER}
    run = next(graph.subjects(RDF.type, PKG.Extraction))
    for url, node in evidence.items():
        paper_iri = graph.value(node, PKG.inPaper)
        text = texts[str(graph.value(paper_iri, DCTERMS.identifier))]
        start, end = (graph.value(node, p).toPython() for p in (PKG.start, PKG.end))
        assert text[start:end] == str(graph.value(node, PKG.exact)) == str(url)
        assert str(url) in str(graph.value(node, PKG.sentence))
        assert graph.value(node, PKG.textField) == Literal("abstract")
        assert graph.value(node, PKG.confidence).toPython() == Decimal("1.0")
        assert graph.value(node, PKG.extractor) == Literal("links")
        assert graph.value(node, PROV.wasGeneratedBy) == run
    assert set(graph.objects(evidence[CODE], PKG.forMethod)) == {owlnet(graph)}
    assert graph.value(evidence[CODE], PKG.sentence) == Literal(
        "Code for OwlNet is available at https://github.com/owls/OwlNet."
    )
    assert set(graph.objects(evidence[PAGE], PKG.forMethod)) == set()
    assert set(graph.objects(evidence[OTHER], PKG.forMethod)) == set()


def test_code_whose_address_does_not_name_the_proposed_method_is_the_papers_alone(graph_of):
    # The first paper's sentence names no method and its repository is not named after what
    # the paper proposes (like "fMRI" flagged as proposed, or "Layer-Attention" for Faceptor):
    # the paper keeps the link, the method gets none. The second's repository is named after
    # its method.
    minds = URIRef("https://github.com/minds/See_Through_Their_Minds")
    bats = URIRef("https://github.com/bats/BatNet")
    papers = [
        (
            "Seeing through minds",
            "We propose MindNet for decoding images from brain signals. Our code and weights "
            f"will be publicly released at {minds}.",
            [("MindNet", Label.METHOD)],
        ),
        (
            "Bats at night",
            f"We propose BatNet for bat counting. Our code is available at {bats}.",
            [("BatNet", Label.METHOD), ("bat counting", Label.TASK)],
        ),
    ]
    analyses = [
        analyse(
            Paper(id=f"code:{i}", title=title, abstract=abstract),
            [
                Mention(
                    surface, label, "abstract", found.start(), found.end(), abstract, 0.9, "rules"
                )
                for surface, label in named
                for found in re.finditer(re.escape(surface), abstract)
            ],
        )
        for i, (title, abstract, named) in enumerate(papers, start=1)
    ]
    graph = graph_of(analyses)
    methods = {str(graph.value(m, RDFS.label)): m for m in graph.subjects(RDF.type, PKG.Method)}
    assert (paper(graph, "code:1"), PKG.proposes, methods["MindNet"]) in graph
    assert set(graph.objects(paper(graph, "code:1"), SDO.codeRepository)) == {minds}
    assert set(graph.objects(methods["MindNet"], SDO.codeRepository)) == set()
    assert set(graph.objects(None, PKG.forMethod)) == {methods["BatNet"]}
    assert set(graph.objects(methods["BatNet"], SDO.codeRepository)) == {bats}
    report = validate_graph(graph)
    assert report.conforms, report.text


def test_graph_with_links_conforms(graph):
    report = validate_graph(graph)
    assert report.conforms, report.text


def _drop_evidence(graph: Graph, url: URIRef) -> None:
    node = graph.value(predicate=PKG.linksTo, object=url)
    graph.remove((node, None, None))


def _literal_link(graph: Graph, url: URIRef) -> None:
    graph.remove((paper(graph, "link:1"), SDO.codeRepository, url))
    graph.add((paper(graph, "link:1"), SDO.codeRepository, Literal(str(url))))


@pytest.mark.parametrize(
    ("breakage", "message"),
    [
        # A code link with no link mention behind it, from the paper and from the method.
        (lambda g: _drop_evidence(g, CODE), "needs a pkg:LinkMention"),
        (lambda g: g.add((owlnet(g), SDO.codeRepository, OTHER)), "needs a pkg:LinkMention"),
        # A link to a string, not an IRI.
        (lambda g: _literal_link(g, CODE), "IRI of a code repository"),
        (lambda g: g.add((paper(g, "link:1"), FOAF.page, Literal("owls.org"))), "IRI of a page"),
        # Evidence whose links are missing, or that lacks what evidence must say.
        (lambda g: g.remove((None, FOAF.page, PAGE)), "links to its address"),
        (lambda g: g.remove((owlnet(g), SDO.codeRepository, CODE)), "links to its address"),
        (lambda g: g.remove((None, PKG.sentence, None)), "sentence"),
        (lambda g: g.remove((None, PKG.linksTo, PAGE)), "exactly one IRI"),
    ],
)
def test_broken_link_fails_shapes(graph, breakage, message):
    breakage(graph)
    report = validate_graph(graph)
    assert not report.conforms
    assert message in report.text


def test_turtle_names_the_links(graph):
    turtle = graph.serialize(format="turtle")
    assert "schema:codeRepository <https://github.com/owls/OwlNet>" in turtle
    assert "foaf:page <https://owls.github.io/owlnet/>" in turtle


def test_store_without_mentions_keeps_links_not_their_evidence(tmp_path, graph):
    store = GraphStore(tmp_path / "store")
    store.replace(graph)
    small = store.to_graph(with_mentions=False)
    assert (None, SDO.codeRepository, CODE) in small
    assert not set(small.subjects(RDF.type, PKG.LinkMention))


# ------------------------------------------------------------------------ the real listing

# An address as a reader sees it, cut by hand: up to a space or brace, without the sentence's
# closing punctuation.
_ADDRESS = re.compile(r"https?://[^\s{}]+")


@pytest.mark.shared
def test_every_address_of_the_listing_becomes_a_link(listing_path, tmp_path):
    store = GraphStore(tmp_path / "store")
    build([listing_path], store, extractor="rules")
    graph = store.to_graph()
    written = {
        address.rstrip(".,;:)")
        for address in _ADDRESS.findall(listing_path.read_text(encoding="utf-8"))
    }
    assert len(written) == 26
    code = set(graph.objects(None, SDO.codeRepository))
    pages = set(graph.objects(None, FOAF.page))
    assert {str(url) for url in code | pages} == written
    assert not any(str(url).endswith(".") for url in code | pages)
    assert URIRef("https://github.com/Sense-X/Co-DETR") in code
    assert URIRef("https://tanshuai0219.github.io/EDTalk/") in pages
    assert (len(code), len(pages)) == (15, 11)
    # A method links to code whose address names it; a mention wrongly flagged as proposed
    # ("fMRI", "Layer-Attention") does not get the paper's repository.
    method_code = {
        (str(graph.value(method, RDFS.label)), str(url))
        for method, url in graph.subject_objects(SDO.codeRepository)
        if (method, RDF.type, PKG.Method) in graph
    }
    assert ("Co-DETR", "https://github.com/Sense-X/Co-DETR") in method_code
    assert ("HyperReenact", "https://github.com/StelaBou/HyperReenact") in method_code
    for url in ("YulongBonjour/See_Through_Their_Minds", "lxq1000/Faceptor"):
        assert URIRef(f"https://github.com/{url}") in code
        assert not any(linked == f"https://github.com/{url}" for _, linked in method_code)
    papers = set(graph.subjects(RDF.type, PKG.Paper))
    linked = {p for p in papers if set(graph.objects(p, SDO.codeRepository | FOAF.page))}
    assert len(linked) == 25
