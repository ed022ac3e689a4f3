"""Cross-municipality tables: the loaded tables that declare one standard schema, read as one table.

The combined table is the union of the conforming Parquet files, with ``municipio`` (name) and
``municipio_codigo`` (INDEC code) first. A table whose columns do not match the schema is left out
and the reason is reported. Only tables the actor may read take part.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, field
from uuid import UUID, uuid5

from django.utils.translation import gettext as _

from abiertos.catalog.selectors import dataset_list_visible_to
from abiertos.core.actors import Actor
from abiertos.core.errors import NotFound

from .forms import TYPE_LABELS
from .models import DatastoreTable, StandardSchema
from .readable import table_get_readable
from .sandbox import ROW_ID, ident, literal, sandbox

MUNICIPALITY_COLUMNS = ("municipio", "municipio_codigo")
RESERVED_NAMES = {ROW_ID, *MUNICIPALITY_COLUMNS}
SQL_TYPES = {
    "string": "VARCHAR",
    "integer": "BIGINT",
    "number": "DOUBLE",
    "boolean": "BOOLEAN",
    "date": "DATE",
    "datetime": "TIMESTAMP",
    "time": "TIME",
    "geometry": "VARCHAR",
}
# A column of the first type may stand for a schema field of the second.
WIDENS = {("integer", "number")}
# The CKAN resource id of a combined table is uuid5(this, schema identifier): stable, and the same
# on every installation that declares the schema with the same identifier. This namespace is itself
# uuid5(NAMESPACE_URL, "https://municipios-abiertos/esquemas").
RESOURCE_NAMESPACE = UUID("ecc90677-26b4-5fbc-84d8-7e5313f2d0a1")
RESOURCE_NAME_PREFIX = "esquema_"


def combined_resource_id(schema: StandardSchema) -> str:
    """The CKAN resource id of the schema's combined table (a virtual resource)."""
    return str(uuid5(RESOURCE_NAMESPACE, schema.identifier))


def combined_resource_name(schema: StandardSchema) -> str:
    """The platform-wide name CKAN clients may use instead of the id: ``esquema_<slug>``."""
    return RESOURCE_NAME_PREFIX + schema.slug


@dataclass
class Excluded:
    table: DatastoreTable
    reasons: list[str]


@dataclass
class CombinedTable:
    """Quacks like a DatastoreTable for the query layer (``columns``, ``is_serving``, ``row_count``)."""

    schema: StandardSchema
    parts: list[DatastoreTable]
    excluded: list[Excluded] = field(default_factory=list)

    @property
    def columns(self) -> list[dict]:
        names = [{"name": n, "type": "string"} for n in MUNICIPALITY_COLUMNS]
        return names + [
            {"name": f["name"], "type": f["type"], "description": f.get("description", "")} for f in self.schema.fields
        ]

    @property
    def is_serving(self) -> bool:
        return bool(self.parts)

    @property
    def row_count(self) -> int:
        return sum(t.row_count or 0 for t in self.parts)

    @property
    def resource_id(self) -> str:
        return combined_resource_id(self.schema)

    def empty_sql(self) -> str:
        """A SELECT with the combined table's columns and types and no rows (no table conforms yet)."""
        columns = [f"CAST(NULL AS BIGINT) AS {ident(ROW_ID)}"] + [
            f"CAST(NULL AS VARCHAR) AS {ident(name)}" for name in MUNICIPALITY_COLUMNS
        ]
        columns += [f"CAST(NULL AS {SQL_TYPES[f['type']]}) AS {ident(f['name'])}" for f in self.schema.fields]
        return f"SELECT {', '.join(columns)} WHERE FALSE"

    def part_views(self, prefix: str = "p") -> dict[str, DatastoreTable]:
        """The sandbox views the union reads: ``<prefix><n>`` → part."""
        return {f"{prefix}{i}": t for i, t in enumerate(self.parts)}

    def select_sql(self, prefix: str = "p") -> str:
        """One SELECT per part, with _id continuing from the previous part's last row."""
        if not self.parts:
            return self.empty_sql()
        selects, offset = [], 0
        for index, table in enumerate(self.parts):
            municipality = table.distribution.dataset.municipality
            columns = [
                f"{ident(ROW_ID)} + {offset} AS {ident(ROW_ID)}",
                f"{literal(municipality.name)} AS municipio",
                f"{literal(municipality.code)} AS municipio_codigo",
            ] + [
                f"CAST({ident(f['name'])} AS {SQL_TYPES[f['type']]}) AS {ident(f['name'])}" for f in self.schema.fields
            ]
            selects.append(f"SELECT {', '.join(columns)} FROM {ident(f'{prefix}{index}')}")
            offset += table.row_count or 0
        return " UNION ALL ".join(selects)

    @contextmanager
    def connection(self, view: str):
        with sandbox(self.part_views(), {view: self.select_sql()}) as con:
            yield con


