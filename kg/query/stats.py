"""Summary counts of a store: papers, mentions, entities per type and the most named ones."""

from __future__ import annotations

from kg.graph.store import GraphStore
from kg.query.sparql import select

_COUNTS = """
SELECT ?class (COUNT(?s) AS ?n) WHERE {
  VALUES ?class { pkg:Paper pkg:Mention pkg:Method pkg:Dataset pkg:Task pkg:Metric pkg:Author }
  ?s a ?class .
} GROUP BY ?class
"""

_TOP = """
SELECT ?class ?label ?papers WHERE {
  VALUES ?class { pkg:Method pkg:Dataset pkg:Task pkg:Metric }
  ?e a ?class ; rdfs:label ?label ; pkg:paperCount ?papers .
} ORDER BY ?class DESC(?papers) ?label
"""

_LINKED = """
SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE {
  ?p a pkg:Paper ; pkg:proposes|pkg:usesMethod|pkg:evaluatesOn|pkg:addressesTask ?e .
  FILTER NOT EXISTS { ?e a pkg:Metric }
}
"""


def graph_stats(store: GraphStore, *, top: int = 5) -> list[str]:
    """Lines describing the store's graph."""
    counts = {
        row["class"].rsplit("#", 1)[-1]: int(row["n"] or 0)
        for row in select(store, _COUNTS).as_dicts()
        if row["class"]
    }
    linked = int(select(store, _LINKED).rows[0][0] or 0)
    papers = counts.get("Paper", 0)
    lines = [
        f"triples: {len(store)}",
        f"papers: {papers}",
        f"papers linked to a method, dataset or task: {linked}"
        + (f" ({100 * linked / papers:.0f}%)" if papers else ""),
        f"authors: {counts.get('Author', 0)}",
        f"mentions: {counts.get('Mention', 0)}",
    ]
    by_class: dict[str, list[str]] = {}
    for row in select(store, _TOP).as_dicts():
        name = (row["class"] or "").rsplit("#", 1)[-1]
        by_class.setdefault(name, [])
        if len(by_class[name]) < top:
            by_class[name].append(f"{row['label']} ({row['papers']})")
    for name in ("Method", "Dataset", "Task", "Metric"):
        lines.append(f"{name.lower()}s: {counts.get(name, 0)}")
        if by_class.get(name):
            lines.append("  most named: " + ", ".join(by_class[name]))
    return lines
