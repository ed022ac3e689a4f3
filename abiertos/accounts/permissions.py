"""The one permission layer used by pages, the REST API and the CKAN API alike.

``can(actor, action, municipality)`` answers; ``require(...)`` raises ``PermissionDenied``.
Roles grant actions (``ROLE_ACTIONS``) inside their scope: a provincial administrator
everywhere, the other roles only in the municipalities of their memberships. API tokens can
narrow a person's rights further by scope, never widen them.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from abiertos.core.actors import Actor
from abiertos.core.errors import PermissionDenied
from abiertos.core.models import Municipality

from .models import Membership, Role, TokenScope


class Action(models.TextChoices):
    VIEW_PUBLIC = "view_public", gettext_lazy("ver contenido público")
    PARTICIPATE = "participate", gettext_lazy("participar (pedidos, comentarios)")
    EDIT_MUNICIPALITY = "municipality.edit", gettext_lazy("editar la página y la configuración del municipio")
    MANAGE_CATALOG = "catalog.manage", gettext_lazy("publicar y editar datos")
    MANAGE_FOI = "foi.manage", gettext_lazy("gestionar pedidos de acceso a la información")
    VIEW_FOI_PRIVATE = "foi.view_private", gettext_lazy("ver datos personales de solicitantes")
    VIEW_AUDIT = "audit.view", gettext_lazy("ver el registro de cambios")
    MANAGE_MEMBERS = "members.manage", gettext_lazy("asignar roles")
    MANAGE_TERRITORY = "territory.manage", gettext_lazy("administrar el territorio")
    REVIEW_INDEX = "index.review", gettext_lazy("revisar el índice de apertura")


# Actions a role grants inside its scope. Provincial administrators hold every action.
ROLE_ACTIONS: dict[str, frozenset[str]] = {
    Role.PROVINCIAL_ADMIN: frozenset(Action.values),
    Role.MUNICIPAL_EDITOR: frozenset(
        {Action.EDIT_MUNICIPALITY, Action.MANAGE_CATALOG, Action.VIEW_AUDIT, Action.PARTICIPATE, Action.VIEW_PUBLIC}
    ),
    Role.FOI_OFFICER: frozenset(
        {Action.MANAGE_FOI, Action.VIEW_FOI_PRIVATE, Action.VIEW_AUDIT, Action.PARTICIPATE, Action.VIEW_PUBLIC}
    ),
}

# Actions anyone may take; and those any signed-in person with a confirmed e-mail may take.
PUBLIC_ACTIONS = frozenset({Action.VIEW_PUBLIC})
CITIZEN_ACTIONS = frozenset({Action.VIEW_PUBLIC, Action.PARTICIPATE})

# The token scope an action needs. Actions not listed need no scope.
ACTION_SCOPE: dict[str, str] = {
    Action.VIEW_FOI_PRIVATE: TokenScope.READ,
    Action.VIEW_AUDIT: TokenScope.READ,
}
for _action in Action.values:
    if _action not in ACTION_SCOPE and _action not in CITIZEN_ACTIONS:
        ACTION_SCOPE[_action] = TokenScope.WRITE
ACTION_SCOPE[Action.PARTICIPATE] = TokenScope.WRITE


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


def can(actor: Actor, action: str, municipality: Municipality | None = None) -> bool:
    """Whether the actor may take the action (in the municipality, when it is scoped to one)."""
    if actor.is_system:
        return True
    if action in PUBLIC_ACTIONS:
        return True
    user = actor.user
    if user is None or not user.is_active:
        return False
    scope = ACTION_SCOPE.get(action)
    if scope and not actor.has_scope(scope):
        return False
    if user.is_superuser:
        return True
    if action in CITIZEN_ACTIONS and user.email_confirmed:
        return True
    return _role_allows(actor, action, municipality)


def require(actor: Actor, action: str, municipality: Municipality | None = None) -> None:
    """Raise PermissionDenied unless the actor may take the action."""
    if can(actor, action, municipality):
        return
    if actor.user is None:
        raise PermissionDenied(_("Tenés que ingresar con tu cuenta para hacer esto."))
    scope = ACTION_SCOPE.get(action)
    if scope and not actor.has_scope(scope):
        raise PermissionDenied(
            _("El token usado no tiene el permiso «%(scope)s» que requiere esta acción.") % {"scope": scope}
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
    scope = ACTION_SCOPE.get(action)
    if actor.user is None or not actor.user.is_active or (scope and not actor.has_scope(scope)):
        return qs.none()
    ids = [m for role, m in _memberships(actor) if m is not None and action in ROLE_ACTIONS.get(role, ())]
    return qs.filter(pk__in=ids)
