"""Demo catalog content for `make run`: realistic, generated, and clearly marked as demo.

Budgets, public works with coordinates and procurement for a few municipalities, each with a
CSV and an XLSX distribution, created through the real services (versioned and audited).
"""

from __future__ import annotations

import csv
import io
import random
from dataclasses import dataclass
from datetime import date, timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from abiertos.core.actors import Actor
from abiertos.core.models import Municipality

from . import services
from .inputs import DatasetMetadata, DistributionMetadata, FieldSpec
from .models import Dataset

DEMO_NOTE = "Contenido de demostración generado por la plataforma: no son datos oficiales."
DEMO_MUNICIPALITY_CODES = ["06441", "06056", "06357", "06791"]  # La Plata, Bahía Blanca, Gral. Pueyrredón, Tandil

FINALIDADES = {
    "Administración gubernamental": ["Legislativa", "Dirección superior ejecutiva", "Administración fiscal"],
    "Servicios de seguridad": ["Seguridad interior", "Defensa civil"],
    "Servicios sociales": ["Salud", "Promoción y asistencia social", "Educación y cultura", "Vivienda y urbanismo"],
    "Servicios económicos": ["Transporte", "Ecología y medio ambiente", "Turismo"],
    "Deuda pública": ["Servicio de la deuda"],
}
OBRA_TIPOS = [
    "Pavimentación",
    "Desagües pluviales",
    "Red de agua",
    "Alumbrado LED",
    "Plaza",
    "Centro de salud",
    "Escuela",
]
OBRA_ESTADOS = ["En licitación", "En ejecución", "Finalizada", "Paralizada"]
EMPRESAS = ["Constructora del Sur S.A.", "Obras Bonaerenses S.R.L.", "Vialco S.A.", "Hidráulica Pampeana S.A."]
PROCEDIMIENTOS = ["Licitación pública", "Licitación privada", "Concurso de precios", "Compra directa"]
OBJETOS = ["Medicamentos", "Combustible", "Luminarias LED", "Útiles escolares", "Servicio de limpieza", "Neumáticos"]
PROVEEDORES = [
    ("Distribuidora Atlántica S.A.", "30-71234567-8"),
    ("Insumos Platenses S.R.L.", "30-70987654-3"),
    ("Comercial del Centro S.A.", "30-69876543-1"),
    ("Servicios Integrales S.A.", "33-71555444-9"),
]


@dataclass
class DemoTable:
    identifier: str
    title: str
    description: str
    super_themes: list[str]
    themes: list[str]
    keywords: list[str]
    periodicity: str
    temporal: str
    fields: list[FieldSpec]
    rows: list[list]


def _budget(rng: random.Random, year: int) -> DemoTable:
    rows = []
    for finalidad, funciones in FINALIDADES.items():
        for funcion in funciones:
            original = rng.randrange(50, 4000) * 1_000_000
            vigente = int(original * rng.uniform(0.95, 1.3))
            rows.append([year, finalidad, funcion, original, vigente, int(vigente * rng.uniform(0.6, 0.98))])
    return DemoTable(
        identifier=f"presupuesto-{year}",
        title=f"Presupuesto {year} por finalidad y función",
        description="Crédito original, vigente y devengado del presupuesto municipal, por finalidad y función.",
        super_themes=["ECON", "GOVE"],
        themes=["presupuesto", "gasto-publico"],
        keywords=["presupuesto", "gasto público", "hacienda"],
        periodicity="R/P3M",
        temporal=f"{year}-01-01/{year}-12-31",
        fields=[
            FieldSpec("ejercicio", "integer", "Año del presupuesto"),
            FieldSpec("finalidad", "string", "Finalidad del gasto"),
            FieldSpec("funcion", "string", "Función dentro de la finalidad"),
            FieldSpec("credito_original", "number", "Crédito aprobado por ordenanza", "pesos"),
            FieldSpec("credito_vigente", "number", "Crédito con modificaciones", "pesos"),
            FieldSpec("devengado", "number", "Gasto devengado a la fecha", "pesos"),
        ],
        rows=rows,
    )


