"""Tests for kg.viz.views and kg.viz.export: what each view holds, its filters and cuts, the
entity lookup, and the file formats, over the small store of tests/viz/conftest.py."""

from __future__ import annotations

import json

import networkx as nx
import pytest

from kg.cli import VIEW_FORMATS, VIEW_NAMES, main
from kg.errors import ViewError
from kg.graph.store import GraphStore
from kg.viz import VIEWS, ViewFormat, build_view, view_html, write_view
from kg.viz.views import parse_years

from .conftest import HOSTILE_TITLE, entity_iri, paper_iri, small_graph


def labels(network: nx.Graph, kind: str | None = None) -> list[str]:
    return sorted(d["label"] for _, d in network.nodes(data=True) if kind in (None, d["kind"]))


def test_papers_view_holds_entities_their_papers_and_links(view_store) -> None:
    network = build_view(view_store, "papers")

    assert len(labels(network, "paper")) == 4
    assert labels(network, "dataset") == ["OwlSet", "OwlSet-9K"]
    gt = network.nodes[str(entity_iri("Gloom Transformer"))]
    assert gt["papers"] == 3
    assert gt["aliases"] == ["GT", "gloom transformers"]
    assert network.edges[str(paper_iri("a")), str(entity_iri("Gloom Transformer"))] == {
        "relation": "proposes",
        "weight": 1,
    }
    assert network.edges[str(entity_iri("OwlSet-9K")), str(entity_iri("OwlSet"))]["relation"] == (
        "broader"
    )
    assert network.graph["cuts"] == []
    assert network.number_of_edges() == 3 + 1 + 2 + 2 + 1 + 1


def test_entity_details_name_family_papers_evidence_and_results(view_store) -> None:
    network = build_view(view_store, "papers")

    nine_k = network.nodes[str(entity_iri("OwlSet-9K"))]
    assert nine_k["broader"] == ["OwlSet"]
    assert network.nodes[str(entity_iri("OwlSet"))]["narrower"] == ["OwlSet-9K"]
    # Newest paper first; the page of paper a is its foaf:page, b's is built from its arXiv id.
    assert nine_k["titles"] == ["Gloom Transformers for Owl Detection", "Counting Owls at Dusk"]
    assert nine_k["links"] == ["https://example.org/papers/a", "https://arxiv.org/abs/2301.00002"]
    # The surest mention (0.93, "take 1"), the first of those by IRI.
    assert nine_k["evidence"] == "In paper a we study OwlSet-9K closely (take 1)."
    assert nine_k["mention"] == "OwlSet-9K"
    assert nine_k["results"] == ["47.9% dusk accuracy on OwlSet-9K (Gloom Transformer)"]


def test_top_cuts_entities_and_papers_and_says_so(view_store) -> None:
    network = build_view(view_store, "papers", top=1)

    # Each paper names the one entity; ties go by IRI.
    assert labels(network) == ["Gloom Transformer", "Gloom Transformers for Owl Detection"]
    assert network.graph["cuts"] == [
        "1 of 6 entities shown (those named by most papers)",
        "1 of 3 papers shown (those naming most of the entities)",
    ]


def test_cooccurrence_weights_are_shared_papers(view_store) -> None:
    network = build_view(view_store, "cooccurrence")

    assert labels(network, "paper") == []
    gt, nine_k = str(entity_iri("Gloom Transformer")), str(entity_iri("OwlSet-9K"))
    assert network.edges[gt, nine_k] == {"relation": "named together", "weight": 2}
    assert network.edges[gt, str(entity_iri("dusk accuracy"))]["weight"] == 1
    assert str(entity_iri("Moth <Net>")) in network
    assert list(network.neighbors(str(entity_iri("Moth <Net>")))) == []


def test_landscape_links_tasks_datasets_and_methods_by_association(view_store) -> None:
    network = build_view(view_store, "landscape")

    assert labels(network, "metric") == []
    gt, owl = str(entity_iri("Gloom Transformer")), str(entity_iri("owl detection"))
    assert network.edges[gt, owl] == {"relation": "applied to", "weight": 2}
    nine_k = str(entity_iri("OwlSet-9K"))
    assert network.edges[nine_k, owl] == {"relation": "benchmark for", "weight": 1}
    assert network.edges[gt, nine_k]["relation"] == "evaluated on"


