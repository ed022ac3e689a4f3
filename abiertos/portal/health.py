"""Health checks for load balancers and operators.

``/healthz`` says the process is alive (no database: a balancer must not take every web process
out when the database blips). ``/readyz`` checks what a request needs — the database, the cache,
the task queue's storage and the shared folders — and answers 503 when one fails, naming it.
Neither needs a login, and neither shows more than the name of what failed.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.utils import timezone


def _database() -> dict:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {"vendor": connection.vendor}


def _cache() -> dict:
    key, value = f"readyz:{uuid.uuid4().hex}", uuid.uuid4().hex
    cache.set(key, value, timeout=10)
    found = cache.get(key)
    cache.delete(key)
    if found != value:
        raise RuntimeError("the cache did not return what was stored")
    return {}


def _queue() -> dict:
    from huey.contrib.djhuey import HUEY

    return {"pending": HUEY.pending_count()}


def _writable(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    probe = folder / f".readyz-{uuid.uuid4().hex}"
    probe.write_bytes(b"ok")
    probe.unlink()


def _storage() -> dict:
    for folder in (settings.MEDIA_ROOT, settings.DATASTORE_ROOT):
        _writable(Path(folder))
    return {}


def _stuck_jobs() -> dict:
    """Running jobs whose worker stopped beating: reported, never a failure (the reaper acts)."""
    from abiertos.jobs.models import Job

    since = timezone.now() - timedelta(seconds=settings.JOB_STALE_SECONDS + 60)
    return {"stuck": Job.objects.filter(status="running", heartbeat_at__lt=since).count()}


CHECKS: dict[str, Callable[[], dict]] = {
    "database": _database,
    "cache": _cache,
    "queue": _queue,
    "storage": _storage,
    "jobs": _stuck_jobs,
}


def readiness() -> tuple[bool, dict]:
    """Run every check; return (all passed, {name: {"ok": bool, "ms": float, ...}})."""
    results, healthy = {}, True
    for name, check in CHECKS.items():
        started = time.perf_counter()
        try:
            result = {"ok": True, **check()}
        except Exception as exc:  # noqa: BLE001 - a health check reports any failure by name
            healthy = False
            result = {"ok": False, "error": type(exc).__name__}
        result["ms"] = round((time.perf_counter() - started) * 1000, 1)
        results[name] = result
    return healthy, results
