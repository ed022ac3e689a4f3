"""The publisher's page for a distribution's table: what was detected, corrections, runs and errors."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from abiertos.accounts.request_actor import actor_for_web
from abiertos.core.errors import NotFound, ValidationError

from . import selectors, services, standards
from .combined import schema_conformance
from .forms import TYPE_LABELS, SettingsForm, initial_from
from .problems import IngestionProblem


def _schema_reasons(table) -> list[str]:
    schema = standards.standard_schema_for(identifier=table.schema) if table else None
    return schema_conformance(table, schema) if schema else []


def _preview(distribution, overrides):
    try:
        return services.datastore_preview_detection(distribution=distribution, overrides=overrides), None
    except IngestionProblem as problem:
        return None, problem


def _editable_table(actor, municipality_slug: str, identifier: str, distribution_identifier: str):
    """The distribution the actor may edit (or NotFound / PermissionDenied) and its table, if any."""
    distribution = selectors.distribution_get_for_table_edit(
        actor=actor,
        municipality_slug=municipality_slug,
        identifier=identifier,
        distribution_identifier=distribution_identifier,
    )
    return distribution, selectors.datastore_table_for(distribution=distribution)


@login_required
def table_detail(request, municipality_slug, identifier, distribution_identifier):
    """GET shows the detection (with the corrections in the query string); POST loads with them."""
    actor = actor_for_web(request)
    distribution, table = _editable_table(actor, municipality_slug, identifier, distribution_identifier)
    data = request.POST if request.method == "POST" else (request.GET if "preview" in request.GET else None)
    stored = table.overrides if table else {}
    # A linked file would be downloaded on every visit: detect it only when asked to.
    ask = bool(distribution.file) or "preview" in request.GET
    first, _problem = _preview(distribution, None) if ask else (None, None)
    columns = first.columns if first else (table.columns if table else [])
    form = SettingsForm(data, columns=columns, initial=initial_from(stored, columns))
    overrides = form.overrides() if data is not None and form.is_valid() else None
    if request.method == "POST" and overrides is not None:
        job = services.datastore_ingest_enqueue(distribution=distribution, by=actor, overrides=overrides)
        messages.success(request, _("Se está cargando la tabla. La anterior sigue publicada hasta que termine."))
        return redirect(request.path + f"?tarea={job.pk}")
    detection, problem = _preview(distribution, overrides) if overrides is not None else (first, _problem)
    context = {
        "distribution": distribution,
        "dataset": distribution.dataset,
        "municipality": distribution.dataset.municipality,
        "table": table,
        "detection": detection,
        "problem": problem,
        "form": form,
        "type_labels": TYPE_LABELS,
        "schemas": standards.standard_schema_choices(),
        "schema_reasons": _schema_reasons(table),
        "runs": selectors.ingestion_run_list(table=table)[:10] if table else [],
        "sample": selectors.datastore_table_read(table=table, limit=10, offset=0)[1]
        if table and table.is_serving
        else [],
    }
    return render(request, "datastore/table_detail.html", context)


@login_required
@require_POST
def table_fields_update(request, municipality_slug, identifier, distribution_identifier):
    """Save the descriptions and units the publisher wrote for each column (the data dictionary)."""
    actor = actor_for_web(request)
    distribution, table = _editable_table(actor, municipality_slug, identifier, distribution_identifier)
    if table is None or not table.columns:
        raise NotFound(_("Este recurso todavía no tiene una tabla cargada."))
    edits = [
        services.FieldEdit(
            name=column["name"],
            type=column["type"],
            description=request.POST.get(f"description_{index}", column.get("description", "")),
            units=request.POST.get(f"units_{index}", column.get("units", "")),
        )
        for index, column in enumerate(table.columns)
    ]
    try:
        services.datastore_fields_update(table=table, fields=edits, by=actor)
    except ValidationError as exc:
        messages.error(request, exc.message + " " + " ".join(m for msgs in exc.fields.values() for m in msgs))
    else:
        messages.success(request, _("Diccionario de datos guardado: ya se ve en data.json y DCAT."))
    return redirect(reverse("datastore:table_detail", args=[municipality_slug, identifier, distribution_identifier]))


@login_required
@require_POST
def table_schema_update(request, municipality_slug, identifier, distribution_identifier):
    """Declare which standard schema the table follows (or none), so it joins the province's combined table."""
    actor = actor_for_web(request)
    distribution, table = _editable_table(actor, municipality_slug, identifier, distribution_identifier)
    if table is None:
        raise NotFound(_("Este recurso todavía no tiene una tabla cargada."))
    wanted = request.POST.get("schema", "")
    schema = standards.standard_schema_for(identifier=wanted)
    if wanted and schema is None:
        raise ValidationError(_("No existe ese esquema estándar."), fields={"schema": [wanted]})
    declared = standards.datastore_table_schema_set(table=table, schema=schema, by=actor)
    if declared.reasons:
        messages.warning(
            request, _("Esquema guardado, pero la tabla todavía no lo cumple: ") + " ".join(declared.reasons)
        )
    else:
        messages.success(request, _("Esquema guardado."))
    return redirect(reverse("datastore:table_detail", args=[municipality_slug, identifier, distribution_identifier]))
