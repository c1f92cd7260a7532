"""Views of a store as networkx graphs: papers, co-occurrence, one entity's neighbourhood and
the task-dataset-method landscape, each fetched with SPARQL and cut to a size a browser draws.

Every view has the same node and edge attributes (see :func:`build_view`), so one page and one
set of file writers serve them all.
"""

from __future__ import annotations

import difflib
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import networkx as nx
import pyoxigraph as ox

from kg.errors import ViewError
from kg.graph.build import PREFIXES
from kg.graph.namespace import PKG
from kg.graph.store import GraphStore

VIEWS = ("papers", "cooccurrence", "entity", "landscape")
#: Entity kinds and their classes, in legend order.
ENTITY_KINDS = {
    "method": PKG.Method,
    "dataset": PKG.Dataset,
    "task": PKG.Task,
    "metric": PKG.Metric,
}
#: The entities a view draws unless ``top`` says otherwise: what a browser draws at once.
DEFAULT_TOP = {"papers": 300, "cooccurrence": 300, "entity": 100, "landscape": 300}
#: A weighted view keeps each node's strongest links, at most this many per node.
LINKS_PER_NODE = 4
#: The papers and results listed in an entity's details.
PAPERS_LISTED = 5
RESULTS_LISTED = 5

_PAPER_LINKS = {
    PKG.proposes: "proposes",
    PKG.usesMethod: "uses method",
    PKG.evaluatesOn: "evaluates on",
    PKG.addressesTask: "addresses task",
    PKG.reportsMetric: "reports metric",
}
_LINK_LABELS = {str(p): label for p, label in _PAPER_LINKS.items()}
_LINK_LIST = ", ".join(f"<{p}>" for p in _PAPER_LINKS)
_ASSOCIATIONS = {
    PKG.appliedTo: "applied to",
    PKG.evaluatedOn: "evaluated on",
    PKG.benchmarkFor: "benchmark for",
}
_LANDSCAPE_KINDS = ("method", "dataset", "task")


@dataclass
class _Entity:
    iri: str
    kind: str
    label: str
    papers: int
    aliases: list[str] = field(default_factory=list)
    broader: list[str] = field(default_factory=list)
    narrower: list[str] = field(default_factory=list)


def build_view(
    store: GraphStore,
    view: str = "papers",
    *,
    entity: str | None = None,
    depth: int = 1,
    types: Sequence[str] | None = None,
    min_papers: int = 1,
    years: tuple[int, int] | int | str | None = None,
    top: int | None = None,
) -> nx.Graph:
    """One view of ``store`` as an undirected networkx graph.

    Views: ``papers`` (the ``top`` entities named by most papers and at most ``top`` of their
    papers, those naming most of them), ``cooccurrence`` (entities joined by the papers that
    name both; ``weight`` is that number of papers), ``entity`` (the entity named ``entity``,
    its papers, the entities they name, its family and its results, ``depth`` steps out) and
    ``landscape`` (tasks, datasets and methods joined by the papers that apply a method to a
    task, evaluate it on a dataset or use a dataset for a task). ``types`` keeps entities of
    these kinds, ``min_papers`` those named by that many papers, ``years`` (first, last) only
    papers of those years (entities' paper counts then count those papers alone); a single year
    or ``"FROM-TO"`` text is taken too.

    Node ids are IRIs. Every node has ``kind`` (``paper``, ``method``, ``dataset``, ``task``,
    ``metric`` or ``result``) and ``label``; entities have ``papers`` (their paper count),
    ``aliases``, ``broader`` and ``narrower`` (family labels), ``titles`` and ``links`` (some
    papers that name them, with their pages), ``evidence`` (a sentence naming them), ``mention``
    (the words of it that do) and ``results``; papers have ``identifier``, ``year`` and ``url``.
    Every edge has ``relation`` and ``weight`` (papers). ``graph.graph`` has ``view``,
    ``node_count``/``edge_count`` before any cut, and ``cuts``: sentences that say what was cut.
    """
    if view not in VIEWS:
        raise ViewError(f"unknown view {view!r}; choose one of: {', '.join(VIEWS)}")
    kinds = _kinds(types, view)
    if min_papers < 1:
        raise ViewError(f"--min-papers must be at least 1, got {min_papers}")
    if depth < 1:
        raise ViewError(f"--depth must be at least 1, got {depth}")
    if top is not None and top < 1:
        raise ViewError(f"--top must be at least 1, got {top}")
    if isinstance(years, str):
        years = parse_years(years)
    elif isinstance(years, int):
        years = (years, years)
    if years is not None and years[0] > years[1]:
        raise ViewError(f"--year: the first year {years[0]} is after the last {years[1]}")
    limit = top if top is not None else DEFAULT_TOP[view]
    with store.open() as ox_store:
        fetch = _Fetch(ox_store, years)
        if view == "entity":
            if not entity:
                raise ViewError("the entity view needs an entity name: --view entity NAME")
            network = _entity_view(fetch, entity, depth, kinds, min_papers, limit)
        elif view == "papers":
            network = _papers_view(fetch, kinds, min_papers, limit)
        elif view == "cooccurrence":
            network = _cooccurrence_view(fetch, kinds, min_papers, limit)
        else:
            network = _landscape_view(fetch, kinds, min_papers, limit)
    network.graph["view"] = view
    return _ordered(network)


