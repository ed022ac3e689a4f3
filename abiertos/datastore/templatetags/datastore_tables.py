"""Template helpers the catalog's pages use to show datastore links without a query per distribution."""

from __future__ import annotations

from django import template
from django.db.models import prefetch_related_objects

from abiertos.datastore.forms import TYPE_LABELS

register = template.Library()


@register.simple_tag
def datastore_prefetch(distributions) -> str:
    """Load the datastore tables of all these distributions in one query (``distribution.datastore_table``)."""
    prefetch_related_objects(list(distributions), "datastore_table")
    return ""


@register.filter
def type_label(kind: str) -> str:
    """A column type (``number``) as people read it (``Número con decimales``)."""
    return str(TYPE_LABELS.get(kind, kind))
