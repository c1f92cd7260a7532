"""The explorer as a running server: uvicorn serves the application on a socket it is given,
and an Oxigraph server, started and stopped with it, answers the SPARQL queries."""

from __future__ import annotations

import socket
import threading
from contextlib import AbstractContextManager, ExitStack
from typing import Any

from kg.errors import KgError
from kg.graph.store import GraphStore
from kg.query.limits import DEFAULT_SERVE_TIMEOUT
from kg.query.server import (
    DEFAULT_CACHE_MB,
    DEFAULT_MAX_RESULT_MB,
    ENDPOINT,
    OxigraphProcess,
    SparqlEndpoint,
)

_STOP_SECONDS = 10.0


def _listen(host: str, port: int) -> socket.socket:
    try:
        family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
        sock = socket.socket(family[0][0], socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(2048)
    except OSError as err:
        raise KgError(
            f"cannot listen on {host}:{port}: {err.strerror or err}; "
            "choose another --host or --port"
        ) from err
    sock.set_inheritable(True)
    return sock


class ExplorerServer(AbstractContextManager["ExplorerServer"]):
    """The explorer of ``store`` on ``host:port``, with its Oxigraph server already running.

    :meth:`serve_forever` serves in this thread until Ctrl-C (or :meth:`shutdown` from another
    thread); :meth:`start` serves in a background thread. :meth:`close` stops both servers;
    so does leaving a ``with`` block.
    """

    def __init__(
        self,
        store: GraphStore,
        host: str = "127.0.0.1",
        port: int = 7878,
        *,
        timeout: float | None = DEFAULT_SERVE_TIMEOUT,
        max_result_mb: float | None = DEFAULT_MAX_RESULT_MB,
        cache_mb: float = DEFAULT_CACHE_MB,
        access_log: bool = False,
    ) -> None:
        self.store = store
        self.timeout = timeout
        self.max_result_mb = max_result_mb
        self._resources = ExitStack()
        try:
            # Fails first, with what to do, when there is no store.
            oxigraph = OxigraphProcess(store, timeout=timeout)
            self._resources.callback(oxigraph.close)
            import uvicorn

            from kg.api import KnowledgeGraph
            from kg.explorer.app import make_app

            self.oxigraph = oxigraph
            self._socket = self._resources.enter_context(_listen(host, port))
            self.endpoint = endpoint = SparqlEndpoint(
                oxigraph.url,
                timeout=timeout,
                max_result_bytes=None if max_result_mb is None else int(max_result_mb * 1e6),
                cache_bytes=int(cache_mb * 1e6),
            )
            app = make_app(KnowledgeGraph(store.path), endpoint)
        except BaseException:
            self._resources.close()
            raise
        config = uvicorn.Config(
            app, log_config=None, access_log=access_log, lifespan="on", timeout_keep_alive=30
        )
        self._server = uvicorn.Server(config)
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """The SPARQL endpoint's URL, such as ``http://127.0.0.1:7878/sparql``."""
        return self.root + ENDPOINT

    @property
    def root(self) -> str:
        """The explorer's URL, such as ``http://127.0.0.1:7878``."""
        host, port = self._socket.getsockname()[:2]
        if ":" in host:
            host = f"[{host}]"
        return f"http://{host}:{port}"

    def serve_forever(self) -> None:
        """Serve until :meth:`shutdown` is called or the process gets Ctrl-C."""
        self._server.run(sockets=[self._socket])
        if not self._server.started:
            raise KgError("the explorer did not start; the messages above say why")

    def start(self) -> None:
        """Serve in a background thread; return once requests are answered."""
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [self._socket]})
        self._thread.daemon = True
        self._thread.start()
        stopping = threading.Event()
        while not self._server.started and self._thread.is_alive():
            stopping.wait(0.02)
        if not self._server.started:
            raise KgError("the explorer did not start; the messages above say why")

    def shutdown(self) -> None:
        """Ask the server to stop; :meth:`serve_forever` then returns."""
        self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=_STOP_SECONDS)

    def close(self) -> None:
        """Stop serving, stop the Oxigraph server and close the socket."""
        self.shutdown()
        self._resources.close()

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def make_server(
    store: GraphStore, host: str = "127.0.0.1", port: int = 7878, **options: Any
) -> ExplorerServer:
    """The explorer of ``store`` on ``host:port`` (port 0 picks a free one); call ``start()``
    or ``serve_forever()`` to serve, ``close()`` when done. ``options`` are those of
    :class:`ExplorerServer`: ``timeout`` (seconds; a query that runs longer is stopped and
    answered with 503), ``max_result_mb`` (a larger answer is refused with 413; ``None`` lifts
    either limit), ``cache_mb`` (megabytes of answers kept for queries asked again; 0 keeps
    none) and ``access_log``.

    Raises :class:`~kg.errors.StoreError` at once when there is no store to serve.
    """
    return ExplorerServer(store, host, port, **options)
