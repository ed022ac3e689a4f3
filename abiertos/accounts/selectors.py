from django.db.models import QuerySet
from django.utils.translation import gettext as _

from abiertos.core.actors import Actor
from abiertos.core.errors import NotFound
from abiertos.core.models import Municipality

from .models import ApiToken, Membership, User
from .permissions import Action, require


def membership_list_for(*, user: User) -> QuerySet[Membership]:
    return Membership.objects.filter(user=user).select_related("municipality").order_by("role", "municipality__name")


def membership_list_visible_to(*, actor: Actor, municipality: Municipality | None = None, email: str = "") -> QuerySet:
    """Every role held by anyone, for people who may see them, optionally narrowed."""
    require(actor, Action.VIEW_MEMBERS, municipality)
    qs = Membership.objects.select_related("user", "municipality").order_by("user__email", "role", "municipality__name")
    if municipality is not None:
        qs = qs.filter(municipality=municipality)
    if email:
        qs = qs.filter(user__email__icontains=email.strip())
    return qs


def membership_get_for_manage(*, actor: Actor, membership_id: int) -> Membership:
    """A membership the actor may revoke."""
    membership = Membership.objects.select_related("user", "municipality").filter(pk=membership_id).first()
    if membership is None:
        raise NotFound(_("No existe ese rol asignado."))
    require(actor, Action.MANAGE_MEMBERS, membership.municipality)
    return membership


def municipality_get_by_slug(*, slug: str) -> Municipality:
    municipality = Municipality.objects.filter(slug=slug).first()
    if municipality is None:
        raise NotFound(_("No existe el municipio «%(slug)s».") % {"slug": slug})
    return municipality


def api_token_list_for(*, user: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user).order_by("-created_at")


def api_token_get_own(*, actor: Actor, token_id: int) -> ApiToken:
    token = ApiToken.objects.filter(pk=token_id, user=actor.user).first() if actor.user else None
    if token is None:
        raise NotFound(_("No existe ese token."))
    return token
