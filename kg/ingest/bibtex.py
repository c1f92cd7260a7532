"""BibTeX files whose entries carry an ``abstract`` field, parsed with bibtexparser 2.

Names in "Last, First" form become "First Last"; LaTeX in every field is decoded.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from kg.errors import InputError, RecordError
from kg.ingest.clean import clean_text
from kg.ingest.encoding import read_text
from kg.ingest.reader import Reader, Record, build_paper

if TYPE_CHECKING:
    from bibtexparser.model import Block, Entry

__all__ = ["READER"]

_ENTRY_START = re.compile(r"^\s*@\s*[A-Za-z]+\s*[{(]", re.MULTILINE)


def _bibtex_text(value: str) -> str:
    """Decode one field value; braces that only protect capitals ("{BERT}") are dropped."""
    if "\\" not in value and "$" not in value:
        value = value.replace("{", "").replace("}", "")
    return clean_text(value)


def _split_names(value: str) -> list[str]:
    """Split an author field on " and " outside braces: "{Barnes and Noble}" is one name."""
    names, depth, start = [], 0, 0
    for found in re.finditer(r"[{}]|\s+and\s+", value):
        token = found.group()
        if token == "{":
            depth += 1
        elif token == "}":
            depth -= 1
        elif depth == 0:
            names.append(value[start : found.start()])
            start = found.end()
    names.append(value[start:])
    return [_bibtex_text(name) for name in names if name.strip()]


def _line(block: Block) -> int | None:
    # bibtexparser counts lines from 0.
    return block.start_line + 1 if block.start_line is not None else None


def _arxiv_eprint(fields: dict[str, str]) -> str | None:
    prefix = (fields.get("archiveprefix") or fields.get("eprinttype") or "").lower()
    return fields.get("eprint") if prefix == "arxiv" else None


def _paper(entry: Entry, path: Path) -> Record:
    line = _line(entry)
    fields = {
        key.lower(): field.value
        for key, field in entry.fields_dict.items()
        if isinstance(field.value, str)
    }
    if "abstract" not in fields:
        return RecordError(
            f"entry {entry.key!r} has no abstract field; add one or leave the entry out",
            path=path,
            line=line,
        )
    venue = fields.get("journal") or fields.get("booktitle") or fields.get("publisher")
    return build_paper(
        {
            "title": _bibtex_text(fields["title"]) if "title" in fields else None,
            "abstract": _bibtex_text(fields["abstract"]),
            "authors": _split_names(fields.get("author", "")),
            "year": fields.get("year"),
            "venue": _bibtex_text(venue) if venue else None,
            "url": fields.get("url"),
            "doi": fields.get("doi"),
            "arxiv": _arxiv_eprint(fields),
            # The citation key is a label chosen by whoever wrote the file, not an identifier
            # of the paper, so it is not used as the id.
        },
        path=path,
        line=line,
    )


def sniff(path: Path, head: str) -> bool:
    """Text with at least one ``@type{`` entry start."""
    return _ENTRY_START.search(head) is not None


def read(path: Path) -> Iterator[Record]:
    try:
        import bibtexparser
        from bibtexparser.model import Entry, ParsingFailedBlock
    except ImportError as err:  # pragma: no cover - a declared dependency
        raise InputError(
            "reading BibTeX needs bibtexparser 2: pip install 'bibtexparser>=2.0.0b7'", path=path
        ) from err
    library = bibtexparser.parse_string(read_text(path))
    for block in library.blocks:
        if isinstance(block, ParsingFailedBlock):
            error = block.error
            reason = getattr(error, "abort_reason", None) or str(error) or type(error).__name__
            yield RecordError(
                f"BibTeX block could not be parsed: {reason.strip()}",
                path=path,
                line=_line(block),
            )
        elif isinstance(block, Entry):
            yield _paper(block, path)


READER = Reader(
    name="bibtex",
    description="BibTeX entries with an abstract field",
    extensions=(".bib", ".bibtex"),
    sniff=sniff,
    read=read,
)
