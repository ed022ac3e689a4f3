"""Harvest runs against local servers serving recorded real catalogs."""

import contextlib
import copy
import json

import pytest
from django.core import mail

from abiertos.catalog.models import Dataset, DatasetStatus
from abiertos.harvest.models import HarvestRecord, MessageLevel, RunStatus, Stage

from .factories import run_now, source_make
from .servers import DATA

JUSTICIA = DATA / "catalogs" / "pydatajson" / "catalogo_justicia.json"


def _catalog():
    return json.loads(JUSTICIA.read_text())


@pytest.fixture
def justicia(server, municipality):
    server.json("/data.json", _catalog())
    return source_make(municipality, server.url + "/data.json", notify_emails="admin@example.org")


def test_first_harvest_creates_published_read_only_datasets(justicia, municipality):
    run = run_now(justicia)
    assert run.status in (RunStatus.SUCCEEDED, RunStatus.PARTIAL), list(run.messages.values_list("message", flat=True))
    total = len(_catalog()["dataset"])
    assert run.created + run.failed == total
    assert run.created >= 10
    dataset = Dataset.objects.get(municipality=municipality, identifier="d9a963ea-8b1d-4ca3-9dd9-07a4773e8c23")
    assert dataset.is_harvested
    assert dataset.origin_remote_id == "d9a963ea-8b1d-4ca3-9dd9-07a4773e8c23"
    assert dataset.status == DatasetStatus.PUBLISHED
    assert dataset.name == "la-plata_d9a963ea-8b1d-4ca3-9dd9-07a4773e8c23"
    record = HarvestRecord.objects.get(source=justicia, remote_id=dataset.origin_remote_id)
    assert record.dataset == dataset
    assert len(record.content_hash) == 64


def test_reharvest_unchanged_skips_everything(justicia):
    first = run_now(justicia)
    second = run_now(justicia)
    assert second.created == 0
    assert second.updated == 0
    assert second.unchanged == first.created
    assert second.withdrawn == 0


def test_reharvest_updates_only_the_changed_dataset(server, justicia, municipality):
    run_now(justicia)
    catalog = _catalog()
    catalog["dataset"][0]["title"] = "Título cambiado en el origen"
    server.json("/data.json", catalog)
    run = run_now(justicia)
    assert run.updated == 1
    dataset = Dataset.objects.get(municipality=municipality, identifier=catalog["dataset"][0]["identifier"])
    assert dataset.title == "Título cambiado en el origen"


def test_dataset_gone_at_source_is_withdrawn_hidden_after_grace_and_restored(server, justicia, municipality):
    justicia.withdraw_grace_days = 0
    justicia.save()
    run_now(justicia)
    catalog = _catalog()
    gone = catalog["dataset"].pop(0)
    server.json("/data.json", catalog)
    run = run_now(justicia)
    assert run.withdrawn == 1
    record = HarvestRecord.objects.get(source=justicia, remote_id=gone["identifier"])
    assert record.withdrawn_at is not None
    assert record.hidden_at is not None
    assert Dataset.objects.get(pk=record.dataset_id).deleted_at is not None
    server.json("/data.json", _catalog())
    preview = run_now(justicia, dry_run=True)
    assert preview.restored == 1
    assert {"identifier": gone["identifier"], "action": "restore"}.items() <= next(
        p for p in preview.plan if p["remote_id"] == gone["identifier"]
    ).items()
    assert Dataset.objects.get(pk=record.dataset_id).deleted_at is not None
    back = run_now(justicia)
    assert back.restored == 1
    assert back.failed == run.failed  # the one invalid dataset of the catalog, nothing more
    record.refresh_from_db()
    assert record.withdrawn_at is None
    assert Dataset.objects.get(pk=record.dataset_id).deleted_at is None


