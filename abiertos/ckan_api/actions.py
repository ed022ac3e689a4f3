"""The CKAN actions we serve: an explicit registry, one function per action.

Each action takes the ``Actor`` and the request's parameters and returns the ``result`` of CKAN's
envelope; errors are raised from our small vocabulary and mapped to CKAN's error types in
``views``. Read actions live here; write actions (``write_actions``) call the catalog services,
where permission checks and the audit trail happen.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.db.models import Count, Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from abiertos.catalog.models import DatasetStatus, Distribution, Theme
from abiertos.catalog.selectors import dataset_list_public, dataset_list_visible_to
from abiertos.catalog.vocabularies import LICENSES
from abiertos.core.actors import Actor
from abiertos.core.models import Municipality
from abiertos.datastore.combined import combined_tables_readable

from . import datastore_actions, fq, querying, write_actions
from .lookups import as_uuid, dataset_get_visible, not_found
from .mappers import (
    to_ckan_combined_resource,
    to_ckan_group,
    to_ckan_license,
    to_ckan_organization,
    to_ckan_package,
    to_ckan_resource,
    to_ckan_tag,
)
from .params import param_bool, param_int, param_list, param_required, param_str

CKAN_VERSION = "2.9.11"
ROWS_DEFAULT = 10
ROWS_MAX = 1000
LIST_MAX = 1000
DEFAULT_SORT_TEXT = "score desc, metadata_modified desc"


def _public_counts() -> Q:
    return Q(datasets__status=DatasetStatus.PUBLISHED, datasets__deleted_at__isnull=True)


# --- Datasets -------------------------------------------------------------------------------------


def package_show(*, actor: Actor, params: dict) -> dict:
    return to_ckan_package(dataset_get_visible(actor=actor, reference=param_required(params, "id")))


def package_list(*, actor: Actor, params: dict) -> dict:
    offset = param_int(params, "offset", 0)
    limit = param_int(params, "limit", None)
    names = dataset_list_public().order_by("name").values_list("name", flat=True)
    return list(names[offset : offset + limit] if limit is not None else names[offset:])


def current_package_list_with_resources(*, actor: Actor, params: dict) -> dict:
    limit = min(param_int(params, "limit", LIST_MAX), LIST_MAX)
    offset = param_int(params, "offset", None)
    if offset is None:
        offset = (param_int(params, "page", 1, minimum=1) - 1) * limit
    datasets = dataset_list_public(as_lists=True).order_by("-updated_at", "pk")[offset : offset + limit]
    return [to_ckan_package(d) for d in datasets]


def _parse_sort(text: str) -> list[tuple[str, bool]]:
    sort = []
    for part in text.split(","):
        words = part.split()
        if len(words) != 2 or words[0] not in querying.SORT_FIELDS or words[1].lower() not in ("asc", "desc"):
            raise fq.SearchQueryError(
                _("no se puede ordenar por «%(s)s»; usá «campo asc|desc» con: %(all)s")
                % {"s": part.strip(), "all": ", ".join(querying.SORT_FIELDS)}
            )
        sort.append((words[0], words[1].lower() == "desc"))
    return sort


def _plain_text_query(q: str) -> fq.Node:
    words = [w.strip("\"'()[]{}¿?¡!*:+-") for w in q.split()]
    terms = tuple(fq.Term("", w) for w in words if w and w not in ("AND", "OR", "NOT"))
    if not terms:
        return fq.MatchAll()
    return terms[0] if len(terms) == 1 else fq.And(terms)


def _search_query(params: dict) -> fq.Node:
    q = param_str(params, "q")
    nodes = [fq.parse(q) if fq.has_field_syntax(q) else _plain_text_query(q)]
    nodes += [fq.parse(text) for text in [param_str(params, "fq"), *param_list(params, "fq_list")]]
    return fq.And(tuple(nodes))


def _facet_fields(params: dict) -> list[str]:
    names = param_list(params, "facet.field")
    if unknown := [n for n in names if n not in querying.FACET_FIELDS]:
        raise fq.SearchQueryError(
            _("no hay facetas para %(f)s; se admiten: %(all)s")
            % {"f": ", ".join(unknown), "all": ", ".join(querying.FACET_FIELDS)}
        )
    return names if param_bool(params, "facet", True) else []


def _result_fields(params: dict) -> list[str] | None:
    """CKAN's ``fl``: only these keys of each result ("id,name" or a list); None for whole packages."""
    fields = param_list(params, "fl")
    if len(fields) == 1:
        fields = [f for f in re.split(r"[\s,]+", fields[0]) if f]
    return None if not fields or "*" in fields else fields


