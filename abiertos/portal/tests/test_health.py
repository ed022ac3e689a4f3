import json
from datetime import timedelta

import pytest
from django.utils import timezone

from abiertos.jobs.models import Job
from abiertos.portal import health


def test_healthz_answers_without_touching_the_database(client):
    # No django_db mark: any query would raise here.
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_readyz_reports_each_check(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "cache", "queue", "storage", "jobs"}
    assert all(check["ok"] for check in body["checks"].values())
    assert body["checks"]["database"]["vendor"] in {"sqlite", "postgresql"}
    assert body["checks"]["jobs"]["stuck"] == 0


@pytest.mark.django_db
def test_readyz_answers_503_and_names_the_failing_check(client, monkeypatch, settings, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the datastore folder should be")
    settings.DATASTORE_ROOT = blocker / "datastore"
    response = client.get("/readyz")
    assert response.status_code == 503
    body = json.loads(response.content)
    assert body["status"] == "error"
    assert body["checks"]["storage"]["ok"] is False
    assert body["checks"]["storage"]["error"] in {"FileExistsError", "NotADirectoryError"}
    assert body["checks"]["database"]["ok"] is True
    assert str(tmp_path) not in response.content.decode()  # no paths or secrets leak


@pytest.mark.django_db
def test_readyz_counts_jobs_whose_worker_stopped(client, actor):
    Job.objects.create(kind="jobs.diagnostic", status="running", heartbeat_at=timezone.now() - timedelta(hours=2))
    healthy, checks = health.readiness()
    assert healthy, "stuck jobs are reported, the reaper deals with them"
    assert checks["jobs"]["stuck"] == 1