def parse_years(text: str) -> tuple[int, int]:
    """``"2020"`` or ``"2019-2021"`` as (first, last).

    >>> parse_years("2019-2021")
    (2019, 2021)
    """
    first, _, last = text.partition("-")
    try:
        years = (int(first), int(last or first))
    except ValueError as err:
        raise ViewError(f"--year takes YEAR or FROM-TO (as 2019-2021), not {text!r}") from err
    if years[0] > years[1]:
        raise ViewError(f"--year: the first year {years[0]} is after the last {years[1]}")
    return years


def _kinds(types: Sequence[str] | None, view: str) -> list[str]:
    allowed = list(_LANDSCAPE_KINDS if view == "landscape" else ENTITY_KINDS)
    if not types:
        return allowed
    unknown = sorted(set(types) - set(ENTITY_KINDS))
    if unknown:
        raise ViewError(
            f"unknown entity type {', '.join(unknown)}; choose from: {', '.join(ENTITY_KINDS)}"
        )
    return [kind for kind in allowed if kind in types]


# ------------------------------------------------------------------ fetching


def _values(name: str, iris: Iterable[str]) -> str:
    return f"VALUES ?{name} {{ {' '.join(f'<{iri}>' for iri in iris)} }}"


def _year_filter(variable: str, years: tuple[int, int] | None) -> str:
    if years is None:
        return ""
    year = f"xsd:integer(SUBSTR(STR(?{variable}_date), 1, 4))"
    return (
        f"?{variable} dcterms:date ?{variable}_date . "
        f"FILTER({year} >= {years[0]} && {year} <= {years[1]})"
    )


