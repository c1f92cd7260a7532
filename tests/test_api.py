"""kg.open: SPARQL answers as typed DataFrames, entities, papers and views, without spaCy."""

from __future__ import annotations

import datetime as dt
import html

import pytest

pd = pytest.importorskip("pandas", reason="install the notebooks extra: pip install '.[test]'")

import kg  # noqa: E402
from kg.api import EntityFacts, EntityProfile, KnowledgeGraph, ViewPage  # noqa: E402
from kg.build import build  # noqa: E402
from kg.errors import KgError, QueryError, StoreError, UnknownEntityError  # noqa: E402
from kg.graph.store import GraphStore  # noqa: E402
from kg.viz import build_view, view_html  # noqa: E402


@pytest.fixture(scope="module")
def store_path(tmp_path_factory, sample_path):
    path = tmp_path_factory.mktemp("api") / "store"
    build([sample_path], GraphStore(path), extractor="rules")
    return path


@pytest.fixture(scope="module")
def graph(store_path) -> KnowledgeGraph:
    return kg.open(store_path)


def test_open_without_a_store_says_what_to_do(tmp_path):
    with pytest.raises(StoreError, match="run `kg build INPUT"):
        kg.open(tmp_path / "nothing")


def test_query_types_columns_by_their_values(graph):
    frame = graph.query(
        """
        SELECT ?id ?year ?n ?share ?flag ?day ?moment ?iri ?missing WHERE {
          ?p a pkg:Paper ; dcterms:identifier ?id ; dcterms:date ?year .
          { SELECT (COUNT(?m) AS ?n) WHERE { ?m a pkg:Mention } }
          BIND(0.5 AS ?share) BIND(true AS ?flag) BIND(STR(?p) AS ?iriText)
          BIND(IRI(?iriText) AS ?iri)
          BIND("2024-05-01"^^xsd:date AS ?day)
          BIND("2024-05-01T12:30:00"^^xsd:dateTime AS ?moment)
          OPTIONAL { ?p pkg:noSuchProperty ?missing }
        } ORDER BY ?id
        """
    )
    assert list(frame.columns) == [
        "id", "year", "n", "share", "flag", "day", "moment", "iri", "missing",
    ]  # fmt: skip
    assert len(frame) == 6
    assert frame["id"].tolist() == [f"sample:{i}" for i in range(1, 7)]
    assert str(frame["year"].dtype) == "int64"
    assert set(frame["year"]) <= set(range(2023, 2026))
    assert str(frame["n"].dtype) == "int64" and frame["n"].iloc[0] > 0
    assert str(frame["share"].dtype) == "float64"
    assert str(frame["flag"].dtype) == "boolean" and frame["flag"].all()
    assert pd.api.types.is_datetime64_any_dtype(frame["day"])
    assert frame["day"].iloc[0] == pd.Timestamp(dt.date(2024, 5, 1))
    assert frame["moment"].iloc[0] == pd.Timestamp("2024-05-01T12:30:00")
    assert frame["iri"].iloc[0].startswith("https://w3id.org/paperkg/resource/paper/")
    assert frame["missing"].isna().all()


def test_query_makes_integers_nullable_only_where_some_are_missing(graph):
    frame = graph.query(
        "SELECT ?id ?start WHERE { ?p a pkg:Paper ; dcterms:identifier ?id . "
        "OPTIONAL { ?m pkg:inPaper ?p ; pkg:start ?start FILTER(?id = 'sample:1') } } "
        "ORDER BY ?id"
    )
    assert str(frame["start"].dtype) == "Int64"
    assert frame["start"].notna().any() and frame["start"].isna().any()


def test_query_binds_variables_and_reads_query_files(graph, tmp_path):
    rq = tmp_path / "scores.rq"
    rq.write_text(
        "SELECT ?metric ?value WHERE { ?r a pkg:Score ; pkg:onDataset/rdfs:label ?dataset ; "
        "pkg:inMetric/rdfs:label ?metric ; pkg:value ?value } ORDER BY ?metric",
        encoding="utf-8",
    )
    audioset = graph.query(f"@{rq}", dataset="AudioSet")
    assert audioset.to_dict("records") == [{"metric": "mAP", "value": 47.9}]
    assert graph.query(f"@{rq}", dataset="no such dataset").empty
    assert list(graph.query(f"@{rq}", dataset="no such dataset").columns) == ["metric", "value"]


