"""Worker processes that end with their parent: a build killed outright (``kill -9``) must not
leave extraction workers behind, holding a pipeline's memory with no one to work for."""

from __future__ import annotations

import ctypes
import ctypes.util
import multiprocessing
import os
import signal
import sys
import threading
import time

_PR_SET_PDEATHSIG = 1
#: How often a worker without ``prctl`` looks whether its parent is still there (seconds).
POLL_SECONDS = 0.5


def exit_with_parent() -> None:
    """Make this process end when the process that started it dies, however it dies.

    On Linux the kernel sends the signal (``prctl(PR_SET_PDEATHSIG)``); elsewhere a daemon
    thread polls the parent's pid. Called in a worker's initializer.
    """
    parent = multiprocessing.parent_process()
    parent_pid = parent.pid if parent is not None else os.getppid()
    if sys.platform.startswith("linux") and _set_death_signal():
        # The parent may have died between the fork and the prctl call.
        if os.getppid() != parent_pid:
            os._exit(1)
        return
    threading.Thread(
        target=_watch, args=(parent_pid,), daemon=True, name="exit-with-parent"
    ).start()


def _set_death_signal() -> bool:
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        return libc.prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def _watch(parent_pid: int) -> None:
    while os.getppid() == parent_pid:
        time.sleep(POLL_SECONDS)
    os._exit(1)
