"""Catalog pages: each municipality's datasets, the dataset page, and the editor's forms."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from abiertos.accounts.permissions import Action, can
from abiertos.accounts.request_actor import actor_for_web
from abiertos.core.errors import Conflict, NotFound, ValidationError

from . import selectors, services
from .forms import DatasetForm, DistributionForm
from .jsonld import dataset_citation, dataset_jsonld
from .models import DistributionFile
from .slugs import distribution_identifier_for
from .uploads import upload_session_get
from .validation import metadata_errors
from .vocabularies import LICENSES


def _form_errors_from(form, exc: ValidationError) -> None:
    for field, errors in exc.fields.items():
        target = field if field in form.fields else None
        if field == "temporal":
            target = "temporal_start"
        form.add_error(target, errors)
    if not exc.fields:
        form.add_error(None, exc.message)


def dataset_detail(request, municipality_slug, identifier):
    actor = actor_for_web(request)
    dataset = selectors.dataset_get_visible(actor=actor, municipality_slug=municipality_slug, identifier=identifier)
    context = {
        "dataset": dataset,
        "municipality": dataset.municipality,
        "distributions": dataset.live_distributions,
        "license": LICENSES.get(dataset.license),
        "can_edit": can(actor, Action.MANAGE_CATALOG, dataset.municipality) and not dataset.is_harvested,
        "jsonld": dataset_jsonld(dataset, request=request) if dataset.is_published else None,
        "citation": dataset_citation(dataset, request=request),
    }
    return render(request, "catalog/dataset_detail.html", context)


@login_required
def dataset_create(request, municipality_slug):
    actor = actor_for_web(request)
    municipality = selectors.municipality_get_for_catalog_edit(actor=actor, slug=municipality_slug)
    form = DatasetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            dataset = services.dataset_create(municipality=municipality, metadata=form.to_metadata(), by=actor)
        except ValidationError as exc:
            _form_errors_from(form, exc)
        else:
            messages.success(request, _("Creaste el borrador. Ahora agregá los archivos con los datos."))
            return redirect("catalog:distribution_create", municipality.slug, dataset.identifier)
    return render(request, "catalog/dataset_form.html", {"form": form, "municipality": municipality, "creating": True})


@login_required
def dataset_edit(request, municipality_slug, identifier):
    actor = actor_for_web(request)
    dataset = selectors.dataset_get_for_edit(actor=actor, municipality_slug=municipality_slug, identifier=identifier)
    form = DatasetForm(request.POST or None, initial=DatasetForm.initial_from(dataset), identifier_locked=True)
    if request.method == "POST" and form.is_valid():
        try:
            dataset = services.dataset_update(dataset=dataset, metadata=form.to_metadata(), by=actor)
        except ValidationError as exc:
            _form_errors_from(form, exc)
        else:
            messages.success(request, _("Guardamos los cambios."))
            return redirect(dataset)
    context = {"form": form, "municipality": dataset.municipality, "dataset": dataset, "creating": False}
    return render(request, "catalog/dataset_form.html", context)


@login_required
@require_POST
def dataset_validate(request, municipality_slug):
    """Validate a dataset form as the official types; answers field errors as JSON."""
    actor = actor_for_web(request)
    selectors.municipality_get_for_catalog_edit(actor=actor, slug=municipality_slug)
    form = DatasetForm(request.POST)
    errors = {name: [str(e) for e in errs] for name, errs in form.errors.items()}
    if form.is_valid():
        errors.update(metadata_errors(form.to_metadata()))
    return JsonResponse({"valid": not errors, "errors": errors})


def _create_distribution(form, dataset, actor):
    identifier = distribution_identifier_for(dataset, form.cleaned_data["title"])
    metadata = form.to_metadata(identifier)
    data = form.cleaned_data
    if data["kind"] == "url":
        return services.distribution_create_from_url(dataset=dataset, metadata=metadata, url=data["url"], by=actor)
    if data.get("upload_session"):
        session = upload_session_get(actor=actor, session_id=data["upload_session"])
        return services.distribution_create_from_session(dataset=dataset, metadata=metadata, session=session, by=actor)
    return services.distribution_create_from_upload(dataset=dataset, metadata=metadata, upload=data["file"], by=actor)


@login_required
def distribution_create(request, municipality_slug, identifier):
    actor = actor_for_web(request)
    dataset = selectors.dataset_get_for_edit(actor=actor, municipality_slug=municipality_slug, identifier=identifier)
    form = DistributionForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            distribution = _create_distribution(form, dataset, actor)
        except (ValidationError, Conflict, NotFound) as exc:
            _form_errors_from(form, exc)
        else:
            messages.success(request, _("Agregaste «%(t)s».") % {"t": distribution.title})
            return redirect(dataset)
    return render(
        request,
        "catalog/distribution_form.html",
        {"form": form, "dataset": dataset, "municipality": dataset.municipality},
    )


@login_required
@require_POST
def dataset_publish(request, municipality_slug, identifier):
    actor = actor_for_web(request)
    dataset = selectors.dataset_get_for_edit(actor=actor, municipality_slug=municipality_slug, identifier=identifier)
    try:
        services.dataset_publish(dataset=dataset, by=actor)
    except ValidationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("¡Publicado! Ya cualquiera puede encontrarlo y descargarlo."))
    return redirect(dataset)


@login_required
@require_POST
def dataset_unpublish(request, municipality_slug, identifier):
    actor = actor_for_web(request)
    dataset = selectors.dataset_get_for_edit(actor=actor, municipality_slug=municipality_slug, identifier=identifier)
    services.dataset_unpublish(dataset=dataset, by=actor)
    messages.success(request, _("El conjunto volvió a borrador: ya no se ve en el portal público."))
    return redirect(dataset)


def distribution_download(request, municipality_slug, identifier, distribution_identifier, number=None):
    """Download a distribution's current file, or an earlier version of it."""
    actor = actor_for_web(request)
    dataset = selectors.dataset_get_visible(actor=actor, municipality_slug=municipality_slug, identifier=identifier)
    distribution = next((d for d in dataset.live_distributions if d.identifier == distribution_identifier), None)
    if distribution is None:
        raise Http404(_("No existe ese recurso."))
    if distribution.kind == "url":
        return redirect(distribution.external_url)
    version = (
        get_object_or_404(DistributionFile, distribution=distribution, number=number)
        if number
        else distribution.file_versions.first()
    )
    if version is None:
        raise Http404(_("Este recurso todavía no tiene archivo."))
    response = FileResponse(version.file.open("rb"), as_attachment=True, filename=version.file_name)
    response["Content-Type"] = distribution.media_type or "application/octet-stream"
    return response


