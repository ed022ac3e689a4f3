"""Follow a long DuckDB statement from a second thread, so a job's progress bar moves during the load.

The callback may raise (a cancelled job does): the statement is then interrupted and the error is
raised again in the thread that ran it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from django.db import connection

POLL_SECONDS = 1.0


class QueryWatcher(threading.Thread):
    def __init__(self, con, report: Callable[[float], None]):
        super().__init__(daemon=True)
        self.con, self.report = con, report
        # DuckDB only tracks progress with its progress bar on; keep it from printing.
        con.execute("SET enable_progress_bar = true")
        con.execute("SET enable_progress_bar_print = false")
        self.stopped = threading.Event()
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            while not self.stopped.wait(POLL_SECONDS):
                percent = self.con.query_progress()
                if percent is not None and percent >= 0:
                    self.report(percent)
        except BaseException as exc:  # noqa: BLE001 - handed back to the thread running the query
            self.error = exc
            self.con.interrupt()
        finally:
            connection.close()

    def __enter__(self) -> QueryWatcher:
        self.start()
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        self.stopped.set()
        self.join()
        if self.error is not None:
            raise self.error
