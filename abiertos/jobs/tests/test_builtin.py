import pytest
from django.utils import translation

from abiertos.core.actors import Actor
from abiertos.core.errors import PermissionDenied, ValidationError
from abiertos.core.models import AuditEvent
from abiertos.jobs.builtin import DIAGNOSTIC_KIND, diagnostic_job_enqueue
from abiertos.jobs.models import Job, JobStatus
from abiertos.jobs.registry import job_kind_handler
from abiertos.jobs.runner import job_execute


@pytest.fixture(autouse=True)
def _in_spanish():
    # The messages asserted here are the Spanish originals, whatever an earlier test activated.
    with translation.override("es-ar"):
        yield


@pytest.fixture(autouse=True)
def _keep_test_connection(monkeypatch):
    # job_execute drops stale connections, as a worker must; inside a test's transaction on
    # PostgreSQL that would drop the test's own connection.
    monkeypatch.setattr("abiertos.jobs.runner.close_old_connections", lambda: None)


def test_diagnostic_kind_is_registered_at_startup():
    assert job_kind_handler(DIAGNOSTIC_KIND).__name__ == "diagnostic_run"


def test_diagnostic_job_enqueue_runs_every_step_and_reports_where(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = diagnostic_job_enqueue(by=Actor.system("operaciones"), steps=3, step_seconds=0)
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED
    assert (job.progress_done, job.progress_total) == (3, 3)
    assert job.message == "Paso 3 de 3"
    assert job.result["steps"] == 3
    assert job.result["database"] in {"sqlite", "postgresql"}
    assert job.result["cache_ok"] is True
    assert AuditEvent.objects.get(action="job.diagnostic").changes == {"steps": 3, "step_seconds": 0.0}


def test_diagnostic_job_enqueue_rejects_bad_parameters_in_spanish(db):
    with pytest.raises(ValidationError) as caught:
        diagnostic_job_enqueue(by=Actor.system(), steps="muchos", step_seconds=600)
    assert set(caught.value.fields) == {"steps", "step_seconds"}
    assert "entre 1 y 3600" in caught.value.fields["steps"][0]
    assert not Job.objects.exists()


def test_diagnostic_job_enqueue_is_refused_to_a_municipal_editor(editor, actor):
    with pytest.raises(PermissionDenied):
        diagnostic_job_enqueue(by=actor(editor), steps=1, step_seconds=0)


def test_diagnostic_job_with_tampered_params_fails_with_a_clear_message(db):
    job = Job.objects.create(kind=DIAGNOSTIC_KIND, params={"steps": 0})
    job_execute(job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.error == "Revisá los parámetros de la tarea de diagnóstico."
