"""The index as an open dataset: CSV and JSON, one row per municipality and computation (history)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator

from .categories import CATEGORIES
from .index import INDICATOR_NAMES
from .models import IndexRun, MunicipalityIndex

SCALAR_INDICATORS = [
    n for n in INDICATOR_NAMES if not n.endswith("_cant") or n in ("datasets_cant", "distribuciones_cant")
]
CSV_COLUMNS = [
    "fecha_calculo",
    "municipio_codigo",
    "municipio_nombre",
    "municipio_slug",
    "puntaje",
    "posicion",
    *(f"categoria_{c.code}" for c in CATEGORIES),
    *SCALAR_INDICATORS,
    "calidad_promedio_9",
    "enlaces_rotos",
]


def _rows(*, run_id: int | None = None):
    qs = (
        MunicipalityIndex.objects.select_related("run", "municipality")
        .defer("categories", "counts", "municipality__boundary", "municipality__intro")
        .order_by("run__computed_at", "rank", "municipality__name")
    )
    if run_id is not None:
        qs = qs.filter(run_id=run_id)
    return qs.iterator(chunk_size=500)


def record(result: MunicipalityIndex, *, answers: bool = True) -> dict:
    """One municipality in one computation, as the open dataset publishes it."""
    m = result.municipality
    data = {
        "fecha_calculo": result.run.computed_at.isoformat(),
        "municipio_codigo": m.code,
        "municipio_nombre": m.name,
        "municipio_slug": m.slug,
        "puntaje": result.score,
        "posicion": result.rank,
        "categorias": result.category_scores,
        "indicadores": result.indicators,
        "calidad_promedio_9": result.quality_mean,
        "enlaces_rotos": result.broken_links,
    }
    if answers:
        data["respuestas"] = {code: cat["answers"] for code, cat in result.categories.items()}
    return data


def index_csv(*, run_id: int | None = None) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    yield buffer.getvalue()
    for result in _rows(run_id=run_id):
        buffer.seek(0)
        buffer.truncate()
        data = record(result, answers=False)
        writer.writerow(
            [
                data["fecha_calculo"],
                data["municipio_codigo"],
                data["municipio_nombre"],
                data["municipio_slug"],
                data["puntaje"],
                data["posicion"],
                *(data["categorias"].get(c.code, 0) for c in CATEGORIES),
                *(_cell(result.indicators.get(n)) for n in SCALAR_INDICATORS),
                _cell(data["calidad_promedio_9"]),
                data["enlaces_rotos"],
            ]
        )
        yield buffer.getvalue()


def _cell(value) -> str:
    return "" if value is None else str(value)


def index_json(*, weights_doc: dict, categories_doc: list[dict]) -> Iterator[str]:
    """The whole history as one JSON document, streamed one computation at a time."""
    yield '{"pesos": ' + json.dumps(weights_doc, ensure_ascii=False)
    yield ', "categorias": ' + json.dumps(categories_doc, ensure_ascii=False)
    yield ', "calculos": ['
    first = True
    for run in IndexRun.objects.order_by("computed_at", "id"):
        results = (
            run.results.select_related("run", "municipality")
            .defer("counts", "municipality__boundary", "municipality__intro")
            .order_by("rank", "municipality__name")
        )
        body = {
            "fecha_calculo": run.computed_at.isoformat(),
            "provincia": {
                "puntaje": run.province_score,
                "categorias": run.province_categories,
                "indicadores": run.province_indicators,
            },
            "municipios": [record(r) for r in results],
        }
        yield ("" if first else ", ") + json.dumps(body, ensure_ascii=False, default=str)
        first = False
    yield "]}"
