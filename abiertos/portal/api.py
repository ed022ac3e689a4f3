"""REST endpoints for municipalities: list, detail, and profile edits by their staff."""

from __future__ import annotations

from datetime import datetime

from ninja import Router, Schema
from ninja.pagination import paginate

from abiertos.core.models import Municipality
from abiertos.core.pagination import BoundedPagination

from . import selectors, services

router = Router(tags=["municipios"])


class ProvinceOut(Schema):
    code: str
    name: str
    slug: str


class MunicipalityOut(Schema):
    code: str
    slug: str
    name: str
    full_name: str
    province: ProvinceOut
    centroid_lat: float | None
    centroid_lon: float | None
    has_boundary: bool
    intro: str
    primary_color: str
    website: str
    enabled_modules: list[str]
    url: str

    @staticmethod
    def resolve_has_boundary(obj: Municipality) -> bool:
        return obj.boundary is not None

    @staticmethod
    def resolve_url(obj: Municipality) -> str:
        return obj.get_absolute_url()


class MunicipalityProfileIn(Schema):
    intro: str | None = None
    primary_color: str | None = None
    website: str | None = None
    contact_email: str | None = None
    enabled_modules: list[str] | None = None


@router.get("/municipalities", response=list[MunicipalityOut], summary="Listar municipios")
@paginate(BoundedPagination)
def municipality_list(request, q: str = ""):
    qs = selectors.municipality_list_public()
    if q:
        qs = qs.filter(name__icontains=q)
    return qs


@router.get("/municipalities/{slug}", response=MunicipalityOut, summary="Ver un municipio")
def municipality_detail(request, slug: str):
    return selectors.municipality_get_public(slug=slug)


@router.patch("/municipalities/{slug}", response=MunicipalityOut, summary="Editar la página de un municipio")
def municipality_update(request, slug: str, payload: MunicipalityProfileIn):
    actor = request.auth
    municipality = selectors.municipality_get_for_edit(actor=actor, slug=slug)
    values = payload.dict(exclude_unset=True)
    current = {
        "intro": municipality.intro,
        "primary_color": municipality.primary_color,
        "website": municipality.website,
        "contact_email": municipality.contact_email,
        "enabled_modules": municipality.enabled_modules,
    }
    current.update({k: v for k, v in values.items() if v is not None})
    return services.municipality_profile_update(municipality=municipality, by=actor, **current)


class AuditEventOut(Schema):
    created_at: datetime
    actor: str
    via: str
    action: str
    target_type: str
    target_id: str
    target: str
    municipality: str | None
    changes: dict

    @staticmethod
    def resolve_actor(obj) -> str:
        return obj.actor_label

    @staticmethod
    def resolve_target(obj) -> str:
        return obj.target_repr

    @staticmethod
    def resolve_municipality(obj) -> str | None:
        return obj.municipality.slug if obj.municipality_id else None


@router.get(
    "/audit", response=list[AuditEventOut], summary="Registro de cambios (personal autorizado)", tags=["auditoría"]
)
@paginate(BoundedPagination)
def audit_list(request, municipality: str = "", action: str = ""):
    found = selectors.municipality_get_public(slug=municipality) if municipality else None
    return selectors.audit_event_list_visible_to(actor=request.auth, municipality=found, action=action[:80])
