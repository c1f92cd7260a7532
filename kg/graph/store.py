"""The on-disk Oxigraph store: atomic replacement of the whole graph, queries and export.

A store folder holds generations of the graph and a ``current`` link to the live one; a build
writes a new generation and only then moves the link, so a failed build changes nothing.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum
from itertools import islice
from pathlib import Path
from typing import IO, TYPE_CHECKING, cast

import pyoxigraph as ox

from kg.errors import StoreError
from kg.graph.terms import PREFIXES, Triple

if TYPE_CHECKING:
    from rdflib import BNode, Graph, Literal, URIRef

DEFAULT_STORE = Path("paperkg-store")
# pkg:inPaper, spelled out so that reading a store does not load rdflib.
_IN_PAPER = "https://w3id.org/paperkg/ontology#inPaper"
_CURRENT = "current"
_GENERATIONS = "generations"


class ExportFormat(StrEnum):
    """Serialisations ``kg export`` writes."""

    TURTLE = "turtle"
    NT = "nt"
    NQ = "nq"
    JSONLD = "jsonld"

    @property
    def rdf_format(self) -> ox.RdfFormat:
        return {
            "turtle": ox.RdfFormat.TURTLE,
            "nt": ox.RdfFormat.N_TRIPLES,
            "nq": ox.RdfFormat.N_QUADS,
            "jsonld": ox.RdfFormat.JSON_LD,
        }[self.value]


@dataclass(frozen=True, slots=True)
class Difference:
    """What a revision of the graph changed: the generation it started from, and the triples
    it took out and put in, as N-Triples (none in both)."""

    base: str
    removed: bytes
    added: bytes


def _writer_alive(generation: str) -> bool:
    """Whether the process that writes ``generation`` (named ``g<time>-<pid>-<ns>``) runs."""
    parts = generation.split("-")
    if len(parts) != 4 or not parts[2].isdigit():
        return False
    try:
        os.kill(int(parts[2]), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def to_quads(triples: Iterable[Triple]) -> Iterator[ox.Quad]:
    """Oxigraph quads in the default graph from rdflib triples."""
    # rdflib is loaded here, by what writes graphs, so that reading a store starts fast.
    from rdflib import BNode, Literal, URIRef

    def term(value: URIRef | Literal | BNode) -> ox.NamedNode | ox.Literal | ox.BlankNode:
        if isinstance(value, URIRef):
            return ox.NamedNode(str(value))
        if isinstance(value, Literal):
            if value.language:
                return ox.Literal(str(value), language=value.language)
            if value.datatype is not None:
                return ox.Literal(str(value), datatype=ox.NamedNode(str(value.datatype)))
            return ox.Literal(str(value))
        if isinstance(value, BNode):
            return ox.BlankNode(str(value))
        raise TypeError(f"not an RDF term: {value!r}")

    default = ox.DefaultGraph()
    for s, p, o in triples:
        yield ox.Quad(cast(ox.NamedNode, term(s)), cast(ox.NamedNode, term(p)), term(o), default)


#: Quads handed to Oxigraph's bulk loader at a time. The loader holds what it is given in
#: memory (about 1 kB a quad), so a batch, not the graph, sets the memory a write needs.
BULK_BATCH = 100_000


def _n_triples(triples: Iterable[ox.Triple]) -> bytes:
    return ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""


def _bulk_extend(store: ox.Store, quads: Iterator[ox.Quad]) -> None:
    while batch := list(islice(quads, BULK_BATCH)):
        store.bulk_extend(batch)


class GraphStore:
    """A paperkg store folder.

    >>> import tempfile, pathlib
    >>> store = GraphStore(pathlib.Path(tempfile.mkdtemp()) / "store")
    >>> store.exists()
    False
    """

    def __init__(self, path: str | Path = DEFAULT_STORE) -> None:
        self.path = Path(path)

    @property
    def current(self) -> Path:
        return self.path / _CURRENT

    def exists(self) -> bool:
        return self.current.is_dir()

    @property
    def generation(self) -> str | None:
        """The name of the live generation, or None before the first build."""
        return Path(os.readlink(self.current)).name if self.current.is_symlink() else None

    def prepare(self) -> None:
        """Make the folder a store (or check that it is one) before anything is written to
        it, and remove what writers killed mid-way left behind."""
        self._check_folder()
        generations = self.path / _GENERATIONS
        generations.mkdir(parents=True, exist_ok=True)
        for leftover in generations.iterdir():
            if leftover.name != self.generation and not _writer_alive(leftover.name):
                shutil.rmtree(leftover, ignore_errors=True)

    def _check_folder(self) -> None:
        if self.path.exists() and not self.path.is_dir():
            raise StoreError(f"{self.path} is a file, not a store folder; choose another --store")
        if (
            self.path.is_dir()
            and not (self.path / _GENERATIONS).is_dir()
            and any(self.path.iterdir())
        ):
            raise StoreError(
                f"{self.path} exists and is not a paperkg store; choose another --store "
                "or remove the folder"
            )

    def replace(
        self, triples: Iterable[Triple], *, on_written: Callable[[str], None] | None = None
    ) -> int:
        """Write ``triples`` as the store's new graph and return how many were written.

        The previous graph stays live until the new one is complete on disk: if writing fails
        or is interrupted, the store is as it was and the partial generation is removed (or,
        after a kill, by the next write). ``on_written`` is called with the new generation's
        name once it is complete and before it goes live; if it raises, nothing goes live.
        """
        count = 0

        def counted() -> Iterator[ox.Quad]:
            nonlocal count
            for quad in to_quads(triples):
                count += 1
                yield quad

        def write(target: Path) -> None:
            store = ox.Store(str(target))
            _bulk_extend(store, counted())
            store.flush()
            store.optimize()

        self._write_generation(write, on_written)
        return count

    def revise(
        self,
        *,
        drop: Iterable[URIRef],
        drop_papers: Iterable[URIRef],
        triples: Iterable[Triple],
        on_written: Callable[[str, Difference], None] | None = None,
    ) -> None:
        """Write as the store's new graph the live one without the triples whose subject is
        in ``drop``, without the papers ``drop_papers`` (every triple whose subject is the
        paper or is ``pkg:inPaper`` it), and with ``triples``; as safe as :meth:`replace`.
        ``on_written`` is also given the :class:`Difference` from the live graph.

        The new generation starts as a copy of the live one (which shares its files on disk
        rather than copying them), so the time this takes follows the change, not the graph.
        """
        if not self.exists():
            raise StoreError(
                f"no paperkg store at {self.path}; "
                f"run `kg build INPUT... --store {self.path}` first"
            )
        base = self.generation
        assert base is not None
        removed: set[ox.Triple] = set()
        added: set[ox.Triple] = set()

        def noted(quads: Iterator[ox.Quad]) -> Iterator[ox.Quad]:
            for quad in quads:
                added.add(quad.triple)
                yield quad

        def write(target: Path) -> None:
            ox.Store.read_only(str(self.current)).backup(str(target))
            store = ox.Store(str(target))
            default = ox.DefaultGraph()
            in_paper = ox.NamedNode(_IN_PAPER)
            subjects = [ox.NamedNode(str(s)) for s in drop]
            for paper in map(ox.NamedNode, map(str, drop_papers)):
                subjects.append(paper)
                found = store.quads_for_pattern(None, in_paper, paper, default)
                subjects.extend(cast(ox.NamedNode, quad.subject) for quad in found)
            for subject in subjects:
                for quad in list(store.quads_for_pattern(subject, None, None, default)):
                    store.remove(quad)
                    removed.add(quad.triple)
            _bulk_extend(store, noted(to_quads(triples)))
            store.flush()

        def written(generation: str) -> None:
            if on_written is not None:
                difference = Difference(
                    base,
                    _n_triples(removed - added),
                    _n_triples(added - removed),
                )
                on_written(generation, difference)

        self._write_generation(write, written)

    def _write_generation(
        self, write: Callable[[Path], None], on_written: Callable[[str], None] | None
    ) -> None:
        """Have ``write`` make a new generation in a fresh folder, then make it live."""
        self.prepare()
        generations = self.path / _GENERATIONS
        target = (
            generations / f"g{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}-{time.monotonic_ns()}"
        )
        try:
            write(target)
            if on_written is not None:
                on_written(target.name)
            self._switch_to(target)
        except BaseException:
            shutil.rmtree(target, ignore_errors=True)
            raise

    def _switch_to(self, target: Path) -> None:
        previous = self.current.resolve() if self.current.is_symlink() else None
        link = self.path / f".{_CURRENT}-{os.getpid()}"
        if link.is_symlink():
            link.unlink()
        link.symlink_to(Path(_GENERATIONS) / target.name)
        os.replace(link, self.current)  # atomic on POSIX: readers see the old or the new graph
        if previous is not None and previous != target.resolve():
            shutil.rmtree(previous, ignore_errors=True)

    @contextmanager
    def open(self) -> Iterator[ox.Store]:
        """The live graph, read-only."""
        if not self.exists():
            raise StoreError(
                f"no paperkg store at {self.path}; "
                f"run `kg build INPUT... --store {self.path}` first"
            )
        try:
            store = ox.Store.read_only(str(self.current))
        except OSError as err:
            raise StoreError(f"cannot open the store at {self.path}: {err}") from err
        try:
            yield store
        finally:
            del store

    def export(
        self, output: IO[bytes] | str | Path, fmt: ExportFormat = ExportFormat.TURTLE
    ) -> None:
        with self.open() as store:
            kwargs: dict = {}
            if fmt.rdf_format.supports_datasets:
                store.dump(output, fmt.rdf_format)
                return
            if fmt in (ExportFormat.TURTLE, ExportFormat.JSONLD):
                kwargs["prefixes"] = PREFIXES
            store.dump(output, fmt.rdf_format, from_graph=ox.DefaultGraph(), **kwargs)

    def to_graph(self, *, with_mentions: bool = True) -> Graph:
        """The live graph as an rdflib ``Graph``; without mention and link mention nodes when
        they are not needed (views, summaries), which keeps large graphs small."""
        query = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"
        if not with_mentions:
            query = (
                "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o "
                "FILTER NOT EXISTS { ?s a ?evidence VALUES ?evidence { "
                "<https://w3id.org/paperkg/ontology#Mention> "
                "<https://w3id.org/paperkg/ontology#LinkMention> } } }"
            )
        with self.open() as store:
            results = store.query(query)
            assert isinstance(results, ox.QueryTriples)
            data = results.serialize(format=ox.RdfFormat.N_TRIPLES) or b""
        from rdflib import Graph

        graph = Graph(bind_namespaces="none")
        for prefix, namespace in PREFIXES.items():
            graph.bind(prefix, namespace)
        graph.parse(data=data.decode("utf-8"), format="nt")
        return graph

    def __len__(self) -> int:
        with self.open() as store:
            return len(store)
