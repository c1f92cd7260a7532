"""CSV and TSV files with a header row naming the columns (title, abstract, authors, ...).

Headers match case-insensitively; several authors in one cell are separated by ";" or "and".
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from pathlib import Path

from kg.errors import InputError
from kg.ingest.encoding import read_text
from kg.ingest.reader import Reader, Record, build_paper

__all__ = ["READER"]

# Accepted header names for each field, in order of preference.
_COLUMNS = {
    "title": ("title",),
    "abstract": ("abstract", "summary"),
    "authors": ("authors", "author"),
    "year": ("year", "publication_year"),
    "venue": ("venue", "journal", "booktitle"),
    "url": ("url", "link"),
    "doi": ("doi",),
    "arxiv": ("arxiv_id", "arxiv"),
    "id": ("id",),
}


def _delimiter(path: Path, header: str) -> str:
    if path.suffix.lower() == ".tsv":
        return "\t"
    try:
        return csv.Sniffer().sniff(header, delimiters=",;\t").delimiter
    except csv.Error:
        return ","


def sniff(path: Path, head: str) -> bool:
    """A header line that splits into more than one column."""
    header = head.lstrip("\ufeff").split("\n", 1)[0]
    return len(next(csv.reader([header], delimiter=_delimiter(path, header)), [])) > 1


def read(path: Path) -> Iterator[Record]:
    text = read_text(path)
    header_line = text.split("\n", 1)[0]
    rows = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(path, header_line))
    header = [name.strip().lower() for name in next(rows, [])]
    columns = {
        field: next((header.index(name) for name in names if name in header), None)
        for field, names in _COLUMNS.items()
    }
    for field in ("title", "abstract"):
        if columns[field] is None:
            raise InputError(
                f"no {field} column; the header row must name one of "
                f"{', '.join(_COLUMNS[field])} (it has: {', '.join(header) or 'nothing'})",
                path=path,
            )
    end_of_previous = rows.line_num
    for row in rows:
        # A quoted cell may span lines: a row starts just after the previous one ended.
        line, end_of_previous = end_of_previous + 1, rows.line_num
        if not any(cell.strip() for cell in row):
            continue
        fields: dict[str, object] = {
            field: row[index] if index is not None and index < len(row) else None
            for field, index in columns.items()
        }
        authors = fields["authors"]
        if isinstance(authors, str) and authors:
            # Commas in a cell belong to "Last, First"; people are separated by ";" or "and".
            fields["authors"] = re.split(r"\s*;\s*|\s+and\s+", authors)
        yield build_paper(fields, path=path, line=line)


READER = Reader(
    name="csv",
    description="CSV or TSV with a header row naming title and abstract columns",
    extensions=(".csv", ".tsv"),
    sniff=sniff,
    read=read,
)