def test_query_refuses_what_it_cannot_bind_or_run(graph):
    with pytest.raises(TypeError, match="bind year= takes a string"):
        graph.query("SELECT ?p WHERE { ?p dcterms:date ?year }", year=2024)  # type: ignore[arg-type]
    with pytest.raises(QueryError, match="does not parse"):
        graph.query("SELECT WHERE {")
    with pytest.raises(QueryError, match="needs a SELECT query"):
        graph.query("ASK { ?s ?p ?o }")


def test_entities_lists_every_entity_with_its_counts(graph):
    entities = graph.entities()
    assert list(entities.columns) == [
        "label", "type", "papers", "mentions", "aliases", "broader", "iri",
    ]  # fmt: skip
    counted = graph.query(
        "SELECT (COUNT(DISTINCT ?e) AS ?n) WHERE { "
        "VALUES ?class { pkg:Method pkg:Dataset pkg:Task pkg:Metric } ?e a ?class }"
    )
    assert len(entities) == counted["n"].iloc[0] == entities["iri"].nunique()
    assert set(entities["type"]) == {"Method", "Dataset", "Task", "Metric"}
    assert entities["papers"].is_monotonic_decreasing
    gat = entities[entities["label"] == "Gated Audio Transformer"].iloc[0]
    assert gat["type"] == "Method"
    assert gat["aliases"] == ["GAT", "Gated Audio Transformers"]
    voxceleb1 = entities[entities["label"] == "VoxCeleb1"].iloc[0]
    assert voxceleb1["broader"] == "VoxCeleb"


@pytest.mark.parametrize("name", ["dataset", "Dataset", "datasets", " DATASETS "])
def test_entities_keeps_one_type(graph, name):
    datasets = graph.entities(type=name)
    assert set(datasets["type"]) == {"Dataset"}
    assert len(datasets) == (graph.entities()["type"] == "Dataset").sum()


def test_entities_refuses_an_unknown_type(graph):
    with pytest.raises(ValueError, match="choose one of Method, Dataset, Task, Metric"):
        graph.entities(type="model")


def test_papers(graph):
    papers = graph.papers()
    assert list(papers.columns) == [
        "id", "title", "year", "venue", "entities", "results", "iri",
    ]  # fmt: skip
    assert sorted(papers["id"]) == [f"sample:{i}" for i in range(1, 7)]
    assert papers["year"].is_monotonic_increasing
    assert (papers["entities"] > 0).all()
    scored = papers.set_index("id")["results"]
    assert scored["sample:1"] == 2


@pytest.mark.parametrize(
    "name", ["GAT", "gat", "Gated Audio Transformer", "gated audio transformers"]
)
def test_entity_by_label_or_alias_in_any_case(graph, name):
    gat = graph.entity(name)
    assert isinstance(gat, EntityProfile)
    assert (gat.label, gat.type) == ("Gated Audio Transformer", "Method")
    assert gat.aliases == ("GAT", "Gated Audio Transformers")
    assert gat.papers[["paper", "roles"]].to_dict("records") == [
        {"paper": "sample:1", "roles": "proposes"}
    ]
    # Every evidence sentence holds the words it is evidence for.
    assert len(gat.evidence) == gat.mention_count == 5
    for exact, sentence in zip(gat.evidence["exact"], gat.evidence["sentence"], strict=True):
        assert exact in sentence
    assert gat.results[["dataset", "metric", "value", "unit"]].to_dict("records") == [
        {"dataset": "AudioSet", "metric": "mAP", "value": 47.9, "unit": "%"},
        {"dataset": "ESC-50", "metric": "accuracy", "value": 95.2, "unit": "%"},
    ]
    evaluated = gat.links[gat.links["relation"] == "evaluatedOn"]
    assert set(evaluated["other"]) == {"AudioSet", "ESC-50"}
    assert set(evaluated["direction"]) == {"to"}


def test_entity_by_iri_and_its_family(graph):
    iri = graph.entity("VoxCeleb").iri
    voxceleb = graph.entity(iri)
    assert voxceleb.label == "VoxCeleb"
    assert voxceleb.narrower == ("VoxCeleb1", "VoxCeleb2")
    assert graph.entity("VoxCeleb1").broader == "VoxCeleb"
    # The family counts its members' papers though no paper names it.
    assert voxceleb.paper_count == 1 and voxceleb.papers.empty


