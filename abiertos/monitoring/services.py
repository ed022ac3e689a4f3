"""Writes of monitoring: compute the index (all, or one municipality), and reviewer overrides."""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from abiertos.accounts.permissions import Action, require
from abiertos.core.actors import Actor
from abiertos.core.audit import audit_record
from abiertos.core.errors import ValidationError
from abiertos.core.models import Municipality

from .categories import CATEGORIES, CATEGORY_BY_CODE
from .facts import dataset_facts
from .index import ANSWER_CODES, CRITERIA, counts_add, indicators_of, municipality_result
from .models import IndexOverride, IndexRun, LinkCheck, LinkStatus, MunicipalityIndex

REASON_MAX = 2000
CHUNK = 15


def overrides_current(municipality_ids: list[int] | None = None) -> dict[int, dict[tuple[str, str], dict]]:
    """The overrides in force: the latest row per (municipality, category, criterion), unless withdrawn."""
    qs = IndexOverride.objects.order_by("created_at", "id")
    if municipality_ids is not None:
        qs = qs.filter(municipality_id__in=municipality_ids)
    current: dict[int, dict] = defaultdict(dict)
    for row in qs.values(
        "municipality_id", "category", "criterion", "value", "reason", "created_by_label", "created_at"
    ):
        key = (row["category"], row["criterion"])
        if row["value"] is None:
            current[row["municipality_id"]].pop(key, None)
            continue
        current[row["municipality_id"]][key] = {
            "value": row["value"],
            "reason": row["reason"],
            "by": row["created_by_label"],
            "at": row["created_at"].isoformat(),
        }
    return current


def broken_distributions(municipality_ids: list[int] | None = None) -> set[int]:
    qs = LinkCheck.objects.filter(status=LinkStatus.BROKEN)
    if municipality_ids is not None:
        qs = qs.filter(municipality_id__in=municipality_ids)
    return set(qs.values_list("distribution_id", flat=True))


def _weights() -> dict:
    return {c.code: c.weight for c in CRITERIA}


def _rank(rows: list[MunicipalityIndex]) -> None:
    """Competition ranking (1, 2, 2, 4) by score, best first."""
    ordered = sorted(rows, key=lambda r: -r.score)
    for position, row in enumerate(ordered, start=1):
        previous = ordered[position - 2] if position > 1 else None
        row.rank = previous.rank if previous is not None and previous.score == row.score else position


def _province_update(run: IndexRun, rows: list[MunicipalityIndex]) -> None:
    counts = counts_add([r.counts for r in rows])
    run.province_counts = counts
    run.province_indicators = indicators_of(counts, now=run.computed_at)
    run.province_score = round(sum(r.score for r in rows) / len(rows), 2) if rows else 0
    run.province_categories = {
        c.code: round(sum(r.category_scores.get(c.code, 0) for r in rows) / len(rows), 2) if rows else 0
        for c in CATEGORIES
    }


def _result_row(run: IndexRun, municipality_id: int, result: dict, broken: int) -> MunicipalityIndex:
    return MunicipalityIndex(
        run=run,
        municipality_id=municipality_id,
        score=result["score"],
        category_scores={code: data["score"] for code, data in result["categories"].items()},
        categories=result["categories"],
        counts=result["counts"],
        indicators=indicators_of(result["counts"], now=run.computed_at),
        quality_mean=result["quality_mean"],
        broken_links=broken,
    )


