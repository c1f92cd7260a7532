"""Extraction on a dask.distributed cluster: batches of papers go to the workers, each of which
loads the pipeline once, and come back as the compact records the extraction cache keeps.

dask is an optional extra (``pip install "paperkg[dask]"``), imported only when a build is
given a scheduler.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from itertools import islice
from typing import TYPE_CHECKING

from kg.errors import ClusterError, KgError, ModelError
from kg.ingest.paper import Paper

if TYPE_CHECKING:
    from kg.graph.corpus import BuildSettings

#: Seconds to wait for the scheduler, and for its first worker, before giving up.
DEFAULT_CONNECT_TIMEOUT = 10.0
#: Papers per task: a task should take about a second, so that what dask spends on each
#: (a few milliseconds) is lost in it.
DEFAULT_BATCH_SIZE = 64
#: Tasks waiting on the cluster per worker thread: enough that no worker waits for the next,
#: few enough that the client and scheduler hold a window of the texts, not all of them.
TASKS_PER_THREAD = 4
#: Times a batch that raised is run again; a batch whose worker died is run again by the
#: scheduler (``distributed.scheduler.allowed-failures``, 3 by default).
RETRIES = 2

_INSTALL_HINT = 'install the dask extra: pip install "paperkg[dask]"'


@dataclass(frozen=True, slots=True)
class Cluster:
    """A dask.distributed scheduler to extract on, as ``tcp://host:port``.

    >>> Cluster("tcp://10.0.0.5:8786").connect_timeout
    10.0
    """

    address: str
    connect_timeout: float = DEFAULT_CONNECT_TIMEOUT
    batch_size: int = DEFAULT_BATCH_SIZE


def extract_on_cluster(
    papers: Sequence[Paper], settings: BuildSettings, cluster: Cluster
) -> Iterator[tuple[Paper, bytes]]:
    """Each of ``papers`` with its analysis record (:func:`kg.graph.corpus.analysis_record`),
    extracted on ``cluster`` with ``settings``' extractor, in the order the batches finish.

    Only titles and abstracts go to the workers; a worker that runs another version of the
    extractor stops the extraction with :class:`ModelError`.
    """
    try:
        from distributed import as_completed
    except ImportError as err:
        raise ClusterError(f"extraction on a dask cluster needs dask; {_INSTALL_HINT}") from err
    client = _connect(cluster)
    with client:
        threads = sum(client.nthreads().values())
        batches = iter(_batches(papers, cluster.batch_size))
        pending: dict[object, list[Paper]] = {}

        def submit(count: int) -> list[object]:
            futures = []
            for batch in islice(batches, count):
                texts = [(p.id, p.title, p.abstract) for p in batch]
                future = client.submit(
                    extract_batch,
                    settings.extractor,
                    settings.min_confidence,
                    texts,
                    retries=RETRIES,
                    pure=False,
                )
                pending[future] = batch
                futures.append(future)
            return futures

        finished = as_completed(submit(max(threads, 1) * TASKS_PER_THREAD), loop=client.loop)
        for future in finished:
            batch = pending.pop(future)
            version, records = _result(future, cluster)
            if version != settings.version:
                raise ModelError(
                    f"the workers of {cluster.address} extract with {settings.extractor} "
                    f"version {version}, this machine with {settings.version}; install the "
                    "same paperkg on the workers as here"
                )
            for added in submit(1):
                finished.add(added)
            yield from zip(batch, records, strict=True)


def _connect(cluster: Cluster):
    """A client of ``cluster``'s scheduler with at least one worker."""
    from distributed import Client

    where = f"the dask scheduler at {cluster.address}"
    try:
        client = Client(cluster.address, timeout=cluster.connect_timeout, set_as_default=False)
    except (OSError, TimeoutError) as err:
        raise ClusterError(
            f"cannot reach {where} within {cluster.connect_timeout:g} s; start it with "
            "`dask scheduler` (and workers with `dask worker ADDRESS`), check the address, "
            "or wait longer with --connect-timeout SECONDS"
        ) from err
    except ValueError as err:
        raise ClusterError(
            f"{cluster.address!r} is not a scheduler address; give one as tcp://host:port"
        ) from err
    try:
        client.wait_for_workers(1, timeout=cluster.connect_timeout)
    except (OSError, TimeoutError) as err:
        client.close()
        raise ClusterError(
            f"{where} has no workers after {cluster.connect_timeout:g} s; start some with "
            f"`dask worker {cluster.address} --nthreads 1`"
        ) from err
    return client


def _result(future, cluster: Cluster) -> tuple[str, list[bytes]]:
    from distributed import KilledWorker

    try:
        return future.result()
    except KgError:
        raise
    except KilledWorker as err:
        raise ClusterError(
            f"a batch of papers ended the workers of {cluster.address} that ran it, "
            "again and again; look at the workers' logs (memory limits, crashes)"
        ) from err
    except ModuleNotFoundError as err:
        raise ClusterError(
            f"the workers of {cluster.address} cannot import {err.name}; install paperkg, "
            "the same version as here, where they run"
        ) from err
    except Exception as err:
        raise ClusterError(
            f"extraction failed on the cluster at {cluster.address}: {type(err).__name__}: {err}"
        ) from err


def _batches(papers: Sequence[Paper], size: int) -> Iterator[list[Paper]]:
    for start in range(0, len(papers), size):
        yield list(papers[start : start + size])


# --- on the workers ---------------------------------------------------------------------------

_EXTRACTORS: dict[tuple[str, float], object] = {}
#: One task at a time loads or runs a worker's pipeline: threads of one worker share it, and
#: its vector memory is not made for concurrent use. Run workers with one thread each.
_PIPELINE = threading.Lock()


def extract_batch(
    extractor: str, min_confidence: float, texts: list[tuple[str, str, str]]
) -> tuple[str, list[bytes]]:
    """Run on a worker: the extractor's version and the analysis record of each (id, title,
    abstract). The worker process loads the pipeline on its first batch and keeps it."""
    from kg.graph.corpus import analysis_record
    from kg.nlp.analysis import analyse
    from kg.nlp.extract import SpacyExtractor

    papers = [Paper(id=id_, title=title, abstract=abstract) for id_, title, abstract in texts]
    with _PIPELINE:
        nlp = _EXTRACTORS.get((extractor, min_confidence))
        if not isinstance(nlp, SpacyExtractor):
            from threadpoolctl import threadpool_limits

            # One BLAS thread: a cluster runs one worker per core.
            threadpool_limits(1)
            nlp = SpacyExtractor.create(extractor, min_confidence=min_confidence)
            _EXTRACTORS[(extractor, min_confidence)] = nlp
        found = nlp.extract(papers, batch_size=len(papers))
        records = [analysis_record(analyse(paper, mentions)) for paper, mentions in found]
    return nlp.version, records
