"""The read-only SPARQL 1.1 Protocol endpoint of ``kg serve``: the Oxigraph server runs the
queries on the store, and a Starlette endpoint in front refuses what a read-only graph must
not run, predeclares paperkg's prefixes and holds each answer to a time limit and a size cap.

:class:`OxigraphProcess` starts and stops the Oxigraph server; :class:`SparqlEndpoint` is the
Starlette endpoint that forwards queries to it. ``kg.explorer`` puts both behind one URL.
"""

from __future__ import annotations

import asyncio
import ctypes
import ctypes.util
import re
import shutil
import signal
import socket
import subprocess
import sys
import sysconfig
import tempfile
import time
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from http import HTTPStatus
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import parse_qs

import pyoxigraph as ox

from kg.errors import KgError, QueryError
from kg.graph.store import GraphStore
from kg.graph.terms import PREFIXES
from kg.query.sparql import bind_variables, parse_binding

if TYPE_CHECKING:
    import httpx
    from starlette.requests import Request
    from starlette.responses import Response

#: The endpoint's path; ``/query`` answers the same, as Oxigraph's own server does.
ENDPOINT = "/sparql"
MAX_BODY = 1 << 20  # bytes; a query longer than this is a mistake, not a query
#: Megabytes an answer may take unless ``kg serve --max-result-mb`` says otherwise.
DEFAULT_MAX_RESULT_MB = 64.0
#: Megabytes of answers kept for repeated queries unless ``kg serve --cache-mb`` says otherwise.
DEFAULT_CACHE_MB = 256.0
_MAX_FIELDS = 200
#: Seconds Oxigraph is given past the endpoint's own limit before it cancels the query itself:
#: the endpoint answers 503 first, and Oxigraph then frees the query's thread.
_CANCEL_MARGIN = 1.0
_START_SECONDS = 30.0

# format= names, in order of preference when the client accepts several.
RESULTS_FORMATS: dict[str, str] = {
    "json": "application/sparql-results+json",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
    "xml": "application/sparql-results+xml",
}
GRAPH_FORMATS: dict[str, str] = {
    "turtle": "text/turtle",
    "nt": "application/n-triples",
    "rdfxml": "application/rdf+xml",
}
# Other spellings clients send as format=: Turtle is also N3; a media type names itself.
_FORMAT_ALIASES = {
    "n3": "turtle",
    "ttl": "turtle",
    "ntriples": "nt",
    "n-triples": "nt",
    **{media: name for name, media in (RESULTS_FORMATS | GRAPH_FORMATS).items()},
}

_USAGE = (
    "missing query: send GET /sparql?query=SELECT... (URL-encoded), or POST /sparql with "
    "Content-Type: application/sparql-query and the query as the body, or with "
    "Content-Type: application/x-www-form-urlencoded and query=... in the body. "
    "Add bind.NAME=VALUE to give ?NAME a value and format=json|csv|tsv|xml|turtle|nt|rdfxml "
    "to choose the result format."
)
_READ_ONLY = (
    "this endpoint is read-only: it answers queries (SELECT, ASK, CONSTRUCT, DESCRIBE) and "
    "runs no SPARQL Update, LOAD included; change the graph with kg build, kg add or kg remove"
)
_NO_SERVICE = (
    "this endpoint is read-only and calls no other endpoint: the query uses SERVICE, which "
    "would make the server fetch other URLs; query the other endpoint yourself"
)
_UPDATE = re.compile(
    r"^\s*(?:(?:#[^\n\r]*+|PREFIX\s+[^\s:]*:\s*<[^>]*>|BASE\s*<[^>]*>)\s*)*"
    r"(?:INSERT|DELETE|LOAD|CLEAR|DROP|CREATE|ADD|MOVE|COPY|WITH)\b",
    re.IGNORECASE,
)
_SERVICE = re.compile(r"(servic)e", re.IGNORECASE)
_SERVICE_CALL = re.compile(r"service(\s+silent\b)?", re.IGNORECASE)
_PROLOGUE = "".join(f"PREFIX {name}: <{iri}>\n" for name, iri in PREFIXES.items())


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
    # Werkzeug's HTTP header parsing, imported here: it takes longer to load than kg serve
    # takes to start.
    from werkzeug.datastructures import MIMEAccept
    from werkzeug.http import parse_accept_header

    ranges = parse_accept_header(accept or "", MIMEAccept)
    if not any("/" in media for media, _ in ranges):
        return offered[0] if offered else None
    return ranges.best_match(offered)


