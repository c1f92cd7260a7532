"""The SPARQL endpoint of ``kg serve`` over HTTP, on a live server on 127.0.0.1: protocol
forms, content negotiation, SPARQL clients, read-only refusals, limits, and ``kg serve``."""

from __future__ import annotations

import json
import logging
import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.error
from collections.abc import Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from html import escape, unescape
from html.parser import HTMLParser
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from urllib.parse import urlencode

import httpx
import pytest
from rdflib import Graph, Literal
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS

from kg.build import build
from kg.cli import main
from kg.explorer import ExplorerServer, make_server
from kg.graph.store import GraphStore
from kg.graph.terms import PREFIXES
from kg.query.server import negotiate

SAMPLE = Path(__file__).resolve().parents[2] / "kg" / "data" / "sample" / "abstracts.jsonl"
TIMEOUT = 10  # seconds, for every request
COUNT = "SELECT (COUNT(?p) AS ?n) WHERE { ?p a pkg:Paper }"
TITLES = "CONSTRUCT { ?p dcterms:title ?t } WHERE { ?p a pkg:Paper ; dcterms:title ?t }"
JSON = "application/sparql-results+json; charset=utf-8"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
SPARQL = {"Content-Type": "application/sparql-query"}
UPDATE = {"Content-Type": "application/sparql-update"}
ORIGIN = {"Origin": "https://example.org"}


@dataclass(frozen=True)
class Reply:
    status: int
    headers: httpx.Headers
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")

    def json(self) -> dict:
        return json.loads(self.body)


def fetch(
    url: str,
    *,
    data: bytes | None = None,
    headers: Mapping[str, str] | None = None,
    method: str | None = None,
) -> Reply:
    method = method or ("GET" if data is None else "POST")
    # Straight to 127.0.0.1, whatever proxy the environment names.
    reply = httpx.request(
        method, url, content=data, headers=dict(headers or {}), timeout=TIMEOUT, trust_env=False
    )
    return Reply(reply.status_code, reply.headers, reply.content)


def get(endpoint: str, headers: Mapping[str, str] | None = None, **params: str) -> Reply:
    return fetch(f"{endpoint}?{urlencode(params)}", headers=headers)


def post_form(endpoint: str, **params: str) -> Reply:
    return fetch(endpoint, data=urlencode(params).encode("utf-8"), headers=FORM)


def count(reply: Reply) -> int:
    return int(reply.json()["results"]["bindings"][0]["n"]["value"])


@pytest.fixture(scope="module")
def graph_store(tmp_path_factory: pytest.TempPathFactory) -> GraphStore:
    store = GraphStore(tmp_path_factory.mktemp("server") / "store")
    build([SAMPLE], store)
    return store


@pytest.fixture(scope="module")
def server(graph_store: GraphStore) -> Iterator[ExplorerServer]:
    with make_server(graph_store, port=0, timeout=30) as server:
        server.start()
        yield server


@pytest.fixture
def endpoint(server: ExplorerServer) -> str:
    return server.url


@pytest.fixture
def root(server: ExplorerServer) -> str:
    return server.root


@contextmanager
def serving(store: GraphStore, **options: object) -> Iterator[ExplorerServer]:
    with make_server(store, port=0, **options) as server:  # type: ignore[arg-type]
        server.start()
        yield server


def test_server_listens_on_loopback_at_a_free_port(server):
    match = re.fullmatch(r"http://127\.0\.0\.1:(\d+)", server.root)
    assert match is not None
    assert int(match.group(1)) > 0
    assert server.url == f"{server.root}/sparql"


def test_query_is_the_same_endpoint_as_sparql(root, endpoint):
    assert count(get(f"{root}/query", query=COUNT)) == count(get(endpoint, query=COUNT)) == 6


def test_health_says_the_engine_answers(root):
    reply = fetch(f"{root}/health")
    assert reply.status == 200
    assert reply.json()["status"] == "ok"


