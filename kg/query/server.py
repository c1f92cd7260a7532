"""A read-only SPARQL 1.1 Protocol endpoint over a paperkg store, on the standard library's
HTTP server: ``kg serve`` runs it and :func:`make_server` embeds it (in tests or notebooks)."""

from __future__ import annotations

import base64
import hashlib
import html
import logging
import os
import re
import socket
import sys
import time
from collections.abc import Mapping, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from functools import cache
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import cast
from urllib.parse import SplitResult, parse_qs, urlsplit

import pyoxigraph as ox

from kg import __version__
from kg.errors import KgError, QueryError, QueryTimeout
from kg.graph.store import GraphStore
from kg.graph.terms import PREFIXES
from kg.query.limits import DEFAULT_SERVE_TIMEOUT, QueryWorkers
from kg.query.sparql import bind_variables, parse_binding

log = logging.getLogger(__name__)

ENDPOINT = "/sparql"
MAX_BODY = 1 << 20  # bytes; a query longer than this is a mistake, not a query
_MAX_FIELDS = 200

# format= names, in order of preference when the client accepts several.
RESULTS_FORMATS: dict[str, tuple[str, ox.QueryResultsFormat]] = {
    "json": ("application/sparql-results+json", ox.QueryResultsFormat.JSON),
    "csv": ("text/csv", ox.QueryResultsFormat.CSV),
    "tsv": ("text/tab-separated-values", ox.QueryResultsFormat.TSV),
    "xml": ("application/sparql-results+xml", ox.QueryResultsFormat.XML),
}
GRAPH_FORMATS: dict[str, tuple[str, ox.RdfFormat]] = {
    "turtle": ("text/turtle", ox.RdfFormat.TURTLE),
    "nt": ("application/n-triples", ox.RdfFormat.N_TRIPLES),
}

_USAGE = (
    "missing query: send GET /sparql?query=SELECT... (URL-encoded), or POST /sparql with "
    "Content-Type: application/sparql-query and the query as the body, or with "
    "Content-Type: application/x-www-form-urlencoded and query=... in the body. "
    "Add bind.NAME=VALUE to give ?NAME a value and format=json|csv|tsv|xml|turtle|nt "
    "to choose the result format."
)
_UPDATE = re.compile(
    r"^\s*(?:(?:#[^\n\r]*|PREFIX\s+[^\s:]*:\s*<[^>]*>|BASE\s*<[^>]*>)\s*)*"
    r"(?:INSERT|DELETE|LOAD|CLEAR|DROP|CREATE|ADD|MOVE|COPY|WITH)\b",
    re.IGNORECASE,
)
_SERVICE = re.compile(r"(servic)e", re.IGNORECASE)
_Q_VALUE = re.compile(r"^(?:0(?:\.\d{0,3})?|1(?:\.0{0,3})?)$")


def _media_ranges(accept: str) -> list[tuple[str, float]]:
    ranges = []
    for part in accept.split(","):
        media, *params = (piece.strip() for piece in part.split(";"))
        if "/" not in media:
            continue
        quality = 1.0
        for param in params:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                quality = float(value) if _Q_VALUE.match(value.strip()) else -1.0
        if quality >= 0:
            ranges.append((media.lower(), quality))
    return ranges


def negotiate(accept: str | None, offered: Sequence[str]) -> str | None:
    """The media type of ``offered`` that an HTTP ``Accept`` header prefers: the first offered
    on a tie or when the header is missing; ``None`` when the header accepts none of them.

    >>> negotiate("text/csv;q=0.5, */*;q=0.1", ["application/sparql-results+json", "text/csv"])
    'text/csv'
    >>> negotiate("text/*", ["text/turtle", "application/n-triples"])
    'text/turtle'
    >>> negotiate("image/png", ["text/turtle"]) is None
    True
    """
    ranges = _media_ranges(accept or "")
    if not ranges:
        return offered[0] if offered else None
    best, best_quality = None, 0.0
    for media in offered:
        # The most specific matching range decides, so "text/csv;q=0, */*" refuses CSV.
        specificity = {media: 2, f"{media.split('/', 1)[0]}/*": 1, "*/*": 0}
        matches = [(specificity[pattern], q) for pattern, q in ranges if pattern in specificity]
        quality = max(matches)[1] if matches else 0.0
        if quality > best_quality:
            best, best_quality = media, quality
    return best


