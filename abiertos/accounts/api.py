"""REST endpoints for the caller's own account and API tokens."""

from __future__ import annotations

from datetime import datetime

from ninja import Router, Schema

from abiertos.core.errors import PermissionDenied

from . import selectors, services

router = Router(tags=["cuenta"])


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
    revoked_at: datetime | None


class TokenIn(Schema):
    name: str
    scopes: list[str]


class TokenCreatedOut(TokenOut):
    secret: str


def _require_user(actor):
    if actor.user is None:
        raise PermissionDenied("Tenés que autenticarte con un token de API o una sesión.")
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
        user=_require_user(actor), name=payload.name, scopes=payload.scopes, by=actor
    )
    token.secret = secret
    return 201, token


@router.delete("/me/tokens/{token_id}", response=TokenOut, summary="Revocar un token")
def token_revoke(request, token_id: int):
    actor = request.auth
    _require_user(actor)
    token = selectors.api_token_get_own(actor=actor, token_id=token_id)
    return services.api_token_revoke(token=token, by=actor)
