"""Plain paper records in JSON Lines or JSON (an array, one object, or ``{"results": [...]}``).

Also the JSON container reading that the arXiv snapshot and OpenAlex readers share.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

from kg.errors import RecordError
from kg.ingest.encoding import read_text
from kg.ingest.reader import Reader, Record, build_paper

__all__ = ["READER", "json_objects", "read_text"]

_WHITESPACE = re.compile(r"[ \t\n\r]*")
_DECODER = json.JSONDecoder()


def json_objects(path: Path) -> Iterator[tuple[int, dict[str, object]] | RecordError]:
    """Each JSON object in ``path`` with the 1-based line where it starts.

    JSON Lines files give one object per line, and a line that does not parse or is not an
    object becomes a ``RecordError``. A JSON document may be an array of objects, a single
    object, or an API page ``{"results": [...]}``; a syntax error in it spoils the whole file
    and raises.
    """
    text = read_text(path)
    start = _WHITESPACE.match(text).end()  # type: ignore[union-attr]
    if start == len(text):
        return
    if text[start] == "[":
        yield from _located(path, text, _array(path, text, start))
        return
    if text[start] != "{":
        raise RecordError("not JSON: expected '[' or '{'", path=path, **_where(text, start))
    try:
        first, end = _DECODER.raw_decode(text, start)
    except json.JSONDecodeError as err:
        line_end = text.find("\n", start)
        if text[start : line_end if line_end >= 0 else len(text)].strip() == "{":
            raise _syntax_error(path, err) from err  # a pretty-printed document
        yield from _lines(path, text)
        return
    rest = _WHITESPACE.match(text, end).end()  # type: ignore[union-attr]
    if rest < len(text):
        yield from _lines(path, text)
        return
    results = first.get("results") if isinstance(first, dict) else None
    if isinstance(results, list):
        yield from _located(path, text, _results(path, text, start))
    else:
        yield from _located(path, text, iter([(start, first)]))


def _lines(path: Path, text: str) -> Iterator[tuple[int, dict[str, object]] | RecordError]:
    # Split on "\n" only: str.splitlines would also break on U+2028 inside JSON strings.
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as err:
            yield RecordError(
                f"not valid JSON: {err.msg}", path=path, line=number, column=err.colno
            )
            continue
        if isinstance(value, dict):
            yield number, value
        else:
            yield RecordError(
                f"expected a JSON object, got {_json_type(value)}", path=path, line=number
            )


def _located(
    path: Path, text: str, items: Iterator[tuple[int, object]]
) -> Iterator[tuple[int, dict[str, object]] | RecordError]:
    """Turn (character offset, value) pairs into (line, object), counting lines as it goes."""
    line, counted = 1, 0
    for offset, value in items:
        line += text.count("\n", counted, offset)
        counted = offset
        if isinstance(value, dict):
            yield line, value
        else:
            yield RecordError(
                f"expected a JSON object, got {_json_type(value)}", path=path, line=line
            )


def _array(path: Path, text: str, start: int) -> Iterator[tuple[int, object]]:
    """(offset, value) for each element of the JSON array at ``text[start] == "["``."""
    items, end = _scan_array(path, text, start)
    if _skip(text, end) < len(text):
        raise RecordError(
            "not valid JSON: unexpected text after the array", path=path, **_where(text, end)
        )
    yield from items


def _results(path: Path, text: str, start: int) -> Iterator[tuple[int, object]]:
    """(offset, value) for each element of the top-level ``"results"`` array."""
    i = _skip(text, start + 1)
    while i < len(text) and text[i] != "}":
        key, i = _decode(path, text, i)
        i = _skip(text, _expect(path, text, _skip(text, i), ":") + 1)
        if key == "results" and text.startswith("[", i):
            items, i = _scan_array(path, text, i)
            yield from items
        else:
            _, i = _decode(path, text, i)
        i = _skip(text, i)
        if text.startswith(",", i):
            i = _skip(text, i + 1)


def _scan_array(path: Path, text: str, start: int) -> tuple[list[tuple[int, object]], int]:
    items: list[tuple[int, object]] = []
    i = _skip(text, start + 1)
    if text.startswith("]", i):
        return items, i + 1
    while True:
        value, end = _decode(path, text, i)
        items.append((i, value))
        i = _skip(text, end)
        if text.startswith("]", i):
            return items, i + 1
        i = _skip(text, _expect(path, text, i, ",") + 1)


def _decode(path: Path, text: str, i: int) -> tuple[object, int]:
    try:
        return _DECODER.raw_decode(text, i)
    except json.JSONDecodeError as err:
        raise _syntax_error(path, err) from err


def _expect(path: Path, text: str, i: int, char: str) -> int:
    if not text.startswith(char, i):
        raise RecordError(f"not valid JSON: expected {char!r}", path=path, **_where(text, i))
    return i


def _skip(text: str, i: int) -> int:
    return _WHITESPACE.match(text, i).end()  # type: ignore[union-attr]


def _where(text: str, offset: int) -> dict[str, int]:
    line = text.count("\n", 0, offset) + 1
    return {"line": line, "column": offset - text.rfind("\n", 0, offset)}


def _syntax_error(path: Path, err: json.JSONDecodeError) -> RecordError:
    return RecordError(
        f"not valid JSON: {err.msg}; the file cannot be read past this point",
        path=path,
        line=err.lineno,
        column=err.colno,
    )


def _json_type(value: object) -> str:
    return {list: "an array", str: "a string", bool: "true/false", type(None): "null"}.get(
        type(value), "a number"
    )


def sniff(path: Path, head: str) -> bool:
    """JSON whose first record has a title."""
    return head.lstrip()[:1] in ("[", "{") and '"title"' in head


def read(path: Path) -> Iterator[Record]:
    for item in json_objects(path):
        if isinstance(item, RecordError):
            yield item
            continue
        line, record = item
        fields = dict(record)
        fields.setdefault("abstract", record.get("summary"))
        fields.setdefault("arxiv", record.get("arxiv_id"))
        yield build_paper(fields, path=path, line=line)


READER = Reader(
    name="records",
    description="paper records with title and abstract, as JSON Lines or a JSON array",
    extensions=(".jsonl", ".ndjson", ".json"),
    sniff=sniff,
    read=read,
)
