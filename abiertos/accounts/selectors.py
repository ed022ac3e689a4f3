from django.db.models import QuerySet

from abiertos.core.actors import Actor
from abiertos.core.errors import NotFound

from .models import ApiToken, Membership, User


def membership_list_for(*, user: User) -> QuerySet[Membership]:
    return Membership.objects.filter(user=user).select_related("municipality").order_by("role", "municipality__name")


def api_token_list_for(*, user: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user).order_by("-created_at")


def api_token_get_own(*, actor: Actor, token_id: int) -> ApiToken:
    token = ApiToken.objects.filter(pk=token_id, user=actor.user).first() if actor.user else None
    if token is None:
        raise NotFound("No existe ese token.")
    return token
