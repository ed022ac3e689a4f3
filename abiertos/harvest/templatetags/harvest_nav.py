"""The site menu's link to the province-wide harvest list (loaded by templates/base.html)."""

from django import template

from abiertos.accounts.request_actor import actor_for_web

from ..selectors import harvest_visible_anywhere

register = template.Library()


@register.inclusion_tag("harvest/nav_link.html", takes_context=True)
def harvest_nav_link(context) -> dict:
    """«Cosecha» in the menu, for whoever may see some municipality's harvest sources."""
    request = context.get("request")
    if request is None or not request.user.is_authenticated:
        return {"show": False}
    return {"show": harvest_visible_anywhere(actor=actor_for_web(request))}
