"""`kg stats` on the hand-made corpus: counts, and the most named entities of each type in the
order of their paper counts, ties by label."""

from __future__ import annotations

from kg.query.stats import graph_stats


def test_stats_count_and_list_the_most_named_of_each_type(query_store):
    lines = graph_stats(query_store, top=2)
    assert lines[0].startswith("triples: ")
    assert lines[1:] == [
        "papers: 3",
        "papers linked to a method, dataset or task: 3 (100%)",
        "authors: 0",
        "mentions: 15",
        "methods: 3",
        "  most named: Owlformer (2), BatNet (1)",
        "datasets: 4",
        "  most named: NightBirds (3), Forest10 (2)",
        "tasks: 2",
        "  most named: owl detection (2), bat counting (1)",
        "metrics: 2",
        "  most named: mAP (2), accuracy (1)",
    ]
