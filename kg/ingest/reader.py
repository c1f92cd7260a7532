"""What a format module provides, and the one place raw record fields become a ``Paper``.

Readers map their format onto plain field names; ``build_paper`` checks, cleans and identifies.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from kg.errors import RecordError
from kg.ingest.clean import clean_text
from kg.ingest.identity import paper_id
from kg.ingest.paper import Paper

__all__ = ["Reader", "Record", "build_paper", "person_name", "split_authors"]

#: What a reader yields for each record: a paper, or the reason the record was skipped.
Record = Paper | RecordError


@dataclass(frozen=True, slots=True)
class Reader:
    """One input format.

    ``sniff(path, head)`` says from the first few KB of text whether the file is in this format;
    ``read(path)`` yields one ``Paper`` or ``RecordError`` per record, in file order, and raises
    ``InputError`` when the file as a whole cannot be read.
    """

    name: str
    description: str
    extensions: tuple[str, ...]
    sniff: Callable[[Path, str], bool]
    read: Callable[[Path], Iterator[Record]]


_NOT_A_NAME = frozenset({"others", "et al", "et al.", "and others"})


def person_name(name: str) -> str:
    """A display name, "First Last", from "Last, First" or "von Last, Jr, First" or as is.

    >>> person_name("M{\\\\\\"u}ller, Anna")
    'Anna Müller'
    """
    name = clean_text(name)
    parts = [part.strip() for part in name.split(",")]
    if len(parts) == 2 and all(parts):
        return f"{parts[1]} {parts[0]}"
    if len(parts) == 3 and parts[0] and parts[2]:
        return " ".join(part for part in (parts[2], parts[0], parts[1]) if part)
    return name


def split_authors(text: str) -> list[str]:
    """Names in an author string: "A and B", "A, B and C", or "Last, First; Last, First".

    >>> split_authors("Ada Lovelace, Alan Turing and Grace Hopper")
    ['Ada Lovelace', 'Alan Turing', 'Grace Hopper']
    >>> split_authors("Lovelace, Ada; Turing, Alan")
    ['Ada Lovelace', 'Alan Turing']
    """
    # With semicolons the commas belong to "Last, First"; without, commas separate people.
    separator = r"\s*;\s*|\s+and\s+" if ";" in text else r"\s*,\s*(?:and\s+)?|\s+and\s+"
    names = (person_name(part) for part in re.split(separator, text))
    return [name for name in names if name and name.lower() not in _NOT_A_NAME]


def build_paper(fields: Mapping[str, object], *, path: Path, line: int | None) -> Record:
    """A ``Paper`` from plain fields, or the ``RecordError`` saying what is wrong with them.

    Known fields: ``title``, ``abstract`` (required), ``authors`` (names or one string),
    ``year`` (a number or text starting with one), ``venue``, ``url``, and the identifiers
    ``doi``, ``arxiv``, ``openalex`` and ``id``.
    """
    try:
        title = _required_text(fields, "title", path, line)
        abstract = _required_text(fields, "abstract", path, line)
        authors = _authors(fields.get("authors"), path, line)
        year = _year(fields.get("year"), path, line)
        venue = _optional_text(fields, "venue", path, line)
        url = _optional_text(fields, "url", path, line)
        own_id = fields.get("id")
        if isinstance(own_id, int) and not isinstance(own_id, bool):
            own_id = str(own_id)
        identity = paper_id(
            title=title,
            doi=_optional_text(fields, "doi", path, line),
            arxiv=_optional_text(fields, "arxiv", path, line),
            openalex=_optional_text(fields, "openalex", path, line),
            own=_optional_text({"id": own_id}, "id", path, line),
            url=url,
        )
    except RecordError as err:
        return err
    return Paper(
        id=identity,
        title=title,
        abstract=abstract,
        authors=tuple(authors),
        year=year,
        venue=clean_text(venue) if venue else None,
        url=url,
        source=f"{path}:{line}" if line is not None else str(path),
    )


def _required_text(fields: Mapping[str, object], name: str, path: Path, line: int | None) -> str:
    value = fields.get(name)
    if value is None:
        raise RecordError(f"record has no {name}", path=path, line=line)
    if not isinstance(value, str):
        raise RecordError(
            f"{name!r} must be text, got {type(value).__name__}", path=path, line=line
        )
    text = clean_text(value)
    if not text:
        raise RecordError(f"record has an empty {name}", path=path, line=line)
    return text


def _optional_text(
    fields: Mapping[str, object], name: str, path: Path, line: int | None
) -> str | None:
    value = fields.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise RecordError(
            f"{name!r} must be text, got {type(value).__name__}", path=path, line=line
        )
    return value.strip() or None


def _authors(value: object, path: Path, line: int | None) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return split_authors(value)
    if isinstance(value, Sequence):
        names = []
        for item in value:
            # Several APIs give authors as objects: {"name": "Ada Lovelace", ...}.
            if isinstance(item, Mapping):
                item = item.get("name")
            if not isinstance(item, str):
                break
            name = person_name(item)
            if name and name.lower() not in _NOT_A_NAME:
                names.append(name)
        else:
            return names
    raise RecordError(
        "'authors' must be a list of names or one string of names", path=path, line=line
    )


_YEAR = re.compile(r"\s*(\d{4})(?!\d)")


def _year(value: object, path: Path, line: int | None) -> int | None:
    if value is None or value == "":
        return None
    year: int | None = None
    if isinstance(value, int) and not isinstance(value, bool):
        year = value
    elif isinstance(value, str) and (found := _YEAR.match(value)):
        year = int(found.group(1))
    if year is None or not 1000 <= year <= 2999:
        raise RecordError(f"'year' is not a year: {value!r}", path=path, line=line)
    return year