def package_search(*, actor: Actor, params: dict) -> dict:
    sort_text = param_str(params, "sort").strip() or DEFAULT_SORT_TEXT
    page = querying.dataset_search(
        actor=actor,
        query=_search_query(params),
        sort=_parse_sort(sort_text),
        start=param_int(params, "start", 0),
        rows=min(param_int(params, "rows", ROWS_DEFAULT), ROWS_MAX),
        facet_fields=_facet_fields(params),
        facet_limit=param_int(params, "facet.limit", 50, minimum=-1),
        include_private=param_bool(params, "include_private", False) and actor.is_authenticated,
    )
    results = [to_ckan_package(d) for d in page.datasets]
    if (fields := _result_fields(params)) is not None:
        results = [{key: package.get(key) for key in fields} for package in results]
    return {
        "count": page.count,
        "sort": sort_text,
        "results": results,
        "facets": {name: {i.name: i.count for i in items} for name, items in page.facets.items()},
        "search_facets": {
            name: {
                "title": name,
                "items": [{"name": i.name, "display_name": i.display_name, "count": i.count} for i in items],
            }
            for name, items in page.facets.items()
        },
    }


# --- Resources ------------------------------------------------------------------------------------


def resource_show(*, actor: Actor, params: dict) -> dict:
    reference = param_required(params, "id")
    uid = as_uuid(reference)
    distribution = (
        Distribution.objects.filter(uuid=uid, deleted_at__isnull=True, dataset__in=dataset_list_visible_to(actor=actor))
        .select_related("dataset__municipality")
        .prefetch_related("fields")
        .first()
        if uid
        else None
    )
    if distribution is not None:
        return to_ckan_resource(distribution, distribution.dataset)
    combined = combined_tables_readable(actor=actor, references=[reference]).get(reference)
    if combined is None:
        raise not_found(_("no existe el recurso «%(id)s» o no está publicado.") % {"id": reference})
    return to_ckan_combined_resource(combined)


# --- Organizations (municipalities) and groups (themes) ----------------------------------------------


def _list_window(params: dict) -> tuple[int, int]:
    offset = param_int(params, "offset", 0)
    return offset, offset + min(param_int(params, "limit", LIST_MAX), LIST_MAX)


ORGANIZATION_SORT = {"name": "slug", "title": "name", "package_count": "n"}
GROUP_SORT = {"name": "identifier", "title": "label", "package_count": "n"}


def _list_sort(params: dict, columns: dict[str, str]) -> list[str]:
    """CKAN's ``sort`` for organization/group lists ("name asc", "package_count desc")."""
    words = (param_str(params, "sort") or "name asc").split()
    column = columns.get(words[0], columns["name"])
    descending = len(words) > 1 and words[1].lower() == "desc"
    return [f"-{column}" if descending else column, "pk"]


def organization_list(*, actor: Actor, params: dict) -> list:
    qs = Municipality.objects.filter(is_active=True).annotate(n=Count("datasets", filter=_public_counts()))
    if wanted := param_list(params, "organizations"):
        qs = qs.filter(slug__in=wanted)
    start, end = _list_window(params)
    municipalities = qs.order_by(*_list_sort(params, ORGANIZATION_SORT))[start:end]
    if not param_bool(params, "all_fields", False):
        return [m.slug for m in municipalities]
    return [to_ckan_organization(m, package_count=m.n) for m in municipalities]


def _packages(datasets) -> list[dict]:
    return [to_ckan_package(d) for d in datasets[:LIST_MAX]]


def organization_show(*, actor: Actor, params: dict) -> dict:
    reference = param_required(params, "id")
    municipality = Municipality.objects.filter(Q(slug=reference) | Q(code=reference), is_active=True).first()
    if municipality is None:
        raise not_found(_("no existe la organización «%(id)s».") % {"id": reference})
    datasets = dataset_list_public(as_lists=True).filter(municipality=municipality)
    org = to_ckan_organization(municipality, package_count=datasets.count())
    if param_bool(params, "include_datasets", False):
        org["packages"] = _packages(datasets)
    return org


def group_list(*, actor: Actor, params: dict) -> list:
    qs = Theme.objects.annotate(n=Count("datasets", filter=_public_counts()))
    if wanted := param_list(params, "groups"):
        qs = qs.filter(identifier__in=wanted)
    start, end = _list_window(params)
    themes = qs.order_by(*_list_sort(params, GROUP_SORT))[start:end]
    if not param_bool(params, "all_fields", False):
        return [t.identifier for t in themes]
    return [to_ckan_group(t, package_count=t.n) for t in themes]


def group_show(*, actor: Actor, params: dict) -> dict:
    reference = param_required(params, "id")
    theme = Theme.objects.filter(identifier=reference).first()
    if theme is None:
        raise not_found(_("no existe el grupo «%(id)s».") % {"id": reference})
    datasets = dataset_list_public(as_lists=True).filter(themes=theme)
    group = to_ckan_group(theme, package_count=datasets.count())
    if param_bool(params, "include_datasets", False):
        group["packages"] = _packages(datasets)
    return group


