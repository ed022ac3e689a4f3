"""The life of a request: filing, then one service per transition, each leaving an event."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from abiertos.accounts.permissions import Action, require
from abiertos.catalog.models import Theme
from abiertos.core.actors import Actor
from abiertos.core.errors import Conflict, RateLimited, ValidationError
from abiertos.core.models import Module, Municipality

from ..models import (
    DayKind,
    EventKind,
    FoiRequest,
    FoiSubmission,
    FormatChoice,
    Outcome,
    ProvincialBody,
    RefusalGround,
    Status,
)
from ..rules import WorkCalendar, access_rule_for
from .base import (
    audit,
    due_date_compute,
    event_add,
    lock,
    notify,
    public_text,
    require_officer,
    require_open,
    require_requester,
    today,
)
from .opendata import open_dataset_refresh_soon

DNI_RE = re.compile(r"^\d{7,8}$")
# Requests one person, and one connection, may file in 24 hours.
MAX_PER_PERSON_PER_DAY = 5
MAX_PER_IP_PER_DAY = 20


@dataclass
class RequestInput:
    subject: str
    body: str
    requester_name: str
    contact_email: str
    requester_id_number: str = ""
    preferred_format: str = FormatChoice.ANY
    topic: str = ""  # a catalog Theme identifier


def pseudonym_for(name: str) -> str:
    """Initials, the only thing the public sees of who asked."""
    initials = [p[0].upper() + "." for p in name.split() if p[:1].isalpha()]
    return " ".join(initials[:3]) or _("Anónimo")


def _input_errors(data: RequestInput, requires_id: bool) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if len(data.subject.strip()) < 5:
        errors["subject"] = [_("Escribí un asunto de al menos 5 caracteres.")]
    elif len(data.subject) > 200:
        errors["subject"] = [_("El asunto puede tener hasta 200 caracteres.")]
    if len(data.body.strip()) < 20:
        errors["body"] = [_("Contá qué información querés en al menos 20 caracteres.")]
    elif len(data.body) > 5000:
        errors["body"] = [_("El pedido puede tener hasta 5000 caracteres.")]
    if len(data.requester_name.strip().split()) < 2:
        errors["requester_name"] = [_("Escribí tu nombre y apellido, como figuran en tu documento.")]
    dni = data.requester_id_number.replace(".", "").strip()
    if (requires_id or dni) and not DNI_RE.match(dni):
        errors["requester_id_number"] = [
            _("El DNI tiene 7 u 8 números, sin puntos; lo pide la norma de este municipio.")
        ]
    try:
        validate_email(data.contact_email)
    except Exception:  # noqa: BLE001 - Django's ValidationError; the message is ours
        errors["contact_email"] = [_("Escribí un correo electrónico válido para recibir los avisos.")]
    if data.preferred_format not in FormatChoice.values:
        errors["preferred_format"] = [_("Elegí un formato de la lista.")]
    if data.topic and not Theme.objects.filter(identifier=data.topic).exists():
        errors["topic"] = [_("Elegí un tema de la lista.")]
    return errors


def _check_rate(by: Actor) -> None:
    since = timezone.now() - timedelta(hours=24)
    recent = FoiSubmission.objects.filter(created_at__gte=since)
    if recent.filter(user_id_value=by.user.pk).count() >= MAX_PER_PERSON_PER_DAY:
        raise RateLimited(_("Ya hiciste muchos pedidos en las últimas 24 horas; probá de nuevo mañana."))
    if by.ip and recent.filter(ip=by.ip).count() >= MAX_PER_IP_PER_DAY:
        raise RateLimited(_("Se hicieron muchos pedidos desde esta conexión en las últimas 24 horas."))


def _next_number(authority: Municipality | ProvincialBody) -> str:
    type(authority).objects.select_for_update().filter(pk=authority.pk).first()
    year = timezone.localdate().year
    field = "provincial_body" if isinstance(authority, ProvincialBody) else "municipality"
    mine = FoiRequest.objects.filter(**{field: authority})
    count = mine.filter(number__startswith=f"{year}-").count()
    return f"{year}-{count + 1:05d}"


def _check_authority(municipality: Municipality | None, body: ProvincialBody | None) -> Municipality | ProvincialBody:
    if (municipality is None) == (body is None):
        raise ValidationError(_("Elegí a quién va dirigido el pedido: un municipio o un organismo provincial."))
    if body is not None:
        if not body.is_active:
            raise Conflict(_("%(m)s no recibe pedidos por esta plataforma.") % {"m": body.name})
        return body
    if not municipality.module_enabled(Module.FOI):
        raise Conflict(_("%(m)s no recibe pedidos por esta plataforma.") % {"m": municipality.name})
    return municipality


@transaction.atomic
def foi_request_file(
    *,
    data: RequestInput,
    by: Actor,
    municipality: Municipality | None = None,
    body: ProvincialBody | None = None,
    is_demo: bool = False,
) -> FoiRequest:
    """File a request with a municipality or a provincial body; the deadline follows the rule that governs it."""
    require(by, Action.PARTICIPATE)
    authority = _check_authority(municipality, body)
    rule = access_rule_for(authority)
    if errors := _input_errors(data, rule.requires_id_number):
        raise ValidationError(_("Revisá los datos marcados del pedido."), fields=errors)
    if not is_demo:  # demo seeding files many requests for one demo account
        _check_rate(by)
    request = FoiRequest(
        municipality=municipality,
        provincial_body=body,
        number=_next_number(authority),
        requester=by.user,
        requester_name=data.requester_name.strip(),
        requester_id_number=data.requester_id_number.replace(".", "").strip(),
        contact_email=data.contact_email.strip().lower(),
        pseudonym=pseudonym_for(data.requester_name),
        subject=data.subject.strip(),
        body=data.body.strip(),
        preferred_format=data.preferred_format,
        topic=Theme.objects.filter(identifier=data.topic).first() if data.topic else None,
        rule_source=rule.source,
        response_days=rule.response_days,
        extension_days=rule.extension_days,
        day_kind=rule.day_kind,
        complaint_days=rule.complaint_days,
        review_body=rule.review_body,
        filed_at=timezone.now(),
        is_demo=is_demo,
    )
    request.public_subject = public_text(request, request.subject)
    request.public_body = public_text(request, request.body)
    request.due_date = due_date_compute(request)
    request.save()
    FoiSubmission.objects.create(user_id_value=by.user.pk if by.user else 0, ip=by.ip or "")
    event_add(request, EventKind.FILED, by, role="requester", data={"due_date": str(request.due_date)})
    audit(request, "request_file", by, {"due_date": str(request.due_date), "rule": rule.source})
    notify(
        request,
        _("Recibimos tu pedido"),
        _("Tu pedido fue presentado. Vence el %(d)s (%(rule)s).")
        % {"d": f"{request.due_date:%d/%m/%Y}", "rule": rule.source},
    )
    return request


@transaction.atomic
def foi_request_acknowledge(*, request: FoiRequest, file_number: str, by: Actor) -> FoiRequest:
    """Record that the office took the request, with its file number."""
    request = lock(request)
    require_officer(by, request.municipality)
    if request.status != Status.FILED:
        raise Conflict(_("El pedido ya fue recibido antes."))
    if not file_number.strip():
        raise ValidationError(
            _("Falta el número de expediente."), fields={"file_number": [_("Escribí el número de expediente.")]}
        )
    request.file_number = file_number.strip()[:60]
    request.status = Status.ACKNOWLEDGED
    request.save()
    event_add(request, EventKind.ACKNOWLEDGED, by, role="officer", data={"file_number": request.file_number})
    audit(request, "request_acknowledge", by, {"file_number": request.file_number})
    notify(request, _("Tu pedido está en trámite"), _("Expediente %(n)s.") % {"n": request.file_number})
    return request


def _required_text(value: str, field: str, message: str) -> str:
    if len(value.strip()) < 5:
        raise ValidationError(message, fields={field: [message]})
    return value.strip()


@transaction.atomic
def foi_request_ask_clarification(*, request: FoiRequest, question: str, by: Actor) -> FoiRequest:
    """Ask the requester to clarify; the clock stops until they answer."""
    request = lock(request)
    require_officer(by, request.municipality)
    require_open(request, _("El pedido ya está cerrado."))
    if request.status == Status.AWAITING_CLARIFICATION:
        raise Conflict(_("Ya hay una aclaración pendiente."))
    question = _required_text(question, "question", _("Escribí qué necesitás que aclare."))
    request.status = Status.AWAITING_CLARIFICATION
    request.clock_stopped_on = today()
    request.due_date = None
    request.save()
    event_add(request, EventKind.CLARIFICATION_REQUESTED, by, role="officer", text=public_text(request, question))
    audit(request, "request_ask_clarification", by)
    notify(request, _("Te piden una aclaración"), question)
    return request


@transaction.atomic
def foi_request_clarify(*, request: FoiRequest, text: str, by: Actor) -> FoiRequest:
    """The requester answers; the clock runs again from the next day."""
    request = lock(request)
    require_requester(by, request)
    if request.status != Status.AWAITING_CLARIFICATION:
        raise Conflict(_("No hay ninguna aclaración pendiente."))
    text = _required_text(text, "text", _("Escribí la aclaración."))
    stopped, resumed = request.clock_stopped_on, today()
    request.pauses = [*request.pauses, [stopped.isoformat(), resumed.isoformat()]]
    request.clock_stopped_on = None
    request.status = Status.ACKNOWLEDGED if request.file_number else Status.FILED
    request.due_date = due_date_compute(request)
    request.save()
    event_add(
        request,
        EventKind.CLARIFIED,
        by,
        role="requester",
        text=public_text(request, text),
        private_text=text,
        data={"due_date": str(request.due_date)},
    )
    audit(request, "request_clarify", by, {"due_date": str(request.due_date)})
    return request


@transaction.atomic
def foi_request_extend(*, request: FoiRequest, reason: str, by: Actor) -> FoiRequest:
    """Extend the deadline once, by reasoned act, before it expires."""
    request = lock(request)
    require_officer(by, request.municipality)
    require_open(request, _("El pedido ya está cerrado."))
    if request.extended_at is not None:
        raise Conflict(_("El plazo ya fue prorrogado una vez; la norma no permite otra prórroga."))
    if request.extension_days == 0:
        raise Conflict(_("La norma que rige este pedido no prevé prórroga."))
    if request.due_date and request.due_date < today():
        raise Conflict(_("El plazo ya venció: la prórroga tiene que pedirse antes del vencimiento."))
    reason = _required_text(reason, "reason", _("Explicá por qué se prorroga el plazo."))
    before = request.due_date
    request.extended_at = timezone.now()
    request.extension_reason = reason
    request.due_date = due_date_compute(request)
    request.save()
    event_add(
        request,
        EventKind.EXTENDED,
        by,
        role="officer",
        text=public_text(request, reason),
        data={"from": str(before), "to": str(request.due_date), "days": request.extension_days},
    )
    audit(request, "request_extend", by, {"due_date": [str(before), str(request.due_date)]})
    notify(request, _("Se prorrogó el plazo"), _("Nuevo vencimiento: %(d)s.") % {"d": request.due_date})
    return request


@transaction.atomic
def foi_request_forward(*, request: FoiRequest, to: str, reason: str, by: Actor) -> FoiRequest:
    """Send the request to the body that holds the information."""
    request = lock(request)
    require_officer(by, request.municipality)
    require_open(request, _("El pedido ya está cerrado."))
    to = _required_text(to, "to", _("Indicá a qué organismo se deriva."))
    forward_by = WorkCalendar(request.authority).add_days(
        timezone.localdate(request.filed_at), access_rule_for(request.authority).forward_days, request.day_kind
    )
    on_time = today() <= forward_by
    request.status = Status.FORWARDED
    request.forwarded_to = to[:200]
    request.save()
    data = {"to": to, "forward_by": str(forward_by), "on_time": on_time}
    event_add(request, EventKind.FORWARDED, by, role="officer", text=public_text(request, reason), data=data)
    audit(request, "request_forward", by, data)
    notify(request, _("Tu pedido fue derivado"), _("Lo derivamos a: %(to)s.") % {"to": to})
    return request


def _close(request: FoiRequest, outcome: str, kind: str, text: str, by: Actor, data: dict | None = None) -> None:
    request.status = Status.CLOSED
    request.outcome = outcome
    request.responded_at = timezone.now()
    request.answer_text = text
    request.public_answer = public_text(request, text)
    request.clock_stopped_on = None
    request.save()
    on_time = request.due_date is None or timezone.localdate(request.responded_at) <= request.due_date
    event_add(request, kind, by, role="officer", text=request.public_answer, data={**(data or {}), "on_time": on_time})
    audit(request, f"request_{kind}", by, {"outcome": outcome, "on_time": on_time})
    if request.municipality_id:
        open_dataset_refresh_soon(request.municipality)


@transaction.atomic
def foi_request_answer(
    *, request: FoiRequest, text: str, partial: bool, by: Actor, pdf_confirmation: str = ""
) -> FoiRequest:
    """Answer (fully or in part); the checked attachments are published with the answer.

    A PDF's text is scanned but not rewritten: a PDF with such findings is published only when
    the officer confirms it with a reason, which the timeline and the audit record."""
    request = lock(request)
    require_officer(by, request.municipality)
    require_open(request, _("El pedido ya está cerrado."))
    text = _required_text(text, "text", _("Escribí la respuesta."))
    pending = list(request.attachments.filter(is_published=False))
    data = {"attachments": [a.name for a in pending]}
    if unresolved := [a.name for a in pending if a.pdf_unresolved]:
        data["pdf_confirmation"] = _pdf_confirmation(request, unresolved, pdf_confirmation, by)
    request.attachments.filter(is_published=False).update(is_published=True)
    outcome = Outcome.ANSWERED_PARTIAL if partial else Outcome.ANSWERED_FULL
    _close(request, outcome, EventKind.ANSWERED, text, by, {"outcome": outcome, **data})
    notify(request, _("Respondieron tu pedido"), request.answer_text)
    return request


def _pdf_confirmation(request: FoiRequest, names: list[str], reason: str, by: Actor) -> dict:
    reason = reason.strip()[:500]
    if not reason:
        message = _(
            "El texto de estos PDF tiene hallazgos que la copia pública no corrige: %(n)s. Subí un PDF ya "
            "anonimizado y quitá el original, o confirmá la publicación explicando por qué."
        ) % {"n": ", ".join(names)}
        raise ValidationError(message, fields={"pdf_confirmation": [message]})
    audit(request, "attachment_publish_confirm", by, {"names": names, "reason": reason})
    return {"names": names, "reason": public_text(request, reason)}


@transaction.atomic
def foi_request_refuse(*, request: FoiRequest, ground: str, text: str, by: Actor) -> FoiRequest:
    """Refuse with a legal ground."""
    request = lock(request)
    require_officer(by, request.municipality)
    require_open(request, _("El pedido ya está cerrado."))
    if ground not in RefusalGround.values:
        raise ValidationError(
            _("Elegí el fundamento legal."), fields={"ground": [_("Elegí un fundamento de la lista.")]}
        )
    text = _required_text(text, "text", _("Explicá el fundamento de la denegación."))
    request.refusal_ground = ground
    _close(request, Outcome.REFUSED, EventKind.REFUSED, text, by, {"ground": ground})
    notify(request, _("Tu pedido fue denegado"), text)
    return request


@transaction.atomic
def foi_request_declare_not_held(*, request: FoiRequest, text: str, by: Actor) -> FoiRequest:
    """Declare that the municipality does not hold the information."""
    request = lock(request)
    require_officer(by, request.municipality)
    require_open(request, _("El pedido ya está cerrado."))
    text = _required_text(text, "text", _("Explicá por qué no existe la información."))
    _close(request, Outcome.NOT_HELD, EventKind.NOT_HELD, text, by)
    notify(request, _("La información no existe"), text)
    return request


@transaction.atomic
def foi_request_withdraw(*, request: FoiRequest, by: Actor) -> FoiRequest:
    """The requester withdraws the request."""
    request = lock(request)
    require_requester(by, request)
    require_open(request, _("El pedido ya está cerrado."))
    request.status = Status.CLOSED
    request.outcome = Outcome.WITHDRAWN
    request.clock_stopped_on = None
    request.save()
    event_add(request, EventKind.WITHDRAWN, by, role="requester")
    audit(request, "request_withdraw", by)
    if request.municipality_id:
        open_dataset_refresh_soon(request.municipality)
    return request


def _notify_office(request: FoiRequest, subject: str, body: str) -> None:
    """E-mail the municipality's contact address, when it has one, once the transaction commits."""
    recipient = request.authority.contact_email
    if not recipient:
        return
    message = f"{body}\n\n{settings.SITE_URL}{request.get_absolute_url()}"
    transaction.on_commit(lambda: send_mail(subject, message, None, [recipient], fail_silently=True))


