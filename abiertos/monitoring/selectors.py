"""Reads of monitoring, shaped for the pages, the downloads and the API."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from abiertos.accounts.permissions import Action, can
from abiertos.catalog.selectors import datasets_not_federated
from abiertos.core.actors import Actor
from abiertos.core.errors import NotFound, ValidationError
from abiertos.core.models import Municipality

from .categories import CATEGORIES, CATEGORY_BY_CODE
from .facts import dataset_facts
from .groups import population_group, region, similar_key
from .index import CRITERION_BY_CODE, next_steps
from .models import IndexRun, LinkCheck, LinkStatus, MunicipalityIndex
from .services import broken_distributions

SORTS = {"rank", "name", "score", "datasets", "fresh", "quality"}
HISTORY_RUNS = 400


def run_latest() -> IndexRun | None:
    return IndexRun.objects.order_by("-computed_at", "-id").first()


def run_in_month(month: date) -> IndexRun | None:
    """The last run computed in a calendar month."""
    return (
        IndexRun.objects.filter(computed_at__year=month.year, computed_at__month=month.month)
        .order_by("-computed_at", "-id")
        .first()
    )


def month_parse(text: str | None) -> date:
    if not text:
        today = timezone.localdate()
        return date(today.year, today.month, 1)
    try:
        return datetime.strptime(text, "%Y-%m").date()  # noqa: DTZ007 - a calendar month, not an instant
    except ValueError as exc:
        raise ValidationError(_("El mes tiene que escribirse como AAAA-MM, por ejemplo 2026-03.")) from exc


def previous_month(month: date) -> date:
    return date(month.year - 1, 12, 1) if month.month == 1 else date(month.year, month.month - 1, 1)


@dataclass
class RankingRow:
    municipality: Municipality
    result: MunicipalityIndex
    score: float
    rank: int
    population_group: str
    region: str

    @property
    def datasets(self) -> int:
        return self.result.indicators.get("datasets_cant") or 0

    @property
    def fresh(self) -> float:
        return self.result.indicators.get("datasets_actualizados_pct") or 0

    @property
    def quality(self) -> float:
        return self.result.quality_mean or 0


def results_of(run: IndexRun) -> QuerySet[MunicipalityIndex]:
    """The run's rows without the heavy answers and evidence (a ranking does not need them)."""
    return (
        run.results.select_related("municipality")
        .filter(municipality__is_active=True)
        .defer("categories", "counts", "municipality__boundary", "municipality__intro")
    )


def ranking(
    run: IndexRun, *, category: str = "", group: str = "", region_code: str = "", sort: str = "rank", descending=False
) -> list[RankingRow]:
    """The ranking, for the whole index or one category, filtered by population group or region."""
    rows = []
    for result in results_of(run):
        m = result.municipality
        score = result.category_scores.get(category, 0) if category in CATEGORY_BY_CODE else result.score
        row = RankingRow(m, result, score, 0, population_group(m.population), region(m.code))
        if (not group or row.population_group == group) and (not region_code or row.region == region_code):
            rows.append(row)
    rows.sort(key=lambda r: -r.score)
    for position, row in enumerate(rows, start=1):
        row.rank = rows[position - 2].rank if position > 1 and rows[position - 2].score == row.score else position
    key = {
        "rank": lambda r: (r.rank, r.municipality.name),
        "name": lambda r: r.municipality.name,
        "score": lambda r: (r.score, r.municipality.name),
        "datasets": lambda r: r.datasets,
        "fresh": lambda r: r.fresh,
        "quality": lambda r: r.quality,
    }[sort if sort in SORTS else "rank"]
    rows.sort(key=key, reverse=descending)
    return rows