def test_get_and_both_posts_give_the_same_json(endpoint):
    replies = [
        get(endpoint, query=COUNT),
        fetch(endpoint, data=COUNT.encode("utf-8"), headers=SPARQL),
        post_form(endpoint, query=COUNT),
    ]
    assert [r.status for r in replies] == [200, 200, 200]
    assert [r.headers["Content-Type"] for r in replies] == [JSON] * 3
    assert replies[0].body == replies[1].body == replies[2].body
    assert replies[0].json()["head"]["vars"] == ["n"]
    assert count(replies[0]) == 6


def test_concurrent_requests_share_the_open_store(endpoint):
    with ThreadPoolExecutor(max_workers=8) as pool:
        replies = list(pool.map(lambda _: get(endpoint, query=COUNT), range(32)))
    assert [count(reply) for reply in replies] == [6] * 32


@pytest.mark.parametrize(
    ("accept", "content_type", "body"),
    [
        ("text/csv", "text/csv", "n\r\n6\r\n"),
        ("text/tab-separated-values", "text/tab-separated-values", "?n\n6\n"),
        ("application/sparql-results+xml", "application/sparql-results+xml", None),
        ("application/sparql-results+json", "application/sparql-results+json", None),
        ("text/html,application/xhtml+xml,*/*;q=0.8", "application/sparql-results+json", None),
        ("text/csv;q=0.2, text/tab-separated-values;q=0.9", "text/tab-separated-values", None),
    ],
)
def test_results_format_follows_accept(endpoint, accept, content_type, body):
    reply = get(endpoint, {"Accept": accept}, query=COUNT)
    assert reply.status == 200
    assert reply.headers["Content-Type"] == f"{content_type}; charset=utf-8"
    assert "Accept" in reply.headers["Vary"].split(", ")
    if body is not None:
        assert reply.text == body
    if content_type.endswith("xml"):
        assert re.search(r'<literal datatype="[^"]+#integer">6</literal>', reply.text)


def test_format_parameter_wins_over_accept(endpoint):
    by_accept = get(endpoint, {"Accept": "text/csv"}, query=COUNT)
    by_format = get(
        endpoint, {"Accept": "application/sparql-results+json"}, query=COUNT, format="csv"
    )
    by_form = fetch(
        endpoint,
        data=urlencode({"query": COUNT, "format": "csv"}).encode("utf-8"),
        headers={**FORM, "Accept": "application/sparql-results+json"},
    )
    assert by_format.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert by_accept.text == by_format.text == by_form.text == "n\r\n6\r\n"


def test_an_empty_format_parameter_leaves_the_choice_to_accept(endpoint):
    reply = get(endpoint, {"Accept": "text/csv"}, query=COUNT, format="")
    assert reply.headers["Content-Type"] == "text/csv; charset=utf-8"


@pytest.mark.parametrize(
    ("query", "answer"),
    [
        ("ASK { ?p a pkg:Paper }", True),
        ("ASK { ?p a pkg:NoSuchClass }", False),
    ],
)
def test_ask(endpoint, query, answer):
    reply = get(endpoint, query=query)
    assert reply.status == 200
    assert reply.headers["Content-Type"] == JSON
    assert reply.json()["boolean"] is answer
    assert get(endpoint, query=query, format="csv").text == str(answer).lower()


def _sample_titles() -> set[str]:
    lines = SAMPLE.read_text(encoding="utf-8").splitlines()
    return {json.loads(line)["title"] for line in lines if line.strip()}


def test_construct_as_turtle_parses_with_rdflib(endpoint):
    reply = get(endpoint, query=TITLES)
    assert reply.status == 200
    assert reply.headers["Content-Type"] == "text/turtle; charset=utf-8"
    assert "@prefix dcterms:" in reply.text  # the predeclared prefixes keep Turtle readable
    graph = Graph().parse(data=reply.text, format="turtle")
    assert len(graph) == 6
    assert {str(o) for o in graph.objects(None, DCTERMS.title)} == _sample_titles()


