"""Writes of the datastore: queue a load, run it with an atomic swap, edit the data dictionary."""

from __future__ import annotations

import logging
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from abiertos.accounts.permissions import Action, require
from abiertos.catalog.models import Distribution, Field
from abiertos.core.actors import Actor
from abiertos.core.audit import audit_record
from abiertos.core.errors import ValidationError
from abiertos.jobs.models import FINISHED_STATUSES, Job
from abiertos.jobs.runner import JobCancelled
from abiertos.jobs.services import job_enqueue

from .detection import Detection, detect
from .loading import load_to_parquet
from .models import DatastoreTable, IngestionRun, RunOutcome, TableStatus
from .options import COLUMN_TYPES, IngestionSettings
from .problems import IngestionProblem
from .sorted_copy import cluster_column, sorted_copy_path, sorted_copy_write
from .sources import distribution_local_file

logger = logging.getLogger(__name__)
INGEST_JOB_KIND = "datastore.ingest"


def datastore_root() -> Path:
    return Path(settings.DATASTORE_ROOT)


def _table_for(distribution: Distribution) -> DatastoreTable:
    table, _created = DatastoreTable.objects.get_or_create(distribution=distribution)
    return table


def _overrides_for(table: DatastoreTable, overrides: IngestionSettings | None) -> IngestionSettings:
    return overrides if overrides is not None else IngestionSettings.from_dict(table.overrides)


def datastore_preview_detection(*, distribution: Distribution, overrides: IngestionSettings | None = None) -> Detection:
    """What a load would do (settings, types, first rows) without loading anything."""
    table = DatastoreTable.objects.filter(distribution=distribution).first()
    chosen = overrides if overrides is not None else IngestionSettings.from_dict(table.overrides if table else {})
    with distribution_local_file(distribution) as (path, name):
        return detect(path=path, name=name, overrides=chosen)


@transaction.atomic
def datastore_ingest_enqueue(
    *, distribution: Distribution, by: Actor, overrides: IngestionSettings | None = None
) -> Job:
    """Queue a load of the distribution's current file; the publisher's corrections are kept for next time."""
    municipality = distribution.dataset.municipality
    require(by, Action.MANAGE_CATALOG, municipality)
    table = DatastoreTable.objects.select_for_update().get(pk=_table_for(distribution).pk)
    if overrides is not None:
        table.overrides = overrides.as_dict()
    job = job_enqueue(
        kind=INGEST_JOB_KIND,
        by=by,
        params={"distribution_id": distribution.pk, "overrides": table.overrides},
        municipality=municipality,
        title=_("Cargar «%(title)s» como tabla") % {"title": distribution.title},
    )
    table.current_job = job
    table.status = TableStatus.PENDING
    table.save(update_fields=["overrides", "current_job", "status", "updated_at"])
    audit_record(
        actor=by,
        action="datastore.ingest_enqueue",
        target=distribution,
        municipality=municipality,
        changes={"overrides": table.overrides, "job": job.pk},
    )
    return job


def _new_parquet_path(distribution: Distribution) -> str:
    return f"{distribution.uuid}/{timezone.now():%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}.parquet"


def _remove(relative: str) -> None:
    if relative:
        (datastore_root() / relative).unlink(missing_ok=True)


def _run_fail(run: IngestionRun, problem: IngestionProblem, started: float) -> None:
    with transaction.atomic():
        table = DatastoreTable.objects.select_for_update().get(pk=run.table_id)
        IngestionRun.objects.filter(pk=run.pk).update(
            outcome=RunOutcome.FAILED,
            reason=problem.reason,
            error=problem.message,
            error_row=problem.row,
            error_column=problem.column[:200],
            finished_at=timezone.now(),
            seconds=time.monotonic() - started,
        )
        table.status = TableStatus.FAILED
        table.last_error = problem.message
        table.save(update_fields=["status", "last_error", "updated_at"])


def _columns_with_dictionary(columns: list[dict], previous: list[dict]) -> list[dict]:
    """Keep the descriptions and units the publisher wrote for columns that are still there."""
    known = {c["name"]: c for c in previous}
    kept = []
    for column in columns:
        old = known.get(column["name"], {})
        kept.append(
            {
                "name": column["name"],
                "original": column.get("original", ""),
                "type": column["type"],
                "format": column.get("format", ""),
                "nullable": column.get("nullable", True),
                "description": old.get("description", ""),
                "units": old.get("units", ""),
            }
        )
    return kept


def _catalog_fields_sync(distribution: Distribution, columns: list[dict]) -> None:
    """Make the distribution's data dictionary (data.json / DCAT ``field``) match the table's columns."""
    existing = {f.title: f for f in Field.objects.filter(distribution=distribution)}
    Field.objects.filter(distribution=distribution).delete()
    Field.objects.bulk_create(
        Field(
            distribution=distribution,
            position=position,
            title=column["name"][:60],
            type=column["type"],
            description=column.get("description") or getattr(existing.get(column["name"]), "description", ""),
            units=column.get("units") or getattr(existing.get(column["name"]), "units", ""),
        )
        for position, column in enumerate(columns)
    )


