from datetime import timedelta

import pytest
from django.utils import timezone

from abiertos.core.actors import Actor
from abiertos.core.errors import ValidationError
from abiertos.jobs import registry
from abiertos.jobs.models import Job, JobStatus
from abiertos.jobs.runner import job_execute, job_reap_stale
from abiertos.jobs.services import job_cancel, job_enqueue


@pytest.fixture
def kinds():
    def counting(*, job, progress):
        total = job.params["n"]
        for i in range(total):
            progress(i + 1, total, f"paso {i + 1}", force=True)
        return {"counted": total}

    def failing(*, job, progress):
        progress(1, 3, "empezando", force=True)
        raise ValidationError("La fila 7 tiene una fecha inválida.")

    def crashing(*, job, progress):
        raise KeyError("columna")

    added = {"test.count": counting, "test.fail": failing, "test.crash": crashing}
    registry.HANDLERS.update(added)
    yield
    for key in added:
        registry.HANDLERS.pop(key, None)


def test_job_enqueue_runs_to_success_with_progress(db, kinds, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = job_enqueue(kind="test.count", params={"n": 4}, by=Actor.system())
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED
    assert (job.progress_done, job.progress_total, job.percent) == (4, 4, 100)
    assert job.result == {"counted": 4}
    assert [e.status for e in job.events.all()] == ["queued", "running", "succeeded"]


def test_job_execute_records_domain_error_in_spanish(db, kinds):
    job = Job.objects.create(kind="test.fail")
    job_execute(job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.error == "La fila 7 tiene una fecha inválida."
    assert job.message == "empezando"


def test_job_execute_records_unexpected_error(db, kinds):
    job = Job.objects.create(kind="test.crash")
    job_execute(job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert "KeyError" in job.error
    assert "columna" in job.error


def test_job_execute_skips_job_already_taken(db, kinds):
    job = Job.objects.create(kind="test.count", params={"n": 1}, status=JobStatus.RUNNING)
    assert job_execute(job.pk) is None
    job.refresh_from_db()
    assert job.status == JobStatus.RUNNING
    assert job.attempts == 0


def test_job_enqueue_rejects_unknown_kind(db):
    with pytest.raises(ValidationError, match="desconocido"):
        job_enqueue(kind="no.existe", by=Actor.system())


def test_job_reap_stale_fails_job_whose_worker_died(db, settings):
    settings.JOB_STALE_SECONDS = 60
    old = timezone.now() - timedelta(minutes=5)
    dead = Job.objects.create(kind="x", status=JobStatus.RUNNING, heartbeat_at=old, started_at=old)
    alive = Job.objects.create(kind="x", status=JobStatus.RUNNING, heartbeat_at=timezone.now())
    assert job_reap_stale() == [dead.pk]
    dead.refresh_from_db()
    alive.refresh_from_db()
    assert dead.status == JobStatus.FAILED
    assert "dejó de responder" in dead.error
    assert alive.status == JobStatus.RUNNING


def test_job_cancel_stops_running_job_at_next_progress(db, kinds):
    def cancel_midway(*, job, progress):
        job_cancel(job=job, by=Actor.system())
        progress(1, 2, force=True)
        return {"finished": True}

    registry.HANDLERS["test.cancel"] = cancel_midway
    try:
        job = Job.objects.create(kind="test.cancel")
        job_execute(job.pk)
    finally:
        registry.HANDLERS.pop("test.cancel")
    job.refresh_from_db()
    assert job.status == JobStatus.CANCELLED
    assert job.result == {}
