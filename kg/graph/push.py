"""The store's graph sent to an external RDF store (Fuseki, GraphDB, Virtuoso, an Oxigraph
server): whole over the SPARQL 1.1 Graph Store HTTP Protocol, or as its last change with
SPARQL 1.1 Update.

Credentials come from the environment: ``PAPERKG_ENDPOINT_USER`` and
``PAPERKG_ENDPOINT_PASSWORD`` (basic authentication) or ``PAPERKG_ENDPOINT_TOKEN`` (a bearer
token).
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

import pyoxigraph as ox

from kg.errors import EndpointError
from kg.graph.store import GraphStore

if TYPE_CHECKING:
    import httpx

    from kg.graph.corpus import CorpusFile

T = TypeVar("T")
Progress = Callable[[Iterable[T], str, int | None], Iterable[T]]

#: Triples per request: a few megabytes of N-Triples.
DEFAULT_CHUNK_SIZE = 50_000
#: Seconds to wait for an answer to one request.
DEFAULT_TIMEOUT = 60.0

USER_VARIABLE = "PAPERKG_ENDPOINT_USER"
PASSWORD_VARIABLE = "PAPERKG_ENDPOINT_PASSWORD"
TOKEN_VARIABLE = "PAPERKG_ENDPOINT_TOKEN"

_N_TRIPLES = "application/n-triples"
_SPARQL_UPDATE = "application/sparql-update"


def no_progress(items: Iterable[T], description: str, total: int | None) -> Iterable[T]:
    return items


@dataclass(frozen=True, slots=True)
class Endpoint:
    """An external RDF store: its Graph Store Protocol address (``url``), the named graph
    there to write (else the default graph), its SPARQL Update address, for changes, and
    how much goes in one request and how long to wait for its answer.

    >>> Endpoint("http://localhost:3030/ds/data").chunk_size
    50000
    """

    url: str
    graph: str | None = None
    update_url: str | None = None
    chunk_size: int = DEFAULT_CHUNK_SIZE
    timeout: float = DEFAULT_TIMEOUT

    def __str__(self) -> str:
        return f"{self.url} ({'the default graph' if self.graph is None else self.graph})"


@dataclass(frozen=True, slots=True)
class Pushed:
    """What a push sent: triples put in (all of them for a whole push) and taken out."""

    added: int
    removed: int
    requests: int


def push_graph(
    store: GraphStore, endpoint: Endpoint, *, progress: Progress = no_progress
) -> Pushed:
    """Replace the endpoint's graph with the store's graph: the first chunk of triples with
    PUT, the others with POST. Triples with a blank node all go in the first chunk, since a
    blank node's label names the same node only within one request."""
    with store.open() as graph_store, _client(endpoint.timeout) as http:
        generation = store.generation
        total = len(graph_store)
        chunks = _chunks(graph_store, endpoint.chunk_size)
        url = _graph_url(endpoint.url, endpoint.graph)
        sent = requests = 0
        for chunk in progress(chunks, "pushing", max(1, math.ceil(total / endpoint.chunk_size))):
            method = "PUT" if requests == 0 else "POST"
            try:
                _send(http, method, url, _n_triples(chunk), _N_TRIPLES, endpoint)
            except EndpointError as err:
                if not requests:
                    raise
                raise EndpointError(
                    f"{err}. The graph at {url} now holds {sent:,} of the {total:,} triples; "
                    "push again"
                ) from err
            sent += len(chunk)
            requests += 1
    assert generation is not None
    _record_push(store, endpoint, generation)
    return Pushed(added=sent, removed=0, requests=requests)


def push_changes(
    store: GraphStore, endpoint: Endpoint, *, progress: Progress = no_progress
) -> Pushed | None:
    """Send what the last ``kg add`` or ``kg remove`` changed to the endpoint's graph, as
    SPARQL ``DELETE DATA`` and ``INSERT DATA`` requests to its update address. The graph there
    must be the one that change started from, as pushed from this store; returns None when it
    is the live graph already."""
    with store.open():
        generation = store.generation
    assert generation is not None
    if endpoint.update_url is None:
        raise EndpointError(f"changes go to {endpoint.url}'s SPARQL Update address; give it")
    with _corpus(store) as corpus:
        pushed = corpus.pushed(_target(endpoint))
        difference = corpus.difference(generation)
    if pushed == generation:
        return None
    whole = f"push the graph whole: kg push --endpoint {endpoint.url}"
    if difference is None:
        raise EndpointError(
            f"the store at {store.path} keeps no change for its graph (kg build writes it whole, "
            f"and a change is kept for the last kg add or remove only); {whole}"
        )
    if pushed != difference.base:
        raise EndpointError(
            f"{endpoint} was not sent the graph the last change of {store.path} starts from "
            f"(it was sent {'nothing from this store' if pushed is None else pushed}); {whole}"
        )
    removed = list(_triples(difference.removed))
    added = list(_triples(difference.added))
    if any(map(_has_blank_node, removed)):
        raise EndpointError(f"the change takes out blank nodes, which SPARQL cannot name; {whole}")
    requests = [
        *(("DELETE", chunk) for chunk in _slices(removed, endpoint.chunk_size)),
        *(("INSERT", chunk) for chunk in _slices(added, endpoint.chunk_size)),
    ]
    with _client(endpoint.timeout) as http:
        for operation, chunk in progress(requests, "pushing", len(requests)):
            body = _n_triples(chunk).decode("utf-8")
            if endpoint.graph is not None:
                body = f"GRAPH <{endpoint.graph}> {{\n{body}}}"
            update = f"{operation} DATA {{\n{body}}}".encode()
            _send(http, "POST", endpoint.update_url, update, _SPARQL_UPDATE, endpoint)
    _record_push(store, endpoint, generation)
    return Pushed(added=len(added), removed=len(removed), requests=len(requests))


