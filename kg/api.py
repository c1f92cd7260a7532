"""A paperkg store for notebooks and scripts: SPARQL answers as pandas DataFrames, entities
with their evidence, and the graph's views as networkx graphs or inline pages.

Open a store with :func:`kg.open`; pandas comes with the ``notebooks`` extra
(``pip install 'paperkg[notebooks]'``). Reading a store never loads spaCy.

>>> import tempfile, pathlib
>>> import kg
>>> from kg.build import build
>>> from kg.graph.store import GraphStore
>>> path = pathlib.Path(tempfile.mkdtemp()) / "store"
>>> summary, _ = build([SAMPLE], GraphStore(path), extractor="rules")
>>> graph = kg.open(path)
>>> graph
KnowledgeGraph('...store')
>>> datasets = graph.entities(type="dataset")
>>> print(datasets[["label", "type", "papers"]].head(3).to_string(index=False))
   label    type  papers
AudioSet Dataset       1
 CHiME-6 Dataset       1
  ESC-50 Dataset       1
>>> scores = graph.query(
...     "SELECT ?metric ?value WHERE { ?r a pkg:Score ; pkg:onDataset/rdfs:label ?dataset ;"
...     " pkg:inMetric/rdfs:label ?metric ; pkg:value ?value }",
...     dataset="AudioSet",
... )
>>> scores.to_dict("records"), str(scores["value"].dtype)
([{'metric': 'mAP', 'value': 47.9}], 'float64')
>>> gat = graph.entity("GAT")
>>> gat
<Method 'Gated Audio Transformer': 1 papers, 2 aliases, 5 evidence sentences, 2 results, 4 links>
>>> gat.aliases
('GAT', 'Gated Audio Transformers')
>>> print(gat.results[["dataset", "metric", "value", "unit"]].to_string(index=False))
 dataset   metric  value unit
AudioSet      mAP   47.9    %
  ESC-50 accuracy   95.2    %
>>> graph.entity("Audioset-2")
Traceback (most recent call last):
  ...
kg.errors.UnknownEntityError: no entity is named 'Audioset-2'; did you mean 'AudioSet'?
>>> graph.to_networkx(top=5).number_of_nodes() > 5
True
"""

from __future__ import annotations

import datetime as dt
import difflib
import html
import os
from collections.abc import Sequence
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox

from kg.errors import KgError, UnknownEntityError
from kg.graph.store import DEFAULT_STORE, GraphStore
from kg.graph.terms import PREFIXES
from kg.query.sparql import read_query, select_terms

if TYPE_CHECKING:
    import networkx as nx
    import pandas as pd

#: The sample abstracts shipped with paperkg, for trying the API.
SAMPLE = Path(str(files("kg") / "data" / "sample" / "abstracts.jsonl"))

#: Entity types, as :meth:`KnowledgeGraph.entities` and ``type`` columns name them.
ENTITY_TYPES = ("Method", "Dataset", "Task", "Metric")

_XSD = PREFIXES["xsd"]
_INTEGERS = {
    _XSD + name
    for name in (
        "integer",
        "int",
        "long",
        "short",
        "byte",
        "nonNegativeInteger",
        "positiveInteger",
        "nonPositiveInteger",
        "negativeInteger",
        "unsignedInt",
        "unsignedLong",
        "unsignedShort",
        "unsignedByte",
    )
}
_FLOATS = {_XSD + "decimal", _XSD + "double", _XSD + "float"}
_INSTALL_HINT = "install the notebooks extra: pip install 'paperkg[notebooks]'"
# GROUP_CONCAT joins a list with this; no label or title holds a tab (whitespace is
# normalised when papers are read).
_LIST_SEPARATOR = "\t"
_IFRAME_HEIGHT = 600


def _pandas() -> Any:
    try:
        import pandas
    except ImportError as err:
        raise KgError(f"DataFrames need pandas; {_INSTALL_HINT}") from err
    return pandas


