"""`{{ value|external_url }}`: an outside address fit for an href or src, or ""."""

from django import template

from civic.external_urls import safe_url

register = template.Library()


@register.filter
def external_url(value) -> str:
    return safe_url(value)