def test_construct_as_n_triples_is_the_same_graph(endpoint):
    turtle = get(endpoint, query=TITLES)
    nt = get(endpoint, {"Accept": "application/n-triples"}, query=TITLES)
    assert nt.headers["Content-Type"] == "application/n-triples; charset=utf-8"
    assert nt.text == get(endpoint, query=TITLES, format="nt").text
    assert isomorphic(
        Graph().parse(data=turtle.text, format="turtle"), Graph().parse(data=nt.text, format="nt")
    )


def test_describe_is_a_graph(endpoint):
    reply = get(
        endpoint, query='DESCRIBE ?p WHERE { ?p dcterms:identifier "sample:1" }', format="nt"
    )
    graph = Graph().parse(data=reply.text, format="nt")
    assert (None, DCTERMS.identifier, Literal("sample:1")) in graph


def test_bind_parameters_give_variables_values(endpoint):
    query = "SELECT ?title WHERE { ?p dcterms:identifier ?id ; dcterms:title ?title }"
    titles = ["Gated Audio Transformers for Sound Event Classification"]
    by_get = get(endpoint, query=query, **{"bind.id": "sample:1"})
    by_form = post_form(endpoint, query=query, **{"bind.id": "sample:1"})
    by_body = fetch(f"{endpoint}?bind.id=sample%3A1", data=query.encode("utf-8"), headers=SPARQL)
    for reply in (by_get, by_form, by_body):
        assert reply.status == 200
        assert [b["title"]["value"] for b in reply.json()["results"]["bindings"]] == titles
    assert len(get(endpoint, query=query).json()["results"]["bindings"]) == 6


def test_several_bindings_and_an_iri_binding(endpoint):
    query = "SELECT ?id WHERE { ?p dcterms:identifier ?id ; a ?class ; dcterms:date ?year }"
    params = {
        "bind.class": "<" + PREFIXES["pkg"] + "Paper>",
        "bind.id": "sample:2",
        "bind.year": "no such year",
    }
    assert get(endpoint, query=query, **params).json()["results"]["bindings"] == []
    del params["bind.year"]
    rows = get(endpoint, query=query, **params).json()["results"]["bindings"]
    assert [row["id"]["value"] for row in rows] == ["sample:2"]


def test_a_query_that_does_not_parse_is_400(endpoint):
    reply = get(endpoint, query="SELECT ?p WHERE { ?p a }")
    assert reply.status == 400
    assert reply.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert "does not parse" in reply.text
    assert "error at 1:" in reply.text
    assert "Traceback" not in reply.text


INSERT = "INSERT DATA { <urn:x:a> a <https://w3id.org/paperkg/ontology#Paper> }"
UPDATES = [
    INSERT,
    "PREFIX pkg: <https://w3id.org/paperkg/ontology#>\n# a comment with INSERT\nDELETE WHERE "
    "{ ?p a pkg:Paper }",
    "LOAD <http://example.org/graph.ttl>",
    "CLEAR ALL",
]


@pytest.mark.parametrize("update", UPDATES, ids=["insert", "delete", "load", "clear"])
@pytest.mark.parametrize(
    "send",
    [
        lambda e, u: get(e, query=u),
        lambda e, u: post_form(e, query=u),
        lambda e, u: post_form(e, update=u),
        lambda e, u: fetch(e, data=u.encode(), headers=SPARQL),
        lambda e, u: fetch(e, data=u.encode(), headers=UPDATE),
    ],
    ids=["get-query", "form-query", "form-update", "sparql-query", "sparql-update"],
)
def test_an_update_is_refused_as_read_only_however_it_is_sent(endpoint, send, update):
    reply = send(endpoint, update)
    assert reply.status == 403
    assert "read-only" in reply.text
    assert "kg build" in reply.text  # says how the graph is changed
    assert count(get(endpoint, query=COUNT)) == 6