def service_check(sparql: str) -> SyntaxError | None:
    """``None`` when the query cannot call another endpoint through ``SERVICE``; otherwise the
    parse error that shows it might.

    Oxigraph runs ``SERVICE`` by fetching the IRI, which would let any caller make this machine
    send requests. Rather than tokenise SPARQL a second time, the check spells every
    ``service`` as ``servic_`` and asks the parser: that spelling is still a valid string, IRI,
    name or comment, but never a keyword, so the query parses only if no ``SERVICE`` was a
    keyword. Positions are unchanged, so the error also fits a query that is simply broken.
    The test runs on an empty in-memory store.

    >>> service_check('SELECT ?s WHERE { ?s rdfs:label "web service" }') is None
    True
    >>> service_check("SELECT * { SERVICE <http://example.org/sparql> {} }")  # doctest: +ELLIPSIS
    SyntaxError('error at ...')
    """
    if not _SERVICE.search(sparql):
        return None
    try:
        ox.Store().query(_SERVICE.sub(r"\1_", sparql), prefixes=PREFIXES)
    except SyntaxError as err:
        return err
    return None


def _looks_like_update(sparql: str) -> bool:
    return _UPDATE.match(sparql) is not None


class _Refusal(Exception):
    """A request answered with an error status and a plain-text reason."""

    def __init__(
        self, status: HTTPStatus, reason: str, headers: Mapping[str, str] | None = None
    ) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason
        self.headers = dict(headers or {})

    def __reduce__(self) -> tuple[type[_Refusal], tuple[HTTPStatus, str, dict[str, str]]]:
        # A refusal made in a query worker comes back to the request thread by pickle.
        return type(self), (self.status, self.reason, self.headers)


@dataclass(frozen=True, slots=True)
class _Response:
    status: HTTPStatus
    body: bytes = b""
    media_type: str = "text/plain"
    headers: tuple[tuple[str, str], ...] = ()


def _single(params: Mapping[str, list[str]], name: str) -> str | None:
    values = params.get(name, [])
    if len(values) > 1:
        raise _Refusal(HTTPStatus.BAD_REQUEST, f"give {name} once; got it {len(values)} times")
    return values[0] if values else None


def _bindings(params: Mapping[str, list[str]]) -> dict[str, str]:
    bindings = {}
    for key in params:
        if key.startswith("bind."):
            value = _single(params, key) or ""
            try:
                name, value = parse_binding(f"{key.removeprefix('bind.')}={value}")
            except QueryError as err:
                raise _Refusal(HTTPStatus.BAD_REQUEST, f"{key}: {err}") from err
            bindings[name] = value
    return bindings


def _choose_format(
    results: ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples,
    requested: str | None,
    accept: str | None,
) -> tuple[str, ox.QueryResultsFormat | ox.RdfFormat]:
    graph = isinstance(results, ox.QueryTriples)
    formats: Mapping[str, tuple[str, ox.QueryResultsFormat | ox.RdfFormat]] = (
        GRAPH_FORMATS if graph else RESULTS_FORMATS
    )
    kind = "a CONSTRUCT or DESCRIBE" if graph else "a SELECT or ASK"
    if requested:
        if requested not in formats:
            raise _Refusal(
                HTTPStatus.NOT_ACCEPTABLE,
                f"format={requested} does not fit {kind} query; use one of " + ", ".join(formats),
            )
        return formats[requested]
    offered = [media for media, _ in formats.values()]
    chosen = negotiate(accept, offered)
    if chosen is None:
        raise _Refusal(
            HTTPStatus.NOT_ACCEPTABLE,
            f"cannot answer {kind} query as {accept}; accept one of " + ", ".join(offered),
        )
    return next(entry for entry in formats.values() if entry[0] == chosen)