def _works(rng: random.Random, municipality: Municipality) -> DemoTable:
    lat0, lon0 = municipality.centroid_lat or -34.92, municipality.centroid_lon or -57.95
    rows = []
    for n in range(1, 41):
        start = date(2024, 1, 1) + timedelta(days=rng.randrange(0, 600))
        planned = rng.randrange(60, 540)
        cost = rng.randrange(5, 900) * 1_000_000
        estado = rng.choice(OBRA_ESTADOS)
        actual_cost = int(cost * rng.uniform(0.9, 1.45)) if estado == "Finalizada" else ""
        rows.append(
            [
                f"OP-{n:04d}",
                f"{rng.choice(OBRA_TIPOS)} en barrio {rng.choice(['Centro', 'Norte', 'Sur', 'Este', 'Oeste'])} {n}",
                estado,
                rng.choice(EMPRESAS),
                cost,
                actual_cost,
                start.isoformat(),
                (start + timedelta(days=planned)).isoformat(),
                planned,
                round(lat0 + rng.uniform(-0.06, 0.06), 6),
                round(lon0 + rng.uniform(-0.06, 0.06), 6),
            ]
        )
    return DemoTable(
        identifier="obras-publicas",
        title="Obras públicas",
        description="Obras licitadas y en ejecución: monto contratado y final, plazos, empresa y ubicación.",
        super_themes=["GOVE", "REGI"],
        themes=["obras-publicas"],
        keywords=["obras", "infraestructura", "licitaciones"],
        periodicity="R/P1M",
        temporal="2024-01-01/2025-12-31",
        fields=[
            FieldSpec("id_obra", "string", "Identificador de la obra"),
            FieldSpec("nombre", "string", "Nombre de la obra"),
            FieldSpec("estado", "string", "Estado de avance"),
            FieldSpec("empresa", "string", "Empresa contratista"),
            FieldSpec("monto_contratado", "number", "Monto del contrato", "pesos"),
            FieldSpec("monto_final", "number", "Costo final (obras finalizadas)", "pesos"),
            FieldSpec("fecha_inicio", "date", "Fecha de inicio"),
            FieldSpec("fecha_fin_prevista", "date", "Fecha prevista de finalización"),
            FieldSpec("plazo_dias", "integer", "Plazo previsto", "días"),
            FieldSpec("latitud", "number", "Latitud (WGS84)"),
            FieldSpec("longitud", "number", "Longitud (WGS84)"),
        ],
        rows=rows,
    )


def _procurement(rng: random.Random) -> DemoTable:
    rows = []
    for n in range(1, 61):
        when = date(2025, 1, 1) + timedelta(days=rng.randrange(0, 330))
        supplier, cuit = rng.choice(PROVEEDORES)
        rows.append(
            [
                f"4012-{n:05d}/2025",
                when.isoformat(),
                rng.choice(PROCEDIMIENTOS),
                rng.choice(OBJETOS),
                supplier,
                cuit,
                rng.randrange(100, 90000) * 1000,
                rng.choice(["Salud", "Obras", "Educación", "Hacienda"]),
            ]
        )
    return DemoTable(
        identifier="compras-y-contrataciones-2025",
        title="Compras y contrataciones 2025",
        description="Procedimientos de compra adjudicados: objeto, proveedor, monto y área solicitante.",
        super_themes=["ECON", "GOVE"],
        themes=["compras-y-contrataciones"],
        keywords=["compras", "contrataciones", "proveedores"],
        periodicity="R/P1M",
        temporal="2025-01-01/2025-12-31",
        fields=[
            FieldSpec("expediente", "string", "Número de expediente"),
            FieldSpec("fecha_adjudicacion", "date", "Fecha de adjudicación"),
            FieldSpec("procedimiento", "string", "Tipo de procedimiento"),
            FieldSpec("objeto", "string", "Objeto de la compra"),
            FieldSpec("proveedor", "string", "Razón social del proveedor"),
            FieldSpec("cuit", "string", "CUIT del proveedor"),
            FieldSpec("monto_adjudicado", "number", "Monto adjudicado", "pesos"),
            FieldSpec("area", "string", "Área solicitante"),
        ],
        rows=rows,
    )


def _csv_bytes(table: DemoTable) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([f.title for f in table.fields])
    writer.writerows(table.rows)
    return out.getvalue().encode("utf-8")


def _xlsx_bytes(table: DemoTable) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = table.identifier[:31]
    sheet.append([f.title for f in table.fields])
    for row in table.rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _publish_table(municipality: Municipality, table: DemoTable, by: Actor) -> Dataset:
    metadata = DatasetMetadata(
        identifier=table.identifier,
        title=table.title,
        description=f"{table.description}\n\n{DEMO_NOTE}",
        super_themes=table.super_themes,
        themes=table.themes,
        keywords=[*table.keywords, "demo"],
        accrual_periodicity=table.periodicity,
        temporal=table.temporal,
        contact_email=municipality.contact_email,
    )
    dataset = services.dataset_create(municipality=municipality, metadata=metadata, by=by, is_demo=True)
    for fmt, content in (("csv", _csv_bytes(table)), ("xlsx", _xlsx_bytes(table))):
        services.distribution_create_from_upload(
            dataset=dataset,
            metadata=DistributionMetadata(
                identifier=f"{table.identifier}-{fmt}",
                title=f"{table.title} ({fmt.upper()})",
                fields=table.fields,
            ),
            upload=SimpleUploadedFile(f"{table.identifier}.{fmt}", content),
            by=by,
        )
    return services.dataset_publish(dataset=dataset, by=by)


def demo_catalog_seed(*, by: Actor) -> list[Dataset]:
    """Create the demo datasets that do not exist yet; return the ones created."""
    created = []
    for index, municipality in enumerate(
        Municipality.objects.filter(code__in=DEMO_MUNICIPALITY_CODES).order_by("code")
    ):
        rng = random.Random(f"demo-{municipality.code}")
        tables = [_budget(rng, 2025), _works(rng, municipality), _procurement(rng)]
        if index % 2 == 0:
            tables.insert(0, _budget(rng, 2024))
        for table in tables:
            if Dataset.objects.filter(municipality=municipality, identifier=table.identifier).exists():
                continue
            created.append(_publish_table(municipality, table, by))
    return created
