"""The one registry of input formats, format detection, and ``read_papers`` over many files.

Every path is checked before any paper is read; the same paper from two places is merged.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from kg.errors import InputError, RecordError, UnknownFormatError
from kg.ingest import arxiv, bibtex, listing, openalex, records, table
from kg.ingest.encoding import head_text
from kg.ingest.paper import Paper
from kg.ingest.reader import Reader

__all__ = ["READERS", "SUPPORTED_FORMATS", "ReadReport", "detect_format", "read_papers"]

logger = logging.getLogger("kg.ingest")

#: Every reader, in the order their ``sniff`` is tried: the most specific JSON shapes come
#: before plain records, which would accept them too.
READERS: tuple[Reader, ...] = (
    openalex.READER,
    arxiv.SNAPSHOT_READER,
    records.READER,
    arxiv.ATOM_READER,
    table.READER,
    bibtex.READER,
    listing.READER,
)

#: The names of the supported formats, as ``detect_format`` returns them.
SUPPORTED_FORMATS: tuple[str, ...] = tuple(reader.name for reader in READERS)

# Enough text to see the first record of any format, small enough to read for every file.
_HEAD_BYTES = 8192


@dataclass(slots=True)
class ReadReport:
    """What ``read_papers`` did, filled in as it reads.

    ``skipped`` holds one ``RecordError`` (file and line) per malformed record, ``per_file``
    the number of papers read from each file, ``formats`` the format detected for each file,
    and ``merged`` the number of records that were a paper already read and were merged into it.
    """

    skipped: list[RecordError] = field(default_factory=list)
    per_file: dict[str, int] = field(default_factory=dict)
    formats: dict[str, str] = field(default_factory=dict)
    merged: int = 0


def detect_format(path: str | Path) -> str:
    """The name of the format of ``path``, one of ``SUPPORTED_FORMATS``.

    Raises ``InputError`` when the file cannot be read and ``UnknownFormatError`` when no
    reader recognises it.
    """
    path = Path(path)
    return _reader_for(path, _head(path)).name


def read_papers(
    paths: Iterable[str | Path] | str | Path, *, report: ReadReport | None = None
) -> Iterator[Paper]:
    """The papers in ``paths``, each once, in the order they were first seen.

    Every path is checked first, so a missing, unreadable or unrecognised file raises
    (``InputError``, ``UnknownFormatError``) before any paper is read. Malformed records are
    skipped, logged as warnings on the ``kg.ingest`` logger and listed in ``report.skipped``.
    A record with the id of a paper already read fills that paper's missing fields.
    """
    if isinstance(paths, str | Path):
        paths = [paths]
    plan: list[tuple[Path, Reader]] = []
    seen: set[Path] = set()
    for given in paths:
        path = Path(given)
        reader = _reader_for(path, _head(path))
        if path.resolve() in seen:
            continue  # the same file twice would only merge every paper with itself
        seen.add(path.resolve())
        plan.append((path, reader))
    return _read(plan, report if report is not None else ReadReport())


def _read(plan: list[tuple[Path, Reader]], report: ReadReport) -> Iterator[Paper]:
    # Papers are collected before any is yielded: a later record may still fill in fields of
    # an earlier paper, and a file that fails as a whole fails before anything was yielded.
    papers: dict[str, Paper] = {}
    for path, reader in plan:
        report.formats[str(path)] = reader.name
        count = 0
        for record in reader.read(path):
            if isinstance(record, RecordError):
                report.skipped.append(record)
                logger.warning("skipped a record: %s", record)
                continue
            count += 1
            earlier = papers.get(record.id)
            if earlier is None:
                papers[record.id] = record
            else:
                papers[record.id] = _merge(earlier, record)
                report.merged += 1
                logger.debug("%s is %s again (%s)", record.source, record.id, earlier.source)
        report.per_file[str(path)] = count
    yield from papers.values()


def _merge(first: Paper, later: Paper) -> Paper:
    """``first`` with its empty fields filled from ``later``."""
    missing = {
        name: getattr(later, name)
        for name in ("authors", "year", "venue", "url")
        if getattr(first, name) in (None, (), "") and getattr(later, name) not in (None, (), "")
    }
    return dataclasses.replace(first, **missing) if missing else first


def _head(path: Path) -> str:
    """The first few KB of ``path`` as text, or ``InputError`` saying why it cannot be read."""
    if not path.exists():
        raise InputError("no such file; check the path", path=path)
    if path.is_dir():
        raise InputError("is a directory; pass the files inside it", path=path)
    try:
        with path.open("rb") as stream:
            data = stream.read(_HEAD_BYTES)
    except OSError as err:
        raise InputError(f"cannot read the file: {err.strerror}", path=path) from err
    if not data.strip():
        raise InputError("the file is empty", path=path)
    return head_text(path, data)


def _reader_for(path: Path, head: str) -> Reader:
    """The first reader that claims the file's extension and recognises its content."""
    suffix = path.suffix.lower()
    for reader in READERS:
        if suffix in reader.extensions and reader.sniff(path, head):
            return reader
    raise UnknownFormatError(
        path, [f"{reader.name} ({'/'.join(reader.extensions)})" for reader in READERS]
    )
