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

from django.db import DatabaseError, connection, transaction
from django.db.models import Count, Max

from .datajson_entries import utc
from .models import DatasetExportFragment, Distribution, Field

logger = logging.getLogger(__name__)

# Bump when the shape of an entry changes, so entries written by older code are rebuilt.
FRAGMENT_FORMAT = "1"


def chunk_keys(datasets: list[tuple], first_id: int, last_id: int, themes: dict[int, list[str]], config: str):
    """The current key of each dataset of a chunk: rows start with (id, version, updated_at as
    text, slug, e-mail), ``datajson_entries.KEY_COLUMNS`` read by ``row_tuples``."""
    dists = (
        Distribution.objects.filter(dataset__gte=first_id, dataset__lte=last_id, deleted_at__isnull=True)
        .values_list("dataset_id")
        .annotate(n=Count("id"), latest=Max("updated_at"))
        .order_by()
    )
    dist_stats = {dataset_id: (n, latest) for dataset_id, n, latest in dists}
    fields = (
        Field.objects.filter(distribution__dataset__gte=first_id, distribution__dataset__lte=last_id)
        .values_list("distribution__dataset_id")
        .annotate(n=Count("id"), top=Max("id"))
        .order_by()
    )
    field_stats = {dataset_id: (n, top) for dataset_id, n, top in fields}
    keys = {}
    for pk, version, updated_at, slug, email, *_rest in datasets:
        text = (
            f"{FRAGMENT_FORMAT}|{config}|{version}|{utc(updated_at).isoformat()}|{slug}|"
            f"{email}|{themes.get(pk)}|{dist_stats.get(pk)}|{field_stats.get(pk)}"
        )
        keys[pk] = hashlib.sha256(text.encode()).hexdigest()
    return keys


def stored(first_id: int, last_id: int) -> dict[int, tuple[str, str, bool]]:
    """(key, entry text, federable) of the stored entries of the datasets with ids in the range."""
    rows = DatasetExportFragment.objects.filter(dataset__gte=first_id, dataset__lte=last_id)
    return {pk: (key, entry, ok) for pk, key, entry, ok in rows.values_list("dataset_id", "key", "entry", "federable")}


def store(items: list[tuple[int, str, str, bool]]) -> None:
    """Keep these (dataset id, key, entry text, federable); a failure only costs the next export some time.

    Building model instances for ``bulk_create`` cost more than writing the rows (a quarter of a
    first export), so the rows go straight to the database: on SQLite (in-process) one upsert
    statement run for every row through ``executemany``; on PostgreSQL, where each of those
    statements is parsed and planned by the server (6.5 of a first export's 14 s), the chunk is
    copied into a temporary table (``COPY``) and upserted from there in one statement."""
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
        with transaction.atomic(), connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                _copy_upsert(cursor, items, f"INSERT INTO {table} ({columns}) SELECT * FROM %s {upsert}")
            else:
                cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES (%s, %s, %s, %s) {upsert}", items)
    except DatabaseError:  # e.g. SQLite busy with a writer: serve the export anyway
        logger.warning("Could not store %d data.json entries", len(items), exc_info=True)


_LOAD_TABLE = "catalog_export_fragment_load_v2"  # v2: with ``federable``


def _copy_upsert(cursor, items: list[tuple[int, str, str, bool]], insert: str) -> None:
    """PostgreSQL: ``items`` copied into a temporary table of this session, then ``insert`` (with
    ``%s`` for that table) run once; the table is emptied after use (the transaction may be an
    outer one, e.g. in tests)."""
    columns = "dataset_id bigint, key text, entry text, federable boolean"
    cursor.execute(f"CREATE TEMPORARY TABLE IF NOT EXISTS {_LOAD_TABLE} ({columns})")
    with cursor.cursor.copy(f"COPY {_LOAD_TABLE} (dataset_id, key, entry, federable) FROM STDIN") as copy:
        for item in items:
            copy.write_row(item)
    cursor.execute(insert % _LOAD_TABLE)
    cursor.execute(f"TRUNCATE {_LOAD_TABLE}")
