"""Pages of the openness monitoring: province dashboard, scorecard, methodology, monthly reports,
downloads, and the reviewers' forms."""

from __future__ import annotations

from django.contrib import messages
from django.http import StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from abiertos.accounts.permissions import Action, can
from abiertos.accounts.request_actor import actor_for_web
from abiertos.core.errors import ValidationError
from abiertos.core.models import Municipality

from . import selectors
from .categories import CATEGORIES, CATEGORY_BY_CODE
from .downloads import index_csv, index_json
from .groups import REGIONS, population_group_choices
from .index import CRITERIA, INDICATOR_NAMES, quality_percent
from .institutional import INDICATORS, institutional_values
from .job_kinds import index_full_enqueue
from .map_svg import legend, map_layout, map_svg
from .quality import QUALITY_MAX, QUALITY_POINTS
from .services import index_override_set

CSS = "css/monitoring.css"


def _filters(request) -> dict:
    category = request.GET.get("categoria", "")
    group = request.GET.get("poblacion", "")
    region_code = request.GET.get("region", "")
    sort = request.GET.get("orden", "rank")
    return {
        "category": category if category in CATEGORY_BY_CODE else "",
        "group": group if group in dict(population_group_choices()) else "",
        "region_code": region_code if region_code in dict(REGIONS) else "",
        "sort": sort.lstrip("-") if sort.lstrip("-") in selectors.SORTS else "rank",
        "descending": sort.startswith("-"),
    }


def _map(rows, all_municipalities, category_label: str, *, filtered: bool) -> str:
    scores = {row.municipality.pk: row.score for row in rows}
    shown = set(scores) if filtered else None
    title = _("Mapa del índice de apertura por municipio") + (f" — {category_label}" if category_label else "")
    description = _(
        "Cada partido está coloreado según su puntaje, de claro (0) a oscuro (100); gris: sin datos. "
        "La tabla de posiciones que sigue al mapa tiene los mismos datos."
    )
    layout = map_layout(all_municipalities)
    return mark_safe(map_svg(layout, scores, title=title, description=description, shown=shown))  # noqa: S308 - map_svg escapes every text


def dashboard(request):
    """The province dashboard: map, ranking, distribution and trend, with filters."""
    actor = actor_for_web(request)
    run = selectors.run_latest()
    filters = _filters(request)
    context = {
        "run": run,
        "filters": filters,
        "categories": CATEGORIES,
        "population_groups": population_group_choices(),
        "regions": REGIONS,
        "css": CSS,
        "can_review": can(actor, Action.REVIEW_INDEX),
    }
    if run is not None:
        rows = selectors.ranking(run, **filters)
        filtered = bool(filters["group"] or filters["region_code"])
        category = CATEGORY_BY_CODE.get(filters["category"])
        municipalities = Municipality.objects.filter(is_active=True)
        context |= {
            "rows": rows,
            "category_label": category.label if category else "",
            "map": _map(rows, municipalities, category.label if category else "", filtered=filtered),
            "legend": legend(outside=filtered),
            "histogram": selectors.histogram([r.score for r in rows]),
            "trend": (selectors.category_trend(category.code) if category else selectors.province_trend()),
            "mean": round(sum(r.score for r in rows) / len(rows), 1) if rows else None,
            "indicators": [(n, run.province_indicators.get(n)) for n in INDICATOR_NAMES],
        }
    return render(request, "monitoring/dashboard.html", context)


def scorecard(request, municipality_slug):
    """A municipality's scorecard: score, evolution, similar municipalities, next steps, findings."""
    actor = actor_for_web(request)
    municipality = selectors.municipality_get_public(slug=municipality_slug)
    run = selectors.run_latest()
    result = selectors.result_for(run, municipality)
    context = {
        "municipality": municipality,
        "run": run,
        "result": result,
        "css": CSS,
        "institutional": institutional_values(municipality),
        "findings": selectors.findings_for(actor=actor, municipality=municipality),
        "can_review": can(actor, Action.REVIEW_INDEX, municipality),
        "criteria": CRITERIA,
        "categories": CATEGORIES,
    }
    if result is not None:
        kind, group, similar = selectors.similar_rows(run, municipality)
        context |= {
            "steps": selectors.steps_described(result.categories),
            "table": selectors.categories_table(result),
            "trend": selectors.municipality_trend(municipality),
            "similar": similar,
            "similar_kind": kind,
            "similar_label": dict(population_group_choices() + list(REGIONS)).get(group, group),
            "similar_mean": round(sum(r.score for r in similar) / len(similar), 1) if similar else None,
            "quality_percent": quality_percent(result.quality_mean),
            "indicators": [(n, result.indicators.get(n)) for n in INDICATOR_NAMES],
        }
    return render(request, "monitoring/scorecard.html", context)


