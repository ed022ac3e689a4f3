"""Dates kept as ISO text in a request's events, shown like every other date on the page."""

from datetime import date

from django import template
from django.template.defaultfilters import date as format_date

register = template.Library()


@register.filter
def iso_date(value: str, fmt: str = "j/n/Y") -> str:
    """Format an ISO date string ("2027-01-14"); anything else is shown as it is."""
    try:
        return format_date(date.fromisoformat(str(value)), fmt)
    except ValueError:
        return value