def _swap(
    run: IngestionRun, relative: str, detection: Detection, result, overrides: IngestionSettings
) -> DatastoreTable:
    """Point the table at the new Parquet in one transaction; the old file goes once that commits."""
    with transaction.atomic():
        table = DatastoreTable.objects.select_for_update().select_related("distribution").get(pk=run.table_id)
        newer = table.runs.filter(outcome=RunOutcome.SUCCEEDED, pk__gt=run.pk).exists()
        old = relative if newer else table.parquet_path
        old_sorted = "" if newer else (table.settings or {}).get("sorted_copy", {}).get("path", "")
        if not newer:
            table.columns = _columns_with_dictionary(result.columns, table.columns)
            table.parquet_path, table.version = relative, table.version + 1
            table.row_count, table.loaded_at = result.row_count, timezone.now()
            table.settings = {**detection.settings, "encoding_found": result.encoding_used}
            table.warnings = detection.warnings + result.degraded
            table.source_file_version = run.file_version
            table.status, table.last_error = TableStatus.READY, ""
            table.save()
            _catalog_fields_sync(table.distribution, table.columns)
        IngestionRun.objects.filter(pk=run.pk).update(
            outcome=RunOutcome.SUCCEEDED,
            row_count=result.row_count,
            finished_at=timezone.now(),
            settings={**detection.settings, "overrides": overrides.as_dict()},
        )
        transaction.on_commit(lambda: (_remove(old), _remove(old_sorted)))
    return table


def _sorted_copy_build(table: DatastoreTable, progress) -> None:
    """Write the sorted copy of a large table that was just published (see sorted_copy.py).

    The table already serves from its own file; a failure here only leaves it without the copy."""
    relative = table.parquet_path
    parquet = datastore_root() / relative
    try:
        column = cluster_column(parquet=parquet, columns=table.columns, rows=table.row_count or 0)
        if column is None:
            return
        progress(
            96, 100, _("Ordenando una copia por «%(column)s» para filtrar rápido…") % {"column": column}, force=True
        )
        copy = sorted_copy_path(relative)
        sorted_copy_write(parquet=parquet, column=column, target=datastore_root() / copy)
    except JobCancelled:
        return  # the table is published already; it just stays without the copy
    except Exception:
        logger.exception("sorted copy of datastore table %s failed", table.pk)
        return
    with transaction.atomic():
        current = DatastoreTable.objects.select_for_update().get(pk=table.pk)
        if current.parquet_path != relative:  # a newer load won meanwhile: its file has no copy yet
            transaction.on_commit(lambda: _remove(copy))
            return
        current.settings = {**current.settings, "sorted_copy": {"path": copy, "column": column}}
        current.save(update_fields=["settings", "updated_at"])


def _load_progress(progress):
    """Map the load's phases onto the job's bar: transcoding 10–40 %, DuckDB 40–95 %."""
    messages = {"transcode": _("Convirtiendo el texto a UTF-8…"), "load": _("Leyendo y convirtiendo los datos…")}
    spans = {"transcode": (10, 30), "load": (40, 55)}

    def report(phase: str, done: float, total: float) -> None:
        start, width = spans[phase]
        progress(start + int(width * done / max(total, 1)), 100, messages[phase])

    return report


def _noop_progress(done: int, total: int | None = None, message: str = "", **kwargs) -> None:
    return None


def datastore_ingest(
    *,
    distribution: Distribution,
    by: Actor,
    overrides: IngestionSettings | None = None,
    job: Job | None = None,
    progress=None,
) -> IngestionRun:
    """Load the distribution's current file as a new version of its table, or fail leaving the old one serving.

    Raises IngestionProblem (a ValidationError) with the reason, in Spanish, when the file cannot be loaded.
    """
    require(by, Action.MANAGE_CATALOG, distribution.dataset.municipality)
    progress = progress or _noop_progress
    table = _table_for(distribution)
    overrides = _overrides_for(table, overrides)
    run = IngestionRun.objects.create(
        table=table,
        job=job,
        file_version=distribution.file_version or None,
        overrides=overrides.as_dict(),
        created_by=by.user,
    )
    DatastoreTable.objects.filter(pk=table.pk).update(status=TableStatus.LOADING)
    started, relative = time.monotonic(), _new_parquet_path(distribution)
    target = datastore_root() / relative
    partial = target.with_suffix(".partial")
    try:
        progress(0, 100, _("Leyendo una muestra del archivo…"), force=True)
        with distribution_local_file(distribution) as (path, name):
            detection = detect(path=path, name=name, overrides=overrides)
            progress(10, 100, _("Cargando %(n)d columnas…") % {"n": len(detection.columns)}, force=True)
            target.parent.mkdir(parents=True, exist_ok=True)
            result = load_to_parquet(path=path, detection=detection, target=partial, progress=_load_progress(progress))
        partial.replace(target)
        progress(95, 100, _("Publicando la tabla nueva…"), force=True)
        table = _swap(run, relative, detection, result, overrides)
    except IngestionProblem as problem:
        _run_fail(run, problem, started)
        raise
    except JobCancelled:
        problem = IngestionProblem(_("Carga cancelada. La tabla anterior sigue publicada."), reason="cancelled")
        _run_fail(run, problem, started)
        raise
    except Exception as exc:
        logger.exception("datastore load of distribution %s failed", distribution.pk)
        problem = IngestionProblem(
            _("No se pudo cargar el archivo por un error inesperado (%(kind)s). La tabla anterior sigue publicada.")
            % {"kind": type(exc).__name__},
            reason="unexpected",
        )
        _run_fail(run, problem, started)
        raise problem from exc
    finally:
        partial.unlink(missing_ok=True)
    IngestionRun.objects.filter(pk=run.pk).update(seconds=time.monotonic() - started)
    if table.parquet_path == relative:
        _sorted_copy_build(table, progress)
    run.refresh_from_db()
    progress(100, 100, _("Tabla cargada: %(n)d filas.") % {"n": run.row_count}, force=True)
    return run