def _target(endpoint: Endpoint) -> str:
    return f"{endpoint.url} {endpoint.graph or ''}".strip()


def _corpus(store: GraphStore) -> CorpusFile:
    # Loaded here, so that the command line reads this module's defaults at once.
    from kg.graph.corpus import FILENAME, CorpusFile

    return CorpusFile(store.path / FILENAME)


def _record_push(store: GraphStore, endpoint: Endpoint, generation: str) -> None:
    with _corpus(store) as corpus:
        corpus.record_push(_target(endpoint), generation)


def _graph_url(endpoint: str, graph: str | None) -> httpx.URL:
    """The Graph Store Protocol address of the default graph (``?default``) or of ``graph``
    (``?graph=IRI``) at ``endpoint``."""
    import httpx

    url = httpx.URL(endpoint)
    if graph is not None:
        return url.copy_add_param("graph", graph)
    return url.copy_with(query=(url.query + b"&" if url.query else b"") + b"default")


def _has_blank_node(triple: ox.Triple) -> bool:
    return isinstance(triple.subject, ox.BlankNode) or isinstance(triple.object, ox.BlankNode)


def _chunks(store: ox.Store, size: int) -> Iterator[list[ox.Triple]]:
    """The default graph's triples in chunks of ``size``, those with blank nodes all in the
    first; always at least one chunk, so that an empty graph empties the graph it replaces."""
    default = ox.DefaultGraph()
    chunk = [
        quad.triple
        for quad in store.quads_for_pattern(None, None, None, default)
        if _has_blank_node(quad.triple)
    ]
    first = True
    for quad in store.quads_for_pattern(None, None, None, default):
        if _has_blank_node(quad.triple):
            continue
        chunk.append(quad.triple)
        if len(chunk) >= size:
            yield chunk
            chunk, first = [], False
    if chunk or first:
        yield chunk


def _slices(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _triples(data: bytes) -> Iterator[ox.Triple]:
    for quad in ox.parse(data, format=ox.RdfFormat.N_TRIPLES):
        yield quad.triple


def _n_triples(triples: Iterable[ox.Triple]) -> bytes:
    return ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""


# --- HTTP -------------------------------------------------------------------------------------


def _credentials() -> tuple[httpx.Auth | None, dict[str, str]]:
    """Basic authentication or a bearer token, from the environment."""
    import httpx

    user = os.environ.get(USER_VARIABLE)
    password = os.environ.get(PASSWORD_VARIABLE)
    token = os.environ.get(TOKEN_VARIABLE)
    if token and (user or password):
        raise EndpointError(
            f"set either {TOKEN_VARIABLE} or {USER_VARIABLE} and {PASSWORD_VARIABLE}, not both"
        )
    if token:
        return None, {"Authorization": f"Bearer {token}"}
    if user or password:
        if not (user and password):
            raise EndpointError(f"set both {USER_VARIABLE} and {PASSWORD_VARIABLE}, or neither")
        return httpx.BasicAuth(user, password), {}
    return None, {}


def _client(timeout: float) -> httpx.Client:
    import httpx

    auth, headers = _credentials()
    return httpx.Client(auth=auth, headers=headers, timeout=timeout)


def _send(
    http: httpx.Client,
    method: str,
    url: httpx.URL | str,
    content: bytes,
    content_type: str,
    endpoint: Endpoint,
) -> None:
    import httpx

    try:
        response = http.request(
            method, url, content=content, headers={"Content-Type": content_type}
        )
    except httpx.TimeoutException as err:
        raise EndpointError(
            f"{url} did not answer within {endpoint.timeout:g} s; wait longer with --timeout "
            "SECONDS, or send less at once with a smaller --chunk-size"
        ) from err
    except httpx.ConnectError as err:
        raise EndpointError(
            f"cannot connect to {url}: {err}; check the address and that the store is running"
        ) from err
    except httpx.HTTPError as err:
        raise EndpointError(f"cannot send to {url}: {err}") from err
    status = response.status_code
    if status < 400:
        return
    said = f"{url} answered {status} {response.reason_phrase}"
    if status == 401:
        raise EndpointError(
            f"{said}: it wants credentials; set {USER_VARIABLE} and {PASSWORD_VARIABLE}, or "
            f"{TOKEN_VARIABLE}, to ones it accepts"
        )
    if status == 403:
        raise EndpointError(f"{said}: the credentials given may not write there")
    if status == 413:
        raise EndpointError(
            f"{said}: a request of {endpoint.chunk_size:,} triples is too large for it; "
            "send smaller ones with --chunk-size N"
        )
    detail = " ".join(response.text.split())[:300]
    raise EndpointError(f"{said}" + (f": {detail}" if detail else ""))
