"""The interactive page of a view: vis-network from the installed pyvis, laid out in Python.

The page loads nothing from the network, holds still (no physics), and is the same bytes for
the same view: positions come from a seeded layout and every list is in a fixed order.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from importlib import resources
from typing import Any

import networkx as nx

from kg.errors import KgError

#: Node colours by kind; the legend lists them in this order.
KIND_COLOURS: dict[str, str] = {
    "paper": "#9aa5b1",
    "method": "#4e79a7",
    "dataset": "#f28e2b",
    "task": "#59a14f",
    "metric": "#e15759",
    "result": "#b07aa1",
}
_EXTRA_COLOURS = ("#76b7b2", "#edc948", "#ff9da7", "#9c755f", "#bab0ac")
_KIND_NAMES = {"paper": "Paper", "entity": "Research entity"}
_PLURALS = {"paper": "papers", "entity": "entities", "result": "results"}

# The vis-network build that pyvis 0.3.x ships and its own templates use.
_VIS_DIRECTORY = ("lib", "vis-9.1.2")
#: The seed of the layout: the same view is drawn the same way every time.
LAYOUT_SEED = 7
#: Nodes laid out by the force model; the rest are placed beside their neighbours.
LAYOUT_CORE = 400
#: How many of the largest nodes carry a label on the canvas (every node has one on hover).
LABELLED_NODES = 60
#: The radius of a paper or result, and of the view's least and most named entities.
SMALLEST_SIZE = 8.0
LARGEST_SIZE = 40.0
# Above this many nodes, edges are hidden while dragging or zooming, to keep it responsive.
_LARGE = 1000

_PAGE_CSS = """
* { box-sizing: border-box; }
html, body { margin: 0; height: 100%; }
body { display: flex; flex-direction: column; color: #1f2933; background: #fff;
       font: 14px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
header { padding: 0.5rem 1rem; border-bottom: 1px solid #e4e7eb; }
h1 { margin: 0; font-size: 1.3rem; }
h2 { margin: 0 0 0.4rem; font-size: 1rem; }
h3 { margin: 0.8rem 0 0.2rem; font-size: 0.85rem; color: #52606d; }
.counts, .cuts { margin: 0.15rem 0 0; color: #52606d; }
main { flex: 1; display: flex; min-height: 0; }
#network { flex: 1; min-width: 0; height: 100%; }
aside { width: 20rem; padding: 0.8rem 1rem; border-left: 1px solid #e4e7eb; overflow-y: auto; }
#search { width: 100%; padding: 0.3rem 0.4rem; font: inherit; }
#found { list-style: none; margin: 0.3rem 0; padding: 0; }
button.node { border: 0; background: none; padding: 0; color: #2160a0; cursor: pointer;
              font: inherit; text-align: left; }
/* A block, so that a list's bullet sits by the first line of a name that wraps. */
li > button.node { display: block; }
#legend ul { list-style: none; margin: 0; padding: 0; }
#legend li { margin: 0.25rem 0; }
#legend label { display: flex; align-items: center; gap: 0.5rem; cursor: pointer; }
#legend .swatch { width: 0.9rem; height: 0.9rem; border-radius: 50%; flex: none;
                  border: 1px solid rgba(0, 0, 0, 0.25); }
#legend .count { margin-left: auto; color: #52606d; font-variant-numeric: tabular-nums; }
#panel { margin-top: 1rem; border-top: 1px solid #e4e7eb; }
#panel ul { margin: 0; padding-left: 1.1rem; }
#panel blockquote { margin: 0; padding-left: 0.6rem; border-left: 3px solid #e4e7eb; }
mark { background: #fde68a; }
.hint { color: #7b8794; font-size: 0.8rem; }
div.vis-tooltip { white-space: normal; max-width: 28rem; font-family: inherit; }
"""

_SCRIPT = r"""
(function () {
  var data = JSON.parse(document.getElementById("paperkg-data").textContent);
  var details = data.details;
  var nodes = new vis.DataSet(data.nodes);
  var edges = new vis.DataSet(data.edges);
  var network = new vis.Network(document.getElementById("network"),
                                {nodes: nodes, edges: edges}, data.options);
  window.network = network;
  // Labels keep one size on screen at any zoom, so they can be read when the view is fitted.
  var labelSize = 0;
  function relabel() {
    var size = Math.round(14 / network.getScale());
    if (size === labelSize) return;
    labelSize = size;
    nodes.update(data.labelled.map(function (id) { return {id: id, font: {size: size}}; }));
  }
  network.on("zoom", relabel);
  network.once("afterDrawing", function () {
    relabel();
    // An entity's view opens on that entity's details.
    if (data.centre !== null) {
      network.selectNodes([data.centre]);
      show(data.centre);
    }
    window.paperkgReady = true;
  });
  var hidden = {};
  var panel = document.getElementById("panel");

  function add(parent, tag, text) {
    var element = document.createElement(tag);
    if (text !== undefined) element.textContent = text;
    parent.appendChild(element);
    return element;
  }
  function nodeButton(parent, id) {
    var button = add(parent, "button", details[id].label);
    button.className = "node";
    button.addEventListener("click", function () { focus(id); });
    return button;
  }
  function section(title, items, fill) {
    if (!items || !items.length) return;
    add(panel, "h3", title);
    var list = add(panel, "ul");
    items.forEach(function (item) { fill(add(list, "li"), item); });
  }
  function link(parent, text, url) {
    if (/^https?:\/\//.test(url || "")) {
      var anchor = add(parent, "a", text);
      anchor.href = url;
      anchor.target = "_blank";
      anchor.rel = "noopener";
    } else {
      parent.appendChild(document.createTextNode(text));
    }
  }
  function show(id) {
    var d = details[id];
    panel.replaceChildren();
    add(panel, "h2", d.label);
    var facts = [d.type];
    if (d.papers !== undefined) facts.push(d.papers + (d.papers === 1 ? " paper" : " papers"));
    if (d.year) facts.push(String(d.year));
    if (d.identifier) facts.push(d.identifier);
    add(panel, "p", facts.join(" · ")).className = "facts";
    if (d.url) link(add(panel, "p"), "open the paper", d.url);
    if (d.aliases && d.aliases.length) add(panel, "p", "Also: " + d.aliases.join(", "));
    if (d.broader && d.broader.length) add(panel, "p", "Family: under " + d.broader.join(", "));
    if (d.narrower && d.narrower.length) add(panel, "p", "Family: " + d.narrower.join(", "));
    if (d.evidence) {
      add(panel, "h3", "Evidence");
      var quote = add(panel, "blockquote");
      var at = d.mention ? d.evidence.indexOf(d.mention) : -1;
      if (at < 0) {
        quote.textContent = d.evidence;
      } else {
        quote.appendChild(document.createTextNode(d.evidence.slice(0, at)));
        add(quote, "mark", d.mention);
        quote.appendChild(document.createTextNode(d.evidence.slice(at + d.mention.length)));
      }
    }
    section("Papers", d.p, function (li, index) {
      var paper = data.papers[index];
      link(li, paper[0], paper[1]);
    });
    section("Results", d.results, function (li, text) { li.textContent = text; });
    var linked = network.getConnectedNodes(id).filter(function (other) {
      return !hidden[details[other].kind];
    }).sort(function (a, b) { return data.order[a] - data.order[b]; });
    section("Linked here", linked.slice(0, 30), nodeButton);
    panel.hidden = false;
  }
  function focus(id) {
    network.selectNodes([id]);
    network.focus(id, {scale: Math.max(network.getScale(), 1), animation: false});
    relabel();
    show(id);
  }
  network.on("click", function (params) {
    if (params.nodes.length) show(params.nodes[0]); else panel.hidden = true;
  });

  var search = document.getElementById("search");
  var found = document.getElementById("found");
  var byOrder = details.map(function (_, id) { return id; })
    .sort(function (a, b) { return data.order[a] - data.order[b]; });
  function matches(query) {
    var hits = [];
    for (var i = 0; i < byOrder.length && hits.length < 15; i++) {
      var d = details[byOrder[i]];
      if (hidden[d.kind]) continue;
      var names = [d.label].concat(d.aliases || []);
      if (names.some(function (name) { return name.toLowerCase().indexOf(query) >= 0; })) {
        hits.push(byOrder[i]);
      }
    }
    return hits;
  }
  search.addEventListener("input", function () {
    found.replaceChildren();
    var query = search.value.trim().toLowerCase();
    if (!query) return;
    var hits = matches(query);
    if (!hits.length) add(found, "li", "no match").className = "hint";
    hits.forEach(function (id) { nodeButton(add(found, "li"), id); });
  });
  search.addEventListener("keydown", function (event) {
    if (event.key !== "Enter") return;
    var hits = matches(search.value.trim().toLowerCase());
    if (hits.length) focus(hits[0]);
  });

  document.querySelectorAll("#legend input").forEach(function (box) {
    box.addEventListener("change", function () {
      hidden[box.value] = !box.checked;
      var changes = [];
      details.forEach(function (d, id) {
        if (d.kind === box.value) changes.push({id: id, hidden: !box.checked});
      });
      nodes.update(changes);
    });
  });
})();
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
{%- for cut in cuts %}
<p class="cuts">{{ cut }}</p>
{%- endfor %}
</header>
<main>
<div id="network"></div>
<aside>
<input id="search" type="search" placeholder="Find a node by name" aria-label="Find a node">
<ul id="found"></ul>
<section id="legend">
<ul>
{%- for item in legend %}
<li data-kind="{{ item.kind }}"><label><input type="checkbox" value="{{ item.kind }}" checked>\
<span class="swatch" style="background-color: {{ item.colour }}"></span>\
<span class="kind">{{ item.name }}</span><span class="count">{{ item.count }}</span></label></li>
{%- endfor %}
</ul>
<p class="hint">Size shows papers. Click a node for its details; drag to move, scroll to zoom.</p>
</section>
<section id="panel" hidden></section>
</aside>
</main>
<script type="application/json" id="paperkg-data">{{ data }}</script>
<script>{{ script }}</script>
</body>
</html>
"""


def view_html(network: nx.Graph, *, title: str) -> str:
    """The whole page of ``network`` (a view of :func:`kg.viz.build_view`) as a string.

    Nodes are coloured by kind with a legend whose boxes hide a kind, sized by papers, laid
    out by :func:`layout`; the largest carry labels. A search box finds nodes by name or
    alias, and a click shows a node's details. Opens offline; the same graph gives the same
    page.
    """
    try:
        import jinja2
        from markupsafe import Markup
    except ImportError as err:  # pragma: no cover - jinja2 is a dependency
        raise KgError("Drawing a graph needs jinja2; install it with: pip install jinja2") from err

    order = sorted(network.nodes)
    index = {node: i for i, node in enumerate(order)}
    colours = _colours(network)
    positions = layout(network)
    most = max((int(network.nodes[n].get("papers") or 0) for n in order), default=0)
    sizes = {node: node_size(network.nodes[node], most) for node in order}
    by_size = sorted(order, key=lambda n: (-sizes[n], n))
    labelled = set(by_size[:LABELLED_NODES]) | ({network.graph.get("centre")} & set(order))
    rank = {node: i for i, node in enumerate(by_size)}

    papers: dict[tuple[str, str], int] = {}
    nodes: list[dict[str, Any]] = []
    details: list[dict[str, Any]] = []
    for node in order:
        data = network.nodes[node]
        kind = str(data.get("kind", "entity"))
        x, y = positions[node]
        item: dict[str, Any] = {
            "id": index[node],
            "x": x,
            "y": y,
            "size": sizes[node],
            "color": colours[kind],
            "title": _hover(data, kind),
        }
        if node in labelled:
            item["label"] = _short(str(data.get("label", "")))
        nodes.append(item)
        details.append(_details(data, kind, papers))
    edges = []
    for u, v, data in sorted(
        network.edges(data=True), key=lambda e: sorted((index[e[0]], index[e[1]]))
    ):
        a, b = sorted((index[u], index[v]))
        edge: dict[str, Any] = {"from": a, "to": b}
        weight = int(data.get("weight", 1) or 1)
        if weight > 1:
            edge["width"] = round(min(1 + math.log2(weight), 8), 1)
        if data.get("relation"):
            edge["title"] = str(data["relation"]) + (f" · {weight} papers" if weight > 1 else "")
        edges.append(edge)
    page_data = {
        "nodes": nodes,
        "edges": edges,
        "details": details,
        "papers": [list(key) for key in papers],
        "order": [rank[node] for node in order],
        "labelled": sorted(index[node] for node in labelled),
        "centre": index.get(network.graph.get("centre")),
        "options": _options(len(order)),
    }
    environment = jinja2.Environment(
        autoescape=True, undefined=jinja2.StrictUndefined, keep_trailing_newline=True
    )
    vis_js, vis_css = _vis_assets()
    return environment.from_string(_TEMPLATE).render(
        title=title,
        counts=_counts(network),
        cuts=list(network.graph.get("cuts", [])),
        legend=_legend(network, colours),
        data=Markup(_json(page_data)),
        script=Markup(_SCRIPT),
        vis_js=Markup(vis_js),
        vis_css=Markup(vis_css),
        page_css=Markup(_PAGE_CSS),
    )


# Up to this many nodes the force model lays out the whole view (networkx needs scipy beyond).
_WHOLE_LAYOUT = 500


def layout(network: nx.Graph, *, seed: int = LAYOUT_SEED) -> dict[Any, tuple[float, float]]:
    """Canvas positions: the force model of networkx over the :data:`LAYOUT_CORE` best linked
    nodes, then every other node beside the nodes it links to, ring by ring.

    A force layout of all nodes costs the square of their number per step (networkx's needs
    scipy beyond 500 nodes); this one costs a few seconds at most for any size.
    """
    import numpy as np

    if network.number_of_nodes() == 0:
        return {}
    degree = dict(network.degree())
    ranked = sorted(network.nodes, key=lambda n: (-degree[n], str(n)))
    core_graph = network.subgraph(ranked[:LAYOUT_CORE])
    # The force model pushes parts that do not link apart and shrinks the rest to fit: lay out
    # the largest linked part, and place other nodes beside their neighbours or around it.
    core = min(nx.connected_components(core_graph), key=lambda c: (-len(c), min(map(str, c))))
    subgraph = nx.Graph()
    subgraph.add_nodes_from(sorted(core, key=str))
    subgraph.add_edges_from(
        sorted(core_graph.subgraph(core).edges(), key=lambda e: sorted(map(str, e)))
    )
    if network.number_of_nodes() <= _WHOLE_LAYOUT:
        # Small enough to lay out whole, parts that do not link to the rest included.
        subgraph = nx.Graph()
        subgraph.add_nodes_from(ranked)
        subgraph.add_edges_from(sorted(network.edges(), key=lambda e: sorted(map(str, e))))
    placed: dict[Any, Any] = nx.spring_layout(subgraph, seed=seed, iterations=80, weight=None)
    rng = np.random.default_rng(seed)
    spread = 1.0 / math.sqrt(len(core))
    waiting = [n for n in ranked if n not in placed]
    while waiting:
        progress = False
        later = []
        for node in waiting:
            anchors = [placed[m] for m in sorted(network[node], key=str) if m in placed]
            if not anchors:
                later.append(node)
                continue
            angle = rng.uniform(0, 2 * math.pi)
            radius = spread * rng.uniform(0.3, 1.0)
            centre = np.mean(anchors, axis=0)
            placed[node] = centre + radius * np.array([math.cos(angle), math.sin(angle)])
            progress = True
        if not progress:
            break
        waiting = later
    _even_out(placed)
    # What links to nothing drawn goes on a spiral around the rest.
    extent = max((float(np.abs(p).max()) for p in placed.values()), default=0.0) + spread
    for i, node in enumerate(waiting):
        angle = i * 2.399963  # the golden angle spreads the spiral evenly
        radius = extent + spread * math.sqrt(i + 1)
        placed[node] = np.array([radius * math.cos(angle), radius * math.sin(angle)])
    scale = 100.0 * math.sqrt(network.number_of_nodes())
    return {
        node: (round(float(placed[node][0]) * scale, 1), round(float(placed[node][1]) * scale, 1))
        for node in network.nodes
    }


def _even_out(placed: dict[Any, Any]) -> None:
    """Spread the drawn nodes evenly over a disc, keeping each one's direction from the centre
    and the order of their distances: a force layout packs the well linked nodes, whose labels
    are drawn, into a knot in the middle and leaves the edge to a few leaves."""
    import numpy as np

    if len(placed) < 3:
        return
    nodes = sorted(placed, key=str)
    points = np.array([placed[n] for n in nodes], dtype=float)
    offsets = points - points.mean(axis=0)
    radii = np.hypot(offsets[:, 0], offsets[:, 1])
    order = np.argsort(radii, kind="stable")
    even = np.empty(len(nodes))
    even[order] = np.sqrt((np.arange(len(nodes)) + 0.5) / len(nodes))
    scale = np.divide(even, radii, out=np.zeros_like(even), where=radii > 0)
    for node, offset, factor in zip(nodes, offsets, scale, strict=True):
        placed[node] = offset * factor


def node_size(data: dict[str, Any], most: int) -> float:
    """A node's drawn radius: its area grows with its papers, up to :data:`LARGEST_SIZE` for
    the most named node of the view."""
    papers = data.get("papers")
    if papers is None or most <= 0:
        return SMALLEST_SIZE
    share = math.sqrt(max(int(papers), 0) / most)
    return round(SMALLEST_SIZE + (LARGEST_SIZE - SMALLEST_SIZE) * share, 1)


def _details(data: dict[str, Any], kind: str, papers: dict[tuple[str, str], int]) -> dict:
    found: dict[str, Any] = {
        "kind": kind,
        "label": str(data.get("label", "")),
        "type": _KIND_NAMES.get(kind, kind.capitalize()),
    }
    for key in ("papers", "year", "identifier", "url", "evidence", "mention"):
        if data.get(key) not in (None, ""):
            found[key] = data[key]
    for key in ("aliases", "broader", "narrower", "results"):
        if data.get(key):
            found[key] = list(data[key])
    titles, links = list(data.get("titles") or []), list(data.get("links") or [])
    if titles:
        refs = []
        for title, url in zip(titles, links + [""] * (len(titles) - len(links)), strict=True):
            refs.append(papers.setdefault((str(title), str(url)), len(papers)))
        found["p"] = refs
    return found


def _hover(data: dict[str, Any], kind: str) -> str:
    parts = [str(data.get("label", "")), _KIND_NAMES.get(kind, kind.capitalize())]
    if data.get("papers") is not None:
        count = int(data["papers"])
        parts.append(f"{count} paper{'s' if count != 1 else ''}")
    if data.get("year"):
        parts.append(str(data["year"]))
    return " · ".join(parts)


def _short(text: str, length: int = 40) -> str:
    text = " ".join(text.split())
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"


def _json(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    # Inside a script element nothing may look like a closing tag or a comment.
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _vis_assets() -> tuple[str, str]:
    """vis-network's minified script and style sheet, read from the installed pyvis."""
    directory = resources.files("pyvis").joinpath(*_VIS_DIRECTORY)
    try:
        script = directory.joinpath("vis-network.min.js").read_text(encoding="utf-8")
        style = directory.joinpath("vis-network.css").read_text(encoding="utf-8")
    except (FileNotFoundError, ModuleNotFoundError) as err:
        raise KgError(
            f"pyvis does not ship {'/'.join(_VIS_DIRECTORY)}; "
            "install a matching version with: pip install 'pyvis>=0.3.2,<0.4'"
        ) from err
    # Inlined text must not close its own element early.
    if "</script" in script.lower() or "</style" in style.lower():
        raise KgError("the vis-network files in pyvis cannot be inlined safely")
    return script, style


def _colours(network: nx.Graph) -> dict[str, str]:
    kinds = sorted({str(k) for _, k in network.nodes(data="kind", default="entity")})
    extra = [k for k in kinds if k not in KIND_COLOURS]
    found = {k: c for k, c in KIND_COLOURS.items() if k in kinds}
    found.update({k: _EXTRA_COLOURS[i % len(_EXTRA_COLOURS)] for i, k in enumerate(extra)})
    return found


def _legend(network: nx.Graph, colours: dict[str, str]) -> list[dict[str, Any]]:
    counts = Counter(str(k) for _, k in network.nodes(data="kind", default="entity"))
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
    kinds = Counter(str(k) for _, k in network.nodes(data="kind", default="entity"))
    papers, results = kinds.pop("paper", 0), kinds.pop("result", 0)
    entities = sum(kinds.values())
    parts = [
        _shown(papers, "paper", "papers") if papers else "",
        _shown(entities, "entity", "entities"),
        _shown(results, "result", "results") if results else "",
        _shown(network.number_of_edges(), "link", "links"),
    ]
    return " · ".join(p for p in parts if p)


def _shown(count: int, singular: str, plural: str) -> str:
    return f"{count:,} {singular if count == 1 else plural}"


def _options(node_count: int) -> dict[str, Any]:
    large = node_count > _LARGE
    return {
        "autoResize": True,
        "layout": {"improvedLayout": False},
        # Positions come from Python; the page only draws them.
        "physics": {"enabled": False},
        "interaction": {
            "hover": not large,
            "tooltipDelay": 150,
            "hideEdgesOnDrag": large,
            "hideEdgesOnZoom": large,
        },
        "nodes": {
            "shape": "dot",
            "borderWidth": 1,
            "font": {"size": 14, "strokeWidth": 3, "strokeColor": "#ffffff"},
            "scaling": {"label": {"drawThreshold": 1}},
        },
        "edges": {
            "smooth": False,
            "width": 1,
            "color": {"color": "#c3c9d0", "highlight": "#3e4c59", "hover": "#7b8794"},
        },
    }


__all__ = ["KIND_COLOURS", "LAYOUT_SEED", "layout", "view_html"]
