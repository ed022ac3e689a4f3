"""Huey tasks for jobs. Payloads are job ids; the job row holds everything else."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from .models import Job, JobStatus
from .runner import job_execute, job_reap_stale


@db_task(retries=0)
def job_run_task(job_id: int) -> None:
    job_execute(job_id)


@db_periodic_task(crontab(minute="*"))
def job_reaper_task() -> None:
    """Every minute: fail jobs whose worker died, and re-send queued jobs whose message was lost."""
    job_reap_stale()
    cutoff = timezone.now() - timedelta(seconds=settings.JOB_STALE_SECONDS)
    for job_id in Job.objects.filter(status=JobStatus.QUEUED, created_at__lt=cutoff).values_list("pk", flat=True):
        job_run_task(job_id)
