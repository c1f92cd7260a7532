"""arXiv inputs: Atom feeds as the arXiv API returns them, and the metadata snapshot (JSON).

Both give ``arxiv:<id>`` ids without the version, unless the record carries a DOI.
"""

from __future__ import annotations

import email.utils
import xml.sax
import xml.sax.handler
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from kg.errors import InputError, RecordError
from kg.ingest.identity import normalise_arxiv_id
from kg.ingest.reader import Reader, Record, build_paper
from kg.ingest.records import json_objects

__all__ = ["ATOM_READER", "SNAPSHOT_READER"]

ATOM = "http://www.w3.org/2005/Atom"
ARXIV = "http://arxiv.org/schemas/atom"

# Elements directly under <entry> whose text is kept.
_ENTRY_TEXT = {
    (ATOM, "id"): "id",
    (ATOM, "title"): "title",
    (ATOM, "summary"): "summary",
    (ATOM, "published"): "published",
    (ATOM, "updated"): "updated",
    (ARXIV, "doi"): "doi",
}


class _EntryCollector(xml.sax.handler.ContentHandler):
    """Collects each Atom <entry> as a dict of its fields, with the line it starts on."""

    def __init__(self) -> None:
        super().__init__()
        self.entries: list[dict[str, Any]] = []
        self._locator: xml.sax.xmlreader.Locator | None = None
        self._entry: dict[str, Any] | None = None
        self._elements: list[tuple[str | None, str]] = []
        self._texts: list[list[str]] = []

    def setDocumentLocator(self, locator: xml.sax.xmlreader.Locator) -> None:  # noqa: N802
        self._locator = locator

    def startElementNS(  # noqa: N802
        self, name: tuple[str | None, str], qname: str | None, attrs: Any
    ) -> None:
        if name == (ATOM, "entry"):
            line = self._locator.getLineNumber() if self._locator else None
            self._entry = {"line": line, "authors": [], "links": []}
        elif self._entry is not None and self._elements[-1:] == [(ATOM, "entry")]:
            if name == (ATOM, "link"):
                self._entry["links"].append(
                    {key: attrs.get((None, key)) for key in ("href", "rel", "type", "title")}
                )
            elif name == (ARXIV, "primary_category"):
                self._entry["category"] = attrs.get((None, "term"))
        self._elements.append(name)
        self._texts.append([])

    def characters(self, content: str) -> None:
        if self._texts:
            self._texts[-1].append(content)

    def endElementNS(self, name: tuple[str | None, str], qname: str | None) -> None:  # noqa: N802
        text = "".join(self._texts.pop()).strip()
        self._elements.pop()
        entry = self._entry
        if entry is None:
            return
        parent = self._elements[-1] if self._elements else None
        if name == (ATOM, "entry"):
            self.entries.append(entry)
            self._entry = None
        elif parent == (ATOM, "entry") and name in _ENTRY_TEXT:
            entry[_ENTRY_TEXT[name]] = text
        elif name == (ATOM, "name") and parent == (ATOM, "author"):
            entry["authors"].append(text)


def _atom_entries(path: Path) -> Iterator[dict[str, Any]]:
    """The entries of an Atom feed, parsed incrementally so a large feed is not held twice."""
    collector = _EntryCollector()
    parser = xml.sax.make_parser()
    parser.setFeature(xml.sax.handler.feature_namespaces, True)
    # Never fetch external entities named by the document.
    parser.setFeature(xml.sax.handler.feature_external_ges, False)
    parser.setContentHandler(collector)
    # Only parse() hands the handler a locator; when feeding, the expat reader is its own.
    collector.setDocumentLocator(parser)  # type: ignore[arg-type]
    try:
        with path.open("rb") as stream:
            while chunk := stream.read(1 << 16):
                parser.feed(chunk)  # type: ignore[attr-defined]
                yield from collector.entries
                collector.entries.clear()
            parser.close()  # type: ignore[attr-defined]
    except xml.sax.SAXParseException as err:
        raise RecordError(
            f"not well-formed XML: {err.getMessage()}",
            path=path,
            line=err.getLineNumber(),
            column=(err.getColumnNumber() or 0) + 1,
        ) from err
    except OSError as err:
        raise InputError(f"cannot read the file: {err.strerror}", path=path) from err
    yield from collector.entries


