"""Reading a store never loads the extraction stack: `kg query`, `stats`, `export`, `validate`
and `serve` run in a fresh interpreter without spaCy (or kg.nlp's pipeline) imported."""

from __future__ import annotations

_RUN_COMMANDS = """
import io, json, sys
from contextlib import redirect_stdout
from kg.cli import main
from kg.explorer import make_server
from kg.graph.store import GraphStore

store = sys.argv[1]
codes = {}
with redirect_stdout(io.StringIO()) as out:
    codes["query"] = main(["query", "SELECT (COUNT(?p) AS ?n) WHERE { ?p a pkg:Paper }",
                           "--format", "csv", "--store", store])
    codes["stats"] = main(["stats", "--store", store])
    codes["export"] = main(["export", "--format", "nt", "-o", sys.argv[2], "--store", store])
import httpx
with make_server(GraphStore(store), port=0) as server:
    server.start()
    codes["serve"] = httpx.get(server.root + "/health", trust_env=False).status_code
before_validate = sorted(sys.modules)
with redirect_stdout(io.StringIO()):
    codes["validate"] = main(["validate", "--store", store])
print(json.dumps({
    "codes": codes,
    "output": out.getvalue(),
    "before_validate": before_validate,
    "modules": sorted(sys.modules),
}))
"""

_HEAVY = (
    "spacy",
    "thinc",
    "dask",
    "distributed",
    "kg.nlp.extract",
    "kg.nlp.pipeline",
    "kg.build",
    "kg.graph.build",
)


def _loaded(modules: list[str], roots: tuple[str, ...]) -> list[str]:
    return [m for m in modules if any(m == r or m.startswith(r + ".") for r in roots)]


def test_reading_commands_do_not_import_the_extraction_stack(query_store, tmp_path, run_fresh):
    report = run_fresh(_RUN_COMMANDS, str(query_store.path), str(tmp_path / "out.nt"))
    assert report["codes"] == {"query": 0, "stats": 0, "export": 0, "serve": 200, "validate": 0}
    assert report["output"].startswith("n\r\n3\r\n")  # the query ran: three papers
    assert (tmp_path / "out.nt").stat().st_size > 0
    assert _loaded(report["modules"], _HEAVY) == []
    assert _loaded(report["before_validate"], ("starlette", "uvicorn"))  # the server ran
    # rdflib is for what parses graphs (validate), not for querying, exporting or serving.
    assert _loaded(report["before_validate"], ("rdflib",)) == []
    assert _loaded(report["modules"], ("rdflib",))
