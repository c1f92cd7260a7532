"""Views of a paperkg graph as networkx graphs, and the offline page or files that show them.

:func:`build_view` fetches a view from a store with SPARQL; :func:`view_html` renders it as a
self-contained page; :func:`write_view` writes it as a page, GraphML, GEXF or JSON.
"""

from __future__ import annotations

from kg.viz.export import ViewFormat, write_view
from kg.viz.html import write_html
from kg.viz.network import to_networkx
from kg.viz.page import view_html
from kg.viz.view import view_graph
from kg.viz.views import VIEWS, build_view

__all__ = [
    "VIEWS",
    "ViewFormat",
    "build_view",
    "to_networkx",
    "view_graph",
    "view_html",
    "write_html",
    "write_view",
]