@pytest.mark.parametrize(
    "send",
    [
        lambda e: fetch(e),
        lambda e: get(e, query=""),
        lambda e: post_form(e, format="json"),
        lambda e: fetch(e, data=b"", headers=SPARQL),
    ],
    ids=["get", "empty", "form", "body"],
)
def test_a_missing_query_is_400_that_says_how_to_call(endpoint, send):
    reply = send(endpoint)
    assert reply.status == 400
    assert reply.text.startswith("missing query:")
    assert "GET /sparql?query=" in reply.text
    assert "application/sparql-query" in reply.text


@pytest.mark.parametrize(
    ("request_kwargs", "status", "says"),
    [
        ({"data": b"q", "headers": {"Content-Type": "text/plain"}}, 415, "Content-Type"),
        ({"data": b"\xff\xfe", "headers": SPARQL}, 400, "not UTF-8"),
        ({"data": b"query=%FF", "headers": FORM}, 400, "not UTF-8"),
        (
            {"data": urlencode([("query", COUNT), ("query", COUNT)]).encode(), "headers": FORM},
            400,
            "give query once",
        ),
        (
            {"data": urlencode({"query": COUNT, "format": "yaml"}).encode(), "headers": FORM},
            400,
            "unknown format=yaml",
        ),
        (
            {"data": urlencode({"query": COUNT, "bind.1x": "a"}).encode(), "headers": FORM},
            400,
            "bind.1x",
        ),
        (
            {
                "data": urlencode({"query": COUNT, "default-graph-uri": "urn:g"}).encode(),
                "headers": FORM,
            },
            400,
            "default-graph-uri",
        ),
    ],
    ids=["media-type", "body-utf8", "form-utf8", "two-queries", "format", "bind", "graph-uri"],
)
def test_bad_requests_say_what_is_wrong(endpoint, request_kwargs, status, says):
    reply = fetch(endpoint, **request_kwargs)
    assert reply.status == status
    assert says in reply.text


def test_an_unknown_path_is_404(root):
    reply = fetch(f"{root}/nothing/here")
    assert reply.status == 404
    assert "/sparql" in reply.text


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("PUT", "/sparql", {"GET", "HEAD", "POST"}),
        ("DELETE", "/sparql", {"GET", "HEAD", "POST"}),
        ("POST", "/", {"GET", "HEAD"}),
    ],
)
def test_a_wrong_method_is_405_with_allow(root, method, path, allow):
    reply = fetch(f"{root}{path}", data=b"", headers=SPARQL, method=method)
    assert reply.status == 405
    assert set(reply.headers["Allow"].split(", ")) == allow


@pytest.mark.parametrize(
    ("query", "params", "accept"),
    [
        (COUNT, {}, "image/png"),
        (COUNT, {}, "text/csv;q=0, application/sparql-results+json;q=0"),
        (TITLES, {}, "text/csv"),
        (TITLES, {"format": "csv"}, "*/*"),
        (COUNT, {"format": "turtle"}, "*/*"),
    ],
)
def test_nothing_acceptable_is_406(endpoint, query, params, accept):
    reply = get(endpoint, {"Accept": accept}, query=query, **params)
    assert reply.status == 406
    assert "turtle" in reply.text or "json" in reply.text  # names what is on offer


