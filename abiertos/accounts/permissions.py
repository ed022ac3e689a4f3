"""The one permission layer used by pages, the REST API and the CKAN API alike.

``can(actor, action, municipality)`` answers; ``require(...)`` raises ``PermissionDenied``
(``Unauthenticated`` when nobody is signed in). Roles grant actions (``ROLE_ACTIONS``) inside
their scope: a provincial administrator everywhere, the other roles only in the municipalities
of their memberships. Anything beyond viewing public content needs a confirmed e-mail address:
otherwise whoever signed up first with an official's address would inherit the roles granted
to that address. API tokens can narrow a person's rights further by scope, never widen them; a
``write`` token may also read.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from abiertos.core.actors import Actor
from abiertos.core.errors import PermissionDenied
from abiertos.core.models import Municipality

from .models import Membership, Role, TokenScope


class Unauthenticated(PermissionDenied):
    """Nobody is signed in (or the API token is not valid): HTTP 401 on the REST API."""

    code = "unauthenticated"
    http_status = 401


class Action(models.TextChoices):
    VIEW_PUBLIC = "view_public", gettext_lazy("ver contenido público")
    PARTICIPATE = "participate", gettext_lazy("participar (pedidos, comentarios)")
    EDIT_MUNICIPALITY = "municipality.edit", gettext_lazy("editar la página y la configuración del municipio")
    MANAGE_CATALOG = "catalog.manage", gettext_lazy("publicar y editar datos")
    VIEW_CATALOG_DRAFTS = "catalog.view_drafts", gettext_lazy("ver borradores y eliminados del catálogo")
    MANAGE_FOI = "foi.manage", gettext_lazy("gestionar pedidos de acceso a la información")
    VIEW_FOI_PRIVATE = "foi.view_private", gettext_lazy("ver datos personales de solicitantes")
    VIEW_AUDIT = "audit.view", gettext_lazy("ver el registro de cambios")
    VIEW_MEMBERS = "members.view", gettext_lazy("ver quién tiene cada rol")
    MANAGE_MEMBERS = "members.manage", gettext_lazy("asignar roles")
    MANAGE_TERRITORY = "territory.manage", gettext_lazy("administrar el territorio")
    REVIEW_INDEX = "index.review", gettext_lazy("revisar el índice de apertura")


# Actions a role grants inside its scope. Provincial administrators hold every action.
ROLE_ACTIONS: dict[str, frozenset[str]] = {
    Role.PROVINCIAL_ADMIN: frozenset(Action.values),
    Role.MUNICIPAL_EDITOR: frozenset(
        {
            Action.EDIT_MUNICIPALITY,
            Action.MANAGE_CATALOG,
            Action.VIEW_CATALOG_DRAFTS,
            Action.VIEW_AUDIT,
            Action.PARTICIPATE,
            Action.VIEW_PUBLIC,
        }
    ),
    Role.FOI_OFFICER: frozenset(
        {Action.MANAGE_FOI, Action.VIEW_FOI_PRIVATE, Action.VIEW_AUDIT, Action.PARTICIPATE, Action.VIEW_PUBLIC}
    ),
}

# Actions anyone may take; and those any signed-in person with a confirmed e-mail may take.
PUBLIC_ACTIONS = frozenset({Action.VIEW_PUBLIC})
CITIZEN_ACTIONS = frozenset({Action.VIEW_PUBLIC, Action.PARTICIPATE})

# The token scope an action needs: reading non-public data needs ``read``, everything else
# that is not public needs ``write``.
READ_ACTIONS = frozenset({Action.VIEW_FOI_PRIVATE, Action.VIEW_AUDIT, Action.VIEW_MEMBERS, Action.VIEW_CATALOG_DRAFTS})
ACTION_SCOPE: dict[str, str] = {
    action: (TokenScope.READ if action in READ_ACTIONS else TokenScope.WRITE)
    for action in Action.values
    if action not in PUBLIC_ACTIONS
}


def _scope_allows(actor: Actor, action: str) -> bool:
    scope = ACTION_SCOPE.get(action)
    if scope is None or actor.has_scope(scope):
        return True
    return scope == TokenScope.READ and actor.has_scope(TokenScope.WRITE)


def _memberships(actor: Actor) -> list[tuple[str, int | None]]:
    """The actor's (role, municipality_id) pairs, read once per actor."""
    if "memberships" not in actor._cache:
        actor._cache["memberships"] = list(
            Membership.objects.filter(user=actor.user).values_list("role", "municipality_id")
        )
    return actor._cache["memberships"]


def _role_allows(actor: Actor, action: str, municipality: Municipality | None) -> bool:
    for role, municipality_id in _memberships(actor):
        if action not in ROLE_ACTIONS.get(role, ()):
            continue
        if role == Role.PROVINCIAL_ADMIN:
            return True
        if municipality is not None and municipality_id == municipality.pk:
            return True
    return False


def _may_act(actor: Actor, action: str) -> bool:
    """Whether a signed-in actor passes the checks that do not depend on roles."""
    user = actor.user
    if user is None or not user.is_active or not _scope_allows(actor, action):
        return False
    return user.is_superuser or user.email_confirmed


def can(actor: Actor, action: str, municipality: Municipality | None = None) -> bool:
    """Whether the actor may take the action (in the municipality, when it is scoped to one)."""
    if actor.is_system or action in PUBLIC_ACTIONS:
        return True
    if not _may_act(actor, action):
        return False
    if actor.user.is_superuser or action in CITIZEN_ACTIONS:
        return True
    return _role_allows(actor, action, municipality)


def require(actor: Actor, action: str, municipality: Municipality | None = None) -> None:
    """Raise PermissionDenied (Unauthenticated for anonymous actors) unless the actor may act."""
    if can(actor, action, municipality):
        return
    if actor.user is None:
        raise Unauthenticated(_("Tenés que ingresar con tu cuenta para hacer esto."))
    if not _scope_allows(actor, action):
        raise PermissionDenied(
            _("El token usado no tiene el permiso «%(scope)s» que requiere esta acción.")
            % {"scope": ACTION_SCOPE[action]}
        )
    if actor.user.is_active and not actor.user.email_confirmed:
        raise PermissionDenied(
            _("Primero confirmá tu correo electrónico: te mandamos un enlace cuando creaste la cuenta.")
        )
    label = Action(action).label if action in Action.values else action
    if municipality is not None:
        raise PermissionDenied(
            _("No tenés permiso para %(action)s en %(municipality)s.") % {"action": label, "municipality": municipality}
        )
    raise PermissionDenied(_("No tenés permiso para %(action)s.") % {"action": label})


def municipalities_where(actor: Actor, action: str):
    """The municipalities in which the actor may take the action (a queryset)."""
    qs = Municipality.objects.all()
    if can(actor, action, None):
        return qs
    if not _may_act(actor, action):
        return qs.none()
    ids = [m for role, m in _memberships(actor) if m is not None and action in ROLE_ACTIONS.get(role, ())]
    return qs.filter(pk__in=ids)
