"""Views of a paperkg graph: a networkx graph of papers and entities, and an offline HTML page.

Both read an rdflib graph as built by :mod:`kg.graph` (``view_graph`` fetches the part of a
store worth drawing); pyvis is imported only when drawing.
"""

from __future__ import annotations

import networkx as nx

from kg.errors import KgError
from kg.graph.store import GraphStore
from kg.viz.html import _render, write_html
from kg.viz.network import to_networkx
from kg.viz.view import view_graph

__all__ = ["VIEWS", "build_view", "to_networkx", "view_graph", "view_html", "write_html"]

#: The views :func:`build_view` draws.
VIEWS = ("papers",)
#: The entities a view draws unless ``top`` says otherwise.
DEFAULT_TOP = 300


def build_view(
    store: GraphStore, view: str = "papers", *, top: int | None = None, min_papers: int = 1
) -> nx.Graph:
    """The ``view`` of the store's graph as a networkx graph (see :func:`to_networkx` for its
    nodes and edges). ``papers``: the ``top`` entities named by most papers (of those named
    by at least ``min_papers``; 300 by default) and the papers that name them."""
    if view not in VIEWS:
        raise KgError(f"unknown view {view!r}; choose one of: {', '.join(VIEWS)}")
    top = DEFAULT_TOP if top is None else top
    return to_networkx(view_graph(store, max_entities=top), max_entities=top, min_papers=min_papers)


def view_html(network: nx.Graph, *, title: str = "paperkg") -> str:
    """A self-contained interactive page of ``network`` (as :func:`build_view` returns it)."""
    return _render(network, title=title)
