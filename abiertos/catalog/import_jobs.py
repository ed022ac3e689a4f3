"""Catalog imports as background jobs: upload, dry run (a report), confirmation, apply.

An editor's upload is stored and a dry-run job plans it (``imports.catalog_import``): its result is
the report a page or an API client shows. Confirming starts a second job over the same stored
file that applies the plan through the catalog services. Both are permission-checked and leave
an audit event; every dataset written leaves its own, as an edit by hand would.
"""

from __future__ import annotations

import os
import uuid

from django.core.files import File
from django.core.files.storage import default_storage
from django.utils.translation import gettext as _

from abiertos.accounts.permissions import Action, require
from abiertos.core.actors import Actor
from abiertos.core.audit import audit_record
from abiertos.core.errors import Conflict, NotFound, ValidationError
from abiertos.core.models import Municipality
from abiertos.jobs.models import Job, JobStatus
from abiertos.jobs.selectors import job_get_visible
from abiertos.jobs.services import job_enqueue

from .imports import catalog_import

IMPORT_JOB_KIND = "catalog.import"


def catalog_import_enqueue(
    *,
    municipality: Municipality,
    upload: File,
    by: Actor,
    dry_run: bool = True,
    skip_invalid: bool = False,
    publish: bool = True,
) -> Job:
    """Keep the uploaded catalog and import it in the background; the job's result is the report."""
    require(by, Action.MANAGE_CATALOG, municipality)
    name = os.path.basename(upload.name or "catalog")
    if upload.size is not None and upload.size > IMPORT_MAX_BYTES:
        message = _("El archivo pesa más de %(mb)d MB, el máximo para importar un catálogo.") % {
            "mb": IMPORT_MAX_BYTES // 1_000_000
        }
        raise ValidationError(message, fields={"file": [message]})
    if not name.lower().endswith(IMPORT_EXTENSIONS):
        message = _("Subí un data.json, un catalog.xlsx o un archivo DCAT (.ttl, .rdf, .jsonld).")
        raise ValidationError(message, fields={"file": [message]})
    stored = default_storage.save(f"imports/{uuid.uuid4().hex}/{name}", upload)
    return _import_job_enqueue(
        municipality=municipality,
        by=by,
        path=stored,
        filename=name,
        dry_run=dry_run,
        skip_invalid=skip_invalid,
        publish=publish,
    )


IMPORT_MAX_BYTES = 50_000_000
IMPORT_EXTENSIONS = (".json", ".xlsx", ".ttl", ".rdf", ".xml", ".jsonld")


def _import_job_enqueue(
    *, municipality: Municipality, by: Actor, path: str, filename: str, dry_run: bool, skip_invalid: bool, publish: bool
) -> Job:
    verb = _("Revisión") if dry_run else _("Importación")
    job = job_enqueue(
        kind=IMPORT_JOB_KIND,
        by=by,
        municipality=municipality,
        title=_("%(verb)s del catálogo %(file)s en %(m)s") % {"verb": verb, "file": filename, "m": municipality.name},
        params={
            "municipality_id": municipality.pk,
            "path": path,
            "filename": filename,
            "dry_run": dry_run,
            "skip_invalid": skip_invalid,
            "publish": publish,
        },
    )
    audit_record(
        actor=by,
        action="catalog.import_dry_run" if dry_run else "catalog.import",
        target=job,
        municipality=municipality,
        changes={"file": filename, "skip_invalid": skip_invalid, "publish": publish},
    )
    return job


def catalog_import_job_get(*, actor: Actor, job_id: int, municipality: Municipality | None = None) -> Job:
    """An import job the actor may follow (of this municipality, when one is given)."""
    job = job_get_visible(actor=actor, job_id=job_id)
    if job.kind != IMPORT_JOB_KIND or (municipality is not None and job.municipality_id != municipality.pk):
        raise NotFound(_("No existe esa importación o no tenés acceso a ella."))
    return job


def catalog_import_confirm(*, job: Job, by: Actor) -> Job:
    """Apply what a finished dry run showed: a new import job over the same stored file."""
    municipality = job.municipality
    if municipality is None:
        raise NotFound(_("No existe esa importación o no tenés acceso a ella."))
    require(by, Action.MANAGE_CATALOG, municipality)
    params = job.params
    if job.kind != IMPORT_JOB_KIND or not params.get("dry_run"):
        raise Conflict(_("Solo se confirma una revisión (simulacro) de importación."))
    if job.status != JobStatus.SUCCEEDED:
        raise Conflict(_("La revisión todavía no terminó, o falló: no hay nada que confirmar."))
    counts = job.result.get("counts", {})
    if counts.get("invalid") and not params.get("skip_invalid"):
        raise Conflict(
            _("El catálogo tiene errores: corregilos y volvé a subirlo, o elegí omitir los conjuntos con errores.")
        )
    if not counts.get("create") and not counts.get("update"):
        raise Conflict(_("No hay nada para crear ni actualizar."))
    return _import_job_enqueue(
        municipality=municipality,
        by=by,
        path=params["path"],
        filename=params["filename"],
        dry_run=False,
        skip_invalid=params.get("skip_invalid", False),
        publish=params.get("publish", True),
    )


def catalog_import_job_run(*, job: Job, progress) -> dict:
    """Job handler: run the import the job describes and return its report."""
    params = job.params
    municipality = Municipality.objects.get(pk=params["municipality_id"])
    with default_storage.open(params["path"], "rb") as stored:
        data = stored.read()
    by = Actor.for_user(job.created_by, via="job") if job.created_by else Actor.system("import")
    report = catalog_import(
        municipality=municipality,
        data=data,
        filename=params["filename"],
        by=by,
        dry_run=params.get("dry_run", True),
        skip_invalid=params.get("skip_invalid", False),
        publish=params.get("publish", True),
        progress=progress,
    )
    if report.errors and not report.dry_run and not report.applied:
        raise ValidationError(
            _("No se importó nada: el catálogo tiene %(n)d errores.") % {"n": len(report.errors)},
        )
    return report.as_dict()
