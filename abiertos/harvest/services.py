"""Writes for harvesting: register and edit sources, start runs (real or dry), confirm withdrawals,
and keep every run's status in step with its job's fate."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import EmailValidator, URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from abiertos.accounts.permissions import Action, require
from abiertos.core.actors import Actor
from abiertos.core.audit import audit_record
from abiertos.core.errors import Conflict, ValidationError
from abiertos.core.models import Municipality
from abiertos.jobs.models import FINISHED_STATUSES, JobStatus
from abiertos.jobs.services import job_enqueue

from .hosts import host_refusal
from .models import (
    ACTIVE_RUN_STATUSES,
    SCHEDULE_INTERVALS,
    HarvestRun,
    HarvestSource,
    RunStatus,
    Schedule,
    SourceKind,
)

HARVEST_JOB_KIND = "harvest.run"


@dataclass
class SourceInput:
    title: str
    kind: str
    url: str
    schedule: str = Schedule.MANUAL
    ckan_filter: str = ""
    enabled: bool = False
    send_to_datastore: bool = False
    withdraw_threshold_pct: int = 20
    withdraw_grace_days: int = 7
    notify_emails: str = ""


def _bad_emails(text: str) -> list[str]:
    bad = []
    for email in [e.strip() for e in text.replace(";", ",").split(",") if e.strip()]:
        try:
            EmailValidator()(email)
        except DjangoValidationError:
            bad.append(email)
    return bad


def _source_errors(data: SourceInput) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not data.title.strip():
        errors["title"] = [_("Poné un nombre para reconocer la fuente.")]
    if data.kind not in SourceKind.values:
        errors["kind"] = [_("Elegí uno de los tipos de fuente de la lista.")]
    if data.schedule not in Schedule.values:
        errors["schedule"] = [_("Elegí una de las frecuencias de la lista.")]
    try:
        URLValidator(schemes=["http", "https"])(data.url.strip())
    except DjangoValidationError:
        errors["url"] = [_("Escribí una dirección completa que empiece con https:// (o http://).")]
    if "url" not in errors and (refusal := host_refusal(data.url.strip())):
        errors["url"] = [refusal]
    if data.ckan_filter and data.kind != SourceKind.CKAN:
        errors["ckan_filter"] = [_("El filtro solo se aplica a fuentes CKAN; dejalo vacío.")]
    if not 0 <= data.withdraw_threshold_pct <= 100:
        errors["withdraw_threshold_pct"] = [_("Tiene que ser un porcentaje entre 0 y 100.")]
    if not 0 <= data.withdraw_grace_days <= 365:
        errors["withdraw_grace_days"] = [_("Tiene que estar entre 0 y 365 días.")]
    if bad := _bad_emails(data.notify_emails):
        errors["notify_emails"] = [_("Estos correos no son válidos: %(v)s.") % {"v": ", ".join(bad)}]
    return errors


def _check_source(data: SourceInput, municipality: Municipality, exclude_pk: int | None = None) -> None:
    errors = _source_errors(data)
    clash = HarvestSource.objects.filter(municipality=municipality, url=data.url.strip(), deleted_at__isnull=True)
    if exclude_pk is not None:
        clash = clash.exclude(pk=exclude_pk)
    if "url" not in errors and clash.exists():
        errors["url"] = [_("Esa dirección ya es una fuente de %(m)s.") % {"m": municipality.name}]
    if errors:
        raise ValidationError(_("Revisá los datos marcados de la fuente."), fields=errors)


def _next_run(schedule: str, enabled: bool, now=None):
    interval = SCHEDULE_INTERVALS.get(schedule)
    if not enabled or interval is None:
        return None
    return (now or timezone.now()) + interval


@transaction.atomic
def harvest_source_create(*, municipality: Municipality, data: SourceInput, by: Actor) -> HarvestSource:
    """Register another portal's catalog as a source of a municipality's datasets."""
    require(by, Action.MANAGE_CATALOG, municipality)
    _check_source(data, municipality)
    values = {**asdict(data), "title": data.title.strip(), "url": data.url.strip()}
    source = HarvestSource.objects.create(
        municipality=municipality,
        created_by=by.user,
        next_run_at=_next_run(data.schedule, data.enabled),
        **values,
    )
    audit_record(actor=by, action="harvest_source.create", target=source, municipality=municipality, changes=values)
    return source


@transaction.atomic
def harvest_source_update(*, source: HarvestSource, data: SourceInput, by: Actor) -> HarvestSource:
    """Change a source's address, schedule or policies."""
    source = HarvestSource.objects.select_for_update().select_related("municipality").get(pk=source.pk)
    require(by, Action.MANAGE_CATALOG, source.municipality)
    _check_source(data, source.municipality, exclude_pk=source.pk)
    values = {**asdict(data), "title": data.title.strip(), "url": data.url.strip()}
    changes = {k: [getattr(source, k), v] for k, v in values.items() if getattr(source, k) != v}
    if not changes:
        return source
    for name, value in values.items():
        setattr(source, name, value)
    if "url" in changes or "kind" in changes:
        source.last_clean_started_at = None  # a different catalog: the next run reads it whole
    if {"schedule", "enabled"} & set(changes):
        source.next_run_at = _next_run(source.schedule, source.enabled)
    source.save()
    audit_record(
        actor=by, action="harvest_source.update", target=source, municipality=source.municipality, changes=changes
    )
    return source