def test_sparql_answers_allow_any_origin(endpoint):
    for reply in (
        get(endpoint, ORIGIN, query=COUNT),
        get(endpoint, ORIGIN, query="nonsense"),
        fetch(endpoint, headers=ORIGIN),
    ):
        assert reply.headers["Access-Control-Allow-Origin"] == "*"
    preflight = fetch(
        endpoint,
        method="OPTIONS",
        headers={
            **ORIGIN,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "Content-Type",
        },
    )
    assert preflight.status == 200
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]
    assert "Content-Type" in preflight.headers["Access-Control-Allow-Headers"]


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def test_home_page_is_a_self_contained_editor(root):
    reply = fetch(f"{root}/")
    assert reply.status == 200
    assert reply.headers["Content-Type"] == "text/html; charset=utf-8"
    assert "default-src 'none'" in reply.headers["Content-Security-Policy"]
    assert "Access-Control-Allow-Origin" not in reply.headers
    page = _Page()
    page.feed(reply.text)
    forms = [attrs for tag, attrs in page.tags if tag == "form"]
    assert {"id": "query-form", "method": "post", "action": "/sparql"} in forms
    assert any(tag == "textarea" and attrs.get("name") == "query" for tag, attrs in page.tags)
    links = [
        value
        for _, attrs in page.tags
        for name, value in attrs.items()
        if name in ("src", "href", "action") and value is not None
    ]
    assert not [link for link in links if re.match(r"(?i)\s*(https?:)?//", link)]
    scripts = [attrs["src"] for tag, attrs in page.tags if tag == "script" and "src" in attrs]
    assert scripts == ["/static/editor.js"]
    assert fetch(f"{root}/static/editor.js").status == 200
    assert escape(PREFIXES["pkg"]) in reply.text
    assert escape("?m rdfs:label ?method") in reply.text  # the example query
    named = [attrs["data-name"] for tag, attrs in page.tags if attrs.get("class") == "named"]
    assert "leaderboard" in named and "evidence" in named


def test_the_example_query_on_the_page_runs(root, endpoint):
    text = fetch(f"{root}/").text
    example = re.search(r"<textarea[^>]*>(.*?)</textarea>", text, re.DOTALL)
    assert example is not None
    reply = post_form(endpoint, query=unescape(example.group(1)))
    assert reply.status == 200
    assert reply.json()["results"]["bindings"]


def test_head_sends_headers_only(root):
    reply = fetch(f"{root}/", method="HEAD")
    assert reply.status == 200
    assert int(reply.headers["Content-Length"]) > 0
    assert reply.body == b""


class _Recorder(BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self) -> None:
        self.hits.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.end_headers()
        self.wfile.write(b'{"head":{"vars":[]},"results":{"bindings":[{}]}}')

    do_POST = do_GET

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def listener() -> Iterator[tuple[str, list[str]]]:
    """An HTTP server on 127.0.0.1 that records the requests made to it."""
    hits: list[str] = []
    handler = type("Recorder", (_Recorder,), {"hits": hits})
    server = HTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/sparql", hits
    server.shutdown()
    server.server_close()
    thread.join(timeout=TIMEOUT)


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ("SELECT * WHERE { SERVICE <{url}> { ?s ?p ?o } }", 403),
        ("ASK { service <{url}> { ?s ?p ?o } }", 403),
        ("ASK { SERVICE SILENT <{url}> { ?s ?p ?o } }", 403),
        ("PREFIX : <{url}#> ASK { SERVICE:x { ?s ?p ?o } }", 403),
        ("ASK { BIND(1 AS ?x) SERVICE <{url}> { ?s ?p ?o } }", 403),
        ("ASK { ?s ?p 1SERVICE <{url}> { ?a ?b ?c } }", 403),
        # Escapes are not read outside strings and IRIs: this one does not parse at all.
        ("ASK { \\u0053ERVICE <{url}> { ?s ?p ?o } }", 400),
    ],
)
def test_federated_queries_are_refused_without_a_request(endpoint, listener, query, status):
    url, hits = listener
    reply = get(endpoint, query=query.replace("{url}", url))
    assert reply.status == status
    if status == 403:
        assert "read-only" in reply.text and "SERVICE" in reply.text
    assert hits == []


def test_service_in_a_string_or_name_is_not_a_service_call(endpoint):
    query = (
        "SELECT (COUNT(?p) AS ?n) WHERE { ?p a pkg:Paper  # a service-free comment\n"
        'FILTER(!CONTAINS(STR(?p), "SERVICE <x> {}")) BIND(?p AS ?service) }'
    )
    reply = get(endpoint, query=query)
    assert reply.status == 200
    assert count(reply) == 6