def index_compute_full(*, by: Actor, progress: Callable | None = None) -> IndexRun:
    """Compute the whole index (validation, freshness, quality, indicators) as a new run."""
    require(by, Action.REVIEW_INDEX)
    started = time.monotonic()
    now = timezone.now()
    municipality_ids = list(Municipality.objects.filter(is_active=True).values_list("id", flat=True))
    broken = broken_distributions()
    overrides = overrides_current()
    broken_per = defaultdict(int)
    for municipality_id in LinkCheck.objects.filter(status=LinkStatus.BROKEN).values_list("municipality_id", flat=True):
        broken_per[municipality_id] += 1
    results = {}
    # A few municipalities at a time, so memory stays bounded whatever the size of the catalog.
    for start in range(0, len(municipality_ids), CHUNK):
        chunk = municipality_ids[start : start + CHUNK]
        by_municipality = defaultdict(list)
        for facts in dataset_facts(municipality_ids=chunk, broken=broken, now=now):
            by_municipality[facts.municipality_id].append(facts)
        for municipality_id in chunk:
            results[municipality_id] = municipality_result(
                by_municipality[municipality_id], overrides.get(municipality_id, {})
            )
        if progress:
            progress(len(results), len(municipality_ids), _("Validando y calculando el índice"))
    with transaction.atomic():
        run = IndexRun.objects.create(computed_at=now, weights=_weights())
        rows = [_result_row(run, m_id, results[m_id], broken_per[m_id]) for m_id in municipality_ids]
        _rank(rows)
        MunicipalityIndex.objects.bulk_create(rows, batch_size=500)
        _province_update(run, rows)
        run.seconds = round(time.monotonic() - started, 3)
        run.save()
        audit_record(
            actor=by,
            action="monitoring.index_compute",
            target=run,
            changes={"municipalities": len(rows), "province_score": run.province_score},
        )
    return run


def index_update_municipality(*, municipality: Municipality, by: Actor) -> MunicipalityIndex | None:
    """Recompute one municipality in the latest run (after one of its datasets changed)."""
    require(by, Action.REVIEW_INDEX)
    run = IndexRun.objects.order_by("-computed_at", "-id").first()
    if run is None:
        return None  # nothing computed yet: the first full run will include it
    broken = broken_distributions([municipality.pk])
    facts = dataset_facts(municipality_ids=[municipality.pk], broken=broken)
    result = municipality_result(facts, overrides_current([municipality.pk]).get(municipality.pk, {}))
    with transaction.atomic():
        run = IndexRun.objects.select_for_update().get(pk=run.pk)
        rows = list(run.results.defer("categories"))
        mine = _result_row(run, municipality.pk, result, len(broken))
        existing = next((r for r in rows if r.municipality_id == municipality.pk), None)
        if existing is not None:
            mine.pk = existing.pk
            rows[rows.index(existing)] = mine
        else:
            rows.append(mine)
        old_ranks = {r.municipality_id: r.rank for r in rows}
        _rank(rows)
        mine.save()
        changed = [r for r in rows if r is not mine and r.rank != old_ranks[r.municipality_id]]
        MunicipalityIndex.objects.bulk_update(changed, ["rank"], batch_size=500)
        _province_update(run, rows)
        run.save(
            update_fields=[
                "province_counts",
                "province_indicators",
                "province_score",
                "province_categories",
                "updated_at",
            ]
        )
    return mine


def _override_clean(*, category: str, criterion: str, value, reason: str) -> str:
    errors: dict[str, list[str]] = {}
    if category not in CATEGORY_BY_CODE:
        errors["category"] = [_("Elegí una categoría del índice.")]
    if criterion not in ANSWER_CODES:
        errors["criterion"] = [_("Elegí un criterio del índice.")]
    if value not in (True, False, None):
        errors["value"] = [_("La respuesta tiene que ser sí, no, o quitar la revisión.")]
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = [_("Explicá el motivo de la revisión: queda en el historial público del índice.")]
    elif len(reason) > REASON_MAX:
        errors["reason"] = [_("El motivo puede tener hasta %(max)d caracteres.") % {"max": REASON_MAX}]
    if errors:
        raise ValidationError(_("Revisá los datos de la revisión."), fields=errors)
    return reason


def index_override_set(
    *, municipality: Municipality, category: str, criterion: str, value: bool | None, reason: str, by: Actor
) -> IndexOverride:
    """Record a reviewer's answer (or withdraw it with ``value=None``) and update the municipality."""
    require(by, Action.REVIEW_INDEX, municipality)
    reason = _override_clean(category=category, criterion=criterion, value=value, reason=reason)
    with transaction.atomic():
        override = IndexOverride.objects.create(
            municipality=municipality,
            category=category,
            criterion=criterion,
            value=value,
            reason=reason,
            created_by=by.user,
            created_by_label=by.label,
        )
        audit_record(
            actor=by,
            action="monitoring.index_override",
            target=override,
            municipality=municipality,
            changes={"category": category, "criterion": criterion, "value": value, "reason": reason},
        )
    index_update_municipality(municipality=municipality, by=Actor.system("monitoring"))
    return override
