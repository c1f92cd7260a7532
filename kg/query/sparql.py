"""SPARQL over a paperkg store: run a query and render its results as a table, CSV or JSON."""

from __future__ import annotations

import io
import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

import pyoxigraph as ox

from kg.errors import QueryError
from kg.graph.store import GraphStore
from kg.graph.terms import PREFIXES


class ResultFormat(StrEnum):
    TABLE = "table"
    CSV = "csv"
    JSON = "json"


@dataclass(frozen=True, slots=True)
class SelectResult:
    """The rows of a SELECT query as plain strings (``None`` where a variable is unbound)."""

    variables: tuple[str, ...]
    rows: tuple[tuple[str | None, ...], ...]

    def as_dicts(self) -> list[dict[str, str | None]]:
        return [dict(zip(self.variables, row, strict=True)) for row in self.rows]


def read_query(text_or_file: str) -> str:
    """The query itself, or the contents of the file when given as ``@path.rq``."""
    if not text_or_file.startswith("@"):
        return text_or_file
    path = Path(text_or_file[1:])
    try:
        return path.read_text(encoding="utf-8")
    except OSError as err:
        raise QueryError(f"cannot read query file {path}: {err.strerror or err}") from err


Bindings = Mapping[str, str]


def parse_binding(text: str) -> tuple[str, str]:
    """``name=value`` from the command line; ``<...>`` values are IRIs, others strings.

    >>> parse_binding("dataset=AudioSet-2M")
    ('dataset', 'AudioSet-2M')
    """
    name, sep, value = text.partition("=")
    name = name.strip().lstrip("?$")
    if not sep or not name.isidentifier():
        raise QueryError(f"a binding is NAME=VALUE, such as dataset=ImageNet; got {text!r}")
    return name, value


_WHERE = re.compile(r"\bWHERE\s*\{", re.IGNORECASE)
_QUERY_FORM = re.compile(r"\b(?:SELECT|ASK|DESCRIBE)\b[^{]*\{", re.IGNORECASE)


def _term(value: str) -> str:
    if value.startswith("<") and value.endswith(">"):
        return value
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def bind_variables(sparql: str, bindings: Bindings | None) -> str:
    """The query with ``VALUES`` clauses that give variables their values, put at the start of
    its WHERE block, so a binding works whether or not the variable is projected.

    >>> bind_variables("SELECT ?x WHERE { ?x rdfs:label ?name }", {"name": "BERT"})
    'SELECT ?x WHERE { VALUES ?name { "BERT" } ?x rdfs:label ?name }'
    """
    if not bindings:
        return sparql
    match = _WHERE.search(sparql) or _QUERY_FORM.search(sparql)
    if match is None:
        raise QueryError("cannot bind variables: the query has no WHERE block")
    values = " ".join(f"VALUES ?{name} {{ {_term(v)} }}" for name, v in bindings.items())
    return f"{sparql[: match.end()]} {values}{sparql[match.end() :]}"


def _run(store: ox.Store, sparql: str, bindings: Bindings | None = None):
    try:
        return store.query(bind_variables(sparql, bindings), prefixes=PREFIXES)
    except SyntaxError as err:
        raise QueryError(f"the query does not parse: {err}") from err
    except OSError as err:
        raise QueryError(f"the query failed: {err}") from err


def _plain(term: object) -> str | None:
    if term is None:
        return None
    return str(getattr(term, "value", term))


def select(store: GraphStore, sparql: str, bindings: Bindings | None = None) -> SelectResult:
    """Run a SELECT query and return its rows.

    Prefixes ``pkg``, ``dcterms``, ``skos``, ``prov``, ``foaf``, ``rdfs``, ``owl`` and ``xsd``
    are predeclared; ``bindings`` give variables a value before the query runs
    (``{"dataset": "ImageNet"}``).
    """
    variables, terms = select_terms(store, sparql, bindings)
    rows = tuple(tuple(_plain(term) for term in row) for row in terms)
    return SelectResult(variables=variables, rows=rows)


def select_terms(
    store: GraphStore, sparql: str, bindings: Bindings | None = None
) -> tuple[tuple[str, ...], list[tuple[ox.NamedNode | ox.BlankNode | ox.Literal | None, ...]]]:
    """Run a SELECT query and return its variables and its rows as pyoxigraph terms (``None``
    where a variable is unbound), for callers that need each literal's datatype."""
    with store.open() as ox_store:
        results = _run(ox_store, sparql, bindings)
        if not isinstance(results, ox.QuerySolutions):
            raise QueryError("select() needs a SELECT query; use `kg query` for ASK or CONSTRUCT")
        variables = tuple(v.value for v in results.variables)
        rows = [tuple(solution[v] for v in variables) for solution in results]
    return variables, rows


def _table(result: SelectResult) -> str:
    header = list(result.variables)
    body = [["" if v is None else v for v in row] for row in result.rows]
    widths = [min(60, max([len(h)] + [len(r[i]) for r in body])) for i, h in enumerate(header)]

    def fit(value: str, width: int) -> str:
        value = value.replace("\n", " ")
        return value if len(value) <= width else value[: width - 1] + "…"

    lines = [" | ".join(fit(h, w).ljust(w) for h, w in zip(header, widths, strict=True)).rstrip()]
    lines.append("-+-".join("-" * w for w in widths))
    lines += [
        " | ".join(fit(v, w).ljust(w) for v, w in zip(row, widths, strict=True)).rstrip()
        for row in body
    ]
    lines.append(f"({len(body)} row{'s' if len(body) != 1 else ''})")
    return "\n".join(lines) + "\n"


def run_query(
    store: GraphStore,
    sparql: str,
    fmt: ResultFormat = ResultFormat.TABLE,
    bindings: Bindings | None = None,
    *,
    timeout: float | None = None,
) -> str:
    """Run any query and render its results: SELECT and ASK as ``fmt``; CONSTRUCT and
    DESCRIBE as N-Triples. With a ``timeout`` in seconds the query runs in a worker process
    and raises :class:`~kg.errors.QueryTimeout` when it takes longer."""
    if timeout is not None:
        from kg.query.limits import QueryWorkers

        with QueryWorkers() as workers:
            return workers.run(run_query, store, sparql, fmt, bindings, seconds=timeout)
    with store.open() as ox_store:
        results = _run(ox_store, sparql, bindings)
        if isinstance(results, ox.QueryTriples):
            return (results.serialize(format=ox.RdfFormat.N_TRIPLES) or b"").decode("utf-8")
        if isinstance(results, ox.QueryBoolean):
            if fmt is ResultFormat.TABLE:
                return f"{'true' if bool(results) else 'false'}\n"
        if fmt is not ResultFormat.TABLE:
            out = io.BytesIO()
            results.serialize(
                out,
                ox.QueryResultsFormat.CSV
                if fmt is ResultFormat.CSV
                else ox.QueryResultsFormat.JSON,
            )
            return out.getvalue().decode("utf-8")
        variables = tuple(v.value for v in results.variables)
        rows = tuple(tuple(_plain(solution[v]) for v in variables) for solution in results)
    return _table(SelectResult(variables=variables, rows=rows))
