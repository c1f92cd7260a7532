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

_LINKED = """
SELECT (COUNT(?p) AS ?n) WHERE {
  ?p a pkg:Paper .
  FILTER EXISTS {
    ?p pkg:proposes|pkg:usesMethod|pkg:evaluatesOn|pkg:addressesTask ?e .
    FILTER NOT EXISTS { ?e a pkg:Metric }
  }
}
"""


def _top_query(top: int) -> str:
    """The ``top`` most named entities of each type. The build numbers each type's entities by
    papers (``pkg:paperRank``), so each place is an index look-up, where sorting every entity
    took seconds on large graphs. (The types are a FILTER: as VALUES, Oxigraph reads every
    entity of the four types first.)"""
    ranks = " ".join(str(rank) for rank in range(1, top + 1))
    return f"""
SELECT ?class ?label ?papers WHERE {{
  VALUES ?rank {{ {ranks} }}
  ?e pkg:paperRank ?rank ; a ?class ; rdfs:label ?label ; pkg:paperCount ?papers .
  FILTER(?class IN (pkg:Method, pkg:Dataset, pkg:Task, pkg:Metric))
}} ORDER BY ?class ?rank
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
    for row in select(store, _top_query(top)).as_dicts():
        name = (row["class"] or "").rsplit("#", 1)[-1]
        by_class.setdefault(name, []).append(f"{row['label']} ({row['papers']})")
    for name in ("Method", "Dataset", "Task", "Metric"):
        lines.append(f"{name.lower()}s: {counts.get(name, 0)}")
        if by_class.get(name):
            lines.append("  most named: " + ", ".join(by_class[name]))
    return lines