def test_entity_facts_are_the_profile_without_pandas(graph):
    profile, facts = graph.entity("gat"), graph.entity_facts("gat")
    assert isinstance(facts, EntityFacts)
    assert (facts.iri, facts.label, facts.aliases, facts.mention_count) == (
        profile.iri,
        profile.label,
        profile.aliases,
        profile.mention_count,
    )
    for table in ("papers", "evidence", "results", "links"):
        frame = getattr(profile, table)
        assert [list(row) for row in (r.values() for r in getattr(facts, table))] == [
            [None if value != value else value for value in row]  # NaN is None here
            for row in frame.astype(object).itertuples(index=False)
        ]
    assert repr(facts) == repr(profile)
    rows = graph.records(
        "SELECT ?id ?year WHERE { ?p dcterms:identifier ?id ; dcterms:date ?year }", id="sample:1"
    )
    assert rows == [{"id": "sample:1", "year": 2024}]


def test_unknown_entity_suggests_close_names(graph):
    with pytest.raises(UnknownEntityError) as caught:
        graph.entity("Audioset-2")
    assert caught.value.suggestions[0] == "AudioSet"
    assert str(caught.value).startswith("no entity is named 'Audioset-2'; did you mean 'AudioSet'")
    assert isinstance(caught.value, LookupError)
    with pytest.raises(UnknownEntityError, match="list the names with entities()"):
        graph.entity("qqqqqqqq")


def test_to_networkx_is_build_view(graph, store_path):
    network = graph.to_networkx(top=5)
    same = build_view(GraphStore(store_path), "papers", top=5)
    assert sorted(network.nodes) == sorted(same.nodes)
    kinds = [kind for _, kind in network.nodes(data="kind")]
    assert sum(kind != "paper" for kind in kinds) == 5
    assert "paper" in kinds
    with pytest.raises(KgError, match="unknown view 'nope'; choose one of"):
        graph.to_networkx("nope")


def test_page_is_the_view_in_an_iframe(graph, store_path, tmp_path):
    page = graph.page(top=5, title="Sample <graph>", height=420)
    assert isinstance(page, ViewPage)
    expected = view_html(
        build_view(GraphStore(store_path), "papers", top=5), title="Sample <graph>"
    )
    assert page.html == expected
    frame = page._repr_html_()
    assert frame.startswith('<iframe srcdoc="') and "height: 420px" in frame
    srcdoc = frame[len('<iframe srcdoc="') : frame.index('" style=')]
    assert '"' not in srcdoc and "<" not in srcdoc  # escaped, so the attribute holds the page
    assert html.unescape(srcdoc) == expected
    saved = page.save(tmp_path / "view.html")
    assert saved.read_text(encoding="utf-8") == expected


def test_show_displays_the_page(graph, monkeypatch):
    display = pytest.importorskip("IPython.display", reason="install the notebooks extra")
    shown = []
    monkeypatch.setattr(display, "display", lambda *objects: shown.extend(objects))
    assert graph.show(top=3) is None
    assert len(shown) == 1 and isinstance(shown[0], ViewPage)
    assert "<title>paperkg: papers</title>" in shown[0].html


_READ_WITHOUT_SPACY = """
import json, sys
import kg
after_import = sorted(sys.modules)
frame = kg.open(sys.argv[1]).query("SELECT (COUNT(?p) AS ?n) WHERE { ?p a pkg:Paper }")
print(json.dumps({"n": int(frame["n"].iloc[0]), "after_import": after_import,
                  "modules": sorted(sys.modules)}))
"""


def _loaded(modules, roots):
    return [m for m in modules if any(m == r or m.startswith(r + ".") for r in roots)]


def test_open_and_query_never_import_spacy(store_path, run_fresh):
    report = run_fresh(_READ_WITHOUT_SPACY, str(store_path))
    assert report["n"] == 6
    assert _loaded(report["modules"], ("spacy", "thinc", "kg.nlp", "kg.build")) == []
    assert "pandas" in report["modules"]
    # Importing kg alone loads none of its stages and no third-party package.
    assert _loaded(report["after_import"], ("pandas", "pyoxigraph", "rdflib", "kg.api")) == []
