"""Reports of abusive or private content, and hiding a request with a reason."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from abiertos.accounts.permissions import Action, require
from abiertos.core.actors import Actor
from abiertos.core.errors import Conflict, RateLimited, ValidationError

from ..models import EventKind, FoiReport, FoiRequest
from .base import audit, event_add, lock, require_officer

MAX_OPEN_REPORTS_PER_PERSON = 10


@transaction.atomic
def foi_request_report(*, request: FoiRequest, reason: str, by: Actor) -> FoiReport:
    """Flag a request for the moderation queue."""
    require(by, Action.PARTICIPATE)
    reason = reason.strip()
    if len(reason) < 5:
        message = _("Contá brevemente qué problema tiene el pedido.")
        raise ValidationError(message, fields={"reason": [message]})
    if FoiReport.objects.filter(reporter=by.user, resolved_at__isnull=True).count() >= MAX_OPEN_REPORTS_PER_PERSON:
        raise RateLimited(_("Ya tenés muchas denuncias pendientes de revisión."))
    report = FoiReport.objects.create(request=request, reason=reason[:500], reporter=by.user)
    audit(request, "request_report", by, {"reason": reason[:500]})
    return report


def _resolve_reports(request: FoiRequest, resolution: str) -> None:
    request.reports.filter(resolved_at__isnull=True).update(resolved_at=timezone.now(), resolution=resolution[:300])


@transaction.atomic
def foi_request_hide(*, request: FoiRequest, reason: str, by: Actor) -> FoiRequest:
    """Take a request out of public view, with a reason that is shown instead."""
    request = lock(request)
    require_officer(by, request.municipality)
    reason = reason.strip()
    if len(reason) < 5:
        message = _("Indicá el motivo por el que se oculta.")
        raise ValidationError(message, fields={"reason": [message]})
    if request.is_hidden:
        raise Conflict(_("El pedido ya está oculto."))
    request.is_hidden = True
    request.hidden_reason = reason[:300]
    request.save()
    _resolve_reports(request, _("Ocultado: %(r)s") % {"r": reason})
    event_add(request, EventKind.HIDDEN, by, role="moderator", text=reason)
    audit(request, "request_hide", by, {"reason": reason})
    return request


@transaction.atomic
def foi_request_unhide(*, request: FoiRequest, by: Actor) -> FoiRequest:
    """Make a hidden request public again."""
    request = lock(request)
    require_officer(by, request.municipality)
    if not request.is_hidden:
        raise Conflict(_("El pedido no está oculto."))
    request.is_hidden = False
    request.save()
    event_add(request, EventKind.UNHIDDEN, by, role="moderator")
    audit(request, "request_unhide", by)
    return request


@transaction.atomic
def foi_report_dismiss(*, report: FoiReport, by: Actor) -> FoiReport:
    """Close a report without hiding the request."""
    require_officer(by, report.request.municipality)
    if report.resolved_at is not None:
        raise Conflict(_("La denuncia ya fue revisada."))
    report.resolved_at = timezone.now()
    report.resolution = _("Desestimada")
    report.save()
    audit(report.request, "report_dismiss", by, {"report": report.pk})
    return report
