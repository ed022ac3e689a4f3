"""Huey tasks of the catalog. Periodic schedules are declared here, once."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from .uploads import upload_session_cleanup


@db_periodic_task(crontab(minute="17"))
def upload_session_cleanup_task() -> None:
    """Every hour: delete unfinished or used uploads past their expiry, with their temporary files."""
    upload_session_cleanup()