class _Fetch:
    """The SPARQL queries views are made of, over one open store."""

    def __init__(self, store: ox.Store, years: tuple[int, int] | None) -> None:
        self.store = store
        self.years = years

    def rows(self, query: str) -> list[list[str | None]]:
        results = self.store.query(query, prefixes=PREFIXES)
        assert isinstance(results, ox.QuerySolutions)
        names = [v.value for v in results.variables]
        return [
            [None if row[name] is None else row[name].value for name in names] for row in results
        ]

    def top_entities(
        self, kinds: Sequence[str], min_papers: int, limit: int
    ) -> tuple[list[_Entity], int]:
        """The ``limit`` entities of these kinds named by most papers (ties by label, then IRI),
        and how many entities of these kinds have ``min_papers``."""
        if not kinds:
            return [], 0
        classes = " ".join(f"<{ENTITY_KINDS[k]}>" for k in kinds)
        # Sorting here is faster than ORDER BY in the store, and as well defined.
        if self.years is None:
            query = f"""SELECT ?e ?class ?label ?count WHERE {{ VALUES ?class {{ {classes} }}
                ?e a ?class ; rdfs:label ?label ; pkg:paperCount ?count .
                FILTER(?count >= {min_papers}) }}"""
        else:
            query = f"""SELECT ?e ?class ?label (COUNT(DISTINCT ?p) AS ?count) WHERE {{
                VALUES ?class {{ {classes} }} ?e a ?class ; rdfs:label ?label .
                ?p ?link ?e . FILTER(?link IN ({_LINK_LIST})) {_year_filter("p", self.years)}
                }} GROUP BY ?e ?class ?label HAVING (COUNT(DISTINCT ?p) >= {min_papers})"""
        kind_of = {str(cls): kind for kind, cls in ENTITY_KINDS.items()}
        found = sorted(
            (
                _Entity(str(e), kind_of[str(cls)], str(label), int(str(count)))
                for e, cls, label, count in self.rows(query)
            ),
            key=lambda e: (-e.papers, e.label, e.iri),
        )
        return found[:limit], len(found)

    def entities(self, iris: Iterable[str]) -> dict[str, _Entity]:
        """Kind, label and paper count (within the years) of given entities."""
        iris = sorted(set(iris))
        if not iris:
            return {}
        kind_of = {str(cls): kind for kind, cls in ENTITY_KINDS.items()}
        query = f"""SELECT ?e ?class ?label ?count WHERE {{ {_values("e", iris)}
            ?e a ?class ; rdfs:label ?label ; pkg:paperCount ?count .
            FILTER(?class IN ({", ".join(f"<{c}>" for c in ENTITY_KINDS.values())})) }}"""
        found = {
            str(e): _Entity(str(e), kind_of[str(cls)], str(label), int(str(count)))
            for e, cls, label, count in self.rows(query)
        }
        if self.years is not None:
            counts = Counter(e for _, e in self.links(entities=found))
            for iri, item in found.items():
                item.papers = counts[iri]
        return found

    def links(
        self, *, entities: Iterable[str] | None = None, papers: Iterable[str] | None = None
    ) -> list[tuple[str, str]]:
        """(paper, entity) pairs of the given entities or papers, within the years."""
        values = _values("e", entities) if entities is not None else _values("p", papers or ())
        # FILTER, not VALUES, for the properties: the store then starts from the entities.
        query = f"""SELECT DISTINCT ?p ?e WHERE {{ {values}
            ?p ?link ?e . FILTER(?link IN ({_LINK_LIST})) {_year_filter("p", self.years)} }}"""
        return sorted((str(p), str(e)) for p, e in self.rows(query))

    def link_relations(self, pairs: Iterable[tuple[str, str]]) -> dict[tuple[str, str], str]:
        papers = sorted({p for p, _ in pairs})
        entities = sorted({e for _, e in pairs})
        if not papers:
            return {}
        wanted = set(pairs)
        query = f"""SELECT ?p ?link ?e WHERE {{ {_values("e", entities)}
            ?p ?link ?e . FILTER(?link IN ({_LINK_LIST})) }}"""
        found: dict[tuple[str, str], set[str]] = defaultdict(set)
        for p, link, e in self.rows(query):
            if (str(p), str(e)) in wanted:
                found[(str(p), str(e))].add(_LINK_LABELS[str(link)])
        return {pair: ", ".join(sorted(labels)) for pair, labels in found.items()}

    def papers(self, iris: Iterable[str]) -> dict[str, dict[str, object]]:
        iris = sorted(set(iris))
        if not iris:
            return {}
        query = f"""SELECT ?p ?title ?id ?date ?page WHERE {{ {_values("p", iris)}
            ?p dcterms:title ?title ; dcterms:identifier ?id .
            OPTIONAL {{ ?p dcterms:date ?date }} OPTIONAL {{ ?p foaf:page ?page }} }}"""
        found: dict[str, dict[str, object]] = {}
        for p, title, identifier, date, page in sorted(self.rows(query), key=str):
            if str(p) in found:
                continue
            year = int(date[:4]) if date and date[:4].isdigit() else None
            found[str(p)] = {
                "kind": "paper",
                "label": str(title),
                "identifier": str(identifier),
                "year": year,
                "url": str(page or _identifier_url(str(identifier))),
            }
        return found

    def describe(self, entities: dict[str, _Entity]) -> None:
        """Add aliases and family labels."""
        iris = sorted(entities)
        if not iris:
            return
        query = f"""SELECT ?e ?alt WHERE {{ {_values("e", iris)} ?e skos:altLabel ?alt }}"""
        for e, alt in sorted(self.rows(query), key=lambda r: (r[0], r[1])):
            if alt != entities[str(e)].label:
                entities[str(e)].aliases.append(str(alt))
        query = f"""SELECT ?e ?b ?bl ?n ?nl WHERE {{ {_values("e", iris)}
            {{ ?e skos:broader ?b . ?b rdfs:label ?bl }}
            UNION {{ ?n skos:broader ?e . ?n rdfs:label ?nl }} }}"""
        for e, _, broader, _, narrower in sorted(self.rows(query), key=lambda r: str(r)):
            if broader:
                entities[str(e)].broader.append(str(broader))
            if narrower:
                entities[str(e)].narrower.append(str(narrower))

    def family(self, iri: str) -> list[tuple[str, str]]:
        """(narrower, broader) pairs that have ``iri`` at one end."""
        query = f"""SELECT ?n ?b WHERE {{
            {{ BIND(<{iri}> AS ?n) ?n skos:broader ?b }}
            UNION {{ BIND(<{iri}> AS ?b) ?n skos:broader ?b }} }}"""
        return sorted((str(n), str(b)) for n, b in self.rows(query))

    def broader_pairs(self, iris: Iterable[str]) -> list[tuple[str, str]]:
        iris = sorted(set(iris))
        if not iris:
            return []
        query = f"""SELECT ?n ?b WHERE {{ {_values("n", iris)} ?n skos:broader ?b }}"""
        kept = set(iris)
        return sorted((str(n), str(b)) for n, b in self.rows(query) if str(b) in kept)

    def evidence(self, iris: Iterable[str]) -> dict[str, tuple[str, str]]:
        """For each entity its surest mention: (sentence, the words that name it)."""
        iris = sorted(set(iris))
        if not iris:
            return {}
        query = f"""SELECT ?e ?m ?c WHERE {{ {_values("e", iris)}
            ?m pkg:denotes ?e ; pkg:confidence ?c . }}"""
        best: dict[str, tuple[float, str]] = {}
        for e, m, c in self.rows(query):
            key = (-float(str(c)), str(m))
            if str(e) not in best or key < best[str(e)]:
                best[str(e)] = key
        query = f"""SELECT ?m ?s ?x WHERE {{ {_values("m", (m for _, m in best.values()))}
            ?m pkg:sentence ?s ; pkg:exact ?x . }}"""
        sentences = {str(m): (str(sentence), str(exact)) for m, sentence, exact in self.rows(query)}
        found = {e: sentences[m] for e, (_, m) in best.items() if m in sentences}
        return found

    def results(self, iris: Iterable[str]) -> dict[str, list[tuple[str, str, str]]]:
        """For each entity the results that name it: (result IRI, text, paper)."""
        iris = sorted(set(iris))
        if not iris:
            return {}
        query = f"""SELECT ?e ?r ?v ?unit ?dir ?ml ?dl ?tl ?p WHERE {{ {_values("e", iris)}
            ?r pkg:ofMethod|pkg:onDataset|pkg:inMetric ?e ; pkg:value ?v ; pkg:inPaper ?p .
            {_year_filter("p", self.years)}
            OPTIONAL {{ ?r pkg:unit ?unit }} OPTIONAL {{ ?r pkg:direction ?dir }}
            OPTIONAL {{ ?r pkg:ofMethod/rdfs:label ?ml }}
            OPTIONAL {{ ?r pkg:onDataset/rdfs:label ?dl }}
            OPTIONAL {{ ?r pkg:inMetric/rdfs:label ?tl }} }}"""
        found: dict[str, list[tuple[str, str, str]]] = defaultdict(list)
        rows = sorted(self.rows(query), key=lambda row: [str(v) for v in row])
        for e, r, value, unit, direction, method, dataset, metric, paper in rows:
            if any(r == seen for seen, _, _ in found[str(e)]):
                continue
            found[str(e)].append(
                (
                    str(r),
                    _result_text(str(value), unit, direction, method, dataset, metric),
                    str(paper),
                )
            )
        return found

    def labels(self) -> list[tuple[str, str, int]]:
        """Every (name, entity, papers) an entity is known by: labels and aliases."""
        query = """SELECT ?name ?e ?count WHERE {
            ?e pkg:paperCount ?count . { ?e rdfs:label ?name } UNION { ?e skos:altLabel ?name }
            FILTER NOT EXISTS { ?e a pkg:Association } }"""
        return [(str(n), str(e), int(str(c))) for n, e, c in self.rows(query)]


