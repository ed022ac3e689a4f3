"""Periodic work of monitoring, declared once here (imported by MonitoringConfig.ready)."""

from django.utils.translation import gettext as _
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from abiertos.core.actors import Actor
from abiertos.jobs.services import job_enqueue

from .job_kinds import FULL_KIND, index_municipality_enqueue
from .linkcheck import linkcheck_run, linkcheck_sync


@db_periodic_task(crontab(hour="3", minute="30"), retries=0)
def index_daily_task() -> None:
    """Every day at 03:30: a full recomputation of the index, kept as that day's snapshot."""
    job_enqueue(kind=FULL_KIND, by=Actor.system("monitoring"), title=_("Cálculo diario del índice de apertura"))


@db_periodic_task(crontab(minute="*/10"), retries=0)
@lock_task("monitoring-linkcheck")
def linkcheck_task() -> None:
    """Every ten minutes: check the external links that are due, politely, and update who changed."""
    linkcheck_sync()
    for municipality_id in linkcheck_run()["changed"]:
        index_municipality_enqueue(municipality_id=municipality_id)
