"""Views of a paperkg graph: a networkx graph of papers and entities, and an offline HTML page.

Both read an rdflib graph as built by :mod:`kg.graph`; pyvis is imported only when drawing.
"""

from __future__ import annotations

from kg.viz.html import write_html
from kg.viz.network import to_networkx

__all__ = ["to_networkx", "write_html"]
