"""Standard schemas: declaring them (province), a table declaring that it follows one (publisher), and reads."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from abiertos.accounts.permissions import Action, require
from abiertos.catalog.selectors import dataset_list_visible_to
from abiertos.core.actors import Actor
from abiertos.core.audit import audit_record
from abiertos.core.errors import NotFound, ValidationError

from .combined import RESERVED_NAMES, schema_conformance
from .models import DatastoreTable, StandardSchema
from .options import COLUMN_TYPES

# Frictionless Table Schema types → ours (anything else is read as text).
FRICTIONLESS_TYPES = {
    "string": "string",
    "integer": "integer",
    "number": "number",
    "boolean": "boolean",
    "date": "date",
    "datetime": "datetime",
    "time": "time",
    "year": "integer",
    "geojson": "geometry",
}


def _fields_clean(fields: list[dict]) -> list[dict]:
    problems, seen, clean = [], set(), []
    for index, item in enumerate(fields, start=1):
        name = str(item.get("name", "")).strip()
        kind = item.get("type", "string")
        if not name or name in seen or name in RESERVED_NAMES:
            problems.append(
                _("Campo %(n)d: falta el nombre, está repetido o es reservado («%(name)s»).")
                % {"n": index, "name": name}
            )
        elif kind not in COLUMN_TYPES:
            problems.append(_("Campo «%(name)s»: el tipo «%(type)s» no existe.") % {"name": name, "type": kind})
        seen.add(name)
        clean.append({"name": name, "type": kind, "description": str(item.get("description", "")).strip()})
    if not clean:
        problems.append(_("Un esquema necesita al menos un campo."))
    if problems:
        raise ValidationError(_("El esquema no es válido."), fields={"fields": problems})
    return clean


def fields_from_frictionless(descriptor: dict) -> list[dict]:
    """The fields of a Frictionless Table Schema descriptor, with our column types."""
    return [
        {
            "name": f.get("name", ""),
            "type": FRICTIONLESS_TYPES.get(f.get("type", "string"), "string"),
            "description": f.get("description", "") or f.get("title", ""),
        }
        for f in descriptor.get("fields") or []
        if isinstance(f, dict)
    ]


@transaction.atomic
def standard_schema_save(
    *, identifier: str, title: str, fields: list[dict], by: Actor, description: str = "", slug: str = ""
) -> StandardSchema:
    """Create or update the standard schema named ``identifier`` (a slug or the URL of its descriptor)."""
    require(by, Action.MANAGE_TERRITORY)
    identifier = identifier.strip()
    if not identifier or not title.strip():
        message = _("El esquema necesita un identificador y un título.")
        raise ValidationError(message, fields={"identifier": [message]})
    clean = _fields_clean(fields)
    schema = StandardSchema.objects.select_for_update().filter(identifier=identifier).first()
    if schema and (schema.title, schema.description, schema.fields) == (title.strip(), description.strip(), clean):
        return schema  # nothing changed: no write, no audit event
    if schema is None:
        schema = StandardSchema(
            identifier=identifier, slug=slug or slugify(identifier.rstrip("/").split("/")[-1])[:100]
        )
    schema.title, schema.description, schema.fields = title.strip(), description.strip(), clean
    schema.save()
    audit_record(
        actor=by, action="datastore.schema_save", target=schema, changes={"identifier": identifier, "fields": clean}
    )
    return schema


@dataclass
class SchemaDeclared:
    table: DatastoreTable
    reasons: list[str]


@transaction.atomic
def datastore_table_schema_set(*, table: DatastoreTable, schema: StandardSchema | None, by: Actor) -> SchemaDeclared:
    """Declare (or, with None, withdraw) the standard schema the table follows; says why it does not conform yet."""
    table = (
        DatastoreTable.objects.select_for_update()
        .select_related("distribution__dataset__municipality")
        .get(pk=table.pk)
    )
    municipality = table.distribution.dataset.municipality
    require(by, Action.MANAGE_CATALOG, municipality)
    before = table.schema
    table.schema = schema.identifier if schema else ""
    table.save(update_fields=["schema", "updated_at"])
    audit_record(
        actor=by,
        action="datastore.schema_set",
        target=table.distribution,
        municipality=municipality,
        changes={"schema": [before, table.schema]},
    )
    return SchemaDeclared(table, schema_conformance(table, schema) if schema else [])


def standard_schema_get(*, slug: str) -> StandardSchema:
    schema = StandardSchema.objects.filter(slug=slug).first()
    if schema is None:
        raise NotFound(_("No existe el esquema estándar «%(slug)s».") % {"slug": slug})
    return schema


def standard_schema_choices() -> list[StandardSchema]:
    return list(StandardSchema.objects.order_by("title"))


def standard_schema_for(*, identifier: str) -> StandardSchema | None:
    return StandardSchema.objects.filter(identifier=identifier).first() if identifier else None


@dataclass
class SchemaListed:
    schema: StandardSchema
    municipalities: list[str]
    tables: int


def standard_schema_list(*, actor: Actor) -> list[SchemaListed]:
    """Every standard schema with the municipalities whose tables (visible to the actor) declare it."""
    schemas = list(StandardSchema.objects.all())
    tables = (
        DatastoreTable.objects.filter(
            schema__in=[s.identifier for s in schemas],
            distribution__deleted_at__isnull=True,
            distribution__dataset__in=dataset_list_visible_to(actor=actor),
        )
        .exclude(parquet_path="")
        .values_list("schema", "distribution__dataset__municipality__name")
    )
    by_schema: dict[str, list[str]] = {}
    for identifier, name in tables:
        by_schema.setdefault(identifier, []).append(name)
    return [
        SchemaListed(s, sorted(set(by_schema.get(s.identifier, []))), len(by_schema.get(s.identifier, [])))
        for s in schemas
    ]
