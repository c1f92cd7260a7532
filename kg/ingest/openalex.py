"""OpenAlex works, as an API page (``{"results": [...]}``), a JSON array or JSON Lines.

The abstract is rebuilt from ``abstract_inverted_index``; a DOI, when present, is the identity.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path

from kg.errors import RecordError
from kg.ingest.reader import Reader, Record, build_paper
from kg.ingest.records import json_objects

__all__ = ["READER", "abstract_from_inverted_index"]


def abstract_from_inverted_index(index: Mapping[str, object]) -> str:
    """The text of an inverted index (word -> positions); raises ``ValueError`` if malformed.

    >>> abstract_from_inverted_index({"graphs": [1], "Small": [0], "help.": [2]})
    'Small graphs help.'
    """
    words: dict[int, str] = {}
    for word, positions in index.items():
        if not isinstance(positions, list) or not all(
            isinstance(position, int) for position in positions
        ):
            raise ValueError(f"positions of {word!r} are not a list of integers")
        for position in positions:
            words[position] = word
    return " ".join(words[position] for position in sorted(words))


def _nested(record: Mapping[str, object], *keys: str) -> object:
    """``record[k1][k2]...``, or None where a level is missing or null."""
    value: object = record
    for key in keys:
        if not isinstance(value, Mapping):
            return None
        value = value.get(key)
    return value


def _authors(record: Mapping[str, object]) -> object:
    authorships = record.get("authorships")
    if not isinstance(authorships, list):
        return authorships
    names = (_nested(authorship, "author", "display_name") for authorship in authorships)
    return [name for name in names if name is not None]


def sniff(path: Path, head: str) -> bool:
    """JSON that names OpenAlex works or carries their distinctive fields."""
    return head.lstrip()[:1] in ("[", "{") and (
        "openalex.org/W" in head or '"abstract_inverted_index"' in head or '"authorships"' in head
    )


def read(path: Path) -> Iterator[Record]:
    for item in json_objects(path):
        if isinstance(item, RecordError):
            yield item
            continue
        line, work = item
        index = work.get("abstract_inverted_index")
        if index is None:
            abstract: object = None
        elif isinstance(index, Mapping):
            try:
                abstract = abstract_from_inverted_index(index)
            except ValueError as err:
                yield RecordError(f"'abstract_inverted_index': {err}", path=path, line=line)
                continue
        else:
            yield RecordError(
                "'abstract_inverted_index' must be an object of word -> positions",
                path=path,
                line=line,
            )
            continue
        doi = work.get("doi") or _nested(work, "ids", "doi")
        fields = {
            "title": work.get("title") or work.get("display_name"),
            "abstract": abstract,
            "authors": _authors(work),
            "year": work.get("publication_year"),
            "venue": _nested(work, "primary_location", "source", "display_name"),
            "url": doi or work.get("id"),
            "doi": doi,
            "arxiv": None,
            "openalex": work.get("id"),
        }
        yield build_paper(fields, path=path, line=line)


READER = Reader(
    name="openalex",
    description="OpenAlex works (an API results page, a JSON array or JSON Lines)",
    extensions=(".json", ".jsonl"),
    sniff=sniff,
    read=read,
)
