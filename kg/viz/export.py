"""A view written to a file: the page, or GraphML, GEXF or node-link JSON for Gephi, Cytoscape
or D3, by networkx's own writers and with the attributes the page shows."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Any

import networkx as nx


class ViewFormat(StrEnum):
    """Files ``kg viz`` writes."""

    HTML = "html"
    GRAPHML = "graphml"
    GEXF = "gexf"
    JSON = "json"


#: What joins a list attribute (aliases, titles, results) in formats without lists.
LIST_SEPARATOR = " | "


def write_view(network: nx.Graph, path: str | Path, fmt: ViewFormat, *, title: str) -> Path:
    """Write ``network`` to ``path`` in ``fmt``; return the path. The same view gives the
    same bytes."""
    from kg.viz.page import view_html

    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    if fmt is ViewFormat.HTML:
        target.write_text(view_html(network, title=title), encoding="utf-8", newline="\n")
    elif fmt is ViewFormat.JSON:
        data = nx.node_link_data(network, edges="edges")
        data["graph"]["title"] = title
        text = json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True)
        target.write_text(text + "\n", encoding="utf-8", newline="\n")
    elif fmt is ViewFormat.GRAPHML:
        nx.write_graphml(_flat(network, title), target)
    else:
        nx.write_gexf(_flat(network, title), target)
    return target


def _flat(network: nx.Graph, title: str) -> nx.Graph:
    """A copy whose attributes are plain values: lists joined, missing values left out."""
    flat = nx.Graph(**{k: _value(v) for k, v in network.graph.items()}, title=title)
    for node, data in network.nodes(data=True):
        flat.add_node(node, **{k: _value(v) for k, v in data.items() if v is not None})
    for u, v, data in network.edges(data=True):
        flat.add_edge(u, v, **{k: _value(x) for k, x in data.items() if x is not None})
    return flat


def _value(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return LIST_SEPARATOR.join(str(item) for item in value)
    return value


__all__ = ["LIST_SEPARATOR", "ViewFormat", "write_view"]
