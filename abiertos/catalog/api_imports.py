"""REST endpoints to import a municipality's whole catalog: upload for a dry run, read the report, confirm."""

from __future__ import annotations

from datetime import datetime

from django.utils.translation import gettext_lazy as _
from ninja import File, Form, Router, Schema, Status, UploadedFile

from abiertos.core.errors import ValidationError
from abiertos.core.models import Municipality

from . import import_jobs
from .schemas import ERRORS

router = Router(tags=["catálogo"])


class ImportIssueOut(Schema):
    level: str
    message: str
    text: str
    path: str = ""
    sheet: str | None = None
    row: int | None = None
    column: str | None = None


class ImportedDatasetOut(Schema):
    identifier: str
    title: str
    action: str
    changes: list[str]


class ImportReportOut(Schema):
    source: str = ""
    dry_run: bool = True
    applied: bool = False
    counts: dict[str, int] = {}
    datasets: list[ImportedDatasetOut] = []
    datasets_omitted: int = 0
    issues: list[ImportIssueOut] = []


class CatalogImportOut(Schema):
    job_id: int
    municipality: str
    file: str
    dry_run: bool
    status: str
    progress_done: int
    progress_total: int | None
    message: str
    error: str
    created_at: datetime
    finished_at: datetime | None
    report: ImportReportOut | None


def _out(job) -> dict:
    return {
        "job_id": job.pk,
        "municipality": job.municipality.slug if job.municipality else "",
        "file": job.params.get("filename", ""),
        "dry_run": job.params.get("dry_run", True),
        "status": job.status,
        "progress_done": job.progress_done,
        "progress_total": job.progress_total,
        "message": job.message,
        "error": job.error,
        "created_at": job.created_at,
        "finished_at": job.finished_at,
        "report": job.result or None,
    }


def _municipality(slug: str) -> Municipality:
    municipality = Municipality.objects.filter(slug=slug, is_active=True).first() if "\x00" not in slug else None
    if municipality is None:
        message = str(_("No existe el municipio «%(s)s».") % {"s": slug})
        raise ValidationError(message, fields={"municipality": [message]})
    return municipality


@router.post(
    "/catalog-imports",
    response={202: CatalogImportOut, **ERRORS},
    summary=_("Subir un catálogo (data.json o catalog.xlsx) para revisarlo sin guardar nada"),
    url_name="catalog_import_create",
)
def catalog_import_create(
    request,
    file: File[UploadedFile],
    municipality: Form[str],
    publish: Form[bool] = True,
    skip_invalid: Form[bool] = False,
):
    """Starts a dry run: follow it at ``GET /catalog-imports/{job_id}``; its report says what would be
    created, updated or left unchanged, with every error (sheet, row and column for a spreadsheet).
    Nothing is written until ``POST /catalog-imports/{job_id}/confirm``."""
    job = import_jobs.catalog_import_enqueue(
        municipality=_municipality(municipality),
        upload=file,
        by=request.auth,
        dry_run=True,
        publish=publish,
        skip_invalid=skip_invalid,
    )
    job.refresh_from_db()
    return Status(202, _out(job))


@router.get(
    "/catalog-imports/{job_id}",
    response={200: CatalogImportOut, **ERRORS},
    summary=_("Ver el avance y el informe de una importación de catálogo"),
    url_name="catalog_import_detail",
)
def catalog_import_detail(request, job_id: int):
    return _out(import_jobs.catalog_import_job_get(actor=request.auth, job_id=job_id))


@router.post(
    "/catalog-imports/{job_id}/confirm",
    response={202: CatalogImportOut, **ERRORS},
    summary=_("Confirmar una revisión terminada: importa el catálogo (una tarea nueva)"),
    url_name="catalog_import_confirm",
)
def catalog_import_confirm(request, job_id: int):
    job = import_jobs.catalog_import_job_get(actor=request.auth, job_id=job_id)
    applied = import_jobs.catalog_import_confirm(job=job, by=request.auth)
    applied.refresh_from_db()
    return Status(202, _out(applied))
