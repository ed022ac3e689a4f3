"""Database work handed to a thread with its own connection, one call at a time.

The province data.json of 100,000 datasets alternates between waiting for PostgreSQL (a chunk's
reads, the previous chunk's upsert) and writing entry texts in Python. Run by a side thread, the
reads of the next chunk and the store of the last one are the server's work on another core while
this thread writes. Only where that is safe: on PostgreSQL (SQLite's work is in this process) and
outside a transaction (the side connection would not see the caller's uncommitted rows, e.g. in
tests). Elsewhere a call runs in the calling thread, when its result is asked for.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from django.db import connection


class _Deferred:
    """A call run when its result is first asked for (the in-thread stand-in for a ``Future``)."""

    def __init__(self, fn: Callable, args: tuple):
        self._fn, self._args = fn, args

    def result(self) -> Any:
        return self._fn(*self._args)


class SideWorker:
    """Runs calls in order in one thread with its own connection (``submit``), or, where that is
    not safe, in the caller's thread when the result is asked for. ``close`` when done."""

    def __init__(self, name: str):
        usable = connection.vendor == "postgresql" and not connection.in_atomic_block
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix=name) if usable else None

    @property
    def in_thread(self) -> bool:
        return self._executor is not None

    def submit(self, fn: Callable, *args) -> Future | _Deferred:
        if self._executor is None:
            return _Deferred(fn, args)
        return self._executor.submit(fn, *args)

    def close(self) -> None:
        """Close the thread's connection once its queued calls are done, then the thread."""
        if self._executor is not None:
            self._executor.submit(_close_connection).result()
            self._executor.shutdown()


def _close_connection() -> None:
    """Close the calling thread's connection (``connection`` is per thread)."""
    connection.close()