def histogram(scores: list[float], *, bins: int = 10) -> list[dict]:
    width = 100 / bins
    counts = [0] * bins
    for score in scores:
        counts[min(int(score // width), bins - 1)] += 1
    top = max(counts) or 1
    return [
        {"low": int(i * width), "high": int((i + 1) * width), "count": n, "percent": round(100 * n / top)}
        for i, n in enumerate(counts)
    ]


def _daily(points: list[tuple[datetime, float]]) -> list[dict]:
    """The last point of each day, oldest first."""
    by_day: dict[date, float] = {}
    for when, value in sorted(points, key=lambda p: p[0]):
        by_day[timezone.localtime(when).date()] = value
    return [{"day": day, "score": value} for day, value in by_day.items()]


def province_trend() -> list[dict]:
    runs = IndexRun.objects.order_by("-computed_at").values_list("computed_at", "province_score")[:HISTORY_RUNS]
    return _daily(list(runs))


def category_trend(category: str) -> list[dict]:
    runs = IndexRun.objects.order_by("-computed_at").values_list("computed_at", "province_categories")[:HISTORY_RUNS]
    return _daily([(when, (cats or {}).get(category, 0)) for when, cats in runs])


def municipality_trend(municipality: Municipality) -> list[dict]:
    rows = (
        MunicipalityIndex.objects.filter(municipality=municipality)
        .order_by("-run__computed_at")
        .values_list("run__computed_at", "score")[:HISTORY_RUNS]
    )
    return _daily(list(rows))


def municipality_get_public(*, slug: str) -> Municipality:
    municipality = Municipality.objects.filter(slug=slug, is_active=True).select_related("province").first()
    if municipality is None:
        raise NotFound(_("No existe ese municipio."))
    return municipality


def result_for(run: IndexRun | None, municipality: Municipality) -> MunicipalityIndex | None:
    if run is None:
        return None
    return MunicipalityIndex.objects.filter(run=run, municipality=municipality).first()


def similar_rows(run: IndexRun, municipality: Municipality) -> tuple[str, str, list[RankingRow]]:
    """(kind, group code, rows of the similar municipalities, itself included)."""
    kind, code = similar_key(population=municipality.population, code=municipality.code)
    if kind == "population":
        return kind, code, ranking(run, group=code)
    return kind, code, ranking(run, region_code=code)


STEP_TEXTS = {
    "publish": lambda what: _("Publicá %(what)s en CSV, con licencia abierta") % {"what": what},
    "online": lambda what: (
        _("Revisá que cada recurso de %(what)s tenga su archivo o un enlace que funcione") % {"what": what}
    ),
    "free": lambda what: _("Publicá %(what)s sin costo") % {"what": what},
    "bulk": lambda what: _("Publicá %(what)s como archivo de datos completo (CSV, XLSX), no solo PDF") % {"what": what},
    "fresh": lambda what: _("Actualizá %(what)s: está fuera del plazo de su frecuencia") % {"what": what},
    "license": lambda what: _("Poné una licencia abierta a %(what)s") % {"what": what},
    "machine": lambda what: _("Publicá %(what)s en CSV") % {"what": what},
}


def steps_described(categories: dict, *, limit: int | None = None) -> list[dict]:
    """The next steps with their Spanish text: «Publicá el presupuesto en CSV: +1,3 puntos»."""
    steps = next_steps(categories)[:limit]
    for step in steps:
        category = CATEGORY_BY_CODE[step["category"]]
        step["text"] = STEP_TEXTS[step["kind"]](str(category.suggestion))
        step["gain_text"] = _("+%(n)s puntos") % {"n": number_format(step["gain"], 1)}
        step["category_label"] = category.label
    return steps


def categories_table(result: MunicipalityIndex) -> list[dict]:
    """One row per category with its answers in criterion order, for the scorecard."""
    rows = []
    for category in CATEGORIES:
        data = result.categories.get(category.code, {})
        answers = data.get("answers", {})
        rows.append(
            {
                "category": category,
                "score": data.get("score", 0),
                "answers": [
                    {
                        "code": code,
                        "label": criterion.label if criterion else _("Existe"),
                        "value": answers.get(code, False),
                        "evidence": data.get("evidence", {}).get(code, []),
                        "override": data.get("overrides", {}).get(code),
                    }
                    for code, criterion in (("exists", None), *CRITERION_BY_CODE.items())
                ],
            }
        )
    return rows


def findings_for(*, actor: Actor, municipality: Municipality) -> dict | None:
    """Validation findings and broken links of a municipality, for its editors and the reviewers."""
    if not (can(actor, Action.MANAGE_CATALOG, municipality) or can(actor, Action.REVIEW_INDEX, municipality)):
        return None
    facts = dataset_facts(municipality_ids=[municipality.pk], broken=broken_distributions([municipality.pk]))
    datasets = [f for f in facts if f.findings]
    datasets.sort(key=lambda f: (-f.errors, f.title))
    broken = (
        LinkCheck.objects.filter(municipality=municipality, status=LinkStatus.BROKEN)
        .select_related("distribution__dataset")
        .order_by("url")
    )
    return {
        "datasets": datasets,
        "broken": list(broken),
        "checked": len(facts),
        # As the province data.json was last built (catalog/federation.py).
        "not_federated": list(datasets_not_federated(municipality=municipality)),
    }