def _identifier_url(identifier: str) -> str:
    scheme, _, rest = identifier.partition(":")
    if scheme == "arxiv" and rest:
        return f"https://arxiv.org/abs/{rest}"
    if scheme == "doi" and rest:
        return f"https://doi.org/{rest}"
    return ""


def _number(value: str) -> str:
    text = str(value)
    return text.rstrip("0").rstrip(".") if "." in text else text


def _result_text(
    value: str,
    unit: str | None,
    direction: str | None,
    method: str | None,
    dataset: str | None,
    metric: str | None,
) -> str:
    sign = {"increase": "+", "decrease": "-"}.get(direction or "", "")
    space = " " if unit and unit[0].isalpha() and unit != "x" else ""
    text = f"{sign}{_number(value)}{space}{unit or ''}"
    if metric:
        text += f" {metric}"
    if dataset:
        text += f" on {dataset}"
    if method:
        text += f" ({method})"
    return text


# ------------------------------------------------------------------ assembling


def _plural(count: int, singular: str, plural: str) -> str:
    return f"{count:,} {singular if count == 1 else plural}"


def _add_entities(
    network: nx.Graph,
    fetch: _Fetch,
    entities: dict[str, _Entity],
    links: Sequence[tuple[str, str]],
) -> None:
    """Entity nodes with their details: family, papers, evidence and results."""
    fetch.describe(entities)
    evidence = fetch.evidence(entities)
    results = fetch.results(entities)
    papers_of: dict[str, list[str]] = defaultdict(list)
    for paper, entity in links:
        papers_of[entity].append(paper)
    listed = {e: sorted(papers_of[e])[-PAPERS_LISTED:] for e in entities}
    info = fetch.papers(p for ps in listed.values() for p in ps)
    for iri in sorted(entities, key=lambda i: (-entities[i].papers, entities[i].label, i)):
        item = entities[iri]
        chosen = sorted(
            (info[p] for p in listed[iri] if p in info),
            key=lambda p: (-int(str(p["year"] or 0)), str(p["label"])),
        )
        sentence, mention = evidence.get(iri, ("", ""))
        network.add_node(
            iri,
            kind=item.kind,
            label=item.label,
            papers=item.papers,
            aliases=item.aliases,
            broader=item.broader,
            narrower=item.narrower,
            titles=[str(p["label"]) for p in chosen],
            links=[str(p["url"]) for p in chosen],
            evidence=sentence,
            mention=mention,
            results=[text for _, text, _ in results.get(iri, [])[:RESULTS_LISTED]],
        )


