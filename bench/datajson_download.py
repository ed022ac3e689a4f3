"""Download the province /data.json in this process and report time, size and peak RSS.

``--drop-export-cache`` removes the finished export files first (the catalog "changed": the export
is built while it streams); ``--drop-fragments`` also removes the stored dataset entries (the very
first export of an installation, which builds and stores every entry). ``--with-worker`` starts a
Huey consumer (``manage.py run_huey``, one worker thread) first and waits until it is ready, as a
deployment has: the view hands it the entries from the last dataset backwards while it streams
from the first one. Give ``REDIS_URL`` for a Redis queue, as in production (the SQLite queue
is polled, up to 10 s apart when idle). ``--without-judge`` serves the province data.json without
the federation judge (every published dataset federated, nothing validated), for comparison.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import threading
import time
from pathlib import Path

from catalog_setup import django_for


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default="sqlite")
    parser.add_argument("--name", default="catalog")
    parser.add_argument("--pg-database", default=None)
    parser.add_argument("--drop-export-cache", action="store_true")
    parser.add_argument("--drop-fragments", action="store_true")
    parser.add_argument("--with-worker", action="store_true")
    parser.add_argument("--without-judge", action="store_true")
    args = parser.parse_args()
    django_for(args.db, args.name, args.pg_database)
    if args.without_judge:
        from abiertos.catalog.federation import federation_judge_register

        federation_judge_register(None)
    from huey.contrib.djhuey import HUEY

    HUEY.flush()  # nothing left over from earlier runs (the queue is the benchmark's own)
    import shutil

    from django.conf import settings

    from abiertos.catalog.models import DatasetExportFragment

    if args.drop_export_cache or args.drop_fragments:
        shutil.rmtree(settings.CATALOG_CACHE_DIR, ignore_errors=True)
    if args.drop_fragments:
        DatasetExportFragment.objects.all().delete()
    from django.test import Client

    worker = _start_worker() if args.with_worker else None
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
    worker_cpu = _stop_worker(worker) if worker else None
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
                **({"worker_cpu_seconds": worker_cpu} if worker else {}),
            }
        )
    )


def _start_worker() -> subprocess.Popen:
    manage = Path(__file__).resolve().parent.parent / "manage.py"
    command = [sys.executable, str(manage), "run_huey", "--workers", "1", "--no-periodic", "--flush-locks"]
    worker = subprocess.Popen(command, stderr=subprocess.PIPE, text=True, env=os.environ.copy())
    for line in worker.stderr:  # ready once it has said so (Django set up, tasks registered)
        if "consumer started" in line.lower():
            threading.Thread(target=worker.stderr.read, daemon=True).start()  # keep the pipe drained
            return worker
    raise SystemExit("the Huey consumer did not start")


def _stop_worker(worker: subprocess.Popen) -> float:
    """Stop the consumer (after its running task, if any) and return the CPU seconds it used."""
    with open(f"/proc/{worker.pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    worker.terminate()
    worker.wait(timeout=120)
    return round((int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK"), 2)


if __name__ == "__main__":
    main()
