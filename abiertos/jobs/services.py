"""Writes for jobs: enqueue, cancel, retry."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from abiertos.core.actors import Actor
from abiertos.core.errors import Conflict, ValidationError
from abiertos.core.models import Municipality

from .models import Job, JobEvent, JobStatus
from .registry import job_kind_handler
from .tasks import job_run_task


@transaction.atomic
def job_enqueue(
    *, kind: str, by: Actor, params: dict | None = None, municipality: Municipality | None = None, title: str = ""
) -> Job:
    """Create a job and send it to the workers once the transaction commits.

    Callers check permissions for the work itself before enqueueing it.
    """
    if job_kind_handler(kind) is None:
        raise ValidationError(_("Tipo de tarea desconocido: %s") % kind)
    job = Job.objects.create(
        kind=kind, title=title[:200], params=params or {}, municipality=municipality, created_by=by.user
    )
    JobEvent.objects.create(job=job, status=JobStatus.QUEUED)
    transaction.on_commit(lambda: job_run_task(job.pk))
    return job


@transaction.atomic
def job_cancel(*, job: Job, by: Actor) -> Job:
    """Cancel a queued or running job; a running one stops at its next progress report."""
    job = Job.objects.select_for_update().get(pk=job.pk)
    if job.is_finished:
        raise Conflict(_("La tarea ya terminó; no se puede cancelar."))
    job.status = JobStatus.CANCELLED
    job.error = _("Cancelada por %(who)s.") % {"who": by.label}
    job.save(update_fields=["status", "error"])
    JobEvent.objects.create(job=job, status=JobStatus.CANCELLED, message=job.error)
    return job


def job_retry(*, job: Job, by: Actor) -> Job:
    """Start a fresh job with the same kind and parameters as a failed or cancelled one."""
    if job.status not in (JobStatus.FAILED, JobStatus.CANCELLED):
        raise Conflict(_("Solo se puede reintentar una tarea que falló o se canceló."))
    return job_enqueue(kind=job.kind, by=by, params=job.params, municipality=job.municipality, title=job.title)
