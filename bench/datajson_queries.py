"""Where the province data.json's time goes: every query the export runs, timed and explained.

    python bench/datajson_queries.py --db postgres --name djpg --pg-database h_djpg_bench --drop-fragments
    python bench/datajson_queries.py --db postgres --name djpg --pg-database h_djpg_bench --explain

Streams the province export in this process (``catalog_stream``, the response's text, discarded)
with ``connection.execute_wrapper`` timing each statement: time inside ``execute`` is the database
server's work plus the transfer (psycopg reads the whole result there); converting rows into
Python objects comes after it and counts as the process's own time. Statements are grouped by
their text (parameters are separate). ``--explain`` then runs ``EXPLAIN (ANALYZE, BUFFERS)`` on one
instance of each ``SELECT`` seen in the middle of the export (PostgreSQL). ``--drop-fragments``
first removes the stored entries (the first export of an installation).
"""

from __future__ import annotations

import argparse
import json
import time
from collections import defaultdict

from catalog_setup import django_for


class QueryLog:
    """Total time, count and a sample (sql, params) per statement text."""

    def __init__(self, sample_at: int):
        self.sample_at = sample_at
        self.seconds: dict[str, float] = defaultdict(float)
        self.count: dict[str, int] = defaultdict(int)
        self.sample: dict[str, tuple] = {}

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds[sql] += time.perf_counter() - started
            self.count[sql] += 1
            if self.count[sql] == self.sample_at or sql not in self.sample:
                self.sample[sql] = (sql, params)


def _store_timer(seconds: list[float]):
    """Wrap ``export_fragments.store`` (its COPY bypasses the execute wrapper) to time it whole."""
    from abiertos.catalog import export_fragments

    original = export_fragments.store

    def timed(items):
        started = time.perf_counter()
        try:
            return original(items)
        finally:
            seconds.append(time.perf_counter() - started)

    export_fragments.store = timed


def _pieces(http: bool, catalog_stream, scope, chunk_size: int | None):
    """The export's pieces: from ``catalog_stream``, or from the view with the export cache dropped."""
    if not http:
        return catalog_stream(scope, **({"chunk_size": chunk_size} if chunk_size else {}))
    import shutil

    from django.conf import settings
    from django.test import Client

    shutil.rmtree(settings.CATALOG_CACHE_DIR, ignore_errors=True)
    return Client().get("/data.json").streaming_content


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default="postgres")
    parser.add_argument("--name", default="catalog")
    parser.add_argument("--pg-database", default=None)
    parser.add_argument("--drop-fragments", action="store_true")
    parser.add_argument("--explain", action="store_true")
    parser.add_argument("--chunk-size", type=int, default=None, help="datasets per chunk (default the export's)")
    parser.add_argument("--http", action="store_true", help="through the view (test client), export cache dropped")
    args = parser.parse_args()
    django_for(args.db, args.name, args.pg_database)
    from django.db import connection

    from abiertos.catalog.datajson import catalog_stream, scope_for_province
    from abiertos.catalog.models import DatasetExportFragment

    if args.drop_fragments:
        DatasetExportFragment.objects.all().delete()
    store_seconds: list[float] = []
    _store_timer(store_seconds)
    log = QueryLog(sample_at=50)
    scope = scope_for_province()
    started, cpu_started = time.perf_counter(), time.process_time()
    size = 0
    with connection.execute_wrapper(log):
        for piece in _pieces(args.http, catalog_stream, scope, args.chunk_size):
            size += len(piece)
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    in_queries = sum(log.seconds.values())
    print(
        json.dumps(
            {
                "seconds": round(wall, 2),
                "cpu_seconds": round(cpu, 2),
                "in_execute_seconds": round(in_queries, 2),
                "store_seconds": round(sum(store_seconds), 2),
                "characters": size,
            }
        )
    )
    for sql in sorted(log.seconds, key=log.seconds.get, reverse=True):
        print(f"{log.seconds[sql]:8.3f} s {log.count[sql]:6d}×  {' '.join(sql.split())[:220]}")
    if args.explain and connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for sql, params in log.sample.values():
                if not sql.lstrip().upper().startswith("SELECT"):
                    continue
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
                print("\n" + " ".join(sql.split())[:300])
                print("\n".join(row[0] for row in cursor.fetchall()))


if __name__ == "__main__":
    main()
