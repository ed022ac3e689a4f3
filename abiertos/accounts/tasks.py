"""Periodic housekeeping for accounts."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from .services import login_attempts_prune, unconfirmed_accounts_prune


@db_periodic_task(crontab(minute="*/15"))
def login_attempts_prune_task() -> None:
    """Every 15 minutes: forget failed logins older than the throttling window."""
    login_attempts_prune()


@db_periodic_task(crontab(minute="40", hour="4"))
def unconfirmed_accounts_prune_task() -> None:
    """Every day at 04:40: delete sign-ups never confirmed (``UNCONFIRMED_ACCOUNT_DAYS``)."""
    unconfirmed_accounts_prune()
