"""Load on the SPARQL endpoint of ``kg serve`` and, under the same load, on the bare Oxigraph
server over the same store: concurrent clients, each sending the named queries of
ontology/queries in turn; errors, queries per second, median and 95th percentile latency.

    python benchmarks/serve.py STORE [--clients 20] [--queries 200] [--timeout 30] [--vary N]

Build the store once with ``kg build ../shared/corpora/ml_nlp_abstracts.jsonl --store STORE``.
Each server runs in its own process, started by this script; the clients are threads here.
kg serve runs twice: as it starts by default (repeated queries answered from its cache) and
with ``--cache-mb 0``, where every query runs in Oxigraph. ``--vary N`` binds each query in
turn to N different names, so that most queries are new to the cache.
"""

from __future__ import annotations

import argparse
import itertools
import os
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
from queries import BINDINGS

from kg.graph.store import GraphStore
from kg.query.named import named_queries
from kg.query.server import _free_port, oxigraph_command
from kg.query.sparql import bind_variables

JSON = "application/sparql-results+json"


@dataclass(frozen=True)
class Load:
    name: str
    errors: int
    queries: int
    seconds: float
    latencies: list[float]

    @property
    def per_second(self) -> float:
        return self.queries / self.seconds

    def percentile(self, share: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def workload() -> list[str]:
    """The named queries with the bindings of benchmarks/queries.py, prefixes declared."""
    return [bind_variables(q.text, BINDINGS.get(q.name, {})) for q in named_queries()]


#: The type of entity whose names a query's bound variable takes in a varied workload.
_VARIED = {"entity": "Method", "dataset": "Dataset", "task": "Task"}


def varied_workload(store: GraphStore, names: int) -> list[str]:
    """The named queries, each bound in turn to the labels of the ``names`` entities named by
    most papers of the type its variable takes (:data:`_VARIED`): mostly distinct queries,
    which an answer cache cannot serve from a handful of answers."""
    import pyoxigraph as ox

    labels: dict[str, list[str]] = {}
    for variable, kind in _VARIED.items():
        rows = ox.Store.read_only(str(store.current)).query(
            "PREFIX pkg: <https://w3id.org/paperkg/ontology#> "
            "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
            f"SELECT ?label WHERE {{ ?e pkg:paperRank ?rank ; a pkg:{kind} ; rdfs:label ?label "
            f"FILTER(?rank <= {names}) }} ORDER BY ?rank"
        )
        labels[variable] = [row["label"].value for row in rows]  # type: ignore[union-attr]
    texts: list[str] = []
    for i in range(names):
        for query in named_queries():
            bound = {
                variable: labels[variable][i % len(labels[variable])]
                for variable in BINDINGS.get(query.name, {})
            }
            if bound or i == 0:
                texts.append(bind_variables(query.text, bound))
    return texts


def run_load(name: str, url: str, queries: list[str], clients: int, per_client: int) -> Load:
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    start = threading.Barrier(clients + 1)

    def client(offset: int) -> None:
        mine: list[float] = []
        failed: list[str] = []
        texts = itertools.islice(itertools.cycle(queries), offset, offset + per_client)
        with httpx.Client(trust_env=False, timeout=120) as http:
            start.wait()
            for text in texts:
                began = time.perf_counter()
                try:
                    reply = http.post(
                        url,
                        content=text.encode("utf-8"),
                        headers={"Content-Type": "application/sparql-query", "Accept": JSON},
                    )
                    reply.read()
                    if reply.status_code != 200:
                        failed.append(f"{reply.status_code} {reply.text[:200]}")
                except httpx.HTTPError as err:
                    failed.append(repr(err))
                mine.append(time.perf_counter() - began)
        with lock:
            latencies.extend(mine)
            errors.extend(failed)

    # Each client starts one past where the one before stops: the clients do not move in step
    # through a short workload, and a long one is not the same queries sent by all at once.
    threads = [
        threading.Thread(target=client, args=(i * (per_client + 1),)) for i in range(clients)
    ]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - began
    for error in errors[:5]:
        print(f"  {name} error: {error}", file=sys.stderr)
    return Load(name, len(errors), len(latencies), seconds, latencies)


@contextmanager
def running(command: list[str], ready: str) -> Iterator[None]:
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                httpx.get(ready, timeout=1, trust_env=False)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        yield
    finally:
        process.terminate()
        process.wait(timeout=30)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("store", type=Path, help="a store built by `kg build`")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--queries", type=int, default=200, help="queries per client")
    parser.add_argument("--timeout", type=float, default=30.0, help="kg serve --timeout")
    parser.add_argument("--rounds", type=int, default=1, help="alternate the servers this often")
    parser.add_argument(
        "--vary",
        type=int,
        default=0,
        metavar="N",
        help="bind each query in turn to the N most-named entities of its type instead of one",
    )
    args = parser.parse_args(argv)
    store = GraphStore(args.store)
    if not store.exists():
        print(f"no store at {args.store}; build one with `kg build INPUT... --store PATH`")
        return 2
    queries = varied_workload(store, args.vary) if args.vary else workload()
    kg = [sys.executable, "-m", "kg.cli", "--quiet", "serve", "--store", str(args.store)]
    results: list[Load] = []
    for _ in range(args.rounds):
        port = _free_port("127.0.0.1")
        bare = [
            oxigraph_command(),
            "serve-read-only",
            "--location",
            str(store.current.resolve()),
            "--bind",
            f"127.0.0.1:{port}",
        ]
        with running(bare, f"http://127.0.0.1:{port}/"):
            results.append(
                run_load(
                    "oxigraph serve-read-only",
                    f"http://127.0.0.1:{port}/query",
                    queries,
                    args.clients,
                    args.queries,
                )
            )
        for name, cache in (("kg serve", []), ("kg serve --cache-mb 0", ["--cache-mb", "0"])):
            port = _free_port("127.0.0.1")
            command = [*kg, "--port", str(port), "--timeout", str(args.timeout), *cache]
            with running(command, f"http://127.0.0.1:{port}/health"):
                results.append(
                    run_load(
                        name, f"http://127.0.0.1:{port}/sparql", queries, args.clients, args.queries
                    )
                )
    print(
        f"{len(queries)} distinct queries, {args.clients} clients x {args.queries} queries, "
        f"{os.cpu_count()} cores"
    )
    print("| server | queries | errors | queries/s | median, s | p95, s |")
    print("|---|---|---|---|---|---|")
    for load in results:
        print(
            f"| {load.name} | {load.queries} | {load.errors} | {load.per_second:.1f} | "
            f"{statistics.median(load.latencies):.3f} | {load.percentile(0.95):.3f} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
