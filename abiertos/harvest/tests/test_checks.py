"""Validator findings in run reports: monitoring's national profile validator, registered with
harvest, judges what a run brought in; the report (page, API, e-mail) lists them per dataset and
only datasets without errors are federable."""

import json

import pytest
from django.core import mail

from abiertos.catalog.models import Dataset
from abiertos.harvest import checks
from abiertos.harvest.checks import Verdict, harvest_validator_register
from abiertos.harvest.models import HarvestCheck, HarvestRecord, RunStatus
from abiertos.monitoring.facts import dataset_facts

from .factories import run_now, source_make
from .servers import DATA

JUSTICIA = DATA / "catalogs" / "pydatajson" / "catalogo_justicia.json"
TOO_LONG = "bbdac295-c88e-4e2d-8f74-a845a2e93a61"  # its title has 129 characters: the import refuses it
VALID = "d9a963ea-8b1d-4ca3-9dd9-07a4773e8c23"


def _catalog(*, without_invalid=False):
    catalog = json.loads(JUSTICIA.read_text())
    if without_invalid:
        catalog["dataset"] = [d for d in catalog["dataset"] if d["identifier"] != TOO_LONG]
    return catalog


@pytest.fixture
def justicia(server, municipality):
    server.json("/data.json", _catalog())
    return source_make(municipality, server.url + "/data.json", notify_emails="admin@example.org")


@pytest.fixture
def strict_about(monkeypatch):
    """An extra validator that finds an error in the datasets named, as a stricter rule would."""
    monkeypatch.setattr(checks, "_validators", dict(checks._validators))
    flagged: set[str] = set()
    finding = {"level": "error", "path": "dataset.license", "profile": True, "message": "Falta la licencia.", "fix": ""}

    def strict(*, entries, dataset_ids, written):
        keys = [*entries, *dataset_ids]
        return {k: Verdict(False, [finding]) if k in flagged else Verdict(True, []) for k in keys}

    harvest_validator_register("test.strict", strict)
    return flagged


def test_run_report_has_the_profile_findings_of_each_dataset(justicia):
    run = run_now(justicia)
    by_id = {c.remote_id: c for c in run.checks.all()}
    assert len(by_id) == run.created + run.failed
    refused = by_id[TOO_LONG]
    assert refused.federable is False
    assert refused.dataset is None
    assert refused.errors == 1
    messages = [f["message"] for f in refused.findings]
    assert "El título (dataset.title) tiene 129 caracteres; el máximo es 100." in messages
    assert next(f for f in refused.findings if "129" in f["message"])["profile"] is True
    valid = by_id[VALID]
    assert valid.federable is True
    assert valid.errors == 0
    assert valid.warnings == 1
    assert valid.findings[0]["message"] == "dataset.theme: el conjunto no tiene temas."
    assert valid.dataset == Dataset.objects.get(identifier=VALID)


def test_federable_flag_agrees_with_the_findings_and_with_the_openness_index(justicia, municipality):
    run_now(justicia)
    records = {r.dataset_id: r for r in HarvestRecord.objects.filter(source=justicia, dataset__isnull=False)}
    facts = dataset_facts(municipality_ids=[municipality.pk])
    assert {f.id for f in facts} == set(records)
    for fact in facts:
        assert records[fact.id].federable is fact.meta_ok
    for check in HarvestCheck.objects.filter(run__source=justicia):
        assert check.federable is (check.errors == 0 and check.dataset_id is not None)
    assert HarvestRecord.objects.get(source=justicia, remote_id=TOO_LONG).federable is None


def test_dataset_with_a_validation_error_is_imported_but_not_federable(justicia, server, strict_about):
    server.json("/data.json", _catalog(without_invalid=True))
    strict_about.add(VALID)
    run = run_now(justicia)
    assert run.status == RunStatus.SUCCEEDED
    check = run.checks.get(remote_id=VALID)
    assert check.dataset is not None
    assert check.federable is False
    assert check.errors == 1
    assert HarvestRecord.objects.get(source=justicia, remote_id=VALID).federable is False
    others = run.checks.exclude(remote_id=VALID)
    assert others.count() == run.created - 1
    assert set(others.values_list("federable", flat=True)) == {True}


