"""The store's memory beside its graph: what extraction found in each text, and which papers
each generation of the graph holds, so that papers can be added and removed without reading
or extracting the others again.

One SQLite file in the store folder holds both. Every write is a transaction: a process killed
at any moment leaves what was committed before, and never a half-written row.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import sqlite3
import zlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kg.errors import StoreError
from kg.graph.store import Difference
from kg.ingest.paper import Paper
from kg.nlp.analysis import PaperAnalysis
from kg.nlp.links import Link
from kg.nlp.mention import Label, Mention
from kg.nlp.results import ResultClaim, ResultKind

FILENAME = "corpus.sqlite"
#: The layout of a cached analysis; a new layout makes every cached one a miss.
RECORD_FORMAT = 1
#: A pass over the cached analyses reads and decodes this many records at a time.
DECODE_BATCH = 512

_SCHEMA = """
CREATE TABLE IF NOT EXISTS extraction (
    text_key TEXT NOT NULL,
    extractor TEXT NOT NULL,
    analysis BLOB NOT NULL,
    PRIMARY KEY (text_key, extractor)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS generation (
    name TEXT PRIMARY KEY,
    settings TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS paper (
    generation TEXT NOT NULL,
    position INTEGER NOT NULL,
    record TEXT NOT NULL,
    PRIMARY KEY (generation, position)
) WITHOUT ROWID;
-- The nodes of one generation (node_state.generation), and the changes a writer stages for
-- the generation it writes (a NULL digest: a node that goes).
CREATE TABLE IF NOT EXISTS node (
    subject TEXT PRIMARY KEY,
    paper INTEGER NOT NULL,
    digest BLOB NOT NULL,
    triples INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS node_state (
    id INTEGER PRIMARY KEY CHECK (id = 0),
    generation TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS node_change (
    writer INTEGER NOT NULL,
    subject TEXT NOT NULL,
    paper INTEGER NOT NULL,
    digest BLOB,
    triples INTEGER NOT NULL,
    PRIMARY KEY (writer, subject)
) WITHOUT ROWID;
-- What the revision that wrote a generation changed (kg push --changes), compressed N-Triples.
CREATE TABLE IF NOT EXISTS difference (
    generation TEXT PRIMARY KEY,
    base TEXT NOT NULL,
    removed BLOB NOT NULL,
    added BLOB NOT NULL
) WITHOUT ROWID;
-- The generation last pushed to each external store and graph.
CREATE TABLE IF NOT EXISTS pushed (
    target TEXT PRIMARY KEY,
    generation TEXT NOT NULL
) WITHOUT ROWID;
"""


@dataclass(frozen=True, slots=True)
class Node:
    """One part of a generation's graph (:class:`kg.graph.build.GraphParts`): a paper with its
    evidence nodes, or a shared node (``paper`` false), with a digest of what its triples
    are made of (empty for a node that goes) and how many there are."""

    subject: str
    paper: bool
    digest: bytes
    triples: int


@dataclass(frozen=True, slots=True)
class BuildSettings:
    """What a graph was built with; ``kg add`` and ``kg remove`` keep them."""

    extractor: str
    version: str
    min_confidence: float
    base: str

    @property
    def extraction_key(self) -> str:
        """The part of a cache key that names what extracted: a new extractor version, a
        new confidence floor or a new record layout misses every cached analysis."""
        return (
            f"{self.extractor} {self.version} "
            f"min-confidence={self.min_confidence!r} format={RECORD_FORMAT}"
        )


def text_key(paper: Paper) -> str:
    """The key of what extraction reads of a paper: its title and abstract, nothing else.

    >>> text_key(Paper(id="a", title="T", abstract="A")) == text_key(Paper(id="b", title="T",
    ...     abstract="A", year=2024))
    True
    """
    text = json.dumps([paper.title, paper.abstract], ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# --- records ----------------------------------------------------------------------------------


def _fields(value: Any) -> dict[str, Any]:
    return {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}


def paper_record(paper: Paper) -> str:
    return json.dumps(_fields(paper), ensure_ascii=False)


def paper_from_record(record: str) -> Paper:
    fields = json.loads(record)
    fields["authors"] = tuple(fields["authors"])
    return Paper(**fields)


def analysis_record(analysis: PaperAnalysis) -> bytes:
    """What extraction found in a paper, without the paper: its mentions, proposed flags,
    results and links, compressed. A result or link names its mentions by position."""
    mentions = analysis.mentions
    position = {mention: i for i, mention in reversed(list(enumerate(mentions)))}

    def ref(mention: Mention | None) -> int | dict[str, Any] | None:
        if mention is None:
            return None
        found = position.get(mention)
        return found if found is not None else _fields(mention)

    record = {
        "mentions": [_fields(m) for m in mentions],
        "proposed": list(analysis.proposed),
        "results": [
            {
                **_fields(claim),
                "method": ref(claim.method),
                "dataset": ref(claim.dataset),
                "metric": ref(claim.metric),
            }
            for claim in analysis.results
        ],
        "links": [_fields(link) for link in analysis.links],
        "link_methods": [[ref(m) for m in group] for group in analysis.link_methods],
    }
    return zlib.compress(json.dumps(record, ensure_ascii=False).encode("utf-8"))


def analysis_from_record(paper: Paper, data: bytes) -> PaperAnalysis:
    """The :class:`PaperAnalysis` of ``paper`` from :func:`analysis_record`'s bytes."""
    record = json.loads(zlib.decompress(data))
    # Mentions and results of one sentence share its text rather than each holding a copy.
    sentences: dict[str, str] = {}
    for fields in record["mentions"] + record["results"]:
        fields["sentence"] = sentences.setdefault(fields["sentence"], fields["sentence"])
    mentions = tuple(_mention(fields) for fields in record["mentions"])

    def deref(value: int | dict[str, Any] | None) -> Mention | None:
        if value is None:
            return None
        return mentions[value] if isinstance(value, int) else _mention(value)

    def claim(fields: dict[str, Any]) -> ResultClaim:
        return ResultClaim(
            **{
                **fields,
                "kind": ResultKind(fields["kind"]),
                "method": deref(fields["method"]),
                "dataset": deref(fields["dataset"]),
                "metric": deref(fields["metric"]),
            }
        )

    return PaperAnalysis(
        paper=paper,
        mentions=mentions,
        proposed=tuple(record["proposed"]),
        results=tuple(claim(fields) for fields in record["results"]),
        links=tuple(Link(**fields) for fields in record["links"]),
        link_methods=tuple(
            tuple(m for m in map(deref, group) if m is not None) for group in record["link_methods"]
        ),
    )


def _mention(fields: dict[str, Any]) -> Mention:
    return Mention(**{**fields, "label": Label(fields["label"])})


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


# --- the file ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class CachedAnalyses:
    """:meth:`CorpusFile.analyses`: a collection that holds only its papers. Each pass reads
    :data:`DECODE_BATCH` records at a time, so a pass over the corpus holds one batch of
    analyses, not all of them."""

    corpus: CorpusFile
    papers: Sequence[Paper]
    extraction_key: str

    def __len__(self) -> int:
        return len(self.papers)

    def __iter__(self) -> Iterator[PaperAnalysis]:
        for start in range(0, len(self.papers), DECODE_BATCH):
            batch = self.papers[start : start + DECODE_BATCH]
            records = self.corpus.cached(dict.fromkeys(map(text_key, batch)), self.extraction_key)
            for paper in batch:
                record = records.get(text_key(paper))
                if record is None:
                    raise StoreError(
                        f"the extraction cache in {self.corpus.path} lost the analysis of "
                        f"paper {paper.id!r} during the build; run the command again"
                    )
                yield analysis_from_record(paper, record)

    def mentions(self) -> PaperMentions:
        """Each paper with its mentions, as :func:`kg.resolve.resolve` reads them."""
        return PaperMentions(self)


@dataclass(frozen=True)
class PaperMentions:
    """:meth:`CachedAnalyses.mentions`: (paper, mentions) pairs, decoded on each pass."""

    analyses: CachedAnalyses

    def __len__(self) -> int:
        return len(self.analyses)

    def __iter__(self) -> Iterator[tuple[Paper, Sequence[Mention]]]:
        return ((a.paper, a.mentions) for a in self.analyses)


class CorpusFile:
    """The SQLite file of a store folder: an extraction cache keyed by text and extractor,
    and the papers of each generation of the graph, in their order.

    >>> import tempfile, pathlib
    >>> corpus = CorpusFile(pathlib.Path(tempfile.mkdtemp()) / "corpus.sqlite")
    >>> corpus.papers("g1") is None
    True
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        try:
            self._db = sqlite3.connect(self.path, isolation_level=None)
            # A killed process loses nothing committed; only a power cut may lose the last
            # batches, which are then extracted again.
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.executescript(_SCHEMA)
        except sqlite3.Error as err:
            raise StoreError(
                f"cannot open {self.path}: {err}; remove the file to start the cache afresh "
                "(the next build extracts every paper again)"
            ) from err

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> CorpusFile:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # The extraction cache.

    def cached(self, keys: Iterable[str], extraction_key: str) -> dict[str, bytes]:
        """The cached analyses of the text keys that have one under ``extraction_key``."""
        found: dict[str, bytes] = {}
        with closing(self._db.cursor()) as cursor:
            for key in keys:
                row = cursor.execute(
                    "SELECT analysis FROM extraction WHERE text_key = ? AND extractor = ?",
                    (key, extraction_key),
                ).fetchone()
                if row is not None:
                    found[key] = row[0]
        return found

    def cached_keys(self, keys: Iterable[str], extraction_key: str) -> set[str]:
        """Which of the text keys have a cached analysis under ``extraction_key`` (the
        analyses themselves are not read)."""
        with closing(self._db.cursor()) as cursor:
            return {
                key
                for key in keys
                if cursor.execute(
                    "SELECT 1 FROM extraction WHERE text_key = ? AND extractor = ?",
                    (key, extraction_key),
                ).fetchone()
            }

    def analyses(self, papers: Sequence[Paper], extraction_key: str) -> CachedAnalyses:
        """The analyses of ``papers``, every one of which the cache holds, read and decoded
        batch by batch each time they are iterated."""
        return CachedAnalyses(self, papers, extraction_key)

    def remember(self, analyses: Mapping[str, bytes], extraction_key: str) -> None:
        """Keep ``analyses`` (text key -> record), in one transaction."""
        with self._transaction():
            self._db.executemany(
                "INSERT OR REPLACE INTO extraction VALUES (?, ?, ?)",
                ((key, extraction_key, data) for key, data in analyses.items()),
            )

    def __len__(self) -> int:
        return int(self._db.execute("SELECT COUNT(*) FROM extraction").fetchone()[0])

    # The papers of each generation.

    def record_generation(
        self,
        generation: str,
        settings: BuildSettings,
        papers: Sequence[Paper],
        *,
        nodes_from: str | None = None,
        difference: Difference | None = None,
    ) -> None:
        """Say that ``generation`` holds ``papers``, built with ``settings``, and the nodes
        staged since :meth:`start_staging`: all of them, or, with ``nodes_from``, the changes
        from that generation's; and, for a revision, its ``difference`` from the graph before."""
        with self._transaction():
            if difference is not None:
                self._db.execute(
                    "INSERT OR REPLACE INTO difference VALUES (?, ?, ?, ?)",
                    (
                        generation,
                        difference.base,
                        zlib.compress(difference.removed),
                        zlib.compress(difference.added),
                    ),
                )
            self._db.execute("DELETE FROM paper WHERE generation = ?", (generation,))
            self._db.execute(
                "INSERT OR REPLACE INTO generation VALUES (?, ?)",
                (generation, json.dumps(dataclasses.asdict(settings))),
            )
            self._db.executemany(
                "INSERT INTO paper VALUES (?, ?, ?)",
                ((generation, i, paper_record(p)) for i, p in enumerate(papers)),
            )
            writer = (os.getpid(),)
            if nodes_from is not None and not self.has_nodes(nodes_from):
                # Another writer recorded its generation meanwhile: what this one staged are
                # changes to nodes no longer recorded, so none are known until a whole write.
                self._db.execute("DELETE FROM node")
                self._db.execute("DELETE FROM node_state")
                self._db.execute("DELETE FROM node_change WHERE writer = ?", writer)
                return
            if nodes_from is None:
                self._db.execute("DELETE FROM node")
            self._db.execute(
                "DELETE FROM node WHERE subject IN "
                "(SELECT subject FROM node_change WHERE writer = ? AND digest IS NULL)",
                writer,
            )
            self._db.execute(
                "INSERT OR REPLACE INTO node SELECT subject, paper, digest, triples "
                "FROM node_change WHERE writer = ? AND digest IS NOT NULL",
                writer,
            )
            self._db.execute("DELETE FROM node_change WHERE writer = ?", writer)
            self._db.execute("INSERT OR REPLACE INTO node_state VALUES (0, ?)", (generation,))

    def settings(self, generation: str) -> BuildSettings | None:
        row = self._db.execute(
            "SELECT settings FROM generation WHERE name = ?", (generation,)
        ).fetchone()
        return None if row is None else BuildSettings(**json.loads(row[0]))

    def papers(self, generation: str) -> list[Paper] | None:
        """The papers of ``generation`` in their order, or None if it was never recorded."""
        if self.settings(generation) is None:
            return None
        rows = self._db.execute(
            "SELECT record FROM paper WHERE generation = ? ORDER BY position", (generation,)
        )
        return [paper_from_record(record) for (record,) in rows]

    # The nodes of the live generation.

    def start_staging(self) -> None:
        """Forget the changes that writers no longer running (this process's id included)
        staged."""
        writers = self._db.execute("SELECT DISTINCT writer FROM node_change").fetchall()
        dead = [(w,) for (w,) in writers if w == os.getpid() or not _running(w)]
        with self._transaction():
            self._db.executemany("DELETE FROM node_change WHERE writer = ?", dead)

    def stage(self, nodes: Iterable[Node]) -> None:
        """Keep ``nodes`` (an empty digest: a node that goes) as changes of the generation
        being written."""
        with self._transaction():
            self._db.executemany(
                "INSERT OR REPLACE INTO node_change VALUES (?, ?, ?, ?, ?)",
                ((os.getpid(), n.subject, n.paper, n.digest or None, n.triples) for n in nodes),
            )

    def has_nodes(self, generation: str) -> bool:
        """Whether the nodes of ``generation`` are recorded."""
        row = self._db.execute("SELECT generation FROM node_state").fetchone()
        return row is not None and row[0] == generation

    def nodes(self, generation: str) -> dict[str, Node]:
        """The nodes of ``generation`` by subject (none if they are not recorded)."""
        if not self.has_nodes(generation):
            return {}
        rows = self._db.execute("SELECT subject, paper, digest, triples FROM node")
        return {s: Node(s, bool(paper), digest, n) for s, paper, digest, n in rows}

    def keep_only(self, generation: str) -> None:
        """Forget the papers and differences of every other generation (gone, or never made
        live)."""
        with self._transaction():
            self._db.execute("DELETE FROM paper WHERE generation != ?", (generation,))
            self._db.execute("DELETE FROM generation WHERE name != ?", (generation,))
            self._db.execute("DELETE FROM difference WHERE generation != ?", (generation,))

    def difference(self, generation: str) -> Difference | None:
        """What the revision that wrote ``generation`` changed; None for a graph written
        whole."""
        row = self._db.execute(
            "SELECT base, removed, added FROM difference WHERE generation = ?", (generation,)
        ).fetchone()
        if row is None:
            return None
        base, removed, added = row
        return Difference(base, zlib.decompress(removed), zlib.decompress(added))

    # What was pushed where.

    def pushed(self, target: str) -> str | None:
        """The generation last pushed to ``target`` (an endpoint and graph), if any."""
        row = self._db.execute(
            "SELECT generation FROM pushed WHERE target = ?", (target,)
        ).fetchone()
        return None if row is None else str(row[0])

    def record_push(self, target: str, generation: str) -> None:
        with self._transaction():
            self._db.execute("INSERT OR REPLACE INTO pushed VALUES (?, ?)", (target, generation))

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")