def _strongest(edges: list[tuple[str, str, int]], per_node: int) -> list[tuple[str, str, int]]:
    """Each node's ``per_node`` strongest edges (ties by the ends' ids)."""
    kept: list[tuple[str, str, int]] = []
    degree: Counter[str] = Counter()
    for u, v, weight in sorted(edges, key=lambda e: (-e[2], e[0], e[1])):
        if degree[u] < per_node or degree[v] < per_node:
            kept.append((u, v, weight))
            degree[u] += 1
            degree[v] += 1
    return kept


def _cut_note(shown: int, total: int, what: str, why: str) -> list[str]:
    if shown >= total:
        return []
    return [f"{shown:,} of {total:,} {what} shown ({why})"]


def _papers_view(fetch: _Fetch, kinds: list[str], min_papers: int, top: int) -> nx.Graph:
    chosen, total_entities = fetch.top_entities(kinds, min_papers, top)
    entities = {e.iri: e for e in chosen}
    links = fetch.links(entities=entities)
    named: Counter[str] = Counter(p for p, _ in links)
    papers = sorted(named, key=lambda p: (-named[p], p))
    kept_papers = set(papers[:top])
    kept_links = [(p, e) for p, e in links if p in kept_papers]
    network = nx.Graph()
    info = fetch.papers(kept_papers)
    for paper in sorted(kept_papers):
        network.add_node(paper, **info[paper])
    _add_entities(network, fetch, entities, links)
    relations = fetch.link_relations(kept_links)
    for paper, entity in kept_links:
        network.add_edge(paper, entity, relation=relations.get((paper, entity), ""), weight=1)
    for narrower, broader in fetch.broader_pairs(entities):
        network.add_edge(narrower, broader, relation="broader", weight=1)
    network.graph["cuts"] = _cut_note(
        len(entities), total_entities, "entities", "those named by most papers"
    ) + _cut_note(len(kept_papers), len(papers), "papers", "those naming most of the entities")
    return network


