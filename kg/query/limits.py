"""Queries with a time limit. Oxigraph's Python API cannot stop a running query, so a query
with a limit runs in a worker process, which is killed when its time runs out."""

from __future__ import annotations

import multiprocessing
import signal
from collections.abc import Callable
from concurrent.futures import TimeoutError as FutureTimeout
from types import TracebackType
from typing import TYPE_CHECKING, Any, TypeVar

from kg.errors import QueryTimeout

if TYPE_CHECKING:
    from pebble import ProcessPool

T = TypeVar("T")

#: Seconds ``kg serve`` gives a query unless ``--timeout`` says otherwise.
DEFAULT_SERVE_TIMEOUT = 30.0


def _call(function: Callable[..., T], args: tuple[Any, ...]) -> T:
    # pebble stops a worker with SIGTERM and a Python handler, which cannot run while Oxigraph
    # evaluates a query; with the default action the worker ends at once.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    return function(*args)


class QueryWorkers:
    """Worker processes that run functions with a time limit; a worker whose call runs out of
    time is killed and replaced. Workers start from a fork server, so that a threaded caller
    (the HTTP server) never forks itself.

    >>> with QueryWorkers() as workers:
    ...     workers.run(pow, 2, 10, seconds=30)
    1024
    """

    def __init__(self, workers: int = 1) -> None:
        from pebble import ProcessPool  # loaded only where a limit is set

        self._pool: ProcessPool = ProcessPool(
            max_workers=workers, context=multiprocessing.get_context("forkserver")
        )

    def run(
        self,
        function: Callable[..., T],
        *args: Any,
        seconds: float,
        remedy: str = "give it a longer time limit",
    ) -> T:
        """``function(*args)`` in a worker; :class:`~kg.errors.QueryTimeout` (which says
        ``remedy``) when it takes more than ``seconds``, counted from when a worker starts it.
        The function, its arguments and its result must pickle."""
        future = self._pool.schedule(_call, args=(function, args), timeout=seconds)
        try:
            return future.result()
        except FutureTimeout as err:
            raise QueryTimeout(seconds, remedy=remedy) from err

    def close(self) -> None:
        self._pool.stop()
        self._pool.join()

    def __enter__(self) -> QueryWorkers:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()
