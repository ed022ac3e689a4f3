"""Runs one job inside a worker: claims it, reports progress and heartbeats, records the outcome.

A job can never stay "running" after its worker dies: the heartbeat stops, and the reaper
(``job_reap_stale``) marks it failed.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from datetime import timedelta

from django.conf import settings
from django.db import close_old_connections, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from abiertos.core.errors import DomainError

from .models import Job, JobEvent, JobStatus
from .registry import job_kind_handler

logger = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 20
PROGRESS_WRITE_SECONDS = 0.5


class JobCancelled(Exception):
    """Raised inside a handler when someone asked to cancel its job."""


class Progress:
    """Handed to a job handler: ``progress(done, total, message)`` records how far it got."""

    def __init__(self, job: Job):
        self.job = job
        self._last_write = 0.0

    def __call__(self, done: int, total: int | None = None, message: str = "", *, force: bool = False) -> None:
        self.job.progress_done = max(0, int(done))
        if total is not None:
            self.job.progress_total = max(0, int(total))
        if message:
            self.job.message = message[:500]
        now = time.monotonic()
        if not force and now - self._last_write < PROGRESS_WRITE_SECONDS:
            return
        self._last_write = now
        Job.objects.filter(pk=self.job.pk).update(
            progress_done=self.job.progress_done,
            progress_total=self.job.progress_total,
            message=self.job.message,
            heartbeat_at=timezone.now(),
        )
        if Job.objects.filter(pk=self.job.pk, status=JobStatus.CANCELLED).exists():
            raise JobCancelled()


def _worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"


def _event(job: Job, status: str, message: str = "") -> None:
    JobEvent.objects.create(job=job, status=status, message=message)


def job_claim(job_id: int) -> Job | None:
    """Move a queued job to running; None if it is gone or someone else took it."""
    with transaction.atomic():
        job = Job.objects.select_for_update().filter(pk=job_id, status=JobStatus.QUEUED).first()
        if job is None:
            return None
        now = timezone.now()
        job.status = JobStatus.RUNNING
        job.started_at = now
        job.heartbeat_at = now
        job.attempts += 1
        job.worker = _worker_name()[:120]
        job.save(update_fields=["status", "started_at", "heartbeat_at", "attempts", "worker"])
        _event(job, JobStatus.RUNNING)
    return job


def job_finish(job: Job, *, status: str, error: str = "", result: dict | None = None) -> Job:
    """Record a job's outcome, unless it already ended (cancelled or reaped)."""
    with transaction.atomic():
        current = Job.objects.select_for_update().get(pk=job.pk)
        if current.is_finished:
            return current
        current.status = status
        current.error = error
        current.result = result or {}
        current.finished_at = timezone.now()
        current.progress_done = job.progress_done
        current.progress_total = job.progress_total
        current.message = job.message
        if status == JobStatus.SUCCEEDED and current.progress_total:
            current.progress_done = current.progress_total
        current.save()
        _event(current, status, error)
    return current


class _Heartbeat(threading.Thread):
    def __init__(self, job_id: int):
        super().__init__(daemon=True)
        self.job_id = job_id
        self.stop = threading.Event()

    def run(self) -> None:
        try:
            while not self.stop.wait(HEARTBEAT_SECONDS):
                Job.objects.filter(pk=self.job_id, status=JobStatus.RUNNING).update(heartbeat_at=timezone.now())
        finally:
            connection.close()


def _error_text(exc: Exception) -> str:
    if isinstance(exc, DomainError):
        return exc.message
    return _("Error inesperado (%(kind)s): %(detail)s") % {"kind": type(exc).__name__, "detail": str(exc)[:1000]}


def job_execute(job_id: int) -> Job | None:
    """Run a queued job to its end. Never raises: the outcome is on the job row."""
    if not connection.in_atomic_block:
        # A worker reuses its connection between jobs; never close one a caller's transaction holds.
        close_old_connections()
    job = job_claim(job_id)
    if job is None:
        return None
    handler = job_kind_handler(job.kind)
    if handler is None:
        return job_finish(job, status=JobStatus.FAILED, error=_("Tipo de tarea desconocido: %s") % job.kind)
    beat = _Heartbeat(job.pk)
    beat.start()
    try:
        result = handler(job=job, progress=Progress(job))
    except JobCancelled:
        return job_finish(job, status=JobStatus.CANCELLED, error=_("Cancelada a pedido."))
    except Exception as exc:
        logger.exception("job %s (%s) failed", job.pk, job.kind)
        return job_finish(job, status=JobStatus.FAILED, error=_error_text(exc))
    finally:
        beat.stop.set()
    return job_finish(job, status=JobStatus.SUCCEEDED, result=result or {})


def job_reap_stale(*, now=None) -> list[int]:
    """Fail running jobs whose worker stopped beating; return their ids."""
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=settings.JOB_STALE_SECONDS)
    reaped = []
    for job in Job.objects.filter(status=JobStatus.RUNNING, heartbeat_at__lt=cutoff):
        message = _(
            "El proceso que ejecutaba esta tarea dejó de responder (último latido: %(when)s). "
            "Se marcó como fallida; podés volver a lanzarla."
        ) % {"when": timezone.localtime(job.heartbeat_at).strftime("%d/%m/%Y %H:%M:%S")}
        finished = job_finish(job, status=JobStatus.FAILED, error=message)
        if finished.status == JobStatus.FAILED and finished.error == message:
            reaped.append(job.pk)
    return reaped
