"""Identifiers derived from titles: ASCII, lowercase, hyphenated, unique where they must be."""

from django.utils.text import slugify

from .models import Distribution


def identifier_from_title(title: str, max_length: int = 80) -> str:
    return slugify(title)[:max_length].strip("-") or "conjunto"


def distribution_identifier_for(dataset, title: str) -> str:
    """A distribution identifier not yet used in the dataset's municipality."""
    base = f"{dataset.identifier}-{identifier_from_title(title, 40)}"[:140]
    taken = set(
        Distribution.objects.filter(
            dataset__municipality_id=dataset.municipality_id, identifier__startswith=base
        ).values_list("identifier", flat=True)
    )
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base}-{n}", n + 1
    return candidate
