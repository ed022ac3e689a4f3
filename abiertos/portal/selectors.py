from django.db.models import QuerySet
from django.utils.translation import gettext as _

from abiertos.accounts.permissions import Action, can, municipalities_where, require
from abiertos.core.actors import Actor
from abiertos.core.errors import NotFound
from abiertos.core.models import AuditEvent, Municipality, Province


def municipality_list_public() -> QuerySet[Municipality]:
    return Municipality.objects.filter(is_active=True).select_related("province").order_by("name")


def province_list() -> QuerySet[Province]:
    return Province.objects.order_by("name")


def municipality_get_public(*, slug: str) -> Municipality:
    municipality = municipality_list_public().filter(slug=slug).first()
    if municipality is None:
        raise NotFound(_("No existe ese municipio."))
    return municipality


def municipality_get_for_edit(*, actor: Actor, slug: str) -> Municipality:
    """The municipality, if the actor may edit its page and settings."""
    municipality = Municipality.objects.select_related("province").filter(slug=slug).first()
    if municipality is None:
        raise NotFound(_("No existe ese municipio."))
    require(actor, Action.EDIT_MUNICIPALITY, municipality)
    return municipality


def audit_event_list_visible_to(
    *, actor: Actor, municipality: Municipality | None = None, action: str = ""
) -> QuerySet[AuditEvent]:
    """The audit trail the actor may read: everything for provincial staff, their own
    municipalities' events for municipal staff; newest first."""
    if not can(actor, Action.VIEW_AUDIT) and not municipalities_where(actor, Action.VIEW_AUDIT).exists():
        require(actor, Action.VIEW_AUDIT, municipality)
    events = AuditEvent.objects.select_related("municipality").order_by("-created_at", "-id")
    if not can(actor, Action.VIEW_AUDIT):
        events = events.filter(municipality__in=municipalities_where(actor, Action.VIEW_AUDIT))
    if municipality is not None:
        events = events.filter(municipality=municipality)
    if action:
        events = events.filter(action__startswith=action)
    return events
