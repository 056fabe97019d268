from django import template

from social import selectors

register = template.Library()


@register.simple_tag
def engagement(post):
    """(label, value) rows of a post's figures; value None reads "not available"."""
    return selectors.engagement_rows(post)
