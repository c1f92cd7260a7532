"""The explorer's Starlette application: the SPARQL endpoint at ``/sparql`` (and ``/query``),
the query editor at ``/``, entity, paper and search pages, and ``/health``."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import cache
from http import HTTPStatus
from importlib.resources import files
from pathlib import Path
from typing import Any
from urllib.parse import quote

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from kg.api import ENTITY_TYPES, KnowledgeGraph
from kg.errors import UnknownEntityError, ViewError
from kg.explorer import pages
from kg.graph.terms import PREFIXES
from kg.query.named import named_queries
from kg.query.server import ENDPOINT, SparqlEndpoint

_HERE = Path(str(files("kg") / "explorer"))
_EXAMPLE = (
    "SELECT ?method (COUNT(DISTINCT ?paper) AS ?papers)\n"
    "WHERE { ?paper pkg:usesMethod ?m . ?m rdfs:label ?method }\n"
    "GROUP BY ?method\nORDER BY DESC(?papers) ?method\nLIMIT 20"
)
# The pages load only their own scripts and styles; the graph page (vis-network, inline) is
# served without this policy, inside a frame of the entity page.
_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; frame-src 'self'; form-action 'self'; base-uri 'none'"
)


def _mark(sentence: str, exact: str) -> list[dict[str, Any]]:
    """The sentence cut around the first occurrence of ``exact``, for a template to mark it."""
    at = sentence.find(exact) if exact else -1
    if at < 0:
        return [{"text": sentence, "marked": False}]
    return [
        {"text": sentence[:at], "marked": False},
        {"text": exact, "marked": True},
        {"text": sentence[at + len(exact) :], "marked": False},
    ]


@cache
def _templates() -> Environment:
    environment = Environment(
        loader=FileSystemLoader(_HERE / "templates"),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters["page_key"] = pages.page_key
    environment.filters["mark"] = _mark
    # Names may hold "/" or "?": quote everything, so a name stays one part of the path.
    environment.filters["urlencode"] = lambda text: quote(str(text), safe="")
    return environment


def _page(name: str, status: int = HTTPStatus.OK, **context: Any) -> HTMLResponse:
    body = _templates().get_template(name).render(**context)
    headers = {"Content-Security-Policy": _POLICY, "X-Content-Type-Options": "nosniff"}
    return HTMLResponse(body, status_code=status, headers=headers)


def make_app(graph: KnowledgeGraph, endpoint: SparqlEndpoint) -> Starlette:
    """The explorer of ``graph``, whose SPARQL queries ``endpoint`` answers."""
    queries = named_queries()
    queries_json = json.dumps(
        [
            {"name": q.name, "description": q.description, "text": q.text, "variables": q.variables}
            for q in queries
        ]
    ).replace("</", "<\\/")

    async def home(request: Request) -> Response:
        return _page(
            "home.html",
            queries=queries,
            queries_json=queries_json,
            prefixes=PREFIXES,
            endpoint=ENDPOINT,
            example=_EXAMPLE,
        )

    async def health(request: Request) -> Response:
        healthy = await endpoint.healthy()
        status = HTTPStatus.OK if healthy else HTTPStatus.SERVICE_UNAVAILABLE
        body = {"status": "ok" if healthy else "the query engine does not answer"}
        body["store"] = str(graph.store.path)
        return JSONResponse(body, status_code=status)

    async def entity(request: Request) -> Response:
        key = request.path_params["key"]
        try:
            facts = await run_in_threadpool(pages.find_entity, graph, key)
        except UnknownEntityError as err:
            return _page(
                "missing.html",
                HTTPStatus.NOT_FOUND,
                message=str(err),
                suggestions=err.suggestions,
                key=key,
            )
        return _page("entity.html", entity=facts)

    async def entity_graph(request: Request) -> Response:
        from kg.viz import build_view, view_html

        key = request.path_params["key"]
        try:
            facts = await run_in_threadpool(pages.find_entity, graph, key)
            network = await run_in_threadpool(
                build_view, graph.store, "entity", entity=facts.iri, top=40
            )
        except (UnknownEntityError, ViewError) as err:
            return Response(f"{err}\n", HTTPStatus.NOT_FOUND, media_type="text/plain")
        page = await run_in_threadpool(view_html, network, title=f"paperkg: {facts.label}")
        return HTMLResponse(page)

    async def paper(request: Request) -> Response:
        key = request.path_params["key"]
        facts = await run_in_threadpool(pages.find_paper, graph, key)
        if facts is None:
            return _page(
                "missing.html",
                HTTPStatus.NOT_FOUND,
                message=f"no paper has the key or identifier {key!r}",
                suggestions=[],
                key=key,
            )
        url = facts.identifier if facts.identifier.startswith(("http://", "https://")) else None
        return _page("paper.html", paper=facts, types=ENTITY_TYPES, url=url)

    async def search(request: Request) -> Response:
        text = request.query_params.get("q", "")
        entities, papers = await run_in_threadpool(pages.search, graph, text)
        return _page(
            "search.html",
            query=text.strip(),
            entities=entities,
            papers=papers,
            limit=pages.SEARCH_LIMIT,
        )

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await endpoint.start()
        try:
            yield
        finally:
            await endpoint.stop()

    sparql_methods = ["GET", "POST"]
    routes = [
        Route("/", home),
        Route(ENDPOINT, endpoint.answer, methods=sparql_methods),
        Route("/query", endpoint.answer, methods=sparql_methods),
        Route("/health", health),
        Route("/entity/{key:path}/graph", entity_graph),
        Route("/entity/{key:path}", entity),
        Route("/paper/{key:path}", paper),
        Route("/search", search),
        Mount("/static", StaticFiles(directory=_HERE / "static"), name="static"),
    ]
    # Any page may query the endpoint, as SPARQL endpoints allow; the pages stay same-origin.
    cors = Middleware(
        CORSMiddleware,
        allow_origins=["*"],
        allow_methods=sparql_methods,
        allow_headers=["Content-Type", "Accept"],
        max_age=86400,
    )

    async def not_found(request: Request, error: Exception) -> Response:
        return Response(
            f"nothing at {request.url.path}; the explorer is at / and the SPARQL endpoint at "
            f"{ENDPOINT}\n",
            HTTPStatus.NOT_FOUND,
            media_type="text/plain",
        )

    return Starlette(
        routes=routes,
        middleware=[cors],
        lifespan=lifespan,
        exception_handlers={HTTPStatus.NOT_FOUND: not_found},
    )
