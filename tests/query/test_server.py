"""The SPARQL endpoint over HTTP: protocol forms, content negotiation, errors and ``kg serve``."""

from __future__ import annotations

import json
import logging
import re
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from email.message import Message
from html import escape, unescape
from html.parser import HTMLParser
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from urllib.parse import urlencode

import pytest
from rdflib import Graph, Literal
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS

from kg.build import build
from kg.cli import main
from kg.graph.store import GraphStore
from kg.graph.terms import PREFIXES
from kg.query.server import SparqlServer, make_server, negotiate

SAMPLE = Path(__file__).resolve().parents[2] / "kg" / "data" / "sample" / "abstracts.jsonl"
TIMEOUT = 5  # seconds, for every request
COUNT = "SELECT (COUNT(?p) AS ?n) WHERE { ?p a pkg:Paper }"
TITLES = "CONSTRUCT { ?p dcterms:title ?t } WHERE { ?p a pkg:Paper ; dcterms:title ?t }"
JSON = "application/sparql-results+json; charset=utf-8"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
SPARQL = {"Content-Type": "application/sparql-query"}

# Requests go straight to 127.0.0.1, whatever proxy the environment names.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


@dataclass(frozen=True)
class Reply:
    status: int
    headers: Message
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
    request = urllib.request.Request(url, data=data, headers=dict(headers or {}), method=method)
    try:
        with _OPENER.open(request, timeout=TIMEOUT) as response:
            return Reply(response.status, response.headers, response.read())
    except urllib.error.HTTPError as err:
        with err:
            return Reply(err.code, err.headers, err.read())


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
def server(graph_store: GraphStore) -> Iterator[SparqlServer]:
    server = make_server(graph_store, port=0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join(timeout=TIMEOUT)
    assert not thread.is_alive()


@pytest.fixture
def endpoint(server: SparqlServer) -> str:
    return server.url


@pytest.fixture
def root(server: SparqlServer) -> str:
    return server.url.removesuffix("/sparql")


def test_server_listens_on_loopback_at_a_free_port(server):
    host, port = server.server_address[:2]
    assert host == "127.0.0.1"
    assert port > 0
    assert server.url == f"http://127.0.0.1:{port}/sparql"


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
    assert reply.headers["Vary"] == "Accept"
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


def test_an_update_does_not_parse_and_changes_nothing(endpoint):
    update = "INSERT DATA { <urn:x:a> a <https://w3id.org/paperkg/ontology#Paper> }"
    for reply in (
        get(endpoint, query=update),
        fetch(endpoint, data=update.encode(), headers=SPARQL),
    ):
        assert reply.status == 400
        assert "does not parse" in reply.text
        assert "not updates" in reply.text
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
        ("PUT", "/sparql", "GET, HEAD, POST, OPTIONS"),
        ("DELETE", "/sparql", "GET, HEAD, POST, OPTIONS"),
        ("POST", "/", "GET, HEAD"),
    ],
)
def test_a_wrong_method_is_405_with_allow(root, method, path, allow):
    reply = fetch(f"{root}{path}", data=b"", headers=SPARQL, method=method)
    assert reply.status == 405
    assert reply.headers["Allow"] == allow


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
    for reply in (get(endpoint, query=COUNT), get(endpoint, query="nonsense"), fetch(endpoint)):
        assert reply.headers["Access-Control-Allow-Origin"] == "*"
    preflight = fetch(endpoint, method="OPTIONS")
    assert preflight.status == 204
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]
    assert "Content-Type" in preflight.headers["Access-Control-Allow-Headers"]


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def test_home_page_is_a_self_contained_form(root):
    reply = fetch(f"{root}/")
    assert reply.status == 200
    assert reply.headers["Content-Type"] == "text/html; charset=utf-8"
    assert "default-src 'none'" in reply.headers["Content-Security-Policy"]
    assert "Access-Control-Allow-Origin" not in reply.headers
    page = _Page()
    page.feed(reply.text)
    forms = [attrs for tag, attrs in page.tags if tag == "form"]
    assert forms == [{"id": "query-form", "method": "post", "action": "/sparql"}]
    assert ("textarea", {"id": "query", "name": "query", "rows": "10"}) in page.tags
    links = [
        value
        for _, attrs in page.tags
        for name, value in attrs.items()
        if name in ("src", "href", "action") and value is not None
    ]
    assert not [link for link in links if re.match(r"(?i)\s*(https?:)?//", link)]
    assert escape(f"PREFIX pkg: <{PREFIXES['pkg']}>") in reply.text
    assert escape("?m rdfs:label ?method") in reply.text  # the example query


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
    "query",
    [
        "SELECT * WHERE { SERVICE <{url}> { ?s ?p ?o } }",
        "ASK { service <{url}> { ?s ?p ?o } }",
        "ASK { SERVICE SILENT <{url}> { ?s ?p ?o } }",
        "PREFIX : <{url}#> ASK { SERVICE:x { ?s ?p ?o } }",
        "ASK { BIND(1 AS ?x) SERVICE <{url}> { ?s ?p ?o } }",
        "ASK { ?s ?p 1SERVICE <{url}> { ?a ?b ?c } }",
        "ASK { \\u0053ERVICE <{url}> { ?s ?p ?o } }",
    ],
)
def test_federated_queries_are_refused_without_a_request(endpoint, listener, query):
    url, hits = listener
    reply = get(endpoint, query=query.replace("{url}", url))
    assert reply.status == 400
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
    monkeypatch.setattr(server, "evaluate", _broken)
    with caplog.at_level(logging.ERROR, logger="kg.query.server"):
        reply = get(endpoint, query=COUNT)
    assert reply.status == 500
    assert "Traceback" not in reply.text
    assert "secret detail" not in reply.text
    assert any("secret detail" in (r.exc_text or "") for r in caplog.records)


