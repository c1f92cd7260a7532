"""The ``kg`` command: parses arguments, calls the stages, prints."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TypeVar

from kg import __version__
from kg.errors import KgError, QueryTimeout

T = TypeVar("T")

log = logging.getLogger("kg")

# The views and file formats of `kg viz`, as kg.viz names them (spelled out here so that
# building the parser imports no drawing code).
VIEW_NAMES = ("papers", "cooccurrence", "entity", "landscape")
VIEW_FORMATS = ("html", "graphml", "gexf", "json")


def _progress(items: Iterable[T], description: str, total: int | None) -> Iterable[T]:
    from tqdm import tqdm

    # tqdm hides itself when stderr is not a terminal, so logs and CI output stay clean.
    return tqdm(items, desc=description, total=total, unit=" items", leave=False, disable=None)


def _amount(text: str, unit: str, example: str) -> float:
    try:
        amount = float(text)
    except ValueError:
        amount = -1.0
    if not amount >= 0 or amount == float("inf"):
        raise argparse.ArgumentTypeError(
            f"give a number of {unit}, such as {example}; got {text!r}"
        )
    return amount


def _seconds(text: str) -> float:
    """A time limit from the command line: a number of seconds, 0 or more."""
    return _amount(text, "seconds", "30")


def _positive(text: str) -> int:
    """A count from the command line: a whole number, 1 or more."""
    try:
        count = int(text)
    except ValueError:
        count = 0
    if count < 1:
        raise argparse.ArgumentTypeError(f"give a whole number of 1 or more; got {text!r}")
    return count


def _store(args: argparse.Namespace):
    from kg.graph.store import GraphStore

    return GraphStore(args.store)


def _cluster(args: argparse.Namespace):
    """The dask cluster of ``--scheduler``, or None to extract on this machine."""
    if args.scheduler is None:
        return None
    if args.n_process is not None:
        raise _UsageError("--n-process is for extraction on this machine, not with --scheduler")
    from kg.cluster import Cluster

    return Cluster(args.scheduler, connect_timeout=args.connect_timeout)


def cmd_build(args: argparse.Namespace) -> int:
    from kg.build import build

    summary, report = build(
        args.inputs,
        _store(args),
        extractor=args.extractor,
        min_confidence=args.min_confidence,
        base=args.base,
        n_process=args.n_process,
        cluster=_cluster(args),
        progress=_progress,
    )
    print(f"built {args.store}")
    for line in summary.lines():
        print(f"  {line}")
    _print_skipped(report.skipped)
    return 0


def cmd_add(args: argparse.Namespace) -> int:
    from kg.build import add

    summary, change, report = add(
        args.inputs,
        _store(args),
        n_process=args.n_process,
        cluster=_cluster(args),
        progress=_progress,
    )
    _print_change(args.store, summary, change)
    _print_skipped(report.skipped)
    return 0


def cmd_remove(args: argparse.Namespace) -> int:
    from kg.build import remove

    summary, change = remove(args.ids, _store(args), n_process=args.n_process, progress=_progress)
    _print_change(args.store, summary, change)
    return 0


def _print_change(store: str, summary, change) -> None:
    if summary is None:
        print(f"{store} unchanged")
        print(f"  {change.line()}")
        return
    print(f"updated {store}")
    for line in [change.line(), *summary.lines()]:
        print(f"  {line}")


def _print_skipped(skipped: Sequence[object]) -> None:
    if skipped:
        print(f"{len(skipped)} record(s) skipped; first ones:", file=sys.stderr)
        for error in skipped[:10]:
            print(f"  {error}", file=sys.stderr)


def cmd_export(args: argparse.Namespace) -> int:
    from kg.graph.store import ExportFormat

    fmt = ExportFormat(args.format)
    store = _store(args)
    if args.output in (None, "-"):
        store.export(sys.stdout.buffer, fmt)
        sys.stdout.flush()
    else:
        out = Path(args.output)
        tmp = out.with_name(f".{out.name}.part")
        try:
            store.export(tmp, fmt)
            os.replace(tmp, out)
        finally:
            tmp.unlink(missing_ok=True)
        print(f"wrote {out}", file=sys.stderr)
    return 0


def cmd_push(args: argparse.Namespace) -> int:
    from kg.graph.push import Endpoint, push_changes, push_graph

    if args.changes and args.update_endpoint is None:
        raise _UsageError("--changes sends SPARQL updates: give --update-endpoint URL too")
    endpoint = Endpoint(
        args.endpoint,
        graph=args.graph,
        update_url=args.update_endpoint,
        chunk_size=args.chunk_size,
        timeout=args.timeout,
    )
    if not args.changes:
        pushed = push_graph(_store(args), endpoint, progress=_progress)
        print(f"pushed {args.store} to {endpoint}")
        print(f"  triples: {pushed.added} in {pushed.requests} request(s)")
        return 0
    change = push_changes(_store(args), endpoint, progress=_progress)
    if change is None:
        print(f"{endpoint} holds the graph of {args.store} already")
        return 0
    print(f"pushed the last change of {args.store} to {endpoint}")
    print(
        f"  triples: {change.removed} taken out, {change.added} put in, "
        f"in {change.requests} request(s)"
    )
    return 0


def cmd_query(args: argparse.Namespace) -> int:
    from kg.query import ResultFormat, read_query, run_query
    from kg.query.sparql import parse_binding

    bindings = dict(parse_binding(b) for b in args.bind)
    try:
        text = run_query(
            _store(args),
            read_query(args.query),
            ResultFormat(args.format),
            bindings,
            timeout=args.timeout or None,
        )
    except QueryTimeout as err:
        raise QueryTimeout(err.seconds, remedy="raise the limit with --timeout SECONDS") from err
    sys.stdout.write(text)
    return 0


def cmd_viz(args: argparse.Namespace) -> int:
    from kg.viz import ViewFormat, build_view, write_view
    from kg.viz.views import parse_years

    if args.view == "entity" and not args.entity:
        raise _UsageError("the entity view needs a name: kg viz --view entity NAME")
    if args.view != "entity" and args.entity:
        raise _UsageError(f"a NAME is for the entity view only, not --view {args.view}")
    if args.view != "entity" and args.depth is not None:
        raise _UsageError(f"--depth is for the entity view only, not --view {args.view}")
    network = build_view(
        _store(args),
        args.view,
        entity=args.entity,
        depth=1 if args.depth is None else args.depth,
        types=args.types.split(",") if args.types else None,
        min_papers=args.min_papers,
        years=parse_years(args.year) if args.year else None,
        top=args.top,
    )
    fmt = ViewFormat(args.format)
    output = args.output or f"graph.{fmt.value}"
    path = write_view(network, output, fmt, title=args.title)
    nodes, links = network.number_of_nodes(), network.number_of_edges()
    print(f"wrote {path}: {nodes:,} node{'s' * (nodes != 1)}, {links:,} link{'s' * (links != 1)}")
    for cut in network.graph.get("cuts", []):
        print(f"  {cut}")
    return 0


class _UsageError(KgError):
    """A command line that asks for something it cannot have; exits 2."""


def cmd_validate(args: argparse.Namespace) -> int:
    graph = _store(args).to_graph()  # first, so that a missing store is reported at once
    from kg.graph.validate import validate_graph

    report = validate_graph(graph)
    if report.conforms:
        print(f"{args.store}: conforms to the paperkg shapes")
        return 0
    print(report.text)
    print(f"{args.store}: {report.violations} violation(s) of the paperkg shapes")
    return 1


def cmd_stats(args: argparse.Namespace) -> int:
    from kg.query.stats import graph_stats

    for line in graph_stats(_store(args)):
        print(line)
    return 0


def _megabytes(text: str) -> float:
    """A size from the command line: a number of megabytes, 0 or more."""
    return _amount(text, "megabytes", "64")


def cmd_serve(args: argparse.Namespace) -> int:
    from kg.explorer import make_server

    server = make_server(
        _store(args),
        host=args.host,
        port=args.port,
        timeout=args.timeout or None,
        max_result_mb=args.max_result_mb or None,
        cache_mb=args.cache_mb,
        access_log=not args.quiet,
    )
    if not args.quiet:
        # One access line per request, without the "kg: warning:" prefix of other messages.
        access = logging.getLogger("uvicorn.access")
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(message)s", "%Y-%m-%d %H:%M:%S"))
        access.handlers = [handler]
        access.setLevel(logging.INFO)
        access.propagate = False
    print(f"serving {args.store} at {server.root}/ (SPARQL endpoint {server.url})", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()
    print("stopped")
    return 0


def make_parser() -> argparse.ArgumentParser:
    from kg.graph.push import DEFAULT_CHUNK_SIZE
    from kg.graph.push import DEFAULT_TIMEOUT as DEFAULT_PUSH_TIMEOUT
    from kg.graph.store import DEFAULT_STORE, ExportFormat
    from kg.graph.terms import DEFAULT_BASE
    from kg.nlp import DEFAULT_EXTRACTOR, EXTRACTORS
    from kg.query.limits import DEFAULT_SERVE_TIMEOUT
    from kg.query.server import DEFAULT_CACHE_MB, DEFAULT_MAX_RESULT_MB
    from kg.query.sparql import ResultFormat

    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--store",
        default=str(DEFAULT_STORE),
        metavar="PATH",
        help="store folder (default: %(default)s)",
    )
    parser = argparse.ArgumentParser(
        prog="kg",
        description="Build and use a knowledge graph of the methods, datasets, tasks and "
        "metrics in paper abstracts.",
        epilog="Run `kg COMMAND --help` for a command's options.",
    )
    parser.add_argument("--version", action="version", version=f"paperkg {__version__}")
    parser.add_argument("-q", "--quiet", action="store_true", help="print errors only")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser(
        "build",
        parents=[common],
        help="read abstracts, extract entities and write the graph to the store",
        description="Read papers from INPUT files (listing text, JSON/JSON Lines, CSV, arXiv "
        "Atom or metadata JSON lines, OpenAlex works, BibTeX), extract methods, datasets, "
        "tasks and metrics, and replace the store's graph with the result. The store is "
        "only changed when the whole build succeeds.",
    )
    p.add_argument("inputs", nargs="+", metavar="INPUT", help="input files")
    p.add_argument(
        "--extractor",
        choices=EXTRACTORS,
        default=DEFAULT_EXTRACTOR,
        help="extraction pipeline (default: %(default)s)",
    )
    p.add_argument(
        "--min-confidence",
        type=float,
        default=0.0,
        metavar="X",
        help="drop mentions below this confidence, 0-1 (default: %(default)s)",
    )
    p.add_argument(
        "--base",
        default=DEFAULT_BASE,
        metavar="IRI",
        help="base of minted IRIs (default: %(default)s)",
    )
    _n_process_option(p)
    _scheduler_options(p)
    p.set_defaults(func=cmd_build)

    p = sub.add_parser(
        "add",
        parents=[common],
        help="add papers to the store's graph, or replace the ones it holds",
        description="Read papers from INPUT files and add them to the store's graph; a paper "
        "with the id of one the graph holds replaces it. The graph is resolved anew over all "
        "its papers, built as before (extractor, confidence floor, base); papers already "
        "extracted are not extracted again. The store is only changed when the whole update "
        "succeeds.",
    )
    p.add_argument("inputs", nargs="+", metavar="INPUT", help="input files")
    _n_process_option(p)
    _scheduler_options(p)
    p.set_defaults(func=cmd_add)

    p = sub.add_parser(
        "remove",
        parents=[common],
        help="take papers out of the store's graph",
        description="Take the papers with the given ids (dcterms:identifier, as arxiv:2212.09058 "
        "or doi:10.1/x) out of the store's graph and resolve the rest anew. An unknown id "
        "stops the removal before anything changes.",
    )
    p.add_argument("ids", nargs="+", metavar="ID", help="paper ids")
    _n_process_option(p)
    p.set_defaults(func=cmd_remove)

    p = sub.add_parser("export", parents=[common], help="write the graph as RDF")
    p.add_argument("-o", "--output", metavar="FILE", help="output file (default: stdout)")
    p.add_argument(
        "--format",
        choices=[f.value for f in ExportFormat],
        default=ExportFormat.TURTLE.value,
        help="RDF serialisation (default: %(default)s)",
    )
    p.set_defaults(func=cmd_export)

    p = sub.add_parser(
        "push",
        parents=[common],
        help="send the graph to an external RDF store (SPARQL 1.1 Graph Store Protocol)",
        description="Replace a graph of an external RDF store (Fuseki, GraphDB, Virtuoso, an "
        "Oxigraph server) with the store's graph, in chunks: a PUT, then POSTs. With --changes, "
        "send only what the last kg add or kg remove changed, as SPARQL updates. Credentials "
        "come from the environment: PAPERKG_ENDPOINT_USER and PAPERKG_ENDPOINT_PASSWORD, or "
        "PAPERKG_ENDPOINT_TOKEN.",
        epilog="example: kg push --endpoint http://localhost:3030/ds/data",
    )
    p.add_argument(
        "--endpoint",
        required=True,
        metavar="URL",
        help="the store's Graph Store Protocol address (Fuseki: http://host:3030/DATASET/data)",
    )
    p.add_argument(
        "--graph",
        metavar="IRI",
        help="replace this named graph (default: the default graph)",
    )
    p.add_argument(
        "--chunk-size",
        type=_positive,
        default=DEFAULT_CHUNK_SIZE,
        metavar="N",
        help="triples per request (default: %(default)s)",
    )
    p.add_argument(
        "--timeout",
        type=_seconds,
        default=DEFAULT_PUSH_TIMEOUT,
        metavar="S",
        help="seconds to wait for the answer to each request (default: %(default)g)",
    )
    p.add_argument(
        "--changes",
        action="store_true",
        help="send only what the last kg add or kg remove changed, to a store sent the graph "
        "before it",
    )
    p.add_argument(
        "--update-endpoint",
        metavar="URL",
        help="the store's SPARQL Update address, for --changes (Fuseki: "
        "http://host:3030/DATASET/update)",
    )
    p.set_defaults(func=cmd_push)

    p = sub.add_parser(
        "query",
        parents=[common],
        help="run a SPARQL query",
        description="Run a SPARQL query given inline or as @file.rq. The prefixes pkg, dcterms, "
        "skos, prov, foaf, rdfs, owl and xsd are predeclared.",
        epilog="example: kg query @ontology/queries/leaderboard.rq --bind dataset=AudioSet",
    )
    p.add_argument("query", metavar="QUERY", help="SPARQL text, or @path to a .rq file")
    p.add_argument(
        "--bind",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="give ?NAME a value before the query runs (a string; <...> for an IRI); repeatable",
    )
    p.add_argument(
        "--format",
        choices=[f.value for f in ResultFormat],
        default=ResultFormat.TABLE.value,
        help="result format (default: %(default)s)",
    )
    p.add_argument(
        "--timeout",
        type=_seconds,
        default=None,
        metavar="S",
        help="stop the query after S seconds and exit with an error (default and 0: no limit)",
    )
    p.set_defaults(func=cmd_query)

    p = sub.add_parser(
        "viz",
        parents=[common],
        help="write an interactive page (or GraphML, GEXF, JSON) of a view of the graph",
        description="Write one view of the graph: papers (the most named entities and their "
        "papers), cooccurrence (entities linked by the papers that name both), entity NAME (an "
        "entity's papers, the entities they name, its family and results) or landscape (tasks, "
        "datasets and methods linked by the papers that apply, evaluate or benchmark them). "
        "Views are cut to a size a browser draws; the page and this command say what was cut.",
        epilog="example: kg viz --view entity BERT --depth 2 -o bert.html",
    )
    p.add_argument(
        "--view",
        choices=VIEW_NAMES,
        default="papers",
        help="what to draw (default: %(default)s)",
    )
    p.add_argument("entity", nargs="?", metavar="NAME", help="the entity of --view entity")
    p.add_argument("-o", "--output", metavar="FILE", help="output file (default: graph.FORMAT)")
    p.add_argument(
        "--format",
        choices=VIEW_FORMATS,
        default="html",
        help="html, or graphml/gexf for Gephi and Cytoscape, json (node-link) for D3 "
        "(default: %(default)s)",
    )
    p.add_argument("--title", default="paperkg", help="page title (default: %(default)s)")
    p.add_argument(
        "--top",
        type=int,
        default=None,
        metavar="N",
        help="draw the N entities named by most papers (defaults: papers 300, cooccurrence "
        "300, landscape 300, entity 100; the papers view draws at most N papers too)",
    )
    p.add_argument(
        "--types",
        metavar="KINDS",
        help="only these entity kinds, comma-separated: method,dataset,task,metric",
    )
    p.add_argument(
        "--min-papers",
        type=int,
        default=1,
        metavar="N",
        help="only entities named by at least N papers (default: %(default)s)",
    )
    p.add_argument(
        "--year",
        metavar="FROM[-TO]",
        help="only papers of these years (paper counts then count those papers)",
    )
    p.add_argument(
        "--depth",
        type=int,
        metavar="N",
        help="entity view: steps out from the entity through papers (default: 1)",
    )
    p.set_defaults(func=cmd_viz)

    p = sub.add_parser(
        "validate",
        parents=[common],
        help="check the graph against the SHACL shapes (exit 1 if not)",
    )
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("stats", parents=[common], help="print counts and the most named entities")
    p.set_defaults(func=cmd_stats)

    p = sub.add_parser(
        "serve",
        parents=[common],
        help="explore the graph in a browser and answer SPARQL queries over HTTP, read-only",
        description="Serve the store's graph: a SPARQL editor with the named queries at /, "
        "pages for entities (/entity/...), papers (/paper/...) and search (/search?q=...), and "
        "a read-only SPARQL 1.1 Protocol endpoint at /sparql (also /query). The prefixes of "
        "`kg query` are predeclared. Queries run in an Oxigraph server that kg serve starts "
        "and stops. Stop with Ctrl-C.",
        epilog="example: curl 'http://127.0.0.1:7878/sparql' --data-urlencode "
        "'query=SELECT (COUNT(?p) AS ?n) WHERE { ?p a pkg:Paper }'",
    )
    p.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on; 0.0.0.0 makes the graph reachable from other machines "
        "(default: %(default)s)",
    )
    p.add_argument(
        "--port",
        type=int,
        default=7878,
        help="port to listen on, 0 for any free one (default: %(default)s)",
    )
    p.add_argument(
        "--timeout",
        type=_seconds,
        default=DEFAULT_SERVE_TIMEOUT,
        metavar="S",
        help="stop a query after S seconds and answer 503; 0 for no limit (default: %(default)g)",
    )
    p.add_argument(
        "--max-result-mb",
        type=_megabytes,
        default=DEFAULT_MAX_RESULT_MB,
        metavar="MB",
        help="answer 413 instead of an answer larger than MB megabytes; 0 for no cap "
        "(default: %(default)g)",
    )
    p.add_argument(
        "--cache-mb",
        type=_megabytes,
        default=DEFAULT_CACHE_MB,
        metavar="MB",
        help="keep up to MB megabytes of answers for queries asked again; 0 keeps none "
        "(default: %(default)g)",
    )
    p.set_defaults(func=cmd_serve)
    return parser


def _n_process_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--n-process",
        type=int,
        default=None,
        metavar="N",
        help="processes for extraction (default: 1 for fewer than 500 papers to extract, else "
        "one per CPU core, at most 4)",
    )


def _scheduler_options(parser: argparse.ArgumentParser) -> None:
    from kg.cluster import DEFAULT_CONNECT_TIMEOUT

    parser.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="extract on the workers of this dask.distributed scheduler (tcp://host:port) "
        'instead of this machine; needs pip install "paperkg[dask]"',
    )
    parser.add_argument(
        "--connect-timeout",
        type=_seconds,
        default=DEFAULT_CONNECT_TIMEOUT,
        metavar="S",
        help="give up when the scheduler, or its first worker, is not there within S "
        "seconds (default: %(default)g)",
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = make_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.ERROR if args.quiet else logging.WARNING,
        format="kg: warning: %(message)s",
        stream=sys.stderr,
        force=True,
    )
    try:
        return int(args.func(args))
    except _UsageError as err:
        parser.error(str(err))
    except KgError as err:
        print(f"kg: error: {err}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("kg: interrupted; the store is unchanged", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