def methodology(request):
    return render(
        request,
        "monitoring/methodology.html",
        {
            "css": CSS,
            "categories": CATEGORIES,
            "criteria": CRITERIA,
            "full": sum(c.weight for c in CRITERIA),
            "quality_points": QUALITY_POINTS,
            "quality_max": QUALITY_MAX,
            "indicator_names": INDICATOR_NAMES,
            "institutional": INDICATORS,
        },
    )


def _report_context(month_text):
    month = selectors.month_parse(month_text)
    run = selectors.run_in_month(month)
    previous = selectors.run_in_month(selectors.previous_month(month))
    return month, run, previous


def report_province(request, month=None):
    """The monthly report of the province, printable."""
    month, run, previous = _report_context(month)
    context = {"month": month, "run": run, "previous": previous, "css": CSS}
    if run is not None:
        rows = selectors.ranking(run)
        context |= {
            "rows": rows,
            "change": round(run.province_score - previous.province_score, 2) if previous else None,
            "category_means": [(c, run.province_categories.get(c.code, 0)) for c in CATEGORIES],
            "indicators": [(n, run.province_indicators.get(n)) for n in INDICATOR_NAMES],
        }
    return render(request, "monitoring/report_province.html", context)


def report_municipality(request, municipality_slug, month=None):
    """The monthly report of one municipality, printable."""
    municipality = selectors.municipality_get_public(slug=municipality_slug)
    month, run, previous = _report_context(month)
    result = selectors.result_for(run, municipality)
    before = selectors.result_for(previous, municipality)
    context = {"municipality": municipality, "month": month, "run": run, "result": result, "css": CSS}
    if result is not None:
        context |= {
            "change": round(result.score - before.score, 2) if before else None,
            "table": selectors.categories_table(result),
            "steps": selectors.steps_described(result.categories, limit=5),
            "indicators": [(n, result.indicators.get(n)) for n in INDICATOR_NAMES],
            "total": run.results.count(),
        }
    return render(request, "monitoring/report_municipality.html", context)


def download_csv(request):
    response = StreamingHttpResponse(index_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="indice-apertura.csv"'
    return response


def download_json(request):
    weights = {c.code: c.weight for c in CRITERIA}
    categories = [{"codigo": c.code, "nombre": str(c.label), "contenidos": str(c.contents)} for c in CATEGORIES]
    response = StreamingHttpResponse(
        index_json(weights_doc=weights, categories_doc=categories), content_type="application/json"
    )
    response["Content-Disposition"] = 'inline; filename="indice-apertura.json"'
    return response


@require_POST
def override(request, municipality_slug):
    """A provincial reviewer sets (or withdraws) one answer of the index, with a reason."""
    actor = actor_for_web(request)
    municipality = selectors.municipality_get_public(slug=municipality_slug)
    value = {"si": True, "no": False, "quitar": None}.get(request.POST.get("value", ""), "invalid")
    try:
        index_override_set(
            municipality=municipality,
            category=request.POST.get("category", ""),
            criterion=request.POST.get("criterion", ""),
            value=value,
            reason=request.POST.get("reason", ""),
            by=actor,
        )
    except ValidationError as error:
        for field_messages in error.fields.values():
            for message in field_messages:
                messages.error(request, message)
    else:
        messages.success(request, _("Revisión guardada; el puntaje del municipio ya la incluye."))
    return redirect("monitoring:scorecard", municipality_slug=municipality.slug)


@require_POST
def recompute(request):
    """A provincial reviewer asks for a full recomputation now; the job page shows its progress."""
    job = index_full_enqueue(by=actor_for_web(request))
    return redirect("jobs:detail", job_id=job.pk)