def _cooccurrence_view(fetch: _Fetch, kinds: list[str], min_papers: int, top: int) -> nx.Graph:
    chosen, total_entities = fetch.top_entities(kinds, min_papers, top)
    entities = {e.iri: e for e in chosen}
    links = fetch.links(entities=entities)
    bipartite = nx.Graph()
    bipartite.add_nodes_from(sorted(entities))
    bipartite.add_edges_from(links)
    edges: list[tuple[str, str, int]] = []
    if links:
        projected = nx.bipartite.weighted_projected_graph(bipartite, sorted(entities))
        edges = [(u, v, int(w)) for u, v, w in projected.edges(data="weight")]
    kept = _strongest(edges, LINKS_PER_NODE)
    network = nx.Graph()
    _add_entities(network, fetch, entities, links)
    for u, v, weight in sorted(kept, key=lambda e: (e[0], e[1])):
        network.add_edge(u, v, relation="named together", weight=weight)
    network.graph["cuts"] = _cut_note(
        len(entities), total_entities, "entities", "those named by most papers"
    ) + _cut_note(len(kept), len(edges), "links", f"each entity's {LINKS_PER_NODE} strongest")
    return network


def _landscape_view(fetch: _Fetch, kinds: list[str], min_papers: int, top: int) -> nx.Graph:
    chosen, total_entities = fetch.top_entities(kinds, min_papers, top)
    entities = {e.iri: e for e in chosen}
    if fetch.years is None:
        query = f"""SELECT ?s ?rel ?t ?n WHERE {{ {_values("s", entities)}
            ?a pkg:fromEntity ?s ; pkg:relation ?rel ; pkg:toEntity ?t ; pkg:paperCount ?n . }}"""
    else:
        query = f"""SELECT ?s ?rel ?t (COUNT(DISTINCT ?p) AS ?n) WHERE {{ {_values("s", entities)}
            ?a pkg:fromEntity ?s ; pkg:relation ?rel ; pkg:toEntity ?t ; pkg:supportedBy ?p .
            {_year_filter("p", fetch.years)} }} GROUP BY ?s ?rel ?t"""
    relation_of = {str(p): label for p, label in _ASSOCIATIONS.items()}
    found: dict[tuple[str, str], tuple[int, str]] = {}
    for s, rel, t, n in fetch.rows(query):
        if str(t) in entities and str(rel) in relation_of:
            key = (min(str(s), str(t)), max(str(s), str(t)))
            weight = int(str(n))
            if key not in found or weight > found[key][0]:
                found[key] = (weight, relation_of[str(rel)])
    edges = [(u, v, w) for (u, v), (w, _) in found.items()]
    kept = _strongest(edges, LINKS_PER_NODE)
    network = nx.Graph()
    _add_entities(network, fetch, entities, fetch.links(entities=entities))
    for u, v, weight in sorted(kept, key=lambda e: (e[0], e[1])):
        network.add_edge(u, v, relation=found[(u, v)][1], weight=weight)
    network.graph["cuts"] = _cut_note(
        len(entities), total_entities, "entities", "those named by most papers"
    ) + _cut_note(len(kept), len(edges), "links", f"each entity's {LINKS_PER_NODE} strongest")
    return network


_IRI = re.compile(r"https?://[^\s<>\"{}|^`\\]+")