def test_source_suddenly_empty_stops_and_asks_for_confirmation(
    server, justicia, municipality, django_capture_on_commit_callbacks
):
    first = run_now(justicia)
    server.json("/data.json", {**_catalog(), "dataset": []})
    with django_capture_on_commit_callbacks(execute=True):
        stopped = run_now(justicia)
    assert stopped.status == RunStatus.NEEDS_CONFIRMATION
    assert stopped.withdrawn == first.created + first.failed
    assert not HarvestRecord.objects.filter(source=justicia, withdrawn_at__isnull=False).exists()
    assert Dataset.objects.filter(municipality=municipality, deleted_at__isnull=True).count() == first.created
    assert any("confirmá el retiro" in m for m in stopped.messages.values_list("message", flat=True))
    assert mail.outbox
    assert "admin@example.org" in mail.outbox[-1].to
    confirmed = run_now(justicia, confirm=True)
    assert confirmed.status == RunStatus.SUCCEEDED
    assert (
        HarvestRecord.objects.filter(source=justicia, withdrawn_at__isnull=False).count()
        == first.created + first.failed
    )


def test_dry_run_previews_without_writing(justicia, municipality):
    run = run_now(justicia, dry_run=True)
    assert run.created >= 10
    assert not Dataset.objects.filter(municipality=municipality).exists()
    assert not HarvestRecord.objects.exists()
    assert {p["action"] for p in run.plan} <= {"create", "failed"}
    assert len(run.plan) == len(_catalog()["dataset"])


def test_invalid_dataset_fails_alone_with_a_spanish_message(
    server, justicia, municipality, django_capture_on_commit_callbacks
):
    catalog = _catalog()
    broken = copy.deepcopy(catalog["dataset"][1])
    broken["identifier"] = "roto"
    broken["title"] = ""
    broken["accrualPeriodicity"] = "cada tanto"
    catalog["dataset"].append(broken)
    server.json("/data.json", catalog)
    with django_capture_on_commit_callbacks(execute=True):
        run = run_now(justicia)
    assert run.status == RunStatus.PARTIAL
    messages = run.messages.filter(remote_id="roto", level=MessageLevel.ERROR, stage=Stage.IMPORT)
    assert messages.exists()
    assert not Dataset.objects.filter(municipality=municipality, identifier="roto").exists()
    assert Dataset.objects.filter(municipality=municipality, is_harvested=True).count() == run.created
    assert mail.outbox
    assert "Cosecha" in mail.outbox[-1].subject


def test_broken_source_fails_with_location_and_e_mails(server, municipality, django_capture_on_commit_callbacks):
    server.raw("/data.json", b'{"dataset": [\n{"identifier": "a",\n]}')
    source = source_make(municipality, server.url + "/data.json", notify_emails="uno@example.org, dos@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        run = run_now(source)
    assert run.status == RunStatus.FAILED
    assert "línea 3, columna 1" in run.error
    assert run.messages.get().stage == Stage.GATHER
    assert mail.outbox[-1].to == ["uno@example.org", "dos@example.org"]
    assert "línea 3" in mail.outbox[-1].body


def test_local_dataset_with_same_identifier_is_not_overwritten(justicia, municipality):
    from abiertos.catalog.tests.factories import dataset_make

    dataset_make(municipality, identifier="d9a963ea-8b1d-4ca3-9dd9-07a4773e8c23", title="Hecho a mano")
    run = run_now(justicia)
    assert run.failed >= 1
    assert Dataset.objects.get(identifier="d9a963ea-8b1d-4ca3-9dd9-07a4773e8c23").title == "Hecho a mano"
    assert run.messages.filter(message__contains="no viene de esta fuente").exists()


def _csv_catalog():
    catalog = _catalog()
    catalog["dataset"] = [d for d in catalog["dataset"] if len(d["title"]) <= 100][:2]
    return catalog


@pytest.mark.parametrize("opt_in", [True, False])
def test_tabular_distributions_reach_the_datastore_only_when_the_source_opts_in(
    server, municipality, opt_in, django_capture_on_commit_callbacks
):
    from abiertos.jobs.models import Job

    server.json("/data.json", _csv_catalog())
    source = source_make(municipality, server.url + "/data.json", send_to_datastore=opt_in)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        run = run_now(source)
    assert run.created == 2
    for callback in callbacks:
        with contextlib.suppress(Exception):  # a load may fail: the remote files are not served here
            callback()
    assert Job.objects.filter(kind="datastore.ingest").exists() is opt_in