def _parses(sparql: str) -> bool:
    try:
        ox.Store().query(sparql, prefixes=PREFIXES)
    except SyntaxError:
        return False
    return True


def calls_service(sparql: str) -> bool:
    """Whether the query calls another endpoint through ``SERVICE``.

    Oxigraph runs ``SERVICE`` by fetching the IRI, which would let any caller make this machine
    send requests. Rather than tokenise SPARQL a second time, the check asks the parser twice:
    spelt ``servic_``, every ``service`` is still a valid string, IRI, name or comment but never
    a keyword, so a query that parses that way calls nothing; one that parses only with
    ``GRAPH`` (which takes the same shape) in its place calls another endpoint. Queries are
    parsed on an empty in-memory store.

    >>> calls_service('SELECT ?s WHERE { ?s rdfs:label "web service" }')
    False
    >>> calls_service("SELECT * { SERVICE <http://example.org/sparql> {} }")
    True
    """
    if not _SERVICE.search(sparql):
        return False
    if _parses(_SERVICE.sub(r"\1_", sparql)):
        return False
    # Padded to the same length, so that the rest of the query keeps its positions.
    return _parses(_SERVICE_CALL.sub(lambda m: "GRAPH".ljust(len(m.group(0))), sparql))


def _looks_like_update(sparql: str) -> bool:
    return _UPDATE.match(sparql) is not None


class Refusal(Exception):
    """A request answered with an error status and a plain-text reason."""

    def __init__(
        self, status: HTTPStatus, reason: str, headers: Mapping[str, str] | None = None
    ) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason
        self.headers = dict(headers or {})

    def response(self) -> Response:
        from starlette.responses import PlainTextResponse

        headers = {"X-Content-Type-Options": "nosniff", **self.headers}
        return PlainTextResponse(self.reason + "\n", status_code=self.status, headers=headers)


def _single(params: Mapping[str, list[str]], name: str) -> str | None:
    values = params.get(name, [])
    if len(values) > 1:
        raise Refusal(HTTPStatus.BAD_REQUEST, f"give {name} once; got it {len(values)} times")
    return values[0] if values else None


def _bindings(params: Mapping[str, list[str]]) -> dict[str, str]:
    bindings = {}
    for key in params:
        if key.startswith("bind."):
            value = _single(params, key) or ""
            try:
                name, value = parse_binding(f"{key.removeprefix('bind.')}={value}")
            except QueryError as err:
                raise Refusal(HTTPStatus.BAD_REQUEST, f"{key}: {err}") from err
            bindings[name] = value
    return bindings


def _parse_form(text: str) -> dict[str, list[str]]:
    try:
        return parse_qs(text, keep_blank_values=True, errors="strict", max_num_fields=_MAX_FIELDS)
    except UnicodeDecodeError as err:
        raise Refusal(HTTPStatus.BAD_REQUEST, "a parameter is not UTF-8") from err
    except ValueError as err:
        raise Refusal(HTTPStatus.BAD_REQUEST, f"too many parameters: {err}") from err


def _requested_format(values: list[str]) -> str | None:
    """The format a request names with ``format=``: the first known value, as clients such as
    SPARQLWrapper send both a name and a media type; ``None`` when none is given."""
    known = [*RESULTS_FORMATS, *GRAPH_FORMATS]
    given = [value.strip().lower() for value in values if value.strip()]
    for value in given:
        name = _FORMAT_ALIASES.get(value, value)
        if name in known:
            return name
    if given:
        raise Refusal(
            HTTPStatus.BAD_REQUEST, f"unknown format={given[0]}; use one of " + ", ".join(known)
        )
    return None


def _content_type(header: str) -> tuple[str, str | None]:
    from werkzeug.http import parse_options_header

    media, params = parse_options_header(header)
    charset = params.get("charset")
    return media.lower(), charset.lower() if charset else None


def _choose_format(kind: str, requested: str | None, accept: str | None) -> str:
    """The media type to answer a query of ``kind`` (``"graph"`` or ``"results"``) in."""
    formats = GRAPH_FORMATS if kind == "graph" else RESULTS_FORMATS
    described = "a CONSTRUCT or DESCRIBE" if kind == "graph" else "a SELECT or ASK"
    if requested:
        if requested not in formats:
            raise Refusal(
                HTTPStatus.NOT_ACCEPTABLE,
                f"format={requested} does not fit {described} query; use one of "
                + ", ".join(formats),
            )
        return formats[requested]
    chosen = negotiate(accept, list(formats.values()))
    if chosen is None:
        raise Refusal(
            HTTPStatus.NOT_ACCEPTABLE,
            f"cannot answer {described} query as {accept}; accept one of "
            + ", ".join(formats.values()),
        )
    return chosen


