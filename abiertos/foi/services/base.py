"""Pieces shared by the FOI services: events, audit, notices, deadlines."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from abiertos.accounts.permissions import Action, require
from abiertos.core.actors import Actor
from abiertos.core.audit import audit_record
from abiertos.core.errors import Conflict, PermissionDenied
from abiertos.core.models import Municipality

from ..models import FoiEvent, FoiRequest
from ..privacy import text_redact
from ..rules import WorkCalendar


def today() -> date:
    return timezone.localdate()


def requester_terms(request: FoiRequest) -> list[str]:
    """The requester's own data, masked wherever the public reads."""
    parts = [p for p in request.requester_name.split() if len(p) >= 3]
    return [request.requester_name, *parts, request.requester_id_number, request.contact_email]


def public_text(request: FoiRequest, text: str) -> str:
    return text_redact(text, requester_terms(request))


def event_add(
    request: FoiRequest, kind: str, by: Actor, *, role: str, text: str = "", private_text: str = "", data=None
) -> FoiEvent:
    return FoiEvent.objects.create(
        request=request,
        kind=kind,
        created_at=timezone.now(),
        actor=by.user,
        actor_role=role,
        text=text,
        private_text=private_text,
        data=data or {},
    )


def audit(request: FoiRequest, action: str, by: Actor, changes: dict | None = None) -> None:
    audit_record(
        actor=by, action=f"foi.{action}", target=request, municipality=request.municipality, changes=changes or {}
    )


def notify(request: FoiRequest, subject: str, body: str) -> None:
    """E-mail the requester once the transaction commits."""
    url = f"{settings.SITE_URL}{request.get_absolute_url()}"
    message = f"{body}\n\n{request.number} · {request.subject}\n{url}".strip()
    recipient = request.contact_email
    transaction.on_commit(
        lambda: send_mail(f"[{request.number}] {subject}", message, None, [recipient], fail_silently=True)
    )


def lock(request: FoiRequest) -> FoiRequest:
    return (
        FoiRequest.objects.select_for_update(of=("self",))
        .select_related("municipality__province", "provincial_body__province")
        .get(pk=request.pk)
    )


def require_officer(by: Actor, municipality: Municipality | None) -> None:
    """The municipality's officers; for a provincial body's request (no municipality), provincial admins."""
    require(by, Action.MANAGE_FOI, municipality)


def require_requester(by: Actor, request: FoiRequest) -> None:
    require(by, Action.PARTICIPATE)
    if by.user is None or by.user.pk != request.requester_id:
        raise PermissionDenied(_("Solo quien hizo el pedido puede hacer esto."))


def require_open(request: FoiRequest, message: str) -> None:
    if not request.is_open:
        raise Conflict(message)


def pauses_of(request: FoiRequest) -> list[tuple[date, date]]:
    return [(date.fromisoformat(a), date.fromisoformat(b)) for a, b in request.pauses]


def due_date_compute(request: FoiRequest, calendar: WorkCalendar | None = None) -> date | None:
    """The deadline from the rule copied into the request, its extension and its pauses;
    None while the clock is stopped."""
    if request.clock_stopped_on is not None:
        return None
    calendar = calendar or WorkCalendar(request.authority)
    days = request.response_days + (request.extension_days if request.extended_at else 0)
    start = timezone.localdate(request.filed_at)
    return calendar.add_days(start, days, request.day_kind, pauses_of(request))
