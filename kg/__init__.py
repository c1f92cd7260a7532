"""paperkg: a knowledge graph of methods, datasets, tasks and metrics from paper abstracts.

The stages live in their own packages and data flows one way through them:
``kg.ingest`` -> ``kg.nlp`` -> ``kg.resolve`` -> ``kg.graph`` -> ``kg.query`` / ``kg.viz``.

For notebooks and scripts, ``kg.open(path)`` opens a built store as a
:class:`~kg.api.KnowledgeGraph`. Importing ``kg`` loads nothing else; ``kg.open`` loads what
reading a store needs, never spaCy.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kg.api import KnowledgeGraph

__version__ = "0.1.0"

__all__ = ["__version__", "open"]


def open(path: str | os.PathLike[str] = "paperkg-store") -> KnowledgeGraph:
    """The graph of the store at ``path`` (``./paperkg-store`` by default), read-only.

    Raises :class:`~kg.errors.StoreError` when no store is there.
    """
    from kg.api import KnowledgeGraph

    return KnowledgeGraph(path)
