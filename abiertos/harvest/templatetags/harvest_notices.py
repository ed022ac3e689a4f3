"""What the catalog's pages show about harvesting (loaded by templates/catalog/dataset_detail.html)."""

from django import template

from ..selectors import dataset_withdrawal

register = template.Library()


@register.inclusion_tag("harvest/withdrawn_notice.html")
def harvest_withdrawn_notice(dataset) -> dict:
    """A notice on a harvested dataset that is no longer at its source, during the grace period."""
    return {"withdrawal": dataset_withdrawal(dataset_id=dataset.pk) if dataset.is_harvested else None}
