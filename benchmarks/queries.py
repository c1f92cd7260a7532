"""Speed of the named queries of ontology/queries on a built store: in-process seconds with
pyoxigraph (median of several runs), against a query that only counts the papers, and, for
comparison, rdflib's in-memory SPARQL engine on the same graph.

    python benchmarks/queries.py STORE [--repeats 3] [--rdflib] [--rdflib-repeats 1] [--queries DIR]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable, Mapping
from pathlib import Path

from kg.graph.store import GraphStore
from kg.graph.terms import PREFIXES
from kg.query.sparql import bind_variables, select

QUERIES = Path(__file__).resolve().parents[1] / "ontology" / "queries"

# Values that name common entities of the ML/NLP abstracts, so each query has work to do.
BINDINGS: dict[str, dict[str, str]] = {
    "code-for-methods-on-dataset": {"dataset": "ImageNet"},
    "cooccurring": {"entity": "BERT"},
    "evidence": {"entity": "SQuAD"},
    "leaderboard": {"dataset": "ImageNet"},
    "methods-on-dataset": {"dataset": "ImageNet"},
    "papers-proposing-for-task": {"task": "question answering"},
    "top-datasets-per-task": {"task": "question answering"},
    "top-entities": {},
}
BASELINE = "SELECT (COUNT(?p) AS ?n) WHERE { ?p a pkg:Paper }"


def median_seconds(run: Callable[[], object], repeats: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeats):
        started = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def rdflib_runner(store: GraphStore) -> Callable[[str, Mapping[str, str]], int]:
    """A function that runs a query with rdflib over the store's whole graph, loaded once."""
    started = time.perf_counter()
    graph = store.to_graph()
    print(f"rdflib: {len(graph)} triples loaded in {time.perf_counter() - started:.1f} s")

    def run(sparql: str, bindings: Mapping[str, str]) -> int:
        return len(list(graph.query(bind_variables(sparql, bindings), initNs=PREFIXES)))

    return run


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("store", type=Path, help="a store built by `kg build`")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--rdflib", action="store_true", help="also time rdflib's engine")
    parser.add_argument("--rdflib-repeats", type=int, default=1)
    parser.add_argument(
        "--queries", type=Path, default=QUERIES, help="folder of .rq files (default: %(default)s)"
    )
    args = parser.parse_args(argv)
    store = GraphStore(args.store)
    if not store.exists():
        print(f"no store at {args.store}; build one with `kg build INPUT... --store PATH`")
        return 2

    baseline, _ = median_seconds(lambda: select(store, BASELINE), args.repeats)
    rdflib = rdflib_runner(store) if args.rdflib else None
    print(f"{len(store)} triples; baseline (count the papers) {baseline:.3f} s")
    header = f"{'query':<30}{'rows':>7}{'seconds':>10}{'x baseline':>12}"
    print(header + (f"{'rdflib s':>11}" if rdflib else ""))
    for path in sorted(args.queries.glob("*.rq")):
        sparql = path.read_text(encoding="utf-8")
        bindings = BINDINGS.get(path.stem, {})
        seconds, result = median_seconds(
            lambda s=sparql, b=bindings: select(store, s, b), args.repeats
        )
        rows = len(result.rows)  # type: ignore[attr-defined]
        line = f"{path.stem:<30}{rows:>7}{seconds:>10.3f}{seconds / baseline:>12.1f}"
        if rdflib is not None:
            slow, slow_rows = median_seconds(
                lambda s=sparql, b=bindings: rdflib(s, b), args.rdflib_repeats
            )
            line += f"{slow:>11.2f}" + ("" if slow_rows == rows else f"  ({slow_rows} rows)")
        print(line, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
