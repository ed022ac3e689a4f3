"""Pages where a municipal editor imports a whole catalog: upload, dry run, confirm, follow, result."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from abiertos.accounts.request_actor import actor_for_web
from abiertos.core.errors import Conflict, ValidationError

from . import import_jobs, selectors


class CatalogImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Archivo del catálogo"),
        help_text=gettext_lazy(
            "Un data.json (perfil nacional de metadatos) o un catalog.xlsx (la plantilla nacional). "
            "Primero te mostramos qué cambiaría; nada se guarda hasta que confirmes."
        ),
    )
    publish = forms.BooleanField(
        label=gettext_lazy("Publicar los conjuntos nuevos al importarlos"),
        required=False,
        initial=True,
        help_text=gettext_lazy("Si no, quedan como borradores para revisarlos uno por uno."),
    )
    skip_invalid = forms.BooleanField(
        label=gettext_lazy("Importar igual los conjuntos sin errores, omitiendo los que tienen errores"),
        required=False,
    )


@login_required
def catalog_import(request, municipality_slug):
    actor = actor_for_web(request)
    municipality = selectors.municipality_get_for_catalog_edit(actor=actor, slug=municipality_slug)
    form = CatalogImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = import_jobs.catalog_import_enqueue(
                municipality=municipality,
                upload=form.cleaned_data["file"],
                by=actor,
                dry_run=True,
                publish=form.cleaned_data["publish"],
                skip_invalid=form.cleaned_data["skip_invalid"],
            )
        except ValidationError as exc:
            form.add_error("file" if "file" in exc.fields else None, exc.fields.get("file") or exc.message)
        else:
            return redirect("catalog:catalog_import_job", municipality.slug, job.pk)
    return render(request, "catalog/import_form.html", {"form": form, "municipality": municipality})


@login_required
def catalog_import_job(request, municipality_slug, job_id):
    actor = actor_for_web(request)
    municipality = selectors.municipality_get_for_catalog_edit(actor=actor, slug=municipality_slug)
    job = import_jobs.catalog_import_job_get(actor=actor, job_id=job_id, municipality=municipality)
    report = job.result or {}
    counts = report.get("counts", {})
    dry_run = job.params.get("dry_run", True)
    can_confirm = (
        dry_run
        and job.status == "succeeded"
        and (counts.get("create") or counts.get("update"))
        and (not counts.get("invalid") or job.params.get("skip_invalid"))
    )
    context = {
        "municipality": municipality,
        "job": job,
        "report": report,
        "counts": counts,
        "dry_run": dry_run,
        "can_confirm": can_confirm,
        "errors": [i for i in report.get("issues", []) if i.get("level") == "error"],
        "warnings": [i for i in report.get("issues", []) if i.get("level") != "error"],
        "changed": [d for d in report.get("datasets", []) if d["action"] != "unchanged"],
    }
    return render(request, "catalog/import_job.html", context)


@login_required
@require_POST
def catalog_import_confirm(request, municipality_slug, job_id):
    actor = actor_for_web(request)
    municipality = selectors.municipality_get_for_catalog_edit(actor=actor, slug=municipality_slug)
    job = import_jobs.catalog_import_job_get(actor=actor, job_id=job_id, municipality=municipality)
    try:
        applied = import_jobs.catalog_import_confirm(job=job, by=actor)
    except Conflict as exc:
        messages.error(request, exc.message)
        return redirect("catalog:catalog_import_job", municipality.slug, job.pk)
    messages.success(request, _("Empezamos a importar el catálogo."))
    return redirect("catalog:catalog_import_job", municipality.slug, applied.pk)
