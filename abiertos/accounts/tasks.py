"""Periodic housekeeping for accounts."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from .services import login_attempts_prune


@db_periodic_task(crontab(minute="*/15"))
def login_attempts_prune_task() -> None:
    """Every 15 minutes: forget failed logins older than the throttling window."""
    login_attempts_prune()
