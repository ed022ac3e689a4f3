"""A DuckDB connection that can read a few tables and nothing else, a time limit for it, and a pool.

Each table is a view named by our code over its Parquet file, created before the configuration
is locked with external access disabled: after that the connection cannot open any other file,
reach the network, install or load extensions, attach databases or change its own settings.

Opening and locking a connection costs tens of milliseconds, so connections are kept in a
per-process pool, keyed by exactly what they can see: each view's name, file (path, inode, size,
modification time) and definition, plus the limits. A table whose file is replaced by a new load
has a new key in every process, so no process can read an old file through a pooled connection.

A pooled connection cannot carry anything from one use to the next:

- every use runs inside a READ ONLY transaction that is rolled back afterwards, so nothing written
  to the catalog (temporary tables, views or macros that would shadow ours, an ATTACH) survives it;
  a use that ended the transaction itself (COMMIT/ROLLBACK) gets the connection thrown away;
- after the rollback, the session state a transaction does not cover (variables, prepared
  statements, the current database, schema and search path) must be exactly what it was when the
  connection was opened, otherwise the connection is thrown away;
- a connection interrupted by the time limit, or whose use raised anything but a DuckDB error,
  is thrown away rather than reused.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb
from django.conf import settings
from django.utils.translation import gettext as _

from abiertos.core.errors import ValidationError

from .models import DatastoreTable

ROW_ID = "_id"
# Session state a rollback does not undo, and what it must be in a clean connection.
SESSION_STATE_SQL = (
    "SELECT (SELECT count(*) FROM duckdb_variables()), (SELECT count(*) FROM duckdb_prepared_statements()), "
    "current_database(), current_schema(), current_setting('search_path')"
)
CLEAN_SESSION = (0, 0, "memory", "main", "")


def ident(name: str) -> str:
    """A quoted SQL identifier (names come from our columns list, never raw from a request)."""
    return '"' + name.replace('"', '""') + '"'


def literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def parquet_file(table: DatastoreTable) -> Path:
    return Path(settings.DATASTORE_ROOT) / table.parquet_path


@dataclass(frozen=True)
class ViewFile:
    """A Parquet file a sandbox view reads. ``with_id``: the file stores ``_id`` itself (a sorted copy);
    otherwise ``_id`` is the file's row number."""

    path: Path
    with_id: bool = False

    def select(self) -> str:
        if self.with_id:
            return f"SELECT * FROM read_parquet({literal(str(self.path))})"
        # file_row_number gives CKAN's _id (1-based, stable for one version of the table).
        return (
            f"SELECT file_row_number + 1 AS {ROW_ID}, * EXCLUDE (file_row_number) "
            f"FROM read_parquet({literal(str(self.path))}, file_row_number = true)"
        )

    def identity(self) -> tuple:
        """What makes two files the same for a pooled connection: a replaced file never matches."""
        try:
            stat = self.path.stat()
        except OSError:
            return (str(self.path), self.with_id, None)
        return (str(self.path), self.with_id, stat.st_ino, stat.st_size, stat.st_mtime_ns)


def _view_file(source: DatastoreTable | ViewFile) -> ViewFile:
    return source if isinstance(source, ViewFile) else ViewFile(parquet_file(source))


def _open(files: dict[str, ViewFile], derived: dict[str, str]) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(
        ":memory:",
        config={
            "threads": 2,
            "memory_limit": f"{settings.DATASTORE_QUERY_MEMORY_MB}MB",
            "autoinstall_known_extensions": False,
            "autoload_known_extensions": False,
            "temp_directory": "",
        },
    )
    try:
        con.execute("SET allowed_paths=?", [[str(f.path) for f in files.values()]])
        for name, file in files.items():
            con.execute(f"CREATE VIEW {ident(name)} AS {file.select()}")
        for name, select in derived.items():
            con.execute(f"CREATE VIEW {ident(name)} AS {select}")
        # A pooled connection reads the same files again and again: keep their footers (row group
        # statistics) parsed. Safe: the pool's key changes whenever a file does.
        con.execute("LOAD parquet")
        con.execute("SET parquet_metadata_cache = true")
        con.execute("SET enable_external_access = false")
        con.execute("SET lock_configuration = true")
    except BaseException:
        con.close()
        raise
    return con


