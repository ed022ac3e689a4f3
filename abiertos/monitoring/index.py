"""The openness index and the network indicators, computed from the facts of each dataset.

**Weights live here, and only here** (``CRITERIA``): the Global Open Data Index 2016 weights
(DOMAIN.md §4). A category scores the sum of the weights of the criteria it meets (0–100), and 0
when no dataset of the category exists. A municipality's score is the mean of its categories.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .categories import CATEGORIES
from .facts import DatasetFacts
from .quality import QUALITY_MAX

EVIDENCE_MAX = 5


@dataclass(frozen=True)
class Criterion:
    code: str
    label: Promise
    weight: int
    test: Callable[[DatasetFacts], bool]
    explanation: Promise


CRITERIA: tuple[Criterion, ...] = (
    Criterion(
        "online",
        _("En línea y sin registro"),
        15,
        lambda f: f.all_available,
        _("Publicado en el portal, sin pedir cuenta, con todos sus recursos disponibles (sin enlaces rotos)."),
    ),
    Criterion(
        "free",
        _("Gratuito"),
        15,
        lambda f: True,
        _("Se descarga sin pagar: todo lo publicado en la plataforma lo es."),
    ),
    Criterion(
        "bulk",
        _("Descargable de una vez"),
        15,
        lambda f: f.has_data_format,
        _("Hay un archivo de datos completo (CSV, XLSX, JSON, SHP…), no solo documentos o páginas."),
    ),
    Criterion(
        "fresh",
        _("Actualizado"),
        15,
        lambda f: f.up_to_date,
        _("Actualizado según la regla nacional: dentro del plazo de su frecuencia más un 20 %."),
    ),
    Criterion(
        "license",
        _("Con licencia abierta"),
        20,
        lambda f: f.license_open,
        _("Declara una licencia abierta (Creative Commons BY, BY-SA, CC0, ODC-BY, ODbL, PDDL)."),
    ),
    Criterion(
        "machine",
        _("Abierto y procesable"),
        20,
        lambda f: f.has_open_format,
        _("Al menos un recurso en un formato abierto y procesable por máquina (CSV, JSON, ODS, GeoJSON…)."),
    ),
)
CRITERION_BY_CODE = {c.code: c for c in CRITERIA}
# "exists" is the gate of every category: without it the category scores 0.
ANSWER_CODES = ("exists", *CRITERION_BY_CODE)
FULL_CATEGORY = sum(c.weight for c in CRITERIA)

# The national indicators (DOMAIN.md §3), by their national names, in this order.
INDICATOR_NAMES = (
    "datasets_cant", "distribuciones_cant", "datasets_meta_ok_pct", "datasets_con_datos_pct",
    "datasets_actualizados_pct", "campos_recomendados_pct", "campos_optativos_pct",
    "catalogo_ultima_actualizacion_dias", "distribuciones_formatos_cant", "datasets_licencias_cant",
    "datasets_frecuencia_cant", "datasets_federados_pct",
)  # fmt: skip
RECOMMENDED_DATASET = ("theme", "keyword", "modified", "temporal", "contactPoint", "license", "spatial", "landingPage")
RECOMMENDED_DISTRIBUTION = ("format", "byteSize", "fileName")
OPTIONAL_DATASET = ("publisher.mbox",)
OPTIONAL_DISTRIBUTION = ("description",)


def _filled(node: dict, key: str) -> bool:
    for part in key.split("."):
        node = node.get(part) if isinstance(node, dict) else None
    return node not in (None, "", [], {})


def _count_fields(entry: dict, keys_ds: tuple, keys_dist: tuple) -> tuple[int, int]:
    filled = sum(_filled(entry, k) for k in keys_ds)
    total = len(keys_ds)
    for dist in entry.get("distribution", []):
        filled += sum(_filled(dist, k) for k in keys_dist)
        total += len(keys_dist)
    return filled, total


def counts_of(facts: list[DatasetFacts]) -> dict:
    """Raw sums for one municipality; the province adds these up (totals are recomputed, not averaged)."""
    counts = Counter()
    formats, licenses, frequencies = Counter(), Counter(), Counter()
    last = None
    for f in facts:
        counts["datasets"] += 1
        counts["distributions"] += len(f.entry.get("distribution", []))
        counts["meta_ok"] += f.meta_ok
        counts["con_datos"] += f.has_data_format
        counts["actualizados"] += f.up_to_date
        counts["federados"] += f.meta_ok and not f.is_harvested
        counts["quality"] += len(f.quality)
        rec = _count_fields(f.entry, RECOMMENDED_DATASET, RECOMMENDED_DISTRIBUTION)
        opt = _count_fields(f.entry, OPTIONAL_DATASET, OPTIONAL_DISTRIBUTION)
        counts["rec_filled"] += rec[0]
        counts["rec_total"] += rec[1]
        counts["opt_filled"] += opt[0]
        counts["opt_total"] += opt[1]
        formats.update(d.get("format", "").upper() or "?" for d in f.entry.get("distribution", []))
        licenses[f.entry.get("license") or ""] += 1
        frequencies[f.entry.get("accrualPeriodicity") or ""] += 1
        last = max(last, f.updated_at) if last else f.updated_at
    return {
        **counts,
        "formats": dict(formats),
        "licenses": dict(licenses),
        "frequencies": dict(frequencies),
        "last_update": last.isoformat() if last else None,
    }


def counts_add(all_counts: list[dict]) -> dict:
    total = Counter()
    maps = {"formats": Counter(), "licenses": Counter(), "frequencies": Counter()}
    last = None
    for counts in all_counts:
        for key, value in counts.items():
            if key in maps:
                maps[key].update(value)
            elif key == "last_update":
                last = max(last, value) if last and value else (last or value)
            else:
                total[key] += value
    return {**total, **{k: dict(v) for k, v in maps.items()}, "last_update": last}


def _pct(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 2) if whole else None


def indicators_of(counts: dict, *, now: datetime) -> dict:
    """The national indicators from raw sums."""
    n = counts.get("datasets", 0)
    last = counts.get("last_update")
    return {
        "datasets_cant": n,
        "distribuciones_cant": counts.get("distributions", 0),
        "datasets_meta_ok_pct": _pct(counts.get("meta_ok", 0), n),
        "datasets_con_datos_pct": _pct(counts.get("con_datos", 0), n),
        "datasets_actualizados_pct": _pct(counts.get("actualizados", 0), n),
        "campos_recomendados_pct": _pct(counts.get("rec_filled", 0), counts.get("rec_total", 0)),
        "campos_optativos_pct": _pct(counts.get("opt_filled", 0), counts.get("opt_total", 0)),
        "catalogo_ultima_actualizacion_dias": (now - datetime.fromisoformat(last)).days if last else None,
        "distribuciones_formatos_cant": counts.get("formats", {}),
        "datasets_licencias_cant": counts.get("licenses", {}),
        "datasets_frecuencia_cant": counts.get("frequencies", {}),
        "datasets_federados_pct": _pct(counts.get("federados", 0), n),
    }


def _category_result(matched: list[DatasetFacts], overrides: dict) -> dict:
    answers = {"exists": bool(matched)}
    evidence = {"exists": [[f.identifier, f.title] for f in matched[:EVIDENCE_MAX]]}
    for criterion in CRITERIA:
        earned = [f for f in matched if criterion.test(f)]
        answers[criterion.code] = bool(earned)
        evidence[criterion.code] = [[f.identifier, f.title] for f in earned[:EVIDENCE_MAX]]
    applied = {}
    for code, override in overrides.items():
        answers[code] = override["value"]
        applied[code] = override
    score = sum(c.weight for c in CRITERIA if answers[c.code]) if answers["exists"] else 0
    return {"score": score, "answers": answers, "evidence": evidence, "overrides": applied, "datasets": len(matched)}


def municipality_result(facts: list[DatasetFacts], overrides: dict[tuple[str, str], dict]) -> dict:
    """Score one municipality. ``overrides`` maps (category, criterion) to {value, reason, by, at}."""
    by_category: dict[str, list[DatasetFacts]] = {c.code: [] for c in CATEGORIES}
    for f in facts:
        for code in f.categories:
            by_category[code].append(f)
    categories = {
        c.code: _category_result(by_category[c.code], {k[1]: v for k, v in overrides.items() if k[0] == c.code})
        for c in CATEGORIES
    }
    score = round(sum(r["score"] for r in categories.values()) / len(CATEGORIES), 2)
    counts = counts_of(facts)
    quality_mean = round(counts.get("quality", 0) / counts["datasets"], 2) if counts.get("datasets") else None
    return {"score": score, "categories": categories, "counts": counts, "quality_mean": quality_mean}


def gain_points(category_points: int) -> float:
    """What a municipality's score gains when one category gains ``category_points``."""
    return round(category_points / len(CATEGORIES), 1)


def next_steps(categories: dict) -> list[dict]:
    """Concrete steps, the largest gain first: what to publish or fix, and how many points it adds."""
    steps = []
    for category in CATEGORIES:
        result = categories.get(category.code)
        if result is None:
            continue
        answers = result["answers"]
        if not answers.get("exists"):
            steps.append(
                {"category": category.code, "kind": "publish", "gain": gain_points(FULL_CATEGORY - result["score"])}
            )
            continue
        for criterion in CRITERIA:
            if not answers.get(criterion.code):
                steps.append({"category": category.code, "kind": criterion.code, "gain": gain_points(criterion.weight)})
    return sorted(steps, key=lambda s: (-s["gain"], s["category"]))


def quality_percent(quality_mean: float | None) -> float | None:
    return None if quality_mean is None else round(100 * quality_mean / QUALITY_MAX, 1)
