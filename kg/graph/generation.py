"""A new generation of the graph, written in full or as its difference from the live one:
of a graph that grows, only the papers and shared nodes whose content changed are written."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from functools import partial
from pathlib import Path
from typing import TypeVar

from rdflib import URIRef

from kg.graph.build import GraphParts, PaperPart, SharedNode, Triple
from kg.graph.corpus import BuildSettings, CorpusFile, Node, paper_record
from kg.graph.store import Difference, GraphStore
from kg.ingest.paper import Paper
from kg.nlp.analysis import PaperAnalysis

T = TypeVar("T")
Progress = Callable[[Iterable[T], str, int | None], Iterable[T]]

#: Nodes are noted in the corpus file in batches of this many.
NODE_BATCH = 4096


def graph_fingerprint() -> bytes:
    """A hash of the code that turns analyses into triples: a node written by other code is
    never taken for one this code would write."""
    digest = hashlib.blake2b(digest_size=16)
    for name in ("build.py", "iri.py", "namespace.py"):
        digest.update((Path(__file__).parent / name).read_bytes())
    return digest.digest()


def paper_digest(part: PaperPart, settings: BuildSettings, salt: bytes) -> bytes:
    """What a paper's triples are made of: the paper, what was extracted from it (the same
    for the same text and extraction settings) and the entities its mentions resolved to."""
    digest = hashlib.blake2b(salt, digest_size=16)
    digest.update(json.dumps([settings.extraction_key, settings.base]).encode())
    digest.update(paper_record(part.analysis.paper).encode())
    for entities in part.resolved:
        digest.update("\x1f".join(f"{e.key}\x1e{e.label.value}" for e in entities).encode())
        digest.update(b"\n")
    return digest.digest()


def shared_digest(node: SharedNode, salt: bytes) -> bytes:
    """What a shared node's triples are made of."""
    made_of = json.dumps(node.made_of, default=_plain, sort_keys=True, ensure_ascii=False)
    return hashlib.blake2b(made_of.encode(), key=salt, digest_size=16).digest()


def _plain(value: object) -> object:
    """``value`` as JSON can write it, the same for the same content."""
    if isinstance(value, set | frozenset):
        return sorted(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
    raise TypeError(f"cannot digest {value!r}")


def _own_triples(part: PaperPart) -> list[Triple]:
    return list(dict.fromkeys(part.triples()))


def _shared_triples(node: SharedNode) -> list[Triple]:
    return list(dict.fromkeys(node.triples()))


def _nodes(
    parts: GraphParts, analyses: Iterable[PaperAnalysis], settings: BuildSettings
) -> Iterator[tuple[URIRef, bool, bytes, Callable[[], list[Triple]]]]:
    """Every node of the graph: subject, whether it is a paper, digest, and its triples,
    made only when asked for."""
    salt = graph_fingerprint()
    for analysis in analyses:
        part = parts.paper(analysis)
        yield part.iri, True, paper_digest(part, settings, salt), partial(_own_triples, part)
    for node in parts.shared():
        yield node.subject, False, shared_digest(node, salt), partial(_shared_triples, node)


def write_generation(
    store: GraphStore,
    corpus: CorpusFile,
    parts: GraphParts,
    analyses: Iterable[PaperAnalysis],
    *,
    papers: Sequence[Paper],
    settings: BuildSettings,
    revise: bool,
    progress: Progress,
) -> tuple[int, int]:
    """Make the graph of ``analyses`` (``papers``, resolved into ``parts``) the store's graph;
    return its number of triples and how many of them were written.

    With ``revise``, and a live graph whose nodes the corpus file records, only what changed
    is written: the new generation is the live one less the nodes that changed or went, plus
    the nodes that changed or came. Else the graph is written in full, streamed. Either way
    the live graph stays as it was until the new one is complete.
    """
    corpus.start_staging()
    live = store.generation if revise and store.exists() else None
    old = corpus.nodes(live) if live is not None else {}
    base = live if old else None
    total = 0
    batch: list[Node] = []

    def note(node: Node, *, changed: bool = True) -> None:
        nonlocal total
        total += node.triples
        if changed:
            batch.append(node)
        if len(batch) >= NODE_BATCH:
            corpus.stage(batch)
            batch.clear()

    def record(generation: str, difference: Difference | None = None) -> None:
        corpus.stage(batch)
        corpus.record_generation(
            generation, settings, papers, nodes_from=base, difference=difference
        )

    nodes = _nodes(parts, analyses, settings)
    if base is None:

        def everything() -> Iterator[Triple]:
            for subject, paper, digest, triples in nodes:
                made = triples()
                note(Node(str(subject), paper, digest, len(made)))
                yield from made

        store.replace(progress(everything(), "writing", None), on_written=record)
        return total, total
    changed: list[Triple] = []
    drop: list[URIRef] = []
    drop_papers: list[URIRef] = []
    for subject, paper, digest, triples in progress(nodes, "comparing", None):
        before = old.pop(str(subject), None)
        if before is not None and before.digest == digest:
            note(before, changed=False)
            continue
        made = triples()
        note(Node(str(subject), paper, digest, len(made)))
        changed.extend(made)
        if before is not None:
            (drop_papers if paper else drop).append(subject)
    for gone in old.values():
        (drop_papers if gone.paper else drop).append(URIRef(gone.subject))
        note(Node(gone.subject, gone.paper, b"", 0))
    del old
    store.revise(
        drop=drop,
        drop_papers=drop_papers,
        triples=progress(changed, "writing", len(changed)),
        on_written=record,
    )
    return total, len(changed)
