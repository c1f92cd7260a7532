"""One exception tree for paperkg, with messages that say what to do next.

KgError
├── InputError                 a file that cannot be read as papers
│   ├── UnknownFormatError     no reader recognises the file
│   └── RecordError            one malformed record (file, line); usually skipped
├── UnknownEntityError         no entity of the graph has the name; suggests close names
├── StoreError                 the on-disk store is missing, locked or damaged
├── QueryError                 a SPARQL query that does not parse or run
│   └── QueryTimeout           a query stopped because it ran out of time
├── ModelError                 an extraction pipeline that cannot be loaded
├── ClusterError               a dask cluster that cannot be reached or fails to extract
├── EndpointError              an external SPARQL store that refuses or fails a push
└── ViewError                  a view that cannot be drawn as asked (unknown entity, bad filter)
"""

from __future__ import annotations

from pathlib import Path


class KgError(Exception):
    """Base class of every error paperkg raises on purpose."""


class InputError(KgError):
    """An input file that cannot be read; the store is left untouched."""

    def __init__(self, message: str, *, path: str | Path | None = None) -> None:
        self.path = Path(path) if path is not None else None
        super().__init__(message if path is None else f"{path}: {message}")


class UnknownFormatError(InputError):
    """No reader recognises the file."""

    def __init__(self, path: str | Path, supported: list[str]) -> None:
        self.supported = list(supported)
        super().__init__(
            "unknown input format. Supported formats: "
            + ", ".join(self.supported)
            + ". Rename the file with a matching extension or convert it.",
            path=path,
        )


class RecordError(InputError):
    """One malformed record. Carries the file, the 1-based line and, where known, the column."""

    def __init__(
        self,
        message: str,
        *,
        path: str | Path,
        line: int | None = None,
        column: int | None = None,
    ) -> None:
        self.line = line
        self.column = column
        where = str(path)
        if line is not None:
            where += f":{line}"
            if column is not None:
                where += f":{column}"
        self.reason = message
        KgError.__init__(self, f"{where}: {message}")
        self.path = Path(path)


class StoreError(KgError):
    """The store cannot be opened, read or replaced."""


class UnknownEntityError(KgError, LookupError):
    """No entity of the graph has the name; carries the closest names it has."""

    def __init__(self, name: str, suggestions: list[str]) -> None:
        self.name = name
        self.suggestions = list(suggestions)
        hint = (
            "did you mean " + ", ".join(repr(s) for s in self.suggestions) + "?"
            if self.suggestions
            else "list the names with entities()"
        )
        super().__init__(f"no entity is named {name!r}; {hint}")


class QueryError(KgError):
    """A SPARQL query that does not parse or fails to run."""


class QueryTimeout(QueryError):
    """A query that ran longer than its time limit and was stopped."""

    def __init__(self, seconds: float, *, remedy: str) -> None:
        self.seconds = seconds
        super().__init__(f"the query did not finish within {seconds:g} s and was stopped; {remedy}")


class ModelError(KgError):
    """An extraction pipeline that cannot be built or loaded."""


class ClusterError(KgError):
    """A dask cluster that cannot be reached, has no workers, or fails to extract."""


class EndpointError(KgError):
    """An external SPARQL store that cannot be reached or refuses what is sent to it."""


class ViewError(KgError):
    """A view of the graph that cannot be drawn as asked: an unknown view, entity or filter."""