def test_a_clean_run_with_validation_errors_e_mails_them(
    justicia, server, strict_about, django_capture_on_commit_callbacks
):
    server.json("/data.json", _catalog(without_invalid=True))
    strict_about.add(VALID)
    with django_capture_on_commit_callbacks(execute=True):
        run = run_now(justicia)
    assert run.status == RunStatus.SUCCEEDED
    [message] = mail.outbox
    assert message.to == ["admin@example.org"]
    assert "Validación con el perfil nacional: 15 conjuntos validados, 14 federables, 1 con errores." in message.body
    assert f"- {VALID}: Falta la licencia." in message.body


def test_a_clean_valid_run_sends_no_e_mail(justicia, server, django_capture_on_commit_callbacks):
    server.json("/data.json", _catalog(without_invalid=True))
    with django_capture_on_commit_callbacks(execute=True):
        run = run_now(justicia)
    assert run.status == RunStatus.SUCCEEDED
    assert run.checks.filter(federable=True).count() == run.created
    assert mail.outbox == []


def test_partial_run_digest_lists_the_validation_errors(justicia, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        run_now(justicia)
    body = mail.outbox[-1].body
    assert "16 conjuntos validados, 15 federables, 1 con errores." in body
    assert f"- {TOO_LONG}: El título (dataset.title) tiene 129 caracteres; el máximo es 100." in body


def test_unchanged_datasets_keep_their_flag_and_are_not_validated_again(justicia):
    run_now(justicia)
    second = run_now(justicia)
    assert list(second.checks.values_list("remote_id", flat=True)) == [TOO_LONG]  # the one retried
    assert HarvestRecord.objects.get(source=justicia, remote_id=VALID).federable is True


def test_dry_run_validates_the_remote_entries_and_flags_nothing(justicia):
    run = run_now(justicia, dry_run=True)
    assert run.checks.count() == 16
    assert run.checks.get(remote_id=VALID).federable is True
    # Judged as the import would publish them (themes outside our taxonomy dropped): as the run will.
    assert run.checks.get(remote_id=VALID).findings[0]["message"] == "dataset.theme: el conjunto no tiene temas."
    refused = run.checks.get(remote_id=TOO_LONG)
    assert refused.federable is False
    assert refused.errors == 1
    assert not HarvestRecord.objects.filter(source=justicia).exists()
    real = run_now(justicia)
    columns = ("remote_id", "federable", "errors", "warnings")
    assert sorted(real.checks.values_list(*columns)) == sorted(run.checks.values_list(*columns))


def test_without_a_registered_validator_nothing_is_judged(justicia, monkeypatch):
    monkeypatch.setattr(checks, "_validators", {})
    run = run_now(justicia)
    assert run.created >= 10
    assert not run.checks.exists()
    assert set(HarvestRecord.objects.filter(source=justicia).values_list("federable", flat=True)) == {None}


def test_run_page_shows_the_findings_per_dataset(client, editor, justicia):
    run = run_now(justicia)
    client.force_login(editor)
    body = client.get(run.get_absolute_url()).content.decode()
    assert "Validación con el perfil nacional" in body
    assert "Se validaron 16 conjuntos: 15 federables, 1 con errores y 16 con advertencias." in body
    assert f'data-check="{TOO_LONG}"' in body
    assert "No: tiene errores" in body
    assert "El título (dataset.title) tiene 129 caracteres; el máximo es 100." in body
    assert "(perfil nacional)" in body


def test_api_report_has_validation_summary_and_checks(client, editor, justicia):
    from abiertos.accounts.services import api_token_create
    from abiertos.core.actors import Actor

    run = run_now(justicia)
    _row, secret = api_token_create(user=editor, name="t", scopes=["read"], by=Actor.for_user(editor))
    report = client.get(f"/api/v1/harvest/runs/{run.pk}", HTTP_AUTHORIZATION=f"Token {secret}").json()
    assert report["validation"] == {"checked": 16, "federable": 15, "with_errors": 1, "with_warnings": 16}
    first = report["checks"][0]
    assert first["remote_id"] == TOO_LONG
    assert first["federable"] is False
    assert first["dataset_id"] is None
    assert {"level", "path", "profile", "message", "fix"} == set(first["findings"][0])
    valid = next(c for c in report["checks"] if c["remote_id"] == VALID)
    assert valid["federable"] is True
    assert valid["dataset_id"] == Dataset.objects.get(identifier=VALID).pk