class SandboxPool:
    """Idle locked connections of this process, by key; at most ``DATASTORE_SANDBOX_POOL`` kept."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.idle: OrderedDict[tuple, list[duckdb.DuckDBPyConnection]] = OrderedDict()
        self.interrupted: set[int] = set()
        self.opened = 0
        self.discarded = 0

    def take(self, key: tuple) -> duckdb.DuckDBPyConnection | None:
        with self.lock:
            connections = self.idle.get(key)
            if not connections:
                return None
            con = connections.pop()
            if not connections:
                del self.idle[key]
            return con

    def give(self, key: tuple, con: duckdb.DuckDBPyConnection) -> None:
        closing = []
        with self.lock:
            self.idle.setdefault(key, []).append(con)
            self.idle.move_to_end(key)
            size = max(0, settings.DATASTORE_SANDBOX_POOL)
            while sum(len(c) for c in self.idle.values()) > size:
                _oldest, connections = next(iter(self.idle.items()))
                closing.append(connections.pop(0))
                if not connections:
                    self.idle.popitem(last=False)
        for old in closing:
            old.close()

    def mark_interrupted(self, con: duckdb.DuckDBPyConnection) -> None:
        with self.lock:
            self.interrupted.add(id(con))

    def was_interrupted(self, con: duckdb.DuckDBPyConnection) -> bool:
        with self.lock:
            found = id(con) in self.interrupted
            self.interrupted.discard(id(con))
            return found

    def clear(self) -> None:
        """Close every idle connection and reset the counters."""
        with self.lock:
            connections = [c for group in self.idle.values() for c in group]
            self.idle.clear()
            self.opened = self.discarded = 0
        for con in connections:
            con.close()

    def idle_count(self) -> int:
        with self.lock:
            return sum(len(c) for c in self.idle.values())


pool = SandboxPool()
# A forked worker must not share its parent's connections: it starts with an empty pool (the
# parent's connections are kept referenced, never closed from the child).
_inherited: list[SandboxPool] = []


def _after_fork() -> None:
    global pool
    _inherited.append(pool)
    pool = SandboxPool()


os.register_at_fork(after_in_child=_after_fork)


def _clean_after_use(con: duckdb.DuckDBPyConnection) -> bool:
    """Roll back the use's transaction and check the session; False when the connection must go."""
    try:
        con.execute("ROLLBACK")  # fails when the use ended the transaction itself
        return con.execute(SESSION_STATE_SQL).fetchone() == CLEAN_SESSION
    except duckdb.Error:
        return False


@contextmanager
def sandbox(
    views: dict[str, DatastoreTable | ViewFile], derived: dict[str, str] | None = None
) -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection whose only objects are ``views`` (name → table or file), locked down.

    ``derived`` adds views (name → SELECT written by our code over those views), such as the
    union of the tables that share a standard schema. The connection comes from the pool when
    one with exactly these views is idle, and goes back to it clean (see the module's notes)."""
    files = {name: _view_file(source) for name, source in views.items()}
    derived = derived or {}
    key = (
        tuple(sorted((name, file.identity()) for name, file in files.items())),
        tuple(sorted(derived.items())),
        settings.DATASTORE_QUERY_MEMORY_MB,
    )
    owner = pool
    con = owner.take(key)
    if con is None:
        con = _open(files, derived)
        owner.opened += 1
    reusable = False
    try:
        con.execute("BEGIN TRANSACTION READ ONLY")
        yield con
        reusable = True
    except (Exception, GeneratorExit):
        # A failed query (bad SQL, a refused statement, a limit) or an abandoned stream leaves a
        # connection that is fine if it cleans up like any other; the checks below decide.
        reusable = True
        raise
    finally:
        interrupted = owner.was_interrupted(con)
        if reusable and not interrupted and owner is pool and _clean_after_use(con):
            owner.give(key, con)
        else:
            owner.discarded += 1
            con.close()


@contextmanager
def time_limit(con: duckdb.DuckDBPyConnection, milliseconds: int | None = None) -> Iterator[None]:
    """Interrupt whatever the connection runs once the limit passes; the query raises ValidationError.

    An interrupted connection is never reused: the interruption could otherwise land on the
    next query that uses it."""
    limit = (milliseconds if milliseconds is not None else settings.DATASTORE_QUERY_TIMEOUT_MS) / 1000
    guard, state = threading.Lock(), {"done": False}

    def interrupt() -> None:
        with guard:
            if state["done"]:
                return
            pool.mark_interrupted(con)
            con.interrupt()

    timer = threading.Timer(limit, interrupt)
    timer.daemon = True
    timer.start()
    try:
        yield
    except duckdb.InterruptException:
        raise ValidationError(
            _("La consulta tardó más de %(s)s segundos y se canceló. Probá con filtros o menos filas.")
            % {"s": f"{limit:g}"}
        ) from None
    except duckdb.OutOfMemoryException:
        raise ValidationError(
            _("La consulta necesita más memoria de la permitida. Probá con filtros, menos columnas o el cursor.")
        ) from None
    finally:
        with guard:
            state["done"] = True
        timer.cancel()
