"""Periodic harvest work, declared in code: start the runs that are due, and keep runs in step
with their jobs (a run whose worker died is marked failed within a minute of the reaper)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from .services import harvest_runs_sync_with_jobs, harvest_sources_due


@db_periodic_task(crontab(minute="*"))
def harvest_runs_sync_task() -> None:
    harvest_runs_sync_with_jobs()


@db_periodic_task(crontab(minute="*/5"))
def harvest_sources_due_task() -> None:
    harvest_sources_due()