def dataset_history(request, municipality_slug, identifier):
    """Every revision of a dataset: who changed what and when, with restore for its editors."""
    actor = actor_for_web(request)
    dataset = selectors.dataset_get_for_edit(actor=actor, municipality_slug=municipality_slug, identifier=identifier)
    context = {
        "dataset": dataset,
        "municipality": dataset.municipality,
        "revisions": selectors.dataset_revision_list(dataset=dataset).select_related("created_by"),
    }
    return render(request, "catalog/dataset_history.html", context)


@login_required
@require_POST
def dataset_revision_restore(request, municipality_slug, identifier, number):
    actor = actor_for_web(request)
    dataset = selectors.dataset_get_for_edit(actor=actor, municipality_slug=municipality_slug, identifier=identifier)
    revision = selectors.dataset_revision_get(dataset=dataset, number=number)
    try:
        services.dataset_revision_restore(dataset=dataset, revision=revision, by=actor)
    except (ValidationError, Conflict) as exc:
        messages.error(request, exc.message)
        return redirect("catalog:dataset_history", municipality_slug, identifier)
    messages.success(request, _("Restauraste la versión %(n)d. El cambio quedó en el historial.") % {"n": number})
    return redirect("catalog:dataset_detail", municipality_slug, identifier)


@login_required
def dataset_delete(request, municipality_slug, identifier):
    """Ask for confirmation, then move the dataset to the recycle bin (it can be restored)."""
    actor = actor_for_web(request)
    dataset = selectors.dataset_get_for_edit(actor=actor, municipality_slug=municipality_slug, identifier=identifier)
    if request.method == "POST":
        services.dataset_delete(dataset=dataset, by=actor)
        messages.success(request, _("Eliminaste «%(t)s». Podés recuperarlo desde la papelera.") % {"t": dataset.title})
        return redirect("catalog:trash", municipality_slug)
    return render(request, "catalog/dataset_delete.html", {"dataset": dataset, "municipality": dataset.municipality})


@login_required
def trash(request, municipality_slug):
    actor = actor_for_web(request)
    municipality = selectors.municipality_get_for_catalog_edit(actor=actor, slug=municipality_slug)
    deleted = (
        selectors.dataset_list_deleted_for(actor=actor).filter(municipality=municipality).select_related("deleted_by")
    )
    return render(request, "catalog/trash.html", {"municipality": municipality, "datasets": deleted})


@login_required
@require_POST
def dataset_restore(request, municipality_slug, identifier):
    actor = actor_for_web(request)
    dataset = selectors.dataset_get_by_name_for_edit(
        actor=actor, name=f"{municipality_slug}_{identifier}", include_deleted=True
    )
    services.dataset_restore(dataset=dataset, by=actor)
    messages.success(request, _("Recuperaste «%(t)s».") % {"t": dataset.title})
    return redirect(dataset)
