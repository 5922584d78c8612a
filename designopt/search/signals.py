"""Stopping a study by signal without tearing what it writes.

:class:`StopSignals` turns the first SIGINT or SIGTERM into a request to stop after the current
trial (:attr:`StopSignals.signal_name`); a second SIGINT stops at once by calling its
``hard_stop`` (raise :class:`KeyboardInterrupt` in the run's process; ``os._exit`` in a forked
worker, so that no traceback can be printed).  A hard stop that arrives while a journal record
is being written (inside :func:`uninterrupted`) waits until the record is complete.
"""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

__all__ = ["EXIT_INTERRUPTED", "StopSignals", "exit_interrupted", "uninterrupted"]

#: Exit status of a run or worker stopped by a second SIGINT (128 + SIGINT, the shell's rule).
EXIT_INTERRUPTED = 130


class _Critical(threading.local):
    depth = 0
    deferred: Callable[[], None] | None = None


_critical = _Critical()


@contextmanager
def uninterrupted() -> Iterator[None]:
    """Run the block to its end even if a hard stop comes in the middle (it runs after it)."""
    _critical.depth += 1
    try:
        yield
    finally:
        _critical.depth -= 1
        if _critical.depth == 0 and _critical.deferred is not None:
            stop, _critical.deferred = _critical.deferred, None
            stop()


def _raise_interrupt() -> None:
    raise KeyboardInterrupt


def exit_interrupted() -> None:
    """The hard stop of a forked worker: leave at once, quietly (its trial is re-queued)."""
    os._exit(EXIT_INTERRUPTED)


class StopSignals:
    """Context manager that handles SIGINT and SIGTERM as described in the module docstring.

    ``restore=False`` keeps the handlers after the block (a forked worker that is about to
    exit).  Handlers can be installed only in the main thread; elsewhere the context does
    nothing and signals keep their usual effect.
    """

    def __init__(
        self, *, hard_stop: Callable[[], None] = _raise_interrupt, restore: bool = True
    ) -> None:
        self.signal_name: str | None = None
        self.hard_stop = hard_stop
        self.restore = restore
        self._old: dict[int, Any] = {}

    def _handle(self, signum: int, frame) -> None:
        if self.signal_name is not None and signum == signal.SIGINT:
            if _critical.depth:
                _critical.deferred = self.hard_stop
                return
            self.hard_stop()
            return
        if self.signal_name is None:
            self.signal_name = signal.Signals(signum).name

    def __enter__(self) -> StopSignals:
        if threading.current_thread() is threading.main_thread():
            for sig in (signal.SIGINT, signal.SIGTERM):
                self._old[sig] = signal.signal(sig, self._handle)
        return self

    def __exit__(self, *exc) -> None:
        if self.restore:
            for sig, old in self._old.items():
                signal.signal(sig, old)
        self._old.clear()
