"""A DuckDB connection that can read a few tables and nothing else, and a time limit for it.

Each table is a view named by our code over its Parquet file, created before the configuration
is locked with external access disabled: after that the connection cannot open any other file,
reach the network, install or load extensions, attach databases or change its own settings.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
from django.conf import settings
from django.utils.translation import gettext as _

from abiertos.core.errors import ValidationError

from .models import DatastoreTable

ROW_ID = "_id"


def ident(name: str) -> str:
    """A quoted SQL identifier (names come from our columns list, never raw from a request)."""
    return '"' + name.replace('"', '""') + '"'


def literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def parquet_file(table: DatastoreTable) -> Path:
    return Path(settings.DATASTORE_ROOT) / table.parquet_path


@contextmanager
def sandbox(
    views: dict[str, DatastoreTable], derived: dict[str, str] | None = None
) -> Iterator[duckdb.DuckDBPyConnection]:
    """A fresh in-memory connection whose only objects are ``views`` (name → table), locked down.

    ``derived`` adds views (name → SELECT written by our code over those views), such as the
    union of the tables that share a standard schema."""
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
        paths = {name: parquet_file(table) for name, table in views.items()}
        con.execute("SET allowed_paths=?", [[str(p) for p in paths.values()]])
        for name, path in paths.items():
            # file_row_number gives CKAN's _id (1-based, stable for one version of the table).
            con.execute(
                f"CREATE VIEW {ident(name)} AS SELECT file_row_number + 1 AS {ROW_ID}, * EXCLUDE (file_row_number) "
                f"FROM read_parquet({literal(str(path))}, file_row_number = true)"
            )
        for name, select in (derived or {}).items():
            con.execute(f"CREATE VIEW {ident(name)} AS {select}")
        con.execute("SET enable_external_access = false")
        con.execute("SET lock_configuration = true")
        yield con
    finally:
        con.close()


@contextmanager
def time_limit(con: duckdb.DuckDBPyConnection, milliseconds: int | None = None) -> Iterator[None]:
    """Interrupt whatever the connection runs once the limit passes; the query raises ValidationError."""
    limit = (milliseconds if milliseconds is not None else settings.DATASTORE_QUERY_TIMEOUT_MS) / 1000
    timer = threading.Timer(limit, con.interrupt)
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
        timer.cancel()