def oxigraph_command() -> str:
    """The ``oxigraph`` program of the environment paperkg runs in (from the oxigraph wheel)."""
    beside = Path(sysconfig.get_path("scripts")) / "oxigraph"
    found = str(beside) if beside.is_file() else shutil.which("oxigraph")
    if found is None:
        raise KgError(
            "kg serve runs queries with the Oxigraph server, which was not found; "
            "install it with: pip install 'oxigraph>=0.5,<0.6'"
        )
    return found


def _free_port(host: str) -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


def _die_with_parent() -> None:
    # Runs in the child between fork and exec: the kernel kills Oxigraph when kg serve dies,
    # however it dies. The signal follows the thread that started the child.
    libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
    libc.prctl(1, int(signal.SIGKILL), 0, 0, 0)  # PR_SET_PDEATHSIG


class OxigraphProcess:
    """``oxigraph serve-read-only`` on a store's live graph, on a free port of 127.0.0.1.

    Oxigraph cancels a query ``timeout`` seconds (plus a margin) after it starts; ``None`` lets
    queries run. The server is stopped by :meth:`close`, and by the kernel if this process
    dies first (on Linux).
    """

    def __init__(self, store: GraphStore, *, timeout: float | None = None) -> None:
        with store.open():  # fails now, with what to do, if there is no store
            pass
        self.location = store.current.resolve()
        host = "127.0.0.1"
        port = _free_port(host)
        self.url = f"http://{host}:{port}"
        command = [
            oxigraph_command(),
            "serve-read-only",
            "--location",
            str(self.location),
            "--bind",
            f"{host}:{port}",
        ]
        if timeout is not None:
            command += ["--timeout-s", str(max(1, round(timeout + _CANCEL_MARGIN)))]
        # Oxigraph writes a line for each query it cancels: to a file, so that a pipe no one
        # reads never fills up and stops it; read when it fails to start.
        self._errors = tempfile.TemporaryFile()
        self._process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=self._errors,
            preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None,
        )
        try:
            self._wait_until_ready()
        except BaseException:
            self.close()
            raise

    def _wait_until_ready(self) -> None:
        import httpx

        deadline = time.monotonic() + _START_SECONDS
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                self._errors.seek(0)
                error = self._errors.read().decode("utf-8", "replace").strip()
                raise KgError(f"the Oxigraph server did not start on {self.location}: {error}")
            try:
                httpx.get(self.url + "/", timeout=1.0, trust_env=False)
                return
            except httpx.TransportError:
                time.sleep(0.05)
        raise KgError(f"the Oxigraph server did not answer within {_START_SECONDS:g} s")

    @property
    def running(self) -> bool:
        return self._process.poll() is None

    def close(self) -> None:
        if self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        self._errors.close()


