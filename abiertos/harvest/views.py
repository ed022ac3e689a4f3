"""Harvest pages: the province's and each municipality's sources, a source, its runs and reports."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from abiertos.accounts.permissions import Action, can
from abiertos.accounts.request_actor import actor_for_web
from abiertos.core.errors import ValidationError

from . import selectors, services
from .forms import SourceForm
from .models import RunStatus


def _labelled(sources) -> list:
    sources = list(sources)
    for source in sources:
        source.last_run_label = RunStatus(source.last_run_status).label if source.last_run_status else ""
    return sources


def _form_errors_from(form, exc: ValidationError) -> None:
    for field, errors in exc.fields.items():
        form.add_error(field if field in form.fields else None, errors)
    if not exc.fields:
        form.add_error(None, exc.message)


@login_required
def province_sources(request):
    actor = actor_for_web(request)
    sources = _labelled(selectors.source_list_visible_to(actor=actor))
    return render(request, "harvest/source_list.html", {"sources": sources, "municipality": None})


@login_required
def sources(request, municipality_slug):
    actor = actor_for_web(request)
    municipality = selectors.municipality_get_for_harvest(actor=actor, slug=municipality_slug)
    context = {
        "sources": _labelled(selectors.source_list_visible_to(actor=actor, municipality=municipality)),
        "municipality": municipality,
        "can_manage": can(actor, Action.MANAGE_CATALOG, municipality),
    }
    return render(request, "harvest/source_list.html", context)


@login_required
def source_create(request, municipality_slug):
    actor = actor_for_web(request)
    municipality = selectors.municipality_get_for_harvest(
        actor=actor, slug=municipality_slug, action=Action.MANAGE_CATALOG
    )
    form = SourceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            source = services.harvest_source_create(municipality=municipality, data=form.to_input(), by=actor)
        except ValidationError as exc:
            _form_errors_from(form, exc)
        else:
            messages.success(request, _("Registraste la fuente. Probala con una vista previa antes de habilitarla."))
            return redirect(source)
    return render(request, "harvest/source_form.html", {"form": form, "municipality": municipality, "source": None})


@login_required
def source_edit(request, municipality_slug, pk):
    actor = actor_for_web(request)
    source = selectors.source_get(actor=actor, pk=pk, municipality_slug=municipality_slug, manage=True)
    form = SourceForm(request.POST or None, initial=SourceForm.initial_from(source))
    if request.method == "POST" and form.is_valid():
        try:
            source = services.harvest_source_update(source=source, data=form.to_input(), by=actor)
        except ValidationError as exc:
            _form_errors_from(form, exc)
        else:
            messages.success(request, _("Guardamos los cambios de la fuente."))
            return redirect(source)
    context = {"form": form, "municipality": source.municipality, "source": source}
    return render(request, "harvest/source_form.html", context)


@login_required
def source_detail(request, municipality_slug, pk):
    actor = actor_for_web(request)
    source = selectors.source_get(actor=actor, pk=pk, municipality_slug=municipality_slug)
    context = {
        "source": source,
        "municipality": source.municipality,
        "runs": selectors.run_list_for_source(source=source),
        "withdrawn": selectors.records_withdrawn(source=source),
        "can_manage": can(actor, Action.MANAGE_CATALOG, source.municipality),
    }
    return render(request, "harvest/source_detail.html", context)


@login_required
@require_POST
def source_run(request, municipality_slug, pk):
    actor = actor_for_web(request)
    source = selectors.source_get(actor=actor, pk=pk, municipality_slug=municipality_slug, manage=True)
    dry_run = request.POST.get("dry_run") == "1"
    run = services.harvest_run_start(source=source, by=actor, dry_run=dry_run)
    return redirect(run)


@login_required
@require_POST
def source_delete(request, municipality_slug, pk):
    actor = actor_for_web(request)
    source = selectors.source_get(actor=actor, pk=pk, municipality_slug=municipality_slug, manage=True)
    services.harvest_source_delete(source=source, by=actor)
    messages.success(request, _("Diste de baja la fuente. Sus conjuntos quedan en el catálogo."))
    return redirect("harvest:sources", source.municipality.slug)


@login_required
def run_detail(request, municipality_slug, pk):
    actor = actor_for_web(request)
    run = selectors.run_get(actor=actor, pk=pk, municipality_slug=municipality_slug)
    context = {
        "run": run,
        "source": run.source,
        "municipality": run.source.municipality,
        "run_messages": selectors.run_messages(run=run),
        "checks": selectors.run_checks(run=run),
        "validation": selectors.run_validation_summary(run=run),
        "can_manage": can(actor, Action.MANAGE_CATALOG, run.source.municipality),
        "needs_confirmation": run.status == RunStatus.NEEDS_CONFIRMATION,
    }
    return render(request, "harvest/run_detail.html", context)


@login_required
@require_POST
def run_confirm(request, municipality_slug, pk):
    actor = actor_for_web(request)
    run = selectors.run_get(actor=actor, pk=pk, municipality_slug=municipality_slug, manage=True)
    new_run = services.harvest_run_confirm(run=run, by=actor)
    return redirect(new_run)
