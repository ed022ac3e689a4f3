"""Plain multi-row INSERTs for bulk writers: what ``QuerySet.bulk_create`` stores, for less CPU.

``bulk_create``'s SQL compiler resolves, prepares and places every value of every row through
several calls (``pre_save``, expression checks, ``get_db_prep_save``, one placeholder per value):
most of a bulk harvest's writing cost, far more than the database's own work. Here each column
gets one converter, chosen once per statement: a value that is already what the database takes
(``None``, a ``str`` for a text column, an ``int`` for an integer one, a ``bool`` for a boolean
one) is passed as it is; any other value goes through the field's own ``get_db_prep_save``, as
``bulk_create`` would send it (datetimes, JSON, UUIDs, lazy strings...). The rows stored are the
same; like ``bulk_create``, no signal is sent. On PostgreSQL the rows go through ``COPY`` (see
``_copy``); on SQLite, multi-row INSERTs within its parameter limit.

Two forms: ``objects_insert`` writes model instances (``pre_save`` where a field needs it, such
as ``auto_now``; the new ids set on them from ``RETURNING``, which SQLite has since 3.35, as
``bulk_create`` does); ``rows_insert`` writes tuples of values, for rows nobody reads back, without
building model instances at all.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime

from django.db import connection, models, transaction
from django.utils import timezone

__all__ = ["objects_insert", "rows_insert"]

# Field types whose ``get_db_prep_save`` returns a value of these Python types unchanged.
_PLAIN: dict[str, tuple[type, ...]] = {
    **dict.fromkeys(["CharField", "TextField", "SlugField", "EmailField", "URLField"], (str,)),
    **dict.fromkeys(
        [
            "IntegerField",
            "BigIntegerField",
            "SmallIntegerField",
            "PositiveIntegerField",
            "PositiveBigIntegerField",
            "PositiveSmallIntegerField",
            "AutoField",
            "BigAutoField",
            "SmallAutoField",
        ],
        (int,),
    ),
    "BooleanField": (bool,),
}
_DATE_FIELDS = (models.DateField, models.TimeField)  # DateTimeField is a DateField


def _internal_type(field: models.Field) -> str:
    """The field's type as stored (a foreign key's is its target's); "" for a field not defined by
    Django itself, whose own preparation is always used."""
    while field.is_relation:
        field = field.target_field
    return field.get_internal_type() if type(field).__module__.startswith("django.db.models.") else ""


def _converter(field: models.Field) -> Callable[[object], object]:
    prep = field.get_db_prep_save
    internal_type = _internal_type(field)
    if internal_type == "DateTimeField":
        # An aware datetime needs only the backend's adaptation (``get_prep_value`` returns it as
        # it is); a naive one, a date or a string goes the whole way, with Django's warning.
        adapt = connection.ops.adapt_datetimefield_value
        return lambda value: (
            value
            if value is None
            else adapt(value)
            if type(value) is datetime and value.tzinfo is not None
            else prep(value, connection=connection)
        )
    kinds = _PLAIN.get(internal_type)
    if kinds is None:
        return lambda value: prep(value, connection=connection)
    return lambda value: value if value is None or type(value) in kinds else prep(value, connection=connection)


def _needs_pre_save(field: models.Field) -> bool:
    """Whether ``bulk_create`` would get a different value from ``pre_save`` than the attribute."""
    if isinstance(field, _DATE_FIELDS):
        return _auto_date(field)
    return type(field).pre_save is not models.Field.pre_save  # e.g. FileField commits its file


def _execute(
    model: type[models.Model], fields: Sequence[models.Field], rows: list[Sequence], returning: bool
) -> list[object]:
    """INSERT the rows (already converted), in statements within the database's parameter limit;
    the new primary keys, in order, when ``returning``."""
    if not rows:
        return []
    if connection.vendor == "postgresql":
        return _copy(model, fields, rows, returning)
    qn = connection.ops.quote_name
    table = qn(model._meta.db_table)
    columns = ", ".join(qn(f.column) for f in fields)
    suffix = f" RETURNING {qn(model._meta.pk.column)}" if returning else ""
    per_row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    per_statement = max(1, min(1000, (connection.features.max_query_params or 5000) // max(1, len(fields))))
    ids: list[object] = []
    # All batches or none, as ``bulk_create`` does (``COPY`` on PostgreSQL is one statement).
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        for start in range(0, len(rows), per_statement):
            batch = rows[start : start + per_statement]
            sql = f"INSERT INTO {table} ({columns}) VALUES {', '.join([per_row] * len(batch))}{suffix}"
            cursor.execute(sql, [value for row in batch for value in row])
            if returning:
                ids += [row[0] for row in cursor.fetchall()]
    return ids


def _copy(model: type[models.Model], fields: Sequence[models.Field], rows: list[Sequence], returning: bool) -> list:
    """PostgreSQL: the rows sent with ``COPY``. A multi-row INSERT there costs more in the driver
    than in the server: psycopg splits a statement of more than 50 parameters with a regular
    expression on every execution, ten times the cost of building the rows. New ids are taken
    from the primary key's sequence first (in ascending order, as an INSERT's ``RETURNING`` gives
    them) and copied with the rows."""
    qn = connection.ops.quote_name
    table = model._meta.db_table
    ids: list = []
    with connection.cursor() as cursor:
        if returning:
            pk = model._meta.pk
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [qn(table), pk.column, len(rows)],
            )
            ids = sorted(row[0] for row in cursor.fetchall())
            fields = [pk, *fields]
            rows = [(pk_value, *row) for pk_value, row in zip(ids, rows, strict=True)]
        columns = ", ".join(qn(f.column) for f in fields)
        # The driver's own cursor, outside Django's wrapper: its errors are made Django's here (an
        # IntegrityError as on SQLite, and the connection marked for ``close_if_unusable_or_obsolete``).
        with connection.wrap_database_errors, cursor.cursor.copy(f"COPY {qn(table)} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
    return ids


def rows_insert(model: type[models.Model], columns: Sequence[str], rows: Iterable[Sequence]) -> int:
    """Insert rows given as tuples of Python values, one per name in ``columns`` (field names or
    their attnames, e.g. ``dataset_id``). A column left out gets what a new instance would store:
    its default (a callable one called for each row), or the time of the insert for ``auto_now``
    and ``auto_now_add``; an automatic primary key is left to the database. Returns how many rows
    were inserted."""
    meta = model._meta
    named = [meta.get_field(name) for name in columns]
    others = [f for f in meta.concrete_fields if f not in named and not (f.primary_key and f.db_returning)]
    now = timezone.now()
    fixed = [f for f in others if _auto_date(f) or not callable(f.default)]
    fixed_values = tuple(now if _auto_date(f) else f.get_default() for f in fixed)
    fresh = [f for f in others if f not in fixed]
    fields = [*named, *fixed, *fresh]
    converters = [_converter(f) for f in fields]
    converted = [
        [
            convert(value)
            for convert, value in zip(converters, (*row, *fixed_values, *(f.get_default() for f in fresh)), strict=True)
        ]
        for row in rows
    ]
    _execute(model, fields, converted, returning=False)
    return len(converted)


def _auto_date(field: models.Field) -> bool:
    return isinstance(field, _DATE_FIELDS) and (field.auto_now or field.auto_now_add)


def objects_insert(objects: Sequence[models.Model]) -> None:
    """Insert unsaved instances of one model, as ``bulk_create(objects)`` does: an automatic
    primary key is left to the database and set on each instance afterwards (``RETURNING``); the
    instances are then marked as saved."""
    if not objects:
        return
    model = type(objects[0])
    meta = model._meta
    pk = meta.pk
    auto_pk = pk.db_returning  # AutoField and its kind
    fields = [f for f in meta.concrete_fields if not (auto_pk and f is pk)]
    plan = [(f, f.attname, _needs_pre_save(f), _converter(f)) for f in fields]
    rows = []
    for obj in objects:
        if auto_pk and obj.pk is not None:
            raise ValueError("objects_insert() writes new rows only: this instance already has an id.")
        # What bulk_create checks first: no unsaved related object; a related object saved after
        # it was assigned gives its id now.
        obj._prepare_related_fields_for_save(operation_name="bulk_create")
        rows.append(
            [
                convert(field.pre_save(obj, True) if pre_save else getattr(obj, attname))
                for field, attname, pre_save, convert in plan
            ]
        )
    ids = _execute(model, fields, rows, returning=auto_pk)
    alias = connection.alias
    for i, obj in enumerate(objects):
        if auto_pk:
            setattr(obj, pk.attname, ids[i])
        obj._state.adding = False
        obj._state.db = alias