class SparqlEndpoint:
    """The Starlette endpoint of the SPARQL 1.1 Protocol, answered by an Oxigraph server.

    It refuses updates, ``LOAD`` and ``SERVICE`` with 403 however they are sent, reads
    ``bind.NAME=VALUE`` parameters, predeclares paperkg's prefixes, negotiates the format, and
    answers 503 when Oxigraph takes longer than ``timeout`` seconds and 413 when the answer is
    larger than ``max_result_bytes``. ``None`` lifts either limit.

    The graph served does not change while it is served, so answers are kept, up to
    ``cache_bytes`` (least recently used first out), and a query asked again, or asked while
    the same query runs, is answered without running it twice. With ``cache_bytes=0`` every
    request runs its query.
    """

    def __init__(
        self,
        upstream: str,
        *,
        timeout: float | None,
        max_result_bytes: int | None,
        cache_bytes: int = 0,
    ) -> None:
        self.upstream = upstream
        self.timeout = timeout
        self.max_result_bytes = max_result_bytes
        self.cache_bytes = cache_bytes
        self._client: httpx.AsyncClient | None = None
        self._answers: OrderedDict[tuple[str, str], bytes] = OrderedDict()
        self._cached = 0
        self._running: dict[tuple[str, str], asyncio.Future[bytes]] = {}

    async def start(self) -> None:
        import httpx

        self._client = httpx.AsyncClient(
            base_url=self.upstream,
            timeout=httpx.Timeout(None),
            limits=httpx.Limits(max_connections=64, max_keepalive_connections=64),
            trust_env=False,
        )

    async def stop(self) -> None:
        if self._client is not None:
            await self._client.aclose()

    async def healthy(self) -> bool:
        """Whether Oxigraph answers a query that reads the store, within two seconds."""
        import httpx

        assert self._client is not None
        try:
            reply = await self._client.post(
                "/query",
                content="ASK { ?s ?p ?o }",
                headers={"Content-Type": "application/sparql-query"},
                timeout=2.0,
            )
        except httpx.HTTPError:
            return False
        return reply.status_code == HTTPStatus.OK

    async def answer(self, request: Request) -> Response:
        """The answer to one request of the SPARQL 1.1 Protocol."""
        try:
            return await self._answer(request)
        except Refusal as refusal:
            return refusal.response()

    async def _answer(self, request: Request) -> Response:
        from starlette.responses import Response

        params = await self._params(request)
        if "update" in params:
            raise Refusal(HTTPStatus.FORBIDDEN, _READ_ONLY)
        query = _single(params, "query")
        if not query:
            raise Refusal(HTTPStatus.BAD_REQUEST, _USAGE)
        for name in ("default-graph-uri", "named-graph-uri"):
            if name in params:
                raise Refusal(
                    HTTPStatus.BAD_REQUEST,
                    f"{name} is not supported: the store holds one graph, which every query "
                    "reads; leave the parameter out",
                )
        requested = _requested_format(params.get("format", []))
        if _looks_like_update(query):
            raise Refusal(HTTPStatus.FORBIDDEN, _READ_ONLY)
        try:
            sparql = bind_variables(query, _bindings(params))
        except QueryError as err:
            raise Refusal(HTTPStatus.BAD_REQUEST, str(err)) from err
        if calls_service(sparql):
            raise Refusal(HTTPStatus.FORBIDDEN, _NO_SERVICE)
        media = _choose_format(_kind(sparql), requested, request.headers.get("accept"))
        body = await self._answer_once(sparql, media)
        headers = {"Vary": "Accept", "X-Content-Type-Options": "nosniff"}
        return Response(body, media_type=f"{media}; charset=utf-8", headers=headers)

    async def _params(self, request: Request) -> dict[str, list[str]]:
        params = _parse_form(request.url.query)
        if request.method != "POST":
            return params
        declared = request.headers.get("content-type")
        media, charset = _content_type(declared or "")
        if media == "application/sparql-update":
            raise Refusal(HTTPStatus.FORBIDDEN, _READ_ONLY)
        if declared is None or media not in (
            "application/sparql-query",
            "application/x-www-form-urlencoded",
        ):
            raise Refusal(
                HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
                "POST the query as Content-Type: application/sparql-query or "
                "application/x-www-form-urlencoded",
            )
        if charset not in (None, "utf-8", "utf8", "us-ascii"):
            raise Refusal(HTTPStatus.UNSUPPORTED_MEDIA_TYPE, "send the query as UTF-8")
        try:
            body = (await _read_body(request)).decode("utf-8")
        except UnicodeDecodeError as err:
            raise Refusal(HTTPStatus.BAD_REQUEST, "the body is not UTF-8") from err
        if media == "application/sparql-query":
            params.setdefault("query", []).append(body)
        else:
            for name, values in _parse_form(body).items():
                params.setdefault(name, []).extend(values)
        return params

    async def _answer_once(self, sparql: str, media: str) -> bytes:
        """The answer from the cache, from the same query already running, or from Oxigraph."""
        key = (sparql, media)
        if key in self._answers:
            self._answers.move_to_end(key)
            return self._answers[key]
        if not self.cache_bytes:
            return await self._run(sparql, media)
        running = self._running.get(key)
        if running is not None:
            return await asyncio.shield(running)
        future: asyncio.Future[bytes] = asyncio.get_running_loop().create_future()
        self._running[key] = future
        try:
            body = await self._run(sparql, media)
        except BaseException as err:
            future.set_exception(err)
            future.exception()  # retrieved here, so that no waiter means no warning
            raise
        finally:
            del self._running[key]
        future.set_result(body)
        self._keep(key, body)
        return body

    async def _run(self, sparql: str, media: str) -> bytes:
        if media == GRAPH_FORMATS["turtle"]:
            # Oxigraph writes Turtle without prefixes; written here with them, it reads well.
            triples = await self._forward(_PROLOGUE + sparql, GRAPH_FORMATS["nt"])
            return await asyncio.to_thread(_turtle, triples)
        return await self._forward(_PROLOGUE + sparql, media)

    def _keep(self, key: tuple[str, str], body: bytes) -> None:
        size = len(body) + len(key[0])
        if size > self.cache_bytes:
            return
        self._answers[key] = body
        self._cached += size
        while self._cached > self.cache_bytes:
            (sparql, _), dropped = self._answers.popitem(last=False)
            self._cached -= len(dropped) + len(sparql)

    async def _forward(self, sparql: str, media: str) -> bytes:
        """Oxigraph's whole answer, read within the time limit and up to the size cap."""

        try:
            async with asyncio.timeout(self.timeout):
                return await self._read_answer(sparql, media)
        except TimeoutError as err:
            raise Refusal(
                HTTPStatus.SERVICE_UNAVAILABLE,
                f"the query did not finish within {self.timeout:g} s and was stopped; "
                "narrow it (a LIMIT, a bound variable) or raise the server's limit with "
                "kg serve --timeout SECONDS",
            ) from err

    async def _read_answer(self, sparql: str, media: str) -> bytes:
        import httpx

        assert self._client is not None
        request = self._client.build_request(
            "POST",
            "/query",
            content=sparql.encode("utf-8"),
            headers={"Content-Type": "application/sparql-query", "Accept": media},
        )
        try:
            reply = await self._client.send(request, stream=True)
        except httpx.TransportError as err:
            raise Refusal(
                HTTPStatus.BAD_GATEWAY, f"the query engine did not answer: {err}; restart kg serve"
            ) from err
        try:
            chunks, size = [], 0
            async for chunk in reply.aiter_bytes():
                size += len(chunk)
                if self.max_result_bytes is not None and size > self.max_result_bytes:
                    raise Refusal(
                        HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
                        f"the answer is larger than the server's cap of "
                        f"{self.max_result_bytes / 1e6:g} MB; ask for less (a LIMIT, fewer "
                        "variables, a bound variable) or raise the cap with "
                        "kg serve --max-result-mb MB",
                    )
                chunks.append(chunk)
        finally:
            await reply.aclose()
        body = b"".join(chunks)
        if reply.status_code != HTTPStatus.OK:
            text = body.decode("utf-8", "replace").strip()
            status = HTTPStatus(reply.status_code)
            raise Refusal(status, f"the query failed: {text}")
        return body


