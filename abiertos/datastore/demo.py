"""Demo content of the datastore: the «Obras públicas» standard schema, declared by every demo municipality."""

from __future__ import annotations

from abiertos.core.actors import Actor

from .models import DatastoreTable
from .standards import datastore_table_schema_set, standard_schema_save

DEMO_SCHEMA = "obras-publicas"
DEMO_FIELDS = [
    {"name": "id_obra", "type": "string", "description": "Identificador de la obra"},
    {"name": "nombre", "type": "string", "description": "Nombre de la obra"},
    {"name": "estado", "type": "string", "description": "Estado de avance"},
    {"name": "empresa", "type": "string", "description": "Empresa contratista"},
    {"name": "monto_contratado", "type": "number", "description": "Monto del contrato (pesos)"},
    {"name": "fecha_inicio", "type": "date", "description": "Fecha de inicio"},
    {"name": "plazo_dias", "type": "integer", "description": "Plazo previsto (días)"},
    {"name": "latitud", "type": "number", "description": "Latitud (WGS84)"},
    {"name": "longitud", "type": "number", "description": "Longitud (WGS84)"},
]


def demo_standards_seed(*, by: Actor) -> list[str]:
    """Create the demo standard schema and declare it on the demo «obras-publicas» tables (idempotent)."""
    schema = standard_schema_save(
        identifier=DEMO_SCHEMA,
        slug=DEMO_SCHEMA,
        title="Obras públicas municipales",
        description="Obras licitadas y en ejecución de cada municipio, con monto, plazo y ubicación.",
        fields=DEMO_FIELDS,
        by=by,
    )
    tables = DatastoreTable.objects.filter(
        distribution__dataset__identifier=DEMO_SCHEMA,
        distribution__dataset__is_demo=True,
        distribution__deleted_at__isnull=True,
        # The same rows are also published as XLSX: one distribution per municipality joins.
        distribution__format__iexact="csv",
    ).exclude(schema=schema.identifier)
    declared = [datastore_table_schema_set(table=table, schema=schema, by=by) for table in tables]
    return [f"  Esquema «{schema.title}»: {len(declared)} tablas lo declaran ahora"]
