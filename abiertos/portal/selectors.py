from django.db.models import QuerySet

from abiertos.accounts.permissions import Action, require
from abiertos.core.actors import Actor
from abiertos.core.errors import NotFound
from abiertos.core.models import Municipality, Province


def municipality_list_public() -> QuerySet[Municipality]:
    return Municipality.objects.filter(is_active=True).select_related("province").order_by("name")


def province_list() -> QuerySet[Province]:
    return Province.objects.order_by("name")


def municipality_get_public(*, slug: str) -> Municipality:
    municipality = municipality_list_public().filter(slug=slug).first()
    if municipality is None:
        raise NotFound("No existe ese municipio.")
    return municipality


def municipality_get_for_edit(*, actor: Actor, slug: str) -> Municipality:
    """The municipality, if the actor may edit its page and settings."""
    municipality = Municipality.objects.select_related("province").filter(slug=slug).first()
    if municipality is None:
        raise NotFound("No existe ese municipio.")
    require(actor, Action.EDIT_MUNICIPALITY, municipality)
    return municipality
