"""The background work of monitoring, run as jobs (abiertos/jobs) so pages can follow progress."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from abiertos.accounts.permissions import Action, require
from abiertos.catalog.models import Dataset
from abiertos.core.actors import Actor
from abiertos.core.models import Municipality
from abiertos.jobs.models import Job, JobStatus
from abiertos.jobs.registry import job_kind_register
from abiertos.jobs.runner import Progress
from abiertos.jobs.services import job_enqueue

from .models import IndexRun
from .services import index_compute_full, index_update_municipality

FULL_KIND = "monitoring.index_full"
MUNICIPALITY_KIND = "monitoring.index_municipality"


def index_full_run(*, job: Job, progress: Progress) -> dict:
    run = index_compute_full(by=Actor.system("monitoring"), progress=progress)
    return {"run": run.pk, "province_score": run.province_score, "seconds": run.seconds}


def index_municipality_run(*, job: Job, progress: Progress) -> dict:
    municipality = Municipality.objects.filter(pk=job.params.get("municipality_id")).first()
    if municipality is None:
        return {"skipped": "municipality gone"}
    row = index_update_municipality(municipality=municipality, by=Actor.system("monitoring"))
    return {"score": row.score if row else None}


def index_full_enqueue(*, by: Actor) -> Job:
    """Queue a full recomputation (the daily schedule does it too)."""
    require(by, Action.REVIEW_INDEX)
    return job_enqueue(kind=FULL_KIND, by=by, title=_("Cálculo completo del índice de apertura"))


def index_municipality_enqueue(*, municipality_id: int) -> Job | None:
    """Queue an update of one municipality, unless one is already waiting (a harvest changes many)."""
    if not IndexRun.objects.exists():
        return None
    waiting = Job.objects.filter(kind=MUNICIPALITY_KIND, status=JobStatus.QUEUED, municipality_id=municipality_id)
    if waiting.exists():
        return None
    return job_enqueue(
        kind=MUNICIPALITY_KIND,
        by=Actor.system("monitoring"),
        params={"municipality_id": municipality_id},
        municipality=Municipality(pk=municipality_id),
        title=_("Actualización del índice de un municipio"),
    )


def index_dataset_changed(dataset_id: int) -> Job | None:
    """Queue the update of a changed dataset's municipality (once there is an index to update)."""
    if not IndexRun.objects.exists():
        return None
    municipality_id = Dataset.objects.filter(pk=dataset_id).values_list("municipality_id", flat=True).first()
    return None if municipality_id is None else index_municipality_enqueue(municipality_id=municipality_id)


def on_dataset_changed(sender, *, dataset_id: int, **kwargs) -> None:
    """Sent inside the catalog's transaction: act only after it commits, without a query now."""
    transaction.on_commit(lambda: index_dataset_changed(dataset_id))


def on_datasets_changed(sender, *, municipality_id: int, **kwargs) -> None:
    """A bulk write (a harvest batch) changed many datasets of one municipality: one update for all."""
    transaction.on_commit(lambda: index_municipality_enqueue(municipality_id=municipality_id))


def register() -> None:
    job_kind_register(FULL_KIND, index_full_run)
    job_kind_register(MUNICIPALITY_KIND, index_municipality_run)