def _broken(*args: object, **kwargs: object) -> None:
    raise ValueError("secret detail")


def test_an_unexpected_failure_is_500_without_a_traceback(server, endpoint, monkeypatch, caplog):
    monkeypatch.setattr(server.endpoint, "_forward", _broken)
    with caplog.at_level(logging.ERROR, logger="uvicorn.error"):
        reply = get(endpoint, query="ASK { ?s ?p 500 }")
        # The server logs the error once the answer is sent.
        deadline = time.monotonic() + TIMEOUT
        while not caplog.records and time.monotonic() < deadline:
            time.sleep(0.02)
    assert reply.status == 500
    assert "Traceback" not in reply.text
    assert "secret detail" not in reply.text
    assert any("secret detail" in (r.exc_text or "") for r in caplog.records)


def test_each_request_is_logged_on_one_line(graph_store, caplog):
    with serving(graph_store, access_log=True) as logged:
        with caplog.at_level(logging.INFO, logger="uvicorn.access"):
            get(logged.url, query=COUNT)
            fetch(logged.root + "/missing")
    lines = [r.getMessage() for r in caplog.records if r.name == "uvicorn.access"]
    assert len(lines) == 2
    assert re.fullmatch(r'127\.0\.0\.1:\d+ - "GET /sparql\?query=\S+ HTTP/1\.1" 200', lines[0])
    assert re.fullmatch(r'127\.0\.0\.1:\d+ - "GET /missing HTTP/1\.1" 404', lines[1])


@pytest.mark.parametrize(
    ("accept", "chosen"),
    [
        (None, "application/sparql-results+json"),
        ("", "application/sparql-results+json"),
        ("nonsense", "application/sparql-results+json"),
        ("text/csv;q=0, */*", "application/sparql-results+json"),
        ("text/csv, application/sparql-results+json", "application/sparql-results+json"),
        ("application/sparql-results+xml;q=0.9, text/*", "text/csv"),
        ("TEXT/CSV", "text/csv"),
        ("text/csv;q=2", "application/sparql-results+json"),  # a bad q drops the range
        ("*/*;q=0", None),
        ("application/json", None),
    ],
)
def test_negotiate(accept, chosen):
    offered = ["application/sparql-results+json", "text/csv", "application/sparql-results+xml"]
    assert negotiate(accept, offered) == chosen


# Every triple against every other, four times over: far more than a second on any graph.
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


@pytest.mark.parametrize("timeout", [None, 60.0])
def test_queries_answer_the_same_with_and_without_a_time_limit(graph_store, timeout):
    with serving(graph_store, timeout=timeout) as limited:
        assert count(get(limited.url, query=COUNT)) == 6
        assert get(limited.url, query="SELECT * WHERE { ?s ?p }").status == 400


def test_a_query_over_the_time_limit_is_stopped_with_503(graph_store):
    with serving(graph_store, timeout=0.5) as limited:
        started = time.perf_counter()
        reply = get(limited.url, query=SLOW)
        assert time.perf_counter() - started < 5
        assert reply.status == 503
        assert reply.text.startswith("the query did not finish within 0.5 s and was stopped; ")
        assert "kg serve --timeout SECONDS" in reply.text
        # Oxigraph cancels the query on its side too, and answers the next one.
        assert count(get(limited.url, query=COUNT)) == 6


def test_an_answer_over_the_size_cap_is_413(graph_store):
    with serving(graph_store, max_result_mb=0.002) as capped:
        reply = get(capped.url, query="CONSTRUCT WHERE { ?s ?p ?o }")
        assert reply.status == 413
        assert "cap of 0.002 MB" in reply.text
        assert "kg serve --max-result-mb MB" in reply.text
        assert count(get(capped.url, query=COUNT)) == 6


