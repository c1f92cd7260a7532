"""The page of an rdflib graph's papers and entities, for graphs not read from a store."""

from __future__ import annotations

from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS

from kg.viz.network import to_networkx
from kg.viz.page import view_html


def write_html(
    graph: Graph, path: str | Path, *, title: str = "paperkg", max_entities: int | None = 300
) -> Path:
    """Write the page of ``graph``'s papers and the ``max_entities`` entities named by most
    papers (see :func:`kg.viz.to_networkx`) to ``path``; return the path."""
    network = to_networkx(graph, max_entities=max_entities)
    for node, data in network.nodes(data=True):
        if "paper_count" in data:
            data["papers"] = data.pop("paper_count")
        if data["kind"] == "paper":
            data["label"] = str(graph.value(URIRef(node), DCTERMS.title) or data["label"])
    papers = sum(1 for _, kind in network.nodes(data="kind") if kind == "paper")
    entities = network.number_of_nodes() - papers
    network.graph["cuts"] = [
        f"{shown:,} of {total:,} {what} shown ({why})"
        for shown, total, what, why in (
            (
                entities,
                network.graph.get("entities_total", entities),
                "entities",
                "those named by most papers",
            ),
            (papers, network.graph.get("papers_total", papers), "papers", "those naming them"),
        )
        if shown < total
    ]
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(view_html(network, title=title), encoding="utf-8", newline="\n")
    return target


__all__ = ["write_html"]
