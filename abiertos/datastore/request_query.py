"""A table query read from a query string: reserved keys, and ``column=value`` filters for the rest."""

from __future__ import annotations

from django.http import QueryDict
from django.utils.translation import gettext as _

from abiertos.core.errors import ValidationError

from .models import DatastoreTable
from .query import DEFAULT_LIMIT, TableQuery
from .sandbox import ROW_ID

RESERVED = {"q", "sort", "fields", "limit", "offset", "cursor", "page", "format", "distinct", "include_total"}
# A column whose name is reserved is filtered as ``filter.<name>=value``.
FILTER_PREFIX = "filter."


def _int(data: QueryDict, key: str, default: int) -> int:
    value = data.get(key, "")
    if value == "":
        return default
    if not value.isdigit() or len(value) > 9:
        message = _("Tiene que ser un número entero positivo.")
        raise ValidationError(message, fields={key: [message]})
    return int(value)


def _sort(text: str) -> list[tuple[str, bool]]:
    """``monto,-fecha``: a leading minus sorts descending."""
    sort = []
    for part in (p.strip() for p in text.split(",")):
        if part:
            sort.append((part[1:], True) if part.startswith("-") else (part, False))
    return sort


def filters_from(table: DatastoreTable, data: QueryDict, *, strict: bool) -> dict[str, list[str]]:
    """Column filters in the query string; unknown keys are an error when ``strict``, ignored otherwise."""
    names = {c["name"] for c in table.columns} | {ROW_ID}
    filters: dict[str, list[str]] = {}
    for key in data:
        column = key[len(FILTER_PREFIX) :] if key.startswith(FILTER_PREFIX) else key
        values = [v for v in data.getlist(key) if v != ""]
        if key in RESERVED or not values:
            continue
        if column in names:
            filters.setdefault(column, []).extend(values)
        elif strict:
            message = _("La tabla no tiene una columna «%(name)s».") % {"name": column}
            raise ValidationError(message, fields={key: [message]})
    return filters


def query_from(
    table: DatastoreTable, data: QueryDict, *, strict: bool = True, limit: int = DEFAULT_LIMIT
) -> TableQuery:
    fields = [f.strip() for f in data.get("fields", "").split(",") if f.strip()]
    return TableQuery(
        filters=filters_from(table, data, strict=strict),
        q=data.get("q", "").strip(),
        fields=fields or None,
        sort=_sort(data.get("sort", "")),
        distinct=data.get("distinct", "") in ("1", "true"),
        limit=_int(data, "limit", limit),
        offset=_int(data, "offset", 0),
        cursor=data.get("cursor") or None,
        include_total=data.get("include_total", "true") != "false",
    )