# --- Vocabularies and the site -------------------------------------------------------------------------


def tag_list(*, actor: Actor, params: dict) -> list:
    if param_str(params, "vocabulary_id"):
        return []
    query = (param_str(params, "query") or param_str(params, "q")).lower()
    tags = {t for keywords in dataset_list_public().values_list("keywords", flat=True) for t in keywords or []}
    names = sorted(t for t in tags if query in t.lower())
    if param_bool(params, "all_fields", False):
        return [to_ckan_tag(name) for name in names]
    return names


def license_list(*, actor: Actor, params: dict) -> list:
    return [to_ckan_license(code) for code in LICENSES]


def status_show(*, actor: Actor, params: dict) -> dict:
    return {
        "ckan_version": CKAN_VERSION,
        "site_title": settings.SITE_NAME,
        "site_description": _("Datos abiertos de los municipios"),
        "site_url": settings.SITE_URL,
        "locale_default": "es",
        "error_emails_to": None,
        "extensions": [],
    }


def help_show(*, actor: Actor, params: dict) -> str:
    """What an action does, as the envelope's ``help`` link promises."""
    name = param_required(params, "name")
    if name not in ACTIONS:
        raise not_found(_("no existe la acción «%(n)s».") % {"n": name})
    return str(ACTION_HELP[name])


ACTION_HELP = {
    "package_search": gettext_lazy(
        "Busca conjuntos de datos: q, fq (subconjunto de Lucene), rows, start, sort, facet.field."
    ),
    "package_show": gettext_lazy("Un conjunto de datos por id o name."),
    "package_list": gettext_lazy("Los nombres de los conjuntos de datos publicados."),
    "current_package_list_with_resources": gettext_lazy(
        "Los conjuntos publicados, con sus recursos, del más reciente al más antiguo."
    ),
    "organization_list": gettext_lazy("Los municipios (organizaciones)."),
    "organization_show": gettext_lazy("Un municipio por nombre (slug) o id (código INDEC)."),
    "group_list": gettext_lazy("Los temas (grupos)."),
    "group_show": gettext_lazy("Un tema por nombre."),
    "tag_list": gettext_lazy("Las palabras clave de los conjuntos publicados."),
    "license_list": gettext_lazy("Las licencias abiertas admitidas."),
    "resource_show": gettext_lazy("Un recurso por id."),
    "status_show": gettext_lazy("La versión de CKAN con la que esta API es compatible y datos del sitio."),
    "package_create": gettext_lazy("Crea un conjunto de datos en un municipio (owner_org)."),
    "package_update": gettext_lazy("Reemplaza los metadatos de un conjunto (y sus recursos, si se envían)."),
    "package_patch": gettext_lazy("Cambia solo los metadatos enviados de un conjunto."),
    "package_delete": gettext_lazy("Elimina un conjunto (se puede restaurar)."),
    "resource_create": gettext_lazy("Agrega un recurso: url o archivo (upload)."),
    "resource_update": gettext_lazy("Reemplaza los metadatos de un recurso y, con upload, su archivo."),
    "resource_patch": gettext_lazy("Cambia solo los metadatos enviados de un recurso."),
    "help_show": gettext_lazy("Qué hace una acción (name)."),
    "datastore_search": gettext_lazy(
        "Filas de la tabla de un recurso: resource_id, filters, q, fields, sort, distinct, limit, offset."
    ),
    "datastore_search_sql": gettext_lazy("Una sentencia SELECT sobre las tablas publicadas (sql)."),
}

ACTIONS = {
    "package_search": package_search,
    "package_show": package_show,
    "package_list": package_list,
    "current_package_list_with_resources": current_package_list_with_resources,
    "organization_list": organization_list,
    "organization_show": organization_show,
    "group_list": group_list,
    "group_show": group_show,
    "tag_list": tag_list,
    "license_list": license_list,
    "resource_show": resource_show,
    "status_show": status_show,
    "help_show": help_show,
    "package_create": write_actions.package_create,
    "package_update": write_actions.package_update,
    "package_patch": write_actions.package_patch,
    "package_delete": write_actions.package_delete,
    "resource_create": write_actions.resource_create,
    "resource_update": write_actions.resource_update,
    "resource_patch": write_actions.resource_patch,
    "datastore_search": datastore_actions.datastore_search,
    "datastore_search_sql": datastore_actions.datastore_search_sql,
}
# Actions that change data: POST only, run in one transaction.
WRITE_ACTIONS = frozenset(
    {
        "package_create",
        "package_update",
        "package_patch",
        "package_delete",
        "resource_create",
        "resource_update",
        "resource_patch",
    }
)
