"""Periodic work of the datastore, declared once here."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from .services import ingestion_runs_reconcile


@db_periodic_task(crontab(minute="*/5"))
def ingestion_runs_reconcile_task() -> None:
    """Every five minutes: loads whose worker died (their job was reaped) are marked failed, never left running."""
    ingestion_runs_reconcile()