def test_entity_view_holds_papers_neighbours_family_and_results(view_store) -> None:
    network = build_view(view_store, "entity", entity="owlset-9k")

    assert network.graph["centre"] == str(entity_iri("OwlSet-9K"))
    assert labels(network, "paper") == [
        "Counting Owls at Dusk",
        "Gloom Transformers for Owl Detection",
    ]
    assert "OwlSet" in labels(network, "dataset")
    assert labels(network, "method") == ["Gloom Transformer"]
    assert labels(network, "result") == ["47.9% dusk accuracy on OwlSet-9K (Gloom Transformer)"]
    assert str(paper_iri("c")) not in network


def test_entity_view_finds_aliases_and_grows_with_depth(view_store) -> None:
    one = build_view(view_store, "entity", entity="GT")
    two = build_view(view_store, "entity", entity="OwlSet-9K", depth=2)

    assert one.graph["centre"] == str(entity_iri("Gloom Transformer"))
    assert len(labels(one, "paper")) == 3
    # Two steps from OwlSet-9K reach paper c through Gloom Transformer.
    assert str(paper_iri("c")) in two


def test_entity_view_finds_an_entity_by_its_iri(view_store) -> None:
    iri = str(entity_iri("Gloom Transformer"))
    by_iri = build_view(view_store, "entity", entity=iri)

    assert by_iri.graph["centre"] == iri
    assert sorted(by_iri.nodes) == sorted(build_view(view_store, "entity", entity="GT").nodes)
    with pytest.raises(ViewError, match="no entity is named"):
        build_view(view_store, "entity", entity=iri + "-nothing")


def test_entity_view_keeps_the_newest_papers_when_cut(view_store) -> None:
    network = build_view(view_store, "entity", entity="Gloom Transformer", top=2)

    assert labels(network, "paper") == [
        "Counting Owls at Dusk",
        "Gloom Transformers for Owl Detection",
    ]
    assert network.graph["cuts"][0] == (
        "2 of 3 papers shown (those naming most of the entities, newest first)"
    )


def test_unknown_entity_says_so_and_suggests_close_names(view_store) -> None:
    with pytest.raises(ViewError, match=r"no entity is named 'OwlSet9'; did you mean: OwlSet.*\?"):
        build_view(view_store, "entity", entity="OwlSet9")
    with pytest.raises(ViewError, match=r"^no entity is named 'zzzz'$"):
        build_view(view_store, "entity", entity="zzzz")


def test_filters_types_min_papers_and_years(view_store) -> None:
    methods = build_view(view_store, "cooccurrence", types=["method"])
    frequent = build_view(view_store, "cooccurrence", min_papers=2)
    recent = build_view(view_store, "papers", years=(2021, 2023))

    assert labels(methods) == ["Gloom Transformer", "Moth <Net>"]
    assert labels(frequent) == ["Gloom Transformer", "OwlSet", "OwlSet-9K", "owl detection"]
    assert labels(recent, "paper") == [
        "Counting Owls at Dusk",
        "Gloom Transformers for Owl Detection",
    ]
    # Within the years an entity counts only those years' papers.
    assert recent.nodes[str(entity_iri("Gloom Transformer"))]["papers"] == 2
    assert "Moth <Net>" not in labels(recent)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"view": "galaxy"}, "unknown view 'galaxy'"),
        ({"types": ["method", "owl"]}, "unknown entity type owl"),
        ({"min_papers": 0}, "--min-papers must be at least 1"),
        ({"top": 0}, "--top must be at least 1"),
        ({"years": (2023, 2020)}, "first year 2023 is after the last 2020"),
        ({"view": "entity"}, "needs an entity name"),
    ],
)
def test_bad_options_are_view_errors(view_store, options, message) -> None:
    with pytest.raises(ViewError, match=message):
        build_view(view_store, **options)


def test_years_may_be_one_year_or_text(view_store) -> None:
    assert labels(build_view(view_store, "papers", years=2021), "paper") == [
        "Counting Owls at Dusk"
    ]
    assert labels(build_view(view_store, "papers", years="2019-2020"), "paper") == [
        "Moths & Lanterns <Revisited>",
        HOSTILE_TITLE,
    ]


def test_a_store_written_again_gives_the_same_page(view_store, tmp_path) -> None:
    again = GraphStore(tmp_path / "again")
    again.replace(sorted(small_graph(), reverse=True))

    first = view_html(build_view(view_store, "entity", entity="GT"), title="Owls")
    second = view_html(build_view(again, "entity", entity="GT"), title="Owls")

    assert first == second
    assert "Gloom Transformer" in first


