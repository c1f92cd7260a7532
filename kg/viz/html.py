"""A self-contained, interactive HTML page of a paperkg graph, drawn with vis-network via pyvis.

The page loads nothing from the network: vis-network's script and style sheet are inlined.
"""

from __future__ import annotations

from collections import Counter
from importlib import resources
from pathlib import Path
from typing import Any

import networkx as nx
from rdflib import Graph

from kg.errors import KgError
from kg.viz.network import to_networkx

#: Node colours by kind; the legend lists them in this order.
KIND_COLOURS: dict[str, str] = {
    "paper": "#9aa5b1",
    "method": "#4e79a7",
    "dataset": "#f28e2b",
    "task": "#59a14f",
    "metric": "#e15759",
}
_EXTRA_COLOURS = ("#b07aa1", "#76b7b2", "#edc948", "#ff9da7", "#9c755f", "#bab0ac")
_KIND_NAMES = {"paper": "Paper", "entity": "Research entity"}

# The vis-network build that pyvis 0.3.x ships and its own templates use.
_VIS_DIRECTORY = ("lib", "vis-9.1.2")

# A fixed seed makes the initial layout, and so the drawing, the same on every open.
_LAYOUT_SEED = 7
# vis-network's improved layout gets slow and warns about clustering on large networks.
_IMPROVED_LAYOUT_MAX_NODES = 100

_PAGE_CSS = """
* { box-sizing: border-box; }
html, body { margin: 0; height: 100%; }
body { display: flex; flex-direction: column; color: #1f2933; background: #fff;
       font: 14px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
header { padding: 0.6rem 1rem; border-bottom: 1px solid #e4e7eb; }
h1 { margin: 0; font-size: 1.3rem; }
h2 { margin: 0 0 0.4rem; font-size: 0.95rem; }
.counts { margin: 0.15rem 0 0; color: #52606d; }
main { flex: 1; display: flex; min-height: 0; }
#network { flex: 1; min-width: 0; height: 100%; }
#legend { width: 12rem; padding: 0.8rem 1rem; border-left: 1px solid #e4e7eb; }
#legend ul { list-style: none; margin: 0; padding: 0; }
#legend li { display: flex; align-items: center; gap: 0.5rem; margin: 0.3rem 0; }
#legend .swatch { width: 0.9rem; height: 0.9rem; border-radius: 50%; flex: none;
                  border: 1px solid rgba(0, 0, 0, 0.25); }
#legend .count { margin-left: auto; color: #52606d; font-variant-numeric: tabular-nums; }
#legend .hint { margin-top: 1rem; color: #7b8794; font-size: 0.8rem; }
div.vis-tooltip { white-space: normal; max-width: 28rem; font-family: inherit; }
"""

