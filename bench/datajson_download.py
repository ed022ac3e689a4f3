"""Download the province /data.json in this process and report time, size and peak RSS.

``--drop-export-cache`` removes the finished export files first (the catalog "changed": the export
is built while it streams); ``--drop-fragments`` also removes the stored dataset entries (the very
first export of an installation, which builds and stores every entry).
"""

from __future__ import annotations

import argparse
import json
import resource
import time

from catalog_setup import django_for


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default="sqlite")
    parser.add_argument("--name", default="catalog")
    parser.add_argument("--pg-database", default=None)
    parser.add_argument("--drop-export-cache", action="store_true")
    parser.add_argument("--drop-fragments", action="store_true")
    args = parser.parse_args()
    django_for(args.db, args.name, args.pg_database)
    import shutil

    from django.conf import settings

    from abiertos.catalog.models import DatasetExportFragment

    if args.drop_export_cache or args.drop_fragments:
        shutil.rmtree(settings.CATALOG_CACHE_DIR, ignore_errors=True)
    if args.drop_fragments:
        DatasetExportFragment.objects.all().delete()
    from django.test import Client

    baseline_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    cpu_started = time.process_time()
    response = Client().get("/data.json")
    size = 0
    datasets = 0
    marker = b'"accrualPeriodicity"'
    if response.streaming:
        tail = b""
        for chunk in response.streaming_content:
            size += len(chunk)
            # Count markers split across chunk boundaries too (files are served in fixed-size blocks).
            window = tail + chunk
            datasets += window.count(marker) - tail.count(marker)
            tail = window[-(len(marker) - 1) :]
    else:
        size = len(response.content)
        datasets = response.content.count(marker)
    seconds = time.perf_counter() - started
    cpu_seconds = time.process_time() - cpu_started
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        json.dumps(
            {
                "status": response.status_code,
                "streaming": response.streaming,
                "seconds": round(seconds, 2),
                # CPU of this process (SQLite runs inside it; PostgreSQL's own work is not counted):
                # less disturbed than wall time when other programs load the machine.
                "cpu_seconds": round(cpu_seconds, 2),
                "megabytes": round(size / 1e6, 1),
                "datasets": datasets,
                "peak_rss_mb": round(peak_kb / 1024, 1),
                "rss_before_request_mb": round(baseline_kb / 1024, 1),
            }
        )
    )


if __name__ == "__main__":
    main()
