"""The background work: jobs for full and incremental computation, the daily schedule, the link task."""

import pytest

from abiertos.catalog import services as catalog_services
from abiertos.catalog.tests.factories import dataset_make
from abiertos.core.actors import Actor
from abiertos.core.errors import PermissionDenied
from abiertos.jobs.models import Job, JobStatus
from abiertos.monitoring.job_kinds import (
    FULL_KIND,
    MUNICIPALITY_KIND,
    index_full_enqueue,
    index_municipality_enqueue,
)
from abiertos.monitoring.models import IndexRun, MunicipalityIndex
from abiertos.monitoring.services import index_compute_full
from abiertos.monitoring.tasks import index_daily_task, linkcheck_task

SYSTEM = Actor.system("test")


def test_full_job_runs_and_reports_its_result(
    municipality, provincial_admin, actor, django_capture_on_commit_callbacks
):
    dataset_make(municipality, publish=True, themes=["presupuesto"])

    with django_capture_on_commit_callbacks(execute=True):
        job = index_full_enqueue(by=actor(provincial_admin))

    job.refresh_from_db()
    assert job.kind == FULL_KIND
    assert job.status == JobStatus.SUCCEEDED
    assert job.result["run"] == IndexRun.objects.get().pk
    assert job.result["province_score"] > 0


def test_full_job_needs_a_reviewer(municipality, editor, actor):
    with pytest.raises(PermissionDenied):
        index_full_enqueue(by=actor(editor))


def test_daily_task_computes_a_new_snapshot(municipality, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        index_daily_task.call_local()

    assert IndexRun.objects.count() == 1
    assert Job.objects.get().status == JobStatus.SUCCEEDED


def test_a_catalog_change_queues_one_municipality_job(municipality, django_capture_on_commit_callbacks):
    dataset = dataset_make(municipality, publish=True, themes=["presupuesto"])
    with django_capture_on_commit_callbacks(execute=True):
        catalog_services.dataset_unpublish(dataset=dataset, by=SYSTEM)
    assert not Job.objects.filter(kind=MUNICIPALITY_KIND).exists()  # no index yet: nothing to update

    run = index_compute_full(by=SYSTEM)
    with django_capture_on_commit_callbacks(execute=True):
        catalog_services.dataset_publish(dataset=dataset, by=SYSTEM)

    job = Job.objects.get(kind=MUNICIPALITY_KIND)
    assert job.status == JobStatus.SUCCEEDED
    assert job.params == {"municipality_id": municipality.pk}
    assert MunicipalityIndex.objects.get(run=run, municipality=municipality).indicators["datasets_cant"] == 1


def test_municipality_jobs_are_not_queued_twice(municipality):
    index_compute_full(by=SYSTEM)
    first = index_municipality_enqueue(municipality_id=municipality.pk)  # queued: runs on commit
    second = index_municipality_enqueue(municipality_id=municipality.pk)

    assert first is not None
    assert second is None


def test_linkcheck_task_runs_without_links(municipality):
    linkcheck_task.call_local()