def test_parse_years() -> None:
    assert parse_years("2020") == (2020, 2020)
    assert parse_years("2019-2021") == (2019, 2021)
    with pytest.raises(ViewError, match="FROM-TO"):
        parse_years("last year")


@pytest.mark.parametrize("fmt", ["graphml", "gexf"])
def test_graphml_and_gexf_read_back_with_the_page_attributes(view_store, tmp_path, fmt) -> None:
    network = build_view(view_store, "papers")
    path = write_view(network, tmp_path / f"view.{fmt}", ViewFormat(fmt), title="Owls")
    back = nx.read_graphml(path) if fmt == "graphml" else nx.read_gexf(path)

    assert back.number_of_nodes() == network.number_of_nodes()
    assert back.number_of_edges() == network.number_of_edges()
    gt = back.nodes[str(entity_iri("Gloom Transformer"))]
    assert gt["label"] == "Gloom Transformer"
    assert (gt["kind"], int(gt["papers"]), gt["aliases"]) == (
        "method",
        3,
        "GT | gloom transformers",
    )
    assert back.nodes[str(paper_iri("c"))]["label"] == HOSTILE_TITLE


def test_json_is_node_link_data(view_store, tmp_path) -> None:
    network = build_view(view_store, "cooccurrence")
    path = write_view(network, tmp_path / "view.json", ViewFormat.JSON, title="Owls")
    data = json.loads(path.read_text(encoding="utf-8"))
    back = nx.node_link_graph(data, edges="edges")

    assert data["graph"]["title"] == "Owls"
    assert sorted(back.nodes) == sorted(network.nodes)
    assert back.nodes[str(entity_iri("Gloom Transformer"))]["aliases"] == [
        "GT",
        "gloom transformers",
    ]
    gt, nine_k = str(entity_iri("Gloom Transformer")), str(entity_iri("OwlSet-9K"))
    assert back.edges[gt, nine_k]["weight"] == 2


@pytest.mark.parametrize("fmt", list(ViewFormat))
def test_every_format_gives_the_same_bytes_twice(view_store, tmp_path, fmt) -> None:
    first = write_view(build_view(view_store, "papers"), tmp_path / "1", fmt, title="Owls")
    second = write_view(build_view(view_store, "papers"), tmp_path / "2", fmt, title="Owls")

    assert first.read_bytes() == second.read_bytes()


def test_page_shows_counts_and_cuts(view_store) -> None:
    page = view_html(build_view(view_store, "papers", top=1), title="Owls")

    assert '<p class="counts">1 paper · 1 entity · 1 link</p>' in page
    assert '<p class="cuts">1 of 6 entities shown (those named by most papers)</p>' in page


def test_cli_names_the_views_and_formats_of_kg_viz() -> None:
    assert VIEW_NAMES == VIEWS
    assert VIEW_FORMATS == tuple(f.value for f in ViewFormat)


def test_cli_writes_a_view_and_says_what_was_cut(view_store, tmp_path, capsys) -> None:
    out = tmp_path / "owls.gexf"
    code = main(
        ["viz", "--store", str(view_store.path), "--view", "cooccurrence", "--top", "3"]
        + ["--format", "gexf", "-o", str(out)]
    )

    assert code == 0
    assert capsys.readouterr().out.splitlines() == [
        f"wrote {out}: 3 nodes, 1 link",
        "  3 of 6 entities shown (those named by most papers)",
    ]
    assert nx.read_gexf(out).number_of_nodes() == 3


def test_cli_unknown_entity_is_an_error_with_suggestions(view_store, tmp_path, capsys) -> None:
    out = tmp_path / "never.html"
    code = main(
        ["viz", "--store", str(view_store.path), "--view", "entity", "Gloom Transformr"]
        + ["-o", str(out)]
    )

    assert code == 1
    assert capsys.readouterr().err == (
        "kg: error: no entity is named 'Gloom Transformr'; did you mean: Gloom Transformer, "
        "gloom transformers?\n"
    )
    assert not out.exists()


def test_cli_entity_view_needs_a_name(view_store, capsys) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["viz", "--store", str(view_store.path), "--view", "entity"])

    assert exit_info.value.code == 2
    assert "the entity view needs a name" in capsys.readouterr().err


def test_cli_depth_is_for_the_entity_view_only(view_store, capsys) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["viz", "--store", str(view_store.path), "--view", "papers", "--depth", "2"])

    assert exit_info.value.code == 2
    assert "--depth is for the entity view only" in capsys.readouterr().err
