from django import template
from django.utils.safestring import mark_safe

from abiertos.monitoring.charts import trend_svg

register = template.Library()


@register.simple_tag
def trend_chart(points, title):
    """An SVG trend line (every text in it is escaped by trend_svg)."""
    return mark_safe(trend_svg(points, title=str(title)))  # noqa: S308


@register.filter
def get_item(mapping, key):
    return (mapping or {}).get(key)
