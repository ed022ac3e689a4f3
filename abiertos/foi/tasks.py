"""Huey tasks of the FOI app. Periodic schedules are declared here, once."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from abiertos.core.actors import Actor
from abiertos.jobs.services import job_enqueue

from .services import OPEN_DATASET_JOB_KIND


@db_periodic_task(crontab(hour="3", minute="40"))
def foi_open_dataset_refresh_task() -> None:
    """Every night: refresh every municipality's dataset of requests (deadlines move, days pass)."""
    job_enqueue(kind=OPEN_DATASET_JOB_KIND, by=Actor.system("foi"), params={}, title="Pedidos de acceso: datasets")