def _serialize(
    results: ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples,
    fmt: ox.QueryResultsFormat | ox.RdfFormat,
) -> bytes:
    if isinstance(results, ox.QueryTriples):
        assert isinstance(fmt, ox.RdfFormat)
        prefixes = PREFIXES if fmt is ox.RdfFormat.TURTLE else None
        return ox.serialize(results, format=fmt, prefixes=prefixes) or b""
    assert isinstance(fmt, ox.QueryResultsFormat)
    return results.serialize(format=fmt) or b""


@cache
def _home_page() -> tuple[bytes, str]:
    """The page at ``/`` and the Content-Security-Policy that lets only its own script run."""
    example = (
        "SELECT ?method (COUNT(DISTINCT ?paper) AS ?papers)\n"
        "WHERE { ?paper pkg:usesMethod ?m . ?m rdfs:label ?method }\n"
        "GROUP BY ?method\nORDER BY DESC(?papers) ?method\nLIMIT 20"
    )
    prefixes = "\n".join(f"PREFIX {name}: <{iri}>" for name, iri in PREFIXES.items())
    options = "".join(
        f'<option value="{html.escape(name)}">{html.escape(name)}</option>'
        for name in [*RESULTS_FORMATS, *GRAPH_FORMATS]
    )
    style = (
        "body{font-family:sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}"
        "textarea{width:100%;font-family:monospace}"
        "pre{background:#f4f4f4;padding:.5rem;overflow:auto}"
    )
    # Without the script the form still posts and the browser shows the raw answer.
    script = (
        'document.getElementById("query-form").addEventListener("submit", (event) => {'
        "event.preventDefault();"
        'const out = document.getElementById("result");'
        'out.textContent = "running...";'
        'fetch(event.target.action, {method: "POST", '
        "body: new URLSearchParams(new FormData(event.target))})"
        '.then(async (r) => { out.textContent = r.status + " " + r.statusText + "\\n\\n" '
        "+ await r.text(); })"
        ".catch((err) => { out.textContent = String(err); });"
        "});"
    )
    page = f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>paperkg SPARQL endpoint</title>
