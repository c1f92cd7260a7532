"""The named queries shipped with paperkg (``ontology/queries``): their text, what they are
for, and the variables their header says to bind."""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

#: The named queries inside the installed package (the same files as ``ontology/queries``).
QUERIES = Path(str(files("kg") / "data" / "ontology" / "queries"))

_BIND_SENTENCE = re.compile(r"\bBind\b([^.]*)")
_VARIABLE = re.compile(r"\?(\w+)")


@dataclass(frozen=True, slots=True)
class NamedQuery:
    """A ``.rq`` file: ``name`` is its stem, ``description`` its header comment as one line,
    ``variables`` the names its header says to bind (in the order it gives them)."""

    name: str
    description: str
    text: str
    variables: tuple[str, ...]


def read_named_query(path: Path) -> NamedQuery:
    """The named query in ``path``.

    >>> query = read_named_query(QUERIES / "evidence.rq")
    >>> query.name, query.variables
    ('evidence', ('entity', 'paper'))
    """
    text = path.read_text(encoding="utf-8")
    header = []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        header.append(line.lstrip("#").strip())
    description = " ".join(header)
    variables = [
        name for part in _BIND_SENTENCE.findall(description) for name in _VARIABLE.findall(part)
    ]
    return NamedQuery(path.stem, description, text, tuple(dict.fromkeys(variables)))


def named_queries(folder: Path = QUERIES) -> list[NamedQuery]:
    """The named queries of ``folder``, by name."""
    return [read_named_query(path) for path in sorted(folder.glob("*.rq"))]
