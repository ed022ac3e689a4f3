"""Writes for accounts: sign-up, e-mail confirmation, passwords, tokens, roles, login throttling."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.cache import cache
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from abiertos.core.actors import Actor
from abiertos.core.audit import audit_record
from abiertos.core.errors import Conflict, NotFound, PermissionDenied, ValidationError
from abiertos.core.models import Municipality

from . import emails, tokens
from .confirmation import confirmation_token_read
from .models import ApiToken, LoginAttempt, Membership, Role, TokenScope, User
from .permissions import Action, require

# A new confirmation link is sent at most this often per account, against mail bombing.
CONFIRMATION_RESEND_INTERVAL = timedelta(minutes=2)
# Failed logins from one address allowed per window, as a multiple of the per-account limit.
LOGIN_IP_FACTOR = 4
# E-mails people can trigger for an address (reset links, "account exists" notices), against
# using our forms to flood someone's mailbox.
MAIL_WINDOW = timedelta(hours=1)
MAIL_MAX_PER_EMAIL = 3
MAIL_MAX_PER_IP = 20


def _normalize_email(email: str) -> str:
    return (email or "").strip().lower()


def _signup_errors(*, user: User, password: str) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    try:
        validate_email(user.email)
    except DjangoValidationError:
        errors["email"] = [_("Escribí un correo válido, por ejemplo nombre@dominio.com.ar.")]
    if not user.full_name:
        errors["full_name"] = [_("Escribí tu nombre y apellido.")]
    try:
        validate_password(password, user)
    except DjangoValidationError as exc:
        errors["password"] = list(exc.messages)
    return errors


@transaction.atomic
def user_signup(
    *, email: str, full_name: str, organization: str, password: str, by: Actor, language: str = ""
) -> User | None:
    """Create an unconfirmed account and mail its confirmation link.

    When the address already has an account nothing is created and that account is told by
    e-mail instead, so the form does not reveal who has an account. Returns the new user or None.
    """
    user = User(
        email=_normalize_email(email),
        full_name=(full_name or "").strip(),
        organization=(organization or "").strip(),
        preferred_language=(language or "")[:10],
    )
    errors = _signup_errors(user=user, password=password)
    if errors:
        raise ValidationError(_("Revisá los datos marcados."), fields=errors)
    existing = User.objects.filter(email=user.email).first()
    if existing is None:
        user.set_password(password)
        try:
            with transaction.atomic():
                user.save()
        except IntegrityError:
            existing = User.objects.get(email=user.email)
    if existing is not None:
        if mail_request_allowed(kind="signup", email=existing.email, ip=by.ip):
            transaction.on_commit(lambda: emails.account_exists_email_send(existing))
        return None
    audit_record(
        actor=by, action="user.signup", target=user, changes={"email": user.email, "organization": user.organization}
    )
    _confirmation_send(user)
    return user


def _confirmation_send(user: User) -> None:
    user.email_confirmation_sent_at = timezone.now()
    user.save(update_fields=["email_confirmation_sent_at"])
    transaction.on_commit(lambda: emails.confirmation_email_send(user))


@transaction.atomic
def user_confirmation_resend(*, email: str) -> bool:
    """Mail a new confirmation link to an unconfirmed account, unless one left moments ago."""
    user = User.objects.select_for_update().filter(email=_normalize_email(email), is_active=True).first()
    if user is None or user.email_confirmed:
        return False
    sent = user.email_confirmation_sent_at
    if sent is not None and timezone.now() - sent < CONFIRMATION_RESEND_INTERVAL:
        return False
    _confirmation_send(user)
    return True


@transaction.atomic
def user_email_confirm(*, token: str, by: Actor) -> User:
    """Mark the e-mail address in a confirmation link as confirmed."""
    user_id, email = confirmation_token_read(token)
    user = User.objects.select_for_update().filter(pk=user_id, email=email, is_active=True).first()
    if user is None:
        raise ValidationError(_("El enlace de confirmación no corresponde a ninguna cuenta activa. Pedí uno nuevo."))
    if not user.email_confirmed:
        user.email_confirmed_at = timezone.now()
        user.save(update_fields=["email_confirmed_at"])
        audit_record(actor=by, action="user.email_confirm", target=user, changes={"email": user.email})
    return user


@transaction.atomic
def user_password_change(*, user: User, password: str, by: Actor) -> User:
    """Set a new password for the signed-in person (the old one was checked by the form)."""
    if by.user is None or by.user.pk != user.pk or by.scopes is not None:
        raise PermissionDenied(_("Solo podés cambiar tu propia contraseña, desde la sesión."))
    return _password_set(user=user, password=password, by=by, action="user.password_change")


@transaction.atomic
def user_password_reset(*, user: User, password: str, by: Actor) -> User:
    """Set a new password from a reset link, which also proves the e-mail address.

    The caller has checked the reset link (Django's PasswordResetConfirmView does).
    """
    if not user.email_confirmed:
        user.email_confirmed_at = timezone.now()
        user.save(update_fields=["email_confirmed_at"])
    return _password_set(user=user, password=password, by=by, action="user.password_reset")


def _password_set(*, user: User, password: str, by: Actor, action: str) -> User:
    user.set_password(password)
    user.save(update_fields=["password"])
    login_failures_clear(email=user.email)
    audit_record(actor=by, action=action, target=user)
    return user


def _token_errors(*, name: str, scopes: list[str], expires_at: datetime | None, by: Actor) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not name:
        errors["name"] = [_("Poné un nombre que te ayude a reconocer el token (por ejemplo, «script de presupuesto»).")]
    unknown = sorted(set(scopes) - set(TokenScope.values))
    if not scopes or unknown:
        errors["scopes"] = [_("Elegí al menos un permiso válido: %(valid)s.") % {"valid": ", ".join(TokenScope.values)}]
    elif by.scopes is not None and not set(scopes) <= by.scopes:
        errors["scopes"] = [_("Un token no puede crear otro token con más permisos que los suyos.")]
    if expires_at is not None and expires_at <= timezone.now():
        errors["expires_at"] = [_("El vencimiento tiene que ser una fecha futura.")]
    return errors


def _require_token_owner(*, owner_id: int, by: Actor) -> None:
    if by.user is None or (by.user.pk != owner_id and not by.user.is_superuser):
        require(by, Action.MANAGE_MEMBERS)
    if by.scopes is not None and TokenScope.WRITE not in by.scopes:
        raise PermissionDenied(_("El token usado no tiene el permiso «write» que requiere esta acción."))


def token_expiry(*, days: int | None) -> datetime | None:
    """When a token created now for that many days stops working (None: never)."""
    return timezone.now() + timedelta(days=days) if days else None


@transaction.atomic
def api_token_create(
    *, user: User, name: str, scopes: list[str], by: Actor, expires_at: datetime | None = None
) -> tuple[ApiToken, str]:
    """Create a token for the user; return it with its secret, which is never stored."""
    _require_token_owner(owner_id=user.pk, by=by)
    name = (name or "").strip()
    errors = _token_errors(name=name, scopes=scopes, expires_at=expires_at, by=by)
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
    _require_token_owner(owner_id=token.user_id, by=by)
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
    if role == Role.PROVINCIAL_ADMIN:
        municipality = None
    require(by, Action.MANAGE_MEMBERS, municipality)
    if role not in Role.values:
        raise ValidationError(_("Rol desconocido."), fields={"role": [_("Elegí un rol de la lista.")]})
    if role != Role.PROVINCIAL_ADMIN and municipality is None:
        raise ValidationError(
            _("Este rol se asigna para un municipio."), fields={"municipality": [_("Elegí el municipio.")]}
        )
    if Membership.objects.filter(user=user, role=role, municipality=municipality).exists():
        where = municipality.name if municipality else _("toda la provincia")
        raise Conflict(
            _("%(user)s ya tiene el rol «%(role)s» en %(where)s.")
            % {"user": user.email, "role": Role(role).label, "where": where}
        )
    membership = Membership.objects.create(user=user, role=role, municipality=municipality)
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
    """Take a role away from a user; the province always keeps one administrator."""
    require(by, Action.MANAGE_MEMBERS, membership.municipality)
    membership = (
        Membership.objects.select_for_update(of=("self",)).select_related("user", "municipality").get(pk=membership.pk)
    )
    if membership.role == Role.PROVINCIAL_ADMIN:
        admins = Membership.objects.select_for_update().filter(role=Role.PROVINCIAL_ADMIN, user__is_active=True)
        if not admins.exclude(pk=membership.pk).exists():
            raise Conflict(_("No se puede quitar el último rol de administración provincial: asigná otro antes."))
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
    by_email = email and recent.filter(email=_normalize_email(email)).count() >= limit
    by_ip = ip and recent.filter(ip=ip).count() >= limit * LOGIN_IP_FACTOR
    return bool(by_email or by_ip)


def login_failure_record(*, email: str, ip: str) -> None:
    """Remember a failed login for throttling."""
    LoginAttempt.objects.create(email=_normalize_email(email)[:254], ip=ip or "")


def login_attempts_prune() -> int:
    """Delete failed logins that no longer count for throttling; return how many."""
    since = timezone.now() - timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS)
    deleted, _by_model = LoginAttempt.objects.filter(created_at__lt=since).delete()
    return deleted


def unconfirmed_accounts_prune(*, now: datetime | None = None) -> int:
    """Delete sign-ups never confirmed within ``UNCONFIRMED_ACCOUNT_DAYS``; return how many.

    Only accounts that hold nothing are deleted: never signed in, no role, not staff. Each
    deletion is audited (the address stays in the trail, as for any other change)."""
    days = settings.UNCONFIRMED_ACCOUNT_DAYS
    if days <= 0:
        return 0
    cutoff = (now or timezone.now()) - timedelta(days=days)
    stale = User.objects.filter(
        email_confirmed_at__isnull=True,
        date_joined__lt=cutoff,
        last_login__isnull=True,
        is_staff=False,
        is_superuser=False,
        memberships__isnull=True,
    )
    system = Actor.system("limpieza de cuentas")
    deleted = 0
    for user in stale.iterator():
        with transaction.atomic():
            audit_record(
                actor=system,
                action="user.unconfirmed_deleted",
                changes={"email": user.email, "date_joined": user.date_joined.isoformat(), "days": days},
            )
            user.delete()
        deleted += 1
    return deleted


def login_failures_clear(*, email: str) -> None:
    """Forget an account's failures after a successful login or a new password."""
    LoginAttempt.objects.filter(email=_normalize_email(email)).delete()


def mail_request_allowed(*, kind: str, email: str, ip: str) -> bool:
    """Count one request that e-mails someone (a reset link, an "account exists" notice); False
    once that address or that connection asked too often in the window.

    Kept in the cache (Redis in production): losing the counts on a restart is harmless.
    """
    allowed = True
    limits = (
        (f"mail:{kind}:e:{_normalize_email(email)}", MAIL_MAX_PER_EMAIL),
        (f"mail:{kind}:i:{ip}", MAIL_MAX_PER_IP),
    )
    for key, limit in limits:
        cache.add(key, 0, timeout=int(MAIL_WINDOW.total_seconds()))
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            count = 1
        allowed = allowed and count <= limit
    return allowed


def user_get_by_email(email: str) -> User:
    user = User.objects.filter(email=_normalize_email(email)).first()
    if user is None:
        raise NotFound(
            _("No hay ninguna cuenta con el correo %(email)s. Pedile a esa persona que se registre primero.")
            % {"email": email}
        )
    return user
