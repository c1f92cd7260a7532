"""Tests for kg.viz.html: the page is self-contained, escaped, deterministic and draws in a browser.

The browser test needs Chromium at /usr/bin/chromium and the playwright package; it is
skipped without them, and fails without them in CI (CI=true).
"""

from __future__ import annotations

import json
import re
from importlib import resources
from pathlib import Path

import lxml.html
import pytest
from rdflib import RDF, RDFS, SKOS, XSD, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS

from kg.graph.namespace import PKG
from kg.viz import write_html
from kg.viz.page import KIND_COLOURS

EX = Namespace("https://example.org/paperkg-test/")
HOSTILE_TITLE = "Owls <script>window.pwned = 1;</script> & \"Gloom\" 'Nets' </div>"
REMOTE = re.compile(r"^\s*(?:https?:)?//", re.IGNORECASE)
CSS_REMOTE = re.compile(r"@import|url\(\s*['\"]?\s*(?:https?:)?//", re.IGNORECASE)

KINDS = [
    ("method", PKG.Method, PKG.usesMethod),
    ("dataset", PKG.Dataset, PKG.evaluatesOn),
    ("task", PKG.Task, PKG.addressesTask),
    ("metric", PKG.Metric, PKG.reportsMetric),
]


def add_paper(graph: Graph, key: str, title: str, year: str = "2022") -> URIRef:
    paper = EX[f"paper/{key}"]
    graph.add((paper, RDF.type, PKG.Paper))
    graph.add((paper, DCTERMS.title, Literal(title)))
    graph.add((paper, DCTERMS.identifier, Literal(f"test:{key}")))
    graph.add((paper, DCTERMS.date, Literal(year, datatype=XSD.gYear)))
    return paper


def add_entity(graph: Graph, kind: int, label: str, papers: list[URIRef]) -> URIRef:
    name, cls, link = KINDS[kind]
    entity = EX[f"{name}/{label.lower().replace(' ', '-')}"]
    graph.add((entity, RDF.type, cls))
    graph.add((entity, RDFS.label, Literal(label)))
    graph.add((entity, SKOS.prefLabel, Literal(label)))
    graph.add((entity, PKG.paperCount, Literal(len(papers))))
    for paper in papers:
        graph.add((paper, link, entity))
    return entity


@pytest.fixture
def graph() -> Graph:
    """Four papers (one with a hostile title) and five entities; 5 + 4 nodes, 9 links."""
    graph = Graph()
    p = [
        add_paper(graph, "a", "Gloom Transformers for Owl Detection", "2023"),
        add_paper(graph, "b", "Counting Owls at Dusk", "2021"),
        add_paper(graph, "c", HOSTILE_TITLE, "2020"),
        add_paper(graph, "d", "Moths & Lanterns <Revisited>", "2019"),
    ]
    add_entity(graph, 0, "Gloom Transformer", [p[0], p[1], p[2]])
    add_entity(graph, 0, "Moth <Net>", [p[3]])
    add_entity(graph, 1, "OwlSet-9K", [p[0], p[1]])
    add_entity(graph, 2, "owl detection", [p[0], p[2]])
    add_entity(graph, 3, "dusk accuracy", [p[1]])
    return graph


@pytest.fixture
def page(graph: Graph, tmp_path: Path) -> Path:
    return write_html(graph, tmp_path / "out" / "graph.html", title="Owl papers")


def parse(path: Path) -> lxml.html.HtmlElement:
    return lxml.html.fromstring(path.read_text(encoding="utf-8"))


def node_data(page: Path) -> list[dict]:
    """The node list the page hands to vis.DataSet."""
    return json.loads(parse(page).get_element_by_id("paperkg-data").text_content())["nodes"]


def test_write_html_returns_the_written_path(page: Path, tmp_path: Path) -> None:
    assert page == tmp_path / "out" / "graph.html"
    assert page.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_page_refers_to_nothing_remote(page: Path) -> None:
    document = parse(page)

    for element in document.iter():
        for attribute in ("src", "href", "srcset", "data", "poster", "action"):
            value = element.get(attribute)
            assert value is None or not REMOTE.match(value), (element.tag, attribute, value)
        assert not CSS_REMOTE.search(element.get("style") or "")
    for style in document.iter("style"):
        assert not CSS_REMOTE.search(style.text_content())
    assert [s for s in document.iter("script") if s.get("src") is not None] == []
    assert list(document.iter("link")) == []
    text = page.read_text(encoding="utf-8")
    assert "bootstrap" not in text.lower()
    assert "cdnjs" not in text and "jsdelivr" not in text


def test_page_inlines_the_vis_network_library(page: Path) -> None:
    library = resources.files("pyvis").joinpath("lib", "vis-9.1.2")
    script = library.joinpath("vis-network.min.js").read_text(encoding="utf-8")
    style = library.joinpath("vis-network.css").read_text(encoding="utf-8")
    document = parse(page)

    scripts = [s.text_content() for s in document.iter("script")]
    assert script in scripts
    assert any(style in s.text_content() for s in document.iter("style"))
    assert "new vis.Network(" in scripts[-1]
    assert "new vis.DataSet(data.nodes)" in scripts[-1]