def schema_conformance(table: DatastoreTable, schema: StandardSchema) -> list[str]:
    """Why the table cannot join the schema's combined table (empty when it can)."""
    if not table.is_serving:
        return [_("La tabla todavía no está cargada.")]
    types = {c["name"]: c["type"] for c in table.columns}
    reasons = []
    for wanted in schema.fields:
        name, kind = wanted["name"], wanted["type"]
        if name not in types:
            reasons.append(_("Falta la columna «%(name)s».") % {"name": name})
        elif types[name] != kind and (types[name], kind) not in WIDENS:
            reasons.append(
                _("La columna «%(name)s» es de tipo %(found)s y el esquema pide %(wanted)s.")
                % {
                    "name": name,
                    "found": TYPE_LABELS.get(types[name], types[name]),
                    "wanted": TYPE_LABELS.get(kind, kind),
                }
            )
    return reasons


def schema_tables(*, schema: StandardSchema, actor: Actor) -> list[DatastoreTable]:
    """The tables the actor may read that declare the schema, in municipality order."""
    return list(
        DatastoreTable.objects.filter(
            schema=schema.identifier,
            distribution__deleted_at__isnull=True,
            distribution__dataset__in=dataset_list_visible_to(actor=actor),
        )
        .select_related("distribution__dataset__municipality")
        .order_by("distribution__dataset__municipality__name", "distribution__id")
    )


def combined_table(*, schema: StandardSchema, actor: Actor) -> CombinedTable:
    """The union of the conforming tables of the schema that the actor may read, and the ones left out."""
    parts, excluded = [], []
    for table in schema_tables(schema=schema, actor=actor):
        reasons = schema_conformance(table, schema)
        if reasons:
            excluded.append(Excluded(table, reasons))
        else:
            parts.append(table)
    return CombinedTable(schema=schema, parts=parts, excluded=excluded)


def combined_tables_readable(*, actor: Actor, references: list[str]) -> dict[str, CombinedTable]:
    """The combined tables named by CKAN resource id or ``esquema_<slug>``, as the actor may read them."""
    wanted = set(references)
    if not wanted:
        return {}
    found = {}
    for schema in StandardSchema.objects.all():
        keys = {combined_resource_id(schema), combined_resource_name(schema)} & wanted
        if keys:
            table = combined_table(schema=schema, actor=actor)
            found.update(dict.fromkeys(keys, table))
    return found


def combined_table_get_readable(*, actor: Actor, reference: str) -> CombinedTable:
    """The combined table a CKAN resource id (or ``esquema_<slug>``) names, or NotFound."""
    table = combined_tables_readable(actor=actor, references=[reference]).get(reference)
    if table is None:
        raise NotFound(_("No existe la tabla «%(id)s» o no está publicada.") % {"id": reference})
    return table


def table_or_combined_get_readable(*, actor: Actor, reference: str) -> DatastoreTable | CombinedTable:
    """A distribution's table (uuid or name) or a combined table (its resource id or name), or NotFound."""
    try:
        return table_get_readable(actor=actor, reference=reference)
    except NotFound:
        return combined_table_get_readable(actor=actor, reference=reference)