def python_value(term: ox.NamedNode | ox.BlankNode | ox.Literal | None) -> object:
    """The Python value of a query result: an ``int`` for integers and ``xsd:gYear``, a
    ``float`` for decimals and doubles, a ``bool``, a ``datetime.date`` or
    ``datetime.datetime``, else the IRI or text as ``str``; ``None`` when unbound.

    >>> python_value(ox.Literal("2017", datatype=ox.NamedNode(_XSD + "gYear")))
    2017
    >>> python_value(ox.Literal("0.959", datatype=ox.NamedNode(_XSD + "decimal")))
    0.959
    >>> python_value(ox.NamedNode("https://w3id.org/paperkg/ontology#Method"))
    'https://w3id.org/paperkg/ontology#Method'
    """
    if term is None:
        return None
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if not isinstance(term, ox.Literal):
        return str(term.value)
    text, datatype = term.value, term.datatype.value
    try:
        if datatype in _INTEGERS:
            return int(text)
        if datatype in _FLOATS:
            return float(text)
        if datatype == _XSD + "gYear":
            return int(text[:-1] if text.endswith("Z") else text)
        if datatype == _XSD + "boolean":
            return {"true": True, "1": True, "false": False, "0": False}[text]
        if datatype == _XSD + "date":
            return dt.date.fromisoformat(text)
        if datatype == _XSD + "dateTime":
            return dt.datetime.fromisoformat(text)
    except (ValueError, KeyError):
        return text  # an ill-typed literal stays as written
    return text


def _column(values: list[object]) -> Any:
    """A pandas Series whose dtype suits the values: integers (nullable where some are
    missing), floats, booleans, datetimes, or strings."""
    pd = _pandas()
    present = [v for v in values if v is not None]
    kinds = {type(v) for v in present}
    if not present:
        return pd.Series(values, dtype=object)
    if kinds == {int}:
        return pd.Series(values, dtype="Int64" if len(present) < len(values) else "int64")
    if kinds <= {int, float}:
        return pd.Series([float("nan") if v is None else v for v in values], dtype="float64")
    if kinds == {bool}:
        return pd.Series(values, dtype="boolean")
    if kinds <= {dt.date, dt.datetime}:
        return pd.to_datetime(pd.Series(values, dtype=object))
    return pd.Series([None if v is None else str(v) for v in values], dtype=object)


def _frame(variables: Sequence[str], rows: Sequence[Sequence[object]]) -> pd.DataFrame:
    pd = _pandas()
    columns = {name: _column([row[i] for row in rows]) for i, name in enumerate(variables)}
    return pd.DataFrame(columns, columns=list(variables))


def _split(text: object) -> list[str]:
    return sorted(str(text).split(_LIST_SEPARATOR)) if text else []


@dataclass(frozen=True, eq=False)
class _EntitySummary:
    iri: str
    label: str
    type: str
    aliases: tuple[str, ...]
    paper_count: int
    mention_count: int
    broader: str | None
    narrower: tuple[str, ...]


def _describe(entity: EntityProfile | EntityFacts) -> str:
    return (
        f"<{entity.type} {entity.label!r}: {entity.paper_count} papers, "
        f"{len(entity.aliases)} aliases, {len(entity.evidence)} evidence sentences, "
        f"{len(entity.results)} results, {len(entity.links)} links>"
    )


@dataclass(frozen=True, eq=False, repr=False)
class EntityProfile(_EntitySummary):
    """What the graph knows of one entity: its names, papers, evidence, results and links.

    ``papers``, ``evidence``, ``results`` and ``links`` are DataFrames (see
    :meth:`KnowledgeGraph.entity` for their columns).
    """

    papers: pd.DataFrame
    evidence: pd.DataFrame
    results: pd.DataFrame
    links: pd.DataFrame

    __repr__ = _describe


Record = dict[str, object]


@dataclass(frozen=True, eq=False, repr=False)
class EntityFacts(_EntitySummary):
    """:class:`EntityProfile` without pandas: ``papers``, ``evidence``, ``results`` and
    ``links`` are lists of rows, each a dict of the same columns (see
    :meth:`KnowledgeGraph.entity_facts`)."""

    papers: list[Record]
    evidence: list[Record]
    results: list[Record]
    links: list[Record]

    __repr__ = _describe


