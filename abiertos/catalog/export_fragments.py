"""Stored data.json entries of datasets (DatasetExportFragment), and the keys that say they are current.

The province data.json of 100,000 datasets took most of its time reading rows and building
entries that had not changed since the last export. Each dataset's entry is now kept as text
with a key digesting what it was built from; an export reads, per chunk of datasets, a few
aggregates (distribution count and latest change, field count and highest id, theme ids) and
reuses every entry whose key still matches. Field rows rewritten without touching the dataset
(the datastore rebuilds the data dictionary with new rows) change the highest id and the count,
so they are noticed too. Only the entries that changed are rebuilt and stored again, each with
the national profile's verdict on it (``federable``, see federation.py).
"""

from __future__ import annotations

import hashlib
import logging

import psycopg
from django.db import DatabaseError, connection, transaction
from django.db.models import Count, Max, TextField
from django.db.models.functions import Cast

from .datajson_entries import Query, utc
from .models import DatasetExportFragment, Distribution, Field
from .side_connection import SideWorker

logger = logging.getLogger(__name__)

# Bump when the shape of an entry changes, so entries written by older code are rebuilt.
FRAGMENT_FORMAT = "1"


def key_queries(first_id: int, last_id: int) -> list[Query]:
    """Reads of the aggregates keys digest, for the datasets with ids in the range: per dataset,
    its live distributions' count and latest change, and its fields' count and highest id."""
    dists = (
        Distribution.objects.filter(dataset__gte=first_id, dataset__lte=last_id, deleted_at__isnull=True)
        .values_list("dataset_id")
        .annotate(n=Count("id"), latest=Cast(Max("updated_at"), TextField()))
        .order_by()
    )
    fields = (
        Field.objects.filter(distribution__dataset__gte=first_id, distribution__dataset__lte=last_id)
        .values_list("distribution__dataset_id")
        .annotate(n=Count("id"), top=Max("id"))
        .order_by()
    )
    return [dists.query.sql_with_params(), fields.query.sql_with_params()]


def chunk_keys(datasets: list[tuple], key_rows: list[list[tuple]], themes: dict[int, list[str]], config: str):
    """The current key of each dataset of a chunk: rows start with (id, version, updated_at as
    text, slug, e-mail), ``datajson_entries.KEY_COLUMNS`` read by ``row_tuples``; ``key_rows``
    are the rows of ``key_queries`` over the chunk's range."""
    dist_rows, field_rows = key_rows
    dist_stats = {dataset_id: (n, utc(latest)) for dataset_id, n, latest in dist_rows}
    field_stats = {dataset_id: (n, top) for dataset_id, n, top in field_rows}
    keys = {}
    for pk, version, updated_at, slug, email, *_rest in datasets:
        text = (
            f"{FRAGMENT_FORMAT}|{config}|{version}|{utc(updated_at).isoformat()}|{slug}|"
            f"{email}|{themes.get(pk)}|{dist_stats.get(pk)}|{field_stats.get(pk)}"
        )
        keys[pk] = hashlib.sha256(text.encode()).hexdigest()
    return keys


def stored_query(first_id: int, last_id: int) -> Query:
    """Read of the stored (dataset id, key, entry text, federable) of the datasets with ids in the range."""
    rows = DatasetExportFragment.objects.filter(dataset__gte=first_id, dataset__lte=last_id)
    return rows.values_list("dataset_id", "key", "entry", "federable").query.sql_with_params()


def stored(rows: list[tuple]) -> dict[int, tuple[str, str, bool]]:
    """(key, entry text, federable) by dataset id, from the rows of ``stored_query``."""
    return {pk: (key, entry, ok) for pk, key, entry, ok in rows}


def store(items: list[tuple[int, str, str, bool]]) -> None:
    """Keep these (dataset id, key, entry text, federable); a failure only costs the next export some time.

    Building model instances for ``bulk_create`` cost more than writing the rows (a quarter of a
    first export), so the rows go straight to the database: on SQLite (in-process) one upsert
    statement run for every row through ``executemany``; on PostgreSQL one statement for the whole
    chunk (``_upsert_arrays``)."""
    if not items:
        return
    table, pk, key, entry, ok = map(
        connection.ops.quote_name, (DatasetExportFragment._meta.db_table, "dataset_id", "key", "entry", "federable")
    )
    columns = f"{pk}, {key}, {entry}, {ok}"
    upsert = (
        f"ON CONFLICT ({pk}) DO UPDATE SET {key} = EXCLUDED.{key}, {entry} = EXCLUDED.{entry}, {ok} = EXCLUDED.{ok}"
    )
    try:
        outermost = not connection.in_atomic_block
        with transaction.atomic(), connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                insert = f"INSERT INTO {table} ({columns}) SELECT * FROM {{}} {upsert}"
                _upsert_arrays(items, insert, lazy_commit=outermost)
            else:
                cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES (%s, %s, %s, %s) {upsert}", items)
    except DatabaseError:  # e.g. SQLite busy with a writer: serve the export anyway
        logger.warning("Could not store %d data.json entries", len(items), exc_info=True)


def _upsert_arrays(items: list[tuple[int, str, str, bool]], insert: str, *, lazy_commit: bool) -> None:
    """PostgreSQL: ``insert`` (``{}`` for its source rows) run once, the chunk's columns passed as
    four arrays in binary (``unnest``).

    Django's cursor binds parameters on the client, which escapes every quote of a megabyte of
    JSON text in Python; a server-binding cursor sends the arrays as they are. This replaced a
    ``COPY`` into a temporary table plus the upsert (four statements per chunk, the table created
    and truncated each time). ``lazy_commit``: the transaction commits without waiting for its
    WAL to reach the disk (``synchronous_commit``, for this transaction only): after a crash the
    last chunks may be missing, which costs the next export their rebuilding and nothing else.
    Not set inside a caller's transaction, whose other writes it would weaken too."""
    ids, keys, entries, verdicts = (list(column) for column in zip(*items, strict=True))
    with connection.wrap_database_errors, psycopg.Cursor(connection.connection) as cursor:
        if lazy_commit:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")
        cursor.execute(
            insert.format("unnest(%b::bigint[], %b::text[], %b::text[], %b::boolean[])"), (ids, keys, entries, verdicts)
        )


class BackgroundStore:
    """``store`` for an export that streams: each chunk stored by a side thread with its own
    connection (side_connection.py) while the caller builds the next, one chunk in flight at most.

    On PostgreSQL a chunk's upsert is mostly the server's work (heap, index, WAL), which then runs
    on another core instead of between two chunks. Where a side thread is not safe (inside a
    transaction, on SQLite) each chunk is stored at once, as ``store`` does."""

    def __init__(self):
        self._side = SideWorker("datajson-store")
        self._pending = None

    def __call__(self, items: list[tuple[int, str, str, bool]]) -> None:
        if not self._side.in_thread:
            store(items)
            return
        self._wait()
        self._pending = self._side.submit(store, items)

    def _wait(self) -> None:
        pending, self._pending = self._pending, None
        if pending is not None:
            pending.result()

    def close(self) -> None:
        """Wait for the last chunk, then close the side thread and its connection."""
        try:
            self._wait()
        finally:
            self._side.close()
