"""Sources and runs through the services: permissions, audit, jobs, schedules and dead workers."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from abiertos.core.actors import Actor
from abiertos.core.errors import Conflict, PermissionDenied, ValidationError
from abiertos.core.models import AuditEvent
from abiertos.harvest.models import HarvestRun, RunStatus
from abiertos.harvest.services import (
    SourceInput,
    harvest_run_start,
    harvest_runs_sync_with_jobs,
    harvest_source_create,
    harvest_source_update,
    harvest_sources_due,
)
from abiertos.jobs.models import Job, JobStatus
from abiertos.jobs.runner import job_reap_stale

from .factories import source_make
from .servers import DATA


def _input(url="https://datos.ejemplo.gob.ar/data.json", **extra):
    return SourceInput(title="Portal municipal", kind="datajson", url=url, **extra)


def test_editor_registers_a_source_for_own_municipality_with_audit(editor, municipality, actor):
    source = harvest_source_create(municipality=municipality, data=_input(), by=actor(editor))
    event = AuditEvent.objects.get(action="harvest_source.create")
    assert event.target_id == str(source.pk)
    assert event.actor == editor


def test_editor_cannot_register_a_source_elsewhere(editor, other_municipality, actor):
    with pytest.raises(PermissionDenied):
        harvest_source_create(municipality=other_municipality, data=_input(), by=actor(editor))


def test_provincial_admin_registers_for_any_municipality(provincial_admin, other_municipality, actor):
    assert harvest_source_create(municipality=other_municipality, data=_input(), by=actor(provincial_admin)).pk


def test_citizen_and_foi_officer_cannot_register(citizen, foi_officer, municipality, actor):
    for user in (citizen, foi_officer):
        with pytest.raises(PermissionDenied):
            harvest_source_create(municipality=municipality, data=_input(), by=actor(user))


def test_source_input_errors_are_spanish_and_per_field(editor, municipality, actor):
    bad = SourceInput(
        title=" ", kind="ftp", url="datos", withdraw_threshold_pct=150, notify_emails="x@, ok@example.org"
    )
    with pytest.raises(ValidationError) as err:
        harvest_source_create(municipality=municipality, data=bad, by=actor(editor))
    fields = err.value.fields
    assert set(fields) == {"title", "kind", "url", "withdraw_threshold_pct", "notify_emails"}
    assert "x@" in fields["notify_emails"][0]


def test_same_url_twice_in_a_municipality_is_refused(editor, municipality, actor):
    harvest_source_create(municipality=municipality, data=_input(), by=actor(editor))
    with pytest.raises(ValidationError) as err:
        harvest_source_create(municipality=municipality, data=_input(), by=actor(editor))
    assert "ya es una fuente" in err.value.fields["url"][0]


def test_changing_the_url_forgets_the_last_clean_run(editor, municipality, actor):
    source = harvest_source_create(municipality=municipality, data=_input(), by=actor(editor))
    source.last_clean_started_at = timezone.now()
    source.save()
    source = harvest_source_update(source=source, data=_input(url="https://otro.gob.ar/data.json"), by=actor(editor))
    assert source.last_clean_started_at is None
    assert AuditEvent.objects.filter(action="harvest_source.update").exists()


def test_run_start_goes_through_a_job_and_records_the_report(
    server, editor, municipality, actor, django_capture_on_commit_callbacks
):
    server.json("/data.json", json.loads((DATA / "catalogs/pydatajson/several_datasets_for_harvest.json").read_text()))
    source = source_make(municipality, server.url + "/data.json")
    with django_capture_on_commit_callbacks(execute=True):
        run = harvest_run_start(source=source, by=actor(editor))
    run.refresh_from_db()
    assert run.job.status == JobStatus.SUCCEEDED
    assert run.status in (RunStatus.SUCCEEDED, RunStatus.PARTIAL)
    assert run.job.result["run_id"] == run.pk
    assert run.created + run.failed == 3
    assert AuditEvent.objects.filter(action="harvest_run.start", actor=editor).exists()


def test_only_one_active_run_per_source(editor, municipality, actor):
    source = source_make(municipality, "https://datos.ejemplo.gob.ar/data.json")
    harvest_run_start(source=source, by=actor(editor))  # queued: its job waits for the commit
    with pytest.raises(Conflict):
        harvest_run_start(source=source, by=actor(editor))


def test_run_whose_worker_died_is_failed_and_the_next_starts_cleanly(editor, municipality, actor, settings):
    source = source_make(municipality, "https://datos.ejemplo.gob.ar/data.json")
    run = harvest_run_start(source=source, by=actor(editor))
    long_ago = timezone.now() - timedelta(hours=1)
    Job.objects.filter(pk=run.job_id).update(status=JobStatus.RUNNING, heartbeat_at=long_ago)
    HarvestRun.objects.filter(pk=run.pk).update(status=RunStatus.RUNNING)
    assert job_reap_stale() == [run.job_id]
    assert harvest_runs_sync_with_jobs() == [run.pk]
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED
    assert "dejó de responder" in run.error
    assert harvest_run_start(source=source, by=actor(editor)).status == RunStatus.QUEUED


def test_next_start_also_notices_a_dead_run_by_itself(editor, municipality, actor):
    source = source_make(municipality, "https://datos.ejemplo.gob.ar/data.json")
    run = harvest_run_start(source=source, by=actor(editor))
    Job.objects.filter(pk=run.job_id).update(status=JobStatus.FAILED, error="murió")
    second = harvest_run_start(source=source, by=actor(editor))
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED
    assert second.pk != run.pk


def test_due_sources_are_started_on_schedule(municipality):
    source = harvest_source_create(
        municipality=municipality, data=_input(schedule="daily", enabled=True), by=Actor.system("test")
    )
    assert source.next_run_at > timezone.now()
    assert harvest_sources_due() == []
    started = harvest_sources_due(now=timezone.now() + timedelta(days=1, minutes=1))
    assert len(started) == 1
    source.refresh_from_db()
    assert source.next_run_at > timezone.now() + timedelta(days=1)


def test_disabled_or_manual_sources_are_not_scheduled(municipality):
    harvest_source_create(municipality=municipality, data=_input(schedule="hourly"), by=Actor.system("test"))
    harvest_source_create(
        municipality=municipality, data=_input(url="https://b.gob.ar/x.json", enabled=True), by=Actor.system("test")
    )
    assert harvest_sources_due(now=timezone.now() + timedelta(days=60)) == []


def test_unexpected_crash_fails_both_the_job_and_the_run(
    editor, municipality, actor, monkeypatch, django_capture_on_commit_callbacks
):
    def explode(*args, **kwargs):
        raise RuntimeError("fallo inesperado")

    monkeypatch.setattr("abiertos.harvest.runs.source_gather", explode)
    source = source_make(municipality, "https://datos.ejemplo.gob.ar/data.json")
    with django_capture_on_commit_callbacks(execute=True):
        run = harvest_run_start(source=source, by=actor(editor))
    run.refresh_from_db()
    assert run.job.status == JobStatus.FAILED
    assert run.status == RunStatus.FAILED
    assert "fallo inesperado" in run.error
    assert harvest_run_start(source=source, by=actor(editor)).status == RunStatus.QUEUED
