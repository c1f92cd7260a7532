"""The explorer that ``kg serve`` runs: a read-only SPARQL endpoint with a query editor, and
pages for entities, papers and search, behind one URL.

:func:`make_server` embeds it (in tests or notebooks); :mod:`kg.explorer.app` is the web
application and :mod:`kg.explorer.pages` what its pages read from the store.
"""

from __future__ import annotations

from kg.explorer.server import ExplorerServer, make_server

__all__ = ["ExplorerServer", "make_server"]
