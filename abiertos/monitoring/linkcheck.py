"""A polite checker of the external links of published distributions.

Polite: at most ``PER_HOST_PER_RUN`` requests to one host per run, ``HOST_DELAY`` seconds apart;
a HEAD first, and a one-byte ranged GET only when the server does not answer HEAD; a link that
works is checked again after ``RECHECK_OK``; one that fails is retried with exponential backoff
(``RETRY_BASE`` × 2^failures, at most ``RECHECK_OK``) and is reported broken from its
``BROKEN_AFTER``-th failure in a row, so a server's bad minute does not blame a publisher.
"""

from __future__ import annotations

import time
import urllib.error
import urllib.request
from collections import Counter
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from django.db import transaction
from django.utils import timezone

from abiertos.catalog.models import Distribution

from .facts import live_datasets
from .models import LinkCheck, LinkStatus

PER_HOST_PER_RUN = 5
HOST_DELAY = 1.0
TIMEOUT = 10
RECHECK_OK = timedelta(days=7)
RETRY_BASE = timedelta(hours=1)
BROKEN_AFTER = 2
USER_AGENT = "MunicipiosAbiertos-linkcheck/1.0 (+revisión de enlaces de datos abiertos)"
HEAD_REFUSED = {403, 405, 501}


def linkcheck_sync() -> int:
    """Make one LinkCheck per live external link; forget the others. Returns how many exist."""
    rows = Distribution.objects.filter(
        dataset__in=live_datasets(), deleted_at__isnull=True, external_url__gt=""
    ).values_list("id", "external_url", "dataset__municipality_id")
    wanted = {dist_id: (url, municipality_id) for dist_id, url, municipality_id in rows}
    existing = {c.distribution_id: c for c in LinkCheck.objects.all()}
    now = timezone.now()
    with transaction.atomic():
        LinkCheck.objects.exclude(distribution_id__in=list(wanted)).delete()
        new, changed = [], []
        for dist_id, (url, municipality_id) in wanted.items():
            check = existing.get(dist_id)
            if check is None:
                new.append(_fresh(LinkCheck(distribution_id=dist_id), url, municipality_id, now))
            elif check.url != url:
                changed.append(_fresh(check, url, municipality_id, now))
        LinkCheck.objects.bulk_create(new, batch_size=1000)
        fields = ["url", "host", "status", "http_status", "error", "failures", "checked_at", "next_check_at"]
        LinkCheck.objects.bulk_update(changed, fields, batch_size=1000)
    return len(wanted)


def _fresh(check: LinkCheck, url: str, municipality_id: int, now: datetime) -> LinkCheck:
    check.url, check.municipality_id = url, municipality_id
    check.host = (urlsplit(url).hostname or "")[:255]
    check.status, check.http_status, check.error, check.failures = LinkStatus.PENDING, None, "", 0
    check.checked_at, check.next_check_at = None, now
    return check


def probe(url: str) -> tuple[int | None, str]:
    """(HTTP status, error text) of a HEAD, falling back to a ranged GET."""
    status, error = _request(url, "HEAD")
    if status is None or status in HEAD_REFUSED:
        status, error = _request(url, "GET", {"Range": "bytes=0-0"})
    return status, error


def _request(url: str, method: str, headers: dict | None = None) -> tuple[int | None, str]:
    request = urllib.request.Request(url, method=method, headers={"User-Agent": USER_AGENT, **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310 - http(s) only, see sync
            return response.status, ""
    except urllib.error.HTTPError as exc:
        return exc.code, str(exc.reason)[:300]
    except (urllib.error.URLError, TimeoutError, OSError, ValueError) as exc:
        return None, str(getattr(exc, "reason", exc))[:300]


def _record(check: LinkCheck, status: int | None, error: str, now: datetime) -> bool:
    """Store one probe's outcome; returns whether the link changed between working and broken."""
    before = check.status
    check.checked_at, check.http_status = now, status
    if status is not None and status < 400:
        check.status, check.failures, check.error = LinkStatus.OK, 0, ""
        check.next_check_at = now + RECHECK_OK
    else:
        check.failures += 1
        check.error = error or f"HTTP {status}"
        if check.failures >= BROKEN_AFTER:
            check.status = LinkStatus.BROKEN
        check.next_check_at = now + min(RETRY_BASE * 2 ** (check.failures - 1), RECHECK_OK)
    check.save()
    return (before == LinkStatus.BROKEN) != (check.status == LinkStatus.BROKEN)


def linkcheck_run(*, limit: int = 100, delay: float = HOST_DELAY, sleep=time.sleep) -> dict:
    """Check the links that are due; returns {checked, changed municipalities}."""
    now = timezone.now()
    due = LinkCheck.objects.filter(next_check_at__lte=now).order_by("next_check_at", "id")[: limit * 3]
    per_host: Counter = Counter()
    last_at: dict[str, float] = {}
    checked, changed = 0, set()
    for check in due:
        if checked >= limit or per_host[check.host] >= PER_HOST_PER_RUN:
            continue
        wait = last_at.get(check.host, -1e9) + delay - time.monotonic()
        if wait > 0:
            sleep(wait)
        status, error = probe(check.url)
        last_at[check.host] = time.monotonic()
        per_host[check.host] += 1
        checked += 1
        if _record(check, status, error, timezone.now()):
            changed.add(check.municipality_id)
    return {"checked": checked, "changed": sorted(changed)}