def complaint_deadline(request: FoiRequest) -> date | None:
    """Last day to complain: the rule's complaint term, counted from the missed deadline or from the
    refusal or partial answer; None when there is nothing to complain about."""
    if request.outcome in (Outcome.REFUSED, Outcome.ANSWERED_PARTIAL) and request.responded_at:
        start = timezone.localdate(request.responded_at)
    elif request.is_open and request.due_date is not None and request.due_date < today():
        start = request.due_date
    else:
        return None
    return WorkCalendar(request.authority).add_days(start, request.complaint_days, request.day_kind)


def complaint_review_body(request: FoiRequest) -> str:
    """Who receives a complaint about the request: the body its rule names."""
    return request.review_body or access_rule_for(request.authority).review_body


def complaint_allowed(request: FoiRequest) -> bool:
    """Late or refused / answered in part, within the complaint term, and not complained yet."""
    deadline = complaint_deadline(request)
    return request.complained_at is None and deadline is not None and today() <= deadline


@transaction.atomic
def foi_request_complain(*, request: FoiRequest, text: str, by: Actor) -> FoiRequest:
    """The requester complains about a late or refused request; the complaint goes to the rule's
    review body, within the rule's complaint term."""
    request = lock(request)
    require_requester(by, request)
    deadline = complaint_deadline(request)
    if request.complained_at is not None or deadline is None:
        raise Conflict(_("Se puede reclamar cuando el pedido venció sin respuesta o fue denegado, una sola vez."))
    if today() > deadline:
        raise Conflict(
            _("El plazo para reclamar venció el %(d)s (%(n)s %(k)s, según %(rule)s).")
            % {
                "d": f"{deadline:%d/%m/%Y}",
                "n": request.complaint_days,
                "k": DayKind(request.day_kind).label,
                "rule": request.rule_source,
            }
        )
    text = _required_text(text, "text", _("Contá el motivo del reclamo."))
    request.complained_at = timezone.now()
    request.save()
    review_body = complaint_review_body(request)
    data = {"review_body": review_body, "complaint_deadline": str(deadline)}
    event_add(
        request,
        EventKind.COMPLAINT,
        by,
        role="requester",
        text=public_text(request, text),
        private_text=text,
        data=data,
    )
    audit(request, "request_complain", by, data)
    _notify_office(request, _("Reclamo por el pedido %(n)s") % {"n": request.number}, text)
    return request