<style>{style}</style>
</head>
<body>
<h1>paperkg SPARQL endpoint</h1>
<p>Send SPARQL 1.1 queries to <code>{html.escape(ENDPOINT)}</code>: <code>GET
{html.escape(ENDPOINT)}?query=...</code>, or <code>POST</code> with the query as
<code>application/sparql-query</code> or as <code>query=</code> in a form. The graph is read-only.
</p>
<form id="query-form" method="post" action="{html.escape(ENDPOINT)}">
<p><label for="query">Query</label></p>
<textarea id="query" name="query" rows="10">{html.escape(example)}</textarea>
<p><label for="format">Format</label>
<select id="format" name="format"><option value="">automatic</option>{options}</select>
<button type="submit">Run</button></p>
</form>
<pre id="result"></pre>
<p>These prefixes are declared for every query:</p>
<pre>{html.escape(prefixes)}</pre>
<script>{script}</script>
</body>
</html>
"""

    def digest(text: str) -> str:
        return base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")

    policy = (
        f"default-src 'none'; script-src 'sha256-{digest(script)}'; "
        f"style-src 'sha256-{digest(style)}'; connect-src 'self'; form-action 'self'; "
        "base-uri 'none'; frame-ancestors 'none'"
    )
    return page.encode("utf-8"), policy


def _printable(text: str, limit: int = 300) -> str:
    # A request line is the client's text: keep control characters out of the log.
    text = "".join(c if c.isprintable() else f"\\x{ord(c):02x}" for c in text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


class SparqlRequestHandler(BaseHTTPRequestHandler):
    """Answers ``/`` (a query form) and ``/sparql`` (the SPARQL 1.1 Protocol)."""

    server_version = f"paperkg/{__version__}"
    error_content_type = "text/plain; charset=utf-8"
    error_message_format = "%(code)d %(message)s: %(explain)s\n"
    timeout = 60  # seconds a silent client may hold a connection
    _started = 0.0

    def handle_one_request(self) -> None:
        self._started = time.perf_counter()
        super().handle_one_request()

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        elapsed = (time.perf_counter() - self._started) * 1000
        log.info(
            '%s "%s" %s %.1fms',
            self.client_address[0],
            _printable(self.requestline),
            int(code) if isinstance(code, HTTPStatus) else code,
            elapsed,
        )

    def log_message(self, format: str, *args: object) -> None:
        # The access line from log_request is enough; keep the stdlib's other notes quiet.
        log.debug(format, *args)

    def do_GET(self) -> None:
        self._dispatch()

    do_HEAD = do_POST = do_OPTIONS = do_PUT = do_DELETE = do_PATCH = do_GET

    def _dispatch(self) -> None:
        url = urlsplit(self.path)
        try:
            response = self._route(url)
        except _Refusal as refusal:
            response = _Response(
                refusal.status,
                (refusal.reason + "\n").encode("utf-8"),
                headers=tuple(refusal.headers.items()),
            )
        except Exception:
            log.exception("error while answering %s", _printable(self.requestline))
            response = _Response(
                HTTPStatus.INTERNAL_SERVER_ERROR,
                b"internal server error; the server log has the details\n",
            )
        self._send(response, cors=url.path == ENDPOINT)

    def _route(self, url: SplitResult) -> _Response:
        if url.path == "/":
            allowed: tuple[str, ...] = ("GET", "HEAD")
        elif url.path == ENDPOINT:
            allowed = ("GET", "HEAD", "POST", "OPTIONS")
        else:
            raise _Refusal(
                HTTPStatus.NOT_FOUND,
                f"nothing at {url.path}; the SPARQL endpoint is {ENDPOINT}",
            )
        if self.command not in allowed:
            raise _Refusal(
                HTTPStatus.METHOD_NOT_ALLOWED,
                f"{self.command} is not allowed on {url.path}; use " + ", ".join(allowed),
                {"Allow": ", ".join(allowed)},
            )
        if url.path == "/":
            page, policy = _home_page()
            return _Response(
                HTTPStatus.OK, page, "text/html", (("Content-Security-Policy", policy),)
            )
        if self.command == "OPTIONS":
            # The CORS preflight a browser sends before a POST of application/sparql-query.
            return _Response(
                HTTPStatus.NO_CONTENT,
                headers=(
                    ("Allow", ", ".join(allowed)),
                    ("Access-Control-Allow-Methods", "GET, POST, OPTIONS"),
                    ("Access-Control-Allow-Headers", "Content-Type, Accept"),
                    ("Access-Control-Max-Age", "86400"),
                ),
            )
        return self._answer(self._params(url))

    def _params(self, url: SplitResult) -> dict[str, list[str]]:
        params = _parse_form(url.query)
        if self.command != "POST":
            return params
        declared = self.headers.get("Content-Type")
        media = self.headers.get_content_type()
        charset = self.headers.get_content_charset()
        if declared is None or media not in (
            "application/sparql-query",
            "application/x-www-form-urlencoded",
        ):
            raise _Refusal(
                HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
                "POST the query as Content-Type: application/sparql-query or "
                "application/x-www-form-urlencoded",
            )
        if charset not in (None, "utf-8", "utf8", "us-ascii"):
            raise _Refusal(HTTPStatus.UNSUPPORTED_MEDIA_TYPE, "send the query as UTF-8")
        try:
            body = self._read_body().decode("utf-8")
        except UnicodeDecodeError as err:
            raise _Refusal(HTTPStatus.BAD_REQUEST, "the body is not UTF-8") from err
        if media == "application/sparql-query":
            params.setdefault("query", []).append(body)
        else:
            for name, values in _parse_form(body).items():
                params.setdefault(name, []).extend(values)
        return params

    def _read_body(self) -> bytes:
        length_text = self.headers.get("Content-Length")
        if length_text is None:
            raise _Refusal(HTTPStatus.LENGTH_REQUIRED, "send the body with a Content-Length")
        try:
            length = int(length_text)
        except ValueError:
            length = -1
        if length < 0:
            raise _Refusal(HTTPStatus.BAD_REQUEST, f"bad Content-Length: {length_text!r}")
        if length > MAX_BODY:
            raise _Refusal(
                HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
                f"the body is {length} bytes; the limit is {MAX_BODY}",
            )
        body = self.rfile.read(length)
        if len(body) < length:
            raise _Refusal(HTTPStatus.BAD_REQUEST, "the body is shorter than its Content-Length")
        return body

    def _answer(self, params: Mapping[str, list[str]]) -> _Response:
        query = _single(params, "query")
        if not query:
            raise _Refusal(HTTPStatus.BAD_REQUEST, _USAGE)
        for name in ("default-graph-uri", "named-graph-uri"):
            if name in params:
                raise _Refusal(
                    HTTPStatus.BAD_REQUEST,
                    f"{name} is not supported: the store holds one graph, which every query "
                    "reads; leave the parameter out",
                )
        requested = _single(params, "format") or None
        known = [*RESULTS_FORMATS, *GRAPH_FORMATS]
        if requested is not None and requested not in known:
            raise _Refusal(
                HTTPStatus.BAD_REQUEST,
                f"unknown format={requested}; use one of " + ", ".join(known),
            )
        try:
            sparql = bind_variables(query, _bindings(params))
        except QueryError as err:
            raise _Refusal(HTTPStatus.BAD_REQUEST, str(err)) from err
        refused = service_check(sparql)
        if refused is not None:
            raise _Refusal(
                HTTPStatus.BAD_REQUEST,
                "the query uses SERVICE, which this endpoint does not run because it would make "
                f"the server fetch other URLs, or it does not parse: {refused}",
            )
        return cast(SparqlServer, self.server).evaluate(
            sparql, query, requested, self.headers.get("Accept")
        )

    def _send(self, response: _Response, *, cors: bool) -> None:
        self.send_response(response.status)
        if response.status != HTTPStatus.NO_CONTENT:
            self.send_header("Content-Type", f"{response.media_type}; charset=utf-8")
            self.send_header("Content-Length", str(len(response.body)))
        self.send_header("X-Content-Type-Options", "nosniff")
        if cors:
            self.send_header("Access-Control-Allow-Origin", "*")
        for name, value in response.headers:
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(response.body)


def evaluate(
    graph: ox.Store, sparql: str, query: str, requested: str | None, accept: str | None
) -> _Response:
    """The answer to ``sparql`` (``query`` with its bindings) in the format asked for."""
    try:
        results = graph.query(sparql, prefixes=PREFIXES)
    except SyntaxError as err:
        hint = "; this endpoint runs queries only, not updates" if _looks_like_update(query) else ""
        raise _Refusal(HTTPStatus.BAD_REQUEST, f"the query does not parse: {err}{hint}") from err
    except (OSError, RuntimeError) as err:
        raise _Refusal(HTTPStatus.INTERNAL_SERVER_ERROR, f"the query failed: {err}") from err
    media, fmt = _choose_format(results, requested, accept)
    try:
        body = _serialize(results, fmt)
    except (OSError, RuntimeError) as err:
        raise _Refusal(HTTPStatus.INTERNAL_SERVER_ERROR, f"the query failed: {err}") from err
    return _Response(HTTPStatus.OK, body, media, (("Vary", "Accept"),))


# The store each query worker opened, kept open for the worker's next queries.
_WORKER_GRAPHS: dict[Path, ox.Store] = {}


def evaluate_in_worker(
    store: Path, sparql: str, query: str, requested: str | None, accept: str | None
) -> _Response:
    """:func:`evaluate` on ``store``'s live graph, opened once per worker process."""
    graph = _WORKER_GRAPHS.get(store)
    if graph is None:
        try:
            graph = _WORKER_GRAPHS[store] = ox.Store.read_only(str(store))
        except OSError as err:
            raise _Refusal(
                HTTPStatus.INTERNAL_SERVER_ERROR, f"cannot open the store: {err}"
            ) from err
    return evaluate(graph, sparql, query, requested, accept)


