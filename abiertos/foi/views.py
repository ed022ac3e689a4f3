"""Pages of the FOI app: thin views over the selectors and services."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from abiertos.accounts.permissions import Action, can, require
from abiertos.accounts.request_actor import actor_for_web
from abiertos.catalog.models import Theme
from abiertos.core.actors import Actor
from abiertos.core.errors import Conflict, DomainError, NotFound, RateLimited, ValidationError
from abiertos.core.models import Municipality

from . import selectors, services
from .forms import ArchiveForm, NonWorkingDayForm, OrdinanceForm, ProvincialBodyForm, RequestForm, form_stamp
from .models import AccessOrdinance, FoiAttachment, FoiReport, NonWorkingDay, Outcome, RefusalGround, Status
from .rules import access_rule_for


def _archive_filters(form: ArchiveForm) -> selectors.ArchiveFilters:
    data = form.cleaned_data if form.is_valid() else {}
    return selectors.ArchiveFilters(
        q=data.get("q", ""),
        municipality=data.get("municipio", ""),
        status=data.get("estado", ""),
        topic=data.get("tema", ""),
        date_from=data.get("desde"),
        date_to=data.get("hasta"),
    )


def _archive(request: HttpRequest, municipality: Municipality | None):
    form = ArchiveForm(request.GET)
    filters = _archive_filters(form)
    if municipality is not None:
        filters = selectors.ArchiveFilters(**{**filters.__dict__, "municipality": municipality.slug})
    page = Paginator(selectors.foi_request_list_public(filters), 25).get_page(request.GET.get("pagina"))
    query = request.GET.copy()
    query.pop("pagina", None)
    context = {
        "municipality": municipality,
        "form": form,
        "filters": filters,
        "page": page,
        "query": query.urlencode(),
        "municipalities": selectors.municipality_list_with_requests(),
        "statuses": [*Status.choices, *[c for c in Outcome.choices if c[0]]],
        "topics": Theme.objects.all(),
    }
    if municipality is not None:
        context["rule"] = access_rule_for(municipality)
        context["can_manage"] = can(actor_for_web(request), Action.MANAGE_FOI, municipality)
    return render(request, "foi/archive.html", context)


def archive(request):
    return _archive(request, None)


def municipality_requests(request, municipality_slug):
    return _archive(request, selectors.municipality_get_public(slug=municipality_slug))


def statistics(request):
    context = {
        "performance": selectors.foi_performance(),
        "rows": selectors.foi_performance_by_municipality(),
        "min_count": selectors.MIN_COUNT_FOR_RATES,
        "grounds": RefusalGround.choices,
    }
    return render(request, "foi/statistics.html", context)


def municipality_statistics(request, municipality_slug):
    municipality = selectors.municipality_get_public(slug=municipality_slug)
    context = {
        "municipality": municipality,
        "performance": selectors.foi_performance(municipality),
        "min_count": selectors.MIN_COUNT_FOR_RATES,
        "grounds": RefusalGround.choices,
        "topics": selectors.topics_most_requested(municipality),
        "rule": access_rule_for(municipality),
        "dataset_identifier": services.OPEN_DATASET_IDENTIFIER,
    }
    return render(request, "foi/statistics.html", context)


@login_required
def request_new(request, municipality_slug=None, body_slug=None):
    if body_slug:
        municipality, body = None, selectors.provincial_body_get(slug=body_slug)
    else:
        municipality, body = selectors.municipality_get_public(slug=municipality_slug), None
    authority = body or municipality
    actor = actor_for_web(request)
    require(actor, Action.PARTICIPATE)
    user = request.user
    if request.method == "POST":
        form = RequestForm(request.POST)
        if form.is_valid():
            data = {k: v for k, v in form.cleaned_data.items() if k not in ("website", "stamp")}
            try:
                created = services.foi_request_file(
                    municipality=municipality, body=body, data=services.RequestInput(**data), by=actor
                )
            except (ValidationError, RateLimited, Conflict) as exc:
                _form_errors(form, exc)
            else:
                messages.success(
                    request, _("Pedido presentado. Tu número de seguimiento es %(n)s.") % {"n": created.number}
                )
                return redirect(created)
        form.data = form.data.copy()
        form.data["stamp"] = form.data.get("stamp") or form_stamp()
    else:
        initial = {"requester_name": user.full_name, "contact_email": user.email, "stamp": form_stamp()}
        initial["subject"] = request.GET.get("asunto", "")[:200]
        form = RequestForm(initial=initial)
    query = request.GET.get("asunto", "") or request.POST.get("subject", "")
    similar = selectors.foi_similar(actor=actor, q=query, municipality=municipality) if query else None
    context = {
        "authority": authority,
        "form": form,
        "similar": similar,
        "query": query,
        "rule": access_rule_for(authority),
    }
    return render(request, "foi/request_form.html", context)


def _form_errors(form, exc: DomainError) -> None:
    for field, msgs in exc.fields.items():
        for message in msgs:
            form.add_error(field if field in form.fields else None, message)
    if not exc.fields:
        form.add_error(None, exc.message)


def request_detail(request, number, municipality_slug=None, body_slug=None):
    actor = actor_for_web(request)
    foi = selectors.foi_request_get_visible(
        actor=actor, municipality_slug=municipality_slug, body_slug=body_slug, number=number
    )
    private = selectors.can_view_private(actor, foi)
    manage = selectors.can_manage(actor, foi)
    attachments = foi.attachments.all() if manage else foi.attachments.filter(is_published=True)
    today = timezone.localdate()
    days_left = (foi.due_date - today).days if foi.due_date and foi.is_open else None
    context = {
        "foi": foi,
        "events": foi.events.select_related("actor"),
        "attachments": attachments,
        "pdf_pending": [a for a in attachments if a.pdf_unresolved and not a.is_published] if manage else [],
        "private": private,
        "manage": manage,
        "is_requester": actor.user is not None and actor.user.pk == foi.requester_id,
        "complaint_allowed": services.complaint_allowed(foi),
        "complaint_deadline": services.complaint_deadline(foi) if foi.complained_at is None else None,
        "review_body": services.complaint_review_body(foi),
        "days_left": days_left,
        "days_overdue": -days_left if days_left is not None and days_left < 0 else 0,
        "grounds": RefusalGround.choices,
        "can_report": actor.user is not None,
    }
    return render(request, "foi/request_detail.html", context)


# Actions on a request -----------------------------------------------------------------------------


def _text(request, name: str) -> str:
    return request.POST.get(name, "")


ACTIONS: dict[str, tuple[Callable, str]] = {
    "recibir": (
        lambda r, f, a: services.foi_request_acknowledge(request=f, file_number=_text(r, "file_number"), by=a),
        _("Pedido recibido y numerado."),
    ),
    "pedir-aclaracion": (
        lambda r, f, a: services.foi_request_ask_clarification(request=f, question=_text(r, "question"), by=a),
        _("Se pidió la aclaración; el plazo quedó detenido."),
    ),
    "aclarar": (
        lambda r, f, a: services.foi_request_clarify(request=f, text=_text(r, "text"), by=a),
        _("Aclaración enviada; el plazo sigue corriendo."),
    ),
    "prorrogar": (
        lambda r, f, a: services.foi_request_extend(request=f, reason=_text(r, "reason"), by=a),
        _("Plazo prorrogado."),
    ),
    "derivar": (
        lambda r, f, a: services.foi_request_forward(request=f, to=_text(r, "to"), reason=_text(r, "reason"), by=a),
        _("Pedido derivado."),
    ),
    "adjuntar": (
        lambda r, f, a: services.foi_attachment_add(request=f, upload=_upload(r), by=a),
        _("Adjunto revisado: mirá lo que encontramos antes de responder."),
    ),
    "quitar-adjunto": (
        lambda r, f, a: services.foi_attachment_remove(attachment=_attachment(r, f), by=a),
        _("Adjunto quitado."),
    ),
    "responder": (
        lambda r, f, a: services.foi_request_answer(
            request=f,
            text=_text(r, "text"),
            partial=r.POST.get("partial") == "on",
            pdf_confirmation=_text(r, "pdf_confirmation"),
            by=a,
        ),
        _("Respuesta publicada."),
    ),
    "denegar": (
        lambda r, f, a: services.foi_request_refuse(request=f, ground=_text(r, "ground"), text=_text(r, "text"), by=a),
        _("Pedido denegado."),
    ),
    "inexistente": (
        lambda r, f, a: services.foi_request_declare_not_held(request=f, text=_text(r, "text"), by=a),
        _("Se declaró que la información no existe."),
    ),
    "retirar": (lambda r, f, a: services.foi_request_withdraw(request=f, by=a), _("Retiraste el pedido.")),
    "reclamar": (
        lambda r, f, a: services.foi_request_complain(request=f, text=_text(r, "text"), by=a),
        _("Reclamo presentado."),
    ),
    "denunciar": (
        lambda r, f, a: services.foi_request_report(request=f, reason=_text(r, "reason"), by=a),
        _("Gracias: el equipo de moderación va a revisarlo."),
    ),
    "ocultar": (
        lambda r, f, a: services.foi_request_hide(request=f, reason=_text(r, "reason"), by=a),
        _("Pedido ocultado del archivo público."),
    ),
    "mostrar": (lambda r, f, a: services.foi_request_unhide(request=f, by=a), _("El pedido vuelve a ser público.")),
    "datos-abiertos": (
        lambda r, f, a: services.foi_answer_to_dataset(request=f, by=a),
        _("Se creó un borrador de conjunto de datos con la respuesta."),
    ),
}


def _attachment(request, foi) -> FoiAttachment:
    attachment = foi.attachments.filter(pk=request.POST.get("attachment") or 0).first()
    if attachment is None:
        raise NotFound(_("Ese adjunto no existe."))
    return attachment


def _upload(request):
    upload = request.FILES.get("file")
    if upload is None:
        message = _("Elegí un archivo para adjuntar.")
        raise ValidationError(message, fields={"file": [message]})
    return upload


@require_POST
@login_required
def request_action(request, number, action, municipality_slug=None, body_slug=None):
    if action not in ACTIONS:
        raise NotFound(_("Esa acción no existe."))
    actor = actor_for_web(request)
    foi = selectors.foi_request_get_visible(
        actor=actor, municipality_slug=municipality_slug, body_slug=body_slug, number=number
    )
    run, done = ACTIONS[action]
    try:
        run(request, foi, actor)
    except (ValidationError, Conflict, RateLimited) as exc:
        details = [m for msgs in exc.fields.values() for m in msgs]
        messages.error(request, " ".join([exc.message, *details]))
    else:
        messages.success(request, done)
    return redirect(foi)


def attachment_download(request, number, attachment_id, variant, municipality_slug=None, body_slug=None):
    actor = actor_for_web(request)
    foi = selectors.foi_request_get_visible(
        actor=actor, municipality_slug=municipality_slug, body_slug=body_slug, number=number
    )
    attachment = get_object_or_404(FoiAttachment, pk=attachment_id, request=foi)
    if variant not in ("publico", "original"):
        raise NotFound(_("Ese archivo no existe."))
    manage = selectors.can_manage(actor, foi)
    if variant == "original" and not manage:
        require(actor, Action.MANAGE_FOI, foi.municipality)
    if variant == "publico" and not (attachment.is_published or manage):
        raise NotFound(_("Ese adjunto todavía no se publicó."))
    handle = (attachment.original if variant == "original" else attachment.redacted).open("rb")
    return FileResponse(handle, as_attachment=True, filename=attachment.name)


# Officers -----------------------------------------------------------------------------------------


@login_required
def inbox(request, municipality_slug=None):
    actor = actor_for_web(request)
    if municipality_slug is None:
        return _bodies_inbox(request, actor)
    municipality = selectors.municipality_get_public(slug=municipality_slug)
    context = {
        "municipality": municipality,
        "requests": selectors.foi_inbox(actor=actor, municipality=municipality),
        "complaints": selectors.foi_complaint_list(actor=actor, municipality=municipality)[:20],
        "topics": selectors.topics_most_requested(municipality),
        "reports": selectors.foi_report_queue(actor=actor).filter(request__municipality=municipality),
        "rule": access_rule_for(municipality),
    }
    return render(request, "foi/inbox.html", context)


def _bodies_inbox(request, actor: Actor):
    context = {
        "requests": selectors.foi_inbox(actor=actor, municipality=None),
        "complaints": selectors.foi_complaint_list(actor=actor, municipality=None)[:20],
    }
    return render(request, "foi/inbox.html", context)


def bodies(request):
    actor = actor_for_web(request)
    form = ProvincialBodyForm(request.POST or None)
    if request.method == "POST":
        require(actor, Action.MANAGE_FOI)
        if form.is_valid():
            try:
                body = services.provincial_body_create(data=services.ProvincialBodyInput(**form.cleaned_data), by=actor)
            except (ValidationError, Conflict) as exc:
                _form_errors(form, exc)
            else:
                messages.success(request, _("Organismo agregado: %(n)s.") % {"n": body.name})
                return redirect("foi:bodies")
    context = {"bodies": selectors.provincial_body_list(), "form": form, "manage": can(actor, Action.MANAGE_FOI)}
    return render(request, "foi/bodies.html", context)


def rules(request, municipality_slug):
    municipality = selectors.municipality_get_public(slug=municipality_slug)
    actor = actor_for_web(request)
    manage = can(actor, Action.MANAGE_FOI, municipality)
    ordinance = AccessOrdinance.objects.filter(municipality=municipality).first()
    ordinance_form = OrdinanceForm(initial=ordinance.__dict__ if ordinance else None)
    day_form = NonWorkingDayForm()
    if request.method == "POST":
        require(actor, Action.MANAGE_FOI, municipality)
        is_day = "reason" in request.POST
        form = NonWorkingDayForm(request.POST) if is_day else OrdinanceForm(request.POST)
        if form.is_valid():
            try:
                save = _add_day if is_day else _save_ordinance
                return save(request, municipality, actor, form)
            except (ValidationError, Conflict) as exc:
                _form_errors(form, exc)
        if is_day:
            day_form = form
        else:
            ordinance_form = form
    context = {
        "municipality": municipality,
        "rule": access_rule_for(municipality),
        "ordinance": ordinance,
        "manage": manage,
        "ordinance_form": ordinance_form,
        "day_form": day_form,
        "days": NonWorkingDay.objects.filter(municipality=municipality),
    }
    return render(request, "foi/rules.html", context)


def _add_day(request, municipality: Municipality, actor: Actor, form: NonWorkingDayForm):
    _entry, moved = services.non_working_day_add(
        municipality=municipality, day=form.cleaned_data["day"], reason=form.cleaned_data["reason"], by=actor
    )
    messages.success(
        request, _("Asueto agregado. Se recalcularon %(n)s vencimientos de pedidos abiertos.") % {"n": moved}
    )
    return redirect("foi:rules", municipality_slug=municipality.slug)


def _save_ordinance(request, municipality: Municipality, actor: Actor, form: OrdinanceForm):
    data = {k: (v if v is not None else None) for k, v in form.cleaned_data.items()}
    data["url"] = data["url"] or ""
    services.access_ordinance_set(municipality=municipality, data=services.OrdinanceInput(**data), by=actor)
    messages.success(request, _("Guardamos la ordenanza; rige para los pedidos nuevos."))
    return redirect("foi:rules", municipality_slug=municipality.slug)


@require_POST
@login_required
def non_working_day_remove(request, municipality_slug, day_id):
    municipality = selectors.municipality_get_public(slug=municipality_slug)
    entry = get_object_or_404(NonWorkingDay, pk=day_id, municipality=municipality)
    moved = services.non_working_day_remove(entry=entry, by=actor_for_web(request))
    messages.success(request, _("Asueto quitado. Se recalcularon %(n)s vencimientos.") % {"n": moved})
    return redirect("foi:rules", municipality_slug=municipality.slug)


@login_required
def moderation(request):
    actor = actor_for_web(request)
    if not selectors.municipality_list_for_officer(actor=actor).exists():
        require(actor, Action.MANAGE_FOI)
    if request.method == "POST":
        report = get_object_or_404(FoiReport, pk=request.POST.get("report"))
        services.foi_report_dismiss(report=report, by=actor)
        messages.success(request, _("Denuncia desestimada."))
        return redirect("foi:moderation")
    return render(request, "foi/moderation.html", {"reports": selectors.foi_report_queue(actor=actor)})


@login_required
def my_requests(request):
    actor = actor_for_web(request)
    context = {
        "requests": selectors.foi_request_list_for_requester(actor=actor),
        "officer_of": selectors.municipality_list_for_officer(actor=actor),
    }
    return render(request, "foi/my_requests.html", context)