def _turtle(triples: bytes) -> bytes:
    parsed = ox.parse(triples, format=ox.RdfFormat.N_TRIPLES)
    return ox.serialize(parsed, format=ox.RdfFormat.TURTLE, prefixes=PREFIXES) or b""


def _kind(sparql: str) -> str:
    """``"graph"`` for a CONSTRUCT or DESCRIBE, ``"results"`` for a SELECT or ASK; 400 (403
    for an update) when the query does not parse. Parsed on an empty store, so nothing runs."""
    try:
        results = ox.Store().query(sparql, prefixes=PREFIXES)
    except SyntaxError as err:
        if _looks_like_update(sparql):
            raise Refusal(HTTPStatus.FORBIDDEN, _READ_ONLY) from err
        raise Refusal(HTTPStatus.BAD_REQUEST, f"the query does not parse: {err}") from err
    return "graph" if isinstance(results, ox.QueryTriples) else "results"


async def _read_body(request: Request) -> bytes:
    length_text = request.headers.get("content-length")
    if length_text is not None:
        try:
            length = int(length_text)
        except ValueError:
            length = -1
        if length < 0:
            raise Refusal(HTTPStatus.BAD_REQUEST, f"bad Content-Length: {length_text!r}")
        if length > MAX_BODY:
            raise Refusal(
                HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
                f"the body is {length} bytes; the limit is {MAX_BODY}",
            )
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY:
            raise Refusal(
                HTTPStatus.REQUEST_ENTITY_TOO_LARGE, f"the body is over the limit of {MAX_BODY}"
            )
        chunks.append(chunk)
    return b"".join(chunks)


__all__ = [
    "ENDPOINT",
    "GRAPH_FORMATS",
    "RESULTS_FORMATS",
    "OxigraphProcess",
    "Refusal",
    "SparqlEndpoint",
    "calls_service",
    "negotiate",
    "oxigraph_command",
]