_TEMPLATE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ title }}</title>
<style>{{ vis_css }}</style>
<style>{{ page_css }}</style>
<script>{{ vis_js }}</script>
</head>
<body>
<header>
<h1>{{ title }}</h1>
<p class="counts">{{ counts }}</p>
</header>
<main>
<div id="network"></div>
<aside id="legend">
<h2>Legend</h2>
<ul>
{%- for item in legend %}
<li data-kind="{{ item.kind }}"><span class="swatch" style="background-color: {{ item.colour }}">\
</span><span class="kind">{{ item.name }}</span><span class="count">{{ item.count }}</span></li>
{%- endfor %}
</ul>
<p class="hint">Hover a node for details; drag to move, scroll to zoom.</p>
</aside>
</main>
<script>
(function () {
  var nodes = new vis.DataSet({{ nodes|tojson }});
  var edges = new vis.DataSet({{ edges|tojson }});
  var container = document.getElementById("network");
  var network = new vis.Network(container, {nodes: nodes, edges: edges}, {{ options|tojson }});
  // Once laid out, the drawing holds still instead of drifting while it is read.
  network.once("stabilizationIterationsDone", function () {
    network.setOptions({physics: {enabled: false}});
  });
  window.network = network;
})();
</script>
</body>
</html>
"""


def write_html(
    graph: Graph, path: str | Path, *, title: str = "paperkg", max_entities: int | None = 300
) -> Path:
    """Write an interactive page of ``graph``'s papers and entities to ``path``; return the path.

    The page works offline and is the same for the same graph. Nodes are coloured by kind
    (see :data:`KIND_COLOURS`), hovering shows a paper's full title or an entity's details,
    and at most ``max_entities`` entities are drawn (see :func:`kg.viz.to_networkx`).
    """
    network = to_networkx(graph, max_entities=max_entities)
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(_render(network, title=title), encoding="utf-8", newline="\n")
    return target


def _render(network: nx.Graph, *, title: str) -> str:
    try:
        import jinja2
        from markupsafe import Markup
        from pyvis.network import Network
    except ImportError as err:
        raise KgError(
            "Drawing a graph needs pyvis; install it with: pip install 'pyvis>=0.3.2,<0.4'"
        ) from err

    colours = _colours(network)
    # Directed so pyvis keeps every edge (its undirected mode scans all edges per insert)
    # and vis-network draws the arrow from the subject of the RDF statement.
    view = Network(directed=True, cdn_resources="in_line")
    # Short page-local ids: the page needs no IRIs, and stays smaller without them.
    page_id = {node: f"n{i}" for i, node in enumerate(sorted(network.nodes))}
    for node_id, data in network.nodes(data=True):
        is_paper = data["kind"] == "paper"
        view.add_node(
            page_id[node_id],
            label=data["label"],
            title=data["title"],
            color=colours[data["kind"]],
            size=data["size"],
            font={"size": 11, "color": "#52606d"} if is_paper else {"size": 15},
        )
    for u, v, data in network.edges(data=True):
        source, target = (u, v) if data.get("source", u) == u else (v, u)
        view.add_edge(page_id[source], page_id[target], title=data["label"])
    nodes, edges, *_ = view.get_network_data()

    environment = jinja2.Environment(
        autoescape=True, undefined=jinja2.StrictUndefined, keep_trailing_newline=True
    )
    template = environment.from_string(_TEMPLATE)
    vis_js, vis_css = _vis_assets()
    return template.render(
        title=title,
        counts=_counts(network),
        legend=_legend(network, colours),
        nodes=nodes,
        edges=edges,
        options=_options(network.number_of_nodes()),
        vis_js=Markup(vis_js),
        vis_css=Markup(vis_css),
        page_css=Markup(_PAGE_CSS),
    )


def _vis_assets() -> tuple[str, str]:
    """vis-network's minified script and style sheet, read from the installed pyvis."""
    directory = resources.files("pyvis").joinpath(*_VIS_DIRECTORY)
    try:
        script = directory.joinpath("vis-network.min.js").read_text(encoding="utf-8")
        style = directory.joinpath("vis-network.css").read_text(encoding="utf-8")
    except FileNotFoundError as err:
        raise KgError(
            f"pyvis does not ship {'/'.join(_VIS_DIRECTORY)}; "
            "install a matching version with: pip install 'pyvis>=0.3.2,<0.4'"
        ) from err
    # Inlined text must not close its own element early.
    if "</script" in script.lower() or "</style" in style.lower():
        raise KgError("the vis-network files in pyvis cannot be inlined safely")
    return script, style


def _colours(network: nx.Graph) -> dict[str, str]:
    kinds = sorted({data["kind"] for _, data in network.nodes(data=True)} - set(KIND_COLOURS))
    extra = {kind: _EXTRA_COLOURS[i % len(_EXTRA_COLOURS)] for i, kind in enumerate(kinds)}
    return {**KIND_COLOURS, **extra}


def _legend(network: nx.Graph, colours: dict[str, str]) -> list[dict[str, Any]]:
    counts = Counter(data["kind"] for _, data in network.nodes(data=True))
    return [
        {
            "kind": kind,
            "name": _KIND_NAMES.get(kind, kind.capitalize()),
            "colour": colour,
            "count": counts[kind],
        }
        for kind, colour in colours.items()
    ]


def _counts(network: nx.Graph) -> str:
    papers = sum(1 for _, kind in network.nodes(data="kind") if kind == "paper")
    entities = network.number_of_nodes() - papers
    papers_total = network.graph.get("papers_total", papers)
    entities_total = network.graph.get("entities_total", entities)
    return " · ".join(
        [
            _shown(papers, papers_total, "paper", "papers"),
            _shown(entities, entities_total, "entity", "entities"),
            _shown(network.number_of_edges(), None, "link", "links"),
        ]
    )


def _shown(count: int, total: int | None, singular: str, plural: str) -> str:
    if total is not None and total != count:
        return f"{count} of {total} {plural if total != 1 else singular}"
    return f"{count} {singular if count == 1 else plural}"


def _options(node_count: int) -> dict[str, Any]:
    return {
        "layout": {
            "randomSeed": _LAYOUT_SEED,
            "improvedLayout": node_count <= _IMPROVED_LAYOUT_MAX_NODES,
        },
        "physics": {
            "solver": "forceAtlas2Based",
            "forceAtlas2Based": {
                "gravitationalConstant": -45,
                "springLength": 90,
                "springConstant": 0.06,
                "avoidOverlap": 0.4,
            },
            "stabilization": {"enabled": True, "iterations": 400, "fit": True},
        },
        "interaction": {"hover": True, "tooltipDelay": 120},
        "nodes": {"shape": "dot", "borderWidth": 1},
        "edges": {
            "color": {"color": "#c3c9d0", "highlight": "#3e4c59", "hover": "#7b8794"},
            "smooth": False,
            "arrows": {"to": {"enabled": True, "scaleFactor": 0.4}},
        },
    }