class ViewPage:
    """An interactive page of a view; Jupyter and VS Code show it inline, in an iframe."""

    def __init__(self, page: str, *, height: int = _IFRAME_HEIGHT) -> None:
        self.html = page
        self.height = height

    def _repr_html_(self) -> str:
        # srcdoc keeps the page self-contained: nothing is written to disk or fetched.
        return (
            f'<iframe srcdoc="{html.escape(self.html, quote=True)}" '
            f'style="width: 100%; height: {self.height}px; border: 0" '
            'sandbox="allow-scripts"></iframe>'
        )

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write the page to ``path`` (it works offline) and return the path."""
        target = Path(path)
        target.write_text(self.html, encoding="utf-8", newline="\n")
        return target

    def __repr__(self) -> str:
        return f"<ViewPage: {len(self.html.encode('utf-8')):,} bytes>"


_ENTITIES = """
SELECT ?label ?type ?papers ?mentions (GROUP_CONCAT(DISTINCT ?alt; separator="\\t") AS ?aliases)
       ?broader ?iri
WHERE {
  ?iri a ?class ; rdfs:label ?label ; pkg:paperCount ?papers .
  BIND(STRAFTER(STR(?class), "#") AS ?type)
  OPTIONAL { ?iri pkg:mentionCount ?mentions }
  OPTIONAL { ?iri skos:broader/rdfs:label ?broader }
  OPTIONAL { ?iri skos:altLabel ?alt FILTER(?alt != ?label) }
}
GROUP BY ?iri ?label ?type ?papers ?mentions ?broader
ORDER BY DESC(?papers) ?label ?iri
"""

_NAMES = """
SELECT ?iri ?label ?class ?papers ?name WHERE {
  VALUES ?class { pkg:Method pkg:Dataset pkg:Task pkg:Metric }
  ?iri a ?class ; rdfs:label ?label ; pkg:paperCount ?papers ; rdfs:label|skos:altLabel ?name .
}
"""

_PAPERS = """
SELECT ?id ?title ?year ?venue (COUNT(DISTINCT ?e) AS ?entities)
       (COUNT(DISTINCT ?r) AS ?results) ?iri
WHERE {
  ?iri a pkg:Paper ; dcterms:identifier ?id ; dcterms:title ?title .
  OPTIONAL { ?iri dcterms:date ?year }
  OPTIONAL { ?iri pkg:venue ?venue }
  OPTIONAL {
    ?iri pkg:proposes|pkg:usesMethod|pkg:evaluatesOn|pkg:addressesTask|pkg:reportsMetric ?e
  }
  OPTIONAL { ?iri pkg:reportsResult ?r }
}
GROUP BY ?iri ?id ?title ?year ?venue
ORDER BY ?year ?id
"""

_ENTITY_PAPERS = """
SELECT ?paper ?title ?year (GROUP_CONCAT(DISTINCT ?role; separator=", ") AS ?roles) ?iri
WHERE {
  VALUES ?link { pkg:proposes pkg:usesMethod pkg:evaluatesOn pkg:addressesTask pkg:reportsMetric }
  ?iri ?link ?entity ; dcterms:identifier ?paper ; dcterms:title ?title .
  OPTIONAL { ?iri dcterms:date ?year }
  BIND(STRAFTER(STR(?link), "#") AS ?role)
}
GROUP BY ?iri ?paper ?title ?year
ORDER BY ?year ?paper
"""

_ENTITY_EVIDENCE = """
SELECT ?paper ?exact ?field ?start ?end ?confidence ?extractor ?sentence WHERE {
  ?m a pkg:Mention ; pkg:denotes ?entity ; pkg:inPaper ?p ; pkg:exact ?exact ;
     pkg:textField ?field ; pkg:start ?start ; pkg:end ?end ; pkg:sentence ?sentence .
  # Before the OPTIONALs: after them, Oxigraph joins every paper's identifier (25 s for BERT
  # on 9,367 abstracts, against 0.05 s).
  ?p dcterms:identifier ?paper .
  OPTIONAL { ?m pkg:confidence ?confidence }
  OPTIONAL { ?m pkg:extractor ?extractor }
}
ORDER BY ?paper ?field ?start
"""

_RESULTS = """
SELECT ?paper ?kind ?method ?dataset ?metric ?value ?unit ?direction ?sentence WHERE {
  ?r a ?class ; pkg:inPaper ?p ; pkg:value ?value .
  VALUES ?class { pkg:Score pkg:RelativeResult }
  %(about)s
  ?p dcterms:identifier ?paper .
  BIND(IF(?class = pkg:Score, "score", "relative") AS ?kind)
  OPTIONAL { ?r pkg:ofMethod/rdfs:label ?method }
  OPTIONAL { ?r pkg:onDataset/rdfs:label ?dataset }
  OPTIONAL { ?r pkg:inMetric/rdfs:label ?metric }
  OPTIONAL { ?r pkg:unit ?unit }
  OPTIONAL { ?r pkg:direction ?direction }
  OPTIONAL { ?r pkg:sentence ?sentence }
}
ORDER BY ?dataset ?metric DESC(?value) ?paper
"""


def results_query(about: str = "") -> str:
    """The query of results (scores and relative results) that the graph extracted, with the
    columns of :attr:`EntityProfile.results`; ``about`` is a pattern that keeps some of them,
    over ``?r`` (the result) and ``?p`` (its paper). Bind ``p`` to list one paper's."""
    return _RESULTS % {"about": about}