def test_heading_names_the_graph_and_counts(page: Path) -> None:
    document = parse(page)

    assert document.findtext(".//h1") == "Owl papers"
    assert document.findtext(".//title") == "Owl papers"
    assert document.find_class("counts")[0].text_content() == "4 papers · 5 entities · 9 links"
    assert document.find_class("cuts") == []


def test_legend_lists_every_kind_with_its_colour_and_count(page: Path) -> None:
    items = parse(page).get_element_by_id("legend").findall(".//li")

    rows = {
        li.get("data-kind"): (
            li.find_class("kind")[0].text_content(),
            li.find_class("swatch")[0].get("style"),
            li.find_class("count")[0].text_content(),
        )
        for li in items
    }
    assert rows["paper"] == ("Paper", f"background-color: {KIND_COLOURS['paper']}", "4")
    assert rows["method"] == ("Method", f"background-color: {KIND_COLOURS['method']}", "2")
    assert [rows[k][2] for k in ("dataset", "task", "metric")] == ["1", "1", "1"]
    assert len(set(KIND_COLOURS.values())) == len(KIND_COLOURS)


def test_node_data_carries_colours_and_hover_titles(page: Path) -> None:
    nodes = node_data(page)

    # Node ids are page-local numbers, not IRIs: find nodes by what they show.
    assert sorted(node["id"] for node in nodes) == list(range(9))
    [paper] = [n for n in nodes if n["title"].startswith("Gloom Transformers for Owl Detection")]
    assert paper["title"] == "Gloom Transformers for Owl Detection · Paper"
    assert paper["color"] == KIND_COLOURS["paper"]
    [dataset] = [n for n in nodes if n.get("label") == "OwlSet-9K"]
    assert dataset["color"] == KIND_COLOURS["dataset"]
    assert dataset["title"] == "OwlSet-9K · Dataset · 2 papers"
    assert any(n["title"].startswith(HOSTILE_TITLE) for n in nodes)


def test_hostile_titles_are_escaped(graph: Graph, tmp_path: Path) -> None:
    page = write_html(graph, tmp_path / "g.html", title='<b>Owls</b> & "Moths"')
    text = page.read_text(encoding="utf-8")
    document = parse(page)

    assert "window.pwned" in text  # the title is there, only escaped
    assert "<script>window.pwned" not in text
    assert "<Revisited>" not in text and "<Net>" not in text
    # Three scripts: the library, the data and the drawing; none came from a title.
    assert len(list(document.iter("script"))) == 3
    assert document.findtext(".//h1") == '<b>Owls</b> & "Moths"'
    assert document.find(".//h1/b") is None


def test_max_entities_is_passed_on_and_shown_in_the_counts(graph: Graph, tmp_path: Path) -> None:
    page = write_html(graph, tmp_path / "cut.html", max_entities=1)

    document = parse(page)
    assert document.find_class("counts")[0].text_content() == "3 papers · 1 entity · 3 links"
    assert [p.text_content() for p in document.find_class("cuts")] == [
        "1 of 5 entities shown (those named by most papers)",
        "3 of 4 papers shown (those naming them)",
    ]
    assert len(node_data(page)) == 4


def test_output_is_the_same_for_the_same_graph(graph: Graph, tmp_path: Path) -> None:
    first = write_html(graph, tmp_path / "one.html").read_bytes()
    second = write_html(graph, tmp_path / "two.html").read_bytes()

    assert first == second
    assert b'"physics":{"enabled":false}' in first


def test_page_draws_offline_in_chromium(page: Path, chromium) -> None:
    remote_requests: list[str] = []
    errors: list[str] = []

    def record_request(request) -> None:
        if not request.url.startswith("file:"):
            remote_requests.append(request.url)

    def record_console(message) -> None:
        if message.type == "error":
            errors.append(message.text)

    with chromium(lambda url: url.startswith("file:")) as context:
        tab = context.new_page()
        tab.on("console", record_console)
        tab.on("pageerror", lambda error: errors.append(str(error)))
        tab.on("request", record_request)
        tab.goto(page.as_uri())
        tab.wait_for_function("window.paperkgReady === true")
        counts = tab.evaluate(
            "[network.body.data.nodes.length, network.body.data.edges.length,"
            " Object.keys(network.getPositions()).length, window.pwned === undefined]"
        )
        title = tab.evaluate(
            "prefix => network.body.data.nodes.get().find(n => n.title.startsWith(prefix)).title",
            HOSTILE_TITLE,
        )
        canvas = tab.evaluate("document.querySelector('#network canvas') !== null")

    assert counts == [9, 9, 9, True]
    assert title.startswith(HOSTILE_TITLE)
    assert canvas
    assert errors == []
    assert remote_requests == []
