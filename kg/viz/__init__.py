"""Views of a paperkg graph: a networkx graph of papers and entities, and an offline HTML page.

Both read an rdflib graph as built by :mod:`kg.graph` (``view_graph`` fetches the part of a
store worth drawing); pyvis is imported only when drawing.
"""

from __future__ import annotations

from kg.viz.html import write_html
from kg.viz.network import to_networkx
from kg.viz.view import view_graph

__all__ = ["to_networkx", "view_graph", "write_html"]
