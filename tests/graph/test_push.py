"""`kg push` against a real Oxigraph server: the graph arrives whole (default or named graph,
in chunks), the last `kg add` arrives as its change, and a refusing, absent or slow endpoint
is a clear error."""

from __future__ import annotations

import http.server
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.compare import isomorphic

from kg.build import add, build
from kg.cli import main
from kg.errors import EndpointError
from kg.graph.push import Endpoint, push_changes, push_graph
from kg.graph.store import GraphStore
from kg.graph.terms import PREFIXES

ROOT = Path(__file__).resolve().parents[2]
QUERY = ROOT / "ontology" / "queries" / "top-datasets-per-task.rq"
NAMED = "https://example.org/graphs/papers"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def oxigraph(tmp_path_factory) -> Iterator[str]:
    """The address of an Oxigraph server started for these tests."""
    program = shutil.which(
        "oxigraph", path=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
    )
    if program is None:
        pytest.skip("needs the Oxigraph server: pip install oxigraph")
    port = free_port()
    server = subprocess.Popen(
        [
            program,
            "serve",
            "--location",
            str(tmp_path_factory.mktemp("oxigraph")),
            "--bind",
            f"127.0.0.1:{port}",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(f"{url}/query", params={"query": "ASK {}"}, timeout=1)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline or server.poll() is not None:
                    pytest.fail("the Oxigraph server did not start within 30 s")
                time.sleep(0.1)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.fixture(scope="module")
def store(tmp_path_factory, sample_path) -> GraphStore:
    built = GraphStore(tmp_path_factory.mktemp("push") / "store")
    build([sample_path], built)
    return built


def remote_rows(url: str, query: str) -> list[dict[str, str]]:
    prefixes = "".join(f"PREFIX {name}: <{iri}>\n" for name, iri in PREFIXES.items())
    response = httpx.post(
        f"{url}/query",
        content=prefixes + query,
        headers={
            "Content-Type": "application/sparql-query",
            "Accept": "application/sparql-results+json",
        },
    )
    response.raise_for_status()
    return [
        {name: value["value"] for name, value in row.items()}
        for row in response.json()["results"]["bindings"]
    ]


def local_rows(store: GraphStore, query: str) -> list[dict[str, str]]:
    with store.open() as graph:
        solutions = graph.query(query, prefixes=PREFIXES)
        names = [variable.value for variable in solutions.variables]
        return [
            {name: row[name].value for name in names if row[name] is not None} for row in solutions
        ]


def remote_graph(url: str, graph: str | None = None) -> Graph:
    params = {"graph": graph} if graph else {"default": ""}
    response = httpx.get(f"{url}/store", params=params, headers={"Accept": "application/n-triples"})
    response.raise_for_status()
    return Graph().parse(data=response.text, format="nt")


def count(url: str, graph: str | None = None) -> int:
    where = f"GRAPH <{graph}> {{ ?s ?p ?o }}" if graph else "?s ?p ?o"
    (row,) = remote_rows(url, f"SELECT (COUNT(*) AS ?n) WHERE {{ {where} }}")
    return int(row["n"])


def test_the_graph_arrives_whole(store, oxigraph):
    pushed = push_graph(store, Endpoint(f"{oxigraph}/store", chunk_size=500))
    assert pushed.added == len(store) > 500
    assert pushed.requests == -(-len(store) // 500)
    assert count(oxigraph) == len(store)
    query = QUERY.read_text(encoding="utf-8")
    rows = remote_rows(oxigraph, query)
    assert len(rows) == 15
    assert rows == local_rows(store, query)
    assert isomorphic(remote_graph(oxigraph), store.to_graph())


def test_cli_pushes_a_named_graph(store, oxigraph, capsys):
    push_graph(store, Endpoint(f"{oxigraph}/store"))  # the default graph, which stays as it is
    argv = ["push", "--store", str(store.path), "--endpoint", f"{oxigraph}/store"]
    assert main([*argv, "--graph", NAMED, "--chunk-size", "1000"]) == 0
    requests = -(-len(store) // 1000)
    assert capsys.readouterr().out.splitlines() == [
        f"pushed {store.path} to {oxigraph}/store ({NAMED})",
        f"  triples: {len(store)} in {requests} request(s)",
    ]
    assert count(oxigraph, NAMED) == count(oxigraph) == len(store)
    # A second push replaces the graph rather than adding to it.
    assert main([*argv, "--graph", NAMED]) == 0
    assert count(oxigraph, NAMED) == len(store)


def test_the_last_add_arrives_as_its_change(tmp_path, sample_path, oxigraph, capsys):
    records = sample_path.read_text(encoding="utf-8").splitlines()
    first, rest = tmp_path / "first.jsonl", tmp_path / "rest.jsonl"
    first.write_text("\n".join(records[:4]) + "\n", encoding="utf-8")
    rest.write_text("\n".join(records[4:]) + "\n", encoding="utf-8")
    grown = GraphStore(tmp_path / "store")
    build([first], grown)
    endpoint, update = f"{oxigraph}/store", f"{oxigraph}/update"
    named = Endpoint(endpoint, graph=NAMED, update_url=update, chunk_size=100)
    with pytest.raises(EndpointError, match="keeps no change for its graph"):
        push_changes(grown, named)
    push_graph(grown, named)
    add([rest], grown)
    change = push_changes(grown, named)
    assert change is not None and change.added > 0 and change.removed > 0
    assert count(oxigraph, NAMED) == len(grown)
    assert isomorphic(remote_graph(oxigraph, NAMED), grown.to_graph())
    argv = ["push", "--store", str(grown.path), "--endpoint", endpoint, "--graph", NAMED]
    assert main([*argv, "--changes", "--update-endpoint", update]) == 0
    assert (
        capsys.readouterr().out == f"{endpoint} ({NAMED}) holds the graph of {grown.path} already\n"
    )
    # The default graph there was never sent this store's graph: its change cannot apply.
    with pytest.raises(EndpointError, match="was not sent the graph the last change"):
        push_changes(grown, Endpoint(endpoint, update_url=update))


def test_blank_nodes_stay_whole_across_chunks(tmp_path, oxigraph):
    ex = "https://example.org/"
    node, other = BNode(), BNode()
    triples = [(URIRef(f"{ex}s{i}"), URIRef(f"{ex}p"), Literal(i)) for i in range(5)]
    triples += [
        (URIRef(f"{ex}s0"), URIRef(f"{ex}q"), node),
        (node, URIRef(f"{ex}p"), other),
        (other, URIRef(f"{ex}p"), Literal("end")),
    ]
    store = GraphStore(tmp_path / "store")
    store.replace(triples)
    pushed = push_graph(store, Endpoint(f"{oxigraph}/store", graph=NAMED, chunk_size=2))
    # The three triples with blank nodes and one more, then the other four, two at a time.
    assert (pushed.added, pushed.requests) == (8, 3)
    assert isomorphic(remote_graph(oxigraph, NAMED), store.to_graph())


class Answer(http.server.BaseHTTPRequestHandler):
    """Answers every request with ``status`` after ``delay`` seconds."""

    status = 401
    delay = 0.0

    def answer(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        time.sleep(self.delay)
        self.send_response(self.status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_PUT = do_POST = answer

    def log_message(self, format, *args):  # noqa: A002 - the stdlib's signature
        pass


@pytest.fixture
def answering() -> Iterator[type[Answer]]:
    """A local server whose answer a test sets on the handler class it yields."""
    handler = type("Handler", (Answer,), {})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    handler.url = f"http://127.0.0.1:{server.server_address[1]}/store"  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield handler
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (401, "answered 401 Unauthorized: it wants credentials; set PAPERKG_ENDPOINT_USER"),
        (403, "answered 403 Forbidden: the credentials given may not write there"),
        (413, "too large for it; send smaller ones with --chunk-size N"),
        (500, "answered 500 Internal Server Error"),
    ],
)
def test_a_refusal_is_a_clear_error(store, answering, capsys, status, message):
    answering.status = status
    argv = ["push", "--store", str(store.path), "--endpoint", answering.url]
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"kg: error: {answering.url}?default answered {status}")
    assert message in err
    assert "Traceback" not in err


def test_credentials_come_from_the_environment(store, answering, monkeypatch):
    seen: list[str | None] = []
    answer = answering.answer

    def noting(self):
        seen.append(self.headers.get("Authorization"))
        answer(self)

    answering.status = 204
    answering.do_PUT = noting
    monkeypatch.setenv("PAPERKG_ENDPOINT_TOKEN", "s3cret")
    push_graph(store, Endpoint(answering.url))
    monkeypatch.delenv("PAPERKG_ENDPOINT_TOKEN")
    monkeypatch.setenv("PAPERKG_ENDPOINT_USER", "ada")
    monkeypatch.setenv("PAPERKG_ENDPOINT_PASSWORD", "pw")
    push_graph(store, Endpoint(answering.url))
    assert seen == ["Bearer s3cret", "Basic YWRhOnB3"]
    monkeypatch.setenv("PAPERKG_ENDPOINT_TOKEN", "s3cret")
    with pytest.raises(EndpointError, match="not both"):
        push_graph(store, Endpoint(answering.url))


def test_a_slow_endpoint_is_a_clear_error(store, answering):
    answering.delay = 2.0
    with pytest.raises(EndpointError, match=r"did not answer within 0.5 s; wait longer"):
        push_graph(store, Endpoint(answering.url, timeout=0.5))


def test_a_closed_port_is_a_clear_error(store, capsys):
    url = f"http://127.0.0.1:{free_port()}/store"
    assert main(["push", "--store", str(store.path), "--endpoint", url]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"kg: error: cannot connect to {url}?default: ")
    assert "check the address and that the store is running" in err
    assert "Traceback" not in err


def test_changes_need_an_update_endpoint(store, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["push", "--store", str(store.path), "--endpoint", "http://x/store", "--changes"])
    assert exit_.value.code == 2
    assert "give --update-endpoint URL too" in capsys.readouterr().err