_ENTITY_RESULTS = results_query(
    "{ ?r pkg:ofMethod ?entity } UNION { ?r pkg:onDataset ?entity } "
    "UNION { ?r pkg:inMetric ?entity }"
)

_ENTITY_LINKS = """
SELECT ?relation ?direction ?other ?otherType ?papers WHERE {
  { ?a pkg:fromEntity ?entity ; pkg:toEntity ?o . BIND("to" AS ?direction) }
  UNION { ?a pkg:toEntity ?entity ; pkg:fromEntity ?o . BIND("from" AS ?direction) }
  ?a a pkg:Association ; pkg:relation ?property ; pkg:paperCount ?papers .
  ?o rdfs:label ?other ; a ?class .
  VALUES ?class { pkg:Method pkg:Dataset pkg:Task pkg:Metric }
  BIND(STRAFTER(STR(?property), "#") AS ?relation)
  BIND(STRAFTER(STR(?class), "#") AS ?otherType)
}
ORDER BY DESC(?papers) ?other ?relation
"""

_NARROWER = "SELECT ?label WHERE { ?n skos:broader ?entity ; rdfs:label ?label } ORDER BY ?label"


class KnowledgeGraph:
    """The graph in a paperkg store, read-only; open one with :func:`kg.open`.

    Every method reads the live graph when called, so a ``kg build``, ``kg add`` or
    ``kg remove`` between two calls shows in the second.
    """

    def __init__(self, path: str | os.PathLike[str] = DEFAULT_STORE) -> None:
        self.store = GraphStore(Path(path))
        with self.store.open():  # fails now, with what to do, if there is no store
            pass

    def __repr__(self) -> str:
        return f"KnowledgeGraph({str(self.store.path)!r})"

    def query(self, sparql: str, **bind: str) -> pd.DataFrame:
        """The answers of a SELECT query as a DataFrame, one column per variable.

        ``sparql`` is the query or ``@path.rq``, a file holding it. The prefixes ``pkg``,
        ``dcterms``, ``skos``, ``prov``, ``foaf``, ``schema``, ``rdfs``, ``owl`` and ``xsd``
        are predeclared. Keyword arguments give variables a value (a string, or an IRI
        written ``<...>``): ``graph.query("@ontology/queries/leaderboard.rq",
        dataset="AudioSet")``. Columns are typed by their values (see
        :func:`python_value`): integers and years as ``int64`` (``Int64`` where some are
        missing), decimals as ``float64``, dates as ``datetime64``, IRIs and text as ``str``.
        """
        return _frame(*self._select(sparql, bind))

    def records(self, sparql: str, **bind: str) -> list[Record]:
        """The answers of a SELECT query as dicts of Python values (see :func:`python_value`),
        one per row; takes what :meth:`query` takes and needs no pandas."""
        variables, rows = self._select(sparql, bind)
        return [dict(zip(variables, row, strict=True)) for row in rows]

    def _select(
        self, sparql: str, bind: dict[str, str]
    ) -> tuple[tuple[str, ...], list[list[object]]]:
        for name, value in bind.items():
            if not isinstance(value, str):
                raise TypeError(
                    f"bind {name}= takes a string or an IRI written <...>, "
                    f"not {type(value).__name__}"
                )
        variables, rows = select_terms(self.store, read_query(sparql), bind)
        return variables, [[python_value(term) for term in row] for row in rows]

    def entities(self, type: str | None = None) -> pd.DataFrame:
        """The graph's methods, datasets, tasks and metrics, named by most papers first.

        Columns: ``label``, ``type`` (``Method``, ``Dataset``, ``Task`` or ``Metric``),
        ``papers`` (papers that name it or an entity under it), ``mentions``, ``aliases``
        (the other names it is written as, a list), ``broader`` (the label of the family it
        belongs to, such as AudioSet for AudioSet-2M) and ``iri``. ``type`` keeps one type
        (any case, singular or plural: ``"dataset"``, ``"Datasets"``).
        """
        return self._entity_table([_entity_type(type)] if type is not None else list(ENTITY_TYPES))

    def _entity_table(self, classes: Sequence[str]) -> pd.DataFrame:
        frame = self.query(_entities_query(classes))
        aliases = [_split(text) for text in frame["aliases"]]
        frame["aliases"] = _pandas().Series(aliases, index=frame.index, dtype=object)
        return frame

    def papers(self) -> pd.DataFrame:
        """The graph's papers, by year then id: ``id``, ``title``, ``year``, ``venue``,
        ``entities`` (how many methods, datasets, tasks and metrics it links to),
        ``results`` (how many results its abstract states) and ``iri``."""
        return self.query(_PAPERS)

    def entity(self, name: str) -> EntityProfile:
        """Everything about the entity with this label or alias (any case), or with this IRI.

        The profile's DataFrames: ``papers`` (``paper``, ``title``, ``year``, ``roles``: how
        the paper links to it, such as ``proposes`` or ``evaluatesOn``, ``iri``); ``evidence``
        (each mention: ``paper``, ``exact``, ``field``, ``start``, ``end``, ``confidence``,
        ``extractor``, ``sentence``); ``results`` (scores and relative results about it:
        ``paper``, ``kind``, ``method``, ``dataset``, ``metric``, ``value``, ``unit``,
        ``direction``, ``sentence``); ``links`` (the entities papers name with it:
        ``relation`` such as ``evaluatedOn``, ``direction`` of the link from this entity,
        ``other``, ``otherType``, ``papers``). An unknown name raises
        :class:`~kg.errors.UnknownEntityError` with the closest names the graph has.
        """
        iri = self._find(name)
        summary, tables = self._entity_tables(iri)
        frames = {name: _frame(*table) for name, table in tables.items()}
        return EntityProfile(**summary, **frames)

    def entity_facts(self, name: str) -> EntityFacts:
        """What :meth:`entity` gives, with each table as a list of dicts instead of a
        DataFrame, so that it needs no pandas (``kg serve``'s entity pages show it)."""
        iri = self._find(name)
        summary, tables = self._entity_tables(iri)
        records = {
            name: [dict(zip(variables, row, strict=True)) for row in rows]
            for name, (variables, rows) in tables.items()
        }
        return EntityFacts(
            **summary,
            papers=records["papers"],
            evidence=records["evidence"],
            results=records["results"],
            links=records["links"],
        )

    def _entity_tables(
        self, iri: str
    ) -> tuple[dict[str, Any], dict[str, tuple[tuple[str, ...], list[list[object]]]]]:
        bind = {"entity": f"<{iri}>"}
        summary = self.records(_entities_query(ENTITY_TYPES), iri=bind["entity"])[0]
        narrower = [str(row["label"]) for row in self.records(_NARROWER, **bind)]
        facts = {
            "iri": iri,
            "label": str(summary["label"]),
            "type": str(summary["type"]),
            "aliases": tuple(_split(summary["aliases"])),
            "paper_count": _int(summary["papers"]),
            "mention_count": _int(summary["mentions"] or 0),
            "broader": None if summary["broader"] is None else str(summary["broader"]),
            "narrower": tuple(narrower),
        }
        tables = {
            "papers": self._select(_ENTITY_PAPERS, bind),
            "evidence": self._select(_ENTITY_EVIDENCE, bind),
            "results": self._select(_ENTITY_RESULTS, bind),
            "links": self._select(_ENTITY_LINKS, bind),
        }
        return facts, tables

    def _find(self, name: str) -> str:
        wanted = name.strip().casefold()
        # The store's indexes find an IRI, or a label written as given, which ranks first;
        # only a miss reads every name.
        if name.startswith("http") and self.records(_NAMES, iri=f"<{name}>"):
            return name
        labelled = [c for c in self.records(_NAMES, name=name) if c["label"] == name]
        if labelled:
            return str(min(labelled, key=lambda c: (-_int(c["papers"]), str(c["iri"])))["iri"])
        variables, rows = select_terms(self.store, _NAMES)
        candidates: list[dict[str, Any]] = [
            dict(zip(variables, (python_value(t) for t in row), strict=True)) for row in rows
        ]
        if any(c["iri"] == name for c in candidates):
            return name

        def rank(c: dict[str, Any]) -> tuple[bool, bool, bool, int, str]:
            # The label as written first, then in any case, then an alias; then the most named.
            label = str(c["label"])
            return (
                label != name,
                label.casefold() != wanted,
                c["name"] != name,
                -c["papers"],
                c["iri"],
            )

        matches = [c for c in candidates if str(c["name"]).casefold() == wanted]
        if matches:
            return str(min(matches, key=rank)["iri"])
        by_name: dict[str, str] = {}
        for c in sorted(candidates, key=lambda c: -c["papers"]):
            by_name.setdefault(str(c["name"]).casefold(), str(c["label"]))
        close = difflib.get_close_matches(wanted, list(by_name), n=8, cutoff=0.6)
        suggestions = list(dict.fromkeys(by_name[c] for c in close))[:5]
        raise UnknownEntityError(name, suggestions)

    def to_networkx(self, view: str = "papers", **options: Any) -> nx.Graph:
        """The view as a networkx graph (see :func:`kg.viz.build_view` for views and
        options)."""
        from kg.viz import build_view

        return build_view(self.store, view, **options)

    def page(
        self,
        view: str = "papers",
        *,
        title: str | None = None,
        height: int = _IFRAME_HEIGHT,
        **options: Any,
    ) -> ViewPage:
        """The view as an interactive page that works offline, ``height`` pixels high when
        shown inline (as a cell's value, or by :meth:`show`); :meth:`ViewPage.save` writes it
        to a file. ``options`` go to :func:`kg.viz.build_view`."""
        from kg.viz import build_view, view_html

        network = build_view(self.store, view, **options)
        return ViewPage(view_html(network, title=title or f"paperkg: {view}"), height=height)

    def show(self, view: str = "papers", **options: Any) -> None:
        """Display the view inline in Jupyter or VS Code; takes what :meth:`page` takes."""
        try:
            from IPython.display import display
        except ImportError as err:
            raise KgError(f"show() displays in IPython or Jupyter; {_INSTALL_HINT}") from err
        display(self.page(view, **options))


def _int(value: object) -> int:
    return int(str(value))


def _entities_query(classes: Sequence[str]) -> str:
    values = " ".join(f"pkg:{name}" for name in classes)
    return _ENTITIES.replace("WHERE {", f"WHERE {{ VALUES ?class {{ {values} }}", 1)


def _entity_type(name: str) -> str:
    wanted = name.strip().casefold().removesuffix("s")
    for known in ENTITY_TYPES:
        if known.casefold() == wanted:
            return known
    raise ValueError(f"unknown entity type {name!r}; choose one of {', '.join(ENTITY_TYPES)}")
