"""Jurisdiction data edited by the municipality: its ordinance and its non-working days."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from abiertos.core.actors import Actor
from abiertos.core.audit import audit_record
from abiertos.core.errors import Conflict, ValidationError
from abiertos.core.models import Municipality

from ..models import (
    OPEN_STATUSES,
    AccessOrdinance,
    DayKind,
    EventKind,
    FoiEvent,
    FoiRequest,
    NonWorkingDay,
    OrdinanceStatus,
)
from ..rules import WorkCalendar
from .base import due_date_compute, require_officer


@dataclass
class OrdinanceInput:
    status: str
    number: str = ""
    enacted_on: date | None = None
    url: str = ""
    response_days: int | None = None
    extension_days: int | None = None
    day_kind: str = ""
    forward_days: int | None = None
    requires_id_number: bool = True
    complaint_days: int | None = None
    review_body: str = ""
    notes: str = ""


def _ordinance_errors(data: OrdinanceInput) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if data.status not in OrdinanceStatus.values:
        errors["status"] = [_("Elegí un estado de la lista.")]
    if data.status == OrdinanceStatus.IN_FORCE and not data.number.strip():
        errors["number"] = [_("Una ordenanza vigente necesita su número.")]
    if data.day_kind and data.day_kind not in DayKind.values:
        errors["day_kind"] = [_("Elegí días hábiles o corridos.")]
    for name in ("response_days", "extension_days", "forward_days", "complaint_days"):
        value = getattr(data, name)
        if value is not None and not 0 <= value <= 120:
            errors[name] = [_("Tiene que ser un número de días entre 0 y 120.")]
    if data.response_days == 0:
        errors["response_days"] = [_("El plazo de respuesta no puede ser cero.")]
    return errors


@transaction.atomic
def access_ordinance_set(*, municipality: Municipality, data: OrdinanceInput, by: Actor) -> AccessOrdinance:
    """Record the municipality's ordinance; new requests follow it (open ones keep their rule)."""
    require_officer(by, municipality)
    if errors := _ordinance_errors(data):
        raise ValidationError(_("Revisá los datos de la ordenanza."), fields=errors)
    ordinance, _created = AccessOrdinance.objects.select_for_update().get_or_create(municipality=municipality)
    values = asdict(data)
    changes = {k: [str(getattr(ordinance, k)), str(v)] for k, v in values.items() if getattr(ordinance, k) != v}
    for key, value in values.items():
        setattr(ordinance, key, value)
    ordinance.save()
    audit_record(actor=by, action="foi.ordinance_set", target=ordinance, municipality=municipality, changes=changes)
    return ordinance


def _recompute_open(municipality: Municipality, by: Actor, reason: str) -> dict[str, list[str]]:
    """Move the deadline of every open request the calendar change affects; one timeline event
    per moved request. Returns {number: [old, new]} for the caller's audit event."""
    calendar = WorkCalendar(municipality)
    moved, events = [], []
    now = timezone.now()
    open_requests = FoiRequest.objects.select_for_update().filter(municipality=municipality, status__in=OPEN_STATUSES)
    for request in open_requests:
        new = due_date_compute(request, calendar)
        if new == request.due_date:
            continue
        data = {"from": str(request.due_date), "to": str(new)}
        request.due_date, request.updated_at = new, now
        moved.append(request)
        events.append(
            FoiEvent(
                request=request,
                kind=EventKind.DEADLINE_RECOMPUTED,
                created_at=now,
                actor=by.user,
                actor_role="officer",
                text=reason,
                data=data,
            )
        )
    FoiRequest.objects.bulk_update(moved, ["due_date", "updated_at"], batch_size=500)
    FoiEvent.objects.bulk_create(events, batch_size=500)
    return {e.request.number: [e.data["from"], e.data["to"]] for e in events}


@transaction.atomic
def non_working_day_add(*, municipality: Municipality, day: date, reason: str, by: Actor) -> tuple[NonWorkingDay, int]:
    """Add an asueto and move the deadline of every open request it affects; returns how many moved."""
    require_officer(by, municipality)
    reason = reason.strip()
    if not reason:
        raise ValidationError(_("Indicá el motivo del asueto."), fields={"reason": [_("Indicá el motivo.")]})
    if NonWorkingDay.objects.filter(municipality=municipality, date=day).exists():
        message = _("El %(d)s ya figura como no laborable.") % {"d": f"{day:%d/%m/%Y}"}
        raise Conflict(message)
    entry = NonWorkingDay.objects.create(municipality=municipality, date=day, reason=reason[:200], created_by=by.user)
    label = _("Asueto del %(d)s: %(r)s") % {"d": f"{day:%d/%m/%Y}", "r": reason}
    moved = _recompute_open(municipality, by, label)
    audit_record(
        actor=by,
        action="foi.non_working_day_add",
        target=entry,
        municipality=municipality,
        changes={"date": str(day), "reason": reason, "deadlines_moved": moved},
    )
    return entry, len(moved)


@transaction.atomic
def non_working_day_remove(*, entry: NonWorkingDay, by: Actor) -> int:
    """Remove an asueto recorded by mistake; open deadlines move back."""
    municipality = entry.municipality
    require_officer(by, municipality)
    label = _("Se quitó el asueto del %(d)s") % {"d": f"{entry.date:%d/%m/%Y}"}
    removed = {"non_working_day": entry.pk, "date": str(entry.date), "reason": entry.reason}
    entry.delete()
    moved = _recompute_open(municipality, by, label)
    audit_record(
        actor=by,
        action="foi.non_working_day_remove",
        municipality=municipality,
        changes={**removed, "deadlines_moved": moved},
    )
    return len(moved)