def _parse_form(text: str) -> dict[str, list[str]]:
    try:
        return parse_qs(text, keep_blank_values=True, errors="strict", max_num_fields=_MAX_FIELDS)
    except UnicodeDecodeError as err:
        raise _Refusal(HTTPStatus.BAD_REQUEST, "a parameter is not UTF-8") from err
    except ValueError as err:
        raise _Refusal(HTTPStatus.BAD_REQUEST, f"too many parameters: {err}") from err


class SparqlServer(ThreadingHTTPServer):
    """An HTTP server that answers SPARQL queries from one store, opened once, read-only.

    ``store`` is the store folder served and ``graph`` its open graph. Without a ``timeout``
    the request threads share ``graph``; with one, queries run in worker processes (one per
    core, at most four) that are stopped after ``timeout`` seconds, and the client gets 503.
    :meth:`server_close` releases the graph and the workers.
    """

    daemon_threads = True  # a client still connected does not keep Ctrl-C from stopping

    def __init__(
        self, address: tuple[str, int], store: GraphStore, *, timeout: float | None = None
    ) -> None:
        self._resources = ExitStack()
        self.store = store
        self.timeout = timeout
        self.graph: ox.Store = self._resources.enter_context(store.open())
        # The generation open now, so that workers serve the graph this server was started on.
        self._generation = store.current.resolve()
        self._workers: QueryWorkers | None = None
        if timeout is not None:
            workers = QueryWorkers(workers=min(4, os.cpu_count() or 1))
            self._resources.callback(workers.close)
            self._workers = workers
        host, port = address
        try:
            self.address_family = socket.getaddrinfo(
                host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
            )[0][0]
            super().__init__(address, SparqlRequestHandler)
        except OSError as err:
            self._resources.close()
            raise KgError(
                f"cannot listen on {host}:{port}: {err.strerror or err}; "
                "choose another --host or --port"
            ) from err
        except BaseException:
            self._resources.close()
            raise

    @property
    def url(self) -> str:
        """The endpoint's URL, such as ``http://127.0.0.1:7878/sparql``."""
        host, port = str(self.server_address[0]), self.server_address[1]
        if ":" in host:
            host = f"[{host}]"
        return f"http://{host}:{port}{ENDPOINT}"

    def evaluate(
        self, sparql: str, query: str, requested: str | None, accept: str | None
    ) -> _Response:
        """The answer to a query, in a worker within the time limit if the server has one."""
        if self._workers is None or self.timeout is None:
            return evaluate(self.graph, sparql, query, requested, accept)
        remedy = "the server's limit is set by kg serve --timeout SECONDS"
        try:
            return self._workers.run(
                evaluate_in_worker,
                self._generation,
                sparql,
                query,
                requested,
                accept,
                seconds=self.timeout,
                remedy=remedy,
            )
        except QueryTimeout as err:
            raise _Refusal(HTTPStatus.SERVICE_UNAVAILABLE, str(err)) from err

    def handle_error(self, request: object, client_address: tuple[str, int]) -> None:
        # socketserver prints a traceback here; a dropped connection deserves one log line.
        error = sys.exc_info()[1]
        log.warning("connection from %s failed: %r", client_address[0], error)

    def server_close(self) -> None:
        super().server_close()
        self._resources.close()


def make_server(
    store: GraphStore,
    host: str = "127.0.0.1",
    port: int = 7878,
    *,
    timeout: float | None = DEFAULT_SERVE_TIMEOUT,
) -> SparqlServer:
    """A SPARQL endpoint for ``store`` listening on ``host:port``; call ``serve_forever()`` to
    run it and ``server_close()`` when done. Port 0 picks a free port (see ``server_address``).
    A query that runs longer than ``timeout`` seconds is stopped and answered with 503;
    ``None`` runs queries in the request threads, without a limit.

    Raises :class:`~kg.errors.StoreError` at once when there is no store to serve.
    """
    return SparqlServer((host, port), store, timeout=timeout)