def ingestion_runs_reconcile() -> int:
    """Fail the runs still marked running whose job already ended (a worker that died mid-load)."""
    stale = IngestionRun.objects.filter(outcome=RunOutcome.RUNNING, job__status__in=FINISHED_STATUSES)
    count = 0
    for run in stale.select_related("job"):
        reason = run.job.error or _("el proceso que cargaba el archivo se interrumpió")
        problem = IngestionProblem(
            _("La carga no terminó: %(reason)s. La tabla anterior sigue publicada.") % {"reason": reason},
            reason="interrupted",
        )
        _run_fail(run, problem, time.monotonic())
        count += 1
    return count


def _job_actor(job: Job) -> Actor:
    if job.created_by is not None:
        return Actor.for_user(job.created_by, via="job")
    return Actor.system("datastore")


def ingest_job_run(*, job: Job, progress) -> dict:
    """Job handler for "datastore.ingest": load one distribution's file."""
    distribution = (
        Distribution.objects.select_related("dataset__municipality")
        .filter(pk=job.params.get("distribution_id"), deleted_at__isnull=True)
        .first()
    )
    if distribution is None:
        return {"skipped": _("El recurso ya no existe.")}
    overrides = IngestionSettings.from_dict(job.params.get("overrides"))
    run = datastore_ingest(
        distribution=distribution, by=_job_actor(job), overrides=overrides, job=job, progress=progress
    )
    table = DatastoreTable.objects.get(pk=run.table_id)
    return {"rows": run.row_count, "version": table.version, "columns": [c["name"] for c in table.columns]}


@dataclass
class FieldEdit:
    name: str
    type: str
    description: str = ""
    units: str = ""


def _fields_check(table: DatastoreTable, fields: list[FieldEdit]) -> None:
    names = {c["name"] for c in table.columns}
    errors = {}
    for edit in fields:
        if edit.name not in names:
            errors[edit.name] = [_("La tabla no tiene una columna «%(name)s».") % {"name": edit.name}]
        elif edit.type not in COLUMN_TYPES:
            errors[edit.name] = [_("Tipo desconocido: %(type)s.") % {"type": edit.type}]
        elif len(edit.description) > 500 or len(edit.units) > 60:
            errors[edit.name] = [_("La descripción admite 500 caracteres y las unidades 60.")]
    if errors:
        raise ValidationError(_("Revisá el diccionario de datos."), fields=errors)


@transaction.atomic
def datastore_fields_update(*, table: DatastoreTable, fields: list[FieldEdit], by: Actor) -> DatastoreTable:
    """Edit descriptions, units and types of the table's columns; a changed type reloads the table."""
    table = (
        DatastoreTable.objects.select_for_update()
        .select_related("distribution__dataset__municipality")
        .get(pk=table.pk)
    )
    require(by, Action.MANAGE_CATALOG, table.distribution.dataset.municipality)
    _fields_check(table, fields)
    edits = {edit.name: edit for edit in fields}
    retyped = {}
    for column in table.columns:
        edit = edits.get(column["name"])
        if edit is None:
            continue
        column.update(description=edit.description.strip(), units=edit.units.strip())
        if edit.type != column["type"]:
            retyped[column["name"]] = edit.type
    table.save(update_fields=["columns", "updated_at"])
    _catalog_fields_sync(table.distribution, table.columns)
    audit_record(
        actor=by,
        action="datastore.fields_update",
        target=table.distribution,
        municipality=table.distribution.dataset.municipality,
        changes={"fields": [e.__dict__ for e in fields], "retyped": retyped},
    )
    if retyped:
        overrides = IngestionSettings.from_dict(table.overrides)
        overrides.column_types = {**overrides.column_types, **retyped}
        datastore_ingest_enqueue(distribution=table.distribution, by=by, overrides=overrides)
        table.refresh_from_db()
    return table