def test_each_request_is_logged_on_one_line(endpoint, caplog):
    with caplog.at_level(logging.INFO, logger="kg.query.server"):
        get(endpoint, query=COUNT)
        fetch(endpoint.removesuffix("/sparql") + "/missing")
    lines = [r.getMessage() for r in caplog.records if r.name == "kg.query.server"]
    assert len(lines) == 2
    assert re.fullmatch(r'127\.0\.0\.1 "GET /sparql\?query=\S+ HTTP/1\.1" 200 [\d.]+ms', lines[0])
    assert re.fullmatch(r'127\.0\.0\.1 "GET /missing HTTP/1\.1" 404 [\d.]+ms', lines[1])


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
    with make_server(graph_store, port=0, timeout=timeout) as limited:
        thread = threading.Thread(target=limited.serve_forever, daemon=True)
        thread.start()
        try:
            assert count(get(limited.url, query=COUNT)) == 6
            assert get(limited.url, query="SELECT * WHERE { ?s ?p }").status == 400
        finally:
            limited.shutdown()


def test_a_query_over_the_time_limit_is_stopped_with_503(graph_store):
    with make_server(graph_store, port=0, timeout=0.5) as limited:
        thread = threading.Thread(target=limited.serve_forever, daemon=True)
        thread.start()
        try:
            reply = get(limited.url, query=SLOW)
            assert reply.status == 503
            assert reply.text == (
                "the query did not finish within 0.5 s and was stopped; "
                "the server's limit is set by kg serve --timeout SECONDS\n"
            )
            # The stopped query's worker is replaced: the next query is answered.
            assert count(get(limited.url, query=COUNT)) == 6
        finally:
            limited.shutdown()


def test_kg_serve_takes_a_timeout(graph_store, monkeypatch, server_logger):
    started: list[SparqlServer] = []

    def interrupted(self: SparqlServer, poll_interval: float = 0.5) -> None:
        started.append(self)
        raise KeyboardInterrupt

    monkeypatch.setattr(SparqlServer, "serve_forever", interrupted)
    store = ["--store", str(graph_store.path), "--port", "0"]
    assert main(["serve", *store, "--timeout", "2.5"]) == 0
    assert main(["serve", *store, "--timeout", "0"]) == 0
    assert main(["serve", *store]) == 0
    assert [server.timeout for server in started] == [2.5, None, 30.0]


def test_kg_serve_without_a_store_exits_1(tmp_path, capsys):
    assert main(["serve", "--store", str(tmp_path / "none"), "--port", "0"]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith(f"kg: error: no paperkg store at {tmp_path / 'none'}")


@pytest.fixture
def server_logger() -> Iterator[logging.Logger]:
    """The endpoint's logger, restored after ``kg serve`` configured it."""
    logger = logging.getLogger("kg.query.server")
    saved = (logger.handlers[:], logger.level, logger.propagate)
    yield logger
    logger.handlers, logger.level, logger.propagate = saved


def test_kg_serve_prints_where_and_stops_on_ctrl_c(graph_store, monkeypatch, capsys, server_logger):
    closed: list[SparqlServer] = []
    close = SparqlServer.server_close

    def interrupted(self: SparqlServer, poll_interval: float = 0.5) -> None:
        raise KeyboardInterrupt

    def recorded_close(self: SparqlServer) -> None:
        closed.append(self)
        close(self)

    monkeypatch.setattr(SparqlServer, "serve_forever", interrupted)
    monkeypatch.setattr(SparqlServer, "server_close", recorded_close)
    assert main(["serve", "--store", str(graph_store.path), "--port", "0"]) == 0
    out, err = capsys.readouterr()
    lines = out.splitlines()
    assert len(lines) == 2
    assert re.fullmatch(
        rf"serving {re.escape(str(graph_store.path))} at http://127\.0\.0\.1:\d+/sparql", lines[0]
    )
    assert lines[1] == "stopped"
    assert err == ""
    assert len(closed) == 1
    assert server_logger.level == logging.INFO
