"""paperkg: a knowledge graph of methods, datasets, tasks and metrics from paper abstracts.

The stages live in their own packages and data flows one way through them:
``kg.ingest`` -> ``kg.nlp`` -> ``kg.resolve`` -> ``kg.graph`` -> ``kg.query`` / ``kg.viz``.
"""

from __future__ import annotations

__version__ = "0.1.0"
