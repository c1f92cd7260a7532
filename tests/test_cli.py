"""The ``kg`` command end to end on the bundled sample: exit codes and what it prints."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import RDF, Graph, Literal
from rdflib.namespace import DCTERMS

from kg.cli import main
from kg.graph.namespace import PKG
from kg.graph.store import GraphStore


@pytest.fixture(scope="module")
def built(tmp_path_factory, sample_path):
    store = tmp_path_factory.mktemp("cli") / "store"
    assert main(["build", str(sample_path), "--store", str(store)]) == 0
    return store


def test_build_prints_summary(tmp_path, sample_path, capsys):
    store = tmp_path / "store"
    assert main(["build", str(sample_path), "--store", str(store)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == f"built {store}"
    assert out[1] == "  papers: 6 (0 duplicates merged)"
    assert out[2] == "  extracted: 6 (0 from the cache)"
    assert [line.split(":")[0].strip() for line in out[3:]] == [
        "mentions",
        "results",
        "entities",
        "triples",
        "skipped records",
        "seconds",
    ]


def test_stats(built, capsys):
    assert main(["stats", "--store", str(built)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert "papers: 6" in out
    assert "papers linked to a method, dataset or task: 6 (100%)" in out


def test_query_formats(built, capsys):
    query = "SELECT (COUNT(?p) AS ?n) WHERE { ?p a pkg:Paper }"
    assert main(["query", query, "--store", str(built)]) == 0
    assert capsys.readouterr().out.splitlines() == ["n", "-", "6", "(1 row)"]
    assert main(["query", query, "--format", "csv", "--store", str(built)]) == 0
    assert capsys.readouterr().out.splitlines() == ["n", "6"]
    assert main(["query", query, "--format", "json", "--store", str(built)]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["results"]["bindings"][0]["n"]["value"] == "6"


def test_query_with_a_time_limit_answers_as_without(built, capsys):
    query = "SELECT (COUNT(?p) AS ?n) WHERE { ?p a pkg:Paper }"
    assert main(["query", query, "--timeout", "60", "--store", str(built)]) == 0
    assert capsys.readouterr().out.splitlines() == ["n", "-", "6", "(1 row)"]


def test_query_over_its_time_limit_is_stopped(built, capsys):
    # Every triple against every other, four times over: far more than a second on any graph.
    slow = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
    assert main(["query", slow, "--timeout", "0.5", "--store", str(built)]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert err == (
        "kg: error: the query did not finish within 0.5 s and was stopped; "
        "raise the limit with --timeout SECONDS\n"
    )


def test_query_from_file(built, tmp_path, capsys):
    path = tmp_path / "ask.rq"
    path.write_text('ASK { ?d a pkg:Dataset ; rdfs:label "ESC-50" }')
    assert main(["query", f"@{path}", "--store", str(built)]) == 0
    assert capsys.readouterr().out == "true\n"


def test_bad_query_is_an_error(built, capsys):
    assert main(["query", "SELEC nothing", "--store", str(built)]) == 1
    assert capsys.readouterr().err.startswith("kg: error: the query does not parse")


def test_export_formats(built, tmp_path, capsys):
    reference = None
    for fmt, parser in [("turtle", "turtle"), ("nt", "nt"), ("jsonld", "json-ld")]:
        out = tmp_path / f"g.{fmt}"
        assert main(["export", "-o", str(out), "--format", fmt, "--store", str(built)]) == 0
        graph = Graph().parse(out, format=parser)
        reference = reference or len(graph)
        assert len(graph) == reference > 500
    titles = {str(o) for o in graph.objects(None, None) if "Gated Audio" in str(o)}
    assert titles


def test_validate_ok(built, capsys):
    assert main(["validate", "--store", str(built)]) == 0
    assert capsys.readouterr().out.splitlines() == [f"{built}: conforms to the paperkg shapes"]


def test_validate_prints_the_report_and_exits_1_on_a_graph_that_does_not_conform(
    built, tmp_path, capsys
):
    graph = GraphStore(built).to_graph()
    paper = next(graph.subjects(RDF.type, PKG.Paper))
    graph.add((paper, DCTERMS.title, Literal("A second title")))  # shapes allow one title
    bad = GraphStore(tmp_path / "bad")
    bad.replace(graph)

    assert main(["validate", "--store", str(bad.path)]) == 1
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[:3] == ["Validation Report", "Conforms: False", "Results (1):"]
    assert f"Focus Node: <{paper}>" in out
    assert "Result Path: dcterms:title" in out
    assert lines[-1] == f"{bad.path}: 1 violation(s) of the paperkg shapes"


def test_viz_offline(built, tmp_path, capsys):
    out = tmp_path / "view.html"
    assert main(["viz", "-o", str(out), "--store", str(built)]) == 0
    html = out.read_text()
    assert "<script src" not in html and "bootstrap" not in html.lower()
    assert "Gated Audio Transformers" in html


def test_missing_store(tmp_path, capsys):
    assert main(["stats", "--store", str(tmp_path / "none")]) == 1
    err = capsys.readouterr().err
    assert "no paperkg store" in err and "kg build" in err


def test_unknown_format_keeps_store(built, tmp_path, capsys):
    before = (built / "current").resolve()
    bad = tmp_path / "papers.xyz"
    bad.write_text("nothing useful")
    assert main(["build", str(bad), "--store", str(built)]) == 1
    err = capsys.readouterr().err
    assert str(bad) in err and "Supported formats" in err
    assert (built / "current").resolve() == before
    assert main(["stats", "--store", str(built)]) == 0


def test_missing_input_file(tmp_path, capsys):
    assert main(["build", str(tmp_path / "absent.jsonl"), "--store", str(tmp_path / "s")]) == 1
    assert "absent.jsonl" in capsys.readouterr().err
    assert not (tmp_path / "s" / "current").exists()


def test_skipped_records_are_reported(tmp_path, capsys):
    src = tmp_path / "mixed.jsonl"
    src.write_text(
        '{"title": "A Good Paper", "abstract": "We study graph parsing on the Foo dataset."}\n'
        "{not json\n"
        '{"title": "No Abstract Here"}\n'
    )
    assert main(["build", str(src), "--store", str(tmp_path / "s")]) == 0
    captured = capsys.readouterr()
    assert "  skipped records: 2" in captured.out
    assert f"{src}:2" in captured.err and f"{src}:3" in captured.err


def test_usage_errors_exit_2(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["export", "--format", "rdfxml"])
    assert exit_info.value.code == 2


def test_help_lists_commands(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    for command in ("build", "export", "query", "viz", "validate", "stats"):
        assert command in out


KG_SCRIPT = Path(sys.executable).parent / "kg"


@pytest.mark.skipif(not KG_SCRIPT.exists(), reason="the kg console script is not installed here")
def test_console_script(sample_path, tmp_path):
    result = subprocess.run(
        [str(KG_SCRIPT), "build", str(sample_path), "--store", str(tmp_path / "s")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "papers: 6" in result.stdout