def test_a_repeated_query_is_answered_from_the_cache(graph_store):
    with serving(graph_store, cache_mb=1) as cached:
        first = get(cached.url, query=COUNT)
        cached.oxigraph.close()  # from now on, only the cache can answer
        again = get(cached.url, query=COUNT)
        other = get(cached.url, query=COUNT + " LIMIT 1")
        health = fetch(cached.root + "/health")
    assert again.status == 200
    assert again.body == first.body
    assert other.status == 502
    assert "restart kg serve" in other.text
    assert health.status == 503


def test_without_a_cache_every_query_reaches_the_engine(graph_store):
    with serving(graph_store, cache_mb=0) as uncached:
        assert count(get(uncached.url, query=COUNT)) == 6
        uncached.oxigraph.close()
        assert get(uncached.url, query=COUNT).status == 502


def test_kg_serve_takes_its_limits(graph_store, monkeypatch, server_logger):
    started: list[ExplorerServer] = []

    def interrupted(self: ExplorerServer) -> None:
        started.append(self)
        raise KeyboardInterrupt

    monkeypatch.setattr(ExplorerServer, "serve_forever", interrupted)
    store = ["--store", str(graph_store.path), "--port", "0"]
    assert main(["serve", *store, "--timeout", "2.5", "--max-result-mb", "8"]) == 0
    assert main(["serve", *store, "--timeout", "0", "--max-result-mb", "0"]) == 0
    assert main(["serve", *store, "--cache-mb", "0"]) == 0
    assert [(s.timeout, s.max_result_mb, s.endpoint.cache_bytes) for s in started] == [
        (2.5, 8.0, 256_000_000),
        (None, None, 256_000_000),
        (30.0, 64.0, 0),
    ]
    assert not any(s.oxigraph.running for s in started)  # each stopped with its server


def test_kg_serve_without_a_store_exits_1(tmp_path, capsys):
    assert main(["serve", "--store", str(tmp_path / "none"), "--port", "0"]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith(f"kg: error: no paperkg store at {tmp_path / 'none'}")


@pytest.fixture
def server_logger() -> Iterator[logging.Logger]:
    """The access logger, restored after ``kg serve`` configured it."""
    logger = logging.getLogger("uvicorn.access")
    saved = (logger.handlers[:], logger.level, logger.propagate)
    yield logger
    logger.handlers, logger.level, logger.propagate = saved


def test_kg_serve_prints_where_and_stops_on_ctrl_c(graph_store, monkeypatch, capsys, server_logger):
    closed: list[ExplorerServer] = []
    close = ExplorerServer.close

    def interrupted(self: ExplorerServer) -> None:
        raise KeyboardInterrupt

    def recorded_close(self: ExplorerServer) -> None:
        closed.append(self)
        close(self)

    monkeypatch.setattr(ExplorerServer, "serve_forever", interrupted)
    monkeypatch.setattr(ExplorerServer, "close", recorded_close)
    assert main(["serve", "--store", str(graph_store.path), "--port", "0"]) == 0
    out, err = capsys.readouterr()
    lines = out.splitlines()
    assert len(lines) == 2
    assert re.fullmatch(
        rf"serving {re.escape(str(graph_store.path))} at http://127\.0\.0\.1:(\d+)/ "
        r"\(SPARQL endpoint http://127\.0\.0\.1:\1/sparql\)",
        lines[0],
    )
    assert lines[1] == "stopped"
    assert err == ""
    assert len(closed) == 1
    assert server_logger.level == logging.INFO


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(child) for child in path.read_text().split()] if path.exists() else []


