"""Writes for accounts: tokens, roles, sign-up, e-mail confirmation, login throttling."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from abiertos.core.actors import Actor
from abiertos.core.audit import audit_record
from abiertos.core.errors import NotFound, ValidationError
from abiertos.core.models import Municipality

from . import tokens
from .models import ApiToken, LoginAttempt, Membership, Role, TokenScope, User
from .permissions import Action, require


@transaction.atomic
def api_token_create(*, user: User, name: str, scopes: list[str], by: Actor, expires_at=None) -> tuple[ApiToken, str]:
    """Create a token for the user; return it with its secret, which is never stored."""
    if by.user is None or (by.user.pk != user.pk and not by.user.is_superuser):
        require(by, Action.MANAGE_MEMBERS)
    name = (name or "").strip()
    errors: dict[str, list[str]] = {}
    if not name:
        errors["name"] = [_("Poné un nombre que te ayude a reconocer el token (por ejemplo, «script de presupuesto»).")]
    unknown = sorted(set(scopes) - set(TokenScope.values))
    if not scopes or unknown:
        errors["scopes"] = [_("Elegí al menos un permiso válido: %(valid)s.") % {"valid": ", ".join(TokenScope.values)}]
    if errors:
        raise ValidationError(_("Revisá los datos del token."), fields=errors)
    secret = tokens.token_generate()
    token = ApiToken.objects.create(
        user=user,
        name=name[:100],
        prefix=tokens.token_display_prefix(secret),
        token_hash=tokens.token_hash(secret),
        scopes=sorted(set(scopes)),
        expires_at=expires_at,
    )
    audit_record(actor=by, action="api_token.create", target=token, changes={"scopes": token.scopes})
    return token, secret


@transaction.atomic
def api_token_revoke(*, token: ApiToken, by: Actor) -> ApiToken:
    """Revoke a token; it stops working at once."""
    if by.user is None or (by.user.pk != token.user_id and not by.user.is_superuser):
        require(by, Action.MANAGE_MEMBERS)
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(actor=by, action="api_token.revoke", target=token)
    return token


def api_token_authenticate(secret: str) -> ApiToken | None:
    """Return the active token for a secret and note its use, or None."""
    if not secret or not secret.startswith(tokens.TOKEN_PREFIX):
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(token_hash=tokens.token_hash(secret), revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.is_active or not token.user.is_active:
        return None
    now = timezone.now()
    # Writing on every request would serialise API traffic; a minute's precision is enough.
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


@transaction.atomic
def membership_grant(*, user: User, role: str, municipality: Municipality | None, by: Actor) -> Membership:
    """Give a user a role, scoped to a municipality unless it is the provincial role."""
    require(by, Action.MANAGE_MEMBERS)
    if role not in Role.values:
        raise ValidationError(_("Rol desconocido."), fields={"role": [_("Elegí un rol de la lista.")]})
    if role == Role.PROVINCIAL_ADMIN:
        municipality = None
    elif municipality is None:
        raise ValidationError(
            _("Este rol se asigna para un municipio."), fields={"municipality": [_("Elegí el municipio.")]}
        )
    membership, created = Membership.objects.get_or_create(user=user, role=role, municipality=municipality)
    if created:
        audit_record(
            actor=by,
            action="membership.grant",
            target=membership,
            municipality=municipality,
            changes={"user": user.email, "role": role},
        )
    return membership


@transaction.atomic
def membership_revoke(*, membership: Membership, by: Actor) -> None:
    """Take a role away from a user."""
    require(by, Action.MANAGE_MEMBERS)
    audit_record(
        actor=by,
        action="membership.revoke",
        target=membership,
        municipality=membership.municipality,
        changes={"user": membership.user.email, "role": membership.role},
    )
    membership.delete()


def login_is_throttled(*, email: str, ip: str) -> bool:
    """Whether too many recent failures came for this account or from this address."""
    since = timezone.now() - timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS)
    recent = LoginAttempt.objects.filter(created_at__gte=since)
    limit = settings.LOGIN_MAX_FAILURES
    by_email = email and recent.filter(email=email.strip().lower()).count() >= limit
    by_ip = ip and recent.filter(ip=ip).count() >= limit * 4
    return bool(by_email or by_ip)


def login_failure_record(*, email: str, ip: str) -> None:
    """Remember a failed login for throttling."""
    LoginAttempt.objects.create(email=(email or "").strip().lower()[:254], ip=ip or "")


def login_failures_clear(*, email: str) -> None:
    """Forget an account's failures after a successful login."""
    LoginAttempt.objects.filter(email=(email or "").strip().lower()).delete()


def user_get_by_email(email: str) -> User:
    user = User.objects.filter(email=(email or "").strip().lower()).first()
    if user is None:
        raise NotFound(_("No hay ninguna cuenta con ese correo."))
    return user
