"""REST endpoints of this app, mounted under /api/v1/ by abiertos/api/api.py."""

from __future__ import annotations

from datetime import date, datetime

from django.utils.translation import gettext as _
from ninja import Body, Router, Schema, Status

from abiertos.accounts.permissions import Unauthenticated
from abiertos.core.errors import NotFound, PermissionDenied
from abiertos.core.models import Municipality

from . import selectors
from .categories import CATEGORY_BY_CODE
from .institutional import institutional_values
from .job_kinds import index_full_enqueue
from .services import index_override_set
from .validator import validate_catalog

router = Router(tags=["monitoreo"])


class RankingItemOut(Schema):
    code: str
    slug: str
    name: str
    score: float
    rank: int
    datasets: int
    population_group: str
    region: str


class IndexOut(Schema):
    computed_at: datetime
    province_score: float
    weights: dict[str, int]
    category: str | None
    province_categories: dict[str, float]
    province_indicators: dict
    ranking: list[RankingItemOut]


class TrendPointOut(Schema):
    day: date
    score: float


class StepOut(Schema):
    category: str
    kind: str
    gain: float
    text: str


class InstitutionalOut(Schema):
    code: str
    label: str
    value: str | None
    url: str | None


class ScorecardOut(Schema):
    municipality: str
    slug: str
    computed_at: datetime
    score: float
    rank: int
    quality_mean: float | None
    broken_links: int
    categories: dict
    indicators: dict
    next_steps: list[StepOut]
    history: list[TrendPointOut]
    institutional: list[InstitutionalOut]


class FindingOut(Schema):
    code: str
    path: str
    profile: bool
    level: str
    message: str
    fix: str


class DatasetFindingsOut(Schema):
    identifier: str
    title: str
    quality: list[str]
    up_to_date: bool
    findings: list[FindingOut]


class BrokenLinkOut(Schema):
    dataset: str
    url: str
    error: str
    checked_at: datetime | None


class FindingsOut(Schema):
    checked: int
    datasets: list[DatasetFindingsOut]
    broken_links: list[BrokenLinkOut]


class OverrideIn(Schema):
    category: str
    criterion: str
    value: bool | None
    reason: str


class OverrideOut(Schema):
    id: int
    category: str
    criterion: str
    value: bool | None
    reason: str
    created_at: datetime
    created_by_label: str


class JobRefOut(Schema):
    job_id: int
    status: str


class ValidationOut(Schema):
    valid_national_profile: bool
    errors: int
    warnings: int
    datasets: int
    distributions: int
    findings: list[FindingOut]


def _run():
    run = selectors.run_latest()
    if run is None:
        raise NotFound(_("El índice todavía no se calculó."))
    return run


def _municipality(slug: str) -> Municipality:
    return selectors.municipality_get_public(slug=slug)


@router.get("/index", response=IndexOut, summary="Ver el índice de apertura vigente", url_name="monitoring_index")
def index_current(request, category: str = "", population_group: str = "", region: str = ""):
    run = _run()
    rows = selectors.ranking(run, category=category, group=population_group, region_code=region)
    return {
        "computed_at": run.computed_at,
        "province_score": run.province_score,
        "weights": run.weights,
        "category": category if category in CATEGORY_BY_CODE else None,
        "province_categories": run.province_categories,
        "province_indicators": run.province_indicators,
        "ranking": [
            {
                "code": r.municipality.code,
                "slug": r.municipality.slug,
                "name": r.municipality.name,
                "score": r.score,
                "rank": r.rank,
                "datasets": r.datasets,
                "population_group": r.population_group,
                "region": r.region,
            }
            for r in rows
        ],
    }


@router.get(
    "/index/history",
    response=list[TrendPointOut],
    summary="Ver la evolución del promedio provincial",
    url_name="monitoring_history",
)
def index_history(request, category: str = ""):
    if category in CATEGORY_BY_CODE:
        return selectors.category_trend(category)
    return selectors.province_trend()


@router.get(
    "/index/municipalities/{slug}",
    response=ScorecardOut,
    summary="Ver la ficha de apertura de un municipio",
    url_name="monitoring_scorecard",
)
def index_scorecard(request, slug: str):
    municipality = _municipality(slug)
    run = _run()
    result = selectors.result_for(run, municipality)
    if result is None:
        raise NotFound(_("Este municipio todavía no tiene puntaje."))
    return {
        "municipality": municipality.name,
        "slug": municipality.slug,
        "computed_at": run.computed_at,
        "score": result.score,
        "rank": result.rank,
        "quality_mean": result.quality_mean,
        "broken_links": result.broken_links,
        "categories": result.categories,
        "indicators": result.indicators,
        "next_steps": selectors.steps_described(result.categories),
        "history": selectors.municipality_trend(municipality),
        "institutional": [
            {
                "code": item["indicator"].code,
                "label": str(item["indicator"].label),
                "value": item["value"].text if item["value"] else None,
                "url": item["value"].url if item["value"] else None,
            }
            for item in institutional_values(municipality)
        ],
    }


@router.get(
    "/index/municipalities/{slug}/findings",
    response=FindingsOut,
    summary="Ver los hallazgos de validación y los enlaces rotos de un municipio",
    url_name="monitoring_findings",
)
def index_findings(request, slug: str):
    municipality = _municipality(slug)
    findings = selectors.findings_for(actor=request.auth, municipality=municipality)
    if findings is None and not request.auth.is_authenticated:
        raise Unauthenticated(_("Tenés que autenticarte con un token de API."))
    if findings is None:
        raise PermissionDenied(_("Solo el equipo del municipio y la provincia ven sus hallazgos."))
    return {
        "checked": findings["checked"],
        "datasets": [
            {
                "identifier": f.identifier,
                "title": f.title,
                "quality": f.quality,
                "up_to_date": f.up_to_date,
                "findings": [x.as_dict() for x in f.findings],
            }
            for f in findings["datasets"]
        ],
        "broken_links": [
            {"dataset": b.distribution.dataset.name, "url": b.url, "error": b.error, "checked_at": b.checked_at}
            for b in findings["broken"]
        ],
    }


@router.post(
    "/index/municipalities/{slug}/overrides",
    response={201: OverrideOut},
    summary="Revisar una respuesta del índice (revisores provinciales)",
    url_name="monitoring_override",
)
def index_override(request, slug: str, payload: OverrideIn):
    override = index_override_set(
        municipality=_municipality(slug),
        category=payload.category,
        criterion=payload.criterion,
        value=payload.value,
        reason=payload.reason,
        by=request.auth,
    )
    return Status(201, override)


@router.post(
    "/index/recompute",
    response={202: JobRefOut},
    summary="Recalcular todo el índice ahora",
    url_name="monitoring_recompute",
)
def index_recompute(request):
    job = index_full_enqueue(by=request.auth)
    return Status(202, {"job_id": job.pk, "status": job.status})


@router.post(
    "/validate",
    response=ValidationOut,
    summary="Validar un catálogo data.json contra el perfil nacional",
    url_name="monitoring_validate",
)
def validate(request, catalog: dict = Body(...)):  # noqa: B008 - ninja's way to declare a raw JSON body
    report = validate_catalog(catalog)
    return {
        "valid_national_profile": report.profile_valid,
        "errors": len(report.errors),
        "warnings": len(report.warnings),
        "datasets": report.datasets,
        "distributions": report.distributions,
        "findings": [f.as_dict() for f in report.findings],
    }