def _find_entity(fetch: _Fetch, name: str) -> str:
    wanted = name.strip()
    if _IRI.fullmatch(wanted):
        # An entity's IRI, as the explorer's pages give it, is found by the store's index.
        if fetch.rows(f"SELECT ?count WHERE {{ <{wanted}> pkg:paperCount ?count }}"):
            return wanted
    literal = wanted.replace("\\", "\\\\").replace('"', '\\"')
    query = f"""SELECT ?name ?e ?count WHERE {{ BIND("{literal}" AS ?name)
        {{ ?e rdfs:label "{literal}" }} UNION {{ ?e skos:altLabel "{literal}" }}
        ?e pkg:paperCount ?count . }}"""
    # The exact name is found by the store's index; only a miss reads every name.
    names = [(str(n), str(e), int(str(c))) for n, e, c in fetch.rows(query)] or fetch.labels()

    def best(matches: list[tuple[str, str, int]]) -> str:
        return min(matches, key=lambda m: (-m[2], m[1]))[1]

    exact = [m for m in names if m[0] == wanted or m[1] == wanted]
    if exact:
        return best(exact)
    folded = [m for m in names if m[0].casefold() == wanted.casefold()]
    if folded:
        return best(folded)
    by_fold: dict[str, str] = {}
    for label, _, _ in sorted(names, key=lambda m: (-m[2], m[0])):
        by_fold.setdefault(label.casefold(), label)
    close = difflib.get_close_matches(wanted.casefold(), sorted(by_fold), n=5, cutoff=0.6)
    hint = f"; did you mean: {', '.join(by_fold[c] for c in close)}?" if close else ""
    raise ViewError(f"no entity is named {name!r}{hint}")


def _entity_view(
    fetch: _Fetch, name: str, depth: int, kinds: list[str], min_papers: int, top: int
) -> nx.Graph:
    centre = _find_entity(fetch, name)
    entity_iris = {centre}
    paper_iris: set[str] = set()
    frontier = {centre}
    cuts: list[str] = []
    for _ in range(depth):
        links = fetch.links(entities=frontier)
        named: Counter[str] = Counter(p for p, _ in links)
        years = {p: int(str(info["year"] or 0)) for p, info in fetch.papers(named).items()}
        ranked = sorted(named, key=lambda p: (-named[p], -years.get(p, 0), p))
        room = max(top - len(paper_iris), 0)
        new_papers = [p for p in ranked if p not in paper_iris][:room]
        cuts += _cut_note(
            len(new_papers),
            len(set(ranked) - paper_iris),
            "papers",
            "those naming most of the entities, newest first",
        )
        paper_iris.update(new_papers)
        shared = Counter(e for _, e in fetch.links(papers=new_papers) if e not in entity_iris)
        candidates = fetch.entities(shared)
        eligible = [
            e for e, item in candidates.items() if item.kind in kinds and item.papers >= min_papers
        ]
        eligible.sort(key=lambda e: (-shared[e], -candidates[e].papers, e))
        room = max(top - (len(entity_iris) - 1), 0)
        cuts += _cut_note(
            min(room, len(eligible)), len(eligible), "entities", "those sharing most papers"
        )
        frontier = set(eligible[:room])
        entity_iris |= frontier
    family = fetch.family(centre)
    entity_iris |= {e for pair in family for e in pair}
    entities = fetch.entities(entity_iris)
    links = [(p, e) for p, e in fetch.links(entities=entities) if p in paper_iris]
    network = nx.Graph()
    info = fetch.papers(paper_iris)
    for paper in sorted(paper_iris):
        network.add_node(paper, **info[paper])
    _add_entities(network, fetch, entities, fetch.links(entities=entities))
    relations = fetch.link_relations(links)
    for paper, entity in links:
        network.add_edge(paper, entity, relation=relations.get((paper, entity), ""), weight=1)
    for narrower, broader in fetch.broader_pairs(entities):
        network.add_edge(narrower, broader, relation="broader", weight=1)
    for result, text, paper in fetch.results([centre]).get(centre, []):
        network.add_node(result, kind="result", label=text)
        network.add_edge(centre, result, relation="result", weight=1)
        if paper in network:
            network.add_edge(paper, result, relation="reports result", weight=1)
    network.graph["centre"] = centre
    network.graph["cuts"] = cuts
    return network


def _ordered(network: nx.Graph) -> nx.Graph:
    """The same graph with nodes and edges in a fixed order, so every writer is deterministic."""
    ordered = nx.Graph(**network.graph)
    ordered.add_nodes_from(sorted(network.nodes(data=True), key=lambda n: n[0]))
    ordered.add_edges_from(sorted(network.edges(data=True), key=lambda e: tuple(sorted(e[:2]))))
    return ordered


__all__ = ["DEFAULT_TOP", "ENTITY_KINDS", "VIEWS", "build_view", "parse_years"]
