"""REST endpoints of this app, mounted under /api/v1/ by abiertos/api/api.py: harvest sources,
their runs and each run's report, through the same selectors and services as the pages."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from django.utils.translation import gettext as _
from ninja import Field as SchemaField
from ninja import Router, Schema, Status

from abiertos.catalog.schemas import ERRORS
from abiertos.core.errors import ValidationError
from abiertos.core.models import Municipality

from . import selectors, services
from .models import Schedule, SourceKind

router = Router(tags=["cosecha"])


class SourceIn(Schema):
    title: str = SchemaField(..., max_length=150)
    kind: Literal[tuple(SourceKind.values)]  # type: ignore[valid-type]
    url: str = SchemaField(..., max_length=1000)
    schedule: Literal[tuple(Schedule.values)] = Schedule.MANUAL  # type: ignore[valid-type]
    ckan_filter: str = SchemaField("", max_length=300)
    enabled: bool = False
    send_to_datastore: bool = False
    withdraw_threshold_pct: int = SchemaField(20, ge=0, le=100)
    withdraw_grace_days: int = SchemaField(7, ge=0, le=365)
    notify_emails: str = ""


class SourceCreateIn(SourceIn):
    municipality: str = SchemaField(..., description="Slug del municipio, por ejemplo «la-plata».")


class SourceOut(Schema):
    id: int
    municipality: str = SchemaField(..., alias="municipality.slug")
    title: str
    kind: str
    url: str
    schedule: str
    ckan_filter: str
    enabled: bool
    send_to_datastore: bool
    withdraw_threshold_pct: int
    withdraw_grace_days: int
    notify_emails: str
    next_run_at: datetime | None
    last_clean_started_at: datetime | None


class RunStartIn(Schema):
    dry_run: bool = False


class RunOut(Schema):
    id: int
    source_id: int
    job_id: int | None
    dry_run: bool
    confirm_withdrawals: bool
    status: str
    stage: str
    incremental_since: datetime | None
    created: int
    updated: int
    unchanged: int
    withdrawn: int
    restored: int
    failed: int
    remote_total: int
    error: str
    queued_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


class MessageOut(Schema):
    level: str
    stage: str
    remote_id: str
    message: str


class PlanItemOut(Schema):
    remote_id: str
    identifier: str
    title: str
    action: str
    changes: list[str]


class FindingOut(Schema):
    level: Literal["error", "warning"]
    path: str
    profile: bool = SchemaField(..., description="Regla del validador nacional (true) o control propio (false).")
    message: str
    fix: str


class CheckOut(Schema):
    remote_id: str
    identifier: str
    title: str
    dataset_id: int | None
    federable: bool = SchemaField(..., description="Sin errores de validación y en el catálogo.")
    errors: int
    warnings: int
    findings: list[FindingOut]


class ValidationOut(Schema):
    checked: int
    federable: int
    with_errors: int
    with_warnings: int


class RunReportOut(RunOut):
    plan: list[PlanItemOut]
    messages: list[MessageOut]
    validation: ValidationOut
    checks: list[CheckOut]


def _municipality(slug: str) -> Municipality:
    municipality = Municipality.objects.filter(slug=slug, is_active=True).first()
    if municipality is None:
        message = _("No existe el municipio «%(s)s».") % {"s": slug}
        raise ValidationError(message, fields={"municipality": [message]})
    return municipality


def _input(payload: SourceIn) -> services.SourceInput:
    return services.SourceInput(**payload.dict(exclude={"municipality"}))


@router.get("/harvest/sources", response={200: list[SourceOut], **ERRORS}, summary="Listar fuentes de cosecha")
def source_list(request, municipality: str | None = None):
    place = _municipality(municipality) if municipality else None
    return list(selectors.source_list_visible_to(actor=request.auth, municipality=place))


@router.post("/harvest/sources", response={201: SourceOut, **ERRORS}, summary="Registrar una fuente de cosecha")
def source_create(request, payload: SourceCreateIn):
    place = _municipality(payload.municipality)
    return Status(201, services.harvest_source_create(municipality=place, data=_input(payload), by=request.auth))


@router.get("/harvest/sources/{source_id}", response={200: SourceOut, **ERRORS}, summary="Ver una fuente de cosecha")
def source_detail(request, source_id: int):
    return selectors.source_get(actor=request.auth, pk=source_id)


@router.put("/harvest/sources/{source_id}", response={200: SourceOut, **ERRORS}, summary="Cambiar una fuente")
def source_update(request, source_id: int, payload: SourceIn):
    source = selectors.source_get(actor=request.auth, pk=source_id, manage=True)
    return services.harvest_source_update(source=source, data=_input(payload), by=request.auth)


@router.delete("/harvest/sources/{source_id}", response={200: SourceOut, **ERRORS}, summary="Dar de baja una fuente")
def source_delete(request, source_id: int):
    source = selectors.source_get(actor=request.auth, pk=source_id, manage=True)
    return services.harvest_source_delete(source=source, by=request.auth)


@router.get(
    "/harvest/sources/{source_id}/runs", response={200: list[RunOut], **ERRORS}, summary="Listar corridas de una fuente"
)
def run_list(request, source_id: int):
    source = selectors.source_get(actor=request.auth, pk=source_id)
    return list(selectors.run_list_for_source(source=source))


@router.post(
    "/harvest/sources/{source_id}/runs",
    response={202: RunOut, **ERRORS},
    summary="Lanzar una corrida (o una vista previa con dry_run)",
)
def run_start(request, source_id: int, payload: RunStartIn):
    source = selectors.source_get(actor=request.auth, pk=source_id, manage=True)
    return Status(202, services.harvest_run_start(source=source, by=request.auth, dry_run=payload.dry_run))


@router.get("/harvest/runs/{run_id}", response={200: RunReportOut, **ERRORS}, summary="Ver el informe de una corrida")
def run_detail(request, run_id: int):
    run = selectors.run_get(actor=request.auth, pk=run_id)
    run.messages_list = list(selectors.run_messages(run=run))
    return RunReportOut(
        **RunOut.from_orm(run).dict(),
        plan=run.plan,
        messages=[MessageOut.from_orm(m) for m in run.messages_list],
        validation=selectors.run_validation_summary(run=run),
        checks=[CheckOut.from_orm(c) for c in selectors.run_checks(run=run)],
    )


@router.post(
    "/harvest/runs/{run_id}/confirm",
    response={202: RunOut, **ERRORS},
    summary="Confirmar el retiro que pidió una corrida detenida",
)
def run_confirm(request, run_id: int):
    run = selectors.run_get(actor=request.auth, pk=run_id, manage=True)
    return Status(202, services.harvest_run_confirm(run=run, by=request.auth))