def _abstract_page(links: list[dict[str, str | None]]) -> str | None:
    for link in links:
        if link.get("rel") in (None, "alternate") and link.get("href"):
            return link["href"]
    return None


def sniff_atom(path: Path, head: str) -> bool:
    """An Atom feed that mentions arXiv."""
    return "<feed" in head and ATOM in head and "arxiv" in head.lower()


def read_atom(path: Path) -> Iterator[Record]:
    for entry in _atom_entries(path):
        line = entry["line"]
        arxiv_id = normalise_arxiv_id(entry.get("id"))
        if arxiv_id is None:
            # The API reports a bad query as an entry whose id is an error address.
            yield RecordError(
                f"entry id {entry.get('id')!r} is not an arXiv abstract address",
                path=path,
                line=line,
            )
            continue
        fields = {
            "title": entry.get("title"),
            "abstract": entry.get("summary"),
            "authors": entry["authors"],
            "year": entry.get("published") or entry.get("updated"),
            "venue": "arXiv",
            "url": _abstract_page(entry["links"]) or f"https://arxiv.org/abs/{arxiv_id}",
            "doi": entry.get("doi"),
            "arxiv": arxiv_id,
        }
        yield build_paper(fields, path=path, line=line)


ATOM_READER = Reader(
    name="arxiv-atom",
    description="an Atom feed from the arXiv API (export.arxiv.org/api/query)",
    extensions=(".xml", ".atom"),
    sniff=sniff_atom,
    read=read_atom,
)


def sniff_snapshot(path: Path, head: str) -> bool:
    """JSON records with the arXiv snapshot's own keys."""
    return head.lstrip()[:1] in ("[", "{") and (
        '"update_date"' in head
        or '"authors_parsed"' in head
        or ('"categories"' in head and '"versions"' in head)
    )


def _snapshot_authors(record: dict[str, object]) -> object:
    """Names from ``authors_parsed`` ([last, first, suffix]) when present, else the string."""
    parsed = record.get("authors_parsed")
    if (
        isinstance(parsed, list)
        and parsed
        and all(
            isinstance(parts, list) and all(isinstance(part, str) for part in parts)
            for parts in parsed
        )
    ):
        names = []
        for parts in parsed:
            last, first, suffix = (list(parts) + ["", "", ""])[:3]
            names.append(" ".join(part for part in (first, last, suffix) if part))
        return names
    return record.get("authors")


def _snapshot_year(record: dict[str, object]) -> object:
    """Year of the first version ("Mon, 2 Apr 2007 19:18:42 GMT"), else of ``update_date``."""
    versions = record.get("versions")
    if isinstance(versions, list) and versions and isinstance(versions[0], dict):
        created = versions[0].get("created")
        if isinstance(created, str):
            try:
                return email.utils.parsedate_to_datetime(created).year
            except (TypeError, ValueError):
                pass  # fall back to update_date, which every snapshot record has
    return record.get("update_date")


def read_snapshot(path: Path) -> Iterator[Record]:
    for item in json_objects(path):
        if isinstance(item, RecordError):
            yield item
            continue
        line, record = item
        raw_id = record.get("id")
        arxiv_id = normalise_arxiv_id(raw_id) if isinstance(raw_id, str) else None
        if arxiv_id is None:
            yield RecordError(f"'id' {raw_id!r} is not an arXiv id", path=path, line=line)
            continue
        doi = record.get("doi")
        fields = {
            "title": record.get("title"),
            "abstract": record.get("abstract"),
            "authors": _snapshot_authors(record),
            "year": _snapshot_year(record),
            "venue": "arXiv",
            "url": f"https://arxiv.org/abs/{arxiv_id}",
            # Some records list several DOIs separated by spaces; the first is the paper's.
            "doi": doi.split()[0] if isinstance(doi, str) and doi.strip() else None,
            "arxiv": arxiv_id,
        }
        yield build_paper(fields, path=path, line=line)


SNAPSHOT_READER = Reader(
    name="arxiv-snapshot",
    description="the arXiv metadata snapshot (JSON Lines with id, authors, categories, ...)",
    extensions=(".jsonl", ".json"),
    sniff=sniff_snapshot,
    read=read_snapshot,
)