def _alive(pid: int) -> bool:
    # A process that ended but was not yet reaped by its new parent is a zombie: state Z.
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state != "Z"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the kernel's death signal")
def test_the_query_engine_dies_with_kg_serve(graph_store):
    serve = subprocess.Popen(
        [sys.executable, "-m", "kg.cli", "serve", "--store", str(graph_store.path), "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert serve.stdout is not None
        assert serve.stdout.readline().startswith("serving ")
        engines = _children(serve.pid)
        assert len(engines) == 1
        assert "oxigraph" in Path(f"/proc/{engines[0]}/cmdline").read_text()
        os.kill(serve.pid, signal.SIGKILL)
        serve.wait(timeout=TIMEOUT)
        deadline = time.monotonic() + TIMEOUT
        while _alive(engines[0]) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not _alive(engines[0])
    finally:
        serve.kill()
        serve.wait()
        if serve.stdout is not None:
            serve.stdout.close()


# Real SPARQL clients: SPARQLWrapper and rdflib's SPARQLStore, as users would point them here.


@pytest.fixture
def wrapper(endpoint):
    sparqlwrapper = pytest.importorskip(
        "SPARQLWrapper", reason="needs SPARQLWrapper, part of the test extra"
    )

    def make(query: str, fmt: str, method: str = "GET"):
        client = sparqlwrapper.SPARQLWrapper(endpoint)
        client.setQuery("\n".join(f"PREFIX {n}: <{i}>" for n, i in PREFIXES.items()) + "\n" + query)
        client.setReturnFormat(fmt)
        client.setMethod(method)
        return client

    return make


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_sparqlwrapper_reads_each_results_format(wrapper, method):
    as_json = wrapper(COUNT, "json", method).query().convert()
    assert as_json["results"]["bindings"][0]["n"]["value"] == "6"
    as_xml = wrapper(COUNT, "xml", method).query().convert()
    assert as_xml.getElementsByTagName("literal")[0].firstChild.data == "6"
    assert wrapper(COUNT, "csv", method).query().convert() == b"n\r\n6\r\n"
    assert wrapper(COUNT, "tsv", method).query().convert() == b"?n\n6\n"


@pytest.mark.parametrize("fmt", ["turtle", "n3"])
def test_sparqlwrapper_reads_a_construct_as_a_graph(wrapper, fmt):
    result = wrapper(TITLES, fmt).query()
    graph = Graph().parse(data=result.convert(), format="turtle")
    assert {str(o) for o in graph.objects(None, DCTERMS.title)} == _sample_titles()


def test_sparqlwrapper_update_is_refused_as_read_only(wrapper):
    client = wrapper(INSERT, "json", "POST")
    with pytest.raises(urllib.error.HTTPError) as refused:
        client.query()
    assert refused.value.code == 403
    assert "read-only" in refused.value.read().decode("utf-8")


def test_sparqlwrapper_bad_syntax_is_query_bad_formed(wrapper):
    from SPARQLWrapper.SPARQLExceptions import QueryBadFormed

    with pytest.raises(QueryBadFormed, match="does not parse"):
        wrapper("SELECT ?p WHERE { ?p a }", "json").query()


def test_rdflib_sparql_store_queries_and_is_refused_updates(endpoint):
    from rdflib.plugins.stores.sparqlstore import SPARQLStore, SPARQLUpdateStore

    store = SPARQLStore(endpoint)  # XML results, RDF/XML graphs
    rows = list(Graph(store=store).query(COUNT, initNs=PREFIXES))
    assert [int(row[0]) for row in rows] == [6]
    titles = Graph(store=store).query(TITLES, initNs=PREFIXES).graph
    assert {str(o) for o in titles.objects(None, DCTERMS.title)} == _sample_titles()
    updating = SPARQLUpdateStore(endpoint, endpoint)
    with pytest.raises(urllib.error.HTTPError) as refused:
        updating.update(INSERT)
    assert refused.value.code == 403
    assert "read-only" in refused.value.read().decode("utf-8")
    assert count(get(endpoint, query=COUNT)) == 6


def test_a_query_engine_that_does_not_start_is_an_error_that_says_so(graph_store, monkeypatch):
    from kg.errors import KgError
    from kg.query import server

    monkeypatch.setattr(server, "oxigraph_command", lambda: sys.executable)
    with pytest.raises(KgError, match="the Oxigraph server did not start on .*: .*serve-read-only"):
        server.OxigraphProcess(graph_store)
