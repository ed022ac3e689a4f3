"""REST endpoints for the caller's own account and API tokens, and for role management."""

from __future__ import annotations

from datetime import datetime

from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from abiertos.core.actors import Actor
from abiertos.core.pagination import BoundedPagination

from . import selectors, services
from .models import User
from .permissions import Action, Unauthenticated, require

router = Router(tags=["cuenta"])
roles_router = Router(tags=["roles"])


class MembershipOut(Schema):
    role: str
    municipality: str | None

    @staticmethod
    def resolve_municipality(obj) -> str | None:
        return obj.municipality.slug if obj.municipality_id else None


class MeOut(Schema):
    email: str
    full_name: str
    email_confirmed: bool
    memberships: list[MembershipOut]
    token_scopes: list[str] | None


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    scopes: list[str]
    created_at: datetime
    last_used_at: datetime | None
    expires_at: datetime | None
    revoked_at: datetime | None


class TokenIn(Schema):
    name: str
    scopes: list[str]
    expires_in_days: int | None = Field(None, ge=1, le=3650, description="Días hasta que vence; sin valor, no vence.")


class TokenCreatedOut(TokenOut):
    secret: str


def _require_user(actor: Actor) -> User:
    if actor.user is None:
        raise Unauthenticated(_("Tenés que autenticarte con un token de API o una sesión."))
    return actor.user


@router.get("/me", response=MeOut, summary="Quién soy")
def me(request):
    actor = request.auth
    user = _require_user(actor)
    return {
        "email": user.email,
        "full_name": user.full_name,
        "email_confirmed": user.email_confirmed,
        "memberships": list(selectors.membership_list_for(user=user)),
        "token_scopes": sorted(actor.scopes) if actor.scopes is not None else None,
    }


@router.get("/me/tokens", response=list[TokenOut], summary="Mis tokens de API")
def token_list(request):
    return list(selectors.api_token_list_for(user=_require_user(request.auth)))


@router.post(
    "/me/tokens", response={201: TokenCreatedOut}, summary="Crear un token (el secreto se muestra una sola vez)"
)
def token_create(request, payload: TokenIn):
    actor = request.auth
    token, secret = services.api_token_create(
        user=_require_user(actor),
        name=payload.name,
        scopes=payload.scopes,
        by=actor,
        expires_at=services.token_expiry(days=payload.expires_in_days),
    )
    token.secret = secret
    return Status(201, token)


@router.delete("/me/tokens/{token_id}", response=TokenOut, summary="Revocar un token")
def token_revoke(request, token_id: int):
    actor = request.auth
    _require_user(actor)
    token = selectors.api_token_get_own(actor=actor, token_id=token_id)
    return services.api_token_revoke(token=token, by=actor)


class RoleAssignmentOut(Schema):
    id: int
    email: str
    full_name: str
    email_confirmed: bool
    role: str
    municipality: str | None
    created_at: datetime

    @staticmethod
    def resolve_email(obj) -> str:
        return obj.user.email

    @staticmethod
    def resolve_full_name(obj) -> str:
        return obj.user.full_name

    @staticmethod
    def resolve_email_confirmed(obj) -> bool:
        return obj.user.email_confirmed

    @staticmethod
    def resolve_municipality(obj) -> str | None:
        return obj.municipality.slug if obj.municipality_id else None


class RoleAssignmentIn(Schema):
    email: str
    role: str
    municipality: str | None = None


@roles_router.get(
    "/memberships",
    response=list[RoleAssignmentOut],
    summary="Listar roles asignados (administración provincial)",
)
@paginate(BoundedPagination)
def membership_list(request, municipality: str = "", email: str = ""):
    where = selectors.municipality_get_by_slug(slug=municipality) if municipality else None
    return selectors.membership_list_visible_to(actor=request.auth, municipality=where, email=email)


@roles_router.post(
    "/memberships",
    response={201: RoleAssignmentOut},
    summary="Asignar un rol a una persona (administración provincial)",
)
def membership_create(request, payload: RoleAssignmentIn):
    actor = request.auth
    where = selectors.municipality_get_by_slug(slug=payload.municipality) if payload.municipality else None
    # Checked before the lookup so that nobody else can probe which addresses have an account.
    require(actor, Action.MANAGE_MEMBERS, where)
    user = services.user_get_by_email(payload.email)
    membership = services.membership_grant(user=user, role=payload.role, municipality=where, by=actor)
    return Status(201, membership)


@roles_router.delete(
    "/memberships/{membership_id}",
    response={204: None},
    summary="Quitar un rol asignado (administración provincial)",
)
def membership_delete(request, membership_id: int):
    actor = request.auth
    membership = selectors.membership_get_for_manage(actor=actor, membership_id=membership_id)
    services.membership_revoke(membership=membership, by=actor)
    return Status(204, None)