@transaction.atomic
def harvest_source_delete(*, source: HarvestSource, by: Actor) -> HarvestSource:
    """Stop harvesting a source. Its datasets stay (read-only, with their origin) until withdrawn by hand."""
    source = HarvestSource.objects.select_for_update().select_related("municipality").get(pk=source.pk)
    require(by, Action.MANAGE_CATALOG, source.municipality)
    if source.deleted_at is None:
        source.deleted_at = timezone.now()
        source.enabled = False
        source.next_run_at = None
        source.save(update_fields=["deleted_at", "enabled", "next_run_at", "updated_at"])
        audit_record(actor=by, action="harvest_source.delete", target=source, municipality=source.municipality)
    return source


def harvest_runs_sync_with_jobs(*, source: HarvestSource | None = None) -> list[int]:
    """Fail every run still "running" or "queued" whose job already ended (its worker died, or the
    reaper or someone cancelled it); return their ids. Runs at each start and every minute."""
    runs = HarvestRun.objects.filter(status__in=ACTIVE_RUN_STATUSES, job__status__in=FINISHED_STATUSES)
    orphans = HarvestRun.objects.filter(status__in=ACTIVE_RUN_STATUSES, job__isnull=True)
    if source is not None:
        runs, orphans = runs.filter(source=source), orphans.filter(source=source)
    fixed = []
    for run in [*runs.select_related("job"), *orphans]:
        job_error = run.job.error if run.job else ""
        if run.job and run.job.status == JobStatus.SUCCEEDED:
            job_error = _("La tarea terminó sin registrar el resultado de la corrida.")
        run.status = RunStatus.FAILED
        run.error = job_error or _("La tarea de esta corrida desapareció.")
        run.finished_at = run.finished_at or timezone.now()
        run.save(update_fields=["status", "error", "finished_at"])
        fixed.append(run.pk)
    return fixed


@transaction.atomic
def harvest_run_start(
    *, source: HarvestSource, by: Actor, dry_run: bool = False, confirm_withdrawals: bool = False
) -> HarvestRun:
    """Queue a run of the source (a dry run only previews); one run per source at a time."""
    source = HarvestSource.objects.select_for_update().select_related("municipality").get(pk=source.pk)
    require(by, Action.MANAGE_CATALOG, source.municipality)
    if source.deleted_at is not None:
        raise Conflict(_("La fuente fue dada de baja."))
    harvest_runs_sync_with_jobs(source=source)
    if source.runs.filter(status__in=ACTIVE_RUN_STATUSES).exists():
        raise Conflict(_("Ya hay una corrida de esta fuente en cola o en curso; esperá a que termine."))
    run = HarvestRun.objects.create(
        source=source, dry_run=dry_run, confirm_withdrawals=confirm_withdrawals, created_by=by.user
    )
    verb = _("Vista previa de la cosecha") if dry_run else _("Cosecha")
    run.job = job_enqueue(
        kind=HARVEST_JOB_KIND,
        by=by,
        municipality=source.municipality,
        title=_("%(verb)s de «%(s)s» (%(m)s)") % {"verb": verb, "s": source.title, "m": source.municipality.name},
        params={"run_id": run.pk},
    )
    run.save(update_fields=["job"])
    audit_record(
        actor=by,
        action="harvest_run.start",
        target=run,
        municipality=source.municipality,
        changes={"dry_run": dry_run, "confirm_withdrawals": confirm_withdrawals},
    )
    return run


def harvest_run_confirm(*, run: HarvestRun, by: Actor) -> HarvestRun:
    """Accept the withdrawals a stopped run asked about: run the source again, allowed to withdraw."""
    if run.status != RunStatus.NEEDS_CONFIRMATION:
        raise Conflict(_("Esta corrida no está esperando confirmación."))
    if run.source.runs.filter(pk__gt=run.pk).exclude(status=RunStatus.FAILED).exists():
        raise Conflict(_("Ya hubo otra corrida después de esta: revisá la más reciente."))
    return harvest_run_start(source=run.source, by=by, confirm_withdrawals=True)


def harvest_sources_due(*, now=None) -> list[int]:
    """Start the runs of enabled sources whose time came; return the ids of the runs started."""
    now = now or timezone.now()
    started = []
    due = HarvestSource.objects.filter(enabled=True, deleted_at__isnull=True, next_run_at__lte=now)
    for source in due.exclude(schedule=Schedule.MANUAL):
        HarvestSource.objects.filter(pk=source.pk).update(next_run_at=_next_run(source.schedule, True, now))
        try:
            started.append(harvest_run_start(source=source, by=Actor.system("harvest")).pk)
        except Conflict:
            continue  # still running from last time: try again at the next slot
    return started
